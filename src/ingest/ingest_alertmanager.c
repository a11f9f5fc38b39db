/*
 * ingest_alertmanager.c - Alertmanager's webhook body as ingest input: what
 * it looks like, and how each of its alerts becomes records of the JSON
 * Lines `alert` kind, so that they are validated, redacted and stored by
 * the same path as an `alert` line (ingest_kinds.c, ingest_store.c).  Pure:
 * no database, no I/O; the unit tests feed it bodies directly.
 *
 * The body is the one Alertmanager POSTs to a webhook receiver (version
 * "4"): {receiver, status, alerts: [{status, labels, annotations, startsAt,
 * endsAt, generatorURL, fingerprint}], groupLabels, commonLabels,
 * commonAnnotations, externalURL, groupKey, truncatedAlerts}.  Alertmanager
 * sends a firing alert with a zero endsAt ("0001-01-01T00:00:00Z"), which
 * means "not known", not year 1.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/hash.h"
#include "midwatch/ingest.h"
#include "midwatch/jsonx.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"

/* Timestamps before this are Go's zero time: "not set" (1900-01-01). */
#define AM_TS_UNSET (-2208988800.0)

/* Is obj an Alertmanager webhook body (see ingest.h)? */
int
ingest_am_is_body(json_t *obj)
{
	if (!json_is_object(obj) || json_object_get(obj, "kind") != NULL ||
	    json_object_get(obj, "alerts") == NULL)
		return 0;
	return json_object_get(obj, "version") != NULL ||
	    json_object_get(obj, "groupKey") != NULL ||
	    json_object_get(obj, "receiver") != NULL;
}

/* Alertmanager's fingerprint of a label set (see ingest.h). */
char *
ingest_am_fingerprint(json_t *labels)
{
	static const unsigned char sep = 0xff;
	const char **keys;
	uint64_t h = MW_FNV1A64_INIT;
	json_t *v;
	size_t n, i = 0;
	char *dump;

	keys = jsonx_sorted_keys(labels, &n);
	for (i = 0; i < n; i++) {
		v = json_object_get(labels, keys[i]);
		h = fnv1a64(h, keys[i], strlen(keys[i]));
		h = fnv1a64(h, &sep, 1);
		if (json_is_string(v))
			h = fnv1a64(h, json_string_value(v),
			    json_string_length(v));
		else {
			dump = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
			    JSON_ENCODE_ANY);
			if (dump != NULL)
				h = fnv1a64(h, dump, strlen(dump));
			free(dump);
		}
		h = fnv1a64(h, &sep, 1);
	}
	free(keys);
	return xasprintf("%016llx", (unsigned long long)h);
}

/* midwatch's severity for a severity label (see ingest.h). */
const char *
ingest_alert_severity(const char *value)
{
	static const struct {
		const char *in, *out;
	} map[] = {
		{ "critical", "critical" }, { "crit", "critical" },
		{ "fatal", "critical" }, { "emergency", "critical" },
		{ "emerg", "critical" }, { "page", "critical" },
		{ "disaster", "critical" }, { "p1", "critical" },
		{ "high", "high" }, { "error", "high" }, { "err", "high" },
		{ "major", "high" }, { "p2", "high" },
		{ "medium", "medium" }, { "warning", "medium" },
		{ "warn", "medium" }, { "average", "medium" }, { "p3", "medium" },
		{ "low", "low" }, { "minor", "low" }, { "notice", "low" },
		{ "p4", "low" },
		{ "info", "info" }, { "informational", "info" },
		{ "none", "info" }, { "debug", "info" }, { "ok", "info" },
		{ "p5", "info" },
	};
	char low[16];
	size_t i;

	if (value == NULL)
		return "medium";
	for (i = 0; value[i] != '\0' && i < sizeof low - 1; i++)
		low[i] = (char)tolower((unsigned char)value[i]);
	if (value[i] != '\0')
		return "medium";
	low[i] = '\0';
	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(low, map[i].in) == 0)
			return map[i].out;
	return "medium";
}

