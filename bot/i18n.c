/*
 * i18n.c: languages, per message. See i18n.h and HACKING.md, "Languages".
 *
 * glibc's gettext picks a catalogue from the locale of LC_MESSAGES and,
 * unless that locale is "C", from the LANGUAGE variable. C.UTF-8 is built
 * into glibc (no locale to generate, no root), is not "C", and reads UTF-8;
 * so LC_MESSAGES is set to C.UTF-8 once, and each tr() in French sets
 * LANGUAGE and bumps _nl_msg_cat_cntr, which the gettext manual documents as
 * the way to make gettext look again, then sets LANGUAGE back to "C" (no
 * catalogue): libc's own messages (strerror in log lines) stay English.
 */
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cmd.h"
#include "host.h"
#include "i18n.h"
#include "link.h"
#include "log.h"
#include "mask.h"
#include "store.h"
#include "util.h"

#ifndef CONVENE_LOCALEDIR
#define CONVENE_LOCALEDIR "/usr/local/share/locale"
#endif

/*
 * glibc's counter of catalogue changes (the gettext manual, "Being a gettext
 * grok"). The name is reserved because it is glibc's own; GNU gettext
 * documents declaring it for exactly this use.
 */
/* NOLINTNEXTLINE(bugprone-reserved-identifier): glibc's name, see above */
extern int _nl_msg_cat_cntr;

static const char *const langs[] = { "en", "fr" };

static bool ready;
static const char *deflang = "en";

struct chanlang {
	char *channel; /* case-folded when compared */
	const char *lang;
};
static struct chanlang *chans;
static size_t nchans;

static bool
has_catalogue(const char *dir)
{
	char path[8192];

	snprintf(path, sizeof path, "%s/fr/LC_MESSAGES/%s.mo", dir, I18N_DOMAIN);
	return access(path, R_OK) == 0;
}

int
i18n_init(const char *dir)
{
	char exe[4096], local[4200];
	ssize_t n;

	if (dir == NULL && (n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(local, sizeof local, "%s/locale", exe);
			if (has_catalogue(local))
				dir = local;
		}
	}
	if (dir == NULL)
		dir = CONVENE_LOCALEDIR;
	if (!has_catalogue(dir)) {
		log_warn("i18n: no catalogue under %s; every answer will be in English",
		    dir);
		return -1;
	}
	if (setlocale(LC_MESSAGES, "C.UTF-8") == NULL) {
		log_warn(
		    "i18n: the C.UTF-8 locale is missing; every answer will be in English");
		return -1;
	}
	/* Set once before any thread starts: later changes only swap its value. */
	setenv("LANGUAGE", "C", 1);
	if (bindtextdomain(I18N_DOMAIN, dir) == NULL ||
	    bind_textdomain_codeset(I18N_DOMAIN, "UTF-8") == NULL) {
		log_warn("i18n: cannot bind the catalogues under %s", dir);
		return -1;
	}
	ready = true;
	return 0;
}

/* LANGUAGE names lang ("C": none) from now on, for gettext too. */
static void
switch_to(const char *lang)
{
	setenv("LANGUAGE", lang, 1);
	++_nl_msg_cat_cntr;
}

const char *
tr(const char *lang, const char *msgid)
{
	const char *s;

	lang = i18n_lang(lang);
	if (!ready || lang == NULL || strcmp(lang, "en") == 0)
		return msgid;
	switch_to(lang);
	/* A string of the mapped catalogue: it stays valid after switching back. */
	s = dcgettext(I18N_DOMAIN, msgid, LC_MESSAGES);
	switch_to("C");
	return s;
}

const char *
ntr(const char *lang, const char *singular, const char *plural, unsigned long n)
{
	const char *s;

	lang = i18n_lang(lang);
	if (!ready || lang == NULL || strcmp(lang, "en") == 0)
		return n == 1 ? singular : plural;
	switch_to(lang);
	s = dcngettext(I18N_DOMAIN, singular, plural, n, LC_MESSAGES);
	switch_to("C");
	return s;
}

const char *
i18n_lang(const char *word)
{
	size_t i;

	if (word == NULL)
		return NULL;
	for (i = 0; i < nitems(langs); i++)
		if (strcasecmp(word, langs[i]) == 0)
			return langs[i];
	return NULL;
}

void
i18n_set_default(const char *lang)
{
	const char *l = i18n_lang(lang);

	deflang = l != NULL ? l : "en";
}

const char *
i18n_default(void)
{
	return deflang;
}

static void
chans_free(struct chanlang *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].channel);
	free(v);
}

