/* recur.c: series rules, their RRULE, their words and their occurrences. See recur.h. */
#include "recur_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cv_french.h"

/* An upper bound on the occurrences one walk looks at: 200 years of days. */
#define WALK_MAX (200 * 366)

static const char *const weekday_en[7] = {
	"Sunday",
	"Monday",
	"Tuesday",
	"Wednesday",
	"Thursday",
	"Friday",
	"Saturday",
};
static const char *const ordinal_en[5] = { "first", "second", "third", "fourth", "fifth" };
static const char *const month_en[12] = {
	"Jan",
	"Feb",
	"Mar",
	"Apr",
	"May",
	"Jun",
	"Jul",
	"Aug",
	"Sep",
	"Oct",
	"Nov",
	"Dec",
};
const char *const recur_weekday_ical[7] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };

/* What a rule may say, in say->lang: the rule's words are the same in every language. */
static const char *
usage(const struct ev_say *say)
{
	return say->tr(say->lang,
	    "RULE is daily, weekly, monthly, monthly on day D, or every N "
	    "days|weeks|months, optionally followed by until YYYY-MM-DD or times K; or "
	    "none.");
}

/* The sentences as written, for recur_parse() and recur_check(). */
static const char *
source(const char *lang, const char *msgid)
{
	(void)lang;
	return msgid;
}

const struct ev_say recur_source_say = { "en", source };

/* 0 (Sunday) to 6 of a local date. */
int
recur_weekday(const struct when_local *l)
{
	struct tm tm = { .tm_year = l->year - 1900,
		.tm_mon = l->month - 1,
		.tm_mday = l->day };
	time_t t = timegm(&tm);

	gmtime_r(&t, &tm);
	return tm.tm_wday;
}

/* A date as one comparable number. */
long
recur_day_key(const struct when_local *l)
{
	return (long)l->year * 10000 + l->month * 100 + l->day;
}

