/*
 * sources.h - pulled sources (issue 9): Prometheus (or Thanos, Mimir: the
 * same HTTP API) and Alertmanager, kept as rows of midwatch.ingest_sources
 * and pulled before every pipeline run.
 *
 * Each pull goes through src/net (one timeout, one backoff policy) and
 * feeds the ingest driver, so pulled rows are validated, redacted and
 * stored exactly as JSON Lines are.  A failing source (refused, timed out,
 * HTTP 4xx/5xx, a body that is not the expected JSON, "status":"error")
 * gets an ingest_errors row naming it, status 'error', one more retry and
 * a next_retry_at with exponential backoff; the other sources and the run
 * go on.  A Prometheus source's cursor moves only after the rows of its
 * window are committed.  Secrets are named by settings (key-env, key-file),
 * read when a pull needs them, and never stored or printed.
 */
#ifndef MIDWATCH_SOURCES_H
#define MIDWATCH_SOURCES_H

#include <stdio.h>
#include <jansson.h>

struct db;

/* Backoff of a failing source: 30 s doubling up to 30 min, jittered. */
#define SOURCES_RETRY_BASE_S 30.0
#define SOURCES_RETRY_CAP_S 1800.0
/* Prometheus answers at most 11,000 points per series: a query covers at
 * most this many steps, longer windows are cut into several queries. */
#define SOURCES_PROM_MAX_STEPS 10000

/* The metric meanings a Prometheus source pulls, in this order. */
enum sources_meaning {
	SRC_M_REQUEST_RATE,
	SRC_M_ERROR_RATIO,
	SRC_M_LATENCY_P99,
	SRC_M_CPU,
	SRC_M_MEMORY,
	SRC_M_RESTARTS,
	SRC_M_COUNT
};

/* The metric_name of meaning m ("request_rate", ...). */
const char *sources_meaning_metric(int m);
/*
 * The PromQL of meaning m for a source whose settings are `settings`: the
 * query.<metric> setting when there is one, else the default written for
 * the service label of the settings (service-label, default "service, job").
 * Malloc'd; an empty string when the meaning is switched off (set to "").
 */
char *sources_prom_query(json_t *settings, int m);

/* 1 when kind is one of prometheus, alertmanager. */
int sources_kind_valid(const char *kind);
/* 1 when name follows the rule of channel names (letters, digits, _ . -,
 * starting with a letter or digit, at most 64). */
int sources_name_valid(const char *name);
/*
 * Parses one --set KEY=VALUE of a source of kind into settings (durations
 * stored in seconds), refusing unknown keys, keys that would hold a secret
 * and bad values with a reason naming the key.  0 or -1 with *cause.
 */
int sources_setting_parse(const char *kind, json_t *settings, const char *kv,
    char **cause);
/* Prints the settings a kind accepts (for --help). */
void sources_settings_help(FILE *f);

/*
 * Adds a source.  Returns 0, 1 when a source of that name exists, -1 with
 * *cause.  Written with an audit entry naming actor.
 */
int sources_add(struct db *db, long long project_id, const char *kind,
    const char *name, const char *url, json_t *settings, const char *actor,
    char **cause);
/* Removes a source by name (its dead letters stay, unlinked): 0, 1 when
 * there is none, -1 with *cause. */
int sources_remove(struct db *db, long long project_id, const char *name,
    const char *actor, char **cause);
/*
 * The project's pulled sources, by name: an array of {name, kind, url,
 * settings, cursor, status, retries, last_ok_at, last_attempt_at,
 * next_retry_at, last_error, errors (unresolved dead letters)}; NULL with
 * *cause.  When name is not NULL only that one (an empty array if none).
 */
json_t *sources_list(struct db *db, long long project_id, const char *name,
    char **cause);
/*
 * Tries a source without storing anything: for Prometheus one instant
 * query per meaning (how many series each names, and how many lack the
 * service label), for Alertmanager its status (version) and alerts.  0 ok,
 * 1 failed (*report says why), 2 no such source, -1 with *cause.  *report
 * is malloc'd.
 */
int sources_test(struct db *db, long long project_id, const char *name,
    char **report, char **cause);

/* What one sources_pull did. */
struct sources_counts {
	int pulled;		/* sources pulled */
	int failed;		/* sources whose pull failed */
	int waiting;		/* failing sources not due again yet */
	int idle;		/* sources with nothing new yet (Prometheus:
				 * not a whole step since the last pull) */
	long long points;	/* metric points new in the database */
	long long alerts;	/* external alert events new or changed */
	long long resolved;	/* alerts resolved because the source no
				 * longer reports them */
	long long rejected;	/* rows dead-lettered */
	char *first_error;	/* "NAME: reason" of the first failure, or NULL */
};

