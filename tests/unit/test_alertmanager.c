/*
 * test_alertmanager.c - unit tests for Alertmanager webhook bodies as
 * ingest input (src/ingest/ingest_alertmanager.c): the shape test,
 * Alertmanager's fingerprint (checked against values the real Alertmanager
 * reported), the severity and service mappings, each alert into `alert`
 * records (firing, resolved, endsAt in the past or the future, Go's zero
 * time), the reasons malformed alerts are refused with, and redaction.  Also
 * the `alert` line's mapped severity and multi-line JSON errors.  No
 * database.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "midwatch/ingest.h"

/* 2026-12-01T00:00:00Z: "now" for the tests. */
#define NOW 1796083200.0

/* A body (compact JSON text) parsed; fails the test when it is not JSON. */
static json_t *
body_of(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);

	if (j == NULL)
		print_error("bad test JSON: %s\n", err.text);
	assert_non_null(j);
	return j;
}

/* A body with the one alert given as JSON text. */
static json_t *
body1(const char *alert)
{
	char *text;
	json_t *j;

	assert_true(asprintf(&text, "{\"receiver\":\"midwatch\",\"status\":"
	    "\"firing\",\"alerts\":[%s],\"groupLabels\":{},\"commonLabels\":{},"
	    "\"commonAnnotations\":{},\"externalURL\":\"http://am.example:9093\","
	    "\"version\":\"4\",\"groupKey\":\"{}:{}\",\"truncatedAlerts\":0}",
	    alert) > 0);
	j = body_of(text);
	free(text);
	return j;
}

/* Converts the body's one alert, expecting n records. */
static void
expect_recs(const char *alert, int n, struct ingest_rec *recs)
{
	json_t *b = body1(alert);
	char *cause = NULL;
	int got = -1, rc;

	rc = ingest_am_alert(b, 0, NOW, recs, &got, &cause);
	if (rc != 0)
		print_error("unexpected rejection of %s: %s\n", alert, cause);
	assert_int_equal(rc, 0);
	assert_int_equal(got, n);
	json_decref(b);
}

/* Converts the body's one alert, expecting a reason containing want. */
static void
expect_refused(const char *alert, const char *want)
{
	struct ingest_rec recs[2];
	json_t *b = body1(alert);
	char *cause = NULL;
	int got = -1;

	assert_int_equal(ingest_am_alert(b, 0, NOW, recs, &got, &cause), -1);
	assert_int_equal(got, 0);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		print_error("reason \"%s\" lacks \"%s\"\n", cause, want);
	assert_non_null(strstr(cause, want));
	free(cause);
	json_decref(b);
}

/* A string member of a record's row. */
static const char *
row_s(const struct ingest_rec *r, const char *key)
{
	return json_string_value(json_object_get(r->row, key));
}

/* A string member of a record's row.extra. */
static const char *
extra_s(const struct ingest_rec *r, const char *key)
{
	return json_string_value(json_object_get(json_object_get(r->row,
	    "extra"), key));
}

/* ---- tests ------------------------------------------------------------------- */

static void
test_is_body(void **state)
{
	json_t *j;

	(void)state;
	j = body1("");
	assert_true(ingest_am_is_body(j));
	json_decref(j);
	j = body_of("{\"receiver\":\"x\",\"alerts\":[]}");
	assert_true(ingest_am_is_body(j));
	json_decref(j);
	j = body_of("{\"groupKey\":\"g\",\"alerts\":{}}");
	assert_true(ingest_am_is_body(j));	/* refused later, as a body */
	json_decref(j);
	/* an `alert` line, a plain object, an API v2 array are not bodies */
	j = body_of("{\"kind\":\"alert\",\"alerts\":[],\"version\":\"4\"}");
	assert_false(ingest_am_is_body(j));
	json_decref(j);
	j = body_of("{\"alerts\":[]}");
	assert_false(ingest_am_is_body(j));
	json_decref(j);
	j = body_of("[{\"labels\":{}}]");
	assert_false(ingest_am_is_body(j));
	json_decref(j);
}

