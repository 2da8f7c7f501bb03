/*
 * Unit tests of the calendars plugin's pure parts: text cleaning, folding,
 * rendering with libical, tokens, channel keys, validators, the page, and
 * its SQL on a real SQLite file with the events plugin's own migrations.
 */
#include <sys/mman.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libical/ical.h>
#include <sqlite3.h>

#include "../../plugins/calendars/feeds.h"
#include "../../plugins/calendars/ics.h"
#include "../../plugins/calendars/icstext.h"
#include "../../plugins/calendars/pagetext.h"
#include "../../plugins/calendars/sbuf.h"
#include "../../plugins/calendars/store.h"
#include "../../plugins/events/model.h"
#include "cv_ical.h"

/* Is every physical line at most 75 octets, valid UTF-8 on its own, CRLF-ended? */
static void
assert_folded(const char *s, size_t len)
{
	size_t i = 0;

	assert_true(len >= 2 && s[len - 2] == '\r' && s[len - 1] == '\n');
	while (i < len) {
		const char *crlf = strstr(s + i, "\r\n");
		size_t n;

		assert_non_null(crlf);
		n = (size_t)(crlf - (s + i));
		assert_true(n <= 75);
		for (size_t k = i; k < i + n; k++) {
			unsigned char c = (unsigned char)s[k];

			assert_true(c >= 0x20 || c == '\t');
			assert_true(c != 0x7f);
		}
		/* No line starts with a UTF-8 continuation byte, none ends inside a sequence. */
		if (n > 0 && s[i] == ' ')
			assert_true(((unsigned char)s[i + 1] & 0xC0) != 0x80);
		if (n > 0) {
			size_t k = i + n;
			int follow = 0;

			while (k > i && ((unsigned char)s[k - 1] & 0xC0) == 0x80) {
				k--;
				follow++;
			}
			if (k > i && (unsigned char)s[k - 1] >= 0xC0) {
				unsigned char lead = (unsigned char)s[k - 1];
				int need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;

				assert_int_equal(follow, need);
			}
		}
		i += n + 2;
	}
}

/* Is needle in the feed s once its folds are undone? */
static bool
unfolded_has(const char *s, const char *needle)
{
	size_t n = strlen(s), o = 0;
	char *u = malloc(n + 1);
	bool found;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && s[i + 1] == '\n' && s[i + 2] == ' ') {
			i += 2;
			continue;
		}
		u[o++] = s[i];
	}
	u[o] = '\0';
	found = strstr(u, needle) != NULL;
	free(u);
	return found;
}

static void
test_clean_strips_formatting_and_controls(void **state)
{
	char *s = ics_clean("\x02"
	                    "bold\x02 \x03"
	                    "04,12red\x03 \x04"
	                    "ff00aahex\x0f"
	                    "\x1d"
	                    "it\x1f"
	                    "\x16 tab\there\x7f del \xc2\x85 nel",
	    false);

	assert_string_equal(s, "bold red hexit tab here  del   nel");
	free(s);
	s = ics_clean("line\nbreak", true);
	assert_string_equal(s, "line\nbreak");
	free(s);
	s = ics_clean("line\nbreak", false);
	assert_string_equal(s, "line break");
	free(s);
	/* Invalid UTF-8 (a lone continuation, an overlong, a surrogate) becomes U+FFFD. */
	s = ics_clean("a\x80"
	              "b\xc0\xaf"
	              "c\xed\xa0\x80"
	              "d",
	    false);
	assert_string_equal(s,
	    "a\xef\xbf\xbd"
	    "b\xef\xbf\xbd\xef\xbf\xbd"
	    "c"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "d");
	free(s);
	/* Text in any language passes untouched. */
	s = ics_clean("Café ☕ 😀 日本語 Ελληνικά \\ \"q\"; ,", false);
	assert_string_equal(s, "Café ☕ 😀 日本語 Ελληνικά \\ \"q\"; ,");
	free(s);
}

static void
test_fold_counts_octets_and_keeps_sequences(void **state)
{
	char line[4096], *out;
	size_t n = 0, len;

	/* 4-byte emoji after an odd prefix, so a naive cut would split one. */
	n += (size_t)snprintf(line + n, sizeof(line) - n, "SUMMARY:x");
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "😀é");
	n += (size_t)snprintf(line + n, sizeof(line) - n, "\r\n");
	out = ics_fold(line, n, &len);
	assert_folded(out, len);
	/* Unfolding gives the line back. */
	{
		char *u = malloc(len + 1);
		size_t o = 0;

		for (size_t i = 0; i < len; i++) {
			if (out[i] == '\r' && out[i + 1] == '\n' && out[i + 2] == ' ') {
				i += 2;
				continue;
			}
			u[o++] = out[i];
		}
		u[o] = '\0';
		assert_int_equal(o, n);
		assert_memory_equal(u, line, n);
		free(u);
	}
	free(out);

	/* ics_fold takes a length: line is no C string. */
	/* NOLINTBEGIN(bugprone-not-null-terminated-result) */
	/* Exactly 75 octets stays one line; 76 folds into 75 + " " + 1. */
	memset(line, 'a', 75);
	memcpy(line + 75, "\r\n", 2);
	out = ics_fold(line, 77, &len);
	assert_int_equal(len, 77);
	free(out);
	memset(line, 'a', 76);
	memcpy(line + 76, "\r\n", 2);
	out = ics_fold(line, 78, &len);
	assert_int_equal(len, 81);
	assert_memory_equal(out + 75, "\r\n a\r\n", 6);
	free(out);

	/* Never between a backslash and what it escapes. */
	memset(line, 'a', 74);
	memcpy(line + 74, "\\;bc\r\n", 6);
	/* NOLINTEND(bugprone-not-null-terminated-result) */
	out = ics_fold(line, 80, &len);
	assert_memory_equal(out + 74, "\r\n \\;bc\r\n", 9);
	free(out);
}

static struct cal_event
event(long long id, const char *title, const char *tz, long long start)
{
	struct cal_event e;

	memset(&e, 0, sizeof(e));
	e.id = id;
	e.uid = strdup("0123456789abcdef0123456789abcdef");
	e.title = strdup(title);
	e.tz = strdup(tz);
	e.start_utc = start;
	e.duration_min = 90;
	e.sequence = 3;
	e.created_at = 1700000000;
	e.updated_at = 1700000100;
	e.join_url = strdup("https://meet.example.org/secret");
	return e;
}

static const struct cal_meta meta = { "Convene; test, \\ cal", "All events", NULL, NULL,
	60 };

/*
 * A feed of no event is written without libical (ics_head_plain), so that a
 * bot whose database is empty never opens it: the same bytes as libical's
 * renderer writes for no event, whatever the calendar's names hold.
 */
