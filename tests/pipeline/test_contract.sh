#!/bin/sh
# test_contract.sh - issue 3's contracts on demo data (the fixture-based
# tests are in tests/model): `midwatch incidents --json` field by field as
# doc/interfaces.md names it, parsed with PostgreSQL's jsonb functions
# and checked against the database; `midwatch report ID` for every demo
# incident, with external text sanitised; alerts and their queued
# notifications; and the feedback commands over two demo days: statuses an
# operator set survive a re-run, and a root cause confirmed on day 1 raises
# the prior of the same hypothesis on day 2 (against a control database
# where nobody confirmed anything); and a metric name the detector does not
# know is watched as a custom series.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
W=$TAP_TMP

# q SQL: one value from the current database.
q() { pgtest_psql -c "$1"; }

# jsql FILE SQL: runs SQL with :'j' bound to the text of the JSON document in
# FILE (read by psql itself: the document may exceed an argument's size).
jsql() {
	{ printf '\\set j `cat %s`\n' "$1"; printf '%s;\n' "$2"; } | pgtest_psql
}

# has_ctrl FILE: true when FILE holds a control byte other than tab/newline.
has_ctrl() {
	LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$1"
}

# The truth of a scenario as a SQL relation, for queries over it.
TRUTH="jsonb_to_recordset(:'t'::jsonb) AS t (fault text, expect text,
    hypothesis_type text, service text, ref text, onset timestamptz,
    \"end\" timestamptz)"
# tsql TRUTHFILE SQL: runs SQL with :'t' bound to a truth file.
tsql() {
	{ printf '\\set t `cat %s`\n' "$1"; printf '%s;\n' "$2"; } | pgtest_psql
}

# --- the scenario: day 1 is seed 1, day 2 is seed 3 a day later -------------
"$MIDWATCH" demo --emit "$W/d1.jsonl" --truth "$W/t1.json" --seed 1 >/dev/null 2>&1 &&
"$MIDWATCH" demo --emit "$W/s3.jsonl" --truth "$W/s3.json" --seed 3 >/dev/null 2>&1 ||
	{ echo "Bail out! demo --emit failed"; exit 1; }
# Day 2's deploy and config change ids and commit shas are renamed so that
# nothing collides with day 1's.
day2() {
	sed -E -e 's/2026-11-16T/2026-11-17T/g' -e 's/"(deploy|cfg)-/"d2-\1-/g' \
	    -e 's/"([0-9a-f]{38})[0-9a-f]{2}"/"\1d2"/g' "$1"
}
day2 "$W/s3.jsonl" >"$W/d2.jsonl"
day2 "$W/s3.json" >"$W/t2.json"

# Hostile commit messages: the bad deploy's commits carry terminal escapes
# and markdown that would form HTML and a link.
bad_ref=$(tsql "$W/t1.json" "SELECT ref FROM $TRUTH WHERE fault = 'bad_deploy'")
for sha in $(grep "\"id\":\"$bad_ref\"" "$W/d1.jsonl" | grep -o '"commits":\[[^]]*\]' |
    grep -oE '[0-9a-f]{40}'); do
	sed -i "/\"sha\":\"$sha\"/s/\"message\":\"/\"message\":\"@INJECT@/" "$W/d1.jsonl"
done
cat >"$W/inject.sed" <<'EOF'
s#@INJECT@#\\u001b]0;pwned\\u0007\\u001b[2J<script>alert(1)</script> [click](http://evil.test) *boom* #g
EOF
sed -i -f "$W/inject.sed" "$W/d1.jsonl"
t_eq "the bad deploy's commits carry hostile text" "t" \
    "$([ -n "$bad_ref" ] && [ "$(grep -c 'evil.test' "$W/d1.jsonl")" -ge 1 ] && echo t)"

# The contract is about open incidents: a quiet period of 30 days keeps the
# demo's incidents open (they would resolve by themselves at the end of the
# day since issue 10; tests/pipeline/test_lifecycle.sh tests that).
for db in contract control; do
	pgtest_createdb $db
	"$MIDWATCH" ingest "$W/d1.jsonl" >/dev/null 2>&1 &&
	"$MIDWATCH" project set incident.quiet_period 30d >/dev/null 2>&1 &&
	"$MIDWATCH" run >/dev/null 2>&1 || { echo "Bail out! day 1 failed in $db"; exit 1; }
done
PGDATABASE=contract; export PGDATABASE

