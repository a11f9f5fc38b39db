/*
 * demo.h - the bundled demo scenario: a day of a small shop's telemetry with
 * injected faults, written as JSON Lines for ingest plus its ground truth.
 */
#ifndef MIDWATCH_DEMO_H
#define MIDWATCH_DEMO_H

#include <stdio.h>

/* Writes the demo scenario as JSON Lines (doc/interfaces.md) to out and
 * the ground truth (one JSON array, pretty) to truth (truth may be NULL).
 * Returns 0, or -1 with *cause set to a malloc'd message. */
int demo_generate(FILE *out, FILE *truth, unsigned long seed, char **cause);

#endif
