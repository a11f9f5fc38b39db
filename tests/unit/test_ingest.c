/*
 * test_ingest.c - unit tests for the pure half of ingest: line validation
 * of every kind (valid and invalid lines), commit path classification, error
 * fingerprints, secret redaction and dead-letter payload cleaning.  No
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

/* ---- helpers --------------------------------------------------------------- */

/* Parses line, expecting success with kind; the caller clears *rec. */
static void
expect_ok(const char *line, enum ingest_kind kind, struct ingest_rec *rec)
{
	char *cause = NULL;
	int rc = ingest_kinds_parse_line(line, strlen(line), rec, &cause);

	if (rc != 0)
		print_error("unexpected rejection of %s: %s\n", line, cause);
	assert_int_equal(rc, 0);
	assert_null(cause);
	assert_int_equal(rec->kind, kind);
}

/* Parses len bytes of line, expecting a rejection whose reason contains
 * want. */
static void
expect_reject_n(const char *line, size_t len, const char *want)
{
	struct ingest_rec rec;
	char *cause = NULL;
	int rc = ingest_kinds_parse_line(line, len, &rec, &cause);

	if (rc == 0)
		print_error("unexpected acceptance of %s\n", line);
	assert_int_equal(rc, -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		print_error("reason \"%s\" lacks \"%s\"\n", cause, want);
	assert_non_null(strstr(cause, want));
	assert_null(rec.row);
	assert_null(rec.src);
	free(cause);
}

/* expect_reject_n for a C string. */
static void
expect_reject(const char *line, const char *want)
{
	expect_reject_n(line, strlen(line), want);
}

/* The string member key of the record's row. */
static const char *
row_s(const struct ingest_rec *rec, const char *key)
{
	return json_string_value(json_object_get(rec->row, key));
}

/* ---- validation, per kind ------------------------------------------------ */

static void
test_kind_service(void **state)
{
	struct ingest_rec r;

	(void)state;
	expect_ok("{\"kind\":\"service\",\"service\":\"api\",\"tier\":\"web\",\"team\":\"core\"}",
	    INGEST_KIND_SERVICE, &r);
	assert_string_equal(row_s(&r, "service"), "api");
	assert_string_equal(row_s(&r, "cluster"), "default");
	assert_string_equal(row_s(&r, "namespace"), "default");
	assert_string_equal(row_s(&r, "tier"), "web");
	/* unknown fields are kept */
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(r.row, "extra"), "team")), "core");
	ingest_kinds_clear(&r);
	expect_ok("{\"kind\":\"service\",\"service\":\"db\",\"cluster\":\"eu\",\"namespace\":\"prod\"}",
	    INGEST_KIND_SERVICE, &r);
	assert_string_equal(row_s(&r, "cluster"), "eu");
	ingest_kinds_clear(&r);

	expect_reject("{\"kind\":\"service\"}", "missing required field \"service\"");
	expect_reject("{\"kind\":\"service\",\"service\":\"\"}", "must not be empty");
	expect_reject("{\"kind\":\"service\",\"service\":42}", "\"service\" must be a string");
	expect_reject("{\"kind\":\"service\",\"service\":\"a\",\"tier\":[1]}",
	    "\"tier\" must be a string");
}

static void
test_kind_dependency(void **state)
{
	struct ingest_rec r;

	(void)state;
	expect_ok("{\"kind\":\"dependency\",\"from\":\"api\",\"to\":\"pg\",\"dep_kind\":\"database\"}",
	    INGEST_KIND_DEPENDENCY, &r);
	assert_string_equal(row_s(&r, "from_name"), "api");
	assert_string_equal(row_s(&r, "to_name"), "pg");
	assert_string_equal(row_s(&r, "dep_kind"), "database");
	ingest_kinds_clear(&r);
	expect_ok("{\"kind\":\"dependency\",\"from\":\"api\",\"to\":\"auth\"}",
	    INGEST_KIND_DEPENDENCY, &r);
	assert_string_equal(row_s(&r, "dep_kind"), "service");
	ingest_kinds_clear(&r);

	expect_reject("{\"kind\":\"dependency\",\"from\":\"api\"}", "missing required field \"to\"");
	expect_reject("{\"kind\":\"dependency\",\"from\":\"a\",\"to\":\"b\",\"dep_kind\":\"cache\"}",
	    "\"dep_kind\" must be one of service, database, external");
}

