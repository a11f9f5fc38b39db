/*
 * ingest_stream.c - reading the input of the ingest driver (ingest.c): JSON
 * Lines one line at a time (parsed ahead on ingest_read.c's thread), and
 * JSON documents over many lines (Alertmanager webhook bodies,
 * pretty-printed), each line or document validated and added to the batch.
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
