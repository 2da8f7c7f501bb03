/* fetch.c: plugins' HTTP requests through the shared curl multi. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curl_lazy.h"
#include "fetch.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "util.h"

#define DEFAULT_MAX (1024 * 1024)
#define DEFAULT_TIMEOUT_MS 30000

struct fetch {
	const void *owner;
	CURL *easy;
	struct curl_slist *headers;
	cv_http_done_fn done;
	void *arg;
	char *body;
	size_t len, max;
	bool too_big, refused;
	bool allow_private;
	char *etag, *ctype;
	char *req_body;
	char errbuf[CURL_ERROR_SIZE];
	uint64_t fail_timer; /* libcurl could not be loaded: fails from the loop */
	struct fetch *next;
};

static struct fetch *all;
/*
 * The connections of requests that may not reach private addresses, kept
 * apart from the multi's: curl checks the address only when it opens a
 * socket, so such a request must never reuse a connection that a request
 * allowed to reach private addresses (publishing) opened.
 */
static CURLSH *public_pool;

/*
 * The IPv4 address an IPv6 one carries, where a translator or tunnel would
 * deliver to it: IPv4-mapped (::ffff:0:0/96), IPv4-compatible, SIIT
 * translated (::ffff:0:0:0/96), NAT64 (64:ff9b::/96), 6to4 (2002::/16) and
 * Teredo (2001::/32, whose client address is stored inverted). Its server is
 * also checked: a Teredo packet goes there first. true when one was found.
 */
static bool
embedded_v4(const struct in6_addr *a, struct sockaddr_in *out, struct sockaddr_in *also)
{
	static const uint8_t siit[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0 };
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
	const uint8_t *b = a->s6_addr;

	if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a) ||
	    memcmp(b, siit, 12) == 0 || memcmp(b, nat64, 12) == 0) {
		memcpy(&out->sin_addr, &b[12], 4);
		also->sin_addr = out->sin_addr;
		return true;
	}
	if (b[0] == 0x20 && b[1] == 0x02) {
		memcpy(&out->sin_addr, &b[2], 4);
		also->sin_addr = out->sin_addr;
		return true;
	}
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
		uint8_t client[4];

		for (int i = 0; i < 4; i++)
			client[i] = b[12 + i] ^ 0xff;
		memcpy(&out->sin_addr, client, 4);
		memcpy(&also->sin_addr, &b[4], 4);
		return true;
	}
	return false;
}

bool
fetch_addr_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);

		return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
		    (a >> 16) == 0xa9fe ||          /* 169.254/16 link-local */
		    (a >> 20) == 0xac1 ||           /* 172.16/12 */
		    (a >> 16) == 0xc0a8 ||          /* 192.168/16 */
		    (a >> 22) == (100u << 2 | 1) || /* 100.64/10 shared */
		    (a >> 8) == 0xc00000 ||         /* 192.0.0/24 IETF protocol */
		    (a >> 17) == (0xc612u >> 1) ||  /* 198.18/15 benchmarking */
		    (a >> 24) >= 224;               /* multicast, reserved, broadcast */
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		struct sockaddr_in v4 = { .sin_family = AF_INET },
		                   v4b = { .sin_family = AF_INET };

		if (embedded_v4(a, &v4, &v4b))
			return fetch_addr_private((struct sockaddr *)&v4) ||
			    fetch_addr_private((struct sockaddr *)&v4b);
		/* 64:ff9b:1::/48 is NAT64 for a local network (RFC 8215). */
		return IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) ||
		    IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_SITELOCAL(a) ||
		    IN6_IS_ADDR_MULTICAST(a) || (a->s6_addr[0] & 0xfe) == 0xfc ||
		    memcmp(a->s6_addr, "\0\x64\xff\x9b\0\x01", 6) == 0;
	}
	return true;
}

/* Every connection, the first and each redirect's, passes here. */
static curl_socket_t
open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct fetch *f = clientp;

	if (!f->allow_private && fetch_addr_private(&addr->addr)) {
		f->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	size_t len = size * n;

	/* Enforced while reading: a chunked answer has no length to check first. */
	if (f->len + len > f->max) {
		f->too_big = true;
		return 0;
	}
	f->body = xrealloc(f->body, f->len + len + 1);
	memcpy(f->body + f->len, p, len);
	f->len += len;
	f->body[f->len] = '\0';
	return len;
}

