/*
 * recur.h: series rules of recurring events. Pure: no SQL, no host calls, no
 * clock of its own. It reads the organiser's RULE ("weekly until 2027-03-01"),
 * writes it as an RFC 5545 RRULE and as English, expands a series into UTC
 * instants (wall-clock time kept in the event's zone across DST changes,
 * cancelled and moved occurrences applied), and maps an imported RRULE,
 * RDATE and EXDATE onto a rule, or says which part it cannot take.
 *
 * Date arithmetic is libical's (icalrecur_iterator, on wall-clock times);
 * the step from wall clock to instant is when.c's, which follows RFC 5545
 * 3.3.5: a time in a gap takes the offset before the gap, a time in an
 * overlap its first instant.
 */
#ifndef EV_RECUR_H
#define EV_RECUR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cv_ical.h"

#include "when.h"

#pragma GCC visibility push(hidden)

#define RECUR_INTERVAL_MAX 99
#define RECUR_TIMES_MAX 999
#define RECUR_TEXT_MAX 160 /* RRULE text and descriptions fit */

enum recur_freq {
	RECUR_NONE = 0, /* not a series */
	RECUR_DAILY,
	RECUR_WEEKLY,          /* on the first occurrence's weekday */
	RECUR_MONTHLY_WEEKDAY, /* "the second Tuesday", from the first occurrence */
	RECUR_MONTHLY_DAY,     /* "on day 15" */
};

struct recur_rule {
	enum recur_freq freq;
	int interval; /* 1..RECUR_INTERVAL_MAX: every N days, weeks, months */
	int monthday; /* RECUR_MONTHLY_DAY: 1..31 */
	int times;    /* "times K": occurrences in all, 0 when not bounded so */
	bool has_until;
	struct when_local until; /* "until D": the last day (inclusive), local date */
};

/* One occurrence changed from the rule, named by its original local date. */
struct recur_override {
	struct when_local date; /* the date of N@YYYY-MM-DD */
	bool cancelled;
	time_t start; /* moved: its new start; 0 keeps the rule's */
};

/* A series as stored: the rule, the first occurrence and the exceptions. */
struct recur_series {
	struct recur_rule rule;
	const struct when_zone *zone;    /* borrowed */
	time_t dtstart;                  /* the first occurrence's instant */
	const struct recur_override *ov; /* borrowed, nov entries, any order */
	size_t nov;
};

/* One occurrence as people see it. */
struct recur_occ {
	struct when_local date; /* the original local date: the id N@date */
	time_t start;           /* its actual start (moved or not) */
	bool moved;
};

/*
 * The organiser's RULE, words separated by blanks, any case: "daily",
 * "weekly", "monthly", "monthly on day D", "every N days|weeks|months",
 * "every N months on day D", each optionally followed by "until YYYY-MM-DD"
 * or "times K"; or "none" (freq RECUR_NONE). 0, or -1 with a sentence.
 */
int recur_parse(const char *text, struct recur_rule *out, char *err, size_t errlen);
/* The same with the sentence in say->lang (recur_parse's is English). */
int recur_parse_say(const char *text, struct recur_rule *out, const struct ev_say *say,
    char *err, size_t errlen);

/*
 * The rule in the grammar recur_parse() reads, the same for every way of
 * writing it ("every 1 week" is "weekly"): what a store keeps and shows
 * back to organisers. "none" for RECUR_NONE.
 */
void recur_format(const struct recur_rule *r, char *buf, size_t n);

/*
 * Whether a rule fits a series starting at dtstart in zone z: "monthly on
 * day D" wants the first occurrence on day D, "until" must not be before
 * it. RFC 5545 leaves a DTSTART out of step with its rule undefined, and
 * clients differ, so such series are refused. 0, or -1 with a sentence.
 */
int recur_check(const struct recur_rule *r, const struct when_zone *z, time_t dtstart,
    char *err, size_t errlen);
