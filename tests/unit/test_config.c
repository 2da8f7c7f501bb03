/* test_config.c: reading the INI file through inih, and the host's schema. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <ini.h>

#include "config.h"
#include "util.h"

#define NAME "test.ini"

static struct config *
load(const char *text, struct errlist *errs)
{
	return config_load_buffer(NAME, text, strlen(text), errs);
}

/* Is `msg` one of the messages, exactly? Prints them all when it is not. */
static bool
has_error(const struct errlist *errs, const char *msg)
{
	size_t i;

	for (i = 0; i < errs->n; i++) {
		if (strcmp(errs->v[i], msg) == 0)
			return true;
	}
	fprintf(stderr, "no \"%s\" among %zu messages:\n", msg, errs->n);
	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "  %s\n", errs->v[i]);
	return false;
}

/* A temporary file holding `text`; the caller unlinks and frees its path. */
static char *
temp_file(const char *text)
{
	char *path = xstrdup("/tmp/test_config.XXXXXX");
	int fd = mkstemp(path);
	size_t len = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Loads `text` and validates it with no plugin sections. */
static int
load_validate(const char *text, struct errlist *errs)
{
	struct config *c = load(text, errs);
	int n;

	assert_non_null(c);
	n = config_validate(c, NULL, 0, errs);
	config_free(c);
	return n;
}

static void
test_good_config(void **state)
{
	char *secret = temp_file("hunter2\n");
	char *text = xasprintf("; Convene\n"
	                       "[irc]\n"
	                       "server = irc.example.org\n"
	                       "port = 6697\n"
	                       "tls = yes\n"
	                       "tls_verify = on\n"
	                       "tls_ca_file = %s\n"
	                       "nick = Convene[bot]\n"
	                       "username = convene\n"
	                       "realname = Convene: events and webinars\n"
	                       "channels = #events, #webinars key, &local\n"
	                       "flood_burst = 5\n"
	                       "flood_rate = 0.5\n"
	                       "sasl_user = convene\n"
	                       "sasl_password_file = %s\n"
	                       "sasl_required = true\n"
	                       "\n"
	                       "[bot]\n"
	                       "prefix = !\n"
	                       "owners = account:alice, *!*@staff.example.org\n"
	                       "plugins = events  webinar reminders_2\n"
	                       "plugin_dir = /usr/lib/convene/plugins\n"
	                       "command_burst = 3\n"
	                       "command_rate = 0.25\n"
	                       "[store]\n"
	                       "path = /var/lib/convene/convene.db\n"
	                       "[http]\n"
	                       "listen = ::1\n"
	                       "port = 8080\n"
	                       "base_url = https://events.example.org/\n"
	                       "[events]\n"
	                       "timezone = Europe/Berlin\n",
	    secret, secret);
	static const char *const event_keys[] = { "timezone", "calendar", NULL };
	const struct config_section extra[] = { { "events", event_keys, NULL } };
	struct errlist errs = { 0 };
	struct config *c = load(text, &errs);
	bool b;
	long n;
	double d;

	assert_non_null(c);
	assert_int_equal(config_validate(c, extra, nitems(extra), &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(c->path, NAME);
	assert_string_equal(config_get(c, "irc", "server"), "irc.example.org");
	assert_int_equal(config_line(c, "irc", "server"), 3);
	assert_string_equal(config_get(c, "irc", "realname"),
	    "Convene: events and webinars");
	assert_string_equal(config_get(c, "events", "timezone"), "Europe/Berlin");
	assert_null(config_get(c, "events", "calendar"));
	assert_null(config_get(c, "irc", "nope"));
	assert_int_equal(config_line(c, "irc", "nope"), 0);

	assert_int_equal(config_bool(c, "irc", "tls", false, &b, &errs), 0);
	assert_true(b);
	assert_int_equal(config_bool(c, "irc", "unset", true, &b, &errs), 0);
	assert_true(b);
	assert_int_equal(config_long(c, "irc", "port", 6667, 1, 65535, &n, &errs), 0);
	assert_int_equal(n, 6697);
	assert_int_equal(config_long(c, "irc", "unset", 42, 1, 65535, &n, &errs), 0);
	assert_int_equal(n, 42);
	assert_int_equal(config_double(c, "irc", "flood_rate", 1, 0.1, 100, &d, &errs), 0);
	assert_true(d == 0.5);
	assert_int_equal(errs.n, 0);

	config_free(c);
	errlist_free(&errs);
	free(text);
	unlink(secret);
	free(secret);
}

static void
test_getters_malformed(void **state)
{
	struct errlist errs = { 0 };
	struct config *c =
	    load("[irc]\nport = 70000\ntls = maybe\nflood_rate = fast\n", &errs);
	bool b = true;
	long n = 0;
	double d = 0;

	assert_non_null(c);
	assert_int_equal(config_long(c, "irc", "port", 6667, 1, 65535, &n, &errs), -1);
	assert_int_equal(n, 6667);
	assert_int_equal(config_bool(c, "irc", "tls", false, &b, &errs), -1);
	assert_false(b);
	assert_int_equal(config_double(c, "irc", "flood_rate", 1, 0.1, 100, &d, &errs), -1);
	assert_true(d == 1);
	assert_true(
	    has_error(&errs, NAME ":2: irc.port: must be a number from 1 to 65535"));
	assert_true(has_error(&errs, NAME ":3: irc.tls: must be yes or no"));
	assert_true(has_error(&errs,
	    NAME ":4: irc.flood_rate: must be a decimal number from 0.1 to 100"));
	assert_int_equal(errs.n, 3);
	config_free(c);
	errlist_free(&errs);
}

static void
test_bool_spellings(void **state)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "YES" };
	static const char *const no[] = { "no", "false", "off", "0", "No" };
	struct errlist errs = { 0 };
	size_t i;
	bool b;

	for (i = 0; i < nitems(yes); i++) {
		char *text = xasprintf("[irc]\ntls = %s\n[bot]\n", yes[i]);
		struct config *c = load(text, &errs);

		b = false;
		assert_int_equal(config_bool(c, "irc", "tls", false, &b, &errs), 0);
		assert_true(b);
		config_free(c);
		free(text);
		text = xasprintf("[irc]\ntls = %s\n", no[i]);
		c = load(text, &errs);
		assert_int_equal(config_bool(c, "irc", "tls", true, &b, &errs), 0);
		assert_false(b);
		config_free(c);
		free(text);
	}
	assert_int_equal(errs.n, 0);
}

static void
test_long_line(void **state)
{
	char *text = xmalloc(3000);
	struct errlist errs = { 0 };
	struct config *c;

	/* Line 2 is 1100 bytes; line 3 must still be read, whole. */
	strcpy(text, "[irc]\nrealname = ");
	memset(text + strlen(text), 'x', 1100 - strlen("realname = "));
	strcpy(text + strlen("[irc]\n") + 1100, "\nnick = bot\n");
	c = load(text, &errs);
	assert_non_null(c);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0], NAME ":2: line too long (max 1024 bytes)");
	assert_null(config_get(c, "irc", "realname"));
	assert_string_equal(config_get(c, "irc", "nick"), "bot");
	assert_int_equal(config_line(c, "irc", "nick"), 3);
	config_free(c);
	free(text);
	errlist_free(&errs);
}

