/*
 * fuzz_prom.c - fuzz target: an answer of the Prometheus HTTP API (or
 * Thanos', Mimir's) as a pull reads it (src/sources/source_prom.c): the
 * first byte picks the HTTP status, the rest is the body, through
 * sources_prom_result; each series of a result through
 * sources_prom_service and each of its points through sources_prom_point
 * and the validation of the `metric` kind.
 *
 * Invariants: an answer is a result only with HTTP 200 and then an array;
 * a refusal gives a one-line UTF-8 reason (it is stored as the source's
 * last_error); a series' service is NULL or a non-empty UTF-8 name; a
 * point is a metric line with a finite value, which ingest either takes
 * with that value or refuses with a reason.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "midwatch/ingest.h"
#include "midwatch/sources.h"

static void
check_service(char *svc)
{
	if (svc != NULL)
		FUZZ_CHECK(*svc != '\0' && fuzz_utf8_valid(svc, strlen(svc)),
		    "a service is a non-empty UTF-8 name");
	free(svc);
}

static void
check_point(json_t *pair, const char *service, json_t *labels)
{
	json_t *obj = sources_prom_point(pair, service, "request_rate", labels);
	struct ingest_rec rec;
	char *cause = NULL;
	double value;

	if (obj == NULL)
		return;
	value = json_real_value(json_object_get(obj, "value"));
	FUZZ_CHECK(isfinite(value), "a point's value is finite");
	if (ingest_kinds_parse_object(obj, &rec, &cause) == 0) {
		FUZZ_CHECK(rec.kind == INGEST_KIND_METRIC && rec.m_value == value,
		    "ingest takes the point as it is");
		ingest_kinds_clear(&rec);
	} else {
		fuzz_check_cause(cause);
		free(cause);
	}
	json_decref(obj);
}

static void
check_series(json_t *series)
{
	json_t *metric = json_object_get(series, "metric"), *values, *v;
	json_t *labels = json_is_object(metric) ? metric : NULL, *empty;
	char *svc;
	size_t i;

	check_service(sources_prom_service(metric, "app"));
	svc = sources_prom_service(metric, NULL);
	values = json_object_get(series, "values");
	if (values == NULL)
		values = json_object_get(series, "value") != NULL ?
		    json_pack("[O]", json_object_get(series, "value")) : NULL;
	else
		json_incref(values);
	empty = json_object();
	json_array_foreach(values, i, v)
		check_point(v, svc != NULL ? svc : "svc",
		    labels != NULL ? labels : empty);
	json_decref(empty);
	json_decref(values);
	check_service(svc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 200, 200, 200, 400, 422, 503, 0 };
	json_t *res, *series;
	char *cause = NULL;
	long status;
	size_t i;

	if (size == 0)
		return 0;
	status = statuses[data[0] & 7];
	res = sources_prom_result(status, (const char *)data + 1, size - 1,
	    &cause);
	if (res == NULL) {
		fuzz_check_cause(cause);
		free(cause);
		return 0;
	}
	FUZZ_CHECK(status == 200 && cause == NULL, "a result only with HTTP 200");
	FUZZ_CHECK(json_is_array(res), "a result is an array");
	json_array_foreach(res, i, series)
		check_series(series);
	json_decref(res);
	return 0;
}
