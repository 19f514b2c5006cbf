"""Merge the names and emails a history uses into people.

Rules, applied in order (docs/rules.md, "Identities"):

1. ``.mailmap`` (as it stood at the analysed commit) rewrites (name, email);
2. the same email (case-insensitive) is the same person, unless it is a
   placeholder (``noreply@github.com``, ``root@localhost``, no ``@``);
3. the same name, normalised (accents, case, punctuation and word order
   ignored), is the same person, unless the name is generic (``root``,
   ``Administrator``, ``GitHub``...) or a single word shorter than five letters;
4. a forge no-reply address (``123+login@users.noreply.github.com``,
   ``123-login@users.noreply.gitlab.com``, ``login@noreply.codeberg.org``)
   joins the person whose name or email local part is that login.

Forge web committers (``GitHub <noreply@github.com>``) and bots are kept as
identities but marked, so they never count as maintainers or newcomers.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

_NOREPLY = [
    re.compile(r"^(?:\d+\+)?([\w.-]+)@users\.noreply\.github\.com$", re.I),
    re.compile(r"^(?:\d+-)?([\w.-]+)@users\.noreply\.gitlab\.com$", re.I),
    re.compile(r"^([\w.-]+)@noreply\.codeberg\.org$", re.I),
]
_FORGE_EMAILS = {"noreply@github.com", "noreply@gitlab.com", "noreply@codeberg.org"}
_PLACEHOLDER_EMAILS = _FORGE_EMAILS | {
    "root@localhost",
    "none@none",
    "nobody@nowhere",
    "unknown",
    "(none)",
    "",
}
_GENERIC_NAMES = {
    "root",
    "admin",
    "administrator",
    "unknown",
    "user",
    "github",
    "gitlab",
    "codeberg",
    "none",
    "nobody",
    "anonymous",
    "build",
    "builder",
    "buildbot",
    "ci",
    "travis",
    "jenkins",
    "ubuntu",
    "debian",
    "local",
    "test",
    "your name",
    "weblate",
    "translations",
    "git",
}
_BOT_NAME = re.compile(
    r"\[bot\]|\bbot$|^dependabot|^renovate|^github-actions|^pre-commit-ci|^weblate$|"
    r"^copilot$|^snyk",
    re.I,
)


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    words = re.findall(r"[a-z0-9]+", text)
    return " ".join(sorted(words))


def noreply_login(email: str) -> str | None:
    for pattern in _NOREPLY:
        m = pattern.match(email)
        if m:
            return m.group(1).lower()
    return None


def _mergeable_name(norm: str) -> bool:
    if not norm or norm in _GENERIC_NAMES:
        return False
    return " " in norm or len(norm) >= 5


def _mergeable_email(email: str) -> bool:
    return "@" in email and email not in _PLACEHOLDER_EMAILS and "localhost" not in email


@dataclass
class Identity:
    id: str
    name: str
    names: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    bot: bool = False
    forge: bool = False
    """A forge's web committer (merges made on the forge's site): not a person."""

    @property
    def person(self) -> bool:
        return not (self.bot or self.forge)


class Mailmap:
    """``.mailmap`` lookups: (name, email) -> (proper name, proper email)."""

    def __init__(self, text: str | None) -> None:
        self._by_email: dict[str, tuple[str | None, str | None]] = {}
        self._by_pair: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        for raw in (text or "").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = re.findall(r"([^<>]*)<([^<>]*)>", line)
            if not parts:
                continue
            proper_name = parts[0][0].strip() or None
            proper_email = parts[0][1].strip().lower() or None
            if len(parts) == 1:
                self._by_email[proper_email or ""] = (proper_name, None)
            else:
                commit_name = parts[1][0].strip()
                commit_email = parts[1][1].strip().lower()
                if commit_name:
                    self._by_pair[(commit_name.lower(), commit_email)] = (
                        proper_name,
                        proper_email,
                    )
                else:
                    self._by_email[commit_email] = (proper_name, proper_email)

    def map(self, name: str, email: str) -> tuple[str, str]:
        key = email.lower()
        hit = self._by_pair.get((name.lower(), key)) or self._by_email.get(key)
        if not hit:
            return name, email
        return hit[0] or name, hit[1] or email


class IdentityIndex:
    """Resolve (name, email) pairs to merged :class:`Identity` objects."""

    def __init__(self, pairs: Counter[tuple[str, str]], mailmap: Mailmap | None = None) -> None:
        self._mailmap = mailmap or Mailmap(None)
        mapped: dict[tuple[str, str], tuple[str, str]] = {}
        weights: Counter[tuple[str, str]] = Counter()
        for (name, email), count in pairs.items():
            m_name, m_email = self._mailmap.map(name, email)
            canon = (m_name.strip(), m_email.strip().lower())
            mapped[(name, email)] = canon
            weights[canon] += count
        canon_pairs = sorted(weights)
        index = {p: i for i, p in enumerate(canon_pairs)}
        parent = list(range(len(canon_pairs)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(a: int, b: int) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        by_email: dict[str, int] = {}
        by_name: dict[str, int] = {}
        logins: dict[str, int] = {}
        for p in canon_pairs:
            i = index[p]
            name, email = p
            if _is_forge(name, email) or _BOT_NAME.search(name):
                # never merged by name with people: join only the same exact pair
                continue
            if _mergeable_email(email):
                if email in by_email:
                    union(i, by_email[email])
                else:
                    by_email[email] = i
            norm = normalise_name(name)
            if _mergeable_name(norm):
                if norm in by_name:
                    union(i, by_name[norm])
                else:
                    by_name[norm] = i
            login = noreply_login(email)
            if login:
                logins[login] = i
        for p in canon_pairs:
            name, email = p
            if _is_forge(name, email) or _BOT_NAME.search(name):
                continue
            keys = {normalise_name(name).replace(" ", "")}
            if "@" in email and not noreply_login(email):
                keys.add(email.split("@", 1)[0])
            for key in keys:
                if len(key) >= 4 and key in logins:
                    union(index[p], logins[key])

        groups: dict[int, list[tuple[str, str]]] = {}
        for p in canon_pairs:
            groups.setdefault(find(index[p]), []).append(p)
        self.identities: list[Identity] = []
        self._by_canon: dict[tuple[str, str], Identity] = {}
        used_ids: set[str] = set()
        for members in groups.values():
            names = Counter[str]()
            for p in members:
                names[p[0]] += weights[p]
            display = names.most_common(1)[0][0] or members[0][1] or "unknown"
            ident = Identity(
                _unique_id(display, used_ids),
                display,
                {p[0] for p in members if p[0]},
                {p[1] for p in members if p[1]},
            )
            ident.forge = all(_is_forge(*p) for p in members)
            ident.bot = not ident.forge and any(_BOT_NAME.search(p[0]) for p in members)
            self.identities.append(ident)
            for p in members:
                self._by_canon[p] = ident
        self._by_raw = {raw: self._by_canon[canon] for raw, canon in mapped.items()}
        self.by_id = {i.id: i for i in self.identities}

    def resolve(self, name: str, email: str) -> Identity:
        hit = self._by_raw.get((name, email))
        if hit is not None:
            return hit
        m_name, m_email = self._mailmap.map(name, email)
        canon = (m_name.strip(), m_email.strip().lower())
        return self._by_canon.get(canon) or self._add(canon)

    def _add(self, canon: tuple[str, str]) -> Identity:
        ident = Identity(
            _unique_id(canon[0] or canon[1], set(self.by_id)), canon[0], {canon[0]}, {canon[1]}
        )
        ident.forge = _is_forge(*canon)
        self.identities.append(ident)
        self.by_id[ident.id] = ident
        self._by_canon[canon] = ident
        return ident


def _is_forge(name: str, email: str) -> bool:
    return email.lower() in _FORGE_EMAILS


def _unique_id(display: str, used: set[str]) -> str:
    base = "-".join(re.findall(r"[a-z0-9]+", normalise_unordered(display))) or "unknown"
    base = base[:40]
    ident = base
    n = 2
    while ident in used:
        ident = f"{base}-{n}"
        n += 1
    used.add(ident)
    return ident


def normalise_unordered(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
