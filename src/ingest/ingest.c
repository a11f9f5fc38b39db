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
 * database never committed count as not stored. *
 * This file holds the service-name cache, the batches and the driver; the
 * input is read in ingest_stream.c, batches are written in ingest_flush.c,
 * dead letters made in ingest_dead.c (their shared functions:
 * ingest_driver_int.h).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_driver_int.h"
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
	e->seq = in->svc_count;
	h = svc_hash(name, in->svc_size);
	e->next = in->svc_tab[h];
	in->svc_tab[h] = e;
	in->svc_count++;
	return e;
}

/* Forgets the ids resolved by flush gen (its transaction rolled back). */
void
ingest_svc_forget(struct ingest *in, unsigned gen)
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
void
ingest_batch_init(struct ingest_batch *b)
{
	int k;

	memset(b, 0, sizeof *b);
	for (k = 0; k < INGEST_KIND_COUNT; k++)
		b->rows[k] = json_array();
	b->dead = json_array();
}

/* Releases a batch; its points' strings too when owns_points. */
void
ingest_batch_release(struct ingest_batch *b, int owns_points)
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
void
ingest_batch_reuse(struct ingest_batch *b)
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
	ingest_batch_release(b, 1);
	ingest_batch_init(b);
	b->points = points;
	b->cappoints = cap;
}

/* Adds the counts of d (a committed batch) to s. */
void
ingest_stats_merge(struct ingest_stats *s, const struct ingest_stats *d)
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
void
ingest_stats_reject(struct ingest *in, const char *source, long long line,
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
	ingest_batch_init(&in->batch);
	ingest_batch_init(&in->wbatch);
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

	char *ignored = NULL;

	if (in == NULL)
		return;
	(void)ingest_flush_join(in, &ignored);
	free(ignored);
	ingest_batch_release(&in->batch, 1);
	ingest_batch_release(&in->wbatch, 1);
	free(in->unres);
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
	/* the writer thread may be storing metric points: anything else waits
	 * for it (the service cache's ids, the order of the database's work) */
	if (rec->kind != INGEST_KIND_METRIC && ingest_flush_join(in, cause) != 0) {
		ingest_kinds_clear(rec);
		return -1;
	}
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
		return ingest_flush_full(in, cause);
	return 0;
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
