/*
 * Unit tests for plugins/events/import.c: what an iCalendar file becomes,
 * with the host's real text cleaning (bot/text.c) and libical's real parser.
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

#include "../../plugins/events/import.h"
#include "i18n.h"
#include "text.h"

#define NOW 1795000000LL /* 2026-11-18 */

static struct when_zone paris;
/* English, as the source reads: the host's tr("en", s) is s. */
static const struct ev_say english = { "en", tr };

static int
parse(const char *text, struct imp_result *r, char *err, size_t n)
{
	return imp_parse(text, strlen(text), &paris, (time_t)NOW, text_clean, &english, r,
	    err, n);
}

#define CAL(body) \
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" body "END:VCALENDAR\r\n"
#define EV(uid, rest) \
	"BEGIN:VEVENT\r\nUID:" uid "\r\nDTSTAMP:20260101T000000Z\r\n" rest "END:VEVENT\r\n"

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
	                     sizeof(err)),
	    -1);
	assert_string_equal(err, "the calendar is cut short: it has no END:VCALENDAR line");
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
	const char *ics = CAL(EV("utc",
	    "DTSTART:20270105T170000Z\r\nDTEND:20270105T183000Z\r\nSUMMARY:A\r\n") EV("ny",
	    "DTSTART;TZID=America/New_York:20270106T093000\r\nDURATION:PT2H\r\nSUMMARY:B\r\n") EV("float",
	    "DTSTART:20270107T140000\r\nSUMMARY:C\r\n") EV("prefixed",
	    "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Berlin:20270108T191500\r\n"
	    "SUMMARY:D\r\n") EV("rec",
	    "DTSTART:20270105T170000Z\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:R\r\n") EV("rid",
	    "DTSTART:20270105T170000Z\r\nRECURRENCE-ID:20270105T170000Z\r\nSUMMARY:R\r\n") EV("day",
	    "DTSTART;VALUE=DATE:20270105\r\nSUMMARY:H\r\n") EV("long",
	    "DTSTART:20270105T170000Z\r\nDTEND:20270113T170000Z\r\nSUMMARY:L\r\n") EV("past",
	    "DTSTART:20260105T170000Z\r\nSUMMARY:P\r\n") EV("off",
	    "DTSTART:20270105T170000Z\r\nSTATUS:CANCELLED\r\nSUMMARY:X\r\n") EV("zero",
	    "DTSTART:20270105T170000Z\r\nDTEND:20270105T170000Z\r\nSUMMARY:Z\r\n") EV("utc",
	    "DTSTART:20270105T170000Z\r\nSUMMARY:again\r\n") EV("badzone",
	    "DTSTART;TZID=Nowhere/Land:20270105T170000\r\nSUMMARY:Q\r\n") "BEGIN:VEVENT\r\nDTSTART:20270105T170000Z\r\nSUMMARY:no uid\r\nEND:VEVENT\r\n");

	assert_int_equal(parse(ics, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 5); /* the weekly series is taken (issue 16) */
	assert_string_equal(r.v[4].source_uid, "rec");
	assert_string_equal(r.v[4].repeat, "weekly");
	assert_string_equal(r.v[0].repeat, "");
	assert_string_equal(r.v[0].source_uid, "utc");
	assert_string_equal(r.v[0].tz, "UTC");
	assert_int_equal(r.v[0].start_utc, 1799168400LL); /* 2027-01-05 17:00Z */
	assert_int_equal(r.v[0].duration_min, 90);
	assert_string_equal(r.v[1].tz, "America/New_York");
	assert_int_equal(r.v[1].local.hour, 9);
	assert_int_equal(r.v[1].start_utc, 1799245800LL); /* 14:30Z */
	assert_int_equal(r.v[1].duration_min, 120);
	assert_string_equal(r.v[2].tz, "Europe/Paris");
	assert_int_equal(r.v[2].start_utc, 1799326800LL); /* 13:00Z */
	assert_int_equal(r.v[2].duration_min, 60);
	assert_string_equal(r.v[3].tz, "Europe/Berlin");
	assert_int_equal(r.skipped.recurring, 1); /* an override (RECURRENCE-ID) */
	assert_int_equal(r.skipped.allday, 1);
	assert_int_equal(r.skipped.too_long, 1);
	assert_int_equal(r.skipped.past, 1);
	assert_int_equal(r.skipped.cancelled, 1);
	assert_int_equal(r.skipped.duplicate, 1);
	assert_int_equal(r.skipped.invalid, 3); /* zero length, unknown zone, no UID */
	/* Each invalid one named, with a reason a person can act on. */
	assert_string_equal(r.why,
	    "event 11 (\"Z\"): it ends when it starts; "
	    "event 13 (\"Q\"): its start is in the unknown time zone \"Nowhere/Land\" "
	    "(no VTIMEZONE for it in the file); event 14 (\"no uid\"): it has no UID");
	imp_result_free(&r);
}

