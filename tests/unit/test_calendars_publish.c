/*
 * Unit tests of the calendars plugin's publishing decisions (pure): what an
 * answer means, the backoff, which request comes next under which
 * condition; and the calendar_published rows on a real SQLite file.
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

#include "../../plugins/calendars/publish.h"
#include "../../plugins/calendars/store.h"

static void
test_outcomes(void **state)
{
	assert_int_equal(pub_outcome(PUB_PUT, 201), PUB_OK);
	assert_int_equal(pub_outcome(PUB_PUT, 204), PUB_OK);
	assert_int_equal(pub_outcome(PUB_PUT, 412), PUB_CONFLICT);
	assert_int_equal(pub_outcome(PUB_DELETE, 412), PUB_CONFLICT);
	assert_int_equal(pub_outcome(PUB_PUT, 409), PUB_NO_PARENT);
	assert_int_equal(pub_outcome(PUB_PUT, 0), PUB_RETRY);
	assert_int_equal(pub_outcome(PUB_PUT, 503), PUB_RETRY);
	assert_int_equal(pub_outcome(PUB_PUT, 401), PUB_RETRY);
	assert_int_equal(pub_outcome(PUB_PUT, 429), PUB_RETRY);
	assert_int_equal(pub_outcome(PUB_PUT, 404), PUB_RETRY);
	assert_int_equal(pub_outcome(PUB_PUT, 415), PUB_REJECTED);
	assert_int_equal(pub_outcome(PUB_DELETE, 404), PUB_OK);
	assert_int_equal(pub_outcome(PUB_DELETE, 410), PUB_OK);
	assert_int_equal(pub_outcome(PUB_MKCOL, 405), PUB_OK);
	assert_int_equal(pub_outcome(PUB_MKCOL, 201), PUB_OK);
}

static void
test_backoff(void **state)
{
	assert_int_equal(pub_backoff_ms(1, 0), 1000);
	assert_int_equal(pub_backoff_ms(2, 0), 2000);
	assert_int_equal(pub_backoff_ms(5, 0), 16000);
	assert_int_equal(pub_backoff_ms(40, 0), PUB_BACKOFF_MAX_MS);
	assert_int_equal(pub_backoff_ms(1000000, 0), PUB_BACKOFF_MAX_MS);
	/* Jitter adds at most a quarter. */
	assert_int_equal(pub_backoff_ms(3, 999), 4000 + 999);
	assert_true(pub_backoff_ms(40, 999) < PUB_BACKOFF_MAX_MS + PUB_BACKOFF_MAX_MS / 4);
}

static struct pub_doc
doc(const char *name, const char *hash)
{
	struct pub_doc d = { (char *)name, (char *)"", 0, "" };

	snprintf(d.hash, sizeof(d.hash), "%s", hash);
	return d;
}

static struct cal_pub_row
row(const char *name, const char *etag, const char *hash, const char *conflict, bool force)
{
	return (struct cal_pub_row){ (char *)name, (char *)etag, (char *)hash,
		(char *)conflict, force };
}

static bool
skip_b(const char *name)
{
	return strcmp(name, "b.ics") == 0;
}

