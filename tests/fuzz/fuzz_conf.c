/*
 * fuzz_conf.c - fuzz target: a configuration file (or key binding file)
 * through conf_parse (src/core/conf.c), then what the console checks of it
 * before the screen changes (tui_check: key names, actions, colours), and
 * every key name of a `bind` line through keys_parse and back.
 *
 * Invariants: a refused file gives one reason "NAME:LINE: ..." on one
 * line; an accepted one holds only values in range (flags -1/0/1,
 * intervals unset or not negative, refresh at least 1 s, a project not
 * empty, bindings and colours with their key, slot, colour and location),
 * parsing it again adds the same lines, and conf_free leaves nothing set.
 * A key name that parses has a canonical name that parses to the same key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "midwatch/conf.h"
#include "midwatch/tui.h"

static void
check_flag(int v)
{
	FUZZ_CHECK(v == 0 || v == 1, "flags are no or yes");
}

static void
check_conf(const struct conf *c)
{
	size_t i;

	check_flag(c->readonly);
	check_flag(c->color);
	check_flag(c->ascii);
	FUZZ_CHECK(c->pipeline_interval >= 0 && c->stale_ack >= 0,
	    "intervals are not negative");
	FUZZ_CHECK(c->refresh_interval >= 1, "refresh-interval is at least 1 s");
	FUZZ_CHECK(c->project == NULL || *c->project != '\0',
	    "a project is not empty");
	for (i = 0; i < c->n_binds; i++)
		FUZZ_CHECK(c->binds[i].key != NULL && *c->binds[i].key != '\0' &&
		    strncmp(c->binds[i].where, "fuzz:", 5) == 0,
		    "a binding has its key and location");
	for (i = 0; i < c->n_colors; i++)
		FUZZ_CHECK(c->colors[i].slot != NULL && c->colors[i].fg != NULL &&
		    strncmp(c->colors[i].where, "fuzz:", 5) == 0,
		    "a colour has its slot, foreground and location");
}

/* keys_parse, keys_name, keys_parse: the same key. */
static void
check_keys(const struct conf *c)
{
	char name[64];
	size_t i;
	int key, again;

	for (i = 0; i < c->n_binds; i++) {
		if (keys_parse(c->binds[i].key, &key) != 0)
			continue;
		keys_name(key, name, sizeof name);
		FUZZ_CHECK(keys_parse(name, &again) == 0 && again == key,
		    "a key's canonical name parses to the same key");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	char *text = fuzz_cstr(data, size), *cause = NULL;
	size_t binds, colors;

	conf_init(&c);
	if (conf_parse(&c, text, "fuzz", &cause) != 0) {
		FUZZ_CHECK(cause != NULL && strncmp(cause, "fuzz:", 5) == 0 &&
		    strchr(cause, '\n') == NULL,
		    "a refusal is one line naming the file and line");
		free(cause);
	} else {
		FUZZ_CHECK(cause == NULL, "no reason for an accepted file");
		check_conf(&c);
		check_keys(&c);
		if (tui_check(&c, &cause) != 0) {
			FUZZ_CHECK(cause != NULL, "the console says why");
			free(cause);
			cause = NULL;
		}
		binds = c.n_binds;
		colors = c.n_colors;
		FUZZ_CHECK(conf_parse(&c, text, "fuzz", &cause) == 0 &&
		    c.n_binds == 2 * binds && c.n_colors == 2 * colors,
		    "parsing again adds the same lines");
		check_conf(&c);
	}
	conf_free(&c);
	FUZZ_CHECK(c.db == NULL && c.n_binds == 0 && c.binds == NULL &&
	    c.pipeline_interval == conf_option("pipeline-interval")->def,
	    "conf_free leaves nothing set, the settings at their defaults");
	free(text);
	return 0;
}
