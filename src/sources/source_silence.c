/*
 * source_silence.c - acknowledgement goes back to Alertmanager: the
 * silences that acknowledging or silencing an Alertmanager alert in
 * midwatch queued (sql/014_silences.sql) are created with POST
 * /api/v2/silences, and expired with DELETE /api/v2/silence/{id} when the
 * alert or its incident is resolved.  Alertmanager's silence id is kept;
 * a failure is recorded on the row and retried with backoff, up to
 * SOURCES_SILENCE_ATTEMPTS attempts, then the row is dead (and says why).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/db.h"
#include "midwatch/ingest.h"
#include "midwatch/jsonx.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "sources_int.h"

/* One silence's outcome: state, silence id (or NULL), error (or NULL). */
static int
silence_store(struct db *db, long long project_id, const char *id,
    const char *state, const char *silence_id, const char *error,
    double retry_s, char **cause)
{
	char project[24], wait[32];

	snprintf(project, sizeof project, "%lld", project_id);
	snprintf(wait, sizeof wait, "%.3f", retry_s);
	return DBXN(db, cause, "sources/silence_store", project, id, state,
	    silence_id, error, wait);
}

/* The silence id of an answer to POST /api/v2/silences (see sources.h). */
char *
sources_silence_id(long status, const char *body, size_t len, char **why)
{
	json_t *r = json_loadb(body, len, 0, NULL);
	const char *id = jsonx_str(r, "silenceID", 0, NULL);
	size_t n = id != NULL ? strlen(id) : 0;
	char *sid = NULL, *q;

	if (status == 200 && n >= 1 && n <= 128 && strspn(id, "abcdefghijklm"
	    "nopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~") == n)
		sid = xstrdup(id);
	else {
		q = ingest_quote(body, len, 200);
		*why = xasprintf("POST /api/v2/silences: HTTP %ld: %s%s", status,
		    status == 200 && id != NULL ? "not a silence id: " : "", q);
		free(q);
	}
	json_decref(r);
	return sid;
}

/* POSTs a silence; 0 with *sid (malloc'd), 1 with *why. */
static int
silence_create(struct src *s, json_t *matchers, double ends, const char *by,
    const char *comment, char **sid, long *status, char **why)
{
	struct net_request req;
	struct net_response resp;
	char from[40], to[40], *body, *url;
	json_t *j;
	int rc = 1;

	time_t now = time(NULL);

	timefmt_format((double)now, from, sizeof from);
	timefmt_format(ends, to, sizeof to);
	j = json_pack("{s:O, s:s, s:s, s:s, s:s}", "matchers", matchers,
	    "startsAt", from, "endsAt", to, "createdBy", by, "comment", comment);
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	url = net_url_build(s->url, "/api/v2/silences", NULL);
	memset(&req, 0, sizeof req);
	req.method = NET_POST;
	req.url = url;
	req.body = body;
	req.headers = s->headers;
	req.timeout_ms = s->timeout_ms;
	req.secrets = s->secrets;
	*status = 0;
	if (net_request(&req, &resp) != 0) {
		*why = xasprintf("POST /api/v2/silences: %s", resp.error);
	} else {
		*status = resp.status;
		*sid = sources_silence_id(resp.status, resp.body, resp.body_len,
		    why);
		rc = *sid != NULL ? 0 : 1;
	}
	net_response_free(&resp);
	free(url);
	free(body);
	return rc;
}

/* DELETEs a silence; 0 (gone, or already gone), 1 with *why. */
static int
silence_expire(struct src *s, const char *sid, long *status, char **why)
{
	struct net_request req;
	struct net_response resp;
	char *path = xasprintf("/api/v2/silence/%s", sid), *url, *q;
	int rc = 1;

	url = net_url_build(s->url, path, NULL);
	memset(&req, 0, sizeof req);
	req.method = NET_DELETE;
	req.url = url;
	req.headers = s->headers;
	req.timeout_ms = s->timeout_ms;
	req.secrets = s->secrets;
	*status = 0;
	if (net_request(&req, &resp) != 0)
		*why = xasprintf("expiring silence %s: %s", sid, resp.error);
	else if (resp.status == 200 || resp.status == 404)
		rc = 0;		/* 404: expired by someone else, or gone */
	else {
		*status = resp.status;
		q = ingest_quote(resp.body, resp.body_len, 200);
		*why = xasprintf("expiring silence %s: HTTP %ld: %s", sid, resp.status, q);
		free(q);
	}
	net_response_free(&resp);
	free(url);
	free(path);
	return rc;
}

