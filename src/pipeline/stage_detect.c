/*
 * stage_detect.c - pipeline stage "detect": signals from the raw data of the
 * run's window.
 *
 *  - metric series (here): per (service, metric, labels) series, the raw
 *    points over the window plus a day and an hour of lookback (for the
 *    seasonal reference and the trailing baseline) - or, for a series with
 *    a saved detector state, only what comes after it
 *    (stage_detect_state.c) - read a few services ahead on a second
 *    connection (detect_prefetch.c), averaged per minute in C
 *    (detect_minutes.c); detect_math.c judges the series; runs long enough
 *    become signals typed by the metric's meaning (stage_detect_write.c),
 *    and their stretch gets anomaly_features (value, baseline, zscore);
 *  - funnels: the conversion ratio (last step / first step) per funnel,
 *    judged the same way, with the revenue at risk (stage_detect_funnel.c);
 *  - new error fingerprints, health streaks and external alerts: in SQL
 *    (sql/queries/pipeline/detect_*.sql).
 *
 * Signals are upserted by dedupe_key; signals with onset in the window that
 * this run did not produce again are deleted (delete-and-rebuild), so a
 * re-run of the same window converges to the same rows.
 *
 * Each service, series, funnel and SQL-made kind is a unit (pipeline_unit.c):
 * one that fails is rolled back alone and recorded, and the signals it had
 * from earlier runs are kept rather than rebuilt.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/detect.h"
#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"
#include "detect_int.h"
#include "detect_prefetch.h"
#include "pipeline_int.h"

/* Its numbers: detect.* in policy.def (lookback, feature margin, the
 * restarts window, the detector's thresholds). */
#define FEATURE_MARGIN ((size_t)POLICY(DETECT_FEATURE_MARGIN))

/* Appends v to a PostgreSQL array literal in b ("{...}"). */
static void
arr_add(struct buf *b, double v)
{
	buf_printf(b, "%s%.17g", b->len > 1 ? "," : "", v);
}

/* A series judged (detect_series), before anything is written. */
struct judged {
	struct detect_eval *ev;		/* n entries */
	struct detect_run *runs;
	size_t nruns;
	double first;			/* the series' first point (a resumed
					 * series': as its state says) */
};

static void
judged_free(struct judged *j)
{
	free(j->ev);
	free(j->runs);
}

/* The last point of a run's stretch (its features included). */
static size_t
stretch_end(const struct detect_run *r, size_t n)
{
	return r->last + FEATURE_MARGIN < n ? r->last + FEATURE_MARGIN : n - 1;
}

/* Whether the judged series has a signal for this run to write: a run
 * whose stretch (features included) reaches into the window; runs that
 * ended before it belong to earlier runs. */
static int
has_signal(const struct pipeline_ctx *ctx, const struct judged *j,
    const struct detect_point *pts, size_t n)
{
	size_t k;

	for (k = 0; k < j->nruns; k++)
		if (j->runs[k].is_signal &&
		    pts[stretch_end(&j->runs[k], n)].t >= ctx->start)
			return 1;
	return 0;
}

/* Writes the signals and features of one judged metric series (its
 * per-minute points, lookback included). */
