/*
 * investigate_open.c - the incident step of "investigate a moment"
 * (investigate.c has the whole story): from the scored series
 * (investigate_score.c), the main service's cluster (investigate_cluster.c)
 * capped to the strongest signals, then the incident keyed
 * investigate:<epoch>[:<service id>], its approval (policy gate-v1,
 * "investigation requested by ..."), its signals and the audit entry.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/severity.h"
#include "midwatch/xmalloc.h"
#include "investigate_int.h"
#include "pipeline_int.h"

/* ---- the stage ------------------------------------------------------------ */

/* Writes the audit entry of the investigation. */
int
inv_audit(struct inv *v, long long incident, char **cause)
{
	json_t *d = json_pack("{s:s, s:i, s:b, s:I}", "at", v->at_ts,
	    "window_seconds", v->window, "reused", v->reuse_id != 0, "run_id",
	    (json_int_t)v->pc.run_id);
	char *dump, id[24];
	int rc;

	json_object_set_new(d, "service", v->o->service != NULL ?
	    json_string(v->o->service) : json_null());
	json_object_set_new(d, "signals", json_integer(v->res->signals));
	dump = jsonx_dump(d);
	rc = DBXN(v->pc.db, cause, "pipeline/investigate_audit", v->pc.project,
	    v->o->actor != NULL ? v->o->actor : "unknown",
	    pipeline_ll(id, sizeof id, incident), dump);
	free(dump);
	json_decref(d);
	return rc;
}

/* The title: "investigation at 04:36 UTC: payments error_ratio 4.1%
 * (baseline 0.5%), +2 services" (malloc'd). */
static char *
inv_title(struct inv *v, const struct inv_found *f, const struct inv_sig *top,
    int nsvc)
{
	const struct db_res *r = f->r;
	const struct inv_cols *c = &f->c;
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "investigation at %.5s UTC", v->at_ts + 11);
	if (v->o->service != NULL)
		buf_printf(&b, " on %s", v->o->service);
	if (top == NULL)
		buf_adds(&b, ": nothing abnormal found");
	else {
		buf_printf(&b, ": %s %s %s (baseline %s)",
		    db_res_get(r, top->row, c->svc_name),
		    db_res_get(r, top->row, c->metric_name),
		    db_res_get(r, top->row, c->fmt_val),
		    db_res_get(r, top->row, c->fmt_base));
		if (nsvc > 1)
			buf_printf(&b, ", +%d service%s", nsvc - 1,
			    nsvc > 2 ? "s" : "");
	}
	return buf_steal(&b);
}

/* One signal row for the INSERT (new reference). */
static json_t *
inv_signal_json(struct inv *v, const struct inv_found *f,
    const struct inv_sig *s)
{
	const struct db_res *r = f->r;
	const struct inv_cols *c = &f->c;
	int i = s->row;
	const char *labels = db_res_get(r, i, c->labels_key);
	char *key;
	json_t *o, *d;

	key = xasprintf("%s/%s:%s:%s:%s", v->key, db_res_get(r, i, c->service_id),
	    db_res_get(r, i, c->metric_name), labels != NULL ? labels : "",
	    db_res_get(r, i, c->dir));
	d = json_pack("{s:s, s:s, s:s, s:f, s:f, s:o, s:o, s:o, s:o, s:I, s:I,"
	    " s:I, s:I, s:b, s:b}",
	    "source", "investigate", "investigation", v->key,
	    "requested_by", v->o->actor != NULL ? v->o->actor : "unknown",
	    "z", round(s->z * 1000) / 1000, "z_quantile", INVESTIGATE_QUANTILE,
	    "median", inv_jnum(r, i, c->med), "mad", inv_jnum(r, i, c->mad),
	    "scale", inv_jnum(r, i, c->scale), "value", inv_jnum(r, i, c->val),
	    "base_minutes", (json_int_t)db_res_ll(r, i, c->nb),
	    "after_minutes", (json_int_t)db_res_ll(r, i, c->na),
	    "abnormal_minutes", (json_int_t)db_res_ll(r, i, c->nabn),
	    "series_abnormal", (json_int_t)db_res_ll(r, i, c->nseries),
	    "counts", strcmp(db_res_get(r, i, c->counts), "t") == 0,
	    "flapping", s->flapping);
	json_object_set_new(d, "cycles", json_integer(db_res_ll(r, i,
	    c->cycles)));
	if (s->spike)
		json_object_set_new(d, "spike", json_true());
	o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:f, s:o, s:o, s:o,"
	    " s:o, s:o, s:s, s:o}",
	    "dedupe_key", key, "signal_type", s->type,
	    "service_id", (json_int_t)s->svc,
	    "metric_name", db_res_get(r, i, c->metric_name),
	    "labels_key", labels != NULL ? labels : "",
	    "severity", severity_name(s->sev),
	    "quality", round(s->q * 1000) / 1000,
	    "onset_at", inv_jstr(r, i, c->ton),
	    "peak_at", inv_jstr(r, i, c->tpeak),
	    "ended_at", inv_jstr(r, i, c->tend),
	    "baseline", inv_jnum(r, i, c->baseline),
	    "peak_value", inv_jnum(r, i, c->vpeak),
	    "direction", db_res_get(r, i, c->dir), "details", d);
	free(key);
	return o;
}

