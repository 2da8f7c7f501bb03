/*
 * metrics.c: the host's counters and gauges, the plugins' metrics, and
 * their exposition in the Prometheus text format (version 0.0.4).
 *
 * Everything is counted in the main loop's thread: plain variables. The
 * gauges that describe a state (the send queue, the link) are read when
 * the text is rendered, so they are never stale.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "sendq.h"
#include "util.h"

static uint64_t counters[M_COUNT];
static uint64_t http_codes[600];
static double commit_sum;
static uint64_t commit_count;

/* A plugin's metric: one series (name with at most one label). */
struct pmetric {
	const void *owner;
	enum cv_metric_type type;
	char *name, *help, *label, *value;
	double v;       /* the counter or gauge; a summary's sum */
	uint64_t count; /* a summary's count */
};
#define PMETRIC_MAX 256
static struct pmetric *pm;
static size_t npm;

struct phook {
	const void *owner;
	void (*fn)(void *arg);
	void *arg;
};
static struct phook *hooks;
static size_t nhooks;

/* An allowed network: family, address bytes, prefix length. */
struct net {
	int af;
	unsigned char a[16];
	unsigned bits;
};
static struct net *nets;
static size_t nnets;
static bool nets_set;

void
metrics_inc(enum metric m)
{
	if (m < M_COUNT)
		counters[m]++;
}

void
metrics_http_status(int status)
{
	if (status >= 100 && status < 600)
		http_codes[status]++;
}

void
metrics_store_commit(double seconds)
{
	commit_sum += seconds;
	commit_count++;
}

/* [a-zA-Z_:][a-zA-Z0-9_:]*, or without ':' for a label name. */
static bool
valid_name(const char *s, bool label)
{
	const char *first = label ?
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_" :
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:";

	if (s == NULL || *s == '\0' || strchr(first, *s) == NULL)
		return false;
	return strspn(s,
	           label ?
	               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789" :
	               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:0123456789") ==
	    strlen(s);
}

/* The host's own families: a plugin may not take their names. */
static const char *const host_names[] = {
	"convene_commands_handled_total",
	"convene_commands_refused_total",
	"convene_answer_lines_queued_total",
	"convene_answer_lines_sent_total",
	"convene_sendq_lines",
	"convene_sendq_oldest_seconds",
	"convene_reconnects_total",
	"convene_connected",
	"convene_http_requests_total",
	"convene_store_commit_seconds",
};

static bool
host_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof host_names / sizeof host_names[0]; i++)
		if (strcmp(host_names[i], name) == 0)
			return true;
	return false;
}

static bool
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

void
metrics_plugin(const void *owner, enum cv_metric_type type, const char *name,
    const char *help, const char *label, const char *label_value, double v)
{
	struct pmetric *m = NULL;
	size_t i;

	if (!valid_name(name, false) ||
	    (label != NULL && (!valid_name(label, true) || label_value == NULL)) ||
	    type > CV_METRIC_SUMMARY || host_name(name)) {
		log_error("metrics: malformed metric %.64s", name ? name : "(null)");
		return;
	}
	if (label == NULL)
		label_value = NULL;
	for (i = 0; i < npm; i++) {
		if (strcmp(pm[i].name, name) != 0)
			continue;
		if (pm[i].type != type || pm[i].owner != owner) {
			log_error("metrics: %s is another plugin's or of another type",
			    name);
			return;
		}
		if (same(pm[i].label, label) && same(pm[i].value, label_value)) {
			m = &pm[i];
			break;
		}
	}
	if (m == NULL) {
		if (npm >= PMETRIC_MAX) {
			log_error("metrics: too many series; %s left out", name);
			return;
		}
		pm = xrealloc(pm, (npm + 1) * sizeof *pm);
		m = &pm[npm++];
		*m = (struct pmetric){ owner, type, xstrdup(name),
			xstrdup(help ? help : name), label ? xstrdup(label) : NULL,
			label_value ? xstrdup(label_value) : NULL, 0, 0 };
	}
	switch (type) {
	case CV_METRIC_COUNTER:
		if (v > 0)
			m->v += v;
		break;
	case CV_METRIC_GAUGE:
		m->v = v;
		break;
	case CV_METRIC_SUMMARY:
		m->v += v;
		m->count++;
		break;
	}
}

void
metrics_hook(const void *owner, void (*fn)(void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < nhooks; i++)
		if (hooks[i].owner == owner) {
			hooks[i].fn = fn;
			hooks[i].arg = arg;
			return;
		}
	hooks = xrealloc(hooks, (nhooks + 1) * sizeof *hooks);
	hooks[nhooks++] = (struct phook){ owner, fn, arg };
}

static void
pmetric_free(struct pmetric *m)
{
	free(m->name);
	free(m->help);
	free(m->label);
	free(m->value);
}

