/*
 * publish.c: copies of the calendars on a CalDAV or WebDAV server. See
 * publish.h. What to do next is decided in pubplan.c; the owner commands
 * are in pubcmd.c; the settings are read in pubconf.c.
 */
#include "publish.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "ics.h"
#include "pubstate.h"
#include "sbuf.h"

#define TIMEOUT_MS 30000
#define ANSWER_MAX (64 * 1024) /* we read no bodies; errors pages are cut */
#define CTYPE "Content-Type: text/calendar; charset=utf-8"
#define COPY_MAX \
	(16 * 1024 * 1024) /* the server's copy, read to carry a cancellation over */
#define CARRY_TRIES 3      /* GET and PUT again when the copy changes between them */

/* ---- with the host ---- */

/* Shared with the rest of the plugin (calendars.h), and set again by pub_start(). */
const struct cv_host *host;
struct cv_plugin *self;

struct pub_state st;

sqlite3 *
pdb(void)
{
	return host->db(self);
}

bool
pub_enabled(void)
{
	return st.on;
}

bool
pub_caldav(void)
{
	return st.caldav;
}

static bool
is_rejected(const char *name)
{
	for (size_t i = 0; i < st.nrejected; i++)
		if (strcmp(st.rejected[i], name) == 0)
			return true;
	return false;
}

/*
 * A conflict report about resource `name`: always to the log, in English,
 * and to [calendars] report_to (a nick or channel) when set, in its
 * language (a channel's, else [bot] language); to nobody else. Not to the
 * owners' nicks: the host knows only nicks of the people online, not their
 * user@host or account, so anyone could take such a nick and read the
 * report. msgid is marked N_() and has one %s.
 */
static void
report(const char *msgid, const char *name)
{
	const char *to = host->config(self, "report_to");

	host->log(self, CV_LOG_WARN, msgid, name);
	if (to != NULL && to[0] != '\0')
		host->notice(to, host->tr(host->channel_lang(to), msgid), name);
}

static void
on_retry(void *arg)
{
	st.retry = 0;
	kick();
}

/* A failure: back off, and try the same work again later. */
static void
fail(const struct pub_why *why)
{
	unsigned jitter = 0;
	int64_t delay;
	char what[300];

	if (getrandom(&jitter, sizeof(jitter), GRND_NONBLOCK) != sizeof(jitter))
		jitter = 0;
	st.failures++;
	host->metric(self, CV_METRIC_COUNTER, "convene_publish_failures_total",
	    "Publishing requests that failed.", NULL, NULL, 1);
	delay = pub_backoff_ms(st.failures, jitter % 1000);
	st.last_error = *why;
	pub_why_text(why, "en", what, sizeof(what));
	st.next_try = host->mono_ms() + delay;
	host->log(self, CV_LOG_WARN, "publishing %s: %s; retrying in %lld s (failure %u)",
	    st.job.name, what, (long long)(delay + 999) / 1000, st.failures);
	st.retry = host->timer_add(self, delay, 0, on_retry, NULL);
}

/* Back to normal after failures: say so once. */
static void
recovered(void)
{
	if (st.failures > 0)
		host->log(self, CV_LOG_INFO, "publishing works again after %u failure(s)",
		    st.failures);
	st.failures = 0;
	st.last_error = (struct pub_why){ NULL, 0 };
}

static void
job_clear(void)
{
	free(st.job.name);
	memset(&st.job, 0, sizeof(st.job));
}

static int
begin(void)
{
	if (host->begin(self) == -1) {
		host->log(self, CV_LOG_ERROR, "publishing: cannot open a transaction");
		return -1;
	}
	return 0;
}

static void
commit(int rc)
{
	if (rc == -1 || host->commit(self) == -1) {
		host->rollback(self);
		host->log(self, CV_LOG_ERROR,
		    "publishing: cannot record what was published: %s",
		    sqlite3_errmsg(pdb()));
	}
}

static char *
url_of(const char *name)
{
	struct sbuf b = { 0 };

	sb_puts(&b, st.base);
	sb_puts(&b, name);
	return sb_take(&b, NULL);
}

static void on_done(void *arg, const struct cv_http_result *res);
static char *(*load)(const char *name, size_t *len);

