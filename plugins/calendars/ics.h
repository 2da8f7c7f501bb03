/*
 * ics.h: iCalendar output for the calendars plugin. Pure: no host calls,
 * no database; unit tests drive it directly.
 *
 * libical 3.0.16 builds the components and escapes TEXT values; its
 * serialiser folds lines wrongly (past 75 octets, and between a backslash
 * and the character it escapes), so ics_render() unfolds its output and
 * folds it again with ics_fold().
 */
#ifndef CAL_ICS_H
#define CAL_ICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#pragma GCC visibility push(hidden)

/* A person's registration, for personal feeds; CAL_REG_NONE in public ones. */
enum cal_reg { CAL_REG_NONE = 0, CAL_REG_CONFIRMED, CAL_REG_MAYBE, CAL_REG_WAITLIST };

/* One event as the feeds see it. Strings are owned (cal_event_clear frees them). */
struct cal_event {
	long long id;
	char *uid; /* random, from the events table */
	char *title;
	char *description; /* NULL when unset, like the other optional texts */
	char *location;
	char *url;      /* public page */
	char *join_url; /* private: only ever in a confirmed person's feed */
	char *channel;
	char *cancel_reason;
	char *tz; /* IANA name, "UTC", or "+HH:MM" */
	long long start_utc;
	int duration_min;
	bool cancelled;
	bool purged; /* its registrations were deleted for retention */
	long long sequence;
	long long created_at, updated_at;
	enum cal_reg reg;
	int position; /* on the waitlist, 1-based */
	/* For the HTML pages only (no feed shows them): counts, never names. */
	int capacity;  /* places; 0: no limit */
	int confirmed; /* confirmed registrations */
	/*
	 * The language of the feed it is written into ("fr"; NULL: English):
	 * the words the feed adds ("Cancelled: ") come in it, through
	 * ics_translate. A static string.
	 */
	const char *lang;
	/* Series (CV_EVENTS_VIEW): see series_ics.c. */
	long long series_id;   /* an occurrence's series; 0 otherwise */
	char *occ_date;        /* an occurrence's original date, YYYY-MM-DD */
	char *rrule;           /* a series' RRULE value; NULL otherwise */
	struct cal_event *occ; /* a series' occurrences in the same list */
	size_t nocc;
};

/* The host's tr(), set at init; NULL (unit tests): English. */
extern const char *(*ics_translate)(const char *lang, const char *msgid)
    __attribute__((format_arg(2)));

void cal_event_clear(struct cal_event *e);
void cal_events_free(struct cal_event *v, size_t n);

/* The calendar-level properties. */
struct cal_meta {
	/*
	 * NAME and X-WR-CALNAME; ",;\" are dropped. NULL for a CalDAV resource:
	 * then none of the calendar-level names below is written.
	 */
	const char *name;
	const char *description;
	const char *source;  /* this feed's URL (SOURCE), or NULL */
	const char *url;     /* the HTML page (URL), or NULL */
	int refresh_minutes; /* REFRESH-INTERVAL and X-PUBLISHED-TTL */
};

/*
 * The feed of events v[0..n) as iCalendar text: CRLF, folded, no METHOD.
 * Events with reg != CAL_REG_NONE get the person's status, and the join
 * link when confirmed and not cancelled. Returns a new string (caller frees)
 * and its length in *len.
 */
char *ics_render(const struct cal_meta *m, const struct cal_event *const *v, size_t n,
    size_t *len);

/*
 * Where each event's VEVENT lies in a rendered feed, and what it was
 * rendered from (ics_event_input(e, 0)): 24 bytes an event, by id.
 */
struct ics_slice {
	long long id;
	uint64_t input;
	uint32_t off, len;
};

struct ics_slices {
	struct ics_slice *v;
	size_t n;
};

void ics_slices_clear(struct ics_slices *s);

/*
 * ics_render(), copying the VEVENT of every event whose input is the same
 * as in `olds` from `old` (the text olds describes; both NULL: nothing to
 * copy) instead of rendering it again: the same text as ics_render(). With
 * `news`, where each event lies in the result (a new array: the caller
 * clears it).
 */
char *ics_render_reuse(const struct cal_meta *m, const struct cal_event *const *v, size_t n,
    const char *old, const struct ics_slices *olds, struct ics_slices *news, size_t *len);

/* Forget the VTIMEZONE texts kept for reuse (at unload; tests). */
void ics_zones_forget(void);

/*
 * Clean text for a feed into a new string (caller frees): invalid UTF-8
 * becomes U+FFFD, IRC formatting is stripped, other control characters
 * (C0, DEL, C1) become spaces; with `newlines`, LF is kept.
 */
char *ics_clean(const char *s, bool newlines);

/*
 * Fold unfolded content lines (each ending in CRLF) at 75 octets, counting
 * the leading space of continuation lines, never inside a UTF-8 sequence
 * nor between a backslash and the character it escapes. Returns a new
 * string (caller frees) and its length in *outlen.
 */
char *ics_fold(const char *in, size_t len, size_t *outlen);

/*
 * A hash of everything ics_render() reads of one event, mixed with `seed`
 * (what else the feed's text depends on): equal hashes, equal text. Never 0.
 */
uint64_t ics_event_input(const struct cal_event *e, uint64_t seed);
/* h continued over the text s (NULL differs from ""), for such seeds. */
uint64_t ics_hash_text(uint64_t h, const char *s);

/*
 * The cancellations of `ours` carried over to `theirs` (both iCalendar
 * text, say Convene's copy of a resource and a server's copy that someone
 * edited): each VEVENT of theirs whose UID is cancelled in ours and not in
 * theirs gets STATUS:CANCELLED and a SEQUENCE above both copies'; nothing
 * else of theirs changes. Returns the new text (caller frees) and its
 * length, or NULL when there is nothing to carry or a text cannot be read.
 */
char *ics_carry_cancel(const char *ours, const char *theirs, size_t *len);

/* A strong ETag for a body: a quoted hash, at most 47 characters. */
void ics_etag(const char *body, size_t len, char out[48]);

#pragma GCC visibility pop

#endif
