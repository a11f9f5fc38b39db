/*
 * cli_alerts.c - `midwatch alerts [--all] [--json]`: the project's alerts as
 * `amtool alert query` lists Alertmanager's - id (what ack, resolve and
 * silence take), severity, status, start, source, service, title, labels
 * and silence - most severe first, then newest.  Without --all only the
 * alerts still needing attention (active, acknowledged, silenced with the
 * silence over).  Reads through model_alerts.c only, so it shows what the
 * console's Alerts pane shows.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/model.h"
#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"


/* Longest labels line of the table, in bytes. */
#define ALERTS_LABELS_MAX 240

/* "YYYY-MM-DD HH:MM" (UTC) of t into out, or "-" for 0. */
static void
alerts_time(double t, char *out, size_t len)
{
	char buf[32];

	if (t == 0) {
		snprintf(out, len, "-");
		return;
	}
	timefmt_format(t, buf, sizeof buf);
	snprintf(out, len, "%.10s %.5s", buf, buf + 11);
}

/* "k=v, k=v" of the labels sorted by name, sanitised and cut.  Malloc'd. */
static char *
alerts_labels(json_t *labels)
{
	const char **keys;
	json_t *v;
	struct buf b;
	size_t n, i = 0;
	char *line;

	keys = jsonx_sorted_keys(labels, &n);
	buf_init(&b);
	for (i = 0; i < n; i++) {
		v = json_object_get(labels, keys[i]);
		buf_printf(&b, "%s%s=%s", i > 0 ? ", " : "", keys[i],
		    json_is_string(v) ? json_string_value(v) : "?");
	}
	free(keys);
	line = cli_clip(buf_str(&b), ALERTS_LABELS_MAX);
	buf_free(&b);
	return line;
}

/* Prints the table. */
static void
alerts_table(const struct mw_alert_list *l, int all)
{
	const struct mw_alert_item *a;
	char started[24], until[24], *svc, *title, *src, *labels, *who;
	size_t i;

	if (l->n == 0) {
		printf("no %salerts\n", all ? "" : "active ");
		return;
	}
	printf("%-6s %-8s %-12s %-16s %-12s %-16s %s\n", "ID", "SEVERITY",
	    "STATUS", "STARTED (UTC)", "SOURCE", "SERVICE", "TITLE");
	for (i = 0; i < l->n; i++) {
		a = &l->items[i];
		alerts_time(a->started_at, started, sizeof started);
		src = cli_clip(a->source, 12);
		svc = cli_clip(a->service, 16);
		title = cli_clip(a->title, 70);
		printf("%-6lld %-8s %-12s %-16s %-12s %-16s %s\n", a->id,
		    a->severity, a->status, started, src, svc, title);
		free(src);
		free(svc);
		free(title);
		if (a->group_head_id != 0 && a->group_head_id == a->id)
			printf("       group head of %s: %d more alert%s\n",
			    a->group_key, a->group_members,
			    a->group_members == 1 ? "" : "s");
		else if (a->group_reason != NULL) {
			who = cli_clip(a->group_reason, 100);
			printf("       %s%s\n", a->group_inhibited ? "grouped: " :
			    "", who);
			free(who);
		}
		if (json_object_size(a->labels) > 0) {
			labels = alerts_labels(a->labels);
			printf("       labels: %s\n", labels);
			free(labels);
		}
		if (a->am_silence_state != NULL) {
			int live = strcmp(a->am_silence_state, "active") == 0 ||
			    strcmp(a->am_silence_state, "pending") == 0;

			alerts_time(a->am_silence_ends, until, sizeof until);
			who = cli_clip(a->am_silence_id, 40);
			printf("       alertmanager silence %s", a->am_silence_state);
			if (live)
				printf(" until %s UTC", until);
			if (a->am_silence_id != NULL)
				printf(" (id %s)", who);
			printf("\n");
			free(who);
			if (a->am_silence_error != NULL) {
				who = cli_clip(a->am_silence_error, 100);
				printf("       last attempt failed: %s\n", who);
				free(who);
			}
		}
		if (strcmp(a->status, "silenced") == 0 && a->silenced_until > 0) {
			alerts_time(a->silenced_until, until, sizeof until);
			who = cli_clip(a->silenced_by, 32);
			printf("       silenced until %s UTC by %s\n", until, who);
			free(who);
		} else if (strcmp(a->status, "acknowledged") == 0) {
			alerts_time(a->acked_at, until, sizeof until);
			who = cli_clip(a->acked_by, 32);
			printf("       acknowledged %s UTC by %s\n", until, who);
			free(who);
		} else if (strcmp(a->status, "resolved") == 0) {
			alerts_time(a->resolved_at, until, sizeof until);
			who = cli_clip(a->resolved_by, 32);
			printf("       resolved %s UTC by %s\n", until, who);
			free(who);
		}
	}
}

/* alerts [--all] [--json]. */
int
cmd_alerts(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct mw_alert_list *l;
	json_t *j;
	char *cause = NULL;
	int json = cli_args_has(a, "json"), all = cli_args_has(a, "all");

	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("alerts", cause);
	l = model_alerts_load(ctx->db, ctx->project_id, all, &cause);
	if (l == NULL)
		return cli_fail("alerts", cause);
	if (json) {
		j = model_alerts_to_json(l);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else
		alerts_table(l, all);
	model_alerts_free(l);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "midwatch: alerts: write error\n");
		return MW_EXIT_ERROR;
	}
	return MW_EXIT_OK;
}
