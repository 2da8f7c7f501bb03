/*
 * events.c: the events plugin's glue: init and fini, the command table, its
 * configuration, and the helpers every command uses. The commands are in
 * member.c and organiser.c, `event import` in import_jobs.c, notices to
 * people in notices.c, reminders and retention in reminders.c (the plan in
 * events_int.h). Parsing of times is in when.c, storage in model.c.
 *
 * Every answer goes to the asker by private notice (host->reply), so a
 * command typed in a channel leaves nothing there; only `event announce`
 * speaks in a channel.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events_int.h"

#define REMINDERS_DEFAULT "1d, 1h"
#define RETENTION_DEFAULT 30 /* days */
#define SCAN_MS 2000         /* reminders, expiry and retention are checked this often */
#define START_WAIT_MS 20000  /* loaded while already connected: no connect to wait for */

const struct cv_host *host;
struct cv_plugin *self;
static struct when_zone default_zone;
static char default_tz[WHEN_ZONE_MAX];

/*
 * [events] timezone as a zone, made at its first use: libical, which a
 * named zone needs, is opened only when an event is made (include/cv_ical.h).
 */
const struct when_zone *
default_zone_get(void)
{
	if (default_zone.name[0] == '\0' &&
	    when_parse_zone(default_tz, &default_zone) == -1) {
		host->log(self, CV_LOG_ERROR, "[events] timezone '%s' cannot be read",
		    default_tz);
		return NULL;
	}
	return &default_zone;
}

int
default_zone_for(struct cv_ctx *ctx, struct when_zone *z)
{
	const struct when_zone *d = default_zone_get();

	if (d == NULL) {
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Sorry, that did not work: please try again later."));
		return -1;
	}
	*z = *d;
	return 0;
}

/* Reminder offsets in seconds before the start, largest first. */
long long reminder_s[REMINDERS_MAX];
size_t nreminders;
long long retention_s;
/* [events] rsvp_requires_account: only people logged in to services register. */
bool requires_account;

/* Copy a word typed by someone for echoing in an answer: printable ASCII only, short. */
const char *
echo(char *buf, size_t n, const char *s)
{
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < n && i < 40; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	buf[i] = '\0';
	if (s[i] != '\0' && n > 4 && i + 4 < n)
		strcpy(buf + i, "...");
	return buf;
}

/* IRC formatting codes, which cleaning strips; other control characters are refused. */
static bool
is_format_code(unsigned char c)
{
	return c == 0x02 || c == 0x03 || c == 0x04 || c == 0x0F || c == 0x11 ||
	    c == 0x16 || c == 0x1D || c == 0x1E || c == 0x1F;
}

/*
 * Clean text typed for storage into a new string (*out, caller frees):
 * refuses control characters and invalid UTF-8 with an answer naming `what`,
 * strips IRC formatting. 0, or -1 after answering.
 */
int
clean_field(struct cv_ctx *ctx, const char *what, const char *in, size_t max_chars,
    char **out)
{
	char err[160], *s;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if ((*p < 0x20 || *p == 0x7F) && !is_format_code(*p)) {
			host->reply(ctx,
			    host->tr(reader(ctx),
			        "The %s contains control characters: type plain text."),
			    what);
			return -1;
		}
	}
	if ((s = strdup(in)) == NULL)
		abort();
	if (host->clean_text(s, err, sizeof(err)) == -1) {
		host->reply(ctx, host->tr(reader(ctx), "The %s is not valid UTF-8: %s"),
		    what, host->tr(reader(ctx), err));
		free(s);
		return -1;
	}
	if (imp_chars(s) > max_chars) {
		host->reply(ctx,
		    host->tr(reader(ctx), "The %s is too long (max %zu characters)."),
		    what, max_chars);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

/* "7" or "#7" into an event id. */
int
parse_id(const char *s, long long *id)
{
	long long v = 0;

	if (*s == '#')
		s++;
	if (*s == '\0' || strlen(s) > 12)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < 1)
		return -1;
	*id = v;
	return 0;
}

