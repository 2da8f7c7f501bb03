/*
 * series_start.c: `event set N start VALUE` of a series, which changes it
 * from now on. The series' own row takes the new start (its DTSTART) and the
 * rule from there; the occurrences not started yet move to the new rule's,
 * the k-th ahead to its k-th (a new time of day, or a new first date and
 * weekday), each keeping its registrations, its confirmed people told. One
 * whose start was changed alone keeps it, one cancelled stays cancelled;
 * what has begun stays as it was, with its N@DATE. Feeds give those held
 * before the new DTSTART as RDATEs (series_ics.c), under the same UID.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events_int.h"
#include "model_series.h"
#include "recur.h"
#include "series_int.h"

/* The occurrences not started yet, by date, and where the new rule puts them. */
struct moving {
	struct ev_event *all; /* every occurrence not ended */
	size_t nall;
	struct ev_event **v; /* the ones not started, by occ_date */
	size_t n;
	struct recur_occ *to; /* the new rule's first n occurrences */
	int nto;
	bool *moved; /* its start moved: its people are told */
};

static int
by_date(const void *a, const void *b)
{
	const struct ev_event *x = *(struct ev_event *const *)a;
	const struct ev_event *y = *(struct ev_event *const *)b;

	return strcmp(x->occ_date, y->occ_date);
}

static void
moving_free(struct moving *m)
{
	model_events_free(m->all, m->nall);
	free(m->v);
	free(m->to);
	free(m->moved);
}

/* The occurrences of series id not started at now: 0, or -1 after answering. */
static int
ahead_of(struct cv_ctx *ctx, long long id, time_t now, struct moving *m)
{
	if (model_series_children(db(), id, now, &m->all, &m->nall) == -1) {
		fail_change(ctx, "event set start");
		return -1;
	}
	m->v = cv_xmalloc((m->nall + 1) * sizeof(*m->v));
	for (size_t i = 0; i < m->nall; i++)
		if (m->all[i].start_utc > now)
			m->v[m->n++] = &m->all[i];
	if (m->n == 0) {
		host->reply(ctx,
		    host->tr(ctx->lang, "Series #%lld has no occurrence ahead."), id);
		return -1;
	}
	qsort(m->v, m->n, sizeof(*m->v), by_date);
	m->to = cv_xmalloc(m->n * sizeof(*m->to));
	m->moved = cv_xcalloc(m->n, sizeof(*m->moved));
	return 0;
}

/*
 * The rule from the new start: COUNT less the occurrences before the first
 * one ahead (cancelled ones too, as RFC 5545 counts them), "on day D" on
 * the new start's day. 0, or -1 after answering.
 */
static int
new_rule(struct cv_ctx *ctx, const struct recur_series *old, const char *first,
    const struct when_zone *z, time_t start, struct recur_rule *r)
{
	struct when_local d, l;
	char err[256];
	time_t t;

	*r = old->rule;
	if (r->times > 0 && when_parse_date(first, &d) == 0 &&
	    recur_start_of(old, &d, &t) == 0) {
		struct recur_occ *occ = cv_xmalloc((RECUR_TIMES_MAX + 1) * sizeof(*occ));
		int before = recur_expand(old, old->dtstart, t, occ, RECUR_TIMES_MAX + 1);

		if (before > 0 && before < r->times)
			r->times -= before;
		free(occ);
	}
	when_from_utc(z, start, &l);
	if (r->freq == RECUR_MONTHLY_DAY)
		r->monthday = l.day;
	if (recur_check(r, z, start, err, sizeof(err)) < 0) {
		host->reply(ctx, "%s", err);
		return -1;
	}
	return 0;
}

/*
 * In the caller's transaction: each occurrence ahead takes the new rule's
 * date, and its start unless it was changed alone. One past the new rule's
 * end keeps its date (cancelled afterwards). 0 or -1.
 */
static int
move_all(struct moving *m, const struct when_zone *z, time_t now)
{
	char date[16], tm[8];

	/* Two steps: a new date may be another occurrence's old one (UNIQUE). */
	for (size_t k = 0; k < m->n; k++) {
		snprintf(date, sizeof(date), "x%lld", m->v[k]->id);
		if (model_series_relabel(db(), m->v[k]->id, date) != 0)
			return -1;
	}
	for (size_t k = 0; k < m->n; k++) {
		const struct ev_event *c = m->v[k];
		struct when_local l;
		bool own = false;

		if ((int)k >= m->nto) {
			if (model_series_relabel(db(), c->id, c->occ_date) != 0)
				return -1;
			continue;
		}
		when_format_date(date, sizeof(date), &m->to[k].date);
		if (model_series_relabel(db(), c->id, date) != 0 ||
		    model_own_has(db(), c->id, "start", &own) != 0)
			return -1;
		if (own)
			continue;
		when_from_utc(z, m->to[k].start, &l);
		when_format_date(date, sizeof(date), &l);
		when_format_time(tm, sizeof(tm), &l);
		if (model_event_set_start(db(), c->id, date, tm, z->name, m->to[k].start,
		        now) != 0)
			return -1;
		m->moved[k] = !c->cancelled && (long long)m->to[k].start != c->start_utc;
	}
	return 0;
}

