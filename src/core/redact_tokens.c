/*
 * redact_tokens.c - the key formats of providers, found by their shape:
 * a fixed prefix and a run of characters of a class (ghp_ + 36 letters and
 * digits), as the rules of secret scanners such as gitleaks describe them,
 * plus the few shapes a prefix cannot say (JWTs, AWS key ids, Twilio keys,
 * Telegram bot tokens, Azure AD client secrets, chat webhook URLs).
 * Hand-written matchers, no regex library; every rule needs a long enough
 * run after its prefix, so words that merely start like a key ("sk_test_ok")
 * are left alone, and plain hex (git shas, trace ids) never matches.
 */
#include "config.h"

#include <string.h>

#include "midwatch/redact.h"
#include "redact_int.h"

/* Character classes of a token's body (bits, combined). */
#define K_UP	0x001u	/* A-Z */
#define K_LO	0x002u	/* a-z */
#define K_DIG	0x004u	/* 0-9 */
#define K_US	0x008u	/* _ */
#define K_DASH	0x010u	/* - */
#define K_DOT	0x020u	/* . */
#define K_PLUS	0x040u	/* + */
#define K_SLASH	0x080u	/* / */
#define K_EQ	0x100u	/* = */
#define K_HEX	0x200u	/* 0-9 a-f A-F (alone: hex only) */
#define K_AT	0x400u	/* @ */

#define ALNUM	(K_UP | K_LO | K_DIG)
#define WORD	(ALNUM | K_US)
#define WDASH	(WORD | K_DASH)
#define B64	(ALNUM | K_PLUS | K_SLASH | K_EQ)
#define UPDIG	(K_UP | K_DIG)

/* The classes c belongs to. */
static unsigned
tok_class(unsigned char c)
{
	unsigned k = 0;

	if (c >= 'A' && c <= 'Z')
		k |= K_UP | (c <= 'F' ? K_HEX : 0);
	else if (c >= 'a' && c <= 'z')
		k |= K_LO | (c <= 'f' ? K_HEX : 0);
	else if (c >= '0' && c <= '9')
		k |= K_DIG | K_HEX;
	else if (c == '_')
		k |= K_US;
	else if (c == '-')
		k |= K_DASH;
	else if (c == '.')
		k |= K_DOT;
	else if (c == '+')
		k |= K_PLUS;
	else if (c == '/')
		k |= K_SLASH;
	else if (c == '=')
		k |= K_EQ;
	else if (c == '@')
		k |= K_AT;
	return k;
}

/* 1 when c is in class cls (K_HEX: any hex digit). */
static int
tok_in(unsigned char c, unsigned cls)
{
	unsigned k = tok_class(c);

	if ((cls & K_HEX) && (k & K_HEX))
		return 1;
	return (k & cls & ~K_HEX) != 0;
}

/* Length of the run of class cls at s. */
static size_t
tok_run(const char *s, unsigned cls)
{
	size_t n = 0;

	while (s[n] != '\0' && tok_in((unsigned char)s[n], cls))
		n++;
	return n;
}

/* A prefix rule: prefix, then a run of class cls of at least min bytes (or
 * of exactly `exact` bytes not followed by a letter or digit). */
struct tok_rule {
	const char *prefix;
	const char *kind;
	unsigned cls;
	unsigned short min, exact;
};

