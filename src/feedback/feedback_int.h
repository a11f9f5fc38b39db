/*
 * feedback_int.h - what the files of src/feedback/ share: the action
 * requests on a recommendation (feedback_act.c), checked and applied by
 * feedback_record() in its transaction.
 */
#ifndef MIDWATCH_FEEDBACK_INT_H
#define MIDWATCH_FEEDBACK_INT_H

#include <jansson.h>

struct db;

/* Checks an action request's payload (whoever built it: the CLI, the
 * console, a journal replay); 0, or -1 with *cause. */
int feedback_act_check(json_t *p, char **cause);
/*
 * Creates the run of a recorded request (and the incident's tracker task
 * the first time one is asked for on that channel), inside the caller's
 * transaction: the channel must exist and suit the action.  project,
 * reco, incident and event are ids as text; key is the event's
 * idempotency key, which the run takes.  0, or -1 with *cause.
 */
int feedback_act_apply(struct db *db, const char *project, const char *reco,
    const char *incident, long long event, const char *actor,
    const char *key, json_t *payload, char **cause);

#endif
