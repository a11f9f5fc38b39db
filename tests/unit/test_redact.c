/*
 * test_redact.c - unit tests for secret redaction (core/redact.c and its
 * use by ingest): each pattern redact_text knows, ordinary text it must
 * leave alone (hex ids, UUIDs, names, prose), idempotency, every secret of
 * tests/ingest/secrets/corpus.txt, random bytes, and the ingest side: every
 * text field of a record redacted before it is stored, error fingerprints
 * computed after redaction, metric labels, dead-letter payloads and the
 * reasons that quote the input.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "midwatch/ingest.h"
#include "midwatch/redact.h"

/* Redacts in and compares with want, and the count with n. */
static void
expect_redact(const char *in, const char *want, int n)
{
	int found = -1;
	char *out = redact_text(in, &found);

	if (strcmp(out, want) != 0 || found != n)
		print_error("redact_text(\"%s\")\n  got  \"%s\" (%d)\n  want \"%s\" (%d)\n",
		    in, out, found, want, n);
	assert_string_equal(out, want);
	assert_int_equal(found, n);
	free(out);
}

/* Expects in to come out unchanged (and redact_text_changed to say so). */
static void
expect_same(const char *in)
{
	int found = -1;
	char *out = redact_text_changed(in, &found);

	if (out != NULL)
		print_error("over-redaction: \"%s\" -> \"%s\"\n", in, out);
	assert_null(out);
	assert_int_equal(found, 0);
}

static void
test_headers(void **state)
{
	(void)state;
	expect_redact("GET /x: Authorization: Bearer abc123def456 -> 401",
	    "GET /x: Authorization: Bearer [redacted] -> 401", 1);
	expect_redact("\"Authorization\": \"Bearer opaque-Token_1\"",
	    "\"Authorization\": \"Bearer [redacted]\"", 1);
	expect_redact("authorization=Basic dXNlcjpwYXNz",
	    "authorization=Basic [redacted]", 1);
	expect_redact("Proxy-Authorization: token 0123abcd",
	    "Proxy-Authorization: token [redacted]", 1);
	expect_redact("Authorization: Digest username=\"bob\", response=\"6629fae4\"\nnext",
	    "Authorization: Digest [redacted]\nnext", 1);
	expect_redact("Authorization: AWS4-HMAC-SHA256 Credential=AK/2026, Signature=fe5f",
	    "Authorization: AWS4-HMAC-SHA256 [redacted]", 1);
	expect_redact("Authorization: s3cr3tValue99", "Authorization: [redacted]", 1);
	expect_redact("retry with Bearer abcdef0123456789xyz",
	    "retry with Bearer [redacted:bearer]", 1);
	expect_redact("Basic dXNlcjpwYXNzd29yZA== sent",
	    "Basic [redacted:basic-auth] sent", 1);
	expect_redact("Cookie: sid=abc123; theme=dark", "Cookie: [redacted]", 1);
	expect_redact("Set-Cookie: sid=abc123; HttpOnly", "Set-Cookie: [redacted]", 1);
	/* what is not a credential */
	expect_same("authorization: denied for user bob");
	expect_same("Authorization header missing");
	expect_same("bearer token expired");
	expect_same("sent bearer tokenization request");
	expect_same("basic authentication failed");
	expect_same("Basic plan users");
	expect_same("cookie: not set");
}

