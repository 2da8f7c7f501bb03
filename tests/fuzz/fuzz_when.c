/*
 * fuzz_when.c: the events plugin's date, time, zone, offset and duration
 * parsers, and local-to-UTC resolution, on arbitrary input.
 * Input: "date\ntime\nzone\nduration". Besides not crashing, checks what
 * must hold for every input: what parses formats back to itself, values are
 * in range, and a local time that maps to one instant maps back to itself.
 */
// fuzz-sources: plugins/events/when.c plugins/common/cv_ical.c
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/events/when.h"
#include "fuzz_util.h"

/* A local date and time in zone z: to UTC and back, and formatted. */
static void
check_local(const struct when_zone *z, const struct when_local *l)
{
	struct when_local back;
	enum when_fit fit;
	char buf[160], err[256];
	int off[2];
	time_t t;

	fit = when_to_utc(z, l, &t, off);
	if (fit == WHEN_FIT_ONE || fit == WHEN_FIT_OVERLAP) {
		/* Each instant found shows the same wall-clock time. */
		when_from_utc(z, t, &back);
		check(back.year == l->year && back.month == l->month &&
		    back.day == l->day && back.hour == l->hour && back.minute == l->minute);
	}
	if (fit == WHEN_FIT_OVERLAP) {
		check(off[0] > off[1]);
		when_from_utc(z, t + (off[0] - off[1]), &back);
		check(back.hour == l->hour && back.minute == l->minute);
	}
	if (fit == WHEN_FIT_GAP)
		check(off[0] < off[1]);
	check((when_resolve(z, l, &t, err, sizeof(err)) == 0) == (fit == WHEN_FIT_ONE));
	when_format(buf, sizeof(buf), t, z);
	when_format_span(buf, sizeof(buf), t, t + 60 * 10080, z);
	when_relative(buf, sizeof(buf), t, 1800000000);
	/* French: zone names of any length, into small buffers too. */
	when_format_lang(buf, sizeof(buf), t, z, "fr");
	when_format_span_lang(buf, sizeof(buf), t, t + 60 * 10080, z, "fr");
	when_format_span_lang(buf, 24, t, t + 60 * 10080, z, "fr");
	when_relative_lang(buf, sizeof(buf), t, 1800000000, "fr");
	when_zone_label_lang(buf, 16, z, "fr");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *date = piece(&p, end), *time = piece(&p, end), *zone = piece(&p, end);
	char *dur = piece(&p, end), buf[160];
	struct when_local l = { 0 };
	struct when_zone z;
	int minutes, secs;
	bool have_date, have_time;

	if ((have_date = when_parse_date(date, &l) == 0)) {
		when_format_date(buf, sizeof(buf), &l);
		check(strcmp(buf, date) == 0);
	}
	if ((have_time = when_parse_time(time, &l) == 0)) {
		check(l.hour >= 0 && l.hour < 24 && l.minute >= 0 && l.minute < 60);
		when_format_time(buf, sizeof(buf), &l);
		check(strcmp(buf, time) == 0 ||
		    (buf[0] == '0' && strcmp(buf + 1, time) == 0));
	}
	if (when_parse_offset(zone, &secs) == 0) {
		check(secs >= -12 * 3600 && secs <= 14 * 3600);
		when_format_offset(buf, sizeof(buf), secs);
		/* "-00:00" is read as UTC and written "+00:00". */
		check(strcmp(buf, zone) == 0 || (secs == 0 && strcmp(zone, "-00:00") == 0));
	}
	if (when_parse_duration(dur, &minutes) == 0)
		check(minutes >= 1 && minutes <= WHEN_DURATION_MAX &&
		    when_looks_like_duration(dur));
	(void)when_looks_like_zone(zone);

	if (when_parse_zone(zone, &z) == 0) {
		check(strlen(z.name) > 0 && strlen(z.name) < WHEN_ZONE_MAX);
		when_zone_label(buf, sizeof(buf), &z);
		if (have_date && have_time)
			check_local(&z, &l);
		if (when_parse_duration(dur, &minutes) == 0) {
			int again;

			when_duration_lang(buf, sizeof(buf), minutes, "fr");
			when_duration_lang(buf, 6, minutes, "fr");
			when_duration_lang(buf, sizeof(buf), minutes, "en");
			/* The English form is one `duration` reads back. */
			check(when_parse_duration(buf, &again) == 0 && again == minutes);
			when_duration_lang(buf, 3, minutes, "en");
		}
	}
	free(date);
	free(time);
	free(zone);
	free(dur);
	return 0;
}
