/*
 * ingest.c - the ingest driver: reads JSON Lines from files or stdin one
 * line at a time (never a whole file in memory), validates each line
 * (ingest_kinds.c), batches the records, and writes a batch in one
 * transaction (ingest_store.c, ingest_copy.c).  A line that cannot be
 * ingested becomes a dead letter in ingest_errors with its source, line
 * number, payload and reason; the rest go in.  Alertmanager webhook bodies
 * (one a line, or one pretty-printed document over many lines) are expanded
 * into their alerts (ingest_webhook.c).
 *
 * When a whole batch is refused by the database (something validation did
 * not foresee), the batch is rolled back and retried one record at a time,
 * so only the offending lines become dead letters.  A lost connection ends
 * the ingest instead.
 *
 * The summary counts what is stored: a line counts as valid (or rejected)
 * when the transaction of its batch committed; the lines of a batch the
 * database never committed count as not stored.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"
#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/ingest.h"
#include "midwatch/log.h"
#include "midwatch/redact.h"
#include "midwatch/sanitize.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"

/* ---- the service-name cache ---------------------------------------------- */

/* Hash of a service name for the cache. */
static size_t
svc_hash(const char *name, size_t size)
{
	return (size_t)(fnv1a64(MW_FNV1A64_INIT, name,
	    strlen(name)) % size);
}

