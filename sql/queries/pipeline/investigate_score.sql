-- pipeline/investigate_score - scores every series against its baseline around
-- the moment.  Minutes are counted from the moment (k < 0 before it).  One row
-- per abnormal (service, metric, direction) - its most abnormal series - plus
-- the number of series scored (a row of NULLs when nothing is abnormal).
-- $1 project id
-- $2 the moment
-- $3 window (seconds)
-- $4 the per-metric policy (JSON array)
-- $5 baseline (seconds)
-- $6 baseline reach (seconds)
-- $7 baseline minimum minutes
-- $8 baseline minutes required
-- $9 quantile
-- $10 z minimum
-- $11 onset lookback (seconds)
-- $12 restarts minimum
-- $13 restarts ratio
-- $14 MAD scale
-- $15 the short factor (detect.short_factor: two consecutive minutes this
-- many times as far out, on the z and the material change, are abnormal
-- however short the fault)
-- columns: n service_id svc_name metric_name labels_key dir stype zq val
-- columns: baseline vpeak ton tpeak tend nabn na nb med mad scale nseries
-- columns: fmt_val fmt_base counts cycles runpts short_ok lvl_ok
WITH pol AS (SELECT * FROM jsonb_to_recordset($4::jsonb) AS p (metric text,
 up_type text, down_type text, floor_abs float8, floor_rel float8,
 min_abs float8, min_rel float8, min_level float8, sat_level float8,
 sat_rise float8, counts boolean)),
-- per series and minute: the mean (a level), the sum (a count), the first
-- and last point's time
pts AS (SELECT m.service_id, m.metric_name, m.labels_key,
 floor(extract(epoch FROM m.ts - $2::timestamptz) / 60)::int AS k,
 avg(midwatch.metric_value(m.value)) AS va,
 sum(midwatch.metric_value(m.value)) AS vs,
 min(m.ts) AS t0, max(m.ts) AS t1
 FROM midwatch.metric_points m WHERE m.project_id = $1
 AND m.ts >= $2::timestamptz - make_interval(secs => $6::float8)
 AND m.ts < $2::timestamptz + make_interval(secs => $3::float8)
 GROUP BY 1, 2, 3, 4),
-- the baseline: the last hour, or the last $7 minutes with data
ranked AS (SELECT p.*, row_number() OVER (PARTITION BY p.service_id,
 p.metric_name, p.labels_key ORDER BY p.k DESC) AS rn
 FROM pts p WHERE p.k < 0),
base AS (SELECT * FROM ranked
 WHERE k >= -($5::float8 / 60) OR rn <= $7::int),
med AS (SELECT service_id, metric_name, labels_key, count(*) AS nb,
 percentile_cont(0.5) WITHIN GROUP (ORDER BY va) AS med,
 sum(vs) AS bsum, -min(k) AS bspan
 FROM base GROUP BY 1, 2, 3 HAVING count(*) >= $8::int),
-- MATERIALIZED: once per statement, never once per series (a planner
-- without statistics on fresh partitions would nest it)
mad AS MATERIALIZED (SELECT b.service_id, b.metric_name, b.labels_key,
 percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(b.va - d.med)) AS mad
 FROM base b JOIN med d USING (service_id, metric_name, labels_key)
 GROUP BY 1, 2, 3),
st AS (SELECT d.*, x.mad, pol.*,
 coalesce(mn.bad_direction, 'both') AS bad,
 greatest($14::float8 * x.mad, pol.floor_rel * abs(d.med),
  pol.floor_abs) AS scale
 FROM med d JOIN mad x USING (service_id, metric_name, labels_key)
 JOIN pol ON pol.metric = coalesce((SELECT q.metric FROM pol q
  WHERE q.metric = d.metric_name), '*')
 LEFT JOIN midwatch.metric_names mn ON mn.project_id = $1
  AND mn.metric_name = d.metric_name),
-- z of every minute from the onset lookback on, and of its neighbours
zp AS (SELECT p.service_id, p.metric_name, p.labels_key, p.k, p.va, p.vs,
 p.t0, p.t1, st.sat_level, (p.va - st.med) / st.scale AS z
 FROM pts p JOIN st USING (service_id, metric_name, labels_key)
 WHERE p.k >= -ceil($11::float8 / 60)),
zl AS (SELECT zp.*,
 lead(z) OVER (PARTITION BY service_id, metric_name, labels_key
  ORDER BY k) AS znext,
 lead(va) OVER (PARTITION BY service_id, metric_name, labels_key
  ORDER BY k) AS vnext,
 lag(z) OVER (PARTITION BY service_id, metric_name, labels_key
  ORDER BY k) AS zprev FROM zp),
