/*
 * http.h: the embedded HTTP server (libmicrohttpd) driven from the main
 * loop: external polling through MHD's epoll fd, no threads of its own.
 * Only GET and HEAD; limits on connections, request size and time; a
 * deadline for a request's headers against slow clients.
 */
#ifndef CV_HTTP_H
#define CV_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "convene.h"

/* Limits on clients, the [http] keys of the same names. */
struct http_limits {
	unsigned max_connections; /* open at once, 1 to HTTP_LIMIT_MAX */
	unsigned max_per_ip;      /* from one address; 0: no limit */
	unsigned header_timeout;  /* s from a request's start to its last header */
	unsigned idle_timeout;    /* s without a byte either way */
};
/*
 * The defaults, and the most connections allowed: the bot's other
 * descriptors (libircclient's select()) must stay below FD_SETSIZE.
 */
#define HTTP_LIMIT_MAX 512
#define HTTP_MAX_CONNECTIONS 64
#define HTTP_MAX_PER_IP 16
#define HTTP_HEADER_TIMEOUT 5
#define HTTP_IDLE_TIMEOUT 10

/*
 * listen is a numeric IPv4 or IPv6 address; lim NULL takes every default.
 * 0, or -1 with a reason in err.
 */
int http_start(const char *listen, unsigned port, const char *base_url,
    const struct http_limits *lim, char *err, size_t errlen);
void http_stop(void);
/* The port actually bound (useful when port 0 was asked). */
unsigned http_port(void);
/*
 * The public URL of the server, without a trailing '/': base_url when it
 * is set and not empty, else http://LISTEN:PORT with the port bound and an
 * IPv6 address in brackets. http_start() sets it; http_set_base_url()
 * sets it again (a reload) and does nothing while stopped. NULL while the
 * server is stopped.
 */
void http_set_base_url(const char *base_url);
const char *http_base_url(void);

/*
 * Route every GET/HEAD whose decoded path starts with `prefix` to fn. The
 * longest matching prefix wins. `owner` identifies the plugin, so that
 * http_unroute_owner() removes all its routes on unload.
 */
int http_route(const void *owner, const char *prefix, cv_http_fn fn, void *arg);
void http_unroute_owner(const void *owner);
/* Does a route take `path` (a route's prefix starts it)? It may still answer 404. */
bool http_serves(const char *path);

/*
 * The pure parts, for tests and fuzzing.
 *
 * Decode the path of a raw request target ("/a%20b?q=1" gives "/a b";
 * the query is dropped) into out, which holds HTTP_PATH_MAX + 1 bytes.
 * Returns 0, or the status to answer: 414 for a path longer than
 * HTTP_PATH_MAX, 400 for a malformed escape, 404 for anything that is not
 * a plain absolute path once decoded ("..", "//", a backslash, a control
 * byte or NUL).
 */
#define HTTP_PATH_MAX 1024
int http_path_decode(const char *raw, char *out, size_t outlen);
/* Does an If-None-Match value match etag (weak comparison, RFC 7232)? */
bool http_etag_match(const char *if_none_match, const char *etag);
/*
 * The bot's language an Accept-Language value asks for: the one of
 * highest q-value ("fr-CA" counts as "fr", "*" as dflt, q=0 refuses), the
 * first of equals; dflt when none matches or header is NULL. Static.
 */
const char *http_accept_language(const char *header, const char *dflt);
/* An HTTP-date in any of the three forms of RFC 7231 7.1.1.1. 0 or -1. */
int http_date_parse(const char *s, time_t *t);
/* IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT". */
#define HTTP_DATE_LEN 30
void http_date_format(time_t t, char buf[HTTP_DATE_LEN]);

#endif
