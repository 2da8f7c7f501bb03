/*
 * bench_rsvp: rsvp commands per second through the events plugin, with the
 * IRC server out of the path. Links the host's objects, loads the real
 * build/plugins/events.so on a real store file, and hands cmd_message()
 * one `rsvp` line per synthetic person, timing from the line's arrival to
 * the committed row and the queued answer (the link is not connected, so
 * link_text() drops the answer where it would be queued).
 *
 *   bench_rsvp [-n PEOPLE] [-m MODE] [-p LINES_PER_PASS] [-f PREFILL]
 *              [-c CAPACITY] [-w EVERY] [-F] [-P PLUGIN_DIR] DIR
 *
 * each:     synchronous=FULL, one commit per command (the default host mode)
 * group:    synchronous=FULL, the commits of one loop pass grouped
 *           (store_set_group, and the host's end of a pass, host_pass_end,
 *           every LINES_PER_PASS lines: the commit, then the answers held
 *           for it go to the link, which drops them). LINES_PER_PASS is the
 *           lines of one commit: about 16 a pass (libircclient reads 1 KB),
 *           up to 64 passes (50 ms) while more lines wait (host_answers.c)
 * normal:   synchronous=NORMAL, one commit per command, for reference
 * sqlite:   no plugin: SQLite alone commits PEOPLE single-row INSERTs (one
 *           prepared statement, synchronous=FULL, WAL), the reference for each
 * commands: CPU time of `events`, `event N`, `mine`, `attendees N` and one
 *           reminder/retention scan with 10,000 events and 100,000
 *           registrations (-n: repetitions of each)
 *
 * -f: the event already holds PREFILL registrations (written straight into
 * the table) before the timed lines; -c: its capacity (0: unlimited), so
 * later people join the waitlist; -w: every EVERY-th line a confirmed
 * person withdraws instead, which promotes the first in line. -F: after
 * the timed lines, the WAL frames their commits wrote (pages, each written
 * once per commit that changed it), by table or index, on stderr; the WAL
 * is read at each commit, so the rate of a run with -F is not comparable.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "host.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "store.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t fake_ms;

/* -F: frames written per page number, and commits, while counting. */
static struct {
	char wal[560];
	long seen, commits, frames;
	unsigned *per_page;
	size_t cap;
} fr;

static void
frames_note(unsigned page)
{
	if (page >= fr.cap) {
		size_t n = (size_t)page * 2 + 1024;

		fr.per_page = realloc(fr.per_page, n * sizeof *fr.per_page);
		if (fr.per_page == NULL)
			abort();
		memset(fr.per_page + fr.cap, 0, (n - fr.cap) * sizeof *fr.per_page);
		fr.cap = n;
	}
	fr.per_page[page]++;
	fr.frames++;
}

/*
 * After each commit: read the headers of the frames it appended (32-byte
 * file header, then per frame a 24-byte header, page number first, and the
 * page). Then checkpoint as SQLite's own hook would, which this replaces.
 */
static int
frames_hook(void *arg, sqlite3 *db, const char *name, int n)
{
	unsigned char h[32];
	FILE *f = fopen(fr.wal, "rb");
	long size = 0;

	(void)arg;
	if (n < fr.seen) /* the WAL started again after a checkpoint */
		fr.seen = 0;
	if (f != NULL && fread(h, 1, 32, f) == 32)
		size = (long)h[8] << 24 | h[9] << 16 | h[10] << 8 | h[11];
	for (long i = fr.seen; size > 0 && i < n; i++) {
		if (fseek(f, 32 + i * (24 + size), SEEK_SET) != 0 || fread(h, 1, 4, f) != 4)
			break;
		frames_note((unsigned)h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3]);
	}
	if (f != NULL)
		(void)fclose(f); /* read only */
	fr.seen = n;
	fr.commits++;
	if (n >= 1000) /* the default wal_autocheckpoint */
		sqlite3_wal_checkpoint(db, name);
	return SQLITE_OK;
}

static void
frames_start(void)
{
	snprintf(fr.wal, sizeof fr.wal, "%s-wal", sqlite3_db_filename(store_db(), "main"));
	sqlite3_wal_hook(store_db(), frames_hook, NULL);
}

