-- model/health_runs - the pipeline's health from its runs: the last
-- finished run, when one last succeeded, since when runs fail, the
-- watermark and a skipped run's gap.  The runs $2 names (their runner died)
-- count as failed.
-- $1 project id
-- $2 the dead runs' ids (bigint[] literal)
-- columns: now, id, status, skipped_units, skipped, error, last_ok,
-- columns: failing_since, watermark, gap_from, gap_to, runs, gap_error
WITH runs AS (SELECT id, kind, window_end, started_at, created_at,
  finished_at, skipped_units, summary,
  CASE WHEN id = ANY ($2::bigint[]) THEN 'failed' ELSE status END
   AS status,
  CASE WHEN id = ANY ($2::bigint[]) AND status <> 'failed'
   THEN 'abandoned: runner died (its session and the pipeline lock are gone)' ELSE error END AS error
  FROM midwatch.pipeline_runs
  WHERE project_id = $1 AND kind = 'pipeline'),
 last AS (SELECT * FROM runs
  WHERE status IN ('completed', 'failed', 'skipped')
  ORDER BY id DESC LIMIT 1),
 ok AS (SELECT coalesce(max(id), 0) AS id, max(window_end) AS wm
  FROM runs WHERE status IN ('completed', 'skipped')),
 streak AS (SELECT min(coalesce(r.started_at, r.created_at)) AS since
  FROM runs r, ok WHERE r.status = 'failed' AND r.id > ok.id)
 SELECT extract(epoch FROM now()) AS now, l.id, l.status, l.skipped_units,
  (l.summary -> 'skipped')::text AS skipped, l.error,
  (SELECT extract(epoch FROM max(finished_at)) FROM runs
   WHERE status IN ('completed', 'skipped')) AS last_ok,
  extract(epoch FROM streak.since) AS failing_since,
  midwatch.rfc3339(ok.wm)
   AS watermark,
  extract(epoch FROM (l.summary -> 'gap' ->> 'from')::timestamptz)
   AS gap_from,
  extract(epoch FROM (l.summary -> 'gap' ->> 'to')::timestamptz) AS gap_to,
  (SELECT count(*) FROM runs) AS runs,
  l.summary -> 'gap' ->> 'last_error' AS gap_error
 FROM ok CROSS JOIN streak LEFT JOIN last l ON true
