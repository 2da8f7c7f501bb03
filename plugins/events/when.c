/* when.c: dates, times, zones and durations for events. See when.h. */
#include "when.h"

#include <sys/stat.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cv_french.h"

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n decimal digits from s. -1 when any is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
when_parse_date(const char *s, struct when_local *out)
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if ((y = digits(s, 4)) < 0 || (m = digits(s + 5, 2)) < 0 ||
	    (d = digits(s + 8, 2)) < 0)
		return -1;
	if (y < WHEN_YEAR_MIN || y > WHEN_YEAR_MAX || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m))
		return -1;
	out->year = y;
	out->month = m;
	out->day = d;
	return 0;
}

int
when_parse_time(const char *s, struct when_local *out)
{
	size_t len = strlen(s);
	int h, m;

	if (len == 4 && s[1] == ':')
		h = digits(s, 1), m = digits(s + 2, 2);
	else if (len == 5 && s[2] == ':')
		h = digits(s, 2), m = digits(s + 3, 2);
	else
		return -1;
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	out->hour = h;
	out->minute = m;
	return 0;
}

int
when_parse_offset(const char *s, int *secs)
{
	int h, m, v;

	if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
		return -1;
	if ((h = digits(s + 1, 2)) < 0 || (m = digits(s + 4, 2)) < 0 || m > 59)
		return -1;
	v = h * 60 + m;
	if (s[0] == '-')
		v = -v;
	if (v < -12 * 60 || v > 14 * 60)
		return -1;
	*secs = v * 60;
	return 0;
}

/*
 * IANA names only hold these characters. Checked before libical sees the
 * name, because for names missing from zone.tab libical 3.0 opens the file
 * of that name under the zoneinfo directory.
 */
static bool
plausible_zone_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= WHEN_ZONE_MAX || !isalpha((unsigned char)s[0]) ||
	    strstr(s, "..") || strstr(s, "//") || s[len - 1] == '/')
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return false;
	return true;
}

/*
 * The zoneinfo directory libical 3.0 reads (icaltzutil_get_zone_directory):
 * the first of its list that holds zone.tab.
 */
static const char *
zone_dir(void)
{
	static const char *const dirs[] = { "/usr/share/zoneinfo", "/usr/lib/zoneinfo",
		"/etc/zoneinfo", "/usr/share/lib/zoneinfo" };
	char path[64];

	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		snprintf(path, sizeof path, "%s/zone.tab", dirs[i]);
		if (access(path, R_OK) == 0)
			return dirs[i];
	}
	return dirs[0];
}

/*
 * Is s a zone file of that directory: a regular file starting with the
 * TZif magic? What libical's icaltimezone_get_builtin_timezone() loads
 * for a name (its zone.tab names have their files there too).
 */
static bool
zone_file(const char *s)
{
	char path[PATH_MAX], magic[4];
	struct stat st;
	FILE *f;
	bool ok;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", zone_dir(), s) >= sizeof path ||
	    stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (f = fopen(path, "re")) == NULL)
		return false;
	ok = fread(magic, 1, sizeof magic, f) == sizeof magic &&
	    memcmp(magic, "TZif", sizeof magic) == 0;
	(void)fclose(f);
	return ok;
}

int
when_check_zone(const char *s)
{
	int secs;

	if (strcasecmp(s, "UTC") == 0 || when_parse_offset(s, &secs) == 0)
		return 0;
	return plausible_zone_name(s) && zone_file(s) ? 0 : -1;
}

int
when_parse_zone(const char *s, struct when_zone *out)
{
	int secs;

	memset(out, 0, sizeof(*out));
	if (strcasecmp(s, "UTC") == 0) {
		strcpy(out->name, "UTC");
		return 0;
	}
	if (when_parse_offset(s, &secs) == 0) {
		out->fixed_s = secs;
		when_format_offset(out->name, sizeof(out->name), secs);
		return 0;
	}
	if (!plausible_zone_name(s) || !cv_ical_ready())
		return -1;
	if ((out->ical = icaltimezone_get_builtin_timezone(s)) == NULL)
		return -1;
	snprintf(out->name, sizeof(out->name), "%s", s);
	return 0;
}