static int
detect_metric_series(struct pipeline_ctx *ctx, long long service_id,
    const char *metric, const char *labels, const struct detect_point *pts,
    size_t n, const struct judged *j, struct detect_counts *dc, char **cause)
{
	const struct detect_eval *ev = j->ev;
	const struct detect_run *r;
	struct buf ts, names, vals;
	struct sig s;
	char svc[24];
	size_t i, k, lo, hi, next = 0;
	double from = ctx->start;
	int rc = -1, seasonal;

	buf_init(&ts);
	buf_init(&names);
	buf_init(&vals);
	pipeline_ll(svc, sizeof svc, service_id);
	dc->series++;
	dc->points += (long long)n;
	seasonal = n > 0 && j->first <= ctx->start - 86400 + 3600;

	buf_adds(&ts, "{");
	buf_adds(&names, "{");
	buf_adds(&vals, "{");
	for (k = 0; k < j->nruns; k++) {
		r = &j->runs[k];
		lo = r->first > FEATURE_MARGIN ? r->first - FEATURE_MARGIN : 0;
		hi = stretch_end(r, n);
		/* Runs whose stretch (features included) ended before the window
		 * belong to earlier runs. */
		if (!r->is_signal || pts[hi].t < ctx->start)
			continue;
		memset(&s, 0, sizeof s);
		s.type = detect_metric_signal_type(metric, r->dir);
		s.status = detect_run_status(r);
		s.service_id = service_id;
		s.metric = metric;
		s.labels_key = labels;
		s.severity = detect_metric_severity(s.type, r);
		s.quality = r->quality;
		s.onset = pts[r->first].t;
		s.peak = pts[r->peak].t;
		s.ended = r->open ? NAN : pts[r->last].t + r->step;
		s.baseline = r->baseline;
		s.peak_value = r->peak_value;
		s.direction = r->dir > 0 ? "up" : "down";
		s.details = detect_run_details(r, seasonal);
		s.dedupe = xasprintf("m:%lld:%s:%s:%s:%.0f", service_id, metric,
		    labels, s.direction, s.onset);
		rc = detect_sig_upsert(ctx, &s, cause);
		json_decref(s.details);
		free(s.dedupe);
		if (rc != 0)
			goto out;
		rc = -1;
		dc->signals++;
		if (pts[lo].t < from)
			from = pts[lo].t;
		/* Stretches a few points apart share margin points: each point
		 * is written once. */
		if (lo < next)
			lo = next;
		next = hi + 1;
		for (i = lo; i <= hi; i++) {
			if (!ev[i].judged)
				continue;
			arr_add(&ts, pts[i].t);
			buf_adds(&names, names.len > 1 ? ",value" : "value");
			arr_add(&vals, pts[i].x);
			arr_add(&ts, pts[i].t);
			buf_adds(&names, ",baseline");
			arr_add(&vals, ev[i].baseline);
			arr_add(&ts, pts[i].t);
			buf_adds(&names, ",zscore");
			arr_add(&vals, round(ev[i].z * 1000) / 1000);
			dc->features += 3;
		}
	}
	if (detect_features_write(ctx, svc, metric, labels, from, &ts, &names,
	    &vals, cause) != 0)
		goto out;
	rc = 0;
out:
	buf_free(&ts);
	buf_free(&names);
	buf_free(&vals);
	return rc;
}

/* Remembers that a skipped unit's earlier signals are to be kept: those of
 * the given type / service / metric / labels / ref (NULL: any). */
void
detect_keep_add(struct detect_counts *dc, const char *type, const char *svc,
    const char *metric, const char *labels, const char *ref)
{
	json_t *o = json_object();

	if (dc->keep == NULL)
		dc->keep = json_array();
	if (type != NULL)
		json_object_set_new(o, "type", json_string(type));
	if (svc != NULL)
		json_object_set_new(o, "service_id", json_integer(strtoll(svc,
		    NULL, 10)));
	if (metric != NULL)
		json_object_set_new(o, "metric_name", json_string(metric));
	if (labels != NULL)
		json_object_set_new(o, "labels_key", json_string(labels));
	if (ref != NULL)
		json_object_set_new(o, "ref", json_string(ref));
	json_array_append_new(dc->keep, o);
}

/* Writes one judged series as a unit (see pipeline_unit.c); 0 or -1
 * (fatal). */
static int
detect_series_unit(struct pipeline_ctx *ctx, const char *svc, const char *id,
    const char *metric, const char *labels, const struct detect_point *pts,
    size_t n, const struct judged *j, struct detect_counts *dc, char **cause)
{
	char *ucause = NULL;
	int rc;

	rc = pipeline_unit_begin(ctx, "detect", "series", id, &ucause);
	if (rc == 0)
		rc = detect_metric_series(ctx, strtoll(svc, NULL, 10), metric,
		    labels, pts, n, j, dc, &ucause);
	if (rc != 0)
		detect_keep_add(dc, NULL, svc, metric, labels, NULL);
	return pipeline_unit_end(ctx, rc, "detect", "series", id, &ucause,
	    cause);
}

/* Judges one series of a service from its raw points (resumed from *in
 * when not NULL) and writes it: a series with no signal to write only
 * clears its features, batched into quiet (no savepoint of its own); its
 * new state goes to states.  pts has room for n points.  0, or -1 (fatal). */
