/* member.c: the commands everyone may use: events, event, rsvp, mine, tz, remind, forget. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events_int.h"

#define LIST_MAX 15 /* lines of `events` and `mine` */

void
cmd_events(struct cv_ctx *ctx)
{
	struct ev_event *v;
	struct when_zone mine;
	bool has_zone = asker_zone(ctx, &mine);
	const char *lang = reader(ctx);
	size_t n, total;

	if (model_events_upcoming_first(db(), host->wall_now(), LIST_MAX, &v, &n,
	        &total) == -1) {
		host->reply(ctx, "%s",
		    host->tr(lang, "Sorry, that did not work: please try again later."));
		return;
	}
	if (n == 0)
		host->reply(ctx, "%s", host->tr(lang, "No upcoming events."));
	for (size_t i = 0; i < n && i < LIST_MAX; i++) {
		char when[400], places[48];

		localise(&v[i], lang);
		describe_when_lang(when, sizeof(when), &v[i], has_zone ? &mine : NULL,
		    false, lang);
		describe_places_lang(places, sizeof(places), &v[i], lang);
		if (v[i].series_id != 0)
			series_list_line(ctx, &v[i], when, places);
		else if (v[i].cancelled)
			host->reply(ctx, host->tr(lang, "#%lld %s: CANCELLED (was %s)"),
			    v[i].id, v[i].title, when);
		else
			host->reply(ctx, host->tr(lang, "#%lld %s: %s; %s"), v[i].id,
			    v[i].title, when, places);
	}
	if (total > n)
		host->reply(ctx,
		    host->ntr(lang, "... and %zu more later.", "... and %zu more later.",
		        total - n),
		    total - n);
	model_events_free(v, n);
}

/* One field's other versions, for organisers: "Title (fr): ...". */
static void
field_versions(struct cv_ctx *ctx, const char *lang, long long id, const char *field,
    const char *shown, const char *orig)
{
	static const char *const langs[] = { "en", "fr" };
	char *buf = cv_xmalloc(MODEL_TEXT_MAX);
	const char *label;

	if (strcmp(field, "title") == 0)
		label = host->tr(lang, "Title");
	else if (strcmp(field, "description") == 0)
		label = host->tr(lang, "About");
	else
		label = host->tr(lang, "Where");
	if (orig != NULL && (shown == NULL || strcmp(orig, shown) != 0))
		host->reply(ctx, "%s (%s): %s", label, host->tr(lang, "original"), orig);
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		if (model_text_get(db(), id, langs[i], field, buf, MODEL_TEXT_MAX) == 1 &&
		    (shown == NULL || strcmp(buf, shown) != 0))
			host->reply(ctx, "%s (%s): %s", label, langs[i], buf);
	free(buf);
}

/* An organiser sees every version of the texts; orig is the event as stored. */
static void
event_versions(struct cv_ctx *ctx, const char *lang, const struct ev_event *e,
    const struct ev_event *orig)
{
	field_versions(ctx, lang, e->id, "title", e->title, orig->title);
	field_versions(ctx, lang, e->id, "description", e->description, orig->description);
	field_versions(ctx, lang, e->id, "location", e->location, orig->location);
}

/* `event N`'s places and the asker's status, then the join link and feed. */
static void
event_tail(struct cv_ctx *ctx, const char *lang, const struct ev_event *e)
{
	enum ev_status st;
	int pos;
	char places[64], status[96], path[64];

	model_status(db(), e->id, ctx->who->id, &st, &pos);
	if (st == EV_NONE && !e->cancelled)
		snprintf(status, sizeof(status),
		    host->tr(lang, "not registered (rsvp %lld)"), e->id);
	else
		describe_status(status, sizeof(status), st, pos, lang);
	describe_places_lang(places, sizeof(places), e, lang);
	host->reply(ctx, host->tr(lang, "Places: %s, %d confirmed. You: %s."), places,
	    e->n_confirmed, status);
	/* The join link: only for confirmed people and organisers. */
	if (e->join_url != NULL && !e->cancelled && ctx->who->via != NULL &&
	    st == EV_CONFIRMED)
		host->reply(ctx, "%s",
		    host->tr(lang,
		        "The join link is given in private only: ask the event's "
		        "organisers for it, or register from IRC."));
	else if (e->join_url != NULL && !e->cancelled &&
	    (st == EV_CONFIRMED || ctx->who->role >= CV_ROLE_ORGANIZER))
		host->reply(ctx, host->tr(lang, "Join: %s"), e->join_url);
	/* The event's feed, at the path README promises, when a route takes it. */
	snprintf(path, sizeof(path), "/calendars/event/%lld.ics", e->id);
	if (host->base_url() != NULL && host->serves(path))
		host->reply(ctx, host->tr(lang, "Calendar: %s%s"), host->base_url(), path);
}

