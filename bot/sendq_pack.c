/*
 * sendq_pack.c: identical NOTICEs to several people packed into one line,
 * as the server's TARGMAX allows (sendq.c's, through sendq_priv.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sendq_priv.h"
#include "util.h"

/*
 * Is ln "NOTICE key :...", so that the same text to other people may share
 * its line? Keys with a comma or a space are lists or odd: left alone.
 */
static bool
packable(const struct sq_line *ln, const char *key)
{
	size_t kl = strlen(key);

	return strncmp(ln->buf, "NOTICE ", 7) == 0 && strcspn(key, ", ") == kl &&
	    strncmp(ln->buf + 7, key, kl) == 0 && strncmp(ln->buf + 7 + kl, " :", 2) == 0;
}

/*
 * ln (just taken from the head of target `key`) with the byte-identical
 * NOTICE heads of the next targets in the rotation added to its target
 * list, up to the server's TARGMAX and 512 bytes. Only heads are taken, so
 * each person's lines keep their order; each target served moves to the
 * back as if it had had its turn. The server delivers a copy to each
 * target with that target alone in it, so nobody sees the others.
 */
struct sq_line *
pack(struct sendq *q, struct sq_line *ln, const char *key)
{
	struct sq_target *t, *prev, *next, *stop;
	struct sq_line *out, *h;
	size_t kl = strlen(key), rest, len, n = 1;
	const char *text;

	if (q->pack < 2 || !packable(ln, key))
		return ln;
	text = ln->buf + 7 + kl; /* " :text\r\n" */
	rest = ln->len - 7 - kl;
	len = ln->len;
	out = NULL;
	prev = NULL;
	stop = q->rr_tail; /* each target once: the ones served go behind it */
	for (t = q->rr_head; t != NULL && n < q->pack; t = next) {
		size_t tl = strlen(t->key);
		bool last = t == stop;

		next = t->next;
		h = t->lines.head;
		if (h != NULL && key_cmp(t->key, key) != 0 && packable(h, t->key) &&
		    h->len - 7 - tl == rest && memcmp(h->buf + 7 + tl, text, rest) == 0 &&
		    len + tl + 1 <= IRC_LINE_MAX) {
			if (out == NULL) {
				out = xmalloc(sizeof *out + IRC_LINE_MAX + 1);
				*out = *ln;
				memcpy(out->buf, ln->buf, 7 + kl);
			}
			out->buf[7 + kl + (len - ln->len)] = ',';
			memcpy(out->buf + 7 + kl + (len - ln->len) + 1, t->key, tl);
			len += tl + 1;
			n++;
			free(take_head(q, t, prev));
		} else {
			prev = t;
		}
		if (last)
			break;
	}
	if (out == NULL)
		return ln;
	memcpy(out->buf + len - rest, text, rest + 1);
	out->len = len;
	free(ln);
	return out;
}
