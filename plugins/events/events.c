/*
 * events.c: the events plugin's commands and messages. Parsing of times is
 * in when.c, storage in model.c; this file checks input, runs each change
 * in one transaction, and tells people.
 *
 * Every answer goes to the asker by private notice (host->reply), so a
 * command typed in a channel leaves nothing there; only `event announce`
 * speaks in a channel.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convene.h"
#include "cv_xalloc.h"
#include "import.h"
#include "model.h"
#include "when.h"

#define TITLE_MAX 200		/* characters */
#define TEXT_MAX 1000		/* description */
#define SHORT_MAX 200		/* location, cancel reason */
#define LINK_MAX 400
#define CHANNEL_MAX 50
#define CAPACITY_MAX 100000
#define LIST_MAX 15		/* lines of `events` and `mine` */

#define USAGE_ADD "Usage: event add YYYY-MM-DD HH:MM [ZONE] [DURATION] TITLE..."
#define USAGE_SET "Usage: event set N FIELD VALUE... (FIELD: title, start, duration, " \
	"capacity, description, location, url, join, channel; - clears a text)"
#define ZONE_HINT "use an IANA name like Europe/Paris, UTC, or an offset like -05:00."
#define DURATION_ERR "Duration must be between 1 minute and 7 days, e.g. 90m, 2h, 1h30m."

#define REMINDERS_DEFAULT "1d, 1h"
#define REMINDERS_MAX 8
#define RETENTION_DEFAULT 30	/* days */
#define SCAN_MS 2000		/* reminders, expiry and retention are checked this often */
#define SETTLE_MS 3000		/* after connecting: time to join and learn who is there */
#define START_WAIT_MS 20000	/* loaded while already connected: no connect to wait for */

#define IMPORT_MAX_BYTES (1024 * 1024)
#define IMPORT_TIMEOUT_S 15	/* [events] import_timeout, seconds */
#define IMPORT_JOBS_MAX 4	/* downloads running at once */
#define IMPORT_URL_MAX 2000
#define IMPORT_CUT_LIST 10	/* shortened events named in the answer */

static const struct cv_host *host;
static struct cv_plugin *self;
static struct when_zone default_zone;

/* Reminder offsets in seconds before the start, largest first. */
static long long reminder_s[REMINDERS_MAX];
static size_t nreminders;
static long long retention_s;
/* [events] rsvp_requires_account: only people logged in to services register. */
static bool requires_account;
/* Connected and in our channels: reminders may go out. */
static bool ready;
static cv_timer_id settle_timer;

/* People seen while notices were kept for them: told after the current command. */
static struct seen {
	char *id, *nick;
} *seen_q;
static size_t nseen;
static cv_timer_id seen_timer;

/* An `event import` whose download is running: whom to answer, what to make. */
struct import_job {
	struct import_job *next;
	char *nick;		/* the organiser, answered by notice */
	char *person;		/* their id, as the events' creator */
	char *channel;		/* where the events belong */
	char *source;		/* the URL without user info, query or fragment */
};
static struct import_job *jobs;

static sqlite3 *
db(void)
{
	return host->db(self);
}

static const char *
prefix(void)
{
	return host->prefix();
}

/* Copy a word typed by someone for echoing in an answer: printable ASCII only, short. */
static const char *
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
	return c == 0x02 || c == 0x03 || c == 0x04 || c == 0x0F || c == 0x11 || c == 0x16 ||
	    c == 0x1D || c == 0x1E || c == 0x1F;
}

/*
 * Clean text typed for storage into a new string (*out, caller frees):
 * refuses control characters and invalid UTF-8 with an answer naming `what`,
 * strips IRC formatting. 0, or -1 after answering.
 */
static int
clean_field(struct cv_ctx *ctx, const char *what, const char *in, size_t max_chars,
    char **out)
{
	char err[160], *s;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if ((*p < 0x20 || *p == 0x7F) && !is_format_code(*p)) {
			host->reply(ctx, "The %s contains control characters: type plain text.",
			    what);
			return -1;
		}
	}
	if ((s = strdup(in)) == NULL)
		abort();
	if (host->clean_text(s, err, sizeof(err)) == -1) {
		host->reply(ctx, "The %s is not valid UTF-8: %s", what, err);
		free(s);
		return -1;
	}
	if (imp_chars(s) > max_chars) {
		/* "Title is too long (max 200 characters)." */
		host->reply(ctx, "%c%s is too long (max %zu characters).", toupper(what[0]),
		    what + 1, max_chars);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

/* "7" or "#7" into an event id. */
static int
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
static int
load_event(struct cv_ctx *ctx, const char *arg, bool active, struct ev_event *e)
{
	char w[48];
	long long id;
	int rc;

	if (parse_id(arg, &id) == -1) {
		host->reply(ctx, "'%s' is not an event number: write it like 7 or #7; "
		    "'events' lists them.", echo(w, sizeof(w), arg));
		return -1;
	}
	rc = model_event_get(db(), id, e);
	if (rc == MODEL_ENOENT) {
		host->reply(ctx, "No event #%lld. 'events' lists them.", id);
		return -1;
	}
	if (rc != 0) {
		host->log(self, CV_LOG_ERROR, "reading event #%lld: %s", id, sqlite3_errmsg(db()));
		host->reply(ctx, "Sorry, that did not work: please try again later.");
		return -1;
	}
	if (active && e->cancelled) {
		host->reply(ctx, "Event #%lld is cancelled.", id);
		model_event_clear(e);
		return -1;
	}
	return 0;
}

/* The zone an event was stored in; UTC if tzdata no longer knows it. */
static void
event_zone(const struct ev_event *e, struct when_zone *z)
{
	if (when_parse_zone(e->tz, z) == -1)
		when_parse_zone("UTC", z);
}

/* The asker's display zone: true when set. */
static bool
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
static void
describe_when(char *buf, size_t n, const struct ev_event *e, const struct when_zone *mine,
    bool span)
{
	struct when_zone z;
	char own[160], theirs[176] = "", rel[48];
	time_t start = (time_t)e->start_utc, end = start + 60 * (time_t)e->duration_min;
	time_t now = host->wall_now();

	event_zone(e, &z);
	if (span)
		when_format_span(own, sizeof(own), start, end, &z);
	else
		when_format(own, sizeof(own), start, &z);
	if (mine != NULL && strcmp(mine->name, z.name) != 0) {
		char t[160];

		if (span)
			when_format_span(t, sizeof(t), start, end, mine);
		else
			when_format(t, sizeof(t), start, mine);
		snprintf(theirs, sizeof(theirs), " (%s)", t);
	}
	if (start > now)
		when_relative(rel, sizeof(rel), start, now);
	else if (end > now)
		snprintf(rel, sizeof(rel), "happening now");
	else
		snprintf(rel, sizeof(rel), "ended");
	snprintf(buf, n, "%s%s, %s", own, theirs, rel);
}

/* "3 places left", "full (waitlist)", "no limit". */
static void
describe_places(char *buf, size_t n, const struct ev_event *e)
{
	int left = model_places_left(e);

	if (left < 0)
		snprintf(buf, n, "no limit");
	else if (left == 0)
		snprintf(buf, n, "full (waitlist)");
	else
		snprintf(buf, n, "%d place%s left", left, left == 1 ? "" : "s");
}

/* A change failed in the database: undo it and say so. */
static void
fail_change(struct cv_ctx *ctx, const char *what)
{
	host->rollback(self);
	host->log(self, CV_LOG_ERROR, "%s: %s", what, sqlite3_errmsg(db()));
	host->reply(ctx, "Sorry, that did not work and nothing was changed: please try again later.");
}

/* Commit, or roll back and answer. 0 or -1. */
static int
commit(struct cv_ctx *ctx, const char *what)
{
	if (host->commit(self) == 0)
		return 0;
	fail_change(ctx, what);
	return -1;
}

/* When an event ends: notices kept about it expire then. */
static time_t
event_end(const struct ev_event *e)
{
	return (time_t)e->start_utc + 60 * (time_t)e->duration_min;
}

/*
 * A message of any length, formatted into a new string (caller frees): a
 * join link is never cut by a buffer. The host splits long notices.
 */
static char *
msgf(const char *fmt, ...) CV_PRINTF(1, 2);

static char *
msgf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = cv_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/*
 * A relayed person (struct cv_person's `via`) is stored with the nick
 * "CHANNEL NAME": the channel they last registered or spoke in, where they
 * are reached, and the name they show. No IRC nick holds a space.
 */
#define RELAYED_ID "r:"

static bool
relayed(const char *person)
{
	return strncmp(person, RELAYED_ID, strlen(RELAYED_ID)) == 0;
}

/* The nick to store for the asker: theirs, or "CHANNEL NAME" when relayed. */
static const char *
stored_nick(struct cv_ctx *ctx, char *buf, size_t n)
{
	if (ctx->who->via == NULL)
		return ctx->who->nick;
	snprintf(buf, n, "%s %s", ctx->who->via, ctx->who->nick);
	return buf;
}

/* Where a relayed person is reached, and the name to address: false if unknown. */
static bool
relayed_where(const char *stored, char *chan, size_t n, const char **name)
{
	size_t len = strcspn(stored, " ");

	if (stored[len] != ' ' || len == 0 || len >= n)
		return false;
	memcpy(chan, stored, len);
	chan[len] = '\0';
	*name = stored + len + 1;
	return true;
}

/* Said where a relayed person would get a join link. */
#define JOIN_ELSEWHERE "The join link is given in private only: ask the event's organisers " \
	"for it, or register from IRC."

/*
 * The same private notice to every person of some lists: at once, packed as
 * the server's TARGMAX allows, to those whose nick is theirs now (host->holds:
 * whoever took a registrant's last nick gets nothing); kept for the others
 * until they are next seen, or until `expires`. A relayed person gets
 * `pub` instead (nothing private: it is said in their channel, addressed to
 * them), or nothing when it is NULL.
 */
static void
tell_people(const struct ev_people *const *lists, size_t nlists, long long event_id,
    time_t expires, const char *text, const char *pub)
{
	const char **nicks = NULL;
	size_t n = 0, kept = 0;
	bool open = false;
	time_t now = host->wall_now();

	for (size_t i = 0; i < nlists; i++) {
		for (size_t j = 0; j < lists[i]->n; j++) {
			const struct ev_person *p = &lists[i]->v[j];
			char chan[128];
			const char *name;

			/* The relay repeats the channel: nothing is kept for later. */
			if (relayed(p->person)) {
				if (pub != NULL && relayed_where(p->nick, chan, sizeof(chan), &name))
					host->say(chan, "%s: %s", name, pub);
				continue;
			}
			if (host->holds(p->nick, p->person)) {
				if ((nicks = realloc(nicks, (n + 1) * sizeof(*nicks))) == NULL)
					abort();
				nicks[n++] = p->nick;
				continue;
			}
			if (!open && host->begin(self) == -1)
				continue;
			open = true;
			if (model_pending_add(db(), p->person, event_id, text, now, expires) == 0)
				kept++;
		}
	}
	if (open && host->commit(self) == -1) {
		host->rollback(self);
		host->log(self, CV_LOG_ERROR, "could not keep %zu notice(s): %s", kept,
		    sqlite3_errmsg(db()));
		kept = 0;
	}
	if (n > 0)
		host->notice_many(nicks, n, text);
	if (kept > 0)
		host->log(self, CV_LOG_INFO, "event #%lld: kept %zu notice(s) for people who "
		    "are away", event_id, kept);
	free(nicks);
}

/* Tell each promoted person, in private, that they have a place now. */
static void
tell_promoted(const struct ev_people *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct ev_people one = { &l->v[i], 1 };
		const struct ev_people *lists[] = { &one };
		struct ev_event e;
		char *msg, *pub;

		if (model_event_get(db(), l->v[i].event_id, &e) != 0)
			continue;
		msg = msgf("#%lld %s: a place opened, you are confirmed.%s%s", e.id, e.title,
		    e.join_url ? " Join: " : "", e.join_url ? e.join_url : "");
		pub = msgf("#%lld %s: a place opened, you are confirmed.%s", e.id, e.title,
		    e.join_url ? " " JOIN_ELSEWHERE : "");
		tell_people(lists, 1, e.id, event_end(&e), msg, pub);
		free(msg);
		free(pub);
		model_event_clear(&e);
	}
	if (l->n > 0)
		host->log(self, CV_LOG_INFO, "promoted %zu from waitlists", l->n);
}

