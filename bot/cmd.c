/* cmd.c: the command registry and dispatch. See cmd.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "host.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "text.h"
#include "util.h"

struct entry {
	const struct cv_command *c;
	struct cv_plugin *owner;
	int words; /* words in the name */
};

/*
 * One person's command bucket, keyed by "a:ACCOUNT" when services know them,
 * else "h:user@host": never by nick, so that changing nick does not refill it.
 * A relayed person's is keyed by their id ("r:..."); the relay as a whole has
 * one more ("relay:user@host"), RELAY_FACTOR times larger, so that one noisy
 * remote person cannot silence the others, nor the relay drown the bot.
 */
struct bucket {
	char *key;
	double tokens;
	int64_t last;
	bool warned;
	int next;         /* the next bucket in its hash chain (or free slot), or -1 */
	int older, newer; /* by last use, -1 at either end */
};

#define RELAY_FACTOR 4

#define MAX_BUCKETS 1024
#define BUCKET_IDLE_MS (10 * 60 * 1000)

static struct entry *entries;
static size_t nentries, capentries;
static struct bucket *buckets;
static size_t nbuckets;
/*
 * Chains of bucket indexes by hash of the key without case, and a list by
 * last use: a command must not walk every bucket (a crowd of new people
 * fills all 1,024, and the walks showed in the rsvp profile). A bucket keeps
 * its slot until dropped; dropped slots are chained from free_slot.
 */
#define BUCKET_HEADS 2048
static int *heads;
static int lru_old = -1, lru_new = -1, free_slot = -1;
static size_t nslots;
static unsigned limit_burst = 5;
static double limit_rate = 1.0;
static char prefix[8] = "!";

int
cmd_tokenize(const char *line, struct cmd_tokens *t)
{
	size_t i = 0, o = 0, len = strlen(line);

	memset(t, 0, sizeof *t);
	if (len >= sizeof t->buf)
		return -1;
	memcpy(t->buf, line, len + 1);
	t->line = t->buf;
	while (i < len) {
		size_t start;

		while (i < len && t->buf[i] == ' ')
			i++;
		if (i == len)
			break;
		if (t->n == CMD_MAX_WORDS) {
			t->more = true;
			break;
		}
		start = i;
		while (i < len && t->buf[i] != ' ')
			i++;
		t->w[t->n] = t->words + o;
		t->off[t->n] = start;
		memcpy(t->words + o, t->buf + start, i - start);
		o += i - start;
		t->words[o++] = '\0';
		t->n++;
	}
	return t->n;
}

int
cmd_args(const struct cmd_tokens *t, int skip, const struct cv_command *c,
    const char **argv, char *store, size_t storesz)
{
	int n = t->n - skip, i;

	if (n > CV_MAX_ARGS)
		n = CV_MAX_ARGS;
	if ((c->flags & CV_CMD_REST) && c->max_args > 0 && n > c->max_args) {
		size_t len;

		n = c->max_args;
		cv_strlcpy(store, t->line + t->off[skip + n - 1], storesz);
		len = strlen(store);
		while (len > 0 && store[len - 1] == ' ')
			store[--len] = '\0';
		for (i = 0; i < n - 1; i++)
			argv[i] = t->w[skip + i];
		argv[n - 1] = store;
		return n;
	}
	for (i = 0; i < n; i++)
		argv[i] = t->w[skip + i];
	/* Words that were never split still count: too many for the command. */
	return t->n - skip + (t->more ? 1 : 0);
}

static int
name_words(const char *name)
{
	int n = 1;

	for (; *name; name++)
		if (*name == ' ')
			n++;
	return n;
}

int
cmd_register(struct cv_plugin *owner, const struct cv_command *cmds, size_t n, char *err,
    size_t errlen)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < nentries; j++) {
			if (strcasecmp(entries[j].c->name, cmds[i].name) == 0) {
				snprintf(err, errlen, "command '%s' already exists",
				    cmds[i].name);
				return -1;
			}
		}
		if (cmds[i].fn == NULL || cmds[i].max_args > CV_MAX_ARGS ||
		    cmds[i].min_args > cmds[i].max_args || name_words(cmds[i].name) > 2) {
			snprintf(err, errlen, "command '%s' is malformed", cmds[i].name);
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		if (nentries == capentries) {
			capentries = capentries ? capentries * 2 : 32;
			entries = xrealloc(entries, capentries * sizeof *entries);
		}
		entries[nentries++] =
		    (struct entry){ &cmds[i], owner, name_words(cmds[i].name) };
	}
	return 0;
}

