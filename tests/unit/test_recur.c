/*
 * Unit tests for plugins/events/recur.c: the RULE grammar, RRULE text,
 * descriptions, expansion across DST in America/Toronto and Europe/Paris,
 * the fifth weekday, until and times, overrides, and the import check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../plugins/events/recur.h"
#include "i18n.h"

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

static struct when_zone
zone(const char *name)
{
	struct when_zone z;

	assert_int_equal(when_parse_zone(name, &z), 0);
	return z;
}

static struct when_local
day(const char *date)
{
	struct when_local l;

	memset(&l, 0, sizeof(l));
	assert_int_equal(when_parse_date(date, &l), 0);
	return l;
}

static struct recur_rule
rule(const char *text)
{
	struct recur_rule r;
	char err[256] = "";

	if (recur_parse(text, &r, err, sizeof(err)) < 0)
		fail_msg("\"%s\": %s", text, err);
	return r;
}

/* Expands [from, to) and checks the UTC instants, in order. */
static void
expect(const struct recur_series *s, time_t from, time_t to, const time_t *want, int nwant)
{
	struct recur_occ occ[64];
	int n = recur_expand(s, from, to, occ, 64);

	assert_int_equal(n, nwant);
	for (int i = 0; i < n; i++)
		if (occ[i].start != want[i])
			fail_msg("occurrence %d: got %lld, want %lld", i,
			    (long long)occ[i].start, (long long)want[i]);
}

static void
test_grammar(void **state)
{
	struct recur_rule r;

	r = rule("daily");
	assert_int_equal(r.freq, RECUR_DAILY);
	assert_int_equal(r.interval, 1);
	r = rule("Weekly");
	assert_int_equal(r.freq, RECUR_WEEKLY);
	r = rule("every 2 weeks");
	assert_int_equal(r.freq, RECUR_WEEKLY);
	assert_int_equal(r.interval, 2);
	r = rule("every 3 days times 4");
	assert_int_equal(r.freq, RECUR_DAILY);
	assert_int_equal(r.interval, 3);
	assert_int_equal(r.times, 4);
	r = rule("every 2 months");
	assert_int_equal(r.freq, RECUR_MONTHLY_WEEKDAY);
	assert_int_equal(r.interval, 2);
	r = rule("monthly");
	assert_int_equal(r.freq, RECUR_MONTHLY_WEEKDAY);
	r = rule("monthly on day 15 until 2027-01-31");
	assert_int_equal(r.freq, RECUR_MONTHLY_DAY);
	assert_int_equal(r.monthday, 15);
	assert_true(r.has_until);
	assert_int_equal(r.until.year, 2027);
	assert_int_equal(r.until.month, 1);
	assert_int_equal(r.until.day, 31);
	r = rule("every month on day 1");
	assert_int_equal(r.freq, RECUR_MONTHLY_DAY);
	r = rule("none");
	assert_int_equal(r.freq, RECUR_NONE);
}

/* Two rules are the same rule, member by member (a struct's padding is not). */
static void
same_rule(const struct recur_rule *a, const struct recur_rule *b)
{
	assert_int_equal(a->freq, b->freq);
	assert_int_equal(a->interval, b->interval);
	assert_int_equal(a->monthday, b->monthday);
	assert_int_equal(a->times, b->times);
	assert_int_equal(a->has_until, b->has_until);
	assert_int_equal(a->until.year, b->until.year);
	assert_int_equal(a->until.month, b->until.month);
	assert_int_equal(a->until.day, b->until.day);
}

/* The stored form reads back as the same rule. */
static void
test_grammar_canon(void **state)
{
	struct recur_rule r;

	static const char *const canon[][2] = {
		{ "DAILY", "daily" },
		{ "every 1 week", "weekly" },
		{ "every week", "weekly" },
		{ "every 2 Weeks", "every 2 weeks" },
		{ "monthly", "monthly" },
		{ "every 3 month on day 7 times 4", "every 3 months on day 7 times 4" },
		{ "monthly on day 15 until 2027-01-31",
		    "monthly on day 15 until 2027-01-31" },
		{ "every 10 days", "every 10 days" },
		{ "none", "none" },
	};
	for (size_t i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		struct recur_rule back;
		char buf[RECUR_TEXT_MAX];

		r = rule(canon[i][0]);
		recur_format(&r, buf, sizeof(buf));
		assert_string_equal(buf, canon[i][1]);
		back = rule(buf);
		same_rule(&back, &r);
	}
}

