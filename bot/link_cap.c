/*
 * link_cap.c: registration with the server: CAP negotiation, the SASL
 * PLAIN login and what ISUPPORT (005) tells us.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "ircmsg.h"
#include "link.h"
#include "link_int.h"
#include "log.h"
#include "loop.h"
#include "presence.h"
#include "sendq.h"
#include "util.h"

/*
 * Is this cap in the space-separated list? *value (when asked for) is then
 * what follows its '=' up to the next space, or NULL when it has no value.
 */
static bool
cap_value(const char *list, const char *cap, const char **value)
{
	size_t n = strlen(cap);
	const char *p = list;

	while ((p = strstr(p, cap)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '=')) {
			if (value != NULL)
				*value = p[n] == '=' ? p + n + 1 : NULL;
			return true;
		}
		p += n;
	}
	return false;
}

static bool
has_cap(const char *list, const char *cap)
{
	return cap_value(list, cap, NULL);
}

/* Does a "sasl=MECH,MECH" value (ending at a space) list this mechanism? */
static bool
has_mech(const char *mechs, const char *mech)
{
	size_t n = strlen(mech), len;

	while (*mechs != '\0' && *mechs != ' ') {
		len = strcspn(mechs, ", ");
		if (len == n && strncasecmp(mechs, mech, n) == 0)
			return true;
		mechs += len;
		if (*mechs == ',')
			mechs++;
	}
	return false;
}

bool
want_sasl(void)
{
	return L.conf.sasl_user != NULL && L.conf.sasl_pass != NULL;
}

/* The one end of CAP negotiation: CAP END, once, while registering. */
void
cap_finish(void)
{
	bool send = L.cap != CAP_DONE && L.state == REGISTERING && !L.dead;

	L.cap = CAP_DONE;
	loop_timer_cancel(L.cap_timer);
	L.cap_timer = 0;
	if (send)
		urgent("CAP END");
}

/* CAP LS got no answer in time: register without capabilities. */
void
cap_end(void *arg)
{
	L.cap_timer = 0;
	if (L.cap != CAP_LS)
		return;
	if (want_sasl())
		sasl_failed("the server did not answer CAP LS");
	cap_finish();
}

void
isupport(const struct ircmsg *m)
{
	int i;

	/* params: [me, TOKEN, TOKEN..., "are supported by this server"] */
	for (i = 1; i < m->nparams - 1; i++) {
		const char *t = m->params[i];

		if (strncmp(t, "CASEMAPPING=", 12) == 0) {
			L.casemap = casemap_parse(t + 12);
			presence_casemap(L.casemap);
			account_casemap(L.casemap);
		} else if (strncmp(t, "CHANTYPES=", 10) == 0) {
			cv_strlcpy(L.chantypes, t + 10, sizeof L.chantypes);
		} else if (strncmp(t, "TARGMAX=", 8) == 0) {
			const char *p = strstr(t, "NOTICE:");

			if (p != NULL && (p == t + 8 || p[-1] == ',')) {
				long v = strtol(p + 7, NULL, 10);

				/* An empty value means no limit; stay modest. */
				L.targmax_notice = v > 0 ? (v > 20 ? 20 : v) : 4;
			}
		} else if (strncmp(t, "MAXTARGETS=", 11) == 0 && L.targmax_notice == 0) {
			long v = strtol(t + 11, NULL, 10);

			L.targmax_notice = v > 0 ? (v > 20 ? 20 : v) : 0;
		}
	}
	/* The same answer to several people then goes out as one line. */
	sendq_set_pack(L.q, L.targmax_notice);
}

void
sasl_failed(const char *why)
{
	if (L.conf.sasl_required) {
		log_error("SASL login as %s failed (%s); sasl_required = yes, so "
		          "disconnecting to retry later",
		    L.conf.sasl_user, why);
		L.dead = true;
		return;
	}
	log_warn("SASL login as %s failed (%s); continuing without an account "
	         "(set sasl_required = yes to refuse that)",
	    L.conf.sasl_user, why);
}

