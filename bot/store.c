/*
 * store.c: the one SQLite connection of the bot, its schema versions and
 * its transactions (plain, or grouped per loop pass with savepoints).
 *
 * Values bound to statements are personal data: errors are logged with
 * sqlite3_errmsg() only, never with the SQL's arguments.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "store.h"
#include "util.h"

static struct {
	sqlite3 *db;
	bool group;          /* store_set_group(true) */
	bool group_open;     /* BEGIN issued for this pass, COMMIT pending */
	int depth;           /* begin() calls not yet committed or rolled back */
	bool doomed;         /* default mode: an inner rollback undid it all */
	bool checkpoint_due; /* store_checkpoint() asked inside a transaction */
} st;

/*
 * Statements run on every command (the savepoint around it, a person's
 * language) are prepared once per connection: parsing them cost more than
 * running them. Their texts are literals, never freed.
 */
static struct {
	const char *sql;
	sqlite3_stmt *stmt;
} kept[16];

static const char *const pragmas[] = {
	"PRAGMA synchronous=FULL",
	"PRAGMA foreign_keys=ON",
	"PRAGMA secure_delete=ON",
	/*
	 * A WAL is reused from its start after a checkpoint and keeps its
	 * largest size, so frames past its live end hold older pages until the
	 * next cycle overwrites them. Erasures (forget, the retention purge)
	 * truncate it explicitly (store_checkpoint). The limit, one automatic
	 * checkpoint's worth (1,000 pages), only stops a burst from leaving a
	 * larger file: with 0, every restart cut it to nothing and each commit
	 * after that grew the file again (two thirds of SQLite's commit rate
	 * instead of five sixths, bench/README.md).
	 */
	"PRAGMA journal_size_limit=4194304",
	("CREATE TABLE IF NOT EXISTS schema_versions ("
	 "owner TEXT PRIMARY KEY, version INTEGER NOT NULL)"),
};

static void set_err(char *err, size_t errlen, const char *fmt, ...) CV_PRINTF(3, 4);
static void checkpoint_if_due(void);

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Create the file 0600 if missing and narrow it if it is wider, along with
 * any WAL, SHM or journal left beside it: SQLite gives those the mode of
 * the database, but ones left from an earlier run keep their own.
 */
static int
secure_files(const char *path, char *err, size_t errlen)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	struct stat sb;
	size_t i;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	for (i = 0; i < nitems(sfx); i++) {
		char *p = xasprintf("%s%s", path, sfx[i]);

		if (stat(p, &sb) == 0 && (sb.st_mode & 077) != 0) {
			if (chmod(p, 0600) == -1) {
				set_err(err, errlen, "cannot chmod %s: %s", p,
				    strerror(errno));
				free(p);
				return -1;
			}
			log_warn("store: %s was readable by others; made it 0600", p);
		}
		free(p);
	}
	return 0;
}

