/*
 * model_int.h: what the events plugin's storage files (model.c,
 * model_reg.c, model_people.c) share. Not part of model.h's interface;
 * hidden from the shared object.
 */
#ifndef CONVENE_MODEL_INT_H
#define CONVENE_MODEL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cv_xalloc.h"
#include "model.h"

#pragma GCC visibility push(hidden)

/* The one out-of-memory helper, shared with the host (include/cv_xalloc.h). */
#define xrealloc cv_xrealloc

/* An occurrence's title names its date, so every notice about it does. */
#define EVENT_TITLE                                                                    \
	"CASE WHEN e.occ_date IS NULL THEN e.title ELSE e.title || ' (' || e.occ_date" \
	" || ')' END"
#define EVENT_COLUMNS                                                                    \
	"e.id, e.uid, " EVENT_TITLE                                                      \
	", e.description, e.location, e.url, e.join_url, e.channel,"                     \
	" e.cancel_reason, e.created_by, e.local_date, e.local_time, e.tz, e.start_utc," \
	" e.duration_min, e.capacity, e.status, e.sequence, e.created_at, e.updated_at," \
	" CASE WHEN e.purged THEN e.kept_confirmed ELSE e.n_confirmed END,"              \
	" CASE WHEN e.purged THEN e.kept_maybe ELSE e.n_maybe END,"                      \
	" CASE WHEN e.purged THEN e.kept_waitlist ELSE e.n_waitlist END,"                \
	" e.reminders_from, e.purged, coalesce(e.series_id, 0), e.occ_date,"             \
	" e.repeat IS NOT NULL"
#define EVENT_NCOLUMNS 28

/* model.c */
char *xstrdup_or_null(const char *s);
enum ev_status status_of(const unsigned char *s);
void people_add(struct ev_people *l, long long event_id, const unsigned char *person,
    const unsigned char *nick);
sqlite3_stmt *prep(sqlite3 *db, const char *sql, const char *types, ...);
void done(sqlite3_stmt *st);
int run(sqlite3_stmt *st);
int one_int(sqlite3_stmt *st, long long def, long long *out);
void copy_text(char *dst, size_t n, const unsigned char *s);
int event_rows(sqlite3_stmt *st, struct ev_event **out, size_t *n);
int update_one(sqlite3 *db, sqlite3_stmt *st);

/* model_reg.c */
int promote(sqlite3 *db, long long id, time_t now, struct ev_people *promoted);

#pragma GCC visibility pop

#endif
