/*
 * detect.h - the detector's pure maths: a robust baseline (median/MAD over a
 * trailing window of normal points, optionally against the same time of the
 * previous period), change detection with hysteresis, and the episodes that
 * become signals.  No database here: the detect stage feeds one series window
 * at a time and stores what comes out (see doc/pipeline.md).
 */
#ifndef MIDWATCH_DETECT_H
#define MIDWATCH_DETECT_H

#include <stddef.h>

#define DETECT_UP 1
#define DETECT_DOWN (-1)
#define DETECT_BOTH 0

/* How one kind of series is judged.  A point enters an episode when every
 * enabled "enter" test passes against every available baseline, and stays in
 * it while every "exit" test passes (exit thresholds are lower: hysteresis). */
struct detect_params {
	int dir;		/* DETECT_UP, DETECT_DOWN or DETECT_BOTH */
	/* Durations, in seconds: detect_series turns them into points at the
	 * series' own step (the median spacing of its points), with floors. */
	double window_s;	/* trailing normal history in the baseline */
	double baseline_s;	/* history needed before anything is judged */
	double min_duration_s;	/* an anomaly this long is a signal */
	double merge_gap_s;	/* quiet time that still joins two episodes */
	double max_duration_s;	/* a longer episode is a new normal level */
	int min_points;		/* floor: points of a signal (a short one needs
				 * an extreme deviation, see detect_series) */
	int min_baseline;	/* floor: baseline points before judging */
	int use_z;		/* apply the robust z tests */
	int trend;		/* extrapolate the trailing trend (robust line) */
	double enter_z;		/* |x - b| / scale to enter */
	double exit_z;		/* ... to stay */
	double enter_rel;	/* |x - b| >= enter_rel * |b| to enter (0: off) */
	double exit_rel;
	double enter_abs;	/* |x - b| >= enter_abs to enter (0: off) */
	double exit_abs;
	double level_enter;	/* x >= level_enter to enter (0: off) */
	double level_exit;
	double level_hard;	/* x >= level_hard enters whatever the baseline
				 * (saturation of a slow leak; 0: off) */
	double floor_abs;	/* the scale never drops below these */
	double floor_rel;	/* ... (relative to |b|) */
	double period;		/* seasonal period in seconds (0: none) */
	double period_half;	/* half-width of the seasonal reference window */
};

/* One point of a series: time (epoch seconds) and value. */
struct detect_point {
	double t;
	double x;
};

/* Per-point output, for the features the stage stores. */
struct detect_eval {
	int judged;		/* a baseline existed for this point */
	double baseline;	/* the baseline used (seasonal when available) */
	double scale;		/* robust sigma (1.4826 MAD, floored) */
	double z;		/* signed robust z of the point */
	int anomalous;		/* inside an episode */
	int history;		/* normal points behind the baseline */
};

/* The point counts of a detect_params at one series step. */
struct detect_grid {
	double step;		/* seconds between points (median spacing) */
	int window;		/* trailing normal points in the baseline */
	int min_baseline;	/* points needed before anything is judged */
	int min_points;		/* uninterrupted anomalous points for a signal */
	int merge_gap;		/* quiet points that still join two episodes */
	int max_points;		/* a longer episode is a new normal level */
};

/* A run shorter than min_points is still a signal when it is extreme: at
 * least detect.short_points points with median deviations detect.short_factor
 * times as far out as entering asks, or isolated points (a spike) at
 * detect.spike_factor times; a series flaps when detect.flap_runs runs start
 * within detect.flap_window (policy.def). */

/* A run of episodes merged across short gaps: a signal when long enough. */
struct detect_run {
	size_t first;		/* index of the onset point */
	size_t last;		/* index of the last anomalous point */
	size_t peak;		/* index of the most extreme point */
	int dir;		/* DETECT_UP or DETECT_DOWN */
	double baseline;	/* baseline at onset */
	double peak_value;
	double peak_z;		/* |z| at the peak */
	double median_z;	/* median |z| over the anomalous points */
	double magnitude_z;	/* what the quality scores: median_z; for a
				 * level-only rule (restarts) the peak, the
				 * strength it reached */
	int cycles;		/* enter/exit cycles merged into this run */
	int anomalous;		/* anomalous points */
	int longest;		/* longest uninterrupted episode, in points */
	int open;		/* still anomalous at the last point */
	int spike;		/* one extreme point */
	int short_extreme;	/* shorter than min_points, but extreme */
	double step;		/* the series' step, seconds */
	int history;		/* baseline points at onset */
	int level_shift;	/* lasted past max_points: re-baselined */
	int flapping;		/* many short cycles */
	int is_signal;		/* long enough to report */
	double quality;		/* 0..1: magnitude x duration x cleanliness */
};

