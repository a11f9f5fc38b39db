# tests/tui/console_lib.sh - helpers for the console tests (sourced after
# tap.sh and pgtest.sh): run the real midwatch binary inside a private tmux
# server, send keys, read the screen with capture-pane, wait for text with a
# bound, and a fixed incident world written with SQL.
#
#   con_setup                 private tmux socket, config and state dirs
#   con_start NAME W H ARGS   start "midwatch ARGS" in tmux session NAME (W x H)
#   con_keys NAME KEYS...     tmux send-keys
#   con_screen NAME           the visible screen (capture-pane -p)
#   con_wait NAME REGEX [SEC] wait until the screen matches (default 10 s)
#   con_gone NAME REGEX [SEC] wait until the screen no longer matches
#   con_lines NAME N [SEC]    wait until the screen has N lines (the last drawn)
#   con_stable NAME REGEX [SEC [NOT]]  wait until the screen shows REGEX(ES) and
#                             stopped changing (and is not file NOT); print it
#   con_pid NAME              the pid of midwatch in session NAME
#   con_exited NAME [SEC]     wait for midwatch to exit; prints its exit code
#   con_fixture SLUG          load the fixture world into project SLUG
#   con_q SQL                 one value from psql
#   focused NAME, focus_wait NAME PANE    the focused pane's title word
#   selected NAME, selected_wait NAME RE  the selected row of the focused pane
#   first_row NAME TITLE      the first row under a pane's title
#   mark_events, new_events, t_events DESC EXPECTED   feedback since a mark

CON_SOCK="mwtui$$"
ESC=$(printf '\033')

con_tmux() {
	TERM=xterm tmux -L "$CON_SOCK" "$@"
}

con_cleanup() {
	con_tmux kill-server >/dev/null 2>&1 || true
	pgtest_stop
}

con_setup() {
	command -v tmux >/dev/null 2>&1 || { echo "Bail out! tmux is not installed"; exit 1; }
	trap con_cleanup EXIT INT TERM
	mkdir -p "$TAP_TMP/config/midwatch" "$TAP_TMP/state"
	# No pipeline timer: the screens must show the fixture, nothing else.
	printf 'pipeline-interval = 0\nrefresh-interval = 30s\n' \
	    >"$TAP_TMP/config/midwatch/config"
	con_tmux -f /dev/null start-server \; set -g exit-empty off
}

# con_start NAME WIDTH HEIGHT [ENV=VALUE...] -- ARGS...
# Runs midwatch through a wrapper that records its pid, its exit code and
# the terminal modes after it exited, then keeps the pane open.
con_start() {
	_n=$1 _w=$2 _h=$3
	shift 3
	_env=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		_env="$_env $1"
		shift
	done
	[ "${1:-}" = "--" ] && shift
	_run="$TAP_TMP/run-$_n.sh"
	rm -f "$TAP_TMP/pid.$_n" "$TAP_TMP/exit.$_n" "$TAP_TMP/stty.$_n"
	{
		echo '#!/bin/sh'
		echo "export PGHOST='$PGHOST' PGPORT='$PGPORT' PGUSER='$PGUSER' PGDATABASE='$PGDATABASE'"
		echo "export XDG_CONFIG_HOME='$TAP_TMP/config' XDG_STATE_HOME='$TAP_TMP/state'"
		echo "export HOME='$TAP_TMP' TZ=UTC TERM=screen LANG=C.UTF-8 LC_ALL=C.UTF-8"
		echo "unset NO_COLOR MIDWATCH_ACTOR MIDWATCH_TEST_NOW DATABASE_URL PGSERVICE"
		for _e in $_env; do echo "export $_e"; done
		echo "ulimit -c 0"
		echo "trap : INT	# Ctrl-C is for midwatch; the wrapper waits on"
		echo "stty sane"
		printf "sh -c 'echo \$\$ >\"%s\"; exec \"%s\" \"\$@\"' midwatch" \
		    "$TAP_TMP/pid.$_n" "$MIDWATCH"
		for _a in "$@"; do printf " '%s'" "$_a"; done
		echo
		echo "echo \$? >'$TAP_TMP/exit.$_n'"
		echo "echo EXIT=\$(cat '$TAP_TMP/exit.$_n')"
		echo "stty -a >'$TAP_TMP/stty.$_n' 2>&1"
		echo "exec sleep 600"
	} >"$_run"
	chmod +x "$_run"
	con_tmux new-session -d -s "$_n" -x "$_w" -y "$_h" "$_run"
}