void
cmd_event(struct cv_ctx *ctx)
{
	struct ev_event e, orig;
	struct when_zone mine;
	bool has_zone = asker_zone(ctx, &mine);
	bool both = ctx->who->role >= CV_ROLE_ORGANIZER;
	const char *lang = reader(ctx);
	char when[400];

	if (series_cmd_event(ctx) || load_event(ctx, ctx->argv[0], false, &e) == -1)
		return;
	if (both && model_event_get(db(), e.id, &orig) != 0)
		both = false;
	localise(&e, lang);
	describe_when_lang(when, sizeof(when), &e, has_zone ? &mine : NULL, true, lang);
	if (e.cancelled && e.cancel_reason != NULL)
		host->reply(ctx, host->tr(lang, "#%lld %s: CANCELLED: %s"), e.id, e.title,
		    e.cancel_reason);
	else if (e.cancelled)
		host->reply(ctx, host->tr(lang, "#%lld %s: CANCELLED"), e.id, e.title);
	else
		host->reply(ctx, "#%lld %s", e.id, e.title);
	host->reply(ctx, host->tr(lang, "When: %s"), when);
	if (e.description != NULL)
		host->reply(ctx, host->tr(lang, "About: %s"), e.description);
	if (e.location != NULL)
		host->reply(ctx, host->tr(lang, "Where: %s"), e.location);
	if (e.url != NULL)
		host->reply(ctx, host->tr(lang, "Page: %s"), e.url);
	if (both) {
		event_versions(ctx, lang, &e, &orig);
		model_event_clear(&orig);
	}
	event_tail(ctx, lang, &e);
	model_event_clear(&e);
}

/* The answer word of `rsvp N [yes|maybe|no]`: 0, or -1 after answering. */
static int
rsvp_answer(struct cv_ctx *ctx, enum ev_status *want)
{
	static const struct {
		const char *word;
		enum ev_status want;
	} answers[] = {
		{ "yes", EV_CONFIRMED },
		{ "maybe", EV_MAYBE },
		{ "no", EV_NONE },
	};
	char w[48];
	size_t i;

	*want = EV_CONFIRMED;
	if (ctx->argc <= 1)
		return 0;
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++)
		if (strcasecmp(ctx->argv[1], answers[i].word) == 0)
			break;
	if (i == sizeof(answers) / sizeof(answers[0])) {
		host->reply(ctx,
		    host->tr(reader(ctx),
		        "Answer yes, maybe or no, not '%s'. Usage: rsvp N [yes|maybe|no]"),
		    echo(w, sizeof(w), ctx->argv[1]));
		return -1;
	}
	*want = answers[i].want;
	return 0;
}

/* [events] rsvp_requires_account: may the asker take a place? Answers when not. */
static bool
rsvp_allowed(struct cv_ctx *ctx, long long id, enum ev_status want)
{
	/* Withdrawing stays open to all: it frees a place, it takes none. */
	if (requires_account && ctx->who->via != NULL && want != EV_NONE) {
		host->reply(ctx, "%s",
		    host->tr(reader(ctx),
		        "Registering here needs a services account, which nobody "
		        "relayed from another chat has: register from IRC, logged in."));
		return false;
	}
	if (requires_account && ctx->who->account == NULL && want != EV_NONE) {
		host->reply(ctx,
		    host->tr(reader(ctx),
		        "Registering here needs a services account, and you are not "
		        "logged in: log in (e.g. /msg NickServ IDENTIFY yourname "
		        "yourpassword, or SASL), then say 'rsvp %lld' again."),
		    id);
		return false;
	}
	return true;
}

