/*
 * model.c: the events plugin's storage: the schema and events themselves;
 * the statement cache is in model_stmt.c, registrations in model_reg.c,
 * people, notices and retention in model_people.c. See model.h.
 */
#include "model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "convene.h"
#include "model_int.h"
#include "model_series.h"

/* Kept by triggers since step 4, created again by step 9. */
#define CREATE_REG_COUNTS                                                                       \
	"CREATE TRIGGER registrations_count_insert AFTER INSERT ON registrations BEGIN"         \
	" UPDATE events SET n_confirmed = n_confirmed + (new.status = 'confirmed'),"            \
	"  n_maybe = n_maybe + (new.status = 'maybe'),"                                         \
	"  n_waitlist = n_waitlist + (new.status = 'waitlist'),"                                \
	"  last_seq = max(last_seq, new.seq)"                                                   \
	" WHERE id = new.event_id; END;"                                                        \
	"CREATE TRIGGER registrations_last_seq AFTER UPDATE OF event_id, seq ON registrations"  \
	" BEGIN UPDATE events SET last_seq = new.seq"                                           \
	"  WHERE id = new.event_id AND last_seq < new.seq; END;"                                \
	"CREATE TRIGGER registrations_count_delete AFTER DELETE ON registrations BEGIN"         \
	" UPDATE events SET n_confirmed = n_confirmed - (old.status = 'confirmed'),"            \
	"  n_maybe = n_maybe - (old.status = 'maybe'),"                                         \
	"  n_waitlist = n_waitlist - (old.status = 'waitlist')"                                 \
	" WHERE id = old.event_id; END;"                                                        \
	"CREATE TRIGGER registrations_count_update AFTER UPDATE OF event_id, status"            \
	" ON registrations WHEN old.event_id != new.event_id OR old.status != new.status BEGIN" \
	" UPDATE events SET n_confirmed = n_confirmed - (old.status = 'confirmed'),"            \
	"  n_maybe = n_maybe - (old.status = 'maybe'),"                                         \
	"  n_waitlist = n_waitlist - (old.status = 'waitlist')"                                 \
	" WHERE id = old.event_id;"                                                             \
	" UPDATE events SET n_confirmed = n_confirmed + (new.status = 'confirmed'),"            \
	"  n_maybe = n_maybe + (new.status = 'maybe'),"                                         \
	"  n_waitlist = n_waitlist + (new.status = 'waitlist')"                                 \
	" WHERE id = new.event_id; END;"
#define CREATE_EVENTS_TIMES                                                                  \
	"CREATE TRIGGER events_times AFTER UPDATE OF start_utc, duration_min ON events"      \
	" WHEN old.start_utc != new.start_utc OR old.duration_min != new.duration_min BEGIN" \
	" UPDATE registrations SET ev_start = new.start_utc,"                                \
	"  ev_end = new.start_utc + 60 * new.duration_min WHERE event_id = new.id; END;"
#define CREATE_REG_VIEW                                                                  \
	"CREATE VIEW " CV_REGISTRATIONS_VIEW " (" CV_REGISTRATIONS_COLUMNS ") AS SELECT" \
	" event_id, person, status, seq FROM registrations"