/* AUTHENTICATE with base64("user\0user\0password") in 400-byte pieces. */
static void
sasl_send(void)
{
	size_t ul = strlen(L.conf.sasl_user), pl = strlen(L.conf.sasl_pass),
	       n = 2 * ul + pl + 2;
	char *raw = xmalloc(n), *b64, line[420];
	size_t len, off;

	memcpy(raw, L.conf.sasl_user, ul);
	raw[ul] = '\0';
	memcpy(raw + ul + 1, L.conf.sasl_user, ul);
	raw[2 * ul + 1] = '\0';
	memcpy(raw + 2 * ul + 2, L.conf.sasl_pass, pl);
	b64 = base64_encode(raw, n);
	explicit_bzero(raw, n);
	free(raw);
	len = strlen(b64);
	for (off = 0; off < len; off += 400) {
		snprintf(line, sizeof line, "AUTHENTICATE %.400s", b64 + off);
		urgent(line);
	}
	/* A last piece of exactly 400 bytes is followed by an empty one. */
	if (len % 400 == 0)
		urgent("AUTHENTICATE +");
	explicit_bzero(line, sizeof line);
	explicit_bzero(b64, len);
	free(b64);
}

/*
 * CAP negotiation: sasl when we have credentials and the server takes
 * PLAIN, and the two caps that carry accounts without message tags
 * (libircclient cannot parse tags). A line in a step that does not expect
 * it (a second LS, an ACK we did not ask for, anything after CAP END but
 * NEW and DEL, which we do not use) changes nothing.
 */
void
cap_line(const struct ircmsg *m)
{
	const char *sub = m->nparams >= 2 ? m->params[1] : "";
	const char *list = m->nparams >= 3 ? m->params[m->nparams - 1] : "";
	bool more = m->nparams >= 4 && strcmp(m->params[2], "*") == 0;
	const char *mechs;
	char req[128] = "", line[160];

	if (strcmp(sub, "LS") == 0 && L.cap == CAP_LS) {
		if (cap_value(list, "sasl", &mechs)) {
			L.offer_sasl = true;
			/* No value (CAP 301): mechanisms unknown; PLAIN is worth a try. */
			L.offer_plain |= mechs == NULL || has_mech(mechs, "PLAIN");
		}
		L.offer_accnotify |= has_cap(list, "account-notify");
		L.offer_extjoin |= has_cap(list, "extended-join");
		if (more)
			return;
		loop_timer_cancel(L.cap_timer);
		L.cap_timer = 0;
		L.services = L.offer_sasl || L.offer_accnotify;
		L.req_sasl = want_sasl() && L.offer_sasl && L.offer_plain;
		if (want_sasl() && !L.req_sasl) {
			sasl_failed(L.offer_sasl ? "the server offers no SASL PLAIN" :
			                           "the server offers no SASL");
			if (L.dead)
				return;
		}
		if (L.req_sasl)
			strcat(req, "sasl ");
		if (L.offer_accnotify)
			strcat(req, "account-notify ");
		if (L.offer_extjoin)
			strcat(req, "extended-join ");
		if (req[0] == '\0') {
			cap_finish();
			return;
		}
		req[strlen(req) - 1] = '\0';
		snprintf(line, sizeof line, "CAP REQ :%s", req);
		urgent(line);
		L.cap = CAP_REQ;
	} else if (strcmp(sub, "ACK") == 0 && L.cap == CAP_REQ) {
		L.cap_accnotify = has_cap(list, "account-notify");
		L.cap_extjoin = has_cap(list, "extended-join");
		if (L.req_sasl && has_cap(list, "sasl") && want_sasl()) {
			L.cap = CAP_AUTH;
			urgent("AUTHENTICATE PLAIN");
			return;
		}
		if (L.req_sasl)
			sasl_failed("the server did not enable sasl");
		cap_finish();
	} else if (strcmp(sub, "NAK") == 0 && L.cap == CAP_REQ) {
		/* A REQ is all or nothing: none of them is on. */
		if (L.req_sasl)
			sasl_failed("the server refused the capabilities");
		cap_finish();
	}
}

/*
 * AUTHENTICATE from the server: the credentials go out only as the answer
 * to the "+" after our own AUTHENTICATE PLAIN, once.
 */
void
authenticate_line(const struct ircmsg *m)
{
	if (L.cap != CAP_AUTH || !want_sasl()) {
		if (!L.auth_warned)
			log_warn("ignored an AUTHENTICATE the bot did not ask for");
		L.auth_warned = true;
		return;
	}
	L.cap = CAP_AUTH_SENT;
	if (m->nparams >= 1 && strcmp(m->params[0], "+") == 0)
		sasl_send();
	else
		urgent("AUTHENTICATE *"); /* PLAIN has no challenge: abort */
}
