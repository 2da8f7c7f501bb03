/*
 * store.h: what the calendars plugin reads and keeps in the shared
 * database. SQL only, given a sqlite3 handle: no host calls, so unit tests
 * run it on a real SQLite file. The events tables belong to the events
 * plugin; this file only reads them. Functions return 0, or -1 on a
 * database error.
 */
#ifndef CAL_STORE_H
#define CAL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "ics.h"

#pragma GCC visibility push(hidden)

#define CAL_TOKEN_LEN 43 /* 32 random bytes in base64url, without padding */

/* Schema steps for host->migrate(). */
extern const char *const cal_schema[];
extern const size_t cal_schema_steps;

/*
 * The events a public feed shows at `now`: those not yet ended, and those
 * that ended within `keep_past` seconds unless they were cancelled (a
 * cancelled event stays only until it is past). By start. *out is a new
 * array of *n events (cal_events_free). No events table yet: none.
 */
int cal_store_events(sqlite3 *db, long long now, long long keep_past,
    struct cal_event **out, size_t *n);

/*
 * The events not ended at `now`, by start: at most `limit` from the
 * `offset`-th on, and in *total how many there are. For the later pages
 * of the HTML page, without reading every event.
 */
int cal_store_upcoming(sqlite3 *db, long long now, size_t offset, size_t limit,
    struct cal_event **out, size_t *n, size_t *total);

/* Event `id` into *out (cal_event_clear) when a public feed shows it: 1, 0 when not, -1. */
int cal_store_event(sqlite3 *db, long long id, long long now, long long keep_past,
    struct cal_event *out);

/*
 * The texts of events v[0..n) in language lang: title, description and
 * location replaced by their versions in CV_EVENT_TEXTS_VIEW where there is
 * one (UID, SEQUENCE and the rest stay), and their `lang` set to lang, a
 * static string. 0 (also when the events plugin
 * has no such view yet), or -1 on a database error (localise.c).
 */
int cal_store_localise(sqlite3 *db, const char *lang, struct cal_event *v, size_t n);

/* The same for the events `person` registered for, with their status. */
int cal_store_person_events(sqlite3 *db, const char *person, long long now,
    long long keep_past, struct cal_event **out, size_t *n);

/* The person's token into tok: 1 when there is one, 0 when not, -1 on error. */
int cal_token_get(sqlite3 *db, const char *person, char tok[CAL_TOKEN_LEN + 1]);
/* Store tok as the person's token, replacing any other. */
int cal_token_set(sqlite3 *db, const char *person, const char *tok, long long now);
/* The person a token belongs to into buf: 1 found, 0 not, -1 on error. */
int cal_token_person(sqlite3 *db, const char *tok, char *buf, size_t n);
int cal_token_delete(sqlite3 *db, const char *person);

/* Is tok shaped like a token (length and alphabet)? */
bool cal_token_valid(const char *tok);
/* A new token from the kernel's random source. 0 or -1. */
int cal_token_new(char tok[CAL_TOKEN_LEN + 1]);

/*
 * Publishing: one row per resource written to a target ("MODE URL"). The
 * name is relative to the target URL. Strings are owned (cal_pub_row_clear).
 */
struct cal_pub_row {
	char *name;
	char *etag;     /* the server's ETag after our last write, or NULL */
	char *hash;     /* of what we wrote; "" when we never did */
	char *conflict; /* the hash that met a changed copy, or NULL */
	bool force;     /* an owner chose to overwrite the server's copy */
};

void cal_pub_row_clear(struct cal_pub_row *r);
void cal_pub_rows_free(struct cal_pub_row *v, size_t n);
/* Every row of a target, by name. */
int cal_pub_rows(sqlite3 *db, const char *target, struct cal_pub_row **out, size_t *n);
/* We wrote `hash` and the server now has `etag` (NULL when it gave none). */
int cal_pub_written(sqlite3 *db, const char *target, const char *name, const char *etag,
    const char *hash);
/* We deleted it (or it was gone). */
int cal_pub_removed(sqlite3 *db, const char *target, const char *name);
/* The server's copy changed: `hash` (ours, or "-" for a delete) waits for an owner. */
int cal_pub_conflict(sqlite3 *db, const char *target, const char *name, const char *hash);
/* Owners' decision: every conflict of the target is overwritten next. *n: how many. */
int cal_pub_overwrite(sqlite3 *db, const char *target, int *n);

/* The manifest of the files of single events (see the schema). */
struct cal_file_row {
	long long event_id;
	uint64_t input;
	char etag[48];
	long long lastmod;
};

/* Every row, by event id. *out is a new array (free). */
int cal_files_load(sqlite3 *db, struct cal_file_row **out, size_t *n);
int cal_files_put(sqlite3 *db, const struct cal_file_row *r);
int cal_files_delete(sqlite3 *db, long long event_id);

#pragma GCC visibility pop

#endif
