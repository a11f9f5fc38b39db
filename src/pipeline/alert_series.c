/*
 * alert_series.c - the alert stage's metric rules judged in C (issue 13).
 * A threshold or trend rule reads its metric's points in binary, 50
 * services a statement (pipeline/alert_series_read: the window plus what
 * the rule looks back), judges each series in one ordered pass, and hands
 * only the series that fired to SQL (pipeline/alert_hits_metric|trend),
 * which words them (a read's points only are in memory at a time).  The
 * passes compute what the former statements' window functions computed
 * (pipeline/alert_ref_metric|trend, kept as the reference and run instead
 * under MIDWATCH_TEST_ALERT_SQL=1; tests/pipeline/test_alert_series.sh
 * compares the two):
 *   threshold  a point fires when every point of [ts - for, ts] holds
 *              (op, value), the oldest of them is at least 0.9 x for before
 *              it, and it is in the window;
 *   trend      each minute's mean (date_trunc('minute'), summed in time
 *              order from 0 as avg() does); a minute fires when the minutes
 *              of its last 2 (at least 3 of them) all stayed the ratio
 *              beyond the mean of the minutes window + 4 min .. window
 *              before it.
 * Times are whole microseconds (the float8 epochs of the read, which the
 * read's date_part rounds to within 0.3 us, so llrint recovers them).
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/xmalloc.h"
#include "alert_series.h"

#define MINUTE_US 60000000LL
#define ALERT_SERIES_BATCH 50	/* services a read */

/* One point of the read. */
struct apt {
	long long svc, us;
	const char *key;
	double v;
};

/* What a rule judges with, in numbers. */
struct ajudge {
	int trend;		/* 0 threshold, 1 trend */
	int op;			/* threshold: index in ops[]; trend: 1 down */
	double value;		/* threshold value; trend ratio */
	long long span_us;	/* for; trend: window */
	long long for09_us;	/* 0.9 x for, as interval * 0.9 rounds */
	long long start_us;
};

/* A series' firing: first and last firing time, worst value or change. */
struct ahit {
	int n;
	long long fired, last;
	double worst;
};

static const char *const ops[] = { ">", ">=", "<", "<=", "==", "=", "!=" };

/* midwatch.compare_op(op, a, b) for the values of a read (never NaN). */
static int
held(int op, double a, double b)
{
	switch (op) {
	case 0: return a > b;
	case 1: return a >= b;
	case 2: return a < b;
	case 3: return a <= b;
	case 4: case 5: return a == b;
	default: return a != b;
	}
}

/* max()/min() as float8larger/float8smaller fold: a tie takes the newer. */
static double
fold(int want_min, double acc, double x)
{
	if (want_min)
		return acc < x ? acc : x;
	return acc > x ? acc : x;
}

/* Adds a firing point to a series' firing. */
static void
hit_add(struct ahit *h, int want_min, long long us, double x)
{
	h->worst = h->n++ == 0 ? x : fold(want_min, h->worst, x);
	if (h->n == 1)
		h->fired = us;
	h->last = us;
}

/* A threshold rule over one series (n points in time order). */
static void
judge_threshold(const struct apt *p, size_t n, const struct ajudge *j,
    struct ahit *h)
{
	size_t i, head = 0;
	long long bad = 0;

	for (i = 0; i < n; i++) {
		if (!held(j->op, p[i].v, j->value))
			bad++;
		for (; p[head].us < p[i].us - j->span_us; head++)
			if (!held(j->op, p[head].v, j->value))
				bad--;
		if (bad == 0 && p[i].us >= j->start_us &&
		    p[i].us - p[head].us >= j->for09_us)
			hit_add(h, j->op == 2 || j->op == 3, p[i].us, p[i].v);
	}
}

/* Each minute's mean of a series' points (in time order), as avg() over
 * date_trunc('minute') sums them: from 0, oldest first.  Returns how many
 * minutes (times in mt, means in mv). */
static size_t
minute_means(const struct apt *p, size_t n, long long *mt, double *mv)
{
	size_t i, k, m = 0;
	long long t;
	double s, c;

	for (i = 0; i < n; i = k) {
		t = p[i].us / MINUTE_US * MINUTE_US;
		if (t > p[i].us)
			t -= MINUTE_US;
		s = 0;
		c = 0;
		for (k = i; k < n && p[k].us >= t && p[k].us < t + MINUTE_US;
		    k++) {
			s += p[k].v;
			c += 1;
		}
		mt[m] = t;
		mv[m++] = s / c;
	}
	return m;
}

