/* failinit: a plugin whose init fails, to test that the host runs on. */
#include <stdio.h>

#include "convene.h"

static int
init(struct cv_plugin *p, const struct cv_host *h, char *err, size_t errlen)
{
	snprintf(err, errlen, "failinit refuses to start, as designed");
	return -1;
}

const struct cv_plugin_desc convene_plugin = {
	.abi_major = CONVENE_ABI_MAJOR,
	.abi_minor = CONVENE_ABI_MINOR,
	.name = "failinit",
	.version = "1.0",
	.init = init,
};
