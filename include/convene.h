/*
 * convene.h: the one header a Convene plugin compiles against.
 *
 * A plugin is a shared object that exports one symbol, `convene_plugin`, a
 * `struct cv_plugin_desc`. The host dlopen()s it, checks its ABI version,
 * and calls init() with a table of host functions. Everything a plugin
 * registers through that table (commands, timers, HTTP routes, bus
 * subscriptions) is recorded against the plugin and undone by the host when
 * it unloads, so fini() has little to do.
 *
 * Ownership: strings passed to a plugin are borrowed for the duration of the
 * call unless a comment says otherwise. Strings a plugin passes to the host
 * are copied by the host.
 */
#ifndef CONVENE_H
#define CONVENE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <sqlite3.h>

/*
 * ABI version. The host refuses a plugin built against another major, or
 * against a newer minor than the host has. Adding a member at the end of
 * struct cv_host or struct cv_plugin_desc raises the minor (add new
 * interfaces at the end only, marked with their version); any other change
 * raises the major. The host reads a descriptor's members only up to the
 * minor it was built with.
 */
#define CONVENE_ABI_MAJOR 1
#define CONVENE_ABI_MINOR 7

#define CV_PRINTF(f, a) __attribute__((format(printf, f, a)))

/*
 * Languages (ABI 1.6). Every sentence for people goes through the host's
 * tr()/ntr() with the reader's language: ctx->lang in a command,
 * person_lang(id) for a private notice, channel_lang(channel) for a
 * channel's line. The template po/convene.pot is extracted from every
 * source by xgettext with the keywords tr:2, ntr:2,3 and N_, so write
 * host->tr(lang, "literal") (a literal, not a variable) and mark strings
 * kept in tables (a command's help) with N_("...") to translate at display.
 */
#ifndef N_
#define N_(s) (s)
#endif

/* Who may run a command. Higher includes lower. */
enum cv_role {
	CV_ROLE_MEMBER = 0,    /* everyone */
	CV_ROLE_ORGANIZER = 1, /* granted at run time, stored */
	CV_ROLE_OWNER = 2,     /* from [bot] owners */
};

enum cv_log_level { CV_LOG_DEBUG, CV_LOG_INFO, CV_LOG_WARN, CV_LOG_ERROR };

/* The person who sent a command or was seen on the network. */
struct cv_person {
	const char *nick;    /* current nick */
	const char *mask;    /* nick!user@host */
	const char *account; /* services account, or NULL when none is known */
	/*
	 * Stable identity for storage: "a:ACCOUNT" when the person is logged
	 * in to services, with A-Z folded only (as services compare accounts),
	 * otherwise "n:NICK" with the nick case-folded the way the network
	 * folds it. Plugins key personal data on this.
	 */
	const char *id;
	enum cv_role role;

	/* ABI 1.2 */
	/*
	 * A person relayed into a channel by a relay bot ([bridge] relays):
	 * the channel they speak in; NULL for everyone on IRC. The host always
	 * sets it. A relayed person is always a member; their id is
	 * "r:PROTOCOL:name" and `nick` is the name they show (it may hold
	 * spaces), which no IRC user holds: the host answers them in `via`, as
	 * "name: text". Such an answer is public: never put a join link, a
	 * personal link or other people's names in it.
	 */
	const char *via;
};

/* Flags of a command. */
#define CV_CMD_REST 0x1 /* the last argument is the rest of the line, verbatim */

#define CV_MAX_ARGS 16

/* One command invocation, handed to the command's handler. */
struct cv_ctx {
	struct cv_plugin *plugin; /* the plugin that owns the command */
	const struct cv_person *who;
	const char *channel; /* channel it was typed in, or NULL in private */
	const char *command; /* the command's name, e.g. "event add" */
	int argc;            /* arguments after the command name */
	const char *const *argv;

	/* ABI 1.6 */
	/*
	 * The language to answer in ("en", "fr"): the person's own (see
	 * person_lang). Set by the host before the handler runs.
	 */
	const char *lang;
};

