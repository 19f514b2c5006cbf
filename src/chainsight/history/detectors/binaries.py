"""Opaque binary files added or replaced shortly before a release by a newcomer.

Candidates are files added or modified (not deleted) whose name is not a known
text type. Their blob heads are read only when a release follows within
RELEASE_WINDOW (nearest first, at most MAX_BLOBS_SNIFFED). A file is opaque when
its head is mostly not text (:func:`is_opaque`), and it is not a common media
type (images, fonts, PDF) recognised by its magic bytes.

Severity: high when the author is a newcomer who rose from outsider patches
(``Profile.groomed``), committed the files themselves (nobody else applied or
merged them) and the commit changes no code that could use them (xz: "Tests: Add
a few test files." touched only a README); medium for other newcomers' files.
The same files by established maintainers are not reported.
"""

from __future__ import annotations

import bisect
import re

from chainsight.history.context import HistoryContext
from chainsight.history.detectors._util import day, short
from chainsight.history.model import Event
from chainsight.history.reader import Change
from chainsight.history.thresholds import BINARY_SNIFF_BYTES, MAX_BLOBS_SNIFFED, RELEASE_WINDOW
from chainsight.model import Severity

TEXT_EXTENSIONS = frozenset(
    """c h cc cpp cxx hpp hh hxx m mm s asm S py pyi pyx pxd rb pl pm t sh bash zsh ksh fish
    ps1 bat cmd js mjs cjs ts tsx jsx json json5 yml yaml toml ini cfg conf cnf xml html
    htm xhtml css scss sass less svg md markdown rst txt text adoc asciidoc org tex bib
    in am ac m4 mk mak make cmake meson build ninja gn gni bzl bazel go rs java kt kts
    scala groovy gradle cs fs vb swift php lua r jl hs ml mli ex exs erl hrl clj el vim
    sql graphql proto thrift po pot tsv csv diff patch man 1 2 3 4 5 6 7 8 9 3p texi
    texinfo info rc def sym map ld lds awk sed y l lex yacc dtd xsl xslt properties lock
    sum mod gitignore gitattributes gitmodules mailmap editorconfig clang-format
    clang-tidy cff spec desktop service license authors""".split()  # noqa: SIM905
)
_MEDIA_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x00\x00\x01\x00",  # .ico
    b"%PDF",
    b"wOFF",
    b"wOF2",
    b"\x00\x01\x00\x00",  # TrueType
    b"OTTO",
    b"RIFF",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
)
_FIXTURE_DIR = re.compile(
    r"(^|/)(tests?|testdata|test-data|testing|fixtures?|samples?|corpus|files|data)(/|$)", re.I
)


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return name.lower()
    return name.rsplit(".", 1)[-1]


_PRINTABLE = bytes([9, 10, 13, *range(32, 127)])


def is_opaque(head: bytes) -> bool:
    """Mostly not text: under 70 % printable ASCII, not UTF-8, not a media format.
    (Random or compressed data is about 38 % printable; a text test file with a few
    raw bytes, like curl's, stays well above the line.)"""
    if not head or head.startswith(_MEDIA_MAGIC):
        return False
    try:
        head.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    printable = len(head) - len(head.translate(None, _PRINTABLE))
    return printable / len(head) < 0.7


CODE_EXTENSIONS = frozenset(
    """c h cc cpp cxx hpp hh py sh bash go rs js mjs cjs ts java kt rb pl pm t php lua cs
    swift scala m mm""".split()  # noqa: SIM905
)


def _code_alongside(ctx: HistoryContext, changes: list[Change], opaque: set[str]) -> str:
    """A code file (test program or script) the same commit adds or changes, if any."""
    for ch in changes:
        if ch.status == "D" or ch.path in opaque:
            continue
        name = ch.path.rsplit("/", 1)[-1]
        if "." in name and name.rsplit(".", 1)[-1] in CODE_EXTENSIONS:
            return ch.path
        if "." not in name:
            head = ctx.source.read_blob(ch.new_blob, 2) or b""
            if head == b"#!":
                return ch.path
    return ""


def detect(ctx: HistoryContext) -> list[Event]:
    release_times = [r.time for r in ctx.releases]
    if not release_times:
        return []
    candidates = []
    for i, c in enumerate(ctx.data.commits):
        if c.duplicate or not ctx.in_window(c.committer_time):
            continue
        t = c.committer_time
        k = bisect.bisect_left(release_times, t)
        if k == len(release_times) or release_times[k] - t > RELEASE_WINDOW:
            continue
        author = ctx.authors[i]
        if not author.person or not ctx.is_newcomer(author, t):
            continue
        for ch in c.changes:
            if ch.status == "D" or ch.new_mode in (0o120000, 0o160000):
                continue
            ext = _extension(ch.path)
            if ext in TEXT_EXTENSIONS or ext.lower() in TEXT_EXTENSIONS:
                continue
            candidates.append((release_times[k] - t, i, ch, k))
    candidates.sort(key=lambda x: x[0])
    if len(candidates) > MAX_BLOBS_SNIFFED:
        ctx.limits_reached.append(
            f"opaque-file check: {len(candidates) - MAX_BLOBS_SNIFFED} candidate files furthest "
            f"from a release were not read (limit {MAX_BLOBS_SNIFFED})"
        )
    by_commit: dict[int, list[tuple[str, str]]] = {}
    release_of: dict[int, int] = {}
    for _, i, ch, k in candidates[:MAX_BLOBS_SNIFFED]:
        head = ctx.source.read_blob(ch.new_blob, BINARY_SNIFF_BYTES)
        if head is None or not is_opaque(head):
            continue
        by_commit.setdefault(i, []).append((ch.path, ch.status))
        release_of[i] = k
    events = []
    for i, files in sorted(by_commit.items()):
        c = ctx.data.commits[i]
        author, committer = ctx.authors[i], ctx.committers[i]
        release = ctx.releases[release_of[i]]
        self_committed = committer.id == author.id
        fixtures = [p for p, _ in files if _FIXTURE_DIR.search(p)]
        code = _code_alongside(ctx, c.changes, {p for p, _ in files})
        alone = self_committed and not code and ctx.profile(author).groomed
        severity = Severity.HIGH if alone else Severity.MEDIUM
        days = (release.time - c.committer_time) / 86400
        verbs = {"A": "added", "M": "replaced", "T": "replaced"}
        listed = ", ".join(f"{p} ({verbs.get(s, s)})" for p, s in files[:8])
        if len(files) > 8:
            listed += f", and {len(files) - 8} more"
        first = ctx.profile(author).first_seen
        events.append(
            Event(
                "opaque-binary-before-release",
                c.committer_time,
                severity,
                author.id,
                f"{author.name} (first contribution {day(first)}) "
                f"{'committed' if self_committed else 'authored'} opaque "
                f"{'test files' if fixtures else 'binary files'} {days:.0f} days before "
                f"release {release.tag.name}: {listed} ({short(c.sha)}: {c.subject})"
                + (
                    "; no code in the commit uses them"
                    if not code
                    else f"; with code changes ({code})"
                ),
                (c.sha, f"tag:{release.tag.name}", *[p for p, _ in files]),
                0.25 if alone else 0.1 if self_committed else 0.05,
            )
        )
    return events