/* Where the asker stands now on event id, after an rsvp. */
static void
rsvp_told(struct cv_ctx *ctx, long long id, const struct rsvp_result *r)
{
	const char *lang = reader(ctx);
	struct ev_event e;

	if (model_event_brief(db(), id, lang, &e) != 0)
		return;
	switch (r->after) {
	case EV_CONFIRMED:
		if (e.join_url != NULL && ctx->who->via != NULL)
			host->reply(ctx,
			    host->tr(lang,
			        "#%lld %s: confirmed. The join link is given in private "
			        "only: ask the event's organisers for it, or register "
			        "from IRC."),
			    id, e.title);
		else if (e.join_url != NULL)
			host->reply(ctx, host->tr(lang, "#%lld %s: confirmed. Join: %s"),
			    id, e.title, e.join_url);
		else
			host->reply(ctx, host->tr(lang, "#%lld %s: confirmed."), id,
			    e.title);
		break;
	case EV_WAITLIST:
		host->reply(ctx,
		    host->tr(lang,
		        "#%lld %s: full, you are on the waitlist, position %d. "
		        "You will be told if a place opens."),
		    id, e.title, r->position);
		break;
	case EV_MAYBE:
		host->reply(ctx,
		    host->tr(lang,
		        "#%lld %s: maybe. No place is held for you; "
		        "say 'rsvp %lld yes' to take one."),
		    id, e.title, id);
		break;
	case EV_NONE:
		if (r->before == EV_NONE)
			host->reply(ctx,
			    host->tr(lang, "#%lld %s: you were not registered."), id,
			    e.title);
		else
			host->reply(ctx,
			    host->tr(lang,
			        "#%lld %s: withdrawn, you are no longer registered."),
			    id, e.title);
		break;
	}
	model_event_clear(&e);
}

void
cmd_rsvp(struct cv_ctx *ctx)
{
	enum ev_status want;
	struct rsvp_result r;
	long long id;
	char w[48], nickbuf[256];
	int rc;

	if (series_cmd_rsvp_all(ctx) || rsvp_answer(ctx, &want) == -1 ||
	    (rc = series_resolve(ctx, ctx->argv[0], &id)) < 0)
		return;
	if (rc > 0 && parse_id(ctx->argv[0], &id) == -1) {
		host->reply(ctx,
		    host->tr(reader(ctx),
		        "'%s' is not an event number. Usage: rsvp N [yes|maybe|no]"),
		    echo(w, sizeof(w), ctx->argv[0]));
		return;
	}
	if (!rsvp_allowed(ctx, id, want))
		return;
	if (host->begin(self) == -1) {
		host->reply(ctx, "%s",
		    host->tr(reader(ctx),
		        "Sorry, that did not work: please try again later."));
		return;
	}
	/* The capacity check and the write share this transaction. */
	rc = model_rsvp(db(), id, ctx->who->id,
	    stored_nick(ctx, nickbuf, sizeof(nickbuf)), want, host->wall_now(), &r);
	if (rc != 0) {
		host->rollback(self);
		if (rc == MODEL_ENOENT)
			host->reply(ctx,
			    host->tr(reader(ctx), "No event #%lld. 'events' lists them."),
			    id);
		else if (rc == MODEL_ECANCELLED)
			host->reply(ctx,
			    host->tr(reader(ctx), "Event #%lld is cancelled."), id);
		else if (rc == MODEL_EPAST)
			host->reply(ctx,
			    host->tr(reader(ctx),
			        "Event #%lld has already started: it takes no more "
			        "registrations."),
			    id);
		else
			fail_change(ctx, "rsvp");
		return;
	}
	if (model_person_seen(db(), ctx->who->id,
	        stored_nick(ctx, nickbuf, sizeof(nickbuf))) == -1 ||
	    commit(ctx, "rsvp") == -1) {
		model_people_free(&r.promoted);
		return;
	}
	if (r.before != r.after || r.promoted.n > 0)
		changed_event(id, CV_EVENTS_CHANGED_REGISTRATIONS, ctx->who->id);
	tell_promoted(&r.promoted);
	model_people_free(&r.promoted);
	rsvp_told(ctx, id, &r);
}

