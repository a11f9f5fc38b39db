#!/bin/sh
# test_console_stats.sh - the console's read-only report views, driven for
# real (midwatch in a private tmux server against a real PostgreSQL, over
# random generated data): `:stats week` draws each report's newest bucket
# with the numbers `midwatch stats` computed (totals, the noisiest service
# and its alerts, bars and sparklines); `:rules` lists every rule with its
# kind, severity, enabled, last firing and times fired, and `r` reloads it
# after a change; in ASCII mode (no UTF-8 locale) the bars and sparklines
# are ASCII, with NO_COLOR no colour at all; q closes a view.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
. "$top_srcdir/tests/lib/statsgen.sh"
# the screen holds UTF-8 (bars, sparklines): match it as characters
LC_ALL=C.UTF-8; export LC_ALL
pgtest_start
pgtest_createdb mwstats
con_setup
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
statsgen cs 120 400 >/dev/null || { echo "Bail out! generating the data failed"; exit 1; }
"$MIDWATCH" --project cs stats recompute >/dev/null 2>&1 || { echo "Bail out! recompute failed"; exit 1; }
# the rules fired: last firing and count as the alert stage keeps them
con_q "update midwatch.alerts a set fire_count = 1 + a.id % 3 where a.project_id = (select id from midwatch.projects where slug = 'cs')" >/dev/null
con_q "update midwatch.alert_rules r set last_triggered_at = x.t from (select rule_id, max(last_fired_at) t from midwatch.alerts group by 1) x where x.rule_id = r.id" >/dev/null
"$MIDWATCH" --project cs stats --window week --json >"$TAP_TMP/week.json"
"$MIDWATCH" --project cs rules list --json >"$TAP_TMP/rules.json"
# wk SLUG FILTER: a jq value of the newest week bucket of report SLUG
wk() { jq -r --arg s "$1" ".reports[] | select(.slug == \$s) | .buckets[-1] | $2" "$TAP_TMP/week.json"; }
# ere TEXT: TEXT as an extended regular expression matching itself
ere() { printf '%s' "$1" | sed 's/[][().*+?^$|\\{}]/\\&/g'; }

# ---- :stats week --------------------------------------------------------------------
con_start a 100 60 -- --project cs --as carol
con_wait a "cs · db" 20 >/dev/null
con_keys a : s t a t s Space w e e k Enter
con_wait a "Stats \(week buckets\)" 10 >/dev/null
con_wait a "Top noisy services" 10 >/dev/null
s=$(con_screen a)
newest=$(wk incident-volume '.bucket_start[0:10]')
t_match "the newest week is named" "Incident volume by period  \(incident-volume, newest bucket $newest\)" "$s"
n=$(wk incident-volume '.rows[] | select(.dimension_value == "*") | .metrics.incidents')
nb=$(jq -r '.reports[0].buckets | length' "$TAP_TMP/week.json")
t_match "its incident total, after the sparkline of every week" "incidents +[▁▂▃▄▅▆▇█]{$nb} $nb buckets, newest $n\$" "$s"
n=$(wk alert-status-counts '.rows[] | select(.dimension_value == "*") | .metrics.alerts')
t_match "the week's alert total" "alerts +[▁▂▃▄▅▆▇█]+ $nb buckets, newest $n\$" "$s"
top=$(ere "$(wk top-noisy-services '.rows[0].dimension_value')")
na=$(wk top-noisy-services '.rows[0].metrics.alerts')
ack=$(printf '%.0f' "$(wk top-noisy-services '.rows[0].metrics.acknowledged_share * 100')")
t_match "the noisiest service first, its bar full, alerts and share acknowledged" \
    "^ +$top +█{20,} +$na +[0-9.]+/d +$ack%" "$s"
