/* curl_lazy.c: libcurl's handle and the table of its functions (curl_lazy.h). */
#include <dlfcn.h>
#include <stddef.h>

#include "curl_lazy.h"
#include "log.h"

struct curl_lazy curl_fn;

static void *lib;
static bool failed; /* tried and could not: said once in the log */

#define SYM(f)                                  \
	{                                       \
		"curl_" #f, (void **)&curl_fn.f \
	}

static const struct {
	const char *name;
	void **slot;
} syms[] = {
	SYM(global_init),
	SYM(global_cleanup),
	SYM(version_info),
	SYM(easy_init),
	SYM(easy_cleanup),
	SYM(easy_setopt),
	SYM(easy_getinfo),
	SYM(easy_send),
	SYM(easy_recv),
	SYM(easy_strerror),
	SYM(slist_append),
	SYM(slist_free_all),
	SYM(share_init),
	SYM(share_setopt),
	SYM(share_cleanup),
	SYM(multi_init),
	SYM(multi_setopt),
	SYM(multi_socket_action),
	SYM(multi_assign),
	SYM(multi_info_read),
	SYM(multi_add_handle),
	SYM(multi_remove_handle),
	SYM(multi_cleanup),
};

int
curl_lazy_load(void)
{
	void *h;
	size_t i;

	if (lib != NULL)
		return 0;
	if (failed)
		return -1;
	h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		log_error("cannot load libcurl (%s): %s; downloads and TLS links fail "
		          "until it is installed",
		    CURL_SONAME, dlerror());
		failed = true;
		return -1;
	}
	for (i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		if (*syms[i].slot == NULL) {
			log_error("cannot load libcurl: %s has no %s", CURL_SONAME,
			    syms[i].name);
			dlclose(h);
			failed = true;
			return -1;
		}
	}
	/*
	 * Here rather than at start, with the HTTP server's threads running:
	 * libcurl's init is thread-safe since 7.84 (OpenSSL 1.1's too).
	 */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("cannot load libcurl: curl_global_init failed");
		dlclose(h);
		failed = true;
		return -1;
	}
	lib = h;
	log_debug("loaded %s", CURL_SONAME);
	return 0;
}

bool
curl_lazy_loaded(void)
{
	return lib != NULL;
}

void
curl_lazy_cleanup(void)
{
	if (lib != NULL)
		curl_global_cleanup();
}
