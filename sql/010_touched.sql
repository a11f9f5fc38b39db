-- 010_touched.sql - "the incidents this run touched" and "approved", each
-- defined once (issue 8): the stages that work per incident (evidence,
-- hypothesize, recommend, alert, report) select their incidents through
-- midwatch.run_incidents() and only add the statuses they act on.
--
-- An incident is touched by a run when it is approved (its latest gate
-- decision) and the run wrote it (run_id: the gate upserted it, or an
-- investigation opened it), its window overlaps the run's window, or the
-- run ranked its hypotheses.
--
-- Idempotent; runs in the migration runner's transaction.

CREATE OR REPLACE FUNCTION midwatch.incident_approved(p_project_id bigint,
    p_incident_id bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(midwatch.incident_decision(p_project_id, p_incident_id)
	    = 'approved', false);
$$;
COMMENT ON FUNCTION midwatch.incident_approved(bigint, bigint) IS
	'Whether the latest gate decision on the incident approved it.';

CREATE OR REPLACE FUNCTION midwatch.run_incidents(p_project_id bigint,
    p_run_id bigint, p_start timestamptz, p_end timestamptz)
RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
	SELECT i.id
	  FROM midwatch.incidents i
	 WHERE i.project_id = p_project_id
	   AND midwatch.incident_approved(i.project_id, i.id)
	   AND (i.run_id = p_run_id
	        OR (i.window_start <= p_end AND i.window_end >= p_start)
	        OR EXISTS (SELECT 1 FROM midwatch.hypotheses h
	                    WHERE h.project_id = i.project_id
	                      AND h.incident_id = i.id
	                      AND h.run_id = p_run_id));
$$;
COMMENT ON FUNCTION midwatch.run_incidents(bigint, bigint, timestamptz,
    timestamptz) IS
	'The approved incidents a pipeline run touched: written by it, '
	'overlapping its window, or ranked by it (issue 8: defined once).';
