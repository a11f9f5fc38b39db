/*
 * investigate.h - "investigate this moment" (issue 8): an incident anchored
 * at a moment an on-call engineer names (a page at 04:36, a customer
 * report), with root causes ranked even when the pipeline's detectors saw
 * nothing.
 *
 * investigate_run takes the pipeline lock, records its own pipeline_runs row
 * (kind 'investigate': lineage only, it never moves the watermark nor counts
 * for the pipeline's health), and either takes the open, approved incident
 * that already covers the moment, or scores every metric series just after
 * the moment against its own recent history (one SQL statement), turns what
 * is abnormal into signals (details.source = 'investigate', which the
 * pipeline's detect and gate stages leave alone), upserts the incident
 * (dedupe_key investigate:<epoch>[:<service id>]) with an approved decision,
 * then runs the pipeline's own evidence, hypothesize, recommend and report
 * stages on it.  doc/pipeline.md, "Investigate a moment", has the policy.
 */
#ifndef MIDWATCH_INVESTIGATE_H
#define MIDWATCH_INVESTIGATE_H

struct db;

/* Scored after the moment when no window is given: 15 minutes. */
#define INVESTIGATE_DEFAULT_WINDOW 900
/* The shortest and the longest window accepted (seconds). */
#define INVESTIGATE_MIN_WINDOW 60
#define INVESTIGATE_MAX_WINDOW (6 * 3600)

struct investigate_opts {
	const char *requested_by;	/* pipeline_runs.requested_by ("cli:alice") */
	const char *actor;		/* who asked, for the rationale and audit */
	double at;			/* the moment, epoch seconds (whole seconds
					 * count; any year) */
	int window;			/* seconds after the moment (0: default) */
	const char *service;		/* a service name, or NULL for all */
	int need_abnormal;		/* open nothing when no steady series is
					 * abnormal (an alert alone is no incident;
					 * incident_id stays 0) */
	/* Progress, as pipeline_opts's (may be NULL). */
	void (*progress)(void *arg, const char *stage, int done, int total);
	void *progress_arg;
};

struct investigate_result {
	long long run_id;		/* the investigation's run (0: none made) */
	long long incident_id;		/* the incident to show */
	int reused;			/* 1: an existing incident covered the moment */
	int signals;			/* abnormal series turned into signals */
	int services;			/* services they are on */
	int elsewhere;			/* abnormal services not joined to it by
					 * the call graph (left out) */
};

/* What investigate_run returns besides 0 and -1. */
#define INVESTIGATE_LOCKED 1	/* the pipeline lock is held: *cause says who */
#define INVESTIGATE_REFUSED 2	/* nothing to investigate: an unknown service,
				 * a moment outside the data (*cause says) */

/*
 * Investigates one moment of project_id.  Returns 0 with *res filled, or
 * INVESTIGATE_LOCKED / INVESTIGATE_REFUSED / -1 with *cause (malloc'd).  A
 * run that failed after its row was made is left 'failed' (res->run_id).
 */
int investigate_run(struct db *db, long long project_id,
    const struct investigate_opts *opts, struct investigate_result *res,
    char **cause);

#endif
