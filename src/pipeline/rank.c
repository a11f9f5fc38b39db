/*
 * rank.c - the hypothesis score (see rank.h and doc/pipeline.md): a small
 * prior per type plus signed terms for each fact, every term with a reason
 * and the evidence it cites.  Pure: no database, no allocation.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "midwatch/midwatch.h"
#include "midwatch/policy.h"
#include "midwatch/rank.h"
#include "midwatch/utf8.h"

static const char *const type_names[RANK_NTYPES] = {
	"release", "config", "traffic", "dependency", "db", "infra", "unknown"
};


/* Returns the name of type. */
const char *
rank_type_name(int type)
{
	if (type < 0 || type >= RANK_NTYPES)
		return "unknown";
	return type_names[type];
}

/* Returns the type called name, or -1. */
int
rank_type_from_name(const char *name)
{
	int i;

	for (i = 0; i < RANK_NTYPES; i++)
		if (name != NULL && strcmp(name, type_names[i]) == 0)
			return i;
	return -1;
}

/* Appends a term (silently ignored past RANK_MAX_TERMS). */
static void MW_PRINTF(5, 6)
term(struct rank_score *s, double points, int role, long long ev,
    const char *fmt, ...)
{
	struct rank_term *t;
	va_list ap;

	if (s->nterms >= RANK_MAX_TERMS)
		return;
	t = &s->terms[s->nterms++];
	t->points = points;
	t->role = role;
	t->evidence_id = ev;
	t->expected_kind = NULL;
	va_start(ap, fmt);
	utf8_vsnprintf(t->why, sizeof t->why, fmt, ap);
	va_end(ap);
	s->score += points;
}

/* Appends a "missing" term: evidence the cause predicts, not found. */
static void
missing(struct rank_score *s, double points, const char *kind, const char *why)
{
	term(s, points, RANK_MISSING, 0, "%s", why);
	if (s->nterms > 0 && s->terms[s->nterms - 1].role == RANK_MISSING)
		s->terms[s->nterms - 1].expected_kind = kind;
}

/* The arguments of "%.0f min %s onset": a change is at most
 * evidence.change_after past onset (onsets are known to within a step). */
#define LEAD_ARGS(l) fabs(l), (l) > -0.5 ? "before" : "after"

/* Points for how close a change came before onset. */
static double
lead_points(double lead)
{
	if (lead <= 15)
		return POLICY(RANK_LEAD_15);
	if (lead <= 30)
		return POLICY(RANK_LEAD_30);
	if (lead <= 60)
		return POLICY(RANK_LEAD_60);
	if (lead <= 120)
		return POLICY(RANK_LEAD_120);
	return POLICY(RANK_LEAD_OLDER);
}

/* The term of a dependency failing first, below the subject. */
static void
below_terms(const struct rank_facts *f, struct rank_score *s)
{
	if (f->below_first)
		term(s, POLICY(RANK_BELOW_FIRST), RANK_CONTRADICTS, f->ev_below,
		    "%s calls %s, whose anomaly began no later: the trouble "
		    "comes from below", f->subject, f->below);
	else if (f->below_external)
		term(s, POLICY(RANK_BELOW_EXTERNAL), RANK_CONTRADICTS, f->ev_below,
		    "%s calls %s, which has no metrics to judge it by: its "
		    "failure would look the same", f->subject, f->below);
}

