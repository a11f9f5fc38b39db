/*
 * journal.c - the console's journal of pending operator actions (see
 * journal.h for the format and the guarantees): appended and fsync'd before
 * an action reaches the database, a line removed by rewriting the file once
 * the database answered, read back by the next console.  Every change holds
 * an exclusive flock on "<journal>.lock", which several consoles share.
 *
 * A line cut short by a crash in the middle of an append is skipped when
 * read and dropped by the next rewrite; an append after it starts on a new
 * line, so it never spoils the next action.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/feedback.h"
#include "midwatch/journal.h"
#include "midwatch/log.h"
#include "midwatch/redact.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"

/* getenv with the signature db_cluster_dir wants. */
static const char *
journal_getenv(const char *name)
{
	return getenv(name);
}

char *
journal_path(void)
{
	char *dir = db_cluster_dir(journal_getenv), *p;

	p = xasprintf("%s/journal", dir);
	free(dir);
	return p;
}

char *
journal_db_identity(struct db *db, char **cause)
{
	struct db_res *r;
	char *id;

	r = db_run(db, cause, "worker/db_identity", 0, NULL);
	if (r == NULL)
		return NULL;
	id = db_res_rows(r) > 0 && db_val(r, 0, "identity") != NULL ?
	    xstrdup(db_val(r, 0, "identity")) : NULL;
	db_res_free(r);
	if (id == NULL)
		*cause = xstrdup("cannot tell which database this is");
	return id;
}

/* A message naming what failed with errno. */
static char *
journal_err(const char *what, const char *path)
{
	return xasprintf("journal: %s %s: %s", what, path, strerror(errno));
}

/* mkdir -p of the directory of path (0700 for what it makes). */
static int
journal_mkdirs(const char *path, char **cause)
{
	char *dir = xstrdup(path), *p = strrchr(dir, '/');

	if (p == NULL) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (*dir != '\0' && mkdir(dir, 0700) != 0 && errno != EEXIST)
		goto fail;
	free(dir);
	return 0;
fail:
	*cause = journal_err("cannot create", dir);
	free(dir);
	return -1;
}

/* fsync of the directory holding path (a new, renamed or removed entry). */
static void
journal_sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

/* Takes the exclusive lock; the descriptor to release, or -1 with *cause. */
static int
journal_lock(const char *path, char **cause)
{
	char *lp;
	int fd;

	if (journal_mkdirs(path, cause) != 0)
		return -1;
	lp = xasprintf("%s.lock", path);
	fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*cause = journal_err("cannot open", lp);
		free(lp);
		return -1;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			*cause = journal_err("cannot lock", lp);
			close(fd);
			free(lp);
			return -1;
		}
	}
	free(lp);
	return fd;
}

/* Releases the lock. */
static void
journal_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* closing drops the flock */
}

/* One intent as a journal line (with its newline) into b.  The payload's
 * texts (a note, a reason) and the label are written redacted, as
 * feedback_record stores them: a pasted token never reaches the file. */
static void
journal_line(struct buf *b, const char *dbid, long long project_id,
    const char *actor, const struct intent *in)
{
	json_t *o, *payload = NULL;
	char *text, *label;

	if (in->payload != NULL)
		payload = json_loads(in->payload, 0, NULL);
	if (json_is_object(payload))
		feedback_redact(payload);
	label = redact_text(in->label != NULL ? in->label : "", NULL);
	o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:o, s:s, s:s?,"
	    " s:f}",
	    "key", in->key, "db", dbid, "project", (json_int_t)project_id,
	    "actor", in->actor != NULL ? in->actor : actor,
	    "action", feedback_event_type(in->action),
	    "kind", in->target_kind != NULL ? in->target_kind : "",
	    "id", (json_int_t)in->target_id,
	    "payload", payload != NULL ? payload : json_null(),
	    "label", label, "expect", in->expect, "at", in->at);
	text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) :
	    NULL;
	if (text == NULL)
		fatal("journal: cannot encode an action");
	buf_adds(b, text);
	buf_addc(b, '\n');
	free(text);
	free(label);
	json_decref(o);
}

int
journal_append(const char *path, const char *dbid, long long project_id,
    const char *actor, struct intent *const *in, size_t n, char **cause)
{
	struct buf b;
	struct stat st;
	char last = '\n';
	size_t i;
	int lk, fd, rc = -1;

	if (n == 0)
		return 0;
	if ((lk = journal_lock(path, cause)) < 0)
		return -1;
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*cause = journal_err("cannot open", path);
		journal_unlock(lk);
		return -1;
	}
	buf_init(&b);
	/* After a line cut short by a crash, start a new one. */
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
		buf_addc(&b, '\n');
	for (i = 0; i < n; i++)
		journal_line(&b, dbid, project_id, actor, in[i]);
	if (fd_write_all(fd, buf_str(&b), b.len) != 0 || fsync(fd) != 0)
		*cause = journal_err("cannot write", path);
	else
		rc = 0;
	close(fd);
	if (rc == 0 && st.st_size == 0)
		journal_sync_dir(path);	/* a new file: make its name durable */
	buf_free(&b);
	journal_unlock(lk);
	return rc;
}

/* Reads the journal's lines into a NULL-terminated malloc'd array (empty
 * when there is no file); -1 with *cause when it cannot be read. */
