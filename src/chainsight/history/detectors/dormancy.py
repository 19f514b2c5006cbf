"""Dormant maintainer, then a sudden burst; or an active maintainer gone silent.

Only people who held a maintainer role count (committed others' work, committed
on the main line, or tagged a release). ``dormant-then-burst``: after at least
DORMANT_GAP without any activity, BURST_COMMITS commits or a release within 90
days of the return (a returning account can be a taken-over account; low, medium
when the return includes a release signed with a key that person never used).
``maintainer-silent``: a maintainer active in at least four quarters of the two
years before going quiet, silent for DORMANT_GAP up to the analysis date while
others still commit (info: it is the context in which a project changes hands).
"""

from __future__ import annotations

import bisect
import itertools

from chainsight.history.context import HistoryContext
from chainsight.history.detectors._util import day, months
from chainsight.history.model import Event
from chainsight.history.thresholds import BURST_COMMITS, DAY, DORMANT_GAP, YEAR
from chainsight.model import Severity


def detect(ctx: HistoryContext) -> list[Event]:
    events: list[Event] = []
    recent_others = {
        a.id
        for c, a in zip(ctx.data.commits, ctx.authors, strict=True)
        if c.author_time > ctx.now - DORMANT_GAP and a.person
    }
    for p in ctx.profiles.values():
        if not p.ident.person or not (p.applied_for_others or p.release_tags or p.committer_since):
            continue
        times = sorted(p.commit_times + [r.time for r in ctx.releases if r.tagger is p.ident])
        if len(times) < 2:
            continue
        mine = [r for r in ctx.releases if r.tagger is p.ident]
        for prev, cur in itertools.pairwise(times):
            if cur - prev < DORMANT_GAP or not ctx.in_window(cur):
                continue
            end = cur + 90 * DAY
            burst = bisect.bisect_right(times, end) - bisect.bisect_left(times, cur)
            released = [r for r in mine if cur <= r.time <= end]
            known_keys = {r.key for r in mine if r.time < cur and r.key}
            new_key = [r for r in released if r.key and known_keys and r.key not in known_keys]
            if burst >= BURST_COMMITS or released:
                events.append(
                    Event(
                        "dormant-then-burst",
                        cur,
                        Severity.MEDIUM if new_key else Severity.LOW,
                        p.ident.id,
                        f"{p.ident.name} returned on {day(cur)} after {months(cur - prev)} "
                        f"without activity: {burst} commits/tags in 90 days"
                        + (", including a release" if released else "")
                        + (
                            f" signed with a key they never used before ({new_key[0].key_label})"
                            if new_key
                            else ""
                        ),
                        (),
                        0.05,
                    )
                )
        last = times[-1]
        quarters = {(t // (91 * DAY)) for t in times if last - 2 * YEAR <= t <= last}
        if (
            ctx.now - last >= DORMANT_GAP
            and len(quarters) >= 4
            and recent_others - {p.ident.id}
            and ctx.in_window(last)
        ):
            events.append(
                Event(
                    "maintainer-silent",
                    last,
                    Severity.INFO,
                    p.ident.id,
                    f"{p.ident.name}, active in {len(quarters)} quarters of the two years "
                    f"before, has been silent since {day(last)} while others commit",
                    (),
                    0.0,
                )
            )
    return events
