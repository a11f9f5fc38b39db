/*
 * cli_feedback.c - operator feedback from scripts: `ack|resolve|silence
 * ALERT_ID`, `confirm|reject HYPOTHESIS_ID`, `dismiss|done RECOMMENDATION_ID`
 * and `note KIND ID TEXT`.  Each records the same event as the console's key
 * through feedback_record(), and prints one line ("alert 12 acknowledged by
 * alice").  Exit 0 when recorded or already recorded, 1 on an error (unknown
 * id, a transition that makes no sense), 2 on a usage error.
 *
 * Each invocation is one operator intent with one idempotency key: `--key K`
 * (a script that retries passes the same K, and a retry records nothing
 * more), else a random one ("cli:<uuid>").
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
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

/* The subcommands handled here and the action each records. */
static const struct {
	const char *name;
	enum feedback_action action;
	const char *usage;
} cli_fb_cmds[] = {
	{ "ack", FB_ALERT_ACK, "ack ALERT_ID [--key K]" },
	{ "resolve", FB_ALERT_RESOLVE, "resolve ALERT_ID [--key K]" },
	{ "silence", FB_ALERT_SILENCE,
	    "silence ALERT_ID [--for DURATION] [--key K]" },
	{ "confirm", FB_HYP_CONFIRM,
	    "confirm HYPOTHESIS_ID [--root-cause] [--key K]" },
	{ "reject", FB_HYP_REJECT, "reject HYPOTHESIS_ID [--key K]" },
	{ "dismiss", FB_REC_DISMISS, "dismiss RECOMMENDATION_ID [--key K]" },
	{ "done", FB_REC_DONE, "done RECOMMENDATION_ID [--key K]" },
};

/*
 * Parses a duration: a positive number with an optional unit s, m, h or d
 * ("30m", "2h", "1d", "90" = seconds).  Returns seconds, or -1.
 */
static long long
cli_fb_duration(const char *s)
{
	char *end;
	long long v, unit;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	v = strtoll(s, &end, 10);
	if (v <= 0 || v > FEEDBACK_SILENCE_MAX)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		unit = 1;
	else if (strcmp(end, "m") == 0)
		unit = 60;
	else if (strcmp(end, "h") == 0)
		unit = 3600;
	else if (strcmp(end, "d") == 0)
		unit = 86400;
	else
		return -1;
	return v * unit <= FEEDBACK_SILENCE_MAX ? v * unit : -1;
}

/* Checks a --key value: 1 to FEEDBACK_KEY_MAX bytes, no control
 * characters; 0, or -1 after printing why (a usage error). */
static int
cli_fb_key_check(const char *cmd, const char *key)
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
	const char *kind = fb->target_kind;
	char *cause = NULL, *who, uuid[UUID_STRLEN], *made = NULL;
	long long event_id;
	int rc;

	if (ctx->opts.readonly)
		return cli_refuse_readonly(cmd);
	if (key != NULL && cli_fb_key_check(cmd, key) != 0)
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
	rc = feedback_record(ctx->db, fb, &event_id, &cause);
	free(made);
	if (rc < 0)
		return cli_fail(cmd, cause);
	who = sanitize_text(ctx->actor, 0);
	if (fb->action == FB_NOTE)
		printf("%snote added to %s %lld by %s\n",
		    rc == 1 ? "already recorded: " : "", kind, fb->target_id, who);
	else
		printf("%s%s %lld %s by %s%s\n",
		    rc == 1 ? "already recorded: " : "", kind, fb->target_id,
		    feedback_verb(fb->action), who, suffix != NULL ? suffix : "");
	free(who);
	/* an ack, silence or resolution of an Alertmanager alert goes back
	 * there now (retried by later runs when it cannot) */
	if (rc == 0 && fb->action != FB_NOTE)
		cli_silences_push(ctx, cmd);
	return MW_EXIT_OK;
}

