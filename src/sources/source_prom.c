/*
 * source_prom.c - pulling metrics from Prometheus (or Thanos, Mimir, any
 * server of Prometheus' HTTP API): for each metric meaning the detector
 * knows, one /api/v1/query_range over the window after the cursor, with the
 * aggregation written in PromQL (defaults for the Prometheus client
 * libraries and cAdvisor, each replaceable per source), and a label mapped
 * to midwatch's services.  Each point becomes a `metric` record of the
 * ingest driver, so it is validated and stored like a JSON Lines point.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/ingest.h"
#include "midwatch/jsonx.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "sources_int.h"

const struct setting src_prom_settings[] = {
	{ "query.request_rate", SET_TEXT, -1, 0, 4096,
	    "PromQL of requests per second per service" },
	{ "query.error_ratio", SET_TEXT, -1, 0, 4096,
	    "PromQL of failed / all requests (0..1)" },
	{ "query.latency_p99_ms", SET_TEXT, -1, 0, 4096,
	    "PromQL of the 99th percentile latency in ms" },
	{ "query.cpu_utilization", SET_TEXT, -1, 0, 4096,
	    "PromQL of CPU used / limit (0..1)" },
	{ "query.memory_utilization", SET_TEXT, -1, 0, 4096,
	    "PromQL of memory used / limit (0..1)" },
	{ "query.restarts", SET_TEXT, -1, 0, 4096,
	    "PromQL of restarts per interval" },
	{ "service-label", SET_LABEL, -1, 0, 0,
	    "label naming the service (default: service, then job)" },
	{ "step", SET_DURATION, 60, 1, 3600, "resolution of the pulled series" },
	{ "rate-window", SET_DURATION, 300, 1, 86400,
	    "range of rate() in the default queries" },
	{ "lookback", SET_DURATION, 3600, 60, 30 * 86400,
	    "how far the first pull reaches back" },
	{ "delay", SET_DURATION, 30, 0, 3600,
	    "the newest step pulled is this old (late scrapes)" },
	{ "max-window", SET_DURATION, 86400, 60, 30 * 86400,
	    "most data time one run pulls (catching up)" },
	{ "timeout", SET_DURATION, 10, 1, 300, "longest one query may take" },
	{ "org-id", SET_TEXT, -1, 0, 256,
	    "X-Scope-OrgID header (Mimir, Cortex, Thanos tenants)" },
	{ "user", SET_TEXT, -1, 0, 256,
	    "basic-auth user (the secret is the password)" },
	{ "key-env", SET_ENV, -1, 0, 0,
	    "variable holding the bearer token or password" },
	{ "key-file", SET_PATH, -1, 0, 0,
	    "file holding the bearer token or password (chmod 600)" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char *const meaning_metric[SRC_M_COUNT] = {
	"request_rate", "error_ratio", "latency_p99_ms", "cpu_utilization",
	"memory_utilization", "restarts"
};

/*
 * The default queries.  @BY@ is the service label(s), @LABEL@ the one label
 * a rewritten series gets, @RANGE@ the rate window.  Request rate, errors
 * and latency follow the client libraries' http_requests_total (code label)
 * and http_request_duration_seconds histogram; CPU is the process' own
 * (process_cpu_seconds_total: cores used, so 0..1 for one core); memory is
 * cAdvisor's working set over the container's limit, its container named as
 * the service; restarts are changes of process_start_time_seconds.
 */
static const char *const prom_defaults[SRC_M_COUNT] = {
	"sum by (@BY@) (rate(http_requests_total[@RANGE@]))",
	"(sum by (@BY@) (rate(http_requests_total{code=~\"5..\"}[@RANGE@]))"
	" or 0 * sum by (@BY@) (rate(http_requests_total[@RANGE@])))"
	" / sum by (@BY@) (rate(http_requests_total[@RANGE@]))",
	"1000 * histogram_quantile(0.99, sum by (@BY@, le)"
	" (rate(http_request_duration_seconds_bucket[@RANGE@])))",
	"avg by (@BY@) (rate(process_cpu_seconds_total[@RANGE@]))",
	"max by (@BY@) (label_replace(container_memory_working_set_bytes"
	"{container!=\"\"} / (container_spec_memory_limit_bytes{container!=\"\"}"
	" > 0), \"@LABEL@\", \"$1\", \"container\", \"(.+)\"))",
	"sum by (@BY@) (changes(process_start_time_seconds[@RANGE@]))"
};

const char *
sources_meaning_metric(int m)
{
	return m >= 0 && m < SRC_M_COUNT ? meaning_metric[m] : NULL;
}

