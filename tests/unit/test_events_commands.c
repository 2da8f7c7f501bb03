/*
 * The events plugin's commands end to end against a fake host: a real SQLite
 * file with the real migrations, a fake clock, and a transcript of every
 * answer, notice and channel message, checked for the contract's words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "convene.h"

extern const struct cv_plugin_desc events_plugin;

/* ---- the fake host ---- */

#define MAXLINES 256

static sqlite3 *fdb;
static char dbpath[64];
static time_t fake_now;
static const struct cv_command *table;
static size_t ntable;
static char *lines[MAXLINES]; /* "reply alice: ...", "notice bob: ...", "say #c: ..." */
static size_t nlines;
static char logbuf[16384];
static int published;
static const char *cfg_timezone;
static const char *cfg_requires_account;

static void
add_line(const char *kind, const char *target, const char *fmt, va_list ap)
{
	char text[8192];

	vsnprintf(text, sizeof(text), fmt, ap);
	assert_true(nlines < MAXLINES);
	assert_true(asprintf(&lines[nlines++], "%s %s: %s", kind, target, text) > 0);
}

static void
clear_lines(void)
{
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	nlines = 0;
}

/* The first line containing every one of the (NULL-terminated) words, or NULL. */
static const char *
find_line(const char *first, ...)
{
	for (size_t i = 0; i < nlines; i++) {
		va_list ap;
		const char *w = first;
		bool all = true;

		va_start(ap, first);
		for (; w != NULL; w = va_arg(ap, const char *))
			all &= strstr(lines[i], w) != NULL;
		va_end(ap);
		if (all)
			return lines[i];
	}
	return NULL;
}

static bool
any_line(const char *s)
{
	return find_line(s, (char *)NULL) != NULL;
}

static void
dump(void)
{
	for (size_t i = 0; i < nlines; i++)
		fprintf(stderr, "  | %s\n", lines[i]);
}

