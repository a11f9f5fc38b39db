-- ingest/points_release - the direct COPY went through.
-- columns: none
RELEASE SAVEPOINT mw_ingest_points
