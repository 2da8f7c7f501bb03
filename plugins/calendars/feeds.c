/* feeds.c: feeds in memory, their URLs, and the HTML page. See feeds.h. */
#include "feeds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "sbuf.h"

void
cal_feed_clear(struct cal_feed *f)
{
	free(f->path);
	free(f->label);
	free(f->body);
	memset(f, 0, sizeof(*f));
}

bool
cal_feed_set(struct cal_feed *f, char *body, size_t len, time_t now)
{
	if (f->body != NULL && f->len == len && memcmp(f->body, body, len) == 0) {
		free(body);
		return false;
	}
	free(f->body);
	f->body = body;
	f->len = len;
	ics_etag(body, len, f->etag);
	f->lastmod = cal_next_lastmod(f->lastmod, now);
	f->dirty = true;
	return true;
}

time_t
cal_next_lastmod(time_t old, time_t now)
{
	/* Never the same second for another body: If-Modified-Since must not match it. */
	return old >= now ? old + 1 : now;
}

/* ---- the feeds of single events ---- */

static int
by_id(const void *a, const void *b)
{
	long long x = ((const struct cal_evfeed *)a)->id, y = ((const struct cal_evfeed *)b)->id;

	return x < y ? -1 : x > y;
}

struct cal_evfeed *
cal_evfeeds_find(const struct cal_evfeeds *c, long long id)
{
	struct cal_evfeed key = { .id = id };

	return c->n == 0 ? NULL : bsearch(&key, c->v, c->n, sizeof(*c->v), by_id);
}

void
cal_evfeeds_sort(struct cal_evfeeds *c)
{
	if (c->n > 0)
		qsort(c->v, c->n, sizeof(*c->v), by_id);
}

void
cal_evfeed_drop(struct cal_evfeeds *c, struct cal_evfeed *f)
{
	if (f->body == NULL)
		return;
	free(f->body);
	f->body = NULL;
	f->len = 0;
	c->bodies--;
}

/* Make room for one more body: evict the least recently used. */
static void
evict_one(struct cal_evfeeds *c, const struct cal_evfeed *keep)
{
	struct cal_evfeed *old = NULL;

	for (struct cal_evfeed *f = c->v; f < c->v + c->n; f++)
		if (f->body != NULL && f != keep && (old == NULL || f->used < old->used))
			old = f;
	if (old != NULL)
		cal_evfeed_drop(c, old);
}

bool
cal_evfeed_validate(struct cal_evfeed *f, const char *body, size_t len, time_t now)
{
	char etag[48];

	ics_etag(body, len, etag);
	if (strcmp(etag, f->etag) == 0)
		return false;
	memcpy(f->etag, etag, sizeof(etag));
	f->lastmod = cal_next_lastmod(f->lastmod, now);
	return true;
}

void
cal_evfeed_keep(struct cal_evfeeds *c, struct cal_evfeed *f, char *body, size_t len, bool keep)
{
	if (f->body == NULL && c->bodies >= c->cap && keep)
		evict_one(c, f);
	if (f->body == NULL && c->bodies >= c->cap) {
		free(body);
		return;
	}
	if (f->body == NULL)
		c->bodies++;
	free(f->body);
	f->body = body;
	f->len = len;
	f->used = ++c->tick;
}

void
cal_evfeed_touch(struct cal_evfeeds *c, struct cal_evfeed *f)
{
	f->used = ++c->tick;
}

void
cal_evfeeds_clear(struct cal_evfeeds *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].body);
	free(c->v);
	c->v = NULL;
	c->n = c->bodies = 0;
}

int
cal_channel_key(const char *channel, void (*fold)(char *), char out[CAL_CHANNEL_KEY_MAX])
{
	const char *s = channel[0] == '#' ? channel + 1 : channel;
	size_t n = strlen(s);

	if (n == 0 || n >= CAL_CHANNEL_KEY_MAX)
		return -1;
	memcpy(out, s, n + 1);
	if (fold != NULL)
		fold(out);
	/* A path segment and a file name: no separators, no dot files, nothing to decode. */
	if (out[0] == '.' || strstr(out, "..") != NULL)
		return -1;
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		if (*p < 0x21 || *p == 0x7f || strchr("/\\%?#\"<>'`|*:", *p) != NULL)
			return -1;
	return 0;
}

static void
url_escape(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("._~/-", *p) != NULL) {
			sb_add(b, (const char *)p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			sb_add(b, e, 3);
		}
	}
}

char *
cal_feed_url(const char *base, const char *path)
{
	struct sbuf b = { 0 };

	sb_printf(&b, "%s/calendars/", base);
	url_escape(&b, path);
	return sb_take(&b, NULL);
}

char *
cal_webcal_url(const char *base, const char *path)
{
	const char *rest = strstr(base, "://");
	struct sbuf b = { 0 };

	sb_printf(&b, "webcal://%s/calendars/", rest != NULL ? rest + 3 : base);
	url_escape(&b, path);
	return sb_take(&b, NULL);
}

/* ---- the page ---- */

static void
html(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sb_puts(b, "&amp;"); break;
		case '<': sb_puts(b, "&lt;"); break;
		case '>': sb_puts(b, "&gt;"); break;
		case '"': sb_puts(b, "&quot;"); break;
		case '\'': sb_puts(b, "&#39;"); break;
		default: sb_add(b, s, 1);
		}
	}
}