static void
test_kind_metric(void **state)
{
	struct ingest_rec r;

	(void)state;
	expect_ok("{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\","
	    "\"metric\":\"error_ratio\",\"value\":0.25}", INGEST_KIND_METRIC, &r);
	assert_null(r.row);
	assert_string_equal(r.m_service, "api");
	assert_string_equal(r.m_metric, "error_ratio");
	assert_true(r.m_value == 0.25);
	assert_true(r.m_ts == 1794834300.0);
	assert_null(r.m_labels);
	assert_string_equal(r.m_labels_key, "");
	ingest_kinds_clear(&r);

	/* integer values, offsets, labels sorted, unknown fields as labels */
	expect_ok("{\"kind\":\"metric\",\"ts\":\"2026-11-16T14:05:00+01:00\",\"service\":\"api\","
	    "\"metric\":\"request_rate\",\"value\":12,\"labels\":{\"zone\":\"b\",\"code\":\"5xx\"},"
	    "\"pod\":\"api-1\"}", INGEST_KIND_METRIC, &r);
	assert_true(r.m_value == 12.0);
	assert_true(r.m_ts == 1794834300.0);
	assert_string_equal(r.m_labels_key, "code=5xx,pod=api-1,zone=b");
	assert_string_equal(r.m_labels, "{\"code\":\"5xx\",\"pod\":\"api-1\",\"zone\":\"b\"}");
	ingest_kinds_clear(&r);

	/* separators in label values are escaped in the key */
	expect_ok("{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\","
	    "\"metric\":\"m\",\"value\":1,\"labels\":{\"a\":\"x,y=z\"}}", INGEST_KIND_METRIC, &r);
	assert_string_equal(r.m_labels_key, "a=x\\,y\\=z");
	ingest_kinds_clear(&r);

	expect_reject("{\"kind\":\"metric\",\"service\":\"api\",\"metric\":\"m\",\"value\":1}",
	    "missing required field \"ts\"");
	expect_reject("{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\",\"metric\":\"m\"}",
	    "missing required field \"value\"");
	expect_reject("{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\","
	    "\"metric\":\"m\",\"value\":\"12\"}", "\"value\" must be a number");
	expect_reject("{\"kind\":\"metric\",\"ts\":\"yesterday\",\"service\":\"api\",\"metric\":\"m\",\"value\":1}",
	    "\"ts\" is not an RFC 3339 timestamp: \"yesterday\"");
	expect_reject("{\"kind\":\"metric\",\"ts\":\"2026-02-30T00:00:00Z\",\"service\":\"api\",\"metric\":\"m\",\"value\":1}",
	    "not an RFC 3339 timestamp");
	/* what a reason quotes stays on one line (the summary prints one
	 * reason a line; tests/fuzz/regressions/git/) */
	expect_reject("{\"kind\":\"metric\",\"ts\":\"now\\nsrc:9: ok\\t\\u0001\",\"service\":\"api\",\"metric\":\"m\",\"value\":1}",
	    "timestamp: \"now\\nsrc:9: ok\\t?\"");
	expect_reject("{\"kind\":\"metric\",\"ts\":\"0001-01-01T00:00:00Z\",\"service\":\"api\",\"metric\":\"m\",\"value\":1}",
	    "out of range");
	expect_reject("{\"kind\":\"metric\",\"ts\":1794834300,\"service\":\"api\",\"metric\":\"m\",\"value\":1}",
	    "\"ts\" must be a string");
	expect_reject("{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\","
	    "\"metric\":\"m\",\"value\":1,\"labels\":[\"a\"]}", "\"labels\" must be an object");
}

static void
test_kind_deploy(void **state)
{
	struct ingest_rec r;
	json_t *c;

	(void)state;
	expect_ok("{\"kind\":\"deploy\",\"id\":\"d-42\",\"service\":\"api\","
	    "\"started_at\":\"2026-11-16T13:00:00Z\",\"finished_at\":\"2026-11-16T13:02:30.5Z\","
	    "\"commits\":[\"ABCDEF1\",\"release-7\"],\"is_rollback\":true,\"revision\":\"v2\"}",
	    INGEST_KIND_DEPLOY, &r);
	assert_string_equal(row_s(&r, "ext_id"), "d-42");
	assert_string_equal(row_s(&r, "started_at"), "2026-11-16T13:00:00Z");
	assert_string_equal(row_s(&r, "finished_at"), "2026-11-16T13:02:30.500000Z");
	assert_true(json_is_true(json_object_get(r.row, "is_rollback")));
	c = json_object_get(r.row, "commits");
	assert_int_equal(json_array_size(c), 2);
	/* hex shas are lowercased, other refs kept */
	assert_string_equal(json_string_value(json_array_get(c, 0)), "abcdef1");
	assert_string_equal(json_string_value(json_array_get(c, 1)), "release-7");
	ingest_kinds_clear(&r);
	/* numeric ids are accepted as text */
	expect_ok("{\"kind\":\"deploy\",\"id\":1234,\"service\":\"api\",\"started_at\":\"2026-11-16T13:00:00Z\"}",
	    INGEST_KIND_DEPLOY, &r);
	assert_string_equal(row_s(&r, "ext_id"), "1234");
	assert_true(json_is_false(json_object_get(r.row, "is_rollback")));
	ingest_kinds_clear(&r);

	expect_reject("{\"kind\":\"deploy\",\"service\":\"api\",\"started_at\":\"2026-11-16T13:00:00Z\"}",
	    "missing required field \"id\"");
	expect_reject("{\"kind\":\"deploy\",\"id\":\"d\",\"service\":\"api\",\"started_at\":\"2026-11-16T13:00:00Z\","
	    "\"finished_at\":\"2026-11-16T12:00:00Z\"}", "finished_at is before started_at");
	expect_reject("{\"kind\":\"deploy\",\"id\":\"d\",\"service\":\"api\",\"started_at\":\"2026-11-16T13:00:00Z\","
	    "\"commits\":\"abc\"}", "\"commits\" must be an array");
	expect_reject("{\"kind\":\"deploy\",\"id\":\"d\",\"service\":\"api\",\"started_at\":\"2026-11-16T13:00:00Z\","
	    "\"is_rollback\":\"yes\"}", "\"is_rollback\" must be true or false");
}

