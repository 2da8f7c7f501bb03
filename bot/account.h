/*
 * account.h: who is logged in to services as whom. Filled from
 * extended-join, account-notify and WHOIS (330); a nick's entry is
 * forgotten when it changes nick, quits or leaves our last shared channel,
 * or when we leave it (account_prune), because then nothing tells us about
 * it any more and the next holder of the nick would inherit the account.
 */
#ifndef CV_ACCOUNT_H
#define CV_ACCOUNT_H

#include <stdbool.h>

#include "mask.h"

void account_casemap(enum casemap cm);
/*
 * account NULL or "*" means: known to be logged out. uh is the user@host
 * the answer is about, or NULL when not known.
 */
void account_set(const char *nick, const char *uh, const char *account);
void account_forget(const char *nick);
/* Forget every nick for which keep() says no (we no longer see it). */
void account_prune(bool (*keep)(const char *nick));
void account_clear(void);
/*
 * true when the nick's state is known; then *account is its account or NULL.
 * The string stays valid until the next account_* call.
 */
bool account_lookup(const char *nick, const char **account);
/*
 * The same for the sender "nick!user@host" of a line: false, and the entry
 * forgotten, when it was learned for another user@host under that nick.
 */
bool account_lookup_from(const char *origin, const char **account);

#endif
