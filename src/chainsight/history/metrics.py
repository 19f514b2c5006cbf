"""Project metrics: truck factor, contributor absence factor, activity, single
maintainer, funding links.

Truck factor follows Avelino, Passos, Hora and Valente, "A Novel Approach for
Estimating Truck Factors" (ICPC 2016): the degree of authorship of developer
``d`` on file ``f`` is ``DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC)``
(FA: d created f; DL: d's changes to f; AC: others' changes). d *authors* f when
the DOA normalised by the file's largest DOA is above 0.75 and the absolute DOA
is at least 3.293. The truck factor is how many top authors must be removed,
greedily by files covered, before more than half of the files have no author.

The contributor absence factor (CHAOSS) is the smallest number of people who
made half of the commits in the last year (all time when the last year is empty).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from chainsight.history.context import HistoryContext
from chainsight.history.detectors.contact import contacts_of
from chainsight.history.model import FundingLink, Metrics
from chainsight.history.thresholds import ACTIVITY_WINDOW, SINGLE_MAINTAINER_SHARE, YEAR

DOA_ALPHA = 3.293
DOA_FA = 1.098
DOA_DL = 0.164
DOA_AC = 0.321
DOA_NORMALISED_MIN = 0.75


def truck_factor(ctx: HistoryContext) -> tuple[int, tuple[str, ...], int]:
    """(truck factor, the people removed, files considered)."""
    creator: dict[str, str] = {}
    changes: dict[str, Counter[str]] = defaultdict(Counter)
    alive: set[str] = set()
    for c, a in zip(ctx.data.commits, ctx.authors, strict=True):
        if c.duplicate or c.is_merge or not a.person:
            continue
        for ch in c.changes:
            if ch.status == "D":
                alive.discard(ch.path)
                creator.pop(ch.path, None)
                changes.pop(ch.path, None)
                continue
            if ch.status == "A":
                alive.add(ch.path)
                creator.setdefault(ch.path, a.id)
            else:
                alive.add(ch.path)
            changes[ch.path][a.id] += 1
    authors_of: dict[str, set[str]] = {}
    for path in alive:
        per = changes.get(path)
        if not per:
            continue
        total = sum(per.values())
        doa = {
            d: DOA_ALPHA
            + DOA_FA * (creator.get(path) == d)
            + DOA_DL * n
            - DOA_AC * math.log(1 + total - n)
            for d, n in per.items()
        }
        top = max(doa.values())
        authors_of[path] = {
            d for d, v in doa.items() if v >= DOA_ALPHA and v / top > DOA_NORMALISED_MIN
        }
    files = len(authors_of)
    if not files:
        return 0, (), 0
    coverage: dict[str, set[str]] = defaultdict(set)
    for path, ds in authors_of.items():
        for d in ds:
            coverage[d].add(path)
    orphaned: set[str] = {p for p, ds in authors_of.items() if not ds}
    removed: list[str] = []
    remaining = {p: set(ds) for p, ds in authors_of.items()}
    while len(orphaned) <= files / 2 and coverage:
        d = max(coverage, key=lambda k: (len(coverage[k]), k))
        removed.append(d)
        for path in coverage.pop(d):
            remaining[path].discard(d)
            if not remaining[path]:
                orphaned.add(path)
    return len(removed), tuple(removed), files


def contributor_absence_factor(ctx: HistoryContext) -> int:
    recent = Counter(
        a.id
        for c, a in zip(ctx.data.commits, ctx.authors, strict=True)
        if not c.duplicate
        and a.person
        and c.author_time > ctx.now - ACTIVITY_WINDOW
        and c.author_time <= ctx.now
    )
    if not recent:
        recent = Counter(
            a.id
            for c, a in zip(ctx.data.commits, ctx.authors, strict=True)
            if not c.duplicate and a.person
        )
    total = sum(recent.values())
    acc = 0
    for n, (_, count) in enumerate(recent.most_common(), 1):
        acc += count
        if acc * 2 >= total:
            return n
    return 0


_FUNDING_YML_URL = {
    "github": "https://github.com/sponsors/{}",
    "patreon": "https://www.patreon.com/{}",
    "open_collective": "https://opencollective.com/{}",
    "ko_fi": "https://ko-fi.com/{}",
    "tidelift": "https://tidelift.com/funding/github/{}",
    "community_bridge": "https://funding.communitybridge.org/projects/{}",
    "liberapay": "https://liberapay.com/{}",
    "issuehunt": "https://issuehunt.io/r/{}",
    "lfx_crowdfunding": "https://crowdfunding.lfx.linuxfoundation.org/projects/{}",
    "polar": "https://polar.sh/{}",
    "buy_me_a_coffee": "https://www.buymeacoffee.com/{}",
    "thanks_dev": "https://thanks.dev/{}",
    "custom": "{}",
}
_FUNDING_LABEL = re.compile(r"fund|sponsor|donat|support|patreon|tidelift|opencollective", re.I)


def funding_links(ctx: HistoryContext) -> tuple[FundingLink, ...]:
    head = ctx.data.head
    if head is None:
        return ()
    out: list[FundingLink] = []
    for path in (".github/FUNDING.yml", ".github/FUNDING.yaml", "FUNDING.yml"):
        data = ctx.source.file_at(head, path)
        if data:
            out.extend(_funding_yml(path, data.decode("utf-8", "replace")))
    for path in ("pyproject.toml", "setup.cfg", "setup.py"):
        data = ctx.source.file_at(head, path)
        if data:
            for m in re.finditer(
                r"^\s*[\"']?([\w .-]*)[\"']?\s*[=:,]\s*[\"']?(https?://[^\s\"',]+)",
                data.decode("utf-8", "replace"),
                re.M,
            ):
                if _FUNDING_LABEL.search(m.group(1)):
                    out.append(FundingLink(path, m.group(1).strip(), m.group(2)))
    data = ctx.source.file_at(head, "package.json")
    if data:
        out.extend(_npm_funding(data))
    data = ctx.source.file_at(head, "debian/upstream/metadata")
    if data:
        for m in re.finditer(
            r"^(Donation|Funding|Sponsor)\s*:\s*(\S+)", data.decode("utf-8", "replace"), re.M | re.I
        ):
            out.append(FundingLink("debian/upstream/metadata", m.group(1), m.group(2)))
    return tuple(dict.fromkeys(out))


def _funding_yml(path: str, text: str) -> list[FundingLink]:
    out = []
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw)
        m = re.match(r"^\s*(\w+)\s*:\s*(.+?)\s*$", line)
        if not m or m.group(1) not in _FUNDING_YML_URL:
            continue
        raw = m.group(2).strip()
        values = re.findall(r"[^\[\],\s\"']+", raw) if raw.startswith("[") else [raw.strip("\"'")]
        for v in values:
            if v and v.lower() not in ("null", "~", "''", '""'):
                out.append(FundingLink(path, m.group(1), _FUNDING_YML_URL[m.group(1)].format(v)))
    return out


def _npm_funding(data: bytes) -> list[FundingLink]:
    import json

    try:
        doc = json.loads(data)
    except ValueError:
        return []
    if not isinstance(doc, dict):
        return []
    f = doc.get("funding")
    items = f if isinstance(f, list) else [f] if f else []
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(FundingLink("package.json", "funding", item))
        elif isinstance(item, dict) and isinstance(item.get("url"), str):
            out.append(FundingLink("package.json", str(item.get("type", "funding")), item["url"]))
    return out


def contacts(ctx: HistoryContext) -> tuple[str, ...]:
    head = ctx.data.head
    if head is None:
        return ()
    values: list[str] = []
    for path in (
        "configure.ac",
        "configure.in",
        "CMakeLists.txt",
        "pyproject.toml",
        "package.json",
        "Cargo.toml",
        "setup.cfg",
        "debian/upstream/metadata",
    ):
        data = ctx.source.file_at(head, path)
        if data:
            for label, vals in sorted(contacts_of(path, data).items()):
                values.extend(f"{label}: {v}" for v in sorted(vals))
    return tuple(dict.fromkeys(values))


def single_maintainer(ctx: HistoryContext) -> tuple[bool, str]:
    start = ctx.now - 2 * YEAR
    committed = Counter(
        m.id
        for c, m in zip(ctx.data.commits, ctx.committers, strict=True)
        if not c.duplicate and m.person and start < c.committer_time <= ctx.now
    )
    authored = Counter(
        a.id
        for c, a in zip(ctx.data.commits, ctx.authors, strict=True)
        if not c.duplicate and a.person and start < c.author_time <= ctx.now
    )
    basis = committed if committed else authored
    if not basis:
        return False, "no commits in the last two years"
    who, n = basis.most_common(1)[0]
    share = n / sum(basis.values())
    taggers = {
        r.tagger.id for r in ctx.releases if start < r.time <= ctx.now and r.tagger is not None
    }
    if share >= SINGLE_MAINTAINER_SHARE and taggers <= {who}:
        return True, (
            f"{ctx.name(who)} made {share:.0%} of the commits in the last two years"
            + (" and tagged every release" if taggers else "")
        )
    return False, f"largest share in the last two years: {ctx.name(who)} with {share:.0%}"


def compute(ctx: HistoryContext) -> Metrics:
    tf, tf_people, tf_files = truck_factor(ctx)
    last_year = ctx.now - ACTIVITY_WINDOW
    live = [(c, a) for c, a in zip(ctx.data.commits, ctx.authors, strict=True) if not c.duplicate]
    single, reason = single_maintainer(ctx)
    return Metrics(
        commits=len(live),
        authors=len({a.id for _, a in live if a.person}),
        releases=len(ctx.releases),
        first_commit=min((c.author_time for c, _ in live), default=None),
        last_commit=max((c.committer_time for c, _ in live), default=None),
        truck_factor=tf,
        truck_factor_people=tuple(ctx.name(p) for p in tf_people),
        truck_factor_files=tf_files,
        contributor_absence_factor=contributor_absence_factor(ctx),
        commits_last_year=sum(1 for c, _ in live if last_year < c.committer_time <= ctx.now),
        authors_last_year=len(
            {a.id for c, a in live if a.person and last_year < c.author_time <= ctx.now}
        ),
        releases_last_year=sum(1 for r in ctx.releases if last_year < r.time <= ctx.now),
        last_release=ctx.releases[-1].time if ctx.releases else None,
        single_maintainer=single,
        single_maintainer_reason=reason,
        funding=funding_links(ctx),
        contacts=contacts(ctx),
    )
