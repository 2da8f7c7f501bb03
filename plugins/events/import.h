/*
 * import.h: reading an iCalendar file someone gave a link to, for
 * `event import`. Pure: no host calls, no database, no clock of its own;
 * the text cleaning the host applies to chat is passed in. The fuzz harness
 * (tests/fuzz/fuzz_import.c) and unit tests drive it directly.
 *
 * libical 3.0.16 parses; this file decides what Convene can hold. An event
 * is taken when it has one start time (not a date), no recurrence, lasts
 * from 1 minute to 7 days, and starts after `now`; every other VEVENT is
 * counted under the reason it was left out, and an invalid one is named with
 * the reason in words.
 *
 * It runs in the bot's main loop, so the work a file can cause is bounded
 * before libical does it: at most IMP_EVENTS_MAX VEVENTs and IMP_LINES_MAX
 * lines, and VTIMEZONEs whose rules libical would expand (it steps through
 * every change from each observance's DTSTART) must be yearly and few.
 */
#ifndef EV_IMPORT_H
#define EV_IMPORT_H

#include <stddef.h>
#include <time.h>

#include "when.h"

#pragma GCC visibility push(hidden)

/*
 * Imported text is kept whole up to these (characters; `event add` and
 * `event set` take 200, 1000 and 200: calendars write longer), and beyond
 * them shortened after a whole word, with "…".
 */
#define IMP_TITLE_MAX 500 /* title */
#define IMP_TEXT_MAX 4000 /* description */
#define IMP_SHORT_MAX 500 /* location */
#define IMP_LINK_MAX 400  /* url */
#define IMP_UID_MAX 255   /* bytes of a source UID */
#define IMP_WHY_MAX 5     /* invalid events named with their reason */

/* What one file may hold; README "Publishing and importing" states them. */
#define IMP_EVENTS_MAX 500       /* VEVENTs */
#define IMP_LINES_MAX 10000      /* content lines */
#define IMP_TZIDS_MAX 20         /* time zones its events name */
#define IMP_ZONES_MAX 100        /* VTIMEZONEs */
#define IMP_OBSERVANCES_MAX 1000 /* their STANDARD/DAYLIGHT parts */
#define IMP_RDATES_MAX 2000      /* their RDATEs */
#define IMP_RULES_MAX 40         /* their RRULEs still in force */
#define IMP_COUNT_MAX 50         /* COUNT of one such RRULE */
#define IMP_ZONE_AHEAD 10        /* years ahead a time in the file's own zone may be */
#define IMP_EXDATES_MAX 16       /* cancelled occurrences (EXDATE) of one series */

/* Which texts of an event were shortened. */
#define IMP_CUT_TITLE 1
#define IMP_CUT_DESCRIPTION 2
#define IMP_CUT_LOCATION 4

/* One event to create. Strings are owned (imp_result_free frees them). */
struct imp_event {
	char *source_uid;  /* the calendar's UID, to skip it next time */
	char *title;       /* one line, cleaned, never empty */
	char *description; /* one line, cleaned; NULL when none */
	char *location;
	char *url;               /* http(s) only; NULL when none or unusable */
	char tz[WHEN_ZONE_MAX];  /* IANA name, "UTC", or "+HH:MM" */
	struct when_local local; /* the start's wall-clock time in tz */
	long long start_utc;
	int duration_min;
	unsigned shortened; /* IMP_CUT_* */
	/* A series (RRULE, EXDATE: recur_from_ical): its rule, or "". */
	char repeat[160];
	struct when_local ex[IMP_EXDATES_MAX]; /* its cancelled dates */
	size_t nex;
};

/* VEVENTs left out, by reason. */
struct imp_skipped {
	int duplicate; /* the same UID twice in this calendar */
	int recurring; /* RRULE, RDATE, RECURRENCE-ID */
	int allday;    /* DTSTART is a date */
	int too_long;  /* more than WHEN_DURATION_MAX minutes */
	int past;      /* starts at or before now */
	int cancelled; /* STATUS:CANCELLED */
	int invalid;   /* no UID or start, bad values, libical errors */
};

struct imp_result {
	struct imp_event *v;
	size_t n;
	struct imp_skipped skipped;
	/*
	 * The first IMP_WHY_MAX invalid events, each with its reason:
	 * `event 3 ("Title"): it has no UID; event 5: ...`. NULL when none.
	 */
	char *why;
	int nwhy; /* invalid events seen, named or not */
};

/* The host's text_clean: 0, or -1 with a sentence in err (invalid UTF-8). */
typedef int (*imp_clean_fn)(char *s, char *err, size_t errlen);

/*
 * Read the calendar text[0..len) (NUL-terminated at len). Floating times
 * are in zone `deflt`. Returns 0 with the events in *r (free with
 * imp_result_free), or -1 with a sentence for people in err when the text
 * is not an iCalendar file, cannot be read as one, or asks for more work
 * than the limits above, or libical cannot be opened (deflt NULL: the
 * default zone could not be made without it). The sentences (err, r->why)
 * are in say->lang.
 */
int imp_parse(const char *text, size_t len, const struct when_zone *deflt, time_t now,
    imp_clean_fn clean, const struct ev_say *say, struct imp_result *r, char *err,
    size_t errlen);
void imp_result_free(struct imp_result *r);

/*
 * The form of an import URL that is kept with the events: scheme, host and
 * path, without user info, query or fragment (which may hold a secret).
 * Into buf (cut to fit).
 */
void imp_source_url(const char *url, char *buf, size_t n);

/* Characters (code points) in valid UTF-8: the unit of the text limits. */
size_t imp_chars(const char *s);

#pragma GCC visibility pop

#endif
