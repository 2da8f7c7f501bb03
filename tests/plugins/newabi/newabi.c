/* newabi: built for a newer minor ABI than the host has; must be refused. */
#include "convene.h"

static int
init(struct cv_plugin *p, const struct cv_host *h, char *err, size_t errlen)
{
	return 0;
}

const struct cv_plugin_desc convene_plugin = {
	.abi_major = CONVENE_ABI_MAJOR,
	.abi_minor = CONVENE_ABI_MINOR + 1,
	.name = "newabi",
	.version = "1.0",
	.init = init,
};
