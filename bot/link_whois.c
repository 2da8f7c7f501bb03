/*
 * link_whois.c: on a network with services, a command waits here until a
 * WHOIS has told us the sender's account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "ircmsg.h"
#include "link.h"
#include "link_int.h"
#include "log.h"
#include "loop.h"
#include "presence.h"
#include "util.h"

/* The user@host the WHOIS being answered gave for nick (311), or NULL. */
static const char *
whois_uh(const char *nick)
{
	if (L.whois_nick[0] == '\0' || casecmp(L.whois_nick, nick, L.casemap) != 0)
		return NULL;
	return L.whois_uh;
}

static void
deliver(const char *origin, const char *account, const char *target, const char *text)
{
	if (L.h.seen != NULL)
		L.h.seen(origin, account);
	if (L.h.message != NULL)
		L.h.message(origin, account, target, text);
}

static bool
whois_pending(const char *nick)
{
	size_t i;
	char n[64];

	for (i = 0; i < L.npending; i++) {
		ircmsg_nick(L.pending[i].origin, n, sizeof n);
		if (casecmp(n, nick, L.casemap) == 0)
			return true;
	}
	return false;
}

void
pending_free(size_t i)
{
	free(L.pending[i].origin);
	free(L.pending[i].target);
	free(L.pending[i].text);
	memmove(&L.pending[i], &L.pending[i + 1], (--L.npending - i) * sizeof *L.pending);
}

/*
 * Who a command comes from decides what it may do, so on a network with
 * services a command waits until we know the sender's account.
 */
void
message_arrived(const char *origin, const char *target, const char *text)
{
	const char *account = NULL;
	char nick[64], line[128];

	ircmsg_nick(origin, nick, sizeof nick);
	if (!L.services || account_lookup_from(origin, &account)) {
		deliver(origin, account, target, text);
		return;
	}
	if (L.npending == PENDING_MAX) {
		log_warn("too many commands waiting for account lookups; dropped one");
		return;
	}
	if (!whois_pending(nick)) {
		snprintf(line, sizeof line, "WHOIS %s", nick);
		own(line);
	}
	L.pending = xrealloc(L.pending, (L.npending + 1) * sizeof *L.pending);
	L.pending[L.npending++] = (struct pending){ xstrdup(origin), xstrdup(target),
		xstrdup(text), loop_now() };
}

/*
 * Drop the commands waiting under nick: whoever sent them no longer holds
 * it, so a WHOIS of nick would answer for someone else.
 */
void
pending_drop(const char *nick, const char *why)
{
	size_t i = 0;
	char n[64];

	while (i < L.npending) {
		ircmsg_nick(L.pending[i].origin, n, sizeof n);
		if (casecmp(n, nick, L.casemap) != 0) {
			i++;
			continue;
		}
		log_warn("dropped a command from %s: %s before its account was known", n,
		    why);
		pending_free(i);
	}
}

/*
 * The WHOIS ended: run that nick's waiting commands, in order. The answer
 * is about whoever holds the nick now; a command whose sender had another
 * user@host is not run with it (the nick changed hands meanwhile).
 */
static void
whois_done(const char *nick)
{
	const char *account = NULL, *uh;
	size_t i = 0;
	char n[64];
	bool known = casecmp(L.whois_nick, nick, L.casemap) == 0;

	account_lookup(nick, &account);
	while (i < L.npending) {
		ircmsg_nick(L.pending[i].origin, n, sizeof n);
		if (casecmp(n, nick, L.casemap) != 0) {
			i++;
			continue;
		}
		uh = strchr(L.pending[i].origin, '!');
		if (known && uh != NULL && strcmp(uh + 1, L.whois_uh) == 0)
			deliver(L.pending[i].origin, account, L.pending[i].target,
			    L.pending[i].text);
		else
			log_warn("dropped a command from %s: the nick changed hands before its "
			         "account was known",
			    n);
		pending_free(i);
	}
	L.whois_nick[0] = '\0';
	/* Without account-notify nothing would tell us of a later change. */
	if (!L.cap_accnotify || !presence_online(nick))
		account_forget(nick);
}

void
pending_expire(void)
{
	size_t i = 0;
	char nick[64];

	while (i < L.npending) {
		if (loop_now() - L.pending[i].at < PENDING_TIMEOUT_MS) {
			i++;
			continue;
		}
		ircmsg_nick(L.pending[i].origin, nick, sizeof nick);
		link_text("NOTICE", nick,
		    "Sorry, I could not check your services account in time; "
		    "please try again.");
		pending_free(i);
	}
}

/* The WHOIS replies, as libircclient hands them to ev_numeric. */
void
whois_numeric(unsigned int event, const char **params, unsigned int count)
{
	/* 311 RPL_WHOISUSER: [me, nick, user, host, "*", realname] */
	if (event == 311 && count >= 4) {
		cv_strlcpy(L.whois_nick, params[1], sizeof L.whois_nick);
		snprintf(L.whois_uh, sizeof L.whois_uh, "%s@%s", params[2], params[3]);
	}
	/* 330 RPL_WHOISACCOUNT: [me, nick, account, "is logged in as"] */
	if (event == 330 && count >= 3)
		account_set(params[1], whois_uh(params[1]), params[2]);
	/* 318 RPL_ENDOFWHOIS: [me, nick, ...]; no 330 before it: no account. */
	if (event == 318 && count >= 2) {
		const char *a;

		if (!account_lookup(params[1], &a))
			account_set(params[1], whois_uh(params[1]), NULL);
		whois_done(params[1]);
	}
}
