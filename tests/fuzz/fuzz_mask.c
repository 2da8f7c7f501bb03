/*
 * fuzz_mask.c: glob matching and case folding on arbitrary input.
 * Input: one byte choosing the casemapping, then "mask\nstring\naccount".
 * Besides not crashing (and finishing fast), checks invariants that hold
 * for every input: folding is idempotent, a string equals its folded form,
 * comparison is antisymmetric, and a mask matches itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"
#include "util.h"

/* The next '\n'-separated piece of the input, as a new string. */
static char *
piece(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	const uint8_t *stop = nl != NULL ? nl : end;
	char *s = xstrndup((const char *)*p, (size_t)(stop - *p));

	*p = nl != NULL ? nl + 1 : end;
	return s;
}

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	enum casemap cm;
	char *mask, *str, *account, *folded;

	if (size < 1)
		return 0;
	cm = (enum casemap)(*p++ % 3);
	mask = piece(&p, end);
	str = piece(&p, end);
	account = piece(&p, end);

	(void)mask_match_person(mask, str, account, cm);
	(void)mask_match_person(mask, str, NULL, cm);
	(void)mask_match_person(mask, NULL, account, cm);
	(void)mask_valid(mask);
	(void)mask_match(mask, str, cm);

	folded = xstrdup(str);
	casefold(folded, cm);
	if (casecmp(str, folded, cm) != 0 || casecmp(folded, str, cm) != 0)
		abort();
	if (!mask_match(str, folded, cm) || !mask_match(folded, str, cm))
		abort();
	if (!mask_match(mask, mask, cm) || !mask_match("*", str, cm))
		abort();
	if (sign(casecmp(mask, str, cm)) != -sign(casecmp(str, mask, cm)))
		abort();
	if ((casecmp(mask, str, cm) == 0) != (casecmp(str, mask, cm) == 0))
		abort();
	{
		char *twice = xstrdup(folded);

		casefold(twice, cm);
		if (strcmp(twice, folded) != 0)
			abort();
		free(twice);
	}

	free(folded);
	free(account);
	free(str);
	free(mask);
	return 0;
}
