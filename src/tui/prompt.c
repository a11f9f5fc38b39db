/*
 * prompt.c - the bottom-line prompts: the live `/` filter, the `:` command
 * line, note text, the silence duration, and y/n confirmations for
 * destructive actions.  A prompt owns the targets of the action it will
 * finish, so a reload while it is open cannot change what it acts on.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "curses_compat.h"
#include "midwatch/xmalloc.h"
#include "tui_int.h"

/* Opens a prompt; takes over targets. */
void
prompt_start(struct ui *ui, enum prompt_kind kind, const char *question,
    const char *initial, int action, struct target *targets, size_t n)
{
	struct prompt *p = &ui->prompt;
	struct pane *pane = &ui->panes[ui->focus];

	prompt_end(ui);
	p->kind = kind;
	p->question = xstrdup(question);
	buf_reset(&p->input);
	if (initial != NULL)
		buf_adds(&p->input, initial);
	p->action = action;
	p->targets = targets;
	p->n_targets = n;
	if (kind == PROMPT_FILTER)
		p->saved = xstrdup(pane->filter != NULL ? pane->filter : "");
	ui->dirty |= R_REDRAW;
}

/* Closes the prompt and frees what it holds. */
void
prompt_end(struct ui *ui)
{
	struct prompt *p = &ui->prompt;

	free(p->question);
	p->question = NULL;
	free(p->saved);
	p->saved = NULL;
	actions_free_targets(p->targets, p->n_targets);
	p->targets = NULL;
	p->n_targets = 0;
	buf_reset(&p->input);
	p->kind = PROMPT_NONE;
}

/* Sets the focused pane's filter to the input (live filtering). */
static void
prompt_apply_filter(struct ui *ui, const char *text)
{
	struct pane *pane = &ui->panes[ui->focus];

	free(pane->filter);
	pane->filter = *text != '\0' ? xstrdup(text) : NULL;
	pane->top = 0;
}

/* Removes the last UTF-8 character of the input. */
static void
prompt_backspace(struct buf *b)
{
	while (b->len > 0) {
		b->len--;
		if (((unsigned char)b->s[b->len] & 0xc0) != 0x80)
			break;
	}
	if (b->s != NULL)
		b->s[b->len] = '\0';
}

/* Removes the last word of the input (C-w). */
static void
prompt_kill_word(struct buf *b)
{
	while (b->len > 0 && b->s[b->len - 1] == ' ')
		b->len--;
	while (b->len > 0 && b->s[b->len - 1] != ' ')
		b->len--;
	if (b->s != NULL)
		b->s[b->len] = '\0';
}

/* Appends code point cp as UTF-8. */
static void
prompt_add(struct buf *b, int cp)
{
	char out[8];

	keys_name(cp, out, sizeof out);
	if (cp == ' ')
		buf_addc(b, ' ');
	else
		buf_adds(b, out);
}

/* Submits or cancels: takes the targets out of the prompt first, because
 * finishing may open another prompt. */
static int
prompt_finish(struct ui *ui, const char *answer)
{
	struct prompt *p = &ui->prompt;
	enum prompt_kind kind = p->kind;
	struct target *t = p->targets;
	size_t n = p->n_targets;
	int action = p->action, flags;
	char *copy = xstrdup(answer);

	p->targets = NULL;
	p->n_targets = 0;
	prompt_end(ui);
	flags = actions_finish(ui, kind, action, copy, t, n);
	free(copy);
	return flags | R_REDRAW;
}

/* Handles a key while a prompt is open. */
int
prompt_key(struct ui *ui, int key)
{
	struct prompt *p = &ui->prompt;

	if (p->kind == PROMPT_CONFIRM || p->kind == PROMPT_ROOTCAUSE) {
		if (key == 'y' || key == 'Y')
			return prompt_finish(ui, "y");
		if (p->kind == PROMPT_ROOTCAUSE && (key == 'n' || key == 'N'))
			return prompt_finish(ui, "n");
		prompt_end(ui);
		actions_message(ui, 0, "cancelled");
		return R_REDRAW;
	}
	switch (key) {
	case KEYC_ESC:
		if (p->kind == PROMPT_FILTER)
			prompt_apply_filter(ui, p->saved != NULL ? p->saved : "");
		prompt_end(ui);
		return R_REDRAW;
	case KEYC_ENTER:
		return prompt_finish(ui, buf_str(&p->input));
	case KEYC_SPECIAL + KEY_BACKSPACE:
		if (p->input.len == 0 && p->kind == PROMPT_COMMAND) {
			prompt_end(ui);
			return R_REDRAW;
		}
		prompt_backspace(&p->input);
		break;
	case KEYC_CTRL('u'):
		buf_reset(&p->input);
		break;
	case KEYC_CTRL('w'):
		prompt_kill_word(&p->input);
		break;
	default:
		if (key < ' ' || key == 0x7f || key >= KEYC_SPECIAL ||
		    (key >= 0x80 && key < 0xa0))
			return R_NONE;
		if (p->input.len > 1000)
			return R_NONE;
		prompt_add(&p->input, key);
		break;
	}
	if (p->kind == PROMPT_FILTER)
		prompt_apply_filter(ui, buf_str(&p->input));
	return R_REDRAW;
}

/* Draws the prompt on the bottom line, the input's end kept visible. */
void
prompt_draw(struct ui *ui)
{
	const struct rect *r = &ui->layout.hint;
	struct prompt *p = &ui->prompt;
	const char *in = buf_str(&p->input);
	int qw, avail, iw;
	unsigned cp;

	if (p->kind == PROMPT_CONFIRM || p->kind == PROMPT_ROOTCAUSE) {
		draw_text(r->y, r->x, r->w, p->question, CS_HEADING);
		curs_set(0);
		return;
	}
	/* Keep room for what is typed. */
	qw = draw_str(r->y, r->x, r->w - 10 > 0 ? r->w - 10 : r->w, p->question,
	    CS_HEADING);
	avail = r->w - qw - 1;
	if (avail < 1)
		return;
	/* Drop characters from the left until the rest fits. */
	while ((iw = text_width(in, draw_utf8())) > avail && *in != '\0')
		in += text_decode(in, &cp);
	draw_text(r->y, r->x + qw, r->w - qw, in, CS_NORMAL);
	move(r->y, r->x + qw + iw);
	curs_set(1);
}
