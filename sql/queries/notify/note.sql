-- notify/note - the notification (net.h) of a group's leader message, as
-- JSON text: its alerts (the payloads of the group), the incident, its top
-- hypothesis (confirmed first, never a rejected one) and the evidence that
-- hypothesis cites.
-- $1 project id
-- $2 leader message id
-- columns: note
SELECT jsonb_build_object(
 'event', l.event, 'key', l.incident_key,
 'idempotency_key', l.idempotency_key, 'channel', l.channel,
 'project', (SELECT slug FROM midwatch.projects WHERE id = $1),
 'alerts', CASE WHEN l.event = 'trigger' THEN (SELECT coalesce(
	jsonb_agg(m.payload - 'channel' - 'run_window' ORDER BY m.id), '[]')
	FROM midwatch.outbound_messages m WHERE m.project_id = $1
	 AND (m.id = l.id OR m.group_leader_id = l.id)) ELSE '[]' END,
 'incident', (SELECT jsonb_build_object('id', i.id, 'title', i.title,
	'service', s.name, 'severity', i.severity, 'status', i.status,
	'trigger_type', i.trigger_type,
	'window_start', midwatch.rfc3339(i.window_start),
	'window_end', midwatch.rfc3339(i.window_end))
	FROM midwatch.incidents i LEFT JOIN midwatch.services s
	  ON s.project_id = i.project_id AND s.id = i.service_id
	WHERE i.project_id = $1 AND i.id = l.incident_id),
 'hypothesis', (SELECT jsonb_build_object('id', h.id, 'rank', h.rank,
	'type', h.hypothesis_type, 'title', h.title,
	'confidence', round(h.confidence::numeric, 2), 'status', h.status,
	'service', hs.name, 'ref', h.ref,
	'evidence', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	    'id', e.id, 'role', he.role,
	    'kind', coalesce(e.kind, he.expected_kind, 'unknown'),
	    'summary', coalesce(e.summary, he.note, 'expected ' ||
	        coalesce(he.expected_kind, 'evidence') ||
	        ': looked for, not found'))
	    ORDER BY CASE he.role WHEN 'supports' THEN 0
	             WHEN 'contradicts' THEN 1 ELSE 2 END,
	             he.weight DESC, e.id), '[]')
	  FROM midwatch.hypothesis_evidence he
	  LEFT JOIN midwatch.evidence_artifacts e
	    ON e.project_id = he.project_id AND e.id = he.evidence_id
	 WHERE he.project_id = $1 AND he.hypothesis_id = h.id))
	FROM midwatch.hypotheses h LEFT JOIN midwatch.services hs
	  ON hs.project_id = h.project_id AND hs.id = h.service_id
	WHERE h.project_id = $1 AND h.incident_id = l.incident_id
	  AND h.status <> 'rejected'
	ORDER BY h.status = 'confirmed' DESC, h.rank, h.id LIMIT 1))::text AS note
 FROM midwatch.outbound_messages l
WHERE l.project_id = $1 AND l.id = $2
