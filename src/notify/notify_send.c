/*
 * notify_send.c - sending one body to one channel: the body for its kind,
 * the secret loaded at send time (PagerDuty routing key into the body,
 * webhook bearer token into a header, a Slack URL as the URL), the
 * Idempotency-Key header, and `channels test`.  The secret is wiped when
 * the exchange ends and redacted from whatever comes back.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/net.h"
#include "midwatch/notify.h"
#include "midwatch/redact.h"
#include "midwatch/sanitize.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"
#include "notify_int.h"

/* How much of a refusing target's answer is kept with the attempt. */
#define OUTCOME_BODY_MAX 200

/* The body for a kind (see notify_int.h). */
json_t *
notify_body(const char *kind, json_t *note)
{
	if (strcmp(kind, "slack") == 0)
		return net_webhook_slack(note);
	if (strcmp(kind, "pagerduty") == 0)
		return net_webhook_pagerduty(note);
	if (strcmp(kind, "webhook") == 0)
		return net_webhook_generic(note);
	return NULL;
}

/* 1 if the channel has a secret configured. */
static int
has_secret(const struct notify_channel *ch)
{
	return json_object_get(ch->settings, "key-env") != NULL ||
	    json_object_get(ch->settings, "key-file") != NULL;
}

/* Sends body (see notify_int.h). */
int
notify_send(const struct notify_channel *ch, json_t *body,
    const char *idempotency_key, struct net_response *resp)
{
	return notify_send_with(ch, body, idempotency_key, NULL, resp);
}

/* Sends body with one more header (see notify_int.h). */
int
notify_send_with(const struct notify_channel *ch, json_t *body,
    const char *idempotency_key, const char *header,
    struct net_response *resp)
{
	struct net_request req;
	const char *headers[5], *secrets[2] = { NULL, NULL };
	char *secret = NULL, *text = NULL, *idem = NULL, *auth = NULL;
	char *cause = NULL;
	json_t *sent = NULL;
	struct net_retry r;
	int n = 0, rc, timeout_ms;

	memset(resp, 0, sizeof *resp);
	memset(&req, 0, sizeof req);
	resp->retry_after = -1;
	if (has_secret(ch) && (secret = net_secret_load(jsonx_str(ch->settings,
	    "key-env", 0, NULL), jsonx_str(ch->settings, "key-file", 0, NULL),
	    &cause)) == NULL) {
		resp->body = xstrdup("");
		resp->error = cause;
		return -1;
	}
	secrets[0] = secret;
	req.url = ch->url;
	sent = json_incref(body);
	if (strcmp(ch->kind, "pagerduty") == 0) {
		if (secret == NULL) {
			resp->body = xstrdup("");
			resp->error = xstrdup("no routing key: set key-env or "
			    "key-file on the channel");
			json_decref(sent);
			return -1;
		}
		/* A copy: the stored body never holds the key. */
		json_decref(sent);
		sent = json_deep_copy(body);
		json_object_set_new(sent, "routing_key", json_string(secret));
	} else if (strcmp(ch->kind, "slack") == 0 && secret != NULL &&
	    ch->url == NULL)
		req.url = secret;
	else if (strcmp(ch->kind, "webhook") == 0 && secret != NULL) {
		auth = xasprintf("Authorization: Bearer %s", secret);
		headers[n++] = auth;
	}
	if (req.url == NULL) {
		resp->body = xstrdup("");
		resp->error = xstrdup("the channel has no URL");
		rc = -1;
		goto out;
	}
	idem = xasprintf("Idempotency-Key: %s", idempotency_key);
	headers[n++] = idem;
	if (header != NULL)
		headers[n++] = header;
	headers[n] = NULL;
	text = json_dumps(sent, NOTIFY_JSON_FLAGS);
	notify_channel_policy(ch, &r, &timeout_ms);
	req.method = NET_POST;
	req.body = text;
	req.headers = headers;
	req.timeout_ms = timeout_ms;
	req.secrets = secrets;
	rc = net_request(&req, resp);
	net_redact(resp->body, secrets);
	net_redact(resp->error, secrets);
out:
	if (text != NULL) {
		memset(text, 0, strlen(text));
		free(text);
	}
	if (auth != NULL) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	free(idem);
	json_decref(sent);
	net_secret_free(secret);
	return rc;
}

