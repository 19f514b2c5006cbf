"""Committer/merge-rights handover, and whether a handover was announced.

``committer-handover``: the main committer of a quarter (most commits committed,
quarters with at least TOP_AUTHOR_MIN_COMMITS) changes after the previous one
held the role MAIN_COMMITTER_MIN_QUARTERS quarters in a row (medium when the new
one is a newcomer who rose from outsider patches, low otherwise).

``handover-announced`` / ``handover-unannounced``: for each person who took
over release tagging, a commit by someone who held a role before them, within
HANDOVER_ANNOUNCE_BEFORE/AFTER of their first release tag, that names them
together with a maintainer word (in the commit message, or in lines added to
MAINTAINERS, CODEOWNERS, AUTHORS, GOVERNANCE or README files). An announced
handover lowers the successor's score; an unannounced one by a newcomer raises it.
"""

from __future__ import annotations

import re
from collections import Counter

from chainsight.history.context import HistoryContext, quarter_of
from chainsight.history.detectors._util import day, short
from chainsight.history.model import Event
from chainsight.history.thresholds import (
    HANDOVER_ANNOUNCE_AFTER,
    HANDOVER_ANNOUNCE_BEFORE,
    MAIN_COMMITTER_MIN_QUARTERS,
    TOP_AUTHOR_MIN_COMMITS,
)
from chainsight.model import Severity

_MAINTAINER_WORD = re.compile(
    r"maintainer|maintains|maintaining|release manager|hand(?:ing|ed)? over|handover|"
    r"take over|taking over|took over|step(?:ping)? down|successor|commit access|"
    r"push access|commit rights",
    re.I,
)
_GOVERNANCE_FILE = re.compile(
    r"(^|/)(MAINTAINERS|CODEOWNERS|AUTHORS|GOVERNANCE|OWNERS|README)(\.[\w.]+)?$", re.I
)


def detect(ctx: HistoryContext) -> list[Event]:
    return _committer_handover(ctx) + _announcements(ctx)


def _committer_handover(ctx: HistoryContext) -> list[Event]:
    per_q: dict[str, Counter[str]] = {}
    first_in_q: dict[tuple[str, str], int] = {}
    for c, m in zip(ctx.data.commits, ctx.committers, strict=True):
        if c.duplicate or not m.person:
            continue
        q = quarter_of(c.committer_time)
        per_q.setdefault(q, Counter())[m.id] += 1
        first_in_q.setdefault((q, m.id), c.committer_time)
    mains = [
        (q, per_q[q].most_common(1)[0][0])
        for q in sorted(per_q)
        if sum(per_q[q].values()) >= TOP_AUTHOR_MIN_COMMITS
    ]
    events: list[Event] = []
    for i in range(MAIN_COMMITTER_MIN_QUARTERS, len(mains)):
        q, new = mains[i]
        old = mains[i - 1][1]
        if new == old:
            continue
        if any(m != old for _, m in mains[i - MAIN_COMMITTER_MIN_QUARTERS : i]):
            continue
        if i + 1 < len(mains) and mains[i + 1][1] != new:
            continue  # one quarter's blip
        t = first_in_q[(q, new)]
        newcomer = ctx.is_newcomer(new, t)
        groomed = newcomer and ctx.profile(new).groomed
        events.append(
            Event(
                "committer-handover",
                t,
                Severity.MEDIUM if groomed else Severity.LOW,
                new,
                f"{ctx.name(new)} is the main committer from {q}, after {ctx.name(old)} held "
                f"it for at least {MAIN_COMMITTER_MIN_QUARTERS} quarters"
                + (" — a newcomer" if newcomer else ""),
                (q,),
                0.1 if newcomer else 0.03,
            )
        )
    return events


def _mentions(text: str, patterns: list[re.Pattern[str]]) -> bool:
    return any(p.search(text) for p in patterns)


def _name_patterns(ctx: HistoryContext, ident_id: str) -> list[re.Pattern[str]]:
    ident = ctx.people.by_id[ident_id]
    out = []
    for name in ident.names:
        if len(name.split()) >= 2 or len(name) >= 5:
            out.append(re.compile(r"\b" + re.escape(name) + r"\b", re.I))
    for email in ident.emails:
        if "@" in email:
            out.append(re.compile(re.escape(email), re.I))
    return out


def _announcements(ctx: HistoryContext) -> list[Event]:
    events: list[Event] = []
    if not ctx.releases:
        return events
    for p in ctx.profiles.values():
        if p.tagger_since is None or not p.ident.person:
            continue
        t0 = p.tagger_since[0]
        # who held roles before the successor: earlier taggers and committers
        earlier = {
            r.tagger.id for r in ctx.releases if r.tagger and r.time < t0 and r.tagger.person
        }
        earlier |= {
            q.ident.id
            for q in ctx.profiles.values()
            if q.ident.person
            and q.committed > 0
            and q.first_seen < t0
            and q.ident.id != p.ident.id
            and q.applied_for_others > 0
        }
        earlier.discard(p.ident.id)
        patterns = _name_patterns(ctx, p.ident.id)
        found = None
        lo, hi = t0 - HANDOVER_ANNOUNCE_BEFORE, t0 + HANDOVER_ANNOUNCE_AFTER
        for c, a in zip(ctx.data.commits, ctx.authors, strict=True):
            if c.duplicate or not (lo <= c.committer_time <= hi) or a.id not in earlier:
                continue
            if any(
                _MAINTAINER_WORD.search(par) and _mentions(par, patterns)
                for par in c.message.split("\n\n")
            ):
                found = c
                break
            for ch in c.changes:
                if not _GOVERNANCE_FILE.search(ch.path) or ch.status == "D":
                    continue
                added = _added_lines(ctx, ch.old_blob, ch.new_blob)
                if _mentions(added, patterns) and (
                    _MAINTAINER_WORD.search(added)
                    or _MAINTAINER_WORD.search(ch.path)
                    or "CODEOWNERS" in ch.path.upper()
                    or "MAINTAINERS" in ch.path.upper()
                ):
                    found = c
                    break
            if found:
                break
        if found is not None:
            events.append(
                Event(
                    "handover-announced",
                    found.committer_time,
                    Severity.INFO,
                    p.ident.id,
                    f"{ctx.name(ctx.authors[ctx.data.commits.index(found)].id)} announced "
                    f"{p.ident.name}'s role in the repository on {day(found.committer_time)}: "
                    f"{found.subject!r} ({short(found.sha)})",
                    (found.sha,),
                    -0.15,
                )
            )
        elif ctx.is_newcomer(p.ident, t0):
            events.append(
                Event(
                    "handover-unannounced",
                    t0,
                    Severity.LOW,
                    p.ident.id,
                    f"no commit by an earlier maintainer announces {p.ident.name} as a "
                    f"maintainer before they tagged {p.tagger_since[1]}",
                    (f"tag:{p.tagger_since[1]}",),
                    0.1,
                )
            )
    return events


def _added_lines(ctx: HistoryContext, old: str, new: str) -> str:
    new_text = (ctx.source.read_blob(new) or b"").decode("utf-8", "replace")
    if set(old) == {"0"}:
        return new_text
    old_lines = set((ctx.source.read_blob(old) or b"").decode("utf-8", "replace").splitlines())
    return "\n".join(ln for ln in new_text.splitlines() if ln not in old_lines)
