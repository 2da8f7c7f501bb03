/* test_bridge.c: relayed lines, formats, preludes and relays. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bridge.h"
#include "util.h"

static struct bridge_formats defaults;

static int
setup(void **state)
{
	char err[256];

	return bridge_compile(BRIDGE_DEFAULT_FORMATS, false, &defaults, err, sizeof err);
}

static int
teardown(void **state)
{
	bridge_formats_free(&defaults);
	bridge_free();
	return 0;
}

static void
test_matterbridge_default(void **state)
{
	struct bridge_said s;

	assert_int_equal(bridge_match(&defaults, false, "[discord] <alice> !rsvp 3", &s),
	    1);
	assert_string_equal(s.protocol, "discord");
	assert_string_equal(s.nick, "alice");
	assert_string_equal(s.id, "r:discord:alice");
	assert_string_equal(s.text, "!rsvp 3");
	/* The protocol is lowercased, the name's case kept for display only. */
	assert_int_equal(bridge_match(&defaults, false, "[Matrix] <Alice Smith> hello", &s),
	    1);
	assert_string_equal(s.id, "r:matrix:alice smith");
	assert_string_equal(s.nick, "Alice Smith");
}

static void
test_plain_format(void **state)
{
	struct bridge_said s;

	assert_int_equal(bridge_match(&defaults, false, "<bob> !events", &s), 1);
	assert_string_equal(s.id, "r:relay:bob");
	assert_string_equal(s.text, "!events");
}

/* discord-irc's coloured name, matterbridge's {NOPINGNICK}, bold and reset. */
static void
test_names_are_cleaned(void **state)
{
	struct bridge_said s;

	assert_int_equal(bridge_match(&defaults, false,
	                     "<\x03"
	                     "12alice\x03> hi",
	                     &s),
	    1);
	assert_string_equal(s.nick, "alice");
	assert_int_equal(bridge_match(&defaults, false,
	                     "[telegram] <a\xe2\x80\x8b"
	                     "lice> hi",
	                     &s),
	    1);
	assert_string_equal(s.id, "r:telegram:alice");
	assert_int_equal(bridge_match(&defaults, false,
	                     "\x02[slack]\x0f <\x1d"
	                     "c\xef\xbb\xbf"
	                     "arol\xe2\x81\xa0\x0f> !mine",
	                     &s),
	    1);
	assert_string_equal(s.id, "r:slack:carol");
	assert_string_equal(s.text, "!mine");
	/* A colour whose name starts with digits keeps them. */
	assert_int_equal(bridge_match(&defaults, false,
	                     "<\x03"
	                     "0442bob\x03> hi",
	                     &s),
	    1);
	assert_string_equal(s.nick, "42bob");
}

static void
test_not_relayed(void **state)
{
	struct bridge_said s;

	/* Join, part and nick-change notices of relays match no format. */
	assert_int_equal(bridge_match(&defaults, false, "[discord] alice has joined", &s),
	    0);
	assert_int_equal(bridge_match(&defaults, false, "alice is now known as bob", &s),
	    0);
	/* Nothing said, an empty name, a name of zero-width characters only. */
	assert_int_equal(bridge_match(&defaults, false, "<alice> ", &s), 0);
	assert_int_equal(bridge_match(&defaults, false, "<> hi", &s), 0);
	assert_int_equal(bridge_match(&defaults, false, "<\xe2\x80\x8b> hi", &s), 0);
	assert_int_equal(bridge_match(&defaults, false, "<\x02\x0f> hi", &s), 0);
	/* Invalid UTF-8, a control character in the name, a protocol with spaces. */
	assert_int_equal(bridge_match(&defaults, false, "<al\xffice> hi", &s), 0);
	assert_int_equal(bridge_match(&defaults, false, "<al\x01ice> hi", &s), 0);
	assert_int_equal(bridge_match(&defaults, false, "[dis cord] hi", &s), 0);
	/* A name too long. */
	{
		char line[200];

		memset(line, 'x', sizeof line);
		line[0] = '<';
		memcpy(line + 100, "> hi", 5);
		assert_int_equal(bridge_match(&defaults, false, line, &s), 0);
	}
}