static void
test_kind_commit(void **state)
{
	struct ingest_rec r;
	json_t *files, *f;

	(void)state;
	expect_ok("{\"kind\":\"commit\",\"sha\":\"ABC123\",\"repo\":\"shop\",\"message\":\"fix\","
	    "\"authored_at\":\"2026-11-16T10:00:00Z\",\"author\":\"ann\",\"files\":["
	    "{\"path\":\"db/migrations/0042_add_index.sql\",\"lines_added\":10,\"lines_removed\":2},"
	    "{\"path\":\"src/app.c\",\"change_type\":\"http_client\"},"
	    "{\"path\":\"src/app.c\",\"lines_added\":3,\"lines_removed\":1}]}",
	    INGEST_KIND_COMMIT, &r);
	assert_string_equal(row_s(&r, "sha"), "abc123");
	files = json_object_get(r.row, "files");
	/* one entry per path, the last one wins */
	assert_int_equal(json_array_size(files), 2);
	f = json_array_get(files, 0);
	assert_string_equal(json_string_value(json_object_get(f, "change_type")), "db_migration");
	assert_int_equal(json_integer_value(json_object_get(f, "lines_added")), 10);
	f = json_array_get(files, 1);
	assert_string_equal(json_string_value(json_object_get(f, "change_type")), "other");
	assert_int_equal(json_integer_value(json_object_get(f, "lines_added")), 3);
	ingest_kinds_clear(&r);

	expect_reject("{\"kind\":\"commit\",\"sha\":\"a\",\"repo\":\"r\",\"message\":\"m\","
	    "\"authored_at\":\"2026-11-16T10:00:00Z\"}", "missing required field \"files\"");
	expect_reject("{\"kind\":\"commit\",\"sha\":\"a\",\"repo\":\"r\",\"message\":\"m\","
	    "\"authored_at\":\"2026-11-16T10:00:00Z\",\"files\":[{\"lines_added\":1}]}",
	    "files[0] needs a \"path\" string");
	expect_reject("{\"kind\":\"commit\",\"sha\":\"a\",\"repo\":\"r\",\"message\":\"m\","
	    "\"authored_at\":\"2026-11-16T10:00:00Z\",\"files\":[{\"path\":\"x\",\"lines_added\":-1}]}",
	    "files[0]: field \"lines_added\" must be a whole number");
	expect_reject("{\"kind\":\"commit\",\"sha\":\"a\",\"repo\":\"r\",\"message\":\"m\","
	    "\"authored_at\":\"2026-11-16T10:00:00Z\",\"files\":[{\"path\":\"x\",\"change_type\":\"magic\"}]}",
	    "files[0].change_type must be one of");
	expect_reject("{\"kind\":\"commit\",\"repo\":\"r\",\"message\":\"m\","
	    "\"authored_at\":\"2026-11-16T10:00:00Z\",\"files\":[]}", "missing required field \"sha\"");
}

