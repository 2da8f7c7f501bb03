/* ircmsg.c: split an IRC line into prefix, command and parameters. */
#include <string.h>

#include "ircmsg.h"
#include "util.h"

int
ircmsg_parse(const char *line, struct ircmsg *m)
{
	char *p;

	memset(m, 0, sizeof *m);
	cv_strlcpy(m->buf, line, sizeof m->buf);
	p = m->buf;
	if (*p == '@') {
		p = strchr(p, ' ');
		if (p == NULL)
			return -1;
	}
	while (*p == ' ')
		p++;
	if (*p == ':') {
		m->prefix = ++p;
		p = strchr(p, ' ');
		if (p == NULL)
			return -1;
		*p++ = '\0';
		while (*p == ' ')
			p++;
	}
	if (*p == '\0')
		return -1;
	m->command = p;
	p = strchr(p, ' ');
	while (p != NULL && m->nparams < IRCMSG_MAX_PARAMS) {
		*p++ = '\0';
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p == ':' || m->nparams == IRCMSG_MAX_PARAMS - 1) {
			m->params[m->nparams++] = *p == ':' ? p + 1 : p;
			break;
		}
		m->params[m->nparams++] = p;
		p = strchr(p, ' ');
	}
	return 0;
}

void
ircmsg_nick(const char *prefix, char *out, size_t outsz)
{
	size_t n;

	if (prefix == NULL) {
		cv_strlcpy(out, "", outsz);
		return;
	}
	n = strcspn(prefix, "!@");
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, prefix, n);
	out[n] = '\0';
}
