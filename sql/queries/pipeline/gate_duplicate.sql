-- pipeline/gate_duplicate - the open incident of a service that a gate
-- candidate duplicates.
-- $1 project id
-- $2 the candidate's key (its own incident is not a duplicate)
-- $3 service id
-- $4 onset (epoch seconds)
-- $5 how long before the onset the incident may have ended (seconds, gate.duplicate)
-- columns: id title
SELECT i.id, i.title FROM midwatch.incidents i
WHERE i.project_id = $1 AND i.dedupe_key <> $2
-- open at the onset: open or triaged, or resolved by the pipeline after it
-- (a window recomputed after the resolution, or a late run, sees the
-- incident as it was then)
AND (i.status IN ('open', 'triaged') OR (i.status = 'resolved' AND i.resolved_data_at > to_timestamp($4::float8)))
AND (i.service_id = $3::bigint OR EXISTS (SELECT 1
 FROM midwatch.signals s WHERE s.project_id = $1
 AND s.incident_id = i.id AND s.service_id = $3::bigint))
AND i.window_start < to_timestamp($4::float8)
AND i.window_end >= to_timestamp($4::float8)
 - make_interval(secs => $5::float8)
ORDER BY i.window_start, i.id LIMIT 1
