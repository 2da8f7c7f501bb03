/* loop.c: one poll() loop with fd watches, timers and per-pass hooks. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "loop.h"
#include "util.h"

struct watch {
	int fd;
	short events;
	bool dead;
	loop_fd_fn fn;
	void *arg;
};

struct timer {
	uint64_t id;
	int64_t when;
	int64_t repeat;
	loop_timer_fn fn;
	void *arg;
};

struct hook {
	loop_hook_fn fn;
	void *arg;
	bool after;
	bool dead;
};

static struct watch **watches;
static size_t nwatches, capwatches;
static struct timer *timers; /* unsorted: the bot has few timers */
static size_t ntimers, captimers;
static struct hook *hooks;
static size_t nhooks, caphooks;
static uint64_t next_timer_id = 1;
static int64_t wake_within = -1;
static bool stopping;
static int64_t (*clock_fn)(void);

static int64_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
loop_now(void)
{
	return clock_fn ? clock_fn() : mono_now();
}

void
loop_set_clock(int64_t (*now)(void))
{
	clock_fn = now;
}

struct watch *
loop_watch(int fd, short events, loop_fd_fn fn, void *arg)
{
	struct watch *w = xcalloc(1, sizeof *w);

	w->fd = fd;
	w->events = events;
	w->fn = fn;
	w->arg = arg;
	if (nwatches == capwatches) {
		capwatches = capwatches ? capwatches * 2 : 16;
		watches = xrealloc(watches, capwatches * sizeof *watches);
	}
	watches[nwatches++] = w;
	return w;
}

void
loop_watch_events(struct watch *w, short events)
{
	w->events = events;
}

/* Marked dead here and freed between passes, so callbacks may unwatch. */
void
loop_unwatch(struct watch *w)
{
	if (w != NULL)
		w->dead = true;
}

static void
reap_watches(void)
{
	size_t i, j;

	for (i = j = 0; i < nwatches; i++) {
		if (watches[i]->dead)
			free(watches[i]);
		else
			watches[j++] = watches[i];
	}
	nwatches = j;
}

uint64_t
loop_timer(int64_t delay_ms, int64_t repeat_ms, loop_timer_fn fn, void *arg)
{
	struct timer *t;

	if (ntimers == captimers) {
		captimers = captimers ? captimers * 2 : 16;
		timers = xrealloc(timers, captimers * sizeof *timers);
	}
	t = &timers[ntimers++];
	t->id = next_timer_id++;
	t->when = loop_now() + (delay_ms > 0 ? delay_ms : 0);
	t->repeat = repeat_ms > 0 ? repeat_ms : 0;
	t->fn = fn;
	t->arg = arg;
	return t->id;
}

void
loop_timer_cancel(uint64_t id)
{
	size_t i;

	for (i = 0; i < ntimers; i++) {
		if (timers[i].id == id) {
			timers[i] = timers[--ntimers];
			return;
		}
	}
}

static void
add_hook(loop_hook_fn fn, void *arg, bool after)
{
	if (nhooks == caphooks) {
		caphooks = caphooks ? caphooks * 2 : 8;
		hooks = xrealloc(hooks, caphooks * sizeof *hooks);
	}
	hooks[nhooks++] = (struct hook){ fn, arg, after, false };
}

void
loop_before(loop_hook_fn fn, void *arg)
{
	add_hook(fn, arg, false);
}

void
loop_after(loop_hook_fn fn, void *arg)
{
	add_hook(fn, arg, true);
}

void
loop_hooks_remove(void *arg)
{
	size_t i;

	for (i = 0; i < nhooks; i++)
		if (hooks[i].arg == arg)
			hooks[i].dead = true;
}

static void
run_hooks(bool after)
{
	size_t i, j;

	for (i = 0; i < nhooks; i++)
		if (!hooks[i].dead && hooks[i].after == after)
			hooks[i].fn(hooks[i].arg);
	for (i = j = 0; i < nhooks; i++)
		if (!hooks[i].dead)
			hooks[j++] = hooks[i];
	nhooks = j;
}

void
loop_wake_within(int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (wake_within < 0 || ms < wake_within)
		wake_within = ms;
}

/*
 * Fire due timers. A timer callback may add or cancel timers, so find one
 * due timer at a time by id rather than holding an index across calls.
 */
static void
run_timers(void)
{
	int64_t now = loop_now();
	uint64_t limit = next_timer_id; /* timers added now wait a pass */

	for (;;) {
		struct timer t;
		size_t i, due = ntimers;

		for (i = 0; i < ntimers; i++)
			if (timers[i].id < limit && timers[i].when <= now &&
			    (due == ntimers || timers[i].when < timers[due].when))
				due = i;
		if (due == ntimers)
			return;
		t = timers[due];
		if (t.repeat > 0) {
			/* Re-arm from the schedule without piling up missed runs. */
			timers[due].when += t.repeat;
			if (timers[due].when <= now)
				timers[due].when = now + t.repeat;
		} else {
			timers[due] = timers[--ntimers];
		}
		t.fn(t.arg);
	}
}

static int
poll_timeout(void)
{
	int64_t now = loop_now(), t = wake_within;
	size_t i;

	for (i = 0; i < ntimers; i++) {
		int64_t d = timers[i].when - now;

		if (d < 0)
			d = 0;
		if (t < 0 || d < t)
			t = d;
	}
	if (t < 0 || t > 1000)
		t = 1000; /* a wake-up a second keeps injected clocks moving */
	return (int)t;
}

void
loop_once(int64_t max_wait_ms)
{
	struct pollfd *pfd;
	size_t i, n;
	int timeout, r;

	wake_within = -1;
	run_hooks(false);
	reap_watches();
	n = nwatches;
	pfd = xcalloc(n ? n : 1, sizeof *pfd);
	for (i = 0; i < n; i++) {
		pfd[i].fd = watches[i]->events ? watches[i]->fd : -1;
		pfd[i].events = watches[i]->events;
	}
	timeout = poll_timeout();
	if (max_wait_ms >= 0 && timeout > max_wait_ms)
		timeout = (int)max_wait_ms;
	r = poll(pfd, n, timeout);
	if (r < 0 && errno != EINTR)
		log_error("poll: %s", strerror(errno));
	/* Watches added during this pass sit past n and wait for the next. */
	for (i = 0; r > 0 && i < n; i++) {
		struct watch *w = watches[i];

		if (pfd[i].revents && !w->dead)
			w->fn(w->arg, w->fd, pfd[i].revents);
	}
	free(pfd);
	run_timers();
	run_hooks(true);
}

int
loop_run(void)
{
	stopping = false;
	while (!stopping)
		loop_once(-1);
	return 0;
}

void
loop_stop(void)
{
	stopping = true;
}

bool
loop_stopping(void)
{
	return stopping;
}