static void
test_render_empty_without_libical(void **state)
{
	static const char long_name[] =
	    "A long name that goes on and on past seventy-five octets, \u00e9\u00e9\u00e9\u00e9 "
	    "\u00e9\u00e9\u00e9 and further still, so that it folds more than once over";
	static const char *const names[] = { NULL, "", "Coalition events",
		"Convene; test, \\ cal",
		"Caf\u00e9 \"quoted\" <b>&amp;</b> \u65e5\u672c \U0001F600",
		"Tabs\tand\nnewlines\r and \x02bold\x02 \x7f\xc2\x85 and \xff bad",
		long_name };
	static const char *const descs[] = { NULL, "", "All events; here, \\ there",
		"Line one\nline two \"x\"" };
	static const int minutes[] = { 0, 1, 59, 60, 61, 90, 1440, 1441, 10080 };
	int k = 0;

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		for (size_t j = 0; j < sizeof descs / sizeof *descs; j++, k++) {
			struct cal_meta m = { names[i], descs[j],
				k % 2 ? "http://127.0.0.1:8080/calendars/all.ics" : NULL,
				k % 3 ? "http://127.0.0.1:8080/" : NULL,
				minutes[k % (sizeof minutes / sizeof *minutes)] };
			size_t l1, l2;
			char *plain, *ical;

			/* Not opened: a call through the table would open it again. */
			cv_ical_loaded = false;
			plain = ics_render(&m, NULL, 0, &l1);
			assert_false(cv_ical_loaded);
			assert_true(cv_ical_ready());
			ical = ics_render_empty_ical(&m, &l2);
			assert_int_equal(l1, l2);
			assert_memory_equal(plain, ical, l1);
			assert_folded(plain, l1);
			free(plain);
			free(ical);
		}
}

static void
test_render_zones_escapes_and_privacy(void **state)
{
	struct cal_event e[3] = {
		event(1,
		    "Café; a, b \\ c \x02"
		    "bold",
		    "America/Toronto", 1800000000),
		event(2, "Fixed offset", "+05:30", 1800003600),
		event(3, "Plain UTC", "UTC", 1800007200),
	};
	const struct cal_event *v[3] = { &e[0], &e[1], &e[2] };
	size_t len;
	char *s;

	e[0].description = strdup("Line one\nline two; with, commas");
	s = ics_render(&meta, v, 3, &len);
	assert_folded(s, len);
	assert_int_equal(strlen(s), len);
	/* Plain IANA TZIDs, a VTIMEZONE for the one zone, UTC for the others. */
	assert_true(unfolded_has(s, "BEGIN:VTIMEZONE\r\nTZID:America/Toronto\r\n"));
	assert_true(unfolded_has(s, "DTSTART;TZID=America/Toronto:20270115T030000\r\n"));
	assert_true(unfolded_has(s, "DTEND;TZID=America/Toronto:20270115T043000\r\n"));
	assert_false(unfolded_has(s, "freeassociation"));
	assert_false(unfolded_has(s, "X-LIC"));
	assert_true(unfolded_has(s, "DTSTART:20270115T090000Z\r\n")); /* +05:30 */
	assert_true(unfolded_has(s, "DTSTART:20270115T100000Z\r\n"));
	assert_true(unfolded_has(s, "DTSTAMP:20231114T221500Z\r\n"));
	assert_true(unfolded_has(s, "SEQUENCE:3\r\n"));
	/* TEXT escaping, formatting gone, calendar names without , ; \ */
	assert_true(unfolded_has(s, "SUMMARY:Café\\; a\\, b \\\\ c bold\r\n"));
	assert_true(unfolded_has(s, "Line one\\nline two\\; with\\, commas"));
	assert_true(unfolded_has(s, "X-WR-CALNAME:Convene test  cal\r\n"));
	assert_true(unfolded_has(s, "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"));
	assert_false(unfolded_has(s, "METHOD"));
	/* A public feed never carries the join link. */
	assert_false(unfolded_has(s, "secret"));
	free(s);

	/* A confirmed person's feed does; maybe, waitlist and cancelled do not. */
	e[0].reg = CAL_REG_CONFIRMED;
	s = ics_render(&meta, v, 1, &len);
	assert_true(unfolded_has(s, "secret"));
	free(s);
	for (int r = CAL_REG_MAYBE; r <= CAL_REG_WAITLIST; r++) {
		e[0].reg = (enum cal_reg)r;
		e[0].position = 2;
		s = ics_render(&meta, v, 1, &len);
		assert_false(unfolded_has(s, "secret"));
		assert_true(unfolded_has(s, "STATUS:TENTATIVE"));
		free(s);
	}
	e[0].reg = CAL_REG_CONFIRMED;
	e[0].cancelled = true;
	s = ics_render(&meta, v, 1, &len);
	assert_false(unfolded_has(s, "secret"));
	assert_true(unfolded_has(s, "STATUS:CANCELLED"));
	assert_true(unfolded_has(s, "SUMMARY:Cancelled: Café"));
	free(s);
	for (int i = 0; i < 3; i++)
		cal_event_clear(&e[i]);
}

static void
test_render_is_deterministic(void **state)
{
	struct cal_event e = event(1, "Same", "Europe/Paris", 1800000000);
	const struct cal_event *v[1] = { &e };
	size_t l1, l2;
	char *a = ics_render(&meta, v, 1, &l1), *b = ics_render(&meta, v, 1, &l2);

	assert_int_equal(l1, l2);
	assert_memory_equal(a, b, l1);
	free(a);
	free(b);
	cal_event_clear(&e);
}

/* A random text from parts that exercise escaping, folding and UTF-8. */
static char *
random_text(unsigned *seed)
{
	static const char *const parts[] = { "Atelier", " vie privée;", " a, b", " \\o/",
		" ☕😀", " 日本語のテキスト", "\n", " Ελληνικά",
		" long long long long words" };
	char buf[400] = "";
	int n = 1 + rand_r(seed) % 8;

	for (int i = 0; i < n; i++)
		strcat(buf, parts[rand_r(seed) % (sizeof(parts) / sizeof(parts[0]))]);
	return strdup(buf);
}

/* Event `id` with random fields; `k` keeps the uid unique. */
static void
random_event(struct cal_event *e, long long id, unsigned *seed)
{
	static const char *const zones[] = { "Europe/Paris", "UTC", "+05:30",
		"Asia/Tokyo", "America/Toronto" };
	char uid[40];

	cal_event_clear(e);
	e->id = id;
	snprintf(uid, sizeof(uid), "%032llx", id);
	e->uid = strdup(uid);
	e->title = random_text(seed);
	e->description = rand_r(seed) % 3 ? random_text(seed) : NULL;
	e->location = rand_r(seed) % 2 ? random_text(seed) : NULL;
	e->url = rand_r(seed) % 2 ? strdup("https://example.org/e") : NULL;
	e->channel = strdup(rand_r(seed) % 2 ? "#a" : "#b");
	e->tz = strdup(zones[rand_r(seed) % 5]);
	e->start_utc = 1800000000LL + 3600LL * (rand_r(seed) % 2000);
	e->duration_min = 30 + rand_r(seed) % 120;
	e->sequence = rand_r(seed) % 4;
	e->created_at = 1700000000;
	e->updated_at = 1700000000 + rand_r(seed) % 1000;
	e->cancelled = rand_r(seed) % 10 == 0;
	if (e->cancelled && rand_r(seed) % 2)
		e->cancel_reason = random_text(seed);
}