static void
test_texts_are_one_clean_line(void **state)
{
	struct imp_result r;
	char err[200];
	const char *ics = CAL(EV("t",
	    "DTSTART:20270105T170000Z\r\n"
	    "SUMMARY:Evil\\nPRIVMSG #x :pwned\\N\x02"
	    "bold\x02 \x03"
	    "04,01red\x03 \x1funder\x0f\r\n"
	    "DESCRIPTION:one\\n\\ntwo\\, three\\; four\r\n"
	    "LOCATION:  \r\n"
	    "URL:javascript:alert(1)\r\n") EV("u",
	    "DTSTART:20270105T170000Z\r\nSUMMARY:\r\nURL:https://example.org/x\r\n")
	        EV("bad", "DTSTART:20270105T170000Z\r\nSUMMARY:\xff\xfe\r\n"));

	assert_int_equal(parse(ics, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].title, "Evil PRIVMSG #x :pwned bold red under");
	assert_string_equal(r.v[0].description, "one two, three; four");
	assert_null(r.v[0].location);
	assert_null(r.v[0].url);
	assert_string_equal(r.v[1].title, "Untitled event");
	assert_string_equal(r.v[1].url, "https://example.org/x");
	assert_int_equal(r.skipped.invalid, 1); /* not UTF-8 */
	imp_result_free(&r);
}

