/*
 * host.c: the table of host functions plugins get, identity and roles,
 * timers. Answers are in host_answers.c, the bus in host_bus.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "account.h"
#include "cmd.h"
#include "config.h"
#include "fetch.h"
#include "host.h"
#include "host_priv.h"
#include "http.h"
#include "i18n.h"
#include "link.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "plugin.h"
#include "presence.h"
#include "store.h"
#include "text.h"
#include "util.h"

/* ---- config and roles ---- */

static struct config *conf;
static char **owners;
static size_t nowners;
static char **organizers;
static size_t norganizers;

void
host_set_config(struct config *c)
{
	conf = c;
}

const struct config *
host_config(void)
{
	return conf;
}

void
strv_free(char ***v, size_t *n)
{
	while (*n > 0)
		free((*v)[--*n]);
	free(*v);
	*v = NULL;
}

void
strv_add(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

void
host_set_owners(const char *list)
{
	char *copy, *tok, *save = NULL;

	strv_free(&owners, &nowners);
	if (list == NULL)
		return;
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok += strspn(tok, " \t");
		tok[strcspn(tok, " \t")] = '\0';
		if (*tok != '\0')
			strv_add(&owners, &nowners, tok);
	}
	free(copy);
}

static const char *const host_schema[] = {
	"CREATE TABLE organizers (mask TEXT PRIMARY KEY, added_at INTEGER NOT NULL)",
	/*
	 * 2: erasures for plugins not loaded (see CV_TOPIC_PERSON_FORGET). Any
	 * plugin with tables may keep personal data until it loads and shows
	 * otherwise (by not subscribing to person.forget).
	 */
	("CREATE TABLE personal_plugins (plugin TEXT PRIMARY KEY);"
	 "CREATE TABLE forget_pending (plugin TEXT NOT NULL, person TEXT NOT NULL,"
	 " PRIMARY KEY (plugin, person)) WITHOUT ROWID;"
	 "INSERT INTO personal_plugins (plugin)"
	 " SELECT owner FROM schema_versions WHERE owner <> 'host'"),
	/* 3: each person's language (bot/i18n.c), erased on person.forget. */
	"CREATE TABLE person_languages (person TEXT PRIMARY KEY, lang TEXT NOT NULL) WITHOUT ROWID",
};

int
host_migrate(char *err, size_t errlen)
{
	if (store_migrate("host", host_schema, nitems(host_schema), err, errlen) < 0)
		return -1;
	if (personal_load() < 0) {
		snprintf(err, errlen, "reading personal_plugins: %s",
		    sqlite3_errmsg(store_db()));
		return -1;
	}
	return 0;
}

int
host_organizers_load(void)
{
	sqlite3_stmt *st;

	strv_free(&organizers, &norganizers);
	if (sqlite3_prepare_v2(store_db(),
	        "SELECT mask FROM organizers ORDER BY added_at, mask", -1, &st,
	        NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW)
		strv_add(&organizers, &norganizers,
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return 0;
}

static int
organizer_change(const char *sql, const char *mask)
{
	sqlite3_stmt *st;
	int rc, changed;

	if (store_begin() < 0)
		return -1;
	if (sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL) != SQLITE_OK) {
		store_rollback();
		return -1;
	}
	sqlite3_bind_text(st, 1, mask, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)host_wall_now());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	changed = sqlite3_changes(store_db());
	if (rc != SQLITE_DONE || store_commit() < 0) {
		store_rollback();
		return -1;
	}
	host_organizers_load();
	return changed ? 0 : 1;
}

int
host_organizer_add(const char *mask)
{
	return organizer_change("INSERT OR IGNORE INTO organizers (mask, added_at) VALUES (?1, ?2)",
	    mask);
}

int
host_organizer_del(const char *mask)
{
	/* ?2 is bound but unused here, which SQLite allows. */
	return organizer_change("DELETE FROM organizers WHERE mask = ?1 AND ?2 IS NOT NULL",
	    mask);
}

size_t
host_organizer_count(void)
{
	return norganizers;
}

const char *
host_organizer(size_t i)
{
	return i < norganizers ? organizers[i] : NULL;
}

