/*
 * ingest_kinds_int.h - what the files of the JSON Lines format share
 * (ingest_kinds.c the kinds and the rules, ingest_kinds_changes.c the change
 * kinds, ingest_fields.c the fields and the row); not part of any interface.
 */
#ifndef MIDWATCH_INGEST_KINDS_INT_H
#define MIDWATCH_INGEST_KINDS_INT_H

#include <stddef.h>

#include <jansson.h>

#include "midwatch/ingest.h"
#include "midwatch/midwatch.h"

/* Accepted timestamps: 1900-01-01 .. 9999-12-31 (PostgreSQL and the
 * partition names both cope). */
#define KINDS_TS_MIN (-2208988800.0)
#define KINDS_TS_MAX (253402300799.0)
#define KINDS_MAX_LABELS_KEY 1024

/* k_str flags. */
#define K_REQ 0x1	/* required */
#define K_EMPTY_OK 0x2	/* "" is a valid value (else it counts as absent,
			 * or is refused when required) */

/* What a per-kind parser works on. */
struct kinds_ctx {
	json_t *obj;		/* the line (borrowed) */
	json_t *row;		/* the normalised row being built */
	struct ingest_rec *rec;
	char **cause;
};

/* ingest_fields.c: refuses the line with a reason (sets *c->cause); -1. */
int MW_PRINTF(2, 3) ingest_kinds_fail(struct kinds_ctx *c, const char *fmt,
    ...);

/* ingest_fields.c: reads field key of the line, checked (0, or -1 with the
 * reason set): a string (flags K_REQ, K_EMPTY_OK; at most max bytes), a
 * timestamp, a number, a count (of obj), a boolean, an id, one of words. */
int ingest_k_str(struct kinds_ctx *c, const char *key, int flags, size_t max,
    const char **out);
int ingest_k_ts(struct kinds_ctx *c, const char *key, int req, double *out,
    int *present);
int ingest_k_num(struct kinds_ctx *c, const char *key, int req, double *out,
    int *present);
int ingest_k_count(struct kinds_ctx *c, json_t *obj, const char *key,
    long long max,
    long long *out);
int ingest_k_bool(struct kinds_ctx *c, const char *key, int *out);
int ingest_k_id(struct kinds_ctx *c, const char *key, int req, char **out);
int ingest_k_enum(struct kinds_ctx *c, const char *key, int req,
    const char *const *words,
    const char **out);

/* ingest_fields.c: sets a field of the row: a string or null, canonical
 * time or null, a number or null; "kind" or a field in known; row.extra
 * from the fields not in known (secrets redacted). */
void ingest_row_str(struct kinds_ctx *c, const char *key, const char *s);
void ingest_row_ts(struct kinds_ctx *c, const char *key, double t, int present);
void ingest_row_num(struct kinds_ctx *c, const char *key, double v,
    int present);
int ingest_kinds_known(const char *key, const char *const *known);
void ingest_row_extra(struct kinds_ctx *c, const char *const *known);

/* ingest_kinds_changes.c: the change kinds' parsers (0, or -1). */
int ingest_kind_deploy(struct kinds_ctx *c);
int ingest_kind_commit(struct kinds_ctx *c);
int ingest_kind_config_change(struct kinds_ctx *c);

#endif
