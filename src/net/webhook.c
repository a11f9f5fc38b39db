/*
 * webhook.c - the bodies midwatch POSTs to notification targets, built from
 * one notification object (net.h describes it): a Slack-compatible incoming
 * webhook message (text plus blocks), a PagerDuty Events API v2 event, and
 * the generic JSON webhook document.  Pure JSON work, no I/O, so the shapes
 * are tested without a network; secrets are added by the caller at send
 * time and never pass through here.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/net.h"
#include "midwatch/units.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"

/* Slack's limits: header text, section text; PagerDuty's summary. */
#define SLACK_HEADER_MAX 150
#define SLACK_SECTION_MAX 3000
#define PD_SUMMARY_MAX 1024
/* At most this many alerts and evidence items are listed in a message. */
#define LIST_MAX 10

/* A string member, or def. */
static const char *
str(json_t *o, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : def;
}

/* A new JSON string of s cut to max bytes at a character boundary. */
static json_t *
str_cut(const char *s, size_t max)
{
	size_t n = utf8_boundary(s, max);

	return json_stringn(s, n);
}

/* Appends s to b escaped for Slack mrkdwn (&, <, >). */
static void
slack_esc(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		default: buf_addc(b, *s); break;
		}
	}
}

/* A Slack block: a mrkdwn section holding b's text (emptied). */
static json_t *
slack_section(struct buf *b)
{
	json_t *t = str_cut(buf_str(b), SLACK_SECTION_MAX);

	buf_reset(b);
	return json_pack("{s:s, s:{s:s, s:o}}", "type", "section", "text",
	    "type", "mrkdwn", "text", t);
}

/* The verb of an event for headlines. */
static const char *
event_word(const char *event)
{
	if (strcmp(event, "acknowledge") == 0)
		return "Acknowledged";
	if (strcmp(event, "resolve") == 0)
		return "Resolved";
	if (strcmp(event, "test") == 0)
		return "Test";
	if (strcmp(event, "message") == 0)
		return "Message";
	if (strcmp(event, "reminder") == 0)
		return "Reminder";
	return "Triggered";
}

/* The incident section of a Slack message. */
static void
slack_incident(struct buf *b, json_t *inc)
{
	buf_printf(b, "*Incident %lld*", (long long)json_integer_value(
	    json_object_get(inc, "id")));
	if (json_object_get(inc, "service") != NULL &&
	    json_is_string(json_object_get(inc, "service"))) {
		buf_adds(b, " on *");
		slack_esc(b, str(inc, "service", ""));
		buf_adds(b, "*");
	}
	buf_adds(b, " · severity *");
	slack_esc(b, str(inc, "severity", "?"));
	buf_adds(b, "* · ");
	slack_esc(b, str(inc, "status", "?"));
	if (json_is_string(json_object_get(inc, "window_start"))) {
		buf_adds(b, "\nsince ");
		slack_esc(b, str(inc, "window_start", ""));
	}
	if (*str(inc, "title", "") != '\0') {
		buf_adds(b, "\n");
		slack_esc(b, str(inc, "title", ""));
	}
}

/* The top hypothesis and the evidence it cites, for Slack. */
static void
slack_hypothesis(struct buf *b, json_t *h)
{
	json_t *ev, *e;
	char conf[16];
	size_t i;

	units_confidence(json_number_value(json_object_get(h, "confidence")),
	    conf, sizeof conf);
	buf_printf(b, "*Top hypothesis* (%s, confidence %s): ",
	    str(h, "type", "?"), conf);
	slack_esc(b, str(h, "title", ""));
	ev = json_object_get(h, "evidence");
	json_array_foreach(ev, i, e) {
		if (i >= LIST_MAX) {
			buf_printf(b, "\n… %zu more", json_array_size(ev) - i);
			break;
		}
		buf_adds(b, "\n• ");
		slack_esc(b, str(e, "role", "?"));
		buf_adds(b, ": _");
		slack_esc(b, str(e, "kind", "?"));
		buf_adds(b, "_ ");
		slack_esc(b, str(e, "summary", ""));
	}
}

/* The alerts of the message, for Slack. */
static void
slack_alerts(struct buf *b, json_t *alerts)
{
	json_t *a;
	size_t i;

	buf_printf(b, "*Alerts (%zu)*", json_array_size(alerts));
	json_array_foreach(alerts, i, a) {
		if (i >= LIST_MAX) {
			buf_printf(b, "\n… %zu more", json_array_size(alerts) - i);
			break;
		}
		buf_adds(b, "\n• [");
		slack_esc(b, str(a, "severity", "?"));
		buf_adds(b, "] ");
		slack_esc(b, str(a, "title", ""));
	}
}

