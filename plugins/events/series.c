/*
 * series.c: recurring events. `event set N repeat RULE`, occurrences named
 * N@YYYY-MM-DD, `event N` of a series, and the scheduling that makes each
 * occurrence an event of its own ahead of time (model_series.h), so that
 * registrations, waitlists, reminders and notices work per occurrence as
 * for any event.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events_int.h"
#include "model_series.h"
#include "recur.h"
#include "series_int.h"

/* The horizon: at least the next SERIES_AHEAD occurrences and SERIES_DAYS days. */
#define SERIES_AHEAD 5
#define SERIES_DAYS 60
#define SERIES_MAX 128

/* Set while `event set N FIELD` of a series changes the series' own row. */
static bool whole;
/* Set while it changes the series' occurrences (not changes of their own). */
static bool spreading;

/* The series and its zone, read for expansion. 0, or -1 when it is no series. */
int
series_of(const struct ev_event *p, const struct ev_series_row *row, struct when_zone *z,
    struct recur_series *s)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	if (row->repeat[0] == '\0' ||
	    recur_parse(row->repeat, &s->rule, err, sizeof(err)) < 0)
		return -1;
	event_zone(p, z);
	s->zone = z;
	s->dtstart = (time_t)p->start_utc;
	return 0;
}

static void
date_text(char out[11], const struct when_local *d)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d->year, d->month, d->day);
	memcpy(out, buf, 10);
	out[10] = '\0';
}

/*
 * Makes the occurrences of series `id` up to the horizon that are not made
 * yet, in the caller's transaction. The number made, or -1.
 */
int
schedule_one(long long id, time_t now)
{
	struct ev_event p;
	struct ev_series_row row;
	struct when_zone z;
	struct recur_series s;
	struct recur_occ occ[SERIES_MAX];
	time_t from, to;
	int n, made = 0;

	if (model_event_get(db(), id, &p) != 0)
		return -1;
	if (p.cancelled || model_series_row(db(), id, &row) != 0 ||
	    series_of(&p, &row, &z, &s) < 0) {
		model_event_clear(&p);
		return 0;
	}
	from = now - 60 * (time_t)p.duration_min;
	to = now + SERIES_DAYS * 86400;
	n = recur_expand(&s, from, (time_t)-1, occ, SERIES_AHEAD);
	if (n > 0 && occ[n - 1].start >= to)
		to = occ[n - 1].start + 1;
	n = recur_expand(&s, from, to, occ, SERIES_MAX);
	for (int i = 0; i < n && made >= 0; i++) {
		char date[11];
		long long child;
		int rc;

		date_text(date, &occ[i].date);
		rc = model_series_child(db(), id, date, &child);
		if (rc == MODEL_ENOENT)
			rc = model_series_add_child(db(), &p, date, occ[i].start, now,
			    &child);
		else if (rc == 0)
			continue;
		made = rc == 0 ? made + 1 : -1;
	}
	model_event_clear(&p);
	return made;
}

/* Makes the occurrences every series is due: at load and on a timer. */
void
series_tick(void *arg)
{
	long long *ids;
	size_t n;
	time_t now = host->wall_now();

	(void)arg;
	if (model_series_all(db(), &ids, &n) == -1) {
		host->log(self, CV_LOG_ERROR, "series: %s", sqlite3_errmsg(db()));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int made;

		if (host->begin(self) == -1)
			break;
		if ((made = schedule_one(ids[i], now)) < 0) {
			host->rollback(self);
			host->log(self, CV_LOG_ERROR, "series #%lld: %s", ids[i],
			    sqlite3_errmsg(db()));
			continue;
		}
		if (host->commit(self) == 0 && made > 0) {
			host->log(self, CV_LOG_INFO, "series #%lld: %d occurrences made",
			    ids[i], made);
			changed_event(ids[i], CV_EVENTS_CHANGED_FIELDS, NULL);
		}
	}
	free(ids);
}

