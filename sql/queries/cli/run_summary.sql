-- cli/run_summary - a pipeline run: its status, window, per-stage summary
-- (JSON text), duration in seconds and the units it skipped.
-- $1 project id
-- $2 run id
-- columns: status, window_start, window_end, summary, seconds,
-- columns: skipped_units
SELECT status,
       to_char((window_start) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
         AS window_start,
       to_char((window_end) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
         AS window_end,
       summary::text AS summary,
       round(extract(epoch FROM finished_at - started_at)::numeric, 2)
         AS seconds,
       skipped_units
  FROM midwatch.pipeline_runs WHERE project_id = $1 AND id = $2
