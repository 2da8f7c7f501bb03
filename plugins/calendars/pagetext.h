/* pagetext.h: escaping and times for the HTML pages (pagetext.c, page.c). */
#ifndef CAL_PAGETEXT_H
#define CAL_PAGETEXT_H

#include "feeds.h"
#include "sbuf.h"

#pragma GCC visibility push(hidden)

/* s escaped for HTML text and attributes. */
void cal_html(struct sbuf *b, const char *s);
/* Cleaned (no control characters, valid UTF-8) and escaped. */
void cal_html_text(struct sbuf *b, const char *s);
/*
 * When e takes place, in its zone, escaped: "Thu 10 Dec 2026, 18:00&ndash;19:30
 * America/Toronto"; in French (lang "fr") "jeu. 10 déc. 2026, 18 h 00 à
 * 19 h 30 (heure de Toronto)", over midnight "du ... au ...".
 */
void cal_when_html(struct sbuf *b, const struct cal_event *e, const char *lang);

#pragma GCC visibility pop

#endif