/* Looks a name up in the cache. */
struct ingest_svc *
ingest_svc_find(struct ingest *in, const char *name)
{
	struct ingest_svc *e;

	for (e = in->svc_tab[svc_hash(name, in->svc_size)]; e != NULL; e = e->next)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* Doubles the cache's bucket array. */
static void
svc_grow(struct ingest *in)
{
	struct ingest_svc **tab, *e, *next;
	size_t size = in->svc_size * 2, i, h;

	tab = xcalloc(size, sizeof *tab);
	for (i = 0; i < in->svc_size; i++) {
		for (e = in->svc_tab[i]; e != NULL; e = next) {
			next = e->next;
			h = svc_hash(e->name, size);
			e->next = tab[h];
			tab[h] = e;
		}
	}
	free(in->svc_tab);
	in->svc_tab = tab;
	in->svc_size = size;
}

/* Finds or adds a name (unresolved: id 0). */
struct ingest_svc *
ingest_svc_intern(struct ingest *in, const char *name)
{
	struct ingest_svc *e = ingest_svc_find(in, name);
	size_t h;

	if (e != NULL)
		return e;
	if (in->svc_count >= in->svc_size)
		svc_grow(in);
	e = xcalloc(1, sizeof *e);
	e->name = xstrdup(name);
	h = svc_hash(name, in->svc_size);
	e->next = in->svc_tab[h];
	in->svc_tab[h] = e;
	in->svc_count++;
	return e;
}

/* Forgets the ids resolved by flush gen (its transaction rolled back). */
static void
svc_forget(struct ingest *in, unsigned gen)
{
	struct ingest_svc *e;
	size_t i;

	for (i = 0; i < in->svc_size; i++)
		for (e = in->svc_tab[i]; e != NULL; e = e->next)
			if (e->gen == gen)
				e->id = 0;
}

/* ---- batches ------------------------------------------------------------- */

/* An empty batch. */
static void
batch_init(struct ingest_batch *b)
{
	int k;

	memset(b, 0, sizeof *b);
	for (k = 0; k < INGEST_KIND_COUNT; k++)
		b->rows[k] = json_array();
	b->dead = json_array();
}

/* Releases a batch; its points' strings too when owns_points. */
static void
batch_release(struct ingest_batch *b, int owns_points)
{
	size_t i;
	int k;

	for (k = 0; k < INGEST_KIND_COUNT; k++)
		json_decref(b->rows[k]);
	json_decref(b->dead);
	if (owns_points) {
		for (i = 0; i < b->npoints; i++) {
			free(b->points[i].metric);
			free(b->points[i].labels_key);
			free(b->points[i].labels);
		}
		free(b->points);
	}
	memset(b, 0, sizeof *b);
}

/* Empties a written batch, keeping its points array for the next one (a
 * new one each time was 50,000 points of page faults and copies). */
static void
batch_reuse(struct ingest_batch *b)
{
	struct ingest_point *points = b->points;
	size_t i, cap = b->cappoints;

	for (i = 0; i < b->npoints; i++) {
		free(b->points[i].metric);
		free(b->points[i].labels_key);
		free(b->points[i].labels);
	}
	b->npoints = 0;
	b->points = NULL;
	batch_release(b, 1);
	batch_init(b);
	b->points = points;
	b->cappoints = cap;
}

/* Adds the counts of d (a committed batch) to s. */
static void
stats_merge(struct ingest_stats *s, const struct ingest_stats *d)
{
	int k;

	s->rejected += d->rejected;
	s->unstored -= d->rejected;
	s->dead_new += d->dead_new;
	s->services_auto += d->services_auto;
	s->files_new += d->files_new;
	s->links_new += d->links_new;
	s->alerts_changed += d->alerts_changed;
	for (k = 0; k < INGEST_KIND_COUNT; k++) {
		s->kind[k].valid += d->kind[k].valid;
		s->unstored -= d->kind[k].valid;
		s->kind[k].inserted += d->kind[k].inserted;
		s->kind[k].updated += d->kind[k].updated;
	}
}

/* Remembers a rejection for the summary (counted when its dead letter is
 * stored). */
static void
stats_reject(struct ingest *in, const char *source, long long line,
    const char *reason)
{
	struct ingest_stats *s = &in->stats;

	if (s->nfirst < INGEST_FIRST_ERRORS)
		s->first_errors[s->nfirst++] = xasprintf("%s:%lld: %s", source,
		    line, reason);
}

/* ---- the driver ---------------------------------------------------------- */

/* Creates a driver. */
struct ingest *
ingest_new(struct db *db, long long project_id)
{
	struct ingest *in = xcalloc(1, sizeof *in);

	in->db = db;
	in->project_id = project_id;
	snprintf(in->project, sizeof in->project, "%lld", project_id);
	in->svc_size = 64;
	in->svc_tab = xcalloc(in->svc_size, sizeof *in->svc_tab);
	in->source = xstrdup("-");
	batch_init(&in->batch);
	buf_init(&in->copy_buf);
	return in;
}

/* Frees a driver (what is still batched is dropped: flush first). */
void
ingest_free(struct ingest *in)
{
	struct ingest_svc *e, *next;
	size_t i;
	int n;

	if (in == NULL)
		return;
	batch_release(&in->batch, 1);
	buf_free(&in->copy_buf);
	for (i = 0; i < in->svc_size; i++) {
		for (e = in->svc_tab[i]; e != NULL; e = next) {
			next = e->next;
			free(e->name);
			free(e->tier);
			free(e);
		}
	}
	free(in->svc_tab);
	for (n = 0; n < in->stats.nfirst; n++)
		free(in->stats.first_errors[n]);
	free(in->source);
	free(in);
}

/* The counts so far. */
const struct ingest_stats *
ingest_get_stats(const struct ingest *in)
{
	return &in->stats;
}

/* Rows added or changed, all tables but ingest_errors. */
long long
ingest_new_rows(const struct ingest_stats *st)
{
	long long n = st->services_auto + st->files_new + st->links_new;
	int k;

	for (k = 0; k < INGEST_KIND_COUNT; k++)
		n += st->kind[k].inserted + st->kind[k].updated;
	return n;
}

/* Lines that passed validation and were not refused by the database. */
long long
ingest_valid_lines(const struct ingest_stats *st)
{
	long long n = 0;
	int k;

	for (k = 0; k < INGEST_KIND_COUNT; k++)
		n += st->kind[k].valid;
	return n;
}

/*
 * Turns bytes into dead-letter text: valid UTF-8, no NUL, bounded.  What is
 * valid is utf8_decode's (RFC 3629: no overlongs, surrogates or code points
 * past U+10FFFF); any other byte, and NUL, is shown as \xNN.  A character
 * the INGEST_MAX_PAYLOAD limit cuts in two is left out.  (Until issue 14
 * this file had its own decoder with the same acceptance; it also left out
 * an invalid sequence whose lead byte announced a length reaching past the
 * limit - now such a byte is shown as \xNN like any other invalid byte.)
 */
char *
ingest_payload_text(const char *s, size_t len, size_t full_len)
{
	struct buf b;
	size_t i = 0, n, cut = len;
	uint32_t cp;

	if (full_len < len)
		full_len = len;
	if (cut > INGEST_MAX_PAYLOAD)
		cut = INGEST_MAX_PAYLOAD;
	buf_init(&b);
	buf_add(&b, "", 0);
	while (i < cut) {
		n = utf8_decode(s + i, cut - i, &cp);
		if (n > 0 && cp != 0) {
			buf_add(&b, s + i, n);
			i += n;
			continue;
		}
		if (n == 0 && cut < len && utf8_decode(s + i, len - i, &cp) > 0)
			break;		/* a character cut by the limit */
		buf_printf(&b, "\\x%02x", (unsigned char)s[i]);
		i++;
	}
	if (full_len > cut)
		buf_printf(&b, " ...[truncated, %zu bytes]", full_len);
	return buf_steal(&b);
}

/* A cleaned payload for a rejected line, secrets masked: when the line is a
 * JSON object it is redacted as an object (re-serialised only if something
 * was masked), otherwise masked textually. */
char *
ingest_dead_payload(const char *line, size_t len, size_t full_len)
{
	json_t *obj, *diff;
	const char *ck, *src;
	char *text, *masked, *dump;
	int n, force;

	text = ingest_payload_text(line, len, full_len);
	obj = full_len == len ? json_loadb(line, len, 0, NULL) : NULL;
	if (json_is_object(obj)) {
		ck = json_string_value(json_object_get(obj, "change_kind"));
		src = json_string_value(json_object_get(obj, "source"));
		force = (ck != NULL && strstr(ck, "secret") != NULL) ||
		    (src != NULL && strstr(src, "secret") != NULL);
		n = ingest_redact_json(obj);
		if ((diff = json_object_get(obj, "diff")) != NULL)
			n += ingest_redact_diff(diff, force);
		if (n > 0) {
			dump = json_dumps(obj, JSON_COMPACT);
			if (dump != NULL) {
				free(text);
				text = ingest_payload_text(dump, strlen(dump),
				    strlen(dump));
				free(dump);
			}
		}
		json_decref(obj);
		return text;
	}
	json_decref(obj);
	masked = ingest_redact_raw(text);
	if (masked != NULL) {
		free(text);
		text = masked;
	}
	return text;
}

static int flush_dead(struct ingest *, char **);

/* A reason for ingest_errors and the summary: valid UTF-8, and no secret
 * even when it quotes the input.  Malloc'd. */
static char *
dead_reason(const char *reason)
{
	char *r = redact_text(reason, NULL);
	char *clean = ingest_payload_text(r, strlen(r), strlen(r));

	free(r);
	return clean;
}

/* Adds a dead letter to the batch (see ingest_int.h). */
int
ingest_add_dead(struct ingest *in, long long line, char *payload, char *reason,
    char **cause)
{
	struct ingest_batch *b = &in->batch;
	char *clean = dead_reason(reason);

	stats_reject(in, in->source, line, clean);
	b->rejected++;
	in->stats.unstored++;
	json_array_append_new(b->dead, json_pack("{s:s, s:I, s:s, s:s}",
	    "source", in->source, "line_no",
	    (json_int_t)(line > 2147483647LL ? 2147483647LL : line),
	    "payload", payload, "error", clean));
	if (in->source_id > 0)
		json_object_set_new(json_array_get(b->dead,
		    json_array_size(b->dead) - 1), "source_id",
		    json_integer((json_int_t)in->source_id));
	free(clean);
	free(payload);
	free(reason);
	b->nrecs++;
	if (json_array_size(b->dead) >= INGEST_BATCH_ROWS)
		return flush_dead(in, cause);
	return 0;
}

/* Adds a validated record to the batch (see ingest_int.h). */
int
ingest_add_record(struct ingest *in, struct ingest_rec *rec, long long line,
    size_t bytes, char **cause)
{
	struct ingest_batch *b = &in->batch;
	struct ingest_point *pt;
	struct ingest_svc *e;
	json_t *row;
	const char *name, *tier;
	size_t nrows = 0;
	int k;

	b->valid[rec->kind]++;
	in->stats.unstored++;
	if (rec->kind == INGEST_KIND_METRIC) {
		if (b->npoints == b->cappoints) {
			b->cappoints = b->cappoints ? b->cappoints * 2 : 1024;
			b->points = xreallocarray(b->points, b->cappoints,
			    sizeof *b->points);
		}
		pt = &b->points[b->npoints++];
		pt->svc = ingest_svc_intern(in, rec->m_service);
		pt->metric = xstrdup(rec->m_metric);
		pt->labels_key = rec->m_labels_key;
		pt->labels = rec->m_labels;
		rec->m_labels_key = NULL;
		rec->m_labels = NULL;
		pt->ts = rec->m_ts;
		pt->value = rec->m_value;
		pt->line = line;
		if (b->npoints == 1 || pt->ts < b->pmin)
			b->pmin = pt->ts;
		if (b->npoints == 1 || pt->ts > b->pmax)
			b->pmax = pt->ts;
	} else {
		row = rec->row;
		rec->row = NULL;
		json_object_set_new(row, "_line", json_integer((json_int_t)line));
		if ((name = json_string_value(json_object_get(row, "service"))) != NULL)
			ingest_svc_intern(in, name);
		if (rec->kind == INGEST_KIND_DEPENDENCY) {
			ingest_svc_intern(in,
			    json_string_value(json_object_get(row, "from_name")));
			e = ingest_svc_intern(in,
			    json_string_value(json_object_get(row, "to_name")));
			tier = json_string_value(json_object_get(row, "dep_kind"));
			if (e->tier == NULL && tier != NULL) {
				/* an already-known auto-created service may
				 * still need its tier: resolve it again */
				e->tier = xstrdup(tier);
				e->id = 0;
			}
		}
		json_array_append_new(b->rows[rec->kind], row);
	}
	ingest_kinds_clear(rec);
	b->nrecs++;
	b->bytes += bytes;
	for (k = 0; k < INGEST_KIND_COUNT; k++)
		nrows += json_array_size(b->rows[k]);
	if (b->npoints >= INGEST_BATCH_POINTS || nrows >= INGEST_BATCH_ROWS ||
	    b->bytes >= INGEST_BATCH_BYTES)
		return ingest_flush(in, cause);
	return 0;
}

/* Writes batch b in one transaction; *delta gets what it did, its lines
 * counted valid or rejected only once it committed.  On failure everything
 * of b is rolled back. */
static int
flush_try(struct ingest *in, struct ingest_batch *b, struct ingest_stats *delta,
    char **cause)
{
	int k;

	memset(delta, 0, sizeof *delta);
	in->gen++;
	if (b->npoints > 0) {
		if (!in->stage_ready) {
			if (db_exec_script(in->db, cause,
			    "CREATE TEMP TABLE IF NOT EXISTS mw_ingest_points ("
			    "service_id bigint, metric_name text, labels_key text, "
			    "ts timestamptz, value double precision, labels jsonb) "
			    "ON COMMIT DELETE ROWS") != 0)
				return -1;
			in->stage_ready = 1;
		}
		if (ingest_copy_partitions(in, b, cause) != 0)
			return -1;
	}
	if (db_begin(in->db, cause) != 0)
		return -1;
	if (ingest_store_batch(in, b, delta, cause) != 0 ||
	    db_commit(in->db, cause) != 0) {
		db_rollback(in->db);
		svc_forget(in, in->gen);
		return -1;
	}
	for (k = 0; k < INGEST_KIND_COUNT; k++)
		delta->kind[k].valid = b->valid[k];
	delta->rejected = b->rejected;
	return 0;
}

/* Writes only the batch's dead letters (many bad lines in a row), so the
 * records' batch boundaries depend on the records alone. */
static int
flush_dead(struct ingest *in, char **cause)
{
	struct ingest_batch one;
	struct ingest_stats delta;
	int rc;

	batch_init(&one);
	json_array_extend(one.dead, in->batch.dead);
	one.nrecs = json_array_size(one.dead);
	one.rejected = in->batch.rejected;
	rc = flush_try(in, &one, &delta, cause);
	if (rc == 0) {
		stats_merge(&in->stats, &delta);
		in->batch.nrecs -= one.nrecs;
		in->batch.rejected = 0;
		json_array_clear(in->batch.dead);
	}
	batch_release(&one, 0);
	return rc;
}

/* Dead-letters a record the database refused (fallback path). */
static void
fallback_reject(struct ingest *in, json_t *dead, const char *source,
    long long line, json_t *payload_obj, const char *why)
{
	char *dump, *payload, *reason, *clean;

	/* the ids the store added are ours, not the line's */
	json_object_del(payload_obj, "service_id");
	json_object_del(payload_obj, "from_service_id");
	json_object_del(payload_obj, "to_service_id");
	dump = json_dumps(payload_obj, JSON_COMPACT | JSON_REAL_PRECISION(15));
	payload = ingest_payload_text(dump ? dump : "", dump ? strlen(dump) : 0,
	    dump ? strlen(dump) : 0);
	reason = xasprintf("rejected by the database: %s", why);
	clean = dead_reason(reason);

	stats_reject(in, source, line, clean);
	json_array_append_new(dead, json_pack("{s:s, s:I, s:s, s:s}", "source",
	    source, "line_no", (json_int_t)(line > 2147483647LL ? 2147483647LL : line),
	    "payload", payload, "error", clean));
	free(dump);
	free(payload);
	free(reason);
	free(clean);
}

/* Retries a refused batch record by record; refused records become dead
 * letters.  -1 only when the database itself failed. */
static int
flush_fallback(struct ingest *in, struct ingest_batch *b, char **cause)
{
	struct ingest_batch one;
	struct ingest_stats delta;
	json_t *dead = json_array(), *row, *p;
	char *why = NULL, ts[40];
	long long refused = 0;
	size_t i;
	int k, rc = -1;

	for (k = 0; k < INGEST_KIND_COUNT; k++) {
		json_array_foreach(b->rows[k], i, row) {
			batch_init(&one);
			json_array_append(one.rows[k], row);
			one.nrecs = 1;
			one.valid[k] = 1;
			if (flush_try(in, &one, &delta, &why) == 0)
				stats_merge(&in->stats, &delta);
			else if (!db_alive(in->db)) {
				*cause = why;
				batch_release(&one, 0);
				goto out;
			} else {
				p = json_deep_copy(row);
				json_object_del(p, "_line");
				refused++;
				fallback_reject(in, dead, in->source, json_integer_value(
				    json_object_get(row, "_line")), p, why);
				json_decref(p);
				free(why);
			}
			why = NULL;
			batch_release(&one, 0);
		}
	}
	for (i = 0; i < b->npoints; i++) {
		batch_init(&one);
		one.points = &b->points[i];
		one.npoints = 1;
		one.nrecs = 1;
		one.valid[INGEST_KIND_METRIC] = 1;
		one.pmin = one.pmax = b->points[i].ts;
		if (flush_try(in, &one, &delta, &why) == 0)
			stats_merge(&in->stats, &delta);
		else if (!db_alive(in->db)) {
			*cause = why;
			batch_release(&one, 0);
			goto out;
		} else {
			ingest_kinds_ts(b->points[i].ts, ts, sizeof ts);
			p = json_pack("{s:s, s:s, s:s, s:s, s:f}", "kind", "metric",
			    "ts", ts, "service", b->points[i].svc->name, "metric",
			    b->points[i].metric, "value", b->points[i].value);
			refused++;
			fallback_reject(in, dead, in->source, b->points[i].line, p, why);
			json_decref(p);
			free(why);
		}
		why = NULL;
		batch_release(&one, 0);
	}
	/* the dead letters: the batch's own and the refused records */
	batch_init(&one);
	json_array_extend(one.dead, b->dead);
	json_array_extend(one.dead, dead);
	one.nrecs = json_array_size(one.dead);
	one.rejected = b->rejected + refused;
	if (one.nrecs > 0) {
		if (flush_try(in, &one, &delta, cause) != 0) {
			batch_release(&one, 0);
			goto out;
		}
		stats_merge(&in->stats, &delta);
	}
	batch_release(&one, 0);
	rc = 0;
out:
	json_decref(dead);
	return rc;
}

/* Writes what is batched (see ingest.h). */
int
ingest_flush(struct ingest *in, char **cause)
{
	struct ingest_batch *b = &in->batch;
	struct ingest_stats delta;
	char *why = NULL;
	int rc = 0;

	if (b->nrecs == 0)
		return 0;
	if (flush_try(in, b, &delta, &why) == 0)
		stats_merge(&in->stats, &delta);
	else if (!db_alive(in->db)) {
		*cause = why;
		rc = -1;
	} else {
		log_warn("ingest: a batch of %zu records was refused (%s); "
		    "retrying record by record", b->nrecs, why);
		free(why);
		rc = flush_fallback(in, b, cause);
	}
	batch_reuse(b);
	return rc;
}

/* ---- reading lines -------------------------------------------------------- */

/* The current line of the input (ingest_read.c reads and validates ahead
 * on its thread). */
struct reader {
	struct ingest_reader *rd;
	struct ingest_line *cur;
	char *buf;		/* its text */
	size_t len;		/* bytes kept */
	size_t full;		/* bytes the line really had */
	int error;		/* the input ended with a read error */
};

/* Reads the next line (without its newline); 1 got one, 0 at EOF, -1 on a
 * read error (r->error then stays set). */
static int
reader_next(struct reader *r)
{
	int rc = ingest_reader_next(r->rd, &r->cur, &r->buf);

	if (rc < 0)
		r->error = 1;
	if (rc != 1) {
		r->cur = NULL;
		r->buf = NULL;
		r->len = r->full = 0;
		return rc;
	}
	r->len = r->cur->len;
	r->full = r->cur->full;
	return 1;
}

/* Validates the current line, taking what the reader thread found. */
static int
reader_parse(struct reader *r, struct ingest_rec *rec, char **why)
{
	struct ingest_line *l = r->cur;
	int fast;

	if (l->parsed > 0) {
		*rec = l->rec;
		memset(&l->rec, 0, sizeof l->rec);
		l->parsed = 0;
		return 0;
	}
	if (l->parsed < 0) {
		*why = l->why;
		l->why = NULL;
		l->parsed = 0;
		return -1;
	}
	return ingest_kinds_parse_fast(r->buf, r->len, rec, why, &fast, NULL);
}

/* 1 when the line is only white space. */
static int
line_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' &&
		    s[i] != '\v')
			return 0;
	return 1;
}