/*
 * Load the event argv[0] names, answering when there is none.
 * `active`: also refuse a cancelled one. 0, or -1 after answering.
 */
int
load_event(struct cv_ctx *ctx, const char *arg, bool active, struct ev_event *e)
{
	char w[48];
	long long id;
	int rc;

	if ((rc = series_load(ctx, arg, active, e)) <= 0)
		return rc;
	if (parse_id(arg, &id) == -1) {
		host->reply(ctx,
		    host->tr(reader(ctx),
		        "'%s' is not an event number: write it like 7 or #7; "
		        "'events' lists them."),
		    echo(w, sizeof(w), arg));
		return -1;
	}
	rc = model_event_get(db(), id, e);
	if (rc == MODEL_ENOENT) {
		host->reply(ctx,
		    host->tr(reader(ctx), "No event #%lld. 'events' lists them."), id);
		return -1;
	}
	if (rc != 0) {
		host->log(self, CV_LOG_ERROR, "reading event #%lld: %s", id,
		    sqlite3_errmsg(db()));
		host->reply(ctx, "%s",
		    host->tr(reader(ctx),
		        "Sorry, that did not work: please try again later."));
		return -1;
	}
	if (active && e->cancelled) {
		host->reply(ctx, host->tr(reader(ctx), "Event #%lld is cancelled."), id);
		model_event_clear(e);
		return -1;
	}
	return 0;
}

/*
 * The language of a person reached in a channel through a relay: theirs
 * when they chose one, else the channel's. host->person_lang cannot tell a
 * choice from [bot] language, so this reads the host's own table (the same
 * database, HACKING.md "Languages").
 */
