/*
 * test_core.c - unit tests for core/: text sanitising (escape sequences,
 * controls, bidi and invisible characters, the stderr filter), RFC 3339 time
 * parsing and formatting, the string buffer, cutting UTF-8 between
 * characters.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "midwatch/base64.h"
#include "midwatch/buf.h"
#include "midwatch/hash.h"
#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/pgarray.h"
#include "midwatch/sanitize.h"
#include "midwatch/severity.h"
#include "midwatch/timefmt.h"
#include "midwatch/utf8.h"

/* Sanitises and compares. */
static void
expect_clean(const char *in, int nl, const char *want)
{
	char *out = sanitize_text(in, nl);

	assert_string_equal(out, want);
	free(out);
}

static void
test_sanitize_escapes(void **state)
{
	(void)state;
	expect_clean("plain text", 0, "plain text");
	expect_clean("\x1b[31mred\x1b[0m", 0, "red");
	expect_clean("title\x1b]0;pwned\x07 after", 0, "title after");
	expect_clean("osc\x1b]52;c;ZXZpbA==\x1b\\ end", 0, "osc end");
	expect_clean("a\x1b" "cb", 0, "ab");			/* RIS */
	expect_clean("bell\x07 bs\x08 del\x7f", 0, "bell? bs? del?");
	expect_clean("tab\tnew\nline\r", 0, "tab new line ");
	expect_clean("keep\nlines", 1, "keep\nlines");
	expect_clean("csi\x1b[", 0, "csi");		/* truncated sequence */
	expect_clean(NULL, 0, "");
}

static void
test_sanitize_utf8(void **state)
{
	(void)state;
	expect_clean("caf\xc3\xa9 \xe2\x96\x88", 0, "caf\xc3\xa9 \xe2\x96\x88");
	expect_clean("bad \xff\xfe byte", 0, "bad ?? byte");
	expect_clean("c1 \xc2\x9b" "31m", 0, "c1 ?" "?31m");	/* UTF-8 CSI */
	expect_clean("overlong \xc0\xaf", 0, "overlong ??");
	expect_clean("cut \xe2\x96", 0, "cut ??");
}

/* UTF-8 of cp into out (NUL-terminated). */
static void
enc(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		*o++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*o++ = (unsigned char)(0xc0 | (cp >> 6));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (unsigned char)(0xe0 | (cp >> 12));
		*o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (unsigned char)(0xf0 | (cp >> 18));
		*o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*o = '\0';
}

/* Bidi controls, zero-width and invisible format characters, separators:
 * each one (issue 11, "The terminal and the text"). */
static const uint32_t invisible_cps[] = {
	0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
	0x2066, 0x2067, 0x2068, 0x2069,			/* bidi */
	0x200b, 0x200c, 0x200d, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
	0xfeff, 0x180e, 0x00ad, 0x034f, 0x3164, 0xffa0, 0x115f,	/* invisible */
	0x206a, 0x206f, 0xfff9, 0xfffb, 0x1d173, 0x1bca0,	/* format */
	0xe0001, 0xe0041, 0xe007f,			/* tags */
	0x2028, 0x2029,					/* separators */
};

/* Characters that look like them but are ordinary text. */
static const uint32_t visible_cps[] = {
	0x00ac, 0x00ae, 0x0600, 0x200a, 0x2010, 0x2027, 0x202f, 0x205f,
	0x2070, 0xfe0f, 0xfe00, 0xfffc, 0xfffd, 0xe0100, 0x1f600, 0x05d0,
	0x0627, 0x3000, 0x3165,
};

static void
test_utf8_is_invisible(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof invisible_cps / sizeof invisible_cps[0]; i++)
		assert_true(utf8_is_invisible(invisible_cps[i]));
	for (i = 0; i < sizeof visible_cps / sizeof visible_cps[0]; i++)
		assert_false(utf8_is_invisible(visible_cps[i]));
	for (i = 0x20; i < 0x7f; i++)
		assert_false(utf8_is_invisible((uint32_t)i));
}

