/*
 * config.c: the INI configuration, read with libinih, with line numbers, and
 * its typed values. The schemas are in config_keys.c.
 */
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
#include "config_priv.h"
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
char *
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

bool
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

struct config_entry *
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
config_append(struct config *c, const char *section, const char *key, const char *value,
    int line)
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
	const char *p, *end; /* input not yet read */
	int line;            /* the line inih is working on */
	int stored;          /* the last line the handler took */
	bool expect_key;     /* the current line should reach the handler */
	char *section;       /* the current section; NULL before any */
	bool bad_section;    /* under a malformed header: drop keys quietly */
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
config_load_buffer(const char *name, const char *data, size_t len, struct errlist *errs)
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

int
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
int
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
int
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

char *
why_bool(void)
{
	return xstrdup("must be yes or no");
}

char *
why_long(long min, long max)
{
	return xasprintf("must be a number from %ld to %ld", min, max);
}

char *
why_double(double min, double max)
{
	return xasprintf("must be a decimal number from %g to %g", min, max);
}

/* Adds "path:line: section.key: why" and frees why. */
void
entry_error(const struct config *c, const struct config_entry *e, char *why,
    struct errlist *errs)
{
	errlist_add(errs, "%s:%d: %s.%s: %s", c->path, e->line, e->section, e->key, why);
	free(why);
}

int
config_bool(const struct config *c, const char *section, const char *key, bool def,
    bool *out, struct errlist *errs)
{
	const struct config_entry *e = config_find(c, section, key);

	*out = def;
	if (e == NULL || parse_bool(e->value, out) == 0)
		return 0;
	entry_error(c, e, why_bool(), errs);
	return -1;
}

int
config_long(const struct config *c, const char *section, const char *key, long def,
    long min, long max, long *out, struct errlist *errs)
{
	const struct config_entry *e = config_find(c, section, key);

	*out = def;
	if (e == NULL || parse_long(e->value, min, max, out) == 0)
		return 0;
	entry_error(c, e, why_long(min, max), errs);
	return -1;
}

int
config_double(const struct config *c, const char *section, const char *key, double def,
    double min, double max, double *out, struct errlist *errs)
{
	const struct config_entry *e = config_find(c, section, key);

	*out = def;
	if (e == NULL || parse_double(e->value, min, max, out) == 0)
		return 0;
	entry_error(c, e, why_double(min, max), errs);
	return -1;
}

/* ---- plugins' typed keys ---- */

/*
 * Seconds: numbers each followed by a unit, w d h m s, each at most once and
 * in that order ("1h30m"); a bare number is seconds. Up to 10 years.
 */
int
parse_duration(const char *v, long long *out)
{
	static const struct {
		char unit;
		long long s;
	} units[] = {
		{ 'w', 7 * 86400 },
		{ 'd', 86400 },
		{ 'h', 3600 },
		{ 'm', 60 },
		{ 's', 1 },
	};
	const long long most = 3650LL * 86400;
	long long total = 0, n;
	size_t next = 0, digits;

	if (*v == '\0')
		return -1;
	while (*v != '\0') {
		if ((digits = strspn(v, "0123456789")) == 0 || digits > 10)
			return -1;
		for (n = 0; digits > 0; digits--)
			n = n * 10 + (*v++ - '0');
		if (*v == '\0' && next == 0) {
			total = n; /* a bare number */
			break;
		}
		while (next < nitems(units) && units[next].unit != *v)
			next++;
		if (next == nitems(units))
			return -1;
		total += n * units[next++].s;
		v++;
		if (total > most)
			return -1;
	}
	if (total > most)
		return -1;
	*out = total;
	return 0;
}

int
config_key_parse(const struct cv_config_key *k, const char *value, long long *out)
{
	bool b;
	long n;

	switch (k->type) {
	case CV_KEY_BOOL:
		if (parse_bool(value, &b) < 0)
			return -1;
		*out = b;
		return 0;
	case CV_KEY_INT:
		if (parse_long(value, (long)k->min, (long)k->max, &n) < 0)
			return -1;
		*out = n;
		return 0;
	case CV_KEY_DURATION:
		if (parse_duration(value, out) < 0 || *out < k->min || *out > k->max)
			return -1;
		return 0;
	case CV_KEY_STRING:
		break;
	}
	return -1;
}

char *
config_key_why(const struct cv_config_key *k)
{
	if (k->why != NULL)
		return xstrdup(k->why);
	switch (k->type) {
	case CV_KEY_BOOL:
		return why_bool();
	case CV_KEY_INT:
		return why_long((long)k->min, (long)k->max);
	case CV_KEY_DURATION:
		return xasprintf("must be a duration from %llds to %llds (e.g. 90s, 30m, 1h30m)",
		    k->min, k->max);
	case CV_KEY_STRING:
		break;
	}
	return xstrdup("is not a valid value");
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
