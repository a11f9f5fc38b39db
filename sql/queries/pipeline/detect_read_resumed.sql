-- pipeline/detect_read_resumed - a resumed service's read: the states of its
-- series first (kind 1), then per series only the points judging from them
-- needs (kind 0), by series and time.  OFFSET 0 keeps the points' subquery
-- per range (a nested loop of index range scans, pruned to the partitions of
-- the range) rather than a hash join over every point of the service.  Read
-- in binary (db_run_bin).
-- $1 project id
-- $2 service id
-- $3 window end
-- $4 the ranges, jsonb [{i, m, l, lo, hi}] (series index, metric, labels key, epochs; hi null: the window's end)
-- $5 the series, jsonb [{i, m, l}]
-- columns: kind i t v step resume_at trailing_ring seasonal_ring
SELECT 1 AS kind, k.i, NULL::float8 AS t, NULL::float8 AS v,
 d.step, d.resume_at, d.trailing_ring::text AS trailing_ring,
 d.seasonal_ring::text AS seasonal_ring
 FROM jsonb_to_recordset($5::jsonb) AS k (i int, m text, l text)
 JOIN midwatch.detect_state d ON d.project_id = $1
  AND d.service_id = $2 AND d.metric_name = k.m
  AND d.labels_key = k.l
 UNION ALL
 SELECT 0, x.i, date_part('epoch', m.ts),
 midwatch.metric_value(m.value), NULL, NULL, NULL, NULL
 FROM jsonb_to_recordset($4::jsonb) AS x (i int, m text, l text,
  lo float8, hi float8)
 CROSS JOIN LATERAL (SELECT ts, value FROM midwatch.metric_points
  WHERE project_id = $1 AND service_id = $2 AND metric_name = x.m
  AND labels_key = x.l AND ts >= to_timestamp(x.lo)
  AND ts <= coalesce(to_timestamp(x.hi), $3::timestamptz)
  OFFSET 0) m
 ORDER BY 1 DESC, 2, 3