int
when_parse_duration(const char *s, int *minutes)
{
	static const struct {
		char unit;
		long mins;
	} units[] = {
		{ 'd', 24 * 60 },
		{ 'h', 60 },
		{ 'm', 1 },
	};
	const char *p = s;
	long total = 0;
	size_t next = 0;

	if (*p == '\0')
		return -1;
	while (*p) {
		long v = 0;
		int n = 0;

		while (isdigit((unsigned char)*p)) {
			if (++n > 6)
				return -1;
			v = v * 10 + (*p++ - '0');
		}
		if (n == 0)
			return -1;
		/* Units in order, each at most once: "1h30m", not "30m1h". */
		while (next < sizeof(units) / sizeof(units[0]) && units[next].unit != *p)
			next++;
		if (next == sizeof(units) / sizeof(units[0]))
			return -1;
		total += v * units[next++].mins;
		p++;
	}
	if (total < 1 || total > WHEN_DURATION_MAX)
		return -1;
	*minutes = (int)total;
	return 0;
}

bool
when_looks_like_zone(const char *s)
{
	if (strchr(s, '/') || strcasecmp(s, "UTC") == 0 || strncasecmp(s, "GMT", 3) == 0 ||
	    ((strncasecmp(s, "UTC", 3) == 0) && (s[3] == '+' || s[3] == '-')))
		return true;
	return (s[0] == '+' || s[0] == '-') && isdigit((unsigned char)s[1]);
}

