/* ics.c: iCalendar output with libical (text cleaned and folded in icstext.c). See ics.h. */
#include "ics.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv_ical.h"
#include <xxhash.h>

#include "icstext.h"
#include "series_ics.h"
#include "sbuf.h"

#define ZONE_MARGIN (366 * 86400) /* VTIMEZONE kept for a year around the events */

void
cal_event_clear(struct cal_event *e)
{
	free(e->uid);
	free(e->title);
	free(e->description);
	free(e->location);
	free(e->url);
	free(e->join_url);
	free(e->channel);
	free(e->cancel_reason);
	free(e->tz);
	free(e->occ_date);
	free(e->rrule);
	cal_events_free(e->occ, e->nocc);
	memset(e, 0, sizeof(*e));
}

void
cal_events_free(struct cal_event *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cal_event_clear(&v[i]);
	free(v);
}

void
ics_etag(const char *body, size_t len, char out[48])
{
	/*
	 * XXH3's 128 bits: the ETag changes with any byte, and hashing the
	 * whole feed runs at memory speed (two byte-at-a-time FNV-1a hashes
	 * were 0.9 ms of the 1.15 ms of one changed event among 1,000).
	 */
	XXH128_hash_t h = XXH3_128bits(body, len);

	snprintf(out, 48, "\"%016llx%016llx\"", (unsigned long long)h.high64,
	    (unsigned long long)h.low64);
}

/*
 * h continued over n bytes: FNV-1a's step over 8 bytes at a time, each
 * followed by an xorshift so that high bits reach low ones (both steps are
 * one-to-one: texts differing in one word never meet). A feed of thousands
 * of events hashes each at every render; byte at a time this was half of
 * the cost of re-rendering one changed event among 1,000.
 */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t w;

	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 32;
	}
	for (; n > 0; n--, b++)
		h = (h ^ *b) * 0x100000001b3ULL;
	return h;
}

uint64_t
ics_hash_text(uint64_t h, const char *s)
{
	/* A NULL and an empty text differ, and no two texts run together. */
	h = fnv(h, s != NULL ? "t" : "n", 1);
	return s != NULL ? fnv(h, s, strlen(s) + 1) : h;
}

uint64_t
ics_event_input(const struct cal_event *e, uint64_t seed)
{
	const char *texts[] = { e->uid, e->title, e->description, e->location, e->url,
		e->join_url, e->channel, e->cancel_reason, e->tz };
	long long nums[] = { e->id, e->start_utc, e->duration_min, e->cancelled, e->purged,
		e->sequence, e->created_at, e->updated_at, e->reg, e->position };
	/* Another libical may write other text for the same event. */
	uint64_t h = ics_hash_text(seed ^ 0xcbf29ce484222325ULL, ICAL_VERSION);

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		h = ics_hash_text(h, texts[i]);
	/* Another language writes other words; English hashes as it always did. */
	if (e->lang != NULL)
		h = ics_hash_text(h, e->lang);
	h = fnv(h, nums, sizeof(nums));
	h = ics_hash_text(h, e->rrule);
	for (size_t i = 0; i < e->nocc; i++)
		h = fnv(h, &(uint64_t){ ics_event_input(&e->occ[i], 0) }, sizeof(uint64_t));
	return h != 0 ? h : 1; /* 0 means "unknown" to callers */
}

/* ---- rendering ---- */

struct zone_use {
	const char *name; /* the event's plain IANA name */
	icaltimezone *z; /* libical's builtin zone (the host owns it), or NULL: not a zone */
	long long first; /* the earliest start of its events */
};

/* libical's zone for an event's tz, or NULL for UTC (also for "+05:00" and unknown names). */
static icaltimezone *
zone_of(const char *tz)
{
	if (tz == NULL || tz[0] == '\0' || tz[0] == '+' || tz[0] == '-' ||
	    strcmp(tz, "UTC") == 0)
		return NULL;
	return icaltimezone_get_builtin_timezone(tz);
}

