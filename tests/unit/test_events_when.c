/* Unit tests for plugins/events/when.c: dates, zones, offsets, durations, DST. */
#include <sys/stat.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../plugins/events/when.h"

/* The UTC instant of a date and time, for expected values. */
static time_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900,
		.tm_mon = mo - 1,
		.tm_mday = d,
		.tm_hour = h,
		.tm_min = mi };

	return timegm(&tm);
}

static struct when_local
local(const char *date, const char *time)
{
	struct when_local l;

	memset(&l, 0, sizeof(l));
	assert_int_equal(when_parse_date(date, &l), 0);
	assert_int_equal(when_parse_time(time, &l), 0);
	return l;
}

static struct when_zone
zone(const char *name)
{
	struct when_zone z;

	assert_int_equal(when_parse_zone(name, &z), 0);
	return z;
}

static void
test_dates(void **state)
{
	struct when_local l;

	assert_int_equal(when_parse_date("2026-12-02", &l), 0);
	assert_int_equal(l.year, 2026);
	assert_int_equal(l.month, 12);
	assert_int_equal(l.day, 2);
	assert_int_equal(when_parse_date("2028-02-29", &l), 0); /* leap year */
	assert_int_equal(when_parse_date("2000-02-29", &l), 0); /* leap century */

	assert_int_equal(when_parse_date("2026-02-29", &l), -1);
	assert_int_equal(when_parse_date("2100-02-29", &l), -1);
	assert_int_equal(when_parse_date("2026-02-30", &l), -1);
	assert_int_equal(when_parse_date("2026-04-31", &l), -1);
	assert_int_equal(when_parse_date("2026-13-01", &l), -1);
	assert_int_equal(when_parse_date("2026-00-10", &l), -1);
	assert_int_equal(when_parse_date("2026-01-00", &l), -1);
	assert_int_equal(when_parse_date("2026-1-01", &l), -1);
	assert_int_equal(when_parse_date("2026/01/01", &l), -1);
	assert_int_equal(when_parse_date("2026-01-01x", &l), -1);
	assert_int_equal(when_parse_date("20x6-01-01", &l), -1);
	assert_int_equal(when_parse_date("-026-01-01", &l), -1);
	assert_int_equal(when_parse_date("9999-01-01", &l), -1);
	assert_int_equal(when_parse_date("", &l), -1);
}

static void
test_times(void **state)
{
	struct when_local l;

	assert_int_equal(when_parse_time("18:05", &l), 0);
	assert_int_equal(l.hour, 18);
	assert_int_equal(l.minute, 5);
	assert_int_equal(when_parse_time("9:30", &l), 0);
	assert_int_equal(l.hour, 9);
	assert_int_equal(when_parse_time("00:00", &l), 0);
	assert_int_equal(when_parse_time("23:59", &l), 0);

	assert_int_equal(when_parse_time("24:00", &l), -1);
	assert_int_equal(when_parse_time("12:60", &l), -1);
	assert_int_equal(when_parse_time("1200", &l), -1);
	assert_int_equal(when_parse_time("12:0", &l), -1);
	assert_int_equal(when_parse_time("12:00:00", &l), -1);
	assert_int_equal(when_parse_time("-1:00", &l), -1);
	assert_int_equal(when_parse_time("", &l), -1);
}

static void
test_offsets(void **state)
{
	int s;

	assert_int_equal(when_parse_offset("+14:00", &s), 0);
	assert_int_equal(s, 14 * 3600);
	assert_int_equal(when_parse_offset("-12:00", &s), 0);
	assert_int_equal(s, -12 * 3600);
	assert_int_equal(when_parse_offset("+05:30", &s), 0);
	assert_int_equal(s, 5 * 3600 + 1800);
	assert_int_equal(when_parse_offset("-00:30", &s), 0);
	assert_int_equal(s, -1800);

	assert_int_equal(when_parse_offset("+14:01", &s), -1);
	assert_int_equal(when_parse_offset("-12:01", &s), -1);
	assert_int_equal(when_parse_offset("+15:00", &s), -1);
	assert_int_equal(when_parse_offset("+01:60", &s), -1);
	assert_int_equal(when_parse_offset("01:00", &s), -1);
	assert_int_equal(when_parse_offset("+1:00", &s), -1);
	assert_int_equal(when_parse_offset("+0100", &s), -1);
}

