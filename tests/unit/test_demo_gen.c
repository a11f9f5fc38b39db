/*
 * test_demo_gen.c - unit tests for the bundled demo scenario (src/demo/):
 * determinism per seed, every line valid for the ingest format, the ground
 * truth's shape, and that each injected fault really has the signal and the
 * surrounding quiet its truth entry promises.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "midwatch/demo.h"

#define MINUTES 1440

/* One generated scenario: the JSON Lines split in place, and the truth. */
struct scen {
	char *out;
	size_t outlen;
	char *truth_text;
	char **lines;
	size_t nlines;
	json_t *truth;
};

/* Generates the scenario for seed into s; fails the test on error. */
static void
scen_load(struct scen *s, unsigned long seed)
{
	FILE *out, *truth;
	size_t truthlen, cap = 0;
	char *cause = NULL, *p, *nl;
	json_error_t err;

	memset(s, 0, sizeof *s);
	out = open_memstream(&s->out, &s->outlen);
	truth = open_memstream(&s->truth_text, &truthlen);
	assert_non_null(out);
	assert_non_null(truth);
	if (demo_generate(out, truth, seed, &cause) != 0)
		fail_msg("demo_generate: %s", cause ? cause : "?");
	fclose(out);
	fclose(truth);
	s->truth = json_loads(s->truth_text, 0, &err);
	if (s->truth == NULL)
		fail_msg("truth: %s", err.text);
	for (p = s->out; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (s->nlines == cap) {
			cap = cap ? cap * 2 : 1024;
			s->lines = realloc(s->lines, cap * sizeof *s->lines);
			assert_non_null(s->lines);
		}
		s->lines[s->nlines++] = p;
	}
}

/* Releases what scen_load allocated. */
static void
scen_free(struct scen *s)
{
	free(s->out);
	free(s->truth_text);
	free(s->lines);
	json_decref(s->truth);
}

#define NCACHED 6
static struct scen cache[NCACHED + 1];
static int cached[NCACHED + 1];

/* Returns the scenario of seed 1..NCACHED, generated once for all tests. */
static const struct scen *
scen_get(unsigned long seed)
{
	assert_true(seed >= 1 && seed <= NCACHED);
	if (!cached[seed]) {
		scen_load(&cache[seed], seed);
		cached[seed] = 1;
	}
	return &cache[seed];
}

/* Frees the cached scenarios after the last test. */
static int
scen_teardown(void **state)
{
	unsigned long seed;

	(void)state;
	for (seed = 1; seed <= NCACHED; seed++)
		if (cached[seed])
			scen_free(&cache[seed]);
	return 0;
}

