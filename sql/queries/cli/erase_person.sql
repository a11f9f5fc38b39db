-- cli/erase_person - erases a person (midwatch.erase_person): the pseudonym
-- their rows now name, how many rows, and how many per table ("table n,
-- ...").
-- $1 the person's name
-- $2 project id
-- $3 actor
-- columns: pseudonym, total, tables
SELECT e ->> 'pseudonym' AS pseudonym, e ->> 'total' AS total,
       (SELECT coalesce(string_agg(k || ' ' || v, ', ' ORDER BY k), '')
          FROM jsonb_each_text(e -> 'rows') AS t (k, v)) AS tables
  FROM midwatch.erase_person($1, $2, $3) AS e
