/* link.c: the relay between libircclient and the real server. See link.h. */
#include <sys/select.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libircclient.h>

#include "account.h"
#include "backoff.h"
#include "guard.h"
#include "ircmsg.h"
#include "link.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "net.h"
#include "presence.h"
#include "sendq.h"
#include "text.h"
#include "util.h"

#define CONNECT_TIMEOUT_MS 30000
#define REGISTER_TIMEOUT_MS 60000
#define CAP_TIMEOUT_MS 5000
#define IDLE_PING_MS 120000	/* silence before we PING the server */
#define DEAD_MS 180000		/* silence before we give up on it */
#define STABLE_MS 60000		/* up this long: the backoff starts over */
#define REGAIN_MS 15000		/* how often we try to take our nick back */
#define QUIT_GRACE_MS 3000
#define SENDQ_MAX_LINES 5000

enum state { IDLE, CONNECTING, REGISTERING, REGISTERED, QUITTING };

/*
 * Where CAP negotiation stands. Each server line about it is acted on only
 * in the step that expects it: an AUTHENTICATE we did not ask for gets no
 * password, and CAP END goes out once.
 */
enum capstep {
	CAP_LS,		/* CAP LS 302 sent; collecting the (multi-line) answer */
	CAP_REQ,	/* CAP REQ sent; waiting for ACK or NAK */
	CAP_AUTH,	/* AUTHENTICATE PLAIN sent; waiting for "AUTHENTICATE +" */
	CAP_AUTH_SENT,	/* credentials sent; waiting for 903 or a failure */
	CAP_DONE,	/* CAP END sent, or registration went on without CAP */
};

#define PENDING_MAX 64
#define PENDING_TIMEOUT_MS 15000

/* A command from someone whose services account we are looking up. */
struct pending {
	char *origin, *target, *text;
	int64_t at;
};

static struct {
	struct link_conf conf;
	struct link_handler h;
	enum state state;

	CURL *up;			/* upstream connection */
	int up_fd;
	struct watch *up_watch;
	char *outbuf;			/* bytes for upstream not yet sent */
	size_t outlen, outcap;
	struct linebuf *in;

	irc_session_t *irc;		/* libircclient, on the loopback side */
	int listen_fd, down_fd;
	struct watch *listen_watch, *down_watch, *irc_watch;
	int irc_fd;
	unsigned short irc_port;	/* its local port: the only peer we accept */
	char downbuf[4096];
	size_t downlen;
	char *to_irc;			/* guarded lines waiting for libircclient */
	size_t to_irc_len, to_irc_cap;

	struct sendq *q;
	struct backoff backoff;
	uint64_t reconnect_timer, register_timer, cap_timer, live_timer,
	    stable_timer, regain_timer, quit_timer;
	int64_t last_rx;
	bool pinged;
	int64_t next_wait;		/* until the queue may send again, or -1 */
	bool dead;			/* set in callbacks, acted on after them */

	char nick[64];
	int alt;			/* alternate nicks tried */
	enum casemap casemap;
	char chantypes[16];
	unsigned targmax_notice;	/* 0: not announced, one target a line */
	int placeholder;		/* keeps a low fd free for libircclient */

	/* CTCP answers are rate limited: a bucket of its own. */
	double ctcp_tokens;
	int64_t ctcp_last;

	/* Capabilities, SASL and services accounts. */
	enum capstep cap;
	/* What CAP LS offered, gathered line by line: an LS may be any length. */
	bool offer_sasl, offer_plain, offer_accnotify, offer_extjoin;
	bool req_sasl;			/* our CAP REQ asked for sasl */
	bool auth_warned;		/* logged a stray AUTHENTICATE already */
	bool services;			/* the network has accounts */
	bool cap_accnotify, cap_extjoin;
	char account[64];		/* ours, after SASL */
	struct pending *pending;	/* commands waiting for a WHOIS */
	size_t npending;
	char whois_nick[64];		/* the WHOIS being answered (311) ... */
	char whois_uh[192];		/* ... and its user@host */

	void (*quit_done)(void);
} L = { .up_fd = -1, .listen_fd = -1, .down_fd = -1, .irc_fd = -1, .placeholder = -1 };

static void teardown(const char *why);
static void cap_end(void *arg);
static void sasl_failed(const char *why);
static void pump(void);
static void connect_upstream(void *arg);

/* ---- configuration ---- */

