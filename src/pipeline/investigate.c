/*
 * investigate.c - "investigate this moment" (issue 8, include/midwatch/
 * investigate.h): an incident anchored at a moment someone names, with root
 * causes ranked by the pipeline's own evidence and hypothesize stages even
 * when its detectors saw nothing.
 *
 * Under the pipeline lock, as a run of its own (pipeline_runs.kind
 * 'investigate', lineage only):
 *
 *  1. an open, approved incident that already covers the moment (for
 *     --service S: one whose services include S) is the answer as it is;
 *  2. otherwise ONE statement scores every metric series of the project:
 *     the minutes of [at, at + window) against the series' own recent
 *     history (the hour before the moment, longer for a sparse series) with
 *     a median and a MAD (scaled, floored), a robust high quantile of the
 *     z-scores after the moment in the direction that is bad for the
 *     metric, a material change, and the first minute it goes abnormal
 *     (from half a window before the moment: which came first);
 *  3. the abnormal series joined by the call graph to the main service (the
 *     one named, else the strongest anomaly) become signals
 *     (details.source = 'investigate': detect and gate leave them alone)
 *     of an incident keyed investigate:<epoch>[:<service id>], approved
 *     with policy gate-v1 ("investigation requested by ..."), audited;
 *  4. the stages evidence, hypothesize, recommend and report run on it,
 *     each in its own transaction (pipeline_run_stages), so its evidence,
 *     hypotheses and recommendations come from the one code path.
 *
 * Every threshold below is a named constant; doc/pipeline.md ("Investigate
 * a moment") describes them.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "midwatch/buf.h"
#include "midwatch/db.h"
#include "midwatch/investigate.h"
#include "midwatch/jsonx.h"
#include "midwatch/log.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/severity.h"
#include "midwatch/sqltext.h"
#include "midwatch/timefmt.h"
#include "midwatch/xmalloc.h"
#include "pipeline_int.h"

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

/* Columns of inv_sql_score. */
enum {
	S_SCORED, S_SVC, S_SVCNAME, S_METRIC, S_LABELS, S_DIR, S_TYPE, S_Z,
	S_VAL, S_BASE, S_PEAKV, S_ONSET, S_PEAKAT, S_END, S_NABN, S_NA, S_NB,
	S_MED, S_MAD, S_SCALE, S_NSERIES, S_FMTVAL, S_FMTBASE, S_COUNTS,
	S_CYCLES, S_RUNPTS, S_SHORT, S_LEVEL
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
static double
inv_strength(const struct inv_sig *s)
{
	return (s->sev + 1) * (0.2 + s->q);
}

/* Whether a is kept before b under the signal cap: traffic shifts first,
 * then the stronger. */
static int
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
static json_t *
inv_jnum(const struct db_res *r, int row, int col)
{
	double v;

	if (db_res_isnull(r, row, col))
		return json_null();
	v = db_res_f(r, row, col);
	return isfinite(v) ? json_real(v) : json_null();
}

/* A text column as JSON (null when NULL). */
static json_t *
inv_jstr(const struct db_res *r, int row, int col)
{
	const char *s = db_res_get(r, row, col);

	return s != NULL ? json_string(s) : json_null();
}

/* ---- the call graph: which abnormal services belong together ------------- */

/* Union-find parent lookup with path halving. */
static int
inv_find(int *parent, int i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

/* Compares two service ids (qsort, bsearch). */
static int
inv_cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* The dense index of service id in ids[0..n) (sorted), or -1. */
static int
inv_index(const long long *ids, int n, long long id)
{
	const long long *p = bsearch(&id, ids, (size_t)n, sizeof *ids,
	    inv_cmp_ll);

	return p != NULL ? (int)(p - ids) : -1;
}

/*
 * Marks keep on the signals whose service is joined to mainsvc (a service
 * id) by a call path - from one to the other, in either direction, and so
 * on transitively, as the gate groups signals; the others are left out.
 */
static int
inv_cluster(struct inv *v, struct inv_sig *sg, int n, long long mainsvc,
    char **cause)
{
	struct db_res *r;
	long long *ids;
	int *from, *to, *start, *adj, *parent, *seen, *stack, *nodes;
	int ne, nid = 0, i, j, k, e, top, x;

	r = DBQ(v->pc.db, cause,
	    "SELECT from_service_id, to_service_id"
	    " FROM midwatch.service_dependencies WHERE project_id = $1"
	    " AND to_service_id IS NOT NULL", v->pc.project);
	if (r == NULL)
		return -1;
	ne = db_res_rows(r);
	/* every service named by an edge or a signal, and mainsvc, densely */
	ids = xcalloc((size_t)(2 * ne + n + 1), sizeof *ids);
	for (e = 0; e < ne; e++) {
		ids[nid++] = db_res_ll(r, e, 0);
		ids[nid++] = db_res_ll(r, e, 1);
	}
	for (i = 0; i < n; i++)
		ids[nid++] = sg[i].svc;
	ids[nid++] = mainsvc;
	qsort(ids, (size_t)nid, sizeof *ids, inv_cmp_ll);
	for (i = j = 0; i < nid; i++)
		if (j == 0 || ids[j - 1] != ids[i])
			ids[j++] = ids[i];
	nid = j;
	/* the calls as adjacency lists (CSR) */
	from = xcalloc((size_t)ne + 1, sizeof *from);
	to = xcalloc((size_t)ne + 1, sizeof *to);
	start = xcalloc((size_t)nid + 1, sizeof *start);
	adj = xcalloc((size_t)ne + 1, sizeof *adj);
	for (e = 0; e < ne; e++) {
		from[e] = inv_index(ids, nid, db_res_ll(r, e, 0));
		to[e] = inv_index(ids, nid, db_res_ll(r, e, 1));
		start[from[e] + 1]++;
	}
	for (i = 0; i < nid; i++)
		start[i + 1] += start[i];
	seen = xcalloc((size_t)nid + 1, sizeof *seen);
	for (e = 0; e < ne; e++)
		adj[start[from[e]] + seen[from[e]]++] = to[e];
	/* the nodes that matter: mainsvc first, then the abnormal services */
	nodes = xcalloc((size_t)n + 1, sizeof *nodes);
	parent = xcalloc((size_t)nid + 1, sizeof *parent);
	for (i = 0; i < nid; i++)
		parent[i] = i;
	nodes[0] = inv_index(ids, nid, mainsvc);
	for (i = 0; i < n; i++)
		nodes[i + 1] = inv_index(ids, nid, sg[i].svc);
	/* from each, everything it calls (transitively) that matters is
	 * joined to it */
	stack = xcalloc((size_t)nid + 1, sizeof *stack);
	for (i = 0; i <= n; i++) {
		memset(seen, 0, ((size_t)nid + 1) * sizeof *seen);
		top = 0;
		stack[top++] = nodes[i];
		seen[nodes[i]] = 1;
		while (top > 0) {
			x = stack[--top];
			for (k = start[x]; k < start[x + 1]; k++) {
				if (seen[adj[k]])
					continue;
				seen[adj[k]] = 1;
				stack[top++] = adj[k];
			}
		}
		for (j = 0; j <= n; j++)
			if (seen[nodes[j]])
				parent[inv_find(parent, nodes[j])] =
				    inv_find(parent, nodes[i]);
	}
	for (i = 0; i < n; i++)
		sg[i].keep = inv_find(parent, nodes[i + 1]) ==
		    inv_find(parent, nodes[0]);
	/* traffic fed by a caller whose traffic shifts as well */
	memset(seen, 0, ((size_t)nid + 1) * sizeof *seen);
	for (i = 0; i < n; i++)
		if (strncmp(sg[i].type, "traffic_", 8) == 0)
			seen[nodes[i + 1]] = 1;
	for (i = 0; i < n; i++)
		for (e = 0; e < ne && strncmp(sg[i].type, "traffic_", 8) == 0 &&
		    !sg[i].fed; e++)
			sg[i].fed = to[e] == nodes[i + 1] && from[e] != to[e] &&
			    seen[from[e]];
	free(stack);
	free(parent);
	free(nodes);
	free(seen);
	free(adj);
	free(start);
	free(to);
	free(from);
	free(ids);
	db_res_free(r);
	return 0;
}

/* ---- the stage ------------------------------------------------------------ */

/* Writes the audit entry of the investigation. */
static int
inv_audit(struct inv *v, long long incident, char **cause)
{
	json_t *d = json_pack("{s:s, s:i, s:b, s:I}", "at", v->at_ts,
	    "window_seconds", v->window, "reused", v->reuse_id != 0, "run_id",
	    (json_int_t)v->pc.run_id);
	char *dump, id[24];
	int rc;

	json_object_set_new(d, "service", v->o->service != NULL ?
	    json_string(v->o->service) : json_null());
	json_object_set_new(d, "signals", json_integer(v->res->signals));
	dump = jsonx_dump(d);
	rc = DBX(v->pc.db, cause,
	    "INSERT INTO midwatch.audit_entries (project_id, actor, action,"
	    " target, details) VALUES ($1, $2, 'incident.investigate',"
	    " 'incident:' || $3, $4::jsonb)", v->pc.project,
	    v->o->actor != NULL ? v->o->actor : "unknown",
	    pipeline_ll(id, sizeof id, incident), dump);
	free(dump);
	json_decref(d);
	return rc;
}

/* The title: "investigation at 04:36 UTC: payments error_ratio 4.1%
 * (baseline 0.5%), +2 services" (malloc'd). */
static char *
inv_title(struct inv *v, const struct db_res *r, const struct inv_sig *top,
    int nsvc)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "investigation at %.5s UTC", v->at_ts + 11);
	if (v->o->service != NULL)
		buf_printf(&b, " on %s", v->o->service);
	if (top == NULL)
		buf_adds(&b, ": nothing abnormal found");
	else {
		buf_printf(&b, ": %s %s %s (baseline %s)",
		    db_res_get(r, top->row, S_SVCNAME),
		    db_res_get(r, top->row, S_METRIC),
		    db_res_get(r, top->row, S_FMTVAL),
		    db_res_get(r, top->row, S_FMTBASE));
		if (nsvc > 1)
			buf_printf(&b, ", +%d service%s", nsvc - 1,
			    nsvc > 2 ? "s" : "");
	}
	return buf_steal(&b);
}

