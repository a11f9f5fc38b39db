-- pipeline/gate_existing_key - the keys of the incidents a gate candidate may
-- continue, best first: the incident its signals were attached to, an open
-- incident of its main service that overlaps it, a resolved one of its anchor
-- service whose reopen window holds its onset (recurs).
-- $1 project id
-- $2 the candidate's signal ids (bigint[])
-- $3 its main service id
-- $4 onset (epoch seconds)
-- $5 end (epoch seconds)
-- $6 slack (seconds, gate.slack)
-- $7 anchor service id
-- $8 reopen window (seconds, incident.reopen_window default)
-- columns: dedupe_key recurs
(SELECT i.dedupe_key, false AS recurs FROM midwatch.signals s
JOIN midwatch.incidents i ON i.project_id = s.project_id
 AND i.id = s.incident_id
WHERE s.project_id = $1 AND s.id = ANY ($2::bigint[])
GROUP BY i.id, i.dedupe_key ORDER BY count(*) DESC, i.id)
UNION ALL
(SELECT i.dedupe_key, false FROM midwatch.incidents i
WHERE i.project_id = $1 AND i.service_id = $3::bigint
-- open at the onset: open or triaged, or resolved by the pipeline after it
-- (a window recomputed after the resolution, or a late run, sees the
-- incident as it was then)
 AND (i.status IN ('open', 'triaged') OR (i.status = 'resolved' AND i.resolved_data_at > to_timestamp($4::float8)))
 AND i.window_start <= to_timestamp($5::float8)
  + make_interval(secs => $6::float8)
 AND i.window_end >= to_timestamp($4::float8)
  - make_interval(secs => $6::float8)
ORDER BY i.window_start, i.id)
UNION ALL
(SELECT i.dedupe_key, true FROM midwatch.incidents i
WHERE i.project_id = $1 AND i.status = 'resolved'
 AND (i.service_id = $7::bigint OR EXISTS (SELECT 1
  FROM midwatch.signals s WHERE s.project_id = $1
  AND s.incident_id = i.id AND s.service_id = $7::bigint))
 AND midwatch.incident_approved(i.project_id, i.id)
 AND i.window_end <= to_timestamp($4::float8)
-- when it resolved, in data time: the pipeline's resolution
-- (sql/016_lifecycle.sql), else the end of its trouble
 AND to_timestamp($4::float8) <= coalesce(i.resolved_data_at, i.window_end)
  + make_interval(secs => midwatch.project_setting($1,
   'incident.reopen_window', $8::float8))
ORDER BY coalesce(i.resolved_data_at, i.window_end) DESC, i.id DESC)
