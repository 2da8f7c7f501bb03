/*
 * config_keys.c: the host's schema (which keys each of its sections holds and
 * how their values are checked), the plugins' declared keys, and the checks
 * `convene --check` runs over a whole file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge.h"
#include "config.h"
#include "config_priv.h"
#include "i18n.h"
#include "mask.h"
#include "metrics.h"
#include "util.h"

/* ---- the host's schema ---- */

/*
 * A key of a host section and how its value is checked: `check` returns
 * NULL when the value is good, else a reason the caller frees.
 */
struct key_rule {
	const char *key;
	char *(*check)(const char *value, const struct key_rule *rule);
	double min, max; /* for numbers */
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
	size_t n = strncmp(v, "https://", 8) == 0 ? 8 :
	    strncmp(v, "http://", 7) == 0         ? 7 :
	                                            0;

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
		                 "without spaces, commas or control characters",
		    item);
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
		                 "(address/prefix length): %s",
		    err);
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

#define RULE(key, check)                \
	{                               \
		key, check, 0, 0, false \
	}
#define REQUIRED(key, check)           \
	{                              \
		key, check, 0, 0, true \
	}
#define RANGE(key, check, min, max)         \
	{                                   \
		key, check, min, max, false \
	}

static const struct key_rule irc_rules[] = {
	REQUIRED("server", check_word),
	RANGE("port", check_long, 1, 65535), /* default 6667, or 6697 with tls */
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
	RANGE("max_connections", check_long, 1, 512), /* HTTP_LIMIT_MAX */
	RANGE("max_per_ip", check_long, 0, 512),
	RANGE("header_timeout", check_long, 1, 300),
	RANGE("idle_timeout", check_long, 1, 3600),
	RULE("metrics_from", check_cidrs),
	RULE("chat_url", check_url), /* a web chat, linked from the events page */
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
    const struct key_rule *rules, const struct config_section *plugin, struct errlist *errs)
{
	const struct key_rule *rule;
	const struct cv_config_key *t;
	const char *const *k;
	long long n;
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
	/* A plugin's typed keys are checked as it declares them; the others are its own to check. */
	if ((t = config_key_find(plugin->typed, e->key)) != NULL) {
		if (t->type != CV_KEY_STRING && config_key_parse(t, e->value, &n) < 0)
			entry_error(c, e, config_key_why(t), errs);
		return;
	}
	for (k = plugin->keys; k != NULL && *k != NULL; k++) {
		if (strcmp(*k, e->key) == 0)
			return;
	}
unknown:
	errlist_add(errs, "%s:%d: unknown key '%s' in [%s]", c->path, e->line, e->key,
	    e->section);
}

int
config_validate(const struct config *c, const struct config_section *extra, size_t nextra,
    struct errlist *errs)
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

const struct cv_config_key *
config_key_find(const struct cv_config_key *keys, const char *key)
{
	for (; keys != NULL && keys->key != NULL; keys++) {
		if (strcmp(keys->key, key) == 0)
			return keys;
	}
	return NULL;
}

int
config_validate_typed(const struct config *c, const char *section,
    const struct cv_config_key *keys, struct errlist *errs)
{
	const struct cv_config_key *t;
	size_t before = errs->n, i;
	long long n;

	for (i = 0; i < c->n; i++) {
		const struct config_entry *e = &c->v[i];

		if (e->key == NULL || strcmp(e->section, section) != 0 ||
		    (t = config_key_find(keys, e->key)) == NULL || t->type == CV_KEY_STRING)
			continue;
		if (config_key_parse(t, e->value, &n) < 0)
			entry_error(c, e, config_key_why(t), errs);
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
		errlist_add(warns,
		    "%s:%d: warning: [calendars] publish_url is http:// and "
		    "publish_user is set: the password would cross the network in clear; use "
		    "https://",
		    c->path, config_line(c, "calendars", "publish_url"));
	return (int)(warns->n - before);
}

int
config_deprecations(const struct config *c, struct errlist *warns)
{
	static const char *const moved[] = { "import_allow_private", "import_timeout" };
	size_t i, before = warns->n;

	for (i = 0; i < sizeof moved / sizeof moved[0]; i++)
		if (config_get(c, "calendars", moved[i]) != NULL)
			errlist_add(warns,
			    "%s:%d: warning: [calendars] %s is now [events] %s; the "
			    "old name works until the next release",
			    c->path, config_line(c, "calendars", moved[i]), moved[i],
			    moved[i]);
	return (int)(warns->n - before);
}
