/*
 * files.c: the public feeds written under [calendars] dir, atomically, and
 * what is no longer there pruned.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendars.h"
#include "sbuf.h"

/* ---- files ---- */

static int
mkdir_p(const char *path)
{
	char *p = cal_xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; rc == 0; s++) {
		bool end = *s == '\0';

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			rc = -1;
		else
			chmod(p, 0755); /* world-readable whatever the umask */
		if (end)
			break;
		*s = '/';
	}
	free(p);
	return rc;
}

/*
 * Replace dir/path with body atomically: a reader sees the old file or the
 * new one. With `map`, *map is a read-only shared mapping of the new file
 * (NULL when none could be made), to unmap with munmap(*map, len).
 */
int
write_atomic(const char *dir, const char *path, const char *body, size_t len, void **map)
{
	char *final, *tmp;
	const char *slash = strrchr(path, '/');
	ssize_t w;
	size_t off = 0;
	int fd, rc = -1;
	void *m = MAP_FAILED;

	if (map != NULL)
		*map = NULL;
	if (asprintf(&final, "%s/%s", dir, path) < 0)
		abort();
	if (asprintf(&tmp, "%s/%.*s.%s.tmp.XXXXXX", dir,
	        slash ? (int)(slash - path + 1) : 0, path, slash ? slash + 1 : path) < 0)
		abort();
	if ((fd = mkstemp(tmp)) == -1)
		goto out;
	while (off < len && (w = write(fd, body + off, len - off)) > 0)
		off += (size_t)w;
	/* The inode written here, whatever is renamed over the path later. */
	if (off == len && map != NULL && len > 0)
		m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (off == len && fchmod(fd, 0644) == 0 && close(fd) == 0) {
		fd = -1;
		if (rename(tmp, final) == 0)
			rc = 0;
	}
	if (fd != -1)
		close(fd);
	if (rc == -1)
		unlink(tmp);
	if (m != MAP_FAILED && rc == -1)
		munmap(m, len);
	else if (m != MAP_FAILED)
		*map = m;
out:
	free(tmp);
	free(final);
	return rc;
}

/* The id of "event/N.ics" (N as written by us: no sign, no leading zero), or -1. */
long long
event_id_of(const char *path)
{
	const char *p = path + 6;
	long long id = 0;

	if (strncmp(path, "event/", 6) != 0 || *p < '1' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (id > (LLONG_MAX - 9) / 10)
			return -1;
		id = id * 10 + (*p - '0');
	}
	return strcmp(p, ".ics") == 0 ? id : -1;
}

static bool
has_feed(const char *path)
{
	bool fr = strncmp(path, "fr/", 3) == 0;
	long long id = event_id_of(fr ? path + 3 : path);
	const struct cal_feed *v = fr ? pub.fr : pub.v;
	size_t n = fr ? pub.nfr : pub.n;

	if (id != -1)
		return cal_evfeeds_find(&evs, id) != NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].path, fr ? path + 3 : path) == 0)
			return true;
	return false;
}

/*
 * Remove the .ics files of dir/sub that no feed has any more. The feeds of
 * single events learn whether their file is there (on_disk).
 */
void
prune(const char *dir, const char *sub)
{
	char *d, path[300];
	DIR *dh;
	struct dirent *e;

	if (asprintf(&d, "%s/%s", dir, sub) < 0)
		abort();
	if ((dh = opendir(d)) != NULL) {
		while ((e = readdir(dh)) != NULL) {
			size_t n = strlen(e->d_name);

			if (e->d_name[0] == '.' || n < 5 ||
			    strcmp(e->d_name + n - 4, ".ics") != 0)
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", sub,
			        e->d_name) >= sizeof(path))
				continue;
			if (has_feed(path)) {
				long long id = event_id_of(path);

				if (id != -1)
					cal_evfeeds_find(&evs, id)->on_disk = true;
			} else if (unlinkat(dirfd(dh), e->d_name, 0) == -1) {
				host->log(self, CV_LOG_WARN, "cannot remove %s/%s: %s", d,
				    e->d_name, strerror(errno));
			}
		}
		closedir(dh);
	}
	free(d);
}

/*
 * Write the feeds of all events and of channels that changed (all of them
 * the first time); the feeds of single events are written by
 * events_update(). -1 when the folders cannot be made.
 */
int
write_files(void)
{
	const char *dir = feed_dir();
	char *sub;
	size_t failed = 0;

	if (mkdir_p(dir) == -1) {
		host->log(self, CV_LOG_WARN, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	for (const char *const *s = (const char *const[]){ "channel", "event", NULL }; *s;
	     s++) {
		if (asprintf(&sub, "%s/%s", dir, *s) < 0)
			abort();
		mkdir_p(sub);
		free(sub);
	}
	for (size_t i = 0; i < pub.n; i++) {
		if (!pub.v[i].dirty && pub.written)
			continue;
		void *map;

		if (write_atomic(dir, pub.v[i].path, pub.v[i].body, pub.v[i].len, &map) ==
		    -1) {
			failed++;
		} else {
			pub.v[i].dirty = false;
			/* Served from the file's pages from now on; the heap copy goes. */
			if (map != NULL)
				cal_feed_map(&pub.v[i], map);
		}
	}
	if (failed > 0)
		host->log(self, CV_LOG_WARN,
		    "could not write %zu feed file(s) under %s: %s", failed, dir,
		    strerror(errno));
	prune(dir, "channel");
	pub.written = failed == 0;
	return 0;
}

/* The French feeds of all events and of channels, under fr/ (as write_files()). */
int
write_files_fr(void)
{
	const char *dir = feed_dir();
	char *sub, path[CAL_CHANNEL_KEY_MAX + 24];
	size_t failed = 0;

	for (const char *const *s = (const char *const[]){ "fr/channel", "fr/event", NULL };
	     *s; s++) {
		if (asprintf(&sub, "%s/%s", dir, *s) < 0)
			abort();
		if (mkdir_p(sub) == -1) {
			free(sub);
			return -1;
		}
		free(sub);
	}
	for (size_t i = 0; i < pub.nfr; i++) {
		void *map;

		if (!pub.fr[i].dirty && pub.written_fr)
			continue;
		snprintf(path, sizeof(path), "fr/%s", pub.fr[i].path);
		if (write_atomic(dir, path, pub.fr[i].body, pub.fr[i].len, &map) == -1) {
			failed++;
		} else {
			pub.fr[i].dirty = false;
			if (map != NULL)
				cal_feed_map(&pub.fr[i], map);
		}
	}
	if (failed > 0)
		host->log(self, CV_LOG_WARN,
		    "could not write %zu French feed file(s) under %s/fr: %s", failed,
		    dir, strerror(errno));
	prune(dir, "fr/channel");
	pub.written_fr = failed == 0;
	return 0;
}