/* inih's stock 200-byte buffer would cut these; ours keeps them whole. */
static void
test_long_values_kept(void **state)
{
	char *text = xmalloc(4000), *p;
	struct errlist errs = { 0 };
	struct config *c;
	const char *v;

	/* A 1000-byte value, then a line of exactly 1024 bytes ending in CRLF. */
	p = text + sprintf(text, "[irc]\nrealname = ");
	memset(p, 'r', 1000);
	p += 1000;
	p += sprintf(p, "\nsasl_user = ");
	memset(p, 'u', 1024 - strlen("sasl_user = "));
	p += 1024 - strlen("sasl_user = ");
	p += sprintf(p, "\r\nchannels = ");
	/* And one of 1025 bytes, which is refused. */
	memset(p, 'c', 1025 - strlen("channels = "));
	p += 1025 - strlen("channels = ");
	strcpy(p, "\nnick = bot");
	c = load(text, &errs);
	assert_non_null(c);
	v = config_get(c, "irc", "realname");
	assert_non_null(v);
	assert_int_equal(strlen(v), 1000);
	assert_int_equal(strspn(v, "r"), 1000);
	v = config_get(c, "irc", "sasl_user");
	assert_non_null(v);
	assert_int_equal(strlen(v), 1024 - strlen("sasl_user = "));
	assert_null(config_get(c, "irc", "channels"));
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0], NAME ":4: line too long (max 1024 bytes)");
	/* The last line has no newline and is still read. */
	assert_string_equal(config_get(c, "irc", "nick"), "bot");
	assert_int_equal(config_line(c, "irc", "nick"), 5);
	/* inih's process-wide options are put back. */
	assert_int_equal(ini_max_line, INI_MAX_LINE);
	assert_true(ini_allow_multiline);
	config_free(c);
	free(text);
	errlist_free(&errs);
}

