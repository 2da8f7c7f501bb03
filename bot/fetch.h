/*
 * fetch.h: outgoing HTTP requests for plugins (publishing feeds, importing
 * calendars), on libcurl's multi interface so the bot never blocks. Only
 * http and https, also after redirects; the response is capped while it is
 * read; private and loopback addresses are refused unless allowed, checked
 * on the address actually connected to (so DNS cannot smuggle them in).
 */
#ifndef CV_FETCH_H
#define CV_FETCH_H

#include <sys/socket.h>

#include <stdbool.h>

#include "convene.h"

int fetch_start(const void *owner, const struct cv_http_request *req,
    cv_http_done_fn done, void *arg);
/* Cancel every request of owner; their callbacks are not called. */
void fetch_cancel_owner(const void *owner);
void fetch_cancel_all(void);

/* Pure: loopback, private, link-local, unspecified, multicast, CGNAT... */
bool fetch_addr_private(const struct sockaddr *sa);

#endif