/* The frames by b-tree, named by dbstat (pages as they are at the end). */
static void
frames_report(void)
{
	sqlite3_stmt *st;

	sqlite3_wal_hook(store_db(), NULL, NULL);
	sqlite3_wal_autocheckpoint(store_db(), 1000);
	fprintf(stderr, "frames: %ld commits, %ld frames, %.1f a commit\n", fr.commits,
	    fr.frames, fr.commits ? (double)fr.frames / fr.commits : 0.0);
	if (sqlite3_prepare_v2(store_db(),
	        "SELECT name, group_concat(pageno) FROM dbstat GROUP BY name", -1, &st,
	        NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 1);
		long n = 0, pages = 0;

		for (; p != NULL && *p != '\0'; p += strcspn(p, ","), p += *p == ',') {
			unsigned long pg = strtoul(p, NULL, 10);

			if (pg < fr.cap && fr.per_page[pg] > 0) {
				n += fr.per_page[pg];
				pages++;
			}
		}
		if (n > 0)
			fprintf(stderr, "frames: %-32s %6ld (%.1f a commit, %ld pages)\n",
			    (const char *)sqlite3_column_text(st, 0), n,
			    (double)n / (fr.commits ? fr.commits : 1), pages);
	}
	sqlite3_finalize(st);
	free(fr.per_page);
}

static int64_t
fake_clock(void)
{
	return fake_ms;
}

static void
as(const char *mask, const char *line)
{
	struct cv_person who;
	char id[160], nick[64];

	host_person(&who, mask, NULL, id, sizeof id, nick, sizeof nick);
	cmd_message(&who, NULL, line);
}

static void
remove_store(char *path, size_t n)
{
	size_t len = strlen(path);

	unlink(path);
	snprintf(path + len, n - len, "-wal");
	unlink(path);
	snprintf(path + len, n - len, "-shm");
	unlink(path);
	path[len] = '\0';
}

/* SQLite alone: single-row commits, FULL, WAL, a registrations-like table. */
static int
sqlite_mode(const char *dir, long n)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	double t0, t1;

	snprintf(path, sizeof path, "%s/bench-sqlite-%d.db", dir, (int)getpid());
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db,
	        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	        "CREATE TABLE r (event_id INTEGER NOT NULL, person TEXT NOT NULL,"
	        " nick TEXT NOT NULL, status TEXT NOT NULL, seq INTEGER NOT NULL,"
	        " created_at INTEGER NOT NULL, PRIMARY KEY (event_id, person));",
	        NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO r VALUES (1, ?, ?, 'waitlist', ?, 0)", -1,
	        &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	t0 = now_s();
	for (long i = 0; i < n; i++) {
		char person[32];

		snprintf(person, sizeof person, "n:p%ld", i);
		sqlite3_bind_text(st, 1, person, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, person + 2, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, i + 1);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(st);
	}
	t1 = now_s();
	sqlite3_finalize(st);
	sqlite3_close(db);
	remove_store(path, sizeof path);
	printf("mode=sqlite n=%ld rows=%ld seconds=%.3f rsvp_per_s=%.0f\n", n, n, t1 - t0,
	    n / (t1 - t0));
	return 0;
}