static void
test_fingerprint(void **state)
{
	json_t *a, *b, *e;
	char *fa, *fb, *fe;

	(void)state;
	/* what Alertmanager 0.25 reported for this label set */
	a = body_of("{\"alertname\":\"HighErrorRatio\",\"instance\":"
	    "\"checkout-1:8080\",\"job\":\"checkout\",\"severity\":\"critical\"}");
	b = body_of("{\"severity\":\"critical\",\"job\":\"checkout\","
	    "\"instance\":\"checkout-1:8080\",\"alertname\":\"HighErrorRatio\"}");
	e = json_object();
	fa = ingest_am_fingerprint(a);
	fb = ingest_am_fingerprint(b);
	fe = ingest_am_fingerprint(e);
	assert_string_equal(fa, "3278dd42aef9cabb");
	assert_string_equal(fb, fa);	/* label order does not matter */
	assert_string_equal(fe, "cbf29ce484222325");	/* Prometheus' empty */
	free(fa);
	free(fb);
	free(fe);
	/* a different value, a different fingerprint */
	json_object_set_new(a, "severity", json_string("warning"));
	fa = ingest_am_fingerprint(a);
	assert_string_not_equal(fa, "3278dd42aef9cabb");
	assert_int_equal(strlen(fa), 16);
	free(fa);
	json_decref(a);
	json_decref(b);
	json_decref(e);
}

static void
test_severity(void **state)
{
	(void)state;
	assert_string_equal(ingest_alert_severity("critical"), "critical");
	assert_string_equal(ingest_alert_severity("PAGE"), "critical");
	assert_string_equal(ingest_alert_severity("error"), "high");
	assert_string_equal(ingest_alert_severity("major"), "high");
	assert_string_equal(ingest_alert_severity("warning"), "medium");
	assert_string_equal(ingest_alert_severity("Warn"), "medium");
	assert_string_equal(ingest_alert_severity("minor"), "low");
	assert_string_equal(ingest_alert_severity("info"), "info");
	assert_string_equal(ingest_alert_severity("none"), "info");
	assert_string_equal(ingest_alert_severity(NULL), "medium");
	assert_string_equal(ingest_alert_severity(""), "medium");
	assert_string_equal(ingest_alert_severity("sev-unknown-and-long"),
	    "medium");
}

/* The service of a label set given as JSON text (NULL: none). */
static void
expect_service(const char *labels, const char *want)
{
	json_t *l = body_of(labels);
	char *s = ingest_am_service(l);

	if (want == NULL)
		assert_null(s);
	else {
		assert_non_null(s);
		assert_string_equal(s, want);
	}
	free(s);
	json_decref(l);
}

static void
test_service(void **state)
{
	char *big, *labels;

	(void)state;
	expect_service("{\"service\":\"payments\",\"job\":\"pe\",\"app\":\"a\","
	    "\"instance\":\"h:1\"}", "payments");
	expect_service("{\"job\":\"checkout\",\"app\":\"a\"}", "checkout");
	expect_service("{\"app\":\"search\",\"instance\":\"h:1\"}", "search");
	expect_service("{\"instance\":\"db-1.example:9100\"}", "db-1.example");
	expect_service("{\"instance\":\"[2001:db8::7]:9100\"}", "2001:db8::7");
	expect_service("{\"instance\":\"10.0.0.5\"}", "10.0.0.5");
	expect_service("{\"instance\":\"fe80::1\"}", "fe80::1");
	expect_service("{\"alertname\":\"x\"}", NULL);
	/* empty or non-string labels do not count */
	expect_service("{\"service\":\"\",\"job\":\"j\"}", "j");
	expect_service("{\"service\":7,\"app\":\"a\"}", "a");
	/* a name longer than any identifier is skipped */
	big = malloc(INGEST_MAX_NAME + 2);
	memset(big, 'x', INGEST_MAX_NAME + 1);
	big[INGEST_MAX_NAME + 1] = '\0';
	assert_true(asprintf(&labels, "{\"service\":\"%s\",\"job\":\"j\"}",
	    big) > 0);
	expect_service(labels, "j");
	free(labels);
	free(big);
}

