/*
 * propgen.c - property-test generator: one random but VALID JSON Lines
 * telemetry case per seed (doc/ingest.md), for tests/pipeline/test_property.sh
 * and `make stress`, which ingest it and run the whole pipeline on it.
 *
 *   propgen --seed N [--out FILE] [--split-at] [--describe]
 *
 * writes the case to FILE (default stdout).  --split-at prints a timestamp in
 * the middle of the case's data on stdout (alone when there is no --out),
 * for `midwatch run --at TS` before an incremental `midwatch run`;
 * --describe prints a one-line summary of the case on stderr.  The output
 * depends on the seed only (own splitmix64 generator, never rand()).
 *
 * What a case varies, drawn from the seed: topologies of 1..12 services and
 * their dependencies (cycles, self-edges, databases, externals, services
 * with no data at all, names declared twice in two clusters); metrics of the
 * known meanings and custom names, with labels sometimes; sampling steps
 * from 1 s to 1 h (a day for very long spans), mixed within a case; gaps,
 * spans from minutes to years (at most MAX_POINTS points a case), bursts
 * split by dips, several faults per series, duplicate and out-of-order
 * timestamps, timestamps written with offsets and fractions, single-point
 * and constant series; huge (1e300, DBL_MAX), 1e15, tiny (1e-300, 5e-324),
 * zero and negative values; names of every length up to 512 bytes
 * (INGEST_MAX_NAME) with 2-, 3- and 4-byte UTF-8 characters at every
 * boundary (raw or as \u escapes); deploys, commits, config changes, errors,
 * health checks, funnels, external alerts and maintenance windows
 * referencing the services.  Seeds 1..NFIXED are fixed shapes (seed 1: the
 * minimal case that wedged detect: one custom metric at 1-minute steps, 60
 * points alternating 9.9/10.1, then 6 x 100, 4 x 10, 6 x 100, then 20
 * normal points); later seeds draw a fixed shape now and then.
 *
 * It is a check_PROGRAMS entry, so `make check` also runs it without
 * arguments: then it is a TAP self-test (the output is deterministic, every
 * line passes the ingest's own validation, the fixed shapes and the
 * multi-byte boundaries are there, split-at lies inside the data).
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/ingest.h"

#define MAX_POINTS 3000		/* metric points a case, duplicates included */
#define MAX_SVC 12
#define MAX_NAME INGEST_MAX_NAME
#define NFIXED 12		/* seeds 1..NFIXED are the fixed shapes */
#define USEC 1000000LL

typedef long long usec_t;	/* epoch microseconds */

/* ---- PRNG: splitmix64 -------------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t
rnext(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
runif(struct rng *r)
{
	return (double)(rnext(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
static long long
rint_in(struct rng *r, long long lo, long long hi)
{
	if (hi <= lo)
		return lo;
	return lo + (long long)(rnext(r) % (uint64_t)(hi - lo + 1));
}

/* The same as a double. */
static double
rint_d(struct rng *r, long long lo, long long hi)
{
	long long v = rint_in(r, lo, hi);

	return (double)v;
}

static int
rchance(struct rng *r, double p)
{
	return runif(r) < p;
}

static double
rgauss(struct rng *r)
{
	double u1 = 1.0 - runif(r), u2 = runif(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---- growing strings ----------------------------------------------------- */

struct sb {
	char *p;
	size_t len, cap;
};

static void *
xalloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL) {
		fprintf(stderr, "propgen: out of memory\n");
		exit(1);
	}
	return p;
}

static void
sb_addn(struct sb *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2 + 64;
		b->p = xalloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_adds(struct sb *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

static void
sb_addc(struct sb *b, char c)
{
	sb_addn(b, &c, 1);
}

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sb *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		fprintf(stderr, "propgen: format overflow\n");
		exit(1);
	}
	sb_addn(b, tmp, (size_t)n);
}

/* The string, owned by the caller; b is reset. */
static char *
sb_steal(struct sb *b)
{
	char *p = b->p;

	if (p == NULL) {
		p = xalloc(NULL, 1);
		*p = '\0';
	}
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

static char *
xstrdup_(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xalloc(NULL, n), s, n);
}

/* ---- UTF-8 --------------------------------------------------------------- */

static void
put_cp(struct sb *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		sb_addn(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		sb_addn(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		sb_addn(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		sb_addn(b, u, 4);
	}
}

/* A random code point whose UTF-8 form has w bytes (never NUL, never a
 * surrogate). */
static uint32_t
rand_cp(struct rng *r, int w)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz0123456789-_.";
	static const char odd[] = " ,=\\\"':|/{}%@#+*()[]<>?!&$~^`;";
	static const uint32_t two[] = { 0xe9, 0xfc, 0xdf, 0xf1, 0x3b1, 0x416,
	    0x5d0, 0x627, 0xa0, 0x7ff, 0x80 };
	static const uint32_t three[] = { 0x65e5, 0x672c, 0x20ac, 0x2603,
	    0xac00, 0xfeff, 0x2028, 0xfffd, 0x800, 0xffff, 0xfffe, 0x0e01 };
	static const uint32_t four[] = { 0x1f600, 0x1f680, 0x10348, 0x1d11e,
	    0x20000, 0x10000, 0x10ffff, 0x1f4a9 };
	uint32_t cp;

	switch (w) {
	case 1:
		if (rchance(r, 0.002))
			return (uint32_t)rint_in(r, 1, 31);	/* control char */
		if (rchance(r, 0.04))
			return (uint32_t)odd[rint_in(r, 0, (long long)sizeof odd - 2)];
		return (uint32_t)plain[rint_in(r, 0, (long long)sizeof plain - 2)];
	case 2:
		if (rchance(r, 0.5))
			return two[rint_in(r, 0, sizeof two / sizeof two[0] - 1)];
		return (uint32_t)rint_in(r, 0x80, 0x7ff);
	case 3:
		if (rchance(r, 0.5))
			return three[rint_in(r, 0, sizeof three / sizeof three[0] - 1)];
		do
			cp = (uint32_t)rint_in(r, 0x800, 0xffff);
		while (cp >= 0xd800 && cp <= 0xdfff);
		return cp;
	default:
		if (rchance(r, 0.5))
			return four[rint_in(r, 0, sizeof four / sizeof four[0] - 1)];
		return (uint32_t)rint_in(r, 0x10000, 0x10ffff);
	}
}

/* Appends exactly n bytes of random text; mb: share of multi-byte chars. */
static void
fill_text(struct rng *r, struct sb *b, size_t n, double mb)
{
	int w;

	while (n > 0) {
		w = rchance(r, mb) ? (int)rint_in(r, 2, 4) : 1;
		if ((size_t)w > n)
			w = (int)n;
		put_cp(b, rand_cp(r, w));
		n -= (size_t)w;
	}
}

/* Decodes one UTF-8 char at s (valid input); returns its length. */
static int
utf8_dec(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xe0) {
		*cp = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
		return 2;
	}
	if (s[0] < 0xf0) {
		*cp = ((uint32_t)(s[0] & 0x0f) << 12) |
		    ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		return 3;
	}
	*cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
	    ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
	return 4;
}

