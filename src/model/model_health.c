/*
 * model_health.c - the pipeline's health, one definition for the console's
 * status bar, `midwatch incidents` and `midwatch status`: healthy, degraded
 * (the last run completed but skipped units, or gave a window up) or failing
 * (the last run failed, or no run completed within max_age), with a one-line
 * reason, so a degraded pipeline is never mistaken for a quiet one.  Only
 * runs of kind 'pipeline' count: an investigation (`midwatch investigate`,
 * kind 'investigate') says nothing about the pipeline's health.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/model.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"

static const char *const state_names[] = { "ok", "degraded", "failing" };

const char *
model_health_name(int state)
{
	return state >= 0 && state <= MW_HEALTH_FAILING ? state_names[state] :
	    "unknown";
}

/* A column as a malloc'd string or NULL. */
static char *
col(const struct db_res *r, const char *name)
{
	const char *v = db_val(r, 0, name);

	return v != NULL ? xstrdup(v) : NULL;
}

/* "HH:MM UTC" for a time within the day before now, else the date too. */
static void
when(double t, double now, char *out, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	if (now - t < 86400)
		strftime(out, len, "%H:%M UTC", &tm);
	else
		strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm);
}

/* "3 series", "2 incidents", "4 units" for the skipped list. */
static void
skipped_what(const struct mw_health *h, struct buf *b)
{
	const char *kind = NULL, *k;
	size_t i;
	json_t *u;
	int same = 1;

	json_array_foreach(h->skipped, i, u) {
		k = json_string_value(json_object_get(u, "unit"));
		if (k == NULL)
			continue;
		if (kind == NULL)
			kind = k;
		else if (strcmp(kind, k) != 0)
			same = 0;
	}
	if (kind == NULL || !same)
		kind = "unit";
	buf_printf(b, "%lld %s%s", h->skipped_units, kind,
	    h->skipped_units == 1 || kind[strlen(kind) - 1] == 's' ? "" : "s");
}

/* Composes h->line from the rest. */
static void
health_line(struct mw_health *h)
{
	struct buf b;
	char t[40], t2[40];
	json_t *first;

	buf_init(&b);
	switch (h->state) {
	case MW_HEALTH_FAILING:
		if (h->failing_since > 0) {
			when(h->failing_since, h->now, t, sizeof t);
			buf_printf(&b, "pipeline failing since %s", t);
		} else if (h->last_ok > 0) {
			when(h->last_ok, h->now, t, sizeof t);
			buf_printf(&b, "pipeline failing: no run completed since %s",
			    t);
		} else {
			buf_adds(&b, "pipeline failing: no run has completed");
		}
		break;
	case MW_HEALTH_DEGRADED:
		buf_adds(&b, "degraded: ");
		if (h->source_line != NULL && h->gap_from <= 0 &&
		    h->skipped_units <= 0) {
			buf_adds(&b, h->source_line);
			if (h->sources_failing > 1)
				buf_printf(&b, " (+%d more failing sources)",
				    h->sources_failing - 1);
			h->line = buf_steal(&b);
			return;
		}
		if (h->gap_from > 0) {
			when(h->gap_from, h->now, t, sizeof t);
			when(h->gap_to, h->now, t2, sizeof t2);
			buf_printf(&b, "window %s .. %s given up", t, t2);
		} else {
			skipped_what(h, &b);
			buf_adds(&b, " skipped");
		}
		break;
	default:
		buf_free(&b);
		return;
	}
	first = json_array_get(h->skipped, 0);
	if (h->reason != NULL)
		buf_printf(&b, " (%s)", h->reason);
	else if (first != NULL)
		buf_printf(&b, " (%s %s: %s)",
		    json_string_value(json_object_get(first, "unit")),
		    json_string_value(json_object_get(first, "id")),
		    json_string_value(json_object_get(first, "reason")));
	if (h->source_line != NULL)
		buf_printf(&b, "; %s", h->source_line);
	h->line = buf_steal(&b);
}

/* Adds line (taken) to h->source_line, after "; " when it has one; what
 * it names makes a healthy pipeline degraded. */
static void
health_add(struct mw_health *h, char *line)
{
	if (h->source_line == NULL)
		h->source_line = line;
	else {
		char *both = xasprintf("%s; %s", h->source_line, line);

		free(h->source_line);
		free(line);
		h->source_line = both;
	}
	if (h->state == MW_HEALTH_OK)
		h->state = MW_HEALTH_DEGRADED;
}

/* A failing pulled source (issue 9) makes a healthy pipeline degraded:
 * the run goes on, but judges data that stopped arriving (src: the row of
 * model/health_sources).  So does a notification dead-lettered within a
 * day, or an Alertmanager silence that gave up (dead: the row of
 * model/health_dead). */