/* Appends tmpl with @BY@, @LABEL@ and @RANGE@ replaced. */
static void
expand(struct buf *b, const char *tmpl, const char *by, const char *label,
    const char *range)
{
	const char *p = tmpl;

	while (*p != '\0') {
		if (strncmp(p, "@BY@", 4) == 0) {
			buf_adds(b, by);
			p += 4;
		} else if (strncmp(p, "@LABEL@", 7) == 0) {
			buf_adds(b, label);
			p += 7;
		} else if (strncmp(p, "@RANGE@", 7) == 0) {
			buf_adds(b, range);
			p += 7;
		} else
			buf_addc(b, *p++);
	}
}

/* The PromQL of a meaning (see sources.h). */
char *
sources_prom_query(json_t *settings, int m)
{
	char key[64], range[32];
	const char *q, *label;
	struct buf b;

	if (m < 0 || m >= SRC_M_COUNT)
		return xstrdup("");
	snprintf(key, sizeof key, "query.%s", meaning_metric[m]);
	if ((q = jsonx_str(settings, key, 0, NULL)) != NULL)
		return xstrdup(q);
	label = jsonx_str(settings, "service-label", 0, NULL);
	snprintf(range, sizeof range, "%lds", setting_get(src_prom_settings,
	    settings, "rate-window"));
	buf_init(&b);
	expand(&b, prom_defaults[m], label != NULL ? label : "service, job",
	    label != NULL ? label : "service", range);
	return buf_steal(&b);
}

/* The service of a series (see sources.h). */
char *
sources_prom_service(json_t *metric, const char *label)
{
	static const char *const order[] = { "service", "job", NULL };
	const char *v, *inst, *end;
	int i;

	if (label != NULL) {
		v = jsonx_str(metric, label, 0, NULL);
		return v != NULL && *v != '\0' ? xstrdup(v) : NULL;
	}
	for (i = 0; order[i] != NULL; i++) {
		v = jsonx_str(metric, order[i], 0, NULL);
		if (v != NULL && *v != '\0')
			return xstrdup(v);
	}
	inst = jsonx_str(metric, "instance", 0, NULL);
	if (inst == NULL || *inst == '\0')
		return NULL;
	/* "[::1]:9090" names host ::1; "[]:80" names no host: the whole
	 * label then, never an empty service. */
	if (*inst == '[' && (end = strchr(inst, ']')) != NULL)
		return end > inst + 1 ?
		    xstrndup(inst + 1, (size_t)(end - inst - 1)) : xstrdup(inst);
	end = strrchr(inst, ':');
	return end != NULL && end > inst ? xstrndup(inst, (size_t)(end - inst)) :
	    xstrdup(inst);
}

/* A string of the answer quoted in a reason (ingest_quote). */
static char *
prom_quote(const char *s, size_t max)
{
	return ingest_quote(s, strlen(s), max);
}

/* Checks an API answer (see sources.h). */
json_t *
sources_prom_result(long status, const char *body, size_t len, char **cause)
{
	json_t *j, *data, *res;
	const char *st, *type, *etype, *err;
	char *q1, *q2;

	j = json_loadb(body, len, 0, NULL);
	st = jsonx_str(j, "status", 0, NULL);
	if (st != NULL && strcmp(st, "error") == 0) {
		/* the server's words, quoted: one line of valid UTF-8 (it is
		 * stored as the source's last error), no secret */
		etype = jsonx_str(j, "errorType", 0, NULL);
		err = jsonx_str(j, "error", 0, NULL);
		q1 = prom_quote(etype != NULL ? etype : "error", 64);
		q2 = prom_quote(err != NULL ? err : "?", 300);
		*cause = xasprintf("HTTP %ld: %s: %s", status, q1, q2);
		free(q1);
		free(q2);
		json_decref(j);
		return NULL;
	}
	if (status != 200) {
		*cause = xasprintf("HTTP %ld", status);
		json_decref(j);
		return NULL;
	}
	if (!json_is_object(j) || st == NULL) {
		*cause = xstrdup("the answer is not the JSON of the Prometheus "
		    "HTTP API (is the URL a Prometheus server?)");
		json_decref(j);
		return NULL;
	}
	if (strcmp(st, "success") != 0) {
		q1 = prom_quote(st, 32);
		*cause = xasprintf("unexpected status \"%s\"", q1);
		free(q1);
		json_decref(j);
		return NULL;
	}
	data = json_object_get(j, "data");
	type = jsonx_str(data, "resultType", 0, NULL);
	res = json_object_get(data, "result");
	if (type == NULL || !json_is_array(res) || (strcmp(type, "matrix") != 0 &&
	    strcmp(type, "vector") != 0)) {
		q1 = prom_quote(type != NULL ? type : "none", 32);
		*cause = xasprintf("expected a matrix or vector result, got %s", q1);
		free(q1);
		json_decref(j);
		return NULL;
	}
	json_incref(res);
	json_decref(j);
	return res;
}

