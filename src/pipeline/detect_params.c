/*
 * detect_params.c - the detector's parameters by kind of series: the
 * durations, thresholds and floors of policy.def ("detect") for each metric
 * meaning and for a funnel's conversion ratio, and the point counts they
 * make at a series' own step (see detect.h).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/detect.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"

/* ---- parameters ---------------------------------------------------------- */

/* Sets the fields every series kind shares (policy.def, "detect"). */
static void
params_common(struct detect_params *p)
{
	memset(p, 0, sizeof *p);
	p->dir = DETECT_BOTH;
	p->window_s = POLICY(DETECT_WINDOW);
	p->baseline_s = POLICY(DETECT_BASELINE);
	p->min_duration_s = POLICY(DETECT_MIN_DURATION);
	p->merge_gap_s = POLICY(DETECT_MERGE_GAP);
	p->max_duration_s = POLICY(DETECT_MAX_DURATION);
	p->min_points = (int)POLICY(DETECT_MIN_POINTS);
	p->min_baseline = (int)POLICY(DETECT_BASELINE_MIN_POINTS);
	p->use_z = 1;
	p->trend = 1;
	p->enter_z = POLICY(DETECT_ENTER_Z);
	p->exit_z = POLICY(DETECT_EXIT_Z);
	p->period = POLICY(DETECT_SEASON);
	p->period_half = POLICY(DETECT_SEASON_HALF);
}

/* Default parameters by metric meaning (policy.def; doc/pipeline.md). */
void
detect_params_for_metric(const char *metric, struct detect_params *p)
{
	params_common(p);
	if (strcmp(metric, "request_rate") == 0) {
		p->enter_rel = POLICY(RATE_ENTER_REL);
		p->exit_rel = POLICY(RATE_EXIT_REL);
		p->floor_rel = POLICY(RATE_FLOOR_REL);
	} else if (strcmp(metric, "error_ratio") == 0) {
		p->dir = DETECT_UP;
		p->enter_abs = POLICY(ERR_ENTER_ABS);
		p->exit_abs = POLICY(ERR_EXIT_ABS);
		p->enter_rel = POLICY(ERR_ENTER_REL);
		p->exit_rel = POLICY(ERR_EXIT_REL);
		p->floor_abs = POLICY(ERR_FLOOR_ABS);
		p->floor_rel = POLICY(ERR_FLOOR_REL);
	} else if (strcmp(metric, "latency_p99_ms") == 0) {
		p->dir = DETECT_UP;
		p->enter_rel = POLICY(LAT_ENTER_REL);
		p->exit_rel = POLICY(LAT_EXIT_REL);
		p->floor_rel = POLICY(LAT_FLOOR_REL);
		p->floor_abs = POLICY(LAT_FLOOR_ABS);
	} else if (strcmp(metric, "cpu_utilization") == 0 ||
	    strcmp(metric, "memory_utilization") == 0) {
		p->dir = DETECT_UP;
		p->level_enter = POLICY(SAT_LEVEL_ENTER);
		p->level_exit = POLICY(SAT_LEVEL_EXIT);
		p->level_hard = POLICY(SAT_LEVEL_HARD);
		p->enter_abs = POLICY(SAT_ENTER_ABS);
		p->exit_abs = POLICY(SAT_EXIT_ABS);
		p->floor_abs = POLICY(SAT_FLOOR_ABS);
	} else if (strcmp(metric, "restarts") == 0) {
		/* Judged on the stage's rolling sum: a level rule. */
		p->dir = DETECT_UP;
		p->use_z = 0;
		p->trend = 0;
		p->level_enter = POLICY(RESTART_LEVEL_ENTER);
		p->level_exit = POLICY(RESTART_LEVEL_EXIT);
		p->floor_abs = 1.0;	/* counts: one restart */
		p->baseline_s = 0;
		p->min_baseline = 1;
		p->min_duration_s = 0;
		p->min_points = 1;
		p->period = 0;
	} else {
		p->enter_rel = POLICY(CUSTOM_ENTER_REL);
		p->exit_rel = POLICY(CUSTOM_EXIT_REL);
		p->floor_rel = POLICY(CUSTOM_FLOOR_REL);
		p->floor_abs = 1e-9;	/* numerical: never divide by zero */
	}
}

/* Parameters for a funnel conversion ratio (snapshots every few minutes). */
void
detect_params_for_conversion(struct detect_params *p)
{
	params_common(p);
	p->dir = DETECT_DOWN;
	p->window_s = POLICY(CONV_WINDOW);
	p->baseline_s = POLICY(CONV_BASELINE);
	p->min_baseline = (int)POLICY(CONV_BASELINE_MIN_POINTS);
	p->enter_z = POLICY(CONV_ENTER_Z);
	p->exit_z = POLICY(CONV_EXIT_Z);
	p->enter_rel = POLICY(CONV_ENTER_REL);
	p->exit_rel = POLICY(CONV_EXIT_REL);
	p->floor_rel = POLICY(CONV_FLOOR_REL);
	p->floor_abs = 1e-6;	/* numerical: never divide by zero */
	p->min_duration_s = POLICY(CONV_MIN_DURATION);
	p->merge_gap_s = POLICY(CONV_MERGE_GAP);
}

/* ---- the grid of one series ---------------------------------------------- */

/* The series' step (see detect.h). */
double
detect_step(const struct detect_point *pts, size_t n)
{
	double *d, step;
	size_t i, m = 0;

	if (n < 2)
		return 60;
	d = xcalloc(n, sizeof *d);
	for (i = 1; i < n; i++)
		if (pts[i].t > pts[i - 1].t)
			d[m++] = pts[i].t - pts[i - 1].t;
	step = m > 0 ? detect_median(d, m) : 60;
	free(d);
	return step > 0 ? step : 60;
}

/* Points covering a duration at a step, at least floor_. */
static int
points_for(double seconds, double step, int floor_)
{
	double n = ceil(seconds / step - 1e-9);

	if (n > 1e6)
		n = 1e6;
	return n < floor_ ? floor_ : (int)n;
}

/* The point counts of p at a step (see detect.h). */
void
detect_grid_at(const struct detect_params *p, double step,
    struct detect_grid *g)
{
	g->step = step > 0 ? step : 60;
	g->min_baseline = points_for(p->baseline_s, g->step,
	    p->min_baseline > 0 ? p->min_baseline : 1);
	g->window = points_for(p->window_s, g->step,
	    (int)POLICY(DETECT_WINDOW_MIN_POINTS));
	if (g->window < g->min_baseline)
		g->window = g->min_baseline;
	g->min_points = points_for(p->min_duration_s, g->step,
	    p->min_points > 0 ? p->min_points : 1);
	g->merge_gap = points_for(p->merge_gap_s, g->step, 0);
	g->max_points = points_for(p->max_duration_s, g->step, g->min_points + 1);
}
