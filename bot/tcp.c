/* tcp.c: a non-blocking TCP connect on the loop (tcp.h). */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "tcp.h"
#include "util.h"

#define RESOLVE_POLL_MS 2
/* An address that has not answered by then gives way to the next one. */
#define ATTEMPT_MS 5000

struct tcp_connect {
	struct gaicb req;
	struct addrinfo hints;
	char port[8];
	char *host;
	bool resolving;        /* the resolver's thread may still write into req */
	bool cancelled;        /* nobody waits: free when the resolver is done */
	struct addrinfo *next; /* the address to try after this one */
	int fd;
	int err; /* the last attempt's error */
	struct watch *w;
	uint64_t poll_timer, timer;
	int64_t deadline;
	tcp_done_fn done;
	void *arg;
};

static void try_next(struct tcp_connect *c);

static void
set_options(int fd)
{
	int one = 1, idle = 60;

	/* What libcurl set on this link: lines go out at once, dead peers show. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof idle);
}

static void
free_conn(struct tcp_connect *c)
{
	loop_timer_cancel(c->poll_timer);
	loop_timer_cancel(c->timer);
	loop_unwatch(c->w);
	if (c->fd >= 0)
		close(c->fd);
	if (c->req.ar_result != NULL)
		freeaddrinfo(c->req.ar_result);
	free(c->host);
	free(c);
}

static void
finish(struct tcp_connect *c, int fd, const char *why)
{
	tcp_done_fn done = c->done;
	void *arg = c->arg;

	if (fd >= 0)
		c->fd = -1; /* the caller's now */
	if (c->resolving) {
		c->cancelled = true;
		loop_timer_cancel(c->timer);
		c->timer = 0;
	} else {
		free_conn(c);
	}
	done(arg, fd, why);
}

static void
on_timer(void *arg)
{
	struct tcp_connect *c = arg;

	c->timer = 0;
	if (loop_now() >= c->deadline) {
		finish(c, -1, "connection timed out");
		return;
	}
	c->err = ETIMEDOUT;
	try_next(c);
}

static void
on_writable(void *arg, int fd, short revents)
{
	struct tcp_connect *c = arg;
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0 && (revents & (POLLERR | POLLHUP)))
		err = ECONNREFUSED;
	if (err == 0) {
		finish(c, fd, NULL);
		return;
	}
	c->err = err;
	try_next(c);
}

/* Close the attempt in progress, if any, and start the next address's. */
static void
try_next(struct tcp_connect *c)
{
	loop_unwatch(c->w);
	c->w = NULL;
	loop_timer_cancel(c->timer);
	c->timer = 0;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	for (; c->next != NULL; c->next = c->next->ai_next) {
		struct addrinfo *a = c->next;
		int64_t left = c->deadline - loop_now();

		c->fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    a->ai_protocol);
		if (c->fd < 0) {
			c->err = errno;
			continue;
		}
		set_options(c->fd);
		if (connect(c->fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
			c->next = a->ai_next;
			c->w = loop_watch(c->fd, POLLOUT, on_writable, c);
			if (c->next != NULL && left > ATTEMPT_MS)
				left = ATTEMPT_MS;
			c->timer = loop_timer(left > 0 ? left : 0, 0, on_timer, c);
			return;
		}
		c->err = errno;
		close(c->fd);
		c->fd = -1;
	}
	finish(c, -1, strerror(c->err ? c->err : ECONNREFUSED));
}

static void
on_resolve_poll(void *arg)
{
	struct tcp_connect *c = arg;
	int rc = gai_error(&c->req);

	if (rc == EAI_INPROGRESS)
		return;
	loop_timer_cancel(c->poll_timer);
	c->poll_timer = 0;
	c->resolving = false;
	if (c->cancelled) {
		free_conn(c);
		return;
	}
	if (rc != 0) {
		finish(c, -1, gai_strerror(rc));
		return;
	}
	c->next = c->req.ar_result;
	try_next(c);
}

/* The resolver has no timeout of ours: the deadline stops the wait. */
static void
on_resolve_timeout(void *arg)
{
	struct tcp_connect *c = arg;

	c->timer = 0;
	finish(c, -1, "connection timed out (resolving the name)");
}

struct tcp_connect *
tcp_connect(const char *host, unsigned port, int64_t timeout_ms, tcp_done_fn done, void *arg)
{
	struct tcp_connect *c = xcalloc(1, sizeof *c);
	struct gaicb *list[1] = { &c->req };

	c->fd = -1;
	c->done = done;
	c->arg = arg;
	c->host = xstrdup(host);
	snprintf(c->port, sizeof c->port, "%u", port);
	c->hints.ai_socktype = SOCK_STREAM;
	c->hints.ai_flags = AI_ADDRCONFIG;
	c->req.ar_name = c->host;
	c->req.ar_service = c->port;
	c->req.ar_request = &c->hints;
	if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL) != 0) {
		free_conn(c);
		return NULL;
	}
	c->resolving = true;
	c->deadline = loop_now() + timeout_ms;
	c->poll_timer = loop_timer(RESOLVE_POLL_MS, RESOLVE_POLL_MS, on_resolve_poll, c);
	c->timer = loop_timer(timeout_ms, 0, on_resolve_timeout, c);
	return c;
}

void
tcp_cancel(struct tcp_connect *c)
{
	if (c == NULL)
		return;
	if (c->resolving) {
		int rc = gai_cancel(&c->req);

		if (rc == EAI_NOTCANCELED) {
			/* Its thread still writes into c: the poll frees it after. */
			c->cancelled = true;
			loop_timer_cancel(c->timer);
			c->timer = 0;
			return;
		}
		c->resolving = false;
		if (rc == EAI_CANCELED)
			c->req.ar_result = NULL;
	}
	free_conn(c);
}
