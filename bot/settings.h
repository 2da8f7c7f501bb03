/*
 * settings.h: the configuration in the terms of the link and of the HTTP
 * server (settings.c), read by main.c at start-up, --check and reload.
 */
#ifndef CV_SETTINGS_H
#define CV_SETTINGS_H

#include "config.h"
#include "http.h"
#include "link.h"

/* Build the link's settings from [irc]; -1 with the reasons in errs. */
int link_conf_from(const struct config *c, struct link_conf *lc, struct errlist *errs);

/*
 * A setting that works but gives a secret away (said by --check and at
 * start, without failing either), or NULL.
 */
const char *link_conf_warning(const struct link_conf *lc);

/* The [http] limits on clients; -1, with the reason in errs, when one is malformed. */
int http_limits_from(const struct config *c, struct http_limits *lim, struct errlist *errs);

#endif
