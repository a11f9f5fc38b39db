/*
 * pipeline.h - the incident pipeline: a run and its stages.
 *
 * A run covers a data-time window: from the previous completed run's
 * watermark (window_end) to the newest ingested timestamp, or --at.  Each
 * stage reads the database and writes derived rows stamped with run_id; a
 * stage never calls another stage's internals.  Each stage runs in its own
 * transaction for the window, so a run that dies leaves its pipeline_runs row
 * 'failed' and no half-written stage.  Stages are idempotent: running the
 * same window twice gives the same derived state.
 */
#ifndef MIDWATCH_PIPELINE_H
#define MIDWATCH_PIPELINE_H

#include <jansson.h>

struct db;

/* What `midwatch run` and the console's R say when a run found nothing to
 * do (pipeline_run: run id 0). */
#define PIPELINE_NOTHING_NEW "nothing new since the last run"

/* What every stage gets. */
struct pipeline_ctx {
	struct db *db;
	long long project_id;
	char project[24];	/* project_id as text, for parameters */
	long long run_id;
	char run[24];		/* run_id as text */
	double start, end;	/* the window, epoch seconds (data time) */
	char start_ts[32];	/* RFC 3339 of start, for parameters */
	char end_ts[32];	/* RFC 3339 of end */
	json_t *summary;	/* the run's summary object; a stage adds its counts
				 * under its own name (borrowed) */
	void (*progress)(void *arg, const char *stage, int done, int total);
	void *progress_arg;
	json_t *skipped;	/* units a stage isolated and skipped: array of
				 * {stage, unit, id, reason} (pipeline_unit.c),
				 * the first few */
	long long nskipped;	/* how many units were skipped in all */
	json_t *skipped_keys;	/* {"unit:id": "stage"} of every skipped unit */
	int stop;		/* a stage left nothing for the later ones:
				 * they are skipped */
};

/* A stage: runs inside a transaction the pipeline opened; returns 0 or -1
 * with *cause (the pipeline rolls back and marks the run failed).  A stage
 * works unit by unit (a series, an incident, a rule) through
 * pipeline_unit_begin/end, so one unit's failure is rolled back to its
 * savepoint and recorded in ctx->skipped instead of failing the run. */
struct pipeline_stage {
	const char *name;
	int (*run)(struct pipeline_ctx *ctx, char **cause);
};

/* The stages in order (NULL-terminated). */
extern const struct pipeline_stage pipeline_stages[];

int stage_detect_run(struct pipeline_ctx *ctx, char **cause);
int stage_gate_run(struct pipeline_ctx *ctx, char **cause);
int stage_evidence_run(struct pipeline_ctx *ctx, char **cause);
int stage_hypothesize_run(struct pipeline_ctx *ctx, char **cause);
int stage_recommend_run(struct pipeline_ctx *ctx, char **cause);
/* Resolves incidents whose signals cleared, marks done the recommendations
 * already carried out (stage_lifecycle.c). */
int stage_lifecycle_run(struct pipeline_ctx *ctx, char **cause);
int stage_alert_run(struct pipeline_ctx *ctx, char **cause);
/*
 * Validates an alert rule (kind threshold|trend|pattern, config object) as
 * the alert stage reads it.  0, or -1 with *why (a static string naming
 * the fields the rule needs).
 */
int alert_rule_check(const char *kind, json_t *cfg, const char **why);
/*
 * What a rule would fire over [since, until] (RFC 3339), in a read-only
 * transaction: an array of {fingerprint, title, severity, service,
 * incident_id, fired_at, last_at} (new reference; at most 1000), or NULL
 * with *cause.  rule_id names its alerts (0 for a rule not saved yet).
 */
json_t *alert_rule_preview(struct db *db, long long project_id,
    long long rule_id, const char *kind, json_t *cfg, const char *severity,
    const char *since, const char *until, char **cause);
int stage_report_run(struct pipeline_ctx *ctx, char **cause);

struct pipeline_opts {
	const char *requested_by;	/* actor name */
	int has_at, has_since;		/* the overrides below are given */
	double at;			/* window end override (epoch; any
					 * year, before 1970 too) */
	double since;			/* window start override */
	void (*progress)(void *arg, const char *stage, int done, int total);
	void *progress_arg;
};

/*
 * Runs the whole pipeline once for project_id under the pipeline advisory
 * lock.  Returns 0 with *run_id set (0 if there was nothing to do), 1 if
 * another process holds the lock (*cause says who), or -1 with *cause when
 * the run failed (its row is left 'failed').  A completed run may still have
 * skipped units (pipeline_runs.skipped_units > 0: degraded).
 */
int pipeline_run(struct db *db, long long project_id,
    const struct pipeline_opts *opts, long long *run_id, char **cause);

#endif
