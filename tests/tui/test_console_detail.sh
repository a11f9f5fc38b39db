#!/bin/sh
# test_console_detail.sh - an incident's view keeps its timeline on the
# incident (issue 12): a note written ten days later does not stretch the
# axis over days (the axis's times stay those of the incident's window,
# its events keep their columns); it is listed after the others with its
# date, off the axis.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
. "$top_srcdir/tests/tui/console_lib.sh"
pgtest_start
pgtest_createdb mwdetail
con_setup
"$MIDWATCH" migrate >"$TAP_TMP/migrate.log" 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
con_fixture detail || { echo "Bail out! fixture failed"; exit 1; }
inc=$(con_q "select i.id from midwatch.incidents i join midwatch.projects p on p.id = i.project_id where p.slug = 'detail' and i.title = 'Fixture error spike on checkout-api'")
end=$(con_q "select to_char(window_end at time zone 'UTC', 'HH24:MI') from midwatch.incidents where id = $inc")
later=$(con_q "select to_char((window_end + interval '10 days') at time zone 'UTC', 'YYYY-MM-DD') from midwatch.incidents where id = $inc")
con_q "insert into midwatch.feedback_events (project_id, actor_type, actor_id, event_type, target_kind, target_id, incident_id, payload, idempotency_key, created_at)
  select project_id, 'user', 'bob', 'human_note_added', 'incident', id, id, '{\"text\": \"postmortem written\"}', 'late-note', window_end + interval '10 days'
    from midwatch.incidents where id = $inc" >/dev/null

# A metric series on the incident: one point a minute from an hour before
# its window to an hour after, a random level before the window and a
# random spike in it; the detector's features (value, baseline, zscore with
# a random scale) over the same minutes; a signal and evidence item 1201
# citing it.
seed=$(awk 'BEGIN { srand(); print int(rand() * 1000000) }')
echo "# seed $seed"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<EOF
SELECT setseed(($seed % 1000) / 1000.0);
SELECT midwatch.ensure_metric_partitions(now() - interval '3 hours', now() + interval '1 hour');
CREATE TABLE public.lvl AS SELECT 0.005 + random() * 0.02 AS base,
    0.001 + random() * 0.004 AS scale, 0.15 + random() * 0.3 AS spike;
INSERT INTO midwatch.metric_points (project_id, service_id, metric_name, ts, value)
SELECT i.project_id, 1000, 'error_ratio', m,
       CASE WHEN m >= i.window_start AND m <= i.window_end
            THEN l.spike * (0.9 + random() * 0.2)
            ELSE l.base + (random() - 0.5) * l.scale END
  FROM midwatch.incidents i, lvl l,
       generate_series(date_trunc('minute', i.window_start - interval '59 minutes'),
                       i.window_end + interval '59 minutes', interval '1 minute') m
 WHERE i.id = $inc;
INSERT INTO midwatch.anomaly_features (project_id, service_id, metric_name, feature_name, ts, value)
SELECT p.project_id, 1000, 'error_ratio', f.name, p.ts,
       CASE f.name WHEN 'value' THEN p.value WHEN 'baseline' THEN l.base
            ELSE round(((p.value - l.base) / l.scale)::numeric, 3)::float8 END
  FROM midwatch.metric_points p, lvl l,
       (VALUES ('value'), ('baseline'), ('zscore')) f (name)
 WHERE p.service_id = 1000 AND p.metric_name = 'error_ratio';
INSERT INTO midwatch.signals (id, project_id, run_id, incident_id, dedupe_key, signal_type,
                              service_id, metric_name, onset_at, baseline, quality_score)
SELECT 1600, project_id, 1000, id, 'fx-s1600', 'error_rate_spike', 1000, 'error_ratio',
       window_start, (SELECT base FROM lvl), 0.9
  FROM midwatch.incidents WHERE id = $inc;
UPDATE midwatch.evidence_artifacts SET metadata = '{"signal_id": 1600, "metric": "error_ratio"}'
 WHERE id = 1201;
