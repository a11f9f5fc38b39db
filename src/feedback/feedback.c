/*
 * feedback.c - the single writer of feedback_events.  An operator action
 * (console key, CLI command, integration) is recorded as one append-only
 * event, and the status it implies is applied to the derived tables in the
 * same transaction, so the log and the state never disagree:
 *
 *   1. lock the target row (refusing one that is not in the project);
 *   2. an intent whose key was recorded before changes nothing: one
 *      operator intent has one key however often it is retried (a key
 *      press replayed from the console's journal, a script's --key), so it
 *      records once; no key given means this call is its own intent;
 *   3. check the transition against the one set of rules the console
 *      follows too (feedback_check: acknowledging a resolved alert is
 *      refused, repeating the current state is accepted and recorded,
 *      unless it is the same person repeating the action that set it:
 *      nothing changes);
 *   4. insert the event, ON CONFLICT (idempotency key) DO NOTHING (two
 *      sessions with one key: the target's lock orders them anyway);
 *   5. apply the derived status, plus the learning record when a root cause
 *      is confirmed and the evidence gate of the affected recommendations.
 *      An action requested on a recommendation creates its run row
 *      (feedback_act.c), as an acknowledgement queues its notification.
 *
 * The NOTIFY that refreshes every console comes from the feedback_events
 * insert trigger (001_schema.sql), so it fires only on commit and only once.
 * doc/feedback.md describes the rules; feedback_rules.c holds them.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/feedback.h"
#include "midwatch/jsonx.h"
#include "midwatch/redact.h"
#include "midwatch/uuid.h"
#include "midwatch/xmalloc.h"
#include "feedback_int.h"

/* What each action is called and what it applies to. */
struct feedback_spec {
	enum feedback_action action;
	const char *event_type;
	const char *kind;	/* NULL: any (notes) */
	const char *verb;
	const char *to_status;	/* the status it sets, or NULL */
};

static const struct feedback_spec feedback_specs[] = {
	{ FB_ALERT_ACK, "alert_acknowledged", "alert", "acknowledged",
	    "acknowledged" },
	{ FB_ALERT_RESOLVE, "alert_resolved", "alert", "resolved", "resolved" },
	{ FB_ALERT_SILENCE, "alert_silenced", "alert", "silenced", "silenced" },
	{ FB_HYP_CONFIRM, "hypothesis_confirmed", "hypothesis", "confirmed",
	    "confirmed" },
	{ FB_HYP_REJECT, "hypothesis_rejected", "hypothesis", "rejected",
	    "rejected" },
	{ FB_REC_ACK, "recommendation_acknowledged", "recommendation",
	    "acknowledged", "acknowledged" },
	{ FB_REC_DONE, "recommendation_done", "recommendation", "marked done",
	    "done" },
	{ FB_REC_DISMISS, "recommendation_dismissed", "recommendation",
	    "dismissed", "dismissed" },
	{ FB_INC_RESOLVE, "incident_resolved", "incident", "resolved",
	    "resolved" },
	{ FB_INC_REOPEN, "incident_reopened", "incident", "reopened", "open" },
	{ FB_NOTE, "human_note_added", NULL, "annotated", NULL },
	{ FB_INC_TRIAGE, "incident_triaged", "incident", "triaged", "triaged" },
	{ FB_ALERT_UNSILENCE, "alert_unsilenced", "alert", "unsilenced", NULL },
	{ FB_REC_ACT, "recommendation_action_requested", "recommendation",
	    "given an action", NULL },
};

/* Locks (or, for evidence, reads) a target: its status and incident
 * (sql/queries/feedback/target_*.sql). */
static const struct {
	const char *kind;
	const char *query;
} feedback_targets[] = {
	{ "alert", "feedback/target_alert" },
	{ "hypothesis", "feedback/target_hypothesis" },
	{ "recommendation", "feedback/target_recommendation" },
	{ "incident", "feedback/target_incident" },
	{ "evidence", "feedback/target_evidence" },
};

