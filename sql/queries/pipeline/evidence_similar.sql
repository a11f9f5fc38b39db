-- pipeline/evidence_similar - past incidents with a confirmed root cause: same
-- service and trigger, or whose root cause was one of the affected services or
-- one of their dependencies (an external provider has no signals of its own) -
-- the ranking prior cites them.
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
make_interval(secs => $10::float8) AS chga), rel AS (SELECT sid, r FROM midwatch.incident_services($1, $3)),
inc AS (SELECT service_id, trigger_type FROM midwatch.incidents
 WHERE project_id = $1 AND id = $3),
o AS (SELECT o.*, pi.title, pi.trigger_type, pi.service_id AS inc_svc,
 rv.name AS root_name, (pi.service_id = inc.service_id
  AND pi.trigger_type = inc.trigger_type) AS same_trigger
 FROM midwatch.past_case_outcomes o CROSS JOIN inc
 LEFT JOIN midwatch.incidents pi ON pi.project_id = o.project_id
  AND pi.id = o.incident_id
 LEFT JOIN midwatch.services rv ON rv.project_id = o.project_id
  AND rv.id = o.root_cause_service_id
 WHERE o.project_id = $1 AND o.outcome = 'confirmed'
 AND o.incident_id IS DISTINCT FROM $3
 AND ((pi.service_id = inc.service_id AND pi.trigger_type = inc.trigger_type)
  OR o.root_cause_service_id IN (SELECT sid FROM rel WHERE r <= 1))
 ORDER BY o.recorded_at DESC, o.id DESC LIMIT 5)
INSERT INTO midwatch.evidence_artifacts (project_id, run_id,
incident_id, dedupe_key, kind, source, ref, service_id, summary,
confidence, observed_at, metadata)
SELECT $1, $2, $3, 'similar:' || o.id, 'similar_incident',
 'past_case_outcomes', coalesce('incident:' || o.incident_id,
  'outcome:' || o.id), o.root_cause_service_id,
 format('past incident %s%s: confirmed root cause %s on %s%s',
  coalesce('#' || o.incident_id, '(purged)'),
  coalesce(' (' || o.title || ')', ''), o.confirmed_hypothesis_type,
  coalesce(o.root_name, '?'), coalesce(' (' || o.ref || ')', '')),
 CASE WHEN o.same_trigger THEN 0.6 ELSE 0.4 END, o.recorded_at,
 jsonb_build_object('incident_id', o.incident_id, 'hypothesis_type',
  o.confirmed_hypothesis_type, 'root_cause_service', o.root_name,
  'root_cause_service_id', o.root_cause_service_id, 'ref', o.ref,
  'trigger_type', o.trigger_type, 'same_trigger',
  coalesce(o.same_trigger, false))
FROM o
ON CONFLICT (project_id, incident_id, dedupe_key) DO UPDATE SET
 run_id = EXCLUDED.run_id, kind = EXCLUDED.kind,
 source = EXCLUDED.source, ref = EXCLUDED.ref,
 service_id = EXCLUDED.service_id, summary = EXCLUDED.summary,
 confidence = EXCLUDED.confidence, observed_at = EXCLUDED.observed_at,
 metadata = EXCLUDED.metadata RETURNING kind
