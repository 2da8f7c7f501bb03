/* Command tokenizing, argument vectors and name matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmd.h"
#include "loop.h"

static void
dummy(struct cv_ctx *ctx)
{
	(void)ctx;
}

static const struct cv_command table[] = {
	{ "event", "N", "show", 1, 1, CV_ROLE_MEMBER, 0, dummy },
	{ "event add", "DATE TIME REST...", "add", 3, 3, CV_ROLE_ORGANIZER, CV_CMD_REST,
	    dummy },
	{ "rsvp", "N [yes|maybe|no]", "rsvp", 1, 2, CV_ROLE_MEMBER, 0, dummy },
};

static int
setup(void **state)
{
	char err[128];

	(void)state;
	return cmd_register(NULL, table, 3, err, sizeof err);
}

static int
teardown(void **state)
{
	(void)state;
	cmd_free();
	return 0;
}

static void
tokenize_collapses_spaces(void **state)
{
	struct cmd_tokens t;

	(void)state;
	assert_int_equal(cmd_tokenize("  rsvp   12  yes ", &t), 3);
	assert_string_equal(t.w[0], "rsvp");
	assert_string_equal(t.w[1], "12");
	assert_string_equal(t.w[2], "yes");
	assert_int_equal(t.off[1], 9);
	assert_int_equal(cmd_tokenize("", &t), 0);
	assert_int_equal(cmd_tokenize("     ", &t), 0);
}

static void
tokenize_limits(void **state)
{
	struct cmd_tokens t;
	char line[CMD_MAX_LINE + 10];
	int i;

	(void)state;
	memset(line, 'a', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	assert_int_equal(cmd_tokenize(line, &t), -1);
	/* Past CMD_MAX_WORDS the line is kept whole for a rest-of-line argument. */
	line[0] = '\0';
	for (i = 0; i < CMD_MAX_WORDS + 5; i++)
		strcat(line, "w ");
	assert_int_equal(cmd_tokenize(line, &t), CMD_MAX_WORDS);
	assert_true(t.more);
}

static void
long_rest_and_too_many_words(void **state)
{
	struct cmd_tokens t;
	const struct cv_command *c;
	const char *argv[CV_MAX_ARGS];
	char line[CMD_MAX_LINE], rest[CMD_MAX_LINE];
	int skip = 0, i;

	(void)state;
	strcpy(line, "event add 2027-01-01 18:00");
	for (i = 0; i < 60; i++)
		strcat(line, " word");
	cmd_tokenize(line, &t);
	c = cmd_find(&t, &skip, NULL);
	assert_int_equal(cmd_args(&t, skip, c, argv, rest, sizeof rest), 3);
	assert_int_equal(strlen(argv[2]), 60 * 5 - 1);
	strcpy(line, "rsvp");
	for (i = 0; i < 40; i++)
		strcat(line, " 1");
	cmd_tokenize(line, &t);
	c = cmd_find(&t, &skip, NULL);
	assert_true(cmd_args(&t, skip, c, argv, rest, sizeof rest) > c->max_args);
}

static void
longest_name_wins(void **state)
{
	struct cmd_tokens t;
	const struct cv_command *c;
	int skip = 0;

	(void)state;
	cmd_tokenize("EVENT ADD 2027-01-01 18:00 Title", &t);
	c = cmd_find(&t, &skip, NULL);
	assert_non_null(c);
	assert_string_equal(c->name, "event add");
	assert_int_equal(skip, 2);
	cmd_tokenize("event 4", &t);
	c = cmd_find(&t, &skip, NULL);
	assert_string_equal(c->name, "event");
	assert_int_equal(skip, 1);
	cmd_tokenize("nosuch 4", &t);
	assert_null(cmd_find(&t, &skip, NULL));
}

