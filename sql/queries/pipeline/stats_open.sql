-- pipeline/stats_open - opens a stats run row (pending) with its
-- 'stats.started' audit entry.
-- $1 project id
-- $2 from (RFC 3339 or NULL)
-- $3 to (RFC 3339 or NULL)
-- $4 requested by
-- columns: id
WITH ins AS (INSERT INTO midwatch.pipeline_runs (project_id, kind,
 status, window_start, window_end, requested_by)
 VALUES ($1, 'stats', 'pending', $2::timestamptz, $3::timestamptz, $4)
 RETURNING id, window_start, window_end, requested_by),
au AS (INSERT INTO midwatch.audit_entries (project_id, actor, action,
 target, details) SELECT $1, requested_by, 'stats.started',
 'pipeline_run:' || id, jsonb_build_object('from', window_start,
 'to', window_end) FROM ins)
SELECT id FROM ins
