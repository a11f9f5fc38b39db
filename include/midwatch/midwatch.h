/*
 * midwatch.h - the one umbrella header: common macros and attributes used by
 * every module.  Module interfaces live in their own headers next to this.
 */
#ifndef MIDWATCH_MIDWATCH_H
#define MIDWATCH_MIDWATCH_H

#include <stddef.h>

#define MW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MW_UNUSED __attribute__((unused))
#define MW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define MW_NORETURN __attribute__((noreturn))

/* The longest identifier (service, metric, dependency, deploy and change
 * ids...) ingest accepts, in bytes of UTF-8; a buffer holding one needs
 * MW_NAME_MAX + 1 bytes and must never cut it. */
#define MW_NAME_MAX 512

/* Exit codes of the command line: 0 ok, 1 runtime error, 2 usage. */
#define MW_EXIT_OK 0
#define MW_EXIT_ERROR 1
#define MW_EXIT_USAGE 2

#endif
