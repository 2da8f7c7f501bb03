/*
 * config_priv.h: what config.c (reading, typed values) and config_keys.c
 * (the schemas and checks) share; nothing else includes it.
 */
#ifndef CV_CONFIG_PRIV_H
#define CV_CONFIG_PRIV_H

#include <stdbool.h>

#include "config.h"

/* config.c */
/* Trims isspace() characters from both ends, in place. */
char *trim(char *s);
bool has_control(const char *s);
struct config_entry *config_find(const struct config *c, const char *section,
    const char *key);
int parse_bool(const char *v, bool *out);
int parse_long(const char *v, long min, long max, long *out);
int parse_double(const char *v, double min, double max, double *out);
/* Reasons for a bad value; the caller frees them. */
char *why_bool(void);
char *why_long(long min, long max);
char *why_double(double min, double max);
/* Adds "path:line: section.key: why" and frees why. */
void entry_error(const struct config *c, const struct config_entry *e, char *why,
    struct errlist *errs);

#endif
