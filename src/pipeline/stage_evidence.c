/*
 * stage_evidence.c - pipeline stage "evidence": for every approved incident
 * the run touched, the artifacts an experienced engineer would pull:
 *
 *  - the incident's signals: metric anomalies on its service, anomalies on
 *    the services it calls or that call it (with their depth and their order
 *    by onset: the root of a cascade is usually the earliest anomaly deepest
 *    in the call graph), traffic shifts, health streaks, funnel drops with the
 *    revenue at risk, external alerts;
 *  - deploys and config changes in the 3 h (evidence.change_window) before
 *    onset on the affected services and their direct dependencies and
 *    dependents (time to onset, commits, risky file types, docs-only; risky
 *    or benign config fields);
 *  - the risky files of those deploys' commits;
 *  - error fingerprints first seen from 30 min (evidence.fingerprint_window)
 *    before onset, with the dependencies their text names and the changes
 *    that preceded them, and older fingerprints that burst again (naming
 *    what they name);
 *  - similar past incidents with a confirmed root cause.
 *
 * Each artifact is upserted by (incident, dedupe_key); artifacts of the
 * incident this run did not produce again are deleted.  All of it is SQL:
 * the stage only loops over incidents.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/pipeline.h"
#include "midwatch/policy.h"
#include "midwatch/sqltext.h"
#include "midwatch/xmalloc.h"
#include "pipeline_int.h"

/* Parameters of every statement: $1 project, $2 run, $3 incident id,
 * $4 onset, $5 window end, $6 the incident's service id (or NULL), and from
 * policy.def $7 gate.watch_quality, $8 evidence.change_window (s),
 * $9 evidence.fingerprint_window (s), $10 evidence.change_after (s). */

/* The affected services (with signals in the incident) and the services
 * related to them: 0 affected, 1 a dependency, 2 a dependent. */
#define CTE_RELATED \
	"aff AS (SELECT s.service_id AS sid, min(s.onset_at) AS onset" \
	"  FROM midwatch.signals s WHERE s.project_id = $1" \
	"  AND s.incident_id = $3 AND s.service_id IS NOT NULL GROUP BY 1)," \
	" rel AS (SELECT sid, min(r) AS r FROM (" \
	"  SELECT sid, 0 AS r FROM aff" \
	"  UNION ALL SELECT d.to_service_id, 1" \
	"   FROM midwatch.service_dependencies d JOIN aff ON d.from_service_id = aff.sid" \
	"   WHERE d.project_id = $1 AND d.to_service_id IS NOT NULL" \
	"  UNION ALL SELECT d.from_service_id, 2" \
	"   FROM midwatch.service_dependencies d JOIN aff ON d.to_service_id = aff.sid" \
	"   WHERE d.project_id = $1) x GROUP BY sid)"

#define REL_NAME(r) "(CASE " r " WHEN 0 THEN 'affected' WHEN 1 THEN" \
	" 'dependency' WHEN 2 THEN 'dependent' ELSE 'cluster' END)"

/* Declares every parameter's type, so each statement may leave some unused. */
#define WITH_PARAMS "WITH RECURSIVE prm AS (SELECT $4::timestamptz AS onset," \
	" $5::timestamptz AS wend, $6::bigint AS isvc, $7::float8 AS wq," \
	" make_interval(secs => $8::float8) AS chg," \
	" make_interval(secs => $9::float8) AS fpw," \
	" make_interval(secs => $10::float8) AS chga), "

/* "N min before onset" (a change up to evidence.change_after later, as
 * onsets are known only to within a step: "N min after onset"). */
#define LEAD_TEXT(l) "(CASE WHEN " l " > -0.5 THEN round(" l ") || ' min before" \
	" onset' ELSE round(-(" l ")) || ' min after onset' END)"

#define EV_INSERT \
	" INSERT INTO midwatch.evidence_artifacts (project_id, run_id," \
	" incident_id, dedupe_key, kind, source, ref, service_id, summary," \
	" confidence, observed_at, metadata)"

#define EV_UPSERT \
	" ON CONFLICT (project_id, incident_id, dedupe_key) DO UPDATE SET" \
	"  run_id = EXCLUDED.run_id, kind = EXCLUDED.kind," \
	"  source = EXCLUDED.source, ref = EXCLUDED.ref," \
	"  service_id = EXCLUDED.service_id, summary = EXCLUDED.summary," \
	"  confidence = EXCLUDED.confidence, observed_at = EXCLUDED.observed_at," \
	"  metadata = EXCLUDED.metadata RETURNING kind"