static struct icaltimetype
utc_time(long long t)
{
	return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

/* DTSTART or DTEND: wall-clock time with a plain TZID, or UTC with Z. */
static icalproperty *
time_prop(icalproperty *(*make)(struct icaltimetype), long long t, icaltimezone *z,
    const char *tzid)
{
	struct icaltimetype it;
	icalproperty *p;

	if (z == NULL)
		return make(utc_time(t));
	it = icaltime_from_timet_with_zone((time_t)t, 0, z);
	/* Floating, with our own TZID: libical's would carry its prefix. */
	it.zone = NULL;
	p = make(it);
	icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
	return p;
}

icalproperty *
ics_time_prop(icalproperty *(*make)(struct icaltimetype), long long t, icaltimezone *z,
    const char *tzid)
{
	return time_prop(make, t, z, tzid);
}

static void
add_x(icalcomponent *c, const char *name, const char *value)
{
	icalproperty *p = icalproperty_new_x(value);

	icalproperty_set_x_name(p, name);
	icalcomponent_add_property(c, p);
}

static void
add_text(icalcomponent *c, icalproperty *(*make)(const char *), const char *s, bool newlines)
{
	char *t;

	if (s == NULL || s[0] == '\0')
		return;
	t = ics_clean(s, newlines);
	if (t[0] != '\0')
		icalcomponent_add_property(c, make(t));
	free(t);
}

/* The description a person reads: status, join link, text, page. */
const char *(*ics_translate)(const char *lang, const char *msgid);

/* The feed's words in e's language (ics_translate is the host's tr). */
static const char *tr(const struct cal_event *e, const char *msgid)
    __attribute__((format_arg(2)));

static const char *
tr(const struct cal_event *e, const char *msgid)
{
	return ics_translate != NULL && e->lang != NULL ? ics_translate(e->lang, msgid) :
	                                                  msgid;
}

static char *
event_description(const struct cal_event *e)
{
	struct sbuf b = { 0 };
	const char *sep = "";

	if (e->cancelled) {
		if (e->cancel_reason != NULL)
			sb_printf(&b, tr(e, "Cancelled: %s"), e->cancel_reason);
		else
			sb_puts(&b, tr(e, "Cancelled."));
		sep = "\n\n";
	}
	switch (e->reg) {
	case CAL_REG_CONFIRMED:
		sb_printf(&b, "%s%s", sep, tr(e, "Your registration: confirmed."));
		/* The private link: only here, never in a public feed. */
		if (e->join_url != NULL && !e->cancelled)
			sb_printf(&b, "\n%s%s", tr(e, "Join: "), e->join_url);
		sep = "\n\n";
		break;
	case CAL_REG_MAYBE:
		sb_printf(&b, "%s%s", sep,
		    tr(e, "Your registration: maybe (no place is held)."));
		sep = "\n\n";
		break;
	case CAL_REG_WAITLIST:
		sb_puts(&b, sep);
		sb_printf(&b, tr(e, "Your registration: waitlist, position %d."),
		    e->position);
		sep = "\n\n";
		break;
	case CAL_REG_NONE:
		break;
	}
	if (e->description != NULL && e->description[0] != '\0') {
		sb_printf(&b, "%s%s", sep, e->description);
		sep = "\n\n";
	}
	if (e->url != NULL)
		sb_printf(&b, "%s%s%s", sep, tr(e, "Details: "), e->url);
	return sb_take(&b, NULL);
}

static icalcomponent *
make_event(const struct cal_event *e, icaltimezone *z)
{
	icalcomponent *ev = icalcomponent_new_vevent();
	long long end = e->start_utc + 60LL * e->duration_min;
	char *desc, *title;
	enum icalproperty_status st;

	icalcomponent_add_property(ev, icalproperty_new_uid(e->uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc_time(e->updated_at)));
	icalcomponent_add_property(ev, icalproperty_new_created(utc_time(e->created_at)));
	icalcomponent_add_property(ev,
	    icalproperty_new_lastmodified(utc_time(e->updated_at)));
	icalcomponent_add_property(ev, icalproperty_new_sequence((int)e->sequence));
	icalcomponent_add_property(ev,
	    time_prop(icalproperty_new_dtstart, e->start_utc, z, e->tz));
	icalcomponent_add_property(ev, time_prop(icalproperty_new_dtend, end, z, e->tz));
	title = ics_clean(e->title != NULL ? e->title : "", false);
	if (e->cancelled) {
		char *t;

		if (asprintf(&t, tr(e, "Cancelled: %s"), title) < 0)
			abort();
		free(title);
		title = t;
	}
	icalcomponent_add_property(ev, icalproperty_new_summary(title));
	free(title);
	desc = event_description(e);
	add_text(ev, icalproperty_new_description, desc, true);
	free(desc);
	add_text(ev, icalproperty_new_location, e->location, false);
	add_text(ev, icalproperty_new_url, e->url, false);
	if (e->cancelled)
		st = ICAL_STATUS_CANCELLED;
	else if (e->reg == CAL_REG_MAYBE || e->reg == CAL_REG_WAITLIST)
		st = ICAL_STATUS_TENTATIVE;
	else
		st = ICAL_STATUS_CONFIRMED;
	icalcomponent_add_property(ev, icalproperty_new_status(st));
	icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
	if (e->rrule != NULL)
		series_props(ev, e, z);
	return ev;
}

/* A VTIMEZONE for zone u: a truncated clone of libical's, with the plain IANA TZID. */
static icalcomponent *
make_vtimezone(const struct zone_use *u)
{
	icalcomponent *vtz = icalcomponent_new_clone(icaltimezone_get_component(u->z));
	icalproperty *p, *next;

	/* Only a start: an end would add TZUNTIL, which some parsers do not know. */
	icaltimezone_truncate_vtimezone(vtz, utc_time(u->first - ZONE_MARGIN),
	    icaltime_null_time(), 1);
	for (p = icalcomponent_get_first_property(vtz, ICAL_ANY_PROPERTY); p != NULL;
	     p = next) {
		next = icalcomponent_get_next_property(vtz, ICAL_ANY_PROPERTY);
		if (icalproperty_isa(p) == ICAL_TZID_PROPERTY ||
		    (icalproperty_isa(p) == ICAL_X_PROPERTY &&
		        strcmp(icalproperty_get_x_name(p), "X-LIC-LOCATION") == 0)) {
			icalcomponent_remove_property(vtz, p);
			icalproperty_free(p);
		}
	}
	icalcomponent_add_property(vtz, icalproperty_new_tzid(u->name));
	return vtz;
}

#define END_VCALENDAR "END:VCALENDAR\r\n"

/*
 * Append libical's text s[0..len), whole lines, unfolded and folded again
 * our way. s is libical's buffer, ours to change: unfolded in place.
 */
static void
refold(struct sbuf *out, char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r' && i + 2 < len && s[i + 1] == '\n' &&
		    (s[i + 2] == ' ' || s[i + 2] == '\t')) {
			i += 2;
			continue;
		}
		s[o++] = s[i];
	}
	fold_into(out, s, o);
}

