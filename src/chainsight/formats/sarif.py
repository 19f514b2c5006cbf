"""SARIF 2.1.0 output: one run, one result per finding, rules from docs/rules.md."""

from __future__ import annotations

import json
from typing import Any

from chainsight import __version__
from chainsight.model import AuditReport, Finding, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULES_URI = "https://github.com/chainsight/chainsight/blob/main/docs/rules.md"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_SCORE = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def _location(f: Finding) -> dict[str, Any]:
    loc: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": f.path, "uriBaseId": "ARTIFACTROOT"}}
    }
    line = next((e.line for e in f.evidence if e.line), None)
    if line:
        loc["physicalLocation"]["region"] = {"startLine": line}
    return loc


def render(report: AuditReport) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in report.findings:
        if f.rule_id not in rules:
            rules[f.rule_id] = {
                "id": f.rule_id,
                "name": f.rule_id,
                "shortDescription": {"text": f.title},
                "helpUri": f"{RULES_URI}#{f.rule_id}",
                "properties": {"security-severity": _SCORE[f.severity]},
            }
        text = f.message
        if f.evidence:
            text += "\n" + "\n".join((f"{e.line}: " if e.line else "") + e.text for e in f.evidence)
        result: dict[str, Any] = {
            "ruleId": f.rule_id,
            "ruleIndex": list(rules).index(f.rule_id),
            "level": _LEVEL[f.severity],
            "message": {"text": f"{f.title}. {text}"},
            "locations": [_location(f)],
            "properties": {"severity": f.severity.value},
        }
        if f.related:
            result["relatedLocations"] = [
                {
                    "id": i,
                    "physicalLocation": {"artifactLocation": {"uri": r.path}},
                    "message": {"text": r.role},
                }
                for i, r in enumerate(f.related)
            ]
        results.append(result)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "chainsight",
                        "version": __version__,
                        "informationUri": "https://github.com/chainsight/chainsight",
                        "rules": list(rules.values()),
                    }
                },
                "originalUriBaseIds": {
                    "ARTIFACTROOT": {"description": {"text": report.artifact.path}}
                },
                "versionControlProvenance": []
                if report.source is None
                else [
                    {
                        "repositoryUri": _uri(report.source.repo),
                        "revisionId": report.source.commit,
                        "revisionTag": report.source.ref,
                    }
                ],
                "invocations": [
                    {
                        "executionSuccessful": not report.partial,
                        "toolExecutionNotifications": [
                            {"level": "warning", "message": {"text": e}} for e in report.errors
                        ],
                    }
                ],
                "results": results,
                "properties": _run_properties(report),
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _run_properties(report: AuditReport) -> dict[str, Any]:
    props: dict[str, Any] = {"partial": report.partial}
    if report.package is not None:
        from chainsight.formats.jsonfmt import package_dict

        props["package"] = package_dict(report.package)
    return props


def _uri(repo: str) -> str:
    if "://" in repo:
        return repo
    from pathlib import Path

    return Path(repo).resolve().as_uri()