/* Terms of a deploy or config change. */
static void
score_change(const struct rank_facts *f, struct rank_score *s)
{
	const char *what = f->type == RANK_RELEASE ? "deploy" : "config change";

	if (!f->has_change) {
		missing(s, 0, f->type == RANK_RELEASE ? "deployment" :
		    "config_change", f->type == RANK_RELEASE ?
		    "no deploy on the affected services in the 3 h before onset" :
		    "no config change on the affected services in the 3 h before "
		    "onset");
		return;
	}
	term(s, lead_points(f->lead_min), RANK_SUPPORTS, f->ev_change,
	    "%s %s on %s %.0f min %s onset", what, f->change_ref, f->subject,
	    LEAD_ARGS(f->lead_min));
	/* A harmless change (docs/tests only, logging, a scale-up) cannot
	 * break anything: where it happened does not speak for it. */
	if (f->change_on_anomalous && !f->harmless)
		term(s, POLICY(RANK_CHANGE_AFFECTED), RANK_SUPPORTS, f->ev_change,
		    "%s is one of the affected services", f->subject);
	else if (!f->change_on_anomalous)
		term(s, POLICY(RANK_CHANGE_UNAFFECTED), RANK_CONTRADICTS,
		    f->ev_change, "%s itself shows no anomaly", f->subject);
	if (f->change_on_first && !f->harmless)
		term(s, POLICY(RANK_CHANGE_FIRST), RANK_SUPPORTS, f->ev_change,
		    "%s showed the first anomaly", f->subject);
	else if (f->change_later_min >= 2)
		term(s, POLICY(RANK_CHANGE_LATER), RANK_CONTRADICTS, f->ev_change,
		    "%s's anomaly began %.0f min after the first one: downstream "
		    "of it", f->subject, f->change_later_min);
	below_terms(f, s);
	/* Who depends on a service that shows nothing says nothing. */
	if (f->share_dependents > 0 && !f->harmless && f->change_on_anomalous)
		term(s, POLICY(RANK_SHARE_DEPENDENTS) * f->share_dependents,
		    RANK_SUPPORTS, f->ev_change,
		    "%.0f%% of the other affected services depend on %s",
		    100 * f->share_dependents, f->subject);
	if (f->unexplained >= POLICY(RANK_UNEXPLAINED_MIN) && !f->harmless)
		term(s, POLICY(RANK_UNEXPLAINED) * f->unexplained,
		    RANK_CONTRADICTS, f->ev_change, "%.0f%% of the services that "
		    "failed with %s do not call it: the change cannot explain "
		    "them", 100 * f->unexplained, f->subject);
	if (f->risky)
		term(s, POLICY(RANK_RISKY), RANK_SUPPORTS, f->ev_risky != 0 ?
		    f->ev_risky :
		    f->ev_change, "risky change: %s", f->risky_what);
	if (f->harmless)
		term(s, POLICY(RANK_HARMLESS), RANK_CONTRADICTS, f->ev_change, "%s",
		    f->type == RANK_RELEASE ? "the deploy only changed docs/tests: "
		    "where it happened does not speak for it" :
		    "the change is benign (logging, scale-up): where it happened "
		    "does not speak for it");
	if (f->rollback)
		term(s, POLICY(RANK_ROLLBACK), RANK_CONTRADICTS, f->ev_change,
		    "the deploy is a rollback");
	if (f->new_fp_after && (f->below_first || f->blames_other))
		term(s, POLICY(RANK_FP_FROM_BELOW), RANK_SUPPORTS, f->ev_fp,
		    "a new error fingerprint appeared %.0f min after the %s, "
		    "but its dependencies explain it as well", f->fp_minutes,
		    what);
	else if (f->new_fp_after && f->fp_explained_by_surge)
		term(s, POLICY(RANK_FP_WITH_SURGE), RANK_SUPPORTS, f->ev_fp,
		    "a new error fingerprint appeared %.0f min after the %s, "
		    "but with the traffic surge", f->fp_minutes, what);
	else if (f->new_fp_after)
		term(s, POLICY(RANK_FP_AFTER), RANK_SUPPORTS, f->ev_fp,
		    "new error fingerprint %.0f min after the %s", f->fp_minutes,
		    what);
	else
		missing(s, POLICY(RANK_NO_FP), "error_fingerprint",
		    "no new error fingerprint after the change");
	if (f->surge_explains)
		term(s, POLICY(RANK_SURGE_EXPLAINS), RANK_CONTRADICTS, f->ev_surge,
		    "a traffic surge on %s explains the symptoms", f->subject);
	if (f->blames_other)
		term(s, POLICY(RANK_BLAMES_OTHER), RANK_CONTRADICTS, f->ev_blames,
		    "%s's own errors blame one of its dependencies", f->subject);
}