#define EXPECT(...)                                                 \
	do {                                                        \
		if (find_line(__VA_ARGS__, (char *)NULL) == NULL) { \
			dump();                                     \
			fail_msg("no line with: %s", #__VA_ARGS__); \
		}                                                   \
	} while (0)
#define EXPECT_NOT(...)                                                     \
	do {                                                                \
		if (find_line(__VA_ARGS__, (char *)NULL) != NULL) {         \
			dump();                                             \
			fail_msg("unexpected line with: %s", #__VA_ARGS__); \
		}                                                           \
	} while (0)

static void
f_log(struct cv_plugin *p, enum cv_log_level lvl, const char *fmt, ...)
{
	va_list ap;
	size_t len = strlen(logbuf);

	va_start(ap, fmt);
	vsnprintf(logbuf + len, sizeof(logbuf) - len, fmt, ap);
	va_end(ap);
	strncat(logbuf, "\n", sizeof(logbuf) - strlen(logbuf) - 1);
}

static void
f_reply(struct cv_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line("reply", ctx->who->nick, fmt, ap);
	va_end(ap);
}

static void
f_notice(const char *target, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line("notice", target, fmt, ap);
	va_end(ap);
}

static void
f_say(const char *target, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line("say", target, fmt, ap);
	va_end(ap);
}

static void
f_notice_many(const char *const *targets, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		f_notice(targets[i], "%s", text);
}

static int
f_commands(struct cv_plugin *p, const struct cv_command *cmds, size_t n)
{
	table = cmds;
	ntable = n;
	return 0;
}

/* Timers and subscriptions, kept so a test can fire them. */
static struct timer {
	int64_t delay;
	cv_timer_fn fn;
	void *arg;
} timers[16];
static size_t ntimers;
static cv_bus_fn seen_fn;

static cv_timer_id
f_timer_add(struct cv_plugin *p, int64_t d, int64_t r, cv_timer_fn fn, void *arg)
{
	if (ntimers < sizeof(timers) / sizeof(timers[0]))
		timers[ntimers++] = (struct timer){ d, fn, arg };
	return ntimers;
}

/* Run the one-shot timers of `delay` ms added so far (each once). */
static void
fire(int64_t delay)
{
	size_t n = ntimers;

	for (size_t i = 0; i < n; i++)
		if (timers[i].delay == delay && timers[i].fn != NULL) {
			cv_timer_fn fn = timers[i].fn;

			timers[i].fn = NULL;
			fn(timers[i].arg);
		}
}

static void
f_timer_cancel(struct cv_plugin *p, cv_timer_id id)
{
}
static int64_t
f_mono(void)
{
	return 0;
}
static time_t
f_wall(void)
{
	return fake_now;
}
static int
f_route(struct cv_plugin *p, const char *x, cv_http_fn fn, void *a)
{
	return 0;
}
static sqlite3 *
f_db(struct cv_plugin *p)
{
	return fdb;
}

static int
f_migrate(struct cv_plugin *p, const char *const *steps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sqlite3_exec(fdb, steps[i], NULL, NULL, NULL) != SQLITE_OK)
			return -1;
	return 0;
}

static int
f_begin(struct cv_plugin *p)
{
	return sqlite3_exec(fdb, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int
f_commit(struct cv_plugin *p)
{
	return sqlite3_exec(fdb, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void
f_rollback(struct cv_plugin *p)
{
	sqlite3_exec(fdb, "ROLLBACK", NULL, NULL, NULL);
}

static const char *
f_config(struct cv_plugin *p, const char *key)
{
	if (strcmp(key, "rsvp_requires_account") == 0)
		return cfg_requires_account;
	return strcmp(key, "timezone") == 0 ? cfg_timezone : NULL;
}

static const char *
f_config_of(const char *s, const char *k)
{
	return NULL;
}
static int
f_subscribe(struct cv_plugin *p, const char *t, cv_bus_fn fn, void *a)
{
	if (strcmp(t, CV_TOPIC_PERSON_SEEN) == 0)
		seen_fn = fn;
	return 0;
}

static void
f_publish(const char *topic, const void *data)
{
	if (strcmp(topic, "events.changed") == 0)
		published++;
}

static int checkpoints;
static void
f_checkpoint(void)
{
	checkpoints++;
}
static const char *
f_own_nick(void)
{
	return "convene";
}
static bool
f_online(const char *nick)
{
	return true;
}

/*
 * Who holds which nick: "nick=id" pairs, like the host's account cache. A
 * nick listed with another id, or not listed while `holds_strict`, is not
 * the person's now.
 */
static const char *held[8];
static bool holds_strict;

static bool
f_holds(const char *nick, const char *id)
{
	size_t len = strlen(nick);

	for (size_t i = 0; i < sizeof(held) / sizeof(held[0]) && held[i] != NULL; i++)
		if (strncmp(held[i], nick, len) == 0 && held[i][len] == '=')
			return strcmp(held[i] + len + 1, id) == 0;
	return !holds_strict && strncmp(id, "n:", 2) == 0 && strcmp(id + 2, nick) == 0;
}

/*
 * Languages: the person fr_person and the channel #fr read "fr", which this
 * host's catalogue writes "[fr] " before the English (pointers kept, so a
 * translation lives as long as the test, like a catalogue's strings).
 */
static const char *fr_person;
static struct {
	const char *id;
	char s[1024];
} frc[256];

static const char *
f_tr(const char *lang, const char *msgid)
{
	size_t i;

	if (lang == NULL || strcmp(lang, "fr") != 0)
		return msgid;
	for (i = 0; i < 256 && frc[i].id != NULL && frc[i].id != msgid; i++)
		;
	assert_true(i < 256);
	frc[i].id = msgid;
	snprintf(frc[i].s, sizeof(frc[i].s), "[fr] %s", msgid);
	return frc[i].s;
}

static const char *
f_ntr(const char *lang, const char *s, const char *p, unsigned long n)
{
	return f_tr(lang, n == 1 ? s : p);
}

static const char *
f_person_lang(const char *id)
{
	return fr_person != NULL && strcmp(id, fr_person) == 0 ? "fr" : "en";
}

static const char *
f_channel_lang(const char *channel)
{
	return strcmp(channel, "#fr") == 0 ? "fr" : "en";
}

/* Plugins keeping personal data that are not loaded (host->forget_deferred). */
static const char *deferred[4];

static const char *
f_forget_deferred(size_t i)
{
	return i < sizeof(deferred) / sizeof(deferred[0]) ? deferred[i] : NULL;
}
static void
f_casefold(char *s)
{
}
static const char *
f_channel(size_t i)
{
	return i == 0 ? "#convene" : NULL;
}

/* Enough of the host's text_clean() for these tests. */
static int
f_clean_text(char *s, char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = s;

	while (*p) {
		int len = *p < 0x80                   ? 1 :
		    (*p & 0xE0) == 0xC0 && *p >= 0xC2 ? 2 :
		    (*p & 0xF0) == 0xE0               ? 3 :
		    (*p & 0xF8) == 0xF0 && *p <= 0xF4 ? 4 :
		                                        0;

		for (int i = 1; i < len; i++)
			if ((p[i] & 0xC0) != 0x80)
				len = 0;
		if (len == 0) {
			snprintf(err, errlen, "invalid UTF-8");
			return -1;
		}
		p += len;
	}
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == 0x03) {
			for (int i = 0; i < 2 && p[1] >= '0' && p[1] <= '9'; i++)
				p++;
			continue;
		}
		if (strchr("\x02\x0f\x11\x16\x1d\x1e\x1f", *p))
			continue;
		*out++ = *p < 0x20 || *p == 0x7f ? ' ' : (char)*p;
	}
	*out = '\0';
	return 0;
}

static bool
f_connected(void)
{
	return true;
}

static void
f_metric(struct cv_plugin *p, enum cv_metric_type type, const char *name,
    const char *help, const char *label, const char *label_value, double v)
{
}

static void
f_metrics_hook(struct cv_plugin *p, void (*fn)(void *arg), void *arg)
{
}

/*
 * Typed values (ABI 1.5) the way the host reads them: its own parser, over
 * the plugin's declarations and f_config()'s values.
 */
static long long
f_typed(const char *key)
{
	const struct cv_config_key *k = config_key_find(events_plugin.config, key);
	const char *v;
	long long n = 0;

	assert_non_null(k);
	v = f_config(NULL, key);
	assert_int_equal(config_key_parse(k, v != NULL ? v : k->def, &n), 0);
	return n;
}
static bool
f_config_bool(struct cv_plugin *p, const char *k)
{
	return f_typed(k) != 0;
}
static long long
f_config_int(struct cv_plugin *p, const char *k)
{
	return f_typed(k);
}

/* The host's URL accessors (ABI 1.4); no route takes a path unless `serving`. */
static bool serving;
static const char *
f_base_url(void)
{
	return "http://[::1]:8080";
}
static const char *
f_prefix(void)
{
	return "!";
}
static bool
f_serves(const char *path)
{
	return serving && strncmp(path, "/calendars/", 11) == 0;
}

static const struct cv_host fake_host = {
	.abi_major = CONVENE_ABI_MAJOR,
	.abi_minor = CONVENE_ABI_MINOR,
	.log = f_log,
	.reply = f_reply,
	.notice = f_notice,
	.say = f_say,
	.notice_many = f_notice_many,
	.commands = f_commands,
	.timer_add = f_timer_add,
	.timer_cancel = f_timer_cancel,
	.mono_ms = f_mono,
	.wall_now = f_wall,
	.route = f_route,
	.db = f_db,
	.migrate = f_migrate,
	.begin = f_begin,
	.commit = f_commit,
	.rollback = f_rollback,
	.config = f_config,
	.config_of = f_config_of,
	.subscribe = f_subscribe,
	.publish = f_publish,
	.own_nick = f_own_nick,
	.online = f_online,
	.casefold = f_casefold,
	.channel = f_channel,
	.clean_text = f_clean_text,
	.checkpoint = f_checkpoint,
	.connected = f_connected,
	.holds = f_holds,
	.forget_deferred = f_forget_deferred,
	.metric = f_metric,
	.metrics_hook = f_metrics_hook,
	.base_url = f_base_url,
	.prefix = f_prefix,
	.serves = f_serves,
	.config_bool = f_config_bool,
	.config_int = f_config_int,
	.config_parse = config_key_parse,
	.tr = f_tr,
	.ntr = f_ntr,
	.person_lang = f_person_lang,
	.channel_lang = f_channel_lang,
};

/* The services account the next commands come from; NULL: none. */
static const char *as_account;
static const char *as_via; /* a relayed person's channel (issue 14) */

/*
 * Run a command line as the host would: longest command name, arguments
 * split on spaces (the last one the rest of the line with CV_CMD_REST),
 * counts and role checked from the table.
 */
static void
run_as(const char *nick, enum cv_role role, const char *channel, const char *line)
{
	const struct cv_command *best = NULL;
	size_t bestlen = 0;
	char id[64], *copy, *p, *argv[CV_MAX_ARGS];
	int argc = 0;
	struct cv_person who = { .nick = nick,
		.mask = nick,
		.id = id,
		.role = role,
		.account = as_account,
		.via = as_via };
	struct cv_ctx ctx;

	if (as_via != NULL)
		snprintf(id, sizeof(id), "r:discord:%s", nick);
	else if (as_account != NULL)
		snprintf(id, sizeof(id), "a:%s", as_account);
	else
		snprintf(id, sizeof(id), "n:%s", nick);
	for (size_t i = 0; i < ntable; i++) {
		size_t len = strlen(table[i].name);

		if (strncmp(line, table[i].name, len) == 0 &&
		    (line[len] == ' ' || line[len] == '\0') && len > bestlen)
			best = &table[i], bestlen = len;
	}
	assert_non_null(best);
	copy = strdup(line + bestlen);
	p = copy;
	while (*p == ' ')
		p++;
	while (*p != '\0') {
		if ((best->flags & CV_CMD_REST) && argc == best->max_args - 1) {
			argv[argc++] = p;
			break;
		}
		argv[argc++] = p;
		p += strcspn(p, " ");
		if (*p != '\0')
			*p++ = '\0';
		while (*p == ' ')
			p++;
	}
	if (argc < best->min_args || argc > best->max_args) {
		f_notice(nick, "usage: %s %s", best->name, best->usage);
	} else if (role < best->role) {
		f_notice(nick, "refused: %s", best->name);
	} else {
		ctx = (struct cv_ctx){ .who = &who,
			.lang = f_person_lang(id),
			.channel = channel,
			.command = best->name,
			.argc = argc,
			.argv = (const char *const *)argv };
		best->fn(&ctx);
	}
	free(copy);
}

static void
member(const char *nick, const char *line)
{
	run_as(nick, CV_ROLE_MEMBER, NULL, line);
}

static void
org(const char *line)
{
	run_as("olga", CV_ROLE_ORGANIZER, NULL, line);
}

static long long
count(const char *sql)
{
	sqlite3_stmt *st;
	long long n;

	assert_int_equal(sqlite3_prepare_v2(fdb, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int
setup(void **state)
{
	char err[200];
	int fd;
	struct tm tm = { .tm_year = 2026 - 1900, .tm_mon = 0, .tm_mday = 10, .tm_hour = 12 };

	snprintf(dbpath, sizeof(dbpath), "/tmp/test_events_cmd.XXXXXX");
	fd = mkstemp(dbpath);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sqlite3_open(dbpath, &fdb), SQLITE_OK);
	sqlite3_exec(fdb,
	    "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON",
	    NULL, NULL, NULL);
	fake_now = timegm(&tm); /* Sat 10 Jan 2026 12:00 UTC */
	logbuf[0] = '\0';
	published = 0;
	checkpoints = 0;
	cfg_timezone = "Europe/Paris";
	as_account = NULL;
	as_via = NULL;
	memset(held, 0, sizeof(held));
	memset(deferred, 0, sizeof(deferred));
	holds_strict = false;
	fr_person = NULL;
	serving = false;
	ntimers = 0;
	seen_fn = NULL;
	assert_int_equal(events_plugin.init(NULL, &fake_host, err, sizeof(err)), 0);
	return 0;
}

static int
teardown(void **state)
{
	char side[80];

	events_plugin.fini(NULL);
	cfg_requires_account = NULL;
	if (getenv("EVENTS_TRANSCRIPT") != NULL)
		dump();
	clear_lines();
	sqlite3_close(fdb);
	unlink(dbpath);
	snprintf(side, sizeof(side), "%s-wal", dbpath);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", dbpath);
	unlink(side);
	return 0;
}

/* ---- tests ---- */

static void
test_descriptor(void **state)
{
	const struct cv_config_key *k = events_plugin.config;

	assert_string_equal(events_plugin.name, "events");
	assert_string_equal(k[0].key, "timezone");
	assert_string_equal(k[1].key, "channel");
	assert_string_equal(k[2].key, "reminders");
	assert_string_equal(k[3].key, "retention_days");
	assert_string_equal(k[4].key, "rsvp_requires_account");
	assert_string_equal(k[5].key, "import_allow_private");
	assert_string_equal(k[6].key, "import_timeout");
	assert_null(k[7].key);
	/* ABI 1.5: typed, with a default and the plugin's own words. */
	assert_int_equal(k[3].type, CV_KEY_INT);
	assert_int_equal(k[3].max, 3650);
	assert_int_equal(k[4].type, CV_KEY_BOOL);
	assert_string_equal(k[4].def, "no");
	assert_int_equal(k[6].type, CV_KEY_INT);
	assert_string_equal(k[6].def, "15");
	assert_null(events_plugin.config_keys);
}

static void
test_add(void **state)
{
	org("event add 2026-12-02 18:00 America/New_York 90m Digital  rights clinic");
	EXPECT("reply olga: Created #1 Digital  rights clinic",
	    "Wed 2 Dec 2026 18:00-19:30 America/New_York");
	assert_int_equal(count("SELECT count(*) FROM events WHERE tz = 'America/New_York'"
	                       " AND duration_min = 90 AND local_time = '18:00' AND title = 'Digital  rights clinic'"
	                       " AND channel = '#convene' AND created_by = 'n:olga'"),
	    1);
	assert_int_equal(published, 1);

	/* Defaults: [events] timezone, one hour; the channel it was typed in. */
	clear_lines();
	run_as("olga", CV_ROLE_ORGANIZER, "#privacy",
	    "event add 2026-12-03 09:00 Crypto party");
	EXPECT("Created #2 Crypto party", "Thu 3 Dec 2026 09:00-10:00 Europe/Paris");
	assert_int_equal(count("SELECT count(*) FROM events WHERE id = 2 AND tz = 'Europe/Paris'"
	                       " AND duration_min = 60 AND channel = '#privacy'"),
	    1);
	/* Answers go in private: nothing was said in the channel. */
	assert_false(any_line("say "));

	clear_lines();
	org("event add 2026-12-04 09:00 -05:00 2h Offset talk");
	EXPECT("Created #3 Offset talk", "09:00-11:00 UTC-05:00");
	org("event add 2026-12-05 09:00 UTC Zoned talk");
	EXPECT("Created #4 Zoned talk", "09:00-10:00 UTC");
	assert_int_equal(count("SELECT count(*) FROM events WHERE id = 4 AND start_utc ="
	                       " strftime('%s', '2026-12-05 09:00:00')"),
	    1);
}

static void
test_add_bad_input(void **state)
{
	char line[600];

	org("event add 2026-03-29 02:30 Europe/Paris Gap talk");
	EXPECT("2026-03-29 02:30 does not exist in Europe/Paris", "+01:00 or +02:00");
	org("event add 2026-11-01 01:30 America/New_York Overlap talk");
	EXPECT("2026-11-01 01:30 happens twice in America/New_York", "-04:00 or -05:00");
	org("event add 2026-01-09 18:00 Yesterday");
	EXPECT("That time is in the past.");
	org("event add 2026-02-30 18:00 Talk");
	EXPECT("Bad date '2026-02-30'",
	    "Usage: event add YYYY-MM-DD HH:MM [ZONE] [DURATION] TITLE...");
	org("event add 2026-12-02 24:00 Talk");
	EXPECT("Bad time '24:00'");
	org("event add 2026-12-02 18:00 Mars/Olympus Talk");
	EXPECT("Unknown time zone 'Mars/Olympus': use an IANA name like Europe/Paris, UTC, "
	       "or an offset like -05:00.");
	org("event add 2026-12-02 18:00 0m Talk");
	EXPECT("Duration must be between 1 minute and 7 days, e.g. 90m, 2h, 1h30m.");
	org("event add 2026-12-02 18:00 UTC 7d1m Talk");
	EXPECT("Duration must be between 1 minute and 7 days");
	org("event add 2026-12-02 18:00 UTC 2h");
	EXPECT("The title is missing.");

	strcpy(line, "event add 2026-12-02 18:00 ");
	memset(line + strlen(line), 'x', 201);
	line[27 + 201] = '\0';
	org(line);
	EXPECT("Title is too long (max 200 characters).");
	org("event add 2026-12-02 18:00 Bad \xff\xfe bytes");
	EXPECT("not valid UTF-8");
	org("event add 2026-12-02 18:00 Bell\x07 title");
	EXPECT("control characters");
	assert_int_equal(count("SELECT count(*) FROM events"), 0);

	/* 200 characters of two bytes each are fine. */
	strcpy(line, "event add 2026-12-02 18:00 ");
	for (int i = 0; i < 200; i++)
		strcat(line, "\xc3\xa9");
	org(line);
	EXPECT("Created #1");

	/* Formatting is stripped from what is stored. */
	org("event add 2026-12-02 18:00 \x02"
	    "Bold\x02 and \x03"
	    "04red\x03 talk");
	EXPECT("Created #2 Bold and red talk");
	assert_int_equal(count("SELECT count(*) FROM events WHERE title = 'Bold and red talk'"),
	    1);

	/* A member is refused, and nothing changes. */
	clear_lines();
	member("mallory", "event add 2026-12-02 18:00 Sneaky");
	EXPECT("refused: event add");
	assert_int_equal(count("SELECT count(*) FROM events"), 2);
	for (size_t i = 0; i < ntable; i++) {
		/* Even if a host forgot the role check, the handler refuses. */
		if (strcmp(table[i].name, "event cancel") == 0) {
			struct cv_person who = { .nick = "mallory", .id = "n:mallory" };
			const char *argv[] = { "1" };
			struct cv_ctx ctx = { .who = &who, .argc = 1, .argv = argv };

			table[i].fn(&ctx);
		}
	}
	EXPECT("reply mallory: Only organisers");
	assert_int_equal(count("SELECT count(*) FROM events WHERE status = 'cancelled'"),
	    0);
}

/*
 * The event's feed link: given when a route takes its path, whichever
 * plugin that is, under the host's base URL (an IPv6 one in brackets).
 */
static void
test_event_calendar_link(void **state)
{
	org("event add 2026-12-02 18:00 Clinic");
	clear_lines();
	member("alice", "event 1");
	EXPECT("reply alice: Places:");
	EXPECT_NOT("reply alice: Calendar:");

	serving = true;
	clear_lines();
	member("alice", "event 1");
	EXPECT("reply alice: Calendar: http://[::1]:8080/calendars/event/1.ics");
}

static void
test_rsvp_waitlist_promotion(void **state)
{
	org("event add 2026-12-02 18:00 Clinic");
	org("event set 1 capacity 1");
	org("event set 1 join https://meet.example/room-secret");
	clear_lines();

	member("alice", "rsvp 1");
	EXPECT("reply alice: #1", "confirmed", "Join: https://meet.example/room-secret");
	member("bob", "rsvp #1 yes");
	EXPECT("reply bob: #1", "waitlist, position 1");
	EXPECT_NOT("reply bob", "room-secret");
	member("carol", "rsvp 1 yes");
	EXPECT("reply carol: #1", "waitlist, position 2");
	member("dave", "rsvp 1 maybe");
	EXPECT("reply dave: #1", "maybe");
	EXPECT_NOT("reply dave", "room-secret");

	/* Join link: confirmed people and organisers only. */
	clear_lines();
	member("bob", "event 1");
	EXPECT("reply bob: Places: full (waitlist)", "You: waitlist, position 1.");
	assert_false(any_line("room-secret"));
	member("alice", "event 1");
	EXPECT("reply alice: Join: https://meet.example/room-secret");
	org("event 1");
	EXPECT("reply olga: Join: https://meet.example/room-secret");

	/* Withdrawal promotes exactly the first in line, who is told in private. */
	clear_lines();
	member("alice", "rsvp 1 no");
	EXPECT("reply alice: #1", "withdrawn");
	EXPECT("notice bob: #1", "confirmed", "Join: https://meet.example/room-secret");
	EXPECT_NOT("notice carol");
	member("alice", "rsvp 1 no");
	EXPECT("reply alice: #1", "not registered");

	/* Raising the capacity promotes the rest in order. */
	clear_lines();
	org("event set 1 capacity 5");
	EXPECT("notice carol: #1", "confirmed", "room-secret");
	EXPECT("reply olga: #1", "1 promoted");

	clear_lines();
	org("attendees 1");
	EXPECT("reply olga: #1: 2 confirmed, 1 maybe, 0 waitlist");
	EXPECT("reply olga: confirmed: bob, carol");
	EXPECT("reply olga: maybe: dave");

	/* Bad answers. */
	clear_lines();
	member("erin", "rsvp 1 perhaps");
	EXPECT("reply erin: Answer yes, maybe or no", "Usage: rsvp N [yes|maybe|no]");
	member("erin", "rsvp 99");
	EXPECT("reply erin: No event #99.");
	member("erin", "rsvp x");
	EXPECT("reply erin: 'x' is not an event number");
	member("erin", "rsvp 1 yes extra");
	EXPECT("Usage: !rsvp N [yes|maybe|no], or !rsvp N all");
	assert_int_equal(count("SELECT count(*) FROM registrations WHERE person = 'n:erin'"),
	    0);

	/* Nothing of it went to a channel, and no log holds the link or a title. */
	assert_false(any_line("say "));
	assert_null(strstr(logbuf, "room-secret"));
	assert_null(strstr(logbuf, "Clinic"));
}

static void
test_changes_and_cancel(void **state)
{
	org("event add 2026-12-02 18:00 Clinic");
	org("event set 1 capacity 1");
	member("alice", "rsvp 1");
	member("bob", "rsvp 1");
	member("carol", "rsvp 1 maybe");
	clear_lines();

	org("event set 1 location Room 5");
	EXPECT("notice alice: #1 Clinic has changed", "Room 5");
	EXPECT_NOT("notice bob");
	EXPECT_NOT("notice carol");
	EXPECT("reply olga: #1 Clinic: location set; 1 confirmed person told.");

	clear_lines();
	org("event set 1 start 2026-12-03 19:00");
	EXPECT("notice alice: #1 Clinic has moved",
	    "Thu 3 Dec 2026 19:00-20:00 Europe/Paris");
	org("event set 1 start 2027-03-28 02:30");
	EXPECT("does not exist in Europe/Paris");
	org("event set 1 duration 0m");
	EXPECT("Duration must be between 1 minute and 7 days");
	org("event set 1 colour red");
	EXPECT("Unknown field 'colour'");
	org("event set 1 capacity -3");
	EXPECT("Capacity must be a number");
	org("event set 1 url ftp://x");
	EXPECT("The url must be one http:// or https:// link");
	assert_int_equal(count("SELECT sequence FROM events WHERE id = 1"), 3);

	clear_lines();
	org("event cancel 1 speaker is ill");
	EXPECT("notice alice: #1 Clinic is cancelled: speaker is ill");
	EXPECT("notice bob: #1 Clinic is cancelled");
	EXPECT("notice carol: #1 Clinic is cancelled");
	EXPECT("reply olga: Cancelled #1 Clinic; 3 registered people told.");

	clear_lines();
	member("dave", "rsvp 1");
	EXPECT("reply dave: Event #1 is cancelled.");
	org("event set 1 title New");
	EXPECT("reply olga: Event #1 is cancelled.");
	org("event cancel 1");
	EXPECT("reply olga: Event #1 is cancelled.");
	member("dave", "events");
	EXPECT("reply dave: #1 Clinic: CANCELLED");
	assert_int_equal(count("SELECT count(*) FROM registrations WHERE person = 'n:dave'"),
	    0);
}

/*
 * Every field `event set` knows, through its setter: what is stored, what
 * the confirmed are told, the organiser's answer, and each field's refusals.
 */
static void
test_event_set_every_field(void **state)
{
	org("event add 2026-12-02 18:00 Clinic");
	org("event set 1 capacity 1");
	member("alice", "rsvp 1");
	member("bob", "rsvp 1");
	clear_lines();

	org("event set 1 title Better clinic");
	EXPECT("reply olga: #1 Better clinic: title set.");
	EXPECT_NOT("notice alice");
	assert_non_null(strstr(logbuf, "event #1: title changed"));
	org("event set 1 description A long talk");
	EXPECT("reply olga: #1 Better clinic: description set.");
	org("event set 1 description -");
	assert_int_equal(count("SELECT count(*) FROM events WHERE description IS NULL"), 1);
	org("event set 1 url https://example.org/clinic");
	EXPECT("reply olga: #1 Better clinic: url set.");
	org("event set 1 channel nochan");
	EXPECT("reply olga: The channel must be a channel name like #convene.");
	org("event set 1 channel #other");
	assert_int_equal(count("SELECT count(*) FROM events WHERE channel = '#other'"), 1);
	org("event set 1 location -");
	EXPECT("notice alice: #1 Better clinic has changed: the location was removed.");
	clear_lines();

	org("event set 1 join https://meet.example.org/r");
	EXPECT(
	    "notice alice: #1 Better clinic has a new join link: https://meet.example.org/r");
	EXPECT_NOT("notice bob");
	EXPECT("reply olga: #1 Better clinic: join set; 1 confirmed person told.");
	org("event set 1 join -");
	EXPECT("reply olga: #1 Better clinic: join set.");
	assert_int_equal(count("SELECT count(*) FROM events WHERE join_url IS NULL"), 1);
	clear_lines();

	org("event set 1 start 2026-12-03");
	EXPECT("reply olga: Give the date and time, and optionally a zone. "
	       "Usage: event set N start YYYY-MM-DD HH:MM [ZONE]");
	org("event set 1 start 2026-12-03 19:00 Mars/Base");
	EXPECT("reply olga: Unknown time zone 'Mars/Base'");
	org("event set 1 start 2026-12-03 19:00 UTC");
	EXPECT("notice alice: #1 Better clinic has moved", "19:00-20:00 UTC");
	assert_int_equal(count("SELECT count(*) FROM events WHERE tz = 'UTC'"), 1);
	clear_lines();
	org("event set 1 start 2026-12-03 19:00");
	EXPECT("reply olga: #1 Better clinic: start set.");
	EXPECT_NOT("notice alice");
	org("event set 1 duration 2h");
	EXPECT("notice alice: #1 Better clinic has a new length", "19:00-21:00 UTC");
	EXPECT("reply olga: #1 Better clinic: duration set; 1 confirmed person told.");
	clear_lines();

	org("event set 1 capacity 2");
	EXPECT("notice bob: #1 Better clinic: a place opened, you are confirmed.");
	EXPECT("reply olga: #1 Better clinic: capacity set; full (waitlist); 1 promoted from "
	       "the waitlist and told.");
	org("event set 1 capacity many");
	EXPECT(
	    "reply olga: Capacity must be a number of places from 0 (no limit) to 100000.");
	org("event set 1 TITLE Case");
	EXPECT("reply olga: #1 Case: TITLE set.");
	assert_int_equal(count("SELECT count(*) FROM events WHERE title = 'Case'"), 1);
}

static void
test_lists_and_zones(void **state)
{
	org("event add 2026-12-02 18:00 Clinic");
	org("event set 1 capacity 10");
	org("event add 2026-01-10 12:30 UTC Soon"); /* 30 minutes ahead */
	clear_lines();

	member("alice", "events");
	EXPECT("reply alice: #2 Soon: Sat 10 Jan 2026 12:30 UTC, in 30 minutes; no limit");
	EXPECT(
	    "reply alice: #1 Clinic: Wed 2 Dec 2026 18:00 Europe/Paris, in 326 days; 10 places left");

	member("alice", "tz Mars/Base");
	EXPECT("reply alice: Unknown time zone 'Mars/Base'");
	member("alice", "tz America/New_York");
	EXPECT("reply alice: Your display zone is now America/New_York.");
	clear_lines();
	member("alice", "events");
	EXPECT("reply alice: #1 Clinic: Wed 2 Dec 2026 18:00 Europe/Paris "
	       "(Wed 2 Dec 2026 12:00 America/New_York)");
	member("alice", "tz");
	EXPECT("reply alice: Your display zone is America/New_York.");

	clear_lines();
	member("alice", "mine");
	EXPECT("reply alice: You are not registered");
	member("alice", "rsvp 1");
	member("alice", "mine");
	EXPECT("reply alice: #1 Clinic", "confirmed");

	clear_lines();
	org("event announce 1");
	EXPECT("say #convene: #1 Clinic", "9 places left");
	EXPECT("reply olga: Announced #1 in #convene.");
}

static void
test_forget(void **state)
{
	org("event add 2026-12-02 18:00 Clinic");
	org("event set 1 capacity 1");
	member("alice", "rsvp 1");
	member("alice", "tz Europe/Paris");
	member("bob", "rsvp 1");
	member("bob", "tz UTC");
	clear_lines();

	member("alice", "forget");
	EXPECT("reply alice: Convene holds: 1 registration, your settings (display zone, reminders)",
	    "say 'forget confirm' to erase it");
	assert_int_equal(count("SELECT count(*) FROM registrations WHERE person = 'n:alice'"),
	    1);

	assert_int_equal(checkpoints, 0);
	member("alice", "forget confirm");
	EXPECT("reply alice: Erased");
	assert_int_equal(checkpoints, 1);
	EXPECT("notice bob: #1", "confirmed");
	assert_int_equal(count("SELECT count(*) FROM registrations WHERE person = 'n:alice'"
	                       " OR nick = 'alice'"),
	    0);
	assert_int_equal(count("SELECT count(*) FROM people WHERE person = 'n:alice'"), 0);
	assert_int_equal(count("SELECT count(*) FROM people WHERE person = 'n:bob'"), 1);

	clear_lines();
	member("alice", "forget");
	EXPECT("reply alice: Convene holds nothing about you.");
}

/* The host says a person is seen (joined or spoke), then runs 0 ms timers. */
static void
seen(const char *nick, const char *account)
{
	char id[64];
	struct cv_person p = { .nick = nick, .mask = nick, .account = account, .id = id };

	snprintf(id, sizeof(id), "%s:%s", account ? "a" : "n", account ? account : nick);
	assert_non_null(seen_fn);
	seen_fn(NULL, CV_TOPIC_PERSON_SEEN, &p);
	fire(0);
}

/*
 * Issue 12, item 2: bob (account bob) registers and goes; mallory, not
 * logged in, takes the nick bob. Nothing private meant for bob reaches
 * her: changes, promotions, cancellations and kept notices wait until bob,
 * logged in, holds a nick again.
 */
static void
test_private_notices_only_to_whoever_holds_the_nick(void **state)
{
	org("event add 2026-12-02 18:00 Clinic");
	org("event set 1 capacity 1");
	org("event set 1 join https://meet.example/room-1");
	as_account = "bob";
	member("bob", "rsvp 1");
	EXPECT("reply bob: #1", "confirmed", "room-1");
	as_account = "carol";
	member("carol", "rsvp 1");
	EXPECT("reply carol: #1", "waitlist");
	as_account = NULL;
	holds_strict = true;
	held[0] = "bob=n:bob";     /* mallory */
	held[1] = "carol=n:carol"; /* someone else again */
	clear_lines();

	org("event set 1 join https://meet.example/room-2");
	EXPECT("reply olga: #1 Clinic: join set");
	EXPECT_NOT("notice bob");
	assert_int_equal(count("SELECT count(*) FROM pending_notices WHERE person = 'a:bob'"),
	    1);
	/* mallory is seen, in the channel or speaking: still nothing for her. */
	seen("bob", NULL);
	EXPECT_NOT("notice bob");
	member("bob", "mine");
	EXPECT_NOT("room-2");

	/* bob withdraws (from elsewhere, logged in): carol's promotion is kept. */
	as_account = "bob";
	run_as("bob_away", CV_ROLE_MEMBER, NULL, "rsvp 1 no");
	as_account = NULL;
	EXPECT("reply bob_away: #1", "withdrawn");
	EXPECT_NOT("notice carol");
	assert_int_equal(count("SELECT count(*) FROM pending_notices WHERE person = 'a:carol'"),
	    1);
	org("event cancel 1");
	EXPECT_NOT("notice carol");
	EXPECT_NOT("notice bob:");
	assert_int_equal(count("SELECT count(*) FROM pending_notices WHERE person = 'a:carol'"),
	    2);

	/* carol is seen logged in, but the nick changed hands before delivery. */
	held[1] = "carol=a:carol";
	assert_non_null(seen_fn);
	{
		struct cv_person p = { .nick = "carol",
			.mask = "carol",
			.account = "carol",
			.id = "a:carol" };

		seen_fn(NULL, CV_TOPIC_PERSON_SEEN, &p);
	}
	held[1] = "carol=n:carol";
	fire(0);
	EXPECT_NOT("notice carol");
	assert_int_equal(count("SELECT count(*) FROM pending_notices WHERE person = 'a:carol'"),
	    2);

	/* Back and logged in, each gets what was kept, at the nick that is theirs. */
	held[1] = "carol=a:carol";
	seen("carol", "carol");
	EXPECT("notice carol: #1 Clinic: a place opened, you are confirmed. Join: "
	       "https://meet.example/room-2");
	EXPECT("notice carol: #1 Clinic is cancelled.");
	held[0] = "bob=a:bob";
	seen("bob", "bob");
	EXPECT("notice bob: #1 Clinic has a new join link: https://meet.example/room-2");
	assert_int_equal(count("SELECT count(*) FROM pending_notices"), 0);
}

/* Issue 12, item 4: [events] rsvp_requires_account = yes. */
static int
setup_requiring_account(void **state)
{
	cfg_requires_account = "yes";
	return setup(state);
}

static void
test_rsvp_requires_account(void **state)
{
	org("event add 2026-12-02 18:00 Clinic");
	org("event set 1 capacity 1");
	org("event set 1 join https://meet.example/room-1");
	clear_lines();

	member("mallory", "rsvp 1");
	EXPECT("reply mallory: Registering here needs a services account", "log in",
	    "NickServ IDENTIFY", "'rsvp 1' again");
	EXPECT_NOT("room-1");
	member("mallory", "rsvp 1 maybe");
	EXPECT_NOT("reply mallory: #1");
	/* Nobody relayed from another chat has an account. */
	as_via = "#c";
	member("dora", "rsvp 1");
	as_via = NULL;
	EXPECT("reply dora: Registering here needs a services account",
	    "register from IRC");
	assert_int_equal(count("SELECT count(*) FROM registrations"), 0);

	as_account = "alice";
	member("alice", "rsvp 1");
	EXPECT("reply alice: #1 Clinic: confirmed. Join: https://meet.example/room-1");
	as_account = NULL;
	assert_int_equal(count("SELECT count(*) FROM registrations WHERE person = 'a:alice'"),
	    1);
	/* Withdrawing takes no place: open to all. */
	member("mallory", "rsvp 1 no");
	EXPECT("reply mallory: #1 Clinic: you were not registered.");

	/* Only yes or no: the host checks it from the declaration, in the plugin's words. */
	{
		static const char ini[] = "[events]\nrsvp_requires_account = perhaps\n";
		struct errlist errs = { 0 };
		struct config *c = config_load_buffer("t.ini", ini, sizeof ini - 1, &errs);

		assert_non_null(c);
		assert_int_equal(config_validate_typed(c, "events", events_plugin.config,
		                     &errs),
		    1);
		assert_string_equal(errs.v[0],
		    "t.ini:2: events.rsvp_requires_account: must be yes or no");
		config_free(c);
		errlist_free(&errs);
	}
}

/*
 * Issue 12, item 18: messages are built to their real length; a join link
 * of 400 characters of three bytes each, with a title as long, arrives
 * whole in a change, a promotion and a reminder.
 */
static void
test_long_join_link_is_never_cut(void **state)
{
	char title[700] = "", link[1300] = "https://meet.example/", line[2200];

	for (int i = 0; i < 200; i++)
		strcat(title, "\xe3\x83\xab"); /* U+30EB */
	for (int i = 0; i < 378; i++)
		strcat(link, "\xe3\x83\xab");
	strcat(link, "1");
	snprintf(line, sizeof(line), "event add 2026-12-02 18:00 UTC %s", title);
	org(line);
	EXPECT("reply olga: Created #1");
	org("event set 1 capacity 1");
	member("alice", "rsvp 1");
	member("bob", "rsvp 1");
	clear_lines();

	snprintf(line, sizeof(line), "event set 1 join %s", link);
	org(line);
	EXPECT("reply olga: #1", "join set; 1 confirmed person told.");
	EXPECT("notice alice: #1 ", title, " has a new join link: ", link);
	assert_true(
	    strstr(find_line("notice alice", (char *)NULL), link)[strlen(link)] == '\0');

	member("alice", "rsvp 1 no");
	EXPECT("notice bob: #1 ", title,
	    ": a place opened, you are confirmed. Join: ", link);
	assert_true(
	    strstr(find_line("notice bob", (char *)NULL), link)[strlen(link)] == '\0');

	/* The reminder an hour before, once the plugin is ready. */
	clear_lines();
	fake_now = 1796234400 - 3600 + 5; /* 2026-12-02 18:00 UTC, less an hour */
	fire(20000);
	EXPECT("notice bob: Reminder: #1 ", title, " Join: ", link);
	assert_true(
	    strstr(find_line("notice bob", (char *)NULL), link)[strlen(link)] == '\0');
}

/*
 * Issue 14: people relayed by a relay bot are answered and told in their
 * channel, by name, never with the join link; reminders do not name them.
 */
static void
test_relayed_people_are_told_in_their_channel(void **state)
{
	org("event add 2026-12-02 18:00 UTC Bridged");
	org("event set 1 capacity 1");
	org("event set 1 join https://meet.example/secret1");
	as_via = "#c";
	member("alice", "rsvp 1");
	member("bob", "rsvp 1");
	member("alice", "event 1");
	as_via = NULL;
	EXPECT(
	    "reply alice: #1 Bridged: confirmed. The join link is given in private only");
	EXPECT("reply bob: #1 Bridged: full, you are on the waitlist, position 1");
	EXPECT("reply alice: The join link is given in private only");
	EXPECT_NOT("secret1");
	/* An IRC alice is someone else. */
	member("alice", "rsvp 1");
	EXPECT("reply alice: #1 Bridged: full, you are on the waitlist, position 2");
	member("alice", "rsvp 1 no");
	clear_lines();

	/* A change, a promotion: in the channel, addressed, without the link. */
	org("event set 1 join https://meet.example/secret2");
	EXPECT(
	    "say #c: alice: #1 Bridged has a new join link. The join link is given in private");
	EXPECT_NOT("secret2");
	as_via = "#c";
	member("alice", "rsvp 1 no");
	as_via = NULL;
	EXPECT("say #c: bob: #1 Bridged: a place opened, you are confirmed. The join link is "
	       "given in private only");
	EXPECT_NOT("secret");
	org("attendees 1");
	EXPECT("reply olga: confirmed: bob (relayed in #c)");
	as_via = "#c";
	member("bob", "attendees 1");
	as_via = NULL;
	EXPECT("bob", "attendees");
	EXPECT_NOT("reply bob: confirmed");

	/* The reminder names nobody, and nothing is kept for relayed people. */
	clear_lines();
	fake_now = 1796234400 - 3600 + 5; /* 2026-12-02 18:00 UTC, less an hour */
	fire(20000);
	EXPECT("Reminder: #1 Bridged");
	EXPECT_NOT("bob");
	assert_int_equal(count("SELECT count(*) FROM pending_notices"), 0);

	/* A cancellation reaches them too. */
	org("event cancel 1 rain");
	EXPECT("say #c: bob: #1 Bridged is cancelled: rain");
	assert_int_equal(
	    count("SELECT count(*) FROM registrations WHERE person = 'r:discord:bob'"), 1);
}

/*
 * Issue 15: each reader's language. Answers in the asker's; a promotion in
 * the promoted person's, kept in it for someone away; one private reminder
 * text per language; the channel's reminder in the channel's language, with
 * the event's title in that language.
 */
static void
test_each_reader_their_language(void **state)
{
	org("event add 2026-12-02 18:00 UTC Workshop");
	org("event set 1 capacity 1");
	org("event set 1 channel #fr");
	org("event set 1 title.fr Atelier");
	EXPECT("reply olga: #1 Workshop: title.fr set.");
	fr_person = "n:zoe";
	member("bob", "rsvp 1");
	member("zoe", "rsvp 1");
	member("carol", "rsvp 1");
	EXPECT("reply zoe: [fr] #1 Atelier: full, you are on the waitlist, position 1");
	EXPECT("reply carol: #1 Workshop: full, you are on the waitlist, position 2");
	member("zoe", "events");
	EXPECT("reply zoe: [fr] #1 Atelier: mer. 2 déc. 2026, 18", "dans 326 jours",
	    "[fr] full (waitlist)");
	member("zoe", "event 1");
	EXPECT("reply zoe: [fr] When: ");
	EXPECT_NOT("reply zoe: #1 Workshop");
	EXPECT_NOT("Title (fr)");
	org("event 1");
	EXPECT("reply olga: Title (fr): Atelier");

	/* zoe is away: her promotion is kept, in French. */
	holds_strict = true;
	clear_lines();
	member("bob", "rsvp 1 no");
	assert_int_equal(count("SELECT count(*) FROM pending_notices WHERE person = 'n:zoe' "
	                       "AND text LIKE '[fr] #1 Atelier: a place opened%'"),
	    1);
	holds_strict = false;
	member("zoe", "mine");
	EXPECT("reply zoe: [fr] 1 notice kept for you while you were away:");
	EXPECT("reply zoe: [fr] #1 Atelier: a place opened, you are confirmed.");
	EXPECT("reply zoe: [fr] Your language: fr");
	org("event set 1 capacity 2");
	EXPECT("notice carol: #1 Workshop: a place opened, you are confirmed.");

	/* The reminder: the channel's in French, one private text per language. */
	clear_lines();
	fake_now = 1796234400 - 3600 + 5; /* 2026-12-02 18:00 UTC, less an hour */
	fire(20000);
	EXPECT("say #fr: [fr] Reminder: #1 Atelier: ", "dans 59 minutes");
	EXPECT("notice zoe: [fr] Reminder: #1 Atelier: ", "dans 59 minutes",
	    "[fr] Reminder", "You are confirmed.");
	EXPECT("notice carol: Reminder: #1 Workshop: ", "in 59 minutes");
	EXPECT_NOT("notice carol: [fr]");
}

/*
 * Issue 12, item 6: a plugin keeping personal data is not loaded (the host
 * erases from it at its next load): `forget` says so.
 */
static void
test_forget_says_what_waits_for_a_plugin(void **state)
{
	org("event add 2026-12-02 18:00 Clinic");
	member("alice", "rsvp 1");
	deferred[0] = "calendars";
	clear_lines();

	member("alice", "forget");
	EXPECT("reply alice: Convene holds: 1 registration", "forget confirm",
	    "Plugins not running now (calendars) erase their part when each next starts.");
	member("alice", "forget confirm");
	EXPECT("reply alice: Erased, except in plugins not running now (calendars): each "
	       "erases what it holds about you");
	assert_int_equal(count("SELECT count(*) FROM registrations"), 0);
	member("carol", "forget");
	EXPECT("reply carol: Convene holds nothing about you here; plugins not running now "
	       "(calendars) may hold more");
	deferred[0] = NULL;
	member("alice", "forget");
	EXPECT("reply alice: Convene holds nothing about you.");
}

/* series.c's timer: the occurrences due by the horizon, made and taken. */
void series_tick(void *arg);

/* The start of series 1's occurrence on `date`, or -1. */
static long long
occ_start(const char *date)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
	    "SELECT coalesce(max(start_utc), -1) FROM events WHERE series_id = 1"
	    " AND occ_date = '%s'",
	    date);
	return count(sql);
}

/* Occurrences keep their wall-clock time across DST changes (issue 16). */
static void
test_series_dst(void **state)
{
	org("event add 2026-03-03 18:00 America/Toronto Webinar");
	org("event set 1 repeat weekly");
	EXPECT("reply olga: #1 Webinar repeats every Tuesday");
	/* 18:00 EST is 23:00Z; from 8 March, 18:00 EDT is 22:00Z. */
	assert_int_equal(occ_start("2026-03-03"), 1772578800);
	assert_int_equal(occ_start("2026-03-10"), 1772578800 + 7 * 86400 - 3600);
	assert_int_equal(occ_start("2026-03-31"), 1772578800 + 28 * 86400 - 3600);
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1"), 5);
	org("event add 2026-03-22 18:00 Europe/Paris Atelier");
	org("event set 7 repeat every 1 weeks times 3");
	EXPECT("reply olga: #7 Atelier repeats every Sunday, 3 times");
	/* Paris moves on 29 March: 17:00Z, then 16:00Z. */
	assert_int_equal(count("SELECT start_utc FROM events WHERE series_id = 7"
	                       " AND occ_date = '2026-03-29'"),
	    1774800000);
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 7"), 3);
	org("event set 1@2026-03-11 title X");
	EXPECT("no occurrence on 2026-03-11");
}

/* Standing registrations: in their order, in each occurrence as it is made, once. */
/*
 * A rule that now ends sooner gives the date of the last occurrence ahead
 * to the one before it: refused with what to do, nothing changed.
 */
static void
test_series_start_past_its_end(void **state)
{
	org("event add 2026-01-13 18:00 America/Toronto Webinar");
	org("event set 1 repeat weekly until 2026-02-10");
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1"), 5);
	fake_now += 14 * 86400; /* Sat 24 Jan: 13 and 20 January held */
	clear_lines();
	org("event set 1 start 2026-02-03 18:00");
	EXPECT("reply olga: Series #1: from 2026-02-03 its rule gives 2 dates to the 3 "
	       "occurrences ahead, and 1@2026-02-10 would lose its date to another: nothing "
	       "was changed. To skip an occurrence, cancel it (event cancel 1@DATE).");
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1 AND occ_date IN"
	                       " ('2026-01-27', '2026-02-03', '2026-02-10')"
	                       " AND strftime('%H:%M', start_utc, 'unixepoch') = '23:00'"
	                       " AND status = 'active'"),
	    3);
	assert_int_equal(count("SELECT start_utc = 1768345200 FROM events WHERE id = 1"),
	    1);
}

static void
test_series_standing(void **state)
{
	org("event add 2026-01-13 18:00 America/Toronto Webinar");
	org("event set 1 capacity 2");
	org("event set 1 repeat weekly");
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1"), 9);
	member("carol", "rsvp 1 all");
	member("alice", "rsvp 1 all");
	member("bob", "rsvp 1 all yes");
	EXPECT("every occurrence of #1", "0 confirmed, 9 on the waitlist");
	member("dave", "rsvp 1@2026-01-20");
	EXPECT("dave", "waitlist");
	assert_int_equal(count("SELECT count(*) FROM registrations r JOIN events e"
	                       " ON e.id = r.event_id WHERE e.series_id = 1"),
	    28);
	/* Two months on: the timer makes the later ones, and takes the places. */
	fake_now += 60 * 86400;
	series_tick(NULL);
	series_tick(NULL);
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1"), 17);
	assert_int_equal(count("SELECT count(*) FROM registrations r JOIN events e"
	                       " ON e.id = r.event_id WHERE e.occ_date = '2026-05-05'"
	                       " AND r.status = 'confirmed' AND r.person IN (SELECT person"
	                       " FROM standing WHERE seq <= 2)"),
	    2);
	assert_int_equal(count("SELECT count(*) FROM registrations r JOIN events e"
	                       " ON e.id = r.event_id WHERE e.occ_date = '2026-05-05'"
	                       " AND r.status = 'waitlist'"),
	    1);
	/* `rsvp 1` is the next occurrence; `events` lists the series once. */
	member("erin", "rsvp 1");
	EXPECT("erin", "Webinar (2026-03-17)");
	clear_lines();
	member("erin", "events");
	EXPECT("#1 Webinar (series, every Tuesday): next 1@2026-03-17");
	EXPECT_NOT("2026-03-24");
	member("carol", "mine");
	EXPECT("#1 Webinar: every occurrence");

	/* A field of the series: its own row and every occurrence ahead. */
	clear_lines();
	org("event set 1 location Room 9");
	EXPECT("notice carol: #", "Webinar (2026-03-17) has changed", "Room 9");
	assert_int_equal(count("SELECT count(*) FROM events WHERE location = 'Room 9'"
	                       " AND (id = 1 OR series_id = 1)"),
	    1 +
	        count("SELECT count(*) FROM events WHERE series_id = 1"
	              " AND start_utc > 1768046400 + 60 * 86400"));
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1"
	                       " AND location IS NULL"),
	    9); /* the ones already held: 13 January to 10 March */

	/* The rest of the series: the rule ends yesterday, the ones ahead are cancelled. */
	clear_lines();
	org("event cancel 1 Funding ended");
	EXPECT("reply olga: Cancelled the rest of series #1");
	EXPECT("notice carol: #", "Webinar (2026-03-17) is cancelled: Funding ended");
	assert_int_equal(count("SELECT repeat = 'weekly until 2026-03-10' AND status = 'active'"
	                       " FROM events WHERE id = 1"),
	    1);
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1"
	                       " AND status = 'active' AND start_utc > 1768046400 + 60 * 86400"),
	    0);
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1"
	                       " AND status = 'active'"),
	    9);
}