/*
 * An occurrence past the new rule's end keeps its date (and is cancelled),
 * so that date must not be one the rule gives another (a rule with an end
 * date, moved later by whole weeks or months): 0, or -1 after answering.
 */
static int
keeps_own_date(struct cv_ctx *ctx, long long id, const struct moving *m, const char *from)
{
	char date[16];

	for (size_t k = m->nto > 0 ? (size_t)m->nto : m->n; k < m->n; k++)
		for (int j = 0; j < m->nto; j++) {
			when_format_date(date, sizeof(date), &m->to[j].date);
			if (strcmp(date, m->v[k]->occ_date) != 0)
				continue;
			host->reply(ctx,
			    host->ntr(ctx->lang,
			        "Series #%lld: from %s its rule gives %d date to the %zu "
			        "occurrences ahead, and %lld@%s would lose its date to another: "
			        "nothing was changed. To skip an occurrence, cancel it (event "
			        "cancel %lld@DATE).",
			        "Series #%lld: from %s its rule gives %d dates to the %zu "
			        "occurrences ahead, and %lld@%s would lose its date to another: "
			        "nothing was changed. To skip an occurrence, cancel it (event "
			        "cancel %lld@DATE).",
			        m->nto),
			    id, from, m->nto, m->n, id, m->v[k]->occ_date, id);
			return -1;
		}
	return 0;
}

/* After the commit: the people of each occurrence moved told, the ones past the rule cancelled. */
static size_t
tell_moved(const struct moving *m)
{
	size_t moved = 0;

	for (size_t k = 0; k < m->n; k++) {
		struct ev_event after;

		if ((int)k >= m->nto) {
			if (!m->v[k]->cancelled)
				cancel_one(m->v[k]->id, NULL);
			continue;
		}
		if (!m->moved[k] || model_event_get(db(), m->v[k]->id, &after) != 0)
			continue;
		tell_confirmed(&after, CHANGE_START);
		model_event_clear(&after);
		moved++;
	}
	return moved;
}

/* The new start, checked against now and what the series has held: 0, or -1 after answering. */
static int
start_ahead(struct cv_ctx *ctx, const struct ev_event *p, struct when_zone *z,
    struct when_local *l, time_t *start, time_t now)
{
	char last[11], d[16];

	/* parse_start refuses a time in the past. */
	if (parse_start(ctx, p, ctx->argv[2], z, l, start) < 0)
		return -1;
	when_format_date(d, sizeof(d), l);
	if (model_series_last_begun(db(), p->id, now, last) == 0 && last[0] != '\0' &&
	    strcmp(d, last) <= 0) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "Series #%lld held an occurrence on %s: its new start must be on "
		        "a later day."),
		    p->id, last);
		return -1;
	}
	return 0;
}

void
series_set_start(struct cv_ctx *ctx, long long id)
{
	struct ev_event p;
	struct ev_series_row row;
	struct when_zone oz, z;
	struct recur_series old, s = { 0 };
	struct when_local l;
	struct moving m = { 0 };
	char stored[RECUR_TEXT_MAX], rrule[RECUR_TEXT_MAX], d[16], tm[8];
	time_t now = host->wall_now(), start;
	size_t told;

	if (model_event_get(db(), id, &p) != 0)
		return;
	if (model_series_row(db(), id, &row) != 0 || series_of(&p, &row, &oz, &old) < 0 ||
	    start_ahead(ctx, &p, &z, &l, &start, now) < 0 ||
	    ahead_of(ctx, id, now, &m) < 0 ||
	    new_rule(ctx, &old, m.v[0]->occ_date, &z, start, &s.rule) < 0)
		goto out;
	s.zone = &z;
	s.dtstart = start;
	m.nto = recur_expand(&s, start, (time_t)-1, m.to, m.n);
	recur_format(&s.rule, stored, sizeof(stored));
	recur_rrule(&s.rule, &z, start, rrule, sizeof(rrule));
	when_format_date(d, sizeof(d), &l);
	when_format_time(tm, sizeof(tm), &l);
	if (keeps_own_date(ctx, id, &m, d) < 0)
		goto out;
	if (host->begin(self) == -1 || move_all(&m, &z, now) < 0 ||
	    model_event_set_start(db(), id, d, tm, z.name, start, now) != 0 ||
	    model_series_set_rule(db(), id, stored, rrule, now) != 0 ||
	    schedule_one(id, now) < 0) {
		fail_change(ctx, "event set start");
		goto out;
	}
	if (commit(ctx, "event set start") == -1)
		goto out;
	told = tell_moved(&m);
	changed_event(id, CV_EVENTS_CHANGED_FIELDS | CV_EVENTS_CHANGED_REGISTRATIONS, NULL);
	host->log(self, CV_LOG_INFO, "series #%lld: start changed from now on", id);
	host->reply(ctx,
	    host->ntr(ctx->lang,
	        "#%lld %s: start set from now on; %zu occurrence moved, its confirmed "
	        "people told.",
	        "#%lld %s: start set from now on; %zu occurrences moved, their confirmed "
	        "people told.",
	        told),
	    id, p.title, told);
out:
	moving_free(&m);
	model_event_clear(&p);
}
