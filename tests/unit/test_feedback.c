/*
 * test_feedback.c - unit tests of the one set of feedback rules the CLI and
 * the console both follow (src/feedback/feedback_rules.c): what an action
 * does to a target in each status, what else it changes, the console's
 * resolve/reopen key, and the silence duration parser (`silence --for` and
 * the console's prompt read durations the same way).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "midwatch/feedback.h"

/* Every divergence the CLI and the console had, decided once: the action,
 * the target's status, the verdict and (refused) what the reason says. */
static const struct {
	enum feedback_action a;
	const char *status;
	enum feedback_verdict v;
	const char *why;
} rules[] = {
	/* a second acknowledgement is recorded, the state unchanged */
	{ FB_ALERT_ACK, "active", FB_APPLY, NULL },
	{ FB_ALERT_ACK, "acknowledged", FB_SAME, NULL },
	{ FB_ALERT_ACK, "silenced", FB_APPLY, NULL },
	{ FB_ALERT_ACK, "resolved", FB_REFUSE, "alert 12 is resolved" },
	/* resolving a resolved alert: recorded, nothing changes */
	{ FB_ALERT_RESOLVE, "resolved", FB_SAME, NULL },
	{ FB_ALERT_RESOLVE, "silenced", FB_APPLY, NULL },
	/* a silence is re-applied (the new duration replaces the old) */
	{ FB_ALERT_SILENCE, "silenced", FB_APPLY, NULL },
	{ FB_ALERT_SILENCE, "acknowledged", FB_APPLY, NULL },
	{ FB_ALERT_SILENCE, "resolved", FB_REFUSE, "is resolved" },
	/* unsilence undoes a silence, and nothing else */
	{ FB_ALERT_UNSILENCE, "silenced", FB_APPLY, NULL },
	{ FB_ALERT_UNSILENCE, "active", FB_REFUSE, "alert 12 is not silenced" },
	{ FB_ALERT_UNSILENCE, "acknowledged", FB_REFUSE, "is not silenced" },
	{ FB_ALERT_UNSILENCE, "resolved", FB_REFUSE, "is resolved" },
	/* hypotheses flip both ways */
	{ FB_HYP_CONFIRM, "rejected", FB_APPLY, NULL },
	{ FB_HYP_CONFIRM, "confirmed", FB_SAME, NULL },
	{ FB_HYP_REJECT, "confirmed", FB_APPLY, NULL },
	{ FB_HYP_REJECT, "rejected", FB_SAME, NULL },
	/* recommendations: done is final */
	{ FB_REC_ACK, "done", FB_REFUSE, "recommendation 12 is done" },
	{ FB_REC_ACK, "dismissed", FB_REFUSE, "is dismissed" },
	{ FB_REC_ACK, "acknowledged", FB_SAME, NULL },
	{ FB_REC_DISMISS, "done", FB_REFUSE, "is already done" },
	{ FB_REC_DISMISS, "dismissed", FB_SAME, NULL },
	{ FB_REC_DONE, "dismissed", FB_APPLY, NULL },
	{ FB_REC_DONE, "done", FB_SAME, NULL },
	/* incidents: reopen only what is resolved (or suppressed) */
	{ FB_INC_RESOLVE, "open", FB_APPLY, NULL },
	{ FB_INC_RESOLVE, "resolved", FB_SAME, NULL },
	{ FB_INC_REOPEN, "resolved", FB_APPLY, NULL },
	{ FB_INC_REOPEN, "triaged", FB_SAME, NULL },
	{ FB_INC_REOPEN, "open", FB_SAME, NULL },
	{ FB_INC_TRIAGE, "resolved", FB_REFUSE, "incident 12 is resolved" },
	{ FB_INC_TRIAGE, "suppressed", FB_REFUSE, "is suppressed" },
	/* a note applies to anything; an unknown status does not refuse */
	{ FB_NOTE, "resolved", FB_APPLY, NULL },
	{ FB_ALERT_ACK, NULL, FB_APPLY, NULL },
	{ FB_ALERT_ACK, "", FB_APPLY, NULL },
};

