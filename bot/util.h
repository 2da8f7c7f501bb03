/* util.h: allocation that never fails, and small string helpers. */
#ifndef CV_UTIL_H
#define CV_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#include "cv_xalloc.h"

/*
 * The host's names for the allocators that never return NULL (running out
 * of memory is fatal, in cv_oom() only), shared with the plugins.
 */
#define xmalloc cv_xmalloc
#define xcalloc cv_xcalloc
#define xrealloc cv_xrealloc
#define xstrdup cv_xstrdup
#define xstrndup cv_xstrndup
#define xasprintf cv_xasprintf /* a new string the caller frees */
#define xvasprintf cv_xvasprintf

/* strlcpy semantics: always terminates, returns strlen(src). */
size_t cv_strlcpy(char *dst, const char *src, size_t size);

/* Standard base64 with padding, as a new string the caller frees. */
char *base64_encode(const void *data, size_t len);

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#endif