/* "12@2026-03-10" into 12 and the date; false when arg has no '@'. */
static bool
split_occurrence(const char *arg, long long *id, char date[11], bool *ok)
{
	const char *at = strchr(arg, '@');
	char num[16];
	struct when_local d;

	*ok = false;
	if (at == NULL)
		return false;
	if ((size_t)(at - arg) >= sizeof(num))
		return true;
	memcpy(num, arg, (size_t)(at - arg));
	num[at - arg] = '\0';
	if (parse_id(num, id) == -1 || when_parse_date(at + 1, &d) == -1)
		return true;
	date_text(date, &d);
	*ok = true;
	return true;
}

/*
 * load_event()'s part for series: N@DATE is that occurrence, and N of a
 * series its next occurrence. 1 when arg names no series (load_event goes
 * on), else 0, or -1 after answering.
 */
int
series_load(struct cv_ctx *ctx, const char *arg, bool active, struct ev_event *e)
{
	struct ev_series_row row;
	char date[11], w[48];
	long long id, child = 0;
	bool ok;
	int rc;

	if (split_occurrence(arg, &id, date, &ok)) {
		if (!ok) {
			host->reply(ctx,
			    host->tr(ctx->lang,
			        "'%s' is not an occurrence: write it like "
			        "7@2027-03-09."),
			    echo(w, sizeof(w), arg));
			return -1;
		}
		rc = model_series_child(db(), id, date, &child);
		if (rc == MODEL_ENOENT) {
			host->reply(ctx,
			    host->tr(ctx->lang,
			        "Event #%lld has no occurrence on %s: "
			        "'event %lld' lists the next ones."),
			    id, date, id);
			return -1;
		}
	} else {
		if (whole || parse_id(arg, &id) == -1 ||
		    model_series_row(db(), id, &row) != 0 || row.repeat[0] == '\0')
			return 1;
		rc = model_series_next(db(), id, host->wall_now(), &child);
		if (rc == MODEL_ENOENT) {
			host->reply(ctx,
			    host->tr(ctx->lang, "Series #%lld has no occurrence ahead."),
			    id);
			return -1;
		}
	}
	if (rc != 0 || model_event_get(db(), child, e) != 0) {
		host->log(self, CV_LOG_ERROR, "reading series #%lld: %s", id,
		    sqlite3_errmsg(db()));
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "Sorry, that did not work: please try again "
		        "later."));
		return -1;
	}
	if (active && e->cancelled) {
		host->reply(ctx, host->tr(ctx->lang, "Event #%lld on %s is cancelled."),
		    id, e->occ_date);
		model_event_clear(e);
		return -1;
	}
	return 0;
}

/* The event id of N@DATE, or of a series' next occurrence: series_load()'s answers. */
int
series_resolve(struct cv_ctx *ctx, const char *arg, long long *id)
{
	struct ev_event e;
	int rc = series_load(ctx, arg, false, &e);

	if (rc == 0) {
		*id = e.id;
		model_event_clear(&e);
	}
	return rc;
}

/* The series' row named by a plain N, or false (a plain event, an occurrence, none). */
bool
series_plain(const char *arg, long long *id, struct ev_series_row *row)
{
	return strchr(arg, '@') == NULL && parse_id(arg, id) == 0 &&
	    model_series_row(db(), *id, row) == 0 && row->repeat[0] != '\0';
}

/* One line of `event N` of a series: an occurrence, its places and the asker's status. */
static void
show_occurrence(struct cv_ctx *ctx, long long series, const struct ev_event *c,
    const struct when_zone *mine)
{
	char when[400], places[64], status[64];
	enum ev_status st = EV_NONE;
	int pos = 0;

	describe_when_lang(when, sizeof(when), c, mine, false, ctx->lang);
	if (c->cancelled) {
		host->reply(ctx, host->tr(ctx->lang, "  %lld@%s: %s: CANCELLED"), series,
		    c->occ_date, when);
		return;
	}
	describe_places_lang(places, sizeof(places), c, ctx->lang);
	model_status(db(), c->id, ctx->who->id, &st, &pos);
	describe_status(status, sizeof(status), st, pos, ctx->lang);
	host->reply(ctx, host->tr(ctx->lang, "  %lld@%s: %s; %s. You: %s."), series,
	    c->occ_date, when, places, status);
}

