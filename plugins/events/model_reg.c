/* model_reg.c: registrations, the waitlist, and what a person is registered for. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_int.h"

/*
 * Give free places of event `id` to the first waitlisted people, in arrival
 * order, appending them to *promoted. Cancelled events and events that have
 * started promote nobody: a place there is worth nothing.
 */
int
promote(sqlite3 *db, long long id, time_t now, struct ev_people *promoted)
{
	struct ev_people next = { 0 };
	sqlite3_stmt *st;
	long long free_places, start;
	int rc;

	/* The kept counts: no need to copy the event's texts. */
	st = prep(db,
	    "SELECT capacity, n_confirmed, n_waitlist, status = 'cancelled', start_utc"
	    " FROM events WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		done(st);
		return rc == SQLITE_DONE ? MODEL_ENOENT : -1;
	}
	free_places = sqlite3_column_int64(st, 0) == 0 ?
	    -1 :
	    sqlite3_column_int64(st, 0) > sqlite3_column_int64(st, 1) ?
	    sqlite3_column_int64(st, 0) - sqlite3_column_int64(st, 1) :
	    0;
	start = sqlite3_column_int64(st, 4);
	rc = sqlite3_column_int(st, 3) || start <= now || free_places == 0 ||
	    sqlite3_column_int64(st, 2) == 0;
	done(st);
	if (rc)
		return 0;
	/* LIMIT -1 is no limit. */
	st = prep(db,
	    "SELECT person, nick FROM registrations"
	    " WHERE event_id = ? AND status = 'waitlist' ORDER BY seq LIMIT ?",
	    "ii", id, free_places);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		people_add(&next, id, sqlite3_column_text(st, 0),
		    sqlite3_column_text(st, 1));
	done(st);
	for (size_t i = 0; rc == SQLITE_DONE && i < next.n; i++) {
		if (run(prep(db,
		        "UPDATE registrations SET status = 'confirmed'"
		        " WHERE person = ? AND ev_start = ? AND event_id = ?",
		        "tii", next.v[i].person, start, id)) == -1)
			rc = SQLITE_ERROR;
		else
			people_add(promoted, id, (const unsigned char *)next.v[i].person,
			    (const unsigned char *)next.v[i].nick);
	}
	model_people_free(&next);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The 1-based waitlist position of the entry with arrival number `seq`,
 * counted through the (event_id, status, seq) index on the side of it that
 * is shorter by arrival numbers: a newcomer at the end counts nobody behind
 * it, the first in line nobody before it. n_waitlist is the kept count.
 */
static int
wait_position(sqlite3 *db, long long id, long long seq, long long n_waitlist, int *position)
{
	/* Apart: SQLite reads min() or max() alone from the index's ends, not both. */
	sqlite3_stmt *st = prep(db,
	    "SELECT (SELECT min(seq) FROM registrations"
	    "  WHERE event_id = ?1 AND status = 'waitlist'),"
	    " (SELECT max(seq) FROM registrations WHERE event_id = ?1 AND status = 'waitlist')",
	    "i", id);
	long long lo, hi, c;
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	lo = sqlite3_column_int64(st, 0);
	hi = sqlite3_column_int64(st, 1);
	done(st);
	if (rc != SQLITE_ROW)
		return -1;
	if (seq - lo <= hi - seq) {
		if (one_int(prep(db,
		                "SELECT count(*) FROM registrations"
		                " WHERE event_id = ? AND status = 'waitlist' AND seq < ?",
		                "ii", id, seq),
		        0, &c) == -1)
			return -1;
		*position = (int)c + 1;
	} else {
		if (one_int(prep(db,
		                "SELECT count(*) FROM registrations"
		                " WHERE event_id = ? AND status = 'waitlist' AND seq > ?",
		                "ii", id, seq),
		        0, &c) == -1)
			return -1;
		*position = (int)(n_waitlist - c);
	}
	return 0;
}

/* What model_rsvp() reads of the event and of the person's entry. */
struct rsvp_state {
	long long start, end, last_seq, capacity, confirmed, waiting, seq;
};

int
model_status(sqlite3 *db, long long id, const char *person, enum ev_status *status,
    int *position)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT r.status, r.seq, e.n_waitlist FROM events e JOIN registrations r"
	    " ON r.person = ?2 AND r.ev_start = e.start_utc AND r.event_id = e.id"
	    " WHERE e.id = ?1",
	    "it", id, person);
	long long seq = 0, n_waitlist = 0;
	int rc;

	*status = EV_NONE;
	*position = 0;
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*status = status_of(sqlite3_column_text(st, 0));
		seq = sqlite3_column_int64(st, 1);
		n_waitlist = sqlite3_column_int64(st, 2);
	}
	done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (*status == EV_WAITLIST)
		return wait_position(db, id, seq, n_waitlist, position);
	return 0;
}

