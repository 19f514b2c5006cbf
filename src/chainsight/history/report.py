"""Render a HistoryReport: JSON (``chainsight.history/1``), a rich timeline, a PNG chart."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import IO, Any

from chainsight.errors import ChainsightError, UsageError
from chainsight.formats.jsonfmt import finding_dict
from chainsight.formats.text import _STYLE
from chainsight.history.model import HistoryReport
from chainsight.history.thresholds import SCORE_MEDIUM
from chainsight.model import Severity, count_by_severity

SCHEMA = "chainsight.history/1"


def iso(ts: int | None) -> str | None:
    return None if ts is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def day(ts: int | None) -> str:
    return "-" if ts is None else time.strftime("%Y-%m-%d", time.gmtime(ts))


def report_dict(report: HistoryReport) -> dict[str, Any]:
    m = report.metrics
    return {
        "schema": SCHEMA,
        "repository": report.repository,
        "head": report.head,
        "since": iso(report.since),
        "until": iso(report.until),
        "identities": [
            {
                "id": p.id,
                "name": p.name,
                "names": list(p.names),
                "emails": list(p.emails),
                "first_seen": iso(p.first_seen),
                "last_seen": iso(p.last_seen),
                "authored": p.authored,
                "committed": p.committed,
                "applied_for_others": p.applied_for_others,
                "release_tags": p.release_tags,
                "keys": list(p.keys),
                "bot": p.bot,
                "forge": p.forge,
                "escalation_score": p.escalation_score,
                "components": [
                    {"name": c.name, "value": c.value, "reason": c.reason} for c in p.components
                ],
            }
            for p in report.people
        ],
        "events": [
            {
                "kind": e.kind,
                "date": iso(e.time),
                "severity": e.severity.value,
                "who": e.who,
                "message": e.message,
                "refs": list(e.refs),
                "weight": e.weight,
            }
            for e in report.events
        ],
        "roles": [
            {
                "quarter": q.quarter,
                "commits": q.commits,
                "authors": [{"id": k, "share": v} for k, v in q.authors],
                "committers": [{"id": k, "commits": v} for k, v in q.committers],
                "applied_for_others": [{"id": k, "commits": v} for k, v in q.applied_for_others],
                "taggers": [{"id": k, "tags": v} for k, v in q.taggers],
                "tag_keys": [{"key": k, "id": v} for k, v in q.tag_keys],
                "commit_keys": [{"key": k, "commits": v} for k, v in q.commit_keys],
            }
            for q in report.roles
        ],
        "metrics": {
            "commits": m.commits,
            "authors": m.authors,
            "releases": m.releases,
            "first_commit": iso(m.first_commit),
            "last_commit": iso(m.last_commit),
            "truck_factor": m.truck_factor,
            "truck_factor_people": list(m.truck_factor_people),
            "truck_factor_files": m.truck_factor_files,
            "contributor_absence_factor": m.contributor_absence_factor,
            "commits_last_year": m.commits_last_year,
            "authors_last_year": m.authors_last_year,
            "releases_last_year": m.releases_last_year,
            "last_release": iso(m.last_release),
            "single_maintainer": m.single_maintainer,
            "single_maintainer_reason": m.single_maintainer_reason,
            "funding": [{"source": f.source, "label": f.label, "url": f.url} for f in m.funding],
            "contacts": list(m.contacts),
        },
        "findings": [finding_dict(f) for f in report.findings],
        "summary": {"findings_by_severity": count_by_severity(report.findings)},
        "partial": report.partial,
        "errors": list(report.errors),
    }


def render_json(report: HistoryReport) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


def render_text(
    report: HistoryReport,
    out: IO[str],
    *,
    verbose: bool = False,
    color: bool | None = None,
    width: int | None = None,
) -> None:
    """A summary, the findings, the timeline of events and who held which role."""
    from rich.console import Console
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    console = Console(
        file=out,
        force_terminal=color,
        no_color=color is False,
        width=width or (None if color else 110),
        highlight=False,
    )
    m = report.metrics
    names = {p.id: p.name for p in report.people}
    window = ""
    if report.until is not None:
        window = f" as of {day(report.until)}"
    if report.since is not None:
        window += f", events from {day(report.since)}"
    console.print(
        Text.assemble(
            ("Repository ", "bold"),
            report.repository,
            window,
            f" (HEAD {report.head[:12]})" if report.head else "",
        )
    )
    console.print(
        f"{m.commits} commits by {m.authors} people, {m.releases} releases, "
        f"{day(m.first_commit)} – {day(m.last_commit)}; last year: {m.commits_last_year} "
        f"commits by {m.authors_last_year} people, {m.releases_last_year} releases"
    )
    tf_people = ", ".join(m.truck_factor_people)
    console.print(
        f"Truck factor {m.truck_factor} ({tf_people or 'nobody'}; {m.truck_factor_files} files), "
        f"contributor absence factor {m.contributor_absence_factor}; "
        + ("[bold]single maintainer[/]: " if m.single_maintainer else "")
        + m.single_maintainer_reason
    )
    for reason in report.errors:
        console.print(Text(f"partial: {reason}", style="yellow"))
    if m.funding:
        console.print("Funding: " + ", ".join(f"{f.url} ({f.source})" for f in m.funding))
    else:
        console.print("Funding: no funding link found")

    if report.findings:
        console.print()
        console.print(Text("Findings", style="bold underline"))
        for f in report.findings:
            if f.severity is Severity.INFO and not verbose:
                continue
            console.print(
                Text.assemble(
                    (f"{f.severity.value.upper():8}", _STYLE[f.severity]),
                    (f.rule_id, "bold"),
                    "  ",
                    f.title,
                )
            )
            console.print(Padding(Text(f.message), (0, 0, 0, 9)))
            if f.rule_id == "history-trust-escalation":
                for e in f.evidence:
                    console.print(Padding(Text(f"• {e.text}"), (0, 0, 0, 11)))
    else:
        console.print("\nNo findings at medium or above.")

    # by default: what is medium or above, and the whole chain of anyone with a
    # noticeable escalation score; --verbose shows every event
    chains = {p.id for p in report.people if p.escalation_score >= SCORE_MEDIUM}
    shown = [
        e
        for e in report.events
        if verbose or e.severity.rank >= Severity.MEDIUM.rank or (e.who in chains and e.weight != 0)
    ]
    if shown:
        console.print()
        hidden = len(report.events) - len(shown)
        console.print(Text("Timeline", style="bold underline"))
        if hidden:
            console.print(Text(f"({hidden} low and info events not shown: --verbose)", style="dim"))
        table = Table(show_header=True, box=None, pad_edge=False)
        table.add_column("date", no_wrap=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("who", no_wrap=True)
        table.add_column("event")
        for ev in shown:
            table.add_row(
                day(ev.time),
                Text(ev.severity.value, style=_STYLE[ev.severity]),
                names.get(ev.who or "", ev.who or "-"),
                f"[{ev.kind}] {ev.message}",
            )
        console.print(table)

    console.print()
    console.print(Text("Role holders by quarter", style="bold underline"))
    table = Table(show_header=True, box=None, pad_edge=False)
    for col in ("quarter", "commits", "top authors", "committers", "release taggers (key)"):
        table.add_column(col)
    rows = report.roles if verbose else _changes_only(report)
    for q in rows:
        table.add_row(
            q.quarter,
            str(q.commits),
            ", ".join(f"{names.get(k, k)} {v:.0%}" for k, v in q.authors[:3]),
            ", ".join(f"{names.get(k, k)} {v}" for k, v in q.committers[:3]),
            ", ".join(f"{names.get(w, w)} ({_short_key(k)})" for k, w in q.tag_keys),
        )
    console.print(table)
    scored = [p for p in report.people if p.escalation_score > 0]
    if scored:
        console.print()
        console.print(Text("Escalation scores", style="bold underline"))
        for p in scored[: 10 if not verbose else None]:
            console.print(
                f"{p.escalation_score:.2f}  {p.name} (first seen {day(p.first_seen)}): "
                + ", ".join(f"{c.name} {c.value:+.2f}" for c in p.components)
            )


def _short_key(key: str) -> str:
    return key if key == "unsigned" or len(key) <= 16 else key[-16:]


def _changes_only(report: HistoryReport) -> list[Any]:
    """Quarters where the top author, the main committer or the tagger set changed."""
    out = []
    prev: tuple[Any, ...] | None = None
    for q in report.roles:
        sig = (
            q.authors[0][0] if q.authors else None,
            q.committers[0][0] if q.committers else None,
            tuple(sorted(set(q.tag_keys))) or None,
        )
        if (
            prev is None
            or sig[0] != prev[0]
            or sig[1] != prev[1]
            or (sig[2] is not None and sig[2] != prev[2])
        ):
            out.append(q)
        prev = (sig[0], sig[1], sig[2] if sig[2] is not None else (prev[2] if prev else None))
    return out


def render_chart(report: HistoryReport, path: Path, top: int = 6) -> None:
    """PNG: each quarter's share of authored commits for the top people, release
    taggers marked (needs the optional ``chainsight[charts]`` extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--chart needs matplotlib: pip install 'chainsight[charts]'") from None
    names = {p.id: p.name for p in report.people}
    quarters = [q.quarter for q in report.roles]
    totals: dict[str, float] = {}
    for q in report.roles:
        for k, v in q.authors:
            totals[k] = totals.get(k, 0.0) + v * q.commits
    leaders = [k for k, _ in sorted(totals.items(), key=lambda kv: -kv[1])[:top]]
    series = {k: [dict(q.authors).get(k, 0.0) for q in report.roles] for k in leaders}
    others = [max(0.0, 1 - sum(series[k][i] for k in leaders)) for i in range(len(quarters))]
    fig, (ax, ax2) = plt.subplots(
        2,
        1,
        figsize=(max(8, len(quarters) * 0.12), 6),
        sharex=True,
        gridspec_kw={"height_ratios": [3, 1]},
    )
    xs = list(range(len(quarters)))
    ax.stackplot(
        xs,
        *[series[k] for k in leaders],
        others,
        labels=[names.get(k, k) for k in leaders] + ["others"],
    )
    ax.set_ylabel("share of authored commits")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize="small")
    ax.set_title(f"Who holds the roles: {report.repository}")
    taggers = sorted({w for q in report.roles for _, w in q.tag_keys})
    for i, q in enumerate(report.roles):
        for key, who in q.tag_keys:
            ax2.scatter(
                i,
                taggers.index(who),
                marker="o" if key != "unsigned" else "x",
                color=f"C{leaders.index(who) if who in leaders else len(leaders)}",
            )
    ax2.set_yticks(range(len(taggers)), [names.get(t, t) for t in taggers], fontsize="small")
    ax2.set_ylabel("release tagger")
    step = max(1, len(quarters) // 16)
    ax2.set_xticks(xs[::step], quarters[::step], rotation=45, fontsize="small")
    for e in report.events:
        if e.severity.rank >= Severity.HIGH.rank:
            from chainsight.history.context import quarter_of

            at = quarter_of(e.time)
            if at in quarters:
                ax.axvline(quarters.index(at), color="red", linewidth=0.8, alpha=0.6)
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=110)
    except OSError as exc:
        raise ChainsightError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
