/*
 * tui.c - starting and stopping the console: curses set-up (wide
 * characters, short ESCDELAY so Esc answers at once over SSH, UTF-8 or
 * ASCII, colour or monochrome), signals, stderr captured to a log file while
 * curses owns the terminal, and restoring the terminal on every way out.
 *
 * Signals: SIGWINCH, SIGTERM, SIGHUP and SIGINT handlers only set a flag and
 * write one byte to a self-pipe the loop polls.  SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL and SIGABRT restore the terminal (attributes, keypad mode, cursor,
 * alternate screen, tty modes) and re-raise (as htop does), so a crash
 * leaves a usable shell and a core.  tui_stop() is idempotent and is
 * also registered with atexit() and as fatal()'s hook.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "curses_compat.h"
#include "midwatch/conf.h"
#include "midwatch/log.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

volatile sig_atomic_t tui_quit_signal;
volatile sig_atomic_t tui_winch;

static volatile sig_atomic_t tui_started;	/* curses is active */
static int tui_sigpipe[2] = { -1, -1 };
static int tui_saved_stderr = -1;	/* the real stderr while captured */
static int tui_atexit_done;
static struct termios tui_shell_modes;	/* the tty before curses */
static int tui_have_shell_modes;
static char tui_reset_seq[256];		/* CAN sgr0 rmkx cnorm rmcup */
static size_t tui_reset_len;

/* Wall-clock seconds. */
double
tui_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Restores the terminal (idempotent; see tui.h). */
void
tui_stop(void)
{
	if (!tui_started)
		return;
	tui_started = 0;
	curs_set(1);
	endwin();
	if (tui_saved_stderr >= 0) {
		dup2(tui_saved_stderr, STDERR_FILENO);
		close(tui_saved_stderr);
		tui_saved_stderr = -1;
	}
	log_set_quiet(0);
}

/* Quit, resize: set a flag and wake the loop. */
static void
tui_on_signal(int sig)
{
	int saved = errno;
	ssize_t w;

	if (sig == SIGWINCH)
		tui_winch = 1;
	else
		tui_quit_signal = sig;
	if (tui_sigpipe[1] >= 0)
		w = write(tui_sigpipe[1], "", 1);
	(void)w;
	errno = saved;
}

/* A crash: give the terminal back, then die of the same signal.  It may
 * run on any thread and in the middle of a curses call, so it does not call
 * curses: it writes the terminal's own reset strings (saved at start) and
 * puts back the shell's tty modes, both async-signal-safe. */
