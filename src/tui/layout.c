/*
 * layout.c - pane geometry.  A pure function of the terminal size and the
 * focused pane, so it is unit-tested at every size without a terminal.
 *
 * Below LAYOUT_MIN_COLS x LAYOUT_MIN_LINES there is only a "terminal too
 * small" message.  Wide terminals get a 2x2 grid (incidents and hypotheses
 * on top, recommendations and alerts below), its columns as wide as their
 * text needs: a column whose lines are short gives the rest to the other,
 * so evidence lines are not cut while the incidents pane has empty
 * columns.  Otherwise the four panes are
 * stacked: every pane keeps a few rows so all four stay visible at 80x24,
 * and the focused pane takes most of what is left, which keeps the pane
 * being worked on readable while the others still follow the selection.
 */
#include "config.h"

#include <string.h>

#include "midwatch/tui.h"

/* Fills a rectangle. */
static struct rect
layout_rect(int x, int y, int w, int h)
{
	struct rect r;

	r.x = x;
	r.y = y;
	r.w = w;
	r.h = h;
	return r;
}

/*
 * Stacks the panes in the body.  Every pane first gets its minimum.  Without
 * want, the focused pane then takes half of the rest and the remainder is
 * shared by weight.  With want, the focused pane grows to what it can use,
 * then the others grow one row at a time (incidents first) to what they can
 * use, and whatever is still left goes to the focused pane.
 */
static void
layout_stack(struct layout *l, int focus, const int *want)
{
	static const int weight[PANE_COUNT] = { 3, 3, 2, 2 };
	int rows[PANE_COUNT], i, spare, share, given, total_w, y, extra, grew;

	for (i = 0; i < PANE_COUNT; i++)
		rows[i] = i == PANE_INCIDENTS ? LAYOUT_MIN_ROWS_INCIDENTS :
		    LAYOUT_MIN_ROWS;
	spare = l->body.h - PANE_COUNT;		/* the title lines */
	for (i = 0; i < PANE_COUNT; i++)
		spare -= rows[i];
	if (spare > 0 && want != NULL) {
		if (want[focus] > rows[focus]) {
			share = want[focus] - rows[focus];
			if (share > spare)
				share = spare;
			rows[focus] += share;
			spare -= share;
		}
		do {
			grew = 0;
			for (i = 0; i < PANE_COUNT && spare > 0; i++) {
				if (want[i] > rows[i]) {
					rows[i]++;
					spare--;
					grew = 1;
				}
			}
		} while (grew && spare > 0);
		rows[focus] += spare;
		spare = 0;
	}
	if (spare > 0) {
		share = (spare + 1) / 2;
		rows[focus] += share;
		spare -= share;
		total_w = 0;
		for (i = 0; i < PANE_COUNT; i++)
			total_w += weight[i];
		given = 0;
		for (i = 0; i < PANE_COUNT; i++) {
			extra = spare * weight[i] / total_w;
			rows[i] += extra;
			given += extra;
		}
		/* Rounding leftovers go to the panes in order. */
		for (i = 0; given < spare; i = (i + 1) % PANE_COUNT, given++)
			rows[i]++;
	}
	y = l->body.y;
	for (i = 0; i < PANE_COUNT; i++) {
		l->pane[i] = layout_rect(0, y, l->cols, rows[i] + 1);
		y += rows[i] + 1;
	}
}

/* The width of the left column of the grid for panes that need need[]
 * columns (NULL: half).  Each column gets what it needs when both fit,
 * the rest shared; else a column that needs less than half gets what it
 * needs and the other the rest; else they share in proportion.  Neither
 * is narrower than LAYOUT_GRID_MIN_PANE. */
static int
layout_grid_left(int avail, const int *need)
{
	int left, right, lw;

	if (need == NULL)
		return avail / 2;
	left = need[PANE_INCIDENTS] > need[PANE_RECOS] ? need[PANE_INCIDENTS] :
	    need[PANE_RECOS];
	right = need[PANE_HYPOTHESES] > need[PANE_ALERTS] ?
	    need[PANE_HYPOTHESES] : need[PANE_ALERTS];
	if (left <= 0 || right <= 0)
		lw = avail / 2;
	else if (left + right <= avail)
		lw = left + (avail - left - right) / 2;
	else if (left <= avail / 2)
		lw = left;
	else if (right <= avail / 2)
		lw = avail - right;
	else
		lw = (int)((long)avail * left / (left + right));
	if (lw < LAYOUT_GRID_MIN_PANE)
		lw = LAYOUT_GRID_MIN_PANE;
	if (lw > avail - LAYOUT_GRID_MIN_PANE)
		lw = avail - LAYOUT_GRID_MIN_PANE;
	return lw;
}

/* Two columns with a vertical rule between them; the top row is taller
 * because hypotheses carry their evidence. */
static void
layout_grid(struct layout *l, const int *need)
{
	int lw = layout_grid_left(l->cols - 1, need), rx = lw + 1,
	    rw = l->cols - rx;
	int top = l->body.h * 55 / 100, bottom = l->body.h - top;

	l->sep_x = lw;
	l->pane[PANE_INCIDENTS] = layout_rect(0, l->body.y, lw, top);
	l->pane[PANE_HYPOTHESES] = layout_rect(rx, l->body.y, rw, top);
	l->pane[PANE_RECOS] = layout_rect(0, l->body.y + top, lw, bottom);
	l->pane[PANE_ALERTS] = layout_rect(rx, l->body.y + top, rw, bottom);
}

/* Computes the geometry with an even grid (see tui.h). */
void
layout_compute(int cols, int lines, int focus, const int *want,
    struct layout *l)
{
	layout_compute_fit(cols, lines, focus, want, NULL, l);
}

/* Computes the geometry (see tui.h). */
void
layout_compute_fit(int cols, int lines, int focus, const int *want,
    const int *need, struct layout *l)
{
	memset(l, 0, sizeof *l);
	l->cols = cols;
	l->lines = lines;
	l->sep_x = -1;
	if (focus < 0 || focus >= PANE_COUNT)
		focus = PANE_INCIDENTS;
	if (cols < LAYOUT_MIN_COLS || lines < LAYOUT_MIN_LINES) {
		l->mode = LAYOUT_TOO_SMALL;
		l->body = layout_rect(0, 0, cols > 0 ? cols : 0, lines > 0 ? lines : 0);
		return;
	}
	l->status = layout_rect(0, 0, cols, 1);
	l->hint = layout_rect(0, lines - 1, cols, 1);
	l->body = layout_rect(0, 1, cols, lines - 2);
	if (cols >= LAYOUT_GRID_COLS && lines >= LAYOUT_GRID_LINES) {
		l->mode = LAYOUT_GRID;
		layout_grid(l, need);
	} else {
		l->mode = LAYOUT_STACK;
		layout_stack(l, focus, want);
	}
}
