/*
 * redact.c - keeping secrets out of what midwatch stores and shows.  One
 * left-to-right scan of the text collects the secrets it finds, then the
 * copy replaces each with a marker:
 *   - Authorization headers (the credentials after Bearer/Basic/token, the
 *     whole value of other schemes), bare "Bearer <token>", bare "Basic
 *     <base64 of user:pass>", Cookie headers;
 *   - private key blocks (-----BEGIN ... PRIVATE KEY----- to its END line);
 *   - provider key formats, JWTs and webhook URLs (redact_tokens.c);
 *   - the value of key=value, key: value and "key": "value" pairs whose key
 *     is secret-like (redact_is_secret_key): password=..., api_key: ...;
 *   - the password of URL userinfo (scheme://user:pass@host).
 * False positives are kept low on ordinary text: hex ids, UUIDs, names and
 * numbers match no rule, and a secret-like key followed by ": " and a plain
 * word ("token: expired", "auth: upstream timeout") is prose, not a pair.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/redact.h"
#include "midwatch/xmalloc.h"
#include "redact_int.h"

#define KEY_MAX 64		/* longest key name looked at */

/* The hits found so far. */
struct hits {
	struct redact_hit *h;
	size_t n, cap;
};

static void
hits_add(struct hits *hs, size_t start, size_t end, const char *kind)
{
	if (end <= start)
		return;
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? hs->cap * 2 : 8;
		hs->h = xreallocarray(hs->h, hs->cap, sizeof *hs->h);
	}
	hs->h[hs->n].start = start;
	hs->h[hs->n].end = end;
	hs->h[hs->n].kind = kind;
	hs->n++;
}

/* ASCII lowercase. */
static unsigned char
lc(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* 1 when s starts with the lowercase word w, case-insensitively. */
static int
starts_ci(const char *s, const char *w)
{
	for (; *w != '\0'; s++, w++)
		if (lc((unsigned char)*s) != (unsigned char)*w)
			return 0;
	return 1;
}

/* 1 for the bytes a key name is made of. */
static int
key_char(unsigned char c)
{
	return redact_alnum(c) || c == '_' || c == '-' || c == '.';
}

/* 1 when c is one of the bytes of set (never for NUL). */
static int
in_set(unsigned char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* 1 when s starts with a redaction marker. */
int
redact_is_marker(const char *s)
{
	return s != NULL && (strncmp(s, "[redacted", 9) == 0 ||
	    strncmp(s, "<redacted", 9) == 0);
}

/* ---- key names ----------------------------------------------------------- */

/* 1 if name looks like it names a secret (see redact.h). */
int
redact_is_secret_key(const char *name)
{
	static const char *const words[] = { "password", "passwd", "passphrase",
	    "secret", "token", "api_key", "apikey", "private_key", "privatekey",
	    "credential", "creds", "access_key", "accesskey", "accountkey",
	    "signing_key", "encryption_key", "session_key", "client_key",
	    "connection_string", "conn_str", "cookie", NULL };
	static const char *const tokens[] = { "pwd", "pw", "dsn", "pass", "key",
	    "jwt", "sig", NULL };
	const char *const *w;
	char stack[128], *n, *p, *tok, *save = NULL;
	size_t i, len;
	int hit = 0, whole_key;

	if (name == NULL)
		return 0;
	len = strlen(name);
	n = len < sizeof stack ? stack : xmalloc(len + 1);
	for (i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '-' || c == '.' || c == ' ')
			c = '_';
		/* camelCase: apiKey -> apikey is enough for the words */
		n[i] = (char)lc(c);
	}
	whole_key = strcmp(n, "key") == 0;
	for (w = words; *w != NULL && !hit; w++)
		if (strstr(n, *w) != NULL)
			hit = 1;
	for (p = n; !hit && (p = strstr(p, "auth")) != NULL; p += 4)
		if (strncmp(p + 4, "or", 2) != 0)
			hit = 1;
	/* short words only as whole '_'-separated tokens ("db_pwd", not
	 * "keyboard"); a bare "key" only when the whole name is "key" */
	for (tok = strtok_r(n, "_", &save); !hit && tok != NULL;
	    tok = strtok_r(NULL, "_", &save)) {
		for (w = tokens; *w != NULL; w++) {
			if (strcmp(tok, *w) != 0)
				continue;
			if (strcmp(*w, "key") != 0 || whole_key)
				hit = 1;
		}
	}
	if (n != stack)
		free(n);
	return hit;
}

/* 1 when the key of len bytes at s is secret-like. */
static int
key_secret(const char *s, size_t len)
{
	char k[KEY_MAX + 1];

	memcpy(k, s, len);
	k[len] = '\0';
	return redact_is_secret_key(k);
}

/* 1 when the key is a password ("password", "db_pwd", "pass", "pw"...):
 * its value is a secret even when it reads like a word. */
static int
key_password(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 2 <= len; i++) {
		if ((i + 4 <= len && starts_ci(s + i, "pass")) ||
		    (i + 3 <= len && starts_ci(s + i, "pwd")))
			return 1;
		if (starts_ci(s + i, "pw") && (i == 0 || !redact_alnum(
		    (unsigned char)s[i - 1])) && (i + 2 == len ||
		    !redact_alnum((unsigned char)s[i + 2])))
			return 1;
	}
	return 0;
}

