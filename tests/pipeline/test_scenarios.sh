#!/bin/sh
# test_scenarios.sh - the pipeline's quality bar on the demo scenario, for
# several generator seeds: every injected fault the ground truth expects to
# open an incident yields exactly one approved incident overlapping it, whose
# rank-1 hypothesis has the right type, root-cause service and (where there
# is one) the right deploy/config change/dependency ref, citing at least one
# supporting artifact; the flapping series opens nothing; the anomaly inside
# the maintenance window is suppressed for maintenance; and nothing else
# (noise, harmless deploys, single-minute blips) is approved.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start

SEEDS=${MIDWATCH_TEST_SEEDS:-"1 2 3 4 5 6 7 8"}

for seed in $SEEDS; do
	pgtest_createdb "seed$seed"
	"$MIDWATCH" demo --emit "$TAP_TMP/s.jsonl" --truth "$TAP_TMP/t.json" \
	    --seed "$seed" >/dev/null 2>&1
	t_ok $? "seed $seed: scenario generated"
	"$MIDWATCH" ingest "$TAP_TMP/s.jsonl" >"$TAP_TMP/ingest.out" 2>&1
	t_ok $? "seed $seed: ingested"
	start=$(date +%s)
	"$MIDWATCH" run >"$TAP_TMP/run.out" 2>&1
	t_ok $? "seed $seed: pipeline run completed"
	echo "# seed $seed: run took $(( $(date +%s) - start )) s"
	sed 's/^/# /' "$TAP_TMP/run.out"

	# One line per truth fault: fault|expect|approved overlapping|wanted|got
	# where got is the rank-1 hypothesis of the (first) overlapping approved
	# incident as type|service|ref (ref only when the truth names one)|cites
	# a supporting artifact.
	pgtest_psql -F'|' -v truth="$(cat "$TAP_TMP/t.json")" >"$TAP_TMP/verdict" <<'EOF'
WITH truth AS (
  SELECT * FROM jsonb_to_recordset(:'truth'::jsonb) AS t (fault text,
    expect text, hypothesis_type text, service text, ref text,
    onset timestamptz, "end" timestamptz)),
appr AS (
  SELECT i.* FROM midwatch.incidents i JOIN midwatch.incident_decisions d
    ON d.incident_id = i.id AND d.decision = 'approved')
SELECT t.fault, t.expect,
  (SELECT count(*) FROM appr a WHERE a.window_start <= t."end" AND a.window_end >= t.onset),
  t.hypothesis_type || '|' || t.service || '|' || coalesce(t.ref, '') || '|true',
  coalesce((SELECT h.hypothesis_type || '|' || coalesce(s.name, '-') || '|'
      || CASE WHEN t.ref IS NULL THEN '' ELSE coalesce(h.ref, '') END || '|'
      || EXISTS (SELECT 1 FROM midwatch.hypothesis_evidence he
                 WHERE he.hypothesis_id = h.id AND he.role = 'supports')::text
    FROM appr a JOIN midwatch.hypotheses h ON h.incident_id = a.id AND h.rank = 1
    LEFT JOIN midwatch.services s ON s.id = h.service_id
    WHERE a.window_start <= t."end" AND a.window_end >= t.onset
    ORDER BY a.id LIMIT 1), 'none|-||false'),
  (SELECT count(*) FROM midwatch.incidents i JOIN midwatch.incident_decisions d
     ON d.incident_id = i.id AND d.decision = 'suppressed'
     AND d.details -> 'reasons' ? 'maintenance'
   WHERE i.window_start <= t."end" AND i.window_end >= t.onset)
FROM truth t ORDER BY t.onset;
EOF
	expected=0
	while IFS='|' read -r fault expect n wt ws wr wc gt gs gr gc maint; do
		case $expect in
		incident)
			expected=$((expected + 1))
			t_eq "seed $seed $fault: exactly one approved incident" "1" "$n"
			t_eq "seed $seed $fault: rank-1 hypothesis (type|service|ref|cites support)" \
			    "$wt|$ws|$wr|$wc" "$gt|$gs|$gr|$gc"
			;;
		*)
			t_eq "seed $seed $fault: no approved incident" "0" "$n"
			if [ "$fault" = maintenance ]; then
				t_ok "$([ "$maint" -ge 1 ]; echo $?)" \
				    "seed $seed maintenance: suppressed for maintenance"
			fi
			;;
		esac
	done <"$TAP_TMP/verdict"
	t_ok "$([ "$expected" -ge 5 ]; echo $?)" "seed $seed: the truth lists the incident faults ($expected)"
	n=$(pgtest_psql -c "select count(*) from midwatch.incident_decisions where decision = 'approved'")
	t_eq "seed $seed: no other approved incidents" "$expected" "$n"
	n=$(pgtest_psql -c "select count(*) from midwatch.incidents i where not exists (select 1 from midwatch.incident_decisions d where d.incident_id = i.id and d.policy_version = 'gate-v1')")
	t_eq "seed $seed: every candidate has a decision" "0" "$n"
	n=$(pgtest_psql -c "select count(*) from midwatch.incident_decisions d join midwatch.incidents i on i.id = d.incident_id where d.decision = 'suppressed' and (i.status <> 'suppressed' or d.rationale = '')")
	t_eq "seed $seed: suppressed candidates are recorded with a rationale" "0" "$n"
done
t_done
