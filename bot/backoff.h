/*
 * backoff.h: reconnect delays. Exponential (base doubling to cap) with
 * jitter, reset after a stable connection. Pure; seeded for tests.
 */
#ifndef CV_BACKOFF_H
#define CV_BACKOFF_H

#include <stdint.h>

struct backoff {
	int64_t base_ms, cap_ms, cur_ms;
	uint64_t rng;
};

void backoff_init(struct backoff *b, int64_t base_ms, int64_t cap_ms, uint64_t seed);
/* The delay before the next attempt; doubles the step up to the cap. */
int64_t backoff_next(struct backoff *b);
void backoff_reset(struct backoff *b);

#endif
