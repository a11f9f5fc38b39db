-- housekeeping/day_done - today's housekeeping finished, with what it did.
-- $1 project id
-- $2 details (JSON text)
-- columns: none
UPDATE midwatch.housekeeping_runs SET finished_at = now(), details = $2::jsonb
 WHERE project_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date