static int
journal_read(const char *path, char ***lines, size_t *n, char **cause)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	*lines = NULL;
	*n = 0;
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		*cause = journal_err("cannot read", path);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0)
			continue;
		*lines = xreallocarray(*lines, *n + 1, sizeof **lines);
		(*lines)[(*n)++] = xstrdup(line);
	}
	free(line);
	fclose(f);
	return 0;
}

/* Frees what journal_read returned. */
static void
journal_free_lines(char **lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* The key of a line, or NULL when the line is not a whole entry (cut short
 * by a crash): *o gets the parsed object, to free. */
static const char *
journal_key(const char *line, json_t **o)
{
	*o = json_loads(line, 0, NULL);
	if (!json_is_object(*o) ||
	    !json_is_string(json_object_get(*o, "key"))) {
		json_decref(*o);
		*o = NULL;
		return NULL;
	}
	return json_string_value(json_object_get(*o, "key"));
}

int
journal_remove(const char *path, const char *key, char **cause)
{
	char **lines, *tmp;
	const char *k;
	json_t *o;
	struct buf b;
	size_t n, i, kept = 0;
	int lk, fd, rc = -1;

	if ((lk = journal_lock(path, cause)) < 0)
		return -1;
	if (journal_read(path, &lines, &n, cause) != 0) {
		journal_unlock(lk);
		return -1;
	}
	buf_init(&b);
	for (i = 0; i < n; i++) {
		k = journal_key(lines[i], &o);
		if (k != NULL && strcmp(k, key) != 0) {
			buf_adds(&b, lines[i]);
			buf_addc(&b, '\n');
			kept++;
		} else if (k == NULL)
			log_warn("journal: dropped a line cut short: %.60s",
			    lines[i]);
		json_decref(o);
	}
	tmp = xasprintf("%s.tmp", path);
	if (kept == 0) {
		if (unlink(path) != 0 && errno != ENOENT)
			*cause = journal_err("cannot remove", path);
		else
			rc = 0;
	} else if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0) {
		*cause = journal_err("cannot create", tmp);
	} else {
		if (fd_write_all(fd, buf_str(&b), b.len) != 0 ||
		    fsync(fd) != 0)
			*cause = journal_err("cannot write", tmp);
		else
			rc = 0;
		close(fd);
		if (rc == 0 && rename(tmp, path) != 0) {
			*cause = journal_err("cannot replace", path);
			rc = -1;
		}
		if (rc != 0)
			unlink(tmp);
	}
	if (rc == 0 && n > 0)
		journal_sync_dir(path);
	free(tmp);
	buf_free(&b);
	journal_free_lines(lines, n);
	journal_unlock(lk);
	return rc;
}

/* A string member, or NULL. */
static const char *
journal_str(json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/* The intent of a parsed line of dbid/project_id; NULL when the line is for
 * another database or project, or not usable. */
static struct intent *
journal_intent(json_t *o, const char *dbid, long long project_id)
{
	struct intent *in;
	enum feedback_action a;
	json_t *payload = json_object_get(o, "payload");
	const char *kind = journal_str(o, "kind");

	if (journal_str(o, "db") == NULL ||
	    strcmp(journal_str(o, "db"), dbid) != 0 ||
	    json_integer_value(json_object_get(o, "project")) != project_id ||
	    feedback_action_of(journal_str(o, "action"), &a) != 0 ||
	    kind == NULL || journal_str(o, "actor") == NULL ||
	    !json_is_integer(json_object_get(o, "id")))
		return NULL;
	in = xcalloc(1, sizeof *in);
	in->type = INTENT_FEEDBACK;
	in->action = a;
	in->target_kind = xstrdup(kind);
	in->target_id = json_integer_value(json_object_get(o, "id"));
	in->payload = json_is_object(payload) ? json_dumps(payload,
	    JSON_COMPACT) : NULL;
	in->key = xstrdup(journal_str(o, "key"));
	in->label = xstrdup(journal_str(o, "label") != NULL ?
	    journal_str(o, "label") : in->key);
	in->actor = xstrdup(journal_str(o, "actor"));
	if (journal_str(o, "expect") != NULL)
		in->expect = xstrdup(journal_str(o, "expect"));
	in->at = json_number_value(json_object_get(o, "at"));
	return in;
}

int
journal_load(const char *path, const char *dbid, long long project_id,
    struct intent ***out, size_t *n, size_t *other, char **cause)
{
	char **lines;
	const char *k;
	json_t *o;
	struct intent *in;
	size_t nl, i, j;
	int lk;

	*out = NULL;
	*n = *other = 0;
	if ((lk = journal_lock(path, cause)) < 0)
		return -1;
	if (journal_read(path, &lines, &nl, cause) != 0) {
		journal_unlock(lk);
		return -1;
	}
	journal_unlock(lk);
	for (i = 0; i < nl; i++) {
		if ((k = journal_key(lines[i], &o)) == NULL)
			continue;
		in = journal_intent(o, dbid, project_id);
		json_decref(o);
		if (in == NULL) {
			(*other)++;
			continue;
		}
		for (j = 0; j < *n; j++)	/* one intent, one entry */
			if (strcmp((*out)[j]->key, in->key) == 0)
				break;
		if (j < *n) {
			intent_free(in);
			continue;
		}
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = in;
	}
	journal_free_lines(lines, nl);
	return 0;
}
