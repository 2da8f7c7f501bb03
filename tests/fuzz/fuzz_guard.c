/*
 * fuzz_guard.c: the inbound line guard on arbitrary server bytes.
 * Input: one byte seeding the chunk sizes, then the stream. The stream goes
 * through linebuf_feed in pieces of 1..64 bytes (and whole through
 * guard_line); every line that comes out must be one libircclient parses
 * safely: 1..510 bytes, no CR/LF/NUL, not tagged, a command with at least
 * one parameter, NOTICE with two, and no lone \x01 as PRIVMSG/NOTICE text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guard.h"

static void
check_line(const char *l, size_t len)
{
	const char *p = l, *end = l + len, *cmd, *sp, *text, *tend;
	size_t cmdlen;
	int nparams = 0;

	if (len == 0 || len > GUARD_MAX_LINE || strlen(l) != len)
		abort();
	if (memchr(l, '\r', len) != NULL || memchr(l, '\n', len) != NULL)
		abort();
	if (l[0] == '@' || l[0] == ' ')
		abort();
	if (*p == ':') {
		if ((sp = memchr(p, ' ', len)) == NULL)
			abort();
		p = sp + 1;
	}
	cmd = p;
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL || sp == cmd)
		abort();
	cmdlen = (size_t)(sp - cmd);
	p = sp + 1;
	if (p >= end)
		abort(); /* the parser would read past the line */

	/* Split params as libircclient does; look at params[1]. */
	text = tend = NULL;
	while (p < end && nparams < 10) {
		if (*p == ':') {
			if (nparams++ == 1) {
				text = p + 1;
				tend = end;
			}
			break;
		}
		sp = memchr(p, ' ', (size_t)(end - p));
		if (nparams++ == 1) {
			text = p;
			tend = sp != NULL ? sp : end;
		}
		if (sp == NULL)
			break;
		p = sp + 1;
	}
	if (cmdlen == 6 && strncasecmp(cmd, "NOTICE", 6) == 0 && nparams < 2)
		abort();
	if (text != NULL && tend > text && *text == 0x01 &&
	    ((cmdlen == 6 && strncasecmp(cmd, "NOTICE", 6) == 0) ||
	        (cmdlen == 7 && strncasecmp(cmd, "PRIVMSG", 7) == 0)) &&
	    (tend - text < 3 || tend[-1] != 0x01))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[GUARD_MAX_LINE + 1];
	struct linebuf *lb;
	const char *line;
	size_t off, n, len;
	uint32_t rng;
	int r;

	if (size < 1)
		return 0;
	rng = data[0] * 2654435761u + 1;
	data++;
	size--;

	r = guard_line((const char *)data, size, out, sizeof out);
	if (r >= 0)
		check_line(out, (size_t)r);

	lb = linebuf_new();
	for (off = 0; off < size; off += n) {
		rng = rng * 1103515245u + 12345u;
		n = 1 + (rng >> 16) % 64;
		if (n > size - off)
			n = size - off;
		linebuf_feed(lb, (const char *)data + off, n);
		/* Sometimes leave lines queued, to exercise the backlog. */
		if ((rng >> 8) & 1)
			continue;
		while ((line = linebuf_next(lb, &len)) != NULL)
			check_line(line, len);
	}
	while ((line = linebuf_next(lb, &len)) != NULL)
		check_line(line, len);
	linebuf_free(lb);
	return 0;
}
