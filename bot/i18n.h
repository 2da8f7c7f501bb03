/*
 * i18n.h: languages. Every sentence for people goes through tr()/ntr() with
 * the language of whoever reads it; the catalogues are GNU gettext's
 * (po/fr.po, compiled to LOCALEDIR/fr/LC_MESSAGES/convene.mo). English is
 * the source language: tr("en", s) is s. Log lines are never translated.
 *
 * xgettext extracts tr:2, ntr:2,3 and N_ (the Makefile's keywords).
 */
#ifndef CV_I18N_H
#define CV_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "convene.h"

#define I18N_DOMAIN "convene"

/*
 * Binds the catalogues. dir NULL: the folder "locale" next to the
 * executable when it holds a catalogue (the build tree), else the
 * installed CONVENE_LOCALEDIR. Returns 0, or -1 when no catalogue can be
 * used (then every language reads English); a log line says why.
 */
int i18n_init(const char *dir);

/* The translation of msgid in lang ("en", "fr"); borrowed, static. */
const char *tr(const char *lang, const char *msgid) __attribute__((format_arg(2)));
/* The singular or plural form for n, translated. */
const char *ntr(const char *lang, const char *singular, const char *plural,
    unsigned long n) __attribute__((format_arg(2))) __attribute__((format_arg(3)));

/* The language a word names ("en", "fr", any case), as a static string, or NULL. */
const char *i18n_lang(const char *word);
/* "en, fr": the languages there are, for messages. */
#define I18N_LANGS "en, fr"

/* [bot] language and [bot] channel_languages ("#chan fr, #other en"). */
void i18n_set_default(const char *lang);
const char *i18n_default(void);
/* Returns 0, or -1 with a sentence in err (the list is left as it was). */
int i18n_check_channels(const char *list, char *err, size_t errlen);
int i18n_set_channels(const char *list, char *err, size_t errlen);
/* The language of a channel's public lines. */
const char *i18n_channel(const char *channel);

/*
 * A person's language: their own choice (host table person_languages), else
 * [bot] language. Static strings. set returns 0 or -1; lang NULL erases.
 */
const char *i18n_person(const char *id);
int i18n_person_set(const char *id, const char *lang);

/*
 * The language of the command being run (cmd.c sets it around the
 * handler, NULL outside), and of a target: a channel's, else `reader`,
 * else [bot] language.
 */
void i18n_set_reader(const char *lang);
const char *i18n_reader(void);
const char *i18n_target(const char *target, const char *reader);

/* The host's `lang` command and its erasure on person.forget. */
void i18n_start(void);
void i18n_free(void);

#endif
