"""Turn explained records and archive anomalies into findings.

Severity policy (docs/rules.md): unexplained build- or install-time code and
unexplained runtime code are high; unexplained data is medium; unexplained
documentation and files explained only by name are low; archive anomalies are
rated by danger.
"""

from __future__ import annotations

import hashlib

from chainsight.analyzers.classify import FileRole, is_binary, role_of
from chainsight.analyzers.context import AuditContext
from chainsight.model import Category, Evidence, FileRecord, Finding, Related, Severity, Status
from chainsight.sources.archive import Anomaly

MAX_EVIDENCE = 8
MAX_LINE = 200


def _clip(text: str) -> str:
    text = text.rstrip("\n")
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


def head_evidence(data: bytes | None, limit: int = MAX_EVIDENCE) -> tuple[Evidence, ...]:
    if data is None:
        return (Evidence(None, "content not available (over the size limit or unreadable)"),)
    if is_binary(data):
        digest = hashlib.sha256(data).hexdigest()
        return (Evidence(None, f"binary content, {len(data)} bytes, sha256 {digest}"),)
    out = []
    for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        if line.strip():
            out.append(Evidence(n, _clip(line)))
        if len(out) >= limit:
            break
    return tuple(out)


def diff_evidence(
    source: bytes | None, artifact: bytes | None, limit: int = MAX_EVIDENCE
) -> tuple[Evidence, ...]:
    """Lines the artifact has and the source does not, with artifact line numbers.

    A set difference of lines, linear in the file size: which lines are new is
    what a reviewer needs, not a minimal edit script.
    """
    if source is None or artifact is None:
        return head_evidence(artifact, limit)
    if is_binary(source) or is_binary(artifact):
        return (
            Evidence(
                None,
                f"binary content differs: {len(source)} bytes in the source, "
                f"{len(artifact)} in the artifact",
            ),
        )
    s_lines = source.decode("utf-8", "replace").splitlines()
    a_lines = artifact.decode("utf-8", "replace").splitlines()
    s_set = set(s_lines)
    out = [
        Evidence(n, "+ " + _clip(line))
        for n, line in enumerate(a_lines, start=1)
        if line not in s_set and line.strip()
    ][:limit]
    if out:
        return tuple(out)
    a_set = set(a_lines)
    removed = [Evidence(None, "- " + _clip(line)) for line in s_lines if line not in a_set]
    if removed:
        return tuple(removed[:limit])
    return (Evidence(None, "same lines in a different order, or whitespace changes only"),)


def record_findings(ctx: AuditContext, records: list[FileRecord]) -> list[Finding]:
    findings: list[Finding] = []
    for rec in records:
        if rec.status is Status.SOURCE_ONLY or rec.category is Category.OMITTED:
            continue
        if rec.status is Status.RELOCATED and rec.verified:
            continue
        if rec.category is Category.UNEXPLAINED:
            findings.append(_unexplained(ctx, rec))
        elif not rec.verified:
            findings.append(_plausible(ctx, rec))
    return findings


def _unexplained(ctx: AuditContext, rec: FileRecord) -> Finding:
    data = ctx.artifact.read(rec.path)
    role = FileRole.BUILD if rec.build_time else role_of(rec.path, data)
    where = "only in the artifact" if rec.status is Status.ARTIFACT_ONLY else "changed from git"
    related: tuple[Related, ...] = ()
    if rec.status is Status.MODIFIED:
        evidence = diff_evidence(ctx.source.read(rec.path), data)
        related = (Related(rec.path, "source-version"),)
    else:
        evidence = head_evidence(data)
    if role is FileRole.BUILD:
        return Finding(
            "unexplained-build-code",
            Severity.HIGH,
            rec.path,
            f"Build- or install-time code {where} that nothing explains",
            "This file runs when the package is built or installed, yet no generator or "
            "release step accounts for it: it is code nobody reviewed in git.",
            evidence,
            related,
        )
    if role is FileRole.CODE:
        return Finding(
            "unexplained-code",
            Severity.HIGH,
            rec.path,
            f"Program code {where} that nothing explains",
            "Code that users will run differs from what the repository holds at this tag, and "
            "no release step accounts for it.",
            evidence,
            related,
        )
    if role is FileRole.DOC:
        return Finding(
            "unexplained-doc",
            Severity.LOW,
            rec.path,
            f"Documentation {where} that nothing explains",
            "Documentation differs from the repository without a known cause; it does not run, "
            "but a reviewer may want to know why.",
            evidence,
            related,
        )
    return Finding(
        "unexplained-data",
        Severity.MEDIUM,
        rec.path,
        f"Data file {where} that nothing explains",
        "Data that is not in git can be read by build or test code (the xz payload hid in "
        "test files); nothing accounts for this one.",
        evidence,
        related,
    )


def _plausible(ctx: AuditContext, rec: FileRecord) -> Finding:
    what = "build-time file" if rec.build_time else "file"
    return Finding(
        "unverified-generated",
        Severity.LOW,
        rec.path,
        f"Generated {what} recognised by name only ({rec.category.value})",
        f"{rec.explanation}; its content was not checked against the tool that "
        "supposedly generated it.",
        head_evidence(ctx.artifact.read(rec.path), limit=3),
    )


def anomaly_findings(anomalies: list[Anomaly]) -> list[Finding]:
    titles = {
        "archive-path-traversal": "Archive member would be written outside the tree",
        "archive-link-escape": "Archive link points outside the tree",
        "archive-duplicate-member": "Archive holds the same path twice",
        "archive-unicode-collision": "Two archive names collide after Unicode normalisation",
        "archive-special-file": "Archive holds a device file or FIFO",
        "archive-hardlink": "Archive holds a hard link",
        "archive-setuid": "Archive member is set-user-ID or set-group-ID",
        "archive-bomb": "Archive decompresses far beyond its size",
        "archive-size-mismatch": "Archive member is longer than declared",
    }
    why = {
        "archive-path-traversal": "Extracting this archive would write outside its directory.",
        "archive-link-escape": "Extraction or a build following this link reaches files "
        "outside the release.",
        "archive-duplicate-member": "Tools that extract keep the last copy while reviewers "
        "read the first: two versions of one file.",
        "archive-unicode-collision": "On normalising file systems one file silently replaces "
        "the other.",
        "archive-special-file": "Source releases have no use for device files or pipes.",
        "archive-hardlink": "Hard links are unusual in source releases; compared as copies.",
        "archive-setuid": "A source release has no reason to ship privileged executables.",
        "archive-bomb": "A stream that expands this much is built to exhaust resources.",
        "archive-size-mismatch": "A member whose data disagrees with its header confuses "
        "tools that trust the header.",
    }
    return [
        Finding(
            a.rule_id,
            a.severity,
            a.member,
            titles.get(a.rule_id, a.rule_id),
            why.get(a.rule_id, a.detail),
            (Evidence(None, a.detail),),
        )
        for a in anomalies
    ]
