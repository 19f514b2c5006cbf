"""Provenance of build-system files: is this the upstream tool's file, or not?

Every m4 macro, build-aux script and gettext po/ file that the audit finds
only in the artifact, or modified, is looked up in the knowledge base of
upstream versions (``knowledge/upstream_files``):

- ``verified-upstream``: byte-identical (or identical but for comments and
  whitespace, at the same serial) to a version its provider released — the
  name-based explanation becomes verified;
- ``known-name-unknown-content``: the name is an upstream file's, the content
  is no known version (medium: genuine tarballs are often made with patched or
  unreleased tools); the nearest version and the lines no version has are the
  evidence;
- ``serial-above-known``: it declares a serial newer than any released
  version while its content is nearest to an older one — the xz 5.6 trick.
  A serial that contradicts the content is a strong signal, and in a file that
  is only in the artifact or modified it is critical;
- ``unknown``: no provider ships that name (such files stay as the explainers
  left them: unexplained build code is already high).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from chainsight.analyzers.context import AuditContext
from chainsight.model import Category, Evidence, FileRecord, Finding, Severity, Status

if TYPE_CHECKING:
    from chainsight.knowledge.upstream_files import Provenance

BUILD_FILE_CATEGORIES = frozenset(
    {Category.M4_MACRO, Category.AUTOTOOLS_AUX, Category.GETTEXT_BOILERPLATE}
)
MAX_EVIDENCE_LINES = 12


def _candidate(rec: FileRecord) -> bool:
    if rec.status not in (Status.ARTIFACT_ONLY, Status.MODIFIED):
        return False
    if rec.category in BUILD_FILE_CATEGORIES:
        return True
    # an upstream-named build file in an unusual place is still worth looking up
    return rec.category is Category.UNEXPLAINED and rec.build_time


def check_provenance(
    ctx: AuditContext,
    records: list[FileRecord],
    known: Mapping[tuple[str, str], Provenance] | None = None,
) -> tuple[list[FileRecord], list[Finding]]:
    """Records with provenance filled in, and the findings it gives. ``known`` holds
    lookups already made (by the second-core worker), by (base name, blob id)."""
    from chainsight.knowledge.upstream_files import lookup

    out: list[FileRecord] = []
    findings: list[Finding] = []
    for rec in records:
        if not _candidate(rec):
            out.append(rec)
            continue
        base = posixpath.basename(rec.path)
        entry = ctx.artifact.get(rec.path)
        prov = known.get((base, entry.blob_id)) if known and entry is not None else None
        if prov is None:
            data = ctx.artifact.read(rec.path)
            if data is None:
                out.append(rec)
                continue
            prov = lookup(base, data)
        if prov.status == "unknown":
            out.append(
                replace(rec, provenance="unknown") if rec.category in BUILD_FILE_CATEGORIES else rec
            )
            continue
        if prov.status == "verified-upstream":
            kind = "byte for byte" if prov.match_kind == "exact" else "but for comments"
            category = rec.category
            if category is Category.UNEXPLAINED:
                category = (
                    Category.M4_MACRO if rec.path.endswith(".m4") else (Category.AUTOTOOLS_AUX)
                )
            out.append(
                replace(
                    rec,
                    category=category,
                    verified=True,
                    provenance=prov.status,
                    explanation=f"identical {kind} to {prov.matched_version} "
                    f"({', '.join(prov.providers)})",
                )
            )
            continue
        out.append(replace(rec, provenance=prov.status, verified=False))
        findings.append(_finding(rec, prov))
    return out, findings


def _finding(rec: FileRecord, prov: object) -> Finding:
    from chainsight.knowledge.upstream_files import Provenance

    assert isinstance(prov, Provenance)
    novel = [Evidence(n, "+ " + text[:200]) for n, text in prov.novel_lines]
    nearest = prov.nearest_version or "none"
    similarity = f"{prov.similarity:.0%}" if prov.similarity is not None else "?"
    where = "only in the artifact" if rec.status is Status.ARTIFACT_ONLY else "modified"
    head = [
        Evidence(None, f"nearest known version: {nearest} (line similarity {similarity})"),
        Evidence(
            None,
            f"{prov.novel_line_count} line(s) that no known version of "
            f"{prov.name} has ({prov.known_versions} versions known)",
        ),
    ]
    if prov.status == "serial-above-known":
        head.insert(
            0,
            Evidence(
                None,
                f"declares {prov.declared_serial_text or prov.declared_serial}; the newest "
                f"known release is {prov.max_known_serial}, the content is nearest to "
                f"{prov.nearest_serial}",
            ),
        )
        return Finding(
            "build-file-serial-above-known",
            Severity.CRITICAL,
            rec.path,
            f"{prov.name} claims a newer version than upstream ever released",
            f"A build file {where} that declares a serial above every released version "
            "of its name while its content is nearest to an older one is disguised: that "
            "is how the xz 5.6 backdoor's loader passed for gnulib's macro.",
            tuple(head + novel[:MAX_EVIDENCE_LINES]),
        )
    return Finding(
        "build-file-unknown-content",
        Severity.MEDIUM,
        rec.path,
        f"{prov.name} matches no known upstream version",
        f"The name is an upstream build file's ({', '.join(prov.providers)}) but the "
        "content is no released version: it may come from a patched or unreleased tool, "
        "or have been edited; the lines below are the ones no known version has.",
        tuple(head + novel[:MAX_EVIDENCE_LINES]),
    )


def drop_superseded(findings: list[Finding], specific: list[Finding]) -> list[Finding]:
    """Remove the generic name-only findings for files that now have a specific one."""
    paths = {f.path for f in specific}
    return [f for f in findings if not (f.rule_id == "unverified-generated" and f.path in paths)]
