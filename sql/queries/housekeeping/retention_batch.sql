-- housekeeping/retention_batch - removes (or, dry, counts) a batch of a
-- table's rows past retention (midwatch.retention_batch); how many.
-- $1 project id
-- $2 table name
-- $3 dry run (true, false)
-- $4 batch size
-- columns: retention_batch
SELECT midwatch.retention_batch($1, $2, $3, $4::double precision::int)
