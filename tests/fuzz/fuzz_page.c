/*
 * fuzz_page.c: the HTML pages of the calendars plugin (page.c) over
 * arbitrary text in every field people or the config can set: title,
 * description, location, public URL, channel, zone, the bot's nick, the
 * chat link. Besides not crashing, checks that no text of theirs becomes
 * markup: every '<' of the output opens or closes a tag the page itself
 * writes, every attribute is one the page writes, and every link starts
 * with a scheme the page means.
 *
 * Input: fields separated by NUL bytes, in the order of `field` below;
 * missing ones are NULL.
 */
// fuzz-sources: plugins/calendars/feeds.c plugins/calendars/page.c plugins/calendars/pagetext.c plugins/calendars/ics.c plugins/calendars/series_ics.c plugins/calendars/icstext.c plugins/calendars/sbuf.c plugins/common/cv_ical.c
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/calendars/feeds.h"

static void
check(int ok)
{
	if (!ok)
		abort();
}

static const char *const tags[] = {
	"!DOCTYPE html>",
	"html",
	"head",
	"meta",
	"title",
	"style",
	"body",
	"header",
	"main",
	"nav",
	"h1",
	"h2",
	"h3",
	"p",
	"ul",
	"li",
	"a",
	"strong",
	"span",
	"code",
	"br",
	"dl",
	"dt",
	"dd",
};

static const char *const attrs[] = {
	"lang=",
	"hreflang=",
	"charset=",
	"name=",
	"content=",
	"href=",
	"rel=",
	"class=",
	"id=",
	"aria-label=",
};

static const char *const schemes[] = {
	"http://",
	"https://",
	"webcal://",
	"irc://",
	"ircs://",
	"https://calendar.google.com/calendar/r?cid=webcal://",
};

static int
starts(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(s, v[i], strlen(v[i])) == 0)
			return 1;
	return 0;
}

/* Every tag of the page is ours, with our attributes and links. */
static void
check_html(const char *p)
{
	const char *style = strstr(p, "<style>"), *style_end = strstr(p, "</style>");

	check(style != NULL && style_end != NULL);
	for (const char *s = p; (s = strchr(s, '<')) != NULL; s++) {
		const char *end = strchr(s, '>'), *q;
		char name[16];
		size_t n;

		check(end != NULL);
		if (s > style && s < style_end)
			continue;
		q = s + 1;
		if (*q == '/')
			q++;
		n = strspn(q, "!DOCTYPEabcdefghijklmnopqrstuvwxyz0123456789");
		check(n > 0 && n < sizeof(name));
		memcpy(name, q, n);
		name[n] = '\0';
		if (strcmp(name, "!DOCTYPE") == 0) {
			check(starts(q, tags, 1));
			continue;
		}
		check(starts(name, tags + 1, sizeof(tags) / sizeof(tags[0]) - 1));
		for (size_t i = 1; i < sizeof(tags) / sizeof(tags[0]); i++)
			if (strcmp(name, tags[i]) == 0)
				goto known;
		abort();
known:
		/* Attributes: name="value" with no '"' '<' '>' inside. */
		for (q += n; q < end;) {
			const char *v, *ve;

			check(*q == ' ');
			q++;
			check(starts(q, attrs, sizeof(attrs) / sizeof(attrs[0])));
			v = strchr(q, '=') + 1;
			check(*v == '"');
			ve = strchr(v + 1, '"');
			check(ve != NULL && ve < end);
			for (const char *c = v + 1; c < ve; c++)
				check(*c != '<' && *c != '>');
			if (strncmp(q, "href=", 5) == 0)
				check(starts(v + 1, schemes,
				    sizeof(schemes) / sizeof(schemes[0])));
			q = ve + 1;
		}
		check(q == end);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const zones[] = { "UTC", "Europe/Paris", "+05:30", "-03:00" };
	enum { TITLE, DESC, LOC, URL, CHAN, TZ, NICK, CHAT, SITECHAN, NFIELDS };
	const char *field[NFIELDS] = { 0 };
	char *text = malloc(size + 1), *p, *page;
	struct cal_event e;
	struct cal_site s;
	size_t len, k = 0;

	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; k < NFIELDS && p <= text + size; p += strlen(p) + 1)
		field[k++] = p;

	memset(&e, 0, sizeof(e));
	e.id = 42;
	e.title = (char *)(field[TITLE] != NULL ? field[TITLE] : "");
	e.description = (char *)field[DESC];
	e.location = (char *)field[LOC];
	e.url = (char *)field[URL];
	e.channel = (char *)field[CHAN];
	/* Zones come checked from the events plugin; looking up junk is only slow. */
	e.tz = (char *)zones[field[TZ] != NULL ? (unsigned char)field[TZ][0] % 4 : 0];
	e.start_utc = 1800000000;
	e.duration_min = 90;
	e.capacity = size % 5;
	e.confirmed = size % 7;
	e.cancelled = size % 3 == 0;

	/* The site's strings come from the config and the server, checked there. */
	s = (struct cal_site){ e.title, "https://ev.example.org", field[NICK], "!",
		"ircs://irc.example.org:6697/", "irc.example.org", field[SITECHAN], NULL,
		NULL, NULL, NULL };
	/* The French page's dates and links too (its sentences need the host's tr). */
	if (size % 2 == 1)
		s.lang = "fr";
	if (field[CHAT] != NULL && strncmp(field[CHAT], "https://", 8) == 0)
		s.chat_url = field[CHAT];

	page = cal_page_render(&s, &e, 1, NULL, 0, 1700000000, 1, &len);
	check(page != NULL && strlen(page) == len);
	check_html(page);
	free(page);
	page = cal_event_page_render(&s, &e,
	    1700000000 + (long long)(size % 2) * 200000000, &len);
	check(page != NULL && strlen(page) == len);
	check_html(page);
	free(page);
	free(text);
	return 0;
}
