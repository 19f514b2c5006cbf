"""Repository URLs from package metadata, normalised into something ``git clone`` takes.

Metadata points at repositories in many spellings: ``git+https://github.com/o/r.git``,
``https://github.com/o/r/tree/main/sub``, ``https://gitlab.com/group/sub/r/-/issues``,
``git@github.com:o/r.git``, ``https://www.github.com/o/r#readme``.  Known forges
are reduced to ``https://HOST/OWNER/REPO``; other hosts are kept only when the
URL itself looks like a git repository (``.git`` suffix, a ``git`` host or path).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable

FORGES_TWO_LEVEL = frozenset(
    {
        "github.com",
        "bitbucket.org",
        "codeberg.org",
        "gitea.com",
        "git.sr.ht",
        "hg.sr.ht",
        "sourceforge.net",
    }
)
"""Forges whose repositories are exactly ``OWNER/REPO``."""
FORGES_NESTED = frozenset(
    {"gitlab.com", "salsa.debian.org", "gitlab.gnome.org", "invent.kde.org", "framagit.org"}
)
"""GitLab instances: groups nest, the repository path ends before ``/-/``."""

_GITHUB_PAGES = re.compile(r"^(?P<owner>[\w.-]+)\.github\.io$")
_NOT_REPO_SEGMENTS = frozenset(
    {
        "tree",
        "blob",
        "issues",
        "pulls",
        "pull",
        "wiki",
        "releases",
        "tags",
        "commits",
        "commit",
        "actions",
        "discussions",
        "security",
        "src",
        "raw",
        "archive",
        "compare",
        "milestones",
        "projects",
        "graphs",
        "network",
        "blame",
        "branches",
        "packages",
        "sponsors",
        "-",
    }
)


def normalise_repo_url(url: str) -> str | None:
    """A clonable ``https://`` URL for a repository named in metadata, or None."""
    text = url.strip().strip("<>").strip()
    if not text or " " in text:
        return None
    text = re.sub(r"^(git\+|hg\+|svn\+)", "", text, flags=re.IGNORECASE)
    scp = re.match(r"^(?:ssh://)?git@([\w.-]+)[:/](.+)$", text)
    if scp:
        text = f"https://{scp.group(1)}/{scp.group(2)}"
    if text.startswith("git://"):
        text = "https://" + text[len("git://") :]
    if "://" not in text:
        if re.match(r"^(www\.)?(github\.com|gitlab\.com|codeberg\.org|bitbucket\.org)/", text):
            text = "https://" + text
        else:
            return None
    parts = urllib.parse.urlsplit(text)
    if parts.scheme.lower() not in ("http", "https", "ssh"):
        return None
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    segments = [s for s in parts.path.split("/") if s]
    pages = _GITHUB_PAGES.match(host)
    if pages and segments:
        # https://OWNER.github.io/REPO/ is usually built from github.com/OWNER/REPO
        return _two_level("github.com", [pages.group("owner"), segments[0]])
    if host in FORGES_TWO_LEVEL:
        return _two_level(host, segments)
    if host in FORGES_NESTED or host.startswith("gitlab."):
        return _nested(host, segments)
    if not segments:
        return None
    path = "/".join(segments)
    # other hosts: only what is plainly a git repository
    looks_git = path.endswith(".git") or host.startswith("git.") or "/git/" in f"/{path}/"
    if not looks_git:
        return None
    port = f":{parts.port}" if parts.port else ""
    return f"https://{host}{port}/{path}"


def _two_level(host: str, segments: list[str]) -> str | None:
    if host == "sourceforge.net":
        return None  # project pages, not repositories
    if len(segments) < 2:
        return None
    owner, repo = segments[0], segments[1]
    if host == "github.com" and owner.lower() in {"sponsors", "orgs", "apps", "marketplace"}:
        return None
    repo = repo.removesuffix(".git")
    if not repo:
        return None
    return f"https://{host}/{owner}/{repo}"


def _nested(host: str, segments: list[str]) -> str | None:
    kept: list[str] = []
    for seg in segments:
        if seg == "-" or (kept and len(kept) >= 2 and seg in _NOT_REPO_SEGMENTS):
            break
        kept.append(seg)
    if len(kept) < 2:
        return None
    kept[-1] = kept[-1].removesuffix(".git")
    return f"https://{host}/{'/'.join(kept)}"


SOURCE_LABELS = (
    "source",
    "sourcecode",
    "repository",
    "repo",
    "code",
    "github",
    "gitlab",
    "git",
    "sourcerepository",
    "vcs",
)
"""Project-URL labels that name the repository (PEP 753 normalised), best first."""
HOME_LABELS = ("homepage", "home", "projecthome")


def normalise_label(label: str) -> str:
    """PEP 753: lower case, without punctuation or spaces."""
    return re.sub(r"[\s\W_]+", "", label).lower()


def rank_candidates(labelled: Iterable[tuple[str, str]]) -> list[str]:
    """Repository candidates from ``(label, url)`` pairs, best first, without duplicates.

    Labels that name the source come first, then the home page, then any other
    label whose URL is on a forge (a bug tracker's ``.../issues`` names its repository).
    """
    source: list[str] = []
    home: list[str] = []
    other: list[str] = []
    for label, url in labelled:
        norm = normalise_repo_url(url)
        if norm is None:
            continue
        key = normalise_label(label)
        if key in SOURCE_LABELS:
            source.append(norm)
        elif key in HOME_LABELS:
            home.append(norm)
        else:
            other.append(norm)
    ranked = source + home + other
    seen: dict[str, str] = {}
    for url in ranked:
        seen.setdefault(url.lower(), url)
    return list(seen.values())