static void
rest_of_line_is_verbatim(void **state)
{
	struct cmd_tokens t;
	const struct cv_command *c;
	const char *argv[CV_MAX_ARGS];
	char rest[CMD_MAX_LINE];
	int skip = 0, argc;

	(void)state;
	cmd_tokenize("event add 2027-01-01 18:00 Twenty  Years of Fighting: for Rights  ",
	    &t);
	c = cmd_find(&t, &skip, NULL);
	argc = cmd_args(&t, skip, c, argv, rest, sizeof rest);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[0], "2027-01-01");
	assert_string_equal(argv[1], "18:00");
	/* Inner spacing kept, trailing spaces trimmed. */
	assert_string_equal(argv[2], "Twenty  Years of Fighting: for Rights");
}

static void
argument_counts(void **state)
{
	struct cmd_tokens t;
	const struct cv_command *c;
	const char *argv[CV_MAX_ARGS];
	char rest[CMD_MAX_LINE];
	int skip = 0;

	(void)state;
	cmd_tokenize("rsvp 1 yes extra", &t);
	c = cmd_find(&t, &skip, NULL);
	/* Without CV_CMD_REST the true count comes back, so the caller sees too many. */
	assert_int_equal(cmd_args(&t, skip, c, argv, rest, sizeof rest), 3);
	assert_true(3 > c->max_args);
	cmd_tokenize("rsvp", &t);
	c = cmd_find(&t, &skip, NULL);
	assert_int_equal(cmd_args(&t, skip, c, argv, rest, sizeof rest), 0);
}

static void
duplicate_and_malformed_registrations(void **state)
{
	static const struct cv_command dup[] = {
		{ "RSVP", "", "", 0, 0, CV_ROLE_MEMBER, 0, dummy },
	};
	static const struct cv_command bad[] = {
		{ "a b c", "", "", 0, 0, CV_ROLE_MEMBER, 0, dummy },
	};
	char err[128];

	(void)state;
	assert_int_equal(cmd_register(NULL, dup, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "already"));
	assert_int_equal(cmd_register(NULL, bad, 1, err, sizeof err), -1);
}

static int pings;
static int64_t fake_now;

static void
count_ping(struct cv_ctx *ctx)
{
	(void)ctx;
	pings++;
}
static int64_t
fake_clock(void)
{
	return fake_now;
}

/* Send `n` pings as `mask` (with `account`, or NULL); how many ran. */
static int
ping_as(const char *mask, const char *account, int n)
{
	char nick[32];
	struct cv_person who = { nick, mask, account, "n:x", CV_ROLE_MEMBER, NULL };
	int before = pings;

	snprintf(nick, sizeof nick, "%.*s", (int)strcspn(mask, "!"), mask);
	while (n-- > 0)
		cmd_message(&who, NULL, "ping");
	return pings - before;
}

/* The per-person limit follows the person, not the nick (issue 12). */
static void
limit_follows_the_person(void **state)
{
	static const struct cv_command ping[] = {
		{ "ping", "", "count", 0, 0, CV_ROLE_MEMBER, 0, count_ping },
	};
	char err[128];

	(void)state;
	assert_int_equal(cmd_register(NULL, ping, 1, err, sizeof err), 0);
	loop_set_clock(fake_clock);
	fake_now = 1000000;
	cmd_set_limit(3, 1.0);

	assert_int_equal(ping_as("alice!al@home.example", NULL, 5), 3);
	/* A new nick, the same user@host: still limited. */
	assert_int_equal(ping_as("alice_!al@home.example", NULL, 2), 0);
	assert_int_equal(ping_as("Bob!al@HOME.example", NULL, 2), 0);
	/* Someone else has their own bucket. */
	assert_int_equal(ping_as("carol!c@elsewhere.example", NULL, 5), 3);
	/* Logged in: the account is the person, whatever the nick and host. */
	assert_int_equal(ping_as("dave!d@one.example", "dave", 4), 3);
	assert_int_equal(ping_as("dave2!x@two.example", "Dave", 2), 0);
	/* Time refills the bucket: one a second. */
	fake_now += 2000;
	assert_int_equal(ping_as("alice__!al@home.example", NULL, 5), 2);
	loop_set_clock(NULL);
	cmd_set_limit(5, 1.0);
}

/*
 * With every one of the 1,024 buckets taken, each person still finds their
 * own (looked up by hash, moved around the array when others are dropped),
 * and a newcomer takes the place of whoever was idle longest (issue 17).
 */
