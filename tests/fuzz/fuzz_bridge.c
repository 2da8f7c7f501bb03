/*
 * fuzz_bridge.c: the relayed-line parser on arbitrary input.
 * Input: "FORMATS\nPRELUDES\nLINE\nLINE..." (format specs as in [bridge];
 * a spec that does not compile falls back to the defaults). Each line goes
 * through bridge_line as a relay's, with the clock moving, then through
 * bridge_match with both specs. Checks what a match promises: a name of
 * 1..BRIDGE_NAME_MAX-1 bytes with no control character, no zero-width
 * character and no formatting, no spaces at its ends; a lowercase protocol
 * of [a-z0-9._-]; an id "r:PROTOCOL:name" with no ASCII capitals; said text
 * that is not empty.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "text.h"
#include "util.h"

static void
check(const struct bridge_said *s)
{
	size_t n = strlen(s->nick), i;
	const char *p;

	if (n == 0 || n >= BRIDGE_NAME_MAX || s->nick[0] == ' ' || s->nick[n - 1] == ' ')
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s->nick[i] < 0x20 || s->nick[i] == 0x7f)
			abort();
	if (strstr(s->nick, "\xe2\x80\x8b") != NULL ||
	    strstr(s->nick, "\xef\xbb\xbf") != NULL)
		abort();
	if (!text_valid_utf8(s->nick, n) || s->protocol[0] == '\0')
		abort();
	for (p = s->protocol; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		        *p == '_' || *p == '.'))
			abort();
	if (strncmp(s->id, "r:", 2) != 0 ||
	    strncmp(s->id + 2, s->protocol, strlen(s->protocol)) != 0)
		abort();
	for (p = s->id; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			abort();
	if (s->text[0] == '\0')
		abort();
}

static char *
piece(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	const uint8_t *stop = nl != NULL ? nl : end;
	char *s = xstrndup((const char *)*p, (size_t)(stop - *p));

	*p = nl != NULL ? nl + 1 : end;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *fspec = piece(&p, end), *pspec = piece(&p, end), err[256];
	struct bridge_formats f, pre;
	struct bridge_said s;
	int64_t now = 0;

	if (bridge_configure("*!relay@relay.example", fspec, pspec, err, sizeof err) < 0 &&
	    bridge_configure("*!relay@relay.example", NULL, NULL, err, sizeof err) < 0)
		abort();
	if (bridge_compile(fspec, false, &f, err, sizeof err) < 0 &&
	    bridge_compile(BRIDGE_DEFAULT_FORMATS, false, &f, err, sizeof err) < 0)
		abort();
	if (bridge_compile(pspec, true, &pre, err, sizeof err) < 0 &&
	    bridge_compile(BRIDGE_DEFAULT_PRELUDES, true, &pre, err, sizeof err) < 0)
		abort();
	while (p < end) {
		char *line = piece(&p, end);

		if (bridge_line("relay!relay@relay.example", "#c", line, now,
		        CASEMAP_RFC1459, &s) == 1)
			check(&s);
		if (bridge_match(&f, false, line, &s) == 1)
			check(&s);
		if (bridge_match(&pre, true, line, &s) == 1) {
			/* A prelude's text is what was left: nothing. */
			if (s.nick[0] == '\0')
				abort();
		}
		now += line[0] != '\0' ? (unsigned char)line[0] * 40 : 1;
		free(line);
	}
	bridge_formats_free(&f);
	bridge_formats_free(&pre);
	bridge_free();
	free(fspec);
	free(pspec);
	return 0;
}
