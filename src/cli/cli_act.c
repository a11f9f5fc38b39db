/*
 * cli_act.c - `midwatch act RECOMMENDATION_ID ACTION [options]`: requests
 * an action on a recommendation -- send_message to a channel,
 * create_or_update_task in the team's tracker (one task per incident),
 * set_reminder -- as the console's key does: a feedback event
 * (recommendation_action_requested) whose recording creates the action
 * run, which `midwatch notify`, every `midwatch run` and the console's
 * runner deliver with the channels' retry policy.  `midwatch act --list
 * [--incident N] [--json]` shows the runs: status, attempts, next retry,
 * error, result.
 *
 * Exit 0 requested (or already requested under the same --key), 1 an
 * unknown recommendation or channel, a channel that does not suit the
 * action, --readonly, a database error; 2 a usage error (an unknown
 * action, a bad --in or --at, a missing --channel).  Nothing is written
 * unless it exits 0.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "midwatch/cli.h"
#include "midwatch/db.h"
#include "midwatch/feedback.h"
#include "midwatch/jsonx.h"
#include "midwatch/model.h"
#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/uuid.h"
#include "midwatch/xmalloc.h"

/* What a run's "next" column says: when it is due, or when it finished. */
static void
act_when(const struct mw_action_run *a, char *out, size_t len)
{
	if (strcmp(a->status, "pending") == 0 || strcmp(a->status,
	    "running") == 0)
		timefmt_format(a->next_retry_at, out, len);
	else
		snprintf(out, len, "-");
}

/* act --list [--incident N] [--json] */
static int
act_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *inc = cli_args_get(a, "incident");
	struct mw_action_run *v;
	long long incident = 0;
	char *cause = NULL, when[40], tries[16], *err, *who;
	json_t *arr;
	size_t i, n;

	if (inc != NULL && cli_parse_id(inc, &incident) != 0)
		return cli_usage_error(a->cmd, "--incident must be a positive "
		    "number, not %s", inc);
	ctx->need = CLI_ROLE_VIEWER;
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail("act", cause);
	v = model_actions_load(ctx->db, ctx->project_id, incident, &n, &cause);
	if (v == NULL && cause != NULL)
		return cli_fail("act", cause);
	if (cli_args_has(a, "json")) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, model_action_to_json(&v[i]));
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(arr);
	} else {
		printf("%-6s %-6s %-6s %-21s %-12s %-9s %-8s %-20s %s\n", "RUN",
		    "RECO", "INC", "ACTION", "CHANNEL", "STATUS", "ATTEMPTS",
		    "NEXT", "ERROR / RESULT");
		for (i = 0; i < n; i++) {
			act_when(&v[i], when, sizeof when);
			if (v[i].max_retries < 0)
				snprintf(tries, sizeof tries, "?");
			else
				snprintf(tries, sizeof tries, "%d",
				    v[i].max_retries + 1);
			err = cli_clip(v[i].error != NULL ? v[i].error :
			    v[i].result, 80);
			who = cli_clip(v[i].channel, 12);
			printf("%-6lld %-6lld %-6lld %-21s %-12s %-9s %d/%-6s "
			    "%-20s %s\n", v[i].id, v[i].recommendation_id,
			    v[i].incident_id, v[i].action, who, v[i].status,
			    v[i].attempts, tries, when, err);
			free(who);
			free(err);
		}
	}
	model_actions_free(v, n);
	return MW_EXIT_OK;
}

/* The run recorded under key, or 0. */
static long long
act_run_of(struct cli_ctx *ctx, const char *key)
{
	struct db_res *r;
	char project[24], *cause = NULL;
	long long id = 0;

	snprintf(project, sizeof project, "%lld", ctx->project_id);
	r = DBQN(ctx->db, &cause, "cli/act_run", project, key);
	if (r != NULL && db_res_rows(r) == 1)
		id = db_val_ll(r, 0, "id");
	db_res_free(r);
	free(cause);
	return id;
}

/* act RECOMMENDATION_ID ACTION [--channel NAME] [--text TEXT]
 * [--at TS | --in DURATION] [--key K] | --list [--incident N] [--json] */
int
cmd_act(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct feedback fb;
	struct feedback_result res;
	const char *key = cli_args_get(a, "key"), *action, *ch, *at;
	char *cause = NULL, uuid[UUID_STRLEN], *made = NULL, *who, *what;
	time_t now = time(NULL);
	int rc;

	if (cli_args_has(a, "list")) {
		if (a->argc > 1)
			return cli_usage_error(a->cmd, "--list takes no "
			    "recommendation or action");
		return act_list(ctx, a);
	}
	if (a->argc != 3)
		return cli_usage_error(a->cmd, "needs a recommendation and an "
		    "action (%s), or --list", FEEDBACK_ACTIONS);
	if (ctx->opts.readonly)
		return cli_refuse_readonly("act");
	memset(&fb, 0, sizeof fb);
	if (cli_parse_id(a->argv[1], &fb.target_id) != 0)
		return cli_usage_error(a->cmd, "RECOMMENDATION_ID must be a "
		    "positive number, not %s", a->argv[1]);
	action = a->argv[2];
	fb.payload = feedback_act_request(action, cli_args_get(a, "channel"),
	    cli_args_get(a, "text"), cli_args_get(a, "at"),
	    cli_args_get(a, "in"), (double)now, &cause);
	if (fb.payload == NULL) {
		rc = cli_usage_error(a->cmd, "%s", cause);
		free(cause);
		return rc;
	}
	if (key != NULL && cli_feedback_key_check("act", key) != 0) {
		json_decref(fb.payload);
		return MW_EXIT_USAGE;
	}
	if (cli_connect(ctx, &cause) != 0) {
		json_decref(fb.payload);
		return cli_fail("act", cause);
	}
	if (key == NULL) {
		uuid_v4(uuid);
		key = made = xasprintf("cli:%s", uuid);
	}
	fb.action = FB_REC_ACT;
	fb.target_kind = "recommendation";
	fb.project_id = ctx->project_id;
	fb.actor = ctx->actor;
	fb.idempotency_key = key;
	rc = feedback_record(ctx->db, &fb, &res, &cause);
	if (rc < 0) {
		free(made);
		json_decref(fb.payload);
		return cli_fail("act", cause);
	}
	ch = jsonx_str(fb.payload, "channel", 0, NULL);
	at = jsonx_str(fb.payload, "at", 0, NULL);
	what = xasprintf("%s%s%s%s%s", action, ch != NULL ? " on channel " : "",
	    ch != NULL ? ch : "", at != NULL ? " at " : "", at != NULL ? at : "");
	who = sanitize_text(ctx->actor, 0);
	printf("%srecommendation %lld: %s requested by %s (action run %lld; "
	    "midwatch act --list)\n", rc == 1 ? "already recorded: " : "",
	    fb.target_id, what, who, act_run_of(ctx, key));
	free(who);
	free(what);
	free(made);
	json_decref(fb.payload);
	return MW_EXIT_OK;
}
