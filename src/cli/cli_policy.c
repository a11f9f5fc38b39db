/*
 * cli_policy.c - `midwatch policy [--json | --markdown]`: prints the
 * pipeline's policy table (every threshold, weight and window of detect,
 * gate, evidence and ranking).  Needs no database.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "midwatch/cli.h"
#include "midwatch/policy.h"

#define POLICY_USAGE "usage: midwatch policy [--json | --markdown]\n"

/* Prints the policy table. */
int
cmd_policy(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "markdown", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum policy_format fmt = POLICY_TEXT;
	int ch;

	(void)ctx;
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			fmt = POLICY_JSON;
			break;
		case 'm':
			fmt = POLICY_MARKDOWN;
			break;
		case 'h':
			printf(POLICY_USAGE);
			return MW_EXIT_OK;
		default:
			fprintf(stderr, "midwatch: policy: unknown option %s\n"
			    POLICY_USAGE, argv[optind - 1]);
			return MW_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "midwatch: policy: unexpected argument %s\n"
		    POLICY_USAGE, argv[optind]);
		return MW_EXIT_USAGE;
	}
	if (policy_print(stdout, fmt) != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "midwatch: policy: cannot write the table\n");
		return MW_EXIT_ERROR;
	}
	return MW_EXIT_OK;
}
