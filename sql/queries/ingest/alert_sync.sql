-- ingest/alert_sync - mirrors the batch's external alerts into
-- midwatch.alerts (one alert per fingerprint, opened, resolved or reopened
-- from the events: sql/012_alertmanager.sql); how many alerts changed.
-- $1 project id
-- $2 the batch's rows (JSON array of objects)
-- columns: changed
SELECT midwatch.external_alerts_sync($1, ARRAY(
  SELECT DISTINCT x->>'fingerprint'
    FROM jsonb_array_elements($2::jsonb) AS x)) AS changed