const char *const model_schema[] = {
	/* 1: events, registrations, people. */
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT," /* ids are never reused */
	" uid TEXT NOT NULL UNIQUE,"
	" title TEXT NOT NULL,"
	" description TEXT, location TEXT, url TEXT, join_url TEXT, channel TEXT,"
	" local_date TEXT NOT NULL, local_time TEXT NOT NULL, tz TEXT NOT NULL,"
	" start_utc INTEGER NOT NULL,"
	" duration_min INTEGER NOT NULL DEFAULT 60 CHECK (duration_min BETWEEN 1 AND 10080),"
	" capacity INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),"
	" status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),"
	" cancel_reason TEXT,"
	" sequence INTEGER NOT NULL DEFAULT 0,"
	" created_by TEXT,"
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX events_start ON events(start_utc);"
	"CREATE INDEX events_creator ON events(created_by);"
	"CREATE TABLE registrations ("
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	" person TEXT NOT NULL,"
	" nick TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('confirmed', 'maybe', 'waitlist')),"
	" seq INTEGER NOT NULL," /* arrival order within the event */
	" created_at INTEGER NOT NULL,"
	" PRIMARY KEY (event_id, person));"
	"CREATE INDEX registrations_person ON registrations(person);"
	"CREATE TABLE people ("
	" person TEXT PRIMARY KEY,"
	" nick TEXT NOT NULL,"
	" tz TEXT);",
	/*
	 * 2: reminders, notices kept for people who were away, retention.
	 * reminders_from: reminders due before it (creation, or the last move
	 * of the start) are not sent. kept_*: the anonymous counts left once
	 * the registrations are purged.
	 */
	"ALTER TABLE events ADD COLUMN reminders_from INTEGER NOT NULL DEFAULT 0;"
	"UPDATE events SET reminders_from = updated_at;"
	"ALTER TABLE events ADD COLUMN purged INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE events ADD COLUMN kept_confirmed INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE events ADD COLUMN kept_maybe INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE events ADD COLUMN kept_waitlist INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE people ADD COLUMN reminders INTEGER NOT NULL DEFAULT 1;"
	/* One row per reminder sent: (event, offset, the start it was for). */
	"CREATE TABLE reminders_sent ("
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	" offset_s INTEGER NOT NULL,"
	" start_utc INTEGER NOT NULL,"
	" sent_at INTEGER NOT NULL,"
	" PRIMARY KEY (event_id, offset_s, start_utc));"
	"CREATE TABLE pending_notices ("
	" id INTEGER PRIMARY KEY,"
	" person TEXT NOT NULL,"
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	" text TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL);"
	/* Counts by status and the next arrival number without reading every row. */
	"CREATE INDEX registrations_event_status ON registrations(event_id, status, seq);"
	"CREATE INDEX registrations_event_seq ON registrations(event_id, seq);"
	"CREATE INDEX pending_person ON pending_notices(person);"
	"CREATE INDEX pending_event ON pending_notices(event_id);",
	/*
	 * 3: imported events keep the UID they had in their calendar (and where
	 * it came from, without query or user info), so a second import skips
	 * them. UIDs are globally unique (RFC 5545), so the same event reached
	 * through another link is skipped too.
	 */
	"ALTER TABLE events ADD COLUMN source_uid TEXT;"
	"ALTER TABLE events ADD COLUMN source_url TEXT;"
	"CREATE UNIQUE INDEX events_source ON events(source_uid) WHERE source_uid IS NOT NULL;",
	/*
	 * 4: counts kept in the event's row, so reading an event costs the same
	 * with 10 or 100,000 registrations. Triggers keep them: they run inside
	 * the statement that changes a registration, so the counts commit, roll
	 * back and survive a crash with it, whoever writes the table. Existing
	 * rows are counted once here. events_end serves the upcoming list and
	 * its count; events_unpurged the retention scan. Each registration also
	 * carries its event's start and end (kept by triggers), so a person's
	 * upcoming registrations come in order from one index: `mine` reads the
	 * lines it shows, not their whole history. That index leads with the
	 * person and replaces registrations_person. last_seq, the highest
	 * arrival number given, replaces max(seq) and its index: one index
	 * fewer to write per registration.
	 */
	"ALTER TABLE events ADD COLUMN n_confirmed INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE events ADD COLUMN n_maybe INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE events ADD COLUMN n_waitlist INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE events ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;"
	"UPDATE events SET"
	" last_seq = coalesce((SELECT max(r.seq) FROM registrations r"
	"  WHERE r.event_id = events.id), 0),"
	" n_confirmed = (SELECT count(*) FROM registrations r"
	"  WHERE r.event_id = events.id AND r.status = 'confirmed'),"
	" n_maybe = (SELECT count(*) FROM registrations r"
	"  WHERE r.event_id = events.id AND r.status = 'maybe'),"
	" n_waitlist = (SELECT count(*) FROM registrations r"
	"  WHERE r.event_id = events.id AND r.status = 'waitlist');" CREATE_REG_COUNTS
	"ALTER TABLE registrations ADD COLUMN ev_start INTEGER;"
	"ALTER TABLE registrations ADD COLUMN ev_end INTEGER;"
	"UPDATE registrations SET"
	" ev_start = (SELECT e.start_utc FROM events e WHERE e.id = registrations.event_id),"
	" ev_end = (SELECT e.start_utc + 60 * e.duration_min FROM events e"
	"  WHERE e.id = registrations.event_id);"
	"CREATE TRIGGER registrations_times AFTER INSERT ON registrations"
	" WHEN new.ev_start IS NULL OR new.ev_end IS NULL BEGIN"
	" UPDATE registrations SET"
	"  ev_start = (SELECT e.start_utc FROM events e WHERE e.id = new.event_id),"
	"  ev_end = (SELECT e.start_utc + 60 * e.duration_min FROM events e"
	"   WHERE e.id = new.event_id)"
	" WHERE rowid = new.rowid; END;" CREATE_EVENTS_TIMES
	"DROP INDEX registrations_person;"
	"DROP INDEX registrations_event_seq;"
	"CREATE INDEX registrations_person_start"
	" ON registrations(person, ev_start, event_id, ev_end, status, seq);"
	"CREATE INDEX events_end ON events(start_utc + 60 * duration_min);"
	"CREATE INDEX events_unpurged ON events(start_utc) WHERE purged = 0;",
	/*
	 * 5: what other plugins may read (CV_EVENTS_VIEW in include/convene.h,
	 * which documents each column): views, so these tables can change
	 * while the views keep their columns.
	 */
	"CREATE VIEW " CV_EVENTS_VIEW " (" CV_EVENTS_COLUMNS ") AS SELECT"
	" id, uid, title, description, location, url, join_url, channel, cancel_reason, tz,"
	" start_utc, duration_min, status, sequence, created_at, updated_at, purged, capacity,"
	" n_confirmed FROM events;" CREATE_REG_VIEW ";",
	/*
	 * 6: a second version of a text field in another language (`event set
	 * N title.fr TEXT`): the event's own column stays the original, shown
	 * to anyone whose language has no version here. Read by other plugins
	 * through CV_EVENT_TEXTS_VIEW.
	 */
	"CREATE TABLE event_texts ("
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	" lang TEXT NOT NULL CHECK (lang IN ('en', 'fr')),"
	" field TEXT NOT NULL CHECK (field IN ('title', 'description', 'location')),"
	" text TEXT NOT NULL,"
	" PRIMARY KEY (event_id, lang, field)) WITHOUT ROWID;"
	"CREATE VIEW " CV_EVENT_TEXTS_VIEW " (" CV_EVENT_TEXTS_COLUMNS ") AS SELECT"
	" event_id, lang, field, text FROM event_texts;",
	/* 7: series (model_series.h). */
	MODEL_SCHEMA_SERIES,
	/* 8: what occurrences changed alone (model_series.h). */
	MODEL_SCHEMA_OWN,
	/*
	 * 9: one b-tree ordered by person instead of two. The rowid table had
	 * its (event_id, person) key in an index of its own beside the
	 * (person, ev_start, ...) index of `mine`, so on a large event a
	 * withdrawal or a newcomer wrote a leaf page of each, far apart. The
	 * table is now that person-ordered tree itself (WITHOUT ROWID), and a
	 * registration is found by (person, ev_start, event_id): every row of
	 * an event carries the event's start (kept by the triggers), so the
	 * key is unique per (event_id, person) as before. A row inserted
	 * without its event's times gets them from the event (BEFORE INSERT:
	 * a key column cannot be filled in afterwards); a row moved to another
	 * event takes that event's times.
	 */
	"DROP VIEW " CV_REGISTRATIONS_VIEW ";"
	"DROP TRIGGER events_times;"
	"CREATE TABLE registrations_new ("
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	" person TEXT NOT NULL,"
	" nick TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('confirmed', 'maybe', 'waitlist')),"
	" seq INTEGER NOT NULL," /* arrival order within the event */
	" created_at INTEGER NOT NULL,"
	" ev_start INTEGER NOT NULL," /* the event's start_utc */
	" ev_end INTEGER NOT NULL,"   /* and its end */
	" PRIMARY KEY (person, ev_start, event_id)) WITHOUT ROWID;"
	"INSERT INTO registrations_new SELECT r.event_id, r.person, r.nick, r.status, r.seq,"
	" r.created_at, e.start_utc, e.start_utc + 60 * e.duration_min"
	" FROM registrations r JOIN events e ON e.id = r.event_id;"
	"DROP TABLE registrations;"
	"ALTER TABLE registrations_new RENAME TO registrations;"
	"CREATE INDEX registrations_event_status ON registrations(event_id, status, seq);" CREATE_REG_COUNTS
	"CREATE TRIGGER registrations_times BEFORE INSERT ON registrations"
	" WHEN new.ev_start IS NULL OR new.ev_end IS NULL BEGIN"
	" INSERT INTO registrations"
	"  (event_id, person, nick, status, seq, created_at, ev_start, ev_end)"
	"  VALUES (new.event_id, new.person, new.nick, new.status, new.seq, new.created_at,"
	"  (SELECT e.start_utc FROM events e WHERE e.id = new.event_id),"
	"  (SELECT e.start_utc + 60 * e.duration_min FROM events e WHERE e.id = new.event_id));"
	" SELECT RAISE(IGNORE); END;"
	"CREATE TRIGGER registrations_moved AFTER UPDATE OF event_id ON registrations"
	" WHEN old.event_id != new.event_id BEGIN"
	" UPDATE registrations SET"
	"  ev_start = (SELECT e.start_utc FROM events e WHERE e.id = new.event_id),"
	"  ev_end = (SELECT e.start_utc + 60 * e.duration_min FROM events e"
	"   WHERE e.id = new.event_id)"
	" WHERE person = new.person AND ev_start = new.ev_start AND event_id = new.event_id;"
	" END;" CREATE_EVENTS_TIMES CREATE_REG_VIEW ";",
};
const size_t model_schema_steps = sizeof(model_schema) / sizeof(model_schema[0]);

