"""Trust escalation: the events of one person tied into a score and a finding.

A person's escalation score is the sum, over event kinds, of the largest weight
an event of that kind gave them (so a hundred small events of one kind count
once), clipped to 0..1. Each kind becomes a named score component.

A ``history-trust-escalation`` finding is raised for a person with at least
two kinds of events, a score of at least SCORE_MEDIUM and at least one act on
what users receive done as a newcomer (weight ACT_MIN_WEIGHT or more: a release
signer change, a contact rewrite, opaque binaries they committed, a changed
sandboxing/hardening check, removed fuzzing) — roles gained alone are how
healthy projects grow. High when the score reaches SCORE_HIGH and one of the person's events is
high on its own (a groomed newcomer took over release signing, or committed
opaque binaries alone before a release), medium otherwise.
"""

from __future__ import annotations

from collections import defaultdict

from chainsight.history.context import HistoryContext
from chainsight.history.detectors._util import day
from chainsight.history.model import Event, ScoreComponent, related_of
from chainsight.history.thresholds import SCORE_HIGH, SCORE_MEDIUM
from chainsight.model import Evidence, Finding, Severity

_COMPONENT_NAME = {
    "first-contribution": "newcomer",
    "role-gained": "role gained",
    "rapid-rise": "rapid rise",
    "release-signer-change": "release signer change",
    "signing-dropped": "release signing dropped",
    "committer-handover": "committer handover",
    "handover-announced": "handover announced",
    "handover-unannounced": "handover not announced",
    "contact-rewrite": "contact rewrite",
    "opaque-binary-before-release": "opaque binaries before a release",
    "feature-check-changed": "feature check changed",
    "fuzzing-removed": "fuzzing removed",
    "dormant-then-burst": "dormant then burst",
}


_ACTS = {
    _COMPONENT_NAME[k]
    for k in (
        "release-signer-change",
        "signing-dropped",
        "contact-rewrite",
        "opaque-binary-before-release",
        "feature-check-changed",
        "fuzzing-removed",
    )
}
"""Components that are acts on what users receive (releases, contacts, build), as
opposed to roles gained."""
ACT_MIN_WEIGHT = 0.1
"""An act weighs at least this much only when a newcomer did it."""


def components(events: list[Event]) -> dict[str, tuple[ScoreComponent, ...]]:
    """Person id -> score components (largest weight per event kind)."""
    best: dict[str, dict[str, Event]] = defaultdict(dict)
    for e in events:
        if e.who is None or e.weight == 0:
            continue
        key = _component_key(e)
        cur = best[e.who].get(key)
        if cur is None or abs(e.weight) > abs(cur.weight):
            best[e.who][key] = e
    out: dict[str, tuple[ScoreComponent, ...]] = {}
    for who, by_kind in best.items():
        out[who] = tuple(
            ScoreComponent(_label(k), round(e.weight, 3), f"{day(e.time)}: {e.message}")
            for k, e in sorted(by_kind.items(), key=lambda kv: kv[1].time)
        )
    return out


def _component_key(e: Event) -> str:
    if e.kind == "role-gained":
        # one component per role: committer, release tagger, top author
        for role in ("committer", "tags releases", "top author"):
            if role in e.message:
                return f"role-gained:{role}"
    return e.kind


def _label(key: str) -> str:
    kind, _, role = key.partition(":")
    name = _COMPONENT_NAME.get(kind, kind)
    return f"{name}: {role}" if role else name


def score(parts: tuple[ScoreComponent, ...]) -> float:
    return round(min(1.0, max(0.0, sum(c.value for c in parts))), 3)


def findings(
    ctx: HistoryContext, events: list[Event], parts: dict[str, tuple[ScoreComponent, ...]]
) -> list[Finding]:
    out: list[Finding] = []
    for who, comps in parts.items():
        s = score(comps)
        kinds = {c.name.split(":")[0] for c in comps if c.value > 0}
        acts = [c for c in comps if c.name in _ACTS and c.value >= ACT_MIN_WEIGHT]
        if s < SCORE_MEDIUM or len(kinds) < 2 or not acts:
            continue
        p = ctx.profile(who)
        mine = [e for e in events if e.who == who and e.weight != 0]
        decisive = any(e.severity is Severity.HIGH for e in mine)
        severity = Severity.HIGH if s >= SCORE_HIGH and decisive else Severity.MEDIUM
        evidence = tuple(Evidence(None, f"{day(e.time)} [{e.kind}] {e.message}") for e in mine)
        related = [
            rel
            for e in mine
            for rel in map(related_of, e.refs)
            if rel is not None and rel.role != "path"
        ]
        out.append(
            Finding(
                "history-trust-escalation",
                severity,
                "",
                f"Trust escalation: {p.ident.name} (score {s:.2f})",
                f"{p.ident.name} <{', '.join(sorted(p.ident.emails))}>, first seen "
                f"{day(p.first_seen)}, took roles step by step: "
                + ", ".join(sorted(kinds))
                + ". Review what they released and changed before trusting new releases.",
                evidence,
                tuple(dict.fromkeys(related)),
            )
        )
    out.sort(key=lambda f: (-f.severity.rank, f.title))
    return out
