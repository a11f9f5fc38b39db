/*
 * ingest_kinds.c - the JSON Lines format, one kind at a time: which fields
 * are required, their types and ranges, the defaults, and the normalised row
 * each line becomes.  Pure: no database, no I/O, so the unit tests can feed
 * it any line.  Everything a database constraint would refuse is refused
 * here first with a reason an operator can act on ("missing required field
 * \"ts\""), so a batch insert does not fail on one bad line.
 *
 * Timestamps in rows are canonical UTC text (ingest_kinds_ts), unknown
 * fields go to "extra" (for metrics: into the labels), secret-looking values
 * are redacted before anything is stored: values of secret-named keys
 * whole, and every string of every row by the shape of the secrets it holds
 * (ingest_redact_shapes), error messages before they are fingerprinted.
 *
 * The fields every kind reads, and the row they go to, are in
 * ingest_fields.c; the change kinds (deploy, commit, config_change) in
 * ingest_kinds_changes.c; what they share in ingest_kinds_int.h.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/buf.h"
#include "midwatch/hash.h"
#include "midwatch/ingest.h"
#include "midwatch/redact.h"
#include "midwatch/timefmt.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"
#include "ingest_kinds_int.h"

static const char *const kinds_names[INGEST_KIND_COUNT] = {
	"service", "dependency", "metric", "deploy", "commit", "config_change",
	"error", "health", "funnel", "alert", "maintenance"
};

/* The kind's name. */
const char *
ingest_kinds_name(enum ingest_kind kind)
{
	if ((int)kind < 0 || kind >= INGEST_KIND_COUNT)
		return "unknown";
	return kinds_names[kind];
}

/* ---- the kinds ------------------------------------------------------------ */

static const char *const known_service[] = { "service", "cluster", "namespace",
	"tier", NULL };

/* service: declares a service (natural key cluster/namespace/name). */
static int
kind_service(struct kinds_ctx *c)
{
	const char *name, *cluster, *ns, *tier;

	if (ingest_k_str(c, "service", K_REQ, INGEST_MAX_NAME, &name) != 0 ||
	    ingest_k_str(c, "cluster", 0, INGEST_MAX_NAME, &cluster) != 0 ||
	    ingest_k_str(c, "namespace", 0, INGEST_MAX_NAME, &ns) != 0 ||
	    ingest_k_str(c, "tier", 0, INGEST_MAX_NAME, &tier) != 0)
		return -1;
	ingest_row_str(c, "service", name);
	ingest_row_str(c, "cluster", cluster != NULL ? cluster : "default");
	ingest_row_str(c, "namespace", ns != NULL ? ns : "default");
	ingest_row_str(c, "tier", tier);
	ingest_row_extra(c, known_service);
	return 0;
}

static const char *const known_dependency[] = { "from", "to", "dep_kind", NULL };

/* dependency: an edge from a service to a service, database or external. */
static int
kind_dependency(struct kinds_ctx *c)
{
	static const char *const kinds[] = { "service", "database", "external",
	    NULL };
	const char *from, *to, *dk;

	if (ingest_k_str(c, "from", K_REQ, INGEST_MAX_NAME, &from) != 0 ||
	    ingest_k_str(c, "to", K_REQ, INGEST_MAX_NAME, &to) != 0 ||
	    ingest_k_enum(c, "dep_kind", 0, kinds, &dk) != 0)
		return -1;
	ingest_row_str(c, "from_name", from);
	ingest_row_str(c, "to_name", to);
	ingest_row_str(c, "dep_kind", dk != NULL ? dk : "service");
	ingest_row_extra(c, known_dependency);
	return 0;
}

/* Appends s to b escaped for a labels key (\\, ',' and '='). */
static void
labels_key_add(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == ',' || *s == '=')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
}

/* Compares two C strings for qsort. */
static int
labels_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *const known_metric[] = { "ts", "service", "metric", "value",
	"labels", NULL };

/* A metric's service and metric names with secrets in them are redacted
 * too; the redacted names live in rec->row (otherwise NULL for metrics). */
