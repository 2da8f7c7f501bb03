/*
 * import_prep.c: what import.c does before libical reads a file: a quick
 * look that it is a calendar, the text cleaned and its size counted, and
 * the time zones' rules cut to the years that matter.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cv_ical.h"

#include "import.h"
#include "import_int.h"

/* Is this a calendar at all? Text that starts with BEGIN:VCALENDAR. */
bool
looks_like_ics(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return len - i >= 15 && strncasecmp(s + i, "BEGIN:VCALENDAR", 15) == 0;
}

/* Is the line s[0..n) this word, give or take trailing blanks? */
static bool
line_is(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n == w && strncasecmp(s, word, w) == 0;
}

/*
 * The calendar as libical should read it (new string, caller frees):
 * without a byte-order mark, blank lines, or what follows the last
 * END:VCALENDAR (real exports leave a stray line there; RFC 5545's meaning
 * is clear without it). Counts the work before libical does any: NULL
 * with a sentence when the text is cut short or holds more than Convene
 * reads at once.
 */
char *
prepare(const char *text, size_t len, const struct ev_say *say, char *err, size_t errlen)
{
	const char *p = text, *stop = text + len;
	char *o = cv_xrealloc(NULL, len + 3);
	size_t olen = 0, end = 0, lines = 0, events = 0;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		const char *next = nl != NULL ? nl + 1 : stop;
		size_t n = (size_t)(next - p);
		bool blank = true;

		for (size_t i = 0; i < n && blank; i++)
			blank = p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n';
		if (!blank) {
			memcpy(o + olen, p, n);
			olen += n;
			if (nl == NULL) {
				memcpy(o + olen, "\r\n", 2);
				olen += 2;
			}
			if (p[0] != ' ' && p[0] != '\t') {
				lines++;
				if (line_is(p, n - (nl != NULL), "BEGIN:VEVENT"))
					events++;
				else if (line_is(p, n - (nl != NULL), "END:VCALENDAR"))
					end = olen;
			}
		}
		p = next;
	}
	o[end] = '\0';
	if (end == 0)
		snprintf(err, errlen,
		    say->tr(say->lang,
		        "the calendar is cut short: it has no END:VCALENDAR line"));
	else if (events > IMP_EVENTS_MAX)
		snprintf(err, errlen,
		    say->tr(say->lang,
		        "the calendar holds %zu events; Convene imports at most %d from "
		        "one file"),
		    events, IMP_EVENTS_MAX);
	else if (lines > IMP_LINES_MAX)
		snprintf(err, errlen,
		    say->tr(say->lang,
		        "the calendar has %zu lines; Convene reads at most %d from one "
		        "file"),
		    lines, IMP_LINES_MAX);
	else
		return o;
	free(o);
	return NULL;
}

/* Entries of a libical BY* list. */
static int
by_count(const short *v, int size)
{
	int n = 0;

	while (n < size && v[n] != ICAL_RECURRENCE_ARRAY_MAX)
		n++;
	return n;
}

/*
 * Is this observance rule one a time zone uses: yearly, on set days, and
 * bound to happen every year or few? libical 3.0 steps through a rule year
 * by year inside one call until it finds a day (up to year 2582) and through
 * every change from the observance's DTSTART, so FREQ=MINUTELY, or a day
 * that never comes (BYMONTH=2;BYMONTHDAY=30), would hold the loop for
 * seconds or minutes. 0, or -1 with a sentence.
 */
