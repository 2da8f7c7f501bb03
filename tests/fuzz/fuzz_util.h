/*
 * fuzz_util.h: what the harnesses that read '\n'-separated fields share.
 */
#ifndef CONVENE_FUZZ_UTIL_H
#define CONVENE_FUZZ_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The next '\n'-separated piece of the input, as a new string (caller frees). */
static inline char *
piece(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	const uint8_t *stop = nl != NULL ? nl : end;
	size_t len = (size_t)(stop - *p);
	char *s = malloc(len + 1);

	if (s == NULL)
		abort();
	memcpy(s, *p, len);
	s[len] = '\0';
	*p = nl != NULL ? nl + 1 : end;
	return s;
}

/* A property that must hold for every input: a crash the fuzzer reports. */
static inline void
check(int ok)
{
	if (!ok)
		abort();
}

#endif
