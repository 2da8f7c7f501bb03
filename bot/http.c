/*
 * http.c: the embedded HTTP server. libmicrohttpd runs without threads of
 * its own: its epoll fd is watched by the main loop, which calls MHD_run()
 * when it is readable or when one of MHD's timeouts is due.
 *
 * Every answer, routed or refused, goes out through send_answer(), which
 * adds the validators, the security headers and the conditional 304.
 *
 * Slow clients (slowloris): MHD's own timeout is an idle one, which each
 * byte resets, so a client trickling a header line every few seconds could
 * hold a connection for ever, and enough of them every connection. Each
 * connection is therefore tracked here from MHD's NOTIFY_CONNECTION: a
 * request must have all its headers in within header_timeout of its start
 * (the accept, or the end of the previous answer on a kept-alive
 * connection), else its socket is shut down and MHD closes it. And when
 * every connection is taken, a new one takes the place of the oldest still
 * reading its headers, so slow clients cannot shut out a fast one for even
 * that long. MHD offers no call to close a connection from outside its
 * handlers; shutdown() on its socket makes its next read see the end, in
 * the run that the socket's wake-up brings.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "http.h"
#include "http_priv.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "util.h"

struct route {
	const void *owner;
	char *prefix;
	size_t len;
	cv_http_fn fn;
	void *arg;
};

struct http_state http;

static struct route *routes;
static size_t nroutes;

/* Stands in *con_cls for a request already answered. */
static char answered;

static struct conn *
conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
http_path_decode(const char *raw, char *out, size_t outlen)
{
	size_t n = strcspn(raw, "?"), i, o = 0;

	if (n > HTTP_PATH_MAX)
		return 414;
	/* Not origin-form ("*", "http://host/..."): nothing of ours. */
	if (raw[0] != '/' || outlen <= n)
		return 404;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c == '%') {
			int hi = hexval(raw[i + 1]), lo;

			/* raw[i + 1] may be the NUL; then hi is -1 and we stop. */
			if (hi < 0 || (lo = hexval(raw[i + 2])) < 0)
				return 400;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || c == '\\')
			return 404;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	/* Checked after decoding, so "%2e%2e" and "%2f%2f" are caught too. */
	if (strstr(out, "..") != NULL || strstr(out, "//") != NULL)
		return 404;
	return 0;
}

/*
 * Queue resp as the answer; MHD sends HEAD answers without the body.
 * owner is the route's owner when the answer may be kept for reuse, for
 * the request's path.
 */
static enum MHD_Result
send_answer(struct MHD_Connection *c, struct cv_http_resp *resp, const char *allow,
    const void *owner, const char *path, const char *lang)
{
	struct MHD_Response *r;
	struct cached *e;
	const char *ctype;
	char date[HTTP_DATE_LEN];
	enum MHD_Result ret;
	bool keep, mapped = false;

	check_conditional(c, resp);
	if (resp->body == NULL)
		resp->len = 0;
	ctype = resp->content_type ? resp->content_type : "text/plain; charset=utf-8";
	/* One person's data is kept nowhere else; only plugins' strong tags. */
	keep = owner != NULL && resp->status == MHD_HTTP_OK && !resp->body_free &&
	    !resp->personal && resp->etag[0] == '"' && allow == NULL;
	/* An answer that varies is kept apart for each language (ABI 1.7). */
	if (resp->vary == NULL)
		lang = NULL;
	if (keep && (e = cache_find(owner, resp, ctype, lang)) != NULL) {
		metrics_http_status(resp->status);
		return MHD_queue_response(c, (unsigned)resp->status, e->r);
	}
	if (resp->body_free)
		r = MHD_create_response_from_buffer(resp->len, resp->body,
		    MHD_RESPMEM_MUST_FREE);
	else if (keep && resp->body_mapped && (r = mapped_response(resp)) != NULL)
		mapped = true;
	else
		r = MHD_create_response_from_buffer(resp->len, resp->body,
		    MHD_RESPMEM_MUST_COPY);
	if (r == NULL) {
		if (resp->body_free)
			free(resp->body);
		return MHD_NO;
	}

	if (resp->status != MHD_HTTP_NOT_MODIFIED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (resp->etag[0] != '\0')
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, resp->etag);
	if (resp->last_modified != 0) {
		http_date_format(resp->last_modified, date);
		MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	}
	if (allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	if (resp->vary != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, resp->vary);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/*
	 * Clients keep a copy but must ask again (a cheap 304) every time; one
	 * person's feed is kept by no cache at all, least of all a shared one.
	 */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    resp->personal ? "private, no-store" : "no-cache");
	/* Calendar feed URLs carry tokens: never leak them to other sites. */
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	if (strncasecmp(ctype, "text/html", 9) == 0)
		MHD_add_response_header(r, "Content-Security-Policy",
		    "default-src 'none'; style-src 'unsafe-inline'");

	metrics_http_status(resp->status);
	ret = MHD_queue_response(c, (unsigned)resp->status, r);
	/* MHD holds its own reference while the answer is in flight. */
	if (!keep || !cache_add(owner, path, resp, ctype, r, mapped, lang))
		MHD_destroy_response(r);
	return ret;
}

