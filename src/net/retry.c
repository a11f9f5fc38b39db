/*
 * retry.c - the one retry policy of every external call: which outcomes
 * are worth another attempt, and exponential backoff with jitter between
 * attempts (net.h says the formula).  Pure functions of their arguments,
 * except net_jitter, so tests can pin the jitter.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "midwatch/net.h"

/* The delay after failed attempt n (see net.h). */
double
net_backoff(const struct net_retry *p, int attempt, double jitter)
{
	double base = p->base_s > 0 ? p->base_s : NET_RETRY_BASE_S;
	double cap = p->cap_s >= base ? p->cap_s : base;
	double d;

	if (attempt < 1)
		attempt = 1;
	if (!(jitter >= 0.0))
		jitter = 0.0;
	if (jitter >= 1.0)
		jitter = nextafter(1.0, 0.0);
	/* 2^(n-1) overflows nothing here: past 2^62 the cap has long won. */
	d = attempt > 62 ? cap : base * ldexp(1.0, attempt - 1);
	if (d > cap)
		d = cap;
	return d / 2.0 + jitter * d / 2.0;
}

/* Whether to try again after `attempts` failures, and when (see net.h). */
int
net_retry_next(const struct net_retry *p, int attempts, double jitter,
    double retry_after, double *delay_s)
{
	double d, cap;

	*delay_s = 0;
	if (attempts >= (p->max_attempts >= 1 ? p->max_attempts : 1))
		return 0;
	d = net_backoff(p, attempts, jitter);
	cap = p->cap_s >= p->base_s ? p->cap_s : p->base_s;
	if (retry_after > d)
		d = retry_after < cap ? retry_after : cap;
	*delay_s = d;
	return 1;
}

/* Outcomes worth retrying (see net.h). */
int
net_retryable(long status)
{
	return status == 0 || status == 408 || status == 425 || status == 429 ||
	    (status >= 500 && status <= 599);
}

static pthread_once_t jitter_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t jitter_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned short jitter_state[3];

/* Seeds the jitter generator from the clock and the pid. */
static void
jitter_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	jitter_state[0] = (unsigned short)ts.tv_nsec;
	jitter_state[1] = (unsigned short)(ts.tv_nsec >> 16) ^ (unsigned short)getpid();
	jitter_state[2] = (unsigned short)ts.tv_sec;
}

/* A uniform number in [0, 1): two processes retrying together drift apart. */
double
net_jitter(void)
{
	double r;

	pthread_once(&jitter_once, jitter_seed);
	pthread_mutex_lock(&jitter_lock);
	r = erand48(jitter_state);
	pthread_mutex_unlock(&jitter_lock);
	return r;
}
