/*
 * policy.c - the pipeline's policy table (see policy.h and policy.def)
 * and its printers.  In core, not pipeline: the model, housekeeping and the
 * console read the same table, and core is what every module may include.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/jsonx.h"
#include "midwatch/policy.h"
#include "midwatch/xmalloc.h"

const struct policy_entry policy_table[POL_COUNT] = {
#define P(id, stage, name, value, unit, meaning) \
	{ stage, name, value, unit, meaning },
#include "midwatch/policy.def"
#undef P
};

/* The entries a project may override (see policy.h). */
static const enum policy_id policy_per_project[] = {
	POL_LIFECYCLE_QUIET, POL_LIFECYCLE_REOPEN, POL_LIFECYCLE_RECENT
};

/* The id of a per-project key, or -1. */
int
policy_project_key(const char *key)
{
	const struct policy_entry *e;
	size_t i, n;

	for (i = 0; i < sizeof policy_per_project / sizeof *policy_per_project;
	    i++) {
		e = &policy_table[policy_per_project[i]];
		n = strlen(e->stage);
		if (strncmp(key, e->stage, n) == 0 && key[n] == '.' &&
		    strcmp(key + n + 1, e->name) == 0)
			return (int)policy_per_project[i];
	}
	return -1;
}

/* The per-project keys, space-separated. */
const char *
policy_project_keys(void)
{
	return "incident.quiet_period incident.reopen_window "
	    "console.recent_resolved";
}

/* Formats an entry's value as a parameter. */
const char *
policy_param(char *buf, size_t len, enum policy_id id)
{
	snprintf(buf, len, "%.17g", policy_table[id].value);
	return buf;
}

/* Prints the table (see policy.h). */
int
policy_print(FILE *f, enum policy_format fmt)
{
	const struct policy_entry *e;
	json_t *a, *o;
	char *s;
	int i;

	if (fmt == POLICY_JSON) {
		a = json_array();
		for (i = 0; i < POL_COUNT; i++) {
			e = &policy_table[i];
			o = json_pack("{s:s, s:s, s:f, s:s, s:s}", "stage", e->stage,
			    "name", e->name, "value", e->value, "unit", e->unit,
			    "meaning", e->meaning);
			json_array_append_new(a, o);
		}
		s = jsonx_dump(a);
		fprintf(f, "%s\n", s);
		free(s);
		json_decref(a);
		return ferror(f) ? -1 : 0;
	}
	if (fmt == POLICY_MARKDOWN)
		fprintf(f, "| stage | name | value | unit | meaning |\n"
		    "| --- | --- | --- | --- | --- |\n");
	for (i = 0; i < POL_COUNT; i++) {
		e = &policy_table[i];
		if (fmt == POLICY_MARKDOWN)
			fprintf(f, "| %s | `%s` | %g | %s | %s |\n", e->stage,
			    e->name, e->value, e->unit, e->meaning);
		else
			fprintf(f, "%-12s %-38s %10g %-10s %s\n", e->stage,
			    e->name, e->value, e->unit, e->meaning);
	}
	return ferror(f) ? -1 : 0;
}
