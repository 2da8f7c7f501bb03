/*
 * sendq_priv.h: what sendq.c (the queue) and sendq_pack.c (packing
 * identical NOTICEs) share. Nothing else includes it.
 */
#ifndef CV_SENDQ_PRIV_H
#define CV_SENDQ_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sendq.h"

#define IRC_LINE_MAX 512 /* with CRLF, as the server relays it */

struct sq_line {
	struct sq_line *next;
	size_t len;
	bool first; /* first line of a text: where a whole text may be cut off */
	bool free;  /* takes no token (registration) */
	int64_t at; /* loop_now() when queued */
	char buf[]; /* the line with CRLF, NUL-terminated */
};

struct sq_list {
	struct sq_line *head, *tail;
};

/* One target's lines; the targets with lines form the round-robin. */
struct sq_target {
	struct sq_target *next;
	char *key;
	struct sq_list lines;
	size_t n;  /* lines queued */
	bool over; /* dropped lines in this episode */
};

struct sendq {
	unsigned burst;
	double rate; /* lines per second */
	size_t max_lines;
	size_t prefix_len;

	double tokens;
	int64_t last_ms;
	bool started; /* last_ms is meaningful */

	struct sq_list urgent;
	size_t nurgent;
	struct sq_list own; /* the bot's own protocol lines */
	size_t nown;
	bool own_last;        /* the last paced line was one of ours */
	struct sq_list later; /* housekeeping: after every answer */
	size_t nlater;
	unsigned pack; /* NOTICE targets a line may carry (TARGMAX) */
	struct sq_target *rr_head, *rr_tail;
	size_t nlines;

	/* The "queue full" episode: from the first dropped line until drained. */
	bool full;
	size_t ndropped;
	size_t nover; /* targets with over set */

	struct sq_line *popped; /* returned by the last sendq_pop */
};

/* sendq.c */
/* Fairness keys are compared as ASCII, whatever the locale. */
int key_cmp(const char *a, const char *b);
/* Take t's head line; t goes to the back of the rotation, or leaves when done. */
struct sq_line *take_head(struct sendq *q, struct sq_target *t, struct sq_target *prev);

/* sendq_pack.c */
/* ln, taken from target `key`, with the same NOTICE to the next targets added. */
struct sq_line *pack(struct sendq *q, struct sq_line *ln, const char *key);

#endif
