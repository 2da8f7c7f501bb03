/*
 * presence.h: who shares a channel with the bot, so plugins can tell
 * whether a person can be told something now or must wait (offline
 * delivery). Fed from JOIN, PART, KICK, QUIT, NICK and NAMES.
 */
#ifndef CV_PRESENCE_H
#define CV_PRESENCE_H

#include <stdbool.h>

#include "mask.h"

void presence_casemap(enum casemap cm);
void presence_join(const char *channel, const char *nick);
/* Returns true when the nick no longer shares any channel with us. */
bool presence_part(const char *channel, const char *nick);
void presence_quit(const char *nick);
void presence_nick(const char *old, const char *nick);
/* We left a channel: forget everyone in it. */
void presence_drop_channel(const char *channel);
void presence_clear(void);
bool presence_online(const char *nick);

#endif
