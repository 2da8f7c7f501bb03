/*
 * test_link.c: the table of server lines the link reads itself
 * (bot/link_lines.c): which commands it names, and what each decides
 * about passing the line on to libircclient.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "link_int.h"
#include "loop.h"
#include "sendq.h"
#include "util.h"

/* The next line the link queued for the server, without CRLF, or NULL. */
static const char *
sent(void)
{
	static char line[512];
	int64_t wait;
	const char *l = sendq_pop(L.q, 0, &wait);
	size_t n;

	if (l == NULL)
		return NULL;
	n = strcspn(l, "\r\n");
	memcpy(line, l, n);
	line[n] = '\0';
	return line;
}

static int
fresh_link(void **state)
{
	static struct link_channel ch = { "#c", NULL };

	L.q = sendq_new(100, 0, 100);
	L.conf.nick = "Convene";
	L.conf.channels = &ch;
	L.conf.nchannels = 1;
	L.state = REGISTERING;
	L.cap = CAP_DONE;
	L.casemap = CASEMAP_RFC1459;
	L.account[0] = '\0';
	L.alt = 0;
	set_nick("Convene");
	return 0;
}

static int
drop_link(void **state)
{
	sendq_free(L.q);
	L.q = NULL;
	memset(&L.conf, 0, sizeof L.conf);
	return 0;
}

static void
test_table_names_the_link_lines(void **state)
{
	static const char *const ours[] = { "PING", "PONG", "ERROR", "CAP",
		"AUTHENTICATE", "900", "902", "903", "904", "905", "906", "908", "001",
		"005", "432", "433", "437", "NICK", "QUIT" };
	/* libircclient's alone: messages, channels, NAMES, WHOIS, account-notify. */
	static const char *const theirs[] = { "PRIVMSG", "NOTICE", "JOIN", "PART", "KICK",
		"353", "311", "330", "318", "ACCOUNT", "907", "002", "" };
	size_t i;

	for (i = 0; i < sizeof ours / sizeof *ours; i++) {
		const struct link_line *l = link_line_find(ours[i]);

		assert_non_null(l);
		assert_string_equal(l->command, ours[i]);
	}
	for (i = 0; i < sizeof theirs / sizeof *theirs; i++)
		assert_null(link_line_find(theirs[i]));
}

static void
test_unknown_lines_go_on(void **state)
{
	assert_true(relay_line(":a!u@h PRIVMSG #c :hello"));
	assert_true(relay_line(":s 353 Convene = #c :a @b"));
	assert_true(relay_line(":s 318 Convene a :End of WHOIS"));
	assert_null(sent());
	/* No command at all: nobody reads it. */
	assert_false(relay_line(":prefix-only"));
}

static void
test_ping_pong_error_stay_ours(void **state)
{
	assert_false(relay_line("PING :irc.example"));
	assert_string_equal(sent(), "PONG :irc.example");
	assert_false(relay_line(":s PONG s :convene"));
	assert_false(relay_line("ERROR :Closing link"));
	assert_null(sent());
}

static void
test_refused_nick_only_while_registering(void **state)
{
	assert_false(relay_line(":s 433 * Convene :Nickname is already in use"));
	assert_string_equal(sent(), "NICK Convene_");
	assert_string_equal(L.nick, "Convene_");
	L.state = REGISTERED;
	assert_true(relay_line(":s 433 Convene_ Convene :Nickname is already in use"));
	assert_null(sent());
}

static void
test_too_few_params_go_on_unread(void **state)
{
	/* 900 needs [me, mask, account]: shorter, it is not read. */
	assert_true(relay_line(":s 900 Convene :logged in"));
	assert_string_equal(L.account, "");
	assert_true(relay_line(":s 900 Convene Convene!u@h acct :You are now logged in"));
	assert_string_equal(L.account, "acct");
	assert_true(relay_line("NICK"));
	assert_string_equal(L.nick, "Convene");
}

static void
test_welcome_registers_and_joins(void **state)
{
	assert_true(relay_line(":s 001 Convene2 :Welcome"));
	assert_int_equal(L.state, REGISTERED);
	assert_string_equal(L.nick, "Convene2");
	assert_string_equal(sent(), "JOIN #c");
	assert_true(relay_line(":Convene2!u@h NICK :Convene"));
	assert_string_equal(L.nick, "Convene");
	loop_timer_cancel(L.stable_timer);
	L.stable_timer = 0;
}

static void
test_our_nick_freed_is_taken_back(void **state)
{
	L.state = REGISTERED;
	set_nick("Convene_");
	assert_true(relay_line(":Convene!u@h QUIT :bye"));
	assert_string_equal(sent(), "NICK Convene");
	assert_true(relay_line(":convene!u@h NICK :someone"));
	assert_string_equal(sent(), "NICK Convene");
	/* Someone else's nick, or our own change: nothing to take back. */
	assert_true(relay_line(":other!u@h QUIT :bye"));
	assert_true(relay_line(":Convene_!u@h NICK :Convene"));
	assert_string_equal(L.nick, "Convene");
	assert_true(relay_line(":Convene!u@h QUIT :bye"));
	assert_null(sent());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_names_the_link_lines),
		cmocka_unit_test_setup_teardown(test_unknown_lines_go_on, fresh_link,
		    drop_link),
		cmocka_unit_test_setup_teardown(test_ping_pong_error_stay_ours,
		    fresh_link, drop_link),
		cmocka_unit_test_setup_teardown(test_refused_nick_only_while_registering,
		    fresh_link, drop_link),
		cmocka_unit_test_setup_teardown(test_too_few_params_go_on_unread,
		    fresh_link, drop_link),
		cmocka_unit_test_setup_teardown(test_welcome_registers_and_joins,
		    fresh_link, drop_link),
		cmocka_unit_test_setup_teardown(test_our_nick_freed_is_taken_back,
		    fresh_link, drop_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
