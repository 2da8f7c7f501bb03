/*
 * link_relay.c: everything the link has only because of libircclient. The
 * library parses the lines we pass on and calls the ev_* callbacks below;
 * it talks to a loopback listener of ours instead of the network, needs a
 * low fd, and reads only lines the guard (guard.h) has made safe for its
 * parser.
 */
#include <sys/select.h>
#include <sys/ioctl.h>
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

#include <libircclient.h>

#include "account.h"
#include "guard.h"
#include "ircmsg.h"
#include "link.h"
#include "link_int.h"
#include "log.h"
#include "loop.h"
#include "presence.h"
#include "util.h"

/* The relay's own state; the rest is the link's (L, link_int.h). */
static struct {
	irc_session_t *irc; /* libircclient, on the loopback side */
	int listen_fd, down_fd;
	struct watch *listen_watch, *down_watch, *irc_watch;
	int irc_fd;
	unsigned short irc_port; /* its local port: the only peer we accept */
	char downbuf[4096];
	size_t downlen;
	char *to_irc; /* guarded lines waiting for libircclient */
	size_t to_irc_len, to_irc_cap;
	struct linebuf *in; /* server bytes, split and guarded */
	int placeholder;    /* keeps a low fd free for libircclient */
} R = { .listen_fd = -1, .down_fd = -1, .irc_fd = -1, .placeholder = -1 };

/*
 * libircclient uses select() sets and Debian builds it fortified, so its
 * socket must get an fd below FD_SETSIZE. We hold a low placeholder fd and
 * close it just before libircclient makes its socket: the kernel hands out
 * the lowest free fd, which is then at most the placeholder's.
 */
void
reserve_low_fd(void)
{
	if (R.placeholder < 0)
		R.placeholder = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (R.placeholder >= FD_SETSIZE) {
		close(R.placeholder);
		R.placeholder = -1;
	}
}

static void
release_low_fd(void)
{
	if (R.placeholder >= 0)
		close(R.placeholder);
	R.placeholder = -1;
}

/* The user@host of "nick!user@host", or NULL. */
static const char *
user_host(const char *origin)
{
	const char *bang = strchr(origin, '!');

	return bang != NULL ? bang + 1 : NULL;
}

/* ---- downstream: libircclient ---- */

static void
queue_for_irc(const char *line, size_t len)
{
	if (R.to_irc_len + len + 2 > R.to_irc_cap) {
		R.to_irc_cap = R.to_irc_len + len + 4096;
		R.to_irc = xrealloc(R.to_irc, R.to_irc_cap);
	}
	memcpy(R.to_irc + R.to_irc_len, line, len);
	memcpy(R.to_irc + R.to_irc_len + len, "\r\n", 2);
	R.to_irc_len += len + 2;
	if (R.down_watch != NULL)
		loop_watch_events(R.down_watch, POLLIN | POLLOUT);
}

static void
on_down(void *arg, int fd, short revents)
{
	if (revents & POLLOUT && R.to_irc_len > 0) {
		ssize_t n = send(fd, R.to_irc, R.to_irc_len, MSG_NOSIGNAL);

		if (n > 0) {
			memmove(R.to_irc, R.to_irc + n, R.to_irc_len - n);
			R.to_irc_len -= n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			L.dead = true;
		}
		loop_watch_events(R.down_watch, POLLIN | (R.to_irc_len ? POLLOUT : 0));
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		ssize_t n =
		    recv(fd, R.downbuf + R.downlen, sizeof R.downbuf - R.downlen - 1, 0);
		char *nl;

		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				L.dead = true;
			return;
		}
		R.downlen += n;
		R.downbuf[R.downlen] = '\0';
		/* libircclient only ever sends NICK and USER here. */
		while ((nl = memchr(R.downbuf, '\n', R.downlen)) != NULL) {
			size_t len = nl - R.downbuf + 1;

			*nl = '\0';
			if (nl > R.downbuf && nl[-1] == '\r')
				nl[-1] = '\0';
			if (R.downbuf[0] != '\0')
				urgent(R.downbuf);
			memmove(R.downbuf, R.downbuf + len, R.downlen - len);
			R.downlen -= len;
		}
		if (R.downlen >= sizeof R.downbuf - 1)
			R.downlen = 0;
	}
}

/*
 * libircclient reads at most 1,023 bytes a pass (about 16 lines of people
 * talking); what the server sent beyond that waits here or in the loopback
 * socket for the next passes.
 */
bool
link_lines_waiting(void)
{
	int n = 0;

	if (L.dead || L.state != REGISTERED || R.irc_fd < 0)
		return false;
	return R.to_irc_len > 0 || (ioctl(R.irc_fd, FIONREAD, &n) == 0 && n > 0);
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
	if (peer.sin_addr.s_addr != htonl(INADDR_LOOPBACK) ||
	    ntohs(peer.sin_port) != R.irc_port) {
		log_warn("relay: refused a stranger on the loopback listener");
		close(c);
		return;
	}
	R.down_fd = c;
	R.down_watch = loop_watch(c, POLLIN | (R.to_irc_len ? POLLOUT : 0), on_down, NULL);
	loop_unwatch(R.listen_watch);
	R.listen_watch = NULL;
	close(R.listen_fd);
	R.listen_fd = -1;
}

