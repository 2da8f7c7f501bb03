/* mask.c: IRC case folding and hostmask matching. */
#include <stddef.h>
#include <string.h>

#include "mask.h"

#define ACCOUNT_PREFIX "account:"

/*
 * A server that announces nothing folds as rfc1459 (the protocol's
 * default). One that announces a mapping we do not know (Ergo's rfc8265,
 * rfc7613) folds at least A-Z, and nothing says it folds []\~ too: ASCII
 * keeps people apart where rfc1459 could merge two of them into one.
 */
enum casemap
casemap_parse(const char *name)
{
	if (name == NULL || strcmp(name, "rfc1459") == 0)
		return CASEMAP_RFC1459;
	if (strcmp(name, "strict-rfc1459") == 0)
		return CASEMAP_STRICT_RFC1459;
	return CASEMAP_ASCII;
}

/*
 * RFC 1459 calls []\~ the lower-case forms of {}|^ because of the
 * Scandinavian origin of IRC; strict-rfc1459 leaves out the ~/^ pair.
 */
static unsigned char
fold(unsigned char c, enum casemap cm)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	if (cm == CASEMAP_ASCII)
		return c;
	switch (c) {
	case '[':
		return '{';
	case ']':
		return '}';
	case '\\':
		return '|';
	case '~':
		return cm == CASEMAP_RFC1459 ? '^' : c;
	default:
		return c;
	}
}

void
casefold(char *s, enum casemap cm)
{
	for (; *s != '\0'; s++)
		*s = (char)fold((unsigned char)*s, cm);
}

int
casecmp(const char *a, const char *b, enum casemap cm)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p != '\0' && fold(*p, cm) == fold(*q, cm)) {
		p++;
		q++;
	}
	return (int)fold(*p, cm) - (int)fold(*q, cm);
}

/*
 * Account names are compared by ASCII case only, whatever the server does
 * for nicks: services may keep ops[team] and ops{team} as two accounts
 * (Anope's default casemap is "ascii"), and merging them would let one
 * pass for the other. Being stricter than services costs at most a match
 * for a name configured with other brackets than services show.
 */
int
account_cmp(const char *a, const char *b)
{
	return casecmp(a, b, CASEMAP_ASCII);
}

void
account_fold(char *s)
{
	casefold(s, CASEMAP_ASCII);
}

/*
 * The iterative glob match: on a mismatch, go back only to the last '*'
 * and let it swallow one more character. Earlier stars never need
 * revisiting, since the last one can absorb anything they could, so the
 * work is bounded by len(mask) * len(str).
 */
bool
mask_match(const char *mask, const char *str, enum casemap cm)
{
	const unsigned char *m = (const unsigned char *)mask;
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*m == '*') {
			star = ++m;
			resume = s;
		} else if (*m != '\0' && (*m == '?' || fold(*m, cm) == fold(*s, cm))) {
			m++;
			s++;
		} else if (star != NULL) {
			m = star;
			s = ++resume;
		} else
			return false;
	}
	while (*m == '*')
		m++;
	return *m == '\0';
}

bool
mask_match_person(const char *mask, const char *nuh, const char *account, enum casemap cm)
{
	size_t plen = strlen(ACCOUNT_PREFIX);

	if (strncmp(mask, ACCOUNT_PREFIX, plen) == 0) {
		if (account == NULL || mask[plen] == '\0')
			return false;
		return account_cmp(mask + plen, account) == 0;
	}
	if (nuh == NULL)
		return false;
	return mask_match(mask, nuh, cm);
}

/* Spaces and commas separate masks in lists and IRC parameters. */
static bool
has_separator(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == ',' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	}
	return false;
}

bool
mask_valid(const char *mask)
{
	size_t plen = strlen(ACCOUNT_PREFIX);
	const char *bang, *at;

	if (has_separator(mask))
		return false;
	if (strncmp(mask, ACCOUNT_PREFIX, plen) == 0)
		return mask[plen] != '\0';
	bang = strchr(mask, '!');
	if (bang == NULL || bang == mask)
		return false;
	at = strchr(bang + 1, '@');
	return at != NULL && at > bang + 1 && at[1] != '\0';
}
