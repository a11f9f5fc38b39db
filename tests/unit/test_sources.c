/*
 * test_sources.c - unit tests for the pure parts of the pulled sources and
 * what they use from net/: Prometheus API answers (success, API errors,
 * HTTP errors, garbage, wrong result types), the label that names a
 * service, the window after a cursor (alignment, lookback, caps, nothing
 * due), the default PromQL and its overrides, request URLs with encoded
 * parameters and path prefixes, the Authorization header, --set
 * validation shared with channels, and Alertmanager's answers (status,
 * alerts, a created silence's id).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "midwatch/net.h"
#include "midwatch/settings.h"
#include "midwatch/sources.h"

/* result of body with HTTP status; NULL and the cause when refused */
static json_t *
result(long status, const char *body, char **cause)
{
	*cause = NULL;
	return sources_prom_result(status, body, strlen(body), cause);
}

static void
test_prom_result(void **state)
{
	json_t *r;
	char *cause;

	(void)state;
	r = result(200, "{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1,\"2\"]]}]}}",
	    &cause);
	assert_non_null(r);
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
	r = result(200, "{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[]}}", &cause);
	assert_non_null(r);
	json_decref(r);

	/* the API's own error, whatever the HTTP status */
	assert_null(result(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
	    "\"error\":\"parse error at char 5\"}", &cause));
	assert_string_equal(cause, "HTTP 400: bad_data: parse error at char 5");
	free(cause);
	assert_null(result(503, "Service Unavailable", &cause));
	assert_string_equal(cause, "HTTP 503");
	free(cause);
	assert_null(result(200, "<html>login</html>", &cause));
	assert_non_null(strstr(cause, "not the JSON of the Prometheus HTTP API"));
	free(cause);
	assert_null(result(200, "{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"scalar\",\"result\":[1,\"2\"]}}", &cause));
	assert_string_equal(cause, "expected a matrix or vector result, got "
	    "scalar");
	free(cause);
	assert_null(result(200, "{\"status\":\"success\",\"data\":{}}", &cause));
	assert_non_null(strstr(cause, "got none"));
	free(cause);
	assert_null(result(200, "", &cause));
	free(cause);

	/* the server's words are quoted on one line, cut between characters
	 * (the reason is stored as the source's last error: valid UTF-8) */
	{
		char body[512];

		snprintf(body, sizeof body, "{\"status\":\"error\",\"errorType\":"
		    "\"bad\\ndata\",\"error\":\"%0299d\xc3\xa9\"}", 0);
		assert_null(result(422, body, &cause));
		assert_non_null(strstr(cause, "HTTP 422: bad\\ndata: 000"));
		assert_null(strchr(cause, '\xc3'));
		assert_string_equal(cause + strlen(cause) - 4, "0...");
		free(cause);
	}
}

/* service NAME of labels JSON with label (NULL: the default order) */
static void
check_service(const char *labels, const char *label, const char *want)
{
	json_t *m = json_loads(labels, 0, NULL);
	char *s = sources_prom_service(m, label);

	if (want == NULL)
		assert_null(s);
	else {
		assert_non_null(s);
		assert_string_equal(s, want);
	}
	free(s);
	json_decref(m);
}

static void
test_prom_service(void **state)
{
	(void)state;
	check_service("{\"service\":\"checkout\",\"job\":\"app\"}", NULL,
	    "checkout");
	check_service("{\"service\":\"\",\"job\":\"app\"}", NULL, "app");
	check_service("{\"instance\":\"db-1:9100\"}", NULL, "db-1");
	check_service("{\"instance\":\"[2001:db8::7]:9100\"}", NULL,
	    "2001:db8::7");
	check_service("{\"instance\":\"bare\"}", NULL, "bare");
	/* an instance that names no host is never an empty service */
	check_service("{\"instance\":\"[]:80\"}", NULL, "[]:80");
	check_service("{\"instance\":\":80\"}", NULL, ":80");
	check_service("{\"pod\":\"x\"}", NULL, NULL);
	check_service("{}", NULL, NULL);
	/* a configured label is the only one looked at */
	check_service("{\"app\":\"ledger\",\"service\":\"x\"}", "app", "ledger");
	check_service("{\"service\":\"x\"}", "app", NULL);
}

