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
	size_t n, total;

	if (model_events_upcoming_first(db(), host->wall_now(), LIST_MAX, &v, &n,
	        &total) == -1) {
		host->reply(ctx, "Sorry, that did not work: please try again later.");
		return;
	}
	if (n == 0)
		host->reply(ctx, "No upcoming events.");
	for (size_t i = 0; i < n && i < LIST_MAX; i++) {
		char when[400], places[48];

		describe_when(when, sizeof(when), &v[i], has_zone ? &mine : NULL, false);
		describe_places(places, sizeof(places), &v[i]);
		if (v[i].series_id != 0)
			series_list_line(ctx, &v[i], when, places);
		else if (v[i].cancelled)
			host->reply(ctx, "#%lld %s: CANCELLED (was %s)", v[i].id,
			    v[i].title, when);
		else
			host->reply(ctx, "#%lld %s: %s; %s", v[i].id, v[i].title, when,
			    places);
	}
	if (total > n)
		host->reply(ctx, "... and %zu more later.", total - n);
	model_events_free(v, n);
}

void
cmd_event(struct cv_ctx *ctx)
{
	struct ev_event e;
	struct when_zone mine;
	bool has_zone = asker_zone(ctx, &mine);
	enum ev_status st;
	int pos;
	char when[400], places[64], status[96], path[64];

	if (series_cmd_event(ctx) || load_event(ctx, ctx->argv[0], false, &e) == -1)
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
	host->reply(ctx, "Places: %s, %d confirmed. You: %s.", places, e.n_confirmed,
	    status);
	/* The join link: only for confirmed people and organisers. */
	if (e.join_url != NULL && !e.cancelled && ctx->who->via != NULL &&
	    st == EV_CONFIRMED)
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
		    "Answer yes, maybe or no, not '%s'. Usage: rsvp N [yes|maybe|no]",
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
		host->reply(ctx,
		    "Registering here needs a services account, which nobody "
		    "relayed from another chat has: register from IRC, logged in.");
		return false;
	}
	if (requires_account && ctx->who->account == NULL && want != EV_NONE) {
		host->reply(ctx,
		    "Registering here needs a services account, and you are not "
		    "logged in: log in (e.g. /msg NickServ IDENTIFY yourname yourpassword, or "
		    "SASL), then say 'rsvp %lld' again.",
		    id);
		return false;
	}
	return true;
}

