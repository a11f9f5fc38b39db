-- ingest/copy_stage - the idempotent path: a batch's points COPYed into the
-- session's staging table (ingest/temp_stage), no project_id in the
-- binary tuples; ingest/stage_insert moves them.
-- columns: none
COPY pg_temp.mw_ingest_points (service_id, metric_name, labels_key,
  ts, value, labels) FROM STDIN (FORMAT binary)
