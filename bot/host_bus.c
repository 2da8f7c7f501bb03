/*
 * host_bus.c: the bus between plugins (subscribe, publish, undone on
 * unload), and erasure of a person from plugins that keep personal data
 * while they are not loaded (person.forget replayed at their next load).
 */
#include <sqlite3.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host.h"
#include "host_priv.h"
#include "link.h"
#include "log.h"
#include "plugin.h"
#include "store.h"
#include "util.h"

/* ---- the bus ---- */

struct sub {
	struct cv_plugin *p;
	char *topic;
	cv_bus_fn fn;
	void *arg;
};

static struct sub *subs;
static size_t nsubs;

static void personal_mark(const char *plugin);
static void forget_keep(const struct cv_person *who);

int
bus_subscribe(struct cv_plugin *p, const char *topic, cv_bus_fn fn, void *arg)
{
	subs = xrealloc(subs, (nsubs + 1) * sizeof *subs);
	subs[nsubs++] = (struct sub){ p, xstrdup(topic), fn, arg };
	if (p != NULL && strcmp(topic, CV_TOPIC_PERSON_FORGET) == 0)
		personal_mark(p->name);
	return 0;
}

void
bus_publish(const char *topic, const void *data)
{
	size_t i;

	for (i = 0; i < nsubs; i++)
		if (strcmp(subs[i].topic, topic) == 0)
			subs[i].fn(subs[i].arg, topic, data);
	if (data != NULL && strcmp(topic, CV_TOPIC_PERSON_FORGET) == 0)
		forget_keep(data);
}

void
bus_release(struct cv_plugin *p)
{
	size_t i, j;

	for (i = j = 0; i < nsubs; i++) {
		if (subs[i].p == p)
			free(subs[i].topic);
		else
			subs[j++] = subs[i];
	}
	nsubs = j;
	if (nsubs == 0) {
		free(subs);
		subs = NULL;
	}
}

/* ---- erasure in plugins that are not loaded ---- */

/*
 * Plugins that keep personal data, loaded or not, mirrored from the
 * personal_plugins table. Erasure must not depend on what is loaded now: a
 * person forgotten while one of them is away waits in forget_pending, under
 * their id, until that plugin next loads and erases them.
 */
static char **personal;
static size_t npersonal;

int
personal_load(void)
{
	sqlite3_stmt *st;

	strv_free(&personal, &npersonal);
	if (sqlite3_prepare_v2(store_db(),
	        "SELECT plugin FROM personal_plugins ORDER BY plugin", -1, &st,
	        NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW)
		strv_add(&personal, &npersonal, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return 0;
}

static size_t
personal_find(const char *plugin)
{
	size_t i;

	for (i = 0; i < npersonal; i++)
		if (strcmp(personal[i], plugin) == 0)
			break;
	return i;
}

/* A plugin subscribed to person.forget: it keeps personal data. */
static void
personal_mark(const char *plugin)
{
	if (personal_find(plugin) < npersonal)
		return;
	if (store_exec2("INSERT OR IGNORE INTO personal_plugins (plugin) VALUES (?1)",
	        plugin, NULL) == 0)
		strv_add(&personal, &npersonal, plugin);
}

/*
 * A person is forgotten: keep their id for each plugin that keeps personal
 * data and is not loaded, in the publisher's transaction, so the erasure
 * and this promise are kept or lost together.
 */
static void
forget_keep(const struct cv_person *who)
{
	size_t i;

	if (who->id == NULL)
		return;
	for (i = 0; i < npersonal; i++)
		if (plugin_find(personal[i]) == NULL &&
		    store_exec2("INSERT OR IGNORE INTO forget_pending (plugin, person) VALUES (?1, ?2)",
		        personal[i], who->id) == 0)
			log_info("plugin %s is not loaded: it erases a forgotten person when "
			         "next loaded",
			    personal[i]);
}

const char *
api_forget_deferred(size_t i)
{
	size_t j;

	for (j = 0; j < npersonal; j++)
		if (plugin_find(personal[j]) == NULL && i-- == 0)
			return personal[j];
	return NULL;
}

/*
 * A plugin has loaded. If it keeps personal data, it erases the people
 * forgotten while it was away, and their ids go; if it no longer subscribes
 * to person.forget, it keeps none and is no longer waited for.
 */
void
host_loaded(struct cv_plugin *p)
{
	struct cv_person who = { .nick = "", .mask = "", .role = CV_ROLE_MEMBER };
	sqlite3_stmt *st;
	size_t i, n = 0;
	bool subscribed = false;

	for (i = 0; i < nsubs; i++)
		subscribed |=
		    subs[i].p == p && strcmp(subs[i].topic, CV_TOPIC_PERSON_FORGET) == 0;
	if (!subscribed) {
		if ((i = personal_find(p->name)) == npersonal)
			return;
		if (store_begin() < 0)
			return;
		if (store_exec2("DELETE FROM forget_pending WHERE plugin = ?1", p->name,
		        NULL) < 0 ||
		    store_exec2("DELETE FROM personal_plugins WHERE plugin = ?1", p->name,
		        NULL) < 0 ||
		    store_commit() < 0) {
			store_rollback();
			return;
		}
		free(personal[i]);
		personal[i] = personal[--npersonal];
		return;
	}
	if (store_begin() < 0)
		return;
	if (sqlite3_prepare_v2(store_db(),
	        "SELECT person FROM forget_pending WHERE plugin = ?1", -1, &st,
	        NULL) != SQLITE_OK) {
		store_rollback();
		return;
	}
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *id = xstrdup((const char *)sqlite3_column_text(st, 0));

		who.id = id;
		for (i = 0; i < nsubs; i++)
			if (subs[i].p == p &&
			    strcmp(subs[i].topic, CV_TOPIC_PERSON_FORGET) == 0)
				subs[i].fn(subs[i].arg, CV_TOPIC_PERSON_FORGET, &who);
		free(id);
		n++;
	}
	sqlite3_finalize(st);
	if (store_exec2("DELETE FROM forget_pending WHERE plugin = ?1", p->name, NULL) < 0 ||
	    store_commit() < 0) {
		store_rollback();
		log_error("plugin %s: could not erase %zu forgotten person(s); trying again at "
		          "its next load",
		    p->name, n);
		return;
	}
	if (n > 0) {
		store_checkpoint();
		log_info("plugin %s: erased %zu person(s) forgotten while it was not loaded",
		    p->name, n);
	}
}
