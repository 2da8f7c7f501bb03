/* organiser.c: the organisers' commands: event add, set, cancel, announce, attendees. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events_int.h"

#define TITLE_MAX 200 /* characters */
#define TEXT_MAX 1000 /* description */
#define SHORT_MAX 200 /* location, cancel reason */
#define LINK_MAX 400
#define CHANNEL_MAX 50
#define CAPACITY_MAX 100000

static const char *
usage_add(const char *lang)
{
	return host->tr(lang,
	    "Usage: event add YYYY-MM-DD HH:MM [ZONE] [DURATION] TITLE...");
}

static const char *
usage_set(const char *lang)
{
	return host->tr(lang,
	    "Usage: event set N FIELD VALUE... (FIELD: title, start, duration, "
	    "capacity, description, location, url, join, channel; - clears a text)");
}

static const char *
zone_hint(const char *lang)
{
	return host->tr(lang,
	    "use an IANA name like Europe/Paris, UTC, or an offset like -05:00.");
}

static const char *
duration_err(const char *lang)
{
	return host->tr(lang,
	    "Duration must be between 1 minute and 7 days, e.g. 90m, 2h, 1h30m.");
}

/* Defence in depth: the host checks roles from the table before calling. */
bool
organizer(struct cv_ctx *ctx)
{
	if (ctx->who->role >= CV_ROLE_ORGANIZER)
		return true;
	host->reply(ctx, "%s", host->tr(ctx->lang, "Only organisers can do that."));
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
	int off[2];
	enum when_fit fit;

	if (when_parse_date(date, l) == -1) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "Bad date '%s': write it as YYYY-MM-DD, e.g. 2026-12-02. %s"),
		    echo(w, sizeof(w), date), usage);
		return -1;
	}
	if (when_parse_time(time, l) == -1) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "Bad time '%s': write it as HH:MM on a 24-hour clock, "
		        "e.g. 18:30. %s"),
		    echo(w, sizeof(w), time), usage);
		return -1;
	}
	fit = when_to_utc(z, l, start, off);
	if (fit != WHEN_FIT_ONE) {
		fit_said(err, sizeof(err), z, l, fit, off, ctx->lang);
		host->reply(ctx, "%s", err);
		return -1;
	}
	if (*start <= host->wall_now()) {
		char now[96];

		when_format_lang(now, sizeof(now), host->wall_now(), z, ctx->lang);
		host->reply(ctx,
		    host->tr(ctx->lang, "That time is in the past. It is now %s. %s"),
		    now, usage);
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

void
cmd_event_add(struct cv_ctx *ctx)
{
	struct ev_event e;
	struct when_zone z;
	struct when_local l;
	time_t start;
	int minutes = 60;
	char *rest, w[WHEN_ZONE_MAX + 1], when[400];
	const char *title, *after, *channel;

	if (!organizer(ctx) || default_zone_for(ctx, &z) == -1 ||
	    clean_field(ctx, "title", ctx->argv[2], SIZE_MAX, &rest) == -1)
		return;
	/* Optional ZONE then DURATION before the title, when they look like one. */
	title = rest + strspn(rest, " ");
	after = take_word(title, w, sizeof(w));
	if (w[0] != '\0' && when_looks_like_zone(w)) {
		if (when_parse_zone(w, &z) == -1) {
			host->reply(ctx,
			    host->tr(ctx->lang, "Unknown time zone '%s': %s %s"),
			    echo(when, sizeof(when), w), zone_hint(ctx->lang),
			    usage_add(ctx->lang));
			goto out;
		}
		title = after;
		after = take_word(title, w, sizeof(w));
	}
	if (w[0] != '\0' && when_looks_like_duration(w)) {
		if (when_parse_duration(w, &minutes) == -1) {
			host->reply(ctx, "%s %s", duration_err(ctx->lang),
			    usage_add(ctx->lang));
			goto out;
		}
		title = after;
	}
	if (title[0] == '\0') {
		host->reply(ctx, host->tr(ctx->lang, "The title is missing. %s"),
		    usage_add(ctx->lang));
		goto out;
	}
	if (imp_chars(title) > TITLE_MAX) {
		host->reply(ctx,
		    host->tr(ctx->lang, "Title is too long (max %d characters)."),
		    TITLE_MAX);
		goto out;
	}
	if (resolve_start(ctx, ctx->argv[0], ctx->argv[1], &z, &l, &start,
	        usage_add(ctx->lang)) == -1)
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
	if (host->begin(self) == -1 ||
	    model_event_insert(db(), &e, host->wall_now()) == -1) {
		fail_change(ctx, "event add");
		goto out;
	}
	if (commit(ctx, "event add") == -1)
		goto out;
	changed_event(e.id, CV_EVENTS_CHANGED_FIELDS, NULL);
	host->log(self, CV_LOG_INFO, "event #%lld created", e.id);
	describe_when_lang(when, sizeof(when), &e, NULL, true, ctx->lang);
	host->reply(ctx,
	    host->tr(ctx->lang,
	        "Created #%lld %s: %s. Add details with: event set %lld FIELD VALUE "
	        "(description, location, url, join, capacity, channel)."),
	    e.id, e.title, when, e.id);
out:
	free(rest);
}

/* Is `v` acceptable for field f? Answers and returns false when not. */
static bool
valid_text(struct cv_ctx *ctx, enum ev_field f, const char *v)
{
	switch (f) {
	case EV_FIELD_URL:
		if ((strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
		    strchr(v, ' ') != NULL) {
			host->reply(ctx,
			    host->tr(ctx->lang,
			        "The url must be one http:// or https:// link. %s"),
			    usage_set(ctx->lang));
			return false;
		}
		return true;
	case EV_FIELD_JOIN:
		if (strstr(v, "://") == NULL || strchr(v, ' ') != NULL) {
			host->reply(ctx,
			    host->tr(ctx->lang,
			        "The join link must be one link, e.g. "
			        "https://meet.example.org/room. %s"),
			    usage_set(ctx->lang));
			return false;
		}
		return true;
	case EV_FIELD_CHANNEL:
		if (strchr("#&!+", v[0]) == NULL || v[1] == '\0' ||
		    strpbrk(v, " ,:") != NULL) {
			host->reply(ctx,
			    host->tr(ctx->lang,
			        "The channel must be a channel name like #convene. %s"),
			    usage_set(ctx->lang));
			return false;
		}
		return true;
	default:
		if (v[0] == '\0') {
			host->reply(ctx, host->tr(ctx->lang, "The value is empty. %s"),
			    usage_set(ctx->lang));
			return false;
		}
		return true;
	}
}

/* What changed, to the confirmed people of an event, each in their language. */
void
tell_confirmed(const struct ev_event *e, enum change what)
{
	struct ev_people c = { 0 }, m = { 0 }, w = { 0 };
	const struct ev_people *lists[] = { &c };

	if (model_attendees(db(), e->id, &c, &m, &w) == 0)
		tell_in_languages(lists, 1, e->id, change_text, &what);
	model_people_free(&c);
	model_people_free(&m);
	model_people_free(&w);
}

/* What a field setter hands back to cmd_event_set. */
struct set_out {
	enum change what;          /* told to the confirmed people, or CHANGE_NONE */
	struct ev_people promoted; /* moved off the waitlist by a capacity */
};

struct setter;

/*
 * Sets one field of event e to the value typed, in a transaction it opens:
 * 0, or -1 after answering (and rolling back).
 */
typedef int set_fn(struct cv_ctx *ctx, struct ev_event *e, const struct setter *s,
    const char *value, time_t now, struct set_out *o);

/* A field of `event set`: its setter, and for plain texts their limits. */
struct setter {
	const char *name;
	set_fn *set;
	enum ev_field field; /* texts only */
	size_t max;
	bool clearable;
};

/* title, description, location, url, join, channel: "-" clears all but the title. */
static int
set_text(struct cv_ctx *ctx, struct ev_event *e, const struct setter *tf,
    const char *value, time_t now, struct set_out *o)
{
	char *clean = NULL;
	int rc = -1;

	if (clean_field(ctx, tf->name, value, tf->max, &clean) == -1)
		return -1;
	if (tf->clearable && strcmp(clean, "-") == 0) {
		free(clean);
		clean = NULL;
	} else if (!valid_text(ctx, tf->field, clean)) {
		goto out;
	}
	if (host->begin(self) == -1 ||
	    model_event_set_text(db(), e->id, tf->field, clean, now) != 0) {
		fail_change(ctx, "event set");
		goto out;
	}
	if (tf->field == EV_FIELD_LOCATION)
		o->what = CHANGE_LOCATION;
	else if (tf->field == EV_FIELD_JOIN && clean != NULL)
		o->what = CHANGE_JOIN;
	rc = 0;
out:
	free(clean);
	return rc;
}

/*
 * `start` of event e: "YYYY-MM-DD HH:MM [ZONE]", in e's zone unless one is
 * given, into *z, *l and *start. 0, or -1 after answering.
 */
int
parse_start(struct cv_ctx *ctx, const struct ev_event *e, const char *value,
    struct when_zone *z, struct when_local *l, time_t *start)
{
	char *clean, *p, *date, *time, *zone, *extra, w[48];
	const char *usage =
	    host->tr(ctx->lang, "Usage: event set N start YYYY-MM-DD HH:MM [ZONE]");
	int rc = -1;

	if (clean_field(ctx, "start", value, 100, &clean) == -1)
		return -1;
	p = clean;
	date = next_word(&p);
	time = next_word(&p);
	zone = next_word(&p);
	extra = next_word(&p);
	if (date == NULL || time == NULL || extra != NULL) {
		host->reply(ctx,
		    host->tr(ctx->lang, "Give the date and time, and optionally a zone. %s"),
		    usage);
		goto out;
	}
	if (zone == NULL)
		event_zone(e, z);
	else if (when_parse_zone(zone, z) == -1) {
		host->reply(ctx, host->tr(ctx->lang, "Unknown time zone '%s': %s %s"),
		    echo(w, sizeof(w), zone), zone_hint(ctx->lang), usage);
		goto out;
	}
	rc = resolve_start(ctx, date, time, z, l, start, usage);
out:
	free(clean);
	return rc;
}

/* start: a date and time, in the event's zone unless one is given. */
static int
set_start(struct cv_ctx *ctx, struct ev_event *e, const struct setter *s,
    const char *value, time_t now, struct set_out *o)
{
	struct when_zone z;
	struct when_local l;
	time_t start;
	char d[16], t[8];

	if (parse_start(ctx, e, value, &z, &l, &start) == -1)
		return -1;
	when_format_date(d, sizeof(d), &l);
	when_format_time(t, sizeof(t), &l);
	if (host->begin(self) == -1 ||
	    model_event_set_start(db(), e->id, d, t, z.name, start, now) != 0) {
		fail_change(ctx, "event set start");
		return -1;
	}
	if (start != e->start_utc)
		o->what = CHANGE_START;
	return 0;
}

static int
set_duration(struct cv_ctx *ctx, struct ev_event *e, const struct setter *s,
    const char *value, time_t now, struct set_out *o)
{
	int minutes;

	if (when_parse_duration(value, &minutes) == -1) {
		host->reply(ctx, "%s %s", duration_err(ctx->lang), usage_set(ctx->lang));
		return -1;
	}
	if (host->begin(self) == -1 ||
	    model_event_set_duration(db(), e->id, minutes, now) != 0) {
		fail_change(ctx, "event set duration");
		return -1;
	}
	if (minutes != e->duration_min)
		o->what = CHANGE_DURATION;
	return 0;
}

/* capacity: places move, and people on the waitlist may be promoted. */
static int
set_capacity(struct cv_ctx *ctx, struct ev_event *e, const struct setter *s,
    const char *value, time_t now, struct set_out *o)
{
	char *end;
	long cap = strtol(value, &end, 10);

	if (!isdigit((unsigned char)value[0]) || *end != '\0' || cap > CAPACITY_MAX) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "Capacity must be a number of places from 0 (no limit) to %d. %s"),
		    CAPACITY_MAX, usage_set(ctx->lang));
		return -1;
	}
	if (host->begin(self) == -1 ||
	    model_event_set_capacity(db(), e->id, (int)cap, now, &o->promoted) != 0) {
		fail_change(ctx, "event set capacity");
		return -1;
	}
	return 0;
}

