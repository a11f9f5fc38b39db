/*
 * hash.h - the one FNV-1a 64 of the program: migration checksums, error and
 * alert fingerprints, the ingest's name cache and the demo's Alertmanager
 * fingerprints all hash with it, so a fingerprint computed in one place
 * matches the same bytes hashed in another.
 */
#ifndef MIDWATCH_HASH_H
#define MIDWATCH_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The FNV-1a 64 offset basis: where a hash starts. */
#define MW_FNV1A64_INIT 0xcbf29ce484222325ULL

/* FNV-1a 64 of len bytes of data, continuing from h (start with
 * MW_FNV1A64_INIT; hash a NUL byte between fields to keep them apart). */
uint64_t fnv1a64(uint64_t h, const void *data, size_t len);
/* fnv1a64 of the NUL-terminated s, continuing from h. */
uint64_t fnv1a64_str(uint64_t h, const char *s);
/* h as 16 lowercase hex digits and a NUL. */
void fnv1a64_hex(uint64_t h, char out[17]);

#endif