void
link_conf_free(struct link_conf *c)
{
	size_t i;

	free(c->server);
	free(c->ca_file);
	free(c->nick);
	free(c->username);
	free(c->realname);
	for (i = 0; i < c->nchannels; i++) {
		free(c->channels[i].name);
		free(c->channels[i].key);
	}
	free(c->channels);
	free(c->sasl_user);
	if (c->sasl_pass != NULL) {
		explicit_bzero(c->sasl_pass, strlen(c->sasl_pass));
		free(c->sasl_pass);
	}
	memset(c, 0, sizeof *c);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
conf_copy(struct link_conf *dst, const struct link_conf *src)
{
	size_t i;

	*dst = *src;
	dst->server = dup_or_null(src->server);
	dst->ca_file = dup_or_null(src->ca_file);
	dst->nick = dup_or_null(src->nick);
	dst->username = dup_or_null(src->username);
	dst->realname = dup_or_null(src->realname);
	dst->sasl_user = dup_or_null(src->sasl_user);
	dst->sasl_pass = dup_or_null(src->sasl_pass);
	dst->channels = xcalloc(src->nchannels, sizeof *dst->channels);
	for (i = 0; i < src->nchannels; i++) {
		dst->channels[i].name = xstrdup(src->channels[i].name);
		dst->channels[i].key = dup_or_null(src->channels[i].key);
	}
}

/* ---- helpers ---- */

/*
 * libircclient uses select() sets and Debian builds it fortified, so its
 * socket must get an fd below FD_SETSIZE. We hold a low placeholder fd and
 * close it just before libircclient makes its socket: the kernel hands out
 * the lowest free fd, which is then at most the placeholder's.
 */
static void
reserve_low_fd(void)
{
	if (L.placeholder < 0)
		L.placeholder = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (L.placeholder >= FD_SETSIZE) {
		close(L.placeholder);
		L.placeholder = -1;
	}
}

static void
release_low_fd(void)
{
	if (L.placeholder >= 0)
		close(L.placeholder);
	L.placeholder = -1;
}

bool
link_is_channel(const char *target)
{
	return target[0] != '\0' && strchr(L.chantypes, target[0]) != NULL;
}

const char *
link_nick(void)
{
	return L.nick;
}

bool
link_registered(void)
{
	return L.state == REGISTERED;
}

const char *
link_account(void)
{
	return L.account[0] ? L.account : NULL;
}

enum casemap
link_casemap(void)
{
	return L.casemap;
}

const char *
link_channel(size_t i)
{
	return i < L.conf.nchannels ? L.conf.channels[i].name : NULL;
}

static bool
is_me(const char *nick)
{
	return casecmp(nick, L.nick, L.casemap) == 0;
}

/* The user@host of "nick!user@host", or NULL. */
static const char *
user_host(const char *origin)
{
	const char *bang = strchr(origin, '!');

	return bang != NULL ? bang + 1 : NULL;
}

/* The user@host the WHOIS being answered gave for nick (311), or NULL. */
static const char *
whois_uh(const char *nick)
{
	if (L.whois_nick[0] == '\0' || casecmp(L.whois_nick, nick, L.casemap) != 0)
		return NULL;
	return L.whois_uh;
}

/*
 * We left a channel: its people are out of sight unless another channel
 * shows them, and a nick we no longer see may change hands unnoticed, so
 * what we knew of its account goes too.
 */
static void
left_channel(const char *channel)
{
	presence_drop_channel(channel);
	account_prune(presence_online);
}

/* ---- output ---- */

void
link_text(const char *cmd, const char *target, const char *text)
{
	if (L.state != REGISTERED && L.state != QUITTING)
		return;
	/* The queue logs what it drops, once per episode. */
	sendq_text(L.q, cmd, target, text);
	pump();
}

void
link_raw(const char *key, const char *line)
{
	if (L.state != REGISTERED)
		return;
	sendq_raw(L.q, key, line);
	pump();
}

/* The bot's own protocol lines (JOIN, PART, WHOIS): ahead of answers. */
static void
own(const char *line)
{
	if (L.state != REGISTERED)
		return;
	sendq_own(L.q, line);
	pump();
}

/*
 * One NOTICE line to several nicks costs the server's penalty once, so a
 * reminder to many people goes out as few lines as TARGMAX allows.
 */
void
link_notice_many(const char *const *targets, size_t n, const char *text)
{
	size_t i = 0, per = L.targmax_notice ? L.targmax_notice : 1;

	while (i < n) {
		char list[400];
		size_t k, len = 0;

		list[0] = '\0';
		for (k = 0; k < per && i < n; k++, i++) {
			size_t tl = strlen(targets[i]);

			if (len + tl + 2 > sizeof list || (k > 0 && len + tl + 1 > 200))
				break;
			if (len > 0)
				list[len++] = ',';
			memcpy(list + len, targets[i], tl + 1);
			len += tl;
		}
		if (len == 0) {		/* a single target longer than the list */
			link_text("NOTICE", targets[i++], text);
			continue;
		}
		link_text("NOTICE", list, text);
	}
}

void
link_join(const char *channel, const char *key)
{
	char *line = key ? xasprintf("JOIN %s %s", channel, key) : xasprintf("JOIN %s", channel);

	own(line);
	free(line);
}

void
link_part(const char *channel)
{
	char *line = xasprintf("PART %s :Convene", channel);

	own(line);
	free(line);
	left_channel(channel);
}

/*
 * Before 001 a line takes no token: servers count an unregistered client's
 * lines apart and start afresh at registration (Solanum and ircd-hybrid
 * reset the count then and grant a grace burst until the first JOIN or
 * message; ngircd never drops a client for its pace, it only reads slower),
 * so the CAP/NICK/USER/AUTHENTICATE lines do not use up the burst the JOIN
 * and the first answers need.
 */
static void
urgent(const char *line)
{
	if (L.state == REGISTERING)
		sendq_login(L.q, line);
	else
		sendq_urgent(L.q, line);
	pump();
}

/* Move what the queue lets go now into the upstream buffer, then send. */
static void
flush_up(void)
{
	while (L.outlen > 0) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(L.up, L.outbuf, L.outlen, &n);

		if (rc == CURLE_AGAIN)
			break;
		if (rc != CURLE_OK) {
			log_warn("send to server failed: %s", curl_easy_strerror(rc));
			L.dead = true;
			return;
		}
		memmove(L.outbuf, L.outbuf + n, L.outlen - n);
		L.outlen -= n;
	}
	if (L.up_watch != NULL)
		loop_watch_events(L.up_watch, POLLIN | (L.outlen ? POLLOUT : 0));
}

