/*
 * investigate_int.h - what the files of "investigate a moment" share
 * (investigate.c the run, investigate_score.c the scoring statement and its
 * signals, investigate_cluster.c the call graph, investigate_open.c the
 * incident it opens); not part of any interface.
 */
#ifndef MIDWATCH_INVESTIGATE_INT_H
#define MIDWATCH_INVESTIGATE_INT_H

#include <jansson.h>

#include "midwatch/investigate.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"

struct db_res;

/* ---- the policy ----------------------------------------------------------- */

/* Its numbers: investigate.* in policy.def. */
#define INVESTIGATE_BASE_SECONDS ((long long)POLICY(INV_BASE))
#define INVESTIGATE_BASE_MAX_SECONDS ((int)POLICY(INV_BASE_MAX))
#define INVESTIGATE_BASE_MIN_POINTS ((long long)POLICY(INV_BASE_MIN_POINTS))
#define INVESTIGATE_BASE_REQUIRED ((long long)POLICY(INV_BASE_REQUIRED))
#define INVESTIGATE_MAD_SCALE 1.4826	/* MAD x this estimates sigma */
#define INVESTIGATE_QUANTILE POLICY(INV_QUANTILE)
#define INVESTIGATE_Z_MIN POLICY(INV_Z_MIN)
#define INVESTIGATE_Z_FULL POLICY(INV_Z_FULL)
#define INVESTIGATE_ONSET_SHARE POLICY(INV_ONSET_SHARE)
#define INVESTIGATE_RESTARTS_MIN ((long long)POLICY(INV_RESTARTS_MIN))
#define INVESTIGATE_RESTARTS_RATIO POLICY(INV_RESTARTS_RATIO)
#define INVESTIGATE_COVER_SLACK ((long long)POLICY(INV_COVER_SLACK))
#define INVESTIGATE_FLAP_CYCLES POLICY(INV_FLAP_CYCLES)
#define INVESTIGATE_FLAP_SHARE POLICY(INV_FLAP_SHARE)
#define INVESTIGATE_FLAP_QUALITY POLICY(INV_FLAP_QUALITY)
#define INVESTIGATE_MAX_SIGNALS ((int)POLICY(INV_MAX_SIGNALS))

/* Severity from magnitude (the same cut-offs as detect's, doc/pipeline.md). */
#define INV_SEV_ERR_CRITICAL 0.10	/* error ratio at or above: critical */
#define INV_SEV_ERR_HIGH 0.05		/* ... high */
#define INV_SEV_ERR_MEDIUM 0.02		/* ... medium, else low */
#define INV_SEV_LAT_HIGH 5.0		/* latency x baseline: high */
#define INV_SEV_LAT_MEDIUM 2.0		/* ... medium, else low */
#define INV_SEV_SAT_HIGH 0.95		/* utilisation: high, else medium */
#define INV_SEV_SURGE_HIGH 3.0		/* request rate x baseline: high */
#define INV_SEV_SURGE_MEDIUM 2.0	/* ... medium, else low */
#define INV_SEV_DROP_HIGH 0.3		/* request rate x baseline: high */
#define INV_SEV_DROP_MEDIUM 0.6		/* ... medium, else low */

/* The columns of pipeline/investigate_score read by name: X(column) each,
 * and their numbers in its result (inv_score looks them up once). */
#define INV_SCORE_COLUMNS(X) \
	X(n) X(service_id) X(svc_name) X(metric_name) X(labels_key) X(dir) \
	X(stype) X(zq) X(val) X(baseline) X(vpeak) X(ton) X(tpeak) X(tend) \
	X(nabn) X(na) X(nb) X(med) X(mad) X(scale) X(nseries) X(fmt_val) \
	X(fmt_base) X(counts) X(cycles) X(runpts) X(short_ok) X(lvl_ok)
#define INV_COL_FIELD(x) int x;
struct inv_cols {
	INV_SCORE_COLUMNS(INV_COL_FIELD)
};

/* ---- state ---------------------------------------------------------------- */

/* One investigation: the run's context first, so the stages (which get
 * &pc) and inv_stage (which casts it back) share it. */
struct inv {
	struct pipeline_ctx pc;
	const struct investigate_opts *o;
	struct investigate_result *res;
	double at;
	int window;
	char at_ts[32];		/* RFC 3339 of the moment */
	char key[80];		/* the incident's dedupe_key */
	long long svc_id;	/* --service, 0 for none */
	char svc[24];
	long long reuse_id;	/* the incident that already covers it */
};

/* An abnormal series of the scoring statement. */
struct inv_sig {
	int row;		/* in the result */
	long long svc;
	const char *type;
	double z, q;		/* robust z, quality 0..1 */
	int sev;		/* 0 info .. 4 critical */
	int flapping;		/* cycles in and out of abnormal */
	int spike;		/* far out only at isolated minutes */
	int fed;		/* traffic with a caller whose traffic shifts
				 * too: not where a surge enters */
	int keep;		/* in the main service's cluster */
};

/* What the scoring found, and what of it the incident keeps
 * (investigate_score.c fills the first part, investigate_open.c the rest). */
struct inv_found {
	struct db_res *r;	/* the scoring statement's rows */
	struct inv_cols c;	/* ... its columns */
	struct inv_sig *sg;	/* its abnormal series, n of them */
	int n;
	long long scored;	/* series scored */
	struct inv_sig *top;	/* the strongest kept */
	long long mainsvc;	/* the main service (id), 0 for none */
	json_t *rows;		/* the kept signals, for the INSERT */
	json_t *elsewhere;	/* names of abnormal services left out */
	int kept, nsvc, sev;	/* signals and services kept, top severity */
};

/* investigate_score.c: runs the scoring statement (pipeline/investigate_score)
 * into f->r (its columns in f->c) and makes its abnormal series f->sg (f->n,
 * f->scored); 0, or -1 with *cause. */
int inv_score(struct inv *v, struct inv_found *f, char **cause);

/* How strong a signal is, as the gate ranks a trigger. */
double inv_strength(const struct inv_sig *s);

/* Whether a is kept before b under the signal cap. */
int inv_keep_before(const struct inv_sig *a, const struct inv_sig *b);

/* A number / text column as JSON (null when NULL; new reference). */
json_t *inv_jnum(const struct db_res *r, int row, int col);
json_t *inv_jstr(const struct db_res *r, int row, int col);

/* investigate_cluster.c: marks keep on the signals joined to mainsvc by a
 * call path, and fed on traffic a shifting caller feeds. */
int inv_cluster(struct inv *v, struct inv_sig *sg, int n, long long mainsvc,
    char **cause);

/* investigate_open.c: scores the moment, writes the incident, its decision
 * and signals; and the audit entry of an investigation. */
int inv_open(struct inv *v, char **cause);
int inv_audit(struct inv *v, long long incident, char **cause);

#endif
