-- housekeeping/dead_letters - gives up what was retried past
-- housekeeping.dead_letter_expiry (midwatch.expire_dead_letters); how many
-- of each.
-- $1 project id
-- $2 older than, seconds
-- columns: ingest_errors, outbound_messages, alert_silences
SELECT ingest_errors, outbound_messages, alert_silences
  FROM midwatch.expire_dead_letters($1, $2::double precision)
