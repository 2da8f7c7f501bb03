/*
 * pagetext.c: what the HTML pages write of texts and times: escaping, and
 * an event's time in English or French (README, "Languages"). See page.c.
 */
#include "pagetext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv_ical.h"

#include "cv_french.h"
#include "ics.h"

void
cal_html(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			sb_puts(b, "&amp;");
			break;
		case '<':
			sb_puts(b, "&lt;");
			break;
		case '>':
			sb_puts(b, "&gt;");
			break;
		case '"':
			sb_puts(b, "&quot;");
			break;
		case '\'':
			sb_puts(b, "&#39;");
			break;
		default:
			sb_add(b, s, 1);
		}
	}
}

/* Cleaned (no control characters, valid UTF-8) and escaped. */
void
cal_html_text(struct sbuf *b, const char *s)
{
	char *c = ics_clean(s, false);

	cal_html(b, c);
	free(c);
}

/* The wall-clock time of t in zone tz: an IANA name, "UTC" or "+HH:MM". */
static void
local_time(long long t, const char *tz, struct tm *tm)
{
	icaltimezone *z = NULL;
	time_t tt = (time_t)t;

	if ((tz[0] == '+' || tz[0] == '-') && strlen(tz) == 6 && tz[3] == ':') {
		long off = ((tz[1] - '0') * 10 + (tz[2] - '0')) * 3600L +
		    ((tz[4] - '0') * 10 + (tz[5] - '0')) * 60L;

		tt += tz[0] == '-' ? -off : off;
	} else if (strcmp(tz, "UTC") != 0 && cv_ical_ready()) {
		/* Without libical (a broken install, logged), the time in UTC. */
		z = icaltimezone_get_builtin_timezone(tz);
	}
	if (z != NULL) {
		struct icaltimetype it = icaltime_from_timet_with_zone(tt, 0, z);

		memset(tm, 0, sizeof(*tm));
		tm->tm_year = it.year - 1900;
		tm->tm_mon = it.month - 1;
		tm->tm_mday = it.day;
		tm->tm_hour = it.hour;
		tm->tm_min = it.minute;
		tm->tm_wday = icaltime_day_of_week(it) - 1;
		return;
	}
	gmtime_r(&tt, tm);
}

/* French typography keeps "18 h 00" on one line. */
#define NBSP "\xc2\xa0"

/* "(heure de Toronto)", "(heure d’Edmonton)", "(UTC)", "(UTC-05:00)" (README, "Languages"). */
static void
zone_fr(struct sbuf *b, const char *tz)
{
	char city[128];
	const char *slash = strrchr(tz, '/');

	if (slash == NULL || strlen(slash + 1) >= sizeof(city)) {
		sb_puts(b, "(");
		if (strcmp(tz, "UTC") != 0)
			sb_puts(b, "UTC");
		cal_html_text(b, tz);
		sb_puts(b, ")");
		return;
	}
	snprintf(city, sizeof(city), "%s", slash + 1);
	if (cv_fr_city(city) != city) /* never copied onto itself */
		snprintf(city, sizeof city, "%s", cv_fr_city(city));
	for (char *c = city; *c != '\0'; c++)
		if (*c == '_')
			*c = ' ';
	sb_puts(b, strchr("AEIOUY", city[0]) != NULL ? "(heure d’" : "(heure de ");
	cal_html_text(b, city);
	sb_puts(b, ")");
}

/* "jeu. 10 déc. 2026, 18 h 00", "mar. 1er déc. 2026, 7 h 00" */
static void
day_time_fr(struct sbuf *b, const struct tm *t)
{
	sb_printf(b, "%s %d%s %s %d, %d" NBSP "h" NBSP "%02d", cv_fr_weekday(t->tm_wday),
	    t->tm_mday, t->tm_mday == 1 ? "er" : "", cv_fr_month(t->tm_mon),
	    t->tm_year + 1900, t->tm_hour, t->tm_min);
}

/*
 * "jeu. 10 déc. 2026, 18 h 00 à 19 h 30 (heure de Toronto)", over
 * midnight "du sam. 27 mars 2027, 23 h 00 au dim. 28 mars 2027, 7 h 00
 * (heure de Paris)": the forms of README "Languages".
 */
static void
when_fr(struct sbuf *b, const struct cal_event *e)
{
	struct tm s, f;

	local_time(e->start_utc, e->tz, &s);
	local_time(e->start_utc + 60LL * e->duration_min, e->tz, &f);
	if (s.tm_year == f.tm_year && s.tm_mon == f.tm_mon && s.tm_mday == f.tm_mday) {
		day_time_fr(b, &s);
		sb_printf(b, " à %d" NBSP "h" NBSP "%02d ", f.tm_hour, f.tm_min);
	} else {
		sb_puts(b, "du ");
		day_time_fr(b, &s);
		sb_puts(b, " au ");
		day_time_fr(b, &f);
		sb_puts(b, " ");
	}
	zone_fr(b, e->tz);
}

void
cal_when_html(struct sbuf *b, const struct cal_event *e, const char *lang)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
		"Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm s, f;

	if (lang != NULL && strcmp(lang, "fr") == 0) {
		when_fr(b, e);
		return;
	}
	local_time(e->start_utc, e->tz, &s);
	local_time(e->start_utc + 60LL * e->duration_min, e->tz, &f);
	sb_printf(b, "%s %d %s %d, %02d:%02d", days[s.tm_wday % 7], s.tm_mday,
	    months[s.tm_mon % 12], s.tm_year + 1900, s.tm_hour, s.tm_min);
	if (s.tm_year == f.tm_year && s.tm_mon == f.tm_mon && s.tm_mday == f.tm_mday)
		sb_printf(b, "&ndash;%02d:%02d ", f.tm_hour, f.tm_min);
	else
		sb_printf(b, " &ndash; %s %d %s %d, %02d:%02d ", days[f.tm_wday % 7],
		    f.tm_mday, months[f.tm_mon % 12], f.tm_year + 1900, f.tm_hour,
		    f.tm_min);
	cal_html_text(b, e->tz);
}
