/*
 * ingest_fast.c - metric lines without a JSON object.  A day of one-minute
 * points for a thousand services is millions of lines of one plain shape,
 * {"kind":"metric","ts":"...","service":"...","metric":"...","value":N};
 * building and freeing a jansson object for each was most of the ingest's
 * CPU.  This scanner takes exactly that shape - the five fields once each,
 * in any order, blanks between tokens, strings of printable ASCII without
 * escapes, a number without exponent - and hands anything else (labels,
 * unknown fields, escapes, UTF-8, exponents, duplicates, any error) to the
 * full parser, which then gives the record or the reason.  For what it
 * takes it applies the same checks as ingest_kinds.c's kind_metric and
 * stores the same values: integers convert as jansson converts them
 * (strtoll, then to double: "-0" is 0), reals with strtod.
 * tests/unit/test_ingest_fast.c feeds random lines through both paths.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/ingest.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"

/* As ingest_kinds.c accepts: years 1900-9999. */
#define FAST_TS_MIN (-2208988800.0)
#define FAST_TS_MAX (253402300799.0)
#define FAST_MAX_NUMBER 32	/* longer numbers take the full parser */
#define FAST_MAX_TS 64
#define FAST_CACHE 1024		/* names remembered as needing no redaction */

/* Names known to need no redaction (redact_text_changed found nothing in
 * them), direct-mapped by hash: a thousand services' names are redacted
 * once each, not once a line.  Redaction depends on the text alone, so
 * the answer is the same. */
struct ingest_fast_cache {
	char *clean[FAST_CACHE];
};

enum { F_KIND, F_TS, F_SERVICE, F_METRIC, F_VALUE, F_COUNT };

/* Skips blanks (the only JSON white space a line can hold but CR, which
 * is left to the full parser). */
static const char *
fast_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A string at p ('"'): its bytes in [*s, *e), or NULL when it is not
 * plain (escapes, control or non-ASCII bytes, unterminated).  Returns the
 * position after its closing quote. */
static const char *
fast_string(const char *p, const char *end, const char **s, const char **e)
{
	if (p >= end || *p != '"')
		return NULL;
	*s = ++p;
	while (p < end && *p != '"') {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '\\')
			return NULL;
		p++;
	}
	if (p >= end)
		return NULL;
	*e = p;
	return p + 1;
}

/* A JSON number at p without exponent: *is_int when it has no fraction.
 * Returns the position after it, or NULL. */
static const char *
fast_number(const char *p, const char *end, int *is_int)
{
	const char *start = p;

	*is_int = 1;
	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return NULL;
	if (*p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p < end && *p == '.') {
		*is_int = 0;
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p - start > FAST_MAX_NUMBER ||
	    (p < end && (*p == 'e' || *p == 'E')))
		return NULL;
	return p;
}

/* The field a key names, or -1. */
static int
fast_key(const char *s, size_t n)
{
	static const char *const keys[F_COUNT] = { "kind", "ts", "service",
		"metric", "value" };
	int i;

	for (i = 0; i < F_COUNT; i++)
		if (strlen(keys[i]) == n && memcmp(keys[i], s, n) == 0)
			return i;
	return -1;
}

/* A new, empty cache (see ingest.h). */
struct ingest_fast_cache *
ingest_fast_cache_new(void)
{
	return xcalloc(1, sizeof (struct ingest_fast_cache));
}

/* Frees a cache. */
void
ingest_fast_cache_free(struct ingest_fast_cache *fc)
{
	size_t i;

	if (fc == NULL)
		return;
	for (i = 0; i < FAST_CACHE; i++)
		free(fc->clean[i]);
	free(fc);
}

/* The slot of name s. */
static size_t
fast_slot(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % FAST_CACHE;
}

/* 1 when s is known to need no redaction. */
static int
fast_clean(const struct ingest_fast_cache *fc, const char *s)
{
	const char *c = fc != NULL ? fc->clean[fast_slot(s)] : NULL;

	return c != NULL && strcmp(c, s) == 0;
}

/* Remembers that s needs no redaction. */
static void
fast_remember(struct ingest_fast_cache *fc, const char *s)
{
	size_t h = fast_slot(s);

	free(fc->clean[h]);
	fc->clean[h] = xstrdup(s);
}

