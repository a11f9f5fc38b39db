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

/* Accepted timestamps: 1900-01-01 .. 9999-12-31 (PostgreSQL and the
 * partition names both cope). */
#define KINDS_TS_MIN (-2208988800.0)
#define KINDS_TS_MAX (253402300799.0)
#define KINDS_MAX_LABELS_KEY 1024

/* k_str flags. */
#define K_REQ 0x1	/* required */
#define K_EMPTY_OK 0x2	/* "" is a valid value (else it counts as absent,
			 * or is refused when required) */

/* What a per-kind parser works on. */
struct kinds_ctx {
	json_t *obj;		/* the line (borrowed) */
	json_t *row;		/* the normalised row being built */
	struct ingest_rec *rec;
	char **cause;
};

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

/* Formats t canonically: whole seconds without a fraction, else
 * microseconds. */
void
ingest_kinds_ts(double t, char *out, size_t len)
{
	long long us = llround(t * 1e6), sec, frac;
	time_t tt;
	struct tm tm;
	size_t n;

	sec = us / 1000000;
	frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		sec--;
	}
	tt = (time_t)sec;
	if (gmtime_r(&tt, &tm) == NULL) {
		snprintf(out, len, "1970-01-01T00:00:00Z");
		return;
	}
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac != 0)
		snprintf(out + n, len - n, ".%06lldZ", frac);
	else
		snprintf(out + n, len - n, "Z");
}

/* Input quoted in a reason (see ingest.h). */
char *
ingest_quote(const char *s, size_t len, size_t max)
{
	size_t keep = len < INGEST_MAX_PAYLOAD ? len : INGEST_MAX_PAYLOAD, n, i;
	char *clean = ingest_payload_text(s, keep, keep), *r;
	struct buf b;

	/* redacted before the cut, which could leave too little of a secret
	 * to know it */
	r = redact_text(clean, NULL);
	free(clean);
	n = utf8_boundary(r, max);
	buf_init(&b);
	buf_add(&b, "", 0);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)r[i];

		if (c == '\n')
			buf_adds(&b, "\\n");
		else if (c == '\r')
			buf_adds(&b, "\\r");
		else if (c == '\t')
			buf_adds(&b, "\\t");
		else
			buf_addc(&b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	if (r[n] != '\0' || keep < len)
		buf_adds(&b, "...");
	free(r);
	return buf_steal(&b);
}

/* Sets *cause to the reason and returns -1. */
static int MW_PRINTF(2, 3)
kinds_fail(struct kinds_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*c->cause = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/* A string member: *out borrowed or NULL when absent (see K_* flags). */
static int
k_str(struct kinds_ctx *c, const char *key, int flags, size_t max,
    const char **out)
{
	json_t *v = json_object_get(c->obj, key);
	const char *s;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (flags & K_REQ)
			return kinds_fail(c, "missing required field \"%s\"", key);
		return 0;
	}
	if (!json_is_string(v))
		return kinds_fail(c, "field \"%s\" must be a string", key);
	s = json_string_value(v);
	if (*s == '\0' && !(flags & K_EMPTY_OK)) {
		if (flags & K_REQ)
			return kinds_fail(c, "field \"%s\" must not be empty", key);
		return 0;
	}
	if (json_string_length(v) > max)
		return kinds_fail(c, "field \"%s\" is longer than %zu bytes", key,
		    max);
	*out = s;
	return 0;
}

/* A timestamp member into *out; *present says whether it was there. */
static int
k_ts(struct kinds_ctx *c, const char *key, int req, double *out, int *present)
{
	const char *s;
	char *q;
	int rc;

	*present = 0;
	if (k_str(c, key, req ? K_REQ : 0, 64 * 1024, &s) != 0)
		return -1;
	if (s == NULL)
		return 0;
	if (timefmt_parse(s, out) != 0) {
		q = ingest_quote(s, strlen(s), 40);
		rc = kinds_fail(c, "field \"%s\" is not an RFC 3339 timestamp: \"%s\"",
		    key, q);
		free(q);
		return rc;
	}
	if (*out < KINDS_TS_MIN || *out > KINDS_TS_MAX)
		return kinds_fail(c, "field \"%s\" is out of range (years 1900-9999)",
		    key);
	*present = 1;
	return 0;
}

