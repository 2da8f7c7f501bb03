/*
 * fuzz_carry.c: carrying Convene's cancellations over to a calendar server's
 * copy of a resource (ics_carry_cancel, publishing after a conflict), with
 * arbitrary text as the server's copy and libical's real parser. Besides not
 * crashing: what comes back is folded (no line over 75 octets), ends its
 * lines with CRLF, and cancels.
 */
// fuzz-sources: plugins/calendars/ics.c plugins/calendars/series_ics.c plugins/calendars/icstext.c plugins/calendars/sbuf.c plugins/common/cv_ical.c
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/calendars/ics.h"

static const char ours[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene//Convene calendars//EN\r\n"
    "BEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270101T180000Z\r\n"
    "SUMMARY:Cancelled: Talk\r\nSTATUS:CANCELLED\r\nSEQUENCE:3\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:b@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270102T180000Z\r\n"
    "SUMMARY:Still on\r\nSEQUENCE:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

static void
check(int ok)
{
	if (!ok)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *theirs = malloc(size + 1), *out;
	size_t len = 0, line = 0;

	memcpy(theirs, data, size);
	theirs[size] = '\0';
	out = ics_carry_cancel(ours, theirs, &len);
	if (out != NULL) {
		check(strlen(out) == len);
		check(strstr(out, "STATUS:CANCELLED\r\n") != NULL);
		for (size_t i = 0; i < len; i++) {
			if (out[i] == '\n') {
				check(i > 0 && out[i - 1] == '\r');
				line = 0;
			} else if (out[i] != '\r' && ++line > 75) {
				abort();
			}
		}
		free(out);
	}
	free(theirs);
	return 0;
}