static void
test_tokens(void **state)
{
	(void)state;
	expect_redact("AKIAIOSFODNN7EXAMPLE", "[redacted:aws]", 1);
	expect_redact("key=ASIAY34FZKBOKMUTVV7A,", "key=[redacted:aws],", 1);
	expect_redact("id ASIAY34FZKBOKMUTVV7A used", "id [redacted:aws] used", 1);
	expect_redact("push with ghp_0123456789abcdefghijABCDEFGHIJ012345 ok",
	    "push with [redacted:github] ok", 1);
	expect_redact("gho_0123456789abcdefghijABCDEFGHIJ012345", "[redacted:github]", 1);
	expect_redact("ghu_0123456789abcdefghijABCDEFGHIJ012345", "[redacted:github]", 1);
	expect_redact("ghs_0123456789abcdefghijABCDEFGHIJ012345", "[redacted:github]", 1);
	expect_redact("ghr_0123456789abcdefghijABCDEFGHIJ012345", "[redacted:github]", 1);
	expect_redact("github_pat_11ABCDEFG0123456789abc_defghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVW",
	    "[redacted:github]", 1);
	expect_redact("glpat-abcdefghij0123456789", "[redacted:gitlab]", 1);
	expect_redact("xoxb-1234567890-1234567890123-abcdefghijABCDEFGHIJabcd", "[redacted:slack]", 1);
	expect_redact("xoxp-1234567890-123456789012-1234567890123-0123456789abcdef0123456789abcdef",
	    "[redacted:slack]", 1);
	expect_redact("xoxa-2-abcdefghij0123", "[redacted:slack]", 1);
	expect_redact("xoxr-abcdefghij0123", "[redacted:slack]", 1);
	expect_redact("xapp-1-A0123456789-1234567890123-0123456789abcdef", "[redacted:slack]", 1);
	expect_redact("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
	    "https://hooks.slack.com/services/[redacted:slack-webhook]", 1);
	expect_redact("sk_live_0123456789abcdefghijklmn", "[redacted:stripe]", 1);
	expect_redact("rk_live_0123456789abcdefghijklmn", "[redacted:stripe]", 1);
	expect_redact("sk_test_0123456789abcdefghijklmn", "[redacted:stripe]", 1);
	expect_redact("AIzaSyA1234567890abcdefghijklmnopqrstuv", "[redacted:google]", 1);
	expect_redact("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nafter",
	    "[redacted:private-key]\nafter", 1);
	expect_redact("key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg (cut)",
	    "key: [redacted:private-key]", 1);
	/* a BEGIN line is capitals, digits, blanks and dashes up to its
	 * "-----": text that a redaction shortened is not one, so redacting
	 * again finds nothing (tests/fuzz/regressions/redact/) */
	expect_redact("-----BEGIN X \"api_key\": \"k3yV4lu3xyz\" PRIVATE KEY-----",
	    "-----BEGIN X \"api_key\": \"[redacted]\" PRIVATE KEY-----", 1);
	expect_same("-----BEGIN X \"api_key\": \"[redacted]\" PRIVATE KEY-----");
	expect_redact("npm_abcdefghijklmnopqrstuvwxyz0123456789", "[redacted:npm]", 1);
	expect_redact("pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoLWlqa2wtbW5vcC1xcnN0LXV2d3h5ejAxMjM0",
	    "[redacted:pypi]", 1);
	expect_redact("SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456",
	    "[redacted:sendgrid]", 1);
	expect_redact("SK0123456789abcdef0123456789abcdef", "[redacted:twilio]", 1);
	expect_redact("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk",
	    "[redacted:jwt]", 1);
	/* near misses */
	expect_same("sk_test_integration suite");
	expect_same("ghp_short");
	expect_same("AKIA is a prefix");
	expect_same("AKIAIOSFODNN7EXAMPLEX2");	/* too long for a key id */
	expect_same("SK0123456789abcdef");
	expect_same("TASKSK0123456789abcdef0123456789abcdef");
	expect_same("eyJhbGciOiJIUzI1NiJ9 alone");
	expect_same("https://hooks.slack.com/services/");
}

