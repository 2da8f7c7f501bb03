/*
 * model_people.c: people's settings, forgetting a person, reminders, kept
 * notices, retention, and the sources of imported events.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_int.h"

int
model_person_tz(sqlite3 *db, const char *person, char *buf, size_t n)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT tz FROM people WHERE person = ? AND tz IS NOT NULL", "t", person);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		copy_text(buf, n, sqlite3_column_text(st, 0));
	done(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
model_person_set_tz(sqlite3 *db, const char *person, const char *nick, const char *tz)
{
	return run(prep(db,
	    "INSERT INTO people (person, nick, tz) VALUES (?, ?, ?)"
	    " ON CONFLICT (person) DO UPDATE SET nick = excluded.nick, tz = excluded.tz",
	    "ttt", person, nick, tz));
}

int
model_person_seen(sqlite3 *db, const char *person, const char *nick)
{
	if (run(prep(db, "UPDATE people SET nick = ?2 WHERE person = ?1 AND nick != ?2",
	        "tt", person, nick)) == -1)
		return -1;
	return run(prep(db,
	    "UPDATE registrations SET nick = ?2 WHERE person = ?1 AND nick != ?2", "tt",
	    person, nick));
}

int
model_forget_summary(sqlite3 *db, const char *person, struct forget_summary *s)
{
	long long regs = 0, tz = 0, created = 0, pending = 0;

	memset(s, 0, sizeof(*s));
	if (one_int(prep(db, "SELECT count(*) FROM registrations WHERE person = ?", "t",
	                person),
	        0, &regs) == -1 ||
	    one_int(prep(db, "SELECT count(*) FROM people WHERE person = ?", "t", person),
	        0, &tz) == -1 ||
	    one_int(prep(db, "SELECT count(*) FROM events WHERE created_by = ?", "t", person),
	        0, &created) == -1 ||
	    one_int(prep(db, "SELECT count(*) FROM pending_notices WHERE person = ?", "t",
	                person),
	        0, &pending) == -1)
		return -1;
	s->registrations = (int)regs;
	s->has_tz = tz > 0;
	s->events_created = (int)created;
	s->pending = (int)pending;
	return 0;
}

int
model_forget(sqlite3 *db, const char *person, time_t now, struct ev_people *promoted)
{
	sqlite3_stmt *st = prep(db,
	    "DELETE FROM registrations WHERE person = ?"
	    " RETURNING event_id, status",
	    "t", person);
	long long *freed = NULL;
	size_t nfreed = 0;
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (status_of(sqlite3_column_text(st, 1)) != EV_CONFIRMED)
			continue;
		freed = xrealloc(freed, (nfreed + 1) * sizeof(*freed));
		freed[nfreed++] = sqlite3_column_int64(st, 0);
	}
	done(st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (run(prep(db, "DELETE FROM people WHERE person = ?", "t", person)) == -1 ||
	    run(prep(db, "DELETE FROM pending_notices WHERE person = ?", "t", person)) ==
	        -1 ||
	    run(prep(db, "DELETE FROM standing WHERE person = ?", "t", person)) == -1 ||
	    run(prep(db, "UPDATE events SET created_by = NULL WHERE created_by = ?", "t",
	        person)) == -1)
		goto fail;
	for (size_t i = 0; i < nfreed; i++)
		if (promote(db, freed[i], now, promoted) == -1)
			goto fail;
	free(freed);
	return 0;
fail:
	free(freed);
	return -1;
}

/* ---- reminders, kept notices, retention ---- */

int
model_events_reminding(sqlite3 *db, time_t now, long long max_offset,
    struct ev_event **out, size_t *n)
{
	return event_rows(prep(db,
	                      "SELECT " EVENT_COLUMNS " FROM events e"
	                      " WHERE e.status = 'active' AND e.start_utc > ?1 AND e.start_utc <= ?1 + ?2"
	                      " ORDER BY e.start_utc, e.id",
	                      "ii", (long long)now, max_offset),
	    out, n);
}

int
model_reminder_sent(sqlite3 *db, long long id, long long offset_s, long long start_utc,
    bool *sent)
{
	long long c;

	if (one_int(prep(db,
	                "SELECT count(*) FROM reminders_sent WHERE event_id = ?"
	                " AND offset_s = ? AND start_utc = ?",
	                "iii", id, offset_s, start_utc),
	        0, &c) == -1)
		return -1;
	*sent = c > 0;
	return 0;
}