/* ack|resolve|silence|confirm|reject|dismiss|done ID [options]. */
int
cmd_feedback(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "root-cause", no_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct feedback fb;
	const char *cmd = argv[0], *usage = NULL, *dur = NULL, *key = NULL;
	char suffix[64] = "", until[32];
	long long secs = FEEDBACK_SILENCE_DEFAULT;
	int ch, root_cause = 0, rc;
	size_t i;

	memset(&fb, 0, sizeof fb);
	for (i = 0; i < MW_ARRAY_LEN(cli_fb_cmds); i++)
		if (strcmp(cli_fb_cmds[i].name, cmd) == 0) {
			fb.action = cli_fb_cmds[i].action;
			usage = cli_fb_cmds[i].usage;
		}
	if (usage == NULL) {
		fprintf(stderr, "midwatch: %s: not a feedback command\n", cmd);
		return MW_EXIT_USAGE;
	}
	optind = 0;
	opterr = 0;
	/* Options may follow the id ("silence 12 --for 2h"). */
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (fb.action != FB_ALERT_SILENCE)
				goto usage;
			dur = optarg;
			break;
		case 'r':
			if (fb.action != FB_HYP_CONFIRM)
				goto usage;
			root_cause = 1;
			break;
		case 'k':
			key = optarg;
			break;
		case 'h':
			printf("usage: midwatch %s\n", usage);
			return MW_EXIT_OK;
		default:
			goto usage;
		}
	}
	if (argc - optind != 1 || cli_parse_id(argv[optind], &fb.target_id) != 0)
		goto usage;
	fb.target_kind = feedback_target_kind(fb.action);
	if (dur != NULL && (secs = cli_fb_duration(dur)) < 0) {
		fprintf(stderr, "midwatch: %s: bad duration %s (e.g. 30m, 2h, 1d; "
		    "at most 30d)\n", cmd, dur);
		return MW_EXIT_USAGE;
	}
	if (fb.action == FB_ALERT_SILENCE) {
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
usage:
	fprintf(stderr, "usage: midwatch %s\n", usage);
	return MW_EXIT_USAGE;
}

/* note [--key K] KIND ID TEXT... (the words of TEXT are joined by spaces;
 * --key only before KIND, so the text may hold anything). */
int
cmd_note(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *kinds[] = { "incident", "hypothesis", "recommendation",
	    "alert", "evidence" };
	static const char usage[] = "usage: midwatch note [--key K] "
	    "incident|hypothesis|recommendation|alert|evidence ID TEXT\n";
	struct feedback fb;
	struct buf text;
	const char *key = NULL;
	size_t i;
	int a, rc, known = 0, first = 1;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		fputs(usage, stdout);
		return MW_EXIT_OK;
	}
	if (argc >= 3 && strcmp(argv[1], "--key") == 0) {
		key = argv[2];
		first = 3;
	} else if (argc >= 2 && strncmp(argv[1], "--key=", 6) == 0) {
		key = argv[1] + 6;
		first = 2;
	}
	memset(&fb, 0, sizeof fb);
	if (argc < first + 3) {
		fputs(usage, stderr);
		return MW_EXIT_USAGE;
	}
	for (i = 0; i < MW_ARRAY_LEN(kinds); i++)
		if (strcmp(argv[first], kinds[i]) == 0)
			known = 1;
	if (!known || cli_parse_id(argv[first + 1], &fb.target_id) != 0) {
		fputs(usage, stderr);
		return MW_EXIT_USAGE;
	}
	buf_init(&text);
	for (a = first + 2; a < argc; a++) {
		if (a > first + 2)
			buf_addc(&text, ' ');
		buf_adds(&text, argv[a]);
	}
	fb.action = FB_NOTE;
	fb.target_kind = argv[first];
	fb.payload = json_pack("{ss}", "text", buf_str(&text));
	buf_free(&text);
	if (fb.payload == NULL) {
		fprintf(stderr, "midwatch: note: the text is not valid UTF-8\n");
		return MW_EXIT_USAGE;
	}
	rc = cli_fb_record(ctx, "note", &fb, key, NULL);
	json_decref(fb.payload);
	return rc;
}