/* One signal row for the INSERT (new reference). */
static json_t *
inv_signal_json(struct inv *v, const struct db_res *r, const struct inv_sig *s)
{
	int i = s->row;
	const char *labels = db_res_get(r, i, S_LABELS);
	char *key;
	json_t *o, *d;

	key = xasprintf("%s/%s:%s:%s:%s", v->key, db_res_get(r, i, S_SVC),
	    db_res_get(r, i, S_METRIC), labels != NULL ? labels : "",
	    db_res_get(r, i, S_DIR));
	d = json_pack("{s:s, s:s, s:s, s:f, s:f, s:o, s:o, s:o, s:o, s:I, s:I,"
	    " s:I, s:I, s:b, s:b}",
	    "source", "investigate", "investigation", v->key,
	    "requested_by", v->o->actor != NULL ? v->o->actor : "unknown",
	    "z", round(s->z * 1000) / 1000, "z_quantile", INVESTIGATE_QUANTILE,
	    "median", inv_jnum(r, i, S_MED), "mad", inv_jnum(r, i, S_MAD),
	    "scale", inv_jnum(r, i, S_SCALE), "value", inv_jnum(r, i, S_VAL),
	    "base_minutes", (json_int_t)db_res_ll(r, i, S_NB),
	    "after_minutes", (json_int_t)db_res_ll(r, i, S_NA),
	    "abnormal_minutes", (json_int_t)db_res_ll(r, i, S_NABN),
	    "series_abnormal", (json_int_t)db_res_ll(r, i, S_NSERIES),
	    "counts", strcmp(db_res_get(r, i, S_COUNTS), "t") == 0,
	    "flapping", s->flapping);
	json_object_set_new(d, "cycles", json_integer(db_res_ll(r, i,
	    S_CYCLES)));
	if (s->spike)
		json_object_set_new(d, "spike", json_true());
	o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:f, s:o, s:o, s:o,"
	    " s:o, s:o, s:s, s:o}",
	    "dedupe_key", key, "signal_type", s->type,
	    "service_id", (json_int_t)s->svc,
	    "metric_name", db_res_get(r, i, S_METRIC),
	    "labels_key", labels != NULL ? labels : "",
	    "severity", severity_name(s->sev),
	    "quality", round(s->q * 1000) / 1000,
	    "onset_at", inv_jstr(r, i, S_ONSET),
	    "peak_at", inv_jstr(r, i, S_PEAKAT),
	    "ended_at", inv_jstr(r, i, S_END),
	    "baseline", inv_jnum(r, i, S_BASE),
	    "peak_value", inv_jnum(r, i, S_PEAKV),
	    "direction", db_res_get(r, i, S_DIR), "details", d);
	free(key);
	return o;
}

