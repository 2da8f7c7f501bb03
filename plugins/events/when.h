/*
 * when.h: dates, times, zones and durations for events. Pure: no host calls,
 * no clock of its own (callers pass "now"), so every rule is unit-tested.
 *
 * An event is stored as its organiser meant it: a local date and time plus a
 * zone. Zones are IANA names (through libical's built-in zones, whose cache
 * the host owns), "UTC", or a fixed offset "+HH:MM"/"-HH:MM".
 */
#ifndef EV_WHEN_H
#define EV_WHEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cv_ical.h"

/* Internal to the plugin: the shared object exports only its descriptor. */
#pragma GCC visibility push(hidden)

#define WHEN_ZONE_MAX 64
#define WHEN_DURATION_MAX (7 * 24 * 60) /* minutes */
#define WHEN_YEAR_MIN 1970
#define WHEN_YEAR_MAX 2199

struct when_local {
	int year, month, day; /* 1-based month and day */
	int hour, minute;
};

struct when_zone {
	char name[WHEN_ZONE_MAX]; /* as stored: "Europe/Paris", "UTC", "-05:00" */
	icaltimezone *ical; /* NULL for UTC and fixed offsets; borrowed from libical's cache */
	int fixed_s;        /* offset east of UTC, seconds, when ical is NULL */
};

/*
 * Whom a sentence of the pure parsers (import.c, recur_import.c) is for:
 * the reader's language and a tr() to translate it with, the host's in the
 * plugin, the build's catalogue or a stand-in in unit tests and fuzz
 * harnesses, which run without a host. Each sentence is written
 * say->tr(say->lang, "literal"), so that xgettext extracts it.
 */
struct ev_say {
	const char *lang;
	const char *(*tr)(const char *lang, const char *msgid)
	    __attribute__((format_arg(2)));
};

/* Outcome of turning a local time into an instant. */
enum when_fit {
	WHEN_FIT_ONE = 0, /* exactly one instant */
	WHEN_FIT_GAP,     /* none: the clocks jump over it */
	WHEN_FIT_OVERLAP, /* two: the clocks go back over it */
};

/* "YYYY-MM-DD", a real calendar date between WHEN_YEAR_MIN and WHEN_YEAR_MAX. 0 or -1. */
int when_parse_date(const char *s, struct when_local *out);
/* "HH:MM" (or "H:MM"), 00:00 to 23:59. 0 or -1. */
int when_parse_time(const char *s, struct when_local *out);
/* "+HH:MM" or "-HH:MM" between -12:00 and +14:00, into seconds east. 0 or -1. */
int when_parse_offset(const char *s, int *secs);
/*
 * An IANA name known to libical, "UTC" (any case), or an offset. 0 or -1
 * (also when libical cannot be opened: include/cv_ical.h).
 */
int when_parse_zone(const char *s, struct when_zone *out);
/*
 * The same check without libical (the zone's file is looked at), for the
 * configured zone at start: a bot with no event never opens libical. The
 * unit tests hold it to when_parse_zone's answer. 0 or -1.
 */
int when_check_zone(const char *s);
/* "90m", "2h", "1h30m", "1d2h": 1 minute to 7 days, into minutes. 0 or -1. */
int when_parse_duration(const char *s, int *minutes);

/*
 * Whether a word at the front of a title should be read as a zone or a
 * duration (and then must be a valid one): "UTC", "GMT...", a word with a
 * '/', a sign followed by a digit; digits followed by d/h/m units.
 */
bool when_looks_like_zone(const char *s);
bool when_looks_like_duration(const char *s);

/* The zone's offset from UTC at instant t, seconds east. */
int when_offset_at(const struct when_zone *z, time_t t);

/*
 * The instant(s) of local time `l` in zone `z`. On WHEN_FIT_ONE *out is the
 * instant. On a gap, off[0] and off[1] are the offsets before and after the
 * jump; on an overlap they are the two valid offsets, earlier instant first.
 */
enum when_fit when_to_utc(const struct when_zone *z, const struct when_local *l,
    time_t *out, int off[2]);

/*
 * when_to_utc() with a sentence in err for a gap or overlap, naming the
 * offsets to write instead. 0 or -1.
 */
int when_resolve(const struct when_zone *z, const struct when_local *l, time_t *out,
    char *err, size_t errlen);

/* The local date and time of instant t in zone z. */
void when_from_utc(const struct when_zone *z, time_t t, struct when_local *out);

/* "+01:00", "-05:00", "+05:30". */
void when_format_offset(char *buf, size_t n, int secs);
/* "YYYY-MM-DD" and "HH:MM" of a local time. */
void when_format_date(char *buf, size_t n, const struct when_local *l);
void when_format_time(char *buf, size_t n, const struct when_local *l);
/* How a zone is named to people: "Europe/Paris", "UTC", "UTC-05:00". */
void when_zone_label(char *buf, size_t n, const struct when_zone *z);
/* "Wed 2 Dec 2026 18:00 Europe/Paris" */
void when_format(char *buf, size_t n, time_t t, const struct when_zone *z);
/* "Wed 2 Dec 2026 18:00-19:30 Europe/Paris", the end's date shown when it differs. */
void when_format_span(char *buf, size_t n, time_t start, time_t end,
    const struct when_zone *z);
/* "in 3 days", "in 5 hours", "in 20 minutes", "now", "2 hours ago". */
void when_relative(char *buf, size_t n, time_t t, time_t now);

/*
 * The same in a language ("en" as above; "fr", README.md "Languages"):
 * "jeu. 10 déc. 2026, 18 h 00 (heure de Toronto)",
 * "jeu. 10 déc. 2026, 18 h 00 à 19 h 30 (heure de Toronto)",
 * "du jeu. 10 déc. 2026, 23 h 00 au ven. 11 déc. 2026, 1 h 00 (heure de Paris)",
 * "dans 10 jours", "il y a 2 heures", "maintenant". French keeps a no-break
 * space (U+00A0) inside "18 h 00"; NULL or another language reads English.
 */
void when_format_lang(char *buf, size_t n, time_t t, const struct when_zone *z,
    const char *lang);
void when_format_span_lang(char *buf, size_t n, time_t start, time_t end,
    const struct when_zone *z, const char *lang);
void when_relative_lang(char *buf, size_t n, time_t t, time_t now, const char *lang);
/* "Europe/Paris" as when_zone_label(); French "(heure de Paris)", "(UTC-05:00)". */
void when_zone_label_lang(char *buf, size_t n, const struct when_zone *z, const char *lang);
/* A duration in minutes: "1h30m", "45m", "1d2h"; French "1 h 30", "45 min", "1 jour 2 h". */
void when_duration_lang(char *buf, size_t n, int minutes, const char *lang);

#pragma GCC visibility pop

#endif
