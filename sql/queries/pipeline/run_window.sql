-- pipeline/run_window - the window of the next run: end = at, else the newest
-- data time across the raw tables; start = since, else the last completed
-- watermark, else the oldest data time; todo when there is something to do.
-- $1 project id
-- $2 at (epoch seconds or NULL)
-- $3 since (epoch seconds or NULL)
-- columns: start_ts, end_ts, start_epoch, end_epoch, todo
WITH raw AS (SELECT max(hi) AS hi, min(lo) AS lo FROM (
SELECT max(ts) hi, min(ts) lo FROM midwatch.metric_points WHERE project_id = $1
UNION ALL SELECT max(ts), min(ts) FROM midwatch.error_events WHERE project_id = $1
UNION ALL SELECT max(ts), min(ts) FROM midwatch.health_checks WHERE project_id = $1
UNION ALL SELECT max(ts), min(ts) FROM midwatch.funnel_snapshots WHERE project_id = $1
UNION ALL SELECT max(ts), min(ts) FROM midwatch.external_alerts WHERE project_id = $1
UNION ALL SELECT max(started_at), min(started_at) FROM midwatch.deployment_events WHERE project_id = $1
UNION ALL SELECT max(detected_at), min(detected_at) FROM midwatch.config_change_events WHERE project_id = $1) raw),
wm AS (SELECT max(window_end) AS wm FROM midwatch.pipeline_runs
 WHERE project_id = $1 AND kind = 'pipeline'
 AND status IN ('completed', 'skipped')),
w AS (SELECT coalesce(to_timestamp($2::float8), raw.hi) AS e,
 coalesce(to_timestamp($3::float8), wm.wm, raw.lo) AS s,
 $3::float8 IS NOT NULL AS forced, raw.hi AS hi
 FROM raw, wm)
SELECT midwatch.rfc3339_us(s) AS start_ts, midwatch.rfc3339_us(e) AS end_ts,
 extract(epoch FROM s) AS start_epoch, extract(epoch FROM e) AS end_epoch,
 (e IS NOT NULL AND s IS NOT NULL AND (e > s OR (e >= s AND
  (forced OR (SELECT wm IS NULL FROM wm))))
  AND (SELECT wm IS NULL OR forced OR e > wm FROM wm)) AS todo
FROM w