static int
detect_one(struct pipeline_ctx *ctx, const char *svc, const char *svc_name,
    const char *metric, const char *labels, const struct detect_point *raw,
    size_t n, const struct detect_state *in, double first,
    struct detect_point *pts, json_t *quiet, json_t *states,
    struct detect_counts *dc, char **cause)
{
	struct detect_params p;
	struct detect_state out;
	struct judged jd;
	size_t k, m;
	char *id;
	int rc = 0, in_window = 0;

	/* minute buckets: a window of w seconds ends w - 60 s after its
	 * first */
	m = detect_per_minute(raw, n, strcmp(metric, "restarts") == 0 ?
	    POLICY(RESTART_WINDOW) - 60 : -1, pts);
	for (k = 0; k < m && !in_window; k++)
		in_window = pts[k].t >= ctx->start;
	if (!in_window)
		return 0;
	id = xasprintf("%s/%s%s%s%s", svc_name, metric, *labels ? "{" : "",
	    labels, *labels ? "}" : "");
	detect_params_for_metric(metric, &p);
	jd.ev = xcalloc(m > 0 ? m : 1, sizeof *jd.ev);
	jd.first = in != NULL && first < pts[0].t ? first : pts[0].t;
	detect_series_from(&p, pts, m, in, jd.ev, &jd.runs, &jd.nruns, &out);
	if (!has_signal(ctx, &jd, pts, m) &&
	    pipeline_unit_quiet(ctx, "detect", "series", id)) {
		json_array_append_new(quiet, json_pack("{s:s, s:s, s:s}", "s", svc,
		    "m", metric, "l", labels));
		dc->series++;
		dc->points += (long long)m;
	} else
		rc = detect_series_unit(ctx, svc, id, metric, labels, pts, m,
		    &jd, dc, cause);
	detect_state_add(states, svc, metric, labels, &out, jd.first);
	detect_state_free(&out);
	judged_free(&jd);
	free(id);
	return rc;
}

/* A service to judge: its series as the window lists them (ns 0: not
 * listed), whether they resume from their states, and its read. */
struct dservice {
	const char *id, *name;		/* borrowed */
	struct dseries *s;		/* borrowed */
	size_t ns;
	int resumed;
	struct pf_job read;
	int first;			/* resumed: the read's first point row,
					 * once its states are taken; -1 not yet */
};

/* Takes the states of a resumed service's read into its series, once
 * (detect_states_take); 0, or 1 when one changed since it was listed. */
static int
service_states(struct dservice *sv)
{
	if (sv->first >= 0)
		return 0;
	if (detect_states_take(sv->read.res, sv->s, sv->ns, &sv->first) == 0)
		return 0;
	sv->first = -1;
	return 1;
}

/* The read of a service's series over the window plus the lookback. */
static void
full_job(struct pipeline_ctx *ctx, const char *svc, struct pf_job *j)
{
	char lb[40];

	policy_param(lb, sizeof lb, POL_DETECT_LOOKBACK);
	memset(j, 0, sizeof *j);
	j->name = "pipeline/detect_read_all";
	j->n = 5;
	j->params[0] = xstrdup(ctx->project);
	j->params[1] = xstrdup(svc);
	j->params[2] = xstrdup(ctx->start_ts);
	j->params[3] = xstrdup(ctx->end_ts);
	j->params[4] = xstrdup(lb);
}

/*
 * Judges the metric series of one service from its read (done, by the
 * read-ahead thread or here): when every series the window lists has a
 * state to resume from, the read has the states and only the points they
 * need (detect_resumed_job); otherwise all the service's raw points over
 * the window plus the lookback, ordered by series and time (an index-only
 * scan of the primary key, which carries the value: sql/024).  Times come
 * as float8 (date_part: the same double extract's numeric rounds to,
 * without formatting a numeric per point); each series is averaged per
 * minute in C (restarts as a rolling 15-minute sum: detect_per_minute)
 * and, when it has points in the window, judged on its own (a series with
 * signals to write as a unit); the quiet series and the states to resume
 * from next time go to quiet and states, for the caller to write.  Returns
 * 0, 1 when the read failed (*cause: the service's unit fails), or -1
 * (fatal).
 */