/* Anything may have changed (many events): subscribers look at everything. */
static void
changed(void)
{
	host->publish(CV_TOPIC_EVENTS_CHANGED, NULL);
}

/* Event `id` changed: its fields, its registrations (`person`'s, when one's), or both. */
static void
changed_event(long long id, unsigned what, const char *person)
{
	struct cv_events_change c = { id, what, person };

	host->publish(CV_TOPIC_EVENTS_CHANGED, &c);
}

/* ---- everyone ---- */

static void
cmd_events(struct cv_ctx *ctx)
{
	struct ev_event *v;
	struct when_zone mine;
	bool has_zone = asker_zone(ctx, &mine);
	size_t n, total;

	if (model_events_upcoming_first(db(), host->wall_now(), LIST_MAX, &v, &n, &total) == -1) {
		host->reply(ctx, "Sorry, that did not work: please try again later.");
		return;
	}
	if (n == 0)
		host->reply(ctx, "No upcoming events.");
	for (size_t i = 0; i < n && i < LIST_MAX; i++) {
		char when[400], places[48];

		describe_when(when, sizeof(when), &v[i], has_zone ? &mine : NULL, false);
		describe_places(places, sizeof(places), &v[i]);
		if (v[i].cancelled)
			host->reply(ctx, "#%lld %s: CANCELLED (was %s)", v[i].id, v[i].title, when);
		else
			host->reply(ctx, "#%lld %s: %s; %s", v[i].id, v[i].title, when, places);
	}
	if (total > n)
		host->reply(ctx, "... and %zu more later.", total - n);
	model_events_free(v, n);
}

static void
cmd_event(struct cv_ctx *ctx)
{
	struct ev_event e;
	struct when_zone mine;
	bool has_zone = asker_zone(ctx, &mine);
	enum ev_status st;
	int pos;
	char when[400], places[64], status[96], path[64];

	if (load_event(ctx, ctx->argv[0], false, &e) == -1)
		return;
	describe_when(when, sizeof(when), &e, has_zone ? &mine : NULL, true);
	if (e.cancelled)
		host->reply(ctx, "#%lld %s: CANCELLED%s%s", e.id, e.title,
		    e.cancel_reason ? ": " : "", e.cancel_reason ? e.cancel_reason : "");
	else
		host->reply(ctx, "#%lld %s", e.id, e.title);
	host->reply(ctx, "When: %s", when);
	if (e.description != NULL)
		host->reply(ctx, "About: %s", e.description);
	if (e.location != NULL)
		host->reply(ctx, "Where: %s", e.location);
	if (e.url != NULL)
		host->reply(ctx, "Page: %s", e.url);

	model_status(db(), e.id, ctx->who->id, &st, &pos);
	if (st == EV_WAITLIST)
		snprintf(status, sizeof(status), "waitlist, position %d", pos);
	else if (st == EV_NONE && !e.cancelled)
		snprintf(status, sizeof(status), "not registered (rsvp %lld)", e.id);
	else
		snprintf(status, sizeof(status), "%s", model_status_name(st));
	describe_places(places, sizeof(places), &e);
	host->reply(ctx, "Places: %s, %d confirmed. You: %s.", places, e.n_confirmed, status);
	/* The join link: only for confirmed people and organisers. */
	if (e.join_url != NULL && !e.cancelled && ctx->who->via != NULL && st == EV_CONFIRMED)
		host->reply(ctx, JOIN_ELSEWHERE);
	else if (e.join_url != NULL && !e.cancelled &&
	    (st == EV_CONFIRMED || ctx->who->role >= CV_ROLE_ORGANIZER))
		host->reply(ctx, "Join: %s", e.join_url);
	/* The event's feed, at the path README promises, when a route takes it. */
	snprintf(path, sizeof(path), "/calendars/event/%lld.ics", e.id);
	if (host->base_url() != NULL && host->serves(path))
		host->reply(ctx, "Calendar: %s%s", host->base_url(), path);
	model_event_clear(&e);
}

