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

/*
 * A calendar-level name or text (NAME, X-WR-CALNAME...) into a new string:
 * cleaned, without ",;\\" (libical 3.0.16 does not escape X- values).
 */
char *plain_name(const char *s);

/*
 * The calendar's lines up to its first VEVENT when it has none, as
 * ics.c's render_head() writes them through libical (m's properties, no
 * VTIMEZONE), written here without libical: ics_render() of no event.
 * The unit tests hold the two the same (ics_render_empty_ical).
 */
void ics_head_plain(struct sbuf *out, const struct cal_meta *m);
/* render_head()'s text of no event, through libical, ended: for that test. */
char *ics_render_empty_ical(const struct cal_meta *m, size_t *len);

#pragma GCC visibility pop

#endif