/* A positive decimal number of at most 4 digits, or -1. */
static int
number(const char *s)
{
	int v = 0;

	if (*s == '\0' || strlen(s) > 4)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* The unit words of "every N UNIT", singular or plural. */
static enum recur_freq
unit(const char *w)
{
	if (strcasecmp(w, "day") == 0 || strcasecmp(w, "days") == 0)
		return RECUR_DAILY;
	if (strcasecmp(w, "week") == 0 || strcasecmp(w, "weeks") == 0)
		return RECUR_WEEKLY;
	if (strcasecmp(w, "month") == 0 || strcasecmp(w, "months") == 0)
		return RECUR_MONTHLY_WEEKDAY;
	return RECUR_NONE;
}

/* The words that name the frequency: w[0] on, i past them. 0, or -1 with a sentence. */
static int
parse_freq(char **w, int n, int *i, struct recur_rule *out, const struct ev_say *say,
    char *err, size_t errlen)
{
	int v;

	out->interval = 1;
	if (strcasecmp(w[0], "daily") == 0)
		out->freq = RECUR_DAILY, *i = 1;
	else if (strcasecmp(w[0], "weekly") == 0)
		out->freq = RECUR_WEEKLY, *i = 1;
	else if (strcasecmp(w[0], "monthly") == 0)
		out->freq = RECUR_MONTHLY_WEEKDAY, *i = 1;
	else if (strcasecmp(w[0], "every") == 0) {
		*i = 1;
		if (*i < n && (v = number(w[*i])) >= 0) {
			if (v < 1 || v > RECUR_INTERVAL_MAX) {
				snprintf(err, errlen,
				    say->tr(say->lang, "\"every N\" takes N from 1 to %d."),
				    RECUR_INTERVAL_MAX);
				return -1;
			}
			out->interval = v;
			(*i)++;
		}
		if (*i >= n || (out->freq = unit(w[*i])) == RECUR_NONE) {
			snprintf(err, errlen,
			    say->tr(say->lang,
			        "\"every\" wants a number and days, weeks or months, e.g. "
			        "every 2 weeks. %s"),
			    usage(say));
			return -1;
		}
		(*i)++;
	} else {
		snprintf(err, errlen,
		    say->tr(say->lang, "I do not know the rule \"%s\". %s"), w[0],
		    usage(say));
		return -1;
	}
	return 0;
}

/* "on day D", "until D", "times K" from w[*i] on. 0, or -1 with a sentence. */
static int
parse_bounds(char **w, int n, int *i, struct recur_rule *out, const struct ev_say *say,
    char *err, size_t errlen)
{
	int v;

	if (*i + 1 < n && strcasecmp(w[*i], "on") == 0) {
		if (out->freq != RECUR_MONTHLY_WEEKDAY || *i + 2 >= n ||
		    strcasecmp(w[*i + 1], "day") != 0) {
			snprintf(err, errlen,
			    say->tr(say->lang,
			        "\"on day D\" follows only monthly or every N months. %s"),
			    usage(say));
			return -1;
		}
		if ((v = number(w[*i + 2])) < 1 || v > 31) {
			snprintf(err, errlen,
			    say->tr(say->lang, "\"on day D\" takes D from 1 to 31."));
			return -1;
		}
		out->freq = RECUR_MONTHLY_DAY;
		out->monthday = v;
		*i += 3;
	}
	if (*i + 1 < n && strcasecmp(w[*i], "until") == 0) {
		if (when_parse_date(w[*i + 1], &out->until) < 0) {
			snprintf(err, errlen,
			    say->tr(say->lang,
			        "\"until\" wants a date as YYYY-MM-DD, not \"%s\"."),
			    w[*i + 1]);
			return -1;
		}
		out->has_until = true;
		*i += 2;
	} else if (*i + 1 < n && strcasecmp(w[*i], "times") == 0) {
		if ((v = number(w[*i + 1])) < 1 || v > RECUR_TIMES_MAX) {
			snprintf(err, errlen,
			    say->tr(say->lang, "\"times K\" takes K from 1 to %d."),
			    RECUR_TIMES_MAX);
			return -1;
		}
		out->times = v;
		*i += 2;
	}
	return 0;
}

int
recur_parse(const char *text, struct recur_rule *out, char *err, size_t errlen)
{
	return recur_parse_say(text, out, &recur_source_say, err, errlen);
}

int
recur_parse_say(const char *text, struct recur_rule *out, const struct ev_say *say,
    char *err, size_t errlen)
{
	char copy[256], *w[12], *save = NULL;
	int n = 0, i = 0;

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(copy)) {
		snprintf(err, errlen, say->tr(say->lang, "That rule is too long. %s"),
		    usage(say));
		return -1;
	}
	strcpy(copy, text);
	for (char *t = strtok_r(copy, " \t", &save); t != NULL;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n == (int)(sizeof(w) / sizeof(w[0]))) {
			snprintf(err, errlen,
			    say->tr(say->lang, "That rule is too long. %s"), usage(say));
			return -1;
		}
		w[n++] = t;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s", usage(say));
		return -1;
	}
	if (strcasecmp(w[0], "none") == 0) {
		if (n > 1) {
			snprintf(err, errlen,
			    say->tr(say->lang, "\"none\" takes nothing after it."));
			return -1;
		}
		return 0;
	}
	if (parse_freq(w, n, &i, out, say, err, errlen) < 0 ||
	    parse_bounds(w, n, &i, out, say, err, errlen) < 0)
		return -1;
	if (i < n) {
		snprintf(err, errlen,
		    say->tr(say->lang, "I do not understand \"%s\" in that rule. %s"),
		    w[i], usage(say));
		return -1;
	}
	return 0;
}

