/*
 * test_tcp.c: the plain link's connect (bot/tcp.c) on the real loop, to
 * real sockets of this process: a listener by name, a closed port, a
 * connect cancelled while the name is being resolved.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "tcp.h"

struct result {
	int calls;
	int fd;
	char why[128];
};

static void
on_done(void *arg, int fd, const char *why)
{
	struct result *r = arg;

	r->calls++;
	r->fd = fd;
	snprintf(r->why, sizeof r->why, "%s", why ? why : "");
}

/* A listening socket on 127.0.0.1; its port in *port. */
static int
listener(unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(s >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s, 4), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return s;
}

static void
wait_done(struct result *r)
{
	for (int i = 0; i < 500 && r->calls == 0; i++)
		loop_once(10);
}

static void
test_connects_by_name(void **state)
{
	struct result r = { 0 };
	unsigned port;
	int l = listener(&port), c;
	struct sockaddr_in peer;
	socklen_t len = sizeof peer;

	/* "localhost" may be ::1 first, where nobody listens: the next one answers. */
	assert_non_null(tcp_connect("localhost", port, 5000, on_done, &r));
	wait_done(&r);
	assert_int_equal(r.calls, 1);
	assert_true(r.fd >= 0);
	c = accept(l, (struct sockaddr *)&peer, &len);
	assert_true(c >= 0);
	assert_int_equal(send(r.fd, "PING\r\n", 6, MSG_NOSIGNAL), 6);
	close(c);
	close(r.fd);
	close(l);
}

static void
test_closed_port_fails(void **state)
{
	struct result r = { 0 };
	unsigned port;
	int l = listener(&port);

	close(l); /* nobody listens there now */
	assert_non_null(tcp_connect("127.0.0.1", port, 5000, on_done, &r));
	wait_done(&r);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.fd, -1);
	assert_string_equal(r.why, strerror(ECONNREFUSED));
}

static void
test_cancelled_never_calls(void **state)
{
	struct result r = { 0 };
	unsigned port;
	int l = listener(&port);

	/* Cancelled at once, while resolving (or just after): no callback, no leak. */
	tcp_cancel(tcp_connect("127.0.0.1", port, 5000, on_done, &r));
	for (int i = 0; i < 20; i++)
		loop_once(10);
	assert_int_equal(r.calls, 0);
	tcp_cancel(NULL);
	close(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connects_by_name),
		cmocka_unit_test(test_closed_port_fails),
		cmocka_unit_test(test_cancelled_never_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
