/* test_store.c: store.c against real SQLite files in a temporary folder. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"
#include "util.h"

#include "tmpstore.h"

/*
 * A VFS that forwards to the default one and can make every write fail
 * with SQLITE_FULL: how a COMMIT meets a full disk.
 */
static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;
static int fail_writes;

struct shim_file {
	sqlite3_file base;
	sqlite3_file *real; /* lives right after this struct */
};

#define REAL(f) (((struct shim_file *)(f))->real)

static int
shim_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}
static int
shim_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
	return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int
shim_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	if (fail_writes)
		return SQLITE_FULL;
	return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int
shim_truncate(sqlite3_file *f, sqlite3_int64 s)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), s);
}
static int
shim_sync(sqlite3_file *f, int fl)
{
	return REAL(f)->pMethods->xSync(REAL(f), fl);
}
static int
shim_size(sqlite3_file *f, sqlite3_int64 *s)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), s);
}
static int
shim_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int
shim_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int
shim_reserved(sqlite3_file *f, int *r)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r);
}
static int
shim_fcntl(sqlite3_file *f, int op, void *a)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, a);
}
static int
shim_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int
shim_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int
shim_shmmap(sqlite3_file *f, int r, int sz, int e, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), r, sz, e, p);
}
static int
shim_shmlock(sqlite3_file *f, int o, int n, int fl)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl);
}
static void
shim_shmbarrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int
shim_shmunmap(sqlite3_file *f, int d)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), d);
}

static const sqlite3_io_methods shim_io = {
	2,
	shim_close,
	shim_read,
	shim_write,
	shim_truncate,
	shim_sync,
	shim_size,
	shim_lock,
	shim_unlock,
	shim_reserved,
	shim_fcntl,
	shim_sector,
	shim_devchar,
	shim_shmmap,
	shim_shmlock,
	shim_shmbarrier,
	shim_shmunmap,
	NULL,
	NULL,
};

static int
shim_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct shim_file *sf = (struct shim_file *)f;
	int rc;

	sf->real = (sqlite3_file *)(sf + 1);
	rc = real_vfs->xOpen(real_vfs, name, sf->real, flags, out);
	f->pMethods = rc == SQLITE_OK ? &shim_io : NULL;
	return rc;
}

static void
install_shim(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	shim_vfs = *real_vfs;
	shim_vfs.zName = "shim";
	shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
	shim_vfs.xOpen = shim_open;
	sqlite3_vfs_register(&shim_vfs, 1);
}

static int
setup(void **state)
{
	struct fixture *fx = tmpstore_open("test_store");

	*state = fx;
	return 0;
}

/* The first column of the first row of sql, as an integer. */
static sqlite3_int64
query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt;
	sqlite3_int64 v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static sqlite3_int64
count_rows(sqlite3 *db, const char *table)
{
	char *sql = xasprintf("SELECT count(*) FROM %s", table);
	sqlite3_int64 n = query_int(db, sql);

	free(sql);
	return n;
}