typedef void (*cv_command_fn)(struct cv_ctx *ctx);

/*
 * A command is data. The host checks the argument count and the role from
 * the entry before the handler runs, and builds `help` from the table.
 * A name may be two words ("event add"); the longest match wins.
 */
struct cv_command {
	const char *name;
	const char *usage; /* arguments only, e.g. "N [yes|maybe|no]" */
	const char *help;  /* one line */
	int min_args;
	int max_args;
	enum cv_role role;
	unsigned flags; /* CV_CMD_* */
	cv_command_fn fn;
};

/* HTTP, in the host's own terms so plugins need no libmicrohttpd header. */
struct cv_http_req {
	const char *method;   /* "GET" or "HEAD"; others never reach a route */
	const char *path;     /* decoded path, starting with '/' */
	const char *base_url; /* [http] base_url, without a trailing '/' */

	/* ABI 1.7 */
	/* The request's Accept-Language header, or NULL. */
	const char *accept_language;
	/*
	 * The bot's language that header asks for ("en", "fr"; q-values
	 * honoured, "fr-CA" is "fr"), else [bot] language. A static string.
	 * A route that answers by it sets resp->vary to "Accept-Language".
	 */
	const char *lang;
};

struct cv_http_resp {
	int status;               /* 200 unless set */
	const char *content_type; /* static string */
	/*
	 * The body. When `body_free` is set the host free()s it after sending;
	 * otherwise it must stay valid until the route's plugin is unloaded
	 * (the host copies it before answering). A 200 with a strong `etag`
	 * and a body not to free may be answered again from the host's copy
	 * while the route answers the same etag: the etag must change with
	 * any byte of the body.
	 */
	char *body;
	size_t len;
	bool body_free;
	/*
	 * Optional validators. When `etag` is set (a quoted strong tag) the host
	 * adds ETag and answers If-None-Match with 304; when `last_modified`
	 * is set it adds Last-Modified and answers If-Modified-Since.
	 */
	char etag[48];
	time_t last_modified;

	/* ABI 1.2 */
	/*
	 * One person's data (a personal feed): answered with "Cache-Control:
	 * private, no-store" so that no shared cache keeps it. The host
	 * zero-fills the whole struct before calling a route, so a plugin built
	 * before this member leaves it false.
	 */
	bool personal;

	/* ABI 1.3 */
	/*
	 * `body` is a read-only MAP_SHARED mapping of a whole file, from its
	 * first byte, of exactly `len` bytes, and the file is only ever replaced
	 * by a rename, never written or truncated in place. A kept answer then
	 * maps the same pages (the page cache's) rather than copying the body
	 * onto the host's heap. False for any other body.
	 */
	bool body_mapped;

	/* ABI 1.7 */
	/*
	 * The request headers the answer depends on (a static string, e.g.
	 * "Accept-Language"), sent as Vary. The host keeps such an answer apart
	 * for each req->lang, so a kept answer never crosses languages.
	 */
	const char *vary;
};

/* The kinds of a plugin's metric (ABI 1.2). */
enum cv_metric_type {
	CV_METRIC_COUNTER, /* metric() adds v; the name ends in _total */
	CV_METRIC_GAUGE,   /* metric() sets v */
	CV_METRIC_SUMMARY, /* metric() observes v: adds it to _sum, one to _count */
};

/* The type of a plugin's config key (ABI 1.5). */
enum cv_key_type {
	CV_KEY_STRING, /* any text: the plugin checks it itself */
	CV_KEY_BOOL,   /* yes/no, true/false, on/off, 1/0 (any case) */
	CV_KEY_INT,    /* decimal digits, optionally '-', from min to max */
	/*
	 * Seconds, from min to max: numbers with units w, d, h, m, s, each at
	 * most once and in that order ("1h30m", "45s"); a bare number is seconds.
	 */
	CV_KEY_DURATION,
};