/* Picks what the incident keeps: the main service (the one named, else the
 * strongest anomaly's), its cluster, the strongest signals of it under the
 * cap (f->rows), the services they are on, the others (f->elsewhere). */
static int
inv_pick(struct inv *v, struct inv_found *f, char **cause)
{
	int i, j, dup;
	size_t k;

	/* The main service: the one named, else the strongest anomaly's. */
	for (i = 0; i < f->n; i++)
		if (f->top == NULL || inv_strength(&f->sg[i]) > inv_strength(f->top))
			f->top = &f->sg[i];
	f->mainsvc = v->svc_id != 0 ? v->svc_id : f->top != NULL ? f->top->svc : 0;
	if (f->n > 0 && inv_cluster(v, f->sg, f->n, f->mainsvc, cause) != 0)
		return -1;
	/* Keep the strongest of the cluster (traffic shifts first, those
	 * no shifting caller feeds before them: where a surge enters is read
	 * from which callers surge, so the cap must not cut them for stronger
	 * symptoms); the rest is elsewhere. */
	f->top = NULL;
	for (;;) {
		struct inv_sig *best = NULL;

		for (i = 0; i < f->n; i++)
			if (f->sg[i].keep == 1 && (best == NULL ||
			    inv_keep_before(&f->sg[i], best)))
				best = &f->sg[i];
		if (best == NULL)
			break;
		best->keep = 2;		/* taken */
		if (f->kept >= INVESTIGATE_MAX_SIGNALS) {
			best->keep = 3;	/* beyond the cap */
			continue;
		}
		if (f->top == NULL || inv_strength(best) > inv_strength(f->top))
			f->top = best;
		f->kept++;
		if (best->sev > f->sev)
			f->sev = best->sev;
		json_array_append_new(f->rows, inv_signal_json(v, f, best));
	}
	/* the services they are on */
	for (i = 0; i < f->n; i++) {
		for (dup = 0, j = 0; j < i && !dup; j++)
			dup = f->sg[j].keep == 2 && f->sg[j].svc == f->sg[i].svc;
		if (f->sg[i].keep == 2 && !dup)
			f->nsvc++;
	}
	for (i = 0; i < f->n; i++) {
		const char *name = db_res_get(f->r, f->sg[i].row, f->c.svc_name);

		if (f->sg[i].keep != 0)
			continue;
		for (dup = 0, k = 0; k < json_array_size(f->elsewhere) && !dup; k++)
			dup = strcmp(json_string_value(json_array_get(f->elsewhere,
			    k)), name) == 0;
		if (!dup)
			json_array_append_new(f->elsewhere, json_string(name));
	}
	return 0;
}

/* Writes the incident (opened, or updated by a re-run of the same moment)
 * and its approval; v->res->incident_id, its id as text in inc. */