/* Scores the moment, writes the incident, its decision and signals. */
static int
inv_open(struct inv *v, char **cause)
{
	struct db_res *r = NULL, *q;
	struct inv_sig *sg = NULL, *top = NULL;
	json_t *pol = inv_policy_json(), *rows = json_array(), *det = NULL,
	    *elsewhere = json_array();
	char *pdump = NULL, *rdump = NULL, *ddump = NULL, *title = NULL,
	    *why = NULL, w[24], bs[24], bmax[24], bmin[24], breq[24], qt[24],
	    zm[24], ons[24], rmin[24], rrat[24], mads[24], inc[24], sf[24];
	long long mainsvc, scored = 0;
	int n = 0, i, j, kept = 0, nsvc = 0, sev = 0, rc = -1, dup;
	double flapcyc;
	size_t k;

	pdump = jsonx_dump(pol);
	r = DBQ(v->pc.db, cause, inv_sql_score, v->pc.project, v->at_ts,
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
	if (r == NULL)
		goto out;
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

		scored = db_res_ll(r, i, S_SCORED);
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
	/* The mainsvc service: the one named, else the strongest anomaly's. */
	for (i = 0; i < n; i++)
		if (top == NULL || inv_strength(&sg[i]) > inv_strength(top))
			top = &sg[i];
	mainsvc = v->svc_id != 0 ? v->svc_id : top != NULL ? top->svc : 0;
	if (n > 0 && inv_cluster(v, sg, n, mainsvc, cause) != 0)
		goto out;
	/* Keep the strongest of the cluster (traffic shifts first, those
	 * no shifting caller feeds before them: where a surge enters is read
	 * from which callers surge, so the cap must not cut them for stronger
	 * symptoms); the rest is elsewhere. */
	top = NULL;
	for (;;) {
		struct inv_sig *best = NULL;

		for (i = 0; i < n; i++)
			if (sg[i].keep == 1 && (best == NULL ||
			    inv_keep_before(&sg[i], best)))
				best = &sg[i];
		if (best == NULL)
			break;
		best->keep = 2;		/* taken */
		if (kept >= INVESTIGATE_MAX_SIGNALS) {
			best->keep = 3;	/* beyond the cap */
			continue;
		}
		if (top == NULL || inv_strength(best) > inv_strength(top))
			top = best;
		kept++;
		if (best->sev > sev)
			sev = best->sev;
		json_array_append_new(rows, inv_signal_json(v, r, best));
	}
	/* the services they are on */
	for (i = 0; i < n; i++) {
		for (dup = 0, j = 0; j < i && !dup; j++)
			dup = sg[j].keep == 2 && sg[j].svc == sg[i].svc;
		if (sg[i].keep == 2 && !dup)
			nsvc++;
	}
	for (i = 0; i < n; i++) {
		const char *name = db_res_get(r, sg[i].row, S_SVCNAME);

		if (sg[i].keep != 0)
			continue;
		for (dup = 0, k = 0; k < json_array_size(elsewhere) && !dup; k++)
			dup = strcmp(json_string_value(json_array_get(elsewhere,
			    k)), name) == 0;
		if (!dup)
			json_array_append_new(elsewhere, json_string(name));
	}
	v->res->signals = kept;
	v->res->services = nsvc;
	v->res->elsewhere = (int)json_array_size(elsewhere);
	if (v->o->need_abnormal) {
		for (dup = 0, i = 0; i < n && !dup; i++)
			dup = sg[i].keep == 2 && !sg[i].flapping &&
			    !sg[i].spike;
		if (!dup) {
			pipeline_count(&v->pc, "investigate", "scored_series",
			    scored);
			pipeline_count(&v->pc, "investigate", "abnormal_series", n);
			pipeline_count(&v->pc, "investigate", "incident", 0);
			v->pc.stop = 1;
			rc = 0;
			goto out;
		}
	}

	/* The incident: opened, or updated by a re-run of the same moment. */
	title = inv_title(v, r, top, nsvc);
	det = json_pack("{s:s, s:s, s:s, s:i, s:I, s:i, s:i, s:O}",
	    "source", "investigate",
	    "requested_by", v->o->actor != NULL ? v->o->actor : "unknown",
	    "at", v->at_ts, "window_seconds", v->window,
	    "scored_series", (json_int_t)scored, "abnormal_series", n,
	    "signals", kept, "elsewhere", elsewhere);
	json_object_set_new(det, "service", v->o->service != NULL ?
	    json_string(v->o->service) : json_null());
	json_object_set_new(det, "strongest_signal_type", top != NULL ?
	    json_string(top->type) : json_null());
	ddump = jsonx_dump(det);
	q = DBQ(v->pc.db, cause,
	    "INSERT INTO midwatch.incidents AS i (project_id, run_id, dedupe_key,"
	    " service_id, status, trigger_type, severity, title, window_start,"
	    " window_end, details)"
	    " VALUES ($1, $2, $3, $4, 'open', 'investigation', $5, $6,"
	    "  $7::timestamptz, $7::timestamptz + make_interval(secs => $8::float8),"
	    "  $9::jsonb)"
	    " ON CONFLICT (project_id, dedupe_key) DO UPDATE SET"
	    "  run_id = EXCLUDED.run_id, service_id = EXCLUDED.service_id,"
	    "  status = CASE WHEN i.status_source = 'feedback' THEN i.status"
	    "   ELSE EXCLUDED.status END,"
	    "  trigger_type = EXCLUDED.trigger_type, severity = EXCLUDED.severity,"
	    "  title = EXCLUDED.title, window_start = EXCLUDED.window_start,"
	    "  window_end = EXCLUDED.window_end,"
	    "  details = i.details || EXCLUDED.details"
	    " RETURNING id", v->pc.project, v->pc.run, v->key,
	    mainsvc != 0 ? pipeline_ll(inc, sizeof inc, mainsvc) : NULL,
	    severity_name(sev), title, v->at_ts, w, ddump);
	if (q == NULL)
		goto out;
	v->res->incident_id = db_res_ll(q, 0, 0);
	db_res_free(q);
	pipeline_ll(inc, sizeof inc, v->res->incident_id);
	why = xasprintf("investigation requested by %s at %s",
	    v->o->actor != NULL ? v->o->actor : "unknown", v->at_ts);
	if (DBX(v->pc.db, cause,
	    "INSERT INTO midwatch.incident_decisions AS d (project_id, run_id,"
	    " incident_id, decision, rationale, policy_version, details)"
	    " VALUES ($1, $2, $3, 'approved', $4, $5,"
	    "  '{\"source\": \"investigate\"}')"
	    " ON CONFLICT (project_id, incident_id, policy_version) DO UPDATE SET"
	    "  run_id = EXCLUDED.run_id, decision = EXCLUDED.decision,"
	    "  rationale = EXCLUDED.rationale, details = EXCLUDED.details,"
	    "  decided_at = CASE WHEN d.decision = EXCLUDED.decision"
	    "   THEN d.decided_at ELSE now() END",
	    v->pc.project, v->pc.run, inc, why, PIPELINE_POLICY_VERSION) != 0)
		goto out;
	rdump = jsonx_dump(rows);
	if (DBX(v->pc.db, cause,
	    "INSERT INTO midwatch.signals AS s (project_id, run_id, dedupe_key,"
	    " signal_type, status, service_id, metric_name, labels_key, severity,"
	    " quality_score, onset_at, peak_at, ended_at, baseline, peak_value,"
	    " direction, incident_id, details)"
	    " SELECT $1, $2, x.dedupe_key, x.signal_type, 'diagnosed',"
	    "  x.service_id, x.metric_name, x.labels_key, x.severity, x.quality,"
	    "  x.onset_at, x.peak_at, greatest(x.ended_at, x.onset_at),"
	    "  x.baseline, x.peak_value, x.direction, $3, x.details"
	    " FROM jsonb_to_recordset($4::jsonb) AS x (dedupe_key text,"
	    "  signal_type text, service_id bigint, metric_name text,"
	    "  labels_key text, severity text, quality real, onset_at timestamptz,"
	    "  peak_at timestamptz, ended_at timestamptz, baseline float8,"
	    "  peak_value float8, direction text, details jsonb)"
	    " ON CONFLICT (project_id, dedupe_key) DO UPDATE SET"
	    "  run_id = EXCLUDED.run_id, signal_type = EXCLUDED.signal_type,"
	    "  status = EXCLUDED.status, service_id = EXCLUDED.service_id,"
	    "  metric_name = EXCLUDED.metric_name, labels_key = EXCLUDED.labels_key,"
	    "  severity = EXCLUDED.severity, quality_score = EXCLUDED.quality_score,"
	    "  onset_at = EXCLUDED.onset_at, peak_at = EXCLUDED.peak_at,"
	    "  ended_at = EXCLUDED.ended_at, baseline = EXCLUDED.baseline,"
	    "  peak_value = EXCLUDED.peak_value, direction = EXCLUDED.direction,"
	    "  incident_id = EXCLUDED.incident_id, details = EXCLUDED.details",
	    v->pc.project, v->pc.run, inc, rdump) != 0)
		goto out;
	/* What a re-run of the same moment no longer finds goes. */
	if (DBX(v->pc.db, cause,
	    "DELETE FROM midwatch.signals WHERE project_id = $1"
	    " AND incident_id = $3 AND run_id IS DISTINCT FROM $2"
	    " AND details ->> 'source' = 'investigate'",
	    v->pc.project, v->pc.run, inc) != 0)
		goto out;
	if (inv_audit(v, v->res->incident_id, cause) != 0)
		goto out;
	pipeline_count(&v->pc, "investigate", "scored_series", scored);
	pipeline_count(&v->pc, "investigate", "abnormal_series", n);
	pipeline_count(&v->pc, "investigate", "signals", kept);
	pipeline_count(&v->pc, "investigate", "services", nsvc);
	pipeline_count(&v->pc, "investigate", "elsewhere",
	    (long long)json_array_size(elsewhere));
	pipeline_count(&v->pc, "investigate", "incident", v->res->incident_id);
	rc = 0;
out:
	free(pdump);
	free(rdump);
	free(ddump);
	free(title);
	free(why);
	free(sg);
	json_decref(pol);
	json_decref(rows);
	json_decref(det);
	json_decref(elsewhere);
	db_res_free(r);
	return rc;
}

/* The stage "investigate": the incident that covers the moment, or a new
 * one from the scores (the stages after it work on the run's incident). */
static int
inv_stage(struct pipeline_ctx *ctx, char **cause)
{
	struct inv *v = (struct inv *)ctx;

	if (v->reuse_id != 0) {
		v->res->incident_id = v->reuse_id;
		v->res->reused = 1;
		pipeline_count(ctx, "investigate", "incident", v->reuse_id);
		pipeline_count(ctx, "investigate", "reused", 1);
		return inv_audit(v, v->reuse_id, cause);
	}
	return inv_open(v, cause);
}

/* A new incident: scored, then the pipeline's own later stages. */
static const struct pipeline_stage inv_stages[] = {
	{ "investigate", inv_stage },
	{ "evidence", stage_evidence_run },
	{ "hypothesize", stage_hypothesize_run },
	{ "recommend", stage_recommend_run },
	{ "report", stage_report_run },
	{ NULL, NULL }
};

/* An incident already covers the moment: it is the answer as it is. */
static const struct pipeline_stage inv_stages_reuse[] = {
	{ "investigate", inv_stage },
	{ NULL, NULL }
};

/* ---- before the run ------------------------------------------------------- */

/* Resolves --service; 0, INVESTIGATE_REFUSED or -1 with *cause. */
static int
inv_service(struct inv *v, char **cause)
{
	struct db_res *r;
	int rc = 0;

	if (v->o->service == NULL)
		return 0;
	r = DBQ(v->pc.db, cause,
	    "SELECT id FROM midwatch.services WHERE project_id = $1"
	    " AND name = $2 ORDER BY id", v->pc.project, v->o->service);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) == 0) {
		*cause = xasprintf("no service named '%s' in this project",
		    v->o->service);
		rc = INVESTIGATE_REFUSED;
	} else if (db_res_rows(r) > 1) {
		*cause = xasprintf("the service name '%s' is ambiguous: %d services "
		    "(in different clusters or namespaces) have it",
		    v->o->service, db_res_rows(r));
		rc = INVESTIGATE_REFUSED;
	} else {
		v->svc_id = db_res_ll(r, 0, 0);
		pipeline_ll(v->svc, sizeof v->svc, v->svc_id);
	}
	db_res_free(r);
	return rc;
}

