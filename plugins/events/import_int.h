/*
 * import_int.h: what import.c and import_prep.c share. Not part of the
 * importer's interface (import.h); hidden from the shared object.
 */
#ifndef CONVENE_IMPORT_INT_H
#define CONVENE_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libical/ical.h>

#include "cv_xalloc.h"

#pragma GCC visibility push(hidden)

/* import.c */
void quote(char *buf, size_t n, const char *s);

/* import_prep.c */
bool looks_like_ics(const char *s, size_t len);
char *prepare(const char *text, size_t len, char *err, size_t errlen);
int zones_tame(icalcomponent *cal, int year, char *err, size_t errlen);

#pragma GCC visibility pop

#endif
