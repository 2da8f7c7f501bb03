/* test_guard.c: the inbound line guard against each libircclient hazard. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guard.h"
#include "text.h"
#include "util.h"

/* guard_line on a C string; the result as a string, or NULL when dropped. */
static const char *
guard(const char *in)
{
	static char out[GUARD_MAX_LINE + 1];

	if (guard_line(in, strlen(in), out, sizeof out) < 0)
		return NULL;
	return out;
}

/* Feed a whole stream in pieces of `chunk` bytes; collect lines joined by '|'. */
static char *
stream(const char *data, size_t len, size_t chunk)
{
	struct linebuf *lb = linebuf_new();
	char *all = xstrdup(""), *tmp;
	const char *line;
	size_t off, n, got;

	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		linebuf_feed(lb, data + off, n);
		while ((line = linebuf_next(lb, &got)) != NULL) {
			assert_int_equal(got, strlen(line));
			tmp = xasprintf("%s%s|", all, line);
			free(all);
			all = tmp;
		}
	}
	linebuf_free(lb);
	return all;
}

static void
assert_stream(const char *data, size_t len, const char *want)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 64, 100000 };
	size_t i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		char *got = stream(data, len, chunks[i]);

		assert_string_equal(got, want);
		free(got);
	}
}

#define STREAM(s, want) assert_stream((s), sizeof(s) - 1, (want))

static void
test_plain_lines_pass(void **state)
{
	assert_string_equal(guard(":n!u@h PRIVMSG #c :hello there"),
	    ":n!u@h PRIVMSG #c :hello there");
	assert_string_equal(guard("PING :irc.example.net"), "PING :irc.example.net");
	assert_string_equal(guard(":srv 001 bot :Welcome"), ":srv 001 bot :Welcome");
	assert_string_equal(guard(":n!u@h JOIN #c"), ":n!u@h JOIN #c");
}

static void
test_overlong_line(void **state)
{
	char *in = xmalloc(3000 + 1), *s;
	const char *out;
	size_t i, len;

	/* ":n PRIVMSG #c :" (15 bytes) then é's: the cut must fall between two. */
	memcpy(in, ":n PRIVMSG #c :", 15);
	for (i = 15; i + 2 <= 3000; i += 2)
		memcpy(in + i, "\xc3\xa9", 2);
	in[i] = '\0';
	out = guard(in);
	assert_non_null(out);
	len = strlen(out);
	assert_int_equal(len, 509); /* 15 + 247 * 2; 510 would split an é */
	assert_true(text_valid_utf8(out, len));
	assert_memory_equal(out, in, len);

	/* Through the linebuf, with the next line intact after it. */
	s = xasprintf("%s\r\nPING :next\r\n", in);
	len = strlen(s);
	{
		char *want = xasprintf("%s|PING :next|", out);

		assert_stream(s, len, want);
		free(want);
	}
	free(s);
	free(in);
}

static void
test_endless_line_is_bounded(void **state)
{
	/* 100 KB with no LF, then more: the linebuf keeps only the start. */
	size_t big = 100000, len = 7 + big + 13;
	char *s = xmalloc(len + 1);
	char want[GUARD_MAX_LINE + 32];

	memcpy(s, "PING :", 6);
	memset(s + 6, 'x', big + 1);
	memcpy(s + 7 + big, "\nPING :again\n", 13);
	s[len] = '\0';
	memcpy(want, s, GUARD_MAX_LINE);
	strcpy(want + GUARD_MAX_LINE, "|PING :again|");
	assert_stream(s, len, want);
	free(s);
}

static void
test_blank_lines(void **state)
{
	assert_null(guard(""));
	assert_null(guard("    "));
	assert_null(guard("\r"));
	STREAM("\r\n\n   \r\n\r\nPING :x\r\n\n", "PING :x|");
}

static void
test_line_endings(void **state)
{
	STREAM("PING :a\r\nPING :b\nPING :c\r\n", "PING :a|PING :b|PING :c|");
	/* A CR before LF is the line ending; a lone CR elsewhere goes too. */
	STREAM("PING :a\r\r\n:n PRIVMSG #c :x\ry\n", "PING :a|:n PRIVMSG #c :xy|");
	/* No line without its LF. */
	STREAM("PING :a\r\nPING :b", "PING :a|");
}

static void
test_tags(void **state)
{
	assert_string_equal(guard("@time=2024-01-01T00:00:00Z;account=x :n!u@h PRIVMSG #c :hi"),
	    ":n!u@h PRIVMSG #c :hi");
	assert_string_equal(guard("@a=b    PING :x"), "PING :x");
	assert_string_equal(guard("@a=b @c=d PING :x"), "PING :x");
	assert_null(guard("@a=b"));
	assert_null(guard("@a=b   "));
	assert_null(guard("@a=b :prefix.only"));
}