static void
pump(void)
{
	const char *line;

	L.next_wait = -1;
	if (L.up == NULL || L.up_fd < 0)
		return;
	/* Keep at most one line in flight so the pacing stays ours. */
	while (L.outlen == 0 && (line = sendq_pop(L.q, loop_now(), &L.next_wait)) != NULL) {
		size_t n = strlen(line);

		if (n > L.outcap) {
			L.outcap = n + 512;
			L.outbuf = xrealloc(L.outbuf, L.outcap);
		}
		memcpy(L.outbuf, line, n);
		L.outlen = n;
		flush_up();
	}
}

/* Before each poll: send what the bucket allows, and wake when it allows more. */
static void
before_poll(void *arg)
{
	pump();
	if (L.outlen == 0 && L.next_wait >= 0)
		loop_wake_within(L.next_wait);
}

/* ---- downstream: libircclient ---- */

static void
queue_for_irc(const char *line, size_t len)
{
	if (L.to_irc_len + len + 2 > L.to_irc_cap) {
		L.to_irc_cap = L.to_irc_len + len + 4096;
		L.to_irc = xrealloc(L.to_irc, L.to_irc_cap);
	}
	memcpy(L.to_irc + L.to_irc_len, line, len);
	memcpy(L.to_irc + L.to_irc_len + len, "\r\n", 2);
	L.to_irc_len += len + 2;
	if (L.down_watch != NULL)
		loop_watch_events(L.down_watch, POLLIN | POLLOUT);
}

static void
on_down(void *arg, int fd, short revents)
{
	if (revents & POLLOUT && L.to_irc_len > 0) {
		ssize_t n = send(fd, L.to_irc, L.to_irc_len, MSG_NOSIGNAL);

		if (n > 0) {
			memmove(L.to_irc, L.to_irc + n, L.to_irc_len - n);
			L.to_irc_len -= n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			L.dead = true;
		}
		loop_watch_events(L.down_watch, POLLIN | (L.to_irc_len ? POLLOUT : 0));
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		ssize_t n = recv(fd, L.downbuf + L.downlen, sizeof L.downbuf - L.downlen - 1, 0);
		char *nl;

		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				L.dead = true;
			return;
		}
		L.downlen += n;
		L.downbuf[L.downlen] = '\0';
		/* libircclient only ever sends NICK and USER here. */
		while ((nl = memchr(L.downbuf, '\n', L.downlen)) != NULL) {
			size_t len = nl - L.downbuf + 1;

			*nl = '\0';
			if (nl > L.downbuf && nl[-1] == '\r')
				nl[-1] = '\0';
			if (L.downbuf[0] != '\0')
				urgent(L.downbuf);
			memmove(L.downbuf, L.downbuf + len, L.downlen - len);
			L.downlen -= len;
		}
		if (L.downlen >= sizeof L.downbuf - 1)
			L.downlen = 0;
	}
}

static void
on_listen(void *arg, int fd, short revents)
{
	struct sockaddr_in peer;
	socklen_t plen = sizeof peer;
	int c = accept4(fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (c < 0)
		return;
	/* Anyone on this machine could connect; only libircclient may. */
	if (peer.sin_addr.s_addr != htonl(INADDR_LOOPBACK) || ntohs(peer.sin_port) != L.irc_port) {
		log_warn("relay: refused a stranger on the loopback listener");
		close(c);
		return;
	}
	L.down_fd = c;
	L.down_watch = loop_watch(c, POLLIN | (L.to_irc_len ? POLLOUT : 0), on_down, NULL);
	loop_unwatch(L.listen_watch);
	L.listen_watch = NULL;
	close(L.listen_fd);
	L.listen_fd = -1;
}

static void
irc_before(void *arg)
{
	fd_set r, w;
	int maxfd = -1;
	short ev = 0;

	if (L.irc == NULL || L.irc_fd < 0)
		return;
	FD_ZERO(&r);
	FD_ZERO(&w);
	irc_add_select_descriptors(L.irc, &r, &w, &maxfd);
	if (FD_ISSET(L.irc_fd, &r))
		ev |= POLLIN;
	if (FD_ISSET(L.irc_fd, &w))
		ev |= POLLOUT;
	loop_watch_events(L.irc_watch, ev);
}

static void
on_irc(void *arg, int fd, short revents)
{
	fd_set r, w;

	FD_ZERO(&r);
	FD_ZERO(&w);
	if (revents & (POLLIN | POLLHUP | POLLERR))
		FD_SET(fd, &r);
	if (revents & POLLOUT)
		FD_SET(fd, &w);
	/* Never disconnect inside its callbacks: they only set L.dead. */
	if (irc_process_select_descriptors(L.irc, &r, &w) != 0) {
		log_warn("irc: session ended (%s)", irc_strerror(irc_errno(L.irc)));
		L.dead = true;
	}
}

/* ---- libircclient's events ---- */

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
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '=')) {
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

static void
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
static void
ev_message(irc_session_t *s, const char *event, const char *origin,
    const char **params, unsigned int count)
{
	const char *account = NULL;
	char nick[64], line[128];

	if (count < 2 || origin == NULL || params[1] == NULL)
		return;
	ircmsg_nick(origin, nick, sizeof nick);
	if (!L.services || account_lookup_from(origin, &account)) {
		deliver(origin, account, params[0], params[1]);
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
	L.pending[L.npending++] = (struct pending){ xstrdup(origin), xstrdup(params[0]),
	    xstrdup(params[1]), loop_now() };
}

/*
 * Drop the commands waiting under nick: whoever sent them no longer holds
 * it, so a WHOIS of nick would answer for someone else.
 */
static void
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
		log_warn("dropped a command from %s: %s before its account was known", n, why);
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
			deliver(L.pending[i].origin, account, L.pending[i].target, L.pending[i].text);
		else
			log_warn("dropped a command from %s: the nick changed hands before its "
			    "account was known", n);
		pending_free(i);
	}
	L.whois_nick[0] = '\0';
	/* Without account-notify nothing would tell us of a later change. */
	if (!L.cap_accnotify || !presence_online(nick))
		account_forget(nick);
}