static void
test_pairs(void **state)
{
	(void)state;
	expect_redact("host=db user=app password=hunter2 dbname=x",
	    "host=db user=app password=[redacted] dbname=x", 1);
	expect_redact("host=db password='two words' dbname=x",
	    "host=db password='[redacted]' dbname=x", 1);
	/* redacting again finds nothing (tests/fuzz/regressions/redact/): a
	 * word starts right after a secret, as it will after its marker; a
	 * token in the key of a pair is found as well as the value */
	expect_redact("AGE-SECRET-KEY-14RGV3YDVD5ULCC5RS9WZLDTZMU0MTJGRQSCUVHNAK30C4LJRSS27GHQU52creds=r x",
	    "[redacted:age]creds=[redacted] x", 2);
	expect_redact("\"timeout--glpat-0123456789abcdefghij-jwt\": \"v4lu3\"",
	    "\"timeout--[redacted:gitlab]\": \"[redacted]\"", 2);
	expect_redact("Basic dXNlcjpupapikey=i x", "Basic dXNlcjpupapikey=[redacted] x", 1);
	expect_same("Basic dXNlcjpupapikey=[redacted] x");
	expect_same("https://[redacted:doppler]@registry/v2");
	expect_same("Authorization: BGx-cookie-[redacted:slack] x");
	expect_same("https://[redacted:github]:[redacted]@host/x");
	expect_redact("x://u[pw=/|:zz@host", "x://u[pw=[redacted]|:zz@host", 1);
	expect_same("x://u[pw=[redacted]|:zz@host");
	/* an Azure secret has at most 34 bytes after "Q~": one that ran on
	 * into a redacted JWT was longer */
	expect_same("abc5Q~0123456789abcdefghij0123456789.[redacted:jwt] x");
	expect_redact("eauth: u?pwd:x", "eauth: u?pwd:[redacted]", 1);
	expect_same("eauth: u?pwd:[redacted]");
	expect_redact("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEKEY",
	    "aws_secret_access_key=[redacted]", 1);
	expect_redact("{\"DB_PASSWORD\":\"s3cr3t\",\"n\":1}", "{\"DB_PASSWORD\":\"[redacted]\",\"n\":1}", 1);
	expect_redact("login {\\\"password\\\":\\\"hunter2\\\"} failed",
	    "login {\\\"password\\\":\\\"[redacted]\\\"} failed", 1);
	expect_redact("password: letmein", "password: [redacted]", 1);
	expect_redact("api_key: 5f3e9a0b7c", "api_key: [redacted]", 1);
	expect_redact("X-Api-Key: 0123abcdEF", "X-Api-Key: [redacted]", 1);
	expect_redact("GET /v1?access_token=abc123xyz&page=2", "GET /v1?access_token=[redacted]&page=2", 1);
	expect_redact("--client-secret=abcdefgh", "--client-secret=[redacted]", 1);
	expect_redact("token := \"q1w2e3\"", "token := \"[redacted]\"", 1);
	expect_redact("JWT: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk",
	    "JWT: [redacted:jwt]", 1);
	expect_redact("AccountName=x;AccountKey=Zm9vYmFyYmF6cXV4+/==;EndpointSuffix=core.windows.net",
	    "AccountName=x;AccountKey=[redacted];EndpointSuffix=core.windows.net", 1);
	/* prose, placeholders, image tags, versions: not pairs */
	expect_same("password: incorrect");
	expect_same("token: expired");
	expect_same("failed to get token: context deadline exceeded");
	expect_same("oauth2: cannot fetch token: 401 Unauthorized");
	expect_same("auth: upstream timeout");
	expect_same("password authentication failed for user \"app\"");
	expect_same("password=*** token=[redacted] secret=${DB_SECRET} key=xxxx");
	expect_same("registry.shop.example/shop/auth:9ad7f9b695ea");
	expect_same("ghcr.io/oauth2-proxy/oauth2-proxy: v7.5.1");
	expect_same("keyboard=us monkey=banana passenger_count=3 author=ann");
	expect_same("refresh token 2c82bcca not found");
	/* logfmt: keys about a secret, not holding one */
	expect_same("level=error auth_method=oidc token_type=bearer token_ttl=3600 "
	    "password_policy=strict api_key_id=k-17 secret_name=db-creds");
	expect_redact("level=error msg=denied api_key=k3y-Abc123 user=bob",
	    "level=error msg=denied api_key=[redacted] user=bob", 1);
}

