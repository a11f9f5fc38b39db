/*
 * policy.h - the pipeline's policy table: every threshold, weight and time
 * window of detect, gate, evidence and ranking, named once with its value,
 * unit and one line of meaning (in the spirit of tmux's options table).  The
 * stages read their numbers from here and pass them to SQL as parameters;
 * `midwatch policy` prints the table and doc/pipeline.md carries it.
 */
#ifndef MIDWATCH_POLICY_H
#define MIDWATCH_POLICY_H

#include <stdio.h>

enum policy_id {
#define P(id, stage, name, value, unit, meaning) POL_##id,
#include "midwatch/policy.def"
#undef P
	POL_COUNT
};

struct policy_entry {
	const char *stage;
	const char *name;
	double value;
	const char *unit;
	const char *meaning;
};

extern const struct policy_entry policy_table[POL_COUNT];

/* The value of a policy entry, by its id without the POL_ prefix. */
#define POLICY(id) (policy_table[POL_##id].value)

/* Formats an entry's value as a SQL parameter ("%.17g") into buf (at least
 * 32 bytes); returns buf. */
const char *policy_param(char *buf, size_t len, enum policy_id id);

/* Prints the table: as aligned text, as a Markdown table (doc/pipeline.md
 * carries it verbatim), or as a JSON array of {stage, name, value, unit,
 * meaning}.  Returns 0, or -1 when the stream failed. */
enum policy_format { POLICY_TEXT, POLICY_MARKDOWN, POLICY_JSON };
int policy_print(FILE *f, enum policy_format fmt);

/*
 * Per-project overrides (projects.settings, sql/016_lifecycle.sql): the
 * entries a project may set with `midwatch project set STAGE.NAME VALUE`.
 * policy_project_key: the id of the entry named key ("incident.quiet_period")
 * when it may be set per project, else -1.  policy_project_keys: the names,
 * space-separated (static), for messages.
 */
int policy_project_key(const char *key);
const char *policy_project_keys(void);

#endif
