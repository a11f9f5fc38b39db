-- pipeline/lifecycle_recommendations - marks done the rollback and revert
-- recommendations that a later deploy or config change already carried out
-- (with a system feedback event each); the counts (under the run summary's
-- key).
-- $1 project id
-- $2 run id
-- $3 window end
-- columns: recommendations_done events
WITH rec AS (
SELECT r.id, r.incident_id, r.type, r.details ->> 'ref' AS ref
  FROM midwatch.recommendations r
 WHERE r.project_id = $1 AND r.status IN ('new', 'acknowledged')
   AND r.type IN ('rollback', 'revert_config')
   AND coalesce(r.details ->> 'ref', '') <> ''),
dep AS (
SELECT r.id, r.incident_id,
       'deploy ' || x.ext_id || ' of ' || sv.name || ' at '
       || midwatch.rfc3339_min(x.started_at) || CASE WHEN x.is_rollback
            THEN ' rolled back deploy ' || d.ext_id
            ELSE ' redeployed ' || x.revision || ', the revision before deploy ' || d.ext_id END AS reason,
       jsonb_build_object('kind', 'deploy', 'id', x.ext_id,
           'at', x.started_at, 'revision', x.revision,
           'is_rollback', x.is_rollback) AS evidence
  FROM rec r
  JOIN midwatch.deployment_events d
    ON d.project_id = $1 AND d.ext_id = r.ref
  JOIN midwatch.services sv
    ON sv.project_id = $1 AND sv.id = d.service_id
  JOIN LATERAL (
	SELECT n.* FROM midwatch.deployment_events n
	 WHERE n.project_id = $1 AND n.service_id = d.service_id
	   AND (n.started_at, n.id) > (d.started_at, d.id)
	   AND n.started_at <= $3::timestamptz
	 ORDER BY n.started_at, n.id LIMIT 1) x ON true
 WHERE r.type = 'rollback'
   AND (x.is_rollback OR x.revision = d.previous_revision)),
cfg AS (
SELECT r.id, r.incident_id,
       'config change ' || x.ext_id || ' at ' || midwatch.rfc3339_min(x.detected_at)
       || ' set ' || c.resource_name || ' back as it was before '
       || c.ext_id AS reason,
       jsonb_build_object('kind', 'config_change', 'id', x.ext_id,
           'at', x.detected_at) AS evidence
  FROM rec r
  JOIN midwatch.config_change_events c
    ON c.project_id = $1 AND c.ext_id = r.ref
  JOIN LATERAL (
	SELECT n.* FROM midwatch.config_change_events n
	 WHERE n.project_id = $1
	   AND n.service_id IS NOT DISTINCT FROM c.service_id
	   AND n.resource_name = c.resource_name
	   AND (n.detected_at, n.id) > (c.detected_at, c.id)
	   AND n.detected_at <= $3::timestamptz
	   AND NOT EXISTS (SELECT 1
	        FROM jsonb_array_elements(c.diff) e
	       WHERE e ->> 'old_value' IS NOT DISTINCT FROM '[redacted]'
	          OR NOT n.diff @> jsonb_build_array(jsonb_build_object(
	             'field', e -> 'field',
	             'new_value', coalesce(e -> 'old_value', 'null'))))
	 ORDER BY n.detected_at, n.id LIMIT 1) x ON true
 WHERE r.type = 'revert_config' AND jsonb_array_length(c.diff) > 0),
hit AS (SELECT * FROM dep UNION ALL SELECT * FROM cfg),
upd AS (
UPDATE midwatch.recommendations r SET status = 'done',
       status_source = 'pipeline', status_changed_at = now(),
       status_changed_by = 'midwatch',
       details = r.details || jsonb_build_object('already_done',
           jsonb_build_object('reason', h.reason, 'evidence', h.evidence,
               'run_id', $2::bigint))
  FROM hit h WHERE r.project_id = $1 AND r.id = h.id
RETURNING r.id, h.incident_id, h.reason, h.evidence),
ev AS (
INSERT INTO midwatch.feedback_events (project_id, actor_type, actor_id,
       event_type, target_kind, target_id, incident_id, payload,
       idempotency_key)
SELECT $1, 'system', 'midwatch', 'recommendation_done',
       'recommendation', u.id, u.incident_id,
       jsonb_build_object('reason', 'already done: ' || u.reason,
           'evidence', u.evidence, 'run_id', $2::bigint,
           'automatic', true),
       'system:recommendation_done:' || u.id || ':' || $2
  FROM upd u ON CONFLICT DO NOTHING RETURNING 1)
SELECT (SELECT count(*) FROM upd) AS recommendations_done,
 (SELECT count(*) FROM ev) AS events
