/*
 * queue.c - a FIFO between threads: a mutex-protected list plus a
 * non-blocking wake pipe, so the reader can sit in poll() next to its other
 * descriptors (the terminal, a LISTEN socket) instead of a condition
 * variable.  A full pipe is harmless: a wake-up is already pending.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "midwatch/log.h"
#include "midwatch/worker.h"
#include "midwatch/xmalloc.h"
#include "worker_int.h"

struct queue_node {
	void *item;
	struct queue_node *next;
};

struct queue {
	pthread_mutex_t lock;
	struct queue_node *head, *tail;	/* head is the oldest */
	int pipe[2];			/* [0] polled by the reader */
};

/* Makes fd non-blocking and close-on-exec. */
static void
queue_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl != -1)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* A new queue; dies through fatal() if no pipe can be made. */
struct queue *
queue_new(void)
{
	struct queue *q = xcalloc(1, sizeof *q);

	if (pipe(q->pipe) != 0)
		fatal("pipe: %s", strerror(errno));
	queue_nonblock(q->pipe[0]);
	queue_nonblock(q->pipe[1]);
	pthread_mutex_init(&q->lock, NULL);
	return q;
}

/* Frees the queue and the items left in it. */
void
queue_free(struct queue *q, void (*free_item)(void *))
{
	void *item;

	if (q == NULL)
		return;
	while ((item = queue_pop(q)) != NULL)
		if (free_item != NULL)
			free_item(item);
	close(q->pipe[0]);
	close(q->pipe[1]);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* Appends and wakes the reader. */
void
queue_push(struct queue *q, void *item)
{
	struct queue_node *n = xmalloc(sizeof *n);

	n->item = item;
	n->next = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->tail != NULL)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	pthread_mutex_unlock(&q->lock);
	queue_wake(q);
}

/* Wakes the reader without adding anything (to make it look at flags). */
void
queue_wake(struct queue *q)
{
	ssize_t w;

	do
		w = write(q->pipe[1], "", 1);
	while (w == -1 && errno == EINTR);
}

/* Puts item back at the front. */
void
queue_push_front(struct queue *q, void *item)
{
	struct queue_node *n = xmalloc(sizeof *n);

	n->item = item;
	pthread_mutex_lock(&q->lock);
	n->next = q->head;
	q->head = n;
	if (q->tail == NULL)
		q->tail = n;
	pthread_mutex_unlock(&q->lock);
}

/* Removes the oldest item. */
void *
queue_pop(struct queue *q)
{
	struct queue_node *n;
	void *item = NULL;

	pthread_mutex_lock(&q->lock);
	n = q->head;
	if (n != NULL) {
		q->head = n->next;
		if (q->head == NULL)
			q->tail = NULL;
		item = n->item;
	}
	pthread_mutex_unlock(&q->lock);
	free(n);
	return item;
}

/* Non-zero when nothing is queued; only a hint, since another thread may
 * push right after (the reader uses it to batch work). */
int
queue_empty(struct queue *q)
{
	int empty;

	pthread_mutex_lock(&q->lock);
	empty = q->head == NULL;
	pthread_mutex_unlock(&q->lock);
	return empty;
}

/* The read end of the wake pipe. */
int
queue_fd(struct queue *q)
{
	return q->pipe[0];
}

/* Empties the wake pipe. */
void
queue_drain(struct queue *q)
{
	char junk[64];

	while (read(q->pipe[0], junk, sizeof junk) > 0)
		;
}
