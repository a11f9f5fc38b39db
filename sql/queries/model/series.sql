-- model/series - the metric series of an incident's signals (the
-- MODEL_MAX_SERIES best by quality), or with $5 the series of that evidence
-- item's signal (its metadata's signal_id, else the incident's signal of
-- its service and metric), averaged per bucket over the window +- 1 h, with
-- the detector's baseline feature where there is one (else the signal's
-- baseline value).  Buckets are one minute, widened so no series has more
-- than MODEL_MAX_POINTS points.
--
-- The spread is the scale the detector divided by: at each judged point
-- z = (value - baseline) / scale, so scale = |value - baseline| / |z|; its
-- median over the points with |z| >= 0.5 (the zscore feature is rounded to
-- 0.001).  The band is the baseline's median +- that spread.  lo and hi
-- are the chart's scale: the values and the band.
-- $1 project id
-- $2 incident id
-- $3 the most points (MODEL_MAX_POINTS)
-- $4 the most series (MODEL_MAX_SERIES)
-- $5 evidence id, or NULL for the incident's series
-- columns: k, service, metric, onset, t, v, b, spread, lo, hi, min_text,
-- columns: max_text, last_text, base_text, spread_text, lo_text, hi_text
WITH inc AS (
	SELECT i.id, i.window_start - interval '1 hour' AS t0,
	       i.window_end + interval '1 hour' AS t1,
	       greatest(60, ceil(extract(epoch FROM i.window_end - i.window_start
	                + interval '2 hours') / $3::integer / 60) * 60) AS bw
	  FROM midwatch.incidents i WHERE i.project_id = $1 AND i.id = $2),
 ev AS (
	SELECT (e.metadata ->> 'signal_id')::bigint AS sid, e.service_id,
	       e.metadata ->> 'metric' AS metric
	  FROM midwatch.evidence_artifacts e
	 WHERE e.project_id = $1 AND e.id = $5::bigint),
 s AS (
	SELECT row_number() OVER (ORDER BY q.quality DESC, q.onset,
	       q.service_id, q.metric_name, q.labels_key) AS k, q.*
	  FROM (SELECT g.service_id, g.metric_name, g.labels_key,
	               min(g.onset_at) AS onset, max(g.quality_score) AS quality,
	               max(g.baseline) AS baseline
	          FROM midwatch.signals g, inc
	         WHERE g.project_id = $1
	           AND g.metric_name IS NOT NULL AND g.service_id IS NOT NULL
	           AND CASE WHEN $5::bigint IS NULL THEN g.incident_id = inc.id
	               ELSE EXISTS (SELECT 1 FROM ev WHERE ev.sid = g.id
	                    OR (ev.sid IS NULL AND g.incident_id = inc.id
	                        AND g.service_id = ev.service_id
	                        AND g.metric_name = ev.metric)) END
	         GROUP BY 1, 2, 3) q
	 ORDER BY 1 LIMIT $4),
 pts AS (
	SELECT s.k, floor(extract(epoch FROM m.ts) / inc.bw) * inc.bw AS t,
	       avg(midwatch.metric_value(m.value)) AS v
	  FROM s CROSS JOIN inc
	  JOIN midwatch.metric_points m ON m.project_id = $1
	   AND m.service_id = s.service_id AND m.metric_name = s.metric_name
	   AND m.labels_key = s.labels_key AND m.ts >= inc.t0 AND m.ts < inc.t1
	 GROUP BY 1, 2),
 f AS (
	SELECT s.k, x.ts, x.feature_name, midwatch.metric_value(x.value) AS v
	  FROM s CROSS JOIN inc
	  JOIN midwatch.anomaly_features x ON x.project_id = $1
	   AND x.service_id = s.service_id AND x.metric_name = s.metric_name
	   AND x.labels_key = s.labels_key
	   AND x.feature_name IN ('baseline', 'value', 'zscore')
	   AND x.ts >= inc.t0 AND x.ts < inc.t1),
 base AS MATERIALIZED (
	SELECT f.k, floor(extract(epoch FROM f.ts) / inc.bw) * inc.bw AS t,
	       avg(f.v) AS v
	  FROM f CROSS JOIN inc WHERE f.feature_name = 'baseline'
	 GROUP BY 1, 2),
