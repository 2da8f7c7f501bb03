/* recur_import.c: an imported RRULE, RDATE and EXDATE as a series rule. See recur.h. */
#include "recur_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- import ---- */

/* How many entries of a BY array are set. */
static int
by_len(const short *a, int size)
{
	int n = 0;

	while (n < size && a[n] != ICAL_RECURRENCE_ARRAY_MAX)
		n++;
	return n;
}

/* "BYDAY=MO,2TU" of a rule, to name it in a refusal. */
static void
byday_text(const struct icalrecurrencetype *rr, char *buf, size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "BYDAY=");

	for (int i = 0; i < by_len(rr->by_day, ICAL_BY_DAY_SIZE) && len < n; i++) {
		int pos = icalrecurrencetype_day_position(rr->by_day[i]);
		int wd = (int)icalrecurrencetype_day_day_of_week(rr->by_day[i]) - 1;

		len += (size_t)snprintf(buf + len, n - len, "%s", i > 0 ? "," : "");
		if (pos != 0 && len < n)
			len += (size_t)snprintf(buf + len, n - len, "%d", pos);
		if (len < n)
			len += (size_t)snprintf(buf + len, n - len, "%s",
			    wd >= 0 && wd < 7 ? recur_weekday_ical[wd] : "?");
	}
}

static void
bymonthday_text(const struct icalrecurrencetype *rr, char *buf, size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "BYMONTHDAY=");

	for (int i = 0; i < by_len(rr->by_month_day, ICAL_BY_MONTHDAY_SIZE) && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%d", i > 0 ? "," : "",
		    rr->by_month_day[i]);
}

/* The refusal naming `part` (a rule's token, as the file writes it), in say->lang. */
static int
refuse(const struct ev_say *say, char *err, size_t errlen, const char *part)
{
	snprintf(err, errlen,
	    say->tr(say->lang,
	        "it repeats with %s, which Convene's series cannot express (daily, "
	        "weekly, every N days/weeks/months, monthly on the same weekday or on "
	        "one day of the month, until a date or a number of times)"),
	    part);
	return -1;
}

/* Refuses the parts of an RRULE no rule of ours has. 0, or -1 with a sentence. */
static int
rule_parts(const struct icalrecurrencetype *rr, const struct ev_say *say, char *err,
    size_t errlen)
{
	static const struct {
		int size;
		size_t off;
		const char *name;
	} never[] = {
		{ ICAL_BY_SECOND_SIZE, offsetof(struct icalrecurrencetype, by_second),
		    "BYSECOND" },
		{ ICAL_BY_MINUTE_SIZE, offsetof(struct icalrecurrencetype, by_minute),
		    "BYMINUTE" },
		{ ICAL_BY_HOUR_SIZE, offsetof(struct icalrecurrencetype, by_hour),
		    "BYHOUR" },
		{ ICAL_BY_YEARDAY_SIZE, offsetof(struct icalrecurrencetype, by_year_day),
		    "BYYEARDAY" },
		{ ICAL_BY_WEEKNO_SIZE, offsetof(struct icalrecurrencetype, by_week_no),
		    "BYWEEKNO" },
		{ ICAL_BY_MONTH_SIZE, offsetof(struct icalrecurrencetype, by_month),
		    "BYMONTH" },
		{ ICAL_BY_SETPOS_SIZE, offsetof(struct icalrecurrencetype, by_set_pos),
		    "BYSETPOS" },
	};
	char part[96];

	if (rr->freq != ICAL_DAILY_RECURRENCE && rr->freq != ICAL_WEEKLY_RECURRENCE &&
	    rr->freq != ICAL_MONTHLY_RECURRENCE) {
		const char *f = icalrecur_freq_to_string(rr->freq);

		snprintf(part, sizeof(part), "FREQ=%s", f != NULL ? f : "?");
		return refuse(say, err, errlen, part);
	}
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (by_len((const short *)((const char *)rr + never[i].off),
		        never[i].size) > 0)
			return refuse(say, err, errlen, never[i].name);
	if (rr->interval > RECUR_INTERVAL_MAX) {
		snprintf(part, sizeof(part), "INTERVAL=%d", rr->interval);
		return refuse(say, err, errlen, part);
	}
	if (rr->count > RECUR_TIMES_MAX) {
		snprintf(part, sizeof(part), "COUNT=%d", rr->count);
		return refuse(say, err, errlen, part);
	}
	return 0;
}