/* A trend rule over one series' minutes (m of them, in time order). */
static void
judge_trend(const long long *mt, const double *mv, size_t m,
    const struct ajudge *j, struct ahit *h)
{
	size_t k, x, nh = 0, th = 0, te = 0;
	double now, then, ch;
	const long long win = j->span_us, two = 2 * MINUTE_US;

	for (k = 0; k < m; k++) {
		while (mt[nh] < mt[k] - two)
			nh++;
		while (th < m && mt[th] < mt[k] - win - 4 * MINUTE_US)
			th++;
		while (te < m && mt[te] <= mt[k] - win)
			te++;
		/* the "then" frame is [th, te); the "now" frame [nh, k] */
		if (mt[k] < j->start_us || te <= th || k - nh + 1 < 3)
			continue;
		then = 0;
		for (x = th; x < te; x++)
			then += mv[x];
		then /= (double)(te - th);
		if (then == 0)
			continue;
		now = mv[nh];
		for (x = nh + 1; x <= k; x++)
			now = fold(!j->op, now, mv[x]);
		ch = (now - then) / (fabs(then) < 1e-100 ? 1e-100 : fabs(then));
		if (j->op ? ch <= -j->value : ch >= j->value)
			hit_add(h, j->op, mt[k], ch);
	}
}

/* Orders points by service, series and time (strcmp order of the series'
 * keys: any order that keeps a series together will do). */
static int
apt_cmp(const void *a, const void *b)
{
	const struct apt *x = a, *y = b;
	int c;

	if (x->svc != y->svc)
		return x->svc < y->svc ? -1 : 1;
	c = strcmp(x->key, y->key);
	if (c != 0)
		return c;
	return x->us < y->us ? -1 : x->us > y->us;
}

/* Microseconds since 1970 as a timestamptz literal (UTC). */
static void
us_text(long long us, char *buf, size_t len)
{
	long long s = us / 1000000, f = us % 1000000;
	time_t tt;
	struct tm tm;

	if (f < 0) {
		f += 1000000;
		s--;
	}
	tt = (time_t)s;
	gmtime_r(&tt, &tm);
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, f);
}

/* Appends a series' firing to the hits (every value a string). */
static void
hits_add(json_t *hits, const struct apt *p, const struct ahit *h, int trend)
{
	char a[48], b[48], w[40], s[24];

	us_text(h->fired, a, sizeof a);
	us_text(h->last, b, sizeof b);
	snprintf(w, sizeof w, "%.17g", h->worst);
	snprintf(s, sizeof s, "%lld", p->svc);
	json_array_append_new(hits, json_pack("{ssssssssss}", "service_id", s,
	    "labels_key", p->key, "fired_at", a, "last_at", b,
	    trend ? "change" : "worst", w));
}

/* Judges every series of a read (n points); their firings into hits. */
static void
judge_all(struct apt *p, size_t n, const struct ajudge *j, json_t *hits)
{
	long long *mt = NULL;
	double *mv = NULL;
	struct ahit h;
	size_t i, e, m;

	for (i = 1; i < n && apt_cmp(&p[i - 1], &p[i]) < 0; i++)
		;
	if (i < n)
		qsort(p, n, sizeof *p, apt_cmp);
	if (j->trend) {
		mt = xcalloc(n + 1, sizeof *mt);
		mv = xcalloc(n + 1, sizeof *mv);
	}
	for (i = 0; i < n; i = e) {
		for (e = i + 1; e < n && p[e].svc == p[i].svc &&
		    strcmp(p[e].key, p[i].key) == 0; e++)
			;
		memset(&h, 0, sizeof h);
		if (j->trend) {
			m = minute_means(p + i, e - i, mt, mv);
			judge_trend(mt, mv, m, j, &h);
		} else
			judge_threshold(p + i, e - i, j, &h);
		if (h.n > 0)
			hits_add(hits, &p[i], &h, j->trend);
	}
	free(mt);
	free(mv);
}

/* The rule in numbers (the lookback its read needs as an interval); the
 * project's services (pipeline/alert_series_services), or NULL. */
static struct db_res *
judge_prepare(struct db *db, const struct alert_series_rule *r,
    struct ajudge *j, char *lookback, size_t len, char **cause)
{
	struct db_res *res;
	size_t i;

	memset(j, 0, sizeof *j);
	j->trend = r->trend;
	if (r->trend) {
		j->op = strcmp(r->op, "down") == 0;
		j->value = strtod(r->span, NULL);
		j->span_us = strtoll(r->value, NULL, 10) * 1000000;
		snprintf(lookback, len, "%lld seconds",
		    j->span_us / 1000000 + 300);
	} else {
		for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
			if (strcmp(r->op, ops[i]) == 0)
				j->op = (int)i;
		j->value = strtod(r->value, NULL);
		j->span_us = strtoll(r->span, NULL, 10) * 1000000;
		j->for09_us = llrint((double)j->span_us * 0.9);
		snprintf(lookback, len, "%s", r->span);
	}
	res = DBQN(db, cause, "pipeline/alert_series_services", r->project,
	    r->start);
	if (res != NULL && db_res_rows(res) > 0)
		j->start_us = llrint(strtod(db_val(res, 0, "t"), NULL) * 1e6);
	return res;
}

