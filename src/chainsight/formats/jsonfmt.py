"""The ``chainsight.audit/1`` JSON document."""

from __future__ import annotations

import json
from typing import Any

from chainsight.model import AuditReport, Finding, PackageInfo

SCHEMA = "chainsight.audit/1"


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "severity": f.severity.value,
        "path": f.path,
        "title": f.title,
        "message": f.message,
        "evidence": [{"line": e.line, "text": e.text} for e in f.evidence],
        "related": [{"path": r.path, "role": r.role} for r in f.related],
    }


def report_dict(report: AuditReport) -> dict[str, Any]:
    s = report.summary
    return {
        "schema": SCHEMA,
        "artifact": {
            "path": report.artifact.path,
            "sha256": report.artifact.sha256,
            "kind": report.artifact.kind,
        },
        "source": None
        if report.source is None
        else {
            "repo": report.source.repo,
            "ref": report.source.ref,
            "commit": report.source.commit,
            "subdir": report.source.subdir,
        },
        "files": [
            {
                "path": r.path,
                "status": r.status.value,
                "category": r.category.value,
                "verified": r.verified,
                "build_time": r.build_time,
                "explanation": r.explanation,
                "source_path": r.source_path,
                "provenance": r.provenance,
            }
            for r in report.files
        ],
        "findings": [finding_dict(f) for f in report.findings],
        "summary": {
            "files_artifact": s.files_artifact,
            "files_source": s.files_source,
            "identical": s.identical,
            "artifact_only": s.artifact_only,
            "source_only": s.source_only,
            "modified": s.modified,
            "findings_by_severity": dict(s.findings_by_severity),
        },
        "partial": report.partial,
        "errors": list(report.errors),
        "package": None if report.package is None else package_dict(report.package),
    }


def package_dict(p: PackageInfo) -> dict[str, Any]:
    d = p.source
    return {
        "target": p.target,
        "ecosystem": p.ecosystem,
        "name": p.name,
        "version": p.version,
        "files": [
            {"role": f.role, "filename": f.filename, "sha256": f.sha256, "url": f.url}
            for f in p.files
        ],
        "source_candidates": list(p.source_candidates),
        "source_discovery": {
            "status": d.status,
            "repo": d.repo,
            "ref": d.ref,
            "ref_from": d.ref_from,
            "reason": d.reason,
            "attempts": [{"url": a.url, "outcome": a.outcome} for a in d.attempts],
        },
        "metadata": dict(p.metadata),
        "notes": list(p.notes),
    }


def render(report: AuditReport) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