char *
xstrdup_or_null(const char *s)
{
	size_t len;

	if (s == NULL)
		return NULL;
	len = strlen(s) + 1;
	return memcpy(xrealloc(NULL, len), s, len);
}

static const char *const status_names[] = {
	[EV_NONE] = "not registered",
	[EV_CONFIRMED] = "confirmed",
	[EV_MAYBE] = "maybe",
	[EV_WAITLIST] = "waitlist",
};

const char *
model_status_name(enum ev_status s)
{
	return status_names[s];
}

enum ev_status
status_of(const unsigned char *s)
{
	for (int i = EV_CONFIRMED; i <= EV_WAITLIST; i++)
		if (s != NULL && strcmp((const char *)s, status_names[i]) == 0)
			return (enum ev_status)i;
	return EV_NONE;
}

void
model_event_clear(struct ev_event *e)
{
	free(e->title);
	free(e->description);
	free(e->location);
	free(e->url);
	free(e->join_url);
	free(e->channel);
	free(e->cancel_reason);
	free(e->created_by);
	memset(e, 0, sizeof(*e));
}

int
model_places_left(const struct ev_event *e)
{
	if (e->capacity == 0)
		return -1;
	return e->capacity > e->n_confirmed ? e->capacity - e->n_confirmed : 0;
}