/* Specific prefixes before the general ones that share their start. */
static const struct tok_rule tok_rules[] = {
	/* code forges */
	{ "ghp_", "github", ALNUM, 30, 0 },
	{ "gho_", "github", ALNUM, 30, 0 },
	{ "ghu_", "github", ALNUM, 30, 0 },
	{ "ghs_", "github", ALNUM, 30, 0 },
	{ "ghr_", "github", ALNUM, 30, 0 },
	{ "github_pat_", "github", WORD, 50, 0 },
	{ "glpat-", "gitlab", WDASH | K_DOT, 20, 0 },
	{ "gldt-", "gitlab", WDASH, 20, 0 },
	{ "glrt-", "gitlab", WDASH | K_DOT, 20, 0 },
	{ "glft-", "gitlab", WDASH, 20, 0 },
	{ "glimt-", "gitlab", WDASH, 25, 0 },
	{ "glagent-", "gitlab", WDASH, 50, 0 },
	{ "gloas-", "gitlab", WDASH, 20, 0 },
	{ "glptt-", "gitlab", WDASH, 20, 0 },
	{ "glcbt-", "gitlab", WDASH, 20, 0 },
	{ "glsoat-", "gitlab", WDASH, 20, 0 },
	{ "glffct-", "gitlab", WDASH, 20, 0 },
	{ "GR1348941", "gitlab", WDASH, 20, 0 },
	{ "sgp_", "sourcegraph", WORD, 40, 0 },
	/* chat */
	{ "xoxe.xox", "slack", ALNUM | K_DASH, 10, 0 },
	{ "xoxb-", "slack", ALNUM | K_DASH, 10, 0 },
	{ "xoxp-", "slack", ALNUM | K_DASH, 10, 0 },
	{ "xoxa-", "slack", ALNUM | K_DASH, 10, 0 },
	{ "xoxr-", "slack", ALNUM | K_DASH, 10, 0 },
	{ "xoxs-", "slack", ALNUM | K_DASH, 10, 0 },
	{ "xoxo-", "slack", ALNUM | K_DASH, 10, 0 },
	{ "xoxe-", "slack", ALNUM | K_DASH, 10, 0 },
	{ "xapp-", "slack", ALNUM | K_DASH, 10, 0 },
	/* payment */
	{ "sk_live_", "stripe", ALNUM, 16, 0 },
	{ "sk_test_", "stripe", ALNUM, 16, 0 },
	{ "sk_prod_", "stripe", ALNUM, 16, 0 },
	{ "rk_live_", "stripe", ALNUM, 16, 0 },
	{ "rk_test_", "stripe", ALNUM, 16, 0 },
	{ "rk_prod_", "stripe", ALNUM, 16, 0 },
	{ "whsec_", "stripe", ALNUM, 24, 0 },
	{ "sq0atp-", "square", WDASH, 22, 0 },
	{ "sq0csp-", "square", WDASH, 22, 0 },
	{ "EAAA", "square", WDASH, 60, 0 },
	{ "shpat_", "shopify", K_HEX, 32, 0 },
	{ "shpca_", "shopify", K_HEX, 32, 0 },
	{ "shppa_", "shopify", K_HEX, 32, 0 },
	{ "shpss_", "shopify", K_HEX, 32, 0 },
	{ "shippo_live_", "shippo", K_HEX, 40, 0 },
	{ "shippo_test_", "shippo", K_HEX, 40, 0 },
	{ "duffel_live_", "duffel", WDASH | K_EQ, 43, 0 },
	{ "duffel_test_", "duffel", WDASH | K_EQ, 43, 0 },
	{ "FLWSECK_TEST-", "flutterwave", ALNUM | K_DASH, 32, 0 },
	{ "FLWSECK-", "flutterwave", ALNUM | K_DASH, 32, 0 },
	/* cloud */
	{ "AKIA", "aws", UPDIG, 0, 16 },
	{ "ASIA", "aws", UPDIG, 0, 16 },
	{ "ABIA", "aws", UPDIG, 0, 16 },
	{ "ACCA", "aws", UPDIG, 0, 16 },
	{ "A3T", "aws", UPDIG, 0, 17 },
	{ "ABSK", "aws", B64, 100, 0 },
	{ "AIza", "google", WDASH, 35, 0 },
	{ "GOCSPX-", "google", WDASH, 24, 0 },
	{ "ya29.", "google", WDASH | K_DOT, 30, 0 },
	{ "LTAI", "alibaba", ALNUM, 20, 0 },
	{ "dop_v1_", "digitalocean", K_HEX, 64, 0 },
	{ "doo_v1_", "digitalocean", K_HEX, 64, 0 },
	{ "dor_v1_", "digitalocean", K_HEX, 64, 0 },
	{ "hvs.", "vault", WDASH, 90, 0 },
	{ "hvb.", "vault", WDASH, 138, 0 },
	{ "dp.pt.", "doppler", ALNUM, 40, 0 },
	{ "dp.st.", "doppler", WDASH | K_DOT, 40, 0 },
	{ "dp.ct.", "doppler", ALNUM, 40, 0 },
	{ "dp.sa.", "doppler", ALNUM, 40, 0 },
	{ "dp.scim.", "doppler", ALNUM, 40, 0 },
	{ "dp.audit.", "doppler", ALNUM, 40, 0 },
	{ "HRKU-AA", "heroku", WDASH, 58, 0 },
	{ "fo1_", "fly", WDASH, 43, 0 },
	{ "fm1a_", "fly", B64, 100, 0 },
	{ "fm1r_", "fly", B64, 100, 0 },
	{ "fm2_", "fly", B64, 100, 0 },
	{ "dckr_pat_", "docker", WDASH, 27, 0 },
	{ "pul-", "pulumi", K_HEX, 40, 0 },
	{ "pscale_tkn_", "planetscale", WDASH | K_DOT | K_EQ, 32, 0 },
	{ "pscale_pw_", "planetscale", WDASH | K_DOT | K_EQ, 32, 0 },
	{ "pscale_oauth_", "planetscale", WDASH | K_DOT | K_EQ, 32, 0 },
	{ "dapi", "databricks", K_HEX, 32, 0 },
	{ "sha256~", "openshift", WDASH, 43, 0 },
	{ "v1.0-", "cloudflare", K_HEX | K_DASH, 150, 0 },
	{ "tk-us-", "scalingo", WDASH, 48, 0 },
	/* packages */
	{ "npm_", "npm", ALNUM, 36, 0 },
	{ "pypi-AgE", "pypi", WDASH, 50, 0 },
	{ "rubygems_", "rubygems", K_HEX, 48, 0 },
	{ "CLOJARS_", "clojars", ALNUM, 60, 0 },
	{ "AKCp", "artifactory", ALNUM, 69, 0 },
	/* mail, messaging, observability, SaaS */
	{ "SG.", "sendgrid", WDASH | K_DOT | K_EQ, 60, 0 },
	{ "SK", "twilio", K_HEX, 0, 32 },
	{ "xkeysib-", "brevo", ALNUM | K_DASH, 64, 0 },
	{ "xsmtpsib-", "brevo", ALNUM | K_DASH, 64, 0 },
	{ "glc_", "grafana", B64, 32, 0 },
	{ "glsa_", "grafana", WORD, 40, 0 },
	{ "eyJrIjoi", "grafana", ALNUM, 60, 0 },
	{ "sntrys_", "sentry", B64 | K_US, 60, 0 },
	{ "sntryu_", "sentry", K_HEX, 64, 0 },
	{ "NRAK-", "newrelic", ALNUM, 27, 0 },
	{ "NRII-", "newrelic", ALNUM | K_DASH, 32, 0 },
	{ "NRJS-", "newrelic", K_HEX, 19, 0 },
	{ "dt0c01.", "dynatrace", ALNUM | K_DOT, 80, 0 },
	{ "PMAK-", "postman", K_HEX | K_DASH, 50, 0 },
	{ "lin_api_", "linear", ALNUM, 40, 0 },
	{ "ATATT3", "atlassian", WDASH | K_EQ, 100, 0 },
	{ "ntn_", "notion", ALNUM, 40, 0 },
	{ "secret_", "notion", ALNUM, 43, 0 },
	{ "pnu_", "prefect", ALNUM, 36, 0 },
	{ "rdme_", "readme", ALNUM, 70, 0 },
	{ "ico-", "infracost", ALNUM, 32, 0 },
	{ "p8e-", "adobe", ALNUM, 32, 0 },
	{ "EZAK", "easypost", ALNUM, 54, 0 },
	{ "EZTK", "easypost", ALNUM, 54, 0 },
	{ "fio-u-", "frameio", WDASH | K_EQ, 64, 0 },
	{ "tfp_", "typeform", WDASH | K_DOT | K_EQ, 59, 0 },
	{ "API-", "octopus", UPDIG, 0, 26 },
	{ "EAAC", "facebook", ALNUM, 100, 0 },
	{ "EAAM", "facebook", ALNUM, 100, 0 },
	{ "ops_eyJ", "1password", B64, 100, 0 },
	{ "AGE-SECRET-KEY-1", "age", UPDIG, 58, 0 },
	/* AI */
	{ "sk-ant-api03-", "anthropic", WDASH, 80, 0 },
	{ "sk-ant-admin01-", "anthropic", WDASH, 80, 0 },
	{ "sk-proj-", "openai", WDASH, 40, 0 },
	{ "sk-svcacct-", "openai", WDASH, 40, 0 },
	{ "sk-admin-", "openai", WDASH, 40, 0 },
	{ "sk-", "openai", ALNUM, 40, 0 },
	{ "sk.eyJ", "mapbox", WDASH | K_DOT, 80, 0 },
	{ "hf_", "huggingface", ALNUM, 30, 0 },
	{ "pplx-", "perplexity", ALNUM, 48, 0 },
};

