-- feedback/case_unconfirm - the case outcome of an incident whose root cause
-- was withdrawn goes back to unconfirmed, saying who withdrew which.
-- $1 project id
-- $2 hypothesis id
-- $3 incident id
-- $4 actor id
-- columns: none
UPDATE midwatch.past_case_outcomes SET outcome = 'unconfirmed',
confirmed_hypothesis_id = NULL, confirmed_hypothesis_type = NULL,
root_cause_service_id = NULL, ref = NULL, recorded_at = now(),
details = details || jsonb_build_object('withdrawn_by', $4::text,
    'withdrawn_hypothesis_id', $2::bigint)
WHERE project_id = $1 AND incident_id = $3
  AND confirmed_hypothesis_id = $2
