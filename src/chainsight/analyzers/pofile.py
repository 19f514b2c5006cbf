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

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")
_CONT = re.compile(r'^(".*")\s*$')

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
        "Plural-Forms",
        "Content-Type",
        "Content-Transfer-Encoding",
        "MIME-Version",
        "X-Bugs",
    }
)


@dataclass(frozen=True)
class PoEntry:
    msgctxt: str | None
    msgid: str
    msgstrs: tuple[str, ...]
    obsolete: bool


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(
        r"\\(.)",
        lambda m: {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(m.group(1), "\\" + m.group(1)),
        body,
    )


def parse_po(text: str) -> list[PoEntry]:
    entries: list[PoEntry] = []
    fields: dict[str, str] = {}
    current: str | None = None
    obsolete = False

    def flush() -> None:
        nonlocal fields, current, obsolete
        if "msgid" in fields:
            strs = tuple(v for k, v in sorted(fields.items()) if k.startswith("msgstr"))
            entries.append(PoEntry(fields.get("msgctxt"), fields["msgid"], strs, obsolete))
        fields = {}
        current = None
        obsolete = False

    for raw in text.splitlines():
        line = raw.strip()
        is_obsolete = line.startswith("#~")
        if is_obsolete:
            line = line[2:].strip()
            if line.startswith("|"):
                continue  # previous msgid of an obsolete entry
        elif line.startswith("#") or not line:
            if not line and fields:
                flush()
            continue
        m = _KEYWORD.match(line)
        if m:
            key = m.group(1)
            if (
                key in ("msgid", "msgctxt")
                and "msgid" in fields
                and (key == "msgctxt" or any(k.startswith("msgstr") for k in fields))
            ):
                flush()
            current = key
            fields[key] = _unquote(m.group(2))
            obsolete = obsolete or is_obsolete
            continue
        m = _CONT.match(line)
        if m and current is not None:
            fields[current] += _unquote(m.group(1))
    flush()
    return entries


def header_fields(entries: list[PoEntry]) -> dict[str, str]:
    for e in entries:
        if e.msgid == "" and e.msgctxt is None and not e.obsolete and e.msgstrs:
            out = {}
            for line in e.msgstrs[0].splitlines():
                key, sep, value = line.partition(":")
                if sep:
                    out[key.strip()] = value.strip()
            return out
    return {}


def merge_only_changes(source_text: str, artifact_text: str) -> tuple[bool, str]:
    """Whether the artifact's .po differs from the source's only as msgmerge would.

    Every non-empty translation in the artifact must already be in the source
    (for the same message, or carried over from a near match); header fields
    other than dates, addresses and generator notes must be unchanged.
    """
    src = parse_po(source_text)
    art = parse_po(artifact_text)
    if not art:
        return False, "no messages could be read"
    known = {e.msgstrs for e in src}
    known_single = {s for e in src for s in e.msgstrs if s}
    for e in art:
        if e.msgid == "" and e.msgctxt is None:
            continue
        if e.obsolete or not any(e.msgstrs):
            continue
        if e.msgstrs in known or all((not s) or s in known_single for s in e.msgstrs):
            continue
        return False, f"translation of {e.msgid[:60]!r} is not in the source"
    hs, ha = header_fields(src), header_fields(art)
    for key in set(hs) | set(ha):
        if key in MERGE_HEADER_FIELDS:
            continue
        if hs.get(key) != ha.get(key):
            return False, f"header field {key} changed"
    return True, "only msgmerge changes: dates, references, new untranslated or fuzzy messages"