void
people_add(struct ev_people *l, long long event_id, const unsigned char *person,
    const unsigned char *nick)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n].event_id = event_id;
	l->v[l->n].person = xstrdup_or_null((const char *)person);
	l->v[l->n].nick = xstrdup_or_null((const char *)nick);
	l->n++;
}

void
model_people_free(struct ev_people *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].person);
		free(l->v[i].nick);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
copy_text(char *dst, size_t n, const unsigned char *s)
{
	snprintf(dst, n, "%s", s != NULL ? (const char *)s : "");
}

/* Fill e from the EVENT_COLUMNS of a row, starting at column c. */
static void
event_from_row(sqlite3_stmt *st, int c, struct ev_event *e)
{
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(st, c + 0);
	copy_text(e->uid, sizeof(e->uid), sqlite3_column_text(st, c + 1));
	e->title = xstrdup_or_null((const char *)sqlite3_column_text(st, c + 2));
	e->description = xstrdup_or_null((const char *)sqlite3_column_text(st, c + 3));
	e->location = xstrdup_or_null((const char *)sqlite3_column_text(st, c + 4));
	e->url = xstrdup_or_null((const char *)sqlite3_column_text(st, c + 5));
	e->join_url = xstrdup_or_null((const char *)sqlite3_column_text(st, c + 6));
	e->channel = xstrdup_or_null((const char *)sqlite3_column_text(st, c + 7));
	e->cancel_reason = xstrdup_or_null((const char *)sqlite3_column_text(st, c + 8));
	e->created_by = xstrdup_or_null((const char *)sqlite3_column_text(st, c + 9));
	copy_text(e->local_date, sizeof(e->local_date), sqlite3_column_text(st, c + 10));
	copy_text(e->local_time, sizeof(e->local_time), sqlite3_column_text(st, c + 11));
	copy_text(e->tz, sizeof(e->tz), sqlite3_column_text(st, c + 12));
	e->start_utc = sqlite3_column_int64(st, c + 13);
	e->duration_min = sqlite3_column_int(st, c + 14);
	e->capacity = sqlite3_column_int(st, c + 15);
	e->cancelled = sqlite3_column_text(st, c + 16) != NULL &&
	    strcmp((const char *)sqlite3_column_text(st, c + 16), "cancelled") == 0;
	e->sequence = sqlite3_column_int64(st, c + 17);
	e->created_at = sqlite3_column_int64(st, c + 18);
	e->updated_at = sqlite3_column_int64(st, c + 19);
	e->n_confirmed = sqlite3_column_int(st, c + 20);
	e->n_maybe = sqlite3_column_int(st, c + 21);
	e->n_waitlist = sqlite3_column_int(st, c + 22);
	e->reminders_from = sqlite3_column_int64(st, c + 23);
	e->purged = sqlite3_column_int(st, c + 24) != 0;
	e->series_id = sqlite3_column_int64(st, c + 25);
	copy_text(e->occ_date, sizeof(e->occ_date), sqlite3_column_text(st, c + 26));
	e->is_series = sqlite3_column_int(st, c + 27) != 0;
}