agg AS MATERIALIZED (SELECT service_id, metric_name, labels_key,
 count(*) FILTER (WHERE k >= 0) AS na,
 percentile_cont($9::float8) WITHIN GROUP (ORDER BY z)
  FILTER (WHERE k >= 0) AS zhi,
 percentile_cont(1 - $9::float8) WITHIN GROUP (ORDER BY z)
  FILTER (WHERE k >= 0) AS zlo,
 percentile_cont($9::float8) WITHIN GROUP (ORDER BY va)
  FILTER (WHERE k >= 0) AS vhi,
 percentile_cont(1 - $9::float8) WITHIN GROUP (ORDER BY va)
  FILTER (WHERE k >= 0) AS vlo,
 count(*) FILTER (WHERE k >= 0 AND z >= $10::float8) AS nup,
 count(*) FILTER (WHERE k >= 0 AND z <= -$10::float8) AS ndown,
 count(*) FILTER (WHERE k >= 0 AND vs > 0) AS ncnt,
 -- the onset: the first minute abnormal with the next one too (else the
 -- first abnormal, else the first at the saturation level)
 (array_agg(t0 ORDER BY k) FILTER (WHERE z >= $10::float8
  AND coalesce(znext >= $10::float8, true)))[1] AS ton_up,
 (array_agg(t0 ORDER BY k) FILTER (WHERE z <= -$10::float8
  AND coalesce(znext <= -$10::float8, true)))[1] AS ton_down,
 (array_agg(t0 ORDER BY k) FILTER (WHERE z >= $10::float8))[1] AS tf_up,
 (array_agg(t0 ORDER BY k) FILTER (WHERE z <= -$10::float8))[1]
  AS tf_down,
 (array_agg(t0 ORDER BY k) FILTER (WHERE va >= sat_level))[1] AS tf_lvl,
 (array_agg(t0 ORDER BY k) FILTER (WHERE vs > 0))[1] AS ton_cnt,
 max(t1) FILTER (WHERE k >= 0 AND z >= $10::float8) AS tend_up,
 max(t1) FILTER (WHERE k >= 0 AND z <= -$10::float8) AS tend_down,
 max(t1) FILTER (WHERE k >= 0 AND vs > 0) AS tend_cnt,
 max(t1) FILTER (WHERE k >= 0 AND va >= sat_level) AS tend_lvl,
 (array_agg(t0 ORDER BY z DESC, k) FILTER (WHERE k >= 0))[1] AS tpk_up,
 (array_agg(va ORDER BY z DESC, k) FILTER (WHERE k >= 0))[1] AS pv_up,
 (array_agg(t0 ORDER BY z, k) FILTER (WHERE k >= 0))[1] AS tpk_down,
 (array_agg(va ORDER BY z, k) FILTER (WHERE k >= 0))[1] AS pv_down,
 (array_agg(t0 ORDER BY vs DESC, k) FILTER (WHERE k >= 0))[1] AS tpk_cnt,
 -- times it went abnormal (from normal): a flapping series cycles
 count(*) FILTER (WHERE z >= $10::float8
  AND coalesce(zprev < $10::float8, true)) AS cyc_up,
 count(*) FILTER (WHERE z <= -$10::float8
  AND coalesce(zprev > -$10::float8, true)) AS cyc_down,
 -- abnormal points next to another abnormal one: none when every excursion
 -- is one isolated point (flipping at a coarse step)
 count(*) FILTER (WHERE z >= $10::float8 AND (coalesce(zprev
  >= $10::float8, false) OR coalesce(znext >= $10::float8, false)))
  AS run_up,
 count(*) FILTER (WHERE z <= -$10::float8 AND (coalesce(zprev
  <= -$10::float8, false) OR coalesce(znext <= -$10::float8, false)))
  AS run_down,
 sum(vs) FILTER (WHERE k >= 0) AS asum,
 -- the strongest two consecutive minutes after the moment: a short fault is
 -- abnormal when even the weaker of the two is far out
 max(least(z, znext)) FILTER (WHERE k >= 0 AND znext IS NOT NULL)
  AS zs_up,
 max(-greatest(z, znext)) FILTER (WHERE k >= 0 AND znext IS NOT NULL)
  AS zs_down,
 (array_agg(least(va, vnext) ORDER BY least(z, znext) DESC, k)
  FILTER (WHERE k >= 0 AND znext IS NOT NULL))[1] AS vs_up,
 (array_agg(greatest(va, vnext) ORDER BY greatest(z, znext), k)
  FILTER (WHERE k >= 0 AND znext IS NOT NULL))[1] AS vs_down
 FROM zl GROUP BY 1, 2, 3),
-- each direction of each series, judged
c AS (SELECT a.*, st.med, st.mad, st.scale, st.nb, st.bad, st.counts,
 st.min_abs, st.min_rel, st.min_level, st.sat_level, st.sat_rise,
 st.metric AS pmetric, d.dir,
 CASE WHEN d.dir = 'up' THEN st.up_type ELSE st.down_type END AS stype,
 st.bsum * ($3::float8 / 60) / greatest(st.bspan, 1) AS expect
 FROM agg a JOIN st USING (service_id, metric_name, labels_key)
 CROSS JOIN (VALUES ('up'), ('down')) d (dir) WHERE a.na > 0),
