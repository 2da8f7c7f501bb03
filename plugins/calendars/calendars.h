/*
 * calendars.h: what the calendars plugin's own files share (calendars.c,
 * files.c, evfeed.c, render.c, personal.c, http.c, commands.c). Not for
 * the other plugins; hidden from the host by the visibility below.
 */
#ifndef CONVENE_CALENDARS_H
#define CONVENE_CALENDARS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "convene.h"
#include "feeds.h"
#include "ics.h"
#include "store.h"

#pragma GCC visibility push(hidden)

#define KEEP_PAST (30 * 86400) /* ended events stay in the feeds this long */
#define REFRESH_MINUTES 60
#define TICK_MS (15 * 1000) /* how often to look whether time changed a feed */
#define PERSONAL_MAX 1024   /* personal feeds kept in memory */
#define CTYPE_ICS "text/calendar; charset=utf-8"
#define CTYPE_HTML "text/html; charset=utf-8"

/* The host and this plugin, set by calendars_init(). */
extern const struct cv_host *host;
extern struct cv_plugin *self;

/* The public feeds and the page, as last rendered. */
struct cal_pub {
	struct cal_feed *v; /* v[0] is all.ics */
	size_t n;
	struct cal_feed page;
	long long next_change;    /* wall time when time alone changes what they show */
	bool written;             /* the files were written once since start */
	bool rendered;            /* render_public() ran once since start */
	cv_timer_id render_timer; /* a render is due: events changed */
	bool due_all;  /* any event may have changed: every feed is looked at */
	bool due_page; /* the page only: places on it, or the bot's nick */
	long long page_ids[CAL_PAGE_EVENTS]; /* the events the page shows */
	size_t npage_ids;
	char nick[256]; /* the bot's nick the page names */
	/*
	 * The French feeds (paths as in v, served under /calendars/fr/ and
	 * written under fr/) and page, from the events' French texts.
	 */
	struct cal_feed *fr; /* fr[0] is all.ics */
	size_t nfr;
	struct cal_feed page_fr;
	bool written_fr; /* the French files were written once since start */
};
extern struct cal_pub pub;

#define RENDER_DELAY_MS 1000 /* changes within this share one render */
#define EVENT_BODIES 256     /* bodies of single-event feeds kept in memory */
/*
 * Mixed into what a single event's feed is rendered from: raise it when
 * ics.c or render_event() writes other text for the same event.
 */
#define EVENT_FORMAT \
	"convene-event-feed-2" /* 2: each render writes the French file too */

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
extern struct ics_slices slices;
extern struct ics_slices slices_fr; /* the same for the French all.ics (pub.fr[0]) */

/* The feeds of single events: validators for each, a few bodies. */
extern struct cal_evfeeds evs;
extern bool evs_loaded; /* the manifest was read */
extern long long *gone; /* events to remove from the manifest */
extern size_t ngone;

/* Personal feeds, rendered on the first request after a change. */
struct personal {
	char token[CAL_TOKEN_LEN + 1];
	char *person;
	struct cal_feed f;
	bool stale;
	long long used; /* mono ms of the last request, to evict the oldest */
	long long *ids; /* the events it shows, by id: a change to one of them stales it */
	const char *lang; /* "fr", or NULL: English; as the person's language when rendered */
	size_t nids;
};
extern struct personal *pers;
extern size_t npers;

/* calendars.c */
sqlite3 *db(void);
/* Is lang French? Every other language reads the English feeds and page. */
bool lang_is_fr(const char *lang);
const char *cal_name(void);
char *base_url(void);
long long number_of(const char *s);
struct cal_site site(const char *base);
const char *feed_dir(void);

/* files.c */
int write_atomic(const char *dir, const char *path, const char *body, size_t len,
    void **map);
long long event_id_of(const char *path);
void prune(const char *dir, const char *sub);
int write_files(void);
int write_files_fr(void);

/* evfeed.c */
char *render_event(const struct cal_event *e, const char *base, size_t *len);
char *render_event_lang(const struct cal_event *e, const char *base, const char *lang,
    size_t *len);
char *render_event_fr(const struct cal_event *e, const char *base, size_t *len);
void manifest_flush(void);
void on_flush(void *arg);
void events_update(const struct cal_event *v, size_t n, const char *base, time_t now,
    bool dir_ok);
struct cal_evfeed *event_feed(long long id);

/* render.c */
char *render_doc(const char *base, const char *path, const char *name, const char *desc,
    const struct cal_event *const *v, size_t n, size_t *len);
char *render_doc_fr(const char *base, const char *path, const char *name,
    const char *desc, const struct cal_event *const *v, size_t n, size_t *len);
long long next_change(const struct cal_event *v, size_t n, long long now);
char *pub_load(const char *name, size_t *len);
void render_public(void);
void on_changed(void *arg, const char *topic, const void *data);
void fresh(void);
void on_tick(void *arg);
void on_start(void *arg);

/* personal.c */
void personal_drop(size_t i);
void personal_forget(const char *person);
struct personal *personal_get(const char *token);

/* http.c */
int serve_calendars(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp);
int serve_page(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp);
int serve_event_page(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp);

/* commands.c */
void cmd_feed(struct cv_ctx *ctx);
void cmd_feed_reset(struct cv_ctx *ctx);
void on_forget(void *arg, const char *topic, const void *data);

#pragma GCC visibility pop

#endif
