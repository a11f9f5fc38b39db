/*
 * sources.c - the pulled sources of a project (rows of ingest_sources of
 * kind prometheus or alertmanager): adding, removing and listing them,
 * loading one with its secret, and the pull before every pipeline run with
 * each source's state: a good pull resets it, a failed one records a dead
 * letter naming the source, counts a retry and waits with exponential
 * backoff; one source's failure never stops another's pull or the run.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/ingest.h"
#include "midwatch/jsonx.h"
#include "midwatch/redact.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "sources_int.h"

/* Kinds `sources add` takes. */
int
sources_kind_valid(const char *kind)
{
	return kind != NULL && (strcmp(kind, "prometheus") == 0 ||
	    strcmp(kind, "alertmanager") == 0);
}

int
sources_name_valid(const char *name)
{
	return setting_name_valid(name);
}

/* The settings table of a kind (see sources_int.h). */
const struct setting *
src_settings(const char *kind)
{
	if (kind != NULL && strcmp(kind, "prometheus") == 0)
		return src_prom_settings;
	if (kind != NULL && strcmp(kind, "alertmanager") == 0)
		return src_am_settings;
	return NULL;
}

/* One --set of a source (see sources.h). */
int
sources_setting_parse(const char *kind, json_t *settings, const char *kv,
    char **cause)
{
	const struct setting *tab = src_settings(kind);

	if (tab == NULL) {
		*cause = xstrdup("--set: unknown source kind");
		return -1;
	}
	return setting_parse(tab, settings, kv, cause);
}

void
sources_settings_help(FILE *f)
{
	fprintf(f, "prometheus settings (--set KEY=VALUE):\n");
	setting_help(src_prom_settings, f);
	fprintf(f, "alertmanager settings (--set KEY=VALUE):\n");
	setting_help(src_am_settings, f);
}

/* ---- the catalogue -------------------------------------------------------- */

