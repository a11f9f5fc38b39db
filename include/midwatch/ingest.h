/*
 * ingest.h - getting raw data into PostgreSQL: JSON Lines files (the format
 * of doc/interfaces.md, every kind), stdin, and git repositories.
 *
 * Two layers.  The pure layer (no database) validates one line and turns it
 * into a normalised record, classifies commit paths, fingerprints error
 * messages and redacts secrets; the unit tests drive it directly.  The
 * driver layer (struct ingest) streams lines, batches the records, and
 * writes them with COPY (metric points) or one set-based statement per kind
 * and batch (everything else), idempotently (ON CONFLICT on natural keys and
 * dedupe keys).  Lines that cannot be ingested go to midwatch.ingest_errors
 * with their source, line number, payload and reason.
 */
#ifndef MIDWATCH_INGEST_H
#define MIDWATCH_INGEST_H

#include <stdio.h>
#include <stdint.h>
#include <jansson.h>

#include "midwatch/midwatch.h"

struct db;
struct ingest_fast_cache;

/* The kinds of doc/interfaces.md's table, in the order a batch is written. */
enum ingest_kind {
	INGEST_KIND_SERVICE,
	INGEST_KIND_DEPENDENCY,
	INGEST_KIND_METRIC,
	INGEST_KIND_DEPLOY,
	INGEST_KIND_COMMIT,
	INGEST_KIND_CONFIG_CHANGE,
	INGEST_KIND_ERROR,
	INGEST_KIND_HEALTH,
	INGEST_KIND_FUNNEL,
	INGEST_KIND_ALERT,
	INGEST_KIND_MAINTENANCE,
	INGEST_KIND_COUNT
};

/* Limits the validation enforces (documented in doc/ingest.md). */
#define INGEST_MAX_LINE (1024 * 1024)	/* longer lines are rejected */
#define INGEST_MAX_DEPTH 64		/* JSON nesting */
#define INGEST_MAX_NAME MW_NAME_MAX	/* identifiers: service, metric, ids... */
#define INGEST_MAX_PATH 2048		/* commit file paths */
#define INGEST_MAX_PAYLOAD 4096		/* dead-letter payload bytes kept */
#define INGEST_FIRST_ERRORS 5		/* rejections quoted in the summary */

/*
 * One validated line.  For every kind but metric, row is the normalised
 * object the store reads (keys documented in doc/ingest.md: canonical UTC
 * timestamps, defaults applied, unknown fields under "extra", secrets
 * redacted).  Metric points skip the object for speed and use the m_ fields.
 */
struct ingest_rec {
	enum ingest_kind kind;
	json_t *row;		/* owned; NULL for metric */
	json_t *src;		/* the parsed line (owned); metric strings borrow it */
	int redacted;		/* how many values were redacted */
	/* kind == INGEST_KIND_METRIC: */
	const char *m_service;	/* borrowed from src */
	const char *m_metric;	/* borrowed from src */
	double m_ts;		/* epoch seconds */
	double m_value;
	char *m_labels;		/* owned compact JSON object, NULL when no labels */
	char *m_labels_key;	/* owned canonical "k=v,k=v" (sorted), "" if none */
};

/* The kind's name as written in the `kind` field ("config_change"). */
const char *ingest_kinds_name(enum ingest_kind kind);
/*
 * Parses one line (len bytes, need not be NUL-terminated; may hold NULs or
 * invalid UTF-8) and validates it.  Returns 0 with *rec filled (release it
 * with ingest_kinds_clear), or -1 with *cause a malloc'd one-line reason.
 */
int ingest_kinds_parse_line(const char *line, size_t len,
    struct ingest_rec *rec, char **cause);
/*
 * ingest_kinds_parse_line with a fast path (ingest_fast.c): a metric line
 * of the plain form (the fields kind, ts, service, metric and value once
 * each, in any order; strings without escapes, control or non-ASCII bytes;
 * no labels) is validated without building a JSON object, its names
 * pointing into line, which it modifies (so line must outlive the record).
 * Any other line goes through ingest_kinds_parse_line.  The outcome -
 * record, values or reason - is the same either way; *fast says which path
 * took it.
 */