/* The title of a real calendar (ical.js samples/long_summary.ics): 393 characters. */
static void
test_long_texts_are_kept_whole(void **state)
{
	struct imp_result r;
	char err[200], ics[8192], title[1200];

	memset(title, 0, sizeof(title));
	for (size_t i = 0; i < 300; i++)
		strcat(title, "\xc3\xa9"); /* é */
	snprintf(ics, sizeof(ics),
	    CAL(EV("l", "DTSTART:20270105T170000Z\r\nSUMMARY:%s\r\n") EV("k",
	        "DTSTART:20270105T170000Z\r\n"
	        "SUMMARY:Really long event name thing Really long event name thingReally lon\r\n"
	        " g event name thingReally long event name thingReally long event name thingR\r\n"
	        " eally long event name thingReally long event name thingReally long event na\r\n"
	        " me thingReally long event name thingReally long event name thingReally long\r\n"
	        "  event name thingReally long event name thingReally long event name thingRe\r\n"
	        " ally long event name thing\r\n")),
	    title);
	assert_int_equal(parse(ics, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(strlen(r.v[0].title), 600);
	assert_int_equal(r.v[0].shortened, 0);
	assert_int_equal(strlen(r.v[1].title), 393);
	assert_string_equal(r.v[1].title + 393 - 16, "event name thing");
	assert_int_equal(r.v[1].shortened, 0);
	imp_result_free(&r);
}

/* Beyond the limits: after the last whole word, or between characters. */
static void
test_longer_texts_are_shortened_at_a_word(void **state)
{
	struct imp_result r;
	char err[200], *ics, *title, *word;
	size_t n = 64 * 1024;

	ics = malloc(n);
	title = calloc(1, 4096);
	word = calloc(1, 4096);
	for (size_t i = 0; i < 100; i++)
		strcat(title, "word\xc3\xa9 "); /* 6 characters each: 600 */
	for (size_t i = 0; i < 600; i++)
		strcat(word, "\xc3\xa9");
	snprintf(ics, n,
	    CAL(EV("w", "DTSTART:20270105T170000Z\r\nSUMMARY:%s\r\nLOCATION:%s\r\n")
	            EV("v", "DTSTART:20270105T170000Z\r\nSUMMARY:%s\r\n")),
	    title, title, word);
	assert_int_equal(parse(ics, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 2);
	/* 83 whole words of 5 characters and their spaces, then the ellipsis. */
	assert_int_equal(strlen(r.v[0].title), 83 * 7 - 1 + 3);
	assert_string_equal(r.v[0].title + strlen(r.v[0].title) - 9,
	    "word\xc3\xa9\xe2\x80\xa6");
	assert_int_equal(r.v[0].shortened, IMP_CUT_TITLE | IMP_CUT_LOCATION);
	assert_string_equal(r.v[0].location, r.v[0].title);
	/* One word longer than the limit: 499 characters, whole, and the ellipsis. */
	assert_int_equal(strlen(r.v[1].title), 499 * 2 + 3);
	assert_int_equal(r.v[1].shortened, IMP_CUT_TITLE);
	assert_true(text_valid_utf8(r.v[1].title, strlen(r.v[1].title)));
	imp_result_free(&r);
	free(ics);
	free(title);
	free(word);
}

/* What real exports do that RFC 5545's meaning survives. */
static void
test_liberal_in_what_is_accepted(void **state)
{
	struct imp_result r;
	char err[200];

	/* A property after END:VCALENDAR (Podio), blank lines, a BOM, TAB folding, LF only. */
	assert_int_equal(
	    parse("\xef\xbb\xbf"
	          "BEGIN:VCALENDAR\nVERSION:2.0\n\nBEGIN:VEVENT\n"
	          "UID:a\nDTSTAMP:20260101T000000Z\n\nDTSTART:20270105T170000Z\nSUMMARY:Folded\n\t"
	          "with a tab\nEND:VEVENT\n\nEND:VCALENDAR\nX-STRAY:after the end\n\n",
	        &r, err, sizeof(err)),
	    0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].title, "Foldedwith a tab");
	imp_result_free(&r);
	/* A last line without its line break. */
	assert_int_equal(parse("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:b\r\n"
	                       "DTSTART:20270105T170000Z\r\nEND:VEVENT\r\nEND:VCALENDAR",
	                     &r, err, sizeof(err)),
	    0);
	assert_int_equal(r.n, 1);
	imp_result_free(&r);
}

static void
test_refusals_say_why(void **state)
{
	struct imp_result r;
	char err[200];
	const char *ics = CAL(EV("a", "SUMMARY:No start\r\n") EV("b",
	    "DTSTART:20270105T170000Z\r\nDTEND:20270105T160000Z\r\nSUMMARY:Backwards\r\n") EV("c",
	    "DTSTART:20270105T170000Z\r\nDURATION:P1X\r\nSUMMARY:Bad length\r\n") EV("d",
	    "DTSTART:22500105T170000Z\r\nSUMMARY:Far\r\n") EV("e",
	    "DTSTART:20270105T170000Z\r\nDTEND;VALUE=DATE:20270106\r\n") EV("f",
	    "DTSTART:20270105T170000Z\r\nSUMMARY:Sixth\r\n") "BEGIN:VEVENT\r\nDTSTART:20270105T170000Z\r\nEND:VEVENT\r\n");

	assert_int_equal(parse(ics, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.skipped.invalid, 6);
	assert_int_equal(r.nwhy, 6);
	assert_non_null(strstr(r.why, "event 1 (\"No start\"): it has no start (DTSTART)"));
	assert_non_null(strstr(r.why, "event 2 (\"Backwards\"): it ends before it starts"));
	assert_non_null(strstr(r.why, "event 3 (\"Bad length\"): "));
	assert_non_null(strstr(r.why,
	    "event 4 (\"Far\"): its start is not a real date between "
	    "1970 and 2199"));
	assert_non_null(strstr(r.why, "event 5: its start is a time but its end a date"));
	assert_null(strstr(r.why, "event 7")); /* past IMP_WHY_MAX: counted only */
	imp_result_free(&r);
}

#define NB "\u00a0" /* French: before ':' and inside « » */

/* The catalogue this build compiled: build/locale, next to build/tests. */
static int
bind_build_catalogue(void)
{
	char exe[4096], dir[4200];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	snprintf(dir, sizeof(dir), "%s/../locale", dirname(exe));
	return i18n_init(dir);
}

static int
parse_lang(const char *text, const char *lang, struct imp_result *r, char *err, size_t n)
{
	const struct ev_say say = { lang, tr };

	return imp_parse(text, strlen(text), &paris, (time_t)NOW, text_clean, &say, r,
	    err, n);
}

/* Issue 15: each reason in the reader's language, whole sentences in French. */
static void
test_refusals_in_french(void **state)
{
	struct imp_result r;
	char err[400];
	const char *ics = CAL(EV("a",
	    "DTSTART:20270105T170000Z\r\nDTEND:20270105T160000Z\r\nSUMMARY:À rebours\r\n") EV("b",
	    "DTSTART;TZID=Nowhere/Land:20270105T170000\r\nSUMMARY:Q\r\n") EV("c",
	    "DTSTART:20270105T170000Z\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Annuel\r\n") EV("d",
	    "DTSTART:notadate\r\nSUMMARY:Mauvaise date\r\n") "BEGIN:VEVENT\r\nDTSTART:20270105T170000Z\r\nSUMMARY:Sans UID\r\nEND:VEVENT\r\n");
	const char *more = CAL(EV("e", "SUMMARY:Sans début\r\n") EV("f",
	    "DTSTART:20270105T170000Z\r\nDTEND;VALUE=DATE:20270106\r\n") EV("g",
	    "DTSTART:20270105T170000Z\r\nDTEND:22500105T170000Z\r\n") EV("h",
	    "DTSTART:20270105T170000Z\r\nRRULE:FREQ=WEEKLY\r\nRRULE:FREQ=DAILY\r\n"));

	assert_int_equal(bind_build_catalogue(), 0);
	assert_int_equal(parse_lang(ics, "fr", &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 0);
	assert_string_equal(r.why,
	    "événement 1 («" NB "À rebours" NB "»)" NB ": il finit avant de commencer; "
	    "événement 2 («" NB "Q" NB "»)" NB
	    ": son début est dans le fuseau horaire inconnu "
	    "«" NB "Nowhere/Land" NB "» (le fichier n’a pas de VTIMEZONE pour lui); "
	    "événement 3 («" NB "Annuel" NB "»)" NB
	    ": il se répète avec FREQ=YEARLY, ce que les "
	    "séries de Convene ne peuvent pas exprimer (chaque jour, chaque semaine, tous les N "
	    "jours, semaines ou mois, chaque mois le même jour de la semaine ou le même jour du "
	    "mois, jusqu’à une date ou un nombre de fois); "
	    "événement 4 («" NB "Mauvaise date" NB "»)" NB
	    ": sa propriété DTSTART ne peut pas "
	    "être lue comme une valeur DATE-TIME; "
	    "événement 5 («" NB "Sans UID" NB "»)" NB ": il n’a pas d’UID");
	imp_result_free(&r);
	assert_int_equal(parse_lang(more, "fr", &r, err, sizeof(err)), 0);
	assert_string_equal(r.why,
	    "événement 1 («" NB "Sans début" NB "»)" NB ": il n’a pas de début (DTSTART); "
	    "événement 2" NB ": son début est une heure mais sa fin une date; "
	    "événement 3" NB ": sa fin n’est pas une vraie date entre 1970 et 2199; "
	    "événement 4" NB
	    ": il a plus d’une RRULE, ce que les séries de Convene ne peuvent "
	    "pas exprimer");
	imp_result_free(&r);
	/* The same file read for an English reader right after: English. */
	assert_int_equal(parse_lang(more, "en", &r, err, sizeof(err)), 0);
	assert_string_equal(r.why,
	    "event 1 (\"Sans début\"): it has no start (DTSTART); "
	    "event 2: its start is a time but its end a date; "
	    "event 3: its end is not a real date between 1970 and 2199; "
	    "event 4: it has more than one RRULE, which Convene's series cannot express");
	imp_result_free(&r);

	/* An empty TZID names no zone (it was once read past its end). */
	assert_int_equal(parse_lang(CAL(EV("z", "DTSTART;TZID=:20270105T170000\r\n")),
	                     "fr", &r, err, sizeof(err)),
	    0);
	assert_string_equal(r.why,
	    "événement 1" NB ": son début est dans le fuseau horaire inconnu «" NB NB
	    "» (le fichier n’a pas de VTIMEZONE pour lui)");
	imp_result_free(&r);

	/* No SUMMARY: titled as the organiser would have, in their language. */
	assert_int_equal(parse_lang(CAL(EV("t", "DTSTART:20270105T170000Z\r\n")), "fr",
	                     &r, err, sizeof(err)),
	    0);
	assert_string_equal(r.v[0].title, "Événement sans titre");
	imp_result_free(&r);

	/* A file refused whole, in French too. */
	assert_int_equal(parse_lang("<html></html>", "fr", &r, err, sizeof(err)), -1);
	assert_string_equal(err, "ce n’est pas un fichier iCalendar (.ics)");
	assert_int_equal(parse_lang("BEGIN:VCALENDAR\r\n", "fr", &r, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "le calendrier est tronqué" NB ": il n’a pas de ligne END:VCALENDAR");
	assert_int_equal(parse_lang(CAL("BEGIN:VTIMEZONE\r\nTZID:Evil\r\nBEGIN:STANDARD\r\n"
	                                "DTSTART:19700101T000000\r\nRRULE:FREQ=MINUTELY\r\n"
	                                "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\n"
	                                "END:STANDARD\r\nEND:VTIMEZONE\r\n"),
	                     "fr", &r, err, sizeof(err)),
	    -1);
	assert_string_equal(err,
	    "le fuseau horaire «" NB "Evil" NB "» a une règle qui n’est pas annuelle (RRULE "
	    "FREQ=MINUTELY); Convene n’accepte que des règles annuelles dans un VTIMEZONE");
}

#define ZONE(tzid, std, dst)                                                                    \
	"BEGIN:VTIMEZONE\r\nTZID:" tzid "\r\n"                                                  \
	"BEGIN:STANDARD\r\nDTSTART:16011028T030000\r\n" std "TZOFFSETFROM:+0200\r\n"            \
	"TZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\n" dst \
	"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
#define ZEV(tzid) EV("z", "DTSTART;TZID=" tzid ":20270701T100000\r\nSUMMARY:Z\r\n")

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * A file's own VTIMEZONE is expanded by libical in the main loop: a rule
 * that is not yearly (a 440-byte file froze the bot for minutes), or a day
 * that never comes, is refused before libical sees it; Outlook's zones
 * from 1601 still convert right, fast.
 */
static void
test_own_time_zones_are_bounded(void **state)
{
	struct imp_result r;
	char err[300];
	double t0 = cpu_ms();

	assert_int_equal(parse(CAL(ZONE("Evil", "RRULE:FREQ=MINUTELY\r\n",
	                           "RRULE:FREQ=MINUTELY\r\n") ZEV("Evil")),
	                     &r, err, sizeof(err)),
	    -1);
	assert_string_equal(err,
	    "the time zone \"Evil\" has a rule that is not yearly (RRULE "
	    "FREQ=MINUTELY); Convene accepts only yearly rules in a VTIMEZONE");
	assert_int_equal(parse(CAL(ZONE("Never",
	                           "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\n",
	                           "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n")
	                               ZEV("Never")),
	                     &r, err, sizeof(err)),
	    -1);
	assert_string_equal(err,
	    "the time zone \"Never\" has a rule for a day that never comes");
	assert_int_equal(parse(CAL(ZONE("Hourly", "RRULE:FREQ=YEARLY;BYHOUR=1,2,3\r\n",
	                           "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n")
	                               ZEV("Hourly")),
	                     &r, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "has a rule no time zone needs"));

	/* Outlook's W. Europe zone, from 1601: 2027-07-01 10:00 is 08:00Z. */
	assert_int_equal(
	    parse(CAL(ZONE("W. Europe Standard Time",
	              "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n",
	              "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n")
	                  ZEV("W. Europe Standard Time") EV("w",
	                      "DTSTART;TZID=W. Europe Standard Time:20271201T100000\r\nSUMMARY:W\r\n")),
	        &r, err, sizeof(err)),
	    0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].start_utc, 1814428800LL); /* 2027-07-01 08:00Z */
	assert_int_equal(r.v[1].start_utc, 1827651600LL); /* 2027-12-01 09:00Z */
	imp_result_free(&r);
	/* Too far ahead in such a zone: libical would expand up to that year. */
	assert_int_equal(parse(CAL(ZONE("Z", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n",
	                           "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n") EV("far",
	                           "DTSTART;TZID=Z:21900101T100000\r\nSUMMARY:Far\r\n")),
	                     &r, err, sizeof(err)),
	    0);
	assert_int_equal(r.n, 0);
	assert_non_null(
	    strstr(r.why, "more than 10 years ahead in the file's own time zone \"Z\""));
	imp_result_free(&r);
	assert_true(cpu_ms() - t0 < 1000);
}

/* How much one file may hold, counted before libical reads it. */
static void
test_size_caps(void **state)
{
	struct imp_result r;
	char err[300], *ics;
	size_t n = 2 * 1024 * 1024, len;

	ics = malloc(n);
	len = (size_t)snprintf(ics, n, "BEGIN:VCALENDAR\r\n");
	for (int i = 0; i <= IMP_EVENTS_MAX; i++)
		len += (size_t)snprintf(ics + len, n - len,
		    "BEGIN:VEVENT\r\nUID:%d\r\n"
		    "DTSTART:20270105T170000Z\r\nEND:VEVENT\r\n",
		    i);
	snprintf(ics + len, n - len, "END:VCALENDAR\r\n");
	assert_int_equal(parse(ics, &r, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "the calendar holds 501 events; Convene imports at most 500 "
	    "from one file");
	len = (size_t)snprintf(ics, n, "BEGIN:VCALENDAR\r\n");
	for (int i = 0; i <= IMP_LINES_MAX; i++)
		len += (size_t)snprintf(ics + len, n - len, "X-A:%d\r\n", i);
	snprintf(ics + len, n - len, "END:VCALENDAR\r\n");
	assert_int_equal(parse(ics, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Convene reads at most 10000 from one file"));
	free(ics);
}

/* Each zone of the system costs libical a few ms to load: at most 20 per file. */
static void
test_few_time_zones_per_file(void **state)
{
	static const char *const zones[] = {
		"Europe/Paris",
		"Europe/Berlin",
		"Europe/Rome",
		"Europe/Madrid",
		"Europe/Oslo",
		"Europe/Lisbon",
		"Europe/Vienna",
		"Europe/Prague",
		"Europe/Warsaw",
		"Europe/Athens",
		"Asia/Tokyo",
		"Asia/Seoul",
		"Asia/Dubai",
		"Asia/Kolkata",
		"Asia/Bangkok",
		"America/Chicago",
		"America/Denver",
		"America/Toronto",
		"America/Lima",
		"Africa/Cairo",
		"Africa/Lagos",
		"Australia/Perth",
	};
	struct imp_result r;
	char err[300], ics[8192];
	size_t len = (size_t)snprintf(ics, sizeof(ics), "BEGIN:VCALENDAR\r\n");

	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		len += (size_t)snprintf(ics + len, sizeof(ics) - len,
		    "BEGIN:VEVENT\r\nUID:%zu\r\n"
		    "DTSTART;TZID=%s:20270105T170000\r\nEND:VEVENT\r\n",
		    i, zones[i]);
	/* Zones already named cost nothing more. */
	len += (size_t)snprintf(ics + len, sizeof(ics) - len,
	    "BEGIN:VEVENT\r\nUID:again\r\n"
	    "DTSTART;TZID=Europe/Paris:20270105T170000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	assert_int_equal(parse(ics, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, IMP_TZIDS_MAX + 1);
	assert_int_equal(r.skipped.invalid, 2);
	assert_non_null(strstr(r.why,
	    "event 21: its time zone \"Africa/Lagos\" is one more than "
	    "the 20 a file may use"));
	imp_result_free(&r);
}

static void
test_dst_gap_is_kept_at_a_fixed_offset(void **state)
{
	struct imp_result r;
	char err[200];

	/* 2027-03-28 02:30 does not exist in Paris: read with the offset before (+01:00). */
	assert_int_equal(parse(CAL(EV("g",
	                           "DTSTART;TZID=Europe/Paris:20270328T023000\r\n"
	                           "SUMMARY:gap\r\n")),
	                     &r, err, sizeof(err)),
	    0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].tz, "+01:00");
	assert_int_equal(r.v[0].start_utc, 1806197400LL); /* 01:30Z */
	imp_result_free(&r);
}

static void
test_source_url(void **state)
{
	char b[200];

	imp_source_url("https://user:pw@cal.example.org/a/b.ics?token=s3cret#x", b,
	    sizeof(b));
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
		cmocka_unit_test(test_long_texts_are_kept_whole),
		cmocka_unit_test(test_longer_texts_are_shortened_at_a_word),
		cmocka_unit_test(test_liberal_in_what_is_accepted),
		cmocka_unit_test(test_refusals_say_why),
		cmocka_unit_test(test_refusals_in_french),
		cmocka_unit_test(test_own_time_zones_are_bounded),
		cmocka_unit_test(test_size_caps),
		cmocka_unit_test(test_few_time_zones_per_file),
		cmocka_unit_test(test_dst_gap_is_kept_at_a_fixed_offset),
		cmocka_unit_test(test_source_url),
	};

	when_parse_zone("Europe/Paris", &paris);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
