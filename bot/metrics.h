/*
 * metrics.h: counters and gauges of the host and of plugins, answered in
 * the Prometheus text format on GET /metrics to the networks of
 * [http] metrics_from (loopback by default). No metric names a person or
 * an event: labels are fixed words (a status, a reason, a code).
 */
#ifndef CV_METRICS_H
#define CV_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "convene.h"

enum metric {
	M_COMMANDS_HANDLED, /* reached a command's handler */
	M_REFUSED_UNKNOWN,  /* refused, by reason */
	M_REFUSED_NOT_ALLOWED,
	M_REFUSED_USAGE,
	M_REFUSED_RATE_LIMITED,
	M_REFUSED_TOO_LONG,
	M_REFUSED_BAD_ENCODING,
	M_LINES_QUEUED, /* lines of answers and messages to people/channels */
	M_LINES_SENT,
	M_RECONNECTS, /* connection attempts after a loss */
	M_COUNT
};

void metrics_inc(enum metric m);
void metrics_http_status(int status);
void metrics_store_commit(double seconds);

/* A plugin's metric (struct cv_host's metric()); the owner's go on unload. */
void metrics_plugin(const void *owner, enum cv_metric_type type, const char *name,
    const char *help, const char *label, const char *label_value, double v);
/* fn runs before each scrape, to set gauges (counts read from the database). */
void metrics_hook(const void *owner, void (*fn)(void *arg), void *arg);
void metrics_drop_owner(const void *owner);
void metrics_free(void);

/* The whole exposition, NUL-terminated (caller frees). */
char *metrics_render(size_t *len);

/*
 * The networks allowed to read /metrics: a comma-separated list of CIDRs
 * ("127.0.0.0/8, ::1/128"; a plain address is one host). 0, or -1 with a
 * reason in err. metrics_set_allowed() keeps the list (NULL: the default).
 */
#define METRICS_FROM_DEFAULT "127.0.0.0/8, ::1/128"
int metrics_check_from(const char *list, char *err, size_t errlen);
int metrics_set_allowed(const char *list, char *err, size_t errlen);
bool metrics_allowed(const struct sockaddr *sa);

#endif
