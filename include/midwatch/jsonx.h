/*
 * jsonx.h - jansson helpers: typed getters that fill *cause, and dumping.
 */
#ifndef MIDWATCH_JSONX_H
#define MIDWATCH_JSONX_H

#include <jansson.h>

/* Borrowed string member, or NULL (with *cause set when required). */
const char *jsonx_str(json_t *obj, const char *key, int required, char **cause);
/* Number member (integer or real) into *out; 0 ok, 1 absent, -1 bad type. */
int jsonx_num(json_t *obj, const char *key, double *out, char **cause);
/* Returns a malloc'd compact dump of j (never NULL); caller frees. */
char *jsonx_dump(const json_t *j);
/* JSON text built by jansson from a json_pack format ("{s:i, s:b}", ...),
 * compact with sorted keys, malloc'd: the way to write a small payload, so
 * no JSON is formatted by hand.  A format that does not pack is a bug:
 * fatal. */
char *jsonx_pack(const char *fmt, ...);
/* The keys of object obj sorted by strcmp, borrowed from it, in a malloc'd
 * array of *n (caller frees the array). */
const char **jsonx_sorted_keys(json_t *obj, size_t *n);

#endif