/*
 * A short plain-text refusal, in the browser's language (a person may
 * follow a link to an event that is gone); the text never says more than
 * the status.
 */
static enum MHD_Result
send_status(struct MHD_Connection *c, int status, const char *allow)
{
	struct cv_http_resp resp;
	const char *text,
	    *lang = http_accept_language(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                     MHD_HTTP_HEADER_ACCEPT_LANGUAGE),
	        i18n_default());

	switch (status) {
	case MHD_HTTP_BAD_REQUEST:
		text = N_("bad request\n");
		break;
	case MHD_HTTP_METHOD_NOT_ALLOWED:
		text = N_("method not allowed\n");
		break;
	case MHD_HTTP_CONTENT_TOO_LARGE:
		text = N_("no request body allowed\n");
		break;
	case MHD_HTTP_URI_TOO_LONG:
		text = N_("path too long\n");
		break;
	case MHD_HTTP_INTERNAL_SERVER_ERROR:
		text = N_("internal error\n");
		break;
	case MHD_HTTP_FORBIDDEN:
		text = N_("forbidden\n");
		break;
	default:
		status = MHD_HTTP_NOT_FOUND;
		text = N_("not found\n");
	}
	memset(&resp, 0, sizeof resp);
	resp.status = status;
	resp.vary = "Accept-Language";
	text = tr(lang, text);
	resp.body = (char *)text;
	resp.len = strlen(text);
	return send_answer(c, &resp, allow, NULL, NULL, NULL);
}

static const struct route *
find_route(const char *path)
{
	const struct route *best = NULL;
	size_t i;

	for (i = 0; i < nroutes; i++)
		if (strncmp(path, routes[i].prefix, routes[i].len) == 0 &&
		    (best == NULL || routes[i].len > best->len))
			best = &routes[i];
	return best;
}

/* A body is refused: GET and HEAD carry none here. */
static bool
has_body(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl != NULL && strcmp(cl, "0") != 0) ||
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	        MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

/* The host's own route: the metrics, for the networks of metrics_from. */
static enum MHD_Result
send_metrics(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct cv_http_resp resp;

	if (ci == NULL || !metrics_allowed(ci->client_addr))
		return send_status(c, MHD_HTTP_FORBIDDEN, NULL);
	memset(&resp, 0, sizeof resp);
	resp.status = MHD_HTTP_OK;
	resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp.body = metrics_render(&resp.len);
	resp.body_free = true;
	/* Counted before this answer: it is not in its own figures. */
	return send_answer(c, &resp, NULL, NULL, NULL, NULL);
}

