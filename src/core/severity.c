/*
 * severity.c - the severity names and their order (see severity.h).
 */
#include "config.h"

#include <string.h>

#include "midwatch/severity.h"

static const char *const severity_names[MW_SEV_COUNT] = {
	"info", "low", "medium", "high", "critical"
};

/* The rank of a name, -1 when it is none. */
int
severity_rank(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < MW_SEV_COUNT; i++)
		if (strcmp(name, severity_names[i]) == 0)
			return i;
	return -1;
}

/* The name of a rank, NULL when it is none. */
const char *
severity_name(int rank)
{
	return rank >= 0 && rank < MW_SEV_COUNT ? severity_names[rank] : NULL;
}