/* 1 when the key names something about a secret, not the secret itself:
 * its last word is id, name, type, method, url, timeout, length, file...
 * ("auth_method=oidc", "token_ttl=3600", "password_policy=strict"). */
static int
key_meta(const char *s, size_t len)
{
	static const char *const meta[] = { "age", "alg", "algorithm", "audience",
	    "count", "disabled", "enabled", "endpoint", "expires", "expiry",
	    "field", "file", "format", "header", "id", "ids", "issuer", "kind",
	    "len", "length", "level", "method", "mode", "name", "names", "path",
	    "policy", "provider", "scope", "scopes", "size", "source", "state",
	    "status", "timeout", "ttl", "type", "uri", "url", "user", "username",
	    "version", NULL };
	const char *const *w;
	size_t b = len;

	while (b > 0 && redact_alnum((unsigned char)s[b - 1]))
		b--;
	if (b == 0)
		return 0;	/* one word: "token", "key" */
	for (w = meta; *w != NULL; w++)
		if (strlen(*w) == len - b && starts_ci(s + b, *w))
			return 1;
	return 0;
}

/* ---- values -------------------------------------------------------------- */

/* Values that say something about a secret rather than being one. */
static int
value_is_word(const char *v, size_t len)
{
	static const char *const stop[] = { "a", "an", "and", "as", "at",
	    "bad", "be", "by", "cannot", "change", "changed", "could", "denied",
	    "did", "does", "empty", "error", "expired", "expires", "failed",
	    "failure", "false", "field", "for", "format", "found", "from",
	    "has", "hidden", "in", "incorrect", "invalid", "is", "length",
	    "malformed", "masked", "mismatch", "missing", "must", "nil", "no",
	    "none", "not", "null", "of", "ok", "on", "or", "policy", "present",
	    "provided", "redacted", "refused", "rejected", "required", "reset",
	    "revoked", "rotated", "set", "short", "supplied", "the", "timeout",
	    "to", "too", "true", "undefined", "unknown", "unset", "updated",
	    "valid", "value", "was", "weak", "with", "without", "wrong", NULL };
	const char *const *w;
	size_t i;

	for (i = 0; i < len; i++)
		if (!(v[i] >= 'a' && v[i] <= 'z'))
			return 0;
	for (w = stop; *w != NULL; w++)
		if (strlen(*w) == len && strncmp(v, *w, len) == 0)
			return 1;
	return 0;
}

/* 1 for a value that is a placeholder, not a secret: a marker, "***",
 * "xxxx", "<none>". */
static int
value_placeholder(const char *v, size_t len)
{
	size_t i;
	int stars = 1, xs = 1;

	if (redact_is_marker(v) || (len > 0 && v[0] == '$' && len < 64 &&
	    (v[1] == '{' || v[1] == '(')))
		return 1;	/* a marker, or ${VAR} */
	for (i = 0; i < len; i++) {
		stars &= v[i] == '*';
		xs &= v[i] == 'x' || v[i] == 'X';
	}
	return stars || (xs && len >= 3);
}

/* 1 when an unquoted value after "key: " looks like a credential rather
 * than prose: letters and digits mixed, mixed case past the first letter,
 * or base64-ish punctuation. */
