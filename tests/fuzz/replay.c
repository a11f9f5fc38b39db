/*
 * replay.c - runs a fuzz target without libFuzzer: a main() that reads
 * files and hands each to the target's LLVMFuzzerTestOneInput, so that
 * `make check` replays the seed corpus and every crash ever found (the
 * regressions) through each target, under the sanitizers of the build.
 *
 *   replay_NAME                 the files of tests/fuzz/corpus/NAME/ and
 *                               tests/fuzz/regressions/NAME/ under
 *                               $top_srcdir, as TAP (one test per directory)
 *   replay_NAME FILE|DIR...     those files only (a crash file to debug)
 *
 * NAME comes from the program's name (replay_jsonl replays fuzz_jsonl).
 * A target that breaks an invariant aborts: the test fails, and the last
 * "# FILE" line of the log names the input.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "midwatch/buf.h"
#include "midwatch/xmalloc.h"

/* Feeds one file to the target; -1 when it cannot be read. */
static int
replay_file(const char *path)
{
	struct buf b;
	char chunk[4096];
	uint8_t *copy;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	printf("# %s (%zu bytes)\n", path, b.len);
	fflush(stdout);
	/* a copy of exactly len bytes, so ASan sees any read past the end */
	n = b.len;
	copy = xmalloc(n > 0 ? n : 1);
	if (n > 0)
		memcpy(copy, b.s, n);
	buf_free(&b);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays a file, or every file of a directory (sorted); returns how many
 * files, or -1 when one could not be read.  A missing directory is empty
 * when optional. */
static long
replay_path(const char *path, int optional)
{
	struct stat st;
	struct dirent *e;
	char **names = NULL, *p;
	size_t n = 0, i;
	long count = 0;
	DIR *d;

	if (stat(path, &st) != 0)
		return optional ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) == 0 ? 1 : -1;
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xasprintf("%s/%s", path, e->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		p = names[i];
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(p) != 0)
				count = -1;
			else if (count >= 0)
				count++;
		}
		free(p);
	}
	free(names);
	return count;
}

int
main(int argc, char **argv)
{
	static const char *const dirs[] = { "corpus", "regressions" };
	const char *top = getenv("top_srcdir"), *name = strrchr(argv[0], '/');
	char *path;
	long n;
	int i, rc = 0;

	name = name != NULL ? name + 1 : argv[0];
	if (strncmp(name, "replay_", 7) == 0)
		name += 7;
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (replay_path(argv[i], 0) < 0) {
				fprintf(stderr, "replay: cannot read %s\n", argv[i]);
				rc = 1;
			}
		return rc;
	}
	printf("1..2\n");
	for (i = 0; i < 2; i++) {
		path = xasprintf("%s/tests/fuzz/%s/%s", top != NULL ? top : ".",
		    dirs[i], name);
		n = replay_path(path, i == 1);
		if (n < 0 || (i == 0 && n == 0)) {
			printf("not ok %d - fuzz_%s: %s unreadable or empty\n", i + 1,
			    name, path);
			rc = 1;
		} else
			printf("ok %d - fuzz_%s: %ld %s files\n", i + 1, name, n,
			    dirs[i]);
		free(path);
	}
	return rc;
}
