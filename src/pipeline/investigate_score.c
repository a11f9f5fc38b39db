/*
 * investigate_score.c - the scoring step of "investigate a moment"
 * (investigate.c has the whole story): the per-metric policy, the ONE
 * statement that scores every metric series of the project against its own
 * recent history, and the judgement of each abnormal series it returns
 * (quality, severity, flapping, spike).  Every threshold is a named
 * constant (investigate_int.h, policy.def); doc/pipeline.md ("Investigate a
 * moment") describes them.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/db.h"
#include "midwatch/jsonx.h"
#include "midwatch/sqltext.h"
#include "midwatch/xmalloc.h"
#include "investigate_int.h"
#include "pipeline_int.h"

/*
 * Per metric: the signal type when it rises / falls (NULL: that way is not
 * bad), the scale floor max(1.4826 MAD, floor_rel x |median|, floor_abs)
 * (a flat series never divides by zero), the material change
 * |value - median| >= max(min_abs, min_rel x |median|) the quantile value
 * must show, the level a rise must reach (NAN: any), and whether the
 * metric is a count (restarts: judged by its sum, not by z).  "*" is any
 * other metric (its bad_direction in metric_names applies).
 */
static const struct inv_policy {
	const char *metric;
	const char *up_type, *down_type;
	double floor_abs, floor_rel;
	double min_abs, min_rel;
	double min_level;
	double sat_level, sat_rise;
	int counts;
} inv_policy[] = {
	/* errors: +0.5 points and +50 %, scale at least 0.1 point / 10 % */
	{ "error_ratio", "error_rate_spike", NULL, 0.001, 0.10, 0.005, 0.5,
	    NAN, NAN, NAN, 0 },
	/* latency: +25 % and +2 ms, scale at least 0.5 ms / 3 % */
	{ "latency_p99_ms", "latency_regression", NULL, 0.5, 0.03, 2.0, 0.25,
	    NAN, NAN, NAN, 0 },
	/* utilisation: +0.05 up to 0.7 or more (near the limit); or, whatever
	 * the z (a slow leak), up to investigate.sat_level by
	 * investigate.sat_rise (1: use them) */
	{ "cpu_utilization", "saturation", NULL, 0.01, 0.0, 0.05, 0.0, 0.7,
	    1, 1, 0 },
	{ "memory_utilization", "saturation", NULL, 0.01, 0.0, 0.05, 0.0, 0.7,
	    1, 1, 0 },
	/* traffic: +-25 %, scale at least 2 % of the level */
	{ "request_rate", "traffic_surge", "traffic_drop", 1e-6, 0.02, 0.0,
	    0.25, NAN, NAN, NAN, 0 },
	/* restarts: INVESTIGATE_RESTARTS_MIN and _RATIO */
	{ "restarts", "crashloop", NULL, 1.0, 0.0, 0.0, 0.0, NAN, NAN, NAN, 1 },
	/* anything else: +-30 %, scale at least 5 % */
	{ "*", "custom", "custom", 1e-9, 0.05, 0.0, 0.3, NAN, NAN, NAN, 0 },
};

/* ---- the scoring statement ------------------------------------------------ */


/*
 * $1 project, $2 the moment, $3 window seconds, $4 the policy (JSON),
 * $5 baseline seconds, $6 baseline reach seconds, $7 baseline minimum
 * minutes, $8 minutes required, $9 quantile, $10 z min, $11 onset lookback
 * seconds, $12 restarts min, $13 restarts ratio, $14 MAD scale, $15 the
 * short factor (detect.short_factor: two consecutive minutes this many
 * times as far out, on the z and the material change, are abnormal
 * however short the fault).
 *
 * Minutes are counted from the moment (k < 0 before it).  One row per
 * abnormal (service, metric, direction) - its most abnormal series - plus
 * the number of series scored (a row of NULLs when nothing is abnormal).
 */
