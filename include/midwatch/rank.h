/*
 * rank.h - pure, explainable scoring of root-cause hypotheses.  The
 * hypothesize stage establishes facts for each candidate cause (from the
 * incident's evidence and the topology); rank_score() turns them into a score
 * made of signed terms, each with a reason and the evidence it cites, so a
 * report can say why rank 1 beat rank 2.  The formula is in doc/pipeline.md.
 */
#ifndef MIDWATCH_RANK_H
#define MIDWATCH_RANK_H

#include <stddef.h>

#include "midwatch/midwatch.h"

enum rank_type {
	RANK_RELEASE,
	RANK_CONFIG,
	RANK_TRAFFIC,
	RANK_DEPENDENCY,
	RANK_DB,
	RANK_INFRA,
	RANK_UNKNOWN,
	RANK_NTYPES
};

/* Roles of a term, as hypothesis_evidence.role. */
enum rank_role {
	RANK_SUPPORTS,
	RANK_CONTRADICTS,
	RANK_MISSING
};

#define RANK_MAX_TERMS 16
/* A name in the facts: a whole identifier, never cut. */
#define RANK_NAME_SIZE (MW_NAME_MAX + 1)
/* A reason: room for the two names the longest one quotes, whole (it is cut
 * on a character boundary should a number ever not fit). */
#define RANK_WHY_SIZE (2 * MW_NAME_MAX + 160)

/* One signed contribution to a score. */
struct rank_term {
	double points;
	int role;			/* enum rank_role */
	long long evidence_id;		/* cited artifact, 0 when none */
	const char *expected_kind;	/* for RANK_MISSING: the kind looked for */
	char why[RANK_WHY_SIZE];
};

/*
 * What the stage knows about one candidate cause.  Evidence ids (ev_*) are
 * evidence_artifacts ids of the incident, 0 when there is none; names are
 * for the reasons only.
 */
struct rank_facts {
	int type;			/* enum rank_type */
	char subject[RANK_NAME_SIZE];	/* service or dependency the cause names */
	char change_ref[RANK_NAME_SIZE]; /* deploy / config change ext id, or "" */

	/* release and config: the change */
	int has_change;			/* 0: no change was found (release
					 * only: "no deploy before onset") */
	double lead_min;		/* minutes from the change to onset */
	long long ev_change;
	int change_on_anomalous;	/* on a service that shows an anomaly */
	int change_on_first;		/* on the service whose anomaly came first */
	int below_first;		/* a service it calls (transitively) shows a
					 * steady anomaly that began no later than
					 * its own: the trouble comes from below */
	double unexplained;		/* share of the services failing with it
					 * (or before) that do not call it */
	int silent;			/* a database with no data near onset */
	int below_external;		/* an internal dependency that calls an
					 * external one, all else it calls healthy */
	char below[RANK_NAME_SIZE];	/* ... that service */
	long long ev_below;
	double change_later_min;	/* > 0: its service's steady anomaly began
					 * this many minutes after the first one
					 * (downstream of it) */
	int risky;			/* risky files / risky config field */
	char risky_what[RANK_NAME_SIZE]; /* display text, cut on a boundary */
	long long ev_risky;
	int harmless;			/* docs/tests-only deploy, benign config */
	int rollback;
	int new_fp_after;		/* new fingerprint on it after the change */
	double fp_minutes;		/* minutes from change to first occurrence */
	long long ev_fp;
	int fp_explained_by_surge;	/* ... which appeared with a traffic surge */
	int surge_explains;		/* a traffic surge on the service */
	long long ev_surge;

	/* traffic, db, dependency, infra: the anomaly and the topology */
	int onset_order;		/* 2 strictly first, 1 tied first, 0 later */
	double onset_lead_min;		/* minutes ahead of the next anomaly */
	long long ev_anomaly;
	double rate_ratio;		/* traffic: peak / baseline request rate */
	int entry;			/* traffic surge: 1 the entry point (none of
					 * its callers surges, or it has none),
					 * -1 a caller surges too (it passes the
					 * surge on), 0 not known */
	char upstream[RANK_NAME_SIZE];	/* entry -1: the caller that surges;
					 * drop_explained: the neighbour */
	char fed[RANK_NAME_SIZE];	/* entry 1: the service it feeds whose
					 * surge was seen first, when that was
					 * before its own (else empty) */
	long long ev_fed;
	long long ev_upstream;
	int drop_explained;		/* traffic drop: a caller or dependency
					 * shows an anomaly first (a symptom) */
	double share_dependents;	/* share of the other affected services
					 * that (transitively) depend on it */
	int mentioned;			/* callers' new errors name it */
	long long ev_mention;
	int saturated;			/* cpu/memory saturation on it */
	long long ev_saturation;
	int crashloop;
	long long ev_crashloop;
	int external;			/* an external dependency: no metrics */
	char caller[RANK_NAME_SIZE];	/* external: the affected service calling it */
	int caller_deps_healthy;	/* external: the caller's other deps are fine */
	int blames_other;		/* its own errors name one of its dependencies */
	long long ev_blames;
	int near_change;		/* a non-trivial change on an affected service
					 * in the 30 min before onset */
	double near_change_lead;
	long long ev_near_change;
	int any_change;			/* any change on affected services in 3 h */

	/* priors */
	int prior_confirmed;		/* past confirmed root causes, same type and service */
	long long ev_prior;
};

/* The scored hypothesis. */
struct rank_score {
	double score;			/* sum of the terms */
	double confidence;		/* score clamped to [0.01, 0.99] */
	struct rank_term terms[RANK_MAX_TERMS];
	size_t nterms;
};

/* The hypothesis_type name of a type ("release", ...). */
const char *rank_type_name(int type);
/* The type of a name, or -1. */
int rank_type_from_name(const char *name);
/* Scores one candidate. */
void rank_score(const struct rank_facts *f, struct rank_score *out);
/* Orders candidates: higher score first, then type order, subject, ref.
 * Returns <0, 0, >0 like strcmp (for qsort wrappers). */
int rank_compare(const struct rank_facts *fa, const struct rank_score *sa,
    const struct rank_facts *fb, const struct rank_score *sb);

#endif
