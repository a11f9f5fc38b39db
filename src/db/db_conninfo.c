/*
 * db_conninfo.c - which database to use: --db, else the libpq environment,
 * else the embedded private cluster, and where that cluster lives.
 * Pure functions of their inputs so the unit tests can drive them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midwatch/db.h"
#include "midwatch/xmalloc.h"

/* True if the environment variable is set and not empty. */
static int
env_set(const char *(*getenv_fn)(const char *), const char *name)
{
	const char *v = getenv_fn(name);

	return v != NULL && *v != '\0';
}

/* --db, else DATABASE_URL, else "" when libpq's environment names a
 * database, else NULL: the embedded default. */
char *
db_conninfo_resolve(const char *cli_db, const char *(*getenv_fn)(const char *))
{
	static const char *const pgvars[] = { "PGHOST", "PGDATABASE",
	    "PGSERVICE", "PGHOSTADDR" };
	size_t i;

	if (cli_db != NULL && *cli_db != '\0')
		return xstrdup(cli_db);
	if (env_set(getenv_fn, "DATABASE_URL"))
		return xstrdup(getenv_fn("DATABASE_URL"));
	for (i = 0; i < MW_ARRAY_LEN(pgvars); i++)
		if (env_set(getenv_fn, pgvars[i]))
			return xstrdup("");
	return NULL;
}

/* Where the embedded cluster lives (see db.h). */
char *
db_cluster_dir(const char *(*getenv_fn)(const char *))
{
	if (env_set(getenv_fn, "MIDWATCH_STATE_DIR"))
		return xstrdup(getenv_fn("MIDWATCH_STATE_DIR"));
	if (env_set(getenv_fn, "XDG_STATE_HOME"))
		return xasprintf("%s/midwatch", getenv_fn("XDG_STATE_HOME"));
	/* root's home is not reachable by the unprivileged server user. */
	if (geteuid() == 0)
		return xstrdup("/var/lib/midwatch");
	if (env_set(getenv_fn, "HOME"))
		return xasprintf("%s/.local/state/midwatch", getenv_fn("HOME"));
	return xstrdup("/tmp/midwatch");
}
