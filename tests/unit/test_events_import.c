/*
 * Unit tests for plugins/events/import.c: what an iCalendar file becomes,
 * with the host's real text cleaning (bot/text.c) and libical's real parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/events/import.h"
#include "text.h"

#define NOW 1795000000LL	/* 2026-11-18 */

static struct when_zone paris;

static int
parse(const char *text, struct imp_result *r, char *err, size_t n)
{
	return imp_parse(text, strlen(text), &paris, (time_t)NOW, text_clean, r, err, n);
}

#define CAL(body) "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" body "END:VCALENDAR\r\n"
#define EV(uid, rest) "BEGIN:VEVENT\r\nUID:" uid "\r\nDTSTAMP:20260101T000000Z\r\n" rest "END:VEVENT\r\n"

static void
test_not_a_calendar_and_malformed(void **state)
{
	struct imp_result r;
	char err[200];

	assert_int_equal(parse("<html><body>hi</body></html>", &r, err, sizeof(err)), -1);
	assert_string_equal(err, "that is not an iCalendar (.ics) file");
	assert_int_equal(parse("", &r, err, sizeof(err)), -1);
	/* Cut short: no END:VCALENDAR. */
	assert_int_equal(parse("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n", &r, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "the calendar is malformed or cut short");
	/* A BOM and blank lines before it are fine. */
	assert_int_equal(parse("\xef\xbb\xbf\r\n" CAL(""), &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 0);
	imp_result_free(&r);
}

static void
test_zones_durations_and_skips(void **state)
{
	struct imp_result r;
	char err[200];
	const char *ics = CAL(
	    EV("utc", "DTSTART:20270105T170000Z\r\nDTEND:20270105T183000Z\r\nSUMMARY:A\r\n")
	    EV("ny", "DTSTART;TZID=America/New_York:20270106T093000\r\nDURATION:PT2H\r\nSUMMARY:B\r\n")
	    EV("float", "DTSTART:20270107T140000\r\nSUMMARY:C\r\n")
	    EV("prefixed", "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Berlin:20270108T191500\r\n"
	        "SUMMARY:D\r\n")
	    EV("rec", "DTSTART:20270105T170000Z\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:R\r\n")
	    EV("rid", "DTSTART:20270105T170000Z\r\nRECURRENCE-ID:20270105T170000Z\r\nSUMMARY:R\r\n")
	    EV("day", "DTSTART;VALUE=DATE:20270105\r\nSUMMARY:H\r\n")
	    EV("long", "DTSTART:20270105T170000Z\r\nDTEND:20270113T170000Z\r\nSUMMARY:L\r\n")
	    EV("past", "DTSTART:20260105T170000Z\r\nSUMMARY:P\r\n")
	    EV("off", "DTSTART:20270105T170000Z\r\nSTATUS:CANCELLED\r\nSUMMARY:X\r\n")
	    EV("zero", "DTSTART:20270105T170000Z\r\nDTEND:20270105T170000Z\r\nSUMMARY:Z\r\n")
	    EV("utc", "DTSTART:20270105T170000Z\r\nSUMMARY:again\r\n")
	    EV("badzone", "DTSTART;TZID=Nowhere/Land:20270105T170000\r\nSUMMARY:Q\r\n")
	    "BEGIN:VEVENT\r\nDTSTART:20270105T170000Z\r\nSUMMARY:no uid\r\nEND:VEVENT\r\n");

	assert_int_equal(parse(ics, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.v[0].source_uid, "utc");
	assert_string_equal(r.v[0].tz, "UTC");
	assert_int_equal(r.v[0].start_utc, 1799168400LL);	/* 2027-01-05 17:00Z */
	assert_int_equal(r.v[0].duration_min, 90);
	assert_string_equal(r.v[1].tz, "America/New_York");
	assert_int_equal(r.v[1].local.hour, 9);
	assert_int_equal(r.v[1].start_utc, 1799245800LL);	/* 14:30Z */
	assert_int_equal(r.v[1].duration_min, 120);
	assert_string_equal(r.v[2].tz, "Europe/Paris");
	assert_int_equal(r.v[2].start_utc, 1799326800LL);	/* 13:00Z */
	assert_int_equal(r.v[2].duration_min, 60);
	assert_string_equal(r.v[3].tz, "Europe/Berlin");
	assert_int_equal(r.skipped.recurring, 2);
	assert_int_equal(r.skipped.allday, 1);
	assert_int_equal(r.skipped.too_long, 1);
	assert_int_equal(r.skipped.past, 1);
	assert_int_equal(r.skipped.cancelled, 1);
	assert_int_equal(r.skipped.duplicate, 1);
	assert_int_equal(r.skipped.invalid, 3);	/* zero length, unknown zone, no UID */
	imp_result_free(&r);
}

static void
test_texts_are_one_clean_line(void **state)
{
	struct imp_result r;
	char err[200];
	const char *ics = CAL(
	    EV("t", "DTSTART:20270105T170000Z\r\n"
	        "SUMMARY:Evil\\nPRIVMSG #x :pwned\\N\x02" "bold\x02 \x03" "04,01red\x03 \x1funder\x0f\r\n"
	        "DESCRIPTION:one\\n\\ntwo\\, three\\; four\r\n"
	        "LOCATION:  \r\n"
	        "URL:javascript:alert(1)\r\n")
	    EV("u", "DTSTART:20270105T170000Z\r\nSUMMARY:\r\nURL:https://example.org/x\r\n")
	    EV("bad", "DTSTART:20270105T170000Z\r\nSUMMARY:\xff\xfe\r\n"));

	assert_int_equal(parse(ics, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].title, "Evil PRIVMSG #x :pwned bold red under");
	assert_string_equal(r.v[0].description, "one two, three; four");
	assert_null(r.v[0].location);
	assert_null(r.v[0].url);
	assert_string_equal(r.v[1].title, "Untitled event");
	assert_string_equal(r.v[1].url, "https://example.org/x");
	assert_int_equal(r.skipped.invalid, 1);	/* not UTF-8 */
	imp_result_free(&r);
}

static void
test_long_title_is_cut(void **state)
{
	struct imp_result r;
	char err[200], ics[4096], title[1200];

	memset(title, 0, sizeof(title));
	for (size_t i = 0; i < 300; i++)
		strcat(title, "\xc3\xa9");	/* é */
	snprintf(ics, sizeof(ics), CAL(EV("l", "DTSTART:20270105T170000Z\r\nSUMMARY:%s\r\n")), title);
	assert_int_equal(parse(ics, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(strlen(r.v[0].title), 2 * IMP_TITLE_MAX);
	imp_result_free(&r);
}

static void
test_dst_gap_is_kept_at_a_fixed_offset(void **state)
{
	struct imp_result r;
	char err[200];

	/* 2027-03-28 02:30 does not exist in Paris: read with the offset before (+01:00). */
	assert_int_equal(parse(CAL(EV("g", "DTSTART;TZID=Europe/Paris:20270328T023000\r\n"
	    "SUMMARY:gap\r\n")), &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].tz, "+01:00");
	assert_int_equal(r.v[0].start_utc, 1806197400LL);	/* 01:30Z */
	imp_result_free(&r);
}

static void
test_source_url(void **state)
{
	char b[200];

	imp_source_url("https://user:pw@cal.example.org/a/b.ics?token=s3cret#x", b, sizeof(b));
	assert_string_equal(b, "https://cal.example.org/a/b.ics");
	imp_source_url("http://h:8080/x.ics", b, sizeof(b));
	assert_string_equal(b, "http://h:8080/x.ics");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_a_calendar_and_malformed),
		cmocka_unit_test(test_zones_durations_and_skips),
		cmocka_unit_test(test_texts_are_one_clean_line),
		cmocka_unit_test(test_long_title_is_cut),
		cmocka_unit_test(test_dst_gap_is_kept_at_a_fixed_offset),
		cmocka_unit_test(test_source_url),
	};

	when_parse_zone("Europe/Paris", &paris);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
