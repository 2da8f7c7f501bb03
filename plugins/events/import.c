/* import.c: iCalendar files into events Convene can hold. See import.h. */
#include "import.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "import_int.h"
#include "recur.h"

#define DEFAULT_MINUTES 60 /* no DTEND and no DURATION */

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
	free(r->why);
	memset(r, 0, sizeof(*r));
}

size_t
imp_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/*
 * s shortened to at most max characters (new string; s is freed), ending
 * with "…" after the last whole word that fits. A single word longer than
 * the limit is cut between two characters, never inside one. s itself when
 * it fits.
 */
static char *
shorten(char *s, size_t max, bool *cut)
{
	size_t chars = 0, end = 0, space = 0;
	char *o;

	if (imp_chars(s) <= max)
		return s;
	*cut = true;
	/* Room for the ellipsis: max - 1 characters of text. */
	for (size_t i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		if (chars == max - 1) {
			end = i;
			break;
		}
		if (s[i] == ' ')
			space = i;
		chars++;
	}
	if (s[end] == ' ')
		space = end;
	if (space > 0)
		end = space;
	while (end > 0 && s[end - 1] == ' ')
		end--;
	o = cv_xrealloc(NULL, end + 4);
	memcpy(o, s, end);
	memcpy(o + end, "\xe2\x80\xa6", 4);
	free(s);
	return o;
}

/*
 * A text of the calendar as one clean line (new string, caller frees): line
 * breaks become spaces before the host's cleaning, so no text can ever turn
 * into a second IRC line; runs of spaces shrink to one; beyond max
 * characters it is shortened at a word (*cut). NULL when s is NULL or nothing
 * is left; *bad when s is not valid UTF-8.
 */
static char *
one_line(const char *s, size_t max, imp_clean_fn clean, bool *bad, bool *cut)
{
	char err[160], *c, *o;

	if (s == NULL)
		return NULL;
	c = cv_xstrdup(s);
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
	if (c[0] == '\0') {
		free(c);
		return NULL;
	}
	return shorten(c, max, cut);
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
	return cv_xstrdup(s);
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
	for (const char *p = tzid; p != NULL; p = strchr(p + 1, '/')) {
		const char *name = *p == '/' ? p + 1 : p;

		if (*name != '\0' && *name != '+' && *name != '-' &&
		    when_parse_zone(name, z) == 0)
			return 0;
	}
	return -1;
}

/* When a DTSTART or DTEND happens. */
struct moment {
	struct when_zone z;  /* the zone the event is kept in */
	struct when_local l; /* wall clock in z */
	long long utc;
	bool date; /* a date, not a time */
};

/* A name from the file, safe to quote in chat: printable ASCII, short. */
void
quote(char *buf, size_t n, const char *s)
{
	size_t i = 0;

	for (; s != NULL && *s != '\0' && i + 1 < n; s++)
		buf[i++] = (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7F ? *s : '?';
	buf[i] = '\0';
}

/*
 * The time zones a file's events named so far. Loading one of the system's
 * (libical builds it from tzdata, then expands its rules up to the year
 * asked) costs a few ms of the main loop, so a file may use only a few.
 */
struct tzids {
	char name[IMP_TZIDS_MAX][WHEN_ZONE_MAX * 2];
	int n;
};

/* Is tzid one of the zones this file may use? Else the reason in why. */
static bool
tzid_allowed(struct tzids *used, const char *tzid, char *why, size_t whylen)
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
	snprintf(why, whylen, "its time zone \"%s\" is one more than the %d a file may use",
	    q, IMP_TZIDS_MAX);
	return false;
}

/*
 * Resolve a DTSTART/DTEND property: its TZID when we know the zone, else
 * the calendar's own VTIMEZONE (kept as UTC then), UTC for "Z", `deflt` for
 * floating times. A local time the clocks skip or repeat is read with the
 * offset before the change (RFC 5545 3.3.5) and kept at that fixed offset,
 * so it maps to one instant for good. 0, or -1 with the reason in why.
 * The calendar's VTIMEZONEs went through zones_tame() first, and a time in
 * one is read only up to IMP_ZONE_AHEAD years after `year` (now): libical
 * expands a zone's rules up to the year it converts.
 */
