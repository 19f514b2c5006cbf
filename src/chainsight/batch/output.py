"""Aggregated batch output: ``chainsight.batch/1`` JSON, one SARIF run, a summary table.

Writers stream: each target's full report is read back from the store, written
and dropped before the next, so the output of thousands of targets needs the
memory of one.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections.abc import Sequence
from typing import IO, Any

from chainsight import __version__
from chainsight.batch.results import TargetResult, TargetStatus
from chainsight.batch.store import ResultStore, StoreError
from chainsight.model import Severity

SCHEMA = "chainsight.batch/1"
SARIF_MAX_RESULTS = 25_000
"""GitHub code scanning rejects a run with more results than this."""
_SEVERITIES = [s for s in sorted(Severity, key=lambda s: -s.rank)]


def summary_dict(results: Sequence[TargetResult]) -> dict[str, Any]:
    by_severity = {s.value: 0 for s in Severity}
    for r in results:
        for sev, n in r.findings_by_severity.items():
            by_severity[sev] = by_severity.get(sev, 0) + n
    return {
        "targets": len(results),
        "ok": sum(r.status is TargetStatus.OK for r in results),
        "partial": sum(r.status is TargetStatus.PARTIAL for r in results),
        "error": sum(r.status is TargetStatus.ERROR for r in results),
        "findings_by_severity": by_severity,
    }


def _entry(result: TargetResult, store: ResultStore) -> dict[str, Any]:
    report = None
    status, error = result.status, result.error
    if result.report_key is not None:
        try:
            report = store.load_report(result.report_key)
        except StoreError as exc:
            status, error = TargetStatus.ERROR, str(exc)
    return {
        "target": result.target,
        "status": status.value,
        "worst_severity": (
            result.worst.severity.value if report is not None and result.worst is not None else None
        ),
        "error": error,
        "report": report,
    }


def write_json(results: Sequence[TargetResult], store: ResultStore, out: IO[str]) -> None:
    out.write(f'{{\n  "schema": {json.dumps(SCHEMA)},\n  "targets": [')
    for i, result in enumerate(results):
        text = json.dumps(_entry(result, store), indent=2, ensure_ascii=False)
        out.write(("," if i else "") + "\n" + textwrap.indent(text, "    "))
    summary = json.dumps(summary_dict(results), indent=2)
    out.write(("\n  " if results else "") + '],\n  "summary": ')
    out.write(textwrap.indent(summary, "  ").lstrip() + "\n}\n")


# -- SARIF ---------------------------------------------------------------------------

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


def _sarif_budget(results: Sequence[TargetResult]) -> dict[str, int]:
    """How many findings of each severity fit under GitHub's per-run limit, worst first."""
    totals = summary_dict(results)["findings_by_severity"]
    budget, left = {}, SARIF_MAX_RESULTS
    for sev in _SEVERITIES:
        budget[sev.value] = min(totals.get(sev.value, 0), left)
        left -= budget[sev.value]
    return budget


def write_sarif(results: Sequence[TargetResult], store: ResultStore, out: IO[str]) -> None:
    """One SARIF 2.1.0 run holding every target's results (see docs/batch.md for why).

    Each result is located at the dependency file and line that named the
    target when there is one (so code scanning annotates the lock file), and
    carries the target and the path inside the package in its message,
    ``logicalLocations`` and ``properties``.
    """
    from chainsight.formats.sarif import RULES_URI, SARIF_SCHEMA

    budget = _sarif_budget(results)
    left_out = {
        sev: n - budget[sev]
        for sev, n in summary_dict(results)["findings_by_severity"].items()
        if n > budget[sev]
    }
    rules: dict[str, dict[str, Any]] = {}
    notifications: list[dict[str, Any]] = []
    out.write(f'{{\n  "$schema": {json.dumps(SARIF_SCHEMA)},\n  "version": "2.1.0",\n')
    out.write('  "runs": [\n    {\n      "results": [')
    first = True
    for result in results:
        report = None
        if result.report_key is not None:
            try:
                report = store.load_report(result.report_key)
            except StoreError as exc:
                notifications.append(_notification("error", f"{result.target}: {exc}"))
                continue
        if result.status is TargetStatus.ERROR or report is None:
            notifications.append(_notification("error", f"{result.target}: {result.error}"))
            continue
        for err in report.get("errors", []):
            notifications.append(_notification("warning", f"{result.target}: {err}"))
        for finding in report.get("findings", []):
            sev = Severity(finding["severity"])
            if budget[sev.value] <= 0:
                continue
            budget[sev.value] -= 1
            if finding["rule_id"] not in rules:
                rules[finding["rule_id"]] = {
                    "id": finding["rule_id"],
                    "name": finding["rule_id"],
                    "shortDescription": {"text": finding["title"]},
                    "helpUri": f"{RULES_URI}#{finding['rule_id']}",
                    "properties": {"security-severity": _SCORE[sev]},
                }
            entry = _sarif_result(result, finding, list(rules).index(finding["rule_id"]))
            text = json.dumps(entry, indent=2, ensure_ascii=False)
            out.write(("" if first else ",") + "\n" + textwrap.indent(text, "        "))
            first = False
    for sev, n in left_out.items():
        notifications.append(
            _notification(
                "warning",
                f"{n} {sev} results left out: code scanning rejects more than "
                f"{SARIF_MAX_RESULTS} results in a run (the JSON output has them all)",
            )
        )
    summary = summary_dict(results)
    tail = {
        "tool": {
            "driver": {
                "name": "chainsight",
                "version": __version__,
                "informationUri": "https://github.com/chainsight/chainsight",
                "rules": list(rules.values()),
            }
        },
        "automationDetails": {"id": "chainsight/dependencies/"},
        "invocations": [
            {
                "executionSuccessful": summary["ok"] + summary["partial"] > 0,
                "toolExecutionNotifications": notifications,
            }
        ],
        "properties": {"batch": summary},
    }
    body = json.dumps(tail, indent=2, ensure_ascii=False)[1:-1].strip("\n")
    out.write(("\n      " if not first else "") + "],\n")
    out.write(textwrap.indent(body, "    ") + "\n    }\n  ]\n}\n")


