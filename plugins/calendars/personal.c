/*
 * personal.c: personal feeds (/calendars/me/TOKEN.ics): rendered on the
 * first request after a change, a bounded number kept.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendars.h"
#include "sbuf.h"

/* ---- personal feeds ---- */

void
personal_drop(size_t i)
{
	free(pers[i].person);
	free(pers[i].ids);
	cal_feed_clear(&pers[i].f);
	explicit_bzero(pers[i].token, sizeof(pers[i].token));
	pers[i] = pers[--npers];
}

/* Forget what is held in memory for a person (token reset, erasure). */
void
personal_forget(const char *person)
{
	for (size_t i = 0; i < npers;) {
		if (strcmp(pers[i].person, person) == 0)
			personal_drop(i);
		else
			i++;
	}
}

/* The personal feed of a token, rendered when stale; NULL when the token is unknown. */
struct personal *
personal_get(const char *token)
{
	struct personal *p = NULL;
	char person[256], title[300];
	struct cal_event *v;
	const struct cal_event **sel;
	size_t n;
	time_t now = host->wall_now();
	const char *lang;

	for (size_t i = 0; i < npers; i++)
		if (strcmp(pers[i].token, token) == 0)
			p = &pers[i];
	if (p == NULL) {
		if (cal_token_person(db(), token, person, sizeof(person)) != 1)
			return NULL;
		if (npers == PERSONAL_MAX) {
			size_t oldest = 0;

			for (size_t i = 1; i < npers; i++)
				if (pers[i].used < pers[oldest].used)
					oldest = i;
			personal_drop(oldest);
		}
		pers = cal_xrealloc(pers, (npers + 1) * sizeof(*pers));
		p = &pers[npers++];
		memset(p, 0, sizeof(*p));
		snprintf(p->token, sizeof(p->token), "%s", token);
		p->person = cal_xstrdup(person);
		p->stale = true;
	}
	p->used = host->mono_ms();
	/* In the person's language (`lang`): a change of it renders it again. */
	lang = lang_is_fr(host->person_lang(p->person)) ? "fr" : NULL;
	if (!p->stale && p->lang == lang)
		return p;
	if (cal_store_person_events(db(), p->person, now, KEEP_PAST, &v, &n) == -1) {
		host->log(self, CV_LOG_ERROR, "reading a personal feed: %s",
		    sqlite3_errmsg(db()));
		if (p->f.body == NULL) {
			personal_drop((size_t)(p - pers));
			return NULL;
		}
		return p; /* the last good one */
	}
	if (lang != NULL && cal_store_localise(db(), lang, v, n) == -1)
		host->log(self, CV_LOG_ERROR, "reading the events' French texts: %s",
		    sqlite3_errmsg(db()));
	sel = cal_xrealloc(NULL, (n + 1) * sizeof(*sel));
	for (size_t i = 0; i < n; i++)
		sel[i] = &v[i];
	snprintf(title, sizeof(title), host->tr(lang, "%s: my registrations"), cal_name());
	{
		struct cal_meta m = { title,
			host->tr(lang, "The events you registered for"), NULL, NULL,
			REFRESH_MINUTES };
		size_t len;
		char *body = ics_render(&m, sel, n, &len);

		cal_feed_set(&p->f, body, len, now);
	}
	p->stale = false;
	p->lang = lang;
	p->ids = cal_xrealloc(p->ids, (n + 1) * sizeof(*p->ids));
	p->nids = n;
	for (size_t i = 0; i < n; i++)
		p->ids[i] = v[i].id;
	free(sel);
	cal_events_free(v, n);
	return p;
}
