/* main.c: start-up, signals, reload and shutdown of the convene host. */
#include <sys/signalfd.h>

#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "cmd.h"
#include "config.h"
#include "fetch.h"
#include "host.h"
#include "http.h"
#include "i18n.h"
#include "metrics.h"
#include "link.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "plugin.h"
#include "settings.h"
#include "store.h"
#include "util.h"

static const char *config_path;
static int exit_code;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: convene -c FILE [--check]\n"
	    "       convene --list-keys [-c FILE]\n"
	    "       convene --help | --version\n"
	    "\n"
	    "  -c, --config FILE  the INI configuration\n"
	    "      --check        validate the configuration and exit (non-zero on errors)\n"
	    "      --list-keys    print every key --check accepts, as 'section key' lines\n"
	    "  -h, --help         this text\n"
	    "  -V, --version      the version\n");
}

/* ---- configuration: plugins, [bot] settings ---- */

/* The plugins to run: [bot] plugins, or every plugin that ships. */
static char **
wanted_plugins(const struct config *c)
{
	const char *list = config_get(c, "bot", "plugins");
	char **names = NULL, *copy, *tok, *save = NULL;
	size_t n = 0;

	if (list == NULL)
		return plugin_available();
	copy = xstrdup(list);
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		names = xrealloc(names, (n + 2) * sizeof *names);
		names[n++] = xstrdup(tok);
	}
	free(copy);
	names = xrealloc(names, (n + 1) * sizeof *names);
	names[n] = NULL;
	return names;
}

static void
set_plugin_dir(const struct config *c)
{
	const char *d = config_get(c, "bot", "plugin_dir");

	if (d != NULL && d[0] != '/') {
		/* Relative to the config file, never to the working directory. */
		char *copy = xstrdup(c->path), *slash = strrchr(copy, '/'), *full;

		if (slash != NULL)
			*slash = '\0';
		full = xasprintf("%s/%s", slash ? copy : ".", d);
		plugin_set_dir(full);
		free(full);
		free(copy);
	} else if (d != NULL) {
		plugin_set_dir(d);
	} else {
		char *def = plugin_default_dir();

		plugin_set_dir(def);
		free(def);
	}
}

/*
 * Validate c, with the sections of the plugins it would load. Returns the
 * number of errors; messages in errs.
 */
static int
validate(const struct config *c, struct errlist *errs)
{
	char **names = wanted_plugins(c);
	struct config_section *extra = NULL;
	size_t i, n = 0;
	char err[256];
	int bad;

	for (i = 0; names[i] != NULL; i++) {
		const struct cv_plugin_desc *d = plugin_peek(names[i], err, sizeof err);

		if (d == NULL) {
			int line = config_line(c, "bot", "plugins");

			if (line > 0)
				errlist_add(errs, "%s:%d: [bot] plugins: %s", c->path,
				    line, err);
			else
				errlist_add(errs, "%s: plugin '%s': %s", c->path,
				    names[i], err);
			continue;
		}
		extra = xrealloc(extra, (n + 1) * sizeof *extra);
		extra[n].name = d->name;
		extra[n].keys = d->config_keys;
		extra[n].typed = plugin_typed_keys(d);
		n++;
	}
	bad = config_validate(c, extra, n, errs);
	free(extra);
	plugin_names_free(names);
	plugin_peek_close();
	return bad;
}

static void
apply_bot_settings(const struct config *c)
{
	struct errlist errs = { 0 };
	long burst;
	double rate;
	const char *prefix = config_get(c, "bot", "prefix");
	char err[256];

	config_long(c, "bot", "command_burst", 5, 1, 100, &burst, &errs);
	config_double(c, "bot", "command_rate", 1.0, 0.05, 100, &rate, &errs);
	cmd_set_limit(burst, rate);
	cmd_set_prefix(prefix ? prefix : "!");
	host_set_owners(config_get(c, "bot", "owners"));
	i18n_set_default(config_get(c, "bot", "language"));
	if (i18n_set_channels(config_get(c, "bot", "channel_languages"), err, sizeof err) <
	    0)
		log_error("[bot] channel_languages: %s", err);
	if (bridge_configure(config_get(c, "bridge", "relays"),
	        config_get(c, "bridge", "formats"), config_get(c, "bridge", "preludes"),
	        err, sizeof err) < 0)
		log_error("[bridge]: %s; relayed people are not heard", err);
	errlist_free(&errs);
}

