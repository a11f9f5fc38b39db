/*
 * gate_int.h - what the files of the gate stage share (stage_gate.c loads
 * the signals and runs the stage, gate_group.c groups them into candidates,
 * gate_decide.c judges a candidate, gate_write.c writes its incident and
 * decision); not part of any interface.
 */
#ifndef MIDWATCH_GATE_INT_H
#define MIDWATCH_GATE_INT_H

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/midwatch.h"

struct db_res;
struct pipeline_ctx;

/* One signal in scope, with its row in the loaded result. */
struct gsig {
	int row;
	long long id;
	long long svc;			/* 0: none */
	int sev;			/* 0 info .. 4 critical */
	double q;
	double onset, end;		/* end: ended_at, or the window end */
	int flapping;
	int active;			/* not flapping nor a spike, quality not
					 * below watch */
	int anchor;			/* may anchor an incident (anchors()) */
	int loose;			/* no anchor near: joins other such signals */
	long long incident;		/* incident of an earlier decision, or 0 */
	int group;			/* union-find parent */
};

/* The columns of pipeline/gate_signals read by name: X(column) each. */
#define GATE_SIGNAL_COLUMNS(X) \
	X(id) X(signal_type) X(service_id) X(svc_name) X(metric_name) X(ref) \
	X(severity) X(quality_score) X(onset) X(ended) X(baseline) \
	X(peak_value) X(flapping) X(message) X(alertname) X(checks) \
	X(dedupe_key) X(funnel) X(revenue_low) X(revenue_high) X(incident_id) \
	X(spike) X(blind)
#define GATE_COL_FIELD(x) int x;
/* A loaded signal's column col (by name) in row: text (NULL for SQL NULL),
 * number. */
#define GATE_TEXT(r, row, col) db_res_get((r)->res, (row), (r)->c.col)
#define GATE_NUM(r, row, col) db_res_f((r)->res, (row), (r)->c.col)

/* The loaded signals: the result of pipeline/gate_signals and the numbers
 * of its columns (looked up once, stage_gate.c). */
struct gate_rows {
	struct db_res *res;
	struct gate_cols {
		GATE_SIGNAL_COLUMNS(GATE_COL_FIELD)
	} c;
};

/* The reachability pairs (caller, callee) among services. */
struct reach {
	long long *from, *to;
	int n;
};

/* A candidate: a group of signals that may become an incident. */
struct cand {
	int *members;			/* indexes into the signal array */
	int n;
	int main;			/* index of the strongest signal */
	double onset, end;		/* onset: the first anchoring signal's
					 * (any member's when none anchors) */
	double anchor;			/* earliest anchoring onset, or INFINITY */
	long long anchor_svc;		/* ... its service (0: none) */
	int sev;
	long long ids_first;		/* for ordering */
};

/* The context of the decision on one candidate. */
struct verdict {
	json_t *reasons;		/* array of reason names */
	struct buf why;			/* rationale text */
	long long dup_of;
};

/* Counts of the stage. */
struct gate_counts {
	long long candidates, approved, suppressed;
	long long reasons[4];		/* flapping, maintenance, duplicate, below */
	long long reopened;
};

/* gate_group.c: call paths between services, the grouping of the
 * signals (union-find in g[].group) and the candidates it makes. */
int gate_reach_has(const struct reach *r, long long a, long long b);
int gate_reach_load(struct pipeline_ctx *ctx, const char *svcs,
    struct reach *rc,
    char **cause);
void gate_group_signals(struct gsig *g, int n, const struct reach *reach);
struct cand *gate_collect_candidates(const struct gate_rows *r, struct gsig *g,
    int n, int *nc);

/* gate_decide.c: a candidate's title, strength, anchors, array literals of
 * its signals and services, its incident's key, decision and impact. */
char *gate_make_title(const struct gate_rows *r, int row, int nsvc);
double gate_strength(const struct gate_rows *r, const struct gsig *s);
int gate_corroborates(const struct gate_rows *r, int i);
int gate_anchors(const struct gate_rows *r, const struct gsig *s);
void gate_ids_literal(struct buf *b, const struct gsig *g,
    const struct cand *c);
int gate_svcs_literal(struct buf *b, const struct gsig *g,
    const struct cand *c);
char *gate_existing_key(struct pipeline_ctx *ctx, const char *ids,
    const char *main_svc,
    const char *anchor_svc, double onset, double end, json_t *used,
    int *recurs, char **cause, int *err);
char *gate_fresh_key(const struct gsig *m, const struct cand *c, json_t *used);
void gate_verdict_add(struct verdict *v, const char *reason, const char *fmt,
    ...);
int gate_decide(struct pipeline_ctx *ctx, const struct gate_rows *r,
    const struct gsig *g,
    const struct cand *c, const char *ids, const char *key, struct verdict *v,
    char **cause);
int gate_impact(struct pipeline_ctx *ctx, const char *svcs, double onset,
    double end,
    double *low, double *high, char **cause);

/* gate_write.c: whether a candidate reopens a resolved incident; writes
 * one candidate's incident, decision and signal links. */
int gate_reopens(struct pipeline_ctx *ctx, const struct gate_rows *r, int row,
    const char *key, double latest, char **why, char **cause);
int gate_write_candidate(struct pipeline_ctx *ctx, const struct gate_rows *r,
    struct gsig *g, struct cand *c, json_t *used, struct gate_counts *gc,
    char **cause);

#endif
