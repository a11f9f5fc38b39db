/*
 * source_am.c - pulling alerts from Alertmanager (API v2): every alert that
 * GET /api/v2/alerts returns becomes an external alert, through the same
 * path as a webhook body (ingest_webhook.c: fingerprint dedupe, severity,
 * service, mirrored into midwatch.alerts); an alert of this source that is
 * still firing in midwatch but that Alertmanager no longer reports was
 * resolved there, and gets its resolution at the time of the pull.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/ingest.h"
#include "midwatch/jsonx.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "sources_int.h"

const struct setting src_am_settings[] = {
	{ "silence-for", SET_DURATION, 3600, 60, 30 * 86400,
	    "silence created when an alert is acknowledged in midwatch" },
	{ "timeout", SET_DURATION, 10, 1, 300, "longest one request may take" },
	{ "org-id", SET_TEXT, -1, 0, 256,
	    "X-Scope-OrgID header (Mimir's multi-tenant Alertmanager)" },
	{ "user", SET_TEXT, -1, 0, 256,
	    "basic-auth user (the secret is the password)" },
	{ "key-env", SET_ENV, -1, 0, 0,
	    "variable holding the bearer token or password" },
	{ "key-file", SET_PATH, -1, 0, 0,
	    "file holding the bearer token or password (chmod 600)" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* The alerts of an answer to GET /api/v2/alerts (see sources.h). */
json_t *
sources_am_alerts_result(long status, const char *body, size_t len,
    char **why)
{
	json_t *a = json_loadb(body, len, 0, NULL);

	if (status == 200 && json_is_array(a))
		return a;
	if (status != 200)
		*why = xasprintf("GET /api/v2/alerts: HTTP %ld", status);
	else
		*why = xstrdup("GET /api/v2/alerts: the answer is not the JSON "
		    "of Alertmanager's API v2 (an array of alerts)");
	json_decref(a);
	return NULL;
}

/* GET /api/v2/alerts; the array (new reference), or NULL with f filled. */
static json_t *
am_alerts(struct src *s, struct src_fail *f)
{
	struct net_response resp;
	json_t *a;
	char *payload, *why = NULL;

	if (src_get(s, "/api/v2/alerts", NULL, &resp, f) != 0)
		return NULL;
	payload = src_answer_payload("GET /api/v2/alerts", resp.body);
	a = sources_am_alerts_result(resp.status, resp.body, resp.body_len,
	    &why);
	if (a == NULL)
		src_failf(f, payload, "%s", why);
	free(why);
	free(payload);
	net_response_free(&resp);
	return a;
}

/* An alert of the API as an alert of a webhook body (see sources.h). */
json_t *
sources_am_webhook_alert(json_t *g)
{
	static const char *const keys[] = { "labels", "annotations",
	    "startsAt", "endsAt", "generatorURL", "fingerprint", NULL };
	json_t *w = json_object(), *v;
	int i;

	if (!json_is_object(g))
		return json_incref(g);	/* ingest says what is wrong */
	json_object_set_new(w, "status", json_string("firing"));
	for (i = 0; keys[i] != NULL; i++)
		if ((v = json_object_get(g, keys[i])) != NULL)
			json_object_set(w, keys[i], v);
	return w;
}

/*
 * Adds to alerts a resolution (endsAt now) for every alert of this source
 * whose latest event is a firing one and whose fingerprint the pull did
 * not return; *n counts them.
 */
static int
am_absent(struct db *db, struct src *s, json_t *alerts, json_t *seen,
    double now, long long *n, char **cause)
{
	char project[24], ts[40];
	struct db_res *r;
	json_t *a;
	int i, c_fp;

	snprintf(project, sizeof project, "%lld", s->project_id);
	r = DBQN(db, cause, "sources/am_firing", project, s->name);
	if (r == NULL)
		return -1;
	timefmt_format(now, ts, sizeof ts);
	c_fp = db_col(r, "fingerprint");
	for (i = 0; i < db_res_rows(r); i++) {
		if (json_object_get(seen, db_res_get(r, i, c_fp)) != NULL)
			continue;
		a = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s}", "status",
		    "resolved", "fingerprint", db_res_get(r, i, c_fp), "labels",
		    json_loads(db_val(r, i, "labels"), 0, NULL), "annotations",
		    json_loads(db_val(r, i, "annotations"), 0, NULL),
		    "startsAt", db_val(r, i, "starts_at"), "endsAt", ts);
		if (a != NULL) {
			json_array_append_new(alerts, a);
			(*n)++;
		}
	}
	db_res_free(r);
	return 0;
}

