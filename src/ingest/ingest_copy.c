/*
 * ingest_copy.c - the fast path for metric points.  A day of one-minute
 * points for a thousand services is millions of rows, so they do not go
 * through one statement per row: the batch is streamed with binary COPY
 * (no number or timestamp formatting on either side).
 *
 * New points — the usual case — are COPYed straight into
 * midwatch.metric_points inside a savepoint.  When that hits a point that
 * is already stored (unique_violation: the same file again, or an overlap),
 * the savepoint is rolled back and the batch takes the idempotent path: COPY
 * into a TEMP staging table (ON COMMIT DELETE ROWS), then one INSERT ...
 * SELECT ... ON CONFLICT DO NOTHING.  Once a batch has met stored points the
 * next batches take that path directly, until one turns out to be all new.
 * Either way the stored rows are the same.
 *
 * The daily partitions the points need are created first, outside the
 * batch's transaction (creating a partition locks the parent table).
 *
 * Project scope: metric_points has no foreign keys and, since
 * sql/023_ingest_scope.sql, no insert trigger (its transition table cost
 * PostgreSQL's multi-row COPY).  Before its COPY, a batch checks its
 * distinct service ids against midwatch.services in one query (copy_scope);
 * a point whose service is not one of the project's refuses the batch, as
 * the trigger did.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"
#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/ingest.h"
#include "midwatch/xmalloc.h"

#define COPY_CHUNK (1024 * 1024)	/* bytes sent per db_copy_put */
#define COPY_DENSE_DAYS 31		/* one call for a range up to this long */

/* Calls ensure_metric_partitions over [from, to].  The bounds take the same
 * path as the COPY data ("%.6f" text, float8, to_timestamp), so a point
 * rounded across midnight still finds its partition. */
static int
copy_ensure(struct ingest *in, double from, double to, char **cause)
{
	char a[64], b[64];

	snprintf(a, sizeof a, "%.6f", from);
	snprintf(b, sizeof b, "%.6f", to);
	return DBXN(in->db, cause, "ingest/partitions", a, b);
}

