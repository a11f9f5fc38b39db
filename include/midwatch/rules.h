/*
 * rules.h - alert rules people can change (issue 10): the rows of
 * midwatch.alert_rules as JSON objects, validated as the alert stage reads
 * them, written with an audit entry (who, what, before and after) only when
 * something changed, and previewed over past data without writing.
 *
 * A rule object: {name, description, kind, config, severity, enabled,
 * channels: [NAME...], cooldown_seconds, hold_down_seconds} plus, when
 * listed, last_triggered_at, alerts (how many it raised), last_fired_at.
 * config is the condition (doc/integrations.md, "Alert rules"); its
 * hold_down_seconds is kept there too.
 */
#ifndef MIDWATCH_RULES_H
#define MIDWATCH_RULES_H

#include <jansson.h>

struct db;

/* The default hold-down of a rule that names none (seconds). */
#define RULES_HOLD_DOWN_DEFAULT 600

/*
 * Checks a rule object: name, kind, config (as the alert stage reads it),
 * severity, channels (names), cooldown_seconds, hold_down_seconds, enabled.
 * 0, or -1 with *cause naming the bad field ("config.metric: ...").
 */
int rules_validate(json_t *rule, char **cause);
/*
 * The project's rules (name NULL: all, by name; else that one, an empty
 * array when none), with last_triggered_at, alerts and last_fired_at.
 * New reference, or NULL with *cause.
 */
json_t *rules_list(struct db *db, long long project_id, const char *name,
    char **cause);
/*
 * Adds or replaces the rule of that name (validated; channels must exist).
 * *what gets 0 unchanged, 1 added, 2 changed; an audit entry is written for
 * 1 and 2 with the rule before and after.  0, or -1 with *cause.
 */
int rules_put(struct db *db, long long project_id, json_t *rule,
    const char *actor, int *what, char **cause);
/*
 * Applies a file of rules (a JSON array of rule objects, or one object a
 * line): every rule is validated first (the error names the rule and the
 * field) and nothing is written when one is bad; then each is put.
 * Counts in added, changed, unchanged.  0, or -1 with *cause.
 */
int rules_apply(struct db *db, long long project_id, const char *path,
    const char *actor, int *added, int *changed, int *unchanged,
    char **cause);
/* One line describing a rule's condition ("error_ratio > 0.05 for 5m").
 * Malloc'd. */
char *rules_condition(json_t *rule);

#endif
