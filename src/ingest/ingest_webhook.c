/*
 * ingest_webhook.c - the driver's side of an Alertmanager webhook body:
 * every alert of it goes through ingest_am_alert (which validates it as an
 * `alert` line) into the batch, like any record; an alert that cannot be
 * ingested becomes a dead letter whose payload is that alert alone
 * (redacted) and whose reason names it ("alerts[2] (HighLatency): missing
 * required field \"startsAt\""), and the body's other alerts are kept.
 * A body whose "alerts" is not an array is one dead letter.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest_int.h"
#include "midwatch/ingest.h"
#include "midwatch/xmalloc.h"

/* Dead-letters alert i of a body (reason owned). */
static int
webhook_dead(struct ingest *in, json_t *alert, size_t i, long long line,
    char *why, char **cause)
{
	/* the name is cut to 64 bytes in the reason: redacted before */
	const char *an = json_string_value(json_object_get(json_object_get(alert,
	    "labels"), "alertname"));
	char *name = an != NULL ? ingest_quote(an, strlen(an), 64) : NULL;
	char *dump, *payload, *reason;

	dump = json_dumps(alert, JSON_COMPACT | JSON_ENCODE_ANY);
	payload = ingest_dead_payload(dump != NULL ? dump : "",
	    dump != NULL ? strlen(dump) : 0, dump != NULL ? strlen(dump) : 0);
	free(dump);
	if (name != NULL)
		reason = xasprintf("alertmanager alerts[%zu] (%s): %s", i, name,
		    why);
	else
		reason = xasprintf("alertmanager alerts[%zu]: %s", i, why);
	free(why);
	free(name);
	return ingest_add_dead(in, line, payload, reason, cause);
}

/* Ingests a webhook body (see ingest_int.h). */
int
ingest_webhook_body(struct ingest *in, json_t *body, long long line,
    size_t bytes, char **cause)
{
	struct ingest_rec recs[2];
	json_t *alerts = json_object_get(body, "alerts"), *a, *tr;
	time_t clock = time(NULL);
	double now = (double)clock;
	char *why = NULL, *dump, *payload;
	size_t i, n, share;
	int nrecs, j;

	in->stats.am_bodies++;
	if (!json_is_array(alerts)) {
		dump = json_dumps(body, JSON_COMPACT);
		if (dump == NULL)
			dump = xstrdup("");
		payload = ingest_dead_payload(dump, strlen(dump), strlen(dump));
		free(dump);
		return ingest_add_dead(in, line, payload, xstrdup("alertmanager "
		    "webhook body: field \"alerts\" must be an array"), cause);
	}
	tr = json_object_get(body, "truncatedAlerts");
	if (json_is_integer(tr) && json_integer_value(tr) > 0)
		in->stats.am_truncated += json_integer_value(tr);
	n = json_array_size(alerts);
	share = n > 0 ? bytes / n : bytes;
	json_array_foreach(alerts, i, a) {
		in->stats.am_alerts++;
		if (ingest_am_alert(body, i, now, recs, &nrecs, &why) != 0) {
			if (webhook_dead(in, a, i, line, why, cause) != 0)
				return -1;
			why = NULL;
			continue;
		}
		if (nrecs == 2)
			in->stats.am_resolved++;
		for (j = 0; j < nrecs; j++) {
			if (ingest_add_record(in, &recs[j], line, share, cause) != 0) {
				for (j++; j < nrecs; j++)
					ingest_kinds_clear(&recs[j]);
				return -1;
			}
		}
	}
	return 0;
}
