/* pubcmd.c: the owners' commands about publishing (see publish.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubstate.h"
#include "sbuf.h"
#include "store.h"

void
pub_why_text(const struct pub_why *why, const char *lang, char *buf, size_t n)
{
	if (why->status != 0)
		snprintf(buf, n, host->tr(lang, "the server answered HTTP %d"),
		    why->status);
	else
		snprintf(buf, n, "%s",
		    host->tr(lang, why->msgid != NULL ? why->msgid : N_("no answer")));
}

/* ---- owner commands ---- */

void
pub_cmd_status(struct cv_ctx *ctx)
{
	struct cal_pub_row *rows;
	size_t nrows, done = 0, conflicts = 0, waiting = 0;
	struct sbuf names = { 0 };
	char *list;

	if (!st.on) {
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Publishing is off: set [calendars] publish_url and publish_mode."));
		return;
	}
	if (cal_pub_rows(pdb(), st.target, &rows, &nrows) == -1) {
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Sorry, that did not work: please try again later."));
		return;
	}
	for (size_t i = 0; i < nrows; i++) {
		if (rows[i].conflict != NULL) {
			if (conflicts++ < 5)
				sb_printf(&names, "%s%s", conflicts > 1 ? ", " : "",
				    rows[i].name);
		} else if (rows[i].hash[0] != '\0') {
			done++;
		}
	}
	for (size_t i = 0; i < st.ndocs; i++) {
		size_t at;
		const struct cal_pub_row *r = row_of(rows, nrows, st.docs[i].name, &at);

		if (r == NULL ||
		    (r->conflict == NULL && strcmp(r->hash, st.docs[i].hash) != 0))
			waiting++;
	}
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].conflict == NULL && !has_doc(st.docs, st.ndocs, rows[i].name))
			waiting++;
	list = sb_take(&names, NULL);
	host->reply(ctx,
	    host->ntr(ctx->lang,
	        "Publishing (%s): %zu on the server, %zu waiting, %zu conflict%s%s.",
	        "Publishing (%s): %zu on the server, %zu waiting, %zu conflicts%s%s.",
	        conflicts),
	    st.caldav ? "caldav" : "webdav", done, waiting, conflicts,
	    conflicts > 0 ? host->tr(ctx->lang, ": ") : "", list);
	if (st.failures > 0) {
		char why[300];

		pub_why_text(&st.last_error, ctx->lang, why, sizeof(why));
		host->reply(ctx,
		    host->tr(ctx->lang,
		        "Last failure: %s (%u in a row); next try in %lld s."),
		    why, st.failures,
		    (long long)((st.next_try - host->mono_ms() + 999) / 1000));
	}
	free(list);
	cal_pub_rows_free(rows, nrows);
}

void
pub_cmd_overwrite(struct cv_ctx *ctx)
{
	int n = 0;

	if (!st.on) {
		host->reply(ctx, "%s", host->tr(ctx->lang, "Publishing is off."));
		return;
	}
	if (host->begin(self) == -1 || cal_pub_overwrite(pdb(), st.target, &n) == -1 ||
	    host->commit(self) == -1) {
		host->rollback(self);
		host->reply(ctx, "%s",
		    host->tr(ctx->lang,
		        "Sorry, that did not work and nothing was changed: please try "
		        "again later."));
		return;
	}
	host->log(self, CV_LOG_INFO,
	    "publishing: an owner chose to overwrite %d conflict(s)", n);
	if (n == 0)
		host->reply(ctx, "%s",
		    host->tr(ctx->lang, "There is no conflict to overwrite."));
	else
		host->reply(ctx,
		    host->ntr(ctx->lang,
		        "Convene's version replaces the server's copy of %d resource now.",
		        "Convene's version replaces the server's copy of %d resources now.",
		        (unsigned long)n),
		    n);
	kick();
}
