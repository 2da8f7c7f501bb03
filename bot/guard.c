/*
 * guard.c: the inbound line guard. libircclient 1.9 trusts the server far
 * too much (guard.h lists how); every line passes here first and
 * comes out in the one shape its parser handles safely:
 * "[:prefix ]COMMAND param...", at most 510 bytes, with at least one param.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guard.h"
#include "text.h"
#include "util.h"

/*
 * Raw bytes kept of one physical line: room for a long IRCv3 tag section in
 * front of a full 512-byte message, while keeping the buffer small.
 */
#define LINEBUF_RAW_MAX 4096

/* libircclient keeps at most 10 params; later ones do not matter to it. */
#define IRC_MAX_PARAMS 10

static bool
cmd_is(const char *cmd, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(cmd, name, len) == 0;
}

/*
 * Find param idx of s[0..n) the way libircclient splits them: a param
 * starting with ':' is the last; otherwise single spaces separate (so two
 * spaces make an empty param). Returns how many params there are.
 */
static int
param_find(const char *s, size_t n, int idx, size_t *start, size_t *plen)
{
	size_t pos = 0, b;
	int count = 0;

	while (pos < n && count < IRC_MAX_PARAMS) {
		if (s[pos] == ':') {
			if (count == idx) {
				*start = pos + 1;
				*plen = n - pos - 1;
			}
			return count + 1;
		}
		for (b = pos; pos < n && s[pos] != ' '; pos++)
			;
		if (count++ == idx) {
			*start = b;
			*plen = pos - b;
		}
		if (pos == n)
			break;
		pos++;
	}
	return count;
}

static int
param_count(const char *s, size_t n)
{
	size_t start, plen;

	return param_find(s, n, -1, &start, &plen);
}

/*
 * libircclient takes params[1] of PRIVMSG/NOTICE as CTCP when it starts and
 * ends with \x01 and copies len - 2 bytes: a lone \x01 over-reads. Anything
 * that starts with \x01 but is not a well-formed CTCP loses its \x01s.
 * Returns the new length of s.
 */
static size_t
fix_ctcp(char *s, size_t n)
{
	size_t start = 0, plen = 0, i, j;

	if (param_find(s, n, 1, &start, &plen) < 2 || plen == 0 || s[start] != 0x01)
		return n;
	if (plen >= 3 && s[start + plen - 1] == 0x01)
		return n;
	for (i = j = start; i < start + plen; i++) {
		if (s[i] != 0x01)
			s[j++] = s[i];
	}
	memmove(s + j, s + start + plen, n - start - plen);
	return n - (start + plen - j);
}