const char *
relayed_lang(const char *person, const char *channel)
{
	sqlite3_stmt *st;
	const char *l = NULL;

	if (sqlite3_prepare_v2(db(), "SELECT lang FROM person_languages WHERE person = ?1",
	        -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, person, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			l = host->person_lang(person); /* the host's static string */
		sqlite3_finalize(st);
	}
	return l != NULL ? l : host->channel_lang(channel);
}

/* The language to answer the asker in: a relayed person's, or ctx->lang. */
const char *
reader(struct cv_ctx *ctx)
{
	if (ctx->who->via != NULL && ctx->who->id != NULL)
		return relayed_lang(ctx->who->id, ctx->who->via);
	return ctx->lang;
}

/* The zone an event was stored in; UTC if tzdata no longer knows it. */
void
event_zone(const struct ev_event *e, struct when_zone *z)
{
	if (when_parse_zone(e->tz, z) == -1)
		when_parse_zone("UTC", z);
}

/* The asker's display zone: true when set. */
bool
asker_zone(struct cv_ctx *ctx, struct when_zone *z)
{
	char tz[WHEN_ZONE_MAX];

	return model_person_tz(db(), ctx->who->id, tz, sizeof(tz)) == 1 &&
	    when_parse_zone(tz, z) == 0;
}

/*
 * When an event happens, for people: its span in its own zone, then in the
 * asker's zone when that differs, then a relative hint.
 */
void
describe_when_lang(char *buf, size_t n, const struct ev_event *e,
    const struct when_zone *mine, bool span, const char *lang)
{
	struct when_zone z;
	char own[160], theirs[176] = "", rel[48];
	time_t start = (time_t)e->start_utc, end = start + 60 * (time_t)e->duration_min;
	time_t now = host->wall_now();

	event_zone(e, &z);
	if (span)
		when_format_span_lang(own, sizeof(own), start, end, &z, lang);
	else
		when_format_lang(own, sizeof(own), start, &z, lang);
	if (mine != NULL && strcmp(mine->name, z.name) != 0) {
		char t[160];

		if (span)
			when_format_span_lang(t, sizeof(t), start, end, mine, lang);
		else
			when_format_lang(t, sizeof(t), start, mine, lang);
		snprintf(theirs, sizeof(theirs), " (%s)", t);
	}
	if (start > now)
		when_relative_lang(rel, sizeof(rel), start, now, lang);
	else if (end > now)
		snprintf(rel, sizeof(rel), "%s", host->tr(lang, "happening now"));
	else
		snprintf(rel, sizeof(rel), "%s", host->tr(lang, "ended"));
	snprintf(buf, n, "%s%s, %s", own, theirs, rel);
}

/* The same in English, for callers not yet told their reader's language. */
void
describe_when(char *buf, size_t n, const struct ev_event *e, const struct when_zone *mine,
    bool span)
{
	describe_when_lang(buf, n, e, mine, span, NULL);
}

/* "3 places left", "full (waitlist)", "no limit". */
void
describe_places_lang(char *buf, size_t n, const struct ev_event *e, const char *lang)
{
	int left = model_places_left(e);

	if (left < 0)
		snprintf(buf, n, "%s", host->tr(lang, "no limit"));
	else if (left == 0)
		snprintf(buf, n, "%s", host->tr(lang, "full (waitlist)"));
	else
		snprintf(buf, n,
		    host->ntr(lang, "%d place left", "%d places left", (unsigned long)left),
		    left);
}

void
describe_places(char *buf, size_t n, const struct ev_event *e)
{
	describe_places_lang(buf, n, e, NULL);
}

/* A registration's status for people: "confirmed", "waitlist, position 2". */
void
describe_status(char *buf, size_t n, enum ev_status st, int pos, const char *lang)
{
	switch (st) {
	case EV_CONFIRMED:
		snprintf(buf, n, "%s", host->tr(lang, "confirmed"));
		break;
	case EV_MAYBE:
		snprintf(buf, n, "%s", host->tr(lang, "maybe"));
		break;
	case EV_WAITLIST:
		snprintf(buf, n, host->tr(lang, "waitlist, position %d"), pos);
		break;
	default:
		snprintf(buf, n, "%s", host->tr(lang, "not registered"));
		break;
	}
}

/* The event as a reader of lang sees it: their version of its texts, if any. */
void
localise(struct ev_event *e, const char *lang)
{
	if (model_event_localise(db(), e, lang) == -1)
		host->log(self, CV_LOG_WARN, "event #%lld: texts in %s unread: %s", e->id,
		    lang, sqlite3_errmsg(db()));
}

/* A change failed in the database: undo it and say so. */
void
fail_change(struct cv_ctx *ctx, const char *what)
{
	host->rollback(self);
	host->log(self, CV_LOG_ERROR, "%s: %s", what, sqlite3_errmsg(db()));
	host->reply(ctx, "%s",
	    host->tr(reader(ctx),
	        "Sorry, that did not work and nothing was changed: please try again later."));
}

/* Commit, or roll back and answer. 0 or -1. */
int
commit(struct cv_ctx *ctx, const char *what)
{
	if (host->commit(self) == 0)
		return 0;
	fail_change(ctx, what);
	return -1;
}

/* When an event ends: notices kept about it expire then. */
time_t
event_end(const struct ev_event *e)
{
	return (time_t)e->start_utc + 60 * (time_t)e->duration_min;
}

/* ---- import ---- */

extern const struct cv_plugin_desc events_plugin;

/* The declaration of one of our keys (config[], at the end of this file). */
static const struct cv_config_key *
decl(const char *key)
{
	const struct cv_config_key *k = events_plugin.config;

	while (strcmp(k->key, key) != 0)
		k++;
	return k;
}

/* An import_allow_private value (checked at init), as the host reads a bool. */
bool
yes(const char *v)
{
	long long b = 0;

	return v != NULL &&
	    host->config_parse(decl("import_allow_private"), v, &b) == 0 && b;
}

/*
 * An import key: ours in [events]; until the next release also its old name
 * in [calendars], where it lived before (events_init warns of that).
 */
const char *
import_key(const char *key)
{
	const char *v = host->config(self, key);

	return v != NULL ? v : host->config_of("calendars", key);
}

/*
 * Warns of the import keys' old names and checks their values there: the
 * host checks [events] itself, from the declarations in config[].
 */
static int
check_import_keys(char *err, size_t errlen)
{
	static const char *const keys[] = { "import_allow_private", "import_timeout" };
	const struct cv_config_key *k;
	const char *v;
	long long n;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		k = decl(keys[i]);
		if ((v = host->config_of("calendars", k->key)) == NULL)
			continue;
		host->log(self, CV_LOG_WARN,
		    "[calendars] %s is now [events] %s; the old name "
		    "works until the next release%s",
		    k->key, k->key,
		    host->config(self, k->key) != NULL ? " (both set: [events] wins)" : "");
		if (host->config(self, k->key) == NULL &&
		    host->config_parse(k, v, &n) == -1) {
			snprintf(err, errlen, "[calendars] %s %s", k->key, k->why);
			return -1;
		}
	}
	return 0;
}

