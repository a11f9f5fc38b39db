#!/bin/sh
# test_alert_series.sh - the alert stage's metric rules judged in C
# (src/pipeline/alert_series.c, issue 13) fire exactly what their former
# SQL statements fired (pipeline/alert_ref_metric|trend, which
# MIDWATCH_TEST_ALERT_SQL=1 runs instead).  A random world (the seed is printed):
# 4-7 of 120 services (the C side reads 50 services a statement: some in
# each batch) x 2 metrics x 1-3 series of labels over 8 hours, with gaps,
# a second point in some minutes, level steps, values on the thresholds,
# huge values, and late points (written after the runs over their time);
# random threshold rules (every op, values around the levels, for 0 s to
# 10 min) and trend rules (up and down, windows 5 min to 1 h, ratios).
# Two copies of the world get the same runs over random windows (edges off
# the minute), one judged in C and one by the reference statements: their
# alerts (title, message, score, details, times, counts, status) and
# notifications must be the same; then every rule's preview (rules test)
# over more random windows, C against the reference.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start

seed=${ALERT_SERIES_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# seed $seed"
sfrac=$(awk -v s="$seed" 'BEGIN { srand(s); printf "%.6f", rand() * 0.98 - 0.49 }')

pgtest_createdb c_side
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
# the world: points in batches (0 first, then one batch per run: late
# points and the next stretch), the rules
PGDATABASE=c_side pgtest_psql -c "SELECT setseed($sfrac)" -c "
INSERT INTO midwatch.services (project_id, name)
SELECT p.id, 'svc-' || g FROM midwatch.projects p, generate_series(1, 120) g
 WHERE p.slug = 'default';
SELECT midwatch.ensure_metric_partitions('2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z');
CREATE TABLE public.world (batch int, service_id bigint, metric_name text,
    labels_key text, ts timestamptz, value float8);
CREATE TEMP TABLE series AS
SELECT s.id AS service_id, m.name AS metric_name, l.key AS labels_key,
       m.base * (0.5 + random()) AS base
  FROM midwatch.services s
 CROSS JOIN (VALUES ('m1', 1.0::float8), ('m2', 100.0)) m (name, base)
 CROSS JOIN (VALUES (''), ('az=a'), ('az=b,host=x')) l (key)
 WHERE (s.name IN ('svc-1', 'svc-50', 'svc-51', 'svc-120') OR random() < 0.02)
   AND (random() < 0.6 OR l.key = '');
CREATE TEMP TABLE steps AS
SELECT x.service_id, x.metric_name, x.labels_key,
       480 * random() AS at, 30 * random() AS len,
       (ARRAY[0, 0.3, 2, 3, -1, 1e300])[1 + floor(random() * 6)::int] AS f
  FROM series x, generate_series(1, 6) g;
INSERT INTO public.world
SELECT CASE WHEN g < 300 THEN 0 ELSE 1 + (g - 300) / 30 END, x.service_id,
       x.metric_name, x.labels_key,
       timestamptz '2026-11-20T00:00:00Z' + g * interval '1 minute'
           + o.off * interval '1 second',
       CASE WHEN random() < 0.05 THEN x.base ELSE x.base * coalesce((SELECT
           max(st.f) FROM steps st WHERE st.service_id = x.service_id
           AND st.metric_name = x.metric_name AND st.labels_key = x.labels_key
           AND g BETWEEN st.at AND st.at + st.len), 1)
           * (1 + 0.1 * (random() - 0.5)) END
  FROM series x CROSS JOIN generate_series(0, 479) g
 CROSS JOIN LATERAL (SELECT 0.0 AS off UNION ALL
       SELECT 17.25 WHERE random() < 0.15) o
 WHERE random() < 0.9;
-- late points: some points move to a later batch
UPDATE public.world SET batch = batch + 1 + floor(random() * 3)::int
 WHERE batch > 0 AND random() < 0.05;
INSERT INTO midwatch.alert_rules (project_id, name, kind, config, severity,
    enabled, channels, cooldown_seconds, created_by)
SELECT p.id, 'th' || g, 'threshold', jsonb_build_object('source', 'metric',
       'metric', m, 'op', (ARRAY['>', '>=', '<', '<=', '==', '=', '!='])[1 + floor(random() * 7)::int],
       'value', CASE WHEN random() < 0.2 THEN (SELECT w.value FROM public.world w
           WHERE w.metric_name = m ORDER BY random() LIMIT 1)
           ELSE (CASE WHEN m = 'm1' THEN 1 ELSE 100 END) * (ARRAY[0, 0.5, 1, 1.5, 2.5, 4])[1 + floor(random() * 6)::int] END,
       'for_seconds', (ARRAY[0, 1, 30, 59, 60, 90, 120, 300, 600])[1 + floor(random() * 9)::int]),
       'high', true, '[{\"name\": \"ops\", \"kind\": \"log\"}]',
       300 * floor(random() * 3), 'test'
  FROM midwatch.projects p, generate_series(1, 8) g,
       LATERAL (SELECT CASE WHEN g % 2 = 0 THEN 'm1' ELSE 'm2' END AS m) y
 WHERE p.slug = 'default';
INSERT INTO midwatch.alert_rules (project_id, name, kind, config, severity,
    enabled, channels, cooldown_seconds, created_by)
SELECT p.id, 'tr' || g, 'trend', jsonb_build_object('source', 'metric',
       'metric', CASE WHEN g % 2 = 0 THEN 'm1' ELSE 'm2' END,
       'direction', CASE WHEN random() < 0.5 THEN 'up' ELSE 'down' END,
       'window_seconds', (ARRAY[300, 420, 1800, 3600])[1 + floor(random() * 4)::int],
       'min_change_ratio', (ARRAY[0.1, 0.3, 0.5, 1, 2])[1 + floor(random() * 5)::int]),
       'medium', true, '[{\"name\": \"ops\", \"kind\": \"log\"}]', 600, 'test'
  FROM midwatch.projects p, generate_series(1, 6) g WHERE p.slug = 'default';" \
    >/dev/null || { echo "Bail out! the world"; exit 1; }
pgtest_psql -c "CREATE DATABASE reference TEMPLATE c_side" >/dev/null
n=$(PGDATABASE=c_side pgtest_psql -c "SELECT count(*) || ' points, ' ||
    count(DISTINCT (service_id, metric_name, labels_key)) || ' series, ' ||
    max(batch) || ' batches' FROM public.world")
echo "# $n"
nb=$(PGDATABASE=c_side pgtest_psql -c "SELECT max(batch) FROM public.world")

# run_both BATCH: writes the batch's points and runs the pipeline over a
# random window up to its end in both copies
ok=0
b=0
while [ "$b" -le "$nb" ]; do
	win=$(awk -v s="$seed" -v b="$b" 'BEGIN { srand(s + b)
	    end = 300 + 30 * b; len = 5 + int(rand() * (b == 0 ? 300 : 90))
	    fmt = "2026-11-20T%02d:%02d:%02dZ"
	    e = end * 60 - int(rand() * 90); s0 = e - len * 60 - int(rand() * 60)
	    if (s0 < 0) s0 = 0
	    printf fmt " " fmt, s0 / 3600, (s0 % 3600) / 60, s0 % 60, e / 3600, (e % 3600) / 60, e % 60 }')
	set -- $win
	for db in c_side reference; do
		PGDATABASE=$db pgtest_psql -c "INSERT INTO midwatch.metric_points
		    (project_id, service_id, metric_name, labels_key, ts, value)
		  SELECT s.project_id, w.service_id, w.metric_name, w.labels_key, w.ts, w.value
		    FROM public.world w JOIN midwatch.services s ON s.id = w.service_id
		   WHERE w.batch = $b" >/dev/null
		if [ $db = reference ]; then
			MIDWATCH_TEST_ALERT_SQL=1 PGDATABASE=$db "$MIDWATCH" run --since "$1" --at "$2" \
			    >>"$TAP_TMP/$db.log" 2>&1
		else
			PGDATABASE=$db "$MIDWATCH" run --since "$1" --at "$2" >>"$TAP_TMP/$db.log" 2>&1
		fi
		echo "$db $b $1 $2 $?" >>"$TAP_TMP/runs"
	done
	b=$((b + 1))
done
echo "# runs that exited 1 (degraded): $(awk '$5 == 1' "$TAP_TMP/runs" | wc -l) of $(wc -l <"$TAP_TMP/runs")"
t_eq "every run ran in both copies" "0" \
    "$(awk '$5 > 1' "$TAP_TMP/runs" | wc -l)"
alerts="SELECT a.fingerprint, r.name, a.title, a.message, a.severity, a.score,
    a.status, a.details, a.fire_count, a.last_fired_at, a.service_id, a.incident_id
  FROM midwatch.alerts a JOIN midwatch.alert_rules r ON r.id = a.rule_id ORDER BY 1"
PGDATABASE=c_side pgtest_psql -c "$alerts" >"$TAP_TMP/alerts.c"
PGDATABASE=reference pgtest_psql -c "$alerts" >"$TAP_TMP/alerts.ref"
nt=$(grep -c '|th' "$TAP_TMP/alerts.ref")
nr=$(grep -c '|tr' "$TAP_TMP/alerts.ref")
echo "# alerts: $nt of threshold rules, $nr of trend rules"
[ "$nt" -gt 0 ] && [ "$nr" -gt 0 ]
t_ok $? "the world fires threshold and trend rules"
t_eq "the alerts are those of the reference statements" "" \
    "$(diff "$TAP_TMP/alerts.ref" "$TAP_TMP/alerts.c" | head -n 8)"
msgs="SELECT channel, payload - 'alert_id', dedupe_key FROM midwatch.outbound_messages ORDER BY 3"
PGDATABASE=c_side pgtest_psql -c "$msgs" >"$TAP_TMP/msgs.c"
PGDATABASE=reference pgtest_psql -c "$msgs" >"$TAP_TMP/msgs.ref"
t_eq "... and so are their notifications" "" \
    "$(diff "$TAP_TMP/msgs.ref" "$TAP_TMP/msgs.c" | head -n 4)"

# previews over random windows: each rule, C against the reference
awk -v s="$seed" 'BEGIN { srand(s * 7 + 1)
    for (i = 0; i < 6; i++) {
	e = 60 + int(rand() * 28500); s0 = e - 60 - int(rand() * 7200); if (s0 < 0) s0 = 0
	fmt = "2026-11-20T%02d:%02d:%02dZ"
	printf fmt " " fmt "\n", s0 / 3600, (s0 % 3600) / 60, s0 % 60, e / 3600, (e % 3600) / 60, e % 60 } }' >"$TAP_TMP/windows"
rules=$(PGDATABASE=c_side pgtest_psql -c "SELECT string_agg(name, ' ' ORDER BY name)
    FROM midwatch.alert_rules WHERE name ~ '^t[hr][0-9]'")
: >"$TAP_TMP/prev.c"
: >"$TAP_TMP/prev.ref"
while read -r since until; do
	for r in $rules; do
		PGDATABASE=c_side "$MIDWATCH" rules test "$r" --since "$since" --until "$until" --json \
		    >>"$TAP_TMP/prev.c" 2>&1
		MIDWATCH_TEST_ALERT_SQL=1 PGDATABASE=c_side "$MIDWATCH" rules test "$r" --since "$since" \
		    --until "$until" --json >>"$TAP_TMP/prev.ref" 2>&1
	done
done <"$TAP_TMP/windows"
np=$(grep -o '"fingerprint"' "$TAP_TMP/prev.ref" | wc -l)
echo "# previews: $np candidates"
[ "$np" -gt 0 ]
t_ok $? "the previews fire"
t_eq "every preview is the reference's" "" \
    "$(diff "$TAP_TMP/prev.ref" "$TAP_TMP/prev.c" | head -n 8)"
t_done
