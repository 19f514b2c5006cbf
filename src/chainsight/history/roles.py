"""Who holds which role, quarter by quarter."""

from __future__ import annotations

from collections import Counter

from chainsight.history.context import HistoryContext, quarter_of
from chainsight.history.model import QuarterRoles
from chainsight.history.signatures import parse_signature


def timeline(ctx: HistoryContext) -> tuple[QuarterRoles, ...]:
    authors: dict[str, Counter[str]] = {}
    committers: dict[str, Counter[str]] = {}
    applied: dict[str, Counter[str]] = {}
    commit_keys: dict[str, Counter[str]] = {}
    for c, a, m in zip(ctx.data.commits, ctx.authors, ctx.committers, strict=True):
        if c.duplicate or not ctx.in_window(c.committer_time):
            continue
        q = quarter_of(c.committer_time)
        if not c.is_merge:
            authors.setdefault(q, Counter())[a.id] += 1
        committers.setdefault(q, Counter())[m.id] += 1
        if a.id != m.id:
            applied.setdefault(q, Counter())[m.id] += 1
        if c.signature:
            key = parse_signature(c.signature).key
            if key:
                commit_keys.setdefault(q, Counter())[key] += 1
    taggers: dict[str, Counter[str]] = {}
    tag_keys: dict[str, dict[tuple[str, str], None]] = {}
    for r in ctx.releases:
        if not ctx.in_window(r.time):
            continue
        q = quarter_of(r.time)
        who = r.tagger.id if r.tagger else "unknown"
        taggers.setdefault(q, Counter())[who] += 1
        tag_keys.setdefault(q, {})[(r.key or "unsigned", who)] = None
    quarters = sorted(set(authors) | set(committers) | set(taggers))
    out = []
    for q in quarters:
        shares = authors.get(q, Counter())
        total = sum(shares.values())
        out.append(
            QuarterRoles(
                q,
                sum(committers.get(q, Counter()).values()),
                tuple((k, round(n / total, 3)) for k, n in shares.most_common()) if total else (),
                tuple(committers.get(q, Counter()).most_common()),
                tuple(applied.get(q, Counter()).most_common()),
                tuple(taggers.get(q, Counter()).most_common()),
                tuple(tag_keys.get(q, {})),
                tuple(commit_keys.get(q, Counter()).most_common()),
            )
        )
    return tuple(out)
