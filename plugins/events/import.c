/* import.c: iCalendar files into events Convene can hold. See import.h. */
#include "import.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#define DEFAULT_MINUTES 60	/* no DTEND and no DURATION */

/* Running out of memory is fatal, here only. */
static void *
imp_xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL) {
		fputs("events: out of memory\n", stderr);
		abort();
	}
	return p;
}

static char *
imp_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(imp_xrealloc(NULL, n), s, n);
}

void
imp_result_free(struct imp_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].source_uid);
		free(r->v[i].title);
		free(r->v[i].description);
		free(r->v[i].location);
		free(r->v[i].url);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* Cut s to at most max characters of valid UTF-8, in place. */
static void
cut_chars(char *s, size_t max)
{
	size_t chars = 0;

	for (char *p = s; *p; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		if (chars++ == max) {
			*p = '\0';
			return;
		}
	}
}

/*
 * A text of the calendar as one clean line (new string, caller frees): line
 * breaks become spaces before the host's cleaning, so no text can ever turn
 * into a second IRC line; runs of spaces shrink to one. NULL when s is NULL
 * or nothing is left; *bad when s is not valid UTF-8.
 */
static char *
one_line(const char *s, size_t max, imp_clean_fn clean, bool *bad)
{
	char err[160], *c, *o;

	if (s == NULL)
		return NULL;
	c = imp_xstrdup(s);
	for (char *p = c; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t' || *p == '\v' || *p == '\f')
			*p = ' ';
	if (clean(c, err, sizeof(err)) == -1) {
		*bad = true;
		free(c);
		return NULL;
	}
	o = c;
	for (char *p = c; *p; p++)
		if (*p != ' ' || (o > c && o[-1] != ' '))
			*o++ = *p;
	while (o > c && o[-1] == ' ')
		o--;
	*o = '\0';
	cut_chars(c, max);
	if (c[0] == '\0') {
		free(c);
		return NULL;
	}
	return c;
}

/* A link people may follow: http(s), printable ASCII without spaces, short. */
static char *
link_of(const char *s)
{
	if (s == NULL || strlen(s) > IMP_LINK_MAX ||
	    (strncasecmp(s, "https://", 8) != 0 && strncasecmp(s, "http://", 7) != 0))
		return NULL;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F)
			return NULL;
	return imp_xstrdup(s);
}

/* A source UID we can store and compare: printable, not empty, bounded. */
static bool
uid_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > IMP_UID_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7F)
			return false;
	return true;
}

/* A libical date-time as a checked wall-clock time. 0 or -1. */
static int
local_of(struct icaltimetype t, struct when_local *l)
{
	char d[32], h[16];

	if (t.year < WHEN_YEAR_MIN || t.year > WHEN_YEAR_MAX || t.hour < 0 || t.hour > 23 ||
	    t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 60)
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
	for (const char *p = tzid; p != NULL; p = strchr(p + 1, '/')) {
		const char *name = *p == '/' ? p + 1 : p;

		if (*name != '\0' && *name != '+' && *name != '-' && when_parse_zone(name, z) == 0)
			return 0;
	}
	return -1;
}

/* When a DTSTART or DTEND happens. */
struct moment {
	struct when_zone z;	/* the zone the event is kept in */
	struct when_local l;	/* wall clock in z */
	long long utc;
	bool date;		/* a date, not a time */
};

/*
 * Resolve a DTSTART/DTEND property: its TZID when we know the zone, else
 * the calendar's own VTIMEZONE (kept as UTC then), UTC for "Z", `deflt` for
 * floating times. A local time the clocks skip or repeat is read with the
 * offset before the change (RFC 5545 3.3.5) and kept at that fixed offset,
 * so it maps to one instant for good. 0 or -1.
 */
