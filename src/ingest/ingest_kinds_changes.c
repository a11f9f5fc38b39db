/*
 * ingest_kinds_changes.c - the change kinds of the JSON Lines format
 * (ingest_kinds.c has the rules every kind follows): deploy, commit and
 * config_change - their fields, the files a commit touched and their types,
 * the config diff.  Pure, as ingest_kinds.c.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/hash.h"
#include "midwatch/ingest.h"
#include "midwatch/redact.h"
#include "midwatch/timefmt.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"
#include "ingest_kinds_int.h"

/* Lowercases s in place when it is all hex (git shas). */
static void
kinds_lower_hex(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		if (!isxdigit((unsigned char)*p))
			return;
	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
}

static const char *const known_deploy[] = { "id", "service", "started_at",
	"finished_at", "deploy_type", "image_ref", "revision",
	"previous_revision", "commits", "is_rollback", NULL };

/* deploy: a rollout, keyed by its id. */
int
ingest_kind_deploy(struct kinds_ctx *c)
{
	const char *svc, *dtype, *image, *rev, *prev;
	char *id = NULL, *sha;
	double started, finished;
	int has_start, has_finish, rollback = 0;
	json_t *commits, *shas, *v;
	size_t i;

	if (ingest_k_id(c, "id", 1, &id) != 0)
		return -1;
	ingest_row_str(c, "ext_id", id);
	free(id);
	if (ingest_k_str(c, "service", K_REQ, INGEST_MAX_NAME, &svc) != 0 ||
	    ingest_k_ts(c, "started_at", 1, &started, &has_start) != 0 ||
	    ingest_k_ts(c, "finished_at", 0, &finished, &has_finish) != 0 ||
	    ingest_k_str(c, "deploy_type", 0, INGEST_MAX_NAME, &dtype) != 0 ||
	    ingest_k_str(c, "image_ref", 0, 4096, &image) != 0 ||
	    ingest_k_str(c, "revision", 0, INGEST_MAX_NAME, &rev) != 0 ||
	    ingest_k_str(c, "previous_revision", 0, INGEST_MAX_NAME, &prev) != 0 ||
	    ingest_k_bool(c, "is_rollback", &rollback) != 0)
		return -1;
	if (has_finish && finished < started)
		return ingest_kinds_fail(c, "finished_at is before started_at");
	commits = json_object_get(c->obj, "commits");
	shas = json_array();
	if (commits != NULL && !json_is_null(commits)) {
		if (!json_is_array(commits)) {
			json_decref(shas);
			return ingest_kinds_fail(c, "field \"commits\" must be an array of "
			    "commit shas");
		}
		json_array_foreach(commits, i, v) {
			if (!json_is_string(v) || json_string_length(v) == 0 ||
			    json_string_length(v) > INGEST_MAX_NAME) {
				json_decref(shas);
				return ingest_kinds_fail(c, "field \"commits\" must be an array "
				    "of commit shas (element %zu is not)", i);
			}
			sha = xstrdup(json_string_value(v));
			kinds_lower_hex(sha);
			json_array_append_new(shas, json_string(sha));
			free(sha);
		}
	}
	ingest_row_str(c, "service", svc);
	ingest_row_ts(c, "started_at", started, has_start);
	ingest_row_ts(c, "finished_at", finished, has_finish);
	ingest_row_str(c, "deploy_type", dtype);
	ingest_row_str(c, "image_ref", image);
	ingest_row_str(c, "revision", rev);
	ingest_row_str(c, "previous_revision", prev);
	json_object_set_new(c->row, "is_rollback", json_boolean(rollback));
	json_object_set_new(c->row, "commits", shas);
	ingest_row_extra(c, known_deploy);
	return 0;
}

static const char *const change_types[] = { "db_migration", "dependency",
	"config", "timeout_retry", "http_client", "shared_util", "auth", "test",
	"docs", "other", NULL };

