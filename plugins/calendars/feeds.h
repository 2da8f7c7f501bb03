/*
 * feeds.h: the rendered feeds and the HTML page, kept in memory and
 * served from there. Pure: no host calls (the network's case folding is
 * passed in), so unit tests drive it directly.
 */
#ifndef CAL_FEEDS_H
#define CAL_FEEDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ics.h"

#pragma GCC visibility push(hidden)

#define CAL_CHANNEL_KEY_MAX 128

/* One rendered document, with its validators. */
struct cal_feed {
	char *path;  /* under /calendars/: "all.ics", "channel/NAME.ics", "event/N.ics" */
	char *label; /* what people call it: "all events", "#events", "event 7" */
	char *body;
	size_t len;
	char etag[48];
	time_t lastmod;
	bool dirty;  /* the body changed and is not on disk yet */
	bool mapped; /* body is a mapping of its file (cal_feed_map), not the heap's */
};

void cal_feed_clear(struct cal_feed *f);

/*
 * The body is now `map`, a read-only MAP_SHARED mapping of the file just
 * written with exactly these len bytes: the heap copy goes. A feed of
 * thousands of events then costs no heap, and its pages are the page
 * cache's, in memory only while read (served, compared).
 */
void cal_feed_map(struct cal_feed *f, void *map);

/*
 * Give f a new body (taken over). When it equals the old one nothing
 * changes and false is returned; otherwise `dirty` is set, the ETag is recomputed and
 * Last-Modified becomes `now`, or one second past the old one if that is
 * later, so that If-Modified-Since never matches a changed body.
 */
bool cal_feed_set(struct cal_feed *f, char *body, size_t len, time_t now);

/* The Last-Modified of a changed body: now, or one second past the old one if that is later. */
time_t cal_next_lastmod(time_t old, time_t now);

/*
 * The feed of one event (event/N.ics). There can be thousands, so only the
 * validators stay for every one; the body is rendered when the event
 * changes or on a request, and kept in a cache of at most `cap` bodies.
 * Rendering is deterministic, so a body evicted and rendered again has the
 * same ETag, and its Last-Modified does not move.
 */
struct cal_evfeed {
	long long id;
	uint64_t input; /* ics_event_input() the validators are for; 0: none yet */
	char etag[48];  /* "" until known */
	time_t lastmod;
	char *body; /* NULL when not in memory */
	size_t len;
	unsigned long long used; /* when last rendered or served, for eviction */
	bool on_disk;            /* the file under [calendars] dir holds this body */
	bool stored;             /* the database's manifest holds these validators */
};

struct cal_evfeeds {
	struct cal_evfeed *v; /* by id */
	size_t n;
	size_t bodies; /* how many hold a body */
	size_t cap;    /* at most this many */
	unsigned long long tick;
};

/* The feed of event `id`, or NULL. */
struct cal_evfeed *cal_evfeeds_find(const struct cal_evfeeds *c, long long id);
/* Sort c->v by id after filling it. */
void cal_evfeeds_sort(struct cal_evfeeds *c);

/*
 * The validators of a body rendered for f: a new ETag moves Last-Modified
 * to cal_next_lastmod(), an equal one changes nothing. True when the ETag
 * changed.
 */
bool cal_evfeed_validate(struct cal_evfeed *f, const char *body, size_t len, time_t now);
/*
 * Keep f's new body (taken over) in memory when there is room, or when
 * `keep`, evicting the least recently used other body; else free it.
 */
void cal_evfeed_keep(struct cal_evfeeds *c, struct cal_evfeed *f, char *body, size_t len,
    bool keep);
/* Mark f used now (served). */
void cal_evfeed_touch(struct cal_evfeeds *c, struct cal_evfeed *f);
/* Free f's body, if any. */
void cal_evfeed_drop(struct cal_evfeeds *c, struct cal_evfeed *f);
void cal_evfeeds_clear(struct cal_evfeeds *c);

/*
 * The path key of a channel feed: the name without its '#', folded by
 * `fold` (the network's case mapping, in place). -1 when the name has
 * nothing left or holds anything unsafe in a path or a file name.
 */
int cal_channel_key(const char *channel, void (*fold)(char *),
    char out[CAL_CHANNEL_KEY_MAX]);

/* base + "/calendars/" + path, with every byte outside [A-Za-z0-9._~/-] percent-encoded. */
char *cal_feed_url(const char *base, const char *path);
/* The same URL with webcal:// in place of http:// or https://. */
char *cal_webcal_url(const char *base, const char *path);

/* A channel that has a feed, for the page. */
struct cal_channel {
	const char *name; /* "#events" */
	const char *path; /* "channel/events.ics" */
};

/* What the pages say about the site, and how to take part. */
struct cal_site {
	const char *title;  /* the calendar's name */
	const char *base;   /* public URL of the HTTP server, without a trailing '/' */
	const char *nick;   /* the bot's nick, for "/msg NICK rsvp N"; NULL: unknown */
	const char *prefix; /* the command prefix in channels ("!") */
	const char *irc;    /* "ircs://HOST:PORT/" (or irc://), or NULL: no chat link */
	const char *irc_label; /* how to name the server: "irc.example.org (port 6697, TLS)" */
	const char *channel;  /* where events without a channel belong, or NULL */
	const char *chat_url; /* a web chat ([http] chat_url), or NULL */
	/*
	 * The page's language: "fr" for French, anything else English. The
	 * French page's links stay in French (BASE/fr/...) and name the
	 * French feeds (BASE/calendars/fr/...); tr translates its sentences
	 * (the host's tr; NULL: English).
	 */
	const char *lang;
	const char *(*tr)(const char *lang, const char *msgid)
	    __attribute__((format_arg(2)));
	/* The plural forms, likewise (NULL: English). */
	const char *(*ntr)(const char *lang, const char *singular, const char *plural,
	    unsigned long n) __attribute__((format_arg(2))) __attribute__((format_arg(3)));
};

/* Events on the front page, and on each further page (/page/N). */
#define CAL_PAGE_EVENTS 100

/*
 * An HTML page of the upcoming events (those in v not ended at now, by
 * start): page 1 is the front page at / (how to take part, the first
 * CAL_PAGE_EVENTS events, subscribe links), page N > 1 the next ones at
 * /page/N. Each event: its number, the command to register, places left,
 * links to its page and its feed. Every text is escaped. Returns a new
 * string (caller frees), or NULL when page > 1 has no events.
 */
char *cal_page_render(const struct cal_site *s, const struct cal_event *v, size_t n,
    const struct cal_channel *ch, size_t nch, long long now, size_t page, size_t *len);

/*
 * The same page from just its events: v holds the upcoming events from
 * the page's first one on (at least CAL_PAGE_EVENTS, or the rest), `total`
 * how many are upcoming. No subscribe links (those are on page 1).
 */
char *cal_page_slice_render(const struct cal_site *s, const struct cal_event *v, size_t n,
    size_t total, long long now, size_t page, size_t *len);

/*
 * The front page (page 1) from its upcoming events only: v holds the first
 * (at least CAL_PAGE_EVENTS, or all), `total` how many are upcoming. The
 * same text as cal_page_render() from every event.
 */
char *cal_page_first_render(const struct cal_site *s, const struct cal_event *v, size_t n,
    size_t total, const struct cal_channel *ch, size_t nch, long long now, size_t *len);

/* The page of one event (/event/N), rendered on request. Caller frees. */
char *cal_event_page_render(const struct cal_site *s, const struct cal_event *e,
    long long now, size_t *len);

#pragma GCC visibility pop

#endif
