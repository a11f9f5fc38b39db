/*
 * test_model.c - unit tests of the read model's JSON contract
 * (doc/interfaces.md: every field, its JSON type, its order) on a hand-built
 * snapshot, and of feedback's action table and request validation (which
 * happen before any database access).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "midwatch/feedback.h"
#include "midwatch/model.h"
#include "midwatch/xmalloc.h"

/* Builds a snapshot with one incident, two hypotheses (one with a missing
 * evidence entry and no ref), a recommendation and an alert. */
static struct mw_snapshot *
build_snapshot(void)
{
	struct mw_snapshot *s = xcalloc(1, sizeof *s);
	struct mw_incident *inc;
	struct mw_hypothesis *h;

	s->n_incidents = 1;
	s->incidents = xcalloc(1, sizeof *s->incidents);
	inc = &s->incidents[0];
	inc->id = 200;
	inc->service = xstrdup("checkout");
	inc->status = xstrdup("open");
	inc->severity = xstrdup("high");
	inc->trigger_type = xstrdup("error_rate_spike");
	inc->title = xstrdup("Errors on checkout");
	inc->window_start = 1794834300;	/* 2026-11-16T13:05:00Z */
	inc->window_end = 1794836400;	/* 2026-11-16T13:40:00Z */
	inc->decision = xstrdup("approved");
	inc->rationale = xstrdup("above baseline");
	inc->policy_version = xstrdup("v1");
	inc->confidence = 0.8;

	inc->n_hypotheses = 2;
	inc->hypotheses = xcalloc(2, sizeof *inc->hypotheses);
	h = &inc->hypotheses[0];
	h->id = 400;
	h->rank = 1;
	h->type = xstrdup("release");
	h->service = xstrdup("checkout");
	h->title = xstrdup("Deploy d-123 broke checkout");
	h->ref = xstrdup("d-123");
	h->status = xstrdup("proposed");
	h->confidence = 0.82;
	h->score_details = json_object();
	h->n_evidence = 1;
	h->evidence = xcalloc(1, sizeof *h->evidence);
	h->evidence[0].id = 300;
	h->evidence[0].kind = xstrdup("deployment");
	h->evidence[0].role = xstrdup("supports");
	h->evidence[0].summary = xstrdup("deploy 3 min before onset");
	h = &inc->hypotheses[1];
	h->id = 401;
	h->rank = 2;
	h->type = xstrdup("traffic");
	h->title = xstrdup("Traffic surge");
	h->status = xstrdup("proposed");
	h->confidence = 0.1;
	h->score_details = json_object();
	h->n_evidence = 1;
	h->evidence = xcalloc(1, sizeof *h->evidence);
	h->evidence[0].kind = xstrdup("traffic_shift");
	h->evidence[0].role = xstrdup("missing");
	h->evidence[0].summary = xstrdup("expected traffic_shift: not found");

	inc->n_recommendations = 1;
	inc->recommendations = xcalloc(1, sizeof *inc->recommendations);
	inc->recommendations[0].id = 900;
	inc->recommendations[0].hypothesis_id = 400;
	inc->recommendations[0].type = xstrdup("rollback");
	inc->recommendations[0].title = xstrdup("Roll back deploy d-123");
	inc->recommendations[0].status = xstrdup("new");
	inc->recommendations[0].publishable = 1;

	/* the snapshot's list owns the alert; the incident holds a copy */
	s->n_alerts = 1;
	s->alerts = xcalloc(1, sizeof *s->alerts);
	s->alerts[0].id = 800;
	s->alerts[0].incident_id = 200;
	s->alerts[0].title = xstrdup("[high] Errors on checkout");
	s->alerts[0].severity = xstrdup("high");
	s->alerts[0].status = xstrdup("active");
	inc->n_alerts = 1;
	inc->alerts = xcalloc(1, sizeof *inc->alerts);
	inc->alerts[0] = s->alerts[0];
	return s;
}