/* out->freq (and monthday) from FREQ, BYDAY and BYMONTHDAY. 0, or -1 with a sentence. */
static int
rule_freq(const struct icalrecurrencetype *rr, const struct when_local *first,
    struct recur_rule *out, const struct ev_say *say, char *err, size_t errlen)
{
	int ndays = by_len(rr->by_day, ICAL_BY_DAY_SIZE);
	int nmdays = by_len(rr->by_month_day, ICAL_BY_MONTHDAY_SIZE);
	char part[96];

	if (rr->freq == ICAL_DAILY_RECURRENCE || rr->freq == ICAL_WEEKLY_RECURRENCE) {
		bool weekly = rr->freq == ICAL_WEEKLY_RECURRENCE;

		if (nmdays > 0) {
			bymonthday_text(rr, part, sizeof(part));
			return refuse(say, err, errlen, part);
		}
		/* WEEKLY;BYDAY=<the first occurrence's weekday> is plain weekly. */
		if (ndays > 0 &&
		    (!weekly || ndays > 1 ||
		        icalrecurrencetype_day_position(rr->by_day[0]) != 0 ||
		        (int)icalrecurrencetype_day_day_of_week(rr->by_day[0]) - 1 !=
		            recur_weekday(first))) {
			byday_text(rr, part, sizeof(part));
			return refuse(say, err, errlen, part);
		}
		out->freq = weekly ? RECUR_WEEKLY : RECUR_DAILY;
	} else if (ndays > 0) {
		int pos = icalrecurrencetype_day_position(rr->by_day[0]);

		if (nmdays > 0 || ndays > 1 || pos != (first->day - 1) / 7 + 1 ||
		    (int)icalrecurrencetype_day_day_of_week(rr->by_day[0]) - 1 !=
		        recur_weekday(first)) {
			byday_text(rr, part, sizeof(part));
			return refuse(say, err, errlen, part);
		}
		out->freq = RECUR_MONTHLY_WEEKDAY;
	} else {
		/* FREQ=MONTHLY alone repeats on DTSTART's day (RFC 5545 3.3.10). */
		if (nmdays > 1 || (nmdays == 1 && rr->by_month_day[0] != first->day)) {
			bymonthday_text(rr, part, sizeof(part));
			return refuse(say, err, errlen, part);
		}
		out->freq = RECUR_MONTHLY_DAY;
		out->monthday = first->day;
	}
	return 0;
}

/* The local day of the last occurrence at or before a DATE-TIME UNTIL. */
static void
until_day(const struct icalrecurrencetype *rr, const struct when_zone *z,
    const struct when_local *first, struct when_local *u)
{
	time_t t = icaltime_is_utc(rr->until) ? icaltime_as_timet(rr->until) :
	                                        recur_instant(z, u);
	struct when_local at;

	when_from_utc(z, t, u);
	at = *u;
	at.hour = first->hour, at.minute = first->minute;
	if (recur_instant(z, &at) > t) {
		/* The day before, by the calendar: days are 23 to 25 hours long. */
		struct tm tm = { .tm_year = u->year - 1900,
			.tm_mon = u->month - 1,
			.tm_mday = u->day - 1,
			.tm_hour = 12 };
		time_t prev = timegm(&tm);

		gmtime_r(&prev, &tm);
		u->year = tm.tm_year + 1900, u->month = tm.tm_mon + 1, u->day = tm.tm_mday;
	}
}

