/* text.c: UTF-8 and IRC text handling. Pure functions, no I/O. */
#include <stdio.h>
#include <string.h>

#include "convene.h"
#include "text.h"

/*
 * The length of the well-formed UTF-8 sequence at s[0..len), or 0 when the
 * bytes there are not one (Unicode table 3-7: no overlongs, no surrogates,
 * nothing above U+10FFFF).
 */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c < 0xe0)
		n = 2;
	else if (c < 0xf0) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else {
		n = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	}
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return n;
}

bool
text_valid_utf8(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if ((n = utf8_seq(u + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}

void
text_strip_crlf(char *s, size_t *len)
{
	size_t i, j = 0;

	for (i = 0; i < *len; i++) {
		if (s[i] == '\0')
			continue;
		s[j++] = (s[i] == '\r' || s[i] == '\n') ? ' ' : s[i];
	}
	s[j] = '\0';
	*len = j;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Digits of a colour code: up to two after 0x03. */
static size_t
skip_digits(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && is_digit(s[n]))
		n++;
	return n;
}

/* Exactly six hex digits after 0x04, or none: anything else is no colour. */
static size_t
skip_hex6(const char *s)
{
	size_t n = 0;

	while (n < 6 && is_xdigit(s[n]))
		n++;
	return n == 6 ? 6 : 0;
}

size_t
text_strip_format(char *s)
{
	size_t i = 0, j = 0, n;

	while (s[i] != '\0') {
		switch (s[i]) {
		case 0x03:
			i++;
			if ((n = skip_digits(s + i, 2)) > 0) {
				i += n;
				/* A comma is the background only when digits follow. */
				if (s[i] == ',' && is_digit(s[i + 1]))
					i += 1 + skip_digits(s + i + 1, 2);
			}
			break;
		case 0x04:
			i++;
			if ((n = skip_hex6(s + i)) > 0) {
				i += n;
				if (s[i] == ',' && skip_hex6(s + i + 1) > 0)
					i += 7;
			}
			break;
		case 0x02:
		case 0x0f:
		case 0x11:
		case 0x16:
		case 0x1d:
		case 0x1e:
		case 0x1f:
			i++;
			break;
		default:
			s[j++] = s[i++];
			break;
		}
	}
	s[j] = '\0';
	return j;
}

int
text_clean(char *s, char *err, size_t errlen)
{
	size_t len = strlen(s), i, start;

	if (!text_valid_utf8(s, len)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", N_("text is not valid UTF-8"));
		return -1;
	}
	len = text_strip_format(s);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	for (start = 0; start < len && s[start] == ' '; start++)
		;
	memmove(s, s + start, len - start);
	s[len - start] = '\0';
	return 0;
}

size_t
text_cut_utf8(const char *s, size_t len, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	if (len <= max)
		return len;
	/* Walk from the start: only a forward scan knows where sequences begin. */
	while (i < max) {
		if ((n = utf8_seq(u + i, len - i)) == 0)
			n = 1;
		if (i + n > max)
			break;
		i += n;
	}
	return i;
}

size_t
text_cut(const char *s, size_t len, size_t max)
{
	size_t n = text_cut_utf8(s, len, max), i;

	if (n == len)
		return n;
	for (i = n; i > n - n / 4; i--) {
		if (s[i - 1] == ' ')
			return i;
	}
	return n;
}