/* Whether there are points to compare: before the moment (within the
 * baseline's reach) and after it (within the window); else says why. */
static int
inv_data(struct inv *v, char **cause)
{
	struct db_res *r;
	char w[24], reach[24];
	int before, after, rc = 0;
	const char *lo, *hi;

	r = DBQ(v->pc.db, cause,
	    "SELECT EXISTS (SELECT 1 FROM midwatch.metric_points"
	    "  WHERE project_id = $1 AND ts < $2::timestamptz"
	    "  AND ts >= $2::timestamptz - make_interval(secs => $4::float8)),"
	    " EXISTS (SELECT 1 FROM midwatch.metric_points"
	    "  WHERE project_id = $1 AND ts >= $2::timestamptz"
	    "  AND ts < $2::timestamptz + make_interval(secs => $3::float8))",
	    v->pc.project, v->at_ts, pipeline_ll(w, sizeof w, v->window),
	    pipeline_ll(reach, sizeof reach, INVESTIGATE_BASE_MAX_SECONDS));
	if (r == NULL)
		return -1;
	before = strcmp(db_res_get(r, 0, 0), "t") == 0;
	after = strcmp(db_res_get(r, 0, 1), "t") == 0;
	db_res_free(r);
	if (before && after)
		return 0;
	/* Only now the (slower) range of the whole data, for the message. */
	r = DBQ(v->pc.db, cause,
	    "SELECT " SQL_RFC3339("min(ts)") ", " SQL_RFC3339("max(ts)") ","
	    " min(ts) >= $2::timestamptz, max(ts) < $2::timestamptz,"
	    " min(ts) = $2::timestamptz"
	    " FROM midwatch.metric_points WHERE project_id = $1",
	    v->pc.project, v->at_ts);
	if (r == NULL)
		return -1;
	lo = db_res_get(r, 0, 0);
	hi = db_res_get(r, 0, 1);
	if (lo == NULL)
		*cause = xstrdup("the project has no metric points to investigate "
		    "(ingest some first)");
	else if (strcmp(db_res_get(r, 0, 4), "t") == 0)
		*cause = xasprintf("nothing before %s to compare with: the "
		    "project's metric points start there", v->at_ts);
	else if (strcmp(db_res_get(r, 0, 2), "t") == 0)
		*cause = xasprintf("%s is before the project's data (its metric "
		    "points start at %s): nothing before it to compare with",
		    v->at_ts, lo);
	else if (strcmp(db_res_get(r, 0, 3), "t") == 0)
		*cause = xasprintf("%s is after the project's newest data (%s): "
		    "nothing after it to score", v->at_ts, hi);
	else if (!before)
		*cause = xasprintf("no metric points in the %d hours before %s to "
		    "compare with (the data runs from %s to %s)",
		    INVESTIGATE_BASE_MAX_SECONDS / 3600, v->at_ts, lo, hi);
	else
		*cause = xasprintf("no metric points in the %d minutes after %s "
		    "(the data runs from %s to %s)", v->window / 60, v->at_ts, lo,
		    hi);
	rc = INVESTIGATE_REFUSED;
	db_res_free(r);
	return rc;
}

