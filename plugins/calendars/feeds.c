/* feeds.c: feeds in memory and their URLs (the HTML pages: page.c). See feeds.h. */
#include "feeds.h"

#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

static void
body_free(struct cal_feed *f)
{
	if (f->mapped && f->body != NULL)
		munmap(f->body, f->len);
	else
		free(f->body);
	f->body = NULL;
	f->mapped = false;
}

void
cal_feed_clear(struct cal_feed *f)
{
	free(f->path);
	free(f->label);
	body_free(f);
	memset(f, 0, sizeof(*f));
}

void
cal_feed_map(struct cal_feed *f, void *map)
{
	body_free(f);
	f->body = map;
	f->mapped = true;
}

bool
cal_feed_set(struct cal_feed *f, char *body, size_t len, time_t now)
{
	if (f->body != NULL && f->len == len && memcmp(f->body, body, len) == 0) {
		free(body);
		/* Read for the comparison only: our page table lets the pages go. */
		if (f->mapped)
			madvise(f->body, len, MADV_DONTNEED);
		return false;
	}
	body_free(f);
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
	long long x = ((const struct cal_evfeed *)a)->id,
	          y = ((const struct cal_evfeed *)b)->id;

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
cal_evfeed_keep(struct cal_evfeeds *c, struct cal_evfeed *f, char *body, size_t len,
    bool keep)
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
