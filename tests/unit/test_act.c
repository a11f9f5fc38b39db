/*
 * test_act.c - unit tests of how an action request on a recommendation is
 * read (src/feedback/feedback_act.c), the same for `midwatch act` and the
 * console's `!` prompt: random valid requests (actions, channel names,
 * texts, reminder durations) give the payload they say, with a reminder's
 * time fixed from the clock given; malformed ones are refused with a reason
 * naming what is wrong.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <jansson.h>

#include "midwatch/feedback.h"
#include "midwatch/jsonx.h"
#include "midwatch/timefmt.h"

/* A random lower-case word of 1 to 12 letters into w. */
static void
rand_word(char *w)
{
	int n = rand() % 12 + 1, i;

	for (i = 0; i < n; i++)
		w[i] = (char)('a' + rand() % 26);
	w[n] = '\0';
}

/* Expects line to be refused, the reason holding why. */
static void
expect_bad(const char *line, const char *why)
{
	char *cause = NULL;
	json_t *p = feedback_act_parse(line, 1e9, &cause);

	if (p != NULL)
		fail_msg("'%s' accepted", line);
	assert_non_null(cause);
	if (strstr(cause, why) == NULL)
		fail_msg("'%s': '%s' does not say '%s'", line, cause, why);
	free(cause);
}

/* Random valid console answers give the payload they say. */
static void
test_parse_random(void **state)
{
	static const char *const msg[] = { "message", "m", "send_message" };
	static const char *const task[] = { "task", "t",
	    "create_or_update_task" };
	static const char *const rem[] = { "reminder", "r", "set_reminder" };
	char line[256], ch[16], w1[16], w2[16], text[40], want_at[40];
	char *cause = NULL;
	double now = 1.7e9 + rand() % 100000;
	int i, kind, secs;
	json_t *p;

	(void)state;
	for (i = 0; i < 500; i++) {
		kind = rand() % 3;
		rand_word(ch);
		rand_word(w1);
		rand_word(w2);
		snprintf(text, sizeof text, "%s %s", w1, w2);
		secs = rand() % FEEDBACK_REMINDER_MAX + 1;
		if (kind == 2)
			snprintf(line, sizeof line, "%s %ds %s", rem[rand() % 3],
			    secs, text);
		else
			snprintf(line, sizeof line, " %s  %s %s",
			    kind == 0 ? msg[rand() % 3] : task[rand() % 3], ch,
			    text);
		p = feedback_act_parse(line, now, &cause);
		if (p == NULL)
			fail_msg("'%s' refused: %s", line, cause);
		assert_string_equal(jsonx_str(p, "action", 0, NULL),
		    kind == 0 ? "send_message" : kind == 1 ?
		    "create_or_update_task" : "set_reminder");
		assert_string_equal(jsonx_str(p, "text", 0, NULL), text);
		if (kind == 2) {
			timefmt_format(now + secs, want_at, sizeof want_at);
			assert_string_equal(jsonx_str(p, "at", 0, NULL), want_at);
			assert_null(json_object_get(p, "channel"));
		} else {
			assert_string_equal(jsonx_str(p, "channel", 0, NULL), ch);
			assert_null(json_object_get(p, "at"));
		}
		json_decref(p);
	}
}

/* What the prompt and the CLI refuse, and why. */
static void
test_parse_bad(void **state)
{
	char *cause = NULL;
	json_t *p;

	(void)state;
	expect_bad("", "say what to do");
	expect_bad("   ", "say what to do");
	expect_bad("frob hook", "unknown action frob");
	expect_bad("message", "send_message needs a channel");
	expect_bad("task", "create_or_update_task needs a channel");
	expect_bad("reminder", "set_reminder needs a time");
	expect_bad("reminder soon check", "--in: not a duration: 'soon'");
	expect_bad("reminder 0s x", "not a duration");
	expect_bad("reminder 31d x", "at most 30 days ahead");
	p = feedback_act_request("set_reminder", NULL, NULL, "2026-12-04T15:00:00Z",
	    "5m", 1e9, &cause);
	assert_null(p);
	assert_non_null(strstr(cause, "one of them"));
	free(cause);
	cause = NULL;
	p = feedback_act_request("send_message", "hook", NULL, NULL, "5m", 1e9,
	    &cause);
	assert_null(p);
	assert_non_null(strstr(cause, "send_message takes no time"));
	free(cause);
	cause = NULL;
	p = feedback_act_request("set_reminder", NULL, "x", "yesterday", NULL,
	    1e9, &cause);
	assert_null(p);
	assert_non_null(strstr(cause, "--at: not a time: 'yesterday'"));
	free(cause);
	cause = NULL;
	/* --at as given, the default channel left to the writer */
	p = feedback_act_request("set_reminder", NULL, NULL,
	    "2001-09-09T01:50:00Z", NULL, 1e9, &cause);
	assert_non_null(p);
	assert_string_equal(jsonx_str(p, "at", 0, NULL), "2001-09-09T01:50:00Z");
	assert_null(json_object_get(p, "text"));
	json_decref(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_random),
		cmocka_unit_test(test_parse_bad),
	};
	unsigned seed = (unsigned)time(NULL);

	printf("# seed %u\n", seed);
	srand(seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
