#!/bin/sh
# test_prepared.sh - named statements prepared in the session from their
# second use on (db_run, src/db/db_queries.c), through tests/db/prep_probe
# against a real PostgreSQL:
#  - the first use runs unnamed (nothing prepared), the second prepares it,
#    later ones reuse it; each gives the same rows;
#  - a prepared statement the server lost (DEALLOCATE ALL) is prepared
#    again and the call succeeds, outside a transaction;
#  - inside a transaction the call fails with the server's reason, and
#    after the rollback the statement runs again;
#  - statements with parameters give their own rows on each use;
#  - a statement whose result type a migration changed (0A000) is prepared
#    again and the call succeeds.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
PROBE=$top_builddir/tests/db/prep_probe
# probe STEP...: prep_probe's lines joined by "; " (one TAP line)
probe() { "$PROBE" "$@" 2>&1 | paste -sd ';' | sed 's/;/; /g'; }
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
P=$(pgtest_psql -c "SELECT id FROM midwatch.projects WHERE slug = 'default'")

out=$(probe run:model/jit_off count run:model/jit_off count \
    run:model/jit_off run:model/jit_off count)
t_eq "first use unnamed, then prepared once and reused" \
    "ok 1 on; prepared 0; ok 1 off; prepared 1; ok 1 off; ok 1 off; prepared 1" "$out"

out=$(probe run:model/jit_off run:model/jit_off count 'sql:DEALLOCATE ALL' \
    count run:model/jit_off count)
t_eq "a statement the server lost is prepared again" \
    "ok 1 on; ok 1 off; prepared 1; ok; prepared 0; ok 1 off; prepared 1" "$out"

out=$(probe run:model/jit_off run:model/jit_off 'sql:BEGIN' \
    'sql:DEALLOCATE ALL' run:model/jit_off 'sql:ROLLBACK' run:model/jit_off \
    count)
t_match "inside a transaction the lost statement fails with the reason" \
    "fail .*(does not exist|26000)" "$out"
t_match "after the rollback it runs again" "; ok; ok 1 off; prepared 1$" "$out"

# a statement with a parameter: its own rows each time, prepared or not
pgtest_psql -c "INSERT INTO midwatch.services (project_id, name)
    VALUES ($P, 'svc-a'), ($P, 'svc-b')" >/dev/null
out=$(probe "run:ingest/service_ids|$P|[{\"name\":\"svc-a\"}]" \
    "run:ingest/service_ids|$P|[{\"name\":\"svc-b\"}]" \
    "run:ingest/service_ids|$P|[{\"name\":\"nope\"}]" \
    "run:ingest/service_ids|$P|[{\"name\":\"svc-a\"}]" count)
t_eq "a parameterised statement's rows follow its parameters" \
    "ok 1 svc-a; ok 1 svc-b; ok 0 -; ok 1 svc-a; prepared 1" "$out"
# a migration changes the prepared statement's result type (text ->
# varchar; run here in the same session, another's does the same): "cached
# plan must not change result type" (0A000); the statement is prepared
# again and the call succeeds
out=$(probe "run:ingest/service_ids|$P|[{\"name\":\"svc-a\"}]" \
    "run:ingest/service_ids|$P|[{\"name\":\"svc-a\"}]" \
    "sql:ALTER TABLE midwatch.services ALTER COLUMN name TYPE varchar" \
    "run:ingest/service_ids|$P|[{\"name\":\"svc-b\"}]" count)
# (the old one stays in the session, under its old name, until it ends)
t_eq "a prepared statement whose result type changed is prepared again" \
    "ok 1 svc-a; ok 1 svc-a; ok; ok 1 svc-b; prepared 2" "$out"
t_done