/* Skip bytes up to the next space (or end) and then every space. */
static size_t
skip_token(const char *s, size_t i, size_t n, size_t *tokend)
{
	while (i < n && s[i] != ' ')
		i++;
	*tokend = i;
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

static size_t
append(char *buf, size_t len, size_t cap, const char *s, size_t n)
{
	if (n > cap - len)
		n = cap - len;
	memcpy(buf + len, s, n);
	return len + n;
}

int
guard_line(const char *in, size_t len, char *out, size_t outsz)
{
	/* 4 bytes past the limit are enough to see if a sequence crosses it. */
	char buf[GUARD_MAX_LINE + 4];
	char *c = xmalloc(len + 1);
	size_t clen = 0, i, end, pfx = 0, pfx_end = 0, cmd, cmd_end, hdr, n;
	int ret = -1;

	/* NUL would end the line early for the parser; CR/LF would split it. */
	for (i = 0; i < len; i++) {
		if (in[i] != '\0' && in[i] != '\r' && in[i] != '\n')
			c[clen++] = in[i];
	}

	i = 0;
	while (i < clen && c[i] == ' ')
		i++;
	/* Tags: we never ask for them, and the parser mangles tagged lines. */
	while (i < clen && c[i] == '@') {
		i = skip_token(c, i, clen, &end);
		if (end == clen)
			goto out;
	}
	if (i == clen)
		goto out;
	if (c[i] == ':') {
		pfx = i;
		i = skip_token(c, i, clen, &pfx_end);
		if (i == clen)
			goto out;
	}
	cmd = i;
	i = skip_token(c, i, clen, &cmd_end);

	/* NICK without a prefix crashes the library (strstr on NULL). */
	if (pfx_end == 0 && cmd_is(c + cmd, cmd_end - cmd, "NICK"))
		goto out;

	/*
	 * Rebuild with single spaces: the parser assumes exactly one after the
	 * prefix and the command, and reads stale memory after a command with
	 * no params at all, so such a command gets an empty trailing one.
	 */
	n = 0;
	if (pfx_end > 0) {
		n = append(buf, n, sizeof buf, c + pfx, pfx_end - pfx);
		n = append(buf, n, sizeof buf, " ", 1);
	}
	n = append(buf, n, sizeof buf, c + cmd, cmd_end - cmd);
	n = append(buf, n, sizeof buf, " ", 1);
	hdr = (pfx_end > 0 ? pfx_end - pfx + 1 : 0) + (cmd_end - cmd) + 1;
	if (i < clen)
		n = append(buf, n, sizeof buf, c + i, clen - i);
	else
		n = append(buf, n, sizeof buf, ":", 1);

	n = text_cut_utf8(buf, n, GUARD_MAX_LINE);
	if (n <= hdr)
		goto out; /* a prefix or command too long to leave room */

	if (cmd_is(c + cmd, cmd_end - cmd, "PRIVMSG") ||
	    cmd_is(c + cmd, cmd_end - cmd, "NOTICE")) {
		n = hdr + fix_ctcp(buf + hdr, n - hdr);
		/* The library's NOTICE handler reads params[1] unchecked. */
		if (cmd_is(c + cmd, cmd_end - cmd, "NOTICE") &&
		    param_count(buf + hdr, n - hdr) < 2)
			goto out;
	}

	if (n + 1 > outsz)
		goto out;
	memcpy(out, buf, n);
	out[n] = '\0';
	ret = (int)n;
out:
	free(c);
	return ret;
}

struct linebuf {
	char raw[LINEBUF_RAW_MAX];
	size_t rawlen;
	bool dropping; /* the line was too long: skip to the next LF */

	/* Guarded lines not yet taken, each NUL-terminated. */
	char *ready;
	size_t readylen, readysize, readypos;

	char cur[GUARD_MAX_LINE + 1];
};

struct linebuf *
linebuf_new(void)
{
	return xcalloc(1, sizeof(struct linebuf));
}

void
linebuf_free(struct linebuf *lb)
{
	if (lb == NULL)
		return;
	free(lb->ready);
	free(lb);
}

/* Guard the line in raw and queue it for linebuf_next. */
static void
linebuf_end_line(struct linebuf *lb)
{
	char line[GUARD_MAX_LINE + 1];
	int n = guard_line(lb->raw, lb->rawlen, line, sizeof line);

	lb->rawlen = 0;
	lb->dropping = false;
	if (n < 0)
		return;
	if (lb->readysize - lb->readylen < (size_t)n + 1) {
		lb->readysize = lb->readylen + (size_t)n + 1 + 1024;
		lb->ready = xrealloc(lb->ready, lb->readysize);
	}
	memcpy(lb->ready + lb->readylen, line, (size_t)n + 1);
	lb->readylen += (size_t)n + 1;
}

void
linebuf_feed(struct linebuf *lb, const char *data, size_t len)
{
	const char *nl;
	size_t n, room;

	/* Forget lines already taken, so the queue holds only what is pending. */
	if (lb->readypos > 0) {
		memmove(lb->ready, lb->ready + lb->readypos, lb->readylen - lb->readypos);
		lb->readylen -= lb->readypos;
		lb->readypos = 0;
	}

	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl != NULL ? (size_t)(nl - data) : len;
		if (!lb->dropping) {
			room = sizeof lb->raw - lb->rawlen;
			if (n > room) {
				n = room;
				lb->dropping = true;
			}
			memcpy(lb->raw + lb->rawlen, data, n);
			lb->rawlen += n;
		}
		if (nl == NULL)
			break;
		linebuf_end_line(lb);
		len -= (size_t)(nl - data) + 1;
		data = nl + 1;
	}
}

const char *
linebuf_next(struct linebuf *lb, size_t *len)
{
	size_t n;

	if (lb->readypos >= lb->readylen)
		return NULL;
	n = strlen(lb->ready + lb->readypos);
	memcpy(lb->cur, lb->ready + lb->readypos, n + 1);
	lb->readypos += n + 1;
	if (lb->readypos == lb->readylen) {
		lb->readypos = lb->readylen = 0;
		/* One large burst should not pin its memory for good. */
		if (lb->readysize > LINEBUF_RAW_MAX) {
			free(lb->ready);
			lb->ready = NULL;
			lb->readysize = 0;
		}
	}
	if (len != NULL)
		*len = n;
	return lb->cur;
}
