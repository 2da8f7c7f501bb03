/*
 * host.h: what the host gives plugins (the struct cv_host table), who a
 * person is (identity and role), and the records of what each plugin
 * registered, so unloading undoes all of it.
 */
#ifndef CV_HOST_H
#define CV_HOST_H

#include "convene.h"
#include "mask.h"

struct config;

const struct cv_host *host_api(void);

/* Answer a command's asker by private NOTICE. */
void host_reply(struct cv_ctx *ctx, const char *fmt, ...) CV_PRINTF(2, 3);
void host_notice(const char *target, const char *fmt, ...) CV_PRINTF(2, 3);
/* PRIVMSG "NAME: text" to a channel: how a relayed person is answered. */
void host_say_to(const char *channel, const char *name, const char *fmt, ...)
    CV_PRINTF(3, 4);

/*
 * Roles: owners come from [bot] owners (comma-separated masks); organisers
 * are stored in the database and cached here.
 */
void host_set_owners(const char *owners);
int host_organizers_load(void);
int host_organizer_add(const char *mask); /* 0, 1 when already there, -1 */
int host_organizer_del(const char *mask); /* 0, 1 when not there, -1 */
size_t host_organizer_count(void);
const char *host_organizer(size_t i);

/* Fill a person from "nick!user@host" and an account (or NULL). */
void host_person(struct cv_person *p, const char *origin, const char *account,
    char *idbuf, size_t idlen, char *nickbuf, size_t nicklen);

/* The config the host runs with (replaced on SIGHUP). */
void host_set_config(struct config *c);
const struct config *host_config(void);

/* After each loop pass: commit grouped changes, then release held answers. */
void host_pass_end(void *arg);

/*
 * A plugin's init succeeded: it erases the people forgotten while it was not
 * loaded (see CV_TOPIC_PERSON_FORGET).
 */
void host_loaded(struct cv_plugin *p);

/* Undo every timer and subscription of a plugin. */
void host_release(struct cv_plugin *p);

/* The message bus. */
int bus_subscribe(struct cv_plugin *p, const char *topic, cv_bus_fn fn, void *arg);
void bus_publish(const char *topic, const void *data);
void bus_release(struct cv_plugin *p);

/* Wall clock, which tests may shift: CONVENE_TIME_OFFSET seconds. */
time_t host_wall_now(void);

/* Host schema (organizers table). */
int host_migrate(char *err, size_t errlen);

#endif