static void
cmd_rsvp(struct cv_ctx *ctx)
{
	static const struct { const char *word; enum ev_status want; } answers[] = {
		{ "yes", EV_CONFIRMED }, { "maybe", EV_MAYBE }, { "no", EV_NONE },
	};
	enum ev_status want = EV_CONFIRMED;
	struct rsvp_result r;
	struct ev_event e;
	long long id;
	char w[48], nickbuf[256];
	int rc;

	if (ctx->argc > 1) {
		size_t i;

		for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++)
			if (strcasecmp(ctx->argv[1], answers[i].word) == 0)
				break;
		if (i == sizeof(answers) / sizeof(answers[0])) {
			host->reply(ctx, "Answer yes, maybe or no, not '%s'. Usage: rsvp N [yes|maybe|no]",
			    echo(w, sizeof(w), ctx->argv[1]));
			return;
		}
		want = answers[i].want;
	}
	if (parse_id(ctx->argv[0], &id) == -1) {
		host->reply(ctx, "'%s' is not an event number. Usage: rsvp N [yes|maybe|no]",
		    echo(w, sizeof(w), ctx->argv[0]));
		return;
	}
	/* Withdrawing stays open to all: it frees a place, it takes none. */
	if (requires_account && ctx->who->via != NULL && want != EV_NONE) {
		host->reply(ctx, "Registering here needs a services account, which nobody "
		    "relayed from another chat has: register from IRC, logged in.");
		return;
	}
	if (requires_account && ctx->who->account == NULL && want != EV_NONE) {
		host->reply(ctx, "Registering here needs a services account, and you are not "
		    "logged in: log in (e.g. /msg NickServ IDENTIFY yourname yourpassword, or "
		    "SASL), then say 'rsvp %lld' again.", id);
		return;
	}
	if (host->begin(self) == -1) {
		host->reply(ctx, "Sorry, that did not work: please try again later.");
		return;
	}
	/* The capacity check and the write share this transaction. */
	rc = model_rsvp(db(), id, ctx->who->id, stored_nick(ctx, nickbuf, sizeof(nickbuf)), want,
	    host->wall_now(), &r);
	if (rc != 0) {
		host->rollback(self);
		if (rc == MODEL_ENOENT)
			host->reply(ctx, "No event #%lld. 'events' lists them.", id);
		else if (rc == MODEL_ECANCELLED)
			host->reply(ctx, "Event #%lld is cancelled.", id);
		else if (rc == MODEL_EPAST)
			host->reply(ctx, "Event #%lld has already started: it takes no more "
			    "registrations.", id);
		else
			fail_change(ctx, "rsvp");
		return;
	}
	if (model_person_seen(db(), ctx->who->id, stored_nick(ctx, nickbuf, sizeof(nickbuf))) == -1 ||
	    commit(ctx, "rsvp") == -1) {
		model_people_free(&r.promoted);
		return;
	}
	if (r.before != r.after || r.promoted.n > 0)
		changed_event(id, CV_EVENTS_CHANGED_REGISTRATIONS, ctx->who->id);
	tell_promoted(&r.promoted);
	model_people_free(&r.promoted);

	if (model_event_get(db(), id, &e) != 0)
		return;
	switch (r.after) {
	case EV_CONFIRMED:
		if (e.join_url != NULL && ctx->who->via != NULL)
			host->reply(ctx, "#%lld %s: confirmed. " JOIN_ELSEWHERE, id, e.title);
		else if (e.join_url != NULL)
			host->reply(ctx, "#%lld %s: confirmed. Join: %s", id, e.title, e.join_url);
		else
			host->reply(ctx, "#%lld %s: confirmed.", id, e.title);
		break;
	case EV_WAITLIST:
		host->reply(ctx, "#%lld %s: full, you are on the waitlist, position %d. "
		    "You will be told if a place opens.", id, e.title, r.position);
		break;
	case EV_MAYBE:
		host->reply(ctx, "#%lld %s: maybe. No place is held for you; "
		    "say 'rsvp %lld yes' to take one.", id, e.title, id);
		break;
	case EV_NONE:
		if (r.before == EV_NONE)
			host->reply(ctx, "#%lld %s: you were not registered.", id, e.title);
		else
			host->reply(ctx, "#%lld %s: withdrawn, you are no longer registered.",
			    id, e.title);
		break;
	}
	model_event_clear(&e);
}

/*
 * Hand a person the notices kept for them while they were away, oldest
 * first, as `first` then the texts. Returns how many.
 */
static size_t
deliver_kept(const char *id, const char *nick, struct cv_ctx *ctx)
{
	struct ev_notice *v;
	size_t n;

	if (host->begin(self) == -1)
		return 0;
	if (model_pending_take(db(), id, host->wall_now(), &v, &n) == -1 ||
	    host->commit(self) == -1) {
		host->rollback(self);
		host->log(self, CV_LOG_ERROR, "reading kept notices: %s", sqlite3_errmsg(db()));
		return 0;
	}
	if (n > 0 && ctx != NULL)
		host->reply(ctx, "%zu notice%s kept for you while you were away:", n,
		    n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		if (ctx != NULL)
			host->reply(ctx, "%s", v[i].text);
		else
			host->notice(nick, "%s", v[i].text);
	}
	if (n > 0)
		host->log(self, CV_LOG_INFO, "delivered %zu kept notice(s)", n);
	model_notices_free(v, n);
	return n;
}

static void
cmd_mine(struct cv_ctx *ctx)
{
	struct ev_mine *v;
	struct when_zone mine;
	bool has_zone = asker_zone(ctx, &mine);
	bool remind = true;
	size_t n, total;

	deliver_kept(ctx->who->id, ctx->who->nick, ctx);
	if (model_mine_first(db(), ctx->who->id, host->wall_now(), LIST_MAX, &v, &n,
	    &total) == -1) {
		host->reply(ctx, "Sorry, that did not work: please try again later.");
		return;
	}
	model_person_reminders(db(), ctx->who->id, &remind);
	if (n > 0 && !remind)
		host->reply(ctx, "Your private reminders are off ('remind on' resumes them).");
	if (n == 0)
		host->reply(ctx, "You are not registered for any upcoming event. "
		    "'events' lists them.");
	for (size_t i = 0; i < n && i < LIST_MAX; i++) {
		char when[400], status[48];

		describe_when(when, sizeof(when), &v[i].ev, has_zone ? &mine : NULL, false);
		if (v[i].ev.cancelled)
			snprintf(status, sizeof(status), "event CANCELLED");
		else if (v[i].status == EV_WAITLIST)
			snprintf(status, sizeof(status), "waitlist, position %d", v[i].position);
		else
			snprintf(status, sizeof(status), "%s", model_status_name(v[i].status));
		host->reply(ctx, "#%lld %s: %s; %s", v[i].ev.id, v[i].ev.title, when, status);
	}
	if (total > n)
		host->reply(ctx, "... and %zu more later.", total - n);
	model_mine_free(v, n);
}

static void
cmd_tz(struct cv_ctx *ctx)
{
	struct when_zone z;
	char w[48], label[WHEN_ZONE_MAX + 4], nickbuf[256];

	if (ctx->argc == 0) {
		if (asker_zone(ctx, &z)) {
			when_zone_label(label, sizeof(label), &z);
			host->reply(ctx, "Your display zone is %s.", label);
		} else {
			host->reply(ctx, "You have no display zone: times are shown in each "
			    "event's zone. Set one with: tz Europe/Paris");
		}
		return;
	}
	if (when_parse_zone(ctx->argv[0], &z) == -1) {
		host->reply(ctx, "Unknown time zone '%s': " ZONE_HINT, echo(w, sizeof(w), ctx->argv[0]));
		return;
	}
	if (host->begin(self) == -1 ||
	    model_person_set_tz(db(), ctx->who->id, stored_nick(ctx, nickbuf, sizeof(nickbuf)),
	    z.name) == -1) {
		fail_change(ctx, "tz");
		return;
	}
	if (commit(ctx, "tz") == -1)
		return;
	when_zone_label(label, sizeof(label), &z);
	host->reply(ctx, "Your display zone is now %s.", label);
}

static void
cmd_remind(struct cv_ctx *ctx)
{
	char w[48], nickbuf[256];
	bool on;

	if (strcasecmp(ctx->argv[0], "on") == 0) {
		on = true;
	} else if (strcasecmp(ctx->argv[0], "off") == 0) {
		on = false;
	} else {
		host->reply(ctx, "Say 'remind off' or 'remind on', not '%s'.",
		    echo(w, sizeof(w), ctx->argv[0]));
		return;
	}
	if (host->begin(self) == -1 ||
	    model_person_set_reminders(db(), ctx->who->id,
	    stored_nick(ctx, nickbuf, sizeof(nickbuf)), on) == -1) {
		fail_change(ctx, "remind");
		return;
	}
	if (commit(ctx, "remind") == -1)
		return;
	host->reply(ctx, on ? "Private reminders are on: you get one before each event you "
	    "are confirmed for." : "Private reminders are off. 'remind on' resumes them; "
	    "changes and cancellations are still told.");
}

/*
 * The plugins keeping personal data that are not loaded now, "a, b", or ""
 * when none: they erase a forgotten person when next loaded.
 */
static void
deferred_plugins(char *buf, size_t n)
{
	const char *name;
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; (name = host->forget_deferred(i)) != NULL && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", name);
}