static void
test_firing(void **state)
{
	struct ingest_rec r[2];

	(void)state;
	expect_recs("{\"status\":\"firing\",\"labels\":{\"alertname\":"
	    "\"HighErrorRatio\",\"job\":\"checkout\",\"severity\":\"critical\"},"
	    "\"annotations\":{\"summary\":\"errors up\"},"
	    "\"startsAt\":\"2026-11-16T13:02:00.123456789Z\","
	    "\"endsAt\":\"0001-01-01T00:00:00Z\","
	    "\"generatorURL\":\"http://prom.example:9090/graph\","
	    "\"fingerprint\":\"0123456789abcdef\"}", 1, r);
	assert_int_equal(r[0].kind, INGEST_KIND_ALERT);
	assert_string_equal(row_s(&r[0], "status"), "firing");
	assert_string_equal(row_s(&r[0], "ts"), "2026-11-16T13:02:00.123457Z");
	assert_string_equal(row_s(&r[0], "fingerprint"), "0123456789abcdef");
	assert_string_equal(row_s(&r[0], "source"), "alertmanager");
	assert_string_equal(row_s(&r[0], "service"), "checkout");
	assert_string_equal(row_s(&r[0], "severity"), "critical");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r[0].row, "annotations"), "summary")), "errors up");
	assert_string_equal(extra_s(&r[0], "generator_url"),
	    "http://prom.example:9090/graph");
	assert_string_equal(extra_s(&r[0], "receiver"), "midwatch");
	assert_string_equal(extra_s(&r[0], "external_url"),
	    "http://am.example:9093");
	assert_string_equal(extra_s(&r[0], "starts_at"),
	    "2026-11-16T13:02:00.123456789Z");
	assert_null(extra_s(&r[0], "ends_at"));	/* Go's zero time: unset */
	ingest_kinds_clear(&r[0]);

	/* no status and no endsAt: firing; no fingerprint: computed */
	expect_recs("{\"labels\":{\"alertname\":\"HighErrorRatio\",\"instance\":"
	    "\"checkout-1:8080\",\"job\":\"checkout\",\"severity\":"
	    "\"critical\"},\"startsAt\":\"2026-11-16T13:02:00Z\"}", 1, r);
	assert_string_equal(row_s(&r[0], "fingerprint"), "3278dd42aef9cabb");
	assert_string_equal(row_s(&r[0], "status"), "firing");
	ingest_kinds_clear(&r[0]);

	/* endsAt still ahead (the API's resolve_timeout): firing */
	expect_recs("{\"status\":\"firing\",\"labels\":{\"alertname\":\"Q\"},"
	    "\"startsAt\":\"2026-11-16T13:06:00Z\","
	    "\"endsAt\":\"2099-01-01T00:00:00Z\"}", 1, r);
	assert_string_equal(row_s(&r[0], "status"), "firing");
	assert_null(extra_s(&r[0], "ends_at"));
	ingest_kinds_clear(&r[0]);
}

static void
test_resolved(void **state)
{
	struct ingest_rec r[2];

	(void)state;
	expect_recs("{\"status\":\"resolved\",\"labels\":{\"alertname\":\"A\","
	    "\"app\":\"search\",\"severity\":\"warning\"},"
	    "\"startsAt\":\"2026-11-16T13:02:00Z\","
	    "\"endsAt\":\"2026-11-16T14:20:00+01:00\",\"fingerprint\":\"f1\"}",
	    2, r);
	assert_string_equal(row_s(&r[0], "status"), "firing");
	assert_string_equal(row_s(&r[0], "ts"), "2026-11-16T13:02:00Z");
	assert_string_equal(row_s(&r[1], "status"), "resolved");
	assert_string_equal(row_s(&r[1], "ts"), "2026-11-16T13:20:00Z");
	assert_string_equal(row_s(&r[1], "fingerprint"), "f1");
	assert_string_equal(row_s(&r[1], "service"), "search");
	assert_string_equal(row_s(&r[1], "severity"), "medium");
	assert_string_equal(extra_s(&r[1], "ends_at"), "2026-11-16T14:20:00+01:00");
	assert_null(extra_s(&r[0], "ends_at"));
	ingest_kinds_clear(&r[0]);
	ingest_kinds_clear(&r[1]);

	/* "firing" with endsAt in the past: Alertmanager calls it resolved */
	expect_recs("{\"status\":\"firing\",\"labels\":{\"alertname\":\"B\"},"
	    "\"startsAt\":\"2024-01-01T00:00:00Z\","
	    "\"endsAt\":\"2024-01-01T01:00:00Z\"}", 2, r);
	assert_string_equal(row_s(&r[1], "status"), "resolved");
	assert_string_equal(row_s(&r[1], "ts"), "2024-01-01T01:00:00Z");
	ingest_kinds_clear(&r[0]);
	ingest_kinds_clear(&r[1]);
}

