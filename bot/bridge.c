/* bridge.c: people relayed by a relay bot. See bridge.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "text.h"
#include "util.h"

static const struct {
	const char *name;
	enum bridge_kind kind;
} placeholders[] = {
	{ "{NICK}", BRIDGE_NICK },
	/* matterbridge's {NOPINGNICK} is {NICK} with a U+200B, removed by cleaning. */
	{ "{NOPINGNICK}", BRIDGE_NICK },
	{ "{PROTOCOL}", BRIDGE_PROTOCOL },
	{ "{BRIDGE}", BRIDGE_ANY },
	{ "{LABEL}", BRIDGE_ANY },
};

void
bridge_formats_free(struct bridge_formats *f)
{
	size_t i, j;

	for (i = 0; i < f->n; i++)
		for (j = 0; j < f->v[i].n; j++)
			free(f->v[i].parts[j].text);
	memset(f, 0, sizeof *f);
}

static int
add_part(struct bridge_format *fmt, enum bridge_kind kind, const char *text, size_t len)
{
	if (fmt->n == BRIDGE_MAX_PARTS)
		return -1;
	fmt->parts[fmt->n].kind = kind;
	fmt->parts[fmt->n].text = kind == BRIDGE_TEXT ? xstrndup(text, len) : NULL;
	fmt->parts[fmt->n].len = len;
	fmt->n++;
	return 0;
}

/* One format, trimmed, into fmt. NULL, or why not. */
static const char *
compile_one(const char *s, bool prelude, struct bridge_format *fmt)
{
	size_t lit = 0, k;
	int nicks = 0, protos = 0;
	const char *p = s;

	while (*p != '\0') {
		if (*p == '{' && p[1] >= 'A' && p[1] <= 'Z') {
			for (k = 0; k < nitems(placeholders); k++)
				if (strncmp(p, placeholders[k].name,
				        strlen(placeholders[k].name)) == 0)
					break;
			if (k == nitems(placeholders))
				return "has an unknown placeholder: use {NICK}, {PROTOCOL}, "
				       "{NOPINGNICK}, {BRIDGE} or {LABEL}";
			if (lit > 0 && add_part(fmt, BRIDGE_TEXT, p - lit, lit) < 0)
				return "is too long";
			if (lit == 0 && fmt->n > 0)
				return "has two placeholders with no text between them";
			lit = 0;
			if (add_part(fmt, placeholders[k].kind, NULL, 0) < 0)
				return "is too long";
			nicks += placeholders[k].kind == BRIDGE_NICK;
			protos += placeholders[k].kind == BRIDGE_PROTOCOL;
			p += strlen(placeholders[k].name);
			continue;
		}
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "has a control character";
		lit++;
		p++;
	}
	if (lit > 0 && add_part(fmt, BRIDGE_TEXT, p - lit, lit) < 0)
		return "is too long";
	if (nicks != 1)
		return "must name the person with {NICK} exactly once";
	if (protos > 1)
		return "has {PROTOCOL} more than once";
	/* Without text after the name, nothing says where the name ends. */
	if (!prelude && fmt->parts[fmt->n - 1].kind != BRIDGE_TEXT)
		return "must end with text after the last placeholder, e.g. '<{NICK}> '";
	return NULL;
}

int
bridge_compile(const char *spec, bool prelude, struct bridge_formats *out, char *err,
    size_t errlen)
{
	char *copy = xstrdup(spec), *rest = copy, *item;
	const char *why = NULL;

	memset(out, 0, sizeof *out);
	while (why == NULL && (item = strsep(&rest, "|")) != NULL) {
		size_t len;

		item += strspn(item, " \t");
		len = strlen(item);
		while (len > 0 && (item[len - 1] == ' ' || item[len - 1] == '\t'))
			item[--len] = '\0';
		if (len == 0) {
			why = "is empty";
			snprintf(err, errlen, "a %s is empty (formats are separated by |)",
			    prelude ? "prelude" : "format");
			break;
		}
		if (out->n == BRIDGE_MAX_FORMATS) {
			why = "too many";
			snprintf(err, errlen, "at most %d %ss", BRIDGE_MAX_FORMATS,
			    prelude ? "prelude" : "format");
			break;
		}
		if ((why = compile_one(item, prelude, &out->v[out->n])) != NULL) {
			snprintf(err, errlen, "%s '%.80s' %s",
			    prelude ? "prelude" : "format", item, why);
			out->n++; /* so that its parts are freed */
			break;
		}
		out->n++;
	}
	free(copy);
	if (why == NULL && out->n == 0) {
		why = "empty";
		snprintf(err, errlen, "no %s given", prelude ? "prelude" : "format");
	}
	if (why != NULL) {
		bridge_formats_free(out);
		return -1;
	}
	return 0;
}