/* The window of the next pull (see sources.h). */
int
sources_prom_window(double cursor_end, double now, double step,
    double lookback, double delay, double max_window, double *start,
    double *end)
{
	double s, e, cap;

	if (step <= 0)
		return -1;
	e = floor((now - delay) / step) * step;
	if (cursor_end > 0)
		s = floor(cursor_end / step) * step + step;
	else
		s = floor((e - lookback) / step) * step;
	cap = (SOURCES_PROM_MAX_STEPS - 1) * step;
	if (max_window < cap)
		cap = floor(max_window / step) * step;
	if (e - s > cap)
		e = s + cap;
	if (e < s)
		return -1;
	*start = s;
	*end = e;
	return 0;
}

/* Labels of a series kept on its points: all but __name__ and the label(s)
 * naming the service.  New reference. */
static json_t *
series_labels(json_t *metric, const char *label)
{
	json_t *l = json_object(), *v;
	const char *k;

	json_object_foreach(metric, k, v) {
		if (strcmp(k, "__name__") == 0 || (label != NULL ?
		    strcmp(k, label) == 0 : (strcmp(k, "service") == 0 ||
		    strcmp(k, "job") == 0)))
			continue;
		json_object_set(l, k, v);
	}
	return l;
}

/* The metric line of one [time, "value"] pair (see sources.h). */
json_t *
sources_prom_point(json_t *pair, const char *service, const char *metric_name,
    json_t *labels)
{
	const char *sval = json_string_value(json_array_get(pair, 1));
	json_t *tv = json_array_get(pair, 0);
	char ts[40], *end;
	double t, x;

	if (sval == NULL || !json_is_number(tv))
		return NULL;
	t = json_number_value(tv);
	x = strtod(sval, &end);
	if (end == sval || *end != '\0' || !isfinite(x) || !isfinite(t))
		return NULL;	/* NaN of 0/0, Inf: no point */
	ingest_kinds_ts(t, ts, sizeof ts);
	/* NULL for a service name that is not UTF-8 */
	return json_pack("{s:s, s:s, s:s, s:s, s:f, s:O}", "kind", "metric",
	    "service", service, "metric", metric_name, "ts", ts, "value", x,
	    "labels", labels);
}

/* Feeds one series of meaning m to the driver; *item numbers the series. */
static int
feed_series(struct ingest *in, json_t *series, const char *metric_name,
    const char *label, long long *item, struct src_pulled *p, char **cause)
{
	json_t *metric = json_object_get(series, "metric"), *values, *v, *obj,
	    *labels;
	char *service, *dump;
	size_t i;
	int rc = 0;

	(*item)++;
	service = sources_prom_service(metric, label);
	if (service == NULL) {
		dump = json_dumps(metric, JSON_COMPACT);
		rc = ingest_reject(in, *item, dump != NULL ? dump : "{}",
		    xasprintf("%s: series names no service (label %s)",
		    metric_name, label != NULL ? label : "service, job or "
		    "instance"), cause);
		free(dump);
		return rc;
	}
	values = json_object_get(series, "values");
	if (values == NULL && (v = json_object_get(series, "value")) != NULL) {
		values = json_array();
		json_array_append(values, v);
	} else
		json_incref(values);
	labels = series_labels(metric, label);
	json_array_foreach(values, i, v) {
		if ((obj = sources_prom_point(v, service, metric_name,
		    labels)) == NULL)
			continue;
		rc = ingest_object(in, obj, *item, cause);
		json_decref(obj);
		if (rc != 0)
			break;
		p->points++;
	}
	json_decref(labels);
	json_decref(values);
	free(service);
	return rc;
}

/* Payload of a failed query: the request and the start of the answer,
 * redacted (src_answer_payload). */
static char *
fail_payload(const char *query, const struct net_response *resp)
{
	char *head = xasprintf("query: %s", query), *payload;

	payload = src_answer_payload(head, resp != NULL ? resp->body : NULL);
	free(head);
	return payload;
}