static enum MHD_Result
route_request(struct MHD_Connection *c, const char *method, const char *raw)
{
	char path[HTTP_PATH_MAX + 1];
	struct cv_http_req req;
	struct cv_http_resp resp;
	const struct route *rt;
	int status;

	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return send_status(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET, HEAD");
	if (has_body(c))
		return send_status(c, MHD_HTTP_CONTENT_TOO_LARGE, NULL);
	if (raw == NULL)
		return send_status(c, MHD_HTTP_BAD_REQUEST, NULL);
	if ((status = http_path_decode(raw, path, sizeof path)) != 0)
		return send_status(c, status, NULL);
	if (strcmp(path, "/metrics") == 0)
		return send_metrics(c);
	if ((rt = find_route(path)) == NULL)
		return send_status(c, MHD_HTTP_NOT_FOUND, NULL);

	/* Zeroed: members a later ABI adds read NULL until set here. */
	memset(&req, 0, sizeof req);
	req.method = method;
	req.path = path;
	req.base_url = http.base_url;
	req.accept_language = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
	req.lang = http_accept_language(req.accept_language, i18n_default());
	memset(&resp, 0, sizeof resp);
	resp.status = MHD_HTTP_OK;
	if (rt->fn(rt->arg, &req, &resp) == -1) {
		if (resp.body_free)
			free(resp.body);
		return send_status(c, MHD_HTTP_NOT_FOUND, NULL);
	}
	if (resp.status < 100 || resp.status > 599) {
		log_error("http: a route answered status %d", resp.status);
		if (resp.body_free)
			free(resp.body);
		return send_status(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL);
	}
	return send_answer(c, &resp, NULL, rt->owner, path, req.lang);
}

/*
 * MHD's access handler. It is called once the request's headers are all
 * in, and again when its body has been read. A request is answered on the
 * second call: MHD 0.9.75 closes the connection after an answer queued on
 * the first, and keep-alive is what makes a feed server cheap. A request
 * announcing a body is refused on the first call, so the body is never
 * read (MHD then closes the connection).
 */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	char *raw = *con_cls;
	struct conn *k = conn_of(c);
	enum MHD_Result ret;

	if (raw == &answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (k != NULL && k->reading) {
		/* The first call: the headers are in. */
		k->reading = false;
		if (!has_body(c))
			return MHD_YES;
	}
	ret = route_request(c, method, raw);
	free(raw);
	*con_cls = &answered;
	return ret;
}

/*
 * MHD hands the access handler a path already decoded, where "%00" has
 * cut it short; keep the raw target to decode (and refuse) ourselves.
 */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	return xstrdup(uri);
}

static void
on_done(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn *k = conn_of(c);

	if (*con_cls != &answered)
		free(*con_cls);
	*con_cls = NULL;
	/* Kept alive, it waits for its next request: a new header deadline. */
	if (k != NULL) {
		k->reading = true;
		k->since = loop_now();
	}
}

/*
 * MHD_run(), again while runs close connections: a run frees the slots
 * of the connections it closed only at its end, and only the next run
 * listens again once every slot was taken.
 */
static void
run(void)
{
	int i;

	for (i = 0; i < 4; i++) {
		http.closed = false;
		MHD_run(http.d);
		sweep();
		if (!http.closed)
			break;
	}
}

/* MHD's messages are about clients' misbehaviour: debug, not warnings. */
static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	size_t n;

	vsnprintf(http.lasterr, sizeof http.lasterr, fmt, ap);
	n = strlen(http.lasterr);
	while (n > 0 && http.lasterr[n - 1] == '\n')
		http.lasterr[--n] = '\0';
	log_debug("http: %s", http.lasterr);
}

static void
on_ready(void *arg, int fd, short revents)
{
	run();
}

/* MHD's timeouts (idle connections, work left over) and ours need a wake-up. */
static void
before_poll(void *arg)
{
	MHD_UNSIGNED_LONG_LONG ms;
	int64_t next = sweep();

	if (MHD_get_timeout(http.d, &ms) == MHD_YES)
		loop_wake_within(ms > INT32_MAX ? INT32_MAX : (int64_t)ms);
	if (next != -1)
		loop_wake_within(next - loop_now());
}

static void
after_pass(void *arg)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(http.d, &ms) == MHD_YES && ms == 0)
		run();
}

