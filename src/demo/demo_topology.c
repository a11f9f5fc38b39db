/*
 * demo_topology.c - the demo shop's fixed data and small deterministic
 * helpers: the services with their normal behaviour and recurring error
 * messages, the dependency graph, a seeded xoshiro256** PRNG (so a seed gives
 * the same bytes on every platform), the daily traffic curve, and RFC 3339
 * formatting of scenario times.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include "midwatch/timefmt.h"
#include "demo_int.h"

/* ------------------------------------------------------------------ */
/* PRNG                                                                */

/* Advances a splitmix64 state; used only to seed xoshiro. */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Rotates a 64-bit word left. */
static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* Seeds the generator; equal seeds give equal streams everywhere. */
void
demo_rng_seed(struct demo_rng *r, unsigned long seed)
{
	uint64_t x = (uint64_t)seed ^ 0x6d69647761746368ULL;	/* "midwatch" */
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

/* Returns the next 64 random bits (xoshiro256**). */
uint64_t
demo_rng_next(struct demo_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Returns a uniform double in [0, 1) built from 53 bits, exactly. */
double
demo_rng_unit(struct demo_rng *r)
{
	return (double)(demo_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Returns a uniform integer in [lo, hi] (inclusive). */
int
demo_rng_int(struct demo_rng *r, int lo, int hi)
{
	uint64_t span = (uint64_t)(hi - lo) + 1;

	return lo + (int)(demo_rng_next(r) % span);
}

/* Returns a uniform double in [lo, hi). */
double
demo_rng_real(struct demo_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * demo_rng_unit(r);
}

/* Returns an approximately standard normal value (Irwin-Hall, 12 terms):
 * pure arithmetic, so no libm differences between platforms. */
double
demo_rng_gauss(struct demo_rng *r)
{
	double sum = 0.0;
	int i;

	for (i = 0; i < 12; i++)
		sum += demo_rng_unit(r);
	return sum - 6.0;
}

/* Returns a binomial(n, p) draw by counting Bernoulli trials. */
int
demo_rng_binomial(struct demo_rng *r, int n, double p)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (demo_rng_unit(r) < p)
			k++;
	return k;
}

/* ------------------------------------------------------------------ */
/* Clock and shapes                                                    */

/* The scenario day, 2026-11-16T00:00:00Z, in epoch seconds. */
#define DEMO_DAY_EPOCH 1794787200L

/* Formats sec (seconds since the scenario day began) as RFC 3339 UTC. */
void
demo_fmt_ts(char *buf, size_t len, long sec)
{
	timefmt_format((double)(DEMO_DAY_EPOCH + sec), buf, len);
}

/* Returns cos(x) from a Taylor series after range reduction (no libm). */
static double
poly_cos(double x)
{
	const double two_pi = 6.283185307179586;
	double term = 1.0, sum = 1.0, x2;
	int i;

	while (x > 3.141592653589793)
		x -= two_pi;
	while (x < -3.141592653589793)
		x += two_pi;
	x2 = x * x;
	for (i = 1; i <= 14; i++) {
		term *= -x2 / ((2.0 * i - 1.0) * (2.0 * i));
		sum += term;
	}
	return sum;
}

/* Returns the daily load factor for a minute: 0.2 at 04:00, 1.0 at 16:00. */
double
demo_diurnal(int minute)
{
	double h = minute / 60.0;
	double s = 0.5 - 0.5 * poly_cos(6.283185307179586 * (h - 4.0) / 24.0);

	return 0.2 + 0.8 * s;
}

/* Rounds to four significant digits, the precision the file carries. */
double
demo_round4(double v)
{
	char buf[32];
	double out;

	snprintf(buf, sizeof buf, "%.4g", v);
	if (sscanf(buf, "%lf", &out) != 1)
		return v;
	return out;
}

/* ------------------------------------------------------------------ */
/* The shop                                                            */

static const struct demo_template err_edge[] = {
	{ "upstream reset before headers for request %x (cluster frontend)", "error", "UpstreamReset" },
	{ "client closed request after %mms path=/api/products/%d", "warning", "ClientClosed" },
	{ "TLS handshake error from 10.%i.%i.%i: EOF", "warning", "TLSError" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_frontend[] = {
	{ "render failed for /product/%d: price missing in template data", "error", "RenderError" },
	{ "session %x expired for user %u, redirecting to login", "warning", "SessionExpired" },
	{ "GET /api/recommendations?user=%u returned 503 after %mms", "error", "UpstreamError" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_auth[] = {
	{ "invalid token for user %u: signature mismatch", "warning", "InvalidToken" },
	{ "login rate limit exceeded for 10.%i.%i.%i (%d attempts)", "warning", "RateLimited" },
	{ "refresh token %x not found", "error", "NotFound" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_catalog[] = {
	{ "product %d not found", "warning", "NotFound" },
	{ "stale cache entry for category %d (age %ds)", "warning", "StaleCache" },
	{ "price feed import row %d rejected: currency missing", "error", "ValidationError" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_search[] = {
	{ "query timeout after %mms for q=\"%w\"", "error", "Timeout" },
	{ "index shard %i not ready, retrying in %dms", "warning", "ShardUnavailable" },
	{ "malformed filter in request %x: unknown facet", "warning", "BadRequest" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_recommendations[] = {
	{ "feature vector missing for user %u", "warning", "MissingFeatures" },
	{ "fallback to popular items for user %u after %mms", "warning", "Fallback" },
	{ "model server returned 500 for batch %x", "error", "UpstreamError" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_cart[] = {
	{ "cart %x not found for session %x", "warning", "NotFound" },
	{ "redis GET cart:%x took %mms", "warning", "SlowCall" },
	{ "item SKU-%d quantity %i exceeds limit", "warning", "ValidationError" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_checkout[] = {
	{ "shipping quote for order %o timed out after %mms", "error", "Timeout" },
	{ "coupon %x expired for user %u", "warning", "ValidationError" },
	{ "address validation failed for order %o", "warning", "ValidationError" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_payments[] = {
	{ "card declined for order %o: insufficient_funds", "warning", "CardDeclined" },
	{ "3ds challenge abandoned for payment pay_%x", "warning", "Abandoned" },
	{ "idempotency key %x reused with a different amount", "error", "Conflict" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_orders[] = {
	{ "order %o transition paid->shipped rejected: not packed", "error", "StateError" },
	{ "duplicate order event %x ignored", "warning", "Duplicate" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_inventory[] = {
	{ "stock reservation %d conflict for SKU-%d", "warning", "Conflict" },
	{ "warehouse sync lag %ds for region eu-%i", "warning", "SyncLag" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_notifications[] = {
	{ "email to user %u bounced: mailbox full", "warning", "Bounce" },
	{ "smtp send failed after %mms: 421 try again later", "error", "SmtpError" },
	{ "push token %x unregistered", "warning", "NotFound" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_payments_db[] = {
	{ "canceling statement due to statement timeout (pid %d)", "error", "StatementTimeout" },
	{ "could not serialize access due to concurrent update (xid %d)", "warning", "SerializationFailure" },
	{ NULL, NULL, NULL }
};
static const struct demo_template err_redis[] = {
	{ "slowlog: GET took %d microseconds", "warning", "SlowCommand" },
	{ "client id=%d closed: idle timeout", "warning", "Timeout" },
	{ NULL, NULL, NULL }
};

static const struct demo_service services[SVC_COUNT] = {
	{ "edge", "edge", 800, 0.002, 120, 0.08, 0.42, 0.35, 0.15, err_edge },
	{ "frontend", "frontend", 520, 0.003, 180, 0.10, 0.48, 0.45, 0.15, err_frontend },
	{ "auth", "backend", 300, 0.001, 90, 0.06, 0.30, 0.38, 0.10, err_auth },
	{ "catalog", "backend", 350, 0.002, 110, 0.08, 0.40, 0.50, 0.10, err_catalog },
	{ "search", "backend", 180, 0.004, 240, 0.12, 0.55, 0.62, 0.12, err_search },
	{ "recommendations", "backend", 150, 0.005, 280, 0.15, 0.50, 0.58, 0.12, err_recommendations },
	{ "cart", "backend", 220, 0.003, 95, 0.07, 0.35, 0.40, 0.10, err_cart },
	{ "checkout", "backend", 60, 0.006, 260, 0.06, 0.30, 0.44, 0.12, err_checkout },
	{ "payments", "backend", 35, 0.005, 210, 0.05, 0.25, 0.40, 0.12, err_payments },
	{ "orders", "backend", 45, 0.002, 140, 0.05, 0.22, 0.36, 0.08, err_orders },
	{ "inventory", "backend", 120, 0.002, 85, 0.05, 0.28, 0.34, 0.08, err_inventory },
	{ "notifications", "worker", 40, 0.004, 130, 0.04, 0.20, 0.30, 0.08, err_notifications },
	{ "payments-db", "database", 180, 0.0005, 8, 0.12, 0.40, 0.60, 0.04, err_payments_db },
	{ "redis", "cache", 1500, 0.0002, 3, 0.05, 0.20, 0.55, 0.02, err_redis },
	{ "psp-gateway", "external", 0, 0, 0, 0, 0, 0, 0, NULL },
};

static const struct demo_dep deps[] = {
	{ SVC_EDGE, SVC_FRONTEND, "service" },
	{ SVC_FRONTEND, SVC_AUTH, "service" },
	{ SVC_FRONTEND, SVC_CATALOG, "service" },
	{ SVC_FRONTEND, SVC_SEARCH, "service" },
	{ SVC_FRONTEND, SVC_RECOMMENDATIONS, "service" },
	{ SVC_FRONTEND, SVC_CART, "service" },
	{ SVC_FRONTEND, SVC_CHECKOUT, "service" },
	{ SVC_AUTH, SVC_REDIS, "database" },
	{ SVC_CATALOG, SVC_SEARCH, "service" },
	{ SVC_RECOMMENDATIONS, SVC_CATALOG, "service" },
	{ SVC_CART, SVC_REDIS, "database" },
	{ SVC_CART, SVC_INVENTORY, "service" },
	{ SVC_CHECKOUT, SVC_CART, "service" },
	{ SVC_CHECKOUT, SVC_PAYMENTS, "service" },
	{ SVC_CHECKOUT, SVC_ORDERS, "service" },
	{ SVC_CHECKOUT, SVC_INVENTORY, "service" },
	{ SVC_PAYMENTS, SVC_PAYMENTS_DB, "database" },
	{ SVC_PAYMENTS, SVC_PSP, "external" },
	{ SVC_ORDERS, SVC_NOTIFICATIONS, "service" },
};

static const char *const metric_names[MET_COUNT] = {
	"request_rate", "error_ratio", "latency_p99_ms", "cpu_utilization",
	"memory_utilization"
};

static const char *const search_words[] = {
	"running shoes", "usb-c cable", "winter jacket", "coffee grinder",
	"desk lamp", "yoga mat", "kids bike", "rain boots"
};

/* Returns the static description of service i. */
const struct demo_service *
demo_topo_service(int i)
{
	return &services[i];
}

/* Returns the name of metric m (doc/interfaces.md, the ingest format). */
const char *
demo_topo_metric(int m)
{
	return metric_names[m];
}

/* Points *out at the dependency edges and returns how many there are. */
size_t
demo_topo_deps(const struct demo_dep **out)
{
	*out = deps;
	return sizeof deps / sizeof deps[0];
}

/* Writes n random lowercase hex digits and a terminator at p. */
void
demo_rng_hex(struct demo_rng *r, char *p, int n)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < n; i++)
		p[i] = hex[demo_rng_next(r) >> 60];
	p[n] = '\0';
}

/* Expands a template's placeholders with random variable parts into buf. */
void
demo_topo_expand(struct demo_rng *r, const char *fmt, char *buf, size_t len)
{
	size_t n = 0;
	char part[40];
	const char *p;

	for (p = fmt; *p != '\0' && n + 1 < len; p++) {
		if (*p != '%' || p[1] == '\0') {
			buf[n++] = *p;
			continue;
		}
		switch (*++p) {
		case 'x':
			demo_rng_hex(r, part, 8);
			break;
		case 'd':
			snprintf(part, sizeof part, "%d", demo_rng_int(r, 100, 99999));
			break;
		case 'm':
			snprintf(part, sizeof part, "%d", demo_rng_int(r, 120, 4800));
			break;
		case 'o':
			snprintf(part, sizeof part, "ord-%07d", demo_rng_int(r, 1, 9999999));
			break;
		case 'u':
			snprintf(part, sizeof part, "u-%06d", demo_rng_int(r, 1, 999999));
			break;
		case 'i':
			snprintf(part, sizeof part, "%d", demo_rng_int(r, 1, 254));
			break;
		case 'w':
			snprintf(part, sizeof part, "%s", search_words[demo_rng_int(r, 0,
			    (int)(sizeof search_words / sizeof search_words[0]) - 1)]);
			break;
		default:
			part[0] = *p;
			part[1] = '\0';
			break;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s", part);
		if (n >= len)
			n = len - 1;
	}
	buf[n] = '\0';
}