EOF
# What the caption must say: the chart window's points in the metric's
# unit, and the band's baseline.
win="m.ts >= i.window_start - interval '1 hour' and m.ts < i.window_end + interval '1 hour'"
want_min=$(con_q "select midwatch.pipeline_fmt_metric('error_ratio', min(m.value)) from midwatch.metric_points m, midwatch.incidents i where i.id = $inc and $win")
want_max=$(con_q "select midwatch.pipeline_fmt_metric('error_ratio', max(m.value)) from midwatch.metric_points m, midwatch.incidents i where i.id = $inc and $win")
want_base=$(con_q "select midwatch.pipeline_fmt_metric('error_ratio', baseline) from midwatch.signals where id = 1600")
# The spread is the scale the zscores imply (rounded to 0.001: allow its
# last digit either way of the scale's).
want_spread=$(con_q "select string_agg(distinct replace(midwatch.pipeline_fmt_metric('error_ratio', scale * f), '.', '[.]'), '|') from public.lvl, (values (0.9999), (1), (1.0001)) x (f)")
echo "# chart: min $want_min max $want_max baseline $want_base"

# The gate blocks recommendation 1401 for a random confidence of its
# hypothesis below the floor (given a supporting evidence item).
conf=$(awk -v s="$seed" 'BEGIN { srand(s); printf "%.3f", rand() * 0.19 + 0.001 }')
con_q "insert into midwatch.hypothesis_evidence (project_id, run_id, hypothesis_id, evidence_id, role, weight)
  select project_id, 1000, 1301, 1201, 'supports', 1 from midwatch.hypotheses where id = 1301" >/dev/null
con_q "update midwatch.hypotheses set confidence = $conf where id = 1301" >/dev/null
con_q "select midwatch.apply_recommendation_gate(id, array[1401]::bigint[]) from midwatch.projects where slug = 'detail'" >/dev/null
reason=$(con_q "select gate_reason from midwatch.recommendations where id = 1401")
gate_conf=$(printf '%s\n' "$reason" | sed -n 's/^confidence \([0-9.]*\) below.*/\1/p')
t_ok "$([ -n "$gate_conf" ]; echo $?)" "the gate blocks on the confidence $conf: '$reason'"
con_q "update midwatch.recommendations set expected_impact = 'Fixture impact: errors back under 1% within ten minutes' where id = 1400" >/dev/null

# Moves the selection of console $1 with key $2 until it matches /$3/.
select_row() {
	_k=0
	while [ "$_k" -lt 12 ]; do
		selected_is "$1" "$3" && return 0
		con_keys "$1" "$2"
		sleep 0.2
		_k=$((_k + 1))
	done
	selected_wait "$1" "$3"
}

con_start a 100 40 -- --project detail --as alice
con_wait a "Fixture error spike on checkout-api" 20 >/dev/null
selected_wait a "Fixture error spike" >/dev/null
con_keys a Enter
t_run "the incident's view opens with its timeline" con_wait a "Timeline" 10
t_run "the late note is listed off the axis" con_wait a "off the axis \(1, with their dates\)" 10
screen=$(con_screen a)
t_match "with its date and text" "$later""T[0-9:]+Z +N +note +note by bob on incident $inc: postmortem written" "$screen"
marks=$(printf '%s\n' "$screen" | grep -B1 "├" | head -n 1)
col=$(printf '%s\n' "$marks" | awk '{ print index($0, "A") }')
t_ok "$([ "$col" -gt 50 ]; echo $?)" "the alerts keep their place at the right of the axis (column $col), not squeezed left by the late note"
t_eq "the late note has no mark on the axis" 0 "$(printf '%s\n' "$marks" | grep -c N)"
alerts=$(printf '%s\n' "$screen" | grep -c "^ *[0-9:]\{8\}  A  alert")
t_eq "the incident's own events keep their times" 5 "$alerts"

# The incident's series: caption in the unit, the band row and its legend.
con_keys a G
t_run "the incident's series has its caption in the metric's unit" \
    con_wait a "checkout-api error_ratio  onset [0-9:]{5}  min $want_min  max $want_max  last [0-9.]+%" 10
screen=$(con_screen a)
band=$(printf '%s\n' "$screen" | grep "^ *band ")
t_match "the band row shades where the value is within the baseline band" "░" "$band"
t_match "and marks it above the band in the incident's window" "▲▲▲" "$band"
t_match "the band's legend gives the baseline and spread in the unit" \
    "░ baseline $want_base ± ($want_spread) \\(the detector's spread\\)  ▲ above  ▼ below" "$screen"
t_match "the chart's scale is labelled in the unit" "^ +$want_max +[▁▂▃▄▅▆▇█ ]+$" "$screen"
t_match "the incident's view lists its feedback history" "Feedback history" "$screen"

# A metric evidence item's own chart.
con_keys a Escape Tab
focus_wait a Hypotheses >/dev/null
t_match "the hypotheses pane shows the confidence the gate's reason gives" \
    "Fixture payments-db slow" "$(con_screen a | grep " $gate_conf ")"
