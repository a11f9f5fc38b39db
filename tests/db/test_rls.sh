#!/bin/sh
# test_rls.sh - issue 11, "Nobody reaches another project", against a real
# PostgreSQL, connecting as each role (doc/reliability.md):
#  - migration 020 creates midwatch_viewer/_operator/_admin (NOLOGIN) and
#    still succeeds, saying so, when the migrating user may not create roles;
#  - every table with a project_id column has row-level security and its
#    two policies, none FORCEd (so a later table cannot forget its policy);
#  - a viewer lists but `ack` fails with the role message; an operator of
#    project a acks in a and cannot see or act on b (also with raw psql:
#    counts are a's, an UPDATE of b's row touches 0 rows, an INSERT into b
#    is refused); an admin changes rules, ingests and runs; the owner sees
#    everything; grant/revoke are audited; the console as a viewer offers no
#    action, as an operator no run.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
con_setup
MIDWATCH_STATE_DIR=$TAP_TMP/state-none; export MIDWATCH_STATE_DIR
unset XDG_CONFIG_HOME MIDWATCH_ACTOR
HOME=$TAP_TMP; export HOME
q() { pgtest_psql -c "$1"; }
ROLES="'midwatch_viewer', 'midwatch_operator', 'midwatch_admin'"

# ---- a migrating user who may not create roles -------------------------------------
q "CREATE ROLE mig LOGIN" >/dev/null
"$PGTEST_BIN/createdb" -O mig nocr
err=$("$MIDWATCH" --db "dbname=nocr user=mig" migrate 2>&1); rc=$?
t_eq "migrate by a user without CREATEROLE still succeeds" 0 "$rc"
t_match "... and says the roles are missing and what to do" \
    "warning: roles midwatch_admin, midwatch_operator, midwatch_viewer do not exist and mig may not create them: .*SELECT midwatch.setup_roles\(\);" "$err"
t_eq "... every migration applied" 0 \
    "$(pgtest_psql -d nocr -c "select count(*) from (select 1) x where exists (select 1 from pg_namespace where nspname = 'midwatch') and to_regclass('midwatch.project_grants') is null")"
t_eq "... and RLS is in force there too" t \
    "$(pgtest_psql -d nocr -c "select relrowsecurity from pg_class where oid = 'midwatch.alerts'::regclass")"
t_eq "no role was created" 0 "$(q "select count(*) from pg_roles where rolname in ($ROLES)")"

# ---- the owner migrates: roles, policies -------------------------------------------
pgtest_createdb mw
"$MIDWATCH" migrate >/dev/null 2>"$TAP_TMP/mig.err"; rc=$?
t_eq "migrate as a superuser: exit 0" 0 "$rc"
t_eq "... no warning" "" "$(cat "$TAP_TMP/mig.err")"
t_eq "the three roles exist, NOLOGIN" "midwatch_admin:false midwatch_operator:false midwatch_viewer:false" \
    "$(q "select string_agg(rolname || ':' || rolcanlogin, ' ' order by rolname) from pg_roles where rolname in ($ROLES)")"
t_eq "admin inherits operator inherits viewer" "true|true" \
    "$(q "select pg_has_role('midwatch_admin', 'midwatch_viewer', 'USAGE') || '|' || pg_has_role('midwatch_operator', 'midwatch_viewer', 'USAGE')")"
# Every table of the schema with a project_id column (partitions aside) --
# whichever migration added it -- has RLS on, not forced, and both policies.
unsecured=$(q "select coalesce(string_agg(c.relname, ' ' order by c.relname), '') from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'midwatch' and c.relkind in ('r', 'p') and not c.relispartition
     and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'project_id' and not a.attisdropped)
     and (not c.relrowsecurity or c.relforcerowsecurity
          or (c.relname <> 'project_grants' and (select count(*) from pg_policy p where p.polrelid = c.oid
               and p.polname in (c.relname || '_read', c.relname || '_write')) <> 2))")
t_eq "every project-scoped table has RLS and its two policies (none forced)" "" "$unsecured"
t_ok "$([ "$(q "select count(*) from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'midwatch'")" -ge 80 ] && echo 0 || echo 1)" \
    "... (at least 40 tables' worth of policies)"
t_eq "no partition is granted to a role (read through the parent)" 0 \
    "$(q "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'midwatch' and c.relispartition and has_table_privilege('midwatch_viewer', c.oid, 'SELECT')")"