static int
moment_of(icalcomponent *cal, icalproperty *p, struct icaltimetype t,
    const struct when_zone *deflt, int year, struct tzids *used, struct moment *m,
    const char *what, char *why, size_t whylen)
{
	icalparameter *tzp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	const char *tzid = tzp != NULL ? icalparameter_get_tzid(tzp) : NULL;
	struct when_zone utc;
	time_t inst, naive;
	int off[2];

	memset(m, 0, sizeof(*m));
	if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t)) {
		snprintf(why, whylen, "its %s is not a valid date and time", what);
		return -1;
	}
	if (t.is_date) {
		m->date = true;
		return 0;
	}
	when_parse_zone("UTC", &utc);
	if (local_of(t, &m->l) == -1) {
		snprintf(why, whylen, "its %s is not a real date between %d and %d", what,
		    WHEN_YEAR_MIN, WHEN_YEAR_MAX);
		return -1;
	}
	if (tzid != NULL && !tzid_allowed(used, tzid, why, whylen))
		return -1;
	if (tzid != NULL && known_zone(tzid, &m->z) == -1) {
		icaltimezone *own =
		    cal != NULL ? icalcomponent_get_timezone(cal, tzid) : NULL;
		char q[48];

		if (own == NULL) {
			quote(q, sizeof(q), tzid);
			snprintf(why, whylen,
			    "its %s is in the unknown time zone \"%s\" (no "
			    "VTIMEZONE for it in the file)",
			    what, q);
			return -1;
		}
		if (t.year > year + IMP_ZONE_AHEAD) {
			quote(q, sizeof(q), tzid);
			snprintf(why, whylen,
			    "its %s is more than %d years ahead in the file's own "
			    "time zone \"%s\"",
			    what, IMP_ZONE_AHEAD, q);
			return -1;
		}
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
		if (when_parse_zone(name, &m->z) == -1) {
			snprintf(why, whylen, "its %s cannot be placed in time", what);
			return -1;
		}
		when_from_utc(&m->z, (time_t)m->utc, &m->l);
	}
	return 0;
}

static bool
has(icalcomponent *ev, icalproperty_kind k)
{
	return icalcomponent_get_first_property(ev, k) != NULL;
}

/*
 * Did libical meet an error in this event that matters? An empty value
 * ("LOCATION:" is common in real feeds) only removes that property, which
 * is harmless unless it says when the event happens. When it matters, the
 * reason goes to why.
 */
static bool
broken(icalcomponent *ev, char *why, size_t whylen)
{
	static const char *const vital[] = {
		"DTSTART",
		"DTEND",
		"DURATION",
		"UID",
		"RRULE",
		"RDATE",
		"RECURRENCE-ID",
		"STATUS",
	};

	for (icalproperty *p =
	         icalcomponent_get_first_property(ev, ICAL_XLICERROR_PROPERTY);
	     p != NULL; p = icalcomponent_get_next_property(ev, ICAL_XLICERROR_PROPERTY)) {
		const char *msg = icalproperty_get_xlicerror(p);
		char q[80];
		size_t n;

		if (msg != NULL && strncmp(msg, "No value for ", 13) == 0) {
			msg += 13;
			n = strcspn(msg, " ");
			if (strncmp(msg + n, " property", 9) != 0)
				goto bad;
			for (size_t i = 0; i < sizeof(vital) / sizeof(vital[0]); i++)
				if (strlen(vital[i]) == n &&
				    strncasecmp(msg, vital[i], n) == 0) {
					snprintf(why, whylen, "its %.*s is empty", (int)n,
					    msg);
					return true;
				}
			continue;
		}
bad:
		/* "Can't parse as DATE-TIME value in DTSTART property. Removing ..." */
		quote(q, sizeof(q), icalproperty_get_xlicerror(p));
		q[strcspn(q, ".")] = '\0';
		snprintf(why, whylen, "a value cannot be read (%s)", q);
		return true;
	}
	return false;
}

/* Where an event goes: the result, or one of the skipped counts. */
enum verdict { TAKE, DUPLICATE, RECURRING, ALLDAY, TOO_LONG, PAST, CANCELLED, INVALID };

static bool
seen_uid(const struct imp_result *r, const char *uid)
{
	for (size_t i = r->n; i-- > 0;)
		if (strcmp(r->v[i].source_uid, uid) == 0)
			return true;
	return false;
}

/*
 * How long an event that starts at `start` lasts, from its DTEND or
 * DURATION: TAKE with *secs, or INVALID with why.
 */
static enum verdict
length_of(icalcomponent *cal, icalcomponent *ev, const struct moment *start,
    const struct when_zone *deflt, int year, struct tzids *used, long long *secs,
    char *why, size_t whylen)
{
	icalproperty *pe = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
	struct moment end;

	if (pe != NULL) {
		if (moment_of(cal, pe, icalproperty_get_dtend(pe), deflt, year, used,
		        &end, "end", why, whylen) == -1)
			return INVALID;
		if (end.date) {
			snprintf(why, whylen, "its start is a time but its end a date");
			return INVALID;
		}
		*secs = end.utc - start->utc;
	} else if (pd != NULL) {
		struct icaldurationtype d = icalproperty_get_duration(pd);

		if (icaldurationtype_is_bad_duration(d) || d.is_neg) {
			snprintf(why, whylen, "its DURATION is not a valid length of time");
			return INVALID;
		}
		*secs = (long long)icaldurationtype_as_int(d);
	} else {
		*secs = 60LL * DEFAULT_MINUTES;
	}
	if (*secs <= 0) {
		snprintf(why, whylen, "it ends %s it starts",
		    *secs == 0 ? "when" : "before");
		return INVALID;
	}
	return TAKE;
}

