-- 025_console_snapshot.sql - the console's snapshot reads only what it
-- shows (issue 13, "Console"): the incidents query (src/model/
-- model_incidents.c) keeps the first MODEL_MAX_INCIDENTS of the project's
-- incidents in the order the console lists them - open, triaged, resolved,
-- the rest; the most severe first; the newest window first - and only then
-- joins their service and latest decision.  incidents_console_idx holds
-- that order, so the query reads the first entries of the index instead of
-- sorting every incident of the project.  The latest decision of an
-- incident (ORDER BY decided_at DESC, id DESC LIMIT 1) is now read from
-- incident_decisions_latest_idx without a sort: the index gains id DESC
-- (same name, same leading columns, so every other reader still uses it).
-- doc/schema.md describes it.  Runs in the migration runner's transaction.

CREATE INDEX IF NOT EXISTS incidents_console_idx
	ON midwatch.incidents (project_id,
		(CASE status WHEN 'open' THEN 0 WHEN 'triaged' THEN 1
		             WHEN 'resolved' THEN 2 ELSE 3 END),
		midwatch.severity_rank(severity) DESC NULLS LAST,
		window_start DESC, id DESC)
	WHERE published;

DROP INDEX IF EXISTS midwatch.incident_decisions_latest_idx;
CREATE INDEX incident_decisions_latest_idx
	ON midwatch.incident_decisions (project_id, incident_id,
		decided_at DESC, id DESC);
