/*
 * Unit tests for plugins/events/model.c on a real SQLite file with the
 * plugin's real migrations: capacity, waitlist, promotion, forget.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../plugins/events/model.h"
#include "../../plugins/events/model_series.h"

#define NOW 1795000000LL /* 2026-11-18 */
#define DAY 86400LL

struct fixture {
	char path[64];
	sqlite3 *db;
};

static sqlite3 *
open_db(const char *path)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                     "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
	                     " PRAGMA secure_delete=ON;",
	                     NULL, NULL, NULL),
	    SQLITE_OK);
	return db;
}

/* A new store at `path` (a mkstemp template, filled in) with the first `steps` schema steps. */
static sqlite3 *
store_at_step(char *path, size_t steps)
{
	sqlite3 *db;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	db = open_db(path);
	for (size_t i = 0; i < steps; i++)
		assert_int_equal(sqlite3_exec(db, model_schema[i], NULL, NULL, NULL),
		    SQLITE_OK);
	return db;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/test_events_model.XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	f->db = open_db(f->path);
	/* The same steps host->migrate() applies, each in a transaction. */
	for (size_t i = 0; i < model_schema_steps; i++) {
		assert_int_equal(sqlite3_exec(f->db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_exec(f->db, model_schema[i], NULL, NULL, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_exec(f->db, "COMMIT", NULL, NULL, NULL),
		    SQLITE_OK);
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char side[80];

	model_close(f->db);
	assert_int_equal(sqlite3_close(f->db), SQLITE_OK);
	unlink(f->path);
	snprintf(side, sizeof(side), "%s-wal", f->path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", f->path);
	unlink(side);
	free(f);
	return 0;
}

/* A new event starting `in` seconds after NOW, with the given capacity. */
static long long
new_event(sqlite3 *db, long long in, int capacity, const char *creator)
{
	struct ev_event e;

	memset(&e, 0, sizeof(e));
	e.title = "Digital rights clinic";
	e.join_url = "https://meet.example/secret";
	e.channel = "#convene";
	e.created_by = (char *)creator;
	snprintf(e.local_date, sizeof(e.local_date), "2026-12-02");
	snprintf(e.local_time, sizeof(e.local_time), "18:00");
	snprintf(e.tz, sizeof(e.tz), "Europe/Paris");
	e.start_utc = NOW + in;
	e.duration_min = 60;
	e.capacity = capacity;
	assert_int_equal(model_event_insert(db, &e, NOW), 0);
	assert_true(e.id > 0);
	assert_int_equal(strlen(e.uid), 32);
	return e.id;
}

/* rsvp and check the outcome; returns the waitlist position. */
static int
rsvp(sqlite3 *db, long long id, const char *who, enum ev_status want,
    enum ev_status expect, struct ev_people *promoted)
{
	struct rsvp_result r;
	char person[32];

	snprintf(person, sizeof(person), "n:%s", who);
	assert_int_equal(model_rsvp(db, id, person, who, want, NOW, &r), 0);
	assert_int_equal(r.after, expect);
	if (promoted != NULL)
		*promoted = r.promoted;
	else
		assert_int_equal(r.promoted.n, 0);
	if (promoted == NULL)
		model_people_free(&r.promoted);
	return r.position;
}

static void
expect_status(sqlite3 *db, long long id, const char *who, enum ev_status s, int pos)
{
	enum ev_status got;
	int gotpos;
	char person[32];

	snprintf(person, sizeof(person), "n:%s", who);
	assert_int_equal(model_status(db, id, person, &got, &gotpos), 0);
	assert_int_equal(got, s);
	assert_int_equal(gotpos, pos);
}

static void
test_event_roundtrip(void **state)
{
	struct fixture *f = *state;
	long long id = new_event(f->db, DAY, 5, "a:org");
	struct ev_event e;
	struct ev_event *v;
	size_t n;

	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_string_equal(e.title, "Digital rights clinic");
	assert_string_equal(e.tz, "Europe/Paris");
	assert_string_equal(e.local_date, "2026-12-02");
	assert_string_equal(e.join_url, "https://meet.example/secret");
	assert_null(e.description);
	assert_int_equal(e.capacity, 5);
	assert_int_equal(e.sequence, 0);
	assert_false(e.cancelled);
	model_event_clear(&e);

	assert_int_equal(model_event_set_text(f->db, id, EV_FIELD_LOCATION, "Room 4", NOW),
	    0);
	assert_int_equal(model_event_set_duration(f->db, id, 90, NOW), 0);
	assert_int_equal(model_event_set_start(f->db, id, "2026-12-03", "19:00", "UTC",
	                     NOW + 2 * DAY, NOW),
	    0);
	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_string_equal(e.location, "Room 4");
	assert_int_equal(e.duration_min, 90);
	assert_string_equal(e.tz, "UTC");
	assert_string_equal(e.local_time, "19:00");
	assert_int_equal(e.start_utc, NOW + 2 * DAY);
	assert_int_equal(e.sequence, 3);
	model_event_clear(&e);

	/* The same instant again changes nothing; another raises the sequence. */
	assert_int_equal(model_event_restamp(f->db, id, NOW + 2 * DAY, NOW), 0);
	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_int_equal(e.sequence, 3);
	model_event_clear(&e);
	assert_int_equal(model_event_restamp(f->db, id, NOW + 2 * DAY + 3600, NOW), 0);
	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_int_equal(e.sequence, 4);
	model_event_clear(&e);

	assert_int_equal(model_event_get(f->db, id + 100, &e), MODEL_ENOENT);
	assert_int_equal(model_event_set_duration(f->db, id + 100, 90, NOW), MODEL_ENOENT);

	/* Upcoming: not the one that ended, but the cancelled one (shown as such). */
	long long ended = new_event(f->db, -2 * 3600, 0, "a:org");
	long long cancelled = new_event(f->db, 3 * DAY, 0, "a:org");
	assert_int_equal(model_event_cancel(f->db, cancelled, "speaker ill", NOW), 0);
	assert_int_equal(model_events_upcoming(f->db, NOW, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, id);
	assert_int_equal(v[1].id, cancelled);
	assert_true(v[1].cancelled);
	assert_string_equal(v[1].cancel_reason, "speaker ill");
	assert_int_equal(v[1].sequence, 1);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(v[i].id, ended);
	model_events_free(v, n);
}

/* A second language's version of a field: set, replaced, removed, and gone with its event. */
static void
test_texts_in_a_second_language(void **state)
{
	struct fixture *f = *state;
	long long id = new_event(f->db, DAY, 5, "a:org");
	struct ev_event e;
	char buf[64];

	assert_int_equal(model_text_get(f->db, id, "fr", "title", buf, sizeof buf), 0);
	assert_int_equal(model_text_set(f->db, id, "fr", "title", "Atelier", NOW), 0);
	assert_int_equal(model_text_set(f->db, id, "fr", "title", "Clinique", NOW), 0);
	assert_int_equal(model_text_set(f->db, id, "en", "location", "Room 4", NOW), 0);
	assert_int_equal(model_text_get(f->db, id, "fr", "title", buf, sizeof buf), 1);
	assert_string_equal(buf, "Clinique");
	assert_int_equal(model_text_get(f->db, id, "en", "title", buf, sizeof buf), 0);
	assert_int_equal(model_text_get(f->db, id, "fr", "location", buf, sizeof buf), 0);
	/* The original is untouched; each change raises the SEQUENCE. */
	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_string_equal(e.title, "Digital rights clinic");
	assert_int_equal(e.sequence, 3);
	model_event_clear(&e);
	/* A reader of French sees the French title, the original elsewhere. */
	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_int_equal(model_event_localise(f->db, &e, "fr"), 0);
	assert_string_equal(e.title, "Clinique");
	assert_null(e.location);
	model_event_clear(&e);
	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_int_equal(model_event_localise(f->db, &e, "en"), 0);
	assert_string_equal(e.title, "Digital rights clinic");
	assert_string_equal(e.location, "Room 4");
	model_event_clear(&e);
	assert_int_equal(model_text_set(f->db, id, "fr", "title", NULL, NOW), 0);
	assert_int_equal(model_text_get(f->db, id, "fr", "title", buf, sizeof buf), 0);
	assert_int_equal(model_text_set(f->db, id + 100, "fr", "title", "x", NOW),
	    MODEL_ENOENT);
	/* Only the languages and fields the table knows. */
	assert_int_equal(model_text_set(f->db, id, "de", "title", "x", NOW), -1);
	assert_int_equal(model_text_set(f->db, id, "fr", "url", "x", NOW), -1);
	assert_int_equal(sqlite3_exec(f->db, "DELETE FROM events", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(model_text_get(f->db, id, "en", "location", buf, sizeof buf), 0);
}

/*
 * The fields an occurrence changed alone (step 8): recorded once each,
 * kept per occurrence and per field, and nothing for another occurrence.
 */
static void
test_own_fields(void **state)
{
	struct fixture *f = *state;
	long long a = new_event(f->db, DAY, 5, "a:org"),
	          b = new_event(f->db, DAY, 5, "a:org");
	bool has = true;

	assert_int_equal(model_own_has(f->db, a, "title", &has), 0);
	assert_false(has);
	assert_int_equal(model_own_add(f->db, a, "title"), 0);
	assert_int_equal(model_own_add(f->db, a, "title"), 0);
	assert_int_equal(model_own_add(f->db, a, "title.fr"), 0);
	assert_int_equal(model_own_has(f->db, a, "title", &has), 0);
	assert_true(has);
	assert_int_equal(model_own_has(f->db, a, "title.fr", &has), 0);
	assert_true(has);
	assert_int_equal(model_own_has(f->db, a, "location", &has), 0);
	assert_false(has);
	assert_int_equal(model_own_has(f->db, b, "title", &has), 0);
	assert_false(has);
}

/* Capacity 2: two confirmed, then the waitlist in order of arrival. */
static void
test_capacity_and_waitlist(void **state)
{
	struct fixture *f = *state;
	long long id = new_event(f->db, DAY, 2, "a:org");
	struct ev_event e;

	assert_int_equal(rsvp(f->db, id, "alice", EV_CONFIRMED, EV_CONFIRMED, NULL), 0);
	assert_int_equal(rsvp(f->db, id, "bob", EV_CONFIRMED, EV_CONFIRMED, NULL), 0);
	assert_int_equal(rsvp(f->db, id, "carol", EV_CONFIRMED, EV_WAITLIST, NULL), 1);
	assert_int_equal(rsvp(f->db, id, "dave", EV_CONFIRMED, EV_WAITLIST, NULL), 2);

	/* Asking again changes nothing, and keeps the place in line. */
	assert_int_equal(rsvp(f->db, id, "carol", EV_CONFIRMED, EV_WAITLIST, NULL), 1);
	assert_int_equal(rsvp(f->db, id, "alice", EV_CONFIRMED, EV_CONFIRMED, NULL), 0);
	expect_status(f->db, id, "dave", EV_WAITLIST, 2);

	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_int_equal(e.n_confirmed, 2);
	assert_int_equal(e.n_waitlist, 2);
	assert_int_equal(model_places_left(&e), 0);
	model_event_clear(&e);
}

/* A withdrawal promotes exactly the first waiting person. */
static void
test_withdraw_promotes_first(void **state)
{
	struct fixture *f = *state;
	long long id = new_event(f->db, DAY, 2, "a:org");
	struct ev_people promoted;

	rsvp(f->db, id, "alice", EV_CONFIRMED, EV_CONFIRMED, NULL);
	rsvp(f->db, id, "bob", EV_CONFIRMED, EV_CONFIRMED, NULL);
	rsvp(f->db, id, "carol", EV_CONFIRMED, EV_WAITLIST, NULL);
	rsvp(f->db, id, "dave", EV_CONFIRMED, EV_WAITLIST, NULL);

	rsvp(f->db, id, "alice", EV_NONE, EV_NONE, &promoted);
	assert_int_equal(promoted.n, 1);
	assert_string_equal(promoted.v[0].person, "n:carol");
	assert_string_equal(promoted.v[0].nick, "carol");
	assert_int_equal(promoted.v[0].event_id, id);
	model_people_free(&promoted);
	expect_status(f->db, id, "alice", EV_NONE, 0);
	expect_status(f->db, id, "carol", EV_CONFIRMED, 0);
	expect_status(f->db, id, "dave", EV_WAITLIST, 1);

	/* Withdrawing from the waitlist promotes nobody; nor does a second no. */
	rsvp(f->db, id, "erin", EV_CONFIRMED, EV_WAITLIST, NULL);
	rsvp(f->db, id, "dave", EV_NONE, EV_NONE, NULL);
	rsvp(f->db, id, "dave", EV_NONE, EV_NONE, NULL);
	expect_status(f->db, id, "erin", EV_WAITLIST, 1);

	/* A confirmed person turning to maybe frees the place too. */
	rsvp(f->db, id, "bob", EV_MAYBE, EV_MAYBE, &promoted);
	assert_int_equal(promoted.n, 1);
	assert_string_equal(promoted.v[0].person, "n:erin");
	model_people_free(&promoted);

	/* Coming back from maybe means the end of the line. */
	assert_int_equal(rsvp(f->db, id, "bob", EV_CONFIRMED, EV_WAITLIST, NULL), 1);
}

/* Raising the capacity promotes in arrival order, as many as fit. */
static void
test_capacity_raise_promotes_in_order(void **state)
{
	struct fixture *f = *state;
	long long id = new_event(f->db, DAY, 1, "a:org");
	struct ev_people promoted = { 0 };
	const char *const waiting[] = { "w1", "w2", "w3", "w4" };

	rsvp(f->db, id, "alice", EV_CONFIRMED, EV_CONFIRMED, NULL);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(rsvp(f->db, id, waiting[i], EV_CONFIRMED, EV_WAITLIST,
		                     NULL),
		    (int)i + 1);

	assert_int_equal(model_event_set_capacity(f->db, id, 3, NOW, &promoted), 0);
	assert_int_equal(promoted.n, 2);
	assert_string_equal(promoted.v[0].nick, "w1");
	assert_string_equal(promoted.v[1].nick, "w2");
	model_people_free(&promoted);
	expect_status(f->db, id, "w3", EV_WAITLIST, 1);
	expect_status(f->db, id, "w4", EV_WAITLIST, 2);

	/* Lowering takes no place away, but newcomers wait. */
	assert_int_equal(model_event_set_capacity(f->db, id, 1, NOW, &promoted), 0);
	assert_int_equal(promoted.n, 0);
	expect_status(f->db, id, "w2", EV_CONFIRMED, 0);
	assert_int_equal(rsvp(f->db, id, "late", EV_CONFIRMED, EV_WAITLIST, NULL), 3);

	/* Unlimited: everyone waiting gets in, in order. */
	assert_int_equal(model_event_set_capacity(f->db, id, 0, NOW, &promoted), 0);
	assert_int_equal(promoted.n, 3);
	assert_string_equal(promoted.v[0].nick, "w3");
	assert_string_equal(promoted.v[1].nick, "w4");
	assert_string_equal(promoted.v[2].nick, "late");
	model_people_free(&promoted);
	assert_int_equal(rsvp(f->db, id, "more", EV_CONFIRMED, EV_CONFIRMED, NULL), 0);
}

static void
test_maybe_takes_no_place(void **state)
{
	struct fixture *f = *state;
	long long id = new_event(f->db, DAY, 1, "a:org");
	struct ev_event e;

	rsvp(f->db, id, "alice", EV_MAYBE, EV_MAYBE, NULL);
	rsvp(f->db, id, "bob", EV_MAYBE, EV_MAYBE, NULL);
	assert_int_equal(rsvp(f->db, id, "carol", EV_CONFIRMED, EV_CONFIRMED, NULL), 0);
	assert_int_equal(rsvp(f->db, id, "alice", EV_CONFIRMED, EV_WAITLIST, NULL), 1);
	/* A waiting person who turns to maybe leaves the line. */
	rsvp(f->db, id, "alice", EV_MAYBE, EV_MAYBE, NULL);
	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_int_equal(e.n_confirmed, 1);
	assert_int_equal(e.n_maybe, 2);
	assert_int_equal(e.n_waitlist, 0);
	model_event_clear(&e);
}

/* Cancelled, started and unknown events take no registrations. */
static void
test_refusals(void **state)
{
	struct fixture *f = *state;
	long long id = new_event(f->db, DAY, 0, "a:org");
	long long started = new_event(f->db, -60, 0, "a:org");
	struct rsvp_result r;
	struct ev_people c = { 0 }, m = { 0 }, w = { 0 };
	struct ev_event e;

	rsvp(f->db, id, "alice", EV_CONFIRMED, EV_CONFIRMED, NULL);
	assert_int_equal(model_event_cancel(f->db, id, NULL, NOW), 0);
	assert_int_equal(model_rsvp(f->db, id, "n:bob", "bob", EV_CONFIRMED, NOW, &r),
	    MODEL_ECANCELLED);
	assert_int_equal(model_rsvp(f->db, id, "n:alice", "alice", EV_NONE, NOW, &r),
	    MODEL_ECANCELLED);
	assert_int_equal(model_rsvp(f->db, started, "n:bob", "bob", EV_CONFIRMED, NOW, &r),
	    MODEL_EPAST);
	assert_int_equal(model_rsvp(f->db, id + 1000, "n:bob", "bob", EV_CONFIRMED, NOW, &r),
	    MODEL_ENOENT);

	/* The cancelled event keeps its people, so they can be told. */
	assert_int_equal(model_attendees(f->db, id, &c, &m, &w), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].nick, "alice");
	assert_int_equal(m.n + w.n, 0);
	model_people_free(&c);
	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_true(e.cancelled);
	assert_null(e.cancel_reason);
	model_event_clear(&e);
}

static void
test_attendees_and_mine(void **state)
{
	struct fixture *f = *state;
	long long a = new_event(f->db, 2 * DAY, 1, "a:org");
	long long b = new_event(f->db, DAY, 0, "a:org");
	struct ev_people c = { 0 }, m = { 0 }, w = { 0 };
	struct ev_mine *mine;
	size_t n;

	rsvp(f->db, a, "alice", EV_CONFIRMED, EV_CONFIRMED, NULL);
	rsvp(f->db, a, "bob", EV_MAYBE, EV_MAYBE, NULL);
	rsvp(f->db, a, "carol", EV_CONFIRMED, EV_WAITLIST, NULL);
	rsvp(f->db, a, "dave", EV_CONFIRMED, EV_WAITLIST, NULL);
	rsvp(f->db, b, "dave", EV_MAYBE, EV_MAYBE, NULL);

	assert_int_equal(model_attendees(f->db, a, &c, &m, &w), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(m.n, 1);
	assert_int_equal(w.n, 2);
	assert_string_equal(c.v[0].nick, "alice");
	assert_string_equal(m.v[0].nick, "bob");
	assert_string_equal(w.v[0].nick, "carol");
	assert_string_equal(w.v[1].nick, "dave");
	model_people_free(&c);
	model_people_free(&m);
	model_people_free(&w);

	/* A new nick is recorded where the person is already known. */
	assert_int_equal(model_person_seen(f->db, "n:dave", "dave_"), 0);
	assert_int_equal(model_mine(f->db, "n:dave", NOW, &mine, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(mine[0].ev.id, b); /* sooner first */
	assert_int_equal(mine[0].status, EV_MAYBE);
	assert_int_equal(mine[1].ev.id, a);
	assert_int_equal(mine[1].status, EV_WAITLIST);
	assert_int_equal(mine[1].position, 2);
	model_mine_free(mine, n);
	assert_int_equal(model_attendees(f->db, a, &c, &m, &w), 0);
	assert_string_equal(w.v[1].nick, "dave_");
	model_people_free(&c);
	model_people_free(&m);
	model_people_free(&w);

	assert_int_equal(model_mine(f->db, "n:nobody", NOW, &mine, &n), 0);
	assert_int_equal(n, 0);
	model_mine_free(mine, n);
}

static void
test_person_tz(void **state)
{
	struct fixture *f = *state;
	char tz[64];

	assert_int_equal(model_person_tz(f->db, "n:alice", tz, sizeof(tz)), 0);
	assert_int_equal(model_person_set_tz(f->db, "n:alice", "alice", "Europe/Paris"), 0);
	assert_int_equal(model_person_tz(f->db, "n:alice", tz, sizeof(tz)), 1);
	assert_string_equal(tz, "Europe/Paris");
	assert_int_equal(model_person_set_tz(f->db, "n:alice", "alice", "-05:00"), 0);
	assert_int_equal(model_person_tz(f->db, "n:alice", tz, sizeof(tz)), 1);
	assert_string_equal(tz, "-05:00");
}

/* Rows anywhere in the database that mention `s`. */
static int
mentions(sqlite3 *db, const char *s)
{
	static const char *const sql[] = {
		"SELECT count(*) FROM registrations WHERE person = ?1 OR nick = ?1",
		"SELECT count(*) FROM people WHERE person = ?1 OR nick = ?1",
		"SELECT count(*) FROM events WHERE created_by = ?1",
	};
	int total = 0;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, sql[i], -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		total += sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return total;
}

static void
test_forget(void **state)
{
	struct fixture *f = *state;
	long long mine = new_event(f->db, DAY, 1, "n:alice");
	long long other = new_event(f->db, 2 * DAY, 0, "a:org");
	struct forget_summary s;
	struct ev_people promoted = { 0 };
	struct ev_event e;
	char tz[64];

	rsvp(f->db, mine, "alice", EV_CONFIRMED, EV_CONFIRMED, NULL);
	rsvp(f->db, mine, "bob", EV_CONFIRMED, EV_WAITLIST, NULL);
	rsvp(f->db, other, "alice", EV_MAYBE, EV_MAYBE, NULL);
	rsvp(f->db, other, "bob", EV_CONFIRMED, EV_CONFIRMED, NULL);
	assert_int_equal(model_person_set_tz(f->db, "n:alice", "alice", "Europe/Paris"), 0);
	assert_int_equal(model_person_set_tz(f->db, "n:bob", "bob", "UTC"), 0);

	assert_int_equal(model_forget_summary(f->db, "n:alice", &s), 0);
	assert_int_equal(s.registrations, 2);
	assert_true(s.has_tz);
	assert_int_equal(s.events_created, 1);
	assert_true(mentions(f->db, "n:alice") > 0);

	assert_int_equal(model_forget(f->db, "n:alice", NOW, &promoted), 0);
	assert_int_equal(mentions(f->db, "n:alice"), 0);
	assert_int_equal(mentions(f->db, "alice"), 0);
	assert_int_equal(model_person_tz(f->db, "n:alice", tz, sizeof(tz)), 0);
	/* Her place went to the next in line. */
	assert_int_equal(promoted.n, 1);
	assert_string_equal(promoted.v[0].nick, "bob");
	assert_int_equal(promoted.v[0].event_id, mine);
	model_people_free(&promoted);

	/* Nothing of others: bob, his zone, and the event alice created stay. */
	expect_status(f->db, mine, "bob", EV_CONFIRMED, 0);
	expect_status(f->db, other, "bob", EV_CONFIRMED, 0);
	assert_int_equal(model_person_tz(f->db, "n:bob", tz, sizeof(tz)), 1);
	assert_int_equal(model_event_get(f->db, mine, &e), 0);
	assert_null(e.created_by);
	assert_int_equal(e.n_confirmed, 1);
	model_event_clear(&e);

	assert_int_equal(model_forget_summary(f->db, "n:alice", &s), 0);
	assert_int_equal(s.registrations + s.events_created, 0);
	assert_false(s.has_tz);
}

/*
 * Two connections racing for the last place: the host's BEGIN IMMEDIATE
 * makes the second wait until the first committed, so it sees the place gone.
 */
static void
test_race_for_last_place(void **state)
{
	struct fixture *f = *state;
	long long id = new_event(f->db, DAY, 1, "a:org");
	sqlite3 *other = open_db(f->path);
	struct rsvp_result r;

	sqlite3_busy_timeout(other, 0);
	assert_int_equal(sqlite3_exec(f->db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_BUSY);
	assert_int_equal(model_rsvp(f->db, id, "n:alice", "alice", EV_CONFIRMED, NOW, &r),
	    0);
	assert_int_equal(r.after, EV_CONFIRMED);
	assert_int_equal(sqlite3_exec(f->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);

	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(model_rsvp(other, id, "n:bob", "bob", EV_CONFIRMED, NOW, &r), 0);
	assert_int_equal(r.after, EV_WAITLIST);
	assert_int_equal(r.position, 1);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	model_close(other);
	assert_int_equal(sqlite3_close(other), SQLITE_OK);
}

/* Moving the start schedules the reminders again from then; other changes do not. */
static void
test_reminders_rescheduled(void **state)
{
	struct fixture *f = *state;
	long long id = new_event(f->db, 3 * DAY, 0, "a:org");
	struct ev_people p = { 0 };
	struct ev_event e, *v;
	size_t n;
	bool sent, on;

	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_int_equal(e.reminders_from, NOW);
	model_event_clear(&e);
	assert_int_equal(model_event_set_duration(f->db, id, 90, NOW + 10), 0);
	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_int_equal(e.reminders_from, NOW);
	model_event_clear(&e);
	assert_int_equal(model_event_set_start(f->db, id, "2026-12-03", "18:00",
	                     "Europe/Paris", NOW + 4 * DAY, NOW + 20),
	    0);
	assert_int_equal(model_event_get(f->db, id, &e), 0);
	assert_int_equal(e.reminders_from, NOW + 20);
	model_event_clear(&e);

	/* In the window only when it starts within the largest offset. */
	assert_int_equal(model_events_reminding(f->db, NOW, DAY, &v, &n), 0);
	assert_int_equal(n, 0);
	model_events_free(v, n);
	assert_int_equal(model_events_reminding(f->db, NOW + 3 * DAY, DAY, &v, &n), 0);
	assert_int_equal(n, 1);
	model_events_free(v, n);

	assert_int_equal(model_reminder_sent(f->db, id, DAY, NOW + 4 * DAY, &sent), 0);
	assert_false(sent);
	assert_int_equal(model_reminder_mark(f->db, id, DAY, NOW + 4 * DAY, NOW), 0);
	assert_int_equal(model_reminder_mark(f->db, id, DAY, NOW + 4 * DAY, NOW), 0);
	assert_int_equal(model_reminder_sent(f->db, id, DAY, NOW + 4 * DAY, &sent), 0);
	assert_true(sent);
	/* The same offset before another start is another reminder. */
	assert_int_equal(model_reminder_sent(f->db, id, DAY, NOW + 5 * DAY, &sent), 0);
	assert_false(sent);

	/* Who gets private reminders: the confirmed who did not turn them off. */
	rsvp(f->db, id, "ann", EV_CONFIRMED, EV_CONFIRMED, NULL);
	rsvp(f->db, id, "bob", EV_CONFIRMED, EV_CONFIRMED, NULL);
	rsvp(f->db, id, "cy", EV_MAYBE, EV_MAYBE, NULL);
	assert_int_equal(model_person_set_reminders(f->db, "n:bob", "bob", false), 0);
	assert_int_equal(model_person_reminders(f->db, "n:bob", &on), 0);
	assert_false(on);
	assert_int_equal(model_person_reminders(f->db, "n:ann", &on), 0);
	assert_true(on);
	assert_int_equal(model_reminder_people(f->db, id, &p), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].nick, "ann");
	model_people_free(&p);
}

static void
test_pending_notices(void **state)
{
	struct fixture *f = *state;
	long long id = new_event(f->db, DAY, 0, "a:org");
	struct ev_notice *v;
	struct forget_summary s;
	size_t n;

	assert_int_equal(model_pending_add(f->db, "n:ann", id, "first", NOW, NOW + DAY), 0);
	assert_int_equal(model_pending_add(f->db, "n:ann", id, "second", NOW, NOW + DAY),
	    0);
	assert_int_equal(model_pending_add(f->db, "n:ann", id, "stale", NOW, NOW + 10), 0);
	assert_int_equal(model_pending_add(f->db, "n:bob", id, "bob's", NOW, NOW + DAY), 0);
	/* Taken once, oldest first, the expired one dropped unsaid. */
	assert_int_equal(model_pending_take(f->db, "n:ann", NOW + 20, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].text, "first");
	assert_string_equal(v[1].text, "second");
	model_notices_free(v, n);
	assert_int_equal(model_pending_take(f->db, "n:ann", NOW + 20, &v, &n), 0);
	assert_int_equal(n, 0);
	model_notices_free(v, n);
	/* forget counts and erases them. */
	assert_int_equal(model_forget_summary(f->db, "n:bob", &s), 0);
	assert_int_equal(s.pending, 1);
	{
		struct ev_people promoted = { 0 };

		assert_int_equal(model_forget(f->db, "n:bob", NOW, &promoted), 0);
		model_people_free(&promoted);
	}
	assert_int_equal(model_pending_take(f->db, "n:bob", NOW, &v, &n), 0);
	assert_int_equal(n, 0);
	model_notices_free(v, n);
	/* Expiry at the event's end. */
	assert_int_equal(model_pending_add(f->db, "n:cy", id, "late", NOW, NOW + DAY), 0);
	assert_int_equal(model_pending_expire(f->db, NOW + DAY), 0);
	assert_int_equal(model_pending_take(f->db, "n:cy", NOW, &v, &n), 0);
	assert_int_equal(n, 0);
	model_notices_free(v, n);
}

static void
test_retention(void **state)
{
	struct fixture *f = *state;
	long long old = new_event(f->db, DAY, 2, "a:org");
	long long recent = new_event(f->db, 5 * DAY, 0, "a:org");
	long long end = NOW + DAY + 3600, keep = 30 * DAY;
	struct ev_event e;
	struct ev_mine *m;
	size_t n;
	int purged;

	rsvp(f->db, old, "ann", EV_CONFIRMED, EV_CONFIRMED, NULL);
	rsvp(f->db, old, "bob", EV_CONFIRMED, EV_CONFIRMED, NULL);
	rsvp(f->db, old, "cy", EV_CONFIRMED, EV_WAITLIST, NULL);
	rsvp(f->db, old, "dee", EV_MAYBE, EV_MAYBE, NULL);
	rsvp(f->db, recent, "ann", EV_CONFIRMED, EV_CONFIRMED, NULL);
	assert_int_equal(model_pending_add(f->db, "n:ann", old, "kept", NOW, NOW + 10 * DAY),
	    0);
	assert_int_equal(model_reminder_mark(f->db, old, 3600, NOW + DAY, NOW), 0);

	/* One second early: nothing. */
	assert_int_equal(model_retention(f->db, end + keep - 1, keep, &purged), 0);
	assert_int_equal(purged, 0);
	assert_int_equal(model_retention(f->db, end + keep, keep, &purged), 0);
	assert_int_equal(purged, 1);
	assert_int_equal(model_event_get(f->db, old, &e), 0);
	assert_true(e.purged);
	assert_null(e.created_by);
	assert_int_equal(e.n_confirmed, 2);
	assert_int_equal(e.n_waitlist, 1);
	assert_int_equal(e.n_maybe, 1);
	model_event_clear(&e);
	expect_status(f->db, old, "ann", EV_NONE, 0);
	expect_status(f->db, recent, "ann", EV_CONFIRMED, 0);
	assert_int_equal(model_mine(f->db, "n:ann", NOW, &m, &n), 0);
	assert_int_equal(n, 1);
	model_mine_free(m, n);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(f->db,
		                     "SELECT (SELECT count(*) FROM"
		                     " pending_notices) + (SELECT count(*) FROM reminders_sent)",
		                     -1, &st, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 0);
		sqlite3_finalize(st);
	}
	/* Done once. */
	assert_int_equal(model_retention(f->db, end + 2 * keep, keep, &purged), 0);
	assert_int_equal(purged, 1); /* the recent one, now old enough */
}

/* ---- kept counts (schema step 4) ---- */

/* One integer from a query. */
static long long
query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * The kept counts of every event equal count(*) over its registrations, and
 * every waitlisted person's position is their rank by arrival.
 */
static void
expect_consistent(sqlite3 *db)
{
	sqlite3_stmt *st;

	assert_int_equal(query_int(db,
	                     "SELECT count(*) FROM events e WHERE"
	                     " e.n_confirmed != (SELECT count(*) FROM registrations r"
	                     "  WHERE r.event_id = e.id AND r.status = 'confirmed') OR"
	                     " e.n_maybe != (SELECT count(*) FROM registrations r"
	                     "  WHERE r.event_id = e.id AND r.status = 'maybe') OR"
	                     " e.n_waitlist != (SELECT count(*) FROM registrations r"
	                     "  WHERE r.event_id = e.id AND r.status = 'waitlist')"),
	    0);
	/* The key is (person, ev_start, event_id): still one row per person and event. */
	assert_int_equal(query_int(db,
	                     "SELECT count(*) FROM (SELECT 1 FROM registrations"
	                     " GROUP BY event_id, person HAVING count(*) > 1)"),
	    0);
	assert_int_equal(
	    query_int(db,
	        "SELECT count(*) FROM registrations r JOIN events e"
	        " ON e.id = r.event_id WHERE r.ev_start IS NOT e.start_utc"
	        " OR r.ev_end IS NOT e.start_utc + 60 * e.duration_min OR r.seq > e.last_seq"),
	    0);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
	        "SELECT event_id, person, (SELECT count(*)"
	        " FROM registrations w WHERE w.event_id = r.event_id AND w.status = 'waitlist'"
	        " AND w.seq <= r.seq) FROM registrations r WHERE status = 'waitlist'",
	        -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		enum ev_status got;
		int pos;

		assert_int_equal(model_status(db, sqlite3_column_int64(st, 0),
		                     (const char *)sqlite3_column_text(st, 1), &got, &pos),
		    0);
		assert_int_equal(got, EV_WAITLIST);
		assert_int_equal(pos, sqlite3_column_int(st, 2));
	}
	sqlite3_finalize(st);
}

/*
 * One random change in its own transaction, as the host runs them; one in
 * eight is rolled back instead of committed. Events are ids[0..n).
 */
static void
random_change(sqlite3 *db, const long long *ids, int nids, unsigned *seed, int *purge_day)
{
	static const enum ev_status wants[] = { EV_CONFIRMED, EV_CONFIRMED, EV_MAYBE,
		EV_NONE };
	long long id = ids[rand_r(seed) % nids];
	struct ev_people promoted = { 0 };
	struct rsvp_result r;
	char person[32];
	int op = rand_r(seed) % 100, purged, rc;

	snprintf(person, sizeof(person), "n:p%d", rand_r(seed) % 40);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	if (op < 80) {
		rc = model_rsvp(db, id, person, person + 2, wants[rand_r(seed) % 4], NOW,
		    &r);
		assert_true(rc == 0 || rc == MODEL_ECANCELLED);
		if (rc == 0)
			model_people_free(&r.promoted);
	} else if (op < 90) {
		assert_int_equal(model_event_set_capacity(db, id, rand_r(seed) % 8, NOW,
		                     &promoted),
		    0);
	} else if (op < 92) {
		assert_int_equal(model_forget(db, person, NOW, &promoted), 0);
	} else if (op < 93) {
		if (rand_r(seed) % 2)
			rc = model_event_set_duration(db, id, 30 + rand_r(seed) % 120, NOW);
		else
			rc = model_event_set_start(db, id, "2026-12-02", "18:00", "UTC",
			    NOW + DAY * (1 + rand_r(seed) % 12), NOW);
		assert_int_equal(rc, 0);
	} else if (op < 95) {
		assert_int_equal(model_event_cancel(db, id, NULL, NOW), 0);
	} else {
		/* Retention: events ended a day before now go, one more day each time. */
		(*purge_day)++;
		assert_int_equal(model_retention(db, NOW + *purge_day * DAY, DAY, &purged),
		    0);
	}
	model_people_free(&promoted);
	assert_int_equal(sqlite3_exec(db, rand_r(seed) % 8 == 0 ? "ROLLBACK" : "COMMIT",
	                     NULL, NULL, NULL),
	    SQLITE_OK);
}

static void
test_counts_kept_through_random_changes(void **state)
{
	struct fixture *f = *state;
	long long ids[6];
	unsigned seed = 17;
	int purge_day = 0;

	for (int i = 0; i < 6; i++)
		ids[i] = new_event(f->db, (i + 1) * 2 * DAY, i % 3 == 0 ? 0 : i, "a:org");
	for (int step = 0; step < 3000; step++) {
		random_change(f->db, ids, 6, &seed, &purge_day);
		expect_consistent(f->db);
	}
	/* The run reached what it is meant to check. */
	assert_true(purge_day > 0);
	assert_true(query_int(f->db, "SELECT count(*) FROM events WHERE purged") > 0);
}

/*
 * What model_rsvp() answers is what the rows say afterwards (status and
 * waitlist position, promoted people confirmed), and an upcoming event never
 * keeps a free place while someone waits: model_rsvp() writes a yes straight
 * as confirmed, and runs promote() only when a place and a waiting person
 * meet, so these hold only if its counts are right.
 */
static void
test_rsvp_answer_matches_the_rows(void **state)
{
	struct fixture *f = *state;
	static const enum ev_status wants[] = { EV_CONFIRMED, EV_CONFIRMED, EV_MAYBE,
		EV_NONE };
	long long ids[4];
	unsigned seed = 5;

	for (int i = 0; i < 4; i++)
		ids[i] = new_event(f->db, (i + 1) * DAY, i == 0 ? 0 : 2 * i - 1, "a:org");
	for (int step = 0; step < 2000; step++) {
		long long id = ids[rand_r(&seed) % 4];
		struct ev_people promoted = { 0 };
		struct rsvp_result r;
		enum ev_status got;
		char person[32];
		int pos;

		snprintf(person, sizeof(person), "n:p%d", rand_r(&seed) % 30);
		assert_int_equal(sqlite3_exec(f->db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
		    SQLITE_OK);
		if (rand_r(&seed) % 20 == 0) {
			assert_int_equal(model_event_set_capacity(f->db, id,
			                     rand_r(&seed) % 6, NOW, &promoted),
			    0);
			model_people_free(&promoted);
		} else {
			assert_int_equal(model_rsvp(f->db, id, person, person + 2,
			                     wants[rand_r(&seed) % 4], NOW, &r),
			    0);
			assert_int_equal(model_status(f->db, id, person, &got, &pos), 0);
			assert_int_equal(got, r.after);
			assert_int_equal(pos, r.position);
			for (size_t i = 0; i < r.promoted.n; i++) {
				assert_string_not_equal(r.promoted.v[i].person, person);
				assert_int_equal(model_status(f->db, id,
				                     r.promoted.v[i].person, &got, &pos),
				    0);
				assert_int_equal(got, EV_CONFIRMED);
			}
			model_people_free(&r.promoted);
		}
		assert_int_equal(sqlite3_exec(f->db, "COMMIT", NULL, NULL, NULL),
		    SQLITE_OK);
		assert_int_equal(query_int(f->db,
		                     "SELECT count(*) FROM events WHERE n_waitlist > 0"
		                     " AND (capacity = 0 OR n_confirmed < capacity)"),
		    0);
		expect_consistent(f->db);
	}
	/* The run reached full events, waitlists and promotions. */
	assert_true(query_int(f->db,
	                "SELECT count(*) FROM registrations"
	                " WHERE status = 'waitlist'") > 0);
}

/*
 * A process killed in the middle of its changes (inside a transaction, or
 * between two) leaves counts that match the rows once the store is opened
 * again, and a later run keeps them so.
 */
static void
test_counts_kept_through_crash(void **state)
{
	struct fixture *f = *state;
	long long ids[4];

	for (int i = 0; i < 4; i++)
		ids[i] = new_event(f->db, (i + 1) * 30 * DAY, 1 + i, "a:org");
	model_close(f->db);
	assert_int_equal(sqlite3_close(f->db), SQLITE_OK);
	for (unsigned round = 0; round < 6; round++) {
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0) {
			sqlite3 *db = open_db(f->path);
			unsigned seed = round;
			int purge_day = 0, stop = 50 + (int)round * 37;

			for (int step = 0;; step++) {
				if (step == stop) {
					/* Killed with a change written but not committed. */
					struct rsvp_result r;

					sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
					    NULL);
					model_rsvp(db, ids[round % 4], "n:late", "late",
					    EV_CONFIRMED, NOW, &r);
					raise(SIGKILL);
				}
				random_change(db, ids, 4, &seed, &purge_day);
			}
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		f->db = open_db(f->path);
		expect_consistent(f->db);
		assert_int_equal(query_int(f->db,
		                     "SELECT count(*) FROM registrations"
		                     " WHERE person = 'n:late'"),
		    0);
		model_close(f->db);
		assert_int_equal(sqlite3_close(f->db), SQLITE_OK);
	}
	f->db = open_db(f->path);
	assert_true(query_int(f->db, "SELECT count(*) FROM registrations") > 0);
}

/* A store written before step 4 gets its counts from the rows it holds. */
static void
test_counts_from_existing_rows(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/test_events_upgrade.XXXXXX";
	sqlite3 *db = store_at_step(path, 3);

	(void)f;
	assert_int_equal(
	    sqlite3_exec(db,
	        "INSERT INTO events (id, uid, title, local_date,"
	        " local_time, tz, start_utc, capacity, created_at, updated_at) VALUES"
	        " (1, 'a', 'A', '2026-12-02', '18:00', 'UTC', 1795100000, 2, 0, 0),"
	        " (2, 'b', 'B', '2026-12-02', '18:00', 'UTC', 1795100000, 0, 0, 0);"
	        "INSERT INTO registrations (event_id, person, nick, status, seq, created_at) VALUES"
	        " (1, 'n:a', 'a', 'confirmed', 1, 0), (1, 'n:b', 'b', 'confirmed', 2, 0),"
	        " (1, 'n:c', 'c', 'waitlist', 3, 0), (1, 'n:d', 'd', 'maybe', 4, 0),"
	        " (1, 'n:e', 'e', 'waitlist', 5, 0), (2, 'n:a', 'a', 'maybe', 1, 0);",
	        NULL, NULL, NULL),
	    SQLITE_OK);
	for (size_t i = 3; i < model_schema_steps; i++)
		assert_int_equal(sqlite3_exec(db, model_schema[i], NULL, NULL, NULL),
		    SQLITE_OK);
	assert_int_equal(query_int(db,
	                     "SELECT n_confirmed * 100 + n_maybe * 10 + n_waitlist"
	                     " FROM events WHERE id = 1"),
	    212);
	assert_int_equal(query_int(db,
	                     "SELECT n_confirmed * 100 + n_maybe * 10 + n_waitlist"
	                     " FROM events WHERE id = 2"),
	    10);
	expect_consistent(db);
	expect_status(db, 1, "e", EV_WAITLIST, 2);
	/* Rows written by older code get their event's times too. */
	assert_int_equal(sqlite3_exec(db,
	                     "INSERT INTO registrations (event_id, person, nick,"
	                     " status, seq, created_at) VALUES (2, 'n:f', 'f', 'maybe', 2, 0)",
	                     NULL, NULL, NULL),
	    SQLITE_OK);
	expect_consistent(db);
	model_close(db);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	unlink(path);
}

/* The reads a command makes are served by indexes, not by walking rows. */
static void
test_counts_use_indexes(void **state)
{
	struct fixture *f = *state;
	static const char *const sql[] = {
		"SELECT count(*) FROM registrations WHERE event_id = 1 AND status = 'waitlist'"
		" AND seq < 5",
		"SELECT person FROM registrations WHERE event_id = 1 ORDER BY status, seq",
		"SELECT id FROM events WHERE purged = 0 AND start_utc <= 5"
		" AND start_utc + 60 * duration_min <= 5",
		"SELECT count(*) FROM events WHERE start_utc + 60 * duration_min > 5",
		"SELECT id FROM events e WHERE e.start_utc > 5 - 604800"
		" AND e.start_utc + 60 * e.duration_min > 5 ORDER BY e.start_utc, e.id LIMIT 15",
		"SELECT count(*) FROM registrations WHERE person = 'n:a' AND ev_start > 5"
		" AND ev_end > 5",
		"SELECT event_id, status, seq FROM registrations WHERE person = 'n:a'"
		" AND ev_start > 5 AND ev_end > 5 ORDER BY ev_start, event_id LIMIT 15",
	};

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		char q[512];
		sqlite3_stmt *st;
		bool scan = false;

		snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql[i]);
		assert_int_equal(sqlite3_prepare_v2(f->db, q, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);

			if ((strncmp(d, "SCAN", 4) == 0 && strstr(d, "INDEX") == NULL) ||
			    strstr(d, "TEMP B-TREE") != NULL)
				scan = true;
		}
		sqlite3_finalize(st);
		if (scan)
			fail_msg("walks the table: %s", sql[i]);
	}
}

/*
 * Registrations moved to another event (an event becoming a series hands
 * them to its first occurrence) take that event's times: they are part of
 * the key a registration is found by, so the moved people are found there,
 * keep their places in line, and can withdraw.
 */
static void
test_moved_registrations_take_the_events_times(void **state)
{
	struct fixture *f = *state;
	long long from = new_event(f->db, DAY, 1, "a:org");
	long long to = new_event(f->db, 3 * DAY, 1, "a:org");
	struct ev_people promoted = { 0 };

	rsvp(f->db, from, "ann", EV_CONFIRMED, EV_CONFIRMED, NULL);
	rsvp(f->db, from, "bob", EV_CONFIRMED, EV_WAITLIST, NULL);
	rsvp(f->db, from, "cat", EV_CONFIRMED, EV_WAITLIST, NULL);
	assert_int_equal(model_series_adopt(f->db, from, to), 0);
	expect_consistent(f->db);
	expect_status(f->db, from, "ann", EV_NONE, 0);
	expect_status(f->db, to, "ann", EV_CONFIRMED, 0);
	expect_status(f->db, to, "cat", EV_WAITLIST, 2);
	/* Already there: no second row. */
	rsvp(f->db, to, "ann", EV_CONFIRMED, EV_CONFIRMED, NULL);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM registrations"), 3);
	rsvp(f->db, to, "ann", EV_NONE, EV_NONE, &promoted);
	assert_int_equal(promoted.n, 1);
	assert_string_equal(promoted.v[0].person, "n:bob");
	model_people_free(&promoted);
	expect_status(f->db, to, "cat", EV_WAITLIST, 1);
	expect_consistent(f->db);
}

/*
 * A store written before step 9 (the rowid table) keeps every row through
 * it: statuses, arrival numbers, counts and places in line; a row whose
 * event's times were stale gets them again; people are found and can
 * change their answer afterwards.
 */
static void
test_step9_keeps_the_rows(void **state)
{
	struct fixture *f = *state;
	struct ev_people promoted = { 0 };
	char path[] = "/tmp/test_events_step9.XXXXXX";
	sqlite3 *db = store_at_step(path, 8);

	(void)f;
	assert_int_equal(
	    sqlite3_exec(db,
	        "INSERT INTO events (id, uid, title, local_date,"
	        " local_time, tz, start_utc, capacity, created_at, updated_at) VALUES"
	        " (1, 'a', 'A', '2026-12-02', '18:00', 'UTC', 1795100000, 2, 0, 0),"
	        " (2, 'b', 'B', '2026-12-03', '18:00', 'UTC', 1795200000, 0, 0, 0);"
	        "INSERT INTO registrations (event_id, person, nick, status, seq, created_at) VALUES"
	        " (1, 'n:a', 'a', 'confirmed', 1, 7), (1, 'n:b', 'b', 'confirmed', 2, 7),"
	        " (1, 'n:c', 'c', 'waitlist', 3, 7), (1, 'n:d', 'd', 'maybe', 4, 7),"
	        " (1, 'n:e', 'e', 'waitlist', 5, 7), (2, 'n:a', 'a', 'maybe', 1, 7);"
	        "UPDATE registrations SET ev_start = 5 WHERE person = 'n:e';",
	        NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, model_schema[8], NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(query_int(db,
	                     "SELECT count(*) FROM registrations WHERE created_at = 7"),
	    6);
	assert_int_equal(query_int(db,
	                     "SELECT sum(seq * (status = 'waitlist')) * 10 + sum(seq)"
	                     " FROM registrations WHERE event_id = 1"),
	    80 + 15);
	assert_int_equal(query_int(db,
	                     "SELECT n_confirmed * 100 + n_maybe * 10 + n_waitlist"
	                     " FROM events WHERE id = 1"),
	    212);
	expect_consistent(db);
	expect_status(db, 1, "e", EV_WAITLIST, 2);
	expect_status(db, 2, "a", EV_MAYBE, 0);
	rsvp(db, 1, "a", EV_NONE, EV_NONE, &promoted);
	assert_int_equal(promoted.n, 1);
	assert_string_equal(promoted.v[0].person, "n:c");
	model_people_free(&promoted);
	rsvp(db, 1, "e", EV_CONFIRMED, EV_WAITLIST, NULL);
	expect_status(db, 1, "e", EV_WAITLIST, 1);
	expect_consistent(db);
	model_close(db);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	unlink(path);
}

static int
wal_frames(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	*(int *)arg = frames;
	return SQLITE_OK;
}

/*
 * On a large event, a withdrawal and the promotion it causes write few
 * pages: the commit's WAL frames are counted, not timed. 20,000 people
 * (keys in no particular order, as nicks come), the first 10,000
 * confirmed; 100 of them, spread over the event, withdraw in one
 * transaction, and each promotes the first in line. Each b-tree
 * ordered by person costs about a page per withdrawal or promotion here:
 * with the rowid table, its (event_id, person) key index and the (person,
 * ...) index of `mine` (schema before step 9), the commit wrote 405
 * frames; with the table itself ordered by person, 253.
 */
static void
test_withdrawals_write_few_pages(void **state)
{
	struct fixture *f = *state;
	long long id = new_event(f->db, 30 * DAY, 10000, "a:org");
	sqlite3_stmt *st;
	int frames = -1;

	assert_int_equal(sqlite3_exec(f->db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(f->db,
	                     "INSERT INTO registrations (event_id, person, nick, status,"
	                     " seq, created_at, ev_start, ev_end) SELECT id, ?, ?, ?, ?, 0,"
	                     " start_utc, start_utc + 60 * duration_min FROM events WHERE id = ?",
	                     -1, &st, NULL),
	    SQLITE_OK);
	for (unsigned i = 0; i < 20000; i++) {
		char person[32];

		snprintf(person, sizeof(person), "n:%08x", i * 2654435761u);
		sqlite3_bind_text(st, 1, person, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, person + 2, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, i < 10000 ? "confirmed" : "waitlist", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, i + 1);
		sqlite3_bind_int64(st, 5, id);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(f->db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)",
	                     NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_wal_hook(f->db, wal_frames, &frames);
	assert_int_equal(sqlite3_exec(f->db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	for (unsigned k = 0; k < 100; k++) {
		struct rsvp_result r;
		char person[32];

		snprintf(person, sizeof(person), "n:%08x", k * 97 * 2654435761u);
		assert_int_equal(model_rsvp(f->db, id, person, person + 2, EV_NONE, NOW, &r),
		    0);
		assert_int_equal(r.promoted.n, 1);
		model_people_free(&r.promoted);
	}
	assert_int_equal(sqlite3_exec(f->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_wal_hook(f->db, NULL, NULL);
	assert_int_equal(query_int(f->db,
	                     "SELECT n_confirmed * 100000 + n_waitlist FROM events"),
	    10000 * 100000 + 9900);
	assert_true(frames > 0 && frames < 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_event_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capacity_and_waitlist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdraw_promotes_first, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_capacity_raise_promotes_in_order,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_maybe_takes_no_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attendees_and_mine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_person_tz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_race_for_last_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reminders_rescheduled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_notices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts_kept_through_random_changes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts_kept_through_crash, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rsvp_answer_matches_the_rows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_counts_from_existing_rows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_counts_use_indexes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdrawals_write_few_pages, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_moved_registrations_take_the_events_times,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_step9_keeps_the_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_texts_in_a_second_language, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
