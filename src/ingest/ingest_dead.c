/*
 * ingest_dead.c - dead letters of the ingest driver (ingest.c): a line that
 * cannot be ingested is kept in ingest_errors with its source, line number,
 * reason and payload - valid UTF-8, bounded, secrets masked.
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

/* A reason for ingest_errors and the summary: valid UTF-8, and no secret
 * even when it quotes the input.  Malloc'd. */
char *
ingest_dead_reason(const char *reason)
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
	char *clean;

	/* the writer thread's batch first: its refused records are rejected
	 * before this line, as when it was written at once */
	if (ingest_flush_join(in, cause) != 0) {
		in->stats.unstored++;
		free(payload);
		free(reason);
		return -1;
	}
	clean = ingest_dead_reason(reason);
	ingest_stats_reject(in, in->source, line, clean);
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
		return ingest_flush_dead(in, cause);
	return 0;
}
