/*
 * detect_int.h - what the detect stage's files share (stage_detect.c,
 * stage_detect_state.c, stage_detect_write.c, ...); not part of any
 * interface.
 */
#ifndef MIDWATCH_DETECT_INT_H
#define MIDWATCH_DETECT_INT_H

#include <stddef.h>

#include <jansson.h>

#include "midwatch/detect.h"

struct buf;
struct db_res;
struct pf_job;
struct pipeline_ctx;

/* One metric series of a service, as the window's listing has it. */
struct dseries {
	const char *metric, *labels;	/* borrowed from the listing */
	int usable;			/* its saved state may be resumed */
	double resume_t, step;		/* the state's, as listed */
	double first_t;			/* the series' first point judged */
	struct detect_state in;		/* that state (resume_t NAN: none) */
};

/* The fingerprint of the detector parameters a metric's series is judged
 * with (a saved state is resumed only under the same). */
void detect_params_fp(const char *metric, char out[17]);
/* Whether a saved state (params, resume_at: NULL = none) may be resumed
 * by this run: same parameters, taken at or before the window's start and
 * within the lookback before it. */
int detect_state_usable(const struct pipeline_ctx *ctx, const char *metric,
    const char *params, const char *resume_at);
/* The read of what the series s[0..n-1] of a service (all usable) need
 * to be judged from their states, as one statement (run by the read-ahead
 * thread or the stage): the states' rows first (kind 1: series index, -,
 * -, step, resume_at, trailing, seasonal), then the raw points they need
 * (kind 0: series index, epoch, value) ordered by series and time. */
void detect_resumed_job(struct pipeline_ctx *ctx, const char *svc,
    const struct dseries *s, size_t n, struct pf_job *j);
/* Takes the states from the rows of detect_read_resumed into s[].in;
 * *first is the first point row.  0, or 1 when a state changed since it
 * was listed (judge them on the lookback instead). */
int detect_states_take(struct db_res *r, struct dseries *s, size_t n,
    int *first);
/* Appends a series' new state (resume_t NAN: none) and its first point
 * judged to arr, for detect_states_save. */
void detect_state_add(json_t *arr, const char *svc, const char *metric,
    const char *labels, const struct detect_state *st, double first);
/* Clears the features from the window's start on of quiet series (quiet
 * = [{s, m, l}]: service id, metric, labels) and stores series' states
 * (arr, from detect_state_add), of one service or several, in one
 * statement; 0, or -1 with *cause. */
int detect_states_save(struct pipeline_ctx *ctx, json_t *quiet, json_t *arr,
    char **cause);

/* Counts of the stage, for the run summary. */
struct detect_counts {
	long long series;
	long long points;
	long long signals;
	long long features;
	long long resumed;	/* series judged from a saved state */
	json_t *keep;		/* what skipped units had: [{type, service_id,
				 * metric_name, labels_key, ref}], NULL = any */
};

/* A signal to upsert. */
struct sig {
	const char *type;
	const char *status;
	long long service_id;		/* 0: none */
	const char *metric;		/* or NULL */
	const char *labels_key;
	const char *ref;		/* or NULL */
	const char *severity;
	double quality;
	double onset, peak, ended;	/* epoch; ended NAN while open */
	double baseline, peak_value;	/* NAN: NULL */
	const char *direction;		/* "up", "down" or NULL */
	json_t *details;		/* borrowed */
	char *dedupe;			/* malloc'd; never cut */
};

/* The writing of judged runs (stage_detect_write.c). */
int detect_sig_upsert(struct pipeline_ctx *ctx, const struct sig *s,
    char **cause);
int detect_features_write(struct pipeline_ctx *ctx, const char *svc,
    const char *metric, const char *labels, double from, struct buf *ts,
    struct buf *names, struct buf *vals, char **cause);
const char *detect_metric_signal_type(const char *metric, int dir);
const char *detect_metric_severity(const char *type,
    const struct detect_run *r);
const char *detect_run_status(const struct detect_run *r);
json_t *detect_run_details(const struct detect_run *r, int seasonal);
/* Remembers that a skipped unit's earlier signals are kept (stage_detect.c):
 * those of the given type / service / metric / labels / ref (NULL: any). */
void detect_keep_add(struct detect_counts *dc, const char *type,
    const char *svc, const char *metric, const char *labels, const char *ref);
/* Judges every funnel with snapshots in the window, each a unit
 * (stage_detect_funnel.c); 0 or -1 (fatal). */
int detect_funnels(struct pipeline_ctx *ctx, struct detect_counts *dc,
    char **cause);

#endif