/* Default parameters for a metric name (request_rate, error_ratio,
 * latency_p99_ms, cpu_utilization, memory_utilization, restarts, anything
 * else = custom). */
void detect_params_for_metric(const char *metric, struct detect_params *p);
/* Default parameters for a funnel conversion ratio series. */
void detect_params_for_conversion(struct detect_params *p);

/*
 * Judges the points (sorted by t, at most one per t).  eval (n entries, may
 * be NULL) receives the per-point verdicts; *runs a malloc'd array of *nruns
 * runs (caller frees), signals and non-signals (blips) alike, in time order.
 */
void detect_series(const struct detect_params *p, const struct detect_point *pts,
    size_t n, struct detect_eval *eval, struct detect_run **runs, size_t *nruns);

/*
 * A series' detector state before one of its points, kept between runs so
 * that a run judges only what is new (stage_detect.c keeps it in
 * midwatch.detect_state): the series' step and the normal points of the
 * trailing and seasonal baselines.  It is taken only at a quiet point (no
 * episode within detect_state_quiet() before it, none in the
 * detect.feature_margin points from it on), where judging again from it
 * gives what judging the whole history gives: no later run can merge with,
 * flap with or take margin points from what lies before it.
 */
struct detect_state {
	double step;		/* the series' step when taken */
	double resume_t;	/* judging resumes at the first point at or
				 * after it; NAN: no state */
	size_t ntr, nsr;	/* points in the trailing / seasonal rings */
	double *tr_t, *tr_x;	/* oldest first (malloc'd) */
	double *sr_t, *sr_x;	/* seasonal: value minus the reference */
};

/*
 * detect_series, resuming from a state (in, NULL: the whole series): the
 * points before in->resume_t are only the references' (the seasonal and the
 * drift's) and are not judged; out (may be NULL) receives the state to
 * resume from next time: the newest quiet point's, else a copy of in, else
 * resume_t NAN (none).
 */
void detect_series_from(const struct detect_params *p,
    const struct detect_point *pts, size_t n, const struct detect_state *in,
    struct detect_eval *eval, struct detect_run **runs, size_t *nruns,
    struct detect_state *out);
/* Seconds of quiet a state needs before it (flapping and merging look that
 * far back). */
double detect_state_quiet(const struct detect_params *p, double step);
/* Seconds of raw points before resume_t the references need (the drift's
 * lag; a restarts sum's window is the stage's). */
double detect_state_lead(const struct detect_params *p);
/* Frees the arrays of s (s itself is the caller's); resume_t becomes NAN. */
void detect_state_free(struct detect_state *s);
/* Makes dst a copy of src (dst's old arrays are not freed). */
void detect_state_copy(struct detect_state *dst, const struct detect_state *src);

/*
 * The per-minute points of one series from its raw points (sorted by t):
 * at each minute (t rounded down to a whole minute) the mean of its points
 * or, with sum_window_s >= 0, the sum of the points of the minutes in
 * [minute - sum_window_s, minute] (a counter's rolling sum).  out has room
 * for n points; returns how many minutes it holds.
 */
size_t detect_per_minute(const struct detect_point *raw, size_t n,
    double sum_window_s, struct detect_point *out);

/* Median of v[0..n-1] (reorders v); NAN when n is 0. */
double detect_median(double *v, size_t n);
/* The series' step: the median spacing of its points (60 when fewer than
 * two points). */
double detect_step(const struct detect_point *pts, size_t n);
/* The point counts of p at a step (seconds). */
void detect_grid_at(const struct detect_params *p, double step,
    struct detect_grid *g);
/* Quality score of a run from its statistics (also used by tests): median
 * |z|, anomalous points, span in points, cycles, step in seconds, and the
 * share of a full baseline window behind it (0..1). */
double detect_quality(double median_z, int anomalous, int span, int cycles,
    double step, double history);

#endif
