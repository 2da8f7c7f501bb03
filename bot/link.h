/*
 * link.h: the connection to the IRC network.
 *
 * libircclient parses the protocol, but Debian's build has no TLS and
 * several parser hazards, so it never talks to the network itself. It
 * connects to a loopback listener of ours, and this module relays bytes
 * between it and the real server: upstream over libcurl (plain TCP or TLS
 * with verified certificates), downstream through the line guard. The
 * relay also does what libircclient cannot: CAP LS 302 before
 * registration, PING/PONG, ISUPPORT, nick collisions and our own nick,
 * liveness timeouts and reconnects with backoff. Every line we send goes
 * through the one send queue (sendq.h).
 */
#ifndef CV_LINK_H
#define CV_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "mask.h"

struct link_channel {
	char *name;
	char *key; /* NULL when none */
};

struct link_conf {
	char *server;
	unsigned port;
	bool tls;
	char *ca_file; /* NULL: the system's CA store */
	bool verify;
	char *nick, *username, *realname;
	struct link_channel *channels;
	size_t nchannels;
	unsigned flood_burst;
	double flood_rate;
	char *sasl_user;
	char *sasl_pass; /* the secret itself; wiped on free */
	bool sasl_required;
};

void link_conf_free(struct link_conf *c);

/*
 * What the link tells the host. Origins are "nick!user@host" (or a server
 * name); targets are as sent.
 */
struct link_handler {
	void (*registered)(void);
	/*
	 * A PRIVMSG that is not CTCP, to a channel or to us. account is the
	 * sender's services account, or NULL when they have none (or the
	 * network has no services).
	 */
	void (*message)(const char *origin, const char *account, const char *target,
	    const char *text);
	/* Someone joined a channel of ours or spoke to us. */
	void (*seen)(const char *origin, const char *account);
	/* Someone quit or left the last channel we shared. */
	void (*gone)(const char *nick);
};

/* Copies the conf. Starts connecting from the loop. */
int link_start(const struct link_conf *c, const struct link_handler *h);
/* New settings (SIGHUP): joins and parts channels that changed, new pacing. */
void link_reconfigure(const struct link_conf *c);
/* QUIT, flush, then done() (within a few seconds even if the server hangs). */
void link_quit(const char *reason, void (*done)(void));
void link_free(void);

/* Output, all through the send queue. */
void link_text(const char *cmd, const char *target, const char *text);
void link_raw(const char *key, const char *line);
/* The same NOTICE to many nicks, TARGMAX targets per line. */
void link_notice_many(const char *const *targets, size_t n, const char *text);
void link_join(const char *channel, const char *key);
void link_part(const char *channel);

const char *link_nick(void);
bool link_registered(void);
/* Lines from the server already here that a later pass will read. */
bool link_lines_waiting(void);
/* Our services account after a SASL login, or NULL. */
const char *link_account(void);
enum casemap link_casemap(void);
bool link_is_channel(const char *target);
/* The channels of the current conf, in order; NULL past the end. */
const char *link_channel(size_t i);

#endif
