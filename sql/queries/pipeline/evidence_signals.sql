-- pipeline/evidence_signals - the incident's own signals as artifacts, with
-- their relation to the incident's service (depth > 0: it calls them; depth <
-- 0: they call it) and their order by onset.  Like every evidence_* statement
-- it upserts by (incident, dedupe_key) and returns a row per artifact; the
-- affected services are those with signals in the incident, related services
-- are their dependencies and dependents.
-- $1 project id
-- $2 run id
-- $3 incident id
-- $4 onset (RFC 3339)
-- $5 window end (RFC 3339)
-- $6 the incident's service id (or NULL)
-- $7 gate.watch_quality
-- $8 evidence.change_window (s)
-- $9 evidence.fingerprint_window (s)
-- $10 evidence.change_after (s)
-- columns: kind
WITH RECURSIVE prm AS (SELECT $4::timestamptz AS onset,
$5::timestamptz AS wend, $6::bigint AS isvc, $7::float8 AS wq,
make_interval(secs => $8::float8) AS chg,
make_interval(secs => $9::float8) AS fpw,
make_interval(secs => $10::float8) AS chga),
down (sid, depth) AS (SELECT $6::bigint, 0
 UNION SELECT d.to_service_id, down.depth + 1 FROM down
 JOIN midwatch.service_dependencies d ON d.project_id = $1
  AND d.from_service_id = down.sid
 WHERE d.to_service_id IS NOT NULL AND down.depth < 8),
up (sid, depth) AS (SELECT $6::bigint, 0
 UNION SELECT d.from_service_id, up.depth + 1 FROM up
 JOIN midwatch.service_dependencies d ON d.project_id = $1
  AND d.to_service_id = up.sid WHERE up.depth < 8),
sig0 AS (SELECT s.*, NOT midwatch.signal_watched(s.details,
  s.quality_score, $7::float8)
 AND s.signal_type <> 'external_alert' AS anchor
 FROM midwatch.signals s WHERE s.project_id = $1 AND s.incident_id = $3
 AND s.signal_type <> 'error_fingerprint_new'),
sig AS (SELECT s.*, v.name AS svc_name,
 CASE WHEN s.anchor THEN rank() OVER (PARTITION BY s.anchor
  ORDER BY s.onset_at) END AS onset_rank,
 extract(epoch FROM s.onset_at - coalesce(min(s.onset_at)
  FILTER (WHERE s.anchor) OVER (), min(s.onset_at) OVER ())) / 60
  AS after_first,
 (SELECT min(depth) FROM down WHERE down.sid = s.service_id) AS ddown,
 (SELECT min(depth) FROM up WHERE up.sid = s.service_id) AS dup
 FROM sig0 s LEFT JOIN midwatch.services v
  ON v.project_id = s.project_id AND v.id = s.service_id),
x AS (SELECT sig.*,
 CASE WHEN signal_type IN ('traffic_surge', 'traffic_drop') THEN 'traffic_shift'
  WHEN signal_type = 'health_down' THEN 'health_check'
  WHEN signal_type = 'external_alert' THEN 'external_alert'
  WHEN signal_type = 'conversion_drop' THEN 'metric_anomaly'
  WHEN service_id IS NOT DISTINCT FROM $6::bigint THEN 'metric_anomaly'
  ELSE 'dependency_anomaly' END AS kind,
 CASE WHEN service_id IS NOT DISTINCT FROM $6::bigint THEN 'self'
  WHEN ddown IS NOT NULL THEN 'dependency'
  WHEN dup IS NOT NULL THEN 'dependent' ELSE 'related' END AS relation,
 CASE WHEN ddown IS NOT NULL THEN ddown WHEN dup IS NOT NULL THEN -dup
  END AS depth,
 CASE WHEN NOT anchor THEN CASE WHEN after_first < 0
   THEN round(-after_first)::text || ' min before'
   ELSE round(after_first)::text || ' min after' END
   || ' the first steady anomaly (cited, does not set the order)'
  WHEN onset_rank = 1 THEN 'the first anomaly'
  ELSE round(after_first)::text || ' min after the first anomaly'
 END AS order_text FROM sig)
