/* log.c: one line per message on stderr, with a level and the subsystem. */
#include <stdio.h>
#include <time.h>

#include "log.h"

static enum cv_log_level min_level = CV_LOG_INFO;

void
log_set_level(enum cv_log_level lvl)
{
	min_level = lvl;
}

void
log_vmsg(enum cv_log_level lvl, const char *who, const char *fmt, va_list ap)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	if (lvl < min_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s%s%s: ", stamp, names[lvl], who ? " " : "", who ? who : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	(void)fflush(stderr);
}

void
log_msg(enum cv_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, NULL, fmt, ap);
	va_end(ap);
}
