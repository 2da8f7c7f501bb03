/*
 * config.h: the INI configuration, read with libinih.
 *
 * Debian's libinih keeps no line numbers and silently cuts lines at 200
 * bytes, so the file is read through ini_parse_stream() with a reader of
 * ours that counts lines and rejects over-long ones. Every value keeps its
 * line number, so errors read "file:line: reason".
 *
 * Debian's build (55) reads its options from globals at run time, so the
 * parse switches inih to a heap line buffer of CONFIG_MAX_LINE + 3 bytes:
 * lines up to CONFIG_MAX_LINE bytes (line ending not counted) parse whole,
 * longer ones are reported as "line too long" and skipped. Multi-line
 * values and inline comments are off: a comment is a line starting with
 * ';' or '#', and a value is everything after '=' (or ':'), trimmed.
 * Section headers are read by the reader itself (inih neither reports
 * them nor keeps names over 50 bytes); names and keys are case-sensitive.
 */
#ifndef CV_CONFIG_H
#define CV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "convene.h"

#define CONFIG_MAX_LINE 1024 /* longer lines are an error */

/* A growing list of messages; each string is owned by the list. */
struct errlist {
	char **v;
	size_t n;
};
void errlist_add(struct errlist *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void errlist_free(struct errlist *l);

struct config_entry {
	char *section; /* lower case as written */
	char *key;     /* NULL: where a [section] header stood */
	char *value;   /* trimmed; NULL with key */
	int line;
};

struct config {
	char *path;
	struct config_entry *v;
	size_t n;
};

/*
 * Parse `path`. Returns NULL (with a message in errs) when the file cannot be
 * read. Syntax errors and over-long lines are added to errs as
 * "path:line: reason" and the offending line is skipped.
 * A key set twice in one section: the later value wins, with a warning in errs.
 */
struct config *config_load(const char *path, struct errlist *errs);
/* The same over `len` bytes of `data` (NUL bytes allowed); `name` stands for the path in messages. */
struct config *config_load_buffer(const char *name, const char *data, size_t len,
    struct errlist *errs);
void config_free(struct config *c);

/* The value of section/key, or NULL. The string belongs to the config. */
const char *config_get(const struct config *c, const char *section, const char *key);
int config_line(const struct config *c, const char *section, const char *key);

/* Typed getters: the default when unset; -1 with a message in errs when malformed. */
int config_bool(const struct config *c, const char *section, const char *key, bool def,
    bool *out, struct errlist *errs);
int config_long(const struct config *c, const char *section, const char *key, long def,
    long min, long max, long *out, struct errlist *errs);
int config_double(const struct config *c, const char *section, const char *key,
    double def, double min, double max, double *out, struct errlist *errs);

/*
 * The keys a section may hold. The host's sections are built in; a plugin
 * adds its own section with the NULL-terminated key list of its descriptor.
 */
struct config_section {
	const char *name;
	const char *const *keys;
	const struct cv_config_key *typed; /* ABI 1.5 declarations, or NULL */
};

/*
 * A plugin's typed key (struct cv_config_key): parse `value` as it declares
 * (a bool gives 0 or 1); 0 with *out, or -1. A CV_KEY_STRING is never parsed.
 */
int config_key_parse(const struct cv_config_key *k, const char *value, long long *out);
/* The reason a value of k is bad: the plugin's words, else the host's; caller frees. */
char *config_key_why(const struct cv_config_key *k);
/* Seconds, from "90", "45s", "30m", "1h30m", "2d", "1w": 0 or -1. */
int parse_duration(const char *v, long long *out);
/* The declaration of `key` in a table ended by a NULL key, or NULL. */
const struct cv_config_key *config_key_find(const struct cv_config_key *keys,
    const char *key);
/*
 * Check the values set in [section] against `keys` only (at plugin load):
 * "path:line: section.key: why" in errs; returns the number added.
 */
int config_validate_typed(const struct config *c, const char *section,
    const struct cv_config_key *keys, struct errlist *errs);

/*
 * Calls fn(section, key, arg) for every key of the host's sections, from the
 * same tables config_validate() checks against (for `convene --list-keys`).
 */
void config_host_keys(void (*fn)(const char *section, const char *key, void *arg),
    void *arg);

/*
 * Check the host's sections (irc, bot, store, http) and the given plugin
 * sections: unknown sections and keys, missing required keys (irc.server,
 * irc.nick), and malformed values of the host's keys (numbers, yes/no,
 * ports, masks, secret files that cannot be read) and of the plugins'
 * typed keys (with the plugin's words). Appends "path:line:
 * reason" to errs; returns the number of errors added.
 */
int config_validate(const struct config *c, const struct config_section *extra,
    size_t nextra, struct errlist *errs);

/*
 * Settings that work but are risky: "path:line: warning: reason" in warns
 * (which are not errors). Returns the number added.
 */
int config_warnings(const struct config *c, struct errlist *warns);

/*
 * Keys under an old name that still works until the next release, for
 * --check: "path:line: warning: ..." in warns. At start the plugin that
 * reads the key warns instead. Returns the number added.
 */
int config_deprecations(const struct config *c, struct errlist *warns);

/*
 * Read a secret from the file a key names: the first line, without its
 * line ending. Returns a string the caller frees (and should wipe), or NULL
 * with a reason in errs. The secret itself is never put in a message.
 */
char *config_read_secret(const char *path, struct errlist *errs);

#endif