/* The spec of an action, or NULL. */
static const struct feedback_spec *
feedback_spec(enum feedback_action a)
{
	size_t i;

	for (i = 0; i < MW_ARRAY_LEN(feedback_specs); i++)
		if (feedback_specs[i].action == a)
			return &feedback_specs[i];
	return NULL;
}

/* Event type name of an action. */
const char *
feedback_event_type(enum feedback_action a)
{
	const struct feedback_spec *s = feedback_spec(a);

	return s != NULL ? s->event_type : "unknown";
}

/* Target kind of an action (NULL for notes). */
const char *
feedback_target_kind(enum feedback_action a)
{
	const struct feedback_spec *s = feedback_spec(a);

	return s != NULL ? s->kind : NULL;
}

/* Past-tense verb of an action. */
const char *
feedback_verb(enum feedback_action a)
{
	const struct feedback_spec *s = feedback_spec(a);

	return s != NULL ? s->verb : "changed";
}

/* The action of an event type name. */
int
feedback_action_of(const char *event_type, enum feedback_action *a)
{
	size_t i;

	for (i = 0; event_type != NULL && i < MW_ARRAY_LEN(feedback_specs); i++)
		if (strcmp(feedback_specs[i].event_type, event_type) == 0) {
			*a = feedback_specs[i].action;
			return 0;
		}
	return -1;
}

/* The lookup statement for a target kind, or NULL if the kind is unknown. */
static const char *
feedback_target_sql(const char *kind)
{
	size_t i;

	for (i = 0; kind != NULL && i < MW_ARRAY_LEN(feedback_targets); i++)
		if (strcmp(feedback_targets[i].kind, kind) == 0)
			return feedback_targets[i].query;
	return NULL;
}

/*
 * Replaces the secrets an operator's text may hold (a pasted token, a URL
 * with its password: redact_text) in the payload's string members, in
 * place, before anything is recorded: a note, a rejection's reason, a
 * resolution.  The feedback log is append-only, so a secret written there
 * would stay (feedback.h).
 */
void
feedback_redact(json_t *p)
{
	const char *key;
	json_t *v;
	char *masked;

	json_object_foreach(p, key, v) {
		if (!json_is_string(v) ||
		    (masked = redact_text_changed(json_string_value(v),
		    NULL)) == NULL)
			continue;
		json_object_set_new(p, key, json_string(masked));
		free(masked);
	}
}

/*
 * Checks what the caller asked for and builds the payload to record (a new
 * reference: the caller's payload with defaults filled in, e.g. the silence
 * duration).  NULL with *cause when the request is malformed.
 */
static json_t *
feedback_payload(const struct feedback *fb, char **cause)
{
	json_t *p, *v;
	const char *text;
	double secs;

	if (fb->payload != NULL && !json_is_object(fb->payload)) {
		*cause = xstrdup("feedback payload must be a JSON object");
		return NULL;
	}
	p = fb->payload != NULL ? json_deep_copy(fb->payload) : json_object();
	switch (fb->action) {
	case FB_ALERT_SILENCE:
		v = json_object_get(p, "seconds");
		if (v == NULL || json_is_null(v))
			secs = FEEDBACK_SILENCE_DEFAULT;
		else if (!json_is_number(v)) {
			*cause = xstrdup("silence duration must be a number of "
			    "seconds");
			goto bad;
		} else
			secs = json_number_value(v);
		if (!(secs >= 1 && secs <= FEEDBACK_SILENCE_MAX)) {
			*cause = xasprintf("silence duration must be between 1 "
			    "second and %d days", FEEDBACK_SILENCE_MAX / 86400);
			goto bad;
		}
		json_object_set_new(p, "seconds", json_integer((json_int_t)secs));
		break;
	case FB_HYP_CONFIRM:
		v = json_object_get(p, "root_cause");
		if (v != NULL && !json_is_boolean(v)) {
			*cause = xstrdup("root_cause must be true or false");
			goto bad;
		}
		break;
	case FB_NOTE:
		text = jsonx_str(p, "text", 1, cause);
		if (text == NULL) {
			if (*cause == NULL)
				*cause = xstrdup("a note needs text");
			goto bad;
		}
		if (text[strspn(text, " \t\r\n")] == '\0') {
			*cause = xstrdup("a note needs text");
			goto bad;
		}
		if (strlen(text) > FEEDBACK_NOTE_MAX) {
			*cause = xasprintf("a note is at most %d bytes",
			    FEEDBACK_NOTE_MAX);
			goto bad;
		}
		break;
	case FB_REC_ACT:
		if (feedback_act_check(p, cause) != 0)
			goto bad;
		break;
	default:
		break;
	}
	feedback_redact(p);
	return p;
bad:
	json_decref(p);
	return NULL;
}