/* `mine`'s last line: the asker's language, and how to change it. */
static void
mine_lang(struct cv_ctx *ctx, const char *lang)
{
	host->reply(ctx,
	    host->tr(lang, "Your language: %s (say 'lang en' or 'lang fr' to change it)."),
	    host->person_lang(ctx->who->id));
}

void
cmd_mine(struct cv_ctx *ctx)
{
	struct ev_mine *v;
	struct when_zone mine;
	bool has_zone = asker_zone(ctx, &mine);
	bool remind = true;
	const char *lang = reader(ctx);
	size_t n, total;

	deliver_kept(ctx->who->id, ctx->who->nick, ctx);
	if (model_mine_first(db(), ctx->who->id, host->wall_now(), LIST_MAX, &v, &n,
	        &total) == -1) {
		host->reply(ctx, "%s",
		    host->tr(lang, "Sorry, that did not work: please try again later."));
		return;
	}
	model_person_reminders(db(), ctx->who->id, &remind);
	if (n > 0 && !remind)
		host->reply(ctx, "%s",
		    host->tr(lang,
		        "Your private reminders are off ('remind on' resumes them)."));
	if (n == 0)
		host->reply(ctx, "%s",
		    host->tr(lang,
		        "You are not registered for any upcoming event. 'events' lists them."));
	for (size_t i = 0; i < n && i < LIST_MAX; i++) {
		char when[400], status[96];

		localise(&v[i].ev, lang);
		describe_when_lang(when, sizeof(when), &v[i].ev, has_zone ? &mine : NULL,
		    false, lang);
		if (v[i].ev.cancelled)
			snprintf(status, sizeof(status), "%s",
			    host->tr(lang, "event CANCELLED"));
		else
			describe_status(status, sizeof(status), v[i].status,
			    v[i].position, lang);
		host->reply(ctx, host->tr(lang, "#%lld %s: %s; %s"), v[i].ev.id,
		    v[i].ev.title, when, status);
	}
	if (total > n)
		host->reply(ctx,
		    host->ntr(lang, "... and %zu more later.", "... and %zu more later.",
		        total - n),
		    total - n);
	model_mine_free(v, n);
	series_mine(ctx);
	mine_lang(ctx, lang);
}

/* A zone as `tz` takes it, then in French as dates name it: "Europe/Paris (heure de Paris)". */
static void
zone_words(char *buf, size_t n, const struct when_zone *z, const char *lang)
{
	char name[WHEN_ZONE_MAX + 4], label[2 * WHEN_ZONE_MAX];

	when_zone_label(name, sizeof(name), z);
	when_zone_label_lang(label, sizeof(label), z, lang);
	if (strcmp(name, label) == 0)
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "%s %s", name, label);
}

void
cmd_tz(struct cv_ctx *ctx)
{
	struct when_zone z;
	char w[48], label[3 * WHEN_ZONE_MAX + 8], nickbuf[256];

	if (ctx->argc == 0) {
		if (asker_zone(ctx, &z)) {
			zone_words(label, sizeof(label), &z, reader(ctx));
			host->reply(ctx,
			    host->tr(reader(ctx), "Your display zone is %s."), label);
		} else {
			host->reply(ctx, "%s",
			    host->tr(reader(ctx),
			        "You have no display zone: times are shown in each "
			        "event's zone. Set one with: tz Europe/Paris"));
		}
		return;
	}
	if (when_parse_zone(ctx->argv[0], &z) == -1) {
		host->reply(ctx,
		    host->tr(reader(ctx),
		        "Unknown time zone '%s': use an IANA name like Europe/Paris, "
		        "UTC, or an offset like -05:00."),
		    echo(w, sizeof(w), ctx->argv[0]));
		return;
	}
	if (host->begin(self) == -1 ||
	    model_person_set_tz(db(), ctx->who->id,
	        stored_nick(ctx, nickbuf, sizeof(nickbuf)), z.name) == -1) {
		fail_change(ctx, "tz");
		return;
	}
	if (commit(ctx, "tz") == -1)
		return;
	zone_words(label, sizeof(label), &z, reader(ctx));
	host->reply(ctx, host->tr(reader(ctx), "Your display zone is now %s."), label);
}

