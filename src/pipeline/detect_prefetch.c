/*
 * detect_prefetch.c - the detect stage's read-ahead thread (see
 * detect_prefetch.h).  The thread owns its connection; jobs are handed
 * over under a mutex, in order, and the thread never runs more than
 * `ahead` jobs past the last one taken, so memory stays bounded (a few
 * services' points).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/xmalloc.h"
#include "detect_prefetch.h"

struct prefetch {
	struct db *db;
	struct pf_job *jobs;
	size_t n, ahead;
	size_t done;		/* jobs [0, done) are read */
	size_t taken;		/* jobs [0, taken) are the caller's */
	int stop;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

void
pf_job_run(struct db *db, struct pf_job *j)
{
	j->res = db_run_bin(db, &j->cause, j->name, j->n,
	    (const char *const *)j->params);
}

void
pf_job_free(struct pf_job *j)
{
	int i;

	for (i = 0; i < j->n; i++)
		free(j->params[i]);
	if (j->res != NULL)
		db_res_free(j->res);
	free(j->cause);
	j->res = NULL;
	j->cause = NULL;
	j->n = 0;
}

static void *
reader(void *arg)
{
	struct prefetch *pf = arg;
	size_t i;

	pthread_mutex_lock(&pf->mu);
	for (i = 0; i < pf->n; i++) {
		while (!pf->stop && i >= pf->taken + pf->ahead)
			pthread_cond_wait(&pf->cv, &pf->mu);
		if (pf->stop)
			break;
		pthread_mutex_unlock(&pf->mu);
		pf_job_run(pf->db, &pf->jobs[i]);
		pthread_mutex_lock(&pf->mu);
		pf->done = i + 1;
		pthread_cond_broadcast(&pf->cv);
	}
	pthread_mutex_unlock(&pf->mu);
	return NULL;
}

struct prefetch *
prefetch_start(const struct db *db, struct pf_job *jobs, size_t n,
    size_t ahead, char **cause)
{
	struct prefetch *pf;
	struct db *own;

	if (n < 2)
		return NULL;	/* nothing to overlap */
	if ((own = db_open_like(db, cause)) == NULL)
		return NULL;
	pf = xcalloc(1, sizeof *pf);
	pf->db = own;
	pf->jobs = jobs;
	pf->n = n;
	pf->ahead = ahead > 0 ? ahead : 1;
	pthread_mutex_init(&pf->mu, NULL);
	pthread_cond_init(&pf->cv, NULL);
	if (pthread_create(&pf->thread, NULL, reader, pf) != 0) {
		*cause = xstrdup("cannot start the read-ahead thread");
		pthread_mutex_destroy(&pf->mu);
		pthread_cond_destroy(&pf->cv);
		db_close(own);
		free(pf);
		return NULL;
	}
	return pf;
}

void
prefetch_take(struct prefetch *pf, size_t i)
{
	pthread_mutex_lock(&pf->mu);
	while (pf->done <= i)
		pthread_cond_wait(&pf->cv, &pf->mu);
	pf->taken = i + 1;
	pthread_cond_broadcast(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
}

void
prefetch_stop(struct prefetch *pf)
{
	size_t i;

	if (pf == NULL)
		return;
	pthread_mutex_lock(&pf->mu);
	pf->stop = 1;
	pthread_cond_broadcast(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
	pthread_join(pf->thread, NULL);
	/* read but never taken */
	for (i = pf->taken; i < pf->done; i++) {
		if (pf->jobs[i].res != NULL)
			db_res_free(pf->jobs[i].res);
		free(pf->jobs[i].cause);
		pf->jobs[i].res = NULL;
		pf->jobs[i].cause = NULL;
	}
	pthread_mutex_destroy(&pf->mu);
	pthread_cond_destroy(&pf->cv);
	db_close(pf->db);
	free(pf);
}
