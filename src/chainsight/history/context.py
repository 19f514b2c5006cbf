"""What every detector reads: the pass's data with people resolved and roles known."""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field

from chainsight.history.identities import Identity, IdentityIndex, Mailmap
from chainsight.history.reader import Commit, HistoryData, HistorySource, TagRecord
from chainsight.history.signatures import SignatureInfo, parse_signature
from chainsight.history.thresholds import (
    ESTABLISHED_AFTER,
    INITIAL_ROLE_PERIOD,
    MAINLINE_COMMITS_FOR_ROLE,
    NEWCOMER_WINDOW,
    OUTSIDER_COMMITS,
    OUTSIDER_SPAN,
    TOP_AUTHOR_MIN_COMMITS,
    TOP_AUTHOR_MIN_SHARE,
)

_RELEASE_NAME = re.compile(r"(?:^|[^0-9a-z])v?\d+(?:[._-]\d+)+|^v?\d+$", re.I)
_NOT_RELEASE = re.compile(r"(?:^|[-_/])(?:tmp|wip|test|before|after|pre-merge|base|start)\b", re.I)


def is_release_tag(name: str) -> bool:
    return bool(_RELEASE_NAME.search(name)) and not _NOT_RELEASE.search(name)


def quarter_of(ts: int) -> str:
    t = time.gmtime(ts)
    return f"{t.tm_year}Q{(t.tm_mon - 1) // 3 + 1}"


@dataclass
class Release:
    tag: TagRecord
    tagger: Identity | None
    signature: SignatureInfo | None

    @property
    def time(self) -> int:
        return self.tag.time

    @property
    def key(self) -> str | None:
        """The signing key as compared between releases (see SignatureInfo.identity)."""
        return self.signature.identity if self.signature else None

    @property
    def key_label(self) -> str | None:
        return self.signature.key if self.signature else None


@dataclass
class Profile:
    """One person's history in the project."""

    ident: Identity
    first_seen: int = 0
    last_seen: int = 0
    first_commit: str | None = None
    authored: int = 0
    committed: int = 0
    applied_for_others: int = 0
    release_tags: int = 0
    keys: set[str] = field(default_factory=set)
    committer_since: tuple[int, str] | None = None
    """(time, commit) of the first sign of commit rights: another person's work they
    committed, a merge they made, or the first of MAINLINE_COMMITS_FOR_ROLE commits they
    committed themselves on the main line (HEAD's first parents)."""
    tagger_since: tuple[int, str] | None = None
    """(time, tag name) of the first release tag this person created."""
    top_author_since: tuple[int, str] | None = None
    """(time, quarter) of the first quarter this person was the top author."""
    commit_times: list[int] = field(default_factory=list)
    applied_by_others: list[int] = field(default_factory=list)
    """Times of this person's commits that someone else committed (applied or merged)."""

    @property
    def groomed(self) -> bool:
        """Had an outsider phase before gaining a role: at least OUTSIDER_COMMITS commits
        applied or merged by others over at least OUTSIDER_SPAN (a slow ramp, as in xz),
        rather than being appointed with rights from the start."""
        gained = [h[0] for h in (self.committer_since, self.tagger_since) if h is not None]
        if not gained:
            return False
        before = [t for t in self.applied_by_others if t < min(gained)]
        return len(before) >= OUTSIDER_COMMITS and max(before) - min(before) >= OUTSIDER_SPAN


@dataclass
class HistoryContext:
    data: HistoryData
    source: HistorySource
    people: IdentityIndex
    authors: list[Identity]
    """Author of ``data.commits[i]``."""
    committers: list[Identity]
    releases: list[Release]
    profiles: dict[str, Profile]
    project_start: int
    now: int
    """The analysis date: ``until``, or the last commit or tag."""
    since: int | None
    until: int | None
    quarters: dict[str, Counter[str]]
    """Quarter -> authored commits per identity id."""
    limits_reached: list[str] = field(default_factory=list)
    """Why the result is partial (a detector hit a limit), for the report's errors."""

    def profile(self, ident: Identity | str) -> Profile:
        key = ident if isinstance(ident, str) else ident.id
        return self.profiles[key]

    def is_newcomer(self, ident: Identity | str, at: int) -> bool:
        """Arrived after the project was established, less than NEWCOMER_WINDOW before ``at``."""
        p = self.profiles.get(ident if isinstance(ident, str) else ident.id)
        if p is None or not p.ident.person or not p.first_seen:
            return False
        if p.first_seen < self.project_start + ESTABLISHED_AFTER:
            return False
        return at - p.first_seen <= NEWCOMER_WINDOW

    def in_window(self, t: int) -> bool:
        return self.since is None or t >= self.since

    def release_after(self, t: int) -> Release | None:
        """The first release tagged at or after ``t``."""
        for r in self.releases:
            if r.time >= t:
                return r
        return None

    def name(self, ident_id: str | None) -> str:
        if ident_id is None:
            return "unknown"
        ident = self.people.by_id.get(ident_id)
        return ident.name if ident else ident_id