/* A number member into *out; *present says whether it was there. */
static int
k_num(struct kinds_ctx *c, const char *key, int req, double *out, int *present)
{
	json_t *v = json_object_get(c->obj, key);

	*present = 0;
	if (v == NULL || json_is_null(v)) {
		if (req)
			return kinds_fail(c, "missing required field \"%s\"", key);
		return 0;
	}
	if (!json_is_number(v))
		return kinds_fail(c, "field \"%s\" must be a number", key);
	*out = json_number_value(v);
	if (!isfinite(*out))
		return kinds_fail(c, "field \"%s\" is not a finite number", key);
	*present = 1;
	return 0;
}

/* A non-negative integer member (integral reals accepted) into *out. */
static int
k_count(struct kinds_ctx *c, json_t *obj, const char *key, long long max,
    long long *out)
{
	json_t *v = json_object_get(obj, key);
	double d;

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v))
		*out = json_integer_value(v);
	else if (json_is_real(v)) {
		d = json_real_value(v);
		if (d != floor(d) || d < 0 || d > (double)max)
			return kinds_fail(c, "field \"%s\" must be a whole number "
			    "between 0 and %lld", key, max);
		*out = (long long)d;
	} else
		return kinds_fail(c, "field \"%s\" must be a number", key);
	if (*out < 0 || *out > max)
		return kinds_fail(c, "field \"%s\" must be a whole number between "
		    "0 and %lld", key, max);
	return 0;
}

