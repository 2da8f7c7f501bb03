/* test_sendq.c: pacing, fairness, urgency, splitting and bounds of the sendq. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sendq.h"
#include "text.h"
#include "util.h"

/* Exactly one line: CRLF at the end and no CR, LF or NUL before it. */
static void
assert_one_line(const char *l)
{
	size_t len = strlen(l);

	assert_true(len >= 2);
	assert_memory_equal(l + len - 2, "\r\n", 2);
	assert_null(memchr(l, '\r', len - 2));
	assert_null(memchr(l, '\n', len - 2));
}

static int
count_commas(const char *l)
{
	const char *sp = strchr(l + 7, ' ');
	int n = 0;

	for (; l + 7 < sp; l++)
		n += l[7] == ',';
	return n;
}

static void
queue_n(struct sendq *q, const char *target, int n)
{
	char text[32];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(text, sizeof text, "%s %d", target, i);
		assert_int_equal(sendq_text(q, "PRIVMSG", target, text), 0);
	}
}

static void
test_burst_then_pacing(void **state)
{
	struct sendq *q = sendq_new(4, 0.5, 100);
	int64_t wait = 0;
	int i;

	assert_null(sendq_pop(q, 0, &wait));
	assert_int_equal(wait, -1);
	queue_n(q, "#a", 10);
	assert_int_equal(sendq_len(q), 10);
	for (i = 0; i < 4; i++) {
		assert_non_null(sendq_pop(q, 1000, &wait));
		assert_int_equal(wait, 0);
	}
	/* Bucket empty: one line every 2 s. */
	assert_null(sendq_pop(q, 1000, &wait));
	assert_int_equal(wait, 2000);
	assert_null(sendq_pop(q, 2999, &wait));
	assert_int_equal(wait, 1);
	assert_string_equal(sendq_pop(q, 3000, &wait), "PRIVMSG #a :#a 4\r\n");
	assert_null(sendq_pop(q, 3000, &wait));
	assert_int_equal(wait, 2000);
	assert_non_null(sendq_pop(q, 5000, &wait));
	assert_int_equal(sendq_len(q), 4);
	sendq_free(q);
}

static void
test_refill_is_capped(void **state)
{
	struct sendq *q = sendq_new(4, 0.5, 100);
	int64_t wait;
	int i;

	queue_n(q, "#a", 20);
	for (i = 0; i < 4; i++)
		assert_non_null(sendq_pop(q, 0, &wait));
	assert_null(sendq_pop(q, 0, &wait));
	/* An hour idle earns 4 lines, not 1800. */
	for (i = 0; i < 4; i++)
		assert_non_null(sendq_pop(q, 3600000, &wait));
	assert_null(sendq_pop(q, 3600000, &wait));
	assert_int_equal(wait, 2000);

	/* Lowering the burst lowers what is in the bucket too. */
	sendq_set_rate(q, 1, 1.0);
	assert_non_null(sendq_pop(q, 7200000, &wait));
	assert_null(sendq_pop(q, 7200000, &wait));
	assert_int_equal(wait, 1000);
	sendq_free(q);
}

static void
test_fairness(void **state)
{
	struct sendq *q = sendq_new(1000, 1.0, 100);
	const char *l;
	int64_t wait;
	int i, a = 0, b = 0;

	queue_n(q, "#a", 20);
	for (i = 0; i < 3; i++)
		assert_string_equal(sendq_pop(q, 0, &wait),
		    i == 0     ? "PRIVMSG #a :#a 0\r\n" :
		        i == 1 ? "PRIVMSG #a :#a 1\r\n" :
		                 "PRIVMSG #a :#a 2\r\n");
	assert_int_equal(sendq_text(q, "NOTICE", "bob", "your turn"), 0);
	for (i = 0; i < 2; i++)
		b += strcmp(sendq_pop(q, 0, &wait), "NOTICE bob :your turn\r\n") == 0;
	assert_int_equal(b, 1);

	/* Keys compare case-insensitively: "#A" joins the queue of "#a". */
	assert_int_equal(sendq_raw(q, "#A", "MODE #A +o x"), 0);
	assert_int_equal(sendq_text(q, "PRIVMSG", "carol", "hi"), 0);
	while ((l = sendq_pop(q, 0, &wait)) != NULL) {
		if (strcmp(l, "PRIVMSG carol :hi\r\n") == 0)
			b = a;
		else
			a++;
	}
	/* carol came out right after one more #a line, not after all 17. */
	assert_int_equal(b, 1);
	assert_int_equal(a, 17);
	sendq_free(q);
}