/* One event's VEVENT, folded, appended to out; z: zone_of(e->tz). */
static void
render_vevent(struct sbuf *out, const struct cal_event *e, icaltimezone *z)
{
	icalcomponent *ev = make_event(e, z);
	char *raw = icalcomponent_as_ical_string_r(ev);

	icalcomponent_free(ev);
	refold(out, raw, strlen(raw));
	free(raw);
	/* A series' changed occurrences: overrides under its UID. */
	for (size_t i = 0; e->rrule != NULL && i < e->nocc; i++) {
		if (e->occ[i].cancelled || !series_changed(e, &e->occ[i], z))
			continue;
		ev = make_event(&e->occ[i], z);
		series_override(ev, e, &e->occ[i], z);
		raw = icalcomponent_as_ical_string_r(ev);
		icalcomponent_free(ev);
		refold(out, raw, strlen(raw));
		free(raw);
	}
}

/* The slice of event id in s (by id), or NULL. */
static const struct ics_slice *
slice_find(const struct ics_slices *s, long long id)
{
	size_t lo = 0, hi = s != NULL ? s->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].id == id)
			return &s->v[mid];
		if (s->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
slice_cmp(const void *a, const void *b)
{
	const struct ics_slice *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

void
ics_slices_clear(struct ics_slices *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/*
 * VTIMEZONEs as text, by zone and first start: libical's clone and
 * truncation (ICU underneath) cost more than a hundred VEVENTs, and
 * all.ics and the channel feeds ask for the same ones at every render.
 * The least recently used goes; ics_zones_forget() empties it.
 */
#define ZONE_CACHE 64
static struct zone_text {
	char *name;
	long long first;
	char *text;
	size_t len;
	unsigned long long used;
} zcache[ZONE_CACHE];
static unsigned long long zclock;

void
ics_zones_forget(void)
{
	for (size_t i = 0; i < ZONE_CACHE; i++) {
		free(zcache[i].name);
		free(zcache[i].text);
	}
	memset(zcache, 0, sizeof(zcache));
	zclock = 0;
}

/* Append the VTIMEZONE of u, folded, as the serialiser writes it inside a calendar. */
static void
add_vtimezone(struct sbuf *out, const struct zone_use *u)
{
	struct zone_text *z = &zcache[0];
	icalcomponent *vtz;
	struct sbuf t = { 0 };
	char *raw;

	for (size_t i = 0; i < ZONE_CACHE; i++) {
		struct zone_text *c = &zcache[i];

		if (c->name != NULL && c->first == u->first &&
		    strcmp(c->name, u->name) == 0) {
			c->used = ++zclock;
			sb_add(out, c->text, c->len);
			return;
		}
		if (c->used < z->used)
			z = c;
	}
	vtz = make_vtimezone(u);
	raw = icalcomponent_as_ical_string_r(vtz);
	icalcomponent_free(vtz);
	refold(&t, raw, strlen(raw));
	free(raw);
	free(z->name);
	free(z->text);
	z->name = cal_xstrdup(u->name);
	z->first = u->first;
	z->text = sb_take(&t, &z->len);
	z->used = ++zclock;
	sb_add(out, z->text, z->len);
}

/*
 * The calendar's lines up to its first VEVENT: properties and VTIMEZONEs.
 * Returns the names met in v and their zones (*nz of them; caller frees).
 */
static struct zone_use *
render_head(struct sbuf *out, const struct cal_meta *m, const struct cal_event *const *v,
    size_t n, size_t *nz)
{
	icalcomponent *cal = icalcomponent_new_vcalendar();
	struct zone_use *zones = NULL;
	size_t nzones = 0, rawlen;
	char *name, *desc, *raw, ttl[32];
	struct icaldurationtype refresh = icaldurationtype_null_duration();

	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal,
	    icalproperty_new_prodid("-//Convene//Convene calendars//EN"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	if (m->name == NULL)
		goto events; /* a CalDAV resource: no calendar-level names */
	name = plain_name(m->name);
	desc = plain_name(m->description);
	icalcomponent_add_property(cal, icalproperty_new_name(name));
	add_x(cal, "X-WR-CALNAME", name);
	if (desc[0] != '\0') {
		icalcomponent_add_property(cal, icalproperty_new_description(desc));
		add_x(cal, "X-WR-CALDESC", desc);
	}
	free(name);
	free(desc);
	refresh.minutes = m->refresh_minutes % 60;
	refresh.hours = m->refresh_minutes / 60;
	icalcomponent_add_property(cal, icalproperty_new_refreshinterval(refresh));
	snprintf(ttl, sizeof(ttl), "PT%dM", m->refresh_minutes);
	add_x(cal, "X-PUBLISHED-TTL", ttl);
	if (m->source != NULL)
		icalcomponent_add_property(cal, icalproperty_new_source(m->source));
	if (m->url != NULL)
		icalcomponent_add_property(cal, icalproperty_new_url(m->url));
events:

	/* Zones first, as most generators do: some parsers resolve TZIDs as they read. */
	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (v[i]->tz == NULL)
			continue;
		/*
		 * Names already met first: libical looks a name up by walking
		 * its hundreds of zones. Names that are no zone (UTC, offsets)
		 * are kept too, with no zone.
		 */
		for (k = 0; k < nzones && strcmp(zones[k].name, v[i]->tz) != 0; k++)
			;
		if (k == nzones) {
			zones = cal_xrealloc(zones, (nzones + 1) * sizeof(*zones));
			zones[nzones++] = (struct zone_use){ v[i]->tz, zone_of(v[i]->tz),
				v[i]->start_utc };
		}
		if (v[i]->start_utc < zones[k].first)
			zones[k].first = v[i]->start_utc;
	}

	/*
	 * The calendar without its zones and events, then each zone and each
	 * event on its own: a feed of thousands of events never holds all
	 * their components at once, and a zone's or an event's text can be
	 * kept and copied. The serialiser writes a parent as its lines, then
	 * each child's, so the text is the same as from one tree.
	 */
	raw = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	rawlen = strlen(raw);
	if (rawlen < sizeof(END_VCALENDAR) - 1 ||
	    strcmp(raw + rawlen - (sizeof(END_VCALENDAR) - 1), END_VCALENDAR) != 0)
		abort(); /* libical always ends a calendar so */
	refold(out, raw, rawlen - (sizeof(END_VCALENDAR) - 1));
	free(raw);
	/* In a tree, libical writes the children last added first. */
	for (size_t k = nzones; k-- > 0;)
		if (zones[k].z != NULL)
			add_vtimezone(out, &zones[k]);
	*nz = nzones;
	return zones;
}

char *
ics_render_empty_ical(const struct cal_meta *m, size_t *len)
{
	struct sbuf out = { 0 };

	free(render_head(&out, m, NULL, 0, &(size_t){ 0 }));
	sb_puts(&out, END_VCALENDAR);
	return sb_take(&out, len);
}

char *
ics_render(const struct cal_meta *m, const struct cal_event *const *v, size_t n, size_t *len)
{
	return ics_render_reuse(m, v, n, NULL, NULL, NULL, len);
}

char *
ics_render_reuse(const struct cal_meta *m, const struct cal_event *const *v, size_t n,
    const char *old, const struct ics_slices *olds, struct ics_slices *news, size_t *len)
{
	struct sbuf out = { 0 };
	struct zone_use *zones;
	size_t nz;

	if (news != NULL) {
		news->v = cal_xrealloc(NULL, (n + 1) * sizeof(*news->v));
		news->n = 0;
	}
	/* No event: no libical, which a bot whose database is empty never opens. */
	if (n == 0) {
		ics_head_plain(&out, m);
		sb_puts(&out, END_VCALENDAR);
		return sb_take(&out, len);
	}
	zones = render_head(&out, m, v, n, &nz);
	for (size_t i = 0; i < n; i++) {
		const struct ics_slice *o = old != NULL ? slice_find(olds, v[i]->id) : NULL;
		uint64_t in = news != NULL || o != NULL ? ics_event_input(v[i], 0) : 0;
		size_t at = out.len;

		/* The same input makes the same text: copied, not rendered again. */
		if (o != NULL && o->input == in) {
			sb_add(&out, old + o->off, o->len);
		} else {
			icaltimezone *z = NULL;

			for (size_t k = 0; v[i]->tz != NULL && k < nz; k++)
				if (strcmp(zones[k].name, v[i]->tz) == 0)
					z = zones[k].z;
			render_vevent(&out, v[i], z);
		}
		if (news != NULL && out.len <= UINT32_MAX)
			news->v[news->n++] = (struct ics_slice){ v[i]->id, in,
				(uint32_t)at, (uint32_t)(out.len - at) };
	}
	free(zones);
	sb_puts(&out, END_VCALENDAR);
	if (news != NULL)
		qsort(news->v, news->n, sizeof(*news->v), slice_cmp);
	return sb_take(&out, len);
}

/* The SEQUENCE of the cancelled VEVENT uid in cal, or -1 when it is not cancelled there. */
static int
cancelled_seq(icalcomponent *cal, const char *uid)
{
	icalcomponent *ev;
	int seq = -1;

	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev != NULL;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		const char *u = icalcomponent_get_uid(ev);

		if (u == NULL || strcmp(u, uid) != 0)
			continue;
		if (icalcomponent_get_status(ev) != ICAL_STATUS_CANCELLED)
			return -1;
		if (icalcomponent_get_sequence(ev) > seq)
			seq = icalcomponent_get_sequence(ev);
	}
	return seq;
}

char *
ics_carry_cancel(const char *ours, const char *theirs, size_t *len)
{
	icalcomponent *o = icalparser_parse_string(ours), *t = NULL, *ev;
	size_t changed = 0, flatlen;
	char *raw, *flat, *out = NULL;

	if (o == NULL || icalcomponent_isa(o) != ICAL_VCALENDAR_COMPONENT)
		goto done;
	t = icalparser_parse_string(theirs);
	if (t == NULL || icalcomponent_isa(t) != ICAL_VCALENDAR_COMPONENT)
		goto done;
	for (ev = icalcomponent_get_first_component(t, ICAL_VEVENT_COMPONENT); ev != NULL;
	     ev = icalcomponent_get_next_component(t, ICAL_VEVENT_COMPONENT)) {
		const char *uid = icalcomponent_get_uid(ev);
		int seq, theirs_seq;

		if (uid == NULL || icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED ||
		    (seq = cancelled_seq(o, uid)) < 0)
			continue;
		/* Above theirs too, or their apps would not take the change. */
		theirs_seq = icalcomponent_get_sequence(ev);
		icalcomponent_set_status(ev, ICAL_STATUS_CANCELLED);
		icalcomponent_set_sequence(ev, seq > theirs_seq ? seq : theirs_seq + 1);
		changed++;
	}
	if (changed == 0)
		goto done;
	/* What libical could not read of theirs it marks with X-LIC-ERROR: not for the server. */
	icalcomponent_strip_errors(t);
	raw = icalcomponent_as_ical_string_r(t);
	flat = unfold(raw, strlen(raw), &flatlen);
	out = ics_fold(flat, flatlen, len);
	free(flat);
	free(raw);
done:
	if (t != NULL)
		icalcomponent_free(t);
	if (o != NULL)
		icalcomponent_free(o);
	return out;
}
