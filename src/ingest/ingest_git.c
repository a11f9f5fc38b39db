/*
 * ingest_git.c - commits and the files they touched, straight from a local
 * repository.  Runs `git log --numstat` with fork/exec (an argv array, no
 * shell, so a repository path or revision is never interpreted), reads its
 * output as a stream, and turns each commit into the same object a `commit`
 * JSON line would be, so it is validated, classified and stored by exactly
 * the same code.
 *
 * Output format asked of git: each commit starts with an RS byte (0x1e),
 * then sha, author, author date (strict ISO 8601) and the raw message, each
 * ended by a NUL, then the numstat lines "added<TAB>removed<TAB>path".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ingest_int.h"
#include "midwatch/buf.h"
#include "midwatch/ingest.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"

#define GIT_RS 0x1e
#define GIT_FORMAT "--format=%x1e%H%x00%an%x00%aI%x00%B%x00"

/* A copy of len bytes as valid UTF-8 (bad bytes become '?'); malloc'd. */
static char *
git_utf8(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t i = 0, o = 0, n;
	uint32_t cp;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n > 0 && cp != 0) {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		} else {
			out[o++] = '?';	/* a NUL or a byte of no character */
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

/* Undoes git's C-style quoting of a path ("a\tb" -> a<TAB>b) in place. */
static void
git_unquote(char *s)
{
	char *o = s, *p = s;
	size_t n = strlen(s);
	int v, k;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return;
	s[n - 1] = '\0';
	p++;
	while (*p != '\0') {
		if (*p != '\\' || p[1] == '\0') {
			*o++ = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case 'n': *o++ = '\n'; p++; break;
		case 't': *o++ = '\t'; p++; break;
		case 'r': *o++ = '\r'; p++; break;
		case 'a': *o++ = '\a'; p++; break;
		case 'b': *o++ = '\b'; p++; break;
		case 'f': *o++ = '\f'; p++; break;
		case 'v': *o++ = '\v'; p++; break;
		default:
			if (*p >= '0' && *p <= '7') {
				for (v = 0, k = 0; k < 3 && *p >= '0' && *p <= '7'; k++)
					v = v * 8 + (*p++ - '0');
				*o++ = (char)(v == 0 ? '?' : v);
			} else
				*o++ = *p++;
		}
	}
	*o = '\0';
}

/* A numstat count: digits, or "-" for a binary file (0). */
static long long
git_count(const char *s)
{
	long long v = 0;

	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return INT_MAX;
	}
	return v;
}

/* Builds the commit object of one record (see ingest.h). */
json_t *
ingest_git_record(const char *rec, size_t len, const char *repo)
{
	const char *field[4], *p = rec, *end = rec + len, *nul, *line, *eol;
	size_t flen[4], n;
	json_t *obj, *files;
	char *s, *tab1, *tab2, *path;
	int i;

	for (i = 0; i < 4; i++) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			return NULL;
		field[i] = p;
		flen[i] = (size_t)(nul - p);
		p = nul + 1;
	}
	/* the message without its trailing newlines */
	while (flen[3] > 0 && (field[3][flen[3] - 1] == '\n' ||
	    field[3][flen[3] - 1] == '\r'))
		flen[3]--;
	obj = json_object();
	json_object_set_new(obj, "kind", json_string("commit"));
	json_object_set_new(obj, "repo", json_string(repo));
	s = git_utf8(field[0], flen[0]);
	json_object_set_new(obj, "sha", json_string(s));
	free(s);
	s = git_utf8(field[1], flen[1]);
	json_object_set_new(obj, "author", json_string(s));
	free(s);
	s = git_utf8(field[2], flen[2]);
	json_object_set_new(obj, "authored_at", json_string(s));
	free(s);
	s = git_utf8(field[3], flen[3]);
	json_object_set_new(obj, "message", json_string(s));
	free(s);
	files = json_array();
	for (line = p; line < end; line = eol + 1) {
		eol = memchr(line, '\n', (size_t)(end - line));
		if (eol == NULL)
			eol = end;
		n = (size_t)(eol - line);
		if (n == 0)
			continue;
		s = git_utf8(line, n);
		tab1 = strchr(s, '\t');
		tab2 = tab1 != NULL ? strchr(tab1 + 1, '\t') : NULL;
		if (tab2 != NULL && tab2[1] != '\0') {
			*tab1 = *tab2 = '\0';
			git_unquote(tab2 + 1);
			/* an octal escape may have made a byte that is not UTF-8
			 * (jansson would refuse the path and lose the file) */
			path = git_utf8(tab2 + 1, strlen(tab2 + 1));
			json_array_append_new(files, json_pack("{s:s, s:I, s:I}",
			    "path", path, "lines_added", (json_int_t)git_count(s),
			    "lines_removed", (json_int_t)git_count(tab1 + 1)));
			free(path);
		}
		free(s);
	}
	json_object_set_new(obj, "files", files);
	return obj;
}