static int
value_random(const char *v, size_t len)
{
	size_t i;
	int dig = 0, up = 0, lo = 0, sym = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c >= '0' && c <= '9')
			dig = 1;
		else if (c >= 'A' && c <= 'Z')
			up |= i > 0;
		else if (c >= 'a' && c <= 'z')
			lo = 1;
		else if (in_set(c, "+/=!#$%^&*~@?"))
			sym = 1;
	}
	return (dig && (up || lo)) || (up && lo) || (sym && len >= 8);
}

/* 1 for a version: v1.2, 7.5.1-rc1. */
static int
value_version(const char *v, size_t len)
{
	size_t i = v[0] == 'v' || v[0] == 'V' ? 1 : 0, dots = 0;

	if (i >= len || !(v[i] >= '0' && v[i] <= '9'))
		return 0;
	for (; i < len && ((v[i] >= '0' && v[i] <= '9') || v[i] == '.'); i++)
		dots += v[i] == '.';
	return dots > 0 && (i == len || v[i] == '-' || v[i] == '+');
}

/* The end of an unquoted value at s[v]. */
static size_t
value_end(const char *s, size_t v)
{
	size_t e = v;

	while (s[e] != '\0' && !in_set((unsigned char)s[e],
	    " \t\r\n,;&\"'`)]}<>|\\"))
		e++;
	return e;
}

/* The end of a value quoted by q (a quote character, or '\\' for an
 * escaped double quote) starting at s[v]: the closing quote's index. */
static size_t
value_end_quoted(const char *s, size_t v, char q)
{
	size_t e = v;

	while (s[e] != '\0') {
		if (q == '\\' && s[e] == '\\' && (s[e + 1] == '"' || s[e + 1] == '\''))
			return e;
		if (q != '\\' && s[e] == '\\' && s[e + 1] != '\0') {
			e += 2;
			continue;
		}
		if (s[e] == q)
			return e;
		e++;
	}
	return e;
}

/* The end of a header value at s[v]: the closing quote q, else the end of
 * the line. */
static size_t
value_end_line(const char *s, size_t v, char q)
{
	if (q != 0)
		return value_end_quoted(s, v, q);
	return v + strcspn(s + v, "\r\n");
}

/* Skips blanks. */
static size_t
skip_blank(const char *s, size_t i)
{
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return i;
}

/* Skips an opening quote at s[*i]; returns the quote ('\\' for \"), or 0. */
static char
open_quote(const char *s, size_t *i)
{
	char c = s[*i];

	if (c == '"' || c == '\'' || c == '`') {
		(*i)++;
		return c;
	}
	if (c == '\\' && (s[*i + 1] == '"' || s[*i + 1] == '\'')) {
		*i += 2;
		return '\\';
	}
	return 0;
}

/*
 * After a key ending at s[k]: an optional closing quote, blanks, and a
 * separator (=, :, :=, =>); returns the index after the separator and its
 * kind in *sep ('=' or ':'), or 0 when there is none.
 */
static size_t
after_separator(const char *s, size_t k, char *sep)
{
	size_t p = k;

	if (s[p] == '"' || s[p] == '\'' || s[p] == '`')
		p++;
	else if (s[p] == '\\' && (s[p + 1] == '"' || s[p + 1] == '\''))
		p += 2;
	p = skip_blank(s, p);
	if (s[p] == '=') {
		p++;
		if (s[p] == '>' || s[p] == '=')
			p++;
		*sep = '=';
		return p;
	}
	if (s[p] == ':') {
		p++;
		if (s[p] == ':' || (s[p] == '/' && s[p + 1] == '/'))
			return 0;	/* "a::b", a URL's scheme */
		*sep = ':';
		if (s[p] == '=')
			p++, *sep = '=';
		return p;
	}
	return 0;
}

/* ---- the matchers -------------------------------------------------------- */

/* The format of the value s[p..e) when it is a secret of a known format
 * ("github"), else NULL (found by its key). */
static const char *
value_kind(const char *s, size_t p, size_t e)
{
	struct redact_hit h;

	if (redact_token_at(s, p, &h) && h.start == p && h.end == e)
		return h.kind;
	return NULL;
}

/* Credentials after an auth scheme: a run of token bytes. */
static size_t
cred_end(const char *s, size_t v)
{
	size_t e = v;

	while (redact_alnum((unsigned char)s[e]) ||
	    in_set((unsigned char)s[e], "._~+/=-:%"))
		e++;
	return e;
}

