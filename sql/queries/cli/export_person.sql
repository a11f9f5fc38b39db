-- cli/export_person - what midwatch holds about a person, as indented JSON
-- (midwatch.export_person), audited unless read-only.
-- $1 the person's name
-- $2 project id
-- $3 actor
-- $4 audit it (true, false)
-- columns: export
SELECT jsonb_pretty(midwatch.export_person($1, $2, $3, $4)) AS export