static int
by_start(const void *a, const void *b)
{
	const struct cal_event *x = *(const struct cal_event *const *)a;
	const struct cal_event *y = *(const struct cal_event *const *)b;

	if (x->start_utc != y->start_utc)
		return (x->start_utc > y->start_utc) - (x->start_utc < y->start_utc);
	return (x->id > y->id) - (x->id < y->id);
}

/* A random change: a field, a whole event, an addition, a removal, or nothing. */
static void
random_change(struct cal_event *e, bool *live, int k, int what, unsigned *seed)
{
	if (what == 0 && *live) {
		free(e->title);
		e->title = random_text(seed);
		e->sequence++;
	} else if (what == 1 && *live) {
		e->start_utc += 86400;
	} else if (what == 2) {
		random_event(e, k + 1, seed);
		*live = true;
	} else if (what == 3) {
		*live = false;
	} else if (what == 4 && *live) {
		e->cancelled = !e->cancelled;
	}
}

/* A feed of v copied from the slices of text is the feed rendered whole. */
static void
assert_copied_equals_rendered(const struct cal_event *const *v, size_t n,
    const char *text, const struct ics_slices *slices)
{
	size_t len, flen;
	char *copied = ics_render_reuse(&meta, v, n, text, slices, NULL, &len);
	char *full = ics_render(&meta, v, n, &flen);

	assert_int_equal(len, flen);
	assert_memory_equal(copied, full, len);
	free(copied);
	free(full);
}

/*
 * Issue 17: a feed rendered from the last one's VEVENTs (copying those of
 * unchanged events) is the same text as one rendered whole, after every
 * step of a random sequence of changes, additions and removals; so are
 * the feeds of a subset (a channel) and of one event copied from it, and
 * their ETags change exactly when their bytes do.
 */
static void
test_render_reuse_equals_full(void **state)
{
	enum { MAX = 40 };
	struct cal_event ev[MAX];
	bool live[MAX] = { false };
	const struct cal_event *sel[MAX], *sub[MAX];
	struct ics_slices olds = { 0 }, news;
	char *old = NULL, oldtag[48] = "", tag[48];
	unsigned seed = 17;
	size_t n = 0, len;
	char *twice;

	memset(ev, 0, sizeof(ev));
	for (int i = 0; i < MAX; i += 2) {
		random_event(&ev[i], i + 1, &seed);
		live[i] = true;
	}
	for (int step = 0; step < 120; step++) {
		size_t m = 0, flen;
		char *inc, *full;
		int k = rand_r(&seed) % MAX;

		random_change(&ev[k], &live[k], k, rand_r(&seed) % 6, &seed);
		n = 0;
		for (int i = 0; i < MAX; i++)
			if (live[i])
				sel[n++] = &ev[i];
		qsort(sel, n, sizeof(*sel), by_start);
		inc = ics_render_reuse(&meta, sel, n, old, &olds, &news, &len);
		full = ics_render(&meta, sel, n, &flen);
		assert_int_equal(len, flen);
		assert_memory_equal(inc, full, len);
		ics_etag(inc, len, tag);
		assert_int_equal(strcmp(tag, oldtag) == 0,
		    old != NULL && strlen(old) == len && memcmp(old, inc, len) == 0);
		/* Every slice is its event's VEVENT. */
		assert_int_equal(news.n, n);
		for (size_t i = 0; i < news.n; i++) {
			assert_memory_equal(inc + news.v[i].off, "BEGIN:VEVENT\r\n", 14);
			assert_memory_equal(inc + news.v[i].off + news.v[i].len - 12,
			    "END:VEVENT\r\n", 12);
			if (i > 0)
				assert_true(news.v[i - 1].id < news.v[i].id);
		}
		/* A channel's feed and one event's, copied from the new text. */
		for (size_t i = 0; i < n; i++)
			if (strcmp(sel[i]->channel, "#a") == 0)
				sub[m++] = sel[i];
		assert_copied_equals_rendered(sub, m, inc, &news);
		if (n > 0)
			assert_copied_equals_rendered(sel, 1, inc, &news);
		free(full);
		free(old);
		ics_slices_clear(&olds);
		old = inc;
		olds = news;
		memcpy(oldtag, tag, sizeof(tag));
	}
	/* Unchanged events are copied, not rendered: a mark in the old text shows. */
	n = 0;
	for (int i = 0; i < MAX; i++)
		if (live[i])
			sel[n++] = &ev[i];
	qsort(sel, n, sizeof(*sel), by_start);
	assert_true(n > 0 && olds.n == n);
	old[olds.v[0].off + 14] = '#';
	twice = ics_render_reuse(&meta, sel, n, old, &olds, NULL, &len);
	assert_int_equal(twice[olds.v[0].off + 14], '#');
	free(twice);
	free(old);
	ics_slices_clear(&olds);
	for (int i = 0; i < MAX; i++)
		cal_event_clear(&ev[i]);
}

/*
 * VTIMEZONEs come in the order libical writes a tree's children (the last
 * added first), as before they were kept as text; a kept text and a new
 * one are the same.
 */
static void
test_zones_order_and_kept_texts(void **state)
{
	struct cal_event a = event(1, "A", "Europe/Paris", 1800000000);
	struct cal_event b = event(2, "B", "UTC", 1800003600);
	struct cal_event c = event(3, "C", "Asia/Tokyo", 1800007200);
	const struct cal_event *v[3] = { &a, &b, &c };
	icalcomponent *cal = icalcomponent_new_vcalendar();
	size_t l1, l2, l3;
	char *tree, *x, *y, *z;

	/* What libical does with two children: the reference order. */
	icalcomponent_add_component(cal,
	    icalcomponent_new_clone(icaltimezone_get_component(
	        icaltimezone_get_builtin_timezone("Europe/Paris"))));
	icalcomponent_add_component(cal,
	    icalcomponent_new_clone(icaltimezone_get_component(
	        icaltimezone_get_builtin_timezone("Asia/Tokyo"))));
	tree = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	ics_zones_forget();
	x = ics_render(&meta, v, 3, &l1); /* zones made */
	y = ics_render(&meta, v, 3, &l2); /* zones kept */
	ics_zones_forget();
	z = ics_render(&meta, v, 3, &l3);
	assert_int_equal(l1, l2);
	assert_memory_equal(x, y, l1);
	assert_int_equal(l1, l3);
	assert_memory_equal(x, z, l1);
	assert_true((strstr(tree, "Asia/Tokyo") < strstr(tree, "Europe/Paris")) ==
	    (strstr(x, "TZID:Asia/Tokyo") < strstr(x, "TZID:Europe/Paris")));
	assert_null(strstr(x, "TZID:UTC"));
	assert_true(strstr(x, "END:VTIMEZONE") < strstr(x, "BEGIN:VEVENT"));
	free(tree);
	free(x);
	free(y);
	free(z);
	cal_event_clear(&a);
	cal_event_clear(&b);
	cal_event_clear(&c);
}

