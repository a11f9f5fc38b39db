/*
 * notify_channels.c - notification channels in the database: the one table
 * of channel settings (names, types, defaults, limits, help), parsing
 * --set KEY=VALUE against it, and adding, removing, listing and loading
 * channels.  A secret is never taken here: only the name of the environment
 * variable or the path of the owner-only file that holds it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/conf.h"
#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/net.h"
#include "midwatch/notify.h"
#include "midwatch/xmalloc.h"
#include "notify_int.h"

const struct notify_setting notify_settings[] = {
	{ "key-env", NS_ENV, -1, 0, 0,
	    "variable holding the secret (routing key, token, Slack URL)" },
	{ "key-file", NS_PATH, -1, 0, 0,
	    "file holding the secret, owner-only (chmod 600)" },
	{ "retry-base", NS_DURATION, (long)NET_RETRY_BASE_S, 1, 86400,
	    "delay after a first failure; doubles, jittered" },
	{ "retry-cap", NS_DURATION, (long)NET_RETRY_CAP_S, 1, 7 * 86400,
	    "longest delay between two attempts" },
	{ "max-attempts", NS_COUNT, NET_RETRY_MAX_ATTEMPTS, 1, 100,
	    "attempts before the dead letter" },
	{ "timeout", NS_DURATION, NET_TOTAL_TIMEOUT_MS / 1000, 1, 300,
	    "longest one attempt may take" },
	{ "group-window", NS_DURATION, 300, 0, 86400,
	    "an incident's alerts within it go as one message" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* The setting called name (see notify.h). */