static void
test_sanitize_invisible(void **state)
{
	char ch[8], in[32], want[32];
	size_t i;

	(void)state;
	/* each becomes one '?' between its neighbours */
	for (i = 0; i < sizeof invisible_cps / sizeof invisible_cps[0]; i++) {
		enc(invisible_cps[i], ch);
		snprintf(in, sizeof in, "a%sb", ch);
		expect_clean(in, 0, "a?b");
		expect_clean(in, 1, "a?b");
	}
	for (i = 0; i < sizeof visible_cps / sizeof visible_cps[0]; i++) {
		enc(visible_cps[i], ch);
		snprintf(in, sizeof in, "a%sb", ch);
		snprintf(want, sizeof want, "a%sb", ch);
		expect_clean(in, 0, want);
	}
	/* a "Trojan Source" name: the override cannot reorder what follows */
	expect_clean("pay\xe2\x80\xaenoitca\xe2\x80\xac ok", 0, "pay?noitca? ok");
	expect_clean("\xef\xbb\xbfpayments\xe2\x80\x8b", 0, "?payments?");
	/* emoji with a variation selector are kept */
	expect_clean("\xe2\x9d\xa4\xef\xb8\x8f", 0, "\xe2\x9d\xa4\xef\xb8\x8f");
}

/* Everything written to stderr after sanitize_stderr() is sanitised. */
static void
test_sanitize_stderr(void **state)
{
	FILE *saved = stderr;
	int pfd[2], saved_fd;
	char got[256];
	ssize_t n;
	size_t len = 0;

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	saved_fd = dup(STDERR_FILENO);
	assert_true(saved_fd >= 0);
	fflush(stderr);
	dup2(pfd[1], STDERR_FILENO);
	close(pfd[1]);
	assert_int_equal(sanitize_stderr(), 0);
	fprintf(stderr, "midwatch: unknown command: %s\n",
	    "\x1b]0;pwned\x07x\x1b[2J\xe2\x80\xae" "y");
	fputs("two\nlines \x9b" "31m\n", stderr);
	fwrite("nul\0byte\n", 1, 9, stderr);
	fclose(stderr);
	stderr = saved;
	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	while ((n = read(pfd[0], got + len, sizeof got - 1 - len)) > 0)
		len += (size_t)n;
	close(pfd[0]);
	got[len] = '\0';
	assert_string_equal(got, "midwatch: unknown command: x?y\n"
	    "two\nlines ?31m\nnul?byte\n");
}