/*
 * The event (refused when cancelled or started), its kept counts and where
 * the person stands, in one read. 0, a MODEL_E* code, or -1.
 */
static int
rsvp_read(sqlite3 *db, long long id, const char *person, time_t now, struct rsvp_state *s,
    struct rsvp_result *r)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT e.status = 'cancelled', e.start_utc, e.duration_min, e.last_seq,"
	    " e.capacity, e.n_confirmed, e.n_waitlist, r.status, r.seq"
	    " FROM events e LEFT JOIN registrations r"
	    " ON r.person = ?2 AND r.ev_start = e.start_utc AND r.event_id = e.id"
	    " WHERE e.id = ?1",
	    "it", id, person);
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s->start = sqlite3_column_int64(st, 1);
		s->end = s->start + 60 * sqlite3_column_int64(st, 2);
		s->last_seq = sqlite3_column_int64(st, 3);
		s->capacity = sqlite3_column_int64(st, 4);
		s->confirmed = sqlite3_column_int64(st, 5);
		s->waiting = sqlite3_column_int64(st, 6);
		r->before = status_of(sqlite3_column_text(st, 7));
		s->seq = sqlite3_column_int64(st, 8);
		rc = sqlite3_column_int(st, 0) ? MODEL_ECANCELLED :
		    s->start <= now            ? MODEL_EPAST :
		                                 0;
	} else
		rc = rc == SQLITE_DONE ? MODEL_ENOENT : -1;
	done(st);
	if (rc == 0 && r->before == EV_WAITLIST &&
	    wait_position(db, id, s->seq, s->waiting, &r->position) == -1)
		return -1;
	return rc;
}

/* The asker is told by the answer, not as a promotion. */
static void
drop_promoted(struct ev_people *promoted, const char *person)
{
	for (size_t i = 0; i < promoted->n; i++) {
		if (strcmp(promoted->v[i].person, person) == 0) {
			free(promoted->v[i].person);
			free(promoted->v[i].nick);
			memmove(&promoted->v[i], &promoted->v[i + 1],
			    (promoted->n - i - 1) * sizeof(promoted->v[0]));
			if (--promoted->n == 0)
				model_people_free(promoted);
			break;
		}
	}
}

int
model_rsvp(sqlite3 *db, long long id, const char *person, const char *nick,
    enum ev_status want, time_t now, struct rsvp_result *r)
{
	struct rsvp_state s = { 0 };
	enum ev_status put = want;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = rsvp_read(db, id, person, now, &s, r)) != 0)
		return rc;
	r->after = r->before;

	/* Already where they want to be; a yes while waiting keeps the place in line. */
	if (want == r->before || (want == EV_CONFIRMED && r->before == EV_WAITLIST))
		return 0;

	/* The counts without the person's current entry. */
	s.confirmed -= r->before == EV_CONFIRMED;
	s.waiting -= r->before == EV_WAITLIST;
	/*
	 * A yes joins the end of the waitlist, and promote() gives the first in
	 * line any free place, so arrival order holds however the place came
	 * free. With a free place and nobody waiting, that first in line is this
	 * yes: it is written confirmed at once, as promote() would leave it.
	 */
	if (want == EV_CONFIRMED)
		put = (s.capacity == 0 || s.confirmed < s.capacity) && s.waiting == 0 ?
		    EV_CONFIRMED :
		    EV_WAITLIST;
	if (want == EV_NONE) {
		if (run(prep(db,
		        "DELETE FROM registrations"
		        " WHERE person = ? AND ev_start = ? AND event_id = ?",
		        "tii", person, s.start, id)) == -1)
			return -1;
	} else if (run(prep(db,
	               "INSERT INTO registrations"
	               " (event_id, person, nick, status, seq, created_at, ev_start, ev_end)"
	               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
	               " ON CONFLICT (person, ev_start, event_id) DO UPDATE SET nick = excluded.nick,"
	               " status = excluded.status, seq = excluded.seq",
	               "itttiiii", id, person, nick,
	               put == EV_MAYBE        ? "maybe" :
	                   put == EV_WAITLIST ? "waitlist" :
	                                        "confirmed",
	               s.last_seq + 1, (long long)now, s.start, s.end)) == -1)
		return -1;
	s.confirmed += put == EV_CONFIRMED;
	s.waiting += put == EV_WAITLIST;
	r->after = put;
	/* The last in line: everyone waiting arrived before. */
	r->position = put == EV_WAITLIST ? (int)s.waiting : 0;
	/* Nobody to promote, or no free place: promote() would do nothing. */
	if (s.waiting == 0 || (s.capacity != 0 && s.confirmed >= s.capacity))
		return 0;
	if (promote(db, id, now, &r->promoted) == -1)
		goto fail;
	drop_promoted(&r->promoted, person);
	if (model_status(db, id, person, &r->after, &r->position) == -1)
		goto fail;
	return 0;
