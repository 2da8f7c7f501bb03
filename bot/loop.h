/*
 * loop.h: the one poll loop. Every fd and every timer of the bot runs from
 * here, on one thread. Timers use the monotonic clock, which tests can
 * replace.
 */
#ifndef CV_LOOP_H
#define CV_LOOP_H

#include <poll.h>
#include <stdint.h>

typedef void (*loop_fd_fn)(void *arg, int fd, short revents);
typedef void (*loop_timer_fn)(void *arg);
typedef void (*loop_hook_fn)(void *arg);

struct watch;

/* Watch fd for events (POLLIN/POLLOUT). The watch belongs to the loop. */
struct watch *loop_watch(int fd, short events, loop_fd_fn fn, void *arg);
void loop_watch_events(struct watch *w, short events);
/* Safe to call from inside any callback, including w's own. */
void loop_unwatch(struct watch *w);

/* A timer; repeat_ms 0 fires once. Ids are never reused; 0 is no timer. */
uint64_t loop_timer(int64_t delay_ms, int64_t repeat_ms, loop_timer_fn fn, void *arg);
/* Safe for an unknown, fired or already cancelled id. */
void loop_timer_cancel(uint64_t id);

/*
 * Hooks run once per pass: `before` just before poll() (to refresh
 * interest sets and timeouts), `after` once the pass's callbacks ran
 * (to commit grouped changes and flush queues). A hook returns nothing;
 * loop_hooks_remove() drops every hook with that arg.
 */
void loop_before(loop_hook_fn fn, void *arg);
void loop_after(loop_hook_fn fn, void *arg);
void loop_hooks_remove(void *arg);
/* The longest the next poll() may sleep, ms; hooks lower it. */
void loop_wake_within(int64_t ms);

/* Monotonic milliseconds; CLOCK_MONOTONIC unless a test set a clock. */
int64_t loop_now(void);
void loop_set_clock(int64_t (*now)(void));

/* Run passes until loop_stop(). Returns 0. */
int loop_run(void);
/* One pass with at most timeout_ms of waiting (tests). */
void loop_once(int64_t timeout_ms);
void loop_stop(void);
/* loop_stop() was called: this pass is the last. */
bool loop_stopping(void);

#endif
