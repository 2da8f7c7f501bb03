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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convene.h"
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

static const struct cv_host *host;
static struct cv_plugin *self;
static struct when_zone default_zone;

static sqlite3 *
db(void)
{
	return host->db(self);
}

static const char *
prefix(void)
{
	const char *p = host->config_of("bot", "prefix");

	return p != NULL ? p : "!";	/* the host's default */
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

/* Number of characters (code points) in valid UTF-8. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
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
	if (utf8_chars(s) > max_chars) {
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

/* Tell each promoted person, in private, that they have a place now. */
static void
tell_promoted(const struct ev_people *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct ev_event e;

		if (model_event_get(db(), l->v[i].event_id, &e) != 0)
			continue;
		if (e.join_url != NULL)
			host->notice(l->v[i].nick, "#%lld %s: a place opened, you are confirmed. "
			    "Join: %s", e.id, e.title, e.join_url);
		else
			host->notice(l->v[i].nick, "#%lld %s: a place opened, you are confirmed.",
			    e.id, e.title);
		model_event_clear(&e);
	}
	if (l->n > 0)
		host->log(self, CV_LOG_INFO, "promoted %zu from waitlists", l->n);
}

/* The same notice to every nick of some lists of people. */
static void
tell_people(const struct ev_people *const *lists, size_t nlists, const char *text)
{
	const char **nicks = NULL;
	size_t n = 0;

	for (size_t i = 0; i < nlists; i++) {
		for (size_t j = 0; j < lists[i]->n; j++) {
			if ((nicks = realloc(nicks, (n + 1) * sizeof(*nicks))) == NULL)
				abort();
			nicks[n++] = lists[i]->v[j].nick;
		}
	}
	if (n > 0)
		host->notice_many(nicks, n, text);
	free(nicks);
}

static void
changed(void)
{
	host->publish("events.changed", NULL);
}

/* ---- everyone ---- */

