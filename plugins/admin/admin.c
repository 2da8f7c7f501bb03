/*
 * admin: owners' commands to manage plugins, channels and organisers at
 * run time, without dropping the IRC connection.
 */
#include <stdio.h>
#include <string.h>

#include "convene.h"

static const struct cv_host *host;

static void
plugin_list(struct cv_ctx *ctx)
{
	char list[400];
	size_t i, len = 0;
	const char *name;

	list[0] = '\0';
	for (i = 0; (name = host->plugin_name(i)) != NULL && len < sizeof list; i++)
		len += snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", name);
	if (len)
		host->reply(ctx, host->tr(ctx->lang, "Plugins loaded: %s"), list);
	else
		host->reply(ctx, "%s", host->tr(ctx->lang, "Plugins loaded: none"));
}

static void
plugin_op(struct cv_ctx *ctx)
{
	/* "plugin load" -> "load" */
	host->plugin_ctl(ctx, ctx->command + strlen("plugin "), ctx->argv[0]);
}

static bool
channel_ok(const char *c)
{
	return (c[0] == '#' || c[0] == '&') && c[1] != '\0' && strlen(c) <= 50 &&
	    strpbrk(c, ",\a") == NULL;
}

static void
join(struct cv_ctx *ctx)
{
	if (!channel_ok(ctx->argv[0])) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "'%.60s' is not a channel name. Usage: join "
		        "#channel [key]"),
		    ctx->argv[0]);
		return;
	}
	host->join(ctx->argv[0], ctx->argc > 1 ? ctx->argv[1] : NULL);
	host->reply(ctx, host->tr(ctx->lang, "Joining %s."), ctx->argv[0]);
}

static void
part(struct cv_ctx *ctx)
{
	if (!channel_ok(ctx->argv[0])) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "'%.60s' is not a channel name. Usage: part "
		        "#channel"),
		    ctx->argv[0]);
		return;
	}
	host->part(ctx->argv[0]);
	host->reply(ctx, host->tr(ctx->lang, "Leaving %s."), ctx->argv[0]);
}

static void
organizer_add(struct cv_ctx *ctx)
{
	const char *m = ctx->argv[0];

	if (!host->mask_valid(m)) {
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "'%.80s' is not a mask: use nick!user@host "
		        "(with * and ?) or account:NAME."),
		    m);
		return;
	}
	switch (host->organizer_add(m)) {
	case 0:
		host->reply(ctx, host->tr(ctx->lang, "%s is now an organiser."), m);
		break;
	case 1:
		host->reply(ctx, host->tr(ctx->lang, "%s was already an organiser."), m);
		break;
	default:
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Could not save that: the database "
		        "refused it. Try again later."));
	}
}

static void
organizer_del(struct cv_ctx *ctx)
{
	switch (host->organizer_del(ctx->argv[0])) {
	case 0:
		host->reply(ctx, host->tr(ctx->lang, "%s is no longer an organiser."),
		    ctx->argv[0]);
		break;
	case 1:
		host->reply(ctx, host->tr(ctx->lang, "%s was not an organiser."),
		    ctx->argv[0]);
		break;
	default:
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Could not save that: the database "
		        "refused it. Try again later."));
	}
}

static void
organizer_list(struct cv_ctx *ctx)
{
	char list[400];
	size_t i, len = 0;
	const char *m;

	list[0] = '\0';
	for (i = 0; (m = host->organizer(i)) != NULL && len < sizeof list; i++)
		len += snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", m);
	if (len)
		host->reply(ctx, host->tr(ctx->lang, "Organisers (%zu): %s"), i, list);
	else
		host->reply(ctx, "%s", host->tr(ctx->lang, "Organisers (0): none"));
}

/* One command a line: clang-format would wrap the long ones. */
/* clang-format off */
static const struct cv_command commands[] = {
	{ "plugin list", "", N_("list the loaded plugins"), 0, 0, CV_ROLE_OWNER, 0, plugin_list },
	{ "plugin load", "NAME", N_("load a plugin"), 1, 1, CV_ROLE_OWNER, 0, plugin_op },
	{ "plugin unload", "NAME", N_("unload a plugin"), 1, 1, CV_ROLE_OWNER, 0, plugin_op },
	{ "plugin reload", "NAME", N_("unload and load a plugin again"), 1, 1, CV_ROLE_OWNER, 0, plugin_op },
	{ "join", "#channel [key]", N_("join a channel"), 1, 2, CV_ROLE_OWNER, 0, join },
	{ "part", "#channel", N_("leave a channel"), 1, 1, CV_ROLE_OWNER, 0, part },
	{ "organizer add", "MASK", N_("make nick!user@host or account:NAME an organiser"), 1, 1,
	    CV_ROLE_OWNER, 0, organizer_add },
	{ "organizer del", "MASK", N_("remove an organiser"), 1, 1, CV_ROLE_OWNER, 0, organizer_del },
	{ "organizer list", "", N_("list the organisers"), 0, 0, CV_ROLE_OWNER, 0, organizer_list },
};
/* clang-format on */

static int
init(struct cv_plugin *p, const struct cv_host *h, char *err, size_t errlen)
{
	host = h;
	if (host->commands(p, commands, sizeof commands / sizeof commands[0]) < 0) {
		snprintf(err, errlen, "cannot register its commands");
		return -1;
	}
	return 0;
}

static const char *const keys[] = { NULL };

const struct cv_plugin_desc convene_plugin = {
	.abi_major = CONVENE_ABI_MAJOR,
	.abi_minor = CONVENE_ABI_MINOR,
	.name = "admin",
	.version = "1.0",
	.config_keys = keys,
	.init = init,
};
