/*
 * notify_int.h - what the files of src/notify/ share: a channel as loaded
 * from the database, its retry and timeout policy, and sending one body to
 * it (the secret is loaded at send time and never leaves notify_send.c).
 */
#ifndef MIDWATCH_NOTIFY_INT_H
#define MIDWATCH_NOTIFY_INT_H

#include <jansson.h>
#include "midwatch/net.h"

/* A claim (of a message or an action run) outlives the longest attempt by
 * this much. */
#define NOTIFY_LEASE_MARGIN_S 5

/* How bodies are written: compact, and 0.6 as 0.6 (not 0.59999999999999998). */
#define NOTIFY_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(12))

struct db;

/* A channel row; every string malloc'd. */
struct notify_channel {
	char *name;
	char *kind;		/* slack|pagerduty|webhook|log */
	char *url;		/* NULL: log, or a Slack URL taken from the secret */
	json_t *settings;	/* owned reference; never NULL once loaded */
};

/* Loads channel name of project (text id); 0 ok, 1 none, -1 *cause. */
int notify_channel_load(struct db *db, const char *project, const char *name,
    struct notify_channel *ch, char **cause);
/* Loads the channel a claimed message or action run goes to (*have_ch: it
 * exists), its retry policy, and the lease (seconds, text) the attempt's
 * claim gets: the channel's total timeout plus NOTIFY_LEASE_MARGIN_S.
 * 0, or -1 *cause. */
int notify_channel_lease(struct db *db, const char *project, const char *name,
    struct notify_channel *ch, int *have_ch, struct net_retry *pol,
    char *lease, size_t leasesz, char **cause);
void notify_channel_free(struct notify_channel *ch);
/* The channel's retry policy and total timeout in milliseconds. */
void notify_channel_policy(const struct notify_channel *ch,
    struct net_retry *r, int *timeout_ms);

/* A claimed message: what the send and the record need. */
struct notify_msg {
	char id[24];
	char attempt_id[24];
	char *channel;
	char *event;
	char *idem;
	int attempts;		/* including the claimed one */
	int grouped;		/* messages in the group, leader included */
	json_t *body;		/* to send; NULL when unrenderable */
	struct notify_channel ch;
	int have_ch;		/* the channel exists */
};

/* Reads the note of claimed message m (text id), renders its body for the
 * channel and stores it (notify_render.c); 0 or -1 *cause. */
int notify_render(struct db *db, const char *project, struct notify_msg *m,
    char **cause);

/* Delivers the project's due action runs (notify_act.c), counted in c;
 * 0, or -1 with *cause on a database error. */
struct notify_counts;
int notify_act_pass(struct db *db, const char *project,
    struct notify_counts *c, char **cause);
/*
 * The delivery steps messages (notify.c) and action runs (notify_act.c)
 * share.  notify_due_in: seconds until the next item is due by the named
 * statement (one row, column seconds: NULL none, negative already due):
 * < 0 none, 0 due, < -1 an error.  notify_still_ours: whether the claimed
 * item is still ours at record time, by the named statement (column
 * owned; $1 project, $2 id, $3 the attempt we claimed; it locks the row):
 * a lapsed lease lets another deliverer take it.  1 yes, 0 no, -1 *cause.
 */
double notify_due_in(struct db *db, const char *query, const char *project,
    char **cause);
int notify_still_ours(struct db *db, const char *query, const char *project,
    const char *id, int attempts, char **cause);

/* The body for the channel's kind built from a notification (net.h); a new
 * reference, or NULL for the log kind. */
json_t *notify_body(const char *kind, json_t *note);
/*
 * POSTs body to the channel with the idempotency key.  Fills resp always;
 * returns 0 when a response arrived (any status) and -1 when none did, with
 * resp->error saying why (transport or configuration: a missing secret).
 * The secret is redacted from resp->body and resp->error.
 */
int notify_send(const struct notify_channel *ch, json_t *body,
    const char *idempotency_key, struct net_response *resp);
/* The same with one more header line ("Name: value"; NULL: none): an
 * action run's task key (notify_act.c). */
int notify_send_with(const struct notify_channel *ch, json_t *body,
    const char *idempotency_key, const char *header,
    struct net_response *resp);
/* What an outcome was, for outbound_attempts.error and output: NULL for a
 * 2xx, else malloc'd "HTTP 500: <start of the body>" or the transport
 * error. */
char *notify_outcome(const struct net_response *resp);

#endif
