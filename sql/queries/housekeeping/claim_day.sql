-- housekeeping/claim_day - claims today's (UTC) housekeeping of a project:
-- a row when this runner got it.
-- $1 project id
-- columns: claimed
INSERT INTO midwatch.housekeeping_runs (project_id, day)
VALUES ($1, (now() AT TIME ZONE 'UTC')::date)
ON CONFLICT DO NOTHING RETURNING 1 AS claimed
