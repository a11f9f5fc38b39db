/*
 * model_json.c - the `midwatch incidents --json` document (the contract of
 * doc/interfaces.md): an array of incidents with their decision, hypotheses
 * and cited evidence, recommendations and alerts.  The contract fields come
 * first in every object, in the order doc/interfaces.md lists them; fields
 * added later follow them (and are added to its table, which
 * tests/pipeline/test_contract.sh checks).  Never rename or drop one.
 */
#include "config.h"

#include <jansson.h>
#include <math.h>

#include "midwatch/model.h"
#include "midwatch/timefmt.h"

/* A string or JSON null (new reference; model.h). */
json_t *
model_json_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* An RFC 3339 UTC timestamp, or null for 0 (new reference; model.h). */
json_t *
model_json_time(double t)
{
	char buf[32];

	if (t == 0)
		return json_null();
	timefmt_format(t, buf, sizeof buf);
	return json_string(buf);
}

/* A real, or null when not finite (new reference). */
static json_t *
model_json_real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* An id (integer), or null for 0 (new reference). */
static json_t *
model_json_id(long long id)
{
	return id != 0 ? json_integer(id) : json_null();
}

/* One cited evidence entry. */
static json_t *
model_json_evidence(const struct mw_evidence *e)
{
	json_t *o = json_object();

	/* Contract: id, kind, role, summary.  id is null only for a "missing"
	 * entry, which names evidence that was looked for and not found. */
	json_object_set_new(o, "id", model_json_id(e->id));
	json_object_set_new(o, "kind", model_json_str(e->kind));
	json_object_set_new(o, "role", model_json_str(e->role));
	json_object_set_new(o, "summary", model_json_str(e->summary));
	json_object_set_new(o, "source", model_json_str(e->source));
	json_object_set_new(o, "ref", model_json_str(e->ref));
	json_object_set_new(o, "weight", model_json_real(e->weight));
	return o;
}

/* One hypothesis with its evidence. */
static json_t *
model_json_hypothesis(const struct mw_hypothesis *h)
{
	json_t *o = json_object(), *ev = json_array();
	size_t i;

	json_object_set_new(o, "id", json_integer(h->id));
	json_object_set_new(o, "rank", json_integer(h->rank));
	json_object_set_new(o, "type", model_json_str(h->type));
	json_object_set_new(o, "service", model_json_str(h->service));
	json_object_set_new(o, "title", model_json_str(h->title));
	json_object_set_new(o, "confidence", model_json_real(h->confidence));
	json_object_set_new(o, "ref", model_json_str(h->ref));
	for (i = 0; i < h->n_evidence; i++)
		json_array_append_new(ev, model_json_evidence(&h->evidence[i]));
	json_object_set_new(o, "evidence", ev);
	json_object_set_new(o, "status", model_json_str(h->status));
	json_object_set_new(o, "root_cause", json_boolean(h->is_root_cause));
	json_object_set_new(o, "why", model_json_str(h->why));
	return o;
}

/* One recommendation. */
static json_t *
model_json_recommendation(const struct mw_recommendation *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "type", model_json_str(r->type));
	json_object_set_new(o, "title", model_json_str(r->title));
	json_object_set_new(o, "status", model_json_str(r->status));
	json_object_set_new(o, "publishable", json_boolean(r->publishable));
	json_object_set_new(o, "hypothesis_id", model_json_id(r->hypothesis_id));
	json_object_set_new(o, "evidence_count", json_integer(r->evidence_count));
	json_object_set_new(o, "gate_status", model_json_str(r->gate_status));
	json_object_set_new(o, "gate_reason", model_json_str(r->gate_reason));
	json_object_set_new(o, "expected_impact",
	    model_json_str(r->expected_impact));
	return o;
}