/* Send one request of the running job. 0, or -1 when it could not start. */
static int
send_req(enum pub_op op, const char *url, const struct pub_doc *d, const struct pub_step *s)
{
	struct cv_http_request req = { 0 };
	const char *headers[4];
	char cond[320], *loaded = NULL;
	size_t nh = 0;
	int rc;

	switch (op) {
	case PUB_PUT:
		req.method = "PUT";
		req.body = d->body;
		req.body_len = d->len;
		if (d->body == NULL &&
		    (load == NULL ||
		        (req.body = loaded = load(d->name, &req.body_len)) == NULL))
			return -1;
		headers[nh++] = CTYPE;
		break;
	case PUB_DELETE:
		req.method = "DELETE";
		break;
	case PUB_GET:
		req.method = "GET";
		break;
	default:
		req.method = "MKCOL";
		break;
	}
	if (s != NULL && s->cond == PUB_IF_NONE_MATCH) {
		headers[nh++] = "If-None-Match: *";
	} else if (s != NULL && s->cond == PUB_IF_MATCH) {
		snprintf(cond, sizeof(cond), "If-Match: %s", s->etag);
		headers[nh++] = cond;
	}
	headers[nh] = NULL;
	req.url = url;
	req.headers = headers;
	req.user = st.user;
	req.password = st.password;
	req.max_bytes = op == PUB_GET ? COPY_MAX : ANSWER_MAX;
	req.timeout_ms = TIMEOUT_MS;
	req.follow = false;
	/* The server is the administrator's own choice, often on the same host. */
	req.allow_private = true;
	rc = host->http_request(self, &req, on_done, NULL); /* the host copies the body */
	free(loaded);
	return rc;
}

/* The base URL followed by the first `level` folders of the running job's name. */
static char *
folder(size_t level)
{
	const char *p = st.job.name;
	struct sbuf b = { 0 };

	for (size_t i = 0; i < level; i++) {
		const char *slash = strchr(p, '/');

		if (slash == NULL)
			break;
		p = slash + 1;
	}
	sb_puts(&b, st.base);
	sb_add(&b, st.job.name, (size_t)(p - st.job.name));
	return sb_take(&b, NULL);
}

static size_t
depth(const char *name)
{
	size_t n = 0;

	for (; *name; name++)
		n += *name == '/';
	return n;
}

/* Start the next step; false when there is nothing to do or it could not start. */
static bool
start_next(void)
{
	struct cal_pub_row *rows;
	size_t nrows;
	struct pub_step s;
	char *url;
	int rc = 0;

	if (cal_pub_rows(pdb(), st.target, &rows, &nrows) == -1) {
		host->log(self, CV_LOG_ERROR,
		    "publishing: cannot read what was published: %s",
		    sqlite3_errmsg(pdb()));
		return false;
	}
	if (!pub_next(st.docs, st.ndocs, rows, nrows, is_rejected, &s)) {
		cal_pub_rows_free(rows, nrows);
		return false;
	}
	job_clear();
	st.job.op = s.op;
	st.job.name = cal_xstrdup(s.name);
	if (s.op == PUB_FORGET) {
		if (begin() == 0)
			commit(cal_pub_removed(pdb(), st.target, s.name));
		cal_pub_rows_free(rows, nrows);
		job_clear();
		return start_next();
	}
	if (s.op == PUB_PUT) {
		snprintf(st.job.hash, sizeof(st.job.hash), "%s", st.docs[s.doc].hash);
		if (s.cond == PUB_UNCONDITIONAL &&
		    !(s.row != SIZE_MAX && rows[s.row].force) && !st.warned_no_etag) {
			st.warned_no_etag = true;
			host->log(self, CV_LOG_WARN,
			    "publishing: the server gives no ETag, so "
			    "changes made there cannot be detected before they are replaced");
		}
	} else {
		snprintf(st.job.hash, sizeof(st.job.hash), "-");
	}
	url = url_of(s.name);
	rc = send_req(s.op, url, s.op == PUB_PUT ? &st.docs[s.doc] : NULL, &s);
	free(url);
	cal_pub_rows_free(rows, nrows);
	if (rc == -1) {
		fail(&(struct pub_why){ N_("the request could not start"), 0 });
		return false;
	}
	st.busy = true;
	return true;
}

/* Start work when there is some and nothing runs or waits. */
void
kick(void)
{
	if (!st.on || st.busy || st.retry != 0)
		return;
	if (!start_next() && st.retry == 0 && !st.busy)
		recovered();
}

/* The step to retry the running PUT: with the same condition as before. */
static bool
redo_put(void)
{
	struct cal_pub_row *rows;
	size_t nrows, i;
	struct pub_step s;
	bool ok = false;

	if (cal_pub_rows(pdb(), st.target, &rows, &nrows) == -1)
		return false;
	for (i = 0; i < st.ndocs && strcmp(st.docs[i].name, st.job.name) != 0; i++)
		;
	if (i < st.ndocs && pub_next(&st.docs[i], 1, rows, nrows, NULL, &s) &&
	    s.op == PUB_PUT) {
		char *url = url_of(s.name);

		snprintf(st.job.hash, sizeof(st.job.hash), "%s", st.docs[i].hash);
		s.doc = 0;
		ok = send_req(PUB_PUT, url, &st.docs[i], &s) == 0;
		free(url);
	}
	cal_pub_rows_free(rows, nrows);
	return ok;
}