static void
test_unknown_section_and_key(void **state)
{
	static const char *const keys[] = { "timezone", NULL };
	const struct config_section extra[] = { { "events", keys, NULL } };
	struct errlist errs = { 0 };
	struct config *c = load("[irc]\n"
	                        "server = irc.example.org\n"
	                        "nick = bot\n"
	                        "colour = blue\n"
	                        "\n"
	                        "[frobnicate]\n"
	                        "a = 1\n"
	                        "b = 2\n"
	                        "[events]\n"
	                        "timezone = UTC\n"
	                        "zone = UTC\n"
	                        "[IRC]\n",
	    &errs);

	assert_non_null(c);
	assert_int_equal(config_validate(c, extra, nitems(extra), &errs), 4);
	assert_true(has_error(&errs, NAME ":4: unknown key 'colour' in [irc]"));
	assert_true(has_error(&errs, NAME ":6: unknown section [frobnicate]"));
	assert_true(has_error(&errs, NAME ":11: unknown key 'zone' in [events]"));
	/* Names are case-sensitive. */
	assert_true(has_error(&errs, NAME ":12: unknown section [IRC]"));
	config_free(c);
	errlist_free(&errs);
}

static void
test_missing_required(void **state)
{
	struct errlist errs = { 0 };

	assert_int_equal(load_validate("[irc]\nport = 6667\n", &errs), 2);
	assert_true(has_error(&errs, NAME ": missing [irc] server"));
	assert_true(has_error(&errs, NAME ": missing [irc] nick"));
	errlist_free(&errs);

	assert_int_equal(load_validate("[irc]\nserver = irc.example.org\n[bot]\nnick = x\n",
	                     &errs),
	    2);
	assert_true(has_error(&errs, NAME ":4: unknown key 'nick' in [bot]"));
	assert_true(has_error(&errs, NAME ": missing [irc] nick"));
	errlist_free(&errs);
}

static void
test_empty_file(void **state)
{
	struct errlist errs = { 0 };
	struct config *c = load("", &errs);

	assert_non_null(c);
	assert_int_equal(c->n, 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(config_validate(c, NULL, 0, &errs), 2);
	assert_true(has_error(&errs, NAME ": missing [irc] server"));
	config_free(c);
	errlist_free(&errs);
}

static void
test_missing_file(void **state)
{
	struct errlist errs = { 0 };

	assert_null(config_load("/nonexistent/convene.ini", &errs));
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0],
	    "/nonexistent/convene.ini: cannot open: No such file or directory");
	errlist_free(&errs);
}

static void
test_load_file(void **state)
{
	char *path = temp_file("[irc]\nserver = a.example\r\nnick = n\n");
	struct errlist errs = { 0 };
	struct config *c = config_load(path, &errs);

	assert_non_null(c);
	assert_string_equal(c->path, path);
	assert_string_equal(config_get(c, "irc", "server"), "a.example");
	assert_int_equal(config_validate(c, NULL, 0, &errs), 0);
	assert_int_equal(errs.n, 0);
	config_free(c);
	unlink(path);
	free(path);
}

