/*
 * test_host.c: answers wait for the pass's grouped commit. The link's two
 * output functions are wrapped (the Makefile links this test with
 * --wrap=link_text,--wrap=link_notice_many) so what reaches the send queue,
 * and when, is recorded here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libgen.h>

#include <cmocka.h>

#include "host.h"
#include "i18n.h"
#include "store.h"
#include "util.h"

#include "tmpstore.h"

/* What reached the link, one line per call: "CMD target[,target...] :text". */
static char sent[16][512];
static size_t nsent;

/* ld --wrap needs these names, reserved or not. */
/* NOLINTBEGIN(bugprone-reserved-identifier) */
void __wrap_link_text(const char *cmd, const char *target, const char *text);
void __wrap_link_notice_many(const char *const *targets, size_t n, const char *text);
/* NOLINTEND(bugprone-reserved-identifier) */

void
__wrap_link_text(const char *cmd, const char *target, const char *text)
{
	assert_true(nsent < nitems(sent));
	snprintf(sent[nsent++], sizeof sent[0], "%s %s :%s", cmd, target, text);
}

void
__wrap_link_notice_many(const char *const *targets, size_t n, const char *text)
{
	size_t i, len;

	assert_true(nsent < nitems(sent));
	len = (size_t)snprintf(sent[nsent], sizeof sent[0], "NOTICE* ");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(sent[nsent] + len, sizeof sent[0] - len, "%s%s",
		    i ? "," : "", targets[i]);
	snprintf(sent[nsent] + len, sizeof sent[0] - len, " :%s", text);
	nsent++;
}

static int
setup(void **state)
{
	struct fixture *fx = tmpstore_open("test_host");

	/* A deferred foreign key is checked only by the COMMIT itself. */
	assert_int_equal(
	    store_exec(
	        "CREATE TABLE p (id INTEGER PRIMARY KEY);"
	        "CREATE TABLE c (p INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)"),
	    0);
	store_set_group(true);
	nsent = 0;
	*state = fx;
	return 0;
}

static const char *const nicks[] = { "ann", "bob", "cat" };

/* A change and its answers, in one grouped pass; the COMMIT fails if bad. */
static void
pass(bool bad)
{
	const struct cv_host *h = host_api();

	assert_int_equal(h->begin(NULL), 0);
	assert_int_equal(store_exec(bad ? "INSERT INTO c VALUES (42)" :
	                                  "INSERT INTO p VALUES (1)"),
	    0);
	assert_int_equal(h->commit(NULL), 0);
	assert_true(store_group_open());
	h->notice("ann", "you are in");
	h->notice_many(nicks, nitems(nicks), "you have a place now");
	h->say("#ev", "event #1 changed");
}

static void
test_answers_wait_for_the_commit(void **state)
{
	(void)state;
	pass(false);
	/* Nothing, notice_many's lines included, goes out before the COMMIT. */
	assert_int_equal(nsent, 0);
	host_pass_end(NULL);
	assert_false(store_group_open());
	assert_int_equal(nsent, 3);
	assert_string_equal(sent[0], "NOTICE ann :you are in");
	assert_string_equal(sent[1], "NOTICE* ann,bob,cat :you have a place now");
	assert_string_equal(sent[2], "PRIVMSG #ev :event #1 changed");

	/* With no pass open, answers go out at once. */
	nsent = 0;
	host_api()->notice_many(nicks, 2, "now");
	host_api()->notice("bob", "now too");
	assert_int_equal(nsent, 2);
	assert_string_equal(sent[0], "NOTICE* ann,bob :now");
	assert_string_equal(sent[1], "NOTICE bob :now too");
	host_pass_end(NULL);
	assert_int_equal(nsent, 2);
}

static void
test_failed_commit_sends_one_apology_each(void **state)
{
	const char *sorry = "Sorry, that could not be saved (the database refused "
	                    "it) and nothing was changed: please try again later.";
	char want[512];
	size_t i;

	(void)state;
	pass(true);
	assert_int_equal(nsent, 0);
	host_pass_end(NULL);
	assert_false(store_group_open());
	/* None of the held lines; one apology per target, in order. */
	assert_int_equal(nsent, 4);
	for (i = 0; i < nitems(nicks); i++) {
		snprintf(want, sizeof want, "NOTICE %s :%s", nicks[i], sorry);
		assert_string_equal(sent[i], want);
	}
	snprintf(want, sizeof want, "NOTICE #ev :%s", sorry);
	assert_string_equal(sent[3], want);
}

/*
 * The apology is in the language of whoever reads it: the command's reader
 * for people, the channel's for a channel (bot/i18n.c).
 */
static void
test_apology_in_the_readers_language(void **state)
{
	const char *fr =
	    "Désolé, cela n’a pas pu être enregistré (la base de données l’a "
	    "refusé) et rien n’a été changé\xc2\xa0: veuillez réessayer plus tard.";
	const char *en = "Sorry, that could not be saved (the database refused "
	                 "it) and nothing was changed: please try again later.";
	char exe[4096], dir[4200], want[512], err[128];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	(void)state;
	assert_true(n > 0);
	exe[n] = '\0';
	snprintf(dir, sizeof dir, "%s/../locale", dirname(exe));
	assert_int_equal(i18n_init(dir), 0);
	assert_int_equal(i18n_set_channels("#ev fr", err, sizeof err), 0);

	i18n_set_reader("fr");
	pass(true);
	i18n_set_reader(NULL);
	host_pass_end(NULL);
	assert_int_equal(nsent, 4);
	snprintf(want, sizeof want, "NOTICE ann :%s", fr);
	assert_string_equal(sent[0], want);
	snprintf(want, sizeof want, "NOTICE #ev :%s", fr);
	assert_string_equal(sent[3], want);

	nsent = 0;
	i18n_set_reader("en");
	pass(true);
	i18n_set_reader(NULL);
	host_pass_end(NULL);
	assert_int_equal(nsent, 4);
	snprintf(want, sizeof want, "NOTICE bob :%s", en);
	assert_string_equal(sent[1], want);
	snprintf(want, sizeof want, "NOTICE #ev :%s", fr); /* the channel's own */
	assert_string_equal(sent[3], want);
	i18n_free();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answers_wait_for_the_commit, setup,
		    tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_failed_commit_sends_one_apology_each,
		    setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_apology_in_the_readers_language,
		    setup, tmpstore_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