/* The open, approved incident that covers the moment (for a service: one
 * whose services include it), other than this very investigation's; 0
 * when none, -1 on error. */
static long long
inv_covering(struct inv *v, char **cause)
{
	struct db_res *r;
	char slack[24];
	long long id = 0;

	r = DBQ(v->pc.db, cause,
	    "SELECT i.id FROM midwatch.incidents i"
	    " WHERE i.project_id = $1 AND i.status IN ('open', 'triaged')"
	    " AND midwatch.incident_decision(i.project_id, i.id) = 'approved'"
	    " AND i.window_start - make_interval(secs => $3::float8)"
	    "  <= $2::timestamptz"
	    " AND i.window_end + make_interval(secs => $3::float8)"
	    "  >= $2::timestamptz"
	    " AND NOT (i.dedupe_key = $4 AND i.trigger_type = 'investigation')"
	    " AND ($5::bigint IS NULL OR i.service_id = $5::bigint"
	    "  OR EXISTS (SELECT 1 FROM midwatch.signals s"
	    "   WHERE s.project_id = i.project_id AND s.incident_id = i.id"
	    "   AND s.service_id = $5::bigint))"
	    " ORDER BY i.trigger_type = 'investigation',"
	    "  abs(extract(epoch FROM i.window_start - $2::timestamptz)), i.id"
	    " LIMIT 1", v->pc.project, v->at_ts,
	    pipeline_ll(slack, sizeof slack, INVESTIGATE_COVER_SLACK), v->key,
	    v->svc_id != 0 ? v->svc : NULL);
	if (r == NULL)
		return -1;
	if (db_res_rows(r) > 0)
		id = db_res_ll(r, 0, 0);
	db_res_free(r);
	return id;
}