/* Each malformed value with the message a person sees. */
static const struct {
	const char *line;
	const char *error;
} malformed[] = {
	{ "port = 0", "irc.port: must be a number from 1 to 65535" },
	{ "port = 65536", "irc.port: must be a number from 1 to 65535" },
	{ "port = 66x", "irc.port: must be a number from 1 to 65535" },
	{ "port = +6667", "irc.port: must be a number from 1 to 65535" },
	{ "port = 0x1a0b", "irc.port: must be a number from 1 to 65535" },
	{ "port =", "irc.port: must be a number from 1 to 65535" },
	{ "tls = maybe", "irc.tls: must be yes or no" },
	{ "sasl_required = 2", "irc.sasl_required: must be yes or no" },
	{ "flood_rate = 0.05", "irc.flood_rate: must be a decimal number from 0.1 to 100" },
	{ "flood_rate = 1e1", "irc.flood_rate: must be a decimal number from 0.1 to 100" },
	{ "flood_rate = nan", "irc.flood_rate: must be a decimal number from 0.1 to 100" },
	{ "flood_rate = .", "irc.flood_rate: must be a decimal number from 0.1 to 100" },
	{ "flood_burst = 101", "irc.flood_burst: must be a number from 1 to 100" },
	{ "nick = bot%s",
	    "irc.nick: must be a nick of at most 30 letters, digits or "
	    "[]\\`_^{|}-, not starting with a digit or '-'" },
	{ "nick = 9lives",
	    "irc.nick: must be a nick of at most 30 letters, digits or "
	    "[]\\`_^{|}-, not starting with a digit or '-'" },
	{ "nick = -dash",
	    "irc.nick: must be a nick of at most 30 letters, digits or "
	    "[]\\`_^{|}-, not starting with a digit or '-'" },
	{ "nick = a234567890123456789012345678901",
	    "irc.nick: must be a nick of at most "
	    "30 letters, digits or []\\`_^{|}-, not starting with a digit or '-'" },
	{ "username = us%er", "irc.username: must be letters, digits or []\\`_^{|}-" },
	{ "realname = 100% bot",
	    "irc.realname: must not contain '%' or control characters" },
	{ "realname = bell\a", "irc.realname: must not contain '%' or control characters" },
	{ "server = irc example", "irc.server: must be one word, without spaces" },
	{ "channels = #a b c", "irc.channels: the key of #a must be one word" },
	{ "channels = # chan",
	    "irc.channels: '#' is not a channel: it starts with # or &, "
	    "without spaces, commas or control characters" },
	{ "channels = events",
	    "irc.channels: 'events' is not a channel: it starts with # "
	    "or &, without spaces, commas or control characters" },
	{ "channels = #a\a",
	    "irc.channels: '#a\a' is not a channel: it starts with # "
	    "or &, without spaces, commas or control characters" },
	{ "channels = #a,,#b", "irc.channels: has an empty item" },
	{ "tls_ca_file = /nonexistent/ca.pem",
	    "irc.tls_ca_file: cannot read the file it names: No such file or directory" },
	{ "sasl_password_file = /tmp",
	    "irc.sasl_password_file: the file it names is not a regular file" },
	{ "[bot]\nprefix = !!!!", "bot.prefix: must be 1 to 3 characters, without spaces" },
	{ "[bot]\nprefix = ! ", "" },
	{ "[bot]\nprefix = a b", "bot.prefix: must be 1 to 3 characters, without spaces" },
	{ "[bot]\nowners = account:al, nick",
	    "bot.owners: 'nick' is not a mask: "
	    "nick!user@host or account:NAME" },
	{ "[bot]\nplugins = events Webinar",
	    "bot.plugins: 'Webinar' is not a plugin "
	    "name: a-z, 0-9 and _" },
	{ "[bot]\ncommand_rate = 0.01",
	    "bot.command_rate: must be a decimal number "
	    "from 0.05 to 100" },
	{ "[bot]\ncommand_burst = 0", "bot.command_burst: must be a number from 1 to 100" },
	{ "[store]\npath =", "store.path: must be a path, without control characters" },
	{ "[http]\nlisten = localhost",
	    "http.listen: must be a numeric IPv4 or IPv6 address" },
	{ "[http]\nlisten = 127.0.0.1", "" },
	{ "[http]\nport = 0", "" },
	{ "[http]\nport = -1", "http.port: must be a number from 0 to 65535" },
	{ "[http]\nbase_url = ftp://x",
	    "http.base_url: must be an http:// or https:// URL" },
	{ "[http]\nbase_url = http://",
	    "http.base_url: must be an http:// or https:// URL" },
};

static void
test_malformed_values(void **state)
{
	size_t i;

	for (i = 0; i < nitems(malformed); i++) {
		struct errlist errs = { 0 };
		char *text =
		    xasprintf("[irc]\nserver = s\nnick = n\n%s\n", malformed[i].line);
		/* The value's line: 4, or 5 after a section header. */
		int line = strchr(malformed[i].line, '\n') != NULL ? 5 : 4;
		char *want = xasprintf(NAME ":%d: %s", line, malformed[i].error);

		if (*malformed[i].error == '\0') {
			assert_int_equal(load_validate(text, &errs), 0);
		} else {
			assert_int_equal(load_validate(text, &errs), 1);
			assert_true(has_error(&errs, want));
		}
		errlist_free(&errs);
		free(want);
		free(text);
	}
}

