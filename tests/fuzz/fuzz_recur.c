/*
 * fuzz_recur.c: the series RULE grammar, its RRULE and words, expansion,
 * and the import check of RRULE/RDATE/EXDATE, on arbitrary input.
 * Input: "rule\nzone\nVEVENT properties...". Besides not crashing, checks
 * what must hold: a rule that parses and fits gives an RRULE libical reads,
 * occurrences in order whose dates are occurrences of the rule, and an
 * imported rule fits its DTSTART.
 */
// fuzz-sources: plugins/events/when.c plugins/events/recur.c plugins/events/recur_import.c plugins/common/cv_ical.c
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/events/recur.h"
#include "fuzz_util.h"

/* The refusals' words: English, the source language (the host's tr("en", s) is s). */
static const char *
english(const char *lang, const char *msgid)
{
	(void)lang;
	return msgid;
}

/* A series taken, imported 40 days after it began (recur_ahead): it starts after then. */
static void
ahead(icalcomponent *ev, const struct when_zone *z, time_t dtstart)
{
	struct recur_rule r;
	struct when_local l, ex[16];
	long long first = (long long)dtstart;
	time_t now = dtstart + 40 * 86400;
	size_t nex;
	char err[256];
	const struct ev_say say = { "en", english };

	if (recur_ahead(ev, z, now, 16, &first, &l) < 0)
		return;
	check(first > (long long)now);
	if (recur_from_ical(ev, z, (time_t)first, &r, ex, 16, &nex, &say, err,
	        sizeof(err)) == 0)
		check(nex <= 16 && r.times >= 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *text = piece(&p, end), *zname = piece(&p, end), *cal, buf[RECUR_TEXT_MAX],
	     err[512];
	/* Tue 31 Mar 2026 19:00 in Paris: the fifth Tuesday, the day after DST starts. */
	const time_t dtstart = 1774976400;
	struct recur_series s = { .dtstart = dtstart };
	struct recur_occ occ[12];
	struct when_local ex[16];
	struct when_zone z;
	const struct ev_say say = { "en", english };
	icalcomponent *root;
	size_t nex, rest = (size_t)(end - p);
	int n;

	if (when_parse_zone(zname, &z) < 0)
		when_parse_zone("Europe/Paris", &z);
	s.zone = &z;
	if (recur_parse(text, &s.rule, err, sizeof(err)) == 0) {
		struct recur_rule back;

		/* The stored form reads back as the same rule. */
		recur_format(&s.rule, buf, sizeof(buf));
		check(recur_parse(buf, &back, err, sizeof(err)) == 0);
		check(back.freq == s.rule.freq && back.interval == s.rule.interval &&
		    back.monthday == s.rule.monthday && back.times == s.rule.times &&
		    back.has_until == s.rule.has_until &&
		    (!back.has_until ||
		        (back.until.year == s.rule.until.year &&
		            back.until.month == s.rule.until.month &&
		            back.until.day == s.rule.until.day)));
	}
	if (recur_parse(text, &s.rule, err, sizeof(err)) == 0 &&
	    recur_check(&s.rule, &z, dtstart, err, sizeof(err)) == 0) {
		recur_rrule(&s.rule, &z, dtstart, buf, sizeof(buf));
		check((s.rule.freq == RECUR_NONE) == (buf[0] == '\0'));
		if (buf[0] != '\0')
			check(icalrecurrencetype_from_string(buf).freq !=
			    ICAL_NO_RECURRENCE);
		recur_describe(&s.rule, &z, dtstart, buf, sizeof(buf));
		n = recur_expand(&s, 0, (time_t)-1, occ, 12);
		check((n < 0) == (s.rule.freq == RECUR_NONE));
		for (int i = 0; i < n; i++) {
			check(i == 0 || occ[i - 1].start < occ[i].start);
			check(!occ[i].moved);
		}
		if (n > 0) {
			check(occ[0].start == dtstart);
			check(recur_is_occurrence(&s, &occ[n - 1].date));
		}
	}
	/* The rest, as the properties of a VEVENT that starts at dtstart. */
	if ((cal = malloc(rest + 512)) == NULL)
		abort();
	snprintf(cal, rest + 512,
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:f\r\n"
	    "DTSTART:20260331T170000Z\r\n%.*s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	    (int)rest, (const char *)p);
	if ((root = icalparser_parse_string(cal)) != NULL) {
		icalcomponent *ev = icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT ?
		    root :
		    icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);

		if (ev != NULL &&
		    recur_from_ical(ev, &z, dtstart, &s.rule, ex, 16, &nex, &say, err,
		        sizeof(err)) == 0) {
			check(nex <= 16);
			check(recur_check(&s.rule, &z, dtstart, err, sizeof(err)) == 0);
			for (size_t i = 0; i < nex; i++)
				check(recur_is_occurrence(&s, &ex[i]));
			ahead(ev, &z, dtstart);
		}
		icalcomponent_free(root);
	}
	free(cal);
	free(text);
	free(zname);
	return 0;
}
