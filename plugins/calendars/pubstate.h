/*
 * pubstate.h: what publish.c shares with pubplan.c, pubcmd.c and pubconf.c,
 * its own files. Not for the rest of the plugin; hidden from the host.
 */
#ifndef CONVENE_PUBSTATE_H
#define CONVENE_PUBSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "convene.h"
#include "publish.h"

#pragma GCC visibility push(hidden)

/*
 * Why a request failed, to tell in any language: an English sentence
 * marked N_() (the host's fetch errors are), or the HTTP status when the
 * server answered one.
 */
struct pub_why {
	const char *msgid;
	int status; /* 0: msgid says it */
};

struct pub_state {
	bool on, caldav;
	char *base;   /* publish_url with a trailing '/' */
	char *target; /* "MODE URL": the rows' key */
	char *user, *password;
	struct pub_doc *docs;
	size_t ndocs;
	bool busy;                 /* a request is running */
	cv_timer_id retry;         /* a backoff timer is pending */
	unsigned failures;         /* in a row */
	struct pub_why last_error; /* msgid NULL and status 0: none */
	int64_t next_try;          /* mono ms */
	/* The running request. */
	struct {
		enum pub_op op;
		char *name;
		char hash[48];
		size_t mkcol_left; /* folders still to make before the PUT again */
		bool made_parents;
		/* After a conflict: reading the server's copy, or writing it cancelled. */
		enum { JOB_SEND, JOB_READ_COPY, JOB_CARRY } phase;
		unsigned carries; /* GETs of the server's copy so far */
	} job;
	char **rejected; /* resources the server refused this session */
	size_t nrejected;
	bool warned_no_etag;
};
extern struct pub_state st;

/* The host and this plugin (defined in publish.c, set by pub_start()). */
extern const struct cv_host *host;
extern struct cv_plugin *self;

/* publish.c */
sqlite3 *pdb(void);
/* Start the next request, unless one is running or a retry is pending. */
void kick(void);

/* pubcmd.c: why as a sentence in lang ("en" for the log). */
void pub_why_text(const struct pub_why *why, const char *lang, char *buf, size_t n);

/* pubplan.c */
const struct cal_pub_row *row_of(const struct cal_pub_row *rows, size_t nrows,
    const char *name, size_t *at);
bool has_doc(const struct pub_doc *docs, size_t n, const char *name);

#pragma GCC visibility pop

#endif
