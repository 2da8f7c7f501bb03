/* plugin.c: dlopen, ABI checks, and undoing a plugin's registrations. */
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "fetch.h"
#include "host.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "metrics.h"
#include "plugin.h"
#include "util.h"

static char *dir;
static struct cv_plugin **loaded;
static size_t nloaded;
static void **peeked;
static size_t npeeked;

/*
 * Why the last load or unload failed, to tell it in any language: its
 * sentence (marked N_(), a printf format) and what goes in it, either
 * strings or the ABI versions' numbers.
 */
static struct {
	const char *msgid;
	char s[2][256];
	unsigned abi[4];
	bool numbers;
} failed;

/* Records a failure whose sentence takes up to two strings; English into err. */
static void
fail_s(char *err, size_t errlen, const char *msgid, const char *a, const char *b)
{
	failed.msgid = msgid;
	failed.numbers = false;
	cv_strlcpy(failed.s[0], a, sizeof failed.s[0]);
	cv_strlcpy(failed.s[1], b != NULL ? b : "", sizeof failed.s[1]);
	/* Each msgid has one or two %s: a second argument past them is ignored. */
	snprintf(err, errlen, msgid, failed.s[0], failed.s[1]);
}

void
plugin_failure(const char *lang, char *buf, size_t n)
{
	if (failed.msgid == NULL)
		snprintf(buf, n, "?");
	else if (failed.numbers)
		snprintf(buf, n, tr(lang, failed.msgid), failed.abi[0], failed.abi[1],
		    failed.abi[2], failed.abi[3]);
	else
		snprintf(buf, n, tr(lang, failed.msgid), failed.s[0], failed.s[1]);
}

/*
 * libical is the plugins' library (events, calendars), not the host's: the
 * host does not link it, and the plugins open it themselves at their first
 * call of it (include/cv_ical.h), never closing it. So a bot without those
 * plugins, or whose database holds no event yet, never maps it, nor ICU and
 * libstdc++ behind it. Once opened it stays for the rest of the run, as when
 * the host linked it: its built-in time zones are made once and not lost at
 * each reload of a plugin, and plugin_unload_all() frees them.
 */
#define ICAL_SONAME "libical.so.3"

static void
release_ical(void)
{
	void (*free_zones)(void);
	void *ical = dlopen(ICAL_SONAME, RTLD_LAZY | RTLD_NOLOAD);

	if (ical == NULL)
		return; /* never opened */
	*(void **)&free_zones = dlsym(ical, "icaltimezone_free_builtin_timezones");
	if (free_zones != NULL)
		free_zones();
	/*
	 * Not closed: its other caches (the ring of temporary buffers, the
	 * zone directory) stay reachable from its globals until the exit.
	 */
}

void
plugin_set_dir(const char *d)
{
	free(dir);
	dir = xstrdup(d);
}

const char *
plugin_dir(void)
{
	return dir;
}

char *
plugin_default_dir(void)
{
	char exe[PATH_MAX], *slash, *d;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			d = xasprintf("%s/plugins", exe);
			if (access(d, R_OK | X_OK) == 0)
				return d;
			free(d);
		}
	}
	return xstrdup(CONVENE_PLUGINDIR);
}

int
plugin_abi_ok(unsigned host_major, unsigned host_minor, unsigned major, unsigned minor,
    char *err, size_t errlen)
{
	if (major == host_major && minor <= host_minor)
		return 0;
	failed.msgid = major != host_major ?
	    N_("built for plugin ABI %u.%u, but this host has ABI %u.%u (major versions "
	       "differ): rebuild the plugin") :
	    N_("needs plugin ABI %u.%u, but this host has only %u.%u: upgrade Convene");
	failed.numbers = true;
	failed.abi[0] = major, failed.abi[1] = minor;
	failed.abi[2] = host_major, failed.abi[3] = host_minor;
	snprintf(err, errlen, failed.msgid, major, minor, host_major, host_minor);
	return -1;
}

