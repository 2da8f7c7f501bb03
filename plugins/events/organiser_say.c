/*
 * organiser_say.c: what the organisers' commands say, in the reader's
 * language: an event's time and places, and the notices to its registrants
 * rendered once for each language of the people told.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events_int.h"

void
fit_said(char *buf, size_t n, const struct when_zone *z, const struct when_local *l,
    enum when_fit fit, const int off[2], const char *lang)
{
	char date[16], tm[8], a[8], b[8];

	when_format_date(date, sizeof(date), l);
	when_format_time(tm, sizeof(tm), l);
	when_format_offset(a, sizeof(a), off[0]);
	when_format_offset(b, sizeof(b), off[1]);
	if (fit == WHEN_FIT_GAP)
		snprintf(buf, n,
		    host->tr(lang,
		        "%s %s does not exist in %s (the clocks jump forward): "
		        "give an explicit offset, e.g. %s or %s."),
		    date, tm, z->name, a, b);
	else
		snprintf(buf, n,
		    host->tr(lang,
		        "%s %s happens twice in %s (the clocks go back): "
		        "give an explicit offset, e.g. %s or %s."),
		    date, tm, z->name, a, b);
}

/* A tell_render with what it needs, as tell_people_lang's notice_fn. */
struct in_language {
	long long event_id;
	tell_render *render;
	const void *arg;
};

/* The notice in one language: the event loaded and read in it, then rendered. */
static char *
render_in(const char *lang, bool pub, void *arg)
{
	const struct in_language *x = arg;
	struct ev_event e;
	char *text;

	if (model_event_get(db(), x->event_id, &e) != 0)
		return NULL;
	/* On error the original texts: still the event. */
	model_event_localise(db(), &e, lang);
	text = x->render(&e, lang, pub, x->arg);
	model_event_clear(&e);
	return text;
}

void
tell_in_languages(const struct ev_people *const *lists, size_t nlists, long long event_id,
    tell_render *render, const void *arg)
{
	struct in_language x = { event_id, render, arg };
	struct ev_event e;
	time_t expires;

	if (model_event_get(db(), event_id, &e) != 0)
		return;
	expires = event_end(&e);
	model_event_clear(&e);
	tell_people_lang(lists, nlists, event_id, expires, render_in, &x);
}

/* "#N Title has changed: ..." in one language (tell_render). */
char *
change_text(const struct ev_event *e, const char *lang, bool pub, const void *arg)
{
	const enum change *what = arg;
	char when[400];

	switch (*what) {
	case CHANGE_LOCATION:
		if (e->location == NULL)
			return msgf(host->tr(lang,
			                "#%lld %s has changed: the location was removed."),
			    e->id, e->title);
		return msgf(host->tr(lang,
		                "#%lld %s has changed: it now takes place at %s."),
		    e->id, e->title, e->location);
	case CHANGE_JOIN:
		if (pub)
			return msgf(host->tr(lang,
			                "#%lld %s has a new join link. The join link is given in "
			                "private only: ask the event's organisers for it, or "
			                "register from IRC."),
			    e->id, e->title);
		return msgf(host->tr(lang, "#%lld %s has a new join link: %s"), e->id,
		    e->title, e->join_url != NULL ? e->join_url : "");
	case CHANGE_START:
		describe_when_lang(when, sizeof(when), e, NULL, true, lang);
		return msgf(host->tr(lang, "#%lld %s has moved: it now takes place %s."),
		    e->id, e->title, when);
	case CHANGE_DURATION:
		describe_when_lang(when, sizeof(when), e, NULL, true, lang);
		return msgf(host->tr(lang,
		                "#%lld %s has a new length: it now takes place %s."),
		    e->id, e->title, when);
	default:
		return NULL;
	}
}

/* "#N Title is cancelled: reason" in one language (tell_render). */
char *
cancelled_text(const struct ev_event *e, const char *lang, bool pub, const void *arg)
{
	const char *reason = arg;

	(void)pub;
	if (reason != NULL)
		return msgf(host->tr(lang, "#%lld %s is cancelled: %s"), e->id, e->title,
		    reason);
	return msgf(host->tr(lang, "#%lld %s is cancelled."), e->id, e->title);
}