/* ---- JSON documents: webhook bodies, pretty-printed ----------------------- */

static int line_opens_doc(const char *, size_t);


/* Nesting outside strings, carried from line to line of a document. */
struct scan {
	long depth;
	int in_str, esc;
};

/* Advances the scan over one line (JSON strings never span lines, so a
 * string left open ends with its line). */
static void
scan_line(struct scan *sc, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (sc->in_str) {
			if (sc->esc)
				sc->esc = 0;
			else if (s[i] == '\\')
				sc->esc = 1;
			else if (s[i] == '"')
				sc->in_str = 0;
		} else if (s[i] == '"')
			sc->in_str = 1;
		else if (s[i] == '{' || s[i] == '[')
			sc->depth++;
		else if (s[i] == '}' || s[i] == ']')
			sc->depth--;
	}
	sc->in_str = sc->esc = 0;
}

/* 1 when the line is a lone "{" (white space around it): the first line of
 * a pretty-printed JSON document, which a JSON Lines line never is. */
static int
line_opens_doc(const char *s, size_t len)
{
	size_t i;
	int brace = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '{' && !brace)
			brace = 1;
		else if (s[i] != ' ' && s[i] != '\t')
			return 0;
	}
	return brace;
}

/* 1 when ingest_stream takes the line as one plain record (see
 * ingest_int.h): the tests its loop makes, in its order. */
