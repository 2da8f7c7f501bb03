/*
 * test_events_view.c: the events plugin's data that the calendars plugin
 * reads (CV_EVENTS_VIEW, CV_REGISTRATIONS_VIEW in include/convene.h). The
 * events plugin's real migrations on a fresh SQLite file must give views
 * with exactly the documented columns, and the calendars plugin's real
 * queries must run on them: a change to the events tables that does not
 * keep the views fails here, not in a feed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "convene.h"
#include "../../plugins/calendars/store.h"
#include "../../plugins/events/model.h"

static sqlite3 *
open_db(char *path)
{
	sqlite3 *db;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t i = 0; i < model_schema_steps; i++)
		assert_int_equal(sqlite3_exec(db, model_schema[i], NULL, NULL, NULL),
		    SQLITE_OK);
	return db;
}

/* The view's columns as "a, b, c", in order, from PRAGMA table_info. */
static void
columns_of(sqlite3 *db, const char *view, char *out, size_t n)
{
	char sql[128];
	sqlite3_stmt *st;
	size_t len = 0;

	snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", view);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		int w = snprintf(out + len, n - len, "%s%s", len > 0 ? ", " : "",
		    (const char *)sqlite3_column_text(st, 1));

		assert_true(w > 0 && (size_t)w < n - len);
		len += (size_t)w;
	}
	sqlite3_finalize(st);
}

/* The documented list, its line breaks and doubled spaces taken out. */
static void
documented(const char *list, char *out, size_t n)
{
	size_t len = 0;

	for (const char *p = list; *p != '\0' && len + 1 < n; p++) {
		if (*p == ' ' && (len == 0 || out[len - 1] == ' '))
			continue;
		out[len++] = *p;
	}
	out[len] = '\0';
}

static void
test_views_have_the_documented_columns(void **state)
{
	char path[] = "/tmp/test_events_view_XXXXXX";
	sqlite3 *db = open_db(path);
	char got[1024], want[1024];

	(void)state;
	columns_of(db, CV_EVENTS_VIEW, got, sizeof got);
	documented(CV_EVENTS_COLUMNS_SERIES, want, sizeof want);
	assert_string_equal(got, want);
	columns_of(db, CV_REGISTRATIONS_VIEW, got, sizeof got);
	documented(CV_REGISTRATIONS_COLUMNS, want, sizeof want);
	assert_string_equal(got, want);
	columns_of(db, CV_EVENT_TEXTS_VIEW, got, sizeof got);
	documented(CV_EVENT_TEXTS_COLUMNS, want, sizeof want);
	assert_string_equal(got, want);
	model_close(db);
	sqlite3_close(db);
	unlink(path);
}

static long long
add(sqlite3 *db, const char *title, long long start, int capacity, time_t now)
{
	struct ev_event e;

	memset(&e, 0, sizeof e);
	e.title = (char *)title;
	e.location = (char *)"Room 1";
	snprintf(e.local_date, sizeof e.local_date, "2033-05-18");
	snprintf(e.local_time, sizeof e.local_time, "10:00");
	snprintf(e.tz, sizeof e.tz, "Europe/Berlin");
	e.start_utc = start;
	e.duration_min = 90;
	e.capacity = capacity;
	e.channel = (char *)"#events";
	assert_int_equal(model_event_insert(db, &e, now), 0);
	return e.id;
}

static void
rsvp(sqlite3 *db, long long id, const char *person, enum ev_status want, time_t now)
{
	struct rsvp_result r;

	assert_int_equal(model_rsvp(db, id, person, person + 2, want, now, &r), 0);
	model_people_free(&r.promoted);
}

/*
 * Reads of the events plugin's tables are refused unless a view makes
 * them (SQLite names the view responsible in the last argument).
 */
static int
views_only(void *arg, int action, const char *a, const char *b, const char *db,
    const char *view)
{
	int *direct = arg;

	if (action == SQLITE_READ && a != NULL && view == NULL &&
	    (strcmp(a, "events") == 0 || strcmp(a, "registrations") == 0)) {
		(*direct)++;
		return SQLITE_DENY;
	}
	return SQLITE_OK;
}