con_keys() {
	_n=$1
	shift
	con_tmux send-keys -t "$_n:" "$@"
}

con_screen() {
	con_tmux capture-pane -p -t "$1:"
}

con_wait() {
	_i=0
	_max=$(( ${3:-10} * 10 ))
	while [ "$_i" -lt "$_max" ]; do
		con_screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# timed out waiting for /$2/ in $1; the screen was:"
	con_screen "$1" | sed 's/^/#   |/'
	return 1
}

con_gone() {
	_i=0
	_max=$(( ${3:-10} * 10 ))
	while [ "$_i" -lt "$_max" ]; do
		con_screen "$1" | grep -Eq -- "$2" || return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# timed out waiting for /$2/ to go in $1; the screen was:"
	con_screen "$1" | sed 's/^/#   |/'
	return 1
}

con_lines() {	# con_lines NAME N [SEC]: wait until the screen has N lines
	_i=0
	_max=$(( ${3:-10} * 10 ))
	while [ "$_i" -lt "$_max" ]; do
		[ "$(con_screen "$1" | wc -l | tr -d ' ')" = "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# timed out waiting for $2 lines in $1: $(con_screen "$1" | wc -l)"
	return 1
}

# con_shows SCREEN REGEXES: whether for each line of REGEXES a line of
# SCREEN matches it.
con_shows() {
	printf '%s\n' "$2" | {
		while IFS= read -r _re; do
			printf '%s\n' "$1" | grep -Eq -- "$_re" || exit 1
		done
		exit 0
	}
}

# con_stable NAME REGEX [SEC [NOT]]: waits (at most SEC, default 10 s) until
# a line of the screen matches REGEX (each line of REGEX, when it has
# several) and CON_SAME (3) captures in a row,
# 0.1 s apart, are equal - the state after a key, an optimistic state and
# its confirmation have all been drawn, without a fixed sleep; with NOT (a
# file holding an earlier screen), also until the screen is another one.
# Prints that screen; on a timeout says what the screen was, returns 1.
CON_SAME=3
con_stable() {
	_i=0
	_same=0
	_prev=""
	_cur=""
	_max=$(( ${3:-10} * 10 ))
	_not=""
	[ -n "${4:-}" ] && [ -f "$4" ] && _not=$(cat "$4")
	while [ "$_i" -lt "$_max" ]; do
		_cur=$(con_screen "$1")
		if [ "$_cur" = "$_prev" ] && [ "$_cur" != "$_not" ] &&
		    con_shows "$_cur" "$2"; then
			_same=$((_same + 1))
			if [ "$_same" -ge "$CON_SAME" ]; then
				printf '%s\n' "$_cur"
				return 0
			fi
		else
			_same=1
		fi
		_prev=$_cur
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# timed out waiting for a still screen showing /$2/ in $1${_not:+ (and not the previous one)}; it was:"
	printf '%s\n' "$_cur" | sed 's/^/#   |/'
	return 1
}

con_pid() {
	_i=0
	while [ ! -s "$TAP_TMP/pid.$1" ] && [ "$_i" -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	cat "$TAP_TMP/pid.$1" 2>/dev/null
}

con_exited() {
	_i=0
	_max=$(( ${2:-10} * 10 ))
	# The wrapper writes stty.NAME last: wait for it, so callers can read
	# the terminal modes as soon as this returns.
	while { [ ! -s "$TAP_TMP/exit.$1" ] || [ ! -s "$TAP_TMP/stty.$1" ]; } &&
	    [ "$_i" -lt "$_max" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	cat "$TAP_TMP/exit.$1" 2>/dev/null || echo "still running"
}

con_q() {
	psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}

# The title word of the focused pane (its title line has the focus colour).
focused() {
	con_tmux capture-pane -e -p -t "$1:" | grep -a "46m─ " |
	    sed "s/.*46m─ \([A-Z][a-z]*\).*/\1/" | head -n 1
}

# con_until TENTHS CMD...: runs CMD every 0.1 s until it succeeds, at most
# TENTHS times; its status.
con_until() {
	_t=$1
	shift
	_u=0
	while [ "$_u" -lt "$_t" ]; do
		"$@" && return 0
		sleep 0.1
		_u=$((_u + 1))
	done
	return 1
}

# Waits until pane $2 has the focus in console $1.
focus_is() { [ "$(focused "$1")" = "$2" ]; }
focus_wait() {
	con_until 100 focus_is "$1" "$2" && return 0
	echo "# the focus is on '$(focused "$1")', not '$2'"
	return 1
}

# The selected row of the focused pane (the cursor colour), as text.
selected() {
	con_tmux capture-pane -e -p -t "$1:" | grep -a "46m " | grep -av "46m─ " |
	    sed -e "s/$ESC\[[0-9;]*m//g" -e 's/ *$//' | head -n 1
}

# Waits until the selected row matches the regex $2.
selected_is() { selected "$1" | grep -Eq -- "$2"; }
selected_wait() {
	con_until 100 selected_is "$1" "$2" && return 0
	echo "# the selected row is '$(selected "$1")', not /$2/"
	return 1
}

# The first row under the title of pane $2 (a title word).
first_row() {
	con_screen "$1" | sed -n "/^─ $2 /{n;p;q;}" | sed 's/ *$//'
}

# Feedback events since the last mark_events, as
# "event_type|actor|target_kind|target_id" separated by spaces.
mark_events() {
	MARK=$(con_q "select coalesce(max(id), 0) from midwatch.feedback_events")
}
new_events() {
	con_q "select coalesce(string_agg(event_type || '|' || actor_id || '|' ||
	       target_kind || '|' || target_id, ' ' order by id), '')
	  from midwatch.feedback_events where id > ${MARK:-0}"
}

# t_events DESC EXPECTED: waits (bounded) until the new events are EXPECTED.
t_events() {
	_i=0
	while [ "$_i" -lt 100 ] && [ "$(new_events)" != "$2" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	t_eq "$1" "$2" "$(new_events)"
}

# con_fixture SLUG: one project with two approved incidents, one suppressed;
# hypotheses with evidence (supports, contradicts, missing); a publishable
# and a gated recommendation; alerts, one of them with escape sequences in
# its title and message.  Ids are explicit (>= 1000).
con_fixture() {
	psql -X -q -v ON_ERROR_STOP=1 -v slug="$1" <<'EOF'
INSERT INTO midwatch.projects (slug, name) VALUES (:'slug', :'slug')
    ON CONFLICT (slug) DO NOTHING;
SELECT id AS p FROM midwatch.projects WHERE slug = :'slug' \gset
INSERT INTO midwatch.services (id, project_id, name) VALUES
    (1000, :p, 'checkout-api'), (1001, :p, 'payments-db');
INSERT INTO midwatch.pipeline_runs (id, project_id, status, window_start, window_end,
                                    requested_by, started_at, finished_at)
VALUES (1000, :p, 'completed', now() - interval '2 hours', now() - interval '1 minute',
        'fixture', now(), now());
INSERT INTO midwatch.incidents (id, project_id, run_id, dedupe_key, service_id, status,
                                trigger_type, severity, title, window_start, window_end,
                                confidence)
VALUES
    (1100, :p, 1000, 'fx-1100', 1000, 'open', 'error_rate_spike', 'critical',
     'Fixture error spike on checkout-api', now() - interval '30 minutes',
     now() - interval '5 minutes', 0.8),
    (1101, :p, 1000, 'fx-1101', 1001, 'open', 'latency_regression', 'high',
     'Fixture latency on payments-db', now() - interval '50 minutes',
     now() - interval '20 minutes', 0.6),
    (1102, :p, 1000, 'fx-1102', 1001, 'suppressed', 'latency_regression', 'medium',
     'Fixture suppressed flapping', now() - interval '70 minutes',
     now() - interval '60 minutes', 0.3);
INSERT INTO midwatch.incident_decisions (project_id, run_id, incident_id, decision,
                                         rationale, policy_version)
VALUES (:p, 1000, 1100, 'approved', 'error_ratio 0.25 against 0.01', 'v1'),
       (:p, 1000, 1101, 'approved', 'p99 doubled', 'v1'),
       (:p, 1000, 1102, 'suppressed', 'flapping', 'v1');
INSERT INTO midwatch.evidence_artifacts (id, project_id, run_id, incident_id, dedupe_key,
                                         kind, source, ref, service_id, summary,
                                         confidence, observed_at)
VALUES
    (1200, :p, 1000, 1100, 'deployment:d-23', 'deployment', 'deployment_events', 'd-23',
     1000, 'Fixture deploy v2.3 of checkout-api 2m before onset', 0.9,
     now() - interval '32 minutes'),
    (1201, :p, 1000, 1100, 'metric:error_ratio', 'metric_anomaly', 'metric_points',
     'checkout-api/error_ratio', 1000, 'Fixture error_ratio 0.25 against 0.01', 0.95,
     now() - interval '30 minutes'),
    (1202, :p, 1000, 1101, 'metric:latency', 'metric_anomaly', 'metric_points',
     'payments-db/latency_p99_ms', 1001, 'Fixture p99 400 ms against 200 ms', 0.8,
     now() - interval '50 minutes');
INSERT INTO midwatch.hypotheses (id, project_id, run_id, incident_id, dedupe_key, rank,
                                 hypothesis_type, service_id, ref, title, confidence,
                                 score_details)
VALUES
    (1300, :p, 1000, 1100, 'release:d-23', 1, 'release', 1000, 'd-23',
     'Fixture release v2.3 broke checkout', 0.82,
     '{"why": "Fixture why: the deploy finished 2 minutes before the onset"}'),
    (1301, :p, 1000, 1100, 'dependency:payments-db', 2, 'dependency', 1001, 'payments-db',
     'Fixture payments-db slow', 0.4, '{}'),
    (1310, :p, 1000, 1101, 'db:payments-db', 1, 'db', 1001, 'payments-db',
     'Fixture database saturated', 0.7, '{}');
INSERT INTO midwatch.hypothesis_evidence (project_id, run_id, hypothesis_id, evidence_id,
                                          role, expected_kind, weight)
VALUES (:p, 1000, 1300, 1200, 'supports', NULL, 1),
       (:p, 1000, 1300, 1201, 'supports', NULL, 0.8),
       (:p, 1000, 1300, NULL, 'missing', 'config_change', 0.3),
       (:p, 1000, 1301, 1200, 'contradicts', NULL, 0.5),
       (:p, 1000, 1310, 1202, 'supports', NULL, 1);
INSERT INTO midwatch.recommendations (id, project_id, run_id, incident_id, hypothesis_id,
                                      dedupe_key, template_key, type, title, status,
                                      evidence_count, gate_status, publishable)
VALUES
    (1400, :p, 1000, 1100, 1300, 'fx-r1400', 'rollback', 'rollback',
     'Fixture roll back checkout-api to v2.2', 'new', 2, 'passed', true),
    (1401, :p, 1000, 1100, 1301, 'fx-r1401', 'scale_out', 'scale_out',
     'Fixture hidden scale out', 'new', 0, 'blocked', false),
    (1402, :p, 1000, 1100, 1300, 'fx-r1402', 'investigate', 'investigate',
     'Fixture investigate the deploy', 'new', 2, 'passed', true);
INSERT INTO midwatch.alerts (id, project_id, run_id, incident_id, service_id, fingerprint,
                             title, message, severity, status)
VALUES
    (1500, :p, 1000, 1100, 1000, 'fx-a1500', 'Fixture high error rate',
     'error ratio 0.25 above 0.05', 'critical', 'active'),
    (1501, :p, 1000, 1100, 1000, 'fx-a1501',
     E'Fixture evil \x1b]0;pwned\x07title \x1b[31mred\x1b[0m',
     E'boom \x1b]0;pwned\x07 then \x1b[2J\x1b[H\x1b[31mred\x1b[0m end', 'high', 'active'),
    (1502, :p, 1000, 1100, 1000, 'fx-a1502', 'Fixture double press', '', 'medium', 'active'),
    (1503, :p, 1000, 1100, 1000, 'fx-a1503', 'Fixture seen by two', '', 'medium', 'active'),
    (1504, :p, 1000, 1100, 1000, 'fx-a1504', 'Fixture hangup', '', 'low', 'active');
EOF
}