/* The log file (the console's console.log) gets sanitised messages. */
static void
test_log_sanitised(void **state)
{
	char path[] = "/tmp/mwlogXXXXXX", got[256];
	FILE *f;
	size_t n;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	log_open(path);
	log_set_quiet(1);
	log_warn("server said: %s", "db \x1b]0;pwned\x07x\xe2\x80\xae" "y\nDETAIL: z");
	log_close();
	log_set_quiet(0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(got, 1, sizeof got - 1, f);
	fclose(f);
	unlink(path);
	got[n] = '\0';
	assert_non_null(strstr(got, " warn: server said: db x?y\nDETAIL: z\n"));
	assert_null(strchr(got, '\x1b'));
}

static void
test_time_parse(void **state)
{
	double t;

	(void)state;
	assert_int_equal(timefmt_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_true(t == 0);
	assert_int_equal(timefmt_parse("2026-11-16T13:05:00Z", &t), 0);
	assert_true(t == 1794834300.0);
	assert_int_equal(timefmt_parse("2026-11-16T15:05:00+02:00", &t), 0);
	assert_true(t == 1794834300.0);
	assert_int_equal(timefmt_parse("2026-11-16 13:05:00.5+00", &t), 0);
	assert_true(t == 1794834300.5);
	assert_int_equal(timefmt_parse("2024-02-29T00:00:00Z", &t), 0);
	assert_int_equal(timefmt_parse("2026-02-29T00:00:00Z", &t), -1);
	assert_int_equal(timefmt_parse("2026-13-01T00:00:00Z", &t), -1);
	assert_int_equal(timefmt_parse("2026-11-16T13:05:00", &t), -1);
	assert_int_equal(timefmt_parse("yesterday", &t), -1);
	assert_int_equal(timefmt_parse("2026-11-16T13:05:00Zjunk", &t), -1);
	assert_int_equal(timefmt_parse(NULL, &t), -1);
}

static void
test_time_format(void **state)
{
	char out[32];

	(void)state;
	timefmt_format(1794834300.0, out, sizeof out);
	assert_string_equal(out, "2026-11-16T13:05:00Z");
	timefmt_age(42, out, sizeof out);
	assert_string_equal(out, "42s");
	timefmt_age(600, out, sizeof out);
	assert_string_equal(out, "10m");
	timefmt_age(3 * 3600 + 300, out, sizeof out);
	assert_string_equal(out, "3h05m");
	timefmt_age(2 * 86400 + 4 * 3600, out, sizeof out);
	assert_string_equal(out, "2d04h");
}

static void
test_buf(void **state)
{
	struct buf b;
	char *s;
	int i;

	(void)state;
	buf_init(&b);
	assert_string_equal(buf_str(&b), "");
	for (i = 0; i < 100; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.s));
	assert_non_null(strstr(b.s, "99,"));
	buf_reset(&b);
	buf_adds(&b, "x");
	buf_addc(&b, 'y');
	s = buf_steal(&b);
	assert_string_equal(s, "xy");
	assert_null(b.s);
	free(s);
}

/* "é" is 2 bytes, "€" 3, "😀" 4. */
static void
test_utf8_boundary(void **state)
{
	const char *s = "ab\xc3\xa9" "c\xe2\x82\xac" "d\xf0\x9f\x98\x80" "e";
	static const size_t want[] = {	/* for max = 0 .. 14 */
		0, 1, 2, 2, 4, 5, 5, 5, 8, 9, 9, 9, 9, 13, 14
	};
	size_t max;

	(void)state;
	for (max = 0; max < sizeof want / sizeof want[0]; max++)
		assert_int_equal(utf8_boundary(s, max), want[max]);
	assert_int_equal(utf8_boundary(s, 100), strlen(s));
	assert_int_equal(utf8_boundary("", 5), 0);
	assert_int_equal(utf8_boundary("abc", 3), 3);
	/* stray continuation bytes are not characters: never more than 3
	 * bytes go back */
	assert_int_equal(utf8_boundary("a\x80\x80\x80\x80\x80", 5), 5);
	/* utf8_complete: an incomplete sequence at the end goes */
	assert_int_equal(utf8_complete("ab\xc3", 3), 2);
	assert_int_equal(utf8_complete("ab\xc3\xa9", 4), 4);
	assert_int_equal(utf8_complete("a\xf0\x9f\x98", 4), 1);
	assert_int_equal(utf8_complete("a\xf0\x9f\x98\x80", 5), 5);
	assert_int_equal(utf8_complete("abc", 3), 3);
	assert_int_equal(utf8_complete("", 0), 0);
}

static void
test_utf8_snprintf(void **state)
{
	char buf[8], name[64];
	char big[600];
	int n;
	size_t i;

	(void)state;
	/* fits: exactly snprintf */
	n = utf8_snprintf(buf, sizeof buf, "%s-%d", "ab", 7);
	assert_int_equal(n, 4);
	assert_string_equal(buf, "ab-7");
	/* cut inside "€" (bytes 6..8): back to before it */
	n = utf8_snprintf(buf, sizeof buf, "%s", "abcde\xe2\x82\xac");
	assert_int_equal(n, 8);
	assert_string_equal(buf, "abcde");
	/* a whole character just fits */
	n = utf8_snprintf(buf, sizeof buf, "abcd%s", "\xe2\x82\xac" "x");
	assert_int_equal(n, 8);
	assert_string_equal(buf, "abcd\xe2\x82\xac");
	/* the issue: 62 ASCII bytes then a 2-byte character, into 64 */
	memset(big, 'a', 62);
	strcpy(big + 62, "\xc3\xa9tail");
	n = utf8_snprintf(name, sizeof name, "%s", big);
	assert_int_equal(n, (int)strlen(big));
	assert_int_equal(strlen(name), 62);
	/* 4-byte characters at every offset: never a partial one */
	for (i = 0; i < 4; i++) {
		memset(big, 'x', i);
		big[i] = '\0';
		strcat(big, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
		utf8_snprintf(buf, sizeof buf, "%s", big);
		assert_int_equal(strlen(buf), i + 4);
	}
	/* size 1 and 0 */
	assert_int_equal(utf8_snprintf(buf, 1, "%s", "\xc3\xa9"), 2);
	assert_string_equal(buf, "");
	assert_int_equal(utf8_snprintf(NULL, 0, "%s", "abc"), 3);
}

/* RFC 4648's test vectors, and bytes that are not text. */
static void
test_base64(void **state)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba",
	    "foobar" };
	static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
	    "Zm9vYmE=", "Zm9vYmFy" };
	static const unsigned char bin[] = { 0x00, 0xff, 0xfe, 0x1b };
	char *b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		b = base64_encode(in[i], strlen(in[i]));
		assert_string_equal(b, out[i]);
		free(b);
	}
	b = base64_encode(bin, sizeof bin);
	assert_string_equal(b, "AP/+Gw==");
	free(b);
}