/* Returns the minute of an RFC 3339 time relative to 2026-11-16T00:00Z. */
static int
ts_min(const char *ts)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;

	if (ts == NULL || strlen(ts) != 20 || sscanf(ts,
	    "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &sec) != 6)
		fail_msg("bad timestamp %s", ts ? ts : "(null)");
	assert_int_equal(y, 2026);
	assert_int_equal(mo, 11);
	return (d - 16) * MINUTES + h * 60 + mi;
}

/* Returns the string member key of o (NULL when absent). */
static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Returns the truth entry for a fault name. */
static json_t *
truth_for(const struct scen *s, const char *fault)
{
	size_t i;
	json_t *t;

	json_array_foreach(s->truth, i, t)
		if (strcmp(str(t, "fault"), fault) == 0)
			return t;
	fail_msg("no truth entry for %s", fault);
	return NULL;
}

/* Fills v[MINUTES] with one metric series (NaN-free: -1 where absent). */
static void
series(const struct scen *s, const char *svc, const char *metric, double *v)
{
	char needle[128];
	json_t *o;
	size_t i;
	int m;

	snprintf(needle, sizeof needle, "\"service\":\"%s\",\"metric\":\"%s\"",
	    svc, metric);
	for (m = 0; m < MINUTES; m++)
		v[m] = -1;
	for (i = 0; i < s->nlines; i++) {
		if (strncmp(s->lines[i], "{\"kind\":\"metric\"", 16) != 0 ||
		    strstr(s->lines[i], needle) == NULL)
			continue;
		o = json_loads(s->lines[i], 0, NULL);
		assert_non_null(o);
		m = ts_min(str(o, "ts"));
		assert_true(m >= 0 && m < MINUTES);
		v[m] = json_number_value(json_object_get(o, "value"));
		json_decref(o);
	}
}

/* Compares doubles for qsort. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Returns the median of v[from, to). */
static double
median(const double *v, int from, int to)
{
	double tmp[MINUTES];
	int i, n = 0;

	for (i = from; i < to; i++) {
		assert_true(v[i] >= 0);
		tmp[n++] = v[i];
	}
	assert_true(n > 0);
	qsort(tmp, (size_t)n, sizeof tmp[0], cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* Returns how far a series moved: its median in [on, end) over its median
 * in the 20 minutes from back minutes before onset. */
static double
rise_from(const struct scen *s, const char *svc, const char *metric, int on,
    int end, int back)
{
	double v[MINUTES];

	series(s, svc, metric, v);
	return median(v, on, end) / median(v, on - back, on - back + 20);
}

/* Returns how far a series moved against its level 2 h before onset. */
static double
rise(const struct scen *s, const char *svc, const char *metric, int on, int end)
{
	return rise_from(s, svc, metric, on, end, 120);
}

/* ------------------------------------------------------------------ */

/* The same seed gives byte-identical output and truth. */
static void
test_deterministic(void **state)
{
	struct scen a, b;

	(void)state;
	scen_load(&a, 42);
	scen_load(&b, 42);
	assert_int_equal(a.outlen, b.outlen);
	assert_memory_equal(a.out, b.out, a.outlen);
	assert_string_equal(a.truth_text, b.truth_text);
	scen_free(&a);
	scen_free(&b);
}

/* Different seeds give different days. */
static void
test_seeds_differ(void **state)
{
	const struct scen *a = scen_get(1), *b = scen_get(2);

	(void)state;
	assert_true(a->outlen != b->outlen ||
	    memcmp(a->out, b->out, a->outlen) != 0);
	assert_true(strcmp(a->truth_text, b->truth_text) != 0);
}

/* Kinds in output order; everything from "metric" on is telemetry. */
static const struct kind_spec {
	const char *kind;
	const char *required[6];
	int section;
} kinds[] = {
	{ "service", { "service" }, 0 },
	{ "dependency", { "from", "to" }, 1 },
	{ "commit", { "sha", "repo", "message", "authored_at", "files" }, 2 },
	{ "deploy", { "id", "service", "started_at" }, 3 },
	{ "config_change", { "service", "detected_at", "change_kind",
	    "resource_name", "diff" }, 4 },
	{ "maintenance", { "service", "starts_at", "ends_at" }, 5 },
	{ "metric", { "ts", "service", "metric", "value" }, 6 },
	{ "error", { "ts", "service", "message" }, 6 },
	{ "health", { "ts", "service", "status" }, 6 },
	{ "funnel", { "ts", "funnel", "steps" }, 6 },
	{ "alert", { "ts", "fingerprint", "status", "labels" }, 6 },
};

/* Checks the kind-specific value shapes of one line. */
static void
check_values(const json_t *o, const char *kind)
{
	const char *v;
	json_t *a, *e;
	size_t i;

	if (strcmp(kind, "metric") == 0)
		assert_true(json_is_number(json_object_get(o, "value")));
	else if (strcmp(kind, "health") == 0) {
		v = str(o, "status");
		assert_true(strcmp(v, "healthy") == 0 ||
		    strcmp(v, "degraded") == 0 || strcmp(v, "down") == 0);
	} else if (strcmp(kind, "alert") == 0) {
		v = str(o, "status");
		assert_true(strcmp(v, "firing") == 0 || strcmp(v, "resolved") == 0);
		assert_true(json_is_object(json_object_get(o, "labels")));
	} else if (strcmp(kind, "dependency") == 0) {
		v = str(o, "dep_kind");
		assert_true(strcmp(v, "service") == 0 ||
		    strcmp(v, "database") == 0 || strcmp(v, "external") == 0);
	} else if (strcmp(kind, "config_change") == 0) {
		a = json_object_get(o, "diff");
		assert_true(json_is_array(a) && json_array_size(a) > 0);
		json_array_foreach(a, i, e) {
			assert_non_null(str(e, "field"));
			assert_non_null(str(e, "old_value"));
			assert_non_null(str(e, "new_value"));
		}
	} else if (strcmp(kind, "commit") == 0) {
		a = json_object_get(o, "files");
		assert_true(json_is_array(a) && json_array_size(a) > 0);
		json_array_foreach(a, i, e) {
			assert_non_null(str(e, "path"));
			assert_true(json_is_integer(json_object_get(e, "lines_added")));
			assert_true(json_is_integer(json_object_get(e, "lines_removed")));
		}
	} else if (strcmp(kind, "funnel") == 0) {
		a = json_object_get(o, "steps");
		assert_int_equal(json_array_size(a), 4);
		assert_string_equal(str(json_array_get(a, 0), "name"), "view_cart");
		assert_string_equal(str(json_array_get(a, 3), "name"),
		    "order_confirmed");
	}
}

/* Every line is an object of a known kind with its required fields, in
 * section order and, for telemetry, time order; the file stays small. */
static void
test_lines_valid(void **state)
{
	const struct scen *s;
	const struct kind_spec *k;
	const char *kind, *ts;
	json_error_t err;
	json_t *o;
	size_t i, j, r;
	int section = 0, last = -1, m, seen[sizeof kinds / sizeof kinds[0]];

	(void)state;
	memset(seen, 0, sizeof seen);
	s = scen_get(3);
	assert_true(s->outlen < 15u * 1024 * 1024);
	for (i = 0; i < s->nlines; i++) {
		o = json_loads(s->lines[i], 0, &err);
		if (o == NULL || !json_is_object(o))
			fail_msg("line %zu is not a JSON object: %s", i + 1, err.text);
		kind = str(o, "kind");
		assert_non_null(kind);
		k = NULL;
		for (j = 0; j < sizeof kinds / sizeof kinds[0]; j++)
			if (strcmp(kinds[j].kind, kind) == 0)
				k = &kinds[j];
		if (k == NULL)
			fail_msg("line %zu: unknown kind %s", i + 1, kind);
		seen[k - kinds]++;
		for (r = 0; r < 6 && k->required[r] != NULL; r++)
			if (json_object_get(o, k->required[r]) == NULL)
				fail_msg("line %zu (%s) lacks %s", i + 1, kind,
				    k->required[r]);
		check_values(o, kind);
		/* Sections in order, telemetry in time order. */
		assert_true(k->section >= section);
		section = k->section;
		if (section == 6) {
			ts = str(o, "ts");
			m = ts_min(ts) * 60 + atoi(ts + 17);
			assert_true(m >= last);
			last = m;
		}
		json_decref(o);
	}
	for (j = 0; j < sizeof kinds / sizeof kinds[0]; j++)
		if (seen[j] == 0)
			fail_msg("no %s line", kinds[j].kind);
	assert_true(seen[3] >= 12 && seen[3] <= 24);	/* deploys */
	assert_true(seen[4] >= 8);			/* config changes */
	assert_true(seen[0] >= 12);			/* services */
}

/* Seven truth entries with the expected types, inside 02:00-23:00, 25-60
 * minutes long and 2.5 h apart. */
static void
test_truth_shape(void **state)
{
	static const char *const want[][3] = {
		{ "bad_deploy", "release", "incident" },
		{ "config_timeout", "config", "incident" },
		{ "db_degradation", "db", "incident" },
		{ "traffic_surge", "traffic", "incident" },
		{ "external_outage", "dependency", "incident" },
		{ "flapping", "none", "none" },
		{ "maintenance", "none", "none" },
	};
	int on[7], end[7], i, j;
	unsigned long seed;
	const struct scen *s;
	json_t *t;

	(void)state;
	for (seed = 1; seed <= NCACHED; seed++) {
		s = scen_get(seed);
		assert_true(json_is_array(s->truth));
		assert_int_equal(json_array_size(s->truth), 7);
		for (i = 0; i < 7; i++) {
			t = json_array_get(s->truth, (size_t)i);
			assert_string_equal(str(t, "fault"), want[i][0]);
			assert_string_equal(str(t, "hypothesis_type"), want[i][1]);
			assert_string_equal(str(t, "expect"), want[i][2]);
			assert_non_null(str(t, "service"));
			assert_true(json_array_size(json_object_get(t,
			    "symptom_services")) > 0);
			on[i] = ts_min(str(t, "onset"));
			end[i] = ts_min(str(t, "end"));
			assert_true(on[i] >= 120 && end[i] <= 23 * 60);
			assert_true(end[i] - on[i] >= 25 && end[i] - on[i] <= 60);
		}
		/* Separate slots: 2.5 h from one fault's end to the next onset. */
		for (i = 0; i < 7; i++)
			for (j = 0; j < 7; j++)
				if (i != j && on[j] >= on[i])
					assert_true(on[j] - end[i] >= 150);
		assert_string_equal(str(truth_for(s, "external_outage"), "ref"),
		    "psp-gateway");
		assert_string_equal(str(truth_for(s, "db_degradation"), "service"),
		    "payments-db");
		assert_true(json_is_null(json_object_get(truth_for(s,
		    "traffic_surge"), "ref")));
	}
}

/* Replaces every token holding a digit with '#', like a fingerprinter. */
static void
normalise(const char *in, char *out, size_t len)
{
	size_t n = 0;
	const char *p = in, *q;
	int digit;

	while (*p != '\0' && n + 2 < len) {
		if (strchr(" :=()\"/,", *p) != NULL) {
			out[n++] = *p++;
			continue;
		}
		for (q = p, digit = 0; *q != '\0' && strchr(" :=()\"/,", *q) == NULL;
		    q++)
			digit |= *q >= '0' && *q <= '9';
		if (digit)
			out[n++] = '#';
		else
			while (p < q && n + 2 < len)
				out[n++] = *p++;
		p = q;
	}
	out[n] = '\0';
}

/* The bad deploy named by the truth exists on that service just before
 * onset, carries a risky commit, and brings a never-seen error message. */
static void
test_bad_deploy(void **state)
{
	char norm[256], fresh[256] = "";
	const char *svc, *ref;
	unsigned long seed;
	const struct scen *s;
	json_t *t, *o, *c, *deploy = NULL;
	size_t i, j, after = 0, before_seen;
	int on, end, m, risky = 0;

	(void)state;
	for (seed = 1; seed <= 4; seed++) {
		s = scen_get(seed);
		t = truth_for(s, "bad_deploy");
		svc = str(t, "service");
		ref = str(t, "ref");
		on = ts_min(str(t, "onset"));
		end = ts_min(str(t, "end"));
		deploy = NULL;
		risky = 0;
		for (i = 0; i < s->nlines && deploy == NULL; i++) {
			if (strncmp(s->lines[i], "{\"kind\":\"deploy\"", 16) != 0)
				continue;
			o = json_loads(s->lines[i], 0, NULL);
			if (strcmp(str(o, "id"), ref) == 0)
				deploy = o;
			else
				json_decref(o);
		}
		assert_non_null(deploy);
		assert_string_equal(str(deploy, "service"), svc);
		m = ts_min(str(deploy, "started_at"));
		assert_true(on - m >= 3 && on - m <= 8);
		/* One of its commits touches a risky file. */
		for (i = 0; i < s->nlines; i++) {
			if (strncmp(s->lines[i], "{\"kind\":\"commit\"", 16) != 0)
				continue;
			o = json_loads(s->lines[i], 0, NULL);
			json_array_foreach(json_object_get(deploy, "commits"), j, c)
				if (strcmp(json_string_value(c), str(o, "sha")) == 0 &&
				    (strstr(s->lines[i], "http_retry.go") != NULL ||
				    strstr(s->lines[i], "db/migrations/") != NULL))
					risky = 1;
			json_decref(o);
		}
		assert_true(risky);
		json_decref(deploy);

		/* A message never seen before onset repeats many times after. */
		after = 0;
		fresh[0] = '\0';
		for (i = 0; i < s->nlines; i++) {
			if (strncmp(s->lines[i], "{\"kind\":\"error\"", 15) != 0)
				continue;
			o = json_loads(s->lines[i], 0, NULL);
			m = ts_min(str(o, "ts"));
			if (strcmp(str(o, "service"), svc) == 0 && m >= on && m < end) {
				normalise(str(o, "message"), norm, sizeof norm);
				if (strstr(norm, "panic") || strstr(norm, "lock timeout")) {
					snprintf(fresh, sizeof fresh, "%s", norm);
					after++;
				}
			}
			json_decref(o);
		}
		assert_true(after >= 20);
		before_seen = 0;
		for (i = 0; i < s->nlines; i++) {
			if (strncmp(s->lines[i], "{\"kind\":\"error\"", 15) != 0)
				continue;
			o = json_loads(s->lines[i], 0, NULL);
			if (ts_min(str(o, "ts")) < on) {
				normalise(str(o, "message"), norm, sizeof norm);
				before_seen += strcmp(norm, fresh) == 0;
			}
			json_decref(o);
		}
		assert_int_equal(before_seen, 0);
	}
}

/* Each incident fault clearly moves its service's error ratio or latency. */
static void
test_incident_signals(void **state)
{
	unsigned long seed;
	const struct scen *s;
	json_t *t;
	size_t i;
	const char *svc, *fault;
	double err, lat;
	int on, end;

	(void)state;
	for (seed = 1; seed <= 4; seed++) {
		s = scen_get(seed);
		json_array_foreach(s->truth, i, t) {
			if (strcmp(str(t, "expect"), "incident") != 0)
				continue;
			fault = str(t, "fault");
			svc = str(t, "service");
			if (strcmp(fault, "external_outage") == 0)
				svc = "payments";
			on = ts_min(str(t, "onset"));
			end = ts_min(str(t, "end"));
			err = rise(s, svc, "error_ratio", on, end);
			lat = rise(s, svc, "latency_p99_ms", on, end);
			if (err < 5 && lat < 1.6)
				fail_msg("seed %lu %s on %s: error x%.2f latency x%.2f",
				    seed, fault, svc, err, lat);
			if (strcmp(fault, "traffic_surge") == 0) {
				/* Against the last half hour: the daily curve moves
				 * request_rate a lot in 2 h. */
				assert_true(rise_from(s, svc, "request_rate", on, end,
				    30) >= 2);
				assert_true(err < 3);
			}
			if (strcmp(fault, "db_degradation") == 0) {
				assert_true(lat >= 4);
				assert_true(rise(s, "payments", "error_ratio", on + 10,
				    end) >= 5);
			}
		}
	}
}

/* The flapping series flips and is never elevated 4 minutes running. */
static void
test_flapping(void **state)
{
	double v[MINUTES], base, peak, thr;
	unsigned long seed;
	const struct scen *s;
	json_t *t;
	int on, end, m, run, longest, elevated;

	(void)state;
	for (seed = 1; seed <= NCACHED; seed++) {
		s = scen_get(seed);
		t = truth_for(s, "flapping");
		on = ts_min(str(t, "onset"));
		end = ts_min(str(t, "end"));
		series(s, str(t, "service"), json_string_value(json_array_get(
		    json_object_get(t, "signal_metrics"), 0)), v);
		base = median(v, on - 30, on - 10);
		for (peak = 0, m = on; m < end; m++)
			peak = v[m] > peak ? v[m] : peak;
		thr = base + 0.5 * (peak - base);
		run = longest = elevated = 0;
		for (m = on - 30; m < end + 30; m++) {
			run = v[m] > thr ? run + 1 : 0;
			elevated += v[m] > thr;
			longest = run > longest ? run : longest;
		}
		assert_true(peak > 2 * base);
		assert_true(elevated >= 8);
		assert_true(longest <= 3);
	}
}

/* Returns the number of change lines (deploy/config_change) matching. */
static int
changes_in(const struct scen *s, const char *svc, int from, int to,
    const char *except)
{
	const char *line, *field;
	json_t *o;
	size_t i;
	int m, n = 0;

	for (i = 0; i < s->nlines; i++) {
		line = s->lines[i];
		if (strncmp(line, "{\"kind\":\"deploy\"", 16) == 0)
			field = "started_at";
		else if (strncmp(line, "{\"kind\":\"config_change\"", 23) == 0)
			field = "detected_at";
		else
			continue;
		o = json_loads(line, 0, NULL);
		m = ts_min(str(o, field));
		if (m >= from && m < to &&
		    (svc == NULL || strcmp(str(o, "service"), svc) == 0) &&
		    (except == NULL || strcmp(str(o, "id"), except) != 0))
			n++;
		json_decref(o);
	}
	return n;
}

/* No deploy or config change in the 3 h before a fault that could be
 * blamed on one, except the fault's own cause. */
static void
test_quiet_before(void **state)
{
	static const char *const db_svcs[] = { "payments-db", "payments",
	    "checkout" };
	unsigned long seed;
	const struct scen *s;
	json_t *t;
	const char *svc;
	int on, i;

	(void)state;
	for (seed = 1; seed <= NCACHED; seed++) {
		s = scen_get(seed);
		t = truth_for(s, "external_outage");
		on = ts_min(str(t, "onset"));
		assert_int_equal(changes_in(s, NULL, on - 180, on + 1, NULL), 0);

		t = truth_for(s, "db_degradation");
		on = ts_min(str(t, "onset"));
		for (i = 0; i < 3; i++)
			assert_int_equal(changes_in(s, db_svcs[i], on - 180, on + 1,
			    NULL), 0);

		t = truth_for(s, "config_timeout");
		on = ts_min(str(t, "onset"));
		assert_int_equal(changes_in(s, str(t, "service"), on - 180, on + 1,
		    str(t, "ref")), 0);
		assert_int_equal(changes_in(s, str(t, "service"), on - 6, on - 1,
		    NULL), 1);

		t = truth_for(s, "bad_deploy");
		on = ts_min(str(t, "onset"));
		assert_int_equal(changes_in(s, str(t, "service"), on - 180, on + 1,
		    str(t, "ref")), 0);

		/* The surge's service had one harmless deploy 10-25 min before. */
		t = truth_for(s, "traffic_surge");
		on = ts_min(str(t, "onset"));
		svc = str(t, "service");
		assert_int_equal(changes_in(s, svc, on - 25, on - 9, NULL), 1);
		assert_int_equal(changes_in(s, svc, on - 180, on + 1, NULL), 1);
	}
}

/* The maintenance window covers its anomaly; the outage drops conversion. */
static void
test_maintenance_and_funnel(void **state)
{
	const struct scen *s;
	json_t *t, *o, *steps;
	size_t i;
	int on, end, m, found = 0;
	double before = 0, during = 0, r;
	int nb = 0, nd = 0;

	(void)state;
	s = scen_get(3);
	t = truth_for(s, "maintenance");
	on = ts_min(str(t, "onset"));
	end = ts_min(str(t, "end"));
	for (i = 0; i < s->nlines; i++) {
		if (strncmp(s->lines[i], "{\"kind\":\"maintenance\"", 21) != 0)
			continue;
		o = json_loads(s->lines[i], 0, NULL);
		if (strcmp(str(o, "service"), str(t, "service")) == 0 &&
		    ts_min(str(o, "starts_at")) <= on &&
		    ts_min(str(o, "ends_at")) >= end)
			found = 1;
		json_decref(o);
	}
	assert_true(found);

	/* payment_submitted -> order_confirmed collapses in the outage. */
	t = truth_for(s, "external_outage");
	on = ts_min(str(t, "onset"));
	end = ts_min(str(t, "end"));
	for (i = 0; i < s->nlines; i++) {
		if (strncmp(s->lines[i], "{\"kind\":\"funnel\"", 16) != 0)
			continue;
		o = json_loads(s->lines[i], 0, NULL);
		m = ts_min(str(o, "ts"));
		steps = json_object_get(o, "steps");
		r = json_number_value(json_object_get(json_array_get(steps, 3),
		    "count")) / json_number_value(json_object_get(
		    json_array_get(steps, 2), "count"));
		if (m >= on - 120 && m < on - 60) {
			before += r;
			nb++;
		} else if (m >= on + 5 && m < end - 5) {
			during += r;
			nd++;
		}
		json_decref(o);
	}
	assert_true(nb > 0 && nd > 0);
	assert_true(during / nd < 0.8 * (before / nb));
}

/* A NULL truth stream is allowed. */
static void
test_null_truth(void **state)
{
	char *buf = NULL, *cause = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(demo_generate(out, NULL, 5, &cause), 0);
	fclose(out);
	assert_true(len > 1000000);
	assert_null(cause);
	free(buf);
}

/* Runs the demo generator's tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_seeds_differ),
		cmocka_unit_test(test_lines_valid),
		cmocka_unit_test(test_truth_shape),
		cmocka_unit_test(test_bad_deploy),
		cmocka_unit_test(test_incident_signals),
		cmocka_unit_test(test_flapping),
		cmocka_unit_test(test_quiet_before),
		cmocka_unit_test(test_maintenance_and_funnel),
		cmocka_unit_test(test_null_truth),
	};

	return cmocka_run_group_tests(tests, NULL, scen_teardown);
}
