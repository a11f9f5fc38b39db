-- model/hypotheses - the incidents' hypotheses with their cited evidence:
-- one row per (hypothesis, cited evidence), or one row with NULL role for
-- a hypothesis citing nothing; ordered so a hypothesis's rows are
-- consecutive and an incident's hypotheses are consecutive by rank.
-- Evidence: supports, then contradicts, then missing, heaviest first.
-- $1 project id
-- $2 the incidents' ids (bigint[] literal)
-- $3 published: the completed runs' rows only (boolean)
-- columns: incident_id, id, rank, type, service, title, ref, status,
-- columns: confidence, score_details, role, evidence_id, kind, summary,
-- columns: source, evidence_ref, weight, evidence_confidence, observed_at,
-- columns: status_by
SELECT h.incident_id, h.id, h.rank, h.hypothesis_type AS type,
       s.name AS service, h.title, h.ref, h.status, h.confidence,
       h.score_details::text AS score_details,
       he.role, e.id AS evidence_id,
       coalesce(e.kind, he.expected_kind, 'unknown') AS kind,
       coalesce(e.summary, he.note, 'expected ' ||
                coalesce(he.expected_kind, 'evidence') ||
                ': looked for, not found') AS summary,
       e.source, e.ref AS evidence_ref, he.weight,
       e.confidence AS evidence_confidence,
       extract(epoch FROM e.observed_at) AS observed_at,
       CASE WHEN h.status_source = 'feedback'
            THEN h.status_changed_by END AS status_by
  FROM midwatch.hypotheses h
  LEFT JOIN midwatch.services s
    ON s.project_id = h.project_id AND s.id = h.service_id
  LEFT JOIN midwatch.hypothesis_evidence he
    ON he.project_id = h.project_id AND he.hypothesis_id = h.id
   AND (NOT $3::boolean OR he.evidence_id IS NULL
        OR EXISTS (SELECT 1 FROM midwatch.evidence_artifacts x
                    WHERE x.project_id = he.project_id
                      AND x.id = he.evidence_id AND x.published))
  LEFT JOIN midwatch.evidence_artifacts e
    ON e.project_id = he.project_id AND e.id = he.evidence_id
 WHERE h.project_id = $1 AND h.incident_id = ANY ($2::bigint[])
   AND (h.published OR NOT $3::boolean)
 ORDER BY h.incident_id, h.rank, h.id,
          CASE he.role WHEN 'supports' THEN 0 WHEN 'contradicts' THEN 1
               ELSE 2 END, he.weight DESC, e.id, he.id
