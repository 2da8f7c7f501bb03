/* page.c: the HTML pages, the list of events and the page of one. See feeds.h. */
#include "feeds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "sbuf.h"

/* ---- the page ---- */

static void
html(struct sbuf *b, const char *s)
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
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
		"Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm s, f;

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
	html_text(b, e->tz);
}

/* Links to subscribe to a feed: webcal://, Google Calendar, the file itself. */
static void
subscribe_links(struct sbuf *b, const char *base, const char *path)
{
	char *web = cal_webcal_url(base, path), *http = cal_feed_url(base, path);

	sb_puts(b, "<a href=\"");
	html(b, web);
	sb_puts(b,
	    "\">Subscribe</a> &middot; <a href=\"https://calendar.google.com/calendar/r?cid=");
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
	return s != NULL &&
	    (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}

/* Cleaned text, cut to about `max` bytes on a character boundary, escaped. */
static void
html_text_max(struct sbuf *b, const char *s, size_t max)
{
	char *c = ics_clean(s, false);
	size_t n = strlen(c);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)c[n] & 0xc0) == 0x80)
			n--;
		c[n] = '\0';
		html(b, c);
		sb_puts(b, "&hellip;");
	} else {
		html(b, c);
	}
	free(c);
}

/* Cleaned and escaped, its line breaks kept as <br>. */
static void
html_lines(struct sbuf *b, const char *s)
{
	char *c = ics_clean(s, true), *line = c, *nl;

	while ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		html(b, line);
		sb_puts(b, "<br>\n");
		line = nl + 1;
	}
	html(b, line);
	free(c);
}

/* Every byte but the unreserved ones percent-encoded, for a path segment. */
static void
url_segment(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("._~-", *p) != NULL) {
			sb_add(b, (const char *)p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			sb_add(b, e, 3);
		}
	}
}

/*
 * A link to a channel on the IRC server: irc(s)://HOST:PORT/NAME, where a
 * name without its '#' means the '#' channel (the IRC URL drafts).
 */
static void
irc_link(struct sbuf *b, const struct cal_site *s, const char *channel)
{
	sb_puts(b, "<a href=\"");
	html(b, s->irc);
	if (channel != NULL)
		url_segment(b, channel[0] == '#' ? channel + 1 : channel);
	sb_puts(b, "\">");
	if (channel != NULL) {
		html_text(b, channel);
		sb_puts(b, " on ");
	}
	html_text(b, s->irc_label != NULL ? s->irc_label : s->irc);
	sb_puts(b, "</a>");
}

static const char *
nick_of(const struct cal_site *s)
{
	return s->nick != NULL && s->nick[0] != '\0' ? s->nick : "the bot";
}

static const char *
prefix_of(const struct cal_site *s)
{
	return s->prefix != NULL ? s->prefix : "!";
}

static bool
ended(const struct cal_event *e, long long now)
{
	return e->start_utc + 60LL * e->duration_min <= now;
}

/* "3 places left (of 20)", "Full, waitlist open", "No limit on places". */
static void
places(struct sbuf *b, const struct cal_event *e)
{
	int left = e->capacity > e->confirmed ? e->capacity - e->confirmed : 0;

	if (e->capacity == 0)
		sb_puts(b, "<span class=\"places\">No limit on places</span>");
	else if (left == 0)
		sb_puts(b, "<strong class=\"places full\">Full, waitlist open</strong>");
	else
		sb_printf(b, "<strong class=\"places\">%d place%s left</strong> (of %d)",
		    left, left == 1 ? "" : "s", e->capacity);
}

/* The command that registers for event e, as typed in a private message. */
static void
rsvp_command(struct sbuf *b, const struct cal_site *s, const struct cal_event *e)
{
	sb_puts(b, "<code>/msg ");
	html_text(b, s->nick != NULL && s->nick[0] != '\0' ? s->nick : "BOT");
	sb_printf(b, " rsvp %lld</code>", e->id);
}