/* `event N` of a series: its rule and its next occurrences. True when it was one. */
bool
series_cmd_event(struct cv_ctx *ctx)
{
	struct ev_series_row row;
	struct ev_event p, *v = NULL;
	struct recur_series s;
	struct when_zone z, mine;
	bool has_zone = asker_zone(ctx, &mine), standing = false;
	char rule[RECUR_TEXT_MAX];
	long long id;
	size_t n = 0, shown = 0;

	if (!series_plain(ctx->argv[0], &id, &row) || model_event_get(db(), id, &p) != 0)
		return false;
	if (series_of(&p, &row, &z, &s) == 0)
		recur_describe_lang(&s.rule, &z, s.dtstart, rule, sizeof(rule), ctx->lang);
	else
		snprintf(rule, sizeof(rule), "%s", row.repeat);
	host->reply(ctx, host->tr(ctx->lang, "#%lld %s: a series, %s."), p.id, p.title,
	    rule);
	if (p.cancelled)
		host->reply(ctx,
		    host->tr(ctx->lang, "The rest of this series is cancelled."));
	if (p.description != NULL)
		host->reply(ctx, host->tr(ctx->lang, "About: %s"), p.description);
	if (p.location != NULL)
		host->reply(ctx, host->tr(ctx->lang, "Where: %s"), p.location);
	model_series_children(db(), id, host->wall_now(), &v, &n);
	for (size_t i = 0; i < n && shown < SERIES_AHEAD; i++, shown++)
		show_occurrence(ctx, id, &v[i], has_zone ? &mine : NULL);
	if (n == 0)
		host->reply(ctx, host->tr(ctx->lang, "No occurrence ahead."));
	model_standing_has(db(), id, ctx->who->id, &standing);
	if (standing)
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "You are registered for every occurrence (rsvp %lld "
		        "all no to stop)."),
		    id);
	else
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "rsvp %lld for the next one, rsvp %lld@DATE for "
		        "one, rsvp %lld all for every one."),
		    id, id, id);
	model_events_free(v, n);
	model_event_clear(&p);
	return true;
}

/* A line of `events` for an occurrence: its series and rule named. */
void
series_list_line(struct cv_ctx *ctx, const struct ev_event *e, const char *when,
    const char *places)
{
	struct ev_series_row row;
	struct ev_event p;
	struct recur_series s;
	struct when_zone z;
	char rule[RECUR_TEXT_MAX] = "";

	if (model_event_get(db(), e->series_id, &p) != 0)
		return;
	if (model_series_row(db(), p.id, &row) == 0 && series_of(&p, &row, &z, &s) == 0)
		recur_describe_lang(&s.rule, &z, s.dtstart, rule, sizeof(rule), ctx->lang);
	host->reply(ctx, host->tr(ctx->lang, "#%lld %s (series, %s): next %lld@%s, %s; %s"),
	    p.id, p.title, rule, p.id, e->occ_date, when, places);
	model_event_clear(&p);
}

/* Occurrence `child` cancelled in a transaction of its own, its people told. */
void
cancel_one(long long child, const char *reason)
{
	struct ev_people c = { 0 }, m = { 0 }, w = { 0 };
	const struct ev_people *lists[] = { &c, &m, &w };

	if (host->begin(self) == -1 ||
	    model_event_cancel(db(), child, reason, host->wall_now()) != 0 ||
	    model_attendees(db(), child, &c, &m, &w) == -1 || host->commit(self) == -1) {
		host->rollback(self);
	} else {
		changed_event(child, CV_EVENTS_CHANGED_FIELDS, NULL);
		tell_in_languages(lists, 3, child, cancelled_text, reason);
	}
	model_people_free(&c);
	model_people_free(&m);
	model_people_free(&w);
}