/* Where the asker stands now on event id, after an rsvp. */
static void
rsvp_told(struct cv_ctx *ctx, long long id, const struct rsvp_result *r)
{
	struct ev_event e;

	if (model_event_get(db(), id, &e) != 0)
		return;
	switch (r->after) {
	case EV_CONFIRMED:
		if (e.join_url != NULL && ctx->who->via != NULL)
			host->reply(ctx, "#%lld %s: confirmed. " JOIN_ELSEWHERE, id,
			    e.title);
		else if (e.join_url != NULL)
			host->reply(ctx, "#%lld %s: confirmed. Join: %s", id, e.title,
			    e.join_url);
		else
			host->reply(ctx, "#%lld %s: confirmed.", id, e.title);
		break;
	case EV_WAITLIST:
		host->reply(ctx,
		    "#%lld %s: full, you are on the waitlist, position %d. "
		    "You will be told if a place opens.",
		    id, e.title, r->position);
		break;
	case EV_MAYBE:
		host->reply(ctx,
		    "#%lld %s: maybe. No place is held for you; "
		    "say 'rsvp %lld yes' to take one.",
		    id, e.title, id);
		break;
	case EV_NONE:
		if (r->before == EV_NONE)
			host->reply(ctx, "#%lld %s: you were not registered.", id, e.title);
		else
			host->reply(ctx,
			    "#%lld %s: withdrawn, you are no longer registered.", id,
			    e.title);
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
		    "'%s' is not an event number. Usage: rsvp N [yes|maybe|no]",
		    echo(w, sizeof(w), ctx->argv[0]));
		return;
	}
	if (!rsvp_allowed(ctx, id, want))
		return;
	if (host->begin(self) == -1) {
		host->reply(ctx, "Sorry, that did not work: please try again later.");
		return;
	}
	/* The capacity check and the write share this transaction. */
	rc = model_rsvp(db(), id, ctx->who->id,
	    stored_nick(ctx, nickbuf, sizeof(nickbuf)), want, host->wall_now(), &r);
	if (rc != 0) {
		host->rollback(self);
		if (rc == MODEL_ENOENT)
			host->reply(ctx, "No event #%lld. 'events' lists them.", id);
		else if (rc == MODEL_ECANCELLED)
			host->reply(ctx, "Event #%lld is cancelled.", id);
		else if (rc == MODEL_EPAST)
			host->reply(ctx,
			    "Event #%lld has already started: it takes no more "
			    "registrations.",
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

void
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
		host->reply(ctx,
		    "Your private reminders are off ('remind on' resumes them).");
	if (n == 0)
		host->reply(ctx,
		    "You are not registered for any upcoming event. "
		    "'events' lists them.");
	for (size_t i = 0; i < n && i < LIST_MAX; i++) {
		char when[400], status[48];

		describe_when(when, sizeof(when), &v[i].ev, has_zone ? &mine : NULL, false);
		if (v[i].ev.cancelled)
			snprintf(status, sizeof(status), "event CANCELLED");
		else if (v[i].status == EV_WAITLIST)
			snprintf(status, sizeof(status), "waitlist, position %d",
			    v[i].position);
		else
			snprintf(status, sizeof(status), "%s",
			    model_status_name(v[i].status));
		host->reply(ctx, "#%lld %s: %s; %s", v[i].ev.id, v[i].ev.title, when,
		    status);
	}
	if (total > n)
		host->reply(ctx, "... and %zu more later.", total - n);
	model_mine_free(v, n);
	series_mine(ctx);
}

void
cmd_tz(struct cv_ctx *ctx)
{
	struct when_zone z;
	char w[48], label[WHEN_ZONE_MAX + 4], nickbuf[256];

	if (ctx->argc == 0) {
		if (asker_zone(ctx, &z)) {
			when_zone_label(label, sizeof(label), &z);
			host->reply(ctx, "Your display zone is %s.", label);
		} else {
			host->reply(ctx,
			    "You have no display zone: times are shown in each "
			    "event's zone. Set one with: tz Europe/Paris");
		}
		return;
	}
	if (when_parse_zone(ctx->argv[0], &z) == -1) {
		host->reply(ctx, "Unknown time zone '%s': " ZONE_HINT,
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
	when_zone_label(label, sizeof(label), &z);
	host->reply(ctx, "Your display zone is now %s.", label);
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
	host->reply(ctx,
	    on ? "Private reminders are on: you get one before each event you "
	         "are confirmed for." :
	         "Private reminders are off. 'remind on' resumes them; "
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

void
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
		len += (size_t)snprintf(held + len, sizeof(held) - len,
		    "%s%d registration%s", len ? ", " : "", s.registrations,
		    s.registrations == 1 ? "" : "s");
	if (s.has_tz && len < sizeof(held))
		len += (size_t)snprintf(held + len, sizeof(held) - len,
		    "%syour settings "
		    "(display zone, reminders)",
		    len ? ", " : "");
	if (s.pending > 0 && len < sizeof(held))
		len += (size_t)snprintf(held + len, sizeof(held) - len,
		    "%s%d notice%s kept for "
		    "you",
		    len ? ", " : "", s.pending, s.pending == 1 ? "" : "s");
	if (s.events_created > 0 && len < sizeof(held))
		snprintf(held + len, sizeof(held) - len,
		    "%syour name as creator of %d event%s "
		    "(the events stay)",
		    len ? ", " : "", s.events_created, s.events_created == 1 ? "" : "s");
	deferred_plugins(later, sizeof(later));
	if (held[0] == '\0' && later[0] == '\0')
		host->reply(ctx, "Convene holds nothing about you.");
	else if (held[0] == '\0')
		host->reply(ctx,
		    "Convene holds nothing about you here; plugins not running now "
		    "(%s) may hold more, such as a personal calendar link. 'forget confirm' "
		    "erases that when each next starts.",
		    later);
	else
		host->reply(ctx,
		    "Convene holds: %s, and any personal calendar link. This "
		    "erases all of it for good: say 'forget confirm' to erase it.%s%s%s",
		    held, later[0] ? " Plugins not running now (" : "", later,
		    later[0] ? ") erase their part when each next starts." : "");
}

void
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
		host->reply(ctx,
		    "Erased, except in plugins not running now (%s): each erases "
		    "what it holds about you, such as a personal calendar link, when it next "
		    "starts.",
		    later);
}
