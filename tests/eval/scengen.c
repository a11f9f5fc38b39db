/*
 * scengen.c - an independent scenario generator for `make eval`
 * (tests/eval/eval.sh): random service topologies with injected faults,
 * written as midwatch JSON Lines (doc/ingest.md) plus the ground truth.
 *
 *   scengen --seed N --out FILE --truth FILE [--hours H] [--services N]
 *
 * It shares no code and no shapes with the bundled demo (src/demo/): its own
 * PRNG (PCG32), its own names, topologies, rates, noise, error texts and
 * fault models.  The detectors were never tuned on it, which is the point:
 * the evaluation measures how the pipeline does on data it has never seen.
 *
 * The world is a small per-minute causal model.  Outside traffic enters at
 * the edge services (and at batch workers), follows the call graph
 * (request rates add up along edges), and every service's utilisation
 * follows its load; a busy service gets slow and then sheds requests.
 * Latency and errors flow back up the graph: a caller's p99 includes part of
 * its callees' extra latency, and a share of its callees' failures surface
 * as its own.  Faults perturb one part of the model (a release adds errors to
 * a service, a database slows down, an external provider fails, the edge
 * gets a surge ...) and the rest follows from the graph.  Observations are
 * then sampled from the model at each service's scrape step (15 s .. 5 min)
 * with noise, missing points and scrape gaps, and error events are logged
 * with texts that depend on their cause (a caller's error may or may not name
 * the dependency that failed).
 *
 * Ground truth, one entry per injected fault: kind, root-cause service, the
 * change id when the cause is a deploy or config change, the fault's start
 * and end (when its effects begin and stop) and the hypotheses that count as
 * a correct diagnosis (`accept`).  The mapping from fault kind to the
 * pipeline's hypothesis (midwatch incidents --json: type, service, ref):
 *
 *   release    a bad deploy on X          -> release    / X / the deploy id
 *   config     a bad config change on X   -> config     / X / the change id
 *   database   a shared DB D degrades     -> db         / D
 *   infra      CPU saturation on X        -> infra      / X
 *   memleak    X leaks memory, OOM loop   -> infra      / X
 *   external   external dependency E down -> dependency / E
 *   surge      traffic surge at edge S    -> traffic    / S
 *   cascade    one library version rolled -> release    / Xi / deploy i, for
 *              out to several services       any service Xi of the roll-out
 *              within minutes                (each is a correct diagnosis)
 *   short      a 2-5 minute fault of one of the kinds release, config,
 *              database, infra, external; mapped as that kind
 *
 * A hypothesis matches when its type and service equal an accepted entry's
 * and, when the entry has a ref (changes only), its ref too.
 *
 * Every scenario also holds confounders near each fault: a flapping metric on
 * a neighbour overlapping the onset, decoy deploys on neighbours and harmless
 * config changes (logging, scaling up) around the onset; and everywhere:
 * isolated spikes, background deploys and config changes, recurring errors,
 * a flapping external alert, daily seasonality, slow drifts, missing points,
 * scrape gaps and mixed sampling steps.  They are listed in the truth file
 * under "confounders" (not faults: an incident for them is a false one).
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SVC 72		/* apps + databases + caches + externals */
#define MAX_EDGE 512
#define MAX_POD 3
#define MAX_FAULT 4
#define MAX_ACCEPT 6
#define MAX_DEPLOY 160
#define MAX_COMMIT 400
#define MAX_CFG 64
#define MAX_ALERT 64
#define MAX_CONF 64
#define NAME_LEN 48

/* vsnprintf under another name: the generator's strings all live in one
 * static struct, which makes GCC's -Wrestrict see overlaps that cannot
 * happen (different members). */
