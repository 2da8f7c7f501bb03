/*
 * fuzz_text.c: UTF-8 and IRC text handling on arbitrary bytes.
 * Input: two bytes giving a cut length, then the text. Checks what each
 * function promises: text_clean leaves valid UTF-8 with no controls and no
 * spaces at the ends (or refuses invalid input with a sentence); the cuts
 * never exceed their limit, never split a sequence and waste at most a
 * sequence (or a quarter for the space rule); format and CR/LF stripping
 * leave none of what they strip.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

static bool
is_format(unsigned char c)
{
	return c == 0x02 || c == 0x03 || c == 0x04 || c == 0x0f || c == 0x11 ||
	    c == 0x16 || c == 0x1d || c == 0x1e || c == 0x1f;
}

static void
check_cut(const char *s, size_t len, size_t max)
{
	size_t n = text_cut_utf8(s, len, max), m = text_cut(s, len, max);
	bool valid = text_valid_utf8(s, len);

	if (n > max && n != len)
		abort();
	if (len <= max && (n != len || m != len))
		abort();
	if (len > max) {
		/* At most a partial sequence (3 bytes) is left behind. */
		if (n > max || n + 3 < max)
			abort();
		/* The space rule gives back at most a quarter. */
		if (m > n || m < n - n / 4 || (m < n && s[m - 1] != ' '))
			abort();
	}
	/* Both halves of valid text are valid: no sequence was split. */
	if (valid &&
	    (!text_valid_utf8(s, n) || !text_valid_utf8(s + n, len - n) ||
	        !text_valid_utf8(s, m) || !text_valid_utf8(s + m, len - m)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, err[64];
	size_t max, len, slen, i;
	bool valid;

	if (size < 2)
		return 0;
	max = (size_t)data[0] | (size_t)(data[1] & 0x07) << 8;
	data += 2;
	size -= 2;

	check_cut((const char *)data, size, max);

	/* CR/LF/NUL stripping keeps every other byte, in order. */
	s = xmalloc(size + 1);
	memcpy(s, data, size);
	len = size;
	text_strip_crlf(s, &len);
	for (i = 0, slen = 0; i < size; i++) {
		if (data[i] == '\0')
			continue;
		if (slen >= len ||
		    s[slen++] != (data[i] == '\r' || data[i] == '\n' ? ' ' : (char)data[i]))
			abort();
	}
	if (slen != len || s[len] != '\0')
		abort();
	free(s);

	/* The rest work on C strings: up to the first NUL. */
	slen = strnlen((const char *)data, size);
	s = xstrndup((const char *)data, slen);
	valid = text_valid_utf8(s, slen);
	len = text_strip_format(s);
	if (len != strlen(s) || len > slen)
		abort();
	for (i = 0; i < len; i++) {
		if (is_format((unsigned char)s[i]))
			abort();
	}
	if (valid && !text_valid_utf8(s, len))
		abort();
	free(s);

	s = xstrndup((const char *)data, slen);
	err[0] = '\0';
	if (text_clean(s, err, sizeof err) == 0) {
		len = strlen(s);
		if (!valid || !text_valid_utf8(s, len) || len > slen)
			abort();
		for (i = 0; i < len; i++) {
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				abort();
		}
		if (len > 0 && (s[0] == ' ' || s[len - 1] == ' '))
			abort();
	} else if (valid || err[0] == '\0')
		abort();
	free(s);
	return 0;
}