fail:
	model_people_free(&r->promoted);
	return -1;
}

int
model_event_set_capacity(sqlite3 *db, long long id, int capacity, time_t now,
    struct ev_people *promoted)
{
	int rc = update_one(db,
	    prep(db,
	        "UPDATE events SET capacity = ?,"
	        " sequence = sequence + 1, updated_at = ? WHERE id = ?",
	        "iii", (long long)capacity, (long long)now, id));

	return rc != 0 ? rc : promote(db, id, now, promoted);
}

int
model_attendees(sqlite3 *db, long long id, struct ev_people *confirmed,
    struct ev_people *maybe, struct ev_people *waitlist)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT person, nick, status FROM registrations"
	    " WHERE event_id = ? ORDER BY status, seq",
	    "i", id);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		enum ev_status s = status_of(sqlite3_column_text(st, 2));
		struct ev_people *l = s == EV_CONFIRMED ? confirmed :
		    s == EV_MAYBE                       ? maybe :
		                                          waitlist;

		people_add(l, id, sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
	}
	done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
model_mine_first(sqlite3 *db, const char *person, time_t now, size_t limit,
    struct ev_mine **out, size_t *n, size_t *total)
{
	sqlite3_stmt *st;
	long long count;
	int rc;

	*out = NULL;
	*n = 0;
	/*
	 * From the table's (person, ev_start, event_id) key: the count walks
	 * the person's registrations of events that start from a week back
	 * (events last at most 7 days), the list stops after `limit`; only the
	 * events shown are read.
	 */
	if (one_int(prep(db,
	                "SELECT count(*) FROM registrations"
	                " WHERE person = ?1 AND ev_start > ?2 - 604800 AND ev_end > ?2",
	                "ti", person, (long long)now),
	        0, &count) == -1)
		return -1;
	*total = (size_t)count;
	st = prep(db,
	    "SELECT event_id, status, seq FROM registrations"
	    " WHERE person = ?1 AND ev_start > ?2 - 604800 AND ev_end > ?2"
	    " ORDER BY ev_start, event_id LIMIT ?3",
	    "tii", person, (long long)now,
	    limit > (size_t)count ? count : (long long)limit);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ev_mine *m;

		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		m = &(*out)[(*n)++];
		memset(m, 0, sizeof(*m));
		if (model_event_get(db, sqlite3_column_int64(st, 0), &m->ev) != 0)
			break;
		m->status = status_of(sqlite3_column_text(st, 1));
		if (m->status == EV_WAITLIST &&
		    wait_position(db, m->ev.id, sqlite3_column_int64(st, 2),
		        m->ev.n_waitlist, &m->position) == -1)
			break;
	}
	done(st);
	if (rc != SQLITE_DONE) {
		model_mine_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
model_mine(sqlite3 *db, const char *person, time_t now, struct ev_mine **out, size_t *n)
{
	size_t total;

	return model_mine_first(db, person, now, SIZE_MAX, out, n, &total);
}

void
model_mine_free(struct ev_mine *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		model_event_clear(&v[i].ev);
	free(v);
}
