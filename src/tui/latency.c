/*
 * latency.c - the console's opt-in latency log, a diagnostic for `make
 * bench` (doc/console.md, "Latency log"; doc/performance.md).  With
 * MIDWATCH_LATENCY_LOG=FILE the console appends one line per event to FILE:
 *
 *   key NAME US          a key read until the frame it caused was out
 *                        (doupdate returned), or until it was handled when
 *                        it changed nothing on screen
 *   first_frame US       the process started until the first frame showing
 *                        a snapshot
 *   reload US            r (refresh) read until the frame showing the
 *                        snapshot that answered it
 *
 * in microseconds of the monotonic clock.  Without the variable every call
 * returns at once.  Only the console's thread calls these.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui_int.h"

#define LATENCY_MAX_KEYS 256

static struct {
	int fd;			/* the log, or -1 */
	double start;		/* when the process started */
	double keys_at[LATENCY_MAX_KEYS];
	int keys[LATENCY_MAX_KEYS];
	size_t n_keys;
	double reload_at;	/* r read, its answer not drawn yet; else 0 */
	int have_snap;		/* a snapshot was installed since the last frame */
	int first_done;		/* first_frame logged */
} lat = { -1, 0, { 0 }, { 0 }, 0, 0, 0, 0 };

/* Monotonic seconds. */
static double
latency_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Notes when the process started: before main, so the first frame counts
 * the connection and everything else before the console. */
__attribute__((constructor)) static void
latency_process_start(void)
{
	lat.start = latency_now();
}

/* Opens the log when MIDWATCH_LATENCY_LOG names one (see tui_int.h). */
void
latency_init(void)
{
	const char *path = getenv("MIDWATCH_LATENCY_LOG");

	if (path == NULL || *path == '\0' || lat.fd >= 0)
		return;
	lat.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

/* Closes the log (see tui_int.h). */
void
latency_close(void)
{
	if (lat.fd >= 0)
		close(lat.fd);
	lat.fd = -1;
}

/* Appends one line. */
static void
latency_line(const char *what, const char *name, double since, double now)
{
	char line[96];
	int n;

	n = snprintf(line, sizeof line, "%s%s%s %.0f\n", what, name ? " " : "",
	    name ? name : "", (now - since) * 1e6);
	if (n > 0 && (size_t)n < sizeof line &&
	    write(lat.fd, line, (size_t)n) != n)
		latency_close();	/* a diagnostic: give up quietly */
}

/* A key was read (see tui_int.h). */
void
latency_key(int key, int reload)
{
	double now;

	if (lat.fd < 0)
		return;
	now = latency_now();
	if (lat.n_keys < LATENCY_MAX_KEYS) {
		lat.keys[lat.n_keys] = key;
		lat.keys_at[lat.n_keys++] = now;
	}
	if (reload)
		lat.reload_at = now;
}

/* A snapshot was installed (see tui_int.h). */
void
latency_snapshot(void)
{
	lat.have_snap = 1;
}

/* The keys read so far are handled and what they changed is on the
 * terminal (see tui_int.h). */
void
latency_done(int drawn)
{
	char name[32];
	double now;
	size_t i;

	if (lat.fd < 0)
		return;
	now = latency_now();
	for (i = 0; i < lat.n_keys && lat.fd >= 0; i++) {
		keys_name(lat.keys[i], name, sizeof name);
		latency_line("key", name, lat.keys_at[i], now);
	}
	lat.n_keys = 0;
	if (!drawn || !lat.have_snap || lat.fd < 0)
		return;
	lat.have_snap = 0;
	if (!lat.first_done) {
		lat.first_done = 1;
		latency_line("first_frame", NULL, lat.start, now);
	}
	if (lat.reload_at > 0 && lat.fd >= 0) {
		latency_line("reload", NULL, lat.reload_at, now);
		lat.reload_at = 0;
	}
}
