/*
 * pipeline_int.h - helpers shared by the pipeline driver and the stages it
 * owns; not part of any interface.
 */
#ifndef MIDWATCH_PIPELINE_INT_H
#define MIDWATCH_PIPELINE_INT_H

#include <jansson.h>

#include "midwatch/midwatch.h"

struct db;
struct pipeline_ctx;
struct pipeline_stage;

/* The gate's policy version, stored with every decision. */
#define PIPELINE_POLICY_VERSION "gate-v1"

/* A window that failed this many runs in a row (for reasons of its data)
 * is given up, the gap recorded (pipeline.c). */
#define PIPELINE_MAX_TRIES 3


/*
 * Failure isolation (pipeline_unit.c).  A stage wraps each unit of work:
 *
 *	rc = pipeline_unit_begin(ctx, "detect", "series", id, &ucause);
 *	if (rc == 0)
 *		rc = work(..., &ucause);
 *	if (pipeline_unit_end(ctx, rc, "detect", "series", id, &ucause,
 *	    cause) != 0)
 *		return -1;	(only what no unit can cause: the run fails)
 *
 * begin opens a savepoint (0, or -1 with *ucause); end releases it when rc is
 * 0, else rolls the unit back, records it in ctx->skipped and returns 0 - or
 * returns -1 with *cause when the failure is not the unit's (connection
 * lost, broken schema, server out of resources).  *ucause is always freed.
 */
int pipeline_unit_begin(struct pipeline_ctx *ctx, const char *stage,
    const char *unit, const char *id, char **ucause);
int pipeline_unit_end(struct pipeline_ctx *ctx, int rc, const char *stage,
    const char *unit, const char *id, char **ucause, char **cause);
/* 1 when a unit that writes nothing of its own may skip its savepoint:
 * begin would have succeeded (no earlier stage skipped it, the test hook
 * does not make it fail); the stage then writes for it in a batch. */
int pipeline_unit_quiet(struct pipeline_ctx *ctx, const char *stage,
    const char *unit, const char *id);

/*
 * What pipeline.c shares with investigate.c, which records an investigation
 * as a run of its own (pipeline_runs.kind = 'investigate') under the same
 * lock.  pipeline_lock_holder: who holds the project's lock (malloc'd; key
 * is DB_LOCK_PIPELINE + project as text).  pipeline_reap_abandoned: marks
 * pending/running rows of dead processes failed (hold the lock).
 * pipeline_run_stages: runs stages (NULL-terminated) of the open run
 * ctx->run, each in its own transaction, then completes or fails the row
 * (0, or -1 with *cause; *relinked when it had to reconnect).
 */
char *pipeline_lock_holder(struct db *db, long long project_id,
    const char *key);
int pipeline_reap_abandoned(struct db *db, const char *proj, char **cause);

/* Investigates the external alerts of the run in ctx that no approved
 * incident covers (investigate_alerts.c): *investigated = alerts investigated, *opened = incidents opened.  0, or
 * -1 with *cause when they cannot be listed (one investigation's failure is
 * logged and skipped). */
int pipeline_investigate_alerts(struct db *db, const struct pipeline_ctx *ctx,
    int *investigated, int *opened, char **cause);
int pipeline_run_stages(struct db *db, struct pipeline_ctx *ctx,
    const struct pipeline_stage *stages, int *relinked, char **cause);

/* The alert stage's last pass (alert_group.c): groups the project's
 * unresolved alerts by incident, holds the members' notifications and lists
 * them in the head's; adds "groups" counts to summary (may be NULL).  0, or
 * -1 with *cause. */
int alert_group_apply(struct pipeline_ctx *ctx, json_t *summary,
    char **cause);

/* Turns a multi-line message into one line, in place (NULL is fine). */
void pipeline_one_line(char *s);

/* Sets summary[stage][key] = n (creating the stage object). */
void pipeline_count(struct pipeline_ctx *ctx, const char *stage,
    const char *key, long long n);
/* Formats a double for a SQL parameter ("%.17g"; NAN -> NULL is up to the
 * caller) into buf (at least 32 bytes); returns buf. */
const char *pipeline_num(char *buf, size_t len, double v);
/* Formats an integer into buf; returns buf. */
const char *pipeline_ll(char *buf, size_t len, long long v);

#endif