static const char inv_sql_score[] =
    "WITH pol AS (SELECT * FROM jsonb_to_recordset($4::jsonb) AS p (metric text,"
    "  up_type text, down_type text, floor_abs float8, floor_rel float8,"
    "  min_abs float8, min_rel float8, min_level float8, sat_level float8,"
    "  sat_rise float8, counts boolean)),"
    /* per series and minute: the mean (a level), the sum (a count), the
     * first and last point's time */
    " pts AS (SELECT m.service_id, m.metric_name, m.labels_key,"
    "  floor(extract(epoch FROM m.ts - $2::timestamptz) / 60)::int AS k,"
    "  avg(midwatch.metric_value(m.value)) AS va,"
    "  sum(midwatch.metric_value(m.value)) AS vs,"
    "  min(m.ts) AS t0, max(m.ts) AS t1"
    "  FROM midwatch.metric_points m WHERE m.project_id = $1"
    "  AND m.ts >= $2::timestamptz - make_interval(secs => $6::float8)"
    "  AND m.ts < $2::timestamptz + make_interval(secs => $3::float8)"
    "  GROUP BY 1, 2, 3, 4),"
    /* the baseline: the last hour, or the last $7 minutes with data */
    " ranked AS (SELECT p.*, row_number() OVER (PARTITION BY p.service_id,"
    "  p.metric_name, p.labels_key ORDER BY p.k DESC) AS rn"
    "  FROM pts p WHERE p.k < 0),"
    " base AS (SELECT * FROM ranked"
    "  WHERE k >= -($5::float8 / 60) OR rn <= $7::int),"
    " med AS (SELECT service_id, metric_name, labels_key, count(*) AS nb,"
    "  percentile_cont(0.5) WITHIN GROUP (ORDER BY va) AS med,"
    "  sum(vs) AS bsum, -min(k) AS bspan"
    "  FROM base GROUP BY 1, 2, 3 HAVING count(*) >= $8::int),"
    /* MATERIALIZED: once per statement, never once per series (a planner
     * without statistics on fresh partitions would nest it) */
    " mad AS MATERIALIZED (SELECT b.service_id, b.metric_name, b.labels_key,"
    "  percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(b.va - d.med)) AS mad"
    "  FROM base b JOIN med d USING (service_id, metric_name, labels_key)"
    "  GROUP BY 1, 2, 3),"
    " st AS (SELECT d.*, x.mad, pol.*,"
    "  coalesce(mn.bad_direction, 'both') AS bad,"
    "  greatest($14::float8 * x.mad, pol.floor_rel * abs(d.med),"
    "   pol.floor_abs) AS scale"
    "  FROM med d JOIN mad x USING (service_id, metric_name, labels_key)"
    "  JOIN pol ON pol.metric = coalesce((SELECT q.metric FROM pol q"
    "   WHERE q.metric = d.metric_name), '*')"
    "  LEFT JOIN midwatch.metric_names mn ON mn.project_id = $1"
    "   AND mn.metric_name = d.metric_name),"
    /* z of every minute from the onset lookback on, and of its neighbours */
    " zp AS (SELECT p.service_id, p.metric_name, p.labels_key, p.k, p.va, p.vs,"
    "  p.t0, p.t1, st.sat_level, (p.va - st.med) / st.scale AS z"
    "  FROM pts p JOIN st USING (service_id, metric_name, labels_key)"
    "  WHERE p.k >= -ceil($11::float8 / 60)),"
    " zl AS (SELECT zp.*,"
    "  lead(z) OVER (PARTITION BY service_id, metric_name, labels_key"
    "   ORDER BY k) AS znext,"
    "  lead(va) OVER (PARTITION BY service_id, metric_name, labels_key"
    "   ORDER BY k) AS vnext,"
    "  lag(z) OVER (PARTITION BY service_id, metric_name, labels_key"
    "   ORDER BY k) AS zprev FROM zp),"
    " agg AS MATERIALIZED (SELECT service_id, metric_name, labels_key,"
    "  count(*) FILTER (WHERE k >= 0) AS na,"
    "  percentile_cont($9::float8) WITHIN GROUP (ORDER BY z)"
    "   FILTER (WHERE k >= 0) AS zhi,"
    "  percentile_cont(1 - $9::float8) WITHIN GROUP (ORDER BY z)"
    "   FILTER (WHERE k >= 0) AS zlo,"
    "  percentile_cont($9::float8) WITHIN GROUP (ORDER BY va)"
    "   FILTER (WHERE k >= 0) AS vhi,"
    "  percentile_cont(1 - $9::float8) WITHIN GROUP (ORDER BY va)"
    "   FILTER (WHERE k >= 0) AS vlo,"
    "  count(*) FILTER (WHERE k >= 0 AND z >= $10::float8) AS nup,"
    "  count(*) FILTER (WHERE k >= 0 AND z <= -$10::float8) AS ndown,"
    "  count(*) FILTER (WHERE k >= 0 AND vs > 0) AS ncnt,"
    /* the onset: the first minute abnormal with the next one too (else
     * the first abnormal, else the first at the saturation level) */
    "  (array_agg(t0 ORDER BY k) FILTER (WHERE z >= $10::float8"
    "   AND coalesce(znext >= $10::float8, true)))[1] AS ton_up,"
    "  (array_agg(t0 ORDER BY k) FILTER (WHERE z <= -$10::float8"
    "   AND coalesce(znext <= -$10::float8, true)))[1] AS ton_down,"
    "  (array_agg(t0 ORDER BY k) FILTER (WHERE z >= $10::float8))[1] AS tf_up,"
    "  (array_agg(t0 ORDER BY k) FILTER (WHERE z <= -$10::float8))[1]"
    "   AS tf_down,"
    "  (array_agg(t0 ORDER BY k) FILTER (WHERE va >= sat_level))[1] AS tf_lvl,"
    "  (array_agg(t0 ORDER BY k) FILTER (WHERE vs > 0))[1] AS ton_cnt,"
    "  max(t1) FILTER (WHERE k >= 0 AND z >= $10::float8) AS tend_up,"
    "  max(t1) FILTER (WHERE k >= 0 AND z <= -$10::float8) AS tend_down,"
    "  max(t1) FILTER (WHERE k >= 0 AND vs > 0) AS tend_cnt,"
    "  max(t1) FILTER (WHERE k >= 0 AND va >= sat_level) AS tend_lvl,"
    "  (array_agg(t0 ORDER BY z DESC, k) FILTER (WHERE k >= 0))[1] AS tpk_up,"
    "  (array_agg(va ORDER BY z DESC, k) FILTER (WHERE k >= 0))[1] AS pv_up,"
    "  (array_agg(t0 ORDER BY z, k) FILTER (WHERE k >= 0))[1] AS tpk_down,"
    "  (array_agg(va ORDER BY z, k) FILTER (WHERE k >= 0))[1] AS pv_down,"
    "  (array_agg(t0 ORDER BY vs DESC, k) FILTER (WHERE k >= 0))[1] AS tpk_cnt,"
    /* times it went abnormal (from normal): a flapping series cycles */
    "  count(*) FILTER (WHERE z >= $10::float8"
    "   AND coalesce(zprev < $10::float8, true)) AS cyc_up,"
    "  count(*) FILTER (WHERE z <= -$10::float8"
    "   AND coalesce(zprev > -$10::float8, true)) AS cyc_down,"
    /* abnormal points next to another abnormal one: none when every
     * excursion is one isolated point (flipping at a coarse step) */
    "  count(*) FILTER (WHERE z >= $10::float8 AND (coalesce(zprev"
    "   >= $10::float8, false) OR coalesce(znext >= $10::float8, false)))"
    "   AS run_up,"
    "  count(*) FILTER (WHERE z <= -$10::float8 AND (coalesce(zprev"
    "   <= -$10::float8, false) OR coalesce(znext <= -$10::float8, false)))"
    "   AS run_down,"
    "  sum(vs) FILTER (WHERE k >= 0) AS asum,"
    /* the strongest two consecutive minutes after the moment: a short
     * fault is abnormal when even the weaker of the two is far out */
    "  max(least(z, znext)) FILTER (WHERE k >= 0 AND znext IS NOT NULL)"
    "   AS zs_up,"
    "  max(-greatest(z, znext)) FILTER (WHERE k >= 0 AND znext IS NOT NULL)"
    "   AS zs_down,"
    "  (array_agg(least(va, vnext) ORDER BY least(z, znext) DESC, k)"
    "   FILTER (WHERE k >= 0 AND znext IS NOT NULL))[1] AS vs_up,"
    "  (array_agg(greatest(va, vnext) ORDER BY greatest(z, znext), k)"
    "   FILTER (WHERE k >= 0 AND znext IS NOT NULL))[1] AS vs_down"
    "  FROM zl GROUP BY 1, 2, 3),"
    /* each direction of each series, judged */
    " c AS (SELECT a.*, st.med, st.mad, st.scale, st.nb, st.bad, st.counts,"
    "  st.min_abs, st.min_rel, st.min_level, st.sat_level, st.sat_rise,"
    "  st.metric AS pmetric, d.dir,"
    "  CASE WHEN d.dir = 'up' THEN st.up_type ELSE st.down_type END AS stype,"
    "  st.bsum * ($3::float8 / 60) / greatest(st.bspan, 1) AS expect"
    "  FROM agg a JOIN st USING (service_id, metric_name, labels_key)"
    "  CROSS JOIN (VALUES ('up'), ('down')) d (dir) WHERE a.na > 0),"
    " j0 AS (SELECT c.*,"
    "  CASE WHEN counts THEN (asum - expect) / sqrt(expect + 1)"
    "   WHEN dir = 'up' THEN zhi ELSE -zlo END AS zq0,"
    "  CASE WHEN counts THEN asum WHEN dir = 'up' THEN vhi ELSE vlo END AS val0,"
    "  CASE WHEN counts THEN NULL WHEN dir = 'up' THEN zs_up ELSE zs_down END"
    "   AS zs,"
    "  CASE WHEN counts THEN NULL WHEN dir = 'up' THEN vs_up ELSE vs_down END"
    "   AS vs2,"
    "  CASE WHEN counts THEN expect ELSE med END AS baseline,"
    "  coalesce(CASE WHEN counts THEN ton_cnt WHEN dir = 'up'"
    "   THEN coalesce(ton_up, tf_up, tf_lvl) ELSE coalesce(ton_down, tf_down)"
    "   END, $2::timestamptz) AS ton,"
    "  CASE WHEN counts THEN tend_cnt WHEN dir = 'up'"
    "   THEN coalesce(tend_up, tend_lvl) ELSE tend_down END AS tend,"
    "  CASE WHEN counts THEN tpk_cnt WHEN dir = 'up' THEN tpk_up"
    "   ELSE tpk_down END AS tpeak,"
    "  CASE WHEN counts THEN asum WHEN dir = 'up' THEN pv_up"
    "   ELSE pv_down END AS vpeak,"
    "  CASE WHEN counts THEN ncnt WHEN dir = 'up' THEN nup ELSE ndown END AS nabn,"
    "  CASE WHEN counts THEN 0 WHEN dir = 'up' THEN cyc_up ELSE cyc_down END"
    "   AS cycles,"
    "  CASE WHEN counts THEN 1 WHEN dir = 'up' THEN run_up ELSE run_down END"
    "   AS runpts"
    "  FROM c WHERE stype IS NOT NULL"
    "  AND (pmetric <> '*' OR bad = 'both' OR bad = dir)),"
    /* short: the two minutes pass every test $15 times over; its strength
     * is its z divided by that factor, as far as it beats the quantile's */
    " j1 AS (SELECT j0.*, coalesce(zs >= $15::float8 * $10::float8"
    "   AND abs(vs2 - med) >= $15::float8 * greatest(min_abs,"
    "    min_rel * abs(med))"
    "   AND (dir = 'down' OR min_level IS NULL OR vs2 >= min_level), false)"
    "   AS short_ok FROM j0),"
    " j AS (SELECT j1.*,"
    "  CASE WHEN short_ok AND zs / $15::float8 > zq0 THEN zs / $15::float8"
    "   ELSE zq0 END AS zq,"
    "  CASE WHEN short_ok AND zs / $15::float8 > zq0 THEN vs2"
    "   ELSE val0 END AS val,"
    "  coalesce(dir = 'up' AND sat_level IS NOT NULL AND val0 >= sat_level"
    "   AND val0 - med >= sat_rise, false) AS lvl_ok FROM j1),"
    /* abnormal: a robust z and a material change, or (utilisation) a
     * level near the limit reached by a real rise, or two minutes of a
     * short fault, or (counts) enough */
    " ok AS (SELECT j.*, count(*) OVER (PARTITION BY service_id, metric_name,"
    "   dir) AS nseries FROM j"
    "  WHERE CASE WHEN counts THEN asum >= $12::float8"
    "    AND asum >= $13::float8 * expect"
    "   ELSE (zq0 >= $10::float8"
    "    AND abs(val0 - med) >= greatest(min_abs, min_rel * abs(med))"
    "    AND (dir = 'down' OR min_level IS NULL OR val0 >= min_level))"
    "    OR lvl_ok OR short_ok END),"
    " best AS (SELECT DISTINCT ON (service_id, metric_name, dir) ok.*"
    "  FROM ok ORDER BY service_id, metric_name, dir, zq DESC, labels_key),"
    " res AS (SELECT b.*, v.name AS svc_name FROM best b"
    "  JOIN midwatch.services v ON v.project_id = $1 AND v.id = b.service_id)"
    " SELECT sc.n, r.service_id, r.svc_name, r.metric_name, r.labels_key,"
    "  r.dir, r.stype, r.zq, r.val, r.baseline, r.vpeak,"
    "  " SQL_RFC3339_US("r.ton") ", " SQL_RFC3339_US("r.tpeak") ", " SQL_RFC3339_US("r.tend") ","
    "  r.nabn, r.na, r.nb, r.med, r.mad, r.scale, r.nseries,"
    "  midwatch.pipeline_fmt_metric(r.metric_name, r.val),"
    "  midwatch.pipeline_fmt_metric(r.metric_name, r.baseline), r.counts,"
    "  r.cycles, r.runpts, r.short_ok, r.lvl_ok"
    " FROM (SELECT count(*) AS n FROM st) sc LEFT JOIN res r ON true"
    " ORDER BY r.zq DESC NULLS LAST, r.service_id, r.metric_name, r.dir";