static void
test_urls(void **state)
{
	(void)state;
	expect_redact("connect postgres://u:hunter2@h:5432/db and https://x.org/a@b",
	    "connect postgres://u:[redacted]@h:5432/db and https://x.org/a@b", 1);
	expect_redact("redis://:p4ss@cache:6379/0", "redis://:[redacted]@cache:6379/0", 1);
	expect_redact("amqp://u:p@ss@mq/", "amqp://u:[redacted]@mq/", 1);
	expect_redact("https://ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/o/r",
	    "https://[redacted:github]@github.com/o/r", 1);
	expect_redact("https://x-access-token:ghs_0123456789abcdefghijABCDEFGHIJ012345@github.com",
	    "https://x-access-token:[redacted]@github.com", 1);
	expect_same("https://example.org/path?q=1#top");
	expect_same("ssh://git@github.com/o/r.git");
	expect_same("https://u:[redacted]@h/");
}

static void
test_ordinary(void **state)
{
	static const char *const plain[] = {
		"",
		"commit 3f786850e387550fdab836ed7e6dc881de23001b deployed",
		"3F786850E387550FDAB836ED7E6DC881DE23001B",
		"trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
		"order 123e4567-e89b-12d3-a456-426614174000 failed",
		"payments-api cpu 0.93 at 10.0.0.7:5432 after 503 ms",
		"timeout after 1200 ms calling inventory.shop.svc.cluster.local:8080",
		"redis GET cart:f604e845 took 2801ms",
		"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"java.lang.NullPointerException at com.shop.auth.TokenService.refresh(TokenService.java:42)",
		"Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>",
		"caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve \xf0\x9f\x94\x91",
		"key rotation scheduled; secrets manager healthy",
		"deploy-auth-0372 rolled back to ffcff2bca382",
		NULL
	};
	const char *const *p;

	(void)state;
	for (p = plain; *p != NULL; p++)
		expect_same(*p);
	assert_null(redact_text(NULL, NULL));
	assert_null(redact_text_changed(NULL, NULL));
}

static void
test_key_names(void **state)
{
	static const char *const secret[] = { "password", "DB_PASSWORD",
	    "client_secret", "GITHUB_TOKEN", "api_key", "apiKey", "X-Api-Key",
	    "private_key", "auth", "oauth_client", "db_pwd", "key", "DSN",
	    "session_cookie", "AccountKey", "jwt", "sig", "aws_creds", NULL };
	static const char *const plain[] = { "TIMEOUT_MS", "replicas", "image",
	    "author", "authorization", "keyboard_layout", "monkey", "log_level",
	    "passenger_count", "signal", "service", NULL };
	const char *const *n;

	(void)state;
	for (n = secret; *n != NULL; n++) {
		if (!redact_is_secret_key(*n))
			print_error("%s should look secret\n", *n);
		assert_true(redact_is_secret_key(*n));
	}
	for (n = plain; *n != NULL; n++) {
		if (redact_is_secret_key(*n))
			print_error("%s should not look secret\n", *n);
		assert_false(redact_is_secret_key(*n));
	}
	assert_false(redact_is_secret_key(NULL));
	assert_true(ingest_redact_is_secret("api_token"));
}

/* The text of a corpus line: TEXT with {} replaced by SECRET and the JSON
 * escapes \n and \" undone (as a row holds it).  Malloc'd. */
