/*
 * guard.h: the inbound line guard. Every line from the server passes here
 * before libircclient's parser sees it, because that parser (1.9, as Debian
 * builds it) hangs the session silently on a line over ~1021 bytes or a
 * blank line, mangles lines with IRCv3 tags, reads stale stack data as the
 * params of a command that has none, keeps at most 10 params, and
 * over-reads memory on a lone \x01.
 */
#ifndef CV_GUARD_H
#define CV_GUARD_H

#include <stddef.h>

#define GUARD_MAX_LINE 510 /* bytes before CRLF */

/*
 * Make one line (without its line ending) safe: strips NUL, drops the
 * "@tags " prefix, gives a command with no parameters an empty trailing
 * one (" :"), removes a stray \x01 from a PRIVMSG/NOTICE text that is not
 * a well-formed CTCP (\x01...\x01 with at least one byte inside), and cuts
 * the result to GUARD_MAX_LINE bytes on a UTF-8 boundary. Writes the result
 * without line ending to out (outsz >= GUARD_MAX_LINE + 1), NUL-terminated.
 * Returns its length, or -1 when the line must be dropped (blank, only
 * tags, no command, a prefix too long to leave room for a param, and two
 * lines the library would crash on: NICK without a prefix, NOTICE with
 * fewer than two params).
 */
int guard_line(const char *in, size_t len, char *out, size_t outsz);

/*
 * A stream splitter: feed bytes as they arrive, take guarded lines out.
 * Lines end in LF or CRLF. Over-long input lines are cut, and the rest up
 * to the next LF dropped. It holds one partial line (at most 4 KB) plus
 * the guarded lines not yet taken: call linebuf_next until NULL after
 * each feed.
 */
struct linebuf;

struct linebuf *linebuf_new(void);
void linebuf_free(struct linebuf *lb);
void linebuf_feed(struct linebuf *lb, const char *data, size_t len);
/*
 * The next complete guarded line (NUL-terminated, no line ending) in a
 * buffer the linebuf owns until the next call, or NULL.
 */
const char *linebuf_next(struct linebuf *lb, size_t *len);

#endif
