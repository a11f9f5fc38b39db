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
	r = DBQN(db, cause, "notify/channel_load", project, name);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) == 0) {
		db_res_free(r);
		return 1;
	}
	ch->name = xstrdup(db_val(r, 0, "name"));
	ch->kind = xstrdup(db_val(r, 0, "kind"));
	ch->url = db_val_null(r, 0, "url") ? NULL :
	    xstrdup(db_val(r, 0, "url"));
	ch->settings = json_loads(db_val(r, 0, "settings"), 0, &jerr);
	if (!json_is_object(ch->settings)) {
		json_decref(ch->settings);
		ch->settings = json_object();
	}
	db_res_free(r);
	return 0;
}

/* Loads a claimed item's channel, its policy and lease (see notify_int.h). */
int
notify_channel_lease(struct db *db, const char *project, const char *name,
    struct notify_channel *ch, int *have_ch, struct net_retry *pol,
    char *lease, size_t leasesz, char **cause)
{
	int rc, timeout_ms;

	if ((rc = notify_channel_load(db, project, name, ch, cause)) < 0)
		return -1;
	*have_ch = rc == 0;
	notify_channel_policy(*have_ch ? ch : NULL, pol, &timeout_ms);
	snprintf(lease, leasesz, "%d", timeout_ms / 1000 +
	    NOTIFY_LEASE_MARGIN_S);
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
	r = DBQN(db, cause, "notify/channel_on_rules", project, name, kind);
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

/* Adds or updates a channel to match a declaration, audited with where it
 * came from (see notify.h; sql/queries/notify/channel_sync.sql). */
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
	r = DBQN(db, cause, "notify/channel_sync", project, name, kind,
	    chan_stored_url(kind, url), stxt);
	if (r == NULL)
		goto fail;
	rc = db_val_ll(r, 0, "inserted") > 0 ? 1 :
	    db_val_ll(r, 0, "updated") > 0 ? 2 : 0;
	if (all_rules && chan_on_all_rules(db, project, name, kind, rules,
	    cause) != 0)
		goto fail;
	if ((rc != 0 || *rules > 0) && DBXN(db, cause, "notify/channel_synced",
	    project, actor, rc == 1 ? "channel.added" : "channel.changed", name,
	    origin, kind, all_rules ? "true" : "false", stxt,
	    db_val(r, 0, "before")) != 0)
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
	r = DBQN(db, cause, "notify/channel_add", project, name, kind, url,
	    stxt);
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
	if (DBXN(db, cause, "notify/channel_added", project, actor, name, kind,
	    all_rules ? "true" : "false", stxt) != 0)
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
	r = DBQN(db, cause, "notify/channel_remove", project, name);
	if (r == NULL)
		goto fail;
	if (db_res_rows(r) == 0) {
		rc = 1;
		goto fail;
	}
	db_res_free(r);
	r = DBQN(db, cause, "notify/channel_off_rules", project, name);
	if (r == NULL)
		goto fail;
	*rules = db_res_rows(r);
	db_res_free(r);
	/* A message whose send is in flight keeps its claim; it fails on its
	 * next attempt for want of the channel. */
	r = DBQN(db, cause, "notify/channel_dead_letter", project, name);
	if (r == NULL)
		goto fail;
	*dead = db_res_rows(r);
	db_res_free(r);
	r = NULL;
	snprintf(nrules, sizeof nrules, "%d", *rules);
	snprintf(ndead, sizeof ndead, "%lld", *dead);
	if (DBXN(db, cause, "notify/channel_removed", project, actor, name,
	    nrules, ndead) != 0)
		goto fail;
	if (db_commit(db, cause) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	db_res_free(r);
	return rc;
}

/* Lists channels with counts (see notify.h). */
json_t *
notify_channel_list(struct db *db, long long project_id, char **cause)
{
	char project[24];
	struct db_res *r;
	json_error_t jerr;
	json_t *a;

	snprintf(project, sizeof project, "%lld", project_id);
	r = DBQN(db, cause, "notify/channel_list", project);
	if (r == NULL)
		return NULL;
	a = db_val_null(r, 0, "channels") ? json_array() :
	    json_loads(db_val(r, 0, "channels"), 0, &jerr);
	db_res_free(r);
	if (a == NULL)
		*cause = xasprintf("channel list: %s", jerr.text);
	return a;
}