static char *
corpus_text(const char *secret, const char *tmpl)
{
	const char *brace = strstr(tmpl, "{}");
	size_t n = strlen(tmpl) + strlen(secret) + 1, o = 0;
	char *raw = malloc(n), *out = malloc(n);
	size_t i;

	assert_non_null(brace);
	snprintf(raw, n, "%.*s%s%s", (int)(brace - tmpl), tmpl, secret, brace + 2);
	for (i = 0; raw[i] != '\0'; i++) {
		if (raw[i] == '\\' && raw[i + 1] == 'n') {
			out[o++] = '\n';
			i++;
		} else if (raw[i] == '\\' && raw[i + 1] == '"') {
			out[o++] = '"';
			i++;
		} else
			out[o++] = raw[i];
	}
	out[o] = '\0';
	free(raw);
	return out;
}

static void
test_corpus(void **state)
{
	char path[4096], line[8192], *kind, *secret, *tmpl, *nl, *text, *once,
	    *twice, *embedded;
	FILE *f;
	int n = 0, found;

	(void)state;
	snprintf(path, sizeof path, "%s/tests/ingest/secrets/corpus.txt", MW_SRCDIR);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		kind = line;
		secret = strchr(kind, '\t');
		assert_non_null(secret);
		*secret++ = '\0';
		tmpl = strchr(secret, '\t');
		assert_non_null(tmpl);
		*tmpl++ = '\0';
		text = corpus_text(secret, tmpl);
		once = redact_text(text, &found);
		if (strstr(once, secret) != NULL || found < 1)
			print_error("corpus %s: \"%s\" -> \"%s\"\n", kind, text, once);
		assert_null(strstr(once, secret));
		assert_true(found >= 1);
		/* idempotent */
		twice = redact_text_changed(once, &found);
		if (twice != NULL)
			print_error("corpus %s: not idempotent: \"%s\" -> \"%s\"\n",
			    kind, once, twice);
		assert_null(twice);
		/* in the middle of a sentence, and raw (JSON escapes kept) */
		embedded = malloc(strlen(text) + 64);
		sprintf(embedded, "error: %s (retrying)", text);
		free(once);
		once = redact_text(embedded, NULL);
		assert_null(strstr(once, secret));
		free(once);
		sprintf(embedded, "%s", tmpl);
		free(embedded);
		free(text);
		n++;
	}
	fclose(f);
	assert_true(n >= 60);
}

static void
test_random(void **state)
{
	static const char *const seeds[] = { "ghp_", "Bearer ", "password=",
	    "://u:", "-----BEGIN PRIVATE KEY-----", "eyJ", "AKIA", "Basic ",
	    "Authorization: ", "\\\"", "key: '", "SK", "hooks.slack.com/services/",
	    "Cookie: a=", NULL };
	static const char alphabet[] = "aZ09_-.:/@=+'\"\\ \n;&{}[]~";
	char buf[256];
	unsigned x = 12345;
	int round, i, len;

	(void)state;
	for (round = 0; round < 20000; round++) {
		len = 0;
		while (len < 200) {
			x = x * 1103515245u + 12345u;
			if ((x >> 16) % 7 == 0) {
				const char *s = seeds[(x >> 8) % 14];

				if (len + (int)strlen(s) >= 200)
					break;
				memcpy(buf + len, s, strlen(s));
				len += (int)strlen(s);
			} else
				buf[len++] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
			if ((x >> 20) % 23 == 0)
				break;
		}
		buf[len] = '\0';
		{
			char *a = redact_text(buf, NULL), *b;

			for (i = 0; a[i] != '\0'; i++)
				;
			b = redact_text(a, NULL);
			free(b);
			free(a);
		}
	}
}

/* ---- the ingest side ------------------------------------------------------ */

/* Parses line (must succeed); the caller clears *rec. */
static void
parse_ok(const char *line, struct ingest_rec *rec)
{
	char *cause = NULL;

	if (ingest_kinds_parse_line(line, strlen(line), rec, &cause) != 0)
		print_error("rejected %s: %s\n", line, cause);
	assert_null(cause);
}