static int
detect_service(struct pipeline_ctx *ctx, struct dservice *sv, json_t *quiet,
    json_t *states, struct detect_counts *dc, char **cause)
{
	struct detect_point *raw, *pts;
	struct db_res *r;
	const char *metric, *labels;
	int rows, i, j, first = 0, rc = 0, resumed = sv->resumed;
	int ct, cv, ci, cm, cl;
	int changed;
	size_t k = 0, n;

	if (sv->read.res == NULL) {
		*cause = sv->read.cause != NULL ? sv->read.cause :
		    xstrdup("the read failed");
		sv->read.cause = NULL;
		return 1;
	}
	changed = resumed && service_states(sv) != 0;
	first = resumed && !changed ? sv->first : 0;
	r = sv->read.res;
	sv->read.res = NULL;
	if (changed) {
		/* a state changed since it was listed: read it all, here */
		db_res_free(r);
		resumed = 0;
		pf_job_free(&sv->read);
		full_job(ctx, sv->id, &sv->read);
		pf_job_run(ctx->db, &sv->read);
		if ((r = sv->read.res) == NULL) {
			*cause = sv->read.cause;
			sv->read.cause = NULL;
			return 1;
		}
		sv->read.res = NULL;
	}
	dc->resumed += resumed ? (long long)sv->ns : 0;
	rows = db_res_rows(r);
	raw = xcalloc((size_t)rows + 1, sizeof *raw);
	pts = xcalloc((size_t)rows + 1, sizeof *pts);
	ct = db_col(r, "t");
	cv = db_col(r, "v");
	for (i = first; i < rows && rc == 0; i = j) {
		if (resumed) {
			ci = db_col(r, "i");
			k = (size_t)db_res_ll(r, i, ci);
			metric = sv->s[k].metric;
			labels = sv->s[k].labels;
			for (j = i, n = 0; j < rows &&
			    (size_t)db_res_ll(r, j, ci) == k; j++, n++) {
				raw[n].t = db_res_f(r, j, ct);
				raw[n].x = db_res_f(r, j, cv);
			}
		} else {
			cm = db_col(r, "metric_name");
			cl = db_col(r, "labels_key");
			metric = db_res_get(r, i, cm);
			labels = db_res_get(r, i, cl);
			for (j = i, n = 0; j < rows &&
			    strcmp(db_res_get(r, j, cm), metric) == 0 &&
			    strcmp(db_res_get(r, j, cl), labels) == 0; j++, n++) {
				raw[n].t = db_res_f(r, j, ct);
				raw[n].x = db_res_f(r, j, cv);
			}
		}
		rc = detect_one(ctx, sv->id, sv->name, metric, labels, raw, n,
		    resumed ? &sv->s[k].in : NULL,
		    resumed ? sv->s[k].first_t : NAN, pts, quiet, states, dc,
		    cause);
	}
	free(raw);
	free(pts);
	db_res_free(r);
	return rc;
}

/* Judges one service as a unit, its read already made (by the read-ahead
 * thread) or made here; 0 or -1 (fatal). */
static int
detect_service_unit(struct pipeline_ctx *ctx, struct dservice *sv,
    int read, struct detect_counts *dc, char **cause)
{
	char *ucause = NULL;
	int rc;

	json_t *quiet = json_array(), *states = json_array();

	rc = pipeline_unit_begin(ctx, "detect", "service", sv->name, &ucause);
	if (rc == 0 && !read)
		pf_job_run(ctx->db, &sv->read);
	if (rc == 0)
		rc = detect_service(ctx, sv, quiet, states, dc, &ucause);
	/* the quiet series' writes and the states fail (and are kept) with
	 * the service */
	if (rc == 0 && detect_states_save(ctx, quiet, states, &ucause) != 0)
		rc = 1;
	json_decref(quiet);
	json_decref(states);
	if (rc != 0)
		detect_keep_add(dc, NULL, sv->id, NULL, NULL, NULL);
	return pipeline_unit_end(ctx, rc != 0, "detect", "service", sv->name,
	    &ucause, cause);
}

/*
 * The writes of services judged without a savepoint of their own (their
 * reads came from the read-ahead connection, so nothing of theirs touched
 * this one but their series' own units): their quiet series and states,
 * written for WRITE_BATCH services at a time in one statement under one
 * savepoint; when that fails, each service's are written again as its own
 * unit, so only the one at fault is skipped.
 */
#define WRITE_BATCH 32

struct wbatch {
	size_t n;
	struct dservice *sv[WRITE_BATCH];
	json_t *quiet[WRITE_BATCH], *states[WRITE_BATCH];
};

