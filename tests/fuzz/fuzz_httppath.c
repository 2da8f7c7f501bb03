/*
 * fuzz_httppath.c: the HTTP server's parsers of outside input: the request
 * path (decoding and refusal), If-None-Match lists and HTTP dates.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* A path let through must be plain: the checks http.c promises. */
static void
check_path(const char *s, const char *out, size_t outlen)
{
	size_t i, n = strlen(out);

	if (out[0] != '/' || n > HTTP_PATH_MAX || n >= outlen ||
	    strstr(out, "..") != NULL || strstr(out, "//") != NULL)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f || out[i] == '\\')
			abort();
	/* Decoding never lengthens. */
	if (n > strcspn(s, "?"))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *small, out[HTTP_PATH_MAX + 1];
	char date[HTTP_DATE_LEN];
	size_t smallen;
	time_t t, t2;
	int r;

	memcpy(s, data, size);
	s[size] = '\0';

	r = http_path_decode(s, out, sizeof out);
	if (r == 0)
		check_path(s, out, sizeof out);
	else if (r != 400 && r != 404 && r != 414)
		abort();

	/* An output just big enough, or not: ASan sees any overrun. */
	smallen = size / 2 + 1;
	small = malloc(smallen);
	if (http_path_decode(s, small, smallen) == 0)
		check_path(s, small, smallen);
	free(small);

	(void)http_etag_match(s, "\"v1\"");
	(void)http_etag_match("\"a\", W/\"v1\"", s);

	/* A date read must write back as one that reads the same. */
	if (http_date_parse(s, &t) == 0) {
		http_date_format(t, date);
		if (http_date_parse(date, &t2) != 0 || t2 != t)
			abort();
	}
	free(s);
	return 0;
}
