"""What the release's build code does, and which opaque files it reads.

The behaviour analyzer (``analyzers/behaviour``) reads build- and install-time
code as text and returns signals. This module decides which files to read,
turns a file's signals into one finding with every evidence line, applies the
severity policy of docs/rules.md — a strong signal (high) in a file that is
only in the artifact, modified, or of unknown provenance is critical — and
links the finding to the opaque files (binary fixtures, "test files") that
the code reads, by path, glob or marker search, whether or not those files
are in git: the xz payload was.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from chainsight.analyzers.classify import is_binary
from chainsight.analyzers.context import AuditContext
from chainsight.model import Evidence, FileRecord, Finding, Related, Severity, Status

MAX_LINKED = 12
MAX_EVIDENCE = 16


def _to_scan(records: Iterable[FileRecord]) -> list[FileRecord]:
    out = []
    for rec in records:
        if rec.status not in (Status.ARTIFACT_ONLY, Status.MODIFIED):
            continue
        if not rec.build_time or rec.provenance == "verified-upstream":
            continue
        out.append(rec)
    return out


_BINARY_EXTS = frozenset(
    [
        ".xz",
        ".lzma",
        ".lz",
        ".gz",
        ".tgz",
        ".bz2",
        ".zst",
        ".zip",
        ".7z",
        ".rar",
        ".tar",
        ".bin",
        ".dat",
        ".raw",
        ".img",
        ".iso",
        ".o",
        ".a",
        ".so",
        ".dll",
        ".exe",
        ".dylib",
        ".class",
        ".jar",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".ico",
        ".bmp",
        ".webp",
        ".pdf",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".wasm",
        ".pyc",
        ".mo",
        ".gmo",
        ".db",
        ".sqlite",
        ".der",
        ".p12",
        ".pem",
        ".crt",
        ".key",
        ".enc",
        ".blob",
        ".pack",
    ]
)
_FIXTURE_DIRS = ("test/", "tests/", "testdata/", "test-data/", "fixtures/", "files/", "data/")


def opaque_candidate(path: str) -> bool:
    """Whether :func:`opaque_paths` reads this file to see whether it is binary."""
    base = path.rsplit("/", 1)[-1].lower()
    ext = "." + base.rsplit(".", 1)[-1] if "." in base else ""
    if ext in _BINARY_EXTS:
        return True
    in_fixtures = any(d in "/" + path.lower() for d in ("/" + x for x in _FIXTURE_DIRS))
    return in_fixtures and (not ext or ext in (".txt",))


def opaque_paths(ctx: AuditContext) -> list[str]:
    """Files of the artifact whose content is binary: candidates for hidden payloads.

    Only files with a binary-looking extension, or without one in test and data
    directories, are read (through git when they are identical), so that text
    files cost nothing.
    """
    out = []
    for entry in ctx.artifact.entries():
        if entry.size == 0 or entry.kind.value != "file":
            continue
        path = entry.path
        if not opaque_candidate(path):
            continue
        data = ctx.artifact.read(path)
        if data is not None and is_binary(data):
            out.append(path)
    return out


_PATH_LITERAL = re.compile(r"(?:[\w${}().@-]+/)+[\w@+.-]+")


def _path_literals(text: str) -> list[str]:
    """Relative paths written in the code, e.g. ``"$srcdir/tests/files/x.frm"``."""
    out = []
    for match in _PATH_LITERAL.finditer(text):
        literal = re.sub(r"^(?:\$\{?\w+\}?/|\$\(\w+\)/|\./|\.\./)+", "", match.group(0))
        if "/" in literal and "$" not in literal and not literal.startswith(("/", "usr/")):
            out.append(literal)
    return list(dict.fromkeys(out))[:200]


def _linked(
    ctx: AuditContext, read: str, blobs: list[str], matches: Any, test_text: bool = False
) -> list[str]:
    """Files a ``reads`` entry designates: by path or glob among the data files of the
    artifact (and, when ``test_text``, the text files of its test directories: a rule
    saw the code read them), else by content (a grep marker) among its binary files."""
    from chainsight.analyzers.behaviour._flow import is_test_text

    build_time = ctx.build_time_paths
    by_name = [
        p
        for p in ctx.artifact.paths()
        if p not in build_time
        and matches(read, p, None)
        and (_is_data(ctx, p, blobs) or (test_text and is_test_text(p)))
    ]
    if by_name:
        return by_name[:MAX_LINKED]
    return [b for b in blobs if matches(read, b, ctx.artifact.read(b))][:MAX_LINKED]


PARALLEL_MIN_CHARS = 400_000
"""Below this much build code in all, scanning in one process is faster than forking."""


def _scan_all(texts: dict[str, str], scan: Any) -> dict[str, list[Any]]:
    """Scan every file, on two cores when there is a lot of code (the scan is pure
    Python; a forked worker shares the loaded modules and costs a few milliseconds)."""
    total = sum(len(t) for t in texts.values())
    if total < PARALLEL_MIN_CHARS or (os.cpu_count() or 1) < 2 or len(texts) < 2:
        return {p: scan(p, t) for p, t in texts.items()}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ordered = sorted(texts, key=lambda p: -len(texts[p]))
    # the largest file to the worker, the rest here: two halves of similar cost
    half, rest = [ordered[0]], ordered[1:]
    size = len(texts[ordered[0]])
    while rest and size < total / 2:
        size += len(texts[rest[0]])
        half.append(rest.pop(0))
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        remote = pool.submit(_scan_many, [(p, texts[p]) for p in half], scan)
        out = {p: scan(p, texts[p]) for p in rest}
        out.update(remote.result())
    return out


def _scan_many(items: list[tuple[str, str]], scan: Any) -> dict[str, list[Any]]:
    return {p: scan(p, t) for p, t in items}


def _is_data(ctx: AuditContext, path: str, blobs: list[str]) -> bool:
    """Data a loader could hide a payload in: binary files, or files that are neither
    code nor documentation (``.frm``, ``.b64``, ``.hex``, fixtures)."""
    from chainsight.analyzers.classify import FileRole, role_of

    return path in blobs or role_of(path) is FileRole.DATA


def build_code_findings(
    ctx: AuditContext,
    records: list[FileRecord],
    blobs: list[str],
    scanned: Mapping[str, list[Any]] | None = None,
) -> list[Finding]:
    """One finding per build file whose code behaves unusually, linked to the blobs
    (from :func:`opaque_paths`) it reads. ``scanned`` holds signals already computed
    for some paths (by :mod:`.prescan`); the others are scanned here."""
    from chainsight.analyzers.behaviour import read_matches, scan_build_code

    findings: list[Finding] = []
    links: dict[tuple[str, bool], list[str]] = {}
    texts: dict[str, str] = {}
    recs = {}
    for rec in _to_scan(records):
        data = ctx.artifact.read(rec.path)
        if data is not None:
            texts[rec.path] = data.decode("utf-8", "replace")
            recs[rec.path] = rec
    done = {p: list(scanned[p]) for p in texts if scanned is not None and p in scanned}
    todo = {p: t for p, t in texts.items() if p not in done}
    results = {**done, **_scan_all(todo, scan_build_code)}
    for path in texts:
        signals = results[path]
        rec = recs[path]
        text = texts[path]
        if not signals:
            continue
        worst = max(signals, key=lambda s: s.severity.rank)
        reads = list(dict.fromkeys(r for s in signals for r in s.reads))
        seen_reads = set(reads)
        if worst.severity.rank >= Severity.HIGH.rank:
            # a loader often names its data in a variable set elsewhere in the file
            reads += _path_literals(text)
        related: list[Related] = []
        if reads:
            linked: dict[str, None] = {}
            for read in dict.fromkeys(reads):
                key = (read, read in seen_reads)
                if key not in links:
                    links[key] = _linked(ctx, read, blobs, read_matches, read in seen_reads)
                linked.update(dict.fromkeys(links[key]))
            related = [
                Related(b, "opaque file read by this build code") for b in list(linked)[:MAX_LINKED]
            ]
        severity = worst.severity
        strong = severity.rank >= Severity.HIGH.rank
        if strong and related:
            severity = Severity.CRITICAL  # the code decodes and runs what it reads
        if strong and rec.status in (Status.ARTIFACT_ONLY, Status.MODIFIED):
            severity = Severity.CRITICAL
        if severity.rank < Severity.LOW.rank:
            continue
        ordered = sorted(signals, key=lambda s: (-s.severity.rank, s.line, s.rule_id))
        evidence = tuple(
            Evidence(s.line, f"[{s.rule_id}] {s.text}") for s in ordered[:MAX_EVIDENCE]
        )
        where = "only in the artifact" if rec.status is Status.ARTIFACT_ONLY else "modified"
        others = sorted({s.rule_id for s in signals} - {worst.rule_id})
        reasons = (
            worst.why.rstrip(".; ")
            + "."
            + (f" Other signals in this file: {', '.join(others)}." if others else "")
        )
        findings.append(
            Finding(
                worst.rule_id,
                severity,
                rec.path,
                f"Build code {where} behaves like a loader"
                if strong
                else f"Build code {where} does something unusual",
                reasons,
                evidence,
                tuple(related),
            )
        )
    return findings + runtime_code_findings(ctx, records)


def runtime_code_findings(ctx: AuditContext, records: list[FileRecord]) -> list[Finding]:
    """``runtime-decode-exec`` on JavaScript the release ships that git does not have.

    Runtime code is not build code, so the ``build-*`` rules skip it; the event-stream
    payload was appended to a published runtime file. Only decode-then-execute chains
    are looked for (docs/rules.md). Artifact-only files (build output, bundles) are
    high; a tracked file modified in the release is critical, unless git's version of
    it already had a chain (then the release did not add it: medium).
    """
    from chainsight.analyzers.minified import is_js

    findings: list[Finding] = []
    for rec in records:
        if rec.status not in (Status.ARTIFACT_ONLY, Status.MODIFIED) or rec.build_time:
            continue
        if not is_js(rec.path):
            continue
        # loaded for the first JavaScript file: most releases have none
        from chainsight.analyzers.behaviour.runtime_js import scan_runtime_js

        data = ctx.artifact.read(rec.path)
        if data is None:
            continue
        signals = scan_runtime_js(rec.path, data.decode("utf-8", "replace"))
        if not signals:
            continue
        first = next(s for s in signals if s.severity is Severity.HIGH)
        severity = Severity.HIGH
        where = "only in the artifact"
        if rec.status is Status.MODIFIED:
            where = "modified in the artifact"
            old = ctx.source.read(rec.source_path or rec.path)
            in_git = old is not None and scan_runtime_js(rec.path, old.decode("utf-8", "replace"))
            severity = Severity.MEDIUM if in_git else Severity.CRITICAL
        findings.append(
            Finding(
                first.rule_id,
                severity,
                rec.path,
                f"JavaScript {where} decodes data and runs it",
                first.why,
                tuple(Evidence(s.line, s.text) for s in signals[:MAX_EVIDENCE]),
            )
        )
    return findings