/* One entry a line or two, as written: clang-format would rewrap them. */
/* clang-format off */
static const struct cv_command commands[] = {
	{ "events", "", N_("list upcoming events"), 0, 0, CV_ROLE_MEMBER, 0, cmd_events },
	{ "event", "N", N_("show one event"), 1, 1, CV_ROLE_MEMBER, 0, cmd_event },
	{ "rsvp", "N [yes|maybe|no]", N_("register for an event, or withdraw"), 1, 3,
	    CV_ROLE_MEMBER, 0, cmd_rsvp },
	{ "mine", "", N_("list your registrations"), 0, 0, CV_ROLE_MEMBER, 0, cmd_mine },
	{ "tz", "[ZONE]", N_("show or set the zone times are shown in"), 0, 1,
	    CV_ROLE_MEMBER, 0, cmd_tz },
	{ "remind", "off|on", N_("stop or resume your private reminders"), 1, 1,
	    CV_ROLE_MEMBER, 0, cmd_remind },
	{ "forget", "", N_("say what Convene holds about you"), 0, 0, CV_ROLE_MEMBER, 0, cmd_forget },
	{ "forget confirm", "", N_("erase everything Convene holds about you"), 0, 0,
	    CV_ROLE_MEMBER, 0, cmd_forget_confirm },
	{ "event add", "YYYY-MM-DD HH:MM [ZONE] [DURATION] TITLE...", N_("create an event"),
	    3, 3, CV_ROLE_ORGANIZER, CV_CMD_REST, cmd_event_add },
	{ "event set", "N FIELD VALUE...", N_("change an event: title, start, duration, capacity, "
	    "description, location, url, join, channel; title.fr, description.fr, location.fr "
	    "(or .en): their version in the other language"), 3, 3, CV_ROLE_ORGANIZER,
	    CV_CMD_REST, cmd_event_set },
	{ "event cancel", "N [reason]", N_("cancel an event and tell everyone registered"), 1, 2,
	    CV_ROLE_ORGANIZER, CV_CMD_REST, cmd_event_cancel },
	{ "event announce", "N", N_("post an event in its channel"), 1, 1, CV_ROLE_ORGANIZER, 0,
	    cmd_event_announce },
	{ "attendees", "N", N_("who is coming, in private"), 1, 1, CV_ROLE_ORGANIZER, 0,
	    cmd_attendees },
	{ "event import", "URL", N_("create the events of an .ics calendar (http or https)"),
	    1, 1, CV_ROLE_ORGANIZER, 0, cmd_event_import },
};
/* clang-format on */

/*
 * [events] reminders: "1d, 1h" (durations, largest first once sorted), or
 * "none". 0, or -1 with a sentence in err.
 */
