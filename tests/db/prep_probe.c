/*
 * prep_probe.c - test helper for tests/db/test_prepared.sh: runs embedded
 * statements by name (db_run, which prepares a statement in the session
 * from its second use on, src/db/db_queries.c) and plain SQL on one
 * connection to the database of the libpq environment, one line per step:
 *
 *   prep_probe STEP...
 *     run:NAME[|PARAM...]  db_run NAME: "ok ROWS FIRST" (FIRST: the first
 *                          row's first column, "-" when none) or "fail CAUSE"
 *     sql:TEXT             TEXT with the simple protocol: "ok" or "fail CAUSE"
 *     count                "prepared N": the session's statements named mw_q_*
 *
 * Exit 0 when it ran (whatever the steps did), 2 on a usage error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/xmalloc.h"

#define MAXP 8

/* run:NAME|PARAM... */
static void
step_run(struct db *db, const char *spec)
{
	char *copy = xstrdup(spec), *p = copy, *name, *cause = NULL;
	const char *params[MAXP], *first;
	struct db_res *r;
	int n = 0;

	name = strsep(&p, "|");
	while (p != NULL && n < MAXP)
		params[n++] = strsep(&p, "|");
	r = db_run(db, &cause, name, n, params);
	if (r == NULL) {
		printf("fail %s\n", cause != NULL ? cause : "?");
	} else {
		first = db_res_rows(r) > 0 ? db_res_get(r, 0, 0) : NULL;
		printf("ok %d %s\n", db_res_rows(r), first != NULL ? first : "-");
		db_res_free(r);
	}
	free(cause);
	free(copy);
}

int
main(int argc, char **argv)
{
	struct db *db;
	struct db_res *r;
	char *cause = NULL;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: prep_probe run:NAME[|P...] | sql:TEXT | "
		    "count ...\n");
		return 2;
	}
	if ((db = db_open("", &cause)) == NULL) {
		fprintf(stderr, "prep_probe: %s\n", cause);
		free(cause);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "run:", 4) == 0)
			step_run(db, argv[i] + 4);
		else if (strncmp(argv[i], "sql:", 4) == 0) {
			if (db_exec_script(db, &cause, argv[i] + 4) == 0)
				printf("ok\n");
			else
				printf("fail %s\n", cause);
			free(cause);
			cause = NULL;
		} else if (strcmp(argv[i], "count") == 0) {
			r = DBQ(db, &cause, "SELECT count(*) FROM "
			    "pg_prepared_statements WHERE name LIKE 'mw\\_q\\_%'");
			printf("prepared %s\n", r != NULL ? db_res_get(r, 0, 0) :
			    cause);
			db_res_free(r);
			free(cause);
			cause = NULL;
		} else {
			fprintf(stderr, "prep_probe: bad step %s\n", argv[i]);
			db_close(db);
			return 2;
		}
		fflush(stdout);
	}
	db_close(db);
	return 0;
}
