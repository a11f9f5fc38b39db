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
