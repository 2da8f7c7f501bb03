/*
 * events_int.h: what the events plugin's files share, under the name of
 * the file that defines it. Nothing here is part of the plugin's interface:
 * the symbols are hidden from the shared object (the pragma below).
 */
#ifndef CONVENE_EVENTS_INT_H
#define CONVENE_EVENTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "convene.h"
#include "cv_xalloc.h"
#include "import.h"
#include "model.h"
#include "when.h"

#define IMPORT_TIMEOUT_S 15 /* [events] import_timeout, seconds */

#pragma GCC visibility push(hidden)

#define ZONE_HINT "use an IANA name like Europe/Paris, UTC, or an offset like -05:00."
#define REMINDERS_MAX 8

/* Said where a relayed person would get a join link. */
#define JOIN_ELSEWHERE                                                        \
	"The join link is given in private only: ask the event's organisers " \
	"for it, or register from IRC."

/* events.c: set by events_init, kept until events_fini. */
extern const struct cv_host *host;
extern struct cv_plugin *self;
/* [events] timezone; NULL (logged) when it cannot be made (no libical). */
const struct when_zone *default_zone_get(void);
/* default_zone_get() into *z, or -1 after telling ctx's person it failed. */
int default_zone_for(struct cv_ctx *ctx, struct when_zone *z);
extern long long reminder_s[REMINDERS_MAX];
extern size_t nreminders;
extern long long retention_s;
extern bool requires_account;

static inline sqlite3 *
db(void)
{
	return host->db(self);
}

static inline const char *
prefix(void)
{
	return host->prefix();
}

/* events.c: the helpers every command uses. */
const char *echo(char *buf, size_t n, const char *s);
int clean_field(struct cv_ctx *ctx, const char *what, const char *in, size_t max_chars,
    char **out);
int parse_id(const char *s, long long *id);
int load_event(struct cv_ctx *ctx, const char *arg, bool active, struct ev_event *e);
void event_zone(const struct ev_event *e, struct when_zone *z);
bool asker_zone(struct cv_ctx *ctx, struct when_zone *z);
void describe_when(char *buf, size_t n, const struct ev_event *e,
    const struct when_zone *mine, bool span);
void describe_places(char *buf, size_t n, const struct ev_event *e);
/* The same for readers of lang: dates, relative times and words in it. */
void describe_when_lang(char *buf, size_t n, const struct ev_event *e,
    const struct when_zone *mine, bool span, const char *lang);
void describe_places_lang(char *buf, size_t n, const struct ev_event *e, const char *lang);
void describe_status(char *buf, size_t n, enum ev_status st, int pos, const char *lang);
const char *relayed_lang(const char *person, const char *channel);
const char *reader(struct cv_ctx *ctx);
void localise(struct ev_event *e, const char *lang);
void fail_change(struct cv_ctx *ctx, const char *what);
int commit(struct cv_ctx *ctx, const char *what);
time_t event_end(const struct ev_event *e);
bool yes(const char *v);
const char *import_key(const char *key);

/* notices.c */
extern cv_timer_id seen_timer;
char *msgf(const char *fmt, ...) CV_PRINTF(1, 2);
bool relayed(const char *person);
const char *stored_nick(struct cv_ctx *ctx, char *buf, size_t n);
bool relayed_where(const char *stored, char *chan, size_t n, const char **name);
void tell_people(const struct ev_people *const *lists, size_t nlists, long long event_id,
    time_t expires, const char *text, const char *pub);
/*
 * The text of a notice for readers of lang (pub: for a relayed person, said
 * in their channel): a new string the caller frees, or NULL for none.
 */
typedef char *notice_fn(const char *lang, bool pub, void *arg);
void tell_people_lang(const struct ev_people *const *lists, size_t nlists,
    long long event_id, time_t expires, notice_fn *render, void *arg);
void tell_promoted(const struct ev_people *l);
void changed(void);
void changed_event(long long id, unsigned what, const char *person);
size_t deliver_kept(const char *id, const char *nick, struct cv_ctx *ctx);
void seen_clear(void);
void on_person_seen(void *arg, const char *topic, const void *data);