/* The occurrences after `keep` (a date, or "" for all ahead) cancelled, their people told. */
static void
cancel_after(long long series, const char *keep, const char *reason)
{
	struct ev_event *v = NULL;
	size_t n = 0;

	model_series_children(db(), series, host->wall_now(), &v, &n);
	for (size_t i = 0; i < n; i++)
		if (!v[i].cancelled && strcmp(v[i].occ_date, keep) > 0)
			cancel_one(v[i].id, reason);
	model_events_free(v, n);
}

/* `repeat none`: the series ends with its next occurrence. */
static int
end_series(struct cv_ctx *ctx, const struct ev_event *p, const struct ev_series_row *row,
    struct recur_rule *rule)
{
	struct when_zone z;
	struct recur_series s;
	struct ev_event next;
	long long child;

	if (row->repeat[0] == '\0') {
		host->reply(ctx, host->tr(ctx->lang, "#%lld is not a series."), p->id);
		return -1;
	}
	if (series_of(p, row, &z, &s) < 0 ||
	    model_series_next(db(), p->id, host->wall_now(), &child) != 0 ||
	    model_event_get(db(), child, &next) != 0) {
		host->reply(ctx,
		    host->tr(ctx->lang, "Series #%lld has no occurrence ahead."), p->id);
		return -1;
	}
	*rule = s.rule;
	rule->times = 0;
	rule->has_until = true;
	when_parse_date(next.occ_date, &rule->until);
	model_event_clear(&next);
	return 0;
}

/* `event set N repeat RULE`. */
static void
set_repeat(struct cv_ctx *ctx, const char *arg, const char *text)
{
	struct ev_event p;
	struct ev_series_row row;
	struct recur_rule rule;
	struct when_zone z;
	const struct ev_say say = { ctx->lang, host->tr };
	char err[400], stored[RECUR_TEXT_MAX], words[RECUR_TEXT_MAX], until[11] = "";
	char rrule[RECUR_TEXT_MAX];
	long long id, child;
	bool was_series;

	if (strchr(arg, '@') != NULL || parse_id(arg, &id) == -1 ||
	    model_series_row(db(), id, &row) != 0 || model_event_get(db(), id, &p) != 0) {
		host->reply(ctx, host->tr(ctx->lang, "No event %s. 'events' lists them."),
		    arg);
		return;
	}
	was_series = row.repeat[0] != '\0';
	if (row.series_id != 0 || p.cancelled) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "#%lld is an occurrence or cancelled: a rule goes on a "
		        "series or an event."),
		    id);
		goto out;
	}
	if (recur_parse_say(text, &rule, &say, err, sizeof(err)) < 0) {
		host->reply(ctx, "%s", err);
		goto out;
	}
	if (rule.freq == RECUR_NONE && end_series(ctx, &p, &row, &rule) < 0)
		goto out;
	event_zone(&p, &z);
	if (recur_check_say(&rule, &z, (time_t)p.start_utc, &say, err, sizeof(err)) < 0) {
		host->reply(ctx, "%s", err);
		goto out;
	}
	recur_format(&rule, stored, sizeof(stored));
	recur_rrule(&rule, &z, (time_t)p.start_utc, rrule, sizeof(rrule));
	if (host->begin(self) == -1 ||
	    model_series_set_rule(db(), id, stored, rrule, host->wall_now()) != 0 ||
	    schedule_one(id, host->wall_now()) < 0 ||
	    (!was_series && model_series_child(db(), id, p.local_date, &child) == 0 &&
	        model_series_adopt(db(), id, child) == -1)) {
		fail_change(ctx, "event set repeat");
		goto out;
	}
	if (commit(ctx, "event set repeat") == -1)
		goto out;
	/* Occurrences made before that the rule no longer has. */
	if (rule.has_until)
		date_text(until, &rule.until);
	if (rule.has_until)
		cancel_after(id, until, NULL);
	changed_event(id, CV_EVENTS_CHANGED_FIELDS | CV_EVENTS_CHANGED_REGISTRATIONS, NULL);
	host->log(self, CV_LOG_INFO, "event #%lld: repeat set", id);
	recur_describe_lang(&rule, &z, (time_t)p.start_utc, words, sizeof(words),
	    ctx->lang);
	host->reply(ctx,
	    host->tr(ctx->lang,
	        "#%lld %s repeats %s ('event %lld' shows the next "
	        "ones)."),
	    id, p.title, words, id);
