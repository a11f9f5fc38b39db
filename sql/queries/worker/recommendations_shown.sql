-- worker/recommendations_shown - records that the console showed the
-- recommendations $2 (midwatch.mark_recommendations_shown).
-- $1 project id
-- $2 the recommendations' ids (bigint[] literal)
-- columns: marked
SELECT midwatch.mark_recommendations_shown($1, $2::bigint[]) AS marked
