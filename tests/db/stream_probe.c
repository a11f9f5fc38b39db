/*
 * stream_probe.c - test helper for tests/db/test_stream.sh: runs embedded
 * statements through a stream (db_stream_*, src/db/db_stream.c) on the
 * database of the libpq environment and prints one line per statement, in
 * the order sent: "ok ROWS T" (T: the first row's column t, a binary
 * float8, as a whole number; "-" when there is no row or no such column)
 * or "fail CAUSE".
 *
 *   stream_probe SPEC... [--pause FILE SPEC...]
 *
 * SPEC is "name|param|param...".  The statements before --pause are all
 * sent, then all received; then it prints "paused", waits (at most 60 s)
 * for FILE to exist, and sends and receives the rest the same way.  Exit 0
 * when it ran (whatever the statements did), 2 on a usage error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midwatch/db.h"
#include "midwatch/xmalloc.h"

#define MAXP 8

/* Sends the statement spec (split at '|'); prints "fail" when it cannot. */
static int
send_spec(struct db_stream *s, const char *spec)
{
	char *copy = xstrdup(spec), *p = copy, *name, *cause = NULL;
	const char *params[MAXP];
	int n = 0, rc;

	name = strsep(&p, "|");
	while (p != NULL && n < MAXP)
		params[n++] = strsep(&p, "|");
	rc = db_stream_send(s, name, n, params, &cause);
	if (rc != 0) {
		printf("fail %s\n", cause);
		free(cause);
	}
	free(copy);
	return rc;
}

/* Non-zero when the statement of spec has a result column t. */
static int
has_t(const char *spec)
{
	char name[128], cols[512], *tok, *p;
	const struct db_query_text *q;

	snprintf(name, sizeof name, "%.*s", (int)strcspn(spec, "|"), spec);
	q = db_query_find(name);
	snprintf(cols, sizeof cols, "%s", q->columns);
	for (p = cols; (tok = strsep(&p, " ")) != NULL;)
		if (strcmp(tok, "t") == 0)
			return 1;
	return 0;
}

/* Sends specs[0..n-1], then receives what was sent. */
static void
round_of(struct db_stream *s, char **specs, int n)
{
	struct db_res *r;
	char *cause;
	int i, sent = 0, *sent_i = xcalloc((size_t)n + 1, sizeof *sent_i);

	for (i = 0; i < n; i++)
		if (send_spec(s, specs[i]) == 0)
			sent_i[sent++] = i;
	for (i = 0; i < sent; i++) {
		cause = NULL;
		r = db_stream_recv(s, &cause);
		if (r == NULL) {
			printf("fail %s\n", strtok(cause, "\n"));
			free(cause);
			continue;
		}
		if (db_res_rows(r) > 0 && has_t(specs[sent_i[i]]))
			printf("ok %d %.0f\n", db_res_rows(r),
			    db_res_f(r, 0, db_col(r, "t")));
		else
			printf("ok %d -\n", db_res_rows(r));
		db_res_free(r);
	}
	free(sent_i);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct db *db;
	struct db_stream *s;
	char *cause = NULL;
	int i, k;

	if (argc < 2)
		return 2;
	if ((db = db_open(NULL, &cause)) == NULL ||
	    (s = db_stream_open(db, &cause)) == NULL) {
		fprintf(stderr, "stream_probe: %s\n", cause);
		return 1;
	}
	for (i = 1; i < argc && strcmp(argv[i], "--pause") != 0; i++)
		;
	round_of(s, argv + 1, i - 1);
	if (i + 1 < argc) {
		printf("paused\n");
		fflush(stdout);
		for (k = 0; k < 600 && access(argv[i + 1], F_OK) != 0; k++)
			usleep(100000);
		round_of(s, argv + i + 2, argc - i - 2);
	}
	db_stream_close(s);
	db_close(db);
	return 0;
}