INSERT INTO midwatch.evidence_artifacts (project_id, run_id,
incident_id, dedupe_key, kind, source, ref, service_id, summary,
confidence, observed_at, metadata)
SELECT $1, $2, $3, 'signal:' || x.dedupe_key, x.kind,
 CASE WHEN x.signal_type = 'conversion_drop' THEN 'funnel_snapshots'
  WHEN x.signal_type = 'external_alert' THEN 'external_alerts'
  WHEN x.signal_type = 'health_down' THEN 'health_checks'
  ELSE 'metric_points' END,
 CASE WHEN x.signal_type IN ('external_alert', 'conversion_drop')
  THEN coalesce(x.ref, x.dedupe_key)
  ELSE coalesce(x.svc_name, '?') || ':' || coalesce(x.metric_name,
   x.signal_type) END,
 x.service_id,
 CASE x.signal_type
  WHEN 'health_down' THEN format('%s health checks %s: %s checks from %s, %s',
   x.svc_name, CASE WHEN (x.details ->> 'down')::int > 0 THEN 'down'
    ELSE 'degraded' END, x.details ->> 'checks', to_char((x.onset_at) AT TIME ZONE 'UTC', 'HH24:MI'),
   x.order_text)
  WHEN 'external_alert' THEN format('alert %s firing on %s from %s%s, %s',
   coalesce(x.details ->> 'alertname', x.ref), coalesce(x.svc_name, '?'),
   to_char((x.onset_at) AT TIME ZONE 'UTC', 'HH24:MI'), CASE WHEN x.ended_at IS NOT NULL
    THEN ' to ' || to_char((x.ended_at) AT TIME ZONE 'UTC', 'HH24:MI')
ELSE '' END, x.order_text)
  WHEN 'conversion_drop' THEN format('%s funnel conversion fell to %s (baseline %s) from %s; revenue at risk %s to %s',
   x.ref, midwatch.pipeline_fmt_metric('conversion', x.peak_value),
   midwatch.pipeline_fmt_metric('conversion', x.baseline),
   to_char((x.onset_at) AT TIME ZONE 'UTC', 'HH24:MI'),
   midwatch.pipeline_fmt_num((x.details -> 'revenue_at_risk' ->> 'low')::float8),
   midwatch.pipeline_fmt_num((x.details -> 'revenue_at_risk' ->> 'high')::float8))
  ELSE format('%s %s %s to %s (baseline %s) from %s, %s%s',
   coalesce(x.svc_name, '?'), x.metric_name,
   CASE WHEN x.direction = 'down' THEN 'fell' ELSE 'rose' END,
   midwatch.pipeline_fmt_metric(x.metric_name, x.peak_value),
   midwatch.pipeline_fmt_metric(x.metric_name, x.baseline),
   to_char((x.onset_at) AT TIME ZONE 'UTC', 'HH24:MI'), x.order_text,
   CASE WHEN midwatch.signal_flapping(x.details)
    THEN ' (flapping)' ELSE '' END)
 END,
 greatest(0.05, least(1, x.quality_score)), x.onset_at,
 jsonb_build_object('signal_id', x.id, 'signal_type', x.signal_type,
  'service', x.svc_name, 'metric', x.metric_name, 'onset', x.onset_at,
  'peak_at', x.peak_at, 'ended_at', x.ended_at, 'baseline', x.baseline,
  'peak_value', x.peak_value, 'ratio', CASE WHEN x.baseline > 0
   THEN round((x.peak_value / x.baseline)::numeric, 3) END,
  'quality', x.quality_score, 'severity', x.severity,
  'direction', x.direction, 'onset_rank', x.onset_rank,
  'minutes_after_first', round(x.after_first::numeric, 1),
  'minutes_from_incident_onset',
   round((extract(epoch FROM x.onset_at - $4::timestamptz) / 60)::numeric, 1),
  'relation', x.relation, 'depth', x.depth,
  'flapping', midwatch.signal_flapping(x.details),
  'anchor', x.anchor, 'step_s', x.details -> 'step_s',
  'spike', x.details -> 'spike', 'short', x.details -> 'short')
  || CASE WHEN x.signal_type = 'conversion_drop' THEN jsonb_build_object(
   'revenue_at_risk', x.details -> 'revenue_at_risk',
   'lost_conversions', x.details -> 'lost_conversions') ELSE '{}' END
  || CASE WHEN x.signal_type = 'external_alert' THEN jsonb_build_object(
   'alertname', x.details ->> 'alertname') ELSE '{}' END
  || CASE WHEN x.signal_type = 'health_down' THEN x.details ELSE '{}' END
FROM x
ON CONFLICT (project_id, incident_id, dedupe_key) DO UPDATE SET
 run_id = EXCLUDED.run_id, kind = EXCLUDED.kind,
 source = EXCLUDED.source, ref = EXCLUDED.ref,
 service_id = EXCLUDED.service_id, summary = EXCLUDED.summary,
 confidence = EXCLUDED.confidence, observed_at = EXCLUDED.observed_at,
 metadata = EXCLUDED.metadata RETURNING kind