/* The record as compact JSON (row, or for metrics the labels); malloc'd. */
static char *
rec_text(const struct ingest_rec *r)
{
	char *row = r->row != NULL ? json_dumps(r->row, JSON_COMPACT | JSON_SORT_KEYS) :
	    strdup(""), *all;
	size_t n = strlen(row) + (r->m_labels ? strlen(r->m_labels) : 0) +
	    (r->m_labels_key ? strlen(r->m_labels_key) : 0) + 256;

	all = malloc(n);
	snprintf(all, n, "%s|%s|%s|%s|%s", row, r->m_labels ? r->m_labels : "",
	    r->m_labels_key ? r->m_labels_key : "", r->m_service ? r->m_service : "",
	    r->m_metric ? r->m_metric : "");
	free(row);
	return all;
}

static void
test_ingest_rows(void **state)
{
	static const char *const lines[] = {
		"{\"kind\":\"error\",\"ts\":\"2026-11-16T13:00:00Z\",\"service\":\"api\","
		"\"message\":\"GET /v1 -> 401 Authorization: Bearer Zx9Qw8Er7Ty6Ui5Op4\","
		"\"password\":\"hunter2\",\"note\":\"JWT: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk\"}",
		"{\"kind\":\"commit\",\"sha\":\"3f786850e387550fdab836ed7e6dc881de23001b\",\"repo\":\"shop\","
		"\"message\":\"rotate key AKIAIOSFODNN7EXAMPLE\\n\\ntoken ghp_0123456789abcdefghijABCDEFGHIJ012345\","
		"\"authored_at\":\"2026-11-16T12:00:00Z\",\"author\":\"ann\",\"files\":[]}",
		"{\"kind\":\"deploy\",\"id\":\"d-1\",\"service\":\"api\",\"started_at\":\"2026-11-16T12:55:00Z\","
		"\"image_ref\":\"https://ci:Hunter2Pass@registry.example/api:1.2\",\"description\":\"uses sk_live_0123456789abcdefghijklmn\"}",
		"{\"kind\":\"alert\",\"ts\":\"2026-11-16T13:02:00Z\",\"fingerprint\":\"f1\",\"status\":\"firing\","
		"\"labels\":{\"alertname\":\"X\",\"api_key\":\"k123\",\"url\":\"postgres://a:Pw0rd9@db/x\"},"
		"\"annotations\":{\"summary\":\"xoxb-1234567890-1234567890123-abcdefghijABCDEFGHIJabcd leaked\"}}",
		"{\"kind\":\"config_change\",\"service\":\"api\",\"detected_at\":\"2026-11-16T12:59:00Z\","
		"\"change_kind\":\"env_var\",\"resource_name\":\"api-env\",\"diff\":[{\"field\":\"NOTE\","
		"\"old_value\":\"npm_abcdefghijklmnopqrstuvwxyz0123456789\",\"new_value\":\"x\"}]}",
		"{\"kind\":\"maintenance\",\"service\":\"db\",\"starts_at\":\"2026-11-16T02:00:00Z\","
		"\"ends_at\":\"2026-11-16T03:00:00Z\",\"reason\":\"rotate SK0123456789abcdef0123456789abcdef\"}",
		"{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:00:00Z\",\"service\":\"api\",\"metric\":\"m\","
		"\"value\":1,\"labels\":{\"token\":\"t0k3n\",\"note\":\"glpat-abcdefghij0123456789\"},\"api_key\":\"k\"}",
		NULL
	};
	static const char *const secrets[] = { "Zx9Qw8Er7Ty6Ui5Op4", "hunter2",
	    "eyJhbGci", "AKIAIOSFODNN7EXAMPLE", "ghp_0123", "Hunter2Pass",
	    "sk_live_", "k123", "Pw0rd9", "xoxb-", "npm_abc", "SK0123",
	    "t0k3n", "glpat-", "\"api_key\":\"k\"", NULL };
	const char *const *l, *const *s;
	struct ingest_rec r;
	char *text;

	(void)state;
	for (l = lines; *l != NULL; l++) {
		parse_ok(*l, &r);
		assert_true(r.redacted >= 1);
		text = rec_text(&r);
		for (s = secrets; *s != NULL; s++) {
			if (strstr(text, *s) != NULL)
				print_error("%s survives in %s\n", *s, text);
			assert_null(strstr(text, *s));
		}
		assert_non_null(strstr(text, "redacted"));
		free(text);
		ingest_kinds_clear(&r);
	}
	/* ordinary values survive */
	parse_ok(lines[1], &r);
	assert_string_equal(json_string_value(json_object_get(r.row, "sha")),
	    "3f786850e387550fdab836ed7e6dc881de23001b");
	assert_string_equal(json_string_value(json_object_get(r.row, "author")), "ann");
	ingest_kinds_clear(&r);
	/* a secret in a metric's service name: redacted, kept in rec->row */
	parse_ok("{\"kind\":\"metric\",\"ts\":\"2026-11-16T13:00:00Z\",\"service\":"
	    "\"npm_abcdefghijklmnopqrstuvwxyz0123456789\",\"metric\":\"m\",\"value\":1}", &r);
	assert_string_equal(r.m_service, "[redacted:npm]");
	ingest_kinds_clear(&r);
}

