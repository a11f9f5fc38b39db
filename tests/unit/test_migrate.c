/*
 * test_migrate.c - unit tests for migration discovery: numeric ordering,
 * checksums, duplicate numbers and non-migration files.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "midwatch/db.h"
#include "midwatch/xmalloc.h"

static char tmpdir[64];

/* Writes text into tmpdir/name. */
static void
put(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

/* Makes a fresh directory for one test. */
static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mwmig.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Removes the directory. */
static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf %s", tmpdir);
	int rc;

	(void)state;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static void
test_order(void **state)
{
	struct migration *m;
	size_t n;
	char *cause = NULL;

	(void)state;
	put("010_ten.sql", "select 10;");
	put("002_two.sql", "select 2;");
	put("001_one.sql", "select 1;");
	put("README", "not a migration");
	put("003notsep.sql", "no underscore");
	put("004_x.txt", "wrong suffix");
	assert_int_equal(db_migrations_load(tmpdir, &m, &n, &cause), 0);
	assert_int_equal(n, 3);
	assert_string_equal(m[0].name, "001_one.sql");
	assert_string_equal(m[1].name, "002_two.sql");
	assert_string_equal(m[2].name, "010_ten.sql");
	assert_int_equal(m[2].number, 10);
	assert_string_equal(m[0].sql, "select 1;");
	db_migrations_free(m, n);
}

static void
test_duplicate(void **state)
{
	struct migration *m;
	size_t n;
	char *cause = NULL;

	(void)state;
	put("001_a.sql", "a");
	put("001_b.sql", "b");
	assert_int_equal(db_migrations_load(tmpdir, &m, &n, &cause), -1);
	assert_non_null(strstr(cause, "same number"));
	free(cause);
}

static void
test_empty_and_missing(void **state)
{
	struct migration *m;
	size_t n;
	char *cause = NULL;

	(void)state;
	assert_int_equal(db_migrations_load(tmpdir, &m, &n, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(db_migrations_load("/nonexistent/sql", &m, &n, &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent/sql"));
	free(cause);
}

static void
test_checksum(void **state)
{
	char a[17], b[17], c[17];

	(void)state;
	db_checksum("", 0, a);
	assert_string_equal(a, "cbf29ce484222325");	/* FNV-1a 64 offset basis */
	db_checksum("a", 1, a);
	assert_string_equal(a, "af63dc4c8601ec8c");	/* published FNV-1a vector */
	db_checksum("select 1;", 9, b);
	db_checksum("select 2;", 9, c);
	assert_string_not_equal(b, c);
	assert_int_equal(strlen(b), 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_missing, setup, teardown),
		cmocka_unit_test(test_checksum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