/* Webhook URLs whose path is the secret: the host and path prefix, then at
 * least 8 bytes of path. */
static const struct {
	const char *prefix;
	const char *kind;
} tok_hooks[] = {
	{ "hooks.slack.com/services/", "slack-webhook" },
	{ "hooks.slack.com/workflows/", "slack-webhook" },
	{ "hooks.slack.com/triggers/", "slack-webhook" },
	{ "discord.com/api/webhooks/", "discord-webhook" },
	{ "discordapp.com/api/webhooks/", "discord-webhook" },
	{ "webhook.office.com/webhookb2/", "teams-webhook" },
	{ "outlook.office.com/webhook/", "teams-webhook" },
};

/* A JWT: ey<b64url>.ey<b64url>.[signature] (each part at least 19 bytes,
 * the signature at least 10 when present). */
static int
tok_jwt(const char *s, size_t i, struct redact_hit *h)
{
	size_t j = i, run;

	if (s[j] != 'e' || s[j + 1] != 'y')
		return 0;
	if ((run = tok_run(s + j, WDASH)) < 19 || s[j + run] != '.')
		return 0;
	j += run + 1;
	if (s[j] != 'e' || s[j + 1] != 'y')
		return 0;
	if ((run = tok_run(s + j, WDASH | K_SLASH)) < 19 || s[j + run] != '.')
		return 0;
	j += run + 1;
	run = tok_run(s + j, WDASH | K_SLASH | K_PLUS);
	if (run >= 10) {
		j += run;
		while (s[j] == '=')
			j++;
	}
	h->start = i;
	h->end = j;
	h->kind = "jwt";
	return 1;
}

