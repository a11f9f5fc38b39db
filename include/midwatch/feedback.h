/*
 * feedback.h - the single writer of feedback_events.  Every operator action
 * (console key or CLI command) becomes one append-only event, and the derived
 * status it implies (alert acknowledged, hypothesis confirmed...) is updated
 * in the same transaction.  One operator intent is one idempotency key,
 * however often it is retried: it records once.
 */
#ifndef MIDWATCH_FEEDBACK_H
#define MIDWATCH_FEEDBACK_H

#include <jansson.h>

struct db;

enum feedback_action {
	FB_ALERT_ACK,		/* alert_acknowledged */
	FB_ALERT_RESOLVE,	/* alert_resolved */
	FB_ALERT_SILENCE,	/* alert_silenced (payload: {"seconds": N}) */
	FB_HYP_CONFIRM,		/* hypothesis_confirmed (payload: {"root_cause": bool}) */
	FB_HYP_REJECT,		/* hypothesis_rejected */
	FB_REC_ACK,		/* recommendation_acknowledged */
	FB_REC_DONE,		/* recommendation_done */
	FB_REC_DISMISS,		/* recommendation_dismissed */
	FB_INC_RESOLVE,		/* incident_resolved */
	FB_INC_REOPEN,		/* incident_reopened */
	FB_NOTE,		/* human_note_added (payload: {"text": "..."}) */
	/* Added actions. */
	FB_INC_TRIAGE,		/* incident_triaged (open -> triaged) */
};

/* Longest note text accepted, in bytes. */
#define FEEDBACK_NOTE_MAX 4000
/* Longest silence accepted, in seconds (30 days). */
#define FEEDBACK_SILENCE_MAX (30 * 86400)
/* Silence when the payload names no duration (1 hour). */
#define FEEDBACK_SILENCE_DEFAULT 3600
/* Longest idempotency key accepted, in bytes. */
#define FEEDBACK_KEY_MAX 200

struct feedback {
	enum feedback_action action;
	long long project_id;
	const char *actor;		/* login name or --as */
	const char *actor_type;		/* "user" (default when NULL), "system", "integration" */
	const char *target_kind;	/* incident|hypothesis|recommendation|alert (for FB_NOTE) */
	long long target_id;
	json_t *payload;		/* borrowed; may be NULL */
	const char *idempotency_key;	/* one per operator intent, the same for
					 * every retry (at most FEEDBACK_KEY_MAX
					 * bytes); NULL: this call is its own
					 * intent (a random key) */
};

/* Event type name of an action ("alert_acknowledged"). */
const char *feedback_event_type(enum feedback_action a);
/* The target kind an action applies to ("alert"), or NULL for FB_NOTE
 * (any kind, named in struct feedback). */
const char *feedback_target_kind(enum feedback_action a);
/* A past-tense verb for messages ("acknowledged", "marked done"). */
const char *feedback_verb(enum feedback_action a);
/* The action of an event type name; 0, or -1 when the name is unknown. */
int feedback_action_of(const char *event_type, enum feedback_action *a);

/*
 * Records the event and applies its derived status in one transaction.
 * Returns 0 recorded, 1 already recorded (nothing changed: the key was
 * recorded before, or the same person repeats the action that put the
 * target in its current state, doc/feedback.md), -1 with *cause (unknown
 * target, wrong project, database error).  *event_id gets the event's id
 * when not NULL.
 */
int feedback_record(struct db *db, const struct feedback *fb,
    long long *event_id, char **cause);

#endif
