-- feedback/root_cause_first - the confirmed root cause ranks first at once
-- (the next run keeps it there); the others keep their order.
-- $1 project id
-- $2 hypothesis id
-- $3 incident id
-- columns: none
UPDATE midwatch.hypotheses h SET rank = n.r
FROM (SELECT id, row_number() OVER (ORDER BY id = $2 DESC,
 rank, id) AS r FROM midwatch.hypotheses
 WHERE project_id = $1 AND incident_id = $3) n
WHERE h.project_id = $1 AND h.id = n.id AND h.rank <> n.r
