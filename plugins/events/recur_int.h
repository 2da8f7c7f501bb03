/*
 * recur_int.h: what recur.c shares with recur_import.c (the import of an
 * RRULE walks the same occurrences). Not for the rest of the plugin: use
 * recur.h.
 */
#ifndef EV_RECUR_INT_H
#define EV_RECUR_INT_H

#include "recur.h"

#pragma GCC visibility push(hidden)

extern const char *const recur_weekday_ical[7];

/* The sentences as written (English): for callers that tell nobody. */
extern const struct ev_say recur_source_say;

/* 0 (Sunday) to 6 of a local date. */
int recur_weekday(const struct when_local *l);

/* A date as one comparable number. */
long recur_day_key(const struct when_local *l);

/* The instant of a local time, by RFC 5545 3.3.5 in a gap or an overlap. */
time_t recur_instant(const struct when_zone *z, const struct when_local *l);

/* Walking the rule's occurrences in order: libical steps the wall clock. */
struct recur_walk {
	icalrecur_iterator *it;
	const struct recur_series *s;
	int steps;
};

int recur_walk_start(struct recur_walk *w, const struct recur_series *s);

/*
 * The local date and time of the next occurrence of the rule (cancelled or
 * moved ones too); false at the end. Its instant is recur_instant(): callers
 * that only compare dates skip that step, the costly one.
 */
bool recur_walk_next(struct recur_walk *w, struct when_local *date);

void recur_walk_end(struct recur_walk *w);

#pragma GCC visibility pop

#endif