static void
cmd_forget(struct cv_ctx *ctx)
{
	struct forget_summary s;
	char held[256] = "", later[256];
	size_t len = 0;

	if (model_forget_summary(db(), ctx->who->id, &s) == -1) {
		host->reply(ctx, "Sorry, that did not work: please try again later.");
		return;
	}
	if (s.registrations > 0)
		len += (size_t)snprintf(held + len, sizeof(held) - len, "%s%d registration%s",
		    len ? ", " : "", s.registrations, s.registrations == 1 ? "" : "s");
	if (s.has_tz && len < sizeof(held))
		len += (size_t)snprintf(held + len, sizeof(held) - len, "%syour settings "
		    "(display zone, reminders)", len ? ", " : "");
	if (s.pending > 0 && len < sizeof(held))
		len += (size_t)snprintf(held + len, sizeof(held) - len, "%s%d notice%s kept for "
		    "you", len ? ", " : "", s.pending, s.pending == 1 ? "" : "s");
	if (s.events_created > 0 && len < sizeof(held))
		snprintf(held + len, sizeof(held) - len, "%syour name as creator of %d event%s "
		    "(the events stay)", len ? ", " : "", s.events_created,
		    s.events_created == 1 ? "" : "s");
	deferred_plugins(later, sizeof(later));
	if (held[0] == '\0' && later[0] == '\0')
		host->reply(ctx, "Convene holds nothing about you.");
	else if (held[0] == '\0')
		host->reply(ctx, "Convene holds nothing about you here; plugins not running now "
		    "(%s) may hold more, such as a personal calendar link. 'forget confirm' "
		    "erases that when each next starts.", later);
	else
		host->reply(ctx, "Convene holds: %s, and any personal calendar link. This "
		    "erases all of it for good: say 'forget confirm' to erase it.%s%s%s", held,
		    later[0] ? " Plugins not running now (" : "", later,
		    later[0] ? ") erase their part when each next starts." : "");
}

static void
cmd_forget_confirm(struct cv_ctx *ctx)
{
	struct ev_people promoted = { 0 };
	char later[256];

	if (host->begin(self) == -1 ||
	    model_forget(db(), ctx->who->id, host->wall_now(), &promoted) == -1) {
		model_people_free(&promoted);
		fail_change(ctx, "forget");
		return;
	}
	/*
	 * Other plugins erase theirs (a personal feed token) in the same
	 * transaction; for those not loaded, the host keeps the id until they are.
	 */
	host->publish(CV_TOPIC_PERSON_FORGET, ctx->who);
	if (commit(ctx, "forget") == -1) {
		model_people_free(&promoted);
		return;
	}
	/* Erased rows must not linger in the WAL either. */
	host->checkpoint();
	changed();
	tell_promoted(&promoted);
	model_people_free(&promoted);
	host->log(self, CV_LOG_INFO, "erased a person's data on request");
	deferred_plugins(later, sizeof(later));
	if (later[0] == '\0')
		host->reply(ctx, "Erased: Convene holds nothing about you any more.");
	else
		host->reply(ctx, "Erased, except in plugins not running now (%s): each erases "
		    "what it holds about you, such as a personal calendar link, when it next "
		    "starts.", later);
}

/* ---- organisers ---- */

/* Defence in depth: the host checks roles from the table before calling. */
static bool
organizer(struct cv_ctx *ctx)
{
	if (ctx->who->role >= CV_ROLE_ORGANIZER)
		return true;
	host->reply(ctx, "Only organisers can do that.");
	return false;
}

/*
 * Turn a date, time and zone into an instant that is in the future.
 * 0, or -1 after answering (adding `usage`).
 */
static int
resolve_start(struct cv_ctx *ctx, const char *date, const char *time,
    const struct when_zone *z, struct when_local *l, time_t *start, const char *usage)
{
	char w[48], err[256];

	if (when_parse_date(date, l) == -1) {
		host->reply(ctx, "Bad date '%s': write it as YYYY-MM-DD, e.g. 2026-12-02. %s",
		    echo(w, sizeof(w), date), usage);
		return -1;
	}
	if (when_parse_time(time, l) == -1) {
		host->reply(ctx, "Bad time '%s': write it as HH:MM on a 24-hour clock, "
		    "e.g. 18:30. %s", echo(w, sizeof(w), time), usage);
		return -1;
	}
	if (when_resolve(z, l, start, err, sizeof(err)) == -1) {
		host->reply(ctx, "%s", err);
		return -1;
	}
	if (*start <= host->wall_now()) {
		char now[96];

		when_format(now, sizeof(now), host->wall_now(), z);
		host->reply(ctx, "That time is in the past. It is now %s. %s", now, usage);
		return -1;
	}
	return 0;
}

/* The next space-separated word of *p, NUL-terminated in place; NULL at the end. */
static char *
next_word(char **p)
{
	char *w = *p + strspn(*p, " ");

	if (*w == '\0')
		return NULL;
	*p = w + strcspn(w, " ");
	if (**p != '\0')
		*(*p)++ = '\0';
	return w;
}

/* Copy the first word of s into w (cut to fit); returns s past it and its spaces. */
static const char *
take_word(const char *s, char *w, size_t n)
{
	size_t len = strcspn(s, " ");

	snprintf(w, n, "%.*s", (int)len, s);
	s += len;
	return s + strspn(s, " ");
}

static void
cmd_event_add(struct cv_ctx *ctx)
{
	struct ev_event e;
	struct when_zone z = default_zone;
	struct when_local l;
	time_t start;
	int minutes = 60;
	char *rest, w[WHEN_ZONE_MAX + 1], when[400];
	const char *title, *after, *channel;

	if (!organizer(ctx) || clean_field(ctx, "title", ctx->argv[2], SIZE_MAX, &rest) == -1)
		return;
	/* Optional ZONE then DURATION before the title, when they look like one. */
	title = rest + strspn(rest, " ");
	after = take_word(title, w, sizeof(w));
	if (w[0] != '\0' && when_looks_like_zone(w)) {
		if (when_parse_zone(w, &z) == -1) {
			host->reply(ctx, "Unknown time zone '%s': " ZONE_HINT " " USAGE_ADD,
			    echo(when, sizeof(when), w));
			goto out;
		}
		title = after;
		after = take_word(title, w, sizeof(w));
	}
	if (w[0] != '\0' && when_looks_like_duration(w)) {
		if (when_parse_duration(w, &minutes) == -1) {
			host->reply(ctx, DURATION_ERR " " USAGE_ADD);
			goto out;
		}
		title = after;
	}
	if (title[0] == '\0') {
		host->reply(ctx, "The title is missing. " USAGE_ADD);
		goto out;
	}
	if (imp_chars(title) > TITLE_MAX) {
		host->reply(ctx, "Title is too long (max %d characters).", TITLE_MAX);
		goto out;
	}
	if (resolve_start(ctx, ctx->argv[0], ctx->argv[1], &z, &l, &start, USAGE_ADD) == -1)
		goto out;

	memset(&e, 0, sizeof(e));
	e.title = (char *)title;
	when_format_date(e.local_date, sizeof(e.local_date), &l);
	when_format_time(e.local_time, sizeof(e.local_time), &l);
	snprintf(e.tz, sizeof(e.tz), "%s", z.name);
	e.start_utc = start;
	e.duration_min = minutes;
	channel = ctx->channel != NULL ? ctx->channel : host->config(self, "channel");
	if (channel == NULL)
		channel = host->channel(0);
	/* Borrowed: e is not cleared. */
	e.channel = (char *)channel;
	e.created_by = (char *)ctx->who->id;
	if (host->begin(self) == -1 || model_event_insert(db(), &e, host->wall_now()) == -1) {
		fail_change(ctx, "event add");
		goto out;
	}
	if (commit(ctx, "event add") == -1)
		goto out;
	changed_event(e.id, CV_EVENTS_CHANGED_FIELDS, NULL);
	host->log(self, CV_LOG_INFO, "event #%lld created", e.id);
	describe_when(when, sizeof(when), &e, NULL, true);
	host->reply(ctx, "Created #%lld %s: %s. Add details with: event set %lld FIELD VALUE "
	    "(description, location, url, join, capacity, channel).", e.id, e.title, when, e.id);
out:
	free(rest);
}

/* Fields of `event set` that are plain texts, with their limits. */
static const struct text_field {
	const char *name;
	enum ev_field field;
	size_t max;
	bool clearable;
} text_fields[] = {
	{ "title", EV_FIELD_TITLE, TITLE_MAX, false },
	{ "description", EV_FIELD_DESCRIPTION, TEXT_MAX, true },
	{ "location", EV_FIELD_LOCATION, SHORT_MAX, true },
	{ "url", EV_FIELD_URL, LINK_MAX, true },
	{ "join", EV_FIELD_JOIN, LINK_MAX, true },
	{ "channel", EV_FIELD_CHANNEL, CHANNEL_MAX, true },
};