static void
test_paramless(void **state)
{
	assert_string_equal(guard(":x AWAY"), ":x AWAY :");
	assert_string_equal(guard("PING"), "PING :");
	assert_string_equal(guard("PING    "), "PING :");
	assert_string_equal(guard(":srv 376"), ":srv 376 :");
	assert_null(guard(":x"));
	assert_null(guard(":x    "));
	/* Single spaces where the parser expects them. */
	assert_string_equal(guard("  :a!b@c   PRIVMSG   #c :x  y"),
	    ":a!b@c PRIVMSG #c :x  y");
}

static void
test_ctcp(void **state)
{
	assert_string_equal(guard(":n PRIVMSG #c :\x01"), ":n PRIVMSG #c :");
	assert_string_equal(guard(":n PRIVMSG #c :\x01\x01"), ":n PRIVMSG #c :");
	assert_string_equal(guard(":n NOTICE bot :\x01"), ":n NOTICE bot :");
	assert_string_equal(guard(":n PRIVMSG #c :\x01"
	                          "ACTION waves"),
	    ":n PRIVMSG #c :ACTION waves");
	assert_string_equal(guard(":n PRIVMSG #c :\x01x\x01y"), ":n PRIVMSG #c :xy");
	/* Well-formed CTCP is left alone. */
	assert_string_equal(guard(":n PRIVMSG bot :\x01VERSION\x01"),
	    ":n PRIVMSG bot :\x01VERSION\x01");
	assert_string_equal(guard(":n PRIVMSG bot :\x01x\x01"),
	    ":n PRIVMSG bot :\x01x\x01");
	/* The text is params[1] even when it is not a trailing param. */
	assert_string_equal(guard(":n PRIVMSG #c \x01 more"), ":n PRIVMSG #c  more");
	/* Not a message: \x01 is just a byte there. */
	assert_string_equal(guard(":n TOPIC #c :\x01"), ":n TOPIC #c :\x01");
	/* Text not starting with \x01 is not CTCP to the library. */
	assert_string_equal(guard(":n PRIVMSG #c :a\x01"), ":n PRIVMSG #c :a\x01");
}

static void
test_ctcp_after_cut(void **state)
{
	/* The 510-byte cut would leave a lone \x01 of a longer CTCP. */
	char in[700];
	const char *out;
	size_t len;

	memcpy(in, ":n PRIVMSG ", 11);
	memset(in + 11, 'c', 496);
	memcpy(in + 507,
	    " :\x01"
	    "ACTION waves\x01",
	    16);
	in[523] = '\0';
	out = guard(in);
	assert_non_null(out);
	len = strlen(out);
	assert_int_equal(len, 509);
	assert_memory_equal(out + len - 2, " :", 2);
}

static void
test_nul_removed(void **state)
{
	STREAM(":n PRIVMSG #c :a\0b\0\0c\r\n\0\r\nPI\0NG :x\r\n",
	    ":n PRIVMSG #c :abc|PING :x|");
}

static void
test_many_lines_one_feed(void **state)
{
	STREAM(":a PRIVMSG #c :one\r\n:b PRIVMSG #c :two\r\n@t=1 PING :three\r\n:c QUIT\r\n",
	    ":a PRIVMSG #c :one|:b PRIVMSG #c :two|PING :three|:c QUIT :|");
}

static void
test_library_crashers_dropped(void **state)
{
	assert_null(guard("NOTICE :no target"));
	assert_null(guard(":srv NOTICE"));
	assert_string_equal(guard("NOTICE * :*** Looking up your hostname"),
	    "NOTICE * :*** Looking up your hostname");
	assert_null(guard("NICK newnick"));
	assert_string_equal(guard(":old!u@h NICK new"), ":old!u@h NICK new");
}

static void
test_prefix_too_long(void **state)
{
	char in[800];

	in[0] = ':';
	memset(in + 1, 'p', 600);
	strcpy(in + 601, " PRIVMSG #c :hi");
	assert_null(guard(in));
}

static void
test_small_out_buffer(void **state)
{
	char out[4];

	assert_int_equal(guard_line("PING :x", 7, out, sizeof out), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_lines_pass),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_endless_line_is_bounded),
		cmocka_unit_test(test_blank_lines),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_paramless),
		cmocka_unit_test(test_ctcp),
		cmocka_unit_test(test_ctcp_after_cut),
		cmocka_unit_test(test_nul_removed),
		cmocka_unit_test(test_many_lines_one_feed),
		cmocka_unit_test(test_library_crashers_dropped),
		cmocka_unit_test(test_prefix_too_long),
		cmocka_unit_test(test_small_out_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
