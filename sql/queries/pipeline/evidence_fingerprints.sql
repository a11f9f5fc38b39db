-- pipeline/evidence_fingerprints - error fingerprints of the affected
-- services, seen 3 or more times from the fingerprint window ($9) before onset
-- to the window's end: new ones (first seen from then, with an hour of history
-- behind them), and recurring ones seen before that now burst (at least 5
-- times what their rate over the previous 24 h predicts) - the same outage
-- coming back logs the same errors, which are not new but still name what is
-- failing.  Only new ones carry the changes that preceded them (a release is
-- blamed for new errors, not for old ones coming back).
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
hist AS (SELECT min(ts) AS t0 FROM midwatch.error_events
 WHERE project_id = $1),
fp AS (SELECT e.service_id, e.fingerprint, count(*) AS n,
 min(e.ts) AS w_first,
 (array_agg(e.message ORDER BY e.ts))[1] AS msg,
 (array_agg(e.error_type ORDER BY e.ts))[1] AS error_type
 FROM midwatch.error_events e JOIN aff ON aff.sid = e.service_id
 WHERE e.project_id = $1
 AND e.ts >= ($4::timestamptz - make_interval(secs => $9::float8))
AND e.ts <= $5
 GROUP BY 1, 2 HAVING count(*) >= 3),
f2 AS (SELECT fp.*, (SELECT min(x.ts) FROM midwatch.error_events x
  WHERE x.project_id = $1 AND x.service_id = fp.service_id
  AND x.fingerprint = fp.fingerprint) AS first_seen,
 (SELECT count(*) FROM midwatch.error_events x
  WHERE x.project_id = $1 AND x.service_id = fp.service_id
  AND x.fingerprint = fp.fingerprint
  AND x.ts >= ($4::timestamptz - make_interval(secs => $9::float8))
- interval '24 hours'
  AND x.ts < ($4::timestamptz - make_interval(secs => $9::float8))) AS before_n FROM fp),
fresh AS (SELECT f2.*, f2.first_seen >= hist.t0 + interval '1 hour'
  AND f2.first_seen >= ($4::timestamptz - make_interval(secs => $9::float8))
AS is_new FROM f2, hist),
fsel AS (SELECT * FROM fresh WHERE is_new
 OR (first_seen < ($4::timestamptz - make_interval(secs => $9::float8))
  AND n >= 5 * before_n * extract(epoch FROM $5 - ($4::timestamptz - make_interval(secs => $9::float8))) / 86400)),
ment AS (SELECT f.service_id, f.fingerprint,
 jsonb_agg(DISTINCT d.to_name) AS names FROM fsel f
 JOIN midwatch.service_dependencies d ON d.project_id = $1
  AND d.from_service_id = f.service_id
  AND strpos(lower(f.msg), lower(d.to_name)) > 0 GROUP BY 1, 2),
chg AS (SELECT f.service_id, f.fingerprint, jsonb_agg(jsonb_build_object(
  'kind', k.kind, 'ref', k.ref, 'minutes',
  round((extract(epoch FROM f.first_seen - k.t) / 60)::numeric, 1))
  ORDER BY k.t DESC, k.ref) AS changes FROM fsel f
 JOIN (SELECT 'deployment' AS kind, ext_id AS ref, service_id,
   started_at AS t FROM midwatch.deployment_events WHERE project_id = $1
  UNION ALL SELECT 'config_change', ext_id, service_id, detected_at
   FROM midwatch.config_change_events WHERE project_id = $1) k
  ON k.service_id = f.service_id AND k.t <= f.first_seen
  AND k.t >= f.first_seen - make_interval(secs => $8::float8)
 WHERE f.is_new GROUP BY 1, 2)
INSERT INTO midwatch.evidence_artifacts (project_id, run_id,
incident_id, dedupe_key, kind, source, ref, service_id, summary,
confidence, observed_at, metadata)
SELECT $1, $2, $3, 'fingerprint:' || f.service_id || ':' || f.fingerprint,
 'error_fingerprint', 'error_events', f.fingerprint, f.service_id,
 CASE WHEN f.is_new THEN format('new error on %s since %s (%s times%s): %s',
  v.name, to_char((f.first_seen) AT TIME ZONE 'UTC', 'HH24:MI'), f.n,
  CASE WHEN m.names IS NOT NULL THEN ', names ' || (SELECT
   string_agg(t, ', ') FROM jsonb_array_elements_text(m.names) t)
   ELSE '' END, left(f.msg, 160))
 ELSE format('recurring error on %s bursting since %s (%s times, %s in the 24 h before%s; first seen %s): %s', v.name, to_char((f.w_first) AT TIME ZONE 'UTC', 'HH24:MI'),
  f.n, f.before_n,
  CASE WHEN m.names IS NOT NULL THEN ', names ' || (SELECT
   string_agg(t, ', ') FROM jsonb_array_elements_text(m.names) t)
   ELSE '' END, to_char(f.first_seen AT TIME ZONE 'UTC',
   'YYYY-MM-DD HH24:MI'), left(f.msg, 160)) END,
 round(CASE WHEN f.is_new THEN least(0.9, 0.4 + 0.02 * f.n)
  ELSE least(0.7, 0.3 + 0.02 * f.n) END::numeric, 2),
 CASE WHEN f.is_new THEN f.first_seen ELSE f.w_first END,
 jsonb_build_object('fingerprint', f.fingerprint, 'service', v.name,
  'message', left(f.msg, 300), 'error_type', f.error_type, 'count', f.n,
  'first_seen', f.first_seen, 'minutes_after_onset',
  round((extract(epoch FROM f.first_seen - $4::timestamptz) / 60)::numeric, 1),
  'mentions', coalesce(m.names, '[]'),
  'after_changes', coalesce(c.changes, '[]'))
 || CASE WHEN f.is_new THEN '{}'::jsonb ELSE jsonb_build_object(
  'recurring', true, 'burst_start', f.w_first,
  'count_before_24h', f.before_n) END
FROM fsel f JOIN midwatch.services v ON v.project_id = $1
 AND v.id = f.service_id
LEFT JOIN ment m USING (service_id, fingerprint)
LEFT JOIN chg c USING (service_id, fingerprint)
ON CONFLICT (project_id, incident_id, dedupe_key) DO UPDATE SET
 run_id = EXCLUDED.run_id, kind = EXCLUDED.kind,
 source = EXCLUDED.source, ref = EXCLUDED.ref,
 service_id = EXCLUDED.service_id, summary = EXCLUDED.summary,
 confidence = EXCLUDED.confidence, observed_at = EXCLUDED.observed_at,
 metadata = EXCLUDED.metadata RETURNING kind
