/*
 * tcp.h: a TCP connection opened from the loop without blocking it: the
 * name resolved by glibc's getaddrinfo_a, each address tried in turn with
 * a non-blocking connect. The plain IRC link uses it, so that a bot on a
 * plain link needs no libcurl (curl_lazy.h).
 */
#ifndef CV_TCP_H
#define CV_TCP_H

#include <stdint.h>

/*
 * fd is the connected socket (non-blocking, now the callee's to close), or
 * -1 with why in English for the log.
 */
typedef void (*tcp_done_fn)(void *arg, int fd, const char *why);

struct tcp_connect;

/*
 * Start connecting; done runs from the loop, once, unless cancelled first.
 * NULL (nothing started, nothing called) when the lookup cannot start.
 */
struct tcp_connect *tcp_connect(const char *host, unsigned port, int64_t timeout_ms,
    tcp_done_fn done, void *arg);
/* Stop a connection that has not finished; done is not called. */
void tcp_cancel(struct tcp_connect *c);

#endif