void
recur_format(const struct recur_rule *r, char *buf, size_t n)
{
	static const char *const one[] = {
		[RECUR_DAILY] = "daily",
		[RECUR_WEEKLY] = "weekly",
		[RECUR_MONTHLY_WEEKDAY] = "monthly",
		[RECUR_MONTHLY_DAY] = "monthly",
	};
	static const char *const unit_words[] = {
		[RECUR_DAILY] = "days",
		[RECUR_WEEKLY] = "weeks",
		[RECUR_MONTHLY_WEEKDAY] = "months",
		[RECUR_MONTHLY_DAY] = "months",
	};
	size_t len;

	if (r->freq == RECUR_NONE) {
		snprintf(buf, n, "none");
		return;
	}
	len = (size_t)(r->interval > 1 ?
	        snprintf(buf, n, "every %d %s", r->interval, unit_words[r->freq]) :
	        snprintf(buf, n, "%s", one[r->freq]));
	if (r->freq == RECUR_MONTHLY_DAY && len < n)
		len += (size_t)snprintf(buf + len, n - len, " on day %d", r->monthday);
	if (r->has_until && len < n)
		snprintf(buf + len, n - len, " until %04d-%02d-%02d", r->until.year,
		    r->until.month, r->until.day);
	else if (r->times > 0 && len < n)
		snprintf(buf + len, n - len, " times %d", r->times);
}

int
recur_check(const struct recur_rule *r, const struct when_zone *z, time_t dtstart,
    char *err, size_t errlen)
{
	return recur_check_say(r, z, dtstart, &recur_source_say, err, errlen);
}

int
recur_check_say(const struct recur_rule *r, const struct when_zone *z, time_t dtstart,
    const struct ev_say *say, char *err, size_t errlen)
{
	struct when_local first;

	when_from_utc(z, dtstart, &first);
	if (r->freq == RECUR_MONTHLY_DAY && first.day != r->monthday) {
		snprintf(err, errlen,
		    say->tr(say->lang,
		        "The first occurrence is on day %d of its month; for \"monthly on "
		        "day %d\" move it to a day %d first."),
		    first.day, r->monthday, r->monthday);
		return -1;
	}
	if (r->has_until && recur_day_key(&r->until) < recur_day_key(&first)) {
		snprintf(err, errlen,
		    say->tr(say->lang,
		        "\"until %04d-%02d-%02d\" is before the first occurrence."),
		    r->until.year, r->until.month, r->until.day);
		return -1;
	}
	return 0;
}

/* The rule's RRULE without UNTIL, which the walk applies on local dates itself. */
static void
rrule_core(const struct recur_rule *r, const struct when_local *first, char *buf, size_t n)
{
	static const char *const freq[] = {
		[RECUR_DAILY] = "DAILY",
		[RECUR_WEEKLY] = "WEEKLY",
		[RECUR_MONTHLY_WEEKDAY] = "MONTHLY",
		[RECUR_MONTHLY_DAY] = "MONTHLY",
	};
	size_t len;

	len = (size_t)snprintf(buf, n, "FREQ=%s", freq[r->freq]);
	if (r->interval > 1 && len < n)
		len += (size_t)snprintf(buf + len, n - len, ";INTERVAL=%d", r->interval);
	/*
	 * BYDAY=5TU: RFC 5545 3.3.10 skips a month without a fifth Tuesday
	 * ("invalid ... dates ... MUST be ignored"), as the issue wants.
	 */
	if (r->freq == RECUR_MONTHLY_WEEKDAY && len < n)
		len += (size_t)snprintf(buf + len, n - len, ";BYDAY=%d%s",
		    (first->day - 1) / 7 + 1, recur_weekday_ical[recur_weekday(first)]);
	if (r->freq == RECUR_MONTHLY_DAY && len < n)
		len += (size_t)snprintf(buf + len, n - len, ";BYMONTHDAY=%d", r->monthday);
	if (r->times > 0 && len < n)
		snprintf(buf + len, n - len, ";COUNT=%d", r->times);
}

