/* page.c: the HTML pages, the list of events and the page of one. See feeds.h. */
#include "feeds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv_ical.h"

#include "pagetext.h"
#include "sbuf.h"

/* ---- the page ---- */

/* The page's sentence in its language; tr is the host's (NULL: English). */
static const char *tr(const struct cal_site *s, const char *msgid)
    __attribute__((format_arg(2)));

static const char *
tr(const struct cal_site *s, const char *msgid)
{
	return s->tr != NULL ? s->tr(s->lang, msgid) : msgid;
}

/* The plural form for n, likewise. */
static const char *ntr(const struct cal_site *s, const char *singular, const char *plural,
    unsigned long n) __attribute__((format_arg(2))) __attribute__((format_arg(3)));

static const char *
ntr(const struct cal_site *s, const char *singular, const char *plural, unsigned long n)
{
	if (s->ntr != NULL)
		return s->ntr(s->lang, singular, plural, n);
	return tr(s, n == 1 ? singular : plural);
}

static bool
is_fr(const struct cal_site *s)
{
	return s->lang != NULL && strcmp(s->lang, "fr") == 0;
}

/* Where the page's own links go: BASE/fr/... in French, BASE/... in English. */
static const char *
home(const struct cal_site *s)
{
	return is_fr(s) ? "/fr" : "";
}

/* A feed's path under /calendars/ for the page's language. */
static const char *
feeds_of(const struct cal_site *s)
{
	return is_fr(s) ? "fr/" : "";
}

/* Links to subscribe to a feed: webcal://, Google Calendar, the file itself. */
static void
subscribe_links(struct sbuf *b, const struct cal_site *s, const char *feed)
{
	char path[CAL_CHANNEL_KEY_MAX + 24], *web, *http;

	snprintf(path, sizeof(path), "%s%s", feeds_of(s), feed);
	web = cal_webcal_url(s->base, path);
	http = cal_feed_url(s->base, path);
	sb_puts(b, "<a href=\"");
	cal_html(b, web);
	sb_printf(b,
	    "\">%s</a> &middot; <a href=\"https://calendar.google.com/calendar/r?cid=",
	    tr(s, "Subscribe"));
	cal_html(b, web);
	sb_puts(b, "\">Google Calendar</a> &middot; <a href=\"");
	cal_html(b, http);
	sb_printf(b, "\">%s</a>", tr(s, ".ics file"));
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
		cal_html(b, c);
		sb_puts(b, "&hellip;");
	} else {
		cal_html(b, c);
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
		cal_html(b, line);
		sb_puts(b, "<br>\n");
		line = nl + 1;
	}
	cal_html(b, line);
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
	cal_html(b, s->irc);
	if (channel != NULL)
		url_segment(b, channel[0] == '#' ? channel + 1 : channel);
	sb_puts(b, "\">");
	if (channel != NULL) {
		cal_html_text(b, channel);
		sb_printf(b, " %s ", tr(s, "on"));
	}
	cal_html_text(b, s->irc_label != NULL ? s->irc_label : s->irc);
	sb_puts(b, "</a>");
}