/* The Slack incoming-webhook body (see net.h). */
json_t *
net_webhook_slack(json_t *note)
{
	json_t *blocks = json_array(), *v, *body;
	struct buf b;
	char head[SLACK_HEADER_MAX + 1];

	buf_init(&b);
	utf8_snprintf(head, sizeof head, "%s [%s] %s",
	    event_word(str(note, "event", "trigger")),
	    str(note, "severity", "info"), str(note, "summary", "midwatch"));
	json_array_append_new(blocks, json_pack("{s:s, s:{s:s, s:s}}", "type",
	    "header", "text", "type", "plain_text", "text", head));
	if (json_is_object(v = json_object_get(note, "incident"))) {
		slack_incident(&b, v);
		json_array_append_new(blocks, slack_section(&b));
	}
	if (json_is_object(v = json_object_get(note, "hypothesis"))) {
		slack_hypothesis(&b, v);
		json_array_append_new(blocks, slack_section(&b));
	}
	if (json_array_size(v = json_object_get(note, "alerts")) > 0) {
		slack_alerts(&b, v);
		json_array_append_new(blocks, slack_section(&b));
	}
	buf_adds(&b, "midwatch · ");
	slack_esc(&b, str(note, "key", ""));
	json_array_append_new(blocks, json_pack("{s:s, s:[{s:s, s:o}]}", "type",
	    "context", "elements", "type", "mrkdwn", "text",
	    str_cut(buf_str(&b), SLACK_SECTION_MAX)));
	/* "text" (mrkdwn, escaped) is what notifications and clients without
	 * blocks show. */
	buf_reset(&b);
	slack_esc(&b, head);
	body = json_pack("{s:o, s:o}", "text", str_cut(buf_str(&b),
	    SLACK_SECTION_MAX), "blocks", blocks);
	buf_free(&b);
	return body;
}

/* PagerDuty's severity (critical, error, warning, info) for ours. */
const char *
net_pagerduty_severity(const char *severity)
{
	if (severity == NULL)
		return "warning";
	if (strcmp(severity, "critical") == 0)
		return "critical";
	if (strcmp(severity, "high") == 0)
		return "error";
	if (strcmp(severity, "low") == 0 || strcmp(severity, "info") == 0)
		return "info";
	return "warning";
}

/* The PagerDuty Events v2 body without routing_key (see net.h). */
json_t *
net_webhook_pagerduty(json_t *note)
{
	const char *event = str(note, "event", "trigger");
	json_t *inc = json_object_get(note, "incident");
	json_t *hyp = json_object_get(note, "hypothesis");
	json_t *details, *body;
	const char *service = str(inc, "service", NULL);

	if (strcmp(event, "acknowledge") == 0 || strcmp(event, "resolve") == 0)
		return json_pack("{s:s, s:s}", "event_action", event,
		    "dedup_key", str(note, "key", ""));
	details = json_object();
	if (json_is_object(inc))
		json_object_set(details, "incident", inc);
	if (json_is_object(hyp))
		json_object_set(details, "top_hypothesis", hyp);
	if (json_is_array(json_object_get(note, "alerts")))
		json_object_set(details, "alerts", json_object_get(note,
		    "alerts"));
	body = json_pack("{s:s, s:s, s:s, s:{s:o, s:s, s:s, s:o}}",
	    "event_action", "trigger", "dedup_key", str(note, "key", ""),
	    "client", "midwatch",
	    "payload", "summary", str_cut(str(note, "summary", "midwatch"),
	    PD_SUMMARY_MAX), "source", service != NULL ? service : "midwatch",
	    "severity", net_pagerduty_severity(str(note, "severity", NULL)),
	    "custom_details", details);
	if (service != NULL)
		json_object_set_new(json_object_get(body, "payload"),
		    "component", json_string(service));
	if (json_is_object(hyp))
		json_object_set_new(json_object_get(body, "payload"), "class",
		    json_string(str(hyp, "type", "unknown")));
	return body;
}

/* The generic webhook document: the notification itself, versioned. */
json_t *
net_webhook_generic(json_t *note)
{
	json_t *body = json_deep_copy(note);

	json_object_set_new(body, "version", json_integer(1));
	json_object_set_new(body, "source", json_string("midwatch"));
	return body;
}
