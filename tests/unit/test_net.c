/*
 * test_net.c - unit tests for net/: the one backoff policy (growth, cap,
 * jitter bounds, Retry-After, giving up, absurd inputs), which outcomes are
 * retried, redaction of secrets, URL checks, the key-file mode rule, and
 * the shapes of the Slack, PagerDuty and generic webhook bodies.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "midwatch/net.h"

static const struct net_retry pol = { 10.0, 300.0, 5 };

/* Delays double from base, jittered into [d/2, d]. */
static void
test_backoff_growth(void **state)
{
	(void)state;
	assert_true(net_backoff(&pol, 1, 0.0) == 5.0);
	assert_true(net_backoff(&pol, 1, 0.999) < 10.0);
	assert_true(net_backoff(&pol, 1, 0.999) > 9.9);
	assert_true(net_backoff(&pol, 2, 0.0) == 10.0);
	assert_true(net_backoff(&pol, 3, 0.0) == 20.0);
	assert_true(net_backoff(&pol, 4, 0.5) == 60.0);	/* d=80: 40+20 */
}

/* The cap bounds every delay, however many attempts. */
static void
test_backoff_cap(void **state)
{
	int n;

	(void)state;
	assert_true(net_backoff(&pol, 6, 0.0) == 150.0);	/* d=320 -> 300 */
	for (n = 1; n < 5000; n += 7) {
		double d = net_backoff(&pol, n, 0.999999);

		assert_true(d > 0.0);
		assert_true(d < 300.0);
	}
	assert_true(net_backoff(&pol, 1000000, 0.0) == 150.0);
	assert_true(net_backoff(&pol, -3, 0.0) == 5.0);	/* as attempt 1 */
}

/* Jitter outside [0, 1) is clamped; two jitters give different delays. */
static void
test_backoff_jitter(void **state)
{
	double a, b;
	int i, differ = 0;

	(void)state;
	assert_true(net_backoff(&pol, 2, -1.0) == 10.0);
	assert_true(net_backoff(&pol, 2, 7.0) <= 20.0);
	assert_true(net_backoff(&pol, 2, 7.0) > 19.9);
	assert_true(net_backoff(&pol, 2, NAN) == 10.0);
	for (i = 0; i < 100; i++) {
		a = net_jitter();
		b = net_jitter();
		assert_true(a >= 0.0 && a < 1.0);
		if (net_backoff(&pol, 3, a) != net_backoff(&pol, 3, b))
			differ++;
	}
	assert_true(differ > 90);
}

/* A bad policy still gives sane delays. */
static void
test_backoff_bad_policy(void **state)
{
	struct net_retry bad = { 0.0, -5.0, 0 };
	double d;

	(void)state;
	d = net_backoff(&bad, 1, 0.0);
	assert_true(d == NET_RETRY_BASE_S / 2);
	/* max_attempts 0 counts as 1: no retry after the first. */
	assert_int_equal(net_retry_next(&bad, 1, 0.0, -1, &d), 0);
}

/* Retries until max_attempts attempts were made, then gives up. */
static void
test_retry_next(void **state)
{
	double d = -1;
	int n;

	(void)state;
	for (n = 1; n < pol.max_attempts; n++) {
		assert_int_equal(net_retry_next(&pol, n, 0.0, -1, &d), 1);
		assert_true(d == net_backoff(&pol, n, 0.0));
	}
	assert_int_equal(net_retry_next(&pol, pol.max_attempts, 0.0, -1, &d), 0);
	assert_true(d == 0.0);
	assert_int_equal(net_retry_next(&pol, pol.max_attempts + 1, 0.5, -1, &d),
	    0);
}

/* Retry-After raises the delay, never past the cap; a shorter one is
 * ignored. */
