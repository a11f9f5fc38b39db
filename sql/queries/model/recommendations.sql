-- model/recommendations - the incidents' recommendations, an incident's
-- consecutive: the publishable first, then by their hypothesis's rank.
-- $1 project id
-- $2 the incidents' ids (bigint[] literal)
-- $3 with the unpublishable ones too (boolean)
-- $4 published: the completed runs' rows only (boolean)
-- columns: incident_id, id, hypothesis_id, type, title, status, gate_reason,
-- columns: publishable, acked_by, acked_at, evidence_count, gate_status,
-- columns: expected_impact, template_key, already_done, rationale
SELECT r.incident_id, r.id, r.hypothesis_id, r.type, r.title, r.status,
       r.gate_reason, r.publishable, r.acknowledged_by AS acked_by,
       extract(epoch FROM r.acknowledged_at) AS acked_at, r.evidence_count,
       r.gate_status, r.expected_impact, r.template_key,
       r.details -> 'already_done' ->> 'reason' AS already_done,
       coalesce(r.details ->> 'rationale', CASE WHEN h.id IS NOT NULL
        THEN format('for hypothesis #%s, ranked %s (%s, confidence %s): %s; %s supporting evidence', h.id, h.rank, h.hypothesis_type,
        to_char(h.confidence, 'FM0.00'), h.title, r.evidence_count) END)
           AS rationale
  FROM midwatch.recommendations r
  LEFT JOIN midwatch.hypotheses h
    ON h.project_id = r.project_id AND h.id = r.hypothesis_id
 WHERE r.project_id = $1 AND r.incident_id = ANY ($2::bigint[])
   AND (r.publishable OR $3::boolean)
   AND (r.published OR NOT $4::boolean)
 ORDER BY r.incident_id, r.publishable DESC, h.rank NULLS LAST, r.id