static void
test_kind_config_change(void **state)
{
	struct ingest_rec r, r2;
	json_t *d;
	const char *line =
	    "{\"kind\":\"config_change\",\"service\":\"payments\",\"detected_at\":\"2026-11-16T12:00:00Z\","
	    "\"change_kind\":\"env_var\",\"resource_name\":\"payments-env\",\"diff\":["
	    "{\"field\":\"DB_PASSWORD\",\"old_value\":\"hunter2\",\"new_value\":\"s3cr3t-XYZ\"},"
	    "{\"field\":\"TIMEOUT_MS\",\"old_value\":\"500\",\"new_value\":\"50\"}],"
	    "\"api_token\":\"tok-123\"}";

	(void)state;
	expect_ok(line, INGEST_KIND_CONFIG_CHANGE, &r);
	d = json_object_get(r.row, "diff");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "old_value")), "[redacted]");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "new_value")), "[redacted]");
	assert_true(json_is_true(json_object_get(json_array_get(d, 0), "changed")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 1), "new_value")), "50");
	/* secrets in unknown fields are redacted too */
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.row, "extra"),
	    "api_token")), "[redacted]");
	assert_true(r.redacted >= 3);
	/* no id: a stable one from the content */
	assert_non_null(row_s(&r, "ext_id"));
	assert_int_equal(strncmp(row_s(&r, "ext_id"), "cc-", 3), 0);
	expect_ok(line, INGEST_KIND_CONFIG_CHANGE, &r2);
	assert_string_equal(row_s(&r, "ext_id"), row_s(&r2, "ext_id"));
	ingest_kinds_clear(&r2);
	ingest_kinds_clear(&r);

	/* a single diff object; a Secret change hides every field */
	expect_ok("{\"kind\":\"config_change\",\"id\":\"c-1\",\"service\":\"s\",\"detected_at\":\"2026-11-16T12:00:00Z\","
	    "\"change_kind\":\"secret_key\",\"resource_name\":\"s-secret\","
	    "\"diff\":{\"field\":\"stripe\",\"old_value\":\"sk_live_1\",\"new_value\":\"sk_live_1\"}}",
	    INGEST_KIND_CONFIG_CHANGE, &r);
	assert_string_equal(row_s(&r, "ext_id"), "c-1");
	d = json_array_get(json_object_get(r.row, "diff"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "new_value")), "[redacted]");
	assert_true(json_is_false(json_object_get(d, "changed")));
	ingest_kinds_clear(&r);

	expect_reject("{\"kind\":\"config_change\",\"service\":\"s\",\"detected_at\":\"2026-11-16T12:00:00Z\","
	    "\"change_kind\":\"env_var\",\"resource_name\":\"r\"}", "missing required field \"diff\"");
	expect_reject("{\"kind\":\"config_change\",\"service\":\"s\",\"detected_at\":\"2026-11-16T12:00:00Z\","
	    "\"change_kind\":\"env_var\",\"resource_name\":\"r\",\"diff\":\"x=1\"}",
	    "\"diff\" must be an array of {field, old_value, new_value}");
	expect_reject("{\"kind\":\"config_change\",\"service\":\"s\",\"detected_at\":\"2026-11-16T12:00:00Z\","
	    "\"change_kind\":\"env_var\",\"resource_name\":\"r\",\"diff\":[{\"old_value\":1}]}",
	    "diff[0] must be an object with a \"field\" string");
	expect_reject("{\"kind\":\"config_change\",\"service\":\"s\",\"detected_at\":\"noon\","
	    "\"change_kind\":\"env_var\",\"resource_name\":\"r\",\"diff\":[]}",
	    "\"detected_at\" is not an RFC 3339 timestamp");
}

static void
test_kind_error(void **state)
{
	struct ingest_rec r, r2;
	char *fp;

	(void)state;
	expect_ok("{\"kind\":\"error\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\","
	    "\"message\":\"timeout after 503 ms calling 10.0.0.7\",\"severity\":\"ERROR\"}",
	    INGEST_KIND_ERROR, &r);
	assert_string_equal(row_s(&r, "severity"), "high");
	fp = ingest_fingerprint("timeout after 503 ms calling 10.0.0.7");
	assert_string_equal(row_s(&r, "fingerprint"), fp);
	free(fp);
	assert_non_null(strstr(row_s(&r, "dedupe_key"), "2026-11-16T13:05:00Z|api|"));
	/* same error, other numbers: same fingerprint, other dedupe key */
	expect_ok("{\"kind\":\"error\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\","
	    "\"message\":\"timeout after 1200 ms calling 10.0.0.9\"}", INGEST_KIND_ERROR, &r2);
	assert_string_equal(row_s(&r, "fingerprint"), row_s(&r2, "fingerprint"));
	assert_string_not_equal(row_s(&r, "dedupe_key"), row_s(&r2, "dedupe_key"));
	assert_string_equal(row_s(&r2, "severity"), "medium");
	ingest_kinds_clear(&r2);
	ingest_kinds_clear(&r);
	/* a given fingerprint is kept */
	expect_ok("{\"kind\":\"error\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\","
	    "\"message\":\"x\",\"fingerprint\":\"fp-1\"}", INGEST_KIND_ERROR, &r);
	assert_string_equal(row_s(&r, "fingerprint"), "fp-1");
	ingest_kinds_clear(&r);

	expect_reject("{\"kind\":\"error\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\"}",
	    "missing required field \"message\"");
	expect_reject("{\"kind\":\"error\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\","
	    "\"message\":\"x\",\"severity\":\"apocalyptic\"}", "\"severity\" must be one of");
}

static void
test_kind_health(void **state)
{
	struct ingest_rec r;

	(void)state;
	expect_ok("{\"kind\":\"health\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\","
	    "\"status\":\"degraded\",\"response_time_ms\":850,\"error_rate\":0.12}",
	    INGEST_KIND_HEALTH, &r);
	assert_string_equal(row_s(&r, "status"), "degraded");
	assert_true(json_real_value(json_object_get(r.row, "error_rate")) == 0.12);
	ingest_kinds_clear(&r);
	expect_reject("{\"kind\":\"health\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\",\"status\":\"ok\"}",
	    "\"status\" must be one of healthy, degraded, down (got \"ok\")");
	expect_reject("{\"kind\":\"health\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\","
	    "\"status\":\"down\",\"error_rate\":7}", "\"error_rate\" must be between 0 and 1");
	expect_reject("{\"kind\":\"health\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"api\","
	    "\"status\":\"down\",\"response_time_ms\":\"slow\"}", "\"response_time_ms\" must be a number");
}

