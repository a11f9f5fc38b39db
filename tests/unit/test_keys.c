/*
 * test_keys.c - unit tests for key names, the action table and the key
 * bindings: the compiled-in defaults are doc/midwatch.keys, bind every key
 * the issue promises, and user bindings override them with errors that name
 * the file and line.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "midwatch/buf.h"
#include "midwatch/conf.h"
#include "midwatch/tui.h"

/* Parses name, checks the canonical name it prints. */
static void
expect_key(const char *name, const char *canonical)
{
	char out[32];
	int key, again;

	assert_int_equal(keys_parse(name, &key), 0);
	keys_name(key, out, sizeof out);
	assert_string_equal(out, canonical);
	assert_int_equal(keys_parse(out, &again), 0);
	assert_int_equal(again, key);
}

static void
test_key_names(void **state)
{
	int key;

	(void)state;
	expect_key("j", "j");
	expect_key("G", "G");
	expect_key("?", "?");
	expect_key("/", "/");
	expect_key("Enter", "Enter");
	expect_key("Return", "Enter");
	expect_key("esc", "Esc");
	expect_key("Tab", "Tab");
	expect_key("S-Tab", "S-Tab");
	expect_key("BackTab", "S-Tab");
	expect_key("Space", "Space");
	expect_key("PgDn", "PgDn");
	expect_key("PageUp", "PgUp");
	expect_key("Up", "Up");
	expect_key("C-l", "C-l");
	expect_key("^L", "C-l");
	expect_key("F5", "F5");
	expect_key("\xc3\xa9", "\xc3\xa9");	/* é */
	assert_int_equal(keys_parse("C-l", &key), 0);
	assert_int_equal(key, 12);
	assert_int_equal(keys_parse("j", &key), 0);
	assert_int_equal(key, 'j');
	assert_int_equal(keys_parse("", &key), -1);
	assert_int_equal(keys_parse("jk", &key), -1);
	assert_int_equal(keys_parse("C-", &key), -1);
	assert_int_equal(keys_parse("C-ab", &key), -1);
	assert_int_equal(keys_parse("F99", &key), -1);
	assert_int_equal(keys_parse("Nope", &key), -1);
}

static void
test_actions_table(void **state)
{
	int a, b;

	(void)state;
	for (a = 0; a < ACT_COUNT; a++) {
		assert_int_equal(action_find(action_name(a)), a);
		assert_true(strlen(action_help(a)) > 0);
		assert_true(strlen(action_group(a)) > 0);
		for (b = 0; b < a; b++)
			assert_string_not_equal(action_name(a), action_name(b));
	}
	assert_int_equal(action_find("no-such-action"), ACT_NONE);
	assert_string_equal(action_name(ACT_ACK), "ack");
}

static void
test_keymap_basic(void **state)
{
	struct keymap km;
	struct buf b;

	(void)state;
	keymap_init(&km);
	keymap_bind(&km, 'j', ACT_MOVE_DOWN);
	keymap_bind(&km, KEYC_SPECIAL + 0402, ACT_MOVE_DOWN);	/* KEY_DOWN */
	keymap_bind(&km, 'x', ACT_RESOLVE);
	assert_int_equal(keymap_lookup(&km, 'j'), ACT_MOVE_DOWN);
	keymap_bind(&km, 'x', ACT_REJECT);		/* rebinding replaces */
	assert_int_equal(keymap_lookup(&km, 'x'), ACT_REJECT);
	keymap_unbind(&km, 'x');
	assert_int_equal(keymap_lookup(&km, 'x'), ACT_NONE);
	buf_init(&b);
	assert_int_equal(keymap_keys(&km, ACT_MOVE_DOWN, &b, 0), 2);
	assert_string_equal(buf_str(&b), "j, Down");
	buf_reset(&b);
	assert_int_equal(keymap_keys(&km, ACT_MOVE_DOWN, &b, 1), 1);
	assert_string_equal(buf_str(&b), "j");
	buf_free(&b);
	keymap_free(&km);
}

/* The key named name runs action in km. */
static void
expect_bound(const struct keymap *km, const char *name, int action)
{
	int key;

	assert_int_equal(keys_parse(name, &key), 0);
	if (keymap_lookup(km, key) != action)
		fail_msg("%s runs %s, expected %s", name,
		    action_name(keymap_lookup(km, key)), action_name(action));
}