int
http_start(const char *listen, unsigned port, const char *base_url,
    const struct http_limits *lim, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	bool v6 = false;

	if (http.d != NULL) {
		snprintf(err, errlen, "the HTTP server is already running");
		return -1;
	}
	if (port > 65535) {
		snprintf(err, errlen, "HTTP port %u is out of range", port);
		return -1;
	}
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, listen, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, listen, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		flags |= MHD_USE_IPv6;
		v6 = true;
	} else {
		snprintf(err, errlen,
		    "HTTP listen address \"%s\" is not a "
		    "numeric IPv4 or IPv6 address",
		    listen);
		return -1;
	}

	http.lim = lim != NULL ?
	    *lim :
	    (struct http_limits){ HTTP_MAX_CONNECTIONS, HTTP_MAX_PER_IP,
		    HTTP_HEADER_TIMEOUT, HTTP_IDLE_TIMEOUT };
	if (http.lim.max_connections == 0 || http.lim.max_connections > HTTP_LIMIT_MAX ||
	    http.lim.header_timeout == 0 || http.lim.idle_timeout == 0) {
		snprintf(err, errlen, "HTTP limits out of range");
		return -1;
	}

	http.lasterr[0] = '\0';
	http.d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    /* One more than ours: on_connection() then makes room. */
	    MHD_OPTION_CONNECTION_LIMIT, http.lim.max_connections + 1,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, http.lim.max_per_ip,
	    MHD_OPTION_CONNECTION_TIMEOUT, http.lim.idle_timeout,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
	    /* Bounds a request's line and headers. */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED,
	    on_done, NULL, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_END);
	if (http.d == NULL) {
		snprintf(err, errlen, "cannot serve HTTP on %s port %u%s%s", listen, port,
		    http.lasterr[0] ? ": " : "", http.lasterr);
		return -1;
	}

	info = MHD_get_daemon_info(http.d, MHD_DAEMON_INFO_BIND_PORT);
	http.port = info ? info->port : port;
	info = MHD_get_daemon_info(http.d, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		snprintf(err, errlen, "the HTTP server has no epoll descriptor");
		MHD_stop_daemon(http.d);
		http.d = NULL;
		return -1;
	}
	http.watch = loop_watch(info->epoll_fd, POLLIN, on_ready, NULL);
	loop_before(before_poll, &http);
	loop_after(after_pass, &http);

	cv_strlcpy(http.listen, listen, sizeof http.listen);
	http.v6 = v6;
	http_set_base_url(base_url);
	log_info("http: serving on %s", http.base_url);
	return 0;
}

/* The one place the public base URL is built (struct cv_host's base_url()). */
void
http_set_base_url(const char *base_url)
{
	size_t n;

	if (http.d == NULL)
		return;
	free(http.base_url);
	if (base_url != NULL && base_url[0] != '\0') {
		http.base_url = xstrdup(base_url);
		n = strlen(http.base_url);
		while (n > 0 && http.base_url[n - 1] == '/')
			http.base_url[--n] = '\0';
	} else
		http.base_url = xasprintf(http.v6 ? "http://[%s]:%u" : "http://%s:%u",
		    http.listen, http.port);
}

const char *
http_base_url(void)
{
	return http.base_url;
}

bool
http_serves(const char *path)
{
	return find_route(path) != NULL;
}

void
http_stop(void)
{
	if (http.d == NULL)
		return;
	loop_hooks_remove(&http);
	loop_unwatch(http.watch);
	/* MHD reports every connection it closes here as closed. */
	MHD_stop_daemon(http.d);
	cache_drop_owner(NULL);
	while (http.head != NULL) {
		struct conn *k = http.head;

		http.head = k->next;
		free(k);
	}
	free(http.base_url);
	memset(&http, 0, sizeof http);
}

unsigned
http_port(void)
{
	return http.port;
}

int
http_route(const void *owner, const char *prefix, cv_http_fn fn, void *arg)
{
	size_t i;

	if (prefix[0] != '/') {
		log_error("http: route \"%s\" does not start with '/'", prefix);
		return -1;
	}
	for (i = 0; i < nroutes; i++)
		if (strcmp(routes[i].prefix, prefix) == 0) {
			log_error("http: route %s is already taken", prefix);
			return -1;
		}
	routes = xrealloc(routes, (nroutes + 1) * sizeof *routes);
	routes[nroutes++] =
	    (struct route){ owner, xstrdup(prefix), strlen(prefix), fn, arg };
	return 0;
}

void
http_unroute_owner(const void *owner)
{
	size_t i, j;

	/* Its kept answers go; those being sent stay MHD's until sent. */
	cache_drop_owner(owner);
	for (i = j = 0; i < nroutes; i++) {
		if (routes[i].owner == owner)
			free(routes[i].prefix);
		else
			routes[j++] = routes[i];
	}
	nroutes = j;
	if (nroutes == 0) {
		free(routes);
		routes = NULL;
	}
}