static int
moment_of(icalcomponent *cal, icalproperty *p, struct icaltimetype t,
    const struct when_zone *deflt, struct moment *m)
{
	icalparameter *tzp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	const char *tzid = tzp != NULL ? icalparameter_get_tzid(tzp) : NULL;
	struct when_zone utc;
	time_t inst, naive;
	int off[2];

	memset(m, 0, sizeof(*m));
	if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t))
		return -1;
	if (t.is_date) {
		m->date = true;
		return 0;
	}
	when_parse_zone("UTC", &utc);
	if (local_of(t, &m->l) == -1)
		return -1;
	if (tzid != NULL && known_zone(tzid, &m->z) == -1) {
		icaltimezone *own = cal != NULL ? icalcomponent_get_timezone(cal, tzid) : NULL;

		if (own == NULL)
			return -1;
		t.zone = NULL;
		m->utc = (long long)icaltime_as_timet_with_zone(t, own);
		m->z = utc;
		when_from_utc(&utc, (time_t)m->utc, &m->l);
		return 0;
	}
	if (tzid == NULL)
		m->z = icaltime_is_utc(t) ? utc : *deflt;
	if (when_to_utc(&m->z, &m->l, &inst, off) == WHEN_FIT_ONE) {
		m->utc = (long long)inst;
		return 0;
	}
	{
		int before = off[0], unused[2];
		char name[16];

		when_to_utc(&utc, &m->l, &naive, unused);
		m->utc = (long long)naive - before;
		when_format_offset(name, sizeof(name), before);
		if (when_parse_zone(name, &m->z) == -1)
			return -1;
		when_from_utc(&m->z, (time_t)m->utc, &m->l);
	}
	return 0;
}

/* Is this a calendar at all? Text that starts with BEGIN:VCALENDAR. */
static bool
looks_like_ics(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return len - i >= 15 && strncasecmp(s + i, "BEGIN:VCALENDAR", 15) == 0;
}

/* Does the text end with END:VCALENDAR? Else it was cut short. */
static bool
complete(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
	    s[len - 1] == '\n'))
		len--;
	return len >= 13 && strncasecmp(s + len - 13, "END:VCALENDAR", 13) == 0;
}

static bool
has(icalcomponent *ev, icalproperty_kind k)
{
	return icalcomponent_get_first_property(ev, k) != NULL;
}

/*
 * Did libical meet an error in this event that matters? An empty value
 * ("LOCATION:" is common in real feeds) only removes that property, which
 * is harmless unless it says when the event happens.
 */
static bool
broken(icalcomponent *ev)
{
	static const char *const vital[] = {
		"DTSTART", "DTEND", "DURATION", "UID", "RRULE", "RDATE", "RECURRENCE-ID",
		"STATUS",
	};

	for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_XLICERROR_PROPERTY);
	    p != NULL; p = icalcomponent_get_next_property(ev, ICAL_XLICERROR_PROPERTY)) {
		const char *msg = icalproperty_get_xlicerror(p);
		size_t n;

		if (msg == NULL || strncmp(msg, "No value for ", 13) != 0)
			return true;
		msg += 13;
		n = strcspn(msg, " ");
		if (strncmp(msg + n, " property", 9) != 0)
			return true;
		for (size_t i = 0; i < sizeof(vital) / sizeof(vital[0]); i++)
			if (strlen(vital[i]) == n && strncasecmp(msg, vital[i], n) == 0)
				return true;
	}
	return false;
}

/* Where an event goes: the result, or one of the skipped counts. */
enum verdict { TAKE, DUPLICATE, RECURRING, ALLDAY, TOO_LONG, PAST, CANCELLED, INVALID };

static bool
seen_uid(const struct imp_result *r, const char *uid)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].source_uid, uid) == 0)
			return true;
	return false;
}