static int
exec_ok(const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(store_db(), sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sql: %s\n", msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* `prefill` registrations of event 1, the first `capacity` confirmed (all when 0). */
static int
prefill_event(long prefill, long capacity)
{
	sqlite3_stmt *st;
	char sql[128];

	snprintf(sql, sizeof sql, "UPDATE events SET capacity = %ld WHERE id = 1",
	    capacity);
	if (exec_ok(sql) == -1 || exec_ok("BEGIN") == -1 ||
	    sqlite3_prepare_v2(store_db(),
	        "INSERT INTO registrations (event_id, person, nick,"
	        " status, seq, created_at) VALUES (1, ?, ?, ?, ?, 0)",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (long i = 0; i < prefill; i++) {
		char person[32];

		snprintf(person, sizeof person, "n:f%ld", i);
		sqlite3_bind_text(st, 1, person, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, person + 2, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3,
		    capacity == 0 || i < capacity ? "confirmed" : "waitlist", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, i + 1);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (exec_ok("COMMIT") == -1)
		return -1;
	/*
	 * The prefill's WAL (thousands of pages for 100,000 rows) is copied and
	 * cut now, as a running bot's is by its checkpoints, not by the timed
	 * lines' first commit.
	 */
	store_checkpoint();
	return 0;
}

/*
 * 10,000 events, one an hour, half of them past; 10 registrations each
 * (capacity 8: two wait), 100,000 in all. n:regular holds the last place in
 * line of every 10th event (1,000 registrations); the others are 10,000
 * people with ~10 each. Then each command's CPU time, median of `reps`.
 */
static double
median_us(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2] * 1e6;
}

/*
 * 10,000 events of 10 registrations each around now, "regular" in every
 * tenth; *ahead is the id of one 100 hours ahead. Returns 0 or -1.
 */
static int
fill_store(long long *ahead)
{
	sqlite3_stmt *ev, *reg;
	time_t now = time(NULL);

	if (exec_ok("BEGIN") == -1 ||
	    sqlite3_prepare_v2(store_db(),
	        "INSERT INTO events (uid, title, local_date,"
	        " local_time, tz, start_utc, duration_min, capacity, created_by, created_at,"
	        " updated_at, reminders_from, channel) VALUES (?, ?, ?, ?, 'UTC', ?, 60, 8, 'n:org',"
	        " ?6, ?6, ?6, '#events')",
	        -1, &ev, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(store_db(),
	        "INSERT INTO registrations (event_id, person, nick,"
	        " status, seq, created_at) VALUES (?, ?, ?, ?, ?, ?)",
	        -1, &reg, NULL) != SQLITE_OK)
		return -1;
	for (long i = 0; i < 10000; i++) {
		time_t start = now + (i - 5000) * 3600;
		char uid[40], title[40], d[16], t[8];
		long long id;
		struct tm tm;

		gmtime_r(&start, &tm);
		strftime(d, sizeof d, "%Y-%m-%d", &tm);
		strftime(t, sizeof t, "%H:%M", &tm);
		snprintf(uid, sizeof uid, "%032lx", i);
		snprintf(title, sizeof title, "Bench event %ld", i);
		sqlite3_bind_text(ev, 1, uid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ev, 2, title, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ev, 3, d, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ev, 4, t, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ev, 5, start);
		sqlite3_bind_int64(ev, 6, now);
		if (sqlite3_step(ev) != SQLITE_DONE)
			return -1;
		sqlite3_reset(ev);
		id = sqlite3_last_insert_rowid(store_db());
		if (i == 5100)
			*ahead = id;
		for (int k = 0; k < 10; k++) {
			char person[32];

			if (i % 10 == 0 && k == 9)
				snprintf(person, sizeof person, "n:regular");
			else
				snprintf(person, sizeof person, "n:p%ld",
				    (i * 10 + k) % 10000);
			sqlite3_bind_int64(reg, 1, id);
			sqlite3_bind_text(reg, 2, person, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(reg, 3, person + 2, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(reg, 4, k < 8 ? "confirmed" : "waitlist", -1,
			    SQLITE_STATIC);
			sqlite3_bind_int64(reg, 5, k + 1);
			sqlite3_bind_int64(reg, 6, now);
			if (sqlite3_step(reg) != SQLITE_DONE)
				return -1;
			sqlite3_reset(reg);
		}
	}
	sqlite3_finalize(ev);
	sqlite3_finalize(reg);
	if (exec_ok("COMMIT") == -1)
		return -1;
	return 0;
}

static int
commands_mode(long reps)
{
	long long ahead = 0;
	double *v = calloc((size_t)reps, sizeof *v);
	static const char *const lines[][2] = {
		{ "regular!u@h.example", "events" },
		{ "regular!u@h.example", "event %lld" },
		{ "regular!u@h.example", "mine" },
		{ "bench!b@bench.example", "attendees %lld" },
	};

	if (v == NULL || fill_store(&ahead) == -1)
		return 1;
	/* The first scan purges what is past retention; time a later one. */
	fake_ms += 30000;
	loop_once(0);
	for (size_t c = 0; c < sizeof lines / sizeof lines[0]; c++) {
		char line[64];

		snprintf(line, sizeof line, lines[c][1], ahead);
		for (long r = 0; r < reps; r++) {
			double t0 = cpu_s();

			as(lines[c][0], line);
			v[r] = cpu_s() - t0;
		}
		printf("command=\"%s\" cpu_us=%.1f\n", line, median_us(v, (int)reps));
	}
	for (long r = 0; r < reps; r++) {
		double t0 = cpu_s();

		fake_ms += 2000; /* the scan's period */
		loop_once(0);
		v[r] = cpu_s() - t0;
	}
	printf("command=\"scan (reminders, expiry, retention)\" cpu_us=%.1f\n",
	    median_us(v, (int)reps));
	free(v);
	return 0;
}

/* The RSVP modes: n people answer "rsvp 1" (-w: some prefilled ones withdraw). */
static int
rsvp_mode(const char *mode, long n, long per_pass, long prefill, long capacity,
    long every, bool frames)
{
	time_t t = time(NULL) + 30 * 86400;
	char line[128];
	struct tm tm;
	double t0, t1, c0, c1;
	long withdrawn = 0, rows = -1, waiting = -1;
	sqlite3_stmt *st;
	int rc = 0;

	gmtime_r(&t, &tm);
	strftime(line, sizeof line, "event add %Y-%m-%d 18:00 UTC Bench webinar", &tm);
	as("bench!b@bench.example", line);
	if (prefill_event(prefill, capacity) == -1) {
		fprintf(stderr, "prefill: %s\n", sqlite3_errmsg(store_db()));
		return 1;
	}
	if (strcmp(mode, "group") == 0)
		store_set_group(true);
	if (frames)
		frames_start();
	t0 = now_s();
	c0 = cpu_s();
	for (long i = 0; i < n; i++) {
		char mask[64];

		if (every > 0 && i % every == every - 1 && withdrawn < prefill) {
			snprintf(mask, sizeof mask, "f%ld!u@hf%ld.example", withdrawn,
			    withdrawn);
			withdrawn++;
			as(mask, "rsvp 1 no");
		} else {
			snprintf(mask, sizeof mask, "p%ld!u@h%ld.example", i, i);
			as(mask, "rsvp 1");
		}
		if (strcmp(mode, "group") == 0 && (i + 1) % per_pass == 0)
			host_pass_end(NULL);
	}
	if (strcmp(mode, "group") == 0)
		host_pass_end(NULL);
	t1 = now_s();
	c1 = cpu_s();
	if (frames)
		frames_report();
	if (sqlite3_prepare_v2(store_db(),
	        "SELECT count(*), count(*) FILTER (WHERE"
	        " status = 'waitlist') FROM registrations",
	        -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		rows = sqlite3_column_int64(st, 0);
		waiting = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	printf("mode=%s n=%ld prefill=%ld capacity=%ld rows=%ld waitlist=%ld seconds=%.3f"
	       " cpu_us=%.1f rsvp_per_s=%.0f\n",
	    mode, n, prefill, capacity, rows, waiting, t1 - t0, (c1 - c0) * 1e6 / n,
	    n / (t1 - t0));
	if (rows != prefill + n - 2 * withdrawn)
		rc = 1;
	return rc;
}

int
main(int argc, char **argv)
{
	const char *mode = "each", *dir, *plugins = "build/plugins";
	long n = 2000, per_pass = 16, prefill = 0, capacity = 0, every = 0;
	char path[512], err[256];
	int opt, rc = 0;
	bool frames = false;

	/* As the host's main() does (not linked here): keep freed heap. */
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	mallopt(M_TOP_PAD, 256 << 10);
	while ((opt = getopt(argc, argv, "n:m:p:f:c:w:FP:")) != -1) {
		if (opt == 'n')
			n = atol(optarg);
		else if (opt == 'm')
			mode = optarg;
		else if (opt == 'p')
			per_pass = atol(optarg);
		else if (opt == 'f')
			prefill = atol(optarg);
		else if (opt == 'c')
			capacity = atol(optarg);
		else if (opt == 'w')
			every = atol(optarg);
		else if (opt == 'F')
			frames = true;
		else if (opt == 'P')
			plugins = optarg;
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr,
		    "usage: bench_rsvp [-n N] [-m each|group|normal|sqlite|commands]"
		    " [-p K] [-f PREFILL] [-c CAPACITY] [-w EVERY] [-F] [-P PLUGIN_DIR] DIR\n");
		return 2;
	}
	dir = argv[optind];
	if (strcmp(mode, "sqlite") == 0)
		return sqlite_mode(dir, n);
	log_set_level(CV_LOG_WARN);
	loop_set_clock(fake_clock);
	snprintf(path, sizeof path, "%s/bench-rsvp-%d.db", dir, (int)getpid());
	if (store_open(path, err, sizeof err) < 0 || host_migrate(err, sizeof err) < 0) {
		fprintf(stderr, "store: %s\n", err);
		return 1;
	}
	if (strcmp(mode, "normal") == 0)
		store_exec("PRAGMA synchronous=NORMAL");
	host_set_owners("bench!*@*");
	if (strcmp(mode, "commands") == 0)
		cmd_set_limit(1000000, 1000000);
	else
		cmd_set_limit(5, 1);
	cmd_set_prefix("!");
	plugin_set_dir(plugins);
	if (plugin_load("events", err, sizeof err) < 0) {
		fprintf(stderr, "plugin: %s\n", err);
		return 1;
	}
	if (strcmp(mode, "commands") == 0) {
		rc = commands_mode(n);
		goto out;
	}
	rc = rsvp_mode(mode, n, per_pass, prefill, capacity, every, frames);
out:
	plugin_unload_all();
	cmd_free();
	store_close();
	if (getenv("BENCH_KEEP") == NULL) /* keep the store to look into */
		remove_store(path, sizeof path);
	else
		fprintf(stderr, "kept %s\n", path);
	return rc;
}
