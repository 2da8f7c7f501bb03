/*
 * render.c: rendering the public feeds and the page when events change or
 * time passes, and handing them to publish.c.
 */
#include <sys/mman.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "calendars.h"
#include "publish.h"
#include "sbuf.h"

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

	/* A French feed (under fr/) names the French page. */
	if (asprintf(&page, "%s/%s", base, strncmp(path, "fr/", 3) == 0 ? "fr/" : "") < 0)
		abort();
	m.url = page;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	body = ics_render_reuse(&m, v, n, old, olds, news, len);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	host->metric(self, CV_METRIC_SUMMARY, "convene_feed_render_seconds",
	    "Time taken to "
	    "render a calendar feed.",
	    NULL, NULL,
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(src);
	free(page);
	return body;
}

/* The feed at `path` of public events v[0..n): what all.ics holds of them is copied. */
char *
render_doc(const char *base, const char *path, const char *name, const char *desc,
    const struct cal_event *const *v, size_t n, size_t *len)
{
	return render_doc_from(base, path, name, desc, v, n,
	    pub.n > 0 ? pub.v[0].body : NULL, &slices, NULL, len);
}

/* The same for the French feeds, copying from the French all.ics. */
char *
render_doc_fr(const char *base, const char *path, const char *name, const char *desc,
    const struct cal_event *const *v, size_t n, size_t *len)
{
	return render_doc_from(base, path, name, desc, v, n,
	    pub.nfr > 0 ? pub.fr[0].body : NULL, &slices_fr, NULL, len);
}

/* Render f, copying what all.ics (`all`, as `slices` says) holds of its events. */
static void
render_into(struct cal_feed *f, const char *base, const char *name, const char *desc,
    const struct cal_event *const *v, size_t n, time_t now, const char *all,
    const struct ics_slices *sl, const char *lang)
{
	size_t len;
	char path[CAL_CHANNEL_KEY_MAX + 24], *body;

	snprintf(path, sizeof(path), "%s%s", lang_is_fr(lang) ? "fr/" : "", f->path);
	body = render_doc_from(base, path, name, desc, v, n, all, sl, NULL, &len);

	cal_feed_set(f, body, len, now);
}

