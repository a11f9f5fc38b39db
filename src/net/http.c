/*
 * http.c - the one HTTP client: a libcurl easy handle per exchange with the
 * timeout policy of net.h, JSON bodies, the response body kept (cut at
 * NET_MAX_RESPONSE) and Retry-After read.  It never retries (the caller
 * owns the retry state, usually in the database) and never logs: errors are
 * curl's transport message, which names at most the host, with any secret
 * the caller lists redacted.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "midwatch/net.h"
#include "midwatch/xmalloc.h"

static pthread_once_t net_once = PTHREAD_ONCE_INIT;
static CURLcode net_init_rc;

/* curl_global_init, exactly once. */
static void
net_init_once(void)
{
	net_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Initialises libcurl (see net.h). */
int
net_init(char **cause)
{
	pthread_once(&net_once, net_init_once);
	if (net_init_rc != CURLE_OK) {
		*cause = xasprintf("cannot initialise libcurl: %s",
		    curl_easy_strerror(net_init_rc));
		return -1;
	}
	return 0;
}

/* Where the response goes while curl reads it. */
struct net_sink {
	char *buf;
	size_t len, cap;
	double retry_after;
};

/* Appends a body chunk, dropping what exceeds NET_MAX_RESPONSE. */
static size_t
net_write(char *data, size_t size, size_t n, void *arg)
{
	struct net_sink *s = arg;
	size_t len = size * n, keep = len;

	if (s->len + keep > NET_MAX_RESPONSE)
		keep = NET_MAX_RESPONSE - s->len;
	if (keep > 0) {
		if (s->len + keep + 1 > s->cap) {
			s->cap = (s->len + keep + 1) * 2;
			if (s->cap > NET_MAX_RESPONSE + 1)
				s->cap = NET_MAX_RESPONSE + 1;
			s->buf = xrealloc(s->buf, s->cap);
		}
		memcpy(s->buf + s->len, data, keep);
		s->len += keep;
		s->buf[s->len] = '\0';
	}
	return len;
}

/* Reads Retry-After (delta seconds only; an HTTP date is ignored). */
static size_t
net_header(char *data, size_t size, size_t n, void *arg)
{
	struct net_sink *s = arg;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	char tmp[32], *end;
	size_t i = sizeof name - 1, j = 0;
	double v;

	if (len > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
		while (i < len && (data[i] == ' ' || data[i] == '\t'))
			i++;
		while (i < len && j < sizeof tmp - 1 &&
		    isdigit((unsigned char)data[i]))
			tmp[j++] = data[i++];
		tmp[j] = '\0';
		if (j > 0) {
			v = strtod(tmp, &end);
			s->retry_after = v;
		}
	}
	return len;
}

/* Performs one exchange (see net.h). */
int
net_request(const struct net_request *req, struct net_response *resp)
{
	struct net_sink sink = { NULL, 0, 0, -1 };
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE];
	const char *const *h;
	char *cause = NULL;
	CURLcode rc;
	CURL *c;
	long conn_ms, total_ms;
	double secs = 0;

	memset(resp, 0, sizeof *resp);
	resp->retry_after = -1;
	if (net_init(&cause) != 0) {
		resp->body = xstrdup("");
		resp->error = cause;
		return -1;
	}
	if ((c = curl_easy_init()) == NULL) {
		resp->body = xstrdup("");
		resp->error = xstrdup("cannot create a curl handle");
		return -1;
	}
	errbuf[0] = '\0';
	conn_ms = req->connect_timeout_ms > 0 ? req->connect_timeout_ms :
	    NET_CONNECT_TIMEOUT_MS;
	total_ms = req->timeout_ms > 0 ? req->timeout_ms : NET_TOTAL_TIMEOUT_MS;
	if (conn_ms > total_ms)
		conn_ms = total_ms;
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, conn_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total_ms);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP |
	    CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_USERAGENT, "midwatch/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, net_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, net_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	/* No "Expect: 100-continue" round trip on larger bodies. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (req->method == NET_POST) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
		    (long)(req->body ? strlen(req->body) : 0));
	} else if (req->method == NET_DELETE)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
	else
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	for (h = req->headers; h != NULL && *h != NULL; h++)
		hdrs = curl_slist_append(hdrs, *h);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &secs);
	resp->elapsed_ms = (long)(secs * 1000.0 + 0.5);
	resp->retry_after = sink.retry_after;
	resp->body = sink.buf != NULL ? sink.buf : xstrdup("");
	resp->body_len = sink.len;
	if (rc != CURLE_OK) {
		resp->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
		/* A transport failure is not a response, even if a status line
		 * was read before the connection broke. */
		resp->status = 0;
		resp->error = xasprintf("%s", errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(rc));
		net_redact(resp->error, req->secrets);
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

/* Frees what net_request filled. */
void
net_response_free(struct net_response *resp)
{
	free(resp->body);
	free(resp->error);
	resp->body = resp->error = NULL;
}

/* Checks an http(s) URL with curl's own parser (see net.h). */
int
net_url_check(const char *url, char **cause)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	int rc = -1;

	if (net_init(cause) != 0)
		return -1;
	if ((u = curl_url()) == NULL) {
		*cause = xstrdup("cannot parse URLs");
		return -1;
	}
	if (url == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		*cause = xstrdup("not a URL (expected http://HOST/... or "
		    "https://HOST/...)");
	else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		*cause = xstrdup("the URL must start with http:// or https://");
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0')
		*cause = xstrdup("the URL names no host");
	else
		rc = 0;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/* Replaces each secret in s by "***" (see net.h). */
void
net_redact(char *s, const char *const *secrets)
{
	const char *const *sec;
	char *p;
	size_t n, k;

	if (s == NULL)
		return;
	for (sec = secrets; sec != NULL && *sec != NULL; sec++) {
		if ((n = strlen(*sec)) == 0)
			continue;
		/* "***" is never longer than a secret of 3+ bytes; a shorter
		 * one is blanked with as many stars. */
		k = n < 3 ? n : 3;
		for (p = s; (p = strstr(p, *sec)) != NULL; p += k) {
			memset(p, '*', k);
			memmove(p + k, p + n, strlen(p + n) + 1);
		}
	}
}