static int
rule_ok(struct icalrecurrencetype rr, int dtmonth, const char *tz,
    const struct ev_say *say, char *err, size_t errlen)
{
	static const int mdays[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int months = by_count(rr.by_month, ICAL_BY_MONTH_SIZE);
	int ndays = by_count(rr.by_month_day, ICAL_BY_MONTHDAY_SIZE);
	int ydays = by_count(rr.by_year_day, ICAL_BY_YEARDAY_SIZE);
	int days = by_count(rr.by_day, ICAL_BY_DAY_SIZE);
	const char *f = icalrecur_freq_to_string(rr.freq);
	bool some = ndays == 0;

	if (rr.freq != ICAL_YEARLY_RECURRENCE) {
		snprintf(err, errlen,
		    say->tr(say->lang,
		        "the time zone \"%s\" has a rule that is not yearly (RRULE "
		        "FREQ=%s); Convene accepts only yearly rules in a VTIMEZONE"),
		    tz, f != NULL ? f : "?");
		return -1;
	}
	if (by_count(rr.by_second, ICAL_BY_SECOND_SIZE) > 0 ||
	    by_count(rr.by_minute, ICAL_BY_MINUTE_SIZE) > 0 ||
	    by_count(rr.by_hour, ICAL_BY_HOUR_SIZE) > 0 ||
	    by_count(rr.by_week_no, ICAL_BY_WEEKNO_SIZE) > 0 ||
	    by_count(rr.by_set_pos, ICAL_BY_SETPOS_SIZE) > 0 || rr.interval > 1 ||
	    (ydays > 0 && (months > 0 || ndays > 0 || days > 0)) ||
	    rr.count > IMP_COUNT_MAX) {
		snprintf(err, errlen,
		    say->tr(say->lang,
		        "the time zone \"%s\" has a rule no time zone needs (only "
		        "BYMONTH, BYDAY and BYMONTHDAY, or BYYEARDAY, and COUNT up to %d, "
		        "are accepted)"),
		    tz, IMP_COUNT_MAX);
		return -1;
	}
	/* Some month must hold some listed day, and a weekday's nth must exist. */
	for (int i = 0; i < (months > 0 ? months : 1) && !some; i++) {
		int m = months > 0 ? rr.by_month[i] : dtmonth;

		for (int k = 0; k < ndays && !some; k++)
			some = m >= 1 && m <= 12 && abs(rr.by_month_day[k]) <= mdays[m];
	}
	for (int i = 0; i < days && some; i++)
		some = abs(icalrecurrencetype_day_position(rr.by_day[i])) <=
		    (months > 0 || ndays > 0 ? 5 : 53);
	for (int i = 0; i < ydays && some; i++)
		some = abs(rr.by_year_day[i]) <= 365;
	if (!some) {
		snprintf(err, errlen,
		    say->tr(say->lang,
		        "the time zone \"%s\" has a rule for a day that never comes"),
		    tz);
		return -1;
	}
	return 0;
}

/* What a calendar's zones hold so far, against IMP_RDATES_MAX and IMP_RULES_MAX. */
struct tame_counts {
	int rdates, rules;
};

/*
 * One STANDARD/DAYLIGHT part o of zone tz: its RDATEs counted, its rules
 * checked and trimmed (see zones_tame). 0, or -1 with a sentence.
 */
static int
observance_tame(icalcomponent *o, const char *tz, int year, struct tame_counts *c,
    const struct ev_say *say, char *err, size_t errlen)
{
	icalproperty *ds = icalcomponent_get_first_property(o, ICAL_DTSTART_PROPERTY);
	struct icaltimetype start =
	    ds != NULL ? icalproperty_get_dtstart(ds) : icaltime_null_time();
	icalproperty *p, *next;

	for (p = icalcomponent_get_first_property(o, ICAL_ANY_PROPERTY); p != NULL;
	     p = next) {
		struct icalrecurrencetype rr;

		next = icalcomponent_get_next_property(o, ICAL_ANY_PROPERTY);
		if (icalproperty_isa(p) == ICAL_RDATE_PROPERTY &&
		    ++c->rdates > IMP_RDATES_MAX) {
			snprintf(err, errlen,
			    say->tr(say->lang,
			        "the calendar's time zones have more than %d RDATEs"),
			    IMP_RDATES_MAX);
			return -1;
		}
		if (icalproperty_isa(p) != ICAL_RRULE_PROPERTY)
			continue;
		rr = icalproperty_get_rrule(p);
		if (rule_ok(rr, start.month, tz, say, err, errlen) == -1)
			return -1;
		if ((!icaltime_is_null_time(rr.until) && rr.until.year < year - 1) ||
		    (rr.count > 0 && start.year + rr.count < year - 1)) {
			icalcomponent_remove_property(o, p);
			icalproperty_free(p);
			continue;
		}
		if (++c->rules > IMP_RULES_MAX) {
			snprintf(err, errlen,
			    say->tr(say->lang,
			        "the calendar's time zones have more than %d rules in force"),
			    IMP_RULES_MAX);
			return -1;
		}
		if (ds != NULL && rr.count == 0 && start.year < year - 1) {
			start.year = year - 1;
			if (start.month == 2 && start.day == 29)
				start.day = 28;
			icalproperty_set_dtstart(ds, start);
		}
	}
	return 0;
}

/*
 * Check every VTIMEZONE of a calendar, and trim what libical would expand,
 * before it expands anything: it steps through every change of a rule from
 * the observance's DTSTART (1601 in Outlook's files) to the year of the time
 * it converts. Only changes from the year before `year` on can matter to an
 * event that starts after now, so a rule that ended before is dropped (its
 * DTSTART still counts) and an older DTSTART of a rule is moved to that
 * year, same day and time. 0, or -1 with a sentence.
 */
int
zones_tame(icalcomponent *cal, int year, const struct ev_say *say, char *err, size_t errlen)
{
	struct tame_counts c = { 0, 0 };
	int zones = 0, observances = 0;

	for (icalcomponent *z =
	         icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	     z != NULL;
	     z = icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT)) {
		icalproperty *idp = icalcomponent_get_first_property(z, ICAL_TZID_PROPERTY);
		char tz[48];

		quote(tz, sizeof(tz), idp != NULL ? icalproperty_get_tzid(idp) : "");
		if (++zones > IMP_ZONES_MAX) {
			snprintf(err, errlen,
			    say->tr(say->lang,
			        "the calendar defines more than %d time zones"),
			    IMP_ZONES_MAX);
			return -1;
		}
		for (icalcomponent *o =
		         icalcomponent_get_first_component(z, ICAL_ANY_COMPONENT);
		     o != NULL;
		     o = icalcomponent_get_next_component(z, ICAL_ANY_COMPONENT)) {
			if (++observances > IMP_OBSERVANCES_MAX) {
				snprintf(err, errlen,
				    say->tr(say->lang,
				        "the calendar's time zones have more than %d "
				        "STANDARD/DAYLIGHT parts"),
				    IMP_OBSERVANCES_MAX);
				return -1;
			}
			if (observance_tame(o, tz, year, &c, say, err, errlen) == -1)
				return -1;
		}
	}
	return 0;
}