/* When does time alone change what the feeds or the page show? */
long long
next_change(const struct cal_event *v, size_t n, long long now)
{
	long long next = now + 86400;

	for (size_t i = 0; i < n; i++) {
		long long end = v[i].start_utc + 60LL * v[i].duration_min;

		if (end > now && end < next)
			next = end; /* leaves the page; a cancelled one leaves the feeds */
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
			d->body = ics_render_reuse(&m, &one, 1,
			    pub.n > 0 ? pub.v[0].body : NULL, &slices, NULL, &d->len);
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
			if (pub.v[i].mapped) /* read once: the pages stay the page cache's */
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
char *
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
page_update(const char *base, const struct cal_event *v, size_t n, size_t total,
    time_t now, const char *lang)
{
	size_t nch, plen;
	struct cal_channel *ch = page_channels(&nch);
	struct cal_site st = site(base);
	char *page;

	st.lang = lang;
	page = cal_page_first_render(&st, v, n, total, ch, nch, now, &plen);
	snprintf(pub.nick, sizeof(pub.nick), "%s", st.nick != NULL ? st.nick : "");
	cal_feed_set(lang_is_fr(lang) ? &pub.page_fr : &pub.page, page, plen, now);
	free(ch);
	if (lang_is_fr(lang))
		return;
	/* What a change of registrations must re-render the page for. */
	pub.npage_ids = 0;
	for (size_t i = 0; i < n && pub.npage_ids < CAL_PAGE_EVENTS; i++)
		if (v[i].start_utc + 60LL * v[i].duration_min > now)
			pub.page_ids[pub.npage_ids++] = v[i].id;
}

/* v in French where it has French texts; the originals on an error. */
static void
localise_fr(struct cal_event *v, size_t n)
{
	if (cal_store_localise(db(), "fr", v, n) == -1)
		host->log(self, CV_LOG_ERROR, "reading the events' French texts: %s",
		    sqlite3_errmsg(db()));
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
		pub.due_all = true; /* the next render looks at everything */
		return;
	}
	base = base_url();
	page_update(base, v, n, total, now, "en");
	localise_fr(v, n);
	page_update(base, v, n, total, now, "fr");
	free(base);
	cal_events_free(v, n);
}

/* all.ics, from every event: the feeds of channels copy its VEVENTs. */
static void
render_all(struct cal_feed **nv, size_t *nn, struct cal_feed *old, size_t nold,
    const char *base, const char *name, const struct cal_event **sel, size_t n,
    time_t now, struct ics_slices *sl, const char *lang)
{
	struct cal_feed *all = feed_add(nv, nn, old, nold, "all.ics", "all events");
	struct ics_slices news;
	size_t len;
	char *body = render_doc_from(base, lang_is_fr(lang) ? "fr/all.ics" : all->path,
	    name, host->tr(lang, "Every public event"), sel, n, all->body, sl, &news, &len);

	/* An equal body is dropped for the old one: the same bytes, the same slices. */
	cal_feed_set(all, body, len, now);
	ics_slices_clear(sl);
	*sl = news;
}

/* One feed per channel that has events, in the order they first appear. */
static void
render_channels(struct cal_feed **nv, size_t *nn, struct cal_feed *old, size_t nold,
    const char *base, const char *name, const struct cal_event *v,
    const struct cal_event **sel, size_t n, time_t now, const struct ics_slices *sl,
    const char *lang)
{
	char **keys = cal_xrealloc(NULL, (n + 1) * sizeof(*keys)), title[300];

	for (size_t i = 0; i < n; i++) {
		char key[CAL_CHANNEL_KEY_MAX], path[CAL_CHANNEL_KEY_MAX + 16];
		struct cal_feed *f;
		size_t k, m = 0;

		keys[i] = NULL;
		if (v[i].channel == NULL ||
		    cal_channel_key(v[i].channel, host->casefold, key) == -1)
			continue;
		keys[i] = cal_xstrdup(key);
		for (k = 0; k < i && (keys[k] == NULL || strcmp(keys[k], key) != 0); k++)
			;
		if (k < i)
			continue; /* done with its first event */
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
		f = feed_add(nv, nn, old, nold, path, v[i].channel);
		render_into(f, base, title, host->tr(lang, "The events of an IRC channel"),
		    sel, m, now, (*nv)[0].body, sl, lang);
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

/*
 * The French feeds and page: the same events with their French texts
 * (the originals where there is none), copying from the French all.ics
 * what did not change, as for English; written under fr/. v is left in
 * French.
 */
/*
 * The feeds of one language, all.ics then the channels', in place of *set
 * (the old ones lend their unchanged VEVENTs through sl).
 */
static void
render_set(struct cal_feed **set, size_t *nset, struct ics_slices *sl, const char *lang,
    const char *base, const char *name, struct cal_event *v, size_t n,
    const struct cal_event **sel, time_t now)
{
	struct cal_feed *old = *set, *nv = NULL;
	size_t nold = *nset, nn = 0;

	for (size_t i = 0; i < n; i++)
		sel[i] = &v[i];
	render_all(&nv, &nn, old, nold, base, name, sel, n, now, sl, lang);
	render_channels(&nv, &nn, old, nold, base, name, v, sel, n, now, sl, lang);
	for (size_t i = 0; i < nold; i++)
		cal_feed_clear(&old[i]);
	free(old);
	*set = nv;
	*nset = nn;
}

static void
render_french(const char *base, const char *name, struct cal_event *v, size_t n,
    const struct cal_event **sel, size_t upcoming, time_t now)
{
	localise_fr(v, n);
	render_set(&pub.fr, &pub.nfr, &slices_fr, "fr", base, name, v, n, sel, now);
	page_update(base, v, n, upcoming, now, "fr");
	write_files_fr();
}

/* Render every public feed and the page from the database, and write the files. */
void
render_public(void)
{
	struct cal_event *v;
	size_t n, upcoming = 0;
	const struct cal_event **sel;
	char *base;
	time_t now = host->wall_now();
	const char *name = cal_name();

	pub.rendered = true;
	pub.due_all = pub.due_page = false;
	if (cal_store_events(db(), now, KEEP_PAST, &v, &n) == -1) {
		host->log(self, CV_LOG_ERROR, "reading events for the feeds: %s",
		    sqlite3_errmsg(db()));
		return;
	}
	base = base_url();
	sel = cal_xrealloc(NULL, (n + 1) * sizeof(*sel));

	render_set(&pub.v, &pub.n, &slices, "en", base, name, v, n, sel, now);

	/* The page lists the channel feeds. */
	for (size_t i = 0; i < n; i++)
		upcoming += v[i].start_utc + 60LL * v[i].duration_min > now;
	page_update(base, v, n, upcoming, now, "en");

	pub.next_change = next_change(v, n, now);
	events_update(v, n, base, now, write_files() == 0);
	publish_docs(v, n);
	render_french(base, name, v, n, sel, upcoming, now);

	/* Personal feeds follow on their next request. */
	for (size_t i = 0; i < npers; i++)
		pers[i].stale = true;

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
void
on_changed(void *arg, const char *topic, const void *data)
{
	const struct cv_events_change *c = data;

	if (strcmp(topic, CV_TOPIC_CONNECTED) == 0) {
		pub.due_page = true; /* the page names the bot's nick */
	} else if (c == NULL || (c->what & ~CV_EVENTS_CHANGED_REGISTRATIONS) != 0) {
		pub.due_all = true;
	} else {
		personal_stale(c->event_id, c->person);
		for (size_t i = 0; i < pub.npage_ids; i++)
			if (pub.page_ids[i] == c->event_id)
				pub.due_page = true;
		if (!pub.due_page)
			return; /* nothing shown changed */
	}
	if (pub.render_timer == 0)
		pub.render_timer =
		    host->timer_add(self, RENDER_DELAY_MS, 0, render_due, NULL);
}

/* Before answering from the feeds: render now if a change is pending or none was made. */
void
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

void
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
void
on_start(void *arg)
{
	render_public();
}