/* The files of a commit: [{path, change_type, lines_added, lines_removed}],
 * one per path (the last wins). */
static int
kinds_files(struct kinds_ctx *c, json_t *files, json_t **out)
{
	json_t *res = json_array(), *index = json_object(), *f, *v, *ct, *prev;
	const char *path, *type;
	long long added, removed;
	const char *const *w;
	size_t i;

	*out = NULL;
	json_array_foreach(files, i, f) {
		if (!json_is_object(f)) {
			ingest_kinds_fail(c, "field \"files\" must be an array of objects "
			    "(element %zu is not)", i);
			goto fail;
		}
		v = json_object_get(f, "path");
		if (v == NULL || !json_is_string(v) || json_string_length(v) == 0) {
			ingest_kinds_fail(c, "files[%zu] needs a \"path\" string", i);
			goto fail;
		}
		if (json_string_length(v) > INGEST_MAX_PATH) {
			ingest_kinds_fail(c, "files[%zu].path is longer than %d bytes", i,
			    INGEST_MAX_PATH);
			goto fail;
		}
		path = json_string_value(v);
		if (ingest_k_count(c, f, "lines_added", INT_MAX, &added) != 0 ||
		    ingest_k_count(c, f, "lines_removed", INT_MAX, &removed) != 0) {
			char *why = *c->cause;

			*c->cause = xasprintf("files[%zu]: %s", i, why);
			free(why);
			goto fail;
		}
		ct = json_object_get(f, "change_type");
		type = NULL;
		if (ct != NULL && !json_is_null(ct)) {
			if (json_is_string(ct))
				for (w = change_types; *w != NULL; w++)
					if (strcmp(json_string_value(ct), *w) == 0)
						type = *w;
			if (type == NULL) {
				ingest_kinds_fail(c, "files[%zu].change_type must be one of "
				    "db_migration, dependency, config, timeout_retry, "
				    "http_client, shared_util, auth, test, docs, other", i);
				goto fail;
			}
		} else
			type = ingest_classify_path(path);
		v = json_pack("{s:s, s:s, s:I, s:I}", "path", path, "change_type",
		    type, "lines_added", (json_int_t)added, "lines_removed",
		    (json_int_t)removed);
		prev = json_object_get(index, path);
		if (prev != NULL)
			json_array_set_new(res, (size_t)json_integer_value(prev), v);
		else {
			json_object_set_new(index, path,
			    json_integer((json_int_t)json_array_size(res)));
			json_array_append_new(res, v);
		}
	}
	json_decref(index);
	*out = res;
	return 0;
fail:
	json_decref(index);
	json_decref(res);
	return -1;
}

static const char *const known_commit[] = { "sha", "repo", "message",
	"authored_at", "files", "author", NULL };

/* commit: a commit and the files it touched. */
int
ingest_kind_commit(struct kinds_ctx *c)
{
	const char *sha, *repo, *msg, *author;
	double at;
	int has_at;
	json_t *files, *norm;
	char *lsha;

	if (ingest_k_str(c, "sha", K_REQ, INGEST_MAX_NAME, &sha) != 0 ||
	    ingest_k_str(c, "repo", K_REQ, INGEST_MAX_NAME, &repo) != 0 ||
	    ingest_k_str(c, "message", K_REQ | K_EMPTY_OK, INGEST_MAX_LINE,
	    &msg) != 0 ||
	    ingest_k_ts(c, "authored_at", 1, &at, &has_at) != 0 ||
	    ingest_k_str(c, "author", 0, INGEST_MAX_NAME, &author) != 0)
		return -1;
	files = json_object_get(c->obj, "files");
	if (files == NULL || json_is_null(files))
		return ingest_kinds_fail(c, "missing required field \"files\"");
	if (!json_is_array(files))
		return ingest_kinds_fail(c, "field \"files\" must be an array");
	if (kinds_files(c, files, &norm) != 0)
		return -1;
	lsha = xstrdup(sha);
	kinds_lower_hex(lsha);
	ingest_row_str(c, "repo", repo);
	ingest_row_str(c, "sha", lsha);
	free(lsha);
	ingest_row_str(c, "author", author);
	ingest_row_str(c, "message", msg);
	ingest_row_ts(c, "authored_at", at, has_at);
	json_object_set_new(c->row, "files", norm);
	ingest_row_extra(c, known_commit);
	return 0;
}

