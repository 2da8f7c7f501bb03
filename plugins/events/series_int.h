/* series_int.h: what series.c shares with series_member.c. */
#ifndef CONVENE_SERIES_INT_H
#define CONVENE_SERIES_INT_H

#include <stdbool.h>

#include "convene.h"
#include "model_series.h"
#include "recur.h"

#pragma GCC visibility push(hidden)

/* The series' row named by a plain N, or false (a plain event, an occurrence, none). */
bool series_plain(const char *arg, long long *id, struct ev_series_row *row);

/* The series and its zone, read for expansion. 0, or -1 when it is no series. */
int series_of(const struct ev_event *p, const struct ev_series_row *row,
    struct when_zone *z, struct recur_series *s);

/* Makes the occurrences of series `id` due by the horizon, in the caller's transaction. */
int schedule_one(long long id, time_t now);

/* Occurrence `child` cancelled in a transaction of its own, its people told. */
void cancel_one(long long child, const char *reason);

/* `event set N start VALUE` of series id: the series from now on (series_start.c). */
void series_set_start(struct cv_ctx *ctx, long long id);

#pragma GCC visibility pop

#endif
