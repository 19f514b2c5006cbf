"""Release-signer change: releases tagged by a new person or signed with a new key.

Keys come from the tag objects' signature packets (parsed, never verified).
The release managers and keys of the project's first ESTABLISHED_AFTER are the
baseline; every later release tag whose tagger or key was never seen on an
earlier release is an event.

Severity of a new tagger: **high** for the xz pattern — a newcomer who rose from
outsider patches (``Profile.groomed``) to release tagger within
RAPID_RISE_WINDOW of their first contribution, took over from a *sole* release
manager (one person tagged every release of the two years before), and signs
with a key no earlier release used that the repository's documentation (README,
SECURITY, doc/... at the release) does not publish. Other newcomers are medium
(appointed maintainers, shared release rotations, published keys, unsigned
tags). A new tagger with a long history is medium when the sole release role
changes hands, low when releases were already shared. A known tagger's new key
is low (rotation; medium for a newcomer). Releases that stop being signed after
three signed ones are ``signing-dropped``: medium when the tagger is new or a
newcomer, low otherwise.
"""

from __future__ import annotations

import re

from chainsight.history.context import HistoryContext, Release
from chainsight.history.detectors._util import day, months
from chainsight.history.model import Event
from chainsight.history.thresholds import ESTABLISHED_AFTER, RAPID_RISE_WINDOW, YEAR
from chainsight.model import Severity


def detect(ctx: HistoryContext) -> list[Event]:
    events: list[Event] = []
    taggers: set[str] = set()
    keys: set[str] = set()
    previous: list[Release] = []
    reported: set[tuple[str | None, str | None]] = set()
    baseline_until = ctx.project_start + ESTABLISHED_AFTER
    for r in ctx.releases:
        who = r.tagger.id if r.tagger and r.tagger.person else None
        key = r.key
        new_tagger = who is not None and who not in taggers and bool(taggers)
        new_key = key is not None and key not in keys and bool(keys)
        if r.time < baseline_until:
            pass  # the founding years' release managers and keys are the baseline
        elif (new_tagger or new_key) and (who, key) not in reported:
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
            suspicious = who is None or who not in taggers or ctx.is_newcomer(who, r.time)
            events.append(
                Event(
                    "signing-dropped",
                    r.time,
                    Severity.MEDIUM if suspicious else Severity.LOW,
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
        parts.append(
            f"{ctx.name(who)} first contributed {months(r.time - first)} earlier, on {day(first)}"
        )
    recent_taggers = {
        p.tagger.id for p in previous if p.tagger is not None and p.time > r.time - 2 * YEAR
    }
    published = _published_in(ctx, r) if new_key else None
    if published:
        parts.append(f"the key is published in the repository ({published})")
    groomed = newcomer and who is not None and ctx.profile(who).groomed
    rapid = who is not None and r.time - ctx.profile(who).first_seen <= RAPID_RISE_WINDOW
    sole = len(recent_taggers) <= 1
    if new_tagger:
        parts.append(
            f"{ctx.name(next(iter(recent_taggers)))} was the sole release manager"
            if len(recent_taggers) == 1
            else "releases were shared"
            if recent_taggers
            else "no known release manager before"
        )
        if newcomer:
            # an appointed maintainer, a shared rotation, a key the repository
            # announces: a change to check, not the xz pattern
            high = groomed and rapid and new_key and not published and sole
            severity = Severity.HIGH if high else Severity.MEDIUM
        else:
            # the release role passes from one person, or joins a shared rotation
            severity = Severity.MEDIUM if sole else Severity.LOW
        # taking over a sole release role weighs more than joining a rotation
        taken = (0.25 if sole else 0.15) if newcomer else 0.05
        weight = taken + ((0.1 if newcomer else 0.03) if new_key else 0)
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


_DOC_DIRS = ("", ".github", "doc", "docs")
MAX_DOC_BYTES = 1 << 20


def _published_in(ctx: HistoryContext, r: Release) -> str | None:
    """The file at the release's commit that names the new key, if any."""
    sig = r.signature
    if sig is None or sig.key is None:
        return None
    needles = {sig.key.upper()}
    if sig.key_id:
        needles.add(sig.key_id.upper())
    for directory in _DOC_DIRS:
        for path in ctx.source.paths_at(r.tag.commit, directory):
            size = ctx.source.blob_size_at(r.tag.commit, path)
            if size is None or size > MAX_DOC_BYTES:
                continue
            data = ctx.source.file_at(r.tag.commit, path) or b""
            text = re.sub(rb"[\s:]", b"", data).upper()
            if any(n.encode() in text for n in needles):
                return path
    return None