# ---- two projects with a random number of alerts each -------------------------------
alerts() {	# SLUG N: N firing alerts of random services
	awk -v s="$1" -v n="$2" -v seed="$3" 'BEGIN { srand(seed);
		for (i = 1; i <= n; i++)
			printf "{\"kind\":\"alert\",\"ts\":\"2026-11-20T01:%02d:00Z\",\"fingerprint\":\"%s-%d-%d\",\"status\":\"firing\",\"labels\":{\"alertname\":\"A%d\",\"service\":\"svc%d\",\"severity\":\"high\"},\"source\":\"alertmanager\"}\n", i, s, i, int(rand() * 1e6), i, int(rand() * 5)
	}'
}
seed=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
NA=$(( seed % 7 + 3 )); NB=$(( seed / 7 % 6 + 2 ))
echo "# seed $seed: $NA alerts in a, $NB in b"
alerts a "$NA" "$seed" >"$TAP_TMP/a.jsonl"
alerts b "$NB" "$((seed + 1))" >"$TAP_TMP/b.jsonl"
"$MIDWATCH" --project a ingest "$TAP_TMP/a.jsonl" >/dev/null 2>&1
"$MIDWATCH" --project b ingest "$TAP_TMP/b.jsonl" >/dev/null 2>&1
t_eq "the owner ingested both" "$NA|$NB" \
    "$(q "select (select count(*) from midwatch.alerts a join midwatch.projects p on p.id = a.project_id where p.slug = 'a') || '|' || (select count(*) from midwatch.alerts a join midwatch.projects p on p.id = a.project_id where p.slug = 'b')")"
A1=$(q "select a.id from midwatch.alerts a join midwatch.projects p on p.id = a.project_id where p.slug = 'a' order by a.id limit 1")
A2=$(q "select a.id from midwatch.alerts a join midwatch.projects p on p.id = a.project_id where p.slug = 'a' order by a.id desc limit 1")
B1=$(q "select a.id from midwatch.alerts a join midwatch.projects p on p.id = a.project_id where p.slug = 'b' order by a.id limit 1")

# ---- grants ---------------------------------------------------------------------------
for u in vic olga adam nemo; do q "CREATE ROLE $u LOGIN" >/dev/null; done
MIDWATCH_ACTOR=root; export MIDWATCH_ACTOR
out=$("$MIDWATCH" --project a grant viewer vic 2>&1); rc=$?
t_eq "grant viewer vic: exit 0" 0 "$rc"
t_eq "... says so" "vic is now viewer in a" "$out"
t_eq "... and made vic a member of midwatch_viewer" t "$(q "select pg_has_role('vic', 'midwatch_viewer', 'MEMBER')")"
"$MIDWATCH" --project a grant operator olga >/dev/null 2>&1
"$MIDWATCH" --project a grant admin adam >/dev/null 2>&1
out=$("$MIDWATCH" --project a grant viewer adam 2>&1)
t_eq "granting another role changes it" "adam is now viewer in a (was admin)" "$out"
out=$("$MIDWATCH" --project a grant admin adam 2>&1)
out=$("$MIDWATCH" --project a grant admin adam 2>&1)
t_eq "the same grant again changes nothing" "adam is admin in a already" "$out"
t_eq "each change audited with before and after" "grant.added|null|admin grant.changed|admin|viewer grant.changed|viewer|admin" \
    "$(q "select string_agg(action || '|' || coalesce(details->>'before', 'null') || '|' || (details->>'after'), ' ' order by id) from midwatch.audit_entries where target = 'grant:adam'")"
err=$("$MIDWATCH" --project a grant boss vic 2>&1); rc=$?
t_eq "an unknown role is a usage error" 2 "$rc"
err=$("$MIDWATCH" --project a grant viewer nosuchuser 2>&1); rc=$?
t_eq "an unknown login: exit 1" 1 "$rc"
t_match "... naming it" "no PostgreSQL role 'nosuchuser'" "$err"

as() {	# USER ARGS...: midwatch connected as USER
	_u=$1; shift
	MIDWATCH_ACTOR=$_u "$MIDWATCH" --db "dbname=mw user=$_u" "$@"
}
psql_as() { pgtest_psql -d mw -U "$1" -c "$2" 2>&1; }

