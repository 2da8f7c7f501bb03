/* test_http_lang.c: the language an Accept-Language header asks for (http_lang.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

static void
test_accept_language(void **state)
{
	(void)state;
	/* Nothing asked, nothing matching: the bot's language. */
	assert_string_equal(http_accept_language(NULL, "en"), "en");
	assert_string_equal(http_accept_language(NULL, "fr"), "fr");
	assert_string_equal(http_accept_language("", "fr"), "fr");
	assert_string_equal(http_accept_language("de-DE, es;q=0.5", "fr"), "fr");
	/* A region counts as its language; the first of equal q-values wins. */
	assert_string_equal(http_accept_language("fr-CA,fr;q=0.9", "en"), "fr");
	assert_string_equal(http_accept_language("FR-ca", "en"), "fr");
	assert_string_equal(http_accept_language("en-US,en;q=0.9,fr;q=0.8", "fr"), "en");
	assert_string_equal(http_accept_language("fr, en", "en"), "fr");
	assert_string_equal(http_accept_language("en, fr", "fr"), "en");
	/* q-values are honoured whatever the order. */
	assert_string_equal(http_accept_language("en;q=0.5, fr;q=0.8", "en"), "fr");
	assert_string_equal(http_accept_language("de, en;q=0.3 , fr ; q=0.7", "en"), "fr");
	assert_string_equal(http_accept_language("fr;q=0.001, en;q=0", "en"), "fr");
	/* q=0 refuses: never chosen, even alone. */
	assert_string_equal(http_accept_language("fr;q=0", "en"), "en");
	assert_string_equal(http_accept_language("fr;q=0.000", "en"), "en");
	/* "*" is the bot's language, at its q. */
	assert_string_equal(http_accept_language("*", "fr"), "fr");
	assert_string_equal(http_accept_language("de, *;q=0.5, en;q=0.4", "fr"), "fr");
	assert_string_equal(http_accept_language("*;q=0.1, en;q=0.4", "fr"), "en");
	/* Malformed q-values and ranges are skipped, not guessed at. */
	assert_string_equal(http_accept_language("fr;q=2, en;q=0.5", "fr"), "en");
	assert_string_equal(http_accept_language("fr;q=0.5555, en;q=0.1", "fr"), "en");
	assert_string_equal(http_accept_language("fr;level=1;q=x, en;q=0.1", "fr"), "en");
	assert_string_equal(http_accept_language("francais, en;q=0.1", "fr"), "en");
	assert_string_equal(http_accept_language(",,, ;q=1, fr", "en"), "fr");
	assert_string_equal(http_accept_language("-fr, en;q=0.1", "fr"), "en");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_language),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
