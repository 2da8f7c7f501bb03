/*
 * commands.c: the plugin's commands (feed, feed reset) and forgetting a
 * person.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendars.h"

/* ---- commands ---- */

static void
reply_personal(struct cv_ctx *ctx, const char *token, const char *intro)
{
	char *base = base_url(), path[CAL_TOKEN_LEN + 16], *url, *web;

	snprintf(path, sizeof(path), "me/%s.ics", token);
	url = cal_feed_url(base, path);
	web = cal_webcal_url(base, path);
	host->reply(ctx,
	    host->tr(ctx->lang,
	        "%s %s (calendar apps: %s). Keep it to yourself: anyone with it sees "
	        "your registrations and join links. 'feed reset' replaces it."),
	    intro, url, web);
	explicit_bzero(url, strlen(url));
	explicit_bzero(web, strlen(web));
	free(url);
	free(web);
	free(base);
}

/* The person's token, made when they have none. 1 found, 0 made, -1 failed. */
static int
token_for(const char *person, char tok[CAL_TOKEN_LEN + 1], bool reset)
{
	int rc = reset ? 0 : cal_token_get(db(), person, tok);

	if (rc != 0)
		return rc;
	if (cal_token_new(tok) == -1 || host->begin(self) == -1)
		return -1;
	if (cal_token_set(db(), person, tok, host->wall_now()) == -1) {
		host->rollback(self);
		return -1;
	}
	if (host->commit(self) == -1)
		return -1;
	return 0;
}

/*
 * A personal link is a secret: never said where a relay repeats it. True
 * (and the asker told so) when the asker is a relayed person.
 */
static bool
relayed_asker(struct cv_ctx *ctx)
{
	if (ctx->who->via == NULL)
		return false;
	host->reply(ctx, "%s",
	    host->tr(ctx->lang,
	        "A personal calendar link is given in private only: ask for it from IRC."));
	return true;
}

void
cmd_feed(struct cv_ctx *ctx)
{
	char *base = base_url(), *url, tok[CAL_TOKEN_LEN + 1],
	     path[CAL_CHANNEL_KEY_MAX + 24];
	/* The feeds and the page of the reader's language (README, "Calendar feeds"). */
	const char *fr = lang_is_fr(ctx->lang) ? "fr/" : "";
	size_t shown = 0;

	snprintf(path, sizeof(path), "%sall.ics", fr);
	url = cal_feed_url(base, path);
	host->reply(ctx,
	    host->tr(ctx->lang, "All events: %s (a page with subscribe links: %s/%s)"),
	    url, base, fr);
	free(url);
	for (size_t i = 1; i < pub.n; i++) {
		if (strncmp(pub.v[i].path, "channel/", 8) != 0)
			continue;
		if (++shown > 10) {
			host->reply(ctx,
			    host->tr(ctx->lang,
			        "More channel calendars are listed on %s/%s"),
			    base, fr);
			break;
		}
		snprintf(path, sizeof(path), "%s%s", fr, pub.v[i].path);
		url = cal_feed_url(base, path);
		host->reply(ctx, host->tr(ctx->lang, "Events of %s: %s"), pub.v[i].label,
		    url);
		free(url);
	}
	free(base);
	if (relayed_asker(ctx))
		return;
	if (token_for(ctx->who->id, tok, false) == -1) {
		host->log(self, CV_LOG_ERROR, "could not make a personal feed token");
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Sorry, your personal calendar is not available: please try "
		        "again later."));
		return;
	}
	reply_personal(ctx, tok,
	    host->tr(ctx->lang, "Your personal calendar (your registrations):"));
	explicit_bzero(tok, sizeof(tok));
}

void
cmd_feed_reset(struct cv_ctx *ctx)
{
	char tok[CAL_TOKEN_LEN + 1];

	if (relayed_asker(ctx))
		return;
	if (token_for(ctx->who->id, tok, true) == -1) {
		host->log(self, CV_LOG_ERROR, "could not reset a personal feed token");
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Sorry, that did not work and nothing was changed: please try "
		        "again later."));
		return;
	}
	personal_forget(ctx->who->id);
	host->log(self, CV_LOG_INFO, "a personal feed token was reset");
	reply_personal(ctx, tok,
	    host->tr(ctx->lang,
	        "Your old personal calendar link no longer works. The new one:"));
	explicit_bzero(tok, sizeof(tok));
}

/*
 * A person's data is erased (`forget confirm`): their token goes too. The
 * host also hands us, right after init, the people forgotten while we were
 * not loaded; only p->id is set then.
 */
void
on_forget(void *arg, const char *topic, const void *data)
{
	const struct cv_person *p = data;

	if (p == NULL || p->id == NULL)
		return;
	if (host->begin(self) == -1)
		return;
	if (cal_token_delete(db(), p->id) == -1)
		host->rollback(self);
	else
		host->commit(self);
	personal_forget(p->id);
}
