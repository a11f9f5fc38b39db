-- 018_stats.sql - the weekly view (issue 10, seed 004): the report
-- catalogue computed into metric_snapshots by recompute runs.
--
--  * pipeline_runs.kind gains 'stats': a recompute run (`midwatch stats
--    recompute`, or the pipeline runner for closed buckets), pending ->
--    running -> completed | failed like any run, under the project's
--    pipeline lock (so a runner that died is reaped as failed the same way,
--    midwatch.reap_dead_runs).  Like 'investigate' it never moves the
--    watermark nor counts for health.
--  * report_definitions.config.metrics: the metrics each report holds, in
--    order, with their unit (count, rate per day, share 0..1, seconds) and a
--    short label; config.top, how many rows a ranking shows; config.trend,
--    the metric of the total ('*') row the console draws as a sparkline
--    (else the first); so the CLI and the console print any report from
--    the catalogue.  Two more
--    reports: response-times and hypothesis-precision.
--  * midwatch.stats_compute: every report of the catalogue for the day or
--    week buckets (date_trunc in UTC) of a range, as rows -- all the
--    aggregation is here.  midwatch.stats_replace deletes and rebuilds the
--    snapshots of a range in the caller's transaction (a run killed half-way
--    leaves the previous snapshots).  midwatch.stats_due: the closed buckets
--    not computed yet or whose data changed since.
--
-- Bucket time (data time): an incident by its window_start, an alert by
-- when it last fired (its created_at for one that never fired).  Durations
-- (to acknowledge, to resolve) are wall-clock, from the row's created_at to
-- the first feedback event that acknowledged or resolved it.  Only
-- published rows count (015: a run's rows until it completes do not);
-- suppressed incidents are not incidents of the volume.
--
-- Idempotent; runs in the migration runner's transaction.

-- pipeline_runs.kind: add 'stats' to whatever the kinds are by now.
DO $$
DECLARE
	def text;
	kinds text[];
BEGIN
	SELECT pg_get_constraintdef(c.oid) INTO def
	  FROM pg_constraint c
	 WHERE c.conrelid = 'midwatch.pipeline_runs'::regclass
	   AND c.conname = 'pipeline_runs_kind_check';
	-- the quoted literals of IN ('a', 'b') or of = ANY ('{a,b}'::text[])
	SELECT coalesce(array_agg(DISTINCT k), '{}') INTO kinds
	  FROM regexp_matches(coalesce(def, ''), '''([^'']+)''', 'g') AS m,
	       regexp_split_to_table(btrim(m[1], '{}'), ',') AS k;
	IF NOT 'stats' = ANY (kinds) THEN
		kinds := kinds || ARRAY['pipeline', 'investigate', 'stats'];
		SELECT array_agg(DISTINCT k ORDER BY k) INTO kinds FROM unnest(kinds) k;
		ALTER TABLE midwatch.pipeline_runs
			DROP CONSTRAINT IF EXISTS pipeline_runs_kind_check;
		EXECUTE format('ALTER TABLE midwatch.pipeline_runs ADD CONSTRAINT'
		    ' pipeline_runs_kind_check CHECK (kind = ANY (%L::text[]))', kinds);
	END IF;
END
$$;
COMMENT ON COLUMN midwatch.pipeline_runs.kind IS
	'pipeline (a run of the pipeline) | investigate (one `midwatch '
	'investigate`) | stats (a recompute of the report snapshots); only '
	'pipeline moves the watermark and counts for health.';

CREATE INDEX IF NOT EXISTS metric_snapshots_bucket_idx
	ON midwatch.metric_snapshots (project_id, window_name, bucket_start);

-- The UTC bucket of ts for a window ('day' or 'week': weeks start on Monday).
CREATE OR REPLACE FUNCTION midwatch.stats_bucket(p_window text, p_ts timestamptz)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
	SELECT date_trunc(p_window, p_ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
$$;

-- The length of a bucket.
CREATE OR REPLACE FUNCTION midwatch.stats_width(p_window text)
RETURNS interval
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_window WHEN 'hour' THEN interval '1 hour'
	    WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days'
	    ELSE interval '1 month' END;
$$;

-- ---------------------------------------------------------------------------
-- The catalogue
-- ---------------------------------------------------------------------------

-- Inserts the stats catalogue rows a project lacks and describes the metrics
-- of the reports 002 created (unless an operator set their config).
CREATE OR REPLACE FUNCTION midwatch.apply_stats_defaults(p_project_id bigint)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO midwatch.report_definitions (project_id, slug, name, description,
	                                         dimension_key, default_window,
	                                         cache_ttl_seconds, supported_filters)
	VALUES
	    (p_project_id, 'response-times', 'Time to acknowledge and resolve',
	     'Mean time from an alert or incident being raised to its first '
	     'acknowledgement and resolution.', 'target', 'week', 300, '[]'),
	    (p_project_id, 'hypothesis-precision', 'Top hypothesis confirmed',
	     'Of the incidents with a confirmed hypothesis, how many had it '
	     'ranked first (the pipeline''s measured precision).', 'incidents',
	     'week', 300, '[]')
	ON CONFLICT DO NOTHING;

	INSERT INTO midwatch.aggregate_windows (project_id, report_slug, window_name,
	                                        retention_days, refresh_interval_minutes,
	                                        is_default)
	SELECT p_project_id, r.slug, w.window_name, w.retention_days, w.refresh,
	       w.window_name = r.default_window
	  FROM midwatch.report_definitions r
	 CROSS JOIN (VALUES ('day', 90, 15), ('week', 730, 60))
	       AS w (window_name, retention_days, refresh)
	 WHERE r.project_id = p_project_id
	   AND r.slug IN ('response-times', 'hypothesis-precision')
	ON CONFLICT DO NOTHING;

	UPDATE midwatch.report_definitions r SET config = c.config::jsonb
	  FROM (VALUES
	    ('incident-volume', '{"metrics": [{"name": "incidents", "unit": "count", "label": "incidents"}]}'),
	    ('alert-status-counts', '{"metrics": [{"name": "alerts", "unit": "count", "label": "alerts"}]}'),
	    ('top-noisy-services', '{"top": 5, "metrics": [
	        {"name": "alerts", "unit": "count", "label": "alerts"},
	        {"name": "alerts_per_day", "unit": "rate", "label": "per day"},
	        {"name": "acknowledged_share", "unit": "share", "label": "acked"},
	        {"name": "auto_resolved_share", "unit": "share", "label": "auto-res"},
	        {"name": "incidents", "unit": "count", "label": "incidents"}]}'),
	    ('top-noisy-rules', '{"top": 5, "metrics": [
	        {"name": "alerts", "unit": "count", "label": "alerts"},
	        {"name": "alerts_per_day", "unit": "rate", "label": "per day"},
	        {"name": "acknowledged_share", "unit": "share", "label": "acked"},
	        {"name": "auto_resolved_share", "unit": "share", "label": "auto-res"}]}'),
	    ('response-times', '{"metrics": [
	        {"name": "acknowledged", "unit": "count", "label": "acked"},
	        {"name": "mean_seconds_to_ack", "unit": "seconds", "label": "to ack"},
	        {"name": "resolved", "unit": "count", "label": "resolved"},
	        {"name": "mean_seconds_to_resolve", "unit": "seconds", "label": "to resolve"}]}'),
	    ('hypothesis-precision', '{"trend": "precision", "metrics": [
	        {"name": "reviewed", "unit": "count", "label": "reviewed"},
	        {"name": "top_confirmed", "unit": "count", "label": "top ok"},
	        {"name": "precision", "unit": "share", "label": "precision"}]}'))
	       AS c (slug, config)
	 WHERE r.project_id = p_project_id AND r.slug = c.slug
	   AND r.config = '{}';
