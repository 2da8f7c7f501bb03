/* test_mask.c: case folding and hostmask matching. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "mask.h"
#include "util.h"

static void
test_casemap_parse(void **state)
{
	assert_int_equal(casemap_parse("ascii"), CASEMAP_ASCII);
	assert_int_equal(casemap_parse("rfc1459"), CASEMAP_RFC1459);
	assert_int_equal(casemap_parse("strict-rfc1459"), CASEMAP_STRICT_RFC1459);
	/* Not announced: the protocol's default. */
	assert_int_equal(casemap_parse(NULL), CASEMAP_RFC1459);
	/* Unknown: A-Z only, so a[b and a{b stay two people. */
	assert_int_equal(casemap_parse("rfc7613"), CASEMAP_ASCII);
	assert_int_equal(casemap_parse("rfc8265"), CASEMAP_ASCII);
	assert_int_equal(casemap_parse(""), CASEMAP_ASCII);
	assert_int_equal(casemap_parse("RFC1459x"), CASEMAP_ASCII);
}

/* Ergo announces rfc8265: a[b and a{b must not fold together. */
static void
test_unknown_casemap_keeps_people_apart(void **state)
{
	enum casemap cm = casemap_parse("rfc8265");
	char a[] = "A[B", b[] = "a{b";

	assert_int_not_equal(casecmp("a[b", "a{b", cm), 0);
	assert_int_equal(casecmp("A[B", "a[b", cm), 0);
	casefold(a, cm);
	casefold(b, cm);
	assert_string_equal(a, "a[b");
	assert_string_not_equal(a, b);
	assert_false(mask_match("a[b!*@*", "a{b!u@h", cm));
}

static void
test_casefold(void **state)
{
	char a[] = "Nick[A]\\B~", r[] = "Nick[A]\\B~", s[] = "Nick[A]\\B~";

	casefold(a, CASEMAP_ASCII);
	assert_string_equal(a, "nick[a]\\b~");
	casefold(r, CASEMAP_RFC1459);
	assert_string_equal(r, "nick{a}|b^");
	casefold(s, CASEMAP_STRICT_RFC1459);
	assert_string_equal(s, "nick{a}|b~");
}

static void
test_casecmp(void **state)
{
	assert_int_equal(casecmp("FOO[]\\~", "foo{}|^", CASEMAP_RFC1459), 0);
	assert_int_not_equal(casecmp("FOO[]\\~", "foo{}|^", CASEMAP_STRICT_RFC1459), 0);
	assert_int_equal(casecmp("FOO[]\\", "foo{}|", CASEMAP_STRICT_RFC1459), 0);
	assert_int_not_equal(casecmp("a[", "a{", CASEMAP_ASCII), 0);
	assert_int_equal(casecmp("ABC", "abc", CASEMAP_ASCII), 0);
	assert_true(casecmp("abc", "abd", CASEMAP_ASCII) < 0);
	assert_true(casecmp("abd", "abc", CASEMAP_ASCII) > 0);
	assert_true(casecmp("ab", "abc", CASEMAP_ASCII) < 0);
	assert_true(casecmp("abc", "ab", CASEMAP_ASCII) > 0);
	assert_int_equal(casecmp("", "", CASEMAP_ASCII), 0);
}

static void
test_match_exact(void **state)
{
	assert_true(mask_match("nick!user@host", "nick!user@host", CASEMAP_RFC1459));
	assert_false(mask_match("nick!user@host", "nick!user@hos", CASEMAP_RFC1459));
	assert_false(mask_match("nick!user@hos", "nick!user@host", CASEMAP_RFC1459));
	assert_true(mask_match("", "", CASEMAP_RFC1459));
	assert_false(mask_match("", "a", CASEMAP_RFC1459));
	assert_false(mask_match("a", "", CASEMAP_RFC1459));
}

static void
test_match_wildcards(void **state)
{
	assert_true(mask_match("*", "", CASEMAP_RFC1459));
	assert_true(mask_match("*", "anything!at@all", CASEMAP_RFC1459));
	assert_true(mask_match("*!*@*", "n!u@h", CASEMAP_RFC1459));
	assert_false(mask_match("*!*@*", "nuh", CASEMAP_RFC1459));
	assert_true(
	    mask_match("*!*@*.example.org", "n!u@a.b.example.org", CASEMAP_RFC1459));
	assert_false(mask_match("*!*@*.example.org", "n!u@example.org", CASEMAP_RFC1459));
	assert_true(mask_match("n?ck!*@*", "nick!u@h", CASEMAP_RFC1459));
	assert_false(mask_match("n?ck!*@*", "nck!u@h", CASEMAP_RFC1459));
	assert_true(mask_match("???", "abc", CASEMAP_RFC1459));
	assert_false(mask_match("???", "ab", CASEMAP_RFC1459));
	assert_true(mask_match("a**b", "ab", CASEMAP_RFC1459));
	assert_true(mask_match("*a*b*", "xxaxxbxx", CASEMAP_RFC1459));
	assert_false(mask_match("*a*b*", "xxbxxaxx", CASEMAP_RFC1459));
	/* A later mismatch must backtrack to the last star. */
	assert_true(mask_match("*ab", "aab", CASEMAP_RFC1459));
	assert_true(mask_match("*abc*abd", "abcabcabd", CASEMAP_RFC1459));
}