int
ingest_line_is_record(const char *s, size_t len, size_t full)
{
	if (full > len || line_blank(s, len) || line_opens_doc(s, len))
		return 0;
	/* a webhook body on one line (a relay appending bodies); the cheap
	 * test keeps metric lines on the fast path */
	return memmem(s, len, "\"alerts\"", 8) == NULL;
}

/*
 * Ingests JSON text read from line first that is not taken for a plain
 * JSON Lines record: a webhook body on one line, or a whole document.  An
 * Alertmanager webhook body is expanded into its alerts; any other object
 * is validated as a record.  0 or -1 with *cause (database).
 */
static int
ingest_json_text(struct ingest *in, const char *text, size_t len,
    long long first, int multiline, char **cause)
{
	struct ingest_rec rec;
	json_t *obj;
	char *why = NULL;
	int rc;

	obj = ingest_kinds_load(text, len, multiline, &why);
	if (obj == NULL)
		return ingest_add_dead(in, first, ingest_dead_payload(text, len,
		    len), why, cause);
	if (ingest_am_is_body(obj))
		rc = ingest_webhook_body(in, obj, first, len, cause);
	else if (ingest_kinds_parse_object(obj, &rec, &why) != 0)
		rc = ingest_add_dead(in, first, ingest_dead_payload(text, len,
		    len), why, cause);
	else
		rc = ingest_add_record(in, &rec, first, len, cause);
	json_decref(obj);
	return rc;
}

