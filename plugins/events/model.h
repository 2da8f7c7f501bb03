/*
 * model.h: the events plugin's storage. SQL only, given a sqlite3 handle:
 * no host calls, so unit tests run it on a real SQLite file with the same
 * migrations. Callers wrap each change in a transaction (the host's
 * BEGIN IMMEDIATE), which is what keeps two people racing for the last place
 * from both getting it: the capacity check and the write share it.
 *
 * Functions return 0 on success, -1 on a database error, or one of the
 * negative MODEL_E* codes below. Strings in returned structs are owned by
 * the struct and freed by its *_free/_clear function.
 */
#ifndef EV_MODEL_H
#define EV_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <sqlite3.h>

#include "when.h"

/* Internal to the plugin: the shared object exports only its descriptor. */
#pragma GCC visibility push(hidden)

#define MODEL_ENOENT (-2)     /* no such event */
#define MODEL_ECANCELLED (-3) /* the event is cancelled */
#define MODEL_EPAST (-4)      /* the event has started or ended */

/* Schema steps for host->migrate(): step i takes version i to i+1. */
extern const char *const model_schema[];
extern const size_t model_schema_steps;

/*
 * Finalize the statements kept for `db` (prepared once and reused by every
 * call): before the handle is closed, or when the plugin unloads.
 */
void model_close(sqlite3 *db);

enum ev_status { EV_NONE = 0, EV_CONFIRMED, EV_MAYBE, EV_WAITLIST };

/* "confirmed", "maybe", "waitlist", or "not registered". */
const char *model_status_name(enum ev_status s);

struct ev_event {
	long long id;
	char uid[33]; /* 32 hex digits, random: no personal data */
	char *title;
	char *description; /* NULL when unset, like the other optional texts */
	char *location;
	char *url;      /* public page */
	char *join_url; /* private join link */
	char *channel;
	char *cancel_reason;
	char *created_by;       /* person id, NULL once they used forget */
	char local_date[11];    /* "YYYY-MM-DD" as the organiser wrote it */
	char local_time[6];     /* "HH:MM" */
	char tz[WHEN_ZONE_MAX]; /* IANA name, "UTC", or "+HH:MM" */
	long long start_utc;    /* derived from the three above */
	int duration_min;
	int capacity; /* 0 = unlimited */
	bool cancelled;
	long long sequence; /* raised on every change */
	long long created_at, updated_at;
	/* Counts of registrations, filled by reads. */
	int n_confirmed, n_maybe, n_waitlist;
	long long reminders_from; /* reminders due before this are not sent */
	bool purged;              /* registrations deleted for retention; counts kept */
	/* Series (model_series.h): an occurrence's series and date; a series' own row. */
	long long series_id;
	char occ_date[11];
	bool is_series;
};

void model_event_clear(struct ev_event *e);

/* Places left: -1 when unlimited, 0 when full. */
int model_places_left(const struct ev_event *e);

/* One registered person; event_id says for which event. */
struct ev_person {
	long long event_id;
	char *person;
	char *nick;
};

struct ev_people {
	struct ev_person *v;
	size_t n;
};

void model_people_free(struct ev_people *l);

/*
 * Insert a new event from e's title, texts, date, time, tz, start_utc,
 * duration, capacity, channel and created_by. Sets e->id, e->uid,
 * e->sequence and the timestamps.
 */
int model_event_insert(sqlite3 *db, struct ev_event *e, time_t now);

/* Read event `id` into e (cleared first). 0, MODEL_ENOENT or -1. */
int model_event_get(sqlite3 *db, long long id, struct ev_event *e);

/*
 * The events that have not ended at `now`, cancelled ones included, by start.
 * *out is a new array of *n events; free with model_events_free().
 */
int model_events_upcoming(sqlite3 *db, time_t now, struct ev_event **out, size_t *n);
/*
 * The first `limit` of those, and in *total how many there are: `events`
 * reads what it shows, not every upcoming event.
 */
int model_events_upcoming_first(sqlite3 *db, time_t now, size_t limit,
    struct ev_event **out, size_t *n, size_t *total);
/* Every event, for recomputing instants at load. */
int model_events_all(sqlite3 *db, struct ev_event **out, size_t *n);
void model_events_free(struct ev_event *v, size_t n);

/* Text fields an organiser sets with `event set`. */
enum ev_field {
	EV_FIELD_TITLE,
	EV_FIELD_DESCRIPTION,
	EV_FIELD_LOCATION,
	EV_FIELD_URL,
	EV_FIELD_JOIN,
	EV_FIELD_CHANNEL,
};

/* Changes; each raises the sequence. 0, MODEL_ENOENT or -1. */
int model_event_set_text(sqlite3 *db, long long id, enum ev_field f, const char *value,
    time_t now);
int model_event_set_start(sqlite3 *db, long long id, const char *date, const char *time,
    const char *tz, long long start_utc, time_t now);
int model_event_set_duration(sqlite3 *db, long long id, int minutes, time_t now);
/* Also promotes from the waitlist into new places; the promoted are appended to *promoted. */
int model_event_set_capacity(sqlite3 *db, long long id, int capacity, time_t now,
    struct ev_people *promoted);
int model_event_cancel(sqlite3 *db, long long id, const char *reason, time_t now);
/* A recomputed instant (tzdata changed): stored, with a new sequence, when it differs. */
int model_event_restamp(sqlite3 *db, long long id, long long start_utc, time_t now);

struct rsvp_result {
	enum ev_status before, after;
	int position;              /* on the waitlist, 1-based; 0 otherwise */
	struct ev_people promoted; /* others who got a place through this change */
};