static void
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
		link_text("NOTICE", nick, "Sorry, I could not check your services account in time; "
		    "please try again.");
		pending_free(i);
	}
}

static void
ev_account(irc_session_t *s, const char *event, const char *origin,
    const char **params, unsigned int count)
{
	char nick[64];

	/* account-notify: ":nick!u@h ACCOUNT name" or "ACCOUNT *" */
	if (strcmp(event, "ACCOUNT") != 0 || origin == NULL || count < 1)
		return;
	ircmsg_nick(origin, nick, sizeof nick);
	account_set(nick, user_host(origin), params[0]);
}

static void
ctcp_reply(const char *nick, const char *what, const char *arg)
{
	int64_t now = loop_now();
	char text[256];

	/* Three answers back to back, then one every ten seconds. */
	L.ctcp_tokens += (now - L.ctcp_last) / 10000.0;
	if (L.ctcp_tokens > 3)
		L.ctcp_tokens = 3;
	L.ctcp_last = now;
	if (L.ctcp_tokens < 1)
		return;
	L.ctcp_tokens -= 1;
	snprintf(text, sizeof text, "\001%s %s\001", what, arg);
	link_text("NOTICE", nick, text);
}

static void
ev_ctcp(irc_session_t *s, const char *event, const char *origin,
    const char **params, unsigned int count)
{
	char nick[64], stamp[64];
	const char *req = count > 0 && params[0] ? params[0] : "";
	time_t now;
	struct tm tm;

	if (origin == NULL)
		return;
	ircmsg_nick(origin, nick, sizeof nick);
	if (strcmp(req, "VERSION") == 0) {
		ctcp_reply(nick, "VERSION", "Convene " CONVENE_VERSION);
	} else if (strncmp(req, "PING ", 5) == 0 || strcmp(req, "PING") == 0) {
		char arg[64];

		cv_strlcpy(arg, req[4] ? req + 5 : "", sizeof arg);
		ctcp_reply(nick, "PING", arg);
	} else if (strcmp(req, "TIME") == 0) {
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		ctcp_reply(nick, "TIME", stamp);
	}
	/* FINGER, CLIENTINFO, DCC and the rest get nothing. */
}

static void
ev_join(irc_session_t *s, const char *event, const char *origin,
    const char **params, unsigned int count)
{
	char nick[64];

	if (origin == NULL || count < 1)
		return;
	ircmsg_nick(origin, nick, sizeof nick);
	if (is_me(nick)) {
		log_info("joined %s", params[0]);
		return;
	}
	presence_join(params[0], nick);
	/* extended-join: [channel, account or "*", realname] */
	if (L.cap_extjoin && count >= 2)
		account_set(nick, user_host(origin), params[1]);
	if (L.h.seen != NULL) {
		const char *account = NULL;

		account_lookup(nick, &account);
		L.h.seen(origin, account);
	}
}

static void
gone(const char *nick)
{
	if (presence_online(nick))
		return;
	account_forget(nick);
	if (L.h.gone != NULL)
		L.h.gone(nick);
}

static void
ev_part(irc_session_t *s, const char *event, const char *origin,
    const char **params, unsigned int count)
{
	char nick[64];

	if (origin == NULL || count < 1)
		return;
	ircmsg_nick(origin, nick, sizeof nick);
	if (is_me(nick)) {
		left_channel(params[0]);
		return;
	}
	presence_part(params[0], nick);
	gone(nick);
}

