/*
 * notify.h - notification channels and the delivery of outbound_messages
 * (src/notify/): Slack-compatible webhooks, PagerDuty Events v2, generic
 * JSON webhooks and the local log, with one retry/backoff policy (net.h),
 * a row per attempt, dead letters, grouping per incident, and state kept in
 * the database before and after every send so a killed process loses
 * nothing and resends at most what was not confirmed.
 * doc/integrations.md describes it for operators.
 */
#ifndef MIDWATCH_NOTIFY_H
#define MIDWATCH_NOTIFY_H

#include <stdio.h>
#include <jansson.h>
#include "midwatch/midwatch.h"
#include "midwatch/settings.h"

struct db;

/* ---- channel settings (settings.h) ------------------------------------ */

/* The table of channel settings, NULL-name terminated. */
extern const struct setting notify_settings[];
/* A channel's numeric setting, or the default. */
long notify_setting_get(json_t *settings, const char *name);

/* ---- channels ------------------------------------------------------------ */

/* Kinds `channels add` accepts. */
int notify_kind_valid(const char *kind);

/*
 * Adds a channel (url NULL: PagerDuty's default; "-": a Slack URL that is
 * the secret itself).  With all_rules, the channel joins every alert rule's
 * channels (*rules gets how many changed).  0 ok, 1 exists already, -1
 * *cause.  Audited.
 */
int notify_channel_add(struct db *db, long long project_id, const char *name,
    const char *kind, const char *url, json_t *settings, int all_rules,
    const char *actor, int *rules, char **cause);
/*
 * Makes channel name match a declaration (the configuration file's
 * `channel` line at origin, "FILE:LINE"): added when missing, updated
 * when its kind, URL or settings differ, and with all_rules put on every
 * alert rule that lacks it (*rules: how many).  Audited when anything
 * changed.  0 unchanged, 1 added, 2 changed, -1 *cause.
 */
int notify_channel_sync(struct db *db, long long project_id,
    const char *name, const char *kind, const char *url, json_t *settings,
    int all_rules, const char *actor, const char *origin, int *rules,
    char **cause);
/*
 * Removes a channel, takes it out of every alert rule and dead-letters its
 * undelivered messages.  0 ok, 1 no such channel, -1 *cause.  Audited.
 */
int notify_channel_remove(struct db *db, long long project_id,
    const char *name, const char *actor, int *rules, long long *dead,
    char **cause);
/* The channels with their pending/sent/dead counts (a new JSON array), or
 * NULL with *cause.  Channels rules name but nobody added are listed with
 * kind null. */
json_t *notify_channel_list(struct db *db, long long project_id,
    char **cause);
/*
 * Sends a test notification to a channel now (PagerDuty: a trigger then
 * its resolve), without queueing.  0 delivered (*report says how), 1 the
 * target refused or was unreachable (*report says why), 2 no such channel,
 * -1 *cause.  *report is malloc'd.
 */
int notify_channel_test(struct db *db, long long project_id,
    const char *name, char **report, char **cause);

/* ---- delivery ------------------------------------------------------------ */

struct notify_opts {
	double wait_s;		/* keep delivering retries that fall due within
				 * this many seconds; 0: one pass */
	int quiet_log;		/* log-channel messages at debug level only */
};

struct notify_counts {
	long long sent;		/* messages delivered (grouped ones included) */
	long long retrying;	/* messages whose attempt failed, retry scheduled */
	long long dead;		/* messages dead-lettered */
	long long attempts;	/* attempts made */
	long long pending;	/* messages still waiting when it returned */
	/* The actions requested on recommendations (notify_act.c). */
	long long act_succeeded;	/* runs that succeeded */
	long long act_retrying;	/* runs whose attempt failed, retry scheduled */
	long long act_failed;	/* runs that failed for good */
	long long act_attempts;	/* attempts made */
};

/*
 * Delivers the project's due messages: claims each (FOR UPDATE SKIP LOCKED;
 * several deliverers share the work), sends it outside any transaction,
 * records the attempt and the outcome; then the actions requested on
 * recommendations that are due (reminders, messages, tracker tasks,
 * sql/021_action_runs.sql), with the same channels and policy.  0 ok
 * (failed deliveries are not errors: they are counted and retried), -1
 * with *cause on a database error.
 */
int notify_deliver(struct db *db, long long project_id,
    const struct notify_opts *o, struct notify_counts *c, char **cause);

/* The task id in a tracker's answer to create_or_update_task (notify_act.c):
 * its "id", "task_id" or "key", a non-empty string (sanitised: one line,
 * no control) or an integer; malloc'd, or NULL when it names none. */
char *notify_act_task_id(const char *answer);

#endif
