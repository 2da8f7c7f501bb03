/*
 * sbuf.h: a growable byte string, and the plugin's allocation helpers.
 * Running out of memory is fatal, in cv_oom() only (include/cv_xalloc.h).
 */
#ifndef CAL_SBUF_H
#define CAL_SBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "cv_xalloc.h"

#pragma GCC visibility push(hidden)

struct sbuf {
	char *s; /* NUL-terminated; owned; NULL until something is added */
	size_t len, cap;
};

#define cal_xrealloc cv_xrealloc /* the plugin's name for it */
/* A copy of s, or NULL for NULL. */
char *cal_xstrdup(const char *s);

void sb_add(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The string, handed over (caller frees); b is empty after. Never NULL. */
char *sb_take(struct sbuf *b, size_t *len);
void sb_free(struct sbuf *b);

#pragma GCC visibility pop

#endif
