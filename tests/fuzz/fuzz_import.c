/*
 * fuzz_import.c: the `event import` reader (plugins/events/import.c) on
 * arbitrary calendar text, with libical's real parser and the host's real
 * text cleaning. Besides not crashing, checks what must hold for every
 * event it keeps: a one-line clean title, a duration Convene accepts, a zone
 * it knows, a start after `now` that maps back to its wall-clock time; and
 * that no file keeps it busy for long: it runs in the bot's main loop, where
 * a VTIMEZONE with RRULE:FREQ=MINUTELY once held libical for minutes.
 */
// fuzz-sources: plugins/events/import.c plugins/events/import_moment.c plugins/events/import_prep.c plugins/events/when.c plugins/events/recur.c plugins/events/recur_import.c plugins/common/cv_ical.c
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../plugins/events/import.h"
#include "text.h"

#define NOW 1795000000LL
/* CPU for one input of at most a few KB, instrumented: ~10x what the bot may spend. */
#define BUSY_MS 1000

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
one_line(const char *s)
{
	if (s == NULL)
		return;
	check(s[0] != '\0' && s[0] != ' ');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		check(*p >= 0x20 && *p != 0x7f);
	check(text_valid_utf8(s, strlen(s)));
}

/* The reasons' words: English, the source language (the host's tr("en", s) is s). */
static const char *
english(const char *lang, const char *msgid)
{
	(void)lang;
	return msgid;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct when_zone deflt;
	static int init;
	static const struct ev_say say = { "en", english };
	struct imp_result r;
	char err[400], *text;
	double t0;
	int rc;

	if (!init) {
		when_parse_zone("Europe/Paris", &deflt);
		init = 1;
	}
	text = malloc(size + 1);
	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	t0 = cpu_ms();
	rc = imp_parse(text, size, &deflt, (time_t)NOW, text_clean, &say, &r, err,
	    sizeof(err));
	check(cpu_ms() - t0 < BUSY_MS);
	if (rc == 0) {
		for (size_t i = 0; i < r.n; i++) {
			const struct imp_event *e = &r.v[i];
			struct when_zone z;
			time_t t;
			int off[2];

			one_line(e->title);
			one_line(e->description);
			one_line(e->location);
			check(e->source_uid != NULL && e->source_uid[0] != '\0');
			check(e->duration_min >= 1 && e->duration_min <= WHEN_DURATION_MAX);
			check(e->start_utc > NOW);
			check(when_parse_zone(e->tz, &z) == 0);
			check(when_to_utc(&z, &e->local, &t, off) == WHEN_FIT_ONE);
			check((long long)t / 60 == e->start_utc / 60);
			check(e->title != NULL && strlen(e->title) <= 4 * IMP_TITLE_MAX);
		}
		check(r.nwhy == r.skipped.invalid && (r.why != NULL) == (r.nwhy > 0));
		if (r.why != NULL)
			one_line(r.why); /* it goes to chat */
		imp_result_free(&r);
	} else {
		check(err[0] != '\0');
		one_line(err);
	}
	free(text);
	return 0;
}
