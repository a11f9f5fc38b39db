#!/bin/sh
# test_model.sh - the read model through `midwatch incidents` and `midwatch
# report`, over the SQL fixture tests/model/fixture.sql: the --json contract
# (every doc/interfaces.md field with its JSON type, checked with PostgreSQL's jsonb),
# which incidents are listed and in what order, recommendations the gate
# holds back (listed only with --all), the text table, sanitising, project
# scoping, and the report command's errors.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
pgtest_psql -f "$top_srcdir/tests/model/fixture.sql" >/dev/null ||
	{ echo "Bail out! fixture failed"; exit 1; }

# A publishable and a held-back recommendation, written as the gate would.
pgtest_psql >/dev/null <<'EOF'
INSERT INTO midwatch.recommendations (id, project_id, incident_id, hypothesis_id,
       dedupe_key, template_key, type, title, evidence_count, gate_status,
       gate_reason, publishable)
SELECT 950, id, 200, 400, 'fx-950', 'rollback_deploy', 'rollback',
       'Roll back deploy d-123', 2, 'passed', NULL, true
  FROM midwatch.projects WHERE slug = 'default'
UNION ALL
SELECT 951, id, 200, 402, 'fx-951', 'scale_out', 'scale_out',
       'Scale out checkout', 0, 'blocked', 'no supporting evidence', false
  FROM midwatch.projects WHERE slug = 'default';
UPDATE midwatch.incidents SET title = E'Latency regression \033[2J on payments\007'
 WHERE id = 203;
EOF

# has_ctrl TEXT: true when TEXT holds a control byte other than tab/newline.
has_ctrl() {
	printf '%s' "$1" | LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')"
}

# jsonq DOC EXPR: evaluates the SQL expression EXPR over the document, the
# column j of the one-row table d (EXPR may continue with "FROM d, ...").
jsonq() {
	case $2 in
	*"FROM d,"*) _q=$2 ;;
	*) _q="$2 FROM d" ;;
	esac
	printf "WITH d (j) AS (SELECT :'doc'::jsonb) SELECT %s;\n" "$_q" |
		pgtest_psql -v "doc=$1"
}

json=$("$MIDWATCH" incidents --json); rc=$?
t_eq "incidents --json exits 0" 0 "$rc"
t_eq "the document is a JSON array" "array" "$(jsonq "$json" "jsonb_typeof(j)")"
t_eq "default: approved, unresolved incidents, open first then severity" \
    "200,203" "$(jsonq "$json" "string_agg(i->>'id', ',' ORDER BY n) FROM d, jsonb_array_elements(j) WITH ORDINALITY AS e(i, n)")"

bad=$(jsonq "$json" "count(*) FROM d, jsonb_array_elements(j) i WHERE NOT (
    jsonb_typeof(i->'id') = 'number' AND (i->>'id') ~ '^[0-9]+\$'
    AND jsonb_typeof(i->'service') IN ('string', 'null')
    AND jsonb_typeof(i->'status') = 'string'
    AND jsonb_typeof(i->'severity') = 'string'
    AND jsonb_typeof(i->'trigger_type') = 'string'
    AND (i->>'window_start') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\$'
    AND (i->>'window_end') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\$'
    AND jsonb_typeof(i->'decision') = 'object'
    AND jsonb_typeof(i->'decision'->'decision') = 'string'
    AND jsonb_typeof(i->'decision'->'rationale') = 'string'
    AND jsonb_typeof(i->'decision'->'policy_version') = 'string'
    AND jsonb_typeof(i->'hypotheses') = 'array'
    AND jsonb_typeof(i->'recommendations') = 'array'
    AND jsonb_typeof(i->'alerts') = 'array')")
t_eq "every incident has the contract fields with their JSON types" 0 "$bad"

