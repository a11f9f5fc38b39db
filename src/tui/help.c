/*
 * help.c - the `?` screen, generated from the action table (ACTION_LIST)
 * and the key bindings in effect, so it always tells the truth about the
 * keys, including the operator's own bindings.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* The lines of the help screen (malloc'd array of malloc'd strings). */
static char **
help_lines(struct ui *ui, size_t *n, int **slots)
{
	static const char *const extra[] = {
		":incident ID      select incident ID",
		":investigate TS [SERVICE]  open the incident of a moment (RFC 3339) and rank its causes",
		":filter TEXT      filter the focused pane (no TEXT: clear)",
		":stats [day|week] the weekly view: reports as bars and sparklines (default day)",
		":rules            the alert rules: kind, severity, condition, last firing",
		":note TEXT        add a note without the prompt",
		":silence 2h       silence the selected/marked alerts",
		":bind KEY ACTION  bind a key for this session (:unbind KEY)",
		":quit             quit (any action name also works: :refresh, :ack ...)",
	};
	char **lines = NULL;
	const char *group = NULL;
	struct buf keys;
	size_t cap = 0, i;
	int a;

	*n = 0;
	*slots = NULL;
#define HELP_PUSH(s, slot) do { \
	if (*n == cap) { \
		cap = cap ? cap * 2 : 64; \
		lines = xreallocarray(lines, cap, sizeof *lines); \
		*slots = xreallocarray(*slots, cap, sizeof **slots); \
	} \
	lines[*n] = (s); \
	(*slots)[(*n)++] = (slot); \
} while (0)
	HELP_PUSH(xstrdup("midwatch console keys (rebind them in $XDG_CONFIG_HOME/midwatch/config)"),
	    CS_HEADING);
	for (a = 0; a < ACT_COUNT; a++) {
		if (group == NULL || strcmp(group, action_group(a)) != 0) {
			group = action_group(a);
			HELP_PUSH(xstrdup(""), CS_NORMAL);
			HELP_PUSH(xstrdup(group), CS_HEADING);
		}
		buf_init(&keys);
		if (keymap_keys(&ui->keys, a, &keys, 0) == 0)
			buf_adds(&keys, "(unbound)");
		HELP_PUSH(xasprintf("  %-14s %-17s %s", buf_str(&keys), action_name(a),
		    action_help(a)), CS_NORMAL);
		buf_free(&keys);
	}
	HELP_PUSH(xstrdup(""), CS_NORMAL);
	HELP_PUSH(xstrdup("Commands (after :)"), CS_HEADING);
	for (i = 0; i < MW_ARRAY_LEN(extra); i++)
		HELP_PUSH(xasprintf("  %s", extra[i]), CS_NORMAL);
	HELP_PUSH(xstrdup(""), CS_NORMAL);
	HELP_PUSH(xstrdup("Destructive actions ask first.  Space marks several items; "
	    "an action then applies to all marked."), CS_MUTED);
#undef HELP_PUSH
	return lines;
}

/* Draws the help screen in the body. */
void
help_draw(struct ui *ui)
{
	const struct rect *r = &ui->layout.body;
	char **lines;
	int *slots, y, max;
	size_t n, i;

	lines = help_lines(ui, &n, &slots);
	max = (int)n - (r->h - 1);
	if (ui->help_scroll > max)
		ui->help_scroll = max > 0 ? max : 0;
	draw_title(r->y, r->x, r->w, "Help", "(q or Esc closes)", 1);
	for (i = (size_t)ui->help_scroll, y = r->y + 1; i < n && y < r->y + r->h;
	    i++, y++)
		draw_text(y, r->x + 1, r->w - 1, lines[i], slots[i]);
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(slots);
}

/* Scrolls the help; 1 when the action was a scrolling one. */
int
help_scroll(struct ui *ui, int action)
{
	int page = ui->layout.body.h - 2 > 1 ? ui->layout.body.h - 2 : 1;

	switch (action) {
	case ACT_MOVE_UP: ui->help_scroll--; break;
	case ACT_MOVE_DOWN: ui->help_scroll++; break;
	case ACT_PAGE_UP: ui->help_scroll -= page; break;
	case ACT_PAGE_DOWN: ui->help_scroll += page; break;
	case ACT_MOVE_FIRST: ui->help_scroll = 0; break;
	case ACT_MOVE_LAST: ui->help_scroll = 1 << 20; break;
	default: return 0;
	}
	if (ui->help_scroll < 0)
		ui->help_scroll = 0;
	return 1;
}
