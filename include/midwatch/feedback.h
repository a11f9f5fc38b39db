/*
 * feedback.h - the single writer of feedback_events, and the one set of
 * rules operator actions follow.  Every action (console key or CLI command)
 * becomes one append-only event, and the derived status it implies (alert
 * acknowledged, hypothesis confirmed...) is updated in the same
 * transaction.  A repeated action with the same idempotency key records
 * once: one operator intent is one key, however often it is retried.
 * What an action may do to a target in a given status
 * (feedback_check), what else it changes (feedback_effect) and how a
 * silence's duration is read (feedback_parse_silence) are decided here for
 * the CLI and the console alike (doc/feedback.md).
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
	FB_ALERT_UNSILENCE,	/* alert_unsilenced: the silence ends (undo) */
	FB_REC_ACT,		/* recommendation_action_requested (payload:
				 * feedback_act_request; the run row is made
				 * in the same transaction) */
};

/* Longest note text accepted, in bytes. */
#define FEEDBACK_NOTE_MAX 4000
/* Longest silence accepted, in seconds (30 days). */
#define FEEDBACK_SILENCE_MAX (30 * 86400)
/* Silence when the payload names no duration (1 hour), as it is written. */
#define FEEDBACK_SILENCE_DEFAULT 3600
#define FEEDBACK_SILENCE_DEFAULT_TEXT "1h"
/* The durations a silence takes, for messages and prompts. */
#define FEEDBACK_SILENCE_EXAMPLES "30m, 2h, 1h30m, 1d"
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

/* What recording an action did (feedback_record). */
struct feedback_result {
	long long event_id;	/* the event (on a repeat: the one recorded) */
	char was[24];		/* the target's status before ("" if none) */
};

/* What an action does to a target in a status (feedback_check). */
enum feedback_verdict {
	FB_APPLY,		/* recorded, and the status changes */
	FB_SAME,		/* recorded; the target is in that status already
				 * (a second person's acknowledgement is a fact
				 * worth keeping), so nothing else changes */
	FB_REFUSE		/* refused: nothing is recorded */
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
/* Replaces the secrets found by shape (redact_text) in the string members
 * of a payload object, in place: what feedback_record stores, and what the
 * console's journal writes (journal.c). */
void feedback_redact(json_t *p);

/*
 * The rules, for the CLI and the console alike: what action a does to
 * target id (of its kind) whose status is status (NULL or "": not known,
 * FB_APPLY).  On FB_REFUSE *why gets the reason ("alert 12 is resolved").
 */
enum feedback_verdict feedback_check(enum feedback_action a, long long id,
    const char *status, char **why);
/* What else action a changes on a target in status, said before or after
 * it ("its silence ends"), or NULL. */
const char *feedback_effect(enum feedback_action a, const char *status);
/* The incident action of the console's resolve/reopen key for an incident
 * in status: FB_INC_REOPEN for a resolved one, else FB_INC_RESOLVE. */
enum feedback_action feedback_incident_toggle(const char *status);
/*
 * Reads a silence's duration as the CLI's --for and the console's prompt
 * take it: "90" (seconds), "90s", "30m", "2h", "1h30m", "1d", blanks
 * around it ignored, empty or NULL for the default (1h); from 1 second to
 * 30 days.  0 and *seconds, or -1 with *cause saying what is wrong.
 */
int feedback_parse_silence(const char *s, int *seconds, char **cause);

/* ---- acting on a recommendation (FB_REC_ACT, feedback_act.c) ----------- */

/* The actions, for messages and help. */
#define FEEDBACK_ACTIONS "send_message, create_or_update_task or set_reminder"
/* The furthest a reminder may be set, in seconds (30 days). */
#define FEEDBACK_REMINDER_MAX (30 * 86400)
/* The channel of a reminder that names none. */
#define FEEDBACK_REMINDER_CHANNEL "log"

/* 1 if action is one of FEEDBACK_ACTIONS. */
int feedback_act_known(const char *action);
/*
 * The payload of an action request, as `midwatch act` and the console's
 * key build it: action, channel (needed but for set_reminder, whose
 * default is FEEDBACK_REMINDER_CHANNEL), text (optional), and for
 * set_reminder the time, from at (RFC 3339) or in (a duration from now,
 * "10m", "2h", "1d"), exactly one of them.  A new reference, or NULL with
 * *cause saying what is wrong (nothing touches the database).
 */
json_t *feedback_act_request(const char *action, const char *channel,
    const char *text, const char *at, const char *in, double now,
    char **cause);
/*
 * The same from the console's prompt, one line: "message CHANNEL [TEXT]",
 * "task CHANNEL [TEXT]" or "reminder DURATION [TEXT]" (the first word may
 * also be the action's full name or its first letter).  A new reference,
 * or NULL with *cause.
 */
json_t *feedback_act_parse(const char *line, double now, char **cause);
/* What the console's prompt takes, for its question and messages. */
#define FEEDBACK_ACT_PROMPT "message CHANNEL [text] | task CHANNEL [text] | " \
	"reminder 10m [text]"

/*
 * Records the event and applies its derived status in one transaction.
 * Returns 0 recorded, 2 recorded while the target was in that status
 * already (FB_SAME: nothing else changed), 1 already recorded (nothing
 * changed: the key was recorded before, or the same person repeats the
 * action that put the target in its current state, doc/feedback.md), -1
 * with *cause (unknown target, wrong project, an action refused for the
 * target's status, database error).  *res (when not NULL) gets the event
 * and the status before.
 */
int feedback_record(struct db *db, const struct feedback *fb,
    struct feedback_result *res, char **cause);

#endif
