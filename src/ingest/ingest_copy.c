/*
 * ingest_copy.c - the fast path for metric points.  A day of one-minute
 * points for a thousand services is millions of rows, so they do not go
 * through one statement per row: the batch is streamed with COPY into a
 * TEMP staging table (ON COMMIT DELETE ROWS), then moved into
 * midwatch.metric_points with one INSERT ... SELECT ... ON CONFLICT DO
 * NOTHING, which is also what makes re-ingesting the same points a no-op.
 * The daily partitions the points need are created first, outside the
 * batch's transaction (creating a partition locks the parent table).
 */
#include "config.h"

#include <math.h>
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
	return DBX(in->db, cause,
	    "SELECT midwatch.ensure_metric_partitions("
	    "to_timestamp($1::float8), to_timestamp($2::float8))", a, b);
}

/* Compares two day numbers for qsort. */
static int
copy_day_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Creates the partitions for the points in [from, to] (see ingest_int.h).
 * A range of at most a month is one call; a sparse range (last year's and
 * today's points in one file) creates only the days that have points. */
int
ingest_copy_partitions(struct ingest *in, struct ingest_batch *b, char **cause)
{
	double from = b->pmin, to = b->pmax;
	long long *days, d;
	size_t i, n = 0, start;
	int rc = 0;

	if (to - from <= COPY_DENSE_DAYS * 86400.0)
		return copy_ensure(in, from, to, cause);
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

/* COPYs the points and moves them into metric_points (see ingest_int.h). */
int
ingest_copy_points(struct ingest *in, struct ingest_batch *b,
    long long *inserted, char **cause)
{
	struct ingest_point *p;
	struct db_res *r;
	struct buf data;
	char *ignored = NULL;
	size_t i;

	if (db_copy_begin(in->db, cause,
	    "COPY pg_temp.mw_ingest_points (service_id, metric_name, labels_key, "
	    "ts, value, labels) FROM STDIN") != 0)
		return -1;
	buf_init(&data);
	for (i = 0; i < b->npoints; i++) {
		p = &b->points[i];
		buf_printf(&data, "%lld\t", p->svc->id);
		db_copy_field(&data, p->metric);
		buf_addc(&data, '\t');
		db_copy_field(&data, p->labels_key);
		buf_printf(&data, "\t%.6f\t%.17g\t", p->ts, p->value);
		db_copy_field(&data, p->labels);
		buf_addc(&data, '\n');
		if (data.len >= COPY_CHUNK || i + 1 == b->npoints) {
			if (db_copy_put(in->db, cause, data.s, data.len) != 0) {
				db_copy_end(in->db, &ignored);
				free(ignored);
				buf_free(&data);
				return -1;
			}
			buf_reset(&data);
		}
	}
	buf_free(&data);
	if (db_copy_end(in->db, cause) != 0)
		return -1;
	r = DBQ(in->db, cause,
	    "INSERT INTO midwatch.metric_points"
	    "       (project_id, service_id, metric_name, labels_key, ts, value, labels)"
	    " SELECT $1, service_id, metric_name, coalesce(labels_key, ''),"
	    "        to_timestamp(ts), value, coalesce(labels, '{}')"
	    "   FROM pg_temp.mw_ingest_points"
	    " ON CONFLICT DO NOTHING", in->project);
	if (r == NULL)
		return -1;
	*inserted += db_res_affected(r);
	db_res_free(r);
	return 0;
}
