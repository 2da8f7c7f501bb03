/* import.c: iCalendar files into events Convene can hold. See import.h. */
#include "import.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cv_ical.h"

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

/* A name from the file, safe to quote in chat: printable ASCII, short. */
void
quote(char *buf, size_t n, const char *s)
{
	size_t i = 0;

	for (; s != NULL && *s != '\0' && i + 1 < n; s++)
		buf[i++] = (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7F ? *s : '?';
	buf[i] = '\0';
}

static bool
has(icalcomponent *ev, icalproperty_kind k)
{
	return icalcomponent_get_first_property(ev, k) != NULL;
}

/*
 * libical's error about a value (X-LIC-ERROR, English) as a sentence in
 * say->lang: the property and the type it could not read it as, when
 * libical names them ("Can't parse as DATE-TIME value in DTSTART property.
 * Removing ..."), else what kind of text could not be read.
 */
static void
unreadable(const char *msg, const struct ev_say *say, char *why, size_t whylen)
{
	char kind[32], prop[32], qk[32], qp[32];

	if (msg != NULL &&
	    sscanf(msg, "Can't parse as %31s value in %31s property", kind, prop) == 2) {
		quote(qk, sizeof(qk), kind);
		quote(qp, sizeof(qp), prop);
		snprintf(why, whylen,
		    say->tr(say->lang, "its %s cannot be read as a %s value"), qp, qk);
	} else if (msg != NULL && strncmp(msg, "Parse error in property name", 28) == 0) {
		snprintf(why, whylen,
		    say->tr(say->lang, "a property's name cannot be read"));
	} else if (msg != NULL && strncmp(msg, "Can't parse parameter", 21) == 0) {
		snprintf(why, whylen,
		    say->tr(say->lang, "a property's parameter cannot be read"));
	} else {
		snprintf(why, whylen, say->tr(say->lang, "a line of it cannot be read"));
	}
}

/*
 * Did libical meet an error in this event that matters? An empty value
 * ("LOCATION:" is common in real feeds) only removes that property, which
 * is harmless unless it says when the event happens. When it matters, the
 * reason goes to why.
 */
static bool
broken(icalcomponent *ev, const struct ev_say *say, char *why, size_t whylen)
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
		size_t n;

		if (msg != NULL && strncmp(msg, "No value for ", 13) == 0) {
			msg += 13;
			n = strcspn(msg, " ");
			if (strncmp(msg + n, " property", 9) != 0)
				goto bad;
			for (size_t i = 0; i < sizeof(vital) / sizeof(vital[0]); i++)
				if (strlen(vital[i]) == n &&
				    strncasecmp(msg, vital[i], n) == 0) {
					snprintf(why, whylen,
					    say->tr(say->lang, "its %.*s is empty"),
					    (int)n, msg);
					return true;
				}
			continue;
		}
bad:
		unreadable(icalproperty_get_xlicerror(p), say, why, whylen);
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
    const struct ev_say *say, char *why, size_t whylen)
{
	icalproperty *pe = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
	struct moment end;

	if (pe != NULL) {
		if (moment_of(cal, pe, icalproperty_get_dtend(pe), deflt, year, used,
		        &end, true, say, why, whylen) == -1)
			return INVALID;
		if (end.date) {
			snprintf(why, whylen,
			    say->tr(say->lang, "its start is a time but its end a date"));
			return INVALID;
		}
		*secs = end.utc - start->utc;
	} else if (pd != NULL) {
		struct icaldurationtype d = icalproperty_get_duration(pd);

		if (icaldurationtype_is_bad_duration(d) || d.is_neg) {
			snprintf(why, whylen,
			    say->tr(say->lang,
			        "its DURATION is not a valid length of time"));
			return INVALID;
		}
		*secs = (long long)icaldurationtype_as_int(d);
	} else {
		*secs = 60LL * DEFAULT_MINUTES;
	}
	if (*secs <= 0) {
		snprintf(why, whylen,
		    *secs == 0 ? say->tr(say->lang, "it ends when it starts") :
		                 say->tr(say->lang, "it ends before it starts"));
		return INVALID;
	}
	return TAKE;
}

/* Fill *e from a VEVENT found fit: TAKE, or INVALID when its text is not UTF-8. */
static enum verdict
take(icalcomponent *ev, const char *uid, const struct moment *start, long long secs,
    imp_clean_fn clean, struct imp_event *e, const struct ev_say *say, char *why,
    size_t whylen)
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
		snprintf(why, whylen, say->tr(say->lang, "its text is not valid UTF-8"));
		return INVALID;
	}
	if (e->title == NULL)
		/* Stored as if the organiser had typed it: in their language. */
		e->title = cv_xstrdup(say->tr(say->lang, "Untitled event"));
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
    struct imp_event *e, const struct ev_say *say, char *why, size_t whylen)
{
	struct recur_rule rule;

