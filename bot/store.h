/*
 * store.h: the SQLite database shared by the host and its plugins.
 * WAL, synchronous=FULL, foreign keys, a busy timeout, secure_delete.
 * Created readable by the bot's user only.
 */
#ifndef CV_STORE_H
#define CV_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

int store_open(const char *path, char *err, size_t errlen);
void store_close(void);
sqlite3 *store_db(void);

/*
 * Apply the migrations of `owner` (a plugin name, or "host") that its stored
 * version has not seen: step i takes version i to i+1, each step in its own
 * transaction with the version bump. -1 with a reason in err; then nothing
 * of the failing step is kept.
 */
int store_migrate(const char *owner, const char *const *steps, size_t n, char *err,
    size_t errlen);

/*
 * Transactions. In the default mode begin() opens BEGIN IMMEDIATE and
 * commit() COMMITs. With grouping on (store_set_group(true)), begin() joins
 * one transaction kept open for the loop pass (a SAVEPOINT per caller),
 * commit() releases the savepoint, and store_pass_end() commits the pass;
 * the host then holds answers until that commit is done.
 * Nested begin() calls are counted. Returns 0 or -1 (logged).
 */
int store_begin(void);
int store_commit(void);
void store_rollback(void);
void store_set_group(bool on);
bool store_group_open(void); /* a grouped transaction awaits store_pass_end() */
/* Commit the pass's grouped transaction, if any. 0 or -1. */
int store_pass_end(void);

/*
 * After erasing personal data: checkpoint the WAL and truncate it so nothing
 * stays in it. Asked inside a transaction (a grouped pass's too), it runs
 * right after that transaction's COMMIT or rollback.
 */
void store_checkpoint(void);

/*
 * A statement prepared once for this connection and kept until
 * store_close(), for `sql` a string literal (its text is kept). Bind,
 * step, then sqlite3_reset() it; never finalize it. NULL on error (logged).
 */
sqlite3_stmt *store_kept(const char *sql);
/* Run a statement that returns no rows; 0 or -1 (logged). */
int store_exec(const char *sql);
/* The same with ?1 = a and ?2 = b (or NULL: no ?2); 0 or -1 (logged). */
int store_exec2(const char *sql, const char *a, const char *b);

#endif