/* title.fr, description.en, ...: the version in another language (texts.c). */
static int
set_lang_text(struct cv_ctx *ctx, struct ev_event *e, const struct setter *s,
    const char *value, time_t now, struct set_out *o)
{
	return set_version(ctx, e, s->name, s->max, value, now);
}

static const struct setter setters[] = {
	{ "title", set_text, EV_FIELD_TITLE, TITLE_MAX, false },
	{ "description", set_text, EV_FIELD_DESCRIPTION, TEXT_MAX, true },
	{ "location", set_text, EV_FIELD_LOCATION, SHORT_MAX, true },
	{ "url", set_text, EV_FIELD_URL, LINK_MAX, true },
	{ "join", set_text, EV_FIELD_JOIN, LINK_MAX, true },
	{ "channel", set_text, EV_FIELD_CHANNEL, CHANNEL_MAX, true },
	{ "start", set_start, 0, 0, false },
	{ "duration", set_duration, 0, 0, false },
	{ "capacity", set_capacity, 0, 0, false },
	{ "title.fr", set_lang_text, EV_FIELD_TITLE, TITLE_MAX, true },
	{ "title.en", set_lang_text, EV_FIELD_TITLE, TITLE_MAX, true },
	{ "description.fr", set_lang_text, EV_FIELD_DESCRIPTION, TEXT_MAX, true },
	{ "description.en", set_lang_text, EV_FIELD_DESCRIPTION, TEXT_MAX, true },
	{ "location.fr", set_lang_text, EV_FIELD_LOCATION, SHORT_MAX, true },
	{ "location.en", set_lang_text, EV_FIELD_LOCATION, SHORT_MAX, true },
};