size_t
bridge_clean(char *s)
{
	size_t i, o = 0, len = text_strip_format(s);
	unsigned char *u = (unsigned char *)s;

	for (i = 0; i < len;) {
		/* U+200B..U+200D, U+2060: E2 80 8B..8D, E2 81 A0; U+FEFF: EF BB BF. */
		if (i + 2 < len && u[i] == 0xe2 &&
		    ((u[i + 1] == 0x80 && u[i + 2] >= 0x8b && u[i + 2] <= 0x8d) ||
		        (u[i + 1] == 0x81 && u[i + 2] == 0xa0))) {
			i += 3;
			continue;
		}
		if (i + 2 < len && u[i] == 0xef && u[i + 1] == 0xbb && u[i + 2] == 0xbf) {
			i += 3;
			continue;
		}
		s[o++] = s[i++];
	}
	s[o] = '\0';
	return o;
}

/* Copy the capture [start, start+len) trimmed into buf: false when empty or too long. */
static bool
capture(const char *start, size_t len, char *buf, size_t bufsz)
{
	size_t i;

	while (len > 0 && *start == ' ') {
		start++;
		len--;
	}
	while (len > 0 && start[len - 1] == ' ')
		len--;
	if (len == 0 || len >= bufsz)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)start[i] < 0x20 || start[i] == 0x7f)
			return false;
	memcpy(buf, start, len);
	buf[len] = '\0';
	return true;
}

static bool
protocol_ok(char *p)
{
	for (; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		             *p == '-' || *p == '_' || *p == '.'))
			return false;
	}
	return true;
}

