/*
 * sendq.c: the one outgoing queue, paced by a token bucket, fair by target.
 * Identical NOTICEs are packed in sendq_pack.c (shared: sendq_priv.h).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "sendq.h"
#include "sendq_priv.h"
#include "text.h"
#include "util.h"

#define PREFIX_LEN_DEFAULT 128 /* until we know our own nick!user@host */

static void
list_push(struct sq_list *l, struct sq_line *ln)
{
	ln->next = NULL;
	if (l->tail != NULL)
		l->tail->next = ln;
	else
		l->head = ln;
	l->tail = ln;
}

static struct sq_line *
list_shift(struct sq_list *l)
{
	struct sq_line *ln = l->head;

	if (ln != NULL && (l->head = ln->next) == NULL)
		l->tail = NULL;
	return ln;
}

static void
list_free(struct sq_list *l)
{
	struct sq_line *ln;

	while ((ln = list_shift(l)) != NULL)
		free(ln);
}

/* A queued line from pieces, with CRLF appended. */
static struct sq_line *
line_new(const char *a, size_t alen, const char *b, size_t blen)
{
	struct sq_line *ln = xmalloc(sizeof *ln + alen + blen + 3);

	memcpy(ln->buf, a, alen);
	memcpy(ln->buf + alen, b, blen);
	memcpy(ln->buf + alen + blen, "\r\n", 3);
	ln->len = alen + blen + 2;
	ln->first = true;
	ln->free = false;
	ln->at = loop_now();
	return ln;
}

/* A copy of s without CR, LF or NUL, so nothing interpolated adds a line. */
static char *
strip_copy(const char *s, size_t *len)
{
	char *c = xstrdup(s);

	*len = strlen(c);
	text_strip_crlf(c, len);
	return c;
}

/* Fairness keys are compared as ASCII, whatever the locale. */
int
key_cmp(const char *a, const char *b)
{
	unsigned char ca, cb;

	do {
		ca = (unsigned char)*a++;
		cb = (unsigned char)*b++;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
	} while (ca == cb && ca != '\0');
	return ca - cb;
}

static struct sq_target *
target_find(struct sendq *q, const char *key)
{
	struct sq_target *t;

	for (t = q->rr_head; t != NULL; t = t->next) {
		if (key_cmp(t->key, key) == 0)
			return t;
	}
	return NULL;
}

/* The target's place in the rotation; a new target joins at the end. */
static struct sq_target *
target_get(struct sendq *q, const char *key)
{
	struct sq_target *t = target_find(q, key);

	if (t != NULL)
		return t;
	t = xcalloc(1, sizeof *t);
	t->key = xstrdup(key);
	if (q->rr_tail != NULL)
		q->rr_tail->next = t;
	else
		q->rr_head = t;
	q->rr_tail = t;
	return t;
}

/* A target out of the rotation (the caller unlinked it) with its lines. */
static void
target_free(struct sendq *q, struct sq_target *t)
{
	if (t->over)
		q->nover--;
	q->nlines -= t->n;
	list_free(&t->lines);
	free(t->key);
	free(t);
}

/* Take t out of the rotation wherever it is, and free it. */
static void
target_remove(struct sendq *q, struct sq_target *t)
{
	struct sq_target **pp, *prev = NULL;

	for (pp = &q->rr_head; *pp != t; pp = &(*pp)->next)
		prev = *pp;
	*pp = t->next;
	if (q->rr_tail == t)
		q->rr_tail = prev;
	target_free(q, t);
}

/*
 * Count n dropped lines to `to` (t: its target, or NULL when it has none).
 * Only the first drop of an episode is logged; drained() logs the total.
 */
static void
dropped(struct sendq *q, struct sq_target *t, size_t n, const char *to)
{
	if (!q->full)
		log_warn("send queue full: dropping lines (first to %.64s) until it drains",
		    to);
	q->full = true;
	q->ndropped += n;
	if (t != NULL && !t->over) {
		t->over = true;
		q->nover++;
	}
}

