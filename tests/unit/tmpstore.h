/*
 * tmpstore.h: a store (store.c) on a real SQLite file in a fresh folder
 * under /tmp, for the unit tests that drive it. Include after cmocka.h,
 * store.h and util.h.
 */
#ifndef CV_TEST_TMPSTORE_H
#define CV_TEST_TMPSTORE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct fixture {
	char dir[64];
	char *path; /* dir/convene.db */
};

/* Opens the store in a new folder named after the test; fails the test if it cannot. */
static struct fixture *
tmpstore_open(const char *test)
{
	struct fixture *fx = xcalloc(1, sizeof *fx);
	char err[256];

	snprintf(fx->dir, sizeof fx->dir, "/tmp/%s.XXXXXX", test);
	assert_non_null(mkdtemp(fx->dir));
	fx->path = xasprintf("%s/convene.db", fx->dir);
	assert_int_equal(store_open(fx->path, err, sizeof err), 0);
	return fx;
}

/* cmocka teardown: closes the store and removes its files and folder. */
static int
tmpstore_teardown(void **state)
{
	struct fixture *fx = *state;
	const char *sfx[] = { "", "-wal", "-shm", "-journal" };
	size_t i;

	store_close();
	for (i = 0; i < nitems(sfx); i++) {
		char *p = xasprintf("%s%s", fx->path, sfx[i]);

		unlink(p);
		free(p);
	}
	rmdir(fx->dir);
	free(fx->path);
	free(fx);
	return 0;
}

#endif
