/*
 * pgarray.h - PostgreSQL array literals ("{1,2,3}", "{\"a\",\"b\\\"c\"}")
 * for passing a list as ONE query parameter ($2::bigint[], $2::text[]),
 * written once: every list of ids or names a query takes is built here.
 * The literal is a parameter's value, never SQL text.
 */
#ifndef MIDWATCH_PGARRAY_H
#define MIDWATCH_PGARRAY_H

#include <stddef.h>

#include "midwatch/buf.h"

/* Empties b and opens a literal in it ("{"). */
void pgarray_begin(struct buf *b);
/* Appends a number to the literal open in b. */
void pgarray_add_ll(struct buf *b, long long v);
/* Appends a text element, double-quoted with " and \ escaped (so commas,
 * braces, spaces, NULL and the empty string stay what they are). */
void pgarray_add_text(struct buf *b, const char *s);
/* Closes the literal ("}") and returns b's text. */
const char *pgarray_end(struct buf *b);
/* ids[0..n) as a literal, malloc'd ("{}" for none). */
char *pgarray_ids(const long long *ids, size_t n);

#endif
