/*
 * evfeed.c: the feeds of single events (/calendars/event/N.ics): rendered
 * when their event changed, validators kept in a manifest, a few bodies in
 * memory.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendars.h"
#include "sbuf.h"

/* ---- the feeds of single events ---- */

/* What a single event's feed depends on besides the event. */
static uint64_t
event_seed(const char *base)
{
	return ics_hash_text(ics_hash_text(ics_hash_text(0, EVENT_FORMAT), cal_name()),
	    base);
}

char *
render_event_lang(const struct cal_event *e, const char *base, const char *lang, size_t *len)
{
	char path[48], *title, *doc;
	bool fr = lang_is_fr(lang);

	snprintf(path, sizeof(path), "%sevent/%lld.ics", fr ? "fr/" : "", e->id);
	/* Whole: an imported title may be 500 characters, never cut mid-character. */
	if (asprintf(&title, "%s: %s", cal_name(), e->title ? e->title : "") < 0)
		abort();
	/* The French one copies nothing from the English all.ics. */
	doc = fr ?
	    render_doc_fr(base, path, title, host->tr(lang, "One event"), &e, 1, len) :
	    render_doc(base, path, title, host->tr(lang, "One event"), &e, 1, len);
	free(title);
	return doc;
}

char *
render_event(const struct cal_event *e, const char *base, size_t *len)
{
	return render_event_lang(e, base, "en", len);
}

/*
 * The French feed of event e, from the database (its French texts):
 * caller frees; NULL on an error.
 */
char *
render_event_fr(const struct cal_event *e, const char *base, size_t *len)
{
	struct cal_event fr = *e, one;
	char *body;

	memset(&one, 0, sizeof(one));
	one.id = e->id;
	if (cal_store_localise(db(), "fr", &one, 1) == -1)
		return NULL;
	/* e's texts, but those the organiser gave in French. */
	fr.lang = one.lang;
	if (one.title != NULL)
		fr.title = one.title;
	if (one.description != NULL)
		fr.description = one.description;
	if (one.location != NULL)
		fr.location = one.location;
	body = render_event_lang(&fr, base, "fr", len);
	cal_event_clear(&one);
	return body;
}

static bool same_file(const char *dir, const char *path, const char *body, size_t len);

/* Write the French file of event e beside the English one (fr/event/N.ics). */
static void
event_write_fr(const struct cal_event *e, const char *base, const char *dir)
{
	char path[48], *body;
	size_t len;

	if ((body = render_event_fr(e, base, &len)) == NULL)
		return;
	snprintf(path, sizeof(path), "fr/event/%lld.ics", e->id);
	if (!same_file(dir, path, body, len) &&
	    write_atomic(dir, path, body, len, NULL) == -1)
		host->log(self, CV_LOG_WARN, "could not write %s/%s: %s", dir, path,
		    strerror(errno));
	free(body);
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
		(void)fclose(fp); /* read only: nothing to lose */
	}
	free(full);
	free(buf);
	return same;
}

/* Write what changed in the manifest since the last time. */
void
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
		struct cal_file_row r = { .event_id = f->id,
			.input = f->input,
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

void
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
	/* Rendered because e changed (or at the first render): its French file too. */
	if (!keep)
		event_write_fr(e, base, dir);
	return rc;
}

/*
 * The feeds of the events v[0..n) (those the public feeds show): the
 * validators of every one, from the manifest at the first render, then
 * kept; rendered and written only where something changed.
 */
void
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
			old.v[i] = (struct cal_evfeed){ .id = r[i].event_id,
				.input = r[i].input,
				.lastmod = (time_t)r[i].lastmod,
				.stored = true };
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
		evs.v[i].on_disk = false; /* prune() says */
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
		prune(feed_dir(), "fr/event");
		for (size_t i = 0; i < evs.n; i++) {
			if (event_refresh(&evs.v[i], byid[i], seed, base, now, false) ==
			    -1) {
				failed++;
				err = errno;
			}
		}
	}
	if (failed > 0)
		host->log(self, CV_LOG_WARN,
		    "could not write %zu event feed file(s) under %s: %s", failed,
		    feed_dir(), strerror(err));
	cal_evfeeds_clear(&old);
	free(taken);
	free(byid);
}

/*
 * The feed of event `id` with its body, rendered now if it is not in
 * memory; NULL when no public feed shows the event.
 */
struct cal_evfeed *
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
				host->log(self, CV_LOG_ERROR,
				    "reading event %lld for its feed: %s", id,
				    sqlite3_errmsg(db()));
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