/* Writes the batch (see above); 0 or -1 (fatal). */
static int
batch_flush(struct pipeline_ctx *ctx, struct wbatch *b,
    struct detect_counts *dc, char **cause)
{
	json_t *quiet = json_array(), *states = json_array();
	char *ucause = NULL;
	size_t i;
	int rc = 0, one;

	for (i = 0; i < b->n; i++) {
		json_array_extend(quiet, b->quiet[i]);
		json_array_extend(states, b->states[i]);
	}
	if (b->n > 0 && (DBXN(ctx->db, cause, "pipeline/unit_begin") != 0 ||
	    detect_states_save(ctx, quiet, states, &ucause) != 0)) {
		if (*cause != NULL || !db_alive(ctx->db) ||
		    DBXN(ctx->db, cause, "pipeline/unit_rollback") != 0 ||
		    DBXN(ctx->db, cause, "pipeline/unit_release") != 0)
			rc = -1;
		free(ucause);
		for (i = 0; i < b->n && rc == 0; i++) {
			ucause = NULL;
			one = pipeline_unit_begin(ctx, "detect", "service",
			    b->sv[i]->name, &ucause);
			if (one == 0)
				one = detect_states_save(ctx, b->quiet[i],
				    b->states[i], &ucause);
			if (one != 0)
				detect_keep_add(dc, NULL, b->sv[i]->id, NULL, NULL, NULL);
			rc = pipeline_unit_end(ctx, one != 0, "detect", "service",
			    b->sv[i]->name, &ucause, cause);
		}
	} else if (b->n > 0)
		rc = DBXN(ctx->db, cause, "pipeline/unit_release");
	for (i = 0; i < b->n; i++) {
		json_decref(b->quiet[i]);
		json_decref(b->states[i]);
	}
	b->n = 0;
	json_decref(quiet);
	json_decref(states);
	return rc;
}

/* Judges a service whose read is done and writes nothing of its own but
 * through the batch; when its read failed (it is read again, here: the
 * read-ahead connection may be what failed), or a state changed since it
 * was listed (it reads again, here), it is a unit of its own instead. */
static int
detect_service_batched(struct pipeline_ctx *ctx, struct dservice *sv,
    struct wbatch *b, struct detect_counts *dc, char **cause)
{
	json_t *quiet, *states;
	int rc;

	if (sv->read.res == NULL) {
		log_info("detect: service %s: reading again (%s)", sv->name,
		    sv->read.cause != NULL ? sv->read.cause : "no result");
		free(sv->read.cause);
		sv->read.cause = NULL;
		return detect_service_unit(ctx, sv, 0, dc, cause);
	}
	if (!pipeline_unit_quiet(ctx, "detect", "service", sv->name) ||
	    (sv->resumed && service_states(sv) != 0))
		return detect_service_unit(ctx, sv, 1, dc, cause);
	quiet = json_array();
	states = json_array();
	rc = detect_service(ctx, sv, quiet, states, dc, cause);
	if (rc != 0) {
		/* only a series unit's fatal failure gets here */
		json_decref(quiet);
		json_decref(states);
		return -1;
	}
	b->sv[b->n] = sv;
	b->quiet[b->n] = quiet;
	b->states[b->n] = states;
	if (++b->n == WRITE_BATCH)
		return batch_flush(ctx, b, dc, cause);
	return 0;
}

/* How many services' reads the read-ahead thread has sent ahead of the
 * one judged (queued at the server: it never waits for the thread). */
#define READ_AHEAD 8

/* Judges the services sv[0..n-1] in order, their reads made a few ahead by
 * a second connection (or here, one by one, when there is none). */
static int
detect_services(struct pipeline_ctx *ctx, struct dservice *sv, size_t n,
    struct detect_counts *dc, char **cause)
{
	struct prefetch *pf;
	struct pf_job *jobs = xcalloc(n + 1, sizeof *jobs);
	struct wbatch b;
	char *why = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		jobs[i] = sv[i].read;
		memset(&sv[i].read, 0, sizeof sv[i].read);
	}
	pf = prefetch_start(ctx->db, jobs, n, READ_AHEAD, &why);
	if (why != NULL)
		log_info("detect: reading on one connection (%s)", why);
	free(why);
	b.n = 0;
	for (i = 0; i < n && rc == 0; i++) {
		/* a job is the thread's until taken */
		if (pf != NULL)
			prefetch_take(pf, i);
		sv[i].read = jobs[i];
		memset(&jobs[i], 0, sizeof jobs[i]);
		rc = pf != NULL ? detect_service_batched(ctx, &sv[i], &b, dc,
		    cause) : detect_service_unit(ctx, &sv[i], 0, dc, cause);
	}
	if (rc == 0)
		rc = batch_flush(ctx, &b, dc, cause);
	else
		while (b.n > 0) {
			b.n--;
			json_decref(b.quiet[b.n]);
			json_decref(b.states[b.n]);
		}
	prefetch_stop(pf);
	for (i = 0; i < n; i++) {
		pf_job_free(&jobs[i]);
		pf_job_free(&sv[i].read);
	}
	free(jobs);
	return rc;
}