int ingest_kinds_parse_fast(char *line, size_t len, struct ingest_rec *rec,
    char **cause, int *fast, struct ingest_fast_cache *fc);
/* The fast path alone: 1 with *rec filled when it took the line, 0 when the
 * line needs the full parser (line then unchanged). */
int ingest_kinds_fast_metric(char *line, size_t len, struct ingest_rec *rec,
    struct ingest_fast_cache *fc);
/* What the fast path remembers between lines (names that need no
 * redaction); NULL works too, only slower.  One per thread. */
struct ingest_fast_cache *ingest_fast_cache_new(void);
void ingest_fast_cache_free(struct ingest_fast_cache *fc);
/* Redacts secrets in a metric record's names, as validation does. */
void ingest_kinds_metric_redact(struct ingest_rec *rec);
/* Validates an already-parsed object (borrowed; rec->src takes a reference)
 * exactly as ingest_kinds_parse_line does after parsing. */
int ingest_kinds_parse_object(json_t *obj, struct ingest_rec *rec,
    char **cause);
/* Releases what a record owns and zeroes it. */
void ingest_kinds_clear(struct ingest_rec *rec);
/* Formats t as the canonical "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (out >= 32). */
void ingest_kinds_ts(double t, char *out, size_t len);

/*
 * The change_type of a file path in a commit: db_migration, dependency,
 * config, timeout_retry, http_client, shared_util, auth, test, docs or
 * other (a static string).  The rule order is in doc/ingest.md.
 */
const char *ingest_classify_path(const char *path);

/*
 * The normalised form of an error message: lowercase; quoted strings,
 * UUIDs, IPv4 addresses, hex ids and numbers replaced by <str>, <uuid>,
 * <ip>, <hex> and <num>; runs of white space collapsed.  Malloc'd.
 */
char *ingest_fingerprint_normalize(const char *message);
/* The fingerprint of an error message: 16 hex digits of the FNV-1a 64 hash
 * of its normalised form.  Malloc'd; caller frees. */
char *ingest_fingerprint(const char *message);

/* 1 when a field or key name looks like it holds a secret (password, token,
 * api_key, private_key, credential, auth..., but not "author");
 * redact_is_secret_key of midwatch/redact.h. */
int ingest_redact_is_secret(const char *name);
/*
 * Redacts a config diff in place: an array of {field, old_value, new_value}.
 * Values of secret fields (or of every field when force) become
 * "[redacted]"; secrets in other values are replaced by their shape
 * (passwords in URLs, tokens, keys: redact_text).  An element with anything
 * redacted gains "redacted": true and "changed": bool (of the values as
 * they came).  Returns how many values were redacted.
 */
int ingest_redact_diff(json_t *diff, int force);
/* Replaces, in place, the values of secret-looking keys anywhere in j
 * (objects and arrays, recursively) and the secrets every other string and
 * key holds by its shape (redact_text); returns how many. */
int ingest_redact_json(json_t *j);
/* Only the shapes: every string value and object key anywhere in j through
 * redact_text, in place; returns how many secrets were replaced.  Applied
 * to every normalised row before it is stored. */
int ingest_redact_shapes(json_t *j);
/* A copy of s with URL passwords masked, or NULL when s has none. */
char *ingest_redact_url(const char *s);
/* Best-effort redaction of a line that is not valid JSON (s: a cleaned
 * payload, see ingest_payload_text): secrets are replaced by their shape
 * (redact_text) always, and when the line mentions a secret-looking word
 * every value after a ':' is masked too.  Returns a malloc'd copy, or NULL
 * when nothing was masked. */
char *ingest_redact_raw(const char *s);

/* A dead-letter payload: valid UTF-8 without NULs (bad bytes as \xNN),
 * cut to INGEST_MAX_PAYLOAD bytes with a note of the full length.
 * Malloc'd. */