static void
test_refused(void **state)
{
	(void)state;
	expect_refused("42", "alert is not a JSON object");
	expect_refused("{\"startsAt\":\"2026-11-16T13:02:00Z\"}",
	    "missing required field \"labels\"");
	expect_refused("{\"labels\":[],\"startsAt\":\"2026-11-16T13:02:00Z\"}",
	    "field \"labels\" must be an object");
	expect_refused("{\"labels\":{},\"startsAt\":\"2026-11-16T13:02:00Z\"}",
	    "field \"labels\" must not be empty");
	expect_refused("{\"labels\":{\"a\":1},\"startsAt\":"
	    "\"2026-11-16T13:02:00Z\"}", "label \"a\" must be a string");
	expect_refused("{\"labels\":{\"a\":\"b\"},\"endsAt\":"
	    "\"0001-01-01T00:00:00Z\"}", "missing required field \"startsAt\"");
	expect_refused("{\"labels\":{\"a\":\"b\"},\"startsAt\":"
	    "\"0001-01-01T00:00:00Z\"}", "missing required field \"startsAt\"");
	expect_refused("{\"labels\":{\"a\":\"b\"},\"startsAt\":\"yesterday\"}",
	    "field \"startsAt\" is not an RFC 3339 timestamp: \"yesterday\"");
	expect_refused("{\"labels\":{\"a\":\"b\"},\"status\":\"pending\","
	    "\"startsAt\":\"2026-11-16T13:02:00Z\"}",
	    "field \"status\" must be one of firing, resolved");
	expect_refused("{\"labels\":{\"a\":\"b\"},\"status\":\"resolved\","
	    "\"startsAt\":\"2026-11-16T13:02:00Z\"}",
	    "a resolved alert needs an \"endsAt\" timestamp");
	expect_refused("{\"labels\":{\"a\":\"b\"},\"status\":\"resolved\","
	    "\"startsAt\":\"2026-11-16T13:02:00Z\","
	    "\"endsAt\":\"2026-11-16T13:00:00Z\"}", "endsAt is before startsAt");
	expect_refused("{\"labels\":{\"a\":\"b\"},\"annotations\":\"x\","
	    "\"startsAt\":\"2026-11-16T13:02:00Z\"}",
	    "field \"annotations\" must be an object");
	expect_refused("{\"labels\":{\"a\":\"b\"},\"fingerprint\":7,"
	    "\"startsAt\":\"2026-11-16T13:02:00Z\"}",
	    "field \"fingerprint\" must be a string");
}

static void
test_redacted(void **state)
{
	struct ingest_rec r[2];
	char *dump;

	(void)state;
	expect_recs("{\"labels\":{\"alertname\":\"S\",\"api_token\":"
	    "\"tok-SECRET-123\"},\"annotations\":{\"runbook_url\":"
	    "\"https://ops:hunter2@wiki.example/rb\"},"
	    "\"startsAt\":\"2026-11-16T13:02:00Z\"}", 1, r);
	dump = json_dumps(r[0].row, JSON_COMPACT);
	assert_null(strstr(dump, "tok-SECRET-123"));
	assert_null(strstr(dump, "hunter2"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r[0].row, "labels"), "api_token")), "[redacted]");
	assert_true(r[0].redacted >= 2);
	free(dump);
	ingest_kinds_clear(&r[0]);
}

static void
test_alert_line_severity(void **state)
{
	struct ingest_rec rec;
	const char *line = "{\"kind\":\"alert\",\"ts\":\"2026-11-16T13:02:00Z\","
	    "\"fingerprint\":\"am-1\",\"status\":\"firing\",\"labels\":"
	    "{\"severity\":\"error\"}}";
	char *cause = NULL;

	(void)state;
	assert_int_equal(ingest_kinds_parse_line(line, strlen(line), &rec,
	    &cause), 0);
	assert_string_equal(json_string_value(json_object_get(rec.row,
	    "severity")), "high");
	ingest_kinds_clear(&rec);
}

static void
test_load_multiline(void **state)
{
	const char *doc = "{\n  \"receiver\": \"x\",\n  \"alerts\": [\n}\n";
	char *cause = NULL;
	json_t *j;

	(void)state;
	assert_null(ingest_kinds_load(doc, strlen(doc), 1, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "invalid JSON: "));
	assert_non_null(strstr(cause, "(line 4, column"));
	free(cause);
	j = ingest_kinds_load("{\n\"a\": 1\n}\n", 11, 1, &cause);
	assert_non_null(j);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_body),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_service),
		cmocka_unit_test(test_firing),
		cmocka_unit_test(test_resolved),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_redacted),
		cmocka_unit_test(test_alert_line_severity),
		cmocka_unit_test(test_load_multiline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