/* Cuts s to at most max bytes at a character boundary. */
static void
utf8_cut(char *s, size_t max)
{
	if (strlen(s) <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	s[max] = '\0';
}

/* ---- JSON text ----------------------------------------------------------- */

/* Appends s as a JSON string; non-ASCII raw or (sometimes) as \u escapes. */
static void
jstr(struct rng *r, struct sb *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int esc = rchance(r, 0.12), slash = rchance(r, 0.05), n;
	uint32_t cp, hi, lo;

	sb_addc(b, '"');
	while (*p != '\0') {
		n = utf8_dec(p, &cp);
		if (cp == '"' || cp == '\\') {
			sb_addc(b, '\\');
			sb_addc(b, (char)cp);
		} else if (cp == '/' && slash)
			sb_adds(b, "\\/");
		else if (cp == '\n')
			sb_adds(b, "\\n");
		else if (cp == '\t')
			sb_adds(b, "\\t");
		else if (cp < 0x20 || (cp == 0x7f && esc))
			sb_printf(b, "\\u%04x", (unsigned)cp);
		else if (cp >= 0x80 && esc) {
			if (cp >= 0x10000) {
				hi = 0xd800 + ((cp - 0x10000) >> 10);
				lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
				sb_printf(b, "\\u%04X\\u%04x", (unsigned)hi, (unsigned)lo);
			} else
				sb_printf(b, "\\u%04x", (unsigned)cp);
		} else
			sb_addn(b, (const char *)p, (size_t)n);
		p += n;
	}
	sb_addc(b, '"');
}

/* Appends the shortest of %.15g / %.17g that reads back as v. */
static void
num_text(struct sb *b, double v)
{
	char tmp[64];

	snprintf(tmp, sizeof tmp, "%.15g", v);
	if (strtod(tmp, NULL) != v)
		snprintf(tmp, sizeof tmp, "%.17g", v);
	sb_adds(b, tmp);
}

/* Appends a finite number in one of its JSON spellings. */
static void
jnum(struct rng *r, struct sb *b, double v)
{
	static const char *const zeros[] = { "0", "0.0", "-0", "0e0", "-0.0",
	    "0E+5", "0.000" };
	char tmp[64], *e;

	if (!isfinite(v)) {
		fprintf(stderr, "propgen: internal error: non-finite value\n");
		exit(1);
	}
	if (v == 0) {
		sb_adds(b, zeros[rint_in(r, 0, 6)]);
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15 && rchance(r, 0.6)) {
		sb_printf(b, "%.0f", v);		/* an integer literal */
		return;
	}
	snprintf(tmp, sizeof tmp, "%.15g", v);
	if (strtod(tmp, NULL) != v)
		snprintf(tmp, sizeof tmp, "%.17g", v);
	if (rchance(r, 0.1) && (e = strchr(tmp, 'e')) != NULL)
		*e = 'E';
	sb_adds(b, tmp);
}

/* ---- time ---------------------------------------------------------------- */

static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long long z, int *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static long long
floordiv(long long a, long long b)
{
	long long q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Formats t as RFC 3339 with offset off (minutes east; style 3: "+00:00"
 * for 0), style 1 lowercase t/z, style 2 a space for the T; zfrac: a zero
 * fraction on whole seconds (0 none, 1 ".000", 2 nine digits).  An offset
 * that would move the local date out of 4-digit years is dropped. */
static void
fmt_ts(struct sb *b, usec_t t, int off, int style, int zfrac)
{
	long long sec = floordiv(t, USEC), frac = t - sec * USEC, days, sod;
	int y, mo, d;

	civil_from_days(floordiv(sec + off * 60LL, 86400), &y, &mo, &d);
	if (y < 1 || y > 9999)
		off = 0;
	sec += off * 60LL;
	days = floordiv(sec, 86400);
	sod = sec - days * 86400;
	civil_from_days(days, &y, &mo, &d);
	sb_printf(b, "%04d-%02d-%02d%c%02lld:%02lld:%02lld", y, mo, d,
	    style == 1 ? 't' : style == 2 ? ' ' : 'T', sod / 3600,
	    (sod / 60) % 60, sod % 60);
	if (frac != 0)
		sb_printf(b, ".%06lld", frac);
	else if (zfrac != 0)
		sb_adds(b, zfrac == 1 ? ".000" : ".000000000");
	if (off == 0 && style != 3)
		sb_addc(b, style == 1 ? 'z' : 'Z');
	else
		sb_printf(b, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60,
		    abs(off) % 60);
}

/* Appends t as a JSON string, spelled one of the valid ways. */
static void
jts(struct rng *r, struct sb *b, usec_t t)
{
	int off = 0, style = 0, zfrac = 0;
	double u = runif(r);

	if (u < 0.18)
		off = (int)rint_in(r, -23 * 60 - 59, 23 * 60 + 59);
	else if (u < 0.22)
		off = (int)(rint_in(r, -12, 14) * 60);
	else if (u < 0.24)
		style = 3;		/* +00:00 */
	if (rchance(r, 0.03))
		style = 1;		/* lowercase t and z */
	else if (rchance(r, 0.02) && style == 0)
		style = 2;		/* a space for the T */
	if (rchance(r, 0.03))
		zfrac = (int)rint_in(r, 1, 2);
	sb_addc(b, '"');
	fmt_ts(b, t, off, style, zfrac);
	sb_addc(b, '"');
}

/* Canonical text of t (UTC, whole seconds floored). */
static void
ts_text(usec_t t, char *out, size_t len)
{
	struct sb b = { 0 };

	fmt_ts(&b, floordiv(t, USEC) * USEC, 0, 0, 0);
	snprintf(out, len, "%s", b.p);
	free(b.p);
}

/* ---- the case ------------------------------------------------------------ */

struct line {
	char *text;
	int group;		/* series number, -1 for events */
};

enum meaning { M_RATE, M_ERR, M_LAT, M_CPU, M_MEM, M_RESTARTS, M_CUSTOM };
static const char *const meaning_names[] = { "request_rate", "error_ratio",
	"latency_p99_ms", "cpu_utilization", "memory_utilization", "restarts",
	NULL };

struct svc {
	char *name;
	int has_data;
};

struct onset {
	int svc;
	usec_t t;
};

struct gcase {
	struct rng r;
	unsigned long long seed;
	int shape;			/* fixed shape, or -1 */
	struct svc svc[MAX_SVC + 4];
	int nsvc;
	char *extdeps[6];		/* dependency targets that are no service */
	int next;
	struct line *lines;
	size_t nlines, caplines;
	usec_t *times;			/* data timestamps, for the split */
	size_t ntimes, captimes;
	struct onset onsets[64];
	int nonsets;
	usec_t t0, span;
	long long npoints;
	int nseries;
	long long minstep, maxstep;	/* seconds */
	usec_t split;
	int has_split;
	char shapename[40];
};

/* Builds one JSON object line with fields in a random order and spacing. */
struct obj {
	char *k[32];
	char *v[32];
	int n;
};

static void
obj_raw(struct obj *o, const char *key, char *json)
{
	o->k[o->n] = xstrdup_(key);
	o->v[o->n] = json;
	o->n++;
}

static void
obj_str(struct gcase *c, struct obj *o, const char *key, const char *s)
{
	struct sb b = { 0 };

	jstr(&c->r, &b, s);
	obj_raw(o, key, sb_steal(&b));
}

static void
obj_num(struct gcase *c, struct obj *o, const char *key, double v)
{
	struct sb b = { 0 };

	jnum(&c->r, &b, v);
	obj_raw(o, key, sb_steal(&b));
}

static void
note_time(struct gcase *c, usec_t t)
{
	if (c->ntimes == c->captimes) {
		c->captimes = c->captimes * 2 + 256;
		c->times = xalloc(c->times, c->captimes * sizeof *c->times);
	}
	c->times[c->ntimes++] = t;
}

/* A timestamp field; data says whether it counts for the run window. */
static void
obj_ts(struct gcase *c, struct obj *o, const char *key, usec_t t, int data)
{
	struct sb b = { 0 };

	jts(&c->r, &b, t);
	obj_raw(o, key, sb_steal(&b));
	if (data)
		note_time(c, t);
}

static void
add_line(struct gcase *c, char *text, int group)
{
	if (c->nlines == c->caplines) {
		c->caplines = c->caplines * 2 + 256;
		c->lines = xalloc(c->lines, c->caplines * sizeof *c->lines);
	}
	c->lines[c->nlines].text = text;
	c->lines[c->nlines].group = group;
	c->nlines++;
}

/* Emits the object as a line (kind first most of the time). */
static void
obj_emit(struct gcase *c, struct obj *o, const char *kind, int group)
{
	struct sb b = { 0 };
	int order[33], i, j, t, n = o->n + 1, spaced = rchance(&c->r, 0.15);

	for (i = 0; i < n; i++)
		order[i] = i - 1;		/* -1: kind */
	if (rchance(&c->r, 0.25))
		for (i = n - 1; i > 0; i--) {
			j = (int)rint_in(&c->r, 0, i);
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
	if (rchance(&c->r, 0.02))
		sb_adds(&b, " \t");
	sb_addc(&b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_adds(&b, spaced ? ", " : ",");
		if (order[i] < 0) {
			sb_adds(&b, spaced ? "\"kind\": " : "\"kind\":");
			jstr(&c->r, &b, kind);
		} else {
			jstr(&c->r, &b, o->k[order[i]]);
			sb_adds(&b, spaced ? ": " : ":");
			sb_adds(&b, o->v[order[i]]);
		}
	}
	sb_addc(&b, '}');
	if (rchance(&c->r, 0.01))
		sb_adds(&b, "  ");
	if (rchance(&c->r, 0.02))
		sb_addc(&b, '\r');		/* CRLF line */
	for (i = 0; i < o->n; i++) {
		free(o->k[i]);
		free(o->v[i]);
	}
	o->n = 0;
	add_line(c, sb_steal(&b), group);
	if (rchance(&c->r, 0.003))
		add_line(c, xstrdup_(rchance(&c->r, 0.5) ? "" : "   \t"), group);
}

/* ---- names --------------------------------------------------------------- */

static const char *const words[] = { "api", "cart", "payments", "checkout",
	"auth", "search", "orders", "inventory", "gateway", "users", "mail",
	"billing", "ledger", "queue", "cache", "web", "edge", "frontend",
	"zahlungsdienst-\xc3\xbc", "\xe6\x94\xaf\xe6\x89\x95\xe3\x81\x84",
	"caf\xc3\xa9", "\xf0\x9f\x9a\x80-launcher", "\xd0\xbf\xd0\xbe\xd0\xb8\xd1\x81\xd0\xba",
	"a", "x-y", "svc.v2", "has space", "comma,equals=back\\slash",
	"colon:pipe|", "quote\"d", NULL };

/* Byte offsets at which a multi-byte character must start in some service
 * name (see the brief of the property test). */
static const size_t boundaries[] = { 63, 64, 95, 96, 127, 128, 199, 200, 239,
	240, 255, 256 };
#define NBOUND (sizeof boundaries / sizeof boundaries[0])

/* A name with a w-byte character starting at byte pos, total bytes <= 512. */
static char *
name_boundary(struct rng *r, size_t pos, int w)
{
	struct sb b = { 0 };
	size_t total, room;

	fill_text(r, &b, pos, rchance(r, 0.3) ? 0.5 : 0.0);
	put_cp(&b, rand_cp(r, w));
	room = MAX_NAME - b.len;
	switch ((int)rint_in(r, 0, 3)) {
	case 0:
		total = 0;
		break;
	case 1:
		total = (size_t)rint_in(r, 1, 3);
		break;
	case 2:
		total = room;
		break;
	default:
		total = (size_t)rint_in(r, 0, (long long)room);
		break;
	}
	if (total > room)
		total = room;
	fill_text(r, &b, total, runif(r));
	return sb_steal(&b);
}

/* A random name for an identifier: short words mostly, every length up to
 * MAX_NAME bytes sometimes. */
static char *
gen_name(struct rng *r, const char *stem)
{
	struct sb b = { 0 };
	double u = runif(r);
	size_t n;

	if (u < 0.45) {
		sb_adds(&b, words[rint_in(r, 0, sizeof words / sizeof words[0] - 2)]);
		if (stem != NULL)
			sb_printf(&b, "-%s", stem);
		if (rchance(r, 0.5))
			sb_printf(&b, "-%lld", rint_in(r, 0, 999));
		return sb_steal(&b);
	}
	if (u < 0.65) {
		fill_text(r, &b, (size_t)rint_in(r, 1, 24), runif(r));
		return sb_steal(&b);
	}
	if (u < 0.80) {
		free(b.p);
		return name_boundary(r, boundaries[rint_in(r, 0, NBOUND - 1)],
		    (int)rint_in(r, 2, 4));
	}
	if (u < 0.88) {
		/* exactly the limit */
		fill_text(r, &b, MAX_NAME, rchance(r, 0.2) ? 1.0 : runif(r));
		return sb_steal(&b);
	}
	n = (size_t)rint_in(r, 25, MAX_NAME);
	fill_text(r, &b, n, runif(r));
	return sb_steal(&b);
}

/* A name not used by any service of the case yet. */
static char *
gen_svc_name(struct gcase *c)
{
	char *n;
	int i, again;

	do {
		n = gen_name(&c->r, NULL);
		again = 0;
		for (i = 0; i < c->nsvc; i++)
			if (strcmp(c->svc[i].name, n) == 0)
				again = 1;
		for (i = 0; i < 6; i++)
			if (c->extdeps[i] != NULL && strcmp(c->extdeps[i], n) == 0)
				again = 1;
		if (again)
			free(n);
	} while (again);
	return n;
}

static int
add_svc(struct gcase *c, char *name)
{
	c->svc[c->nsvc].name = name;
	c->svc[c->nsvc].has_data = 0;
	return c->nsvc++;
}

/* A lowercase (or upper-case) hex sha of n digits. */
static char *
gen_sha(struct rng *r, int n, int upper)
{
	static const char hex[] = "0123456789abcdef", HEX[] = "0123456789ABCDEF";
	char *s = xalloc(NULL, (size_t)n + 1);
	int i;

	for (i = 0; i < n; i++)
		s[i] = (upper ? HEX : hex)[rnext(r) & 15];
	s[n] = '\0';
	return s;
}

/* ---- metric series ------------------------------------------------------- */

/* A clamped finite value. */
static double
fin(double v)
{
	if (isnan(v))
		return 0;
	if (v > DBL_MAX)
		return DBL_MAX;
	if (v < -DBL_MAX)
		return -DBL_MAX;
	return v;
}

struct series {
	int svc;
	char *metric;
	enum meaning meaning;
	char *labels_json;	/* "labels":{...} member text or NULL */
	char *extra_key;	/* a top-level unknown field (a label) or NULL */
	char *extra_val;	/* its JSON value text */
	long long step;		/* seconds */
	usec_t start;
	int n;
	double *v;
	char *present;		/* 0: a gap */
};

/* Typical level of a meaning. */
static double
meaning_level(struct rng *r, enum meaning m)
{
	switch (m) {
	case M_RATE:
		return pow(10, 4 * runif(r));
	case M_ERR:
		return pow(10, -4 + 3 * runif(r));
	case M_LAT:
		return pow(10, 0.5 + 3 * runif(r));
	case M_CPU:
	case M_MEM:
		return 0.1 + 0.6 * runif(r);
	case M_RESTARTS:
		return 0;
	default:
		return pow(10, -3 + 9 * runif(r)) * (rchance(r, 0.1) ? -1 : 1);
	}
}

/* Applies one fault to v[from..]; records its onset. */
static void
add_fault(struct gcase *c, struct series *s, double level)
{
	struct rng *r = &c->r;
	int from, len, i, a, b2, d, k, up = rchance(r, 0.75);
	double f, hi;

	if (s->n < 2)
		return;
	from = (int)rint_in(r, s->n > 20 ? 15 : 0, s->n - 1);
	len = (int)rint_in(r, 1, 80);
	switch (s->meaning) {
	case M_ERR:
		hi = up ? fmin(1.0, level + 0.02 + 0.5 * runif(r)) : level / 5;
		break;
	case M_CPU:
	case M_MEM:
		hi = up ? 0.85 + 0.15 * runif(r) : level / 3;
		break;
	case M_RESTARTS:
		hi = rint_d(r, 1, 5);
		break;
	default:
		f = up ? 1.5 + 40 * runif(r) : 0.6 * runif(r);
		hi = fin(level * f);
		if (level == 0)
			hi = up ? rint_d(r, 1, 1000) : -rint_d(r, 1, 100);
		break;
	}
	switch ((int)rint_in(r, 0, 6)) {
	case 0:	/* a step for len points */
		for (i = from; i < from + len && i < s->n; i++)
			s->v[i] = hi;
		break;
	case 1:	/* a spike */
		for (i = from; i < from + (int)rint_in(r, 1, 3) && i < s->n; i++)
			s->v[i] = hi;
		break;
	case 2:	/* bursts split by dips: a high, d normal, b high (, ...) */
		a = (int)rint_in(r, 3, 10);
		d = (int)rint_in(r, 1, 6);
		b2 = (int)rint_in(r, 3, 10);
		k = from;
		for (i = 0; i < a && k < s->n; i++)
			s->v[k++] = hi;
		k += d;
		for (i = 0; i < b2 && k < s->n; i++)
			s->v[k++] = hi;
		if (rchance(r, 0.3)) {
			k += (int)rint_in(r, 1, 6);
			for (i = 0; i < a && k < s->n; i++)
				s->v[k++] = hi;
		}
		break;
	case 3:	/* flapping */
		for (i = from; i < from + len && i < s->n; i++)
			if (((i - from) / (int)rint_in(r, 1, 3)) % 2 == 0)
				s->v[i] = hi;
		break;
	case 4:	/* a new level until the end */
		for (i = from; i < s->n; i++)
			s->v[i] = hi;
		break;
	case 5:	/* a ramp */
		for (i = from; i < from + len && i < s->n; i++)
			s->v[i] = fin(s->v[i] + (hi - s->v[i]) * (i - from + 1) / len);
		break;
	default:	/* a drop to zero */
		for (i = from; i < from + len && i < s->n; i++)
			s->v[i] = 0;
		break;
	}
	if (c->nonsets < 64) {
		c->onsets[c->nonsets].svc = s->svc;
		c->onsets[c->nonsets].t = s->start + (usec_t)from * s->step * USEC;
		c->nonsets++;
	}
}

/* Fills s->v with a baseline, noise, faults and (sometimes) extremes. */
static void
series_values(struct gcase *c, struct series *s)
{
	static const double extremes[] = { 1e300, -1e300, DBL_MAX, -DBL_MAX,
	    1e15, -1e15, 1e-300, -1e-300, 5e-324, 0, 1e308, 2.2250738585072014e-308 };
	struct rng *r = &c->r;
	double level = meaning_level(r, s->meaning), noise, season, v;
	double u = runif(r);
	int i, nf, mode = 0;

	noise = (double[]){ 0, 0.001, 0.02, 0.05, 0.1, 0.5 }[rint_in(r, 0, 5)];
	season = rchance(r, 0.2) ? 0.3 * runif(r) : 0;
	if (u < 0.05) {
		level = 1e300 * (1 + runif(r));
		mode = 1;
	} else if (u < 0.08) {
		level = 1e15 * (rchance(r, 0.3) ? -1 : 1);
	} else if (u < 0.11) {
		level = 1e-300 * (1 + runif(r));
	} else if (u < 0.14) {
		level = 0;
		noise = 0;
	} else if (u < 0.17) {
		level = -fabs(level) - 1;
	} else if (u < 0.22) {
		noise = 0;		/* constant */
		season = 0;
	} else if (u < 0.24)
		mode = 2;		/* extremes mixed in */
	for (i = 0; i < s->n; i++) {
		v = level * (1 + noise * rgauss(r));
		if (season != 0)
			v += level * season * sin(2 * M_PI * (double)((s->start / USEC +
			    (long long)i * s->step) % 86400) / 86400.0);
		if (s->meaning == M_RESTARTS)
			v = rchance(r, 0.02) ? 1 : 0;
		else if ((s->meaning == M_ERR || s->meaning == M_CPU ||
		    s->meaning == M_MEM) && mode == 0 && level > 0)
			v = fmin(1.0, fmax(0.0, v));
		if (mode == 2 && rchance(r, 0.05))
			v = extremes[rint_in(r, 0, sizeof extremes / sizeof extremes[0] - 1)];
		s->v[i] = fin(v);
	}
	if (noise == 0 && season == 0 && rchance(r, 0.5))
		return;			/* a constant series */
	nf = (int)rint_in(r, 0, 4);
	while (nf-- > 0)
		add_fault(c, s, level);
}

/* Emits the points of a series (duplicates, gaps, reversal). */
static void
series_emit(struct gcase *c, struct series *s, int group)
{
	struct rng *r = &c->r;
	struct obj o = { 0 };
	double dup_p = rchance(r, 0.15) ? 0.1 * runif(r) : 0;
	int i, k, rev = rchance(r, 0.05), reps;
	usec_t t, jitter = 0;

	if (s->step == 1 && rchance(r, 0.2))
		jitter = rint_in(r, 1, USEC - 1);
	for (k = 0; k < s->n; k++) {
		i = rev ? s->n - 1 - k : k;
		if (!s->present[i])
			continue;
		reps = rchance(r, dup_p) ? 2 : 1;
		while (reps-- > 0 && c->npoints < MAX_POINTS) {
			t = s->start + (usec_t)i * s->step * USEC + jitter;
			obj_ts(c, &o, "ts", t, 1);
			obj_str(c, &o, "service", c->svc[s->svc].name);
			obj_str(c, &o, "metric", s->metric);
			obj_num(c, &o, "value", reps == 0 && rchance(r, 0.5) ?
			    s->v[i] : fin(s->v[i] * 1.01 + 1));
			if (s->labels_json != NULL)
				obj_raw(&o, "labels", xstrdup_(s->labels_json));
			if (s->extra_key != NULL)
				obj_raw(&o, s->extra_key, xstrdup_(s->extra_val));
			obj_emit(c, &o, "metric", group);
			c->npoints++;
		}
	}
	c->svc[s->svc].has_data = 1;
}

/* Length of s escaped for a labels key. */
static size_t
lk_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += (*s == '\\' || *s == ',' || *s == '=') ? 2 : 1;
	return n;
}

/* Random labels for a series (canonical key kept <= 1024 bytes). */
static void
series_labels(struct gcase *c, struct series *s)
{
	struct rng *r = &c->r;
	struct sb b = { 0 }, v = { 0 };
	char *keys[3], *val;
	size_t total = 0;
	int n, i, j;

	if (rchance(r, 0.12)) {
		/* an unknown top-level field: a label */
		s->extra_key = xstrdup_(rchance(r, 0.5) ? "pod" : "zone");
		val = gen_name(r, NULL);
		if (strlen(val) > 200)
			utf8_cut(val, 0);
		if (val[0] == '\0') {
			free(val);
			val = xstrdup_("api-1");
		}
		jstr(r, &v, val);
		free(val);
		s->extra_val = sb_steal(&v);
		return;
	}
	if (!rchance(r, 0.2))
		return;
	n = (int)rint_in(r, rchance(r, 0.1) ? 0 : 1, 3);
	sb_addc(&b, '{');
	for (i = 0; i < n; i++) {
		do {
			keys[i] = rchance(r, 0.7) ?
			    xstrdup_((const char *[]){ "pod", "zone", "route",
				"method", "region", "k=v,x", "" }[rint_in(r, 0, 6)]) :
			    gen_name(r, NULL);
			for (j = 0; j < i; j++)
				if (strcmp(keys[j], keys[i]) == 0)
					break;
			if (j < i || strlen(keys[i]) > 200 || strcmp(keys[i], "kind") == 0) {
				free(keys[i]);
				keys[i] = NULL;
			}
		} while (keys[i] == NULL);
		if (i > 0)
			sb_addc(&b, ',');
		jstr(r, &b, keys[i]);
		sb_addc(&b, ':');
		switch ((int)rint_in(r, 0, 5)) {
		case 0:
			sb_printf(&b, "%lld", rint_in(r, -5, 500));
			total += lk_len(keys[i]) + 6;
			break;
		case 1:
			sb_adds(&b, rchance(r, 0.5) ? "true" : "false");
			total += lk_len(keys[i]) + 7;
			break;
		case 2:
			sb_adds(&b, "null");
			total += lk_len(keys[i]) + 6;
			break;
		default:
			val = gen_name(r, NULL);
			if (lk_len(val) > 280)
				utf8_cut(val, (size_t)rint_in(r, 0, 3));
			jstr(r, &b, val);
			total += lk_len(keys[i]) + lk_len(val) + 2;
			free(val);
			break;
		}
	}
	sb_addc(&b, '}');
	for (i = 0; i < n; i++)
		free(keys[i]);
	if (total > 1000) {
		free(b.p);
		return;
	}
	s->labels_json = sb_steal(&b);
}

static void
series_free(struct series *s)
{
	free(s->metric);
	free(s->labels_json);
	free(s->extra_key);
	free(s->extra_val);
	free(s->v);
	free(s->present);
}

static void
series_alloc(struct series *s, int n)
{
	s->n = n;
	s->v = xalloc(NULL, (size_t)(n > 0 ? n : 1) * sizeof *s->v);
	s->present = xalloc(NULL, (size_t)(n > 0 ? n : 1));
	memset(s->present, 1, (size_t)(n > 0 ? n : 1));
}

static const long long steps[] = { 1, 2, 5, 10, 15, 30, 60, 60, 60, 60, 120,
	300, 300, 600, 900, 1800, 3600, 3600 };
#define NSTEPS (sizeof steps / sizeof steps[0])

/* One random series of the case (budget: points it may use). */
static void
gen_series(struct gcase *c, int svc, long long budget, int group)
{
	struct rng *r = &c->r;
	struct series s;
	long long nfull, n, maxn, gaps, a, len, i, segs, seglen, segstart;
	usec_t off;

	memset(&s, 0, sizeof s);
	s.svc = svc;
	if (rchance(r, 0.7)) {
		s.meaning = (enum meaning)(int)rint_in(r, 0, 5);
		s.metric = xstrdup_(meaning_names[s.meaning]);
	} else {
		s.meaning = M_CUSTOM;
		s.metric = gen_name(r, "metric");
	}
	series_labels(c, &s);
	/* a step fitting the span; large ones for long spans */
	s.step = steps[rint_in(r, 0, NSTEPS - 1)];
	if (c->span / USEC > 60LL * 86400 && rchance(r, 0.3))
		s.step = rchance(r, 0.5) ? 86400 : 6 * 3600;
	while (s.step > 1 && c->span / USEC / s.step < 2 && rchance(r, 0.8))
		s.step = steps[rint_in(r, 0, 6)];
	if (s.step < c->minstep || c->minstep == 0)
		c->minstep = s.step;
	if (s.step > c->maxstep)
		c->maxstep = s.step;
	nfull = c->span / USEC / s.step + 1;
	maxn = budget < 600 ? budget : 600;
	if (rchance(r, 0.06))
		n = 1;				/* a single point */
	else
		n = rint_in(r, 2, maxn > 2 ? maxn : 2);
	segs = 1;
	if (n > nfull)
		n = nfull;
	if (n < 1)
		n = 1;
	if (n < nfull / 4 && rchance(r, 0.4))
		segs = rint_in(r, 2, 4);	/* clusters across a long span */
	series_alloc(&s, (int)n);
	off = rint_in(r, 0, c->span / USEC - (n - 1) * s.step > 0 ?
	    c->span / USEC - (n - 1) * s.step : 0);
	s.start = c->t0 + off * USEC;
	series_values(c, &s);
	/* gaps */
	gaps = rchance(r, 0.3) ? rint_in(r, 1, 3) : 0;
	while (gaps-- > 0 && n > 4) {
		a = rint_in(r, 1, n - 2);
		len = rint_in(r, 1, n / 3 + 1);
		for (i = a; i < a + len && i < n - 1; i++)
			s.present[i] = 0;
	}
	c->nseries++;
	if (segs == 1) {
		series_emit(c, &s, group);
		series_free(&s);
		return;
	}
	/* the same series in clusters: emit each as a sub-run at its own
	 * place in the span (same series key) */
	{
		struct series part = s;
		long long done = 0, sp = c->span / USEC;

		seglen = n / segs;
		for (i = 0; i < segs && done < n; i++) {
			part.n = (int)(i == segs - 1 ? n - done : seglen);
			part.v = s.v + done;
			part.present = s.present + done;
			segstart = rint_in(r, i * sp / segs, (i + 1) * sp / segs -
			    part.n * s.step > i * sp / segs ?
			    (i + 1) * sp / segs - part.n * s.step : i * sp / segs);
			part.start = c->t0 + segstart * USEC;
			series_emit(c, &part, group);
			done += part.n;
		}
	}
	series_free(&s);
}

/* ---- events -------------------------------------------------------------- */

/* A time inside the case, before an onset sometimes. */
static usec_t
event_time(struct gcase *c, int *svc)
{
	struct rng *r = &c->r;
	struct onset *o;

	if (c->nonsets > 0 && rchance(r, 0.6)) {
		o = &c->onsets[rint_in(r, 0, c->nonsets - 1)];
		if (svc != NULL)
			*svc = o->svc;
		return o->t - rint_in(r, 0, 180 * 60) * USEC;
	}
	if (svc != NULL)
		*svc = (int)rint_in(r, 0, c->nsvc - 1);
	return c->t0 + rint_in(r, 0, c->span / USEC) * USEC;
}

static const char *
any_dep(struct gcase *c)
{
	int i = (int)rint_in(&c->r, 0, c->nsvc + 1);

	if (i >= c->nsvc && c->extdeps[i - c->nsvc] != NULL)
		return c->extdeps[i - c->nsvc];
	return c->svc[i % c->nsvc].name;
}

static void
gen_commit(struct gcase *c, const char *sha, usec_t t)
{
	static const char *const paths[] = { "db/migrations/0042_add_index.sql",
	    "go.mod", "package.json", "config/app.yaml", "internal/retry/policy.go",
	    "src/http/client.ts", "auth/session.py", "lib/util/strings.c",
	    "docs/README.md", "tests/test_api.py", "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt",
	    "Makefile", "a b/c,d=e.txt" };
	static const char *const types[] = { "db_migration", "dependency",
	    "config", "timeout_retry", "http_client", "shared_util", "auth",
	    "test", "docs", "other" };
	struct rng *r = &c->r;
	struct obj o = { 0 };
	struct sb b = { 0 }, m = { 0 };
	char *p;
	int i, n = (int)rint_in(r, 0, 5);

	obj_str(c, &o, "sha", sha);
	p = gen_name(r, "repo");
	obj_str(c, &o, "repo", rchance(r, 0.7) ? "shop" : p);
	free(p);
	if (rchance(r, 0.1))
		obj_str(c, &o, "message", "");
	else {
		sb_adds(&m, "fix: ");
		fill_text(r, &m, (size_t)rint_in(r, 1, 300), 0.2);
		obj_str(c, &o, "message", m.p);
		free(m.p);
	}
	obj_ts(c, &o, "authored_at", t - rint_in(r, 0, 86400) * USEC, 0);
	if (rchance(r, 0.7)) {
		p = gen_name(r, NULL);
		obj_str(c, &o, "author", p);
		free(p);
	}
	sb_addc(&b, '[');
	for (i = 0; i < n; i++) {
		struct sb path = { 0 };

		if (i > 0)
			sb_addc(&b, ',');
		if (rchance(r, 0.1))
			fill_text(r, &path, (size_t)rint_in(r, 1, INGEST_MAX_PATH), 0.3);
		else
			sb_adds(&path, paths[rint_in(r, 0, sizeof paths / sizeof paths[0] - 1)]);
		sb_adds(&b, "{\"path\":");
		jstr(r, &b, path.p);
		free(path.p);
		if (rchance(r, 0.8))
			sb_printf(&b, ",\"lines_added\":%lld", rint_in(r, 0, 5000));
		if (rchance(r, 0.6))
			sb_printf(&b, ",\"lines_removed\":%lld%s", rint_in(r, 0, 500),
			    rchance(r, 0.1) ? ".0" : "");
		if (rchance(r, 0.2))
			sb_printf(&b, ",\"change_type\":\"%s\"",
			    types[rint_in(r, 0, 9)]);
		sb_addc(&b, '}');
	}
	sb_addc(&b, ']');
	obj_raw(&o, "files", sb_steal(&b));
	obj_emit(c, &o, "commit", -1);
}

static void
gen_deploy(struct gcase *c, int k)
{
	struct rng *r = &c->r;
	struct obj o = { 0 };
	struct sb b = { 0 };
	char *id, *sha;
	int svc, i, nc;
	usec_t t = event_time(c, &svc);

	id = rchance(r, 0.5) ? NULL : gen_name(r, "deploy");
	if (id == NULL) {
		struct sb ib = { 0 };

		sb_printf(&ib, "deploy-%d", k);
		id = sb_steal(&ib);
	}
	if (rchance(r, 0.1))
		obj_raw(&o, "id", (sb_printf(&b, "%lld", rint_in(r, 0, 1LL << 40)),
		    sb_steal(&b)));
	else
		obj_str(c, &o, "id", id);
	free(id);
	obj_str(c, &o, "service", c->svc[svc].name);
	obj_ts(c, &o, "started_at", t, 1);
	if (rchance(r, 0.7))
		obj_ts(c, &o, "finished_at", t + rint_in(r, 0, 900) * USEC, 0);
	if (rchance(r, 0.5))
		obj_str(c, &o, "deploy_type", rchance(r, 0.5) ? "rolling" : "canary");
	if (rchance(r, 0.5))
		obj_str(c, &o, "image_ref", "registry.example/app:v1.2.3");
	if (rchance(r, 0.3))
		obj_str(c, &o, "revision", "v2");
	if (rchance(r, 0.2))
		obj_raw(&o, "is_rollback", xstrdup_(rchance(r, 0.5) ? "true" : "false"));
	nc = rchance(r, 0.6) ? (int)rint_in(r, 1, 3) : 0;
	if (nc > 0) {
		sb_addc(&b, '[');
		for (i = 0; i < nc; i++) {
			int upper = rchance(r, 0.1);

			sha = gen_sha(r, 40, upper);
			gen_commit(c, sha, t);
			if (i > 0)
				sb_addc(&b, ',');
			if (rchance(r, 0.3))
				sha[rint_in(r, 7, 12)] = '\0';	/* abbreviated */
			else if (rchance(r, 0.05))
				sha[rint_in(r, 1, 6)] = '\0';	/* too short to link */
			jstr(r, &b, sha);
			free(sha);
		}
		sb_addc(&b, ']');
		obj_raw(&o, "commits", sb_steal(&b));
	}
	if (rchance(r, 0.1))
		obj_raw(&o, "note", xstrdup_("{\"password\":\"hunter2\",\"deep\":{\"a\":[1,{\"b\":null}]}}"));
	obj_emit(c, &o, "deploy", -1);
}

static void
gen_config(struct gcase *c)
{
	static const char *const fields[] = { "timeout_ms", "DB_POOL_SIZE",
	    "log_level", "replicas", "DB_PASSWORD", "retry.max", "feature.flag",
	    "endpoint_url", "tls.enabled" };
	static const char *const vals[] = { "\"500\"", "50", "null", "true",
	    "\"postgres://app:pw@db/x\"", "{\"a\":1}", "\"debug\"", "[1,2]", "3.5" };
	struct rng *r = &c->r;
	struct obj o = { 0 };
	struct sb b = { 0 };
	int svc, i, n = (int)rint_in(r, 1, 3), single = rchance(r, 0.15);
	usec_t t = event_time(c, &svc);
	char *p;

	obj_str(c, &o, "service", c->svc[svc].name);
	obj_ts(c, &o, "detected_at", t, 1);
	obj_str(c, &o, "change_kind", rchance(r, 0.1) ? "secret" :
	    rchance(r, 0.5) ? "configmap" : "env_var");
	p = gen_name(r, "cfg");
	obj_str(c, &o, "resource_name", p);
	free(p);
	if (rchance(r, 0.5)) {
		p = gen_name(r, "cc");
		obj_str(c, &o, "id", p);
		free(p);
	}
	if (rchance(r, 0.3))
		obj_str(c, &o, "source", rchance(r, 0.2) ? "k8s-secret" : "kubernetes");
	if (single)
		n = 1;
	else
		sb_addc(&b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_addc(&b, ',');
		sb_adds(&b, "{\"field\":");
		jstr(r, &b, fields[rint_in(r, 0, 8)]);
		sb_printf(&b, ",\"old_value\":%s,\"new_value\":%s}",
		    vals[rint_in(r, 0, 8)], vals[rint_in(r, 0, 8)]);
	}
	if (!single)
		sb_addc(&b, ']');
	obj_raw(&o, "diff", sb_steal(&b));
	obj_emit(c, &o, "config_change", -1);
}

static void
gen_errors(struct gcase *c)
{
	static const char *const sev[] = { "critical", "CRIT", "Fatal", "high",
	    "error", "ERR", "medium", "warning", "Warn", "low", "notice", "info",
	    "debug", "TRACE", "emerg", "alert", "panic" };
	struct rng *r = &c->r;
	struct obj o = { 0 };
	struct sb m = { 0 };
	int svc, i, n = (int)rint_in(r, 1, 40);
	usec_t t = event_time(c, &svc) + rint_in(r, 0, 600) * USEC;
	const char *dep = any_dep(c);
	char *fp = rchance(r, 0.2) ? gen_name(r, "fp") : NULL;

	switch ((int)rint_in(r, 0, 3)) {
	case 0:
		sb_printf(&m, "timeout acquiring connection from pool ");
		sb_adds(&m, dep);
		break;
	case 1:
		sb_adds(&m, "upstream ");
		sb_adds(&m, dep);
		sb_printf(&m, " returned 503 after %lld ms", rint_in(r, 1, 9999));
		break;
	case 2:
		fill_text(r, &m, (size_t)rint_in(r, 1, rchance(r, 0.1) ? 8000 : 200), 0.3);
		break;
	default:
		sb_adds(&m, "NullPointerException at com.example.Foo.bar(Foo.java:42) id=");
		sb_printf(&m, "%lld", rint_in(r, 0, 1LL << 50));
		break;
	}
	for (i = 0; i < n; i++) {
		obj_ts(c, &o, "ts", t + rint_in(r, 0, 20 * 60) * USEC, 1);
		obj_str(c, &o, "service", c->svc[svc].name);
		obj_str(c, &o, "message", m.p);
		if (rchance(r, 0.7))
			obj_str(c, &o, "severity", sev[rint_in(r, 0, 16)]);
		if (rchance(r, 0.3))
			obj_str(c, &o, "error_type", "TimeoutError");
		if (fp != NULL)
			obj_str(c, &o, "fingerprint", fp);
		obj_emit(c, &o, "error", -1);
	}
	free(m.p);
	free(fp);
}

static void
gen_health(struct gcase *c)
{
	static const char *const st[] = { "healthy", "degraded", "down" };
	struct rng *r = &c->r;
	struct obj o = { 0 };
	int svc, i, n = (int)rint_in(r, 1, 30), bad_from = (int)rint_in(r, 0, 30);
	long long step = rint_in(r, 10, 300);
	usec_t t = event_time(c, &svc);

	for (i = 0; i < n; i++) {
		obj_ts(c, &o, "ts", t + (usec_t)i * step * USEC, 1);
		obj_str(c, &o, "service", c->svc[svc].name);
		obj_str(c, &o, "status", i >= bad_from && i < bad_from + 6 ?
		    st[rint_in(r, 1, 2)] : st[rchance(r, 0.05) ? 1 : 0]);
		if (rchance(r, 0.7))
			obj_num(c, &o, "response_time_ms", rchance(r, 0.05) ? 0 :
			    rchance(r, 0.02) ? 1e300 : 1000 * runif(r));
		if (rchance(r, 0.6))
			obj_num(c, &o, "error_rate", rchance(r, 0.1) ?
			    rint_d(r, 0, 1) : runif(r));
		obj_emit(c, &o, "health", -1);
	}
}

static void
gen_alerts(struct gcase *c)
{
	struct rng *r = &c->r;
	struct obj o = { 0 };
	struct sb b = { 0 };
	int svc, i, n = (int)rint_in(r, 1, 5);
	usec_t t = event_time(c, &svc);
	char *fp = rchance(r, 0.5) ? gen_sha(r, 16, 0) : gen_name(r, "alert");
	const char *lk = (const char *[]){ "service", "service", "app", "job",
	    "service_name", "app_kubernetes_io_name", "alertname" }[rint_in(r, 0, 6)];

	for (i = 0; i < n; i++) {
		obj_ts(c, &o, "ts", t, 1);
		obj_str(c, &o, "fingerprint", fp);
		obj_str(c, &o, "status", i % 2 == 0 ? "firing" : "resolved");
		sb_addc(&b, '{');
		jstr(r, &b, lk);
		sb_addc(&b, ':');
		jstr(r, &b, c->svc[svc].name);
		if (rchance(r, 0.3))
			sb_adds(&b, ",\"severity\":\"page\",\"replicas\":3");
		sb_addc(&b, '}');
		obj_raw(&o, "labels", sb_steal(&b));
		if (rchance(r, 0.5))
			obj_raw(&o, "annotations", xstrdup_("{\"summary\":\"it \\u00e9 broke\"}"));
		if (rchance(r, 0.5))
			obj_str(c, &o, "source", "alertmanager");
		obj_emit(c, &o, "alert", -1);
		t += rint_in(r, 60, 3 * 3600) * USEC;
	}
	free(fp);
}

static void
gen_funnel(struct gcase *c)
{
	struct rng *r = &c->r;
	struct obj o = { 0 };
	struct sb b = { 0 };
	int i, j, n = (int)rint_in(r, 2, 60), nsteps = (int)rint_in(r, 1, 4);
	int drop_from = (int)rint_in(r, 0, n), zero = rchance(r, 0.1);
	long long step = (long long[]){ 60, 300, 3600 }[rint_in(r, 0, 2)];
	usec_t t = event_time(c, NULL);
	char *name = rchance(r, 0.5) ? xstrdup_(c->svc[rint_in(r, 0, c->nsvc - 1)].name) :
	    gen_name(r, "funnel");
	double count, rev = rchance(r, 0.1) ? -5 : 10 + 100 * runif(r);

	for (i = 0; i < n; i++) {
		obj_ts(c, &o, "ts", t + (usec_t)i * step * USEC, 1);
		obj_str(c, &o, "funnel", name);
		sb_addc(&b, '[');
		count = zero ? 0 : rint_d(r, 50, 5000);
		for (j = 0; j < nsteps; j++) {
			if (j > 0)
				sb_addc(&b, ',');
			sb_printf(&b, "{\"name\":\"step%d\",\"count\":", j);
			jnum(r, &b, count);
			sb_addc(&b, '}');
			count = floor(count * (i >= drop_from && i < drop_from + 8 ?
			    0.2 : 0.7) * (0.9 + 0.2 * runif(r)));
		}
		sb_addc(&b, ']');
		obj_raw(&o, "steps", sb_steal(&b));
		if (rchance(r, 0.7))
			obj_num(c, &o, "revenue_per_conversion", rev);
		obj_emit(c, &o, "funnel", -1);
	}
	free(name);
}

static void
gen_maintenance(struct gcase *c)
{
	struct rng *r = &c->r;
	struct obj o = { 0 };
	int svc;
	usec_t t = event_time(c, &svc);

	obj_str(c, &o, "service", c->svc[svc].name);
	obj_ts(c, &o, "starts_at", t, 0);
	obj_ts(c, &o, "ends_at", t + rint_in(r, 0, 4 * 3600) * USEC, 0);
	if (rchance(r, 0.5))
		obj_str(c, &o, "reason", "planned \xe2\x80\x94 vacuum");
	obj_emit(c, &o, "maintenance", -1);
}

/* Declarations and the topology. */
static void
gen_topology(struct gcase *c)
{
	static const char *const tiers[] = { "web", "api", "database", "external",
	    "worker", "backend" };
	struct rng *r = &c->r;
	struct obj o = { 0 };
	int i, j, n, from;

	for (i = 0; i < c->nsvc; i++) {
		if (!rchance(r, 0.7))
			continue;		/* created on the fly, or never */
		obj_str(c, &o, "service", c->svc[i].name);
		if (rchance(r, 0.3))
			obj_str(c, &o, "cluster", rchance(r, 0.5) ? "prod" : "eu-west");
		if (rchance(r, 0.3))
			obj_str(c, &o, "namespace", "shop");
		if (rchance(r, 0.5))
			obj_str(c, &o, "tier", tiers[rint_in(r, 0, 5)]);
		if (rchance(r, 0.1))
			obj_str(c, &o, "team", "core");
		obj_emit(c, &o, "service", -1);
		if (rchance(r, 0.05)) {
			/* the same name in another cluster */
			obj_str(c, &o, "service", c->svc[i].name);
			obj_str(c, &o, "cluster", "dr-site");
			obj_emit(c, &o, "service", -1);
		}
	}
	n = (int)rint_in(r, 0, 2 * c->nsvc);
	for (i = 0; i < n; i++) {
		from = (int)rint_in(r, 0, c->nsvc - 1);
		j = (int)rint_in(r, 0, c->nsvc + 1);
		obj_str(c, &o, "from", c->svc[from].name);
		if (j >= c->nsvc && c->extdeps[j - c->nsvc] != NULL) {
			obj_str(c, &o, "to", c->extdeps[j - c->nsvc]);
			obj_str(c, &o, "dep_kind", j == c->nsvc ? "database" : "external");
		} else {
			/* a service (cycles and self-edges included) */
			obj_str(c, &o, "to", c->svc[j % c->nsvc].name);
			if (rchance(r, 0.3))
				obj_str(c, &o, "dep_kind", rchance(r, 0.5) ?
				    "database" : "service");
		}
		obj_emit(c, &o, "dependency", -1);
	}
}

/* Picks t0 and the span. */
static void
gen_time(struct gcase *c)
{
	struct rng *r = &c->r;
	usec_t lo = (days_from_civil(1900, 1, 1) + 3) * 86400 * USEC;
	usec_t hi = (days_from_civil(9999, 12, 31) - 6) * 86400 * USEC;
	double u = runif(r);
	long long y;

	if (u < 0.30)
		c->span = rint_in(r, 5 * 60, 120 * 60) * USEC;
	else if (u < 0.65)
		c->span = rint_in(r, 2 * 3600, 48 * 3600) * USEC;
	else if (u < 0.85)
		c->span = rint_in(r, 2 * 86400, 14 * 86400) * USEC;
	else if (u < 0.95)
		c->span = rint_in(r, 30 * 86400, 180 * 86400) * USEC;
	else
		c->span = rint_in(r, 365 * 86400, 3 * 365 * 86400) * USEC;
	u = runif(r);
	if (u < 0.72)
		y = rint_in(r, 2020, 2030);
	else if (u < 0.87)
		y = rint_in(r, 1971, 2019);
	else if (u < 0.89)
		y = rint_in(r, 1901, 1969);	/* before the epoch */
	else if (u < 0.97)
		y = rint_in(r, 2031, 9990);
	else
		y = rchance(r, 0.5) ? 9999 : 1900;
	c->t0 = (days_from_civil(y, 1, 1) + rint_in(r, 0, 364)) * 86400 * USEC;
	if (rchance(r, 0.5))
		c->t0 += rint_in(r, 0, 86399) * USEC;
	if (rchance(r, 0.05))
		c->t0 += rint_in(r, 1, USEC - 1);
	if (c->t0 < lo)
		c->t0 = lo;
	if (c->t0 + c->span > hi)
		c->t0 = hi - c->span;
}

/* ---- fixed shapes -------------------------------------------------------- */

/* A metric line with plain formatting (fixed shapes). */
static void
plain_point(struct gcase *c, const char *svc, const char *metric, usec_t t,
    double v)
{
	struct sb b = { 0 };
	char ts[40];

	ts_text(t, ts, sizeof ts);
	sb_adds(&b, "{\"kind\":\"metric\",\"ts\":\"");
	sb_adds(&b, ts);
	sb_adds(&b, "\",\"service\":");
	jstr(&c->r, &b, svc);
	sb_adds(&b, ",\"metric\":");
	jstr(&c->r, &b, metric);
	sb_adds(&b, ",\"value\":");
	num_text(&b, v);
	sb_addc(&b, '}');
	add_line(c, sb_steal(&b), 0);
	note_time(c, t);
	c->npoints++;
}

/* The minimal case that wedged detect: 60 x 9.9/10.1, 6 x 100, 4 x 10,
 * 6 x 100, 20 normal; at split 0 the split is the middle of the data, else
 * inside the dip. */
static void
shape_wedge(struct gcase *c, int split_in_dip)
{
	usec_t t0 = (days_from_civil(2026, 1, 5)) * 86400 * USEC + 9 * 3600 * USEC;
	int i, k = 0;

	c->svc[0].name = xstrdup_("wedge");
	c->svc[0].has_data = 1;
	c->nsvc = 1;
	for (i = 0; i < 60; i++, k++)
		plain_point(c, "wedge", "queue_depth", t0 + k * 60 * USEC,
		    i % 2 == 0 ? 9.9 : 10.1);
	for (i = 0; i < 6; i++, k++)
		plain_point(c, "wedge", "queue_depth", t0 + k * 60 * USEC, 100);
	for (i = 0; i < 4; i++, k++)
		plain_point(c, "wedge", "queue_depth", t0 + k * 60 * USEC, 10);
	for (i = 0; i < 6; i++, k++)
		plain_point(c, "wedge", "queue_depth", t0 + k * 60 * USEC, 100);
	for (i = 0; i < 20; i++, k++)
		plain_point(c, "wedge", "queue_depth", t0 + k * 60 * USEC,
		    i % 2 == 0 ? 9.9 : 10.1);
	c->nseries = 1;
	c->minstep = c->maxstep = 60;
	c->split = t0 + (split_in_dip ? 67 : k / 2) * 60 * USEC;
	c->has_split = 1;
}

/* Service names with a multi-byte char starting at each boundary, each with
 * a request rate that jumps, in a call chain, with errors naming the next. */
static void
shape_boundaries(struct gcase *c)
{
	struct rng *r = &c->r;
	struct obj o = { 0 };
	size_t i;
	int k;
	usec_t t0 = days_from_civil(2026, 3, 1) * 86400 * USEC;
	double base;

	c->nsvc = 0;
	for (i = 0; i < NBOUND; i++)
		add_svc(c, name_boundary(r, boundaries[i], 2 + (int)(i % 3)));
	for (i = 0; i + 1 < NBOUND; i++) {
		obj_str(c, &o, "from", c->svc[i].name);
		obj_str(c, &o, "to", c->svc[i + 1].name);
		obj_emit(c, &o, "dependency", -1);
	}
	for (i = 0; i < NBOUND; i++) {
		base = 100 + 10 * (double)i;
		for (k = 0; k < 120; k++)
			plain_point(c, c->svc[i].name, (i % 2) ? "request_rate" :
			    c->svc[i].name, t0 + k * 60 * USEC,
			    (k >= 80 && k < 95 ? base * 8 : base) + (k % 3));
		c->svc[i].has_data = 1;
		for (k = 0; k < 8; k++) {
			struct sb m = { 0 };

			obj_ts(c, &o, "ts", t0 + (79 + k) * 60 * USEC, 1);
			obj_str(c, &o, "service", c->svc[i].name);
			sb_adds(&m, "timeout calling ");
			sb_adds(&m, c->svc[(i + 1) % NBOUND].name);
			obj_str(c, &o, "message", m.p);
			free(m.p);
			obj_emit(c, &o, "error", -1);
		}
	}
	obj_str(c, &o, "id", c->svc[NBOUND - 1].name);
	obj_str(c, &o, "service", c->svc[NBOUND - 1].name);
	obj_ts(c, &o, "started_at", t0 + 75 * 60 * USEC, 1);
	obj_emit(c, &o, "deploy", -1);
	c->nseries = (int)NBOUND;
	c->minstep = c->maxstep = 60;
	c->split = t0 + 88 * 60 * USEC;
	c->has_split = 1;
}

/* Everything at its limit: 512-byte names of 4-, 3- and 2-byte chars, a
 * labels key near 1024 bytes, 512-byte ids and fingerprints. */
static void
shape_limits(struct gcase *c)
{
	struct rng *r = &c->r;
	struct obj o = { 0 };
	struct sb b = { 0 };
	char *metric, *fp, *p;
	usec_t t0 = days_from_civil(2026, 6, 30) * 86400 * USEC + 23 * 3600 * USEC;
	int k, i;

	for (i = 0; i < 3; i++) {
		struct sb n = { 0 };

		for (k = 0; n.len + (size_t)(4 - i) <= MAX_NAME; k++)
			put_cp(&n, rand_cp(r, 4 - i));
		fill_text(r, &n, MAX_NAME - n.len, 0);
		add_svc(c, sb_steal(&n));
	}
	fill_text(r, &b, MAX_NAME, 1.0);
	metric = sb_steal(&b);
	fill_text(r, &b, MAX_NAME, 1.0);
	fp = sb_steal(&b);
	for (i = 0; i < 3; i++) {
		for (k = 0; k < 90; k++) {
			obj_ts(c, &o, "ts", t0 + k * 60 * USEC, 1);
			obj_str(c, &o, "service", c->svc[i].name);
			obj_str(c, &o, "metric", i == 0 ? metric : "error_ratio");
			obj_num(c, &o, "value", k >= 60 && k < 75 ? 0.5 : 0.001 * (1 + k % 2));
			if (i == 2) {
				/* labels key: 1020 bytes */
				struct sb l = { 0 }, v = { 0 };

				fill_text(r, &v, 1020 - 4, 0.8);
				for (p = v.p; *p != '\0'; p++)
					if (*p == '\\' || *p == ',' || *p == '=')
						*p = 'x';	/* no escapes: 1020 bytes */
				sb_adds(&l, "{\"pod\":");
				jstr(r, &l, v.p);
				sb_addc(&l, '}');
				free(v.p);
				if (k == 0)
					c->svc[i].has_data = 1;
				obj_raw(&o, "labels", l.p);
			}
			obj_emit(c, &o, "metric", i);
			c->npoints++;
		}
		c->svc[i].has_data = 1;
	}
	for (k = 0; k < 10; k++) {
		obj_ts(c, &o, "ts", t0 + (60 + k) * 60 * USEC, 1);
		obj_str(c, &o, "service", c->svc[1].name);
		obj_str(c, &o, "message", c->svc[0].name);
		obj_str(c, &o, "fingerprint", fp);
		obj_str(c, &o, "error_type", metric);
		obj_emit(c, &o, "error", -1);
	}
	obj_str(c, &o, "id", fp);
	obj_str(c, &o, "service", c->svc[0].name);
	obj_ts(c, &o, "started_at", t0 + 55 * 60 * USEC, 1);
	obj_raw(&o, "commits", (sb_adds(&b, "["), jstr(r, &b, fp), sb_adds(&b, "]"),
	    sb_steal(&b)));
	obj_emit(c, &o, "deploy", -1);
	obj_str(c, &o, "service", c->svc[2].name);
	obj_ts(c, &o, "detected_at", t0 + 58 * 60 * USEC, 1);
	obj_str(c, &o, "change_kind", metric);
	obj_str(c, &o, "resource_name", fp);
	obj_str(c, &o, "id", metric);
	obj_raw(&o, "diff", xstrdup_("{\"field\":\"timeout_ms\",\"old_value\":1,\"new_value\":2}"));
	obj_emit(c, &o, "config_change", -1);
	obj_ts(c, &o, "ts", t0 + 61 * 60 * USEC, 1);
	obj_str(c, &o, "fingerprint", fp);
	obj_str(c, &o, "status", "firing");
	obj_raw(&o, "labels", (sb_adds(&b, "{\"service\":"), jstr(r, &b, c->svc[1].name),
	    sb_adds(&b, "}"), sb_steal(&b)));
	obj_emit(c, &o, "alert", -1);
	for (i = 0; i < 3; i++) {
		obj_str(c, &o, "from", c->svc[i].name);
		obj_str(c, &o, "to", c->svc[(i + 1) % 3].name);
		obj_emit(c, &o, "dependency", -1);
	}
	free(metric);
	free(fp);
	c->nseries = 3;
	c->minstep = c->maxstep = 60;
	c->split = t0 + 66 * 60 * USEC;
	c->has_split = 1;
}

/* Single points only, on several services and metrics. */
static void
shape_single_points(struct gcase *c)
{
	usec_t t0 = days_from_civil(2026, 2, 28) * 86400 * USEC + 86399 * USEC;
	int i;

	for (i = 0; i < 6; i++) {
		add_svc(c, gen_svc_name(c));
		plain_point(c, c->svc[i].name, meaning_names[i],
		    t0 + (usec_t)i * 37 * USEC, i == 0 ? 0 : (double)i * 3.5);
		c->svc[i].has_data = 1;
	}
	c->nseries = 6;
	c->split = t0 + 74 * USEC;
	c->has_split = 1;
}

/* Constant series only: zero, one, negative, huge, tiny. */
static void
shape_constant(struct gcase *c)
{
	static const double vals[] = { 0, 1, -7.25, 1e300, 1e-300, 1e15 };
	usec_t t0 = days_from_civil(2025, 12, 31) * 86400 * USEC + 20 * 3600 * USEC;
	int i, k;

	for (i = 0; i < 6; i++) {
		add_svc(c, gen_svc_name(c));
		for (k = 0; k < 300; k++)
			plain_point(c, c->svc[i].name, i < 5 ? meaning_names[i] : "custom",
			    t0 + (usec_t)k * 60 * USEC, vals[i]);
		c->svc[i].has_data = 1;
	}
	c->nseries = 6;
	c->minstep = c->maxstep = 60;
	c->split = t0 + 150 * 60 * USEC;
	c->has_split = 1;
}

/* Extreme values with faults: the seeds's numbers at the edges of double. */
static void
shape_extremes(struct gcase *c)
{
	static const double lv[] = { 1e300, -1e300, 1e15, 1e-300, 5e-324, DBL_MAX };
	usec_t t0 = days_from_civil(2026, 4, 1) * 86400 * USEC;
	int i, k;
	double v;

	for (i = 0; i < 6; i++) {
		add_svc(c, gen_svc_name(c));
		for (k = 0; k < 150; k++) {
			v = lv[i] * (k % 2 == 0 ? 1 : 0.999);
			if (k >= 90 && k < 110)
				v = i == 5 ? -DBL_MAX : lv[i] * (i == 4 ? 1000 : 50);
			if (!isfinite(v))
				v = lv[i];
			plain_point(c, c->svc[i].name, i % 2 ? "latency_p99_ms" : "value_x",
			    t0 + (usec_t)k * 60 * USEC, v);
		}
		c->svc[i].has_data = 1;
	}
	c->nseries = 6;
	c->minstep = c->maxstep = 60;
	c->split = t0 + 100 * 60 * USEC;
	c->has_split = 1;
}

/* No data at all: services and dependencies only. */
static void
shape_no_data(struct gcase *c)
{
	int i;

	c->nsvc = 0;
	for (i = 0; i < 5; i++)
		add_svc(c, gen_svc_name(c));
	c->extdeps[0] = xstrdup_("payments-db");
	c->extdeps[1] = xstrdup_("api.stripe.com");
	gen_topology(c);
	c->split = days_from_civil(2026, 1, 1) * 86400 * USEC;
	c->has_split = 1;
}

/* One series written backwards, every point twice in two spellings of the
 * same instant, and a second series shuffled. */
static void
shape_dups(struct gcase *c)
{
	struct obj o = { 0 };
	usec_t t0 = days_from_civil(2026, 10, 25) * 86400 * USEC;
	int k, rep;
	size_t first;

	add_svc(c, xstrdup_("dup"));
	for (k = 199; k >= 0; k--)
		for (rep = 0; rep < 2; rep++) {
			obj_ts(c, &o, "ts", t0 + (usec_t)k * 30 * USEC, 1);
			obj_str(c, &o, "service", "dup");
			obj_str(c, &o, "metric", "request_rate");
			obj_num(c, &o, "value", k >= 120 && k < 140 ? 900 + rep : 100 + rep);
			obj_emit(c, &o, "metric", 0);
			c->npoints++;
		}
	first = c->nlines;
	for (k = 0; k < 200; k++) {
		obj_ts(c, &o, "ts", t0 + (usec_t)k * 30 * USEC, 1);
		obj_str(c, &o, "service", "dup");
		obj_str(c, &o, "metric", "error_ratio");
		obj_num(c, &o, "value", k >= 120 && k < 140 ? 0.3 : 0.001);
		obj_emit(c, &o, "metric", 1);
		c->npoints++;
	}
	for (k = (int)(c->nlines - first) - 1; k > 0; k--) {
		size_t j = first + (size_t)rint_in(&c->r, 0, k);
		struct line t = c->lines[first + (size_t)k];

		c->lines[first + (size_t)k] = c->lines[j];
		c->lines[j] = t;
	}
	c->svc[0].has_data = 1;
	c->nseries = 2;
	c->minstep = c->maxstep = 30;
	c->split = t0 + 130 * 30 * USEC;
	c->has_split = 1;
}

/* Sparse points over three years: hourly clusters, a weekly series. */
static void
shape_years(struct gcase *c)
{
	usec_t t0 = days_from_civil(2023, 2, 27) * 86400 * USEC;
	int i, k;

	add_svc(c, gen_svc_name(c));
	add_svc(c, gen_svc_name(c));
	for (i = 0; i < 6; i++)
		for (k = 0; k < 48; k++)
			plain_point(c, c->svc[0].name, "request_rate",
			    t0 + ((usec_t)i * 200 * 86400 + (usec_t)k * 3600) * USEC,
			    k >= 30 && k < 38 && i == 4 ? 5000 : 100 + k % 5);
	for (k = 0; k < 160; k++)
		plain_point(c, c->svc[1].name, "cpu_utilization",
		    t0 + (usec_t)k * 7 * 86400 * USEC, k > 120 && k < 130 ? 0.99 : 0.4);
	c->svc[0].has_data = c->svc[1].has_data = 1;
	c->nseries = 2;
	c->minstep = 3600;
	c->maxstep = 7 * 86400;
	c->split = t0 + (usec_t)600 * 86400 * USEC;
	c->has_split = 1;
}

/* Many small series on one service at 1-second steps with jitter. */
static void
shape_seconds(struct gcase *c)
{
	struct obj o = { 0 };
	usec_t t0 = days_from_civil(2026, 12, 31) * 86400 * USEC + 86000 * USEC;
	int i, k;

	add_svc(c, gen_svc_name(c));
	for (i = 0; i < 3; i++)
		for (k = 0; k < 900; k++) {
			obj_ts(c, &o, "ts", t0 + (usec_t)k * USEC + i * 250000, 1);
			obj_str(c, &o, "service", c->svc[0].name);
			obj_str(c, &o, "metric", meaning_names[i]);
			obj_num(c, &o, "value", k >= 500 && k < 700 ?
			    (i == 1 ? 0.4 : 5000) : (i == 1 ? 0.001 : 50 + k % 7));
			obj_emit(c, &o, "metric", i);
			c->npoints++;
		}
	c->svc[0].has_data = 1;
	c->nseries = 3;
	c->minstep = c->maxstep = 1;
	c->split = t0 + 600 * USEC;
	c->has_split = 1;
}

static const struct {
	const char *name;
	void (*fn)(struct gcase *);
} fixed_shapes[NFIXED] = {
	{ "wedge", NULL }, { "wedge-split-in-dip", NULL },
	{ "boundaries", shape_boundaries }, { "limits", shape_limits },
	{ "single-points", shape_single_points }, { "constant", shape_constant },
	{ "extremes", shape_extremes }, { "no-data", shape_no_data },
	{ "dups-reversed", shape_dups }, { "years", shape_years },
	{ "seconds", shape_seconds }, { "wedge", NULL },
};

/* ---- a random case ------------------------------------------------------- */

static void
gen_random(struct gcase *c)
{
	struct rng *r = &c->r;
	long long budget;
	int i, nser, k, nevents;

	snprintf(c->shapename, sizeof c->shapename, "random");
	gen_time(c);
	c->nsvc = 0;
	k = (int)rint_in(r, 1, MAX_SVC);
	for (i = 0; i < k; i++)
		add_svc(c, gen_svc_name(c));
	if (rchance(r, 0.7))
		c->extdeps[0] = rchance(r, 0.5) ? xstrdup_("payments-db") : gen_svc_name(c);
	if (rchance(r, 0.5))
		c->extdeps[1] = rchance(r, 0.5) ? xstrdup_("api.stripe.com") : gen_svc_name(c);
	gen_topology(c);
	/* series: most services get some, some none */
	nser = (int)rint_in(r, 1, 3 * c->nsvc);
	budget = rint_in(r, 50, MAX_POINTS);
	for (i = 0; i < nser && c->npoints < budget; i++) {
		k = (int)rint_in(r, 0, c->nsvc - 1);
		if (k > 0 && k == c->nsvc - 1 && c->nsvc > 2 && rchance(r, 0.7))
			continue;		/* the last service often has no data */
		gen_series(c, k, (budget - c->npoints) / (nser - i > 1 ? 2 : 1) + 1, i);
	}
	if (rchance(r, 0.15) && c->npoints + 96 <= MAX_POINTS) {
		/* the wedge pattern on a service of the case */
		struct series s;
		int n = 0;

		memset(&s, 0, sizeof s);
		s.svc = (int)rint_in(r, 0, c->nsvc - 1);
		s.metric = rchance(r, 0.5) ? xstrdup_("queue_depth") : gen_name(r, NULL);
		s.step = 60;
		series_alloc(&s, 96);
		for (i = 0; i < 60; i++)
			s.v[n++] = i % 2 ? 10.1 : 9.9;
		for (i = 0; i < 6; i++)
			s.v[n++] = 100;
		for (i = 0; i < 4; i++)
			s.v[n++] = 10;
		for (i = 0; i < 6; i++)
			s.v[n++] = 100;
		for (i = 0; i < 20; i++)
			s.v[n++] = i % 2 ? 10.1 : 9.9;
		s.start = c->t0 + rint_in(r, 0, c->span / USEC) / 60 * 60 * USEC;
		if (s.start + 96 * 60 * USEC > (days_from_civil(9999, 12, 30)) * 86400 * USEC)
			s.start = c->t0;
		series_emit(c, &s, 1000);
		series_free(&s);
		c->nseries++;
		strncat(c->shapename, "+wedge", sizeof c->shapename - strlen(c->shapename) - 1);
	}
	/* events */
	nevents = (int)rint_in(r, 0, 12);
	for (i = 0; i < nevents; i++) {
		switch ((int)rint_in(r, 0, 9)) {
		case 0:
		case 1:
			gen_deploy(c, i);
			break;
		case 2:
			gen_config(c);
			break;
		case 3:
		case 4:
			gen_errors(c);
			break;
		case 5:
			gen_health(c);
			break;
		case 6:
			gen_alerts(c);
			break;
		case 7:
			gen_funnel(c);
			break;
		case 8:
			gen_maintenance(c);
			break;
		default: {
			char *sha = gen_sha(r, 40, rchance(r, 0.1));

			gen_commit(c, sha, event_time(c, NULL));
			free(sha);
			break;
		}
		}
	}
	/* out of order: local swaps, or the whole file shuffled */
	if (c->nlines > 1 && rchance(r, 0.3)) {
		size_t n = (size_t)rint_in(r, 1, (long long)c->nlines), a, b;
		long long w = rint_in(r, 1, 50);

		while (n-- > 0) {
			struct line t;

			a = (size_t)rint_in(r, 0, (long long)c->nlines - 1);
			b = (size_t)rint_in(r, (long long)a - w > 0 ? (long long)a - w : 0,
			    (long long)a + w < (long long)c->nlines - 1 ?
			    (long long)a + w : (long long)c->nlines - 1);
			t = c->lines[a];
			c->lines[a] = c->lines[b];
			c->lines[b] = t;
		}
	} else if (c->nlines > 1 && rchance(r, 0.05)) {
		size_t a, b;

		for (a = c->nlines - 1; a > 0; a--) {
			struct line t;

			b = (size_t)rint_in(r, 0, (long long)a);
			t = c->lines[a];
			c->lines[a] = c->lines[b];
			c->lines[b] = t;
		}
	}
}

static int
cmp_usec(const void *a, const void *b)
{
	usec_t x = *(const usec_t *)a, y = *(const usec_t *)b;

	return x < y ? -1 : x > y;
}

/* Generates the case of a seed. */
static void
gen_case(struct gcase *c, unsigned long long seed)
{
	memset(c, 0, sizeof *c);
	c->seed = seed;
	c->r.s = seed * 0x2545f4914f6cdd1dULL + 0x1234567;
	rnext(&c->r);
	c->shape = -1;
	if (seed >= 1 && seed <= NFIXED)
		c->shape = (int)(seed - 1);
	else if (rchance(&c->r, 1.0 / 16))
		c->shape = (int)rint_in(&c->r, 0, NFIXED - 1);
	if (c->shape >= 0) {
		snprintf(c->shapename, sizeof c->shapename, "%s",
		    fixed_shapes[c->shape].name);
		if (fixed_shapes[c->shape].fn == NULL)
			shape_wedge(c, c->shape == 1);
		else
			fixed_shapes[c->shape].fn(c);
	} else
		gen_random(c);
	if (!c->has_split) {
		if (c->ntimes == 0)
			c->split = c->t0;
		else {
			qsort(c->times, c->ntimes, sizeof *c->times, cmp_usec);
			c->split = c->times[(size_t)((double)c->ntimes *
			    (0.3 + 0.4 * runif(&c->r)))];
		}
	}
}

static void
case_free(struct gcase *c)
{
	size_t i;
	int k;

	for (i = 0; i < c->nlines; i++)
		free(c->lines[i].text);
	free(c->lines);
	free(c->times);
	for (k = 0; k < c->nsvc; k++)
		free(c->svc[k].name);
	for (k = 0; k < 6; k++)
		free(c->extdeps[k]);
}

static void
case_write(const struct gcase *c, FILE *f)
{
	size_t i;

	for (i = 0; i < c->nlines; i++) {
		fputs(c->lines[i].text, f);
		fputc('\n', f);
	}
}

static char *
case_text(const struct gcase *c)
{
	struct sb b = { 0 };
	size_t i;

	for (i = 0; i < c->nlines; i++) {
		sb_adds(&b, c->lines[i].text);
		sb_addc(&b, '\n');
	}
	return sb_steal(&b);
}

static void
fmt_dur(long long s, char *out, size_t len)
{
	if (s < 120)
		snprintf(out, len, "%llds", s);
	else if (s < 7200)
		snprintf(out, len, "%lldm", s / 60);
	else if (s < 2 * 86400)
		snprintf(out, len, "%lldh", s / 3600);
	else
		snprintf(out, len, "%lldd", s / 86400);
}

static void
case_describe(const struct gcase *c, FILE *f)
{
	char split[40], lo[40] = "-", hi[40] = "-", s1[32], s2[32];
	int nodata = 0, i, maxname = 0;

	for (i = 0; i < c->nsvc; i++) {
		nodata += !c->svc[i].has_data;
		if ((int)strlen(c->svc[i].name) > maxname)
			maxname = (int)strlen(c->svc[i].name);
	}
	ts_text(c->split, split, sizeof split);
	if (c->ntimes > 0) {
		usec_t a = c->times[0], b = c->times[0];
		size_t k;

		for (k = 0; k < c->ntimes; k++) {
			if (c->times[k] < a)
				a = c->times[k];
			if (c->times[k] > b)
				b = c->times[k];
		}
		ts_text(a, lo, sizeof lo);
		ts_text(b, hi, sizeof hi);
	}
	fmt_dur(c->minstep, s1, sizeof s1);
	fmt_dur(c->maxstep, s2, sizeof s2);
	fprintf(f, "seed %llu: %s, %d services (%d without data, longest name "
	    "%d bytes), %d series, %lld points, steps %s..%s, %zu lines, data "
	    "%s .. %s, split %s\n", c->seed, c->shapename, c->nsvc, nodata,
	    maxname, c->nseries, c->npoints, s1, s2, c->nlines, lo, hi, split);
}

/* ---- self-test (TAP) ----------------------------------------------------- */

static int tap_n, tap_failed;

static void
tap(int ok, const char *desc)
{
	tap_n++;
	printf("%sok %d - %s\n", ok ? "" : "not ", tap_n, desc);
	if (!ok)
		tap_failed++;
}

/* Marks the boundaries at which name s has a multi-byte char starting. */
static void
mark_boundaries(const char *s, int *seen)
{
	size_t i;

	for (i = 0; i < NBOUND; i++)
		if (strlen(s) > boundaries[i] &&
		    ((unsigned char)s[boundaries[i]] & 0xc0) == 0xc0)
			seen[i] = 1;
}

static int
selftest(void)
{
	struct gcase c, d;
	unsigned long long seed, nseeds = 100;
	int det = 1, valid = 1, split_ok = 1, bounded = 1, seen[NBOUND] = { 0 };
	int wedge = 0, max_svc = 0, max_metric = 0, shapes = 0, nvalid_fail = 0;
	size_t i, k;
	char *a, *b;

	printf("# propgen self-test over seeds 1..%llu\n", nseeds);
	for (seed = 1; seed <= nseeds; seed++) {
		usec_t lo = 0, hi = 0;
		long long metrics = 0;
		int any = 0;

		gen_case(&c, seed);
		gen_case(&d, seed);
		a = case_text(&c);
		b = case_text(&d);
		if (strcmp(a, b) != 0 || c.split != d.split) {
			det = 0;
			printf("# seed %llu: two generations differ\n", seed);
		}
		free(a);
		free(b);
		case_free(&d);
		shapes += c.shape >= 0 && seed > NFIXED;
		for (i = 0; i < c.nlines; i++) {
			struct ingest_rec rec;
			char *cause = NULL;
			const char *t = c.lines[i].text;
			size_t len = strlen(t);
			json_t *obj;
			const char *kind, *svc;

			while (len > 0 && (t[len - 1] == '\r' || t[len - 1] == ' ' ||
			    t[len - 1] == '\t'))
				len--;
			k = 0;
			while (k < len && (t[k] == ' ' || t[k] == '\t'))
				k++;
			if (k == len)
				continue;		/* a blank line */
			if (ingest_kinds_parse_line(t, strlen(t), &rec, &cause) != 0) {
				valid = 0;
				if (nvalid_fail++ < 10)
					printf("# seed %llu line %zu refused: %s: %.300s\n",
					    seed, i + 1, cause, t);
				free(cause);
				continue;
			}
			ingest_kinds_clear(&rec);
			obj = json_loadb(t, strlen(t), 0, NULL);
			kind = json_string_value(json_object_get(obj, "kind"));
			svc = json_string_value(json_object_get(obj, "service"));
			if (kind != NULL && svc != NULL && (strcmp(kind, "service") == 0 ||
			    strcmp(kind, "metric") == 0)) {
				mark_boundaries(svc, seen);
				if ((int)strlen(svc) > max_svc)
					max_svc = (int)strlen(svc);
			}
			if (kind != NULL && strcmp(kind, "metric") == 0) {
				const char *m = json_string_value(json_object_get(obj, "metric"));

				metrics++;
				if (m != NULL && (int)strlen(m) > max_metric)
					max_metric = (int)strlen(m);
			}
			json_decref(obj);
		}
		for (k = 0; k < c.ntimes; k++) {
			if (!any || c.times[k] < lo)
				lo = c.times[k];
			if (!any || c.times[k] > hi)
				hi = c.times[k];
			any = 1;
		}
		if (any && (c.split < lo - USEC || c.split > hi)) {
			split_ok = 0;
			printf("# seed %llu: split outside the data\n", seed);
		}
		if (metrics > MAX_POINTS) {
			bounded = 0;
			printf("# seed %llu: %lld metric points\n", seed, metrics);
		}
		if (seed == 1) {
			/* the minimal wedge case, exactly */
			static const double want[] = { 100, 10, 100 };
			int ok = c.nlines == 96;

			for (i = 0; ok && i < 96; i++) {
				json_t *o = json_loads(c.lines[i].text, 0, NULL);
				double v = json_number_value(json_object_get(o, "value")), w;

				if (i < 60 || i >= 76)
					w = (i % 2 == 0) ? 9.9 : 10.1;
				else
					w = want[i < 66 ? 0 : i < 70 ? 1 : 2];
				if (v != w || strcmp(json_string_value(json_object_get(o,
				    "metric")), "queue_depth") != 0)
					ok = 0;
				json_decref(o);
			}
			wedge = ok;
		}
		case_free(&c);
	}
	tap(det, "every case is deterministic per seed");
	tap(valid, "every line passes the ingest's validation (ingest_kinds_parse_line)");
	tap(split_ok, "split-at lies inside each case's data");
	tap(bounded, "no case has more than MAX_POINTS metric points");
	tap(wedge, "seed 1 is the minimal wedge case (60 x 9.9/10.1, 6 x 100, 4 x 10, 6 x 100, 20 normal)");
	for (i = 0; i < NBOUND; i++) {
		char d2[120];

		snprintf(d2, sizeof d2, "a service name has a multi-byte character "
		    "starting at byte %zu", boundaries[i]);
		tap(seen[i], d2);
	}
	tap(max_svc == MAX_NAME, "service names reach the 512-byte limit");
	tap(max_metric == MAX_NAME, "metric names reach the 512-byte limit");
	tap(shapes > 0, "random seeds draw fixed shapes now and then");
	printf("1..%d\n", tap_n);
	return tap_failed == 0 ? 0 : 1;
}

/* ---- main ---------------------------------------------------------------- */

static int
usage(void)
{
	fprintf(stderr, "usage: propgen --seed N [--out FILE] [--split-at] "
	    "[--describe]\n       propgen            (self-test, TAP)\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct gcase c;
	unsigned long long seed = 0;
	const char *out = NULL;
	int i, has_seed = 0, split = 0, describe = 0;
	char *end, ts[40];
	FILE *f;

	if (argc == 1)
		return selftest();
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			seed = strtoull(argv[++i], &end, 10);
			if (*end != '\0' || argv[i][0] == '\0' || argv[i][0] == '-')
				return usage();
			has_seed = 1;
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--split-at") == 0)
			split = 1;
		else if (strcmp(argv[i], "--describe") == 0)
			describe = 1;
		else
			return usage();
	}
	if (!has_seed)
		return usage();
	gen_case(&c, seed);
	if (out != NULL) {
		f = strcmp(out, "-") == 0 ? stdout : fopen(out, "w");
		if (f == NULL) {
			perror(out);
			return 1;
		}
		case_write(&c, f);
		if (f != stdout && fclose(f) != 0) {
			perror(out);
			return 1;
		}
	} else if (!split)
		case_write(&c, stdout);
	if (split) {
		ts_text(c.split, ts, sizeof ts);
		printf("%s\n", ts);
	}
	if (describe)
		case_describe(&c, stderr);
	case_free(&c);
	return 0;
}
