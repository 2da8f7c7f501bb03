/* reminders.c: reminders, expiry of kept notices, retention, and time zone data changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events_int.h"

#define SETTLE_MS 3000 /* after connecting: time to join and learn who is there */

bool ready;
cv_timer_id settle_timer;

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

/* A reminder's private notice for readers of lang, with the join link. */
static char *
reminder_text(const char *lang, bool pub, void *arg)
{
	struct ev_event e;
	char when[400], *s;

	if (pub || model_event_get(db(), *(const long long *)arg, &e) != 0)
		return NULL;
	localise(&e, lang);
	describe_when_lang(when, sizeof(when), &e, NULL, true, lang);
	s = e.join_url != NULL ?
	    msgf(host->tr(lang, "Reminder: #%lld %s: %s. Join: %s"), e.id, e.title, when,
	        e.join_url) :
	    msgf(host->tr(lang, "Reminder: #%lld %s: %s. You are confirmed."), e.id,
	        e.title, when);
	model_event_clear(&e);
	return s;
}

/* The reminder in the event's channel, in the channel's language. */
static void
remind_channel(const struct ev_event *stored)
{
	struct ev_event e;
	const char *lang = host->channel_lang(stored->channel);
	char when[400];

	if (model_event_get(db(), stored->id, &e) != 0)
		return;
	localise(&e, lang);
	describe_when_lang(when, sizeof(when), &e, NULL, true, lang);
	host->say(stored->channel,
	    host->tr(lang, "Reminder: #%lld %s: %s. Details: %sevent %lld"), e.id,
	    e.title, when, prefix(), e.id);
	model_event_clear(&e);
}

/*
 * One reminder of event e: recorded as sent first (so a crash or restart
 * never sends it twice), then one line in the event's channel and a
 * private notice, with the join link, to every confirmed person who wants
 * reminders: one text per language.
 */
static void
send_reminder(const struct ev_event *e, long long offset, time_t now)
{
	struct ev_people people = { 0 };
	const struct ev_people *lists[] = { &people };
	char before[32];
	long long id = e->id;

	if (host->begin(self) == -1)
		return;
	if (model_reminder_mark(db(), e->id, offset, e->start_utc, now) == -1 ||
	    model_reminder_people(db(), e->id, &people) == -1 || host->commit(self) == -1) {
		host->rollback(self);
		host->log(self, CV_LOG_ERROR, "event #%lld: reminder not recorded: %s",
		    e->id, sqlite3_errmsg(db()));
		model_people_free(&people);
		return;
	}
	describe_offset(before, sizeof(before), offset);
	if (e->channel != NULL)
		remind_channel(e);
	/* Relayed people have the channel's reminder, which names nobody. */
	tell_people_lang(lists, 1, e->id, event_end(e), reminder_text, &id);
	host->log(self, CV_LOG_INFO, "event #%lld: %s reminder to %zu confirmed", e->id,
	    before, people.n);
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
		if (model_reminder_sent(db(), v[i].id, due, v[i].start_utc, &sent) == -1 ||
		    sent)
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
	    model_retention(db(), now, retention_s, &purged) == -1 ||
	    host->commit(self) == -1) {
		host->rollback(self);
		host->log(self, CV_LOG_ERROR, "retention: %s", sqlite3_errmsg(db()));
		return;
	}
	if (purged > 0) {
		/* Erased rows must not linger in the WAL either. */
		host->checkpoint();
		host->log(self, CV_LOG_INFO,
		    "retention: registrations of %d ended event(s) "
		    "deleted, counts kept",
		    purged);
		changed();
	}
}

void
scan(void *arg)
{
	time_t now = host->wall_now();

	/* A reminder sent while disconnected would be lost, yet marked sent. */
	if (ready && host->connected())
		remind_due(now);
	expire(now);
}

void
become_ready(void *arg)
{
	settle_timer = 0;
	ready = true;
	scan(NULL);
}

/* Registered with the server: reminders wait until we are in our channels. */
void
on_connected(void *arg, const char *topic, const void *data)
{
	ready = false;
	if (settle_timer != 0)
		host->timer_cancel(self, settle_timer);
	settle_timer = host->timer_add(self, SETTLE_MS, 0, become_ready, NULL);
}

/*
 * tzdata may have changed since an event was stored: its wall-clock time is
 * what the organiser meant, so derive its instant again.
 */
void
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
		if (when_parse_zone(v[i].tz, &z) == -1 ||
		    when_parse_date(v[i].local_date, &l) == -1 ||
		    when_parse_time(v[i].local_time, &l) == -1 ||
		    when_resolve(&z, &l, &t, err, sizeof(err)) == -1) {
			host->log(self, CV_LOG_WARN,
			    "event #%lld: its local time no longer maps "
			    "to one instant; keeping the stored one",
			    v[i].id);
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
		host->log(self, CV_LOG_INFO,
		    "%zu event(s) moved by a time zone data change", moved);
		changed();
	}
}
