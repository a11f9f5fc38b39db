-- ingest/temp_stage - the session's staging table for points that may be
-- stored already (emptied at each commit).  A temp statement (named temp_*):
-- `midwatch migrate --check-queries` runs it before preparing the others,
-- since ingest/stage_insert reads the table.
-- columns: none
CREATE TEMP TABLE IF NOT EXISTS mw_ingest_points (
  service_id bigint, metric_name text, labels_key text,
  ts timestamptz, value double precision, labels jsonb)
  ON COMMIT DELETE ROWS
