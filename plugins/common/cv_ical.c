/*
 * cv_ical.c: libical opened at the first call of one of its functions. See
 * include/cv_ical.h. Compiled into each plugin that calls libical (the
 * Makefile's plugins/common archive), so each has its own table.
 */
#define CV_ICAL_NO_CALLS /* the names below are libical's, not the table's */
#include "cv_ical.h"
#include "convene.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

struct cv_ical_fns cv_ical_table;
bool cv_ical_loaded;

static bool failed;
static const struct cv_host *log_host;
static struct cv_plugin *log_plugin;

void
cv_ical_attach(const struct cv_host *h, struct cv_plugin *p)
{
	log_host = h;
	log_plugin = p;
}

static void
say(const char *why)
{
	if (log_host != NULL)
		log_host->log(log_plugin, CV_LOG_ERROR, "%s", why);
	else
		fprintf(stderr, "%s\n", why);
}

/* Every function of the list, or none: a libical without one is refused. */
static bool
fill(void *dl, char *why, size_t n)
{
	struct cv_ical_fns t;

#define CV_ICAL_SYM(f)                                                                    \
	if ((*(void **)&t.f = dlsym(dl, #f)) == NULL) {                                   \
		snprintf(why, n, "cannot use libical: %s has no %s", CV_ICAL_SONAME, #f); \
		return false;                                                             \
	}
	CV_ICAL_FUNCTIONS(CV_ICAL_SYM)
#undef CV_ICAL_SYM
	cv_ical_table = t;
	return true;
}

bool
cv_ical_ready(void)
{
	char why[512];
	void *dl;

	if (cv_ical_loaded)
		return true;
	if (failed)
		return false;
	/*
	 * Never closed: libical keeps its built-in zones for the rest of the
	 * run, across reloads of the plugins, and the host frees them at exit
	 * (bot/plugin.c, release_ical).
	 */
	dl = dlopen(CV_ICAL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL) {
		snprintf(why, sizeof why, "cannot open libical (%s): %s", CV_ICAL_SONAME,
		    dlerror());
	} else if (fill(dl, why, sizeof why)) {
		cv_ical_loaded = true;
		return true;
	}
	failed = true;
	say(why);
	return false;
}

const struct cv_ical_fns *
cv_ical_load(void)
{
	if (!cv_ical_ready()) {
		say("libical is needed and cannot be opened: stopping");
		abort();
	}
	return &cv_ical_table;
}
