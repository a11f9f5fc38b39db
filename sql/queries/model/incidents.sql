-- model/incidents - the snapshot's incidents.  The incidents are chosen
-- first, in the order shown (incidents_console_idx of
-- sql/025_console_snapshot.sql reads them in that order), and only those
-- joined with their service and latest decision: joining first looked up
-- the decision of every incident of the project before keeping
-- MODEL_MAX_INCIDENTS of them.
-- $1 project id
-- $2 mode: 'open', 'all', 'ids' (those of $3, published or not) or 'shown'
-- (those of $3 that are published)
-- $3 the wanted ids (bigint[] literal) for modes 'ids' and 'shown'
-- $4 the most incidents (MODEL_MAX_INCIDENTS)
-- $5 the default of console.recent_resolved (seconds)
-- columns: id, service, status, severity, trigger_type, title, window_start,
-- columns: window_end, created_at, decision, rationale, policy_version,
-- columns: confidence, impact_low, impact_high, impact_unit,
-- columns: root_cause_hypothesis_id, recently_resolved, resolution,
-- columns: resolved_by, recent, resolved_at, resolved_data_at
SELECT i.id, s.name AS service, i.status, i.severity, i.trigger_type, i.title,
       extract(epoch FROM i.window_start) AS window_start,
       extract(epoch FROM i.window_end) AS window_end,
       extract(epoch FROM i.created_at) AS created_at, d.decision, d.rationale,
       d.policy_version, i.confidence, i.impact_low, i.impact_high,
       i.impact_unit, i.root_cause_hypothesis_id,
       i.status = 'resolved' AND i.resolved_at >= now() - make_interval(
           secs => cfg.recent) AS recently_resolved,
       i.resolution, i.resolved_by, cfg.recent,
       CASE WHEN i.status = 'resolved'
            THEN extract(epoch FROM i.resolved_at) END AS resolved_at,
       extract(epoch FROM i.resolved_data_at) AS resolved_data_at
  FROM (SELECT i.*, CASE i.status WHEN 'open' THEN 0 WHEN 'triaged' THEN 1
                    WHEN 'resolved' THEN 2 ELSE 3 END AS o_status,
               midwatch.severity_rank(i.severity) AS o_severity
          FROM midwatch.incidents i
         WHERE i.project_id = $1 AND (i.published OR $2 = 'ids')
           AND CASE $2 WHEN 'ids' THEN i.id = ANY ($3::bigint[])
                       WHEN 'shown' THEN i.id = ANY ($3::bigint[])
                       WHEN 'all' THEN true
                       ELSE i.status IN ('open', 'triaged')
                            AND (SELECT x.decision
                                   FROM midwatch.incident_decisions x
                                  WHERE x.project_id = i.project_id
                                    AND x.incident_id = i.id
                                  ORDER BY x.decided_at DESC, x.id DESC
                                  LIMIT 1) = 'approved' END
         ORDER BY o_status, o_severity DESC NULLS LAST,
                  i.window_start DESC, i.id DESC
         LIMIT $4) i
  -- the project's setting once, not twice per incident
  CROSS JOIN (SELECT midwatch.project_setting($1::bigint,
           'console.recent_resolved', $5::float8) AS recent) cfg
  LEFT JOIN midwatch.services s
    ON s.project_id = i.project_id AND s.id = i.service_id
  LEFT JOIN LATERAL (
	SELECT x.decision, x.rationale, x.policy_version
	  FROM midwatch.incident_decisions x
	 WHERE x.project_id = i.project_id AND x.incident_id = i.id
	 ORDER BY x.decided_at DESC, x.id DESC LIMIT 1) d ON true
 ORDER BY i.o_status, i.o_severity DESC NULLS LAST, i.window_start DESC,
          i.id DESC
