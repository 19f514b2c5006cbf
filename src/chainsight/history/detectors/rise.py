"""A newcomer's rise: first commit -> top author, committer, release tagger.

``role-gained`` records each role a person takes after the project's first
months (the founders' roles are not gains); ``first-contribution`` marks where
a newcomer who gained a role started; ``rapid-rise`` fires when a newcomer who
first had an outsider phase (patches applied by others: ``Profile.groomed``)
reaches a role within RAPID_RISE_WINDOW of the first commit. Someone given
rights with their first commits was appointed, not risen: their role gains are
recorded, not flagged.
"""

from __future__ import annotations

from chainsight.history.context import HistoryContext
from chainsight.history.detectors._util import day, months, short
from chainsight.history.model import Event
from chainsight.history.thresholds import RAPID_RISE_WINDOW
from chainsight.model import Severity

_ROLE_WEIGHT = {
    # (role, newcomer?) -> escalation weight
    ("committer", True): 0.15,
    ("committer", False): 0.05,
    ("top author", True): 0.1,
    ("top author", False): 0.0,
    ("release tagger", True): 0.0,  # weighed by release-signer-change
    ("release tagger", False): 0.0,
}


def detect(ctx: HistoryContext) -> list[Event]:
    events: list[Event] = []
    for p in ctx.profiles.values():
        if not p.ident.person:
            continue
        gained = [
            (role, held)
            for role, held in (
                ("committer", p.committer_since),
                ("release tagger", p.tagger_since),
                ("top author", p.top_author_since),
            )
            if held is not None
        ]
        if not gained:
            continue
        fast: list[str] = []
        any_newcomer = False
        for role, (t, ref) in gained:
            newcomer = ctx.is_newcomer(p.ident, t)
            any_newcomer |= newcomer
            elapsed = t - p.first_seen
            label = short(ref) if role == "committer" else ref
            what = {
                "committer": f"commits as committer from {day(t)} ({label})",
                "release tagger": f"tags releases from {day(t)} ({ref})",
                "top author": f"top author of {ref}",
            }[role]
            events.append(
                Event(
                    "role-gained",
                    t,
                    Severity.LOW if newcomer else Severity.INFO,
                    p.ident.id,
                    f"{p.ident.name} {what}, {months(elapsed)} after the first "
                    f"contribution ({day(p.first_seen)})" + (" — a newcomer" if newcomer else ""),
                    (f"tag:{ref}" if role == "release tagger" else ref,),
                    _ROLE_WEIGHT[(role, newcomer)],
                )
            )
            if newcomer and elapsed <= RAPID_RISE_WINDOW and p.groomed:
                fast.append(f"{role} after {months(elapsed)}")
        if any_newcomer and p.first_commit:
            events.append(
                Event(
                    "first-contribution",
                    p.first_seen,
                    Severity.INFO,
                    p.ident.id,
                    f"first contribution by {p.ident.name} ({day(p.first_seen)}), "
                    "who later gained a role as a newcomer",
                    (p.first_commit,),
                    0.1,
                )
            )
        if fast:
            last = max(t for role, (t, _) in gained if any(f.startswith(role) for f in fast))
            events.append(
                Event(
                    "rapid-rise",
                    last,
                    Severity.MEDIUM if any(f.startswith("release") for f in fast) else Severity.LOW,
                    p.ident.id,
                    f"{p.ident.name}, first seen {day(p.first_seen)}, rose fast: "
                    + "; ".join(fast),
                    tuple(
                        f"tag:{ref}" if role == "release tagger" else ref
                        for role, (_, ref) in gained
                    ),
                    0.1,
                )
            )
    return events
