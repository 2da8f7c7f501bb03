/* series_member.c: `rsvp N all` (standing registrations) and their line in `mine`. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events_int.h"
#include "model_series.h"
#include "series_int.h"

static void
people_add_one(struct ev_people *l, const struct ev_person *p)
{
	l->v = cv_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n].event_id = p->event_id;
	l->v[l->n].person = p->person != NULL ? cv_xstrdup(p->person) : NULL;
	l->v[l->n].nick = p->nick != NULL ? cv_xstrdup(p->nick) : NULL;
	l->n++;
}

/* `rsvp N all [yes|no]` for every future occurrence: the ones made, in order. */
static void
standing_apply(struct cv_ctx *ctx, long long id, bool yes_all, const char *nick)
{
	struct ev_event *v = NULL;
	struct ev_people promoted = { 0 };
	size_t n = 0;
	int confirmed = 0, waiting = 0;

	if (host->begin(self) == -1 ||
	    (yes_all ? model_standing_add(db(), id, ctx->who->id, nick, host->wall_now()) :
	               model_standing_del(db(), id, ctx->who->id)) == -1 ||
	    model_series_children(db(), id, host->wall_now(), &v, &n) == -1) {
		fail_change(ctx, "rsvp all");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct rsvp_result r = { 0 };

		if (v[i].cancelled || v[i].start_utc <= host->wall_now())
			continue;
		if (model_rsvp(db(), v[i].id, ctx->who->id, nick,
		        yes_all ? EV_CONFIRMED : EV_NONE, host->wall_now(), &r) != 0)
			continue;
		confirmed += r.after == EV_CONFIRMED;
		waiting += r.after == EV_WAITLIST;
		for (size_t j = 0; j < r.promoted.n; j++)
			people_add_one(&promoted, &r.promoted.v[j]);
		model_people_free(&r.promoted);
	}
	if (commit(ctx, "rsvp all") == 0) {
		changed_event(id, CV_EVENTS_CHANGED_REGISTRATIONS, ctx->who->id);
		tell_promoted(&promoted);
		if (yes_all)
			host->reply(ctx,
			    host->tr(ctx->lang,
			        "You are registered for every occurrence of #%lld, "
			        "and each later one as it is scheduled: %d "
			        "confirmed, %d on the waitlist so far."),
			    id, confirmed, waiting);
		else
			host->reply(ctx,
			    host->tr(ctx->lang,
			        "You are no longer registered for the occurrences "
			        "of #%lld."),
			    id);
	}
	for (size_t j = 0; j < promoted.n; j++) {
		free(promoted.v[j].person);
		free(promoted.v[j].nick);
	}
	free(promoted.v);
	model_events_free(v, n);
}

/* `rsvp N all [yes|no]`: true when the command was that. */
bool
series_cmd_rsvp_all(struct cv_ctx *ctx)
{
	struct ev_series_row row;
	char nickbuf[256];
	long long id;
	bool yes_all;

	if (ctx->argc < 2 || strcasecmp(ctx->argv[1], "all") != 0) {
		if (ctx->argc < 3)
			return false;
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "Usage: %srsvp N [yes|maybe|no], or %srsvp N "
		        "all [yes|no] for a series."),
		    prefix(), prefix());
		return true;
	}
	if (!series_plain(ctx->argv[0], &id, &row)) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "'rsvp N all' is for a series: 'event N' says whether "
		        "N is one."));
		return true;
	}
	if (ctx->argc > 2 && strcasecmp(ctx->argv[2], "yes") != 0 &&
	    strcasecmp(ctx->argv[2], "no") != 0) {
		host->reply(ctx, host->tr(ctx->lang, "Usage: rsvp N all [yes|no]."));
		return true;
	}
	yes_all = ctx->argc < 3 || strcasecmp(ctx->argv[2], "yes") == 0;
	/* As rsvp_allowed() in member.c: withdrawing stays open to all. */
	if (yes_all && requires_account &&
	    (ctx->who->via != NULL || ctx->who->account == NULL)) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "Registering here needs a services account: log in on "
		        "IRC, then say it again."));
		return true;
	}
	standing_apply(ctx, id, yes_all, stored_nick(ctx, nickbuf, sizeof(nickbuf)));
	return true;
}

/* `mine`: the series the asker holds a standing registration for. */
void
series_mine(struct cv_ctx *ctx)
{
	long long *ids;
	size_t n;

	if (model_series_all(db(), &ids, &n) == -1)
		return;
	for (size_t i = 0; i < n; i++) {
		struct ev_event p;
		bool has = false;

		if (model_standing_has(db(), ids[i], ctx->who->id, &has) == -1 || !has ||
		    model_event_get(db(), ids[i], &p) != 0)
			continue;
		if (!p.cancelled)
			host->reply(ctx,
			    host->tr(ctx->lang,
			        "#%lld %s: every occurrence (rsvp %lld all no to "
			        "stop)."),
			    p.id, p.title, p.id);
		model_event_clear(&p);
	}
	free(ids);
}