int recur_check_say(const struct recur_rule *r, const struct when_zone *z, time_t dtstart,
    const struct ev_say *say, char *err, size_t errlen);

/*
 * The rule as an RRULE value, without "RRULE:" ("FREQ=MONTHLY;BYDAY=2TU;
 * UNTIL=20270301T225959Z"). UNTIL is a UTC DATE-TIME (RFC 5545 3.3.10: so
 * it must be when DTSTART has a TZID): the last second of the until day in
 * the series' zone. Empty for RECUR_NONE.
 */
void recur_rrule(const struct recur_rule *r, const struct when_zone *z, time_t dtstart,
    char *buf, size_t n);

/*
 * How the rule reads to people: "every Tuesday", "every 2 weeks on Tuesday",
 * "every month on the second Tuesday", "every month on day 15", with
 * ", until 1 Mar 2027" or ", 10 times". The one place for the words, so that
 * another language is one more table here. Empty for RECUR_NONE.
 */
void recur_describe(const struct recur_rule *r, const struct when_zone *z, time_t dtstart,
    char *buf, size_t n);
/*
 * The same in `lang` ("fr": "chaque mardi", "toutes les 2 semaines, le
 * mardi", "chaque mois, le deuxième mardi", "chaque mois, le 15", with
 * ", jusqu’au 1er mars 2027" or ", 10 fois"; anything else: English).
 */
void recur_describe_lang(const struct recur_rule *r, const struct when_zone *z,
    time_t dtstart, char *buf, size_t n, const char *lang);

/*
 * The occurrences of a series whose actual start is in [from, to), in order
 * of start, at most max of them: cancelled ones left out, moved ones at
 * their new start. to may be (time_t)-1 for "no end" with max as the bound
 * (the next max from `from`). The number written, or -1 when the series'
 * rule is RECUR_NONE (then the event is its dtstart alone: callers know).
 */
int recur_expand(const struct recur_series *s, time_t from, time_t to,
    struct recur_occ *out, size_t max);

/* Is `date` (local, in the series' zone) the date of an occurrence of the rule? */
bool recur_is_occurrence(const struct recur_series *s, const struct when_local *date);

/* The instant the rule gives the occurrence of `date`. 0, or -1 when none. */
int recur_start_of(const struct recur_series *s, const struct when_local *date,
    time_t *out);

/*
 * An imported VEVENT's RRULE, RDATE and EXDATE, for a series starting at
 * dtstart in zone z, as a rule (out) and cancelled dates (up to maxex of
 * them in ex, their number in *nex). An RDATE is taken only when it is
 * already an occurrence; an EXDATE that names no occurrence changes nothing
 * (RFC 5545) and is dropped; more than 4 * maxex + 4 RDATE and EXDATE values
 * are refused. Without an RRULE, out->freq is RECUR_NONE.
 * 0, or -1 with a sentence in say->lang naming the part it cannot take
 * ("FREQ=YEARLY", "BYDAY=MO,WE"), to follow "event 3: " (no capital, no
 * full stop).
 */
int recur_from_ical(icalcomponent *vevent, const struct when_zone *z, time_t dtstart,
    struct recur_rule *out, struct when_local *ex, size_t maxex, size_t *nex,
    const struct ev_say *say, char *err, size_t errlen);

/*
 * An imported series that began at or before now (*start, its DTSTART): the
 * occurrences still to come, exactly as the source calendar has them.
 * *start and *local become the first occurrence after now that no EXDATE
 * cancels, and the VEVENT is rewritten for recur_from_ical() to read from
 * there: COUNT less the occurrences before it (cancelled ones too, as RFC
 * 5545 counts them), RDATE and EXDATE values before it dropped; UID, UNTIL
 * and the later EXDATEs stay. 0, or -1 when no rule of ours is left to
 * take (none ahead, no RRULE, or one we cannot express).
 */
int recur_ahead(icalcomponent *vevent, const struct when_zone *z, time_t now,
    size_t maxex, long long *start, struct when_local *local);

#pragma GCC visibility pop

#endif