/* Fill *e from a VEVENT found fit: TAKE, or INVALID when its text is not UTF-8. */
static enum verdict
take(icalcomponent *ev, const char *uid, const struct moment *start, long long secs,
    imp_clean_fn clean, struct imp_event *e, char *why, size_t whylen)
{
	icalproperty *pu = icalcomponent_get_first_property(ev, ICAL_URL_PROPERTY);
	bool bad = false, cut[3] = { false, false, false };

	memset(e, 0, sizeof(*e));
	e->title =
	    one_line(icalcomponent_get_summary(ev), IMP_TITLE_MAX, clean, &bad, &cut[0]);
	e->description = one_line(icalcomponent_get_description(ev), IMP_TEXT_MAX, clean,
	    &bad, &cut[1]);
	e->location =
	    one_line(icalcomponent_get_location(ev), IMP_SHORT_MAX, clean, &bad, &cut[2]);
	if (bad) {
		free(e->title);
		free(e->description);
		free(e->location);
		snprintf(why, whylen, "its text is not valid UTF-8");
		return INVALID;
	}
	if (e->title == NULL)
		e->title = cv_xstrdup("Untitled event");
	e->shortened = (cut[0] ? IMP_CUT_TITLE : 0) | (cut[1] ? IMP_CUT_DESCRIPTION : 0) |
	    (cut[2] ? IMP_CUT_LOCATION : 0);
	e->url = link_of(pu != NULL ? icalproperty_get_url(pu) : NULL);
	e->source_uid = cv_xstrdup(uid);
	snprintf(e->tz, sizeof(e->tz), "%s", start->z.name);
	e->local = start->l;
	e->start_utc = start->utc;
	e->duration_min = (int)((secs + 59) / 60);
	return TAKE;
}

/*
 * An RRULE, RDATE and EXDATE the series of `event set N repeat` can take,
 * into e->repeat and e->ex; -1 with a sentence naming what it cannot.
 */
static int
series_check(icalcomponent *ev, const struct when_zone *z, long long start,
    struct imp_event *e, char *why, size_t whylen)
{
	struct recur_rule rule;

	e->repeat[0] = '\0';
	e->nex = 0;
	if (recur_from_ical(ev, z, (time_t)start, &rule, e->ex, IMP_EXDATES_MAX, &e->nex,
	        why, whylen) == -1)
		return -1;
	if (rule.freq != RECUR_NONE)
		recur_format(&rule, e->repeat, sizeof(e->repeat));
	else
		e->nex = 0;
	return 0;
}

/* Judge one VEVENT; on TAKE, fill *e; on INVALID, say why. */
static enum verdict
judge(icalcomponent *cal, icalcomponent *ev, const struct imp_result *r,
    const struct when_zone *deflt, time_t now, int year, struct tzids *used,
    imp_clean_fn clean, struct imp_event *e, char *why, size_t whylen)
{
	icalproperty *ps = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	const char *uid = icalcomponent_get_uid(ev);
	struct moment start;
	struct imp_event series;
	enum verdict v;
	long long secs;

	/* A value that cannot be read first: it is what the person must fix. */
	if (broken(ev, why, whylen))
		return INVALID;
	/* An override of one occurrence stays out; a series is read below. */
	if (has(ev, ICAL_RECURRENCEID_PROPERTY))
		return RECURRING;
	if (uid == NULL || uid[0] == '\0') {
		snprintf(why, whylen, "it has no UID");
		return INVALID;
	}
	if (!uid_ok(uid)) {
		snprintf(why, whylen,
		    "its UID is longer than %d bytes or holds control "
		    "characters",
		    IMP_UID_MAX);
		return INVALID;
	}
	if (ps == NULL) {
		snprintf(why, whylen, "it has no start (DTSTART)");
		return INVALID;
	}
	if (moment_of(cal, ps, icalproperty_get_dtstart(ps), deflt, year, used, &start,
	        "start", why, whylen) == -1)
		return INVALID;
	if (start.date)
		return ALLDAY;
	if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
		return CANCELLED;
	if (length_of(cal, ev, &start, deflt, year, used, &secs, why, whylen) == INVALID)
		return INVALID;
	if (secs > 60LL * WHEN_DURATION_MAX)
		return TOO_LONG;
	/* A series begun: the occurrences still to come (recur_import.c). */
	if (start.utc <= (long long)now &&
	    recur_ahead(ev, &start.z, now, IMP_EXDATES_MAX, &start.utc, &start.l) < 0)
		return PAST;
	if (seen_uid(r, uid))
		return DUPLICATE;
	if (series_check(ev, &start.z, start.utc, &series, why, whylen) == -1)
		return INVALID;
	if ((v = take(ev, uid, &start, secs, clean, e, why, whylen)) == TAKE) {
		memcpy(e->repeat, series.repeat, sizeof(e->repeat));
		memcpy(e->ex, series.ex, sizeof(e->ex));
		e->nex = series.nex;
	}
	return v;
}

