/* Which addresses an import or a publish may not reach unless allowed. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fetch.h"

static bool
v4(const char *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, s, &a.sin_addr), 1);
	return fetch_addr_private((struct sockaddr *)&a);
}

static bool
v6(const char *s)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };

	assert_int_equal(inet_pton(AF_INET6, s, &a.sin6_addr), 1);
	return fetch_addr_private((struct sockaddr *)&a);
}

static void
private_v4(void **state)
{
	(void)state;
	assert_true(v4("127.0.0.1"));
	assert_true(v4("127.255.0.9"));
	assert_true(v4("10.1.2.3"));
	assert_true(v4("172.16.0.1"));
	assert_true(v4("172.31.255.255"));
	assert_true(v4("192.168.1.1"));
	assert_true(v4("169.254.169.254")); /* cloud metadata */
	assert_true(v4("0.0.0.0"));
	assert_true(v4("100.64.0.1"));
	assert_true(v4("224.0.0.1"));
	assert_true(v4("255.255.255.255"));
	assert_true(v4("192.0.0.1")); /* IETF protocol assignments */
	assert_true(v4("192.0.0.255"));
	assert_true(v4("198.18.0.1")); /* benchmarking */
	assert_true(v4("198.19.255.255"));
}

static void
public_v4(void **state)
{
	(void)state;
	assert_false(v4("8.8.8.8"));
	assert_false(v4("172.15.255.255"));
	assert_false(v4("172.32.0.0"));
	assert_false(v4("100.128.0.1"));
	assert_false(v4("193.0.0.1"));
	assert_false(v4("192.0.1.1"));
	assert_false(v4("198.17.255.255"));
	assert_false(v4("198.20.0.0"));
}

static void
v6_addresses(void **state)
{
	(void)state;
	assert_true(v6("::1"));
	assert_true(v6("::"));
	assert_true(v6("fe80::1"));
	assert_true(v6("fd00::1"));
	assert_true(v6("fc12::1"));
	assert_true(v6("ff02::1"));
	assert_true(v6("::ffff:127.0.0.1"));
	assert_true(v6("::ffff:192.168.0.1"));
	assert_false(v6("2001:db8::1"));
	assert_false(v6("::ffff:8.8.8.8"));
}

/* IPv6 addresses a translator or tunnel delivers to an embedded IPv4 one. */
static void
v6_embedding_v4(void **state)
{
	(void)state;
	/* NAT64, well-known prefix, and the local-use one. */
	assert_true(v6("64:ff9b::127.0.0.1"));
	assert_true(v6("64:ff9b::10.0.0.1"));
	assert_true(v6("64:ff9b::a9fe:a9fe")); /* 169.254.169.254 */
	assert_false(v6("64:ff9b::8.8.8.8"));
	assert_true(v6("64:ff9b:1::8.8.8.8"));
	/* 6to4 with a private IPv4 inside. */
	assert_true(v6("2002:7f00:1::1"));  /* 127.0.0.1 */
	assert_true(v6("2002:c0a8:101::")); /* 192.168.1.1 */
	assert_true(v6("2002:a9fe:a9fe::1"));
	assert_false(v6("2002:808:808::1")); /* 8.8.8.8 */
	/* SIIT IPv4-translated addresses. */
	assert_true(v6("::ffff:0:127.0.0.1"));
	assert_true(v6("::ffff:0:192.168.0.1"));
	assert_false(v6("::ffff:0:8.8.8.8"));
	/* Teredo: server 65.54.227.120, client stored inverted. */
	assert_true(v6("2001:0:4136:e378:8000:63bf:80ff:fffe"));  /* client 127.0.0.1 */
	assert_false(v6("2001:0:4136:e378:8000:63bf:f7f7:f7f7")); /* client 8.8.8.8 */
	assert_true(v6("2001:0:7f00:1:8000:63bf:f7f7:f7f7"));     /* server 127.0.0.1 */
	/* The new IPv4 ranges, mapped. */
	assert_true(v6("::ffff:192.0.0.8"));
	assert_true(v6("::ffff:198.18.1.1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(private_v4),
		cmocka_unit_test(public_v4),
		cmocka_unit_test(v6_addresses),
		cmocka_unit_test(v6_embedding_v4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
