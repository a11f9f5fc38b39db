/*
 * fuzz.h - what the fuzz targets of tests/fuzz share: the libFuzzer entry
 * point each defines, and the checks of their invariants.  A broken
 * invariant aborts with a message (libFuzzer then saves the input as a
 * crash; the replay driver's test fails).
 */
#ifndef MIDWATCH_FUZZ_H
#define MIDWATCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "midwatch/midwatch.h"

/* The entry point libFuzzer (or tests/fuzz/replay.c) calls with each input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with "fuzz invariant: " and the message. */
void fuzz_fail(const char *fmt, ...) MW_PRINTF(1, 2) MW_NORETURN;
/* Aborts naming what when cond is false. */
#define FUZZ_CHECK(cond, what) \
	do { if (!(cond)) fuzz_fail("%s:%d: %s", __FILE__, __LINE__, (what)); } \
	while (0)
/* A malloc'd NUL-terminated copy of data (up to its first NUL byte). */
char *fuzz_cstr(const uint8_t *data, size_t size);
/* Calls check with the input as a C string (fuzz_cstr); returns 0. */
int fuzz_text(const uint8_t *data, size_t size, void (*check)(const char *));
/* 1 when s[0..len) is valid UTF-8 (shortest forms, no surrogates). */
int fuzz_utf8_valid(const char *s, size_t len);
/* Checks a reason a parser gave: not empty, valid UTF-8, one line. */
void fuzz_check_cause(const char *cause);
/* Checks that every string and key in j is valid UTF-8 and that j dumps. */
void fuzz_check_json(json_t *j);

#endif
