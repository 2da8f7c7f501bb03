/*
 * notices.c: telling people. Notices to registrants go out at once to those
 * whose nick is theirs now and are kept for the others until they are next
 * seen; relayed people are addressed in their channel.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events_int.h"

/* People seen while notices were kept for them: told after the current command. */
static struct seen {
	char *id, *nick;
} * seen_q;
static size_t nseen;
cv_timer_id seen_timer;

/*
 * A message of any length, formatted into a new string (caller frees): a
 * join link is never cut by a buffer. The host splits long notices.
 */
char *
msgf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = cv_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/*
 * A relayed person (struct cv_person's `via`) is stored with the nick
 * "CHANNEL NAME": the channel they last registered or spoke in, where they
 * are reached, and the name they show. No IRC nick holds a space.
 */
#define RELAYED_ID "r:"

bool
relayed(const char *person)
{
	return strncmp(person, RELAYED_ID, strlen(RELAYED_ID)) == 0;
}

/* The nick to store for the asker: theirs, or "CHANNEL NAME" when relayed. */
const char *
stored_nick(struct cv_ctx *ctx, char *buf, size_t n)
{
	if (ctx->who->via == NULL)
		return ctx->who->nick;
	snprintf(buf, n, "%s %s", ctx->who->via, ctx->who->nick);
	return buf;
}

/* Where a relayed person is reached, and the name to address: false if unknown. */
bool
relayed_where(const char *stored, char *chan, size_t n, const char **name)
{
	size_t len = strcspn(stored, " ");

	if (stored[len] != ' ' || len == 0 || len >= n)
		return false;
	memcpy(chan, stored, len);
	chan[len] = '\0';
	*name = stored + len + 1;
	return true;
}

/* Who is told at once in one language: nicks packed into one notice_many. */
struct told {
	const char *lang;
	const char **nicks;
	size_t n;
};

/* Add nick to the group of its language (groups: at most one per language). */
static void
group_add(struct told **g, size_t *ng, const char *lang, const char *nick)
{
	size_t i;

	for (i = 0; i < *ng && strcmp((*g)[i].lang, lang) != 0; i++)
		;
	if (i == *ng) {
		if ((*g = realloc(*g, (*ng + 1) * sizeof(**g))) == NULL)
			abort();
		(*g)[i] = (struct told){ lang, NULL, 0 };
		(*ng)++;
	}
	if (((*g)[i].nicks = realloc((*g)[i].nicks, ((*g)[i].n + 1) * sizeof(char *))) ==
	    NULL)
		abort();
	(*g)[i].nicks[(*g)[i].n++] = nick;
}

/* A relayed person is told in their channel, in their language or its. */
static void
tell_relayed(const struct ev_person *p, notice_fn *render, void *arg)
{
	char chan[128], *pub;
	const char *name;

	if (!relayed_where(p->nick, chan, sizeof(chan), &name))
		return;
	if ((pub = render(relayed_lang(p->person, chan), true, arg)) != NULL)
		host->say(chan, "%s: %s", name, pub);
	free(pub);
}

/* Keep a notice for one person away, in their language: true when kept. */
static bool
keep(const struct ev_person *p, long long event_id, time_t now, time_t expires,
    notice_fn *render, void *arg)
{
	char *text = render(host->person_lang(p->person), false, arg);
	bool ok = text != NULL &&
	    model_pending_add(db(), p->person, event_id, text, now, expires) == 0;

	free(text);
	return ok;
}

/*
 * A private notice to every person of some lists, each in their language
 * (render makes the text once per language): at once, packed as the
 * server's TARGMAX allows, to those whose nick is theirs now (host->holds:
 * whoever took a registrant's last nick gets nothing); kept for the others
 * until they are next seen, or until `expires`, written in their language
 * now. A relayed person gets render's public text instead (nothing private:
 * it is said in their channel, addressed to them), or nothing when NULL.
 */
void
tell_people_lang(const struct ev_people *const *lists, size_t nlists, long long event_id,
    time_t expires, notice_fn *render, void *arg)
{
	struct told *g = NULL;
	size_t ng = 0, kept = 0;
	bool open = false;
	time_t now = host->wall_now();

	for (size_t i = 0; i < nlists; i++) {
		for (size_t j = 0; j < lists[i]->n; j++) {
			const struct ev_person *p = &lists[i]->v[j];

			/* The relay repeats the channel: nothing is kept for later. */
			if (relayed(p->person)) {
				tell_relayed(p, render, arg);
				continue;
			}
			if (host->holds(p->nick, p->person)) {
				group_add(&g, &ng, host->person_lang(p->person), p->nick);
				continue;
			}
			if (!open && host->begin(self) == -1)
				continue;
			open = true;
			if (keep(p, event_id, now, expires, render, arg))
				kept++;
		}
	}
	if (open && host->commit(self) == -1) {
		host->rollback(self);
		host->log(self, CV_LOG_ERROR, "could not keep %zu notice(s): %s", kept,
		    sqlite3_errmsg(db()));
		kept = 0;
	}
	for (size_t i = 0; i < ng; i++) {
		char *text = render(g[i].lang, false, arg);

		if (text != NULL)
			host->notice_many(g[i].nicks, g[i].n, text);
		free(text);
		free(g[i].nicks);
	}
	free(g);
	if (kept > 0)
		host->log(self, CV_LOG_INFO,
		    "event #%lld: kept %zu notice(s) for people who "
		    "are away",
		    event_id, kept);
}

/* One text for every language (a caller not yet translated): text, or pub. */
struct same_text {
	const char *text, *pub;
};

static char *
same_text(const char *lang, bool pub, void *arg)
{
	const struct same_text *t = arg;
	const char *s = pub ? t->pub : t->text;

	return s != NULL ? cv_xstrdup(s) : NULL;
}

