/*
 * fuzz_duration.c - fuzz target: the duration parser every command and
 * the configuration use (conf_parse_duration, src/core/conf.c: "90",
 * "90s", "5m", "1h30m"), compared with a reference written here, and the
 * `--set KEY=VALUE` parser of pulled sources and channels that checks
 * durations, counts, labels and text (setting_parse, src/net/settings.c).
 *
 * Invariants: conf_parse_duration accepts exactly what the reference
 * does (numbers of at most 100000000, each with a unit s/m/h/d but the
 * last, a total of at most INT_MAX seconds) with the same value; a setting
 * that parses is stored under its key and reads back within its range; a
 * refused one gives a reason.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "midwatch/conf.h"
#include "midwatch/notify.h"
#include "midwatch/settings.h"
#include "midwatch/sources.h"
#include "midwatch/timefmt.h"
#include "../../src/sources/sources_int.h"

/* The grammar of durations, independently: 0 and *out, or -1. */
static int
reference(const char *s, long long *out)
{
	long long total = 0, n;
	int digits;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		for (n = 0, digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
			n = n * 10 + (*s - '0');
			if (n > 100000000LL)
				return -1;
		}
		if (digits == 0)
			return -1;
		if (*s == 'm')
			n *= 60;
		else if (*s == 'h')
			n *= 3600;
		else if (*s == 'd')
			n *= 86400;
		else if (*s != 's' && *s != '\0')
			return -1;
		if (*s != '\0')
			s++;
		total += n;
		if (total > INT_MAX)
			return -1;
	}
	*out = total;
	return 0;
}

static void
check_duration(const char *s)
{
	long long want;
	int secs = -1, rc = conf_parse_duration(s, &secs);
	char age[32];

	if (reference(s, &want) != 0) {
		FUZZ_CHECK(rc != 0, "a duration the grammar refuses is refused");
		return;
	}
	FUZZ_CHECK(rc == 0, "a duration the grammar accepts is accepted");
	FUZZ_CHECK(secs == want, "a duration has the reference's value");
	timefmt_age(secs, age, sizeof age);
}

static void
check_setting(const struct setting *tab, const char *kv)
{
	json_t *settings = json_object(), *v;
	const struct setting *s;
	char *cause = NULL, key[64];
	const char *eq = strchr(kv, '=');
	long n;

	if (setting_parse(tab, settings, kv, &cause) != 0) {
		FUZZ_CHECK(cause != NULL && *cause != '\0', "a refusal says why");
		free(cause);
		json_decref(settings);
		return;
	}
	FUZZ_CHECK(eq != NULL && (size_t)(eq - kv) < sizeof key, "KEY=VALUE");
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	s = setting_find(tab, key);
	v = json_object_get(settings, key);
	FUZZ_CHECK(s != NULL && v != NULL, "a setting is stored under its key");
	fuzz_check_json(settings);
	if (s->type == SET_DURATION || s->type == SET_COUNT) {
		n = setting_get(tab, settings, key);
		FUZZ_CHECK(json_is_integer(v) && n == json_integer_value(v) &&
		    n >= s->min && n <= s->max, "a number is within its range");
	}
	json_decref(settings);
}

static void
check_text(const char *s)
{
	check_duration(s);
	conf_parse_bool(s);
	check_setting(src_prom_settings, s);
	check_setting(src_am_settings, s);
	check_setting(notify_settings, s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_text(data, size, check_text);
}