static void
test_retry_after(void **state)
{
	double d;

	(void)state;
	assert_int_equal(net_retry_next(&pol, 1, 0.0, 120, &d), 1);
	assert_true(d == 120.0);
	assert_int_equal(net_retry_next(&pol, 1, 0.0, 99999, &d), 1);
	assert_true(d == 300.0);
	assert_int_equal(net_retry_next(&pol, 3, 0.0, 1, &d), 1);
	assert_true(d == 20.0);
}

/* Which outcomes are retried. */
static void
test_retryable(void **state)
{
	(void)state;
	assert_true(net_retryable(0));
	assert_true(net_retryable(429));
	assert_true(net_retryable(408));
	assert_true(net_retryable(500));
	assert_true(net_retryable(503));
	assert_false(net_retryable(200));
	assert_false(net_retryable(400));
	assert_false(net_retryable(401));
	assert_false(net_retryable(404));
	assert_false(net_retryable(301));
}

/* Secrets are replaced wherever they occur. */
static void
test_redact(void **state)
{
	const char *const secrets[] = { "s3cr3t-key", "ab", NULL };
	const char *const stars[] = { "***", NULL };
	char s[] = "x s3cr3t-key y s3cr3t-keys3cr3t-key ab";
	char t[] = "*** and ***";

	(void)state;
	net_redact(s, secrets);
	assert_string_equal(s, "x *** y ****** **");
	net_redact(t, stars);		/* terminates */
	assert_string_equal(t, "*** and ***");
	net_redact(NULL, secrets);
}

/* URLs: http(s) with a host only. */
static void
test_url_check(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_int_equal(net_url_check("https://hooks.example.com/x", &cause), 0);
	assert_int_equal(net_url_check("http://127.0.0.1:8080/", &cause), 0);
	assert_int_equal(net_url_check("ftp://example.com/", &cause), -1);
	assert_non_null(strstr(cause, "http"));
	free(cause);
	cause = NULL;
	assert_int_equal(net_url_check("not a url", &cause), -1);
	free(cause);
}

/* A key file must be readable by its owner only; loading trims it. */
static void
test_secret_file(void **state)
{
	char path[] = "/tmp/mwtestkeyXXXXXX", *cause = NULL, *s;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "routing-key-1\n", 14), 14);
	close(fd);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(net_secret_file_check(path, &cause), 0);
	s = net_secret_load(NULL, path, &cause);
	assert_non_null(s);
	assert_string_equal(s, "routing-key-1");
	net_secret_free(s);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(net_secret_file_check(path, &cause), -1);
	assert_non_null(strstr(cause, "0644"));
	assert_null(strstr(cause, "routing-key"));	/* names, never tells */
	free(cause);
	cause = NULL;
	assert_null(net_secret_load(NULL, path, &cause));
	free(cause);
	cause = NULL;
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(net_secret_file_check(path, &cause), -1);
	free(cause);
	cause = NULL;
	unlink(path);
	assert_null(net_secret_load("MW_TEST_UNSET_VARIABLE", NULL, &cause));
	assert_non_null(strstr(cause, "MW_TEST_UNSET_VARIABLE"));
	free(cause);
	cause = NULL;
	setenv("MW_TEST_KEY", "k-env ", 1);
	s = net_secret_load("MW_TEST_KEY", NULL, &cause);
	assert_string_equal(s, "k-env");
	net_secret_free(s);
}

/* A notification as the deliverer builds it. */
static json_t *
sample_note(const char *event)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s,"
	    " s:{s:i, s:s, s:s, s:s, s:s},"
	    " s:{s:i, s:s, s:s, s:f, s:[{s:i, s:s, s:s, s:s}]},"
	    " s:[{s:s, s:s}, {s:s, s:s}]}",
	    "event", event, "key", "midwatch-1-incident-7",
	    "idempotency_key", "idem-1", "summary", "Incident 7 on pay <b>",
	    "severity", "high",
	    "incident", "id", 7, "title", "errors & latency", "service", "pay",
	    "severity", "high", "status", "open",
	    "hypothesis", "rank", 1, "type", "release", "title", "deploy v2",
	    "confidence", 0.82, "evidence", "id", 11, "role", "supports",
	    "kind", "deployment", "summary", "deploy v2 at onset",
	    "alerts", "title", "errors up", "severity", "critical",
	    "title", "latency up", "severity", "high");
}

