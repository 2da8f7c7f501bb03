/* Command tokenizing and argument vectors on arbitrary lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static void
dummy(struct cv_ctx *ctx)
{
	(void)ctx;
}

static const struct cv_command table[] = {
	{ "event add", "", "", 3, 3, CV_ROLE_ORGANIZER, CV_CMD_REST, dummy },
	{ "event", "", "", 1, 1, CV_ROLE_MEMBER, 0, dummy },
	{ "rsvp", "", "", 1, 2, CV_ROLE_MEMBER, 0, dummy },
	{ "trest", "", "", 2, 2, CV_ROLE_MEMBER, CV_CMD_REST, dummy },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int registered;
	char line[CMD_MAX_LINE + 64], rest[CMD_MAX_LINE];
	const char *argv[CV_MAX_ARGS];
	struct cmd_tokens t;
	const struct cv_command *c;
	int n, skip = 0, i, argc;

	if (!registered) {
		char err[64];

		cmd_register(NULL, table, 4, err, sizeof err);
		registered = 1;
	}
	if (size >= sizeof line)
		size = sizeof line - 1;
	memcpy(line, data, size);
	line[size] = '\0';
	n = cmd_tokenize(line, &t);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (t.w[i][0] == '\0' || strchr(t.w[i], ' ') != NULL)
			abort();
	c = cmd_find(&t, &skip, NULL);
	if (c == NULL)
		return 0;
	argc = cmd_args(&t, skip, c, argv, rest, sizeof rest);
	for (i = 0; i < argc && i < CV_MAX_ARGS && i < c->max_args; i++)
		if (argv[i] == NULL || strlen(argv[i]) >= CMD_MAX_LINE)
			abort();
	return 0;
}
