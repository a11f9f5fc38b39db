-- pipeline/gate_reopen_why - why a candidate reopens the resolved incident of
-- key (no row: it does not).  An incident resolved, in data time, at the
-- pipeline's resolution (sql/016_lifecycle.sql), else at the end of its
-- trouble.
-- $1 project id
-- $2 incident key
-- $3 the newest anchoring onset (epoch seconds)
-- $4 signal type
-- $5 service name (NULL: none)
-- $6 reopen window (seconds, incident.reopen_window default)
-- columns: why
SELECT $4::text || coalesce(' on ' || $5::text, '') || ' at '
 || midwatch.rfc3339_min(to_timestamp($3::float8)) || ', '
 || round(extract(epoch FROM to_timestamp($3::float8) -
coalesce(i.resolved_data_at, i.window_end)) / 60) || ' min after it resolved (reopen window '
 || round(w.secs / 60) || ' min)' AS why
FROM midwatch.incidents i, (SELECT midwatch.project_setting($1,
 'incident.reopen_window', $6::float8) AS secs) w
WHERE i.project_id = $1 AND i.dedupe_key = $2
AND i.status = 'resolved'
AND to_timestamp($3::float8) > i.window_end
AND to_timestamp($3::float8) <= coalesce(i.resolved_data_at, i.window_end)
 + make_interval(secs => w.secs)
