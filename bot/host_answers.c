/*
 * host_answers.c: what plugins send to people (reply, notice, say,
 * notice_many), and the answers held until the pass's commit makes the
 * change they confirm durable (host_pass_end).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host.h"
#include "host_priv.h"
#include "i18n.h"
#include "link.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "util.h"

/* ---- output ---- */

/*
 * With grouped commits, the changes of one loop pass share one COMMIT at the
 * end of the pass. An answer confirms a change, so answers queued while that
 * transaction is open are held here until it is durable.
 */
struct held {
	char *cmd, *text;
	char **targets; /* one, or the several of a notice_many */
	size_t n;
	const char *lang; /* the command's reader's, for the sorry notice */
};

static struct held *held;
static size_t nheld, held_cap;

static void
hold(const char *cmd, const char *const *targets, size_t n, char *text)
{
	struct held *h;
	size_t i;

	if (nheld == held_cap) { /* a burst's pass holds hundreds */
		held_cap = held_cap ? 2 * held_cap : 16;
		held = xrealloc(held, held_cap * sizeof *held);
	}
	h = &held[nheld++];
	h->cmd = xstrdup(cmd);
	h->text = text;
	h->targets = xcalloc(n, sizeof *h->targets);
	h->n = n;
	h->lang = i18n_reader();
	for (i = 0; i < n; i++)
		h->targets[i] = xstrdup(targets[i]);
}

static void
vsend(const char *cmd, const char *target, const char *fmt, va_list ap)
{
	char *text = xvasprintf(fmt, ap);

	if (store_group_open()) {
		hold(cmd, &target, 1, text);
		return;
	}
	link_text(cmd, target, text);
	free(text);
}

void
api_notice_many(const char *const *targets, size_t n, const char *text)
{
	if (!store_group_open()) {
		link_notice_many(targets, n, text);
		return;
	}
	if (n > 0)
		hold("NOTICE", targets, n, xstrdup(text));
}

/* Was target k of held answer i already a target of an earlier one? */
static bool
held_before(size_t i, size_t k)
{
	size_t j, m;

	for (j = 0; j <= i; j++)
		for (m = 0; m < (j < i ? held[j].n : k); m++)
			if (strcmp(held[j].targets[m], held[i].targets[k]) == 0)
				return true;
	return false;
}

/*
 * A burst of commands shares one commit: while lines the server already
 * sent wait for the next pass, the pass's transaction stays open, for up to
 * GROUP_PASSES passes (about 1,000 lines) and GROUP_MS. Each commit costs an
 * fsync, about as much as the commands of a whole pass; the answers wait
 * milliseconds, next to the send queue's pacing of seconds. Lines that come
 * one by one still get their own commit at the end of their pass.
 */
#define GROUP_PASSES 64
#define GROUP_MS 50

static bool
group_more(void)
{
	static unsigned passes;
	static int64_t since;

	if (!store_group_open() || passes + 1 >= GROUP_PASSES || loop_stopping() ||
	    (passes > 0 && loop_now() - since >= GROUP_MS) || !link_lines_waiting()) {
		passes = 0;
		return false;
	}
	if (passes++ == 0)
		since = loop_now();
	return true;
}

void
host_pass_end(void *arg)
{
	static const char sorry[] =
	    N_("Sorry, that could not be saved (the database "
	       "refused it) and nothing was changed: please try again later.");
	size_t i, k;
	int rc;

	if ((!store_group_open() && nheld == 0) || group_more())
		return;
	rc = store_group_open() ? store_pass_end() : 0;
	for (i = 0; i < nheld; i++) {
		if (rc == 0) {
			if (held[i].n == 1)
				link_text(held[i].cmd, held[i].targets[0], held[i].text);
			else
				link_notice_many((const char *const *)held[i].targets,
				    held[i].n, held[i].text);
			continue;
		}
		/* Nothing of the pass was kept: say so once per person instead. */
		for (k = 0; k < held[i].n; k++)
			if (!held_before(i, k))
				link_text("NOTICE", held[i].targets[k],
				    tr(i18n_target(held[i].targets[k], held[i].lang),
				        sorry));
	}
	for (i = 0; i < nheld; i++) {
		for (k = 0; k < held[i].n; k++)
			free(held[i].targets[k]);
		free(held[i].targets);
		free(held[i].cmd);
		free(held[i].text);
	}
	free(held);
	held = NULL;
	nheld = held_cap = 0;
}

void
host_reply(struct cv_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (ctx->who->via != NULL) {
		/*
		 * A relay carries only what is said in the channel, and may drop
		 * NOTICE: a relayed person is answered there, by name.
		 */
		char *text = xvasprintf(fmt, ap);

		host_say_to(ctx->who->via, ctx->who->nick, "%s", text);
		free(text);
	} else {
		vsend("NOTICE", ctx->who->nick, fmt, ap);
	}
	va_end(ap);
}

void
host_say_to(const char *channel, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	api_say(channel, "%s: %s", name, text);
	free(text);
}

void
host_notice(const char *target, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsend("NOTICE", target, fmt, ap);
	va_end(ap);
}

void
api_say(const char *target, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsend("PRIVMSG", target, fmt, ap);
	va_end(ap);
}