static void
test_grammar_bad(void **state)
{
	struct recur_rule r;
	char err[256];

	static const char *const bad[] = {
		"",
		"yearly",
		"every",
		"every 0 weeks",
		"every 100 days",
		"every 2 fortnights",
		"weekly on day 3",
		"monthly on day 0",
		"monthly on day 32",
		"monthly on day",
		"daily until 2026-02-30",
		"daily until tomorrow",
		"daily times 0",
		"daily times 1000",
		"daily until 2026-12-01 times 3",
		"none weekly",
		"weekly please",
		"every -2 weeks",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (recur_parse(bad[i], &r, err, sizeof(err)) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_true(strlen(err) > 10);
	}
	assert_int_equal(recur_parse("yearly", &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\"yearly\""));
}

/* The rule in French: the same rules, French typography. */
static void
test_text_french(void **state)
{
	struct when_zone to = zone("America/Toronto");
	time_t tue = utc(2026, 3, 10, 22, 0); /* the second Tuesday of March, 18:00 EDT */
	time_t first = utc(2026, 4, 1, 22, 0); /* Wednesday 1 April */
	struct recur_rule r;
	char buf[RECUR_TEXT_MAX];

	(void)state;
	r = rule("weekly");
	recur_describe_lang(&r, &to, tue, buf, sizeof(buf), "fr");
	assert_string_equal(buf, "chaque mardi");
	recur_describe_lang(&r, &to, tue, buf, sizeof(buf), "en");
	assert_string_equal(buf, "every Tuesday");
	r = rule("every 2 weeks times 6");
	recur_describe_lang(&r, &to, tue, buf, sizeof(buf), "fr");
	assert_string_equal(buf, "toutes les 2 semaines, le mardi, 6 fois");
	r = rule("monthly until 2027-03-01");
	recur_describe_lang(&r, &to, tue, buf, sizeof(buf), "fr");
	assert_string_equal(buf, "chaque mois, le deuxième mardi, jusqu’au 1er mars 2027");
	r = rule("monthly on day 1");
	recur_describe_lang(&r, &to, first, buf, sizeof(buf), "fr");
	assert_string_equal(buf, "chaque mois, le 1er");
	r = rule("every 3 days");
	recur_describe_lang(&r, &to, tue, buf, sizeof(buf), "fr");
	assert_string_equal(buf, "tous les 3 jours");
	r = rule("daily");
	recur_describe_lang(&r, &to, tue, buf, sizeof(buf), "fr");
	assert_string_equal(buf, "chaque jour");
}

static void
test_text(void **state)
{
	struct when_zone to = zone("America/Toronto"), pa = zone("Europe/Paris");
	time_t tue =
	    utc(2026, 3, 10, 22, 0); /* Tue 10 Mar 2026 18:00 EDT: the second Tuesday */
	struct recur_rule r;
	char buf[RECUR_TEXT_MAX];

	r = rule("weekly");
	recur_rrule(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "FREQ=WEEKLY");
	recur_describe(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "every Tuesday");
	r = rule("every 2 weeks times 6");
	recur_rrule(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "FREQ=WEEKLY;INTERVAL=2;COUNT=6");
	recur_describe(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "every 2 weeks on Tuesday, 6 times");
	r = rule("monthly");
	recur_rrule(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "FREQ=MONTHLY;BYDAY=2TU");
	recur_describe(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "every month on the second Tuesday");
	r = rule("monthly on day 10");
	recur_rrule(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "FREQ=MONTHLY;BYMONTHDAY=10");
	recur_describe(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "every month on day 10");
	r = rule("every 3 days");
	recur_describe(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "every 3 days");
	r = rule("daily");
	recur_describe(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "every day");

	/*
	 * UNTIL in UTC, the last second of the until day in the event's zone:
	 * Toronto is on EDT (-4) on 1 Apr 2026, Paris on CET (+1) on 1 Mar.
	 */
	r = rule("weekly until 2026-04-01");
	recur_rrule(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "FREQ=WEEKLY;UNTIL=20260402T035959Z");
	recur_describe(&r, &to, tue, buf, sizeof(buf));
	assert_string_equal(buf, "every Tuesday, until 1 Apr 2026");
	r = rule("daily until 2026-03-01");
	recur_rrule(&r, &pa, utc(2026, 2, 20, 8, 0), buf, sizeof(buf));
	assert_string_equal(buf, "FREQ=DAILY;UNTIL=20260301T225959Z");

	/* The fifth Tuesday. */
	r = rule("monthly");
	recur_rrule(&r, &pa, utc(2026, 3, 31, 17, 0), buf, sizeof(buf));
	assert_string_equal(buf, "FREQ=MONTHLY;BYDAY=5TU");
	recur_describe(&r, &pa, utc(2026, 3, 31, 17, 0), buf, sizeof(buf));
	assert_string_equal(buf, "every month on the fifth Tuesday");

	r = rule("none");
	recur_rrule(&r, &pa, tue, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void
test_check(void **state)
{
	struct when_zone to = zone("America/Toronto");
	struct recur_rule r;
	char err[256];

	r = rule("monthly on day 15");
	assert_int_equal(recur_check(&r, &to, utc(2026, 3, 15, 14, 0), err, sizeof(err)),
	    0);
	assert_int_equal(recur_check(&r, &to, utc(2026, 3, 16, 14, 0), err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "day 16"));
	/* 15 Mar 23:30 EDT is 16 Mar in UTC: the local day counts. */
	assert_int_equal(recur_check(&r, &to, utc(2026, 3, 16, 3, 30), err, sizeof(err)),
	    0);
	r = rule("weekly until 2026-03-09");
	assert_int_equal(recur_check(&r, &to, utc(2026, 3, 10, 22, 0), err, sizeof(err)),
	    -1);
	r = rule("weekly until 2026-03-10");
	assert_int_equal(recur_check(&r, &to, utc(2026, 3, 10, 22, 0), err, sizeof(err)),
	    0);
}

/* Each rule across the spring change in Toronto (8 Mar 2026) and Paris (29 Mar). */
static void
test_dst_spring(void **state)
{
	struct when_zone to = zone("America/Toronto"), pa = zone("Europe/Paris");
	struct recur_series s = { .zone = &to };

	/* Weekly, Tuesdays 18:00: EST 23:00Z, then EDT 22:00Z. */
	s.rule = rule("weekly");
	s.dtstart = utc(2026, 2, 24, 23, 0);
	expect(&s, 0, utc(2026, 3, 18, 0, 0),
	    (time_t[]){ utc(2026, 2, 24, 23, 0), utc(2026, 3, 3, 23, 0),
	        utc(2026, 3, 10, 22, 0), utc(2026, 3, 17, 22, 0) },
	    4);

	/* Daily 09:00 Paris: CET 08:00Z, then CEST 07:00Z from 29 Mar. */
	s.zone = &pa;
	s.rule = rule("daily");
	s.dtstart = utc(2026, 3, 27, 8, 0);
	expect(&s, 0, utc(2026, 3, 31, 0, 0),
	    (time_t[]){ utc(2026, 3, 27, 8, 0), utc(2026, 3, 28, 8, 0),
	        utc(2026, 3, 29, 7, 0), utc(2026, 3, 30, 7, 0) },
	    4);

	/* Every 2 weeks, Sundays 12:00 Paris. */
	s.rule = rule("every 2 weeks");
	s.dtstart = utc(2026, 3, 15, 11, 0);
	expect(&s, 0, utc(2026, 4, 13, 0, 0),
	    (time_t[]){ utc(2026, 3, 15, 11, 0), utc(2026, 3, 29, 10, 0),
	        utc(2026, 4, 12, 10, 0) },
	    3);

	/* Monthly, the second Tuesday 19:00 Paris. */
	s.rule = rule("monthly");
	s.dtstart = utc(2026, 2, 10, 18, 0);
	expect(&s, 0, utc(2026, 5, 1, 0, 0),
	    (time_t[]){ utc(2026, 2, 10, 18, 0), utc(2026, 3, 10, 18, 0),
	        utc(2026, 4, 14, 17, 0) },
	    3);

	/* Monthly on day 15, 10:00 Toronto. */
	s.zone = &to;
	s.rule = rule("monthly on day 15");
	s.dtstart = utc(2026, 2, 15, 15, 0);
	expect(&s, 0, utc(2026, 4, 16, 0, 0),
	    (time_t[]){ utc(2026, 2, 15, 15, 0), utc(2026, 3, 15, 14, 0),
	        utc(2026, 4, 15, 14, 0) },
	    3);

	/*
	 * Daily 02:30 Toronto: on 8 Mar 02:30 does not exist; RFC 5545 3.3.5
	 * reads it with the offset before the gap (-5), so 07:30Z (03:30 EDT).
	 */
	s.rule = rule("daily");
	s.dtstart = utc(2026, 3, 7, 7, 30);
	expect(&s, 0, utc(2026, 3, 10, 0, 0),
	    (time_t[]){ utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 30),
	        utc(2026, 3, 9, 6, 30) },
	    3);
}

/* And across the autumn change: Toronto 1 Nov 2026, Paris 25 Oct. */
static void
test_dst_autumn(void **state)
{
	struct when_zone to = zone("America/Toronto"), pa = zone("Europe/Paris");
	struct recur_series s = { .zone = &to };

	s.rule = rule("weekly");
	s.dtstart = utc(2026, 10, 27, 22, 0); /* Tue 18:00 EDT */
	expect(&s, 0, utc(2026, 11, 11, 0, 0),
	    (time_t[]){ utc(2026, 10, 27, 22, 0), utc(2026, 11, 3, 23, 0),
	        utc(2026, 11, 10, 23, 0) },
	    3);

	s.rule = rule("every 2 weeks");
	s.dtstart = utc(2026, 10, 20, 22, 0);
	expect(&s, 0, utc(2026, 11, 18, 0, 0),
	    (time_t[]){ utc(2026, 10, 20, 22, 0), utc(2026, 11, 3, 23, 0),
	        utc(2026, 11, 17, 23, 0) },
	    3);

	s.rule = rule("daily");
	s.dtstart = utc(2026, 10, 31, 13, 0); /* 09:00 EDT */
	expect(&s, 0, utc(2026, 11, 3, 0, 0),
	    (time_t[]){ utc(2026, 10, 31, 13, 0), utc(2026, 11, 1, 14, 0),
	        utc(2026, 11, 2, 14, 0) },
	    3);

	s.zone = &pa;
	s.rule = rule("monthly");
	s.dtstart = utc(2026, 9, 8, 17, 0); /* second Tuesday 19:00 CEST */
	expect(&s, 0, utc(2026, 12, 1, 0, 0),
	    (time_t[]){ utc(2026, 9, 8, 17, 0), utc(2026, 10, 13, 17, 0),
	        utc(2026, 11, 10, 18, 0) },
	    3);

	s.rule = rule("monthly on day 31"); /* months without a 31st are skipped */
	s.dtstart = utc(2026, 8, 31, 7, 0);
	expect(&s, 0, utc(2027, 1, 1, 0, 0),
	    (time_t[]){ utc(2026, 8, 31, 7, 0), utc(2026, 10, 31, 8, 0),
	        utc(2026, 12, 31, 8, 0) },
	    3);
}

/* The fifth Tuesday: months without one are skipped (RFC 5545 3.3.10). */
static void
test_fifth_weekday(void **state)
{
	struct when_zone pa = zone("Europe/Paris");
	struct recur_series s = { .zone = &pa };

	s.rule = rule("monthly");
	s.dtstart = utc(2026, 3, 31, 17, 0); /* Tue 31 Mar 2026 19:00 CEST */
	expect(&s, 0, utc(2027, 4, 1, 0, 0),
	    (time_t[]){ utc(2026, 3, 31, 17, 0), utc(2026, 6, 30, 17, 0),
	        utc(2026, 9, 29, 17, 0), utc(2026, 12, 29, 18, 0), utc(2027, 3, 30, 17, 0) },
	    5);
	s.rule = rule("every 3 months"); /* Jun, Sep, Dec have one; Mar 2027 too */
	expect(&s, 0, utc(2027, 4, 1, 0, 0),
	    (time_t[]){ utc(2026, 3, 31, 17, 0), utc(2026, 6, 30, 17, 0),
	        utc(2026, 9, 29, 17, 0), utc(2026, 12, 29, 18, 0), utc(2027, 3, 30, 17, 0) },
	    5);
}

static void
test_until_times(void **state)
{
	struct when_zone to = zone("America/Toronto");
	struct recur_series s = { .zone = &to, .dtstart = utc(2026, 2, 24, 23, 0) };
	struct recur_occ occ[16];

	/* until is inclusive of its day. */
	s.rule = rule("weekly until 2026-03-10");
	expect(&s, 0, (time_t)-1,
	    (time_t[]){ utc(2026, 2, 24, 23, 0), utc(2026, 3, 3, 23, 0),
	        utc(2026, 3, 10, 22, 0) },
	    3);
	s.rule = rule("weekly until 2026-03-09");
	assert_int_equal(recur_expand(&s, 0, (time_t)-1, occ, 16), 2);
	s.rule = rule("every 2 weeks times 3");
	expect(&s, 0, (time_t)-1,
	    (time_t[]){ utc(2026, 2, 24, 23, 0), utc(2026, 3, 10, 22, 0),
	        utc(2026, 3, 24, 22, 0) },
	    3);
	/* The next K from an instant, in an endless series. */
	s.rule = rule("weekly");
	assert_int_equal(recur_expand(&s, utc(2027, 1, 1, 0, 0), (time_t)-1, occ, 2), 2);
	assert_int_equal(occ[0].start, utc(2027, 1, 5, 23, 0));
	assert_int_equal(occ[1].start, utc(2027, 1, 12, 23, 0));
	assert_int_equal(occ[1].date.day, 12);
	s.rule = rule("none");
	assert_int_equal(recur_expand(&s, 0, (time_t)-1, occ, 16), -1);
}

static void
test_overrides(void **state)
{
	struct when_zone to = zone("America/Toronto");
	struct recur_override ov[] = {
		{ .date = day("2026-03-03"), .cancelled = true },
		/* Tue 10 Mar moved to Thu 12 Mar 19:00 EDT. */
		{ .date = day("2026-03-10"), .start = utc(2026, 3, 12, 23, 0) },
	};
	struct recur_series s = { .zone = &to,
		.dtstart = utc(2026, 2, 24, 23, 0),
		.rule = rule("weekly"),
		.ov = ov,
		.nov = 2 };
	struct recur_occ occ[8];
	time_t t;

	assert_int_equal(recur_expand(&s, 0, utc(2026, 3, 20, 0, 0), occ, 8), 3);
	assert_int_equal(occ[0].start, utc(2026, 2, 24, 23, 0));
	assert_false(occ[0].moved);
	assert_int_equal(occ[1].start, utc(2026, 3, 12, 23, 0));
	assert_true(occ[1].moved);
	assert_int_equal(occ[1].date.day, 10); /* still N@2026-03-10 */
	assert_int_equal(occ[2].start, utc(2026, 3, 17, 22, 0));

	/* A move past later occurrences keeps the list in order of start. */
	ov[1].start = utc(2026, 3, 25, 23, 0);
	assert_int_equal(recur_expand(&s, 0, utc(2026, 3, 30, 0, 0), occ, 8), 4);
	assert_int_equal(occ[1].date.day, 17);
	assert_int_equal(occ[2].date.day, 24);
	assert_int_equal(occ[3].date.day, 10);
	/* And the next 2 from 11 Mar still see a move from before the window. */
	assert_int_equal(recur_expand(&s, utc(2026, 3, 11, 0, 0), (time_t)-1, occ, 2), 2);
	assert_int_equal(occ[0].date.day, 17);
	assert_int_equal(occ[1].date.day, 24);
	/* A move from after the window into it. */
	ov[1].date = day("2026-04-07");
	ov[1].start = utc(2026, 3, 4, 23, 0);
	assert_int_equal(recur_expand(&s, 0, utc(2026, 3, 11, 0, 0), occ, 8), 3);
	assert_int_equal(occ[1].date.month, 4);
	assert_int_equal(occ[1].start, utc(2026, 3, 4, 23, 0));

	assert_true(recur_is_occurrence(&s, &(struct when_local){ 2026, 3, 17, 0, 0 }));
	assert_false(recur_is_occurrence(&s, &(struct when_local){ 2026, 3, 18, 0, 0 }));
	assert_false(recur_is_occurrence(&s, &(struct when_local){ 2026, 2, 17, 0, 0 }));
	assert_int_equal(recur_start_of(&s, &(struct when_local){ 2026, 3, 17, 0, 0 }, &t),
	    0);
	assert_int_equal(t, utc(2026, 3, 17, 22, 0));
}

/* English, the source language: the host's tr("en", s) is s. */
static const struct ev_say english = { "en", tr };

/* Parses one VEVENT (with Toronto's zone) and runs the import check, in say->lang. */
static int
import_lang(const char *props, struct recur_rule *r, struct when_local *ex, size_t *nex,
    const struct ev_say *say, char *err, size_t errlen)
{
	struct when_zone to = zone("America/Toronto");
	char text[2048];
	icalcomponent *cal, *ev;
	int rc;

	snprintf(text, sizeof(text),
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	    "BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20260101T000000Z\r\n"
	    "DTSTART;TZID=America/Toronto:20260224T180000\r\n%s"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n",
	    props);
	assert_non_null(cal = icalparser_parse_string(text));
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	rc = recur_from_ical(ev, &to, utc(2026, 2, 24, 23, 0), r, ex, 8, nex, say, err,
	    errlen);
	icalcomponent_free(cal);
	return rc;
}

static int
import(const char *props, struct recur_rule *r, struct when_local *ex, size_t *nex,
    char *err, size_t errlen)
{
	return import_lang(props, r, ex, nex, &english, err, errlen);
}

static void
test_import(void **state)
{
	struct recur_rule r;
	struct when_local ex[8];
	size_t nex;
	char err[512];

	assert_int_equal(import("RRULE:FREQ=WEEKLY;BYDAY=TU;WKST=MO\r\n", &r, ex, &nex,
	                     err, sizeof(err)),
	    0);
	assert_int_equal(r.freq, RECUR_WEEKLY);
	assert_int_equal(import("RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=5\r\n", &r, ex, &nex,
	                     err, sizeof(err)),
	    0);
	assert_int_equal(r.interval, 2);
	assert_int_equal(r.times, 5);
	assert_int_equal(import("RRULE:FREQ=MONTHLY;BYDAY=4TU\r\n", &r, ex, &nex, err,
	                     sizeof(err)),
	    0);
	assert_int_equal(r.freq, RECUR_MONTHLY_WEEKDAY);
	assert_int_equal(import("RRULE:FREQ=MONTHLY\r\n", &r, ex, &nex, err, sizeof(err)),
	    0);
	assert_int_equal(r.freq, RECUR_MONTHLY_DAY);
	assert_int_equal(r.monthday, 24);
	assert_int_equal(import("RRULE:FREQ=DAILY\r\n", &r, ex, &nex, err, sizeof(err)), 0);
	assert_int_equal(r.freq, RECUR_DAILY);
	assert_int_equal(import("", &r, ex, &nex, err, sizeof(err)), 0);
	assert_int_equal(r.freq, RECUR_NONE);
}

static void
test_import_until(void **state)
{
	struct recur_rule r;
	struct when_local ex[8];
	size_t nex;
	char err[512];

	/* UNTIL: the exact last instant (Tue 10 Mar 18:00 EDT), Google's end of day, a DATE. */
	assert_int_equal(import("RRULE:FREQ=WEEKLY;UNTIL=20260310T220000Z\r\n", &r, ex,
	                     &nex, err, sizeof(err)),
	    0);
	assert_true(r.has_until);
	assert_int_equal(r.until.day, 10);
	assert_int_equal(import("RRULE:FREQ=WEEKLY;UNTIL=20260310T215959Z\r\n", &r, ex,
	                     &nex, err, sizeof(err)),
	    0);
	assert_int_equal(r.until.day, 9); /* before that day's occurrence: not included */
	assert_int_equal(import("RRULE:FREQ=WEEKLY;UNTIL=20260311T035959Z\r\n", &r, ex,
	                     &nex, err, sizeof(err)),
	    0);
	assert_int_equal(r.until.day, 10);
	assert_int_equal(import("RRULE:FREQ=WEEKLY;UNTIL=20260310\r\n", &r, ex, &nex, err,
	                     sizeof(err)),
	    0);
	assert_int_equal(r.until.day, 10);
}

static void
test_import_until_exdate(void **state)
{
	struct recur_rule r;
	struct when_local ex[8];
	size_t nex;
	char err[512];

	/* UNTIL just before Mon 9 Mar 00:30 EDT, the day after a 23-hour day: until Sun 8 Mar. */
	{
		struct when_zone to = zone("America/Toronto");
		char text[512];
		icalcomponent *cal;

		snprintf(text, sizeof(text),
		    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u2\r\n"
		    "DTSTART;TZID=America/Toronto:20260301T003000\r\n"
		    "RRULE:FREQ=WEEKLY;UNTIL=20260309T042000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
		assert_non_null(cal = icalparser_parse_string(text));
		assert_int_equal(recur_from_ical(icalcomponent_get_first_component(cal,
		                                     ICAL_VEVENT_COMPONENT),
		                     &to, utc(2026, 3, 1, 5, 30), &r, ex, 8, &nex,
		                     &english, err, sizeof(err)),
		    0);
		assert_true(r.has_until);
		assert_int_equal(r.until.month, 3);
		assert_int_equal(r.until.day,
		    8); /* Sun 8 Mar 00:30 EST, 05:30Z, is the last */
		icalcomponent_free(cal);
	}

	/* EXDATE in the zone, in UTC; one on no occurrence is dropped. */
	assert_int_equal(import("RRULE:FREQ=WEEKLY\r\n"
	                        "EXDATE;TZID=America/Toronto:20260303T180000\r\n"
	                        "EXDATE:20260317T220000Z\r\nEXDATE:20260318T220000Z\r\n",
	                     &r, ex, &nex, err, sizeof(err)),
	    0);
	assert_int_equal(nex, 2);
	assert_int_equal(ex[0].day, 3);
	assert_int_equal(ex[1].day, 17);
	/* An RDATE that is already an occurrence is taken; another is not. */
	assert_int_equal(import("RRULE:FREQ=WEEKLY\r\nRDATE:20260303T230000Z\r\n", &r, ex,
	                     &nex, err, sizeof(err)),
	    0);
	assert_int_equal(import("RRULE:FREQ=WEEKLY\r\nRDATE:20260304T230000Z\r\n", &r, ex,
	                     &nex, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "RDATE:20260304T230000Z"));
}

/* recur_ahead() on one VEVENT's lines; the VEVENT (to free with its calendar) in *cal. */
static int
ahead(const char *lines, const char *tz, time_t now, long long *start,
    struct when_local *local, icalcomponent **cal)
{
	struct when_zone z = zone(tz);
	char text[1024];

	snprintf(text, sizeof(text),
	    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:begun\r\n%sEND:VEVENT\r\n"
	    "END:VCALENDAR\r\n",
	    lines);
	assert_non_null(*cal = icalparser_parse_string(text));
	return recur_ahead(icalcomponent_get_first_component(*cal, ICAL_VEVENT_COMPONENT),
	    &z, now, 8, start, local);
}

/*
 * An imported series begun before now: it starts at its next occurrence
 * that no EXDATE cancels, COUNT keeps the ones left (the cancelled one
 * before counts), values before it go, and the occurrences ahead are the
 * source's, across Paris's DST change.
 */
static void
test_import_begun(void **state)
{
	struct when_zone paris = zone("Europe/Paris");
	struct when_local local, ex[8];
	struct recur_series s = { .zone = &paris };
	struct recur_override ov[8];
	struct recur_occ occ[32];
	icalcomponent *cal, *ev;
	long long start = utc(2026, 1, 5, 17, 0);
	size_t nex;
	char err[512];
	int n;

	(void)state;
	assert_int_equal(ahead("DTSTART;TZID=Europe/Paris:20260105T180000\r\n"
	                       "RRULE:FREQ=WEEKLY;COUNT=16\r\n"
	                       "RDATE:20260112T170000Z\r\n"
	                       "EXDATE;TZID=Europe/Paris:20260202T180000\r\n"
	                       "EXDATE;TZID=Europe/Paris:20260406T180000\r\n",
	                     "Europe/Paris", utc(2026, 1, 27, 12, 0), &start, &local, &cal),
	    0);
	assert_int_equal(start, utc(2026, 2, 9, 17, 0));
	assert_int_equal(local.month, 2);
	assert_int_equal(local.day, 9);
	assert_int_equal(local.hour, 18);
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_null(icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY));
	assert_int_equal(recur_from_ical(ev, &paris, (time_t)start, &s.rule, ex, 8, &nex,
	                     &english, err, sizeof(err)),
	    0);
	assert_int_equal(s.rule.times, 11); /* 16 less 4 past and the cancelled 2 Feb */
	assert_int_equal(nex, 1);
	assert_int_equal(ex[0].month, 4);
	assert_int_equal(ex[0].day, 6);
	memset(ov, 0, sizeof(ov));
	ov[0].date = ex[0];
	ov[0].cancelled = true;
	s.ov = ov;
	s.nov = 1;
	s.dtstart = (time_t)start;
	n = recur_expand(&s, 0, (time_t)-1, occ, 32);
	assert_int_equal(n, 10);
	assert_int_equal(occ[0].start, utc(2026, 2, 9, 17, 0));
	assert_int_equal(occ[7].start, utc(2026, 3, 30, 16, 0)); /* CEST from 29 Mar */
	assert_int_equal(occ[9].start, utc(2026, 4, 20, 16, 0)); /* the source's last */
	icalcomponent_free(cal);

	/* Nothing left (the first two), or a rule we cannot express: skipped as past. */
	for (size_t i = 0; i < 3; i++) {
		static const char *const past[] = {
			"RRULE:FREQ=WEEKLY;COUNT=3\r\n",
			"RRULE:FREQ=WEEKLY;UNTIL=20260126T235959Z\r\n",
			"RRULE:FREQ=YEARLY\r\n",
		};
		char lines[128];

		snprintf(lines, sizeof(lines),
		    "DTSTART;TZID=Europe/Paris:20260105T180000\r\n%s", past[i]);
		start = utc(2026, 1, 5, 17, 0);
		assert_int_equal(ahead(lines, "Europe/Paris", utc(2026, 1, 27, 12, 0),
		                     &start, &local, &cal),
		    -1);
		icalcomponent_free(cal);
	}
	/* A monthly series since 2018 with no end: its next first Saturday. */
	start = utc(2018, 1, 6, 13, 0);
	assert_int_equal(ahead("DTSTART;TZID=Europe/Berlin:20180106T140000\r\n"
	                       "RRULE:FREQ=MONTHLY;BYDAY=1SA\r\n",
	                     "Europe/Berlin", utc(2026, 1, 27, 12, 0), &start, &local, &cal),
	    0);
	assert_int_equal(start, utc(2026, 2, 7, 13, 0));
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_int_equal(icalproperty_get_rrule(
	                     icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY))
	                     .count,
	    0);
	icalcomponent_free(cal);
}

/* What the import refuses, named in its sentence. */
static void
test_import_refused(void **state)
{
	struct recur_rule r;
	struct when_local ex[8];
	size_t nex;
	char err[512];

	static const struct {
		const char *props, *named;
	} refused[] = {
		{ "RRULE:FREQ=YEARLY\r\n", "FREQ=YEARLY" },
		{ "RRULE:FREQ=HOURLY\r\n", "FREQ=HOURLY" },
		{ "RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\n", "BYDAY=MO,WE" },
		{ "RRULE:FREQ=WEEKLY;BYDAY=WE\r\n", "BYDAY=WE" },
		{ "RRULE:FREQ=MONTHLY;BYDAY=-1TU\r\n", "BYDAY=-1TU" },
		{ "RRULE:FREQ=MONTHLY;BYDAY=2TU\r\n", "BYDAY=2TU" },
		{ "RRULE:FREQ=MONTHLY;BYMONTHDAY=1,15\r\n", "BYMONTHDAY=1,15" },
		{ "RRULE:FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1\r\n", "BYSETPOS" },
		{ "RRULE:FREQ=DAILY;BYMONTH=1,2\r\n", "BYMONTH" },
		{ "RRULE:FREQ=DAILY;BYHOUR=9,17\r\n", "BYHOUR" },
		{ "RRULE:FREQ=DAILY;INTERVAL=400\r\n", "INTERVAL=400" },
		{ "RRULE:FREQ=WEEKLY\r\nRRULE:FREQ=DAILY\r\n", "more than one RRULE" },
		{ "RRULE:FREQ=WEEKLY\r\nEXRULE:FREQ=MONTHLY\r\n", "EXRULE" },
		{ "RDATE:20260305T230000Z\r\n", "RDATE:20260305T230000Z" },
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		err[0] = '\0';
		if (import(refused[i].props, &r, ex, &nex, err, sizeof(err)) == 0)
			fail_msg("accepted: %s", refused[i].props);
		if (strstr(err, refused[i].named) == NULL)
			fail_msg("%s: \"%s\" does not name %s", refused[i].props, err,
			    refused[i].named);
	}
}

/* Issue 15: a refusal in the reader's language, the rule's token kept as written. */
static void
test_import_refused_french(void **state)
{
	const struct ev_say french = { "fr", tr };
	struct recur_rule r;
	struct when_local ex[8];
	size_t nex;
	char err[512], exe[4096], dir[4200];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	/* The catalogue this build compiled: build/locale, next to build/tests. */
	assert_true(n > 0);
	exe[n] = '\0';
	snprintf(dir, sizeof(dir), "%s/../locale", dirname(exe));
	assert_int_equal(i18n_init(dir), 0);
	assert_int_equal(import_lang("RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\n", &r, ex, &nex,
	                     &french, err, sizeof(err)),
	    -1);
	assert_string_equal(err,
	    "il se répète avec BYDAY=MO,WE, ce que les séries de Convene ne peuvent pas "
	    "exprimer (chaque jour, chaque semaine, tous les N jours, semaines ou mois, chaque "
	    "mois le même jour de la semaine ou le même jour du mois, jusqu’à une date ou un "
	    "nombre de fois)");
	assert_int_equal(import_lang("RRULE:FREQ=WEEKLY\r\nRRULE:FREQ=DAILY\r\n", &r, ex,
	                     &nex, &french, err, sizeof(err)),
	    -1);
	assert_string_equal(err,
	    "il a plus d’une RRULE, ce que les séries de Convene ne peuvent pas exprimer");
	assert_int_equal(import_lang("RRULE:FREQ=DAILY\r\n"
	                             "EXDATE:20260225T230000Z,20260226T230000Z,"
	                             "20260227T230000Z,20260228T230000Z,20260301T230000Z,"
	                             "20260302T230000Z,20260303T230000Z,20260304T230000Z,"
	                             "20260305T230000Z\r\n",
	                     &r, ex, &nex, &french, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "il a plus de 8 occurrences annulées (EXDATE)");
	/* English for the next reader. */
	assert_int_equal(import("RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\n", &r, ex, &nex, err,
	                     sizeof(err)),
	    -1);
	assert_true(
	    strncmp(err, "it repeats with BYDAY=MO,WE, which Convene's series", 51) == 0);
}

/*
 * test_recur --expand ZONE DTSTART RULE FROM TO [x DATE]... [m DATE START]...
 * prints the series' RRULE, its words and its occurrences in [FROM, TO)
 * (instants in Unix seconds, DATE as YYYY-MM-DD: x cancels, m moves), for
 * tests/e2e/test_series_interop.py to hold against other clients.
 */
static int
emit(int argc, char **argv)
{
	struct recur_override ov[16];
	struct recur_series s = { .ov = ov };
	struct recur_occ occ[512];
	struct when_zone z;
	char buf[RECUR_TEXT_MAX], err[256];
	int n;

	if (argc < 7 || when_parse_zone(argv[2], &z) < 0 ||
	    recur_parse(argv[4], &s.rule, err, sizeof(err)) < 0) {
		fprintf(stderr,
		    "usage: test_recur --expand ZONE DTSTART RULE FROM TO "
		    "[x DATE]... [m DATE START]...\n");
		return 2;
	}
	s.zone = &z;
	s.dtstart = (time_t)strtoll(argv[3], NULL, 10);
	for (int i = 7; i < argc && s.nov < 16; s.nov++) {
		memset(&ov[s.nov], 0, sizeof(ov[s.nov]));
		if (i + 1 >= argc || when_parse_date(argv[i + 1], &ov[s.nov].date) < 0)
			return 2;
		if (strcmp(argv[i], "x") == 0) {
			ov[s.nov].cancelled = true;
			i += 2;
		} else if (strcmp(argv[i], "m") == 0 && i + 2 < argc) {
			ov[s.nov].start = (time_t)strtoll(argv[i + 2], NULL, 10);
			i += 3;
		} else {
			return 2;
		}
	}
	if (recur_check(&s.rule, &z, s.dtstart, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	recur_rrule(&s.rule, &z, s.dtstart, buf, sizeof(buf));
	printf("rrule %s\n", buf);
	recur_describe(&s.rule, &z, s.dtstart, buf, sizeof(buf));
	printf("describe %s\n", buf);
	n = recur_expand(&s, (time_t)strtoll(argv[5], NULL, 10),
	    (time_t)strtoll(argv[6], NULL, 10), occ, 512);
	for (int i = 0; i < n; i++)
		printf("occ %04d-%02d-%02d %lld%s\n", occ[i].date.year, occ[i].date.month,
		    occ[i].date.day, (long long)occ[i].start, occ[i].moved ? " moved" : "");
	icaltimezone_free_builtin_timezones();
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--expand") == 0)
		return emit(argc, argv);

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_grammar_canon),
		cmocka_unit_test(test_grammar_bad),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_french),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_dst_spring),
		cmocka_unit_test(test_dst_autumn),
		cmocka_unit_test(test_fifth_weekday),
		cmocka_unit_test(test_until_times),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_import_until),
		cmocka_unit_test(test_import_until_exdate),
		cmocka_unit_test(test_import_refused),
		cmocka_unit_test(test_import_begun),
		cmocka_unit_test(test_import_refused_french),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	icaltimezone_free_builtin_timezones();
	return rc;
}