/* 1 when the base64 text of len bytes decodes to printable "user:pass". */
static int
basic_userpass(const char *s, size_t len)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long acc = 0;
	size_t i;
	int bits = 0, colon = 0;
	const char *p;

	for (i = 0; i < len && s[i] != '='; i++) {
		if (s[i] == '\0' || (p = strchr(b64, s[i])) == NULL)
			return 0;
		acc = ((acc << 6) | (unsigned long)(p - b64)) & 0xffffUL;
		bits += 6;
		if (bits >= 8) {
			unsigned char c = (unsigned char)((acc >> (bits - 8)) & 0xff);

			bits -= 8;
			if (c < 0x20 || c == 0x7f)
				return 0;
			colon |= c == ':';
		}
	}
	return colon;
}

/*
 * "Authorization: <scheme> <credentials>" (also Proxy-Authorization, any
 * quoting, ':' or '=').  Bearer, token, Basic and the like: the
 * credentials; Digest, AWS4-HMAC-SHA256 and other parameterised schemes:
 * the rest of the value; no scheme: a credential-looking value.
 */
static int
match_authorization(const char *s, size_t i, struct hits *hs, size_t *next)
{
	static const char *const one[] = { "bearer", "token", "basic", "bot",
	    "apikey", "api-key", "key", "dpop", "otp", "jwt", "pat", "sso-key",
	    NULL };
	static const char *const rest[] = { "digest", "negotiate", "ntlm",
	    "aws4-hmac-sha256", "hmac", "hmac-sha256", "signature", "sharedkey",
	    "sharedaccesssignature", "oauth", "mac", "hoba", "mutual", "vapid",
	    "scram-sha-1", "scram-sha-256", "kerberos", NULL };
	const char *const *w;
	size_t k = i, p, e, we;
	char sep, q;

	if (starts_ci(s + k, "proxy-"))
		k += 6;
	if (!starts_ci(s + k, "authorization") || key_char((unsigned char)s[k + 13]))
		return 0;
	if ((p = after_separator(s, k + 13, &sep)) == 0)
		return 0;
	p = skip_blank(s, p);
	q = open_quote(s, &p);
	for (we = p; redact_alnum((unsigned char)s[we]) || s[we] == '-'; we++)
		;
	if (we > p && (s[we] == ' ' || s[we] == '\t')) {
		e = skip_blank(s, we);
		for (w = one; *w != NULL; w++)
			if (strlen(*w) == we - p && starts_ci(s + p, *w))
				break;
		if (*w != NULL) {
			if (redact_is_marker(s + e) || cred_end(s, e) == e)
				return 0;
			hits_add(hs, e, cred_end(s, e), value_kind(s, e,
			    cred_end(s, e)));
			*next = cred_end(s, e);
			return 1;
		}
		for (w = rest; *w != NULL; w++)
			if (strlen(*w) == we - p && starts_ci(s + p, *w))
				break;
		if (*w == NULL || redact_is_marker(s + e))
			return 0;
		*next = value_end_line(s, e, q);
		hits_add(hs, e, *next, NULL);
		return *next > e;
	}
	e = cred_end(s, p);
	/* a run that ends at a marker was a longer word before a token in it
	 * was redacted (a scheme, when a blank followed) */
	if (e == p || redact_is_marker(s + p) || redact_is_marker(s + e) ||
	    (q == 0 && !value_random(s + p, e - p)))
		return 0;
	hits_add(hs, p, e, NULL);
	*next = e;
	return 1;
}

/* "Cookie: ..." and "Set-Cookie: ...": the whole value. */
static int
match_cookie(const char *s, size_t i, struct hits *hs, size_t *next)
{
	size_t k = i, p, e;
	char sep, q;

	if (starts_ci(s + k, "set-"))
		k += 4;
	if (!starts_ci(s + k, "cookie") || key_char((unsigned char)s[k + 6]))
		return 0;
	if ((p = after_separator(s, k + 6, &sep)) == 0 || sep != ':')
		return 0;
	p = skip_blank(s, p);
	q = open_quote(s, &p);
	e = value_end_line(s, p, q);
	if (redact_is_marker(s + p) || memchr(s + p, '=', e - p) == NULL)
		return 0;	/* cookies are name=value */
	hits_add(hs, p, e, NULL);
	*next = e;
	return e > p;
}

/* Bare "Bearer <token>" (a token-looking run of at least 8 bytes) and
 * "Basic <base64 of user:pass>". */