static int
parse_reminders(const char *v, char *err, size_t errlen)
{
	char *copy, *tok, *save = NULL;
	int rc = 0;

	nreminders = 0;
	if (strcasecmp(v, "none") == 0 || strcasecmp(v, "off") == 0)
		return 0;
	copy = cv_xstrdup(v);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save)) {
		int minutes;
		size_t k;

		if (when_parse_duration(tok, &minutes) == -1) {
			snprintf(err, errlen,
			    "[events] reminders: '%.40s' is not a duration "
			    "between 1 minute and 7 days (e.g. 1d, 1h, 30m)",
			    tok);
			rc = -1;
			break;
		}
		for (k = 0; k < nreminders && reminder_s[k] != 60LL * minutes; k++)
			;
		if (k < nreminders)
			continue; /* given twice */
		if (nreminders == REMINDERS_MAX) {
			snprintf(err, errlen, "[events] reminders: at most %d",
			    REMINDERS_MAX);
			rc = -1;
			break;
		}
		/* Insert keeping the largest first. */
		for (k = nreminders; k > 0 && reminder_s[k - 1] < 60LL * minutes; k--)
			reminder_s[k] = reminder_s[k - 1];
		reminder_s[k] = 60LL * minutes;
		nreminders++;
	}
	free(copy);
	return rc;
}
/*
 * Before each answer on /metrics: events and registrations counted in the
 * database (the indexes make these cheap). Counts only: no title, no nick.
 */