/* 1 when the line's first non-blank byte is '{'. */
static int
line_starts_object(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	return i < len && s[i] == '{';
}

/*
 * Reads the rest of a multi-line JSON document whose first line (a lone
 * "{") r holds, at *line, up to the line that closes it, and ingests it.
 * Every line counts as read.  A document that never closes, or is longer
 * than INGEST_MAX_DOC, is one dead letter at its first line.  So that a
 * stray "{" line does not swallow the JSON Lines after it, a line that
 * opens an object right inside the document's top level (which valid JSON
 * never has) ends the document as unterminated and is left in r for the
 * caller (*pending = 1).  A read error is left for the caller's next read.
 * 0 or -1 with *cause (database).
 */
static int
read_doc(struct ingest *in, struct reader *r, long long *line, int *pending,
    char **cause)
{
	struct scan sc = { 0, 0, 0 };
	struct buf b;
	long long first = *line, last = *line;
	size_t seen;
	int over = 0, rc;

	*pending = 0;
	buf_init(&b);
	buf_add(&b, r->buf, r->len);
	buf_addc(&b, '\n');
	seen = r->full + 1;
	scan_line(&sc, r->buf, r->len);
	while (sc.depth > 0 && reader_next(r) == 1) {
		(*line)++;
		in->stats.lines++;
		if (sc.depth == 1 && line_starts_object(r->buf, r->len)) {
			*pending = 1;
			break;
		}
		last = *line;
		scan_line(&sc, r->buf, r->len);
		seen += r->full + 1;
		if (r->full > r->len || b.len + r->len + 1 > INGEST_MAX_DOC)
			over = 1;
		if (!over) {
			buf_add(&b, r->buf, r->len);
			buf_addc(&b, '\n');
		}
	}
	if (!*pending && r->error) {
		buf_free(&b);
		return 0;
	}
	if (sc.depth > 0 && *pending)
		rc = ingest_add_dead(in, first, ingest_dead_payload(b.s, b.len,
		    seen), xasprintf("unterminated JSON document (lines %lld to "
		    "%lld)", first, last), cause);
	else if (sc.depth > 0)
		rc = ingest_add_dead(in, first, ingest_dead_payload(b.s, b.len,
		    seen), xasprintf("unterminated JSON document (from line %lld "
		    "to the end of the input)", first), cause);
	else if (over)
		rc = ingest_add_dead(in, first, ingest_dead_payload(b.s, b.len,
		    seen), xasprintf("JSON document too long (%zu bytes, at most "
		    "%d, lines at most %d)", seen, INGEST_MAX_DOC,
		    INGEST_MAX_LINE), cause);
	else
		rc = ingest_json_text(in, b.s, b.len, first, 1, cause);
	buf_free(&b);
	return rc;
}