static void
test_match_casefold(void **state)
{
	assert_true(mask_match("NICK[A]!*@*", "nick{a}!u@h", CASEMAP_RFC1459));
	assert_true(mask_match("nick~!*@*", "NICK^!u@h", CASEMAP_RFC1459));
	assert_false(mask_match("nick~!*@*", "NICK^!u@h", CASEMAP_STRICT_RFC1459));
	assert_true(mask_match("nick\\!*@*", "NICK|!u@h", CASEMAP_STRICT_RFC1459));
	assert_false(mask_match("nick[!*@*", "nick{!u@h", CASEMAP_ASCII));
	assert_true(mask_match("NiCk!*@*", "nIcK!u@h", CASEMAP_ASCII));
}

static void
test_match_person_account(void **state)
{
	assert_true(mask_match_person("account:Alice", "x!y@z", "alice", CASEMAP_RFC1459));
	assert_true(mask_match_person("account:alice", NULL, "ALICE", CASEMAP_RFC1459));
	assert_false(mask_match_person("account:alice", "x!y@z", "bob", CASEMAP_RFC1459));
	assert_false(
	    mask_match_person("account:alice", "x!y@z", "alice2", CASEMAP_RFC1459));
	assert_false(mask_match_person("account:alice", "x!y@z", NULL, CASEMAP_RFC1459));
	/* An account mask is never a glob over the hostmask. */
	assert_false(mask_match_person("account:*", "account:x", "", CASEMAP_RFC1459));
	assert_false(mask_match_person("account:*", "x!y@z", "alice", CASEMAP_RFC1459));
	assert_false(
	    mask_match_person("account:alice", "account:alice", NULL, CASEMAP_RFC1459));
	assert_false(mask_match_person("account:", "x!y@z", "", CASEMAP_RFC1459));
	/* A hostmask ignores the account. */
	assert_true(mask_match_person("*!*@h", "x!y@h", "alice", CASEMAP_RFC1459));
	assert_true(mask_match_person("*!*@h", "x!y@h", NULL, CASEMAP_RFC1459));
	assert_false(mask_match_person("*!*@h", "x!y@g", "alice", CASEMAP_RFC1459));
	assert_false(mask_match_person("*!*@h", NULL, "alice", CASEMAP_RFC1459));
}

/*
 * Services (Anope's default casemap "ascii") keep ops[team] and ops{team}
 * apart: an account mask folds A-Z only, whatever the nick casemapping.
 */
static void
test_match_person_account_ascii_only(void **state)
{
	enum casemap cms[] = { CASEMAP_RFC1459, CASEMAP_STRICT_RFC1459, CASEMAP_ASCII };
	size_t i;

	for (i = 0; i < sizeof cms / sizeof cms[0]; i++) {
		assert_false(
		    mask_match_person("account:ops[team]", "o!u@h", "ops{team}", cms[i]));
		assert_false(
		    mask_match_person("account:ops{team}", "o!u@h", "ops[team]", cms[i]));
		assert_false(mask_match_person("account:a\\b", "o!u@h", "a|b", cms[i]));
		assert_false(mask_match_person("account:a~b", "o!u@h", "a^b", cms[i]));
		assert_true(
		    mask_match_person("account:OPS[Team]", "o!u@h", "ops[team]", cms[i]));
	}
	/* The nick side still folds as the server says. */
	assert_true(
	    mask_match_person("ops[team]!*@*", "OPS{team}!u@h", NULL, CASEMAP_RFC1459));
}

static void
test_account_fold(void **state)
{
	char s[] = "OPS[Team]\\~";

	account_fold(s);
	assert_string_equal(s, "ops[team]\\~");
	assert_int_equal(account_cmp("Alice", "aLICE"), 0);
	assert_int_not_equal(account_cmp("a[", "a{"), 0);
}

static void
test_mask_valid(void **state)
{
	assert_true(mask_valid("account:alice"));
	assert_true(mask_valid("*!*@*"));
	assert_true(mask_valid("nick!user@host.example"));
	assert_true(mask_valid("*!*@2001:db8::1"));
	assert_false(mask_valid("account:"));
	assert_false(mask_valid("account:al ice"));
	assert_false(mask_valid("account:al,ice"));
	assert_false(mask_valid(""));
	assert_false(mask_valid("nick"));
	assert_false(mask_valid("nick@host"));
	assert_false(mask_valid("nick@user!host"));
	assert_false(mask_valid("nick!user@"));
	assert_false(mask_valid("nick!@host"));
	assert_false(mask_valid("!user@host"));
	assert_false(mask_valid("nick!user@ho st"));
	assert_false(mask_valid("nick!user@host\t"));
}

/* Exponential backtracking would never finish this; the two-pointer scan does. */
static void
test_match_pathological(void **state)
{
	enum { N = 10000 };
	char *s = xmalloc(N + 2);
	struct timespec t0, t1;
	double secs;

	memset(s, 'a', N);
	s[N] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_false(mask_match("*a*a*a*a*a*a*a*a*b", s, CASEMAP_RFC1459));
	assert_false(
	    mask_match("*a*?*a*?*a*?*a*?*a*?*a*?*a*?*a*?*a*?*a*?*b", s, CASEMAP_RFC1459));
	s[N] = 'b';
	s[N + 1] = '\0';
	assert_true(mask_match("*a*a*a*a*a*a*a*a*b", s, CASEMAP_RFC1459));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 1.0);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_casemap_parse),
		cmocka_unit_test(test_casefold),
		cmocka_unit_test(test_casecmp),
		cmocka_unit_test(test_match_exact),
		cmocka_unit_test(test_match_wildcards),
		cmocka_unit_test(test_match_casefold),
		cmocka_unit_test(test_match_person_account),
		cmocka_unit_test(test_match_person_account_ascii_only),
		cmocka_unit_test(test_account_fold),
		cmocka_unit_test(test_unknown_casemap_keeps_people_apart),
		cmocka_unit_test(test_mask_valid),
		cmocka_unit_test(test_match_pathological),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