	e->repeat[0] = '\0';
	e->nex = 0;
	if (recur_from_ical(ev, z, (time_t)start, &rule, e->ex, IMP_EXDATES_MAX, &e->nex,
	        say, why, whylen) == -1)
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
    imp_clean_fn clean, struct imp_event *e, const struct ev_say *say, char *why,
    size_t whylen)
{
	icalproperty *ps = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	const char *uid = icalcomponent_get_uid(ev);
	struct moment start;
	struct imp_event series;
	enum verdict v;
	long long secs;

	/* A value that cannot be read first: it is what the person must fix. */
	if (broken(ev, say, why, whylen))
		return INVALID;
	/* An override of one occurrence stays out; a series is read below. */
	if (has(ev, ICAL_RECURRENCEID_PROPERTY))
		return RECURRING;
	if (uid == NULL || uid[0] == '\0') {
		snprintf(why, whylen, say->tr(say->lang, "it has no UID"));
		return INVALID;
	}
	if (!uid_ok(uid)) {
		snprintf(why, whylen,
		    say->tr(say->lang,
		        "its UID is longer than %d bytes or holds control characters"),
		    IMP_UID_MAX);
		return INVALID;
	}
	if (ps == NULL) {
		snprintf(why, whylen, say->tr(say->lang, "it has no start (DTSTART)"));
		return INVALID;
	}
	if (moment_of(cal, ps, icalproperty_get_dtstart(ps), deflt, year, used, &start,
	        false, say, why, whylen) == -1)
		return INVALID;
	if (start.date)
		return ALLDAY;
	if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
		return CANCELLED;
	if (length_of(cal, ev, &start, deflt, year, used, &secs, say, why, whylen) ==
	    INVALID)
		return INVALID;
	if (secs > 60LL * WHEN_DURATION_MAX)
		return TOO_LONG;
	/* A series begun: the occurrences still to come (recur_import.c). */
	if (start.utc <= (long long)now &&
	    recur_ahead(ev, &start.z, now, IMP_EXDATES_MAX, &start.utc, &start.l) < 0)
		return PAST;
	if (seen_uid(r, uid))
		return DUPLICATE;
	if (series_check(ev, &start.z, start.utc, &series, say, why, whylen) == -1)
		return INVALID;
	if ((v = take(ev, uid, &start, secs, clean, e, say, why, whylen)) == TAKE) {
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
    const struct ev_say *say, const char *why)
{
	char line[600], *title, *o;
	bool bad = false, cut = false;
	size_t have = r->why != NULL ? strlen(r->why) : 0, n;

	if (++r->nwhy > IMP_WHY_MAX)
		return;
	title = one_line(icalcomponent_get_summary(ev), 40, clean, &bad, &cut);
	snprintf(line, sizeof(line), "%s", have > 0 ? "; " : "");
	o = line + strlen(line);
	if (title != NULL)
		snprintf(o, sizeof(line) - (size_t)(o - line),
		    say->tr(say->lang, "event %d (\"%s\"): %s"), nth, title, why);
	else
		snprintf(o, sizeof(line) - (size_t)(o - line),
		    say->tr(say->lang, "event %d: %s"), nth, why);
	free(title);
	n = strlen(line);
	r->why = cv_xrealloc(r->why, have + n + 1);
	memcpy(r->why + have, line, n + 1);
}

/* Every VEVENT of one VCALENDAR; *nth counts them across the file. */
static void
read_calendar(icalcomponent *cal, const struct when_zone *deflt, time_t now, int year,
    struct tzids *used, imp_clean_fn clean, const struct ev_say *say,
    struct imp_result *r, int *nth)
{
	struct imp_skipped *s = &r->skipped;

	for (icalcomponent *ev =
	         icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev != NULL; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		struct imp_event e;
		char why[400];

		++*nth;
		switch (judge(cal, ev, r, deflt, now, year, used, clean, &e, say, why,
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
			refused(r, *nth, ev, clean, say, why);
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
    imp_clean_fn clean, const struct ev_say *say, struct imp_result *r, char *err,
    size_t errlen)
{
	icalcomponent *root, *c;
	size_t ncal = 0;
	int nth = 0, year;
	char *ics;
	struct tm tm;
	struct tzids *used;

	memset(r, 0, sizeof(*r));
	if (!looks_like_ics(text, len)) {
		snprintf(err, errlen,
		    say->tr(say->lang, "that is not an iCalendar (.ics) file"));
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen,
		    say->tr(say->lang,
		        "the file holds NUL bytes, which a calendar never does"));
		return -1;
	}
	if (deflt == NULL || !cv_ical_ready()) { /* a broken install: logged */
		snprintf(err, errlen,
		    say->tr(say->lang,
		        "calendar files cannot be read on this server (libical is missing)"));
		return -1;
	}
	if ((ics = prepare(text, len, say, err, errlen)) == NULL)
		return -1;
	year = gmtime_r(&now, &tm) != NULL ? tm.tm_year + 1900 : WHEN_YEAR_MIN;
	root = icalparser_parse_string(ics);
	free(ics);
	if (root == NULL) {
		snprintf(err, errlen,
		    say->tr(say->lang,
		        "the calendar cannot be read as iCalendar (RFC 5545)"));
		return -1;
	}
	for (c = next_cal(root, NULL); c != NULL; c = next_cal(root, c), ncal++)
		if (zones_tame(c, year, say, err, errlen) == -1) {
			icalcomponent_free(root);
			return -1;
		}
	used = cv_xrealloc(NULL, sizeof(*used));
	used->n = 0;
	for (c = next_cal(root, NULL); c != NULL; c = next_cal(root, c))
		read_calendar(c, deflt, now, year, used, clean, say, r, &nth);
	free(used);
	icalcomponent_free(root);
	if (ncal == 0) {
		imp_result_free(r);
		snprintf(err, errlen,
		    say->tr(say->lang, "the file holds no VCALENDAR that can be read"));
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
