/*
 * http_lang.c: the language a browser asks for (Accept-Language, RFC 9110
 * 12.5.4) among the bot's, for the routes' req->lang.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "i18n.h"

/* The q-value at s ("q=0.8"), in thousandths; -1 when malformed. */
static int
qvalue(const char *s, size_t n)
{
	int v = 0, digits = 0;
	size_t i;

	if (n < 3 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=')
		return -1;
	s += 2, n -= 2;
	if (s[0] != '0' && s[0] != '1')
		return -1;
	v = (s[0] - '0') * 1000;
	if (n > 1 && s[1] != '.')
		return -1;
	for (i = 2; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || ++digits > 3)
			return -1;
		v += (s[i] - '0') * (digits == 1 ? 100 : digits == 2 ? 10 : 1);
	}
	return v > 1000 ? -1 : v;
}

/* The bot's language a range names ("fr-CA" is "fr"), dflt for "*", or NULL. */
static const char *
range_lang(const char *s, size_t n, const char *dflt)
{
	char primary[9];
	size_t k = strcspn(s, "-");

	if (n == 1 && s[0] == '*')
		return dflt;
	if (k > n)
		k = n;
	if (k == 0 || k >= sizeof primary)
		return NULL;
	memcpy(primary, s, k);
	primary[k] = '\0';
	return i18n_lang(primary);
}

const char *
http_accept_language(const char *header, const char *dflt)
{
	const char *best = NULL, *p = header;
	int bestq = 0;

	if (header == NULL)
		return dflt;
	while (*p != '\0') {
		size_t n = strcspn(p, ","), r;
		const char *lang, *semi;
		int q = 1000;

		/* One item: a range, then optional parameters after ';'. */
		while (n > 0 && (*p == ' ' || *p == '\t'))
			p++, n--;
		semi = memchr(p, ';', n);
		r = semi != NULL ? (size_t)(semi - p) : n;
		while (r > 0 && (p[r - 1] == ' ' || p[r - 1] == '\t'))
			r--;
		if (semi != NULL) {
			const char *v = semi + 1;
			size_t vn = n - (size_t)(v - p);

			while (vn > 0 && (*v == ' ' || *v == '\t'))
				v++, vn--;
			while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
				vn--;
			q = qvalue(v, vn);
		}
		lang = range_lang(p, r, dflt);
		/* The first of the highest q wins; q=0 means "not this one". */
		if (lang != NULL && q > bestq)
			best = lang, bestq = q;
		p += n;
		if (*p == ',')
			p++;
	}
	return best != NULL ? best : dflt;
}
