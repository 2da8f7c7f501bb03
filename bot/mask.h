/* mask.h: IRC case folding and hostmask matching. Pure. */
#ifndef CV_MASK_H
#define CV_MASK_H

#include <stdbool.h>

enum casemap { CASEMAP_ASCII, CASEMAP_RFC1459, CASEMAP_STRICT_RFC1459 };

/*
 * From ISUPPORT CASEMAPPING's value: NULL (not announced) gives RFC1459,
 * a name we do not know gives ASCII.
 */
enum casemap casemap_parse(const char *name);
/* Fold in place: A-Z to a-z, and for rfc1459 []\~ to {}|^ (strict: not ~). */
void casefold(char *s, enum casemap cm);
int casecmp(const char *a, const char *b, enum casemap cm);
/* Services account names: compared and folded by ASCII case only. */
int account_cmp(const char *a, const char *b);
void account_fold(char *s);

/*
 * Does `mask` (with * and ?, compared case-folded) match the person
 * "nick!user@host"? A mask "account:NAME" matches only when `account`
 * is non-NULL and equal to NAME (ASCII case only, as services compare
 * account names, whatever `cm` is); it never matches a hostmask.
 * Runs in O(len(mask) * len(str)) at worst: no exponential backtracking.
 */
bool mask_match_person(const char *mask, const char *nuh, const char *account,
    enum casemap cm);
/* Glob match alone (* and ?), case-folded. */
bool mask_match(const char *mask, const char *str, enum casemap cm);
/* Is this a well-formed mask: "account:NAME" or "N!U@H" with no spaces? */
bool mask_valid(const char *mask);

#endif
