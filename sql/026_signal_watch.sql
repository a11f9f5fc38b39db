-- 026_signal_watch.sql - which signals are watched rather than anchors, said
-- once (issue 14, "Utilities once").  The detect stage marks a signal
-- flapping (details.flapping) or a spike (details.spike: far out only at
-- isolated points); such a signal, or a weak one (quality below the watch
-- threshold, policy WATCH_QUALITY), is cited but never anchors an incident.
-- The gate reads the flags and sets a signal's status to 'watch' by them
-- (src/pipeline/stage_gate*.c), the evidence stage picks an incident's
-- anchors by them (src/pipeline/stage_evidence.c): all through these
-- functions.  Plain SQL, IMMUTABLE, so the planner inlines them: the same
-- three-valued logic as the expressions they replace (a NULL quality makes
-- signal_watched NULL when neither flag is set).

-- details.flapping, false when absent.
CREATE OR REPLACE FUNCTION midwatch.signal_flapping(p_details jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce((p_details ->> 'flapping')::boolean, false);
$$;

-- details.spike, false when absent.
CREATE OR REPLACE FUNCTION midwatch.signal_spike(p_details jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce((p_details ->> 'spike')::boolean, false);
$$;

-- Watched, never an anchor: flapping, a spike, or quality below
-- p_watch_quality.
CREATE OR REPLACE FUNCTION midwatch.signal_watched(p_details jsonb,
    p_quality double precision, p_watch_quality double precision)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT midwatch.signal_flapping(p_details)
	    OR midwatch.signal_spike(p_details)
	    OR p_quality < p_watch_quality;
$$;
