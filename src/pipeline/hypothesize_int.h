/*
 * hypothesize_int.h - what the files of the hypothesize stage share
 * (stage_hypothesize.c loads an incident and writes its hypotheses,
 * hypothesize_candidates.c proposes the candidates, hypothesize_facts.c
 * establishes the facts they have in common); not part of any interface.
 */
#ifndef MIDWATCH_HYPOTHESIZE_INT_H
#define MIDWATCH_HYPOTHESIZE_INT_H

#include <jansson.h>

#include "midwatch/midwatch.h"
#include "midwatch/rank.h"

struct db_res;

/* Its numbers: hypothesize.* and rank.* in policy.def. */

/* An evidence artifact of the incident. */
struct hev {
	long long id;
	const char *kind;
	const char *ref;
	long long svc;
	double at;		/* observed_at, epoch */
	json_t *meta;
};

/* A service of the project, with what the incident's evidence says of it. */
struct hsvc {
	long long id;
	const char *name;
	const char *tier;
	double onset;		/* earliest steady metric anomaly, NAN if none */
	double onset_step;	/* its series' step: it began at most this
				 * long before onset */
	long long ev_anomaly;	/* the artifact of that anomaly (or of a
				 * flapping/weak one when it has no other) */
	long long ev_sat, ev_crash;
	int affected;
	int call_symptom;	/* errors or latency: what a failing
				 * dependency does to its callers */
	int is_db;
	int silent;		/* a database with no data near the incident's
				 * start: its callers are all there is to judge */
};

/* A dependency edge. */
struct hedge {
	long long from, to;	/* to: 0 when the target is not a service */
	const char *to_name;
	const char *kind;
};

/* A scored candidate cause. */
struct hcand {
	struct rank_facts f;
	struct rank_score s;
	long long service_id;	/* 0: NULL */
	char ref[RANK_NAME_SIZE];	/* "" : NULL; a whole identifier */
	char title[3 * MW_NAME_MAX + 64];	/* up to three names, whole */
	char key[MW_NAME_MAX + 64];	/* type:service_id:ref, never cut */
	int status_class;	/* -1 the confirmed root cause, 0 confirmed,
				 * 1 proposed, 2 rejected */
	int order;
};

/* Everything known about one incident. */
struct hinc {
	long long id;
	long long svc;
	double onset;
	struct hev *ev;
	int nev;
	struct hsvc *svcs;
	int nsvcs;
	struct hedge *edges;
	int nedges;
	struct db_res *prior;
	struct hcand *c;
	int nc;
};

/* hypothesize_facts.c: members of a JSON object (NAN, 0, 0, "" when
 * absent), a service by id (NULL; its name "?" when unknown). */
double hyp_jnum(json_t *o, const char *k);
long long hyp_jint(json_t *o, const char *k);
int hyp_jbool(json_t *o, const char *k);
const char *hyp_jstr(json_t *o, const char *k);
struct hsvc *hyp_svc_get(struct hinc *h, long long id);
const char *hyp_svc_name(struct hinc *h, long long id);

/* hypothesize_facts.c: the candidates (appended zeroed, type set; the key
 * type:service_id:ref) and the facts several kinds share. */
int hyp_reaches(const struct hinc *h, long long a, long long b);
struct hcand *hyp_cand_new(struct hinc *h, int type);
void hyp_cand_key(struct hcand *c);
int hyp_change_trivial(const struct hev *e);
void hyp_change_context(struct hinc *h, struct rank_facts *f,
    const struct hev *skip);
int hyp_blames_affected(struct hinc *h, const struct hsvc *me);
int hyp_onset_order(struct hinc *h, long long id, double *lead_min);
void hyp_below_first(struct hinc *h, long long svc, struct rank_facts *f);
double hyp_dependents_share(struct hinc *h, const struct hsvc *s);
double hyp_unexplained_share(struct hinc *h, const struct hsvc *s);
long long hyp_fp_naming(struct hinc *h, long long svc, const char *name);
long long hyp_named_by_others(struct hinc *h, const struct hsvc *s);
void hyp_prior_facts(struct hinc *h, struct hcand *c);
struct hev *hyp_surge_on(struct hinc *h, long long svc);

/* hypothesize_candidates.c: the candidates of each kind. */
void hyp_add_change(struct hinc *h, struct hev *e, int type);
void hyp_add_no_release(struct hinc *h);
void hyp_add_traffic(struct hinc *h);
void hyp_add_topology(struct hinc *h);
void hyp_add_external(struct hinc *h);
void hyp_add_infra(struct hinc *h);
void hyp_add_unknown(struct hinc *h);

#endif
