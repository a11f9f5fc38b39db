/*
 * receiver.c - the HTTP target of tests/net/test_notify.sh: a small server
 * on 127.0.0.1 (plain sockets, one forked child per connection) that
 * answers every request the way its mode file says at that moment, and
 * appends each request to a log file.
 *
 *   receiver --port-file F --log F --mode-file F [--body-file F]
 *
 * Modes (the first word of the mode file, re-read per request):
 *   200, 202, 400, 429 (with Retry-After: 2), 500  answer with that status;
 *   file   answer 200 with the contents of the --body-file (re-read per
 *          request: a test's exporter page or API answer);
 *   file500  answer 500 with the contents of the --body-file (an error
 *          page: tests/net/test_error_secrets.sh);
 *   hang   read the request, answer nothing, keep the connection for 60 s;
 *   close  read the request and close the connection without an answer.
 * Each request is logged as one "REQ" summary line (answer, method, path,
 * Idempotency-Key, body length), its header lines prefixed "H ", and its
 * body on one line prefixed "BODY ", written with one write() so children
 * never interleave.  The port it listens on is written to the port file.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define REQ_MAX (1024 * 1024)

static const char *log_path, *mode_path, *body_path;

/* The current mode (a static buffer). */
static const char *
current_mode(void)
{
	static char mode[32];
	FILE *f = fopen(mode_path, "r");
	size_t n;

	snprintf(mode, sizeof mode, "200");
	if (f == NULL)
		return mode;
	if (fgets(mode, sizeof mode, f) == NULL)
		snprintf(mode, sizeof mode, "200");
	fclose(f);
	n = strcspn(mode, " \t\r\n");
	mode[n] = '\0';
	return mode;
}

/* Reads until the headers end and Content-Length bytes of body arrived.
 * Returns the bytes read (NUL-terminated in buf), *body at the body. */
static size_t
read_request(int fd, char *buf, size_t cap, char **body, size_t *blen)
{
	size_t len = 0, want = 0;
	char *end = NULL, *cl;
	ssize_t n;

	*body = NULL;
	*blen = 0;
	while (len < cap - 1) {
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			*end = '\0';
			cl = strcasestr(buf, "\r\ncontent-length:");
			want = cl != NULL ? strtoul(cl + 17, NULL, 10) : 0;
			*end = '\r';
		}
		if (end != NULL && len >= (size_t)(end + 4 - buf) + want)
			break;
	}
	buf[len] = '\0';
	if (end != NULL) {
		*end = '\0';
		*body = end + 4;
		*blen = len - (size_t)(end + 4 - buf);
	}
	return len;
}

/* The value of header name in the header block, copied into out. */
static void
header_value(const char *hdrs, const char *name, char *out, size_t len)
{
	const char *p = hdrs;
	size_t nl = strlen(name), n;

	snprintf(out, len, "-");
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ')
				p++;
			n = strcspn(p, "\r\n");
			snprintf(out, len, "%.*s", (int)n, p);
			return;
		}
	}
}

/* Appends the record of one request to the log with one write(). */
static void
log_request(const char *mode, char *hdrs, const char *body, size_t blen)
{
	char method[16] = "-", path[256] = "-", idem[256];
	size_t cap = strlen(hdrs) * 2 + blen + 1024, len = 0, i;
	char *rec = malloc(cap), *line, *save = NULL;
	int fd;

	if (rec == NULL)
		return;
	sscanf(hdrs, "%15s %255s", method, path);
	header_value(hdrs, "Idempotency-Key", idem, sizeof idem);
	len += (size_t)snprintf(rec + len, cap - len,
	    "REQ answer=%s method=%s path=%s idem=%s len=%zu\n", mode, method,
	    path, idem, blen);
	for (line = strtok_r(hdrs, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save))
		len += (size_t)snprintf(rec + len, cap - len, "H %s\n", line);
	len += (size_t)snprintf(rec + len, cap - len, "BODY ");
	for (i = 0; i < blen && len < cap - 2; i++)
		rec[len++] = body[i] == '\n' ? ' ' : body[i];
	rec[len++] = '\n';
	if ((fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT, 0644)) >= 0) {
		if (write(fd, rec, len) != (ssize_t)len)
			perror("receiver: log");
		close(fd);
	}
	free(rec);
}