static char *
header_value(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *v, *end = line + len;

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	for (v = line + n + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	return xstrndup(v, end - v);
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	size_t len = size * n;
	char *v;

	/* A redirect's headers come first: the last response's win. */
	if ((v = header_value(p, len, "ETag")) != NULL) {
		free(f->etag);
		f->etag = v;
	} else if ((v = header_value(p, len, "Content-Type")) != NULL) {
		free(f->ctype);
		f->ctype = v;
	}
	return len;
}

static void
unlink_fetch(struct fetch *f)
{
	struct fetch **pp;

	for (pp = &all; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			return;
		}
	}
}

static void
free_fetch(struct fetch *f)
{
	loop_timer_cancel(f->fail_timer);
	if (f->easy != NULL) {
		curl_easy_cleanup(f->easy);
		curl_slist_free_all(f->headers);
	}
	free(f->body);
	free(f->etag);
	free(f->ctype);
	free(f->req_body);
	free(f);
}

/* Was the answer read from a private address (checked again, whatever the pool)? */
static bool
connected_private(CURL *easy)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	char *ip = NULL;

	if (curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK || ip == NULL ||
	    ip[0] == '\0')
		return false; /* no connection was made */
	if (inet_pton(AF_INET, ip, &a4.sin_addr) == 1)
		return fetch_addr_private((struct sockaddr *)&a4);
	if (inet_pton(AF_INET6, ip, &a6.sin6_addr) == 1)
		return fetch_addr_private((struct sockaddr *)&a6);
	return true;
}

/*
 * Why a transfer failed, as a sentence for people: English marked N_(), so
 * the plugin that tells someone translates it (include/convene.h). curl's
 * own texts (curl_easy_strerror, the error buffer) are English only and
 * name its internals: they go to the log.
 */
static const char *
failure(CURLcode rc, bool too_big, bool refused)
{
	/* Too big, counted while reading or announced by Content-Length. */
	if (too_big || rc == CURLE_FILESIZE_EXCEEDED)
		return N_("the answer is larger than allowed");
	if (refused)
		return N_("the address is private or local, which is not allowed");
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return N_("the server took too long");
	case CURLE_UNSUPPORTED_PROTOCOL:
		return N_("only http and https are allowed");
	case CURLE_TOO_MANY_REDIRECTS:
		return N_("too many redirects");
	case CURLE_URL_MALFORMAT:
		return N_("the link is not a valid address");
	case CURLE_COULDNT_RESOLVE_HOST:
		return N_("the server's name was not found");
	case CURLE_COULDNT_CONNECT:
		return N_("the server could not be reached");
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return N_("the server's certificate could not be verified");
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
		return N_("the secure (TLS) connection to the server failed");
	case CURLE_GOT_NOTHING:
		return N_("the server closed the connection without answering");
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return N_("the connection to the server broke off");
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		return N_("the server's answer could not be read");
	default:
		return N_("the download failed");
	}
}

static void
on_done(void *arg, CURL *easy, CURLcode rc)
{
	struct fetch *f = arg;
	struct cv_http_result r = { 0 };
	long status = 0;

	unlink_fetch(f);
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	if (!f->allow_private && !f->refused && connected_private(easy))
		f->refused = true;
	r.body = f->body ? f->body : "";
	r.len = f->len;
	r.etag = f->etag;
	r.content_type = f->ctype;
	if (rc == CURLE_OK && !f->too_big && !f->refused)
		r.status = (int)status;
	else
		r.error = failure(rc, f->too_big, f->refused);
	/* curl's own words, in English, for whoever reads the log. */
	if (r.error != NULL)
		log_info("fetch failed (curl %d): %s", (int)rc,
		    f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc));
	f->done(f->arg, &r);
	free_fetch(f);
}