char *ingest_payload_text(const char *s, size_t len, size_t full_len);
/*
 * Input quoted in a reason (an error the operator reads, a dead letter's
 * reason, a source's last error): the len bytes of s made valid UTF-8 (bad
 * bytes as \xNN), secrets redacted, cut between characters to at most max
 * bytes ("..." after when cut), on one line (newline, CR and tab as \n, \r,
 * \t, other controls as '?').  Malloc'd.
 */
char *ingest_quote(const char *s, size_t len, size_t max);


/* ---- Alertmanager webhook bodies (ingest_alertmanager.c) ----------------- */

/* Longest multi-line JSON document (a pretty-printed webhook body) read. */
#define INGEST_MAX_DOC (16 * 1024 * 1024)

/*
 * 1 when obj has the shape of an Alertmanager webhook body (the JSON it
 * POSTs to a webhook receiver, version "4"): an object without "kind" that
 * has an "alerts" member and a "version", "groupKey" or "receiver" member.
 * Whether "alerts" is really an array is checked when it is ingested.
 */
int ingest_am_is_body(json_t *obj);
/*
 * Alertmanager's own fingerprint of a label set (Prometheus'
 * LabelSet.Fingerprint): FNV-1a 64 over the labels sorted by name, each
 * name and value followed by a 0xff byte, as 16 lowercase hex digits.
 * Non-string values are hashed as compact JSON.  Malloc'd; caller frees.
 */
char *ingest_am_fingerprint(json_t *labels);
/*
 * midwatch's severity (critical, high, medium, low, info) for the value of
 * an alert's `severity` label, case-insensitive: critical/crit/fatal/
 * emergency/page/p1 -> critical, high/error/major/p2 -> high, medium/
 * warning/warn/p3 -> medium, low/minor/notice/p4 -> low, info/
 * informational/none/debug/ok/p5 -> info; NULL, empty or anything else ->
 * medium.  A static string.
 */
const char *ingest_alert_severity(const char *value);
/*
 * The service an alert belongs to, from its labels, the first of: `service`,
 * `job`, `app`, then the host part of `instance` ("db-1:9100" -> "db-1",
 * "[::1]:9093" -> "::1").  Only non-empty strings of at most
 * INGEST_MAX_NAME bytes count.  Malloc'd, or NULL when none.
 */
char *ingest_am_service(json_t *labels);
/*
 * Turns alert `index` of webhook body `body` into the records of the JSON
 * Lines `alert` kind (validated by ingest_kinds_parse_object, so stored by
 * the same path): a firing record at startsAt, and when the alert is
 * resolved (status "resolved", or endsAt not after now) also a resolved
 * record at endsAt.  recs must hold 2; *nrecs gets 1 or 2.  The records
 * carry source "alertmanager", Alertmanager's fingerprint (else
 * ingest_am_fingerprint of the labels), the service of ingest_am_service,
 * and in extra starts_at, generator_url, receiver, group_key, external_url
 * and (the resolved record only) ends_at.  Returns 0, or -1 with *cause
 * a malloc'd reason (nothing to release).
 */
int ingest_am_alert(json_t *body, size_t index, double now,
    struct ingest_rec *recs, int *nrecs, char **cause);
/*
 * Parses len bytes of JSON text (one line or a whole document) after
 * refusing a NUL byte anywhere in it ("NUL byte at column C", or "at line
 * L, column C" when multiline) and checking its nesting depth.  Returns the
 * value (new reference), or NULL with *cause a malloc'd reason: "invalid
 * JSON: ... (line L, column C)" when multiline, else "(column C)"; never
 * quoting the input.
 */
json_t *ingest_kinds_load(const char *text, size_t len, int multiline,
    char **cause);

/* ---- the driver ---------------------------------------------------------- */

struct ingest_kind_stats {
	long long valid;	/* lines of this kind that passed validation
				 * and were stored: their batch committed */
	long long inserted;	/* new rows */
	long long updated;	/* existing rows whose content changed */
};