/* The instant of a local time, by RFC 5545 3.3.5 in a gap or an overlap. */
time_t
recur_instant(const struct when_zone *z, const struct when_local *l)
{
	time_t t;
	int off[2];

	/* when_to_utc gives the offset before a gap, and an overlap's first instant. */
	when_to_utc(z, l, &t, off);
	return t;
}

void
recur_rrule(const struct recur_rule *r, const struct when_zone *z, time_t dtstart,
    char *buf, size_t n)
{
	struct when_local first, next;
	size_t len;
	time_t end;
	struct tm tm;

	buf[0] = '\0';
	if (r->freq == RECUR_NONE)
		return;
	when_from_utc(z, dtstart, &first);
	rrule_core(r, &first, buf, n);
	if (!r->has_until)
		return;
	/*
	 * The end of the until day, not the last occurrence's instant: still
	 * inclusive when the series' time of day changes later, with no walk to
	 * find the last occurrence, and the form Google Calendar's and Apple
	 * Calendar's exports are commonly seen with. The day ends where the next
	 * begins.
	 */
	next = r->until;
	next.hour = next.minute = 0;
	next.day++;
	tm = (struct tm){ .tm_year = next.year - 1900,
		.tm_mon = next.month - 1,
		.tm_mday = next.day };
	end = timegm(&tm);
	gmtime_r(&end, &tm);
	next.year = tm.tm_year + 1900, next.month = tm.tm_mon + 1, next.day = tm.tm_mday;
	end = recur_instant(z, &next) - 1;
	gmtime_r(&end, &tm);
	len = strlen(buf);
	if (len < n)
		strftime(buf + len, n - len, ";UNTIL=%Y%m%dT%H%M%SZ", &tm);
}

/* The rule's words; first is its first occurrence, wd that day's weekday. */
static void
describe_en(const struct recur_rule *r, struct when_local first, int wd, char *buf, size_t n)
{
	size_t len = 0;

	switch (r->freq) {
	case RECUR_DAILY:
		len = (size_t)(r->interval == 1 ?
		        snprintf(buf, n, "every day") :
		        snprintf(buf, n, "every %d days", r->interval));
		break;
	case RECUR_WEEKLY:
		len = (size_t)(r->interval == 1 ?
		        snprintf(buf, n, "every %s", weekday_en[wd]) :
		        snprintf(buf, n, "every %d weeks on %s", r->interval,
		            weekday_en[wd]));
		break;
	case RECUR_MONTHLY_WEEKDAY:
		len = (size_t)(r->interval == 1 ?
		        snprintf(buf, n, "every month on the %s %s",
		            ordinal_en[(first.day - 1) / 7], weekday_en[wd]) :
		        snprintf(buf, n, "every %d months on the %s %s", r->interval,
		            ordinal_en[(first.day - 1) / 7], weekday_en[wd]));
		break;
	case RECUR_MONTHLY_DAY:
		len = (size_t)(r->interval == 1 ?
		        snprintf(buf, n, "every month on day %d", r->monthday) :
		        snprintf(buf, n, "every %d months on day %d", r->interval,
		            r->monthday));
		break;
	case RECUR_NONE:
		break;
	}
	if (len >= n)
		return;
	if (r->has_until)
		snprintf(buf + len, n - len, ", until %d %s %d", r->until.day,
		    month_en[r->until.month - 1], r->until.year);
	else if (r->times > 0)
		snprintf(buf + len, n - len, ", %d times", r->times);
}

/* The French words: lowercase days, "le 1er", the OQLF's month abbreviations. */
static const char *const weekday_fr[7] = { "dimanche", "lundi", "mardi", "mercredi",
	"jeudi", "vendredi", "samedi" };
static const char *const ordinal_fr[5] = { "premier", "deuxième", "troisième",
	"quatrième", "cinquième" };

