/*
 * Inbound IRC lines as the relay sees them: guarded, then parsed by our
 * own reader of PING, CAP, ISUPPORT and numerics.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "ircmsg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[GUARD_MAX_LINE + 1], nick[64];
	struct ircmsg m;
	int n = guard_line((const char *)data, size, out, sizeof out), i;

	if (n < 0)
		return 0;
	if (ircmsg_parse(out, &m) < 0)
		return 0;
	if (m.command == NULL || m.nparams > IRCMSG_MAX_PARAMS)
		abort();
	for (i = 0; i < m.nparams; i++)
		if (m.params[i] == NULL || strchr(m.params[i], '\n') != NULL)
			abort();
	ircmsg_nick(m.prefix, nick, sizeof nick);
	return 0;
}
