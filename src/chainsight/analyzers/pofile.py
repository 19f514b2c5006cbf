"""A small reader for gettext .po files, enough to tell what msgmerge changed.

``msgmerge`` (run by ``make dist``) rewrites a translation against the new
template: it updates header dates and ``#:`` references, adds new messages with
empty translations, marks near matches fuzzy (keeping the old translation) and
moves vanished messages to obsolete ``#~`` entries. None of that writes a
translation nobody wrote. :func:`merge_only_changes` checks exactly that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# header fields msgmerge / xgettext / make dist are expected to rewrite
MERGE_HEADER_FIELDS = frozenset(
    {
        "POT-Creation-Date",
        "PO-Revision-Date",
        "Report-Msgid-Bugs-To",
        "Project-Id-Version",
        "X-Generator",
        "Last-Translator",
        "Language-Team",
        "Language",
        "X-Bugs",
    }
)


# a msgstr (or msgstr[N]) keyword with its string and continuation lines; obsolete
# entries carry a "#~ " prefix on every line
_MSGSTR = re.compile(
    r'^(?P<obsolete>#~ *)?msgstr(?:\[\d+\])?[ \t]+(?P<body>"[^\n]*(?:\n(?:#~ *)?"[^\n]*)*)',
    re.MULTILINE,
)
_QUOTED = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


@dataclass(frozen=True)
class Translation:
    text: str
    """The msgstr's string, continuation lines joined, escapes kept."""
    obsolete: bool
    header: bool
    """The PO header (the msgstr of ``msgid ""``)."""


def translations(text: str) -> list[Translation]:
    """Every msgstr of a .po file, found by regular expressions (fast on big catalogs)."""
    out: list[Translation] = []
    for m in _MSGSTR.finditer(text):
        body = "".join(_QUOTED.findall(m.group("body")))
        before = text[max(0, m.start() - 200) : m.start()].rstrip()
        header = not out and before.endswith('msgid ""') and "msgctxt" not in before[-60:]
        out.append(Translation(body, bool(m.group("obsolete")), header))
    return out


def header_fields(items: list[Translation]) -> dict[str, str]:
    for t in items:
        if t.header:
            fields = {}
            for line in t.text.split("\\n"):
                key, sep, value = line.partition(":")
                if sep:
                    fields[key.strip()] = value.strip()
            return fields
    return {}


def merge_only_changes(source_text: str, artifact_text: str) -> tuple[bool, str]:
    """Whether the artifact's .po differs from the source's only as msgmerge would.

    Every non-empty translation in the artifact must already be in the source
    (msgmerge keeps translations, marks near matches fuzzy, adds new messages
    untranslated); header fields other than dates, addresses and generator
    notes must be unchanged.
    """
    src = translations(source_text)
    art = translations(artifact_text)
    if not art:
        return False, "no messages could be read"
    known = {t.text for t in src}
    for t in art:
        if t.header or t.obsolete or not t.text or t.text in known:
            continue
        return False, f"translation {t.text[:60]!r} is not in the source"
    hs, ha = header_fields(src), header_fields(art)
    for key in set(hs) | set(ha):
        if key in MERGE_HEADER_FIELDS:
            continue
        if hs.get(key) != ha.get(key):
            return False, f"header field {key} changed"
    return True, "only msgmerge changes: dates, references, new untranslated or fuzzy messages"