/*
 * One key of a plugin's config section, declared once (ABI 1.5): the host
 * checks a set value at load and in `convene --check` ("file:line:
 * [section] key: why"), and the typed getters of struct cv_host return it
 * or the default. A table of these ends with a NULL key.
 */
struct cv_config_key {
	const char *key;
	enum cv_key_type type;
	const char *def;    /* the default as it would be written, or NULL (unset) */
	long long min, max; /* CV_KEY_INT and CV_KEY_DURATION (seconds) */
	/* The plugin's words for a bad value, e.g. "must be yes or no"; NULL: the host's. */
	const char *why;
};

/* Returns 0 when it filled `resp`, -1 for "not mine" (the host answers 404). */
typedef int (
    *cv_http_fn)(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp);

/* An outgoing HTTP request (publishing, importing), run by the host. */
struct cv_http_request {
	const char *method;         /* "GET", "PUT", "DELETE", "PROPFIND"... */
	const char *url;            /* http:// or https:// only, also after redirects */
	const char *const *headers; /* "Name: value" strings, NULL-terminated, or NULL */
	const char *body;           /* request body, or NULL */
	size_t body_len;
	const char *user; /* HTTP basic auth, or NULL */
	const char *password;
	size_t max_bytes; /* response body cap, enforced while reading (0: 1 MiB) */
	long timeout_ms;  /* the whole transfer (0: 30 s) */
	bool follow;      /* follow redirects (http/https only, at most 5) */
	bool allow_private; /* else loopback, private and link-local addresses are refused */
};

struct cv_http_result {
	int status; /* the HTTP status, or 0 when the transfer failed */
	/*
	 * When status is 0: an English sentence for people, one of a fixed set
	 * the host marks for translation, so host->tr(lang, error) gives it in
	 * the reader's language; libcurl's own words go to the log only.
	 */
	const char *error;
	const char *body; /* NUL-terminated; valid during the callback */
	size_t len;
	const char *etag;         /* the response's ETag, or NULL */
	const char *content_type; /* or NULL */
};

typedef void (*cv_http_done_fn)(void *arg, const struct cv_http_result *res);

typedef void (*cv_timer_fn)(void *arg);
typedef void (*cv_bus_fn)(void *arg, const char *topic, const void *data);

typedef uint64_t cv_timer_id;

/* Topics the host publishes on the bus. `data` is a const struct cv_person *. */
/*
 * The topics of the bus (subscribe, publish), with the type of their data.
 * The host's own first, then those one plugin publishes for others; a topic
 * is declared here, never as a bare string in a plugin.
 */
/* Joined a channel of ours or spoke to us. data: const struct cv_person *. */
#define CV_TOPIC_PERSON_SEEN "person.seen"
/* Quit, or left every channel of ours. data: const struct cv_person *. */
#define CV_TOPIC_PERSON_GONE "person.gone"
/* Registered with the server (after 001, CAP and SASL). data: NULL. */
#define CV_TOPIC_CONNECTED "irc.connected"
/*
 * Erase everything about a person (data: const struct cv_person *; only `id`
 * is sure to be set). Published inside the publisher's transaction; each
 * subscriber erases what it keeps under that id in it. Subscribing marks a
 * plugin, for the host, as keeping personal data: when such a plugin is not
 * loaded while a person is forgotten, the host keeps the id and publishes it
 * to that plugin alone right after its next init (nick and mask then empty,
 * account NULL), and forgets the id once it has.
 */
#define CV_TOPIC_PERSON_FORGET "person.forget"

/*
 * Published by the events plugin when its data changed, after the commit.
 * data: NULL when any event may have changed (an import, expiry and
 * retention, zones restamped), else a const struct cv_events_change *
 * naming the one event and what of it changed. Topics are strings and
 * this payload is a contract between plugins: fields are only ever added
 * at the end, and a subscriber treats bits it does not know as FIELDS.
 */
