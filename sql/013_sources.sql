-- 013_sources.sql - pulled sources (issue 9): Prometheus (or Thanos, Mimir:
-- the same HTTP API) and Alertmanager, as rows of ingest_sources that
-- `midwatch sources add` creates and every pipeline run pulls:
--
--   * next_retry_at: when a failing source is tried again (exponential
--     backoff with jitter, src/sources/sources.c); NULL when it is healthy;
--   * a pulled source is named once per project, whatever its kind, so the
--     command line can address it by NAME alone, and its name follows the
--     channels' rule;
--   * like channels, settings hold the NAME of an environment variable or
--     file with a secret (key-env, key-file), never a secret.
--
-- cursor holds {"end": "<RFC 3339>"}: the end of the last window whose rows
-- were committed (Prometheus); Alertmanager sources keep {"seen": N}, the
-- alerts of the last pull.  Runs in the migration runner's transaction.

ALTER TABLE midwatch.ingest_sources
	ADD COLUMN IF NOT EXISTS next_retry_at timestamptz;
COMMENT ON COLUMN midwatch.ingest_sources.next_retry_at IS
	'A failing source is not pulled again before this (backoff); NULL when ok.';
COMMENT ON COLUMN midwatch.ingest_sources.retries IS
	'Consecutive failed pulls (0 after a good one).';

CREATE UNIQUE INDEX IF NOT EXISTS ingest_sources_pulled_name
	ON midwatch.ingest_sources (project_id, name)
	WHERE kind IN ('prometheus', 'alertmanager');

ALTER TABLE midwatch.ingest_sources
	DROP CONSTRAINT IF EXISTS ingest_sources_pulled_check;
ALTER TABLE midwatch.ingest_sources
	ADD CONSTRAINT ingest_sources_pulled_check CHECK (
		kind NOT IN ('prometheus', 'alertmanager') OR (
			name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'
			AND config ->> 'url' ~ '^https?://'
			AND jsonb_typeof(config -> 'settings') = 'object'
			AND NOT (config -> 'settings') ?| ARRAY['key', 'secret',
			    'token', 'password', 'bearer-token', 'api-key']));