/* Confirms or rejects a hypothesis and keeps the learning record and the
 * recommendation gate in step; 0 or -1. */
static int
feedback_apply_hypothesis(struct db *db, const struct feedback *fb,
    const char *project, const char *target, const char *incident,
    int same, json_t *payload, char **cause)
{
	int confirm = fb->action == FB_HYP_CONFIRM;
	struct db_res *r;
	int was_root;

	if (!same && DBXN(db, cause, "feedback/hypothesis_status", project, target,
	    fb->actor, confirm ? "confirmed" : "rejected") != 0)
		return -1;
	if (confirm && json_is_true(json_object_get(payload, "root_cause"))) {
		if (DBXN(db, cause, "feedback/root_cause_set", project, target,
		    incident) != 0 ||
		    DBXN(db, cause, "feedback/case_outcome", project, incident,
		    target, fb->actor) != 0 ||
		    /* The confirmed root cause ranks first at once (the next
		     * run keeps it there); the others keep their order. */
		    DBXN(db, cause, "feedback/root_cause_first", project, target,
		    incident) != 0)
			return -1;
	}
	if (!confirm) {
		/* Rejecting the confirmed root cause withdraws it. */
		r = DBQN(db, cause, "feedback/root_cause_withdraw", project,
		    target, incident);
		if (r == NULL)
			return -1;
		was_root = db_res_rows(r) > 0;
		db_res_free(r);
		if (was_root && (DBXN(db, cause, "feedback/case_unconfirm",
		    project, target, incident, fb->actor) != 0 ||
		    DBXN(db, cause, "feedback/case_outcome", project, incident,
		    NULL, fb->actor) != 0))
			return -1;
	}
	return DBXN(db, cause, "feedback/regate", project, target);
}

/* Applies the derived status of the event; 0 or -1 with *cause. */
static int
feedback_apply(struct db *db, const struct feedback *fb, const char *project,
    const char *target, const char *incident, int same, json_t *payload,
    char **cause)
{
	const struct feedback_spec *s = feedback_spec(fb->action);
	char secs[32];
	const char *resolution;

	switch (fb->action) {
	case FB_ALERT_ACK:
	case FB_ALERT_RESOLVE:
		if (same)
			return 0;
		if (DBXN(db, cause, fb->action == FB_ALERT_ACK ?
		    "feedback/alert_ack" : "feedback/alert_resolve", project,
		    target, fb->actor) != 0)
			return -1;
		return DBXN(db, cause, "feedback/alert_group", project, target,
		    fb->actor, s->event_type);
	case FB_ALERT_SILENCE:
		snprintf(secs, sizeof secs, "%lld", (long long)json_integer_value(
		    json_object_get(payload, "seconds")));
		return DBXN(db, cause, "feedback/alert_silence", project, target,
		    fb->actor, secs);
	case FB_ALERT_UNSILENCE:
		return DBXN(db, cause, "feedback/alert_unsilence", project,
		    target);
	case FB_HYP_CONFIRM:
	case FB_HYP_REJECT:
		return feedback_apply_hypothesis(db, fb, project, target,
		    incident, same, payload, cause);
	case FB_REC_ACK:
		return same ? 0 : DBXN(db, cause, "feedback/recommendation_ack", project,
		    target, fb->actor);
	case FB_REC_DONE:
	case FB_REC_DISMISS:
		return same ? 0 : DBXN(db, cause,
		    "feedback/recommendation_status", project, target,
		    fb->actor, s->to_status);
	case FB_INC_RESOLVE:
		if (same)
			return 0;
		resolution = jsonx_str(payload, "resolution", 0, NULL);
		if (DBXN(db, cause, "feedback/incident_resolve", project, target,
		    fb->actor, resolution) != 0)
			return -1;
		/* An incident that ends is a case to learn from, confirmed
		 * root cause or not. */
		return DBXN(db, cause, "feedback/case_outcome", project,
		    target, NULL, fb->actor);
	case FB_INC_REOPEN:
	case FB_INC_TRIAGE:
		return same ? 0 : DBXN(db, cause, "feedback/incident_status",
		    project, target, s->to_status);
	case FB_NOTE:
	case FB_REC_ACT:	/* its run: feedback_act_apply */
		return 0;
	}
	return 0;
}

