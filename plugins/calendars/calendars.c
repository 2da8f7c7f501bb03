/*
 * calendars.c: the calendars plugin. iCalendar feeds of the events data,
 * rendered when events change (not on each request), served from memory
 * on the host's HTTP server, and the public ones written to [calendars] dir.
 *
 *   /calendars/all.ics            every public event
 *   /calendars/channel/NAME.ics   the events of one channel (NAME folded, no '#')
 *   /calendars/event/N.ics        one event
 *   /calendars/me/TOKEN.ics       a person's registrations (never on disk)
 *   /                             an HTML page with the next upcoming events
 *   /page/N                       the later ones, CAL_PAGE_EVENTS a page (read a page at a time)
 *   /event/N                      the page of one event
 *
 * Rendering is in ics.c, the page and feed bookkeeping in feeds.c, SQL in
 * store.c, copies on a CalDAV or WebDAV server in publish.c; this file
 * holds the state and talks to the host.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "convene.h"
#include "feeds.h"
#include "ics.h"
#include "publish.h"
#include "sbuf.h"
#include "store.h"

#define KEEP_PAST (30 * 86400)	/* ended events stay in the feeds this long */
#define REFRESH_MINUTES 60
#define TICK_MS (15 * 1000)	/* how often to look whether time changed a feed */
#define PERSONAL_MAX 1024	/* personal feeds kept in memory */
#define CTYPE_ICS "text/calendar; charset=utf-8"
#define CTYPE_HTML "text/html; charset=utf-8"

static const struct cv_host *host;
static struct cv_plugin *self;

/* The public feeds and the page, as last rendered. */
static struct {
	struct cal_feed *v;	/* v[0] is all.ics */
	size_t n;
	struct cal_feed page;
	long long next_change;	/* wall time when time alone changes what they show */
	bool written;		/* the files were written once since start */
	bool rendered;		/* render_public() ran once since start */
	cv_timer_id render_timer;	/* a render is due: events changed */
	bool due_all;		/* any event may have changed: every feed is looked at */
	bool due_page;		/* the page only: places on it, or the bot's nick */
	long long page_ids[CAL_PAGE_EVENTS];	/* the events the page shows */
	size_t npage_ids;
	char nick[256];		/* the bot's nick the page names */
} pub;

#define RENDER_DELAY_MS 1000	/* changes within this share one render */
#define EVENT_BODIES 256	/* bodies of single-event feeds kept in memory */
/*
 * Mixed into what a single event's feed is rendered from: raise it when
 * ics.c or render_event() writes other text for the same event.
 */
#define EVENT_FORMAT "convene-event-feed-1"

/*
 * The manifest is written at unload and every MANIFEST_FLUSH_MS, not at
 * each render: a render follows someone else's change, and must not look
 * like a change of its own. Missed after a crash, it is only older: the
 * next start renders the events that changed since, and rewrites a file
 * or moves a Last-Modified at worst.
 */
#define MANIFEST_FLUSH_MS (10 * 60 * 1000)

/*
 * Where each event's VEVENT lies in all.ics (pub.v[0].body): every other
 * feed of public events copies them from there, and the next render of
 * all.ics renders again only the events that changed.
 */
static struct ics_slices slices;

/* The feeds of single events: validators for each, a few bodies. */
static struct cal_evfeeds evs = { .cap = EVENT_BODIES };
static bool evs_loaded;		/* the manifest was read */
static long long *gone;		/* events to remove from the manifest */
static size_t ngone;

/* Personal feeds, rendered on the first request after a change. */
struct personal {
	char token[CAL_TOKEN_LEN + 1];
	char *person;
	struct cal_feed f;
	bool stale;
	long long used;		/* mono ms of the last request, to evict the oldest */
	long long *ids;		/* the events it shows, by id: a change to one of them stales it */
	size_t nids;
};
static struct personal *pers;
static size_t npers;

static sqlite3 *
db(void)
{
	return host->db(self);
}

static const char *
cal_name(void)
{
	const char *n = host->config(self, "name");

	return n != NULL && n[0] != '\0' ? n : "Convene events";
}

/*
 * The public URL of the HTTP server, without a trailing '/', as the host
 * builds it (host->base_url()). With the server off there is none: links
 * are then relative to the site's root. Caller frees.
 */
static char *
base_url(void)
{
	const char *b = host->base_url();
	struct sbuf s = { 0 };

	sb_printf(&s, "%s", b != NULL ? b : "");
	return sb_take(&s, NULL);
}

/* A decimal number without sign or leading zero, all of s: the number, or -1. */
static long long
number_of(const char *s)
{
	long long id = 0;

	if (*s < '1' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (id > (LLONG_MAX - 9) / 10)
			return -1;
		id = id * 10 + (*s - '0');
	}
	return *s == '\0' ? id : -1;
}

/* A yes/no value of another section (e.g. [irc] tls), read as the host reads it. */
static bool
config_true(const char *v)
{
	static const struct cv_config_key yes_no = { "", CV_KEY_BOOL, NULL, 0, 0, NULL };
	long long b = 0;

	return v != NULL && host->config_parse(&yes_no, v, &b) == 0 && b;
}

/*
 * What the pages say about the bot and its chat, from the config and the
 * bot's nick now. The strings stay valid until the next call.
 */
static struct cal_site
site(const char *base)
{
	static char irc[600], label[400];
	const char *server = host->config_of("irc", "server");
	const char *port = host->config_of("irc", "port");
	const char *chat = host->config_of("http", "chat_url");
	const char *chan = host->config_of("events", "channel");
	const char *nick = host->own_nick();
	bool tls = config_true(host->config_of("irc", "tls"));
	struct cal_site s = { cal_name(), base, NULL, host->prefix(), NULL,
	    NULL, NULL, NULL };

	s.nick = nick != NULL && nick[0] != '\0' ? nick : host->config_of("irc", "nick");
	if (port == NULL || port[0] == '\0')
		port = tls ? "6697" : "6667";
	/* Only a plain host name or address goes into a link. */
	if (server != NULL && server[0] != '\0' && strlen(server) < 256 &&
	    strspn(server, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") ==
	    strlen(server)) {
		snprintf(irc, sizeof(irc), strchr(server, ':') != NULL ? "%s://[%s]:%s/" :
		    "%s://%s:%s/", tls ? "ircs" : "irc", server, port);
		snprintf(label, sizeof(label), "%s (port %s%s)", server, port,
		    tls ? ", TLS" : "");
		s.irc = irc;
		s.irc_label = label;
	}
	if (chat != NULL && (strncmp(chat, "https://", 8) == 0 || strncmp(chat, "http://", 7) == 0))
		s.chat_url = chat;
	s.channel = chan != NULL && chan[0] != '\0' ? chan : host->channel(0);
	return s;
}

static const char *
feed_dir(void)
{
	const char *d = host->config(self, "dir");

	return d != NULL && d[0] != '\0' ? d : "calendars";
}

/* ---- files ---- */

static int
mkdir_p(const char *path)
{
	char *p = cal_xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; rc == 0; s++) {
		bool end = *s == '\0';

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			rc = -1;
		else
			chmod(p, 0755);	/* world-readable whatever the umask */
		if (end)
			break;
		*s = '/';
	}
	free(p);
	return rc;
}

