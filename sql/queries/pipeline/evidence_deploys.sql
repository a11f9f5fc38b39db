-- pipeline/evidence_deploys - the deploys of the change window ($8) before
-- onset (up to $10 after it: onsets are known only to within a step) on the
-- affected services and the services related to them, with their commits
-- (ranges, or the shas the deploy listed): time to onset, risky file types,
-- docs-only.
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
dep AS (SELECT d.*, rel.r, v.name AS svc_name,
 extract(epoch FROM $4::timestamptz - d.started_at) / 60 AS lead
 FROM midwatch.deployment_events d JOIN rel ON rel.sid = d.service_id
 JOIN midwatch.services v ON v.project_id = d.project_id
  AND v.id = d.service_id
 WHERE d.project_id = $1
 AND d.started_at >= $4::timestamptz - make_interval(secs => $8::float8)
 AND d.started_at <= $4::timestamptz + make_interval(secs => $10::float8)),
dc AS (SELECT r.deployment_id, r.commit_id
 FROM midwatch.deployment_commit_ranges r JOIN dep ON dep.id = r.deployment_id
 WHERE r.project_id = $1
 UNION SELECT dep.id, c.id FROM dep JOIN midwatch.commits c
 ON c.project_id = $1 AND c.sha = ANY (dep.commits)),
files AS (SELECT dc.deployment_id, f.change_type, count(*) AS n
 FROM dc JOIN midwatch.commit_files f ON f.project_id = $1
  AND f.commit_id = dc.commit_id GROUP BY 1, 2),
agg AS (SELECT dep.*,
 (SELECT count(*) FROM dc WHERE dc.deployment_id = dep.id) AS ncommits,
 coalesce((SELECT jsonb_object_agg(change_type, n) FROM files
  WHERE files.deployment_id = dep.id), '{}') AS types,
 coalesce((SELECT jsonb_agg(change_type ORDER BY change_type) FROM files
  WHERE files.deployment_id = dep.id AND change_type IN ('db_migration', 'dependency', 'config', 'timeout_retry',
'http_client', 'auth', 'shared_util')
 ), '[]') AS risky,
 coalesce((SELECT count(*) > 0 AND bool_and(change_type IN ('docs', 'test'))
  FROM files WHERE files.deployment_id = dep.id), false) AS docs_only,
 EXISTS (SELECT 1 FROM aff WHERE aff.sid = dep.service_id) AS affected
 FROM dep)
INSERT INTO midwatch.evidence_artifacts (project_id, run_id,
incident_id, dedupe_key, kind, source, ref, service_id, summary,
confidence, observed_at, metadata)
SELECT $1, $2, $3, 'deployment:' || a.ext_id, 'deployment',
 'deployment_events', a.ext_id, a.service_id,
 format('deploy %s of %s (%s) %s: %s commit%s%s%s',
  a.ext_id, a.svc_name, (CASE a.r
WHEN 0 THEN 'affected' WHEN 1 THEN
'dependency' WHEN 2 THEN 'dependent' ELSE 'cluster' END), (CASE WHEN a.lead
> -0.5 THEN round(a.lead) || ' min before onset' ELSE round(-(a.lead)) || ' min after onset' END), a.ncommits,
  CASE WHEN a.ncommits = 1 THEN '' ELSE 's' END,
  CASE WHEN jsonb_array_length(a.risky) > 0 THEN ', risky: '
   || (SELECT string_agg(DISTINCT t, ', ') FROM
    jsonb_array_elements_text(a.risky) t)
   WHEN a.docs_only THEN ', docs/tests only' ELSE '' END,
  CASE WHEN a.is_rollback THEN ' (rollback)' ELSE '' END),
 round((CASE WHEN a.lead <= 15 THEN 0.9 WHEN a.lead <= 60 THEN 0.6
  ELSE 0.3 END * CASE WHEN a.affected THEN 1 ELSE 0.6 END
  * CASE WHEN a.docs_only THEN 0.5 ELSE 1 END)::numeric, 2),
 a.started_at,
 jsonb_build_object('deploy', a.ext_id, 'service', a.svc_name,
  'lead_minutes', round(a.lead::numeric, 1), 'relation', (CASE a.r
WHEN 0 THEN 'affected' WHEN 1 THEN
'dependency' WHEN 2 THEN 'dependent' ELSE 'cluster' END),
  'affected', a.affected, 'started_at', a.started_at,
  'finished_at', a.finished_at, 'is_rollback', a.is_rollback,
  'revision', a.revision, 'previous_revision', a.previous_revision,
  'commits', a.ncommits, 'change_types', a.types,
  'risky_types', a.risky, 'docs_only', a.docs_only)
FROM agg a
ON CONFLICT (project_id, incident_id, dedupe_key) DO UPDATE SET
 run_id = EXCLUDED.run_id, kind = EXCLUDED.kind,
 source = EXCLUDED.source, ref = EXCLUDED.ref,
 service_id = EXCLUDED.service_id, summary = EXCLUDED.summary,
 confidence = EXCLUDED.confidence, observed_at = EXCLUDED.observed_at,
 metadata = EXCLUDED.metadata RETURNING kind