/* After a field was set: tell the confirmed people what changed, and answer. */
static void
set_told(struct cv_ctx *ctx, long long id, const char *field, const struct set_out *o)
{
	struct ev_event after;
	char places[48];

	if (model_event_get(db(), id, &after) != 0)
		return;
	if (o->what != CHANGE_NONE)
		tell_confirmed(&after, o->what);
	describe_places_lang(places, sizeof(places), &after, ctx->lang);
	if (o->what != CHANGE_NONE)
		host->reply(ctx,
		    host->ntr(ctx->lang, "#%lld %s: %s set; %d confirmed person told.",
		        "#%lld %s: %s set; %d confirmed people told.",
		        (unsigned long)after.n_confirmed),
		    after.id, after.title, field, after.n_confirmed);
	else if (o->promoted.n > 0)
		host->reply(ctx,
		    host->ntr(ctx->lang,
		        "#%lld %s: %s set; %s; %zu promoted from the waitlist and told.",
		        "#%lld %s: %s set; %s; %zu promoted from the waitlist and told.",
		        o->promoted.n),
		    after.id, after.title, field, places, o->promoted.n);
	else
		host->reply(ctx, host->tr(ctx->lang, "#%lld %s: %s set."), after.id,
		    after.title, field);
	model_event_clear(&after);
}

