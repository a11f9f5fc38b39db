/*
 * worker_journal.c - the worker's side of the journal (journal.h): feedback
 * intents are written to it on the UI's thread before the data thread sees
 * them (one fsync for a bulk action), leave it when the database answered,
 * and what an earlier console left there for this database and project is
 * read back at start, shown as pending and replayed before anything else.
 *
 * The journal is kept only by a console that can act (not --readonly) and
 * knows its database (the identity is read on the
 * connection cli_connect opened, before the threads start; a reconnection
 * is assumed to reach the same database).
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "midwatch/db.h"
#include "midwatch/journal.h"
#include "midwatch/log.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"
#include "worker_int.h"

/* The seqs of intents read back from the journal: far above the UI's. */
#define WORKER_SEQ_RESTORED (ULONG_MAX / 2)

/* Tells the UI about an intent read back from the journal. */
static void
worker_journal_pending(struct worker *w, const struct intent *in)
{
	struct wmsg *m = worker_msg_new(WMSG_PENDING);

	m->seq = in->seq;
	m->id = in->target_id;
	m->kind = xstrdup(in->target_kind);
	m->status = in->expect != NULL ? xstrdup(in->expect) : NULL;
	m->who = xstrdup(in->actor != NULL ? in->actor : w->actor);
	m->at = in->at;
	m->text = xstrdup(in->label);
	worker_send(w, m);
}

void
worker_journal_open(struct worker *w)
{
	struct intent **in = NULL;
	char *cause = NULL;
	size_t n = 0, other = 0, i;

	if (w->readonly || w->db == NULL || !db_alive(w->db))
		return;
	if ((w->dbid = journal_db_identity(w->db, &cause)) == NULL) {
		log_warn("no journal: %s", cause);
		free(cause);
		return;
	}
	w->journal = journal_path();
	if (journal_load(w->journal, w->dbid, w->project_id, &in, &n, &other,
	    &cause) != 0) {
		log_warn("%s", cause);
		free(cause);
		return;
	}
	if (n > 0)
		log_info("journal: replaying %zu action(s) of %s", n,
		    w->journal);
	if (other > 0)
		log_info("journal: %zu action(s) for other databases or "
		    "projects stay in %s", other, w->journal);
	for (i = 0; i < n; i++) {
		in[i]->seq = WORKER_SEQ_RESTORED + i;
		worker_journal_pending(w, in[i]);
		queue_push(w->held, in[i]);
	}
	free(in);
}

void
worker_journal_done(struct worker *w, const struct intent *in)
{
	char *cause = NULL;

	if (w->journal == NULL || in->key == NULL)
		return;
	if (journal_remove(w->journal, in->key, &cause) != 0) {
		/* It stays; a replay of it records nothing. */
		log_warn("%s", cause);
		free(cause);
	}
}

int
worker_post_feedback(struct worker *w, struct intent **in, size_t n,
    char **cause)
{
	size_t i;
	int rc = 0;

	if (w->journal != NULL && journal_append(w->journal, w->dbid,
	    w->project_id, w->actor, in, n, cause) != 0)
		rc = -1;
	for (i = 0; i < n; i++)
		queue_push(w->to_data, in[i]);
	return rc;
}

const char *
worker_journal(struct worker *w)
{
	return w->journal;
}