/* Every query of plugins/calendars/store.c, on what the events plugin wrote. */
static void
test_calendars_queries_read_the_views(void **state)
{
	char path[] = "/tmp/test_events_view_XXXXXX";
	sqlite3 *db = open_db(path);
	const long long now = 2000000000, keep = 30 * 86400;
	long long a, b;
	struct cal_event *v, e;
	size_t n, total;
	int direct = 0;

	(void)state;
	/* No calendars tables: the views alone must be enough. */
	a = add(db, "Full", now + 3600, 1, now - 100);
	b = add(db, "Dropped", now + 7200, 0, now - 100);
	rsvp(db, a, "n:alice", EV_CONFIRMED, now - 50);
	rsvp(db, a, "n:bob", EV_CONFIRMED, now - 40);   /* waitlist 1 */
	rsvp(db, a, "n:carol", EV_CONFIRMED, now - 30); /* waitlist 2 */
	rsvp(db, b, "n:carol", EV_MAYBE, now - 20);
	assert_int_equal(model_event_cancel(db, b, "rain", now - 10), 0);
	assert_int_equal(model_text_set(db, a, "fr", "title", "Complet", now - 5), 0);
	assert_int_equal(model_text_set(db, b, "en", "title", "Other", now - 5), 0);
	/* From here on, only through the views. */
	assert_int_equal(sqlite3_set_authorizer(db, views_only, &direct), SQLITE_OK);

	assert_int_equal(cal_store_events(db, now, keep, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, a);
	assert_string_equal(v[0].title, "Full");
	assert_string_equal(v[0].location, "Room 1");
	assert_string_equal(v[0].tz, "Europe/Berlin");
	assert_int_equal(v[0].start_utc, now + 3600);
	assert_int_equal(v[0].duration_min, 90);
	assert_int_equal(v[0].capacity, 1);
	assert_int_equal(v[0].confirmed, 1);
	assert_int_equal(v[0].created_at, now - 100);
	assert_false(v[0].cancelled);
	assert_false(v[0].purged);
	assert_int_equal(strlen(v[0].uid), 32);
	assert_true(v[1].cancelled);
	assert_string_equal(v[1].cancel_reason, "rain");
	assert_int_equal(v[1].sequence, 2); /* cancelled, then a text in English */
	assert_int_equal(v[1].updated_at, now - 5);
	/* The French texts (event_texts_v1): the others stay as they were. */
	assert_int_equal(cal_store_localise(db, "fr", v, n), 0);
	assert_string_equal(v[0].title, "Complet");
	assert_string_equal(v[0].location, "Room 1");
	assert_string_equal(v[1].title, "Dropped");
	assert_string_equal(v[0].lang, "fr");
	cal_events_free(v, n);

	assert_int_equal(cal_store_upcoming(db, now, 1, 5, &v, &n, &total), 0);
	assert_int_equal(total, 2);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, b);
	cal_events_free(v, n);

	assert_int_equal(cal_store_event(db, a, now, keep, &e), 1);
	assert_string_equal(e.title, "Full");
	assert_int_equal(cal_store_localise(db, "fr", &e, 1), 0);
	assert_string_equal(e.title, "Complet");
	cal_event_clear(&e);

	assert_int_equal(cal_store_person_events(db, "n:carol", now, keep, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, a);
	assert_int_equal(v[0].reg, CAL_REG_WAITLIST);
	assert_int_equal(v[0].position, 2);
	assert_int_equal(v[1].id, b);
	assert_int_equal(v[1].reg, CAL_REG_MAYBE);
	cal_events_free(v, n);
	assert_int_equal(direct, 0);
	sqlite3_set_authorizer(db, NULL, NULL);

	model_close(db);
	sqlite3_close(db);
	unlink(path);
}

/* Before the events plugin has migrated, the calendars plugin reads nothing. */
static void
test_no_views_no_events(void **state)
{
	char path[] = "/tmp/test_events_view_XXXXXX";
	int fd = mkstemp(path);
	sqlite3 *db;
	struct cal_event *v;
	size_t n;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	/* The tables alone, without the views, are not read. */
	for (size_t i = 0; i < model_schema_steps; i++)
		assert_int_equal(sqlite3_exec(db, model_schema[i], NULL, NULL, NULL),
		    SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                     "DROP VIEW " CV_EVENTS_VIEW
	                     "; DROP VIEW " CV_REGISTRATIONS_VIEW ";",
	                     NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(model_event_insert(db,
	                     &(struct ev_event){ .title = (char *)"x",
	                         .local_date = "2033-05-18",
	                         .local_time = "10:00",
	                         .tz = "UTC",
	                         .start_utc = 1,
	                         .duration_min = 60 },
	                     0),
	    0);
	assert_int_equal(cal_store_events(db, 0, 0, &v, &n), 0);
	assert_int_equal(n, 0);
	model_close(db);
	sqlite3_close(db);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_views_have_the_documented_columns),
		cmocka_unit_test(test_calendars_queries_read_the_views),
		cmocka_unit_test(test_no_views_no_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
