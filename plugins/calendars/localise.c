/*
 * localise.c: the events as a reader of another language sees them: the
 * texts an organiser gave in that language (CV_EVENT_TEXTS_VIEW, the
 * events plugin's), the original where there is none. See store.h.
 */
#include <stdlib.h>
#include <string.h>

#include "convene.h"
#include "sbuf.h"
#include "store.h"

static int
by_id(const void *a, const void *b)
{
	long long x = (*(const struct cal_event *const *)a)->id;
	long long y = (*(const struct cal_event *const *)b)->id;

	return (x > y) - (x < y);
}

/* The field of e that a row names, or NULL for a field not shown here. */
static char **
field_of(struct cal_event *e, const char *field)
{
	if (strcmp(field, "title") == 0)
		return &e->title;
	if (strcmp(field, "description") == 0)
		return &e->description;
	if (strcmp(field, "location") == 0)
		return &e->location;
	return NULL;
}

/* Is the view there? The events plugin of before migration 6 has none. */
static int
have_texts(sqlite3 *db)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db,
	        "SELECT 1 FROM sqlite_master WHERE type = 'view'"
	        " AND name = '" CV_EVENT_TEXTS_VIEW "'",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc;
}

int
cal_store_localise(sqlite3 *db, const char *lang, struct cal_event *v, size_t n)
{
	struct cal_event **idx, key, *kp = &key;
	sqlite3_stmt *st;
	int rc = 0;

	/* The words the feeds add come in lang, whatever the organisers wrote. */
	for (size_t i = 0; i < n; i++)
		v[i].lang = lang;
	if (n == 0 || (rc = have_texts(db)) <= 0)
		return rc;
	/* One event (a page, a feed of one): its rows only; else every row of lang. */
	if (sqlite3_prepare_v2(db,
	        n == 1 ? "SELECT event_id, field, text FROM " CV_EVENT_TEXTS_VIEW
	                 " WHERE lang = ?1 AND event_id = ?2" :
	                 "SELECT event_id, field, text FROM " CV_EVENT_TEXTS_VIEW
	                 " WHERE lang = ?1",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, lang, -1, SQLITE_STATIC);
	if (n == 1)
		sqlite3_bind_int64(st, 2, v[0].id);
	idx = cal_xrealloc(NULL, n * sizeof(*idx));
	for (size_t i = 0; i < n; i++)
		idx[i] = &v[i];
	qsort(idx, n, sizeof(*idx), by_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *field = (const char *)sqlite3_column_text(st, 1);
		const char *text = (const char *)sqlite3_column_text(st, 2);
		struct cal_event **hit;
		char **to;

		key.id = sqlite3_column_int64(st, 0);
		hit = bsearch(&kp, idx, n, sizeof(*idx), by_id);
		if (hit == NULL || field == NULL || text == NULL || text[0] == '\0' ||
		    (to = field_of(*hit, field)) == NULL)
			continue;
		free(*to);
		*to = cal_xstrdup(text);
	}
	sqlite3_finalize(st);
	free(idx);
	return rc == SQLITE_DONE ? 0 : -1;
}