static void
kinds_metric_names(struct kinds_ctx *c)
{
	struct ingest_rec *r = c->rec;
	char *svc, *metric;
	int n1, n2;

	svc = redact_text_changed(r->m_service, &n1);
	metric = redact_text_changed(r->m_metric, &n2);
	if (svc == NULL && metric == NULL)
		return;
	r->row = json_pack("{s:s, s:s}", "service", svc != NULL ? svc :
	    r->m_service, "metric", metric != NULL ? metric : r->m_metric);
	r->m_service = json_string_value(json_object_get(r->row, "service"));
	r->m_metric = json_string_value(json_object_get(r->row, "metric"));
	r->redacted += n1 + n2;
	free(svc);
	free(metric);
}

/* Redacts a metric record's names (see ingest.h; ingest_fast.c). */
void
ingest_kinds_metric_redact(struct ingest_rec *rec)
{
	struct kinds_ctx c;

	memset(&c, 0, sizeof c);
	c.rec = rec;
	kinds_metric_names(&c);
}

/* metric: one point; unknown fields become labels. */
static int
kind_metric(struct kinds_ctx *c)
{
	struct ingest_rec *r = c->rec;
	json_t *labels, *merged = NULL, *v;
	const char *key, **keys = NULL;
	struct buf b;
	size_t n = 0, i;
	int present, rc = -1;
	char *dump;

	if (ingest_k_ts(c, "ts", 1, &r->m_ts, &present) != 0 ||
	    ingest_k_str(c, "service", K_REQ, INGEST_MAX_NAME, &r->m_service) != 0 ||
	    ingest_k_str(c, "metric", K_REQ, INGEST_MAX_NAME, &r->m_metric) != 0 ||
	    ingest_k_num(c, "value", 1, &r->m_value, &present) != 0)
		return -1;
	kinds_metric_names(c);
	labels = json_object_get(c->obj, "labels");
	if (labels != NULL && !json_is_null(labels) && !json_is_object(labels))
		return ingest_kinds_fail(c, "field \"labels\" must be an object");
	/* fast path: no labels, no unknown fields */
	if ((labels == NULL || json_object_size(labels) == 0) &&
	    json_object_size(c->obj) <= 5 + (labels != NULL)) {
		r->m_labels = NULL;
		r->m_labels_key = xstrdup("");
		return 0;
	}
	merged = json_object();
	json_object_foreach(c->obj, key, v) {
		if (!ingest_kinds_known(key, known_metric))
			json_object_set_new(merged, key, json_deep_copy(v));
	}
	if (labels != NULL && json_is_object(labels))
		json_object_foreach(labels, key, v)
			json_object_set_new(merged, key, json_deep_copy(v));
	/* api_key, token... labels and secret-shaped values: before the
	 * labels key, so the same series with another token is one series */
	r->redacted += ingest_redact_json(merged);
	n = json_object_size(merged);
	if (n == 0) {
		r->m_labels = NULL;
		r->m_labels_key = xstrdup("");
		json_decref(merged);
		return 0;
	}
	keys = xcalloc(n, sizeof *keys);
	i = 0;
	json_object_foreach(merged, key, v)
		keys[i++] = key;
	qsort(keys, n, sizeof *keys, labels_cmp);
	buf_init(&b);
	for (i = 0; i < n; i++) {
		v = json_object_get(merged, keys[i]);
		if (i > 0)
			buf_addc(&b, ',');
		labels_key_add(&b, keys[i]);
		buf_addc(&b, '=');
		if (json_is_string(v))
			labels_key_add(&b, json_string_value(v));
		else {
			dump = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
			    JSON_ENCODE_ANY);
			labels_key_add(&b, dump != NULL ? dump : "null");
			free(dump);
		}
		if (b.len > KINDS_MAX_LABELS_KEY)
			break;
	}
	if (b.len > KINDS_MAX_LABELS_KEY) {
		buf_free(&b);
		ingest_kinds_fail(c, "labels are longer than %d bytes", KINDS_MAX_LABELS_KEY);
		goto out;
	}
	r->m_labels_key = buf_steal(&b);
	dump = json_dumps(merged, JSON_COMPACT | JSON_SORT_KEYS);
	r->m_labels = xstrdup(dump != NULL ? dump : "{}");
	free(dump);
	rc = 0;