static int
match_one(const struct bridge_format *f, bool whole, const char *s, struct bridge_said *out)
{
	size_t p = 0, i, len;
	bool have_proto = false;

	for (i = 0; i < f->n; i++) {
		const struct bridge_part *pt = &f->parts[i];
		const char *start = s + p, *end;

		if (pt->kind == BRIDGE_TEXT) {
			if (strncmp(start, pt->text, pt->len) != 0)
				return 0;
			p += pt->len;
			continue;
		}
		if (*start == '\0')
			return 0;
		/* A placeholder runs to the first occurrence of the text after it. */
		if (i + 1 < f->n) {
			if ((end = strstr(start + 1, f->parts[i + 1].text)) == NULL)
				return 0;
		} else {
			end = start + strlen(start);
		}
		len = (size_t)(end - start);
		if (pt->kind == BRIDGE_NICK &&
		    !capture(start, len, out->nick, sizeof out->nick))
			return 0;
		if (pt->kind == BRIDGE_PROTOCOL) {
			if (!capture(start, len, out->protocol, sizeof out->protocol) ||
			    !protocol_ok(out->protocol))
				return 0;
			have_proto = true;
		}
		p += len;
	}
	s += p;
	s += strspn(s, " ");
	if (whole ? *s != '\0' : *s == '\0')
		return 0;
	if (!have_proto)
		cv_strlcpy(out->protocol, "relay", sizeof out->protocol);
	cv_strlcpy(out->text, s, sizeof out->text);
	snprintf(out->id, sizeof out->id, "r:%s:%s", out->protocol, out->nick);
	/* Names compare by ASCII case, as nicks and accounts do. */
	for (char *c = out->id; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c += 'a' - 'A';
	return 1;
}

int
bridge_match(const struct bridge_formats *f, bool whole, const char *line,
    struct bridge_said *out)
{
	char buf[512];
	size_t i, len = strlen(line);

	memset(out, 0, sizeof *out);
	if (len >= sizeof buf || !text_valid_utf8(line, len))
		return 0;
	memcpy(buf, line, len + 1);
	bridge_clean(buf);
	for (i = 0; i < f->n; i++) {
		if (match_one(&f->v[i], whole, buf, out) == 1)
			return 1;
		memset(out, 0, sizeof *out);
	}
	return 0;
}

/* ---- the configured relays ---- */

struct prelude {
	char key[160]; /* folded relay nick, space, folded channel */
	struct bridge_said who;
	int64_t at;
};

#define MAX_PRELUDES 32

static char **relays;
static size_t nrelays;
static struct bridge_formats formats, preludes;
static struct prelude pending[MAX_PRELUDES];
static size_t npending;

/* A relay mask that any connection could match by taking a nick is refused. */
static bool
mask_is_nick_only(const char *m)
{
	const char *bang = strchr(m, '!');

	if (strncmp(m, "account:", 8) == 0 || bang == NULL)
		return false;
	return strspn(bang + 1, "*?@") == strlen(bang + 1);
}

static void
strv_free(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

/* The masks of a relays list into *pv, *pn: 0, or -1 with a sentence in err. */
static int
parse_relays(const char *list, char ***pv, size_t *pn, char *err, size_t errlen)
{
	char **v = NULL, *copy, *rest, *tok;
	size_t n = 0;
	int bad = 0;

	rest = copy = xstrdup(list ? list : "");
	while (!bad && (tok = strsep(&rest, ",")) != NULL) {
		tok += strspn(tok, " \t");
		tok[strcspn(tok, " \t")] = '\0';
		if (*tok == '\0')
			continue;
		if (!mask_valid(tok)) {
			snprintf(err, errlen,
			    "relay '%.80s' is not a mask: nick!user@host or "
			    "account:NAME",
			    tok);
			bad = 1;
		} else if (mask_is_nick_only(tok)) {
			snprintf(err, errlen,
			    "relay '%.80s' names a nick alone, which anyone can "
			    "take: give its user@host or account:NAME",
			    tok);
			bad = 1;
		} else {
			v = xrealloc(v, (n + 1) * sizeof *v);
			v[n++] = xstrdup(tok);
		}
	}
	free(copy);
	if (bad) {
		strv_free(v, n);
		return -1;
	}
	*pv = v;
	*pn = n;
	return 0;
}

int
bridge_relays_check(const char *list, char *err, size_t errlen)
{
	char **v;
	size_t n;

	if (parse_relays(list, &v, &n, err, errlen) < 0)
		return -1;
	strv_free(v, n);
	return 0;
}

int
bridge_configure(const char *list, const char *fspec, const char *pspec, char *err,
    size_t errlen)
{
	struct bridge_formats f, p;
	char **v;
	size_t n;

	if (bridge_compile(fspec ? fspec : BRIDGE_DEFAULT_FORMATS, false, &f, err,
	        errlen) < 0)
		return -1;
	if (bridge_compile(pspec ? pspec : BRIDGE_DEFAULT_PRELUDES, true, &p, err,
	        errlen) < 0) {
		bridge_formats_free(&f);
		return -1;
	}
	if (parse_relays(list, &v, &n, err, errlen) < 0) {
		bridge_formats_free(&f);
		bridge_formats_free(&p);
		return -1;
	}
	bridge_free();
	relays = v;
	nrelays = n;
	formats = f;
	preludes = p;
	return 0;
}

bool
bridge_enabled(void)
{
	return nrelays > 0;
}

bool
bridge_is_relay(const char *origin, const char *account, enum casemap cm)
{
	size_t i;

	for (i = 0; i < nrelays; i++)
		if (mask_match_person(relays[i], origin, account, cm))
			return true;
	return false;
}

int
bridge_line(const char *relay_origin, const char *channel, const char *text,
    int64_t now_ms, enum casemap cm, struct bridge_said *out)
{
	char key[160];
	size_t i, n = strcspn(relay_origin, "!");
	bool had = false;
	struct bridge_said before;

	snprintf(key, sizeof key, "%.*s %s", (int)(n < 64 ? n : 64), relay_origin, channel);
	casefold(key, cm);
	/* Any line of the relay in that channel ends the prelude before it. */
	for (i = 0; i < npending; i++) {
		if (strcmp(pending[i].key, key) != 0)
			continue;
		had = now_ms - pending[i].at <= BRIDGE_PRELUDE_MS &&
		    now_ms >= pending[i].at;
		before = pending[i].who;
		pending[i] = pending[--npending];
		break;
	}
	if (bridge_match(&preludes, true, text, out) == 1) {
		if (npending == MAX_PRELUDES) {
			for (i = 1, n = 0; i < npending; i++)
				if (pending[i].at < pending[n].at)
					n = i;
			pending[n] = pending[--npending];
		}
		cv_strlcpy(pending[npending].key, key, sizeof pending[npending].key);
		pending[npending].who = *out;
		pending[npending].at = now_ms;
		npending++;
		return 0;
	}
	if (bridge_match(&formats, false, text, out) == 1)
		return 1;
	if (!had)
		return 0;
	/* The command alone, right after its prelude. */
	*out = before;
	n = strlen(text);
	if (n >= sizeof out->text || !text_valid_utf8(text, n))
		return 0;
	memcpy(out->text, text, n + 1);
	bridge_clean(out->text);
	return out->text[0] != '\0';
}

void
bridge_free(void)
{
	while (nrelays > 0)
		free(relays[--nrelays]);
	free(relays);
	relays = NULL;
	bridge_formats_free(&formats);
	bridge_formats_free(&preludes);
	npending = 0;
}
