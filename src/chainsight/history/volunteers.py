""" "The volunteers you depend on": history metrics over a set of repositories.

The list file names one repository a line, ``PATH_OR_URL [DEPENDENTS] [NAME]``:
``DEPENDENTS`` is how many packages depend on it (from a registry's reverse
dependencies, or the registries issue's discovered sources); it ranks the
list. Each repository gets the metrics of ``chainsight history`` (no detectors).
A project *rests on one volunteer* when the single-maintainer rule holds, or its
truck factor and contributor absence factor are both 1.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from chainsight.errors import ChainsightError, UsageError
from chainsight.history import metrics
from chainsight.history.context import build_context
from chainsight.history.model import FundingLink
from chainsight.history.reader import HistorySource

SCHEMA = "chainsight.volunteers/1"


@dataclass(frozen=True)
class ListEntry:
    location: str
    """The repository as the user knows it (a path or URL)."""
    dependents: int | None
    name: str
    local: str | None = None
    """Where it was opened, when that differs (a cached clone)."""
    error: str | None = None
    """Why no repository could be surveyed (set when the entry comes from a package)."""


@dataclass(frozen=True)
class ProjectSupport:
    entry: ListEntry
    one_volunteer: bool
    reason: str
    maintainer: str | None
    """Name <email> of the person who made most commits in the last two years."""
    truck_factor: int
    contributor_absence_factor: int
    last_commit: int | None
    last_release: int | None
    funding: tuple[FundingLink, ...]
    contacts: tuple[str, ...]
    error: str | None = None


def read_list(path: Path) -> list[ListEntry]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    entries = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#"):
            continue
        line = line.split(" #", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        dependents = None
        name = parts[0].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
        rest = parts[1:]
        if rest and rest[0].isdigit():
            dependents = int(rest[0])
            rest = rest[1:]
        elif rest and rest[0].lstrip("-").isdigit():
            raise UsageError(f"{path}:{n}: DEPENDENTS must be a count, not {rest[0]}")
        if rest:
            name = " ".join(rest)
        entries.append(ListEntry(parts[0], dependents, name))
    if not entries:
        raise UsageError(f"{path} names no repository")
    return entries


def survey(entries: list[ListEntry], cache_dir: Path | None = None) -> list[ProjectSupport]:
    out = []
    for entry in entries:
        if entry.error is not None:
            out.append(
                ProjectSupport(entry, False, "", None, 0, 0, None, None, (), (), entry.error)
            )
            continue
        try:
            out.append(_one(entry, cache_dir))
        except ChainsightError as exc:
            out.append(ProjectSupport(entry, False, "", None, 0, 0, None, None, (), (), str(exc)))
    out.sort(
        key=lambda p: (
            p.error is not None,
            -(p.entry.dependents or 0),
            p.truck_factor,
            p.entry.name,
        )
    )
    return out


def _one(entry: ListEntry, cache_dir: Path | None) -> ProjectSupport:
    source = HistorySource(entry.local or entry.location, cache_dir)
    ctx = build_context(source.read(), source, None, None)
    m = metrics.compute(ctx)
    one = m.single_maintainer or (m.truck_factor <= 1 and m.contributor_absence_factor <= 1)
    reason = m.single_maintainer_reason
    if one and not m.single_maintainer:
        reason = (
            f"truck factor {m.truck_factor} ({', '.join(m.truck_factor_people) or 'nobody'}) "
            f"and contributor absence factor {m.contributor_absence_factor}"
        )
    recent = Counter(
        a.id
        for c, a in zip(ctx.data.commits, ctx.authors, strict=True)
        if a.person and not c.duplicate and c.author_time > ctx.now - 2 * 365 * 86400
    )
    maintainer = None
    if recent:
        ident = ctx.people.by_id[recent.most_common(1)[0][0]]
        email = sorted(ident.emails)[0] if ident.emails else ""
        maintainer = f"{ident.name} <{email}>" if email else ident.name
    return ProjectSupport(
        entry,
        one,
        reason,
        maintainer,
        m.truck_factor,
        m.contributor_absence_factor,
        m.last_commit,
        m.last_release,
        m.funding,
        m.contacts,
    )


def _day(ts: int | None) -> str | None:
    return None if ts is None else time.strftime("%Y-%m-%d", time.gmtime(ts))


def report_dict(results: list[ProjectSupport]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "projects": [
            {
                "name": p.entry.name,
                "repository": p.entry.location,
                "dependents": p.entry.dependents,
                "one_volunteer": p.one_volunteer,
                "unfunded": not p.funding,
                "reason": p.reason,
                "maintainer": p.maintainer,
                "truck_factor": p.truck_factor,
                "contributor_absence_factor": p.contributor_absence_factor,
                "last_commit": _day(p.last_commit),
                "last_release": _day(p.last_release),
                "funding": [
                    {"source": f.source, "label": f.label, "url": f.url} for f in p.funding
                ],
                "contacts": list(p.contacts),
                "error": p.error,
            }
            for p in results
        ],
    }


def render_json(results: list[ProjectSupport]) -> str:
    return json.dumps(report_dict(results), indent=2, ensure_ascii=False) + "\n"


def render_text(results: list[ProjectSupport], out: IO[str], color: bool | None = None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(
        file=out,
        force_terminal=color,
        no_color=color is False,
        width=None if color else 110,
        highlight=False,
    )
    groups = [
        (
            "One volunteer, no funding link — the volunteers you depend on",
            [p for p in results if p.error is None and p.one_volunteer and not p.funding],
        ),
        (
            "One volunteer, with a funding link",
            [p for p in results if p.error is None and p.one_volunteer and p.funding],
        ),
        ("Shared maintainership", [p for p in results if p.error is None and not p.one_volunteer]),
    ]
    for title, rows in groups:
        if not rows:
            continue
        console.print(Text(title, style="bold underline"))
        table = Table(box=None, pad_edge=False)
        for col in ("project", "dependents", "maintainer", "why"):
            table.add_column(col)
        table.add_column("support / contact", overflow="fold")
        for p in rows:
            contacts = dict.fromkeys(c.split(": ", 1)[-1] for c in p.contacts)
            where = (
                ", ".join(f.url for f in p.funding)
                or ", ".join(list(contacts)[:3])
                or (p.maintainer or "-")
            )
            table.add_row(
                p.entry.name,
                "-" if p.entry.dependents is None else str(p.entry.dependents),
                p.maintainer or "-",
                p.reason,
                where,
            )
        console.print(table)
        console.print()
    failed = [p for p in results if p.error is not None]
    for p in failed:
        console.print(f"[red]could not read[/] {p.entry.location}: {p.error}")