/* Is `v` acceptable for field f? Answers and returns false when not. */
static bool
valid_text(struct cv_ctx *ctx, enum ev_field f, const char *v)
{
	switch (f) {
	case EV_FIELD_URL:
		if ((strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
		    strchr(v, ' ') != NULL) {
			host->reply(ctx, "The url must be one http:// or https:// link. " USAGE_SET);
			return false;
		}
		return true;
	case EV_FIELD_JOIN:
		if (strstr(v, "://") == NULL || strchr(v, ' ') != NULL) {
			host->reply(ctx, "The join link must be one link, e.g. "
			    "https://meet.example.org/room. " USAGE_SET);
			return false;
		}
		return true;
	case EV_FIELD_CHANNEL:
		if (strchr("#&!+", v[0]) == NULL || v[1] == '\0' || strpbrk(v, " ,:") != NULL) {
			host->reply(ctx, "The channel must be a channel name like #convene. "
			    USAGE_SET);
			return false;
		}
		return true;
	default:
		if (v[0] == '\0') {
			host->reply(ctx, "The value is empty. " USAGE_SET);
			return false;
		}
		return true;
	}
}

/* "#N Title has changed: ..." to the confirmed people of an event. */
static void
tell_confirmed(const struct ev_event *e, const char *text, const char *pub)
{
	struct ev_people c = { 0 }, m = { 0 }, w = { 0 };
	const struct ev_people *lists[] = { &c };

	if (model_attendees(db(), e->id, &c, &m, &w) == 0)
		tell_people(lists, 1, e->id, event_end(e), text, pub);
	model_people_free(&c);
	model_people_free(&m);
	model_people_free(&w);
}

static void
cmd_event_set(struct cv_ctx *ctx)
{
	struct ev_event e, after;
	const char *field = ctx->argv[1], *value = ctx->argv[2];
	char *clean = NULL, w[48], when[400], *msg = NULL;
	struct ev_people promoted = { 0 };
	time_t now = host->wall_now();
	size_t i;
	int rc = -1;
	bool new_link = false;

	if (!organizer(ctx) || load_event(ctx, ctx->argv[0], true, &e) == -1)
		return;
	for (i = 0; i < sizeof(text_fields) / sizeof(text_fields[0]); i++)
		if (strcasecmp(field, text_fields[i].name) == 0)
			break;

	if (i < sizeof(text_fields) / sizeof(text_fields[0])) {
		const struct text_field *tf = &text_fields[i];

		if (clean_field(ctx, tf->name, value, tf->max, &clean) == -1)
			goto out;
		if (tf->clearable && strcmp(clean, "-") == 0) {
			free(clean);
			clean = NULL;
		} else if (!valid_text(ctx, tf->field, clean)) {
			goto out;
		}
		if (host->begin(self) == -1 ||
		    (rc = model_event_set_text(db(), e.id, tf->field, clean, now)) != 0) {
			fail_change(ctx, "event set");
			goto out;
		}
		if (tf->field == EV_FIELD_LOCATION)
			msg = msgf("#%lld %s has changed: %s%s.", e.id, e.title,
			    clean ? "it now takes place at " : "the location was removed",
			    clean ? clean : "");
		else if (tf->field == EV_FIELD_JOIN && clean != NULL) {
			msg = msgf("#%lld %s has a new join link: %s", e.id, e.title, clean);
			new_link = true;
		}
	} else if (strcasecmp(field, "start") == 0) {
		struct when_zone z;
		struct when_local l;
		time_t start;
		char *p, *date, *time, *zone, *extra;
		const char *usage = "Usage: event set N start YYYY-MM-DD HH:MM [ZONE]";

		if (clean_field(ctx, "start", value, 100, &clean) == -1)
			goto out;
		p = clean;
		date = next_word(&p);
		time = next_word(&p);
		zone = next_word(&p);
		extra = next_word(&p);
		if (date == NULL || time == NULL || extra != NULL) {
			host->reply(ctx, "Give the date and time, and optionally a zone. %s", usage);
			goto out;
		}
		if (zone == NULL)
			event_zone(&e, &z);
		else if (when_parse_zone(zone, &z) == -1) {
			host->reply(ctx, "Unknown time zone '%s': " ZONE_HINT " %s",
			    echo(w, sizeof(w), zone), usage);
			goto out;
		}
		if (resolve_start(ctx, date, time, &z, &l, &start, usage) == -1)
			goto out;
		{
			char d[16], t[8];

			when_format_date(d, sizeof(d), &l);
			when_format_time(t, sizeof(t), &l);
			if (host->begin(self) == -1 || (rc = model_event_set_start(db(), e.id, d, t,
			    z.name, start, now)) != 0) {
				fail_change(ctx, "event set start");
				goto out;
			}
		}
		if (start != e.start_utc) {
			e.start_utc = start;
			snprintf(e.tz, sizeof(e.tz), "%s", z.name);
			describe_when(when, sizeof(when), &e, NULL, true);
			msg = msgf("#%lld %s has moved: it now takes place %s.", e.id, e.title,
			    when);
		}
	} else if (strcasecmp(field, "duration") == 0) {
		int minutes;

		if (when_parse_duration(value, &minutes) == -1) {
			host->reply(ctx, DURATION_ERR " " USAGE_SET);
			goto out;
		}
		if (host->begin(self) == -1 ||
		    (rc = model_event_set_duration(db(), e.id, minutes, now)) != 0) {
			fail_change(ctx, "event set duration");
			goto out;
		}
		if (minutes != e.duration_min) {
			e.duration_min = minutes;
			describe_when(when, sizeof(when), &e, NULL, true);
			msg = msgf("#%lld %s has a new length: it now takes place %s.", e.id,
			    e.title, when);
		}
	} else if (strcasecmp(field, "capacity") == 0) {
		char *end;
		long cap = strtol(value, &end, 10);

		if (!isdigit((unsigned char)value[0]) || *end != '\0' || cap > CAPACITY_MAX) {
			host->reply(ctx, "Capacity must be a number of places from 0 (no limit) to "
			    "%d. " USAGE_SET, CAPACITY_MAX);
			goto out;
		}
		if (host->begin(self) == -1 || (rc = model_event_set_capacity(db(), e.id,
		    (int)cap, now, &promoted)) != 0) {
			fail_change(ctx, "event set capacity");
			goto out;
		}
	} else {
		host->reply(ctx, "Unknown field '%s'. " USAGE_SET, echo(w, sizeof(w), field));
		goto out;
	}

	if (commit(ctx, "event set") == -1)
		goto out;
	/* A capacity moves places and may promote people from the waitlist. */
	changed_event(e.id, CV_EVENTS_CHANGED_FIELDS | CV_EVENTS_CHANGED_REGISTRATIONS, NULL);
	/* The field's name from our tables, never the text typed. */
	host->log(self, CV_LOG_INFO, "event #%lld: %s changed", e.id,
	    i < sizeof(text_fields) / sizeof(text_fields[0]) ? text_fields[i].name :
	    strcasecmp(field, "start") == 0 ? "start" :
	    strcasecmp(field, "duration") == 0 ? "duration" : "capacity");
	tell_promoted(&promoted);
	if (model_event_get(db(), e.id, &after) == 0) {
		if (msg != NULL && new_link) {
			char *pub = msgf("#%lld %s has a new join link. " JOIN_ELSEWHERE, e.id,
			    e.title);

			tell_confirmed(&after, msg, pub);
			free(pub);
		} else if (msg != NULL) {
			tell_confirmed(&after, msg, msg);
		}
		char places[48];

		describe_places(places, sizeof(places), &after);
		if (msg != NULL)
			host->reply(ctx, "#%lld %s: %s set; %d confirmed %s told.", after.id,
			    after.title, field, after.n_confirmed,
			    after.n_confirmed == 1 ? "person" : "people");
		else if (promoted.n > 0)
			host->reply(ctx, "#%lld %s: %s set; %s; %zu promoted from the waitlist "
			    "and told.", after.id, after.title, field, places, promoted.n);
		else
			host->reply(ctx, "#%lld %s: %s set.", after.id, after.title, field);
		model_event_clear(&after);
	}
out:
	model_people_free(&promoted);
	free(clean);
	free(msg);
	model_event_clear(&e);
}

static void
cmd_event_cancel(struct cv_ctx *ctx)
{
	struct ev_event e;
	struct ev_people c = { 0 }, m = { 0 }, w = { 0 };
	const struct ev_people *lists[] = { &c, &m, &w };
	char *reason = NULL, *msg;
	size_t told;

	if (!organizer(ctx) || load_event(ctx, ctx->argv[0], true, &e) == -1)
		return;
	if (ctx->argc > 1 && clean_field(ctx, "reason", ctx->argv[1], SHORT_MAX, &reason) == -1)
		goto out;
	if (reason != NULL && reason[0] == '\0') {
		free(reason);
		reason = NULL;
	}
	if (e.start_utc + 60LL * e.duration_min <= host->wall_now()) {
		host->reply(ctx, "Event #%lld has already ended.", e.id);
		goto out;
	}
	if (host->begin(self) == -1 ||
	    model_event_cancel(db(), e.id, reason, host->wall_now()) != 0 ||
	    model_attendees(db(), e.id, &c, &m, &w) == -1) {
		fail_change(ctx, "event cancel");
		goto out;
	}
	if (commit(ctx, "event cancel") == -1)
		goto out;
	changed_event(e.id, CV_EVENTS_CHANGED_FIELDS, NULL);
	msg = msgf("#%lld %s is cancelled%s%s", e.id, e.title, reason ? ": " : ".",
	    reason ? reason : "");
	tell_people(lists, 3, e.id, event_end(&e), msg, msg);
	free(msg);
	told = c.n + m.n + w.n;
	host->log(self, CV_LOG_INFO, "event #%lld cancelled, %zu told", e.id, told);
	host->reply(ctx, "Cancelled #%lld %s; %zu registered %s told.", e.id, e.title, told,
	    told == 1 ? "person" : "people");
out:
	model_people_free(&c);
	model_people_free(&m);
	model_people_free(&w);
	free(reason);
	model_event_clear(&e);
}

static void
cmd_event_announce(struct cv_ctx *ctx)
{
	struct ev_event e;
	char when[400], places[48];

	if (!organizer(ctx) || load_event(ctx, ctx->argv[0], true, &e) == -1)
		return;
	if (e.start_utc + 60LL * e.duration_min <= host->wall_now()) {
		host->reply(ctx, "Event #%lld has already ended.", e.id);
	} else if (e.channel == NULL) {
		host->reply(ctx, "Event #%lld has no channel: set one with "
		    "event set %lld channel #NAME", e.id, e.id);
	} else {
		describe_when(when, sizeof(when), &e, NULL, true);
		describe_places(places, sizeof(places), &e);
		host->say(e.channel, "#%lld %s: %s; %s. Details: %sevent %lld. Register: %srsvp %lld%s%s",
		    e.id, e.title, when, places, prefix(), e.id, prefix(), e.id,
		    e.url ? " " : "", e.url ? e.url : "");
		host->reply(ctx, "Announced #%lld in %s.", e.id, e.channel);
	}
	model_event_clear(&e);
}

/* "a, b, c" from a list of people, into buf. */
static void
join_nicks(char *buf, size_t n, const struct ev_people *l)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n && len < n; i++) {
		char chan[128];
		const char *name;

		if (relayed(l->v[i].person) &&
		    relayed_where(l->v[i].nick, chan, sizeof(chan), &name))
			len += (size_t)snprintf(buf + len, n - len, "%s%s (relayed in %s)",
			    i ? ", " : "", name, chan);
		else
			len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "",
			    l->v[i].nick);
	}
}

