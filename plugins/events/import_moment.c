/*
 * import_moment.c: when an imported DTSTART or DTEND happens, in a zone
 * Convene knows, or the reason it cannot tell, in the reader's language.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cv_ical.h"

#include "import.h"
#include "import_int.h"

/* A libical date-time as a checked wall-clock time. 0 or -1. */
static int
local_of(struct icaltimetype t, struct when_local *l)
{
	char d[32], h[16];

	if (t.year < WHEN_YEAR_MIN || t.year > WHEN_YEAR_MAX || t.hour < 0 ||
	    t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 60)
		return -1;
	snprintf(d, sizeof(d), "%04d-%02d-%02d", t.year, t.month, t.day);
	snprintf(h, sizeof(h), "%02d:%02d", t.hour, t.minute);
	if (when_parse_date(d, l) == -1 || when_parse_time(h, l) == -1)
		return -1;
	return 0;
}

/*
 * A zone we know by the TZID's name: the name itself, or what follows a
 * prefix some generators add ("/freeassociation.sourceforge.net/Europe/Paris").
 */
static int
known_zone(const char *tzid, struct when_zone *z)
{
	if (strlen(tzid) >= WHEN_ZONE_MAX * 2)
		return -1;
	/* Stop at the end: an empty TZID ("TZID=:") has no p + 1 to search. */
	for (const char *p = tzid; p != NULL && *p != '\0'; p = strchr(p + 1, '/')) {
		const char *name = *p == '/' ? p + 1 : p;

		if (*name != '\0' && *name != '+' && *name != '-' &&
		    when_parse_zone(name, z) == 0)
			return 0;
	}
	return -1;
}

/* Is tzid one of the zones this file may use? Else the reason in why. */
static bool
tzid_allowed(struct tzids *used, const char *tzid, const struct ev_say *say, char *why,
    size_t whylen)
{
	char q[48];

	for (int i = 0; i < used->n; i++)
		if (strncmp(used->name[i], tzid, sizeof(used->name[i]) - 1) == 0)
			return true;
	if (used->n < IMP_TZIDS_MAX) {
		snprintf(used->name[used->n++], sizeof(used->name[0]), "%s", tzid);
		return true;
	}
	quote(q, sizeof(q), tzid);
	snprintf(why, whylen,
	    say->tr(say->lang,
	        "its time zone \"%s\" is one more than the %d a file may use"),
	    q, IMP_TZIDS_MAX);
	return false;
}

/*
 * A time in the calendar's own VTIMEZONE `tzid`, kept as UTC. French gives
 * "son début" and "sa fin" their own words: each sentence is whole.
 */
static int
own_zone(icalcomponent *cal, const char *tzid, struct icaltimetype t, int year, bool end,
    struct moment *m, const struct ev_say *say, char *why, size_t whylen)
{
	icaltimezone *own = cal != NULL ? icalcomponent_get_timezone(cal, tzid) : NULL;
	char q[48];

	quote(q, sizeof(q), tzid);
	if (own == NULL) {
		snprintf(why, whylen,
		    end ? say->tr(say->lang,
		              "its end is in the unknown time zone \"%s\" (no VTIMEZONE "
		              "for it in the file)") :
		          say->tr(say->lang,
		              "its start is in the unknown time zone \"%s\" (no VTIMEZONE "
		              "for it in the file)"),
		    q);
		return -1;
	}
	if (t.year > year + IMP_ZONE_AHEAD) {
		snprintf(why, whylen,
		    end ? say->tr(say->lang,
		              "its end is more than %d years ahead in the file's own time "
		              "zone \"%s\"") :
		          say->tr(say->lang,
		              "its start is more than %d years ahead in the file's own time "
		              "zone \"%s\""),
		    IMP_ZONE_AHEAD, q);
		return -1;
	}
	t.zone = NULL;
	when_parse_zone("UTC", &m->z);
	m->utc = (long long)icaltime_as_timet_with_zone(t, own);
	when_from_utc(&m->z, (time_t)m->utc, &m->l);
	return 0;
}

/*
 * m->l in m->z, a local time the clocks skip or repeat read with the offset
 * before the change (RFC 5545 3.3.5) and kept at that fixed offset.
 */
static int
placed(struct moment *m, bool end, const struct ev_say *say, char *why, size_t whylen)
{
	struct when_zone utc;
	time_t inst, naive;
	int off[2], unused[2];
	char name[16];

	if (when_to_utc(&m->z, &m->l, &inst, off) == WHEN_FIT_ONE) {
		m->utc = (long long)inst;
		return 0;
	}
	when_parse_zone("UTC", &utc);
	when_to_utc(&utc, &m->l, &naive, unused);
	m->utc = (long long)naive - off[0];
	when_format_offset(name, sizeof(name), off[0]);
	if (when_parse_zone(name, &m->z) == -1) {
		snprintf(why, whylen,
		    end ? say->tr(say->lang, "its end cannot be placed in time") :
		          say->tr(say->lang, "its start cannot be placed in time"));
		return -1;
	}
	when_from_utc(&m->z, (time_t)m->utc, &m->l);
	return 0;
}

int
moment_of(icalcomponent *cal, icalproperty *p, struct icaltimetype t,
    const struct when_zone *deflt, int year, struct tzids *used, struct moment *m,
    bool end, const struct ev_say *say, char *why, size_t whylen)
{
	icalparameter *tzp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	const char *tzid = tzp != NULL ? icalparameter_get_tzid(tzp) : NULL;

	memset(m, 0, sizeof(*m));
	if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t)) {
		snprintf(why, whylen,
		    end ? say->tr(say->lang, "its end is not a valid date and time") :
		          say->tr(say->lang, "its start is not a valid date and time"));
		return -1;
	}
	if (t.is_date) {
		m->date = true;
		return 0;
	}
	if (local_of(t, &m->l) == -1) {
		snprintf(why, whylen,
		    end ?
		        say->tr(say->lang, "its end is not a real date between %d and %d") :
		        say->tr(say->lang, "its start is not a real date between %d and %d"),
		    WHEN_YEAR_MIN, WHEN_YEAR_MAX);
		return -1;
	}
	if (tzid != NULL && !tzid_allowed(used, tzid, say, why, whylen))
		return -1;
	if (tzid != NULL && known_zone(tzid, &m->z) == -1)
		return own_zone(cal, tzid, t, year, end, m, say, why, whylen);
	if (tzid == NULL) {
		if (icaltime_is_utc(t))
			when_parse_zone("UTC", &m->z);
		else
			m->z = *deflt;
	}
	return placed(m, end, say, why, whylen);
}
