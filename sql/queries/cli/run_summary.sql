-- cli/run_summary - a pipeline run: its status, window, per-stage summary
-- (JSON text), duration in seconds and the units it skipped.
-- $1 project id
-- $2 run id
-- columns: status, window_start, window_end, summary, seconds,
-- columns: skipped_units
SELECT status,
       midwatch.rfc3339(window_start)
         AS window_start,
       midwatch.rfc3339(window_end)
         AS window_end,
       summary::text AS summary,
       round(extract(epoch FROM finished_at - started_at)::numeric, 2)
         AS seconds,
       skipped_units
  FROM midwatch.pipeline_runs WHERE project_id = $1 AND id = $2
