/* backoff.c: reconnect delays, exponential with jitter. */
#include "backoff.h"

/* splitmix64: small, good enough for jitter, and reproducible from a seed. */
static uint64_t
rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
backoff_init(struct backoff *b, int64_t base_ms, int64_t cap_ms, uint64_t seed)
{
	b->base_ms = base_ms > 0 ? base_ms : 1;
	b->cap_ms = cap_ms > b->base_ms ? cap_ms : b->base_ms;
	b->cur_ms = b->base_ms;
	b->rng = seed;
}

/*
 * Uniform in [step/2, step]: reconnecting bots that lost the same server
 * at the same moment should not all come back at the same moment.
 */
int64_t
backoff_next(struct backoff *b)
{
	int64_t step = b->cur_ms, lo = step / 2;
	uint64_t span = (uint64_t)(step - lo) + 1;

	if (b->cur_ms > b->cap_ms / 2)
		b->cur_ms = b->cap_ms;
	else
		b->cur_ms *= 2;
	return lo + (int64_t)(rng_next(&b->rng) % span);
}

void
backoff_reset(struct backoff *b)
{
	b->cur_ms = b->base_ms;
}