static void
test_feed_validators(void **state)
{
	struct cal_feed f;
	char etag[48];

	memset(&f, 0, sizeof(f));
	assert_true(cal_feed_set(&f, strdup("one"), 3, 1000));
	assert_int_equal(f.lastmod, 1000);
	memcpy(etag, f.etag, sizeof(etag));
	assert_int_equal(etag[0], '"');
	assert_int_equal(etag[strlen(etag) - 1], '"');
	/* The same body: nothing changes. */
	assert_false(cal_feed_set(&f, strdup("one"), 3, 2000));
	assert_int_equal(f.lastmod, 1000);
	/* A new body in the same second still gets a later Last-Modified. */
	assert_true(cal_feed_set(&f, strdup("two"), 3, 2000));
	assert_int_equal(f.lastmod, 2000);
	assert_true(cal_feed_set(&f, strdup("three"), 5, 2000));
	assert_int_equal(f.lastmod, 2001);
	assert_string_not_equal(f.etag, etag);
	cal_feed_clear(&f);
}

/*
 * A feed whose body is a mapping of its file: an equal render keeps the
 * mapping and the validators, a changed one replaces it with the new body.
 */
static void
test_feed_mapped_body(void **state)
{
	struct cal_feed f;
	char path[] = "/tmp/convene-test-feed-XXXXXX", etag[48];
	const char *text = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
	size_t len = strlen(text);
	void *map;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(map != MAP_FAILED);
	close(fd);
	unlink(path);

	memset(&f, 0, sizeof(f));
	assert_true(cal_feed_set(&f, strdup(text), len, 1000));
	memcpy(etag, f.etag, sizeof(etag));
	cal_feed_map(&f, map);
	assert_true(f.mapped);
	assert_ptr_equal(f.body, map);
	assert_memory_equal(f.body, text, len);
	/* The same text again: the mapping stays, nothing moves. */
	assert_false(cal_feed_set(&f, strdup(text), len, 2000));
	assert_true(f.mapped);
	assert_ptr_equal(f.body, map);
	assert_memory_equal(f.body, text, len);
	assert_string_equal(f.etag, etag);
	assert_int_equal(f.lastmod, 1000);
	/* Another text: the mapping goes, the new body is the heap's. */
	assert_true(cal_feed_set(&f, strdup("BEGIN:VCALENDAR\r\n"), 17, 2000));
	assert_false(f.mapped);
	assert_memory_equal(f.body, "BEGIN:VCALENDAR\r\n", 17);
	assert_string_not_equal(f.etag, etag);
	cal_feed_map(&f, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	cal_feed_clear(&f); /* unmaps */
	assert_null(f.body);
	assert_false(f.mapped);
}

/* One feed rendered the way the plugin renders a single event's. */
static char *
render_one(const struct cal_event *e, size_t *len)
{
	return ics_render(&meta, &e, 1, len);
}

/*
 * The feeds of single events: a body evicted from the cache and rendered
 * again keeps its ETag and Last-Modified; only a changed body moves them.
 */
static void
test_event_feed_cache(void **state)
{
	struct cal_evfeeds c = { .cap = 2 };
	struct cal_event e[3] = {
		event(7, "Seven", "Europe/Paris", 1800000000),
		event(3, "Three", "UTC", 1800003600),
		event(5, "Five", "Asia/Tokyo", 1800007200),
	};
	struct cal_evfeed *f;
	char etag[48];
	size_t len;
	char *body;

	c.v = calloc(3, sizeof(*c.v));
	c.n = 3;
	for (size_t i = 0; i < 3; i++)
		c.v[i].id = e[i].id;
	cal_evfeeds_sort(&c);
	assert_int_equal(c.v[0].id, 3);
	assert_null(cal_evfeeds_find(&c, 4));
	for (size_t i = 0; i < 3; i++) {
		f = cal_evfeeds_find(&c, e[i].id);
		body = render_one(&e[i], &len);
		assert_true(cal_evfeed_validate(f, body, len, 1000 + (time_t)i));
		cal_evfeed_keep(&c, f, body, len, false);
	}
	/* Two bodies at most; the third stays out without `keep`. */
	assert_int_equal(c.bodies, 2);
	assert_non_null(cal_evfeeds_find(&c, 7)->body);
	assert_non_null(cal_evfeeds_find(&c, 3)->body);
	f = cal_evfeeds_find(&c, 5);
	assert_null(f->body);
	assert_int_equal(f->lastmod, 1002);
	memcpy(etag, f->etag, sizeof(etag));
	/* Asked for: rendered again, the least recently used (7) goes. */
	cal_evfeed_touch(&c, cal_evfeeds_find(&c, 3));
	body = render_one(&e[2], &len);
	assert_false(cal_evfeed_validate(f, body, len, 5000));
	cal_evfeed_keep(&c, f, body, len, true);
	assert_int_equal(c.bodies, 2);
	assert_null(cal_evfeeds_find(&c, 7)->body);
	assert_non_null(f->body);
	assert_string_equal(f->etag, etag);
	assert_int_equal(f->lastmod, 1002);
	/* 7 again: the same validators as before its eviction. */
	f = cal_evfeeds_find(&c, 7);
	memcpy(etag, f->etag, sizeof(etag));
	body = render_one(&e[0], &len);
	assert_false(cal_evfeed_validate(f, body, len, 6000));
	cal_evfeed_keep(&c, f, body, len, true);
	assert_string_equal(f->etag, etag);
	assert_int_equal(f->lastmod, 1000);
	assert_null(cal_evfeeds_find(&c, 3)->body);
	/* A change: a new ETag, a later Last-Modified, even within the second. */
	e[0].sequence++;
	body = render_one(&e[0], &len);
	assert_true(cal_evfeed_validate(f, body, len, 1000));
	cal_evfeed_keep(&c, f, body, len, true);
	assert_string_not_equal(f->etag, etag);
	assert_int_equal(f->lastmod, 1001);
	assert_int_equal(c.bodies, 2);
	cal_evfeed_drop(&c, f);
	assert_int_equal(c.bodies, 1);
	cal_evfeeds_clear(&c);
	assert_int_equal(c.n, 0);
	for (size_t i = 0; i < 3; i++)
		cal_event_clear(&e[i]);
}

/* What an event's feed is rendered from: any field, or the seed, changes the hash. */
static void
test_event_input(void **state)
{
	struct cal_event a = event(1, "Same", "Europe/Paris", 1800000000);
	struct cal_event b = event(1, "Same", "Europe/Paris", 1800000000);
	uint64_t h = ics_event_input(&a, 42);

	assert_int_not_equal(h, 0);
	assert_true(h == ics_event_input(&b, 42));
	assert_true(h != ics_event_input(&a, 43));
	b.duration_min++;
	assert_true(h != ics_event_input(&b, 42));
	b.duration_min--;
	b.location = strdup("");
	assert_true(h != ics_event_input(&b, 42)); /* "" is not NULL */
	free(b.location);
	b.location = NULL;
	b.cancelled = true;
	assert_true(h != ics_event_input(&b, 42));
	b.cancelled = false;
	free(b.title);
	b.title = strdup("Sam");
	b.description = strdup("e"); /* no two texts run together */
	assert_true(h != ics_event_input(&b, 42));
	assert_true(ics_hash_text(1, NULL) != ics_hash_text(1, ""));
	cal_event_clear(&a);
	cal_event_clear(&b);
}

static void
upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

static void
test_channel_keys(void **state)
{
	char k[CAL_CHANNEL_KEY_MAX];

	assert_int_equal(cal_channel_key("#Events", upper, k), 0);
	assert_string_equal(k, "events");
	assert_int_equal(cal_channel_key("#café-fr", upper, k), 0);
	assert_string_equal(k, "café-fr");
	assert_int_equal(cal_channel_key("&local", upper, k), 0);
	assert_string_equal(k, "&local");
	const char *bad[] = { "#", "", "#..", "#.hidden", "#a/b", "#a\\b", "#a%2f",
		"#a?b", "#a b", "#a\x01", "#a..b", "#a\"b", "#a<b" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cal_channel_key(bad[i], upper, k), -1);
}

static void
test_urls(void **state)
{
	char *u = cal_feed_url("https://ev.example.org", "channel/café.ics");

	assert_string_equal(u, "https://ev.example.org/calendars/channel/caf%C3%A9.ics");
	free(u);
	u = cal_webcal_url("http://127.0.0.1:8080", "all.ics");
	assert_string_equal(u, "webcal://127.0.0.1:8080/calendars/all.ics");
	free(u);
}

static void
test_tokens(void **state)
{
	char a[CAL_TOKEN_LEN + 1], b[CAL_TOKEN_LEN + 2];

	assert_int_equal(cal_token_new(a), 0);
	assert_int_equal(cal_token_new(b), 0);
	assert_int_equal(strlen(a), 43);
	assert_true(cal_token_valid(a));
	assert_string_not_equal(a, b);
	assert_false(cal_token_valid("short"));
	/* 43 characters of the URL-safe alphabet, nothing else. */
	memset(b, 'A', 43);
	b[43] = '\0';
	assert_true(cal_token_valid(b));
	b[42] = '-';
	b[41] = '_';
	assert_true(cal_token_valid(b));
	b[42] = '=';
	assert_false(cal_token_valid(b));
	b[42] = '/';
	assert_false(cal_token_valid(b));
	b[42] = '.';
	assert_false(cal_token_valid(b));
	b[42] = 'A';
	b[43] = 'A';
	b[44] = '\0';
	assert_false(cal_token_valid(b));
}

static void
test_page_escapes(void **state)
{
	struct cal_event e =
	    event(7, "<script>alert('x')</script> & co", "Europe/Paris", 1800000000);
	struct cal_channel ch = { "#a\"b", "channel/a.ics" };
	size_t len;
	char *p;

	e.url = strdup("javascript:alert(1)");
	e.location = strdup("<b>room</b>");
	struct cal_site site = { "Title <i>", "http://h:1", "convene", "!", NULL, NULL,
		NULL, NULL, NULL, NULL, NULL };

	p = cal_page_render(&site, &e, 1, &ch, 1, 1700000000, 1, &len);
	assert_int_equal(strlen(p), len);
	assert_null(strstr(p, "<script>"));
	assert_null(strstr(p, "<b>room"));
	assert_null(strstr(p, "javascript:"));
	assert_null(strstr(p, "secret"));
	assert_non_null(
	    strstr(p, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
	assert_non_null(strstr(p, "Title &lt;i&gt;"));
	assert_non_null(strstr(p, "#a&quot;b"));
	assert_non_null(strstr(p, "href=\"webcal://h:1/calendars/event/7.ics\""));
	assert_non_null(strstr(p,
	    "https://calendar.google.com/calendar/r?cid=webcal://h:1/calendars/all.ics"));
	assert_non_null(strstr(p, "Fri 15 Jan 2027, 09:00&ndash;10:30 Europe/Paris"));
	free(p);
	/* Ended events leave the page. */
	site.title = "T";
	p = cal_page_render(&site, &e, 1, NULL, 0, 1800000000 + 90 * 60, 1, &len);
	assert_null(strstr(p, "event/7.ics"));
	assert_non_null(strstr(p, "No upcoming events."));
	free(p);
	cal_event_clear(&e);
}

static const struct cal_site site_irc = { "Events", "https://ev.example.org", "convene<x>",
	"!", "ircs://irc.example.org:6697/", "irc.example.org (port 6697, TLS)",
	"#events", "https://chat.example.org/?c=\"x\"", NULL, NULL, NULL };

/* The page of one event: its own channel, percent-encoded in the link. */
static void
check_event_pages(struct cal_event *v)
{
	size_t len;
	char *p;

	v[0].description = strdup("Line <one>\nline two");
	v[0].location = strdup("Room \"B\"");
	p = cal_event_page_render(&site_irc, &v[0], 1700000000, &len);
	assert_int_equal(strlen(p), len);
	assert_non_null(strstr(p, "<title>Open &ndash; Events</title>"));
	assert_non_null(strstr(p, "Line &lt;one&gt;<br>\nline two"));
	assert_non_null(strstr(p, "Room &quot;B&quot;"));
	assert_non_null(strstr(p, "3 places left"));
	assert_non_null(
	    strstr(p, "<code>/msg convene&lt;x&gt; rsvp 3</code> registers you"));
	assert_non_null(strstr(p, "<code>!rsvp 3</code>"));
	assert_non_null(strstr(p, "href=\"ircs://irc.example.org:6697/caf%C3%A9%26co\""));
	assert_non_null(
	    strstr(p, "href=\"webcal://ev.example.org/calendars/event/3.ics\""));
	assert_non_null(strstr(p, "href=\"https://ev.example.org/calendars/event/3.ics\""));
	assert_null(strstr(p, "secret"));
	free(p);
	p = cal_event_page_render(&site_irc, &v[2], 1700000000, &len);
	assert_non_null(strstr(p, "This event is cancelled"));
	assert_null(strstr(p, "rsvp 5"));
	assert_null(strstr(p, "webcal:"));
	free(p);
}

/* A newcomer can act on the page: number, command, places, where to chat. */
static void
test_page_events(void **state)
{
	struct cal_event v[3] = {
		event(3, "Open", "UTC", 1800000000),
		event(4, "Full", "UTC", 1800003600),
		event(5, "Off", "UTC", 1800007200),
	};
	size_t len;
	char *p;

	v[0].capacity = 20;
	v[0].confirmed = 17;
	v[0].channel = strdup("#café&co");
	v[1].capacity = 2;
	v[1].confirmed = 2;
	v[2].cancelled = true;
	v[2].capacity = 10;
	p = cal_page_render(&site_irc, v, 3, NULL, 0, 1700000000, 1, &len);
	assert_int_equal(strlen(p), len);
	assert_non_null(strstr(p,
	    "<span class=\"num\">#3</span> <a href=\"https://ev.example.org/event/3\">Open</a>"));
	assert_non_null(
	    strstr(p, "<strong class=\"places\">3 places left</strong> (of 20)"));
	assert_non_null(strstr(p, "<code>/msg convene&lt;x&gt; rsvp 3</code>"));
	assert_non_null(strstr(p, "Full, waitlist open"));
	assert_non_null(strstr(p, "<code>/msg convene&lt;x&gt; rsvp 4</code>"));
	/* Cancelled: marked, and nothing to register for. */
	assert_non_null(strstr(p, "<li class=\"ev cancelled\" id=\"event-5\">"));
	assert_non_null(strstr(p, "(cancelled)"));
	assert_null(strstr(p, "rsvp 5</code>"));
	assert_non_null(strstr(p, "href=\"https://ev.example.org/calendars/event/5.ics\""));
	/* The chat: the site's channel, and the web chat escaped. */
	assert_non_null(strstr(p,
	    "<a href=\"ircs://irc.example.org:6697/events\">#events on "
	    "irc.example.org (port 6697, TLS)</a>"));
	assert_non_null(strstr(p, "href=\"https://chat.example.org/?c=&quot;x&quot;\""));
	assert_non_null(strstr(p, "<html lang=\"en\">"));
	assert_non_null(strstr(p, "prefers-color-scheme:dark"));
	assert_null(strstr(p, "<script"));
	assert_null(strstr(p, "secret"));
	free(p);

	/* A long description is cut on the list, never inside a character. */
	v[1].description = malloc(600);
	for (size_t i = 0; i < 599; i += 2)
		memcpy(v[1].description + i, "\xc3\xa9", 2); /* é */
	v[1].description[599] = '\0';
	p = cal_page_render(&site_irc, v, 3, NULL, 0, 1700000000, 1, &len);
	{
		const char *d = strstr(p, "\xc3\xa9"), *end = strstr(d, "&hellip;");

		assert_non_null(end);
		assert_int_equal((end - d) % 2, 0);
		assert_true(end - d <= 240);
	}
	free(p);

	check_event_pages(v);
	for (size_t i = 0; i < 3; i++)
		cal_event_clear(&v[i]);
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)) != NULL; s++)
		n++;
	return n;
}

