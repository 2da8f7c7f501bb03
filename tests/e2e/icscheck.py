"""Byte-level checks of an iCalendar feed, stricter than any client parser.

The parsers we test against (python3-icalendar, vobject, ical.js, node-ical)
accept LF-only files, long lines, split UTF-8 characters and control
characters; calendar apps do not all do so. check(data) returns a list of
problems (empty when the feed is clean); parse(data) gives a simple view of
the content lines for tests to read.
"""

import re

MAX_OCTETS = 75
TEXT_PROPS = {"SUMMARY", "DESCRIPTION", "LOCATION", "NAME", "COMMENT", "CONTACT"}
# Plain IANA names (Area/Location[/More], or UTC); libical's generated TZIDs
# start with "/freeassociation.sourceforge.net/".
TZID_RE = re.compile(r"^(UTC|[A-Z][A-Za-z_+-]*(/[A-Za-z0-9_+-]+){1,2})$")
EVENT_REQUIRED = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "STATUS")
EVENT_ONCE = EVENT_REQUIRED + ("DESCRIPTION", "LOCATION", "URL", "CREATED", "LAST-MODIFIED")


class Prop:
    """One unfolded content line: name, params (dict, upper-case keys), raw value."""

    def __init__(self, name, params, value):
        self.name, self.params, self.value = name, params, value

    def text(self):
        """The value of a TEXT property, unescaped."""
        return unescape(self.value)

    def __repr__(self):
        return "Prop(%s, %r, %r)" % (self.name, self.params, self.value)


class Component:
    def __init__(self, name):
        self.name = name
        self.props = []
        self.children = []

    def all(self, name):
        return [p for p in self.props if p.name == name]

    def get(self, name):
        found = self.all(name)
        return found[0] if found else None

    def components(self, name):
        return [c for c in self.children if c.name == name]


def unescape(value):
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            n = value[i + 1]
            out.append("\n" if n in "nN" else n)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _split_line(line):
    """name, params, value of an unfolded content line (quoted params respected)."""
    i, quoted = 0, False
    while i < len(line):
        c = line[i]
        if c == '"':
            quoted = not quoted
        elif c == ":" and not quoted:
            break
        i += 1
    head, value = line[:i], line[i + 1:]
    parts = re.findall(r'(?:[^;"]|"[^"]*")+', head)
    name = parts[0].upper() if parts else ""
    params = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        params[k.upper()] = v.strip('"')
    return name, params, value, i + 1


def _logical_lines(data, problems):
    """Unfold; yield (text, fold offsets within the text, first physical line number)."""
    if not data.endswith(b"\r\n"):
        problems.append("the feed does not end with CRLF")
    if b"\r\n" not in data and b"\n" in data:
        problems.append("LF line endings, not CRLF")
    physical = data.split(b"\r\n")
    if physical and physical[-1] == b"":
        physical.pop()
    current, folds, start = None, [], 0
    for no, raw in enumerate(physical, 1):
        if b"\n" in raw or b"\r" in raw:
            problems.append("line %d: a bare CR or LF inside a line" % no)
        if len(raw) > MAX_OCTETS:
            problems.append("line %d: %d octets, more than %d" % (no, len(raw), MAX_OCTETS))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append("line %d: not valid UTF-8 on its own (%s)" % (no, e.reason))
            text = raw.decode("utf-8", "replace")
        for ch in text:
            o = ord(ch)
            if (o < 0x20 and ch != "\t") or o == 0x7F or 0x80 <= o <= 0x9F:
                problems.append("line %d: control character U+%04X" % (no, o))
                break
        if raw[:1] in (b" ", b"\t"):
            if current is None:
                problems.append("line %d: a continuation with nothing before it" % no)
                continue
            folds.append(len(current))
            current += text[1:]
        else:
            if current is not None:
                yield current, folds, start
            current, folds, start = text, [], no
    if current is not None:
        yield current, folds, start


def parse(data, problems=None):
    """The VCALENDAR of data as a Component tree (problems appended to the list)."""
    problems = [] if problems is None else problems
    root, stack = None, []
    for line, folds, no in _logical_lines(data, problems):
        name, params, value, vstart = _split_line(line)
        # A fold between a backslash and the character it escapes.
        i = vstart
        while i < len(line):
            if line[i] == "\\":
                if i + 1 in folds:
                    problems.append("line %d: folded inside the escape at %d" % (no, i))
                i += 2
            else:
                i += 1
        if name == "BEGIN":
            c = Component(value.upper())
            if stack:
                stack[-1].children.append(c)
            elif root is None:
                root = c
            else:
                problems.append("line %d: a second top-level component" % no)
            stack.append(c)
        elif name == "END":
            if not stack or stack[-1].name != value.upper():
                problems.append("line %d: END:%s does not close %s" % (
                    no, value, stack[-1].name if stack else "anything"))
            else:
                stack.pop()
        elif not stack:
            problems.append("line %d: a property outside any component" % no)
        else:
            stack[-1].props.append(Prop(name, params, value))
    if stack:
        problems.append("unclosed %s" % stack[-1].name)
    return root