/* Convene's body of the running job's document, a new string; NULL when it changed since. */
static char *
job_body(void)
{
	for (size_t i = 0; i < st.ndocs; i++) {
		const struct pub_doc *d = &st.docs[i];
		char *body;

		if (strcmp(d->name, st.job.name) != 0)
			continue;
		if (strcmp(d->hash, st.job.hash) != 0)
			return NULL; /* the next step sends the new one */
		if (d->body == NULL) {
			size_t len;

			return load != NULL ? load(d->name, &len) : NULL;
		}
		body = cal_xrealloc(NULL, d->len + 1);
		memcpy(body, d->body, d->len);
		body[d->len] = '\0';
		return body;
	}
	return NULL;
}

/* The running job's write met a change made on the server: leave it to the owners. */
static void
conflict_found(bool carried)
{
	if (begin() == 0)
		commit(cal_pub_conflict(pdb(), st.target, st.job.name, st.job.hash));
	recovered();
	if (carried)
		report(N_("Publishing conflict: %s was changed on the server. Convene's "
		          "cancellation was applied to the server's copy, which keeps the "
		          "changes made there; 'publish overwrite' replaces it with Convene's."),
		    st.job.name);
	else if (st.job.op == PUB_PUT)
		report(N_("Publishing conflict: %s was changed on the server, so Convene did "
		          "not replace it. Check the server's copy; 'publish overwrite' "
		          "replaces it with Convene's."),
		    st.job.name);
	else
		report(N_("Publishing conflict: %s was changed on the server, so Convene did "
		          "not delete it. Check the server's copy; 'publish overwrite' "
		          "replaces it with Convene's."),
		    st.job.name);
}

/*
 * A PUT met a conflict. A cancellation must still reach the people who
 * follow the server's calendar: when Convene's body cancels an event, read
 * the server's copy to cancel it there. false when there is no such work.
 */
static bool
carry_cancel(void)
{
	char *body, *url;
	bool cancels;

	if (st.job.op != PUB_PUT || st.job.carries >= CARRY_TRIES ||
	    (body = job_body()) == NULL)
		return false;
	cancels = strstr(body, "\nSTATUS:CANCELLED\r\n") != NULL;
	free(body);
	if (!cancels)
		return false;
	url = url_of(st.job.name);
	st.busy = send_req(PUB_GET, url, NULL, NULL) == 0;
	free(url);
	if (!st.busy)
		return false;
	st.job.carries++;
	st.job.phase = JOB_READ_COPY;
	return true;
}

/* The server's copy was read: write it back with the cancellation. false: a plain conflict. */
static bool
on_copy(const struct cv_http_result *res, const struct pub_why *why)
{
	struct pub_doc d = { 0 };
	struct pub_step s = { .op = PUB_PUT, .cond = PUB_IF_MATCH };
	char *ours, *url;

	if (pub_outcome(PUB_GET, res->status) == PUB_RETRY) {
		fail(why);
		return true;
	}
	/* A weak ETag never matches If-Match: the PUT could only fail. */
	if (res->status != 200 || res->etag == NULL || strncmp(res->etag, "W/", 2) == 0 ||
	    (ours = job_body()) == NULL)
		return false;
	d.body = ics_carry_cancel(ours, res->body, &d.len);
	free(ours);
	if (d.body == NULL)
		return false; /* cancelled there already, or not Convene's event any more */
	d.name = st.job.name;
	s.name = st.job.name;
	s.etag = res->etag; /* only over the copy just read */
	url = url_of(st.job.name);
	st.busy = send_req(PUB_PUT, url, &d, &s) == 0;
	free(url);
	free(d.body);
	st.job.phase = JOB_CARRY;
	if (!st.busy)
		fail(&(struct pub_why){ N_("the request could not start"), 0 });
	return true;
}

/* Not again this session: the same body would be refused the same way. */
static void
reject(void)
{
	st.rejected = cal_xrealloc(st.rejected, (st.nrejected + 1) * sizeof(*st.rejected));
	st.rejected[st.nrejected++] = cal_xstrdup(st.job.name);
	recovered();
	job_clear();
	kick();
}