void
tell_people(const struct ev_people *const *lists, size_t nlists, long long event_id,
    time_t expires, const char *text, const char *pub)
{
	struct same_text t = { text, pub };

	tell_people_lang(lists, nlists, event_id, expires, same_text, &t);
}

/* A promotion, in the reader's language and their version of the title. */
static char *
promoted_text(const char *lang, bool pub, void *arg)
{
	struct ev_event e;
	char *s;

	/* Loaded for each language: localise replaces its texts. */
	if (model_event_get(db(), *(const long long *)arg, &e) != 0)
		return NULL;
	localise(&e, lang);
	if (pub)
		s = e.join_url != NULL ?
		    msgf(host->tr(lang,
		             "#%lld %s: a place opened, you are confirmed. The join link "
		             "is given in private only: ask the event's organisers for "
		             "it, or register from IRC."),
		        e.id, e.title) :
		    msgf(host->tr(lang, "#%lld %s: a place opened, you are confirmed."),
		        e.id, e.title);
	else
		s = e.join_url != NULL ?
		    msgf(host->tr(lang,
		             "#%lld %s: a place opened, you are confirmed. Join: %s"),
		        e.id, e.title, e.join_url) :
		    msgf(host->tr(lang, "#%lld %s: a place opened, you are confirmed."),
		        e.id, e.title);
	model_event_clear(&e);
	return s;
}

/* Tell each promoted person, in private, that they have a place now. */
void
tell_promoted(const struct ev_people *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct ev_people one = { &l->v[i], 1 };
		const struct ev_people *lists[] = { &one };
		struct ev_event e;

		if (model_event_get(db(), l->v[i].event_id, &e) != 0)
			continue;
		tell_people_lang(lists, 1, e.id, event_end(&e), promoted_text, &e.id);
		model_event_clear(&e);
	}
	if (l->n > 0)
		host->log(self, CV_LOG_INFO, "promoted %zu from waitlists", l->n);
}

/* Anything may have changed (many events): subscribers look at everything. */
void
changed(void)
{
	host->publish(CV_TOPIC_EVENTS_CHANGED, NULL);
}

/* Event `id` changed: its fields, its registrations (`person`'s, when one's), or both. */
void
changed_event(long long id, unsigned what, const char *person)
{
	struct cv_events_change c = { id, what, person };

	host->publish(CV_TOPIC_EVENTS_CHANGED, &c);
}

/*
 * Hand a person the notices kept for them while they were away, oldest
 * first, as `first` then the texts. Returns how many.
 */
size_t
deliver_kept(const char *id, const char *nick, struct cv_ctx *ctx)
{
	struct ev_notice *v;
	size_t n;

	if (host->begin(self) == -1)
		return 0;
	if (model_pending_take(db(), id, host->wall_now(), &v, &n) == -1 ||
	    host->commit(self) == -1) {
		host->rollback(self);
		host->log(self, CV_LOG_ERROR, "reading kept notices: %s",
		    sqlite3_errmsg(db()));
		return 0;
	}
	if (n > 0 && ctx != NULL)
		host->reply(ctx,
		    host->ntr(reader(ctx), "%zu notice kept for you while you were away:",
		        "%zu notices kept for you while you were away:", n),
		    n);
	for (size_t i = 0; i < n; i++) {
		if (ctx != NULL)
			host->reply(ctx, "%s", v[i].text);
		else
			host->notice(nick, "%s", v[i].text);
	}
	if (n > 0)
		host->log(self, CV_LOG_INFO, "delivered %zu kept notice(s)", n);
	model_notices_free(v, n);
	return n;
}

void
seen_clear(void)
{
	for (size_t i = 0; i < nseen; i++) {
		free(seen_q[i].id);
		free(seen_q[i].nick);
	}
	free(seen_q);
	seen_q = NULL;
	nseen = 0;
}

/*
 * Deliver what was kept for the people seen, after the command that showed
 * them; only to a nick still theirs (it may have changed hands meanwhile,
 * and a nick seen in private only is not watched): else it stays kept.
 */
static void
deliver_seen(void *arg)
{
	seen_timer = 0;
	for (size_t i = 0; i < nseen; i++)
		if (host->holds(seen_q[i].nick, seen_q[i].id))
			deliver_kept(seen_q[i].id, seen_q[i].nick, NULL);
	seen_clear();
}

/*
 * Someone joined a channel of ours or spoke to us. Keep stored nicks
 * current, so notices reach people who changed nick, and hand them what was
 * kept for them. That waits for a 0 ms timer: when they spoke a command,
 * it runs first, and `mine` shows the kept notices itself.
 */
void
on_person_seen(void *arg, const char *topic, const void *data)
{
	const struct cv_person *p = data;
	long long pending = 0;
	sqlite3_stmt *st;

	if (p == NULL || p->id == NULL || p->nick == NULL)
		return;
	if (host->begin(self) == -1)
		return;
	if (model_person_seen(db(), p->id, p->nick) == -1)
		host->rollback(self);
	else
		host->commit(self);
	if (sqlite3_prepare_v2(db(), "SELECT count(*) FROM pending_notices WHERE person = ?",
	        -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		pending = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (pending == 0)
		return;
	if ((seen_q = realloc(seen_q, (nseen + 1) * sizeof(*seen_q))) == NULL ||
	    (seen_q[nseen].id = strdup(p->id)) == NULL ||
	    (seen_q[nseen].nick = strdup(p->nick)) == NULL)
		abort();
	nseen++;
	if (seen_timer == 0)
		seen_timer = host->timer_add(self, 0, 0, deliver_seen, NULL);
}
