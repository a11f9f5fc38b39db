-- notify/attempt_open - an attempt to deliver a message begins.
-- $1 project id
-- $2 message id
-- columns: id
INSERT INTO midwatch.outbound_attempts
(project_id, message_id) VALUES ($1, $2) RETURNING id
