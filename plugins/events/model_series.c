/* model_series.c: the storage of series and their occurrences. See model_series.h. */
#include "model_series.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

int
model_series_row(sqlite3 *db, long long id, struct ev_series_row *out)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT coalesce(series_id, 0), occ_date, repeat FROM events WHERE id = ?",
	    "i", id);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->series_id = sqlite3_column_int64(st, 0);
		copy_text(out->occ_date, sizeof(out->occ_date), sqlite3_column_text(st, 1));
		copy_text(out->repeat, sizeof(out->repeat), sqlite3_column_text(st, 2));
	}
	done(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? MODEL_ENOENT : -1;
}

int
model_series_set_rule(sqlite3 *db, long long id, const char *repeat, const char *rrule,
    time_t now)
{
	return update_one(db,
	    prep(db,
	        "UPDATE events SET repeat = ?, rrule = ?, sequence = sequence + 1,"
	        " updated_at = ? WHERE id = ? AND series_id IS NULL",
	        "ttii", repeat, rrule, (long long)now, id));
}

int
model_series_child(sqlite3 *db, long long series, const char *date, long long *child)
{
	if (one_int(prep(db, "SELECT id FROM events WHERE series_id = ? AND occ_date = ?",
	                "it", series, date),
	        0, child) == -1)
		return -1;
	return *child == 0 ? MODEL_ENOENT : 0;
}

int
model_series_next(sqlite3 *db, long long series, time_t now, long long *child)
{
	if (one_int(prep(db,
	                "SELECT id FROM events WHERE series_id = ? AND status = 'active'"
	                " AND start_utc + 60 * duration_min > ? ORDER BY start_utc, id LIMIT 1",
	                "ii", series, (long long)now),
	        0, child) == -1)
		return -1;
	return *child == 0 ? MODEL_ENOENT : 0;
}

int
model_series_children(sqlite3 *db, long long series, time_t now, struct ev_event **out,
    size_t *n)
{
	return event_rows(prep(db,
	                      "SELECT " EVENT_COLUMNS " FROM events e WHERE e.series_id = ?"
	                      " AND e.start_utc + 60 * e.duration_min > ?"
	                      " ORDER BY e.start_utc, e.id",
	                      "ii", series, (long long)now),
	    out, n);
}

int
model_series_all(sqlite3 *db, long long **ids, size_t *n)
{
	sqlite3_stmt *st = prep(db, "SELECT id FROM events WHERE repeat IS NOT NULL", "");
	int rc;

	*ids = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*ids = xrealloc(*ids, (*n + 1) * sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The standing registrations of a series, applied in order to a new occurrence. */
static int
apply_standing(sqlite3 *db, long long series, long long child, time_t now)
{
	sqlite3_stmt *st =
	    prep(db, "SELECT person, nick FROM standing WHERE event_id = ? ORDER BY seq",
	        "i", series);
	struct ev_people l = { 0 };
	int rc, ret = 0;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		people_add(&l, series, sqlite3_column_text(st, 0),
		    sqlite3_column_text(st, 1));
	done(st);
	if (rc != SQLITE_DONE)
		ret = -1;
	for (size_t i = 0; i < l.n && ret == 0; i++) {
		struct rsvp_result r = { 0 };
		int x = model_rsvp(db, child, l.v[i].person, l.v[i].nick, EV_CONFIRMED,
		    now, &r);

		model_people_free(&r.promoted);
		/* An occurrence already started takes no one: not an error. */
		if (x != 0 && x != MODEL_EPAST && x != MODEL_ECANCELLED)
			ret = -1;
	}
	model_people_free(&l);
	return ret;
}

int
model_series_add_child(sqlite3 *db, const struct ev_event *parent, const char *date,
    long long start_utc, time_t now, long long *child)
{
	struct ev_event c = *parent;

	/* The copy borrows the parent's strings; insert writes its own uid. */
	snprintf(c.local_date, sizeof(c.local_date), "%s", date);
	c.start_utc = start_utc;
	if (model_event_insert(db, &c, now) == -1)
		return -1;
	*child = c.id;
	/*
	 * Its UID is the series' with its date: a personal feed holds the
	 * occurrences one holds a place for, each a VEVENT of its own, and
	 * none of the clients tested shows it as the series' occurrence then.
	 */
	if (run(prep(db,
	        "UPDATE events SET series_id = ?1, occ_date = ?2, cancel_reason = NULL,"
	        " uid = ?3 || '-' || replace(?2, '-', '') WHERE id = ?4",
	        "itti", parent->id, date, parent->uid, c.id)) == -1)
		return -1;
	return apply_standing(db, parent->id, c.id, now);
}

int
model_series_adopt(sqlite3 *db, long long from, long long to)
{
	if (run(prep(db, "UPDATE registrations SET event_id = ? WHERE event_id = ?", "ii",
	        to, from)) == -1 ||
	    run(prep(db, "UPDATE reminders_sent SET event_id = ? WHERE event_id = ?",
	        "ii", to, from)) == -1 ||
	    run(prep(db, "UPDATE pending_notices SET event_id = ? WHERE event_id = ?",
	        "ii", to, from)) == -1)
		return -1;
	return 0;
}

int
model_series_relabel(sqlite3 *db, long long child, const char *date)
{
	return update_one(db,
	    prep(db,
	        "UPDATE events SET occ_date = ?1, uid = (SELECT s.uid FROM events s"
	        " WHERE s.id = events.series_id) || '-' || replace(?1, '-', '') WHERE id = ?2",
	        "ti", date, child));
}

int
model_series_last_begun(sqlite3 *db, long long series, time_t now, char out[11])
{
	sqlite3_stmt *st = prep(db,
	    "SELECT max(occ_date) FROM events WHERE series_id = ? AND start_utc <= ?",
	    "ii", series, (long long)now);
	int rc;

	out[0] = '\0';
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		copy_text(out, 11, sqlite3_column_text(st, 0));
	done(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
model_own_add(sqlite3 *db, long long id, const char *field)
{
	return run(
	    prep(db, "INSERT OR IGNORE INTO own_fields (event_id, field) VALUES (?, ?)",
	        "it", id, field));
}

/* Whether the (event_id, text) row `sql` counts exists: 0, or -1. */
static int
has_row(sqlite3 *db, const char *sql, long long id, const char *text, bool *has)
{
	long long n;

	if (one_int(prep(db, sql, "it", id, text), 0, &n) == -1)
		return -1;
	*has = n > 0;
	return 0;
}

int
model_own_has(sqlite3 *db, long long id, const char *field, bool *has)
{
	return has_row(db,
	    "SELECT count(*) FROM own_fields WHERE event_id = ? AND field = ?", id, field,
	    has);
}

int
model_standing_add(sqlite3 *db, long long series, const char *person, const char *nick,
    time_t now)
{
	return run(prep(db,
	    "INSERT INTO standing (event_id, person, nick, created_at) VALUES (?, ?, ?, ?)"
	    " ON CONFLICT (event_id, person) DO UPDATE SET nick = excluded.nick",
	    "itti", series, person, nick, (long long)now));
}

int
model_standing_del(sqlite3 *db, long long series, const char *person)
{
	return run(prep(db, "DELETE FROM standing WHERE event_id = ? AND person = ?",
	    "it", series, person));
}

int
model_standing_has(sqlite3 *db, long long series, const char *person, bool *has)
{
	return has_row(db,
	    "SELECT count(*) FROM standing WHERE event_id = ? AND person = ?", series,
	    person, has);
}
