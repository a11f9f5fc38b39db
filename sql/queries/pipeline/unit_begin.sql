-- pipeline/unit_begin - starts a unit of work.
-- columns:
SAVEPOINT midwatch_unit
