/*
 * tls_trust.c: heap a verified TLS handshake through libcurl costs, by the
 * authorities given (bench/README.md, "Resident memory after joining").
 *
 *   tls_trust URL CAINFO CAPATH
 *
 * CAINFO and CAPATH: a path, "-" for NULL, "default" for libcurl's own.
 * Prints the TLS library, curl's result and the RssAnon the handshake added
 * (KiB), the connection still open. Run by tls_trust.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static long
rss_anon(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "RssAnon:", 8) == 0)
			kib = atol(line + 8);
	(void)fclose(f);
	return kib;
}

static void
set_path(CURL *c, CURLoption opt, const char *arg)
{
	if (strcmp(arg, "default") != 0)
		curl_easy_setopt(c, opt, strcmp(arg, "-") != 0 ? arg : NULL);
}

int
main(int argc, char **argv)
{
	CURL *c;
	CURLcode rc;
	long before;

	if (argc != 4) {
		fprintf(stderr, "usage: tls_trust URL CAINFO CAPATH\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	before = rss_anon();
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, argv[1]);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_ENABLE_ALPN, 0L);
	set_path(c, CURLOPT_CAINFO, argv[2]);
	set_path(c, CURLOPT_CAPATH, argv[3]);
	rc = curl_easy_perform(c);
	printf("%s %d %ld\n", curl_version_info(CURLVERSION_NOW)->ssl_version, (int)rc,
	    rss_anon() - before);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return 0;
}
