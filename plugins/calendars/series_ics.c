/* series_ics.c: a series as one VEVENT with its exceptions. See series_ics.h. */
#include "series_ics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

void
cal_series_group(struct cal_event *v, size_t *n)
{
	bool *moved = cal_xrealloc(NULL, (*n + 1) * sizeof(*moved));
	size_t o = 0;

	/* First in place, then the list closed up: pointers into v stay right. */
	for (size_t i = 0; i < *n; i++) {
		moved[i] = false;
		for (size_t k = 0; v[i].series_id != 0 && k < *n && !moved[i]; k++) {
			struct cal_event *s = &v[k];

			if (s->id != v[i].series_id || s->rrule == NULL)
				continue;
			s->occ = cal_xrealloc(s->occ, (s->nocc + 1) * sizeof(*s->occ));
			s->occ[s->nocc++] = v[i];
			moved[i] = true;
		}
	}
	for (size_t i = 0; i < *n; i++)
		if (!moved[i])
			v[o++] = v[i];
	*n = o;
	free(moved);
}

/*
 * Is occurrence o dated before the series' DTSTART? Only after `event set N
 * start` moved the series from then on: the occurrences held before keep
 * their own instants, given as RDATEs (see series_props).
 */
static bool
before_rule(const struct cal_event *s, const struct cal_event *o, icaltimezone *z)
{
	struct icaltimetype t = icaltime_from_timet_with_zone((time_t)s->start_utc, 0,
	    z != NULL ? z : icaltimezone_get_utc_timezone());
	int y, m, d;

	if (o->occ_date == NULL || sscanf(o->occ_date, "%d-%d-%d", &y, &m, &d) != 3)
		return false;
	return y * 10000 + m * 100 + d < t.year * 10000 + t.month * 100 + t.day;
}

/*
 * The instant the rule gives occurrence o: its original date at the
 * series' wall-clock time (the RECURRENCE-ID), in the series' zone; for one
 * before the rule's DTSTART, its RDATE, its own instant.
 */
static long long
rule_start(const struct cal_event *s, const struct cal_event *o, icaltimezone *z)
{
	struct icaltimetype t;
	int y, m, d;

	if (o->occ_date == NULL || sscanf(o->occ_date, "%d-%d-%d", &y, &m, &d) != 3 ||
	    before_rule(s, o, z))
		return o->start_utc;
	if (z == NULL) {
		/* UTC or a fixed offset: days are 86400 s. */
		struct icaltimetype a = icaltime_from_timet_with_zone((time_t)s->start_utc,
		    0, icaltimezone_get_utc_timezone());
		long long days;

		t = a;
		t.year = y, t.month = m, t.day = d;
		days = (long long)(icaltime_as_timet(t) - icaltime_as_timet(a)) / 86400;
		return s->start_utc + days * 86400;
	}
	t = icaltime_from_timet_with_zone((time_t)s->start_utc, 0, z);
	t.year = y, t.month = m, t.day = d;
	return (long long)icaltime_as_timet_with_zone(t, z);
}

static bool
same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

bool
series_changed(const struct cal_event *s, const struct cal_event *o, icaltimezone *z)
{
	return o->start_utc != rule_start(s, o, z) || o->duration_min != s->duration_min ||
	    !same_text(o->title, s->title) || !same_text(o->description, s->description) ||
	    !same_text(o->location, s->location) || !same_text(o->url, s->url);
}

static icalproperty *
new_rdate(struct icaltimetype t)
{
	struct icaldatetimeperiodtype v = { .time = t,
		.period = icalperiodtype_null_period() };

	return icalproperty_new_rdate(v);
}

/*
 * The RRULE, an EXDATE for each cancelled occurrence of the rule, and an
 * RDATE for each occurrence held before the rule's DTSTART (a series whose
 * start was changed from now on): a cancelled one of those is simply left out.
 */
void
series_props(icalcomponent *ev, const struct cal_event *s, icaltimezone *z)
{
	struct icalrecurrencetype rr = icalrecurrencetype_from_string(s->rrule);

	if (rr.freq == ICAL_NO_RECURRENCE)
		return;
	icalcomponent_add_property(ev, icalproperty_new_rrule(rr));
	for (size_t i = 0; i < s->nocc; i++) {
		const struct cal_event *o = &s->occ[i];
		bool before = before_rule(s, o, z);

		if (o->cancelled && !before)
			icalcomponent_add_property(ev,
			    ics_time_prop(icalproperty_new_exdate, rule_start(s, o, z), z,
			        s->tz));
		else if (!o->cancelled && before)
			icalcomponent_add_property(ev,
			    ics_time_prop(new_rdate, o->start_utc, z, s->tz));
	}
}

void
series_override(icalcomponent *ev, const struct cal_event *s, const struct cal_event *o,
    icaltimezone *z)
{
	icalproperty *p = icalcomponent_get_first_property(ev, ICAL_UID_PROPERTY);

	if (p != NULL)
		icalproperty_set_uid(p, s->uid);
	icalcomponent_add_property(ev,
	    ics_time_prop(icalproperty_new_recurrenceid, rule_start(s, o, z), z, s->tz));
}
