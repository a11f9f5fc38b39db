/*
 * secret.c - credentials for outbound calls (a PagerDuty routing key, a
 * webhook token, a bearer token): taken from an environment variable or
 * from a file only its owner may read, never from the database.  The
 * database keeps the variable's or the file's name; errors name them too,
 * never a secret's contents.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "midwatch/base64.h"
#include "midwatch/net.h"
#include "midwatch/xmalloc.h"

/* Longest secret read from a file. */
#define SECRET_MAX 8192

/* Checks the file's type and mode (see net.h). */
int
net_secret_file_check(const char *path, char **cause)
{
	struct stat st;

	if (path == NULL || *path == '\0') {
		*cause = xstrdup("key-file: no path given");
		return -1;
	}
	if (stat(path, &st) != 0) {
		*cause = xasprintf("key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("key file %s is not a regular file", path);
		return -1;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		*cause = xasprintf("key file %s is readable or writable by group "
		    "or others (mode %04o); refusing it: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	return 0;
}

/* Reads a secret file's contents (checked first); NULL with *cause. */
static char *
secret_read_file(const char *path, char **cause)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	if (net_secret_file_check(path, cause) != 0)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		*cause = xasprintf("key file %s: %s", path, strerror(errno));
		return NULL;
	}
	/* The mode again, on what was opened (no swap after the check). */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		close(fd);
		*cause = xasprintf("key file %s changed while it was read", path);
		return NULL;
	}
	buf = xmalloc(SECRET_MAX + 1);
	while (len < SECRET_MAX &&
	    (n = read(fd, buf + len, SECRET_MAX - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*cause = xasprintf("key file %s: %s", path,
			    strerror(errno));
			close(fd);
			buf[len] = '\0';
			net_secret_free(buf);
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* Loads a secret from env or file (see net.h). */
char *
net_secret_load(const char *env, const char *file, char **cause)
{
	const char *v;
	char *s;
	size_t n;

	if (env != NULL && *env != '\0') {
		if ((v = getenv(env)) == NULL || *v == '\0') {
			*cause = xasprintf("environment variable %s is not set",
			    env);
			return NULL;
		}
		s = xstrdup(v);
	} else if (file != NULL && *file != '\0') {
		if ((s = secret_read_file(file, cause)) == NULL)
			return NULL;
	} else {
		*cause = xstrdup("no secret configured (key-env or key-file)");
		return NULL;
	}
	n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
	    s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	if (n == 0) {
		*cause = xasprintf("the secret in %s %s is empty",
		    env != NULL && *env != '\0' ? "environment variable" :
		    "key file", env != NULL && *env != '\0' ? env : file);
		net_secret_free(s);
		return NULL;
	}
	return s;
}

/* Wipes and frees a secret. */
void
net_secret_free(char *secret)
{
	volatile char *p = secret;

	if (secret == NULL)
		return;
	while (*p != '\0')
		*p++ = '\0';
	free(secret);
}

/* The Authorization header for a secret (see net.h). */
char *
net_auth_header(const char *user, const char *secret)
{
	char *pair, *b64, *h;
	size_t n;

	if (user == NULL || *user == '\0')
		return xasprintf("Authorization: Bearer %s", secret);
	pair = xasprintf("%s:%s", user, secret);
	n = strlen(pair);
	b64 = base64_encode(pair, n);
	net_secret_free(pair);
	h = xasprintf("Authorization: Basic %s", b64);
	net_secret_free(b64);
	return h;
}
