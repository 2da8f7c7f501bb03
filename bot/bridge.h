/*
 * bridge.h: people relayed into a channel by a relay bot (matterbridge,
 * discord-irc, teleirc, slack-irc...), which speaks for everyone on the
 * other side as one nick with the speaker's name in front of the text.
 *
 * The parsing is pure (formats compiled once, names cleaned, lines matched);
 * the rest keeps the configured relays and the preludes waiting for their
 * command, with the clock and the casemapping passed in.
 */
#ifndef CV_BRIDGE_H
#define CV_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mask.h"

#define BRIDGE_MAX_FORMATS 8
#define BRIDGE_MAX_PARTS 9
#define BRIDGE_NAME_MAX 64 /* bytes of a relayed name, after cleaning */
#define BRIDGE_PROTO_MAX 24
#define BRIDGE_PRELUDE_MS 5000 /* a prelude's command must follow within this */

/* The default [bridge] formats and preludes. */
#define BRIDGE_DEFAULT_FORMATS "[{PROTOCOL}] <{NICK}> |<{NICK}> "
#define BRIDGE_DEFAULT_PRELUDES "Command sent from Discord by {NICK}:"

enum bridge_kind { BRIDGE_TEXT, BRIDGE_NICK, BRIDGE_PROTOCOL, BRIDGE_ANY };

struct bridge_part {
	enum bridge_kind kind;
	char *text; /* BRIDGE_TEXT only */
	size_t len;
};

struct bridge_format {
	struct bridge_part parts[BRIDGE_MAX_PARTS];
	size_t n;
};

struct bridge_formats {
	struct bridge_format v[BRIDGE_MAX_FORMATS];
	size_t n;
};

/* What a line says: who, on what, and the text they said. */
struct bridge_said {
	char protocol[BRIDGE_PROTO_MAX]; /* lowercased; "relay" when the format has none */
	char nick[BRIDGE_NAME_MAX];      /* the name as shown, cleaned */
	char id[BRIDGE_NAME_MAX + BRIDGE_PROTO_MAX + 4]; /* "r:PROTOCOL:name", ASCII-folded */
	char text[512];                                  /* what they said, cleaned */
};

/*
 * Compile "FORMAT|FORMAT|..." (each trimmed). Placeholders: {NICK} (once,
 * required; {NOPINGNICK} is the same), {PROTOCOL} (at most once), {BRIDGE}
 * and {LABEL} (anything, ignored). Two placeholders must have text between
 * them; a format (not a prelude) must end with text. 0, or -1 with a
 * sentence in err and nothing to free.
 */
int bridge_compile(const char *spec, bool prelude, struct bridge_formats *out, char *err,
    size_t errlen);
void bridge_formats_free(struct bridge_formats *f);

/*
 * Remove IRC formatting and zero-width characters (U+200B-U+200D, U+2060,
 * U+FEFF) in place. Returns the new length.
 */
size_t bridge_clean(char *s);

/*
 * Match a line against formats. A format must match from the start of the
 * line, the rest (after spaces) is what was said and must not be empty; a
 * prelude (`whole`) must match the whole line. Fills `out` and returns 1, or
 * 0 when nothing matches (or the line is not valid UTF-8, or the name is
 * empty or too long).
 */
int bridge_match(const struct bridge_formats *f, bool whole, const char *line,
    struct bridge_said *out);

/* ---- the configured relays ---- */

/*
 * Configure from [bridge]: relays (masks, comma-separated), formats and
 * preludes (NULL: the defaults). 0, or -1 with a sentence in err (then
 * the previous configuration stays).
 */
int bridge_configure(const char *relays, const char *formats, const char *preludes,
    char *err, size_t errlen);
/* Check a relays list alone: 0, or -1 with a sentence in err. */
int bridge_relays_check(const char *list, char *err, size_t errlen);
bool bridge_enabled(void);
/* Is this connection ("nick!user@host", services account or NULL) a relay? */
bool bridge_is_relay(const char *origin, const char *account, enum casemap cm);
/*
 * A line a relay said in a channel: 1 with `out` filled when it is a
 * relayed person's message (a format, or the command right after a
 * prelude), 0 when it is to be ignored.
 */
int bridge_line(const char *relay_origin, const char *channel, const char *text,
    int64_t now_ms, enum casemap cm, struct bridge_said *out);
void bridge_free(void);

#endif