static void
test_urgent(void **state)
{
	struct sendq *q = sendq_new(2, 0.5, 100);
	int64_t wait;

	queue_n(q, "#a", 5);
	assert_int_equal(sendq_urgent(q, "PONG :srv"), 0);
	/* Ahead of everything, and it used a token. */
	assert_string_equal(sendq_pop(q, 0, &wait), "PONG :srv\r\n");
	assert_non_null(sendq_pop(q, 0, &wait));
	assert_null(sendq_pop(q, 0, &wait));
	assert_int_equal(wait, 2000);
	/* With the bucket empty it still goes at once. */
	assert_int_equal(sendq_urgent(q, "PONG :again"), 0);
	assert_int_equal(sendq_urgent(q, "QUIT :bye"), 0);
	assert_string_equal(sendq_pop(q, 0, &wait), "PONG :again\r\n");
	assert_int_equal(wait, 0);
	assert_string_equal(sendq_pop(q, 0, &wait), "QUIT :bye\r\n");
	assert_null(sendq_pop(q, 0, &wait));
	/* ... and did not push the bucket into debt. */
	assert_non_null(sendq_pop(q, 2000, &wait));
	sendq_free(q);
}

/* Pop every line of one long text; check each and rebuild the text. */
static char *
drain_text(struct sendq *q, const char *hdr, size_t prefix_len, int *nlines)
{
	size_t hlen = strlen(hdr), total = 0, len, tlen;
	char *all = xmalloc(1);
	const char *l;
	int64_t wait;

	*nlines = 0;
	while ((l = sendq_pop(q, 0, &wait)) != NULL) {
		assert_one_line(l);
		len = strlen(l);
		assert_true(prefix_len + len <= 512);
		assert_memory_equal(l, hdr, hlen);
		tlen = len - hlen - 2;
		assert_true(tlen > 0);
		assert_true(text_valid_utf8(l + hlen, tlen));
		all = xrealloc(all, total + tlen + 1);
		memcpy(all + total, l + hlen, tlen);
		total += tlen;
		(*nlines)++;
	}
	all[total] = '\0';
	return all;
}

static void
test_split_utf8(void **state)
{
	static const char *const pieces[] = { "\xc3\xa9", "\xf0\x9f\x8e\x89", "a",
		"\xe2\x82\xac" };
	struct sendq *q = sendq_new(1000, 1.0, 100);
	char text[2100], *back;
	size_t len = 0, i = 0;
	int n;

	/* 2000 bytes mixing 1-, 2-, 3- and 4-byte characters, no spaces. */
	while (len < 2000) {
		const char *p = pieces[i++ % 4];

		memcpy(text + len, p, strlen(p));
		len += strlen(p);
	}
	text[len] = '\0';

	/* Default prefix allowance is 128 bytes. */
	assert_int_equal(sendq_text(q, "PRIVMSG", "#chan", text), 0);
	back = drain_text(q, "PRIVMSG #chan :", 128, &n);
	assert_string_equal(back, text);
	assert_int_equal(n, 6); /* 2000 bytes in 367-byte pieces, less a few at boundaries */
	free(back);

	sendq_set_prefix_len(q, 60);
	assert_int_equal(sendq_text(q, "NOTICE", "someone", text), 0);
	back = drain_text(q, "NOTICE someone :", 60, &n);
	assert_string_equal(back, text);
	assert_int_equal(n, 5);
	free(back);
	sendq_free(q);
}