/* 32 hex digits from the kernel's random source. */
static int
random_uid(char out[33])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);

		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

int
model_event_insert(sqlite3 *db, struct ev_event *e, time_t now)
{
	if (random_uid(e->uid) == -1)
		return -1;
	if (run(prep(db,
	        "INSERT INTO events (uid, title, description, location, url,"
	        " join_url, channel, local_date, local_time, tz, start_utc, duration_min,"
	        " capacity, status, sequence, created_by, created_at, updated_at, reminders_from)"
	        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 0, ?, ?, ?, ?)",
	        "ttttttttttiiitiii", e->uid, e->title, e->description, e->location,
	        e->url, e->join_url, e->channel, e->local_date, e->local_time, e->tz,
	        e->start_utc, (long long)e->duration_min, (long long)e->capacity,
	        e->created_by, (long long)now, (long long)now, (long long)now)) == -1)
		return -1;
	e->id = sqlite3_last_insert_rowid(db);
	e->sequence = 0;
	e->created_at = e->updated_at = e->reminders_from = now;
	return 0;
}

int
model_event_get(sqlite3 *db, long long id, struct ev_event *e)
{
	sqlite3_stmt *st =
	    prep(db, "SELECT " EVENT_COLUMNS " FROM events e WHERE e.id = ?", "i", id);
	int rc;

	memset(e, 0, sizeof(*e));
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		event_from_row(st, 0, e);
	done(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? MODEL_ENOENT : -1;
}

/* Collect every row of a query of EVENT_COLUMNS. */
int
event_rows(sqlite3_stmt *st, struct ev_event **out, size_t *n)
{
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		event_from_row(st, 0, &(*out)[(*n)++]);
	}
	done(st);
	if (rc != SQLITE_DONE) {
		model_events_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
model_events_upcoming(sqlite3 *db, time_t now, struct ev_event **out, size_t *n)
{
	return event_rows(prep(db,
	                      "SELECT " EVENT_COLUMNS " FROM events e"
	                      " WHERE e.start_utc + 60 * e.duration_min > ?1" SERIES_ONCE
	                      " ORDER BY e.start_utc, e.id",
	                      "i", (long long)now),
	    out, n);
}

int
model_events_upcoming_first(sqlite3 *db, time_t now, size_t limit, struct ev_event **out,
    size_t *n, size_t *total)
{
	long long count;

	/*
	 * Events last at most 7 days (duration_min's CHECK): the start index
	 * from a week back holds every event that has not ended, in order.
	 */
	if (one_int(prep(db,
	                "SELECT count(*) FROM events e"
	                " WHERE e.start_utc + 60 * e.duration_min > ?1" SERIES_ONCE,
	                "i", (long long)now),
	        0, &count) == -1)
		return -1;
	*total = (size_t)count;
	return event_rows(
	    prep(db,
	        "SELECT " EVENT_COLUMNS " FROM events e"
	        " WHERE e.start_utc > ?1 - 604800 AND e.start_utc + 60 * e.duration_min > ?1" SERIES_ONCE
	        " ORDER BY e.start_utc, e.id LIMIT ?2",
	        "ii", (long long)now, (long long)limit),
	    out, n);
}

int
model_events_all(sqlite3 *db, struct ev_event **out, size_t *n)
{
	return event_rows(prep(db, "SELECT " EVENT_COLUMNS " FROM events e ORDER BY e.id",
	                      ""),
	    out, n);
}

void
model_events_free(struct ev_event *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		model_event_clear(&v[i]);
	free(v);
}

/* Run an UPDATE of one event: MODEL_ENOENT when it changed no row. */
int
update_one(sqlite3 *db, sqlite3_stmt *st)
{
	if (run(st) == -1)
		return -1;
	return sqlite3_changes(db) == 1 ? 0 : MODEL_ENOENT;
}

int
model_event_set_text(sqlite3 *db, long long id, enum ev_field f, const char *value,
    time_t now)
{
	/* Column names come from this table only, never from input. */
	static const char *const sql[] = {
		[EV_FIELD_TITLE] = "UPDATE events SET title = ?",
		[EV_FIELD_DESCRIPTION] = "UPDATE events SET description = ?",
		[EV_FIELD_LOCATION] = "UPDATE events SET location = ?",
		[EV_FIELD_URL] = "UPDATE events SET url = ?",
		[EV_FIELD_JOIN] = "UPDATE events SET join_url = ?",
		[EV_FIELD_CHANNEL] = "UPDATE events SET channel = ?",
	};
	char q[160];

	if (f == EV_FIELD_TITLE && value == NULL)
		return -1;
	snprintf(q, sizeof(q), "%s, sequence = sequence + 1, updated_at = ? WHERE id = ?",
	    sql[f]);
	return update_one(db, prep(db, q, "tii", value, (long long)now, id));
}

int
model_event_set_start(sqlite3 *db, long long id, const char *date, const char *time,
    const char *tz, long long start_utc, time_t now)
{
	/* A new instant schedules the reminders again, from now on. */
	return update_one(db,
	    prep(db,
	        "UPDATE events SET local_date = ?, local_time = ?,"
	        " tz = ?, reminders_from = CASE WHEN start_utc = ?4 THEN reminders_from ELSE ?5 END,"
	        " start_utc = ?4, sequence = sequence + 1, updated_at = ?5 WHERE id = ?6",
	        "tttiii", date, time, tz, start_utc, (long long)now, id));
}

int
model_event_set_duration(sqlite3 *db, long long id, int minutes, time_t now)
{
	return update_one(db,
	    prep(db,
	        "UPDATE events SET duration_min = ?,"
	        " sequence = sequence + 1, updated_at = ? WHERE id = ?",
	        "iii", (long long)minutes, (long long)now, id));
}

int
model_event_restamp(sqlite3 *db, long long id, long long start_utc, time_t now)
{
	if (run(prep(db,
	        "UPDATE events SET start_utc = ?, sequence = sequence + 1,"
	        " updated_at = ? WHERE id = ? AND start_utc != ?",
	        "iiii", start_utc, (long long)now, id, start_utc)) == -1)
		return -1;
	return 0;
}

int
model_event_cancel(sqlite3 *db, long long id, const char *reason, time_t now)
{
	return update_one(db,
	    prep(db,
	        "UPDATE events SET status = 'cancelled',"
	        " cancel_reason = ?, sequence = sequence + 1, updated_at = ? WHERE id = ?",
	        "tii", reason, (long long)now, id));
}
