/*
 * import.h: reading an iCalendar file someone gave a link to, for
 * `event import`. Pure: no host calls, no database, no clock of its own;
 * the text cleaning the host applies to chat is passed in. The fuzz harness
 * (tests/fuzz/fuzz_ics.c) and unit tests drive it directly.
 *
 * libical 3.0.16 parses; this file decides what Convene can hold. An event
 * is taken when it has one start time (not a date), no recurrence, lasts
 * from 1 minute to 7 days, and starts after `now`; every other VEVENT is
 * counted under the reason it was left out.
 */
#ifndef EV_IMPORT_H
#define EV_IMPORT_H

#include <stddef.h>
#include <time.h>

#include "when.h"

#pragma GCC visibility push(hidden)

#define IMP_TITLE_MAX 200	/* characters, as `event add` */
#define IMP_TEXT_MAX 1000	/* description */
#define IMP_SHORT_MAX 200	/* location */
#define IMP_LINK_MAX 400	/* url */
#define IMP_UID_MAX 255		/* bytes of a source UID */

/* One event to create. Strings are owned (imp_result_free frees them). */
struct imp_event {
	char *source_uid;	/* the calendar's UID, to skip it next time */
	char *title;		/* one line, cleaned, never empty */
	char *description;	/* one line, cleaned; NULL when none */
	char *location;
	char *url;		/* http(s) only; NULL when none or unusable */
	char tz[WHEN_ZONE_MAX];	/* IANA name, "UTC", or "+HH:MM" */
	struct when_local local;	/* the start's wall-clock time in tz */
	long long start_utc;
	int duration_min;
};

/* VEVENTs left out, by reason. */
struct imp_skipped {
	int duplicate;		/* the same UID twice in this calendar */
	int recurring;		/* RRULE, RDATE, RECURRENCE-ID */
	int allday;		/* DTSTART is a date */
	int too_long;		/* more than WHEN_DURATION_MAX minutes */
	int past;		/* starts at or before now */
	int cancelled;		/* STATUS:CANCELLED */
	int invalid;		/* no UID or start, bad values, libical errors */
};

struct imp_result {
	struct imp_event *v;
	size_t n;
	struct imp_skipped skipped;
};

/* The host's text_clean: 0, or -1 with a sentence in err (invalid UTF-8). */
typedef int (*imp_clean_fn)(char *s, char *err, size_t errlen);

/*
 * Read the calendar text[0..len) (NUL-terminated at len). Floating times
 * are in zone `deflt`. Returns 0 with the events in *r (free with
 * imp_result_free), or -1 with a sentence for people in err when the text
 * is not an iCalendar file or cannot be read as one.
 */
int imp_parse(const char *text, size_t len, const struct when_zone *deflt, time_t now,
    imp_clean_fn clean, struct imp_result *r, char *err, size_t errlen);
void imp_result_free(struct imp_result *r);

/*
 * The form of an import URL that is kept with the events: scheme, host and
 * path, without user info, query or fragment (which may hold a secret).
 * Into buf (cut to fit).
 */
void imp_source_url(const char *url, char *buf, size_t n);

#pragma GCC visibility pop

#endif
