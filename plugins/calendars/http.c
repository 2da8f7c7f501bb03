/*
 * http.c: the plugin's HTTP routes: the feeds, the page and the pages of
 * single events.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendars.h"

/* ---- HTTP ---- */

static void
answer_body(struct cv_http_resp *resp, char *body, size_t len, const char etag[48],
    time_t lastmod, const char *ctype)
{
	resp->status = 200;
	resp->content_type = ctype;
	/* The host copies the body before answering; ours stays until the next render. */
	resp->body = body;
	resp->len = len;
	resp->body_free = false;
	memcpy(resp->etag, etag, sizeof(resp->etag));
	resp->last_modified = lastmod;
}

static void
answer(struct cv_http_resp *resp, const struct cal_feed *f, const char *ctype)
{
	answer_body(resp, f->body, f->len, f->etag, f->lastmod, ctype);
	/* The host maps the same pages for the answers it keeps. */
	resp->body_mapped = f->mapped;
}

/* Does s end with suffix? Then the length before it. */
static bool
strip_suffix(const char *s, const char *suffix, size_t *stem)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n <= m || strcmp(s + n - m, suffix) != 0)
		return false;
	*stem = n - m;
	return true;
}

/*
 * The path a channel feed is kept under ("channel/KEY.ics") for
 * p = "channel/NAME.ics" of `stem` bytes before ".ics", or -1.
 */
static int
channel_path(const char *p, size_t stem, char path[CAL_CHANNEL_KEY_MAX + 16])
{
	char name[CAL_CHANNEL_KEY_MAX], key[CAL_CHANNEL_KEY_MAX];

	if (stem - 8 >= sizeof(name))
		return -1;
	memcpy(name, p + 8, stem - 8);
	name[stem - 8] = '\0';
	if (cal_channel_key(name, host->casefold, key) == -1)
		return -1;
	snprintf(path, CAL_CHANNEL_KEY_MAX + 16, "channel/%s.ics", key);
	return 0;
}

/* A page or French feed rendered on request, with a strong ETag of its body. */
static void
answer_rendered(struct cv_http_resp *resp, char *body, size_t len, const char *ctype)
{
	resp->status = 200;
	resp->content_type = ctype;
	resp->body = body;
	resp->len = len;
	resp->body_free = true;
	ics_etag(body, len, resp->etag);
}

/*
 * /calendars/fr/...: the French feeds. Those of all events and channels
 * are kept like the English ones; the feed of one event is rendered on
 * request (one event: a query and a VEVENT). No personal feed in French.
 */
static int
serve_french(const char *p, size_t stem, struct cv_http_resp *resp)
{
	const struct cal_evfeed *ef;
	struct cal_event e;
	long long id;
	char *base, *body, path[CAL_CHANNEL_KEY_MAX + 16];
	size_t len;
	int rc;

	if ((id = event_id_of(p)) != -1) {
		if ((ef = cal_evfeeds_find(&evs, id)) == NULL)
			return -1;
		if ((rc = cal_store_event(db(), id, host->wall_now(), KEEP_PAST, &e)) != 1)
			return -1;
		base = base_url();
		body = render_event_fr(&e, base, &len);
		free(base);
		cal_event_clear(&e);
		if (body == NULL)
			return -1;
		answer_rendered(resp, body, len, CTYPE_ICS);
		resp->last_modified = ef->lastmod;
		return 0;
	}
	if (strncmp(p, "channel/", 8) == 0) {
		if (channel_path(p, stem, path) == -1)
			return -1;
		p = path;
	}
	for (size_t i = 0; i < pub.nfr; i++)
		if (strcmp(pub.fr[i].path, p) == 0) {
			answer(resp, &pub.fr[i], CTYPE_ICS);
			return 0;
		}
	return -1;
}

int
serve_calendars(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	const char *p = req->path + strlen("/calendars/");
	size_t stem;

	if (!strip_suffix(p, ".ics", &stem))
		return -1;
	fresh();
	if (strncmp(p, "fr/", 3) == 0)
		return serve_french(p + 3, stem - 3, resp);
	if (strncmp(p, "me/", 3) == 0) {
		char token[CAL_TOKEN_LEN + 1];
		struct personal *f;

		if (stem - 3 != CAL_TOKEN_LEN)
			return -1;
		memcpy(token, p + 3, CAL_TOKEN_LEN);
		token[CAL_TOKEN_LEN] = '\0';
		/* Unknown, malformed or reset: the same 404 as any unknown path. */
		if (!cal_token_valid(token) || (f = personal_get(token)) == NULL)
			return -1;
		answer(resp, &f->f, CTYPE_ICS);
		resp->personal = true;
		return 0;
	}
	if (strncmp(p, "channel/", 8) == 0) {
		char path[CAL_CHANNEL_KEY_MAX + 16];

		if (channel_path(p, stem, path) == -1)
			return -1;
		p = path;
		for (size_t i = 0; i < pub.n; i++)
			if (strcmp(pub.v[i].path, p) == 0) {
				answer(resp, &pub.v[i], CTYPE_ICS);
				return 0;
			}
		return -1;
	}
	if (strncmp(p, "event/", 6) == 0) {
		char path[64];
		long long id;
		struct cal_evfeed *f;

		if (stem >= sizeof(path) - 4)
			return -1;
		memcpy(path, p, stem + 4);
		path[stem + 4] = '\0';
		if ((id = event_id_of(path)) == -1 || (f = event_feed(id)) == NULL)
			return -1;
		answer_body(resp, f->body, f->len, f->etag, f->lastmod, CTYPE_ICS);
		return 0;
	}
	for (size_t i = 0; i < pub.n; i++)
		if (strcmp(pub.v[i].path, p) == 0) {
			answer(resp, &pub.v[i], CTYPE_ICS);
			return 0;
		}
	return -1;
}

