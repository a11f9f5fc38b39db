-- pipeline/evidence_configs - config changes of the change window before onset
-- on related services or the whole cluster; a diff is benign when it only
-- touches logging or scales up, risky when it touches timeouts, retries,
-- pools, limits, endpoints, credentials.
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
make_interval(secs => $10::float8) AS chga), aff AS (SELECT s.service_id AS sid, min(s.onset_at) AS onset
 FROM midwatch.signals s WHERE s.project_id = $1
 AND s.incident_id = $3 AND s.service_id IS NOT NULL GROUP BY 1),
rel AS (SELECT sid, r FROM midwatch.incident_services($1, $3)),
cfg AS (SELECT c.*, coalesce(rel.r, 3) AS r, v.name AS svc_name,
 extract(epoch FROM $4::timestamptz - c.detected_at) / 60 AS lead,
 EXISTS (SELECT 1 FROM aff WHERE aff.sid = c.service_id) AS affected,
 (SELECT string_agg(format('%s %s -> %s', x ->> 'field',
   coalesce(x ->> 'old_value', '?'), coalesce(x ->> 'new_value', '?')), ', ')
  FROM jsonb_array_elements(c.diff) x) AS diff_text,
 coalesce((SELECT bool_and((x ->> 'field') ~* 'log'
   OR ((x ->> 'field') ~* 'replicas'
    AND (x ->> 'old_value') ~ '^[0-9]+(\.[0-9]+)?$'
    AND (x ->> 'new_value') ~ '^[0-9]+(\.[0-9]+)?$'
    AND (x ->> 'new_value')::numeric >= (x ->> 'old_value')::numeric))
  FROM jsonb_array_elements(c.diff) x), false) AS benign,
 coalesce((SELECT bool_or((x ->> 'field') ~*
   '(timeout|retr|backoff|pool|conn|limit|url|host|endpoint|port|dns|tls|cert|auth|token|password|secret|flag|rate|deadline)')
  FROM jsonb_array_elements(c.diff) x), false) AS risky_field
 FROM midwatch.config_change_events c
 LEFT JOIN rel ON rel.sid = c.service_id
 LEFT JOIN midwatch.services v ON v.project_id = c.project_id
  AND v.id = c.service_id
 WHERE c.project_id = $1 AND (rel.sid IS NOT NULL OR c.service_id IS NULL)
 AND c.detected_at >= $4::timestamptz - make_interval(secs => $8::float8)
 AND c.detected_at <= $4::timestamptz + make_interval(secs => $10::float8))
INSERT INTO midwatch.evidence_artifacts (project_id, run_id,
incident_id, dedupe_key, kind, source, ref, service_id, summary,
confidence, observed_at, metadata)
SELECT $1, $2, $3, 'config_change:' || c.ext_id, 'config_change',
 'config_change_events', c.ext_id, c.service_id,
 format('config change %s on %s (%s) %s: %s %s%s',
  c.ext_id, coalesce(c.svc_name, 'the cluster'), (CASE c.r
WHEN 0 THEN 'affected' WHEN 1 THEN
'dependency' WHEN 2 THEN 'dependent' ELSE 'cluster' END),
  (CASE WHEN c.lead
> -0.5 THEN round(c.lead) || ' min before onset' ELSE round(-(c.lead)) || ' min after onset' END), c.resource_name, coalesce(c.diff_text, c.change_kind),
  CASE WHEN c.benign THEN ' (benign)' WHEN c.risky_field THEN ' (risky)'
   ELSE '' END),
 round((CASE WHEN c.lead <= 15 THEN 0.9 WHEN c.lead <= 60 THEN 0.6
  ELSE 0.3 END * CASE WHEN c.affected THEN 1 ELSE 0.6 END
  * CASE WHEN c.benign THEN 0.5 ELSE 1 END)::numeric, 2),
 c.detected_at,
 jsonb_build_object('change', c.ext_id, 'service', c.svc_name,
  'lead_minutes', round(c.lead::numeric, 1), 'relation', (CASE c.r
WHEN 0 THEN 'affected' WHEN 1 THEN
'dependency' WHEN 2 THEN 'dependent' ELSE 'cluster' END),
  'affected', c.affected, 'change_kind', c.change_kind,
  'resource', c.resource_name, 'source', c.source, 'diff', c.diff,
  'benign', c.benign, 'risky', c.risky_field AND NOT c.benign)
FROM cfg c
ON CONFLICT (project_id, incident_id, dedupe_key) DO UPDATE SET
 run_id = EXCLUDED.run_id, kind = EXCLUDED.kind,
 source = EXCLUDED.source, ref = EXCLUDED.ref,
 service_id = EXCLUDED.service_id, summary = EXCLUDED.summary,
 confidence = EXCLUDED.confidence, observed_at = EXCLUDED.observed_at,
 metadata = EXCLUDED.metadata RETURNING kind