/* A reference encoder for the decoder's tests: cp as UTF-8 into out. */
static size_t
ref_encode(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | (cp >> 18));
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* utf8_decode's acceptance rules (RFC 3629), by hand and at random: every
 * scalar value round-trips; whatever it accepts is exactly the shortest
 * encoding of a scalar value, so random bytes never yield an overlong form,
 * a surrogate or a code point past U+10FFFF. */
static void
test_utf8_decode(void **state)
{
	static const char *bad[] = {
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80",
		"\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80",
		"\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff",
		"\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xc3" "a", "\xe2\x82" "a",
	};
	unsigned char b[8], e[4];
	uint32_t cp, want;
	size_t i, n, k;

	(void)state;
	assert_int_equal(utf8_decode("a", 1, &cp), 1);
	assert_int_equal(cp, 'a');
	assert_int_equal(utf8_decode("", 4, &cp), 1);	/* NUL is ASCII */
	assert_int_equal(cp, 0);
	assert_int_equal(utf8_decode("a", 0, &cp), 0);
	assert_int_equal(utf8_decode("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_decode("\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	assert_int_equal(utf8_decode("\xc2\x80", 2, &cp), 2);	/* C1: valid */
	assert_int_equal(utf8_decode("\xef\xbf\xbf", 3, &cp), 3);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(utf8_decode(bad[i], strlen(bad[i]), &cp), 0);
	/* len cuts a character short: rejected, whatever follows */
	assert_int_equal(utf8_decode("\xe2\x82\xac", 2, &cp), 0);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 3, &cp), 0);

	srand(14);
	for (i = 0; i < 200000; i++) {
		/* a random scalar value round-trips */
		do
			want = (uint32_t)rand() % 0x110000;
		while (want >= 0xd800 && want <= 0xdfff);
		n = ref_encode(want, e);
		assert_int_equal(utf8_decode((const char *)e, n, &cp), n);
		assert_int_equal(cp, want);
		assert_int_equal(utf8_decode((const char *)e, n - 1, &cp), 0);
		/* random bytes: accepted only as a shortest scalar encoding */
		for (k = 0; k < 4; k++)
			b[k] = (unsigned char)(k == 0 || rand() % 4 ? rand() : 0x80 |
			    (rand() & 0x3f));
		n = utf8_decode((const char *)b, 4, &cp);
		if (n > 0) {
			assert_false(cp >= 0xd800 && cp <= 0xdfff);
			assert_true(cp <= 0x10ffff);
			assert_int_equal(ref_encode(cp, e), n);
			assert_memory_equal(e, b, n);
		} else
			assert_true(b[0] >= 0x80);
	}
}

