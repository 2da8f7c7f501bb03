/*
 * bench_render: the time to render the public feed of 1,000 events with
 * the calendars plugin's own code (ics_render: libical, escaping, folding).
 * Usage: bench_render [EVENTS [ROUNDS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "ics.h"

static const char *const zones[] = {
	"Europe/Paris", "America/Toronto", "Asia/Tokyo", "UTC", "+05:30", "America/Sao_Paulo",
};

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, rounds = argc > 2 ? atoi(argv[2]) : 20;
	struct cal_event *v = calloc((size_t)n, sizeof(*v));
	const struct cal_event **sel = calloc((size_t)n, sizeof(*sel));
	struct cal_meta m = { "Convene events", "Every public event", NULL, NULL, 60 };
	struct timespec a, b;
	double best = 1e9, total = 0;
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		char buf[256];

		snprintf(buf, sizeof(buf), "%032x", i);
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
	for (int r = 0; r < rounds; r++) {
		char *s;
		double ms;

		clock_gettime(CLOCK_MONOTONIC, &a);
		s = ics_render(&m, sel, (size_t)n, &len);
		clock_gettime(CLOCK_MONOTONIC, &b);
		free(s);
		ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		total += ms;
		if (ms < best)
			best = ms;
	}
	printf("render_events=%d rounds=%d bytes=%zu best_ms=%.2f mean_ms=%.2f\n", n, rounds,
	    len, best, total / rounds);
	cal_events_free(v, (size_t)n);
	free(sel);
	icaltimezone_free_builtin_timezones();
	return 0;
}