/* ---- the run -------------------------------------------------------------- */

/* Investigates one moment (see investigate.h). */
int
investigate_run(struct db *db, long long project_id,
    const struct investigate_opts *opts, struct investigate_result *res,
    char **cause)
{
	struct inv v;
	struct db_res *r;
	char lockkey[32], end[32], *why = NULL;
	const char *by;
	int got, rc, relinked = 0;

	memset(res, 0, sizeof *res);
	memset(&v, 0, sizeof v);
	v.o = opts;
	v.res = res;
	v.pc.db = db;
	v.pc.project_id = project_id;
	pipeline_ll(v.pc.project, sizeof v.pc.project, project_id);
	v.at = floor(opts->at);
	v.window = opts->window > 0 ? opts->window : INVESTIGATE_DEFAULT_WINDOW;
	if (v.window < INVESTIGATE_MIN_WINDOW || v.window > INVESTIGATE_MAX_WINDOW) {
		*cause = xasprintf("the window must be from %ds to %dh",
		    INVESTIGATE_MIN_WINDOW, INVESTIGATE_MAX_WINDOW / 3600);
		return INVESTIGATE_REFUSED;
	}
	timefmt_format(v.at, v.at_ts, sizeof v.at_ts);
	timefmt_format(v.at + v.window, end, sizeof end);
	v.pc.start = v.at;
	v.pc.end = v.at + v.window;
	snprintf(v.pc.start_ts, sizeof v.pc.start_ts, "%s", v.at_ts);
	snprintf(v.pc.end_ts, sizeof v.pc.end_ts, "%s", end);
	v.pc.progress = opts->progress;
	v.pc.progress_arg = opts->progress_arg;
	by = opts->requested_by != NULL ? opts->requested_by : "cli";

	if ((rc = inv_service(&v, cause)) != 0)
		return rc;
	if (v.svc_id != 0)
		snprintf(v.key, sizeof v.key, "investigate:%.0f:%lld", v.at,
		    v.svc_id);
	else
		snprintf(v.key, sizeof v.key, "investigate:%.0f", v.at);
	if ((rc = inv_data(&v, cause)) != 0)
		return rc;

	pipeline_ll(lockkey, sizeof lockkey, DB_LOCK_PIPELINE + project_id);
	got = db_try_lock(db, DB_LOCK_PIPELINE + project_id, cause);
	if (got < 0)
		return -1;
	if (got == 0) {
		*cause = pipeline_lock_holder(db, project_id, lockkey);
		return INVESTIGATE_LOCKED;
	}
	rc = -1;
	if (pipeline_reap_abandoned(db, v.pc.project, cause) != 0)
		goto out;
	v.reuse_id = inv_covering(&v, cause);
	if (v.reuse_id < 0)
		goto out;
	r = DBQ(db, cause,
	    "INSERT INTO midwatch.pipeline_runs (project_id, kind, status,"
	    " window_start, window_end, requested_by)"
	    " VALUES ($1, 'investigate', 'pending', $2, $3, $4) RETURNING id",
	    v.pc.project, v.pc.start_ts, v.pc.end_ts, by);
	if (r == NULL)
		goto out;
	v.pc.run_id = db_res_ll(r, 0, 0);
	db_res_free(r);
	pipeline_ll(v.pc.run, sizeof v.pc.run, v.pc.run_id);
	res->run_id = v.pc.run_id;
	if (DBX(db, cause, "UPDATE midwatch.pipeline_runs SET status = 'running',"
	    " started_at = now() WHERE project_id = $1 AND id = $2",
	    v.pc.project, v.pc.run) != 0)
		goto out;
	v.pc.summary = json_object();
	rc = pipeline_run_stages(db, &v.pc, v.reuse_id != 0 ? inv_stages_reuse :
	    inv_stages, &relinked, cause);
	json_decref(v.pc.summary);
	json_decref(v.pc.skipped);
	json_decref(v.pc.skipped_keys);
	if (rc == 0)
		log_debug("investigation %s: run %lld, incident %lld", v.key,
		    res->run_id, res->incident_id);
out:
	if (!relinked && db_alive(db) &&
	    db_unlock(db, DB_LOCK_PIPELINE + project_id, &why) != 0) {
		log_warn("cannot release the pipeline lock: %s", why);
		free(why);
	}
	return rc;
}