static void
test_kind_funnel(void **state)
{
	struct ingest_rec r;

	(void)state;
	expect_ok("{\"kind\":\"funnel\",\"ts\":\"2026-11-16T13:00:00Z\",\"funnel\":\"checkout\","
	    "\"steps\":[{\"name\":\"cart\",\"count\":100},{\"name\":\"paid\",\"count\":40}],"
	    "\"revenue_per_conversion\":31.5}", INGEST_KIND_FUNNEL, &r);
	assert_string_equal(row_s(&r, "funnel_type"), "checkout");
	assert_int_equal(json_array_size(json_object_get(r.row, "steps")), 2);
	ingest_kinds_clear(&r);
	expect_reject("{\"kind\":\"funnel\",\"ts\":\"2026-11-16T13:00:00Z\",\"funnel\":\"f\"}",
	    "missing required field \"steps\"");
	expect_reject("{\"kind\":\"funnel\",\"ts\":\"2026-11-16T13:00:00Z\",\"funnel\":\"f\","
	    "\"steps\":[{\"name\":\"a\"}]}", "steps[0] needs a non-negative \"count\"");
}

static void
test_kind_alert(void **state)
{
	struct ingest_rec r;

	(void)state;
	expect_ok("{\"kind\":\"alert\",\"ts\":\"2026-11-16T13:00:00Z\",\"fingerprint\":\"a1\","
	    "\"status\":\"firing\",\"labels\":{\"alertname\":\"HighErrors\",\"service\":\"api\"},"
	    "\"source\":\"alertmanager\"}", INGEST_KIND_ALERT, &r);
	assert_string_equal(row_s(&r, "service"), "api");
	assert_string_equal(row_s(&r, "source"), "alertmanager");
	assert_true(json_is_object(json_object_get(r.row, "annotations")));
	ingest_kinds_clear(&r);
	expect_ok("{\"kind\":\"alert\",\"ts\":\"2026-11-16T13:00:00Z\",\"fingerprint\":\"a1\","
	    "\"status\":\"resolved\",\"labels\":{}}", INGEST_KIND_ALERT, &r);
	assert_string_equal(row_s(&r, "source"), "jsonl");
	assert_true(json_is_null(json_object_get(r.row, "service")));
	ingest_kinds_clear(&r);
	expect_reject("{\"kind\":\"alert\",\"ts\":\"2026-11-16T13:00:00Z\",\"fingerprint\":\"a1\","
	    "\"status\":\"firing\"}", "missing required field \"labels\"");
	expect_reject("{\"kind\":\"alert\",\"ts\":\"2026-11-16T13:00:00Z\",\"fingerprint\":\"a1\","
	    "\"status\":\"pending\",\"labels\":{}}", "\"status\" must be one of firing, resolved");
	expect_reject("{\"kind\":\"alert\",\"ts\":\"2026-11-16T13:00:00Z\",\"fingerprint\":\"a1\","
	    "\"status\":\"firing\",\"labels\":\"x\"}", "\"labels\" must be an object");
}

static void
test_kind_maintenance(void **state)
{
	struct ingest_rec r;

	(void)state;
	expect_ok("{\"kind\":\"maintenance\",\"service\":\"db\",\"starts_at\":\"2026-11-16T02:00:00Z\","
	    "\"ends_at\":\"2026-11-16T03:00:00Z\",\"reason\":\"vacuum\"}", INGEST_KIND_MAINTENANCE, &r);
	assert_string_equal(row_s(&r, "reason"), "vacuum");
	ingest_kinds_clear(&r);
	expect_reject("{\"kind\":\"maintenance\",\"service\":\"db\",\"starts_at\":\"2026-11-16T02:00:00Z\"}",
	    "missing required field \"ends_at\"");
	expect_reject("{\"kind\":\"maintenance\",\"service\":\"db\",\"starts_at\":\"2026-11-16T04:00:00Z\","
	    "\"ends_at\":\"2026-11-16T03:00:00Z\"}", "ends_at is before starts_at");
}