static void
load_plugins(const struct config *c)
{
	char **names = wanted_plugins(c), err[256];
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (plugin_find(names[i]) == NULL)
			plugin_load(names[i], err, sizeof err); /* logged; the bot runs on */
	plugin_names_free(names);
}

/* ---- the link's events ---- */

/*
 * A relay's line: a relayed person's message when it matches a format (or
 * follows a prelude), else nothing: the relay itself runs no commands, and
 * what it says in private or about joins and nick changes is not for us.
 */
static void
on_relayed(const char *origin, const char *target, const char *text)
{
	struct bridge_said said;
	struct cv_person who = { .mask = "", .role = CV_ROLE_MEMBER };

	if (!link_is_channel(target) ||
	    bridge_line(origin, target, text, loop_now(), link_casemap(), &said) != 1)
		return;
	who.nick = said.nick;
	who.id = said.id;
	who.via = target;
	cmd_relayed(&who, target, said.text, origin);
}

static void
on_message(const char *origin, const char *account, const char *target, const char *text)
{
	struct cv_person who;
	char id[160], nick[64];

	if (strchr(origin, '!') == NULL)
		return; /* a server, not a person */
	if (bridge_enabled() && bridge_is_relay(origin, account, link_casemap())) {
		on_relayed(origin, target, text);
		return;
	}
	host_person(&who, origin, account, id, sizeof id, nick, sizeof nick);
	cmd_message(&who, link_is_channel(target) ? target : NULL, text);
}

static void
on_seen(const char *origin, const char *account)
{
	struct cv_person who;
	char id[160], nick[64];

	if (strchr(origin, '!') == NULL)
		return;
	host_person(&who, origin, account, id, sizeof id, nick, sizeof nick);
	bus_publish(CV_TOPIC_PERSON_SEEN, &who);
}

static void
on_gone(const char *nick)
{
	struct cv_person who;
	char id[160], n[64];

	host_person(&who, nick, NULL, id, sizeof id, n, sizeof n);
	bus_publish(CV_TOPIC_PERSON_GONE, &who);
}

static void
on_registered(void)
{
	bus_publish(CV_TOPIC_CONNECTED, NULL);
}

static const struct link_handler handler = {
	.registered = on_registered,
	.message = on_message,
	.seen = on_seen,
	.gone = on_gone,
};

/* ---- signals ---- */

static void
quit_done(void)
{
	loop_stop();
}

static void
reload(void)
{
	struct errlist errs = { 0 };
	struct config *c = config_load(config_path, &errs), *old;
	struct link_conf lc;
	char **names, err[256];
	size_t i;

	log_info("SIGHUP: reading %s again", config_path);
	if (c == NULL || link_conf_from(c, &lc, &errs) < 0) {
		for (i = 0; i < errs.n; i++)
			log_error("%s", errs.v[i]);
		log_error("configuration not reloaded: the running one stays");
		config_free(c);
		errlist_free(&errs);
		return;
	}
	/* Plugins loaded from the old folder stay; new ones come from the new one. */
	set_plugin_dir(c);
	validate(c, &errs);
	for (i = 0; i < errs.n; i++)
		log_warn("%s", errs.v[i]);
	errlist_free(&errs);
	old = (struct config *)host_config();
	host_set_config(c);
	apply_bot_settings(c);
	http_set_base_url(config_get(c, "http", "base_url"));
	link_reconfigure(&lc);
	link_conf_free(&lc);
	/* Plugins no longer wanted go; new ones come. */
	names = wanted_plugins(c);
	for (i = 0; plugin_at(i) != NULL;) {
		struct cv_plugin *p = plugin_at(i);
		size_t j;
		bool keep = false;

		for (j = 0; names[j] != NULL; j++)
			keep |= strcmp(names[j], p->name) == 0;
		if (!keep)
			plugin_unload(p->name, err, sizeof err);
		else
			i++;
	}
	plugin_names_free(names);
	load_plugins(c);
	config_free(old);
}

