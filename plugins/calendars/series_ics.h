/*
 * series_ics.h: a series in a feed (issue 16). The events plugin keeps a
 * series as its own row (with its RRULE) and one row per occurrence; a
 * feed shows it as one VEVENT with RRULE, an EXDATE for each cancelled
 * occurrence (all three clients tested list a cancelled override), and an
 * override with RECURRENCE-ID for each occurrence that differs from the
 * rule, all under the series' UID.
 */
#ifndef CAL_SERIES_ICS_H
#define CAL_SERIES_ICS_H

#include <stdbool.h>
#include <stddef.h>

#include "cv_ical.h"

#include "ics.h"

#pragma GCC visibility push(hidden)

/* ics.c's DTSTART/DTEND maker: wall clock with TZID, or UTC. */
icalproperty *ics_time_prop(icalproperty *(*make)(struct icaltimetype), long long t,
    icaltimezone *z, const char *tzid);

/*
 * Moves each occurrence in v whose series is in v too into that series'
 * occ (a series keeps its place; occurrences of series not listed stay
 * events of their own). *n shrinks.
 */
void cal_series_group(struct cal_event *v, size_t *n);

/* The series' RRULE and its EXDATEs, on its VEVENT. */
void series_props(icalcomponent *ev, const struct cal_event *s, icaltimezone *z);

/* Does occurrence o differ from what the series' rule gives? */
bool series_changed(const struct cal_event *s, const struct cal_event *o, icaltimezone *z);

/* o's VEVENT made an override of s: s's UID and o's RECURRENCE-ID. */
void series_override(icalcomponent *ev, const struct cal_event *s,
    const struct cal_event *o, icaltimezone *z);

#pragma GCC visibility pop

#endif