/* Parses "#chan fr, #other en" into a new array, or fails with a sentence. */
static int
parse_channels(const char *list, struct chanlang **out, size_t *nout, char *err,
    size_t errlen)
{
	struct chanlang *v = NULL;
	size_t n = 0;
	char *copy, *rest, *item;
	int rc = 0;

	rest = copy = xstrdup(list != NULL ? list : "");
	while (rc == 0 && (item = strsep(&rest, ",")) != NULL) {
		char *chan, *lang, *extra;
		const char *l;

		chan = strtok_r(item, " \t", &extra);
		if (chan == NULL) {
			if (rest != NULL || n > 0) {
				snprintf(err, errlen, "has an empty item");
				rc = -1;
			}
			continue;
		}
		lang = strtok_r(NULL, " \t", &extra);
		if ((*chan != '#' && *chan != '&') || chan[1] == '\0') {
			snprintf(err, errlen,
			    "'%.60s' is not a channel: it starts with # or &", chan);
			rc = -1;
		} else if (lang == NULL || (l = i18n_lang(lang)) == NULL ||
		    strtok_r(NULL, " \t", &extra) != NULL) {
			snprintf(err, errlen,
			    "%.60s: give one language after the channel (%s)", chan,
			    I18N_LANGS);
			rc = -1;
		} else {
			v = xrealloc(v, (n + 1) * sizeof *v);
			v[n++] = (struct chanlang){ xstrdup(chan), l };
		}
	}
	free(copy);
	if (rc < 0) {
		chans_free(v, n);
		return -1;
	}
	*out = v;
	*nout = n;
	return 0;
}

int
i18n_check_channels(const char *list, char *err, size_t errlen)
{
	struct chanlang *v;
	size_t n;

	if (parse_channels(list, &v, &n, err, errlen) < 0)
		return -1;
	chans_free(v, n);
	return 0;
}

int
i18n_set_channels(const char *list, char *err, size_t errlen)
{
	struct chanlang *v;
	size_t n;

	if (parse_channels(list, &v, &n, err, errlen) < 0)
		return -1;
	chans_free(chans, nchans);
	chans = v;
	nchans = n;
	return 0;
}

const char *
i18n_channel(const char *channel)
{
	size_t i;

	if (channel == NULL)
		return deflang;
	for (i = 0; i < nchans; i++)
		if (casecmp(chans[i].channel, channel, link_casemap()) == 0)
			return chans[i].lang;
	return deflang;
}

static const char *reader;

void
i18n_set_reader(const char *lang)
{
	reader = lang;
}

const char *
i18n_reader(void)
{
	return reader;
}

const char *
i18n_target(const char *target, const char *lang)
{
	if (target[0] == '#' || target[0] == '&')
		return i18n_channel(target);
	return lang != NULL ? lang : deflang;
}

/* ---- each person's language, the host's table person_languages ---- */

const char *
i18n_person(const char *id)
{
	sqlite3_stmt *st;
	const char *l = NULL;

	if (id == NULL || store_db() == NULL)
		return deflang;
	/* Asked for each command: prepared once. */
	if ((st = store_kept("SELECT lang FROM person_languages WHERE person = ?1")) == NULL)
		return deflang;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		l = i18n_lang((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return l != NULL ? l : deflang;
}

int
i18n_person_set(const char *id, const char *lang)
{
	return store_exec2(lang != NULL ?
	        "INSERT INTO person_languages (person, lang) VALUES (?1, ?2)"
	        " ON CONFLICT (person) DO UPDATE SET lang = excluded.lang" :
	        "DELETE FROM person_languages WHERE person = ?1",
	    id, lang);
}

/* person.forget: inside the publisher's transaction, like every subscriber. */
static void
on_forget(void *arg, const char *topic, const void *data)
{
	const struct cv_person *who = data;

	if (who != NULL && who->id != NULL)
		i18n_person_set(who->id, NULL);
}

/* lang [en|fr]: shows or sets the asker's language; answers in the new one. */
static void
cmd_lang(struct cv_ctx *ctx)
{
	const char *l;

	if (ctx->argc == 0) {
		l = i18n_person(ctx->who->id);
		host_reply(ctx,
		    tr(l, "Your language is %s. Say 'lang en' or 'lang fr' to change it."),
		    l);
		return;
	}
	if ((l = i18n_lang(ctx->argv[0])) == NULL) {
		host_reply(ctx,
		    tr(ctx->lang,
		        "There is no language '%.20s': say 'lang en' or "
		        "'lang fr'."),
		    ctx->argv[0]);
		return;
	}
	if (store_begin() < 0 || i18n_person_set(ctx->who->id, l) < 0) {
		store_rollback();
		host_reply(ctx, "%s",
		    tr(ctx->lang,
		        "Sorry, that could not be saved: please try "
		        "again later."));
		return;
	}
	if (store_commit() < 0) {
		host_reply(ctx, "%s",
		    tr(ctx->lang,
		        "Sorry, that could not be saved: please try "
		        "again later."));
		return;
	}
	ctx->lang = l;
	host_reply(ctx, "%s", tr(l, "From now on I answer you in English."));
}

static const struct cv_command i18n_commands[] = {
	{ "lang", "[en|fr]", N_("show or set the language I answer you in"), 0, 1,
	    CV_ROLE_MEMBER, 0, cmd_lang },
};

void
i18n_start(void)
{
	char err[128];

	if (cmd_register(NULL, i18n_commands, nitems(i18n_commands), err, sizeof err) < 0)
		log_error("i18n: %s", err);
	bus_subscribe(NULL, CV_TOPIC_PERSON_FORGET, on_forget, NULL);
}

void
i18n_free(void)
{
	chans_free(chans, nchans);
	chans = NULL;
	nchans = 0;
}