/* member.c */
void cmd_events(struct cv_ctx *ctx);
void cmd_event(struct cv_ctx *ctx);
void cmd_rsvp(struct cv_ctx *ctx);
void cmd_mine(struct cv_ctx *ctx);
void cmd_tz(struct cv_ctx *ctx);
void cmd_remind(struct cv_ctx *ctx);
void cmd_forget(struct cv_ctx *ctx);
void cmd_forget_confirm(struct cv_ctx *ctx);

/* organiser.c */
bool organizer(struct cv_ctx *ctx);
void cmd_event_add(struct cv_ctx *ctx);
void cmd_event_set(struct cv_ctx *ctx);
void cmd_event_cancel(struct cv_ctx *ctx);
void cmd_event_announce(struct cv_ctx *ctx);
void cmd_attendees(struct cv_ctx *ctx);

/* organiser_say.c: in one language ("en", "fr"), from host->tr. */
/*
 * Why local time l does not name one instant in zone z (when_to_utc's
 * gap or overlap), and the offsets to write instead: when_resolve's sentence.
 */
void fit_said(char *buf, size_t n, const struct when_zone *z, const struct when_local *l,
    enum when_fit fit, const int off[2], const char *lang);
/*
 * A notice to registrants for one language: e is the event as that
 * language's readers see it; pub: the line for relayed people (may return
 * NULL: nothing). A new string the caller frees.
 */
typedef char *tell_render(const struct ev_event *e, const char *lang, bool pub,
    const void *arg);
/*
 * tell_people_lang() with render's text: the event read in each reader's
 * language (host->person_lang), rendered once per language.
 */
void tell_in_languages(const struct ev_people *const *lists, size_t nlists,
    long long event_id, tell_render *render, const void *arg);
/* What changed that the confirmed people of an event are told. */
enum change {
	CHANGE_NONE = 0,
	CHANGE_LOCATION,
	CHANGE_JOIN, /* a new join link, which relayed people do not get */
	CHANGE_START,
	CHANGE_DURATION,
};
/* What changed, to the confirmed people of an event (organiser.c). */
void tell_confirmed(const struct ev_event *e, enum change what);
/* `event set N start VALUE`: the new start read, in e's zone unless one is given. */
int parse_start(struct cv_ctx *ctx, const struct ev_event *e, const char *value,
    struct when_zone *z, struct when_local *l, time_t *start);
/* tell_render: "#N Title has changed: ..." (arg: an enum change). */
char *change_text(const struct ev_event *e, const char *lang, bool pub, const void *arg);
/* tell_render: "#N Title is cancelled: reason" (arg: the reason, or NULL). */
char *cancelled_text(const struct ev_event *e, const char *lang, bool pub, const void *arg);

/* import_jobs.c */
/* An `event import` whose download is running: whom to answer, what to make. */
struct import_job {
	struct import_job *next;
	char *nick;    /* the organiser, answered by notice */
	char *person;  /* their id, as the events' creator */
	char *channel; /* where the events belong */
	char *source;  /* the URL without user info, query or fragment */
};
extern struct import_job *jobs;
void job_free(struct import_job *j);
void cmd_event_import(struct cv_ctx *ctx);

/* texts.c */
int set_version(struct cv_ctx *ctx, const struct ev_event *e, const char *name,
    size_t max, const char *value, time_t now);
/* series.c: occurrences are made ahead this often (and at load). */
#define SERIES_MS (10 * 60 * 1000)
int series_load(struct cv_ctx *ctx, const char *arg, bool active, struct ev_event *e);
int series_resolve(struct cv_ctx *ctx, const char *arg, long long *id);
bool series_cmd_event(struct cv_ctx *ctx);
bool series_cmd_rsvp_all(struct cv_ctx *ctx);
void series_mine(struct cv_ctx *ctx);
bool series_cmd_set(struct cv_ctx *ctx);
int series_own_mark(const struct ev_event *e, const char *field);
bool series_cmd_cancel(struct cv_ctx *ctx);
void series_list_line(struct cv_ctx *ctx, const struct ev_event *e, const char *when,
    const char *places);
void series_tick(void *arg);
int series_import(long long id, const char *repeat, const struct when_local *ex,
    size_t nex, time_t now);

/* reminders.c */
/* Connected and in our channels: reminders may go out. */
extern bool ready;
extern cv_timer_id settle_timer;
void scan(void *arg);
void become_ready(void *arg);
void on_connected(void *arg, const char *topic, const void *data);
void restamp_all(void);

#pragma GCC visibility pop

#endif