static void
test_zones(void **state)
{
	struct when_zone z;
	char buf[64];

	assert_int_equal(when_parse_zone("Europe/Paris", &z), 0);
	assert_non_null(z.ical);
	assert_string_equal(z.name, "Europe/Paris");
	assert_int_equal(when_parse_zone("America/Argentina/Buenos_Aires", &z), 0);
	assert_int_equal(when_parse_zone("utc", &z), 0);
	assert_null(z.ical);
	assert_string_equal(z.name, "UTC");
	assert_int_equal(when_offset_at(&z, 1700000000), 0);
	assert_int_equal(when_parse_zone("-05:00", &z), 0);
	assert_string_equal(z.name, "-05:00");
	assert_int_equal(when_offset_at(&z, 1700000000), -5 * 3600);
	when_zone_label(buf, sizeof(buf), &z);
	assert_string_equal(buf, "UTC-05:00");

	assert_int_equal(when_parse_zone("Europe/Atlantis", &z), -1);
	assert_int_equal(when_parse_zone("europe/paris", &z), -1);
	assert_int_equal(when_parse_zone("../../etc/passwd", &z), -1);
	assert_int_equal(when_parse_zone("/etc/localtime", &z), -1);
	assert_int_equal(when_parse_zone("Europe//Paris", &z), -1);
	assert_int_equal(when_parse_zone("Europe/Paris/", &z), -1);
	assert_int_equal(when_parse_zone("+15:00", &z), -1);
	assert_int_equal(when_parse_zone("", &z), -1);
	assert_int_equal(when_parse_zone("Europe/Paris ", &z), -1);
}

static void
test_looks_like(void **state)
{
	assert_true(when_looks_like_zone("Europe/Paris"));
	assert_true(when_looks_like_zone("Mars/Olympus"));
	assert_true(when_looks_like_zone("UTC"));
	assert_true(when_looks_like_zone("UTC+2"));
	assert_true(when_looks_like_zone("-05:00"));
	assert_false(when_looks_like_zone("Privacy"));
	assert_false(when_looks_like_zone("-"));
	assert_false(when_looks_like_zone("UTCx"));

	assert_true(when_looks_like_duration("90m"));
	assert_true(when_looks_like_duration("1h30m"));
	assert_true(when_looks_like_duration("2026"));
	assert_false(when_looks_like_duration("3D"));
	assert_false(when_looks_like_duration("2nd"));
	assert_false(when_looks_like_duration("h1"));
}

static void
test_durations(void **state)
{
	int m;

	assert_int_equal(when_parse_duration("90m", &m), 0);
	assert_int_equal(m, 90);
	assert_int_equal(when_parse_duration("2h", &m), 0);
	assert_int_equal(m, 120);
	assert_int_equal(when_parse_duration("1h30m", &m), 0);
	assert_int_equal(m, 90);
	assert_int_equal(when_parse_duration("1m", &m), 0);
	assert_int_equal(m, 1);
	assert_int_equal(when_parse_duration("7d", &m), 0);
	assert_int_equal(m, 7 * 24 * 60);
	assert_int_equal(when_parse_duration("1d2h3m", &m), 0);
	assert_int_equal(m, 24 * 60 + 123);
	assert_int_equal(when_parse_duration("10080m", &m), 0);

	m = 42;
	assert_int_equal(when_parse_duration("0m", &m), -1);
	assert_int_equal(when_parse_duration("0h0m", &m), -1);
	assert_int_equal(when_parse_duration("7d1m", &m), -1);
	assert_int_equal(when_parse_duration("10081m", &m), -1);
	assert_int_equal(when_parse_duration("999999999999h", &m), -1);
	assert_int_equal(when_parse_duration("90", &m), -1);
	assert_int_equal(when_parse_duration("m", &m), -1);
	assert_int_equal(when_parse_duration("30m1h", &m), -1);
	assert_int_equal(when_parse_duration("1h1h", &m), -1);
	assert_int_equal(when_parse_duration("1x", &m), -1);
	assert_int_equal(when_parse_duration("1H", &m), -1);
	assert_int_equal(when_parse_duration("-5m", &m), -1);
	assert_int_equal(when_parse_duration("", &m), -1);
	assert_int_equal(m, 42);
}