/* Reads JSON Lines from f (see ingest.h). */
int
ingest_stream(struct ingest *in, FILE *f, const char *source, char **cause)
{
	struct reader r = { NULL, NULL, NULL, 0, 0, 0 };
	struct ingest_rec rec;
	long long line = 0;
	char *why = NULL;
	int got = 0, rc = -1, pending = 0;

	free(in->source);
	/* file names are bytes; the database wants UTF-8 */
	in->source = ingest_payload_text(source, strlen(source), strlen(source));
	in->stats.sources++;
	r.rd = ingest_reader_start(f);
	/* pending: read_doc gave back a line it read but did not take */
	while (pending || (got = reader_next(&r)) == 1) {
		if (!pending) {
			line++;
			in->stats.lines++;
		}
		pending = 0;
		/* validated by the reader thread: a plain record */
		if (r.cur->parsed != 0)
			goto record;
		if (r.len == r.full && line_blank(r.buf, r.len)) {
			in->stats.blank++;
			continue;
		}
		if (r.full > r.len) {
			why = xasprintf("line too long (%zu bytes, at most %d)",
			    r.full, INGEST_MAX_LINE);
			if (ingest_add_dead(in, line, ingest_dead_payload(r.buf, r.len,
			    r.full), why, cause) != 0)
				goto out;
			continue;
		}
		/* a pretty-printed document (an Alertmanager webhook body
		 * saved as it came) spans lines */
		if (line_opens_doc(r.buf, r.len)) {
			if (read_doc(in, &r, &line, &pending, cause) != 0)
				goto out;
			continue;
		}
		/* a webhook body on one line (a relay appending bodies); the
		 * cheap test keeps metric lines on the fast path */
		if (memmem(r.buf, r.len, "\"alerts\"", 8) != NULL) {
			if (ingest_json_text(in, r.buf, r.len, line, 0, cause) != 0)
				goto out;
			continue;
		}
record:
		if (reader_parse(&r, &rec, &why) != 0) {
			if (ingest_add_dead(in, line, ingest_dead_payload(r.buf, r.len,
			    r.full), why, cause) != 0)
				goto out;
			continue;
		}
		if (ingest_add_record(in, &rec, line, r.len, cause) != 0)
			goto out;
	}
	if (got < 0) {
		*cause = xasprintf("%s: read error at line %lld: %s", source,
		    line + 1, strerror(ingest_reader_error(r.rd)));
		in->stats.sources_failed++;
		ingest_flush(in, &why);
		free(why);
		goto out;
	}
	rc = ingest_flush(in, cause);
out:
	ingest_reader_stop(r.rd);
	return rc;
}

