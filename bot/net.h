/*
 * net.h: libcurl's multi interface driven from the main loop, so no
 * transfer ever blocks the bot. libcurl is loaded by the first net_init()
 * (curl_lazy.h), which also runs curl_global_init().
 */
#ifndef CV_NET_H
#define CV_NET_H

#include <stdbool.h>

#include "curl_lazy.h"

typedef void (*net_done_fn)(void *arg, CURL *easy, CURLcode rc);

/*
 * Load libcurl and set up the multi, the first time: call it before any
 * curl_* call. 0, or -1 when libcurl cannot be loaded (logged).
 */
int net_init(void);
void net_shutdown(void);
/* Start a transfer; done runs from the loop when it ends. 0 or -1. */
int net_start(CURL *easy, net_done_fn done, void *arg);
/*
 * The same, but the handle stays in the multi when it ends (a CONNECT_ONLY
 * connection dies when removed): the owner calls net_release() before
 * curl_easy_cleanup().
 */
int net_start_keep(CURL *easy, net_done_fn done, void *arg, bool keep);
void net_release(CURL *easy);
/* Stop a transfer that has not ended; done is not called. */
void net_cancel(CURL *easy);
/*
 * Verify a TLS peer with the system's authorities read one at a time from
 * libcurl's CA directory, not the whole bundle (OpenSSL builds only).
 */
void net_trust_system_dir(CURL *easy);

#endif