/*
 * Pulls every source of the project that is due (healthy, or failing with
 * next_retry_at passed; all of them when force), each in isolation.  now:
 * the wall clock (epoch seconds).  Returns 0 (failures of sources are in
 * *c), -1 with *cause only when the database itself failed.
 */
int sources_pull(struct db *db, long long project_id, double now, int force,
    struct sources_counts *c, char **cause);
void sources_counts_free(struct sources_counts *c);

/* ---- silences in Alertmanager (source_silence.c, sql/014) ---------------- */

#define SOURCES_SILENCE_ATTEMPTS 10

struct sources_silence_counts {
	int created;		/* silences created in an Alertmanager */
	int expired;		/* silences expired there */
	int retrying;		/* failed, to be retried */
	int dead;		/* given up */
	char *first_error;	/* malloc'd, or NULL */
};

/*
 * Creates the silences that acknowledging or silencing Alertmanager alerts
 * queued, and expires those their resolution ended (each a POST or DELETE
 * to the alert's source; failures retried with backoff).  0, or -1 with
 * *cause when the database failed.  Free c->first_error.
 */
int sources_push_silences(struct db *db, long long project_id,
    struct sources_silence_counts *c, char **cause);

/* ---- pure helpers (unit-tested) ------------------------------------------ */

/*
 * Checks a Prometheus API response (status, then JSON body) and returns its
 * data.result (a new reference) when it is a matrix or vector; NULL with
 * *cause saying what was wrong: the HTTP status, "not JSON", the API's
 * errorType and error, or an unexpected resultType.
 */
json_t *sources_prom_result(long status, const char *body, size_t len,
    char **cause);
/*
 * The service a Prometheus series belongs to: the value of label (when not
 * NULL) else of `service`, else `job`, else the host of `instance`.
 * Malloc'd, or NULL when the series names none.
 */
char *sources_prom_service(json_t *metric, const char *label);
/*
 * The `metric` line (a new object for ingest) of one [time, "value"] pair
 * of a series' values: service, metric_name, the time as canonical text,
 * the value parsed from its text, labels (an object, borrowed).  NULL when
 * the pair is not a time and a number's text, or the number is NaN or
 * infinite (Prometheus' 0/0): no point.
 */
json_t *sources_prom_point(json_t *pair, const char *service,
    const char *metric_name, json_t *labels);
/* Window [start, end] of the next pull: from the cursor's end (or now -
 * lookback), at most SOURCES_PROM_MAX_STEPS steps and max_window seconds,
 * to now - delay, both aligned down to step.  0 when there is a window,
 * -1 when nothing is due yet. */
int sources_prom_window(double cursor_end, double now, double step,
    double lookback, double delay, double max_window, double *start,
    double *end);
/*
 * Alertmanager's answers (source_am.c, source_silence.c), checked as a
 * pull or a push reads them; each NULL with *why (a one-line UTF-8
 * reason naming the request, malloc'd) when the answer is not what was
 * asked.  The alerts of GET /api/v2/alerts (a new reference to the array,
 * only with HTTP 200); the version of GET /api/v2/status (malloc'd, one
 * line, "(version unknown)" when it names none); the silence id of POST
 * /api/v2/silences (malloc'd: 1 to 128 bytes of letters, digits, '-',
 * '_', '.' and '~', what a URL path may hold as it is: it names the
 * silence in the DELETE that expires it).
 */
json_t *sources_am_alerts_result(long status, const char *body, size_t len,
    char **why);
char *sources_am_status_version(long status, const char *body, size_t len,
    char **why);
char *sources_silence_id(long status, const char *body, size_t len,
    char **why);
/* An alert of the API as an alert of a webhook body (a new reference; what
 * is not an object is returned as it is, for ingest to refuse). */
json_t *sources_am_webhook_alert(json_t *g);
/* The alerts of GET /api/v2/alerts each through sources_am_webhook_alert
 * (a new array); the fingerprint of each is a key of the object seen. */
json_t *sources_am_pull_alerts(json_t *got, json_t *seen);
/* The webhook body a pull of source name (at url) ingests: the alerts of
 * the API (each through sources_am_webhook_alert) and the resolutions of
 * the alerts it no longer reports; steals alerts. */
json_t *sources_am_pull_body(json_t *alerts, const char *url,
    const char *name);

#endif