out:
	free(keys);
	json_decref(merged);
	return rc;
}

/* The severity vocabulary of error_events, from common log levels. */
static const char *
kinds_severity(const char *s)
{
	static const struct {
		const char *in, *out;
	} map[] = {
		{ "critical", "critical" }, { "crit", "critical" },
		{ "fatal", "critical" }, { "emergency", "critical" },
		{ "emerg", "critical" }, { "alert", "critical" },
		{ "panic", "critical" },
		{ "high", "high" }, { "error", "high" }, { "err", "high" },
		{ "medium", "medium" }, { "warning", "medium" }, { "warn", "medium" },
		{ "low", "low" }, { "notice", "low" },
		{ "info", "info" }, { "debug", "info" }, { "trace", "info" },
	};
	char low[16];
	size_t i;

	for (i = 0; s[i] != '\0' && i < sizeof low - 1; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	if (s[i] != '\0')
		return NULL;
	low[i] = '\0';
	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(low, map[i].in) == 0)
			return map[i].out;
	return NULL;
}

static const char *const known_error[] = { "ts", "service", "message",
	"severity", "error_type", "fingerprint", NULL };

/* error: an application error, fingerprinted. */
static int
kind_error(struct kinds_ctx *c)
{
	const char *svc, *msg, *sev, *etype, *fp, *norm_sev = "medium";
	double ts;
	int has_ts, n;
	char *fp_own = NULL, *msg_own, *key, tstext[40];
	uint64_t h;

	if (ingest_k_ts(c, "ts", 1, &ts, &has_ts) != 0 ||
	    ingest_k_str(c, "service", K_REQ, INGEST_MAX_NAME, &svc) != 0 ||
	    ingest_k_str(c, "message", K_REQ, INGEST_MAX_LINE, &msg) != 0 ||
	    ingest_k_str(c, "severity", 0, INGEST_MAX_NAME, &sev) != 0 ||
	    ingest_k_str(c, "error_type", 0, INGEST_MAX_NAME, &etype) != 0 ||
	    ingest_k_str(c, "fingerprint", 0, INGEST_MAX_NAME, &fp) != 0)
		return -1;
	if (sev != NULL && (norm_sev = kinds_severity(sev)) == NULL)
		return ingest_kinds_fail(c, "field \"severity\" must be one of critical, "
		    "high, medium, low, info (or a log level such as error, "
		    "warning)");
	/* redacted before the fingerprint, so the same error with another
	 * token is the same error */
	if ((msg_own = redact_text_changed(msg, &n)) != NULL) {
		msg = msg_own;
		c->rec->redacted += n;
	}
	if (fp == NULL)
		fp = fp_own = ingest_fingerprint(msg);
	ingest_kinds_ts(ts, tstext, sizeof tstext);
	h = fnv1a64(MW_FNV1A64_INIT, msg, strlen(msg));
	ingest_row_str(c, "service", svc);
	ingest_row_str(c, "ts", tstext);
	ingest_row_str(c, "severity", norm_sev);
	ingest_row_str(c, "error_type", etype);
	ingest_row_str(c, "message", msg);
	ingest_row_str(c, "fingerprint", fp);
	key = xasprintf("%s|%s|%s|%016llx", tstext, svc, fp,
	    (unsigned long long)h);
	ingest_row_str(c, "dedupe_key", key);
	free(key);
	free(fp_own);
	free(msg_own);
	ingest_row_extra(c, known_error);
	return 0;
}

static const char *const known_health[] = { "ts", "service", "status",
	"response_time_ms", "error_rate", NULL };