out:
	model_event_clear(&p);
}

/*
 * `event set N FIELD VALUE` of a series: the series' own row (what later
 * occurrences are made from) and every occurrence not started yet, each
 * as `event set` of one event does it, with its answers and notices.
 */
static void
set_series_field(struct cv_ctx *ctx, long long id)
{
	struct cv_ctx c = *ctx;
	struct ev_event *v = NULL;
	const char *argv[3];
	char num[24], field[24] = "";
	size_t n = 0, kept = 0;

	if (strcasecmp(ctx->argv[1], "start") == 0) {
		series_set_start(ctx, id);
		return;
	}
	argv[0] = num;
	argv[1] = ctx->argv[1];
	argv[2] = ctx->argv[2];
	c.argv = argv;
	snprintf(num, sizeof(num), "%lld", id);
	for (size_t i = 0; i < sizeof(field) - 1 && ctx->argv[1][i] != '\0'; i++)
		field[i] = (char)tolower((unsigned char)ctx->argv[1][i]);
	whole = true;
	cmd_event_set(&c);
	whole = false;
	spreading = true;
	model_series_children(db(), id, host->wall_now(), &v, &n);
	for (size_t i = 0; i < n; i++) {
		bool own = false;

		if (v[i].cancelled || v[i].start_utc <= host->wall_now())
			continue;
		/* What an occurrence changed alone wins, as an override does. */
		if (model_own_has(db(), v[i].id, field, &own) == 0 && own) {
			kept++;
			continue;
		}
		snprintf(num, sizeof(num), "%lld", v[i].id);
		cmd_event_set(&c);
	}
	spreading = false;
	if (kept > 0)
		host->reply(ctx,
		    host->ntr(ctx->lang, "%zu occurrence changed alone keeps its own %s.",
		        "%zu occurrences changed alone keep their own %s.", kept),
		    kept, field);
	model_events_free(v, n);
}

/*
 * `event set N@DATE FIELD` (not a change of the whole series) records the
 * field as the occurrence's own, in the caller's transaction: 0 or -1.
 */
int
series_own_mark(const struct ev_event *e, const char *field)
{
	if (e->series_id == 0 || spreading)
		return 0;
	return model_own_add(db(), e->id, field) == 0 ? 0 : -1;
}

/* `event set N repeat RULE`, or a field of a series: true when the command was that. */
bool
series_cmd_set(struct cv_ctx *ctx)
{
	struct ev_series_row row;
	long long id;

	if (whole)
		return false;
	if (strcasecmp(ctx->argv[1], "repeat") == 0) {
		set_repeat(ctx, ctx->argv[0], ctx->argv[2]);
		return true;
	}
	if (!series_plain(ctx->argv[0], &id, &row))
		return false;
	set_series_field(ctx, id);
	return true;
}

/*
 * A series whose start was changed from now on (DTSTART ahead) that has
 * held occurrences: its DTSTART goes back to the last one held, so that
 * its rule can end there (the ones before stay RDATEs in feeds). Re-reads
 * *p. 0, or -1 when none was held.
 */
static int
rebase_on_last(long long id, time_t now, struct ev_event *p)
{
	struct ev_event c, q;
	char last[11];
	long long child;
	int rc;

	if (model_series_last_begun(db(), id, now, last) != 0 || last[0] == '\0' ||
	    model_series_child(db(), id, last, &child) != 0 ||
	    model_event_get(db(), child, &c) != 0)
		return -1;
	rc = model_event_set_start(db(), id, c.local_date, c.local_time, c.tz,
	    c.start_utc, now);
	model_event_clear(&c);
	if (rc != 0 || model_event_get(db(), id, &q) != 0)
		return -1;
	model_event_clear(p);
	*p = q;
	return 0;
}

/*
 * The series ends before now: its rule runs until yesterday (or its last
 * occurrence held, when its start was changed from now on), so that feeds
 * keep the occurrences held; one not started yet is cancelled whole.
 */
