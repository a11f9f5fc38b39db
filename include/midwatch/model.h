/*
 * model.h - the read model shared by the console and the headless commands
 * (incidents --json, report): plain C structs loaded from the database in a
 * few aggregate queries, so both always show the same thing.
 *
 * Strings are malloc'd and owned by the snapshot; model_free releases all.
 * Times are epoch seconds (0 = none).  External text (titles, messages,
 * summaries) is stored as it came; sanitise it before drawing.
 */
#ifndef MIDWATCH_MODEL_H
#define MIDWATCH_MODEL_H

#include <stddef.h>
#include <jansson.h>

struct db;

struct mw_evidence {
	long long id;
	char *kind;		/* evidence_artifacts.kind */
	char *role;		/* supports|contradicts|missing */
	char *summary;
	char *source;
	char *ref;
	double weight;
	double confidence;
	double observed_at;
};

struct mw_hypothesis {
	long long id;
	int rank;
	char *type;		/* release|config|traffic|dependency|db|infra|unknown */
	char *service;		/* suspected root-cause service */
	char *title;
	char *ref;		/* deploy/config change id or dependency, or NULL */
	char *status;		/* proposed|confirmed|rejected */
	char *why;		/* explanation of the score (text) */
	double confidence;
	struct mw_evidence *evidence;
	size_t n_evidence;
	/* Added fields. */
	json_t *score_details;	/* hypotheses.score_details (owned), never NULL */
	int is_root_cause;	/* the incident's confirmed root cause */
	char *status_by;	/* who confirmed or rejected it, or NULL */
};

/* An action requested on a recommendation (recommendation_action_runs,
 * sql/021_action_runs.sql; model_actions.c). */
struct mw_action_run {
	long long id;
	long long recommendation_id;
	long long incident_id;
	char *action;		/* send_message|create_or_update_task|set_reminder */
	char *channel;
	char *status;		/* pending|running|succeeded|failed */
	int attempts;
	int max_retries;	/* -1 before the first attempt */
	double next_retry_at;	/* next due (pending, running) */
	double created_at;
	double finished_at;	/* 0 while not finished */
	double remind_at;	/* a reminder's time, else 0 */
	char *text;		/* or NULL */
	char *error;		/* the last attempt's, or NULL */
	char *result;		/* JSON text, or NULL */
	char *task_id;		/* the tracker's task id, or NULL */
	char *requested_by;
};

struct mw_recommendation {
	long long id;
	long long hypothesis_id;
	char *type;
	char *title;
	char *status;		/* new|acknowledged|done|dismissed */
	char *gate_reason;
	int publishable;
	char *acked_by;
	double acked_at;
	/* Added fields. */
	int evidence_count;	/* supporting evidence of the hypothesis */
	char *gate_status;	/* passed|blocked */
	char *expected_impact;	/* or NULL */
	char *rationale;	/* why it is recommended (details.rationale,
				 * else its hypothesis: rank, type, confidence
				 * as the gate formats it, title), or NULL */
	char *template_key;
	char *already_done;	/* why the system marked it done (the action
				 * already happened: stage_lifecycle.c), or NULL */
	struct mw_action_run *actions;	/* requested actions, newest first
					 * (at most MODEL_MAX_ACTIONS) */
	size_t n_actions;
};

struct mw_alert {
	long long id;
	long long incident_id;	/* 0 when not tied to an incident */
	char *title;
	char *message;
	char *severity;
	char *status;		/* active|acknowledged|resolved|silenced */
	double created_at;
	char *acked_by;
	double acked_at;
	double silenced_until;
	/* Added fields. */
	char *service;		/* or NULL */
	char *rule;		/* alert rule name, or NULL */
	int fire_count;
	double last_fired_at;	/* data time of the latest firing */
	char *source;		/* external alert's source, or NULL (a rule's) */
	char *labels;		/* "k=v, k=v" (sorted), or NULL */
	char *annotations;	/* "k: v; k: v" (sorted), or NULL */
	char *am_silence;	/* "active until 2026-..Z (id)" of the latest
				 * Alertmanager silence, or NULL */
	char *am_silence_state;	/* its state (pending|active|expiring|
				 * expired|dead), or NULL */
	double am_silence_ends;	/* its end (epoch), 0 when none */
	/* Its incident group (sql/017_alert_groups.sql). */
	long long group_head_id;	/* the head (itself for the head), or 0 */
	int group_members;	/* for a head: alerts it holds; else 0 */
	char *group_reason;	/* why grouped or why it pages, or NULL */
};