void
host_person(struct cv_person *p, const char *origin, const char *account, char *idbuf,
    size_t idlen, char *nickbuf, size_t nicklen)
{
	enum casemap cm = link_casemap();
	size_t i, n = strcspn(origin, "!@");
	char folded[128];

	if (n >= nicklen)
		n = nicklen - 1;
	memcpy(nickbuf, origin, n);
	nickbuf[n] = '\0';
	cv_strlcpy(folded, account ? account : nickbuf, sizeof folded);
	if (account != NULL)
		account_fold(folded); /* as services compare accounts, not nicks */
	else
		casefold(folded, cm);
	snprintf(idbuf, idlen, "%s:%s", account ? "a" : "n", folded);
	p->nick = nickbuf;
	p->mask = origin;
	p->account = account;
	p->id = idbuf;
	p->role = CV_ROLE_MEMBER;
	p->via = NULL;
	for (i = 0; i < nowners; i++)
		if (mask_match_person(owners[i], origin, account, cm)) {
			p->role = CV_ROLE_OWNER;
			return;
		}
	for (i = 0; i < norganizers; i++)
		if (mask_match_person(organizers[i], origin, account, cm)) {
			p->role = CV_ROLE_ORGANIZER;
			return;
		}
}

/* ---- clocks ---- */

/*
 * Tests move the wall clock to reach reminder and retention times without
 * waiting: CONVENE_TIME_OFFSET (seconds, fixed at start) or
 * CONVENE_TIME_OFFSET_FILE (a file holding the seconds, read at every call,
 * so a test can move time while the bot runs). Never set in production.
 */
time_t
host_wall_now(void)
{
	static int init;
	static long fixed;
	static const char *file;
	long offset;

	if (!init) {
		const char *s = getenv("CONVENE_TIME_OFFSET");

		fixed = s ? strtol(s, NULL, 10) : 0;
		file = getenv("CONVENE_TIME_OFFSET_FILE");
		init = 1;
	}
	offset = fixed;
	if (file != NULL) {
		FILE *f = fopen(file, "r");

		if (f != NULL) {
			if (fscanf(f, "%ld", &offset) != 1)
				offset = fixed;
			(void)fclose(f);
		}
	}
	return time(NULL) + offset;
}

static int64_t
api_mono_ms(void)
{
	return loop_now();
}

static void
api_log(struct cv_plugin *p, enum cv_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, p ? p->name : NULL, fmt, ap);
	va_end(ap);
}

static int
api_commands(struct cv_plugin *p, const struct cv_command *cmds, size_t n)
{
	char err[128];

	if (cmd_register(p, cmds, n, err, sizeof err) < 0) {
		log_error("plugin %s: %s", p->name, err);
		return -1;
	}
	return 0;
}

/* ---- timers owned by plugins ---- */

struct ptimer {
	struct cv_plugin *p;
	uint64_t id;
	bool repeat;
	cv_timer_fn fn;
	void *arg;
};

static struct ptimer **ptimers;
static size_t nptimers;

static void
ptimer_remove(size_t i)
{
	free(ptimers[i]);
	ptimers[i] = ptimers[--nptimers];
}

static void
ptimer_fire(void *arg)
{
	struct ptimer *t = arg, copy = *t;
	size_t i;

	/* A one-shot timer is forgotten before it runs, so it may cancel itself safely. */
	if (!t->repeat)
		for (i = 0; i < nptimers; i++)
			if (ptimers[i] == t) {
				ptimer_remove(i);
				break;
			}
	copy.fn(copy.arg);
}

static cv_timer_id
api_timer_add(struct cv_plugin *p, int64_t delay_ms, int64_t repeat_ms, cv_timer_fn fn,
    void *arg)
{
	struct ptimer *t = xcalloc(1, sizeof *t);

	t->p = p;
	t->repeat = repeat_ms > 0;
	t->fn = fn;
	t->arg = arg;
	t->id = loop_timer(delay_ms, repeat_ms, ptimer_fire, t);
	ptimers = xrealloc(ptimers, (nptimers + 1) * sizeof *ptimers);
	ptimers[nptimers++] = t;
	return t->id;
}

static void
api_timer_cancel(struct cv_plugin *p, cv_timer_id id)
{
	size_t i;

	for (i = 0; i < nptimers; i++) {
		if (ptimers[i]->id == id && ptimers[i]->p == p) {
			loop_timer_cancel(id);
			ptimer_remove(i);
			return;
		}
	}
}