/* Ordinary times, both sides of DST, in several zones. */
static void
test_to_utc(void **state)
{
	struct when_zone paris = zone("Europe/Paris"), ny = zone("America/New_York");
	struct when_zone kolkata = zone("Asia/Kolkata"), off = zone("-05:00"),
	                 u = zone("UTC");
	struct when_local l;
	time_t t;
	char err[200];

	l = local("2026-12-02", "18:00");
	assert_int_equal(when_resolve(&paris, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2026, 12, 2, 17, 0));
	assert_int_equal(when_resolve(&ny, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2026, 12, 2, 23, 0));
	assert_int_equal(when_resolve(&kolkata, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2026, 12, 2, 12, 30));
	assert_int_equal(when_resolve(&off, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2026, 12, 2, 23, 0));
	assert_int_equal(when_resolve(&u, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2026, 12, 2, 18, 0));

	l = local("2027-07-14", "09:30");
	assert_int_equal(when_resolve(&paris, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2027, 7, 14, 7, 30));
	assert_int_equal(when_resolve(&ny, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2027, 7, 14, 13, 30));

	/* Just outside the gap and overlap: one instant each. */
	l = local("2026-03-29", "01:59");
	assert_int_equal(when_resolve(&paris, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2026, 3, 29, 0, 59));
	l = local("2026-03-29", "03:00");
	assert_int_equal(when_resolve(&paris, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2026, 3, 29, 1, 0));
	l = local("2026-10-25", "03:00");
	assert_int_equal(when_resolve(&paris, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2026, 10, 25, 2, 0));
	l = local("2026-11-01", "00:59");
	assert_int_equal(when_resolve(&ny, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2026, 11, 1, 4, 59));

	/* Far ahead, DST still applies. */
	l = local("2040-07-01", "12:00");
	assert_int_equal(when_resolve(&paris, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2040, 7, 1, 10, 0));
}