void
cmd_remind(struct cv_ctx *ctx)
{
	char w[48], nickbuf[256];
	bool on;

	if (strcasecmp(ctx->argv[0], "on") == 0) {
		on = true;
	} else if (strcasecmp(ctx->argv[0], "off") == 0) {
		on = false;
	} else {
		host->reply(ctx,
		    host->tr(reader(ctx), "Say 'remind off' or 'remind on', not '%s'."),
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
	host->reply(ctx, "%s",
	    on ? host->tr(reader(ctx),
	             "Private reminders are on: you get one before each event you "
	             "are confirmed for.") :
	         host->tr(reader(ctx),
	             "Private reminders are off. 'remind on' resumes them; "
	             "changes and cancellations are still told."));
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

/* What `forget` would erase, "2 registrations, ...", in lang; "" when nothing. */
static void
forget_held(char *held, size_t n, const struct forget_summary *s, const char *lang)
{
	size_t len = 0;

	held[0] = '\0';
	if (s->registrations > 0)
		len += (size_t)snprintf(held + len, n - len,
		    host->ntr(lang, "%d registration", "%d registrations",
		        (unsigned long)s->registrations),
		    s->registrations);
	if (s->has_tz && len < n)
		len += (size_t)snprintf(held + len, n - len, "%s%s", len ? ", " : "",
		    host->tr(lang, "your settings (display zone, reminders)"));
	if (s->pending > 0 && len < n)
		len += (size_t)snprintf(held + len, n - len, "%s", len ? ", " : "");
	if (s->pending > 0 && len < n)
		len += (size_t)snprintf(held + len, n - len,
		    host->ntr(lang, "%d notice kept for you", "%d notices kept for you",
		        (unsigned long)s->pending),
		    s->pending);
	if (s->events_created > 0 && len < n)
		len += (size_t)snprintf(held + len, n - len, "%s", len ? ", " : "");
	if (s->events_created > 0 && len < n)
		snprintf(held + len, n - len,
		    host->ntr(lang, "your name as creator of %d event (the events stay)",
		        "your name as creator of %d events (the events stay)",
		        (unsigned long)s->events_created),
		    s->events_created);
}

void
cmd_forget(struct cv_ctx *ctx)
{
	struct forget_summary s;
	const char *lang = reader(ctx);
	char held[512], later[256];

	if (model_forget_summary(db(), ctx->who->id, &s) == -1) {
		host->reply(ctx, "%s",
		    host->tr(lang, "Sorry, that did not work: please try again later."));
		return;
	}
	forget_held(held, sizeof(held), &s, lang);
	deferred_plugins(later, sizeof(later));
	if (held[0] == '\0' && later[0] == '\0')
		host->reply(ctx, "%s", host->tr(lang, "Convene holds nothing about you."));
	else if (held[0] == '\0')
		host->reply(ctx,
		    host->tr(lang,
		        "Convene holds nothing about you here; plugins not running now "
		        "(%s) may hold more, such as a personal calendar link. 'forget "
		        "confirm' erases that when each next starts."),
		    later);
	else if (later[0] == '\0')
		host->reply(ctx,
		    host->tr(lang,
		        "Convene holds: %s, and any personal calendar link. This erases "
		        "all of it for good: say 'forget confirm' to erase it."),
		    held);
	else
		host->reply(ctx,
		    host->tr(lang,
		        "Convene holds: %s, and any personal calendar link. This erases "
		        "all of it for good: say 'forget confirm' to erase it. Plugins "
		        "not running now (%s) erase their part when each next starts."),
		    held, later);
}

void
cmd_forget_confirm(struct cv_ctx *ctx)
{
	struct ev_people promoted = { 0 };
	const char *lang = reader(ctx);
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
		host->reply(ctx, "%s",
		    host->tr(lang, "Erased: Convene holds nothing about you any more."));
	else
		host->reply(ctx,
		    host->tr(lang,
		        "Erased, except in plugins not running now (%s): each erases "
		        "what it holds about you, such as a personal calendar link, when "
		        "it next starts."),
		    later);
}