void
metrics_drop_owner(const void *owner)
{
	size_t i, j;

	for (i = j = 0; i < npm; i++) {
		if (owner == NULL || pm[i].owner == owner)
			pmetric_free(&pm[i]);
		else
			pm[j++] = pm[i];
	}
	npm = j;
	for (i = j = 0; i < nhooks; i++)
		if (owner != NULL && hooks[i].owner != owner)
			hooks[j++] = hooks[i];
	nhooks = j;
	if (npm == 0) {
		free(pm);
		pm = NULL;
	}
	if (nhooks == 0) {
		free(hooks);
		hooks = NULL;
	}
}

void
metrics_free(void)
{
	metrics_drop_owner(NULL);
	free(nets);
	nets = NULL;
	nnets = 0;
	nets_set = false;
}

/* ---- the text ---- */

struct out {
	char *buf;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3))) put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		o->cap = o->cap * 2 + (n > 0 ? (size_t)n : 0) + 256;
		o->buf = xrealloc(o->buf, o->cap);
	}
}

/* HELP text escapes '\' and newline; a label value '"' too. */
static void
put_escaped(struct out *o, const char *s, bool quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			put(o, "\\\\");
		else if (*s == '\n')
			put(o, "\\n");
		else if (quote && *s == '"')
			put(o, "\\\"");
		else
			put(o, "%c", *s);
	}
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s ", name);
	put_escaped(o, help, false);
	put(o, "\n# TYPE %s %s\n", name, type);
}

static void
put_num(struct out *o, double v)
{
	if (v == (double)(int64_t)v)
		put(o, "%lld\n", (long long)v);
	else
		put(o, "%.9g\n", v);
}

static void
series(struct out *o, const char *name, const char *suffix, const char *label,
    const char *value, double v)
{
	put(o, "%s%s", name, suffix);
	if (label != NULL) {
		put(o, "{%s=\"", label);
		put_escaped(o, value, true);
		put(o, "\"}");
	}
	put(o, " ");
	put_num(o, v);
}

static const char *const reasons[] = {
	[M_REFUSED_UNKNOWN] = "unknown",
	[M_REFUSED_NOT_ALLOWED] = "not_allowed",
	[M_REFUSED_USAGE] = "usage",
	[M_REFUSED_RATE_LIMITED] = "rate_limited",
	[M_REFUSED_TOO_LONG] = "too_long",
	[M_REFUSED_BAD_ENCODING] = "bad_encoding",
};

static void
render_host(struct out *o)
{
	size_t depth;
	int64_t oldest;
	int i;

	family(o, "convene_commands_handled_total", "counter",
	    "Commands that reached their handler.");
	series(o, "convene_commands_handled_total", "", NULL, NULL,
	    (double)counters[M_COMMANDS_HANDLED]);
	family(o, "convene_commands_refused_total", "counter",
	    "Command lines refused before a handler, by reason.");
	for (i = M_REFUSED_UNKNOWN; i <= M_REFUSED_BAD_ENCODING; i++)
		series(o, "convene_commands_refused_total", "", "reason", reasons[i],
		    (double)counters[i]);
	family(o, "convene_answer_lines_queued_total", "counter",
	    "Lines to people and channels put in the send queue.");
	series(o, "convene_answer_lines_queued_total", "", NULL, NULL,
	    (double)counters[M_LINES_QUEUED]);
	family(o, "convene_answer_lines_sent_total", "counter",
	    "Lines to people and channels sent to the server.");
	series(o, "convene_answer_lines_sent_total", "", NULL, NULL,
	    (double)counters[M_LINES_SENT]);

	sendq_state(&depth, &oldest);
	family(o, "convene_sendq_lines", "gauge", "Lines waiting in the send queue.");
	series(o, "convene_sendq_lines", "", NULL, NULL, (double)depth);
	family(o, "convene_sendq_oldest_seconds", "gauge",
	    "Age of the oldest line waiting in the send queue (0 when empty).");
	series(o, "convene_sendq_oldest_seconds", "", NULL, NULL,
	    oldest < 0 ? 0 : (double)(loop_now() - oldest) / 1000.0);

	family(o, "convene_reconnects_total", "counter",
	    "Reconnections to the IRC server after the connection was lost.");
	series(o, "convene_reconnects_total", "", NULL, NULL,
	    (double)counters[M_RECONNECTS]);
	family(o, "convene_connected", "gauge",
	    "1 when registered with the IRC server, else 0.");
	series(o, "convene_connected", "", NULL, NULL, link_registered() ? 1 : 0);

	family(o, "convene_http_requests_total", "counter",
	    "HTTP requests answered, by status code.");
	for (i = 100; i < 600; i++)
		if (http_codes[i] != 0) {
			char code[16];

			snprintf(code, sizeof code, "%d", i);
			series(o, "convene_http_requests_total", "", "code", code,
			    (double)http_codes[i]);
		}

	family(o, "convene_store_commit_seconds", "summary",
	    "Time taken by database commits.");
	series(o, "convene_store_commit_seconds", "_sum", NULL, NULL, commit_sum);
	series(o, "convene_store_commit_seconds", "_count", NULL, NULL,
	    (double)commit_count);
}

