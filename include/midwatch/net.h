/*
 * net.h - the network module (src/net/, the only code that includes
 * curl/curl.h): one HTTP client with one timeout policy, one retry/backoff
 * policy every caller uses, secrets read from the environment or an
 * owner-only file, and the payloads of the notification targets (Slack,
 * PagerDuty Events v2, generic webhook).
 *
 * Secrets never leave this module's callers in text: error strings name the
 * URL's host at most, never a header value or a body, and net_redact()
 * removes a secret from any text before it is stored or printed.
 */
#ifndef MIDWATCH_NET_H
#define MIDWATCH_NET_H

#include <stddef.h>
#include <jansson.h>
#include "midwatch/midwatch.h"

/* ---- HTTP ---------------------------------------------------------------- */

/* The one timeout policy: connecting, and the whole exchange. */
#define NET_CONNECT_TIMEOUT_MS 5000
#define NET_TOTAL_TIMEOUT_MS 10000
/* Response bodies are cut here (the rest is read and dropped). */
#define NET_MAX_RESPONSE (1024 * 1024)

enum net_method { NET_GET, NET_POST, NET_DELETE };

struct net_request {
	enum net_method method;
	const char *url;
	const char *body;		/* JSON for POST (Content-Type set), or NULL */
	const char *const *headers;	/* "Name: value", NULL-terminated, or NULL */
	int connect_timeout_ms;		/* 0: NET_CONNECT_TIMEOUT_MS */
	int timeout_ms;			/* 0: NET_TOTAL_TIMEOUT_MS */
	const char *const *secrets;	/* texts never to appear in error (NULL-ended) */
};

struct net_response {
	long status;		/* HTTP status; 0 when none arrived */
	char *body;		/* malloc'd, NUL-terminated, possibly cut; never NULL */
	size_t body_len;
	double retry_after;	/* seconds from Retry-After, or -1 */
	long elapsed_ms;
	int timed_out;		/* the timeout ended the exchange */
	char *error;		/* malloc'd transport error, or NULL */
};

/* Initialises libcurl once per process (thread-safe); 0 ok, -1 *cause. */
int net_init(char **cause);
/*
 * Performs one exchange (never retries: callers use net_retry_next).  Returns
 * 0 when a response arrived, whatever its status, and -1 on a transport
 * failure (refused, timed out, reset...) with resp->error set.  resp is
 * always filled and must be released with net_response_free.
 */
int net_request(const struct net_request *req, struct net_response *resp);
void net_response_free(struct net_response *resp);
/* 0 if url is an absolute http(s) URL with a host; -1 with *cause. */
int net_url_check(const char *url, char **cause);
/* Replaces every occurrence of each secret in s (in place) with "***". */
void net_redact(char *s, const char *const *secrets);
/*
 * A request URL (url.c): base without a trailing '/', query or fragment,
 * then path (a '/' put in front when missing; NULL: none), then params, a
 * NULL-terminated list of name, value, name, value..., each percent-encoded.
 * Malloc'd.
 */
char *net_url_build(const char *base, const char *path,
    const char *const *params);

/* ---- retry with backoff -------------------------------------------------- */

/*
 * Exponential backoff with jitter: after failed attempt n (1-based) the
 * delay is d = min(cap, base * 2^(n-1)), jittered into [d/2, d] ("equal
 * jitter": never zero, never synchronised); a server's Retry-After raises it
 * (up to cap).  After max_attempts attempts the caller gives up.
 */
struct net_retry {
	double base_s;		/* delay after the first failure, > 0 */
	double cap_s;		/* no delay is longer, >= base_s */
	int max_attempts;	/* attempts in all, the first included, >= 1 */
};
#define NET_RETRY_BASE_S 30.0
#define NET_RETRY_CAP_S 3600.0
#define NET_RETRY_MAX_ATTEMPTS 10

/* The delay after failed attempt n >= 1 with jitter in [0, 1). */
double net_backoff(const struct net_retry *p, int attempt, double jitter);
/*
 * After `attempts` attempts failed: 1 and *delay_s when another attempt is
 * due, 0 when the caller gives up (attempts >= max_attempts).  retry_after
 * is the server's Retry-After in seconds, or < 0.
 */
int net_retry_next(const struct net_retry *p, int attempts, double jitter,
    double retry_after, double *delay_s);
/* 1 if an outcome is worth retrying: no response, 408, 425, 429 or 5xx. */
int net_retryable(long status);
/* A uniform random number in [0, 1) for jitter. */
double net_jitter(void);

/* ---- secrets ------------------------------------------------------------- */

/* Checks that path is a regular file readable by its owner only (no group
 * or other bits); 0 ok, -1 *cause (which names the path, never contents). */
int net_secret_file_check(const char *path, char **cause);
/*
 * Reads a secret from the environment variable env (when not NULL) or from
 * file (checked as above), trailing whitespace removed.  Returns a malloc'd
 * string the caller wipes and frees (net_secret_free), or NULL with *cause.
 */
char *net_secret_load(const char *env, const char *file, char **cause);
void net_secret_free(char *secret);
/*
 * The Authorization header line carrying a secret: "Bearer SECRET" without
 * a user, HTTP basic authentication with user:SECRET otherwise.  Malloc'd;
 * free it with net_secret_free (it holds the secret).
 */
char *net_auth_header(const char *user, const char *secret);

/* ---- notification payloads (webhook.c) ----------------------------------- */

/*
 * A notification, as the deliverer hands it over: a JSON object with
 *   event       "trigger" | "acknowledge" | "resolve" | "test"
 *   key         the stable per-incident key (PagerDuty dedup_key)
 *   idempotency_key
 *   summary     one line
 *   severity    critical|high|medium|low|info
 *   incident    {id, title, service, severity, status, window_start, ...} or null
 *   hypothesis  {id, rank, type, title, confidence, evidence: [{id, kind,
 *               role, summary}]} or null (the top hypothesis)
 *   alerts      [{id, title, message, severity, service, fingerprint, ...}]
 * Each builder returns a new reference to the body to POST (jansson rule).
 */
json_t *net_webhook_slack(json_t *note);
/* The PagerDuty Events v2 body without routing_key (added at send time). */
json_t *net_webhook_pagerduty(json_t *note);
json_t *net_webhook_generic(json_t *note);
/* PagerDuty's severity for a midwatch one. */
const char *net_pagerduty_severity(const char *severity);
#define NET_PAGERDUTY_URL "https://events.pagerduty.com/v2/enqueue"

#endif