t_run "evidence 1201 is selected" select_row a j "Fixture error_ratio 0.25"
con_keys a Enter
t_run "the evidence view charts its metric" con_wait a "The metric around the incident" 10
t_run "with the caption in the unit" con_wait a "error_ratio  onset [0-9:]{5}  min $want_min  max $want_max" 10
t_match "and the band row" "band +[░▲▼ ]*▲" "$(con_screen a)"
t_match "and the evidence's history" "Feedback history" "$(con_screen a)"

# The recommendations: gate reason, rationale, impact, notes, history.
con_keys a Escape H Tab
focus_wait a Recommendations >/dev/null
t_run "the blocked recommendation is selected" select_row a j "Fixture hidden scale out"
con_keys a Enter
t_run "its view shows the gate's reason" \
    con_wait a "Evidence gate blocked \(hidden from the panes\): confidence $gate_conf below the floor 0.20" 10
t_match "its rationale gives the hypothesis with the gate's confidence" \
    "for hypothesis #1301, ranked 2 \(dependency, confidence $gate_conf\): Fixture payments-db slow" \
    "$(con_screen a)"
con_keys a Escape
t_run "recommendation 1400 is selected" select_row a k "Fixture roll back checkout-api"
con_keys a Enter
t_run "its view shows the expected impact" \
    con_wait a "Fixture impact: errors back under 1% within ten minutes" 10
screen=$(con_screen a)
t_match "the gate passed" "Evidence gate passed: 2 supporting evidence items" "$screen"
t_match "its rationale" "for hypothesis #1300, ranked 1 \(release, confidence 0.82\): Fixture release v2.3 broke checkout" "$screen"
t_run "no feedback yet" con_wait a "\(no feedback yet\)" 10
mark_events
con_keys a n
con_wait a "[Nn]ote" 5 >/dev/null
con_keys a -l "rollback plan checked"
con_keys a Enter
t_events "the note is recorded on the recommendation" "human_note_added|alice|recommendation|1400"
t_run "the history lists it: time, actor, action, payload" \
    con_wait a "[0-9-]{10}T[0-9:]{8}Z  alice +human_note_added +text=rollback plan checked" 10
t_run "the notes list its text" con_wait a "Z alice: rollback plan checked" 10
con_keys a a
t_events "the acknowledgement is recorded" \
    "human_note_added|alice|recommendation|1400 recommendation_acknowledged|alice|recommendation|1400"
t_run "the history lists it" con_wait a "Z  alice +recommendation_acknowledged" 10
screen=$(con_screen a)
n1=$(printf '%s\n' "$screen" | grep -n "human_note_added" | cut -d: -f1)
n2=$(printf '%s\n' "$screen" | grep -n "recommendation_acknowledged" | cut -d: -f1)
t_ok "$([ "${n1:-0}" -gt 0 ] && [ "${n2:-0}" -gt "${n1:-0}" ]; echo $?)" "oldest first: the note (line $n1) before the acknowledgement (line $n2)"

# An alert's view: acknowledged there, its history says so.
con_keys a Escape Tab
focus_wait a Alerts >/dev/null
t_run "alert 1500 is selected" select_row a j "Fixture high error rate"
con_keys a Enter
t_run "the alert's view lists its history" con_wait a "Feedback history" 10
mark_events
con_keys a a
t_events "the alert's acknowledgement is recorded" "alert_acknowledged|alice|alert|1500"
t_run "and listed in the alert's history" \
    con_wait a "[0-9-]{10}T[0-9:]{8}Z  alice +alert_acknowledged" 10

# Without UTF-8 and colours the band is ASCII glyphs.
con_start b 100 40 LANG=C LC_ALL=C NO_COLOR=1 -- --project detail --as bob
con_wait b "Fixture error spike on checkout-api" 20 >/dev/null
selected_wait b "Fixture error spike" >/dev/null
con_keys b Enter
con_wait b "Timeline" 10 >/dev/null
con_keys b G
t_run "ASCII: the band legend" \
    con_wait b ": baseline $want_base [+]- ($want_spread) .* \^ above  v below" 10
screen=$(con_screen b)
t_match "ASCII: the band row marks within (:) and above (^)" "^ *band +[:^v ]*:[:^v ]*\^\^\^" "$screen"
t_match "ASCII: the chart's blocks are #" "^ +$want_max +[#_ ]*#" "$screen"
t_eq "ASCII: nothing but ASCII on the screen" "" "$(printf '%s' "$screen" | LC_ALL=C grep -n '[^ -~]' | head -3)"
t_done
