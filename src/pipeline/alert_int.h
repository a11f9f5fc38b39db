/*
 * alert_int.h - what the alert stage's files share (stage_alert.c,
 * stage_alert_sql.c); not part of any interface.
 *
 * Parameters common to every rule statement: $1 project, $2 run, $3 start,
 * $4 end, $5 rule id, $6 rule severity, $7 cooldown seconds, $8 channels,
 * $9 rule name.  Source parameters start at $10.  Every candidate query
 * defines `cand` (fingerprint, service_id, incident_id, title, message,
 * severity, score, fired_at, last_at, details); alert_sql_merge follows it.
 */
#ifndef MIDWATCH_ALERT_INT_H
#define MIDWATCH_ALERT_INT_H

#include "midwatch/sqltext.h"

/* A timestamp as RFC 3339, for messages. */
#define ALERT_TS(x) SQL_RFC3339(x)
/* An interval as "90 s" or "30 min", for messages. */
#define ALERT_DUR(x) "(CASE WHEN extract(epoch FROM " x ") < 120" \
    " THEN extract(epoch FROM " x ")::bigint || ' s'" \
    " ELSE (extract(epoch FROM " x ") / 60)::bigint || ' min' END)"

extern const char alert_sql_incident[];
extern const char alert_sql_metric[];
extern const char alert_sql_trend[];
extern const char alert_sql_health[];
extern const char alert_sql_signal[];
extern const char alert_sql_merge[];

#endif