/* Validates and batches one commit record; line is its ordinal. */
static int
git_add(struct ingest *in, const char *rec, size_t len, const char *repo,
    long long line, char **cause)
{
	struct ingest_rec r;
	json_t *obj = ingest_git_record(rec, len, repo);
	char *why = NULL, *dump, *payload;

	in->stats.lines++;
	/* dead-letter payloads are redacted like any rejected line: a
	 * commit message may hold a token */
	if (obj == NULL) {
		payload = ingest_dead_payload(rec, len, len);
		return ingest_add_dead(in, line, payload,
		    xstrdup("malformed git log record"), cause);
	}
	if (ingest_kinds_parse_object(obj, &r, &why) != 0) {
		dump = json_dumps(obj, JSON_COMPACT);
		payload = ingest_dead_payload(dump ? dump : "", dump ? strlen(dump) : 0,
		    dump ? strlen(dump) : 0);
		free(dump);
		json_decref(obj);
		return ingest_add_dead(in, line, payload, why, cause);
	}
	json_decref(obj);
	return ingest_add_record(in, &r, line, len, cause);
}

/* The argument for git log that limits history to `since`: a date becomes
 * --since=DATE, a revision REV..HEAD (a range is kept).  Malloc'd, NULL on
 * a value that could be taken for an option. */
static char *
git_since_arg(const char *since)
{
	if (since[0] == '-' || since[0] == '\0')
		return NULL;
	if (strlen(since) >= 5 && since[0] >= '0' && since[0] <= '9' &&
	    since[1] >= '0' && since[1] <= '9' && since[2] >= '0' &&
	    since[2] <= '9' && since[3] >= '0' && since[3] <= '9' &&
	    since[4] == '-')
		return xasprintf("--since=%s", since);
	if (strstr(since, "..") != NULL)
		return xstrdup(since);
	return xasprintf("%s..HEAD", since);
}

/* The repository's name: the basename of its real path, without ".git". */
static char *
git_repo_name(const char *repo_path)
{
	char *real = realpath(repo_path, NULL), *copy, *base, *name;
	size_t n;

	copy = xstrdup(real != NULL ? real : repo_path);
	free(real);
	n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	base = basename(copy);
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".git") == 0)
		base[n - 4] = '\0';
	name = xstrdup(*base != '\0' ? base : "repo");
	free(copy);
	return name;
}

/* Reads git's stderr file (for the failure message); malloc'd. */
static char *
git_stderr_text(FILE *errf)
{
	char buf[1024 + 1];
	size_t n;

	/* Up to 1023 bytes, cut between characters (one byte more is read
	 * to see whether the last one kept ends a character). */
	rewind(errf);
	n = fread(buf, 1, sizeof buf - 1, errf);
	buf[n] = '\0';
	if (n > 1023)
		n = utf8_boundary(buf, 1023);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return git_utf8(buf, n);
}

/* Starts git log on repo_path (since_arg: its --since or revision range,
 * or NULL), its output to fds[1], its errors to errf: the child's pid, or
 * -1 with *cause. */
