/*
 * shown.c - which recommendations the operator has seen: after each draw
 * the loop asks which rows of the Recommendations pane are on screen; one
 * that came into view (it was not visible at the previous look) and was
 * not counted within policy housekeeping.shown_interval is counted once,
 * through the worker (INTENT_SHOWN, one intent for all of them; the worker
 * batches the write).  Drawing code never posts anything.
 */
#include "config.h"

#include <stdlib.h>

#include "midwatch/policy.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* The entry of id, or NULL. */
static struct shown_seen *
shown_find(struct ui *ui, long long id)
{
	size_t i;

	for (i = 0; i < ui->n_shown; i++)
		if (ui->shown[i].id == id)
			return &ui->shown[i];
	return NULL;
}

/* Counts what came into view (see above). */
void
shown_note(struct ui *ui)
{
	const struct pane *p = &ui->panes[PANE_RECOS];
	struct intent *in = NULL;
	struct shown_seen *s;
	double now = tui_wall(), every = POLICY(HK_SHOWN_INTERVAL);
	size_t i, j, end;

	for (i = 0; i < ui->n_shown; i++)
		ui->shown[i].visible = -ui->shown[i].visible;	/* -1: was */
	end = ui->view == VIEW_MAIN && p->height > 0 && ui->snap != NULL ?
	    p->top + (size_t)p->height : 0;
	for (i = p->top; i < end && i < p->n_rows; i++) {
		if (p->rows[i].kind != ROW_RECO)
			continue;
		if ((s = shown_find(ui, p->rows[i].id)) == NULL) {
			ui->shown = xreallocarray(ui->shown, ui->n_shown + 1,
			    sizeof *ui->shown);
			s = &ui->shown[ui->n_shown++];
			s->id = p->rows[i].id;
			s->at = 0;
			s->visible = 0;
		}
		if (s->visible == 0 && now - s->at >= every) {
			if (in == NULL) {
				in = xcalloc(1, sizeof *in);
				in->type = INTENT_SHOWN;
			}
			in->ids = xreallocarray(in->ids, in->n_ids + 1,
			    sizeof *in->ids);
			in->ids[in->n_ids++] = s->id;
			s->at = now;
		}
		s->visible = 1;
	}
	/* forget what is neither on screen nor recently counted */
	for (i = j = 0; i < ui->n_shown; i++) {
		if (ui->shown[i].visible < 0)
			ui->shown[i].visible = 0;
		if (ui->shown[i].visible || now - ui->shown[i].at < every)
			ui->shown[j++] = ui->shown[i];
	}
	ui->n_shown = j;
	if (in != NULL)
		worker_post(ui->worker, in);
}