/* Thousands of events: the front page shows the next CAL_PAGE_EVENTS and links on. */
/* A stand-in for the host's tr: a few French sentences, the English otherwise. */
static const char *
fake_tr(const char *lang, const char *msgid)
{
	if (lang == NULL || strcmp(lang, "fr") != 0)
		return msgid;
	if (strcmp(msgid, "How to register") == 0)
		return "Comment s’inscrire";
	if (strcmp(msgid, "%d places left") == 0)
		return "%d places restantes";
	return msgid;
}

static char *
when_of(long long start, int minutes, const char *tz, const char *lang)
{
	struct cal_event e = event(1, "t", tz, start);
	struct sbuf b = { 0 };

	e.duration_min = minutes;
	cal_when_html(&b, &e, lang);
	cal_event_clear(&e);
	return sb_take(&b, NULL);
}

#define WHEN_IS(start, minutes, tz, lang, want)               \
	do {                                                  \
		char *w_ = when_of(start, minutes, tz, lang); \
		assert_string_equal(w_, want);                \
		free(w_);                                     \
	} while (0)

/* The pages' dates in French (README, "Languages"), across a DST change too. */
static void
test_page_dates_french(void **state)
{
	(void)state;
	WHEN_IS(1796943600, 90, "America/Toronto", "fr",
	    "jeu. 10 déc. 2026, 18\u00a0h\u00a000 à 19\u00a0h\u00a030 (heure de Toronto)");
	WHEN_IS(1796943600, 90, "America/Toronto", "en",
	    "Thu 10 Dec 2026, 18:00&ndash;19:30 America/Toronto");
	/* 1 Nov 2026: Toronto leaves summer time at 2:00 during the event. */
	WHEN_IS(1793507400, 180, "America/Toronto", "fr",
	    "dim. 1er nov. 2026, 0\u00a0h\u00a030 à 2\u00a0h\u00a030 (heure de Toronto)");
	WHEN_IS(1793507400, 180, "America/Toronto", "en",
	    "Sun 1 Nov 2026, 00:30&ndash;02:30 America/Toronto");
	/* Over midnight, into summer time (Paris, 28 Mar 2027 at 2:00). */
	WHEN_IS(1806184800, 480, "Europe/Paris", "fr",
	    "du sam. 27 mars 2027, 23\u00a0h\u00a000 au dim. 28 mars 2027, 8\u00a0h\u00a000 "
	    "(heure de Paris)");
	WHEN_IS(1796141100, 60, "America/Edmonton", "fr",
	    "mar. 1er déc. 2026, 9\u00a0h\u00a005 à 10\u00a0h\u00a005 (heure d’Edmonton)");
	WHEN_IS(1796943600, 60, "UTC", "fr",
	    "du jeu. 10 déc. 2026, 23\u00a0h\u00a000 au ven. 11 déc. 2026, "
	    "0\u00a0h\u00a000 (UTC)");
	WHEN_IS(1796943600, 60, "-05:00", "fr",
	    "jeu. 10 déc. 2026, 18\u00a0h\u00a000 à 19\u00a0h\u00a000 (UTC-05:00)");
}