static pid_t
git_start(const char *repo_path, const char *since_arg, FILE *errf,
    int fds[2], char **cause)
{
	const char *argv[16];
	int argc = 0;
	pid_t pid;

	argv[argc++] = "git";
	argv[argc++] = "-c";
	argv[argc++] = "core.quotepath=off";
	argv[argc++] = "-C";
	argv[argc++] = repo_path;
	argv[argc++] = "log";
	argv[argc++] = "--no-renames";
	argv[argc++] = "--no-color";
	argv[argc++] = "--numstat";
	argv[argc++] = GIT_FORMAT;
	if (since_arg != NULL)
		argv[argc++] = since_arg;
	argv[argc++] = "--";
	argv[argc] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		*cause = xasprintf("cannot run git: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* child: only async-signal-safe calls until exec */
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fileno(errf), STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		signal(SIGPIPE, SIG_DFL);
		execvp("git", (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Reads git's records from out and adds each (numbered from 1) to the
 * batch of repository name: 0, or -1 with *cause. */
static int
git_read(struct ingest *in, FILE *out, const char *name, char **cause)
{
	struct buf rec;
	long long line = 0;
	int c, rc = 0;

	buf_init(&rec);
	/* records start with RS; anything before the first one is ignored */
	c = getc_unlocked(out);
	while (c != EOF && c != GIT_RS)
		c = getc_unlocked(out);
	while (c == GIT_RS && rc == 0) {
		buf_reset(&rec);
		while ((c = getc_unlocked(out)) != EOF && c != GIT_RS)
			buf_addc(&rec, (char)c);
		if (git_add(in, rec.s != NULL ? rec.s : "", rec.len, name, ++line,
		    cause) != 0)
			rc = -1;
	}
	buf_free(&rec);
	return rc;
}

/* Ingests a repository's commits (see ingest.h). */
int
ingest_git(struct ingest *in, const char *repo_path, const char *repo_name,
    const char *since, char **cause)
{
	char *name = NULL, *since_arg = NULL, *err = NULL, *why = NULL;
	char *base_name;
	FILE *out = NULL, *errf = NULL;
	int fds[2] = { -1, -1 }, status, rc = -1, started = 0;
	pid_t pid = -1;

	in->stats.sources++;
	if (since != NULL && (since_arg = git_since_arg(since)) == NULL) {
		*cause = xasprintf("--since %s: not a date or a revision", since);
		goto fail;
	}
	if (repo_name != NULL)
		name = git_utf8(repo_name, strlen(repo_name));
	else {
		base_name = git_repo_name(repo_path);
		name = git_utf8(base_name, strlen(base_name));
		free(base_name);
	}
	free(in->source);
	in->source = xasprintf("git:%s", name);
	if ((errf = tmpfile()) == NULL || pipe(fds) != 0) {
		*cause = xasprintf("cannot run git: %s", strerror(errno));
		goto fail;
	}
	if ((pid = git_start(repo_path, since_arg, errf, fds, cause)) < 0)
		goto fail;
	started = 1;
	close(fds[1]);
	fds[1] = -1;
	out = fdopen(fds[0], "r");
	if (out == NULL) {
		*cause = xasprintf("cannot read git's output: %s", strerror(errno));
		goto fail;
	}
	fds[0] = -1;
	if (git_read(in, out, name, cause) != 0)
		goto fail;
	fclose(out);
	out = NULL;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	started = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		err = git_stderr_text(errf);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && *err == '\0')
			*cause = xstrdup("cannot run git (is it installed?)");
		else
			*cause = xasprintf("git log in %s failed: %s", repo_path,
			    *err != '\0' ? err : "non-zero exit");
		in->stats.sources_failed++;
		ingest_flush(in, &why);
		free(why);
		goto out;
	}
	rc = ingest_flush(in, cause);
	goto out;
fail:
	in->stats.sources_failed++;
out:
	if (out != NULL)
		fclose(out);
	if (started) {
		kill(pid, SIGTERM);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (errf != NULL)
		fclose(errf);
	free(err);
	free(name);
	free(since_arg);
	return rc;
}
