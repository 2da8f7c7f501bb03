/* store.c: the calendars plugin's SQL. See store.h. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "convene.h"
#include "cv_ical.h"
#include "sbuf.h"
#include "series_ics.h"

const char *const cal_schema[] = {
	/* 1: personal feed tokens. */
	"CREATE TABLE calendar_tokens ("
	" person TEXT PRIMARY KEY,"
	" token TEXT NOT NULL UNIQUE,"
	" created_at INTEGER NOT NULL);",
	/*
	 * 2: what was published where: per target (mode and URL) and resource,
	 * the server's ETag after our last write and a hash of what we wrote.
	 * conflict: the hash we could not write because the server's copy had
	 * changed (not tried again until ours changes); force: an owner chose
	 * to overwrite the server's copy.
	 */
	"CREATE TABLE calendar_published ("
	" target TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" etag TEXT,"
	" hash TEXT NOT NULL,"
	" conflict TEXT,"
	" force INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (target, name));",
	/*
	 * 3: the feeds of single events written under [calendars] dir: what
	 * each was rendered from (ics_event_input), its ETag and Last-Modified.
	 * A start compares instead of rendering and writing thousands of files,
	 * and the validators stay the same across restarts.
	 */
	"CREATE TABLE calendar_files ("
	" event_id INTEGER PRIMARY KEY,"
	" input INTEGER NOT NULL,"
	" etag TEXT NOT NULL,"
	" lastmod INTEGER NOT NULL);",
};
const size_t cal_schema_steps = sizeof(cal_schema) / sizeof(cal_schema[0]);

/* The events plugin's views, never its tables: see CV_EVENTS_VIEW. */
#define EVENT_COLUMNS CV_EVENTS_COLUMNS_SERIES
#define EVENT_NCOLUMNS 23
#define NOT_SERIES "repeat IS NULL"
/*
 * In the public feeds a series is always shown (one VEVENT for all its
 * occurrences), and so are all its occurrences: a cancelled one is its
 * EXDATE, a changed one its override (series_ics.c).
 */
#define SERIES_SHOWN " (rrule IS NOT NULL OR series_id IS NOT NULL OR" EVENT_SHOWN ")"

/* Shown: not ended, or ended recently and not cancelled. ?1 now, ?2 keep_past. */
#define EVENT_SHOWN                               \
	" (start_utc + 60 * duration_min > ?1 OR" \
	"  (status != 'cancelled' AND start_utc + 60 * duration_min > ?1 - ?2))"

static char *
col(sqlite3_stmt *st, int c)
{
	return cal_xstrdup((const char *)sqlite3_column_text(st, c));
}

static void
event_from_row(sqlite3_stmt *st, struct cal_event *e)
{
	const unsigned char *status = sqlite3_column_text(st, 12);

	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(st, 0);
	e->uid = col(st, 1);
	e->title = col(st, 2);
	e->description = col(st, 3);
	e->location = col(st, 4);
	e->url = col(st, 5);
	e->join_url = col(st, 6);
	e->channel = col(st, 7);
	e->cancel_reason = col(st, 8);
	e->tz = col(st, 9);
	e->start_utc = sqlite3_column_int64(st, 10);
	e->duration_min = sqlite3_column_int(st, 11);
	e->cancelled = status != NULL && strcmp((const char *)status, "cancelled") == 0;
	e->sequence = sqlite3_column_int64(st, 13);
	e->created_at = sqlite3_column_int64(st, 14);
	e->updated_at = sqlite3_column_int64(st, 15);
	e->purged = sqlite3_column_int(st, 16) != 0;
	e->capacity = sqlite3_column_int(st, 17);
	e->confirmed = sqlite3_column_int(st, 18);
	e->series_id = sqlite3_column_int64(st, 19);
	e->occ_date = col(st, 20);
	e->rrule = col(st, 22);
	if (e->uid == NULL)
		e->uid = cal_xstrdup("");
	if (e->tz == NULL)
		e->tz = cal_xstrdup("UTC");
}