static int __attribute__((format(printf, 3, 4)))
sfmt(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- PRNG: PCG32 (O'Neill), one stream per purpose ----------------------- */

struct rng {
	uint64_t state, inc;
};

/* Returns the next 32 random bits. */
static uint32_t
rng_u32(struct rng *r)
{
	uint64_t old = r->state;
	uint32_t xs, rot;

	r->state = old * 6364136223846793005ULL + r->inc;
	xs = (uint32_t)(((old >> 18) ^ old) >> 27);
	rot = (uint32_t)(old >> 59);
	return (xs >> rot) | (xs << ((32 - rot) & 31));
}

/* Seeds stream seq of seed: equal arguments give equal streams everywhere. */
static void
rng_seed(struct rng *r, uint64_t seed, uint64_t seq)
{
	r->state = 0;
	r->inc = (seq << 1) | 1;
	rng_u32(r);
	r->state += seed * 0x9e3779b97f4a7c15ULL + 0x5ca1ab1eULL;
	rng_u32(r);
}

/* A uniform double in [0, 1). */
static double
rng_unit(struct rng *r)
{
	uint64_t hi = rng_u32(r) >> 5, lo = rng_u32(r) >> 6;

	return (double)(hi * 67108864ULL + lo) / 9007199254740992.0;
}

/* A uniform integer in [lo, hi]. */
static int
rng_int(struct rng *r, int lo, int hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int)(rng_unit(r) * (hi - lo + 1));
}

/* A uniform double in [lo, hi). */
static double
rng_real(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_unit(r);
}

/* Log-uniform in [lo, hi): magnitudes spread over orders. */
static double
rng_logu(struct rng *r, double lo, double hi)
{
	return exp(rng_real(r, log(lo), log(hi)));
}

/* A standard normal deviate (Box-Muller). */
static double
rng_gauss(struct rng *r)
{
	double u = rng_unit(r), v = rng_unit(r);

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* 1 with probability p. */
static int
rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

/* A Poisson deviate (normal approximation above 30). */
static int
rng_poisson(struct rng *r, double lambda)
{
	double l, p;
	int k;

	if (lambda <= 0)
		return 0;
	if (lambda > 30) {
		k = (int)lround(lambda + sqrt(lambda) * rng_gauss(r));
		return k < 0 ? 0 : k;
	}
	l = exp(-lambda);
	p = 1;
	k = 0;
	do {
		k++;
		p *= rng_unit(r);
	} while (p > l);
	return k - 1;
}

/* Writes n lowercase hex digits and a NUL to out. */
static void
rng_hex(struct rng *r, char *out, int n)
{
	static const char hx[] = "0123456789abcdef";
	int i;

	for (i = 0; i < n; i++)
		out[i] = hx[rng_u32(r) & 15];
	out[n] = '\0';
}

/* ---- names ----------------------------------------------------------------- */

static const char *const nouns[] = {
	"ledger", "quota", "profile", "media", "geo", "ranking", "feed",
	"session", "token", "invoice", "shipping", "pricing", "review", "audit",
	"report", "index", "mailer", "sms", "push", "fraud", "risk", "tax",
	"coupon", "wallet", "loyalty", "vendor", "booking", "fleet", "route",
	"tenant", "billing", "consent", "export", "import", "ticket", "chat",
	"thumbnail", "upload", "webhook", "scheduler", "identity", "policy",
	"metering", "usage", "settlement", "refund", "dispatch", "courier",
	"menu", "listing", "offer", "bidding", "ads", "notify", "survey",
	"calendar", "presence", "graph", "lookup", "archive", "mirror"
};
static const char *const app_sfx[] = {
	"api", "svc", "core", "engine", "sync", "proxy", "reader", "writer",
	"gateway", "hub", "manager", "resolver"
};
static const char *const worker_sfx[] = { "worker", "consumer", "cron", "batch" };
static const char *const edge_names[] = {
	"web-bff", "mobile-api", "public-gw", "partner-api", "storefront",
	"admin-portal", "ingress-edge"
};
static const char *const db_fmt[] = { "pg-%s", "%s-db", "mysql-%s", "%s-store" };
static const char *const cache_fmt[] = { "redis-%s", "%s-cache", "memcached-%s" };
static const char *const ext_names[] = {
	"stripe-api", "adyen-gateway", "twilio-sms", "sendgrid-mail",
	"maps-provider", "s3-storage", "kyc-vendor", "fx-rates",
	"shipping-carrier", "auth0-tenant", "search-saas", "geoip-service"
};
static const char *const regions[] = { "eu-west-1", "us-east-1" };
static const char *const authors[] = {
	"akira", "bea", "chidi", "dana", "emil", "farah", "gus", "hana", "ivo",
	"jules", "kemal", "lina"
};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the world ------------------------------------------------------------- */

enum svc_kind { SK_APP, SK_WORKER, SK_DB, SK_CACHE, SK_EXT };

/* What a per-minute array of a service describes. */
struct svc {
	char name[NAME_LEN];
	enum svc_kind kind;
	int layer;		/* apps: 0 (edge) .. depth-1; stores: depth */
	int entry;		/* takes outside traffic at the edge */
	int step;		/* scrape step, seconds */
	double phase;		/* scrape offset in the step, seconds */
	int frac_ts;		/* timestamps carry milliseconds */
	int npods;		/* cpu/memory/restarts per pod when > 1 */
	char pod[MAX_POD][NAME_LEN + 16];
	int split;		/* request series split by region label */
	int has_mem, has_restarts, has_health, has_conn;
	char lang;		/* 'g'o, 'p'ython, 'j'ava, 't'ypescript */
	char cluster[24], ns[24], team[24];
	double rate0;		/* own outside traffic at the daily mean, req/s */
	double brate;		/* mean total rate (computed without faults) */
	double err0;		/* own background error ratio */
	double lat_own;		/* own processing p99, ms */
	double cpu0;		/* utilisation at the mean rate */
	double mem0;		/* resting memory utilisation */
	double mem_drift;	/* slow drift over the scenario (a confounder) */
	double conn0;		/* databases: connections in use at the mean */
	double timeout_ms;	/* how long it waits for a callee at most */
	double worst_lat;	/* its slowest normal p99 */
	double logfrac;		/* share of failed requests that are logged */
	double noise;		/* relative noise of its series */
	double season_amp, season_shift;
	int nbg;
	int bg[3];		/* background error templates */
	double bg_lambda;	/* background error events per minute */
	int overload_tpl;
	int version[3];
	char rev[12];
	int ngaps;
	int gap_from[3], gap_to[3];	/* scrape gaps, minutes */
	double drop_p;		/* probability that one point is missing */
	/* per-minute inputs, M long */
	double *ratemul;	/* own outside traffic multiplier */
	double *erradd;		/* own failure ratio added by faults */
	int *ftpl;		/* the fault error template of erradd, -1 none */
	double *latadd;		/* p99 added by faults, ms */
	double *cpuadd;		/* utilisation added by faults */
	double *walk;		/* slow load wander, multiplier */
	/* per-minute state, computed */
	double *rate, *cpu, *err, *lat, *cong;
	double *err_nf;		/* err as it would be without any fault */
	double *lat_nf;		/* lat as it would be without any fault */
	/* memory leak (analytic per pod), leak_on = 0: none */
	int leak_on, leak_start, leak_hit, leak_end;
	double leak_period;
	const char *lib;	/* cascade: the library its errors name */
	/* flapping overlay (a confounder): metric 0 err, 1 lat, 2 cpu */
	int flap_on, flap_metric, flap_from, flap_to, flap_period;
	double flap_mag;
	/* isolated background restart (a confounder), -1 none */
	int blip_restart;
};

/* A call from one service to another (or a store, or an external). */
struct edge {
	int from, to;
	double calls;		/* calls per request of the caller */
	double w_err;		/* share of the callee's failures that surface */
	double w_lat;		/* share of the callee's p99 in the caller's */
	int tpl;		/* caller's error template when the callee fails */
	double *perr;		/* per minute: failure ratio it causes upstream */
};

/* A message shape: %S subject (callee), %d number, %h hex, %u uuid, %i IP,
 * %m milliseconds, %L library; severity and error type. */
struct tpl {
	const char *fmt;
	const char *severity;
	const char *etype;
};

static const struct tpl tpls[] = {
	/* 0..14 background, recurring */
	{ "user %d not found", "warning", "NotFound" },
	{ "invalid request payload: missing field 'id' (request %u)", "warning", "ValidationError" },
	{ "retrying call after 503 (attempt %d of 3, trace %h)", "info", "Retry" },
	{ "slow query took %m ms (trace %h)", "warning", "SlowQuery" },
	{ "cache miss storm for key prefix user:%d", "info", "CacheMiss" },
	{ "client closed request before response (%i)", "info", "ClientAbort" },
	{ "rate limited tenant %d for 60s", "warning", "RateLimited" },
	{ "optimistic lock conflict on row %d, retrying", "warning", "Conflict" },
	{ "failed to parse header X-Request-Start: \"%h\"", "warning", "ParseError" },
	{ "JWT expired for subject %u", "info", "AuthExpired" },
	{ "webhook delivery to %i failed with 410, disabling", "warning", "WebhookGone" },
	{ "message %u redelivered (attempt %d)", "info", "Redelivery" },
	{ "permission denied for account %d on resource %h", "warning", "Forbidden" },
	{ "upstream returned malformed JSON at offset %d", "error", "DecodeError" },
	{ "request body too large: %d bytes", "warning", "PayloadTooLarge" },
	/* 15..20 release bugs */
	{ "java.lang.IllegalStateException: expected BEGIN_OBJECT but was STRING at path $.items[%d]", "error", "IllegalStateException" },
	{ "TypeError: Cannot read properties of undefined (reading 'currency') at formatPrice (price.ts:%d)", "error", "TypeError" },
	{ "panic: runtime error: index out of range [%d] with length %d", "critical", "Panic" },
	{ "KeyError: 'shipping_zone' in handlers/quote.py line %d", "error", "KeyError" },
	{ "ERROR: column \"discount_code\" does not exist (SQLSTATE 42703) in statement %h", "error", "UndefinedColumn" },
	{ "NullReferenceException in InvoiceRenderer.Render (request %u)", "error", "NullReference" },
	/* 21..26 config faults (in step with cfg_faults[]) */
	{ "context deadline exceeded after 150ms (request %u)", "error", "DeadlineExceeded" },
	{ "pool exhausted: 4 of 4 connections busy, %d waiting", "error", "PoolExhausted" },
	{ "429 rate limit exceeded: 50 rps for client %h", "error", "RateLimitExceeded" },
	{ "dial tcp %i:8081: connect: connection refused", "error", "ConnectionRefused" },
	{ "validation failed: field 'postal_code' rejected by strict mode (order %d)", "error", "StrictValidation" },
	{ "x509: certificate signed by unknown authority (peer %i)", "error", "TLSError" },
	/* 27..31 a database failing, seen by its callers */
	{ "could not acquire connection to %S within 5000ms (waiting %d)", "error", "ConnectionTimeout" },
	{ "dial tcp %S:5432: i/o timeout", "error", "DialTimeout" },
	{ "SQLSTATE 53300: too many connections on %S", "error", "TooManyConnections" },
	{ "pq: canceling statement due to statement timeout (query %h)", "error", "StatementTimeout" },
	{ "Lock wait timeout exceeded; try restarting transaction (txn %d)", "error", "LockWaitTimeout" },
	/* 32..35 an external provider failing, seen by its callers */
	{ "POST https://api.%S.example/v2/requests returned 503 Service Unavailable (id %h)", "error", "ProviderError" },
	{ "%S: upstream connect error or disconnect/reset before headers", "error", "ProviderUnavailable" },
	{ "context deadline exceeded while calling %S after %m ms", "error", "ProviderTimeout" },
	{ "provider call failed: EOF (request %u)", "error", "ProviderError" },
	/* 36..38 an internal callee failing, seen by its callers */
	{ "upstream %S responded 500 Internal Server Error (trace %h)", "error", "UpstreamError" },
	{ "call to %S failed: rpc error: code = Unavailable desc = transport is closing", "error", "UpstreamUnavailable" },
	{ "upstream request failed with status 502 after %m ms", "error", "BadGateway" },
	/* 39..41 overload */
	{ "request timed out in queue after %m ms", "error", "QueueTimeout" },
	{ "503 Service Unavailable: server overloaded, shedding load (inflight %d)", "error", "Overloaded" },
	{ "429 Too Many Requests: concurrency limit %d reached", "warning", "ConcurrencyLimit" },
	/* 42..43 memory */
	{ "java.lang.OutOfMemoryError: Java heap space (thread worker-%d)", "critical", "OutOfMemoryError" },
	{ "fatal error: runtime: out of memory (heap %d MB)", "critical", "OutOfMemory" },
	/* 44..45 a shared library */
	{ "%L: decode response: unknown enum value %d for field 'status'", "error", "LibraryDecodeError" },
	{ "%L: serializer: cannot marshal field 'amount' of type decimal (request %h)", "error", "LibrarySerializeError" },
};
#define TPL_BG0 0
#define TPL_BGN 15
#define TPL_REL0 15
#define TPL_RELN 6
#define TPL_CFG0 21
#define TPL_DB0 27
#define TPL_DBN 5
#define TPL_DB_NAMED 3	/* the first 3 database texts name the database */
#define TPL_EXT0 32
#define TPL_EXTN 4
#define TPL_EXT_NAMED 3
#define TPL_UP0 36
#define TPL_UPN 3
#define TPL_UP_NAMED 2
#define TPL_OVL0 39
#define TPL_OVLN 3
#define TPL_MEM0 42
#define TPL_LIB0 44

/* A bad configuration: the field, its old and new value, its error text. */
static const struct {
	const char *field, *oldv, *newv, *kind;
	int tpl;
	double err_lo, err_hi, lat;	/* error ratio range, latency factor */
} cfg_faults[] = {
	{ "http.client.timeout_ms", "2000", "150", "configmap", TPL_CFG0 + 0, 0.03, 0.30, 1.0 },
	{ "db.pool.max_size", "40", "4", "helm_values", TPL_CFG0 + 1, 0.02, 0.20, 3.0 },
	{ "ratelimit.requests_per_second", "500", "50", "configmap", TPL_CFG0 + 2, 0.05, 0.40, 1.0 },
	{ "upstream.endpoint", "http://core.internal:8080", "http://core.internal:8081", "env", TPL_CFG0 + 3, 0.10, 0.60, 1.0 },
	{ "features.strict_validation", "false", "true", "feature_flag", TPL_CFG0 + 4, 0.01, 0.12, 1.0 },
	{ "tls.ca_bundle", "/etc/ssl/ca-2024.pem", "/etc/ssl/ca-2025.pem", "secret_mount", TPL_CFG0 + 5, 0.05, 0.50, 1.0 },
};

/* Harmless configuration changes (confounders). */
static const struct {
	const char *field, *oldv, *newv, *kind;
} cfg_benign[] = {
	{ "logging.level", "info", "debug", "configmap" },
	{ "LOG_LEVEL", "warn", "info", "env" },
	{ "replicas", "3", "5", "scale" },
	{ "spec.replicas", "4", "6", "scale" },
	{ "logging.sampling_rate", "0.1", "0.2", "configmap" },
};

/* Routine configuration changes in the background. */
static const struct {
	const char *field, *oldv, *newv, *kind;
} cfg_routine[] = {
	{ "cache.ttl_seconds", "300", "600", "configmap" },
	{ "features.new_search_ranking", "false", "true", "feature_flag" },
	{ "batch.size", "100", "200", "configmap" },
	{ "replicas", "6", "4", "scale" },
	{ "resources.limits.memory", "1Gi", "1536Mi", "helm_values" },
	{ "retry.max_attempts", "3", "4", "configmap" },
};

static const char *const libs[] = {
	"github.com/acme/wire", "@acme/http-kit", "acme-serde", "com.acme:platform-client",
	"github.com/acme/money"
};

enum fault_kind {
	FK_RELEASE, FK_CONFIG, FK_DATABASE, FK_INFRA, FK_MEMLEAK, FK_EXTERNAL,
	FK_SURGE, FK_CASCADE, FK_SHORT, FK_COUNT
};
static const char *const fk_names[FK_COUNT] = {
	"release", "config", "database", "infra", "memleak", "external",
	"surge", "cascade", "short"
};

/* An accepted diagnosis (hypothesis type, service, ref or ""). */
struct accept {
	char type[16];
	char service[NAME_LEN];
	char ref[64];
	int dep;		/* the deploy ref names, -1: ref as written */
};

struct fault {
	enum fault_kind kind;
	enum fault_kind cause;	/* = kind, except for short faults */
	int root;
	int onset, end;		/* minutes: effects begin, effects are over */
	int tail;		/* minutes the effects take to fade after the
				 * planned end (added to end once injected) */
	char change_id[64];
	int change_dep;		/* the deploy that caused it, -1: none */
	struct accept acc[MAX_ACCEPT];
	int nacc;
	char detail[160];
};

struct commit {
	char sha[41];
	char repo[NAME_LEN];
	char msg[160];
	char author[16];
	double at;		/* seconds */
	int nfiles;
	char path[5][128];
	const char *ctype[5];	/* explicit change_type, or NULL */
	int add[5], rem[5];
};

/* Roles of deploys and config changes (what the truth lists them as). */
enum role { R_BACKGROUND, R_FAULT, R_DECOY, R_REVERT };
static const char *const role_names[] = { "background", "fault", "decoy", "revert" };

struct deploy {
	char id[64];
	int id_int;		/* written as a JSON integer */
	int svc;
	double start, finish;	/* seconds */
	int rollback;
	char rev[12], prev[12];
	char version[24];
	const char *dtype;
	int minor;		/* a minor version bump (else a patch) */
	char idhex[8];		/* random part of the id */
	int ncommits;
	int commit[4];
	enum role role;
	int offset_ts;		/* timestamps written with +01:00 */
};

struct cfgchg {
	char id[48];		/* "" = none given (the ingest derives one) */
	int svc;
	double at;
	const char *kind;
	char res[NAME_LEN + 16];
	const char *field, *oldv, *newv;
	const char *source, *actor;
	enum role role;
};

struct alert {
	double at;
	char fp[24];
	char name[40];
	int svc;
	int firing;
	const char *severity;
};

/* A confounder, for the truth file. */
struct confounder {
	char what[24];
	int svc;
	int from, to;		/* minutes */
	char note[96];
	int dep;		/* a decoy deploy: its index (note = its id) */
};

/* The scenario. */
static struct {
	unsigned long seed;
	long long t0;		/* first minute, epoch seconds */
	int M;			/* minutes of data */
	int depth;		/* app layers */
	double season_amp, season_peak;
	struct svc s[MAX_SVC];
	int ns;
	int napp;
	struct edge e[MAX_EDGE];
	int ne;
	struct fault f[MAX_FAULT];
	int nf;
	struct commit c[MAX_COMMIT];
	int nc;
	struct deploy d[MAX_DEPLOY];
	int nd;
	struct cfgchg g[MAX_CFG];
	int ng;
	struct alert a[MAX_ALERT];
	int na;
	struct confounder k[MAX_CONF];
	int nk;
	int used[MAX_SVC];	/* fault roots (and cascade services) */
	int nused;
	int id_style;		/* deploy ids: 0 integer, 1 rel-hex, 2 svc@version */
	long long lines;
} W;

static struct rng r_topo, r_fault, r_chg, r_noise, r_err;

/* Exits with a message (a bug in the generator, never expected). */
static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "scengen: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* A zeroed array of n doubles. */
static double *
dalloc(int n)
{
	double *p = calloc((size_t)n, sizeof *p);

	if (p == NULL)
		die("out of memory");
	return p;
}

/* ---- time ------------------------------------------------------------------ */

/* Formats epoch seconds t as RFC 3339: style 0 "Z", 1 with milliseconds,
 * 2 with a +01:00 offset. */
static void
fmt_ts(char *out, size_t len, double t, int style)
{
	double whole = floor(t);
	long long sec = (long long)whole;
	int ms = (int)lround((t - (double)sec) * 1000);
	time_t tt;
	struct tm tm;
	size_t n;

	if (ms >= 1000) {
		sec++;
		ms -= 1000;
	}
	tt = (time_t)(style == 2 ? sec + 3600 : sec);
	gmtime_r(&tt, &tm);
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (style == 1)
		sfmt(out + n, len - n, ".%03dZ", ms);
	else if (style == 2)
		sfmt(out + n, len - n, "+01:00");
	else
		sfmt(out + n, len - n, "Z");
}

/* Seconds of minute m. */
static double
min_ts(int m)
{
	return (double)W.t0 + 60.0 * m;
}

/* The daily traffic curve at minute m (mean 1), shifted by shift hours. */
static double
season(int m, double shift)
{
	double h = fmod(((double)W.t0 + 60.0 * m) / 3600.0, 24.0) - shift;
	double x = 2 * M_PI * (h - W.season_peak) / 24;

	return 1 + W.season_amp * cos(x) + 0.12 * W.season_amp * cos(2 * x + 1);
}

/* ---- JSON output ----------------------------------------------------------- */

/* Writes s as a JSON string. */
static void
jstr(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(fp, "\\u%04x", ch);
		else
			fputc(ch, fp);
	}
	fputc('"', fp);
}

/* Expands a message template into out. */
static void
tpl_expand(char *out, size_t len, const char *fmt, const char *subject,
    const char *lib, struct rng *r)
{
	size_t n = 0;
	char hx[40];
	const char *p;
	int w;

	for (p = fmt; *p != '\0' && n + 1 < len; p++) {
		if (*p != '%' || p[1] == '\0') {
			out[n++] = *p;
			continue;
		}
		p++;
		w = 0;
		switch (*p) {
		case 'S':
			w = sfmt(out + n, len - n, "%s", subject ? subject : "upstream");
			break;
		case 'L':
			w = sfmt(out + n, len - n, "%s", lib ? lib : "lib");
			break;
		case 'd':
			w = sfmt(out + n, len - n, "%d", rng_int(r, 1, 99999));
			break;
		case 'm':
			w = sfmt(out + n, len - n, "%d", rng_int(r, 120, 30000));
			break;
		case 'h':
			rng_hex(r, hx, 12);
			w = sfmt(out + n, len - n, "%s", hx);
			break;
		case 'u':
			rng_hex(r, hx, 32);
			w = sfmt(out + n, len - n, "%.8s-%.4s-%.4s-%.4s-%.12s",
			    hx, hx + 8, hx + 12, hx + 16, hx + 20);
			break;
		case 'i':
			w = sfmt(out + n, len - n, "10.%d.%d.%d", rng_int(r, 0, 255),
			    rng_int(r, 0, 255), rng_int(r, 1, 254));
			break;
		default:
			out[n++] = '%';
			if (n + 1 < len)
				out[n++] = *p;
			continue;
		}
		if (w > 0)
			n += (size_t)w < len - n ? (size_t)w : len - n - 1;
	}
	out[n] = '\0';
}

/* ---- topology -------------------------------------------------------------- */

/* 1 when name is already taken. */
static int
name_taken(const char *name)
{
	int i;

	for (i = 0; i < W.ns; i++)
		if (strcmp(W.s[i].name, name) == 0)
			return 1;
	return 0;
}

/* Adds a service of kind k and returns its index. */
static int
svc_add(enum svc_kind k, int layer)
{
	struct svc *s;
	char name[NAME_LEN];
	int tries;

	if (W.ns >= MAX_SVC)
		die("too many services");
	s = &W.s[W.ns];
	memset(s, 0, sizeof *s);
	s->kind = k;
	s->layer = layer;
	for (tries = 0; ; tries++) {
		const char *noun = nouns[rng_int(&r_topo, 0, NELEM(nouns) - 1)];

		switch (k) {
		case SK_APP:
			if (layer == 0 && tries < 20)
				sfmt(name, sizeof name, "%s",
				    edge_names[rng_int(&r_topo, 0, NELEM(edge_names) - 1)]);
			else
				sfmt(name, sizeof name, "%s-%s", noun,
				    app_sfx[rng_int(&r_topo, 0, NELEM(app_sfx) - 1)]);
			break;
		case SK_WORKER:
			sfmt(name, sizeof name, "%s-%s", noun,
			    worker_sfx[rng_int(&r_topo, 0, NELEM(worker_sfx) - 1)]);
			break;
		case SK_DB:
			sfmt(name, sizeof name, db_fmt[rng_int(&r_topo, 0, NELEM(db_fmt) - 1)], noun);
			break;
		case SK_CACHE:
			sfmt(name, sizeof name, cache_fmt[rng_int(&r_topo, 0, NELEM(cache_fmt) - 1)], noun);
			break;
		case SK_EXT:
			if (tries < 20)
				sfmt(name, sizeof name, "%s",
				    ext_names[rng_int(&r_topo, 0, NELEM(ext_names) - 1)]);
			else
				sfmt(name, sizeof name, "%s-provider", noun);
			break;
		}
		if (tries > 10)
			sfmt(name + strlen(name), sizeof name - strlen(name),
			    "-%d", tries);
		if (!name_taken(name))
			break;
	}
	sfmt(s->name, sizeof s->name, "%s", name);
	s->blip_restart = -1;
	return W.ns++;
}

/* 1 when there is an edge a -> b. */
static int
edge_has(int a, int b)
{
	int i;

	for (i = 0; i < W.ne; i++)
		if (W.e[i].from == a && W.e[i].to == b)
			return 1;
	return 0;
}

/* Adds the edge a -> b (once). */
static void
edge_add(int a, int b)
{
	struct edge *e;
	enum svc_kind k = W.s[b].kind;

	if (a == b || edge_has(a, b))
		return;
	if (W.ne >= MAX_EDGE)
		die("too many edges");
	e = &W.e[W.ne++];
	memset(e, 0, sizeof *e);
	e->from = a;
	e->to = b;
	e->calls = k == SK_DB ? rng_real(&r_topo, 1, 6) :
	    k == SK_CACHE ? rng_real(&r_topo, 1, 4) : rng_real(&r_topo, 0.2, 1.5);
	e->w_err = k == SK_EXT ? rng_real(&r_topo, 0.5, 1.0) :
	    rng_real(&r_topo, 0.3, 0.9);
	e->w_lat = k == SK_CACHE ? rng_real(&r_topo, 0.1, 0.4) :
	    rng_real(&r_topo, 0.4, 1.0);
	switch (k) {
	case SK_DB:
		e->tpl = TPL_DB0 + rng_int(&r_topo, 0, TPL_DBN - 1);
		break;
	case SK_EXT:
		e->tpl = TPL_EXT0 + rng_int(&r_topo, 0, TPL_EXTN - 1);
		break;
	default:
		e->tpl = TPL_UP0 + rng_int(&r_topo, 0, TPL_UPN - 1);
		break;
	}
}

/* The services of kind k (apps include workers when with_workers). */
static int
pick_kind(enum svc_kind k, int with_workers)
{
	int idx[MAX_SVC], n = 0, i;

	for (i = 0; i < W.ns; i++)
		if (W.s[i].kind == k || (with_workers && W.s[i].kind == SK_WORKER &&
		    k == SK_APP))
			idx[n++] = i;
	return n > 0 ? idx[rng_int(&r_topo, 0, n - 1)] : -1;
}

/* Builds the services and the call graph: n services (apps, databases,
 * caches) plus a few external dependencies. */
static void
topo_build(int n)
{
	int ndb, ncache, nworker, napp, nentry, i, j, L, per[8], cnt, k, ext;
	int first_of[8];
	static const int steps[] = { 15, 15, 30, 30, 30, 30, 60, 60, 60, 60,
	    60, 60, 60, 60, 60, 60, 60, 300, 300, 300 };

	ndb = 1 + n / 20 + rng_int(&r_topo, 0, 1);
	ncache = rng_int(&r_topo, 0, 1) + n / 30;
	nworker = rng_int(&r_topo, 0, 1 + n / 15);
	napp = n - ndb - ncache - nworker;
	W.depth = rng_int(&r_topo, 3, 6);
	if (napp < W.depth + 1)
		W.depth = napp - 1;
	nentry = rng_int(&r_topo, 1, napp >= 24 ? 3 : 2);
	/* apps per layer: the entries, then at least one per layer */
	per[0] = nentry;
	for (L = 1; L < W.depth; L++)
		per[L] = 1;
	for (i = nentry + W.depth - 1; i < napp; i++)
		per[rng_int(&r_topo, 1, W.depth - 1)]++;
	for (L = 0; L < W.depth; L++) {
		first_of[L] = W.ns;
		for (j = 0; j < per[L]; j++) {
			k = svc_add(SK_APP, L);
			W.s[k].entry = L == 0;
		}
	}
	first_of[W.depth] = W.ns;
	W.napp = napp;
	/* every app below the edge has a caller one layer up, so the graph
	 * really is depth layers deep; then extra calls downwards */
	for (L = 1; L < W.depth; L++)
		for (k = first_of[L]; k < first_of[L + 1]; k++) {
			edge_add(first_of[L - 1] + rng_int(&r_topo, 0, per[L - 1] - 1), k);
			if (rng_chance(&r_topo, 0.35)) {
				int lo = rng_int(&r_topo, 0, L - 1);

				edge_add(first_of[lo] + rng_int(&r_topo, 0, per[lo] - 1), k);
			}
		}
	for (k = 0; k < first_of[W.depth]; k++) {
		L = W.s[k].layer;
		cnt = L + 1 < W.depth ? rng_int(&r_topo, 0, 2) : 0;
		for (j = 0; j < cnt; j++) {
			int to = rng_int(&r_topo, L + 1, W.depth - 1);

			edge_add(k, first_of[to] + rng_int(&r_topo, 0, per[to] - 1));
		}
	}
	for (i = 0; i < nworker; i++)
		svc_add(SK_WORKER, 0);	/* own traffic: evaluated with the edge */
	for (i = 0; i < ndb; i++)
		svc_add(SK_DB, W.depth);
	for (i = 0; i < ncache; i++)
		svc_add(SK_CACHE, W.depth);
	/* stores: apps from the lower half and workers use them; every store
	 * is shared by at least two callers */
	for (k = 0; k < W.ns; k++) {
		struct svc *s = &W.s[k];

		if (s->kind == SK_WORKER || (s->kind == SK_APP &&
		    (s->layer >= W.depth / 2 || rng_chance(&r_topo, 0.25)) &&
		    !s->entry)) {
			if (rng_chance(&r_topo, s->kind == SK_WORKER ? 1.0 : 0.65))
				edge_add(k, pick_kind(SK_DB, 0));
			if (rng_chance(&r_topo, 0.2))
				edge_add(k, pick_kind(SK_DB, 0));
			if (ncache > 0 && rng_chance(&r_topo, 0.35))
				edge_add(k, pick_kind(SK_CACHE, 0));
		}
	}
	for (k = 0; k < W.ns; k++) {
		int callers = 0;

		if (W.s[k].kind != SK_DB && W.s[k].kind != SK_CACHE)
			continue;
		for (i = 0; i < W.ne; i++)
			callers += W.e[i].to == k;
		for (; callers < 2; callers++) {
			int c;

			do
				c = pick_kind(SK_APP, 1);
			while (W.s[c].entry && napp > 2);
			edge_add(c, k);
		}
	}
	/* workers call an app or two as well sometimes */
	for (k = 0; k < W.ns; k++)
		if (W.s[k].kind == SK_WORKER && rng_chance(&r_topo, 0.4)) {
			int to = first_of[1] + rng_int(&r_topo, 0,
			    first_of[W.depth] - first_of[1] - 1);

			edge_add(k, to);
		}
	/* external dependencies, each with 1-3 callers below the edge */
	ext = rng_int(&r_topo, 1, n >= 30 ? 4 : 3);
	for (i = 0; i < ext; i++) {
		int x = svc_add(SK_EXT, W.depth + 1), nc = rng_int(&r_topo, 1, 3);

		for (j = 0; j < nc; j++) {
			int c;

			do
				c = pick_kind(SK_APP, 1);
			while (W.s[c].entry && napp > 2);
			edge_add(c, x);
		}
	}
	/* per-service behaviour */
	for (k = 0; k < W.ns; k++) {
		struct svc *s = &W.s[k];

		s->step = steps[rng_int(&r_topo, 0, NELEM(steps) - 1)];
		s->phase = rng_int(&r_topo, 0, s->step - 1);
		s->frac_ts = rng_chance(&r_topo, 0.2);
		if (s->frac_ts)
			s->phase += rng_int(&r_topo, 1, 999) / 1000.0;
		if (s->phase >= s->step)
			s->phase = 0;
		s->lang = "gpjt"[rng_int(&r_topo, 0, 3)];
		s->noise = rng_real(&r_topo, 0.02, 0.07);
		s->season_amp = rng_real(&r_topo, 0.8, 1.2);
		s->season_shift = rng_real(&r_topo, -0.7, 0.7);
		s->logfrac = rng_logu(&r_topo, 0.01, 0.3);
		s->drop_p = rng_real(&r_topo, 0.0, 0.02);
		s->ngaps = rng_int(&r_topo, 0, 2);
		for (i = 0; i < s->ngaps; i++) {
			s->gap_from[i] = rng_int(&r_topo, 0, W.M - 1);
			s->gap_to[i] = s->gap_from[i] + rng_int(&r_topo, 3, 30);
		}
		s->version[0] = rng_int(&r_topo, 1, 9);
		s->version[1] = rng_int(&r_topo, 0, 60);
		s->version[2] = rng_int(&r_topo, 0, 20);
		rng_hex(&r_topo, s->rev, 7);
		sfmt(s->cluster, sizeof s->cluster, "%s",
		    rng_chance(&r_topo, 0.8) ? "prod-a" : "prod-b");
		sfmt(s->team, sizeof s->team, "team-%s",
		    nouns[rng_int(&r_topo, 0, NELEM(nouns) - 1)]);
		switch (s->kind) {
		case SK_APP:
		case SK_WORKER:
			sfmt(s->ns, sizeof s->ns, "%s", s->entry ? "edge" :
			    s->kind == SK_WORKER ? "jobs" : "core");
			s->err0 = rng_logu(&r_topo, 0.0002, 0.005);
			s->lat_own = rng_logu(&r_topo, 4, 120);
			s->cpu0 = rng_real(&r_topo, 0.12, 0.55);
			s->mem0 = rng_real(&r_topo, 0.25, 0.6);
			s->timeout_ms = rng_real(&r_topo, 1500, 10000);
			s->npods = rng_chance(&r_topo, 0.2) ? rng_int(&r_topo, 2, 3) : 1;
			s->split = rng_chance(&r_topo, 0.15) && s->step >= 30;
			s->has_mem = rng_chance(&r_topo, 0.85);
			s->has_restarts = rng_chance(&r_topo, 0.85);
			s->has_health = s->entry || rng_chance(&r_topo, 0.1);
			if (s->entry)
				s->rate0 = rng_logu(&r_topo, 40, 2500);
			if (s->kind == SK_WORKER)
				s->rate0 = rng_logu(&r_topo, 2, 80);
			break;
		case SK_DB:
		case SK_CACHE:
			sfmt(s->ns, sizeof s->ns, "data");
			s->err0 = rng_logu(&r_topo, 0.00005, 0.002);
			s->lat_own = s->kind == SK_DB ? rng_logu(&r_topo, 2, 40) :
			    rng_logu(&r_topo, 0.3, 3);
			s->cpu0 = rng_real(&r_topo, 0.15, 0.5);
			s->mem0 = rng_real(&r_topo, 0.4, 0.75);
			s->timeout_ms = rng_real(&r_topo, 3000, 30000);
			s->npods = 1;
			s->has_mem = 1;
			s->has_restarts = 0;
			s->has_conn = s->kind == SK_DB;
			break;
		case SK_EXT:
			sfmt(s->ns, sizeof s->ns, "external");
			s->err0 = rng_logu(&r_topo, 0.0001, 0.003);
			s->lat_own = rng_logu(&r_topo, 60, 600);
			s->timeout_ms = rng_real(&r_topo, 3000, 15000);
			break;
		}
		for (i = 0; i < s->npods; i++) {
			char h[8];

			rng_hex(&r_topo, h, 5);
			sfmt(s->pod[i], sizeof s->pod[i], "%s-%s-%c%c%c", s->name,
			    h, 'a' + rng_int(&r_topo, 0, 25), 'a' + rng_int(&r_topo, 0, 25),
			    '0' + rng_int(&r_topo, 0, 9));
		}
		s->nbg = rng_int(&r_topo, 1, 3);
		for (i = 0; i < s->nbg; i++)
			s->bg[i] = TPL_BG0 + rng_int(&r_topo, 0, TPL_BGN - 1);
		s->bg_lambda = rng_logu(&r_topo, 0.01, 0.4);
		s->overload_tpl = TPL_OVL0 + rng_int(&r_topo, 0, TPL_OVLN - 1);
		s->mem_drift = rng_chance(&r_topo, 0.15) ? rng_real(&r_topo, -0.1, 0.2) : 0;
	}
}

/* ---- the model ------------------------------------------------------------- */

/* Allocates the per-minute arrays and sets their neutral values. */
static void
model_alloc(void)
{
	int k, m, i;
	double x;

	for (k = 0; k < W.ns; k++) {
		struct svc *s = &W.s[k];

		s->ratemul = dalloc(W.M);
		s->erradd = dalloc(W.M);
		s->latadd = dalloc(W.M);
		s->cpuadd = dalloc(W.M);
		s->walk = dalloc(W.M);
		s->rate = dalloc(W.M);
		s->cpu = dalloc(W.M);
		s->err = dalloc(W.M);
		s->lat = dalloc(W.M);
		s->cong = dalloc(W.M);
		s->err_nf = dalloc(W.M);
		s->lat_nf = dalloc(W.M);
		s->ftpl = calloc((size_t)W.M, sizeof *s->ftpl);
		if (s->ftpl == NULL)
			die("out of memory");
		x = 0;
		for (m = 0; m < W.M; m++) {
			s->ratemul[m] = 1;
			s->ftpl[m] = -1;
			x = 0.97 * x + 0.012 * rng_gauss(&r_noise);
			s->walk[m] = exp(x);
		}
	}
	for (i = 0; i < W.ne; i++)
		W.e[i].perr = dalloc(W.M);
}

/* Order of evaluation: callers before callees for traffic (by layer). */
static int
by_layer(const void *a, const void *b)
{
	const int *x = a, *y = b;

	if (W.s[*x].layer != W.s[*y].layer)
		return W.s[*x].layer - W.s[*y].layer;
	return *x - *y;
}

/* Computes every service's rate, utilisation, latency and errors per minute
 * from the inputs (faults included), through the call graph.  With
 * baseline set, only the mean rates (brate) at season 1 without faults. */
static void
model_run(int baseline)
{
	int ord[MAX_SVC], k, i, m, n = W.ns;

	for (k = 0; k < n; k++)
		ord[k] = k;
	qsort(ord, (size_t)n, sizeof ord[0], by_layer);
	if (baseline) {
		for (k = 0; k < n; k++)
			W.s[k].brate = W.s[k].rate0;
		for (i = 0; i < n; i++) {
			struct svc *s = &W.s[ord[i]];

			for (k = 0; k < W.ne; k++)
				if (W.e[k].from == ord[i])
					W.s[W.e[k].to].brate += s->brate * W.e[k].calls;
		}
		for (k = 0; k < n; k++)
			if (W.s[k].brate < 0.05)
				W.s[k].brate = 0.05;
		return;
	}
	for (m = 0; m < W.M; m++) {
		/* traffic, down the graph */
		for (k = 0; k < n; k++) {
			struct svc *s = &W.s[k];

			s->rate[m] = s->rate0 * season(m, s->season_shift) *
			    s->ratemul[m] * s->walk[m];
		}
		for (i = 0; i < n; i++) {
			int a = ord[i];

			for (k = 0; k < W.ne; k++)
				if (W.e[k].from == a)
					W.s[W.e[k].to].rate[m] += W.s[a].rate[m] * W.e[k].calls;
		}
		/* utilisation, latency and errors, up the graph */
		for (i = n - 1; i >= 0; i--) {
			struct svc *s = &W.s[ord[i]];
			double load = s->rate[m] / s->brate, util, cong, own_err,
			    lat, ok;

			util = s->cpu0 * pow(load > 0 ? load : 0, 0.85) + s->cpuadd[m];
			if (util > 1)
				util = 1;
			if (util < 0.01)
				util = 0.01;
			s->cpu[m] = util;
			/* queueing: slow beyond 75 %, shedding beyond 95 % */
			cong = util > 0.75 ? 1 + 12 * (util - 0.75) * (util - 0.75) /
			    0.0625 : 1;
			s->cong[m] = util > 0.95 ? (util - 0.95) * 3 : 0;
			if (s->kind == SK_EXT)
				cong = 1;
			own_err = s->err0 + s->erradd[m] + s->cong[m];
			lat = s->lat_own * (0.9 + 0.1 * season(m, 0));
			ok = 1 - (own_err > 1 ? 1 : own_err);
			for (k = 0; k < W.ne; k++) {
				struct edge *e = &W.e[k];
				struct svc *c;
				double extra;

				if (e->from != ord[i])
					continue;
				c = &W.s[e->to];
				extra = c->lat[m];
				if (extra > s->timeout_ms)
					extra = s->timeout_ms;
				lat += e->w_lat * extra;
				/* the callee's failures and the calls that time out */
				e->perr[m] = e->w_err * c->err[m];
				if (c->lat[m] > s->timeout_ms)
					e->perr[m] += e->w_err * 0.5;
				if (e->perr[m] > 1)
					e->perr[m] = 1;
				ok *= 1 - e->perr[m];
			}
			/* queueing delays every request, whatever it waits for */
			lat = lat * cong + s->latadd[m];
			if (lat > s->timeout_ms * 1.2)
				lat = s->timeout_ms * 1.2;
			s->lat[m] = lat;
			s->err[m] = 1 - ok;
		}
	}
}

/* Effect envelope at minute m: 0 before `on`, ramps to 1 over rin minutes,
 * holds, ramps down over rout minutes from `off`. */
static double
env(int m, int on, int rin, int off, int rout)
{
	if (m < on || m >= off + rout)
		return 0;
	if (m < on + rin)
		return (double)(m - on + 1) / (rin + 1);
	if (m >= off)
		return 1 - (double)(m - off + 1) / (rout + 1);
	return 1;
}

/* ---- changes ----------------------------------------------------------------- */

static const char *const dtypes[] = { "rolling", "canary", "blue-green", "rolling" };

/* A file path of service s of change class cls: 0 code, 1 risky, 2 docs or
 * tests, 3 dependency manifest.  *ctype: an explicit change type or NULL. */
static void
file_path(char *out, size_t len, const struct svc *s, int cls,
    const char **ctype)
{
	const char *w = nouns[rng_int(&r_chg, 0, NELEM(nouns) - 1)];

	*ctype = NULL;
	switch (cls) {
	case 0:
		switch (s->lang) {
		case 'g':
			sfmt(out, len, "internal/%s/%s.go", w, rng_chance(&r_chg, 0.5) ?
			    "handler" : "service");
			break;
		case 'p':
			sfmt(out, len, "app/%s/views.py", w);
			break;
		case 'j':
			sfmt(out, len, "src/main/java/com/acme/%s/%sService.java", w, w);
			break;
		default:
			sfmt(out, len, "src/%s/%s.ts", w, w);
			break;
		}
		break;
	case 1:
		switch (rng_int(&r_chg, 0, 4)) {
		case 0:
			sfmt(out, len, "db/migrations/%04d_add_%s_column.sql",
			    rng_int(&r_chg, 100, 9999), w);
			if (rng_chance(&r_chg, 0.3))
				*ctype = "db_migration";
			break;
		case 1:
			sfmt(out, len, "internal/retry/backoff.go");
			break;
		case 2:
			sfmt(out, len, "pkg/httpclient/client.go");
			break;
		case 3:
			sfmt(out, len, "config/%s.yaml", s->name);
			break;
		default:
			sfmt(out, len, "internal/auth/middleware.go");
			break;
		}
		break;
	case 2:
		if (rng_chance(&r_chg, 0.5))
			sfmt(out, len, "docs/%s.md", w);
		else
			sfmt(out, len, s->lang == 'p' ? "tests/test_%s.py" :
			    s->lang == 'g' ? "internal/%s/handler_test.go" :
			    "test/%s.spec.ts", w);
		break;
	default:
		sfmt(out, len, "%s", s->lang == 'g' ? "go.mod" : s->lang == 'p' ?
		    "requirements.txt" : s->lang == 'j' ? "pom.xml" : "package.json");
		break;
	}
}

/* Adds a commit on service s authored before t (seconds); cls as in
 * file_path for its main file.  Returns its index. */
static int
commit_add(int svc, double t, int cls, const char *msg)
{
	static const char *const verbs[] = { "fix", "add", "refactor", "tune",
	    "handle", "remove", "support" };
	struct commit *c;
	struct svc *s = &W.s[svc];
	int i;

	if (W.nc >= MAX_COMMIT)
		return -1;
	c = &W.c[W.nc];
	memset(c, 0, sizeof *c);
	rng_hex(&r_chg, c->sha, 40);
	sfmt(c->repo, sizeof c->repo, "%s", s->name);
	sfmt(c->author, sizeof c->author, "%s",
	    authors[rng_int(&r_chg, 0, NELEM(authors) - 1)]);
	c->at = t - rng_real(&r_chg, 600, 30000);
	if (msg != NULL)
		sfmt(c->msg, sizeof c->msg, "%s", msg);
	else
		sfmt(c->msg, sizeof c->msg, "%s %s %s",
		    verbs[rng_int(&r_chg, 0, NELEM(verbs) - 1)],
		    nouns[rng_int(&r_chg, 0, NELEM(nouns) - 1)],
		    cls == 2 ? "docs" : "handling");
	c->nfiles = cls == 2 ? rng_int(&r_chg, 1, 2) : rng_int(&r_chg, 1, 4);
	for (i = 0; i < c->nfiles; i++) {
		file_path(c->path[i], sizeof c->path[i], s, i == 0 ? cls :
		    cls == 2 ? 2 : 0, &c->ctype[i]);
		c->add[i] = rng_int(&r_chg, 1, 300);
		c->rem[i] = rng_int(&r_chg, 0, 120);
	}
	if (cls == 3 && c->nfiles < 5) {
		sfmt(c->path[c->nfiles], sizeof c->path[0], "%s",
		    s->lang == 'g' ? "go.sum" : s->lang == 'p' ? "poetry.lock" :
		    s->lang == 'j' ? "gradle.lockfile" : "package-lock.json");
		c->add[c->nfiles] = rng_int(&r_chg, 2, 60);
		c->rem[c->nfiles] = rng_int(&r_chg, 2, 60);
		c->nfiles++;
	}
	return W.nc++;
}

/* Adds a deploy of service svc starting at t (seconds) taking dur seconds,
 * with ncommits commits of class cls (-1: none).  Returns its index. */
static int
deploy_add(int svc, double t, double dur, int cls, int ncommits, enum role role,
    int rollback, const char *msg)
{
	struct deploy *d;
	struct svc *s = &W.s[svc];
	char h[8];
	int i, ci;

	if (W.nd >= MAX_DEPLOY)
		die("too many deploys");
	d = &W.d[W.nd];
	memset(d, 0, sizeof *d);
	d->svc = svc;
	d->start = t;
	d->finish = t + dur;
	d->rollback = rollback;
	d->role = role;
	d->dtype = dtypes[rng_int(&r_chg, 0, NELEM(dtypes) - 1)];
	d->offset_ts = rng_chance(&r_chg, 0.1);
	d->minor = rng_chance(&r_chg, 0.2);
	for (i = 0; i < ncommits && cls >= 0 && !rollback; i++) {
		ci = commit_add(svc, t, i == 0 ? cls : cls == 2 ? 2 : 0,
		    i == 0 ? msg : NULL);
		if (ci >= 0)
			d->commit[d->ncommits++] = ci;
	}
	if (d->ncommits > 0)
		sfmt(d->rev, sizeof d->rev, "%.7s", W.c[d->commit[0]].sha);
	else {
		rng_hex(&r_chg, h, 7);
		sfmt(d->rev, sizeof d->rev, "%s", h);
	}
	rng_hex(&r_chg, d->idhex, 7);
	(void)s;
	/* version, previous revision and id: deploys_finish(), in time order */
	return W.nd++;
}

/* Orders deploys by start time (then index). */
static int
by_start(const void *a, const void *b)
{
	const struct deploy *x = &W.d[*(const int *)a], *y = &W.d[*(const int *)b];

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return *(const int *)a - *(const int *)b;
}

/* Gives the deploys their versions, previous revisions and ids in the order
 * they happened: versions grow with time, a rollback goes back to the
 * revision and version before the deploy it undoes, and integer ids are
 * increasing build numbers. */
static void
deploys_finish(void)
{
	int ord[MAX_DEPLOY], i, k;
	struct {
		int v[3];
		char rev[12];
		int pv[3];	/* the version before the last deploy */
		char prev[12];
	} st[MAX_SVC];

	for (k = 0; k < W.ns; k++) {
		memcpy(st[k].v, W.s[k].version, sizeof st[k].v);
		memcpy(st[k].pv, W.s[k].version, sizeof st[k].pv);
		sfmt(st[k].rev, sizeof st[k].rev, "%s", W.s[k].rev);
		sfmt(st[k].prev, sizeof st[k].prev, "%s", W.s[k].rev);
	}
	for (i = 0; i < W.nd; i++)
		ord[i] = i;
	qsort(ord, (size_t)W.nd, sizeof ord[0], by_start);
	for (i = 0; i < W.nd; i++) {
		struct deploy *d = &W.d[ord[i]];
		int sv = d->svc;

		sfmt(d->prev, sizeof d->prev, "%s", st[sv].rev);
		if (d->rollback) {
			memcpy(st[sv].v, st[sv].pv, sizeof st[sv].v);
			sfmt(d->rev, sizeof d->rev, "%s", st[sv].prev);
		} else {
			memcpy(st[sv].pv, st[sv].v, sizeof st[sv].v);
			sfmt(st[sv].prev, sizeof st[sv].prev, "%s", st[sv].rev);
			if (d->minor) {
				st[sv].v[1]++;
				st[sv].v[2] = 0;
			} else
				st[sv].v[2]++;
		}
		sfmt(st[sv].rev, sizeof st[sv].rev, "%s", d->rev);
		sfmt(d->version, sizeof d->version, "%d.%d.%d", st[sv].v[0],
		    st[sv].v[1], st[sv].v[2]);
		switch (W.id_style) {
		case 0:
			d->id_int = 1;
			sfmt(d->id, sizeof d->id, "%d", 480000 + i * 7 +
			    (int)(d->idhex[0] % 7));
			break;
		case 1:
			sfmt(d->id, sizeof d->id, "rel-%s", d->idhex);
			break;
		default:
			sfmt(d->id, sizeof d->id, "%s@%s%s", W.s[sv].name, d->version,
			    d->rollback ? "-rb" : "");
			break;
		}
	}
	/* the truth names deploys by id */
	for (i = 0; i < W.nf; i++) {
		struct fault *f = &W.f[i];

		if (f->change_dep >= 0)
			sfmt(f->change_id, sizeof f->change_id, "%s", W.d[f->change_dep].id);
		for (k = 0; k < f->nacc; k++)
			if (f->acc[k].dep >= 0)
				sfmt(f->acc[k].ref, sizeof f->acc[k].ref, "%s",
				    W.d[f->acc[k].dep].id);
	}
	for (i = 0; i < W.nk; i++)
		if (W.k[i].dep >= 0)
			sfmt(W.k[i].note, sizeof W.k[i].note, "%s", W.d[W.k[i].dep].id);
}

/* Adds a config change; id_given 0 leaves the id to the ingest (only for
 * changes the truth does not name).  Returns its index. */
static int
cfg_add(int svc, double t, const char *kind, const char *field,
    const char *oldv, const char *newv, enum role role, int id_given)
{
	static const char *const sources[] = { "argocd", "terraform", "flagd",
	    "kubectl", "consul" };
	struct cfgchg *g;
	char h[8];

	if (W.ng >= MAX_CFG)
		die("too many config changes");
	g = &W.g[W.ng];
	memset(g, 0, sizeof *g);
	g->svc = svc;
	g->at = t;
	g->kind = kind;
	g->field = field;
	g->oldv = oldv;
	g->newv = newv;
	g->role = role;
	sfmt(g->res, sizeof g->res, "%s-%s", W.s[svc].name,
	    strcmp(kind, "feature_flag") == 0 ? "flags" :
	    strcmp(kind, "scale") == 0 ? "deployment" : "config");
	g->source = sources[rng_int(&r_chg, 0, NELEM(sources) - 1)];
	g->actor = authors[rng_int(&r_chg, 0, NELEM(authors) - 1)];
	if (id_given) {
		rng_hex(&r_chg, h, 6);
		sfmt(g->id, sizeof g->id, "CHG-%s", h);
	}
	return W.ng++;
}

/* Adds an alert notification. */
static void
alert_add(double t, int svc, const char *name, const char *fp, int firing,
    const char *sev)
{
	struct alert *a;

	if (W.na >= MAX_ALERT || t >= min_ts(W.M) - 1)
		return;
	a = &W.a[W.na++];
	a->at = t;
	a->svc = svc;
	a->firing = firing;
	a->severity = sev;
	sfmt(a->name, sizeof a->name, "%s", name);
	sfmt(a->fp, sizeof a->fp, "%s", fp);
}

/* Records a confounder for the truth file. */
static void
conf_add(const char *what, int svc, int from, int to, const char *note)
{
	struct confounder *k;

	if (W.nk >= MAX_CONF)
		return;
	k = &W.k[W.nk++];
	sfmt(k->what, sizeof k->what, "%s", what);
	k->svc = svc;
	k->from = from;
	k->to = to;
	sfmt(k->note, sizeof k->note, "%s", note ? note : "");
	k->dep = -1;
}

/* ---- faults ------------------------------------------------------------------ */

/* Adds an accepted diagnosis to fault f. */
static void
acc_add(struct fault *f, const char *type, int svc, const char *ref)
{
	struct accept *a;

	if (f->nacc >= MAX_ACCEPT)
		return;
	a = &f->acc[f->nacc++];
	sfmt(a->type, sizeof a->type, "%s", type);
	sfmt(a->service, sizeof a->service, "%s", W.s[svc].name);
	sfmt(a->ref, sizeof a->ref, "%s", ref ? ref : "");
	a->dep = -1;
}

/* Adds a release diagnosis naming deploy d to fault f. */
static void
acc_deploy(struct fault *f, int d)
{
	acc_add(f, "release", W.d[d].svc, NULL);
	f->acc[f->nacc - 1].dep = d;
}

/* Adds errors (ratio add, template) and a latency factor to service k over
 * [on, off) with ramps. */
static void
effect(int k, int on, int rin, int off, int rout, double err, int tpl,
    double lat)
{
	struct svc *s = &W.s[k];
	int m;
	double x;

	for (m = on; m < off + rout && m < W.M; m++) {
		if (m < 0)
			continue;
		x = env(m, on, rin, off, rout);
		if (x <= 0)
			continue;
		s->erradd[m] += err * x;
		if (err > 0 && tpl >= 0)
			s->ftpl[m] = tpl;
		/* a factor on the p99 the service shows normally */
		s->latadd[m] += (lat - 1) * x * s->lat_nf[m];
	}
}

/* A bad release of f->root: deploy, errors and/or latency, rollback or a
 * fix.  Short: the fault lasts 2-5 minutes. */
static void
fault_release(struct fault *f)
{
	int k = f->root, d, cls, tpl, rin, dur;
	double err, lat, ddur;

	cls = rng_chance(&r_fault, 0.5) ? 1 : 0;
	ddur = rng_real(&r_fault, 60, f->kind == FK_SHORT ? 150 : 420);
	d = deploy_add(k, min_ts(f->onset) - ddur - rng_real(&r_fault, 0, 120),
	    ddur, cls, rng_int(&r_fault, 1, 3), R_FAULT, 0, NULL);
	f->change_dep = d;
	acc_deploy(f, d);
	tpl = TPL_REL0 + rng_int(&r_fault, 0, TPL_RELN - 1);
	if (rng_chance(&r_fault, 0.25)) {
		/* a slow code path only: latency, hardly any errors */
		err = rng_logu(&r_fault, 0.001, 0.01);
		lat = rng_real(&r_fault, 1.6, 5);
		sfmt(f->detail, sizeof f->detail, "latency regression x%.1f", lat);
	} else {
		err = rng_logu(&r_fault, 0.01, 0.35);
		lat = rng_chance(&r_fault, 0.5) ? rng_real(&r_fault, 1.1, 2.5) : 1;
		sfmt(f->detail, sizeof f->detail, "errors +%.3f, latency x%.1f",
		    err, lat);
	}
	rin = rng_int(&r_fault, 0, 3);
	effect(k, f->onset, rin, f->end, 1, err, tpl, lat);
	f->tail = 1;
	dur = f->end - f->onset;
	if (rng_chance(&r_fault, 0.75) || dur < 10)
		deploy_add(k, min_ts(f->end) - rng_real(&r_fault, 60, 150), 120, -1, 0,
		    R_REVERT, 1, NULL);
	else
		deploy_add(k, min_ts(f->end) - rng_real(&r_fault, 150, 300),
		    rng_real(&r_fault, 120, 280), 0, 1, R_REVERT, 0, "hotfix: revert offending change");
}

/* A bad configuration change on f->root, reverted at the end. */
static void
fault_config(struct fault *f)
{
	int k = f->root, i = rng_int(&r_fault, 0, NELEM(cfg_faults) - 1), g;
	double err;

	g = cfg_add(k, min_ts(f->onset) - rng_real(&r_fault, 20, 300),
	    cfg_faults[i].kind, cfg_faults[i].field, cfg_faults[i].oldv,
	    cfg_faults[i].newv, R_FAULT, 1);
	sfmt(f->change_id, sizeof f->change_id, "%s", W.g[g].id);
	acc_add(f, "config", k, W.g[g].id);
	err = rng_logu(&r_fault, cfg_faults[i].err_lo, cfg_faults[i].err_hi);
	effect(k, f->onset, rng_int(&r_fault, 0, 2), f->end, 1, err,
	    cfg_faults[i].tpl, cfg_faults[i].lat);
	f->tail = 1;
	cfg_add(k, min_ts(f->end) - rng_real(&r_fault, 10, 60), cfg_faults[i].kind,
	    cfg_faults[i].field, cfg_faults[i].newv, cfg_faults[i].oldv, R_REVERT, 1);
	sfmt(f->detail, sizeof f->detail, "%s %s -> %s, errors +%.3f",
	    cfg_faults[i].field, cfg_faults[i].oldv, cfg_faults[i].newv, err);
}

/* A shared database degrades: slow queries, saturation or lock contention;
 * its callers slow down and fail. */
static void
fault_database(struct fault *f)
{
	struct svc *s = &W.s[f->root];
	int m, mode = rng_int(&r_fault, 0, 2), rin = rng_int(&r_fault, 0, 4);
	double lat = rng_logu(&r_fault, 3, 25), err, cpu;

	acc_add(f, "db", f->root, NULL);
	err = rng_logu(&r_fault, 0.005, 0.2);
	cpu = mode == 0 ? rng_real(&r_fault, 0.35, 0.7) : mode == 1 ?
	    rng_real(&r_fault, 0.05, 0.2) : 0;
	for (m = f->onset; m < f->end + 2 && m < W.M; m++)
		s->cpuadd[m] += cpu * env(m, f->onset, rin, f->end, 2);
	effect(f->root, f->onset, rin, f->end, 2, err, -1, lat);
	f->tail = 2;
	sfmt(f->detail, sizeof f->detail, "%s: latency x%.1f, errors +%.3f, cpu +%.2f",
	    mode == 0 ? "saturation" : mode == 1 ? "slow queries" : "lock contention",
	    lat, err, cpu);
}

/* CPU saturation on f->root (a noisy neighbour on its node, a runaway
 * loop): latency and shedding follow from the model. */
static void
fault_infra(struct fault *f)
{
	struct svc *s = &W.s[f->root];
	int m, rin = rng_int(&r_fault, 1, 5);
	double target = rng_real(&r_fault, 0.9, 1.0);

	acc_add(f, "infra", f->root, NULL);
	for (m = f->onset; m < f->end + 2 && m < W.M; m++)
		s->cpuadd[m] += (target - s->cpu0) * env(m, f->onset, rin, f->end, 2);
	f->tail = 2;
	sfmt(f->detail, sizeof f->detail, "cpu to %.2f", target);
}

/* A memory leak on f->root: memory climbs for an hour or more, then the
 * pods are OOM-killed over and over until a fix; restarts cost errors. */
static void
fault_memleak(struct fault *f)
{
	struct svc *s = &W.s[f->root];
	int ramp = rng_int(&r_fault, 50, 150), tpl;
	double q;

	acc_add(f, "infra", f->root, NULL);
	s->leak_on = 1;
	/* memory climbs linearly from leak_start to the limit (0.97), where
	 * the first OOM kill happens; the onset is when it passes 0.85 */
	s->leak_start = f->onset - ramp;
	if (s->leak_start < 5)
		s->leak_start = 5;
	q = (0.85 - s->mem0) / (0.97 - s->mem0);
	s->leak_hit = s->leak_start + (int)lround((f->onset - s->leak_start) / q);
	if (s->leak_hit <= f->onset)
		s->leak_hit = f->onset + 1;
	if (s->leak_hit + 10 > f->end)
		f->end = s->leak_hit + 10;
	s->leak_end = f->end;
	s->leak_period = rng_real(&r_fault, 2.5, 7);
	s->has_mem = 1;
	s->has_restarts = 1;
	tpl = TPL_MEM0 + (s->lang == 'j' ? 0 : 1);
	effect(f->root, s->leak_hit, 0, f->end, 1, rng_logu(&r_fault, 0.005, 0.05),
	    tpl, rng_real(&r_fault, 1.1, 1.8));
	f->tail = (int)s->leak_period + 2;	/* the last pod's last restart */
	sfmt(f->detail, sizeof f->detail, "leak from -%d min, OOM every %.1f min per pod",
	    f->onset - s->leak_start, s->leak_period);
}

/* An external dependency fails: errors and/or timeouts at its callers. */
static void
fault_external(struct fault *f)
{
	int rin = rng_int(&r_fault, 0, 2);
	double err = rng_real(&r_fault, 0.3, 1.0), lat = 1;

	acc_add(f, "dependency", f->root, NULL);
	if (rng_chance(&r_fault, 0.5))
		lat = rng_real(&r_fault, 10, 60);	/* hangs: callers time out */
	effect(f->root, f->onset, rin, f->end, 1, err, -1, lat);
	f->tail = 1;
	sfmt(f->detail, sizeof f->detail, "provider errors %.2f, latency x%.0f",
	    err, lat);
}

/* A traffic surge at the edge service f->root; downstream saturates. */
static void
fault_surge(struct fault *f)
{
	struct svc *s = &W.s[f->root];
	int m, rin = rng_int(&r_fault, 1, 8), rout = rng_int(&r_fault, 2, 10);
	double mul = rng_real(&r_fault, 2, 6);

	acc_add(f, "traffic", f->root, NULL);
	for (m = f->onset; m < f->end + rout && m < W.M; m++)
		s->ratemul[m] *= 1 + (mul - 1) * env(m, f->onset, rin, f->end, rout);
	f->tail = rout;
	sfmt(f->detail, sizeof f->detail, "rate x%.1f", mul);
}

/* One shared library version rolled out to several services within
 * minutes; each fails after its own deploy. */
static void
fault_cascade(struct fault *f, const int *set, int n)
{
	const char *lib = libs[rng_int(&r_fault, 0, NELEM(libs) - 1)];
	char msg[160], ver[16];
	int i, d, tpl = TPL_LIB0 + rng_int(&r_fault, 0, 1), start;
	double err, t;

	sfmt(ver, sizeof ver, "v%d.%d.0", rng_int(&r_fault, 2, 5),
	    rng_int(&r_fault, 0, 20));
	sfmt(msg, sizeof msg, "chore(deps): bump %s to %s", lib, ver);
	t = min_ts(f->onset) - rng_real(&r_fault, 120, 300);
	for (i = 0; i < n; i++) {
		double dd = rng_real(&r_fault, 60, 240);

		d = deploy_add(set[i], t, dd, 3, 1, R_FAULT, 0, msg);
		acc_deploy(f, d);
		if (i == 0)
			f->change_dep = d;
		start = (int)((t + dd - (double)W.t0) / 60) + rng_int(&r_fault, 0, 2);
		if (i == 0)
			start = f->onset;
		if (start < f->onset)
			start = f->onset;
		err = rng_logu(&r_fault, 0.01, 0.25);
		effect(set[i], start, rng_int(&r_fault, 0, 2), f->end, 1, err, tpl, 1.0);
		f->tail = 1;
		W.s[set[i]].lib = lib;
		deploy_add(set[i], min_ts(f->end) - rng_real(&r_fault, 60, 200), 120, -1,
		    0, R_REVERT, 1, NULL);
		t += rng_real(&r_fault, 30, 200);
	}
	sfmt(f->detail, sizeof f->detail, "%s %s to %d services", lib, ver, n);
}

/* Services next to k: its callers, its callees (apps and stores) and
 * siblings (other callees of its callers); out must hold MAX_SVC. */
static int
neighbours(int k, int *out)
{
	int n = 0, i, j, dup, cand;

	for (i = 0; i < W.ne; i++) {
		for (j = 0; j < 3; j++) {
			cand = -1;
			if (j == 0 && W.e[i].to == k)
				cand = W.e[i].from;
			if (j == 1 && W.e[i].from == k)
				cand = W.e[i].to;
			if (j == 2 && W.e[i].to == k) {
				int c = W.e[i].from, x;

				for (x = 0; x < W.ne; x++)
					if (W.e[x].from == c && W.e[x].to != k &&
					    W.s[W.e[x].to].kind != SK_EXT) {
						cand = W.e[x].to;
						break;
					}
			}
			if (cand < 0 || cand == k || W.s[cand].kind == SK_EXT)
				continue;
			for (dup = 0; dup < n && out[dup] != cand; dup++)
				;
			if (dup == n)
				out[n++] = cand;
		}
	}
	return n;
}

static int used_root(int, const int *, int);

/* Confounders around fault f: a flapping neighbour, decoy deploys and a
 * harmless config change near the onset. */
static void
confound(struct fault *f, int exclude_root_changes)
{
	int nb[MAX_SVC], n, i, k, cnt;
	char note[96];

	n = neighbours(f->root, nb);
	if (n == 0) {
		nb[0] = pick_kind(SK_APP, 1);
		n = nb[0] == f->root ? 0 : 1;
	}
	/* flapping metric on a neighbour, overlapping the onset */
	for (i = 0; i < 3 && n > 0; i++) {
		k = nb[rng_int(&r_fault, 0, n - 1)];
		if (W.s[k].flap_on || W.s[k].kind == SK_EXT)
			continue;
		W.s[k].flap_on = 1;
		W.s[k].flap_metric = rng_int(&r_fault, 0, 2);
		W.s[k].flap_from = f->onset + rng_int(&r_fault, -20, 15);
		W.s[k].flap_to = W.s[k].flap_from + rng_int(&r_fault, 20, 50);
		W.s[k].flap_period = rng_int(&r_fault, 1, 5);
		W.s[k].flap_mag = W.s[k].flap_metric == 0 ? rng_logu(&r_fault, 0.02, 0.12) :
		    W.s[k].flap_metric == 1 ? rng_real(&r_fault, 1.8, 4) :
		    rng_real(&r_fault, 0.2, 0.4);
		sfmt(note, sizeof note, "%s every %d min",
		    W.s[k].flap_metric == 0 ? "error_ratio" : W.s[k].flap_metric == 1 ?
		    "latency_p99_ms" : "cpu_utilization", W.s[k].flap_period);
		conf_add("flapping", k, W.s[k].flap_from, W.s[k].flap_to, note);
		break;
	}
	/* decoy deploys on neighbours around the onset */
	cnt = rng_int(&r_fault, 1, 2);
	for (i = 0; i < cnt && n > 0; i++) {
		int cls = rng_chance(&r_fault, 0.4) ? 2 : rng_chance(&r_fault, 0.6) ? 0 : 1;
		double t = min_ts(f->onset) + rng_real(&r_fault, -30, 10) * 60;

		k = nb[rng_int(&r_fault, 0, n - 1)];
		if ((W.s[k].kind != SK_APP && W.s[k].kind != SK_WORKER) ||
		    used_root(k, W.used, W.nused))
			continue;
		deploy_add(k, t, rng_real(&r_fault, 60, 300), cls,
		    rng_int(&r_fault, 1, 3), R_DECOY, 0, NULL);
		conf_add("decoy_deploy", k, (int)((t - (double)W.t0) / 60),
		    (int)((t - (double)W.t0) / 60), NULL);
		W.k[W.nk - 1].dep = W.nd - 1;
	}
	/* a harmless config change near the onset */
	i = rng_int(&r_fault, 0, NELEM(cfg_benign) - 1);
	k = n > 0 && (exclude_root_changes || rng_chance(&r_fault, 0.6)) ?
	    nb[rng_int(&r_fault, 0, n - 1)] : f->root;
	if (W.s[k].kind != SK_EXT && (k == f->root ? !exclude_root_changes :
	    !used_root(k, W.used, W.nused))) {
		double t = min_ts(f->onset) + rng_real(&r_fault, -20, 5) * 60;

		cfg_add(k, t, cfg_benign[i].kind, cfg_benign[i].field,
		    cfg_benign[i].oldv, cfg_benign[i].newv, R_DECOY,
		    rng_chance(&r_fault, 0.7));
		conf_add("harmless_config", k, (int)((t - (double)W.t0) / 60),
		    (int)((t - (double)W.t0) / 60), cfg_benign[i].field);
	}
}

/* 1 when service k is the root of an earlier fault or in a cascade. */
static int
used_root(int k, const int *used, int nused)
{
	int i;

	for (i = 0; i < nused; i++)
		if (used[i] == k)
			return 1;
	return 0;
}

/* A random app (workers too) for a fault, not used before; -1 if none. */
static int
pick_app(const int *used, int nused, int entries_ok)
{
	int idx[MAX_SVC], n = 0, i;

	for (i = 0; i < W.ns; i++)
		if ((W.s[i].kind == SK_APP || W.s[i].kind == SK_WORKER) &&
		    (entries_ok || !W.s[i].entry) && !used_root(i, used, nused))
			idx[n++] = i;
	return n > 0 ? idx[rng_int(&r_fault, 0, n - 1)] : -1;
}

/* A random service of kind k not used before; entries only when want_entry. */
static int
pick_of(enum svc_kind k, int want_entry, const int *used, int nused)
{
	int idx[MAX_SVC], n = 0, i;

	for (i = 0; i < W.ns; i++)
		if (W.s[i].kind == k && (!want_entry || W.s[i].entry) &&
		    !used_root(i, used, nused))
			idx[n++] = i;
	return n > 0 ? idx[rng_int(&r_fault, 0, n - 1)] : -1;
}

/* Plans and injects the faults: the first fault's kind is stratified by the
 * seed (so every kind is equally represented over consecutive seeds), the
 * others are random; faults are at least an hour apart, the first one
 * starts after 100 minutes of history. */
static void
faults_plan(void)
{
	int *used = W.used, t = 100 + rng_int(&r_fault, 0, 40), i, k, dur,
	    want, kind;
#define nused W.nused

	want = W.M >= 540 ? rng_int(&r_fault, 1, 3) : W.M >= 420 ? rng_int(&r_fault, 1, 2) : 1;
	for (i = 0; i < want; i++) {
		struct fault *f = &W.f[W.nf];
		int set[6], n = 0;

		kind = i == 0 ? (int)((W.seed - 1) % FK_COUNT) :
		    rng_int(&r_fault, 0, FK_COUNT - 1);
		memset(f, 0, sizeof *f);
		f->change_dep = -1;
		f->kind = (enum fault_kind)kind;
		f->cause = f->kind;
		if (f->kind == FK_SHORT) {
			static const enum fault_kind sc[] = { FK_RELEASE, FK_CONFIG,
			    FK_DATABASE, FK_INFRA, FK_EXTERNAL };

			f->cause = sc[rng_int(&r_fault, 0, NELEM(sc) - 1)];
			dur = rng_int(&r_fault, 2, 5);
		} else if (f->kind == FK_MEMLEAK)
			dur = rng_int(&r_fault, 30, 70);
		else
			dur = rng_int(&r_fault, 12, 75);
		if (f->kind == FK_MEMLEAK && t < 150)
			t = 150 + rng_int(&r_fault, 0, 30);
		if (t + dur + 25 > W.M)
			break;
		f->onset = t;
		f->end = t + dur;
		switch (f->cause) {
		case FK_DATABASE:
			f->root = pick_of(SK_DB, 0, used, nused);
			break;
		case FK_EXTERNAL:
			f->root = pick_of(SK_EXT, 0, used, nused);
			break;
		case FK_SURGE:
			f->root = pick_of(SK_APP, 1, used, nused);
			break;
		case FK_CASCADE:
			n = rng_int(&r_fault, 3, 5);
			for (k = 0; k < n; k++) {
				set[k] = pick_app(used, nused, 1);
				if (set[k] < 0)
					break;
				used[nused++] = set[k];
			}
			n = k;
			f->root = n > 0 ? set[0] : -1;
			break;
		default:
			f->root = pick_app(used, nused, 1);
			break;
		}
		if (f->root < 0 || (f->cause == FK_CASCADE && n < 2))
			break;
		if (f->cause != FK_CASCADE)
			used[nused++] = f->root;
		switch (f->cause) {
		case FK_RELEASE:
			fault_release(f);
			break;
		case FK_CONFIG:
			fault_config(f);
			break;
		case FK_DATABASE:
			fault_database(f);
			break;
		case FK_INFRA:
			fault_infra(f);
			break;
		case FK_MEMLEAK:
			fault_memleak(f);
			break;
		case FK_EXTERNAL:
			fault_external(f);
			break;
		case FK_SURGE:
			fault_surge(f);
			break;
		case FK_CASCADE:
			fault_cascade(f, set, n);
			break;
		default:
			break;
		}
		f->end += f->tail;
		confound(f, f->cause == FK_RELEASE || f->cause == FK_CONFIG ||
		    f->cause == FK_CASCADE);
		/* an alert from the monitoring system for some faults */
		if (rng_chance(&r_fault, 0.5) && W.s[f->root].kind != SK_EXT) {
			const char *an = f->cause == FK_MEMLEAK ? "KubePodCrashLooping" :
			    f->cause == FK_SURGE ? "HighRequestRate" :
			    f->cause == FK_INFRA ? "CPUThrottlingHigh" :
			    f->cause == FK_DATABASE ? "PostgresSlowQueries" :
			    "HighErrorRate";
			char fp[24];

			rng_hex(&r_fault, fp, 16);
			alert_add(min_ts(f->onset) + rng_real(&r_fault, 60, 420), f->root,
			    an, fp, 1, "critical");
			alert_add(min_ts(f->end) + rng_real(&r_fault, 120, 600), f->root,
			    an, fp, 0, "critical");
		}
		W.nf++;
		t = f->end + 60 + rng_int(&r_fault, 0, 90);
	}
#undef nused
	if (W.nf == 0)
		die("no fault fits in %d minutes", W.M);
}

/* 1 when a change on service k at minute m could pass for the cause of a
 * fault on k (3 h before its onset through its end): background changes
 * stay off those, so the truth names one cause. */
static int
near_own_fault(int k, int m)
{
	int i, j;

	for (i = 0; i < W.nf; i++) {
		const struct fault *f = &W.f[i];
		int mine = f->root == k;

		for (j = 0; j < f->nacc && !mine; j++)
			mine = strcmp(f->acc[j].service, W.s[k].name) == 0;
		if (mine && m >= f->onset - 180 && m <= f->end + 5)
			return 1;
	}
	return 0;
}

/* Background changes, spikes, restarts and a flapping alert, anywhere. */
static void
background(void)
{
	int i, n, k, m;
	double t;

	n = W.ns * W.M / (60 * 40) + rng_int(&r_chg, 1, 4);
	for (i = 0; i < n; i++) {
		int cls = rng_chance(&r_chg, 0.25) ? 2 : rng_chance(&r_chg, 0.8) ? 0 : 1;

		k = pick_kind(SK_APP, 1);
		m = rng_int(&r_chg, 0, W.M - 10);
		t = min_ts(m) + rng_real(&r_chg, 0, 60);
		if (near_own_fault(k, m))
			continue;
		deploy_add(k, t, rng_real(&r_chg, 60, 400), cls, rng_int(&r_chg, 1, 4),
		    R_BACKGROUND, 0, NULL);
	}
	n = rng_int(&r_chg, 1, 3 + W.ns / 15);
	for (i = 0; i < n; i++) {
		int j = rng_int(&r_chg, 0, NELEM(cfg_routine) - 1);

		k = pick_kind(SK_APP, 1);
		m = rng_int(&r_chg, 0, W.M - 10);
		if (near_own_fault(k, m))
			continue;
		cfg_add(k, min_ts(m), cfg_routine[j].kind,
		    cfg_routine[j].field, cfg_routine[j].oldv, cfg_routine[j].newv,
		    R_BACKGROUND, rng_chance(&r_chg, 0.5));
	}
	/* a flapping external alert on a random service */
	k = pick_kind(SK_APP, 1);
	{
		char fp[24];
		int at = rng_int(&r_chg, 30, W.M - 90), j;

		rng_hex(&r_chg, fp, 16);
		for (j = 0; j < 4; j++) {
			alert_add(min_ts(at + j * 12), k, "DiskSpaceLow", fp, 1, "warning");
			alert_add(min_ts(at + j * 12 + 4), k, "DiskSpaceLow", fp, 0, "warning");
		}
		conf_add("flapping_alert", k, at, at + 52, "DiskSpaceLow");
	}
	/* an isolated restart or two */
	n = rng_int(&r_chg, 0, 2);
	for (i = 0; i < n; i++) {
		k = pick_kind(SK_APP, 1);
		if (W.s[k].leak_on || !W.s[k].has_restarts)
			continue;
		W.s[k].blip_restart = rng_int(&r_chg, 0, W.M - 1);
		conf_add("isolated_restart", k, W.s[k].blip_restart,
		    W.s[k].blip_restart, NULL);
	}
}

/* ---- observation ------------------------------------------------------------- */

/* OOM kills of a leaking pod from its first one (at first) up to time x,
 * kills stopping at stop (minutes). */
static int
leak_kills(const struct svc *s, double first, double stop, double x)
{
	double n;

	if (x > stop - 1e-9)
		x = stop - 1e-9;
	if (x < first)
		return 0;
	n = floor((x - first) / s->leak_period);
	return (int)n + 1;
}

/* Memory utilisation of pod p of s at time t (minutes, fractional);
 * *oom set to 1 when the pod was OOM-killed in (t - step, t]. */
static double
memory_at(const struct svc *s, int p, double t, double step_min, int *restarts)
{
	double base = s->mem0 + s->mem_drift * t / W.M +
	    0.03 * sin(2 * M_PI * t / 47.0 + p), lim = 0.97, x, off;
	double first, prev;

	*restarts = 0;
	if (!s->leak_on || t < s->leak_start)
		return base;
	off = p * s->leak_period / (s->npods > 0 ? s->npods : 1);
	first = s->leak_hit + off;
	if (t < first) {
		x = (t - s->leak_start) / (first - s->leak_start);
		return base + (lim - base) * (x > 1 ? 1 : x);
	}
	if (t >= s->leak_end + off)
		return base + (t < s->leak_end + off + 3 ? 0.05 : 0);
	/* OOM loop: restarts at first + j * period while before the end;
	 * count those in (t - step, t] */
	x = fmod(t - first, s->leak_period) / s->leak_period;
	prev = t - step_min;
	*restarts = leak_kills(s, first, s->leak_end + off, t) -
	    leak_kills(s, first, s->leak_end + off, prev);
	return base * 0.8 + (lim - base * 0.8) * x;
}

/* ---- writing ------------------------------------------------------------------ */

static FILE *out;

/* Starts a JSON line of kind. */
static void
line_start(const char *kind)
{
	fprintf(out, "{\"kind\":\"%s\"", kind);
	W.lines++;
}

/* Writes ,"key":"value". */
static void
kv_str(const char *key, const char *v)
{
	fprintf(out, ",\"%s\":", key);
	jstr(out, v);
}

/* Writes ,"key":"ts". */
static void
kv_ts(const char *key, double t, int style)
{
	char ts[48];

	fmt_ts(ts, sizeof ts, t, style);
	fprintf(out, ",\"%s\":\"%s\"", key, ts);
}

/* Writes a metric point (labels: NULL or a JSON object body). */
static void
metric_line(const struct svc *s, double t, const char *metric, double v,
    const char *labels)
{
	char ts[48];

	fmt_ts(ts, sizeof ts, t, s->frac_ts ? 1 : 0);
	if (!isfinite(v))
		v = 0;
	fprintf(out, "{\"kind\":\"metric\",\"ts\":\"%s\",\"service\":\"%s\","
	    "\"metric\":\"%s\",\"value\":%.6g", ts, s->name, metric, v);
	if (labels != NULL)
		fprintf(out, ",\"labels\":{%s}", labels);
	fputs("}\n", out);
	W.lines++;
}

/* 1 when s has no sample at minute m (scrape gap or dropped point). */
static int
missing(const struct svc *s, int m)
{
	int i;

	for (i = 0; i < s->ngaps; i++)
		if (m >= s->gap_from[i] && m < s->gap_to[i])
			return 1;
	return rng_chance(&r_noise, s->drop_p);
}

/* The flapping overlay of s at minute m: 1 in the high half of a cycle. */
static int
flap_high(const struct svc *s, int m)
{
	return s->flap_on && m >= s->flap_from && m < s->flap_to &&
	    ((m - s->flap_from) / s->flap_period) % 2 == 0;
}

/* Writes the metric points of service k. */
static void
write_metrics(int k)
{
	struct svc *s = &W.s[k];
	double t, tend = min_ts(W.M), step_min = s->step / 60.0;
	int m, p, r, nreg = s->split ? 2 : 1, spike;
	char lab[160];

	if (s->kind == SK_EXT)
		return;
	for (t = (double)W.t0 + s->phase; t < tend; t += s->step) {
		double rate, err, lat, cpu, n, fails;

		m = (int)((t - (double)W.t0) / 60);
		if (m >= W.M)
			break;
		if (missing(s, m))
			continue;
		spike = rng_chance(&r_noise, 0.0015);
		for (r = 0; r < nreg; r++) {
			double share = nreg == 1 ? 1 : r == 0 ? 0.6 : 0.4;

			if (nreg > 1)
				sfmt(lab, sizeof lab, "\"region\":\"%s\"", regions[r]);
			rate = s->rate[m] * share * (1 + s->noise * rng_gauss(&r_noise));
			if (rate < 0)
				rate = 0;
			/* observed error ratio: failures among the requests of the
			 * step (Poisson), so quiet services are noisy */
			n = s->rate[m] * share * s->step;
			err = s->err[m];
			if (flap_high(s, m) && s->flap_metric == 0)
				err += s->flap_mag;
			if (err > 1)
				err = 1;
			fails = n > 0 ? rng_poisson(&r_noise, n * err) : 0;
			err = n >= 1 ? fails / n : err;
			if (err > 1)
				err = 1;
			lat = s->lat[m] * exp(s->noise * 2 * rng_gauss(&r_noise) +
			    (n < 50 ? 0.1 * rng_gauss(&r_noise) : 0));
			if (flap_high(s, m) && s->flap_metric == 1)
				lat *= s->flap_mag;
			if (spike) {
				switch (rng_int(&r_noise, 0, 2)) {
				case 0:
					lat *= rng_real(&r_noise, 3, 10);
					break;
				case 1:
					err += rng_real(&r_noise, 0.02, 0.2);
					if (err > 1)
						err = 1;
					break;
				default:
					rate *= rng_real(&r_noise, 2, 4);
					break;
				}
			}
			metric_line(s, t, "request_rate", rate, nreg > 1 ? lab : NULL);
			metric_line(s, t, "error_ratio", err, nreg > 1 ? lab : NULL);
			metric_line(s, t, "latency_p99_ms", lat, nreg > 1 ? lab : NULL);
		}
		for (p = 0; p < s->npods; p++) {
			int rs = 0;
			double mem;

			if (s->npods > 1)
				sfmt(lab, sizeof lab, "\"pod\":\"%s\"", s->pod[p]);
			cpu = s->cpu[m] * (s->npods > 1 ? 1 + 0.08 * (p - 1) : 1) +
			    0.02 * rng_gauss(&r_noise);
			if (flap_high(s, m) && s->flap_metric == 2)
				cpu += s->flap_mag;
			cpu = cpu < 0.005 ? 0.005 : cpu > 1 ? 1 : cpu;
			metric_line(s, t, "cpu_utilization", cpu, s->npods > 1 ? lab : NULL);
			mem = memory_at(s, p, (t - (double)W.t0) / 60.0, step_min, &rs);
			mem += 0.006 * rng_gauss(&r_noise);
			mem = mem < 0.01 ? 0.01 : mem > 1 ? 1 : mem;
			if (s->has_mem)
				metric_line(s, t, "memory_utilization", mem,
				    s->npods > 1 ? lab : NULL);
			if (s->has_restarts) {
				double tb = min_ts(s->blip_restart) + 30;

				if (p == 0 && s->blip_restart >= 0 && tb > t - s->step &&
				    tb <= t)
					rs++;
				metric_line(s, t, "restarts", rs, s->npods > 1 ? lab : NULL);
			}
		}
		if (s->has_conn)
			metric_line(s, t, "connections_in_use", s->conn0 *
			    (s->rate[m] / s->brate) * sqrt(s->lat[m] / s->lat_own) *
			    (1 + s->noise * rng_gauss(&r_noise)), NULL);
	}
}

/* Writes the health checks of service k (every minute). */
static void
write_health(int k)
{
	struct svc *s = &W.s[k];
	const char *st;
	int m;

	if (!s->has_health)
		return;
	for (m = 0; m < W.M; m++) {
		if (missing(s, m))
			continue;
		st = s->err[m] > 0.5 ? "down" : s->err[m] > 0.15 ||
		    s->lat[m] > 3 * s->lat_nf[m] ? "degraded" : "healthy";
		if (rng_chance(&r_noise, 0.002))
			st = "degraded";	/* a probe hiccup */
		line_start("health");
		kv_ts("ts", min_ts(m) + 5, 0);
		kv_str("service", s->name);
		kv_str("status", st);
		fprintf(out, ",\"response_time_ms\":%.1f,\"error_rate\":%.4f}\n",
		    s->lat[m] * 0.3 * (1 + 0.1 * fabs(rng_gauss(&r_noise))),
		    s->err[m] > 1 ? 1 : s->err[m]);
	}
}

/* Writes one error event. */
static void
error_line(const struct svc *s, double t, int tpl, const char *subject,
    const char *lib)
{
	char msg[512];

	tpl_expand(msg, sizeof msg, tpls[tpl].fmt, subject, lib, &r_err);
	line_start("error");
	kv_ts("ts", t, 1);
	kv_str("service", s->name);
	kv_str("message", msg);
	kv_str("severity", tpls[tpl].severity);
	kv_str("error_type", tpls[tpl].etype);
	fputs("}\n", out);
}

/* Writes the error events of service k. */
static void
write_errors(int k)
{
	struct svc *s = &W.s[k];
	int m, j, n, i;
	double lam;

	if (s->kind == SK_EXT)
		return;
	for (m = 0; m < W.M; m++) {
		double t0 = min_ts(m);

		/* recurring background errors */
		n = rng_poisson(&r_err, s->bg_lambda);
		for (j = 0; j < n; j++)
			error_line(s, t0 + rng_real(&r_err, 0, 59.999),
			    s->bg[rng_int(&r_err, 0, s->nbg - 1)], NULL, NULL);
		/* the fault's own errors */
		if (s->ftpl[m] >= 0 && s->erradd[m] > 0) {
			lam = s->rate[m] * 60 * s->erradd[m] * s->logfrac;
			n = rng_poisson(&r_err, lam > 25 ? 25 : lam);
			for (j = 0; j < n; j++)
				error_line(s, t0 + rng_real(&r_err, 0, 59.999), s->ftpl[m],
				    NULL, s->lib);
		}
		/* shedding under overload */
		if (s->cong[m] > 0) {
			lam = s->rate[m] * 60 * s->cong[m] * s->logfrac;
			n = rng_poisson(&r_err, lam > 15 ? 15 : lam);
			for (j = 0; j < n; j++)
				error_line(s, t0 + rng_real(&r_err, 0, 59.999),
				    s->overload_tpl, NULL, NULL);
		}
		/* failures of the callees, in the caller's words */
		for (i = 0; i < W.ne; i++) {
			struct edge *e = &W.e[i];
			double base;

			if (e->from != k || e->perr[m] <= 0)
				continue;
			/* only what is above the callee's usual failures */
			base = e->w_err * W.s[e->to].err_nf[m];
			if (e->perr[m] <= base * 2)
				continue;
			lam = s->rate[m] * 60 * (e->perr[m] - base) * s->logfrac;
			n = rng_poisson(&r_err, lam > 15 ? 15 : lam);
			for (j = 0; j < n; j++)
				error_line(s, t0 + rng_real(&r_err, 0, 59.999), e->tpl,
				    W.s[e->to].name, NULL);
		}
	}
}

/* Writes services, dependencies, commits, deploys, config changes and
 * alerts. */
static void
write_catalog(void)
{
	static const char *const tiers[] = { "backend", "worker", "database",
	    "cache", "external" };
	int i, j;

	for (i = 0; i < W.ns; i++) {
		struct svc *s = &W.s[i];

		if (s->kind == SK_EXT && rng_chance(&r_chg, 0.5))
			continue;	/* some externals only appear as edges */
		line_start("service");
		kv_str("service", s->name);
		kv_str("cluster", s->cluster);
		kv_str("namespace", s->ns);
		kv_str("tier", s->entry ? "edge" : tiers[s->kind]);
		kv_str("team", s->team);
		fputs("}\n", out);
	}
	for (i = 0; i < W.ne; i++) {
		line_start("dependency");
		kv_str("from", W.s[W.e[i].from].name);
		kv_str("to", W.s[W.e[i].to].name);
		kv_str("dep_kind", W.s[W.e[i].to].kind == SK_DB ? "database" :
		    W.s[W.e[i].to].kind == SK_EXT ? "external" : "service");
		fputs("}\n", out);
	}
	for (i = 0; i < W.nc; i++) {
		struct commit *c = &W.c[i];

		line_start("commit");
		kv_str("sha", c->sha);
		kv_str("repo", c->repo);
		kv_str("message", c->msg);
		kv_ts("authored_at", c->at, 0);
		kv_str("author", c->author);
		fputs(",\"files\":[", out);
		for (j = 0; j < c->nfiles; j++) {
			fprintf(out, "%s{\"path\":", j ? "," : "");
			jstr(out, c->path[j]);
			if (c->ctype[j] != NULL)
				fprintf(out, ",\"change_type\":\"%s\"", c->ctype[j]);
			fprintf(out, ",\"lines_added\":%d,\"lines_removed\":%d}",
			    c->add[j], c->rem[j]);
		}
		fputs("]}\n", out);
	}
	for (i = 0; i < W.nd; i++) {
		struct deploy *d = &W.d[i];

		line_start("deploy");
		if (d->id_int)
			fprintf(out, ",\"id\":%s", d->id);
		else
			kv_str("id", d->id);
		kv_str("service", W.s[d->svc].name);
		kv_ts("started_at", d->start, d->offset_ts ? 2 : 0);
		kv_ts("finished_at", d->finish, d->offset_ts ? 2 : 0);
		kv_str("deploy_type", d->dtype);
		fprintf(out, ",\"image_ref\":\"registry.acme.internal/%s:%s\"",
		    W.s[d->svc].name, d->version);
		kv_str("revision", d->rev);
		kv_str("previous_revision", d->prev);
		if (d->ncommits > 0) {
			fputs(",\"commits\":[", out);
			for (j = 0; j < d->ncommits; j++)
				fprintf(out, "%s\"%.*s\"", j ? "," : "",
				    j == 0 && rng_chance(&r_chg, 0.3) ? 12 : 40,
				    W.c[d->commit[j]].sha);
			fputs("]", out);
		}
		fprintf(out, ",\"is_rollback\":%s}\n", d->rollback ? "true" : "false");
	}
	for (i = 0; i < W.ng; i++) {
		struct cfgchg *g = &W.g[i];

		line_start("config_change");
		if (g->id[0] != '\0')
			kv_str("id", g->id);
		kv_str("service", W.s[g->svc].name);
		kv_ts("detected_at", g->at, 0);
		kv_str("change_kind", g->kind);
		kv_str("resource_name", g->res);
		fputs(",\"diff\":[{\"field\":", out);
		jstr(out, g->field);
		fputs(",\"old_value\":", out);
		jstr(out, g->oldv);
		fputs(",\"new_value\":", out);
		jstr(out, g->newv);
		fputs("}]", out);
		kv_str("source", g->source);
		kv_str("actor", g->actor);
		fputs("}\n", out);
	}
	for (i = 0; i < W.na; i++) {
		struct alert *a = &W.a[i];

		line_start("alert");
		kv_ts("ts", a->at, 0);
		kv_str("fingerprint", a->fp);
		kv_str("status", a->firing ? "firing" : "resolved");
		fputs(",\"labels\":{", out);
		fputs("\"alertname\":", out);
		jstr(out, a->name);
		fputs(",\"service\":", out);
		jstr(out, W.s[a->svc].name);
		fprintf(out, ",\"severity\":\"%s\"}", a->severity);
		kv_str("source", "alertmanager");
		fputs("}\n", out);
	}
}

/* ---- truth ---------------------------------------------------------------------- */

/* Services whose state departs from normal during fault f (for the truth
 * file; informative). */
static void
write_symptoms(FILE *fp, const struct fault *f)
{
	int k, m, first = 1;

	fputs("\"symptom_services\":[", fp);
	for (k = 0; k < W.ns; k++) {
		struct svc *s = &W.s[k];
		int hit = 0;

		if (s->kind == SK_EXT)
			continue;
		for (m = f->onset; m <= f->end && m < W.M && !hit; m++) {
			double base_lat = s->lat[f->onset > 5 ? f->onset - 5 : 0];

			hit = s->err[m] > s->err0 + 0.01 ||
			    s->lat[m] > 1.5 * base_lat || s->cpu[m] > 0.9 ||
			    (s->leak_on && m >= s->leak_hit);
		}
		if (hit) {
			fprintf(fp, "%s", first ? "" : ",");
			jstr(fp, s->name);
			first = 0;
		}
	}
	fputs("]", fp);
}

/* Writes the ground truth. */
static void
write_truth(FILE *fp)
{
	char ts[48];
	int i, j;

	fprintf(fp, "{\"generator\":\"scengen-1\",\"seed\":%lu,", W.seed);
	fmt_ts(ts, sizeof ts, (double)W.t0, 0);
	fprintf(fp, "\"start\":\"%s\",", ts);
	fmt_ts(ts, sizeof ts, min_ts(W.M), 0);
	fprintf(fp, "\"end\":\"%s\",\"minutes\":%d,\"services\":%d,\"edges\":%d,"
	    "\"depth\":%d,\"lines\":%lld,\n\"faults\":[", ts, W.M, W.ns, W.ne,
	    W.depth, W.lines);
	for (i = 0; i < W.nf; i++) {
		struct fault *f = &W.f[i];

		fprintf(fp, "%s\n {\"id\":\"f%d\",\"kind\":\"%s\",\"cause\":\"%s\",",
		    i ? "," : "", i + 1, fk_names[f->kind], fk_names[f->cause]);
		fmt_ts(ts, sizeof ts, min_ts(f->onset), 0);
		fprintf(fp, "\"onset\":\"%s\",", ts);
		fmt_ts(ts, sizeof ts, min_ts(f->end), 0);
		fprintf(fp, "\"end\":\"%s\",\"root_service\":", ts);
		jstr(fp, W.s[f->root].name);
		fputs(",\"change_id\":", fp);
		if (f->change_id[0] != '\0')
			jstr(fp, f->change_id);
		else
			fputs("null", fp);
		fputs(",\"detail\":", fp);
		jstr(fp, f->detail);
		fprintf(fp, ",\"step\":%d,", W.s[f->root].step);
		write_symptoms(fp, f);
		fputs(",\"accept\":[", fp);
		for (j = 0; j < f->nacc; j++) {
			fprintf(fp, "%s{\"type\":\"%s\",\"service\":", j ? "," : "",
			    f->acc[j].type);
			jstr(fp, f->acc[j].service);
			fputs(",\"ref\":", fp);
			if (f->acc[j].ref[0] != '\0')
				jstr(fp, f->acc[j].ref);
			else
				fputs("null", fp);
			fputs("}", fp);
		}
		fputs("]}", fp);
	}
	fputs("],\n\"changes\":[", fp);
	for (i = 0; i < W.nd; i++) {
		fmt_ts(ts, sizeof ts, W.d[i].start, 0);
		fprintf(fp, "%s\n {\"kind\":\"deploy\",\"id\":\"%s\",\"service\":\"%s\","
		    "\"at\":\"%s\",\"role\":\"%s\"}", i ? "," : "", W.d[i].id,
		    W.s[W.d[i].svc].name, ts, role_names[W.d[i].role]);
	}
	for (i = 0; i < W.ng; i++) {
		fmt_ts(ts, sizeof ts, W.g[i].at, 0);
		fprintf(fp, ",\n {\"kind\":\"config_change\",\"id\":\"%s\",\"service\":\"%s\","
		    "\"at\":\"%s\",\"role\":\"%s\",\"field\":\"%s\"}", W.g[i].id,
		    W.s[W.g[i].svc].name, ts, role_names[W.g[i].role], W.g[i].field);
	}
	fputs("],\n\"confounders\":[", fp);
	for (i = 0; i < W.nk; i++) {
		fprintf(fp, "%s\n {\"what\":\"%s\",\"service\":", i ? "," : "",
		    W.k[i].what);
		jstr(fp, W.s[W.k[i].svc].name);
		fmt_ts(ts, sizeof ts, min_ts(W.k[i].from), 0);
		fprintf(fp, ",\"from\":\"%s\",", ts);
		fmt_ts(ts, sizeof ts, min_ts(W.k[i].to), 0);
		fprintf(fp, "\"to\":\"%s\",\"note\":", ts);
		jstr(fp, W.k[i].note);
		fputs("}", fp);
	}
	fputs("]}\n", fp);
}

/* ---- main ------------------------------------------------------------------------ */

static void
usage(void)
{
	fprintf(stderr, "usage: scengen --seed N --out FILE --truth FILE "
	    "[--hours H] [--services N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "truth", required_argument, NULL, 't' },
		{ "hours", required_argument, NULL, 'H' },
		{ "services", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char *outp = NULL, *truthp = NULL;
	int ch, hours = 0, nsvc = 0, k, have_seed = 0;
	static double tmo[MAX_SVC];
	FILE *tf;
	char *end;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			W.seed = strtoul(optarg, &end, 10);
			if (*end != '\0' || W.seed == 0)
				usage();
			have_seed = 1;
			break;
		case 'o':
			outp = optarg;
			break;
		case 't':
			truthp = optarg;
			break;
		case 'H':
			hours = atoi(optarg);
			if (hours < 4 || hours > 48)
				usage();
			break;
		case 'n':
			nsvc = atoi(optarg);
			if (nsvc < 10 || nsvc > 60)
				usage();
			break;
		default:
			usage();
		}
	}
	if (!have_seed || outp == NULL || truthp == NULL || optind != argc)
		usage();
	rng_seed(&r_topo, W.seed, 1);
	rng_seed(&r_fault, W.seed, 2);
	rng_seed(&r_chg, W.seed, 3);
	rng_seed(&r_noise, W.seed, 4);
	rng_seed(&r_err, W.seed, 5);

	/* the clock: a day in 2025, any time of day */
	W.M = (hours > 0 ? hours : rng_int(&r_topo, 6, 10)) * 60;
	W.t0 = 1736121600LL + (long long)(W.seed % 300) * 86400 +
	    rng_int(&r_topo, 0, 23) * 3600 + rng_int(&r_topo, 0, 3) * 15 * 60;
	W.season_amp = rng_real(&r_topo, 0.15, 0.5);
	W.season_peak = rng_real(&r_topo, 12, 21);
	W.id_style = rng_int(&r_topo, 0, 2);

	/* 10-60 services, the smaller sizes more often (mean about 30) */
	topo_build(nsvc > 0 ? nsvc : 10 + (int)(50.999 * pow(rng_unit(&r_topo), 1.5)));
	model_run(1);
	for (k = 0; k < W.ns; k++)
		if (W.s[k].has_conn)
			W.s[k].conn0 = rng_real(&r_topo, 20, 120);
	model_alloc();
	/* a caller waits longer than its callees usually take: timeouts are
	 * at least three times the slowest normal p99 of the callee */
	for (k = 0; k < W.ns; k++) {
		tmo[k] = W.s[k].timeout_ms;
		W.s[k].timeout_ms = 1e12;
	}
	model_run(0);
	for (k = 0; k < W.ns; k++) {
		double worst = 0;
		int m;

		for (m = 0; m < W.M; m++)
			if (W.s[k].lat[m] > worst)
				worst = W.s[k].lat[m];
		W.s[k].worst_lat = worst;
	}
	for (k = 0; k < W.ns; k++) {
		double need = 0;
		int i;

		for (i = 0; i < W.ne; i++)
			if (W.e[i].from == k && 3 * W.s[W.e[i].to].worst_lat > need)
				need = 3 * W.s[W.e[i].to].worst_lat;
		W.s[k].timeout_ms = tmo[k] > need ? tmo[k] : need;
	}
	model_run(0);
	for (k = 0; k < W.ns; k++) {
		memcpy(W.s[k].err_nf, W.s[k].err, (size_t)W.M * sizeof(double));
		memcpy(W.s[k].lat_nf, W.s[k].lat, (size_t)W.M * sizeof(double));
	}
	faults_plan();
	background();
	deploys_finish();
	model_run(0);

	out = strcmp(outp, "-") == 0 ? stdout : fopen(outp, "w");
	if (out == NULL)
		die("%s: cannot write", outp);
	write_catalog();
	for (k = 0; k < W.ns; k++) {
		write_metrics(k);
		write_health(k);
		write_errors(k);
	}
	if (out != stdout && fclose(out) != 0)
		die("%s: write failed", outp);
	tf = fopen(truthp, "w");
	if (tf == NULL)
		die("%s: cannot write", truthp);
	write_truth(tf);
	if (fclose(tf) != 0)
		die("%s: write failed", truthp);
	return 0;
}