/* The label's value when it is a usable service name, else NULL. */
static const char *
am_name_label(json_t *labels, const char *key)
{
	json_t *v = json_object_get(labels, key);

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > INGEST_MAX_NAME)
		return NULL;
	return json_string_value(v);
}

/* The service of an alert's labels (see ingest.h). */
char *
ingest_am_service(json_t *labels)
{
	static const char *const keys[] = { "service", "job", "app", NULL };
	const char *const *k;
	const char *s, *end, *colon;

	for (k = keys; *k != NULL; k++)
		if ((s = am_name_label(labels, *k)) != NULL)
			return xstrdup(s);
	if ((s = am_name_label(labels, "instance")) == NULL)
		return NULL;
	/* host part: "[v6]:port", "host:port" (one colon), else as it is */
	if (*s == '[' && (end = strchr(s, ']')) != NULL && end > s + 1)
		return xasprintf("%.*s", (int)(end - s - 1), s + 1);
	colon = strchr(s, ':');
	if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		if (colon == s)
			return NULL;
		return xasprintf("%.*s", (int)(colon - s), s);
	}
	return xstrdup(s);
}

/* Sets *cause to the reason and returns -1. */
static int MW_PRINTF(2, 3)
am_fail(char **cause, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A timestamp member of alert a: *text borrowed (NULL when absent or Go's
 * zero time), *t its value.  -1 with *cause when it is not a timestamp.
 */
static int
am_ts(json_t *a, const char *key, const char **text, double *t, char **cause)
{
	json_t *v = json_object_get(a, key);
	const char *s;
	char *q;
	int rc;

	*text = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return am_fail(cause, "field \"%s\" must be a string", key);
	s = json_string_value(v);
	if (*s == '\0')
		return 0;
	if (timefmt_parse(s, t) != 0) {
		q = ingest_quote(s, strlen(s), 40);
		rc = am_fail(cause, "field \"%s\" is not an RFC 3339 timestamp: "
		    "\"%s\"", key, q);
		free(q);
		return rc;
	}
	if (*t < AM_TS_UNSET)
		return 0;
	*text = s;
	return 0;
}

/* Copies body[from] (a string) to obj[to] when present. */
static void
am_copy_str(json_t *obj, const char *to, json_t *body, const char *from)
{
	json_t *v = json_object_get(body, from);

	if (json_is_string(v) && json_string_length(v) > 0)
		json_object_set(obj, to, v);
}

/*
 * Builds the `alert` line for one record and validates it into *rec; the
 * service is the one ingest_am_service maps.  0 or -1 with *cause.
 */
static int
am_record(json_t *line, const char *ts, const char *status,
    const char *service, struct ingest_rec *rec, char **cause)
{
	json_t *row;
	int rc;

	json_object_set_new(line, "ts", json_string(ts));
	json_object_set_new(line, "status", json_string(status));
	rc = ingest_kinds_parse_object(line, rec, cause);
	if (rc != 0)
		return -1;
	row = rec->row;
	if (service != NULL &&
	    json_string_value(json_object_get(row, "service")) == NULL) {
		/* set after the row was redacted: redacted here */
		json_object_set_new(row, "service", json_string(service));
		rec->redacted += ingest_redact_shapes(row);
	}
	return 0;
}

/* The labels of alert a (a non-empty object of strings) and its
 * annotations (an object, or absent): 0, or -1 with *cause. */
static int
am_labels(json_t *a, json_t **labels, json_t **ann, char **cause)
{
	const char *key;
	json_t *v;
	char *q;

	*labels = json_object_get(a, "labels");
	if (*labels == NULL || json_is_null(*labels))
		return am_fail(cause, "missing required field \"labels\"");
	if (!json_is_object(*labels))
		return am_fail(cause, "field \"labels\" must be an object");
	if (json_object_size(*labels) == 0)
		return am_fail(cause, "field \"labels\" must not be empty");
	json_object_foreach(*labels, key, v)
		if (!json_is_string(v)) {
			q = ingest_quote(key, strlen(key), 64);
			am_fail(cause, "label \"%s\" must be a string", q);
			free(q);
			return -1;
		}
	*ann = json_object_get(a, "annotations");
	if (*ann != NULL && !json_is_null(*ann) && !json_is_object(*ann))
		return am_fail(cause, "field \"annotations\" must be an object");
	return 0;
}

/* One alert of a webhook body into one or two records (see ingest.h). */
int
ingest_am_alert(json_t *body, size_t index, double now,
    struct ingest_rec *recs, int *nrecs, char **cause)
{
	json_t *a = json_array_get(json_object_get(body, "alerts"), index);
	json_t *labels, *ann, *v, *line = NULL, *copy;
	const char *status = NULL, *starts, *ends, *fp = NULL;
	char *fp_own = NULL, *service = NULL;
	double st = 0, et = 0;
	int resolved, rc = -1;

	*nrecs = 0;
	memset(recs, 0, 2 * sizeof *recs);
	if (!json_is_object(a))
		return am_fail(cause, "alert is not a JSON object");
	if (am_labels(a, &labels, &ann, cause) != 0)
		return -1;
	v = json_object_get(a, "status");
	if (v != NULL && !json_is_null(v)) {
		status = json_string_value(v);
		if (status == NULL || (strcmp(status, "firing") != 0 &&
		    strcmp(status, "resolved") != 0))
			return am_fail(cause, "field \"status\" must be one of "
			    "firing, resolved");
	}
	v = json_object_get(a, "fingerprint");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_string(v))
			return am_fail(cause, "field \"fingerprint\" must be a "
			    "string");
		if (json_string_length(v) > 0)
			fp = json_string_value(v);
	}
	if (am_ts(a, "startsAt", &starts, &st, cause) != 0 ||
	    am_ts(a, "endsAt", &ends, &et, cause) != 0)
		return -1;
	if (starts == NULL)
		return am_fail(cause, "missing required field \"startsAt\"");
	v = json_object_get(a, "generatorURL");
	if (v != NULL && !json_is_null(v) && !json_is_string(v))
		return am_fail(cause, "field \"generatorURL\" must be a string");
	/* Alertmanager itself calls an alert resolved once endsAt passed */
	resolved = (status != NULL && strcmp(status, "resolved") == 0) ||
	    (ends != NULL && et <= now);
	if (resolved && ends == NULL)
		return am_fail(cause, "a resolved alert needs an \"endsAt\" "
		    "timestamp");
	if (resolved && et < st)
		return am_fail(cause, "endsAt is before startsAt");

	if (fp == NULL)
		fp = fp_own = ingest_am_fingerprint(labels);
	service = ingest_am_service(labels);
	line = json_object();
	json_object_set_new(line, "kind", json_string("alert"));
	json_object_set_new(line, "fingerprint", json_string(fp));
	json_object_set(line, "labels", labels);
	if (json_is_object(ann))
		json_object_set(line, "annotations", ann);
	json_object_set_new(line, "source", json_string("alertmanager"));
	/* kept in extra (redacted like every unknown field) */
	json_object_set_new(line, "starts_at", json_string(starts));
	am_copy_str(line, "generator_url", a, "generatorURL");
	am_copy_str(line, "receiver", body, "receiver");
	am_copy_str(line, "group_key", body, "groupKey");
	am_copy_str(line, "external_url", body, "externalURL");
	/* a body midwatch made from a pull of `sources add alertmanager NAME`
	 * (src/sources/source_am.c) names the source */
	am_copy_str(line, "midwatch_source", body, "midwatchSource");

	if (am_record(line, starts, "firing", service, &recs[0], cause) != 0)
		goto out;
	*nrecs = 1;
	if (resolved) {
		copy = json_deep_copy(line);
		/* only the resolution carries endsAt: a firing alert's moves with
		 * every refresh and would rewrite the stored event */
		json_object_set_new(copy, "ends_at", json_string(ends));
		if (am_record(copy, ends, "resolved", service, &recs[1],
		    cause) != 0) {
			json_decref(copy);
			ingest_kinds_clear(&recs[0]);
			*nrecs = 0;
			goto out;
		}
		json_decref(copy);
		*nrecs = 2;
	}
	rc = 0;
out:
	json_decref(line);
	free(fp_own);
	free(service);
	return rc;
}
