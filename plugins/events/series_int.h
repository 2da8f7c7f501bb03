/* series_int.h: what series.c shares with series_member.c. */
#ifndef CONVENE_SERIES_INT_H
#define CONVENE_SERIES_INT_H

#include <stdbool.h>

#include "model_series.h"

#pragma GCC visibility push(hidden)

/* The series' row named by a plain N, or false (a plain event, an occurrence, none). */
bool series_plain(const char *arg, long long *id, struct ev_series_row *row);

#pragma GCC visibility pop

#endif