def _notification(level: str, text: str) -> dict[str, Any]:
    return {"level": level, "message": {"text": " ".join(text.split())}}


def _sarif_result(result: TargetResult, finding: dict[str, Any], rule_index: int) -> dict[str, Any]:
    sev = Severity(finding["severity"])
    evidence = finding.get("evidence") or []
    text = f"{result.target}: {finding['title']} in {finding['path']}. {finding['message']}"
    if evidence:
        text += "\n" + "\n".join(
            (f"{e['line']}: " if e.get("line") else "") + e["text"] for e in evidence
        )
    if result.origin is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(result.origin.path)}}
        if result.origin.line:
            physical["region"] = {"startLine": result.origin.line}
    else:
        physical = {"artifactLocation": {"uri": _package_uri(result.target, finding["path"])}}
    fingerprint = hashlib.sha256(
        "\0".join((result.target, finding["rule_id"], finding["path"])).encode()
    ).hexdigest()
    return {
        "ruleId": finding["rule_id"],
        "ruleIndex": rule_index,
        "level": _LEVEL[sev],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {"fullyQualifiedName": f"{result.target}/{finding['path']}", "kind": "module"}
                ],
            }
        ],
        "partialFingerprints": {"chainsightTargetFinding/v1": fingerprint},
        "properties": {
            "target": result.target,
            "path": finding["path"],
            "severity": sev.value,
        },
    }


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path.replace("\\", "/").removeprefix("./"), safe="/:@")


def _package_uri(target: str, path: str) -> str:
    """A stable, repository-relative-looking URI for a target named on the command line."""
    from urllib.parse import quote

    return "chainsight-packages/" + quote(target.replace(":", "/", 1), safe="/@=") + "/" + path


# -- text --------------------------------------------------------------------------

_STATUS_STYLE = {
    TargetStatus.OK: "green",
    TargetStatus.PARTIAL: "yellow",
    TargetStatus.ERROR: "red",
}
_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def write_table(
    results: Sequence[TargetResult],
    out: IO[str],
    *,
    reused: int = 0,
    color: bool | None = None,
    width: int | None = None,
) -> None:
    """The summary table: package, verdict, worst finding, short reason; then the counts."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(
        file=out,
        force_terminal=color,
        no_color=color is False,
        width=width or (None if color else 120),
        highlight=False,
    )
    table = Table(title="Dependency audit", title_justify="left")
    table.add_column("package", overflow="fold")
    table.add_column("verdict")
    table.add_column("worst finding")
    table.add_column("reason", overflow="fold", ratio=1)
    for r in results:
        worst = Text("-")
        if r.worst is not None:
            worst = Text(f"{r.worst.severity.value} {r.worst.rule_id}")
            worst.stylize(_SEVERITY_STYLE[r.worst.severity])
        reason = r.reason if len(r.reason) <= 160 else r.reason[:159] + "…"
        table.add_row(r.target, Text(r.status.value, _STATUS_STYLE[r.status]), worst, reason)
    console.print(table)
    s = summary_dict(results)
    counts = ", ".join(f"{n} {sev}" for sev, n in s["findings_by_severity"].items() if n)
    console.print(
        f"{s['targets']} targets: {s['ok']} ok, {s['partial']} partial, {s['error']} error"
        + (f"; findings: {counts}" if counts else "; no findings")
        + (f"; {reused} reused from an earlier run" if reused else "")
    )