#define RISKY_TYPES "('db_migration', 'dependency', 'config', 'timeout_retry'," \
	" 'http_client', 'auth', 'shared_util')"

#define HHMI(x) "to_char((" x ") AT TIME ZONE 'UTC', 'HH24:MI')"

/* The incident's own signals, with their relation to the incident's service
 * (depth > 0: it calls them; depth < 0: they call it). */
static const char sql_signals[] =
    WITH_PARAMS
    " down (sid, depth) AS (SELECT $6::bigint, 0"
    "  UNION SELECT d.to_service_id, down.depth + 1 FROM down"
    "  JOIN midwatch.service_dependencies d ON d.project_id = $1"
    "   AND d.from_service_id = down.sid"
    "  WHERE d.to_service_id IS NOT NULL AND down.depth < 8),"
    " up (sid, depth) AS (SELECT $6::bigint, 0"
    "  UNION SELECT d.from_service_id, up.depth + 1 FROM up"
    "  JOIN midwatch.service_dependencies d ON d.project_id = $1"
    "   AND d.to_service_id = up.sid WHERE up.depth < 8),"
    " sig0 AS (SELECT s.*, NOT midwatch.signal_watched(s.details,"
    "   s.quality_score, $7::float8)"
    "  AND s.signal_type <> 'external_alert' AS anchor"
    "  FROM midwatch.signals s WHERE s.project_id = $1 AND s.incident_id = $3"
    "  AND s.signal_type <> 'error_fingerprint_new'),"
    " sig AS (SELECT s.*, v.name AS svc_name,"
    "  CASE WHEN s.anchor THEN rank() OVER (PARTITION BY s.anchor"
    "   ORDER BY s.onset_at) END AS onset_rank,"
    "  extract(epoch FROM s.onset_at - coalesce(min(s.onset_at)"
    "   FILTER (WHERE s.anchor) OVER (), min(s.onset_at) OVER ())) / 60"
    "   AS after_first,"
    "  (SELECT min(depth) FROM down WHERE down.sid = s.service_id) AS ddown,"
    "  (SELECT min(depth) FROM up WHERE up.sid = s.service_id) AS dup"
    "  FROM sig0 s LEFT JOIN midwatch.services v"
    "   ON v.project_id = s.project_id AND v.id = s.service_id),"
    " x AS (SELECT sig.*,"
    "  CASE WHEN signal_type IN ('traffic_surge', 'traffic_drop') THEN 'traffic_shift'"
    "   WHEN signal_type = 'health_down' THEN 'health_check'"
    "   WHEN signal_type = 'external_alert' THEN 'external_alert'"
    "   WHEN signal_type = 'conversion_drop' THEN 'metric_anomaly'"
    "   WHEN service_id IS NOT DISTINCT FROM $6::bigint THEN 'metric_anomaly'"
    "   ELSE 'dependency_anomaly' END AS kind,"
    "  CASE WHEN service_id IS NOT DISTINCT FROM $6::bigint THEN 'self'"
    "   WHEN ddown IS NOT NULL THEN 'dependency'"
    "   WHEN dup IS NOT NULL THEN 'dependent' ELSE 'related' END AS relation,"
    "  CASE WHEN ddown IS NOT NULL THEN ddown WHEN dup IS NOT NULL THEN -dup"
    "   END AS depth,"
    "  CASE WHEN NOT anchor THEN CASE WHEN after_first < 0"
    "    THEN round(-after_first)::text || ' min before'"
    "    ELSE round(after_first)::text || ' min after' END"
    "    || ' the first steady anomaly (cited, does not set the order)'"
    "   WHEN onset_rank = 1 THEN 'the first anomaly'"
    "   ELSE round(after_first)::text || ' min after the first anomaly'"
    "  END AS order_text FROM sig)"
    EV_INSERT
    " SELECT $1, $2, $3, 'signal:' || x.dedupe_key, x.kind,"
    "  CASE WHEN x.signal_type = 'conversion_drop' THEN 'funnel_snapshots'"
    "   WHEN x.signal_type = 'external_alert' THEN 'external_alerts'"
    "   WHEN x.signal_type = 'health_down' THEN 'health_checks'"
    "   ELSE 'metric_points' END,"
    "  CASE WHEN x.signal_type IN ('external_alert', 'conversion_drop')"
    "   THEN coalesce(x.ref, x.dedupe_key)"
    "   ELSE coalesce(x.svc_name, '?') || ':' || coalesce(x.metric_name,"
    "    x.signal_type) END,"
    "  x.service_id,"
    "  CASE x.signal_type"
    "   WHEN 'health_down' THEN format('%s health checks %s: %s checks from %s, %s',"
    "    x.svc_name, CASE WHEN (x.details ->> 'down')::int > 0 THEN 'down'"
    "     ELSE 'degraded' END, x.details ->> 'checks', " HHMI("x.onset_at") ","
    "    x.order_text)"
    "   WHEN 'external_alert' THEN format('alert %s firing on %s from %s%s, %s',"
    "    coalesce(x.details ->> 'alertname', x.ref), coalesce(x.svc_name, '?'),"
    "    " HHMI("x.onset_at") ", CASE WHEN x.ended_at IS NOT NULL"
    "     THEN ' to ' || " HHMI("x.ended_at") " ELSE '' END, x.order_text)"
    "   WHEN 'conversion_drop' THEN format('%s funnel conversion fell to %s"
    " (baseline %s) from %s; revenue at risk %s to %s',"
    "    x.ref, midwatch.pipeline_fmt_metric('conversion', x.peak_value),"
    "    midwatch.pipeline_fmt_metric('conversion', x.baseline),"
    "    " HHMI("x.onset_at") ","
    "    midwatch.pipeline_fmt_num((x.details -> 'revenue_at_risk' ->> 'low')::float8),"
    "    midwatch.pipeline_fmt_num((x.details -> 'revenue_at_risk' ->> 'high')::float8))"
    "   ELSE format('%s %s %s to %s (baseline %s) from %s, %s%s',"
    "    coalesce(x.svc_name, '?'), x.metric_name,"
    "    CASE WHEN x.direction = 'down' THEN 'fell' ELSE 'rose' END,"
    "    midwatch.pipeline_fmt_metric(x.metric_name, x.peak_value),"
    "    midwatch.pipeline_fmt_metric(x.metric_name, x.baseline),"
    "    " HHMI("x.onset_at") ", x.order_text,"
    "    CASE WHEN midwatch.signal_flapping(x.details)"
    "     THEN ' (flapping)' ELSE '' END)"
    "  END,"
    "  greatest(0.05, least(1, x.quality_score)), x.onset_at,"
    "  jsonb_build_object('signal_id', x.id, 'signal_type', x.signal_type,"
    "   'service', x.svc_name, 'metric', x.metric_name, 'onset', x.onset_at,"
    "   'peak_at', x.peak_at, 'ended_at', x.ended_at, 'baseline', x.baseline,"
    "   'peak_value', x.peak_value, 'ratio', CASE WHEN x.baseline > 0"
    "    THEN round((x.peak_value / x.baseline)::numeric, 3) END,"
    "   'quality', x.quality_score, 'severity', x.severity,"
    "   'direction', x.direction, 'onset_rank', x.onset_rank,"
    "   'minutes_after_first', round(x.after_first::numeric, 1),"
    "   'minutes_from_incident_onset',"
    "    round((extract(epoch FROM x.onset_at - $4::timestamptz) / 60)::numeric, 1),"
    "   'relation', x.relation, 'depth', x.depth,"
    "   'flapping', midwatch.signal_flapping(x.details),"
    "   'anchor', x.anchor, 'step_s', x.details -> 'step_s',"
    "   'spike', x.details -> 'spike', 'short', x.details -> 'short')"
    "   || CASE WHEN x.signal_type = 'conversion_drop' THEN jsonb_build_object("
    "    'revenue_at_risk', x.details -> 'revenue_at_risk',"
    "    'lost_conversions', x.details -> 'lost_conversions') ELSE '{}' END"
    "   || CASE WHEN x.signal_type = 'external_alert' THEN jsonb_build_object("
    "    'alertname', x.details ->> 'alertname') ELSE '{}' END"
    "   || CASE WHEN x.signal_type = 'health_down' THEN x.details ELSE '{}' END"
    " FROM x"
    EV_UPSERT;