/* Pulls a Prometheus source (see sources_int.h). */
int
src_prom_pull(struct src *s, struct ingest *in, double now, json_t **cursor,
    struct src_pulled *p, struct src_fail *f, char **cause)
{
	const struct setting *tab = src_prom_settings;
	const char *label = jsonx_str(s->settings, "service-label", 0, NULL);
	const char *cend = jsonx_str(s->cursor, "end", 0, NULL);
	struct net_response resp;
	char a[40], b[40], st[32], *q, *why = NULL, *payload;
	double step, lookback, delay, maxwin, start, end, cur = 0;
	long long item = 0;
	json_t *res, *series;
	size_t i;
	int m, rc = 0, failed = 0;

	*cursor = NULL;
	step = setting_get(tab, s->settings, "step");
	lookback = setting_get(tab, s->settings, "lookback");
	delay = setting_get(tab, s->settings, "delay");
	maxwin = setting_get(tab, s->settings, "max-window");
	if (cend != NULL && timefmt_parse(cend, &cur) != 0)
		cur = 0;
	if (sources_prom_window(cur, now, step, lookback, delay, maxwin,
	    &start, &end) != 0)
		return 2;	/* not a step since the cursor: nothing due */
	snprintf(a, sizeof a, "%.3f", start);
	snprintf(b, sizeof b, "%.3f", end);
	snprintf(st, sizeof st, "%.0f", step);
	for (m = 0; m < SRC_M_COUNT && rc == 0; m++) {
		const char *params[] = { "query", NULL, "start", a, "end", b,
		    "step", st, NULL };

		q = sources_prom_query(s->settings, m);
		if (*q == '\0') {
			free(q);
			continue;	/* switched off */
		}
		params[1] = q;
		if (src_get(s, "/api/v1/query_range", params, &resp, f) != 0) {
			free(q);
			return 1;	/* unreachable: the next meanings would be too */
		}
		res = sources_prom_result(resp.status, resp.body, resp.body_len,
		    &why);
		if (res == NULL) {
			/* the first failure says most (the next ones often
			 * repeat it); the other meanings are still pulled */
			if (!failed) {
				payload = fail_payload(q, &resp);
				src_failf(f, payload, "%s: %s", meaning_metric[m],
				    why);
				free(payload);
			}
			free(why);
			why = NULL;
			failed = 1;
		} else {
			json_array_foreach(res, i, series) {
				rc = feed_series(in, series, meaning_metric[m], label,
				    &item, p, cause);
				if (rc != 0)
					break;
			}
			json_decref(res);
		}
		net_response_free(&resp);
		free(q);
	}
	if (rc != 0)
		return -1;
	if (failed)
		return 1;
	timefmt_format(end, b, sizeof b);
	*cursor = json_pack("{s:s}", "end", b);
	return 0;
}

/* Instant queries of every meaning (see sources_int.h). */
int
src_prom_test(struct src *s, char **report)
{
	const char *label = jsonx_str(s->settings, "service-label", 0, NULL);
	struct src_fail f = { NULL, NULL };
	struct net_response resp;
	struct buf b;
	char *q, *why = NULL, *svc;
	json_t *res, *series;
	size_t i, nsvc;
	int m, rc = 0;

	buf_init(&b);
	for (m = 0; m < SRC_M_COUNT; m++) {
		const char *params[] = { "query", NULL, NULL };

		q = sources_prom_query(s->settings, m);
		if (*q == '\0') {
			buf_printf(&b, "%s%s off", m ? ", " : "", meaning_metric[m]);
			free(q);
			continue;
		}
		params[1] = q;
		free(f.reason);
		free(f.payload);
		f.reason = f.payload = NULL;
		if (src_get(s, "/api/v1/query", params, &resp, &f) != 0) {
			buf_free(&b);
			*report = f.reason;
			free(f.payload);
			free(q);
			return 1;
		}
		res = sources_prom_result(resp.status, resp.body, resp.body_len,
		    &why);
		if (res == NULL) {
			buf_printf(&b, "%s%s failed: %s", m ? ", " : "",
			    meaning_metric[m], why);
			free(why);
			why = NULL;
			rc = 1;
		} else {
			nsvc = 0;
			json_array_foreach(res, i, series) {
				svc = sources_prom_service(json_object_get(series,
				    "metric"), label);
				nsvc += svc != NULL;
				free(svc);
			}
			buf_printf(&b, "%s%s %zu series", m ? ", " : "",
			    meaning_metric[m], json_array_size(res));
			if (nsvc < json_array_size(res))
				buf_printf(&b, " (%zu without a service label)",
				    json_array_size(res) - nsvc);
			json_decref(res);
		}
		net_response_free(&resp);
		free(q);
	}
	*report = buf_steal(&b);
	return rc;
}