/* The French page: lang, its links in French, the French feeds, the way back to English. */
static void
test_page_french(void **state)
{
	struct cal_event e = event(7, "Atelier", "America/Toronto", 1796943600);
	struct cal_channel ch = { "#evenements", "channel/evenements.ics" };
	struct cal_site s = site_irc;
	size_t len;
	char *p;

	(void)state;
	e.capacity = 20;
	s.tr = fake_tr;
	p = cal_page_render(&s, &e, 1, &ch, 1, 1700000000, 1, &len);
	assert_non_null(strstr(p, "<html lang=\"en\">"));
	assert_non_null(strstr(p, "<h2>How to register</h2>"));
	assert_non_null(strstr(p, "href=\"https://ev.example.org/fr/\" hreflang=\"fr\""));
	assert_non_null(strstr(p, "href=\"https://ev.example.org/event/7\""));
	assert_non_null(strstr(p, "webcal://ev.example.org/calendars/all.ics"));
	free(p);

	s.lang = "fr";
	p = cal_page_render(&s, &e, 1, &ch, 1, 1700000000, 1, &len);
	assert_non_null(strstr(p, "<html lang=\"fr\">"));
	assert_non_null(strstr(p, "<h2>Comment s’inscrire</h2>"));
	assert_non_null(strstr(p, "20 places restantes"));
	assert_non_null(strstr(p, "jeu. 10 déc. 2026, 18\u00a0h\u00a000"));
	assert_non_null(strstr(p, "href=\"https://ev.example.org/en/\" hreflang=\"en\""));
	assert_non_null(strstr(p, "href=\"https://ev.example.org/fr/event/7\""));
	assert_non_null(
	    strstr(p, "href=\"https://ev.example.org/calendars/fr/event/7.ics\""));
	assert_non_null(strstr(p, "webcal://ev.example.org/calendars/fr/all.ics"));
	assert_non_null(
	    strstr(p, "webcal://ev.example.org/calendars/fr/channel/evenements.ics"));
	assert_null(strstr(p, "ev.example.org/event/7\""));
	assert_null(strstr(p, "calendars/all.ics"));
	free(p);

	p = cal_event_page_render(&s, &e, 1700000000, &len);
	assert_non_null(strstr(p, "<html lang=\"fr\">"));
	assert_non_null(strstr(p, "href=\"https://ev.example.org/en/event/7\""));
	assert_non_null(strstr(p, "href=\"https://ev.example.org/fr/\">"));
	assert_non_null(strstr(p, "https://ev.example.org/calendars/fr/event/7.ics"));
	free(p);
	cal_event_clear(&e);
}