static void
test_keymap_defaults(void **state)
{
	struct keymap km;
	char *cause = NULL;
	int a, key;
	struct buf b;

	(void)state;
	keymap_init(&km);
	assert_int_equal(keymap_defaults(&km, &cause), 0);
	/* The keys the issue lists. */
	expect_bound(&km, "j", ACT_MOVE_DOWN);
	expect_bound(&km, "Down", ACT_MOVE_DOWN);
	expect_bound(&km, "k", ACT_MOVE_UP);
	expect_bound(&km, "Up", ACT_MOVE_UP);
	expect_bound(&km, "g", ACT_MOVE_FIRST);
	expect_bound(&km, "G", ACT_MOVE_LAST);
	expect_bound(&km, "PgUp", ACT_PAGE_UP);
	expect_bound(&km, "PgDn", ACT_PAGE_DOWN);
	expect_bound(&km, "Tab", ACT_NEXT_PANE);
	expect_bound(&km, "S-Tab", ACT_PREV_PANE);
	expect_bound(&km, "Enter", ACT_OPEN);
	expect_bound(&km, "Esc", ACT_BACK);
	expect_bound(&km, "/", ACT_FILTER);
	expect_bound(&km, ":", ACT_COMMAND);
	expect_bound(&km, "?", ACT_HELP);
	expect_bound(&km, "r", ACT_REFRESH);
	expect_bound(&km, "C-l", ACT_REDRAW);
	expect_bound(&km, "R", ACT_RUN_PIPELINE);
	expect_bound(&km, "q", ACT_CLOSE);
	expect_bound(&km, "Q", ACT_QUIT);
	expect_bound(&km, "Space", ACT_MARK);
	expect_bound(&km, "a", ACT_ACK);
	expect_bound(&km, "x", ACT_RESOLVE);
	expect_bound(&km, "s", ACT_SILENCE);
	expect_bound(&km, "c", ACT_CONFIRM);
	expect_bound(&km, "X", ACT_REJECT);
	expect_bound(&km, "d", ACT_DISMISS);
	expect_bound(&km, "D", ACT_DONE);
	expect_bound(&km, "e", ACT_INCIDENT_TOGGLE);
	expect_bound(&km, "n", ACT_NOTE);
	/* Every action has a key by default. */
	buf_init(&b);
	for (a = 0; a < ACT_COUNT; a++) {
		buf_reset(&b);
		if (keymap_keys(&km, a, &b, 0) == 0)
			fail_msg("action %s has no default key", action_name(a));
	}
	buf_free(&b);
	assert_int_equal(keys_parse("z", &key), 0);
	assert_int_equal(keymap_lookup(&km, key), ACT_NONE);
	keymap_free(&km);
}

/* The compiled-in text is doc/midwatch.keys, byte for byte. */
static void
test_keys_doc_file(void **state)
{
	FILE *f;
	char *path, buf[65536];
	size_t n;

	(void)state;
	path = malloc(strlen(MW_SRCDIR) + 32);
	sprintf(path, "%s/doc/midwatch.keys", MW_SRCDIR);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	free(path);
	assert_string_equal(keys_default_text, buf);
}

static void
test_keymap_user(void **state)
{
	struct keymap km;
	struct conf c;
	char *cause = NULL;
	int key;

	(void)state;
	keymap_init(&km);
	assert_int_equal(keymap_defaults(&km, &cause), 0);
	conf_init(&c);
	assert_int_equal(conf_parse(&c, "bind K move-up\nunbind x\nbind C-n move-down\n"
	    "bind F2 ack\n", "my.conf", &cause), 0);
	assert_int_equal(keymap_apply(&km, &c, &cause), 0);
	expect_bound(&km, "K", ACT_MOVE_UP);
	expect_bound(&km, "C-n", ACT_MOVE_DOWN);
	expect_bound(&km, "F2", ACT_ACK);
	expect_bound(&km, "a", ACT_ACK);	/* the default stays */
	assert_int_equal(keys_parse("x", &key), 0);
	assert_int_equal(keymap_lookup(&km, key), ACT_NONE);
	conf_free(&c);

	assert_int_equal(conf_parse(&c, "\nbind j no-such-thing\n", "my.conf", &cause), 0);
	assert_int_equal(keymap_apply(&km, &c, &cause), -1);
	assert_string_equal(cause, "my.conf:2: unknown action 'no-such-thing'");
	free(cause);
	conf_free(&c);

	assert_int_equal(conf_parse(&c, "bind Hyper-j ack\n", "my.conf", &cause), 0);
	assert_int_equal(keymap_apply(&km, &c, &cause), -1);
	assert_string_equal(cause, "my.conf:1: unknown key 'Hyper-j'");
	free(cause);
	conf_free(&c);
	keymap_free(&km);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_actions_table),
		cmocka_unit_test(test_keymap_basic),
		cmocka_unit_test(test_keymap_defaults),
		cmocka_unit_test(test_keys_doc_file),
		cmocka_unit_test(test_keymap_user),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