/* The deploys of the 3 h before onset on related services, and their
 * commits (ranges, or the shas the deploy listed). */
#define CTE_DEPLOYS \
	" dep AS (SELECT d.*, rel.r, v.name AS svc_name," \
	"  extract(epoch FROM $4::timestamptz - d.started_at) / 60 AS lead" \
	"  FROM midwatch.deployment_events d JOIN rel ON rel.sid = d.service_id" \
	"  JOIN midwatch.services v ON v.project_id = d.project_id" \
	"   AND v.id = d.service_id" \
	"  WHERE d.project_id = $1" \
	"  AND d.started_at >= $4::timestamptz - make_interval(secs => $8::float8)" \
	"  AND d.started_at <= $4::timestamptz + make_interval(secs => $10::float8))," \
	" dc AS (SELECT r.deployment_id, r.commit_id" \
	"  FROM midwatch.deployment_commit_ranges r JOIN dep ON dep.id = r.deployment_id" \
	"  WHERE r.project_id = $1" \
	"  UNION SELECT dep.id, c.id FROM dep JOIN midwatch.commits c" \
	"  ON c.project_id = $1 AND c.sha = ANY (dep.commits))"

static const char sql_deploys[] =
    WITH_PARAMS CTE_RELATED "," CTE_DEPLOYS ","
    " files AS (SELECT dc.deployment_id, f.change_type, count(*) AS n"
    "  FROM dc JOIN midwatch.commit_files f ON f.project_id = $1"
    "   AND f.commit_id = dc.commit_id GROUP BY 1, 2),"
    " agg AS (SELECT dep.*,"
    "  (SELECT count(*) FROM dc WHERE dc.deployment_id = dep.id) AS ncommits,"
    "  coalesce((SELECT jsonb_object_agg(change_type, n) FROM files"
    "   WHERE files.deployment_id = dep.id), '{}') AS types,"
    "  coalesce((SELECT jsonb_agg(change_type ORDER BY change_type) FROM files"
    "   WHERE files.deployment_id = dep.id AND change_type IN " RISKY_TYPES
    "  ), '[]') AS risky,"
    "  coalesce((SELECT count(*) > 0 AND bool_and(change_type IN ('docs', 'test'))"
    "   FROM files WHERE files.deployment_id = dep.id), false) AS docs_only,"
    "  EXISTS (SELECT 1 FROM aff WHERE aff.sid = dep.service_id) AS affected"
    "  FROM dep)"
    EV_INSERT
    " SELECT $1, $2, $3, 'deployment:' || a.ext_id, 'deployment',"
    "  'deployment_events', a.ext_id, a.service_id,"
    "  format('deploy %s of %s (%s) %s: %s commit%s%s%s',"
    "   a.ext_id, a.svc_name, " REL_NAME("a.r") ", " LEAD_TEXT("a.lead") ", a.ncommits,"
    "   CASE WHEN a.ncommits = 1 THEN '' ELSE 's' END,"
    "   CASE WHEN jsonb_array_length(a.risky) > 0 THEN ', risky: '"
    "    || (SELECT string_agg(DISTINCT t, ', ') FROM"
    "     jsonb_array_elements_text(a.risky) t)"
    "    WHEN a.docs_only THEN ', docs/tests only' ELSE '' END,"
    "   CASE WHEN a.is_rollback THEN ' (rollback)' ELSE '' END),"
    "  round((CASE WHEN a.lead <= 15 THEN 0.9 WHEN a.lead <= 60 THEN 0.6"
    "   ELSE 0.3 END * CASE WHEN a.affected THEN 1 ELSE 0.6 END"
    "   * CASE WHEN a.docs_only THEN 0.5 ELSE 1 END)::numeric, 2),"
    "  a.started_at,"
    "  jsonb_build_object('deploy', a.ext_id, 'service', a.svc_name,"
    "   'lead_minutes', round(a.lead::numeric, 1), 'relation', " REL_NAME("a.r") ","
    "   'affected', a.affected, 'started_at', a.started_at,"
    "   'finished_at', a.finished_at, 'is_rollback', a.is_rollback,"
    "   'revision', a.revision, 'previous_revision', a.previous_revision,"
    "   'commits', a.ncommits, 'change_types', a.types,"
    "   'risky_types', a.risky, 'docs_only', a.docs_only)"
    " FROM agg a"
    EV_UPSERT;