void
host_release(struct cv_plugin *p)
{
	size_t i = 0;

	while (i < nptimers) {
		if (ptimers[i]->p == p) {
			loop_timer_cancel(ptimers[i]->id);
			ptimer_remove(i);
		} else {
			i++;
		}
	}
	if (nptimers == 0) {
		free(ptimers);
		ptimers = NULL;
	}
	bus_release(p);
}

/* ---- the rest of the table ---- */

static int
api_route(struct cv_plugin *p, const char *prefix, cv_http_fn fn, void *arg)
{
	return http_route(p, prefix, fn, arg);
}

static sqlite3 *
api_db(struct cv_plugin *p)
{
	return store_db();
}

static int
api_migrate(struct cv_plugin *p, const char *const *steps, size_t n)
{
	char err[256];

	if (store_migrate(p->name, steps, n, err, sizeof err) < 0) {
		log_error("plugin %s: migration failed: %s", p->name, err);
		return -1;
	}
	return 0;
}

static int
api_begin(struct cv_plugin *p)
{
	return store_begin();
}

static int
api_commit(struct cv_plugin *p)
{
	return store_commit();
}

static void
api_rollback(struct cv_plugin *p)
{
	store_rollback();
}

static const char *
api_config(struct cv_plugin *p, const char *key)
{
	return conf ? config_get(conf, p->name, key) : NULL;
}

static const char *
api_config_of(const char *section, const char *key)
{
	return conf ? config_get(conf, section, key) : NULL;
}

/*
 * A typed key of p's section as its descriptor declares it: the value,
 * checked at load, or the default. Not declared with that type: 0.
 */
static long long
typed_value(struct cv_plugin *p, const char *key, enum cv_key_type type)
{
	const struct cv_config_key *k = config_key_find(plugin_typed_keys(p->desc), key);
	const char *v;
	long long n = 0;

	if (k == NULL || k->type != type) {
		log_warn("plugin %s: config key '%s' is not declared with that type",
		    p->name, key);
		return 0;
	}
	if ((v = api_config(p, key)) == NULL)
		v = k->def;
	if (v != NULL && config_key_parse(k, v, &n) < 0 && k->def != NULL)
		config_key_parse(k, k->def, &n); /* not checked: a reload changed it */
	return n;
}

static bool
api_config_bool(struct cv_plugin *p, const char *key)
{
	return typed_value(p, key, CV_KEY_BOOL) != 0;
}

static long long
api_config_int(struct cv_plugin *p, const char *key)
{
	return typed_value(p, key, CV_KEY_INT);
}

static long long
api_config_duration(struct cv_plugin *p, const char *key)
{
	return typed_value(p, key, CV_KEY_DURATION);
}

static int
api_subscribe(struct cv_plugin *p, const char *topic, cv_bus_fn fn, void *arg)
{
	return bus_subscribe(p, topic, fn, arg);
}

static bool
api_online(const char *nick)
{
	return presence_online(nick);
}

/*
 * A nick is anyone's once its holder leaves it: a private notice goes to a
 * nick only while it is known to belong to the person it is for.
 */
static bool
api_holds(const char *nick, const char *id)
{
	const char *account = NULL;
	char folded[128];

	if (nick == NULL || id == NULL || !presence_online(nick))
		return false;
	if (strncmp(id, "a:", 2) == 0) {
		if (!account_lookup(nick, &account) || account == NULL ||
		    strlen(account) >= sizeof folded)
			return false;
		/* Services compare account names by ASCII case only (never rfc1459). */
		return account_cmp(account, id + 2) == 0;
	}
	if (strncmp(id, "n:", 2) != 0 || strlen(nick) >= sizeof folded)
		return false;
	cv_strlcpy(folded, nick, sizeof folded);
	casefold(folded, link_casemap());
	return strcmp(folded, id + 2) == 0;
}

static void
api_casefold(char *s)
{
	casefold(s, link_casemap());
}

/* ---- administration ---- */

struct plugin_op {
	char op[8];
	char name[64];
	char nick[64];
	const char *lang; /* the asker's, static */
};

