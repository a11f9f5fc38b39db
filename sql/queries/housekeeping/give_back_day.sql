-- housekeeping/give_back_day - gives today's housekeeping back after a
-- failure: the next run tries again.
-- $1 project id
-- columns: none
DELETE FROM midwatch.housekeeping_runs
 WHERE project_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date