/* The rule's words; first is its first occurrence, wd that day's weekday. */
static void
describe_fr(const struct recur_rule *r, struct when_local first, int wd, char *buf, size_t n)
{
	size_t len = 0;

	if (r->freq == RECUR_DAILY)
		len = (size_t)(r->interval == 1 ?
		        snprintf(buf, n, "chaque jour") :
		        snprintf(buf, n, "tous les %d jours", r->interval));
	else if (r->freq == RECUR_WEEKLY)
		len = (size_t)(r->interval == 1 ?
		        snprintf(buf, n, "chaque %s", weekday_fr[wd]) :
		        snprintf(buf, n, "toutes les %d semaines, le %s", r->interval,
		            weekday_fr[wd]));
	else if (r->freq == RECUR_MONTHLY_WEEKDAY)
		len = (size_t)(r->interval == 1 ?
		        snprintf(buf, n, "chaque mois, le %s %s",
		            ordinal_fr[(first.day - 1) / 7], weekday_fr[wd]) :
		        snprintf(buf, n, "tous les %d mois, le %s %s", r->interval,
		            ordinal_fr[(first.day - 1) / 7], weekday_fr[wd]));
	else if (r->freq == RECUR_MONTHLY_DAY)
		len = (size_t)(r->interval == 1 ?
		        snprintf(buf, n, "chaque mois, le %d%s", r->monthday,
		            r->monthday == 1 ? "er" : "") :
		        snprintf(buf, n, "tous les %d mois, le %d%s", r->interval,
		            r->monthday, r->monthday == 1 ? "er" : ""));
	if (len >= n)
		return;
	if (r->has_until)
		snprintf(buf + len, n - len, ", jusqu’au %d%s %s %d", r->until.day,
		    r->until.day == 1 ? "er" : "", cv_fr_month(r->until.month - 1),
		    r->until.year);
	else if (r->times > 0)
		snprintf(buf + len, n - len, ", %d fois", r->times);
}

void
recur_describe_lang(const struct recur_rule *r, const struct when_zone *z, time_t dtstart,
    char *buf, size_t n, const char *lang)
{
	struct when_local first;

	buf[0] = '\0';
	if (r->freq == RECUR_NONE)
		return;
	when_from_utc(z, dtstart, &first);
	if (lang != NULL && strcmp(lang, "fr") == 0)
		describe_fr(r, first, recur_weekday(&first), buf, n);
	else
		describe_en(r, first, recur_weekday(&first), buf, n);
}

void
recur_describe(const struct recur_rule *r, const struct when_zone *z, time_t dtstart,
    char *buf, size_t n)
{
	recur_describe_lang(r, z, dtstart, buf, n, "en");
}

int
recur_walk_start(struct recur_walk *w, const struct recur_series *s)
{
	struct when_local first;
	struct icaltimetype dt = icaltime_null_time();
	struct icalrecurrencetype rr;
	char core[RECUR_TEXT_MAX];

	w->it = NULL;
	w->s = s;
	w->steps = 0;
	/* Without libical (a broken install, logged), no occurrence can be walked. */
	if (s->rule.freq == RECUR_NONE || !cv_ical_ready())
		return -1;
	when_from_utc(s->zone, s->dtstart, &first);
	rrule_core(&s->rule, &first, core, sizeof(core));
	rr = icalrecurrencetype_from_string(core);
	if (rr.freq == ICAL_NO_RECURRENCE)
		return -1;
	/* Floating: libical counts days and months, when.c places them in the zone. */
	dt.year = first.year, dt.month = first.month, dt.day = first.day;
	dt.hour = first.hour, dt.minute = first.minute;
	dt.is_date = 0;
	if ((w->it = icalrecur_iterator_new(rr, dt)) == NULL)
		return -1;
	return 0;
}

/*
 * The local date and time of the next occurrence of the rule (cancelled or
 * moved ones too); false at the end. Its instant is recur_instant(): callers that
 * only compare dates skip that step, the costly one.
 */
