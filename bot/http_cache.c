/*
 * http_cache.c: validators (ETag lists, HTTP dates), conditional answers,
 * and the answers kept for reuse, for http.c.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "http.h"
#include "http_priv.h"
#include "util.h"

/*
 * Answers kept for reuse: a feed's 200 is the same bytes for every client
 * until the feed changes, so its MHD_Response (with its own copy of the
 * body, made once) is kept and queued again, rather than copying half a
 * megabyte per request. The key is the route's owner and the strong ETag
 * with the length: the ETag is a hash of the body, so the same key is the
 * same bytes, whatever became of the plugin's buffer. MHD counts the
 * references of a response: one dropped here (a newer version, a plugin
 * unloaded) stays valid for the clients still receiving it.
 *
 * A body the plugin has as a mapping of its file (body_mapped: the feeds
 * written to disk) is not copied: the kept answer maps the same pages
 * (mremap() of a shared mapping with old size 0), which are the page
 * cache's and not the heap's, and stay valid when the plugin unmaps its
 * own or renames a new file over it. Only heap copies count in
 * CACHE_BYTES.
 *
 * A route answers one version of a path at a time: a new one kept for a
 * path drops the one kept before, which no client is sent again.
 */
#define CACHE_SLOTS 16
#define CACHE_BYTES ((size_t)4 * 1024 * 1024)
static struct cached cache[CACHE_SLOTS];
static size_t cache_bytes; /* heap copies only */
static uint64_t cache_clock;

static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	"Aug", "Sep", "Oct", "Nov", "Dec" };

bool
http_etag_match(const char *list, const char *etag)
{
	const char *p = list, *q;
	size_t len;

	/* If-None-Match uses the weak comparison: W/ does not matter. */
	if (strncmp(etag, "W/", 2) == 0)
		etag += 2;
	len = strlen(etag);
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return false;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"' || (q = strchr(p + 1, '"')) == NULL)
			return false; /* malformed: no match, a full answer */
		if ((size_t)(q + 1 - p) == len && memcmp(p, etag, len) == 0)
			return true;
		p = q + 1 + strspn(q + 1, " \t");
		if (*p != ',' && *p != '\0')
			return false;
	}
}

/*
 * Does s match the picture: 'd' a digit, '_' a digit or a space, 'a' a
 * letter, anything else itself. The whole of s must match.
 */
static bool
picture(const char *s, const char *pic)
{
	for (; *pic != '\0'; s++, pic++) {
		unsigned char c = (unsigned char)*s;

		switch (*pic) {
		case 'd':
			if (c < '0' || c > '9')
				return false;
			break;
		case '_':
			if (c != ' ' && (c < '0' || c > '9'))
				return false;
			break;
		case 'a':
			if ((c | 0x20) < 'a' || (c | 0x20) > 'z')
				return false;
			break;
		default:
			if (c != (unsigned char)*pic)
				return false;
		}
	}
	return *s == '\0';
}

/* The number in s[0..n), whose characters picture() has checked. */
static int
num(const char *s, size_t n)
{
	int v = 0;

	for (; n > 0; s++, n--)
		if (*s != ' ')
			v = v * 10 + (*s - '0');
	return v;
}

static int
month(const char *s)
{
	int i;

	for (i = 0; i < 12; i++)
		if (strncmp(s, months[i], 3) == 0)
			return i;
	return -1;
}