static void
ev_kick(irc_session_t *s, const char *event, const char *origin,
    const char **params, unsigned int count)
{
	size_t i;

	/* params are [channel, victim, reason] whatever the header says. */
	if (count < 2)
		return;
	if (is_me(params[1])) {
		log_warn("kicked from %s", params[0]);
		left_channel(params[0]);
		for (i = 0; i < L.conf.nchannels; i++)
			if (casecmp(L.conf.channels[i].name, params[0], L.casemap) == 0)
				link_join(L.conf.channels[i].name, L.conf.channels[i].key);
		return;
	}
	presence_part(params[0], params[1]);
	gone(params[1]);
}

static void
ev_quit(irc_session_t *s, const char *event, const char *origin,
    const char **params, unsigned int count)
{
	char nick[64];

	if (origin == NULL)
		return;
	ircmsg_nick(origin, nick, sizeof nick);
	presence_quit(nick);
	account_forget(nick);
	pending_drop(nick, "it quit");
	if (L.h.gone != NULL)
		L.h.gone(nick);
}

static void
ev_nick(irc_session_t *s, const char *event, const char *origin,
    const char **params, unsigned int count)
{
	char nick[64];

	if (origin == NULL || count < 1)
		return;
	ircmsg_nick(origin, nick, sizeof nick);
	presence_nick(nick, params[0]);
	/* A new nick may be anyone's until services tell us again. */
	account_forget(nick);
	account_forget(params[0]);
	/* Commands still waiting under either nick were sent by someone else. */
	if (casecmp(nick, params[0], L.casemap) != 0) {
		pending_drop(nick, "it changed nick");
		pending_drop(params[0], "its nick changed hands");
	}
}

