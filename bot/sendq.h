/*
 * sendq.h: the one outgoing queue for every line the bot sends.
 *
 * Four classes of lines, in this order:
 *  - urgent (PONG, QUIT, CAP, AUTHENTICATE, registration) jump every queue
 *    and are not held by the bucket, though they use its tokens (lines
 *    before registration do not: sendq_login);
 *  - the bot's own protocol lines (WHOIS for a waiting command, JOIN, PART)
 *    are paced and go ahead of answers; while answers wait the two
 *    alternate, so neither can shut the other out;
 *  - answers are paced and taken round-robin across targets: a target's
 *    next line waits behind at most one line of each other busy target, so
 *    ten people flooding cannot starve a quiet one. Identical NOTICEs to
 *    several people are packed into one line up to TARGMAX;
 *  - housekeeping (regaining our nick) after every answer.
 * Each target holds at most SENDQ_TARGET_MAX lines: a text that would go
 * beyond is refused whole (its sender's earlier answers still go out). The
 * whole queue holds max_lines answer lines; when that is full, a text for a
 * target with fewer lines takes room from the target with the most, whose
 * newest whole texts are dropped. Dropped lines are logged once per episode:
 * one line when it starts, one with the count when the queue has drained.
 * Pure: the caller passes the monotonic time in milliseconds.
 *
 * The caller picks the pacing (the link: flood_burst, flood_rate; by
 * default 5 lines, then 2 a second, what Solanum (Libera.Chat) and
 * ircd-hybrid (OFTC's lineage) allow a registered client). A rate <= 0
 * turns pacing off.
 */
#ifndef CV_SENDQ_H
#define CV_SENDQ_H

#include <stddef.h>
#include <stdint.h>

struct sendq;

/* Lines one target may have queued: 4 answers of the longest list (16 lines). */
#define SENDQ_TARGET_MAX 64

/* max_lines bounds the queued lines of all targets together. */
struct sendq *sendq_new(unsigned burst, double rate, size_t max_lines);
void sendq_free(struct sendq *q);
void sendq_clear(struct sendq *q); /* on disconnect */
void sendq_set_rate(struct sendq *q, unsigned burst, double rate);

/*
 * Bytes the server adds in front of what we send when it relays our line
 * (":nick!user@host "), so that no relayed line exceeds 512 bytes.
 */
void sendq_set_prefix_len(struct sendq *q, size_t n);

/*
 * An urgent raw line, without CRLF. CR/LF/NUL are stripped and it is cut to
 * 510 bytes. 0 or -1 (full: urgent lines have their own bound of max_lines,
 * so that a queue full of text never holds back a PONG).
 */
int sendq_urgent(struct sendq *q, const char *line);

/*
 * Queue "CMD TARGET :TEXT" (CMD is PRIVMSG or NOTICE), for one target or a
 * comma-separated list. CR/LF/NUL are stripped from target and text; text
 * is split on UTF-8 boundaries so each relayed line fits in 512 bytes.
 * Fairness is per `target` (compared as ASCII, case-insensitive). Returns
 * 0 (also for an empty text, which sends nothing), or -1 when the target's
 * share or the queue is full (the lines are dropped whole and counted for
 * the log) or the target is too long to leave room.
 */
int sendq_text(struct sendq *q, const char *cmd, const char *target, const char *text);

/* A raw line queued fairly under `key`, like an answer. 0 or -1. */
int sendq_raw(struct sendq *q, const char *key, const char *line);

/*
 * A registration line (CAP, NICK, USER, AUTHENTICATE before 001): urgent,
 * and it takes no token, so that the JOIN and the first answers after
 * registration have the whole burst. 0 or -1.
 */
int sendq_login(struct sendq *q, const char *line);

/*
 * Housekeeping (a NICK to regain ours): paced, after every answer and own
 * line, unless it has waited two minutes (then it takes turns with
 * answers). Bounded by max_lines of its own. 0 or -1.
 */
int sendq_housekeeping(struct sendq *q, const char *line);

/*
 * How many targets one NOTICE may carry (the server's TARGMAX for NOTICE;
 * 0 or 1: one each). Then a NOTICE to one person is sent together with the
 * byte-identical NOTICEs at the head of the next people's queues, as
 * "NOTICE a,b,c :text" within 512 bytes.
 */
void sendq_set_pack(struct sendq *q, unsigned targets);

/*
 * One of the bot's own protocol lines (WHOIS, JOIN, PART): paced, ahead of
 * answers. Bounded by max_lines of its own. 0 or -1.
 */
int sendq_own(struct sendq *q, const char *line);

/*
 * The next line that may go out at now_ms, with "\r\n" appended, in a buffer
 * the queue owns until the next call; or NULL, and then *wait_ms says how
 * long until a line may go (-1 when the queue is empty).
 */
const char *sendq_pop(struct sendq *q, int64_t now_ms, int64_t *wait_ms);

size_t sendq_len(const struct sendq *q);

/*
 * For the metrics: the lines waiting in the bot's queue (the last one
 * made) and loop_now() when the oldest was queued, or -1 when none waits.
 */
void sendq_state(size_t *depth, int64_t *oldest);

#endif