/* Handles row i of r. */
static int
silence_one(struct db *db, long long project_id, struct db_res *r, int i,
    struct sources_silence_counts *c, char **cause)
{
	struct net_retry pol = { SOURCES_RETRY_BASE_S, SOURCES_RETRY_CAP_S,
	    SOURCES_SILENCE_ATTEMPTS };
	struct src_fail f = { NULL, NULL };
	const char *id = db_val(r, i, "silence"), *state = db_val(r, i, "state");
	const char *sid = db_val(r, i, "silence_id");
	const char *alert = db_val(r, i, "alert_id");
	const char *incident = db_val(r, i, "incident_id");
	const char *verb = strcmp(db_val(r, i, "event_type"),
	    "alert_silenced") == 0 ? "silenced" : "acknowledged";
	char *why = NULL, *newsid = NULL, *comment;
	double ends = db_val_f(r, i, "ends_at"), delay = 0;
	int expiring = strcmp(state, "expiring") == 0, rc, attempts;
	long status = 0;
	json_t *matchers;
	struct src s;
	time_t now;

	src_load(&s, project_id, r, i);
	attempts = (int)db_val_ll(r, i, "attempts") + 1;
	now = time(NULL);
	if (!expiring && ends <= (double)now) {
		rc = silence_store(db, project_id, id, "expired", NULL,
		    "ended before it could be created", 0, cause);
		src_release(&s);
		return rc;
	}
	if (expiring && sid == NULL) {
		rc = silence_store(db, project_id, id, "expired", NULL, NULL, 0,
		    cause);
		src_release(&s);
		return rc;
	}
	if (src_prepare(&s, &f) != 0) {
		why = f.reason;
		f.reason = NULL;
		rc = 1;
	} else if (expiring)
		rc = silence_expire(&s, sid, &status, &why);
	else {
		matchers = json_loads(db_val(r, i, "matchers"), 0, NULL);
		if (incident == NULL)
			comment = xasprintf("midwatch: alert %s %s", alert, verb);
		else
			comment = xasprintf("midwatch: alert %s of incident %s %s",
			    alert, incident, verb);
		rc = silence_create(&s, matchers, ends, db_val(r, i, "actor"),
		    comment, &newsid, &status, &why);
		json_decref(matchers);
		free(comment);
	}
	if (why != NULL)
		net_redact(why, s.secrets);
	if (rc == 0) {
		rc = silence_store(db, project_id, id, expiring ? "expired" :
		    "active", newsid, NULL, 0, cause);
		if (expiring)
			c->expired++;
		else
			c->created++;
	} else if ((status == 0 || net_retryable(status)) &&
	    net_retry_next(&pol, attempts, net_jitter(), -1, &delay)) {
		rc = silence_store(db, project_id, id, state, NULL, why, delay,
		    cause);
		c->retrying++;
	} else {
		rc = silence_store(db, project_id, id, "dead", NULL, why, 0, cause);
		c->dead++;
	}
	if (why != NULL && c->first_error == NULL)
		c->first_error = xstrdup(why);
	free(why);
	free(newsid);
	free(f.reason);
	free(f.payload);
	src_release(&s);
	return rc;
}

/* Pushes the due silences (see sources.h). */
int
sources_push_silences(struct db *db, long long project_id,
    struct sources_silence_counts *c, char **cause)
{
	char project[24];
	struct db_res *r;
	int i, rc = 0;

	memset(c, 0, sizeof *c);
	snprintf(project, sizeof project, "%lld", project_id);
	r = DBQN(db, cause, "sources/silences_due", project);
	if (r == NULL)
		return -1;
	for (i = 0; i < db_res_rows(r) && rc == 0; i++)
		rc = silence_one(db, project_id, r, i, c, cause);
	db_res_free(r);
	return rc;
}