static void
ev_numeric(irc_session_t *s, unsigned int event, const char *origin,
    const char **params, unsigned int count)
{
	/* 353 RPL_NAMREPLY: [me, type, channel, "nick @op +voice"] */
	if (event == 353 && count >= 4) {
		char *names = xstrdup(params[3]), *save = NULL, *n;

		for (n = strtok_r(names, " ", &save); n; n = strtok_r(NULL, " ", &save)) {
			n += strspn(n, "~&@%+");
			if (*n != '\0' && !is_me(n))
				presence_join(params[2], n);
		}
		free(names);
	}
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

/* ---- the relay's own reading of server lines ---- */

static void
join_all(void)
{
	size_t i;

	for (i = 0; i < L.conf.nchannels; i++)
		link_join(L.conf.channels[i].name, L.conf.channels[i].key);
}

static bool
want_sasl(void)
{
	return L.conf.sasl_user != NULL && L.conf.sasl_pass != NULL;
}

/* The one end of CAP negotiation: CAP END, once, while registering. */
static void
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
static void
cap_end(void *arg)
{
	L.cap_timer = 0;
	if (L.cap != CAP_LS)
		return;
	if (want_sasl())
		sasl_failed("the server did not answer CAP LS");
	cap_finish();
}

static void
stable(void *arg)
{
	L.stable_timer = 0;
	backoff_reset(&L.backoff);
}

static void
regain(void *arg)
{
	char line[96];

	if (L.state == REGISTERED && !is_me(L.conf.nick)) {
		snprintf(line, sizeof line, "NICK %s", L.conf.nick);
		/* Housekeeping: nobody waits for it, so it goes after the answers. */
		sendq_housekeeping(L.q, line);
		pump();
	}
}

static void
set_nick(const char *nick)
{
	cv_strlcpy(L.nick, nick, sizeof L.nick);
	/* What the server puts before our text: ":nick!~user@host ". */
	sendq_set_prefix_len(L.q, strlen(L.nick) + 1 + 11 + 1 + 64 + 2);
}

static void
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

static void
try_alternate_nick(void)
{
	char line[96], alt[64];

	L.alt++;
	if (L.alt == 1)
		snprintf(alt, sizeof alt, "%s_", L.conf.nick);
	else
		snprintf(alt, sizeof alt, "%.20s%d", L.conf.nick, (int)(random() % 9000) + 1000);
	set_nick(alt);
	snprintf(line, sizeof line, "NICK %s", alt);
	urgent(line);
}

/* Logs why SASL did not happen; with sasl_required, ends the connection. */
static void
sasl_failed(const char *why)
{
	if (L.conf.sasl_required) {
		log_error("SASL login as %s failed (%s); sasl_required = yes, so "
		    "disconnecting to retry later", L.conf.sasl_user, why);
		L.dead = true;
		return;
	}
	log_warn("SASL login as %s failed (%s); continuing without an account "
	    "(set sasl_required = yes to refuse that)", L.conf.sasl_user, why);
}

/* AUTHENTICATE with base64("user\0user\0password") in 400-byte pieces. */
static void
sasl_send(void)
{
	size_t ul = strlen(L.conf.sasl_user), pl = strlen(L.conf.sasl_pass), n = 2 * ul + pl + 2;
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
static void
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
static void
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
		urgent("AUTHENTICATE *");	/* PLAIN has no challenge: abort */
}

/* Returns false when the line is ours alone and libircclient must not see it. */
static bool
relay_line(const char *line)
{
	struct ircmsg m;
	const char *cmd;
	char nick[64];

	if (ircmsg_parse(line, &m) < 0)
		return false;
	cmd = m.command;
	if (strcmp(cmd, "PING") == 0) {
		char pong[512];

		snprintf(pong, sizeof pong, "PONG :%s", m.nparams > 0 ? m.params[0] : "");
		urgent(pong);
		return false;
	}
	if (strcmp(cmd, "PONG") == 0)
		return false;
	if (strcmp(cmd, "ERROR") == 0) {
		log_warn("server closes the link: %s", m.nparams > 0 ? m.params[0] : "");
		return false;
	}
	if (strcmp(cmd, "CAP") == 0) {
		cap_line(&m);
		return false;
	}
	if (strcmp(cmd, "AUTHENTICATE") == 0) {
		authenticate_line(&m);
		return false;
	}
	if (strcmp(cmd, "900") == 0 && m.nparams >= 3) {
		cv_strlcpy(L.account, m.params[2], sizeof L.account);
		return true;
	}
	if (strcmp(cmd, "903") == 0 && (L.cap == CAP_AUTH || L.cap == CAP_AUTH_SENT)) {
		log_info("SASL login as %s succeeded", L.conf.sasl_user);
		cap_finish();
		return true;
	}
	if ((strcmp(cmd, "902") == 0 || strcmp(cmd, "904") == 0 || strcmp(cmd, "905") == 0 ||
	    strcmp(cmd, "906") == 0 || strcmp(cmd, "908") == 0) &&
	    (L.cap == CAP_AUTH || L.cap == CAP_AUTH_SENT)) {
		sasl_failed(m.nparams > 1 ? m.params[m.nparams - 1] : cmd);
		cap_finish();
		return true;
	}
	if (strcmp(cmd, "001") == 0 && m.nparams >= 1) {
		/* Welcomed while SASL was still to come: it never will. */
		if (L.cap != CAP_DONE && want_sasl() && (L.cap == CAP_LS || L.req_sasl))
			sasl_failed("the server welcomed the bot before SASL");
		L.cap = CAP_DONE;
		if (L.dead)
			return false;
		L.state = REGISTERED;
		set_nick(m.params[0]);
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
	if (strcmp(cmd, "005") == 0) {
		isupport(&m);
		return true;
	}
	if ((strcmp(cmd, "433") == 0 || strcmp(cmd, "432") == 0 || strcmp(cmd, "437") == 0) &&
	    L.state == REGISTERING) {
		log_info("nick %s is taken; trying another", L.nick);
		try_alternate_nick();
		return false;
	}
	if (strcmp(cmd, "NICK") == 0 && m.prefix != NULL && m.nparams >= 1) {
		ircmsg_nick(m.prefix, nick, sizeof nick);
		if (is_me(nick)) {
			set_nick(m.params[0]);
			log_info("now known as %s", L.nick);
		} else if (casecmp(nick, L.conf.nick, L.casemap) == 0) {
			regain(NULL);	/* whoever held our nick let it go */
		}
		return true;
	}
	if (strcmp(cmd, "QUIT") == 0 && m.prefix != NULL) {
		ircmsg_nick(m.prefix, nick, sizeof nick);
		if (casecmp(nick, L.conf.nick, L.casemap) == 0)
			regain(NULL);
		return true;
	}
	return true;
}

static void
on_up(void *arg, int fd, short revents)
{
	char buf[4096];
	const char *line;
	size_t len;

	if (revents & POLLOUT)
		flush_up();
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	/* TLS may hold decrypted bytes poll cannot see: read until AGAIN. */
	for (;;) {
		size_t n = 0;
		CURLcode rc = curl_easy_recv(L.up, buf, sizeof buf, &n);

		if (rc == CURLE_AGAIN)
			break;
		if (rc != CURLE_OK || n == 0) {
			if (rc != CURLE_OK)
				log_warn("server connection: %s", curl_easy_strerror(rc));
			L.dead = true;
			break;
		}
		L.last_rx = loop_now();
		L.pinged = false;
		linebuf_feed(L.in, buf, n);
		while ((line = linebuf_next(L.in, &len)) != NULL)
			if (relay_line(line))
				queue_for_irc(line, len);
	}
	pump();
}

/* ---- connecting and tearing down ---- */

static int
start_irc_session(void)
{
	static irc_callbacks_t cb;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof a;
	fd_set r, w;
	int maxfd = -1;

	cb.event_channel = ev_message;
	cb.event_privmsg = ev_message;
	cb.event_ctcp_req = ev_ctcp;
	cb.event_join = ev_join;
	cb.event_part = ev_part;
	cb.event_kick = ev_kick;
	cb.event_quit = ev_quit;
	cb.event_nick = ev_nick;
	cb.event_numeric = ev_numeric;
	cb.event_unknown = ev_account;

	L.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (L.listen_fd < 0 || bind(L.listen_fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(L.listen_fd, 1) < 0 ||
	    getsockname(L.listen_fd, (struct sockaddr *)&a, &alen) < 0) {
		log_error("relay: cannot listen on loopback: %s", strerror(errno));
		return -1;
	}
	L.listen_watch = loop_watch(L.listen_fd, POLLIN, on_listen, NULL);

	/* A new session for every connection: 1.9 cannot reset one. */
	L.irc = irc_create_session(&cb);
	if (L.irc == NULL)
		return -1;
	release_low_fd();
	if (irc_connect(L.irc, "127.0.0.1", ntohs(a.sin_port), NULL, L.conf.nick,
	    L.conf.username, L.conf.realname) != 0) {
		log_error("relay: libircclient cannot connect: %s", irc_strerror(irc_errno(L.irc)));
		reserve_low_fd();
		return -1;
	}
	FD_ZERO(&r);
	FD_ZERO(&w);
	irc_add_select_descriptors(L.irc, &r, &w, &maxfd);
	reserve_low_fd();
	if (maxfd < 0 || maxfd >= FD_SETSIZE)
		return -1;
	L.irc_fd = maxfd;
	alen = sizeof a;
	if (getsockname(L.irc_fd, (struct sockaddr *)&a, &alen) < 0)
		return -1;
	L.irc_port = ntohs(a.sin_port);
	L.irc_watch = loop_watch(L.irc_fd, POLLIN | POLLOUT, on_irc, NULL);
	return 0;
}

static void
register_timeout(void *arg)
{
	L.register_timer = 0;
	teardown("registration timed out");
}

static void
on_connected(void *arg, CURL *easy, CURLcode rc)
{
	curl_socket_t s = CURL_SOCKET_BAD;

	if (rc != CURLE_OK) {
		teardown(curl_easy_strerror(rc));
		return;
	}
	if (curl_easy_getinfo(easy, CURLINFO_ACTIVESOCKET, &s) != CURLE_OK || s == CURL_SOCKET_BAD) {
		teardown("no socket after connecting");
		return;
	}
	log_info("connected to %s:%u%s", L.conf.server, L.conf.port, L.conf.tls ? " with TLS" : "");
	L.up_fd = s;
	L.up_watch = loop_watch(s, POLLIN, on_up, NULL);
	L.state = REGISTERING;
	L.last_rx = loop_now();
	L.in = linebuf_new();
	L.alt = 0;
	L.account[0] = '\0';
	L.cap = CAP_LS;
	L.offer_sasl = L.offer_plain = L.offer_accnotify = L.offer_extjoin = false;
	L.req_sasl = L.auth_warned = false;
	L.services = L.cap_accnotify = L.cap_extjoin = false;
	set_nick(L.conf.nick);
	/* Before libircclient's NICK/USER, so the server holds registration for CAP. */
	urgent("CAP LS 302");
	L.cap_timer = loop_timer(CAP_TIMEOUT_MS, 0, cap_end, NULL);
	L.register_timer = loop_timer(REGISTER_TIMEOUT_MS, 0, register_timeout, NULL);
	if (start_irc_session() < 0)
		teardown("cannot start the protocol session");
}

static void
connect_upstream(void *arg)
{
	char url[512];

	L.reconnect_timer = 0;
	L.dead = false;
	L.up = curl_easy_init();
	if (L.up == NULL) {
		teardown("curl_easy_init failed");
		return;
	}
	/* https:// only to have curl do TLS; CONNECT_ONLY stops after the handshake. */
	snprintf(url, sizeof url, "%s://%s:%u", L.conf.tls ? "https" : "http",
	    L.conf.server, L.conf.port);
	curl_easy_setopt(L.up, CURLOPT_URL, url);
	curl_easy_setopt(L.up, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(L.up, CURLOPT_PROXY, "");
	curl_easy_setopt(L.up, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(L.up, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(L.up, CURLOPT_TCP_KEEPALIVE, 1L);
	if (L.conf.tls) {
		/* Servers that set their own ALPN reject a handshake offering http. */
		curl_easy_setopt(L.up, CURLOPT_SSL_ENABLE_ALPN, 0L);
		if (L.conf.ca_file != NULL)
			curl_easy_setopt(L.up, CURLOPT_CAINFO, L.conf.ca_file);
		if (!L.conf.verify) {
			log_warn("TLS certificate verification is OFF (tls_verify = no): "
			    "anyone on the path can read and change this connection");
			curl_easy_setopt(L.up, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(L.up, CURLOPT_SSL_VERIFYHOST, 0L);
		}
	}
	L.state = CONNECTING;
	log_info("connecting to %s:%u%s", L.conf.server, L.conf.port, L.conf.tls ? " (TLS)" : "");
	if (net_start_keep(L.up, on_connected, NULL, true) < 0)
		teardown("cannot start the connection");
}

static void
liveness(void *arg)
{
	int64_t idle = loop_now() - L.last_rx;

	if (L.state != REGISTERING && L.state != REGISTERED)
		return;
	if (idle >= DEAD_MS) {
		teardown("the server stopped answering");
	} else if (idle >= IDLE_PING_MS && !L.pinged) {
		urgent("PING :convene");
		L.pinged = true;
	}
}

/* Close everything of this connection and plan the next one. */
static void
teardown(const char *why)
{
	int64_t delay;

	if (L.up != NULL) {
		net_cancel(L.up);
		net_release(L.up);
		curl_easy_cleanup(L.up);
		L.up = NULL;
	}
	L.up_fd = -1;
	loop_unwatch(L.up_watch);
	loop_unwatch(L.listen_watch);
	loop_unwatch(L.down_watch);
	loop_unwatch(L.irc_watch);
	L.up_watch = L.listen_watch = L.down_watch = L.irc_watch = NULL;
	if (L.listen_fd >= 0)
		close(L.listen_fd);
	if (L.down_fd >= 0)
		close(L.down_fd);
	L.listen_fd = L.down_fd = -1;
	if (L.irc != NULL)
		irc_destroy_session(L.irc);
	L.irc = NULL;
	L.irc_fd = -1;
	reserve_low_fd();
	linebuf_free(L.in);
	L.in = NULL;
	L.outlen = L.downlen = L.to_irc_len = 0;
	sendq_clear(L.q);
	presence_clear();
	account_clear();
	while (L.npending > 0)
		pending_free(L.npending - 1);
	loop_timer_cancel(L.register_timer);
	loop_timer_cancel(L.cap_timer);
	loop_timer_cancel(L.stable_timer);
	L.register_timer = L.cap_timer = L.stable_timer = 0;
	L.dead = false;
	L.targmax_notice = 0;
	sendq_set_pack(L.q, 0);
	if (L.state == QUITTING || L.state == IDLE) {
		L.state = IDLE;
		return;
	}
	delay = backoff_next(&L.backoff);
	log_warn("disconnected (%s); reconnecting in %.1f s", why, delay / 1000.0);
	metrics_inc(M_RECONNECTS);
	L.state = IDLE;
	L.reconnect_timer = loop_timer(delay, 0, connect_upstream, NULL);
}

/* After each pass: act on a disconnect noticed inside a callback. */
static void
after_pass(void *arg)
{
	if (L.dead)
		teardown("connection closed");
	if (L.npending > 0)
		pending_expire();
	pump();
}

int
link_start(const struct link_conf *c, const struct link_handler *h)
{
	conf_copy(&L.conf, c);
	L.h = *h;
	L.casemap = CASEMAP_RFC1459;
	cv_strlcpy(L.chantypes, "#&", sizeof L.chantypes);
	L.q = sendq_new(c->flood_burst, c->flood_rate, SENDQ_MAX_LINES);
	L.ctcp_tokens = 3;
	backoff_init(&L.backoff, 2000, 300000, (uint64_t)time(NULL) ^ (uint64_t)getpid());
	reserve_low_fd();
	loop_before(before_poll, &L);
	loop_before(irc_before, &L);
	loop_after(after_pass, &L);
	L.live_timer = loop_timer(10000, 10000, liveness, NULL);
	L.regain_timer = loop_timer(REGAIN_MS, REGAIN_MS, regain, NULL);
	L.reconnect_timer = loop_timer(0, 0, connect_upstream, NULL);
	return 0;
}

static bool
has_channel(const struct link_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nchannels; i++)
		if (casecmp(c->channels[i].name, name, L.casemap) == 0)
			return true;
	return false;
}

void
link_reconfigure(const struct link_conf *c)
{
	struct link_conf old = L.conf;
	size_t i;

	conf_copy(&L.conf, c);
	sendq_set_rate(L.q, c->flood_burst, c->flood_rate);
	if (L.state == REGISTERED) {
		for (i = 0; i < old.nchannels; i++)
			if (!has_channel(c, old.channels[i].name))
				link_part(old.channels[i].name);
		for (i = 0; i < c->nchannels; i++)
			if (!has_channel(&old, c->channels[i].name))
				link_join(c->channels[i].name, c->channels[i].key);
	}
	/* Server, nick and TLS changes take effect at the next connect. */
	link_conf_free(&old);
}

static void
quit_finish(void *arg)
{
	void (*done)(void) = L.quit_done;

	L.quit_timer = 0;
	L.quit_done = NULL;
	teardown("quit");
	if (done != NULL)
		done();
}

/* Wait until the QUIT has left our buffers, then finish. */
static void
quit_check(void *arg)
{
	if (L.up == NULL || (L.outlen == 0 && sendq_len(L.q) == 0) || L.dead) {
		loop_timer_cancel(L.quit_timer);
		quit_finish(NULL);
	}
}

void
link_quit(const char *reason, void (*done)(void))
{
	char line[256];
	bool connected = L.up != NULL && L.up_fd >= 0;

	loop_timer_cancel(L.reconnect_timer);
	L.reconnect_timer = 0;
	L.quit_done = done;
	L.state = QUITTING;
	if (!connected) {
		quit_finish(NULL);
		return;
	}
	snprintf(line, sizeof line, "QUIT :%s", reason);
	urgent(line);
	loop_hooks_remove(&L);
	loop_after(quit_check, &L);
	loop_before(before_poll, &L);
	L.quit_timer = loop_timer(QUIT_GRACE_MS, 0, quit_finish, NULL);
}

void
link_free(void)
{
	loop_hooks_remove(&L);
	loop_timer_cancel(L.live_timer);
	loop_timer_cancel(L.regain_timer);
	loop_timer_cancel(L.reconnect_timer);
	loop_timer_cancel(L.quit_timer);
	if (L.state != IDLE) {
		L.state = QUITTING;
		teardown("shutdown");
	}
	sendq_free(L.q);
	L.q = NULL;
	free(L.outbuf);
	free(L.to_irc);
	L.outbuf = L.to_irc = NULL;
	L.outcap = L.to_irc_cap = 0;
	release_low_fd();
	link_conf_free(&L.conf);
}
