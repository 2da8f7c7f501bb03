/*
 * icstext.c: the text of iCalendar output, without libical: property values
 * cleaned (ics_clean), lines folded at 75 octets on UTF-8 boundaries
 * (ics_fold) and unfolded. See ics.h and icstext.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ics.h"
#include "icstext.h"
#include "sbuf.h"

#define FOLD_OCTETS 75 /* RFC 5545 3.1, without the CRLF */

/*
 * The length of the well-formed UTF-8 sequence at s[0..len), or 0 when the
 * bytes there are not one (Unicode table 3-7).
 */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_xdigit(unsigned char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Bytes of an IRC colour's arguments at s: "fg[,bg]" digits, or hex with 0x04. */
static size_t
colour_args(const unsigned char *s, bool hex)
{
	size_t n = 0, m;

	if (hex) {
		while (n < 6 && is_xdigit(s[n]))
			n++;
		if (n != 6)
			return 0;
		if (s[6] == ',') {
			for (m = 0; m < 6 && is_xdigit(s[7 + m]); m++)
				;
			if (m == 6)
				n = 13;
		}
		return n;
	}
	while (n < 2 && is_digit(s[n]))
		n++;
	/* A comma is the background only when digits follow it. */
	if (n > 0 && s[n] == ',' && is_digit(s[n + 1]))
		n += 2 + (is_digit(s[n + 2]) ? 1 : 0);
	return n;
}

char *
ics_clean(const char *in, bool newlines)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = strlen(in), i = 0, n;
	struct sbuf b = { 0 };

	while (i < len) {
		unsigned char c = s[i];

		switch (c) {
		case 0x03:
		case 0x04:
			i += 1 + colour_args(s + i + 1, c == 0x04);
			continue;
		case 0x02:
		case 0x0f:
		case 0x11:
		case 0x16:
		case 0x1d:
		case 0x1e:
		case 0x1f:
			i++;
			continue;
		}
		if (c == '\n' && newlines) {
			sb_add(&b, "\n", 1);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			sb_add(&b, " ", 1);
			i++;
		} else if ((n = utf8_seq(s + i, len - i)) == 0) {
			sb_add(&b, "\xef\xbf\xbd", 3); /* U+FFFD */
			i++;
		} else if (n == 2 && c == 0xc2 && s[i + 1] < 0xa0) {
			sb_add(&b, " ", 1); /* C1 control */
			i += 2;
		} else {
			sb_add(&b, (const char *)s + i, n);
			i += n;
		}
	}
	return sb_take(&b, NULL);
}

/* Octets of the fold unit at s: a UTF-8 sequence, or a backslash with what it escapes. */
static size_t
fold_unit(const unsigned char *s, size_t len)
{
	size_t n;

	if (s[0] == '\\' && len > 1) {
		n = utf8_seq(s + 1, len - 1);
		return 1 + (n == 0 ? 1 : n);
	}
	n = utf8_seq(s, len);
	return n == 0 ? 1 : n;
}

/* ics_fold() appending to b. */
void
fold_into(struct sbuf *b, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(in + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - in) : len;
		size_t line_end = end > i && in[end - 1] == '\r' ? end - 1 : end;
		size_t avail = FOLD_OCTETS, used = 0, start = i;

		while (i < line_end) {
			size_t u = fold_unit(s + i, line_end - i);

			if (used + u > avail) {
				sb_add(b, in + start, i - start);
				sb_add(b, "\r\n ", 3);
				start = i;
				used = 0;
				avail = FOLD_OCTETS - 1;
			}
			used += u;
			i += u;
		}
		sb_add(b, in + start, line_end - start);
		sb_add(b, "\r\n", 2);
		i = end + (nl != NULL ? 1 : 0);
	}
}

char *
ics_fold(const char *in, size_t len, size_t *outlen)
{
	struct sbuf b = { 0 };

	fold_into(&b, in, len);
	return sb_take(&b, outlen);
}

/* libical's serialisation with its folds undone: every CRLF + space or tab removed. */
char *
unfold(const char *s, size_t n, size_t *len)
{
	size_t o = 0;
	char *out = cal_xrealloc(NULL, n + 1);

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 2 < n && s[i + 1] == '\n' &&
		    (s[i + 2] == ' ' || s[i + 2] == '\t')) {
			i += 2;
			continue;
		}
		out[o++] = s[i];
	}
	out[o] = '\0';
	*len = o;
	return out;
}

char *
plain_name(const char *s)
{
	char *c = ics_clean(s != NULL ? s : "", false), *o = c;

	for (char *p = c; *p; p++)
		if (strchr(",;\\", *p) == NULL)
			*o++ = *p;
	*o = '\0';
	return c;
}

/* A TEXT value escaped as libical writes it (RFC 5545 3.3.11). */
static void
add_escaped(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\n':
			sb_puts(b, "\\n");
			break;
		case ';':
		case ',':
		case '\\':
			sb_printf(b, "\\%c", *s);
			break;
		default:
			sb_add(b, s, 1);
		}
	}
}

/* libical's DURATION text of a number of minutes: "PT1H", "PT1H30M", "PT0S". */
static void
add_minutes(struct sbuf *b, int minutes)
{
	int h = minutes / 60, m = minutes % 60;

	sb_puts(b, "PT");
	if (h != 0)
		sb_printf(b, "%dH", h);
	if (m != 0)
		sb_printf(b, "%dM", m);
	if (h == 0 && m == 0)
		sb_puts(b, "0S");
}

void
ics_head_plain(struct sbuf *out, const struct cal_meta *m)
{
	struct sbuf t = { 0 };
	char *name, *desc;
	size_t len;

	sb_puts(&t,
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//Convene//Convene calendars//EN\r\nCALSCALE:GREGORIAN\r\n");
	if (m->name != NULL) {
		name = plain_name(m->name);
		desc = plain_name(m->description);
		sb_puts(&t, "NAME:");
		add_escaped(&t, name);
		sb_printf(&t, "\r\nX-WR-CALNAME:%s\r\n", name);
		if (desc[0] != '\0') {
			sb_puts(&t, "DESCRIPTION:");
			add_escaped(&t, desc);
			sb_printf(&t, "\r\nX-WR-CALDESC:%s\r\n", desc);
		}
		free(name);
		free(desc);
		sb_puts(&t, "REFRESH-INTERVAL;VALUE=DURATION:");
		add_minutes(&t, m->refresh_minutes);
		sb_printf(&t, "\r\nX-PUBLISHED-TTL:PT%dM\r\n", m->refresh_minutes);
		if (m->source != NULL)
			sb_printf(&t, "SOURCE;VALUE=URI:%s\r\n", m->source);
		if (m->url != NULL)
			sb_printf(&t, "URL:%s\r\n", m->url);
	}
	name = sb_take(&t, &len);
	fold_into(out, name, len);
	free(name);
}