int
http_date_parse(const char *s, time_t *t)
{
	struct tm tm;
	const char *p;
	int year, mday, mon, h, m, sec;

	if (picture(s, "aaa, dd aaa dddd dd:dd:dd GMT")) {
		/* IMF-fixdate, the one to send. */
		mday = num(s + 5, 2), mon = month(s + 8), year = num(s + 12, 4);
		h = num(s + 17, 2), m = num(s + 20, 2), sec = num(s + 23, 2);
	} else if (picture(s, "aaa aaa _d dd:dd:dd dddd")) {
		/* asctime() */
		mon = month(s + 4), mday = num(s + 8, 2), h = num(s + 11, 2);
		m = num(s + 14, 2), sec = num(s + 17, 2), year = num(s + 20, 4);
	} else if ((p = strstr(s, ", ")) != NULL &&
	    picture(p + 2, "dd-aaa-dd dd:dd:dd GMT")) {
		/* RFC 850, with its two-digit year. */
		p += 2;
		mday = num(p, 2), mon = month(p + 3), year = num(p + 7, 2);
		h = num(p + 10, 2), m = num(p + 13, 2), sec = num(p + 16, 2);
		year += year < 70 ? 2000 : 1900;
	} else
		return -1;
	if (mon < 0 || mday < 1 || mday > 31 || h > 23 || m > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = mday;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	*t = timegm(&tm);
	return 0;
}

void
http_date_format(time_t t, char buf[HTTP_DATE_LEN])
{
	char tmp[64];
	struct tm tm;

	/* Out of the four-digit years: the epoch rather than a broken date. */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	/*
	 * strftime's %a and %b follow the locale; HTTP wants English. The
	 * fields are in range, so 29 characters: tmp only quiets -Wformat.
	 */
	snprintf(tmp, sizeof tmp, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
	    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	cv_strlcpy(buf, tmp, HTTP_DATE_LEN);
}

/* Turn a 200 into a 304 when the client's copy is current (RFC 7232 6). */
void
check_conditional(struct MHD_Connection *c, struct cv_http_resp *resp)
{
	const char *inm, *ims;
	time_t since;

	if (resp->status != 200)
		return;
	inm =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	if (inm != NULL) {
		/* When present, If-None-Match alone decides. */
		if (resp->etag[0] == '\0' || !http_etag_match(inm, resp->etag))
			return;
	} else if (ims == NULL || resp->last_modified == 0 ||
	    http_date_parse(ims, &since) == -1 || resp->last_modified > since)
		return;

	resp->status = MHD_HTTP_NOT_MODIFIED;
	if (resp->body_free)
		free(resp->body);
	resp->body = NULL;
	resp->len = 0;
	resp->body_free = false;
}

static void
cache_drop(struct cached *e)
{
	if (!e->mapped)
		cache_bytes -= e->len;
	MHD_destroy_response(e->r);
	memset(e, 0, sizeof *e);
}

/* Two languages (NULL: none) are the same. */
static bool
same(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

struct cached *
cache_find(const void *owner, const struct cv_http_resp *resp, const char *ctype,
    const char *lang)
{
	size_t i;

	for (i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].r != NULL && cache[i].owner == owner &&
		    cache[i].len == resp->len &&
		    cache[i].last_modified == resp->last_modified &&
		    cache[i].ctype == ctype && strcmp(cache[i].etag, resp->etag) == 0 &&
		    same(cache[i].lang, lang)) {
			cache[i].used = ++cache_clock;
			return &cache[i];
		}
	return NULL;
}

/*
 * Keep r for owner's later answers with the same validators: the cache
 * takes over the caller's reference to r (true), or does not keep it.
 */
bool
cache_add(const void *owner, const char *path, const struct cv_http_resp *resp,
    const char *ctype, struct MHD_Response *r, bool mapped, const char *lang)
{
	struct cached *slot = NULL;
	size_t i, bytes = mapped ? 0 : resp->len;
	uint64_t h = 0xcbf29ce484222325ULL;

	if (bytes > CACHE_BYTES / 2)
		return false;
	for (; *path != '\0'; path++)
		h = (h ^ (unsigned char)*path) * 0x100000001b3ULL;
	/* Each language's version of a varying path is kept beside the others. */
	h = (h ^ 0xff) * 0x100000001b3ULL;
	for (const char *l = lang; l != NULL && *l != '\0'; l++)
		h = (h ^ (unsigned char)*l) * 0x100000001b3ULL;
	for (i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].r != NULL && cache[i].owner == owner && cache[i].path == h)
			cache_drop(&cache[i]); /* an older version of this path */
	for (;;) {
		struct cached *lru = NULL;

		for (i = 0; i < CACHE_SLOTS; i++) {
			if (cache[i].r == NULL) {
				slot = &cache[i];
				continue;
			}
			if (lru == NULL || cache[i].used < lru->used)
				lru = &cache[i];
		}
		if (slot != NULL && cache_bytes + bytes <= CACHE_BYTES)
			break;
		cache_drop(lru);
		slot = NULL;
	}
	*slot = (struct cached){ owner, r, "", resp->len, resp->last_modified, ctype,
		++cache_clock, mapped, h, lang };
	memcpy(slot->etag, resp->etag, sizeof slot->etag);
	slot->etag[sizeof slot->etag - 1] = '\0';
	cache_bytes += bytes;
	return true;
}

void
cache_drop_owner(const void *owner)
{
	size_t i;

	for (i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].r != NULL && (owner == NULL || cache[i].owner == owner))
			cache_drop(&cache[i]);
}

struct mapping {
	void *p;
	size_t len;
};

static void
unmap_body(void *arg)
{
	struct mapping *m = arg;

	munmap(m->p, m->len);
	free(m);
}

/*
 * An answer over the host's own mapping of the pages of a body_mapped
 * body, or NULL (then it is copied). The plugin may unmap its mapping or
 * rename another file over the path: ours still holds these bytes.
 */
struct MHD_Response *
mapped_response(const struct cv_http_resp *resp)
{
	struct MHD_Response *r;
	struct mapping *m;
	void *p;

	if (resp->len == 0)
		return NULL;
	p = mremap(resp->body, 0, resp->len, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return NULL;
	m = xmalloc(sizeof *m);
	*m = (struct mapping){ p, resp->len };
	r = MHD_create_response_from_buffer_with_free_callback_cls(resp->len, p,
	    unmap_body, m);
	if (r == NULL)
		unmap_body(m);
	return r;
}
