/*
 * demo_int.h - declarations shared by the demo generator's files and nothing
 * else: the deterministic PRNG and clock and the shop's services and
 * dependency graph (demo_topology.c), the fault plan and its effects
 * (demo_faults.c), deploys, config changes and commits (demo_changes.c), and
 * the scenario state that demo_gen.c writes out.
 *
 * Times are minutes (or seconds, where named so) since 2026-11-16T00:00:00Z,
 * the start of the scenario day.
 */
#ifndef MIDWATCH_DEMO_INT_H
#define MIDWATCH_DEMO_INT_H

#include <stddef.h>
#include <stdint.h>

#define DEMO_MINUTES 1440
#define DEMO_MAX_CHANGES 64
#define DEMO_MAX_COMMITS 160
#define DEMO_MAX_ALERTS 32
#define DEMO_MAX_ERRLINES 256

/* xoshiro256** state, seeded through splitmix64; never libc's rand(). */
struct demo_rng {
	uint64_t s[4];
};

void demo_rng_seed(struct demo_rng *, unsigned long);
uint64_t demo_rng_next(struct demo_rng *);
double demo_rng_unit(struct demo_rng *);
int demo_rng_int(struct demo_rng *, int, int);
double demo_rng_real(struct demo_rng *, double, double);
double demo_rng_gauss(struct demo_rng *);
int demo_rng_binomial(struct demo_rng *, int, double);
void demo_rng_hex(struct demo_rng *, char *, int);

void demo_fmt_ts(char *, size_t, long);
double demo_diurnal(int);
double demo_round4(double);

/* Services in output order; those before SVC_PSP have metrics. */
enum demo_svc {
	SVC_EDGE,
	SVC_FRONTEND,
	SVC_AUTH,
	SVC_CATALOG,
	SVC_SEARCH,
	SVC_RECOMMENDATIONS,
	SVC_CART,
	SVC_CHECKOUT,
	SVC_PAYMENTS,
	SVC_ORDERS,
	SVC_INVENTORY,
	SVC_NOTIFICATIONS,
	SVC_PAYMENTS_DB,
	SVC_REDIS,
	SVC_PSP,		/* external payment provider: no metrics */
	SVC_COUNT
};
#define SVC_METRIC_COUNT SVC_PSP

/* The per-minute series every service with metrics has. */
enum demo_metric {
	MET_RATE,
	MET_ERR,
	MET_LAT,
	MET_CPU,
	MET_MEM,
	MET_COUNT
};

/* An error message shape; fmt holds %x (hex id), %d (number), %m (ms),
 * %o (order id), %u (user id), %i (IP octet), %w (search word). */
struct demo_template {
	const char *fmt;
	const char *severity;
	const char *error_type;
};

/* A service's normal behaviour at the afternoon peak. */
struct demo_service {
	const char *name;
	const char *tier;
	double peak_rate;	/* req/s (queries/s, ops/s for data stores) */
	double err;		/* baseline error_ratio */
	double lat;		/* baseline latency_p99_ms */
	double cpu_idle;	/* cpu_utilization at night */
	double cpu_peak;	/* cpu_utilization at the peak */
	double mem;		/* memory_utilization just after a restart */
	double err_lambda;	/* background error lines per minute at peak */
	const struct demo_template *errors;	/* ends with fmt == NULL */
};

struct demo_dep {
	int from;
	int to;
	const char *kind;	/* service | database | external */
};

const struct demo_service *demo_topo_service(int);
const char *demo_topo_metric(int);
size_t demo_topo_deps(const struct demo_dep **);
void demo_topo_expand(struct demo_rng *, const char *, char *, size_t);

enum demo_fault_kind {
	FAULT_BAD_DEPLOY,
	FAULT_CONFIG,
	FAULT_DB,
	FAULT_TRAFFIC,
	FAULT_EXTERNAL,
	FAULT_FLAPPING,
	FAULT_MAINTENANCE,
	FAULT_COUNT
};

/* One injected fault; onset/end bound the anomaly (end exclusive). */
struct demo_fault {
	int kind;
	int svc;		/* the truth service (root cause or affected) */
	int onset;
	int end;
	int lead;		/* minutes from the causing change to onset, or 0 */
	int lag;		/* db: minutes from db onset to upstream symptoms */
	int ramp;		/* db: minutes the db latency takes to climb */
	int variant;		/* bad_deploy: risky file; flapping: metric */
	double mag[4];		/* kind-specific magnitudes (demo_faults.c) */
	int maint_start;	/* maintenance window, minutes */
	int maint_end;
	int change;		/* index of the causing change in changes, or -1 */
};

enum demo_change_kind {
	CHG_DEPLOY,
	CHG_CONFIG
};

/* A deploy or config change, injected or background. */
struct demo_change {
	int kind;
	int svc;
	int at;			/* minute started (deploy) or detected (config) */
	int minutes;		/* deploy duration */
	int fault;		/* owning fault, or -1 for background */
	int undo;		/* rollback deploy or config revert */
	int docs_only;		/* harmless deploy made of docs-only commits */
	char id[48];
	char revision[16];
	char prev_revision[16];
	int first_commit;
	int ncommits;
	const char *field;	/* config diff */
	char old_value[16];
	char new_value[16];
	char resource[48];
	const char *change_kind;
	const char *source;
	const char *actor;
	int seq;		/* creation order, the last sort key */
};

struct demo_commit_file {
	const char *path;
	const char *change_type;
	int added;
	int removed;
};

struct demo_commit {
	char sha[41];
	long authored;		/* seconds since the day started; may be < 0 */
	const char *author;
	char message[112];
	struct demo_commit_file files[2];
	int nfiles;
};

struct demo_alert {
	int minute;
	int firing;
	int svc;
	const char *alertname;
	const char *severity;
	const char *summary;
	int seq;
};

struct demo_errline {
	int sec;
	int seq;		/* generation order, to keep the sort stable */
	int svc;
	const struct demo_template *t;
	char msg[192];
};

/* Everything the writer needs; large, so always heap-allocated. */
struct demo_scenario {
	struct demo_rng rng;
	struct demo_fault faults[FAULT_COUNT];
	struct demo_change changes[DEMO_MAX_CHANGES];
	int nchanges;
	struct demo_commit commits[DEMO_MAX_COMMITS];
	int ncommits;
	struct demo_alert alerts[DEMO_MAX_ALERTS];
	int nalerts;
	double series[SVC_METRIC_COUNT][MET_COUNT][DEMO_MINUTES];
	double queue_depth[DEMO_MINUTES];	/* notifications, custom */
	unsigned char restarts[SVC_METRIC_COUNT][DEMO_MINUTES / 5];
	/* 1 within 10 minutes of a fault on that service, 2 near a blip:
	 * blips and random restarts stay off these minutes. */
	unsigned char busy[SVC_METRIC_COUNT][DEMO_MINUTES];
	struct demo_errline errs[DEMO_MAX_ERRLINES];	/* the current minute's */
	int nerrs;
};

int demo_faults_plan(struct demo_scenario *, char **);
int demo_faults_forbids(const struct demo_scenario *, int, int, int);
void demo_faults_apply(struct demo_scenario *);
void demo_faults_errors(struct demo_scenario *, int);
void demo_faults_add_error(struct demo_scenario *, int,
    const struct demo_template *);
const char *demo_faults_name(int);
int demo_faults_symptoms(const struct demo_fault *, int *);

void demo_changes_plan(struct demo_scenario *);

#endif