def first_parent_line(commits: list[Commit], head: str | None) -> set[str]:
    by_sha = {c.sha: c for c in commits}
    line: set[str] = set()
    sha = head
    while sha is not None and sha in by_sha and sha not in line:
        line.add(sha)
        parents = by_sha[sha].parents
        sha = parents[0] if parents else None
    return line


def build_context(
    data: HistoryData, source: HistorySource, since: int | None, until: int | None
) -> HistoryContext:
    pairs: Counter[tuple[str, str]] = Counter()
    for c in data.commits:
        pairs[(c.author_name, c.author_email)] += 1
        pairs[(c.committer_name, c.committer_email)] += 1
    for t in data.tags:
        if t.tagger_name is not None:
            pairs[(t.tagger_name, t.tagger_email or "")] += 1
    mailmap = Mailmap(data.mailmap.decode("utf-8", "replace") if data.mailmap else None)
    people = IdentityIndex(pairs, mailmap)
    authors = [people.resolve(c.author_name, c.author_email) for c in data.commits]
    committers = [people.resolve(c.committer_name, c.committer_email) for c in data.commits]
    profiles = {i.id: Profile(i) for i in people.identities}
    project_start = min((c.committer_time for c in data.commits), default=0)
    quarters: dict[str, Counter[str]] = {}

    def seen(p: Profile, t: int) -> None:
        if not p.first_seen or t < p.first_seen:
            p.first_seen = t
        p.last_seen = max(p.last_seen, t)

    mainline = first_parent_line(data.commits, data.head)
    on_mainline: dict[str, tuple[tuple[int, str], int]] = {}
    for c, a, m in zip(data.commits, authors, committers, strict=True):
        if c.duplicate:
            continue
        pa = profiles[a.id]
        pc = profiles[m.id]
        seen(pa, min(c.author_time, c.committer_time))
        seen(pc, c.committer_time)
        if not c.is_merge:
            pa.authored += 1
            if pa.first_commit is None:
                pa.first_commit = c.sha
            quarters.setdefault(quarter_of(c.author_time), Counter())[a.id] += 1
        pa.commit_times.append(c.author_time)
        pc.committed += 1
        if a.id != m.id and not c.is_merge:
            pa.applied_by_others.append(c.committer_time)
        if a.id != m.id:
            pc.applied_for_others += 1
        if c.is_merge and a.person and profiles[a.id].committer_since is None:
            profiles[a.id].committer_since = (c.committer_time, c.sha)  # merged on a forge
        if m.person and pc.committer_since is None:
            if a.id != m.id:
                pc.committer_since = (c.committer_time, c.sha)
            elif c.sha in mainline:
                first, n = on_mainline.get(m.id, ((c.committer_time, c.sha), 0))
                on_mainline[m.id] = (first, n + 1)
                if n + 1 >= MAINLINE_COMMITS_FOR_ROLE:
                    pc.committer_since = first
        if c.signature:
            sig = parse_signature(c.signature)
            if sig.key:
                pc.keys.add(sig.key)

    releases: list[Release] = []
    for t in data.tags:
        if not is_release_tag(t.name):
            continue
        tagger = people.resolve(t.tagger_name, t.tagger_email or "") if t.tagger_name else None
        tag_sig = parse_signature(t.signature) if t.signature else None
        releases.append(Release(t, tagger, tag_sig))
        if tagger is not None:
            p = profiles.setdefault(tagger.id, Profile(tagger))
            seen(p, t.time)
            p.release_tags += 1
            if tag_sig and tag_sig.key:
                p.keys.add(tag_sig.key)
            if p.tagger_since is None:
                p.tagger_since = (t.time, t.name)

    for q in sorted(quarters):
        counts = quarters[q]
        total = sum(counts.values())
        if total < TOP_AUTHOR_MIN_COMMITS:
            continue
        ident_id, n = counts.most_common(1)[0]
        p = profiles[ident_id]
        if n / total >= TOP_AUTHOR_MIN_SHARE and p.top_author_since is None and p.ident.person:
            first_in_q = min(t for t in p.commit_times if quarter_of(t) == q)
            p.top_author_since = (first_in_q, q)

    # the founders' roles are not gains
    for p in profiles.values():
        for attr in ("committer_since", "tagger_since", "top_author_since"):
            held = getattr(p, attr)
            if held is not None and held[0] < project_start + INITIAL_ROLE_PERIOD:
                setattr(p, attr, None)
        if p.tagger_since is not None and releases and releases[0].tagger is p.ident:
            p.tagger_since = None  # the first release manager the project had

    last = max([c.committer_time for c in data.commits] + [t.time for t in data.tags], default=0)
    now = until if until is not None else last
    return HistoryContext(
        data,
        source,
        people,
        authors,
        committers,
        releases,
        profiles,
        project_start,
        now,
        since,
        until,
        quarters,
    )
