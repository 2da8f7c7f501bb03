/*
 * pubplan.c: the pure part of publishing (see publish.h): what an answer
 * means, how long to wait after failures, and which request comes next.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubstate.h"
#include "sbuf.h"

/* ---- pure ---- */

enum pub_outcome
pub_outcome(enum pub_op op, int status)
{
	if (status >= 200 && status <= 299)
		return PUB_OK;
	if (status == 0 || status >= 500 || status == 401 || status == 403 ||
	    status == 408 || status == 429)
		return PUB_RETRY;
	if (status == 412)
		return PUB_CONFLICT;
	switch (op) {
	case PUB_PUT:
		if (status == 409)
			return PUB_NO_PARENT;
		return status == 404 ? PUB_RETRY : PUB_REJECTED; /* 404: no collection yet */
	case PUB_DELETE:
		return status == 404 || status == 410 ? PUB_OK : PUB_REJECTED;
	case PUB_MKCOL:
		return status == 405 ? PUB_OK : PUB_REJECTED; /* 405: it exists */
	default:
		return PUB_REJECTED;
	}
}

int64_t
pub_backoff_ms(unsigned failures, unsigned jitter_permille)
{
	int64_t d = PUB_BACKOFF_MIN_MS;

	for (unsigned i = 1; i < failures && d < PUB_BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > PUB_BACKOFF_MAX_MS)
		d = PUB_BACKOFF_MAX_MS;
	/* Up to a quarter more, so that many bots do not retry in step. */
	return d + d / 4 * (int64_t)(jitter_permille % 1000) / 1000;
}

const struct cal_pub_row *
row_of(const struct cal_pub_row *rows, size_t nrows, const char *name, size_t *at)
{
	for (size_t i = 0; i < nrows; i++)
		if (strcmp(rows[i].name, name) == 0) {
			*at = i;
			return &rows[i];
		}
	return NULL;
}

bool
has_doc(const struct pub_doc *docs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(docs[i].name, name) == 0)
			return true;
	return false;
}

/* How to replace or delete what we wrote before: the condition from the row. */
static void
condition(const struct cal_pub_row *r, struct pub_step *s)
{
	bool has_etag = r->etag != NULL && r->etag[0] != '\0';

	if (r->force || (!has_etag && r->hash[0] != '\0')) {
		/*
		 * An owner chose to overwrite, or the server gave no ETag: nothing
		 * to compare with (logged when written).
		 */
		s->cond = PUB_UNCONDITIONAL;
	} else if (has_etag) {
		s->cond = PUB_IF_MATCH;
		s->etag = r->etag;
	} else {
		s->cond = PUB_IF_NONE_MATCH; /* never written by us */
	}
}

bool
pub_next(const struct pub_doc *docs, size_t ndocs, const struct cal_pub_row *rows,
    size_t nrows, bool (*skip)(const char *name), struct pub_step *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < ndocs; i++) {
		size_t at;
		const struct cal_pub_row *r = row_of(rows, nrows, docs[i].name, &at);

		if (skip != NULL && skip(docs[i].name))
			continue;
		s->op = PUB_PUT;
		s->doc = i;
		s->name = docs[i].name;
		s->row = SIZE_MAX;
		if (r == NULL) {
			s->cond = PUB_IF_NONE_MATCH;
			return true;
		}
		if (r->conflict != NULL && strcmp(r->conflict, docs[i].hash) == 0)
			continue; /* waits for a change, or an owner */
		if (r->conflict == NULL && !r->force && strcmp(r->hash, docs[i].hash) == 0)
			continue; /* the server has it */
		s->row = at;
		condition(r, s);
		return true;
	}
	for (size_t i = 0; i < nrows; i++) {
		const struct cal_pub_row *r = &rows[i];

		if (has_doc(docs, ndocs, r->name) || (skip != NULL && skip(r->name)))
			continue;
		if (r->conflict != NULL && strcmp(r->conflict, "-") == 0)
			continue;
		memset(s, 0, sizeof(*s));
		s->row = i;
		s->name = r->name;
		if (r->hash[0] == '\0' && !r->force) {
			s->op = PUB_FORGET; /* only a conflict row: nothing of ours there */
			return true;
		}
		s->op = PUB_DELETE;
		condition(r, s);
		return true;
	}
	memset(s, 0, sizeof(*s));
	return false;
}

void
pub_docs_free(struct pub_doc *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].body);
	}
	free(v);
}
