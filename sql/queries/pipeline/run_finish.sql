-- pipeline/run_finish - ends a pipeline run: completed, or failed with the
-- error.  A run a reader called abandoned (it saw the lock gone when the
-- connection was lost) takes the real reason.
-- $1 project id
-- $2 summary (JSON text)
-- $3 error (NULL: completed)
-- $4 run id
-- $5 skipped units
-- columns: none
UPDATE midwatch.pipeline_runs SET status = CASE WHEN $3::text IS NULL
 THEN 'completed' ELSE 'failed' END, finished_at = now(),
current_stage = NULL, summary = $2::jsonb, error = $3,
skipped_units = $5::int
WHERE project_id = $1 AND id = $4
  AND (status IN ('pending', 'running')
   OR ($3::text IS NOT NULL AND status = 'failed'
       AND error LIKE 'abandoned:%'))
