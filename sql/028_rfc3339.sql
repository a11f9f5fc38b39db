-- 028_rfc3339.sql - a timestamptz as RFC 3339 text in UTC, written once
-- (issue 14, "Queries have a home"): the statements of sql/queries/ call
-- these instead of repeating a to_char format.  The same forms as
-- timefmt_format prints on the C side: to the second
-- ("2026-11-16T13:05:00Z"), to the microsecond ("...:00.000000Z", exact:
-- window bounds read back by timefmt_parse) and to the minute ("...T13:05Z",
-- for titles and messages).  Plain SQL, STABLE like to_char itself, so the
-- planner inlines them: NULL gives NULL, as the expressions they replace.

CREATE OR REPLACE FUNCTION midwatch.rfc3339(p_ts timestamptz)
RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT to_char(p_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
$$;

CREATE OR REPLACE FUNCTION midwatch.rfc3339_us(p_ts timestamptz)
RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT to_char(p_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
$$;

CREATE OR REPLACE FUNCTION midwatch.rfc3339_min(p_ts timestamptz)
RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT to_char(p_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"');
$$;

COMMENT ON FUNCTION midwatch.rfc3339(timestamptz) IS
	'RFC 3339 text in UTC, to the second.';
COMMENT ON FUNCTION midwatch.rfc3339_us(timestamptz) IS
	'RFC 3339 text in UTC, to the microsecond.';
COMMENT ON FUNCTION midwatch.rfc3339_min(timestamptz) IS
	'RFC 3339 text in UTC, to the minute.';