static void
test_rules(void **state)
{
	char *cause;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		cause = NULL;
		if (feedback_check(rules[i].a, 12, rules[i].status, &cause) !=
		    rules[i].v)
			fail_msg("%s on a %s target: not the expected verdict",
			    feedback_event_type(rules[i].a), rules[i].status != NULL ?
			    rules[i].status : "(null)");
		if (rules[i].v != FB_REFUSE) {
			assert_null(cause);
			continue;
		}
		assert_non_null(cause);
		if (strstr(cause, rules[i].why) == NULL)
			fail_msg("'%s' does not say '%s'", cause, rules[i].why);
		free(cause);
	}
}

/* Side effects are said, by the CLI and the console alike. */
static void
test_effects(void **state)
{
	(void)state;
	assert_string_equal(feedback_effect(FB_ALERT_ACK, "silenced"),
	    "its silence ends");
	assert_string_equal(feedback_effect(FB_ALERT_RESOLVE, "silenced"),
	    "its silence ends");
	assert_null(feedback_effect(FB_ALERT_ACK, "active"));
	assert_non_null(strstr(feedback_effect(FB_HYP_REJECT, "proposed"),
	    "recommendations are held back"));
	assert_non_null(strstr(feedback_effect(FB_HYP_REJECT, "confirmed"),
	    "held back"));
	assert_null(feedback_effect(FB_HYP_REJECT, "rejected"));	/* same */
	assert_non_null(strstr(feedback_effect(FB_HYP_CONFIRM, "rejected"),
	    "come back"));
	assert_null(feedback_effect(FB_HYP_CONFIRM, "proposed"));
	assert_non_null(feedback_effect(FB_ALERT_UNSILENCE, "silenced"));
	assert_null(feedback_effect(FB_ALERT_UNSILENCE, "active"));	/* refused */
	assert_int_equal(feedback_incident_toggle("resolved"), FB_INC_REOPEN);
	assert_int_equal(feedback_incident_toggle("open"), FB_INC_RESOLVE);
	assert_int_equal(feedback_incident_toggle("triaged"), FB_INC_RESOLVE);
	assert_int_equal(feedback_incident_toggle(NULL), FB_INC_RESOLVE);
	assert_string_equal(feedback_event_type(FB_ALERT_UNSILENCE),
	    "alert_unsilenced");
	assert_string_equal(feedback_target_kind(FB_ALERT_UNSILENCE), "alert");
}

/* Expects s to parse to want seconds (want < 0: refused, the reason
 * containing why). */
static void
expect_dur(const char *s, int want, const char *why)
{
	char *cause = NULL;
	int secs = -7;

	if (want >= 0) {
		if (feedback_parse_silence(s, &secs, &cause) != 0)
			fail_msg("'%s' refused: %s", s, cause);
		assert_int_equal(secs, want);
		return;
	}
	assert_int_equal(feedback_parse_silence(s, &secs, &cause), -1);
	assert_int_equal(secs, -7);
	assert_non_null(cause);
	if (strstr(cause, why) == NULL)
		fail_msg("'%s': '%s' does not say '%s'", s, cause, why);
	free(cause);
}

/* The duration both sides read: what the console took and the CLI did
 * not (1h30m), and the other way round. */
static void
test_durations(void **state)
{
	(void)state;
	expect_dur("1h30m", 5400, NULL);
	expect_dur("30m", 1800, NULL);
	expect_dur("2h", 7200, NULL);
	expect_dur("1d", 86400, NULL);
	expect_dur("90", 90, NULL);
	expect_dur("90s", 90, NULL);
	expect_dur("  45m ", 2700, NULL);
	expect_dur("30d", 30 * 86400, NULL);
	expect_dur(NULL, FEEDBACK_SILENCE_DEFAULT, NULL);
	expect_dur("", FEEDBACK_SILENCE_DEFAULT, NULL);
	expect_dur("   ", 3600, NULL);
	expect_dur("31d", -1, "too long: '31d' (at most 30d)");
	expect_dur("0", -1, "too short");
	expect_dur("0m", -1, "too short");
	expect_dur("3x", -1, "not a duration: '3x'");
	expect_dur("soon", -1, "1h30m");
	expect_dur("-5m", -1, "not a duration");
	expect_dur("1h 30m", -1, "not a duration");
	expect_dur("99999999999", -1, "not a duration");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_effects),
		cmocka_unit_test(test_durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