/* A Telegram bot token: 8-10 digits, ':', 'A' and 34 more [A-Za-z0-9_-]. */
static int
tok_telegram(const char *s, size_t i, struct redact_hit *h)
{
	size_t d = 0, run;

	while (s[i + d] >= '0' && s[i + d] <= '9')
		d++;
	if (d < 8 || d > 10 || s[i + d] != ':' || s[i + d + 1] != 'A')
		return 0;
	run = tok_run(s + i + d + 1, WDASH);
	if (run != 35)
		return 0;
	h->start = i;
	h->end = i + d + 1 + run;
	h->kind = "telegram";
	return 1;
}

/* An Azure AD client secret: 3 of [A-Za-z0-9_~.], a digit, "Q~", then 31
 * to 34 of [A-Za-z0-9_~.-]. */
static int
tok_azure(const char *s, size_t i, struct redact_hit *h)
{
	size_t k, run = 0;

	for (k = 0; k < 3; k++) {
		unsigned char c = (unsigned char)s[i + k];

		if (!redact_alnum(c) && c != '_' && c != '~' && c != '.')
			return 0;
	}
	if (!(s[i + 3] >= '0' && s[i + 3] <= '9') || s[i + 4] != 'Q' ||
	    s[i + 5] != '~')
		return 0;
	for (k = i + 6; redact_alnum((unsigned char)s[k]) || s[k] == '_' ||
	    s[k] == '~' || s[k] == '.' || s[k] == '-'; k++)
		run++;
	if (run < 31 || run > 34)
		return 0;
	h->start = i;
	h->end = k;
	h->kind = "azure";
	return 1;
}

/* A chat webhook URL's secret path (the host part is kept). */
static int
tok_hook(const char *s, size_t i, struct redact_hit *h)
{
	size_t k, len, run;

	for (k = 0; k < sizeof tok_hooks / sizeof tok_hooks[0]; k++) {
		len = strlen(tok_hooks[k].prefix);
		if (s[i] != tok_hooks[k].prefix[0] ||
		    strncmp(s + i, tok_hooks[k].prefix, len) != 0)
			continue;
		run = tok_run(s + i + len, WDASH | K_DOT | K_SLASH | K_PLUS |
		    K_EQ | K_AT);
		if (run < 8)
			return 0;
		h->start = i + len;
		h->end = i + len + run;
		h->kind = tok_hooks[k].kind;
		return 1;
	}
	return 0;
}

/* A secret of a known format at s[i], whatever follows it. */
static int
token_at(const char *s, size_t i, struct redact_hit *h)
{
	const struct tok_rule *r;
	size_t k, plen, run;
	unsigned char c = (unsigned char)s[i];

	if (c == 'e' && tok_jwt(s, i, h))
		return 1;
	if (c >= '0' && c <= '9' && tok_telegram(s, i, h))
		return 1;
	if ((c == 'h' || c == 'd' || c == 'w' || c == 'o') && tok_hook(s, i, h))
		return 1;
	for (k = 0; k < sizeof tok_rules / sizeof tok_rules[0]; k++) {
		r = &tok_rules[k];
		if ((unsigned char)r->prefix[0] != c)
			continue;
		plen = strlen(r->prefix);
		if (strncmp(s + i, r->prefix, plen) != 0)
			continue;
		run = tok_run(s + i + plen, r->cls);
		if (r->exact != 0) {
			if (run != r->exact ||
			    redact_alnum((unsigned char)s[i + plen + run]))
				continue;
		} else if (run < r->min)
			continue;
		h->start = i;
		h->end = i + plen + run;
		h->kind = r->kind;
		return 1;
	}
	return tok_azure(s, i, h);
}

/* A secret of a known format at s[i] (see redact_int.h).  Not when a
 * redaction marker follows it: the run was longer before what follows was
 * redacted, and may not have been a secret then (a rule with a longest
 * length), so a second redaction would find what the first did not. */
int
redact_token_at(const char *s, size_t i, struct redact_hit *h)
{
	return token_at(s, i, h) && !redact_is_marker(s + h->end);
}
