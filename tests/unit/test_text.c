/* test_text.c: UTF-8 validation, control stripping, cleaning and cutting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "text.h"

#define VALID(s) text_valid_utf8((s), sizeof(s) - 1)

static void
test_valid_utf8(void **state)
{
	assert_true(VALID(""));
	assert_true(VALID("plain ascii"));
	assert_true(VALID("caf\xc3\xa9"));      /* é */
	assert_true(VALID("\xe2\x82\xac"));     /* € */
	assert_true(VALID("\xf0\x9f\x8e\x89")); /* 🎉 */
	assert_true(VALID("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
	assert_true(VALID("\xed\x9f\xbf"));     /* U+D7FF */
	assert_true(VALID("a\0b"));             /* NUL is a character */

	assert_false(VALID("\x80"));             /* lone continuation */
	assert_false(VALID("\xc3"));             /* truncated */
	assert_false(VALID("\xe2\x82"));         /* truncated */
	assert_false(VALID("\xc0\xaf"));         /* overlong '/' */
	assert_false(VALID("\xc1\xbf"));         /* overlong */
	assert_false(VALID("\xe0\x80\xaf"));     /* overlong */
	assert_false(VALID("\xf0\x80\x80\xaf")); /* overlong */
	assert_false(VALID("\xed\xa0\x80"));     /* surrogate U+D800 */
	assert_false(VALID("\xf4\x90\x80\x80")); /* U+110000 */
	assert_false(VALID("\xf5\x80\x80\x80"));
	assert_false(VALID("\xff"));
	assert_false(VALID("\xc3\x28")); /* bad continuation */
	assert_false(VALID("ok\xe2\x82\xe2\x82\xac"));
}

static void
test_strip_crlf(void **state)
{
	char s[] = "hi\r\nQUIT :x\0y\n";
	size_t len = sizeof(s) - 1;

	text_strip_crlf(s, &len);
	assert_int_equal(len, 13);
	assert_string_equal(s, "hi  QUIT :xy ");
	assert_null(memchr(s, '\r', len));
	assert_null(memchr(s, '\n', len));
}

static void
test_strip_format(void **state)
{
	char a[] =
	    "\x02"
	    "bold\x02 \x1ditalic\x1d \x1funder\x1f \x1estrike\x1e \x11mono\x11 \x16rev\x0f!";
	char b[] = "\x03"
	           "4red\x03 \x03"
	           "04,12both\x03 \x03"
	           "1,x \x03"
	           "123";
	char c[] = "\x04"
	           "ff0000red\x04 \x04"
	           "00FF00,0000ffboth \x04"
	           "12345x";
	char d[] = "\x03,5 end\x03";

	assert_int_equal(text_strip_format(a),
	    strlen("bold italic under strike mono rev!"));
	assert_string_equal(a, "bold italic under strike mono rev!");
	/* Two digits at most, a comma only with digits after it. */
	text_strip_format(b);
	assert_string_equal(b, "red both ,x 3");
	/* Hex colours need exactly six digits; otherwise the code goes alone. */
	text_strip_format(c);
	assert_string_equal(c, "red both 12345x");
	text_strip_format(d);
	assert_string_equal(d, ",5 end");
}

static void
test_clean(void **state)
{
	char ok[] = "  \x02Hello\x02\tworld\x7f\x01 caf\xc3\xa9 \r\n";
	char blank[] = " \x02 \x1f ";
	char bad[] = "caf\xe9";
	char err[64] = "";

	assert_int_equal(text_clean(ok, err, sizeof err), 0);
	assert_string_equal(ok, "Hello world   caf\xc3\xa9");
	assert_int_equal(text_clean(blank, err, sizeof err), 0);
	assert_string_equal(blank, "");

	assert_int_equal(text_clean(bad, err, sizeof err), -1);
	assert_string_equal(err, "text is not valid UTF-8");
	/* A caller that does not want the sentence may pass NULL. */
	assert_int_equal(text_clean(bad, NULL, 0), -1);
}

static void
test_cut_utf8_boundary(void **state)
{
	const char *s = "ab\xc3\xa9\xf0\x9f\x8e\x89z"; /* a b é 🎉 z */
	size_t len = strlen(s);

	assert_int_equal(text_cut_utf8(s, len, 100), len);
	assert_int_equal(text_cut_utf8(s, len, len), len);
	assert_int_equal(text_cut_utf8(s, len, 2), 2);
	assert_int_equal(text_cut_utf8(s, len, 3), 2); /* inside é */
	assert_int_equal(text_cut_utf8(s, len, 4), 4);
	assert_int_equal(text_cut_utf8(s, len, 5), 4); /* inside 🎉 */
	assert_int_equal(text_cut_utf8(s, len, 7), 4);
	assert_int_equal(text_cut_utf8(s, len, 8), 8);
	assert_int_equal(text_cut_utf8(s, len, 0), 0);
	/* A sequence longer than max cannot be cut at all. */
	assert_int_equal(text_cut_utf8(s + 4, len - 4, 3), 0);
	/* Invalid bytes are units of one. */
	assert_int_equal(text_cut_utf8("\xe2\x82xyz", 5, 1), 1);
	assert_int_equal(text_cut_utf8("\xc3\xc3\xa9", 3, 2), 1);
}

static void
test_cut_prefers_space(void **state)
{
	const char *s = "aaaaaaaaaaaaaa bbbbb";        /* space at 14 */
	const char *far = "aaaa bbbbbbbbbbbbbbbbbbbb"; /* space at 4 */
	const char *nosp = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";

	/* max 17: the space lies in the last quarter, cut after it. */
	assert_int_equal(text_cut(s, strlen(s), 17), 15);
	/* The space is too far back: cut hard rather than waste the line. */
	assert_int_equal(text_cut(far, strlen(far), 20), 20);
	assert_int_equal(text_cut(nosp, strlen(nosp), 5), 4);
	/* Short enough: everything, even with spaces in it. */
	assert_int_equal(text_cut(s, strlen(s), 100), strlen(s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_utf8),
		cmocka_unit_test(test_strip_crlf),
		cmocka_unit_test(test_strip_format),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_cut_utf8_boundary),
		cmocka_unit_test(test_cut_prefers_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