static bool
table_exists(const char *name)
{
	sqlite3_stmt *stmt;
	bool found;

	assert_int_equal(sqlite3_prepare_v2(store_db(),
	                     "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
	                     -1, &stmt, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_finalize(stmt);
	return found;
}

static mode_t
file_mode(const char *path, const char *sfx)
{
	char *p = xasprintf("%s%s", path, sfx);
	struct stat sb;

	assert_int_equal(stat(p, &sb), 0);
	free(p);
	return sb.st_mode & 0777;
}

/* A second connection sees only what was committed. */
static sqlite3 *
other_conn(struct fixture *fx)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	return db;
}

static void
test_modes(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(store_exec("CREATE TABLE t (x)"), 0);
	assert_int_equal(file_mode(fx->path, ""), 0600);
	assert_int_equal(file_mode(fx->path, "-wal"), 0600);
	assert_int_equal(file_mode(fx->path, "-shm"), 0600);
}

static void
test_mode_narrowed(void **state)
{
	struct fixture *fx = *state;
	char err[256];
	mode_t old;

	store_close();
	assert_int_equal(chmod(fx->path, 0644), 0);
	old = umask(0);
	assert_int_equal(store_open(fx->path, err, sizeof err), 0);
	assert_int_equal(store_exec("CREATE TABLE t (x)"), 0);
	umask(old);
	assert_int_equal(file_mode(fx->path, ""), 0600);
	assert_int_equal(file_mode(fx->path, "-wal"), 0600);
}

static void
test_open_twice(void **state)
{
	struct fixture *fx = *state;
	char err[256] = "";

	assert_int_equal(store_open(fx->path, err, sizeof err), -1);
	assert_true(err[0] != '\0');
}

static void
test_open_bad_path(void **state)
{
	char err[256] = "";

	store_close();
	assert_int_equal(store_open("/nonexistent/dir/x.db", err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/dir/x.db"));
	assert_null(store_db());
}

static void
test_pragmas(void **state)
{
	sqlite3 *db = store_db();
	sqlite3_stmt *stmt;

	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
	sqlite3_finalize(stmt);
	assert_int_equal(query_int(db, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(db, "PRAGMA secure_delete"), 1);
	assert_int_equal(query_int(db, "PRAGMA journal_size_limit"), 4 << 20);
	assert_int_equal(query_int(db, "PRAGMA busy_timeout"), 5000);
}

static const char *const steps[] = {
	"CREATE TABLE a (x INTEGER)",
	"CREATE TABLE b (y INTEGER)",
	"CREATE TABLE c (z INTEGER)",
};

static void
test_migrate(void **state)
{
	struct fixture *fx = *state;
	char err[256];

	assert_int_equal(store_migrate("p", steps, 2, err, sizeof err), 0);
	assert_true(table_exists("a"));
	assert_true(table_exists("b"));
	assert_false(table_exists("c"));
	assert_int_equal(query_int(store_db(),
	                     "SELECT version FROM schema_versions WHERE owner = 'p'"),
	    2);

	/* Again: nothing to do (re-running CREATE TABLE a would fail). */
	assert_int_equal(store_migrate("p", steps, 2, err, sizeof err), 0);

	store_close();
	assert_int_equal(store_open(fx->path, err, sizeof err), 0);
	assert_int_equal(store_migrate("p", steps, 3, err, sizeof err), 0);
	assert_true(table_exists("c"));
	assert_int_equal(query_int(store_db(),
	                     "SELECT version FROM schema_versions WHERE owner = 'p'"),
	    3);

	/* Owners are separate. */
	assert_int_equal(store_migrate("q", steps + 2, 0, err, sizeof err), 0);
	assert_int_equal(count_rows(store_db(), "schema_versions"), 1);
}

static void
test_migrate_fails(void **state)
{
	static const char *const bad[] = {
		"CREATE TABLE a (x INTEGER)",
		"CREATE TABLE b (y INTEGER); INSERT INTO nosuch VALUES (1)",
	};
	char err[256] = "";

	assert_int_equal(store_migrate("p", bad, 2, err, sizeof err), -1);
	assert_non_null(strstr(err, "no such table"));
	assert_true(table_exists("a"));
	assert_false(table_exists("b"));
	assert_int_equal(query_int(store_db(),
	                     "SELECT version FROM schema_versions WHERE owner = 'p'"),
	    1);
	assert_true(sqlite3_get_autocommit(store_db()));
}

static void
test_migrate_newer(void **state)
{
	char err[256] = "";

	assert_int_equal(store_migrate("p", steps, 3, err, sizeof err), 0);
	assert_int_equal(store_migrate("p", steps, 2, err, sizeof err), -1);
	assert_non_null(strstr(err, "newer"));
	assert_int_equal(query_int(store_db(),
	                     "SELECT version FROM schema_versions WHERE owner = 'p'"),
	    3);
}

/* A plugin loaded during a grouped pass migrates inside a savepoint. */
static void
test_migrate_in_group(void **state)
{
	static const char *const bad[] = {
		"CREATE TABLE a (x INTEGER)",
		"CREATE TABLE b (y INTEGER); INSERT INTO nosuch VALUES (1)",
	};
	char err[256];

	store_set_group(true);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("CREATE TABLE t (x)"), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(store_migrate("p", bad, 2, err, sizeof err), -1);
	assert_true(store_group_open());
	assert_int_equal(store_pass_end(), 0);
	assert_true(table_exists("t"));
	assert_true(table_exists("a"));
	assert_false(table_exists("b"));
	store_set_group(false);
}

static void
test_begin_commit_rollback(void **state)
{
	struct fixture *fx = *state;
	sqlite3 *db = store_db(), *other;

	assert_int_equal(store_exec("CREATE TABLE t (x)"), 0);
	other = other_conn(fx);

	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (1)"), 0);
	assert_int_equal(count_rows(other, "t"), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(count_rows(other, "t"), 1);

	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (2)"), 0);
	store_rollback();
	assert_int_equal(count_rows(db, "t"), 1);
	assert_true(sqlite3_get_autocommit(db));

	/* Misuse is refused, not fatal. */
	assert_int_equal(store_commit(), -1);
	store_rollback();
	assert_int_equal(store_exec("no such statement"), -1);
	sqlite3_close(other);
}

static void
test_nesting(void **state)
{
	struct fixture *fx = *state;
	sqlite3 *db = store_db(), *other;

	assert_int_equal(store_exec("CREATE TABLE t (x)"), 0);
	other = other_conn(fx);

	/* Only the outermost commit commits. */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (1)"), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(count_rows(other, "t"), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(count_rows(other, "t"), 1);

	/* An inner rollback undoes the whole and fails the outer commit. */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (2)"), 0);
	assert_int_equal(store_begin(), 0);
	store_rollback();
	assert_int_equal(store_begin(), -1);
	assert_int_equal(store_commit(), -1);
	assert_int_equal(count_rows(db, "t"), 1);
	assert_true(sqlite3_get_autocommit(db));

	/* And the next transaction is normal again. */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (3)"), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(count_rows(other, "t"), 2);
	sqlite3_close(other);
}

static void
test_group(void **state)
{
	struct fixture *fx = *state;
	sqlite3 *db = store_db(), *other;

	assert_int_equal(store_exec("CREATE TABLE t (x)"), 0);
	other = other_conn(fx);
	store_set_group(true);
	assert_false(store_group_open());
	assert_int_equal(store_pass_end(), 0); /* nothing to do */

	assert_int_equal(store_begin(), 0);
	assert_true(store_group_open());
	assert_int_equal(store_exec("INSERT INTO t VALUES (1)"), 0);
	assert_int_equal(store_commit(), 0);

	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (2)"), 0);
	/* Nested inside the second caller, committed, then all rolled back. */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (3)"), 0);
	assert_int_equal(store_commit(), 0);
	store_rollback();

	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (4)"), 0);
	assert_int_equal(store_commit(), 0);

	/* The pass's transaction is still open: nothing is visible yet. */
	assert_true(store_group_open());
	assert_false(sqlite3_get_autocommit(db));
	assert_int_equal(count_rows(other, "t"), 0);

	assert_int_equal(store_pass_end(), 0);
	assert_false(store_group_open());
	assert_int_equal(count_rows(other, "t"), 2);
	assert_int_equal(query_int(other, "SELECT sum(x) FROM t"), 5);

	/* A caller that forgot to commit at the end of the pass keeps nothing. */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (10)"), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (20)"), 0);
	assert_int_equal(store_pass_end(), 0);
	assert_int_equal(query_int(other, "SELECT sum(x) FROM t"), 15);

	/* Leaving group mode commits a pass still open. */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (100)"), 0);
	assert_int_equal(store_commit(), 0);
	store_set_group(false);
	assert_false(store_group_open());
	assert_int_equal(query_int(other, "SELECT sum(x) FROM t"), 115);
	sqlite3_close(other);
}

static void
test_commit_full(void **state)
{
	sqlite3 *db = store_db();

	assert_int_equal(store_exec("CREATE TABLE t (x)"), 0);

	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (1)"), 0);
	fail_writes = 1;
	assert_int_equal(store_commit(), -1);
	fail_writes = 0;
	assert_true(sqlite3_get_autocommit(db));
	assert_int_equal(count_rows(db, "t"), 0);

	/* Still usable. */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (2)"), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(count_rows(db, "t"), 1);

	/* The same at the end of a grouped pass. */
	store_set_group(true);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (3)"), 0);
	assert_int_equal(store_commit(), 0);
	fail_writes = 1;
	assert_int_equal(store_pass_end(), -1);
	fail_writes = 0;
	assert_false(store_group_open());
	assert_true(sqlite3_get_autocommit(db));
	assert_int_equal(count_rows(db, "t"), 1);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES (4)"), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(store_pass_end(), 0);
	store_set_group(false);
	assert_int_equal(query_int(db, "SELECT sum(x) FROM t"), 6);
}

static void
test_checkpoint(void **state)
{
	struct fixture *fx = *state;
	char *wal = xasprintf("%s-wal", fx->path);
	struct stat sb;

	assert_int_equal(store_exec("CREATE TABLE t (x)"), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES ('secret')"), 0);
	assert_int_equal(stat(wal, &sb), 0);
	assert_true(sb.st_size > 0);
	store_checkpoint();
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	free(wal);
}

/* Size of the WAL, or -1 when it is missing. */
static off_t
wal_size(const char *path)
{
	char *wal = xasprintf("%s-wal", path);
	struct stat sb;
	off_t n = stat(wal, &sb) == 0 ? sb.st_size : -1;

	free(wal);
	return n;
}

/*
 * A burst that wrote more than the limit does not leave a larger WAL behind:
 * the first commit after the automatic checkpoint cuts it back.
 */
static void
test_wal_bounded(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(store_exec("CREATE TABLE t (x)"), 0);
	assert_int_equal(store_begin(), 0);
	for (int i = 0; i < 24; i++)
		assert_int_equal(store_exec("INSERT INTO t VALUES (randomblob(400000))"),
		    0);
	assert_int_equal(store_commit(), 0);
	assert_true(wal_size(fx->path) > (8 << 20));
	assert_int_equal(store_exec("INSERT INTO t VALUES (1)"), 0);
	assert_true(wal_size(fx->path) <= (4 << 20));
	assert_true(wal_size(fx->path) > 0);
}

/* Asked inside a transaction, the checkpoint waits for its COMMIT. */
static void
test_checkpoint_after_commit(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(store_exec("CREATE TABLE t (x)"), 0);
	assert_int_equal(store_exec("INSERT INTO t VALUES ('secret')"), 0);

	/* Grouped: erased in a savepoint, checkpoint asked, pass committed. */
	store_set_group(true);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("DELETE FROM t"), 0);
	assert_int_equal(store_commit(), 0);
	store_checkpoint();
	assert_true(wal_size(fx->path) > 0);
	assert_int_equal(store_pass_end(), 0);
	assert_int_equal(wal_size(fx->path), 0);
	store_set_group(false);

	/* Default mode, nested: after the outer commit. */
	assert_int_equal(store_exec("INSERT INTO t VALUES ('secret')"), 0);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_exec("DELETE FROM t"), 0);
	store_checkpoint();
	assert_int_equal(store_commit(), 0);
	assert_true(wal_size(fx->path) > 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(wal_size(fx->path), 0);

	/* A rollback ends the transaction too: the request is not kept. */
	assert_int_equal(store_exec("INSERT INTO t VALUES ('secret')"), 0);
	assert_int_equal(store_begin(), 0);
	store_checkpoint();
	store_rollback();
	assert_int_equal(wal_size(fx->path), 0);
	assert_int_equal(query_int(store_db(), "SELECT count(*) FROM t"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_modes, setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_mode_narrowed, setup,
		    tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_open_twice, setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_open_bad_path, setup,
		    tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_pragmas, setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_migrate, setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_migrate_fails, setup,
		    tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_migrate_newer, setup,
		    tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_migrate_in_group, setup,
		    tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_begin_commit_rollback, setup,
		    tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_nesting, setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_group, setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_commit_full, setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint, setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_wal_bounded, setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_after_commit, setup,
		    tmpstore_teardown),
	};

	install_shim();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