static int
inv_write_incident(struct inv *v, struct inv_found *f, char *inc,
    size_t incsz, char **cause)
{
	struct db_res *q;
	json_t *det = NULL;
	char *ddump = NULL, *title = NULL, *why = NULL, w[24];
	int rc = -1;

	pipeline_ll(w, sizeof w, v->window);
	title = inv_title(v, f, f->top, f->nsvc);
	det = json_pack("{s:s, s:s, s:s, s:i, s:I, s:i, s:i, s:O}",
	    "source", "investigate",
	    "requested_by", v->o->actor != NULL ? v->o->actor : "unknown",
	    "at", v->at_ts, "window_seconds", v->window,
	    "scored_series", (json_int_t)f->scored, "abnormal_series", f->n,
	    "signals", f->kept, "elsewhere", f->elsewhere);
	json_object_set_new(det, "service", v->o->service != NULL ?
	    json_string(v->o->service) : json_null());
	json_object_set_new(det, "strongest_signal_type", f->top != NULL ?
	    json_string(f->top->type) : json_null());
	ddump = jsonx_dump(det);
	q = DBQN(v->pc.db, cause, "pipeline/investigate_incident",
	    v->pc.project, v->pc.run, v->key,
	    f->mainsvc != 0 ? pipeline_ll(inc, incsz, f->mainsvc) : NULL,
	    severity_name(f->sev), title, v->at_ts, w, ddump);
	if (q == NULL)
		goto out;
	v->res->incident_id = db_val_ll(q, 0, "id");
	db_res_free(q);
	pipeline_ll(inc, incsz, v->res->incident_id);
	why = xasprintf("investigation requested by %s at %s",
	    v->o->actor != NULL ? v->o->actor : "unknown", v->at_ts);
	if (DBXN(v->pc.db, cause, "pipeline/investigate_decision",
	    v->pc.project, v->pc.run, inc, why, PIPELINE_POLICY_VERSION) != 0)
		goto out;
	rc = 0;
out:
	free(ddump);
	free(title);
	free(why);
	json_decref(det);
	return rc;
}

/* Writes the kept signals of incident inc; drops those a re-run of the
 * same moment no longer finds. */
static int
inv_write_signals(struct inv *v, struct inv_found *f, const char *inc,
    char **cause)
{
	char *rdump;
	int rc = -1;

	rdump = jsonx_dump(f->rows);
	if (DBXN(v->pc.db, cause, "pipeline/investigate_signals",
	    v->pc.project, v->pc.run, inc, rdump) != 0)
		goto out;
	/* What a re-run of the same moment no longer finds goes. */
	if (DBXN(v->pc.db, cause, "pipeline/investigate_signals_stale",
	    v->pc.project, v->pc.run, inc) != 0)
		goto out;
	rc = 0;
out:
	free(rdump);
	return rc;
}

/* Scores the moment, writes the incident, its decision and signals. */
int
inv_open(struct inv *v, char **cause)
{
	struct inv_found f;
	char inc[24];
	int i, dup, rc = -1;

	memset(&f, 0, sizeof f);
	f.rows = json_array();
	f.elsewhere = json_array();
	if (inv_score(v, &f, cause) != 0)
		goto out;
	if (inv_pick(v, &f, cause) != 0)
		goto out;
	v->res->signals = f.kept;
	v->res->services = f.nsvc;
	v->res->elsewhere = (int)json_array_size(f.elsewhere);
	if (v->o->need_abnormal) {
		for (dup = 0, i = 0; i < f.n && !dup; i++)
			dup = f.sg[i].keep == 2 && !f.sg[i].flapping &&
			    !f.sg[i].spike;
		if (!dup) {
			pipeline_count(&v->pc, "investigate", "scored_series",
			    f.scored);
			pipeline_count(&v->pc, "investigate", "abnormal_series",
			    f.n);
			pipeline_count(&v->pc, "investigate", "incident", 0);
			v->pc.stop = 1;
			rc = 0;
			goto out;
		}
	}
	if (inv_write_incident(v, &f, inc, sizeof inc, cause) != 0 ||
	    inv_write_signals(v, &f, inc, cause) != 0)
		goto out;
	if (inv_audit(v, v->res->incident_id, cause) != 0)
		goto out;
	pipeline_count(&v->pc, "investigate", "scored_series", f.scored);
	pipeline_count(&v->pc, "investigate", "abnormal_series", f.n);
	pipeline_count(&v->pc, "investigate", "signals", f.kept);
	pipeline_count(&v->pc, "investigate", "services", f.nsvc);
	pipeline_count(&v->pc, "investigate", "elsewhere",
	    (long long)json_array_size(f.elsewhere));
	pipeline_count(&v->pc, "investigate", "incident", v->res->incident_id);
	rc = 0;
out:
	free(f.sg);
	json_decref(f.rows);
	json_decref(f.elsewhere);
	db_res_free(f.r);
	return rc;
}
