"""Human-readable report: a summary by category, then findings with evidence."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import IO, Any

from chainsight.model import AuditReport, Finding, Severity

_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
GROUP_THRESHOLD = 3
"""Findings of one rule at low or info severity beyond this many are listed compactly."""


def render(
    report: AuditReport,
    out: IO[str],
    *,
    verbose: bool = False,
    color: bool | None = None,
    width: int | None = None,
) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(
        file=out,
        force_terminal=color,
        no_color=color is False,
        width=width or (None if color else 100),
        highlight=False,
    )
    s = report.summary
    if report.package is not None:
        _print_package(console, report)
    if report.source is not None:
        console.print(
            Text.assemble(
                ("Artifact ", "bold"),
                f"{report.artifact.path} ({report.artifact.kind})\n",
                ("Source   ", "bold"),
                f"{report.source.repo} @ {report.source.ref} "
                f"({report.source.commit[:12]})"
                + (f" subdir {report.source.subdir}/" if report.source.subdir else ""),
            )
        )
        console.print(
            f"{s.files_artifact} files in the artifact, {s.files_source} at the tag: "
            f"{s.identical} identical, {s.artifact_only} only in the artifact, "
            f"{s.source_only} only in the source, {s.modified} modified"
        )
    elif report.package is None:
        console.print(
            Text.assemble(("Artifact ", "bold"), f"{report.artifact.path} ({report.artifact.kind})")
        )
    if report.files:
        table = Table(title="Differences by explanation", title_justify="left")
        table.add_column("category")
        table.add_column("files", justify="right")
        table.add_column("verified", justify="right")
        table.add_column("by name only", justify="right")
        table.add_column("build-time", justify="right")
        rows: dict[str, Counter[str]] = defaultdict(Counter)
        for r in report.files:
            c = rows[r.category.value]
            c["files"] += 1
            c["verified"] += r.verified
            c["plausible"] += not r.verified
            c["build"] += r.build_time
        order = sorted(rows, key=lambda k: (k == "unexplained", -rows[k]["files"]))
        for cat in order:
            c = rows[cat]
            style = "bold red" if cat == "unexplained" else ""
            table.add_row(
                cat,
                str(c["files"]),
                str(c["verified"]),
                str(c["plausible"]),
                str(c["build"]),
                style=style,
            )
        console.print(table)
    if report.partial:
        console.print("[bold yellow]Partial result:[/] " + "; ".join(report.errors))
    if not report.findings:
        console.print("[green]No findings.[/]")
        return
    counts = ", ".join(f"{n} {sev}" for sev, n in reversed(s.findings_by_severity.items()) if n)
    console.print(f"\n[bold]Findings[/] ({counts})")
    by_rule: dict[tuple[str, Severity], list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_rule[(f.rule_id, f.severity)].append(f)
    compact: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        group = by_rule[(f.rule_id, f.severity)]
        if not verbose and f.severity.rank <= Severity.LOW.rank and len(group) > GROUP_THRESHOLD:
            compact[f"[{f.severity.value}] {f.rule_id}: {f.title}"].append(f)
            continue
        _print_finding(console, f)
    # build-time files first: that is where the xz loader hid
    for title in sorted(compact, key=lambda t: ("build-time" not in t, t)):
        group = compact[title]
        shown = 40 if "build-time" in title else 8
        paths = ", ".join(g.path for g in group[:shown])
        more = f" and {len(group) - shown} more" if len(group) > shown else ""
        severity = group[0].severity
        console.print(
            Text.assemble(
                (title.split(" ", 1)[0] + " ", _STYLE[severity]),
                (title.split(" ", 1)[1], "bold"),
                f" × {len(group)}",
            )
        )
        console.print(f"    {paths}{more}", markup=False, highlight=False)
    if compact:
        console.print("    (--verbose lists each with its evidence)", style="dim")


def _print_package(console: Any, report: AuditReport) -> None:
    from rich.text import Text

    p = report.package
    assert p is not None
    console.print(Text.assemble(("Package  ", "bold"), p.target))
    for f in p.files:
        console.print(f"  {f.role:<8} {f.filename}  sha256 {f.sha256[:16]}…", markup=False)
    d = p.source
    if report.source is not None:
        how = {"given": "--source", "found": "from the metadata"}.get(d.status, d.status)
        ref_from = f", ref from {d.ref_from}" if d.ref_from else ""
        console.print(
            Text.assemble(("Source   ", "bold"), f"{d.repo} ({how}{ref_from})"), markup=False
        )
    else:
        console.print(
            Text.assemble(("Source   ", "bold"), ("none", "yellow"), f": {d.reason or d.status}")
        )
    for a in d.attempts:
        if a.outcome != "used":
            console.print(f"  tried {a.url}: {a.outcome}", markup=False, style="dim")
    for note in p.notes:
        console.print(f"  note: {note}", markup=False, style="dim")


def _print_finding(console: Any, f: Finding) -> None:
    from rich.text import Text

    console.print(
        Text.assemble(
            (f"[{f.severity.value}] ", _STYLE[f.severity]),
            (f.rule_id, "bold"),
            "  ",
            (f.path, "underline"),
        )
    )
    console.print(f"    {f.title}. {f.message}", highlight=False, markup=False)
    for e in f.evidence:
        prefix = f"{e.line:>6} | " if e.line else "       | "
        console.print("    " + prefix + e.text, markup=False, highlight=False, style="dim")
    for rel in f.related:
        console.print(f"    related: {rel.path} ({rel.role})", markup=False, style="dim")
