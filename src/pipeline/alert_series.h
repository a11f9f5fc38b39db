/*
 * alert_series.h - a metric rule (threshold or trend) judged in C over one
 * binary read of its metric's points (alert_series.c), for the alert stage.
 */
#ifndef MIDWATCH_ALERT_SERIES_H
#define MIDWATCH_ALERT_SERIES_H

struct db;
struct db_res;

/* A metric rule as stage_alert.c prepared it (every value text). */
struct alert_series_rule {
	int trend;		/* 0 threshold, 1 trend */
	const char *project, *start, *end, *rule_id, *severity, *metric;
	const char *op;		/* threshold: op; trend: direction (up, down) */
	const char *value;	/* threshold: value; trend: window ("N seconds") */
	const char *span;	/* threshold: for ("N seconds"); trend: ratio */
};

/* The rule's candidates (pipeline/alert_hits_metric or _trend: the columns
 * of the other sources' pipeline/alert_cand_*); NULL with *cause on a
 * database error.  MIDWATCH_TEST_ALERT_SQL=1 finds the series that fire
 * with the reference statements (pipeline/alert_ref_metric|trend). */
struct db_res *alert_series_cands(struct db *db,
    const struct alert_series_rule *r, char **cause);

#endif
