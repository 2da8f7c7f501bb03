/*
 * model_stmt.c: the events plugin's statement cache (prep, done, run,
 * one_int, model_close). See model_int.h.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_int.h"

/*
 * Statements are prepared once per plugin load (SQLITE_PREPARE_PERSISTENT)
 * and kept by handle and text: parsing an INSERT costs more than running
 * it. A statement in use when the same text is asked for again (a nested
 * read) gets a fresh one, finalized by done(). model_close() finalizes them.
 */
#define CACHE_SLOTS 512

static struct cached {
	sqlite3 *db; /* NULL: free (sql NULL) or a removed entry (sql set) */
	char *sql;
	sqlite3_stmt *st;
	bool busy;
} cache[CACHE_SLOTS];
static size_t cache_used; /* slots ever filled since the table was last empty */

static size_t
cache_hash(const char *sql)
{
	size_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)sql; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	return h % CACHE_SLOTS;
}

/*
 * Where a text's address and a statement were last found: the callers pass
 * the same literals again and again, and hashing a long text on every prep()
 * and done() showed in the profile (a tenth of an rsvp). Checked on use, so
 * a stale or colliding entry only falls back to the hash.
 */
#define MEMO_SLOTS 256
static struct {
	const char *sql;
	size_t slot;
} by_text[MEMO_SLOTS];
static size_t by_stmt[MEMO_SLOTS]; /* slot + 1; 0: none */

static size_t
memo_of(const void *p)
{
	return ((uintptr_t)p >> 4) % MEMO_SLOTS;
}

static struct cached *
cache_take(struct cached *c, const char *sql)
{
	by_text[memo_of(sql)].sql = sql;
	by_text[memo_of(sql)].slot = (size_t)(c - cache);
	by_stmt[memo_of(c->st)] = (size_t)(c - cache) + 1;
	c->busy = true;
	return c;
}

static sqlite3_stmt *
cache_get(sqlite3 *db, const char *sql)
{
	struct cached *c = &cache[by_text[memo_of(sql)].slot];
	sqlite3_stmt *st;
	size_t h;

	if (by_text[memo_of(sql)].sql == sql && c->sql != NULL && c->db == db &&
	    !c->busy && strcmp(c->sql, sql) == 0)
		return cache_take(c, sql)->st;
	h = cache_hash(sql);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		c = &cache[(h + i) % CACHE_SLOTS];
		if (c->sql == NULL) {
			if (cache_used >= CACHE_SLOTS / 2 ||
			    sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			        &st, NULL) != SQLITE_OK)
				break;
			c->db = db;
			c->sql = xstrdup_or_null(sql);
			c->st = st;
			cache_used++;
			return cache_take(c, sql)->st;
		}
		if (c->db == db && strcmp(c->sql, sql) == 0) {
			if (c->busy)
				break;
			return cache_take(c, sql)->st;
		}
	}
	return sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK ? st : NULL;
}

/* Done with a statement from prep(): reset when kept, else finalized. */
void
done(sqlite3_stmt *st)
{
	size_t h, m;

	if (st == NULL)
		return;
	m = by_stmt[memo_of(st)];
	if (m != 0 && cache[m - 1].st == st && cache[m - 1].db != NULL) {
		h = m - 1;
		goto keep;
	}
	h = cache_hash(sqlite3_sql(st));
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct cached *c = &cache[(h + i) % CACHE_SLOTS];

		if (c->sql == NULL)
			break;
		if (c->st == st && c->db != NULL) {
			h = (h + i) % CACHE_SLOTS;
			goto keep;
		}
	}
	sqlite3_finalize(st);
	return;
keep:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	cache[h].busy = false;
}

void
model_close(sqlite3 *db)
{
	bool empty = true;

	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct cached *c = &cache[i];

		if (c->db == db && c->st != NULL) {
			sqlite3_finalize(c->st);
			c->st = NULL;
			c->db = NULL; /* sql stays: later probes walk past the slot */
		}
		empty = empty && c->db == NULL;
	}
	if (!empty)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(cache[i].sql);
		cache[i].sql = NULL;
	}
	cache_used = 0;
}

/*
 * Prepare `sql` (or take it from the cache) and bind the arguments described
 * by `types`, one letter each: 'i' long long, 't' const char * (NULL binds
 * NULL). NULL on error. Give it back with done().
 */
sqlite3_stmt *
prep(sqlite3 *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc = SQLITE_OK;

	if ((st = cache_get(db, sql)) == NULL)
		return NULL;
	va_start(ap, types);
	for (int i = 0; types[i] != '\0' && rc == SQLITE_OK; i++) {
		if (types[i] == 'i') {
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
		} else {
			const char *s = va_arg(ap, const char *);

			rc = s == NULL ?
			    sqlite3_bind_null(st, i + 1) :
			    sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
		}
	}
	va_end(ap);
	if (rc != SQLITE_OK) {
		done(st);
		return NULL;
	}
	return st;
}

/* Run a prepared statement that returns no rows, and give it back. 0 or -1. */
int
run(sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A query that returns one integer; `def` when it returns no row. -1 on error. */
int
one_int(sqlite3_stmt *st, long long def, long long *out)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		*out = def;
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}