/* A request that may not reach private addresses shares public_pool's connections. */
static int
use_public_pool(CURL *easy)
{
	if (public_pool == NULL) {
		public_pool = curl_share_init();
		if (public_pool == NULL ||
		    curl_share_setopt(public_pool, CURLSHOPT_SHARE,
		        CURL_LOCK_DATA_CONNECT) != CURLSHE_OK) {
			if (public_pool != NULL)
				curl_share_cleanup(public_pool);
			public_pool = NULL;
			return -1;
		}
	}
	curl_easy_setopt(easy, CURLOPT_SHARE, public_pool);
	return 0;
}

/* Without libcurl a request fails as a download does: done, from the loop. */
static void
fail_unloaded(void *arg)
{
	struct fetch *f = arg;
	struct cv_http_result r = { .body = "", .error = N_("the download failed") };

	f->fail_timer = 0;
	unlink_fetch(f);
	f->done(f->arg, &r);
	free_fetch(f);
}

int
fetch_start(const void *owner, const struct cv_http_request *req, cv_http_done_fn done,
    void *arg)
{
	struct fetch *f;
	size_t i;

	if (strncasecmp(req->url, "http://", 7) != 0 &&
	    strncasecmp(req->url, "https://", 8) != 0)
		return -1;
	f = xcalloc(1, sizeof *f);
	f->owner = owner;
	f->done = done;
	f->arg = arg;
	f->max = req->max_bytes ? req->max_bytes : DEFAULT_MAX;
	f->allow_private = req->allow_private;
	if (net_init() < 0) {
		f->fail_timer = loop_timer(0, 0, fail_unloaded, f);
		f->next = all;
		all = f;
		return 0;
	}
	f->easy = curl_easy_init();
	if (f->easy == NULL) {
		free(f);
		return -1;
	}
	curl_easy_setopt(f->easy, CURLOPT_URL, req->url);
	curl_easy_setopt(f->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->easy, CURLOPT_FOLLOWLOCATION, req->follow ? 1L : 0L);
	curl_easy_setopt(f->easy, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(f->easy, CURLOPT_PROXY, "");
	net_trust_system_dir(f->easy);
	curl_easy_setopt(f->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS,
	    req->timeout_ms ? req->timeout_ms : (long)DEFAULT_TIMEOUT_MS);
	curl_easy_setopt(f->easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(f->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max);
	curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(f->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(f->easy, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(f->easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(f->easy, CURLOPT_OPENSOCKETDATA, f);
	curl_easy_setopt(f->easy, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(f->easy, CURLOPT_USERAGENT, "Convene/" CONVENE_VERSION);
	curl_easy_setopt(f->easy, CURLOPT_ACCEPT_ENCODING, "");
	if (req->method != NULL && strcmp(req->method, "GET") != 0)
		curl_easy_setopt(f->easy, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body != NULL) {
		f->req_body = xstrndup(req->body, req->body_len);
		curl_easy_setopt(f->easy, CURLOPT_POSTFIELDS, f->req_body);
		curl_easy_setopt(f->easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
	}
	if (req->user != NULL) {
		curl_easy_setopt(f->easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(f->easy, CURLOPT_USERNAME, req->user);
		curl_easy_setopt(f->easy, CURLOPT_PASSWORD,
		    req->password ? req->password : "");
	}
	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++)
		f->headers = curl_slist_append(f->headers, req->headers[i]);
	/* curl adds "Expect: 100-continue" to larger PUTs; servers differ on it. */
	f->headers = curl_slist_append(f->headers, "Expect:");
	curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, f->headers);
	if ((!f->allow_private && use_public_pool(f->easy) < 0) ||
	    net_start(f->easy, on_done, f) < 0) {
		free_fetch(f);
		return -1;
	}
	f->next = all;
	all = f;
	return 0;
}

void
fetch_cancel_owner(const void *owner)
{
	struct fetch *f = all, *next;

	for (; f != NULL; f = next) {
		next = f->next;
		if (f->owner == owner) {
			unlink_fetch(f);
			net_cancel(f->easy);
			free_fetch(f);
		}
	}
}

void
fetch_cancel_all(void)
{
	while (all != NULL) {
		struct fetch *f = all;

		all = f->next;
		net_cancel(f->easy);
		free_fetch(f);
	}
	/* No handle uses it now; its idle connections close with it. */
	if (public_pool != NULL)
		curl_share_cleanup(public_pool);
	public_pool = NULL;
}