# ---- viewer ---------------------------------------------------------------------------
out=$(as vic --project a alerts 2>&1); rc=$?
t_eq "the viewer lists a's alerts: exit 0" 0 "$rc"
t_eq "... all $NA of them" "$NA" "$(as vic --project a alerts --json | jq length)"
out=$(as vic --project a status 2>&1)
t_match "status names the viewer's role" "^role viewer: read only" "$out"
t_eq "status --json too" viewer "$(as vic --project a status --json 2>/dev/null | jq -r .role)"
err=$(as vic --project a ack "$A1" 2>&1); rc=$?
t_eq "the viewer's ack: exit 1" 1 "$rc"
t_eq "... with the role message" \
    "midwatch: ack: refused: your role in project 'a' is viewer (read only: lists, reports, status); ack needs operator" "$err"
err=$(as vic --project a rules add x --metric error_ratio --op '>' --value 1 2>&1); rc=$?
t_match "the viewer's rules add: refused, naming the role" "rules add: refused: your role in project 'a' is viewer .*rules add needs admin" "$err"
t_eq "nothing was recorded" 0 "$(q "select count(*) from midwatch.feedback_events")"
t_match "raw psql as the viewer: an UPDATE is refused" "permission denied for table alerts" \
    "$(psql_as vic "update midwatch.alerts set title = 'x' where id = $A1")"

# ---- operator -------------------------------------------------------------------------
out=$(as olga --project a ack "$A1" 2>&1); rc=$?
t_eq "the operator acks in a: exit 0" 0 "$rc"
t_eq "... recorded as olga, the alert acknowledged" "olga|acknowledged" \
    "$(q "select f.actor_id || '|' || a.status from midwatch.feedback_events f join midwatch.alerts a on a.id = f.target_id where f.target_id = $A1")"
err=$(as olga --project b alerts 2>&1); rc=$?
t_eq "the operator cannot open b: exit 1" 1 "$rc"
t_eq "... b does not even exist for her" "midwatch: alerts: no project 'b' (known: a)" "$err"
err=$(as olga --project a ack "$B1" 2>&1); rc=$?
t_eq "b's alert through project a: exit 1" 1 "$rc"
t_eq "b's alert untouched" active "$(q "select status from midwatch.alerts where id = $B1")"
t_eq "raw psql as the operator: only a's alerts" "$NA" "$(psql_as olga "select count(*) from midwatch.alerts")"
t_match "... the policy's subquery runs once per statement (hashed), not per row" "hashed SubPlan" \
    "$(psql_as olga "explain select count(*) from midwatch.alerts")"
t_eq "... only project a" "a" "$(psql_as olga "select string_agg(slug, ',') from midwatch.projects")"
t_eq "... an UPDATE of b's alert touches 0 rows" "UPDATE 0" \
    "$(psql -X -At -d mw -U olga -c "update midwatch.alerts set status = 'resolved' where id = $B1" 2>&1 | tail -n 1)"
t_match "... an INSERT into b is refused" "row-level security" \
    "$(psql_as olga "insert into midwatch.feedback_events (project_id, actor_type, actor_id, event_type, target_kind, target_id, idempotency_key) select project_id, 'user', 'olga', 'alert_acknowledged', 'alert', id, 'x' from midwatch.alerts where false union all select id, 'user', 'olga', 'alert_acknowledged', 'alert', $B1, 'x' from (select id from midwatch.projects where false) p union all select $(q "select project_id from midwatch.alerts where id = $B1"), 'user', 'olga', 'alert_acknowledged', 'alert', $B1, 'k'")"
t_match "... and an UPDATE of a's rules is refused (admin's)" "UPDATE 0|permission denied" \
    "$(psql -X -At -d mw -U olga -c "update midwatch.alert_rules set enabled = false" 2>&1 | tail -n 1)"
err=$(as olga --project a run 2>&1); rc=$?
t_eq "the operator's run: exit 1" 1 "$rc"
t_match "... needs admin" "run: refused: your role in project 'a' is operator \(read, and act on alerts.*\); run needs admin" "$err"
t_eq "b's alerts all still active" "$NB" "$(q "select count(*) from midwatch.alerts a join midwatch.projects p on p.id = a.project_id where p.slug = 'b' and a.status = 'active'")"

# ---- admin ------------------------------------------------------------------------------
out=$(as adam --project a rules add "adam rule" --metric error_ratio --op '>' --value 0.5 2>&1); rc=$?
t_eq "the admin adds a rule in a: exit 0" 0 "$rc"
t_eq "... audited as adam" "rule.added|adam" \
    "$(q "select action || '|' || actor from midwatch.audit_entries where target = 'rule:adam rule'")"