/* FNV-1a 64: the published test vectors, continuing a hash equals hashing
 * the concatenation, and the hex form. */
static void
test_fnv1a64(void **state)
{
	char hex[17], buf[64];
	size_t i, len, cut;
	uint64_t h;

	(void)state;
	assert_true(fnv1a64(MW_FNV1A64_INIT, "", 0) == 0xcbf29ce484222325ULL);
	assert_true(fnv1a64_str(MW_FNV1A64_INIT, "a") == 0xaf63dc4c8601ec8cULL);
	assert_true(fnv1a64_str(MW_FNV1A64_INIT, "foobar") ==
	    0x85944171f73967e8ULL);
	fnv1a64_hex(fnv1a64_str(MW_FNV1A64_INIT, "a"), hex);
	assert_string_equal(hex, "af63dc4c8601ec8c");
	fnv1a64_hex(0x1, hex);
	assert_string_equal(hex, "0000000000000001");
	srand(41);
	for (i = 0; i < 2000; i++) {
		len = (size_t)rand() % sizeof buf;
		for (cut = 0; cut < len; cut++)
			buf[cut] = (char)rand();
		cut = len > 0 ? (size_t)rand() % (len + 1) : 0;
		h = fnv1a64(MW_FNV1A64_INIT, buf, cut);
		assert_true(fnv1a64(h, buf + cut, len - cut) ==
		    fnv1a64(MW_FNV1A64_INIT, buf, len));
	}
}

/* The severity vocabulary: the five names in order (as the database's
 * midwatch.severity_rank ranks them), nothing else is one. */
static void
test_severity(void **state)
{
	static const char *const want[] = { "info", "low", "medium", "high",
	    "critical" };
	static const char *const not[] = { "", "Critical", "crit", "warning",
	    "error", "page", "p1", "criticalx", " high", "medium " };
	char list[64] = "";
	int i;

	(void)state;
	assert_int_equal(MW_SEV_COUNT, 5);
	for (i = 0; i < MW_SEV_COUNT; i++) {
		assert_string_equal(severity_name(i), want[i]);
		assert_int_equal(severity_rank(want[i]), i);
		/* MW_SEVERITY_NAMES lists them most severe first */
		strcat(list, want[MW_SEV_COUNT - 1 - i]);
		if (i < MW_SEV_COUNT - 1)
			strcat(list, ", ");
	}
	assert_string_equal(list, MW_SEVERITY_NAMES);
	assert_true(severity_rank("critical") > severity_rank("high"));
	assert_int_equal(severity_rank("critical"), MW_SEV_CRITICAL);
	assert_int_equal(severity_rank("info"), MW_SEV_INFO);
	assert_int_equal(severity_rank(NULL), -1);
	for (i = 0; i < (int)(sizeof not / sizeof not[0]); i++)
		assert_int_equal(severity_rank(not[i]), -1);
	assert_null(severity_name(-1));
	assert_null(severity_name(MW_SEV_COUNT));
}

/* Reads element k of a text[] literal the way PostgreSQL does (quoted,
 * backslash escapes) into out; -1 when there is none. */
static int
ref_array_elem(const char *lit, int k, char *out, size_t size)
{
	const char *p = lit + 1;
	size_t o = 0;
	int i = 0;

	if (lit[0] != '{')
		return -1;
	while (*p != '}' && *p != '\0') {
		if (*p++ != '"')
			return -1;
		o = 0;
		while (*p != '"' && *p != '\0') {
			if (*p == '\\')
				p++;
			if (i == k && o + 1 < size)
				out[o++] = *p;
			p++;
		}
		if (*p++ != '"')
			return -1;
		if (i == k) {
			out[o] = '\0';
			return 0;
		}
		i++;
		if (*p == ',')
			p++;
	}
	return -1;
}