END
$$;
COMMENT ON FUNCTION midwatch.apply_stats_defaults(bigint) IS
	'The stats catalogue rows (reports, windows, metrics) a project lacks.';

CREATE OR REPLACE FUNCTION midwatch.projects_stats_defaults() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM midwatch.apply_stats_defaults(NEW.id);
	RETURN NULL;
END
$$;
-- Fires after projects_apply_defaults (triggers fire by name).
CREATE OR REPLACE TRIGGER projects_stats_defaults
	AFTER INSERT ON midwatch.projects
	FOR EACH ROW EXECUTE FUNCTION midwatch.projects_stats_defaults();

DO $$
BEGIN
	PERFORM midwatch.apply_stats_defaults(id) FROM midwatch.projects;
END
$$;

-- ---------------------------------------------------------------------------
-- The computation
-- ---------------------------------------------------------------------------

-- Every report of the catalogue for the p_window buckets that start in
-- [p_from, p_to) (both aligned by the caller).  '*' rows (totals) exist for
-- every bucket, zero included, so a computed bucket is known as computed.
CREATE OR REPLACE FUNCTION midwatch.stats_compute(p_project_id bigint,
    p_window text, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (report_slug text, bucket_start timestamptz,
    dimension_key text, dimension_value text, metric_name text,
    metric_value double precision)
LANGUAGE sql STABLE AS $$
WITH
b AS (SELECT g AS b FROM generate_series(p_from, p_to - interval '1 microsecond',
      midwatch.stats_width(p_window)) g),
days AS (SELECT extract(epoch FROM midwatch.stats_width(p_window)) / 86400.0 AS d),
inc AS (
	SELECT i.id, midwatch.stats_bucket(p_window, i.window_start) AS b,
	       coalesce(s.name, '(none)') AS svc, i.created_at,
	       (SELECT min(f.created_at) FROM midwatch.feedback_events f
	         WHERE f.project_id = i.project_id AND f.target_kind = 'incident'
	           AND f.target_id = i.id AND f.event_type = 'incident_resolved')
	           AS resolved_at
	  FROM midwatch.incidents i
	  LEFT JOIN midwatch.services s
	    ON s.project_id = i.project_id AND s.id = i.service_id
	 WHERE i.project_id = p_project_id AND i.published
	   AND i.status <> 'suppressed'
	   AND i.window_start >= p_from AND i.window_start < p_to),
al AS (
	SELECT a.id, a.status,
	       midwatch.stats_bucket(p_window, coalesce(a.last_fired_at, a.created_at)) AS b,
	       coalesce(s.name, '(none)') AS svc,
	       coalesce(r.name, '(external)') AS rule, a.created_at,
	       f.ack_at, f.res_at, f.auto
	  FROM midwatch.alerts a
	  LEFT JOIN midwatch.services s
	    ON s.project_id = a.project_id AND s.id = a.service_id
	  LEFT JOIN midwatch.alert_rules r
	    ON r.project_id = a.project_id AND r.id = a.rule_id
	  CROSS JOIN LATERAL (
		SELECT min(e.created_at) FILTER
		           (WHERE e.event_type = 'alert_acknowledged') AS ack_at,
		       min(e.created_at) FILTER
		           (WHERE e.event_type = 'alert_resolved') AS res_at,
		       coalesce(bool_or(e.event_type = 'alert_resolved'
		           AND e.actor_type = 'system'), false) AS auto
		  FROM midwatch.feedback_events e
		 WHERE e.project_id = a.project_id AND e.target_kind = 'alert'
		   AND e.target_id = a.id) f
	 WHERE a.project_id = p_project_id AND a.published
	   AND coalesce(a.last_fired_at, a.created_at) >= p_from
	   AND coalesce(a.last_fired_at, a.created_at) < p_to),
top1 AS (
	SELECT inc.b, inc.id,
	       bool_or(h.status = 'confirmed') AS reviewed,
	       (array_agg(h.status ORDER BY h.rank, h.id))[1] = 'confirmed' AS top_ok
	  FROM inc JOIN midwatch.hypotheses h
	    ON h.project_id = p_project_id AND h.incident_id = inc.id AND h.published
	 GROUP BY inc.b, inc.id)
-- incident volume: per service, and the total
SELECT 'incident-volume', inc.b, 'service', inc.svc, 'incidents', count(*)::float8
  FROM inc GROUP BY inc.b, inc.svc
UNION ALL
SELECT 'incident-volume', b.b, 'service', '*', 'incidents',
       (SELECT count(*) FROM inc WHERE inc.b = b.b)::float8 FROM b
-- alert status counts: per status, and the total
UNION ALL
SELECT 'alert-status-counts', al.b, 'status', al.status, 'alerts', count(*)::float8
  FROM al GROUP BY al.b, al.status
UNION ALL
SELECT 'alert-status-counts', b.b, 'status', '*', 'alerts',
       (SELECT count(*) FROM al WHERE al.b = b.b)::float8 FROM b
-- noisy services: alerts, per day, shares; and their incidents
UNION ALL
SELECT 'top-noisy-services', x.b, 'service', x.svc, m.name, m.v
  FROM (SELECT coalesce(a.b, i.b) AS b, coalesce(a.svc, i.svc) AS svc,
               coalesce(a.n, 0) AS n, coalesce(a.ack, 0) AS ack,
               coalesce(a.auto, 0) AS auto, coalesce(i.n, 0) AS ni
          FROM (SELECT al.b, al.svc, count(*) AS n,
                       count(*) FILTER (WHERE al.ack_at IS NOT NULL) AS ack,
                       count(*) FILTER (WHERE al.auto) AS auto
                  FROM al GROUP BY al.b, al.svc) a
          FULL JOIN (SELECT inc.b, inc.svc, count(*) AS n FROM inc
                      GROUP BY inc.b, inc.svc) i
            ON i.b = a.b AND i.svc = a.svc) x
 CROSS JOIN days
 CROSS JOIN LATERAL (VALUES
	('alerts', x.n::float8),
	('alerts_per_day', x.n / days.d),
	('acknowledged_share', CASE WHEN x.n > 0 THEN x.ack::float8 / x.n END),
	('auto_resolved_share', CASE WHEN x.n > 0 THEN x.auto::float8 / x.n END),
	('incidents', x.ni::float8)) AS m (name, v)
 WHERE m.v IS NOT NULL
-- noisy rules
UNION ALL
SELECT 'top-noisy-rules', x.b, 'rule', x.rule, m.name, m.v
  FROM (SELECT al.b, al.rule, count(*) AS n,
               count(*) FILTER (WHERE al.ack_at IS NOT NULL) AS ack,
               count(*) FILTER (WHERE al.auto) AS auto
          FROM al GROUP BY al.b, al.rule) x
 CROSS JOIN days
 CROSS JOIN LATERAL (VALUES
	('alerts', x.n::float8),
	('alerts_per_day', x.n / days.d),
	('acknowledged_share', x.ack::float8 / x.n),
	('auto_resolved_share', x.auto::float8 / x.n)) AS m (name, v)
-- response times: alerts and incidents, counts for every bucket
UNION ALL
SELECT 'response-times', b.b, 'target', 'alert', m.name, m.v
  FROM b
 CROSS JOIN LATERAL (
	SELECT count(al.ack_at) AS nack,
	       avg(extract(epoch FROM al.ack_at - al.created_at)) AS ack,
	       count(al.res_at) AS nres,
	       avg(extract(epoch FROM al.res_at - al.created_at)) AS res
	  FROM al WHERE al.b = b.b) s
 CROSS JOIN LATERAL (VALUES
	('acknowledged', s.nack::float8),
	('mean_seconds_to_ack', s.ack::float8),
	('resolved', s.nres::float8),
	('mean_seconds_to_resolve', s.res::float8)) AS m (name, v)
 WHERE m.v IS NOT NULL
UNION ALL
SELECT 'response-times', b.b, 'target', 'incident', m.name, m.v
  FROM b
 CROSS JOIN LATERAL (
	SELECT count(inc.resolved_at) AS nres,
	       avg(extract(epoch FROM inc.resolved_at - inc.created_at)) AS res
	  FROM inc WHERE inc.b = b.b) s
 CROSS JOIN LATERAL (VALUES
	('resolved', s.nres::float8),
	('mean_seconds_to_resolve', s.res::float8)) AS m (name, v)
 WHERE m.v IS NOT NULL
-- how often the top hypothesis was the confirmed one
UNION ALL
SELECT 'hypothesis-precision', b.b, 'incidents', '*', m.name, m.v
  FROM b
 CROSS JOIN LATERAL (
	SELECT count(*) FILTER (WHERE t.reviewed) AS n,
	       count(*) FILTER (WHERE t.reviewed AND t.top_ok) AS ok
	  FROM top1 t WHERE t.b = b.b) s
 CROSS JOIN LATERAL (VALUES
	('reviewed', s.n::float8),
	('top_confirmed', s.ok::float8),
	('precision', CASE WHEN s.n > 0 THEN s.ok::float8 / s.n END)) AS m (name, v)
 WHERE m.v IS NOT NULL;
$$;
COMMENT ON FUNCTION midwatch.stats_compute(bigint, text, timestamptz, timestamptz) IS
	'Every stats report for the buckets of a window in [from, to): the rows '
	'of metric_snapshots (doc/schema.md, "The weekly view").';

-- Replaces the p_window snapshots of the buckets that [p_from, p_to) touches
-- with a fresh computation stamped p_run_id, in the caller's transaction.
-- Reports or windows not in the catalogue (or inactive) are left alone.
-- Returns the rows written.
CREATE OR REPLACE FUNCTION midwatch.stats_replace(p_project_id bigint,
    p_run_id bigint, p_window text, p_from timestamptz, p_to timestamptz)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	lo timestamptz := midwatch.stats_bucket(p_window, p_from);
	hi timestamptz := midwatch.stats_bucket(p_window,
	    greatest(p_to, p_from + interval '1 microsecond') - interval '1 microsecond')
	    + midwatch.stats_width(p_window);
	n bigint;
BEGIN
	DELETE FROM midwatch.metric_snapshots m
	 USING midwatch.aggregate_windows w
	  JOIN midwatch.report_definitions r
	    ON r.project_id = w.project_id AND r.slug = w.report_slug
	 WHERE m.project_id = p_project_id AND m.window_name = p_window
	   AND m.bucket_start >= lo AND m.bucket_start < hi
	   AND w.project_id = m.project_id AND w.report_slug = m.report_slug
	   AND w.window_name = m.window_name AND r.is_active;
	INSERT INTO midwatch.metric_snapshots (project_id, run_id, report_slug,
	       window_name, bucket_start, dimension_key, dimension_value,
	       metric_name, metric_value)
	SELECT p_project_id, p_run_id, c.report_slug, p_window, c.bucket_start,
	       c.dimension_key, c.dimension_value, c.metric_name, c.metric_value
	  FROM midwatch.stats_compute(p_project_id, p_window, lo, hi) c
	  JOIN midwatch.aggregate_windows w
	    ON w.project_id = p_project_id AND w.report_slug = c.report_slug
	   AND w.window_name = p_window
	  JOIN midwatch.report_definitions r
	    ON r.project_id = p_project_id AND r.slug = c.report_slug AND r.is_active;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION midwatch.stats_replace(bigint, bigint, text, timestamptz, timestamptz) IS
	'Deletes and rebuilds the snapshots of the buckets a range touches.';

-- The closed buckets (ending by p_end, data time) of the day and week
-- windows that hold data and either were never computed or whose data
-- changed since: a row of theirs was updated after the bucket's snapshot
-- was written, or their number of incidents or alerts differs from it (a
-- row that moved out).  One aggregate over incidents, hypotheses and
-- alerts; nothing is rewritten for the other buckets.
CREATE OR REPLACE FUNCTION midwatch.stats_due(p_project_id bigint,
    p_end timestamptz)
RETURNS TABLE (window_name text, bucket_start timestamptz)
LANGUAGE sql STABLE AS $$
WITH
item AS (
	SELECT i.window_start AS t, i.updated_at AS u, 1 AS ni, 0 AS na
	  FROM midwatch.incidents i
	 WHERE i.project_id = p_project_id AND i.published
	   AND i.status <> 'suppressed'
	UNION ALL
	SELECT i.window_start, h.updated_at, 0, 0
	  FROM midwatch.hypotheses h JOIN midwatch.incidents i
	    ON i.project_id = h.project_id AND i.id = h.incident_id
	 WHERE h.project_id = p_project_id AND h.published
	UNION ALL
	SELECT coalesce(a.last_fired_at, a.created_at), a.updated_at, 0, 1
	  FROM midwatch.alerts a
	 WHERE a.project_id = p_project_id AND a.published),
per AS (
	SELECT w.w, midwatch.stats_bucket(w.w, item.t) AS b, max(item.u) AS u,
	       sum(item.ni) AS ni, sum(item.na) AS na
	  FROM item CROSS JOIN (VALUES ('day'), ('week')) AS w (w)
	 GROUP BY 1, 2)
SELECT per.w, per.b FROM per
 WHERE per.b + midwatch.stats_width(per.w) <= p_end
   AND EXISTS (SELECT 1 FROM midwatch.aggregate_windows aw
                WHERE aw.project_id = p_project_id AND aw.window_name = per.w)
   AND NOT EXISTS (
	SELECT 1 FROM midwatch.metric_snapshots mi
	  JOIN midwatch.metric_snapshots ma
	    ON ma.project_id = mi.project_id AND ma.window_name = mi.window_name
	   AND ma.bucket_start = mi.bucket_start
	   AND ma.report_slug = 'alert-status-counts' AND ma.dimension_value = '*'
	   AND ma.metric_name = 'alerts'
	 WHERE mi.project_id = p_project_id AND mi.window_name = per.w
	   AND mi.bucket_start = per.b AND mi.report_slug = 'incident-volume'
	   AND mi.dimension_value = '*' AND mi.metric_name = 'incidents'
	   AND mi.metric_value = per.ni AND ma.metric_value = per.na
	   AND per.u <= least(mi.created_at, ma.created_at))
 ORDER BY 1, 2;
$$;
COMMENT ON FUNCTION midwatch.stats_due(bigint, timestamptz) IS
	'Closed day/week buckets with data never computed or changed since.';
