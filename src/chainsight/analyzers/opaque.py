"""Opaque files (binary fixtures, "test files") and indicators of known incidents.

``blob_findings`` looks at every binary file of the artifact, in git or not
(the xz payload was committed as test files): a file whose content contradicts
its name, or that hides a script or executable in a compressed stream, is
reported, linked to the build code that reads it when there is such code.

``indicator_findings`` is the separate ``ioc-*`` family: published facts of
known incidents (knowledge/indicators.py). It is an extra, switched off with
``--no-ioc``; the general rules stand without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from chainsight.analyzers.context import AuditContext
from chainsight.model import Evidence, Finding, Related, Severity

if TYPE_CHECKING:
    from chainsight.analyzers.blobs import BlobReport


def analyse_blobs(
    ctx: AuditContext,
    blobs: list[str],
    known: Mapping[tuple[str, str], BlobReport] | None = None,
) -> dict[str, BlobReport | None]:
    """Reports for the blobs examined whether or not build code reads them. ``known``
    holds reports already made (by the second-core worker), by (path, blob id)."""
    from chainsight.analyzers.blobs import analyse_blob

    out: dict[str, BlobReport | None] = {}
    for path in blobs:
        if worth_decoding(path):
            entry = ctx.artifact.get(path)
            report = known.get((path, entry.blob_id)) if known and entry is not None else None
            if report is not None:
                out[path] = report
                continue
            data = ctx.artifact.read(path)
            out[path] = None if data is None else analyse_blob(path, data)
    return out


def blob_findings(
    ctx: AuditContext,
    blobs: list[str],
    readers: dict[str, list[str]],
    reports: dict[str, BlobReport | None] | None = None,
) -> list[Finding]:
    """Findings for suspicious blobs; ``readers`` maps a blob to build files reading it;
    ``reports`` holds what :func:`analyse_blobs` already found."""
    from chainsight.analyzers.blobs import analyse_blob

    findings = []
    for path in blobs:
        if path not in readers and not worth_decoding(path):
            continue
        if reports is not None and path in reports:
            report = reports[path]
        else:
            data = ctx.artifact.read(path)
            report = None if data is None else analyse_blob(path, data)
        if report is None or not report.suspicious:
            continue
        hides_code = report.decodes_to in ("script", "elf", "pe", "macho") or report.kind in (
            "elf",
            "pe",
            "macho",
            "script",
        )
        severity = Severity.HIGH if hides_code else Severity.MEDIUM
        related = tuple(
            Related(r, "build code that reads this file") for r in readers.get(path, [])
        )
        evidence = [Evidence(None, reason) for reason in report.reasons[:6]]
        evidence.append(
            Evidence(None, f"kind {report.kind}, entropy {report.entropy:.2f} bits/byte")
        )
        findings.append(
            Finding(
                "blob-hidden-content" if hides_code else "blob-content-mismatch",
                severity,
                path,
                "Opaque file hides a script or executable"
                if hides_code
                else "Opaque file is not what its name says",
                "Binary fixtures are where a payload hides from review (xz's 'corrupt test "
                "files'); this one's content contradicts its name"
                + (", and build code reads it." if related else "."),
                tuple(evidence),
                related,
            )
        )
    return findings


_COMPRESSED_OR_CODE = frozenset(
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
        ".bin",
        ".o",
        ".a",
        ".so",
        ".exe",
        ".dll",
        ".dylib",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".ico",
        ".pdf",
    ]
)
_FIXTURES = ("/test/", "/tests/", "/testdata/", "/test-data/", "/fixtures/", "/files/")


def worth_decoding(path: str) -> bool:
    """Binary files examined even when no build code reads them: fixtures, and names
    that claim a compressed, image or executable format (what a payload hides as)."""
    lower = "/" + path.lower()
    if any(d in lower for d in _FIXTURES):
        return True
    base = lower.rsplit("/", 1)[-1]
    return "." in base and "." + base.rsplit(".", 1)[-1] in _COMPRESSED_OR_CODE


def indicator_findings(
    ctx: AuditContext,
    paths: list[str],
    artifact_name: str,
    artifact_sha256: str,
) -> list[Finding]:
    from chainsight.knowledge.indicators import scan_artifact_name, scan_indicators

    hits = list(scan_artifact_name(artifact_name, artifact_sha256))
    for path in paths:
        data = ctx.artifact.read(path)
        if data is not None:
            hits.extend(scan_indicators(path, data))
    merged: dict[tuple[str, str], list[object]] = {}
    for hit in hits:
        merged.setdefault((hit.rule_id, hit.path), []).append(hit)
    findings = []
    for (rule_id, path), group in merged.items():
        first = group[0]
        severity = max((h.severity for h in group), key=lambda s: s.rank)  # type: ignore[attr-defined]
        findings.append(
            Finding(
                rule_id,
                severity,
                path,
                "Matches a published indicator of a known incident",
                f"Published indicator (source: {first.source}); an extra rule family, "  # type: ignore[attr-defined]
                "off with --no-ioc.",
                tuple(Evidence(None, h.evidence[:200]) for h in group[:6]),  # type: ignore[attr-defined]
            )
        )
    return findings