/* Judge one VEVENT; on TAKE, fill *e. */
static enum verdict
judge(icalcomponent *cal, icalcomponent *ev, const struct imp_result *r,
    const struct when_zone *deflt, time_t now, imp_clean_fn clean, struct imp_event *e)
{
	icalproperty *ps = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	icalproperty *pe = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
	icalproperty *pu = icalcomponent_get_first_property(ev, ICAL_URL_PROPERTY);
	const char *uid = icalcomponent_get_uid(ev);
	struct moment start, end;
	long long secs;
	bool bad = false;

	if (has(ev, ICAL_RRULE_PROPERTY) || has(ev, ICAL_RDATE_PROPERTY) ||
	    has(ev, ICAL_RECURRENCEID_PROPERTY))
		return RECURRING;
	if (ps == NULL || !uid_ok(uid) || broken(ev) ||
	    moment_of(cal, ps, icalproperty_get_dtstart(ps), deflt, &start) == -1)
		return INVALID;
	if (start.date)
		return ALLDAY;
	if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
		return CANCELLED;
	if (pe != NULL) {
		if (moment_of(cal, pe, icalproperty_get_dtend(pe), deflt, &end) == -1 || end.date)
			return INVALID;
		secs = end.utc - start.utc;
	} else if (pd != NULL) {
		struct icaldurationtype d = icalproperty_get_duration(pd);

		if (icaldurationtype_is_bad_duration(d) || d.is_neg)
			return INVALID;
		secs = (long long)icaldurationtype_as_int(d);
	} else {
		secs = 60LL * DEFAULT_MINUTES;
	}
	if (secs <= 0)
		return INVALID;
	if (secs > 60LL * WHEN_DURATION_MAX)
		return TOO_LONG;
	if (start.utc <= (long long)now)
		return PAST;
	if (seen_uid(r, uid))
		return DUPLICATE;

	memset(e, 0, sizeof(*e));
	e->title = one_line(icalcomponent_get_summary(ev), IMP_TITLE_MAX, clean, &bad);
	e->description = one_line(icalcomponent_get_description(ev), IMP_TEXT_MAX, clean, &bad);
	e->location = one_line(icalcomponent_get_location(ev), IMP_SHORT_MAX, clean, &bad);
	if (bad) {
		free(e->title);
		free(e->description);
		free(e->location);
		return INVALID;
	}
	if (e->title == NULL)
		e->title = imp_xstrdup("Untitled event");
	e->url = link_of(pu != NULL ? icalproperty_get_url(pu) : NULL);
	e->source_uid = imp_xstrdup(uid);
	snprintf(e->tz, sizeof(e->tz), "%s", start.z.name);
	e->local = start.l;
	e->start_utc = start.utc;
	e->duration_min = (int)((secs + 59) / 60);
	return TAKE;
}

/* Every VEVENT of one VCALENDAR. */
static void
read_calendar(icalcomponent *cal, const struct when_zone *deflt, time_t now,
    imp_clean_fn clean, struct imp_result *r)
{
	struct imp_skipped *s = &r->skipped;

	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	    ev != NULL; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		struct imp_event e;

		switch (judge(cal, ev, r, deflt, now, clean, &e)) {
		case TAKE:
			r->v = imp_xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
			r->v[r->n++] = e;
			break;
		case DUPLICATE: s->duplicate++; break;
		case RECURRING: s->recurring++; break;
		case ALLDAY: s->allday++; break;
		case TOO_LONG: s->too_long++; break;
		case PAST: s->past++; break;
		case CANCELLED: s->cancelled++; break;
		case INVALID: s->invalid++; break;
		}
	}
}

int
imp_parse(const char *text, size_t len, const struct when_zone *deflt, time_t now,
    imp_clean_fn clean, struct imp_result *r, char *err, size_t errlen)
{
	icalcomponent *root;
	size_t ncal = 0;

	memset(r, 0, sizeof(*r));
	if (!looks_like_ics(text, len)) {
		snprintf(err, errlen, "that is not an iCalendar (.ics) file");
		return -1;
	}
	if (memchr(text, '\0', len) != NULL || !complete(text, len) ||
	    (root = icalparser_parse_string(text)) == NULL) {
		snprintf(err, errlen, "the calendar is malformed or cut short");
		return -1;
	}
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
		read_calendar(root, deflt, now, clean, r);
		ncal = 1;
	} else if (icalcomponent_isa(root) == ICAL_XROOT_COMPONENT) {
		for (icalcomponent *c = icalcomponent_get_first_component(root,
		    ICAL_VCALENDAR_COMPONENT); c != NULL;
		    c = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT), ncal++)
			read_calendar(c, deflt, now, clean, r);
	}
	icalcomponent_free(root);
	if (ncal == 0) {
		imp_result_free(r);
		snprintf(err, errlen, "the calendar is malformed or cut short");
		return -1;
	}
	return 0;
}

void
imp_source_url(const char *url, char *buf, size_t n)
{
	const char *p = strstr(url, "://"), *host, *at, *end;

	if (p == NULL) {
		snprintf(buf, n, "%s", "");
		return;
	}
	host = p + 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (at != NULL)
		host = at + 1;
	end = host + strcspn(host, "?#");
	snprintf(buf, n, "%.*s%.*s", (int)(p + 3 - url), url, (int)(end - host), host);
}
