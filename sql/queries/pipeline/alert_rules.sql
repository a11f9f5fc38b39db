-- pipeline/alert_rules - the project's enabled alert rules, most severe
-- first: when two rules describe one problem (an incident), the more severe
-- one creates the alert.
-- $1 project id
-- columns: id name kind config severity channels cooldown_seconds
SELECT id, name, kind, config::text AS config, severity,
       channels::text AS channels, cooldown_seconds
  FROM midwatch.alert_rules
 WHERE project_id = $1 AND enabled
 ORDER BY midwatch.severity_rank(severity) DESC, id