static void
tui_on_crash(int sig)
{
	ssize_t w;

	if (tui_started) {
		tui_started = 0;
		if (tui_reset_len > 0)
			w = write(STDOUT_FILENO, tui_reset_seq, tui_reset_len);
		(void)w;
		if (tui_have_shell_modes)
			tcsetattr(STDIN_FILENO, TCSADRAIN, &tui_shell_modes);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Saves what the crash handler needs: the reset strings of the terminal,
 * everything curses turned on undone -- attributes off, keypad transmit mode
 * off (else the shell gets ESC O A for an arrow key), cursor visible, leave
 * the alternate screen.  A CAN first ends any sequence the crash cut in
 * half, so the terminal reads the reset strings as such.  (The console
 * turns on neither the mouse nor bracketed paste: nothing to undo.) */
static void
tui_save_reset(void)
{
	static const char *const caps[] = { "sgr0", "rmkx", "cnorm", "rmcup" };
	const char *v, *end;
	size_t i, n;

	tui_reset_seq[0] = '\030';		/* CAN */
	tui_reset_len = 1;
	for (i = 0; i < MW_ARRAY_LEN(caps); i++) {
		v = tigetstr(caps[i]);
		if (v == NULL || v == (char *)-1)
			continue;
		n = strlen(v);
		if (tui_reset_len + n >= sizeof tui_reset_seq)
			break;
		for (; *v != '\0'; v++) {
			/* a padding delay ("$<2>") is for tputs, not the tty */
			if (v[0] == '$' && v[1] == '<' &&
			    (end = strchr(v, '>')) != NULL) {
				v = end;
				continue;
			}
			tui_reset_seq[tui_reset_len++] = *v;
		}
	}
}

/* The signal pipe's read end. */
int
tui_signal_fd(void)
{
	return tui_sigpipe[0];
}

/* Empties the signal pipe. */
void
tui_drain_signals(void)
{
	char junk[32];

	while (read(tui_sigpipe[0], junk, sizeof junk) > 0)
		;
}

/* Installs the handlers. */
static void
tui_signals(void)
{
	static const int quit[] = { SIGTERM, SIGHUP, SIGINT };
	static const int crash[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = tui_on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	for (i = 0; i < MW_ARRAY_LEN(quit); i++)
		sigaction(quit[i], &sa, NULL);
	sa.sa_handler = tui_on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < MW_ARRAY_LEN(crash); i++)
		sigaction(crash[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Puts the default handlers back. */
static void
tui_signals_reset(void)
{
	static const int sigs[] = { SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGSEGV,
	    SIGBUS, SIGFPE, SIGILL, SIGABRT };
	size_t i;

	for (i = 0; i < MW_ARRAY_LEN(sigs); i++)
		signal(sigs[i], SIG_DFL);
}

/* The console log: $XDG_STATE_HOME/midwatch/console.log (or under
 * ~/.local/state); malloc'd, NULL when there is no place for it. */
static char *
tui_log_path(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *dir, *path;

	if (x != NULL && x[0] == '/')
		dir = xasprintf("%s/midwatch", x);
	else if (home != NULL && *home != '\0')
		dir = xasprintf("%s/.local/state/midwatch", home);
	else
		return NULL;
	/* mkdir -p of the last two levels is enough for these paths. */
	{
		char *parent = xstrdup(dir), *slash = strrchr(parent, '/');

		if (slash != NULL && slash != parent) {
			*slash = '\0';
			mkdir(parent, 0700);
		}
		free(parent);
	}
	mkdir(dir, 0700);
	path = xasprintf("%s/console.log", dir);
	free(dir);
	return path;
}

/* Sends stderr (libpq, sanitizers, stray writes) to the log file. */
static void
tui_capture_stderr(void)
{
	char *path = tui_log_path();
	int fd;

	log_open(path);
	log_set_quiet(1);
	fd = open(path != NULL ? path : "/dev/null",
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return;
	tui_saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

/* Takes the new size from the terminal and lays out again. */
void
tui_resize(struct ui *ui)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	tui_layout(ui);
	clearok(curscr, TRUE);
	ui->dirty |= R_REDRAW | R_CLEAR;
}

/* Lays the panes out for the terminal size and what they hold, and
 * rebuilds their rows for the new heights. */
void
tui_layout(struct ui *ui)
{
	int want[PANE_COUNT], need[PANE_COUNT], i;

	pane_rebuild_all(ui);
	/* the grid's columns follow what their lines need */
	if (COLS >= LAYOUT_GRID_COLS)
		pane_measure(ui);
	for (i = 0; i < PANE_COUNT; i++) {
		want[i] = ui->panes[i].want;
		need[i] = ui->panes[i].need;
	}
	layout_compute_fit(COLS, LINES, ui->focus, ui->snap != NULL ? want : NULL,
	    ui->snap != NULL && COLS >= LAYOUT_GRID_COLS ? need : NULL,
	    &ui->layout);
	pane_rebuild_all(ui);
}

/* Is the locale's character set UTF-8? */
static int
tui_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Frees everything the ui holds (not the worker). */
static void
tui_free(struct ui *ui)
{
	size_t i;

	for (i = 0; i < PANE_COUNT; i++)
		pane_free(&ui->panes[i]);
	prompt_end(ui);
	buf_free(&ui->prompt.input);
	if (ui->snap != NULL)
		model_free(ui->snap);
	if (ui->detail_snap != NULL)
		model_free(ui->detail_snap);
	model_item_detail_free(ui->detail_item);
	reports_free(ui);
	for (i = 0; i < ui->n_ovr; i++) {
		free(ui->ovr[i].status);
		free(ui->ovr[i].who);
	}
	free(ui->ovr);
	free(ui->unfolded);
	free(ui->waiting);
	free(ui->shown);
	free(ui->detail_error);
	free(ui->db_text);
	free(ui->pipe_text);
	free(ui->pipe_held_status);
	free(ui->pipe_stage);
	actions_batch_clear(ui);
	free(ui->msg);
	keymap_free(&ui->keys);
}

/* Checks the terminal and the configuration (see tui.h). */
int
tui_check(const struct conf *c, char **cause)
{
	struct keymap km;
	int rc;

	keymap_init(&km);
	rc = keymap_defaults(&km, cause);
	if (rc == 0 && c != NULL)
		rc = keymap_apply(&km, c, cause);
	keymap_free(&km);
	if (rc == 0)
		rc = draw_check(c, cause);
	if (rc == 0 && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		*cause = xstrdup("the console needs a terminal (use --no-tui or a "
		    "headless command)");
		rc = -1;
	}
	return rc;
}

/* Says, once the terminal is back, what waits in the journal. */
static void
tui_pending_note(const struct ui *ui, const char *jpath)
{
	if (ui->n_waiting == 0 || jpath == NULL)
		return;
	fprintf(stderr, "midwatch: %zu action%s wait%s for the database in %s; "
	    "the next console on this database and project records %s\n",
	    ui->n_waiting, ui->n_waiting == 1 ? "" : "s",
	    ui->n_waiting == 1 ? "s" : "", jpath,
	    ui->n_waiting == 1 ? "it" : "them");
}

/* The console's state before the terminal: keys, panes, settings (s: the
 * configuration's, or their defaults); -1 with *cause. */
static int
tui_ui_init(struct ui *ui, struct tui_config *cfg, const struct conf *s,
    char **cause)
{
	int i;

	memset(ui, 0, sizeof *ui);
	ui->cfg = cfg;
	latency_init();
	keymap_init(&ui->keys);
	for (i = 0; i < PANE_COUNT; i++)
		pane_init(&ui->panes[i], (enum pane_id)i);
	buf_init(&ui->prompt.input);
	ui->stale_ack = s->stale_ack;
	ui->db_ok = 1;
	if (keymap_defaults(&ui->keys, cause) != 0 ||
	    (cfg->conf != NULL && keymap_apply(&ui->keys, cfg->conf, cause) != 0))
		return -1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*cause = xstrdup("the console needs a terminal (use --no-tui or a "
		    "headless command)");
		return -1;
	}
	return 0;
}

/* Takes over the terminal: curses in the console's modes, colours (c: the
 * configuration, or NULL), signals; -1 with *cause (the terminal given
 * back). */
static int
tui_terminal_start(struct ui *ui, const struct conf *c, int utf8, int color,
    char **cause)
{
	if (!tui_atexit_done) {
		atexit(tui_stop);
		tui_atexit_done = 1;
	}
	log_set_fatal_hook(tui_stop);
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	tui_have_shell_modes = tcgetattr(STDIN_FILENO, &tui_shell_modes) == 0;
	tui_capture_stderr();
	if (newterm(NULL, stdout, stdin) == NULL) {
		tui_stop();
		if (tui_saved_stderr >= 0) {
			dup2(tui_saved_stderr, STDERR_FILENO);
			close(tui_saved_stderr);
			tui_saved_stderr = -1;
		}
		log_set_quiet(0);
		*cause = xasprintf("cannot use the terminal (TERM=%s)",
		    getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	tui_save_reset();
	tui_started = 1;
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	if (draw_setup(utf8, color, c, cause) != 0) {
		tui_stop();
		return -1;
	}
	tui_signals();
	tui_layout(ui);
	return 0;
}

/* Starts the worker with the console's connection and settings (s). */
static int
tui_worker_start(struct ui *ui, struct tui_config *cfg, const struct conf *s,
    char **cause)
{
	struct worker_config wc;

	memset(&wc, 0, sizeof wc);
	wc.db = cfg->db;
	cfg->db = NULL;
	wc.conninfo = cfg->conninfo;
	wc.project_id = cfg->project_id;
	wc.actor = cfg->actor;
	wc.readonly = cfg->readonly;
	wc.no_runs = cfg->no_runs;
	wc.pipeline_interval = s->pipeline_interval;
	wc.refresh_interval = s->refresh_interval;
	wc.first_rows = LINES;	/* no pane shows more rows at this size */
	ui->pipe = cfg->readonly || cfg->no_runs ? PIPE_DISABLED : PIPE_IDLE;
	ui->worker = worker_start(&wc, cause);
	if (ui->worker == NULL) {
		tui_stop();
		return -1;
	}
	return 0;
}

/* Runs the console (see tui.h). */
int
tui_run(struct tui_config *cfg, char **cause)
{
	struct ui ui;
	struct conf defaults;
	const struct conf *c = cfg->conf, *s = c;
	const char *nc;
	char *jpath = NULL;
	int utf8, color, rc, i;

	if (s == NULL) {
		conf_init(&defaults);	/* nothing to free */
		s = &defaults;
	}
	if (tui_ui_init(&ui, cfg, s, cause) != 0) {
		tui_free(&ui);
		return -1;
	}
	utf8 = tui_locale_utf8() && !s->ascii;
	nc = getenv("NO_COLOR");
	color = !(nc != NULL && *nc != '\0') && s->color;

	if (pipe(tui_sigpipe) != 0) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		tui_free(&ui);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		fcntl(tui_sigpipe[i], F_SETFL, fcntl(tui_sigpipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(tui_sigpipe[i], F_SETFD, FD_CLOEXEC);
	}
	if (tui_terminal_start(&ui, c, utf8, color, cause) != 0 ||
	    tui_worker_start(&ui, cfg, s, cause) != 0) {
		rc = -1;
		goto out;
	}
	ui.dirty = R_REDRAW;
	rc = loop_run(&ui);
	if (worker_journal(ui.worker) != NULL)
		jpath = xstrdup(worker_journal(ui.worker));
	/* Let a feedback event in flight finish (it is one transaction). */
	if (worker_stop(ui.worker, 3000) != 0) {
		tui_stop();
		tui_pending_note(&ui, jpath);
		tui_signals_reset();
		log_close();
		/* A pipeline stage is still running: the server rolls it back. */
		_exit(rc == 0 ? MW_EXIT_OK : MW_EXIT_ERROR);
	}
	ui.worker = NULL;
	tui_stop();
	tui_pending_note(&ui, jpath);
out:
	free(jpath);
	tui_signals_reset();
	log_set_fatal_hook(NULL);
	log_close();
	close(tui_sigpipe[0]);
	close(tui_sigpipe[1]);
	tui_sigpipe[0] = tui_sigpipe[1] = -1;
	tui_free(&ui);
	latency_close();
	return rc;
}