int
model_reminder_mark(sqlite3 *db, long long id, long long offset_s, long long start_utc,
    time_t now)
{
	return run(prep(db,
	    "INSERT OR IGNORE INTO reminders_sent"
	    " (event_id, offset_s, start_utc, sent_at) VALUES (?, ?, ?, ?)",
	    "iiii", id, offset_s, start_utc, (long long)now));
}

int
model_reminder_people(sqlite3 *db, long long id, struct ev_people *out)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT r.person, r.nick FROM registrations r"
	    " LEFT JOIN people p ON p.person = r.person"
	    " WHERE r.event_id = ? AND r.status = 'confirmed' AND coalesce(p.reminders, 1) = 1"
	    " ORDER BY r.seq",
	    "i", id);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		people_add(out, id, sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
	done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
model_person_reminders(sqlite3 *db, const char *person, bool *on)
{
	long long v;

	if (one_int(prep(db, "SELECT reminders FROM people WHERE person = ?", "t", person),
	        1, &v) == -1)
		return -1;
	*on = v != 0;
	return 0;
}

int
model_person_set_reminders(sqlite3 *db, const char *person, const char *nick, bool on)
{
	return run(prep(db,
	    "INSERT INTO people (person, nick, reminders) VALUES (?, ?, ?)"
	    " ON CONFLICT (person) DO UPDATE SET nick = excluded.nick,"
	    " reminders = excluded.reminders",
	    "tti", person, nick, (long long)on));
}

int
model_pending_add(sqlite3 *db, const char *person, long long event_id, const char *text,
    time_t now, time_t expires)
{
	return run(prep(db,
	    "INSERT INTO pending_notices (person, event_id, text, created_at,"
	    " expires_at) VALUES (?, ?, ?, ?, ?)",
	    "titii", person, event_id, text, (long long)now, (long long)expires));
}

void
model_notices_free(struct ev_notice *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

int
model_pending_take(sqlite3 *db, const char *person, time_t now, struct ev_notice **out,
    size_t *n)
{
	sqlite3_stmt *st = prep(db,
	    "DELETE FROM pending_notices WHERE person = ?"
	    " RETURNING id, event_id, text, created_at, expires_at",
	    "t", person);
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ev_notice *m;

		if (sqlite3_column_int64(st, 4) <= now)
			continue; /* expired: deleted, not told */
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		m = &(*out)[(*n)++];
		m->id = sqlite3_column_int64(st, 0);
		m->event_id = sqlite3_column_int64(st, 1);
		m->text = xstrdup_or_null((const char *)sqlite3_column_text(st, 2));
		m->created_at = sqlite3_column_int64(st, 3);
	}
	done(st);
	if (rc != SQLITE_DONE) {
		model_notices_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	/* RETURNING gives rows in no promised order; tell them as they were kept. */
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && (*out)[j - 1].id > (*out)[j].id; j--) {
			struct ev_notice tmp = (*out)[j];

			(*out)[j] = (*out)[j - 1];
			(*out)[j - 1] = tmp;
		}
	return 0;
}

int
model_pending_expire(sqlite3 *db, time_t now)
{
	return run(prep(db, "DELETE FROM pending_notices WHERE expires_at <= ?", "i",
	    (long long)now));
}

int
model_retention(sqlite3 *db, time_t now, long long keep_s, int *purged)
{
	long long cutoff = (long long)now - keep_s;
	sqlite3_stmt *st;
	long long *ids = NULL;
	size_t n = 0;
	int rc;

	*purged = 0;
	/* Events end at most 7 days after they start: the index bounds the scan. */
	st = prep(db,
	    "SELECT id FROM events WHERE purged = 0 AND start_utc <= ?1"
	    " AND start_utc + 60 * duration_min <= ?1",
	    "i", cutoff);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof(*ids));
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	done(st);
	for (size_t i = 0; rc == SQLITE_DONE && i < n; i++) {
		/* Counts first, then nothing personal: registrations, notices, creator. */
		if (run(prep(db,
		        "UPDATE events SET"
		        " kept_confirmed = n_confirmed, kept_maybe = n_maybe, kept_waitlist = n_waitlist,"
		        " purged = 1, created_by = NULL WHERE id = ?1",
		        "i", ids[i])) == -1 ||
		    run(prep(db, "DELETE FROM registrations WHERE event_id = ?", "i",
		        ids[i])) == -1 ||
		    run(prep(db, "DELETE FROM pending_notices WHERE event_id = ?", "i",
		        ids[i])) == -1 ||
		    run(prep(db, "DELETE FROM reminders_sent WHERE event_id = ?", "i",
		        ids[i])) == -1)
			rc = SQLITE_ERROR;
	}
	free(ids);
	if (rc != SQLITE_DONE)
		return -1;
	*purged = (int)n;
	return 0;
}

