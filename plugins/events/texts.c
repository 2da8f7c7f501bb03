/*
 * texts.c: `event set N title.fr TEXT` and the like: a second language's
 * version of an event's title, description or location (model_text_set).
 * Readers of that language see it instead of the original (localise).
 */
#include <stdlib.h>
#include <string.h>

#include "events_int.h"

/*
 * Set (or with "-" remove) the version `name` names, "FIELD.LANG", of event
 * e, in a transaction it opens; refused as the field itself is (length,
 * control characters). 0, or -1 after answering.
 */
int
set_version(struct cv_ctx *ctx, const struct ev_event *e, const char *name, size_t max,
    const char *value, time_t now)
{
	const char *dot = strchr(name, '.');
	char field[32], *clean = NULL;
	int rc;

	if (dot == NULL || (size_t)(dot - name) >= sizeof(field))
		return -1;
	memcpy(field, name, (size_t)(dot - name));
	field[dot - name] = '\0';
	if (clean_field(ctx, name, value, max, &clean) == -1)
		return -1;
	if (strcmp(clean, "-") == 0) {
		free(clean);
		clean = NULL;
	}
	rc = host->begin(self) == -1 ?
	    -1 :
	    model_text_set(db(), e->id, dot + 1, field, clean, now);
	free(clean);
	if (rc != 0) {
		fail_change(ctx, "event set");
		return -1;
	}
	return 0;
}
