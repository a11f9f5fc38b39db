/*
 * feedback_act.c - acting on a recommendation (issue 10, seed 001): the
 * request is a feedback event (recommendation_action_requested) whose
 * payload names the action, its channel, text and time; recording it
 * creates the recommendation_action_runs row in the same transaction, under
 * the event's idempotency key (sql/021_action_runs.sql), which the runner
 * then delivers (src/notify/notify_act.c).  The payload is built and
 * checked here for the CLI and the console alike.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/conf.h"
#include "midwatch/db.h"
#include "midwatch/feedback.h"
#include "midwatch/jsonx.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "feedback_int.h"

/* The actions and the channel kinds each may use. */
static const struct {
	const char *name;
	const char *kinds;	/* space-separated channel kinds */
	const char *kinds_text;	/* the same, for messages */
} feedback_acts[] = {
	{ "send_message", " slack webhook log ", "a slack, webhook or log" },
	{ "create_or_update_task", " webhook ", "a webhook (the tracker's)" },
	{ "set_reminder", " slack webhook log ", "a slack, webhook or log" },
};

/* The entry of an action, or -1. */
static int
feedback_act_find(const char *action)
{
	size_t i;

	for (i = 0; action != NULL && i < MW_ARRAY_LEN(feedback_acts); i++)
		if (strcmp(feedback_acts[i].name, action) == 0)
			return (int)i;
	return -1;
}

/* 1 if action is known (see feedback.h). */
int
feedback_act_known(const char *action)
{
	return feedback_act_find(action) >= 0;
}

/* Checks a request's payload (see feedback_int.h). */
int
feedback_act_check(json_t *p, char **cause)
{
	const char *action, *s;
	json_t *v;
	double t;
	int reminder;

	if ((action = jsonx_str(p, "action", 1, cause)) == NULL)
		return -1;
	if (!feedback_act_known(action)) {
		*cause = xasprintf("unknown action %s (%s)", action,
		    FEEDBACK_ACTIONS);
		return -1;
	}
	reminder = strcmp(action, "set_reminder") == 0;
	v = json_object_get(p, "channel");
	if (v == NULL && !reminder) {
		*cause = xasprintf("%s needs a channel (--channel NAME)", action);
		return -1;
	}
	if (v != NULL && (!json_is_string(v) || *json_string_value(v) == '\0')) {
		*cause = xstrdup("the channel must be a channel's name");
		return -1;
	}
	v = json_object_get(p, "text");
	if (v != NULL && !json_is_string(v)) {
		*cause = xstrdup("the text must be a string");
		return -1;
	}
	if (v != NULL && strlen(json_string_value(v)) > FEEDBACK_NOTE_MAX) {
		*cause = xasprintf("the text is at most %d bytes",
		    FEEDBACK_NOTE_MAX);
		return -1;
	}
	s = jsonx_str(p, "at", 0, NULL);
	if (reminder && (s == NULL || timefmt_parse(s, &t) != 0)) {
		*cause = xstrdup("set_reminder needs a time (--at TS or --in "
		    "DURATION)");
		return -1;
	}
	if (!reminder && json_object_get(p, "at") != NULL) {
		*cause = xasprintf("%s takes no time (--at and --in are "
		    "set_reminder's)", action);
		return -1;
	}
	return 0;
}

/* Builds a request's payload (see feedback.h). */
json_t *
feedback_act_request(const char *action, const char *channel,
    const char *text, const char *at, const char *in, double now,
    char **cause)
{
	char ts[40];
	double t = 0;
	int secs;
	json_t *p;

	if (!feedback_act_known(action)) {
		*cause = xasprintf("unknown action %s (%s)", action != NULL ?
		    action : "(none)", FEEDBACK_ACTIONS);
		return NULL;
	}
	if (strcmp(action, "set_reminder") == 0) {
		if ((at == NULL) == (in == NULL)) {
			*cause = xstrdup("set_reminder needs a time: --at TS or "
			    "--in DURATION (one of them)");
			return NULL;
		}
		if (in != NULL && (conf_parse_duration(in, &secs) != 0 ||
		    secs < 1)) {
			*cause = xasprintf("--in: not a duration: '%s' (try 10m, "
			    "2h, 1d)", in);
			return NULL;
		}
		if (at != NULL && timefmt_parse(at, &t) != 0) {
			*cause = xasprintf("--at: not a time: '%s' (RFC 3339: "
			    "2026-12-04T15:00:00Z)", at);
			return NULL;
		}
		if (in != NULL)
			t = now + secs;
		if (t - now > FEEDBACK_REMINDER_MAX) {
			*cause = xasprintf("a reminder is at most %d days ahead",
			    FEEDBACK_REMINDER_MAX / 86400);
			return NULL;
		}
	} else if (at != NULL || in != NULL) {
		*cause = xasprintf("%s takes no time (--at and --in are "
		    "set_reminder's)", action);
		return NULL;
	}
	p = json_pack("{ss}", "action", action);
	if (channel != NULL)
		json_object_set_new(p, "channel", json_string(channel));
	if (text != NULL && *text != '\0') {
		json_t *js = json_string(text);

		if (js == NULL) {
			*cause = xstrdup("the text is not valid UTF-8");
			json_decref(p);
			return NULL;
		}
		json_object_set_new(p, "text", js);
	}
	if (t > 0) {
		timefmt_format(t, ts, sizeof ts);
		json_object_set_new(p, "at", json_string(ts));
	}
	if (feedback_act_check(p, cause) != 0) {
		json_decref(p);
		return NULL;
	}
	return p;
}