static void
test_bad_lines(void **state)
{
	static const char nul_line[] = "{\"kind\":\"service\",\"service\":\"a\0b\"}";
	static const char nul_num[] = "{\"kind\":\"metric\",\"ts\":"
	    "\"2026-11-16T13:00:00Z\",\"service\":\"a\",\"metric\":\"m\",\"value\":1\0}";
	char *deep, *big;
	size_t i;

	(void)state;
	expect_reject("{\"kind\":\"metric\",", "invalid JSON");
	expect_reject("not json at all", "invalid JSON");
	expect_reject("[1,2,3]", "not a JSON object");
	expect_reject("{\"service\":\"a\"}", "missing required field \"kind\"");
	expect_reject("{\"kind\":7}", "\"kind\" must be a string");
	expect_reject("{\"kind\":\"metrics\"}", "unknown kind \"metrics\"");
	/* NUL bytes, \u0000, invalid UTF-8 */
	expect_reject_n(nul_line, sizeof nul_line - 1, "NUL byte at column 31");
	/* a NUL anywhere: right after a number (which jansson's lexer lets
	 * through), between tokens, first, last */
	expect_reject_n(nul_num, sizeof nul_num - 1, "NUL byte at column 82");
	expect_reject_n("{\"kind\":\0\"service\",\"service\":\"a\"}", 33,
	    "NUL byte at column 9");
	expect_reject_n("\0{\"kind\":\"service\",\"service\":\"a\"}", 33,
	    "NUL byte at column 1");
	expect_reject_n("{\"kind\":\"service\",\"service\":\"a\"}\0", 33,
	    "NUL byte at column 33");
	{	/* in a multi-line document: its line and column */
		static const char doc[] = "{\n  \"a\": 1\0\n}\n";
		char *cause = NULL;

		assert_null(ingest_kinds_load(doc, sizeof doc - 1, 1, &cause));
		assert_string_equal(cause, "NUL byte at line 2, column 9");
		free(cause);
	}
	expect_reject("{\"kind\":\"service\",\"service\":\"a\\u0000b\"}", "invalid JSON");
	expect_reject("{\"kind\":\"service\",\"service\":\"caf\xff\"}", "invalid JSON");
	/* huge numbers */
	expect_reject("{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:05:00Z\",\"service\":\"a\","
	    "\"metric\":\"m\",\"value\":1e999}", "invalid JSON");
	expect_reject("{\"kind\":\"deploy\",\"id\":123456789012345678901234567890,"
	    "\"service\":\"a\",\"started_at\":\"2026-11-16T13:05:00Z\"}", "invalid JSON");
	/* deep nesting is refused before the parser recurses */
	deep = malloc(200001);
	for (i = 0; i < 100000; i++)
		deep[i] = '[';
	for (; i < 200000; i++)
		deep[i] = ']';
	deep[i] = '\0';
	expect_reject(deep, "nested deeper than 64 levels");
	free(deep);
	/* an overlong identifier */
	big = malloc(2000);
	strcpy(big, "{\"kind\":\"service\",\"service\":\"");
	i = strlen(big);
	memset(big + i, 'x', 1000);
	strcpy(big + i + 1000, "\"}");
	expect_reject(big, "longer than 512 bytes");
	free(big);
	/* jansson's "near '...'" part (could quote a secret) is cut */
	expect_reject("{\"password\": hunter2}", "invalid JSON: invalid token (column");
}

/* ---- classification ------------------------------------------------------ */

