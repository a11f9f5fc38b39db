/*
 * policy.c - the pipeline's policy table (see policy.h and policy.def)
 * and its printers.
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