static void
test_prom_window(void **state)
{
	double s, e;

	(void)state;
	/* first pull: lookback before now - delay, aligned to the step */
	assert_int_equal(sources_prom_window(0, 10000.5, 60, 3600, 30, 86400,
	    &s, &e), 0);
	assert_true(e == 9960.0);
	assert_true(s == 6360.0);
	/* then from the step after the cursor */
	assert_int_equal(sources_prom_window(9960, 10100, 60, 3600, 30, 86400,
	    &s, &e), 0);
	assert_true(s == 10020.0 && e == 10020.0);
	/* not a step yet: nothing due */
	assert_int_equal(sources_prom_window(9960, 10000, 60, 3600, 0, 86400,
	    &s, &e), -1);
	/* a long outage: at most max-window per pull */
	assert_int_equal(sources_prom_window(1000, 1000000, 60, 3600, 0, 3600,
	    &s, &e), 0);
	assert_true(s == 1020.0 && e == 1020.0 + 3600.0);
	/* and never more than Prometheus' points per series */
	assert_int_equal(sources_prom_window(0, 1e6, 1, 30 * 86400, 0,
	    30 * 86400, &s, &e), 0);
	assert_true(e - s <= SOURCES_PROM_MAX_STEPS - 1);
	assert_int_equal(sources_prom_window(0, 1e6, 0, 60, 0, 60, &s, &e), -1);
}

static void
test_prom_query(void **state)
{
	json_t *set = json_object();
	char *q;

	(void)state;
	q = sources_prom_query(set, SRC_M_REQUEST_RATE);
	assert_string_equal(q, "sum by (service, job) "
	    "(rate(http_requests_total[300s]))");
	free(q);
	json_object_set_new(set, "service-label", json_string("app"));
	json_object_set_new(set, "rate-window", json_integer(30));
	q = sources_prom_query(set, SRC_M_ERROR_RATIO);
	assert_non_null(strstr(q, "sum by (app) (rate(http_requests_total"
	    "{code=~\"5..\"}[30s]))"));
	assert_null(strstr(q, "@"));
	free(q);
	q = sources_prom_query(set, SRC_M_MEMORY);
	assert_non_null(strstr(q, "\"app\", \"$1\", \"container\""));
	free(q);
	json_object_set_new(set, "query.restarts", json_string(""));
	json_object_set_new(set, "query.cpu_utilization",
	    json_string("my_cpu"));
	q = sources_prom_query(set, SRC_M_RESTARTS);
	assert_string_equal(q, "");
	free(q);
	q = sources_prom_query(set, SRC_M_CPU);
	assert_string_equal(q, "my_cpu");
	free(q);
	assert_string_equal(sources_meaning_metric(SRC_M_LATENCY_P99),
	    "latency_p99_ms");
	assert_null(sources_meaning_metric(SRC_M_COUNT));
	json_decref(set);
}

static void
test_url_build(void **state)
{
	const char *params[] = { "query", "sum by (a) (x{c=~\"5..\"})",
	    "step", "60", NULL };
	char *u;

	(void)state;
	u = net_url_build("http://mimir:8080/prometheus/", "/api/v1/query_range",
	    params);
	assert_string_equal(u, "http://mimir:8080/prometheus/api/v1/query_range"
	    "?query=sum%20by%20%28a%29%20%28x%7Bc%3D~%225..%22%7D%29&step=60");
	free(u);
	u = net_url_build("http://h:9093?x=1", "api/v2/alerts", NULL);
	assert_string_equal(u, "http://h:9093/api/v2/alerts");
	free(u);
	u = net_url_build("http://h", NULL, NULL);
	assert_string_equal(u, "http://h");
	free(u);
}