static void
cmd_events(struct cv_ctx *ctx)
{
	struct ev_event *v;
	struct when_zone mine;
	bool has_zone = asker_zone(ctx, &mine);
	size_t n;

	if (model_events_upcoming(db(), host->wall_now(), &v, &n) == -1) {
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
	if (n > LIST_MAX)
		host->reply(ctx, "... and %zu more later.", n - LIST_MAX);
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
	char when[400], places[64], status[96];

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
	if (e.join_url != NULL && !e.cancelled &&
	    (st == EV_CONFIRMED || ctx->who->role >= CV_ROLE_ORGANIZER))
		host->reply(ctx, "Join: %s", e.join_url);
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
	char w[48];
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
	if (host->begin(self) == -1) {
		host->reply(ctx, "Sorry, that did not work: please try again later.");
		return;
	}
	/* The capacity check and the write share this transaction. */
	rc = model_rsvp(db(), id, ctx->who->id, ctx->who->nick, want, host->wall_now(), &r);
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
	if (model_person_seen(db(), ctx->who->id, ctx->who->nick) == -1 ||
	    commit(ctx, "rsvp") == -1) {
		model_people_free(&r.promoted);
		return;
	}
	if (r.before != r.after || r.promoted.n > 0)
		changed();
	tell_promoted(&r.promoted);
	model_people_free(&r.promoted);

	if (model_event_get(db(), id, &e) != 0)
		return;
	switch (r.after) {
	case EV_CONFIRMED:
		if (e.join_url != NULL)
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

static void
cmd_mine(struct cv_ctx *ctx)
{
	struct ev_mine *v;
	struct when_zone mine;
	bool has_zone = asker_zone(ctx, &mine);
	size_t n;

	if (model_mine(db(), ctx->who->id, host->wall_now(), &v, &n) == -1) {
		host->reply(ctx, "Sorry, that did not work: please try again later.");
		return;
	}
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
	if (n > LIST_MAX)
		host->reply(ctx, "... and %zu more later.", n - LIST_MAX);
	model_mine_free(v, n);
}

static void
cmd_tz(struct cv_ctx *ctx)
{
	struct when_zone z;
	char w[48], label[WHEN_ZONE_MAX + 4];

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
	    model_person_set_tz(db(), ctx->who->id, ctx->who->nick, z.name) == -1) {
		fail_change(ctx, "tz");
		return;
	}
	if (commit(ctx, "tz") == -1)
		return;
	when_zone_label(label, sizeof(label), &z);
	host->reply(ctx, "Your display zone is now %s.", label);
}

static void
cmd_forget(struct cv_ctx *ctx)
{
	struct forget_summary s;
	char held[256] = "";
	size_t len = 0;

	if (model_forget_summary(db(), ctx->who->id, &s) == -1) {
		host->reply(ctx, "Sorry, that did not work: please try again later.");
		return;
	}
	if (s.registrations > 0)
		len += (size_t)snprintf(held + len, sizeof(held) - len, "%s%d registration%s",
		    len ? ", " : "", s.registrations, s.registrations == 1 ? "" : "s");
	if (s.has_tz && len < sizeof(held))
		len += (size_t)snprintf(held + len, sizeof(held) - len, "%syour display zone",
		    len ? ", " : "");
	if (s.events_created > 0 && len < sizeof(held))
		snprintf(held + len, sizeof(held) - len, "%syour name as creator of %d event%s "
		    "(the events stay)", len ? ", " : "", s.events_created,
		    s.events_created == 1 ? "" : "s");
	if (held[0] == '\0')
		host->reply(ctx, "Convene holds nothing about you.");
	else
		host->reply(ctx, "Convene holds: %s. This erases all of it for good: "
		    "say 'forget confirm' to erase it.", held);
}

static void
cmd_forget_confirm(struct cv_ctx *ctx)
{
	struct ev_people promoted = { 0 };

	if (host->begin(self) == -1 ||
	    model_forget(db(), ctx->who->id, host->wall_now(), &promoted) == -1) {
		model_people_free(&promoted);
		fail_change(ctx, "forget");
		return;
	}
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
	host->reply(ctx, "Erased: Convene holds nothing about you any more.");
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
	if (utf8_chars(title) > TITLE_MAX) {
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
	changed();
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
tell_confirmed(long long id, const char *text)
{
	struct ev_people c = { 0 }, m = { 0 }, w = { 0 };
	const struct ev_people *lists[] = { &c };

	if (model_attendees(db(), id, &c, &m, &w) == 0)
		tell_people(lists, 1, text);
	model_people_free(&c);
	model_people_free(&m);
	model_people_free(&w);
}

static void
cmd_event_set(struct cv_ctx *ctx)
{
	struct ev_event e, after;
	const char *field = ctx->argv[1], *value = ctx->argv[2];
	char *clean = NULL, w[48], when[400], msg[600] = "";
	struct ev_people promoted = { 0 };
	time_t now = host->wall_now();
	size_t i;
	int rc = -1;

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
			snprintf(msg, sizeof(msg), "#%lld %s has changed: %s%s.", e.id, e.title,
			    clean ? "it now takes place at " : "the location was removed",
			    clean ? clean : "");
		else if (tf->field == EV_FIELD_JOIN && clean != NULL)
			snprintf(msg, sizeof(msg), "#%lld %s has a new join link: %s", e.id,
			    e.title, clean);
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
			snprintf(msg, sizeof(msg), "#%lld %s has moved: it now takes place %s.",
			    e.id, e.title, when);
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
			snprintf(msg, sizeof(msg), "#%lld %s has a new length: it now takes place %s.",
			    e.id, e.title, when);
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
	changed();
	/* The field's name from our tables, never the text typed. */
	host->log(self, CV_LOG_INFO, "event #%lld: %s changed", e.id,
	    i < sizeof(text_fields) / sizeof(text_fields[0]) ? text_fields[i].name :
	    strcasecmp(field, "start") == 0 ? "start" :
	    strcasecmp(field, "duration") == 0 ? "duration" : "capacity");
	tell_promoted(&promoted);
	if (msg[0] != '\0')
		tell_confirmed(e.id, msg);
	if (model_event_get(db(), e.id, &after) == 0) {
		char places[48];

		describe_places(places, sizeof(places), &after);
		if (msg[0] != '\0')
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
	model_event_clear(&e);
}

static void
cmd_event_cancel(struct cv_ctx *ctx)
{
	struct ev_event e;
	struct ev_people c = { 0 }, m = { 0 }, w = { 0 };
	const struct ev_people *lists[] = { &c, &m, &w };
	char *reason = NULL, msg[600];
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
	changed();
	snprintf(msg, sizeof(msg), "#%lld %s is cancelled%s%s", e.id, e.title,
	    reason ? ": " : ".", reason ? reason : "");
	tell_people(lists, 3, msg);
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
	for (size_t i = 0; i < l->n && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", l->v[i].nick);
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

	if (!organizer(ctx) || load_event(ctx, ctx->argv[0], false, &e) == -1)
		return;
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

static const struct cv_command commands[] = {
	{ "events", "", "list upcoming events", 0, 0, CV_ROLE_MEMBER, 0, cmd_events },
	{ "event", "N", "show one event", 1, 1, CV_ROLE_MEMBER, 0, cmd_event },
	{ "rsvp", "N [yes|maybe|no]", "register for an event, or withdraw", 1, 2,
	    CV_ROLE_MEMBER, 0, cmd_rsvp },
	{ "mine", "", "list your registrations", 0, 0, CV_ROLE_MEMBER, 0, cmd_mine },
	{ "tz", "[ZONE]", "show or set the zone times are shown in", 0, 1,
	    CV_ROLE_MEMBER, 0, cmd_tz },
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
};

/* Keep stored nicks current, so notices reach people who changed nick. */
static void
on_person_seen(void *arg, const char *topic, const void *data)
{
	const struct cv_person *p = data;

	if (p == NULL || p->id == NULL || p->nick == NULL)
		return;
	if (host->begin(self) == -1)
		return;
	if (model_person_seen(db(), p->id, p->nick) == -1)
		host->rollback(self);
	else
		host->commit(self);
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

static int
events_init(struct cv_plugin *p, const struct cv_host *h, char *err, size_t errlen)
{
	const char *tz, *channel;

	host = h;
	self = p;
	tz = host->config(p, "timezone");
	if (when_parse_zone(tz != NULL ? tz : "UTC", &default_zone) == -1) {
		snprintf(err, errlen, "[events] timezone: unknown time zone '%s': " ZONE_HINT, tz);
		return -1;
	}
	channel = host->config(p, "channel");
	if (channel != NULL && (strchr("#&!+", channel[0]) == NULL || strpbrk(channel, " ,"))) {
		snprintf(err, errlen, "[events] channel: '%s' is not a channel name", channel);
		return -1;
	}
	if (host->migrate(p, model_schema, model_schema_steps) == -1) {
		snprintf(err, errlen, "could not prepare the events tables");
		return -1;
	}
	restamp_all();
	if (host->subscribe(p, CV_TOPIC_PERSON_SEEN, on_person_seen, NULL) == -1 ||
	    host->commands(p, commands, sizeof(commands) / sizeof(commands[0])) == -1) {
		snprintf(err, errlen, "could not register the events commands");
		return -1;
	}
	return 0;
}

static void
events_fini(struct cv_plugin *p)
{
	host = NULL;
	self = NULL;
}

static const char *const config_keys[] = {
	"timezone", "channel", "reminders", "retention_days", NULL,
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
	.config_keys = config_keys,
	.init = events_init,
	.fini = events_fini,
};
extern const struct cv_plugin_desc convene_plugin __attribute__((alias("events_plugin")));