def _check_text(prop, where, problems):
    v, i = prop.value, 0
    while i < len(v):
        c = v[i]
        if c == "\\":
            if i + 1 >= len(v) or v[i + 1] not in "\\;,nN":
                problems.append("%s %s: a backslash that escapes nothing" % (where, prop.name))
            i += 2
            continue
        if c in ",;":
            problems.append("%s %s: an unescaped %r" % (where, prop.name, c))
        i += 1


def check(data):
    """Every problem found in the feed's bytes and structure; [] when none."""
    problems = []
    cal = parse(data, problems)
    if cal is None or cal.name != "VCALENDAR":
        return problems + ["no VCALENDAR"]
    for name in ("VERSION", "PRODID"):
        if len(cal.all(name)) != 1:
            problems.append("VCALENDAR: %s %d times" % (name, len(cal.all(name))))
    if cal.get("VERSION") is not None and cal.get("VERSION").value != "2.0":
        problems.append("VERSION is not 2.0")
    if cal.get("METHOD") is not None:
        problems.append("METHOD in a subscription feed")
    for name in ("NAME", "X-WR-CALNAME", "DESCRIPTION", "REFRESH-INTERVAL"):
        if cal.get(name) is None:
            problems.append("VCALENDAR: no %s" % name)
    for name in ("NAME", "X-WR-CALNAME", "X-WR-CALDESC"):
        p = cal.get(name)
        if p is not None and re.search(r"[,;\\]", p.value):
            problems.append("VCALENDAR %s holds , ; or \\ (parsers disagree on them)" % name)
    r = cal.get("REFRESH-INTERVAL")
    if r is not None and r.params.get("VALUE", "").upper() != "DURATION":
        problems.append("REFRESH-INTERVAL without VALUE=DURATION")
    for p in cal.props:
        if p.name in TEXT_PROPS:
            _check_text(p, "VCALENDAR", problems)

    zones = {}
    for tz in cal.components("VTIMEZONE"):
        tzid = tz.get("TZID")
        if tzid is None:
            problems.append("a VTIMEZONE without TZID")
            continue
        if not TZID_RE.match(tzid.value):
            problems.append("VTIMEZONE TZID %r is not a plain IANA name" % tzid.value)
        if tzid.value in zones:
            problems.append("VTIMEZONE %s twice" % tzid.value)
        zones[tzid.value] = tz
        if not tz.components("STANDARD") and not tz.components("DAYLIGHT"):
            problems.append("VTIMEZONE %s has no STANDARD or DAYLIGHT" % tzid.value)

    uids = set()
    for ev in cal.components("VEVENT"):
        uid = ev.get("UID")
        where = "VEVENT %s" % (uid.value if uid else "?")
        for name in EVENT_REQUIRED:
            if ev.get(name) is None:
                problems.append("%s: no %s" % (where, name))
        for name in EVENT_ONCE:
            if len(ev.all(name)) > 1:
                problems.append("%s: %s more than once" % (where, name))
        if uid is not None:
            if uid.value in uids:
                problems.append("%s: UID twice in one feed" % where)
            uids.add(uid.value)
        for p in ev.props:
            if p.name in TEXT_PROPS:
                _check_text(p, where, problems)
            if p.name.startswith("X-LIC-"):
                problems.append("%s: %s (libical's error marker)" % (where, p.name))
            if p.name in ("DTSTART", "DTEND", "DTSTAMP", "CREATED", "LAST-MODIFIED"):
                tzid = p.params.get("TZID")
                if tzid is not None:
                    if tzid not in zones:
                        problems.append("%s: %s TZID=%s has no VTIMEZONE" % (where, p.name, tzid))
                    if p.value.endswith("Z"):
                        problems.append("%s: %s has a TZID and a Z" % (where, p.name))
                elif not re.match(r"^\d{8}T\d{6}Z$", p.value):
                    problems.append("%s: %s %r is neither UTC nor zoned" % (where, p.name, p.value))
                if p.name in ("DTSTAMP", "CREATED", "LAST-MODIFIED") and tzid is not None:
                    problems.append("%s: %s must be UTC" % (where, p.name))
        st = ev.get("STATUS")
        if st is not None and st.value not in ("CONFIRMED", "TENTATIVE", "CANCELLED"):
            problems.append("%s: STATUS %s" % (where, st.value))
        seq = ev.get("SEQUENCE")
        if seq is not None and not re.match(r"^\d+$", seq.value):
            problems.append("%s: SEQUENCE %r" % (where, seq.value))
    return problems


def assert_clean(data, what="feed"):
    problems = check(data)
    assert not problems, "%s fails the byte-level check:\n  %s" % (what, "\n  ".join(problems))
    return parse(data)
