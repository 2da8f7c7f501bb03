/* text.h: UTF-8 and IRC text handling. Pure functions, no I/O. */
#ifndef CV_TEXT_H
#define CV_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Is s[0..len) valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF)? */
bool text_valid_utf8(const char *s, size_t len);

/*
 * Remove CR, LF and NUL from s[0..*len) in place (replacing CR/LF by a
 * space, so words do not run together). Updates *len and terminates s.
 */
void text_strip_crlf(char *s, size_t *len);

/*
 * Remove IRC formatting in place: bold 0x02, colour 0x03 with its optional
 * "fg[,bg]" digits, hex colour 0x04 with its digits, reset 0x0F, monospace
 * 0x11, reverse 0x16, italic 0x1D, strikethrough 0x1E, underline 0x1F.
 * Returns the new length; s stays NUL-terminated.
 */
size_t text_strip_format(char *s);

/*
 * Clean untrusted text for storage and display: -1 with a sentence in err
 * when s is not valid UTF-8; otherwise strips formatting, turns every other
 * C0 control and DEL into a space, trims spaces at both ends, and returns 0.
 */
int text_clean(char *s, char *err, size_t errlen);

/*
 * The largest n <= max such that s[0..n) does not end inside a UTF-8
 * sequence (counting only well-formed sequences; invalid bytes are single
 * units). Prefers to cut after a space when one lies in the last quarter.
 */
size_t text_cut(const char *s, size_t len, size_t max);

/* Like text_cut, but exactly at the last boundary: for protocol lines. */
size_t text_cut_utf8(const char *s, size_t len, size_t max);

#endif
