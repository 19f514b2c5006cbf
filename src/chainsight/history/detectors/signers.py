"""Release-signer change: releases tagged by a new person or signed with a new key.

Keys come from the tag objects' signature packets (parsed, never verified).
The first release manager and key the project had are the baseline; every
later release tag whose tagger or key was never seen on an earlier release is
an event. Severity: high when the new tagger is a newcomer, medium for a new
tagger with a long history, low for a known tagger's new key (rotation).
Releases that stop being signed after signed ones are ``signing-dropped``.
"""

from __future__ import annotations

from chainsight.history.context import HistoryContext, Release
from chainsight.history.detectors._util import day, months
from chainsight.history.model import Event
from chainsight.model import Severity


def detect(ctx: HistoryContext) -> list[Event]:
    events: list[Event] = []
    taggers: set[str] = set()
    keys: set[str] = set()
    previous: list[Release] = []
    reported: set[tuple[str | None, str | None]] = set()
    for r in ctx.releases:
        who = r.tagger.id if r.tagger and r.tagger.person else None
        key = r.key
        new_tagger = who is not None and who not in taggers and bool(taggers)
        new_key = key is not None and key not in keys and bool(keys)
        if (new_tagger or new_key) and (who, key) not in reported:
            reported.add((who, key))
            events.append(_change_event(ctx, r, previous, new_tagger, new_key))
        signed_before = [p for p in previous[-3:] if p.signature is not None]
        if (
            r.signature is None
            and len(signed_before) == 3
            and r.tag.tag_object is not None
            and ("dropped", who) not in reported
        ):
            reported.add(("dropped", who))
            events.append(
                Event(
                    "signing-dropped",
                    r.time,
                    Severity.MEDIUM,
                    who,
                    f"release {r.tag.name} is not signed; the three releases before it were",
                    (f"tag:{r.tag.name}",),
                    0.05,
                )
            )
        if who is not None:
            taggers.add(who)
        if key is not None:
            keys.add(key)
        previous.append(r)
    return events


def _change_event(
    ctx: HistoryContext, r: Release, previous: list[Release], new_tagger: bool, new_key: bool
) -> Event:
    assert previous
    last = previous[-1]
    before = ctx.name(last.tagger.id if last.tagger else None)
    old_key = next((p.key_label for p in reversed(previous) if p.key), None)
    who = r.tagger.id if r.tagger else None
    newcomer = who is not None and ctx.is_newcomer(who, r.time)
    parts = []
    if new_tagger:
        parts.append(f"tagged by {ctx.name(who)} (releases before: {before})")
    if new_key:
        parts.append(f"signed with a new key {r.key_label} (before: {old_key or 'none'})")
    if newcomer and who is not None:
        first = ctx.profile(who).first_seen
        parts.append(f"{ctx.name(who)} first contributed {months(r.time - first)} earlier, "
                     f"on {day(first)}")
    if new_tagger:
        severity = Severity.HIGH if newcomer else Severity.MEDIUM
        weight = (0.25 if newcomer else 0.1) + ((0.1 if newcomer else 0.05) if new_key else 0)
    else:
        severity = Severity.MEDIUM if newcomer else Severity.LOW
        weight = 0.1 if newcomer else 0.02
    refs = [f"tag:{r.tag.name}"]
    if r.tag.tag_object:
        refs.append(r.tag.tag_object)
    return Event(
        "release-signer-change",
        r.time,
        severity,
        who,
        f"release {r.tag.name}: " + "; ".join(parts),
        tuple(refs),
        weight,
    )
