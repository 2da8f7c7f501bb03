/*
 * test_i18n.c: switching catalogues per message without a generated
 * locale (this machine has none for French: only C, C.UTF-8 and POSIX),
 * channel languages, and each person's stored language.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "i18n.h"
#include "store.h"
#include "util.h"
#include "tmpstore.h"

/* The catalogue this build compiled: build/locale, next to build/tests. */
static int
bind_build_catalogue(void **state)
{
	char exe[4096], dir[4200];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	assert_true(n > 0);
	exe[n] = '\0';
	snprintf(dir, sizeof dir, "%s/../locale", dirname(exe));
	return i18n_init(dir) == 0 ? 0 : -1;
}

static void
test_no_french_locale_is_needed(void **state)
{
	/* The point of the mechanism: no fr_FR locale here, yet French. */
	assert_null(newlocale(LC_ALL_MASK, "fr_FR.UTF-8", (locale_t)0));
	assert_string_equal(tr("fr", "That line is too long."),
	    "Cette ligne est trop longue.");
}

static void
test_switches_per_message(void **state)
{
	int i;

	/* Alternating readers, as two people answered in the same pass. */
	for (i = 0; i < 3; i++) {
		assert_string_equal(tr("en", "That line is too long."),
		    "That line is too long.");
		assert_string_equal(tr("fr", "That line is too long."),
		    "Cette ligne est trop longue.");
		assert_string_equal(tr("FR", "show the bot's version"),
		    "affiche la version du robot");
		assert_string_equal(tr("en", "show the bot's version"),
		    "show the bot's version");
	}
	/* UTF-8 out, whatever LC_CTYPE says (bind_textdomain_codeset). */
	assert_string_equal(tr("fr", "From now on I answer you in English."),
	    "Désormais, je vous réponds en français.");
	/* No language, an unknown one, or no translation: the English. */
	assert_string_equal(tr(NULL, "That line is too long."), "That line is too long.");
	assert_string_equal(tr("de", "That line is too long."), "That line is too long.");
	assert_string_equal(tr("fr", "not in any catalogue"), "not in any catalogue");
	/* Between messages no catalogue is chosen: libc's own stay English. */
	assert_string_equal(getenv("LANGUAGE"), "C");
	assert_string_equal(strerror(ENOENT), "No such file or directory");
}

static void
test_plural(void **state)
{
	assert_string_equal(ntr("en", "%d event", "%d events", 1), "%d event");
	assert_string_equal(ntr("en", "%d event", "%d events", 0), "%d events");
	assert_string_equal(ntr("en", "%d event", "%d events", 2), "%d events");
	/* Untranslated in French: gettext falls back to the English forms. */
	assert_string_equal(ntr("fr", "%d event", "%d events", 1), "%d event");
	assert_string_equal(ntr("fr", "%d event", "%d events", 3), "%d events");
}

static void
test_languages(void **state)
{
	assert_string_equal(i18n_lang("Fr"), "fr");
	assert_string_equal(i18n_lang("en"), "en");
	assert_null(i18n_lang("fr_CA"));
	assert_null(i18n_lang(""));
	assert_null(i18n_lang(NULL));
}

static void
test_channel_languages(void **state)
{
	char err[160];

	i18n_set_default("en");
	assert_int_equal(i18n_set_channels("#evenements fr, #Events en", err, sizeof err),
	    0);
	assert_string_equal(i18n_channel("#evenements"), "fr");
	assert_string_equal(i18n_channel("#EVENEMENTS"), "fr");
	assert_string_equal(i18n_channel("#events"), "en");
	assert_string_equal(i18n_channel("#other"), "en");
	i18n_set_default("fr");
	assert_string_equal(i18n_channel("#other"), "fr");
	assert_string_equal(i18n_channel("#events"), "en");
	assert_string_equal(i18n_target("#other", "en"), "fr");
	assert_string_equal(i18n_target("alice", "en"), "en");
	assert_string_equal(i18n_target("alice", NULL), "fr");

	/* A bad list is refused whole and leaves the old one. */
	assert_int_equal(i18n_set_channels("#a fr, #b de", err, sizeof err), -1);
	assert_non_null(strstr(err, "#b"));
	assert_int_equal(i18n_set_channels("#a fr,, #b en", err, sizeof err), -1);
	assert_int_equal(i18n_set_channels("evenements fr", err, sizeof err), -1);
	assert_int_equal(i18n_set_channels("#a", err, sizeof err), -1);
	assert_int_equal(i18n_set_channels("#a fr en", err, sizeof err), -1);
	assert_string_equal(i18n_channel("#evenements"), "fr");
	assert_int_equal(i18n_check_channels("", err, sizeof err), 0);
	assert_int_equal(i18n_set_channels(NULL, err, sizeof err), 0);
	assert_string_equal(i18n_channel("#evenements"), "fr"); /* the default now */
	i18n_set_default("en");
	assert_string_equal(i18n_channel("#evenements"), "en");
	i18n_free();
}

static int
setup(void **state)
{
	char err[256];

	*state = tmpstore_open("test_i18n");
	return host_migrate(err, sizeof err);
}

static void
test_person_language(void **state)
{
	struct cv_person p = { .nick = "alice", .mask = "alice!a@h", .id = "a:alice" };

	i18n_set_default("en");
	assert_string_equal(i18n_person("a:alice"), "en");
	assert_int_equal(i18n_person_set("a:alice", "fr"), 0);
	assert_string_equal(i18n_person("a:alice"), "fr");
	assert_string_equal(i18n_person("a:bob"), "en");
	i18n_set_default("fr");
	assert_string_equal(i18n_person("a:bob"), "fr");
	assert_int_equal(i18n_person_set("a:alice", "en"), 0);
	assert_string_equal(i18n_person("a:alice"), "en");
	i18n_set_default("en");

	/* person.forget erases it, like the person's other data. */
	assert_int_equal(i18n_person_set("a:alice", "fr"), 0);
	i18n_start();
	bus_publish(CV_TOPIC_PERSON_FORGET, &p);
	assert_string_equal(i18n_person("a:alice"), "en");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_french_locale_is_needed),
		cmocka_unit_test(test_switches_per_message),
		cmocka_unit_test(test_plural),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_channel_languages),
		cmocka_unit_test_setup_teardown(test_person_language, setup,
		    tmpstore_teardown),
	};

	return cmocka_run_group_tests(tests, bind_build_catalogue, NULL);
}