/* The severity of an abnormal series (its rank, severity.h). */
static int
inv_severity(const char *type, double value, double base)
{
	double ratio = base != 0 && isfinite(base) ? value / base : INFINITY;

	if (strcmp(type, "error_rate_spike") == 0)
		return value >= INV_SEV_ERR_CRITICAL ? 4 :
		    value >= INV_SEV_ERR_HIGH ? 3 :
		    value >= INV_SEV_ERR_MEDIUM ? 2 : 1;
	if (strcmp(type, "latency_regression") == 0)
		return ratio >= INV_SEV_LAT_HIGH ? 3 :
		    ratio >= INV_SEV_LAT_MEDIUM ? 2 : 1;
	if (strcmp(type, "saturation") == 0)
		return value >= INV_SEV_SAT_HIGH ? 3 : 2;
	if (strcmp(type, "traffic_surge") == 0)
		return ratio >= INV_SEV_SURGE_HIGH ? 3 :
		    ratio >= INV_SEV_SURGE_MEDIUM ? 2 : 1;
	if (strcmp(type, "traffic_drop") == 0)
		return ratio <= INV_SEV_DROP_HIGH ? 3 :
		    ratio <= INV_SEV_DROP_MEDIUM ? 2 : 1;
	if (strcmp(type, "crashloop") == 0)
		return 3;
	return 1;
}