/* Answers status (200 or 500) with the body file (empty when it cannot
 * be read). */
static void
serve_file(int fd, int status)
{
	static char body[REQ_MAX];
	char head[256];
	size_t n = 0;
	FILE *f = body_path != NULL ? fopen(body_path, "r") : NULL;

	if (f != NULL) {
		n = fread(body, 1, sizeof body, f);
		fclose(f);
	}
	snprintf(head, sizeof head, "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	    status == 200 ? "200 OK" : "500 Internal Server Error",
	    n > 0 && (body[0] == '{' || body[0] == '[') ? "application/json" :
	    "text/plain; version=0.0.4", n);
	if (write(fd, head, strlen(head)) < 0 || (n > 0 && write(fd, body, n) < 0))
		perror("receiver: write");
}

/* Serves one connection in a child. */
static void
serve(int fd)
{
	static char buf[REQ_MAX];
	char resp[256], *body;
	const char *mode = current_mode(), *reason;
	size_t blen;
	int status;

	if (read_request(fd, buf, sizeof buf, &body, &blen) == 0)
		return;
	log_request(mode, buf, body != NULL ? body : "", blen);
	if (strcmp(mode, "hang") == 0) {
		sleep(60);
		return;
	}
	if (strcmp(mode, "close") == 0)
		return;
	if (strcmp(mode, "file") == 0 || strcmp(mode, "file500") == 0) {
		serve_file(fd, mode[4] == '\0' ? 200 : 500);
		return;
	}
	status = atoi(mode);
	if (status < 100 || status > 599)
		status = 200;
	reason = status == 200 ? "OK" : status == 202 ? "Accepted" :
	    status == 429 ? "Too Many Requests" : status >= 500 ?
	    "Internal Server Error" : "Bad Request";
	snprintf(resp, sizeof resp, "HTTP/1.1 %d %s\r\nContent-Type: text/plain"
	    "\r\n%sContent-Length: 3\r\nConnection: close\r\n\r\n%s", status,
	    reason, status == 429 ? "Retry-After: 2\r\n" : "",
	    status < 300 ? "ok\n" : "no\n");
	if (write(fd, resp, strlen(resp)) < 0)
		perror("receiver: write");
}

/* Parses the options, listens, forks a child per connection. */
int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	const char *port_path = NULL;
	FILE *f;
	int s, c, i, one = 1;
	pid_t pid;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port-file") == 0)
			port_path = argv[i + 1];
		else if (strcmp(argv[i], "--log") == 0)
			log_path = argv[i + 1];
		else if (strcmp(argv[i], "--mode-file") == 0)
			mode_path = argv[i + 1];
		else if (strcmp(argv[i], "--body-file") == 0)
			body_path = argv[i + 1];
	}
	if (port_path == NULL || log_path == NULL || mode_path == NULL) {
		fprintf(stderr, "usage: receiver --port-file F --log F "
		    "--mode-file F\n");
		return 2;
	}
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0) {
		perror("receiver: socket");
		return 1;
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s, 64) != 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &sl) != 0) {
		perror("receiver: bind");
		return 1;
	}
	if ((f = fopen(port_path, "w")) == NULL) {
		perror("receiver: port file");
		return 1;
	}
	fprintf(f, "%d\n", ntohs(sa.sin_port));
	fclose(f);
	for (;;) {
		if ((c = accept(s, NULL, NULL)) < 0) {
			if (errno == EINTR)
				continue;
			perror("receiver: accept");
			return 1;
		}
		if ((pid = fork()) == 0) {
			close(s);
#ifdef __linux__
			prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
			alarm(90);
			serve(c);
			close(c);
			_exit(0);
		}
		if (pid < 0)
			perror("receiver: fork");
		close(c);
	}
}