/* Asserts that o has key with a value of JSON type t. */
static void
expect_type(json_t *o, const char *key, json_type t)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL)
		fail_msg("missing field \"%s\"", key);
	if (json_typeof(v) != t)
		fail_msg("field \"%s\" has JSON type %d, expected %d", key,
		    (int)json_typeof(v), (int)t);
}

/* Asserts that the first keys of o are exactly keys, in that order. */
static void
expect_order(json_t *o, const char *const *keys, size_t n)
{
	void *it = json_object_iter(o);
	size_t i;

	for (i = 0; i < n; i++) {
		assert_non_null(it);
		assert_string_equal(json_object_iter_key(it), keys[i]);
		it = json_object_iter_next(o, it);
	}
}

/* Every contract field is present, typed and ordered as doc/interfaces.md
 * says. */
static void
test_json_contract(void **state)
{
	static const char *const inc_keys[] = { "id", "service", "status",
	    "severity", "trigger_type", "window_start", "window_end", "decision",
	    "hypotheses", "recommendations", "alerts" };
	static const char *const hyp_keys[] = { "id", "rank", "type", "service",
	    "title", "confidence", "ref", "evidence" };
	static const char *const ev_keys[] = { "id", "kind", "role", "summary" };
	static const char *const rec_keys[] = { "id", "type", "title", "status",
	    "publishable" };
	static const char *const al_keys[] = { "id", "title", "severity",
	    "status" };
	struct mw_snapshot *s = build_snapshot();
	json_t *j = model_to_json(s), *inc, *d, *h, *e;

	(void)state;
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), 1);
	inc = json_array_get(j, 0);
	expect_order(inc, inc_keys, MW_ARRAY_LEN(inc_keys));
	expect_type(inc, "id", JSON_INTEGER);
	expect_type(inc, "service", JSON_STRING);
	expect_type(inc, "window_start", JSON_STRING);
	assert_string_equal(json_string_value(json_object_get(inc,
	    "window_start")), "2026-11-16T13:05:00Z");
	assert_string_equal(json_string_value(json_object_get(inc,
	    "window_end")), "2026-11-16T13:40:00Z");
	expect_type(inc, "decision", JSON_OBJECT);
	d = json_object_get(inc, "decision");
	expect_type(d, "decision", JSON_STRING);
	expect_type(d, "rationale", JSON_STRING);
	expect_type(d, "policy_version", JSON_STRING);

	h = json_array_get(json_object_get(inc, "hypotheses"), 0);
	expect_order(h, hyp_keys, MW_ARRAY_LEN(hyp_keys));
	expect_type(h, "id", JSON_INTEGER);
	expect_type(h, "rank", JSON_INTEGER);
	expect_type(h, "confidence", JSON_REAL);
	expect_type(h, "ref", JSON_STRING);
	e = json_array_get(json_object_get(h, "evidence"), 0);
	expect_order(e, ev_keys, MW_ARRAY_LEN(ev_keys));
	expect_type(e, "id", JSON_INTEGER);
	assert_int_equal(json_integer_value(json_object_get(e, "id")), 300);

	/* No ref: null, not missing; a missing entry has a null id. */
	h = json_array_get(json_object_get(inc, "hypotheses"), 1);
	expect_type(h, "ref", JSON_NULL);
	expect_type(h, "service", JSON_NULL);
	e = json_array_get(json_object_get(h, "evidence"), 0);
	expect_type(e, "id", JSON_NULL);
	assert_string_equal(json_string_value(json_object_get(e, "role")),
	    "missing");

	e = json_array_get(json_object_get(inc, "recommendations"), 0);
	expect_order(e, rec_keys, MW_ARRAY_LEN(rec_keys));
	expect_type(e, "publishable", JSON_TRUE);
	e = json_array_get(json_object_get(inc, "alerts"), 0);
	expect_order(e, al_keys, MW_ARRAY_LEN(al_keys));
	expect_type(e, "id", JSON_INTEGER);
	json_decref(j);
	model_free(s);
}

