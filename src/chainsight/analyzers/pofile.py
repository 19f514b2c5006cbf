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


_STR = r'"[^\n]*(?:\n(?:#~ *)?"[^\n]*)*'
# one entry: optional msgctxt, msgid, optional msgid_plural, one or more msgstr;
# obsolete entries carry "#~ " on every line
_ENTRY = re.compile(
    r"^(?P<obsolete>#~ *)?(?:msgctxt[ \t]+(?P<ctx>" + _STR + r")\n(?:#~ *)?)?"
    r"msgid[ \t]+(?P<id>" + _STR + r")\n"
    r"(?:(?:#~ *)?msgid_plural[ \t]+(?P<plural>" + _STR + r")\n)?"
    r"(?P<strs>(?:(?:#~ *)?msgstr(?:\[\d+\])?[ \t]+" + _STR + r"(?:\n|$))+)",
    re.MULTILINE,
)
_MSGSTR = re.compile(r"^(?:#~ *)?msgstr(?:\[\d+\])?[ \t]+(" + _STR + ")", re.MULTILINE)
_QUOTED = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_FUZZY = re.compile(r"^#,.*\bfuzzy\b", re.MULTILINE)


@dataclass(frozen=True)
class Entry:
    key: tuple[str | None, str]
    """(msgctxt, msgid), string bodies with escapes kept."""
    msgstrs: tuple[str, ...]
    fuzzy: bool
    obsolete: bool

    @property
    def translated(self) -> bool:
        return any(self.msgstrs)


def _body(text: str | None) -> str:
    return "".join(_QUOTED.findall(text)) if text else ""


def entries(text: str) -> list[Entry]:
    """Every entry of a .po file, found by regular expressions (fast on big catalogs)."""
    out: list[Entry] = []
    last = 0
    for m in _ENTRY.finditer(text):
        comments = text[last : m.start()]
        last = m.end()
        strs = tuple(_body(x) for x in _MSGSTR.findall(m.group("strs")))
        ctx = _body(m.group("ctx")) if m.group("ctx") is not None else None
        out.append(
            Entry(
                (ctx, _body(m.group("id"))),
                strs,
                bool(_FUZZY.search(comments)),
                bool(m.group("obsolete")),
            )
        )
    return out


def header_fields(items: list[Entry]) -> dict[str, str]:
    for e in items:
        if e.key == (None, "") and not e.obsolete and e.msgstrs:
            fields = {}
            for line in e.msgstrs[0].split("\\n"):
                key, sep, value = line.partition(":")
                if sep:
                    fields[key.strip()] = value.strip()
            return fields
    return {}


def merge_only_changes(source_text: str, artifact_text: str) -> tuple[bool, str]:
    """Whether the artifact's .po differs from the source's only as msgmerge would.

    msgmerge keeps each message's translation, adds new messages untranslated,
    and carries a similar message's old translation over only as *fuzzy*
    (which msgfmt leaves out). So: a message that git has keeps git's
    translation unless it is now fuzzy; a new message is untranslated or fuzzy
    with a translation git already had; header fields other than dates,
    addresses and generator notes are unchanged.
    """
    src = entries(source_text)
    art = entries(artifact_text)
    if not art:
        return False, "no messages could be read"
    by_key = {e.key: e for e in src if not e.obsolete}
    known = {s for e in src for s in e.msgstrs if s}
    for e in art:
        if e.key == (None, "") or e.obsolete or not e.translated:
            continue
        before = by_key.get(e.key)
        if e.fuzzy:
            if all((not s) or s in known for s in e.msgstrs):
                continue
            return False, f"fuzzy translation of {e.key[1][:50]!r} is not from the source"
        if before is not None and before.msgstrs == e.msgstrs and not before.fuzzy:
            continue
        if before is not None and before.msgstrs == e.msgstrs:
            return False, f"translation of {e.key[1][:50]!r} was made non-fuzzy"
        return False, f"translation of {e.key[1][:50]!r} differs from the source"
    hs, ha = header_fields(src), header_fields(art)
    for key in set(hs) | set(ha):
        if key in MERGE_HEADER_FIELDS:
            continue
        if hs.get(key) != ha.get(key):
            return False, f"header field {key} changed"
    return True, "only msgmerge changes: dates, references, new untranslated or fuzzy messages"