/* The alerts of the API as alerts of a webhook body (see sources.h). */
json_t *
sources_am_pull_alerts(json_t *got, json_t *seen)
{
	json_t *alerts = json_array(), *g;
	const char *fp;
	size_t i;

	json_array_foreach(got, i, g) {
		json_array_append_new(alerts, sources_am_webhook_alert(g));
		if ((fp = jsonx_str(g, "fingerprint", 0, NULL)) != NULL)
			json_object_set_new(seen, fp, json_true());
	}
	return alerts;
}

/* The webhook body of a pull (see sources.h). */
json_t *
sources_am_pull_body(json_t *alerts, const char *url, const char *name)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "version", "4",
	    "receiver", "midwatch-pull", "status", "firing", "externalURL",
	    url, "midwatchSource", name, "alerts", alerts);
}

/* The version of an answer to GET /api/v2/status (see sources.h). */
char *
sources_am_status_version(long status, const char *body, size_t len,
    char **why)
{
	json_t *st = json_loadb(body, len, 0, NULL);
	const char *ver;
	char *v = NULL;

	if (status != 200)
		*why = xasprintf("GET /api/v2/status: HTTP %ld", status);
	else if (!json_is_object(st))
		*why = xstrdup("GET /api/v2/status: the answer is not JSON (is "
		    "the URL an Alertmanager?)");
	else {
		ver = jsonx_str(json_object_get(st, "versionInfo"), "version", 0,
		    NULL);
		v = ver != NULL ? ingest_quote(ver, strlen(ver), 64) :
		    xstrdup("(version unknown)");
	}
	json_decref(st);
	return v;
}

/* Pulls an Alertmanager source (see sources_int.h). */
int
src_am_pull(struct db *db, struct src *s, struct ingest *in, double now,
    struct src_pulled *p, struct src_fail *f, char **cause)
{
	json_t *got, *body, *alerts, *seen;
	int rc;

	if ((got = am_alerts(s, f)) == NULL)
		return 1;
	seen = json_object();
	alerts = sources_am_pull_alerts(got, seen);
	json_decref(got);
	p->alerts += (long long)json_array_size(alerts);
	if (am_absent(db, s, alerts, seen, now, &p->resolved, cause) != 0) {
		json_decref(alerts);
		json_decref(seen);
		return -1;
	}
	json_decref(seen);
	body = sources_am_pull_body(alerts, s->url, s->name);
	rc = ingest_object(in, body, 1, cause);
	json_decref(body);
	return rc != 0 ? -1 : 0;
}

/* Status and alerts, for `sources test` (see sources_int.h). */
int
src_am_test(struct src *s, char **report)
{
	struct src_fail f = { NULL, NULL };
	struct net_response resp;
	char *ver;
	json_t *a;

	if (src_get(s, "/api/v2/status", NULL, &resp, &f) != 0) {
		*report = f.reason;
		free(f.payload);
		return 1;
	}
	ver = sources_am_status_version(resp.status, resp.body, resp.body_len,
	    report);
	net_response_free(&resp);
	if (ver == NULL)
		return 1;
	if ((a = am_alerts(s, &f)) == NULL) {
		free(ver);
		*report = f.reason;
		free(f.payload);
		return 1;
	}
	*report = xasprintf("Alertmanager %s, %zu alert%s", ver,
	    json_array_size(a), json_array_size(a) == 1 ? "" : "s");
	json_decref(a);
	free(ver);
	return 0;
}
