/* sendq.c: the one outgoing queue, paced by a token bucket, fair by target. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sendq.h"
#include "text.h"
#include "util.h"

#define IRC_LINE_MAX 512	/* with CRLF, as the server relays it */
#define PREFIX_LEN_DEFAULT 128	/* until we know our own nick!user@host */

struct sq_line {
	struct sq_line	*next;
	size_t		 len;
	char		 buf[];	/* the line with CRLF, NUL-terminated */
};

struct sq_list {
	struct sq_line	*head, *tail;
};

/* One target's lines; the targets with lines form the round-robin. */
struct sq_target {
	struct sq_target *next;
	char		 *key;
	struct sq_list	  lines;
};

struct sendq {
	unsigned	 burst;
	double		 rate;		/* lines per second */
	size_t		 max_lines;
	size_t		 prefix_len;

	double		 tokens;
	int64_t		 last_ms;
	bool		 started;	/* last_ms is meaningful */

	struct sq_list	 urgent;
	size_t		 nurgent;
	struct sq_target *rr_head, *rr_tail;
	size_t		 nlines;

	struct sq_line	*popped;	/* returned by the last sendq_pop */
};

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
static int
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

/* The target's place in the rotation; a new target joins at the end. */
static struct sq_target *
target_get(struct sendq *q, const char *key)
{
	struct sq_target *t;

	for (t = q->rr_head; t != NULL; t = t->next) {
		if (key_cmp(t->key, key) == 0)
			return t;
	}
	t = xcalloc(1, sizeof *t);
	t->key = xstrdup(key);
	if (q->rr_tail != NULL)
		q->rr_tail->next = t;
	else
		q->rr_head = t;
	q->rr_tail = t;
	return t;
}

struct sendq *
sendq_new(unsigned burst, double rate, size_t max_lines)
{
	struct sendq *q = xcalloc(1, sizeof *q);

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
	while ((t = q->rr_head) != NULL) {
		q->rr_head = t->next;
		list_free(&t->lines);
		free(t->key);
		free(t);
	}
	q->rr_tail = NULL;
	q->nlines = 0;
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
	if (q->nurgent >= q->max_lines || (ln = raw_line(line)) == NULL)
		return -1;
	list_push(&q->urgent, ln);
	q->nurgent++;
	return 0;
}

int
sendq_raw(struct sendq *q, const char *key, const char *line)
{
	struct sq_line *ln;

	if (q->nlines >= q->max_lines || (ln = raw_line(line)) == NULL)
		return -1;
	list_push(&target_get(q, key)->lines, ln);
	q->nlines++;
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
		ret = 0;	/* nothing to say; an empty message is an error numeric */
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
	if (q->nlines + count > q->max_lines) {
		log_warn("sendq: queue full, dropping %zu line(s) to %.64s", count, tg);
		goto out;
	}

	t = target_get(q, tg);
	for (off = 0; off < txlen; off += n) {
		n = text_cut(tx + off, txlen - off, room);
		list_push(&t->lines, line_new(hdr, hlen, tx + off, n));
	}
	q->nlines += count;
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

const char *
sendq_pop(struct sendq *q, int64_t now_ms, int64_t *wait_ms)
{
	struct sq_target *t;
	struct sq_line *ln;
	int64_t wait = -1;

	free(q->popped);
	q->popped = NULL;
	refill(q, now_ms);

	if ((ln = list_shift(&q->urgent)) != NULL) {
		q->nurgent--;
		if (q->tokens >= 1 - TOKEN_EPSILON)
			q->tokens -= 1;
		goto done;
	}
	if ((t = q->rr_head) == NULL)
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

	ln = list_shift(&t->lines);
	q->nlines--;
	/* Round-robin: this target goes to the back, or leaves when done. */
	q->rr_head = t->next;
	if (q->rr_head == NULL)
		q->rr_tail = NULL;
	if (t->lines.head != NULL) {
		t->next = NULL;
		if (q->rr_tail != NULL)
			q->rr_tail->next = t;
		else
			q->rr_head = t;
		q->rr_tail = t;
	} else {
		free(t->key);
		free(t);
	}
done:
	if (wait_ms != NULL)
		*wait_ms = ln != NULL ? 0 : wait;
	q->popped = ln;
	return ln != NULL ? ln->buf : NULL;
}

size_t
sendq_len(const struct sendq *q)
{
	return q->nlines + q->nurgent;
}