/* What an outcome was (see notify_int.h).  It is stored and shown: the
 * secrets a receiver's error page or the transport's message may echo (a
 * token, a URL with its password) are replaced first (redact_text), before
 * the body is cut. */
char *
notify_outcome(const struct net_response *resp)
{
	char *clean, *masked, *s;
	size_t n;

	if (resp->error != NULL) {
		masked = redact_text(resp->error, NULL);
		s = xasprintf("%s%s", resp->timed_out ? "timeout: " : "",
		    masked);
		free(masked);
		return s;
	}
	if (resp->status >= 200 && resp->status <= 299)
		return NULL;
	masked = redact_text(resp->body != NULL ? resp->body : "", NULL);
	clean = sanitize_text(masked, 0);
	free(masked);
	n = strlen(clean);
	while (n > 0 && clean[n - 1] == ' ')
		clean[--n] = '\0';
	n = utf8_boundary(clean, OUTCOME_BODY_MAX);
	s = xasprintf("HTTP %ld%s%.*s%s", resp->status, n > 0 ? ": " : "",
	    (int)n, clean, clean[n] != '\0' ? "..." : "");
	free(clean);
	return s;
}

/* Sends one test event to ch; 0 ok or 1 refused, *report says. */
static int
test_send(const struct notify_channel *ch, const char *event,
    const char *key, char **report)
{
	struct net_response resp;
	json_t *note, *body;
	char *why, idem[64];
	int rc;

	snprintf(idem, sizeof idem, "%s-%s", key, event);
	note = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[]}", "event", event,
	    "key", key, "idempotency_key", idem, "summary",
	    "midwatch test notification", "severity", "info", "alerts");
	body = notify_body(ch->kind, note);
	notify_send(ch, body, idem, &resp);
	why = notify_outcome(&resp);
	if (why == NULL) {
		*report = xasprintf("%s: HTTP %ld in %ld ms", event, resp.status,
		    resp.elapsed_ms);
		rc = 0;
	} else {
		*report = xasprintf("%s: %s", event, why);
		rc = 1;
	}
	free(why);
	net_response_free(&resp);
	json_decref(body);
	json_decref(note);
	return rc;
}

/* Sends a test notification now (see notify.h). */
int
notify_channel_test(struct db *db, long long project_id, const char *name,
    char **report, char **cause)
{
	struct notify_channel ch;
	char project[24], key[96], *r1 = NULL, *r2 = NULL;
	int rc;

	*report = NULL;
	snprintf(project, sizeof project, "%lld", project_id);
	rc = notify_channel_load(db, project, name, &ch, cause);
	if (rc != 0)
		return rc < 0 ? -1 : 2;
	if (strcmp(ch.kind, "log") == 0) {
		log_info("notification test on channel %s", ch.name);
		*report = xstrdup("written to the log");
		notify_channel_free(&ch);
		return 0;
	}
	snprintf(key, sizeof key, "midwatch-test-%s-%lld", ch.name,
	    (long long)time(NULL));
	rc = test_send(&ch, strcmp(ch.kind, "pagerduty") == 0 ? "trigger" :
	    "test", key, &r1);
	/* A test page is resolved at once, so nobody is woken for it. */
	if (rc == 0 && strcmp(ch.kind, "pagerduty") == 0) {
		rc = test_send(&ch, "resolve", key, &r2);
		*report = xasprintf("%s, %s", r1, r2);
		free(r1);
		free(r2);
	} else
		*report = r1;
	notify_channel_free(&ch);
	return rc;
}
