/*
 * notify_channels.c - notification channels in the database: the table of
 * channel settings (parsed by settings.h), and adding, removing, listing
 * and loading channels.  A secret is never taken here: only the name of the environment
 * variable or the path of the owner-only file that holds it.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/net.h"
#include "midwatch/notify.h"
#include "midwatch/settings.h"
#include "midwatch/sqltext.h"
#include "midwatch/xmalloc.h"
#include "notify_int.h"

const struct setting notify_settings[] = {
	{ "key-env", SET_ENV, -1, 0, 0,
	    "variable holding the secret (routing key, token, Slack URL)" },
	{ "key-file", SET_PATH, -1, 0, 0,
	    "file holding the secret, owner-only (chmod 600)" },
	{ "retry-base", SET_DURATION, (long)NET_RETRY_BASE_S, 1, 86400,
	    "delay after a first failure; doubles, jittered" },
	{ "retry-cap", SET_DURATION, (long)NET_RETRY_CAP_S, 1, 7 * 86400,
	    "longest delay between two attempts" },
	{ "max-attempts", SET_COUNT, NET_RETRY_MAX_ATTEMPTS, 1, 100,
	    "attempts before the dead letter" },
	{ "timeout", SET_DURATION, NET_TOTAL_TIMEOUT_MS / 1000, 1, 300,
	    "longest one attempt may take" },
	{ "group-window", SET_DURATION, 300, 0, 86400,
	    "an incident's alerts within it go as one message" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* A channel's numeric setting or its default (see notify.h). */
long
notify_setting_get(json_t *settings, const char *name)
{
	return setting_get(notify_settings, settings, name);
}

/* Kinds `channels add` takes. */
int
notify_kind_valid(const char *kind)
{
	return kind != NULL && (strcmp(kind, "slack") == 0 ||
	    strcmp(kind, "pagerduty") == 0 || strcmp(kind, "webhook") == 0);
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

/* Puts channel name on every alert rule of the project that lacks it;
 * *rules gets how many changed.  0, or -1 with *cause. */
static int
chan_on_all_rules(struct db *db, const char *project, const char *name,
    const char *kind, int *rules, char **cause)
{
	struct db_res *r;

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
		return -1;
	*rules = db_res_rows(r);
	db_res_free(r);
	return 0;
}

/* The URL a channel row stores for what was given: PagerDuty's default
 * for none, NULL for "-" (a Slack URL that is the secret itself). */
static const char *
chan_stored_url(const char *kind, const char *url)
{
	if (url == NULL && strcmp(kind, "pagerduty") == 0)
		return NET_PAGERDUTY_URL;
	if (url != NULL && strcmp(url, "-") == 0)
		return NULL;
	return url;
}

/*
 * Adds or updates a channel to match a declaration, audited with where it
 * came from (see notify.h).  $1 project, $2 name, $3 kind, $4 url, $5
 * settings: the row locked, inserted when missing, updated when it
 * differs; the counts and the row before.
 */
static const char chan_sql_sync[] =
    "WITH old AS ("
    "	SELECT id, kind, url, settings FROM midwatch.channels"
    "	 WHERE project_id = $1 AND name = $2 FOR UPDATE),"
    " ins AS ("
    "	INSERT INTO midwatch.channels (project_id, name, kind, url, settings)"
    "	SELECT $1, $2, $3, $4, $5::jsonb WHERE NOT EXISTS (SELECT 1 FROM old)"
    "	RETURNING id),"
    " upd AS ("
    "	UPDATE midwatch.channels c SET kind = $3, url = $4,"
    "	       settings = $5::jsonb"
    "	  FROM old o WHERE c.id = o.id AND (o.kind, o.url, o.settings)"
    "	       IS DISTINCT FROM ($3::text, $4::text, $5::jsonb)"
    "	RETURNING c.id)"
    " SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM upd),"
    "	(SELECT jsonb_build_object('kind', kind, 'settings', settings)::text"
    "	   FROM old)";

int
notify_channel_sync(struct db *db, long long project_id, const char *name,
    const char *kind, const char *url, json_t *settings, int all_rules,
    const char *actor, const char *origin, int *rules, char **cause)
{
	char project[24], *stxt = jsonx_dump(settings);
	struct db_res *r = NULL;
	int rc = -1;

	*rules = 0;
	snprintf(project, sizeof project, "%lld", project_id);
	if (db_begin(db, cause) != 0)
		goto out;
	r = DBQ(db, cause, chan_sql_sync, project, name, kind,
	    chan_stored_url(kind, url), stxt);
	if (r == NULL)
		goto fail;
	rc = db_res_ll(r, 0, 0) > 0 ? 1 : db_res_ll(r, 0, 1) > 0 ? 2 : 0;
	if (all_rules && chan_on_all_rules(db, project, name, kind, rules,
	    cause) != 0)
		goto fail;
	if ((rc != 0 || *rules > 0) && DBX(db, cause,
	    "INSERT INTO midwatch.audit_entries (project_id, actor, action,"
	    "       target, details)"
	    " VALUES ($1, $2, $3, 'channel:' || $4,"
	    "         jsonb_build_object('origin', $5::text, 'kind', $6::text,"
	    "             'all_rules', $7::boolean, 'settings', $8::jsonb,"
	    "             'before', $9::jsonb))",
	    project, actor, rc == 1 ? "channel.added" : "channel.changed", name,
	    origin, kind, all_rules ? "true" : "false", stxt,
	    db_res_get(r, 0, 2)) != 0)
		goto fail;
	if (db_commit(db, cause) != 0)
		goto fail;
	goto out;
fail:
	rc = -1;
	db_rollback(db);
out:
	db_res_free(r);
	free(stxt);
	return rc;
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
	url = chan_stored_url(kind, url);
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
	if (all_rules && chan_on_all_rules(db, project, name, kind, rules,
	    cause) != 0)
		goto fail;
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
    "	'last_attempt_at', " SQL_RFC3339("l.attempted_at") ","
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