/*
 * Replace dir/path with body atomically: a reader sees the old file or the
 * new one. With `map`, *map is a read-only shared mapping of the new file
 * (NULL when none could be made), to unmap with munmap(*map, len).
 */
static int
write_atomic(const char *dir, const char *path, const char *body, size_t len, void **map)
{
	char *final, *tmp;
	const char *slash = strrchr(path, '/');
	ssize_t w;
	size_t off = 0;
	int fd, rc = -1;
	void *m = MAP_FAILED;

	if (map != NULL)
		*map = NULL;
	if (asprintf(&final, "%s/%s", dir, path) < 0)
		abort();
	if (asprintf(&tmp, "%s/%.*s.%s.tmp.XXXXXX", dir, slash ? (int)(slash - path + 1) : 0,
	    path, slash ? slash + 1 : path) < 0)
		abort();
	if ((fd = mkstemp(tmp)) == -1)
		goto out;
	while (off < len && (w = write(fd, body + off, len - off)) > 0)
		off += (size_t)w;
	/* The inode written here, whatever is renamed over the path later. */
	if (off == len && map != NULL && len > 0)
		m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (off == len && fchmod(fd, 0644) == 0 && close(fd) == 0) {
		fd = -1;
		if (rename(tmp, final) == 0)
			rc = 0;
	}
	if (fd != -1)
		close(fd);
	if (rc == -1)
		unlink(tmp);
	if (m != MAP_FAILED && rc == -1)
		munmap(m, len);
	else if (m != MAP_FAILED)
		*map = m;
out:
	free(tmp);
	free(final);
	return rc;
}

/* The id of "event/N.ics" (N as written by us: no sign, no leading zero), or -1. */
static long long
event_id_of(const char *path)
{
	const char *p = path + 6;
	long long id = 0;

	if (strncmp(path, "event/", 6) != 0 || *p < '1' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (id > (LLONG_MAX - 9) / 10)
			return -1;
		id = id * 10 + (*p - '0');
	}
	return strcmp(p, ".ics") == 0 ? id : -1;
}

static bool
has_feed(const char *path)
{
	long long id = event_id_of(path);

	if (id != -1)
		return cal_evfeeds_find(&evs, id) != NULL;
	for (size_t i = 0; i < pub.n; i++)
		if (strcmp(pub.v[i].path, path) == 0)
			return true;
	return false;
}

/*
 * Remove the .ics files of dir/sub that no feed has any more. The feeds of
 * single events learn whether their file is there (on_disk).
 */
static void
prune(const char *dir, const char *sub)
{
	char *d, path[300];
	DIR *dh;
	struct dirent *e;

	if (asprintf(&d, "%s/%s", dir, sub) < 0)
		abort();
	if ((dh = opendir(d)) != NULL) {
		while ((e = readdir(dh)) != NULL) {
			size_t n = strlen(e->d_name);

			if (e->d_name[0] == '.' || n < 5 || strcmp(e->d_name + n - 4, ".ics") != 0)
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", sub, e->d_name) >= sizeof(path))
				continue;
			if (has_feed(path)) {
				long long id = event_id_of(path);

				if (id != -1)
					cal_evfeeds_find(&evs, id)->on_disk = true;
			} else if (unlinkat(dirfd(dh), e->d_name, 0) == -1) {
				host->log(self, CV_LOG_WARN, "cannot remove %s/%s: %s", d,
				    e->d_name, strerror(errno));
			}
		}
		closedir(dh);
	}
	free(d);
}

/*
 * Write the feeds of all events and of channels that changed (all of them
 * the first time); the feeds of single events are written by
 * events_update(). -1 when the folders cannot be made.
 */