/* Terms shared by causes located by the anomalies' order and topology. */
static void
score_topology(const struct rank_facts *f, struct rank_score *s)
{
	if (f->external) {
		if (f->onset_order == 2)
			term(s, POLICY(RANK_EXT_CALLER_FIRST), RANK_SUPPORTS,
			    f->ev_anomaly, "its caller %s shows the first anomaly",
			    f->caller);
		else if (f->onset_order == 1)
			term(s, POLICY(RANK_EXT_CALLER_TIED), RANK_SUPPORTS,
			    f->ev_anomaly, "its caller %s is among the first "
			    "anomalies", f->caller);
		if (f->mentioned)
			term(s, POLICY(RANK_EXT_MENTIONED), RANK_SUPPORTS,
			    f->ev_mention, "errors of %s name %s", f->caller,
			    f->subject);
		else
			missing(s, POLICY(RANK_EXT_NOT_MENTIONED),
			    "error_fingerprint", "no error names the dependency");
		if (f->caller_deps_healthy)
			term(s, POLICY(RANK_EXT_DEPS_HEALTHY), RANK_SUPPORTS,
			    f->ev_anomaly,
			    "%s's other dependencies are healthy", f->caller);
		if (f->share_dependents > 0)
			term(s, POLICY(RANK_SHARE_DEPENDENTS) *
			    f->share_dependents, RANK_SUPPORTS, f->ev_anomaly,
			    "%.0f%% of the affected services call %s",
			    100 * f->share_dependents, f->subject);
		missing(s, 0, "metric_anomaly",
		    "an external dependency has no metrics of its own");
	} else {
		if (f->silent)
			missing(s, 0, "metric_anomaly", "no data around onset to "
			    "judge it by: its callers speak for it");
		else if (f->onset_order == 2)
			term(s, POLICY(RANK_ORDER_FIRST), RANK_SUPPORTS,
			    f->ev_anomaly, "%s's anomaly came first (%.0f min "
			    "ahead)", f->subject, f->onset_lead_min);
		else if (f->onset_order == 1)
			term(s, POLICY(RANK_ORDER_TIED), RANK_SUPPORTS,
			    f->ev_anomaly, "%s's anomaly started with the others",
			    f->subject);
		else
			term(s, POLICY(RANK_ORDER_LATER), RANK_CONTRADICTS,
			    f->ev_anomaly, "%s's anomaly came after others",
			    f->subject);
		if (f->share_dependents > 0)
			term(s, POLICY(RANK_SHARE_DEPENDENTS) * f->share_dependents,
			    RANK_SUPPORTS,
			    f->ev_anomaly, "%.0f%% of the other affected services "
			    "depend on %s", 100 * f->share_dependents, f->subject);
		if (f->mentioned)
			term(s, POLICY(RANK_MENTIONED), RANK_SUPPORTS,
			    f->ev_mention, "callers' errors name %s", f->subject);
		if (f->saturated)
			term(s, POLICY(RANK_SATURATED_DEP), RANK_SUPPORTS,
			    f->ev_saturation, "%s is saturated", f->subject);
		if (f->blames_other)
			term(s, POLICY(RANK_BLAMES_OTHER), RANK_CONTRADICTS,
			    f->ev_blames,
			    "%s's own errors blame one of its dependencies",
			    f->subject);
		below_terms(f, s);
	}
	if (!f->any_change)
		term(s, POLICY(RANK_NO_CHANGE), RANK_SUPPORTS, 0,
		    "no deploy or config change on the affected services in the "
		    "3 h before onset");
	else if (f->near_change)
		term(s, POLICY(RANK_NEAR_CHANGE_DEP), RANK_CONTRADICTS,
		    f->ev_near_change, "a change %.0f min %s onset is a "
		    "likelier cause", LEAD_ARGS(f->near_change_lead));
}