-- a point's baseline, value and zscore side by side (one row each per
-- series, time and feature)
 fx AS (
	SELECT f.k, f.ts,
	       max(f.v) FILTER (WHERE f.feature_name = 'baseline') AS b,
	       max(f.v) FILTER (WHERE f.feature_name = 'zscore') AS z,
	       max(f.v) FILTER (WHERE f.feature_name = 'value') AS x
	  FROM f GROUP BY 1, 2
	HAVING bool_or(f.feature_name = 'baseline')),
 spr AS MATERIALIZED (
	SELECT fx.k, percentile_cont(0.5) WITHIN GROUP (ORDER BY fx.b) AS bmed,
	       percentile_cont(0.5) WITHIN GROUP (ORDER BY
	           abs(fx.x - fx.b) / abs(fx.z)) FILTER (WHERE abs(fx.z) >= 0.5)
	           AS spread
	  FROM fx GROUP BY 1),
 j AS (
	SELECT s.k, sv.name, s.metric_name, s.onset, p.t, p.v,
	       coalesce(b.v, s.baseline) AS b, x.spread,
	       coalesce(x.bmed, s.baseline) AS bmed
	  FROM s
	  JOIN midwatch.services sv ON sv.project_id = $1 AND sv.id = s.service_id
	  JOIN pts p ON p.k = s.k
	  LEFT JOIN base b ON b.k = p.k AND b.t = p.t
	  LEFT JOIN spr x ON x.k = s.k),
 a AS (
	SELECT j.*, min(j.v) OVER w AS vmin, max(j.v) OVER w AS vmax,
	       last_value(j.v) OVER (w ORDER BY j.t ROWS BETWEEN UNBOUNDED
	           PRECEDING AND UNBOUNDED FOLLOWING) AS vlast,
	       least(min(j.v) OVER w, min(j.b) OVER w - j.spread) AS lo,
	       greatest(max(j.v) OVER w, max(j.b) OVER w + j.spread) AS hi
	  FROM j WINDOW w AS (PARTITION BY j.k)),
-- the texts are the series' (one per k), formatted once per series
 t AS (
	SELECT a.k,
	       midwatch.pipeline_fmt_metric(min(a.metric_name), min(a.vmin))
	           AS min_text,
	       midwatch.pipeline_fmt_metric(min(a.metric_name), min(a.vmax))
	           AS max_text,
	       midwatch.pipeline_fmt_metric(min(a.metric_name), min(a.vlast))
	           AS last_text,
	       CASE WHEN min(a.bmed) IS NOT NULL
	            THEN midwatch.pipeline_fmt_metric(min(a.metric_name), min(a.bmed))
	       END AS base_text,
	       CASE WHEN min(a.spread) IS NOT NULL
	            THEN midwatch.pipeline_fmt_metric(min(a.metric_name),
	                min(a.spread)) END AS spread_text,
	       midwatch.pipeline_fmt_metric(min(a.metric_name), min(a.lo))
	           AS lo_text,
	       midwatch.pipeline_fmt_metric(min(a.metric_name), min(a.hi))
	           AS hi_text
	  FROM a GROUP BY a.k)
 SELECT a.k, a.name AS service, a.metric_name AS metric,
        extract(epoch FROM a.onset) AS onset, a.t, a.v, a.b, a.spread,
        a.lo, a.hi, t.min_text, t.max_text, t.last_text, t.base_text,
        t.spread_text, t.lo_text, t.hi_text
   FROM a JOIN t ON t.k = a.k ORDER BY a.k, a.t