/* No snapshot and an empty one both give an empty array. */
static void
test_json_empty(void **state)
{
	struct mw_snapshot *s = xcalloc(1, sizeof *s);
	json_t *j;

	(void)state;
	j = model_to_json(NULL);
	assert_true(json_is_array(j) && json_array_size(j) == 0);
	json_decref(j);
	j = model_to_json(s);
	assert_true(json_is_array(j) && json_array_size(j) == 0);
	json_decref(j);
	model_free(s);
	model_free(NULL);
}

/* Event types are the schema's names; kinds and verbs match. */
static void
test_feedback_names(void **state)
{
	(void)state;
	assert_string_equal(feedback_event_type(FB_ALERT_ACK),
	    "alert_acknowledged");
	assert_string_equal(feedback_event_type(FB_ALERT_RESOLVE),
	    "alert_resolved");
	assert_string_equal(feedback_event_type(FB_ALERT_SILENCE),
	    "alert_silenced");
	assert_string_equal(feedback_event_type(FB_HYP_CONFIRM),
	    "hypothesis_confirmed");
	assert_string_equal(feedback_event_type(FB_HYP_REJECT),
	    "hypothesis_rejected");
	assert_string_equal(feedback_event_type(FB_REC_ACK),
	    "recommendation_acknowledged");
	assert_string_equal(feedback_event_type(FB_REC_DONE),
	    "recommendation_done");
	assert_string_equal(feedback_event_type(FB_REC_DISMISS),
	    "recommendation_dismissed");
	assert_string_equal(feedback_event_type(FB_INC_RESOLVE),
	    "incident_resolved");
	assert_string_equal(feedback_event_type(FB_INC_REOPEN),
	    "incident_reopened");
	assert_string_equal(feedback_event_type(FB_INC_TRIAGE),
	    "incident_triaged");
	assert_string_equal(feedback_event_type(FB_NOTE), "human_note_added");
	assert_string_equal(feedback_target_kind(FB_ALERT_SILENCE), "alert");
	assert_string_equal(feedback_target_kind(FB_REC_DONE), "recommendation");
	assert_null(feedback_target_kind(FB_NOTE));
	assert_string_equal(feedback_verb(FB_ALERT_ACK), "acknowledged");
}

/* Malformed requests are refused before the database is touched. */
static void
test_feedback_validation(void **state)
{
	struct feedback fb;
	char *cause = NULL;
	struct feedback_result ev;

	(void)state;
	memset(&fb, 0, sizeof fb);
	fb.action = FB_ALERT_ACK;
	fb.project_id = 1;
	fb.target_id = 5;
	ev.event_id = 99;
	assert_int_equal(feedback_record(NULL, &fb, &ev, &cause), -1);
	assert_non_null(strstr(cause, "actor"));
	assert_int_equal(ev.event_id, 0);
	free(cause);
	cause = NULL;

	fb.actor = "alice";
	fb.action = FB_NOTE;
	fb.target_kind = "deploy";
	fb.payload = json_pack("{ss}", "text", "hello");
	assert_int_equal(feedback_record(NULL, &fb, NULL, &cause), -1);
	assert_non_null(strstr(cause, "deploy"));
	free(cause);
	cause = NULL;
	json_decref(fb.payload);

	fb.target_kind = "incident";
	fb.payload = json_pack("{ss}", "text", "   ");
	assert_int_equal(feedback_record(NULL, &fb, NULL, &cause), -1);
	assert_non_null(strstr(cause, "text"));
	free(cause);
	cause = NULL;
	json_decref(fb.payload);

	fb.action = FB_ALERT_SILENCE;
	fb.payload = json_pack("{si}", "seconds", 0);
	assert_int_equal(feedback_record(NULL, &fb, NULL, &cause), -1);
	assert_non_null(strstr(cause, "silence"));
	free(cause);
	cause = NULL;
	json_decref(fb.payload);

	fb.action = FB_ALERT_ACK;
	fb.payload = NULL;
	fb.actor_type = "robot";
	assert_int_equal(feedback_record(NULL, &fb, NULL, &cause), -1);
	assert_non_null(strstr(cause, "robot"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_contract),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_feedback_names),
		cmocka_unit_test(test_feedback_validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