/* Creates the run of a recorded request (see feedback_int.h). */
int
feedback_act_apply(struct db *db, const char *project, const char *reco,
    const char *incident, long long event, const char *actor,
    const char *key, json_t *payload, char **cause)
{
	const char *action = jsonx_str(payload, "action", 0, NULL);
	const char *channel = jsonx_str(payload, "channel", 0, NULL);
	const char *kind;
	struct db_res *r;
	char ev[24], *params, *want;
	int i = feedback_act_find(action), ok, rc;

	if (i < 0 || incident == NULL) {
		*cause = xasprintf("recommendation %s cannot take action %s", reco,
		    action != NULL ? action : "(none)");
		return -1;
	}
	if (channel == NULL)
		channel = FEEDBACK_REMINDER_CHANNEL;
	r = DBQN(db, cause, "feedback/act_channel", project, channel);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		*cause = xasprintf("no channel named %s (midwatch channels list)",
		    channel);
		return -1;
	}
	kind = db_val(r, 0, "kind");
	want = xasprintf(" %s ", kind);
	ok = strstr(feedback_acts[i].kinds, want) != NULL;
	free(want);
	if (!ok) {
		*cause = xasprintf("channel %s is a %s channel: %s takes %s "
		    "channel", channel, kind, action, feedback_acts[i].kinds_text);
		db_res_free(r);
		return -1;
	}
	db_res_free(r);
	snprintf(ev, sizeof ev, "%lld", event);
	params = jsonx_dump(payload);
	/* the run; then the incident's task on a channel, made once (later
	 * requests update it) */
	rc = DBXN(db, cause, "feedback/act_run", project, reco, incident, ev,
	    action, channel, params, actor, key,
	    jsonx_str(payload, "at", 0, NULL));
	free(params);
	if (rc == 0 && strcmp(action, "create_or_update_task") == 0)
		rc = DBXN(db, cause, "feedback/act_task", project, incident,
		    channel);
	return rc;
}

/* The console's words for the actions. */
static const struct {
	const char *word;
	const char *action;
} feedback_act_words[] = {
	{ "message", "send_message" }, { "m", "send_message" },
	{ "task", "create_or_update_task" }, { "t", "create_or_update_task" },
	{ "reminder", "set_reminder" }, { "r", "set_reminder" },
};

/* The next blank-separated word of *s (malloc'd, NULL at the end); *s
 * moves past it and the blanks after it. */
static char *
feedback_act_word(const char **s)
{
	size_t n;
	char *w;

	*s += strspn(*s, " \t");
	if ((n = strcspn(*s, " \t")) == 0)
		return NULL;
	w = xstrndup(*s, n);
	*s += n;
	*s += strspn(*s, " \t");
	return w;
}

/* Reads the console's prompt (see feedback.h). */
json_t *
feedback_act_parse(const char *line, double now, char **cause)
{
	const char *s = line != NULL ? line : "", *action = NULL;
	char *word, *arg;
	json_t *p;
	size_t i;

	if ((word = feedback_act_word(&s)) == NULL) {
		*cause = xasprintf("say what to do: %s", FEEDBACK_ACT_PROMPT);
		return NULL;
	}
	for (i = 0; i < MW_ARRAY_LEN(feedback_act_words); i++)
		if (strcmp(feedback_act_words[i].word, word) == 0)
			action = feedback_act_words[i].action;
	if (action == NULL && feedback_act_known(word))
		action = word;
	if (action == NULL) {
		*cause = xasprintf("unknown action %s (%s)", word,
		    FEEDBACK_ACT_PROMPT);
		free(word);
		return NULL;
	}
	arg = feedback_act_word(&s);
	if (arg == NULL)
		*cause = xasprintf("%s needs %s", action,
		    strcmp(action, "set_reminder") == 0 ? "a time (10m, 2h, 1d)" :
		    "a channel");
	if (arg == NULL)
		p = NULL;
	else if (strcmp(action, "set_reminder") == 0)
		p = feedback_act_request(action, NULL, s, NULL, arg, now, cause);
	else
		p = feedback_act_request(action, arg, s, NULL, NULL, now, cause);
	free(arg);
	free(word);
	return p;
}