/* /page/N: past the front page, rare, so rendered on request and not kept. */
static int
later_page(const char *num, const char *lang, struct cv_http_resp *resp)
{
	long long page = number_of(num);
	time_t now = host->wall_now();
	struct cal_event *v;
	size_t n, len, total;
	char *base, *body;
	struct cal_site st;

	if (page < 2 || page > 1000000)
		return -1;
	if (cal_store_upcoming(db(), now, (size_t)(page - 1) * CAL_PAGE_EVENTS,
	        CAL_PAGE_EVENTS, &v, &n, &total) == -1) {
		host->log(self, CV_LOG_ERROR, "reading events for a page: %s",
		    sqlite3_errmsg(db()));
		return -1;
	}
	if (lang_is_fr(lang) && cal_store_localise(db(), "fr", v, n) == -1)
		host->log(self, CV_LOG_ERROR, "reading the events' French texts: %s",
		    sqlite3_errmsg(db()));
	base = base_url();
	st = site(base);
	st.lang = lang;
	body = cal_page_slice_render(&st, v, n, total, now, (size_t)page, &len);
	free(base);
	cal_events_free(v, n);
	if (body == NULL)
		return -1;
	answer_rendered(resp, body, len, CTYPE_HTML);
	return 0;
}

/*
 * The page of one event (/event/N, /en/event/N, /fr/event/N), rendered on
 * request (thousands are not kept).
 */
static int
event_page(const char *num, const char *lang, struct cv_http_resp *resp)
{
	long long id = number_of(num);
	struct cal_event e;
	struct cal_site st;
	char *base, *body;
	size_t len;
	int rc;

	if (id == -1)
		return -1;
	if ((rc = cal_store_event(db(), id, host->wall_now(), KEEP_PAST, &e)) != 1) {
		if (rc == -1)
			host->log(self, CV_LOG_ERROR, "reading event %lld: %s", id,
			    sqlite3_errmsg(db()));
		return -1;
	}
	if (lang_is_fr(lang) && cal_store_localise(db(), "fr", &e, 1) == -1)
		host->log(self, CV_LOG_ERROR, "reading the French texts of event %lld: %s",
		    id, sqlite3_errmsg(db()));
	base = base_url();
	st = site(base);
	st.lang = lang;
	body = cal_event_page_render(&st, &e, host->wall_now(), &len);
	free(base);
	cal_event_clear(&e);
	answer_rendered(resp, body, len, CTYPE_HTML);
	return 0;
}

int
serve_event_page(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	return event_page(req->path + strlen("/event/"), "en", resp);
}

/*
 * The pages in their languages (README, "Calendar feeds"): "/" follows the
 * browser's Accept-Language (the host's req->lang, [bot] language when
 * nothing matches) and says so with Vary; /en/... and /fr/... are
 * explicit; /event/N and /page/N, which English pages link to, are English.
 */
int
serve_page(void *arg, const struct cv_http_req *req, struct cv_http_resp *resp)
{
	const char *path = req->path, *lang = "en";
	const struct cal_feed *f;
	bool chosen = false;

	/* The route "/" is the longest match of every path nobody else serves. */
	if (strncmp(path, "/en/", 4) == 0 || strncmp(path, "/fr/", 4) == 0) {
		lang = path[1] == 'f' ? "fr" : "en";
		chosen = true;
		path += 3;
	}
	if (strncmp(path, "/event/", 7) == 0)
		return event_page(path + 7, lang, resp);
	if (strncmp(path, "/page/", 6) == 0)
		return later_page(path + 6, lang, resp);
	if (strcmp(path, "/") != 0)
		return -1;
	if (!chosen) {
		lang = lang_is_fr(req->lang) ? "fr" : "en";
		resp->vary = "Accept-Language";
	}
	fresh();
	f = lang_is_fr(lang) ? &pub.page_fr : &pub.page;
	if (f->body == NULL)
		return -1;
	answer(resp, f, CTYPE_HTML);
	return 0;
}
