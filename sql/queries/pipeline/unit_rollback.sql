-- pipeline/unit_rollback - undoes a failed unit of work.
-- columns:
ROLLBACK TO SAVEPOINT midwatch_unit
