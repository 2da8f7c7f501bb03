/*
 * http_limits.c: every client connection tracked from accept to close, so
 * that slow clients cannot hold the server (see http.c's top comment):
 * header deadlines, and room made past max_connections.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "http_priv.h"
#include "log.h"
#include "loop.h"
#include "util.h"

/* Make MHD close k on a coming run: its next read sees the end. */
void
conn_shut(struct conn *k, const char *why)
{
	if (k->closing)
		return;
	k->closing = true;
	http.nconns--;
	log_debug("http: closing a connection: %s", why);
	if (shutdown(k->fd, SHUT_RDWR) == -1 && errno != ENOTCONN)
		log_debug("http: shutdown: %s", strerror(errno));
}

/*
 * A new connection past max_connections (MHD admits one more, so that it
 * arrives here): it takes the place of the connection that has waited
 * longest for its headers; when every other one is busy answering, it is
 * the one refused.
 */
static void
make_room(struct conn *fresh)
{
	struct conn *k, *oldest = NULL;

	for (k = http.head; k != NULL; k = k->next)
		if (k != fresh && k->reading && !k->closing &&
		    (oldest == NULL || k->since < oldest->since))
			oldest = k;
	conn_shut(oldest != NULL ? oldest : fresh,
	    oldest != NULL ?
	        "every connection is taken: the oldest still reading its headers "
	        "makes room" :
	        "every connection is taken and busy");
}

void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *ci;
	struct conn *k;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if ((k = *socket_context) == NULL)
			return;
		if (k->prev != NULL)
			k->prev->next = k->next;
		else
			http.head = k->next;
		if (k->next != NULL)
			k->next->prev = k->prev;
		else
			http.tail = k->prev;
		if (!k->closing)
			http.nconns--;
		free(k);
		*socket_context = NULL;
		http.closed = true;
		return;
	}
	if (toe != MHD_CONNECTION_NOTIFY_STARTED ||
	    (ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD)) == NULL)
		return;
	k = xcalloc(1, sizeof *k);
	k->fd = ci->connect_fd;
	k->since = loop_now();
	k->reading = true;
	k->prev = http.tail;
	if (http.tail != NULL)
		http.tail->next = k;
	else
		http.head = k;
	http.tail = k;
	http.nconns++;
	*socket_context = k;
	if (http.nconns > http.lim.max_connections)
		make_room(k);
}

/* Shut the connections past their header deadline; the next deadline, or -1. */
int64_t
sweep(void)
{
	int64_t now = loop_now(), limit = (int64_t)http.lim.header_timeout * 1000;
	int64_t next = -1;
	struct conn *k;

	for (k = http.head; k != NULL; k = k->next) {
		if (!k->reading || k->closing)
			continue;
		if (now - k->since >= limit)
			conn_shut(k, "request headers not complete in time");
		else if (next == -1 || k->since + limit < next)
			next = k->since + limit;
	}
	return next;
}
