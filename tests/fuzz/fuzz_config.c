/*
 * fuzz_config.c: the input bytes as a configuration file, read through
 * inih and checked against the schema. Besides not crashing, every message
 * must name the file, and every stored value must be a trimmed single line
 * that config_get finds again.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define NAME "fuzz.ini"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "timezone", "calendar", NULL };
	/* Plugins' typed keys (ABI 1.5): bool, integer, duration. */
	static const struct cv_config_key typed[] = {
		{ "flag", CV_KEY_BOOL, "no", 0, 0, NULL },
		{ "count", CV_KEY_INT, "5", 0, 3650, "must be a count" },
		{ "every", CV_KEY_DURATION, "1h", 60, 7 * 86400, NULL },
		{ NULL, CV_KEY_STRING, NULL, 0, 0, NULL },
	};
	static const struct config_section extra[] = { { "events", keys, typed } };
	struct errlist errs = { 0 };
	struct config *c;
	size_t i;
	bool b;
	long n;
	double d;

	c = config_load_buffer(NAME, (const char *)data, size, &errs);
	if (c == NULL)
		abort();
	(void)config_validate(c, extra, 1, &errs);
	(void)config_validate_typed(c, "events", typed, &errs);
	(void)config_bool(c, "irc", "tls", false, &b, &errs);
	(void)config_long(c, "irc", "port", 6667, 1, 65535, &n, &errs);
	(void)config_double(c, "irc", "flood_rate", 1, 0.1, 100, &d, &errs);

	for (i = 0; i < c->n; i++) {
		const struct config_entry *e = &c->v[i];
		size_t len;

		if (e->line < 1 || e->section == NULL || *e->section == '\0')
			abort();
		if (e->key == NULL)
			continue;
		len = strlen(e->value);
		if (strchr(e->value, '\n') != NULL || len > CONFIG_MAX_LINE)
			abort();
		if (len > 0 &&
		    (isspace((unsigned char)e->value[0]) ||
		        isspace((unsigned char)e->value[len - 1])))
			abort();
		if (config_get(c, e->section, e->key) != e->value)
			abort();
	}
	for (i = 0; i < errs.n; i++) {
		if (strncmp(errs.v[i], NAME ":", strlen(NAME ":")) != 0)
			abort();
	}
	errlist_free(&errs);
	config_free(c);
	return 0;
}
