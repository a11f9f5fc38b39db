/*
 * severity.h - the severity vocabulary and its order, once for C: info <
 * low < medium < high < critical.  The database's own copy is
 * midwatch.severity_rank() (sql/005_feedback.sql), which ranks the same
 * names the same way, and the CHECK constraints of the tables holding a
 * severity; tests/unit/test_core.c checks the C side's names and order.
 */
#ifndef MIDWATCH_SEVERITY_H
#define MIDWATCH_SEVERITY_H

/* The ranks, least severe first (the values of midwatch.severity_rank). */
enum mw_severity {
	MW_SEV_INFO,
	MW_SEV_LOW,
	MW_SEV_MEDIUM,
	MW_SEV_HIGH,
	MW_SEV_CRITICAL,
	MW_SEV_COUNT
};

/* The names for messages, most severe first. */
#define MW_SEVERITY_NAMES "critical, high, medium, low, info"

/* The rank of a severity name (exact, lowercase), -1 for NULL or anything
 * else. */
int severity_rank(const char *name);
/* The name of rank (0..MW_SEV_COUNT-1), NULL out of range. */
const char *severity_name(int rank);

#endif