/* The episode ends when every target that lost lines has drained. */
static void
drained(struct sendq *q)
{
	if (!q->full || q->nover > 0)
		return;
	log_warn("send queue drained: %zu line(s) were dropped while it was full",
	    q->ndropped);
	q->full = false;
	q->ndropped = 0;
}

/*
 * Drop v's newest whole text (never one partly sent). Returns the lines
 * dropped, 0 when there is none; v is freed when it is left empty.
 */
static size_t
drop_newest(struct sendq *q, struct sq_target *v)
{
	struct sq_line *ln, *start = NULL, *before = NULL, *prev = NULL;
	size_t k = 0;

	for (ln = v->lines.head; ln != NULL; prev = ln, ln = ln->next) {
		if (ln->first) {
			start = ln;
			before = prev;
		}
	}
	if (start == NULL)
		return 0;
	for (; start != NULL; start = ln, k++) {
		ln = start->next;
		free(start);
	}
	if (before != NULL)
		before->next = NULL;
	else
		v->lines.head = NULL;
	v->lines.tail = before;
	v->n -= k;
	q->nlines -= k;
	dropped(q, v, k, v->key);
	if (v->n == 0)
		target_remove(q, v);
	return k;
}

/*
 * May `need` more lines be queued for key? Within the target's share, and
 * while the whole queue is full, by taking room from the target with the
 * most lines (its newest texts) as long as it has more than key would.
 * Refused lines are counted. *tp is key's target, created when admitted.
 */
static int
admit(struct sendq *q, const char *key, size_t need, struct sq_target **tp)
{
	struct sq_target *t = target_find(q, key), *v, *p;
	size_t have = t != NULL ? t->n : 0;

	if (have + need > SENDQ_TARGET_MAX)
		goto refuse;
	while (q->nlines + need > q->max_lines) {
		v = NULL;
		for (p = q->rr_head; p != NULL; p = p->next)
			if (p != t && (v == NULL || p->n > v->n))
				v = p;
		if (v == NULL || v->n <= have + need || drop_newest(q, v) == 0)
			goto refuse;
	}
	*tp = t != NULL ? t : target_get(q, key);
	return 0;
refuse:
	dropped(q, t, need, key);
	return -1;
}

/* The queue the metrics describe: the bot has one, the last made. */
static const struct sendq *watched;

struct sendq *
sendq_new(unsigned burst, double rate, size_t max_lines)
{
	struct sendq *q = xcalloc(1, sizeof *q);

	watched = q;
	q->max_lines = max_lines;
	q->prefix_len = PREFIX_LEN_DEFAULT;
	sendq_set_rate(q, burst, rate);
	q->tokens = q->burst;
	return q;
}

void
sendq_clear(struct sendq *q)
{
	struct sq_target *t;

	list_free(&q->urgent);
	q->nurgent = 0;
	list_free(&q->own);
	q->nown = 0;
	q->own_last = false;
	list_free(&q->later);
	q->nlater = 0;
	while ((t = q->rr_head) != NULL) {
		q->rr_head = t->next;
		target_free(q, t);
	}
	q->rr_tail = NULL;
	drained(q);
	free(q->popped);
	q->popped = NULL;
	/* A new connection starts with the server's flood counter at zero. */
	q->tokens = q->burst;
	q->started = false;
}

void
sendq_free(struct sendq *q)
{
	if (q == NULL)
		return;
	if (watched == q)
		watched = NULL;
	sendq_clear(q);
	free(q);
}

void
sendq_set_rate(struct sendq *q, unsigned burst, double rate)
{
	/* A bucket that holds no token would never send anything. */
	q->burst = burst > 0 ? burst : 1;
	q->rate = rate;
	if (q->tokens > q->burst)
		q->tokens = q->burst;
}

void
sendq_set_prefix_len(struct sendq *q, size_t n)
{
	q->prefix_len = n;
}

/* A raw line, stripped and cut to what a server accepts from us. */
static struct sq_line *
raw_line(const char *line)
{
	struct sq_line *ln;
	size_t len;
	char *c = strip_copy(line, &len);

	len = text_cut_utf8(c, len, IRC_LINE_MAX - 2);
	ln = len > 0 ? line_new(c, len, "", 0) : NULL;
	free(c);
	return ln;
}