static void
test_next_step(void **state)
{
	struct pub_doc docs[3] = { doc("a.ics", "h1"), doc("b.ics", "h2"),
		doc("c.ics", "h3") };
	struct cal_pub_row rows[4];
	struct pub_step s;

	/* Nothing written yet: create, only if absent. */
	assert_true(pub_next(docs, 3, NULL, 0, NULL, &s));
	assert_int_equal(s.op, PUB_PUT);
	assert_string_equal(s.name, "a.ics");
	assert_int_equal(s.cond, PUB_IF_NONE_MATCH);

	/* a is current; b changed: replace only what we wrote. */
	rows[0] = row("a.ics", "\"e1\"", "h1", NULL, false);
	rows[1] = row("b.ics", "\"e2\"", "old", NULL, false);
	assert_true(pub_next(docs, 3, rows, 2, NULL, &s));
	assert_string_equal(s.name, "b.ics");
	assert_int_equal(s.cond, PUB_IF_MATCH);
	assert_string_equal(s.etag, "\"e2\"");
	/* Skipped (refused this session): c comes first. */
	assert_true(pub_next(docs, 3, rows, 2, skip_b, &s));
	assert_string_equal(s.name, "c.ics");

	/* b in conflict with this very body: left alone; with a newer body: tried again. */
	rows[1] = row("b.ics", "\"e2\"", "old", "h2", false);
	rows[2] = row("c.ics", "\"e3\"", "h3", NULL, false);
	assert_false(pub_next(docs, 3, rows, 3, NULL, &s));
	rows[1] = row("b.ics", "\"e2\"", "old", "h0", false);
	assert_true(pub_next(docs, 3, rows, 3, NULL, &s));
	assert_string_equal(s.name, "b.ics");
	assert_int_equal(s.cond, PUB_IF_MATCH);
	/* An owner said overwrite. */
	rows[1] = row("b.ics", "\"e2\"", "old", NULL, true);
	assert_true(pub_next(docs, 3, rows, 3, NULL, &s));
	assert_int_equal(s.cond, PUB_UNCONDITIONAL);

	/* d is no longer wanted: deleted if unchanged there. */
	rows[1] = row("b.ics", "\"e2\"", "h2", NULL, false);
	rows[3] = row("d.ics", "\"e4\"", "h4", NULL, false);
	assert_true(pub_next(docs, 3, rows, 4, NULL, &s));
	assert_int_equal(s.op, PUB_DELETE);
	assert_string_equal(s.name, "d.ics");
	assert_int_equal(s.cond, PUB_IF_MATCH);
	assert_string_equal(s.etag, "\"e4\"");
	/* Its delete met a conflict: left alone. */
	rows[3] = row("d.ics", "\"e4\"", "h4", "-", false);
	assert_false(pub_next(docs, 3, rows, 4, NULL, &s));
	/* A conflict row for something we never wrote: just forgotten. */
	rows[3] = row("d.ics", NULL, "", "h9", false);
	assert_true(pub_next(docs, 3, rows, 4, NULL, &s));
	assert_int_equal(s.op, PUB_FORGET);
}

static void
test_rows(void **state)
{
	char path[] = "/tmp/test_calendars_publish.XXXXXX";
	int fd = mkstemp(path), n;
	sqlite3 *db;
	struct cal_pub_row *v;
	size_t nv;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t i = 0; i < cal_schema_steps; i++)
		assert_int_equal(sqlite3_exec(db, cal_schema[i], NULL, NULL, NULL),
		    SQLITE_OK);
	assert_int_equal(cal_pub_written(db, "caldav X", "a.ics", "\"e1\"", "h1"), 0);
	assert_int_equal(cal_pub_written(db, "caldav X", "a.ics", "\"e2\"", "h2"), 0);
	assert_int_equal(cal_pub_written(db, "webdav Y", "a.ics", NULL, "h9"), 0);
	assert_int_equal(cal_pub_conflict(db, "caldav X", "a.ics", "h3"), 0);
	assert_int_equal(cal_pub_conflict(db, "caldav X", "b.ics", "h4"), 0);
	assert_int_equal(cal_pub_rows(db, "caldav X", &v, &nv), 0);
	assert_int_equal(nv, 2);
	assert_string_equal(v[0].etag, "\"e2\"");
	assert_string_equal(v[0].hash, "h2");
	assert_string_equal(v[0].conflict, "h3");
	assert_string_equal(v[1].hash, "");
	assert_null(v[1].etag);
	cal_pub_rows_free(v, nv);
	assert_int_equal(cal_pub_overwrite(db, "caldav X", &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(cal_pub_rows(db, "caldav X", &v, &nv), 0);
	assert_true(v[0].force && v[0].conflict == NULL);
	cal_pub_rows_free(v, nv);
	/* Written again: the owner's decision is used up. */
	assert_int_equal(cal_pub_written(db, "caldav X", "a.ics", "\"e5\"", "h3"), 0);
	assert_int_equal(cal_pub_removed(db, "caldav X", "b.ics"), 0);
	assert_int_equal(cal_pub_rows(db, "caldav X", &v, &nv), 0);
	assert_int_equal(nv, 1);
	assert_false(v[0].force);
	cal_pub_rows_free(v, nv);
	sqlite3_close(db);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_next_step),
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