/* The channel where e is discussed: its own, else the site's. */
static const char *
channel_of(const struct cal_site *s, const struct cal_event *e)
{
	return e->channel != NULL && e->channel[0] != '\0' ? e->channel : s->channel;
}

static void
page_head(struct sbuf *b, const struct cal_site *s, const char *title, size_t page)
{
	sb_puts(b,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
	if (title != NULL) {
		html_text_max(b, title, 200);
		sb_puts(b, " &ndash; ");
	}
	html_text(b, s->title);
	if (page > 1)
		sb_printf(b, " (page %zu)", page);
	/* Inline only: the Content-Security-Policy allows no other source. */
	sb_puts(b,
	    "</title>\n<style>\n"
	    ":root{color-scheme:light dark}\n"
	    "body{font-family:system-ui,sans-serif;max-width:46em;margin:0 auto;padding:.5em 1em 2em;"
	    "line-height:1.5;color:#1b1b1b;background:#fff;overflow-wrap:break-word}\n"
	    "a{color:#0645ad}\n"
	    "h1{font-size:1.6em;margin:.6em 0 .3em}h2{font-size:1.25em;margin-top:1.6em}"
	    "h3{font-size:1.1em;margin:0 0 .2em}\n"
	    "ul.events{list-style:none;padding:0}\n"
	    ".ev{border-top:1px solid #c8c8c8;padding:.8em 0}.ev p{margin:.2em 0}\n"
	    ".num{color:#555;font-weight:normal}.when{color:#3b3b3b}\n"
	    ".full{color:#8a3c00}.cancelled h3 a,.cancelled .t{text-decoration:line-through}\n"
	    ".badge{font-weight:bold;color:#a00000}\n"
	    "code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.95em;"
	    "white-space:nowrap;background:#eef0f3;padding:.05em .3em;border-radius:3px}\n"
	    "dt{font-weight:bold}dd{margin:0 0 .6em 0}\n"
	    "@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#141619}"
	    "a{color:#8ab4f8}.num{color:#b4b4b4}.when{color:#cfcfcf}.full{color:#ffb870}"
	    ".badge{color:#ff8a80}.ev{border-color:#44484e}code{background:#2b2f35}}\n"
	    "</style>\n</head>\n<body>\n");
}

/* How to take part, for people who never used IRC. */
static void
how_to(struct sbuf *b, const struct cal_site *s, const struct cal_event *e)
{
	const char *chan = e != NULL ? channel_of(s, e) : s->channel;

	sb_puts(b, "<p>Registration happens in a chat (IRC). ");
	if (s->irc != NULL) {
		sb_puts(b, "Join ");
		irc_link(b, s, chan);
		sb_puts(b, " with an IRC app");
		if (s->chat_url != NULL) {
			sb_puts(b, ", or use the <a href=\"");
			html_text(b, s->chat_url);
			sb_puts(b, "\">web chat</a>");
		}
		sb_puts(b, ". ");
	} else if (s->chat_url != NULL) {
		sb_puts(b, "Join the <a href=\"");
		html_text(b, s->chat_url);
		sb_puts(b, "\">web chat</a>. ");
	}
	sb_puts(b, "Then send the bot <strong>");
	html_text(b, nick_of(s));
	sb_puts(b, "</strong> a message:</p>\n<ul>\n<li>");
	if (e != NULL) {
		rsvp_command(b, s, e);
		sb_puts(b, " registers you for this event.");
	} else {
		sb_puts(b, "<code>/msg ");
		html_text(b, s->nick != NULL && s->nick[0] != '\0' ? s->nick : "BOT");
		sb_puts(b,
		    " rsvp N</code> registers you for event N (the number before each title).");
	}
	sb_puts(b,
	    " When it is full you join its waitlist, and get a place when one opens.</li>\n"
	    "<li>Add <code>no</code> to withdraw: <code>/msg ");
	html_text(b, s->nick != NULL && s->nick[0] != '\0' ? s->nick : "BOT");
	if (e != NULL)
		sb_printf(b, " rsvp %lld no</code>.</li>\n", e->id);
	else
		sb_puts(b, " rsvp N no</code>.</li>\n");
	sb_puts(b, "<li>In ");
	if (chan != NULL)
		html_text(b, chan);
	else
		sb_puts(b, "a channel of the bot");
	sb_puts(b, " you can also type <code>");
	html_text(b, prefix_of(s));
	if (e != NULL)
		sb_printf(b, "rsvp %lld</code>.</li>\n", e->id);
	else
		sb_puts(b, "rsvp N</code>.</li>\n");
	sb_puts(b, "<li><code>/msg ");
	html_text(b, s->nick != NULL && s->nick[0] != '\0' ? s->nick : "BOT");
	sb_puts(b,
	    " feed</code> gives you a calendar of your own registrations.</li>\n</ul>\n");
	sb_puts(b,
	    "<p>From a room bridged to the channel (Matrix, Discord, Telegram, Slack, "
	    "XMPP...), say the command in the room with the bot's prefix, e.g. <code>");
	html_text(b, prefix_of(s));
	sb_puts(b,
	    "rsvp N</code>: the bot answers you there, by name. Join links and personal "
	    "calendars are private, so they are given on IRC only.</p>\n");
}

/* An event of a list. */
static void
list_item(struct sbuf *b, const struct cal_site *s, const struct cal_event *e)
{
	char path[48], *url;

	snprintf(path, sizeof(path), "event/%lld.ics", e->id);
	sb_printf(b,
	    "<li class=\"ev%s\" id=\"event-%lld\">\n<h3><span class=\"num\">#%lld</span> "
	    "<a href=\"",
	    e->cancelled ? " cancelled" : "", e->id, e->id);
	html(b, s->base);
	sb_printf(b, "/event/%lld\">", e->id);
	html_text(b, e->title != NULL ? e->title : "");
	sb_puts(b, "</a>");
	if (e->cancelled)
		sb_puts(b, " <span class=\"badge\">(cancelled)</span>");
	sb_puts(b, "</h3>\n<p class=\"when\">");
	when(b, e);
	sb_puts(b, "</p>\n");
	if (e->location != NULL) {
		sb_puts(b, "<p>");
		html_text_max(b, e->location, 200);
		sb_puts(b, "</p>\n");
	}
	if (e->description != NULL) {
		sb_puts(b, "<p>");
		html_text_max(b, e->description, 240);
		sb_puts(b, "</p>\n");
	}
	if (!e->cancelled) {
		sb_puts(b, "<p>");
		places(b, e);
		sb_puts(b, ". Register: ");
		rsvp_command(b, s, e);
		sb_puts(b, "</p>\n");
	}
	sb_puts(b, "<p><a href=\"");
	html(b, s->base);
	sb_printf(b, "/event/%lld\">Details</a>", e->id);
	if (http_link(e->url)) {
		sb_puts(b, " &middot; <a href=\"");
		html_text(b, e->url);
		sb_puts(b, "\" rel=\"nofollow noopener\">Website</a>");
	}
	if (!e->cancelled) {
		url = cal_webcal_url(s->base, path);
		sb_puts(b, " &middot; <a href=\"");
		html(b, url);
		free(url);
		sb_puts(b, "\">Add to calendar</a>");
	}
	url = cal_feed_url(s->base, path);
	sb_puts(b, " &middot; <a href=\"");
	html(b, url);
	free(url);
	sb_puts(b, "\">.ics file</a></p>\n</li>\n");
}

static void
page_link(struct sbuf *b, const struct cal_site *s, size_t page, const char *text)
{
	sb_puts(b, "<a href=\"");
	html(b, s->base);
	if (page > 1)
		sb_printf(b, "/page/%zu", page);
	else
		sb_puts(b, "/");
	sb_printf(b, "\">%s</a>", text);
}

/*
 * Page `page` of the `upcoming` events: those of v not ended at now, past
 * the first `skip` of them (v may start at the page's first event).
 */
static char *
render_page(const struct cal_site *s, const struct cal_event *v, size_t n,
    const struct cal_channel *ch, size_t nch, long long now, size_t page, size_t skip,
    size_t upcoming, size_t *len)
{
	struct sbuf b = { 0 };
	size_t first = (page - 1) * CAL_PAGE_EVENTS, shown = 0;

	if (page == 0 || (page > 1 && first >= upcoming))
		return NULL;
	page_head(&b, s, NULL, page);
	sb_puts(&b, "<header>\n<h1>");
	html_text(&b, s->title);
	sb_puts(&b, "</h1>\n</header>\n<main>\n");
	if (page == 1) {
		sb_puts(&b, "<h2>How to register</h2>\n");
		how_to(&b, s, NULL);
		sb_puts(&b, "<h2>Upcoming events</h2>\n");
	} else {
		sb_printf(&b, "<h2>Upcoming events %zu&ndash;%zu of %zu</h2>\n<p>",
		    first + 1,
		    first + CAL_PAGE_EVENTS < upcoming ? first + CAL_PAGE_EVENTS : upcoming,
		    upcoming);
		page_link(&b, s, 1, "How to register, and the first events");
		sb_puts(&b, "</p>\n");
	}
	sb_puts(&b, "<ul class=\"events\">\n");
	for (size_t i = 0, k = 0; i < n && shown < CAL_PAGE_EVENTS; i++) {
		if (ended(&v[i], now) || k++ < skip)
			continue;
		shown++;
		list_item(&b, s, &v[i]);
	}
	if (upcoming == 0)
		sb_puts(&b, "<li>No upcoming events.</li>\n");
	sb_puts(&b, "</ul>\n");
	if (page > 1 || first + shown < upcoming) {
		sb_puts(&b, "<nav aria-label=\"More events\">\n<p>");
		if (page > 1)
			page_link(&b, s, page - 1, "&larr; Earlier events");
		if (page > 1 && first + shown < upcoming)
			sb_puts(&b, " &middot; ");
		if (first + shown < upcoming) {
			char text[64];

			snprintf(text, sizeof(text), "Later events (%zu more) &rarr;",
			    upcoming - first - shown);
			page_link(&b, s, page + 1, text);
		}
		sb_puts(&b, "</p>\n</nav>\n");
	}
	if (page == 1) {
		sb_puts(&b,
		    "<h2>Subscribe</h2>\n<p>Follow the events in your calendar app.</p>\n"
		    "<ul>\n<li>All events: ");
		subscribe_links(&b, s->base, "all.ics");
		sb_puts(&b, "</li>\n");
		for (size_t i = 0; i < nch; i++) {
			sb_puts(&b, "<li>Events of ");
			html_text(&b, ch[i].name);
			sb_puts(&b, ": ");
			subscribe_links(&b, s->base, ch[i].path);
			sb_puts(&b, "</li>\n");
		}
		sb_puts(&b, "</ul>\n");
	}
	sb_puts(&b, "</main>\n</body>\n</html>\n");
	return sb_take(&b, len);
}

char *
cal_page_render(const struct cal_site *s, const struct cal_event *v, size_t n,
    const struct cal_channel *ch, size_t nch, long long now, size_t page, size_t *len)
{
	size_t upcoming = 0;

	for (size_t i = 0; i < n; i++)
		if (!ended(&v[i], now))
			upcoming++;
	return render_page(s, v, n, ch, nch, now, page,
	    page > 0 ? (page - 1) * CAL_PAGE_EVENTS : 0, upcoming, len);
}

char *
cal_page_first_render(const struct cal_site *s, const struct cal_event *v, size_t n,
    size_t total, const struct cal_channel *ch, size_t nch, long long now, size_t *len)
{
	return render_page(s, v, n, ch, nch, now, 1, 0, total, len);
}

char *
cal_page_slice_render(const struct cal_site *s, const struct cal_event *v, size_t n,
    size_t total, long long now, size_t page, size_t *len)
{
	return render_page(s, v, n, NULL, 0, now, page, 0, total, len);
}

/* The event page's links: to add it to a calendar, and to the chat. */
static void
event_page_links(struct sbuf *b, const struct cal_site *s, const struct cal_event *e,
    const char *path)
{
	char *web, *http;

	sb_puts(b, "<h2>Add to calendar</h2>\n<p>");
	web = cal_webcal_url(s->base, path);
	http = cal_feed_url(s->base, path);
	if (!e->cancelled) {
		sb_puts(b, "<a href=\"");
		html(b, web);
		sb_puts(b,
		    "\">Add to calendar</a> &middot; <a href=\"https://calendar.google.com/calendar/r?cid=");
		html(b, web);
		sb_puts(b, "\">Google Calendar</a> &middot; ");
	}
	sb_puts(b, "<a href=\"");
	html(b, http);
	sb_puts(b, "\">.ics file</a></p>\n");
	free(web);
	free(http);
	if (s->irc != NULL || s->chat_url != NULL) {
		sb_puts(b, "<h2>Chat</h2>\n<p>");
		if (s->irc != NULL)
			irc_link(b, s, channel_of(s, e));
		if (s->irc != NULL && s->chat_url != NULL)
			sb_puts(b, " &middot; ");
		if (s->chat_url != NULL) {
			sb_puts(b, "<a href=\"");
			html_text(b, s->chat_url);
			sb_puts(b, "\">Web chat</a>");
		}
		sb_puts(b, "</p>\n");
	}
}

char *
cal_event_page_render(const struct cal_site *s, const struct cal_event *e, long long now,
    size_t *len)
{
	struct sbuf b = { 0 };
	char path[48];
	const char *title = e->title != NULL ? e->title : "";

	snprintf(path, sizeof(path), "event/%lld.ics", e->id);
	page_head(&b, s, title, 1);
	sb_puts(&b, "<header>\n<p>");
	page_link(&b, s, 1, "&larr; All events");
	sb_puts(&b, "</p>\n</header>\n<main>\n<h1");
	if (e->cancelled)
		sb_puts(&b, " class=\"cancelled\"");
	sb_printf(&b, "><span class=\"num\">#%lld</span> <span class=\"t\">", e->id);
	html_text(&b, title);
	sb_puts(&b, "</span></h1>\n");
	if (e->cancelled) {
		sb_puts(&b, "<p class=\"badge\">This event is cancelled");
		if (e->cancel_reason != NULL) {
			sb_puts(&b, ": ");
			html_text(&b, e->cancel_reason);
		}
		sb_puts(&b, ".</p>\n");
	} else if (ended(e, now)) {
		sb_puts(&b, "<p class=\"badge\">This event has ended.</p>\n");
	}
	sb_puts(&b, "<dl>\n<dt>When</dt>\n<dd class=\"when\">");
	when(&b, e);
	sb_puts(&b, "</dd>\n");
	if (e->location != NULL) {
		sb_puts(&b, "<dt>Where</dt>\n<dd>");
		html_lines(&b, e->location);
		sb_puts(&b, "</dd>\n");
	}
	if (!e->cancelled && !ended(e, now)) {
		sb_puts(&b, "<dt>Places</dt>\n<dd>");
		places(&b, e);
		sb_puts(&b, "</dd>\n");
	}
	if (http_link(e->url)) {
		sb_puts(&b, "<dt>Website</dt>\n<dd><a href=\"");
		html_text(&b, e->url);
		sb_puts(&b, "\" rel=\"nofollow noopener\">");
		html_text(&b, e->url);
		sb_puts(&b, "</a></dd>\n");
	}
	sb_puts(&b, "</dl>\n");
	if (e->description != NULL) {
		sb_puts(&b, "<h2>About</h2>\n<p>");
		html_lines(&b, e->description);
		sb_puts(&b, "</p>\n");
	}
	if (!e->cancelled && !ended(e, now)) {
		sb_puts(&b, "<h2>How to register</h2>\n");
		how_to(&b, s, e);
	}
	event_page_links(&b, s, e, path);
	sb_puts(&b, "</main>\n</body>\n</html>\n");
	return sb_take(&b, len);
}
