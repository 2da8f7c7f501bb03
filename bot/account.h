/*
 * account.h: who is logged in to services as whom. Filled from
 * extended-join, account-notify and WHOIS (330); a nick's entry is
 * forgotten when it changes nick, quits or leaves our last shared channel,
 * because then nothing tells us about it any more.
 */
#ifndef CV_ACCOUNT_H
#define CV_ACCOUNT_H

#include <stdbool.h>

#include "mask.h"

void account_casemap(enum casemap cm);
/* account NULL or "*" means: known to be logged out. */
void account_set(const char *nick, const char *account);
void account_forget(const char *nick);
void account_clear(void);
/*
 * true when the nick's state is known; then *account is its account or NULL.
 * The string stays valid until the next account_* call.
 */
bool account_lookup(const char *nick, const char **account);

#endif