bad=$(jsonq "$json" "count(*) FROM d, jsonb_array_elements(j) i,
    jsonb_array_elements(i->'hypotheses') h WHERE NOT (
    (h->>'id') ~ '^[0-9]+\$' AND jsonb_typeof(h->'rank') = 'number'
    AND jsonb_typeof(h->'type') = 'string'
    AND jsonb_typeof(h->'service') IN ('string', 'null')
    AND jsonb_typeof(h->'title') = 'string'
    AND jsonb_typeof(h->'confidence') = 'number'
    AND h ? 'ref' AND jsonb_typeof(h->'ref') IN ('string', 'null')
    AND jsonb_typeof(h->'evidence') = 'array')")
t_eq "every hypothesis has the contract fields with their JSON types" 0 "$bad"
t_eq "hypotheses are listed by rank" "1,2,3" \
    "$(jsonq "$json" "string_agg(h->>'rank', ',' ORDER BY n) FROM d, jsonb_array_elements(j->0->'hypotheses') WITH ORDINALITY AS e(h, n)")"
t_eq "a hypothesis blaming nothing has ref null" "null" \
    "$(jsonq "$json" "jsonb_typeof(j->0->'hypotheses'->2->'ref')")"
t_eq "ref names the deploy by the id it arrived with" "d-123" \
    "$(jsonq "$json" "j->0->'hypotheses'->0->>'ref'")"

bad=$(jsonq "$json" "count(*) FROM d, jsonb_array_elements(j) i,
    jsonb_array_elements(i->'hypotheses') h, jsonb_array_elements(h->'evidence') e
    WHERE NOT (
    (jsonb_typeof(e->'id') = 'number' OR (jsonb_typeof(e->'id') = 'null' AND e->>'role' = 'missing'))
    AND jsonb_typeof(e->'kind') = 'string'
    AND e->>'role' IN ('supports', 'contradicts', 'missing')
    AND jsonb_typeof(e->'summary') = 'string')")
t_eq "every evidence entry has id, kind, role, summary (id null only when missing)" 0 "$bad"
t_eq "evidence: supports, then contradicts, then missing" \
    "supports:302,contradicts:300,missing:" \
    "$(jsonq "$json" "string_agg((e->>'role') || ':' || coalesce(e->>'id', ''), ',' ORDER BY n) FROM d, jsonb_array_elements(j->0->'hypotheses'->1->'evidence') WITH ORDINALITY AS x(e, n)")"

bad=$(jsonq "$json" "count(*) FROM d, jsonb_array_elements(j) i,
    jsonb_array_elements(i->'recommendations') r WHERE NOT (
    (r->>'id') ~ '^[0-9]+\$' AND jsonb_typeof(r->'type') = 'string'
    AND jsonb_typeof(r->'title') = 'string' AND jsonb_typeof(r->'status') = 'string'
    AND jsonb_typeof(r->'publishable') = 'boolean')")
t_eq "every recommendation has the contract fields" 0 "$bad"
t_eq "only publishable recommendations by default" "950" \
    "$(jsonq "$json" "string_agg(r->>'id', ',') FROM d, jsonb_array_elements(j->0->'recommendations') r")"

bad=$(jsonq "$json" "count(*) FROM d, jsonb_array_elements(j) i,
    jsonb_array_elements(i->'alerts') a WHERE NOT (
    (a->>'id') ~ '^[0-9]+\$' AND jsonb_typeof(a->'title') = 'string'
    AND jsonb_typeof(a->'severity') = 'string' AND jsonb_typeof(a->'status') = 'string')")
t_eq "every alert has the contract fields" 0 "$bad"
t_eq "an incident lists its own alerts" "800" \
    "$(jsonq "$json" "string_agg(a->>'id', ',') FROM d, jsonb_array_elements(j->0->'alerts') a")"
t_eq "decision comes from the gate" "approved v1" \
    "$(jsonq "$json" "(j->0->'decision'->>'decision') || ' ' || (j->0->'decision'->>'policy_version')")"

all=$("$MIDWATCH" incidents --json --all)
t_eq "--all lists resolved and suppressed incidents too, in order" "200,203,202,201" \
    "$(jsonq "$all" "string_agg(i->>'id', ',' ORDER BY n) FROM d, jsonb_array_elements(j) WITH ORDINALITY AS e(i, n)")"
t_eq "--all also lists held-back recommendations" "950:true,951:false" \
    "$(jsonq "$all" "string_agg((r->>'id') || ':' || (r->>'publishable'), ',' ORDER BY r->>'id') FROM d, jsonb_array_elements(j->0->'recommendations') r")"
t_eq "a suppressed incident carries its decision" "suppressed" \
    "$(jsonq "$all" "i->'decision'->>'decision' FROM d, jsonb_array_elements(j) i WHERE i->>'id' = '201'")"

out=$("$MIDWATCH" incidents); rc=$?
t_eq "incidents (table) exits 0" 0 "$rc"
t_match "the table has a header" "^ID +STATUS +SEVERITY +SERVICE +WINDOW" "$out"
t_match "the table lists incident 200" "^200 +open +high +checkout +2026-11-16 13:05-13:40 +Error rate spike on checkout" "$out"
t_match "hypotheses are indented under their incident" "^ +1\. release +0\.82 +Deploy d-123 broke checkout \(d-123\) +\[hypothesis 400\]" "$out"
t_ok "$(printf '%s\n' "$out" | grep -c '^201 ' | grep -qx 0; echo $?)" "the table leaves out suppressed incidents"
if has_ctrl "$out"; then t_ok 1 "control characters from outside are not printed"
else t_ok 0 "control characters from outside are not printed"; fi
t_match "the sanitised title is still shown" "Latency regression .*on payments" "$out"

out=$("$MIDWATCH" incidents --all)
t_match "--all table shows suppressed incidents" "^201 +suppressed" "$out"

"$MIDWATCH" project create other >/dev/null 2>&1	# an empty project (never made implicitly)
out=$("$MIDWATCH" --project other incidents --json)
t_eq "another project sees none of these incidents" "0" "$(jsonq "$out" "jsonb_array_length(j)")"
out=$("$MIDWATCH" --project other incidents)
t_eq "an empty table says so" "no open incidents" "$out"

"$MIDWATCH" incidents --bogus >/dev/null 2>&1; rc=$?
t_eq "an unknown option is a usage error (2)" 2 "$rc"
"$MIDWATCH" incidents extra >/dev/null 2>&1; rc=$?
t_eq "a stray argument is a usage error (2)" 2 "$rc"

out=$("$MIDWATCH" report 999 2>&1); rc=$?
t_eq "report of an unknown incident exits 1" 1 "$rc"
t_match "and says which" "no incident 999" "$out"
out=$("$MIDWATCH" report 200 2>&1); rc=$?
t_eq "report before the pipeline wrote one exits 1" 1 "$rc"
t_match "and says so" "no report for incident 200" "$out"
out=$("$MIDWATCH" --project other report 200 2>&1); rc=$?
t_match "report is scoped to the project" "no incident 200" "$out"
"$MIDWATCH" report abc >/dev/null 2>&1; rc=$?
t_eq "report with a bad id is a usage error (2)" 2 "$rc"

pgtest_psql -c "INSERT INTO midwatch.incident_reports (project_id, incident_id, markdown)
    SELECT id, 200, E'# Incident 200\n\nline \033[31mtwo\n' FROM midwatch.projects WHERE slug = 'default'" >/dev/null
out=$("$MIDWATCH" report 200); rc=$?
t_eq "report prints the stored markdown" 0 "$rc"
t_match "with its lines" "^# Incident 200$" "$out"
if has_ctrl "$out"; then t_ok 1 "escape sequences in a stored report are not printed"
else t_ok 0 "escape sequences in a stored report are not printed"; fi
t_done