#define CV_TOPIC_EVENTS_CHANGED "events.changed"
#define CV_EVENTS_CHANGED_FIELDS 0x1u /* the event itself: anything that shows it */
#define CV_EVENTS_CHANGED_REGISTRATIONS \
	0x2u /* its registrations: counts, places, statuses, lines */
struct cv_events_change {
	long long event_id;
	unsigned what;      /* CV_EVENTS_CHANGED_* bits */
	const char *person; /* whose registration changed (also when removed), or NULL */
};

/*
 * The events plugin's data that other plugins may read, in the shared
 * database: two views its migrations create (plugins/events/model.c), not
 * its tables, which may change. Read them by these names and columns only.
 * Columns are only ever added at the end; anything else (a column renamed,
 * dropped or meaning something else) is a new view, _v2, created beside
 * this one. The views appear when the events plugin first loads: a reader
 * loaded before it checks that they exist.
 *
 * CV_EVENTS_VIEW, one row per event, all of them (past, cancelled, purged):
 *   id             INTEGER, never reused
 *   uid            TEXT, the iCalendar UID
 *   title          TEXT
 *   description, location, url, join_url, channel, cancel_reason: TEXT or NULL
 *   tz             TEXT, the IANA zone the event was set in
 *   start_utc      INTEGER, Unix seconds
 *   duration_min   INTEGER, 1 to 10080
 *   status         TEXT, 'active' or 'cancelled'
 *   sequence       INTEGER, the iCalendar SEQUENCE: up on each change people see
 *   created_at, updated_at: INTEGER, Unix seconds
 *   purged         INTEGER, 1 once retention removed its registrations
 *   capacity       INTEGER, places (0: no limit)
 *   confirmed      INTEGER, how many registrations are 'confirmed'
 *   series_id      INTEGER or NULL: on an occurrence of a series, the series'
 *                  own row (whose id people write as N in N@YYYY-MM-DD)
 *   occ_date       TEXT or NULL: on an occurrence, its original local date
 *                  YYYY-MM-DD (its RECURRENCE-ID), kept when it is moved
 *   repeat         TEXT or NULL: on a series' own row, its rule as
 *                  `event set N repeat` reads it ("weekly until 2027-03-01");
 *                  that row is the series (its start is the first
 *                  occurrence's), each occurrence is a row of its own
 * CV_REGISTRATIONS_VIEW, one row per person registered for an event:
 *   event_id       INTEGER, the event's id
 *   person         TEXT, the cv_person id
 *   status         TEXT, 'confirmed', 'maybe' or 'waitlist'
 *   seq            INTEGER, arrival order within the event (the waitlist
 *                  position is the count of 'waitlist' rows with seq <= it)
 * CV_EVENT_TEXTS_VIEW, one row per text an organiser gave in a second
 * language (`event set N title.fr TEXT`); the events view holds the original:
 *   event_id       INTEGER, the event's id
 *   lang           TEXT, 'en' or 'fr'
 *   field          TEXT, 'title', 'description' or 'location'
 *   text           TEXT, the version of that field in that language
 */
#define CV_EVENTS_VIEW "events_v1"
#define CV_EVENTS_COLUMNS                                                            \
	"id, uid, title, description, location, url, join_url, channel,"             \
	" cancel_reason, tz, start_utc, duration_min, status, sequence, created_at," \
	" updated_at, purged, capacity, confirmed"
/* The columns of CV_EVENTS_VIEW since series (events schema step 7). */
#define CV_EVENTS_COLUMNS_SERIES CV_EVENTS_COLUMNS ", series_id, occ_date, repeat, rrule"
#define CV_REGISTRATIONS_VIEW "registrations_v1"
#define CV_REGISTRATIONS_COLUMNS "event_id, person, status, seq"
#define CV_EVENT_TEXTS_VIEW "event_texts_v1"
#define CV_EVENT_TEXTS_COLUMNS "event_id, lang, field, text"

/*
 * The host's functions. Every function that takes a `struct cv_plugin *`
 * records what it creates against that plugin.
 */
