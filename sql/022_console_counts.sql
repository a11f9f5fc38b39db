-- 022_console_counts.sql - the console's newest alerts (issue 13,
-- "Console"): the snapshot's alerts query (src/model/model.c) takes the
-- project's newest alerts, ORDER BY created_at DESC, id DESC LIMIT n;
-- without this index PostgreSQL reads and sorts every alert of the project.
-- The status bar's counts (open incidents, active alerts) are counted with
-- the existing incidents_status_idx and alerts_status_idx.  doc/schema.md
-- describes it.  Runs in the migration runner's transaction.

CREATE INDEX IF NOT EXISTS alerts_created_idx
	ON midwatch.alerts (project_id, created_at, id);

-- The status bar's counts (model_load_run) read only these small partial
-- indexes (index-only once vacuumed), not the heap of every active alert.
CREATE INDEX IF NOT EXISTS alerts_active_count_idx
	ON midwatch.alerts (project_id) WHERE published AND status = 'active';
CREATE INDEX IF NOT EXISTS incidents_open_count_idx
	ON midwatch.incidents (project_id)
	WHERE published AND status IN ('open', 'triaged');
