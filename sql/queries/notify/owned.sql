-- notify/owned - whether the message is still ours: a lapsed lease lets
-- another deliverer take it.
-- $1 project id
-- $2 message id
-- $3 the attempt number we claimed
-- columns: owned
SELECT status = 'sending' AND attempts = $3::integer AS owned
 FROM midwatch.outbound_messages
WHERE project_id = $1 AND id = $2 FOR UPDATE
