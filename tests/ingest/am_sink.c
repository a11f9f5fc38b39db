/*
 * am_sink.c - a webhook receiver for tests/ingest/test_alertmanager.sh: the
 * real Alertmanager is pointed at it, and every body POSTed to it is
 * appended to a file, one body a line, as a relay would write them.
 *
 *   am_sink PORTFILE OUTFILE [COUNT [SECONDS]]
 *
 * Listens on 127.0.0.1 on a free port (written to PORTFILE once listening),
 * answers every request 200, and exits 0 after COUNT bodies (default 1), or
 * 1 after SECONDS (default 60) without them.  Only loopback, only
 * Content-Length bodies (what Alertmanager sends).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define SINK_MAX (4 * 1024 * 1024)

/* Reads one request from fd; returns the body's length (body in buf at
 * *body), or -1. */
static long
sink_read(int fd, char *buf, size_t cap, char **body)
{
	size_t got = 0;
	long clen = -1;
	char *end = NULL, *p;
	ssize_t n;

	while (got < cap - 1) {
		n = read(fd, buf + got, cap - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			for (p = buf; p < end; p++) {
				if (strncasecmp(p, "\r\nContent-Length:", 17) == 0) {
					clen = strtol(p + 17, NULL, 10);
					break;
				}
			}
		}
		if (end != NULL && clen >= 0 &&
		    got >= (size_t)(end + 4 - buf) + (size_t)clen)
			break;
	}
	if (end == NULL)
		return -1;
	*body = end + 4;
	if (clen < 0 || (size_t)clen > got - (size_t)(*body - buf))
		clen = (long)(got - (size_t)(*body - buf));
	return clen;
}

int
main(int argc, char **argv)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n";
	struct sockaddr_in sa;
	socklen_t slen = sizeof sa;
	int count = 1, seconds = 60, lfd, fd, seen = 0, one = 1;
	char *buf, *body;
	long blen;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: am_sink PORTFILE OUTFILE [COUNT [SECONDS]]\n");
		return 2;
	}
	if (argc > 3)
		count = atoi(argv[3]);
	if (argc > 4)
		seconds = atoi(argv[4]);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)seconds);	/* default action: exit, the test fails */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(lfd, 8) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &slen) != 0) {
		perror("am_sink: listen");
		return 1;
	}
	f = fopen(argv[1], "w");
	if (f == NULL) {
		perror(argv[1]);
		return 1;
	}
	fprintf(f, "%d\n", ntohs(sa.sin_port));
	fclose(f);
	buf = malloc(SINK_MAX);
	if (buf == NULL)
		return 1;
	while (seen < count) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		blen = sink_read(fd, buf, SINK_MAX, &body);
		if (write(fd, ok, sizeof ok - 1) < 0)
			perror("am_sink: write");
		close(fd);
		if (blen <= 0)
			continue;
		f = fopen(argv[2], "a");
		if (f == NULL) {
			perror(argv[2]);
			return 1;
		}
		/* one body a line, as a relay appends them */
		while (blen > 0 && (body[blen - 1] == '\n' || body[blen - 1] == '\r'))
			blen--;
		fwrite(body, 1, (size_t)blen, f);
		fputc('\n', f);
		fclose(f);
		seen++;
	}
	free(buf);
	close(lfd);
	return 0;
}
