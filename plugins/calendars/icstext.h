/* icstext.h: what icstext.c shares with ics.c alone; hidden from the host. */
#ifndef CONVENE_ICSTEXT_H
#define CONVENE_ICSTEXT_H

#include <stddef.h>

#include "sbuf.h"

#pragma GCC visibility push(hidden)

/* Append in[0..len) to b, folded at FOLD_OCTETS on UTF-8 boundaries. */
void fold_into(struct sbuf *b, const char *in, size_t len);
/* libical's serialisation with its folds undone. Caller frees; *len its length. */
char *unfold(const char *s, size_t n, size_t *len);

#pragma GCC visibility pop

#endif
