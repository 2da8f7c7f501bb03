/* presence.c: channel membership, as (channel, nick) pairs, case-folded. */
#include <stdlib.h>
#include <string.h>

#include "presence.h"
#include "util.h"

struct member {
	char *channel;
	char *nick;
};

static struct member *members;
static size_t nmembers, capmembers;
static enum casemap cmap = CASEMAP_RFC1459;

void
presence_casemap(enum casemap cm)
{
	cmap = cm;
}

static size_t
find(const char *channel, const char *nick)
{
	size_t i;

	for (i = 0; i < nmembers; i++)
		if ((channel == NULL || casecmp(members[i].channel, channel, cmap) == 0) &&
		    casecmp(members[i].nick, nick, cmap) == 0)
			return i;
	return nmembers;
}

static void
remove_at(size_t i)
{
	free(members[i].channel);
	free(members[i].nick);
	members[i] = members[--nmembers];
}

void
presence_join(const char *channel, const char *nick)
{
	if (find(channel, nick) < nmembers)
		return;
	if (nmembers == capmembers) {
		capmembers = capmembers ? capmembers * 2 : 64;
		members = xrealloc(members, capmembers * sizeof *members);
	}
	members[nmembers].channel = xstrdup(channel);
	members[nmembers].nick = xstrdup(nick);
	nmembers++;
}

bool
presence_part(const char *channel, const char *nick)
{
	size_t i = find(channel, nick);

	if (i < nmembers)
		remove_at(i);
	return !presence_online(nick);
}

void
presence_quit(const char *nick)
{
	size_t i;

	while ((i = find(NULL, nick)) < nmembers)
		remove_at(i);
}

void
presence_nick(const char *old, const char *nick)
{
	size_t i;

	for (i = 0; i < nmembers; i++) {
		if (casecmp(members[i].nick, old, cmap) == 0) {
			free(members[i].nick);
			members[i].nick = xstrdup(nick);
		}
	}
}

void
presence_drop_channel(const char *channel)
{
	size_t i = 0;

	while (i < nmembers) {
		if (casecmp(members[i].channel, channel, cmap) == 0)
			remove_at(i);
		else
			i++;
	}
}

void
presence_clear(void)
{
	while (nmembers > 0)
		remove_at(nmembers - 1);
}

bool
presence_online(const char *nick)
{
	return find(NULL, nick) < nmembers;
}