/* The risky files of those deploys' commits. */
static const char sql_commit_files[] =
    WITH_PARAMS CTE_RELATED "," CTE_DEPLOYS
    EV_INSERT
    " SELECT $1, $2, $3, 'commit_file:' || dep.ext_id || ':' || c.sha || ':'"
    "  || f.path, 'commit_file', 'commit_files', c.sha || ':' || f.path,"
    "  dep.service_id,"
    "  format('%s in %s (deploy %s): %s, %s +%s -%s', f.change_type,"
    "   left(c.sha, 12), dep.ext_id, left(c.message, 120), f.path,"
    "   f.lines_added, f.lines_removed),"
    "  0.7, c.authored_at,"
    "  jsonb_build_object('deploy', dep.ext_id, 'sha', c.sha, 'repo', c.repo,"
    "   'path', f.path, 'change_type', f.change_type, 'message',"
    "   left(c.message, 300), 'lines_added', f.lines_added,"
    "   'lines_removed', f.lines_removed, 'lead_minutes',"
    "   round(dep.lead::numeric, 1))"
    " FROM dep JOIN dc ON dc.deployment_id = dep.id"
    " JOIN midwatch.commits c ON c.project_id = $1 AND c.id = dc.commit_id"
    " JOIN midwatch.commit_files f ON f.project_id = $1 AND f.commit_id = c.id"
    " WHERE f.change_type IN " RISKY_TYPES
    EV_UPSERT;

