/*
 * http_priv.h: what the HTTP server's files share: http.c (the server,
 * routes and answers), http_cache.c (validators, conditional answers, kept
 * answers) and http_limits.c (tracking connections against slow clients).
 * Nothing else includes it.
 */
#ifndef CV_HTTP_PRIV_H
#define CV_HTTP_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <microhttpd.h>

#include "convene.h"
#include "http.h"

/* A client connection, from MHD_CONNECTION_NOTIFY_STARTED to _CLOSED. */
struct conn {
	struct conn *prev, *next;
	int fd;
	int64_t since; /* loop_now() when its current request began */
	bool reading;  /* the request's headers are not all in yet */
	bool closing;  /* shut down here; MHD closes it on a coming run */
};

struct http_state {
	struct MHD_Daemon *d;
	struct watch *watch;
	unsigned port;
	char listen[64]; /* the numeric address it listens on */
	bool v6;
	char *base_url;    /* http_base_url(); NULL while stopped */
	char lasterr[256]; /* MHD's last message, for http_start's err */
	struct http_limits lim;
	struct conn *head, *tail; /* in the order they were accepted */
	size_t nconns;            /* connections not closing */
	bool closed;              /* a connection closed during this MHD_run() */
};
extern struct http_state http;

/* http_cache.c */
/* Turn a 200 into a 304 when the client's copy is current (RFC 7232 6). */
void check_conditional(struct MHD_Connection *c, struct cv_http_resp *resp);
/* A kept answer (the long comment is in http_cache.c). */
struct cached {
	const void *owner;
	struct MHD_Response *r;
	char etag[48];
	size_t len;
	time_t last_modified;
	const char *ctype;
	uint64_t used;    /* for dropping the least recently used */
	bool mapped;      /* r's body is a mapping, not a heap copy */
	uint64_t path;    /* hash of the request path it answered (and its language) */
	const char *lang; /* the language it answered when it varies, else NULL */
};
/*
 * A kept answer of owner's with resp's validators and ctype, or NULL.
 * lang: the request's language when the answer varies by it (resp->vary),
 * else NULL; answers kept for one language never answer another.
 */
struct cached *cache_find(const void *owner, const struct cv_http_resp *resp,
    const char *ctype, const char *lang);
bool cache_add(const void *owner, const char *path, const struct cv_http_resp *resp,
    const char *ctype, struct MHD_Response *r, bool mapped, const char *lang);
/* Drop owner's kept answers (NULL: everyone's). */
void cache_drop_owner(const void *owner);
struct MHD_Response *mapped_response(const struct cv_http_resp *resp);

/* http_limits.c */
void conn_shut(struct conn *k, const char *why);
/* MHD's MHD_OPTION_NOTIFY_CONNECTION: tracks each connection, makes room past the limit. */
void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe);
/* Shut the connections past their header deadline; the next deadline, or -1. */
int64_t sweep(void);

#endif