static bool
name_ok(const char *name)
{
	size_t i;

	if (name[0] == '\0' || strlen(name) > 32)
		return false;
	for (i = 0; name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		        (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return false;
	return true;
}

/* Open NAME.so from the plugin dir and find its descriptor. */
static void *
open_plugin(const char *name, char **pathp, const struct cv_plugin_desc **descp,
    char *err, size_t errlen)
{
	char *path;
	void *dl;
	const struct cv_plugin_desc *d;

	if (!name_ok(name)) {
		fail_s(err, errlen, N_("'%.40s' is not a plugin name"), name, NULL);
		return NULL;
	}
	path = xasprintf("%s/%s.so", dir, name);
	if (access(path, R_OK) != 0) {
		fail_s(err, errlen, N_("no plugin '%s' in %s"), name, dir);
		free(path);
		return NULL;
	}
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL) {
		fail_s(err, errlen, N_("cannot load %s: %s"), path, dlerror());
		free(path);
		return NULL;
	}
	d = dlsym(dl, CONVENE_PLUGIN_SYMBOL);
	if (d == NULL) {
		fail_s(err, errlen, N_("%s has no '%s' descriptor"), path,
		    CONVENE_PLUGIN_SYMBOL);
		goto fail;
	}
	if (plugin_abi_ok(CONVENE_ABI_MAJOR, CONVENE_ABI_MINOR, d->abi_major,
	        d->abi_minor, err, errlen) < 0)
		goto fail;
	if (d->name == NULL || strcmp(d->name, name) != 0 || d->init == NULL) {
		fail_s(err, errlen,
		    N_("%s: its descriptor names another plugin or has no init"), path,
		    NULL);
		goto fail;
	}
	*pathp = path;
	*descp = d;
	return dl;
fail:
	dlclose(dl);
	free(path);
	return NULL;
}

struct cv_plugin *
plugin_find(const char *name)
{
	size_t i;

	for (i = 0; i < nloaded; i++)
		if (strcmp(loaded[i]->name, name) == 0)
			return loaded[i];
	return NULL;
}

struct cv_plugin *
plugin_at(size_t i)
{
	return i < nloaded ? loaded[i] : NULL;
}

/* Everything the host recorded for p goes, then the code itself. */
static void
release(struct cv_plugin *p)
{
	cmd_unregister(p);
	http_unroute_owner(p);
	metrics_drop_owner(p);
	fetch_cancel_owner(p);
	host_release(p);
	dlclose(p->dl);
	free(p->name);
	free(p->path);
	free(p);
}

const struct cv_config_key *
plugin_typed_keys(const struct cv_plugin_desc *d)
{
	/* An older descriptor ends before the member: it must not be read. */
	if (d->abi_major != 1 || d->abi_minor < 5)
		return NULL;
	return d->config;
}

/*
 * Its declared keys' values, before init() reads them: the first bad one,
 * "path:line: section.key: the plugin's words", in why.
 */
static int
check_typed_keys(struct cv_plugin *p, char *why, size_t whylen)
{
	const struct cv_config_key *keys = plugin_typed_keys(p->desc);
	const struct config *c = host_config();
	struct errlist errs = { 0 };
	int rc = 0;

	if (keys != NULL && c != NULL &&
	    config_validate_typed(c, p->name, keys, &errs) > 0) {
		snprintf(why, whylen, "%s", errs.v[0]);
		rc = -1;
	}
	errlist_free(&errs);
	return rc;
}

int
plugin_load(const char *name, char *err, size_t errlen)
{
	struct cv_plugin *p;
	char why[256] = "";
	int rc;

	if (plugin_find(name) != NULL) {
		fail_s(err, errlen, N_("plugin '%s' is already loaded"), name, NULL);
		return -1;
	}
	p = xcalloc(1, sizeof *p);
	p->dl = open_plugin(name, &p->path, &p->desc, err, errlen);
	if (p->dl == NULL) {
		free(p);
		log_error("plugin %s: %s", name, err);
		return -1;
	}
	p->name = xstrdup(name);
	/* A bad declared value: init() never runs, so neither does fini(). */
	rc = check_typed_keys(p, why, sizeof why);
	if (rc == 0 && p->desc->init(p, host_api(), why, sizeof why) < 0) {
		if (p->desc->fini != NULL)
			p->desc->fini(p);
		rc = -1;
	}
	if (rc < 0) {
		/* why: the config file's line or the plugin's words, as written. */
		if (why[0] != '\0')
			fail_s(err, errlen, N_("plugin '%s' failed to start: %s"), name,
			    why);
		else
			fail_s(err, errlen,
			    N_("plugin '%s' failed to start, giving no reason"), name,
			    NULL);
		log_error("%s", err);
		release(p);
		return -1;
	}
	loaded = xrealloc(loaded, (nloaded + 1) * sizeof *loaded);
	loaded[nloaded++] = p;
	log_info("plugin %s %s loaded", name, p->desc->version ? p->desc->version : "");
	host_loaded(p);
	return 0;
}

int
plugin_unload(const char *name, char *err, size_t errlen)
{
	struct cv_plugin *p = plugin_find(name);
	size_t i;

	if (p == NULL) {
		fail_s(err, errlen, N_("plugin '%.40s' is not loaded"), name, NULL);
		return -1;
	}
	for (i = 0; i < nloaded; i++)
		if (loaded[i] == p)
			memmove(&loaded[i], &loaded[i + 1],
			    (--nloaded - i) * sizeof *loaded);
	log_info("plugin %s unloaded", p->name);
	if (p->desc->fini != NULL)
		p->desc->fini(p);
	release(p); /* name may be p->name: not used past here */
	return 0;
}

int
plugin_reload(const char *name, char *err, size_t errlen)
{
	if (plugin_unload(name, err, errlen) < 0)
		return -1;
	return plugin_load(name, err, errlen);
}

void
plugin_unload_all(void)
{
	char err[256];

	while (nloaded > 0)
		plugin_unload(loaded[nloaded - 1]->name, err, sizeof err);
	free(loaded);
	loaded = NULL;
	plugin_peek_close();
	release_ical();
	free(dir);
	dir = NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
plugin_available(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > 3 && strcmp(e->d_name + len - 3, ".so") == 0) {
			names = xrealloc(names, (n + 2) * sizeof *names);
			names[n++] = xstrndup(e->d_name, len - 3);
		}
	}
	if (d != NULL)
		closedir(d);
	names = xrealloc(names, (n + 1) * sizeof *names);
	names[n] = NULL;
	qsort(names, n, sizeof *names, cmp_str);
	return names;
}

void
plugin_names_free(char **names)
{
	size_t i;

	for (i = 0; names != NULL && names[i] != NULL; i++)
		free(names[i]);
	free(names);
}

const struct cv_plugin_desc *
plugin_peek(const char *name, char *err, size_t errlen)
{
	char *path = NULL;
	const struct cv_plugin_desc *d = NULL;
	void *dl = open_plugin(name, &path, &d, err, errlen);

	free(path);
	if (dl == NULL)
		return NULL;
	peeked = xrealloc(peeked, (npeeked + 1) * sizeof *peeked);
	peeked[npeeked++] = dl;
	return d;
}

void
plugin_peek_close(void)
{
	while (npeeked > 0)
		dlclose(peeked[--npeeked]);
	free(peeked);
	peeked = NULL;
}
