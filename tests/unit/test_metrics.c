/* test_metrics.c: who may read /metrics, and the exposition text. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "metrics.h"

static bool
allowed(const char *addr)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&sin, 0, sizeof sin);
	memset(&sin6, 0, sizeof sin6);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		return metrics_allowed((struct sockaddr *)&sin);
	}
	assert_int_equal(inet_pton(AF_INET6, addr, &sin6.sin6_addr), 1);
	sin6.sin6_family = AF_INET6;
	return metrics_allowed((struct sockaddr *)&sin6);
}

static void
test_default_is_loopback(void **state)
{
	char err[128];

	assert_int_equal(metrics_set_allowed(NULL, err, sizeof err), 0);
	assert_true(allowed("127.0.0.1"));
	assert_true(allowed("127.255.0.9"));
	assert_true(allowed("::1"));
	assert_true(allowed("::ffff:127.0.0.2")); /* IPv4 on a dual-stack socket */
	assert_false(allowed("128.0.0.1"));
	assert_false(allowed("10.0.0.1"));
	assert_false(allowed("::2"));
	assert_false(allowed("::ffff:10.0.0.1"));
	metrics_free();
}

static void
test_networks(void **state)
{
	char err[128];

	assert_int_equal(metrics_set_allowed(" 10.1.2.0/23 ,2001:db8::/33, 192.0.2.7 ",
	                     err, sizeof err),
	    0);
	assert_true(allowed("10.1.2.0"));
	assert_true(allowed("10.1.3.255"));
	assert_false(allowed("10.1.4.0"));
	assert_false(allowed("10.1.1.255"));
	assert_true(allowed("192.0.2.7"));
	assert_false(allowed("192.0.2.8"));
	assert_true(allowed("2001:db8:7fff::1"));
	assert_false(allowed("2001:db8:8000::1"));
	assert_false(allowed("127.0.0.1")); /* the list replaces the default */
	assert_int_equal(metrics_set_allowed("0.0.0.0/0", err, sizeof err), 0);
	assert_true(allowed("203.0.113.1"));
	assert_false(allowed("::1"));
	metrics_free();
}

static void
test_bad_lists(void **state)
{
	static const char *const bad[] = {
		"",
		"10.0.0.0/33",
		"::/129",
		"10.0.0.0/",
		"10.0.0.0/8x",
		"10.0.0.0/-1",
		"example.org",
		"10.0.0.0/8,",
		"10.0.0.0/8,,::1",
		"10.0.0.0/8 ::1",
	};
	char err[128];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(metrics_check_from(bad[i], err, sizeof err), -1);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(metrics_check_from("127.0.0.0/8, ::1/128", err, sizeof err), 0);
	/* A list that cannot be read lets nobody in. */
	assert_int_equal(metrics_set_allowed("nonsense", err, sizeof err), -1);
	assert_false(allowed("127.0.0.1"));
	metrics_free();
}

static int hook_runs;
static const int owner_a, owner_b;

static void
hook(void *arg)
{
	hook_runs++;
	metrics_plugin(&owner_a, CV_METRIC_GAUGE, "convene_things", "Things.", "kind",
	    "a\"b\\c\nd", 3);
}

static void
test_render(void **state)
{
	char *text;
	size_t len;

	metrics_inc(M_COMMANDS_HANDLED);
	metrics_inc(M_REFUSED_USAGE);
	metrics_http_status(404);
	metrics_store_commit(0.5);
	metrics_hook(&owner_a, hook, NULL);
	metrics_plugin(&owner_b, CV_METRIC_SUMMARY, "convene_x_seconds", "X.", NULL, NULL,
	    0.25);
	metrics_plugin(&owner_b, CV_METRIC_SUMMARY, "convene_x_seconds", "X.", NULL, NULL,
	    0.5);
	metrics_plugin(&owner_b, CV_METRIC_COUNTER, "convene_y_total", "Y.", "r", "ok", 2);
	metrics_plugin(&owner_b, CV_METRIC_COUNTER, "convene_y_total", "Y.", "r", "ok", 1);
	/* Refused: a bad name, and another owner's name. */
	metrics_plugin(&owner_b, CV_METRIC_GAUGE, "convene bad", "Bad.", NULL, NULL, 1);
	metrics_plugin(&owner_a, CV_METRIC_COUNTER, "convene_y_total", "Y.", "r", "ok", 5);
	metrics_plugin(&owner_a, CV_METRIC_GAUGE, "convene_connected", "No.", NULL, NULL,
	    7);

	text = metrics_render(&len);
	assert_int_equal(strlen(text), len);
	assert_int_equal(hook_runs, 1);
	assert_non_null(strstr(text, "\nconvene_commands_handled_total 1\n"));
	assert_non_null(
	    strstr(text, "\nconvene_commands_refused_total{reason=\"usage\"} 1\n"));
	assert_non_null(strstr(text, "\nconvene_http_requests_total{code=\"404\"} 1\n"));
	assert_non_null(strstr(text,
	    "\nconvene_store_commit_seconds_sum 0.5\n"
	    "convene_store_commit_seconds_count 1\n"));
	assert_non_null(strstr(text,
	    "# TYPE convene_things gauge\n"
	    "convene_things{kind=\"a\\\"b\\\\c\\nd\"} 3\n"));
	assert_non_null(strstr(text,
	    "# TYPE convene_x_seconds summary\n"
	    "convene_x_seconds_sum 0.75\nconvene_x_seconds_count 2\n"));
	assert_non_null(strstr(text, "\nconvene_y_total{r=\"ok\"} 3\n"));
	assert_null(strstr(text, "convene bad"));
	assert_null(strstr(text, "convene_connected 7"));
	free(text);

	/* Unloading owner_b takes its series; owner_a's hook stays. */
	metrics_drop_owner(&owner_b);
	text = metrics_render(&len);
	assert_null(strstr(text, "convene_x_seconds"));
	assert_non_null(strstr(text, "convene_things"));
	assert_int_equal(hook_runs, 2);
	free(text);
	metrics_drop_owner(&owner_a);
	text = metrics_render(&len);
	assert_int_equal(hook_runs, 2);
	assert_null(strstr(text, "convene_things"));
	free(text);
	metrics_free();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_is_loopback),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_bad_lists),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