/* Names the source of the objects that follow (see ingest.h). */
void
ingest_set_source(struct ingest *in, const char *name, long long source_id)
{
	free(in->source);
	in->source = ingest_payload_text(name, strlen(name), strlen(name));
	in->source_id = source_id;
	in->stats.sources++;
}

/* One object of a pulled source (see ingest.h). */
int
ingest_object(struct ingest *in, json_t *obj, long long item, char **cause)
{
	struct ingest_rec rec;
	char *why = NULL, *dump;
	size_t len;
	int rc;

	in->stats.lines++;
	if (ingest_am_is_body(obj))
		return ingest_webhook_body(in, obj, item, 0, cause);
	if (ingest_kinds_parse_object(obj, &rec, &why) == 0)
		return ingest_add_record(in, &rec, item, 0, cause);
	dump = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
	len = dump != NULL ? strlen(dump) : 0;
	rc = ingest_add_dead(in, item, ingest_dead_payload(dump != NULL ? dump :
	    "", len, len), why, cause);
	free(dump);
	return rc;
}

/* Dead-letters an item of a pulled source (see ingest.h). */
int
ingest_reject(struct ingest *in, long long item, const char *payload,
    char *reason, char **cause)
{
	size_t len = strlen(payload);

	in->stats.lines++;
	return ingest_add_dead(in, item, ingest_dead_payload(payload, len, len),
	    reason, cause);
}