/* Config changes of the 3 h before onset on related services or the whole
 * cluster; a diff is benign when it only touches logging or scales up, risky
 * when it touches timeouts, retries, pools, limits, endpoints, credentials. */
static const char sql_configs[] =
    WITH_PARAMS CTE_RELATED ","
    " cfg AS (SELECT c.*, coalesce(rel.r, 3) AS r, v.name AS svc_name,"
    "  extract(epoch FROM $4::timestamptz - c.detected_at) / 60 AS lead,"
    "  EXISTS (SELECT 1 FROM aff WHERE aff.sid = c.service_id) AS affected,"
    "  (SELECT string_agg(format('%s %s -> %s', x ->> 'field',"
    "    coalesce(x ->> 'old_value', '?'), coalesce(x ->> 'new_value', '?')), ', ')"
    "   FROM jsonb_array_elements(c.diff) x) AS diff_text,"
    "  coalesce((SELECT bool_and((x ->> 'field') ~* 'log'"
    "    OR ((x ->> 'field') ~* 'replicas'"
    "     AND (x ->> 'old_value') ~ '^[0-9]+(\\.[0-9]+)?$'"
    "     AND (x ->> 'new_value') ~ '^[0-9]+(\\.[0-9]+)?$'"
    "     AND (x ->> 'new_value')::numeric >= (x ->> 'old_value')::numeric))"
    "   FROM jsonb_array_elements(c.diff) x), false) AS benign,"
    "  coalesce((SELECT bool_or((x ->> 'field') ~*"
    "    '(timeout|retr|backoff|pool|conn|limit|url|host|endpoint|port|dns|tls"
    "|cert|auth|token|password|secret|flag|rate|deadline)')"
    "   FROM jsonb_array_elements(c.diff) x), false) AS risky_field"
    "  FROM midwatch.config_change_events c"
    "  LEFT JOIN rel ON rel.sid = c.service_id"
    "  LEFT JOIN midwatch.services v ON v.project_id = c.project_id"
    "   AND v.id = c.service_id"
    "  WHERE c.project_id = $1 AND (rel.sid IS NOT NULL OR c.service_id IS NULL)"
    "  AND c.detected_at >= $4::timestamptz - make_interval(secs => $8::float8)"
    "  AND c.detected_at <= $4::timestamptz + make_interval(secs => $10::float8))"
    EV_INSERT
    " SELECT $1, $2, $3, 'config_change:' || c.ext_id, 'config_change',"
    "  'config_change_events', c.ext_id, c.service_id,"
    "  format('config change %s on %s (%s) %s: %s %s%s',"
    "   c.ext_id, coalesce(c.svc_name, 'the cluster'), " REL_NAME("c.r") ","
    "   " LEAD_TEXT("c.lead") ", c.resource_name, coalesce(c.diff_text, c.change_kind),"
    "   CASE WHEN c.benign THEN ' (benign)' WHEN c.risky_field THEN ' (risky)'"
    "    ELSE '' END),"
    "  round((CASE WHEN c.lead <= 15 THEN 0.9 WHEN c.lead <= 60 THEN 0.6"
    "   ELSE 0.3 END * CASE WHEN c.affected THEN 1 ELSE 0.6 END"
    "   * CASE WHEN c.benign THEN 0.5 ELSE 1 END)::numeric, 2),"
    "  c.detected_at,"
    "  jsonb_build_object('change', c.ext_id, 'service', c.svc_name,"
    "   'lead_minutes', round(c.lead::numeric, 1), 'relation', " REL_NAME("c.r") ","
    "   'affected', c.affected, 'change_kind', c.change_kind,"
    "   'resource', c.resource_name, 'source', c.source, 'diff', c.diff,"
    "   'benign', c.benign, 'risky', c.risky_field AND NOT c.benign)"
    " FROM cfg c"
    EV_UPSERT;

