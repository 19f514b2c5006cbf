"""Where a Debian source package's upstream code lives, from its ``debian/`` files.

Candidates, best first: ``Repository`` in ``debian/upstream/metadata`` (DEP-12),
forge URLs in ``debian/watch`` (GitHub, GitLab, Codeberg, git mode), then a
``Homepage`` that is itself a forge repository.  ``Vcs-Git`` is *not* a
candidate: it is Debian's packaging repository, not upstream's.
"""

from __future__ import annotations

import re

from chainsight.sources.debian_packaging import DebianPackaging

_FORGE = re.compile(
    r"https?://(?P<host>github\.com|gitlab\.com|codeberg\.org|gitlab\.[\w.-]+|"
    r"salsa\.debian\.org|git\.sr\.ht|bitbucket\.org)/(?P<path>[^\s\"'()]+)",
    re.IGNORECASE,
)
_PAGES = frozenset(
    {"-", "tags", "releases", "archive", "downloads", "refs", "uploads", "raw", "blob", "tree"}
)
_NOT_OWNER = frozenset({"downloads", "releases", "tags", "archive", "-", "api", "repos"})


def metadata_repository(text: str) -> str | None:
    """``Repository:`` from DEP-12 ``debian/upstream/metadata`` (a small YAML mapping)."""
    value = metadata_field(text, "Repository")
    if value and value.startswith(("https://", "http://", "git://", "ssh://", "git@")):
        return value
    return None


def metadata_field(text: str, key: str) -> str | None:
    for line in text.splitlines():
        m = re.match(rf"^{re.escape(key)}\s*:\s*(.+?)\s*$", line)
        if m:
            return m.group(1).strip().strip("'\"")
    return None


def savannah_repository(url: str) -> str | None:
    """GNU Savannah's cgit browser URL → its clone URL."""
    m = re.match(r"^https?://git\.savannah\.(?:non)?gnu\.org/cgit/([\w.+-]+?)(?:\.git)?/?$", url)
    if m is None:
        return None
    host = url.split("/")[2]
    return f"https://{host}/git/{m.group(1)}.git"


def forge_repository(url: str, source: str = "") -> str | None:
    """``https://github.com/OWNER/REPO`` from any URL inside a forge repository."""
    url = url.replace("@PACKAGE@", source)
    m = _FORGE.search(url)
    if m is None:
        return None
    host = m.group("host").lower()
    parts = [p for p in m.group("path").split("?", 1)[0].split("/") if p]
    if host == "github.com":
        parts = parts[:2]
    else:  # GitLab and kin: subgroups are allowed; the project ends where a page name starts
        for i, part in enumerate(parts):
            if part.lower() in _PAGES:
                parts = parts[:i]
                break
    if len(parts) < 2 or any(_unresolved(p) for p in parts) or parts[0].lower() in _NOT_OWNER:
        return None
    repo = "/".join(parts)
    repo = re.sub(r"\.git$", "", repo)
    return f"https://{host}/{repo}"


def _unresolved(part: str) -> bool:
    return any(ch in part for ch in "@()[]*\\$?")


def watch_repositories(text: str, source: str = "") -> list[str]:
    """Forge repositories named by ``debian/watch`` (any format version), in order."""
    out: list[str] = []
    joined = re.sub(r"\\\n", " ", text)
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for m in re.finditer(r"(?:https?|git)://[^\s\"']+", line):
            url = m.group(0)
            repo = forge_repository(url, source)
            if repo is None and "mode=git" in line and url.startswith("https://"):
                repo = url.replace("@PACKAGE@", source)
                if _unresolved(repo):
                    repo = None
            if repo and repo not in out:
                out.append(repo)
    return out


def upstream_repositories(
    packaging: DebianPackaging, source: str, homepage: str | None = None
) -> list[str]:
    """Candidate upstream repository URLs, best first, without duplicates."""
    out: list[str] = []

    def add(url: str | None) -> None:
        if not url:
            return
        norm = url.rstrip("/")
        forge = forge_repository(norm, source)
        norm = forge or norm
        if norm not in out:
            out.append(norm)

    meta = packaging.text("debian/upstream/metadata")
    if meta:
        add(metadata_repository(meta))
        browse = metadata_field(meta, "Repository-Browse")
        if browse:
            add(forge_repository(browse, source) or savannah_repository(browse))
    watch = packaging.text("debian/watch")
    if watch:
        for url in watch_repositories(watch, source):
            add(url)
    if homepage:
        add(forge_repository(homepage, source))
    return out