void
irc_before(void *arg)
{
	fd_set r, w;
	int maxfd = -1;
	short ev = 0;

	if (R.irc == NULL || R.irc_fd < 0)
		return;
	FD_ZERO(&r);
	FD_ZERO(&w);
	irc_add_select_descriptors(R.irc, &r, &w, &maxfd);
	if (FD_ISSET(R.irc_fd, &r))
		ev |= POLLIN;
	if (FD_ISSET(R.irc_fd, &w))
		ev |= POLLOUT;
	loop_watch_events(R.irc_watch, ev);
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
	if (irc_process_select_descriptors(R.irc, &r, &w) != 0) {
		log_warn("irc: session ended (%s)", irc_strerror(irc_errno(R.irc)));
		L.dead = true;
	}
}

/*
 * Bytes from the server: the guard makes each line safe for libircclient's
 * parser (guard.h), the link reads what is its own (link_lines.c), and
 * the rest goes down the loopback.
 */
void
relay_feed(const char *buf, size_t n)
{
	const char *line;
	size_t len;

	linebuf_feed(R.in, buf, n);
	while ((line = linebuf_next(R.in, &len)) != NULL)
		if (relay_line(line))
			queue_for_irc(line, len);
}

/* The connection ended: the session, its sockets and its input go. */
void
relay_stop(void)
{
	loop_unwatch(R.listen_watch);
	loop_unwatch(R.down_watch);
	loop_unwatch(R.irc_watch);
	R.listen_watch = R.down_watch = R.irc_watch = NULL;
	if (R.listen_fd >= 0)
		close(R.listen_fd);
	if (R.down_fd >= 0)
		close(R.down_fd);
	R.listen_fd = R.down_fd = -1;
	if (R.irc != NULL)
		irc_destroy_session(R.irc);
	R.irc = NULL;
	R.irc_fd = -1;
	reserve_low_fd();
	linebuf_free(R.in);
	R.in = NULL;
	R.downlen = R.to_irc_len = 0;
}

/* link_free: what outlives a connection. */
void
relay_free(void)
{
	free(R.to_irc);
	R.to_irc = NULL;
	R.to_irc_cap = 0;
	release_low_fd();
}

/* ---- libircclient's events ---- */

/* A PRIVMSG to a channel or to us, not CTCP (ev_ctcp has those). */
static void
ev_message(irc_session_t *s, const char *event, const char *origin, const char **params,
    unsigned int count)
{
	if (count < 2 || origin == NULL || params[1] == NULL)
		return;
	message_arrived(origin, params[0], params[1]);
}

static void
ev_account(irc_session_t *s, const char *event, const char *origin, const char **params,
    unsigned int count)
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
ev_ctcp(irc_session_t *s, const char *event, const char *origin, const char **params,
    unsigned int count)
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
ev_join(irc_session_t *s, const char *event, const char *origin, const char **params,
    unsigned int count)
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
ev_part(irc_session_t *s, const char *event, const char *origin, const char **params,
    unsigned int count)
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
ev_kick(irc_session_t *s, const char *event, const char *origin, const char **params,
    unsigned int count)
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
ev_quit(irc_session_t *s, const char *event, const char *origin, const char **params,
    unsigned int count)
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
ev_nick(irc_session_t *s, const char *event, const char *origin, const char **params,
    unsigned int count)
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
ev_numeric(irc_session_t *s, unsigned int event, const char *origin, const char **params,
    unsigned int count)
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
	whois_numeric(event, params, count);
}

int
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

	R.in = linebuf_new();
	R.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (R.listen_fd < 0 || bind(R.listen_fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(R.listen_fd, 1) < 0 ||
	    getsockname(R.listen_fd, (struct sockaddr *)&a, &alen) < 0) {
		log_error("relay: cannot listen on loopback: %s", strerror(errno));
		return -1;
	}
	R.listen_watch = loop_watch(R.listen_fd, POLLIN, on_listen, NULL);

	/* A new session for every connection: 1.9 cannot reset one. */
	R.irc = irc_create_session(&cb);
	if (R.irc == NULL)
		return -1;
	release_low_fd();
	if (irc_connect(R.irc, "127.0.0.1", ntohs(a.sin_port), NULL, L.conf.nick,
	        L.conf.username, L.conf.realname) != 0) {
		log_error("relay: libircclient cannot connect: %s",
		    irc_strerror(irc_errno(R.irc)));
		reserve_low_fd();
		return -1;
	}
	FD_ZERO(&r);
	FD_ZERO(&w);
	irc_add_select_descriptors(R.irc, &r, &w, &maxfd);
	reserve_low_fd();
	if (maxfd < 0 || maxfd >= FD_SETSIZE)
		return -1;
	R.irc_fd = maxfd;
	alen = sizeof a;
	if (getsockname(R.irc_fd, (struct sockaddr *)&a, &alen) < 0)
		return -1;
	R.irc_port = ntohs(a.sin_port);
	R.irc_watch = loop_watch(R.irc_fd, POLLIN | POLLOUT, on_irc, NULL);
	return 0;
}