/* Cleaned (no control characters, valid UTF-8) and escaped. */
static void
html_text(struct sbuf *b, const char *s)
{
	char *c = ics_clean(s, false);

	html(b, c);
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
	} else if (strcmp(tz, "UTC") != 0) {
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

static void
when(struct sbuf *b, const struct cal_event *e)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	    "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm s, f;

	local_time(e->start_utc, e->tz, &s);
	local_time(e->start_utc + 60LL * e->duration_min, e->tz, &f);
	sb_printf(b, "%s %d %s %d, %02d:%02d", days[s.tm_wday % 7], s.tm_mday,
	    months[s.tm_mon % 12], s.tm_year + 1900, s.tm_hour, s.tm_min);
	if (s.tm_year == f.tm_year && s.tm_mon == f.tm_mon && s.tm_mday == f.tm_mday)
		sb_printf(b, "&ndash;%02d:%02d ", f.tm_hour, f.tm_min);
	else
		sb_printf(b, " &ndash; %s %d %s %d, %02d:%02d ", days[f.tm_wday % 7], f.tm_mday,
		    months[f.tm_mon % 12], f.tm_year + 1900, f.tm_hour, f.tm_min);
	html_text(b, e->tz);
}

/* Links to subscribe to a feed: webcal://, Google Calendar, the file itself. */
static void
subscribe_links(struct sbuf *b, const char *base, const char *path)
{
	char *web = cal_webcal_url(base, path), *http = cal_feed_url(base, path);

	sb_puts(b, "<a href=\"");
	html(b, web);
	sb_puts(b, "\">Subscribe</a> &middot; <a href=\"https://calendar.google.com/calendar/r?cid=");
	html(b, web);
	sb_puts(b, "\">Google Calendar</a> &middot; <a href=\"");
	html(b, http);
	sb_puts(b, "\">.ics file</a>");
	free(web);
	free(http);
}

static bool
http_link(const char *s)
{
	return s != NULL && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}

char *
cal_page_render(const char *title, const char *base, const struct cal_event *v, size_t n,
    const struct cal_channel *ch, size_t nch, long long now, size_t *len)
{
	struct sbuf b = { 0 };
	size_t shown = 0;

	sb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	html_text(&b, title);
	sb_puts(&b, "</title>\n<style>body{font-family:sans-serif;max-width:46em;margin:1em auto;"
	    "padding:0 1em;line-height:1.4}li{margin:.6em 0}.when{color:#444}"
	    ".cancelled{text-decoration:line-through}</style>\n</head>\n<body>\n<h1>");
	html_text(&b, title);
	sb_puts(&b, "</h1>\n<h2>Subscribe</h2>\n<ul>\n<li>All events: ");
	subscribe_links(&b, base, "all.ics");
	sb_puts(&b, "</li>\n");
	for (size_t i = 0; i < nch; i++) {
		sb_puts(&b, "<li>Events of ");
		html_text(&b, ch[i].name);
		sb_puts(&b, ": ");
		subscribe_links(&b, base, ch[i].path);
		sb_puts(&b, "</li>\n");
	}
	sb_puts(&b, "</ul>\n<h2>Upcoming events</h2>\n<ul>\n");
	for (size_t i = 0; i < n; i++) {
		const struct cal_event *e = &v[i];
		char path[48], *url;

		if (e->start_utc + 60LL * e->duration_min <= now)
			continue;
		shown++;
		snprintf(path, sizeof(path), "event/%lld.ics", e->id);
		sb_printf(&b, "<li id=\"event-%lld\"><strong%s>", e->id,
		    e->cancelled ? " class=\"cancelled\"" : "");
		html_text(&b, e->title != NULL ? e->title : "");
		sb_puts(&b, "</strong>");
		if (e->cancelled)
			sb_puts(&b, " (cancelled)");
		sb_puts(&b, "<br>\n<span class=\"when\">");
		when(&b, e);
		sb_puts(&b, "</span>");
		if (e->location != NULL) {
			sb_puts(&b, "<br>\n");
			html_text(&b, e->location);
		}
		if (e->description != NULL) {
			sb_puts(&b, "<br>\n");
			html_text(&b, e->description);
		}
		sb_puts(&b, "<br>\n");
		if (http_link(e->url)) {
			sb_puts(&b, "<a href=\"");
			html_text(&b, e->url);
			sb_puts(&b, "\" rel=\"nofollow noopener\">Details</a> &middot; ");
		}
		if (!e->cancelled) {
			url = cal_webcal_url(base, path);
			sb_puts(&b, "<a href=\"");
			html(&b, url);
			free(url);
			sb_puts(&b, "\">Add to calendar</a> &middot; ");
		}
		url = cal_feed_url(base, path);
		sb_puts(&b, "<a href=\"");
		html(&b, url);
		free(url);
		sb_puts(&b, "\">.ics file</a></li>\n");
	}
	if (shown == 0)
		sb_puts(&b, "<li>No upcoming events.</li>\n");
	sb_puts(&b, "</ul>\n<p>Register for an event on IRC: <code>rsvp N</code>. "
	    "Your own calendar, with your registrations: <code>feed</code>.</p>\n"
	    "<p>From a room bridged to the channel (Matrix, Discord, Telegram, Slack, XMPP...), "
	    "say the command in the room with the bot's prefix, e.g. <code>!rsvp N</code>: "
	    "the bot answers you there, by name. Join links and personal calendars are "
	    "private, so they are given on IRC only.</p>\n"
	    "</body>\n</html>\n");
	return sb_take(&b, len);
}
