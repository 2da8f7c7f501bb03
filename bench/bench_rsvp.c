/*
 * bench_rsvp: rsvp commands per second through the events plugin, with the
 * IRC server out of the path. Links the host's objects, loads the real
 * build/plugins/events.so on a real store file, and hands cmd_message()
 * one `rsvp` line per synthetic person, timing from the line's arrival to
 * the committed row and the queued answer (the link is not connected, so
 * link_text() drops the answer where it would be queued).
 *
 *   bench_rsvp [-n PEOPLE] [-m each|group|normal] [-p LINES_PER_PASS] DIR
 *
 * each:   synchronous=FULL, one commit per command (the default host mode)
 * group:  synchronous=FULL, the commits of one loop pass grouped
 *         (store_set_group + store_pass_end every LINES_PER_PASS lines)
 * normal: synchronous=NORMAL, one commit per command, for reference
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "host.h"
#include "log.h"
#include "plugin.h"
#include "store.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
as(const char *mask, const char *line)
{
	struct cv_person who;
	char id[160], nick[64];

	host_person(&who, mask, NULL, id, sizeof id, nick, sizeof nick);
	cmd_message(&who, NULL, line);
}

int
main(int argc, char **argv)
{
	const char *mode = "each", *dir;
	long n = 2000, per_pass = 16;
	char path[512], err[256], line[128];
	time_t t = time(NULL) + 30 * 86400;
	struct tm tm;
	double t0, t1;
	int opt;

	while ((opt = getopt(argc, argv, "n:m:p:")) != -1) {
		if (opt == 'n')
			n = atol(optarg);
		else if (opt == 'm')
			mode = optarg;
		else if (opt == 'p')
			per_pass = atol(optarg);
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: bench_rsvp [-n N] [-m each|group|normal] [-p K] DIR\n");
		return 2;
	}
	dir = argv[optind];
	log_set_level(CV_LOG_WARN);
	snprintf(path, sizeof path, "%s/bench-rsvp-%d.db", dir, (int)getpid());
	if (store_open(path, err, sizeof err) < 0 || host_migrate(err, sizeof err) < 0) {
		fprintf(stderr, "store: %s\n", err);
		return 1;
	}
	if (strcmp(mode, "normal") == 0)
		store_exec("PRAGMA synchronous=NORMAL");
	host_set_owners("bench!*@*");
	cmd_set_limit(5, 1);
	cmd_set_prefix("!");
	plugin_set_dir("build/plugins");
	if (plugin_load("events", err, sizeof err) < 0) {
		fprintf(stderr, "plugin: %s\n", err);
		return 1;
	}
	gmtime_r(&t, &tm);
	strftime(line, sizeof line, "event add %Y-%m-%d 18:00 UTC Bench webinar", &tm);
	as("bench!b@bench.example", line);

	if (strcmp(mode, "group") == 0)
		store_set_group(true);
	t0 = now_s();
	for (long i = 0; i < n; i++) {
		char mask[64];

		snprintf(mask, sizeof mask, "p%ld!u@h%ld.example", i, i);
		as(mask, "rsvp 1");
		if (strcmp(mode, "group") == 0 && (i + 1) % per_pass == 0)
			store_pass_end();
	}
	if (strcmp(mode, "group") == 0)
		store_pass_end();
	t1 = now_s();

	{
		sqlite3_stmt *st;
		long rows = -1;

		if (sqlite3_prepare_v2(store_db(), "SELECT count(*) FROM registrations", -1, &st,
		    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			rows = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		printf("mode=%s n=%ld rows=%ld seconds=%.3f rsvp_per_s=%.0f\n", mode, n, rows,
		    t1 - t0, n / (t1 - t0));
		if (rows != n)
			return 1;
	}
	plugin_unload_all();
	cmd_free();
	store_close();
	unlink(path);
	snprintf(path + strlen(path), sizeof path - strlen(path), "-wal");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	snprintf(path + strlen(path), sizeof path - strlen(path), "-shm");
	unlink(path);
	return 0;
}