/* Slack: text plus header, incident, hypothesis, alerts, context blocks;
 * mrkdwn is escaped. */
static void
test_slack_shape(void **state)
{
	json_t *n = sample_note("trigger"), *b = net_webhook_slack(n), *blocks;
	char *s;

	(void)state;
	assert_true(json_is_string(json_object_get(b, "text")));
	blocks = json_object_get(b, "blocks");
	assert_int_equal(json_array_size(blocks), 5);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(blocks, 0), "type")), "header");
	s = json_dumps(b, 0);
	assert_non_null(strstr(s, "errors &amp; latency"));
	assert_non_null(strstr(s, "confidence 0.82"));
	assert_non_null(strstr(s, "deploy v2 at onset"));
	assert_non_null(strstr(s, "Alerts (2)"));
	/* the top-level text is mrkdwn: escaped */
	assert_non_null(strstr(json_string_value(json_object_get(b, "text")),
	    "pay &lt;b&gt;"));
	free(s);
	json_decref(b);
	json_decref(n);
}

/* PagerDuty: trigger with payload and dedup_key; acknowledge and resolve
 * carry only the action and the key; never a routing_key. */
static void
test_pagerduty_shape(void **state)
{
	json_t *n = sample_note("trigger"), *b = net_webhook_pagerduty(n), *p;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(b,
	    "event_action")), "trigger");
	assert_string_equal(json_string_value(json_object_get(b, "dedup_key")),
	    "midwatch-1-incident-7");
	p = json_object_get(b, "payload");
	assert_string_equal(json_string_value(json_object_get(p, "severity")),
	    "error");
	assert_string_equal(json_string_value(json_object_get(p, "source")),
	    "pay");
	assert_non_null(json_object_get(json_object_get(p, "custom_details"),
	    "top_hypothesis"));
	assert_null(json_object_get(b, "routing_key"));
	json_decref(b);
	json_decref(n);

	n = sample_note("acknowledge");
	b = net_webhook_pagerduty(n);
	assert_int_equal(json_object_size(b), 2);
	assert_string_equal(json_string_value(json_object_get(b,
	    "event_action")), "acknowledge");
	assert_string_equal(json_string_value(json_object_get(b, "dedup_key")),
	    "midwatch-1-incident-7");
	json_decref(b);
	json_decref(n);
	assert_string_equal(net_pagerduty_severity("critical"), "critical");
	assert_string_equal(net_pagerduty_severity("medium"), "warning");
	assert_string_equal(net_pagerduty_severity("info"), "info");
	assert_string_equal(net_pagerduty_severity(NULL), "warning");
}

/* Generic: the notification itself, versioned. */
static void
test_generic_shape(void **state)
{
	json_t *n = sample_note("trigger"), *b = net_webhook_generic(n);

	(void)state;
	assert_int_equal(json_integer_value(json_object_get(b, "version")), 1);
	assert_string_equal(json_string_value(json_object_get(b,
	    "idempotency_key")), "idem-1");
	assert_true(json_equal(json_object_get(b, "hypothesis"),
	    json_object_get(n, "hypothesis")));
	assert_null(json_object_get(n, "version"));	/* a copy */
	json_decref(b);
	json_decref(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_growth),
		cmocka_unit_test(test_backoff_cap),
		cmocka_unit_test(test_backoff_jitter),
		cmocka_unit_test(test_backoff_bad_policy),
		cmocka_unit_test(test_retry_next),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_retryable),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_url_check),
		cmocka_unit_test(test_secret_file),
		cmocka_unit_test(test_slack_shape),
		cmocka_unit_test(test_pagerduty_shape),
		cmocka_unit_test(test_generic_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