static void
cmd_attendees(struct cv_ctx *ctx)
{
	struct ev_event e;
	struct ev_people c = { 0 }, m = { 0 }, w = { 0 };
	const struct { const char *name; struct ev_people *l; } lists[] = {
		{ "confirmed", &c }, { "maybe", &m }, { "waitlist", &w },
	};
	char *buf;
	size_t cap;

	/* Names are private: never said where a relay repeats them. */
	if (ctx->who->via != NULL) {
		host->reply(ctx, "'attendees' is answered in private only: ask from IRC.");
		return;
	}
	if (!organizer(ctx) || load_event(ctx, ctx->argv[0], false, &e) == -1)
		return;
	if (e.purged) {
		host->reply(ctx, "#%lld: %d confirmed, %d maybe, %d waitlist (names deleted after "
		    "the retention period)", e.id, e.n_confirmed, e.n_maybe, e.n_waitlist);
		goto out;
	}
	if (model_attendees(db(), e.id, &c, &m, &w) == -1) {
		host->reply(ctx, "Sorry, that did not work: please try again later.");
		goto out;
	}
	host->reply(ctx, "#%lld: %zu confirmed, %zu maybe, %zu waitlist", e.id, c.n, m.n, w.n);
	/* Nicks are at most a few dozen bytes; the host splits long lines. */
	cap = 64 * (c.n + m.n + w.n) + 1;
	if ((buf = malloc(cap)) == NULL)
		abort();
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (lists[i].l->n == 0)
			continue;
		join_nicks(buf, cap, lists[i].l);
		host->reply(ctx, "%s: %s", lists[i].name, buf);
	}
	free(buf);
out:
	model_people_free(&c);
	model_people_free(&m);
	model_people_free(&w);
	model_event_clear(&e);
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
static bool
yes(const char *v)
{
	long long b = 0;

	return v != NULL && host->config_parse(decl("import_allow_private"), v, &b) == 0 && b;
}

/*
 * An import key: ours in [events]; until the next release also its old name
 * in [calendars], where it lived before (events_init warns of that).
 */
static const char *
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
		host->log(self, CV_LOG_WARN, "[calendars] %s is now [events] %s; the old name "
		    "works until the next release%s", k->key, k->key,
		    host->config(self, k->key) != NULL ? " (both set: [events] wins)" : "");
		if (host->config(self, k->key) == NULL && host->config_parse(k, v, &n) == -1) {
			snprintf(err, errlen, "[calendars] %s %s", k->key, k->why);
			return -1;
		}
	}
	return 0;
}

static void
job_free(struct import_job *j)
{
	free(j->nick);
	free(j->person);
	free(j->channel);
	free(j->source);
	free(j);
}

static void
job_unlink(struct import_job *j)
{
	for (struct import_job **pp = &jobs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			return;
		}
}

static size_t
jobs_running(void)
{
	size_t n = 0;

	for (struct import_job *j = jobs; j != NULL; j = j->next)
		n++;
	return n;
}

/* A copy of s, or of "" for NULL. */
static char *
xstrdup(const char *s)
{
	return cv_xstrdup(s != NULL ? s : "");
}

/* " (#12)" or " (#12-#14)": the ids made, for the answer. */
static void
id_range(char *buf, size_t n, long long first, long long last, int made)
{
	if (made == 0)
		buf[0] = '\0';
	else if (first == last)
		snprintf(buf, n, " (#%lld)", first);
	else
		snprintf(buf, n, " (#%lld-#%lld)", first, last);
}

/* " #12 (title, description)": which texts of a new event were shortened. */
static void
cut_note(char *buf, size_t n, long long id, unsigned cut)
{
	size_t have = strlen(buf);

	if (have >= n - 1)
		return;
	snprintf(buf + have, n - have, "%s#%lld (%s%s%s%s%s)", have > 0 ? ", " : "", id,
	    cut & IMP_CUT_TITLE ? "title" : "",
	    (cut & IMP_CUT_TITLE) && (cut & ~IMP_CUT_TITLE) ? ", " : "",
	    cut & IMP_CUT_DESCRIPTION ? "description" : "",
	    (cut & IMP_CUT_DESCRIPTION) && (cut & IMP_CUT_LOCATION) ? ", " : "",
	    cut & IMP_CUT_LOCATION ? "location" : "");
}

/*
 * Create the events of a parsed calendar in one transaction, skipping
 * source UIDs imported before; the ones whose texts were shortened are
 * listed in cut (at most IMPORT_CUT_LIST). 0, or -1 when nothing was created.
 */
static int
import_events(struct import_job *j, const struct imp_result *r, int *made, int *already,
    long long *first, long long *last, char *cut, size_t cutlen, int *ncut)
{
	time_t now = host->wall_now();

	*made = *already = *ncut = 0;
	*first = *last = 0;
	cut[0] = '\0';
	if (host->begin(self) == -1)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct imp_event *ie = &r->v[i];
		struct ev_event e;
		bool seen;

		if (model_import_seen(db(), ie->source_uid, &seen) == -1)
			goto fail;
		if (seen) {
			(*already)++;
			continue;
		}
		memset(&e, 0, sizeof(e));
		/* Borrowed: e is not cleared. */
		e.title = ie->title;
		e.description = ie->description;
		e.location = ie->location;
		e.url = ie->url;
		when_format_date(e.local_date, sizeof(e.local_date), &ie->local);
		when_format_time(e.local_time, sizeof(e.local_time), &ie->local);
		snprintf(e.tz, sizeof(e.tz), "%s", ie->tz);
		e.start_utc = ie->start_utc;
		e.duration_min = ie->duration_min;
		e.channel = j->channel[0] != '\0' ? j->channel : NULL;
		e.created_by = j->person;
		if (model_event_insert(db(), &e, now) == -1 ||
		    model_event_set_source(db(), e.id, ie->source_uid, j->source) == -1)
			goto fail;
		if (*made == 0)
			*first = e.id;
		*last = e.id;
		(*made)++;
		if (ie->shortened != 0 && ++*ncut <= IMPORT_CUT_LIST)
			cut_note(cut, cutlen, e.id, ie->shortened);
	}
	if (host->commit(self) == -1)
		goto fail;
	return 0;
fail:
	host->rollback(self);
	host->log(self, CV_LOG_ERROR, "event import: %s", sqlite3_errmsg(db()));
	*made = 0;
	return -1;
}

/*
 * The download ended: read it, create what it holds, answer in one notice:
 * the counts, why invalid events were refused, which texts were shortened.
 */
