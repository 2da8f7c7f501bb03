/*
 * import_jobs.c: `event import`: the download, then the events of the
 * calendar (parsed by import.c) created in one transaction, and one answer.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events_int.h"

#define IMPORT_MAX_BYTES (1024 * 1024)
#define IMPORT_JOBS_MAX 4 /* downloads running at once */
#define IMPORT_URL_MAX 2000
#define IMPORT_CUT_LIST 10 /* shortened events named in the answer */

struct import_job *jobs;

void
job_free(struct import_job *j)
{
	free(j->nick);
	free(j->person);
	free(j->channel);
	free(j->source);
	free(j);
}

static void
job_unlink(struct import_job *j)
{
	for (struct import_job **pp = &jobs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			return;
		}
}

static size_t
jobs_running(void)
{
	size_t n = 0;

	for (struct import_job *j = jobs; j != NULL; j = j->next)
		n++;
	return n;
}

/* A copy of s, or of "" for NULL. */
static char *
xstrdup(const char *s)
{
	return cv_xstrdup(s != NULL ? s : "");
}

/* " (#12)" or " (#12-#14)": the ids made, for the answer. */
static void
id_range(char *buf, size_t n, long long first, long long last, int made)
{
	if (made == 0)
		buf[0] = '\0';
	else if (first == last)
		snprintf(buf, n, " (#%lld)", first);
	else
		snprintf(buf, n, " (#%lld-#%lld)", first, last);
}

/* " #12 (title, description)": which texts of a new event were shortened, in lang. */
static void
cut_note(char *buf, size_t n, long long id, unsigned cut, const char *lang)
{
	size_t have = strlen(buf);

	if (have >= n - 1)
		return;
	snprintf(buf + have, n - have, "%s#%lld (%s%s%s%s%s)", have > 0 ? ", " : "", id,
	    cut & IMP_CUT_TITLE ? host->tr(lang, "title") : "",
	    (cut & IMP_CUT_TITLE) && (cut & ~IMP_CUT_TITLE) ? ", " : "",
	    cut & IMP_CUT_DESCRIPTION ? host->tr(lang, "description") : "",
	    (cut & IMP_CUT_DESCRIPTION) && (cut & IMP_CUT_LOCATION) ? ", " : "",
	    cut & IMP_CUT_LOCATION ? host->tr(lang, "location") : "");
}

/*
 * Create the events of a parsed calendar in one transaction, skipping
 * source UIDs imported before; the ones whose texts were shortened are
 * listed in cut (at most IMPORT_CUT_LIST). 0, or -1 when nothing was created.
 */
static int
import_events(struct import_job *j, const struct imp_result *r, int *made, int *already,
    long long *first, long long *last, char *cut, size_t cutlen, int *ncut)
{
	time_t now = host->wall_now();

	*made = *already = *ncut = 0;
	*first = *last = 0;
	cut[0] = '\0';
	if (host->begin(self) == -1)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct imp_event *ie = &r->v[i];
		struct ev_event e;
		bool seen;

		if (model_import_seen(db(), ie->source_uid, &seen) == -1)
			goto fail;
		if (seen) {
			(*already)++;
			continue;
		}
		memset(&e, 0, sizeof(e));
		/* Borrowed: e is not cleared. */
		e.title = ie->title;
		e.description = ie->description;
		e.location = ie->location;
		e.url = ie->url;
		when_format_date(e.local_date, sizeof(e.local_date), &ie->local);
		when_format_time(e.local_time, sizeof(e.local_time), &ie->local);
		snprintf(e.tz, sizeof(e.tz), "%s", ie->tz);
		e.start_utc = ie->start_utc;
		e.duration_min = ie->duration_min;
		e.channel = j->channel[0] != '\0' ? j->channel : NULL;
		e.created_by = j->person;
		if (model_event_insert(db(), &e, now) == -1 ||
		    model_event_set_source(db(), e.id, ie->source_uid, j->source) == -1 ||
		    (ie->repeat[0] != '\0' &&
		        series_import(e.id, ie->repeat, ie->ex, ie->nex, now) == -1))
			goto fail;
		if (*made == 0)
			*first = e.id;
		*last = e.id;
		(*made)++;
		if (ie->shortened != 0 && ++*ncut <= IMPORT_CUT_LIST)
			cut_note(cut, cutlen, e.id, ie->shortened,
			    host->person_lang(j->person));
	}
	if (host->commit(self) == -1)
		goto fail;
	return 0;
fail:
	host->rollback(self);
	host->log(self, CV_LOG_ERROR, "event import: %s", sqlite3_errmsg(db()));
	*made = 0;
	return -1;
}

/*
 * The download ended: read it, create what it holds, answer in one notice:
 * the counts, why invalid events were refused, which texts were shortened.
 */
