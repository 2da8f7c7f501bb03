/*
 * cmd.h: commands as tables. Tokenizing, the registry of every loaded
 * command, and dispatch: longest name match, argument counts and roles
 * checked from the entry, per-person rate limit, answers by private NOTICE.
 */
#ifndef CV_CMD_H
#define CV_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "convene.h"

#define CMD_MAX_WORDS 32
#define CMD_MAX_LINE 512

/* A line split on spaces; each word remembers where it began. */
struct cmd_tokens {
	char buf[CMD_MAX_LINE];
	const char *line; /* the copy words point into, unsplit */
	char words[CMD_MAX_LINE + CMD_MAX_WORDS];
	const char *w[CMD_MAX_WORDS];
	size_t off[CMD_MAX_WORDS]; /* offset of word i in line */
	int n;
	bool more; /* words past CMD_MAX_WORDS were not split */
};

/*
 * Pure. Returns the number of words split (at most CMD_MAX_WORDS; `more`
 * says whether the line goes on, which only a rest-of-line argument can
 * take), or -1 when the line is too long.
 */
int cmd_tokenize(const char *line, struct cmd_tokens *t);

/*
 * The argument vector for a command whose name took `skip` words:
 * the following words, or with CV_CMD_REST the words up to max-1 and then
 * the rest of the line verbatim (trailing spaces trimmed). `store` holds
 * the rest string. Returns argc.
 */
int cmd_args(const struct cmd_tokens *t, int skip, const struct cv_command *c,
    const char **argv, char *store, size_t storesz);

/* The registry. owner NULL is the host itself. */
int cmd_register(struct cv_plugin *owner, const struct cv_command *cmds, size_t n,
    char *err, size_t errlen);
void cmd_unregister(struct cv_plugin *owner);

/* Find the command a tokenized line names; *skip gets its word count. */
const struct cv_command *cmd_find(const struct cmd_tokens *t, int *skip,
    struct cv_plugin **owner);

/* Per-person limit: burst, then rate per second. */
void cmd_set_limit(unsigned burst, double rate);
void cmd_set_prefix(const char *prefix);
const char *cmd_prefix(void);

/*
 * A PRIVMSG from a person: in a channel only lines that start with the
 * prefix are commands; in private every line is (the prefix is optional).
 */
void cmd_message(const struct cv_person *who, const char *channel, const char *text);
/*
 * The same for a person relayed by `relay` (its nick!user@host): limited
 * per person (their id) and per relay, with a larger budget.
 */
void cmd_relayed(const struct cv_person *who, const char *channel, const char *text,
    const char *relay);

/* The host's own commands: help and version. */
void cmd_core_init(void);
void cmd_free(void);

#endif