/* The RRULE as a rule of ours, or -1 with a sentence naming what is not. */
static int
rule_of(const struct icalrecurrencetype *rr, const struct when_zone *z, time_t dtstart,
    struct recur_rule *out, const struct ev_say *say, char *err, size_t errlen)
{
	struct when_local first;

	memset(out, 0, sizeof(*out));
	when_from_utc(z, dtstart, &first);
	if (rule_parts(rr, say, err, errlen) < 0)
		return -1;
	out->interval = rr->interval > 1 ? rr->interval : 1;
	out->times = rr->count > 0 ? rr->count : 0;
	if (rule_freq(rr, &first, out, say, err, errlen) < 0)
		return -1;
	if (!icaltime_is_null_time(rr->until)) {
		struct when_local u = { .year = rr->until.year,
			.month = rr->until.month,
			.day = rr->until.day,
			.hour = rr->until.hour,
			.minute = rr->until.minute };

		if (!rr->until.is_date)
			until_day(rr, z, &first, &u);
		u.hour = u.minute = 0;
		if (recur_day_key(&u) < recur_day_key(&first)) {
			memset(out, 0, sizeof(*out)); /* only DTSTART is left */
			return 0;
		}
		out->has_until = true;
		out->until = u;
	}
	return 0;
}

/*
 * The instant of an RDATE or EXDATE value: in UTC, in its TZID (the
 * calendar's VTIMEZONE first, then libical's zone of that name), or
 * floating, read in the series' zone. A DATE gives its day in *date.
 */
static int
value_instant(icalcomponent *vevent, icalproperty *p, struct icaltimetype tt,
    const struct when_zone *z, time_t *t, bool *is_date, struct when_local *date)
{
	icalparameter *tzp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	struct when_local l = { .year = tt.year,
		.month = tt.month,
		.day = tt.day,
		.hour = tt.hour,
		.minute = tt.minute };

	*is_date = tt.is_date;
	*date = l;
	if (tt.is_date)
		return 0;
	if (icaltime_is_utc(tt)) {
		*t = icaltime_as_timet(tt);
	} else if (tzp != NULL && strcmp(icalparameter_get_tzid(tzp), z->name) != 0) {
		const char *tzid = icalparameter_get_tzid(tzp);
		icalcomponent *cal = icalcomponent_get_parent(vevent);
		icaltimezone *zone =
		    cal != NULL ? icalcomponent_get_timezone(cal, tzid) : NULL;

		if (zone == NULL && (zone = icaltimezone_get_builtin_timezone(tzid)) == NULL)
			return -1;
		*t = icaltime_as_timet_with_zone(tt, zone);
	} else {
		*t = recur_instant(z, &l);
	}
	return 0;
}

/* An RDATE or EXDATE value, matched against the rule's occurrences. */
struct dated {
	icalproperty *p;
	bool exdate, is_date, found;
	time_t t;
	struct when_local day;  /* the value's local day in the series' zone */
	struct when_local date; /* the occurrence it names, once found */
};

/*
 * Match every value against the occurrences in one walk, up to the last
 * value: an RDATE or EXDATE each walking from DTSTART would let a file of
 * far-off dates hold the plugin for seconds.
 */
static void
match_dates(const struct recur_series *s, struct dated *d, size_t n)
{
	struct when_local date;
	struct recur_walk w;
	long last_day = 0;
	size_t left = n;

	for (size_t i = 0; i < n; i++) {
		if (!d[i].is_date)
			when_from_utc(s->zone, d[i].t, &d[i].day);
		if (recur_day_key(&d[i].day) > last_day)
			last_day = recur_day_key(&d[i].day);
	}
	if (n == 0 || recur_walk_start(&w, s) < 0)
		return;
	while (left > 0 && recur_walk_next(&w, &date) && recur_day_key(&date) <= last_day)
		for (size_t i = 0; i < n; i++) {
			if (d[i].found || recur_day_key(&date) != recur_day_key(&d[i].day) ||
			    (!d[i].is_date && recur_instant(s->zone, &date) != d[i].t))
				continue;
			d[i].found = true;
			d[i].date = date;
			left--;
		}
	recur_walk_end(&w);
}