void
cmd_unregister(struct cv_plugin *owner)
{
	size_t i, j;

	for (i = j = 0; i < nentries; i++)
		if (entries[i].owner != owner)
			entries[j++] = entries[i];
	nentries = j;
}

/* Does the entry's name equal the first `words` words of t? */
static bool
name_matches(const struct entry *e, const struct cmd_tokens *t, const char *two)
{
	if (e->words > t->n)
		return false;
	return strcasecmp(e->c->name, e->words == 1 ? t->w[0] : two) == 0;
}

const struct cv_command *
cmd_find(const struct cmd_tokens *t, int *skip, struct cv_plugin **owner)
{
	const struct entry *best = NULL;
	char two[64] = ""; /* the first two words, for two-word names */
	size_t i;

	if (t->n >= 2)
		snprintf(two, sizeof two, "%s %s", t->w[0], t->w[1]);
	for (i = 0; i < nentries; i++)
		if (name_matches(&entries[i], t, two) &&
		    (best == NULL || entries[i].words > best->words))
			best = &entries[i];
	if (best == NULL)
		return NULL;
	*skip = best->words;
	if (owner != NULL)
		*owner = best->owner;
	return best->c;
}

void
cmd_set_limit(unsigned burst, double rate)
{
	limit_burst = burst;
	limit_rate = rate;
}

void
cmd_set_prefix(const char *p)
{
	cv_strlcpy(prefix, p, sizeof prefix);
}

const char *
cmd_prefix(void)
{
	return prefix;
}

static unsigned
bucket_hash(const char *key)
{
	uint32_t h = 2166136261u; /* FNV-1a over the lowercased bytes */

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)tolower((unsigned char)*key)) * 16777619u;
	return h & (BUCKET_HEADS - 1);
}

static void
bucket_link(int i)
{
	int *head = &heads[bucket_hash(buckets[i].key)];

	buckets[i].next = *head;
	*head = i;
}

static void
bucket_unlink(int i)
{
	int *p = &heads[bucket_hash(buckets[i].key)];

	while (*p != i)
		p = &buckets[*p].next;
	*p = buckets[i].next;
}

static void
lru_unlink(int i)
{
	struct bucket *b = &buckets[i];

	if (b->older >= 0)
		buckets[b->older].newer = b->newer;
	else
		lru_old = b->newer;
	if (b->newer >= 0)
		buckets[b->newer].older = b->older;
	else
		lru_new = b->older;
}

static void
lru_push(int i)
{
	buckets[i].older = lru_new;
	buckets[i].newer = -1;
	if (lru_new >= 0)
		buckets[lru_new].newer = i;
	else
		lru_old = i;
	lru_new = i;
}

static void
bucket_drop(int i)
{
	bucket_unlink(i);
	lru_unlink(i);
	free(buckets[i].key);
	buckets[i].key = NULL;
	buckets[i].next = free_slot;
	free_slot = i;
	nbuckets--;
}

static struct bucket *
bucket_for(const char *key, int64_t now, unsigned factor)
{
	int i;

	if (buckets == NULL) {
		buckets = xcalloc(MAX_BUCKETS, sizeof *buckets);
		heads = xcalloc(BUCKET_HEADS, sizeof *heads);
		for (i = 0; i < BUCKET_HEADS; i++)
			heads[i] = -1;
	}
	/* Accounts and hosts compare without case, as services and DNS do. */
	for (i = heads[bucket_hash(key)]; i >= 0; i = buckets[i].next)
		if (strcasecmp(buckets[i].key, key) == 0) {
			lru_unlink(i); /* the caller takes from it now */
			lru_push(i);
			return &buckets[i];
		}
	/* Forget people idle long enough for their bucket to be full again. */
	while (lru_old >= 0 && now - buckets[lru_old].last > BUCKET_IDLE_MS)
		bucket_drop(lru_old);
	if (nbuckets == MAX_BUCKETS)
		bucket_drop(lru_old); /* the one idle longest */
	if (free_slot >= 0) {
		i = free_slot;
		free_slot = buckets[i].next;
	} else {
		i = (int)nslots++;
	}
	buckets[i] = (struct bucket){ xstrdup(key), (double)limit_burst * factor, now,
		false, -1, -1, -1 };
	bucket_link(i);
	lru_push(i);
	nbuckets++;
	return &buckets[i];
}

