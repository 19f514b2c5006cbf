"""Result types of ``chainsight history`` (frozen; see docs/rules.md for the JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field

from chainsight.model import Finding, Related, Severity


@dataclass(frozen=True)
class ScoreComponent:
    name: str
    value: float
    reason: str


@dataclass(frozen=True)
class PersonReport:
    id: str
    name: str
    names: tuple[str, ...]
    emails: tuple[str, ...]
    first_seen: int
    last_seen: int
    authored: int
    """Commits authored (copies of the same commit on several branches counted once)."""
    committed: int
    """Commits committed, own or others'."""
    applied_for_others: int
    """Commits committed whose author is someone else (merge rights)."""
    release_tags: int
    keys: tuple[str, ...]
    """Keys that signed this person's release tags or commits."""
    bot: bool
    forge: bool
    escalation_score: float
    components: tuple[ScoreComponent, ...]


@dataclass(frozen=True)
class Event:
    kind: str
    """Detector that produced it, e.g. ``release-signer-change`` (docs/rules.md)."""
    time: int
    severity: Severity
    who: str | None
    """Identity id."""
    message: str
    refs: tuple[str, ...] = ()
    """Commit ids, ``tag:NAME`` and paths that show it."""
    weight: float = 0.0
    """What it adds to the person's escalation score (0 for context events)."""


@dataclass(frozen=True)
class QuarterRoles:
    quarter: str
    commits: int
    authors: tuple[tuple[str, float], ...]
    """(identity, share of the quarter's authored commits), largest first."""
    committers: tuple[tuple[str, int], ...]
    """(identity, commits committed), largest first."""
    applied_for_others: tuple[tuple[str, int], ...]
    taggers: tuple[tuple[str, int], ...]
    """(identity, release tags created)."""
    tag_keys: tuple[tuple[str, str], ...]
    """(signing key or ``unsigned``, identity) of the quarter's release tags."""
    commit_keys: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class FundingLink:
    source: str
    """The file it was read from."""
    label: str
    url: str


@dataclass(frozen=True)
class Metrics:
    commits: int
    authors: int
    releases: int
    first_commit: int | None
    last_commit: int | None
    truck_factor: int
    truck_factor_people: tuple[str, ...]
    truck_factor_files: int
    contributor_absence_factor: int
    commits_last_year: int
    authors_last_year: int
    releases_last_year: int
    last_release: int | None
    single_maintainer: bool
    single_maintainer_reason: str
    funding: tuple[FundingLink, ...]
    contacts: tuple[str, ...]
    """Bug-report addresses and homepages found at the analysed commit."""


@dataclass(frozen=True)
class HistoryReport:
    repository: str
    head: str | None
    since: int | None
    until: int | None
    people: tuple[PersonReport, ...]
    events: tuple[Event, ...]
    roles: tuple[QuarterRoles, ...]
    metrics: Metrics
    findings: tuple[Finding, ...]
    partial: bool = False
    errors: tuple[str, ...] = field(default_factory=tuple)

    def has_finding_at_or_above(self, threshold: Severity) -> bool:
        return any(f.severity.rank >= threshold.rank for f in self.findings)


def related_of(ref: str) -> Related | None:
    """An event ref as a finding's related item: ``tag:NAME``, a commit id, a path."""
    if ref.startswith("tag:"):
        return Related(ref[4:], "release-tag")
    if len(ref) in (40, 64) and all(ch in "0123456789abcdef" for ch in ref):
        return Related(ref, "commit")
    if "/" in ref or "." in ref:
        return Related(ref, "path")
    return None  # a quarter, e.g. 2023Q1
