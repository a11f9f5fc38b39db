/*
 * ingest_classify.c - the change_type of a file a commit touched, from its
 * path alone.  The hypothesis stage weighs commits by what they touched (a
 * migration or a retry change explains an incident better than a README), so
 * the rules go from the most telling evidence of *what kind of file* it is
 * (a test, a document) to what it is about (retries, HTTP clients, auth) to
 * where it lives (config, shared code).  The first rule that matches wins;
 * doc/ingest.md has the table.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/ingest.h"
#include "midwatch/utf8.h"
#include "midwatch/xmalloc.h"

#define CLASSIFY_MAX_SEGS 64

/* A path split into lowercase directory segments, basename, stem and
 * extension.  All strings point into lower (or orig for the original-case
 * basename). */
struct classify_path {
	char *lower;		/* lowercase copy, '/' separated */
	char *segbuf;		/* copy of lower cut into segments */
	const char *dirs[CLASSIFY_MAX_SEGS];
	int ndirs;
	const char *base;	/* lowercase basename */
	const char *obase;	/* original-case basename */
	char stem[256];		/* basename without its last extension */
	const char *ext;	/* after the last '.', "" when none */
};

/* Splits path into its parts (see struct classify_path). */
static void
classify_split(const char *path, char *orig, struct classify_path *p)
{
	char *s, *slash;
	size_t i, n;
	const char *dot;

	memset(p, 0, sizeof *p);
	n = strlen(path);
	p->lower = xmalloc(n + 1);
	for (i = 0; i <= n; i++) {
		char c = path[i];

		if (c == '\\')
			c = '/';
		orig[i] = c;
		p->lower[i] = (char)tolower((unsigned char)c);
	}
	p->segbuf = xstrdup(p->lower);
	s = p->segbuf;
	while (*s == '/' || (s[0] == '.' && s[1] == '/'))
		s += *s == '/' ? 1 : 2;
	for (;;) {
		slash = strchr(s, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		if (*s != '\0' && strcmp(s, ".") != 0 &&
		    p->ndirs < CLASSIFY_MAX_SEGS)
			p->dirs[p->ndirs++] = s;
		s = slash + 1;
	}
	p->base = s;
	slash = strrchr(orig, '/');
	p->obase = slash != NULL ? slash + 1 : orig;
	dot = strrchr(p->base, '.');
	if (dot != NULL && dot != p->base) {
		p->ext = dot + 1;
		n = (size_t)(dot - p->base);
	} else {
		p->ext = "";
		n = strlen(p->base);
	}
	if (n >= sizeof p->stem)
		n = utf8_boundary(p->base, sizeof p->stem - 1);
	memcpy(p->stem, p->base, n);
	p->stem[n] = '\0';
}

/* 1 if s equals one of the NULL-terminated words. */
static int
classify_in(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

/* 1 if a directory segment equals one of words. */
static int
classify_dir_in(const struct classify_path *p, const char *const *words)
{
	int i;

	for (i = 0; i < p->ndirs; i++)
		if (classify_in(p->dirs[i], words))
			return 1;
	return 0;
}

/* 1 if the lowercase path contains one of words. */
static int
classify_contains(const struct classify_path *p, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strstr(p->lower, *words) != NULL)
			return 1;
	return 0;
}

/* 1 if s starts with prefix. */
static int
classify_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Tests, fixtures and specs, by directory or by file naming convention. */
static int
classify_is_test(const struct classify_path *p)
{
	static const char *const dirs[] = { "test", "tests", "__tests__",
	    "testing", "testdata", "spec", "specs", "e2e", "__mocks__",
	    "fixtures", "integration-tests", "integration_tests", NULL };
	size_t n = strlen(p->obase);
	const char *dot = strrchr(p->obase, '.');
	size_t stem = dot != NULL && dot != p->obase ? (size_t)(dot - p->obase) : n;

	if (classify_dir_in(p, dirs))
		return 1;
	if (classify_prefix(p->base, "test_") || strstr(p->base, "_test.") ||
	    strstr(p->base, ".test.") || strstr(p->base, ".spec.") ||
	    strstr(p->base, "_spec.") || strcmp(p->base, "conftest.py") == 0)
		return 1;
	/* Java/Kotlin/C# style FooTest.java, FooTests.cs (case matters, so
	 * "latest.go" is not a test). */
	if ((stem > 4 && strncmp(p->obase + stem - 4, "Test", 4) == 0) ||
	    (stem > 5 && strncmp(p->obase + stem - 5, "Tests", 5) == 0))
		return 1;
	return 0;
}

/* Documentation: docs directories, markup files, README and friends. */
static int
classify_is_docs(const struct classify_path *p)
{
	static const char *const dirs[] = { "docs", "doc", "documentation", NULL };
	static const char *const exts[] = { "md", "markdown", "rst", "adoc",
	    "asciidoc", NULL };
	static const char *const stems[] = { "readme", "changelog", "changes",
	    "license", "licence", "copying", "authors", "contributing",
	    "notice", "history", "news", "code_of_conduct", NULL };

	/* README, LICENSE.txt - but not history.go */
	return classify_dir_in(p, dirs) || classify_in(p->ext, exts) ||
	    classify_in(p->base, stems) ||
	    (classify_in(p->stem, stems) && strcmp(p->ext, "txt") == 0);
}

/* Schema migrations: migration directories, SQL under db/, schema files. */
static int
classify_is_migration(const struct classify_path *p)
{
	static const char *const dirs[] = { "migrations", "migration", "migrate",
	    "alembic", "flyway", "liquibase", "db_migrations",
	    "schema_migrations", NULL };
	static const char *const sqldirs[] = { "db", "database", "sql", "schema",
	    "schemas", "ddl", NULL };
	static const char *const bases[] = { "schema.rb", "structure.sql",
	    "schema.sql", "schema.prisma", NULL };

	if (classify_dir_in(p, dirs) || classify_in(p->base, bases) ||
	    strstr(p->base, "migration") != NULL)
		return 1;
	if (strcmp(p->ext, "sql") == 0 &&
	    (classify_dir_in(p, sqldirs) || isdigit((unsigned char)p->base[0]) ||
	    (p->base[0] == 'v' && isdigit((unsigned char)p->base[1]))))
		return 1;
	return 0;
}

/* Dependency manifests and lock files, vendored code. */
static int
classify_is_dependency(const struct classify_path *p)
{
	static const char *const bases[] = { "go.mod", "go.sum", "go.work",
	    "go.work.sum", "package.json", "package-lock.json",
	    "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb",
	    "pipfile", "pipfile.lock", "poetry.lock", "pyproject.toml", "uv.lock",
	    "cargo.toml", "cargo.lock", "pom.xml", "build.gradle",
	    "build.gradle.kts", "gradle.lockfile", "gemfile", "gemfile.lock",
	    "composer.json", "composer.lock", "mix.exs", "mix.lock", "podfile",
	    "podfile.lock", "packages.config", "packages.lock.json", "deps.edn",
	    "project.clj", "vcpkg.json", "conanfile.txt", "conanfile.py",
	    "renv.lock", "flake.lock", NULL };
	static const char *const dirs[] = { "vendor", "third_party",
	    "node_modules", NULL };
	static const char *const reqdirs[] = { "requirements", NULL };

	if (classify_in(p->base, bases) || classify_dir_in(p, dirs))
		return 1;
	if (classify_prefix(p->base, "requirements") &&
	    (strcmp(p->ext, "txt") == 0 || strcmp(p->ext, "in") == 0))
		return 1;
	return strcmp(p->ext, "txt") == 0 && classify_dir_in(p, reqdirs);
}

/* Code about timeouts, retries, backoff and circuit breakers. */
static int
classify_is_timeout(const struct classify_path *p)
{
	static const char *const words[] = { "retry", "retries", "timeout",
	    "backoff", "circuit", "breaker", "deadline", NULL };

	return classify_contains(p, words);
}

/* HTTP/gRPC client and transport code. */
static int
classify_is_http_client(const struct classify_path *p)
{
	static const char *const words[] = { "httpclient", "http_client",
	    "http-client", "http/client", "client/http", "transport",
	    "grpcclient", "grpc_client", "grpc-client", "grpc/client",
	    "client/grpc", "restclient", "rest_client", "rest-client",
	    "apiclient", "api_client", "api-client", NULL };
	static const char *const stems[] = { "client", "clients", "request",
	    "requests", "fetch", "fetcher", NULL };
	static const char *const dirs[] = { "http", "https", "grpc", "api",
	    "rest", "rpc", "net", NULL };

	return classify_contains(p, words) ||
	    (classify_in(p->stem, stems) && classify_dir_in(p, dirs));
}

/* Configuration files and deployment manifests. */
static int
classify_is_config(const struct classify_path *p)
{
	static const char *const exts[] = { "yaml", "yml", "toml", "ini", "conf",
	    "cfg", "properties", "env", "hcl", "tf", "tfvars", "cnf", NULL };
	static const char *const dirs[] = { "config", "configs", "conf",
	    "settings", "helm", "charts", "k8s", "kubernetes", "kustomize",
	    "deploy", "deployment", "deployments", "manifests", "terraform",
	    "ansible", ".github", ".circleci", "infra", NULL };

	return classify_in(p->ext, exts) || classify_dir_in(p, dirs) ||
	    classify_prefix(p->base, ".env") ||
	    classify_prefix(p->base, "dockerfile") ||
	    classify_prefix(p->base, "docker-compose");
}

/* Authentication and authorisation code ("author" is not auth). */
static int
classify_is_auth(const struct classify_path *p)
{
	static const char *const words[] = { "jwt", "session", "login", "logout",
	    "signin", "sign_in", "permission", "rbac", "saml", "oidc",
	    "credential", "password", "passwd", NULL };
	static const char *const segs[] = { "acl", "sso", "iam", NULL };
	const char *s = p->lower;

	while ((s = strstr(s, "auth")) != NULL) {
		if (strncmp(s + 4, "or", 2) != 0)
			return 1;
		s += 4;
	}
	return classify_contains(p, words) || classify_dir_in(p, segs);
}

/* Shared libraries and utilities. */
static int
classify_is_shared(const struct classify_path *p)
{
	static const char *const dirs[] = { "lib", "libs", "common", "shared",
	    "util", "utils", "pkg", "helpers", "helper", NULL };
	static const char *const stems[] = { "util", "utils", "helpers",
	    "common", NULL };

	return classify_dir_in(p, dirs) || classify_in(p->stem, stems);
}

/* Classifies path by the first matching rule (see the file comment). */
const char *
ingest_classify_path(const char *path)
{
	static const struct {
		int (*match)(const struct classify_path *);
		const char *type;
	} rules[] = {
		{ classify_is_test, "test" },
		{ classify_is_docs, "docs" },
		{ classify_is_migration, "db_migration" },
		{ classify_is_dependency, "dependency" },
		{ classify_is_timeout, "timeout_retry" },
		{ classify_is_http_client, "http_client" },
		{ classify_is_config, "config" },
		{ classify_is_auth, "auth" },
		{ classify_is_shared, "shared_util" },
	};
	struct classify_path p;
	const char *type = "other";
	char *orig;
	size_t i;

	if (path == NULL || *path == '\0')
		return "other";
	orig = xmalloc(strlen(path) + 1);
	classify_split(path, orig, &p);
	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		if (rules[i].match(&p)) {
			type = rules[i].type;
			break;
		}
	}
	free(p.lower);
	free(p.segbuf);
	free(orig);
	return type;
}
