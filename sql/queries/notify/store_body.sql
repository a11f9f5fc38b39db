-- notify/store_body - stores the body to send and returns it as stored, so
-- a retry sends the very same document as the first attempt.
-- $1 project id
-- $2 message id
-- $3 body (JSON text)
-- columns: body
UPDATE midwatch.outbound_messages SET body = $3::jsonb
WHERE project_id = $1 AND id = $2 RETURNING body::text AS body
