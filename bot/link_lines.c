/*
 * link_lines.c: the server lines the link reads itself, from one table
 * (as ngircd's parse.c reads commands, and cmd.c ours). Each line is
 * parsed once here with ircmsg_parse; a command the table does not name
 * goes on to libircclient (link_relay.c) unread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ircmsg.h"
#include "link.h"
#include "link_int.h"
#include "log.h"
#include "loop.h"
#include "util.h"

static void
try_alternate_nick(void)
{
	char line[96], alt[64];

	L.alt++;
	if (L.alt == 1)
		snprintf(alt, sizeof alt, "%s_", L.conf.nick);
	else
		snprintf(alt, sizeof alt, "%.20s%d", L.conf.nick,
		    (int)(random() % 9000) + 1000);
	set_nick(alt);
	snprintf(line, sizeof line, "NICK %s", alt);
	urgent(line);
}

/* PING: answered at once, ahead of everything queued. */
static bool
line_ping(const struct ircmsg *m)
{
	char pong[512];

	snprintf(pong, sizeof pong, "PONG :%s", m->nparams > 0 ? m->params[0] : "");
	urgent(pong);
	return false;
}

/* PONG: the answer to our liveness PING; any line read was proof enough. */
static bool
line_pong(const struct ircmsg *m)
{
	return false;
}

static bool
line_error(const struct ircmsg *m)
{
	log_warn("server closes the link: %s", m->nparams > 0 ? m->params[0] : "");
	return false;
}

static bool
line_cap(const struct ircmsg *m)
{
	cap_line(m);
	return false;
}

static bool
line_authenticate(const struct ircmsg *m)
{
	authenticate_line(m);
	return false;
}

/* 900 RPL_LOGGEDIN: [me, nick!user@host, account, text] */
static bool
line_logged_in(const struct ircmsg *m)
{
	cv_strlcpy(L.account, m->params[2], sizeof L.account);
	return true;
}

/* 903 RPL_SASLSUCCESS, while our login is under way. */
static bool
line_sasl_ok(const struct ircmsg *m)
{
	if (L.cap == CAP_AUTH || L.cap == CAP_AUTH_SENT) {
		log_info("SASL login as %s succeeded", L.conf.sasl_user);
		cap_finish();
	}
	return true;
}

/* 902, 904, 905, 906, 908: the login failed or was aborted. */
static bool
line_sasl_failed(const struct ircmsg *m)
{
	if (L.cap == CAP_AUTH || L.cap == CAP_AUTH_SENT) {
		sasl_failed(m->nparams > 1 ? m->params[m->nparams - 1] : m->command);
		cap_finish();
	}
	return true;
}

/* 001 RPL_WELCOME: [nick the server gave us, text] */
static bool
line_welcome(const struct ircmsg *m)
{
	/* Welcomed while SASL was still to come: it never will. */
	if (L.cap != CAP_DONE && want_sasl() && (L.cap == CAP_LS || L.req_sasl))
		sasl_failed("the server welcomed the bot before SASL");
	L.cap = CAP_DONE;
	if (L.dead)
		return false;
	L.state = REGISTERED;
	set_nick(m->params[0]);
	loop_timer_cancel(L.register_timer);
	loop_timer_cancel(L.cap_timer);
	L.register_timer = L.cap_timer = 0;
	L.stable_timer = loop_timer(STABLE_MS, 0, stable, NULL);
	log_info("registered as %s", L.nick);
	join_all();
	if (L.h.registered != NULL)
		L.h.registered();
	return true;
}

static bool
line_isupport(const struct ircmsg *m)
{
	isupport(m);
	return true;
}

/* 432, 433, 437 while registering: the nick is refused; try another. */
static bool
line_nick_refused(const struct ircmsg *m)
{
	if (L.state != REGISTERING)
		return true;
	log_info("nick %s is taken; trying another", L.nick);
	try_alternate_nick();
	return false;
}

/* QUIT, or another's NICK: the nick we want may be free now. */
static bool
line_quit(const struct ircmsg *m)
{
	char nick[64];

	if (m->prefix == NULL)
		return true;
	ircmsg_nick(m->prefix, nick, sizeof nick);
	if (casecmp(nick, L.conf.nick, L.casemap) == 0)
		regain(NULL); /* whoever held our nick let it go */
	return true;
}

/* NICK: ours changed, or see line_quit. */
static bool
line_nick(const struct ircmsg *m)
{
	char nick[64];

	if (m->prefix == NULL)
		return true;
	ircmsg_nick(m->prefix, nick, sizeof nick);
	if (!is_me(nick))
		return line_quit(m);
	set_nick(m->params[0]);
	log_info("now known as %s", L.nick);
	return true;
}

/*
 * What the link reads itself. A handler returning true passes the line on
 * to libircclient as well (NICK and QUIT drive its callbacks too, and 001
 * ends its registration).
 */
static const struct link_line lines[] = {
	{ "PING", 0, line_ping },
	{ "PONG", 0, line_pong },
	{ "ERROR", 0, line_error },
	{ "CAP", 0, line_cap },
	{ "AUTHENTICATE", 0, line_authenticate },
	{ "900", 3, line_logged_in },
	{ "902", 0, line_sasl_failed },
	{ "903", 0, line_sasl_ok },
	{ "904", 0, line_sasl_failed },
	{ "905", 0, line_sasl_failed },
	{ "906", 0, line_sasl_failed },
	{ "908", 0, line_sasl_failed },
	{ "001", 1, line_welcome },
	{ "005", 0, line_isupport },
	{ "432", 0, line_nick_refused },
	{ "433", 0, line_nick_refused },
	{ "437", 0, line_nick_refused },
	{ "NICK", 1, line_nick },
	{ "QUIT", 0, line_quit },
};

const struct link_line *
link_line_find(const char *command)
{
	size_t i;

	for (i = 0; i < sizeof lines / sizeof *lines; i++)
		if (strcmp(lines[i].command, command) == 0)
			return &lines[i];
	return NULL;
}

bool
relay_line(const char *line)
{
	struct ircmsg m;
	const struct link_line *l;

	if (ircmsg_parse(line, &m) < 0)
		return false;
	l = link_line_find(m.command);
	if (l == NULL || m.nparams < l->min_params)
		return true;
	return l->fn(&m);
}