static int
end_before_now(long long id, const char *reason)
{
	struct ev_event p;
	struct ev_series_row row;
	struct when_zone z;
	struct recur_series s;
	char stored[RECUR_TEXT_MAX], rrule[RECUR_TEXT_MAX];
	time_t now = host->wall_now(), end = now - 86400;
	bool rebased = false;
	int rc;

	if (model_event_get(db(), id, &p) != 0)
		return -1;
	if (p.start_utc > now)
		rebased = rebase_on_last(id, now, &p) == 0;
	if (p.start_utc > now || model_series_row(db(), id, &row) != 0 ||
	    series_of(&p, &row, &z, &s) < 0) {
		rc = model_event_cancel(db(), id, reason, now);
		model_event_clear(&p);
		return rc;
	}
	if (rebased && end < s.dtstart)
		end = s.dtstart;
	when_from_utc(&z, end, &s.rule.until);
	s.rule.until.hour = s.rule.until.minute = 0;
	s.rule.has_until = true;
	s.rule.times = 0;
	if (recur_check(&s.rule, &z, s.dtstart, stored, sizeof(stored)) < 0) {
		rc = model_event_cancel(db(), id, reason, now);
		model_event_clear(&p);
		return rc;
	}
	recur_format(&s.rule, stored, sizeof(stored));
	recur_rrule(&s.rule, &z, s.dtstart, rrule, sizeof(rrule));
	rc = model_series_set_rule(db(), id, stored, rrule, now);
	model_event_clear(&p);
	return rc;
}

/* `event cancel N` of a series: the rest of it. True when it was one. */
bool
series_cmd_cancel(struct cv_ctx *ctx)
{
	struct ev_series_row row;
	char *reason = NULL;
	long long id;

	if (!series_plain(ctx->argv[0], &id, &row))
		return false;
	if (ctx->argc > 1 && ctx->argv[1][0] != '\0' &&
	    clean_field(ctx, "reason", ctx->argv[1], 400, &reason) == -1)
		return true;
	if (host->begin(self) == -1 || end_before_now(id, reason) != 0) {
		fail_change(ctx, "event cancel");
		free(reason);
		return true;
	}
	if (commit(ctx, "event cancel") == 0) {
		cancel_after(id, "", reason);
		changed_event(id, CV_EVENTS_CHANGED_FIELDS, NULL);
		host->log(self, CV_LOG_INFO, "series #%lld cancelled", id);
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "Cancelled the rest of series #%lld; its people told."),
		    id);
	}
	free(reason);
	return true;
}

/*
 * `event import` of a series: event id takes the rule and its occurrences
 * are made, the cancelled dates (EXDATE) too, made cancelled, however far
 * ahead. In the caller's transaction; 0 or -1.
 */
int
series_import(long long id, const char *repeat, const struct when_local *ex, size_t nex,
    time_t now)
{
	struct recur_rule rule;
	struct ev_event p;
	struct when_zone z;
	char err[256], rrule[RECUR_TEXT_MAX];
	int rc = -1;

	if (recur_parse(repeat, &rule, err, sizeof(err)) < 0 ||
	    model_event_get(db(), id, &p) != 0)
		return -1;
	event_zone(&p, &z);
	recur_rrule(&rule, &z, (time_t)p.start_utc, rrule, sizeof(rrule));
	if (model_series_set_rule(db(), id, repeat, rrule, now) != 0)
		goto out;
	for (size_t i = 0; i < nex; i++) {
		struct recur_series s = { .rule = rule,
			.zone = &z,
			.dtstart = (time_t)p.start_utc };
		char date[11];
		long long child;
		time_t t;

		date_text(date, &ex[i]);
		if (recur_start_of(&s, &ex[i], &t) < 0)
			continue;
		if (model_series_add_child(db(), &p, date, (long long)t, now, &child) == -1 ||
		    model_event_cancel(db(), child, NULL, now) != 0)
			goto out;
	}
	rc = schedule_one(id, now) < 0 ? -1 : 0;
out:
	model_event_clear(&p);
	return rc;
}