static void
on_signal(void *arg, int fd, short revents)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGHUP) {
			reload();
		} else {
			log_info("signal %u: quitting", si.ssi_signo);
			link_quit("Convene is shutting down", quit_done);
		}
	}
}

static int
setup_signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -1;
	loop_watch(fd, POLLIN, on_signal, NULL);
	return fd;
}

/* ---- main ---- */

static int
check(const char *path)
{
	struct errlist errs = { 0 };
	struct config *c = config_load(path, &errs);
	struct link_conf lc;
	const char *warning;
	size_t i;
	int bad = (int)errs.n;

	if (c != NULL) {
		set_plugin_dir(c);
		bad += validate(c, &errs);
		if (link_conf_from(c, &lc, &errs) == 0) {
			if ((warning = link_conf_warning(&lc)) != NULL)
				fprintf(stderr, "%s: warning: %s\n", path, warning);
			link_conf_free(&lc);
		}
	}
	/* One message per problem, whichever check found it first. */
	for (i = 0; i < errs.n; i++) {
		size_t j;
		bool dup = false;

		for (j = 0; j < i; j++)
			dup |= strcmp(errs.v[i], errs.v[j]) == 0;
		if (!dup)
			fprintf(stderr, "%s\n", errs.v[i]);
	}
	bad = c == NULL || errs.n > 0;
	if (c != NULL) {
		struct errlist warns = { 0 };

		config_warnings(c, &warns);
		config_deprecations(c, &warns);
		for (i = 0; i < warns.n; i++)
			fprintf(stderr, "%s\n", warns.v[i]);
		errlist_free(&warns);
	}
	if (!bad)
		printf("%s: OK\n", path);
	config_free(c);
	plugin_unload_all();
	errlist_free(&errs);
	return bad ? 1 : 0;
}

static void
print_key(const char *section, const char *key, void *arg)
{
	printf("%s %s\n", section, key);
}

/* Is key in a NULL-terminated list (a plugin's untyped keys)? */
static bool
listed(const char *const *keys, const char *key)
{
	for (; keys != NULL && *keys != NULL; keys++)
		if (strcmp(*keys, key) == 0)
			return true;
	return false;
}

/*
 * Every key --check accepts, from the same tables: the host's, then those
 * of each plugin in the plugin folder (the one `path` names, if given).
 * The manual page convene.ini(5) is checked against this list.
 */
static int
list_keys(const char *path)
{
	struct errlist errs = { 0 };
	struct config *c = NULL;
	const struct cv_plugin_desc *d;
	const struct cv_config_key *t;
	const char *const *k;
	char **names, err[256];
	size_t i;
	int bad = 0;

	if (path != NULL && (c = config_load(path, &errs)) == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		errlist_free(&errs);
		return 1;
	}
	if (c != NULL) {
		set_plugin_dir(c);
	} else {
		char *def = plugin_default_dir();

		plugin_set_dir(def);
		free(def);
	}
	config_host_keys(print_key, NULL);
	names = plugin_available();
	for (i = 0; names[i] != NULL; i++) {
		if ((d = plugin_peek(names[i], err, sizeof err)) == NULL) {
			fprintf(stderr, "plugin '%s': %s\n", names[i], err);
			bad = 1;
			continue;
		}
		for (k = d->config_keys; k != NULL && *k != NULL; k++)
			print_key(d->name, *k, NULL);
		for (t = plugin_typed_keys(d); t != NULL && t->key != NULL; t++)
			if (!listed(d->config_keys, t->key))
				print_key(d->name, t->key, NULL);
	}
	plugin_names_free(names);
	config_free(c);
	plugin_unload_all();
	errlist_free(&errs);
	return bad;
}

/*
 * The options. Returns -1 to go on (check_only, keys_only set), else the
 * exit code (help, version, a bad option).
 */
static int
parse_args(int argc, char **argv, bool *check_only, bool *keys_only)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "list-keys", no_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			config_path = optarg;
			break;
		case 'k':
			*check_only = true;
			break;
		case 'K':
			*keys_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("convene %s (plugin ABI %d.%d)\n", CONVENE_VERSION,
			    CONVENE_ABI_MAJOR, CONVENE_ABI_MINOR);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	return -1;
}