/* Error fingerprints of the affected services, seen 3 or more times from
 * 30 min before onset to the window's end: new ones (first seen from 30 min
 * before onset, with an hour of history behind them), and recurring ones
 * seen before that now burst (at least 5 times what their rate over the
 * previous 24 h predicts) - the same outage coming back logs the same
 * errors, which are not new but still name what is failing.  Only new ones
 * carry the changes that preceded them (a release is blamed for new errors,
 * not for old ones coming back). */
#define FP_FROM "($4::timestamptz - make_interval(secs => $9::float8))"
static const char sql_fingerprints[] =
    WITH_PARAMS CTE_RELATED ","
    " hist AS (SELECT min(ts) AS t0 FROM midwatch.error_events"
    "  WHERE project_id = $1),"
    " fp AS (SELECT e.service_id, e.fingerprint, count(*) AS n,"
    "  min(e.ts) AS w_first,"
    "  (array_agg(e.message ORDER BY e.ts))[1] AS msg,"
    "  (array_agg(e.error_type ORDER BY e.ts))[1] AS error_type"
    "  FROM midwatch.error_events e JOIN aff ON aff.sid = e.service_id"
    "  WHERE e.project_id = $1"
    "  AND e.ts >= " FP_FROM " AND e.ts <= $5"
    "  GROUP BY 1, 2 HAVING count(*) >= 3),"
    " f2 AS (SELECT fp.*, (SELECT min(x.ts) FROM midwatch.error_events x"
    "   WHERE x.project_id = $1 AND x.service_id = fp.service_id"
    "   AND x.fingerprint = fp.fingerprint) AS first_seen,"
    "  (SELECT count(*) FROM midwatch.error_events x"
    "   WHERE x.project_id = $1 AND x.service_id = fp.service_id"
    "   AND x.fingerprint = fp.fingerprint"
    "   AND x.ts >= " FP_FROM " - interval '24 hours'"
    "   AND x.ts < " FP_FROM ") AS before_n FROM fp),"
    " fresh AS (SELECT f2.*, f2.first_seen >= hist.t0 + interval '1 hour'"
    "   AND f2.first_seen >= " FP_FROM " AS is_new FROM f2, hist),"
    " fsel AS (SELECT * FROM fresh WHERE is_new"
    "  OR (first_seen < " FP_FROM
    "   AND n >= 5 * before_n * extract(epoch FROM $5 - " FP_FROM ") / 86400)),"
    " ment AS (SELECT f.service_id, f.fingerprint,"
    "  jsonb_agg(DISTINCT d.to_name) AS names FROM fsel f"
    "  JOIN midwatch.service_dependencies d ON d.project_id = $1"
    "   AND d.from_service_id = f.service_id"
    "   AND strpos(lower(f.msg), lower(d.to_name)) > 0 GROUP BY 1, 2),"
    " chg AS (SELECT f.service_id, f.fingerprint, jsonb_agg(jsonb_build_object("
    "   'kind', k.kind, 'ref', k.ref, 'minutes',"
    "   round((extract(epoch FROM f.first_seen - k.t) / 60)::numeric, 1))"
    "   ORDER BY k.t DESC, k.ref) AS changes FROM fsel f"
    "  JOIN (SELECT 'deployment' AS kind, ext_id AS ref, service_id,"
    "    started_at AS t FROM midwatch.deployment_events WHERE project_id = $1"
    "   UNION ALL SELECT 'config_change', ext_id, service_id, detected_at"
    "    FROM midwatch.config_change_events WHERE project_id = $1) k"
    "   ON k.service_id = f.service_id AND k.t <= f.first_seen"
    "   AND k.t >= f.first_seen - make_interval(secs => $8::float8)"
    "  WHERE f.is_new GROUP BY 1, 2)"
    EV_INSERT
    " SELECT $1, $2, $3, 'fingerprint:' || f.service_id || ':' || f.fingerprint,"
    "  'error_fingerprint', 'error_events', f.fingerprint, f.service_id,"
    "  CASE WHEN f.is_new THEN format('new error on %s since %s (%s times%s): %s',"
    "   v.name, " HHMI("f.first_seen") ", f.n,"
    "   CASE WHEN m.names IS NOT NULL THEN ', names ' || (SELECT"
    "    string_agg(t, ', ') FROM jsonb_array_elements_text(m.names) t)"
    "    ELSE '' END, left(f.msg, 160))"
    "  ELSE format('recurring error on %s bursting since %s (%s times, %s in"
    " the 24 h before%s; first seen %s): %s', v.name, " HHMI("f.w_first") ","
    "   f.n, f.before_n,"
    "   CASE WHEN m.names IS NOT NULL THEN ', names ' || (SELECT"
    "    string_agg(t, ', ') FROM jsonb_array_elements_text(m.names) t)"
    "    ELSE '' END, to_char(f.first_seen AT TIME ZONE 'UTC',"
    "    'YYYY-MM-DD HH24:MI'), left(f.msg, 160)) END,"
    "  round(CASE WHEN f.is_new THEN least(0.9, 0.4 + 0.02 * f.n)"
    "   ELSE least(0.7, 0.3 + 0.02 * f.n) END::numeric, 2),"
    "  CASE WHEN f.is_new THEN f.first_seen ELSE f.w_first END,"
    "  jsonb_build_object('fingerprint', f.fingerprint, 'service', v.name,"
    "   'message', left(f.msg, 300), 'error_type', f.error_type, 'count', f.n,"
    "   'first_seen', f.first_seen, 'minutes_after_onset',"
    "   round((extract(epoch FROM f.first_seen - $4::timestamptz) / 60)::numeric, 1),"
    "   'mentions', coalesce(m.names, '[]'),"
    "   'after_changes', coalesce(c.changes, '[]'))"
    "  || CASE WHEN f.is_new THEN '{}'::jsonb ELSE jsonb_build_object("
    "   'recurring', true, 'burst_start', f.w_first,"
    "   'count_before_24h', f.before_n) END"
    " FROM fsel f JOIN midwatch.services v ON v.project_id = $1"
    "  AND v.id = f.service_id"
    " LEFT JOIN ment m USING (service_id, fingerprint)"
    " LEFT JOIN chg c USING (service_id, fingerprint)"
    EV_UPSERT;