/* Validates the request before anything touches the database. */
static int
feedback_validate(const struct feedback *fb, const char **kind,
    const char **actor_type, char **cause)
{
	const struct feedback_spec *s = feedback_spec(fb->action);

	if (s == NULL) {
		*cause = xasprintf("unknown feedback action %d", (int)fb->action);
		return -1;
	}
	if (fb->actor == NULL || *fb->actor == '\0') {
		*cause = xstrdup("feedback needs an actor");
		return -1;
	}
	*actor_type = fb->actor_type != NULL ? fb->actor_type : "user";
	if (strcmp(*actor_type, "user") != 0 &&
	    strcmp(*actor_type, "system") != 0 &&
	    strcmp(*actor_type, "integration") != 0) {
		*cause = xasprintf("unknown actor type %s", *actor_type);
		return -1;
	}
	*kind = s->kind != NULL ? s->kind : fb->target_kind;
	if (feedback_target_sql(*kind) == NULL) {
		*cause = xasprintf("cannot annotate a %s: the kind must be incident, "
		    "hypothesis, recommendation, alert or evidence",
		    *kind != NULL ? *kind : "(none)");
		return -1;
	}
	if (fb->target_id <= 0) {
		*cause = xasprintf("no %s %lld", *kind, fb->target_id);
		return -1;
	}
	if (fb->idempotency_key != NULL && *fb->idempotency_key == '\0') {
		*cause = xstrdup("an idempotency key must not be empty");
		return -1;
	}
	if (fb->idempotency_key != NULL &&
	    strlen(fb->idempotency_key) > FEEDBACK_KEY_MAX) {
		*cause = xasprintf("an idempotency key is at most %d bytes",
		    FEEDBACK_KEY_MAX);
		return -1;
	}
	return 0;
}

/* Whether an event was recorded under key: 1 with *event_id set, 0 not,
 * -1 with *cause. */
static int
feedback_known(struct db *db, const char *project, const char *key,
    long long *event_id, char **cause)
{
	struct db_res *r;
	int known;

	r = DBQN(db, cause, "feedback/known", project, key);
	if (r == NULL)
		return -1;
	known = db_res_rows(r) > 0;
	if (known && event_id != NULL)
		*event_id = db_val_ll(r, 0, "id");
	db_res_free(r);
	return known;
}

/*
 * Whether fb repeats, unchanged, the event that put its target in its
 * current state (sql/queries/feedback/repeat.sql): silences (re-applied on
 * purpose) and notes (no state) never do.  1 with *event_id set to that event, 0
 * not, -1 with *cause.
 */
static int
feedback_repeat(struct db *db, const struct feedback *fb, const char *project,
    const char *kind, const char *target, const char *payload_txt,
    long long *event_id, char **cause)
{
	struct db_res *r;
	int rep;

	if (fb->action == FB_ALERT_SILENCE || fb->action == FB_NOTE)
		return 0;
	r = DBQN(db, cause, "feedback/repeat", project, kind, target, fb->actor,
	    feedback_event_type(fb->action), payload_txt);
	if (r == NULL)
		return -1;
	rep = db_res_rows(r) > 0 && strcmp(db_val(r, 0, "repeat"), "t") == 0;
	if (rep && event_id != NULL)
		*event_id = db_val_ll(r, 0, "id");
	db_res_free(r);
	return rep;
}

/* Reads the target of a feedback event (kind, id): its status into was
 * and its incident (malloc'd, NULL for none) into *incident; 0, or -1
 * with *cause (no such target). */
