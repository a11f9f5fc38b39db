/*
 * notify_render.c - what a notification says: the note of a claimed
 * message (net.h describes it) read from the database - the alerts of its
 * group, the incident, the top hypothesis and the evidence it cites - with
 * a severity and a one-line summary, turned into the body for the
 * channel's kind and stored with the message, so every retry sends the
 * very same document.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/severity.h"
#include "midwatch/units.h"
#include "midwatch/xmalloc.h"
#include "notify_int.h"

/* Adds severity (the worst of the incident's and the alerts') and a one-line
 * summary to a notification. */
static void
notify_summarise(json_t *note)
{
	json_t *inc = json_object_get(note, "incident");
	json_t *hyp = json_object_get(note, "hypothesis");
	json_t *alerts = json_object_get(note, "alerts"), *a;
	const char *sev = jsonx_str(inc, "severity", 0, NULL);
	const char *ev = jsonx_str(note, "event", 0, NULL);
	struct buf b;
	size_t i;

	json_array_foreach(alerts, i, a)
		if (severity_rank(jsonx_str(a, "severity", 0, NULL)) > severity_rank(sev))
			sev = jsonx_str(a, "severity", 0, NULL);
	json_object_set_new(note, "severity", json_string(sev ? sev : "medium"));
	buf_init(&b);
	if (json_is_object(inc)) {
		buf_printf(&b, "Incident %lld", (long long)json_integer_value(
		    json_object_get(inc, "id")));
		if (jsonx_str(inc, "service", 0, NULL) != NULL)
			buf_printf(&b, " on %s", jsonx_str(inc, "service", 0,
			    NULL));
		if (jsonx_str(inc, "title", 0, NULL) != NULL)
			buf_printf(&b, ": %s", jsonx_str(inc, "title", 0, NULL));
	} else if (json_array_size(alerts) > 0)
		buf_printf(&b, "%s", jsonx_str(json_array_get(alerts, 0),
		    "title", 0, NULL) ? jsonx_str(json_array_get(alerts, 0),
		    "title", 0, NULL) : "alert");
	else
		buf_printf(&b, "%s", jsonx_str(note, "key", 0, NULL));
	if (ev != NULL && strcmp(ev, "trigger") == 0) {
		if (json_array_size(alerts) > 1)
			buf_printf(&b, " (%zu alerts)", json_array_size(alerts));
		if (json_is_object(hyp)) {
			char conf[16];

			units_confidence(json_number_value(json_object_get(hyp,
			    "confidence")), conf, sizeof conf);
			buf_printf(&b, " - top hypothesis: %s (%s)",
			    jsonx_str(hyp, "title", 0, NULL) ? jsonx_str(hyp,
			    "title", 0, NULL) : "?", conf);
		}
	}
	json_object_set_new(note, "summary", json_string(buf_str(&b)));
	buf_free(&b);
}

/* Renders the body of a claimed message for its channel and stores it. */
int
notify_render(struct db *db, const char *project, struct notify_msg *m,
    char **cause)
{
	struct db_res *r;
	json_error_t jerr;
	json_t *note;
	char *txt;

	r = DBQN(db, cause, "notify/note", project, m->id);
	if (r == NULL)
		return -1;
	note = json_loads(db_val(r, 0, "note"), 0, &jerr);
	db_res_free(r);
	if (note == NULL) {
		*cause = xasprintf("notification %s: %s", m->id, jerr.text);
		return -1;
	}
	notify_summarise(note);
	if (strcmp(m->ch.kind, "log") == 0)
		m->body = json_incref(note);
	else
		m->body = notify_body(m->ch.kind, note);
	json_decref(note);
	txt = json_dumps(m->body, NOTIFY_JSON_FLAGS);
	r = DBQN(db, cause, "notify/store_body", project, m->id, txt);
	free(txt);
	if (r == NULL)
		return -1;
	/* What is sent is what was stored, so a retry sends the very same
	 * document as the first attempt. */
	json_decref(m->body);
	m->body = json_loads(db_val(r, 0, "body"), 0, &jerr);
	db_res_free(r);
	if (m->body == NULL) {
		*cause = xasprintf("notification %s: %s", m->id, jerr.text);
		return -1;
	}
	return 0;
}