int
sendq_urgent(struct sendq *q, const char *line)
{
	struct sq_line *ln;

	/* Urgent lines have their own bound: a full text queue must not stop a PONG. */
	if (q->nurgent >= q->max_lines) {
		dropped(q, NULL, 1, "the server");
		return -1;
	}
	if ((ln = raw_line(line)) == NULL)
		return -1;
	list_push(&q->urgent, ln);
	q->nurgent++;
	return 0;
}

int
sendq_login(struct sendq *q, const char *line)
{
	if (sendq_urgent(q, line) < 0)
		return -1;
	q->urgent.tail->free = true;
	return 0;
}

int
sendq_housekeeping(struct sendq *q, const char *line)
{
	struct sq_line *ln;

	if (q->nlater >= q->max_lines) {
		dropped(q, NULL, 1, "the server");
		return -1;
	}
	if ((ln = raw_line(line)) == NULL)
		return -1;
	list_push(&q->later, ln);
	q->nlater++;
	return 0;
}

void
sendq_set_pack(struct sendq *q, unsigned targets)
{
	q->pack = targets;
}

int
sendq_own(struct sendq *q, const char *line)
{
	struct sq_line *ln;

	/* Their own bound too: answers must not crowd out a WHOIS or a JOIN. */
	if (q->nown >= q->max_lines) {
		dropped(q, NULL, 1, "the server");
		return -1;
	}
	if ((ln = raw_line(line)) == NULL)
		return -1;
	list_push(&q->own, ln);
	q->nown++;
	return 0;
}

int
sendq_raw(struct sendq *q, const char *key, const char *line)
{
	struct sq_target *t;
	struct sq_line *ln;

	if ((ln = raw_line(line)) == NULL)
		return -1;
	if (admit(q, key, 1, &t) < 0) {
		free(ln);
		return -1;
	}
	list_push(&t->lines, ln);
	t->n++;
	q->nlines++;
	metrics_inc(M_LINES_QUEUED);
	return 0;
}

int
sendq_text(struct sendq *q, const char *cmd, const char *target, const char *text)
{
	struct sq_target *t;
	char *c, *tg, *tx, *hdr = NULL;
	size_t clen, tglen, txlen, hlen, room, off, n, count = 0;
	int ret = -1;

	c = strip_copy(cmd, &clen);
	tg = strip_copy(target, &tglen);
	tx = strip_copy(text, &txlen);
	if (clen == 0 || tglen == 0)
		goto out;
	if (txlen == 0) {
		ret = 0; /* nothing to say; an empty message is an error numeric */
		goto out;
	}
	hdr = xasprintf("%s %s :", c, tg);
	hlen = strlen(hdr);

	/* What is left of 512 bytes once the server puts its prefix in front. */
	if (q->prefix_len + hlen + 2 + 4 > IRC_LINE_MAX) {
		log_warn("sendq: target too long to send to: %.64s", tg);
		goto out;
	}
	room = IRC_LINE_MAX - q->prefix_len - hlen - 2;

	/* Count first: a text that does not fit whole is not sent in part. */
	for (off = 0; off < txlen; off += text_cut(tx + off, txlen - off, room))
		count++;
	if (admit(q, tg, count, &t) < 0)
		goto out;

	for (off = 0; off < txlen; off += n) {
		struct sq_line *ln;

		n = text_cut(tx + off, txlen - off, room);
		ln = line_new(hdr, hlen, tx + off, n);
		ln->first = off == 0;
		list_push(&t->lines, ln);
	}
	t->n += count;
	q->nlines += count;
	for (n = 0; n < count; n++)
		metrics_inc(M_LINES_QUEUED);
	ret = 0;
out:
	free(hdr);
	free(tx);
	free(tg);
	free(c);
	return ret;
}

static void
refill(struct sendq *q, int64_t now_ms)
{
	if (q->started && now_ms > q->last_ms && q->rate > 0) {
		q->tokens += (double)(now_ms - q->last_ms) * q->rate / 1000.0;
		if (q->tokens > q->burst)
			q->tokens = q->burst;
	}
	if (!q->started || now_ms > q->last_ms)
		q->last_ms = now_ms;
	q->started = true;
}

