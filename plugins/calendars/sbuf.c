/* sbuf.c: see sbuf.h. */
#include "sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
cal_xstrdup(const char *s)
{
	return s == NULL ? NULL : cv_xstrdup(s);
}

static void
grow(struct sbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	while (b->len + more + 1 > b->cap)
		b->cap = b->cap == 0 ? 256 : b->cap * 2;
	b->s = cal_xrealloc(b->s, b->cap);
}

void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
sb_take(struct sbuf *b, size_t *len)
{
	char *s;

	if (b->s == NULL)
		sb_add(b, "", 0);
	s = b->s;
	if (len != NULL)
		*len = b->len;
	memset(b, 0, sizeof(*b));
	return s;
}

void
sb_free(struct sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}
