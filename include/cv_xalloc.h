/*
 * cv_xalloc.h: allocation that never fails, for the host and the plugins
 * alike. Header-only, so a plugin uses it without linking the host.
 *
 * Running out of memory is fatal, in cv_oom() only: nothing of Convene's
 * can go on sensibly without the memory it asked for, so no caller checks
 * for NULL after these.
 */
#ifndef CV_XALLOC_H
#define CV_XALLOC_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noreturn, cold)) static inline void
cv_oom(void)
{
	fputs("convene: out of memory\n", stderr);
	abort();
}

/* n may be 0: a 1-byte block rather than NULL. */
static inline void *
cv_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		cv_oom();
	return p;
}

static inline void *
cv_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		cv_oom();
	return p;
}

static inline void *
cv_xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		cv_oom();
	return p;
}

/*
 * Not inlined: GCC would otherwise see through callers' conditions (a NULL
 * that never reaches here) and warn of strndup(NULL).
 */
__attribute__((noinline, unused)) static char *
cv_xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		cv_oom();
	return p;
}

static inline char *
cv_xstrdup(const char *s)
{
	return cv_xstrndup(s, strlen(s));
}

/* A new string the caller frees. */
static inline char *
cv_xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		cv_oom();
	return s;
}

__attribute__((format(printf, 1, 2))) static inline char *
cv_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = cv_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

#endif