/* The database and the host's tables in it: 0, or -1 (logged). */
static int
open_store(const struct config *c, struct errlist *errs)
{
	const char *v = config_get(c, "store", "path");
	bool group = true;
	char err[256];

	if (store_open(v ? v : "convene.db", err, sizeof err) < 0 ||
	    host_migrate(err, sizeof err) < 0) {
		log_error("database: %s", err);
		return -1;
	}
	host_organizers_load();
	config_bool(c, "store", "group_commits", true, &group, errs);
	store_set_group(group);
	loop_after(host_pass_end, NULL);
	return 0;
}

/* The HTTP server, when its settings allow; IRC runs without it. */
static void
start_http(const struct config *c, struct errlist *errs)
{
	struct http_limits hlim;
	const char *v;
	char err[256];
	long hport;

	if (config_long(c, "http", "port", 8080, 0, 65535, &hport, errs) < 0 ||
	    http_limits_from(c, &hlim, errs) < 0)
		return;
	/* A malformed list lets nobody in: the error is in the log. */
	if (metrics_set_allowed(config_get(c, "http", "metrics_from"), err, sizeof err) < 0)
		log_error("[http] metrics_from: %s; /metrics answers nobody", err);
	v = config_get(c, "http", "listen");
	if (http_start(v ? v : "127.0.0.1", (unsigned)hport,
	        config_get(c, "http", "base_url"), &hlim, err, sizeof err) < 0)
		log_error("HTTP server not started: %s", err); /* IRC still runs */
	else
		log_info("HTTP server on %s port %u", v ? v : "127.0.0.1", http_port());
}

/* Everything started, stopped in the reverse order. */
static void
stop_all(void)
{
	plugin_unload_all();
	fetch_cancel_all();
	cmd_free();
	i18n_free();
	bridge_free();
	http_stop();
	metrics_free();
	link_free();
	net_shutdown();
	store_close();
	curl_lazy_cleanup();
	config_free((struct config *)host_config());
}

int
main(int argc, char **argv)
{
	struct errlist errs = { 0 };
	struct config *c;
	struct link_conf lc;
	bool check_only = false, keys_only = false;
	const char *v;
	size_t i;
	int rc;

	/*
	 * Keep up to 1 MiB of freed heap rather than hand it back with brk()
	 * after each command (SQLite frees its statement memory at each
	 * commit): ~15% of an rsvp's CPU (bench/README.md, issue 17). Costs at
	 * most that much resident heap; the pad is address space until used.
	 */
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	mallopt(M_TOP_PAD, 256 << 10);
	if ((rc = parse_args(argc, argv, &check_only, &keys_only)) >= 0)
		return rc;
	if (keys_only && !check_only && optind == argc)
		return list_keys(config_path);
	if (config_path == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (check_only)
		return check(config_path);
	/*
	 * Inherited descriptors would push our sockets up; libircclient's must
	 * stay below FD_SETSIZE (it uses select() sets, fortified).
	 */
	close_range(3, ~0U, 0);

	c = config_load(config_path, &errs);
	if (c == NULL || link_conf_from(c, &lc, &errs) < 0) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		config_free(c);
		errlist_free(&errs);
		return 1;
	}
	set_plugin_dir(c);
	if ((v = link_conf_warning(&lc)) != NULL)
		log_warn("%s", v);
	/* A typo must not keep the bot off the network: warn and go on. */
	validate(c, &errs);
	config_warnings(c, &errs);
	for (i = 0; i < errs.n; i++)
		log_warn("%s", errs.v[i]);
	errlist_free(&errs);
	host_set_config(c);
	apply_bot_settings(c);

	/* The host owns libraries' global state; plugins never touch it. */
	i18n_init(NULL); /* before any thread: it sets LANGUAGE */
	/* libcurl is not loaded here: the first TLS link or download does (net.h). */
	if (setup_signals() < 0) {
		log_error("cannot set up the event loop");
		return 1;
	}
	if (open_store(c, &errs) < 0)
		return 1;
	start_http(c, &errs);
	errlist_free(&errs);
	cmd_core_init();
	i18n_start();
	link_start(&lc, &handler);
	link_conf_free(&lc);
	load_plugins(c);

	loop_run();

	stop_all();
	log_info("bye");
	return exit_code;
}