/* The series that fire as the reference statements find them. */
static json_t *
judge_reference(struct db *db, const struct alert_series_rule *r,
    char **cause)
{
	static const char *const cols[] = { "service_id", "labels_key",
	    "fired_at", "last_at", "worst" };
	struct db_res *res;
	json_t *hits, *o;
	size_t k;
	int i;

	res = DBQN(db, cause, r->trend ? "pipeline/alert_ref_trend" :
	    "pipeline/alert_ref_metric", r->project, r->start, r->end,
	    r->metric, r->op, r->value, r->span);
	if (res == NULL)
		return NULL;
	hits = json_array();
	for (i = 0; i < db_res_rows(res); i++) {
		o = json_object();
		for (k = 0; k < sizeof cols / sizeof cols[0]; k++)
			json_object_set_new(o, r->trend && k == 4 ? "change" :
			    cols[k], json_string(db_val(res, i, r->trend &&
			    k == 4 ? "change" : cols[k])));
		json_array_append_new(hits, o);
	}
	db_res_free(res);
	return hits;
}

/* Reads and judges the series of the services with ids lo..hi; -1 with
 * *cause. */
static int
judge_batch(struct db *db, const struct alert_series_rule *r,
    const struct ajudge *j, const char *lookback, const char *lo,
    const char *hi, json_t *hits, char **cause)
{
	struct db_res *res;
	struct apt *p;
	int i, n, ck, ct, cv, cs;

	res = db_run_bin(db, cause, "pipeline/alert_series_read", 7,
	    (const char *const[]){ r->project, r->metric, r->start, lookback,
	    r->end, lo, hi });
	if (res == NULL)
		return -1;
	n = db_res_rows(res);
	cs = db_col(res, "service_id");
	ck = db_col(res, "labels_key");
	ct = db_col(res, "t");
	cv = db_col(res, "v");
	p = xcalloc((size_t)n + 1, sizeof *p);
	for (i = 0; i < n; i++) {
		p[i].svc = db_res_ll(res, i, cs);
		p[i].key = db_res_get(res, i, ck);
		p[i].us = llrint(db_res_f(res, i, ct) * 1e6);
		p[i].v = db_res_f(res, i, cv);
	}
	judge_all(p, (size_t)n, j, hits);
	free(p);
	db_res_free(res);
	return 0;
}

/* The series that fire, judged in C over binary reads of
 * ALERT_SERIES_BATCH services each. */
static json_t *
judge_read(struct db *db, const struct alert_series_rule *r, char **cause)
{
	struct ajudge j;
	struct db_res *svc;
	char lookback[48];
	json_t *hits;
	int i, n, last;

	svc = judge_prepare(db, r, &j, lookback, sizeof lookback, cause);
	if (svc == NULL)
		return NULL;
	hits = json_array();
	n = db_res_rows(svc);
	for (i = 0; i < n; i += ALERT_SERIES_BATCH) {
		last = i + ALERT_SERIES_BATCH < n ? i + ALERT_SERIES_BATCH - 1 :
		    n - 1;
		if (judge_batch(db, r, &j, lookback, db_val(svc, i, "id"),
		    db_val(svc, last, "id"), hits, cause) != 0) {
			json_decref(hits);
			hits = NULL;
			break;
		}
	}
	db_res_free(svc);
	return hits;
}

/* See alert_series.h. */
struct db_res *
alert_series_cands(struct db *db, const struct alert_series_rule *r,
    char **cause)
{
	const char *ref = getenv("MIDWATCH_TEST_ALERT_SQL");
	struct db_res *res;
	json_t *hits;
	char *text;

	if (ref != NULL && strcmp(ref, "1") == 0)
		hits = judge_reference(db, r, cause);
	else
		hits = judge_read(db, r, cause);
	if (hits == NULL)
		return NULL;
	text = jsonx_dump(hits);
	json_decref(hits);
	if (r->trend)
		res = DBQN(db, cause, "pipeline/alert_hits_trend", r->project,
		    r->rule_id, r->severity, r->metric, r->op, r->value, text);
	else
		res = DBQN(db, cause, "pipeline/alert_hits_metric", r->project,
		    r->rule_id, r->severity, r->metric, r->op, r->value,
		    r->span, text);
	free(text);
	return res;
}
