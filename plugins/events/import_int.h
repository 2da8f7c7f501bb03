/*
 * import_int.h: what import.c, import_moment.c and import_prep.c share. Not
 * part of the importer's interface (import.h); hidden from the shared object.
 */
#ifndef CONVENE_IMPORT_INT_H
#define CONVENE_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "cv_ical.h"

#include "cv_xalloc.h"
#include "import.h"

#pragma GCC visibility push(hidden)

/* import.c */
void quote(char *buf, size_t n, const char *s);

/* import_prep.c: sentences in say->lang. */
bool looks_like_ics(const char *s, size_t len);
char *prepare(const char *text, size_t len, const struct ev_say *say, char *err,
    size_t errlen);
int zones_tame(icalcomponent *cal, int year, const struct ev_say *say, char *err,
    size_t errlen);

/* import_moment.c */

/* When a DTSTART or DTEND happens. */
struct moment {
	struct when_zone z;  /* the zone the event is kept in */
	struct when_local l; /* wall clock in z */
	long long utc;
	bool date; /* a date, not a time */
};

/*
 * The time zones a file's events named so far. Loading one of the system's
 * (libical builds it from tzdata, then expands its rules up to the year
 * asked) costs a few ms of the main loop, so a file may use only a few.
 */
struct tzids {
	char name[IMP_TZIDS_MAX][WHEN_ZONE_MAX * 2];
	int n;
};

/*
 * Resolve a DTSTART (end false) or DTEND property: its TZID when we know
 * the zone, else the calendar's own VTIMEZONE (kept as UTC then), UTC for
 * "Z", `deflt` for floating times. A local time the clocks skip or repeat
 * is read with the offset before the change (RFC 5545 3.3.5) and kept at
 * that fixed offset, so it maps to one instant for good. 0, or -1 with the
 * reason in why, in say->lang. The calendar's VTIMEZONEs went through
 * zones_tame() first, and a time in one is read only up to IMP_ZONE_AHEAD
 * years after `year` (now): libical expands a zone's rules up to the year
 * it converts.
 */
int moment_of(icalcomponent *cal, icalproperty *p, struct icaltimetype t,
    const struct when_zone *deflt, int year, struct tzids *used, struct moment *m,
    bool end, const struct ev_say *say, char *why, size_t whylen);

#pragma GCC visibility pop

#endif