/*
 * The RDATE and EXDATE values of a VEVENT, each with its instant, in *d
 * (*nd of them, to free). 0, or -1 with a sentence.
 */
static int
collect_dates(icalcomponent *vevent, const struct when_zone *z, size_t maxex,
    struct dated **d, size_t *nd, const struct ev_say *say, char *err, size_t errlen)
{
	size_t cap = 0;
	char part[64];

	for (icalproperty *p = icalcomponent_get_first_property(vevent, ICAL_ANY_PROPERTY);
	     p != NULL; p = icalcomponent_get_next_property(vevent, ICAL_ANY_PROPERTY)) {
		icalproperty_kind k = icalproperty_isa(p);
		struct dated *x;
		struct icaltimetype tt;

		if (k != ICAL_RDATE_PROPERTY && k != ICAL_EXDATE_PROPERTY)
			continue;
		snprintf(part, sizeof(part), "%s:%s",
		    k == ICAL_RDATE_PROPERTY ? "RDATE" : "EXDATE",
		    icalproperty_get_value_as_string(p));
		if (*nd == 4 * maxex + 4) {
			snprintf(err, errlen,
			    say->tr(say->lang,
			        "it has more than %zu RDATE and EXDATE values"),
			    4 * maxex + 4);
			return -1;
		}
		if (*nd == cap &&
		    (*d = realloc(*d, (cap = cap * 2 + 8) * sizeof(**d))) == NULL)
			abort();
		x = &(*d)[*nd];
		memset(x, 0, sizeof(*x));
		x->p = p;
		x->exdate = k == ICAL_EXDATE_PROPERTY;
		tt = x->exdate ? icalproperty_get_exdate(p) :
		                 icalproperty_get_rdate(p).time;
		/* An RDATE of a PERIOD has a null time: no series of ours has one. */
		if (icaltime_is_null_time(tt) ||
		    value_instant(vevent, p, tt, z, &x->t, &x->is_date, &x->day) < 0)
			return refuse(say, err, errlen, part);
		(*nd)++;
	}
	return 0;
}

/* The matched values as cancelled dates, or -1 with a sentence. */
static int
apply_dates(struct dated *d, size_t nd, time_t dtstart, struct when_local *ex,
    size_t maxex, size_t *nex, const struct ev_say *say, char *err, size_t errlen)
{
	char part[64];

	for (size_t i = 0; i < nd; i++) {
		bool seen = false;

		/* RDATE on the first occurrence, or on one the rule makes, adds nothing. */
		if (!d[i].exdate && !d[i].found && !(d[i].t == dtstart && !d[i].is_date)) {
			snprintf(part, sizeof(part), "RDATE:%s",
			    icalproperty_get_value_as_string(d[i].p));
			return refuse(say, err, errlen, part);
		}
		if (!d[i].exdate || !d[i].found)
			continue;
		d[i].date.hour = d[i].date.minute = 0;
		for (size_t j = 0; j < *nex; j++)
			seen |= recur_day_key(&ex[j]) == recur_day_key(&d[i].date);
		if (seen)
			continue;
		if (*nex == maxex) {
			snprintf(err, errlen,
			    say->tr(say->lang,
			        "it has more than %zu cancelled occurrences (EXDATE)"),
			    maxex);
			return -1;
		}
		ex[(*nex)++] = d[i].date;
	}
	return 0;
}