static int
match_scheme(const char *s, size_t i, struct hits *hs, size_t *next)
{
	size_t p, e, q;
	int basic;

	if (starts_ci(s + i, "bearer"))
		p = i + 6, basic = 0;
	else if (starts_ci(s + i, "basic"))
		p = i + 5, basic = 1;
	else
		return 0;
	if (s[p] != ' ' && s[p] != '\t')
		return 0;
	p = skip_blank(s, p);
	for (e = p; redact_alnum((unsigned char)s[e]) ||
	    in_set((unsigned char)s[e], "._~+/=-"); e++)
		;
	if (e - p < 8)
		return 0;
	for (q = p; q < e && s[q] != '='; q++)
		;
	while (q < e && s[q] == '=')
		q++;
	if (q < e || redact_is_marker(s + e))
		return 0;	/* '=' only as padding: "bearer a_ttl=3600" is a pair
			 * (and "Basic x_key=[redacted]" was one) */
	if (basic ? !basic_userpass(s + p, e - p) : !value_random(s + p, e - p))
		return 0;
	hits_add(hs, p, e, basic ? "basic-auth" : "bearer");
	*next = e;
	return 1;
}

/* key=value, key: value, "key": "value" with a secret-like key. */
static int
match_pair(const char *s, size_t i, struct hits *hs, size_t *next)
{
	size_t k = i, p, e, colon;
	char sep, q;

	while (key_char((unsigned char)s[k]) && k - i <= KEY_MAX)
		k++;
	if (k - i > KEY_MAX)
		return 0;
	if ((p = after_separator(s, k, &sep)) == 0 || !key_secret(s + i, k - i) ||
	    key_meta(s + i, k - i))
		return 0;
	colon = p - 1;
	/* "scheme://key:pass@" is userinfo, for match_userinfo */
	if (i >= 3 && strncmp(s + i - 3, "://", 3) == 0)
		return 0;
	p = skip_blank(s, p);
	q = open_quote(s, &p);
	if (q == 0 && (s[p] == '{' || s[p] == '['))
		return 0;	/* a structure; its parts are scanned */
	e = q != 0 ? value_end_quoted(s, p, q) : value_end(s, p);
	/* a value holding a marker had a secret redacted in it while the
	 * pair was not one (a redaction would have taken the whole value):
	 * the marker must not make it one now ("u?pwd:[redacted" is longer,
	 * so more random, than "u?pwd:x") */
	if (e == p || value_placeholder(s + p, e - p) ||
	    value_is_word(s + p, e - p) ||
	    memmem(s + p, e - p, "[redacted", 9) != NULL)
		return 0;
	/* not a pair: "auth:9ad7f9b" (an image tag), "oauth2-proxy: v7.5.1",
	 * prose ("token: connection refused"); a password is one anyway */
	if (q == 0 && sep == ':' && (value_version(s + p, e - p) ||
	    (!key_password(s + i, k - i) && (p == colon + 1 ||
	    !value_random(s + p, e - p)))))
		return 0;
	hits_add(hs, p, e, value_kind(s, p, e));
	*next = e;
	return 1;
}

/* scheme://user:password@host: the password.  The user part is scanned on
 * (it may be a token). */
static void
match_userinfo(const char *s, size_t i, struct hits *hs)
{
	size_t p = i + 3, end, at, colon;
	const char *mark;

	end = p + strcspn(s + p, "/?# \t\r\n\"'<>`\\");
	/* a marker ends it too: what it replaced may have ended it (a '/' in
	 * a redacted value), and its ':' is no separator
	 * ("https://[redacted:github]@host" has no password) */
	if ((mark = memmem(s + p, end - p, "[redacted", 9)) != NULL)
		end = (size_t)(mark - s);
	for (at = end; at > p && s[at - 1] != '@'; at--)
		;
	if (at == p)
		return;
	at--;
	for (colon = p; colon < at && s[colon] != ':'; colon++)
		;
	if (colon + 1 >= at || redact_is_marker(s + colon + 1))
		return;
	hits_add(hs, colon + 1, at, NULL);
}

/* -----BEGIN ... PRIVATE KEY----- to the end of its END line (or of the
 * text).  The label is what RFC 7468 labels are made of in practice:
 * capitals, digits, blanks and single dashes; so no redaction marker can
 * be inside one, and redacting something else never makes a header of
 * text that was none (redacting stays idempotent). */
