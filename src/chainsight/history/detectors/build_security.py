"""Security-relevant build changes.

``feature-check-changed``: the test program of a configure-time feature check
changes (autoconf ``AC_*_IFELSE``/``AC_TRY_*``, CMake ``check_*_source_*``,
Meson ``cc.compiles``/``cc.links``). A one-character edit can make a check
fail and silently disable the feature, as xz's Landlock check was disabled by
a lone ``.``. A change to a check of a sandboxing or hardening feature (Landlock,
seccomp, Capsicum, pledge, ``_FORTIFY_SOURCE``, stack protector...) that a
newcomer committed themselves is medium; the same change by others, and a
newcomer's change to any other check, is low (maintainers edit checks all the
time; the event feeds the person's escalation score). Never high on its own:
macro collections such as autoconf-archive edit hardening checks as their product.

``fuzzing-removed``: the last file whose path names fuzzing is deleted, or a CI
configuration loses its last mention of fuzzing or sanitizers while no fuzzing
file remains (medium for a newcomer, low otherwise). Moving fuzz targets, or
cleaning up some of them, is not a removal.
"""

from __future__ import annotations

import re

from chainsight.history.context import HistoryContext
from chainsight.history.detectors._util import short
from chainsight.history.identities import Identity
from chainsight.history.model import Event
from chainsight.history.reader import ZERO_OID, Change, Commit
from chainsight.model import Severity

_SECURITY = re.compile(
    r"landlock|seccomp|capsicum|cap_rights|cap_enter|pledge|unveil|sandbox|no_new_privs|"
    r"prctl|fortify|stack[-_]protector|stack[-_]clash|relro|cf[-_]protection|"
    r"fsanitize|ssp\b|safe[-_]stack|\bpie\b|noexecstack",
    re.I,
)
_FUZZ = re.compile(
    r"fuzz|sanitiz|-fsanitize|\basan\b|\bubsan\b|\bmsan\b|\btsan\b|address-sanitizer|"
    r"valgrind|oss-fuzz|cifuzz|libfuzzer",
    re.I,
)
_CI_FILE = re.compile(
    r"^(\.github/workflows/.+|\.gitlab-ci\.yml|\.travis\.yml|\.cirrus\.yml|"
    r"\.circleci/config\.yml|azure-pipelines\.yml|appveyor\.yml|\.appveyor\.yml|"
    r"\.builds/.+|Jenkinsfile|\.clusterfuzzlite/.+)$"
)
_BUILD_FILE = re.compile(
    r"^(configure\.(ac|in)|CMakeLists\.txt|cmake/[^/]+\.cmake|meson\.build|acinclude\.m4)$"
)
_OWN_M4 = re.compile(r"^m4/[^/]+\.m4$")
MAX_CHECK_FILE_BYTES = 512 * 1024
_AC_CHECK = re.compile(
    r"AC_(?:COMPILE|LINK|RUN|PREPROC)_IFELSE|AC_TRY_(?:COMPILE|LINK|RUN|CPP)|AC_LANG_PROGRAM|"
    r"AC_LANG_SOURCE"
)
_CMAKE_CHECK = re.compile(
    r"check_(?:c|cxx)_source_(?:compiles|runs)|check_(?:c|cxx)_compiler_flag|check_symbol_exists|"
    r"check_include_files?|check_function_exists|check_prototype_definition",
    re.I,
)
_MESON_CHECK = re.compile(r"\.(?:compiles|links|run|has_header_symbol|has_function)\s*\(")


_PARENS = re.compile(r"[()]")


def _balanced(text: str, start: int) -> str:
    """The parenthesised text opening at ``start`` (to the end when unbalanced)."""
    depth = 0
    for m in _PARENS.finditer(text, start):
        depth += 1 if m.group() == "(" else -1
        if depth == 0:
            return text[start : m.end()]
    return text[start:]


def check_blocks(path: str, text: str) -> dict[str, str]:
    """Feature checks in a build file: a stable key -> the check's full text."""
    blocks: dict[str, str] = {}
    name = path.rsplit("/", 1)[-1]
    if name == "meson.build":
        pattern = _MESON_CHECK
    elif name == "CMakeLists.txt" or name.endswith(".cmake"):
        pattern = _CMAKE_CHECK
    else:
        pattern = _AC_CHECK
    seen: dict[str, int] = {}
    last_end = -1
    for m in pattern.finditer(text):
        if m.start() < last_end:
            continue  # nested inside the previous block
        paren = text.find("(", m.end() - 1 if text[m.end() - 1] == "(" else m.end())
        if paren < 0:
            continue
        block = _balanced(text, paren)
        last_end = paren + len(block)
        key = _key(text, m.start(), block, name)
        n = seen.get(key, 0)
        seen[key] = n + 1
        blocks[key if n == 0 else f"{key}#{n + 1}"] = block
    return blocks


def _key(text: str, start: int, block: str, name: str) -> str:
    if name == "meson.build":
        m = re.search(r"name\s*:\s*['\"]([^'\"]+)", block)
        if m:
            return m.group(1)
    elif name == "CMakeLists.txt" or name.endswith(".cmake"):
        # the result variable: the last bare word once quoted code is taken out
        bare = re.sub(r'"(?:[^"\\]|\\.)*"|\[(=*)\[.*?\]\1\]', " ", block, flags=re.S)
        words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", bare)
        if words:
            return str(words[-1])
    else:
        before = text[max(0, start - 600) : start]
        found = re.findall(r"AC_(?:CACHE_CHECK|MSG_CHECKING)\s*\(\s*\[?([^\],)]+)", before)
        if found:
            return str(found[-1]).strip()
    line = text.count("\n", 0, start)
    return f"check near line {line + 1}"


