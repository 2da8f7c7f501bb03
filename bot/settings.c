/*
 * settings.c: the configuration in the terms of the link ([irc]) and of the
 * HTTP server's limits ([http]), for start-up, --check and reload (main.c).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http.h"
#include "link.h"
#include "settings.h"
#include "util.h"

static void
add_channels(struct link_conf *lc, const char *list)
{
	char *copy = xstrdup(list), *item, *save = NULL;

	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *name, *key;

		item += strspn(item, " \t");
		name = strtok_r(item, " \t", &key);
		if (name == NULL || *name == '\0')
			continue;
		key += strspn(key, " \t");
		key[strcspn(key, " \t")] = '\0';
		lc->channels =
		    xrealloc(lc->channels, (lc->nchannels + 1) * sizeof *lc->channels);
		lc->channels[lc->nchannels].name = xstrdup(name);
		lc->channels[lc->nchannels].key = *key ? xstrdup(key) : NULL;
		lc->nchannels++;
	}
	free(copy);
}

static char *
get_or(const struct config *c, const char *s, const char *k, const char *def)
{
	const char *v = config_get(c, s, k);

	return v ? xstrdup(v) : (def ? xstrdup(def) : NULL);
}

/* Build the link's settings; -1 with the reasons in errs. */
int
link_conf_from(const struct config *c, struct link_conf *lc, struct errlist *errs)
{
	bool tls = false, verify = true, sasl_required = false;
	long port, burst;
	double rate;
	size_t before = errs->n;
	const char *pwfile;

	memset(lc, 0, sizeof *lc);
	config_bool(c, "irc", "tls", false, &tls, errs);
	config_bool(c, "irc", "tls_verify", true, &verify, errs);
	config_long(c, "irc", "port", tls ? 6697 : 6667, 1, 65535, &port, errs);
	/*
	 * What the large networks' servers allow a registered client: Solanum
	 * (Libera.Chat, reference.conf: client_flood_burst_max = 5,
	 * client_flood_message_num = 2 per client_flood_message_time = 1 s) and
	 * ircd-hybrid (OFTC's lineage: MAX_FLOOD 5, then 2 a second).
	 */
	config_long(c, "irc", "flood_burst", 5, 1, 100, &burst, errs);
	config_double(c, "irc", "flood_rate", 2, 0.1, 100, &rate, errs);
	config_bool(c, "irc", "sasl_required", false, &sasl_required, errs);
	lc->server = get_or(c, "irc", "server", NULL);
	lc->nick = get_or(c, "irc", "nick", NULL);
	if (lc->server == NULL)
		errlist_add(errs, "%s: missing [irc] server", c->path);
	if (lc->nick == NULL)
		errlist_add(errs, "%s: missing [irc] nick", c->path);
	lc->port = port;
	lc->tls = tls;
	lc->verify = verify;
	lc->ca_file = get_or(c, "irc", "tls_ca_file", NULL);
	lc->username = get_or(c, "irc", "username", lc->nick ? lc->nick : "convene");
	lc->realname = get_or(c, "irc", "realname", "Convene event registration");
	lc->flood_burst = burst;
	lc->flood_rate = rate;
	lc->sasl_user = get_or(c, "irc", "sasl_user", NULL);
	lc->sasl_required = sasl_required;
	if ((pwfile = config_get(c, "irc", "sasl_password_file")) != NULL)
		lc->sasl_pass = config_read_secret(pwfile, errs);
	add_channels(lc,
	    config_get(c, "irc", "channels") ? config_get(c, "irc", "channels") : "");
	if (errs->n > before) {
		link_conf_free(lc);
		return -1;
	}
	return 0;
}

/*
 * A setting that works but gives a secret away: said by --check and at
 * start, without failing either.
 */
const char *
link_conf_warning(const struct link_conf *lc)
{
	if (lc->sasl_user != NULL && !lc->tls)
		return "[irc] sasl_user with tls = no: the SASL password goes to the "
		       "server unencrypted, readable by anyone on the way; set tls = yes";
	return NULL;
}

/* The [http] limits on clients; -1, with the reason in errs, when one is malformed. */
int
http_limits_from(const struct config *c, struct http_limits *lim, struct errlist *errs)
{
	long conns, per_ip, header, idle;

	if (config_long(c, "http", "max_connections", HTTP_MAX_CONNECTIONS, 1,
	        HTTP_LIMIT_MAX, &conns, errs) < 0 ||
	    config_long(c, "http", "max_per_ip", HTTP_MAX_PER_IP, 0, HTTP_LIMIT_MAX,
	        &per_ip, errs) < 0 ||
	    config_long(c, "http", "header_timeout", HTTP_HEADER_TIMEOUT, 1, 300, &header,
	        errs) < 0 ||
	    config_long(c, "http", "idle_timeout", HTTP_IDLE_TIMEOUT, 1, 3600, &idle,
	        errs) < 0)
		return -1;
	*lim = (struct http_limits){ (unsigned)conns, (unsigned)per_ip, (unsigned)header,
		(unsigned)idle };
	return 0;
}