/* health: one health check result. */
static int
kind_health(struct kinds_ctx *c)
{
	static const char *const statuses[] = { "healthy", "degraded", "down",
	    NULL };
	const char *svc, *status;
	double ts, rt, er;
	int has_ts, has_rt, has_er;

	if (ingest_k_ts(c, "ts", 1, &ts, &has_ts) != 0 ||
	    ingest_k_str(c, "service", K_REQ, INGEST_MAX_NAME, &svc) != 0 ||
	    ingest_k_enum(c, "status", 1, statuses, &status) != 0 ||
	    ingest_k_num(c, "response_time_ms", 0, &rt, &has_rt) != 0 ||
	    ingest_k_num(c, "error_rate", 0, &er, &has_er) != 0)
		return -1;
	if (has_rt && rt < 0)
		return ingest_kinds_fail(c,
		    "field \"response_time_ms\" must not be negative");
	if (has_er && (er < 0 || er > 1))
		return ingest_kinds_fail(c, "field \"error_rate\" must be between 0 and 1");
	ingest_row_str(c, "service", svc);
	ingest_row_ts(c, "ts", ts, has_ts);
	ingest_row_str(c, "status", status);
	ingest_row_num(c, "response_time_ms", rt, has_rt);
	ingest_row_num(c, "error_rate", er, has_er);
	ingest_row_extra(c, known_health);
	return 0;
}

static const char *const known_funnel[] = { "ts", "funnel", "steps",
	"revenue_per_conversion", NULL };

/* funnel: step counts of a business funnel at a time. */
static int
kind_funnel(struct kinds_ctx *c)
{
	const char *funnel;
	double ts, rev;
	int has_ts, has_rev;
	json_t *steps, *s, *v;
	size_t i;

	if (ingest_k_ts(c, "ts", 1, &ts, &has_ts) != 0 ||
	    ingest_k_str(c, "funnel", K_REQ, INGEST_MAX_NAME, &funnel) != 0 ||
	    ingest_k_num(c, "revenue_per_conversion", 0, &rev, &has_rev) != 0)
		return -1;
	steps = json_object_get(c->obj, "steps");
	if (steps == NULL || json_is_null(steps))
		return ingest_kinds_fail(c, "missing required field \"steps\"");
	if (!json_is_array(steps) || json_array_size(steps) == 0)
		return ingest_kinds_fail(c, "field \"steps\" must be a non-empty array of "
		    "{name, count}");
	json_array_foreach(steps, i, s) {
		if (!json_is_object(s) || !json_is_string(json_object_get(s, "name")))
			return ingest_kinds_fail(c, "steps[%zu] needs a \"name\" string", i);
		v = json_object_get(s, "count");
		if (v == NULL || !json_is_number(v) || json_number_value(v) < 0)
			return ingest_kinds_fail(c, "steps[%zu] needs a non-negative "
			    "\"count\" number", i);
	}
	ingest_row_ts(c, "ts", ts, has_ts);
	ingest_row_str(c, "funnel_type", funnel);
	json_object_set_new(c->row, "steps", json_deep_copy(steps));
	ingest_row_num(c, "revenue_per_conversion", rev, has_rev);
	ingest_row_extra(c, known_funnel);
	return 0;
}

static const char *const known_alert[] = { "ts", "fingerprint", "status",
	"labels", "annotations", "source", NULL };

