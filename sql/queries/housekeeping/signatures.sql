-- housekeeping/signatures - rebuilds a batch of stale case signatures
-- (midwatch.refresh_case_signatures); how many.
-- $1 project id
-- $2 batch size
-- columns: refresh_case_signatures
SELECT midwatch.refresh_case_signatures($1, $2::double precision::int)
