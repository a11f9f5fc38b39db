/*
 * hash.c - FNV-1a 64 (see hash.h): the hash of every fingerprint and
 * checksum midwatch computes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "midwatch/hash.h"

#define FNV1A64_PRIME 0x100000001b3ULL

/* FNV-1a 64 over len bytes, continuing from h. */
uint64_t
fnv1a64(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV1A64_PRIME;
	}
	return h;
}

/* FNV-1a 64 over a string's bytes (not its NUL), continuing from h. */
uint64_t
fnv1a64_str(uint64_t h, const char *s)
{
	return fnv1a64(h, s, strlen(s));
}

/* 16 hex digits. */
void
fnv1a64_hex(uint64_t h, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}
