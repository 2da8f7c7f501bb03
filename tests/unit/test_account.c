/* test_account.c: the nick -> services account cache. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "account.h"

static int
teardown(void **state)
{
	account_clear();
	account_casemap(CASEMAP_RFC1459);
	return 0;
}

static void
test_lookup(void **state)
{
	const char *a = "unset";

	assert_false(account_lookup("alice", &a));
	account_set("Alice", "a@home", "alice");
	assert_true(account_lookup("ALICE", &a));
	assert_string_equal(a, "alice");
	account_set("alice", "a@home", "*"); /* logged out, still known */
	assert_true(account_lookup("alice", &a));
	assert_null(a);
	account_forget("alice");
	assert_false(account_lookup("alice", &a));
}

/* Learned for one user@host: another one under the nick is looked up again. */
static void
test_lookup_from_checks_user_host(void **state)
{
	const char *a = NULL;

	account_set("alice", "a@home", "alice");
	assert_true(account_lookup_from("alice!a@home", &a));
	assert_string_equal(a, "alice");
	assert_true(account_lookup_from("ALICE!a@home", &a));
	assert_false(account_lookup_from("alice!m@evil", &a));
	/* ... and the entry is gone, for the old connection too. */
	assert_false(account_lookup("alice", &a));
	assert_false(account_lookup_from("alice!a@home", &a));
	/* Without user@host an entry that has one is not trusted. */
	account_set("alice", "a@home", "alice");
	assert_false(account_lookup_from("alice", &a));
	/* An entry learned without user@host holds for any. */
	account_set("bob", NULL, "bob");
	assert_true(account_lookup_from("bob!b@anywhere", &a));
	assert_string_equal(a, "bob");
}

static bool
only_bob(const char *nick)
{
	return strcmp(nick, "bob") == 0;
}

/* The bot left a channel: nicks it no longer sees are forgotten. */
static void
test_prune(void **state)
{
	const char *a;

	account_set("alice", "a@home", "alice");
	account_set("bob", "b@home", "bob");
	account_set("carol", "c@home", NULL);
	account_prune(only_bob);
	assert_false(account_lookup("alice", &a));
	assert_false(account_lookup("carol", &a));
	assert_true(account_lookup("bob", &a));
	assert_string_equal(a, "bob");
}

/* Nicks fold as the server says: with an unknown casemapping, A-Z only. */
static void
test_casemap(void **state)
{
	const char *a;

	account_casemap(casemap_parse("rfc8265"));
	account_set("a[b", "u@h", "one");
	assert_false(account_lookup("a{b", &a));
	assert_true(account_lookup("A[B", &a));
	account_casemap(CASEMAP_RFC1459);
	assert_true(account_lookup("a{b", &a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_lookup, teardown),
		cmocka_unit_test_teardown(test_lookup_from_checks_user_host, teardown),
		cmocka_unit_test_teardown(test_prune, teardown),
		cmocka_unit_test_teardown(test_casemap, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