err=$(as adam --project b rules list 2>&1); rc=$?
t_eq "the admin of a cannot reach b" "1|midwatch: rules list: no project 'b' (known: a)" "$rc|$err"
# two hours of one-minute error ratios of checkout: 0.01, from minute 30
# of each hour 0.6 (adam's rule fires)
awk 'BEGIN { for (h = 2; h < 4; h++) for (m = 0; m < 60; m++)
	printf "{\"kind\":\"metric\",\"service\":\"checkout\",\"metric\":\"error_ratio\",\"ts\":\"2026-11-20T%02d:%02d:00Z\",\"value\":%s}\n", h, m, (m >= 30) ? 0.6 : 0.01 }' \
    >"$TAP_TMP/m.jsonl"
as adam --project a ingest "$TAP_TMP/m.jsonl" >"$TAP_TMP/ingest.out" 2>&1; rc=$?
t_eq "the admin ingests metric points (a new partition, made by the owner's function)" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/# /' "$TAP_TMP/ingest.out"
t_eq "... stored" 120 "$(q "select count(*) from midwatch.metric_points where ts >= '2026-11-20T02:00:00Z'")"
as adam --project a run >"$TAP_TMP/run.out" 2>&1; rc=$?
t_eq "the admin runs the pipeline: exit 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/# /' "$TAP_TMP/run.out"
t_eq "... a completed run of a, nothing skipped" "completed|0" \
    "$(q "select r.status || '|' || r.skipped_units from midwatch.pipeline_runs r join midwatch.projects p on p.id = r.project_id where p.slug = 'a' order by r.id desc limit 1")"
fired=$(q "select coalesce(sum(a.fire_count), 0) from midwatch.alerts a join midwatch.alert_rules r on r.id = a.rule_id where r.name = 'adam rule'")
t_ok "$([ "$fired" -ge 1 ] && echo 0 || echo 1)" "... which fired adam's rule ($fired) through the alert stage's triggers"
out=$(as adam --project a grants 2>&1)
t_match "grants lists olga as operator" "olga +operator +this" "$out"
t_eq "grants --json: three members" "adam olga vic" "$(as adam --project a grants --json | jq -r '[.[].member] | join(" ")')"
err=$(as adam migrate 2>&1); rc=$?
t_eq "an admin may not migrate" "1|midwatch: migrate: refused: migrations are the schema owner's; run 'midwatch migrate' as its owner" "$rc|$err"
t_match "... but may list them" " 020_roles" "$(as adam migrate --status 2>&1)"
err=$(as olga --project a grants 2>&1); rc=$?
t_match "an operator may not list grants" "grants: refused: your role in project 'a' is operator" "$err"
err=$(as adam --project a grant admin nemo --all-projects 2>&1); rc=$?
t_eq "an admin of a alone may not grant every project" "1|midwatch: grant: refused: --all-projects needs the admin role in every project" "$rc|$err"

t_match "nemo, in no midwatch role, cannot even use the schema" "permission denied for schema midwatch" \
    "$(psql_as nemo "select count(*) from midwatch.alerts")"
err=$(as nemo --project a alerts 2>&1); rc=$?
t_eq "... and midwatch says why" "1|midwatch: alerts: nemo is in none of the roles midwatch_viewer, midwatch_operator, midwatch_admin (an admin runs 'midwatch grant ROLE nemo')" "$rc|$err"

# ---- an admin of every project ------------------------------------------------------------
out=$("$MIDWATCH" --project a grant admin nemo --all-projects 2>&1); rc=$?
t_eq "the owner grants nemo admin of every project" "0|nemo is now admin in every project" "$rc|$out"
out=$(as nemo project create c 2>&1); rc=$?
t_match "nemo creates a project (exit $rc)" "^project c created" "$out"
t_eq "... with its defaults, made by the triggers under RLS (rules, channels, metric names)" "true|true|true" \
    "$(q "select (select count(*) > 0 from midwatch.alert_rules r where r.project_id = p.id) || '|' || (select count(*) > 0 from midwatch.channels c where c.project_id = p.id) || '|' || (select count(*) > 0 from midwatch.metric_names m where m.project_id = p.id) from midwatch.projects p where p.slug = 'c'")"
t_eq "nemo sees every project" "a b c default" "$(as nemo project list --json | jq -r '[.[].slug] | join(" ")')"
err=$(as adam project create d 2>&1); rc=$?
t_eq "an admin of a alone may not create one" 1 "$rc"
t_eq "... and none was" 0 "$(q "select count(*) from midwatch.projects where slug = 'd'")"

