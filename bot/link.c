/*
 * link.c: the link's lifecycle: its settings, the accessors of link.h, the
 * way out to the server (send queue, pacing, a socket or curl), connecting,
 * registering, liveness, teardown and reconnects, quit. See link.h for
 * the whole and link_int.h for how the link files share the work.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "backoff.h"
#include "link.h"
#include "link_int.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "net.h"
#include "presence.h"
#include "sendq.h"
#include "tcp.h"
#include "util.h"

struct link_state L = { .up_fd = -1 };

static void teardown(const char *why);
static void pump(void);

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

bool
is_me(const char *nick)
{
	return casecmp(nick, L.nick, L.casemap) == 0;
}

/*
 * We left a channel: its people are out of sight unless another channel
 * shows them, and a nick we no longer see may change hands unnoticed, so
 * what we knew of its account goes too.
 */
void
left_channel(const char *channel)
{
	presence_drop_channel(channel);
	account_prune(presence_online);
}

void
set_nick(const char *nick)
{
	cv_strlcpy(L.nick, nick, sizeof L.nick);
	/* What the server puts before our text: ":nick!~user@host ". */
	sendq_set_prefix_len(L.q, strlen(L.nick) + 1 + 11 + 1 + 64 + 2);
}

void
join_all(void)
{
	size_t i;

	for (i = 0; i < L.conf.nchannels; i++)
		link_join(L.conf.channels[i].name, L.conf.channels[i].key);
}

void
stable(void *arg)
{
	L.stable_timer = 0;
	backoff_reset(&L.backoff);
}

void
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
void
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
		if (len == 0) { /* a single target longer than the list */
			link_text("NOTICE", targets[i++], text);
			continue;
		}
		link_text("NOTICE", list, text);
	}
}

