-- pipeline/detect_close_quiet - a signal still open from an earlier run that
-- nothing continued (its series went quiet) ended by the start of this
-- window.  A row per signal closed.
-- $1 project id
-- $2 run id
-- $3 window start
-- columns: closed
UPDATE midwatch.signals SET ended_at = greatest(onset_at, $3::timestamptz),
 details = details || '{"closed_without_data": true}'
 WHERE project_id = $1 AND ended_at IS NULL AND onset_at < $3
 AND run_id IS DISTINCT FROM $2
 AND coalesce(details ->> 'source', '') <> 'investigate' RETURNING 1 AS closed
