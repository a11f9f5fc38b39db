/*
 * fuzz_jsonl.c - fuzz target: one JSON Lines line through
 * ingest_kinds_parse_line (src/ingest/ingest_kinds.c), and a refused one
 * through the dead-letter payload (ingest_dead_payload).
 *
 * Invariants: a refused line has a one-line UTF-8 reason and leaves no
 * record; its payload is valid UTF-8 without NUL.  An accepted line is a
 * record of a known kind whose row is valid JSON with UTF-8 strings, whose
 * timestamps are canonical and in range, and in which redacting again finds
 * no secret; a metric point has names, a finite value, an in-range time
 * and labels that are a JSON object.  The metric fast path
 * (ingest_kinds_fast_metric) takes only lines the parser accepts, as the
 * same record (names, time and value bit for bit, no labels).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "midwatch/ingest.h"
#include "midwatch/timefmt.h"
#include "../../src/ingest/ingest_int.h"

/* Years 1900..9999, as ingest_kinds.c accepts. */
#define TS_MIN (-2208988800.0)
#define TS_MAX (253402300799.0)

static void
check_name(const char *s)
{
	FUZZ_CHECK(s != NULL && *s != '\0', "a metric point has its names");
	FUZZ_CHECK(fuzz_utf8_valid(s, strlen(s)), "names are valid UTF-8");
}

static void
check_metric(const struct ingest_rec *r)
{
	json_t *labels;

	check_name(r->m_service);
	check_name(r->m_metric);
	FUZZ_CHECK(isfinite(r->m_value), "a point's value is finite");
	FUZZ_CHECK(r->m_ts >= TS_MIN && r->m_ts <= TS_MAX,
	    "a point's time is in range");
	FUZZ_CHECK(r->m_labels_key != NULL, "a point has a labels key");
	FUZZ_CHECK(fuzz_utf8_valid(r->m_labels_key, strlen(r->m_labels_key)),
	    "the labels key is valid UTF-8");
	if (r->m_labels != NULL) {
		labels = json_loads(r->m_labels, 0, NULL);
		FUZZ_CHECK(json_is_object(labels), "labels are a JSON object");
		FUZZ_CHECK(ingest_redact_shapes(labels) == 0,
		    "labels hold no secret");
		json_decref(labels);
	}
}

/* Top-level timestamps ("ts", "..._at") are canonical UTC in range. */
static void
check_times(json_t *row)
{
	const char *k, *s;
	json_t *v;
	size_t n;
	double t;

	json_object_foreach(row, k, v) {
		n = strlen(k);
		if (!json_is_string(v) || (strcmp(k, "ts") != 0 &&
		    (n < 3 || strcmp(k + n - 3, "_at") != 0)))
			continue;
		s = json_string_value(v);
		FUZZ_CHECK(timefmt_parse(s, &t) == 0, "row times parse back");
		FUZZ_CHECK(t >= TS_MIN && t <= TS_MAX, "row times are in range");
		FUZZ_CHECK(s[strlen(s) - 1] == 'Z', "row times are UTC");
	}
}

static void
check_record(struct ingest_rec *r)
{
	json_t *copy;

	FUZZ_CHECK(r->kind < INGEST_KIND_COUNT, "a known kind");
	FUZZ_CHECK(r->src != NULL, "the record keeps its line");
	if (r->kind == INGEST_KIND_METRIC) {
		check_metric(r);
		return;
	}
	FUZZ_CHECK(json_is_object(r->row), "a row is an object");
	fuzz_check_json(r->row);
	check_times(r->row);
	copy = json_deep_copy(r->row);
	FUZZ_CHECK(ingest_redact_shapes(copy) == 0,
	    "redacting a stored row again finds nothing");
	json_decref(copy);
}

/* The fast path agrees with the parser's outcome rc / full. */
static void
check_fast(const char *line, size_t size, int rc, const struct ingest_rec *full)
{
	struct ingest_rec rec;
	char *copy = malloc(size + 1);

	memcpy(copy, line, size);
	copy[size] = '\0';
	if (ingest_kinds_fast_metric(copy, size, &rec, NULL)) {
		FUZZ_CHECK(rc == 0 && full->kind == INGEST_KIND_METRIC,
		    "the fast path takes only metric lines the parser accepts");
		FUZZ_CHECK(strcmp(rec.m_service, full->m_service) == 0 &&
		    strcmp(rec.m_metric, full->m_metric) == 0,
		    "the fast path gives the same names");
		FUZZ_CHECK(memcmp(&rec.m_ts, &full->m_ts, sizeof rec.m_ts) == 0 &&
		    memcmp(&rec.m_value, &full->m_value, sizeof rec.m_value) == 0,
		    "the fast path gives the same time and value");
		FUZZ_CHECK(full->m_labels == NULL &&
		    strcmp(full->m_labels_key, rec.m_labels_key) == 0 &&
		    rec.redacted == full->redacted,
		    "the fast path takes only lines without labels");
		ingest_kinds_clear(&rec);
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_rec rec;
	char *cause = NULL, *payload;
	const char *line = (const char *)data;

	if (size > INGEST_MAX_LINE)
		return 0;	/* the reader refuses it before parsing */
	if (ingest_kinds_parse_line(line, size, &rec, &cause) == 0) {
		FUZZ_CHECK(cause == NULL, "no reason for an accepted line");
		check_record(&rec);
		check_fast(line, size, 0, &rec);
		ingest_kinds_clear(&rec);
		return 0;
	}
	fuzz_check_cause(cause);
	free(cause);
	check_fast(line, size, -1, &rec);
	FUZZ_CHECK(rec.row == NULL && rec.src == NULL,
	    "a refused line leaves no record");
	payload = ingest_dead_payload(line, size, size);
	FUZZ_CHECK(fuzz_utf8_valid(payload, strlen(payload)),
	    "a dead letter's payload is valid UTF-8");
	free(payload);
	return 0;
}