/* Do the events plugin's views exist yet? It may load after us. */
static int
have_events(sqlite3 *db)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db,
	        "SELECT 1 FROM sqlite_master WHERE type = 'view'"
	        " AND name IN ('" CV_EVENTS_VIEW "', '" CV_REGISTRATIONS_VIEW "')",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = 0;
	while (sqlite3_step(st) == SQLITE_ROW)
		rc++;
	sqlite3_finalize(st);
	return rc == 2;
}

static enum cal_reg
reg_of(const unsigned char *s)
{
	if (s == NULL)
		return CAL_REG_NONE;
	if (strcmp((const char *)s, "confirmed") == 0)
		return CAL_REG_CONFIRMED;
	if (strcmp((const char *)s, "maybe") == 0)
		return CAL_REG_MAYBE;
	if (strcmp((const char *)s, "waitlist") == 0)
		return CAL_REG_WAITLIST;
	return CAL_REG_NONE;
}

static int
rows(sqlite3 *db, const char *sql, const char *person, long long now, long long keep_past,
    struct cal_event **out, size_t *n)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = have_events(db)) <= 0)
		return rc;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, keep_past);
	if (person != NULL)
		sqlite3_bind_text(st, 3, person, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cal_event *e;

		*out = cal_xrealloc(*out, (*n + 1) * sizeof(**out));
		e = &(*out)[(*n)++];
		event_from_row(st, e);
		if (person != NULL) {
			e->reg = reg_of(sqlite3_column_text(st, EVENT_NCOLUMNS));
			e->position = e->reg == CAL_REG_WAITLIST ?
			    sqlite3_column_int(st, EVENT_NCOLUMNS + 1) :
			    0;
		}
	}
	sqlite3_finalize(st);
	/*
	 * Events are shown through libical (include/cv_ical.h): without it (a
	 * broken install, logged) they cannot be, as when they cannot be read.
	 */
	if (rc != SQLITE_DONE || (*n > 0 && !cv_ical_ready())) {
		cal_events_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
cal_store_events(sqlite3 *db, long long now, long long keep_past, struct cal_event **out,
    size_t *n)
{
	int rc = rows(db,
	    "SELECT " EVENT_COLUMNS " FROM " CV_EVENTS_VIEW " WHERE" SERIES_SHOWN
	    " ORDER BY start_utc, id",
	    NULL, now, keep_past, out, n);

	if (rc == 0)
		cal_series_group(*out, n);
	return rc;
}

int
cal_store_upcoming(sqlite3 *db, long long now, size_t offset, size_t limit,
    struct cal_event **out, size_t *n, size_t *total)
{
	sqlite3_stmt *st;
	char sql[sizeof(EVENT_COLUMNS) + 200];
	int rc;

	*out = NULL;
	*n = *total = 0;
	if ((rc = have_events(db)) <= 0)
		return rc;
	if (sqlite3_prepare_v2(db,
	        "SELECT count(*) FROM " CV_EVENTS_VIEW " WHERE " NOT_SERIES
	        " AND start_utc + 60 * duration_min > ?1",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*total = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return -1;
	/* Numbers: no quoting to get wrong. */
	snprintf(sql, sizeof(sql),
	    "SELECT " EVENT_COLUMNS " FROM " CV_EVENTS_VIEW " WHERE " NOT_SERIES
	    " AND start_utc + 60 * duration_min > ?1"
	    " ORDER BY start_utc, id LIMIT %zu OFFSET %zu",
	    limit, offset);
	return rows(db, sql, NULL, now, 0, out, n);
}

int
cal_store_event(sqlite3 *db, long long id, long long now, long long keep_past,
    struct cal_event *out)
{
	struct cal_event *v;
	size_t n;
	char sql[sizeof(EVENT_COLUMNS) + sizeof(SERIES_SHOWN) + 160];

	/* The id is a number: no quoting to get wrong. A series comes whole. */
	snprintf(sql, sizeof(sql),
	    "SELECT " EVENT_COLUMNS " FROM " CV_EVENTS_VIEW
	    " WHERE (id = %lld OR series_id = %lld) AND" SERIES_SHOWN
	    " ORDER BY start_utc, id",
	    id, id);
	if (rows(db, sql, NULL, now, keep_past, &v, &n) == -1)
		return -1;
	cal_series_group(v, &n);
	if (n == 1)
		*out = v[0];
	free(v);
	return n == 1;
}

int
cal_store_person_events(sqlite3 *db, const char *person, long long now,
    long long keep_past, struct cal_event **out, size_t *n)
{
	/* r's columns renamed, so that the event's stay unqualified. */
	return rows(db,
	    "SELECT " EVENT_COLUMNS ", r.r_status,"
	    " (SELECT count(*) FROM " CV_REGISTRATIONS_VIEW " w WHERE w.event_id = r.r_event"
	    "  AND w.status = 'waitlist' AND w.seq <= r.r_seq)"
	    " FROM (SELECT event_id AS r_event, status AS r_status, seq AS r_seq"
	    "  FROM " CV_REGISTRATIONS_VIEW " WHERE person = ?3) r"
	    " JOIN " CV_EVENTS_VIEW " e ON e.id = r.r_event"
	    " WHERE" EVENT_SHOWN " ORDER BY start_utc, id",
	    person, now, keep_past, out, n);
}

/* Run sql with text ?1 and optional ?2 text, ?3 integer; 0 or -1. */
static int
exec3(sqlite3 *db, const char *sql, const char *a, const char *b, long long c)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	if (b != NULL)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, c);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* One text column of the row that `sql` finds for ?1 = key, into buf. 1, 0 or -1. */
static int
lookup(sqlite3 *db, const char *sql, const char *key, char *buf, size_t n)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
cal_token_get(sqlite3 *db, const char *person, char tok[CAL_TOKEN_LEN + 1])
{
	return lookup(db, "SELECT token FROM calendar_tokens WHERE person = ?1", person,
	    tok, CAL_TOKEN_LEN + 1);
}

int
cal_token_set(sqlite3 *db, const char *person, const char *tok, long long now)
{
	return exec3(db,
	    "INSERT INTO calendar_tokens (person, token, created_at)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (person) DO UPDATE SET"
	    " token = excluded.token, created_at = excluded.created_at",
	    person, tok, now);
}

int
cal_token_person(sqlite3 *db, const char *tok, char *buf, size_t n)
{
	return lookup(db, "SELECT person FROM calendar_tokens WHERE token = ?1", tok, buf,
	    n);
}

int
cal_token_delete(sqlite3 *db, const char *person)
{
	return exec3(db, "DELETE FROM calendar_tokens WHERE person = ?1", person, NULL, 0);
}

static bool
token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool
cal_token_valid(const char *tok)
{
	size_t i;

	for (i = 0; tok[i] != '\0'; i++)
		if (i >= CAL_TOKEN_LEN || !token_char(tok[i]))
			return false;
	return i == CAL_TOKEN_LEN;
}

int
cal_token_new(char tok[CAL_TOKEN_LEN + 1])
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char r[33]; /* 32 random bytes and a zero pad for the last group */
	size_t got = 0, o = 0;

	while (got < 32) {
		ssize_t k = getrandom(r + got, 32 - got, 0);

		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	r[32] = 0;
	/* 32 bytes: ten groups of three, then two bytes giving three characters. */
	for (size_t i = 0; i < 33; i += 3) {
		unsigned v = (unsigned)r[i] << 16 | (unsigned)r[i + 1] << 8 |
		    (i + 2 < 33 ? r[i + 2] : 0);

		tok[o++] = b64[v >> 18 & 63];
		tok[o++] = b64[v >> 12 & 63];
		tok[o++] = b64[v >> 6 & 63];
		if (o < CAL_TOKEN_LEN)
			tok[o++] = b64[v & 63];
	}
	tok[CAL_TOKEN_LEN] = '\0';
	explicit_bzero(r, sizeof(r));
	return 0;
}

/* ---- what was published ---- */

void
cal_pub_row_clear(struct cal_pub_row *r)
{
	free(r->name);
	free(r->etag);
	free(r->hash);
	free(r->conflict);
	memset(r, 0, sizeof(*r));
}

void
cal_pub_rows_free(struct cal_pub_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cal_pub_row_clear(&v[i]);
	free(v);
}

int
cal_pub_rows(sqlite3 *db, const char *target, struct cal_pub_row **out, size_t *n)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db,
	        "SELECT name, etag, hash, conflict, force"
	        " FROM calendar_published WHERE target = ?1 ORDER BY name",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, target, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cal_pub_row *r;

		*out = cal_xrealloc(*out, (*n + 1) * sizeof(**out));
		r = &(*out)[(*n)++];
		r->name = col(st, 0);
		r->etag = col(st, 1);
		r->hash = col(st, 2);
		r->conflict = col(st, 3);
		r->force = sqlite3_column_int(st, 4) != 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cal_pub_rows_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* Bind ?1.. from a list of texts (NULL binds NULL) and run. 0 or -1. */
static int
exec_texts(sqlite3 *db, const char *sql, size_t n, const char *const *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == NULL)
			sqlite3_bind_null(st, (int)i + 1);
		else
			sqlite3_bind_text(st, (int)i + 1, v[i], -1, SQLITE_TRANSIENT);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
cal_pub_written(sqlite3 *db, const char *target, const char *name, const char *etag,
    const char *hash)
{
	return exec_texts(db,
	    "INSERT INTO calendar_published (target, name, etag, hash)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (target, name) DO UPDATE SET"
	    " etag = excluded.etag, hash = excluded.hash, conflict = NULL, force = 0",
	    4, (const char *[]){ target, name, etag, hash });
}

int
cal_pub_removed(sqlite3 *db, const char *target, const char *name)
{
	return exec_texts(db,
	    "DELETE FROM calendar_published WHERE target = ?1 AND name = ?2", 2,
	    (const char *[]){ target, name });
}

int
cal_pub_conflict(sqlite3 *db, const char *target, const char *name, const char *hash)
{
	/* A resource never written by us has no row yet: keep the conflict anyway. */
	return exec_texts(db,
	    "INSERT INTO calendar_published (target, name, etag, hash, conflict)"
	    " VALUES (?1, ?2, NULL, '', ?3) ON CONFLICT (target, name) DO UPDATE SET"
	    " conflict = excluded.conflict, force = 0",
	    3, (const char *[]){ target, name, hash });
}

int
cal_pub_overwrite(sqlite3 *db, const char *target, int *n)
{
	if (exec_texts(db,
	        "UPDATE calendar_published SET conflict = NULL, force = 1"
	        " WHERE target = ?1 AND conflict IS NOT NULL",
	        1, (const char *[]){ target }) == -1)
		return -1;
	*n = sqlite3_changes(db);
	return 0;
}

/* ---- the files of single events ---- */

int
cal_files_load(sqlite3 *db, struct cal_file_row **out, size_t *n)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db,
	        "SELECT event_id, input, etag, lastmod FROM calendar_files"
	        " ORDER BY event_id",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cal_file_row *r;

		*out = cal_xrealloc(*out, (*n + 1) * sizeof(**out));
		r = &(*out)[(*n)++];
		r->event_id = sqlite3_column_int64(st, 0);
		r->input = (uint64_t)sqlite3_column_int64(st, 1);
		snprintf(r->etag, sizeof(r->etag), "%s",
		    (const char *)sqlite3_column_text(st, 2));
		r->lastmod = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
cal_files_put(sqlite3 *db, const struct cal_file_row *r)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db,
	        "INSERT OR REPLACE INTO calendar_files (event_id, input, etag,"
	        " lastmod) VALUES (?1, ?2, ?3, ?4)",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, r->event_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)r->input);
	sqlite3_bind_text(st, 3, r->etag, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, r->lastmod);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
cal_files_delete(sqlite3 *db, long long event_id)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "DELETE FROM calendar_files WHERE event_id = ?1", -1,
	        &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, event_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