struct mw_timeline_item {
	double ts;
	char *kind;		/* deploy|config_change|alert|onset|signal|note */
	char *label;
};

struct mw_series {
	char *service;
	char *metric;
	double onset;
	size_t n;
	double *ts;
	double *value;
	double *baseline;	/* may be NULL */
	/* The detector's band and the chart's scale (model_series.c). */
	double spread;		/* the scale the detector judged against
				 * (|value - baseline| / |z|, median), NAN
				 * when unknown: the band is baseline +- it */
	double lo, hi;		/* the chart's scale: values and band */
	/* Numbers in the metric's unit (%, ms, req/s), formatted by SQL
	 * midwatch.pipeline_fmt_metric like the evidence summaries. */
	char *min_text, *max_text, *last_text;
	char *base_text;	/* the baseline's median, or NULL */
	char *spread_text;	/* the spread, or NULL */
	char *lo_text, *hi_text;
};

struct mw_incident {
	long long id;
	char *service;
	char *status;		/* open|triaged|resolved|suppressed */
	char *severity;
	char *trigger_type;
	char *title;
	double window_start, window_end;
	double created_at;
	char *decision;		/* approved|suppressed */
	char *rationale;
	char *policy_version;
	double confidence;
	struct mw_hypothesis *hypotheses;	/* by rank */
	size_t n_hypotheses;
	struct mw_recommendation *recommendations;
	size_t n_recommendations;
	/* Copies of entries of the snapshot's alerts (struct mw_snapshot):
	 * their strings belong to that list, and model_free frees only
	 * this array. */
	struct mw_alert *alerts;
	size_t n_alerts;
	/* Filled only by model_load_detail. */
	struct mw_timeline_item *timeline;
	size_t n_timeline;
	struct mw_series *series;
	size_t n_series;
	char *report_md;	/* the markdown report, or NULL */
	/* Loaded by model_load_ids: its detail takes unpublished rows too. */
	int as_is;
	/* Added fields. */
	int has_impact;		/* impact_low/high are set */
	double impact_low, impact_high;
	char *impact_unit;	/* or NULL */
	long long root_cause_hypothesis_id;	/* 0 when none confirmed */
	int recently_resolved;	/* resolved within console.recent_resolved
				 * (policy, per project) of now */
	char *resolution;	/* resolution summary, or NULL */
	char *resolved_by;	/* "midwatch" when it resolved by itself */
	double resolved_at;	/* when it was resolved; 0 unless resolved */
	double resolved_data_at;	/* the data time an automatic
					 * resolution took effect, or 0 */
};

struct mw_snapshot {
	double taken_at;
	struct mw_incident *incidents;	/* open first, then by severity, newest */
	size_t n_incidents;
	struct mw_alert *alerts;	/* every alert, newest first */
	size_t n_alerts;
	long long last_run_id;
	char *last_run_status;
	double last_run_finished;
	/* Added fields. */
	int health;		/* enum mw_health_state of the pipeline */
	char *health_line;	/* "degraded: ...", "pipeline failing since ..."
				 * when not healthy, else NULL */
	double recent_resolved;	/* console.recent_resolved of the project, s */
	/* Counted by the database when the snapshot was taken (not from the
	 * capped lists above): published incidents open or triaged, and
	 * published alerts active; -1 when not counted (model_load_ids). */
	long long n_open_total;
	long long n_active_total;
};

/* ---- the pipeline's health (model_health.c) ------------------------------ */

enum mw_health_state {
	MW_HEALTH_OK = 0,	/* the last run completed, nothing skipped */
	MW_HEALTH_DEGRADED = 1,	/* it completed but skipped units, a window
				 * was given up, or a pulled source fails */
	MW_HEALTH_FAILING = 2	/* the last run failed, or none completed
				 * within max_age */
};

struct mw_health {
	int state;		/* enum mw_health_state */
	char *line;		/* one line when not ok ("degraded: 2 series
				 * skipped (...)"), else NULL */
	char *reason;		/* the last error, or NULL */
	double now;		/* the database clock */
	long long last_run_id;	/* last finished run (0: none) */
	char *last_run_status;	/* completed|failed|skipped, or NULL */
	double last_ok;		/* finished_at of the last completed (or given
				 * up) run, or 0 */
	double failing_since;	/* start of the current streak of failed runs */
	double gap_from, gap_to;	/* the window the last run gave up, or 0 */
	char *watermark;	/* RFC 3339, or NULL before any run */
	long long skipped_units;	/* of the last finished run */
	json_t *skipped;	/* its itemised skipped units (array, owned) */
	int sources_failing;	/* pulled sources whose last pull failed */
	char *source_line;	/* "source prom failing ...: <last error>" of
				 * the first, and/or the dead notifications
				 * and silences */
	long long dead_messages;	/* notifications dead-lettered in 24 h */
	long long dead_silences;	/* Alertmanager silences dead in 24 h */
};

