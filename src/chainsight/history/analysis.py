"""``chainsight history``: repository -> HistoryReport."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from pathlib import Path

from chainsight.errors import UsageError
from chainsight.history import metrics, roles
from chainsight.history.context import HistoryContext, build_context
from chainsight.history.detectors import escalation, run_all
from chainsight.history.model import Event, HistoryReport, PersonReport, related_of
from chainsight.history.reader import HistorySource
from chainsight.model import Evidence, Finding, Severity


@dataclass(frozen=True)
class HistoryRequest:
    repo: str
    since: str | None = None
    until: str | None = None
    cache_dir: Path | None = None


def parse_date(text: str, end_of_day: bool) -> int:
    """YYYY-MM-DD (UTC; the whole day when ``end_of_day``) or YYYY-MM-DDTHH:MM[:SS]."""
    m = re.fullmatch(
        r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?Z?", text.strip()
    )
    if not m:
        raise UsageError(f"cannot read the date {text!r}: use YYYY-MM-DD")
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        if m.group(4):
            return calendar.timegm(
                (y, mo, d, int(m.group(4)), int(m.group(5)), int(m.group(6) or 0), 0, 0, 0)
            )
        base = calendar.timegm((y, mo, d, 0, 0, 0, 0, 0, 0))
    except (ValueError, OverflowError):
        raise UsageError(f"cannot read the date {text!r}") from None
    return base + 86_399 if end_of_day else base


def analyse(request: HistoryRequest) -> HistoryReport:
    since = parse_date(request.since, False) if request.since else None
    until = parse_date(request.until, True) if request.until else None
    if since is not None and until is not None and since > until:
        raise UsageError("--since is after --until")
    source = HistorySource(request.repo, request.cache_dir)
    data = source.read(until)
    ctx = build_context(data, source, since, until)
    return report_from(ctx)


def report_from(ctx: HistoryContext) -> HistoryReport:
    events = [e for e in run_all(ctx) if ctx.in_window(e.time)]
    parts = escalation.components(events)
    findings = escalation.findings(ctx, events, parts) + _event_findings(ctx, events)
    findings.sort(key=lambda f: -f.severity.rank)
    people = []
    for p in ctx.profiles.values():
        if not (p.authored or p.committed or p.release_tags):
            continue
        comps = parts.get(p.ident.id, ())
        people.append(
            PersonReport(
                p.ident.id,
                p.ident.name,
                tuple(sorted(p.ident.names)),
                tuple(sorted(p.ident.emails)),
                p.first_seen,
                p.last_seen,
                p.authored,
                p.committed,
                p.applied_for_others,
                p.release_tags,
                tuple(sorted(p.keys)),
                p.ident.bot,
                p.ident.forge,
                escalation.score(comps),
                comps,
            )
        )
    people.sort(key=lambda x: (-x.escalation_score, -x.authored, x.id))
    return HistoryReport(
        ctx.data.display,
        ctx.data.head,
        ctx.since,
        ctx.until,
        tuple(people),
        tuple(events),
        roles.timeline(ctx),
        metrics.compute(ctx),
        tuple(findings),
        partial=bool(ctx.limits_reached),
        errors=tuple(ctx.limits_reached),
    )


_TITLES = {
    "release-signer-change": "Release signer changed",
    "signing-dropped": "Releases no longer signed",
    "rapid-rise": "A newcomer's rapid rise",
    "committer-handover": "Committer handover",
    "contact-rewrite": "Contact or distribution URL rewritten",
    "opaque-binary-before-release": "Opaque binary files shortly before a release",
    "feature-check-changed": "Security-relevant build check changed",
    "fuzzing-removed": "Fuzzing or sanitizer coverage removed",
    "dormant-then-burst": "Dormant maintainer, then a sudden burst",
}


def _event_findings(ctx: HistoryContext, events: list[Event]) -> list[Finding]:
    """Every event at medium or above is also a finding (rule ``history-<kind>``)."""
    out = []
    for e in events:
        if e.severity.rank < Severity.MEDIUM.rank:
            continue
        related = tuple(r for r in (related_of(ref) for ref in e.refs) if r is not None)
        paths = [r.path for r in related if r.role == "path"]
        out.append(
            Finding(
                f"history-{e.kind}",
                e.severity,
                paths[0] if paths else "",
                _TITLES.get(e.kind, e.kind),
                e.message,
                (Evidence(None, e.message),),
                related,
            )
        )
    return out
