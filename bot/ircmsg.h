/*
 * ircmsg.h: a small parser for the lines the relay itself must read
 * (PING, CAP, AUTHENTICATE, ISUPPORT, numerics, our own NICK and JOIN):
 * libircclient keeps only 10 parameters and cannot be asked for the rest.
 * Pure; used on guarded lines.
 */
#ifndef CV_IRCMSG_H
#define CV_IRCMSG_H

#include <stddef.h>

#define IRCMSG_MAX_PARAMS 15

struct ircmsg {
	char buf[512];
	const char *prefix;  /* without ':', or NULL */
	const char *command; /* as sent: "PRIVMSG", "001" */
	const char *params[IRCMSG_MAX_PARAMS];
	int nparams;
};

/* 0, or -1 for a line with no command. Tags are ignored. */
int ircmsg_parse(const char *line, struct ircmsg *m);

/* The nick part of a "nick!user@host" prefix, into out. */
void ircmsg_nick(const char *prefix, char *out, size_t outsz);

#endif