static void
test_auth_header(void **state)
{
	char *h;

	(void)state;
	h = net_auth_header(NULL, "tok");
	assert_string_equal(h, "Authorization: Bearer tok");
	net_secret_free(h);
	/* RFC 7617's example */
	h = net_auth_header("Aladdin", "open sesame");
	assert_string_equal(h, "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	net_secret_free(h);
	h = net_auth_header("a", "b");
	assert_string_equal(h, "Authorization: Basic YTpi");
	net_secret_free(h);
}

/* a body and its length */
#define B(s) (s), strlen(s)

/* Alertmanager's answers: each only with HTTP 200, the rest one-line
 * reasons; a version on one line; a silence id safe in a URL path. */
static void
test_am_answers(void **state)
{
	char *why = NULL, *v;
	json_t *a;

	(void)state;
	v = sources_am_status_version(200, B("{\"versionInfo\":{\"version\":"
	    "\"0.27.0\"}}"), &why);
	assert_string_equal(v, "0.27.0");
	free(v);
	v = sources_am_status_version(200, B("{\"versionInfo\":{\"version\":"
	    "\"1\\nfake: line\"}}"), &why);
	assert_string_equal(v, "1\\nfake: line");
	free(v);
	v = sources_am_status_version(200, B("{}"), &why);
	assert_string_equal(v, "(version unknown)");
	free(v);
	assert_null(sources_am_status_version(503, B("{}"), &why));
	assert_string_equal(why, "GET /api/v2/status: HTTP 503");
	free(why);
	a = sources_am_alerts_result(200, B("[{}]"), &why);
	assert_int_equal(json_array_size(a), 1);
	json_decref(a);
	assert_null(sources_am_alerts_result(200, B("{}"), &why));
	assert_string_equal(why, "GET /api/v2/alerts: the answer is not the "
	    "JSON of Alertmanager's API v2 (an array of alerts)");
	free(why);
	v = sources_silence_id(200, B("{\"silenceID\":\"3f9c2a1e-8f1d\"}"),
	    &why);
	assert_string_equal(v, "3f9c2a1e-8f1d");
	free(v);
	why = NULL;
	assert_null(sources_silence_id(200, B("{\"silenceID\":\"../x\"}"),
	    &why));
	assert_string_equal(why, "POST /api/v2/silences: HTTP 200: not a "
	    "silence id: {\"silenceID\":\"../x\"}");
	free(why);
	assert_null(sources_silence_id(500, B("oops\n"), &why));
	assert_string_equal(why, "POST /api/v2/silences: HTTP 500: oops\\n");
	free(why);
}

static void
test_settings(void **state)
{
	json_t *set = json_object();
	char *cause = NULL, path[] = "/tmp/mw-test-src-XXXXXX";
	int fd;

	(void)state;
	assert_int_equal(sources_setting_parse("prometheus", set, "step=5m",
	    &cause), 0);
	assert_int_equal(json_integer_value(json_object_get(set, "step")), 300);
	assert_int_equal(sources_setting_parse("prometheus", set,
	    "service-label=app_name", &cause), 0);
	assert_int_equal(sources_setting_parse("prometheus", set,
	    "service-label=1bad", &cause), -1);
	assert_non_null(strstr(cause, "not a label name"));
	free(cause);
	assert_int_equal(sources_setting_parse("prometheus", set, "password=x",
	    &cause), -1);
	assert_non_null(strstr(cause, "unknown setting"));
	assert_null(strstr(cause, "=x"));
	free(cause);
	assert_int_equal(sources_setting_parse("alertmanager", set,
	    "query.restarts=x", &cause), -1);
	free(cause);
	assert_int_equal(sources_setting_parse("prometheus", set,
	    "key-env=not a name", &cause), -1);
	assert_null(strstr(cause, "not a name"));
	free(cause);
	assert_int_equal(sources_setting_parse("prometheus", set, "noequals",
	    &cause), -1);
	free(cause);
	/* key-env and key-file replace each other */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	chmod(path, 0600);
	assert_int_equal(sources_setting_parse("prometheus", set,
	    "key-env=PROM_TOKEN", &cause), 0);
	{
		char kv[64];

		snprintf(kv, sizeof kv, "key-file=%s", path);
		assert_int_equal(sources_setting_parse("prometheus", set, kv,
		    &cause), 0);
	}
	assert_null(json_object_get(set, "key-env"));
	assert_non_null(json_object_get(set, "key-file"));
	unlink(path);
	assert_true(sources_kind_valid("prometheus"));
	assert_false(sources_kind_valid("graphite"));
	assert_true(sources_name_valid("prom-eu.1"));
	assert_false(sources_name_valid("-x"));
	assert_false(sources_name_valid("a b"));
	json_decref(set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prom_result),
		cmocka_unit_test(test_prom_service),
		cmocka_unit_test(test_prom_window),
		cmocka_unit_test(test_prom_query),
		cmocka_unit_test(test_url_build),
		cmocka_unit_test(test_auth_header),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_am_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