static void
test_classify(void **state)
{
	static const struct {
		const char *path, *type;
	} cases[] = {
		{ "db/migrations/0042_add_orders_index.sql", "db_migration" },
		{ "migrations/versions/3f2a_add_col.py", "db_migration" },
		{ "alembic/env.py", "db_migration" },
		{ "src/main/resources/db/migration/V3__orders.sql", "db_migration" },
		{ "db/schema.rb", "db_migration" },
		{ "sql/001_schema.sql", "db_migration" },
		{ "go.mod", "dependency" },
		{ "go.sum", "dependency" },
		{ "web/package.json", "dependency" },
		{ "package-lock.json", "dependency" },
		{ "yarn.lock", "dependency" },
		{ "requirements-dev.txt", "dependency" },
		{ "Pipfile.lock", "dependency" },
		{ "poetry.lock", "dependency" },
		{ "Cargo.toml", "dependency" },
		{ "Cargo.lock", "dependency" },
		{ "pom.xml", "dependency" },
		{ "build.gradle", "dependency" },
		{ "Gemfile.lock", "dependency" },
		{ "composer.json", "dependency" },
		{ "pnpm-lock.yaml", "dependency" },
		{ "config/app.yaml", "config" },
		{ "deploy/payments.yml", "config" },
		{ "helm/payments/values.yaml", "config" },
		{ "k8s/deployment.json", "config" },
		{ "settings.toml", "config" },
		{ ".env.production", "config" },
		{ "app.properties", "config" },
		{ "Dockerfile", "config" },
		{ "src/config/index.ts", "config" },
		{ "internal/retry/policy.go", "timeout_retry" },
		{ "src/http/timeouts.py", "timeout_retry" },
		{ "lib/backoff.js", "timeout_retry" },
		{ "pkg/circuitbreaker/breaker.go", "timeout_retry" },
		{ "config/timeouts.yaml", "timeout_retry" },
		{ "src/payments/http_client.py", "http_client" },
		{ "internal/transport/grpc.go", "http_client" },
		{ "pkg/api/client.go", "http_client" },
		{ "src/clients/grpc_client.rs", "http_client" },
		{ "src/auth/session.go", "auth" },
		{ "services/login/handler.py", "auth" },
		{ "src/middleware/jwt.ts", "auth" },
		{ "app/rbac/policy.rb", "auth" },
		{ "src/oauth.c", "auth" },
		{ "lib/strings.c", "shared_util" },
		{ "common/format.go", "shared_util" },
		{ "pkg/money/round.go", "shared_util" },
		{ "src/utils.py", "shared_util" },
		{ "tests/test_checkout.py", "test" },
		{ "internal/retry/policy_test.go", "test" },
		{ "web/src/cart.spec.ts", "test" },
		{ "web/src/cart.test.js", "test" },
		{ "src/test/java/com/shop/CartTest.java", "test" },
		{ "tests/fixtures/package.json", "test" },
		{ "docs/runbook.md", "docs" },
		{ "README", "docs" },
		{ "README.md", "docs" },
		{ "CHANGELOG.md", "docs" },
		{ "LICENSE", "docs" },
		{ "AUTHORS", "docs" },
		{ "db/migrations/README.md", "docs" },
		{ "src/checkout/cart.c", "other" },
		{ "src/author/profile.go", "other" },
		{ "src/latest.go", "other" },
		{ "src/history.go", "other" },
		{ "", "other" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = ingest_classify_path(cases[i].path);

		if (strcmp(got, cases[i].type) != 0)
			print_error("%s: expected %s, got %s\n", cases[i].path,
			    cases[i].type, got);
		assert_string_equal(got, cases[i].type);
	}
	assert_string_equal(ingest_classify_path(NULL), "other");
}

/* ---- fingerprints -------------------------------------------------------- */

/* Normalises and compares. */
static void
expect_norm(const char *in, const char *want)
{
	char *got = ingest_fingerprint_normalize(in);

	assert_string_equal(got, want);
	free(got);
}

static void
test_fingerprint(void **state)
{
	char *a, *b, *c;
	size_t i;

	(void)state;
	expect_norm("Timeout after 503 ms calling 10.0.0.7:8080",
	    "timeout after <num> ms calling <ip>:<num>");
	expect_norm("User 'bob' not found", "user <str> not found");
	expect_norm("key \"order-77\" missing", "key <str> missing");
	expect_norm("order 5f3c2a9e-1b2c-4d5e-8f90-123456789abc failed",
	    "order <uuid> failed");
	expect_norm("txn 0xDEADBEEF aborted", "txn <hex> aborted");
	expect_norm("hash a3f9c2d1e8 mismatch", "hash <hex> mismatch");
	expect_norm("can't   connect\tto db", "can't connect to db");
	expect_norm("took 1.25s", "took <num>s");
	expect_norm("order12345 rejected", "order<num> rejected");
	expect_norm("  leading and trailing  ", "leading and trailing");
	expect_norm("", "");
	expect_norm(NULL, "");
	/* unterminated quotes are kept as text */
	expect_norm("it's \"open", "it's \"open");

	a = ingest_fingerprint("timeout after 503 ms calling 10.0.0.7");
	b = ingest_fingerprint("Timeout after 1200 ms calling 10.0.0.9");
	c = ingest_fingerprint("connection refused");
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 16);
	for (i = 0; i < 16; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	free(a);
	free(b);
	free(c);
}

/* ---- redaction ------------------------------------------------------------ */

static void
test_redact_names(void **state)
{
	static const char *const secret[] = { "password", "DB_PASSWORD",
	    "passwd", "client_secret", "GITHUB_TOKEN", "api_key", "apiKey",
	    "X-Api-Key", "private_key", "aws_credentials", "auth",
	    "BASIC_AUTH_HEADER", "oauth_client", "db_pwd", "key", "DSN",
	    "session_cookie", NULL };
	static const char *const plain[] = { "TIMEOUT_MS", "replicas", "image",
	    "author", "keyboard_layout", "monkey", "log_level", "passenger_count",
	    NULL };
	const char *const *n;

	(void)state;
	for (n = secret; *n != NULL; n++) {
		if (!ingest_redact_is_secret(*n))
			print_error("%s should look secret\n", *n);
		assert_true(ingest_redact_is_secret(*n));
	}
	for (n = plain; *n != NULL; n++) {
		if (ingest_redact_is_secret(*n))
			print_error("%s should not look secret\n", *n);
		assert_false(ingest_redact_is_secret(*n));
	}
	assert_false(ingest_redact_is_secret(NULL));
}

static void
test_redact_diff(void **state)
{
	json_t *d, *e;
	char *s;

	(void)state;
	d = json_loads("[{\"field\":\"STRIPE_SECRET\",\"old_value\":\"a\",\"new_value\":\"b\"},"
	    "{\"field\":\"API_TOKEN\",\"old_value\":null,\"new_value\":\"t\"},"
	    "{\"field\":\"DATABASE_URL\",\"old_value\":\"postgres://app:pw1@db/x\","
	    "\"new_value\":\"postgres://app:pw2@db2/x\"},"
	    "{\"field\":\"replicas\",\"old_value\":3,\"new_value\":1},"
	    "{\"field\":\"env\",\"old_value\":{\"password\":\"p\",\"x\":1},\"new_value\":{}}]", 0, NULL);
	assert_non_null(d);
	assert_int_equal(ingest_redact_diff(d, 0), 6);
	e = json_array_get(d, 0);
	assert_string_equal(json_string_value(json_object_get(e, "old_value")), "[redacted]");
	assert_string_equal(json_string_value(json_object_get(e, "new_value")), "[redacted]");
	assert_true(json_is_true(json_object_get(e, "redacted")));
	assert_true(json_is_true(json_object_get(e, "changed")));
	e = json_array_get(d, 1);
	assert_true(json_is_null(json_object_get(e, "old_value")));
	assert_string_equal(json_string_value(json_object_get(e, "new_value")), "[redacted]");
	e = json_array_get(d, 2);
	assert_string_equal(json_string_value(json_object_get(e, "old_value")),
	    "postgres://app:[redacted]@db/x");
	e = json_array_get(d, 3);
	assert_int_equal(json_integer_value(json_object_get(e, "new_value")), 1);
	assert_null(json_object_get(e, "redacted"));
	e = json_object_get(json_array_get(d, 4), "old_value");
	assert_string_equal(json_string_value(json_object_get(e, "password")), "[redacted]");
	assert_int_equal(json_integer_value(json_object_get(e, "x")), 1);
	s = json_dumps(d, 0);
	assert_null(strstr(s, "pw1"));
	assert_null(strstr(s, "pw2"));
	free(s);
	json_decref(d);

	/* force: every field */
	d = json_loads("[{\"field\":\"stripe\",\"old_value\":\"k1\",\"new_value\":\"k1\"}]", 0, NULL);
	assert_int_equal(ingest_redact_diff(d, 1), 2);
	e = json_array_get(d, 0);
	assert_true(json_is_false(json_object_get(e, "changed")));
	json_decref(d);
}

static void
test_redact_text(void **state)
{
	char *s;

	(void)state;
	s = ingest_redact_url("connect postgres://u:hunter2@h:5432/db and https://x.org/a@b");
	assert_string_equal(s, "connect postgres://u:[redacted]@h:5432/db and https://x.org/a@b");
	free(s);
	assert_null(ingest_redact_url("https://example.org/path"));
	assert_null(ingest_redact_url("no url"));

	s = ingest_redact_raw("{\"field\":\"DB_PASSWORD\",\"new_value\":\"hunter2\",\"n\":5, tok: abc}");
	assert_non_null(s);
	assert_null(strstr(s, "hunter2"));
	assert_null(strstr(s, "abc"));
	assert_non_null(strstr(s, "\"n\":5"));
	free(s);
	s = ingest_redact_raw("{\"password\": \"unterminated");
	assert_null(strstr(s, "unterminated"));
	free(s);
	assert_null(ingest_redact_raw("{\"kind\":\"metric\",\"value\":1"));
}

/* ---- payloads and timestamps --------------------------------------------- */

static void
test_payload(void **state)
{
	static const char raw[] = "a\0b\xff\xc3\xa9\xe2\x82";
	char *s, *big;

	(void)state;
	s = ingest_payload_text(raw, sizeof raw - 1, sizeof raw - 1);
	assert_string_equal(s, "a\\x00b\\xff\xc3\xa9\\xe2\\x82");
	free(s);
	big = malloc(10000);
	memset(big, 'x', 10000);
	s = ingest_payload_text(big, 10000, 2000000);
	assert_true(strlen(s) < INGEST_MAX_PAYLOAD + 64);
	assert_non_null(strstr(s, "[truncated, 2000000 bytes]"));
	free(s);
	/* overlongs, surrogates, past U+10FFFF: escaped, as utf8_decode says */
	s = ingest_payload_text("\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80", 9, 9);
	assert_string_equal(s, "\\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80");
	free(s);
	/* at the limit: a character cut in two is left out, an invalid byte
	 * is shown */
	memset(big, 'x', INGEST_MAX_PAYLOAD - 1);
	memcpy(big + INGEST_MAX_PAYLOAD - 1, "\xc3\xa9", 2);
	s = ingest_payload_text(big, INGEST_MAX_PAYLOAD + 1, INGEST_MAX_PAYLOAD + 1);
	assert_null(strchr(s, '\xc3'));
	assert_null(strstr(s, "\\x"));
	free(s);
	memcpy(big + INGEST_MAX_PAYLOAD - 1, "\xc0\xaf", 2);
	s = ingest_payload_text(big, INGEST_MAX_PAYLOAD + 1, INGEST_MAX_PAYLOAD + 1);
	assert_non_null(strstr(s, "x\\xc0 ...[truncated"));
	free(s);
	free(big);
}

static void
test_ts_format(void **state)
{
	char buf[40];

	(void)state;
	ingest_kinds_ts(1794834300.0, buf, sizeof buf);
	assert_string_equal(buf, "2026-11-16T13:05:00Z");
	ingest_kinds_ts(1794834300.25, buf, sizeof buf);
	assert_string_equal(buf, "2026-11-16T13:05:00.250000Z");
	ingest_kinds_ts(-1.5, buf, sizeof buf);
	assert_string_equal(buf, "1969-12-31T23:59:58.500000Z");
	assert_string_equal(ingest_kinds_name(INGEST_KIND_CONFIG_CHANGE), "config_change");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_service),
		cmocka_unit_test(test_kind_dependency),
		cmocka_unit_test(test_kind_metric),
		cmocka_unit_test(test_kind_deploy),
		cmocka_unit_test(test_kind_commit),
		cmocka_unit_test(test_kind_config_change),
		cmocka_unit_test(test_kind_error),
		cmocka_unit_test(test_kind_health),
		cmocka_unit_test(test_kind_funnel),
		cmocka_unit_test(test_kind_alert),
		cmocka_unit_test(test_kind_maintenance),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_redact_names),
		cmocka_unit_test(test_redact_diff),
		cmocka_unit_test(test_redact_text),
		cmocka_unit_test(test_payload),
		cmocka_unit_test(test_ts_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
