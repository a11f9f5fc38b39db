/*
 * sources_int.h - what the files of src/sources/ share: one loaded source
 * (its row, settings and secret), a pull's failure, and the pullers of
 * each kind (source_prom.c, source_am.c).
 */
#ifndef MIDWATCH_SOURCES_INT_H
#define MIDWATCH_SOURCES_INT_H

#include <jansson.h>

#include "midwatch/net.h"
#include "midwatch/settings.h"
#include "midwatch/sources.h"

struct db;
struct ingest;

/* One source, as loaded for a pull or a test. */
struct src {
	long long id;
	long long project_id;
	char *name;
	char *kind;		/* prometheus | alertmanager */
	char *url;
	json_t *settings;	/* owned */
	json_t *cursor;		/* owned */
	int retries;		/* consecutive failures so far */
	/* filled by src_prepare: */
	char *auth;		/* "Authorization: ..." (holds the secret) */
	char *secret;		/* the secret itself, for net_redact */
	char *org;		/* "X-Scope-OrgID: ..." */
	const char *headers[4];
	const char *secrets[3];
	int timeout_ms;
};

/* Why a pull failed: reason (one line, no secret) and the payload kept
 * with the dead letter (the request and what came back).  Malloc'd. */
struct src_fail {
	char *reason;
	char *payload;
};

extern const struct setting src_prom_settings[];
extern const struct setting src_am_settings[];

/* The settings table of a kind, or NULL. */
const struct setting *src_settings(const char *kind);
struct db_res;
/* Loads row i of r into s: columns id, kind, name, config, cursor, retries. */
void src_load(struct src *s, long long project_id, const struct db_res *r,
    int i);
/* Loads the secret and builds the headers; 0, or -1 with f filled. */
int src_prepare(struct src *s, struct src_fail *f);
void src_release(struct src *s);
/* A failed request's payload (malloc'd): head, then "answer: " and the
 * first SRC_ANSWER_MAX bytes of body (NULL: none) with its secrets found
 * by shape replaced (redact_text) before it is cut: an error page may echo
 * a token. */
#define SRC_ANSWER_MAX 512
char *src_answer_payload(const char *head, const char *body);
/* Sets f from a format, the reason and payload redacted (redact_text);
 * returns 1 (a pull's "failed"). */
int src_failf(struct src_fail *f, const char *payload, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * GETs path with params from the source, with its authentication and
 * timeout.  0 with *resp (any status; release it), or 1 with f filled when
 * nothing came back (the secret is never in f).
 */
int src_get(struct src *s, const char *path, const char *const *params,
    struct net_response *resp, struct src_fail *f);

/* What a pull of one source did (added to sources_counts). */
struct src_pulled {
	long long points, alerts, resolved;
};

/*
 * Pulls a Prometheus source into in: one query_range per meaning over the
 * window after the cursor.  *cursor gets the new cursor (new reference)
 * when every query succeeded; the caller stores it after the rows are
 * committed.  0 ok, 1 failed (f), 2 nothing due yet (not a whole step
 * since the cursor: nothing asked), -1 database (*cause).
 */
int src_prom_pull(struct src *s, struct ingest *in, double now,
    json_t **cursor, struct src_pulled *p, struct src_fail *f, char **cause);
/* Instant queries for `sources test`; 0 ok, 1 failed; *report malloc'd. */
int src_prom_test(struct src *s, char **report);
/*
 * Pulls an Alertmanager source: /api/v2/alerts into in, and a resolution
 * for each alert of this source still firing in the database that the
 * answer no longer holds.  0, 1 failed (f), -1 database (*cause).
 */
int src_am_pull(struct db *db, struct src *s, struct ingest *in, double now,
    struct src_pulled *p, struct src_fail *f, char **cause);
int src_am_test(struct src *s, char **report);

#endif