static void
test_page_paging(void **state)
{
	const size_t n = 5000;
	struct cal_event *v = calloc(n, sizeof(*v));
	size_t len;
	char *p;

	for (size_t i = 0; i < n; i++) {
		v[i] = event((long long)i + 1, "A meeting with a title of ordinary length",
		    "UTC", 1800000000 + 3600LL * (long long)i);
		v[i].description = strdup(
		    "A description that goes on for a while, as people "
		    "write them when they announce something to a community they care about.");
	}
	/* The first is over: not counted. */
	p = cal_page_render(&site_irc, v, n, NULL, 0, 1800000000 + 90 * 60, 1, &len);
	assert_int_equal(count(p, "<li class=\"ev"), CAL_PAGE_EVENTS);
	assert_null(strstr(p, "id=\"event-1\""));
	assert_non_null(strstr(p, "id=\"event-2\""));
	assert_non_null(strstr(p, "id=\"event-101\""));
	assert_null(strstr(p, "id=\"event-102\""));
	assert_non_null(strstr(p,
	    "<a href=\"https://ev.example.org/page/2\">Later events (4899 more)"));
	assert_true(len < 150 * 1000);
	{
		/*
		 * From its upcoming events only (as a registration re-renders it),
		 * with the channels' links: the same front page.
		 */
		const struct cal_channel ch[] = { { "#a", "channel/a.ics" } };
		size_t len2, len3;
		char *q = cal_page_first_render(&site_irc, v + 1, CAL_PAGE_EVENTS, n - 1,
		    ch, 1, 1800000000 + 90 * 60, &len2);
		char *r = cal_page_render(&site_irc, v, n, ch, 1, 1800000000 + 90 * 60, 1,
		    &len3);

		assert_int_equal(len2, len3);
		assert_string_equal(q, r);
		assert_non_null(strstr(q, "channel/a.ics"));
		free(q);
		free(r);
	}
	free(p);
	p = cal_page_render(&site_irc, v, n, NULL, 0, 1800000000 + 90 * 60, 2, &len);
	assert_int_equal(count(p, "<li class=\"ev"), CAL_PAGE_EVENTS);
	{
		/* From just its events (as /page/N reads them), the same page. */
		size_t len2;
		char *q = cal_page_slice_render(&site_irc, v + 101, CAL_PAGE_EVENTS,
		    n - 1, 1800000000 + 90 * 60, 2, &len2);

		assert_int_equal(len2, len);
		assert_string_equal(q, p);
		free(q);
	}
	assert_non_null(strstr(p, "id=\"event-102\""));
	assert_non_null(strstr(p, "href=\"https://ev.example.org/\">"));
	assert_non_null(strstr(p, "href=\"https://ev.example.org/page/3\">"));
	free(p);
	p = cal_page_render(&site_irc, v, n, NULL, 0, 1800000000 + 90 * 60, 50, &len);
	assert_int_equal(count(p, "<li class=\"ev"), 99);
	assert_null(strstr(p, "/page/51"));
	free(p);
	assert_null(
	    cal_page_render(&site_irc, v, n, NULL, 0, 1800000000 + 90 * 60, 51, &len));
	cal_events_free(v, n);
}

/* ---- the SQL, on a real file with the events plugin's schema ---- */

static sqlite3 *
open_db(char *path)
{
	sqlite3 *db;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t i = 0; i < model_schema_steps; i++)
		assert_int_equal(sqlite3_exec(db, model_schema[i], NULL, NULL, NULL),
		    SQLITE_OK);
	for (size_t i = 0; i < cal_schema_steps; i++)
		assert_int_equal(sqlite3_exec(db, cal_schema[i], NULL, NULL, NULL),
		    SQLITE_OK);
	return db;
}

static long long
add(sqlite3 *db, const char *title, long long start, int minutes, time_t now)
{
	struct ev_event e;

	memset(&e, 0, sizeof(e));
	e.title = (char *)title;
	snprintf(e.local_date, sizeof(e.local_date), "2030-01-01");
	snprintf(e.local_time, sizeof(e.local_time), "10:00");
	snprintf(e.tz, sizeof(e.tz), "UTC");
	e.start_utc = start;
	e.duration_min = minutes;
	e.channel = (char *)"#events";
	assert_int_equal(model_event_insert(db, &e, now), 0);
	return e.id;
}

/* Tokens: one per person, replaced by a reset, looked up by token. */
static void
check_tokens(sqlite3 *db, long long now)
{
	char tok[CAL_TOKEN_LEN + 1], tok2[CAL_TOKEN_LEN + 1], who[64];

	assert_int_equal(cal_token_get(db, "n:alice", tok), 0);
	assert_int_equal(cal_token_new(tok), 0);
	assert_int_equal(cal_token_set(db, "n:alice", tok, now), 0);
	assert_int_equal(cal_token_get(db, "n:alice", tok2), 1);
	assert_string_equal(tok, tok2);
	assert_int_equal(cal_token_person(db, tok, who, sizeof(who)), 1);
	assert_string_equal(who, "n:alice");
	assert_int_equal(cal_token_new(tok2), 0);
	assert_int_equal(cal_token_set(db, "n:alice", tok2, now), 0);
	assert_int_equal(cal_token_person(db, tok, who, sizeof(who)), 0);
	assert_int_equal(cal_token_person(db, tok2, who, sizeof(who)), 1);
	assert_int_equal(cal_token_delete(db, "n:alice"), 0);
	assert_int_equal(cal_token_person(db, tok2, who, sizeof(who)), 0);
}