static const char *const known_config[] = { "service", "detected_at",
	"change_kind", "resource_name", "diff", "source", "actor", "id", NULL };

/* config_change: a diff of configuration, secrets redacted. */
int
ingest_kind_config_change(struct kinds_ctx *c)
{
	const char *svc, *ck, *res, *src, *actor;
	double at;
	int has_at, force;
	json_t *diff, *copy, *e;
	char *id = NULL, *dump, ts[40];
	size_t i;
	uint64_t h;

	if (ingest_k_str(c, "service", K_REQ, INGEST_MAX_NAME, &svc) != 0 ||
	    ingest_k_ts(c, "detected_at", 1, &at, &has_at) != 0 ||
	    ingest_k_str(c, "change_kind", K_REQ, INGEST_MAX_NAME, &ck) != 0 ||
	    ingest_k_str(c, "resource_name", K_REQ, INGEST_MAX_NAME, &res) != 0 ||
	    ingest_k_str(c, "source", 0, INGEST_MAX_NAME, &src) != 0 ||
	    ingest_k_str(c, "actor", 0, INGEST_MAX_NAME, &actor) != 0 ||
	    ingest_k_id(c, "id", 0, &id) != 0)
		return -1;
	diff = json_object_get(c->obj, "diff");
	if (diff == NULL || json_is_null(diff)) {
		free(id);
		return ingest_kinds_fail(c, "missing required field \"diff\"");
	}
	if (json_is_object(diff) && json_object_get(diff, "field") != NULL) {
		copy = json_array();
		json_array_append_new(copy, json_deep_copy(diff));
	} else if (json_is_array(diff))
		copy = json_deep_copy(diff);
	else {
		free(id);
		return ingest_kinds_fail(c, "field \"diff\" must be an array of "
		    "{field, old_value, new_value} objects");
	}
	json_array_foreach(copy, i, e) {
		if (!json_is_object(e) || !json_is_string(json_object_get(e, "field"))) {
			json_decref(copy);
			free(id);
			return ingest_kinds_fail(c, "diff[%zu] must be an object with a "
			    "\"field\" string", i);
		}
	}
	/* a change to a Secret hides every value, whatever the field names */
	force = strstr(ck, "secret") != NULL ||
	    (src != NULL && strstr(src, "secret") != NULL);
	c->rec->redacted += ingest_redact_diff(copy, force);
	if (id == NULL) {
		/* stable id from the (redacted) content, so a re-sent change
		 * without an id is the same change */
		ingest_kinds_ts(at, ts, sizeof ts);
		dump = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
		h = MW_FNV1A64_INIT;
		h = fnv1a64(h, svc, strlen(svc) + 1);
		h = fnv1a64(h, ts, strlen(ts) + 1);
		h = fnv1a64(h, ck, strlen(ck) + 1);
		h = fnv1a64(h, res, strlen(res) + 1);
		if (dump != NULL)
			h = fnv1a64(h, dump, strlen(dump));
		free(dump);
		id = xasprintf("cc-%016llx", (unsigned long long)h);
	}
	ingest_row_str(c, "ext_id", id);
	free(id);
	ingest_row_str(c, "service", svc);
	ingest_row_ts(c, "detected_at", at, has_at);
	ingest_row_str(c, "change_kind", ck);
	ingest_row_str(c, "resource_name", res);
	ingest_row_str(c, "source", src);
	ingest_row_str(c, "actor", actor);
	json_object_set_new(c->row, "diff", copy);
	ingest_row_extra(c, known_config);
	return 0;
}