# --- incidents --json -----------------------------------------------------------
"$MIDWATCH" incidents --json >"$W/inc.json"; rc=$?
t_eq "incidents --json exits 0" 0 "$rc"
J=$W/inc.json
t_eq "the document is a JSON array" "array" "$(jsql "$J" "SELECT jsonb_typeof(:'j'::jsonb)")"
nfaults=$(tsql "$W/t1.json" "SELECT count(*) FROM $TRUTH WHERE expect = 'incident'")
t_eq "it lists one incident per injected fault" "$nfaults" \
    "$(jsql "$J" "SELECT jsonb_array_length(:'j'::jsonb)")"
t_eq "... exactly the approved open incidents" \
    "$(q "select string_agg(i.id::text, ',' order by i.id) from midwatch.incidents i where midwatch.incident_decision(i.project_id, i.id) = 'approved' and i.status in ('open', 'triaged')")" \
    "$(jsql "$J" "SELECT string_agg(i->>'id', ',' ORDER BY (i->>'id')::bigint) FROM jsonb_array_elements(:'j'::jsonb) i")"

# Every field doc/interfaces.md lists (its table between the contract
# markers: `path` | type [or type] | meaning) is in every object it belongs
# to, with one of its types: extend, never rename or drop (issue 12).
sed -n '/^<!-- contract: incidents --json/,/^<!-- end of contract -->/p' \
    "$top_srcdir/doc/interfaces.md" >"$W/table"
sed -n 's/^| `\([a-z_.]*\(\[\][a-z_.]*\)*\)` | \([a-z ]*\) |.*/\1|\3/p' \
    "$W/table" >"$W/fields"
nfields=$(wc -l <"$W/fields" | tr -d ' ')
t_eq "doc/interfaces.md lists the incidents --json fields, every row read" \
    "t|$(grep -c '^| `' "$W/table")" "$([ "$nfields" -ge 50 ] && echo t)|$nfields"
