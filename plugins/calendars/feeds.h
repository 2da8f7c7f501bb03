/*
 * feeds.h: the rendered feeds and the HTML page, kept in memory and
 * served from there. Pure: no host calls (the network's case folding is
 * passed in), so unit tests drive it directly.
 */
#ifndef CAL_FEEDS_H
#define CAL_FEEDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ics.h"

#pragma GCC visibility push(hidden)

#define CAL_CHANNEL_KEY_MAX 128

/* One rendered document, with its validators. */
struct cal_feed {
	char *path;		/* under /calendars/: "all.ics", "channel/NAME.ics", "event/N.ics" */
	char *label;		/* what people call it: "all events", "#events", "event 7" */
	char *body;
	size_t len;
	char etag[48];
	time_t lastmod;
	/* For event feeds: what the body was rendered from, to reuse it. */
	long long ev_updated, ev_sequence;
	bool ev_cancelled;
	bool dirty;		/* the body changed and is not on disk yet */
};

void cal_feed_clear(struct cal_feed *f);

/*
 * Give f a new body (taken over). When it equals the old one nothing
 * changes and false is returned; otherwise `dirty` is set, the ETag is recomputed and
 * Last-Modified becomes `now`, or one second past the old one if that is
 * later, so that If-Modified-Since never matches a changed body.
 */
bool cal_feed_set(struct cal_feed *f, char *body, size_t len, time_t now);

/*
 * The path key of a channel feed: the name without its '#', folded by
 * `fold` (the network's case mapping, in place). -1 when the name has
 * nothing left or holds anything unsafe in a path or a file name.
 */
int cal_channel_key(const char *channel, void (*fold)(char *), char out[CAL_CHANNEL_KEY_MAX]);

/* base + "/calendars/" + path, with every byte outside [A-Za-z0-9._~/-] percent-encoded. */
char *cal_feed_url(const char *base, const char *path);
/* The same URL with webcal:// in place of http:// or https://. */
char *cal_webcal_url(const char *base, const char *path);

/* A channel that has a feed, for the page. */
struct cal_channel {
	const char *name;	/* "#events" */
	const char *path;	/* "channel/events.ics" */
};

/*
 * The HTML page at /: the upcoming events (those in v not ended at now),
 * subscribe links for the public feeds, an "add to calendar" link for
 * each event. Every text is escaped. Returns a new string (caller frees).
 */
char *cal_page_render(const char *title, const char *base, const struct cal_event *v, size_t n,
    const struct cal_channel *ch, size_t nch, long long now, size_t *len);

#pragma GCC visibility pop

#endif