static void
metrics_scrape(void *arg)
{
	static const char *const statuses[] = { "confirmed", "maybe", "waitlist" };
	sqlite3 *db = host->db(self);
	sqlite3_stmt *st;
	double n[3] = { 0, 0, 0 };

	if (sqlite3_prepare_v2(db,
	        "SELECT count(*) FILTER (WHERE start_utc >= ?1),"
	        " count(*) FILTER (WHERE start_utc < ?1) FROM events",
	        -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)host->wall_now());
		if (sqlite3_step(st) == SQLITE_ROW) {
			n[0] = (double)sqlite3_column_int64(st, 0);
			n[1] = (double)sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	host->metric(self, CV_METRIC_GAUGE, "convene_events",
	    "Events stored, by "
	    "whether they start in the future.",
	    "when", "upcoming", n[0]);
	host->metric(self, CV_METRIC_GAUGE, "convene_events", NULL, "when", "past", n[1]);
	n[0] = n[1] = 0;
	if (sqlite3_prepare_v2(db,
	        "SELECT count(*) FILTER (WHERE status = 'confirmed'),"
	        " count(*) FILTER (WHERE status = 'maybe'), count(*) FILTER (WHERE status ="
	        " 'waitlist') FROM registrations",
	        -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			for (int i = 0; i < 3; i++)
				n[i] = (double)sqlite3_column_int64(st, i);
		sqlite3_finalize(st);
	}
	for (int i = 0; i < 3; i++)
		host->metric(self, CV_METRIC_GAUGE, "convene_registrations",
		    "Registrations stored, by status.", "status", statuses[i], n[i]);
}

static int
events_init(struct cv_plugin *p, const struct cv_host *h, char *err, size_t errlen)
{
	const char *tz, *channel, *v;

	host = h;
	cv_ical_attach(h, p);
	ready = false;
	settle_timer = seen_timer = 0;
	jobs = NULL;
	self = p;
	tz = host->config(p, "timezone");
	/* Checked without libical (when_check_zone); made a zone at first use. */
	memset(&default_zone, 0, sizeof default_zone);
	if (tz == NULL)
		tz = "UTC";
	if (strlen(tz) >= sizeof default_tz || when_check_zone(tz) == -1) {
		snprintf(err, errlen,
		    "[events] timezone: unknown time zone '%s': " ZONE_HINT, tz);
		return -1;
	}
	snprintf(default_tz, sizeof default_tz, "%s", tz);
	v = host->config(p, "reminders");
	if (parse_reminders(v != NULL ? v : REMINDERS_DEFAULT, err, errlen) == -1)
		return -1;
	/* The host checked the typed keys before init (config[] below). */
	retention_s = host->config_int(p, "retention_days") * 86400LL;
	requires_account = host->config_bool(p, "rsvp_requires_account");
	channel = host->config(p, "channel");
	if (channel != NULL &&
	    (strchr("#&!+", channel[0]) == NULL || strpbrk(channel, " ,"))) {
		snprintf(err, errlen, "[events] channel: '%s' is not a channel name",
		    channel);
		return -1;
	}
	if (check_import_keys(err, errlen) == -1)
		return -1;
	if (host->migrate(p, model_schema, model_schema_steps) == -1) {
		snprintf(err, errlen, "could not prepare the events tables");
		return -1;
	}
	restamp_all();
	if (host->subscribe(p, CV_TOPIC_PERSON_SEEN, on_person_seen, NULL) == -1 ||
	    host->subscribe(p, CV_TOPIC_CONNECTED, on_connected, NULL) == -1 ||
	    host->commands(p, commands, sizeof(commands) / sizeof(commands[0])) == -1) {
		snprintf(err, errlen, "could not register the events commands");
		return -1;
	}
	/*
	 * At start the connect comes within moments and restarts this wait;
	 * loaded at run time, we are connected already and it just runs out.
	 */
	host->metrics_hook(p, metrics_scrape, NULL);
	settle_timer = host->timer_add(p, START_WAIT_MS, 0, become_ready, NULL);
	host->timer_add(p, SCAN_MS, SCAN_MS, scan, NULL);
	series_tick(NULL);
	host->timer_add(p, SERIES_MS, SERIES_MS, series_tick, NULL);
	return 0;
}

static void
events_fini(struct cv_plugin *p)
{
	/* The host cancels our timers; what they would have delivered stays kept. */
	seen_clear();
	model_close(db());
	/* And our downloads, without calling import_done. */
	while (jobs != NULL) {
		struct import_job *j = jobs;

		jobs = j->next;
		job_free(j);
	}
	host = NULL;
	self = NULL;
	cv_ical_attach(NULL, NULL);
}

#define STR(x) #x
#define XSTR(x) STR(x)

/*
 * The [events] keys, declared once: the host checks the typed ones at load
 * and in --check, with these words.
 */
static const struct cv_config_key config[] = {
	{ "timezone", CV_KEY_STRING, "UTC", 0, 0, NULL },
	{ "channel", CV_KEY_STRING, NULL, 0, 0, NULL },
	{ "reminders", CV_KEY_STRING, REMINDERS_DEFAULT, 0, 0, NULL },
	{ "retention_days", CV_KEY_INT, XSTR(RETENTION_DEFAULT), 0, 3650,
	    "must be a number of days from 0 to 3650" },
	{ "rsvp_requires_account", CV_KEY_BOOL, "no", 0, 0, "must be yes or no" },
	{ "import_allow_private", CV_KEY_BOOL, "no", 0, 0, "must be yes or no" },
	{ "import_timeout", CV_KEY_INT, XSTR(IMPORT_TIMEOUT_S), 1, 300,
	    "must be a number of seconds from 1 to 300" },
	{ NULL, CV_KEY_STRING, NULL, 0, 0, NULL },
};

/*
 * The descriptor under a name of its own too, so unit tests that link the
 * plugins' archives reach this plugin and not another's convene_plugin.
 */
const struct cv_plugin_desc events_plugin = {
	.abi_major = CONVENE_ABI_MAJOR,
	.abi_minor = CONVENE_ABI_MINOR,
	.name = "events",
	.version = "0.1.0",
	.init = events_init,
	.fini = events_fini,
	.config = config,
};
extern const struct cv_plugin_desc convene_plugin __attribute__((alias("events_plugin")));