struct cv_host {
	unsigned abi_major;
	unsigned abi_minor;

	/* Logging. Never log secrets, join links, message texts or feed tokens. */
	void (*log)(struct cv_plugin *p, enum cv_log_level lvl, const char *fmt, ...)
	    CV_PRINTF(3, 4);

	/* Answer the person who ran the command, by private NOTICE. */
	void (*reply)(struct cv_ctx *ctx, const char *fmt, ...) CV_PRINTF(2, 3);
	/* NOTICE to a nick or channel. Text is cleaned and split as needed. */
	void (*notice)(const char *target, const char *fmt, ...) CV_PRINTF(2, 3);
	/* PRIVMSG to a nick or channel (announcements, reminders). */
	void (*say)(const char *target, const char *fmt, ...) CV_PRINTF(2, 3);
	/*
	 * The same NOTICE to many nicks, packed as many targets per line as the
	 * server's TARGMAX allows. Like the answers above, held until the
	 * pass's commit (see commit()).
	 */
	void (*notice_many)(const char *const *targets, size_t n, const char *text);

	/* Commands. The table must stay valid while the plugin is loaded. */
	int (*commands)(struct cv_plugin *p, const struct cv_command *cmds, size_t n);

	/* Timers on the monotonic clock. repeat_ms 0 fires once. */
	cv_timer_id (*timer_add)(struct cv_plugin *p, int64_t delay_ms, int64_t repeat_ms,
	    cv_timer_fn fn, void *arg);
	void (*timer_cancel)(struct cv_plugin *p, cv_timer_id id);
	/* Clocks, injectable in tests: monotonic milliseconds, and wall time. */
	int64_t (*mono_ms)(void);
	time_t (*wall_now)(void);

	/* HTTP: every GET/HEAD whose path starts with `prefix` reaches fn. */
	int (*route)(struct cv_plugin *p, const char *prefix, cv_http_fn fn, void *arg);

	/*
	 * The database, shared by all plugins. migrate() applies the steps the
	 * plugin's stored schema version has not seen yet, each in a
	 * transaction; call it from init(). Step i brings version i to i+1.
	 */
	sqlite3 *(*db)(struct cv_plugin *p);
	int (*migrate)(struct cv_plugin *p, const char *const *steps, size_t n);
	/*
	 * A change that an answer confirms must be committed before the answer
	 * is queued: wrap it in begin()/commit(); rollback() undoes it instead.
	 * Calls nest. Both return 0 or -1.
	 *
	 * With [store] group_commits on (the default), the changes of one loop
	 * pass share one transaction. begin() opens it if the pass has none yet
	 * and takes a savepoint; commit() releases the savepoint and returns:
	 * the change is visible to the pass's later statements but NOT durable
	 * yet. After the pass's callbacks, the host COMMITs the pass; only then
	 * is the change durable. Answers (reply, notice, say, notice_many)
	 * queued while that transaction is open are held until its COMMIT and
	 * sent, in order, once it is done. If that COMMIT fails (or SQLite
	 * rolled the pass back after an error), the whole pass is lost, every
	 * plugin's changes in it, even those whose commit() returned 0: the
	 * held answers are dropped and each of their targets is told once that
	 * nothing was changed. Work outside the database that follows a
	 * commit() (files, publish(), HTTP) is neither held nor undone.
	 * commit() returns -1 when SQLite has already rolled the pass back
	 * after an error, or when the release fails (that change is undone);
	 * rollback() undoes only the caller's savepoint.
	 *
	 * With group_commits off, begin() is BEGIN IMMEDIATE and the outermost
	 * commit() COMMITs: the change is durable when it returns 0, and
	 * answers go out at once. It returns -1 (nothing kept) when the COMMIT
	 * fails or a nested call rolled back.
	 */
	int (*begin)(struct cv_plugin *p);
	int (*commit)(struct cv_plugin *p);
	void (*rollback)(struct cv_plugin *p);