void
cmd_event_set(struct cv_ctx *ctx)
{
	struct ev_event e;
	const char *field = ctx->argv[1];
	struct set_out o = { 0 };
	char w[48];
	size_t i;

	if (!organizer(ctx) || series_cmd_set(ctx) ||
	    load_event(ctx, ctx->argv[0], true, &e) == -1)
		return;
	for (i = 0; i < sizeof(setters) / sizeof(setters[0]); i++)
		if (strcasecmp(field, setters[i].name) == 0)
			break;
	if (i == sizeof(setters) / sizeof(setters[0])) {
		host->reply(ctx, host->tr(ctx->lang, "Unknown field '%s'. %s"),
		    echo(w, sizeof(w), field), usage_set(ctx->lang));
		goto out;
	}
	if (setters[i].set(ctx, &e, &setters[i], ctx->argv[2], host->wall_now(), &o) == -1)
		goto out;
	if (series_own_mark(&e, setters[i].name) < 0) {
		fail_change(ctx, "event set");
		goto out;
	}
	if (commit(ctx, "event set") == -1)
		goto out;
	/* A capacity moves places and may promote people from the waitlist. */
	changed_event(e.id, CV_EVENTS_CHANGED_FIELDS | CV_EVENTS_CHANGED_REGISTRATIONS,
	    NULL);
	/* The field's name from our tables, never the text typed. */
	host->log(self, CV_LOG_INFO, "event #%lld: %s changed", e.id, setters[i].name);
	tell_promoted(&o.promoted);
	set_told(ctx, e.id, field, &o);
out:
	model_people_free(&o.promoted);
	model_event_clear(&e);
}

