/*
 * publish.h: copies of the calendars on a CalDAV or WebDAV server.
 *
 * [calendars] publish_url, publish_mode (caldav: one resource per event,
 * UID.ics, in a CalDAV collection; webdav: the public feed files, PUT under
 * that URL), publish_user and publish_password_file (read once, never
 * logged).
 *
 * After every render the plugin hands over what the server should hold
 * (pub_sync); what was written is kept in the database (calendar_published),
 * so the difference is the work, and nothing is lost across failures or
 * restarts. One request at a time, through host->http_request, so the bot
 * never blocks. Every write is conditional: If-None-Match: * to create,
 * If-Match: ETAG to replace or delete. A 412 is a conflict: the server's
 * copy changed; it is logged (and told to [calendars] report_to when that
 * is set, nobody else) and left alone until the event
 * changes again or an owner says `publish overwrite`; only a cancellation
 * goes through: it is applied to the server's copy (GET, then a PUT with
 * If-Match of that copy's ETag), which keeps the edits made there, and the
 * conflict stays for the owners to decide. Failures (no answer,
 * 5xx, 401/403/408/429) back off exponentially and retry.
 *
 * The pure parts (outcomes, backoff, choosing the next step) take no host
 * and are unit-tested.
 */
#ifndef CAL_PUBLISH_H
#define CAL_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "convene.h"
#include "store.h"

#pragma GCC visibility push(hidden)

#define PUB_BACKOFF_MIN_MS 1000
#define PUB_BACKOFF_MAX_MS (5 * 60 * 1000)

/* One document the server should hold. */
struct pub_doc {
	char *name; /* relative to publish_url: "UID.ics", "channel/x.ics" */
	char *body; /* NULL: the loader gives it when it is sent (pub_loader) */
	size_t len;
	char hash[48]; /* ics_etag of the body */
};

enum pub_op { PUB_NONE, PUB_PUT, PUB_DELETE, PUB_MKCOL, PUB_FORGET, PUB_GET };

/* What a request's answer means. */
enum pub_outcome {
	PUB_OK,        /* done (a DELETE of something gone is done too) */
	PUB_CONFLICT,  /* 412: the server's copy changed */
	PUB_NO_PARENT, /* 409 on a PUT: the folder is missing (WebDAV) */
	PUB_RETRY,     /* no answer, 5xx, 401, 403, 404 on PUT, 408, 429 */
	PUB_REJECTED,  /* another 4xx: retrying the same body will not help */
};

enum pub_outcome pub_outcome(enum pub_op op, int status);

/* The delay before retry number `failures` (1-based), with jitter in [0, 1000) permille of 1/4. */
int64_t pub_backoff_ms(unsigned failures, unsigned jitter_permille);

/* The next step: which request, on which resource, under which condition. */
struct pub_step {
	enum pub_op op;
	size_t doc; /* for PUT: index into docs */
	size_t row; /* for DELETE and FORGET: index into rows; for PUT: or SIZE_MAX */
	const char *name;
	enum { PUB_IF_NONE_MATCH, PUB_IF_MATCH, PUB_UNCONDITIONAL } cond;
	const char *etag; /* for PUB_IF_MATCH */
};

/*
 * Compare what the server should hold (docs) with what was written (rows)
 * and fill *s with the first step. `skip(name)` leaves a resource out for
 * now (its request was rejected this session). false when nothing is left.
 */
bool pub_next(const struct pub_doc *docs, size_t ndocs, const struct cal_pub_row *rows,
    size_t nrows, bool (*skip)(const char *name), struct pub_step *s);

/* ---- with the host ---- */

/* Read the [calendars] publish_* keys. 0 (also when publishing is off) or -1 with err. */
int pub_start(struct cv_plugin *p, const struct cv_host *h, char *err, size_t errlen);
/* Is publishing configured, and in which mode? */
bool pub_enabled(void);
bool pub_caldav(void);
/*
 * Where the bodies of docs handed over without one come from: a new
 * string (caller frees) and its length, or NULL when there is none now.
 */
void pub_loader(char *(*load)(const char *name, size_t *len));
/* What the server should hold now; the docs are taken over (emptied). */
void pub_sync(struct pub_doc *docs, size_t n);
void pub_stop(void);

/* Owner commands: `publish` (state) and `publish overwrite`. */
void pub_cmd_status(struct cv_ctx *ctx);
void pub_cmd_overwrite(struct cv_ctx *ctx);

void pub_docs_free(struct pub_doc *v, size_t n);

#pragma GCC visibility pop

#endif