bool
recur_walk_next(struct recur_walk *w, struct when_local *date)
{
	struct icaltimetype t;

	if (w->it == NULL || ++w->steps > WALK_MAX)
		return false;
	t = icalrecur_iterator_next(w->it);
	if (icaltime_is_null_time(t) || t.year > WHEN_YEAR_MAX)
		return false;
	memset(date, 0, sizeof(*date));
	date->year = t.year, date->month = t.month, date->day = t.day;
	date->hour = t.hour, date->minute = t.minute;
	return !w->s->rule.has_until ||
	    recur_day_key(date) <= recur_day_key(&w->s->rule.until);
}

void
recur_walk_end(struct recur_walk *w)
{
	if (w->it != NULL)
		icalrecur_iterator_free(w->it);
	w->it = NULL;
}

static const struct recur_override *
override_of(const struct recur_series *s, const struct when_local *date)
{
	for (size_t i = 0; i < s->nov; i++)
		if (recur_day_key(&s->ov[i].date) == recur_day_key(date))
			return &s->ov[i];
	return NULL;
}

static int
by_start(const void *a, const void *b)
{
	const struct recur_occ *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int
recur_expand(const struct recur_series *s, time_t from, time_t to, struct recur_occ *out,
    size_t max)
{
	struct recur_occ *buf;
	struct when_local date;
	struct recur_walk w;
	long last_moved = 0, early;
	size_t n = 0;
	time_t start;

	if (recur_walk_start(&w, s) < 0)
		return -1;
	if (max == 0) {
		recur_walk_end(&w);
		return 0;
	}
	/* A moved occurrence may land anywhere: walk at least past its date. */
	for (size_t i = 0; i < s->nov; i++)
		if (!s->ov[i].cancelled && s->ov[i].start != 0 &&
		    recur_day_key(&s->ov[i].date) > last_moved)
			last_moved = recur_day_key(&s->ov[i].date);
	/* No zone is 2 days from UTC: an unmoved occurrence on a day before `early` starts before from. */
	when_from_utc(s->zone, from - 2 * 86400, &date);
	early = from <= 2 * 86400 ? 0 : recur_day_key(&date);
	if ((buf = malloc((max + 1) * sizeof(*buf))) == NULL)
		abort();
	while (recur_walk_next(&w, &date)) {
		const struct recur_override *ov = override_of(s, &date);
		struct recur_occ o = { .date = date };

		if (recur_day_key(&date) < early && (ov == NULL || ov->start == 0))
			continue;
		o.start = start = recur_instant(s->zone, &date);

		if (recur_day_key(&date) > last_moved &&
		    ((to != (time_t)-1 && start >= to) ||
		        (n == max && start > buf[max - 1].start)))
			break;
		if (ov != NULL && ov->cancelled)
			continue;
		if (ov != NULL && ov->start != 0)
			o.start = ov->start, o.moved = true;
		if (o.start < from || (to != (time_t)-1 && o.start >= to))
			continue;
		buf[n++] = o;
		/* Keep the max earliest: later ones can only come from moves. */
		qsort(buf, n, sizeof(*buf), by_start);
		if (n > max)
			n = max;
	}
	recur_walk_end(&w);
	memcpy(out, buf, n * sizeof(*out));
	free(buf);
	return (int)n;
}

int
recur_start_of(const struct recur_series *s, const struct when_local *date, time_t *out)
{
	struct when_local d;
	struct recur_walk w;
	int rc = -1;

	if (recur_walk_start(&w, s) < 0)
		return -1;
	while (recur_walk_next(&w, &d) && recur_day_key(&d) <= recur_day_key(date))
		if (recur_day_key(&d) == recur_day_key(date)) {
			*out = recur_instant(s->zone, &d);
			rc = 0;
			break;
		}
	recur_walk_end(&w);
	return rc;
}

bool
recur_is_occurrence(const struct recur_series *s, const struct when_local *date)
{
	time_t t;

	return recur_start_of(s, date, &t) == 0;
}