static void
plugin_op_run(void *arg)
{
	struct plugin_op *o = arg;
	char err[256], why[600];
	int rc;

	if (strcmp(o->op, "load") == 0)
		rc = plugin_load(o->name, err, sizeof err);
	else if (strcmp(o->op, "unload") == 0)
		rc = plugin_unload(o->name, err, sizeof err);
	else
		rc = plugin_reload(o->name, err, sizeof err);
	if (rc == 0) {
		host_notice(o->nick,
		    strcmp(o->op, "load") == 0 ? tr(o->lang, "Plugin '%s': loaded.") :
		        strcmp(o->op, "unload") == 0 ?
		                                 tr(o->lang, "Plugin '%s': unloaded.") :
		                                 tr(o->lang, "Plugin '%s': reloaded."),
		    o->name);
		free(o);
		return;
	}
	/* err is the log's English; the asker reads the reason in their language. */
	plugin_failure(o->lang, why, sizeof why);
	host_notice(o->nick,
	    strcmp(o->op, "load") == 0       ? tr(o->lang, "Plugin '%s' not loaded: %s") :
	        strcmp(o->op, "unload") == 0 ? tr(o->lang, "Plugin '%s' not unloaded: %s") :
	                                       tr(o->lang, "Plugin '%s' not reloaded: %s"),
	    o->name, why);
	free(o);
}

/* Deferred to a timer: the command running now may belong to the plugin. */
static void
api_plugin_ctl(struct cv_ctx *ctx, const char *op, const char *name)
{
	struct plugin_op *o = xcalloc(1, sizeof *o);

	cv_strlcpy(o->op, op, sizeof o->op);
	cv_strlcpy(o->name, name, sizeof o->name);
	cv_strlcpy(o->nick, ctx->who->nick, sizeof o->nick);
	o->lang = ctx->lang;
	loop_timer(0, 0, plugin_op_run, o);
}

static const char *
api_plugin_name(size_t i)
{
	struct cv_plugin *p = plugin_at(i);

	return p ? p->name : NULL;
}

static bool
api_mask_valid(const char *mask)
{
	return mask_valid(mask);
}

static int
api_http_request(struct cv_plugin *p, const struct cv_http_request *req,
    cv_http_done_fn done, void *arg)
{
	return fetch_start(p, req, done, arg);
}

static void
api_metric(struct cv_plugin *p, enum cv_metric_type type, const char *name,
    const char *help, const char *label, const char *label_value, double v)
{
	metrics_plugin(p, type, name, help, label, label_value, v);
}

static void
api_metrics_hook(struct cv_plugin *p, void (*fn)(void *arg), void *arg)
{
	metrics_hook(p, fn, arg);
}

static const struct cv_host api = {
	.abi_major = CONVENE_ABI_MAJOR,
	.abi_minor = CONVENE_ABI_MINOR,
	.log = api_log,
	.reply = host_reply,
	.notice = host_notice,
	.say = api_say,
	.notice_many = api_notice_many,
	.commands = api_commands,
	.timer_add = api_timer_add,
	.timer_cancel = api_timer_cancel,
	.mono_ms = api_mono_ms,
	.wall_now = host_wall_now,
	.route = api_route,
	.db = api_db,
	.migrate = api_migrate,
	.begin = api_begin,
	.commit = api_commit,
	.rollback = api_rollback,
	.config = api_config,
	.config_of = api_config_of,
	.subscribe = api_subscribe,
	.publish = bus_publish,
	.own_nick = link_nick,
	.online = api_online,
	.casefold = api_casefold,
	.channel = link_channel,
	.clean_text = text_clean,
	.plugin_ctl = api_plugin_ctl,
	.plugin_name = api_plugin_name,
	.join = link_join,
	.part = link_part,
	.organizer_add = host_organizer_add,
	.organizer_del = host_organizer_del,
	.organizer = host_organizer,
	.mask_valid = api_mask_valid,
	.checkpoint = store_checkpoint,
	.http_request = api_http_request,
	.connected = link_registered,
	.holds = api_holds,
	.forget_deferred = api_forget_deferred,
	.metric = api_metric,
	.metrics_hook = api_metrics_hook,
	.base_url = http_base_url,
	.prefix = cmd_prefix,
	.serves = http_serves,
	.config_bool = api_config_bool,
	.config_int = api_config_int,
	.config_duration = api_config_duration,
	.config_parse = config_key_parse,
	.tr = tr,
	.ntr = ntr,
	.person_lang = i18n_person,
	.channel_lang = i18n_channel,
};

const struct cv_host *
host_api(void)
{
	return &api;
}
