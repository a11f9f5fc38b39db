/*
 * fuzz_am_api.c - fuzz target: an answer of Alertmanager's API v2 as
 * midwatch reads it (the first byte picks the HTTP status, the rest is the
 * body), through the three readers of src/sources: the version of GET
 * /api/v2/status (sources_am_status_version, `sources test`), the alerts
 * of GET /api/v2/alerts (sources_am_alerts_result, a pull) and the
 * silence id of POST /api/v2/silences (sources_silence_id, an
 * acknowledgement pushed back).
 *
 * Invariants: each gives something only with HTTP 200, else a one-line
 * UTF-8 reason (stored as a source's or a silence's last error); a
 * version is one line of valid UTF-8 with no control, at most 64 bytes
 * and "..."; alerts are an array; a silence id is 1 to 128 bytes of
 * letters, digits, '-', '_', '.', '~' (it goes into a URL path as it is).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "midwatch/sources.h"

/* 1 when a reader gave nothing: then why is its reason, checked, freed. */
static int
refused(const void *got, char *why)
{
	if (got != NULL)
		return 0;
	fuzz_check_cause(why);
	free(why);
	return 1;
}

static void
check_version(long status, const char *body, size_t len)
{
	char *why = NULL, *v = sources_am_status_version(status, body, len, &why);
	size_t i, n;

	if (refused(v, why))
		return;
	FUZZ_CHECK(status == 200 && why == NULL, "a version only with HTTP 200");
	n = strlen(v);
	FUZZ_CHECK(n > 0 && n <= 64 + 3 && fuzz_utf8_valid(v, n),
	    "a version is short valid UTF-8");
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)v[i] >= 0x20 && v[i] != 0x7f,
		    "a version has no control");
	free(v);
}

static void
check_alerts(long status, const char *body, size_t len)
{
	char *why = NULL;
	json_t *a = sources_am_alerts_result(status, body, len, &why);

	if (refused(a, why))
		return;
	FUZZ_CHECK(status == 200 && why == NULL && json_is_array(a),
	    "alerts only with HTTP 200, an array");
	json_decref(a);
}

static void
check_silence(long status, const char *body, size_t len)
{
	char *why = NULL, *sid = sources_silence_id(status, body, len, &why);
	size_t n;

	if (refused(sid, why))
		return;
	FUZZ_CHECK(status == 200 && why == NULL, "a silence only with HTTP 200");
	n = strlen(sid);
	FUZZ_CHECK(n >= 1 && n <= 128 && strspn(sid, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~") == n,
	    "a silence id is safe in a URL path");
	free(sid);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 200, 200, 200, 400, 404, 500, 0 };
	const char *body = (const char *)data + 1;
	long status;

	if (size == 0)
		return 0;
	status = statuses[data[0] & 7];
	check_version(status, body, size - 1);
	check_alerts(status, body, size - 1);
	check_silence(status, body, size - 1);
	return 0;
}
