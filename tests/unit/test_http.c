/*
 * test_http.c: http.c serving real requests. The client runs on a thread
 * (libcurl, or a raw socket where curl would tidy the request) while this
 * thread drives the server with loop_once(), as the bot's loop does.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http.h"
#include "loop.h"
#include "util.h"

#define FEED_TIME ((time_t)1700000000)
#define FEED_BODY "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"

static int owner_a, owner_b;

/* What a client got back. */
struct answer {
	long status;
	char *head; /* the header lines */
	char *body;
	size_t len;
};

struct request {
	const char *method; /* NULL: a raw request, sent as `raw` */
	char *url;
	const char *header; /* one extra request header, or NULL */
	bool with_body;
	const char *raw;
	struct answer a;
	atomic_bool done;
};

static void
append(char **buf, size_t *len, const char *p, size_t n)
{
	*buf = xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;

	append(&a->body, &a->len, p, size * n);
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = a->head ? strlen(a->head) : 0;

	append(&a->head, &len, p, size * n);
	return size * n;
}

static void
curl_request(struct request *r)
{
	struct curl_slist *hdrs = NULL;
	CURL *h = curl_easy_init();

	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L); /* keep "..": we test it */
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->a);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->a);
	if (strcmp(r->method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(r->method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	if (r->with_body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "name=x");
	if (strcmp(r->method, "GET") == 0 && r->with_body)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "GET");
	if (r->header != NULL) {
		hdrs = curl_slist_append(hdrs, r->header);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	}
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->a.status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
}

/* Send r->raw as is and read until the server closes. */
static void
raw_request(struct request *r)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char buf[4096], *end;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_port = htons((uint16_t)http_port());
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
		goto out;
	if (write(fd, r->raw, strlen(r->raw)) != (ssize_t)strlen(r->raw))
		goto out;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		append(&r->a.body, &r->a.len, buf, (size_t)n);
	/* Split it: the status line and headers, then the body. */
	if (r->a.body != NULL && (end = strstr(r->a.body, "\r\n\r\n")) != NULL) {
		size_t hl = (size_t)(end + 4 - r->a.body);

		r->a.head = xstrndup(r->a.body, hl);
		r->a.len -= hl;
		memmove(r->a.body, end + 4, r->a.len + 1);
		(void)sscanf(r->a.head, "HTTP/1.%*d %ld", &r->a.status);
	}
out:
	if (fd != -1)
		close(fd);
}

static void *
client(void *arg)
{
	struct request *r = arg;

	if (r->method != NULL)
		curl_request(r);
	else
		raw_request(r);
	atomic_store(&r->done, true);
	return NULL;
}

/* Run r on a thread while serving; the answer is in r->a. */
static void
serve(struct request *r)
{
	pthread_t t;
	int i;

	atomic_init(&r->done, false);
	assert_int_equal(pthread_create(&t, NULL, client, r), 0);
	for (i = 0; i < 400 && !atomic_load(&r->done); i++)
		loop_once(25);
	pthread_join(t, NULL);
	assert_true(atomic_load(&r->done));
}

static struct answer
fetch(const char *method, const char *path, const char *header)
{
	struct request r = { .method = method, .header = header };

	r.url = xasprintf("http://127.0.0.1:%u%s", http_port(), path);
	serve(&r);
	free(r.url);
	if (r.a.body == NULL)
		r.a.body = xstrdup("");
	return r.a;
}

static struct answer
fetch_raw(const char *text)
{
	struct request r = { .raw = text };

	serve(&r);
	if (r.a.body == NULL)
		r.a.body = xstrdup("");
	return r.a;
}

static void
answer_free(struct answer *a)
{
	free(a->head);
	free(a->body);
}

/* The value of header name in a, or NULL; a static buffer. */
static const char *
header(const struct answer *a, const char *name)
{
	static char value[512];
	const char *p = a->head;
	size_t n = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *eol = strstr(p, "\r\n");

		if (eol == NULL)
			eol = p + strlen(p);
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1 + strspn(p + n + 1, " ");

			snprintf(value, sizeof value, "%.*s", (int)(eol - v), v);
			return value;
		}
		p = *eol ? eol + 2 : eol;
	}
	return NULL;
}