/* A folder was made (WebDAV): the next level, or the PUT again. */
static void
on_mkcol(enum pub_outcome o, const struct pub_why *why)
{
	if (o != PUB_OK) {
		char text[300];

		if (o == PUB_RETRY) {
			fail(why);
			return;
		}
		pub_why_text(why, "en", text, sizeof(text));
		host->log(self, CV_LOG_ERROR, "publishing %s: cannot make its folder: %s",
		    st.job.name, text);
		reject();
		return;
	}
	if (--st.job.mkcol_left > 0) {
		char *u = folder(depth(st.job.name) - st.job.mkcol_left + 1);

		st.busy = send_req(PUB_MKCOL, u, NULL, NULL) == 0;
		free(u);
	} else {
		st.busy = redo_put();
	}
	if (!st.busy)
		fail(&(struct pub_why){ N_("the request could not start"), 0 });
}

/* WebDAV: make the folders (the base, then each level), then PUT again. */
static void
make_parents(void)
{
	char *u;

	st.job.made_parents = true;
	st.job.mkcol_left = depth(st.job.name) + 1;
	u = folder(0);
	st.busy = send_req(PUB_MKCOL, u, NULL, NULL) == 0;
	free(u);
	if (!st.busy)
		fail(&(struct pub_why){ N_("the request could not start"), 0 });
}

/* The document was written or deleted: remember what the server has now. */
static void
on_written(const struct cv_http_result *res)
{
	if (begin() == 0)
		commit(st.job.op == PUB_PUT ?
		        cal_pub_written(pdb(), st.target, st.job.name, res->etag,
		            st.job.hash) :
		        cal_pub_removed(pdb(), st.target, st.job.name));
	host->metric(self, CV_METRIC_COUNTER, "convene_publish_successes_total",
	    "Documents written to or deleted from the publishing server.", NULL, NULL, 1);
	host->log(self, CV_LOG_DEBUG, "published %s (%s)", st.job.name,
	    st.job.op == PUB_PUT ? "written" : "deleted");
	recovered();
}

static void
on_done(void *arg, const struct cv_http_result *res)
{
	enum pub_op op = st.job.mkcol_left > 0 ? PUB_MKCOL : st.job.op;
	enum pub_outcome o = pub_outcome(op, res->status);
	const struct pub_why said = { res->error, res->status }, *why = &said;
	char text[300];

	st.busy = false;

	if (st.job.phase == JOB_READ_COPY) {
		if (!on_copy(res, why)) {
			conflict_found(false);
			job_clear();
			kick();
		}
		return;
	}
	if (op == PUB_MKCOL) {
		on_mkcol(o, why);
		return;
	}

	switch (o) {
	case PUB_OK:
		if (st.job.phase == JOB_CARRY) {
			/* The server's copy is not Convene's: the conflict stays. */
			conflict_found(true);
			break;
		}
		on_written(res);
		break;
	case PUB_CONFLICT:
		if (carry_cancel())
			return;
		if (st.job.phase == JOB_CARRY) {
			/* Changed again between our GET and PUT, each time: later. */
			fail(&(struct pub_why){ N_("the server's copy keeps changing"), 0 });
			return;
		}
		conflict_found(false);
		break;
	case PUB_NO_PARENT:
		if (st.job.phase == JOB_CARRY) {
			conflict_found(false);
			break;
		}
		if (!st.caldav && !st.job.made_parents) {
			make_parents();
			return;
		}
		fail(st.caldav ?
		        &(struct pub_why){ N_("the calendar collection does not exist"), 0 } :
		        why);
		return;
	case PUB_RETRY:
		fail(why);
		return;
	case PUB_REJECTED:
		pub_why_text(why, "en", text, sizeof(text));
		host->log(self, CV_LOG_ERROR, "publishing %s: refused: %s", st.job.name,
		    text);
		if (st.job.phase == JOB_CARRY) {
			conflict_found(
			    false); /* the server would not take its own copy cancelled */
			break;
		}
		reject();
		return;
	}
	job_clear();
	kick();
}

void
pub_loader(char *(*fn)(const char *name, size_t *len))
{
	load = fn;
}

void
pub_sync(struct pub_doc *docs, size_t n)
{
	if (!st.on) {
		pub_docs_free(docs, n);
		return;
	}
	pub_docs_free(st.docs, st.ndocs);
	st.docs = docs;
	st.ndocs = n;
	/* A rejected resource that changed may be accepted now. */
	for (size_t i = 0; i < st.nrejected; i++)
		free(st.rejected[i]);
	free(st.rejected);
	st.rejected = NULL;
	st.nrejected = 0;
	kick();
}

void
pub_stop(void)
{
	/* The host cancels our request and timer. */
	pub_docs_free(st.docs, st.ndocs);
	for (size_t i = 0; i < st.nrejected; i++)
		free(st.rejected[i]);
	free(st.rejected);
	job_clear();
	free(st.base);
	free(st.target);
	free(st.user);
	if (st.password != NULL) {
		explicit_bzero(st.password, strlen(st.password));
		free(st.password);
	}
	memset(&st, 0, sizeof(st));
}