/* alert: an external alert (Alertmanager or a file). */
static int
kind_alert(struct kinds_ctx *c)
{
	static const char *const statuses[] = { "firing", "resolved", NULL };
	const char *fp, *status, *src, *svc = NULL;
	double ts;
	int has_ts;
	json_t *labels, *ann, *v;

	if (ingest_k_ts(c, "ts", 1, &ts, &has_ts) != 0 ||
	    ingest_k_str(c, "fingerprint", K_REQ, INGEST_MAX_NAME, &fp) != 0 ||
	    ingest_k_enum(c, "status", 1, statuses, &status) != 0 ||
	    ingest_k_str(c, "source", 0, INGEST_MAX_NAME, &src) != 0)
		return -1;
	labels = json_object_get(c->obj, "labels");
	if (labels == NULL || json_is_null(labels))
		return ingest_kinds_fail(c, "missing required field \"labels\"");
	if (!json_is_object(labels))
		return ingest_kinds_fail(c, "field \"labels\" must be an object");
	ann = json_object_get(c->obj, "annotations");
	if (ann != NULL && !json_is_null(ann) && !json_is_object(ann))
		return ingest_kinds_fail(c, "field \"annotations\" must be an object");
	v = json_object_get(labels, "service");
	if (json_is_string(v) && json_string_length(v) > 0 &&
	    json_string_length(v) <= INGEST_MAX_NAME)
		svc = json_string_value(v);
	/* the mapped severity of the `severity` label, before redaction */
	ingest_row_str(c, "severity", ingest_alert_severity(json_string_value(
	    json_object_get(labels, "severity"))));
	ingest_row_ts(c, "ts", ts, has_ts);
	ingest_row_str(c, "fingerprint", fp);
	ingest_row_str(c, "status", status);
	labels = json_deep_copy(labels);
	ann = ann != NULL && json_is_object(ann) ? json_deep_copy(ann) :
	    json_object();
	c->rec->redacted += ingest_redact_json(labels) + ingest_redact_json(ann);
	json_object_set_new(c->row, "labels", labels);
	json_object_set_new(c->row, "annotations", ann);
	ingest_row_str(c, "source", src != NULL ? src : "jsonl");
	ingest_row_str(c, "service", svc);
	ingest_row_extra(c, known_alert);
	return 0;
}

static const char *const known_maintenance[] = { "service", "starts_at",
	"ends_at", "reason", NULL };

/* maintenance: a planned window for a service. */
static int
kind_maintenance(struct kinds_ctx *c)
{
	const char *svc, *reason;
	double from, to;
	int has_from, has_to;

	if (ingest_k_str(c, "service", K_REQ, INGEST_MAX_NAME, &svc) != 0 ||
	    ingest_k_ts(c, "starts_at", 1, &from, &has_from) != 0 ||
	    ingest_k_ts(c, "ends_at", 1, &to, &has_to) != 0 ||
	    ingest_k_str(c, "reason", 0, INGEST_MAX_LINE, &reason) != 0)
		return -1;
	if (to < from)
		return ingest_kinds_fail(c, "ends_at is before starts_at");
	ingest_row_str(c, "service", svc);
	ingest_row_ts(c, "starts_at", from, has_from);
	ingest_row_ts(c, "ends_at", to, has_to);
	ingest_row_str(c, "reason", reason);
	ingest_row_extra(c, known_maintenance);
	return 0;
}

static int (*const kinds_parsers[INGEST_KIND_COUNT])(struct kinds_ctx *) = {
	kind_service, kind_dependency, kind_metric, ingest_kind_deploy,
	ingest_kind_commit, ingest_kind_config_change, kind_error, kind_health,
	kind_funnel, kind_alert, kind_maintenance
};

/* Validates a parsed object (see ingest.h). */
int
ingest_kinds_parse_object(json_t *obj, struct ingest_rec *rec, char **cause)
{
	struct kinds_ctx c;
	json_t *kv;
	const char *kind;
	char *q;
	int k;

	memset(rec, 0, sizeof *rec);
	if (!json_is_object(obj)) {
		*cause = xstrdup("line is not a JSON object");
		return -1;
	}
	kv = json_object_get(obj, "kind");
	if (kv == NULL || json_is_null(kv)) {
		*cause = xstrdup("missing required field \"kind\"");
		return -1;
	}
	if (!json_is_string(kv)) {
		*cause = xstrdup("field \"kind\" must be a string");
		return -1;
	}
	kind = json_string_value(kv);
	for (k = 0; k < INGEST_KIND_COUNT; k++)
		if (strcmp(kind, kinds_names[k]) == 0)
			break;
	if (k == INGEST_KIND_COUNT) {
		q = ingest_quote(kind, strlen(kind), 40);
		*cause = xasprintf("unknown kind \"%s\"", q);
		free(q);
		return -1;
	}
	rec->kind = (enum ingest_kind)k;
	rec->src = json_incref(obj);
	c.obj = obj;
	c.rec = rec;
	c.cause = cause;
	c.row = k == INGEST_KIND_METRIC ? NULL : json_object();
	rec->row = c.row;
	if (kinds_parsers[k](&c) != 0) {
		ingest_kinds_clear(rec);
		return -1;
	}
	/* every text field of the row: messages, image refs, names, extra */
	if (k != INGEST_KIND_METRIC)
		rec->redacted += ingest_redact_shapes(rec->row);
	return 0;
}