const struct notify_setting *
notify_setting_find(const char *name)
{
	const struct notify_setting *s;

	for (s = notify_settings; s->name != NULL; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

/* A numeric setting or its default (see notify.h). */
long
notify_setting_get(json_t *settings, const char *name)
{
	const struct notify_setting *s = notify_setting_find(name);
	json_t *v = json_object_get(settings, name);
	long n;

	if (s == NULL)
		return -1;
	if (!json_is_integer(v))
		return s->def;
	n = (long)json_integer_value(v);
	return n < s->min ? s->min : n > s->max ? s->max : n;
}

/* 1 if s is a portable environment variable name. */
static int
env_name_valid(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

/* Applies one --set KEY=VALUE (see notify.h). */
int
notify_setting_parse(json_t *settings, const char *kv, char **cause)
{
	const struct notify_setting *s;
	const char *eq = strchr(kv, '='), *val;
	char key[64], *abs, *end;
	int secs;
	long n;

	if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof key) {
		*cause = xasprintf("--set %s: expected KEY=VALUE", kv);
		return -1;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	val = eq + 1;
	if ((s = notify_setting_find(key)) == NULL) {
		*cause = xasprintf("--set %s: unknown setting (known: key-env, "
		    "key-file, retry-base, retry-cap, max-attempts, timeout, "
		    "group-window)", key);
		return -1;
	}
	switch (s->type) {
	case NS_ENV:
		if (!env_name_valid(val)) {
			*cause = xasprintf("--set key-env: %s is not an environment "
			    "variable name (give the variable's name, not the "
			    "secret)", *val ? "the value" : "an empty value");
			return -1;
		}
		json_object_set_new(settings, key, json_string(val));
		break;
	case NS_PATH:
		if (net_secret_file_check(val, cause) != 0) {
			char *why = xasprintf("--set key-file: %s", *cause);

			free(*cause);
			*cause = why;
			return -1;
		}
		if ((abs = realpath(val, NULL)) == NULL) {
			*cause = xasprintf("--set key-file: %s: %s", val,
			    strerror(errno));
			return -1;
		}
		json_object_set_new(settings, key, json_string(abs));
		free(abs);
		break;
	case NS_DURATION:
		if (conf_parse_duration(val, &secs) != 0 || secs < s->min ||
		    secs > s->max) {
			*cause = xasprintf("--set %s: %s is not a duration between "
			    "%lds and %lds (e.g. 30s, 5m, 1h)", key, val, s->min,
			    s->max);
			return -1;
		}
		json_object_set_new(settings, key, json_integer(secs));
		break;
	case NS_COUNT:
		errno = 0;
		n = strtol(val, &end, 10);
		if (*val == '\0' || *end != '\0' || errno != 0 || n < s->min ||
		    n > s->max) {
			*cause = xasprintf("--set %s: %s is not a number from %ld "
			    "to %ld", key, val, s->min, s->max);
			return -1;
		}
		json_object_set_new(settings, key, json_integer(n));
		break;
	}
	/* One source of secret: the later --set wins. */
	if (strcmp(key, "key-env") == 0)
		json_object_del(settings, "key-file");
	else if (strcmp(key, "key-file") == 0)
		json_object_del(settings, "key-env");
	return 0;
}

/* Prints the settings table for --help. */
void
notify_settings_help(FILE *f)
{
	const struct notify_setting *s;
	char def[32];

	fprintf(f, "settings (--set KEY=VALUE):\n");
	for (s = notify_settings; s->name != NULL; s++) {
		if (s->def < 0)
			snprintf(def, sizeof def, "-");
		else if (s->type == NS_DURATION)
			snprintf(def, sizeof def, "%lds", s->def);
		else
			snprintf(def, sizeof def, "%ld", s->def);
		fprintf(f, "  %-13s %-6s %s\n", s->name, def, s->help);
	}
}

/* Kinds `channels add` takes. */
int
notify_kind_valid(const char *kind)
{
	return kind != NULL && (strcmp(kind, "slack") == 0 ||
	    strcmp(kind, "pagerduty") == 0 || strcmp(kind, "webhook") == 0);
}

/* Channel names: what 011_channels.sql accepts. */
int
notify_name_valid(const char *name)
{
	size_t i;

	if (name == NULL || !isalnum((unsigned char)name[0]))
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (i >= 64 || !(isalnum((unsigned char)name[i]) ||
		    name[i] == '_' || name[i] == '.' || name[i] == '-'))
			return 0;
	return 1;
}

/* The retry policy and timeout of a channel. */
void
notify_channel_policy(const struct notify_channel *ch, struct net_retry *r,
    int *timeout_ms)
{
	json_t *s = ch != NULL ? ch->settings : NULL;

	long base = notify_setting_get(s, "retry-base");
	long cap = notify_setting_get(s, "retry-cap");

	r->base_s = base;
	r->cap_s = cap;
	if (r->cap_s < r->base_s)
		r->cap_s = r->base_s;
	r->max_attempts = (int)notify_setting_get(s, "max-attempts");
	*timeout_ms = (int)notify_setting_get(s, "timeout") * 1000;
}

/* Loads a channel row (see notify_int.h). */
int
notify_channel_load(struct db *db, const char *project, const char *name,
    struct notify_channel *ch, char **cause)
{
	struct db_res *r;
	json_error_t jerr;

	memset(ch, 0, sizeof *ch);
	r = DBQ(db, cause, "SELECT name, kind, url, settings::text"
	    "  FROM midwatch.channels WHERE project_id = $1 AND name = $2",
	    project, name);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return 1;
	}
	ch->name = xstrdup(db_res_get(r, 0, 0));
	ch->kind = xstrdup(db_res_get(r, 0, 1));
	ch->url = db_res_isnull(r, 0, 2) ? NULL : xstrdup(db_res_get(r, 0, 2));
	ch->settings = json_loads(db_res_get(r, 0, 3), 0, &jerr);
	if (!json_is_object(ch->settings)) {
		json_decref(ch->settings);
		ch->settings = json_object();
	}
	db_res_free(r);
	return 0;
}

/* Frees a loaded channel. */
void
notify_channel_free(struct notify_channel *ch)
{
	free(ch->name);
	free(ch->kind);
	free(ch->url);
	json_decref(ch->settings);
	memset(ch, 0, sizeof *ch);
}

/* Adds a channel (see notify.h). */
int
notify_channel_add(struct db *db, long long project_id, const char *name,
    const char *kind, const char *url, json_t *settings, int all_rules,
    const char *actor, int *rules, char **cause)
{
	char project[24], *stxt = jsonx_dump(settings);
	struct db_res *r = NULL;
	int rc = -1;

	*rules = 0;
	snprintf(project, sizeof project, "%lld", project_id);
	if (url == NULL && strcmp(kind, "pagerduty") == 0)
		url = NET_PAGERDUTY_URL;
	if (url != NULL && strcmp(url, "-") == 0)
		url = NULL;
	if (db_begin(db, cause) != 0)
		goto out;
	r = DBQ(db, cause,
	    "INSERT INTO midwatch.channels (project_id, name, kind, url, settings)"
	    " VALUES ($1, $2, $3, $4, $5::jsonb)"
	    " ON CONFLICT (project_id, name) DO NOTHING RETURNING id",
	    project, name, kind, url, stxt);
	if (r == NULL)
		goto fail;
	if (db_res_rows(r) == 0) {
		rc = 1;
		goto fail;
	}
	db_res_free(r);
	r = NULL;
	if (all_rules) {
		/* Rules name channels by name; kind is a hint for old rows. */
		r = DBQ(db, cause,
		    "UPDATE midwatch.alert_rules SET channels = channels ||"
		    "       jsonb_build_array(jsonb_build_object('name', $2::text,"
		    "           'kind', $3::text))"
		    " WHERE project_id = $1 AND NOT EXISTS ("
		    "       SELECT 1 FROM jsonb_array_elements(channels) e"
		    "        WHERE coalesce(e->>'name', e #>> '{}') = $2)"
		    " RETURNING id", project, name, kind);
		if (r == NULL)
			goto fail;
		*rules = db_res_rows(r);
		db_res_free(r);
		r = NULL;
	}
	if (DBX(db, cause,
	    "INSERT INTO midwatch.audit_entries (project_id, actor, action,"
	    "       target, details)"
	    " VALUES ($1, $2, 'channel.added', 'channel:' || $3,"
	    "         jsonb_build_object('kind', $4::text, 'all_rules', $5::boolean,"
	    "             'settings', $6::jsonb))",
	    project, actor, name, kind, all_rules ? "true" : "false", stxt) != 0)
		goto fail;
	if (db_commit(db, cause) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	db_res_free(r);
	free(stxt);
	return rc;
}

/* Removes a channel (see notify.h). */
int
notify_channel_remove(struct db *db, long long project_id, const char *name,
    const char *actor, int *rules, long long *dead, char **cause)
{
	char project[24], nrules[24], ndead[24];
	struct db_res *r = NULL;
	int rc = -1;

	*rules = 0;
	*dead = 0;
	snprintf(project, sizeof project, "%lld", project_id);
	if (db_begin(db, cause) != 0)
		return -1;
	r = DBQ(db, cause, "DELETE FROM midwatch.channels"
	    " WHERE project_id = $1 AND name = $2 RETURNING kind",
	    project, name);
	if (r == NULL)
		goto fail;
	if (db_res_rows(r) == 0) {
		rc = 1;
		goto fail;
	}
	db_res_free(r);
	r = DBQ(db, cause,
	    "UPDATE midwatch.alert_rules r SET channels = coalesce((SELECT"
	    "       jsonb_agg(e ORDER BY n) FROM jsonb_array_elements(r.channels)"
	    "       WITH ORDINALITY AS x (e, n)"
	    "       WHERE coalesce(e->>'name', e #>> '{}') <> $2), '[]')"
	    " WHERE r.project_id = $1 AND EXISTS ("
	    "       SELECT 1 FROM jsonb_array_elements(r.channels) e"
	    "        WHERE coalesce(e->>'name', e #>> '{}') = $2)"
	    " RETURNING id", project, name);
	if (r == NULL)
		goto fail;
	*rules = db_res_rows(r);
	db_res_free(r);
	/* A message whose send is in flight keeps its claim; it fails on its
	 * next attempt for want of the channel. */
	r = DBQ(db, cause,
	    "UPDATE midwatch.outbound_messages SET status = 'dead',"
	    "       last_error = 'channel removed'"
	    " WHERE project_id = $1 AND channel = $2"
	    "   AND status IN ('pending', 'failed') RETURNING id",
	    project, name);
	if (r == NULL)
		goto fail;
	*dead = db_res_rows(r);
	db_res_free(r);
	r = NULL;
	snprintf(nrules, sizeof nrules, "%d", *rules);
	snprintf(ndead, sizeof ndead, "%lld", *dead);
	if (DBX(db, cause,
	    "INSERT INTO midwatch.audit_entries (project_id, actor, action,"
	    "       target, details)"
	    " VALUES ($1, $2, 'channel.removed', 'channel:' || $3,"
	    "         jsonb_build_object('rules', $4::integer,"
	    "             'dead_lettered', $5::bigint))",
	    project, actor, name, nrules, ndead) != 0)
		goto fail;
	if (db_commit(db, cause) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	db_res_free(r);
	return rc;
}

/*
 * The channels with delivery counts: configured ones, plus names that
 * messages use without a channel row (kind null), so a dead letter to a
 * channel nobody added is visible too.
 */
static const char notify_sql_list[] =
    "WITH names AS ("
    "	SELECT name FROM midwatch.channels WHERE project_id = $1"
    "	UNION SELECT channel FROM midwatch.outbound_messages"
    "	 WHERE project_id = $1),"
    " counts AS ("
    "	SELECT channel,"
    "	       count(*) FILTER (WHERE status IN ('pending', 'sending', 'failed'))"
    "	           AS pending,"
    "	       count(*) FILTER (WHERE status = 'sent') AS sent,"
    "	       count(*) FILTER (WHERE status = 'dead') AS dead"
    "	  FROM midwatch.outbound_messages WHERE project_id = $1"
    "	 GROUP BY channel),"
    " last AS ("
    "	SELECT DISTINCT ON (m.channel) m.channel, a.attempted_at, a.http_status,"
    "	       a.error"
    "	  FROM midwatch.outbound_attempts a"
    "	  JOIN midwatch.outbound_messages m"
    "	    ON m.project_id = a.project_id AND m.id = a.message_id"
    "	 WHERE a.project_id = $1"
    "	 ORDER BY m.channel, a.attempted_at DESC, a.id DESC)"
    " SELECT json_agg(json_build_object("
    "	'name', n.name, 'kind', c.kind, 'url', c.url,"
    "	'settings', coalesce(c.settings, '{}'),"
    "	'pending', coalesce(k.pending, 0), 'sent', coalesce(k.sent, 0),"
    "	'dead', coalesce(k.dead, 0),"
    "	'last_attempt_at', to_char(l.attempted_at AT TIME ZONE 'UTC',"
    "	    'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    "	'last_status', l.http_status, 'last_error', l.error)"
    "	ORDER BY n.name)::text"
    "  FROM names n"
    "  LEFT JOIN midwatch.channels c ON c.project_id = $1 AND c.name = n.name"
    "  LEFT JOIN counts k ON k.channel = n.name"
    "  LEFT JOIN last l ON l.channel = n.name";

/* Lists channels with counts (see notify.h). */
json_t *
notify_channel_list(struct db *db, long long project_id, char **cause)
{
	char project[24];
	struct db_res *r;
	json_error_t jerr;
	json_t *a;

	snprintf(project, sizeof project, "%lld", project_id);
	r = DBQ(db, cause, notify_sql_list, project);
	if (r == NULL)
		return NULL;
	a = db_res_isnull(r, 0, 0) ? json_array() :
	    json_loads(db_res_get(r, 0, 0), 0, &jerr);
	db_res_free(r);
	if (a == NULL)
		*cause = xasprintf("channel list: %s", jerr.text);
	return a;
}
