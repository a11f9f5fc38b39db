-- rules/missing_channel - the first channel a rule names that no channel
-- row has.
-- $1 project id
-- $2 channel names (JSON array text)
-- columns: channel
SELECT x AS channel FROM jsonb_array_elements_text($2::jsonb) x
WHERE NOT EXISTS (SELECT 1 FROM midwatch.channels c
  WHERE c.project_id = $1 AND c.name = x) LIMIT 1
