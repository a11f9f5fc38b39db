/*
 * cli_feedback.c - operator feedback from scripts: `ack|resolve|silence|
 * unsilence ALERT_ID`, `confirm|reject HYPOTHESIS_ID`, `dismiss|done
 * RECOMMENDATION_ID` and `note KIND ID TEXT`.  Each records the same event
 * as the console's key through feedback_record(), under the same rules
 * (feedback_check, feedback_parse_silence: one set for both), and prints
 * one line saying what happened, side effects included ("alert 12
 * acknowledged by alice; its silence ends").  Exit 0 when recorded or
 * already recorded, 1 on an error (unknown id, an action refused for the
 * target's status), 2 on a usage error.
 *
 * Each invocation is one operator intent with one idempotency key: `--key K`
 * (a script that retries passes the same K, and a retry records nothing
 * more), else a random one ("cli:<uuid>").
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/buf.h"
#include "midwatch/cli.h"
#include "midwatch/feedback.h"
#include "midwatch/sanitize.h"
#include "midwatch/timefmt.h"
#include "midwatch/uuid.h"
#include "midwatch/xmalloc.h"

/* The commands handled here and the action each records. */
static const struct {
	const char *name;
	enum feedback_action action;
} cli_fb_cmds[] = {
	{ "ack", FB_ALERT_ACK },
	{ "resolve", FB_ALERT_RESOLVE },
	{ "silence", FB_ALERT_SILENCE },
	{ "unsilence", FB_ALERT_UNSILENCE },
	{ "confirm", FB_HYP_CONFIRM },
	{ "reject", FB_HYP_REJECT },
	{ "dismiss", FB_REC_DISMISS },
	{ "done", FB_REC_DONE },
};

/* Checks a --key value: 1 to FEEDBACK_KEY_MAX bytes, no control
 * characters; 0, or -1 after printing why (a usage error). */
