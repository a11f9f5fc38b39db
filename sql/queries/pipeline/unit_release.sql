-- pipeline/unit_release - ends a unit of work.
-- columns:
RELEASE SAVEPOINT midwatch_unit