static void
test_duplicate_key(void **state)
{
	struct errlist errs = { 0 };
	struct config *c =
	    load("[irc]\nnick = first\nserver = s\n[bot]\n[irc]\nnick = second\n", &errs);

	assert_non_null(c);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0],
	    NAME ":6: irc.nick is also set on line 2; this later value wins");
	assert_string_equal(config_get(c, "irc", "nick"), "second");
	assert_int_equal(config_line(c, "irc", "nick"), 6);
	config_free(c);
	errlist_free(&errs);
}

static void
test_comments(void **state)
{
	struct errlist errs = { 0 };
	struct config *c = load("\xef\xbb\xbf; a comment before any section\n"
	                        "# another\n"
	                        "[irc] ; the IRC side\n"
	                        "   ; indented comment\n"
	                        "\t# and this\n"
	                        "server = irc.example.org ; not a comment\n"
	                        "nick =   spaced   \n"
	                        "realname = a # b\n",
	    &errs);

	assert_non_null(c);
	assert_int_equal(errs.n, 0);
	assert_string_equal(config_get(c, "irc", "server"),
	    "irc.example.org ; not a comment");
	assert_string_equal(config_get(c, "irc", "nick"), "spaced");
	assert_string_equal(config_get(c, "irc", "realname"), "a # b");
	assert_int_equal(config_line(c, "irc", "realname"), 8);
	config_free(c);
}

static void
test_syntax_errors(void **state)
{
	struct errlist errs = { 0 };
	struct config *c = load("orphan = 1\n"
	                        "[irc]\n"
	                        "just some words\n"
	                        "  continued\n"
	                        "= value\n"
	                        "[broken\n"
	                        "dropped = 1\n"
	                        "[]\n"
	                        "[irc] trailing\n"
	                        "also_dropped = 1\n"
	                        "[irc]\n"
	                        "nick = kept\n",
	    &errs);

	assert_non_null(c);
	assert_true(has_error(&errs, NAME ":1: 'orphan' is outside any [section]"));
	assert_true(
	    has_error(&errs, NAME ":3: expected 'key = value', '[section]' or a comment"));
	assert_true(
	    has_error(&errs, NAME ":4: expected 'key = value', '[section]' or a comment"));
	assert_true(has_error(&errs, NAME ":5: missing key before '='"));
	assert_true(has_error(&errs, NAME ":6: missing ']' after the section name"));
	assert_true(has_error(&errs, NAME ":8: empty section name"));
	assert_true(has_error(&errs, NAME ":9: unexpected text after ']'"));
	assert_int_equal(errs.n, 7);
	assert_null(config_get(c, "irc", "dropped"));
	assert_null(config_get(c, "irc", "also_dropped"));
	assert_string_equal(config_get(c, "irc", "nick"), "kept");
	config_free(c);
	errlist_free(&errs);

	/* A NUL byte inside a line (only config_load_buffer can see one). */
	{
		static const char nul[] = "[irc]\nnick = a\0b\nserver = s\n";

		c = config_load_buffer(NAME, nul, sizeof nul - 1, &errs);
	}
	assert_non_null(c);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0], NAME ":2: NUL byte in the line");
	assert_null(config_get(c, "irc", "nick"));
	assert_string_equal(config_get(c, "irc", "server"), "s");
	config_free(c);
	errlist_free(&errs);
}

static void
test_secret(void **state)
{
	char *path = temp_file("hunter2\r\nsecond line\n");
	char *empty = temp_file("\nhunter2\n");
	struct errlist errs = { 0 };
	char *s;

	s = config_read_secret(path, &errs);
	assert_non_null(s);
	assert_string_equal(s, "hunter2");
	free(s);
	assert_int_equal(errs.n, 0);

	assert_null(config_read_secret(empty, &errs));
	assert_int_equal(errs.n, 1);
	assert_null(strstr(errs.v[0], "hunter2"));
	errlist_free(&errs);

	assert_null(config_read_secret("/nonexistent/secret", &errs));
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0],
	    "/nonexistent/secret: cannot open: No such file or directory");
	errlist_free(&errs);

	unlink(path);
	unlink(empty);
	free(path);
	free(empty);
}