/* Terms of a traffic surge or drop. */
static void
score_traffic(const struct rank_facts *f, struct rank_score *s)
{
	int surge = f->rate_ratio >= 1;

	if (f->onset_order == 2 && f->fed[0] != '\0')
		term(s, POLICY(RANK_TRAFFIC_FIRST), RANK_SUPPORTS, f->ev_fed,
		    "the traffic surge is the first anomaly (seen first on %s, "
		    "which it feeds)", f->fed);
	else if (f->onset_order == 2)
		term(s, POLICY(RANK_TRAFFIC_FIRST), RANK_SUPPORTS, f->ev_anomaly,
		    "the traffic %s is the first anomaly", surge ? "surge" : "drop");
	else if (f->onset_order == 1 && f->fed[0] != '\0')
		term(s, POLICY(RANK_TRAFFIC_TIED), RANK_SUPPORTS, f->ev_fed,
		    "the traffic surge starts with the other anomalies (seen "
		    "first on %s, which it feeds)", f->fed);
	else if (f->onset_order == 1)
		term(s, POLICY(RANK_TRAFFIC_TIED), RANK_SUPPORTS, f->ev_anomaly,
		    "the traffic %s starts with the other anomalies",
		    surge ? "surge" : "drop");
	else
		term(s, POLICY(RANK_TRAFFIC_LATER), RANK_SUPPORTS, f->ev_anomaly,
		    "the traffic %s follows other anomalies",
		    surge ? "surge" : "drop");
	if (surge && f->rate_ratio >= 2)
		term(s, POLICY(RANK_TRAFFIC_2X), RANK_SUPPORTS, f->ev_anomaly,
		    "request rate %.1fx baseline", f->rate_ratio);
	else if (surge && f->rate_ratio >= 1.4)
		term(s, POLICY(RANK_TRAFFIC_14X), RANK_SUPPORTS, f->ev_anomaly,
		    "request rate %.1fx baseline", f->rate_ratio);
	else if (!surge && f->rate_ratio <= 0.5)
		term(s, POLICY(RANK_TRAFFIC_HALF), RANK_SUPPORTS, f->ev_anomaly,
		    "request rate down to %.0f%% of baseline", 100 * f->rate_ratio);
	if (surge && f->saturated)
		term(s, POLICY(RANK_TRAFFIC_SATURATES), RANK_SUPPORTS,
		    f->ev_saturation,
		    "%s saturates under the load", f->subject);
	if (surge && f->entry > 0)
		term(s, POLICY(RANK_TRAFFIC_ENTRY), RANK_SUPPORTS, f->ev_anomaly,
		    "%s is where the surge enters: none of its callers surges",
		    f->subject);
	else if (surge && f->entry < 0)
		term(s, POLICY(RANK_TRAFFIC_PASSES), RANK_CONTRADICTS,
		    f->ev_upstream,
		    "its caller %s surges too: the surge passes through",
		    f->upstream);
	if (!surge && f->drop_explained)
		term(s, POLICY(RANK_TRAFFIC_DROP_EXPLAINED), RANK_CONTRADICTS,
		    f->ev_upstream,
		    "the drop follows an anomaly on %s, a neighbour in the call "
		    "graph: a symptom", f->upstream);
	if (f->near_change)
		term(s, POLICY(RANK_NEAR_CHANGE_TRAFFIC), RANK_CONTRADICTS,
		    f->ev_near_change, "a change %.0f min %s onset",
		    LEAD_ARGS(f->near_change_lead));
}