	/* The plugin's config section ([NAME]); NULL when a key is not set. */
	const char *(*config)(struct cv_plugin *p, const char *key);
	/* A key of another section, e.g. ("irc", "channels"). */
	const char *(*config_of)(const char *section, const char *key);

	/* Notifications between plugins. */
	int (*subscribe)(struct cv_plugin *p, const char *topic, cv_bus_fn fn, void *arg);
	void (*publish)(const char *topic, const void *data);

	/* IRC state. */
	const char *(*own_nick)(void);
	/* Is this nick on a channel we share, or known to be online? */
	bool (*online)(const char *nick);
	/* Case-fold a nick or channel name in place, as the network does. */
	void (*casefold)(char *s);
	/* The configured channels, in order; NULL past the end. */
	const char *(*channel)(size_t i);

	/* Text helpers: the host's own cleaning of untrusted text. */
	/*
	 * Clean text typed by a person for storage: fails (-1, with a sentence in
	 * err) on invalid UTF-8; strips IRC formatting; turns other control
	 * characters into spaces. Cleans in place. The sentence is English,
	 * marked for translation: tell it as tr(lang, err).
	 */
	int (*clean_text)(char *s, char *err, size_t errlen);

	/*
	 * Administration, for the admin plugin. plugin_ctl() runs "load",
	 * "unload" or "reload" after the current command returns (a plugin may
	 * unload itself) and answers the asker itself.
	 */
	void (*plugin_ctl)(struct cv_ctx *ctx, const char *op, const char *name);
	/* Loaded plugins, in load order; NULL past the end. */
	const char *(*plugin_name)(size_t i);
	void (*join)(const char *channel, const char *key);
	void (*part)(const char *channel);
	/* 0 done, 1 nothing to do (already there / not there), -1 failed. */
	int (*organizer_add)(const char *mask);
	int (*organizer_del)(const char *mask);
	const char *(*organizer)(size_t i);
	/* "account:NAME" or "nick!user@host" with * and ? */
	bool (*mask_valid)(const char *mask);
	/*
	 * After erasing personal data: checkpoint the WAL so nothing stays in
	 * it. Inside a transaction (or the pass's) it runs once that commits.
	 */
	void (*checkpoint)(void);

	/* ABI 1.1 */
	/*
	 * Start an HTTP request through libcurl's multi interface; done runs
	 * from the main loop when it ends (never before this returns). The host
	 * cancels a plugin's requests when it unloads, without calling done.
	 * Returns 0, or -1 when the request cannot start.
	 */
	int (*http_request)(struct cv_plugin *p, const struct cv_http_request *req,
	    cv_http_done_fn done, void *arg);
	/*
	 * Is the bot registered with the server now? Lines sent while it is not
	 * are dropped, so work that must reach people waits for this.
	 */
	bool (*connected)(void);

	/* ABI 1.2 */
	/*
	 * Is `nick` held now by the person whose stable id (struct cv_person) is
	 * `id`? For "a:ACCOUNT": only when the host knows the nick's current
	 * services account and it is ACCOUNT (ASCII case-insensitively); not
	 * knowing means no. For "n:NICK": when the nick is on a channel we share
	 * and folds to NICK. A private notice meant for one person goes to a nick
	 * only when this is true; otherwise it waits until the person is seen
	 * (person.seen), since whoever holds a nick now may be someone else.
	 */
	bool (*holds)(const char *nick, const char *id);
	/*
	 * Plugins that keep personal data (they subscribe to person.forget) and
	 * are not loaded now, by name; NULL past the end. A person forgotten now
	 * is erased from them when each is next loaded.
	 */
	const char *(*forget_deferred)(size_t i);
	/*
	 * Metrics, answered on GET /metrics in the Prometheus text format.
	 * name: "convene_..." with its unit ("_seconds", "_total"); label and
	 * label_value: NULL, or one label whose value is a fixed word (a
	 * status, a result). Never a person, a nick or an event's title. A
	 * plugin's metrics go when it unloads.
	 */
	void (*metric)(struct cv_plugin *p, enum cv_metric_type type, const char *name,
	    const char *help, const char *label, const char *label_value, double v);
	/* fn runs before each answer on /metrics, to set gauges; one per plugin. */
	void (*metrics_hook)(struct cv_plugin *p, void (*fn)(void *arg), void *arg);