/* Tolerance for the rounding of repeated refills. */
#define TOKEN_EPSILON 1e-9

/* Housekeeping waits behind answers, but not for ever. */
#define LATER_MAX_WAIT_MS 120000

/* Take t's head line; t goes to the back of the rotation, or leaves when done. */
struct sq_line *
take_head(struct sendq *q, struct sq_target *t, struct sq_target *prev)
{
	struct sq_line *ln = list_shift(&t->lines);

	metrics_inc(M_LINES_SENT);
	t->n--;
	q->nlines--;
	if (prev != NULL)
		prev->next = t->next;
	else
		q->rr_head = t->next;
	if (q->rr_tail == t)
		q->rr_tail = prev;
	if (t->lines.head != NULL) {
		t->next = NULL;
		if (q->rr_tail != NULL)
			q->rr_tail->next = t;
		else
			q->rr_head = t;
		q->rr_tail = t;
	} else {
		target_free(q, t);
	}
	return ln;
}

const char *
sendq_pop(struct sendq *q, int64_t now_ms, int64_t *wait_ms)
{
	struct sq_target *t;
	struct sq_line *ln;
	int64_t wait = -1;
	bool later;
	char *key;

	free(q->popped);
	q->popped = NULL;
	refill(q, now_ms);

	if ((ln = list_shift(&q->urgent)) != NULL) {
		q->nurgent--;
		if (!ln->free && q->tokens >= 1 - TOKEN_EPSILON)
			q->tokens -= 1;
		goto done;
	}
	t = q->rr_head;
	if (t == NULL && q->own.head == NULL && q->later.head == NULL)
		goto done;
	/* rate <= 0 turns pacing off. */
	if (q->tokens < 1 - TOKEN_EPSILON && q->rate > 0) {
		wait = (int64_t)ceil((1 - q->tokens) * 1000.0 / q->rate);
		if (wait < 1)
			wait = 1;
		goto done;
	}
	if (q->tokens >= 1 - TOKEN_EPSILON)
		q->tokens -= 1;

	/*
	 * Our own lines first, but alternating with answers while both wait;
	 * housekeeping after both, unless it has waited too long (then it
	 * takes turns like our own lines).
	 */
	later =
	    q->later.head != NULL && loop_now() - q->later.head->at >= LATER_MAX_WAIT_MS;
	if ((q->own.head != NULL || later) && (t == NULL || !q->own_last)) {
		if (q->own.head != NULL) {
			ln = list_shift(&q->own);
			q->nown--;
		} else {
			ln = list_shift(&q->later);
			q->nlater--;
		}
		q->own_last = true;
		goto done;
	}
	if (t == NULL) {
		ln = list_shift(&q->later);
		q->nlater--;
		goto done;
	}
	q->own_last = false;
	key = xstrdup(t->key);
	ln = pack(q, take_head(q, t, NULL), key);
	free(key);
done:
	drained(q);
	if (wait_ms != NULL)
		*wait_ms = ln != NULL ? 0 : wait;
	q->popped = ln;
	return ln != NULL ? ln->buf : NULL;
}

void
sendq_state(size_t *depth, int64_t *oldest)
{
	const struct sq_target *t;

	*depth = 0;
	*oldest = -1;
	if (watched == NULL)
		return;
	*depth = sendq_len(watched);
	/* Each list is in the order queued: its head is its oldest. */
	if (watched->urgent.head != NULL)
		*oldest = watched->urgent.head->at;
	if (watched->own.head != NULL && (*oldest < 0 || watched->own.head->at < *oldest))
		*oldest = watched->own.head->at;
	if (watched->later.head != NULL &&
	    (*oldest < 0 || watched->later.head->at < *oldest))
		*oldest = watched->later.head->at;
	for (t = watched->rr_head; t != NULL; t = t->next)
		if (t->lines.head != NULL && (*oldest < 0 || t->lines.head->at < *oldest))
			*oldest = t->lines.head->at;
}

size_t
sendq_len(const struct sendq *q)
{
	return q->nlines + q->nurgent + q->nown + q->nlater;
}