/* How strong a signal is, as the gate ranks a trigger: (severity + 1) x
 * (0.2 + quality). */
double
inv_strength(const struct inv_sig *s)
{
	return (s->sev + 1) * (0.2 + s->q);
}

/* Whether a is kept before b under the signal cap: traffic shifts first,
 * then the stronger. */
int
inv_keep_before(const struct inv_sig *a, const struct inv_sig *b)
{
	int ta = strncmp(a->type, "traffic_", 8) == 0;
	int tb = strncmp(b->type, "traffic_", 8) == 0;

	if (ta != tb)
		return ta > tb;
	if (a->fed != b->fed)
		return a->fed < b->fed;
	return inv_strength(a) > inv_strength(b);
}

/* The policy as JSON for the statement (new reference). */
static json_t *
inv_policy_json(void)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; i < MW_ARRAY_LEN(inv_policy); i++) {
		const struct inv_policy *p = &inv_policy[i];

		o = json_pack("{s:s, s:f, s:f, s:f, s:f, s:b}", "metric",
		    p->metric, "floor_abs", p->floor_abs, "floor_rel",
		    p->floor_rel, "min_abs", p->min_abs, "min_rel", p->min_rel,
		    "counts", p->counts);
		json_object_set_new(o, "up_type", p->up_type != NULL ?
		    json_string(p->up_type) : json_null());
		json_object_set_new(o, "down_type", p->down_type != NULL ?
		    json_string(p->down_type) : json_null());
		json_object_set_new(o, "min_level", isnan(p->min_level) ?
		    json_null() : json_real(p->min_level));
		json_object_set_new(o, "sat_level", isnan(p->sat_level) ?
		    json_null() : json_real(POLICY(INV_SAT_LEVEL)));
		json_object_set_new(o, "sat_rise", isnan(p->sat_rise) ?
		    json_null() : json_real(POLICY(INV_SAT_RISE)));
		json_array_append_new(a, o);
	}
	return a;
}