int
recur_from_ical(icalcomponent *vevent, const struct when_zone *z, time_t dtstart,
    struct recur_rule *out, struct when_local *ex, size_t maxex, size_t *nex,
    const struct ev_say *say, char *err, size_t errlen)
{
	struct recur_series s = { .zone = z, .dtstart = dtstart };
	struct dated *d = NULL;
	size_t nd = 0;
	int rules = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	*nex = 0;
	if (icalcomponent_get_first_property(vevent, ICAL_EXRULE_PROPERTY) != NULL)
		return refuse(say, err, errlen, "EXRULE");
	for (icalproperty *p =
	         icalcomponent_get_first_property(vevent, ICAL_RRULE_PROPERTY);
	     p != NULL; p = icalcomponent_get_next_property(vevent, ICAL_RRULE_PROPERTY)) {
		struct icalrecurrencetype rr = icalproperty_get_rrule(p);

		if (++rules > 1) {
			snprintf(err, errlen,
			    say->tr(say->lang,
			        "it has more than one RRULE, which Convene's series cannot "
			        "express"));
			return -1;
		}
		if (rule_of(&rr, z, dtstart, out, say, err, errlen) < 0)
			return -1;
	}
	s.rule = *out;
	if (collect_dates(vevent, z, maxex, &d, &nd, say, err, errlen) == 0) {
		match_dates(&s, d, nd);
		rc = apply_dates(d, nd, dtstart, ex, maxex, nex, say, err, errlen);
	}
	free(d);
	return rc;
}

/* Is `date` cancelled by one of the EXDATE values matched in d? */
static bool
excluded(const struct dated *d, size_t nd, const struct when_local *date)
{
	for (size_t i = 0; i < nd; i++)
		if (d[i].exdate && d[i].found &&
		    recur_day_key(&d[i].date) == recur_day_key(date))
			return true;
	return false;
}

/*
 * The first occurrence of s after now that no EXDATE cancels, in *start and
 * *local, and how many the rule has before it (cancelled ones too: COUNT
 * counts them, RFC 5545 3.8.5.3). 0, or -1 when none is left.
 */
static int
first_ahead(const struct recur_series *s, const struct dated *d, size_t nd, time_t now,
    long long *start, struct when_local *local, int *before)
{
	struct when_local date;
	struct recur_walk w;
	int rc = -1;

	*before = 0;
	if (recur_walk_start(&w, s) < 0)
		return -1;
	while (rc < 0 && recur_walk_next(&w, &date)) {
		time_t t;

		if (!excluded(d, nd, &date) && (t = recur_instant(s->zone, &date)) > now) {
			*start = (long long)t;
			*local = date;
			rc = 0;
		} else {
			++*before;
		}
	}
	recur_walk_end(&w);
	return rc;
}

int
recur_ahead(icalcomponent *vevent, const struct when_zone *z, time_t now, size_t maxex,
    long long *start, struct when_local *local)
{
	struct recur_series s = { .zone = z, .dtstart = (time_t)*start };
	icalproperty *rp = icalcomponent_get_first_property(vevent, ICAL_RRULE_PROPERTY);
	struct icalrecurrencetype rr;
	struct dated *d = NULL;
	size_t nd = 0;
	char err[256];
	int before, rc = -1;

	if (rp == NULL)
		return -1;
	rr = icalproperty_get_rrule(rp);
	if (rule_of(&rr, z, s.dtstart, &s.rule, &recur_source_say, err, sizeof(err)) < 0 ||
	    s.rule.freq == RECUR_NONE ||
	    collect_dates(vevent, z, maxex, &d, &nd, &recur_source_say, err, sizeof(err)) <
	        0)
		goto out;
	match_dates(&s, d, nd);
	if (first_ahead(&s, d, nd, now, start, local, &before) < 0)
		goto out;
	/* COUNT: the occurrences left; UNTIL stays, it is a date. */
	if (rr.count > 0) {
		rr.count -= before;
		icalproperty_set_rrule(rp, rr);
	}
	/* RDATE and EXDATE values before the new start name nothing of it now. */
	for (size_t i = 0; i < nd; i++)
		if (d[i].is_date ? recur_day_key(&d[i].day) < recur_day_key(local) :
		                   d[i].t < (time_t)*start) {
			icalcomponent_remove_property(vevent, d[i].p);
			icalproperty_free(d[i].p);
		}
	rc = 0;
out:
	free(d);
	return rc;
}