bool
when_looks_like_duration(const char *s)
{
	if (!isdigit((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !strchr("dhm", *s))
			return false;
	return true;
}

int
when_offset_at(const struct when_zone *z, time_t t)
{
	struct icaltimetype tt;

	if (z->ical == NULL)
		return z->fixed_s;
	tt = icaltime_from_timet_with_zone(t, 0, icaltimezone_get_utc_timezone());
	return icaltimezone_get_utc_offset_of_utc_time(z->ical, &tt, NULL);
}

/* The local time as if it were UTC: seconds since the epoch of its fields. */
static time_t
naive_epoch(const struct when_local *l)
{
	struct tm tm = {
		.tm_year = l->year - 1900,
		.tm_mon = l->month - 1,
		.tm_mday = l->day,
		.tm_hour = l->hour,
		.tm_min = l->minute,
	};

	return timegm(&tm);
}

enum when_fit
when_to_utc(const struct when_zone *z, const struct when_local *l, time_t *out, int off[2])
{
	time_t naive = naive_epoch(l);
	int cand[17], ncand = 0, valid[2], nvalid = 0;

	/*
	 * libical's own conversion guesses silently in gaps and overlaps. A
	 * local time L is reached with offset o exactly when the zone's offset
	 * at the instant L - o is o. Try every offset the zone uses within two
	 * days of L (no zone changes offset more often than that) and count
	 * the ones that fit: none is a gap, two an overlap.
	 */
	for (int k = -8; k <= 8; k++) {
		int o = when_offset_at(z, naive + (time_t)k * 6 * 3600);
		bool seen = false;

		for (int i = 0; i < ncand; i++)
			seen |= cand[i] == o;
		if (!seen)
			cand[ncand++] = o;
	}
	for (int i = 0; i < ncand && nvalid < 2; i++)
		if (when_offset_at(z, naive - cand[i]) == cand[i])
			valid[nvalid++] = cand[i];

	if (nvalid == 1) {
		*out = naive - valid[0];
		off[0] = off[1] = valid[0];
		return WHEN_FIT_ONE;
	}
	if (nvalid == 2) {
		/* The larger offset gives the earlier instant. */
		off[0] = valid[0] > valid[1] ? valid[0] : valid[1];
		off[1] = valid[0] > valid[1] ? valid[1] : valid[0];
		*out = naive - off[0];
		return WHEN_FIT_OVERLAP;
	}
	off[0] = when_offset_at(z, naive - 2 * 86400);
	off[1] = when_offset_at(z, naive + 2 * 86400);
	*out = naive - off[0];
	return WHEN_FIT_GAP;
}

int
when_resolve(const struct when_zone *z, const struct when_local *l, time_t *out,
    char *err, size_t errlen)
{
	char date[16], tm[8], a[8], b[8];
	int off[2];
	enum when_fit fit = when_to_utc(z, l, out, off);

	if (fit == WHEN_FIT_ONE)
		return 0;
	when_format_date(date, sizeof(date), l);
	when_format_time(tm, sizeof(tm), l);
	when_format_offset(a, sizeof(a), off[0]);
	when_format_offset(b, sizeof(b), off[1]);
	if (fit == WHEN_FIT_GAP)
		snprintf(err, errlen,
		    "%s %s does not exist in %s (the clocks jump forward): "
		    "give an explicit offset, e.g. %s or %s.",
		    date, tm, z->name, a, b);
	else
		snprintf(err, errlen,
		    "%s %s happens twice in %s (the clocks go back): "
		    "give an explicit offset, e.g. %s or %s.",
		    date, tm, z->name, a, b);
	return -1;
}

void
when_from_utc(const struct when_zone *z, time_t t, struct when_local *out)
{
	time_t local = t + when_offset_at(z, t);
	struct tm tm;

	gmtime_r(&local, &tm);
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	out->hour = tm.tm_hour;
	out->minute = tm.tm_min;
}

void
when_format_offset(char *buf, size_t n, int secs)
{
	int m = (secs < 0 ? -secs : secs) / 60;

	snprintf(buf, n, "%c%02d:%02d", secs < 0 ? '-' : '+', m / 60 % 100, m % 60);
}

void
when_format_date(char *buf, size_t n, const struct when_local *l)
{
	snprintf(buf, n, "%04d-%02d-%02d", l->year % 10000, l->month % 100, l->day % 100);
}

void
when_format_time(char *buf, size_t n, const struct when_local *l)
{
	snprintf(buf, n, "%02d:%02d", l->hour % 100, l->minute % 100);
}

void
when_zone_label(char *buf, size_t n, const struct when_zone *z)
{
	if (z->ical == NULL && strcmp(z->name, "UTC") != 0)
		snprintf(buf, n, "UTC%s", z->name);
	else
		snprintf(buf, n, "%s", z->name);
}

/* French typography keeps "18 h 00" and "45 min" on one line. */
#define NBSP "\xc2\xa0"

static bool
is_fr(const char *lang)
{
	return lang != NULL && strcasecmp(lang, "fr") == 0;
}

/*
 * "(heure de Toronto)", "(heure d’Edmonton)", "(UTC)", "(UTC-05:00)": the
 * city is the IANA name's last part, in French where it differs.
 */
static void
zone_label_fr(char *buf, size_t n, const struct when_zone *z)
{
	char city[WHEN_ZONE_MAX], *c;
	const char *slash = strrchr(z->name, '/');

	if (z->ical == NULL || slash == NULL) {
		char label[WHEN_ZONE_MAX + 4];

		when_zone_label(label, sizeof label, z);
		snprintf(buf, n, "(%s)", label);
		return;
	}
	snprintf(city, sizeof city, "%s", slash + 1);
	if (cv_fr_city(city) != city) /* never copied onto itself */
		snprintf(city, sizeof city, "%s", cv_fr_city(city));
	for (c = city; *c != '\0'; c++)
		if (*c == '_')
			*c = ' ';
	/* "de" elides before a vowel: "heure d’Edmonton". */
	snprintf(buf, n, "(heure %s%s)",
	    strchr("AEIOUYaeiouy", city[0]) != NULL && city[0] != '\0' ? "d’" : "de ",
	    city);
}

void
when_zone_label_lang(char *buf, size_t n, const struct when_zone *z, const char *lang)
{
	if (is_fr(lang))
		zone_label_fr(buf, n, z);
	else
		when_zone_label(buf, n, z);
}

/* "Wed 2 Dec 2026", "mer. 2 déc. 2026", "mar. 1er déc. 2026" */
static void
format_day(char *buf, size_t n, const struct when_local *l, const char *lang)
{
	static const char *const wday[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
		"Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	time_t t = naive_epoch(l);

	gmtime_r(&t, &tm);
	if (is_fr(lang))
		snprintf(buf, n, "%s %d%s %s %d", cv_fr_weekday(tm.tm_wday), tm.tm_mday,
		    tm.tm_mday == 1 ? "er" : "", cv_fr_month(tm.tm_mon), tm.tm_year + 1900);
	else
		snprintf(buf, n, "%s %d %s %d", wday[tm.tm_wday], tm.tm_mday,
		    mon[tm.tm_mon], tm.tm_year + 1900);
}

/* "18:00", or French "18 h 00" (24-hour clock, the hour not padded). */
static void
format_time(char *buf, size_t n, const struct when_local *l, const char *lang)
{
	if (is_fr(lang))
		snprintf(buf, n, "%d" NBSP "h" NBSP "%02d", l->hour % 100, l->minute % 100);
	else
		when_format_time(buf, n, l);
}

void
when_format_lang(char *buf, size_t n, time_t t, const struct when_zone *z, const char *lang)
{
	struct when_local l;
	char day[32], tm[16], zone[WHEN_ZONE_MAX + 24];

	when_from_utc(z, t, &l);
	format_day(day, sizeof(day), &l, lang);
	format_time(tm, sizeof(tm), &l, lang);
	when_zone_label_lang(zone, sizeof(zone), z, lang);
	if (is_fr(lang))
		snprintf(buf, n, "%s, %s %s", day, tm, zone);
	else
		snprintf(buf, n, "%s %s %s", day, tm, zone);
}

void
when_format(char *buf, size_t n, time_t t, const struct when_zone *z)
{
	when_format_lang(buf, n, t, z, "en");
}

void
when_format_span_lang(char *buf, size_t n, time_t start, time_t end,
    const struct when_zone *z, const char *lang)
{
	struct when_local a, b;
	char day_a[32], day_b[32], tm_a[16], tm_b[16], zone[WHEN_ZONE_MAX + 24];
	bool fr = is_fr(lang);

	when_from_utc(z, start, &a);
	when_from_utc(z, end, &b);
	format_day(day_a, sizeof(day_a), &a, lang);
	format_day(day_b, sizeof(day_b), &b, lang);
	format_time(tm_a, sizeof(tm_a), &a, lang);
	format_time(tm_b, sizeof(tm_b), &b, lang);
	when_zone_label_lang(zone, sizeof(zone), z, lang);
	if (strcmp(day_a, day_b) == 0)
		snprintf(buf, n, fr ? "%s, %s à %s %s" : "%s %s-%s %s", day_a, tm_a, tm_b,
		    zone);
	else
		snprintf(buf, n, fr ? "du %s, %s au %s, %s %s" : "%s %s to %s %s %s",
		    day_a, tm_a, day_b, tm_b, zone);
}

void
when_format_span(char *buf, size_t n, time_t start, time_t end, const struct when_zone *z)
{
	when_format_span_lang(buf, n, start, end, z, "en");
}

void
when_relative_lang(char *buf, size_t n, time_t t, time_t now, const char *lang)
{
	static const char *const fr_units[][2] = { { "minute", "minutes" },
		{ "heure", "heures" }, { "jour", "jours" } };
	static const char *const en_units[] = { "minute", "hour", "day" };
	long long d = (long long)t - (long long)now;
	long long a = d < 0 ? -d : d;
	long long v;
	int unit;
	bool fr = is_fr(lang);

	if (a < 60) {
		snprintf(buf, n, fr ? "maintenant" : "now");
		return;
	}
	if (a < 3600)
		v = a / 60, unit = 0;
	else if (a < 48 * 3600)
		v = a / 3600, unit = 1;
	else
		v = a / 86400, unit = 2;
	if (fr)
		snprintf(buf, n, d > 0 ? "dans %lld %s" : "il y a %lld %s", v,
		    fr_units[unit][v == 1 ? 0 : 1]);
	else if (d > 0)
		snprintf(buf, n, "in %lld %s%s", v, en_units[unit], v == 1 ? "" : "s");
	else
		snprintf(buf, n, "%lld %s%s ago", v, en_units[unit], v == 1 ? "" : "s");
}

void
when_relative(char *buf, size_t n, time_t t, time_t now)
{
	when_relative_lang(buf, n, t, now, "en");
}

void
when_duration_lang(char *buf, size_t n, int minutes, const char *lang)
{
	int d = minutes / (24 * 60), h = minutes / 60 % 24, m = minutes % 60;
	size_t len = 0;

	buf[0] = '\0';
	if (!is_fr(lang)) {
		/* The form `duration` takes: "1d2h", "1h30m", "45m". */
		if (d > 0)
			len += snprintf(buf + len, n - len, "%dd", d);
		if (h > 0 && len < n)
			len += snprintf(buf + len, n - len, "%dh", h);
		if ((m > 0 || minutes == 0) && len < n)
			snprintf(buf + len, n - len, "%dm", m);
		return;
	}
	if (d > 0)
		len += snprintf(buf + len, n - len, "%d" NBSP "%s", d,
		    d == 1 ? "jour" : "jours");
	if (len >= n)
		return;
	if (h > 0 && m > 0)
		snprintf(buf + len, n - len, "%s%d" NBSP "h" NBSP "%02d", len ? " " : "",
		    h, m);
	else if (h > 0)
		snprintf(buf + len, n - len, "%s%d" NBSP "h", len ? " " : "", h);
	else if (m > 0 || minutes == 0)
		snprintf(buf + len, n - len, "%s%d" NBSP "min", len ? " " : "", m);
}