bad="" unseen=""
while IFS='|' read -r path types; do
	key=${path##*.}
	key=${key%\[\]}
	case $path in
	*.*) parent="\$[*].$(echo "${path%.*}" | sed 's/\[\]/[*]/g')" ;;
	*) parent='$[*]' ;;
	esac
	r=$(jsql "$J" "SELECT count(*) FILTER (WHERE NOT (o ? '$key') OR
	    jsonb_typeof(o -> '$key') <> ALL (string_to_array('$(echo "$types" |
	    sed 's/ or /,/g')', ','))) || '/' || count(*)
	  FROM jsonb_path_query(:'j'::jsonb, '$parent') o WHERE jsonb_typeof(o) = 'object'")
	case $r in
	# the incidents are open here: their resolution is checked below
	0/0) case $path in resolution.*) ;; *) unseen="$unseen $path" ;; esac ;;
	0/*) ;;
	*) bad="$bad $path($r)" ;;
	esac
done <"$W/fields"
t_eq "incidents --json has every field doc/interfaces.md lists, with its type" "" "$bad"
t_eq "... every one of them seen on the demo's incidents" "" "$unseen"
# ... and the table lists every field the document has: a field added to
# the document is added to the contract too.
jsql "$J" "WITH RECURSIVE walk(p, v) AS (
     SELECT '', e FROM jsonb_array_elements(:'j'::jsonb) e
   UNION ALL
     SELECT CASE WHEN jsonb_typeof(w.v) = 'array' THEN w.p || '[]'
                 ELSE ltrim(w.p || '.' || k.key, '.') END,
            coalesce(k.value, a.value)
       FROM walk w
       LEFT JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(w.v) = 'object'
            THEN w.v END) k ON true
       LEFT JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(w.v) =
            'array' THEN w.v END) a ON true
      WHERE k.key IS NOT NULL OR a.value IS NOT NULL)
   SELECT DISTINCT p FROM walk WHERE p <> '' AND p NOT LIKE '%[]' ORDER BY 1" >"$W/paths"
cut -d'|' -f1 "$W/fields" >"$W/field_names"
t_eq "... and the table lists every field the document has" "" \
    "$(grep -vxF -f "$W/field_names" "$W/paths" | tr '\n' ' ')"

t_eq "every incident has the contract fields with their types and values" 0 \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_array_elements(:'j'::jsonb) i
  LEFT JOIN midwatch.incidents x ON x.id = (i->>'id')::bigint
  LEFT JOIN midwatch.services s ON s.id = x.service_id
 WHERE NOT coalesce(
    i ?& array['id', 'service', 'status', 'severity', 'trigger_type',
               'window_start', 'window_end', 'decision', 'hypotheses',
               'recommendations', 'alerts']
    AND jsonb_typeof(i->'id') = 'number' AND x.id IS NOT NULL
    AND i->>'service' = s.name
    AND i->>'status' IN ('open', 'triaged') AND i->>'status' = x.status
    AND i->>'severity' IN ('critical', 'high', 'medium', 'low', 'info')
    AND i->>'severity' = x.severity
    AND i->>'trigger_type' = x.trigger_type
    AND i->>'trigger_type' IN ('error_rate_spike', 'latency_regression',
        'saturation', 'traffic_drop', 'traffic_surge', 'crashloop',
        'error_fingerprint_new', 'health_down', 'conversion_drop',
        'external_alert', 'custom')
    AND i->>'window_start' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\$'
    AND i->>'window_end' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\$'
    AND abs(extract(epoch FROM (i->>'window_start')::timestamptz - x.window_start)) < 1
    AND abs(extract(epoch FROM (i->>'window_end')::timestamptz - x.window_end)) < 1
    AND jsonb_typeof(i->'decision') = 'object'
    AND i->'decision' ?& array['decision', 'rationale', 'policy_version']
    AND i->'decision'->>'decision' = 'approved'
    AND length(i->'decision'->>'rationale') > 0
    AND i->'decision'->>'policy_version' = 'gate-v1'
    AND jsonb_typeof(i->'hypotheses') = 'array'
    AND jsonb_array_length(i->'hypotheses') > 0
    AND jsonb_typeof(i->'recommendations') = 'array'
    AND jsonb_typeof(i->'alerts') = 'array', false)")"

t_eq "every hypothesis has the contract fields, matching the database" 0 \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_array_elements(:'j'::jsonb) i,
       jsonb_array_elements(i->'hypotheses') WITH ORDINALITY AS e(h, n)
  LEFT JOIN midwatch.hypotheses x ON x.id = (h->>'id')::bigint
  LEFT JOIN midwatch.services s ON s.id = x.service_id
 WHERE NOT coalesce(
    h ?& array['id', 'rank', 'type', 'service', 'title', 'confidence', 'ref', 'evidence']
    AND jsonb_typeof(h->'id') = 'number' AND x.incident_id = (i->>'id')::bigint
    AND jsonb_typeof(h->'rank') = 'number' AND (h->>'rank')::int = n
    AND x.rank = n
    AND h->>'type' IN ('release', 'config', 'traffic', 'dependency', 'db',
        'infra', 'unknown') AND h->>'type' = x.hypothesis_type
    AND h->>'service' IS NOT DISTINCT FROM s.name
    AND jsonb_typeof(h->'title') = 'string' AND h->>'title' = x.title
    AND jsonb_typeof(h->'confidence') = 'number'
    AND (h->>'confidence')::float8 BETWEEN 0 AND 1
    AND jsonb_typeof(h->'ref') IN ('string', 'null')
    AND h->>'ref' IS NOT DISTINCT FROM x.ref
    AND jsonb_typeof(h->'evidence') = 'array', false)")"
t_eq "every incident lists all its hypotheses" 0 \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_array_elements(:'j'::jsonb) i
 WHERE jsonb_array_length(i->'hypotheses') <> (SELECT count(*)
       FROM midwatch.hypotheses h WHERE h.incident_id = (i->>'id')::bigint)")"
t_eq "hypotheses are listed by rank, most confident first" 0 \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_array_elements(:'j'::jsonb) i,
       jsonb_array_elements(i->'hypotheses') WITH ORDINALITY AS a(h, n),
       jsonb_array_elements(i->'hypotheses') WITH ORDINALITY AS b(g, m)
 WHERE m = n + 1 AND (g->>'confidence')::float8 > (h->>'confidence')::float8")"

t_eq "every cited evidence has id, kind, role, summary, matching what it cites" 0 \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_array_elements(:'j'::jsonb) i,
       jsonb_array_elements(i->'hypotheses') h, jsonb_array_elements(h->'evidence') e
  LEFT JOIN midwatch.evidence_artifacts a ON a.id = (e->>'id')::bigint
 WHERE NOT coalesce(
    e ?& array['id', 'kind', 'role', 'summary']
    AND e->>'role' IN ('supports', 'contradicts', 'missing')
    AND e->>'kind' IN ('metric_anomaly', 'deployment', 'config_change',
        'commit_file', 'error_fingerprint', 'health_check', 'dependency_anomaly',
        'traffic_shift', 'external_alert', 'similar_incident', 'note')
    AND jsonb_typeof(e->'summary') = 'string' AND length(e->>'summary') > 0
    AND CASE WHEN e->>'role' = 'missing' THEN jsonb_typeof(e->'id') = 'null'
        ELSE jsonb_typeof(e->'id') = 'number'
             AND a.incident_id = (i->>'id')::bigint
             AND a.kind = e->>'kind' AND a.summary = e->>'summary' END, false)")"
t_eq "every hypothesis lists all its cited evidence" 0 \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_array_elements(:'j'::jsonb) i,
       jsonb_array_elements(i->'hypotheses') h
 WHERE jsonb_array_length(h->'evidence') <> (SELECT count(*)
       FROM midwatch.hypothesis_evidence he WHERE he.hypothesis_id = (h->>'id')::bigint)")"
t_eq "the demo's hypotheses cite supporting, contradicting and missing evidence" \
    "contradicts,missing,supports" \
    "$(jsql "$J" "SELECT string_agg(DISTINCT e->>'role', ',' ORDER BY e->>'role') FROM jsonb_array_elements(:'j'::jsonb) i,
       jsonb_array_elements(i->'hypotheses') h, jsonb_array_elements(h->'evidence') e")"

# Each fault's incident: rank 1 names the truth's cause, its ref the id the
# deploy or config change arrived with (or the dependency); "-" where the
# truth names no ref.
verdict=$(jsql "$J" "\\set t \`cat $W/t1.json\`
SELECT string_agg(t.fault || '=' || coalesce((
    SELECT (h->>'type') || '|' || (h->>'service') || '|'
           || CASE WHEN t.ref IS NULL THEN '-' ELSE coalesce(h->>'ref', '-') END
      FROM jsonb_array_elements(:'j'::jsonb) i, jsonb_array_elements(i->'hypotheses') h
     WHERE (h->>'rank')::int = 1
       AND (i->>'window_start')::timestamptz <= t.\"end\"
       AND (i->>'window_end')::timestamptz >= t.onset
     ORDER BY (i->>'id')::bigint LIMIT 1), 'none'), ' ' ORDER BY t.onset)
  FROM $TRUTH WHERE t.expect = 'incident'")
want=$(tsql "$W/t1.json" "SELECT string_agg(t.fault || '=' || t.hypothesis_type || '|' || t.service || '|' || coalesce(t.ref, '-'), ' ' ORDER BY t.onset) FROM $TRUTH WHERE t.expect = 'incident'")
t_eq "rank 1 of each fault's incident: type|service|ref" "$want" "$verdict"
for ref in $(tsql "$W/t1.json" "SELECT ref FROM $TRUTH WHERE hypothesis_type IN ('release', 'config')"); do
	t_eq "ref $ref is the id of one ingested line" 1 "$(grep -c "\"id\":\"$ref\"" "$W/d1.jsonl")"
done

t_eq "every recommendation has the contract fields, matching the database" 0 \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_array_elements(:'j'::jsonb) i,
       jsonb_array_elements(i->'recommendations') r
  LEFT JOIN midwatch.recommendations x ON x.id = (r->>'id')::bigint
 WHERE NOT coalesce(
    r ?& array['id', 'type', 'title', 'status', 'publishable']
    AND jsonb_typeof(r->'id') = 'number' AND x.incident_id = (i->>'id')::bigint
    AND r->>'type' IN ('rollback', 'revert_config', 'scale_out', 'failover',
        'restart', 'rate_limit', 'investigate') AND r->>'type' = x.type
    AND r->>'title' = x.title
    AND r->>'status' IN ('new', 'acknowledged', 'done', 'dismissed')
    AND jsonb_typeof(r->'publishable') = 'boolean'
    AND (r->>'publishable')::boolean, false)")"
t_eq "every incident has a publishable recommendation" 0 \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_array_elements(:'j'::jsonb) i
 WHERE jsonb_array_length(i->'recommendations') = 0")"
"$MIDWATCH" incidents --json --all >"$W/all.json"
t_eq "--all adds the recommendations the gate holds back" \
    "$(q "select count(*) from midwatch.recommendations r where midwatch.incident_decision(r.project_id, r.incident_id) = 'approved'")|true" \
    "$(jsql "$W/all.json" "SELECT count(*) || '|' || bool_or(NOT (r->>'publishable')::boolean)
  FROM jsonb_array_elements(:'j'::jsonb) i, jsonb_array_elements(i->'recommendations') r")"

t_eq "every alert has the contract fields, matching the database" 0 \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_array_elements(:'j'::jsonb) i,
       jsonb_array_elements(i->'alerts') a
  LEFT JOIN midwatch.alerts x ON x.id = (a->>'id')::bigint
 WHERE NOT coalesce(
    a ?& array['id', 'title', 'severity', 'status']
    AND jsonb_typeof(a->'id') = 'number' AND x.incident_id = (i->>'id')::bigint
    AND a->>'title' = x.title
    AND a->>'severity' IN ('critical', 'high', 'medium', 'low', 'info')
    AND a->>'severity' = x.severity
    AND a->>'status' IN ('active', 'acknowledged', 'resolved', 'silenced')
    AND a->>'status' = x.status, false)")"
t_eq "every incident lists its alerts, the incident's own alert among them" 0 \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_array_elements(:'j'::jsonb) i
 WHERE jsonb_array_length(i->'alerts') <> (SELECT count(*) FROM midwatch.alerts a
       WHERE a.incident_id = (i->>'id')::bigint)
    OR NOT EXISTS (SELECT 1 FROM midwatch.alerts a WHERE a.incident_id = (i->>'id')::bigint
       AND a.fingerprint LIKE 'incident:%')")"
t_eq "every timestamp in the document is RFC 3339 UTC" 0 \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_path_query(:'j'::jsonb, 'strict \$.**') v
 WHERE jsonb_typeof(v) = 'string' AND v #>> '{}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]'
   AND v #>> '{}' !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z\$'")"
if has_ctrl "$J"; then t_ok 1 "the JSON holds no raw control characters"
else t_ok 0 "the JSON holds no raw control characters"; fi
t_eq "the hostile commit text is still plain JSON (escaped, not dropped)" "t" \
    "$(jsql "$J" "SELECT count(*) > 0 FROM jsonb_path_query(:'j'::jsonb, 'strict \$.**') v
 WHERE jsonb_typeof(v) = 'string' AND v #>> '{}' LIKE '%<script>alert(1)</script>%'")"

# --- report ----------------------------------------------------------------------
bad_inc=$(jsql "$J" "SELECT i->>'id' FROM jsonb_array_elements(:'j'::jsonb) i
 WHERE i->'hypotheses'->0->>'ref' = '$bad_ref'")
ok=0; bad=""
for id in $(jsql "$J" "SELECT i->>'id' FROM jsonb_array_elements(:'j'::jsonb) i"); do
	"$MIDWATCH" report "$id" >"$W/r$id.md" 2>&1 || { ok=1; bad="$bad $id:exit"; continue; }
	nh=$(jsql "$J" "SELECT jsonb_array_length(i->'hypotheses') FROM jsonb_array_elements(:'j'::jsonb) i WHERE i->>'id' = '$id'")
	t1=$(jsql "$J" "SELECT i->'hypotheses'->0->>'title' FROM jsonb_array_elements(:'j'::jsonb) i WHERE i->>'id' = '$id'")
	for re in "^# Incident $id: " "^## What happened" "^## Timeline" \
	    '^\| 20[0-9-]+T[0-9:]+Z \| (deploy|config_change|alert|onset|signal|note) \|' \
	    "^## Hypotheses" "^### 1\. " "^- supports \[E[0-9]+\] " \
	    "^## Why rank 1 ranks above rank 2" "^Rank 1 \(.*\) ranks above rank 2" \
	    "^## Recommendations" "^## Alerts" "^## Evidence cited"; do
		grep -Eq -- "$re" "$W/r$id.md" || { ok=1; bad="$bad $id:$re"; }
	done
	[ "$(grep -c '^### [0-9]*\. ' "$W/r$id.md")" = "$nh" ] || { ok=1; bad="$bad $id:hypotheses"; }
	grep -Fq -- "Rank 1 (" "$W/r$id.md" && grep -q "^### 1\. " "$W/r$id.md" ||
		{ ok=1; bad="$bad $id:rank1"; }
	has_ctrl "$W/r$id.md" && { ok=1; bad="$bad $id:control"; }
done
t_ok $ok "report ID, for every demo incident: what happened, timeline, every hypothesis by rank with its evidence, why rank 1 won, recommendations, alerts${bad:+ (failed:$bad)}"
cat "$W"/r*.md >"$W/all.md"
t_match "reports cite evidence that contradicts" "^- contradicts \[E[0-9]+\] " "$(cat "$W/all.md")"
t_match "... and evidence looked for and not found" "^- missing [a-z_]+: " "$(cat "$W/all.md")"
md=$(cat "$W/r$bad_inc.md")
t_match "the bad deploy's report blames the deploy first" "^### 1\. release $bad_ref of " "$md"
t_match "... and recommends rolling it back" "Roll back deploy $bad_ref " "$md"
t_match "... explains the win by the deploy's score terms" "^- Rank 1 scored( -?[0-9]+\.[0-9]{2}, (capped|floored) at [0-9]\.[0-9]{2})?: .*deploy $bad_ref" "$md"
t_match "... quotes the commit message" "alert\(1\)" "$md"
if has_ctrl "$W/r$bad_inc.md"; then t_ok 1 "terminal escapes in commit messages never reach the report"
else t_ok 0 "terminal escapes in commit messages never reach the report"; fi
t_match "markdown in commit messages is escaped" '\\<script\\>alert\(1\)\\</script\\> \\\[click\]\(http://evil\.test\) \\\*boom\\\*' "$md"
t_ok "$(printf '%s\n' "$md" | grep -Eq '(^|[^\\])<script>|(^|[^\\])\[click\]'; [ $? -ne 0 ]; echo $?)" \
    "no raw HTML or link from outside in the report"
"$MIDWATCH" incidents >"$W/table.txt"
if has_ctrl "$W/table.txt"; then t_ok 1 "the incidents table is sanitised too"
else t_ok 0 "the incidents table is sanitised too"; fi

# --- alerts and notifications ---------------------------------------------------
t_eq "the default rules notify the local log channel" "t" \
    "$(q "select count(*) > 0 and bool_and(channels = '[{\"name\": \"log\", \"kind\": \"log\"}]') from midwatch.alert_rules where created_by = 'system'")"
"$MIDWATCH" project create fresh >/dev/null 2>&1
t_eq "... in a project created later too" "t" \
    "$(q "select count(*) > 0 and bool_and(r.channels = '[{\"name\": \"log\", \"kind\": \"log\"}]') from midwatch.alert_rules r join midwatch.projects p on p.id = r.project_id where p.slug = 'fresh' and r.created_by = 'system'")"
# (an external alert mirrored at ingest, fingerprint external:..., notifies
# nobody itself: its source did; sql/012_alertmanager.sql).  A symptom of
# an incident group has its notification held (inhibited), not sent: its
# group's head pages (doc/pipeline-output.md, "Alert groups").
t_eq "one log notification per alert, delivered by the run or held as a group's symptom" "$(q "select count(*) from midwatch.alerts where fingerprint not like 'external:%'")|0|0" \
    "$(q "select count(*) || '|' || count(*) filter (where channel <> 'log' or channel_kind <> 'log' or (status <> 'sent' and not (status = 'inhibited' and exists (select 1 from midwatch.alerts g where g.id = alert_id and g.group_inhibited)))) || '|' || (select count(*) from midwatch.alerts a where a.fingerprint not like 'external:%' and not exists (select 1 from midwatch.outbound_messages m where m.alert_id = a.id)) from midwatch.outbound_messages")"
t_ok "$([ "$(q "select count(*) from midwatch.outbound_messages where status = 'sent'")" -ge 1 ]; echo $?)" \
    "... the heads' notifications sent"
t_eq "the notification carries the alert" 0 \
    "$(q "select count(*) from midwatch.outbound_messages m join midwatch.alerts a on a.id = m.alert_id where m.payload->>'title' <> a.title or m.payload->>'fingerprint' <> a.fingerprint or (m.payload->>'alert_id')::bigint <> a.id")"
t_eq "one alert per fingerprint" 0 \
    "$(q "select count(*) from (select fingerprint from midwatch.alerts group by 1 having count(*) > 1) d")"
t_eq "one incident alert per approved incident (the critical rule and the medium rule share it)" "$nfaults" \
    "$(q "select count(*) from midwatch.alerts where fingerprint like 'incident:%'")"
before=$(q "select count(*) || '|' || (select count(*) from midwatch.outbound_messages) || '|' || sum(fire_count) from midwatch.alerts")
"$MIDWATCH" run --since 2026-11-16T00:00:00Z >/dev/null 2>&1
t_eq "recomputing the day alerts and notifies nothing twice" "$before" \
    "$(q "select count(*) || '|' || (select count(*) from midwatch.outbound_messages) || '|' || sum(fire_count) from midwatch.alerts")"

# --- feedback on demo data ----------------------------------------------------------
MIDWATCH_ACTOR=oncall; export MIDWATCH_ACTOR
ext=$(tsql "$W/t1.json" "SELECT onset || '|' || \"end\" FROM $TRUTH WHERE fault = 'external_outage'")
ext_inc=$(q "select i.id from midwatch.incidents i where midwatch.incident_decision(i.project_id, i.id) = 'approved' and i.window_start <= '${ext#*|}' and i.window_end >= '${ext%|*}' order by i.id limit 1")
hyp=$(q "select id from midwatch.hypotheses where incident_id = $ext_inc and rank = 1")
alert=$(q "select id from midwatch.alerts where incident_id = $ext_inc order by id limit 1")
rec=$(q "select id from midwatch.recommendations where incident_id = $ext_inc and publishable order by id desc limit 1")
t_eq "confirm --root-cause on the outage's rank-1 hypothesis" \
    "hypothesis $hyp confirmed by oncall as the root cause" "$("$MIDWATCH" confirm "$hyp" --root-cause 2>&1)"
t_run "ack one of its alerts" "$MIDWATCH" ack "$alert"
t_run "dismiss one of its recommendations" "$MIDWATCH" dismiss "$rec"
t_run "note on the incident" "$MIDWATCH" note incident "$ext_inc" "psp status page confirms the outage"
"$MIDWATCH" incidents --json >"$W/fb.json"
t_eq "incidents --json shows the confirmed root cause" "confirmed|true" \
    "$(jsql "$W/fb.json" "SELECT (h->>'status') || '|' || (h->>'root_cause') FROM jsonb_array_elements(:'j'::jsonb) i, jsonb_array_elements(i->'hypotheses') h WHERE h->>'id' = '$hyp'")"
t_eq "... and the acknowledged alert and dismissed recommendation" "acknowledged|dismissed" \
    "$(jsql "$W/fb.json" "SELECT (SELECT a->>'status' FROM jsonb_array_elements(i->'alerts') a WHERE a->>'id' = '$alert') || '|' || (SELECT r->>'status' FROM jsonb_array_elements(i->'recommendations') r WHERE r->>'id' = '$rec') FROM jsonb_array_elements(:'j'::jsonb) i WHERE i->>'id' = '$ext_inc'")"
state="select (select status || '|' || rank from midwatch.hypotheses where id = $hyp) || '|' || (select root_cause_hypothesis_id from midwatch.incidents where id = $ext_inc) || '|' || (select status from midwatch.alerts where id = $alert) || '|' || (select status from midwatch.recommendations where id = $rec) || '|' || (select outcome || ':' || confirmed_hypothesis_type from midwatch.past_case_outcomes where incident_id = $ext_inc)"
t_eq "the learning record is written" "confirmed|1|$hyp|acknowledged|dismissed|confirmed:dependency" "$(q "$state")"
t_run "recomputing day 1 runs" "$MIDWATCH" run --since 2026-11-16T00:00:00Z
t_eq "... and keeps every status the operator set" "confirmed|1|$hyp|acknowledged|dismissed|confirmed:dependency" "$(q "$state")"
md=$("$MIDWATCH" report "$ext_inc")
t_match "the refreshed report names the confirmed root cause" \
    "^### 1\. external dependency psp-gateway failing .* - confirmed root cause by oncall\$" "$md"
t_match "... and the operator's note" "psp status page confirms the outage" "$md"

# --- day 2: new data, and what day 1 taught --------------------------------------------
for db in contract control; do
	PGDATABASE=$db "$MIDWATCH" ingest "$W/d2.jsonl" >/dev/null 2>&1
	PGDATABASE=$db "$MIDWATCH" run >"$W/run2.$db" 2>&1
	t_ok $? "$db: the run over day 2 completes"
	t_match "$db: ... covering day 2 from the watermark" "window 2026-11-16T23:59:[0-9]+Z \.\. 2026-11-17T" "$(cat "$W/run2.$db")"
done
# Day 2's faults, judged in both databases as test_scenarios.sh does.
day2_verdict() {
	PGDATABASE=$1 tsql "$W/t2.json" "SELECT string_agg(t.fault || '=' || coalesce((
    SELECT h.hypothesis_type || '|' || coalesce(s.name, '-') || '|'
           || CASE WHEN t.ref IS NULL THEN '-' ELSE coalesce(h.ref, '-') END
      FROM midwatch.incidents i JOIN midwatch.hypotheses h ON h.incident_id = i.id AND h.rank = 1
      LEFT JOIN midwatch.services s ON s.id = h.service_id
     WHERE midwatch.incident_decision(i.project_id, i.id) = 'approved'
       AND i.window_start <= t.\"end\" AND i.window_end >= t.onset
     ORDER BY i.id LIMIT 1), 'none'), ' ' ORDER BY t.onset)
  FROM $TRUTH WHERE t.expect = 'incident'"
}
want2=$(tsql "$W/t2.json" "SELECT string_agg(t.fault || '=' || t.hypothesis_type || '|' || t.service || '|' || coalesce(t.ref, '-'), ' ' ORDER BY t.onset) FROM $TRUTH WHERE t.expect = 'incident'")
t_eq "control: day 2's faults are diagnosed right (recurring errors still name the failing dependency)" \
    "$want2" "$(day2_verdict control)"
t_eq "contract: day 2's faults are diagnosed right" "$want2" "$(day2_verdict contract)"
t_eq "control: day 2 approves nothing else" \
    "$(tsql "$W/t2.json" "SELECT count(*) FROM $TRUTH WHERE expect = 'incident'")" \
    "$(PGDATABASE=control q "select count(*) from midwatch.incidents i where i.window_start >= '2026-11-17' and midwatch.incident_decision(i.project_id, i.id) = 'approved'")"

ext2=$(tsql "$W/t2.json" "SELECT onset || '|' || \"end\" FROM $TRUTH WHERE fault = 'external_outage'")
rank1() { # rank1 DB: id|confidence|why of the day-2 outage's rank-1 hypothesis
	PGDATABASE=$1 q "select h.id || '|' || h.confidence || '|' || (h.score_details->>'explanation') from midwatch.incidents i join midwatch.hypotheses h on h.incident_id = i.id and h.rank = 1 where midwatch.incident_decision(i.project_id, i.id) = 'approved' and i.window_start <= '${ext2#*|}' and i.window_end >= '${ext2%|*}' order by i.id limit 1"
}
with=$(rank1 contract); without=$(rank1 control)
t_match "day 2's outage cites the confirmed past case as prior" \
    "confirmed root cause of 1 past incident\(s\) of the same kind" "$with"
t_ok "$(printf '%s\n' "$without" | grep -q 'past incident'; [ $? -ne 0 ]; echo $?)" \
    "... which the control database, where nobody confirmed, does not"
c1=$(printf '%s' "$with" | cut -d'|' -f2); c0=$(printf '%s' "$without" | cut -d'|' -f2)
t_eq "the confirmed root cause raises the same hypothesis by the prior (+0.10)" "0.10" \
    "$(q "select to_char(round(($c1 - $c0)::numeric, 2), 'FM0.00')")"
h2=$(printf '%s' "$with" | cut -d'|' -f1)
t_eq "the prior cites the similar past incident as supporting evidence" "similar_incident|supports|$ext_inc" \
    "$(q "select e.kind || '|' || he.role || '|' || (e.metadata->>'incident_id') from midwatch.hypothesis_evidence he join midwatch.evidence_artifacts e on e.id = he.evidence_id where he.hypothesis_id = $h2 and e.kind = 'similar_incident'")"
t_match "and the day-2 report shows it" "supports \[E[0-9]+\] similar_incident: past incident #$ext_inc" \
    "$("$MIDWATCH" report "$(q "select incident_id from midwatch.hypotheses where id = $h2")")"

# --- a metric name the detector does not know ------------------------------------
# doc/interfaces.md: any other name is a custom series, watched for change in either
# direction.  A business KPI drops to a third for 40 minutes.
pgtest_createdb custom
awk 'BEGIN {
	t0 = 1794787200
	for (i = 0; i < 300; i++) {
		v = 100 + (i * 37 % 11) - 5
		if (i >= 200 && i < 240) v = 30 + (i * 37 % 5)
		printf "{\"kind\":\"metric\",\"ts\":\"%s\",\"service\":\"shop-api\",\"metric\":\"orders_per_minute\",\"value\":%d}\n", strftime("%Y-%m-%dT%H:%M:%SZ", t0 + i * 60, 1), v
	}
}' >"$W/custom.jsonl"
out=$("$MIDWATCH" ingest "$W/custom.jsonl" 2>&1)
t_match "an unknown metric name is ingested, not rejected" "300 valid, 0 rejected" "$out"
t_run "the pipeline runs over it" "$MIDWATCH" run
t_eq "its drop is a custom signal, direction down, from the first low minute" \
    "custom|down|2026-11-16 03:20:00+00" \
    "$(q "select signal_type || '|' || direction || '|' || onset_at from midwatch.signals where metric_name = 'orders_per_minute'")"

# --- a resolution in incidents --json ----------------------------------------------
# The drop ended at 04:00 and the data at 05:00: past its quiet period the
# incident resolved by itself, and incidents --json --all says how.
"$MIDWATCH" incidents --json --all >"$W/resolved.json"
res=$(q "select id || '|' || extract(epoch from resolved_at) from midwatch.incidents where status = 'resolved' order by id limit 1")
t_eq "a resolved incident carries its resolution: who, when, what cleared, the data time" \
    "${res%%|*}|resolved|midwatch|true|true|$(q "select to_char(resolved_data_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') from midwatch.incidents where id = ${res%%|*}")" \
    "$(jsql "$W/resolved.json" "SELECT i->>'id' || '|' || (i->>'status') || '|' || (i->'resolution'->>'resolved_by') || '|' || (i->'resolution'->>'summary' like 'Resolved by midwatch:%') || '|' || (abs(extract(epoch FROM (i->'resolution'->>'resolved_at')::timestamptz) - ${res#*|}) < 1) || '|' || left(i->'resolution'->>'data_time', 19) FROM jsonb_array_elements(:'j'::jsonb) i WHERE i->>'status' = 'resolved' ORDER BY (i->>'id')::bigint LIMIT 1")"
t_eq "... and an open one none" "0" \
    "$(jsql "$J" "SELECT count(*) FROM jsonb_array_elements(:'j'::jsonb) i WHERE i->'resolution' <> 'null'::jsonb")"
t_done