/* Compares two long longs (day numbers, ids) for qsort. */
static int
copy_day_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Creates the partitions for the points in [from, to] (see ingest_int.h).
 * A range of at most a month is one call; a sparse range (last year's and
 * today's points in one file) creates only the days that have points.  A
 * batch within a dense range ensured before (and no flush failed since:
 * ingest_flush.c forgets it) needs no call: one round trip a batch less. */
int
ingest_copy_partitions(struct ingest *in, struct ingest_batch *b, char **cause)
{
	double from = b->pmin, to = b->pmax;
	long long *days, d;
	size_t i, n = 0, start;
	int rc = 0;

	if (in->parts_known && from >= in->parts_from && to <= in->parts_to)
		return 0;
	if (to - from <= COPY_DENSE_DAYS * 86400.0) {
		if (copy_ensure(in, from, to, cause) != 0)
			return -1;
		in->parts_known = 1;
		in->parts_from = from;
		in->parts_to = to;
		return 0;
	}
	/* sparse: each day with points, with a second of margin for the
	 * rounding to microseconds */
	days = xreallocarray(NULL, b->npoints * 2 + 1, sizeof *days);
	for (i = 0; i < b->npoints; i++) {
		days[n++] = llround(floor((b->points[i].ts - 1) / 86400.0));
		days[n++] = llround(floor((b->points[i].ts + 1) / 86400.0));
	}
	qsort(days, n, sizeof *days, copy_day_cmp);
	for (i = 0; i < n && rc == 0; ) {
		start = i;
		d = days[i];
		while (i < n && days[i] <= d + 1)
			d = days[i++];
		rc = copy_ensure(in, (double)days[start] * 86400.0,
		    (double)d * 86400.0 + 86399.0, cause);
	}
	free(days);
	return rc;
}

/* Seconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 (UTC). */
#define COPY_PG_EPOCH 946684800.0

/*
 * Microseconds since 2000-01-01 UTC of ts, exactly as PostgreSQL's
 * to_timestamp() computes them from ts printed with "%.6f" (the text path
 * used before), so a point keeps its key whichever way it was ingested.
 * Whole seconds within about 285 years of 2000 are exact in integers; the
 * rest repeat the server's float8 steps.
 */
static int64_t
copy_pg_usec(double ts)
{
	char txt[64];
	double s;

	if (ts == floor(ts) && fabs(ts - COPY_PG_EPOCH) < 9.0e9)
		return ((int64_t)ts - (int64_t)COPY_PG_EPOCH) * 1000000;
	snprintf(txt, sizeof txt, "%.6f", ts);
	s = strtod(txt, NULL);
	s -= COPY_PG_EPOCH;
	s = rint(s * 1000000.0);
	return (int64_t)s;
}

/* Appends v as n big-endian bytes (n = 2, 4 or 8). */
static void
copy_be(struct buf *b, uint64_t v, int n)
{
	char out[8];
	int i;

	for (i = 0; i < n; i++)
		out[i] = (char)(v >> (8 * (n - 1 - i)) & 0xff);
	buf_add(b, out, (size_t)n);
}

/* Appends one binary COPY field: its length, then its bytes. */
static void
copy_bytes(struct buf *b, const char *s, size_t n)
{
	copy_be(b, (uint64_t)n, 4);
	buf_add(b, s, n);
}

/* Appends point p as one binary COPY tuple of (project_id, service_id,
 * metric_name, labels_key, ts, value, labels), project_id only when
 * project is non-zero, labels_key and labels only when not plain (the
 * columns' defaults then apply).  NULL labels become '{}' and NULL
 * labels_key '' as the columns' defaults would. */
static void
copy_tuple(struct buf *b, long long project, int plain,
    const struct ingest_point *p)
{
	const char *key = p->labels_key != NULL ? p->labels_key : "";
	const char *labels = p->labels != NULL ? p->labels : "{}";
	uint64_t bits;
	double v = p->value;

	copy_be(b, (uint64_t)(4 + (project != 0) + 2 * !plain), 2);
	if (project != 0) {
		copy_be(b, 8, 4);
		copy_be(b, (uint64_t)project, 8);
	}
	copy_be(b, 8, 4);
	copy_be(b, (uint64_t)p->svc->id, 8);
	copy_bytes(b, p->metric, strlen(p->metric));
	if (!plain)
		copy_bytes(b, key, strlen(key));
	copy_be(b, 8, 4);
	copy_be(b, (uint64_t)copy_pg_usec(p->ts), 8);
	memcpy(&bits, &v, sizeof bits);
	copy_be(b, 8, 4);
	copy_be(b, bits, 8);
	if (plain)
		return;
	/* jsonb's binary form: a version byte (1), then the JSON text */
	copy_be(b, (uint64_t)strlen(labels) + 1, 4);
	buf_addc(b, 1);
	buf_add(b, labels, strlen(labels));
}

/* 1 when no point of the batch has labels: the direct COPY can leave
 * labels_key and labels to their defaults. */
static int
copy_plain(const struct ingest_batch *b)
{
	size_t i;

	for (i = 0; i < b->npoints; i++)
		if ((b->points[i].labels_key != NULL &&
		    b->points[i].labels_key[0] != '\0') ||
		    (b->points[i].labels != NULL &&
		    strcmp(b->points[i].labels, "{}") != 0))
			return 0;
	return 1;
}

/* Streams the batch's points with the binary COPY statement called name
 * (project non-zero: the tuples carry project_id first; plain: without
 * labels_key and labels).  0 or -1 with *cause. */
static int
copy_stream(struct ingest *in, struct ingest_batch *b, const char *name,
    long long project, int plain, char **cause)
{
	static const char header[] = "PGCOPY\n\377\r\n";	/* + its NUL */
	struct buf *data = &in->copy_buf;
	char *ignored = NULL;
	size_t i;

	if (db_copy_begin(in->db, cause, db_query_find(name)->sql) != 0)
		return -1;
	buf_reset(data);
	buf_add(data, header, sizeof header);
	copy_be(data, 0, 4);		/* flags */
	copy_be(data, 0, 4);		/* header extension length */
	for (i = 0; i < b->npoints; i++) {
		copy_tuple(data, project, plain, &b->points[i]);
		if (i + 1 == b->npoints)
			copy_be(data, 0xffff, 2);	/* trailer: -1 */
		if (data->len >= COPY_CHUNK || i + 1 == b->npoints) {
			if (db_copy_put(in->db, cause, data->s, data->len) != 0) {
				db_copy_end(in->db, &ignored);
				free(ignored);
				return -1;
			}
			buf_reset(data);
		}
	}
	return db_copy_end(in->db, cause);
}

/* Runs ingest/scope for ids (an array literal); with savepoint, sets the
 * direct COPY's savepoint in the same round trip, and begins the
 * transaction first when ingest_flush.c left that to it (begin_deferred,
 * only with savepoint). */
static struct db_res *
copy_scope_query(struct ingest *in, const char *ids, int savepoint,
    char **cause)
{
	struct db_batch *q;
	struct db_res *r = NULL;
	int i;

	if (!savepoint)
		return DBQN(in->db, cause, "ingest/scope", in->project, ids);
	q = db_batch_new(in->db);
	if (in->begin_deferred)
		(void)db_batch_add(q, db_query_find("ingest/begin")->sql, 0,
		    NULL);
	in->begin_deferred = 0;
	i = DBB(q, db_query_find("ingest/scope")->sql, in->project, ids);
	(void)db_batch_add(q, db_query_find("ingest/points_savepoint")->sql, 0,
	    NULL);
	if (db_batch_run(q, cause) == 0)
		r = db_batch_take(q, i);
	db_batch_free(q);
	return r;
}

/* Refuses the batch (-1 with *cause) unless every point's service is a
 * service of the project: one query for the batch's distinct ids.  The ids
 * come from names resolved in the project, so this catches a cached id
 * whose service was deleted since (the statement trigger's guarantee).
 * savepoint: the direct COPY's savepoint is set in the same round trip. */
static int
copy_scope(struct ingest *in, struct ingest_batch *b, int savepoint,
    char **cause)
{
	struct db_res *r;
	struct buf ids;
	unsigned mark = ++in->scope_mark;
	long long *found, id;
	size_t i, n = 0;
	int row, col;

	buf_init(&ids);
	buf_addc(&ids, '{');
	for (i = 0; i < b->npoints; i++) {
		if (b->points[i].svc->scope_mark == mark)
			continue;
		b->points[i].svc->scope_mark = mark;
		buf_printf(&ids, "%s%lld", n++ > 0 ? "," : "",
		    b->points[i].svc->id);
	}
	buf_addc(&ids, '}');
	r = copy_scope_query(in, buf_str(&ids), savepoint, cause);
	buf_free(&ids);
	if (r == NULL)
		return -1;
	if ((size_t)db_res_rows(r) == n) {
		db_res_free(r);
		return 0;
	}
	/* the first point whose service is not the project's */
	found = xreallocarray(NULL, (size_t)db_res_rows(r) + 1, sizeof *found);
	col = db_col(r, "id");
	for (row = 0; row < db_res_rows(r); row++)
		found[row] = db_res_ll(r, row, col);
	qsort(found, (size_t)row, sizeof *found, copy_day_cmp);
	for (i = 0; i < b->npoints; i++) {
		id = b->points[i].svc->id;
		if (bsearch(&id, found, (size_t)row, sizeof *found,
		    copy_day_cmp) == NULL)
			break;
	}
	*cause = xasprintf("metric point for service %lld which is not in "
	    "project %lld", i < b->npoints ? b->points[i].svc->id : 0LL,
	    in->project_id);
	free(found);
	db_res_free(r);
	return -1;
}

/* COPYs the points straight into metric_points inside the savepoint
 * copy_scope set (kept to the commit: releasing it changes nothing a
 * later failure would not roll back anyway, and costs a round trip).
 * 0 done, 1 some point was stored already or the user is under row-level
 * security, which COPY FROM does not support (an admin who does not own
 * the schema: sql/020_roles.sql; refused before any data is sent) --
 * nothing written, -1 with *cause. */
static int
copy_direct(struct ingest *in, struct ingest_batch *b, char **cause)
{
	char *why = NULL;
	int plain = copy_plain(b);

	if (copy_stream(in, b, plain ? "ingest/copy_points_plain" :
	    "ingest/copy_points", in->project_id, plain, &why) == 0)
		return 0;
	if (!db_alive(in->db) ||
	    (strcmp(db_last_sqlstate(in->db), "23505") != 0 &&
	    strcmp(db_last_sqlstate(in->db), "0A000") != 0)) {
		*cause = why;
		return -1;
	}
	free(why);
	if (DBXN(in->db, cause, "ingest/points_rollback") != 0)
		return -1;
	return 1;
}

/* Writes the points into metric_points (see ingest_int.h). */
int
ingest_copy_points(struct ingest *in, struct ingest_batch *b,
    long long *inserted, char **cause)
{
	struct db_res *r;
	int rc;

	if (copy_scope(in, b, !in->copy_dedupe, cause) != 0)
		return -1;
	if (!in->copy_dedupe) {
		rc = copy_direct(in, b, cause);
		if (rc <= 0) {
			if (rc == 0)
				*inserted += (long long)b->npoints;
			return rc;
		}
		in->copy_dedupe = 1;
	}
	if (copy_stream(in, b, "ingest/copy_stage", 0, 0, cause) != 0)
		return -1;
	r = DBQN(in->db, cause, "ingest/stage_insert", in->project);
	if (r == NULL)
		return -1;
	*inserted += db_res_affected(r);
	/* all new: the next batch tries the direct COPY again */
	if (db_res_affected(r) == (long long)b->npoints)
		in->copy_dedupe = 0;
	db_res_free(r);
	return 0;
}
