/*
 * cli_policy.c - `midwatch policy [--json | --markdown]`: prints the
 * pipeline's policy table (every threshold, weight and window of detect,
 * gate, evidence and ranking).  Needs no database.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/policy.h"

/* Prints the policy table. */
int
cmd_policy(struct cli_ctx *ctx, const struct cli_args *a)
{
	enum policy_format fmt = POLICY_TEXT;

	(void)ctx;
	if (cli_args_has(a, "json") && cli_args_has(a, "markdown"))
		return cli_usage_error(a->cmd, "--json or --markdown, not both");
	if (cli_args_has(a, "json"))
		fmt = POLICY_JSON;
	else if (cli_args_has(a, "markdown"))
		fmt = POLICY_MARKDOWN;
	if (policy_print(stdout, fmt) != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "midwatch: policy: cannot write the table\n");
		return MW_EXIT_ERROR;
	}
	return MW_EXIT_OK;
}