int
model_import_seen(sqlite3 *db, const char *source_uid, bool *seen)
{
	long long n;

	if (one_int(prep(db, "SELECT count(*) FROM events WHERE source_uid = ?", "t",
	                source_uid),
	        0, &n) == -1)
		return -1;
	*seen = n > 0;
	return 0;
}

int
model_event_set_source(sqlite3 *db, long long id, const char *source_uid,
    const char *source_url)
{
	return run(prep(db, "UPDATE events SET source_uid = ?, source_url = ? WHERE id = ?",
	    "tti", source_uid, source_url, id));
}

int
model_text_set(sqlite3 *db, long long event_id, const char *lang, const char *field,
    const char *text, time_t now)
{
	int rc = update_one(db,
	    prep(db,
	        "UPDATE events SET sequence = sequence + 1,"
	        " updated_at = ? WHERE id = ?",
	        "ii", (long long)now, event_id));

	if (rc != 0)
		return rc;
	if (text == NULL)
		return run(prep(db,
		    "DELETE FROM event_texts"
		    " WHERE event_id = ? AND lang = ? AND field = ?",
		    "itt", event_id, lang, field));
	return run(prep(db,
	    "INSERT INTO event_texts (event_id, lang, field, text)"
	    " VALUES (?, ?, ?, ?) ON CONFLICT (event_id, lang, field)"
	    " DO UPDATE SET text = excluded.text",
	    "ittt", event_id, lang, field, text));
}

int
model_text_get(sqlite3 *db, long long event_id, const char *lang, const char *field,
    char *buf, size_t n)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT text FROM event_texts"
	    " WHERE event_id = ? AND lang = ? AND field = ?",
	    "itt", event_id, lang, field);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		copy_text(buf, n, sqlite3_column_text(st, 0));
	done(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
model_event_localise(sqlite3 *db, struct ev_event *e, const char *lang)
{
	static const char *const names[] = { "title", "description", "location" };
	char **fields[] = { &e->title, &e->description, &e->location };
	char *buf;
	int rc = 0;

	if (lang == NULL)
		return 0;
	buf = xrealloc(NULL, MODEL_TEXT_MAX);
	for (size_t i = 0; i < sizeof names / sizeof *names && rc != -1; i++) {
		rc = model_text_get(db, e->id, lang, names[i], buf, MODEL_TEXT_MAX);
		/* An occurrence reads its series' version, its title naming its date. */
		if (rc == 0 && e->series_id != 0) {
			rc = model_text_get(db, e->series_id, lang, names[i], buf,
			    MODEL_TEXT_MAX);
			if (rc == 1 && i == 0 && e->occ_date[0] != '\0')
				snprintf(buf + strlen(buf), MODEL_TEXT_MAX - strlen(buf),
				    " (%s)", e->occ_date);
		}
		if (rc == 1) {
			free(*fields[i]);
			*fields[i] = xstrdup_or_null(buf);
		}
	}
	free(buf);
	return rc == -1 ? -1 : 0;
}

int
model_event_brief(sqlite3 *db, long long id, const char *lang, struct ev_event *e)
{
	/* The title's own version, else its series' naming the date, else its own. */
	sqlite3_stmt *st = prep(db,
	    "SELECT coalesce((SELECT text FROM event_texts"
	    "   WHERE event_id = e.id AND lang = ?2 AND field = 'title'),"
	    "  (SELECT t.text || CASE WHEN coalesce(e.occ_date, '') = '' THEN ''"
	    "    ELSE ' (' || e.occ_date || ')' END FROM event_texts t"
	    "   WHERE t.event_id = e.series_id AND t.lang = ?2 AND t.field = 'title'),"
	    "  " EVENT_TITLE "), e.join_url"
	    " FROM events e WHERE e.id = ?1",
	    "it", id, lang);
	int rc;

	memset(e, 0, sizeof(*e));
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		e->id = id;
		e->title = xstrdup_or_null((const char *)sqlite3_column_text(st, 0));
		e->join_url = xstrdup_or_null((const char *)sqlite3_column_text(st, 1));
	}
	done(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? MODEL_ENOENT : -1;
}
