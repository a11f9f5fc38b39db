/*
 * pipeline_int.h - helpers shared by the pipeline driver and the stages it
 * owns (detect, gate, evidence, hypothesize); not part of any interface.
 */
#ifndef MIDWATCH_PIPELINE_INT_H
#define MIDWATCH_PIPELINE_INT_H

#include <jansson.h>

#include "midwatch/midwatch.h"

struct pipeline_ctx;

/* The gate's policy version, stored with every decision. */
#define PIPELINE_POLICY_VERSION "gate-v1"

/* FROM ... ORDER BY of "the incidents this run touched that the gate
 * approved", shared by the stages that work per incident (alias i);
 * parameters: $1 project, $2 run, $3 PIPELINE_POLICY_VERSION. */
#define PIPELINE_SQL_APPROVED_OF_RUN \
	" FROM midwatch.incidents i JOIN midwatch.incident_decisions d" \
	"  ON d.project_id = i.project_id AND d.incident_id = i.id" \
	"  AND d.policy_version = $3" \
	" WHERE i.project_id = $1 AND i.run_id = $2 AND d.decision = 'approved'" \
	" ORDER BY i.window_start, i.id"

/* A signal below this quality (or flapping) is only watched. */
#define PIPELINE_WATCH_QUALITY 0.3
#define PIPELINE_WATCH_QUALITY_SQL "0.3"

/* Sets summary[stage][key] = n (creating the stage object). */
void pipeline_count(struct pipeline_ctx *ctx, const char *stage,
    const char *key, long long n);
/* Formats a double for a SQL parameter ("%.17g"; NAN -> NULL is up to the
 * caller) into buf (at least 32 bytes); returns buf. */
const char *pipeline_num(char *buf, size_t len, double v);
/* Formats an integer into buf; returns buf. */
const char *pipeline_ll(char *buf, size_t len, long long v);

#endif
