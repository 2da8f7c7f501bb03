/*
 * pubconf.c: publishing's settings, the [calendars] publish_* keys, read
 * and checked at start (pub_start); publish.c does the rest. See publish.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "publish.h"
#include "pubstate.h"
#include "sbuf.h"

#define PASSWORD_MAX 1024

/* The password file's first line. 0 or -1 (errno set). */
static int
read_password(const char *path, char **out)
{
	char buf[PASSWORD_MAX + 2];
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	*out = cal_xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

int
pub_start(struct cv_plugin *p, const struct cv_host *h, char *err, size_t errlen)
{
	const char *url, *mode, *user, *pwfile;
	struct sbuf b = { 0 };

	host = h;
	self = p;
	memset(&st, 0, sizeof(st));
	url = host->config(p, "publish_url");
	mode = host->config(p, "publish_mode");
	user = host->config(p, "publish_user");
	pwfile = host->config(p, "publish_password_file");
	if (url == NULL || url[0] == '\0')
		return 0;
	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
		snprintf(err, errlen,
		    "[calendars] publish_url must be an http:// or https:// URL");
		return -1;
	}
	if (mode == NULL || (strcmp(mode, "caldav") != 0 && strcmp(mode, "webdav") != 0)) {
		snprintf(err, errlen, "[calendars] publish_mode must be caldav or webdav");
		return -1;
	}
	if (pwfile != NULL && (user == NULL || user[0] == '\0')) {
		snprintf(err, errlen,
		    "[calendars] publish_password_file needs publish_user");
		return -1;
	}
	if (user != NULL && user[0] != '\0') {
		if (pwfile == NULL) {
			snprintf(err, errlen,
			    "[calendars] publish_user needs publish_password_file");
			return -1;
		}
		if (read_password(pwfile, &st.password) == -1) {
			/* The path is configuration, not a secret; the content never shows. */
			snprintf(err, errlen,
			    "[calendars] publish_password_file: cannot read %s: %s",
			    pwfile, strerror(errno));
			return -1;
		}
		st.user = cal_xstrdup(user);
	}
	st.caldav = strcmp(mode, "caldav") == 0;
	sb_puts(&b, url);
	if (url[strlen(url) - 1] != '/')
		sb_puts(&b, "/");
	st.base = sb_take(&b, NULL);
	sb_printf(&b, "%s %s", mode, st.base);
	st.target = sb_take(&b, NULL);
	st.on = true;
	host->log(p, CV_LOG_INFO, "publishing to a %s server", mode);
	if (host->config(p, "report_to") == NULL || host->config(p, "report_to")[0] == '\0')
		host->log(p, CV_LOG_INFO,
		    "publishing: conflicts are reported in this log only; "
		    "[calendars] report_to names a nick or channel to tell");
	return 0;
}
