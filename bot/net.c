/* net.c: libcurl multi, with its sockets and timer on our poll loop. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "net.h"
#include "util.h"

struct xfer {
	CURL *easy;
	net_done_fn done;
	void *arg;
	bool keep;
	struct xfer *next;
};

static CURLM *multi;
static uint64_t timer_id;
static struct xfer *xfers;

static void check_done(void);

static void
on_fd(void *arg, int fd, short revents)
{
	int flags = 0, running;

	if (revents & (POLLIN | POLLHUP))
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLNVAL))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(multi, fd, flags, &running);
	check_done();
}

static int
on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct watch *w = socketp;
	short ev = 0;

	if (what == CURL_POLL_REMOVE) {
		loop_unwatch(w);
		curl_multi_assign(multi, s, NULL);
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= POLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= POLLOUT;
	if (w == NULL) {
		w = loop_watch(s, ev, on_fd, NULL);
		curl_multi_assign(multi, s, w);
	} else {
		loop_watch_events(w, ev);
	}
	return 0;
}

static void
on_timer(void *arg)
{
	int running;

	timer_id = 0;
	curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done();
}

static int
on_timer_change(CURLM *m, long ms, void *userp)
{
	loop_timer_cancel(timer_id);
	timer_id = ms < 0 ? 0 : loop_timer(ms, 0, on_timer, NULL);
	return 0;
}

static struct xfer *
unlink_xfer(CURL *easy)
{
	struct xfer **pp, *x;

	for (pp = &xfers; (x = *pp) != NULL; pp = &x->next) {
		if (x->easy == easy) {
			*pp = x->next;
			return x;
		}
	}
	return NULL;
}

static void
check_done(void)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		struct xfer *x;

		if (msg->msg != CURLMSG_DONE)
			continue;
		x = unlink_xfer(msg->easy_handle);
		if (x == NULL) {
			curl_multi_remove_handle(multi, msg->easy_handle);
			continue;
		}
		/*
		 * A CONNECT_ONLY connection lives only while its handle stays
		 * in the multi: such an owner removes it with net_release().
		 */
		if (!x->keep)
			curl_multi_remove_handle(multi, x->easy);
		x->done(x->arg, x->easy, msg->data.result);
		free(x);
	}
}

int
net_init(void)
{
	if (multi != NULL)
		return 0;
	if (curl_lazy_load() < 0)
		return -1;
	multi = curl_multi_init();
	if (multi == NULL)
		return -1;
	curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer_change);
	return 0;
}

void
net_shutdown(void)
{
	while (xfers != NULL)
		net_cancel(xfers->easy);
	loop_timer_cancel(timer_id);
	timer_id = 0;
	if (multi != NULL)
		curl_multi_cleanup(multi);
	multi = NULL;
}

int
net_start(CURL *easy, net_done_fn done, void *arg)
{
	return net_start_keep(easy, done, arg, false);
}

int
net_start_keep(CURL *easy, net_done_fn done, void *arg, bool keep)
{
	struct xfer *x;

	if (net_init() < 0)
		return -1;
	x = xcalloc(1, sizeof *x);
	x->easy = easy;
	x->keep = keep;
	x->done = done;
	x->arg = arg;
	if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
		free(x);
		return -1;
	}
	x->next = xfers;
	xfers = x;
	return 0;
}

void
net_release(CURL *easy)
{
	if (multi != NULL)
		curl_multi_remove_handle(multi, easy);
}

void
net_cancel(CURL *easy)
{
	struct xfer *x = unlink_xfer(easy);

	if (x != NULL) {
		curl_multi_remove_handle(multi, easy);
		free(x);
	}
}

/*
 * libcurl's default is the bundle file (/etc/ssl/certs/ca-certificates.crt)
 * and the hashed directory beside it, both written by
 * update-ca-certificates with the same authorities. OpenSSL parses the
 * bundle whole into the connection's store, which libcurl then keeps in its
 * CA cache for a day: 1.2 MB of heap for 140 authorities. With the
 * directory alone OpenSSL reads the one issuer a chain names when it checks
 * it: 0.4 MB with the handshake (bench/README.md, "Resident memory after
 * joining"). GnuTLS parses a directory whole (7.5 MB for this one), so other
 * TLS libraries keep libcurl's default, as does a libcurl without a default
 * directory.
 */
void
net_trust_system_dir(CURL *easy)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	char *dir = NULL;

	if (v->ssl_version == NULL || strncmp(v->ssl_version, "OpenSSL/", 8) != 0)
		return;
	if (curl_easy_getinfo(easy, CURLINFO_CAPATH, &dir) != CURLE_OK || dir == NULL)
		return;
	curl_easy_setopt(easy, CURLOPT_CAINFO, NULL);
}