static void
test_store_window_and_registrations(void **state)
{
	char path[] = "/tmp/test_calendars_XXXXXX";
	sqlite3 *db = open_db(path);
	struct cal_event *v;
	struct rsvp_result r;
	size_t n;
	const long long now = 2000000000, keep = 30 * 86400;
	long long future = add(db, "future", now + 3600, 60, now - 10);
	long long cancelled = add(db, "cancelled", now + 7200, 60, now - 10);
	long long cancelled_past = add(db, "cancelled past", now - 7200, 60, now - 86400);
	long long recent = add(db, "recent", now - 86400, 60, now - 2 * 86400);
	long long old = add(db, "old", now - 60 * 86400, 60, now - 61 * 86400);

	(void)old;
	assert_int_equal(model_rsvp(db, future, "n:alice", "alice", EV_CONFIRMED, now - 1,
	                     &r),
	    0);
	model_people_free(&r.promoted);
	assert_int_equal(model_rsvp(db, cancelled, "n:bob", "bob", EV_MAYBE, now - 100, &r),
	    0);
	model_people_free(&r.promoted);
	assert_int_equal(model_event_cancel(db, cancelled, "ill", now - 5), 0);
	assert_int_equal(model_event_cancel(db, cancelled_past, NULL, now - 86400), 0);
	assert_int_equal(cal_store_events(db, now, keep, &v, &n), 0);
	/* Recent past kept, the cancelled one only until it is past, old ones gone. */
	assert_int_equal(n, 3);
	assert_int_equal(v[0].id, recent);
	assert_int_equal(v[1].id, future);
	assert_int_equal(v[1].confirmed, 1); /* alice; counts only, for the page */
	assert_int_equal(v[2].confirmed, 0);
	{
		/* The later pages read only theirs: not ended, by start, and how many. */
		struct cal_event *u;
		size_t nu, total;

		assert_int_equal(cal_store_upcoming(db, now, 1, 5, &u, &nu, &total), 0);
		assert_int_equal(total, 2);
		assert_int_equal(nu, 1);
		assert_int_equal(u[0].id, cancelled);
		cal_events_free(u, nu);
		assert_int_equal(cal_store_upcoming(db, now, 0, 1, &u, &nu, &total), 0);
		assert_int_equal(total, 2);
		assert_int_equal(nu, 1);
		assert_int_equal(u[0].id, future);
		assert_int_equal(u[0].confirmed, 1);
		cal_events_free(u, nu);
	}
	assert_int_equal(v[2].id, cancelled);
	assert_true(v[2].cancelled);
	assert_int_equal(v[2].sequence, 1);
	assert_string_equal(v[2].cancel_reason, "ill");
	cal_events_free(v, n);

	assert_int_equal(cal_store_person_events(db, "n:alice", now, keep, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, future);
	assert_int_equal(v[0].reg, CAL_REG_CONFIRMED);
	cal_events_free(v, n);
	assert_int_equal(cal_store_person_events(db, "n:nobody", now, keep, &v, &n), 0);
	assert_int_equal(n, 0);
	cal_events_free(v, n);

	check_tokens(db, now);

	model_close(db);
	sqlite3_close(db);
	unlink(path);
}

/* One event by id, and the manifest of the files of single events. */
static void
test_store_event_and_manifest(void **state)
{
	char path[] = "/tmp/test_calendars_XXXXXX";
	sqlite3 *db = open_db(path);
	const long long now = 2000000000, keep = 30 * 86400;
	long long future = add(db, "future", now + 3600, 60, now - 10);
	long long old = add(db, "old", now - 60 * 86400, 60, now - 61 * 86400);
	struct cal_event e;
	struct cal_file_row r = { .event_id = future,
		.input = 0xfedcba9876543210ULL,
		.etag = "\"abc\"",
		.lastmod = now },
	                    *rows;
	size_t n;

	assert_int_equal(cal_store_event(db, future, now, keep, &e), 1);
	assert_int_equal(e.id, future);
	assert_string_equal(e.title, "future");
	cal_event_clear(&e);
	/* Not shown any more, or not there: none. */
	assert_int_equal(cal_store_event(db, old, now, keep, &e), 0);
	assert_int_equal(cal_store_event(db, 999999, now, keep, &e), 0);

	assert_int_equal(cal_files_put(db, &r), 0);
	r.event_id = future + 100;
	r.lastmod = 5;
	assert_int_equal(cal_files_put(db, &r), 0);
	snprintf(r.etag, sizeof(r.etag), "\"def\"");
	assert_int_equal(cal_files_put(db, &r), 0); /* replaces */
	assert_int_equal(cal_files_load(db, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].event_id, future);
	assert_true(rows[0].input == 0xfedcba9876543210ULL); /* all 64 bits */
	assert_int_equal(rows[0].lastmod, now);
	assert_int_equal(rows[1].event_id, future + 100);
	assert_string_equal(rows[1].etag, "\"def\"");
	assert_int_equal(rows[1].lastmod, 5);
	free(rows);
	assert_int_equal(cal_files_delete(db, future + 100), 0);
	assert_int_equal(cal_files_load(db, &rows, &n), 0);
	assert_int_equal(n, 1);
	free(rows);

	model_close(db);
	sqlite3_close(db);
	unlink(path);
}

static void
test_store_without_events_table(void **state)
{
	sqlite3 *db;
	struct cal_event *v;
	size_t n, total = 1;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(cal_store_events(db, 0, 0, &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
	assert_int_equal(cal_store_upcoming(db, 0, 100, 100, &v, &n, &total), 0);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	free(v);
	model_close(db);
	sqlite3_close(db);
}

/* A cancellation carried over to a copy edited elsewhere: only STATUS and SEQUENCE change. */
static void
test_carry_cancel(void **state)
{
	const char *ours =
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene//x//EN\r\n"
	    "BEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270101T180000Z\r\n"
	    "SUMMARY:Cancelled: Talk\r\nSTATUS:CANCELLED\r\nSEQUENCE:3\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:b@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270102T180000Z\r\n"
	    "SUMMARY:Still on\r\nSEQUENCE:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	const char *theirs =
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Server//x//EN\r\n"
	    "BEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270101T180000Z\r\n"
	    "SUMMARY:Talk in room 7\r\nLOCATION:Room 7\r\nSEQUENCE:5\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:b@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270102T180000Z\r\n"
	    "SUMMARY:Still on there\r\nSEQUENCE:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	icalcomponent *cal, *ev;
	size_t len;
	char *out, *again;

	(void)state;
	out = ics_carry_cancel(ours, theirs, &len);
	assert_non_null(out);
	assert_int_equal(len, strlen(out));
	cal = icalparser_parse_string(out);
	assert_non_null(cal);
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_string_equal(icalcomponent_get_uid(ev), "a@x");
	assert_int_equal(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);
	assert_int_equal(icalcomponent_get_sequence(ev),
	    6); /* above theirs (5) and ours (3) */
	assert_string_equal(icalcomponent_get_summary(ev), "Talk in room 7");
	assert_string_equal(icalcomponent_get_location(ev), "Room 7");
	ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT);
	assert_string_equal(icalcomponent_get_uid(ev), "b@x");
	assert_int_not_equal(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);
	assert_string_equal(icalcomponent_get_summary(ev), "Still on there");
	icalcomponent_free(cal);
	/* Nothing left to carry once it is there; nothing from text that is no calendar. */
	again = ics_carry_cancel(ours, out, &len);
	assert_null(again);
	assert_null(ics_carry_cancel(ours, "not a calendar", &len));
	assert_null(ics_carry_cancel("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", theirs, &len));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_strips_formatting_and_controls),
		cmocka_unit_test(test_fold_counts_octets_and_keeps_sequences),
		cmocka_unit_test(test_carry_cancel),
		cmocka_unit_test(test_render_empty_without_libical),
		cmocka_unit_test(test_render_zones_escapes_and_privacy),
		cmocka_unit_test(test_render_is_deterministic),
		cmocka_unit_test(test_render_reuse_equals_full),
		cmocka_unit_test(test_zones_order_and_kept_texts),
		cmocka_unit_test(test_feed_validators),
		cmocka_unit_test(test_feed_mapped_body),
		cmocka_unit_test(test_event_feed_cache),
		cmocka_unit_test(test_event_input),
		cmocka_unit_test(test_channel_keys),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_page_escapes),
		cmocka_unit_test(test_page_events),
		cmocka_unit_test(test_page_paging),
		cmocka_unit_test(test_page_dates_french),
		cmocka_unit_test(test_page_french),
		cmocka_unit_test(test_store_window_and_registrations),
		cmocka_unit_test(test_store_event_and_manifest),
		cmocka_unit_test(test_store_without_events_table),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	/* The test owns libical's zone cache, as the host does in the bot. */
	icaltimezone_free_builtin_timezones();
	return rc;
}
