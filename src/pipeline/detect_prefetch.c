/*
 * detect_prefetch.c - the detect stage's read-ahead thread (see
 * detect_prefetch.h).  The thread owns its connection, on which it sends
 * the reads as a stream (db_stream_*: up to `ahead` statements queued at
 * the server, each prepared once, so the server goes from one read to the
 * next without waiting for the thread to wake up); jobs are handed over
 * under a mutex, in order, and the thread never sends more than `ahead`
 * jobs past the last one taken, so memory stays bounded (a few services'
 * points).  When the connection fails, every job not read yet fails with
 * its cause (the caller reads those again on its own connection).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "midwatch/db.h"
#include "midwatch/xmalloc.h"
#include "detect_prefetch.h"

struct prefetch {
	struct db *db;
	struct db_stream *stream;
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

/* Fails the jobs not read yet with why (the connection is gone). */
static void
fail_rest(struct prefetch *pf, const char *why)
{
	for (; pf->done < pf->n; pf->done++)
		pf->jobs[pf->done].cause = xstrdup(why);
	pthread_cond_broadcast(&pf->cv);
}

/* The thread: sends while the window allows, receives in order.  Called
 * and returns with pf->mu held. */
static void
read_ahead(struct prefetch *pf)
{
	struct pf_job *j;
	struct db_res *r;
	char *why;
	size_t sent = 0;
	int rc;

	while (!pf->stop && pf->done < pf->n) {
		if (sent < pf->n && sent < pf->taken + pf->ahead) {
			j = &pf->jobs[sent];	/* not the caller's yet */
			why = NULL;
			pthread_mutex_unlock(&pf->mu);
			rc = db_stream_send(pf->stream, j->name, j->n,
			    (const char *const *)j->params, &why);
			pthread_mutex_lock(&pf->mu);
			if (rc != 0) {
				fail_rest(pf, why);
				free(why);
				return;
			}
			sent++;
			continue;
		}
		if (sent == pf->done) {
			/* nothing sent ahead: wait for the caller to take */
			pthread_cond_wait(&pf->cv, &pf->mu);
			continue;
		}
		why = NULL;
		pthread_mutex_unlock(&pf->mu);
		r = db_stream_recv(pf->stream, &why);
		pthread_mutex_lock(&pf->mu);
		pf->jobs[pf->done].res = r;
		pf->jobs[pf->done].cause = why;
		pf->done++;
		pthread_cond_broadcast(&pf->cv);
	}
}

static void *
reader(void *arg)
{
	struct prefetch *pf = arg;

	pthread_mutex_lock(&pf->mu);
	read_ahead(pf);
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
	if ((pf->stream = db_stream_open(own, cause)) == NULL) {
		db_close(own);
		free(pf);
		return NULL;
	}
	pf->jobs = jobs;
	pf->n = n;
	pf->ahead = ahead > 0 ? ahead : 1;
	pthread_mutex_init(&pf->mu, NULL);
	pthread_cond_init(&pf->cv, NULL);
	if (pthread_create(&pf->thread, NULL, reader, pf) != 0) {
		*cause = xstrdup("cannot start the read-ahead thread");
		pthread_mutex_destroy(&pf->mu);
		pthread_cond_destroy(&pf->cv);
		db_stream_close(pf->stream);
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
	db_stream_close(pf->stream);
	db_close(pf->db);
	free(pf);
}