static void
health_sources(const struct db_res *src, const struct db_res *dead,
    struct mw_health *h)
{
	const char *ch = db_val(dead, 0, "channel");

	if (db_res_rows(src) == 1) {
		h->sources_failing = (int)db_val_ll(src, 0, "failing");
		health_add(h, xasprintf("source %s failing (%lld pull%s): %s",
		    db_val(src, 0, "name"), db_val_ll(src, 0, "retries"),
		    db_val_ll(src, 0, "retries") == 1 ? "" : "s",
		    db_val(src, 0, "error")));
	}
	/* a notification that gave up is a page nobody got */
	h->dead_messages = db_val_ll(dead, 0, "dead");
	if (h->dead_messages > 0)
		health_add(h, xasprintf("%lld notification%s dead-lettered in "
		    "24 h (last on channel %s; midwatch channels list)",
		    h->dead_messages, h->dead_messages == 1 ? "" : "s",
		    ch != NULL ? ch : "?"));
	/* a silence that gave up: Alertmanager pages on (or stays silent) */
	h->dead_silences = db_val_ll(dead, 0, "dead_silences");
	if (h->dead_silences > 0)
		health_add(h, xasprintf("%lld Alertmanager silence%s failed in "
		    "24 h (last: alert %s: %s)", h->dead_silences,
		    h->dead_silences == 1 ? "" : "s",
		    db_val(dead, 0, "silence_alert"),
		    db_val(dead, 0, "silence_error") != NULL ?
		    db_val(dead, 0, "silence_error") : "gave up"));
}

/* The last runs' state from the row of model/health_runs. */
static void
health_runs(const struct db_res *r, double max_age, struct mw_health *h)
{
	const char *st;
	json_t *sk;

	h->now = db_val_f(r, 0, "now");
	h->last_run_id = db_val_ll(r, 0, "id");
	h->last_run_status = col(r, "status");
	h->skipped_units = db_val_ll(r, 0, "skipped_units");
	sk = db_val(r, 0, "skipped") != NULL ?
	    json_loads(db_val(r, 0, "skipped"), 0, NULL) : NULL;
	h->skipped = json_is_array(sk) ? sk : json_array();
	if (!json_is_array(sk))
		json_decref(sk);
	h->last_ok = db_val_f(r, 0, "last_ok");
	h->watermark = col(r, "watermark");
	st = h->last_run_status != NULL ? h->last_run_status : "";
	if (strcmp(st, "failed") == 0) {
		h->state = MW_HEALTH_FAILING;
		h->failing_since = db_val_f(r, 0, "failing_since");
		h->reason = col(r, "error");
	} else if (max_age > 0 && db_val_ll(r, 0, "runs") > 0 &&
	    (h->last_ok <= 0 || h->now - h->last_ok > max_age)) {
		h->state = MW_HEALTH_FAILING;
	} else if (strcmp(st, "skipped") == 0) {
		h->state = MW_HEALTH_DEGRADED;
		h->gap_from = db_val_f(r, 0, "gap_from");
		h->gap_to = db_val_f(r, 0, "gap_to");
		h->reason = col(r, "gap_error");
	} else if (strcmp(st, "completed") == 0 && h->skipped_units > 0) {
		h->state = MW_HEALTH_DEGRADED;
	}
}

/* The runs, the sources and the dead letters are read in one round trip
 * (db.h's batches), after the dead runs are reaped. */
int
model_health_load(struct db *db, long long project_id, double max_age,
    struct mw_health *h, char **cause)
{
	struct db_batch *b;
	struct db_res *runs, *src, *dead_r;
	char proj[24], *dead = NULL;
	int qr, qs, qd, rc = -1;

	memset(h, 0, sizeof *h);
	snprintf(proj, sizeof proj, "%lld", project_id);
	/* A run whose runner died (its lock is gone) is failed, now: marked
	 * so, or in a read-only session only counted so. */
	if (db_reap_dead_runs(db, project_id, &dead, cause) != 0)
		return -1;
	b = db_batch_new(db);
	qr = DBBN(b, "model/health_runs", proj, dead);
	qs = DBBN(b, "model/health_sources", proj);
	qd = DBBN(b, "model/health_dead", proj);
	free(dead);
	if (db_batch_run(b, cause) == 0) {
		runs = db_batch_take(b, qr);
		src = db_batch_take(b, qs);
		dead_r = db_batch_take(b, qd);
		health_runs(runs, max_age, h);
		health_sources(src, dead_r, h);
		db_res_free(runs);
		db_res_free(src);
		db_res_free(dead_r);
		health_line(h);
		rc = 0;
	}
	db_batch_free(b);
	return rc;
}

void
model_health_free(struct mw_health *h)
{
	free(h->line);
	free(h->reason);
	free(h->last_run_status);
	free(h->watermark);
	free(h->source_line);
	json_decref(h->skipped);
	memset(h, 0, sizeof *h);
}
