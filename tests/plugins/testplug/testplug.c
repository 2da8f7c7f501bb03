/*
 * testplug: a plugin the end-to-end tests load to exercise the host:
 * a member command, an organiser command, a pending timer, an HTTP route,
 * the bus, and its config section.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convene.h"

static const struct cv_host *host;
static struct cv_plugin *self;
static char timer_nick[64];
static int loads;
/* Nicks the bus said were seen since init, case-folded; the oldest go first. */
static char seen[16][64];
static size_t nseen;

static void
fired(void *arg)
{
	host->notice(timer_nick, "testplug timer fired");
}

static void
tping(struct cv_ctx *ctx)
{
	host->reply(ctx, "tpong %s role=%d id=%s", ctx->argc ? ctx->argv[0] : "-",
	    (int)ctx->who->role, ctx->who->id);
}

static void
tsecret(struct cv_ctx *ctx)
{
	host->reply(ctx, "organiser secret");
}

static void
ttimer(struct cv_ctx *ctx)
{
	long s = strtol(ctx->argv[0], NULL, 10);

	snprintf(timer_nick, sizeof timer_nick, "%s", ctx->who->nick);
	host->timer_add(self, s * 1000, 0, fired, NULL);
	host->reply(ctx, "timer set for %ld s", s);
}

static void
trest(struct cv_ctx *ctx)
{
	host->reply(ctx, "argc=%d first=[%s] rest=[%s]", ctx->argc, ctx->argv[0],
	    ctx->argv[1]);
}

static void
on_seen(void *arg, const char *topic, const void *data)
{
	const struct cv_person *who = data;

	if (nseen == sizeof seen / sizeof seen[0]) {
		memmove(seen[0], seen[1], sizeof seen - sizeof seen[0]);
		nseen--;
	}
	snprintf(seen[nseen], sizeof seen[nseen], "%s", who->nick);
	host->casefold(seen[nseen++]);
}

static void
tseen(struct cv_ctx *ctx)
{
	char nick[64];
	size_t i;

	snprintf(nick, sizeof nick, "%s", ctx->argv[0]);
	host->casefold(nick);
	for (i = 0; i < nseen; i++)
		if (strcmp(seen[i], nick) == 0)
			break;
	host->reply(ctx, "%s %s", i < nseen ? "seen" : "not seen", ctx->argv[0]);
}

static int
hello(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	static char body[128];
	const char *greeting = host->config(self, "greeting");

	if (strcmp(req->path, "/test/hello") != 0)
		return -1;
	resp->len = snprintf(body, sizeof body, "%s from testplug\n",
	    greeting ? greeting : "hello");
	resp->body = body;
	resp->content_type = "text/plain; charset=utf-8";
	snprintf(resp->etag, sizeof resp->etag, "\"t%zu\"", resp->len);
	return 0;
}

static const struct cv_command commands[] = {
	{ "tping", "[word]", "answer tpong", 0, 1, CV_ROLE_MEMBER, 0, tping },
	{ "tsecret", "", "organisers only", 0, 0, CV_ROLE_ORGANIZER, 0, tsecret },
	{ "ttimer", "SECONDS", "notice after SECONDS", 1, 1, CV_ROLE_MEMBER, 0, ttimer },
	{ "trest", "WORD TEXT...", "echo the rest of the line", 2, 2, CV_ROLE_MEMBER,
	    CV_CMD_REST, trest },
	{ "tseen", "NICK", "was NICK seen on the bus since load", 1, 1, CV_ROLE_MEMBER, 0,
	    tseen },
};

static int
init(struct cv_plugin *p, const struct cv_host *h, char *err, size_t errlen)
{
	host = h;
	self = p;
	loads++;
	nseen = 0;
	if (host->commands(p, commands, sizeof commands / sizeof commands[0]) < 0 ||
	    host->route(p, "/test/", hello, NULL) < 0 ||
	    host->subscribe(p, CV_TOPIC_PERSON_SEEN, on_seen, NULL) < 0) {
		snprintf(err, errlen, "cannot register");
		return -1;
	}
	host->log(p, CV_LOG_INFO, "testplug loaded (%d)", loads);
	return 0;
}

static const char *const keys[] = { "greeting", NULL };

const struct cv_plugin_desc convene_plugin = {
	.abi_major = CONVENE_ABI_MAJOR,
	.abi_minor = CONVENE_ABI_MINOR,
	.name = "testplug",
	.version = "1.0",
	.config_keys = keys,
	.init = init,
};
