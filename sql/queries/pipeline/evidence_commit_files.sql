-- pipeline/evidence_commit_files - the risky files of the commits of the
-- deploys of pipeline/evidence_deploys.
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
 ON c.project_id = $1 AND c.sha = ANY (dep.commits))
INSERT INTO midwatch.evidence_artifacts (project_id, run_id,
incident_id, dedupe_key, kind, source, ref, service_id, summary,
confidence, observed_at, metadata)
SELECT $1, $2, $3, 'commit_file:' || dep.ext_id || ':' || c.sha || ':'
 || f.path, 'commit_file', 'commit_files', c.sha || ':' || f.path,
 dep.service_id,
 format('%s in %s (deploy %s): %s, %s +%s -%s', f.change_type,
  left(c.sha, 12), dep.ext_id, left(c.message, 120), f.path,
  f.lines_added, f.lines_removed),
 0.7, c.authored_at,
 jsonb_build_object('deploy', dep.ext_id, 'sha', c.sha, 'repo', c.repo,
  'path', f.path, 'change_type', f.change_type, 'message',
  left(c.message, 300), 'lines_added', f.lines_added,
  'lines_removed', f.lines_removed, 'lead_minutes',
  round(dep.lead::numeric, 1))
FROM dep JOIN dc ON dc.deployment_id = dep.id
JOIN midwatch.commits c ON c.project_id = $1 AND c.id = dc.commit_id
JOIN midwatch.commit_files f ON f.project_id = $1 AND f.commit_id = c.id
WHERE f.change_type IN ('db_migration', 'dependency', 'config', 'timeout_retry',
'http_client', 'auth', 'shared_util')
ON CONFLICT (project_id, incident_id, dedupe_key) DO UPDATE SET
 run_id = EXCLUDED.run_id, kind = EXCLUDED.kind,
 source = EXCLUDED.source, ref = EXCLUDED.ref,
 service_id = EXCLUDED.service_id, summary = EXCLUDED.summary,
 confidence = EXCLUDED.confidence, observed_at = EXCLUDED.observed_at,
 metadata = EXCLUDED.metadata RETURNING kind