static void
test_compile_errors(void **state)
{
	struct bridge_formats f;
	char err[256];

	assert_int_equal(bridge_compile("<{NAME}> ", false, &f, err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown placeholder"));
	assert_int_equal(bridge_compile("[{PROTOCOL}] says", false, &f, err, sizeof err),
	    -1);
	assert_int_equal(bridge_compile("<{NICK}>|", false, &f, err, sizeof err), -1);
	assert_int_equal(bridge_compile("{PROTOCOL}{NICK}: ", false, &f, err, sizeof err),
	    -1);
	assert_int_equal(bridge_compile("<{NICK}{NICK}> ", false, &f, err, sizeof err), -1);
	/* A format must say where the name ends; a prelude may end with it. */
	assert_int_equal(bridge_compile("from {NICK}", false, &f, err, sizeof err), -1);
	assert_int_equal(bridge_compile("from {NICK}", true, &f, err, sizeof err), 0);
	bridge_formats_free(&f);
	assert_int_equal(bridge_compile("{BRIDGE}/{PROTOCOL}/{NOPINGNICK}: | <{NICK}>",
	                     false, &f, err, sizeof err),
	    0);
	assert_int_equal(f.n, 2);
	bridge_formats_free(&f);
}

static void
test_custom_format(void **state)
{
	struct bridge_formats f;
	struct bridge_said s;
	char err[256];

	assert_int_equal(bridge_compile("{BRIDGE}/{PROTOCOL}/{NOPINGNICK}: ", false, &f,
	                     err, sizeof err),
	    0);
	assert_int_equal(bridge_match(&f, false,
	                     "gw1/XMPP/d\xe2\x80\x8b"
	                     "ave: !rsvp 2",
	                     &s),
	    1);
	assert_string_equal(s.id, "r:xmpp:dave");
	assert_string_equal(s.text, "!rsvp 2");
	assert_int_equal(bridge_match(&f, false, "<dave> !rsvp 2", &s), 0);
	bridge_formats_free(&f);
}

static void
test_relays(void **state)
{
	char err[256];

	assert_int_equal(bridge_configure("relay!*@*", NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "nick alone"));
	assert_int_equal(bridge_configure("relay", NULL, NULL, err, sizeof err), -1);
	assert_int_equal(bridge_configure(NULL, NULL, NULL, err, sizeof err), 0);
	assert_false(bridge_enabled());
	assert_int_equal(bridge_configure("*!mb@relay.example, account:Bridge", NULL,
	                     NULL, err, sizeof err),
	    0);
	assert_true(bridge_enabled());
	assert_true(bridge_is_relay("mb!mb@relay.example", NULL, CASEMAP_RFC1459));
	assert_true(bridge_is_relay("other!x@y", "bridge", CASEMAP_RFC1459));
	assert_false(bridge_is_relay("mb!mb@elsewhere", NULL, CASEMAP_RFC1459));
	assert_false(bridge_is_relay("mb!mb@elsewhere", "alice", CASEMAP_RFC1459));
}

static void
test_preludes(void **state)
{
	const char *relay = "mb!mb@relay.example";
	struct bridge_said s;
	char err[256];

	assert_int_equal(bridge_configure("*!mb@relay.example", NULL, NULL, err, sizeof err),
	    0);
	/* discord-irc: the prelude, then the command alone. */
	assert_int_equal(bridge_line(relay, "#c",
	                     "Command sent from Discord by \x03"
	                     "04eve\x03:",
	                     1000, CASEMAP_RFC1459, &s),
	    0);
	assert_int_equal(bridge_line(relay, "#c", "!rsvp 1", 1500, CASEMAP_RFC1459, &s), 1);
	assert_string_equal(s.id, "r:relay:eve");
	assert_string_equal(s.nick, "eve");
	assert_string_equal(s.text, "!rsvp 1");
	/* Only once. */
	assert_int_equal(bridge_line(relay, "#c", "!rsvp 1", 1600, CASEMAP_RFC1459, &s), 0);
	/* Too late. */
	bridge_line(relay, "#c", "Command sent from Discord by eve:", 2000,
	    CASEMAP_RFC1459, &s);
	assert_int_equal(bridge_line(relay, "#c", "!rsvp 1", 2000 + BRIDGE_PRELUDE_MS + 1,
	                     CASEMAP_RFC1459, &s),
	    0);
	/* Two preludes in a row: the second one's command only. */
	bridge_line(relay, "#c", "Command sent from Discord by eve:", 9000,
	    CASEMAP_RFC1459, &s);
	bridge_line(relay, "#c", "Command sent from Discord by fay:", 9001,
	    CASEMAP_RFC1459, &s);
	assert_int_equal(bridge_line(relay, "#c", "!mine", 9002, CASEMAP_RFC1459, &s), 1);
	assert_string_equal(s.id, "r:relay:fay");
	/* Another channel, or another line first: the command is not theirs. */
	bridge_line(relay, "#c", "Command sent from Discord by eve:", 10000,
	    CASEMAP_RFC1459, &s);
	assert_int_equal(bridge_line(relay, "#d", "!mine", 10001, CASEMAP_RFC1459, &s), 0);
	/* The very next line is the command, whatever it is (without the prefix, none). */
	assert_int_equal(bridge_line(relay, "#c", "just talk", 10002, CASEMAP_RFC1459, &s),
	    1);
	assert_string_equal(s.text, "just talk");
	assert_int_equal(bridge_line(relay, "#c", "!mine", 10003, CASEMAP_RFC1459, &s), 0);
	/* A formatted line after a prelude is its own person's. */
	bridge_line(relay, "#c", "Command sent from Discord by eve:", 11000,
	    CASEMAP_RFC1459, &s);
	assert_int_equal(bridge_line(relay, "#C", "<gus> !events", 11001, CASEMAP_RFC1459,
	                     &s),
	    1);
	assert_string_equal(s.id, "r:relay:gus");
	assert_int_equal(bridge_line(relay, "#c", "!mine", 11002, CASEMAP_RFC1459, &s), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matterbridge_default),
		cmocka_unit_test(test_plain_format),
		cmocka_unit_test(test_names_are_cleaned),
		cmocka_unit_test(test_not_relayed),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_custom_format),
		cmocka_unit_test(test_relays),
		cmocka_unit_test(test_preludes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