int
cli_feedback_key_check(const char *cmd, const char *key)
{
	const unsigned char *p;

	for (p = (const unsigned char *)key; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			break;
	if (*key != '\0' && *p == '\0' && strlen(key) <= FEEDBACK_KEY_MAX)
		return 0;
	fprintf(stderr, "midwatch: %s: --key must be 1 to %d bytes without "
	    "control characters\n", cmd, FEEDBACK_KEY_MAX);
	return -1;
}

/* Connects, records fb (under key, or a new one) and prints the outcome;
 * returns the exit code. */
static int
cli_fb_record(struct cli_ctx *ctx, const char *cmd, struct feedback *fb,
    const char *key, const char *suffix)
{
	const char *kind = fb->target_kind, *effect;
	struct feedback_result res;
	char *cause = NULL, *who, uuid[UUID_STRLEN], *made = NULL;
	int rc;

	if (key != NULL && cli_feedback_key_check(cmd, key) != 0)
		return MW_EXIT_USAGE;
	if (cli_connect(ctx, &cause) != 0)
		return cli_fail(cmd, cause);
	if (key == NULL) {
		uuid_v4(uuid);
		key = made = xasprintf("cli:%s", uuid);
	}
	fb->project_id = ctx->project_id;
	fb->actor = ctx->actor;
	fb->idempotency_key = key;
	rc = feedback_record(ctx->db, fb, &res, &cause);
	free(made);
	if (rc < 0)
		return cli_fail(cmd, cause);
	who = sanitize_text(ctx->actor, 0);
	effect = rc == 0 ? feedback_effect(fb->action, res.was) : NULL;
	if (fb->action == FB_NOTE)
		printf("%snote added to %s %lld by %s\n",
		    rc == 1 ? "already recorded: " : "", kind, fb->target_id, who);
	else
		printf("%s%s %lld %s by %s%s%s%s%s\n",
		    rc == 1 ? "already recorded: " : "", kind, fb->target_id,
		    feedback_verb(fb->action), who, suffix != NULL ? suffix : "",
		    rc == 2 ? " (it was " : effect != NULL ? "; " : "",
		    rc == 2 ? res.was : effect != NULL ? effect : "",
		    rc == 2 ? " already)" : "");
	free(who);
	/* an ack, silence or resolution of an Alertmanager alert goes back
	 * there now (retried by later runs when it cannot) */
	if (rc != 1 && fb->action != FB_NOTE)
		cli_silences_push(ctx, cmd);
	return MW_EXIT_OK;
}

/* ack|resolve|silence|unsilence|confirm|reject|dismiss|done ID [options]. */
int
cmd_feedback(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct feedback fb;
	const char *cmd = a->argv[0], *dur = cli_args_get(a, "for");
	const char *key = cli_args_get(a, "key");
	char suffix[64] = "", until[32], *cause = NULL;
	int secs, rc, root_cause = cli_args_has(a, "root-cause");
	size_t i;

	memset(&fb, 0, sizeof fb);
	for (i = 0; i < MW_ARRAY_LEN(cli_fb_cmds); i++)
		if (strcmp(cli_fb_cmds[i].name, cmd) == 0)
			fb.action = cli_fb_cmds[i].action;
	fb.target_kind = feedback_target_kind(fb.action);
	if (cli_parse_id(a->argv[1], &fb.target_id) != 0)
		return cli_usage_error(a->cmd, "%s must be a positive number, "
		    "not %s", a->cmd->args, a->argv[1]);
	if (fb.action == FB_ALERT_SILENCE) {
		/* the console's prompt reads it the same way */
		if (feedback_parse_silence(dur, &secs, &cause) != 0) {
			rc = cli_usage_error(a->cmd, "--for: %s", cause);
			free(cause);
			return rc;
		}
		fb.payload = json_pack("{sI}", "seconds", (json_int_t)secs);
		timefmt_age((double)secs, until, sizeof until);
		snprintf(suffix, sizeof suffix, " for %s", until);
	} else if (fb.action == FB_HYP_CONFIRM) {
		fb.payload = json_pack("{sb}", "root_cause", root_cause);
		if (root_cause)
			snprintf(suffix, sizeof suffix, " as the root cause");
	}
	rc = cli_fb_record(ctx, cmd, &fb, key, suffix);
	json_decref(fb.payload);
	return rc;
}

/* note [--key K] KIND ID TEXT... (the words of TEXT are joined by spaces;
 * --key only before KIND, so the text may hold anything). */
int
cmd_note(struct cli_ctx *ctx, const struct cli_args *a)
{
	static const char *kinds[] = { "incident", "hypothesis", "recommendation",
	    "alert", "evidence" };
	struct feedback fb;
	struct buf text;
	const char *key = NULL;
	size_t i;
	int w, rc, known = 0;

	key = cli_args_get(a, "key");
	memset(&fb, 0, sizeof fb);
	for (i = 0; i < MW_ARRAY_LEN(kinds); i++)
		if (strcmp(a->argv[1], kinds[i]) == 0)
			known = 1;
	if (!known)
		return cli_usage_error(a->cmd, "cannot annotate a %s: the kind is "
		    "incident, hypothesis, recommendation, alert or evidence",
		    a->argv[1]);
	if (cli_parse_id(a->argv[2], &fb.target_id) != 0)
		return cli_usage_error(a->cmd, "ID must be a positive number, "
		    "not %s", a->argv[2]);
	buf_init(&text);
	for (w = 3; w < a->argc; w++) {
		if (w > 3)
			buf_addc(&text, ' ');
		buf_adds(&text, a->argv[w]);
	}
	fb.action = FB_NOTE;
	fb.target_kind = a->argv[1];
	fb.payload = json_pack("{ss}", "text", buf_str(&text));
	buf_free(&text);
	if (fb.payload == NULL)
		return cli_usage_error(a->cmd, "the text is not valid UTF-8");
	rc = cli_fb_record(ctx, "note", &fb, key, NULL);
	json_decref(fb.payload);
	return rc;
}