/* A boolean member into *out (unchanged when absent). */
static int
k_bool(struct kinds_ctx *c, const char *key, int *out)
{
	json_t *v = json_object_get(c->obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return kinds_fail(c, "field \"%s\" must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

/* An identifier member: a string or an integer, as text in *out (malloc'd,
 * NULL when absent and not required). */
static int
k_id(struct kinds_ctx *c, const char *key, int req, char **out)
{
	json_t *v = json_object_get(c->obj, key);
	const char *s;

	*out = NULL;
	if (v != NULL && json_is_integer(v)) {
		*out = xasprintf("%lld", (long long)json_integer_value(v));
		return 0;
	}
	if (k_str(c, key, req ? K_REQ : 0, INGEST_MAX_NAME, &s) != 0)
		return -1;
	if (s != NULL)
		*out = xstrdup(s);
	return 0;
}

/* A value that must be one of words (NULL-terminated); *out borrowed. */
static int
k_enum(struct kinds_ctx *c, const char *key, int req, const char *const *words,
    const char **out)
{
	const char *const *w;
	struct buf b;
	char *q;
	int rc;

	if (k_str(c, key, req ? K_REQ : 0, INGEST_MAX_NAME, out) != 0)
		return -1;
	if (*out == NULL)
		return 0;
	for (w = words; *w != NULL; w++)
		if (strcmp(*out, *w) == 0)
			return 0;
	buf_init(&b);
	for (w = words; *w != NULL; w++)
		buf_printf(&b, "%s%s", w == words ? "" : ", ", *w);
	q = ingest_quote(*out, strlen(*out), 40);
	rc = kinds_fail(c, "field \"%s\" must be one of %s (got \"%s\")", key,
	    buf_str(&b), q);
	free(q);
	buf_free(&b);
	return rc;
}

/* Sets row[key] to the string s, or null. */
static void
row_str(struct kinds_ctx *c, const char *key, const char *s)
{
	json_object_set_new(c->row, key, s != NULL ? json_string(s) : json_null());
}

/* Sets row[key] to the canonical text of t, or null when !present. */
static void
row_ts(struct kinds_ctx *c, const char *key, double t, int present)
{
	char ts[40];

	if (!present) {
		json_object_set_new(c->row, key, json_null());
		return;
	}
	ingest_kinds_ts(t, ts, sizeof ts);
	json_object_set_new(c->row, key, json_string(ts));
}

/* Sets row[key] to the number v, or null when !present. */
static void
row_num(struct kinds_ctx *c, const char *key, double v, int present)
{
	json_object_set_new(c->row, key, present ? json_real(v) : json_null());
}

/* 1 if key is "kind" or in known. */
static int
kinds_known(const char *key, const char *const *known)
{
	if (strcmp(key, "kind") == 0)
		return 1;
	for (; *known != NULL; known++)
		if (strcmp(key, *known) == 0)
			return 1;
	return 0;
}

/* row.extra = the unknown fields (deep copies), secrets redacted. */
static void
row_extra(struct kinds_ctx *c, const char *const *known)
{
	json_t *extra = json_object(), *v;
	const char *key;

	json_object_foreach(c->obj, key, v) {
		if (!kinds_known(key, known))
			json_object_set_new(extra, key, json_deep_copy(v));
	}
	c->rec->redacted += ingest_redact_json(extra);
	json_object_set_new(c->row, "extra", extra);
}

/* ---- the kinds ------------------------------------------------------------ */

static const char *const known_service[] = { "service", "cluster", "namespace",
	"tier", NULL };

/* service: declares a service (natural key cluster/namespace/name). */
static int
kind_service(struct kinds_ctx *c)
{
	const char *name, *cluster, *ns, *tier;

	if (k_str(c, "service", K_REQ, INGEST_MAX_NAME, &name) != 0 ||
	    k_str(c, "cluster", 0, INGEST_MAX_NAME, &cluster) != 0 ||
	    k_str(c, "namespace", 0, INGEST_MAX_NAME, &ns) != 0 ||
	    k_str(c, "tier", 0, INGEST_MAX_NAME, &tier) != 0)
		return -1;
	row_str(c, "service", name);
	row_str(c, "cluster", cluster != NULL ? cluster : "default");
	row_str(c, "namespace", ns != NULL ? ns : "default");
	row_str(c, "tier", tier);
	row_extra(c, known_service);
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

	if (k_str(c, "from", K_REQ, INGEST_MAX_NAME, &from) != 0 ||
	    k_str(c, "to", K_REQ, INGEST_MAX_NAME, &to) != 0 ||
	    k_enum(c, "dep_kind", 0, kinds, &dk) != 0)
		return -1;
	row_str(c, "from_name", from);
	row_str(c, "to_name", to);
	row_str(c, "dep_kind", dk != NULL ? dk : "service");
	row_extra(c, known_dependency);
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

	if (k_ts(c, "ts", 1, &r->m_ts, &present) != 0 ||
	    k_str(c, "service", K_REQ, INGEST_MAX_NAME, &r->m_service) != 0 ||
	    k_str(c, "metric", K_REQ, INGEST_MAX_NAME, &r->m_metric) != 0 ||
	    k_num(c, "value", 1, &r->m_value, &present) != 0)
		return -1;
	kinds_metric_names(c);
	labels = json_object_get(c->obj, "labels");
	if (labels != NULL && !json_is_null(labels) && !json_is_object(labels))
		return kinds_fail(c, "field \"labels\" must be an object");
	/* fast path: no labels, no unknown fields */
	if ((labels == NULL || json_object_size(labels) == 0) &&
	    json_object_size(c->obj) <= 5 + (labels != NULL)) {
		r->m_labels = NULL;
		r->m_labels_key = xstrdup("");
		return 0;
	}
	merged = json_object();
	json_object_foreach(c->obj, key, v) {
		if (!kinds_known(key, known_metric))
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
		kinds_fail(c, "labels are longer than %d bytes", KINDS_MAX_LABELS_KEY);
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

/* Lowercases s in place when it is all hex (git shas). */
static void
kinds_lower_hex(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		if (!isxdigit((unsigned char)*p))
			return;
	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
}

static const char *const known_deploy[] = { "id", "service", "started_at",
	"finished_at", "deploy_type", "image_ref", "revision",
	"previous_revision", "commits", "is_rollback", NULL };

/* deploy: a rollout, keyed by its id. */
static int
kind_deploy(struct kinds_ctx *c)
{
	const char *svc, *dtype, *image, *rev, *prev;
	char *id = NULL, *sha;
	double started, finished;
	int has_start, has_finish, rollback = 0;
	json_t *commits, *shas, *v;
	size_t i;

	if (k_id(c, "id", 1, &id) != 0)
		return -1;
	row_str(c, "ext_id", id);
	free(id);
	if (k_str(c, "service", K_REQ, INGEST_MAX_NAME, &svc) != 0 ||
	    k_ts(c, "started_at", 1, &started, &has_start) != 0 ||
	    k_ts(c, "finished_at", 0, &finished, &has_finish) != 0 ||
	    k_str(c, "deploy_type", 0, INGEST_MAX_NAME, &dtype) != 0 ||
	    k_str(c, "image_ref", 0, 4096, &image) != 0 ||
	    k_str(c, "revision", 0, INGEST_MAX_NAME, &rev) != 0 ||
	    k_str(c, "previous_revision", 0, INGEST_MAX_NAME, &prev) != 0 ||
	    k_bool(c, "is_rollback", &rollback) != 0)
		return -1;
	if (has_finish && finished < started)
		return kinds_fail(c, "finished_at is before started_at");
	commits = json_object_get(c->obj, "commits");
	shas = json_array();
	if (commits != NULL && !json_is_null(commits)) {
		if (!json_is_array(commits)) {
			json_decref(shas);
			return kinds_fail(c, "field \"commits\" must be an array of "
			    "commit shas");
		}
		json_array_foreach(commits, i, v) {
			if (!json_is_string(v) || json_string_length(v) == 0 ||
			    json_string_length(v) > INGEST_MAX_NAME) {
				json_decref(shas);
				return kinds_fail(c, "field \"commits\" must be an array "
				    "of commit shas (element %zu is not)", i);
			}
			sha = xstrdup(json_string_value(v));
			kinds_lower_hex(sha);
			json_array_append_new(shas, json_string(sha));
			free(sha);
		}
	}
	row_str(c, "service", svc);
	row_ts(c, "started_at", started, has_start);
	row_ts(c, "finished_at", finished, has_finish);
	row_str(c, "deploy_type", dtype);
	row_str(c, "image_ref", image);
	row_str(c, "revision", rev);
	row_str(c, "previous_revision", prev);
	json_object_set_new(c->row, "is_rollback", json_boolean(rollback));
	json_object_set_new(c->row, "commits", shas);
	row_extra(c, known_deploy);
	return 0;
}

static const char *const change_types[] = { "db_migration", "dependency",
	"config", "timeout_retry", "http_client", "shared_util", "auth", "test",
	"docs", "other", NULL };

/* The files of a commit: [{path, change_type, lines_added, lines_removed}],
 * one per path (the last wins). */
static int
kinds_files(struct kinds_ctx *c, json_t *files, json_t **out)
{
	json_t *res = json_array(), *index = json_object(), *f, *v, *ct, *prev;
	const char *path, *type;
	long long added, removed;
	const char *const *w;
	size_t i;

	*out = NULL;
	json_array_foreach(files, i, f) {
		if (!json_is_object(f)) {
			kinds_fail(c, "field \"files\" must be an array of objects "
			    "(element %zu is not)", i);
			goto fail;
		}
		v = json_object_get(f, "path");
		if (v == NULL || !json_is_string(v) || json_string_length(v) == 0) {
			kinds_fail(c, "files[%zu] needs a \"path\" string", i);
			goto fail;
		}
		if (json_string_length(v) > INGEST_MAX_PATH) {
			kinds_fail(c, "files[%zu].path is longer than %d bytes", i,
			    INGEST_MAX_PATH);
			goto fail;
		}
		path = json_string_value(v);
		if (k_count(c, f, "lines_added", INT_MAX, &added) != 0 ||
		    k_count(c, f, "lines_removed", INT_MAX, &removed) != 0) {
			char *why = *c->cause;

			*c->cause = xasprintf("files[%zu]: %s", i, why);
			free(why);
			goto fail;
		}
		ct = json_object_get(f, "change_type");
		type = NULL;
		if (ct != NULL && !json_is_null(ct)) {
			if (json_is_string(ct))
				for (w = change_types; *w != NULL; w++)
					if (strcmp(json_string_value(ct), *w) == 0)
						type = *w;
			if (type == NULL) {
				kinds_fail(c, "files[%zu].change_type must be one of "
				    "db_migration, dependency, config, timeout_retry, "
				    "http_client, shared_util, auth, test, docs, other", i);
				goto fail;
			}
		} else
			type = ingest_classify_path(path);
		v = json_pack("{s:s, s:s, s:I, s:I}", "path", path, "change_type",
		    type, "lines_added", (json_int_t)added, "lines_removed",
		    (json_int_t)removed);
		prev = json_object_get(index, path);
		if (prev != NULL)
			json_array_set_new(res, (size_t)json_integer_value(prev), v);
		else {
			json_object_set_new(index, path,
			    json_integer((json_int_t)json_array_size(res)));
			json_array_append_new(res, v);
		}
	}
	json_decref(index);
	*out = res;
	return 0;
fail:
	json_decref(index);
	json_decref(res);
	return -1;
}

static const char *const known_commit[] = { "sha", "repo", "message",
	"authored_at", "files", "author", NULL };

/* commit: a commit and the files it touched. */
static int
kind_commit(struct kinds_ctx *c)
{
	const char *sha, *repo, *msg, *author;
	double at;
	int has_at;
	json_t *files, *norm;
	char *lsha;

	if (k_str(c, "sha", K_REQ, INGEST_MAX_NAME, &sha) != 0 ||
	    k_str(c, "repo", K_REQ, INGEST_MAX_NAME, &repo) != 0 ||
	    k_str(c, "message", K_REQ | K_EMPTY_OK, INGEST_MAX_LINE, &msg) != 0 ||
	    k_ts(c, "authored_at", 1, &at, &has_at) != 0 ||
	    k_str(c, "author", 0, INGEST_MAX_NAME, &author) != 0)
		return -1;
	files = json_object_get(c->obj, "files");
	if (files == NULL || json_is_null(files))
		return kinds_fail(c, "missing required field \"files\"");
	if (!json_is_array(files))
		return kinds_fail(c, "field \"files\" must be an array");
	if (kinds_files(c, files, &norm) != 0)
		return -1;
	lsha = xstrdup(sha);
	kinds_lower_hex(lsha);
	row_str(c, "repo", repo);
	row_str(c, "sha", lsha);
	free(lsha);
	row_str(c, "author", author);
	row_str(c, "message", msg);
	row_ts(c, "authored_at", at, has_at);
	json_object_set_new(c->row, "files", norm);
	row_extra(c, known_commit);
	return 0;
}

static const char *const known_config[] = { "service", "detected_at",
	"change_kind", "resource_name", "diff", "source", "actor", "id", NULL };

/* config_change: a diff of configuration, secrets redacted. */
static int
kind_config_change(struct kinds_ctx *c)
{
	const char *svc, *ck, *res, *src, *actor;
	double at;
	int has_at, force;
	json_t *diff, *copy, *e;
	char *id = NULL, *dump, ts[40];
	size_t i;
	uint64_t h;

	if (k_str(c, "service", K_REQ, INGEST_MAX_NAME, &svc) != 0 ||
	    k_ts(c, "detected_at", 1, &at, &has_at) != 0 ||
	    k_str(c, "change_kind", K_REQ, INGEST_MAX_NAME, &ck) != 0 ||
	    k_str(c, "resource_name", K_REQ, INGEST_MAX_NAME, &res) != 0 ||
	    k_str(c, "source", 0, INGEST_MAX_NAME, &src) != 0 ||
	    k_str(c, "actor", 0, INGEST_MAX_NAME, &actor) != 0 ||
	    k_id(c, "id", 0, &id) != 0)
		return -1;
	diff = json_object_get(c->obj, "diff");
	if (diff == NULL || json_is_null(diff)) {
		free(id);
		return kinds_fail(c, "missing required field \"diff\"");
	}
	if (json_is_object(diff) && json_object_get(diff, "field") != NULL) {
		copy = json_array();
		json_array_append_new(copy, json_deep_copy(diff));
	} else if (json_is_array(diff))
		copy = json_deep_copy(diff);
	else {
		free(id);
		return kinds_fail(c, "field \"diff\" must be an array of "
		    "{field, old_value, new_value} objects");
	}
	json_array_foreach(copy, i, e) {
		if (!json_is_object(e) || !json_is_string(json_object_get(e, "field"))) {
			json_decref(copy);
			free(id);
			return kinds_fail(c, "diff[%zu] must be an object with a "
			    "\"field\" string", i);
		}
	}
	/* a change to a Secret hides every value, whatever the field names */
	force = strstr(ck, "secret") != NULL ||
	    (src != NULL && strstr(src, "secret") != NULL);
	c->rec->redacted += ingest_redact_diff(copy, force);
	if (id == NULL) {
		/* stable id from the (redacted) content, so a re-sent change
		 * without an id is the same change */
		ingest_kinds_ts(at, ts, sizeof ts);
		dump = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
		h = MW_FNV1A64_INIT;
		h = fnv1a64(h, svc, strlen(svc) + 1);
		h = fnv1a64(h, ts, strlen(ts) + 1);
		h = fnv1a64(h, ck, strlen(ck) + 1);
		h = fnv1a64(h, res, strlen(res) + 1);
		if (dump != NULL)
			h = fnv1a64(h, dump, strlen(dump));
		free(dump);
		id = xasprintf("cc-%016llx", (unsigned long long)h);
	}
	row_str(c, "ext_id", id);
	free(id);
	row_str(c, "service", svc);
	row_ts(c, "detected_at", at, has_at);
	row_str(c, "change_kind", ck);
	row_str(c, "resource_name", res);
	row_str(c, "source", src);
	row_str(c, "actor", actor);
	json_object_set_new(c->row, "diff", copy);
	row_extra(c, known_config);
	return 0;
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

	if (k_ts(c, "ts", 1, &ts, &has_ts) != 0 ||
	    k_str(c, "service", K_REQ, INGEST_MAX_NAME, &svc) != 0 ||
	    k_str(c, "message", K_REQ, INGEST_MAX_LINE, &msg) != 0 ||
	    k_str(c, "severity", 0, INGEST_MAX_NAME, &sev) != 0 ||
	    k_str(c, "error_type", 0, INGEST_MAX_NAME, &etype) != 0 ||
	    k_str(c, "fingerprint", 0, INGEST_MAX_NAME, &fp) != 0)
		return -1;
	if (sev != NULL && (norm_sev = kinds_severity(sev)) == NULL)
		return kinds_fail(c, "field \"severity\" must be one of critical, "
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
	row_str(c, "service", svc);
	row_str(c, "ts", tstext);
	row_str(c, "severity", norm_sev);
	row_str(c, "error_type", etype);
	row_str(c, "message", msg);
	row_str(c, "fingerprint", fp);
	key = xasprintf("%s|%s|%s|%016llx", tstext, svc, fp,
	    (unsigned long long)h);
	row_str(c, "dedupe_key", key);
	free(key);
	free(fp_own);
	free(msg_own);
	row_extra(c, known_error);
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

	if (k_ts(c, "ts", 1, &ts, &has_ts) != 0 ||
	    k_str(c, "service", K_REQ, INGEST_MAX_NAME, &svc) != 0 ||
	    k_enum(c, "status", 1, statuses, &status) != 0 ||
	    k_num(c, "response_time_ms", 0, &rt, &has_rt) != 0 ||
	    k_num(c, "error_rate", 0, &er, &has_er) != 0)
		return -1;
	if (has_rt && rt < 0)
		return kinds_fail(c, "field \"response_time_ms\" must not be negative");
	if (has_er && (er < 0 || er > 1))
		return kinds_fail(c, "field \"error_rate\" must be between 0 and 1");
	row_str(c, "service", svc);
	row_ts(c, "ts", ts, has_ts);
	row_str(c, "status", status);
	row_num(c, "response_time_ms", rt, has_rt);
	row_num(c, "error_rate", er, has_er);
	row_extra(c, known_health);
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

	if (k_ts(c, "ts", 1, &ts, &has_ts) != 0 ||
	    k_str(c, "funnel", K_REQ, INGEST_MAX_NAME, &funnel) != 0 ||
	    k_num(c, "revenue_per_conversion", 0, &rev, &has_rev) != 0)
		return -1;
	steps = json_object_get(c->obj, "steps");
	if (steps == NULL || json_is_null(steps))
		return kinds_fail(c, "missing required field \"steps\"");
	if (!json_is_array(steps) || json_array_size(steps) == 0)
		return kinds_fail(c, "field \"steps\" must be a non-empty array of "
		    "{name, count}");
	json_array_foreach(steps, i, s) {
		if (!json_is_object(s) || !json_is_string(json_object_get(s, "name")))
			return kinds_fail(c, "steps[%zu] needs a \"name\" string", i);
		v = json_object_get(s, "count");
		if (v == NULL || !json_is_number(v) || json_number_value(v) < 0)
			return kinds_fail(c, "steps[%zu] needs a non-negative "
			    "\"count\" number", i);
	}
	row_ts(c, "ts", ts, has_ts);
	row_str(c, "funnel_type", funnel);
	json_object_set_new(c->row, "steps", json_deep_copy(steps));
	row_num(c, "revenue_per_conversion", rev, has_rev);
	row_extra(c, known_funnel);
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

	if (k_ts(c, "ts", 1, &ts, &has_ts) != 0 ||
	    k_str(c, "fingerprint", K_REQ, INGEST_MAX_NAME, &fp) != 0 ||
	    k_enum(c, "status", 1, statuses, &status) != 0 ||
	    k_str(c, "source", 0, INGEST_MAX_NAME, &src) != 0)
		return -1;
	labels = json_object_get(c->obj, "labels");
	if (labels == NULL || json_is_null(labels))
		return kinds_fail(c, "missing required field \"labels\"");
	if (!json_is_object(labels))
		return kinds_fail(c, "field \"labels\" must be an object");
	ann = json_object_get(c->obj, "annotations");
	if (ann != NULL && !json_is_null(ann) && !json_is_object(ann))
		return kinds_fail(c, "field \"annotations\" must be an object");
	v = json_object_get(labels, "service");
	if (json_is_string(v) && json_string_length(v) > 0 &&
	    json_string_length(v) <= INGEST_MAX_NAME)
		svc = json_string_value(v);
	/* the mapped severity of the `severity` label, before redaction */
	row_str(c, "severity", ingest_alert_severity(json_string_value(
	    json_object_get(labels, "severity"))));
	row_ts(c, "ts", ts, has_ts);
	row_str(c, "fingerprint", fp);
	row_str(c, "status", status);
	labels = json_deep_copy(labels);
	ann = ann != NULL && json_is_object(ann) ? json_deep_copy(ann) :
	    json_object();
	c->rec->redacted += ingest_redact_json(labels) + ingest_redact_json(ann);
	json_object_set_new(c->row, "labels", labels);
	json_object_set_new(c->row, "annotations", ann);
	row_str(c, "source", src != NULL ? src : "jsonl");
	row_str(c, "service", svc);
	row_extra(c, known_alert);
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

	if (k_str(c, "service", K_REQ, INGEST_MAX_NAME, &svc) != 0 ||
	    k_ts(c, "starts_at", 1, &from, &has_from) != 0 ||
	    k_ts(c, "ends_at", 1, &to, &has_to) != 0 ||
	    k_str(c, "reason", 0, INGEST_MAX_LINE, &reason) != 0)
		return -1;
	if (to < from)
		return kinds_fail(c, "ends_at is before starts_at");
	row_str(c, "service", svc);
	row_ts(c, "starts_at", from, has_from);
	row_ts(c, "ends_at", to, has_to);
	row_str(c, "reason", reason);
	row_extra(c, known_maintenance);
	return 0;
}

static int (*const kinds_parsers[INGEST_KIND_COUNT])(struct kinds_ctx *) = {
	kind_service, kind_dependency, kind_metric, kind_deploy, kind_commit,
	kind_config_change, kind_error, kind_health, kind_funnel, kind_alert,
	kind_maintenance
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