static int
feedback_target(struct db *db, const char *kind, const char *project,
    const char *target, char *was, size_t len, char **incident, char **cause)
{
	struct db_res *r = DBQN(db, cause, feedback_target_sql(kind), project,
	    target);
	const char *status;

	if (r == NULL)
		return -1;
	if (db_res_rows(r) == 0) {
		*cause = xasprintf("no %s %s", kind, target);
		db_res_free(r);
		return -1;
	}
	status = db_val(r, 0, "status");
	snprintf(was, len, "%s", status != NULL ? status : "");
	if (db_val(r, 0, "incident_id") != NULL)
		*incident = xstrdup(db_val(r, 0, "incident_id"));
	db_res_free(r);
	return 0;
}

/* Records the event and applies its derived status (see feedback.h). */
int
feedback_record(struct db *db, const struct feedback *fb,
    struct feedback_result *res, char **cause)
{
	const char *kind, *actor_type;
	char project[24], target[24], *incident = NULL, *payload_txt = NULL;
	char key[UUID_STRLEN];
	json_t *payload = NULL;
	struct db_res *r = NULL;
	struct feedback_result dummy;
	int rc = -1, same, rep;

	if (res == NULL)
		res = &dummy;
	memset(res, 0, sizeof *res);
	if (feedback_validate(fb, &kind, &actor_type, cause) != 0)
		return -1;
	if ((payload = feedback_payload(fb, cause)) == NULL)
		return -1;
	payload_txt = jsonx_dump(payload);
	snprintf(project, sizeof project, "%lld", fb->project_id);
	snprintf(target, sizeof target, "%lld", fb->target_id);

	if (db_begin(db, cause) != 0)
		goto out;
	if (feedback_target(db, kind, project, target, res->was,
	    sizeof res->was, &incident, cause) != 0)
		goto fail;
	/* An intent recorded before is a no-op, whatever happened since (a
	 * replay from the journal after someone else resolved the alert). */
	if (fb->idempotency_key != NULL && (rep = feedback_known(db, project,
	    fb->idempotency_key, &res->event_id, cause)) != 0) {
		if (rep < 0)
			goto fail;
		db_rollback(db);
		rc = 1;
		goto out;
	}
	switch (feedback_check(fb->action, fb->target_id, res->was, cause)) {
	case FB_REFUSE:
		goto fail;
	case FB_SAME:
		same = 1;
		break;
	default:
		same = 0;
		break;
	}
	if (same == 1 && (rep = feedback_repeat(db, fb, project, kind, target,
	    payload_txt, &res->event_id, cause)) != 0) {
		if (rep < 0)
			goto fail;
		db_rollback(db);	/* the same person again: nothing changes */
		rc = 1;
		goto out;
	}

	if (fb->idempotency_key == NULL)
		uuid_v4(key);	/* this call is the whole intent */
	r = DBQN(db, cause, "feedback/insert", project, actor_type, fb->actor,
	    feedback_event_type(fb->action), kind, target, incident, payload_txt,
	    fb->idempotency_key != NULL ? fb->idempotency_key : key);
	if (r == NULL)
		goto fail;
	if (db_val_null(r, 0, "new_id")) {
		/* The key was used already: nothing changes. */
		res->event_id = db_val_ll(r, 0, "existing_id");
		db_rollback(db);
		rc = 1;
		goto out;
	}
	res->event_id = db_val_ll(r, 0, "new_id");
	db_res_free(r);
	r = NULL;

	if (feedback_apply(db, fb, project, target, incident, same, payload,
	    cause) != 0)
		goto fail;
	if (fb->action == FB_REC_ACT && feedback_act_apply(db, project, target,
	    incident, res->event_id, fb->actor, fb->idempotency_key != NULL ?
	    fb->idempotency_key : key, payload, cause) != 0)
		goto fail;
	if (db_commit(db, cause) != 0)
		goto fail;
	rc = same ? 2 : 0;
	goto out;
fail:
	db_rollback(db);
	res->event_id = 0;
out:
	db_res_free(r);
	json_decref(payload);
	free(payload_txt);
	free(incident);
	return rc;
}
