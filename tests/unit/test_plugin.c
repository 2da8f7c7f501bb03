/* The plugin ABI check, and ircmsg parsing of lines the relay reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ircmsg.h"
#include "plugin.h"

static void
abi_same_and_older_minor_load(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(plugin_abi_ok(1, 3, 1, 3, err, sizeof err), 0);
	assert_int_equal(plugin_abi_ok(1, 3, 1, 0, err, sizeof err), 0);
}

static void
abi_newer_minor_refused(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(plugin_abi_ok(1, 3, 1, 4, err, sizeof err), -1);
	assert_non_null(strstr(err, "1.4"));
	assert_non_null(strstr(err, "upgrade"));
}

static void
abi_other_major_refused(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(plugin_abi_ok(2, 0, 1, 9, err, sizeof err), -1);
	assert_non_null(strstr(err, "rebuild"));
	assert_int_equal(plugin_abi_ok(1, 0, 2, 0, err, sizeof err), -1);
}

static void
ircmsg_full_line(void **state)
{
	struct ircmsg m;

	(void)state;
	assert_int_equal(ircmsg_parse(":irc.test 005 me CASEMAPPING=ascii TARGMAX=NOTICE:4 "
	                              "A B C D E F G H I J K :are supported",
	                     &m),
	    0);
	assert_string_equal(m.prefix, "irc.test");
	assert_string_equal(m.command, "005");
	/* More than libircclient's 10 parameters survive. */
	assert_int_equal(m.nparams, 15);
	assert_string_equal(m.params[2], "TARGMAX=NOTICE:4");
	assert_string_equal(m.params[13], "K");
	assert_string_equal(m.params[14], "are supported");
}

/* Issue 13: the typed keys are read only from a descriptor of ABI 1.5 or later. */
static void
typed_keys_only_from_new_descriptors(void **state)
{
	static const struct cv_config_key keys[] = {
		{ "k", CV_KEY_BOOL, NULL, 0, 0, NULL },
		{ NULL, CV_KEY_STRING, NULL, 0, 0, NULL },
	};
	struct cv_plugin_desc d = { .abi_major = 1, .abi_minor = 5, .config = keys };

	(void)state;
	assert_ptr_equal(plugin_typed_keys(&d), keys);
	d.abi_minor = 4; /* built before the member: it would be read past the struct */
	assert_null(plugin_typed_keys(&d));
	d.abi_minor = 0;
	assert_null(plugin_typed_keys(&d));
}

static void
ircmsg_edges(void **state)
{
	struct ircmsg m;
	char nick[16];

	(void)state;
	assert_int_equal(ircmsg_parse("PING :abc def", &m), 0);
	assert_null(m.prefix);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0], "abc def");
	assert_int_equal(ircmsg_parse(":only.prefix", &m), -1);
	assert_int_equal(ircmsg_parse("", &m), -1);
	assert_int_equal(ircmsg_parse("@a=b :x!y@z PRIVMSG #c :hi", &m), 0);
	assert_string_equal(m.command, "PRIVMSG");
	ircmsg_nick("alice!a@h", nick, sizeof nick);
	assert_string_equal(nick, "alice");
	ircmsg_nick("averyveryverylongnick!a@h", nick, sizeof nick);
	assert_int_equal(strlen(nick), sizeof nick - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(abi_same_and_older_minor_load),
		cmocka_unit_test(abi_newer_minor_refused),
		cmocka_unit_test(abi_other_major_refused),
		cmocka_unit_test(ircmsg_full_line),
		cmocka_unit_test(ircmsg_edges),
		cmocka_unit_test(typed_keys_only_from_new_descriptors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