/* Issue 13: durations are seconds, with units in order, each at most once. */
static void
test_durations(void **state)
{
	static const struct {
		const char *v;
		long long s;
	} good[] = {
		{ "0", 0 },
		{ "90", 90 },
		{ "45s", 45 },
		{ "30m", 1800 },
		{ "2h", 7200 },
		{ "1h30m", 5400 },
		{ "1d", 86400 },
		{ "1w2d", 9 * 86400 },
		{ "1h0m5s", 3605 },
	};
	static const char *const bad[] = {
		"",
		"m",
		"30x",
		"30m1h",
		"1h1h",
		"1.5h",
		"-5m",
		" 5m",
		"5m ",
		"1 h",
		"99999999999",
		"3651d",
	};
	long long n;
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		n = -1;
		assert_int_equal(parse_duration(good[i].v, &n), 0);
		assert_int_equal(n, good[i].s);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse_duration(bad[i], &n) == 0)
			fail_msg("'%s' parsed as %lld", bad[i], n);
	}
}

/* Issue 13: a plugin's declared keys, parsed and checked by the host. */
static const struct cv_config_key typed_keys[] = {
	{ "flag", CV_KEY_BOOL, "no", 0, 0, "must be yes or no, as in rsvp" },
	{ "count", CV_KEY_INT, "5", 1, 10, NULL },
	{ "every", CV_KEY_DURATION, "1h", 60, 86400,
	    "must be a time from 1 minute to 1 day" },
	{ "name", CV_KEY_STRING, NULL, 0, 0, NULL },
	{ NULL, CV_KEY_STRING, NULL, 0, 0, NULL },
};

static void
test_typed_keys_parse(void **state)
{
	const struct cv_config_key *flag = config_key_find(typed_keys, "flag"),
	                           *count = config_key_find(typed_keys, "count"),
	                           *every = config_key_find(typed_keys, "every");
	long long n;
	char *why;

	assert_null(config_key_find(typed_keys, "other"));
	assert_int_equal(config_key_parse(flag, "On", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(config_key_parse(flag, "false", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(config_key_parse(flag, "perhaps", &n), -1);
	assert_int_equal(config_key_parse(count, "10", &n), 0);
	assert_int_equal(n, 10);
	assert_int_equal(config_key_parse(count, "11", &n), -1);
	assert_int_equal(config_key_parse(count, "0", &n), -1);
	assert_int_equal(config_key_parse(count, "0x5", &n), -1);
	assert_int_equal(config_key_parse(every, "30m", &n), 0);
	assert_int_equal(n, 1800);
	assert_int_equal(config_key_parse(every, "59s", &n), -1); /* below min */
	assert_int_equal(config_key_parse(every, "2d", &n), -1);  /* above max */
	assert_int_equal(config_key_parse(config_key_find(typed_keys, "name"), "x", &n),
	    -1);
	why = config_key_why(count); /* no words of its own: the host's */
	assert_string_equal(why, "must be a number from 1 to 10");
	free(why);
	why = config_key_why(flag);
	assert_string_equal(why, "must be yes or no, as in rsvp");
	free(why);
}

/* --check and plugin load: a bad plugin value, with its line and the plugin's words. */
static void
test_typed_keys_validate(void **state)
{
	static const char *const untyped[] = { "old", NULL };
	const struct config_section extra[] = { { "plug", untyped, typed_keys } };
	struct errlist errs = { 0 };
	struct config *c =
	    load("[irc]\nserver = s\nnick = n\n[plug]\nflag = perhaps\n"
	         "count = 3\nevery = 90 minutes\nname = anything\nold = kept\nnew = x\n",
	        &errs);

	assert_non_null(c);
	assert_int_equal(config_validate(c, extra, 1, &errs), 3);
	assert_true(has_error(&errs, NAME ":5: plug.flag: must be yes or no, as in rsvp"));
	assert_true(has_error(&errs,
	    NAME ":7: plug.every: must be a time from 1 minute to 1 day"));
	assert_true(has_error(&errs, NAME ":10: unknown key 'new' in [plug]"));
	errlist_free(&errs);
	/* At load: only the declared keys of that section. */
	assert_int_equal(config_validate_typed(c, "plug", typed_keys, &errs), 2);
	assert_string_equal(errs.v[0], NAME ":5: plug.flag: must be yes or no, as in rsvp");
	errlist_free(&errs);
	assert_int_equal(config_validate_typed(c, "irc", typed_keys, &errs), 0);
	config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_config),
		cmocka_unit_test(test_getters_malformed),
		cmocka_unit_test(test_bool_spellings),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_long_values_kept),
		cmocka_unit_test(test_unknown_section_and_key),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_malformed_values),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_typed_keys_parse),
		cmocka_unit_test(test_typed_keys_validate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