static void
import_done(void *arg, const struct cv_http_result *res)
{
	struct import_job *j = arg;
	/* The organiser's language now: they may have changed it meanwhile. */
	const char *lang = host->person_lang(j->person);
	const struct ev_say say = { lang, host->tr };
	struct imp_result r;
	char err[400], ids[64], cut[600], more[48] = "", cutmore[48] = "", *counts, *why,
	                                  *cuts;
	int made, already, ncut;
	long long first, last;

	job_unlink(j);
	if (res->status == 0) {
		host->log(self, CV_LOG_INFO, "event import: download failed: %s",
		    res->error);
		/* The host's sentences are marked for translation (include/convene.h). */
		host->notice(j->nick, host->tr(lang, "Import failed: %s."),
		    host->tr(lang, res->error));
		goto out;
	}
	if (res->status < 200 || res->status > 299) {
		host->log(self, CV_LOG_INFO, "event import: the server answered %d",
		    res->status);
		host->notice(j->nick,
		    host->tr(lang, "Import failed: the server answered HTTP %d."),
		    res->status);
		goto out;
	}
	if (imp_parse(res->body, res->len, default_zone_get(), host->wall_now(),
	        host->clean_text, &say, &r, err, sizeof(err)) == -1) {
		/* What the organiser was told, in their language: the parse writes one. */
		host->log(self, CV_LOG_INFO, "event import: refused, told in %s: %s",
		    lang, err);
		host->notice(j->nick, host->tr(lang, "Import failed: %s."), err);
		goto out;
	}
	if (import_events(j, &r, &made, &already, &first, &last, cut, sizeof(cut),
	        &ncut) == -1) {
		host->notice(j->nick, "%s",
		    host->tr(lang,
		        "Import failed: the events could not be stored, nothing "
		        "was changed. Please try again later."));
		imp_result_free(&r);
		goto out;
	}
	if (made > 0)
		changed();
	id_range(ids, sizeof(ids), first, last, made);
	host->log(self, CV_LOG_INFO,
	    "event import: %d created, %d already there, %zu in the "
	    "calendar",
	    made, already + r.skipped.duplicate, r.n);
	if (r.nwhy > IMP_WHY_MAX)
		snprintf(more, sizeof(more), host->tr(lang, "; and %d more"),
		    r.nwhy - IMP_WHY_MAX);
	if (ncut > IMPORT_CUT_LIST)
		snprintf(cutmore, sizeof(cutmore), host->tr(lang, " and %d more"),
		    ncut - IMPORT_CUT_LIST);
	/* One notice in three sentences, each a message of its own. */
	counts =
	    msgf(host->ntr(lang,
	             "Imported %d event%s; skipped %d already imported, %d recurring, "
	             "%d all-day, %d too long, %d past, %d cancelled, %d invalid.",
	             "Imported %d events%s; skipped %d already imported, %d recurring, "
	             "%d all-day, %d too long, %d past, %d cancelled, %d invalid.",
	             (unsigned long)made),
	        made, ids, already + r.skipped.duplicate, r.skipped.recurring,
	        r.skipped.allday, r.skipped.too_long, r.skipped.past, r.skipped.cancelled,
	        r.skipped.invalid);
	why = r.why != NULL ? msgf(host->tr(lang, " Invalid: %s%s."), r.why, more) :
	                      cv_xstrdup("");
	cuts = ncut > 0 ? msgf(host->tr(lang, " Shortened to fit: %s%s."), cut, cutmore) :
	                  cv_xstrdup("");
	host->notice(j->nick, "%s%s%s", counts, why, cuts);
	free(counts);
	free(why);
	free(cuts);
	imp_result_free(&r);
out:
	job_free(j);
}

void
cmd_event_import(struct cv_ctx *ctx)
{
	const char *url = ctx->argv[0], *v, *channel;
	static const char *const headers[] = {
		"Accept: text/calendar, text/plain;q=0.5, */*;q=0.1",
		NULL,
	};
	struct cv_http_request req = { 0 };
	struct import_job *j;
	char source[512];
	long timeout_s = IMPORT_TIMEOUT_S;

	if (!organizer(ctx))
		return;
	if ((strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0) ||
	    strlen(url) > IMPORT_URL_MAX || strpbrk(url, " \t\r\n") != NULL) {
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Give one http:// or https:// link to an .ics file. "
		        "Usage: event import URL"));
		return;
	}
	if (jobs_running() >= IMPORT_JOBS_MAX) {
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Other imports are running: please try again in a minute."));
		return;
	}
	if ((v = import_key("import_timeout")) != NULL) {
		char *end;
		long t = strtol(v, &end, 10);

		if (isdigit((unsigned char)v[0]) && *end == '\0' && t >= 1 && t <= 300)
			timeout_s = t;
	}
	channel = ctx->channel != NULL ? ctx->channel : host->config(self, "channel");
	if (channel == NULL)
		channel = host->channel(0);
	imp_source_url(url, source, sizeof(source));
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		abort();
	j->nick = xstrdup(ctx->who->nick);
	j->person = xstrdup(ctx->who->id);
	j->channel = xstrdup(channel);
	j->source = xstrdup(source);

	req.method = "GET";
	req.url = url;
	req.headers = headers;
	req.max_bytes = IMPORT_MAX_BYTES;
	req.timeout_ms = timeout_s * 1000;
	req.follow = true;
	req.allow_private = yes(import_key("import_allow_private"));
	if (host->http_request(self, &req, import_done, j) == -1) {
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Import failed: that link cannot be fetched (http and https only)."));
		job_free(j);
		return;
	}
	j->next = jobs;
	jobs = j;
	host->log(self, CV_LOG_INFO, "event import started");
}