/* Past incidents with a confirmed root cause: same service and trigger, or
 * whose root cause was one of the affected services or one of their
 * dependencies (an external provider has no signals of its own) - the
 * ranking prior cites them. */
static const char sql_similar[] =
    WITH_PARAMS CTE_RELATED ","
    " inc AS (SELECT service_id, trigger_type FROM midwatch.incidents"
    "  WHERE project_id = $1 AND id = $3),"
    " o AS (SELECT o.*, pi.title, pi.trigger_type, pi.service_id AS inc_svc,"
    "  rv.name AS root_name, (pi.service_id = inc.service_id"
    "   AND pi.trigger_type = inc.trigger_type) AS same_trigger"
    "  FROM midwatch.past_case_outcomes o CROSS JOIN inc"
    "  LEFT JOIN midwatch.incidents pi ON pi.project_id = o.project_id"
    "   AND pi.id = o.incident_id"
    "  LEFT JOIN midwatch.services rv ON rv.project_id = o.project_id"
    "   AND rv.id = o.root_cause_service_id"
    "  WHERE o.project_id = $1 AND o.outcome = 'confirmed'"
    "  AND o.incident_id IS DISTINCT FROM $3"
    "  AND ((pi.service_id = inc.service_id AND pi.trigger_type = inc.trigger_type)"
    "   OR o.root_cause_service_id IN (SELECT sid FROM rel WHERE r <= 1))"
    "  ORDER BY o.recorded_at DESC, o.id DESC LIMIT 5)"
    EV_INSERT
    " SELECT $1, $2, $3, 'similar:' || o.id, 'similar_incident',"
    "  'past_case_outcomes', coalesce('incident:' || o.incident_id,"
    "   'outcome:' || o.id), o.root_cause_service_id,"
    "  format('past incident %s%s: confirmed root cause %s on %s%s',"
    "   coalesce('#' || o.incident_id, '(purged)'),"
    "   coalesce(' (' || o.title || ')', ''), o.confirmed_hypothesis_type,"
    "   coalesce(o.root_name, '?'), coalesce(' (' || o.ref || ')', '')),"
    "  CASE WHEN o.same_trigger THEN 0.6 ELSE 0.4 END, o.recorded_at,"
    "  jsonb_build_object('incident_id', o.incident_id, 'hypothesis_type',"
    "   o.confirmed_hypothesis_type, 'root_cause_service', o.root_name,"
    "   'root_cause_service_id', o.root_cause_service_id, 'ref', o.ref,"
    "   'trigger_type', o.trigger_type, 'same_trigger',"
    "   coalesce(o.same_trigger, false))"
    " FROM o"
    EV_UPSERT;