static void
limit_with_a_full_table(void **state)
{
	const int64_t t0 = 7000000;
	char mask[64];
	int i, total = 0;

	(void)state;
	loop_set_clock(fake_clock);
	cmd_set_limit(2, 0.001); /* refills too slowly to matter here */
	fake_now = t0;
	assert_int_equal(ping_as("old!o@old.example", NULL, 3), 2);
	fake_now = t0 + 1;
	assert_int_equal(ping_as("busy!b@busy.example", NULL, 3), 2);
	for (i = 0; i < 1022; i++) { /* 1,024 buckets now */
		fake_now = t0 + 2 + i;
		snprintf(mask, sizeof mask, "p%d!u@h%d.example", i, i);
		assert_int_equal(ping_as(mask, NULL, 1), 1);
	}
	/* A newcomer: `old`, idle longest, is forgotten; `busy` is not. */
	fake_now = t0 + 2000;
	assert_int_equal(ping_as("new!n@new.example", NULL, 1), 1);
	fake_now++;
	assert_int_equal(ping_as("BUSY!b@BUSY.example", NULL, 1), 0);
	fake_now++;
	assert_int_equal(ping_as("old!o@old.example", NULL, 3), 2); /* a fresh bucket */
	/* That pushed out p0; everyone else kept their own (one left each). */
	for (i = 1; i < 1022; i++) {
		fake_now++;
		snprintf(mask, sizeof mask, "p%d!u@h%d.example", i, i);
		total += ping_as(mask, NULL, 2);
	}
	assert_int_equal(total, 1021);
	fake_now++;
	assert_int_equal(ping_as("p0!u@h0.example", NULL, 3), 2);
	loop_set_clock(NULL);
	cmd_set_limit(5, 1.0);
}

/* Send `n` pings as a relayed person named `name`, through `relay`. */
static int
relayed_ping(const char *relay, const char *name, int n)
{
	char id[64];
	struct cv_person who = { .nick = name, .mask = "", .id = id, .via = "#c" };
	int before = pings;

	snprintf(id, sizeof id, "r:discord:%s", name);
	while (n-- > 0)
		cmd_relayed(&who, "#c", "!ping", relay);
	return pings - before;
}

/*
 * Each relayed person has their own bucket, never the relay's user@host's;
 * the relay as a whole has one four times larger (issue 14).
 */
static void
limit_per_relayed_person_and_per_relay(void **state)
{
	const char *relay = "mb!mb@relay.example";
	char name[16];
	int i, total = 0;

	(void)state;
	loop_set_clock(fake_clock);
	fake_now = 5000000;
	cmd_set_limit(3, 1.0);
	/* A noisy person is held to the person's limit... */
	assert_int_equal(relayed_ping(relay, "noisy", 50), 3);
	/* ...and neither silences another, nor an IRC user from the relay's host. */
	assert_int_equal(relayed_ping(relay, "calm", 2), 2);
	assert_int_equal(ping_as("someone!mb@relay.example", NULL, 1), 1);
	/* Many people at once: the relay's budget is 4 x 3, 5 of it used above. */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "p%d", i);
		total += relayed_ping(relay, name, 1);
	}
	assert_int_equal(total, 12 - 5);
	/* It refills at 4 x the rate; another relay has its own. */
	fake_now += 1000;
	assert_int_equal(relayed_ping(relay, "late", 3), 3);
	assert_int_equal(relayed_ping("tg!tg@other.example", "p1", 3), 3);
	loop_set_clock(NULL);
	cmd_set_limit(5, 1.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tokenize_collapses_spaces),
		cmocka_unit_test(tokenize_limits),
		cmocka_unit_test(long_rest_and_too_many_words),
		cmocka_unit_test(longest_name_wins),
		cmocka_unit_test(rest_of_line_is_verbatim),
		cmocka_unit_test(argument_counts),
		cmocka_unit_test(duplicate_and_malformed_registrations),
		cmocka_unit_test(limit_follows_the_person),
		cmocka_unit_test(limit_per_relayed_person_and_per_relay),
		cmocka_unit_test(limit_with_a_full_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