/* Opens and ingests one file (see ingest.h). */
int
ingest_file(struct ingest *in, const char *path, char **cause)
{
	FILE *f;
	int rc;

	if (strcmp(path, "-") == 0)
		return ingest_stream(in, stdin, "-", cause);
	f = fopen(path, "r");
	if (f == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		in->stats.sources++;
		in->stats.sources_failed++;
		return -1;
	}
	rc = ingest_stream(in, f, path, cause);
	fclose(f);
	return rc;
}

/* Prints the summary (see ingest.h). */
void
ingest_print_summary(const struct ingest *in, FILE *f)
{
	const struct ingest_stats *s = &in->stats;
	const struct ingest_kind_stats *k;
	long long valid = ingest_valid_lines(s), unchanged;
	char *clean;
	int i;

	fprintf(f, "read %lld line%s from %d source%s: %lld valid, %lld rejected, "
	    "%lld blank", s->lines, s->lines == 1 ? "" : "s", s->sources,
	    s->sources == 1 ? "" : "s", valid, s->rejected, s->blank);
	/* What the database never committed is counted apart, never as
	 * stored. */
	if (s->unstored > 0)
		fprintf(f, ", %lld not stored", s->unstored);
	fputc('\n', f);
	if (valid > 0) {
		fprintf(f, "  %-14s %9s %9s %9s %9s\n", "kind", "valid",
		    "inserted", "updated", "unchanged");
		for (i = 0; i < INGEST_KIND_COUNT; i++) {
			k = &s->kind[i];
			if (k->valid == 0)
				continue;
			unchanged = k->valid - k->inserted - k->updated;
			fprintf(f, "  %-14s %9lld %9lld %9lld %9lld\n",
			    ingest_kinds_name((enum ingest_kind)i), k->valid,
			    k->inserted, k->updated, unchanged < 0 ? 0 : unchanged);
		}
	}
	if (s->services_auto > 0)
		fprintf(f, "services created on the fly: %lld\n", s->services_auto);
	if (s->files_new > 0 || s->links_new > 0)
		fprintf(f, "commit files new or changed: %lld, deploy-commit links "
		    "new: %lld\n", s->files_new, s->links_new);
	if (s->am_bodies > 0)
		fprintf(f, "alertmanager webhook bodies: %lld, alerts: %lld "
		    "(%lld resolved)\n", s->am_bodies, s->am_alerts, s->am_resolved);
	if (s->am_truncated > 0)
		fprintf(f, "  alertmanager left out %lld alert%s (max_alerts of "
		    "its webhook_config)\n", s->am_truncated,
		    s->am_truncated == 1 ? "" : "s");
	if (s->alerts_changed > 0)
		fprintf(f, "alerts opened or changed: %lld\n", s->alerts_changed);
	fprintf(f, "new rows: %lld\n", ingest_new_rows(s));
	if (s->unstored > 0)
		fprintf(f, "not stored: %lld record%s whose batch the database did "
		    "not commit; ingesting the same input again adds them\n",
		    s->unstored, s->unstored == 1 ? "" : "s");
	if (s->rejected > 0) {
		fprintf(f, "rejected: %lld line%s (%lld new in ingest_errors)%s\n",
		    s->rejected, s->rejected == 1 ? "" : "s", s->dead_new,
		    s->rejected > s->nfirst ? ", first ones:" : ":");
		for (i = 0; i < s->nfirst; i++) {
			clean = sanitize_text(s->first_errors[i], 0);
			fprintf(f, "  %s\n", clean);
			free(clean);
		}
	}
}