/* Array literals: ids as "{1,2,3}", text quoted so that any element reads
 * back as itself (random elements with quotes, backslashes, commas, braces
 * and spaces). */
static void
test_pgarray(void **state)
{
	static const char alphabet[] = "ab\"\\,{} NULL'x\xc3\xa9";
	long long ids[] = { 1, -2, 9223372036854775807LL };
	char elems[8][16], got[16];
	struct buf b;
	char *lit;
	int i, n, k, round;

	(void)state;
	lit = pgarray_ids(ids, 3);
	assert_string_equal(lit, "{1,-2,9223372036854775807}");
	free(lit);
	lit = pgarray_ids(NULL, 0);
	assert_string_equal(lit, "{}");
	free(lit);
	buf_init(&b);
	pgarray_begin(&b);
	pgarray_add_text(&b, "");
	pgarray_add_text(&b, "a,\"b\\");
	assert_string_equal(pgarray_end(&b), "{\"\",\"a,\\\"b\\\\\"}");
	pgarray_begin(&b);	/* begin empties what was there */
	pgarray_add_ll(&b, 7);
	assert_string_equal(pgarray_end(&b), "{7}");
	srand(26);
	for (round = 0; round < 2000; round++) {
		n = rand() % 8;
		pgarray_begin(&b);
		for (i = 0; i < n; i++) {
			k = rand() % 15;
			elems[i][k] = '\0';
			while (k-- > 0)
				elems[i][k] = alphabet[rand() % (int)(sizeof alphabet - 1)];
			pgarray_add_text(&b, elems[i]);
		}
		pgarray_end(&b);
		for (i = 0; i < n; i++) {
			assert_int_equal(ref_array_elem(buf_str(&b), i, got,
			    sizeof got), 0);
			assert_string_equal(got, elems[i]);
		}
		assert_int_equal(ref_array_elem(buf_str(&b), n, got, sizeof got), -1);
	}
	buf_free(&b);
}

/* jsonx_pack: compact, keys sorted, and any string - quotes, backslashes,
 * controls, UTF-8 - reads back as itself (random strings). */
static void
test_jsonx_pack(void **state)
{
	char *s, str[24];
	json_t *j;
	int i, k, n;

	(void)state;
	s = jsonx_pack("{s:i, s:b}", "seconds", 3600, "root_cause", 1);
	assert_string_equal(s, "{\"root_cause\":true,\"seconds\":3600}");
	free(s);
	s = jsonx_pack("{s:s, s:I, s:I}", "table", "ingest", "project_id",
	    (json_int_t)7, "rows", (json_int_t)9007199254740993LL);
	assert_string_equal(s,
	    "{\"project_id\":7,\"rows\":9007199254740993,\"table\":\"ingest\"}");
	free(s);
	srand(7);
	for (i = 0; i < 2000; i++) {
		n = rand() % (int)(sizeof str - 1);
		for (k = 0; k < n; k++)
			str[k] = (char)(1 + rand() % 127);	/* ASCII, no NUL */
		str[n] = '\0';
		s = jsonx_pack("{s:s}", "v", str);
		j = json_loads(s, 0, NULL);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "v")),
		    str);
		json_decref(j);
		free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_sanitize_escapes),
		cmocka_unit_test(test_sanitize_utf8),
		cmocka_unit_test(test_utf8_is_invisible),
		cmocka_unit_test(test_sanitize_invisible),
		cmocka_unit_test(test_sanitize_stderr),
		cmocka_unit_test(test_log_sanitised),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_utf8_boundary),
		cmocka_unit_test(test_utf8_snprintf),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_fnv1a64),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_pgarray),
		cmocka_unit_test(test_jsonx_pack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