/* Take a token from the bucket under key, `factor` times the person's size. */
static bool
take(struct bucket *b, int64_t now, unsigned factor)
{
	double burst = (double)limit_burst * factor;

	b->tokens += (now - b->last) / 1000.0 * limit_rate * factor;
	if (b->tokens > burst)
		b->tokens = burst;
	b->last = now;
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return true;
	}
	return false;
}

/* One notice when someone goes over the limit; their excess is dropped. */
static bool
within_limit(const struct cv_person *who, const char *relay)
{
	int64_t now = loop_now();
	const char *uh = strchr(who->mask, '!');
	char key[256];
	struct bucket *b;

	if (who->via != NULL)
		snprintf(key, sizeof key, "%s", who->id);
	else if (who->account != NULL)
		snprintf(key, sizeof key, "a:%s", who->account);
	else
		snprintf(key, sizeof key, "h:%s", uh != NULL ? uh + 1 : who->mask);
	b = bucket_for(key, now, 1);

	if (take(b, now, 1)) {
		b->warned = false;
	} else {
		if (!b->warned) {
			struct cv_ctx ctx = { .who = who };

			b->warned = true;
			host_reply(&ctx, "%s",
			    tr(i18n_person(who->id),
			        "You are sending commands too "
			        "fast; the extra ones were ignored. Wait a few seconds and try again."));
		}
		return false;
	}
	if (relay == NULL)
		return true;
	uh = strchr(relay, '!');
	snprintf(key, sizeof key, "relay:%s", uh != NULL ? uh + 1 : relay);
	b = bucket_for(key, now, RELAY_FACTOR);
	if (take(b, now, RELAY_FACTOR)) {
		b->warned = false;
		return true;
	}
	if (!b->warned) {
		b->warned = true;
		log_warn("relay %s sends more commands than [bot] command_rate allows a relay; "
		         "the extra ones are ignored",
		    relay);
	}
	return false;
}

static void dispatch(const struct cv_person *who, const char *channel, const char *text,
    const char *relay);

void
cmd_message(const struct cv_person *who, const char *channel, const char *text)
{
	dispatch(who, channel, text, NULL);
}

void
cmd_relayed(const struct cv_person *who, const char *channel, const char *text,
    const char *relay)
{
	dispatch(who, channel, text, relay);
}

static void
dispatch(const struct cv_person *who, const char *channel, const char *text,
    const char *relay)
{
	size_t plen = strlen(prefix);
	char line[CMD_MAX_LINE], err[128], rest[CMD_MAX_LINE];
	const char *argv[CV_MAX_ARGS];
	struct cmd_tokens t;
	const struct cv_command *c;
	struct cv_plugin *owner = NULL;
	struct cv_ctx ctx = { .who = who, .channel = channel };
	int skip = 0;

	if (strncmp(text, prefix, plen) == 0)
		text += plen;
	else if (channel != NULL)
		return; /* channel talk, not for us */
	if (!within_limit(who, relay)) {
		metrics_inc(M_REFUSED_RATE_LIMITED);
		return;
	}
	ctx.argv = argv;
	ctx.lang = i18n_person(who->id);
	if (strlen(text) >= sizeof line) {
		host_reply(&ctx, "%s", tr(ctx.lang, "That line is too long."));
		metrics_inc(M_REFUSED_TOO_LONG);
		return;
	}
	cv_strlcpy(line, text, sizeof line);
	/* Formatting and control codes never reach a handler. */
	if (text_clean(line, err, sizeof err) < 0) {
		host_reply(&ctx,
		    tr(ctx.lang, "Sorry, %s: check your client's character encoding."),
		    tr(ctx.lang, err));
		metrics_inc(M_REFUSED_BAD_ENCODING);
		return;
	}
	if (cmd_tokenize(line, &t) <= 0)
		return;
	c = cmd_find(&t, &skip, &owner);
	if (c == NULL) {
		if (channel == NULL)
			host_reply(&ctx,
			    tr(ctx.lang,
			        "Unknown command '%.40s'. Say 'help' for the "
			        "list."),
			    t.w[0]);
		metrics_inc(M_REFUSED_UNKNOWN);
		return;
	}
	ctx.plugin = owner;
	ctx.command = c->name;
	if (who->role < c->role) {
		if (c->role == CV_ROLE_OWNER)
			host_reply(&ctx, tr(ctx.lang, "Sorry, '%s' is for owners only."),
			    c->name);
		else
			host_reply(&ctx,
			    tr(ctx.lang, "Sorry, '%s' is for organisers only."), c->name);
		metrics_inc(M_REFUSED_NOT_ALLOWED);
		return;
	}
	ctx.argc = cmd_args(&t, skip, c, argv, rest, sizeof rest);
	if (ctx.argc < c->min_args || ctx.argc > c->max_args) {
		host_reply(&ctx, tr(ctx.lang, "Usage: %s%s%s%s"), prefix, c->name,
		    c->usage[0] ? " " : "", c->usage);
		metrics_inc(M_REFUSED_USAGE);
		return;
	}
	metrics_inc(M_COMMANDS_HANDLED);
	i18n_set_reader(ctx.lang);
	c->fn(&ctx);
	i18n_set_reader(NULL);
}