/*
 * Register `person` (last seen as `nick`) for event `id` as `want`
 * (EV_NONE withdraws). A yes goes to the end of the waitlist when the event
 * is full or others are already waiting. Refuses cancelled events
 * (MODEL_ECANCELLED) and events that have started (MODEL_EPAST).
 * Free r->promoted with model_people_free().
 */
int model_rsvp(sqlite3 *db, long long id, const char *person, const char *nick,
    enum ev_status want, time_t now, struct rsvp_result *r);

/* A person's status for one event, and their waitlist position (1-based, else 0). */
int model_status(sqlite3 *db, long long id, const char *person, enum ev_status *status,
    int *position);

/* People registered for an event, in arrival order; each list appended to. */
int model_attendees(sqlite3 *db, long long id, struct ev_people *confirmed,
    struct ev_people *maybe, struct ev_people *waitlist);

/* A person's registrations for events that have not ended, by start. */
struct ev_mine {
	struct ev_event ev;
	enum ev_status status;
	int position;
};
int model_mine(sqlite3 *db, const char *person, time_t now, struct ev_mine **out,
    size_t *n);
/* The first `limit` of them, and in *total how many there are. */
int model_mine_first(sqlite3 *db, const char *person, time_t now, size_t limit,
    struct ev_mine **out, size_t *n, size_t *total);
void model_mine_free(struct ev_mine *v, size_t n);

/*
 * A second version of a text field ("title", "description", "location") in
 * `lang` ("en" or "fr"): set it (text NULL: remove it; the event's SEQUENCE
 * rises, as for any change people see; MODEL_ENOENT for no such event), or
 * read it into buf: 1 when there is one, 0 when not, -1 on error. The
 * event's own field is the original; see CV_EVENT_TEXTS_VIEW.
 */
int model_text_set(sqlite3 *db, long long event_id, const char *lang, const char *field,
    const char *text, time_t now);
int model_text_get(sqlite3 *db, long long event_id, const char *lang, const char *field,
    char *buf, size_t n);
/*
 * The event as a reader of `lang` sees it: title, description and location
 * replaced by their version in that language where there is one. 0, or -1
 * on error (e left as it was).
 */
int model_event_localise(sqlite3 *db, struct ev_event *e, const char *lang);
/*
 * What an rsvp answer shows of an event, in one read: e->id, e->title as a
 * reader of `lang` sees it (as model_event_localise() gives it) and
 * e->join_url; the rest zero. 0, MODEL_ENOENT or -1; model_event_clear().
 */
int model_event_brief(sqlite3 *db, long long id, const char *lang, struct ev_event *e);
#define MODEL_TEXT_MAX 8192 /* bytes: the longest text field, 1,000 characters */

/* The person's display zone into buf: 1 when set, 0 when not, -1 on error. */
int model_person_tz(sqlite3 *db, const char *person, char *buf, size_t n);
int model_person_set_tz(sqlite3 *db, const char *person, const char *nick, const char *tz);
/* Record a new last-known nick where we already hold the person; adds nothing. */
int model_person_seen(sqlite3 *db, const char *person, const char *nick);

/* What forget would erase. */
struct forget_summary {
	int registrations;
	bool has_tz; /* a row in people: display zone or reminder setting */
	int events_created;
	int pending; /* notices kept for them */ /* stay, without the creator's id */
};
int model_forget_summary(sqlite3 *db, const char *person, struct forget_summary *s);
/*
 * Erase everything held about `person`: registrations, display zone, their
 * id as creator. Places they held go to the waitlist; the promoted are
 * appended to *promoted (with their event ids).
 */
int model_forget(sqlite3 *db, const char *person, time_t now, struct ev_people *promoted);

/*
 * Reminders. Active events that have not started and start within
 * max_offset seconds of now, by start.
 */
int model_events_reminding(sqlite3 *db, time_t now, long long max_offset,
    struct ev_event **out, size_t *n);
/* Whether the reminder `offset_s` before `start_utc` went out; marking it. */
int model_reminder_sent(sqlite3 *db, long long id, long long offset_s,
    long long start_utc, bool *sent);
int model_reminder_mark(sqlite3 *db, long long id, long long offset_s,
    long long start_utc, time_t now);
/* The confirmed people of an event who want private reminders, appended to *out. */
int model_reminder_people(sqlite3 *db, long long id, struct ev_people *out);
/* `remind off|on`: default on, kept in the person's row. */
int model_person_reminders(sqlite3 *db, const char *person, bool *on);
int model_person_set_reminders(sqlite3 *db, const char *person, const char *nick, bool on);

/* A private notice kept for a person who was away. */
struct ev_notice {
	long long id;
	long long event_id;
	char *text;
	long long created_at;
};
void model_notices_free(struct ev_notice *v, size_t n);
int model_pending_add(sqlite3 *db, const char *person, long long event_id,
    const char *text, time_t now, time_t expires);
/* Remove and return a person's kept notices that have not expired, oldest first. */
int model_pending_take(sqlite3 *db, const char *person, time_t now,
    struct ev_notice **out, size_t *n);
int model_pending_expire(sqlite3 *db, time_t now);

/*
 * Retention: for events that ended keep_s seconds or more before now, keep
 * the counts in the event's row and delete its registrations, kept notices,
 * reminder records and creator. *purged: how many events.
 */
int model_retention(sqlite3 *db, time_t now, long long keep_s, int *purged);

/* Imported events: was this source UID imported before? */
int model_import_seen(sqlite3 *db, const char *source_uid, bool *seen);
/* Record where an imported event came from (see model_schema step 3). */
int model_event_set_source(sqlite3 *db, long long id, const char *source_uid,
    const char *source_url);

#pragma GCC visibility pop

#endif
