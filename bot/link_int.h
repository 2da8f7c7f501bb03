/*
 * link_int.h: what the link files share, and only they include. The link
 * (link.h) is five files around one state, L:
 *
 *   link.c        lifecycle: settings, accessors, output and pacing,
 *                 connect, liveness, teardown, reconnect, quit
 *   link_lines.c  the table of server lines the link reads itself
 *   link_cap.c    CAP negotiation, SASL PLAIN, ISUPPORT
 *   link_whois.c  commands waiting for the sender's account (WHOIS)
 *   link_relay.c  the loopback relay to libircclient and all it needs:
 *                 its session, low fd, guarded input, ev_* callbacks
 *
 * Each file's exports are listed below under its name.
 */
#ifndef CV_LINK_INT_H
#define CV_LINK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backoff.h"
#include "curl_lazy.h"
#include "link.h"
#include "mask.h"

struct ircmsg;

#define CONNECT_TIMEOUT_MS 30000
#define REGISTER_TIMEOUT_MS 60000
#define CAP_TIMEOUT_MS 5000
#define IDLE_PING_MS 120000 /* silence before we PING the server */
#define DEAD_MS 180000      /* silence before we give up on it */
#define STABLE_MS 60000     /* up this long: the backoff starts over */
#define REGAIN_MS 15000     /* how often we try to take our nick back */
#define QUIT_GRACE_MS 3000
#define SENDQ_MAX_LINES 5000

enum state { IDLE, CONNECTING, REGISTERING, REGISTERED, QUITTING };

/*
 * Where CAP negotiation stands. Each server line about it is acted on only
 * in the step that expects it: an AUTHENTICATE we did not ask for gets no
 * password, and CAP END goes out once.
 */
enum capstep {
	CAP_LS,        /* CAP LS 302 sent; collecting the (multi-line) answer */
	CAP_REQ,       /* CAP REQ sent; waiting for ACK or NAK */
	CAP_AUTH,      /* AUTHENTICATE PLAIN sent; waiting for "AUTHENTICATE +" */
	CAP_AUTH_SENT, /* credentials sent; waiting for 903 or a failure */
	CAP_DONE,      /* CAP END sent, or registration went on without CAP */
};

#define PENDING_MAX 64
#define PENDING_TIMEOUT_MS 15000

/* A command from someone whose services account we are looking up. */
struct pending {
	char *origin, *target, *text;
	int64_t at;
};

struct link_state {
	struct link_conf conf;
	struct link_handler h;
	enum state state;

	CURL *up;                /* upstream connection over TLS (libcurl), or NULL */
	struct tcp_connect *tcp; /* a plain connection being opened */
	int up_fd; /* the connection's socket: libcurl's with TLS, ours without */
	struct watch *up_watch;
	char *outbuf; /* bytes for upstream not yet sent */
	size_t outlen, outcap;

	struct sendq *q;
	struct backoff backoff;
	uint64_t reconnect_timer, register_timer, cap_timer, live_timer, stable_timer,
	    regain_timer, quit_timer;
	int64_t last_rx;
	bool pinged;
	int64_t next_wait; /* until the queue may send again, or -1 */
	bool dead;         /* set in callbacks, acted on after them */

	char nick[64];
	int alt; /* alternate nicks tried */
	enum casemap casemap;
	char chantypes[16];
	unsigned targmax_notice; /* 0: not announced, one target a line */

	/* CTCP answers are rate limited: a bucket of its own. */
	double ctcp_tokens;
	int64_t ctcp_last;

	/* Capabilities, SASL and services accounts. */
	enum capstep cap;
	/* What CAP LS offered, gathered line by line: an LS may be any length. */
	bool offer_sasl, offer_plain, offer_accnotify, offer_extjoin;
	bool req_sasl;    /* our CAP REQ asked for sasl */
	bool auth_warned; /* logged a stray AUTHENTICATE already */
	bool services;    /* the network has accounts */
	bool cap_accnotify, cap_extjoin;
	char account[64];        /* ours, after SASL */
	struct pending *pending; /* commands waiting for a WHOIS */
	size_t npending;
	char whois_nick[64]; /* the WHOIS being answered (311) ... */
	char whois_uh[192];  /* ... and its user@host */

	void (*quit_done)(void);
};

extern struct link_state L;

/* link.c */
bool is_me(const char *nick);
void left_channel(const char *channel);
void set_nick(const char *nick);
void join_all(void);
void stable(void *arg);
void regain(void *arg);
void own(const char *line);
void urgent(const char *line);

/* link_lines.c */
/*
 * One kind of server line the link reads itself. fn returns whether
 * libircclient sees the line afterwards; a line with fewer than
 * min_params parameters is not the link's and goes on unread.
 */
struct link_line {
	const char *command; /* "PING", "001", as sent */
	int min_params;
	bool (*fn)(const struct ircmsg *m);
};

/* The entry for a command, or NULL when libircclient alone reads it. */
const struct link_line *link_line_find(const char *command);
/* Reads one guarded line; false when libircclient must not see it. */
bool relay_line(const char *line);

/* link_cap.c */
bool want_sasl(void);
void cap_finish(void);
void cap_end(void *arg);
void isupport(const struct ircmsg *m);
void sasl_failed(const char *why);
void cap_line(const struct ircmsg *m);
void authenticate_line(const struct ircmsg *m);

/* link_whois.c */
void message_arrived(const char *origin, const char *target, const char *text);
void whois_numeric(unsigned int event, const char **params, unsigned int count);
void pending_free(size_t i);
void pending_drop(const char *nick, const char *why);
void pending_expire(void);

/* link_relay.c */
void reserve_low_fd(void);
int start_irc_session(void);
void relay_feed(const char *buf, size_t n);
void relay_stop(void);
void relay_free(void);
void irc_before(void *arg);

#endif