/* A number column as JSON (null when NULL or not finite). */
json_t *
inv_jnum(const struct db_res *r, int row, int col)
{
	double v;

	if (db_res_isnull(r, row, col))
		return json_null();
	v = db_res_f(r, row, col);
	return isfinite(v) ? json_real(v) : json_null();
}

/* A text column as JSON (null when NULL). */
json_t *
inv_jstr(const struct db_res *r, int row, int col)
{
	const char *s = db_res_get(r, row, col);

	return s != NULL ? json_string(s) : json_null();
}

/*
 * Runs the scoring statement (every series of the project, one row per
 * abnormal (service, metric, direction)) into f->r, and judges its rows:
 * f->sg gets one signal each, with its quality, severity, and whether it
 * flaps or is a spike (cited, never an anchor).
 */
int
inv_score(struct inv *v, struct inv_found *f, char **cause)
{
	const struct db_res *r;
	struct inv_sig *sg;
	json_t *pol = inv_policy_json();
	char *pdump, w[24], bs[24], bmax[24], bmin[24], breq[24], qt[24],
	    zm[24], ons[24], rmin[24], rrat[24], mads[24], sf[24];
	int n = 0, i;
	double flapcyc;

	pdump = jsonx_dump(pol);
	f->r = DBQ(v->pc.db, cause, inv_sql_score, v->pc.project, v->at_ts,
	    pipeline_ll(w, sizeof w, v->window), pdump,
	    pipeline_ll(bs, sizeof bs, INVESTIGATE_BASE_SECONDS),
	    pipeline_ll(bmax, sizeof bmax, INVESTIGATE_BASE_MAX_SECONDS),
	    pipeline_ll(bmin, sizeof bmin, INVESTIGATE_BASE_MIN_POINTS),
	    pipeline_ll(breq, sizeof breq, INVESTIGATE_BASE_REQUIRED),
	    pipeline_num(qt, sizeof qt, INVESTIGATE_QUANTILE),
	    pipeline_num(zm, sizeof zm, INVESTIGATE_Z_MIN),
	    pipeline_num(ons, sizeof ons, INVESTIGATE_ONSET_SHARE * v->window),
	    pipeline_ll(rmin, sizeof rmin, INVESTIGATE_RESTARTS_MIN),
	    pipeline_num(rrat, sizeof rrat, INVESTIGATE_RESTARTS_RATIO),
	    pipeline_num(mads, sizeof mads, INVESTIGATE_MAD_SCALE),
	    pipeline_num(sf, sizeof sf, POLICY(DETECT_SHORT_FACTOR)));
	free(pdump);
	json_decref(pol);
	if (f->r == NULL)
		return -1;
	r = f->r;
	/* flapping: abnormal again and again - at least flap_cycles times,
	 * and as often as detect calls flapping over the span looked at
	 * (the onset lookback and the window) */
	flapcyc = fmax(INVESTIGATE_FLAP_CYCLES, POLICY(DETECT_FLAP_RUNS) *
	    (1 + INVESTIGATE_ONSET_SHARE) * v->window /
	    POLICY(DETECT_FLAP_WINDOW));
	sg = xcalloc((size_t)db_res_rows(r) + 1, sizeof *sg);
	for (i = 0; i < db_res_rows(r); i++) {
		double z, cover, share, na;
		int counts;

		f->scored = db_res_ll(r, i, S_SCORED);
		if (db_res_isnull(r, i, S_SVC))
			continue;
		sg[n].row = i;
		sg[n].svc = db_res_ll(r, i, S_SVC);
		sg[n].type = db_res_get(r, i, S_TYPE);
		z = db_res_f(r, i, S_Z);
		sg[n].z = isfinite(z) ? z : 0;
		na = db_res_f(r, i, S_NA);
		/* a count, or a series with two consecutive minutes far out
		 * (a short fault is sure, however few its minutes), covers
		 * what it is judged on */
		share = na > 0 ? db_res_f(r, i, S_NABN) / na : 0;
		counts = strcmp(db_res_get(r, i, S_COUNTS), "t") == 0;
		cover = counts || strcmp(db_res_get(r, i, S_SHORT), "t") == 0 ?
		    1 : share;
		/* Every series that passed is steady enough to set the order
		 * of who came first: quality starts at the watch threshold. */
		sg[n].q = POLICY(WATCH_QUALITY) + (1 - POLICY(WATCH_QUALITY)) *
		    fmin(1, fmax(0, sg[n].z / INVESTIGATE_Z_FULL)) *
		    fmin(1, cover);
		/* it flaps when it went abnormal again and again, or more
		 * than once and never for two points in a row (a series
		 * flipping every minute, seen at a 5-minute step) */
		sg[n].flapping = (db_res_ll(r, i, S_CYCLES) >= flapcyc &&
		    !counts && share < INVESTIGATE_FLAP_SHARE &&
		    strcmp(db_res_get(r, i, S_LEVEL), "t") != 0) ||
		    (db_res_ll(r, i, S_CYCLES) >= 2 &&
		    db_res_ll(r, i, S_RUNPTS) == 0);
		sg[n].sev = inv_severity(sg[n].type, db_res_f(r, i, S_VAL),
		    db_res_f(r, i, S_BASE));
		/* a spike: its abnormal minutes are isolated points (as
		 * detect's spikes: cited, never an anchor), unless a level
		 * near the limit or a count makes it abnormal */
		sg[n].spike = !sg[n].flapping && db_res_ll(r, i, S_NABN) > 0 &&
		    db_res_ll(r, i, S_RUNPTS) == 0 && !counts &&
		    strcmp(db_res_get(r, i, S_LEVEL), "t") != 0;
		if (sg[n].flapping || sg[n].spike) {
			sg[n].q = POLICY(WATCH_QUALITY) * INVESTIGATE_FLAP_QUALITY;
			sg[n].sev = 1;	/* low, as detect rates flapping */
		}
		n++;
	}
	f->sg = sg;
	f->n = n;
	return 0;
}