/* Loads the health of a project's pipeline.  max_age > 0: no run completed
 * within max_age seconds (while runs exist) counts as failing.  0 or -1. */
int model_health_load(struct db *db, long long project_id, double max_age,
    struct mw_health *h, char **cause);
void model_health_free(struct mw_health *h);
/* "ok", "degraded", "failing". */
const char *model_health_name(int state);

/* Loads incidents (all, or approved-and-not-resolved unless all), with their
 * hypotheses, evidence, recommendations (publishable only unless
 * with_hidden) and alerts.  NULL with *cause on error. */
struct mw_snapshot *model_load(struct db *db, long long project_id, int all,
    int with_hidden, char **cause);
/*
 * model_load, reading the hypotheses, recommendations and action runs on
 * aux (a second open connection to the same database, idle: the console's
 * LISTEN connection) while the alerts are read on db; the same rows in
 * about half the time when the server has two cores free
 * (doc/performance.md).  With aux NULL or lost, as model_load.  Each
 * statement sees the database as it is when it starts, as with model_load.
 */
struct mw_snapshot *model_load_two(struct db *db, struct db *aux,
    long long project_id, int all, int with_hidden, char **cause);
/*
 * Like model_load(db, project_id, 1, 1): the same rows, but only the first
 * `incidents` incidents (in the snapshot's order) with everything that
 * hangs off them, and of the newest `alerts` alerts those of no loaded
 * incident (model_load: MODEL_MAX_ALERTS): what the console's first frame
 * shows, loaded in a fraction of the time (the full snapshot follows;
 * doc/performance.md).  NULL with *cause on error.
 */
struct mw_snapshot *model_load_first(struct db *db, long long project_id,
    int incidents, int alerts, char **cause);
/*
 * Loads metric series for sparklines (model_series.c): with evidence_id 0
 * the anomalous series of incident_id (MODEL_MAX_SERIES at most), else the
 * one series evidence item evidence_id cites, around incident_id's window.
 * *out is malloc'd (NULL when none); free with model_series_free.  0 or -1.
 */
int model_series_load(struct db *db, long long project_id,
    long long incident_id, long long evidence_id, struct mw_series **out,
    size_t *n, char **cause);
void model_series_free(struct mw_series *s, size_t n);

/* ---- an item's feedback history (model_history.c) ------------------------ */

/* One feedback event on an item, as the detail views list it. */
struct mw_history_item {
	double at;		/* created_at */
	char *actor;		/* actor_id, else the actor type */
	char *action;		/* event_type */
	char *summary;		/* the payload as "key=value, ..." (each value
				 * cut at 80 characters; unsanitised) or "" */
	char *text;		/* a note's text, or NULL */
};

/* What a detail view loads besides the snapshot: the item's feedback
 * history and, for a metric evidence item, its series. */
struct mw_item_detail {
	struct mw_history_item *history;	/* oldest first */
	size_t n_history;
	struct mw_series *series;
	size_t n_series;
};

/* Most events one history lists (the newest of them). */
#define MODEL_MAX_HISTORY 100

/* Loads the feedback events on target_kind target_id into d (one query).
 * 0 or -1. */
int model_history_load(struct db *db, long long project_id,
    const char *target_kind, long long target_id, struct mw_item_detail *d,
    char **cause);
/* Frees d and everything it holds; NULL is fine. */
void model_item_detail_free(struct mw_item_detail *d);

/* Loads the timeline and anomalous series of one incident into inc. */
int model_load_detail(struct db *db, long long project_id,
    struct mw_incident *inc, char **cause);
void model_free(struct mw_snapshot *s);
/* Like model_load, but exactly the incidents ids[0..n) whatever their
 * status or decision, published or not, with every row hanging off them
 * (the report stage, inside its own run: sql/015_run_output.sql). */
struct mw_snapshot *model_load_ids(struct db *db, long long project_id,
    const long long *ids, size_t n, int with_hidden, char **cause);
/* Like model_load_ids, but as readers see them: only those of ids that are
 * published, with their published rows (a detail view, `investigate`). */