/*
 * A short window lists its series from the window's own points (the
 * (project_id, ts) index: a minute's run reads a minute of entries) with
 * their saved states, so a series that has one is judged from it.  A
 * longer window's listing would read as much as judging it does: its
 * services are judged on the whole lookback (their states are still
 * stored for the runs after it).
 */
#define CATALOG_WINDOW_S (6 * 3600.0)

/* The listing's columns, in ls_names' order. */
enum { LS_SVC, LS_NAME, LS_METRIC, LS_LABELS, LS_PARAMS, LS_RESUME, LS_STEP,
	LS_FIRST, LS_N };
static const char *const ls_names[LS_N] = {
	"service_id", "name", "metric_name", "labels_key", "params",
	"resume_at", "step", "first_at"
};

/* Judges every metric series with points in a short window, service by
 * service, from the listing above.  0 or -1 (fatal). */
static int
detect_listed(struct pipeline_ctx *ctx, struct detect_counts *dc, char **cause)
{
	struct dseries *s;
	struct dservice *sv;
	struct db_res *r;
	int c[LS_N], i, j, rows, rc;
	size_t n, nsv = 0, k;

	r = DBQN(ctx->db, cause, "pipeline/detect_listed",
	    ctx->project, ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	db_cols(r, ls_names, c, LS_N);
	rows = db_res_rows(r);
	s = xcalloc((size_t)rows + 1, sizeof *s);
	sv = xcalloc((size_t)rows + 1, sizeof *sv);
	for (i = 0; i < rows; i = j, nsv++) {
		sv[nsv].id = db_res_get(r, i, c[LS_SVC]);
		sv[nsv].name = db_res_get(r, i, c[LS_NAME]);
		sv[nsv].s = &s[i];
		sv[nsv].resumed = 1;
		sv[nsv].first = -1;
		for (j = i, n = 0; j < rows && strcmp(db_res_get(r, j,
		    c[LS_SVC]), sv[nsv].id) == 0; j++, n++) {
			s[j].metric = db_res_get(r, j, c[LS_METRIC]);
			s[j].labels = db_res_get(r, j, c[LS_LABELS]);
			s[j].in.resume_t = NAN;
			s[j].usable = detect_state_usable(ctx, s[j].metric,
			    db_res_get(r, j, c[LS_PARAMS]),
			    db_res_get(r, j, c[LS_RESUME]));
			s[j].resume_t = db_res_f(r, j, c[LS_RESUME]);
			s[j].step = db_res_f(r, j, c[LS_STEP]);
			s[j].first_t = db_res_isnull(r, j, c[LS_FIRST]) ? NAN :
			    db_res_f(r, j, c[LS_FIRST]);
			sv[nsv].resumed = sv[nsv].resumed && s[j].usable;
		}
		sv[nsv].ns = n;
		if (sv[nsv].resumed)
			detect_resumed_job(ctx, sv[nsv].id, sv[nsv].s, n,
			    &sv[nsv].read);
		else
			full_job(ctx, sv[nsv].id, &sv[nsv].read);
	}
	rc = detect_services(ctx, sv, nsv, dc, cause);
	for (k = 0; k < (size_t)rows; k++)
		detect_state_free(&s[k].in);
	free(s);
	free(sv);
	db_res_free(r);
	return rc;
}

/* Judges every metric series with points in the window, service by service
 * (never all points of all series at once), each service a unit. */
static int
detect_metrics(struct pipeline_ctx *ctx, struct detect_counts *dc, char **cause)
{
	struct dservice *sv;
	struct db_res *r;
	int i, rows, rc;

	if (ctx->end - ctx->start <= CATALOG_WINDOW_S)
		return detect_listed(ctx, dc, cause);
	r = DBQN(ctx->db, cause, "pipeline/detect_services",
	    ctx->project, ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	rows = db_res_rows(r);
	sv = xcalloc((size_t)rows + 1, sizeof *sv);
	for (i = 0; i < rows; i++) {
		sv[i].id = db_val(r, i, "id");
		sv[i].name = db_val(r, i, "name");
		full_job(ctx, sv[i].id, &sv[i].read);
	}
	rc = detect_services(ctx, sv, (size_t)rows, dc, cause);
	free(sv);
	db_res_free(r);
	return rc;
}

/* ---- signals computed in SQL --------------------------------------------- */

/* Runs the named INSERT ... RETURNING making signals of one type, as a
 * unit, and adds the row count to *count; 0 or -1 (fatal). */
static int
exec_count(struct pipeline_ctx *ctx, const char *name, const char *type,
    long long *count, struct detect_counts *dc, char **cause)
{
	struct db_res *r = NULL;
	char *ucause = NULL;
	int rc;

	rc = pipeline_unit_begin(ctx, "detect", "signals", type, &ucause);
	if (rc == 0) {
		r = DBQN(ctx->db, &ucause, name, ctx->project, ctx->run,
		    ctx->start_ts, ctx->end_ts);
		rc = r == NULL ? -1 : 0;
	}
	if (r != NULL) {
		*count += db_res_rows(r);
		db_res_free(r);
	}
	if (rc != 0)
		detect_keep_add(dc, type, NULL, NULL, NULL, NULL);
	return pipeline_unit_end(ctx, rc, "detect", "signals", type, &ucause,
	    cause);
}

/* ---- the stage ----------------------------------------------------------- */

/* Detects signals in the run's window (see the top of the file). */
int
stage_detect_run(struct pipeline_ctx *ctx, char **cause)
{
	struct detect_counts dc;
	long long fp = 0, health = 0, alerts = 0;
	struct db_res *r;
	char *keep;

	memset(&dc, 0, sizeof dc);
	if (detect_metrics(ctx, &dc, cause) != 0 ||
	    detect_funnels(ctx, &dc, cause) != 0 ||
	    exec_count(ctx, "pipeline/detect_fingerprints", "error_fingerprint_new", &fp, &dc,
	    cause) != 0 ||
	    exec_count(ctx, "pipeline/detect_health", "health_down", &health, &dc, cause) != 0 ||
	    exec_count(ctx, "pipeline/detect_alerts", "external_alert", &alerts, &dc,
	    cause) != 0) {
		json_decref(dc.keep);
		return -1;
	}
	/* Delete-and-rebuild: what this run did not produce again is stale,
	 * except what a skipped unit had (it was not judged again). */
	if (dc.keep == NULL)
		dc.keep = json_array();
	keep = jsonx_dump(dc.keep);
	json_decref(dc.keep);
	r = DBQN(ctx->db, cause, "pipeline/detect_stale",
	    ctx->project, ctx->run, ctx->start_ts, ctx->end_ts, keep);
	free(keep);
	if (r == NULL)
		return -1;
	pipeline_count(ctx, "detect", "stale_removed", db_res_rows(r));
	db_res_free(r);
	/* A signal still open from an earlier run that nothing continued (its
	 * series went quiet) ended by the start of this window. */
	r = DBQN(ctx->db, cause, "pipeline/detect_close_quiet",
	    ctx->project, ctx->run, ctx->start_ts);
	if (r == NULL)
		return -1;
	pipeline_count(ctx, "detect", "closed", db_res_rows(r));
	db_res_free(r);
	pipeline_count(ctx, "detect", "series", dc.series);
	pipeline_count(ctx, "detect", "points", dc.points);
	pipeline_count(ctx, "detect", "signals", dc.signals + fp + health + alerts);
	pipeline_count(ctx, "detect", "metric_signals", dc.signals);
	pipeline_count(ctx, "detect", "new_fingerprints", fp);
	pipeline_count(ctx, "detect", "health_streaks", health);
	pipeline_count(ctx, "detect", "external_alerts", alerts);
	pipeline_count(ctx, "detect", "features", dc.features);
	pipeline_count(ctx, "detect", "resumed", dc.resumed);
	return 0;
}