int
store_open(const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	const char *mode;
	mode_t old;
	size_t i;
	int rc;

	if (st.db != NULL) {
		set_err(err, errlen, "the database is already open");
		return -1;
	}
	if (secure_files(path, err, errlen) == -1)
		return -1;
	/*
	 * Nothing reads SQLite's memory statistics, and keeping them takes a
	 * mutex on every allocation. Only possible before SQLite's first use
	 * in the process (else SQLITE_MISUSE, and the statistics stay on).
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

	/* SQLite creates -wal and -shm on its own: keep them private too. */
	old = umask(077);
	rc = sqlite3_open_v2(path, &st.db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		set_err(err, errlen, "cannot open %s: %s", path,
		    st.db ? sqlite3_errmsg(st.db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(st.db, 1);
	/* Set first, so that journal_mode too waits for another opener. */
	sqlite3_busy_timeout(st.db, 5000);

	/* journal_mode answers with the mode it got, which may not be WAL. */
	if (sqlite3_prepare_v2(st.db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL) !=
	        SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW) {
		set_err(err, errlen, "%s: %s", path, sqlite3_errmsg(st.db));
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(stmt, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		set_err(err, errlen, "%s: cannot use WAL journal (got %s)", path,
		    mode ? mode : "nothing");
		goto fail;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;

	for (i = 0; i < nitems(pragmas); i++) {
		if (sqlite3_exec(st.db, pragmas[i], NULL, NULL, NULL) != SQLITE_OK) {
			set_err(err, errlen, "%s: %s", path, sqlite3_errmsg(st.db));
			goto fail;
		}
	}
	umask(old);
	st.group = st.group_open = st.doomed = st.checkpoint_due = false;
	st.depth = 0;
	return 0;

fail:
	umask(old);
	sqlite3_finalize(stmt);
	sqlite3_close(st.db);
	st.db = NULL;
	return -1;
}

void
store_close(void)
{
	if (st.db == NULL)
		return;
	if (st.group_open)
		store_pass_end();
	for (size_t i = 0; i < nitems(kept) && kept[i].sql != NULL; i++)
		sqlite3_finalize(kept[i].stmt);
	memset(kept, 0, sizeof kept);
	/* Statements a plugin left unfinalized keep the handle alive (v2). */
	if (sqlite3_close(st.db) != SQLITE_OK) {
		log_error("store: close: %s", sqlite3_errmsg(st.db));
		sqlite3_close_v2(st.db);
	}
	memset(&st, 0, sizeof st);
}

sqlite3 *
store_db(void)
{
	return st.db;
}

sqlite3_stmt *
store_kept(const char *sql)
{
	size_t i;

	for (i = 0; i < nitems(kept) && kept[i].sql != NULL; i++)
		if (kept[i].sql == sql || strcmp(kept[i].sql, sql) == 0)
			return kept[i].stmt;
	if (i == nitems(kept)) {
		log_error("store: no room to keep another statement");
		return NULL;
	}
	if (sqlite3_prepare_v3(st.db, sql, -1, SQLITE_PREPARE_PERSISTENT, &kept[i].stmt,
	        NULL) != SQLITE_OK) {
		log_error("store: %s", sqlite3_errmsg(st.db));
		return NULL;
	}
	kept[i].sql = sql;
	return kept[i].stmt;
}

/* store_exec() of a kept statement: the transaction control of every command. */
static int
kept_exec(const char *sql)
{
	sqlite3_stmt *stmt = store_kept(sql);
	int rc;

	if (stmt == NULL)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		log_error("store: %s", sqlite3_errmsg(st.db));
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int
store_exec(const char *sql)
{
	if (sqlite3_exec(st.db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		log_error("store: %s", sqlite3_errmsg(st.db));
		return -1;
	}
	return 0;
}

int
store_exec2(const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(st.db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_error("store: %s", sqlite3_errmsg(st.db));
		return -1;
	}
	sqlite3_bind_text(stmt, 1, a, -1, SQLITE_TRANSIENT);
	if (b != NULL)
		sqlite3_bind_text(stmt, 2, b, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		log_error("store: %s", sqlite3_errmsg(st.db));
		return -1;
	}
	return 0;
}

/* Undo whatever transaction is open; SQLite may already have done so. */
static void
abort_tx(void)
{
	if (!sqlite3_get_autocommit(st.db))
		store_exec("ROLLBACK");
}

/*
 * COMMIT, or roll back when it fails (disk full, read-only, I/O error) so
 * the connection is usable again and the caller can tell the person.
 */
static int
commit_tx(void)
{
	struct timespec t0, t1;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = kept_exec("COMMIT");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_store_commit(
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (rc == 0)
		return 0;
	abort_tx();
	return -1;
}

/* A grouped transaction that SQLite rolled back by itself after an error. */
static bool
group_lost(void)
{
	return st.group_open && sqlite3_get_autocommit(st.db);
}

int
store_begin(void)
{
	if (!st.group) {
		if (st.depth > 0 && st.doomed) {
			log_error("store: begin inside a rolled back transaction");
			return -1;
		}
		if (st.depth == 0 && kept_exec("BEGIN IMMEDIATE") == -1)
			return -1;
		st.depth++;
		return 0;
	}

	if (group_lost()) {
		if (st.depth > 0) {
			log_error("store: begin inside a lost pass transaction");
			return -1;
		}
		st.group_open = false;
	}
	if (!st.group_open) {
		if (kept_exec("BEGIN IMMEDIATE") == -1)
			return -1;
		st.group_open = true;
	}
	if (kept_exec("SAVEPOINT sp") == -1)
		return -1;
	st.depth++;
	return 0;
}

int
store_commit(void)
{
	int rc;

	if (st.depth == 0) {
		log_error("store: commit without begin");
		return -1;
	}
	st.depth--;

	if (!st.group) {
		if (st.depth > 0)
			return st.doomed ? -1 : 0;
		if (st.doomed) {
			st.doomed = false;
			checkpoint_if_due();
			return -1;
		}
		rc = commit_tx();
		checkpoint_if_due();
		return rc;
	}

	if (group_lost())
		return -1;
	if (kept_exec("RELEASE sp") == -1) {
		kept_exec("ROLLBACK TO sp");
		kept_exec("RELEASE sp");
		return -1;
	}
	return 0;
}

void
store_rollback(void)
{
	if (st.depth == 0) {
		log_error("store: rollback without begin");
		return;
	}
	st.depth--;

	if (!st.group) {
		if (!st.doomed)
			abort_tx();
		/* An inner rollback fails the outer callers' commits too. */
		st.doomed = st.depth > 0;
		if (st.depth == 0)
			checkpoint_if_due();
		return;
	}

	if (group_lost())
		return;
	kept_exec("ROLLBACK TO sp");
	kept_exec("RELEASE sp");
}

void
store_set_group(bool on)
{
	if (on == st.group)
		return;
	if (st.depth > 0) {
		log_error("store: grouping changed inside a transaction; ignored");
		return;
	}
	if (!on)
		store_pass_end();
	st.group = on;
}

bool
store_group_open(void)
{
	return st.group_open;
}

int
store_pass_end(void)
{
	int rc;

	if (!st.group_open)
		return 0;
	st.group_open = false;
	if (sqlite3_get_autocommit(st.db)) {
		/* SQLite rolled it back after an error during the pass. */
		st.depth = 0;
		checkpoint_if_due();
		return -1;
	}
	/* A caller that never committed keeps nothing; the others do. */
	if (st.depth > 0) {
		log_error("store: %d savepoint(s) left open at the end of a pass",
		    st.depth);
		for (; st.depth > 0; st.depth--) {
			kept_exec("ROLLBACK TO sp");
			kept_exec("RELEASE sp");
		}
	}
	rc = commit_tx();
	checkpoint_if_due();
	return rc;
}

/*
 * Copy the WAL into the database and cut it to nothing: with secure_delete
 * the erased rows are zeroes in the database, and no stale frame is left.
 */
static void
checkpoint_now(void)
{
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(st.db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &stmt,
	        NULL) != SQLITE_OK) {
		log_error("store: checkpoint: %s", sqlite3_errmsg(st.db));
		return;
	}
	/* The row is (busy, wal pages, pages checkpointed). */
	if (sqlite3_step(stmt) != SQLITE_ROW)
		log_error("store: checkpoint: %s", sqlite3_errmsg(st.db));
	else if (sqlite3_column_int(stmt, 0) != 0)
		log_warn("store: checkpoint incomplete: the database is busy");
	sqlite3_finalize(stmt);
}

/* The transaction that asked for a checkpoint has ended: run it now. */
static void
checkpoint_if_due(void)
{
	if (!st.checkpoint_due || !sqlite3_get_autocommit(st.db))
		return;
	st.checkpoint_due = false;
	checkpoint_now();
}

/*
 * Inside a transaction a checkpoint fails (SQLITE_LOCKED) and could not
 * carry the erasure anyway, which is not committed yet: it runs right after
 * the COMMIT that ends the transaction (with grouping, the pass's).
 */
void
store_checkpoint(void)
{
	if (!sqlite3_get_autocommit(st.db)) {
		st.checkpoint_due = true;
		return;
	}
	checkpoint_now();
}

/* The stored schema version of owner; 0 when it has none yet. */
static int
stored_version(const char *owner, sqlite3_int64 *v)
{
	sqlite3_stmt *stmt;
	int rc;

	*v = 0;
	if (sqlite3_prepare_v2(st.db, "SELECT version FROM schema_versions WHERE owner = ?",
	        -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(stmt, 1, owner, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
set_version(const char *owner, size_t v)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(st.db,
	        "INSERT INTO schema_versions (owner, version) VALUES (?, ?) "
	        "ON CONFLICT (owner) DO UPDATE SET version = excluded.version",
	        -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(stmt, 1, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)v);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * One migration step and its version bump, atomically. Normally its own
 * BEGIN IMMEDIATE; inside an open transaction (a plugin loaded during a
 * grouped pass) a savepoint, so the pass's transaction is not disturbed.
 */
static int
migrate_step(const char *owner, const char *sql, size_t to, char *err, size_t errlen)
{
	bool nested = !sqlite3_get_autocommit(st.db);
	char msg[512];

	if (sqlite3_exec(st.db, nested ? "SAVEPOINT migrate" : "BEGIN IMMEDIATE", NULL,
	        NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(st.db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    set_version(owner, to) == -1)
		goto fail;
	if (sqlite3_exec(st.db, nested ? "RELEASE migrate" : "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK)
		goto fail;
	return 0;

fail:
	/* Keep the message: the rollback below would overwrite it. */
	snprintf(msg, sizeof msg, "%s schema step %zu: %s", owner, to,
	    sqlite3_errmsg(st.db));
	log_error("store: %s", msg);
	set_err(err, errlen, "%s", msg);
	if (nested) {
		sqlite3_exec(st.db, "ROLLBACK TO migrate", NULL, NULL, NULL);
		sqlite3_exec(st.db, "RELEASE migrate", NULL, NULL, NULL);
	} else
		abort_tx();
	return -1;
}

int
store_migrate(const char *owner, const char *const *steps, size_t n, char *err,
    size_t errlen)
{
	sqlite3_int64 v;
	size_t i;

	if (stored_version(owner, &v) == -1) {
		set_err(err, errlen, "%s schema version: %s", owner, sqlite3_errmsg(st.db));
		log_error("store: %s schema version: %s", owner, sqlite3_errmsg(st.db));
		return -1;
	}
	if (v < 0 || (sqlite3_uint64)v > n) {
		set_err(err, errlen,
		    "%s: database is newer than this plugin "
		    "(schema %lld, plugin knows %zu)",
		    owner, (long long)v, n);
		return -1;
	}
	for (i = (size_t)v; i < n; i++) {
		if (migrate_step(owner, steps[i], i + 1, err, errlen) == -1)
			return -1;
		log_info("store: %s schema now at version %zu", owner, i + 1);
	}
	return 0;
}