static int
match_private_key(const char *s, size_t i, struct hits *hs, size_t *next)
{
	const char *p, *dash, *end, *close;

	if (strncmp(s + i, "-----BEGIN", 10) != 0)
		return 0;
	p = s + i + 10;
	for (dash = p; (*dash >= 'A' && *dash <= 'Z') || (*dash >= '0' &&
	    *dash <= '9') || *dash == ' ' || (*dash == '-' &&
	    strncmp(dash, "-----", 5) != 0); dash++)
		;
	if (strncmp(dash, "-----", 5) != 0 || dash - p > 100)
		return 0;
	if (memmem(p, (size_t)(dash - p), "PRIVATE KEY", 11) == NULL)
		return 0;
	end = strstr(dash + 5, "-----END");
	if (end != NULL && (close = strstr(end + 8, "-----")) != NULL)
		*next = (size_t)(close + 5 - s);
	else
		*next = strlen(s);
	hits_add(hs, i, *next, "private-key");
	return 1;
}

/* ---- the scan ------------------------------------------------------------ */

static int
hit_cmp(const void *a, const void *b)
{
	const struct redact_hit *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

/* Collects the secrets of s into hs (sorted, overlaps merged). */
static void
scan(const char *s, struct hits *hs)
{
	size_t n = strlen(s), i = 0, next, o, k, after = 0;
	struct redact_hit h;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		/* a word starts after a secret too: once it is replaced, a
		 * marker's ']' comes before it (so redacting stays
		 * idempotent: "KEY...0creds=x" is "[redacted:age]creds=x") */
		int word = i == 0 || i == after ||
		    !redact_alnum((unsigned char)s[i - 1]);

		next = 0;
		if (c == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
			match_userinfo(s, i, hs);
			i += 3;
			continue;
		}
		if (c == '-' && match_private_key(s, i, hs, &next)) {
			i = after = next;
			continue;
		}
		if (!word || !redact_alnum(c)) {
			i++;
			continue;
		}
		if (redact_token_at(s, i, &h)) {
			hits_add(hs, h.start, h.end, h.kind);
			i = h.end > i ? h.end : i + 1;
			after = h.end;
			continue;
		}
		if (i > 0 && s[i - 1] == '_' && i != after)
			;	/* inside an identifier: tokens only */
		else if (match_authorization(s, i, hs, &next) ||
		    match_cookie(s, i, hs, &next) || match_scheme(s, i, hs, &next)) {
			i = next > i ? next : i + 1;
			after = next;
			continue;
		} else if (match_pair(s, i, hs, &next))
			after = next;	/* the key is scanned on: it may hold a
					 * token ("glpat-...-jwt": "x"), which a
					 * second pass would find once the value
					 * is a marker */
		i++;
	}
	if (hs->n < 2)
		return;
	qsort(hs->h, hs->n, sizeof *hs->h, hit_cmp);
	for (o = 0, k = 1; k < hs->n; k++) {
		if (hs->h[k].start < hs->h[o].end) {
			if (hs->h[k].end > hs->h[o].end)
				hs->h[o].end = hs->h[k].end;
		} else
			hs->h[++o] = hs->h[k];
	}
	hs->n = o + 1;
}

/* Redacts s, or NULL when nothing is found (see redact.h). */
char *
redact_text_changed(const char *s, int *n_found)
{
	struct hits hs = { NULL, 0, 0 };
	struct buf b;
	size_t k, last = 0;

	if (n_found != NULL)
		*n_found = 0;
	if (s == NULL)
		return NULL;
	scan(s, &hs);
	if (hs.n == 0)
		return NULL;
	buf_init(&b);
	for (k = 0; k < hs.n; k++) {
		buf_add(&b, s + last, hs.h[k].start - last);
		if (hs.h[k].kind != NULL)
			buf_printf(&b, "[redacted:%s]", hs.h[k].kind);
		else
			buf_adds(&b, REDACT_MARK);
		last = hs.h[k].end;
	}
	buf_adds(&b, s + last);
	if (n_found != NULL)
		*n_found = (int)hs.n;
	free(hs.h);
	return buf_steal(&b);
}

/* Redacts s (see redact.h). */
char *
redact_text(const char *s, int *n_found)
{
	char *r;

	if (s == NULL) {
		if (n_found != NULL)
			*n_found = 0;
		return NULL;
	}
	r = redact_text_changed(s, n_found);
	return r != NULL ? r : xstrdup(s);
}
