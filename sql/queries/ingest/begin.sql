-- ingest/begin - begins a batch's transaction in the round trip of its scope check.
-- columns: none
BEGIN