	/* ABI 1.4 */
	/*
	 * The public URL of the HTTP server, built by the host alone: [http]
	 * base_url without a trailing '/', else http://LISTEN:PORT (the port
	 * bound, an IPv6 address in brackets). Follows a reload. NULL when
	 * the HTTP server is off (it did not start).
	 */
	const char *(*base_url)(void);
	/* The command prefix in channels, [bot] prefix ("!" unless set). */
	const char *(*prefix)(void);
	/*
	 * Does a route (any plugin's) take `path`, a path under base_url()
	 * starting with '/'? True does not promise a 200: the route may still
	 * answer 404. A plugin asks this, never which plugins are loaded, to
	 * know whether a link it gives out leads anywhere.
	 */
	bool (*serves)(const char *path);

	/* ABI 1.5 */
	/*
	 * Typed values of the plugin's own section, for keys its descriptor
	 * declares in `config` with that type: the value set, or the declared
	 * default when unset (false or 0 when it has none). The host checked
	 * the value before init(), so there is no error to handle. A key not
	 * declared with that type logs a warning and gives false or 0.
	 */
	bool (*config_bool)(struct cv_plugin *p, const char *key);
	long long (*config_int)(struct cv_plugin *p, const char *key);
	long long (*config_duration)(struct cv_plugin *p, const char *key); /* seconds */
	/*
	 * Parse `value` as key `k` declares (a bool gives 0 or 1): 0 with the
	 * value in *out, or -1 when it is not one. For values the host has not
	 * checked (a key of another section, an old name).
	 */
	int (*config_parse)(const struct cv_config_key *k, const char *value,
	    long long *out);
	/* ABI 1.6 */
	/*
	 * The translation of msgid in lang ("en", "fr"; NULL or another reads
	 * English): a static string, to use as a format. English is the
	 * source language, so tr("en", s) is s.
	 */
	const char *(*tr)(const char *lang, const char *msgid)
	    __attribute__((format_arg(2)));
	/* The singular or plural form for n, translated. */
	const char *(*ntr)(const char *lang, const char *singular, const char *plural,
	    unsigned long n) __attribute__((format_arg(2))) __attribute__((format_arg(3)));
	/*
	 * The language of a person by stable id: their choice (`lang`), else
	 * [bot] language. The host keeps it and erases it on person.forget.
	 * A static string.
	 */
	const char *(*person_lang)(const char *id);
	/* The language of a channel's public lines: [bot] channel_languages, else [bot] language. */
	const char *(*channel_lang)(const char *channel);
};

/* The one symbol a plugin exports, named `convene_plugin`. */
struct cv_plugin_desc {
	unsigned abi_major; /* CONVENE_ABI_MAJOR */
	unsigned abi_minor; /* CONVENE_ABI_MINOR */
	const char *name;   /* also its config section */
	const char *version;
	/* Keys the plugin's config section may hold, NULL-terminated. */
	const char *const *config_keys;
	/* Returns 0, or -1 with a sentence in err; then the plugin is left unloaded. */
	int (*init)(struct cv_plugin *p, const struct cv_host *host, char *err,
	    size_t errlen);
	void (*fini)(struct cv_plugin *p);

	/* ABI 1.5 */
	/*
	 * The section's keys with type, default and range, NULL key last. When
	 * set, `config_keys` may be NULL: the host takes the names from here
	 * (keys in both lists count once). The host reads this member only from
	 * a descriptor of minor 5 or later.
	 */
	const struct cv_config_key *config;
};

#define CONVENE_PLUGIN_SYMBOL "convene_plugin"

#endif
