/*
 * fuzz_alertmanager.c - fuzz target: an Alertmanager webhook body (one
 * line or pretty-printed), or the alerts array of its API v2 (what a pull
 * of an alertmanager source reads: sources_am_alerts_result,
 * sources_am_pull_alerts and sources_am_pull_body of
 * src/sources/source_am.c make it the body a pull ingests), through
 * ingest_kinds_load and ingest_am_alert over each alert
 * (src/ingest/ingest_alertmanager.c), with the label helpers (fingerprint,
 * service, severity).
 *
 * Invariants: text that does not load gives a one-line UTF-8 reason; an
 * alert becomes one firing record, and a second, resolved one when it is
 * resolved, each a valid `alert` row with a fingerprint and valid UTF-8
 * in which redacting again finds nothing; or a one-line UTF-8 reason and
 * no record.  A fingerprint is 16 hex digits, a service NULL or a name of
 * at most INGEST_MAX_NAME bytes, a severity one of five words.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "midwatch/ingest.h"
#include "midwatch/sources.h"

#define NOW 1794834000.0	/* 2026-11-16T13:00:00Z */
#define MAX_ALERTS 256

static void
check_labels(json_t *labels)
{
	static const char *const sev[] = { "critical", "high", "medium", "low",
	    "info", NULL };
	const char *const *w, *s;
	char *fp, *svc;

	if (!json_is_object(labels))
		return;
	fp = ingest_am_fingerprint(labels);
	FUZZ_CHECK(strlen(fp) == 16 && strspn(fp, "0123456789abcdef") == 16,
	    "a fingerprint is 16 hex digits");
	free(fp);
	svc = ingest_am_service(labels);
	if (svc != NULL)
		FUZZ_CHECK(*svc != '\0' && strlen(svc) <= INGEST_MAX_NAME &&
		    fuzz_utf8_valid(svc, strlen(svc)), "a service is a name");
	free(svc);
	s = ingest_alert_severity(json_string_value(json_object_get(labels,
	    "severity")));
	for (w = sev; *w != NULL && strcmp(*w, s) != 0; w++)
		;
	FUZZ_CHECK(*w != NULL, "a severity is one of five");
}

static void
check_rec(struct ingest_rec *r, const char *status)
{
	json_t *row = r->row, *copy;

	FUZZ_CHECK(r->kind == INGEST_KIND_ALERT && json_is_object(row),
	    "an alert is an alert row");
	fuzz_check_json(row);
	FUZZ_CHECK(strcmp(json_string_value(json_object_get(row, "status")),
	    status) == 0, "firing first, then resolved");
	FUZZ_CHECK(json_string_length(json_object_get(row, "fingerprint")) > 0,
	    "an alert has a fingerprint");
	copy = json_deep_copy(row);
	FUZZ_CHECK(ingest_redact_shapes(copy) == 0,
	    "redacting a stored row again finds nothing");
	json_decref(copy);
}

static void
check_body(json_t *body)
{
	struct ingest_rec recs[2];
	json_t *alerts = json_object_get(body, "alerts");
	char *cause;
	size_t i, n = json_array_size(alerts);
	int nrecs, k;

	for (i = 0; i < n && i < MAX_ALERTS; i++) {
		check_labels(json_object_get(json_array_get(alerts, i), "labels"));
		cause = NULL;
		if (ingest_am_alert(body, i, NOW, recs, &nrecs, &cause) != 0) {
			FUZZ_CHECK(nrecs == 0, "a refused alert gives no record");
			fuzz_check_cause(cause);
			free(cause);
			continue;
		}
		FUZZ_CHECK(nrecs == 1 || nrecs == 2, "one or two records");
		for (k = 0; k < nrecs; k++) {
			check_rec(&recs[k], k == 0 ? "firing" : "resolved");
			ingest_kinds_clear(&recs[k]);
		}
	}
}

/* GET /api/v2/alerts answered with text, as a pull reads it: the body it
 * ingests, or NULL (the answer refused, with a reason). */
static json_t *
pull_body(const uint8_t *data, size_t size)
{
	json_t *got, *seen, *alerts;
	char *cause = NULL;

	got = sources_am_alerts_result(200, (const char *)data, size, &cause);
	if (got == NULL) {
		fuzz_check_cause(cause);
		free(cause);
		return NULL;
	}
	FUZZ_CHECK(json_is_array(got) && cause == NULL,
	    "the alerts are an array");
	seen = json_object();
	alerts = sources_am_pull_alerts(got, seen);
	FUZZ_CHECK(json_array_size(alerts) == json_array_size(got),
	    "one alert of the body for each of the API");
	json_decref(seen);
	json_decref(got);
	return sources_am_pull_body(alerts, "http://am.invalid:9093", "am");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j, *body;
	char *cause = NULL;

	if (size > INGEST_MAX_DOC)
		return 0;
	j = ingest_kinds_load((const char *)data, size,
	    memchr(data, '\n', size) != NULL, &cause);
	if (j == NULL) {
		fuzz_check_cause(cause);
		free(cause);
		return 0;
	}
	if (json_is_array(j))	/* GET /api/v2/alerts, as a pull reads it */
		body = pull_body(data, size);
	else
		body = json_incref(j);
	if (body != NULL && ingest_am_is_body(body))
		check_body(body);
	json_decref(body);
	json_decref(j);
	return 0;
}
