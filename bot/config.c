/* config.c: the INI configuration, read with libinih, and the host's schema. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge.h"
#include "config.h"
#include "i18n.h"
#include "mask.h"
#include "metrics.h"
#include "util.h"

/* A configuration or secret file is small; a bigger one is a mistake. */
#define CONFIG_MAX_FILE (1024 * 1024)

void
errlist_add(struct errlist *l, const char *fmt, ...)
{
	va_list ap;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	va_start(ap, fmt);
	l->v[l->n++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void
errlist_free(struct errlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Trim isspace() characters (as inih does) from both ends, in place. */
static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static bool
has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	}
	return false;
}

/*
 * The whole of a small file, NUL-terminated, its length in *lenp. It is
 * read with read(2) into one buffer that is wiped whenever it moves, so a
 * secret read through here leaves no stray copies in freed memory.
 */
static char *
read_small_file(const char *path, size_t *lenp, struct errlist *errs)
{
	size_t cap = 4096, len = 0;
	char *buf, *bigger;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1) {
		errlist_add(errs, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(cap);
	for (;;) {
		if (len + 1 == cap) {
			if (cap > CONFIG_MAX_FILE) {
				errlist_add(errs, "%s: larger than %d bytes", path,
				    CONFIG_MAX_FILE);
				goto fail;
			}
			bigger = xmalloc(cap * 2);
			memcpy(bigger, buf, len);
			explicit_bzero(buf, cap);
			free(buf);
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			errlist_add(errs, "%s: cannot read: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;

fail:
	explicit_bzero(buf, cap);
	free(buf);
	close(fd);
	return NULL;
}

/* ---- the entries ---- */

static struct config_entry *
config_find(const struct config *c, const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct config_entry *e = &c->v[i];

		if (e->key != NULL && strcmp(e->key, key) == 0 &&
		    strcmp(e->section, section) == 0)
			return e;
	}
	return NULL;
}

/* A key NULL entry records where a section header stood. */
static void
config_append(struct config *c, const char *section, const char *key,
    const char *value, int line)
{
	struct config_entry *e;

	c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
	e = &c->v[c->n++];
	e->section = xstrdup(section);
	e->key = key != NULL ? xstrdup(key) : NULL;
	e->value = value != NULL ? xstrdup(value) : NULL;
	e->line = line;
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].section);
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	free(c->path);
	free(c);
}

const char *
config_get(const struct config *c, const char *section, const char *key)
{
	const struct config_entry *e = config_find(c, section, key);

	return e != NULL ? e->value : NULL;
}

int
config_line(const struct config *c, const char *section, const char *key)
{
	const struct config_entry *e = config_find(c, section, key);

	return e != NULL ? e->line : 0;
}

/* ---- reading, through inih ---- */

/*
 * The state of the reader that feeds inih one line per call. inih tells
 * neither line numbers, nor section headers, nor which lines it rejected,
 * so the reader keeps all three: it counts lines, takes [section] lines
 * itself, and notes each key line so that one the handler never saw is
 * reported as malformed.
 */
struct reader {
	struct config *c;
	struct errlist *errs;
	const char *p, *end;	/* input not yet read */
	int line;		/* the line inih is working on */
	int stored;		/* the last line the handler took */
	bool expect_key;	/* the current line should reach the handler */
	char *section;		/* the current section; NULL before any */
	bool bad_section;	/* under a malformed header: drop keys quietly */
};

static void reader_error(struct reader *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
reader_error(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	errlist_add(r->errs, "%s:%d: %s", r->c->path, r->line, msg);
	free(msg);
}

/* Called before each new line: did inih accept the previous one? */
static void
reader_check_stored(struct reader *r)
{
	if (r->expect_key && r->stored != r->line)
		reader_error(r, "expected 'key = value', '[section]' or a comment");
	r->expect_key = false;
}

/*
 * A "[name]" line, optionally followed by a comment. These never reach
 * inih: it keeps quiet about them and cuts names at 50 bytes.
 */
static void
reader_section(struct reader *r, const char *s, size_t len)
{
	const char *close = memchr(s, ']', len), *after;
	char *copy, *name;

	free(r->section);
	r->section = NULL;
	r->bad_section = true;
	if (close == NULL) {
		reader_error(r, "missing ']' after the section name");
		return;
	}
	for (after = close + 1; after < s + len; after++) {
		if (*after == ';' || *after == '#')
			break;
		if (!isspace((unsigned char)*after)) {
			reader_error(r, "unexpected text after ']'");
			return;
		}
	}
	copy = xstrndup(s + 1, (size_t)(close - s - 1));
	name = trim(copy);
	if (*name == '\0')
		reader_error(r, "empty section name");
	else {
		r->section = xstrdup(name);
		r->bad_section = false;
	}
	free(copy);
	if (r->section == NULL)
		return;
	config_append(r->c, r->section, NULL, NULL, r->line);
}

/*
 * inih's ini_reader, fgets-like: copies the next line, ending in "\n",
 * into buf. A line that would not fit, or is longer than CONFIG_MAX_LINE,
 * is reported and replaced by an empty line, so it is skipped whole
 * rather than cut.
 */
static char *
reader_next(char *buf, int size, void *arg)
{
	static const char bom[] = "\xef\xbb\xbf";
	struct reader *r = arg;
	const char *line, *nl, *s, *end;
	size_t len, max;

	reader_check_stored(r);
	if (r->p >= r->end || size < 2)
		return NULL;
	line = r->p;
	nl = memchr(line, '\n', (size_t)(r->end - line));
	len = (size_t)((nl != NULL ? nl : r->end) - line);
	r->p = nl != NULL ? nl + 1 : r->end;
	r->line++;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (r->line == 1 && len >= 3 && memcmp(line, bom, 3) == 0) {
		line += 3;
		len -= 3;
	}
	end = line + len;

	/* buf must hold the line, its "\n" and the NUL. */
	max = (size_t)size - 2 < CONFIG_MAX_LINE ? (size_t)size - 2 : CONFIG_MAX_LINE;
	buf[0] = '\n';
	buf[1] = '\0';
	if (len > max) {
		reader_error(r, "line too long (max %zu bytes)", max);
		return buf;
	}
	if (memchr(line, '\0', len) != NULL) {
		reader_error(r, "NUL byte in the line");
		return buf;
	}

	for (s = line; s < end && isspace((unsigned char)*s); s++)
		/* nothing */;
	if (s < end && *s == '[') {
		reader_section(r, s, (size_t)(end - s));
		return buf;
	}
	r->expect_key = s < end && *s != ';' && *s != '#';
	memcpy(buf, line, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	return buf;
}

/* inih's handler; `section` is always "" since headers never reach inih. */
static int
reader_store(void *arg, const char *section, const char *key, const char *value)
{
	struct reader *r = arg;
	struct config_entry *e;

	r->stored = r->line;
	if (r->bad_section)
		return 1;
	if (r->section == NULL) {
		reader_error(r, "'%s' is outside any [section]", key);
		return 1;
	}
	if (*key == '\0') {
		reader_error(r, "missing key before '='");
		return 1;
	}
	e = config_find(r->c, r->section, key);
	if (e != NULL) {
		reader_error(r, "%s.%s is also set on line %d; this later value wins",
		    r->section, key, e->line);
		free(e->value);
		e->value = xstrdup(value);
		e->line = r->line;
		return 1;
	}
	config_append(r->c, r->section, key, value, r->line);
	return 1;
}

/*
 * Debian's libinih 55 takes its build options from globals at run time
 * (ini_max_line and friends, a Debian addition to upstream's macros).
 * A heap buffer of CONFIG_MAX_LINE + 3 bytes replaces the 200-byte stack
 * one; multi-line values and inline comments are turned off so a value is
 * exactly what follows '=' on its own line ("pass;word" stays whole). The
 * globals are process-wide, so the old values are put back afterwards.
 */
static int
parse_with_inih(struct reader *r)
{
	static char comment_prefixes[] = ";#";
	bool use_stack = ini_use_stack, grow = ini_allow_realloc;
	bool multiline = ini_allow_multiline, inline_comments = ini_allow_inline_comments;
	bool no_value = ini_allow_no_value, stop = ini_stop_on_first_error;
	int max_line = ini_max_line, initial = ini_initial_alloc;
	char *prefixes = ini_start_comment_prefixes;
	int rc;

	ini_use_stack = false;
	ini_allow_realloc = false;
	ini_max_line = ini_initial_alloc = CONFIG_MAX_LINE + 3;
	ini_allow_multiline = false;
	ini_allow_inline_comments = false;
	ini_allow_no_value = false;
	ini_stop_on_first_error = false;
	ini_start_comment_prefixes = comment_prefixes;

	rc = ini_parse_stream(reader_next, r, reader_store, r);

	ini_use_stack = use_stack;
	ini_allow_realloc = grow;
	ini_max_line = max_line;
	ini_initial_alloc = initial;
	ini_allow_multiline = multiline;
	ini_allow_inline_comments = inline_comments;
	ini_allow_no_value = no_value;
	ini_stop_on_first_error = stop;
	ini_start_comment_prefixes = prefixes;
	return rc;
}

struct config *
config_load_buffer(const char *name, const char *data, size_t len,
    struct errlist *errs)
{
	struct config *c = xcalloc(1, sizeof *c);
	struct reader r = { .c = c, .errs = errs, .p = data, .end = data + len };
	int rc;

	c->path = xstrdup(name);
	rc = parse_with_inih(&r);
	reader_check_stored(&r);
	free(r.section);
	if (rc == -2) {
		/* inih's own malloc of its line buffer failed. */
		errlist_add(errs, "%s: out of memory", name);
		config_free(c);
		return NULL;
	}
	return c;
}

struct config *
config_load(const char *path, struct errlist *errs)
{
	struct config *c;
	size_t len;
	char *data;

	if ((data = read_small_file(path, &len, errs)) == NULL)
		return NULL;
	c = config_load_buffer(path, data, len, errs);
	free(data);
	return c;
}

/* ---- typed values ---- */

static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Plain decimal digits, optionally negative: no '+', spaces, hex or octal. */
static int
parse_long(const char *v, long min, long max, long *out)
{
	const char *d = *v == '-' ? v + 1 : v;
	long n;

	if (*d == '\0' || strspn(d, "0123456789") != strlen(d))
		return -1;
	errno = 0;
	n = strtol(v, NULL, 10);
	if (errno != 0 || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* Digits with at most one '.', so strtod's hex, inf and nan stay out. */
static int
parse_double(const char *v, double min, double max, double *out)
{
	static const char digits[] = "0123456789";
	const char *d = *v == '-' ? v + 1 : v;
	size_t whole = strspn(d, digits), frac = 0, n = whole;
	double x;

	if (d[n] == '.') {
		frac = strspn(d + n + 1, digits);
		n += 1 + frac;
	}
	if (d[n] != '\0' || whole + frac == 0)
		return -1;
	x = strtod(v, NULL);
	if (!(x >= min && x <= max))
		return -1;
	*out = x;
	return 0;
}

static char *
why_bool(void)
{
	return xstrdup("must be yes or no");
}

static char *
why_long(long min, long max)
{
	return xasprintf("must be a number from %ld to %ld", min, max);
}

static char *
why_double(double min, double max)
{
	return xasprintf("must be a decimal number from %g to %g", min, max);
}

/* Adds "path:line: section.key: why" and frees why. */
static void
entry_error(const struct config *c, const struct config_entry *e, char *why,
    struct errlist *errs)
{
	errlist_add(errs, "%s:%d: %s.%s: %s", c->path, e->line, e->section, e->key, why);
	free(why);
}

int
config_bool(const struct config *c, const char *section, const char *key,
    bool def, bool *out, struct errlist *errs)
{
	const struct config_entry *e = config_find(c, section, key);

	*out = def;
	if (e == NULL || parse_bool(e->value, out) == 0)
		return 0;
	entry_error(c, e, why_bool(), errs);
	return -1;
}

int
config_long(const struct config *c, const char *section, const char *key,
    long def, long min, long max, long *out, struct errlist *errs)
{
	const struct config_entry *e = config_find(c, section, key);

	*out = def;
	if (e == NULL || parse_long(e->value, min, max, out) == 0)
		return 0;
	entry_error(c, e, why_long(min, max), errs);
	return -1;
}

int
config_double(const struct config *c, const char *section, const char *key,
    double def, double min, double max, double *out, struct errlist *errs)
{
	const struct config_entry *e = config_find(c, section, key);

	*out = def;
	if (e == NULL || parse_double(e->value, min, max, out) == 0)
		return 0;
	entry_error(c, e, why_double(min, max), errs);
	return -1;
}

/* ---- the host's schema ---- */

/*
 * A key of a host section and how its value is checked: `check` returns
 * NULL when the value is good, else a reason the caller frees.
 */
struct key_rule {
	const char *key;
	char *(*check)(const char *value, const struct key_rule *rule);
	double min, max;	/* for numbers */
	bool required;
};

static char *
check_bool(const char *v, const struct key_rule *rule)
{
	bool b;

	return parse_bool(v, &b) == 0 ? NULL : why_bool();
}

static char *
check_long(const char *v, const struct key_rule *rule)
{
	long n;

	if (parse_long(v, (long)rule->min, (long)rule->max, &n) == 0)
		return NULL;
	return why_long((long)rule->min, (long)rule->max);
}

static char *
check_double(const char *v, const struct key_rule *rule)
{
	double x;

	if (parse_double(v, rule->min, rule->max, &x) == 0)
		return NULL;
	return why_double(rule->min, rule->max);
}

/* One non-empty word: a host name, an account name. */
static char *
check_word(const char *v, const struct key_rule *rule)
{
	if (*v == '\0' || strchr(v, ' ') != NULL || has_control(v))
		return xstrdup("must be one word, without spaces");
	return NULL;
}

/*
 * Free text sent to the server: a control character would end or garble
 * the line, and '%' is refused as it is in nicks.
 */
static char *
check_text(const char *v, const struct key_rule *rule)
{
	if (strchr(v, '%') != NULL || has_control(v))
		return xstrdup("must not contain '%' or control characters");
	return NULL;
}

static char *
check_path(const char *v, const struct key_rule *rule)
{
	if (*v == '\0' || has_control(v))
		return xstrdup("must be a path, without control characters");
	return NULL;
}

/* The file must be readable now, rather than failing at connect time. */
static char *
check_file(const char *v, const struct key_rule *rule)
{
	struct stat st;
	int fd;

	if (*v == '\0')
		return xstrdup("must name a file");
	/* O_NONBLOCK: opening a FIFO must not hang the check. */
	/*
	 * The value is left out of the message: someone may have typed the
	 * secret itself where its file's name belongs.
	 */
	if ((fd = open(v, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return xasprintf("cannot read the file it names: %s", strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return xstrdup("the file it names is not a regular file");
	}
	close(fd);
	return NULL;
}

/* RFC 2812 nick characters: letters, digits and []\`_^{|}- */
static bool
is_nick_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || (ch != '\0' && strchr("[]\\`_^{|}-", ch) != NULL);
}

static bool
all_nick_chars(const char *v)
{
	for (; *v != '\0'; v++) {
		if (!is_nick_char(*v))
			return false;
	}
	return true;
}

static char *
check_nick(const char *v, const struct key_rule *rule)
{
	if (*v == '\0' || strlen(v) > 30 || !all_nick_chars(v) ||
	    (*v >= '0' && *v <= '9') || *v == '-')
		return xstrdup("must be a nick of at most 30 letters, digits or "
		    "[]\\`_^{|}-, not starting with a digit or '-'");
	return NULL;
}

static char *
check_user(const char *v, const struct key_rule *rule)
{
	if (*v == '\0' || !all_nick_chars(v))
		return xstrdup("must be letters, digits or []\\`_^{|}-");
	return NULL;
}

static char *
check_prefix(const char *v, const struct key_rule *rule)
{
	size_t n = strlen(v);

	if (n < 1 || n > 3 || strchr(v, ' ') != NULL || has_control(v))
		return xstrdup("must be 1 to 3 characters, without spaces");
	return NULL;
}

static char *
check_address(const char *v, const struct key_rule *rule)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, v, addr) == 1 || inet_pton(AF_INET6, v, addr) == 1)
		return NULL;
	return xstrdup("must be a numeric IPv4 or IPv6 address");
}

static char *
check_url(const char *v, const struct key_rule *rule)
{
	size_t n = strncmp(v, "https://", 8) == 0 ? 8 : strncmp(v, "http://", 7) == 0 ? 7 : 0;

	if (n == 0 || v[n] == '\0' || strchr(v, ' ') != NULL || has_control(v))
		return xstrdup("must be an http:// or https:// URL");
	return NULL;
}

/*
 * Checks each item of a list separated by `sep`, trimmed. An empty value is
 * an empty list; an empty item between commas is a mistake, extra spaces
 * between space-separated items are not.
 */
static char *
check_items(const char *v, char sep, char *(*check_item)(char *item))
{
	char seps[2] = { sep, '\0' };
	char *list, *rest, *item, *why = NULL;

	if (*v == '\0')
		return NULL;
	rest = list = xstrdup(v);
	while (why == NULL && (item = strsep(&rest, seps)) != NULL) {
		item = trim(item);
		if (*item != '\0')
			why = check_item(item);
		else if (sep != ' ')
			why = xstrdup("has an empty item");
	}
	free(list);
	return why;
}

/* "#chan" or "#chan key". */
static char *
check_channel_item(char *item)
{
	char *key = strchr(item, ' ');

	if (key != NULL) {
		*key = '\0';
		key = trim(key + 1);
	}
	if ((*item != '#' && *item != '&') || item[1] == '\0' || has_control(item))
		return xasprintf("'%s' is not a channel: it starts with # or &, "
		    "without spaces, commas or control characters", item);
	if (key != NULL && (strchr(key, ' ') != NULL || has_control(key)))
		return xasprintf("the key of %s must be one word", item);
	return NULL;
}

static char *
check_channels(const char *v, const struct key_rule *rule)
{
	return check_items(v, ',', check_channel_item);
}

static char *
check_mask_item(char *item)
{
	if (mask_valid(item))
		return NULL;
	return xasprintf("'%s' is not a mask: nick!user@host or account:NAME", item);
}

static char *
check_masks(const char *v, const struct key_rule *rule)
{
	return check_items(v, ',', check_mask_item);
}

static char *
check_plugin_item(char *item)
{
	if (strspn(item, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(item))
		return NULL;
	return xasprintf("'%s' is not a plugin name: a-z, 0-9 and _", item);
}

static char *
check_plugins(const char *v, const struct key_rule *rule)
{
	return check_items(v, ' ', check_plugin_item);
}

/* Networks allowed to read /metrics: "127.0.0.0/8, ::1/128". */
static char *
check_cidrs(const char *v, const struct key_rule *rule)
{
	char err[160];

	if (metrics_check_from(v, err, sizeof err) == -1)
		return xasprintf("must be a comma-separated list of networks "
		    "(address/prefix length): %s", err);
	return NULL;
}

/* [bridge] relays: masks, each more than a nick (anyone can take a nick). */
static char *
check_relays(const char *v, const struct key_rule *rule)
{
	char err[256];

	if (bridge_relays_check(v, err, sizeof err) < 0)
		return xstrdup(err);
	return NULL;
}

static char *
check_formats(const char *v, const struct key_rule *rule)
{
	struct bridge_formats f;
	char err[256];

	if (bridge_compile(v, false, &f, err, sizeof err) < 0)
		return xstrdup(err);
	bridge_formats_free(&f);
	return NULL;
}

static char *
check_preludes(const char *v, const struct key_rule *rule)
{
	struct bridge_formats f;
	char err[256];

	if (bridge_compile(v, true, &f, err, sizeof err) < 0)
		return xstrdup(err);
	bridge_formats_free(&f);
	return NULL;
}

/* [bot] language: one of the languages there are. */
static char *
check_language(const char *v, const struct key_rule *rule)
{
	if (i18n_lang(v) == NULL)
		return xasprintf("must be one of %s", I18N_LANGS);
	return NULL;
}

/* [bot] channel_languages: "#chan fr, #other en". */
static char *
check_channel_languages(const char *v, const struct key_rule *rule)
{
	char err[160];

	if (i18n_check_channels(v, err, sizeof err) < 0)
		return xstrdup(err);
	return NULL;
}

#define RULE(key, check) { key, check, 0, 0, false }
#define REQUIRED(key, check) { key, check, 0, 0, true }
#define RANGE(key, check, min, max) { key, check, min, max, false }

static const struct key_rule irc_rules[] = {
	REQUIRED("server", check_word),
	RANGE("port", check_long, 1, 65535),	/* default 6667, or 6697 with tls */
	RULE("tls", check_bool),
	RULE("tls_ca_file", check_file),
	RULE("tls_verify", check_bool),
	REQUIRED("nick", check_nick),
	RULE("username", check_user),
	RULE("realname", check_text),
	RULE("channels", check_channels),
	RANGE("flood_burst", check_long, 1, 100),
	RANGE("flood_rate", check_double, 0.1, 100),
	RULE("sasl_user", check_word),
	RULE("sasl_password_file", check_file),
	RULE("sasl_required", check_bool),
	RULE(NULL, NULL),
};

static const struct key_rule bot_rules[] = {
	RULE("prefix", check_prefix),
	RULE("owners", check_masks),
	RULE("plugins", check_plugins),
	RULE("plugin_dir", check_path),
	RANGE("command_burst", check_long, 1, 100),
	RANGE("command_rate", check_double, 0.05, 100),
	RULE("language", check_language),
	RULE("channel_languages", check_channel_languages),
	RULE(NULL, NULL),
};

static const struct key_rule store_rules[] = {
	RULE("path", check_path),
	RULE("group_commits", check_bool),
	RULE(NULL, NULL),
};

static const struct key_rule http_rules[] = {
	RULE("listen", check_address),
	RANGE("port", check_long, 0, 65535),
	RULE("base_url", check_url),
	RANGE("max_connections", check_long, 1, 512),	/* HTTP_LIMIT_MAX */
	RANGE("max_per_ip", check_long, 0, 512),
	RANGE("header_timeout", check_long, 1, 300),
	RANGE("idle_timeout", check_long, 1, 3600),
	RULE("metrics_from", check_cidrs),
	RULE("chat_url", check_url),	/* a web chat, linked from the events page */
	RULE(NULL, NULL),
};

static const struct key_rule bridge_rules[] = {
	RULE("relays", check_relays),
	RULE("formats", check_formats),
	RULE("preludes", check_preludes),
	RULE(NULL, NULL),
};

static const struct {
	const char *name;
	const struct key_rule *rules;
} host_sections[] = {
	{ "irc", irc_rules },
	{ "bot", bot_rules },
	{ "store", store_rules },
	{ "http", http_rules },
	{ "bridge", bridge_rules },
};

void
config_host_keys(void (*fn)(const char *section, const char *key, void *arg), void *arg)
{
	const struct key_rule *rule;
	size_t i;

	for (i = 0; i < nitems(host_sections); i++) {
		for (rule = host_sections[i].rules; rule->key != NULL; rule++)
			fn(host_sections[i].name, rule->key, arg);
	}
}

static const struct key_rule *
host_rules(const char *section)
{
	size_t i;

	for (i = 0; i < nitems(host_sections); i++) {
		if (strcmp(host_sections[i].name, section) == 0)
			return host_sections[i].rules;
	}
	return NULL;
}

static const struct config_section *
extra_section(const char *section, const struct config_section *extra, size_t nextra)
{
	size_t i;

	for (i = 0; i < nextra; i++) {
		if (strcmp(extra[i].name, section) == 0)
			return &extra[i];
	}
	return NULL;
}

/* Checks one key=value entry of a known section. */
static void
validate_entry(const struct config *c, const struct config_entry *e,
    const struct key_rule *rules, const struct config_section *plugin,
    struct errlist *errs)
{
	const struct key_rule *rule;
	const char *const *k;
	char *why;

	if (rules != NULL) {
		for (rule = rules; rule->key != NULL; rule++) {
			if (strcmp(rule->key, e->key) == 0)
				break;
		}
		if (rule->key == NULL)
			goto unknown;
		if ((why = rule->check(e->value, rule)) != NULL)
			entry_error(c, e, why, errs);
		return;
	}
	/* A plugin's values are its own to check. */
	for (k = plugin->keys; k != NULL && *k != NULL; k++) {
		if (strcmp(*k, e->key) == 0)
			return;
	}
unknown:
	errlist_add(errs, "%s:%d: unknown key '%s' in [%s]", c->path, e->line, e->key,
	    e->section);
}

int
config_validate(const struct config *c, const struct config_section *extra,
    size_t nextra, struct errlist *errs)
{
	size_t before = errs->n, i;
	const struct key_rule *rules, *rule;
	const struct config_section *plugin;

	for (i = 0; i < c->n; i++) {
		const struct config_entry *e = &c->v[i];

		rules = host_rules(e->section);
		plugin = rules == NULL ? extra_section(e->section, extra, nextra) : NULL;
		if (rules == NULL && plugin == NULL) {
			/* Once, at the header; its keys would only repeat it. */
			if (e->key == NULL)
				errlist_add(errs, "%s:%d: unknown section [%s]", c->path,
				    e->line, e->section);
			continue;
		}
		if (e->key != NULL)
			validate_entry(c, e, rules, plugin, errs);
	}
	for (i = 0; i < nitems(host_sections); i++) {
		for (rule = host_sections[i].rules; rule->key != NULL; rule++) {
			if (rule->required &&
			    config_find(c, host_sections[i].name, rule->key) == NULL)
				errlist_add(errs, "%s: missing [%s] %s", c->path,
				    host_sections[i].name, rule->key);
		}
	}
	return (int)(errs->n - before);
}

/* Is the host of an http(s) URL a loopback name or address, so nothing it is sent leaves the machine? */
static bool
url_host_loopback(const char *url)
{
	const char *p = strstr(url, "://"), *end, *at;
	char host[256];
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;

	if (p == NULL)
		return false;
	p += 3;
	end = p + strcspn(p, "/?#");
	if ((at = memchr(p, '@', (size_t)(end - p))) != NULL)
		p = at + 1;
	if (*p == '[') {
		p++;
		n = strcspn(p, "]");
	} else {
		n = strcspn(p, ":/?#");
	}
	if (n == 0 || n >= sizeof host)
		return false;
	memcpy(host, p, n);
	host[n] = '\0';
	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int
config_warnings(const struct config *c, struct errlist *warns)
{
	const char *url = config_get(c, "calendars", "publish_url"),
	    *user = config_get(c, "calendars", "publish_user");
	size_t before = warns->n;

	/* Basic auth: the password is in every request, readable on the way over plain http. */
	if (url != NULL && strncasecmp(url, "http://", 7) == 0 && user != NULL &&
	    user[0] != '\0' && !url_host_loopback(url))
		errlist_add(warns, "%s:%d: warning: [calendars] publish_url is http:// and "
		    "publish_user is set: the password would cross the network in clear; use "
		    "https://", c->path, config_line(c, "calendars", "publish_url"));
	return (int)(warns->n - before);
}

int
config_deprecations(const struct config *c, struct errlist *warns)
{
	static const char *const moved[] = { "import_allow_private", "import_timeout" };
	size_t i, before = warns->n;

	for (i = 0; i < sizeof moved / sizeof moved[0]; i++)
		if (config_get(c, "calendars", moved[i]) != NULL)
			errlist_add(warns, "%s:%d: warning: [calendars] %s is now [events] %s; the "
			    "old name works until the next release", c->path,
			    config_line(c, "calendars", moved[i]), moved[i], moved[i]);
	return (int)(warns->n - before);
}

char *
config_read_secret(const char *path, struct errlist *errs)
{
	size_t len, n;
	char *buf;

	if ((buf = read_small_file(path, &len, errs)) == NULL)
		return NULL;
	n = strcspn(buf, "\r\n");
	explicit_bzero(buf + n, len - n);
	if (n == 0) {
		errlist_add(errs, "%s: the first line is empty", path);
		free(buf);
		return NULL;
	}
	return buf;
}
