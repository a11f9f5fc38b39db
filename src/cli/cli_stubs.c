/*
 * cli_stubs.c - subcommands whose modules are not written yet.  Each stub
 * says so plainly and exits 1; a command moves out of this file when its
 * module lands.
 */
#include "config.h"

#include <stdio.h>

#include "midwatch/cli.h"

/* Says that name is not available in this build. */
static int
not_yet(const char *name)
{
	fprintf(stderr, "midwatch: %s: not available in this build yet\n", name);
	return MW_EXIT_ERROR;
}

int cmd_console(struct cli_ctx *c, int n, char **v) { (void)c; (void)n; (void)v; return not_yet("console"); }
int cmd_demo(struct cli_ctx *c, int n, char **v) { (void)c; (void)n; (void)v; return not_yet("demo"); }
int cmd_ingest(struct cli_ctx *c, int n, char **v) { (void)c; (void)n; (void)v; return not_yet("ingest"); }
int cmd_run(struct cli_ctx *c, int n, char **v) { (void)c; (void)n; (void)v; return not_yet("run"); }
int cmd_incidents(struct cli_ctx *c, int n, char **v) { (void)c; (void)n; (void)v; return not_yet("incidents"); }
int cmd_report(struct cli_ctx *c, int n, char **v) { (void)c; (void)n; (void)v; return not_yet("report"); }
int cmd_feedback(struct cli_ctx *c, int n, char **v) { (void)c; (void)n; (void)v; return not_yet("feedback"); }
int cmd_note(struct cli_ctx *c, int n, char **v) { (void)c; (void)n; (void)v; return not_yet("note"); }
