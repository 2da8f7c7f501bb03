/*
 * curl_lazy.h: libcurl, opened with dlopen the first time the host needs it
 * (a TLS link, a download, a publish) instead of linked: a bot on a plain
 * link that fetches nothing never maps libcurl and the TLS, Kerberos, LDAP
 * and SSH libraries behind it (5.5 MB resident, bench/README.md). The host
 * calls curl_* as before: each name below is a pointer of one table that
 * curl_lazy_load() fills with dlsym, the way systemd opens its optional
 * libraries. Include this, never <curl/curl.h>, in the host's files.
 */
#ifndef CV_CURL_LAZY_H
#define CV_CURL_LAZY_H

#include <stdbool.h>

/* Plain prototypes: GCC's type-checking macros would hide the table's names. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

/* The same library the build compiled against (the package depends on it). */
#define CURL_SONAME "libcurl.so.4"

struct curl_lazy {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	curl_version_info_data *(*version_info)(CURLversion v);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *easy);
	CURLcode (*easy_setopt)(CURL *easy, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *easy, CURLINFO info, ...);
	CURLcode (*easy_send)(CURL *easy, const void *buf, size_t len, size_t *n);
	CURLcode (*easy_recv)(CURL *easy, void *buf, size_t len, size_t *n);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLSH *(*share_init)(void);
	CURLSHcode (*share_setopt)(CURLSH *sh, CURLSHoption opt, ...);
	CURLSHcode (*share_cleanup)(CURLSH *sh);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev, int *running);
	CURLMcode (*multi_assign)(CURLM *m, curl_socket_t s, void *p);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *easy);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *easy);
	CURLMcode (*multi_cleanup)(CURLM *m);
};

extern struct curl_lazy curl_fn;

/*
 * Open libcurl and run curl_global_init() the first time; later calls
 * return at once. 0, or -1 (logged once) when it cannot be opened: then
 * no curl_* below may be called.
 */
int curl_lazy_load(void);
bool curl_lazy_loaded(void);
/* curl_global_cleanup() if it was loaded; the library stays mapped. */
void curl_lazy_cleanup(void);

/* curl.h makes these three-argument macros of themselves; the table's instead. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_share_setopt
#undef curl_multi_setopt
#define curl_global_init (*curl_fn.global_init)
#define curl_global_cleanup (*curl_fn.global_cleanup)
#define curl_version_info (*curl_fn.version_info)
#define curl_easy_init (*curl_fn.easy_init)
#define curl_easy_cleanup (*curl_fn.easy_cleanup)
#define curl_easy_setopt (*curl_fn.easy_setopt)
#define curl_easy_getinfo (*curl_fn.easy_getinfo)
#define curl_easy_send (*curl_fn.easy_send)
#define curl_easy_recv (*curl_fn.easy_recv)
#define curl_easy_strerror (*curl_fn.easy_strerror)
#define curl_slist_append (*curl_fn.slist_append)
#define curl_slist_free_all (*curl_fn.slist_free_all)
#define curl_share_init (*curl_fn.share_init)
#define curl_share_setopt (*curl_fn.share_setopt)
#define curl_share_cleanup (*curl_fn.share_cleanup)
#define curl_multi_init (*curl_fn.multi_init)
#define curl_multi_setopt (*curl_fn.multi_setopt)
#define curl_multi_socket_action (*curl_fn.multi_socket_action)
#define curl_multi_assign (*curl_fn.multi_assign)
#define curl_multi_info_read (*curl_fn.multi_info_read)
#define curl_multi_add_handle (*curl_fn.multi_add_handle)
#define curl_multi_remove_handle (*curl_fn.multi_remove_handle)
#define curl_multi_cleanup (*curl_fn.multi_cleanup)

#endif
