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
 * Rendering is in ics.c, feed bookkeeping in feeds.c, the pages in
 * page.c, SQL in store.c, copies on a CalDAV or WebDAV server in
 * publish.c. The plugin's state and what reads the config are here, with
 * init and fini; files.c
 * writes the files, evfeed.c keeps the feeds of single events, render.c
 * renders, personal.c keeps personal feeds, http.c serves, commands.c
 * answers (shared declarations in calendars.h).
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

#include "calendars.h"
#include "cv_ical.h"
#include "publish.h"
#include "sbuf.h"

/* host and self are defined in publish.c, which the unit tests link alone. */
struct cal_pub pub;
struct ics_slices slices, slices_fr;
struct cal_evfeeds evs = { .cap = EVENT_BODIES };
bool evs_loaded;
long long *gone;
size_t ngone;
struct personal *pers;
size_t npers;

bool
lang_is_fr(const char *lang)
{
	return lang != NULL && strcmp(lang, "fr") == 0;
}

sqlite3 *
db(void)
{
	return host->db(self);
}

const char *
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
char *
base_url(void)
{
	const char *b = host->base_url();
	struct sbuf s = { 0 };

	sb_printf(&s, "%s", b != NULL ? b : "");
	return sb_take(&s, NULL);
}

/* A decimal number without sign or leading zero, all of s: the number, or -1. */
long long
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
struct cal_site
site(const char *base)
{
	static char irc[600], label[400];
	const char *server = host->config_of("irc", "server");
	const char *port = host->config_of("irc", "port");
	const char *chat = host->config_of("http", "chat_url");
	const char *chan = host->config_of("events", "channel");
	const char *nick = host->own_nick();
	bool tls = config_true(host->config_of("irc", "tls"));
	struct cal_site s = { cal_name(), base, NULL, host->prefix(), NULL, NULL, NULL,
		NULL, NULL, NULL, NULL };

	s.nick = nick != NULL && nick[0] != '\0' ? nick : host->config_of("irc", "nick");
	if (port == NULL || port[0] == '\0')
		port = tls ? "6697" : "6667";
	/* Only a plain host name or address goes into a link. */
	if (server != NULL && server[0] != '\0' && strlen(server) < 256 &&
	    strspn(server,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") ==
	        strlen(server)) {
		snprintf(irc, sizeof(irc),
		    strchr(server, ':') != NULL ? "%s://[%s]:%s/" : "%s://%s:%s/",
		    tls ? "ircs" : "irc", server, port);
		snprintf(label, sizeof(label), "%s (port %s%s)", server, port,
		    tls ? ", TLS" : "");
		s.irc = irc;
		s.irc_label = label;
	}
	if (chat != NULL &&
	    (strncmp(chat, "https://", 8) == 0 || strncmp(chat, "http://", 7) == 0))
		s.chat_url = chat;
	s.channel = chan != NULL && chan[0] != '\0' ? chan : host->channel(0);
	s.tr = host->tr;
	s.ntr = host->ntr;
	return s;
}

const char *
feed_dir(void)
{
	const char *d = host->config(self, "dir");

	return d != NULL && d[0] != '\0' ? d : "calendars";
}

/* One entry a line or two, as written: clang-format would rewrap them. */
/* clang-format off */
static const struct cv_command commands[] = {
	{ "feed", "", N_("links to the calendars, and to your own (in private)"), 0, 0,
	    CV_ROLE_MEMBER, 0, cmd_feed },
	{ "feed reset", "", N_("replace your personal calendar link; the old one stops working"),
	    0, 0, CV_ROLE_MEMBER, 0, cmd_feed_reset },
	{ "publish", "", N_("the state of the copies on the CalDAV/WebDAV server"), 0, 0,
	    CV_ROLE_OWNER, 0, pub_cmd_status },
	{ "publish overwrite", "", N_("replace the server's changed copies with Convene's"), 0, 0,
	    CV_ROLE_OWNER, 0, pub_cmd_overwrite },
};
/* clang-format on */

/* ---- the plugin ---- */

static int
calendars_init(struct cv_plugin *p, const struct cv_host *h, char *err, size_t errlen)
{
	host = h;
	cv_ical_attach(h, p);
	ics_translate = h->tr;
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
		snprintf(err, errlen,
		    "could not take the HTTP paths /calendars/, /event/ and /");
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
	manifest_flush(); /* what the next start compares with */
	pub_stop();
	for (size_t i = 0; i < pub.n; i++)
		cal_feed_clear(&pub.v[i]);
	free(pub.v);
	cal_feed_clear(&pub.page);
	for (size_t i = 0; i < pub.nfr; i++)
		cal_feed_clear(&pub.fr[i]);
	free(pub.fr);
	cal_feed_clear(&pub.page_fr);
	cal_evfeeds_clear(&evs);
	ics_slices_clear(&slices);
	ics_slices_clear(&slices_fr);
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
	ics_translate = NULL;
	self = NULL;
	cv_ical_attach(NULL, NULL);
}

#define KEY(name)                                     \
	{                                             \
		name, CV_KEY_STRING, NULL, 0, 0, NULL \
	}

/* The [calendars] keys: text, each checked where it is read. */
static const struct cv_config_key config[] = {
	KEY("dir"),
	KEY("name"),
	KEY("publish_url"),
	KEY("publish_mode"),
	KEY("publish_user"),
	KEY("publish_password_file"),
	KEY("report_to"),
	/* Deprecated: now [events] keys, read and checked there; accepted until the next release. */
	KEY("import_allow_private"),
	KEY("import_timeout"),
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
extern const struct cv_plugin_desc convene_plugin
    __attribute__((alias("calendars_plugin")));