struct mw_snapshot *model_load_shown(struct db *db, long long project_id,
    const long long *ids, size_t n, int with_hidden, char **cause);

/* Bounds of one snapshot: incidents (the first in display order) and the
 * newest alerts not linked to a loaded incident. */
#define MODEL_MAX_INCIDENTS 1000
#define MODEL_MAX_ALERTS 500
/* Bounds of model_load_detail. */
#define MODEL_MAX_TIMELINE 200
#define MODEL_MAX_SERIES 6
#define MODEL_MAX_POINTS 360
/* Most action runs loaded per recommendation (the newest). */
#define MODEL_MAX_ACTIONS 20
/*
 * The action runs of the project (incident > 0: of that incident), newest
 * first, at most MODEL_MAX_ACTIONS per recommendation: *n of them in a
 * malloc'd array (release with model_actions_free; NULL when there are
 * none), or NULL with *cause set and *n 0 on an error (*cause must be NULL
 * on entry to tell the two apart).  `midwatch act --list`.
 */
struct mw_action_run *model_actions_load(struct db *db, long long project_id,
    long long incident, size_t *n, char **cause);
void model_actions_free(struct mw_action_run *v, size_t n);
/* One run as `act --list --json` prints it; a new reference. */
json_t *model_action_to_json(const struct mw_action_run *a);
/* The `incidents --json` array (doc/interfaces.md); new reference. */
json_t *model_to_json(const struct mw_snapshot *s);
/* One incident in the shape of that array's elements (`investigate
 * --json`); new reference. */
json_t *model_incident_to_json(const struct mw_incident *inc);
/* A string or JSON null; an RFC 3339 UTC time or null for 0 (new
 * references; model_json.c). */
json_t *model_json_str(const char *s);
json_t *model_json_time(double t);


/* ---- the alert list of `midwatch alerts` (model_alerts.c) ---------------- */

/* One alert as `midwatch alerts` lists it, like `amtool alert query`.  The
 * strings and JSON are owned; times are epoch seconds, 0 when unset. */
struct mw_alert_item {
	long long id;		/* what ack/resolve/silence take */
	char *title;
	char *severity;		/* critical|high|medium|low|info */
	char *status;		/* active|acknowledged|resolved|silenced */
	char *source;		/* an external alert's source ("alertmanager",
				 * "jsonl"...), else "midwatch" (an alert rule) */
	char *fingerprint;	/* the external alert's, else the alert's own */
	char *service;		/* or NULL */
	char *rule;		/* alert rule name, or NULL */
	char *message;
	char *generator_url;	/* or NULL */
	json_t *labels;		/* object, {} when none */
	json_t *annotations;	/* object, {} when none */
	long long incident_id;	/* 0 when none */
	int fire_count;
	double started_at;	/* the episode's start (data time) */
	double resolved_at;
	double last_fired_at;
	char *acked_by;
	double acked_at;
	char *resolved_by;
	char *silenced_by;
	double silenced_at;
	double silenced_until;
	/* the latest silence midwatch made in Alertmanager for it, if any */
	char *am_silence_id;	/* Alertmanager's id, or NULL before created */
	char *am_silence_state;	/* pending|active|expiring|expired|dead, or NULL */
	double am_silence_ends;
	char *am_silence_error;	/* why the last attempt failed, or NULL */
	/* Its incident group (sql/017_alert_groups.sql). */
	char *group_key;	/* "incident:<id>", or NULL: in no group */
	long long group_head_id;	/* the head (itself for the head), or 0 */
	int group_inhibited;	/* a member whose notifications are held */
	char *group_reason;	/* why grouped, or why it pages anyway */
	int group_members;	/* for a head: the alerts it heads, itself
				 * excluded; else 0 */
};

struct mw_alert_list {
	struct mw_alert_item *items;	/* severity (critical first), then the
					 * newest start first */
	size_t n;
};

/* Most alerts one list holds. */
#define MODEL_MAX_ALERT_LIST 10000

/*
 * Loads the project's alerts: with all, every one; else those still
 * needing attention (active, acknowledged, or silenced with the silence
 * over).  NULL with *cause on error; release with model_alerts_free.
 */
struct mw_alert_list *model_alerts_load(struct db *db, long long project_id,
    int all, char **cause);
void model_alerts_free(struct mw_alert_list *l);
/* The `alerts --json` array (doc/integrations.md); new reference. */
json_t *model_alerts_to_json(const struct mw_alert_list *l);

#endif