static int
by_name(const void *a, const void *b)
{
	const struct pmetric *x = *(struct pmetric *const *)a,
	                     *y = *(struct pmetric *const *)b;

	return strcmp(x->name, y->name);
}

static void
render_plugins(struct out *o)
{
	static const char *const types[] = { "counter", "gauge", "summary" };
	struct pmetric **v;
	size_t i;

	if (npm == 0)
		return;
	/* A family's series must be together, after one HELP and TYPE. */
	v = xmalloc(npm * sizeof *v);
	for (i = 0; i < npm; i++)
		v[i] = &pm[i];
	qsort(v, npm, sizeof *v, by_name);
	for (i = 0; i < npm; i++) {
		struct pmetric *m = v[i];

		if (i == 0 || strcmp(v[i - 1]->name, m->name) != 0)
			family(o, m->name, types[m->type], m->help);
		if (m->type == CV_METRIC_SUMMARY) {
			series(o, m->name, "_sum", m->label, m->value, m->v);
			series(o, m->name, "_count", m->label, m->value, (double)m->count);
		} else
			series(o, m->name, "", m->label, m->value, m->v);
	}
	free(v);
}

char *
metrics_render(size_t *len)
{
	struct out o = { NULL, 0, 0 };
	size_t i;

	/* A hook may add series: pm may move, so nothing is held across. */
	for (i = 0; i < nhooks; i++)
		hooks[i].fn(hooks[i].arg);
	put(&o, "%s", "");
	render_host(&o);
	render_plugins(&o);
	*len = o.len;
	return o.buf;
}

/* ---- who may ask ---- */

static int
parse_net(char *item, struct net *n, char *err, size_t errlen)
{
	char *slash = strchr(item, '/'), *end;
	unsigned max;
	long bits;

	if (slash != NULL)
		*slash = '\0';
	memset(n, 0, sizeof *n);
	if (inet_pton(AF_INET, item, n->a) == 1) {
		n->af = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, item, n->a) == 1) {
		n->af = AF_INET6;
		max = 128;
	} else {
		snprintf(err, errlen, "'%.64s' is not a numeric IPv4 or IPv6 address",
		    item);
		return -1;
	}
	n->bits = max;
	if (slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || bits < 0 || bits > (long)max) {
			snprintf(err, errlen,
			    "'%.64s/%.16s' has a prefix length that is not "
			    "0 to %u",
			    item, slash + 1, max);
			return -1;
		}
		n->bits = (unsigned)bits;
	}
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* The networks of list, or -1 with a reason; *out is the caller's to free. */
static int
parse_list(const char *list, struct net **out, size_t *nout, char *err, size_t errlen)
{
	char *copy = xstrdup(list), *rest = copy, *item;
	struct net *v = NULL;
	size_t n = 0;
	int ret = 0;

	while ((item = strsep(&rest, ",")) != NULL) {
		item = trim(item);
		if (*item == '\0') {
			snprintf(err, errlen, "has an empty item");
			ret = -1;
			break;
		}
		v = xrealloc(v, (n + 1) * sizeof *v);
		if ((ret = parse_net(item, &v[n], err, errlen)) == -1)
			break;
		n++;
	}
	free(copy);
	if (ret == -1) {
		free(v);
		return -1;
	}
	*out = v;
	*nout = n;
	return 0;
}

int
metrics_check_from(const char *list, char *err, size_t errlen)
{
	struct net *v;
	size_t n;

	if (parse_list(list, &v, &n, err, errlen) == -1)
		return -1;
	free(v);
	return 0;
}

int
metrics_set_allowed(const char *list, char *err, size_t errlen)
{
	struct net *v;
	size_t n;

	if (parse_list(list != NULL ? list : METRICS_FROM_DEFAULT, &v, &n, err, errlen) ==
	    -1) {
		free(nets);
		nets = NULL;
		nnets = 0;
		nets_set = true;
		return -1;
	}
	free(nets);
	nets = v;
	nnets = n;
	nets_set = true;
	return 0;
}

static bool
in_net(const struct net *n, int af, const unsigned char *a)
{
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (n->af != af || memcmp(n->a, a, full) != 0)
		return false;
	return rest == 0 || ((n->a[full] ^ a[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

bool
metrics_allowed(const struct sockaddr *sa)
{
	unsigned char a[16];
	int af;
	size_t i;

	if (!nets_set) {
		char err[128];

		if (metrics_set_allowed(NULL, err, sizeof err) == -1)
			return false;
	}
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		memcpy(a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		af = AF_INET;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		/* An IPv4 client of a dual-stack socket is that IPv4 address. */
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			memcpy(a, a6->s6_addr + 12, 4);
			af = AF_INET;
		} else {
			memcpy(a, a6->s6_addr, 16);
			af = AF_INET6;
		}
	} else
		return false;
	for (i = 0; i < nnets; i++)
		if (in_net(&nets[i], af, a))
			return true;
	return false;
}
