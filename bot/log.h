/* log.h: the bot's log, on stderr (journald adds the time under systemd). */
#ifndef CV_LOG_H
#define CV_LOG_H

#include "convene.h"

void log_set_level(enum cv_log_level lvl);
void log_msg(enum cv_log_level lvl, const char *fmt, ...) CV_PRINTF(2, 3);
void log_vmsg(enum cv_log_level lvl, const char *who, const char *fmt, va_list ap);

#define log_debug(...) log_msg(CV_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(CV_LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(CV_LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(CV_LOG_ERROR, __VA_ARGS__)

#endif