def _char_distance(a: str, b: str) -> int:
    """Characters that differ once the common prefix and suffix are set aside: exact
    for one local edit (xz's lone ``.``), an upper bound otherwise."""
    n = min(len(a), len(b))
    p = 0
    while p < n and a[p] == b[p]:
        p += 1
    q = 0
    while q < n - p and a[-1 - q] == b[-1 - q]:
        q += 1
    return max(len(a) - p - q, len(b) - p - q)


def detect(ctx: HistoryContext) -> list[Event]:
    events: list[Event] = []
    fuzz_paths: set[str] = set()
    # a project's own m4/ macros are its configure checks; a macro collection
    # (gnulib, autoconf-archive: no configure.ac of its own at the top) ships them
    own_m4 = ctx.data.head is not None and any(
        ctx.source.file_at(ctx.data.head, f) is not None for f in ("configure.ac", "configure.in")
    )
    for c, a, m in zip(ctx.data.commits, ctx.authors, ctx.committers, strict=True):
        if c.duplicate:
            continue
        had_fuzz_paths = bool(fuzz_paths)
        for ch in c.changes:
            if "fuzz" in ch.path.lower():
                if ch.status == "D":
                    fuzz_paths.discard(ch.path)
                else:
                    fuzz_paths.add(ch.path)
        if not ctx.in_window(c.committer_time):
            continue
        for ch in c.changes:
            if ch.status == "M" and (
                _BUILD_FILE.match(ch.path) or (own_m4 and _OWN_M4.match(ch.path))
            ):
                events.extend(_check_changes(ctx, c, a, m, ch))
        if fuzz_paths:
            continue  # fuzz targets or corpora remain
        ci_dropped = [
            ch.path
            for ch in c.changes
            if _CI_FILE.match(ch.path) and ch.status in "MD" and _fuzz_dropped(ctx, ch)
        ]
        if had_fuzz_paths or ci_dropped:
            events.append(_fuzz_event(ctx, c, a, ci_dropped, had_fuzz_paths))
    return events


def _text(ctx: HistoryContext, oid: str) -> str:
    if oid == ZERO_OID or (ctx.source.blob_size(oid) or 0) > MAX_CHECK_FILE_BYTES:
        return ""
    return (ctx.source.read_blob(oid) or b"").decode("utf-8", "replace")


_BLOCKS_CACHE: dict[tuple[str, str], dict[str, str]] = {}


def _blocks(ctx: HistoryContext, path: str, oid: str) -> dict[str, str]:
    """check_blocks of a blob; each blob is the new side of one change and the old
    side of the next, so parse it once."""
    key = (path.rsplit("/", 1)[-1], oid)
    hit = _BLOCKS_CACHE.get(key)
    if hit is None:
        if len(_BLOCKS_CACHE) > 256:
            _BLOCKS_CACHE.clear()
        hit = _BLOCKS_CACHE[key] = check_blocks(path, _text(ctx, oid))
    return hit


def _check_changes(ctx, c, a, m, ch) -> list[Event]:  # type: ignore[no-untyped-def]
    old = _blocks(ctx, ch.path, ch.old_blob)
    new = _blocks(ctx, ch.path, ch.new_blob)
    out = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        security = bool(_SECURITY.search(before or "") or _SECURITY.search(after or ""))
        if before is None or after is None:
            if not security or before is None:
                continue  # a new check, or an ordinary one removed
            what = f"removed the {key!r} check"
        else:
            distance = _char_distance(before, after)
            what = (
                f"changed the test code of the {key!r} check ({distance} character"
                f"{'s' if distance != 1 else ''} differ)"
            )
        newcomer = ctx.is_newcomer(a, c.committer_time)
        if not (security or newcomer):
            continue  # maintainers edit ordinary checks all the time
        severity = Severity.MEDIUM if security and newcomer and a.id == m.id else Severity.LOW
        weight = (0.15 if newcomer else 0.03) if security else (0.03 if newcomer else 0.0)
        out.append(
            Event(
                "feature-check-changed",
                c.committer_time,
                severity,
                a.id if a.person else None,
                f"{a.name} {what} in {ch.path}"
                + (" — a sandboxing/hardening check" if security else "")
                + f" ({short(c.sha)}: {c.subject})",
                (c.sha, ch.path),
                weight,
            )
        )
    return out


def _fuzz_dropped(ctx: HistoryContext, ch: Change) -> bool:
    before = len(_FUZZ.findall(_text(ctx, ch.old_blob)))
    after = 0 if ch.status == "D" else len(_FUZZ.findall(_text(ctx, ch.new_blob)))
    return before > 0 and after == 0


def _fuzz_event(
    ctx: HistoryContext, c: Commit, a: Identity, ci_files: list[str], removed_paths: bool
) -> Event:
    newcomer = ctx.is_newcomer(a, c.committer_time)
    what = []
    if removed_paths:
        what.append("deleted the last fuzzing files")
    if ci_files:
        what.append(f"{', '.join(ci_files)} no longer mention fuzzing or sanitizers")
    return Event(
        "fuzzing-removed",
        c.committer_time,
        Severity.MEDIUM if newcomer else Severity.LOW,
        a.id if a.person else None,
        f"{a.name} removed fuzzing/sanitizer coverage: {'; '.join(what)} "
        f"({short(c.sha)}: {c.subject})",
        (c.sha, *ci_files),
        0.15 if newcomer else 0.02,
    )
