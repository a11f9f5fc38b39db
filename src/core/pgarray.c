/*
 * pgarray.c - PostgreSQL array literals for list parameters (see
 * pgarray.h).
 */
#include "config.h"

#include <stddef.h>

#include "midwatch/buf.h"
#include "midwatch/pgarray.h"

/* Opens a literal. */
void
pgarray_begin(struct buf *b)
{
	buf_reset(b);
	buf_addc(b, '{');
}

/* The separator before an element: none right after the "{". */
static void
pgarray_sep(struct buf *b)
{
	if (b->len > 0 && b->s[b->len - 1] != '{')
		buf_addc(b, ',');
}

/* Appends a number. */
void
pgarray_add_ll(struct buf *b, long long v)
{
	pgarray_sep(b);
	buf_printf(b, "%lld", v);
}

/* Appends a quoted text element. */
void
pgarray_add_text(struct buf *b, const char *s)
{
	pgarray_sep(b);
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/* Closes the literal. */
const char *
pgarray_end(struct buf *b)
{
	buf_addc(b, '}');
	return buf_str(b);
}

/* A literal of ids. */
char *
pgarray_ids(const long long *ids, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	pgarray_begin(&b);
	for (i = 0; i < n; i++)
		pgarray_add_ll(&b, ids[i]);
	pgarray_end(&b);
	return buf_steal(&b);
}