/*
 * Add to r->why why the nth VEVENT of the file was refused, naming it by
 * its title; past IMP_WHY_MAX reasons only a count is kept.
 */
static void
refused(struct imp_result *r, int nth, icalcomponent *ev, imp_clean_fn clean,
    const char *why)
{
	char line[400], *title;
	bool bad = false, cut = false;
	size_t have = r->why != NULL ? strlen(r->why) : 0, n;

	if (++r->nwhy > IMP_WHY_MAX)
		return;
	title = one_line(icalcomponent_get_summary(ev), 40, clean, &bad, &cut);
	if (title != NULL)
		snprintf(line, sizeof(line), "%sevent %d (\"%s\"): %s",
		    have > 0 ? "; " : "", nth, title, why);
	else
		snprintf(line, sizeof(line), "%sevent %d: %s", have > 0 ? "; " : "", nth,
		    why);
	free(title);
	n = strlen(line);
	r->why = cv_xrealloc(r->why, have + n + 1);
	memcpy(r->why + have, line, n + 1);
}

/* Every VEVENT of one VCALENDAR; *nth counts them across the file. */
static void
read_calendar(icalcomponent *cal, const struct when_zone *deflt, time_t now, int year,
    struct tzids *used, imp_clean_fn clean, struct imp_result *r, int *nth)
{
	struct imp_skipped *s = &r->skipped;

	for (icalcomponent *ev =
	         icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev != NULL; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		struct imp_event e;
		char why[200];

		++*nth;
		switch (judge(cal, ev, r, deflt, now, year, used, clean, &e, why,
		    sizeof(why))) {
		case TAKE:
			r->v = cv_xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
			r->v[r->n++] = e;
			break;
		case DUPLICATE:
			s->duplicate++;
			break;
		case RECURRING:
			s->recurring++;
			break;
		case ALLDAY:
			s->allday++;
			break;
		case TOO_LONG:
			s->too_long++;
			break;
		case PAST:
			s->past++;
			break;
		case CANCELLED:
			s->cancelled++;
			break;
		case INVALID:
			s->invalid++;
			refused(r, *nth, ev, clean, why);
			break;
		}
	}
}

/* The VCALENDARs of a file in turn: one, or several (libical wraps them in an XROOT). */
static icalcomponent *
next_cal(icalcomponent *root, icalcomponent *c)
{
	if (c == NULL)
		return icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT ?
		    root :
		    icalcomponent_isa(root) == ICAL_XROOT_COMPONENT ?
		    icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT) :
		    NULL;
	return c == root ?
	    NULL :
	    icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT);
}

int
imp_parse(const char *text, size_t len, const struct when_zone *deflt, time_t now,
    imp_clean_fn clean, struct imp_result *r, char *err, size_t errlen)
{
	icalcomponent *root, *c;
	size_t ncal = 0;
	int nth = 0, year;
	char *ics;
	struct tm tm;
	struct tzids *used;

	memset(r, 0, sizeof(*r));
	if (!looks_like_ics(text, len)) {
		snprintf(err, errlen, "that is not an iCalendar (.ics) file");
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen,
		    "the file holds NUL bytes, which a calendar never does");
		return -1;
	}
	if ((ics = prepare(text, len, err, errlen)) == NULL)
		return -1;
	year = gmtime_r(&now, &tm) != NULL ? tm.tm_year + 1900 : WHEN_YEAR_MIN;
	root = icalparser_parse_string(ics);
	free(ics);
	if (root == NULL) {
		snprintf(err, errlen,
		    "the calendar cannot be read as iCalendar (RFC 5545)");
		return -1;
	}
	for (c = next_cal(root, NULL); c != NULL; c = next_cal(root, c), ncal++)
		if (zones_tame(c, year, err, errlen) == -1) {
			icalcomponent_free(root);
			return -1;
		}
	used = cv_xrealloc(NULL, sizeof(*used));
	used->n = 0;
	for (c = next_cal(root, NULL); c != NULL; c = next_cal(root, c))
		read_calendar(c, deflt, now, year, used, clean, r, &nth);
	free(used);
	icalcomponent_free(root);
	if (ncal == 0) {
		imp_result_free(r);
		snprintf(err, errlen, "the file holds no VCALENDAR that can be read");
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