# ---- owner ------------------------------------------------------------------------------
t_eq "the owner sees everything" "2|$NB" \
    "$(q "select count(distinct project_id) || '|' || count(*) filter (where project_id = (select id from midwatch.projects where slug = 'b')) from midwatch.alerts")"
out=$("$MIDWATCH" --project b status 2>&1)
t_match "the owner's status says so" "^role owner: everything" "$out"
"$MIDWATCH" --project b ack "$B1" >/dev/null 2>&1; rc=$?
t_eq "the owner acks in b" 0 "$rc"

# ---- revoke -----------------------------------------------------------------------------
out=$(as adam --project a revoke olga 2>&1); rc=$?
t_eq "the admin revokes olga" "0|olga is no longer operator in a" "$rc|$out"
t_eq "... audited" "grant.revoked|adam|operator" \
    "$(q "select action || '|' || actor || '|' || (details->>'before') from midwatch.audit_entries where target = 'grant:olga' order by id desc limit 1")"
err=$(as olga --project a alerts 2>&1); rc=$?
t_eq "olga no longer reaches a" "1|midwatch: alerts: no project 'a' (you reach no project: an admin grants you one, midwatch grant ROLE LOGIN)" "$rc|$err"
t_eq "... raw psql: no alert at all" 0 "$(psql_as olga "select count(*) from midwatch.alerts")"
err=$(as adam --project a revoke olga 2>&1); rc=$?
t_eq "revoking again: exit 1" "1|midwatch: revoke: olga has no grant in a" "$rc|$err"

# ---- the console: a viewer has no action, an operator no run ---------------------------
"$MIDWATCH" --project a grant operator olga >/dev/null 2>&1
con_start vic 120 30 PGUSER=vic -- --project a --as vic
con_wait vic "vic \[viewer, read-only\]" 15
t_ok $? "the viewer's status bar names the role"
hint=$(con_screen vic | tail -n 1)
t_match "the hint line says read-only" "\(read-only\)" "$hint"
t_ok "$(printf '%s' "$hint" | grep -Eq "ack|resolve|confirm|note|run" && echo 1 || echo 0)" "... and offers no action: $hint"
con_keys vic Tab Tab Tab a
con_wait vic "your role here is viewer" 5
t_ok $? "a key that acts says the role forbids it"
con_start olga 120 30 PGUSER=olga -- --project a --as olga
con_wait olga "olga \[operator\]" 15
t_ok $? "the operator's status bar names the role"
con_keys olga Tab Tab Tab
sleep 0.5
hint=$(con_screen olga | tail -n 1)
t_match "the operator is offered ack on alerts" "ack" "$hint"
t_ok "$(printf '%s' "$hint" | grep -q "run" && echo 1 || echo 0)" "... but no run: $hint"
con_keys olga R
con_wait olga "runs and investigations need admin" 5
t_ok $? "R says runs need admin"
n0=$(q "select count(*) from midwatch.feedback_events where actor_id = 'olga'")
con_keys olga a
i=0
while [ "$i" -lt 50 ] && [ "$(q "select count(*) from midwatch.feedback_events where actor_id = 'olga'")" = "$n0" ]; do
	sleep 0.2; i=$((i + 1))
done
t_eq "the operator's a in the console records an acknowledgement in a" "$((n0 + 1))|alert_acknowledged|a" \
    "$(q "select (select count(*) from midwatch.feedback_events where actor_id = 'olga') || '|' || f.event_type || '|' || p.slug from midwatch.feedback_events f join midwatch.projects p on p.id = f.project_id where f.actor_id = 'olga' order by f.id desc limit 1")"
t_eq "the pipeline never ran from the operator's console" 1 \
    "$(q "select count(*) from midwatch.pipeline_runs")"
# Who granted a role is personal data: erasing the granter leaves no trace
# of the name in project_grants (personal_data_columns, 019/020).
as adam --project a grant viewer nemo >/dev/null 2>&1
t_eq "adam granted a role" 1 "$(q "select count(*) from midwatch.project_grants where granted_by = 'adam'")"
"$MIDWATCH" erase --actor adam >/dev/null 2>&1
t_eq "after erase --actor adam no grant names him as the granter" "0|true" \
    "$(q "select count(*) filter (where granted_by ilike '%adam%') || '|' || bool_or(granted_by like 'erased:%') from midwatch.project_grants")"
t_done
