/*
 * feedback_rules.c - the one set of rules operator actions follow, for the
 * CLI and the console alike (the console asks here before it sends an
 * action, feedback_record() asks again inside the transaction): what an
 * action does to a target in a given status (applied, recorded with
 * nothing else changing, or refused), what else it changes, which action
 * the console's resolve/reopen key means, and how a silence's duration is
 * read.  Pure: no database, unit-tested (tests/unit/test_model.c).
 * doc/feedback.md lists the same rules.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "midwatch/conf.h"
#include "midwatch/feedback.h"
#include "midwatch/xmalloc.h"

/*
 * The exceptions to "the action applies": a status the action leaves as it
 * is (FB_SAME: recorded, nothing else changes) or refuses (why completes
 * "KIND ID ...").  A silence is re-applied on a silenced alert (the new
 * duration replaces the old); a note applies to anything.
 */
static const struct feedback_rule {
	enum feedback_action action;
	const char *status;
	enum feedback_verdict verdict;
	const char *why;
} feedback_rules[] = {
	{ FB_ALERT_ACK, "acknowledged", FB_SAME, NULL },
	{ FB_ALERT_ACK, "resolved", FB_REFUSE, "is resolved" },
	{ FB_ALERT_RESOLVE, "resolved", FB_SAME, NULL },
	{ FB_ALERT_SILENCE, "resolved", FB_REFUSE, "is resolved" },
	{ FB_ALERT_UNSILENCE, "active", FB_REFUSE, "is not silenced" },
	{ FB_ALERT_UNSILENCE, "acknowledged", FB_REFUSE, "is not silenced" },
	{ FB_ALERT_UNSILENCE, "resolved", FB_REFUSE, "is resolved" },
	{ FB_HYP_CONFIRM, "confirmed", FB_SAME, NULL },
	{ FB_HYP_REJECT, "rejected", FB_SAME, NULL },
	{ FB_REC_ACK, "acknowledged", FB_SAME, NULL },
	{ FB_REC_ACK, "done", FB_REFUSE, "is done" },
	{ FB_REC_ACK, "dismissed", FB_REFUSE, "is dismissed" },
	{ FB_REC_DONE, "done", FB_SAME, NULL },
	{ FB_REC_DISMISS, "dismissed", FB_SAME, NULL },
	{ FB_REC_DISMISS, "done", FB_REFUSE, "is already done" },
	{ FB_INC_TRIAGE, "triaged", FB_SAME, NULL },
	{ FB_INC_TRIAGE, "resolved", FB_REFUSE, "is resolved" },
	{ FB_INC_TRIAGE, "suppressed", FB_REFUSE, "is suppressed" },
	{ FB_INC_RESOLVE, "resolved", FB_SAME, NULL },
	{ FB_INC_REOPEN, "open", FB_SAME, NULL },
	{ FB_INC_REOPEN, "triaged", FB_SAME, NULL },
};

/* What else an action changes, from a status ("*": any but the action's
 * own result), said in the present tense. */
static const struct feedback_side {
	enum feedback_action action;
	const char *status;
	const char *effect;
} feedback_sides[] = {
	{ FB_ALERT_ACK, "silenced", "its silence ends" },
	{ FB_ALERT_RESOLVE, "silenced", "its silence ends" },
	{ FB_ALERT_UNSILENCE, "silenced", "it alerts again" },
	{ FB_HYP_REJECT, "*", "its recommendations are held back" },
	{ FB_HYP_CONFIRM, "rejected", "its recommendations come back" },
};

/* Decides what action a does to a target in status (see feedback.h). */
enum feedback_verdict
feedback_check(enum feedback_action a, long long id, const char *status,
    char **why)
{
	const char *kind = feedback_target_kind(a);
	size_t i;

	if (status == NULL || *status == '\0')
		return FB_APPLY;
	for (i = 0; i < MW_ARRAY_LEN(feedback_rules); i++) {
		const struct feedback_rule *r = &feedback_rules[i];

		if (r->action != a || strcmp(r->status, status) != 0)
			continue;
		if (r->verdict == FB_REFUSE && why != NULL)
			*why = xasprintf("%s %lld %s", kind != NULL ? kind : "item",
			    id, r->why);
		return r->verdict;
	}
	return FB_APPLY;
}

/* The side effect of action a from status, or NULL (see feedback.h). */
const char *
feedback_effect(enum feedback_action a, const char *status)
{
	size_t i;

	if (status == NULL)
		status = "";
	if (feedback_check(a, 0, status, NULL) != FB_APPLY)
		return NULL;
	for (i = 0; i < MW_ARRAY_LEN(feedback_sides); i++)
		if (feedback_sides[i].action == a &&
		    (strcmp(feedback_sides[i].status, "*") == 0 ||
		    strcmp(feedback_sides[i].status, status) == 0))
			return feedback_sides[i].effect;
	return NULL;
}

/* The console's resolve/reopen key: reopen what is resolved. */
enum feedback_action
feedback_incident_toggle(const char *status)
{
	return status != NULL && strcmp(status, "resolved") == 0 ?
	    FB_INC_REOPEN : FB_INC_RESOLVE;
}

/* Reads a silence's duration (see feedback.h). */
int
feedback_parse_silence(const char *s, int *seconds, char **cause)
{
	char *d;
	size_t n;
	int secs, rc;

	if (s == NULL)
		s = "";
	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0) {
		*seconds = FEEDBACK_SILENCE_DEFAULT;
		return 0;
	}
	d = xstrndup(s, n);
	rc = conf_parse_duration(d, &secs);
	if (rc != 0)
		*cause = xasprintf("not a duration: '%s' (try %s)", d,
		    FEEDBACK_SILENCE_EXAMPLES);
	else if (secs < 1)
		*cause = xasprintf("too short: '%s' (at least 1s)", d);
	else if (secs > FEEDBACK_SILENCE_MAX)
		*cause = xasprintf("too long: '%s' (at most %dd)", d,
		    FEEDBACK_SILENCE_MAX / 86400);
	free(d);
	if (rc != 0 || secs < 1 || secs > FEEDBACK_SILENCE_MAX)
		return -1;
	*seconds = secs;
	return 0;
}