/* Adds a source (see sources.h). */
int
sources_add(struct db *db, long long project_id, const char *kind,
    const char *name, const char *url, json_t *settings, const char *actor,
    char **cause)
{
	char project[24], *config;
	json_t *c;
	struct db_res *r = NULL;
	int rc = -1;

	snprintf(project, sizeof project, "%lld", project_id);
	c = json_pack("{s:s, s:O}", "url", url, "settings", settings);
	config = json_dumps(c, JSON_COMPACT);
	json_decref(c);
	if (db_begin(db, cause) != 0)
		goto out;
	r = DBQN(db, cause, "sources/add", project, kind, name, config);
	if (r == NULL)
		goto fail;
	if (db_res_rows(r) == 0) {
		rc = 1;
		goto fail;
	}
	if (DBXN(db, cause, "sources/added", project, actor, name, config,
	    kind) != 0)
		goto fail;
	if (db_commit(db, cause) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	db_res_free(r);
	free(config);
	return rc;
}

/* Removes a source (see sources.h). */
int
sources_remove(struct db *db, long long project_id, const char *name,
    const char *actor, char **cause)
{
	char project[24];
	struct db_res *r;

	snprintf(project, sizeof project, "%lld", project_id);
	if (db_begin(db, cause) != 0)
		return -1;
	r = DBQN(db, cause, "sources/remove", project, name);
	if (r == NULL)
		goto fail;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		db_rollback(db);
		return 1;
	}
	db_res_free(r);
	if (DBXN(db, cause, "sources/removed", project, actor, name) != 0)
		goto fail;
	if (db_commit(db, cause) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* Lists sources (see sources.h). */
json_t *
sources_list(struct db *db, long long project_id, const char *name,
    char **cause)
{
	char project[24];
	struct db_res *r;
	json_error_t jerr;
	json_t *a;

	snprintf(project, sizeof project, "%lld", project_id);
	r = DBQN(db, cause, "sources/list", project, name);
	if (r == NULL)
		return NULL;
	a = json_loads(db_val(r, 0, "sources"), 0, &jerr);
	db_res_free(r);
	if (a == NULL)
		*cause = xasprintf("source list: %s", jerr.text);
	return a;
}

/* ---- one source ----------------------------------------------------------- */

/* The payload of a failed request (see sources_int.h). */
char *
src_answer_payload(const char *head, const char *body)
{
	char *masked = redact_text(body != NULL ? body : "", NULL);
	char *payload = xasprintf("%s\nanswer: %.*s", head, SRC_ANSWER_MAX,
	    masked);

	free(masked);
	return payload;
}

/* Fills f; returns 1 (see sources_int.h).  Whatever an answer put in the
 * reason or the payload is stored and shown: its secrets go first. */
int
src_failf(struct src_fail *f, const char *payload, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;

	free(f->reason);
	free(f->payload);
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	f->reason = text != NULL ? redact_text(text, NULL) :
	    xstrdup("(no memory for the reason)");
	free(text);
	f->payload = payload != NULL ? redact_text(payload, NULL) : NULL;
	return 1;
}

/* Loads the secret, builds the headers (see sources_int.h). */
int
src_prepare(struct src *s, struct src_fail *f)
{
	const char *env = jsonx_str(s->settings, "key-env", 0, NULL);
	const char *file = jsonx_str(s->settings, "key-file", 0, NULL);
	const char *org = jsonx_str(s->settings, "org-id", 0, NULL);
	char *why = NULL;
	int nh = 0, ns = 0;

	s->timeout_ms = (int)setting_get(src_settings(s->kind), s->settings,
	    "timeout") * 1000;
	if (env != NULL || file != NULL) {
		s->secret = net_secret_load(env, file, &why);
		if (s->secret == NULL) {
			src_failf(f, NULL, "secret: %s", why);
			free(why);
			return -1;
		}
		s->auth = net_auth_header(jsonx_str(s->settings, "user", 0, NULL),
		    s->secret);
		s->headers[nh++] = s->auth;
		s->secrets[ns++] = s->secret;
		s->secrets[ns++] = s->auth + strlen("Authorization: ");
	}
	if (org != NULL && *org != '\0') {
		s->org = xasprintf("X-Scope-OrgID: %s", org);
		s->headers[nh++] = s->org;
	}
	s->headers[nh] = NULL;
	s->secrets[ns] = NULL;
	return 0;
}

void
src_release(struct src *s)
{
	free(s->name);
	free(s->kind);
	free(s->url);
	json_decref(s->settings);
	json_decref(s->cursor);
	if (s->auth != NULL)
		net_secret_free(s->auth);
	if (s->secret != NULL)
		net_secret_free(s->secret);
	free(s->org);
	memset(s, 0, sizeof *s);
}

/* GET from a source (see sources_int.h). */
int
src_get(struct src *s, const char *path, const char *const *params,
    struct net_response *resp, struct src_fail *f)
{
	struct net_request req;
	char *url = net_url_build(s->url, path, params), *shown;

	memset(&req, 0, sizeof req);
	req.method = NET_GET;
	req.url = url;
	req.headers = s->headers;
	req.timeout_ms = s->timeout_ms;
	req.secrets = s->secrets;
	shown = net_url_build(s->url, path, NULL);
	if (net_request(&req, resp) != 0) {
		src_failf(f, url, "GET %s: %s", shown, resp->error != NULL ?
		    resp->error : "no answer");
		net_response_free(resp);
		free(url);
		free(shown);
		return 1;
	}
	free(url);
	free(shown);
	return 0;
}

/* ---- pulling -------------------------------------------------------------- */

/* Records a good pull: state reset, cursor stored, the source's open pull
 * failures resolved. */
static int
state_ok(struct db *db, struct src *s, json_t *cursor, char **cause)
{
	char project[24], id[24], *ctext = NULL;
	int rc;

	snprintf(project, sizeof project, "%lld", s->project_id);
	snprintf(id, sizeof id, "%lld", s->id);
	if (cursor != NULL)
		ctext = json_dumps(cursor, JSON_COMPACT);
	rc = DBXN(db, cause, "sources/state_ok", project, id, ctext);
	free(ctext);
	return rc;
}

/* Records a failed pull: a dead letter (one per distinct failure, its
 * attempts counted), the source's error state and its next retry. */
static int
state_failed(struct db *db, struct src *s, struct src_fail *f, double *delay,
    char **cause)
{
	struct net_retry pol = { SOURCES_RETRY_BASE_S, SOURCES_RETRY_CAP_S, 1 };
	char project[24], id[24], wait[32], *payload;
	int rc;

	*delay = net_backoff(&pol, s->retries + 1, net_jitter());
	snprintf(project, sizeof project, "%lld", s->project_id);
	snprintf(id, sizeof id, "%lld", s->id);
	snprintf(wait, sizeof wait, "%.3f", *delay);
	net_redact(f->reason, s->secrets);
	payload = f->payload != NULL ? ingest_payload_text(f->payload,
	    strlen(f->payload), strlen(f->payload)) : NULL;
	if (payload != NULL)
		net_redact(payload, s->secrets);
	rc = DBXN(db, cause, "sources/state_failed", project, id, f->reason,
	    wait, payload);
	free(payload);
	return rc;
}

/* Pulls one source; 0 pulled, 1 failed (recorded), -1 database. */
static int
pull_one(struct db *db, struct src *s, double now, struct sources_counts *c,
    char **cause)
{
	struct src_fail f = { NULL, NULL };
	struct src_pulled p = { 0, 0, 0 };
	const struct ingest_stats *st;
	struct ingest *in;
	json_t *cursor = NULL;
	double delay;
	int rc;

	in = ingest_new(db, s->project_id);
	ingest_set_source(in, s->name, s->id);
	if (src_prepare(s, &f) != 0)
		rc = 1;
	else if (strcmp(s->kind, "prometheus") == 0)
		rc = src_prom_pull(s, in, now, &cursor, &p, &f, cause);
	else
		rc = src_am_pull(db, s, in, now, &p, &f, cause);
	if (rc == 2) {
		ingest_free(in);
		c->idle++;
		return 0;
	}
	/* what was pulled before a failure is kept */
	if (rc >= 0 && ingest_flush(in, cause) != 0)
		rc = -1;
	st = ingest_get_stats(in);
	c->points += st->kind[INGEST_KIND_METRIC].inserted;
	c->alerts += st->kind[INGEST_KIND_ALERT].inserted +
	    st->kind[INGEST_KIND_ALERT].updated;
	c->resolved += p.resolved;
	c->rejected += st->rejected;
	ingest_free(in);
	if (rc == 0) {
		/* the rows are committed: now the cursor may move */
		rc = state_ok(db, s, cursor, cause) != 0 ? -1 : 0;
		if (rc == 0)
			c->pulled++;
	} else if (rc == 1) {
		c->failed++;
		if (c->first_error == NULL)
			c->first_error = xasprintf("%s: %s", s->name, f.reason);
		if (state_failed(db, s, &f, &delay, cause) != 0)
			rc = -1;
	}
	json_decref(cursor);
	free(f.reason);
	free(f.payload);
	return rc;
}

/* Loads source row i of r into s (see sources_int.h). */
void
src_load(struct src *s, long long project_id, const struct db_res *r, int i)
{
	json_t *config;

	memset(s, 0, sizeof *s);
	s->project_id = project_id;
	s->id = db_val_ll(r, i, "id");
	s->kind = xstrdup(db_val(r, i, "kind"));
	s->name = xstrdup(db_val(r, i, "name"));
	config = json_loads(db_val(r, i, "config"), 0, NULL);
	s->url = xstrdup(jsonx_str(config, "url", 0, NULL) != NULL ?
	    jsonx_str(config, "url", 0, NULL) : "");
	s->settings = json_incref(json_object_get(config, "settings"));
	if (!json_is_object(s->settings)) {
		json_decref(s->settings);
		s->settings = json_object();
	}
	json_decref(config);
	s->cursor = json_loads(db_val(r, i, "cursor"), 0, NULL);
	if (s->cursor == NULL)
		s->cursor = json_object();
	s->retries = (int)db_val_ll(r, i, "retries");
}

/* Pulls every due source (see sources.h). */
int
sources_pull(struct db *db, long long project_id, double now, int force,
    struct sources_counts *c, char **cause)
{
	char project[24];
	struct db_res *r;
	struct src s;
	int i, rc = 0;

	memset(c, 0, sizeof *c);
	snprintf(project, sizeof project, "%lld", project_id);
	r = DBQN(db, cause, "sources/sources", project, NULL);
	if (r == NULL)
		return -1;
	for (i = 0; i < db_res_rows(r) && rc == 0; i++) {
		if (!force && strcmp(db_val(r, i, "due"), "t") != 0) {
			c->waiting++;
			continue;
		}
		src_load(&s, project_id, r, i);
		rc = pull_one(db, &s, now, c, cause) < 0 ? -1 : 0;
		src_release(&s);
	}
	db_res_free(r);
	return rc;
}

void
sources_counts_free(struct sources_counts *c)
{
	free(c->first_error);
	c->first_error = NULL;
}

/* Tries a source (see sources.h). */
int
sources_test(struct db *db, long long project_id, const char *name,
    char **report, char **cause)
{
	struct src_fail f = { NULL, NULL };
	char project[24];
	struct db_res *r;
	struct src s;
	int rc;

	*report = NULL;
	snprintf(project, sizeof project, "%lld", project_id);
	r = DBQN(db, cause, "sources/sources", project, name);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return 2;
	}
	src_load(&s, project_id, r, 0);
	db_res_free(r);
	if (src_prepare(&s, &f) != 0) {
		*report = f.reason;
		f.reason = NULL;
		rc = 1;
	} else if (strcmp(s.kind, "prometheus") == 0)
		rc = src_prom_test(&s, report);
	else
		rc = src_am_test(&s, report);
	if (*report != NULL)
		net_redact(*report, s.secrets);
	src_release(&s);
	free(f.reason);
	free(f.payload);
	return rc;
}
