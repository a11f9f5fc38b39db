-- pipeline/recommend_upsert - upserts one recommendation per (hypothesis,
-- template) of the run's open and triaged incidents; counts rows written (new
-- or changed).  The templates: per hypothesis type, one or more actions;
-- title_ref is used when the hypothesis names what it blames (%1$s: its ref,
-- %2$s: the suspected service, %3$s: the incident's service), title_noref
-- otherwise (%1$s: the suspected service, %2$s: the incident's service); a
-- database or dependency is named with the service that calls it.  A refresh
-- keeps the lifecycle stage's evidence that the action already happened
-- (details.already_done, stage_lifecycle.c).  The touched CTE is the same in
-- recommend_gate and recommend_count.
-- $1 project id
-- $2 run id
-- $3 window start (RFC 3339)
-- $4 window end (RFC 3339)
-- columns: written
WITH touched AS (
	SELECT i.id, i.project_id, i.service_id
	  FROM midwatch.incidents i
	 WHERE i.project_id = $1 AND i.status IN ('open', 'triaged')
	   AND i.id IN (SELECT midwatch.run_incidents($1, $2::bigint,
	       $3::timestamptz, $4::timestamptz))), tpl (hypothesis_type, template_key, type, title_ref, title_noref,
    impact) AS (VALUES
	('release', 'rollback_deploy', 'rollback',
	 'Roll back deploy %1$s of %2$s',
	 'Roll back the latest deploy of %1$s',
	 'Restores the previous release; symptoms the deploy introduced should clear within minutes.'),
	('config', 'revert_config', 'revert_config',
	 'Revert config change %1$s on %2$s',
	 'Revert the latest config change on %1$s',
	 'Restores the previous configuration without a deploy.'),
	('traffic', 'scale_out', 'scale_out',
	 'Scale out %2$s to absorb the traffic (%1$s)',
	 'Scale out %1$s to absorb the traffic',
	 'More capacity brings latency and errors back under load.'),
	('traffic', 'rate_limit', 'rate_limit',
	 'Rate-limit the traffic from %1$s into %2$s',
	 'Rate-limit the traffic surge into %1$s',
	 'Sheds excess load to protect the service for everyone else.'),
	('db', 'db_failover', 'failover',
	 'Fail over database %1$s used by %3$s',
	 'Fail over the database of %2$s',
	 'A healthy replica takes over if the primary is degraded.'),
	('db', 'investigate_db', 'investigate',
	 'Investigate database %1$s: slow queries, locks, connections',
	 'Investigate the database of %2$s: slow queries, locks, connections',
	 'Finds the query or lock behind the slowdown.'),
	('dependency', 'dependency_failover', 'failover',
	 'Fail over %1$s to a secondary provider for %3$s',
	 'Fail over the failing dependency of %2$s to a secondary provider',
	 'Routes around the failing dependency.'),
	('dependency', 'investigate_dependency', 'investigate',
	 'Investigate dependency %1$s of %3$s',
	 'Investigate the dependencies of %2$s',
	 'Confirms whether the dependency is the cause before failing over.'),
	('infra', 'restart_instances', 'restart',
	 'Restart the unhealthy instances of %2$s (%1$s)',
	 'Restart the unhealthy instances of %1$s',
	 'Replaces stuck or leaking instances.'),
	('infra', 'infra_scale_out', 'scale_out',
	 'Scale out %2$s away from %1$s',
	 'Scale out %1$s onto healthy capacity',
	 'Moves load off saturated nodes.'),
	('unknown', 'investigate', 'investigate',
	 'Investigate %2$s: %1$s',
	 'Investigate %1$s: no single cause stands out yet',
	 'Narrows the search; nothing points to one cause yet.')),
src AS (
	SELECT h.incident_id, h.id AS hypothesis_id, h.dedupe_key AS hkey,
	       h.rank, h.confidence, h.ref, h.hypothesis_type,
	       coalesce(hs.name, isv.name, 'the affected service') AS svc,
	       coalesce(isv.name, hs.name, 'the affected service') AS isvc,
	       t.template_key, t.type, t.title_ref, t.title_noref, t.impact
	  FROM touched i
	  JOIN midwatch.hypotheses h
	    ON h.project_id = i.project_id AND h.incident_id = i.id
	  JOIN tpl t ON t.hypothesis_type = h.hypothesis_type
	  LEFT JOIN midwatch.services hs
	    ON hs.project_id = h.project_id AND hs.id = h.service_id
	  LEFT JOIN midwatch.services isv
	    ON isv.project_id = i.project_id AND isv.id = i.service_id),
up AS (
	INSERT INTO midwatch.recommendations AS r (project_id, run_id,
	       incident_id, hypothesis_id, dedupe_key, template_key, type,
	       title, details, expected_impact)
	SELECT $1, $2::bigint, s.incident_id, s.hypothesis_id,
	       s.incident_id || ':' || s.template_key || ':' || s.hkey,
	       s.template_key, s.type,
	       CASE WHEN s.ref IS NOT NULL AND s.ref <> ''
	            THEN format(s.title_ref, s.ref, s.svc, s.isvc)
	            ELSE format(s.title_noref, s.svc, s.isvc) END,
	       jsonb_build_object('hypothesis_type', s.hypothesis_type,
	           'hypothesis_rank', s.rank, 'ref', s.ref, 'service', s.svc,
	           'incident_service', s.isvc,
	           'template', s.template_key),
	       s.impact
	  FROM src s
	ON CONFLICT (project_id, dedupe_key) DO UPDATE
	   SET run_id = EXCLUDED.run_id,
	       hypothesis_id = EXCLUDED.hypothesis_id,
	       template_key = EXCLUDED.template_key,
	       type = EXCLUDED.type,
	       title = EXCLUDED.title,
	       details = EXCLUDED.details || jsonb_strip_nulls(jsonb_build_object('already_done',
r.details -> 'already_done')),
	       expected_impact = EXCLUDED.expected_impact
	 WHERE (r.hypothesis_id, r.type, r.title, r.details, r.expected_impact)
	       IS DISTINCT FROM
	       (EXCLUDED.hypothesis_id, EXCLUDED.type, EXCLUDED.title,
	        EXCLUDED.details || jsonb_strip_nulls(jsonb_build_object('already_done',
r.details -> 'already_done')), EXCLUDED.expected_impact)
	RETURNING 1)
SELECT count(*) AS written FROM up