void
cmd_event_cancel(struct cv_ctx *ctx)
{
	struct ev_event e;
	struct ev_people c = { 0 }, m = { 0 }, w = { 0 };
	const struct ev_people *lists[] = { &c, &m, &w };
	char *reason = NULL;
	size_t told;

	if (!organizer(ctx) || series_cmd_cancel(ctx) ||
	    load_event(ctx, ctx->argv[0], true, &e) == -1)
		return;
	if (ctx->argc > 1 &&
	    clean_field(ctx, "reason", ctx->argv[1], SHORT_MAX, &reason) == -1)
		goto out;
	if (reason != NULL && reason[0] == '\0') {
		free(reason);
		reason = NULL;
	}
	if (e.start_utc + 60LL * e.duration_min <= host->wall_now()) {
		host->reply(ctx, host->tr(ctx->lang, "Event #%lld has already ended."),
		    e.id);
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
	/* The reason as the organiser wrote it, in every language. */
	tell_in_languages(lists, 3, e.id, cancelled_text, reason);
	told = c.n + m.n + w.n;
	host->log(self, CV_LOG_INFO, "event #%lld cancelled, %zu told", e.id, told);
	host->reply(ctx,
	    host->ntr(ctx->lang, "Cancelled #%lld %s; %zu registered person told.",
	        "Cancelled #%lld %s; %zu registered people told.", told),
	    e.id, e.title, told);
out:
	model_people_free(&c);
	model_people_free(&m);
	model_people_free(&w);
	free(reason);
	model_event_clear(&e);
}

/* The announcement, in the channel's language with the event's texts in it. */
static void
announce(struct ev_event *e)
{
	const char *lang = host->channel_lang(e->channel);
	char when[400], places[64];

	/* On error the original texts: still the event. */
	model_event_localise(db(), e, lang);
	describe_when_lang(when, sizeof(when), e, NULL, true, lang);
	describe_places_lang(places, sizeof(places), e, lang);
	host->say(e->channel,
	    host->tr(lang,
	        "#%lld %s: %s; %s. Details: %sevent %lld. Register: %srsvp %lld%s%s"),
	    e->id, e->title, when, places, prefix(), e->id, prefix(), e->id,
	    e->url ? " " : "", e->url ? e->url : "");
}

void
cmd_event_announce(struct cv_ctx *ctx)
{
	struct ev_event e;

	if (!organizer(ctx) || load_event(ctx, ctx->argv[0], true, &e) == -1)
		return;
	if (e.start_utc + 60LL * e.duration_min <= host->wall_now()) {
		host->reply(ctx, host->tr(ctx->lang, "Event #%lld has already ended."),
		    e.id);
	} else if (e.channel == NULL) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "Event #%lld has no channel: set one with event set %lld channel #NAME"),
		    e.id, e.id);
	} else {
		announce(&e);
		host->reply(ctx, host->tr(ctx->lang, "Announced #%lld in %s."), e.id,
		    e.channel);
	}
	model_event_clear(&e);
}

/* "a, b, c" from a list of people, into buf. */
static void
join_nicks(char *buf, size_t n, const struct ev_people *l, const char *lang)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n && len < n; i++) {
		char chan[128];
		const char *name;

		if (relayed(l->v[i].person) &&
		    relayed_where(l->v[i].nick, chan, sizeof(chan), &name))
			len += (size_t)snprintf(buf + len, n - len,
			    host->tr(lang, "%s%s (relayed in %s)"), i ? ", " : "", name,
			    chan);
		else
			len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "",
			    l->v[i].nick);
	}
}

void
cmd_attendees(struct cv_ctx *ctx)
{
	struct ev_event e;
	struct ev_people c = { 0 }, m = { 0 }, w = { 0 };
	const struct {
		const char *name;
		struct ev_people *l;
	} lists[] = {
		{ N_("confirmed: %s"), &c },
		{ N_("maybe: %s"), &m },
		{ N_("waitlist: %s"), &w },
	};
	char *buf;
	size_t cap;

	/* Names are private: never said where a relay repeats them. */
	if (ctx->who->via != NULL) {
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "'attendees' is answered in private only: ask from IRC."));
		return;
	}
	if (!organizer(ctx) || load_event(ctx, ctx->argv[0], false, &e) == -1)
		return;
	if (e.purged) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "#%lld: %d confirmed, %d maybe, %d waitlist (names deleted after "
		        "the retention period)"),
		    e.id, e.n_confirmed, e.n_maybe, e.n_waitlist);
		goto out;
	}
	if (model_attendees(db(), e.id, &c, &m, &w) == -1) {
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Sorry, that did not work: please try again later."));
		goto out;
	}
	host->reply(ctx,
	    host->tr(ctx->lang, "#%lld: %zu confirmed, %zu maybe, %zu waitlist"), e.id,
	    c.n, m.n, w.n);
	/* Nicks are at most a few dozen bytes; the host splits long lines. */
	cap = 64 * (c.n + m.n + w.n) + 1;
	if ((buf = malloc(cap)) == NULL)
		abort();
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (lists[i].l->n == 0)
			continue;
		join_nicks(buf, cap, lists[i].l, ctx->lang);
		host->reply(ctx, host->tr(ctx->lang, lists[i].name), buf);
	}
	free(buf);
out:
	model_people_free(&c);
	model_people_free(&m);
	model_people_free(&w);
	model_event_clear(&e);
}