/* Echoes who answered, the path and the base URL. */
static int
echo_route(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	resp->body = xasprintf("%s %s %s", (const char *)arg, req->path, req->base_url);
	resp->len = strlen(resp->body);
	resp->body_free = true;
	return 0;
}

static int
feed_route(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	resp->content_type = "text/calendar; charset=utf-8";
	resp->body = (char *)FEED_BODY;
	resp->len = strlen(FEED_BODY);
	strcpy(resp->etag, "\"v1\"");
	resp->last_modified = FEED_TIME;
	return 0;
}

/* One person's feed. */
static int
personal_route(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	feed_route(arg, req, resp);
	resp->personal = true;
	return 0;
}

static int
dated_route(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	feed_route(arg, req, resp);
	resp->etag[0] = '\0';
	return 0;
}

static int
html_route(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	resp->content_type = "text/html; charset=utf-8";
	resp->body = (char *)"<p>hello</p>";
	resp->len = strlen(resp->body);
	return 0;
}

/* "Not mine", after having started an answer it must not leak. */
static int
decline_route(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	resp->body = xstrdup("secret reason");
	resp->len = strlen(resp->body);
	resp->body_free = true;
	return -1;
}

static int
setup(void **state)
{
	char err[256];

	if (http_start("127.0.0.1", 0, NULL, NULL, err, sizeof err) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	/* Neither first nor last match is the longest: the order matters. */
	if (http_route(&owner_b, "/feed/special", echo_route, "special") == -1 ||
	    http_route(&owner_a, "/", echo_route, "root") == -1 ||
	    http_route(&owner_a, "/feed", feed_route, NULL) == -1 ||
	    http_route(&owner_a, "/dated", dated_route, NULL) == -1 ||
	    http_route(&owner_a, "/mine", personal_route, NULL) == -1 ||
	    http_route(&owner_a, "/page", html_route, NULL) == -1 ||
	    http_route(&owner_b, "/declined", decline_route, NULL) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	http_unroute_owner(&owner_a);
	http_unroute_owner(&owner_b);
	http_stop();
	return 0;
}

static void
test_get(void **state)
{
	struct answer a = fetch("GET", "/feed/x?token=1", NULL);
	char date[HTTP_DATE_LEN];

	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, FEED_BODY);
	assert_string_equal(header(&a, "Content-Type"), "text/calendar; charset=utf-8");
	assert_string_equal(header(&a, "ETag"), "\"v1\"");
	http_date_format(FEED_TIME, date);
	assert_string_equal(header(&a, "Last-Modified"), date);
	assert_string_equal(header(&a, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(header(&a, "Cache-Control"), "no-cache");
	assert_null(header(&a, "Content-Security-Policy"));
	answer_free(&a);

	a = fetch("GET", "/page", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(header(&a, "Content-Security-Policy"),
	    "default-src 'none'; style-src 'unsafe-inline'");
	assert_string_equal(header(&a, "X-Content-Type-Options"), "nosniff");
	answer_free(&a);

	/* One person's data: no cache keeps it, a 304 says so too. */
	a = fetch("GET", "/mine", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(header(&a, "Cache-Control"), "private, no-store");
	answer_free(&a);
	a = fetch("GET", "/mine", "If-None-Match: \"v1\"");
	assert_int_equal(a.status, 304);
	assert_string_equal(header(&a, "Cache-Control"), "private, no-store");
	answer_free(&a);
}

static void
test_base_url(void **state)
{
	char err[256], *want;
	struct answer a = fetch("GET", "/x%20y", NULL);

	want = xasprintf("root /x y http://127.0.0.1:%u", http_port());
	assert_string_equal(a.body, want);
	free(want);
	answer_free(&a);

	/* Restarted with a configured base URL; routes stay. */
	http_stop();
	assert_int_equal(http_start("127.0.0.1", 0, "https://ev.example.org/", NULL, err,
	                     sizeof err),
	    0);
	a = fetch("GET", "/y", NULL);
	assert_string_equal(a.body, "root /y https://ev.example.org");
	answer_free(&a);
}

/* The one base URL the host gives plugins (struct cv_host's base_url()). */
static void
test_base_url_accessor(void **state)
{
	char err[256], *want;

	want = xasprintf("http://127.0.0.1:%u", http_port());
	assert_string_equal(http_base_url(), want);
	free(want);
	/* A reload sets it again; every trailing '/' goes. */
	http_set_base_url("https://ev.example.org/sub//");
	assert_string_equal(http_base_url(), "https://ev.example.org/sub");
	http_set_base_url("");
	want = xasprintf("http://127.0.0.1:%u", http_port());
	assert_string_equal(http_base_url(), want);
	free(want);

	/* An IPv6 listen address is bracketed, with the port bound. */
	http_stop();
	assert_null(http_base_url());
	http_set_base_url("https://ev.example.org");
	assert_null(http_base_url()); /* stopped: there is none */
	assert_int_equal(http_start("::1", 0, NULL, NULL, err, sizeof err), 0);
	want = xasprintf("http://[::1]:%u", http_port());
	assert_string_equal(http_base_url(), want);
	free(want);
}

/* Whether a route takes a path: the longest prefix, as a request finds it. */
static void
test_serves(void **state)
{
	assert_true(http_serves("/feed/special/x"));
	assert_true(http_serves("/anything")); /* the "/" route */
	http_unroute_owner(&owner_a);
	assert_true(http_serves("/feed/special"));
	assert_true(http_serves("/declined/x"));
	assert_false(http_serves("/feed/other"));
	assert_false(http_serves("/"));
}

static void
test_if_none_match(void **state)
{
	const char *const hit[] = {
		"If-None-Match: \"v1\"",
		"If-None-Match: \"zz\", W/\"v1\"",
		"If-None-Match: *",
	};
	struct answer a;
	size_t i;

	for (i = 0; i < nitems(hit); i++) {
		a = fetch("GET", "/feed", hit[i]);
		assert_int_equal(a.status, 304);
		assert_int_equal(a.len, 0);
		assert_string_equal(header(&a, "ETag"), "\"v1\"");
		assert_string_equal(header(&a, "Cache-Control"), "no-cache");
		answer_free(&a);
	}
	a = fetch("GET", "/feed", "If-None-Match: \"v2\"");
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, FEED_BODY);
	answer_free(&a);
}

static void
test_if_modified_since(void **state)
{
	char date[HTTP_DATE_LEN], *h;
	struct answer a;

	http_date_format(FEED_TIME, date);
	h = xasprintf("If-Modified-Since: %s", date);
	a = fetch("GET", "/dated", h);
	free(h);
	assert_int_equal(a.status, 304);
	assert_int_equal(a.len, 0);
	assert_null(header(&a, "ETag"));
	answer_free(&a);

	http_date_format(FEED_TIME - 1, date);
	h = xasprintf("If-Modified-Since: %s", date);
	a = fetch("GET", "/dated", h);
	free(h);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, FEED_BODY);
	answer_free(&a);

	/* If-None-Match that does not match wins over a later date. */
	http_date_format(FEED_TIME + 100, date);
	h = xasprintf("GET /feed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	              "If-Modified-Since: %s\r\nIf-None-Match: \"old\"\r\n\r\n",
	    date);
	a = fetch_raw(h);
	free(h);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, FEED_BODY);
	answer_free(&a);

	/* Garbage dates are ignored. */
	a = fetch("GET", "/dated", "If-Modified-Since: yesterday");
	assert_int_equal(a.status, 200);
	answer_free(&a);
}

static void
test_head(void **state)
{
	struct answer a = fetch_raw("HEAD /feed HTTP/1.1\r\nHost: x\r\n"
	                            "Connection: close\r\n\r\n");
	char len[32];

	assert_int_equal(a.status, 200);
	assert_int_equal(a.len, 0); /* nothing after the headers */
	snprintf(len, sizeof len, "%zu", strlen(FEED_BODY));
	assert_non_null(header(&a, "Content-Length"));
	assert_string_equal(header(&a, "Content-Length"), len);
	assert_string_equal(header(&a, "ETag"), "\"v1\"");
	assert_string_equal(header(&a, "X-Content-Type-Options"), "nosniff");
	answer_free(&a);

	a = fetch("HEAD", "/feed", "If-None-Match: \"v1\"");
	assert_int_equal(a.status, 304);
	answer_free(&a);
}

static void
test_not_found(void **state)
{
	struct answer a;

	http_unroute_owner(&owner_a); /* no "/" to catch everything */
	a = fetch("GET", "/nothing/here", NULL);
	assert_int_equal(a.status, 404);
	assert_string_equal(a.body, "not found\n");
	assert_string_equal(header(&a, "X-Content-Type-Options"), "nosniff");
	answer_free(&a);

	/* A route that declines is a 404 too, and says nothing more. */
	a = fetch("GET", "/declined", NULL);
	assert_int_equal(a.status, 404);
	assert_string_equal(a.body, "not found\n");
	answer_free(&a);
}

static void
test_methods(void **state)
{
	struct request r = { .method = "POST", .with_body = true };
	struct answer a;

	r.url = xasprintf("http://127.0.0.1:%u/feed", http_port());
	serve(&r);
	free(r.url);
	assert_int_equal(r.a.status, 405);
	assert_string_equal(header(&r.a, "Allow"), "GET, HEAD");
	answer_free(&r.a);

	a = fetch("DELETE", "/feed", NULL);
	assert_int_equal(a.status, 405);
	answer_free(&a);

	/* A GET with a body. */
	a = fetch_raw("GET /feed HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
	              "Connection: close\r\n\r\nhello");
	assert_int_equal(a.status, 413);
	answer_free(&a);
	a = fetch_raw("GET /feed HTTP/1.1\r\nHost: x\r\n"
	              "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n");
	assert_int_equal(a.status, 413);
	answer_free(&a);
}

static void
test_paths_refused(void **state)
{
	const char *const bad[] = {
		"/a/../b",
		"/feed/%2e%2e/x",
		"/feed/%2E%2e",
		"/feed//x",
		"/feed/%2f%2fx",
		"/feed\\x",
		"/feed%5cx",
		"/feed/%00x",
		"/feed/%0ax",
		"/feed/%7f",
	};
	char *raw, *longpath;
	struct answer a;
	size_t i;

	for (i = 0; i < nitems(bad); i++) {
		raw = xasprintf("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close"
		                "\r\n\r\n",
		    bad[i]);
		a = fetch_raw(raw);
		free(raw);
		if (a.status != 404)
			fail_msg("%s answered %ld", bad[i], a.status);
		assert_string_equal(a.body, "not found\n");
		answer_free(&a);
	}
	/* The route "/" would take all of these if they got through. */
	a = fetch("GET", "/%zz", NULL);
	assert_int_equal(a.status, 400);
	answer_free(&a);

	longpath = xmalloc(HTTP_PATH_MAX + 2);
	memset(longpath, 'a', HTTP_PATH_MAX + 1);
	longpath[0] = '/';
	longpath[HTTP_PATH_MAX] = '\0';
	a = fetch("GET", longpath, NULL);
	assert_int_equal(a.status, 200);
	answer_free(&a);
	longpath[HTTP_PATH_MAX] = 'a';
	longpath[HTTP_PATH_MAX + 1] = '\0';
	a = fetch("GET", longpath, NULL);
	assert_int_equal(a.status, 414);
	answer_free(&a);
	free(longpath);
}

static void
test_routing(void **state)
{
	struct answer a = fetch("GET", "/feed/special/1", NULL);

	assert_int_equal(strncmp(a.body, "special /feed/special/1 ", 24), 0);
	answer_free(&a);
	a = fetch("GET", "/feed/specia", NULL);
	assert_string_equal(a.body, FEED_BODY);
	answer_free(&a);
	a = fetch("GET", "/fee", NULL);
	assert_int_equal(strncmp(a.body, "root /fee ", 10), 0);
	answer_free(&a);

	/* Taken prefixes and relative ones are refused. */
	assert_int_equal(http_route(&owner_a, "/feed", feed_route, NULL), -1);
	assert_int_equal(http_route(&owner_a, "feed", feed_route, NULL), -1);

	/* Unloading owner b: its longer prefix falls back to "/feed". */
	http_unroute_owner(&owner_b);
	a = fetch("GET", "/feed/special/1", NULL);
	assert_string_equal(a.body, FEED_BODY);
	answer_free(&a);
	a = fetch("GET", "/declined", NULL);
	assert_int_equal(strncmp(a.body, "root /declined ", 15), 0);
	answer_free(&a);
}

/* A feed the route has as a mapping of its file, as the calendars plugin does. */
static struct {
	char path[64];
	void *map;
	size_t len;
	char etag[48];
} mfeed;

static int
mapped_route(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	resp->content_type = "text/calendar; charset=utf-8";
	resp->body = mfeed.map;
	resp->len = mfeed.len;
	resp->body_mapped = true;
	strcpy(resp->etag, mfeed.etag);
	resp->last_modified = FEED_TIME;
	return 0;
}

/* Write version v of the feed (a temporary file renamed over the path) and map it. */
static char *
mfeed_write(int v)
{
	char tmp[80], *body;
	size_t i;
	int fd;

	/* Several pages, every line numbered: a torn or shifted copy shows. */
	body = xstrdup("BEGIN:VCALENDAR\r\n");
	for (i = 0; i < 600; i++) {
		char *next = xasprintf("%sX-LINE:%d %zu\r\n", body, v, i);

		free(body);
		body = next;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", mfeed.path);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
	if (mfeed.map != NULL)
		munmap(mfeed.map, mfeed.len);
	mfeed.len = strlen(body);
	mfeed.map = mmap(NULL, mfeed.len, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(mfeed.map != MAP_FAILED);
	close(fd);
	assert_int_equal(rename(tmp, mfeed.path), 0);
	snprintf(mfeed.etag, sizeof mfeed.etag, "\"m%d\"", v);
	return body;
}

/* How many mappings of the file at path (by inode), and of deleted files named path. */
static void
count_maps(const char *path, int *live, int *deleted)
{
	struct stat st;
	char line[512], name[256];
	unsigned long ino;
	FILE *f = fopen("/proc/self/maps", "r");

	assert_int_equal(stat(path, &st), 0);
	*live = *deleted = 0;
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%*s %*s %*s %*s %lu %255s", &ino, name) != 2 ||
		    strcmp(name, path) != 0)
			continue;
		if (strstr(line, "(deleted)") != NULL)
			(*deleted)++;
		else if (ino == (unsigned long)st.st_ino)
			(*live)++;
	}
	(void)fclose(f);
}

/*
 * A body the route has as a file mapping is kept as the host's own mapping
 * of the same pages, not a heap copy: served whole after the route unmaps
 * its own and a new version is renamed over the file, and an older
 * version's mapping goes when the new one is kept.
 */
static void
test_mapped_body(void **state)
{
	struct answer a;
	char *v1, *v2, inm[64];
	int live, deleted, fd;

	snprintf(mfeed.path, sizeof mfeed.path, "/tmp/convene-test-http-XXXXXX");
	fd = mkstemp(mfeed.path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(http_route(&owner_a, "/mapped", mapped_route, NULL), 0);

	v1 = mfeed_write(1);
	a = fetch("GET", "/mapped", NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(a.len, strlen(v1));
	assert_memory_equal(a.body, v1, a.len);
	assert_string_equal(header(&a, "ETag"), "\"m1\"");
	answer_free(&a);
	/* The route's mapping and the kept answer's. */
	count_maps(mfeed.path, &live, &deleted);
	assert_int_equal(live, 2);

	/* The route lets go of its pages: the kept answer has its own. */
	munmap(mfeed.map, mfeed.len);
	mfeed.map = mmap(NULL, mfeed.len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a = fetch("GET", "/mapped", NULL);
	assert_int_equal(a.status, 200);
	assert_memory_equal(a.body, v1, strlen(v1));
	answer_free(&a);
	munmap(mfeed.map, mfeed.len);
	mfeed.map = NULL;

	/* A new version renamed over the file: served whole; the old mapping goes. */
	v2 = mfeed_write(2);
	a = fetch("GET", "/mapped", "If-None-Match: \"m1\"");
	assert_int_equal(a.status, 200);
	assert_int_equal(a.len, strlen(v2));
	assert_memory_equal(a.body, v2, a.len);
	answer_free(&a);
	count_maps(mfeed.path, &live, &deleted);
	assert_int_equal(live, 2);
	assert_int_equal(deleted, 0);
	snprintf(inm, sizeof inm, "If-None-Match: %s", mfeed.etag);
	a = fetch("GET", "/mapped", inm);
	assert_int_equal(a.status, 304);
	assert_int_equal(a.len, 0);
	answer_free(&a);
	a = fetch("HEAD", "/mapped", NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(a.len, 0);
	answer_free(&a);

	http_unroute_owner(&owner_a); /* the kept answers go with the route */
	count_maps(mfeed.path, &live, &deleted);
	assert_int_equal(live, 1);
	munmap(mfeed.map, mfeed.len);
	mfeed.map = NULL;
	unlink(mfeed.path);
	free(v1);
	free(v2);
}

static void
test_start_errors(void **state)
{
	char err[256] = "";

	http_stop();
	assert_int_equal(http_start("localhost", 0, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "numeric"));
	assert_int_equal(http_start("127.0.0.1", 0, NULL, NULL, err, sizeof err), 0);
	assert_int_equal(http_start("127.0.0.1", 0, NULL, NULL, err, sizeof err), -1);
	http_stop();
	assert_int_equal(http_start("192.0.2.1", 0, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "192.0.2.1"));
	/* IPv6, when the host has it. */
	if (http_start("::1", 0, NULL, NULL, err, sizeof err) == 0) {
		assert_true(http_port() > 0);
		http_stop();
	}
	assert_int_equal(http_start("127.0.0.1", 0, NULL, NULL, err, sizeof err), 0);
}

/* A connected socket that has sent a request line and one header, no more. */
static int
slow_client(void)
{
	static const char half[] = "GET /feed HTTP/1.1\r\nHost: x\r\n";
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd != -1);
	sin.sin_port = htons((uint16_t)http_port());
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(write(fd, half, strlen(half)), (ssize_t)strlen(half));
	return fd;
}

/* Has the server closed fd (end of stream, or reset)? Does not wait. */
static bool
closed_by_server(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

	return n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Slowloris: a deadline for the headers, and room made for new clients. */
static void
test_slow_clients(void **state)
{
	struct http_limits lim = { .max_connections = 2,
		.max_per_ip = 0,
		.header_timeout = 2,
		.idle_timeout = 30 };
	struct answer a;
	char err[256];
	int64_t t0, last;
	int s1, s2;

	http_stop();
	lim.header_timeout = 0;
	assert_int_equal(http_start("127.0.0.1", 0, NULL, &lim, err, sizeof err), -1);
	lim.header_timeout = 2;
	assert_int_equal(http_start("127.0.0.1", 0, NULL, &lim, err, sizeof err), 0);

	/* Both connections taken by slow clients: a third still gets in. */
	t0 = loop_now();
	s1 = slow_client();
	s2 = slow_client();
	loop_once(50);
	assert_false(closed_by_server(s1));
	a = fetch("GET", "/feed", NULL);
	assert_int_equal(a.status, 200);
	assert_true(loop_now() - t0 < 1500); /* before any deadline */
	answer_free(&a);
	/* The oldest slow one made room; the other is still there. */
	assert_true(closed_by_server(s1));
	assert_false(closed_by_server(s2));

	/* Its headers never end: closed at the deadline, a line every 200 ms or not. */
	for (last = t0; !closed_by_server(s2) && loop_now() - t0 < 5000;) {
		if (loop_now() - last >= 200) {
			last = loop_now();
			assert_true(write(s2, "X: y\r\n", 6) == 6 || errno == EPIPE ||
			    errno == ECONNRESET);
		}
		loop_once(50);
	}
	assert_true(closed_by_server(s2));
	assert_true(loop_now() - t0 >= 2000);
	close(s1);
	close(s2);
}

static void
test_path_decode(void **state)
{
	char out[HTTP_PATH_MAX + 1];

	assert_int_equal(http_path_decode("/a%20b/c?x=%00", out, sizeof out), 0);
	assert_string_equal(out, "/a b/c");
	assert_int_equal(http_path_decode("/", out, sizeof out), 0);
	assert_string_equal(out, "/");
	assert_int_equal(http_path_decode("/%C3%A9t%c3%a9", out, sizeof out), 0);
	assert_string_equal(out, "/\xc3\xa9t\xc3\xa9");
	assert_int_equal(http_path_decode("/a.b/c.ics", out, sizeof out), 0);
	assert_int_equal(http_path_decode("*", out, sizeof out), 404);
	assert_int_equal(http_path_decode("", out, sizeof out), 404);
	assert_int_equal(http_path_decode("http://h/a", out, sizeof out), 404);
	assert_int_equal(http_path_decode("/a/..", out, sizeof out), 404);
	assert_int_equal(http_path_decode("/a/.%2e/b", out, sizeof out), 404);
	assert_int_equal(http_path_decode("/a%2", out, sizeof out), 400);
	assert_int_equal(http_path_decode("/a%", out, sizeof out), 400);
	assert_int_equal(http_path_decode("/a%g0", out, sizeof out), 400);
	assert_int_equal(http_path_decode("/a\tb", out, sizeof out), 404);
	/* Too small an output is a refusal, never an overflow. */
	assert_int_equal(http_path_decode("/abc", out, 4), 404);
}

static void
test_etag_match(void **state)
{
	assert_true(http_etag_match("\"a\"", "\"a\""));
	assert_true(http_etag_match(" \"b\" , \"a\"", "\"a\""));
	assert_true(http_etag_match("W/\"a\"", "\"a\""));
	assert_true(http_etag_match("\"a\"", "W/\"a\""));
	assert_true(http_etag_match("*", "\"a\""));
	assert_false(http_etag_match("\"ab\"", "\"a\""));
	assert_false(http_etag_match("\"a", "\"a\""));
	assert_false(http_etag_match("a", "\"a\""));
	assert_false(http_etag_match("", "\"a\""));
	assert_false(http_etag_match("\"b\" x, \"a\"", "\"a\""));
}

static void
test_dates(void **state)
{
	char buf[HTTP_DATE_LEN];
	time_t t;

	http_date_format(784111777, buf);
	assert_string_equal(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_int_equal(http_date_parse(buf, &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_date_parse("Sun Nov  6 08:49:37 1994", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", &t), -1);
	assert_int_equal(http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t), -1);
	assert_int_equal(http_date_parse("Sun, 06 Nov 1994 25:49:37 GMT", &t), -1);
	assert_int_equal(http_date_parse("Sun, 6 Nov 1994 08:49:37 GMT", &t), -1);
	assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT ", &t), -1);
	assert_int_equal(http_date_parse("", &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_decode),
		cmocka_unit_test(test_etag_match),
		cmocka_unit_test(test_dates),
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_url_accessor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_if_none_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_if_modified_since, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_methods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mapped_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_clients, setup, teardown),
	};
	int rc;

	/* A write to a socket the server closed must fail, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
