/*
 * host_priv.h: what host.c (the struct cv_host table, identity, roles,
 * timers), host_answers.c (answers and holding them) and host_bus.c (bus,
 * deferred erasure) share. Nothing else includes it.
 */
#ifndef CV_HOST_PRIV_H
#define CV_HOST_PRIV_H

#include <stddef.h>

#include "convene.h"

/* host.c */
/* A growing list of owned strings. */
void strv_free(char ***v, size_t *n);
void strv_add(char ***v, size_t *n, const char *s);

/* host_answers.c */
void api_say(const char *target, const char *fmt, ...) CV_PRINTF(2, 3);
void api_notice_many(const char *const *targets, size_t n, const char *text);

/* host_bus.c */
/* The plugins that keep personal data, from the database (at host_migrate). */
int personal_load(void);
const char *api_forget_deferred(size_t i);

#endif
