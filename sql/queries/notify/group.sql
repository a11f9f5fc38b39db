-- notify/group - gathers the due, never-tried messages of the same channel,
-- incident key and event created within the group window of the leader,
-- with no message of another event between (order per incident is kept).
-- $1 project id
-- $2 leader message id
-- $3 group window, seconds
-- columns: id
WITH l AS (SELECT * FROM midwatch.outbound_messages
           WHERE project_id = $1 AND id = $2)
UPDATE midwatch.outbound_messages x
   SET group_leader_id = $2, status = 'sending'
 WHERE x.project_id = $1 AND x.id IN (
	SELECT f.id FROM midwatch.outbound_messages f, l
	 WHERE f.project_id = $1 AND f.id > l.id AND f.group_leader_id IS NULL
	   AND f.status = 'pending' AND f.attempts = 0 AND f.body IS NULL
	   AND f.channel = l.channel AND f.incident_key = l.incident_key
	   AND f.event = l.event AND f.next_attempt_at <= now()
	   AND f.created_at <= l.created_at + make_interval(secs => $3::integer)
	   AND NOT EXISTS (SELECT 1 FROM midwatch.outbound_messages o
	        WHERE o.project_id = $1 AND o.channel = l.channel
	          AND o.incident_key = l.incident_key AND o.event <> l.event
	          AND o.id > l.id AND o.id < f.id
	          AND o.status IN ('pending', 'sending', 'failed'))
	 FOR UPDATE OF f SKIP LOCKED)
RETURNING x.id