/* One alert. */
static json_t *
model_json_alert(const struct mw_alert *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(a->id));
	json_object_set_new(o, "title", model_json_str(a->title));
	json_object_set_new(o, "severity", model_json_str(a->severity));
	json_object_set_new(o, "status", model_json_str(a->status));
	json_object_set_new(o, "service", model_json_str(a->service));
	json_object_set_new(o, "rule", model_json_str(a->rule));
	json_object_set_new(o, "fired_at", model_json_time(a->last_fired_at));
	json_object_set_new(o, "acknowledged_by", model_json_str(a->acked_by));
	json_object_set_new(o, "silenced_until",
	    model_json_time(a->silenced_until));
	return o;
}

/* One incident with everything attached. */
static json_t *
model_json_incident(const struct mw_incident *inc)
{
	json_t *o = json_object(), *d = json_object(), *a, *impact;
	size_t i;

	json_object_set_new(o, "id", json_integer(inc->id));
	json_object_set_new(o, "service", model_json_str(inc->service));
	json_object_set_new(o, "status", model_json_str(inc->status));
	json_object_set_new(o, "severity", model_json_str(inc->severity));
	json_object_set_new(o, "trigger_type", model_json_str(inc->trigger_type));
	json_object_set_new(o, "window_start", model_json_time(inc->window_start));
	json_object_set_new(o, "window_end", model_json_time(inc->window_end));
	json_object_set_new(d, "decision", model_json_str(inc->decision));
	json_object_set_new(d, "rationale", model_json_str(inc->rationale));
	json_object_set_new(d, "policy_version",
	    model_json_str(inc->policy_version));
	json_object_set_new(o, "decision", d);

	a = json_array();
	for (i = 0; i < inc->n_hypotheses; i++)
		json_array_append_new(a,
		    model_json_hypothesis(&inc->hypotheses[i]));
	json_object_set_new(o, "hypotheses", a);
	a = json_array();
	for (i = 0; i < inc->n_recommendations; i++)
		json_array_append_new(a,
		    model_json_recommendation(&inc->recommendations[i]));
	json_object_set_new(o, "recommendations", a);
	a = json_array();
	for (i = 0; i < inc->n_alerts; i++)
		json_array_append_new(a, model_json_alert(&inc->alerts[i]));
	json_object_set_new(o, "alerts", a);

	/* Added fields. */
	json_object_set_new(o, "title", model_json_str(inc->title));
	json_object_set_new(o, "confidence", model_json_real(inc->confidence));
	if (inc->has_impact) {
		impact = json_object();
		json_object_set_new(impact, "low", model_json_real(inc->impact_low));
		json_object_set_new(impact, "high",
		    model_json_real(inc->impact_high));
		json_object_set_new(impact, "unit", model_json_str(inc->impact_unit));
	} else
		impact = json_null();
	json_object_set_new(o, "impact", impact);
	json_object_set_new(o, "root_cause_hypothesis_id",
	    model_json_id(inc->root_cause_hypothesis_id));
	json_object_set_new(o, "created_at", model_json_time(inc->created_at));
	if (inc->resolved_at != 0) {
		d = json_object();
		json_object_set_new(d, "resolved_at",
		    model_json_time(inc->resolved_at));
		json_object_set_new(d, "resolved_by",
		    model_json_str(inc->resolved_by));
		json_object_set_new(d, "summary", model_json_str(inc->resolution));
		json_object_set_new(d, "data_time",
		    model_json_time(inc->resolved_data_at));
	} else
		d = json_null();
	json_object_set_new(o, "resolution", d);
	return o;
}

/* One element of the incidents array (see model.h); new reference. */
json_t *
model_incident_to_json(const struct mw_incident *inc)
{
	return model_json_incident(inc);
}

/* The incidents array (see model.h); new reference. */
json_t *
model_to_json(const struct mw_snapshot *s)
{
	json_t *arr = json_array();
	size_t i;

	if (s == NULL)
		return arr;
	for (i = 0; i < s->n_incidents; i++)
		json_array_append_new(arr, model_json_incident(&s->incidents[i]));
	return arr;
}