static void
test_gap(void **state)
{
	struct when_zone paris = zone("Europe/Paris"), ny = zone("America/New_York");
	struct when_local l;
	time_t t;
	int off[2];
	char err[200];

	l = local("2026-03-29", "02:30");
	assert_int_equal(when_to_utc(&paris, &l, &t, off), WHEN_FIT_GAP);
	assert_int_equal(off[0], 3600);
	assert_int_equal(off[1], 7200);
	assert_int_equal(when_resolve(&paris, &l, &t, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "2026-03-29 02:30 does not exist in Europe/Paris "
	    "(the clocks jump forward): give an explicit offset, e.g. +01:00 or +02:00.");
	l = local("2026-03-29", "02:00");
	assert_int_equal(when_to_utc(&paris, &l, &t, off), WHEN_FIT_GAP);

	l = local("2026-03-08", "02:30");
	assert_int_equal(when_to_utc(&ny, &l, &t, off), WHEN_FIT_GAP);
	assert_int_equal(when_resolve(&ny, &l, &t, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "2026-03-08 02:30 does not exist in America/New_York "
	    "(the clocks jump forward): give an explicit offset, e.g. -05:00 or -04:00.");
	l = local("2027-03-14", "02:59");
	assert_int_equal(when_to_utc(&ny, &l, &t, off), WHEN_FIT_GAP);

	/* The same wall time on a fixed offset is fine. */
	struct when_zone fixed = zone("+01:00");
	l = local("2026-03-29", "02:30");
	assert_int_equal(when_resolve(&fixed, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2026, 3, 29, 1, 30));
}

static void
test_overlap(void **state)
{
	struct when_zone paris = zone("Europe/Paris"), ny = zone("America/New_York");
	struct when_local l;
	time_t t;
	int off[2];
	char err[200];

	l = local("2026-10-25", "02:30");
	assert_int_equal(when_to_utc(&paris, &l, &t, off), WHEN_FIT_OVERLAP);
	assert_int_equal(off[0], 7200);
	assert_int_equal(off[1], 3600);
	assert_int_equal(when_resolve(&paris, &l, &t, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "2026-10-25 02:30 happens twice in Europe/Paris "
	    "(the clocks go back): give an explicit offset, e.g. +02:00 or +01:00.");

	l = local("2026-11-01", "01:30");
	assert_int_equal(when_to_utc(&ny, &l, &t, off), WHEN_FIT_OVERLAP);
	assert_int_equal(off[0], -4 * 3600);
	assert_int_equal(off[1], -5 * 3600);
	assert_int_equal(when_resolve(&ny, &l, &t, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "2026-11-01 01:30 happens twice in America/New_York "
	    "(the clocks go back): give an explicit offset, e.g. -04:00 or -05:00.");
	l = local("2026-11-01", "01:00");
	assert_int_equal(when_to_utc(&ny, &l, &t, off), WHEN_FIT_OVERLAP);

	/* With the offset written out, the second 01:30 is unambiguous. */
	struct when_zone est = zone("-05:00");
	l = local("2026-11-01", "01:30");
	assert_int_equal(when_resolve(&est, &l, &t, err, sizeof(err)), 0);
	assert_int_equal(t, utc(2026, 11, 1, 6, 30));
}

/* A zone whose DST shift is 30 minutes. */
static void
test_half_hour_dst(void **state)
{
	struct when_zone lh = zone("Australia/Lord_Howe");
	struct when_local l;
	time_t t;
	int off[2];

	/* Lord Howe: 02:00 +10:30 becomes 02:30 +11:00 on the first Sunday in October. */
	l = local("2026-10-04", "02:15");
	assert_int_equal(when_to_utc(&lh, &l, &t, off), WHEN_FIT_GAP);
	assert_int_equal(off[0], 10 * 3600 + 1800);
	assert_int_equal(off[1], 11 * 3600);
	l = local("2026-10-04", "02:30");
	assert_int_equal(when_to_utc(&lh, &l, &t, off), WHEN_FIT_ONE);
	assert_int_equal(t, utc(2026, 10, 3, 15, 30));
}

static void
test_format(void **state)
{
	struct when_zone paris = zone("Europe/Paris"), ny = zone("America/New_York");
	struct when_zone fixed = zone("+05:30");
	char buf[128];
	time_t t = utc(2026, 12, 2, 17, 0);

	when_format(buf, sizeof(buf), t, &paris);
	assert_string_equal(buf, "Wed 2 Dec 2026 18:00 Europe/Paris");
	when_format(buf, sizeof(buf), t, &ny);
	assert_string_equal(buf, "Wed 2 Dec 2026 12:00 America/New_York");
	when_format(buf, sizeof(buf), t, &fixed);
	assert_string_equal(buf, "Wed 2 Dec 2026 22:30 UTC+05:30");
	when_format_span(buf, sizeof(buf), t, t + 90 * 60, &paris);
	assert_string_equal(buf, "Wed 2 Dec 2026 18:00-19:30 Europe/Paris");
	when_format_span(buf, sizeof(buf), t, t + 7 * 3600, &paris);
	assert_string_equal(buf,
	    "Wed 2 Dec 2026 18:00 to Thu 3 Dec 2026 01:00 Europe/Paris");

	/* Summer time is shown as such. */
	when_format(buf, sizeof(buf), utc(2027, 7, 14, 7, 30), &paris);
	assert_string_equal(buf, "Wed 14 Jul 2027 09:30 Europe/Paris");
}

static void
test_relative(void **state)
{
	char buf[64];
	time_t now = utc(2026, 11, 26, 12, 0);

	when_relative(buf, sizeof(buf), now + 3 * 86400 + 5, now);
	assert_string_equal(buf, "in 3 days");
	when_relative(buf, sizeof(buf), now + 5 * 3600, now);
	assert_string_equal(buf, "in 5 hours");
	when_relative(buf, sizeof(buf), now + 3600, now);
	assert_string_equal(buf, "in 1 hour");
	when_relative(buf, sizeof(buf), now + 20 * 60, now);
	assert_string_equal(buf, "in 20 minutes");
	when_relative(buf, sizeof(buf), now + 30, now);
	assert_string_equal(buf, "now");
	when_relative(buf, sizeof(buf), now - 2 * 3600, now);
	assert_string_equal(buf, "2 hours ago");
}

#define NB "\xc2\xa0" /* no-break space */

/*
 * Both languages, each side of Toronto's change back to standard time
 * (2026-11-01 02:00 EDT becomes 01:00 EST): the local hour stays the
 * organiser's, French follows README.md "Languages".
 */
static void
test_format_languages_across_dst(void **state)
{
	struct when_zone to = zone("America/Toronto"), paris = zone("Europe/Paris");
	struct when_zone edm = zone("America/Edmonton"), lon = zone("Europe/London");
	struct when_zone fixed = zone("-05:00"), u = zone("UTC");
	char buf[160];

	/* Summer time, the evening before the change: 18:00 EDT is 22:00 UTC. */
	when_format_lang(buf, sizeof(buf), utc(2026, 10, 31, 22, 0), &to, "en");
	assert_string_equal(buf, "Sat 31 Oct 2026 18:00 America/Toronto");
	when_format_lang(buf, sizeof(buf), utc(2026, 10, 31, 22, 0), &to, "fr");
	assert_string_equal(buf, "sam. 31 oct. 2026, 18" NB "h" NB "00 (heure de Toronto)");
	/* Standard time, the day after: 18:00 EST is 23:00 UTC. */
	when_format_lang(buf, sizeof(buf), utc(2026, 11, 2, 23, 0), &to, "fr");
	assert_string_equal(buf, "lun. 2 nov. 2026, 18" NB "h" NB "00 (heure de Toronto)");
	when_format_lang(buf, sizeof(buf), utc(2026, 12, 10, 23, 0), &to, "fr");
	assert_string_equal(buf, "jeu. 10 déc. 2026, 18" NB "h" NB "00 (heure de Toronto)");
	when_format_lang(buf, sizeof(buf), utc(2026, 12, 10, 23, 0), &to, "en");
	assert_string_equal(buf, "Thu 10 Dec 2026 18:00 America/Toronto");

	/* Across the change itself: 01:00 EDT to 01:30 EST is 90 minutes. */
	when_format_span_lang(buf, sizeof(buf), utc(2026, 11, 1, 5, 0),
	    utc(2026, 11, 1, 6, 30), &to, "en");
	assert_string_equal(buf, "Sun 1 Nov 2026 01:00-01:30 America/Toronto");
	when_format_span_lang(buf, sizeof(buf), utc(2026, 11, 1, 5, 0),
	    utc(2026, 11, 1, 6, 30), &to, "fr");
	assert_string_equal(buf,
	    "dim. 1er nov. 2026, 1" NB "h" NB "00 à 1" NB "h" NB "30 "
	    "(heure de Toronto)");
	/* Paris in spring: 2027-03-28 02:00 CET becomes 03:00 CEST. */
	when_format_span_lang(buf, sizeof(buf), utc(2027, 3, 27, 22, 0),
	    utc(2027, 3, 28, 5, 0), &paris, "fr");
	assert_string_equal(buf,
	    "du sam. 27 mars 2027, 23" NB "h" NB "00 au dim. 28 mars 2027, "
	    "7" NB "h" NB "00 (heure de Paris)");
	when_format_span_lang(buf, sizeof(buf), utc(2027, 3, 27, 22, 0),
	    utc(2027, 3, 28, 5, 0), &paris, "en");
	assert_string_equal(buf,
	    "Sat 27 Mar 2027 23:00 to Sun 28 Mar 2027 07:00 Europe/Paris");

	/* Zones: elision, French city names, offsets, UTC. */
	when_format_lang(buf, sizeof(buf), utc(2027, 2, 1, 16, 5), &edm, "fr");
	assert_string_equal(buf,
	    "lun. 1er févr. 2027, 9" NB "h" NB "05 (heure d’Edmonton)");
	when_format_lang(buf, sizeof(buf), utc(2027, 8, 15, 11, 0), &lon, "fr");
	assert_string_equal(buf, "dim. 15 août 2027, 12" NB "h" NB "00 (heure de Londres)");
	when_format_lang(buf, sizeof(buf), utc(2027, 6, 1, 4, 30), &fixed, "fr");
	assert_string_equal(buf, "lun. 31 mai 2027, 23" NB "h" NB "30 (UTC-05:00)");
	when_format_lang(buf, sizeof(buf), utc(2027, 1, 1, 0, 0), &u, "fr");
	assert_string_equal(buf, "ven. 1er janv. 2027, 0" NB "h" NB "00 (UTC)");
	/* No language, or one without forms: English. */
	when_format_lang(buf, sizeof(buf), utc(2027, 1, 1, 0, 0), &u, NULL);
	assert_string_equal(buf, "Fri 1 Jan 2027 00:00 UTC");
	when_format_lang(buf, sizeof(buf), utc(2027, 1, 1, 0, 0), &u, "de");
	assert_string_equal(buf, "Fri 1 Jan 2027 00:00 UTC");
}

static void
test_relative_languages(void **state)
{
	char buf[64];
	time_t now = utc(2026, 10, 31, 12, 0); /* Toronto's change is in between */

	when_relative_lang(buf, sizeof(buf), now + 10 * 86400, now, "fr");
	assert_string_equal(buf, "dans 10 jours");
	when_relative_lang(buf, sizeof(buf), now + 10 * 86400, now, "en");
	assert_string_equal(buf, "in 10 days");
	when_relative_lang(buf, sizeof(buf), now + 3600, now, "fr");
	assert_string_equal(buf, "dans 1 heure");
	when_relative_lang(buf, sizeof(buf), now + 47 * 3600, now, "fr");
	assert_string_equal(buf, "dans 47 heures");
	when_relative_lang(buf, sizeof(buf), now + 60, now, "fr");
	assert_string_equal(buf, "dans 1 minute");
	when_relative_lang(buf, sizeof(buf), now + 20 * 60, now, "fr");
	assert_string_equal(buf, "dans 20 minutes");
	when_relative_lang(buf, sizeof(buf), now + 30, now, "fr");
	assert_string_equal(buf, "maintenant");
	when_relative_lang(buf, sizeof(buf), now - 2 * 3600, now, "fr");
	assert_string_equal(buf, "il y a 2 heures");
	when_relative_lang(buf, sizeof(buf), now - 2 * 3600, now, "en");
	assert_string_equal(buf, "2 hours ago");
}

static void
test_duration_languages(void **state)
{
	static const struct {
		int min;
		const char *en, *fr;
	} cases[] = {
		{ 90, "1h30m", "1" NB "h" NB "30" },
		{ 45, "45m", "45" NB "min" },
		{ 120, "2h", "2" NB "h" },
		{ 65, "1h5m", "1" NB "h" NB "05" },
		{ 24 * 60 + 120, "1d2h", "1" NB "jour 2" NB "h" },
		{ 2 * 24 * 60, "2d", "2" NB "jours" },
		{ 24 * 60 + 30, "1d30m", "1" NB "jour 30" NB "min" },
		{ 7 * 24 * 60, "7d", "7" NB "jours" },
	};
	char buf[64];
	size_t i;
	int back;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		when_duration_lang(buf, sizeof(buf), cases[i].min, "en");
		assert_string_equal(buf, cases[i].en);
		/* The English form is one `duration` reads back. */
		assert_int_equal(when_parse_duration(buf, &back), 0);
		assert_int_equal(back, cases[i].min);
		when_duration_lang(buf, sizeof(buf), cases[i].min, "fr");
		assert_string_equal(buf, cases[i].fr);
	}
}

/* when_check_zone (no libical) and when_parse_zone (libical) agree on name. */
static void
agree(const char *name)
{
	struct when_zone z;
	int lib = when_parse_zone(name, &z), plain = when_check_zone(name);

	if (lib != plain)
		fail_msg("'%s': libical says %d, when_check_zone %d", name, lib, plain);
}

/* The names of the files of dir (relative to the zoneinfo root: prefix) and below. */
static void
agree_dir(const char *root, const char *prefix, int depth)
{
	char path[512], name[256];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof path, "%s/%s", root, prefix);
	assert_non_null(dir = opendir(path));
	while ((d = readdir(dir)) != NULL) {
		struct stat st;

		if (d->d_name[0] == '.')
			continue;
		snprintf(name, sizeof name, "%s%s", prefix, d->d_name);
		snprintf(path, sizeof path, "%s/%s", root, name);
		assert_int_equal(stat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			/* posix/ and right/ repeat the tree: a few of them below. */
			if (depth > 0 && strcmp(name, "posix") != 0 &&
			    strcmp(name, "right") != 0) {
				snprintf(path, sizeof path, "%s/", name);
				agree_dir(root, path, depth - 1);
			}
			continue;
		}
		agree(name);
	}
	closedir(dir);
}

/*
 * The configured zone is checked at start without libical (when_check_zone:
 * the zone's file), which must take the names libical takes and no other:
 * every file of the zoneinfo tree and every name of zone.tab, and names
 * that are no zone.
 */
static void
test_zone_check_agrees_with_libical(void **state)
{
	static const char *const names[] = { "UTC", "utc", "GMT", "Etc/GMT+5",
		"US/Eastern", "posix/Europe/Paris", "right/Europe/Paris", "Europe",
		"Europe/", "Europe//Paris", "europe/paris", "Nowhere/City", "zone.tab",
		"zone1970.tab", "tzdata.zi", "posixrules", "localtime", "Factory",
		"../etc/passwd", "Europe/../../etc/passwd", "", "+05:30", "-12:00",
		"+15:00", "Europe/Paris ", "America/Argentina/Buenos_Aires" };
	char line[512], zone[256];
	FILE *tab;
	int n = 0;

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		agree(names[i]);
	assert_non_null(tab = fopen("/usr/share/zoneinfo/zone.tab", "r"));
	while (fgets(line, sizeof line, tab) != NULL)
		if (line[0] != '#' && sscanf(line, "%*s %*s %255s", zone) == 1)
			agree(zone), n++;
	(void)fclose(tab);
	assert_true(n > 300);
	agree_dir("/usr/share/zoneinfo", "", 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_zone_check_agrees_with_libical),
		cmocka_unit_test(test_looks_like),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_to_utc),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_half_hour_dst),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_format_languages_across_dst),
		cmocka_unit_test(test_relative_languages),
		cmocka_unit_test(test_duration_languages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