/* Counts by kind, for the summary. */
struct ev_counts {
	long long incidents, artifacts, stale;
};

/* Runs one artifact statement for an incident. */
static int
ev_exec(struct pipeline_ctx *ctx, const char *sql, const char *const *p,
    struct ev_counts *ec, char **cause)
{
	struct db_res *r = db_query(ctx->db, cause, sql, 10, p);

	if (r == NULL)
		return -1;
	ec->artifacts += db_res_rows(r);
	db_res_free(r);
	return 0;
}

/* Gathers the evidence of one incident. */
static int
gather(struct pipeline_ctx *ctx, const char *id, const char *onset,
    const char *end, const char *svc, struct ev_counts *ec, char **cause)
{
	static const char *const stmts[] = { sql_signals, sql_deploys,
		sql_commit_files, sql_configs, sql_fingerprints, sql_similar };
	char wq[40], chg[40], fpw[40], chga[40];
	const char *p[10] = { ctx->project, ctx->run, id, onset, end, svc,
		policy_param(wq, sizeof wq, POL_WATCH_QUALITY),
		policy_param(chg, sizeof chg, POL_EVIDENCE_CHANGES),
		policy_param(fpw, sizeof fpw, POL_EVIDENCE_FINGERPRINTS),
		policy_param(chga, sizeof chga, POL_EVIDENCE_CHANGE_AFTER) };
	struct db_res *r;
	size_t i;

	for (i = 0; i < MW_ARRAY_LEN(stmts); i++)
		if (ev_exec(ctx, stmts[i], p, ec, cause) != 0)
			return -1;
	/* What this run did not produce again is stale (human notes stay). */
	r = DBQ(ctx->db, cause,
	    "DELETE FROM midwatch.evidence_artifacts WHERE project_id = $1"
	    " AND incident_id = $3 AND run_id IS DISTINCT FROM $2"
	    " AND source IN ('metric_points', 'funnel_snapshots', 'external_alerts',"
	    "  'health_checks', 'deployment_events', 'commit_files',"
	    "  'config_change_events', 'error_events', 'past_case_outcomes')"
	    " RETURNING 1", ctx->project, ctx->run, id);
	if (r == NULL)
		return -1;
	ec->stale += db_res_rows(r);
	db_res_free(r);
	return 0;
}

/* Gathers evidence for every approved incident the run touched. */
int
stage_evidence_run(struct pipeline_ctx *ctx, char **cause)
{
	struct ev_counts ec;
	struct db_res *r;
	int i, n, rc = 0;

	memset(&ec, 0, sizeof ec);
	r = DBQ(ctx->db, cause,
	    "SELECT i.id, " SQL_RFC3339_US("i.window_start") ","
	    " " SQL_RFC3339_US("i.window_end") ", i.service_id"
	    PIPELINE_SQL_APPROVED_OF_RUN, ctx->project, ctx->run,
	    ctx->start_ts, ctx->end_ts);
	if (r == NULL)
		return -1;
	n = db_res_rows(r);
	for (i = 0; i < n && rc == 0; i++) {
		const char *id = db_res_get(r, i, 0);
		char *ucause = NULL;

		rc = pipeline_unit_begin(ctx, "evidence", "incident", id, &ucause);
		if (rc == 0)
			rc = gather(ctx, id, db_res_get(r, i, 1), db_res_get(r, i, 2),
			    db_res_get(r, i, 3), &ec, &ucause);
		rc = pipeline_unit_end(ctx, rc, "evidence", "incident", id, &ucause,
		    cause);
		ec.incidents++;
	}
	db_res_free(r);
	if (rc != 0)
		return -1;
	pipeline_count(ctx, "evidence", "incidents", ec.incidents);
	pipeline_count(ctx, "evidence", "artifacts", ec.artifacts);
	pipeline_count(ctx, "evidence", "stale_removed", ec.stale);
	return 0;
}