/* Terms of saturation or crash loops without a traffic cause. */
static void
score_infra(const struct rank_facts *f, struct rank_score *s)
{
	if (f->crashloop)
		term(s, POLICY(RANK_CRASHLOOP), RANK_SUPPORTS, f->ev_crashloop,
		    "%s is restarting repeatedly", f->subject);
	if (f->saturated)
		term(s, POLICY(RANK_SATURATED), RANK_SUPPORTS, f->ev_saturation,
		    "%s is saturated", f->subject);
	if (f->onset_order == 2)
		term(s, POLICY(RANK_INFRA_FIRST), RANK_SUPPORTS, f->ev_anomaly,
		    "%s's anomaly came first (%.0f min ahead)", f->subject,
		    f->onset_lead_min);
	else if (f->onset_order == 1)
		term(s, POLICY(RANK_ORDER_TIED), RANK_SUPPORTS, f->ev_anomaly,
		    "%s's anomaly started with the others", f->subject);
	if (f->share_dependents > 0)
		term(s, POLICY(RANK_SHARE_DEPENDENTS) * f->share_dependents,
		    RANK_SUPPORTS, f->ev_anomaly,
		    "%.0f%% of the other affected services depend on %s",
		    100 * f->share_dependents, f->subject);
	if (f->mentioned)
		term(s, POLICY(RANK_MENTIONED), RANK_SUPPORTS, f->ev_mention,
		    "callers' errors name %s", f->subject);
	below_terms(f, s);
	if (f->surge_explains)
		term(s, POLICY(RANK_SURGE_EXPLAINS), RANK_CONTRADICTS, f->ev_surge,
		    "a traffic surge explains the load on %s", f->subject);
	if (f->near_change)
		term(s, POLICY(RANK_NEAR_CHANGE_INFRA), RANK_CONTRADICTS,
		    f->ev_near_change,
		    "a change %.0f min %s onset",
		    LEAD_ARGS(f->near_change_lead));
}

/* Scores one candidate (see rank.h). */
void
rank_score(const struct rank_facts *f, struct rank_score *out)
{
	int type = f->type >= 0 && f->type < RANK_NTYPES ? f->type : RANK_UNKNOWN;

	memset(out, 0, sizeof *out);
	term(out, type == RANK_UNKNOWN ? POLICY(RANK_PRIOR_UNKNOWN) :
	    POLICY(RANK_PRIOR), RANK_SUPPORTS, 0, "prior for %s",
	    type_names[type]);
	switch (type) {
	case RANK_RELEASE:
	case RANK_CONFIG:
		score_change(f, out);
		break;
	case RANK_TRAFFIC:
		score_traffic(f, out);
		break;
	case RANK_DB:
	case RANK_DEPENDENCY:
		score_topology(f, out);
		break;
	case RANK_INFRA:
		score_infra(f, out);
		break;
	default:
		missing(out, 0, "deployment",
		    "no cause scored higher than the fallback");
		break;
	}
	if (f->prior_confirmed > 0 && type != RANK_UNKNOWN)
		term(out, POLICY(RANK_PRIOR_CONFIRMED) *
		    (f->prior_confirmed > 2 ? 2 : f->prior_confirmed),
		    RANK_SUPPORTS, f->ev_prior,
		    "confirmed root cause of %d past incident(s) of the same kind",
		    f->prior_confirmed);
	out->confidence = out->score < 0.01 ? 0.01 :
	    out->score > 0.99 ? 0.99 : out->score;
}

/* Orders two scored candidates, best first. */
int
rank_compare(const struct rank_facts *fa, const struct rank_score *sa,
    const struct rank_facts *fb, const struct rank_score *sb)
{
	int c;

	if (sa->score > sb->score + 1e-9)
		return -1;
	if (sb->score > sa->score + 1e-9)
		return 1;
	if (fa->type != fb->type)
		return fa->type < fb->type ? -1 : 1;
	if ((c = strcmp(fa->subject, fb->subject)) != 0)
		return c;
	return strcmp(fa->change_ref, fb->change_ref);
}