static const char *
nick_of(const struct cal_site *s)
{
	return s->nick != NULL && s->nick[0] != '\0' ? s->nick : tr(s, "the bot");
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
places(struct sbuf *b, const struct cal_site *s, const struct cal_event *e)
{
	int left = e->capacity > e->confirmed ? e->capacity - e->confirmed : 0;

	if (e->capacity == 0)
		sb_printf(b, "<span class=\"places\">%s</span>",
		    tr(s, "No limit on places"));
	else if (left == 0)
		sb_printf(b, "<strong class=\"places full\">%s</strong>",
		    tr(s, "Full, waitlist open"));
	else {
		sb_puts(b, "<strong class=\"places\">");
		sb_printf(b,
		    ntr(s, "%d place left", "%d places left", (unsigned long)left), left);
		sb_puts(b, "</strong> ");
		sb_printf(b, tr(s, "(of %d)"), e->capacity);
	}
}

/* The command that registers for event e, as typed in a private message. */
static void
rsvp_command(struct sbuf *b, const struct cal_site *s, const struct cal_event *e)
{
	sb_puts(b, "<code>/msg ");
	cal_html_text(b, s->nick != NULL && s->nick[0] != '\0' ? s->nick : "BOT");
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
	sb_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n", is_fr(s) ? "fr" : "en");
	sb_puts(b,
	    "<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
	if (title != NULL) {
		html_text_max(b, title, 200);
		sb_puts(b, " &ndash; ");
	}
	cal_html_text(b, s->title);
	if (page > 1)
		sb_printf(b, tr(s, " (page %zu)"), page);
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

/* "/msg NICK" as the reader types it. */
static void
msg_bot(struct sbuf *b, const struct cal_site *s)
{
	sb_puts(b, "<code>/msg ");
	cal_html_text(b, s->nick != NULL && s->nick[0] != '\0' ? s->nick : "BOT");
}

/* How to join the chat: the IRC link, the web chat. */
static void
how_to_join(struct sbuf *b, const struct cal_site *s, const char *chan)
{
	if (s->irc != NULL) {
		sb_printf(b, "%s ", tr(s, "Join"));
		irc_link(b, s, chan);
		sb_printf(b, " %s", tr(s, "with an IRC app"));
		if (s->chat_url != NULL) {
			sb_printf(b, ", %s <a href=\"", tr(s, "or use the"));
			cal_html_text(b, s->chat_url);
			sb_printf(b, "\">%s</a>", tr(s, "web chat"));
		}
		sb_puts(b, ". ");
	} else if (s->chat_url != NULL) {
		sb_printf(b, "%s <a href=\"", tr(s, "Join the"));
		cal_html_text(b, s->chat_url);
		sb_printf(b, "\">%s</a>. ", tr(s, "web chat"));
	}
}

/* How to take part, for people who never used IRC. */
static void
how_to(struct sbuf *b, const struct cal_site *s, const struct cal_event *e)
{
	const char *chan = e != NULL ? channel_of(s, e) : s->channel;

	sb_printf(b, "<p>%s ", tr(s, "Registration happens in a chat (IRC)."));
	how_to_join(b, s, chan);
	sb_printf(b, "%s <strong>", tr(s, "Then send the bot"));
	cal_html_text(b, nick_of(s));
	sb_printf(b, "</strong> %s</p>\n<ul>\n<li>", tr(s, "a message:"));
	if (e != NULL) {
		rsvp_command(b, s, e);
		sb_printf(b, " %s", tr(s, "registers you for this event."));
	} else {
		msg_bot(b, s);
		sb_printf(b, " rsvp N</code> %s",
		    tr(s, "registers you for event N (the number before each title)."));
	}
	sb_printf(b, " %s</li>\n<li>%s <code>no</code> %s ",
	    tr(s, "When it is full you join its waitlist, and get a place when one opens."),
	    tr(s, "Add"), tr(s, "to withdraw:"));
	msg_bot(b, s);
	if (e != NULL)
		sb_printf(b, " rsvp %lld no</code>.</li>\n", e->id);
	else
		sb_puts(b, " rsvp N no</code>.</li>\n");
	sb_printf(b, "<li>%s ", tr(s, "In"));
	if (chan != NULL)
		cal_html_text(b, chan);
	else
		sb_puts(b, tr(s, "a channel of the bot"));
	sb_printf(b, " %s <code>", tr(s, "you can also type"));
	cal_html_text(b, prefix_of(s));
	if (e != NULL)
		sb_printf(b, "rsvp %lld</code>.</li>\n", e->id);
	else
		sb_puts(b, "rsvp N</code>.</li>\n");
	sb_puts(b, "<li>");
	msg_bot(b, s);
	sb_printf(b, " feed</code> %s</li>\n</ul>\n",
	    tr(s, "gives you a calendar of your own registrations."));
	sb_printf(b, "<p>%s <code>",
	    tr(s,
	        "From a room bridged to the channel (Matrix, Discord, Telegram, Slack, "
	        "XMPP...), say the command in the room with the bot's prefix, e.g."));
	cal_html_text(b, prefix_of(s));
	sb_printf(b, "rsvp N</code>%s</p>\n",
	    tr(s,
	        ": the bot answers you there, by name. Join links and personal "
	        "calendars are private, so they are given on IRC only."));
}

/* An event of a list. */
static void
list_item(struct sbuf *b, const struct cal_site *s, const struct cal_event *e)
{
	char path[48], *url;

	snprintf(path, sizeof(path), "%sevent/%lld.ics", feeds_of(s), e->id);
	sb_printf(b,
	    "<li class=\"ev%s\" id=\"event-%lld\">\n<h3><span class=\"num\">#%lld</span> "
	    "<a href=\"",
	    e->cancelled ? " cancelled" : "", e->id, e->id);
	cal_html(b, s->base);
	sb_printf(b, "%s/event/%lld\">", home(s), e->id);
	cal_html_text(b, e->title != NULL ? e->title : "");
	sb_puts(b, "</a>");
	if (e->cancelled)
		sb_printf(b, " <span class=\"badge\">%s</span>", tr(s, "(cancelled)"));
	sb_puts(b, "</h3>\n<p class=\"when\">");
	cal_when_html(b, e, s->lang);
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
		places(b, s, e);
		sb_printf(b, ". %s ", tr(s, "Register:"));
		rsvp_command(b, s, e);
		sb_puts(b, "</p>\n");
	}
	sb_puts(b, "<p><a href=\"");
	cal_html(b, s->base);
	sb_printf(b, "%s/event/%lld\">%s</a>", home(s), e->id, tr(s, "Details"));
	if (http_link(e->url)) {
		sb_puts(b, " &middot; <a href=\"");
		cal_html_text(b, e->url);
		sb_printf(b, "\" rel=\"nofollow noopener\">%s</a>", tr(s, "Website"));
	}
	if (!e->cancelled) {
		url = cal_webcal_url(s->base, path);
		sb_puts(b, " &middot; <a href=\"");
		cal_html(b, url);
		free(url);
		sb_printf(b, "\">%s</a>", tr(s, "Add to calendar"));
	}
	url = cal_feed_url(s->base, path);
	sb_puts(b, " &middot; <a href=\"");
	cal_html(b, url);
	free(url);
	sb_printf(b, "\">%s</a></p>\n</li>\n", tr(s, ".ics file"));
}

static void
page_link(struct sbuf *b, const struct cal_site *s, size_t page, const char *text)
{
	sb_puts(b, "<a href=\"");
	cal_html(b, s->base);
	sb_puts(b, home(s));
	if (page > 1)
		sb_printf(b, "/page/%zu", page);
	else
		sb_puts(b, "/");
	sb_printf(b, "\">%s</a>", text);
}

/*
 * The link to the same page in the other language: path is what follows
 * BASE/LANG/ ("", "event/3", "page/2").
 */
static void
lang_switch(struct sbuf *b, const struct cal_site *s, const char *path)
{
	const char *other = is_fr(s) ? "en" : "fr";

	sb_printf(b, "<p class=\"lang\"><a href=\"");
	cal_html(b, s->base);
	sb_printf(b, "/%s/", other);
	cal_html(b, path);
	sb_printf(b, "\" hreflang=\"%s\" lang=\"%s\">%s</a></p>\n", other, other,
	    is_fr(s) ? "English" : "Français");
}

/* Links to the pages before and after page `page`. */
static void
more_nav(struct sbuf *b, const struct cal_site *s, size_t page, size_t first,
    size_t shown, size_t upcoming)
{
	if (page == 1 && first + shown >= upcoming)
		return;
	sb_printf(b, "<nav aria-label=\"%s\">\n<p>", tr(s, "More events"));
	if (page > 1)
		page_link(b, s, page - 1, tr(s, "&larr; Earlier events"));
	if (page > 1 && first + shown < upcoming)
		sb_puts(b, " &middot; ");
	if (first + shown < upcoming) {
		char text[128];

		snprintf(text, sizeof(text), tr(s, "Later events (%zu more) &rarr;"),
		    upcoming - first - shown);
		page_link(b, s, page + 1, text);
	}
	sb_puts(b, "</p>\n</nav>\n");
}

/* The subscribe links of the front page, to the feeds of its language. */
static void
subscribe_section(struct sbuf *b, const struct cal_site *s, const struct cal_channel *ch,
    size_t nch)
{
	sb_printf(b, "<h2>%s</h2>\n<p>%s</p>\n<ul>\n<li>%s ", tr(s, "Subscribe"),
	    tr(s, "Follow the events in your calendar app."), tr(s, "All events:"));
	subscribe_links(b, s, "all.ics");
	sb_puts(b, "</li>\n");
	for (size_t i = 0; i < nch; i++) {
		sb_printf(b, "<li>%s ", tr(s, "Events of"));
		cal_html_text(b, ch[i].name);
		sb_puts(b, tr(s, ": "));
		subscribe_links(b, s, ch[i].path);
		sb_puts(b, "</li>\n");
	}
	sb_puts(b, "</ul>\n");
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
	char here[32] = "";

	if (page == 0 || (page > 1 && first >= upcoming))
		return NULL;
	page_head(&b, s, NULL, page);
	sb_puts(&b, "<header>\n");
	if (page > 1)
		snprintf(here, sizeof(here), "page/%zu", page);
	lang_switch(&b, s, here);
	sb_puts(&b, "<h1>");
	cal_html_text(&b, s->title);
	sb_puts(&b, "</h1>\n</header>\n<main>\n");
	if (page == 1) {
		sb_printf(&b, "<h2>%s</h2>\n", tr(s, "How to register"));
		how_to(&b, s, NULL);
		sb_printf(&b, "<h2>%s</h2>\n", tr(s, "Upcoming events"));
	} else {
		sb_puts(&b, "<h2>");
		sb_printf(&b, tr(s, "Upcoming events %zu&ndash;%zu of %zu"), first + 1,
		    first + CAL_PAGE_EVENTS < upcoming ? first + CAL_PAGE_EVENTS : upcoming,
		    upcoming);
		sb_puts(&b, "</h2>\n<p>");
		page_link(&b, s, 1, tr(s, "How to register, and the first events"));
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
		sb_printf(&b, "<li>%s</li>\n", tr(s, "No upcoming events."));
	sb_puts(&b, "</ul>\n");
	more_nav(&b, s, page, first, shown, upcoming);
	if (page == 1)
		subscribe_section(&b, s, ch, nch);
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

	sb_printf(b, "<h2>%s</h2>\n<p>", tr(s, "Add to calendar"));
	web = cal_webcal_url(s->base, path);
	http = cal_feed_url(s->base, path);
	if (!e->cancelled) {
		sb_puts(b, "<a href=\"");
		cal_html(b, web);
		sb_printf(b,
		    "\">%s</a> &middot; <a href=\"https://calendar.google.com/calendar/r?cid=",
		    tr(s, "Add to calendar"));
		cal_html(b, web);
		sb_puts(b, "\">Google Calendar</a> &middot; ");
	}
	sb_puts(b, "<a href=\"");
	cal_html(b, http);
	sb_printf(b, "\">%s</a></p>\n", tr(s, ".ics file"));
	free(web);
	free(http);
	if (s->irc != NULL || s->chat_url != NULL) {
		sb_printf(b, "<h2>%s</h2>\n<p>", tr(s, "Chat"));
		if (s->irc != NULL)
			irc_link(b, s, channel_of(s, e));
		if (s->irc != NULL && s->chat_url != NULL)
			sb_puts(b, " &middot; ");
		if (s->chat_url != NULL) {
			sb_puts(b, "<a href=\"");
			cal_html_text(b, s->chat_url);
			sb_printf(b, "\">%s</a>", tr(s, "Web chat"));
		}
		sb_puts(b, "</p>\n");
	}
}

/* The event's state, its time, place, places and website. */
static void
event_facts(struct sbuf *b, const struct cal_site *s, const struct cal_event *e,
    long long now)
{
	if (e->cancelled) {
		sb_printf(b, "<p class=\"badge\">%s", tr(s, "This event is cancelled"));
		if (e->cancel_reason != NULL) {
			sb_puts(b, tr(s, ": "));
			cal_html_text(b, e->cancel_reason);
		}
		sb_puts(b, ".</p>\n");
	} else if (ended(e, now)) {
		sb_printf(b, "<p class=\"badge\">%s</p>\n", tr(s, "This event has ended."));
	}
	sb_printf(b, "<dl>\n<dt>%s</dt>\n<dd class=\"when\">", tr(s, "When"));
	cal_when_html(b, e, s->lang);
	sb_puts(b, "</dd>\n");
	if (e->location != NULL) {
		sb_printf(b, "<dt>%s</dt>\n<dd>", tr(s, "Where"));
		html_lines(b, e->location);
		sb_puts(b, "</dd>\n");
	}
	if (!e->cancelled && !ended(e, now)) {
		sb_printf(b, "<dt>%s</dt>\n<dd>", tr(s, "Places"));
		places(b, s, e);
		sb_puts(b, "</dd>\n");
	}
	if (http_link(e->url)) {
		sb_printf(b, "<dt>%s</dt>\n<dd><a href=\"", tr(s, "Website"));
		cal_html_text(b, e->url);
		sb_puts(b, "\" rel=\"nofollow noopener\">");
		cal_html_text(b, e->url);
		sb_puts(b, "</a></dd>\n");
	}
	sb_puts(b, "</dl>\n");
}

char *
cal_event_page_render(const struct cal_site *s, const struct cal_event *e, long long now,
    size_t *len)
{
	struct sbuf b = { 0 };
	char path[48], here[32];
	const char *title = e->title != NULL ? e->title : "";

	snprintf(path, sizeof(path), "%sevent/%lld.ics", feeds_of(s), e->id);
	snprintf(here, sizeof(here), "event/%lld", e->id);
	page_head(&b, s, title, 1);
	sb_puts(&b, "<header>\n");
	lang_switch(&b, s, here);
	sb_puts(&b, "<p>");
	page_link(&b, s, 1, tr(s, "&larr; All events"));
	sb_puts(&b, "</p>\n</header>\n<main>\n<h1");
	if (e->cancelled)
		sb_puts(&b, " class=\"cancelled\"");
	sb_printf(&b, "><span class=\"num\">#%lld</span> <span class=\"t\">", e->id);
	cal_html_text(&b, title);
	sb_puts(&b, "</span></h1>\n");
	event_facts(&b, s, e, now);
	if (e->description != NULL) {
		sb_printf(&b, "<h2>%s</h2>\n<p>", tr(s, "About"));
		html_lines(&b, e->description);
		sb_puts(&b, "</p>\n");
	}
	if (!e->cancelled && !ended(e, now)) {
		sb_printf(&b, "<h2>%s</h2>\n", tr(s, "How to register"));
		how_to(&b, s, e);
	}
	event_page_links(&b, s, e, path);
	sb_puts(&b, "</main>\n</body>\n</html>\n");
	return sb_take(&b, len);
}