static void
import_done(void *arg, const struct cv_http_result *res)
{
	struct import_job *j = arg;
	struct imp_result r;
	char err[300], ids[64], cut[600], more[48] = "", cutmore[48] = "";
	int made, already, ncut;
	long long first, last;

	job_unlink(j);
	if (res->status == 0) {
		host->log(self, CV_LOG_INFO, "event import: download failed: %s", res->error);
		host->notice(j->nick, "Import failed: %s.", res->error);
		goto out;
	}
	if (res->status < 200 || res->status > 299) {
		host->log(self, CV_LOG_INFO, "event import: the server answered %d", res->status);
		host->notice(j->nick, "Import failed: the server answered HTTP %d.", res->status);
		goto out;
	}
	if (imp_parse(res->body, res->len, &default_zone, host->wall_now(), host->clean_text,
	    &r, err, sizeof(err)) == -1) {
		host->log(self, CV_LOG_INFO, "event import: %s", err);
		host->notice(j->nick, "Import failed: %s.", err);
		goto out;
	}
	if (import_events(j, &r, &made, &already, &first, &last, cut, sizeof(cut), &ncut) == -1) {
		host->notice(j->nick, "Import failed: the events could not be stored, nothing "
		    "was changed. Please try again later.");
		imp_result_free(&r);
		goto out;
	}
	if (made > 0)
		changed();
	id_range(ids, sizeof(ids), first, last, made);
	host->log(self, CV_LOG_INFO, "event import: %d created, %d already there, %zu in the "
	    "calendar", made, already + r.skipped.duplicate, r.n);
	if (r.nwhy > IMP_WHY_MAX)
		snprintf(more, sizeof(more), "; and %d more", r.nwhy - IMP_WHY_MAX);
	if (ncut > IMPORT_CUT_LIST)
		snprintf(cutmore, sizeof(cutmore), " and %d more", ncut - IMPORT_CUT_LIST);
	host->notice(j->nick, "Imported %d event%s%s; skipped %d already imported, "
	    "%d recurring, %d all-day, %d too long, %d past, %d cancelled, %d invalid.%s%s%s%s"
	    "%s%s%s%s",
	    made, made == 1 ? "" : "s", ids, already + r.skipped.duplicate,
	    r.skipped.recurring, r.skipped.allday, r.skipped.too_long, r.skipped.past,
	    r.skipped.cancelled, r.skipped.invalid,
	    r.why != NULL ? " Invalid: " : "", r.why != NULL ? r.why : "", more,
	    r.why != NULL ? "." : "",
	    ncut > 0 ? " Shortened to fit: " : "", cut, cutmore, ncut > 0 ? "." : "");
	imp_result_free(&r);
out:
	job_free(j);
}

static void
cmd_event_import(struct cv_ctx *ctx)
{
	const char *url = ctx->argv[0], *v, *channel;
	static const char *const headers[] = {
		"Accept: text/calendar, text/plain;q=0.5, */*;q=0.1", NULL,
	};
	struct cv_http_request req = { 0 };
	struct import_job *j;
	char source[512];
	long timeout_s = IMPORT_TIMEOUT_S;

	if (!organizer(ctx))
		return;
	if ((strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0) ||
	    strlen(url) > IMPORT_URL_MAX || strpbrk(url, " \t\r\n") != NULL) {
		host->reply(ctx, "Give one http:// or https:// link to an .ics file. "
		    "Usage: event import URL");
		return;
	}
	if (jobs_running() >= IMPORT_JOBS_MAX) {
		host->reply(ctx, "Other imports are running: please try again in a minute.");
		return;
	}
	if ((v = import_key("import_timeout")) != NULL) {
		char *end;
		long t = strtol(v, &end, 10);

		if (isdigit((unsigned char)v[0]) && *end == '\0' && t >= 1 && t <= 300)
			timeout_s = t;
	}
	channel = ctx->channel != NULL ? ctx->channel : host->config(self, "channel");
	if (channel == NULL)
		channel = host->channel(0);
	imp_source_url(url, source, sizeof(source));
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		abort();
	j->nick = xstrdup(ctx->who->nick);
	j->person = xstrdup(ctx->who->id);
	j->channel = xstrdup(channel);
	j->source = xstrdup(source);

	req.method = "GET";
	req.url = url;
	req.headers = headers;
	req.max_bytes = IMPORT_MAX_BYTES;
	req.timeout_ms = timeout_s * 1000;
	req.follow = true;
	req.allow_private = yes(import_key("import_allow_private"));
	if (host->http_request(self, &req, import_done, j) == -1) {
		host->reply(ctx, "Import failed: that link cannot be fetched (http and https only).");
		job_free(j);
		return;
	}
	j->next = jobs;
	jobs = j;
	host->log(self, CV_LOG_INFO, "event import started");
}

static const struct cv_command commands[] = {
	{ "events", "", "list upcoming events", 0, 0, CV_ROLE_MEMBER, 0, cmd_events },
	{ "event", "N", "show one event", 1, 1, CV_ROLE_MEMBER, 0, cmd_event },
	{ "rsvp", "N [yes|maybe|no]", "register for an event, or withdraw", 1, 2,
	    CV_ROLE_MEMBER, 0, cmd_rsvp },
	{ "mine", "", "list your registrations", 0, 0, CV_ROLE_MEMBER, 0, cmd_mine },
	{ "tz", "[ZONE]", "show or set the zone times are shown in", 0, 1,
	    CV_ROLE_MEMBER, 0, cmd_tz },
	{ "remind", "off|on", "stop or resume your private reminders", 1, 1,
	    CV_ROLE_MEMBER, 0, cmd_remind },
	{ "forget", "", "say what Convene holds about you", 0, 0, CV_ROLE_MEMBER, 0, cmd_forget },
	{ "forget confirm", "", "erase everything Convene holds about you", 0, 0,
	    CV_ROLE_MEMBER, 0, cmd_forget_confirm },
	{ "event add", "YYYY-MM-DD HH:MM [ZONE] [DURATION] TITLE...", "create an event",
	    3, 3, CV_ROLE_ORGANIZER, CV_CMD_REST, cmd_event_add },
	{ "event set", "N FIELD VALUE...", "change an event: title, start, duration, capacity, "
	    "description, location, url, join, channel", 3, 3, CV_ROLE_ORGANIZER,
	    CV_CMD_REST, cmd_event_set },
	{ "event cancel", "N [reason]", "cancel an event and tell everyone registered", 1, 2,
	    CV_ROLE_ORGANIZER, CV_CMD_REST, cmd_event_cancel },
	{ "event announce", "N", "post an event in its channel", 1, 1, CV_ROLE_ORGANIZER, 0,
	    cmd_event_announce },
	{ "attendees", "N", "who is coming, in private", 1, 1, CV_ROLE_ORGANIZER, 0,
	    cmd_attendees },
	{ "event import", "URL", "create the events of an .ics calendar (http or https)",
	    1, 1, CV_ROLE_ORGANIZER, 0, cmd_event_import },
};

static void
seen_clear(void)
{
	for (size_t i = 0; i < nseen; i++) {
		free(seen_q[i].id);
		free(seen_q[i].nick);
	}
	free(seen_q);
	seen_q = NULL;
	nseen = 0;
}

/*
 * Deliver what was kept for the people seen, after the command that showed
 * them; only to a nick still theirs (it may have changed hands meanwhile,
 * and a nick seen in private only is not watched): else it stays kept.
 */
static void
deliver_seen(void *arg)
{
	seen_timer = 0;
	for (size_t i = 0; i < nseen; i++)
		if (host->holds(seen_q[i].nick, seen_q[i].id))
			deliver_kept(seen_q[i].id, seen_q[i].nick, NULL);
	seen_clear();
}

/*
 * Someone joined a channel of ours or spoke to us. Keep stored nicks
 * current, so notices reach people who changed nick, and hand them what was
 * kept for them. That waits for a 0 ms timer: when they spoke a command,
 * it runs first, and `mine` shows the kept notices itself.
 */
