"""A small reader for gettext .po files, enough to tell what msgmerge changed.

``msgmerge`` (run by ``make dist``) rewrites a translation against the new
template: it updates header dates and ``#:`` references, adds new messages with
empty translations, marks near matches fuzzy (keeping the old translation) and
moves vanished messages to obsolete ``#~`` entries. None of that writes a
translation nobody wrote. :func:`merge_only_changes` checks exactly that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

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
_JOIN = re.compile(r'"[ \t]*\n(?:#~ *)?[ \t]*"')
"""Where a string continues on the next line: removing it joins the pieces."""
_FUZZY = re.compile(r"^#,.*\bfuzzy\b", re.MULTILINE)


class Entry(NamedTuple):
    key: tuple[str | None, str]
    """(msgctxt, msgid) as quoted source text, pieces joined, escapes kept."""
    msgstrs: tuple[str, ...]
    fuzzy: bool
    obsolete: bool

    @property
    def translated(self) -> bool:
        return any(s != '""' for s in self.msgstrs)


def entries(text: str) -> list[Entry]:
    """Every entry of a .po file, found by regular expressions (fast on big catalogs).

    Strings are compared as their quoted source text with continuation lines
    joined; nothing is unescaped, since equal text is all the checks need.
    """
    out: list[Entry] = []
    last = 0

    def join(_empty: str, text: str) -> str:
        return _JOIN.sub("", text) if "\n" in text else text

    for m in _ENTRY.finditer(text):
        start = m.start()
        comments = text[last:start]
        last = m.end()
        obsolete, ctx, msgid, _plural, strs = m.groups()
        if "msgstr[" in strs:
            values = tuple(join("", x).strip() for x in _MSGSTR.findall(strs))
        else:
            values = (join("", strs.split(None, 1)[1]).strip(),)
        fuzzy = "fuzzy" in comments and bool(_FUZZY.search(comments))
        out.append(
            Entry(
                (join("", ctx).strip() if ctx is not None else None, join("", msgid).strip()),
                values,
                fuzzy,
                bool(obsolete),
            )
        )
    return out


def header_fields(items: list[Entry]) -> dict[str, str]:
    for e in items:
        if e.key == (None, '""') and not e.obsolete and e.msgstrs:
            fields = {}
            for line in e.msgstrs[0].strip('"').split("\\n"):
                key, sep, value = line.partition(":")
                if sep:
                    fields[key.strip()] = value.strip()
            return fields
    return {}


_REFERENCES = re.compile(r"\n#:[^\n]*")
"""A #: reference line (with the newline before it: a literal prefix keeps the scan fast)."""
_HEADER_NOISE = re.compile(
    r'^"(?:' + "|".join(sorted(MERGE_HEADER_FIELDS)) + r"):[^\n]*\n", re.MULTILINE
)


def _without_merge_noise(text: str) -> str:
    """The file without #: references and the header lines msgmerge rewrites."""
    head, sep, rest = text.partition("\n\n")
    # continuation lines joined: msgmerge of another gettext version wraps differently
    return _HEADER_NOISE.sub("", head) + sep + _JOIN.sub("", _REFERENCES.sub("", rest))


def merge_only_changes(source_text: str, artifact_text: str) -> tuple[bool, str]:
    """Whether the artifact's .po differs from the source's only as msgmerge would.

    msgmerge keeps each message's translation, adds new messages untranslated,
    and carries a similar message's old translation over only as *fuzzy*
    (which msgfmt leaves out). So: a message that git has keeps git's
    translation unless it is now fuzzy; a new message is untranslated or fuzzy
    with a translation git already had; header fields other than dates,
    addresses and generator notes are unchanged.
    """
    quiet_src = _without_merge_noise(source_text)
    quiet_art = _without_merge_noise(artifact_text)
    if quiet_src == quiet_art:
        return True, "only #: references and header dates changed (msgmerge)"
    # Compare only the entries (blank-line separated blocks) that changed: an
    # entry whose counterpart is unchanged cannot have moved, so the source side
    # of any changed artifact entry is itself among the changed source blocks.
    src_blocks = quiet_src.split("\n\n")
    art_blocks = quiet_art.split("\n\n")
    src_set, art_set = set(src_blocks), set(art_blocks)
    changed_src = "\n\n".join(b for b in src_blocks if b not in art_set)
    changed_art = "\n\n".join(b for b in art_blocks if b not in src_set)
    if not changed_art.strip():
        return True, "msgmerge only dropped entries and rewrote references and dates"
    # a fuzzy translation may come from an entry that did not change: look it up in
    # the whole source (a msgstr line with that text), not only the changed entries
    ok, why = _compare(changed_src, changed_art, _msgstr_in(quiet_src))
    if ok:
        return ok, why
    return _compare(source_text, artifact_text)


_MSGSTR_LINE_HEAD = re.compile(r"(?:#~ *)?msgstr(?:\[\d+\])?[ \t]+")


def _msgstr_in(quiet: str) -> Callable[[str], bool]:
    """Whether a translation (quoted, continuation lines joined) is the whole value of
    a msgstr line of ``quiet`` (a file with its continuation lines joined)."""

    def found(value: str) -> bool:
        pos = quiet.find(value)
        while pos >= 0:
            start = quiet.rfind("\n", 0, pos) + 1
            end = pos + len(value)
            eol = quiet.find("\n", end)
            if _MSGSTR_LINE_HEAD.fullmatch(quiet, start, pos) and not quiet[
                end : eol if eol >= 0 else len(quiet)
            ].strip(" \t"):
                return True
            pos = quiet.find(value, pos + 1)
        return False

    return found


def _compare(
    source_text: str,
    artifact_text: str,
    in_source: Callable[[str], bool] | None = None,
) -> tuple[bool, str]:
    """Compare entries; ``in_source`` also accepts a fuzzy translation the source has
    elsewhere (when ``source_text`` holds only part of the source)."""
    src = entries(source_text)
    art = entries(artifact_text)
    if not art:
        return False, "no messages could be read"
    by_key = {e.key: e for e in src if not e.obsolete}
    known = {s for e in src for s in e.msgstrs if s != '""'}
    for e in art:
        if e.key == (None, '""') or e.obsolete or not e.translated:
            continue
        before = by_key.get(e.key)
        if e.fuzzy:
            if all(
                s == '""' or s in known or (in_source is not None and in_source(s))
                for s in e.msgstrs
            ):
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
