-- worker/db_identity - which database this is, for the journal: the
-- cluster's system identifier and the database's name.
-- columns: identity
SELECT system_identifier::text || '/' || current_database() AS identity
  FROM pg_control_system()
