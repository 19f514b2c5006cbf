"""What the batch keeps per target: a small summary, never the full report.

Full reports are written to the :class:`~chainsight.batch.store.ResultStore`
as soon as an audit finishes and read back one at a time when the aggregated
output is written, so memory stays flat in the number of targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chainsight.depsets.interface import Origin
from chainsight.model import AuditReport, Severity, count_by_severity
from chainsight.registry.target import PackageTarget


class TargetStatus(StrEnum):
    OK = "ok"
    """Audited completely."""
    PARTIAL = "partial"
    """Audited, but some checks could not run (the report says why)."""
    ERROR = "error"
    """Not audited: the one-line error says why."""


@dataclass(frozen=True)
class BatchItem:
    """One line of the batch: a target to audit, or an entry that cannot be audited."""

    label: str
    """The target as shown (``pypi:NAME==VERSION``) or the entry as the file wrote it."""
    target: PackageTarget | None
    origin: Origin | None = None
    problem: str | None = None
    """For entries that cannot be audited: the reason."""


@dataclass(frozen=True)
class WorstFinding:
    severity: Severity
    rule_id: str
    path: str
    title: str


@dataclass(frozen=True)
class TargetResult:
    target: str
    status: TargetStatus
    worst: WorstFinding | None = None
    error: str | None = None
    """One line; set when status is error."""
    reason: str = ""
    """Short text for the summary table: the error, why partial, or the worst finding."""
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    report_key: str | None = None
    """Key of the full report in the result store (None for errors)."""
    origin: Origin | None = None
    reused: bool = False
    """True when the result comes from a previous run's store."""

    @property
    def worst_severity(self) -> Severity | None:
        return self.worst.severity if self.worst else None

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "status": self.status.value,
            "worst": None
            if self.worst is None
            else {
                "severity": self.worst.severity.value,
                "rule_id": self.worst.rule_id,
                "path": self.worst.path,
                "title": self.worst.title,
            },
            "error": self.error,
            "reason": self.reason,
            "findings_by_severity": self.findings_by_severity,
        }

    @classmethod
    def from_json(
        cls, doc: dict[str, Any], *, report_key: str, origin: Origin | None
    ) -> TargetResult:
        worst = doc.get("worst")
        return cls(
            target=str(doc["target"]),
            status=TargetStatus(doc["status"]),
            worst=None
            if worst is None
            else WorstFinding(
                Severity(worst["severity"]), worst["rule_id"], worst["path"], worst["title"]
            ),
            error=doc.get("error"),
            reason=str(doc.get("reason", "")),
            findings_by_severity={str(k): int(v) for k, v in doc["findings_by_severity"].items()},
            report_key=report_key,
            origin=origin,
            reused=True,
        )


def result_of(item: BatchItem, report: AuditReport, report_key: str) -> TargetResult:
    worst = None
    if report.findings:
        f = max(report.findings, key=lambda f: f.severity.rank)
        worst = WorstFinding(f.severity, f.rule_id, f.path, f.title)
    if report.partial:
        status = TargetStatus.PARTIAL
        reason = report.errors[0] if report.errors else "some checks could not run"
    else:
        status = TargetStatus.OK
        reason = f"{worst.title} ({worst.path})" if worst else "no findings"
    return TargetResult(
        target=item.label,
        status=status,
        worst=worst,
        reason=_one_line(reason),
        findings_by_severity=count_by_severity(report.findings),
        report_key=report_key,
        origin=item.origin,
    )


def error_result(item: BatchItem, error: str) -> TargetResult:
    line = _one_line(error)
    return TargetResult(
        target=item.label,
        status=TargetStatus.ERROR,
        error=line,
        reason=line,
        findings_by_severity=count_by_severity(()),
        origin=item.origin,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())