/*
 * `event set N start` of a series after two occurrences: the ones ahead
 * move, the k-th to the new rule's k-th, with their registrations; the
 * cancelled one stays cancelled, the one moved alone keeps its start, a
 * title changed alone stays; COUNT keeps the ones left; `event cancel N`
 * then ends the rule on the last occurrence held.
 */
static void
test_series_start_from_now_on(void **state)
{
	org("event add 2026-01-13 18:00 America/Toronto Webinar");
	org("event set 1 repeat weekly times 10");
	member("carol", "rsvp 1 all");
	member("dave", "rsvp 1@2026-01-27");
	org("event cancel 1@2026-02-03");
	org("event set 1@2026-02-10 start 2026-02-10 20:00");
	org("event set 1@2026-02-17 title Special");
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1"), 9);
	fake_now += 14 * 86400; /* Sat 24 Jan: 13 and 20 January held */
	clear_lines();
	org("event set 1 start 2026-01-29 19:00");
	EXPECT("reply olga: #1 Webinar: start set from now on; 5 occurrences moved");
	EXPECT("notice dave: #", "(2026-01-29) has moved");
	/* Held: as they were; ahead: the new Thursdays at 19:00. */
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1 AND"
	                       " occ_date IN ('2026-01-13', '2026-01-20') AND"
	                       " strftime('%H:%M', start_utc, 'unixepoch') = '23:00'"),
	    2);
	assert_int_equal(count("SELECT start_utc FROM events WHERE series_id = 1"
	                       " AND occ_date = '2026-01-29'"),
	    1769731200);
	assert_int_equal(count("SELECT count(*) FROM registrations r JOIN events e ON"
	                       " e.id = r.event_id WHERE e.occ_date = '2026-01-29'"
	                       " AND r.person LIKE '%dave%'"),
	    1);
	assert_int_equal(count("SELECT status = 'cancelled' FROM events WHERE series_id = 1"
	                       " AND occ_date = '2026-02-05'"),
	    1);
	assert_int_equal(count("SELECT start_utc FROM events WHERE series_id = 1"
	                       " AND occ_date = '2026-02-12'"),
	    1770771600);
	assert_int_equal(count("SELECT title = 'Special' FROM events WHERE series_id = 1"
	                       " AND occ_date = '2026-02-19'"),
	    1);
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1 AND occ_date IN"
	                       " ('2026-01-27', '2026-02-03', '2026-02-10', '2026-03-10')"),
	    0);
	assert_int_equal(count("SELECT start_utc FROM events WHERE series_id = 1"
	                       " AND occ_date = '2026-03-12'"),
	    1773356400);
	assert_int_equal(count("SELECT repeat = 'weekly times 8' AND start_utc = 1769731200"
	                       " FROM events WHERE id = 1"),
	    1);
	/* Made up to the horizon, carol's standing registration in each. */
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1"), 10);
	assert_int_equal(count("SELECT count(*) FROM registrations r JOIN events e ON"
	                       " e.id = r.event_id WHERE e.occ_date = '2026-03-19'"
	                       " AND r.person LIKE '%carol%'"),
	    1);

	/* The rest cancelled: DTSTART back on the last one held, the rule to yesterday. */
	clear_lines();
	org("event cancel 1");
	EXPECT("reply olga: Cancelled the rest of series #1");
	assert_int_equal(count("SELECT repeat = 'weekly until 2026-01-23' AND status = 'active'"
	                       " AND start_utc = 1768950000 FROM events WHERE id = 1"),
	    1);
	assert_int_equal(count("SELECT count(*) FROM events WHERE series_id = 1"
	                       " AND status = 'active'"),
	    2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test_setup_teardown(test_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_calendar_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsvp_waitlist_promotion, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_changes_and_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_set_every_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lists_and_zones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_notices_only_to_whoever_holds_the_nick,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsvp_requires_account,
		    setup_requiring_account, teardown),
		cmocka_unit_test_setup_teardown(test_each_reader_their_language, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_relayed_people_are_told_in_their_channel,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_join_link_is_never_cut, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_forget_says_what_waits_for_a_plugin,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_series_dst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_series_start_from_now_on, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_series_start_past_its_end, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_series_standing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