/* The fast path (see ingest.h). */
int
ingest_kinds_fast_metric(char *line, size_t len, struct ingest_rec *rec,
    struct ingest_fast_cache *fc)
{
	const char *p = line, *end = line + len, *ks, *ke;
	const char *vs[F_COUNT] = { NULL }, *ve[F_COUNT] = { NULL };
	char ts[FAST_MAX_TS + 1], num[FAST_MAX_NUMBER + 1];
	double t, v;
	long long iv;
	int f, is_int = 0, seen = 0;
	size_t n;

	p = fast_blank(p, end);
	if (p >= end || *p != '{')
		return 0;
	p = fast_blank(p + 1, end);
	for (;;) {
		if ((p = fast_string(p, end, &ks, &ke)) == NULL)
			return 0;
		f = fast_key(ks, (size_t)(ke - ks));
		if (f < 0 || (seen & (1 << f)))
			return 0;
		seen |= 1 << f;
		p = fast_blank(p, end);
		if (p >= end || *p != ':')
			return 0;
		p = fast_blank(p + 1, end);
		if (f == F_VALUE) {
			vs[f] = p;
			if ((p = fast_number(p, end, &is_int)) == NULL)
				return 0;
			ve[f] = p;
		} else if ((p = fast_string(p, end, &vs[f], &ve[f])) == NULL)
			return 0;
		p = fast_blank(p, end);
		if (p < end && *p == ',') {
			p = fast_blank(p + 1, end);
			continue;
		}
		if (p < end && *p == '}')
			break;
		return 0;
	}
	if (fast_blank(p + 1, end) != end || seen != (1 << F_COUNT) - 1)
		return 0;
	if ((size_t)(ve[F_KIND] - vs[F_KIND]) != 6 ||
	    memcmp(vs[F_KIND], "metric", 6) != 0)
		return 0;
	/* what kind_metric checks, in its order: any failure is the full
	 * parser's to report */
	n = (size_t)(ve[F_TS] - vs[F_TS]);
	if (n == 0 || n > FAST_MAX_TS)
		return 0;
	memcpy(ts, vs[F_TS], n);
	ts[n] = '\0';
	if (timefmt_parse(ts, &t) != 0 || t < FAST_TS_MIN || t > FAST_TS_MAX)
		return 0;
	if (ve[F_SERVICE] == vs[F_SERVICE] || ve[F_METRIC] == vs[F_METRIC] ||
	    (size_t)(ve[F_SERVICE] - vs[F_SERVICE]) > INGEST_MAX_NAME ||
	    (size_t)(ve[F_METRIC] - vs[F_METRIC]) > INGEST_MAX_NAME)
		return 0;
	n = (size_t)(ve[F_VALUE] - vs[F_VALUE]);
	memcpy(num, vs[F_VALUE], n);
	num[n] = '\0';
	errno = 0;
	if (is_int) {
		/* jansson: an integer, json_number_value converts it */
		iv = strtoll(num, NULL, 10);
		if (errno == ERANGE)
			return 0;
		v = (double)iv;
	} else
		v = strtod(num, NULL);
	/* taken: the names become C strings where they stand */
	memset(rec, 0, sizeof *rec);
	rec->kind = INGEST_KIND_METRIC;
	line[ve[F_SERVICE] - line] = '\0';
	line[ve[F_METRIC] - line] = '\0';
	rec->m_service = vs[F_SERVICE];
	rec->m_metric = vs[F_METRIC];
	rec->m_ts = t;
	rec->m_value = v;
	if (!fast_clean(fc, rec->m_service) || !fast_clean(fc, rec->m_metric)) {
		ingest_kinds_metric_redact(rec);
		if (rec->row == NULL && fc != NULL) {
			fast_remember(fc, rec->m_service);
			fast_remember(fc, rec->m_metric);
		}
	}
	rec->m_labels = NULL;
	rec->m_labels_key = xstrdup("");
	return 1;
}

/* Validates a line, the fast path first (see ingest.h). */
int
ingest_kinds_parse_fast(char *line, size_t len, struct ingest_rec *rec,
    char **cause, int *fast, struct ingest_fast_cache *fc)
{
	*fast = ingest_kinds_fast_metric(line, len, rec, fc);
	if (*fast)
		return 0;
	return ingest_kinds_parse_line(line, len, rec, cause);
}