st=$(wk alert-status-counts '[.rows[] | select(.dimension_value != "*")][0] | .dimension_value + " " + (.metrics.alerts | tostring)')
t_match "the most frequent alert status with its count" "^ +${st% *} +█+ +${st#* }\$" "$s"
con_keys a G
con_wait a "Top hypothesis confirmed" 5 >/dev/null
s=$(con_screen a)
rev=$(wk hypothesis-precision '.rows[0].metrics.reviewed')
tok=$(wk hypothesis-precision '.rows[0].metrics.top_confirmed')
t_match "the precision of the top hypothesis: reviewed and confirmed first" "^ +all .* $rev +$tok +[0-9-]" "$s"
con_keys a q
con_gone a "Stats \(week" 5 >/dev/null
t_match "q closes the view" "─ Incidents" "$(con_screen a)"

# ---- :rules -------------------------------------------------------------------------
con_keys a : r u l e s Enter
con_wait a "Alert rules" 10 >/dev/null
con_wait a "FIRED" 10 >/dev/null
s=$(con_screen a)
ok=0
for i in $(seq 0 $(( $(jq length "$TAP_TMP/rules.json") - 1 ))); do
	line=$(jq -r ".[$i] | [.name, .kind, .severity, (if .enabled then \"yes\" else \"no\" end), (.last_fired_at // \"-\" | if . == \"-\" then . else .[0:10] + \" \" + .[11:16] end), (.fired | tostring)] | join(\"|\")" "$TAP_TMP/rules.json")
	IFS='|' read -r name kind sev on last fired <<EOF
$line
EOF
	re=$(ere "$(printf '%s' "$name" | cut -c1-20)")
	if ! printf '%s\n' "$s" | grep -Eq "^ $re.{0,4} +$kind +$sev +$on +$last +$fired( |\$)"; then
		ok=1
		echo "# rule line not found: $name $kind $sev $on $last $fired"
	fi
done
t_ok "$ok" "every rule with its kind, severity, enabled, last firing and times fired"
cond=$(jq -r '.[] | select(.name == "latency trend") | .config.metric' "$TAP_TMP/rules.json")
t_match "and its condition" "$cond up 50% over 30m" "$s"
"$MIDWATCH" --project cs rules disable "latency trend" >/dev/null 2>&1
con_keys a r
con_wait a "^ latency trend +trend +medium +no " 10 >/dev/null
t_match "r reloads it: a rule disabled meanwhile says no" "^ latency trend +trend +medium +no " "$(con_screen a)"
con_keys a q
con_gone a "Alert rules" 5 >/dev/null
con_keys a : s t a t s Space m o n t h Enter
con_wait a "usage: stats \[day\|week\]" 5 >/dev/null
t_match "an unknown window is refused" "usage: stats \[day\|week\]" "$(con_screen a)"

# ---- ASCII and NO_COLOR -----------------------------------------------------------------
con_start b 100 60 LANG=C LC_ALL=C NO_COLOR=1 -- --project cs --as carol
con_wait b "cs . db" 20 >/dev/null
con_keys b : s t a t s Space w e e k Enter
con_wait b "Top noisy services" 10 >/dev/null
s=$(con_screen b)
t_match "in ASCII the bars are #" "^ +$top +#{20,} +$na " "$s"
t_match "and the sparklines ASCII levels" "incidents +[_.,=+*#-]{$nb} $nb buckets" "$s"
t_eq "no UTF-8 anywhere on the screen" "" "$(printf '%s' "$s" | LC_ALL=C grep -n '[^ -~]' | head -3)"
t_eq "NO_COLOR: no colour in any cell" "" \
    "$(con_tmux capture-pane -p -e -t b | grep -Eo "$ESC\[[0-9;]*3[0-7][;m]" | head -3)"
t_match "without NO_COLOR the screen has colour (the check can fail)" "$ESC\[[0-9;]*3[0-7][;m]" \
    "$(con_tmux capture-pane -p -e -t a)"
con_keys a Q
con_keys b Q
t_done