static void
test_ingest_fingerprint(void **state)
{
	struct ingest_rec a, b;

	(void)state;
	parse_ok("{\"kind\":\"error\",\"ts\":\"2026-11-16T13:00:00Z\",\"service\":\"api\","
	    "\"message\":\"call failed with ghp_0123456789abcdefghijABCDEFGHIJ012345\"}", &a);
	parse_ok("{\"kind\":\"error\",\"ts\":\"2026-11-16T13:00:00Z\",\"service\":\"api\","
	    "\"message\":\"call failed with ghp_ZYXWVUTSRQPONMLKJIHGzyxwvutsrqponm987654\"}", &b);
	assert_string_equal(json_string_value(json_object_get(a.row, "message")),
	    "call failed with [redacted:github]");
	assert_string_equal(json_string_value(json_object_get(a.row, "fingerprint")),
	    json_string_value(json_object_get(b.row, "fingerprint")));
	ingest_kinds_clear(&a);
	ingest_kinds_clear(&b);
}

static void
test_ingest_dead(void **state)
{
	static const char *const bad[] = {
		"{\"kind\":\"error\",\"message\":\"Bearer Zx9Qw8Er7Ty6Ui5Op4 ghp_0123456789abcdefghijABCDEFGHIJ012345\"",
		"{\"kind\":\"error\",\"ts\":\"AKIAIOSFODNN7EXAMPLE\",\"service\":\"a\",\"message\":\"x\"}",
		"not json at all: password=hunter2 ghp_0123456789abcdefghijABCDEFGHIJ012345",
		NULL
	};
	const char *const *l;
	struct ingest_rec r;
	char *cause, *payload, *masked;

	(void)state;
	for (l = bad; *l != NULL; l++) {
		/* a payload as the dead-letter path keeps it when the line is
		 * not an object (objects are redacted as JSON, see
		 * test_secrets.sh) */
		payload = ingest_payload_text(*l, strlen(*l), strlen(*l));
		masked = ingest_redact_raw(payload);
		assert_non_null(masked);
		free(payload);
		payload = masked;
		assert_null(strstr(payload, "ghp_0123"));
		assert_null(strstr(payload, "Zx9Qw8"));
		assert_null(strstr(payload, "AKIAIOSFODNN7EXAMPLE"));
		assert_null(strstr(payload, "hunter2"));
		free(payload);
		cause = NULL;
		if (ingest_kinds_parse_line(*l, strlen(*l), &r, &cause) == 0)
			ingest_kinds_clear(&r);
		else
			assert_null(strstr(cause, "AKIAIOSFODNN7EXAMPLE"));
		free(cause);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_ordinary),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_ingest_rows),
		cmocka_unit_test(test_ingest_fingerprint),
		cmocka_unit_test(test_ingest_dead),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