/* ---- help and version ---- */

static bool
visible(const struct entry *e, const struct cv_person *who)
{
	return who->role >= e->c->role;
}

static void
cmd_help(struct cv_ctx *ctx)
{
	char list[400];
	size_t i, len = 0;

	if (ctx->argc > 0) {
		char name[64];
		struct cmd_tokens t;
		const struct cv_command *c;
		int skip;

		snprintf(name, sizeof name, "%s%s%s", ctx->argv[0],
		    ctx->argc > 1 ? " " : "", ctx->argc > 1 ? ctx->argv[1] : "");
		if (cmd_tokenize(name, &t) > 0 &&
		    (c = cmd_find(&t, &skip, NULL)) != NULL && ctx->who->role >= c->role) {
			host_reply(ctx, "%s%s%s%s: %s", prefix, c->name,
			    c->usage[0] ? " " : "", c->usage, tr(ctx->lang, c->help));
			return;
		}
		host_reply(ctx,
		    tr(ctx->lang, "No command '%.40s'. Say 'help' for the list."), name);
		return;
	}
	list[0] = '\0';
	for (i = 0; i < nentries; i++) {
		if (!visible(&entries[i], ctx->who))
			continue;
		len += snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
		    entries[i].c->name);
		if (len >= sizeof list)
			break;
	}
	host_reply(ctx, tr(ctx->lang, "Commands: %s. Say 'help COMMAND' for details."),
	    list);
}

static void
cmd_version(struct cv_ctx *ctx)
{
	/* The one answer that may go to the channel (a relayed person's all do). */
	if (ctx->channel != NULL && ctx->who->via == NULL)
		host_notice(ctx->channel,
		    tr(i18n_channel(ctx->channel), "Convene %s: event registration in chat"),
		    CONVENE_VERSION);
	else
		host_reply(ctx, tr(ctx->lang, "Convene %s: event registration in chat"),
		    CONVENE_VERSION);
}

/* One entry a line or two, as written: clang-format would rewrap them. */
/* clang-format off */
static const struct cv_command core[] = {
	{ "help", "[command]", N_("list the commands you may use, or explain one"), 0, 2,
	    CV_ROLE_MEMBER, 0, cmd_help },
	{ "version", "", N_("show the bot's version"), 0, 0, CV_ROLE_MEMBER, 0, cmd_version },
};
/* clang-format on */

void
cmd_core_init(void)
{
	char err[128];

	cmd_register(NULL, core, nitems(core), err, sizeof err);
}

void
cmd_free(void)
{
	size_t i;

	free(entries);
	entries = NULL;
	nentries = capentries = 0;
	for (i = 0; i < nslots; i++)
		free(buckets[i].key);
	free(buckets);
	buckets = NULL;
	free(heads);
	heads = NULL;
	nbuckets = nslots = 0;
	lru_old = lru_new = free_slot = -1;
}