void
link_join(const char *channel, const char *key)
{
	char *line =
	    key ? xasprintf("JOIN %s %s", channel, key) : xasprintf("JOIN %s", channel);

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
void
urgent(const char *line)
{
	if (L.state == REGISTERING)
		sendq_login(L.q, line);
	else
		sendq_urgent(L.q, line);
	pump();
}

/*
 * Send or receive on the upstream connection: libcurl's over TLS, the
 * socket's own without. n bytes moved; 1 when it would block, -1 on an
 * error (logged, with what).
 */
static int
up_io(bool out, void *buf, size_t len, size_t *n, const char *what)
{
	CURLcode rc;
	ssize_t r;

	if (L.up == NULL) {
		r = out ? send(L.up_fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) :
		          recv(L.up_fd, buf, len, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return 1;
		if (r < 0)
			log_warn("%s: %s", what, strerror(errno));
		*n = r < 0 ? 0 : (size_t)r;
		return r < 0 ? -1 : 0;
	}
	rc = out ? curl_easy_send(L.up, buf, len, n) : curl_easy_recv(L.up, buf, len, n);
	if (rc == CURLE_AGAIN)
		return 1;
	if (rc != CURLE_OK)
		log_warn("%s: %s", what, curl_easy_strerror(rc));
	return rc == CURLE_OK ? 0 : -1;
}

/* Move what the queue lets go now into the upstream buffer, then send. */
static void
flush_up(void)
{
	while (L.outlen > 0) {
		size_t n = 0;
		int rc = up_io(true, L.outbuf, L.outlen, &n, "send to server failed");

		if (rc > 0)
			break;
		if (rc < 0) {
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
	if (L.up_fd < 0)
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

/* ---- upstream: the server ---- */

static void
on_up(void *arg, int fd, short revents)
{
	char buf[4096];

	if (revents & POLLOUT)
		flush_up();
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	/* TLS may hold decrypted bytes poll cannot see: read until AGAIN. */
	for (;;) {
		size_t n = 0;
		int rc = up_io(false, buf, sizeof buf, &n, "server connection");

		if (rc > 0)
			break;
		if (rc < 0 || n == 0) {
			L.dead = true;
			break;
		}
		L.last_rx = loop_now();
		L.pinged = false;
		relay_feed(buf, n);
	}
	pump();
}

/* ---- connecting and tearing down ---- */

static void
register_timeout(void *arg)
{
	L.register_timer = 0;
	teardown("registration timed out");
}

/* Connected, with TLS or without, on socket s: register. */
static void
connected(int s)
{
	log_info("connected to %s:%u%s", L.conf.server, L.conf.port,
	    L.conf.tls ? " with TLS" : "");
	L.up_fd = s;
	L.up_watch = loop_watch(s, POLLIN, on_up, NULL);
	L.state = REGISTERING;
	L.last_rx = loop_now();
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
on_tls_connected(void *arg, CURL *easy, CURLcode rc)
{
	curl_socket_t s = CURL_SOCKET_BAD;

	if (rc != CURLE_OK) {
		teardown(curl_easy_strerror(rc));
		return;
	}
	if (curl_easy_getinfo(easy, CURLINFO_ACTIVESOCKET, &s) != CURLE_OK ||
	    s == CURL_SOCKET_BAD) {
		teardown("no socket after connecting");
		return;
	}
	connected(s);
}

static void
on_tcp_connected(void *arg, int fd, const char *why)
{
	L.tcp = NULL;
	if (fd < 0)
		teardown(why);
	else
		connected(fd);
}

/* TLS is libcurl's, loaded now if this is the first thing that needs it. */
static int
start_tls(void)
{
	char url[512];

	if (net_init() < 0)
		return -1;
	L.up = curl_easy_init();
	if (L.up == NULL)
		return -1;
	/* https:// only to have curl do TLS; CONNECT_ONLY stops after the handshake. */
	snprintf(url, sizeof url, "https://%s:%u", L.conf.server, L.conf.port);
	curl_easy_setopt(L.up, CURLOPT_URL, url);
	curl_easy_setopt(L.up, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(L.up, CURLOPT_PROXY, "");
	curl_easy_setopt(L.up, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(L.up, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(L.up, CURLOPT_TCP_KEEPALIVE, 1L);
	/* Servers that set their own ALPN reject a handshake offering http. */
	curl_easy_setopt(L.up, CURLOPT_SSL_ENABLE_ALPN, 0L);
	if (L.conf.ca_file != NULL) {
		/* Only that file: libcurl would also trust its default directory. */
		curl_easy_setopt(L.up, CURLOPT_CAINFO, L.conf.ca_file);
		curl_easy_setopt(L.up, CURLOPT_CAPATH, NULL);
	} else
		net_trust_system_dir(L.up);
	if (!L.conf.verify) {
		log_warn("TLS certificate verification is OFF (tls_verify = no): "
		         "anyone on the path can read and change this connection");
		curl_easy_setopt(L.up, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(L.up, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return net_start_keep(L.up, on_tls_connected, NULL, true);
}

static void
connect_upstream(void *arg)
{
	L.reconnect_timer = 0;
	L.dead = false;
	L.state = CONNECTING;
	log_info("connecting to %s:%u%s", L.conf.server, L.conf.port,
	    L.conf.tls ? " (TLS)" : "");
	if (L.conf.tls) {
		if (start_tls() < 0)
			teardown("cannot start the TLS connection");
		return;
	}
	/* A plain link is a socket of ours: no libcurl on a bot that needs none. */
	L.tcp = tcp_connect(L.conf.server, L.conf.port, CONNECT_TIMEOUT_MS,
	    on_tcp_connected, NULL);
	if (L.tcp == NULL)
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

	tcp_cancel(L.tcp);
	L.tcp = NULL;
	if (L.up != NULL) {
		net_cancel(L.up);
		net_release(L.up);
		curl_easy_cleanup(L.up);
		L.up = NULL;
	} else if (L.up_fd >= 0) {
		close(L.up_fd);
	}
	L.up_fd = -1;
	loop_unwatch(L.up_watch);
	L.up_watch = NULL;
	relay_stop();
	L.outlen = 0;
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
	if (L.up_fd < 0 || (L.outlen == 0 && sendq_len(L.q) == 0) || L.dead) {
		loop_timer_cancel(L.quit_timer);
		quit_finish(NULL);
	}
}

void
link_quit(const char *reason, void (*done)(void))
{
	char line[256];
	bool is_up = L.up_fd >= 0;

	loop_timer_cancel(L.reconnect_timer);
	L.reconnect_timer = 0;
	L.quit_done = done;
	L.state = QUITTING;
	if (!is_up) {
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
	L.outbuf = NULL;
	L.outcap = 0;
	relay_free();
	link_conf_free(&L.conf);
}