/* 1 when the JSON text nests deeper than INGEST_MAX_DEPTH (checked before
 * parsing, so no parser recursion depends on the input). */
static int
kinds_too_deep(const char *s, size_t len)
{
	size_t i;
	int depth = 0, in_str = 0;

	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
			continue;
		}
		if (ch == '"')
			in_str = 1;
		else if (ch == '{' || ch == '[') {
			if (++depth > INGEST_MAX_DEPTH)
				return 1;
		} else if (ch == '}' || ch == ']')
			depth--;
	}
	return 0;
}

/* The reason for a NUL byte at nul in text: where it is (1-based; line
 * and column within a multi-line document, columns count bytes). */
static char *
kinds_nul_reason(const char *text, const char *nul, int multiline)
{
	const char *bol = text, *p;
	long line = 1;

	for (p = text; p < nul; p++)
		if (*p == '\n') {
			line++;
			bol = p + 1;
		}
	if (multiline)
		return xasprintf("NUL byte at line %ld, column %td", line,
		    nul - bol + 1);
	return xasprintf("NUL byte at column %td", nul - bol + 1);
}

/* Parses JSON text after checking its depth (see ingest.h). */
json_t *
ingest_kinds_load(const char *text, size_t len, int multiline, char **cause)
{
	json_error_t err;
	json_t *obj;
	const char *nul;
	char *near;

	/* A NUL anywhere refuses the text: jansson reports one inside a
	 * string, but one right after a number slips through its lexer
	 * ({"value":1<NUL>} parses as {"value":1}). */
	if ((nul = memchr(text, '\0', len)) != NULL) {
		*cause = kinds_nul_reason(text, nul, multiline);
		return NULL;
	}
	if (kinds_too_deep(text, len)) {
		*cause = xasprintf("JSON nested deeper than %d levels",
		    INGEST_MAX_DEPTH);
		return NULL;
	}
	obj = json_loadb(text, len, 0, &err);
	if (obj == NULL) {
		/* jansson quotes the offending input after " near "; it could
		 * be a secret or invalid UTF-8, so the reason stops before it */
		near = strstr(err.text, " near ");
		if (near != NULL)
			*near = '\0';
		if (multiline)
			*cause = xasprintf("invalid JSON: %s (line %d, column %d)",
			    err.text, err.line, err.column);
		else
			*cause = xasprintf("invalid JSON: %s (column %d)",
			    err.text, err.column);
	}
	return obj;
}

/* Parses and validates one line (see ingest.h). */
int
ingest_kinds_parse_line(const char *line, size_t len, struct ingest_rec *rec,
    char **cause)
{
	json_t *obj;
	int rc;

	memset(rec, 0, sizeof *rec);
	if ((obj = ingest_kinds_load(line, len, 0, cause)) == NULL)
		return -1;
	if (!json_is_object(obj)) {
		json_decref(obj);
		*cause = xstrdup("line is not a JSON object");
		return -1;
	}
	rc = ingest_kinds_parse_object(obj, rec, cause);
	json_decref(obj);
	return rc;
}

/* Releases a record. */
void
ingest_kinds_clear(struct ingest_rec *rec)
{
	json_decref(rec->row);
	json_decref(rec->src);
	free(rec->m_labels);
	free(rec->m_labels_key);
	memset(rec, 0, sizeof *rec);
}