static void
test_split_prefers_spaces(void **state)
{
	struct sendq *q = sendq_new(1000, 1.0, 100);
	char text[1200], *back;
	const char *l;
	size_t i;
	int64_t wait;
	int n;

	for (i = 0; i + 10 <= 1000; i += 10)
		memcpy(text + i, "word word ", 10);
	text[i] = '\0';
	assert_int_equal(sendq_text(q, "PRIVMSG", "#c", text), 0);
	/* Every line but the last ends after a space, so no word is split. */
	while ((l = sendq_pop(q, 0, &wait)) != NULL && sendq_len(q) > 0)
		assert_memory_equal(l + strlen(l) - 3, " \r\n", 3);
	sendq_text(q, "PRIVMSG", "#c", text);
	back = drain_text(q, "PRIVMSG #c :", 128, &n);
	assert_string_equal(back, text);
	free(back);
	sendq_free(q);
}

static void
test_injection(void **state)
{
	struct sendq *q = sendq_new(1000, 1.0, 100);
	int64_t wait;

	assert_int_equal(sendq_text(q, "PRIVMSG", "#c", "hi\r\nQUIT :x"), 0);
	assert_int_equal(sendq_text(q, "PRIVMSG", "#c\r\nQUIT :y", "hi"), 0);
	assert_int_equal(sendq_text(q, "PRIVMSG\n", "#c", "\rhi\n"), 0);
	assert_int_equal(sendq_raw(q, "#c", "JOIN #c\r\nQUIT :z"), 0);
	assert_int_equal(sendq_urgent(q, "PONG :x\nQUIT"), 0);
	assert_int_equal(sendq_len(q), 5);

	assert_string_equal(sendq_pop(q, 0, &wait), "PONG :x QUIT\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "PRIVMSG #c :hi  QUIT :x\r\n");
	/* The target with CRLF is its own (odd) key, but still one line. */
	assert_string_equal(sendq_pop(q, 0, &wait), "PRIVMSG #c  QUIT :y :hi\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "PRIVMSG  #c : hi \r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "JOIN #c  QUIT :z\r\n");
	assert_null(sendq_pop(q, 0, &wait));
	sendq_free(q);
}

static void
test_bound(void **state)
{
	struct sendq *q = sendq_new(4, 0.5, 5);
	char big[2000];
	int64_t wait;
	int i;

	/* 2000 bytes need 6 lines: dropped whole, nothing queued. */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(sendq_text(q, "PRIVMSG", "#c", big), -1);
	assert_int_equal(sendq_len(q), 0);
	assert_null(sendq_pop(q, 0, &wait));

	queue_n(q, "#c", 4);
	assert_int_equal(sendq_text(q, "PRIVMSG", "#c", big + 1000), -1); /* 3 lines */
	assert_int_equal(sendq_raw(q, "#d", "JOIN #d"), 0);
	/* Full: #d, with less queued, takes the room of #c's newest line ... */
	assert_int_equal(sendq_raw(q, "#d", "JOIN #e"), 0);
	/* ... but #c cannot take it back from #d, which has fewer. */
	assert_int_equal(sendq_text(q, "PRIVMSG", "#c", "one more"), -1);
	assert_int_equal(sendq_len(q), 5);
	/* Urgent lines have their own room. */
	assert_int_equal(sendq_urgent(q, "PONG :x"), 0);
	assert_int_equal(sendq_len(q), 6);

	/* A target that leaves no room for text is refused. */
	memset(big, 't', 400);
	big[400] = '\0';
	sendq_clear(q);
	assert_int_equal(sendq_text(q, "PRIVMSG", big, "hi"), -1);
	assert_int_equal(sendq_text(q, "PRIVMSG", "#c", ""), 0);
	assert_int_equal(sendq_len(q), 0);

	/* Clearing empties everything and refills the bucket. */
	queue_n(q, "#c", 5);
	for (i = 0; i < 4; i++)
		assert_non_null(sendq_pop(q, 0, &wait));
	assert_null(sendq_pop(q, 0, &wait));
	sendq_clear(q);
	assert_int_equal(sendq_len(q), 0);
	assert_null(sendq_pop(q, 0, &wait));
	assert_int_equal(wait, -1);
	queue_n(q, "#c", 4);
	for (i = 0; i < 4; i++)
		assert_non_null(sendq_pop(q, 0, &wait));
	sendq_free(q);
}

/* Review scenario (issue 12): ten people asking `events` (16 lines) every second. */
static void
test_ten_flooders_one_quiet(void **state)
{
	struct sendq *q = sendq_new(1, 1.0, 5000);
	char target[32], text[32];
	const char *l;
	int64_t now, wait, asked = -1, answered = -1;
	int f, i;

	for (now = 0; now <= 120000; now += 1000) {
		for (f = 0; f < 10 && now <= 90000; f++) {
			snprintf(target, sizeof target, "flood%d", f);
			for (i = 0; i < 16; i++) {
				snprintf(text, sizeof text, "event %d", i);
				sendq_text(q, "NOTICE", target, text);
			}
		}
		if (now == 60000) { /* long after every flooder reached its share */
			assert_int_equal(sendq_text(q, "NOTICE", "quiet", "Convene 1.0"),
			    0);
			asked = now;
		}
		/* One line a second goes out, as the bucket allows. */
		while ((l = sendq_pop(q, now, &wait)) != NULL) {
			if (strcmp(l, "NOTICE quiet :Convene 1.0\r\n") == 0)
				answered = now;
		}
		assert_true(sendq_len(q) <= 10 * SENDQ_TARGET_MAX + 1);
	}
	assert_true(answered >= asked);
	/* Behind at most one line of each flooder: about ten seconds. */
	assert_true(answered - asked <= 11000);
	sendq_free(q);
}

static void
test_target_cap(void **state)
{
	struct sendq *q = sendq_new(1000, 1.0, 5000);
	char two[800];
	int64_t wait;

	queue_n(q, "a", SENDQ_TARGET_MAX);
	/* Beyond its share: new texts are refused, the queued ones stay. */
	assert_int_equal(sendq_text(q, "NOTICE", "a", "one too many"), -1);
	assert_int_equal(sendq_raw(q, "A", "MODE a"), -1);
	assert_int_equal(sendq_len(q), SENDQ_TARGET_MAX);
	/* Others still have their share. */
	assert_int_equal(sendq_text(q, "NOTICE", "b", "hello"), 0);
	assert_string_equal(sendq_pop(q, 0, &wait), "PRIVMSG a :a 0\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE b :hello\r\n");
	/* Room for one line again, not for a text of two: refused whole. */
	memset(two, 'x', sizeof two - 1);
	two[sizeof two - 1] = '\0';
	assert_int_equal(sendq_text(q, "NOTICE", "a", two), -1);
	assert_int_equal(sendq_text(q, "NOTICE", "a", "one"), 0);
	assert_int_equal(sendq_len(q), SENDQ_TARGET_MAX);
	sendq_free(q);
}

/* With the whole queue full, a quiet target takes room from the biggest. */
static void
test_full_queue_fair_share(void **state)
{
	struct sendq *q = sendq_new(1000, 1.0, 10);
	char three[900], text[32];
	const char *l;
	int64_t wait;
	int n;

	memset(three, 'y', sizeof three - 1);
	three[sizeof three - 1] = '\0';
	queue_n(q, "a", 5);
	assert_int_equal(sendq_text(q, "NOTICE", "a", three), 0); /* 3 lines */
	queue_n(q, "b", 2);
	assert_int_equal(sendq_len(q), 10);
	/* a has the most: its newest text goes whole, all three lines. */
	assert_int_equal(sendq_text(q, "NOTICE", "c", "quiet"), 0);
	assert_int_equal(sendq_len(q), 8);
	assert_int_equal(sendq_text(q, "NOTICE", "c", "again"), 0);
	assert_int_equal(sendq_text(q, "NOTICE", "c", "and again"), 0);
	assert_int_equal(sendq_len(q), 10);
	/* Full, a has 5 and c 3: c may grow while a has more than c would. */
	assert_int_equal(sendq_text(q, "NOTICE", "c", "fourth"), 0);
	assert_int_equal(sendq_len(q), 10);
	/* a 4, c 4: no further. */
	assert_int_equal(sendq_text(q, "NOTICE", "c", "fifth"), -1);
	assert_int_equal(sendq_text(q, "NOTICE", "c", three), -1);
	/* What a kept is its oldest lines, in order. */
	for (n = 0; (l = sendq_pop(q, 0, &wait)) != NULL;) {
		if (strncmp(l, "PRIVMSG a :", 11) == 0) {
			snprintf(text, sizeof text, "PRIVMSG a :a %d\r\n", n++);
			assert_string_equal(l, text);
		}
	}
	assert_int_equal(n, 4);
	sendq_free(q);

	/* A text partly sent is never cut: a keeps the rest of its text. */
	q = sendq_new(1000, 1.0, 3);
	assert_int_equal(sendq_text(q, "NOTICE", "a", three), 0);
	assert_non_null(sendq_pop(q, 0, &wait));
	assert_int_equal(sendq_text(q, "NOTICE", "b", "b"), 0);
	assert_int_equal(sendq_text(q, "NOTICE", "c", "c"), -1);
	for (n = 0; (l = sendq_pop(q, 0, &wait)) != NULL; n++)
		if (strncmp(l, "NOTICE a :", 10) == 0)
			assert_int_equal(l[10], 'y');
	assert_int_equal(n, 3);
	sendq_free(q);
}

/* The bot's own lines go ahead of answers, paced, and never shut answers out. */
static void
test_own_priority(void **state)
{
	struct sendq *q = sendq_new(1, 1.0, 5);
	int64_t wait;

	queue_n(q, "a", 5);
	queue_n(q, "b", 1); /* the whole queue is full of answers (b took a's last) ... */
	assert_int_equal(sendq_len(q), 5);
	/* ... and our own lines still have room. */
	assert_int_equal(sendq_own(q, "WHOIS carol"), 0);
	assert_int_equal(sendq_own(q, "JOIN #x"), 0);
	assert_int_equal(sendq_own(q, "JOIN #y"), 0);
	assert_string_equal(sendq_pop(q, 0, &wait), "WHOIS carol\r\n");
	/* Paced like answers. */
	assert_null(sendq_pop(q, 0, &wait));
	assert_int_equal(wait, 1000);
	/* While answers wait, ours and theirs alternate. */
	assert_string_equal(sendq_pop(q, 1000, &wait), "PRIVMSG a :a 0\r\n");
	assert_string_equal(sendq_pop(q, 2000, &wait), "JOIN #x\r\n");
	assert_string_equal(sendq_pop(q, 3000, &wait), "PRIVMSG b :b 0\r\n");
	assert_string_equal(sendq_pop(q, 4000, &wait), "JOIN #y\r\n");
	assert_int_equal(sendq_len(q), 3);
	/* Urgent still jumps everything. */
	assert_int_equal(sendq_own(q, "WHOIS dave"), 0);
	assert_int_equal(sendq_urgent(q, "PONG :s"), 0);
	assert_string_equal(sendq_pop(q, 4000, &wait), "PONG :s\r\n");
	assert_string_equal(sendq_pop(q, 5000, &wait), "PRIVMSG a :a 1\r\n");
	assert_string_equal(sendq_pop(q, 6000, &wait), "WHOIS dave\r\n");
	/* With no answers waiting, ours go one after another. */
	sendq_clear(q);
	assert_int_equal(sendq_own(q, "JOIN #x"), 0);
	assert_int_equal(sendq_own(q, "JOIN #y"), 0);
	assert_string_equal(sendq_pop(q, 0, &wait), "JOIN #x\r\n");
	assert_string_equal(sendq_pop(q, 1000, &wait), "JOIN #y\r\n");
	/* Bounded on their own. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(sendq_own(q, "WHOIS x"), 0);
	assert_int_equal(sendq_own(q, "WHOIS x"), -1);
	sendq_free(q);
}

/* Identical NOTICEs to several people go as one line, up to TARGMAX. */
static void
test_pack(void **state)
{
	struct sendq *q = sendq_new(1000, 1.0, 1000);
	int64_t wait;
	char nick[16];
	int i;

	sendq_set_pack(q, 4);
	for (i = 0; i < 6; i++) {
		snprintf(nick, sizeof nick, "p%d", i);
		assert_int_equal(sendq_text(q, "NOTICE", nick, "#1 Talk: confirmed."), 0);
	}
	assert_string_equal(sendq_pop(q, 0, &wait),
	    "NOTICE p0,p1,p2,p3 :#1 Talk: confirmed.\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait),
	    "NOTICE p4,p5 :#1 Talk: confirmed.\r\n");
	assert_null(sendq_pop(q, 0, &wait));
	assert_int_equal(sendq_len(q), 0);

	/* Never across different texts, nor PRIVMSG, nor one person twice. */
	assert_int_equal(sendq_text(q, "NOTICE", "a", "same"), 0);
	assert_int_equal(sendq_text(q, "NOTICE", "a", "same"), 0);
	assert_int_equal(sendq_text(q, "NOTICE", "b", "position 1"), 0);
	assert_int_equal(sendq_text(q, "NOTICE", "c", "position 2"), 0);
	assert_int_equal(sendq_text(q, "PRIVMSG", "d", "same"), 0);
	assert_int_equal(sendq_text(q, "NOTICE", "e", "same"), 0);
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE a,e :same\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE b :position 1\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE c :position 2\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "PRIVMSG d :same\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE a :same\r\n");
	assert_null(sendq_pop(q, 0, &wait));

	/* Only heads: a person's earlier line keeps its place before the shared one. */
	assert_int_equal(sendq_text(q, "NOTICE", "a", "shared"), 0);
	assert_int_equal(sendq_text(q, "NOTICE", "b", "first for b"), 0);
	assert_int_equal(sendq_text(q, "NOTICE", "b", "shared"), 0);
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE a :shared\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE b :first for b\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE b :shared\r\n");

	/* Without TARGMAX, one target a line. */
	sendq_set_pack(q, 0);
	assert_int_equal(sendq_text(q, "NOTICE", "a", "x"), 0);
	assert_int_equal(sendq_text(q, "NOTICE", "b", "x"), 0);
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE a :x\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE b :x\r\n");
	sendq_free(q);
}

/* A packed line never exceeds 512 bytes; what does not fit waits its turn. */
static void
test_pack_512(void **state)
{
	struct sendq *q = sendq_new(1000, 1.0, 1000);
	char text[512], nick[48];
	const char *l;
	int64_t wait;
	size_t n = 0;
	int i, lines = 0;

	sendq_set_prefix_len(q, 60);
	sendq_set_pack(q, 20);
	memset(text, 'x', 400);
	text[400] = '\0';
	for (i = 0; i < 10; i++) {
		snprintf(nick, sizeof nick, "person%02d_with_a_long_nick", i);
		assert_int_equal(sendq_text(q, "NOTICE", nick, text), 0);
	}
	while ((l = sendq_pop(q, 0, &wait)) != NULL) {
		assert_one_line(l);
		assert_true(strlen(l) <= 512);
		n += 1 + count_commas(l);
		lines++;
	}
	assert_int_equal(n, 10);
	assert_true(lines > 1 && lines < 10);
	sendq_free(q);
}

/* Packing keeps round-robin fairness: a flooder's lines still take turns. */
static void
test_pack_fair(void **state)
{
	struct sendq *q = sendq_new(1000, 1.0, 1000);
	int64_t wait;

	sendq_set_pack(q, 4);
	queue_n(q, "flood", 10);
	assert_int_equal(sendq_text(q, "NOTICE", "a", "ok"), 0);
	assert_int_equal(sendq_text(q, "NOTICE", "b", "ok"), 0);
	assert_string_equal(sendq_pop(q, 0, &wait), "PRIVMSG flood :flood 0\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE a,b :ok\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "PRIVMSG flood :flood 1\r\n");
	assert_int_equal(sendq_len(q), 8);
	/* Packed lines count as each person's answer sent. */
	while (sendq_pop(q, 0, &wait) != NULL)
		;
	assert_int_equal(sendq_len(q), 0);
	sendq_free(q);
}

/*
 * Random queues with packing on: every queued line reaches each of its
 * people exactly once, in the order queued for them, within 512 bytes.
 */
static void
test_pack_random(void **state)
{
	enum { NT = 12, NL = 600 };
	static int want[NT][NL], nwant[NT], ngot[NT];
	struct sendq *q = sendq_new(3, 1000.0, 100000);
	const char *texts[] = { "confirmed.", "waitlist 1", "confirmed.", "help", "x" };
	const char *l;
	int64_t wait, now = 0;
	char nick[8], text[32];
	int i, k;

	srandom(17);
	sendq_set_pack(q, 4);
	for (i = 0; i < NL; i++) {
		k = random() % NT;
		snprintf(nick, sizeof nick, "n%d", k);
		/* Texts are told apart by their first letter; most are shared. */
		snprintf(text, sizeof text, "%s", texts[random() % 5]);
		if (nwant[k] >= SENDQ_TARGET_MAX - 1)
			continue;
		assert_int_equal(sendq_text(q, "NOTICE", nick, text), 0);
		want[k][nwant[k]++] = (int)(strchr("cwchx", text[0]) - "cwchx");
		/* Drain a little between bursts of queueing. */
		while (random() % 3 == 0 && (l = sendq_pop(q, now, &wait)) != NULL) {
			const char *sp = strchr(l + 7, ' '), *p = l + 7;

			assert_one_line(l);
			assert_true(strlen(l) <= 512);
			assert_int_equal(strncmp(l, "NOTICE ", 7), 0);
			while (p < sp) {
				int who = atoi(p + 1),
				    what = (int)(strchr("cwchx", sp[2]) - "cwchx");

				assert_true(ngot[who] < nwant[who]);
				assert_int_equal(what, want[who][ngot[who]]);
				ngot[who]++;
				p += strcspn(p, ", ") + (p[strcspn(p, ", ")] == ',');
			}
			now += 1;
		}
	}
	while ((l = sendq_pop(q, now++, &wait)) != NULL) {
		const char *sp = strchr(l + 7, ' '), *p = l + 7;

		assert_true(strlen(l) <= 512);
		while (p < sp) {
			int who = atoi(p + 1);

			assert_true(ngot[who] < nwant[who]);
			ngot[who]++;
			p += strcspn(p, ", ") + (p[strcspn(p, ", ")] == ',');
		}
	}
	for (k = 0; k < NT; k++)
		assert_int_equal(ngot[k], nwant[k]);
	assert_int_equal(sendq_len(q), 0);
	sendq_free(q);
}

/* Lines before registration jump the queue and take no token. */
static void
test_login_free(void **state)
{
	struct sendq *q = sendq_new(2, 0.1, 100);
	int64_t wait;

	assert_int_equal(sendq_login(q, "CAP LS 302"), 0);
	assert_int_equal(sendq_login(q, "NICK convene"), 0);
	assert_int_equal(sendq_login(q, "USER convene 0 * :x"), 0);
	assert_int_equal(sendq_login(q, "CAP END"), 0);
	for (int i = 0; i < 4; i++)
		assert_non_null(sendq_pop(q, 0, &wait));
	/* The whole burst is left for the JOIN and the first answer. */
	assert_int_equal(sendq_own(q, "JOIN #events"), 0);
	assert_int_equal(sendq_text(q, "NOTICE", "a", "hi"), 0);
	assert_string_equal(sendq_pop(q, 0, &wait), "JOIN #events\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "NOTICE a :hi\r\n");
	assert_null(sendq_pop(q, 0, &wait));
	sendq_free(q);
}

/* Housekeeping goes after every answer and own line. */
static void
test_housekeeping_last(void **state)
{
	struct sendq *q = sendq_new(1000, 1.0, 100);
	int64_t wait;

	assert_int_equal(sendq_housekeeping(q, "NICK convene"), 0);
	queue_n(q, "a", 2);
	assert_int_equal(sendq_own(q, "WHOIS b"), 0);
	assert_string_equal(sendq_pop(q, 0, &wait), "WHOIS b\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "PRIVMSG a :a 0\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "PRIVMSG a :a 1\r\n");
	assert_string_equal(sendq_pop(q, 0, &wait), "NICK convene\r\n");
	assert_null(sendq_pop(q, 0, &wait));
	assert_int_equal(wait, -1);
	sendq_clear(q);
	assert_int_equal(sendq_len(q), 0);
	sendq_free(q);
}

/* Run fn with stderr going to a string (the caller frees it). */
static char *
stderr_of(void (*fn)(struct sendq *), struct sendq *q)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	long len;
	char *out;

	assert_non_null(tmp);
	(void)fflush(stderr);
	dup2(fileno(tmp), 2);
	fn(q);
	(void)fflush(stderr);
	dup2(saved, 2);
	close(saved);
	len = ftell(tmp);
	out = xmalloc(len + 1);
	rewind(tmp);
	assert_int_equal(fread(out, 1, len, tmp), len);
	out[len] = '\0';
	(void)fclose(tmp);
	return out;
}

static int
count_of(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

/* One flooder over its share, another refused by a full queue, then all drained. */
static void
flood_and_drain(struct sendq *q)
{
	int64_t wait;
	int i;

	for (i = 0; i < 1000; i++)
		sendq_text(q, "NOTICE", "flooder", "line");
	for (i = 0; i < 500; i++)
		sendq_text(q, "NOTICE", "other", "line");
	for (i = 0; i < 10; i++) /* draining half-way ends nothing */
		sendq_pop(q, 0, &wait);
	sendq_text(q, "NOTICE", "flooder", "line");
	while (sendq_pop(q, 0, &wait) != NULL)
		;
}

static void
test_full_logged_once(void **state)
{
	struct sendq *q = sendq_new(1000, 1.0, 5000);
	char *log, want[64];

	log = stderr_of(flood_and_drain, q);
	assert_int_equal(count_of(log, "queue full"), 1);
	assert_int_equal(count_of(log, "drained"), 1);
	snprintf(want, sizeof want, "drained: %d line(s)",
	    1000 + 500 - 2 * SENDQ_TARGET_MAX);
	assert_non_null(strstr(log, want));
	assert_true(strstr(log, "queue full") < strstr(log, "drained"));
	free(log);
	/* A new episode is logged again. */
	log = stderr_of(flood_and_drain, q);
	assert_int_equal(count_of(log, "queue full"), 1);
	assert_int_equal(count_of(log, "drained"), 1);
	free(log);
	sendq_free(q);
}

static void
test_no_pacing(void **state)
{
	struct sendq *q = sendq_new(1, 0, 100);
	int64_t wait;
	int i;

	queue_n(q, "#c", 10);
	for (i = 0; i < 10; i++)
		assert_non_null(sendq_pop(q, 0, &wait));
	assert_null(sendq_pop(q, 0, &wait));
	assert_int_equal(wait, -1);
	sendq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_pacing),
		cmocka_unit_test(test_refill_is_capped),
		cmocka_unit_test(test_fairness),
		cmocka_unit_test(test_urgent),
		cmocka_unit_test(test_split_utf8),
		cmocka_unit_test(test_split_prefers_spaces),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_no_pacing),
		cmocka_unit_test(test_ten_flooders_one_quiet),
		cmocka_unit_test(test_target_cap),
		cmocka_unit_test(test_full_queue_fair_share),
		cmocka_unit_test(test_own_priority),
		cmocka_unit_test(test_full_logged_once),
		cmocka_unit_test(test_pack),
		cmocka_unit_test(test_pack_512),
		cmocka_unit_test(test_pack_fair),
		cmocka_unit_test(test_pack_random),
		cmocka_unit_test(test_login_free),
		cmocka_unit_test(test_housekeeping_last),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
