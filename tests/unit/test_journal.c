/*
 * test_journal.c - unit tests for the idempotency keys and the console's
 * journal (issue 11): random v4 UUIDs (format, version and variant bits,
 * no repeats); the journal written, read back in order for its database
 * and project only, a line removed by key, the file gone when empty, mode
 * 0600; a line cut short by a crash skipped and the next append starting
 * on a new line; one entry per key; the fields a replay needs survive; a
 * token pasted into a note never reaches the file.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "midwatch/feedback.h"
#include "midwatch/journal.h"
#include "midwatch/uuid.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"

static void
test_uuid(void **state)
{
	char a[UUID_STRLEN], b[UUID_STRLEN];
	char *seen[1000];
	int i, j;

	(void)state;
	uuid_v4(a);
	uuid_v4(b);
	assert_int_equal(strlen(a), 36);
	assert_true(uuid_valid(a));
	assert_true(uuid_valid(b));
	assert_string_not_equal(a, b);
	assert_int_equal(a[14], '4');				/* version 4 */
	assert_non_null(strchr("89ab", a[19]));			/* RFC 4122 */
	assert_false(uuid_valid("not-a-uuid"));
	assert_false(uuid_valid("0123456789abcdef0123456789abcdef0123"));
	assert_false(uuid_valid(NULL));
	for (i = 0; i < 1000; i++) {
		uuid_v4(a);
		seen[i] = xstrdup(a);
		for (j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
	for (i = 0; i < 1000; i++)
		free(seen[i]);
}

/* A feedback intent as the console makes one. */
static struct intent *
mk(const char *key, long long id, const char *payload)
{
	struct intent *in = xcalloc(1, sizeof *in);

	in->type = INTENT_FEEDBACK;
	in->action = payload != NULL ? FB_ALERT_SILENCE : FB_ALERT_ACK;
	in->target_kind = xstrdup("alert");
	in->target_id = id;
	in->payload = payload != NULL ? xstrdup(payload) : NULL;
	in->key = xstrdup(key);
	in->label = xasprintf("acknowledge alert #%lld", id);
	in->expect = xstrdup("acknowledged");
	in->at = 1763271234.5;
	return in;
}

/* A fresh journal path in a new directory (made by journal_append). */
static char *
jpath(void)
{
	char dir[] = "/tmp/mwjournal.XXXXXX";

	assert_non_null(mkdtemp(dir));
	return xasprintf("%s/sub/journal", dir);
}

/* Removes the test's files. */
static void
jclean(char *path)
{
	char *p = xasprintf("%s.lock", path);

	unlink(path);
	unlink(p);
	free(p);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	free(path);
}

/* Loads and checks the ids in order; frees what it loaded. */
static void
expect_ids(const char *path, const char *db, long long project,
    const long long *ids, size_t n, size_t other)
{
	struct intent **in;
	size_t got, oth, i;
	char *cause = NULL;

	assert_int_equal(journal_load(path, db, project, &in, &got, &oth,
	    &cause), 0);
	assert_int_equal(got, n);
	assert_int_equal(oth, other);
	for (i = 0; i < got; i++) {
		assert_int_equal(in[i]->target_id, ids[i]);
		intent_free(in[i]);
	}
	free(in);
}

static void
test_journal_roundtrip(void **state)
{
	char *path = jpath(), *cause = NULL;
	struct intent *in[3], **back;
	const long long all[] = { 1, 2, 3 }, two[] = { 1, 3 };
	struct stat st;
	size_t n, other, i;

	(void)state;
	in[0] = mk("console:k1", 1, NULL);
	in[1] = mk("console:k2", 2, "{\"seconds\": 3600}");
	in[2] = mk("console:k3", 3, NULL);
	in[1]->actor = xstrdup("bob");
	/* nothing yet: an empty journal */
	expect_ids(path, "42/mw", 7, NULL, 0, 0);
	assert_int_equal(journal_append(path, "42/mw", 7, "alice", in, 2,
	    &cause), 0);
	assert_int_equal(journal_append(path, "42/mw", 7, "alice", in + 2, 1,
	    &cause), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	expect_ids(path, "42/mw", 7, all, 3, 0);
	/* another database or project sees none of them */
	expect_ids(path, "43/mw", 7, NULL, 0, 3);
	expect_ids(path, "42/mw", 8, NULL, 0, 3);
	/* what a replay needs comes back */
	assert_int_equal(journal_load(path, "42/mw", 7, &back, &n, &other,
	    &cause), 0);
	assert_int_equal(n, 3);
	assert_string_equal(back[0]->key, "console:k1");
	assert_string_equal(back[0]->actor, "alice");
	assert_string_equal(back[1]->actor, "bob");
	assert_int_equal(back[1]->action, FB_ALERT_SILENCE);
	assert_string_equal(back[1]->payload, "{\"seconds\":3600}");
	assert_null(back[0]->payload);
	assert_string_equal(back[0]->target_kind, "alert");
	assert_string_equal(back[0]->label, "acknowledge alert #1");
	assert_string_equal(back[0]->expect, "acknowledged");
	assert_true(back[0]->at > 1763271234.4 && back[0]->at < 1763271234.6);
	for (i = 0; i < n; i++)
		intent_free(back[i]);
	free(back);
	/* removal by key, in the middle; the order of the rest stays */
	assert_int_equal(journal_remove(path, "console:k2", &cause), 0);
	expect_ids(path, "42/mw", 7, two, 2, 0);
	assert_int_equal(journal_remove(path, "console:nope", &cause), 0);
	expect_ids(path, "42/mw", 7, two, 2, 0);
	assert_int_equal(journal_remove(path, "console:k1", &cause), 0);
	assert_int_equal(journal_remove(path, "console:k3", &cause), 0);
	assert_int_not_equal(access(path, F_OK), 0);	/* gone when empty */
	for (i = 0; i < 3; i++)
		intent_free(in[i]);
	jclean(path);
}

static void
test_journal_torn(void **state)
{
	char *path = jpath(), *cause = NULL;
	struct intent *in[2];
	const long long ids[] = { 1, 2 }, one[] = { 2 };
	FILE *f;

	(void)state;
	in[0] = mk("console:a", 1, NULL);
	in[1] = mk("console:b", 2, NULL);
	assert_int_equal(journal_append(path, "42/mw", 7, "alice", in, 1,
	    &cause), 0);
	/* a crash in the middle of an append: half a line, no newline */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("{\"key\":\"console:torn\",\"db\":\"42/mw\",\"proj", f);
	fclose(f);
	expect_ids(path, "42/mw", 7, ids, 1, 0);
	/* the next append starts on a new line: nothing of it is lost */
	assert_int_equal(journal_append(path, "42/mw", 7, "alice", in + 1, 1,
	    &cause), 0);
	expect_ids(path, "42/mw", 7, ids, 2, 0);
	/* the same intent twice (an append retried) is one entry */
	assert_int_equal(journal_append(path, "42/mw", 7, "alice", in + 1, 1,
	    &cause), 0);
	expect_ids(path, "42/mw", 7, ids, 2, 0);
	/* a rewrite drops the torn line */
	assert_int_equal(journal_remove(path, "console:a", &cause), 0);
	expect_ids(path, "42/mw", 7, one, 1, 0);
	assert_int_equal(journal_remove(path, "console:b", &cause), 0);
	assert_int_not_equal(access(path, F_OK), 0);
	intent_free(in[0]);
	intent_free(in[1]);
	jclean(path);
}

/* A note's text and label are written redacted (as feedback_record stores
 * them); the rest of the text stays. */
static void
test_journal_redacted(void **state)
{
	static const char tok[] = "ghp_n8nFakevGPuKaGmSaWHGOKxG8pKHBJwJq13T";
	char *path = jpath(), *cause = NULL, *payload, line[4096];
	struct intent *in;
	FILE *f;
	size_t n;

	(void)state;
	payload = xasprintf("{\"text\": \"rolled back, token %s\"}", tok);
	in = mk("console:n1", 5, payload);
	in->action = FB_NOTE;
	free(in->label);
	in->label = xasprintf("note: token %s", tok);
	assert_int_equal(journal_append(path, "42/mw", 7, "alice", &in, 1,
	    &cause), 0);
	assert_non_null(f = fopen(path, "r"));
	n = fread(line, 1, sizeof line - 1, f);
	fclose(f);
	line[n] = '\0';
	assert_null(strstr(line, tok));
	assert_null(strstr(line, "FakevGPu"));
	assert_non_null(strstr(line, "rolled back, token [redacted"));
	assert_non_null(strstr(line, "note: token [redacted"));
	assert_int_equal(journal_remove(path, "console:n1", &cause), 0);
	intent_free(in);
	free(payload);
	jclean(path);
}

static void
test_journal_errors(void **state)
{
	char *cause = NULL;
	struct intent *in = mk("console:x", 1, NULL);

	(void)state;
	/* a directory that cannot be made: an error with a cause */
	assert_int_equal(journal_append("/proc/midwatch-no/journal", "42/mw", 7,
	    "alice", &in, 1, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "journal"));
	free(cause);
	intent_free(in);
	/* the path follows the state directory */
	setenv("MIDWATCH_STATE_DIR", "/srv/mw-state", 1);
	cause = journal_path();
	assert_string_equal(cause, "/srv/mw-state/journal");
	free(cause);
	unsetenv("MIDWATCH_STATE_DIR");
	setenv("XDG_STATE_HOME", "/home/x/.state", 1);
	cause = journal_path();
	assert_string_equal(cause, "/home/x/.state/midwatch/journal");
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_journal_roundtrip),
		cmocka_unit_test(test_journal_torn),
		cmocka_unit_test(test_journal_redacted),
		cmocka_unit_test(test_journal_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
