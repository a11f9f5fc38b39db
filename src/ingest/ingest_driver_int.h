/*
 * ingest_driver_int.h - what the files of the ingest driver share beyond
 * ingest_int.h (ingest.c: the service-name cache, batches, the driver;
 * ingest_dead.c: dead letters; ingest_flush.c: writing a batch;
 * ingest_stream.c: reading the input); not part of any interface.
 */
#ifndef MIDWATCH_INGEST_DRIVER_INT_H
#define MIDWATCH_INGEST_DRIVER_INT_H

#include "ingest_int.h"

/* ingest.c: forgets the service ids resolved by flush gen (rolled back). */
void ingest_svc_forget(struct ingest *in, unsigned gen);

/* ingest.c: a batch made empty, its memory released (the points too when
 * owns_points), or emptied for reuse. */
void ingest_batch_init(struct ingest_batch *b);
void ingest_batch_release(struct ingest_batch *b, int owns_points);
void ingest_batch_reuse(struct ingest_batch *b);

/* ingest.c: adds the counts of d to s; counts a rejected line. */
void ingest_stats_merge(struct ingest_stats *s, const struct ingest_stats *d);
void ingest_stats_reject(struct ingest *in, const char *source, long long line,
    const char *reason);

/* ingest_dead.c: a reason for ingest_errors and the summary: valid UTF-8,
 * and no secret even when it quotes the input (malloc'd). */
char *ingest_dead_reason(const char *reason);

/* ingest_flush.c: writes the batch's dead letters. */
int ingest_flush_dead(struct ingest *in, char **cause);

#endif
