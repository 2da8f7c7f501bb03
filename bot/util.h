/* util.h: allocation that never fails, and small string helpers. */
#ifndef CV_UTIL_H
#define CV_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* These never return NULL: running out of memory is fatal, here only. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A new string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* strlcpy semantics: always terminates, returns strlen(src). */
size_t cv_strlcpy(char *dst, const char *src, size_t size);

/* Standard base64 with padding, as a new string the caller frees. */
char *base64_encode(const void *data, size_t len);

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#endif