j0 AS (SELECT c.*,
 CASE WHEN counts THEN (asum - expect) / sqrt(expect + 1)
  WHEN dir = 'up' THEN zhi ELSE -zlo END AS zq0,
 CASE WHEN counts THEN asum WHEN dir = 'up' THEN vhi ELSE vlo END AS val0,
 CASE WHEN counts THEN NULL WHEN dir = 'up' THEN zs_up ELSE zs_down END
  AS zs,
 CASE WHEN counts THEN NULL WHEN dir = 'up' THEN vs_up ELSE vs_down END
  AS vs2,
 CASE WHEN counts THEN expect ELSE med END AS baseline,
 coalesce(CASE WHEN counts THEN ton_cnt WHEN dir = 'up'
  THEN coalesce(ton_up, tf_up, tf_lvl) ELSE coalesce(ton_down, tf_down)
  END, $2::timestamptz) AS ton,
 CASE WHEN counts THEN tend_cnt WHEN dir = 'up'
  THEN coalesce(tend_up, tend_lvl) ELSE tend_down END AS tend,
 CASE WHEN counts THEN tpk_cnt WHEN dir = 'up' THEN tpk_up
  ELSE tpk_down END AS tpeak,
 CASE WHEN counts THEN asum WHEN dir = 'up' THEN pv_up
  ELSE pv_down END AS vpeak,
 CASE WHEN counts THEN ncnt WHEN dir = 'up' THEN nup ELSE ndown END AS nabn,
 CASE WHEN counts THEN 0 WHEN dir = 'up' THEN cyc_up ELSE cyc_down END
  AS cycles,
 CASE WHEN counts THEN 1 WHEN dir = 'up' THEN run_up ELSE run_down END
  AS runpts
 FROM c WHERE stype IS NOT NULL
 AND (pmetric <> '*' OR bad = 'both' OR bad = dir)),
-- short: the two minutes pass every test $15 times over; its strength is
-- its z divided by that factor, as far as it beats the quantile's
j1 AS (SELECT j0.*, coalesce(zs >= $15::float8 * $10::float8
  AND abs(vs2 - med) >= $15::float8 * greatest(min_abs,
   min_rel * abs(med))
  AND (dir = 'down' OR min_level IS NULL OR vs2 >= min_level), false)
  AS short_ok FROM j0),
j AS (SELECT j1.*,
 CASE WHEN short_ok AND zs / $15::float8 > zq0 THEN zs / $15::float8
  ELSE zq0 END AS zq,
 CASE WHEN short_ok AND zs / $15::float8 > zq0 THEN vs2
  ELSE val0 END AS val,
 coalesce(dir = 'up' AND sat_level IS NOT NULL AND val0 >= sat_level
  AND val0 - med >= sat_rise, false) AS lvl_ok FROM j1),
-- abnormal: a robust z and a material change, or (utilisation) a level near
-- the limit reached by a real rise, or two minutes of a short fault, or
-- (counts) enough
ok AS (SELECT j.*, count(*) OVER (PARTITION BY service_id, metric_name,
  dir) AS nseries FROM j
 WHERE CASE WHEN counts THEN asum >= $12::float8
   AND asum >= $13::float8 * expect
  ELSE (zq0 >= $10::float8
   AND abs(val0 - med) >= greatest(min_abs, min_rel * abs(med))
   AND (dir = 'down' OR min_level IS NULL OR val0 >= min_level))
   OR lvl_ok OR short_ok END),
best AS (SELECT DISTINCT ON (service_id, metric_name, dir) ok.*
 FROM ok ORDER BY service_id, metric_name, dir, zq DESC, labels_key),
res AS (SELECT b.*, v.name AS svc_name FROM best b
 JOIN midwatch.services v ON v.project_id = $1 AND v.id = b.service_id)
SELECT sc.n, r.service_id, r.svc_name, r.metric_name, r.labels_key,
 r.dir, r.stype, r.zq, r.val, r.baseline, r.vpeak,
 midwatch.rfc3339_us(r.ton) AS ton,
 midwatch.rfc3339_us(r.tpeak) AS tpeak,
 midwatch.rfc3339_us(r.tend) AS tend,
 r.nabn, r.na, r.nb, r.med, r.mad, r.scale, r.nseries,
 midwatch.pipeline_fmt_metric(r.metric_name, r.val) AS fmt_val,
 midwatch.pipeline_fmt_metric(r.metric_name, r.baseline) AS fmt_base, r.counts,
 r.cycles, r.runpts, r.short_ok, r.lvl_ok
FROM (SELECT count(*) AS n FROM st) sc LEFT JOIN res r ON true
ORDER BY r.zq DESC NULLS LAST, r.service_id, r.metric_name, r.dir