struct ingest_stats {
	long long lines;		/* lines (or git commits) read */
	long long blank;		/* empty lines, skipped */
	long long rejected;		/* lines sent to ingest_errors (committed) */
	long long unstored;		/* valid or rejected lines whose batch
					 * never committed (the database failed):
					 * nothing of them is stored */
	long long dead_new;		/* ingest_errors rows added */
	long long services_auto;	/* services created on the fly */
	long long files_new;		/* commit_files rows added or changed */
	long long links_new;		/* deployment_commit_ranges rows added */
	long long am_bodies;		/* Alertmanager webhook bodies read */
	long long am_alerts;		/* alerts in them, ingested or rejected */
	long long am_resolved;		/* of which resolved */
	long long am_truncated;		/* alerts Alertmanager left out */
	long long alerts_changed;	/* midwatch.alerts rows opened or changed
					 * from external alerts */
	int sources;			/* files/streams/repositories read */
	int sources_failed;		/* that could not be opened or read */
	struct ingest_kind_stats kind[INGEST_KIND_COUNT];
	char *first_errors[INGEST_FIRST_ERRORS];	/* "SRC:LINE: reason" */
	int nfirst;
};

struct ingest;

/* A driver writing into project_id through db (borrowed). */
struct ingest *ingest_new(struct db *db, long long project_id);
void ingest_free(struct ingest *in);
/*
 * Reads JSON Lines from f until EOF; source names it in ingest_errors and
 * messages (a file name, "-" for stdin, "demo:seed=1").  Bad lines are
 * dead-lettered and counted, never fatal.  Returns 0, or -1 with *cause
 * when reading or the database failed (what was committed stays).
 */
int ingest_stream(struct ingest *in, FILE *f, const char *source,
    char **cause);
/* Opens path ("-" for stdin) and ingests it; an unreadable file counts in
 * sources_failed and returns -1 with *cause. */
int ingest_file(struct ingest *in, const char *path, char **cause);
/*
 * Ingests the commits of the git repository at repo_path (run as
 * `git -C repo_path log --numstat`, no shell) as commit records of repo
 * repo_name (NULL: the directory's basename).  since is NULL, a date
 * (YYYY-MM-DD...) or a revision (commits after it).  0 or -1 with *cause.
 */
int ingest_git(struct ingest *in, const char *repo_path,
    const char *repo_name, const char *since, char **cause);
/*
 * The pure half of ingest_git: one record of the `git log --numstat` output
 * ingest_git asks for (rec: the len bytes after a record's RS byte 0x1e;
 * sha, author, author date and message each ended by a NUL, then numstat
 * lines "added<TAB>removed<TAB>path") as the object of a `commit` line of
 * repo, for ingest_kinds_parse_object: every string valid UTF-8, bad bytes
 * as '?'.  NULL when the record is malformed (fewer than four fields).
 */
json_t *ingest_git_record(const char *rec, size_t len, const char *repo);
/*
 * Names the source of what follows, for a pulled source (src/sources/):
 * name is stored with dead letters, source_id (an ingest_sources id, or 0)
 * links them to the source's row.
 */
void ingest_set_source(struct ingest *in, const char *name,
    long long source_id);
/*
 * Takes one JSON object of a pulled source as ingest_stream takes a line: a
 * record of any kind (validated, redacted, batched) or an Alertmanager
 * webhook body; an invalid one is dead-lettered with its reason and item
 * (a position within the pull, stored as line_no).  obj is borrowed.
 * 0, or -1 with *cause when the database failed.
 */
int ingest_object(struct ingest *in, json_t *obj, long long item,
    char **cause);
/* Dead-letters item of a pulled source: payload (cleaned and redacted
 * here), reason (consumed).  0, or -1 with *cause (database). */
int ingest_reject(struct ingest *in, long long item, const char *payload,
    char *reason, char **cause);
/* Writes what is still batched; 0 or -1 with *cause. */
int ingest_flush(struct ingest *in, char **cause);
/* The counts so far (borrowed). */
const struct ingest_stats *ingest_get_stats(const struct ingest *in);
/* Rows added or changed in every table, excluding dead letters. */
long long ingest_new_rows(const struct ingest_stats *st);
/* Lines that were valid (ingested or already present). */
long long ingest_valid_lines(const struct ingest_stats *st);
/* Prints the summary: lines, per-kind counts, the first rejections. */
void ingest_print_summary(const struct ingest *in, FILE *f);

#endif
