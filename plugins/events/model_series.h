/*
 * model_series.h: the storage of series (recurring events). A series is an
 * events row with `repeat` set (its rule, recur_format's text); each
 * occurrence is an events row of its own with series_id (the series' row)
 * and occ_date (its original local date, its RECURRENCE-ID), so that
 * capacity, waitlist, reminders, kept notices and retention work per
 * occurrence unchanged. Occurrences are made ahead up to a horizon
 * (series.c). `standing` holds `rsvp N all`: applied, in seq order, to each
 * occurrence as it is made, in the same transaction (so never twice).
 */
#ifndef CONVENE_MODEL_SERIES_H
#define CONVENE_MODEL_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "model.h"

#pragma GCC visibility push(hidden)

/* Step 7 of model_schema (model.c). */
#define MODEL_SCHEMA_SERIES                                                          \
	"ALTER TABLE events ADD COLUMN repeat TEXT;"                                 \
	"ALTER TABLE events ADD COLUMN series_id INTEGER REFERENCES events(id);"     \
	"ALTER TABLE events ADD COLUMN occ_date TEXT;"                               \
	"ALTER TABLE events ADD COLUMN rrule TEXT;"                                  \
	"CREATE TRIGGER series_sequence AFTER UPDATE OF status, start_utc,"          \
	" duration_min, title, description, location, url ON events"                 \
	" WHEN NEW.series_id IS NOT NULL BEGIN UPDATE events SET"                    \
	" sequence = sequence + 1, updated_at = NEW.updated_at"                      \
	" WHERE id = NEW.series_id; END;"                                            \
	"CREATE UNIQUE INDEX events_occurrence ON events(series_id, occ_date)"       \
	" WHERE series_id IS NOT NULL;"                                              \
	"CREATE TABLE standing ("                                                    \
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"                                    \
	" event_id INTEGER NOT NULL REFERENCES events(id),"                          \
	" person TEXT NOT NULL, nick TEXT NOT NULL,"                                 \
	" created_at INTEGER NOT NULL, UNIQUE (event_id, person));"                  \
	"DROP VIEW " CV_EVENTS_VIEW ";"                                              \
	"CREATE VIEW " CV_EVENTS_VIEW " (" CV_EVENTS_COLUMNS_SERIES ") AS SELECT"    \
	" id, uid, title, description, location, url, join_url, channel,"            \
	" cancel_reason, tz, start_utc, duration_min, status, sequence, created_at," \
	" updated_at, purged, capacity, n_confirmed, series_id, occ_date, repeat,"   \
	" rrule"                                                                     \
	" FROM events;"

/*
 * Step 8 of model_schema: the fields an occurrence changed alone (`event
 * set N@DATE FIELD`, FIELD as `event set` names it), which a change to the
 * whole series leaves as they are, as calendar apps keep an override.
 */
#define MODEL_SCHEMA_OWN                                    \
	"CREATE TABLE own_fields ("                         \
	" event_id INTEGER NOT NULL REFERENCES events(id)," \
	" field TEXT NOT NULL, PRIMARY KEY (event_id, field)) WITHOUT ROWID;"

/*
 * What lists of upcoming events add to their WHERE (?1 is now): a series'
 * own row is not listed, each series' next active occurrence is, once.
 */
#define SERIES_ONCE                                                              \
	" AND e.repeat IS NULL AND (e.series_id IS NULL OR e.id = (SELECT c.id"  \
	" FROM events c WHERE c.series_id = e.series_id AND c.status = 'active'" \
	" AND c.start_utc + 60 * c.duration_min > ?1 ORDER BY c.start_utc, c.id" \
	" LIMIT 1))"

/* The series part of one events row. */
struct ev_series_row {
	long long series_id; /* 0: not an occurrence */
	char occ_date[11];   /* "YYYY-MM-DD" on an occurrence */
	char repeat[160];    /* the rule on a series' row, "" otherwise */
};

int model_series_row(sqlite3 *db, long long id, struct ev_series_row *out);

/*
 * Sets (or, NULL, clears) a series' rule, and its RRULE for feeds; raises
 * its SEQUENCE. A change to one of its occurrences raises it too (the
 * trigger above): the feed's VEVENT of a series holds its EXDATEs and
 * overrides.
 */
int model_series_set_rule(sqlite3 *db, long long id, const char *repeat,
    const char *rrule, time_t now);

/* The occurrence of `date` ("YYYY-MM-DD"): MODEL_ENOENT when not made. */
int model_series_child(sqlite3 *db, long long series, const char *date, long long *child);

/* The next active occurrence not yet ended: MODEL_ENOENT when none. */
int model_series_next(sqlite3 *db, long long series, time_t now, long long *child);

/* The occurrences not ended at `now` (cancelled too), by start. */
int model_series_children(sqlite3 *db, long long series, time_t now,
    struct ev_event **out, size_t *n);

/* Every series' row id. */
int model_series_all(sqlite3 *db, long long **ids, size_t *n);

/*
 * Makes the occurrence of `date` starting at start_utc, a copy of the
 * series' row `parent` (local_date = date), and applies the standing
 * registrations in order. Its id in *child.
 */
int model_series_add_child(sqlite3 *db, const struct ev_event *parent, const char *date,
    long long start_utc, time_t now, long long *child);

/*
 * Moves what event `from` holds (registrations, reminders sent, kept
 * notices) to `to`: the first occurrence takes over the event that
 * became a series.
 */
int model_series_adopt(sqlite3 *db, long long from, long long to);

/*
 * Occurrence `child` renamed to `date` ("YYYY-MM-DD", its RECURRENCE-ID),
 * its UID following (`event set N start` of a series moves the dates).
 */
int model_series_relabel(sqlite3 *db, long long child, const char *date);

/* The latest date of an occurrence begun at `now`, "" when none. */
int model_series_last_begun(sqlite3 *db, long long series, time_t now, char out[11]);

/* Occurrence `id` changed `field` alone: a change to its series leaves it. */
int model_own_add(sqlite3 *db, long long id, const char *field);
int model_own_has(sqlite3 *db, long long id, const char *field, bool *has);

/* `rsvp N all`: adds a standing registration (already there: 0). */
int model_standing_add(sqlite3 *db, long long series, const char *person,
    const char *nick, time_t now);
int model_standing_del(sqlite3 *db, long long series, const char *person);
int model_standing_has(sqlite3 *db, long long series, const char *person, bool *has);

#pragma GCC visibility pop

#endif
