#!/bin/sh
# test_ingest_scope.sh - a metric point never names a service outside its
# project (issue 13): with the statement trigger gone (sql/023), ingest
# checks each batch's service ids before its COPY.  A service is deleted
# while an ingest that already resolved it is still reading (stdin, a FIFO,
# after the first batch of 50,000 points committed): the next batch's points
# for it are refused and dead-lettered with the reason, the other service's
# points of that batch are stored, and no point is left without its
# service.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pgtest.sh"
pgtest_start
pgtest_createdb mw
"$MIDWATCH" migrate >/dev/null 2>&1 || { echo "Bail out! migrate failed"; exit 1; }
q() { pgtest_psql -c "$1"; }

# points SERVICE N FIRST: N one-second points of SERVICE from second FIRST,
# random values
points() {
	awk -v svc="$1" -v n="$2" -v first="$3" -v seed="$$" 'BEGIN {
		srand(seed + first);
		for (i = first; i < first + n; i++)
			printf "{\"kind\":\"metric\",\"ts\":\"2026-11-16T%02d:%02d:%02dZ\",\"service\":\"%s\",\"metric\":\"request_rate\",\"value\":%.3f}\n",
			    int(i / 3600), int(i % 3600 / 60), i % 60, svc, rand() * 1000;
	}'
}

mkfifo "$TAP_TMP/in"
"$MIDWATCH" --project sc ingest - <"$TAP_TMP/in" >"$TAP_TMP/out" 2>"$TAP_TMP/err" &
ingester=$!
exec 3>"$TAP_TMP/in"
points doomed 50000 0 >&3
i=0
while [ "$(q "select count(*) from midwatch.metric_points")" != 50000 ] && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
t_eq "the first batch (50,000 points of doomed) is stored" "50000" \
    "$(q "select count(*) from midwatch.metric_points")"
doomed=$(q "select id from midwatch.services where name = 'doomed'")
q "delete from midwatch.services where name = 'doomed'" >/dev/null
n=$((5 + $(awk 'BEGIN { srand(); print int(rand() * 20) }')))
{ points doomed "$n" 50000; points fresh 7 0; } >&3
exec 3>&-
wait "$ingester"
out=$(cat "$TAP_TMP/out")

t_eq "no point is left without its service" "0" \
    "$(q "select count(*) from midwatch.metric_points m where not exists (select 1 from midwatch.services s where s.project_id = m.project_id and s.id = m.service_id)")"
t_eq "the deleted service's points went with it" "0" \
    "$(q "select count(*) from midwatch.metric_points where service_id = $doomed")"
t_eq "the other service's points of the refused batch are stored" "7" \
    "$(q "select count(*) from midwatch.metric_points m join midwatch.services s on s.id = m.service_id where s.name = 'fresh'")"
t_eq "each later point of the deleted service is a dead letter" "$n" \
    "$(q "select count(*) from midwatch.ingest_errors where error like 'rejected by the database: metric point for service $doomed which is not in project %'")"
t_eq "... at its own line" "$((50001)) $((50000 + n))" \
    "$(q "select min(line_no) || ' ' || max(line_no) from midwatch.ingest_errors")"
t_match "the summary counts them rejected" "50007 valid, $n rejected" "$out"
t_done
