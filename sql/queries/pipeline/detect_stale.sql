-- pipeline/detect_stale - delete-and-rebuild: the signals of the window that
-- this run did not produce again are stale, except what a skipped unit had
-- (it was not judged again) and investigate's own.  A row per signal removed.
-- $1 project id
-- $2 run id
-- $3 window start
-- $4 window end
-- $5 what to keep, jsonb [{type, service_id, metric_name, labels_key, ref}] (a null field matches anything)
-- columns: removed
DELETE FROM midwatch.signals x WHERE project_id = $1
 AND onset_at >= $3 AND onset_at <= $4
 AND run_id IS DISTINCT FROM $2
 AND coalesce(x.details ->> 'source', '') <> 'investigate'
 AND NOT EXISTS (SELECT 1
  FROM jsonb_to_recordset($5::jsonb) AS k (type text,
   service_id bigint, metric_name text, labels_key text, ref text)
  WHERE (k.type IS NULL OR k.type = x.signal_type)
  AND (k.service_id IS NULL OR k.service_id = x.service_id)
  AND (k.metric_name IS NULL OR k.metric_name = x.metric_name)
  AND (k.labels_key IS NULL OR k.labels_key = x.labels_key)
  AND (k.ref IS NULL OR k.ref = x.ref)) RETURNING 1 AS removed
