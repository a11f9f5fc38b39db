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

/* GET /api/v2/alerts; the array (new reference), or NULL with f filled. */
static json_t *
am_alerts(struct src *s, struct src_fail *f)
{
	struct net_response resp;
	json_t *a;
	char *payload;

	if (src_get(s, "/api/v2/alerts", NULL, &resp, f) != 0)
		return NULL;
	payload = src_answer_payload("GET /api/v2/alerts", resp.body);
	a = json_loadb(resp.body, resp.body_len, 0, NULL);
	if (resp.status != 200)
		src_failf(f, payload, "GET /api/v2/alerts: HTTP %ld", resp.status);
	else if (!json_is_array(a))
		src_failf(f, payload, "GET /api/v2/alerts: the answer is not the "
		    "JSON of Alertmanager's API v2 (an array of alerts)");
	if (resp.status != 200 || !json_is_array(a)) {
		json_decref(a);
		a = NULL;
	}
	free(payload);
	net_response_free(&resp);
	return a;
}

/* An alert of the API as an alert of a webhook body (new reference). */
static json_t *
am_webhook_alert(json_t *g)
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

/* Pulls an Alertmanager source (see sources_int.h). */
int
src_am_pull(struct db *db, struct src *s, struct ingest *in, double now,
    struct src_pulled *p, struct src_fail *f, char **cause)
{
	json_t *got, *body, *alerts, *g, *seen;
	const char *fp;
	size_t i;
	int rc;

	if ((got = am_alerts(s, f)) == NULL)
		return 1;
	alerts = json_array();
	seen = json_object();
	json_array_foreach(got, i, g) {
		json_array_append_new(alerts, am_webhook_alert(g));
		if ((fp = jsonx_str(g, "fingerprint", 0, NULL)) != NULL)
			json_object_set_new(seen, fp, json_true());
	}
	json_decref(got);
	p->alerts += (long long)json_array_size(alerts);
	if (am_absent(db, s, alerts, seen, now, &p->resolved, cause) != 0) {
		json_decref(alerts);
		json_decref(seen);
		return -1;
	}
	json_decref(seen);
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "version", "4",
	    "receiver", "midwatch-pull", "status", "firing", "externalURL",
	    s->url, "midwatchSource", s->name, "alerts", alerts);
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
	const char *ver = NULL;
	json_t *st, *a;

	if (src_get(s, "/api/v2/status", NULL, &resp, &f) != 0) {
		*report = f.reason;
		free(f.payload);
		return 1;
	}
	st = json_loadb(resp.body, resp.body_len, 0, NULL);
	if (resp.status != 200 || !json_is_object(st)) {
		*report = resp.status != 200 ? xasprintf("GET /api/v2/status: "
		    "HTTP %ld", resp.status) : xstrdup("GET /api/v2/status: the "
		    "answer is not JSON (is the URL an Alertmanager?)");
		json_decref(st);
		net_response_free(&resp);
		return 1;
	}
	ver = jsonx_str(json_object_get(st, "versionInfo"), "version", 0, NULL);
	net_response_free(&resp);
	if ((a = am_alerts(s, &f)) == NULL) {
		json_decref(st);
		*report = f.reason;
		free(f.payload);
		return 1;
	}
	*report = xasprintf("Alertmanager %s, %zu alert%s", ver != NULL ? ver :
	    "(version unknown)", json_array_size(a), json_array_size(a) == 1 ?
	    "" : "s");
	json_decref(a);
	json_decref(st);
	return 0;
}
