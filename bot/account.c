/* account.c: a small nick -> services account cache. */
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "util.h"

#define MAX_ACCOUNTS 4096

struct acct {
	char *nick;
	char *uh;      /* user@host it was learned for; NULL: not known */
	char *account; /* NULL: logged out */
};

static struct acct *v;
static size_t n;
static enum casemap cmap = CASEMAP_RFC1459;

void
account_casemap(enum casemap cm)
{
	cmap = cm;
}

static size_t
find(const char *nick)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (casecmp(v[i].nick, nick, cmap) == 0)
			return i;
	return n;
}

static void
remove_at(size_t i)
{
	free(v[i].nick);
	free(v[i].uh);
	free(v[i].account);
	v[i] = v[--n];
}

void
account_set(const char *nick, const char *uh, const char *account)
{
	size_t i = find(nick);

	if (account != NULL && (account[0] == '\0' || strcmp(account, "*") == 0))
		account = NULL;
	if (i == n) {
		if (n == MAX_ACCOUNTS)
			remove_at(0); /* bounded: forgetting only costs a lookup */
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n].nick = xstrdup(nick);
		v[n].uh = NULL;
		v[n].account = NULL;
		i = n++;
	}
	free(v[i].uh);
	v[i].uh = uh ? xstrdup(uh) : NULL;
	free(v[i].account);
	v[i].account = account ? xstrdup(account) : NULL;
}

void
account_forget(const char *nick)
{
	size_t i = find(nick);

	if (i < n)
		remove_at(i);
}

void
account_prune(bool (*keep)(const char *nick))
{
	size_t i = 0;

	while (i < n) {
		if (keep(v[i].nick))
			i++;
		else
			remove_at(i);
	}
}

void
account_clear(void)
{
	while (n > 0)
		remove_at(n - 1);
	free(v);
	v = NULL;
}

bool
account_lookup(const char *nick, const char **account)
{
	size_t i = find(nick);

	if (i == n)
		return false;
	*account = v[i].account;
	return true;
}

bool
account_lookup_from(const char *origin, const char **account)
{
	size_t len = strcspn(origin, "!@");
	const char *uh = origin[len] == '!' ? origin + len + 1 : NULL;
	char nick[128];
	size_t i;

	if (len >= sizeof nick)
		return false;
	memcpy(nick, origin, len);
	nick[len] = '\0';
	if ((i = find(nick)) == n)
		return false;
	/* Another connection under the same nick: what we knew was not about it. */
	if (v[i].uh != NULL && (uh == NULL || strcmp(v[i].uh, uh) != 0)) {
		remove_at(i);
		return false;
	}
	*account = v[i].account;
	return true;
}
