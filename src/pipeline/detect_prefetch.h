/*
 * detect_prefetch.h - reads ahead for the detect stage: a thread with a
 * connection of its own runs the stage's per-service reads a few services
 * ahead, so the database reads the next service while this one is judged
 * (issue 13: "overlap the next series' query with the current
 * computation").  Private to src/pipeline.
 */
#ifndef MIDWATCH_DETECT_PREFETCH_H
#define MIDWATCH_DETECT_PREFETCH_H

#include <stddef.h>

struct db;
struct db_res;

#define PF_MAX_PARAMS 6

/* One read: a named statement (sql/queries/, its results in binary) and
 * its parameters (malloc'd, NULL = SQL NULL); res, or cause when it
 * failed, once done. */
struct pf_job {
	const char *name;
	int n;
	char *params[PF_MAX_PARAMS];
	struct db_res *res;
	char *cause;
};

struct prefetch;

/*
 * Starts reading jobs[0..n-1] in order on a connection like db's, at most
 * ahead jobs ahead of the one taken last.  NULL when no second connection
 * can be had (the caller reads on its own; *cause says why).
 */
struct prefetch *prefetch_start(const struct db *db, struct pf_job *jobs,
    size_t n, size_t ahead, char **cause);
/* Waits for jobs[i] (taken in order) and hands it over: its res or cause
 * are the caller's from now on. */
void prefetch_take(struct prefetch *pf, size_t i);
/* Stops reading, frees what was read and not taken, closes the
 * connection. */
void prefetch_stop(struct prefetch *pf);
/* Runs job j on db now (the caller's own read). */
void pf_job_run(struct db *db, struct pf_job *j);
/* Frees a job's parameters and what it holds. */
void pf_job_free(struct pf_job *j);

#endif