static int
write_files(void)
{
	const char *dir = feed_dir();
	char *sub;
	size_t failed = 0;

	if (mkdir_p(dir) == -1) {
		host->log(self, CV_LOG_WARN, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	for (const char *const *s = (const char *const[]){ "channel", "event", NULL }; *s; s++) {
		if (asprintf(&sub, "%s/%s", dir, *s) < 0)
			abort();
		mkdir_p(sub);
		free(sub);
	}
	for (size_t i = 0; i < pub.n; i++) {
		if (!pub.v[i].dirty && pub.written)
			continue;
		void *map;

		if (write_atomic(dir, pub.v[i].path, pub.v[i].body, pub.v[i].len, &map) == -1) {
			failed++;
		} else {
			pub.v[i].dirty = false;
			/* Served from the file's pages from now on; the heap copy goes. */
			if (map != NULL)
				cal_feed_map(&pub.v[i], map);
		}
	}
	if (failed > 0)
		host->log(self, CV_LOG_WARN, "could not write %zu feed file(s) under %s: %s",
		    failed, dir, strerror(errno));
	prune(dir, "channel");
	pub.written = failed == 0;
	return 0;
}

/* ---- rendering ---- */

/*
 * Feeds come out in the same order at every render, so the search starts
 * where the last one matched: linear in the number of feeds, not quadratic.
 */
static struct cal_feed *
find_old(struct cal_feed *old, size_t nold, const char *path)
{
	static size_t cursor;

	for (size_t k = 0; k < nold; k++) {
		size_t i = (cursor + k) % nold;

		if (old[i].path != NULL && strcmp(old[i].path, path) == 0) {
			cursor = i + 1;
			return &old[i];
		}
	}
	return NULL;
}

/*
 * A new feed at `path`, taking over the old one's body and validators so an
 * unchanged body keeps its ETag and Last-Modified.
 */
static struct cal_feed *
feed_add(struct cal_feed **v, size_t *n, struct cal_feed *old, size_t nold,
    const char *path, const char *label)
{
	struct cal_feed *f, *o = find_old(old, nold, path);

	*v = cal_xrealloc(*v, (*n + 1) * sizeof(**v));
	f = &(*v)[(*n)++];
	if (o != NULL) {
		*f = *o;
		free(f->label);
		memset(o, 0, sizeof(*o));
	} else {
		memset(f, 0, sizeof(*f));
		f->path = cal_xstrdup(path);
	}
	f->label = cal_xstrdup(label);
	return f;
}

/*
 * The feed at `path` of events v[0..n), as iCalendar text (caller frees),
 * copying from `old` the VEVENTs of events that olds says are there and
 * unchanged; with `news`, where each is in the result (ics_render_reuse).
 */
static char *
render_doc_from(const char *base, const char *path, const char *name, const char *desc,
    const struct cal_event *const *v, size_t n, const char *old,
    const struct ics_slices *olds, struct ics_slices *news, size_t *len)
{
	char *src = cal_feed_url(base, path), *page, *body;
	struct cal_meta m = { name, desc, src, NULL, REFRESH_MINUTES };
	struct timespec t0, t1;

	if (asprintf(&page, "%s/", base) < 0)
		abort();
	m.url = page;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	body = ics_render_reuse(&m, v, n, old, olds, news, len);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	host->metric(self, CV_METRIC_SUMMARY, "convene_feed_render_seconds", "Time taken to "
	    "render a calendar feed.", NULL, NULL, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(src);
	free(page);
	return body;
}

/* The feed at `path` of public events v[0..n): what all.ics holds of them is copied. */
static char *
render_doc(const char *base, const char *path, const char *name, const char *desc,
    const struct cal_event *const *v, size_t n, size_t *len)
{
	return render_doc_from(base, path, name, desc, v, n, pub.n > 0 ? pub.v[0].body : NULL,
	    &slices, NULL, len);
}

/* Render f, copying what all.ics (`all`, as `slices` says) holds of its events. */
static void
render_into(struct cal_feed *f, const char *base, const char *name, const char *desc,
    const struct cal_event *const *v, size_t n, time_t now, const char *all)
{
	size_t len;
	char *body = render_doc_from(base, f->path, name, desc, v, n, all, &slices, NULL, &len);

	cal_feed_set(f, body, len, now);
}

/* ---- the feeds of single events ---- */

/* What a single event's feed depends on besides the event. */
static uint64_t
event_seed(const char *base)
{
	return ics_hash_text(ics_hash_text(ics_hash_text(0, EVENT_FORMAT), cal_name()), base);
}

static char *
render_event(const struct cal_event *e, const char *base, size_t *len)
{
	char path[48], *title, *doc;

	snprintf(path, sizeof(path), "event/%lld.ics", e->id);
	/* Whole: an imported title may be 500 characters, never cut mid-character. */
	if (asprintf(&title, "%s: %s", cal_name(), e->title ? e->title : "") < 0)
		abort();
	doc = render_doc(base, path, title, "One event", &e, 1, len);
	free(title);
	return doc;
}

static void
unlink_quiet(const char *dir, const char *path)
{
	char *full;

	if (asprintf(&full, "%s/%s", dir, path) < 0)
		abort();
	unlink(full);
	free(full);
}

/* Does dir/path hold exactly body? */
static bool
same_file(const char *dir, const char *path, const char *body, size_t len)
{
	char *full, *buf = cal_xrealloc(NULL, len + 1);
	FILE *fp;
	bool same = false;

	if (asprintf(&full, "%s/%s", dir, path) < 0)
		abort();
	if ((fp = fopen(full, "rb")) != NULL) {
		/* One byte more than expected tells a longer file. */
		same = fread(buf, 1, len + 1, fp) == len && memcmp(buf, body, len) == 0;
		fclose(fp);
	}
	free(full);
	free(buf);
	return same;
}

/* Write what changed in the manifest since the last time. */
static void
manifest_flush(void)
{
	size_t failed = 0;

	if (host->begin(self) == -1)
		return;
	for (size_t i = 0; i < ngone; i++)
		if (cal_files_delete(db(), gone[i]) == -1)
			failed++;
	for (size_t i = 0; i < evs.n; i++) {
		struct cal_evfeed *f = &evs.v[i];
		struct cal_file_row r = { .event_id = f->id, .input = f->input,
		    .lastmod = f->lastmod };

		if (f->stored || f->input == 0)
			continue;
		memcpy(r.etag, f->etag, sizeof(r.etag));
		if (cal_files_put(db(), &r) == -1)
			failed++;
	}
	if (failed > 0 || host->commit(self) == -1) {
		if (failed > 0)
			host->rollback(self);
		host->log(self, CV_LOG_WARN, "could not record the feed manifest: %s",
		    sqlite3_errmsg(db()));
		return;
	}
	for (size_t i = 0; i < evs.n; i++)
		if (evs.v[i].input != 0)
			evs.v[i].stored = true;
	free(gone);
	gone = NULL;
	ngone = 0;
}

static void
on_flush(void *arg)
{
	manifest_flush();
}

/*
 * Bring the feed of event e up to date: render it when e (or the feed's
 * name or URL) changed since the validators were made, when its file is
 * missing, or when `keep` wants the body in memory; write the file when
 * its text changed. -1 when the file could not be written.
 */
static int
event_refresh(struct cal_evfeed *f, const struct cal_event *e, uint64_t seed,
    const char *base, time_t now, bool keep)
{
	uint64_t in = ics_event_input(e, seed);
	bool known = f->etag[0] != '\0', changed;
	char *body, path[48];
	const char *dir = feed_dir();
	size_t len;
	int rc = 0;

	if (f->input == in && known && f->on_disk && (!keep || f->body != NULL))
		return 0;
	body = render_event(e, base, &len);
	changed = cal_evfeed_validate(f, body, len, now);
	if (changed || f->input != in) {
		f->input = in;
		f->stored = false;
	}
	snprintf(path, sizeof(path), "event/%lld.ics", e->id);
	/* A file from before the manifest: rewrite it only when it differs. */
	if (!known && f->on_disk && !same_file(dir, path, body, len))
		f->on_disk = false;
	if (changed && known)
		f->on_disk = false;
	if (!f->on_disk) {
		if (write_atomic(dir, path, body, len, NULL) == 0) {
			f->on_disk = true;
		} else {
			/* No stale copy left behind: the next render writes it again. */
			rc = -1;
			f->input = 0;
			f->stored = false;
			unlink_quiet(dir, path);
		}
	}
	cal_evfeed_keep(&evs, f, body, len, keep);
	return rc;
}

/*
 * The feeds of the events v[0..n) (those the public feeds show): the
 * validators of every one, from the manifest at the first render, then
 * kept; rendered and written only where something changed.
 */
static void
events_update(const struct cal_event *v, size_t n, const char *base, time_t now, bool dir_ok)
{
	struct cal_evfeeds old = evs;
	uint64_t seed = event_seed(base);
	const struct cal_event **byid = cal_xrealloc(NULL, (n + 1) * sizeof(*byid));
	size_t failed = 0;
	bool *taken;
	int err = 0;

	if (!evs_loaded) {
		struct cal_file_row *r;
		size_t nr;

		if (cal_files_load(db(), &r, &nr) == -1) {
			host->log(self, CV_LOG_WARN, "reading the feed manifest: %s",
			    sqlite3_errmsg(db()));
			nr = 0;
			r = NULL;
		}
		old.v = cal_xrealloc(NULL, (nr + 1) * sizeof(*old.v));
		old.n = nr;
		for (size_t i = 0; i < nr; i++) {
			old.v[i] = (struct cal_evfeed){ .id = r[i].event_id, .input = r[i].input,
			    .lastmod = (time_t)r[i].lastmod, .stored = true };
			memcpy(old.v[i].etag, r[i].etag, sizeof(old.v[i].etag));
		}
		free(r);
		evs_loaded = true;
	}

	/* The new set, by id, taking over what is known of each. */
	taken = cal_xrealloc(NULL, old.n + 1);
	memset(taken, 0, old.n + 1);
	evs.v = cal_xrealloc(NULL, (n + 1) * sizeof(*evs.v));
	evs.n = n;
	evs.bodies = 0;
	for (size_t i = 0; i < n; i++) {
		struct cal_evfeed *o = cal_evfeeds_find(&old, v[i].id);

		if (o != NULL) {
			evs.v[i] = *o;
			o->body = NULL;
			taken[o - old.v] = true;
		} else {
			evs.v[i] = (struct cal_evfeed){ .id = v[i].id };
		}
		evs.bodies += evs.v[i].body != NULL;
		evs.v[i].on_disk = false;	/* prune() says */
	}
	cal_evfeeds_sort(&evs);
	for (size_t i = 0; i < n; i++)
		byid[cal_evfeeds_find(&evs, v[i].id) - evs.v] = &v[i];

	/* Those no public feed shows any more leave the manifest (if they are in it). */
	for (size_t i = 0; i < old.n; i++) {
		if (taken[i])
			continue;
		gone = cal_xrealloc(gone, (ngone + 1) * sizeof(*gone));
		gone[ngone++] = old.v[i].id;
	}
	if (dir_ok) {
		prune(feed_dir(), "event");
		for (size_t i = 0; i < evs.n; i++) {
			if (event_refresh(&evs.v[i], byid[i], seed, base, now, false) == -1) {
				failed++;
				err = errno;
			}
		}
	}
	if (failed > 0)
		host->log(self, CV_LOG_WARN, "could not write %zu event feed file(s) under %s: %s",
		    failed, feed_dir(), strerror(err));
	cal_evfeeds_clear(&old);
	free(taken);
	free(byid);
}

/*
 * The feed of event `id` with its body, rendered now if it is not in
 * memory; NULL when no public feed shows the event.
 */
static struct cal_evfeed *
event_feed(long long id)
{
	struct cal_evfeed *f = cal_evfeeds_find(&evs, id);
	struct cal_event e;
	char *base;
	int rc;

	if (f == NULL)
		return NULL;
	if (f->body == NULL) {
		rc = cal_store_event(db(), id, host->wall_now(), KEEP_PAST, &e);
		if (rc != 1) {
			if (rc == -1)
				host->log(self, CV_LOG_ERROR, "reading event %lld for its feed: %s",
				    id, sqlite3_errmsg(db()));
			return NULL;
		}
		base = base_url();
		event_refresh(f, &e, event_seed(base), base, host->wall_now(), true);
		free(base);
		cal_event_clear(&e);
		if (f->body == NULL)
			return NULL;
	}
	cal_evfeed_touch(&evs, f);
	return f;
}

/* When does time alone change what the feeds or the page show? */
static long long
next_change(const struct cal_event *v, size_t n, long long now)
{
	long long next = now + 86400;

	for (size_t i = 0; i < n; i++) {
		long long end = v[i].start_utc + 60LL * v[i].duration_min;

		if (end > now && end < next)
			next = end;	/* leaves the page; a cancelled one leaves the feeds */
		if (!v[i].cancelled && end + KEEP_PAST > now && end + KEEP_PAST < next)
			next = end + KEEP_PAST;
	}
	return next;
}

/*
 * What the publishing server should hold: in caldav mode one resource per
 * event of the public feeds (purged ones leave), without calendar-level
 * names; in webdav mode the public feed files.
 */
static void
publish_docs(const struct cal_event *v, size_t n)
{
	struct pub_doc *docs = NULL;
	size_t nd = 0;

	if (!pub_enabled())
		return;
	if (pub_caldav()) {
		docs = cal_xrealloc(NULL, (n + 1) * sizeof(*docs));
		for (size_t i = 0; i < n; i++) {
			const struct cal_event *one = &v[i];
			struct cal_meta m = { NULL, NULL, NULL, NULL, REFRESH_MINUTES };
			struct pub_doc *d;

			if (v[i].purged || v[i].uid[0] == '\0')
				continue;
			d = &docs[nd++];
			d->body = ics_render_reuse(&m, &one, 1, pub.n > 0 ? pub.v[0].body : NULL,
			    &slices, NULL, &d->len);
			if (asprintf(&d->name, "%s.ics", v[i].uid) < 0)
				abort();
			ics_etag(d->body, d->len, d->hash);
		}
	} else {
		/* The feeds of single events come with their hash only: pub_load() renders them. */
		docs = cal_xrealloc(NULL, (pub.n + evs.n + 1) * sizeof(*docs));
		for (size_t i = 0; i < pub.n; i++) {
			struct pub_doc *d = &docs[nd++];

			d->name = cal_xstrdup(pub.v[i].path);
			d->body = cal_xrealloc(NULL, pub.v[i].len + 1);
			memcpy(d->body, pub.v[i].body, pub.v[i].len);
			if (pub.v[i].mapped)	/* read once: the pages stay the page cache's */
				madvise(pub.v[i].body, pub.v[i].len, MADV_DONTNEED);
			d->body[pub.v[i].len] = '\0';
			d->len = pub.v[i].len;
			memcpy(d->hash, pub.v[i].etag, sizeof(d->hash));
		}
		for (size_t i = 0; i < evs.n; i++) {
			struct pub_doc *d = &docs[nd++];

			if (asprintf(&d->name, "event/%lld.ics", evs.v[i].id) < 0)
				abort();
			d->body = NULL;
			d->len = 0;
			memcpy(d->hash, evs.v[i].etag, sizeof(d->hash));
		}
	}
	pub_sync(docs, nd);
}

/* The body of a feed file for publishing (caller frees), or NULL. */
static char *
pub_load(const char *name, size_t *len)
{
	long long id = event_id_of(name);
	struct cal_evfeed *f;
	char *body;

	if (id == -1 || (f = event_feed(id)) == NULL)
		return NULL;
	body = cal_xrealloc(NULL, f->len + 1);
	memcpy(body, f->body, f->len);
	body[f->len] = '\0';
	*len = f->len;
	return body;
}

/* The channel feeds, for the page's subscribe links (pointers into pub.v). */
static struct cal_channel *
page_channels(size_t *nch)
{
	struct cal_channel *ch = NULL;

	*nch = 0;
	for (size_t i = 0; i < pub.n; i++) {
		if (strncmp(pub.v[i].path, "channel/", 8) != 0)
			continue;
		ch = cal_xrealloc(ch, (*nch + 1) * sizeof(*ch));
		ch[(*nch)++] = (struct cal_channel){ pub.v[i].label, pub.v[i].path };
	}
	return ch;
}

/* Render the page from its events v[0..n) (by start, from the first upcoming or earlier). */
static void
page_update(const char *base, const struct cal_event *v, size_t n, size_t total, time_t now)
{
	size_t nch, plen;
	struct cal_channel *ch = page_channels(&nch);
	struct cal_site st = site(base);
	char *page = cal_page_first_render(&st, v, n, total, ch, nch, now, &plen);

	snprintf(pub.nick, sizeof(pub.nick), "%s", st.nick != NULL ? st.nick : "");
	cal_feed_set(&pub.page, page, plen, now);
	free(ch);
	/* What a change of registrations must re-render the page for. */
	pub.npage_ids = 0;
	for (size_t i = 0; i < n && pub.npage_ids < CAL_PAGE_EVENTS; i++)
		if (v[i].start_utc + 60LL * v[i].duration_min > now)
			pub.page_ids[pub.npage_ids++] = v[i].id;
}

/*
 * The page alone, after registrations changed (places left) or the bot's
 * nick did: it reads only the events it shows; no feed shows counts.
 */
static void
render_page_only(void)
{
	struct cal_event *v;
	size_t n, total;
	time_t now = host->wall_now();
	char *base;

	if (cal_store_upcoming(db(), now, 0, CAL_PAGE_EVENTS, &v, &n, &total) == -1) {
		host->log(self, CV_LOG_ERROR, "reading events for the page: %s",
		    sqlite3_errmsg(db()));
		pub.due_all = true;	/* the next render looks at everything */
		return;
	}
	base = base_url();
	page_update(base, v, n, total, now);
	free(base);
	cal_events_free(v, n);
}

/* Render every public feed and the page from the database, and write the files. */
static void
render_public(void)
{
	struct cal_event *v;
	struct cal_feed *old = pub.v, *nv = NULL;
	size_t n, nold = pub.n, nn = 0, upcoming = 0;
	const struct cal_event **sel;
	char **keys = NULL, *base, title[300];
	time_t now = host->wall_now();
	const char *name = cal_name();

	pub.rendered = true;
	pub.due_all = pub.due_page = false;
	if (cal_store_events(db(), now, KEEP_PAST, &v, &n) == -1) {
		host->log(self, CV_LOG_ERROR, "reading events for the feeds: %s", sqlite3_errmsg(db()));
		return;
	}
	base = base_url();
	sel = cal_xrealloc(NULL, (n + 1) * sizeof(*sel));

	/* All events. */
	for (size_t i = 0; i < n; i++)
		sel[i] = &v[i];
	{
		struct cal_feed *all = feed_add(&nv, &nn, old, nold, "all.ics", "all events");
		struct ics_slices news;
		size_t len;
		char *body = render_doc_from(base, all->path, name, "Every public event", sel, n,
		    all->body, &slices, &news, &len);

		/* An equal body is dropped for the old one: the same bytes, the same slices. */
		cal_feed_set(all, body, len, now);
		ics_slices_clear(&slices);
		slices = news;
	}

	/* One feed per channel that has events, in the order they first appear. */
	keys = cal_xrealloc(NULL, (n + 1) * sizeof(*keys));
	for (size_t i = 0; i < n; i++) {
		char key[CAL_CHANNEL_KEY_MAX], path[CAL_CHANNEL_KEY_MAX + 16];
		struct cal_feed *f;
		size_t k, m = 0;

		keys[i] = NULL;
		if (v[i].channel == NULL || cal_channel_key(v[i].channel, host->casefold, key) == -1)
			continue;
		keys[i] = cal_xstrdup(key);
		for (k = 0; k < i && (keys[k] == NULL || strcmp(keys[k], key) != 0); k++)
			;
		if (k < i)
			continue;	/* done with its first event */
		for (size_t j = i; j < n; j++) {
			char kj[CAL_CHANNEL_KEY_MAX];

			if (v[j].channel != NULL &&
			    cal_channel_key(v[j].channel, host->casefold, kj) == 0 &&
			    strcmp(kj, key) == 0)
				sel[m++] = &v[j];
		}
		snprintf(path, sizeof(path), "channel/%s.ics", key);
		snprintf(title, sizeof(title), "%s %s", name, v[i].channel);
		/* feed_add() may move nv: all.ics is found after it. */
		f = feed_add(&nv, &nn, old, nold, path, v[i].channel);
		render_into(f, base, title, "The events of an IRC channel", sel, m, now,
		    nv[0].body);
	}

	for (size_t i = 0; i < nold; i++)
		cal_feed_clear(&old[i]);
	free(old);
	pub.v = nv;
	pub.n = nn;

	/* The page lists the channel feeds. */
	for (size_t i = 0; i < n; i++)
		upcoming += v[i].start_utc + 60LL * v[i].duration_min > now;
	page_update(base, v, n, upcoming, now);

	pub.next_change = next_change(v, n, now);
	events_update(v, n, base, now, write_files() == 0);
	publish_docs(v, n);

	/* Personal feeds follow on their next request. */
	for (size_t i = 0; i < npers; i++)
		pers[i].stale = true;

	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(sel);
	free(base);
	cal_events_free(v, n);
#ifdef __GLIBC__
	/*
	 * A render of thousands of events frees megabytes of small blocks
	 * that glibc keeps mapped; hand them back to the system.
	 */
	malloc_trim(0);
#endif
}

static void
render_due(void *arg)
{
	pub.render_timer = 0;
	if (pub.due_all)
		render_public();
	else if (pub.due_page)
		render_page_only();
	pub.due_page = false;
}

/* A personal feed shows event id (or will: the person registered for it). */
static void
personal_stale(long long id, const char *person)
{
	for (size_t i = 0; i < npers; i++) {
		struct personal *p = &pers[i];

		if (person != NULL && strcmp(p->person, person) == 0)
			p->stale = true;
		for (size_t k = 0; k < p->nids && !p->stale; k++)
			p->stale = p->ids[k] == id;
	}
}

/*
 * What a change touched (include/convene.h, cv_events_change): a change
 * of registrations only re-renders the page when it shows the event, and
 * the personal feeds that show it or belong to the person; no public feed
 * shows counts. Anything else looks at every event (render_public(), which
 * renders again only the events whose text changed).
 *
 * A burst of registrations (a crowd, a grouped loop pass) must not render
 * once per change: changes within RENDER_DELAY_MS share one render, and a
 * request that comes meanwhile renders at once (fresh()).
 */
static void
on_changed(void *arg, const char *topic, const void *data)
{
	const struct cv_events_change *c = data;

	if (strcmp(topic, CV_TOPIC_CONNECTED) == 0) {
		pub.due_page = true;	/* the page names the bot's nick */
	} else if (c == NULL || (c->what & ~CV_EVENTS_CHANGED_REGISTRATIONS) != 0) {
		pub.due_all = true;
	} else {
		personal_stale(c->event_id, c->person);
		for (size_t i = 0; i < pub.npage_ids; i++)
			if (pub.page_ids[i] == c->event_id)
				pub.due_page = true;
		if (!pub.due_page)
			return;	/* nothing shown changed */
	}
	if (pub.render_timer == 0)
		pub.render_timer = host->timer_add(self, RENDER_DELAY_MS, 0, render_due, NULL);
}

/* Before answering from the feeds: render now if a change is pending or none was made. */
static void
fresh(void)
{
	if (!pub.rendered) {
		render_public();
		return;
	}
	if (pub.render_timer == 0)
		return;
	host->timer_cancel(self, pub.render_timer);
	render_due(NULL);
}

static void
on_tick(void *arg)
{
	const char *nick = host->own_nick();

	/* The bot took its nick back (or lost it) since the page was made. */
	if (host->wall_now() >= pub.next_change ||
	    (nick != NULL && nick[0] != '\0' && strlen(nick) < sizeof(pub.nick) &&
	    strcmp(nick, pub.nick) != 0))
		render_public();
}

/* The first render after every plugin's init: the events tables may be newer than us. */
static void
on_start(void *arg)
{
	render_public();
}

/* ---- personal feeds ---- */

static void
personal_drop(size_t i)
{
	free(pers[i].person);
	free(pers[i].ids);
	cal_feed_clear(&pers[i].f);
	explicit_bzero(pers[i].token, sizeof(pers[i].token));
	pers[i] = pers[--npers];
}

/* Forget what is held in memory for a person (token reset, erasure). */
static void
personal_forget(const char *person)
{
	for (size_t i = 0; i < npers;) {
		if (strcmp(pers[i].person, person) == 0)
			personal_drop(i);
		else
			i++;
	}
}

/* The personal feed of a token, rendered when stale; NULL when the token is unknown. */
static struct personal *
personal_get(const char *token)
{
	struct personal *p = NULL;
	char person[256], title[300];
	struct cal_event *v;
	const struct cal_event **sel;
	size_t n;
	time_t now = host->wall_now();

	for (size_t i = 0; i < npers; i++)
		if (strcmp(pers[i].token, token) == 0)
			p = &pers[i];
	if (p == NULL) {
		if (cal_token_person(db(), token, person, sizeof(person)) != 1)
			return NULL;
		if (npers == PERSONAL_MAX) {
			size_t oldest = 0;

			for (size_t i = 1; i < npers; i++)
				if (pers[i].used < pers[oldest].used)
					oldest = i;
			personal_drop(oldest);
		}
		pers = cal_xrealloc(pers, (npers + 1) * sizeof(*pers));
		p = &pers[npers++];
		memset(p, 0, sizeof(*p));
		snprintf(p->token, sizeof(p->token), "%s", token);
		p->person = cal_xstrdup(person);
		p->stale = true;
	}
	p->used = host->mono_ms();
	if (!p->stale)
		return p;
	if (cal_store_person_events(db(), p->person, now, KEEP_PAST, &v, &n) == -1) {
		host->log(self, CV_LOG_ERROR, "reading a personal feed: %s", sqlite3_errmsg(db()));
		if (p->f.body == NULL) {
			personal_drop((size_t)(p - pers));
			return NULL;
		}
		return p;	/* the last good one */
	}
	sel = cal_xrealloc(NULL, (n + 1) * sizeof(*sel));
	for (size_t i = 0; i < n; i++)
		sel[i] = &v[i];
	snprintf(title, sizeof(title), "%s: my registrations", cal_name());
	{
		struct cal_meta m = { title, "The events you registered for", NULL, NULL,
		    REFRESH_MINUTES };
		size_t len;
		char *body = ics_render(&m, sel, n, &len);

		cal_feed_set(&p->f, body, len, now);
	}
	p->stale = false;
	p->ids = cal_xrealloc(p->ids, (n + 1) * sizeof(*p->ids));
	p->nids = n;
	for (size_t i = 0; i < n; i++)
		p->ids[i] = v[i].id;
	free(sel);
	cal_events_free(v, n);
	return p;
}

/* ---- HTTP ---- */

static void
answer_body(struct cv_http_resp *resp, char *body, size_t len, const char etag[48],
    time_t lastmod, const char *ctype)
{
	resp->status = 200;
	resp->content_type = ctype;
	/* The host copies the body before answering; ours stays until the next render. */
	resp->body = body;
	resp->len = len;
	resp->body_free = false;
	memcpy(resp->etag, etag, sizeof(resp->etag));
	resp->last_modified = lastmod;
}

static void
answer(struct cv_http_resp *resp, const struct cal_feed *f, const char *ctype)
{
	answer_body(resp, f->body, f->len, f->etag, f->lastmod, ctype);
	/* The host maps the same pages for the answers it keeps. */
	resp->body_mapped = f->mapped;
}

/* Does s end with suffix? Then the length before it. */
static bool
strip_suffix(const char *s, const char *suffix, size_t *stem)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n <= m || strcmp(s + n - m, suffix) != 0)
		return false;
	*stem = n - m;
	return true;
}

static int
serve_calendars(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	const char *p = req->path + strlen("/calendars/");
	size_t stem;

	if (!strip_suffix(p, ".ics", &stem))
		return -1;
	fresh();
	if (strncmp(p, "me/", 3) == 0) {
		char token[CAL_TOKEN_LEN + 1];
		struct personal *f;

		if (stem - 3 != CAL_TOKEN_LEN)
			return -1;
		memcpy(token, p + 3, CAL_TOKEN_LEN);
		token[CAL_TOKEN_LEN] = '\0';
		/* Unknown, malformed or reset: the same 404 as any unknown path. */
		if (!cal_token_valid(token) || (f = personal_get(token)) == NULL)
			return -1;
		answer(resp, &f->f, CTYPE_ICS);
		resp->personal = true;
		return 0;
	}
	if (strncmp(p, "channel/", 8) == 0) {
		char name[CAL_CHANNEL_KEY_MAX], key[CAL_CHANNEL_KEY_MAX], path[CAL_CHANNEL_KEY_MAX + 16];

		if (stem - 8 >= sizeof(name))
			return -1;
		memcpy(name, p + 8, stem - 8);
		name[stem - 8] = '\0';
		if (cal_channel_key(name, host->casefold, key) == -1)
			return -1;
		snprintf(path, sizeof(path), "channel/%s.ics", key);
		p = path;
		for (size_t i = 0; i < pub.n; i++)
			if (strcmp(pub.v[i].path, p) == 0) {
				answer(resp, &pub.v[i], CTYPE_ICS);
				return 0;
			}
		return -1;
	}
	if (strncmp(p, "event/", 6) == 0) {
		char path[64];
		long long id;
		struct cal_evfeed *f;

		if (stem >= sizeof(path) - 4)
			return -1;
		memcpy(path, p, stem + 4);
		path[stem + 4] = '\0';
		if ((id = event_id_of(path)) == -1 || (f = event_feed(id)) == NULL)
			return -1;
		answer_body(resp, f->body, f->len, f->etag, f->lastmod, CTYPE_ICS);
		return 0;
	}
	for (size_t i = 0; i < pub.n; i++)
		if (strcmp(pub.v[i].path, p) == 0) {
			answer(resp, &pub.v[i], CTYPE_ICS);
			return 0;
		}
	return -1;
}

/* A page rendered on request, handed to the host with a strong ETag of its body. */
static void
answer_rendered(struct cv_http_resp *resp, char *body, size_t len)
{
	resp->status = 200;
	resp->content_type = CTYPE_HTML;
	resp->body = body;
	resp->len = len;
	resp->body_free = true;
	ics_etag(body, len, resp->etag);
}

static int
serve_page(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	/* The route "/" is the longest match of every path nobody else serves. */
	if (strncmp(req->path, "/page/", 6) == 0) {
		/* Past the front page: rare, so rendered on request and not kept. */
		long long page = number_of(req->path + 6);
		time_t now = host->wall_now();
		struct cal_event *v;
		size_t n, len, total;
		char *base, *body;
		struct cal_site st;

		if (page < 2 || page > 1000000)
			return -1;
		if (cal_store_upcoming(db(), now, (size_t)(page - 1) * CAL_PAGE_EVENTS,
		    CAL_PAGE_EVENTS, &v, &n, &total) == -1) {
			host->log(self, CV_LOG_ERROR, "reading events for a page: %s",
			    sqlite3_errmsg(db()));
			return -1;
		}
		base = base_url();
		st = site(base);
		body = cal_page_slice_render(&st, v, n, total, now, (size_t)page, &len);
		free(base);
		cal_events_free(v, n);
		if (body == NULL)
			return -1;
		answer_rendered(resp, body, len);
		return 0;
	}
	if (strcmp(req->path, "/") != 0)
		return -1;
	fresh();
	if (pub.page.body == NULL)
		return -1;
	answer(resp, &pub.page, CTYPE_HTML);
	return 0;
}

/* /event/N: the page of one event, rendered on request (thousands are not kept). */
static int
serve_event_page(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	long long id = number_of(req->path + strlen("/event/"));
	struct cal_event e;
	struct cal_site st;
	char *base, *body;
	size_t len;
	int rc;

	if (id == -1)
		return -1;
	if ((rc = cal_store_event(db(), id, host->wall_now(), KEEP_PAST, &e)) != 1) {
		if (rc == -1)
			host->log(self, CV_LOG_ERROR, "reading event %lld: %s", id,
			    sqlite3_errmsg(db()));
		return -1;
	}
	base = base_url();
	st = site(base);
	body = cal_event_page_render(&st, &e, host->wall_now(), &len);
	free(base);
	cal_event_clear(&e);
	answer_rendered(resp, body, len);
	return 0;
}

/* ---- commands ---- */

static void
reply_personal(struct cv_ctx *ctx, const char *token, const char *intro)
{
	char *base = base_url(), path[CAL_TOKEN_LEN + 16], *url, *web;

	snprintf(path, sizeof(path), "me/%s.ics", token);
	url = cal_feed_url(base, path);
	web = cal_webcal_url(base, path);
	host->reply(ctx, "%s %s (calendar apps: %s). Keep it to yourself: anyone with it sees "
	    "your registrations and join links. 'feed reset' replaces it.", intro, url, web);
	explicit_bzero(url, strlen(url));
	explicit_bzero(web, strlen(web));
	free(url);
	free(web);
	free(base);
}

/* The person's token, made when they have none. 1 found, 0 made, -1 failed. */
static int
token_for(const char *person, char tok[CAL_TOKEN_LEN + 1], bool reset)
{
	int rc = reset ? 0 : cal_token_get(db(), person, tok);

	if (rc != 0)
		return rc;
	if (cal_token_new(tok) == -1 || host->begin(self) == -1)
		return -1;
	if (cal_token_set(db(), person, tok, host->wall_now()) == -1) {
		host->rollback(self);
		return -1;
	}
	if (host->commit(self) == -1)
		return -1;
	return 0;
}

static void
cmd_feed(struct cv_ctx *ctx)
{
	char *base = base_url(), *url, tok[CAL_TOKEN_LEN + 1];
	size_t shown = 0;

	url = cal_feed_url(base, "all.ics");
	host->reply(ctx, "All events: %s (a page with subscribe links: %s/)", url, base);
	free(url);
	for (size_t i = 1; i < pub.n; i++) {
		if (strncmp(pub.v[i].path, "channel/", 8) != 0)
			continue;
		if (++shown > 10) {
			host->reply(ctx, "More channel calendars are listed on %s/", base);
			break;
		}
		url = cal_feed_url(base, pub.v[i].path);
		host->reply(ctx, "Events of %s: %s", pub.v[i].label, url);
		free(url);
	}
	free(base);
	/* A personal link is a secret: never said where a relay repeats it. */
	if (ctx->who->via != NULL) {
		host->reply(ctx, "A personal calendar link is given in private only: ask for "
		    "it from IRC.");
		return;
	}
	if (token_for(ctx->who->id, tok, false) == -1) {
		host->log(self, CV_LOG_ERROR, "could not make a personal feed token");
		host->reply(ctx, "Sorry, your personal calendar is not available: please try "
		    "again later.");
		return;
	}
	reply_personal(ctx, tok, "Your personal calendar (your registrations):");
	explicit_bzero(tok, sizeof(tok));
}

static void
cmd_feed_reset(struct cv_ctx *ctx)
{
	char tok[CAL_TOKEN_LEN + 1];

	if (ctx->who->via != NULL) {
		host->reply(ctx, "A personal calendar link is given in private only: ask for "
		    "it from IRC.");
		return;
	}
	if (token_for(ctx->who->id, tok, true) == -1) {
		host->log(self, CV_LOG_ERROR, "could not reset a personal feed token");
		host->reply(ctx, "Sorry, that did not work and nothing was changed: please try "
		    "again later.");
		return;
	}
	personal_forget(ctx->who->id);
	host->log(self, CV_LOG_INFO, "a personal feed token was reset");
	reply_personal(ctx, tok, "Your old personal calendar link no longer works. The new one:");
	explicit_bzero(tok, sizeof(tok));
}

static const struct cv_command commands[] = {
	{ "feed", "", "links to the calendars, and to your own (in private)", 0, 0,
	    CV_ROLE_MEMBER, 0, cmd_feed },
	{ "feed reset", "", "replace your personal calendar link; the old one stops working",
	    0, 0, CV_ROLE_MEMBER, 0, cmd_feed_reset },
	{ "publish", "", "the state of the copies on the CalDAV/WebDAV server", 0, 0,
	    CV_ROLE_OWNER, 0, pub_cmd_status },
	{ "publish overwrite", "", "replace the server's changed copies with Convene's", 0, 0,
	    CV_ROLE_OWNER, 0, pub_cmd_overwrite },
};

/*
 * A person's data is erased (`forget confirm`): their token goes too. The
 * host also hands us, right after init, the people forgotten while we were
 * not loaded; only p->id is set then.
 */
static void
on_forget(void *arg, const char *topic, const void *data)
{
	const struct cv_person *p = data;

	if (p == NULL || p->id == NULL)
		return;
	if (host->begin(self) == -1)
		return;
	if (cal_token_delete(db(), p->id) == -1)
		host->rollback(self);
	else
		host->commit(self);
	personal_forget(p->id);
}

/* ---- the plugin ---- */

static int
calendars_init(struct cv_plugin *p, const struct cv_host *h, char *err, size_t errlen)
{
	host = h;
	self = p;
	if (host->migrate(p, cal_schema, cal_schema_steps) == -1) {
		snprintf(err, errlen, "could not prepare the calendars table");
		return -1;
	}
	if (pub_start(p, h, err, errlen) == -1)
		return -1;
	if (host->route(p, "/calendars/", serve_calendars, NULL) == -1 ||
	    host->route(p, "/event/", serve_event_page, NULL) == -1 ||
	    host->route(p, "/", serve_page, NULL) == -1) {
		snprintf(err, errlen, "could not take the HTTP paths /calendars/, /event/ and /");
		return -1;
	}
	/* The page names the bot's nick, which the server may have made another. */
	if (host->subscribe(p, CV_TOPIC_EVENTS_CHANGED, on_changed, NULL) == -1 ||
	    host->subscribe(p, CV_TOPIC_CONNECTED, on_changed, NULL) == -1 ||
	    host->subscribe(p, CV_TOPIC_PERSON_FORGET, on_forget, NULL) == -1 ||
	    host->commands(p, commands, sizeof(commands) / sizeof(commands[0])) == -1) {
		snprintf(err, errlen, "could not register the calendars commands");
		return -1;
	}
	/* The first render is on_start(), in the loop: a start does not wait for it. */
	pub_loader(pub_load);
	host->timer_add(p, 0, 0, on_start, NULL);
	host->timer_add(p, TICK_MS, TICK_MS, on_tick, NULL);
	host->timer_add(p, MANIFEST_FLUSH_MS, MANIFEST_FLUSH_MS, on_flush, NULL);
	return 0;
}

static void
calendars_fini(struct cv_plugin *p)
{
	manifest_flush();	/* what the next start compares with */
	pub_stop();
	for (size_t i = 0; i < pub.n; i++)
		cal_feed_clear(&pub.v[i]);
	free(pub.v);
	cal_feed_clear(&pub.page);
	cal_evfeeds_clear(&evs);
	ics_slices_clear(&slices);
	ics_zones_forget();
	evs_loaded = false;
	free(gone);
	gone = NULL;
	ngone = 0;
	while (npers > 0)
		personal_drop(npers - 1);
	free(pers);
	pers = NULL;
	memset(&pub, 0, sizeof(pub));
	host = NULL;
	self = NULL;
}

#define KEY(name) { name, CV_KEY_STRING, NULL, 0, 0, NULL }

/* The [calendars] keys: text, each checked where it is read. */
static const struct cv_config_key config[] = {
	KEY("dir"), KEY("name"), KEY("publish_url"), KEY("publish_mode"), KEY("publish_user"),
	KEY("publish_password_file"), KEY("report_to"),
	/* Deprecated: now [events] keys, read and checked there; accepted until the next release. */
	KEY("import_allow_private"), KEY("import_timeout"),
	KEY(NULL),
};

/*
 * The descriptor under a name of its own too, so unit tests that link the
 * plugins' archives reach this plugin and not another's convene_plugin.
 */
const struct cv_plugin_desc calendars_plugin = {
	.abi_major = CONVENE_ABI_MAJOR,
	.abi_minor = CONVENE_ABI_MINOR,
	.name = "calendars",
	.version = "0.1.0",
	.init = calendars_init,
	.fini = calendars_fini,
	.config = config,
};
extern const struct cv_plugin_desc convene_plugin __attribute__((alias("calendars_plugin")));
