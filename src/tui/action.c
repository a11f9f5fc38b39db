/*
 * action.c - the action table generated from ACTION_LIST (tui.h): names for
 * `:` commands and key bindings, help groups and texts for `?`.  One list,
 * so the enum, the commands, the bindings file and the help cannot drift.
 */
#include "config.h"

#include <string.h>

#include "midwatch/tui.h"

static const struct {
	const char *name;
	const char *group;
	const char *help;
} action_table[ACT_COUNT] = {
#define ACTION_INFO(e, n, g, h) { n, g, h },
	ACTION_LIST
#undef ACTION_INFO
};

/* The name of a, or "?" when a is out of range. */
const char *
action_name(int a)
{
	return a >= 0 && a < ACT_COUNT ? action_table[a].name : "?";
}

/* The help group of a. */
const char *
action_group(int a)
{
	return a >= 0 && a < ACT_COUNT ? action_table[a].group : "";
}

/* The one-line help of a. */
const char *
action_help(int a)
{
	return a >= 0 && a < ACT_COUNT ? action_table[a].help : "";
}

/* Looks an action up by name. */
int
action_find(const char *name)
{
	int a;

	for (a = 0; a < ACT_COUNT; a++)
		if (strcmp(action_table[a].name, name) == 0)
			return a;
	return ACT_NONE;
}
