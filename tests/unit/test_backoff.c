/* test_backoff.c: the reconnect schedule, its jitter and its cap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "backoff.h"

#define BASE 2000
#define CAP 300000

static void
test_schedule(void **state)
{
	/* 2 4 8 16 32 64 128 256 s, then 300 s for good. */
	static const int64_t steps[] = { 2000, 4000, 8000, 16000, 32000, 64000, 128000,
		256000, 300000, 300000, 300000, 300000 };
	struct backoff b;
	size_t i;
	uint64_t seed;

	for (seed = 1; seed <= 50; seed++) {
		backoff_init(&b, BASE, CAP, seed);
		for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			int64_t d = backoff_next(&b);

			assert_in_range(d, steps[i] / 2, steps[i]);
		}
	}
}

static void
test_bounds_forever(void **state)
{
	struct backoff b;
	int64_t d, lo = INT64_MAX, hi = 0;
	int i;

	backoff_init(&b, BASE, CAP, 42);
	for (i = 0; i < 10000; i++) {
		d = backoff_next(&b);
		assert_in_range(d, BASE / 2, CAP);
		if (i >= 8) {
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
	}
	/* At the cap the jitter spans [cap/2, cap], not a constant. */
	assert_true(lo < CAP / 2 + CAP / 20);
	assert_true(hi > CAP - CAP / 20);
	assert_int_equal(b.cur_ms, CAP);
}

static void
test_reset(void **state)
{
	struct backoff b;
	int i;

	backoff_init(&b, BASE, CAP, 7);
	for (i = 0; i < 20; i++)
		backoff_next(&b);
	backoff_reset(&b);
	assert_in_range(backoff_next(&b), BASE / 2, BASE);
	assert_in_range(backoff_next(&b), 2 * BASE / 2, 2 * BASE);
}

static void
test_seeded(void **state)
{
	struct backoff a, b, c;
	int i, differ = 0;

	backoff_init(&a, BASE, CAP, 99);
	backoff_init(&b, BASE, CAP, 99);
	backoff_init(&c, BASE, CAP, 100);
	for (i = 0; i < 20; i++) {
		int64_t da = backoff_next(&a), dc = backoff_next(&c);

		assert_int_equal(da, backoff_next(&b));
		differ += da != dc;
	}
	assert_true(differ > 0);
}

static void
test_odd_arguments(void **state)
{
	struct backoff b;
	int i;

	/* A cap below the base means a constant step of base. */
	backoff_init(&b, 5000, 1000, 3);
	for (i = 0; i < 5; i++)
		assert_in_range(backoff_next(&b), 2500, 5000);
	/* A huge cap must not overflow the doubling. */
	backoff_init(&b, BASE, INT64_MAX, 3);
	for (i = 0; i < 100; i++)
		assert_true(backoff_next(&b) >= BASE / 2);
	assert_int_equal(b.cur_ms, INT64_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_bounds_forever),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_seeded),
		cmocka_unit_test(test_odd_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
