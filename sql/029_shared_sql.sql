-- 029_shared_sql.sql - what several statements of sql/queries/ asked the
-- same way, written once (issue 14, "Queries have a home"; they were C
-- macros while the statements were C strings):
--  * incident_services: the services an incident's evidence looks at - the
--    services of its signals (r 0), the services they call (r 1) and the
--    services that call them (r 2), each once at its nearest r;
--  * in_maintenance: whether a service was in a maintenance window at a
--    time (an alert rule's candidate then is not one).
-- Plain SQL and STABLE: the planner inlines incident_services into the
-- statement that reads it.

CREATE OR REPLACE FUNCTION midwatch.incident_services(p_project bigint,
    p_incident bigint)
RETURNS TABLE (sid bigint, r integer)
LANGUAGE sql STABLE AS $$
	WITH aff AS (SELECT s.service_id AS sid
	  FROM midwatch.signals s WHERE s.project_id = p_project
	   AND s.incident_id = p_incident AND s.service_id IS NOT NULL
	 GROUP BY 1)
	SELECT sid, min(r) AS r FROM (
	  SELECT sid, 0 AS r FROM aff
	  UNION ALL SELECT d.to_service_id, 1
	    FROM midwatch.service_dependencies d JOIN aff ON d.from_service_id = aff.sid
	   WHERE d.project_id = p_project AND d.to_service_id IS NOT NULL
	  UNION ALL SELECT d.from_service_id, 2
	    FROM midwatch.service_dependencies d JOIN aff ON d.to_service_id = aff.sid
	   WHERE d.project_id = p_project) x
	 GROUP BY sid;
$$;

CREATE OR REPLACE FUNCTION midwatch.in_maintenance(p_project bigint,
    p_service bigint, p_at timestamptz)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM midwatch.maintenance_windows mw
	  WHERE mw.project_id = p_project AND mw.service_id = p_service
	    AND p_at BETWEEN mw.starts_at AND mw.ends_at);
$$;

COMMENT ON FUNCTION midwatch.incident_services(bigint, bigint) IS
	'The services an incident''s evidence looks at: its signals'' (r 0), their callees (1), their callers (2).';
COMMENT ON FUNCTION midwatch.in_maintenance(bigint, bigint, timestamptz) IS
	'Whether a service was in a maintenance window at a time.';
