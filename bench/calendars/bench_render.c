/*
 * bench_render: the time to render the public feeds of 1,000 events with
 * the calendars plugin's own code (ics_render: libical, escaping, folding).
 * Usage: [BENCH_DUMP=FILE] bench_render [EVENTS [ROUNDS [change]]]
 * (FILE: all.ics, to compare builds; "change": the change1 rounds only, for perf)
 *
 *   render_events=...  all.ics rendered whole (every VEVENT through libical),
 *             the line this program printed before issue 17
 *   all+      the render of every public feed as the plugin makes it: all.ics
 *             whole, then 10 channel feeds and EVENTS single-event feeds
 *             copying their VEVENTs from it (ics_render_reuse)
 *   all+old   the same feeds each rendered whole, as before issue 17
 *   change1   one event changed: all.ics again from the last one (one VEVENT
 *             rendered, the others copied), its channel's feed and its own
 *             feed (copied from the new all.ics)
 *   etags1    the ETags of those three bodies
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "ics.h"

#define CHANNELS 10

static const char *const zones[] = {
	"Europe/Paris", "America/Toronto", "Asia/Tokyo", "UTC", "+05:30", "America/Sao_Paulo",
};

static double
ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

struct stat_ms {
	double best, total;
	int n;
};

static void
note(struct stat_ms *s, double ms)
{
	if (s->n == 0 || ms < s->best)
		s->best = ms;
	s->total += ms;
	s->n++;
}

static void
print(const char *what, int n, const struct stat_ms *s, size_t bytes)
{
	printf("%-8s events=%d rounds=%d bytes=%zu best_ms=%.3f mean_ms=%.3f\n", what, n, s->n,
	    bytes, s->best, s->total / s->n);
}

/* Every public feed: all.ics, the channel feeds, one feed per event; `reuse` as the plugin. */
static size_t
render_all_feeds(const struct cal_meta *m, const struct cal_event *const *sel, int n,
    bool reuse)
{
	struct ics_slices sl = { 0 };
	const struct cal_event **sub = calloc((size_t)n + 1, sizeof(*sub));
	size_t len, total;
	char *all = ics_render_reuse(m, sel, (size_t)n, NULL, NULL, reuse ? &sl : NULL, &len);

	total = len;
	for (int c = 0; c < CHANNELS; c++) {
		size_t k = 0;
		char *s;

		for (int i = c; i < n; i += CHANNELS)
			sub[k++] = sel[i];
		s = ics_render_reuse(m, sub, k, reuse ? all : NULL, &sl, NULL, &len);
		total += len;
		free(s);
	}
	for (int i = 0; i < n; i++) {
		char *s = ics_render_reuse(m, &sel[i], 1, reuse ? all : NULL, &sl, NULL, &len);

		total += len;
		free(s);
	}
	free(all);
	free(sub);
	ics_slices_clear(&sl);
	return total;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, rounds = argc > 2 ? atoi(argv[2]) : 20;
	bool only_change = argc > 3 && strcmp(argv[3], "change") == 0;	/* for perf */
	struct cal_event *v = calloc((size_t)n, sizeof(*v));
	const struct cal_event **sel = calloc((size_t)n, sizeof(*sel));
	const struct cal_event **sub = calloc((size_t)n, sizeof(*sub));
	struct cal_meta m = { "Convene events", "Every public event", NULL, NULL, 60 };
	struct stat_ms full = { 0 }, feeds = { 0 }, feeds_old = { 0 }, change = { 0 };
	struct stat_ms tags = { 0 };
	struct ics_slices sl = { 0 }, nsl;
	struct timespec a;
	size_t len = 0, flen = 0, flen_old = 0;
	char *all, tag[48];

	for (int i = 0; i < n; i++) {
		char buf[256];

		snprintf(buf, sizeof(buf), "%032x", i);
		v[i].id = i + 1;
		v[i].uid = strdup(buf);
		snprintf(buf, sizeof(buf), "Atelier %d: vie privée, chiffrement; ☕ et 😀 — "
		    "réunion mensuelle de la communauté", i);
		v[i].title = strdup(buf);
		v[i].description = strdup("Une réunion très intéressante; avec des virgules, "
		    "des points-virgules; et des textes en Ελληνικά, русский, 日本語. "
		    "Bring questions about encryption, surveillance and your rights online.");
		v[i].location = strdup("Online, https://example.org/room");
		v[i].url = strdup("https://example.org/events/page");
		v[i].tz = strdup(zones[i % 6]);
		v[i].start_utc = 1800000000LL + 86400LL * (i / 3) + 3600 * (i % 3);
		v[i].duration_min = 90;
		v[i].sequence = i % 5;
		v[i].created_at = v[i].updated_at = 1700000000 + i;
		v[i].cancelled = i % 50 == 0;
		sel[i] = &v[i];
	}
	for (int r = 0; r < rounds && !only_change; r++) {
		char *s;

		clock_gettime(CLOCK_MONOTONIC, &a);
		s = ics_render(&m, sel, (size_t)n, &len);
		note(&full, ms_since(&a));
		free(s);
		clock_gettime(CLOCK_MONOTONIC, &a);
		flen = render_all_feeds(&m, sel, n, true);
		note(&feeds, ms_since(&a));
		if (r < 3) {	/* slow: three rounds are enough */
			clock_gettime(CLOCK_MONOTONIC, &a);
			flen_old = render_all_feeds(&m, sel, n, false);
			note(&feeds_old, ms_since(&a));
		}
	}
	if (getenv("BENCH_DUMP") != NULL) {	/* the full render's bytes, to compare builds */
		FILE *fp = fopen(getenv("BENCH_DUMP"), "wb");
		char *s = ics_render(&m, sel, (size_t)n, &len);

		if (fp == NULL || fwrite(s, 1, len, fp) != len || fclose(fp) != 0)
			return perror(getenv("BENCH_DUMP")), 1;
		free(s);
	}
	if (!only_change) {
		/* The line of before issue 17, as scripts read it: all.ics whole. */
		printf("render_events=%d rounds=%d bytes=%zu best_ms=%.2f mean_ms=%.2f\n", n,
		    full.n, len, full.best, full.total / full.n);
		print("all+", n, &feeds, flen);
		print("all+old", n, &feeds_old, flen_old);
	}
	if (flen != flen_old)
		return printf("the feeds differ\n"), 1;

	/* One event changes at a time (a title, a new SEQUENCE), each round another. */
	all = ics_render_reuse(&m, sel, (size_t)n, NULL, NULL, &sl, &len);
	for (int r = 0; r < rounds * 5; r++) {
		struct cal_event *e = &v[(r * 397) % n];
		char buf[64], *next, *ch, *one;
		size_t k = 0, clen, olen;
		int c = (int)((e - v) % CHANNELS);

		snprintf(buf, sizeof(buf), "Changed %d", r);
		free(e->title);
		e->title = strdup(buf);
		e->sequence++;
		for (int i = c; i < n; i += CHANNELS)
			sub[k++] = sel[i];
		clock_gettime(CLOCK_MONOTONIC, &a);
		next = ics_render_reuse(&m, sel, (size_t)n, all, &sl, &nsl, &len);
		ch = ics_render_reuse(&m, sub, k, next, &nsl, NULL, &clen);
		one = ics_render_reuse(&m, (const struct cal_event *const *)&e, 1, next, &nsl, NULL,
		    &olen);
		note(&change, ms_since(&a));
		/* The validators of the three (ics_etag: XXH3-128 of every byte). */
		clock_gettime(CLOCK_MONOTONIC, &a);
		ics_etag(next, len, tag);
		ics_etag(ch, clen, tag);
		ics_etag(one, olen, tag);
		note(&tags, ms_since(&a));
		free(ch);
		free(one);
		free(all);
		ics_slices_clear(&sl);
		all = next;
		sl = nsl;
	}
	print("change1", n, &change, len);
	print("etags1", n, &tags, len);
	free(all);
	ics_slices_clear(&sl);
	cal_events_free(v, (size_t)n);
	free(sel);
	free(sub);
	icaltimezone_free_builtin_timezones();
	return 0;
}