static void
on_person_seen(void *arg, const char *topic, const void *data)
{
	const struct cv_person *p = data;
	long long pending = 0;
	sqlite3_stmt *st;

	if (p == NULL || p->id == NULL || p->nick == NULL)
		return;
	if (host->begin(self) == -1)
		return;
	if (model_person_seen(db(), p->id, p->nick) == -1)
		host->rollback(self);
	else
		host->commit(self);
	if (sqlite3_prepare_v2(db(), "SELECT count(*) FROM pending_notices WHERE person = ?",
	    -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		pending = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (pending == 0)
		return;
	if ((seen_q = realloc(seen_q, (nseen + 1) * sizeof(*seen_q))) == NULL ||
	    (seen_q[nseen].id = strdup(p->id)) == NULL ||
	    (seen_q[nseen].nick = strdup(p->nick)) == NULL)
		abort();
	nseen++;
	if (seen_timer == 0)
		seen_timer = host->timer_add(self, 0, 0, deliver_seen, NULL);
}

/* ---- reminders, expiry, retention ---- */

/* "1 day", "1 hour", "90 minutes": how long before the start a reminder is. */
static void
describe_offset(char *buf, size_t n, long long s)
{
	if (s % 86400 == 0)
		snprintf(buf, n, "%lld day%s", s / 86400, s == 86400 ? "" : "s");
	else if (s % 3600 == 0)
		snprintf(buf, n, "%lld hour%s", s / 3600, s == 3600 ? "" : "s");
	else
		snprintf(buf, n, "%lld minute%s", s / 60, s == 60 ? "" : "s");
}

/*
 * One reminder of event e: recorded as sent first (so a crash or restart
 * never sends it twice), then one line in the event's channel and one
 * identical private notice, with the join link, to every confirmed person
 * who wants reminders.
 */
static void
send_reminder(const struct ev_event *e, long long offset, time_t now)
{
	struct ev_people people = { 0 };
	const struct ev_people *lists[] = { &people };
	char when[400], before[32], *msg;

	if (host->begin(self) == -1)
		return;
	if (model_reminder_mark(db(), e->id, offset, e->start_utc, now) == -1 ||
	    model_reminder_people(db(), e->id, &people) == -1 || host->commit(self) == -1) {
		host->rollback(self);
		host->log(self, CV_LOG_ERROR, "event #%lld: reminder not recorded: %s", e->id,
		    sqlite3_errmsg(db()));
		model_people_free(&people);
		return;
	}
	describe_when(when, sizeof(when), e, NULL, true);
	describe_offset(before, sizeof(before), offset);
	if (e->channel != NULL)
		host->say(e->channel, "Reminder: #%lld %s: %s. Details: %sevent %lld",
		    e->id, e->title, when, prefix(), e->id);
	msg = msgf("Reminder: #%lld %s: %s.%s%s", e->id, e->title, when,
	    e->join_url ? " Join: " : " You are confirmed.", e->join_url ? e->join_url : "");
	/* Relayed people have the channel's reminder, which names nobody. */
	tell_people(lists, 1, e->id, event_end(e), msg, NULL);
	free(msg);
	host->log(self, CV_LOG_INFO, "event #%lld: %s reminder to %zu confirmed", e->id, before,
	    people.n);
	model_people_free(&people);
}

/*
 * Due reminders. For each event that has not started, only the latest
 * reminder whose time has come counts (earlier ones it makes moot), and
 * only when it came due after the reminders were scheduled (created or
 * moved). Clock jumps and downtime just make it due at the next scan.
 */
static void
remind_due(time_t now)
{
	struct ev_event *v;
	size_t n;

	if (nreminders == 0 ||
	    model_events_reminding(db(), now, reminder_s[0], &v, &n) == -1)
		return;
	for (size_t i = 0; i < n; i++) {
		long long due = -1, at = 0;
		bool sent;

		for (size_t k = 0; k < nreminders; k++) {
			if (v[i].start_utc - reminder_s[k] <= now) {
				due = reminder_s[k];
				at = v[i].start_utc - reminder_s[k];
			}
		}
		if (due < 0 || at <= v[i].reminders_from)
			continue;
		if (model_reminder_sent(db(), v[i].id, due, v[i].start_utc, &sent) == -1 || sent)
			continue;
		send_reminder(&v[i], due, now);
	}
	model_events_free(v, n);
}

/* Kept notices past their event's end, and registrations past retention. */
static void
expire(time_t now)
{
	int purged = 0;

	if (host->begin(self) == -1)
		return;
	if (model_pending_expire(db(), now) == -1 ||
	    model_retention(db(), now, retention_s, &purged) == -1 || host->commit(self) == -1) {
		host->rollback(self);
		host->log(self, CV_LOG_ERROR, "retention: %s", sqlite3_errmsg(db()));
		return;
	}
	if (purged > 0) {
		/* Erased rows must not linger in the WAL either. */
		host->checkpoint();
		host->log(self, CV_LOG_INFO, "retention: registrations of %d ended event(s) "
		    "deleted, counts kept", purged);
		changed();
	}
}

static void
scan(void *arg)
{
	time_t now = host->wall_now();

	/* A reminder sent while disconnected would be lost, yet marked sent. */
	if (ready && host->connected())
		remind_due(now);
	expire(now);
}

static void
become_ready(void *arg)
{
	settle_timer = 0;
	ready = true;
	scan(NULL);
}

/* Registered with the server: reminders wait until we are in our channels. */
static void
on_connected(void *arg, const char *topic, const void *data)
{
	ready = false;
	if (settle_timer != 0)
		host->timer_cancel(self, settle_timer);
	settle_timer = host->timer_add(self, SETTLE_MS, 0, become_ready, NULL);
}

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
	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		int minutes;
		size_t k;

		if (when_parse_duration(tok, &minutes) == -1) {
			snprintf(err, errlen, "[events] reminders: '%.40s' is not a duration "
			    "between 1 minute and 7 days (e.g. 1d, 1h, 30m)", tok);
			rc = -1;
			break;
		}
		for (k = 0; k < nreminders && reminder_s[k] != 60LL * minutes; k++)
			;
		if (k < nreminders)
			continue;	/* given twice */
		if (nreminders == REMINDERS_MAX) {
			snprintf(err, errlen, "[events] reminders: at most %d", REMINDERS_MAX);
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
 * tzdata may have changed since an event was stored: its wall-clock time is
 * what the organiser meant, so derive its instant again.
 */
static void
restamp_all(void)
{
	struct ev_event *v;
	size_t n, moved = 0;
	time_t now = host->wall_now();

	if (model_events_all(db(), &v, &n) == -1 || host->begin(self) == -1) {
		host->log(self, CV_LOG_WARN, "could not recompute event times");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct when_zone z;
		struct when_local l;
		time_t t;
		char err[256];

		if (v[i].cancelled || v[i].start_utc + 60LL * v[i].duration_min <= now)
			continue;
		if (when_parse_zone(v[i].tz, &z) == -1 || when_parse_date(v[i].local_date, &l) == -1 ||
		    when_parse_time(v[i].local_time, &l) == -1 ||
		    when_resolve(&z, &l, &t, err, sizeof(err)) == -1) {
			host->log(self, CV_LOG_WARN, "event #%lld: its local time no longer maps "
			    "to one instant; keeping the stored one", v[i].id);
			continue;
		}
		if (t != v[i].start_utc) {
			if (model_event_restamp(db(), v[i].id, t, now) == -1)
				break;
			moved++;
		}
	}
	model_events_free(v, n);
	if (host->commit(self) == -1) {
		host->log(self, CV_LOG_WARN, "could not store recomputed event times");
		return;
	}
	if (moved > 0) {
		host->log(self, CV_LOG_INFO, "%zu event(s) moved by a time zone data change", moved);
		changed();
	}
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

	if (sqlite3_prepare_v2(db, "SELECT count(*) FILTER (WHERE start_utc >= ?1),"
	    " count(*) FILTER (WHERE start_utc < ?1) FROM events", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)host->wall_now());
		if (sqlite3_step(st) == SQLITE_ROW) {
			n[0] = (double)sqlite3_column_int64(st, 0);
			n[1] = (double)sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	host->metric(self, CV_METRIC_GAUGE, "convene_events", "Events stored, by "
	    "whether they start in the future.", "when", "upcoming", n[0]);
	host->metric(self, CV_METRIC_GAUGE, "convene_events", NULL, "when", "past", n[1]);
	n[0] = n[1] = 0;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FILTER (WHERE status = 'confirmed'),"
	    " count(*) FILTER (WHERE status = 'maybe'), count(*) FILTER (WHERE status ="
	    " 'waitlist') FROM registrations", -1, &st, NULL) == SQLITE_OK) {
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
	ready = false;
	settle_timer = seen_timer = 0;
	jobs = NULL;
	self = p;
	tz = host->config(p, "timezone");
	if (when_parse_zone(tz != NULL ? tz : "UTC", &default_zone) == -1) {
		snprintf(err, errlen, "[events] timezone: unknown time zone '%s': " ZONE_HINT, tz);
		return -1;
	}
	v = host->config(p, "reminders");
	if (parse_reminders(v != NULL ? v : REMINDERS_DEFAULT, err, errlen) == -1)
		return -1;
	/* The host checked the typed keys before init (config[] below). */
	retention_s = host->config_int(p, "retention_days") * 86400LL;
	requires_account = host->config_bool(p, "rsvp_requires_account");
	channel = host->config(p, "channel");
	if (channel != NULL && (strchr("#&!+", channel[0]) == NULL || strpbrk(channel, " ,"))) {
		snprintf(err, errlen, "[events] channel: '%s' is not a channel name", channel);
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
