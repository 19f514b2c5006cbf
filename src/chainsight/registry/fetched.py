"""What a registry front end hands to the package audit: verified local files and hints.

Each front end (``pypi``, ``npm``, ``debian``) turns a :class:`PackageTarget`
into a :class:`FetchedPackage`; the package audit (``registry.dispatch``) then
runs the checks that need no repository and, when a repository is found, the
release audit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chainsight.registry.cache import DownloadCache
from chainsight.registry.http import HttpClient
from chainsight.registry.target import PackageTarget


@dataclass(frozen=True)
class FetchedFile:
    role: str
    """``sdist``, ``wheel``, ``npm-tarball``, ``dsc``, ``orig``, ``orig-signature``,
    ``debian`` (the packaging tarball) or ``other``."""
    filename: str
    """The name the registry gives the file (the cache stores it by digest)."""
    path: Path
    sha256: str
    url: str


@dataclass(frozen=True)
class FetchedPackage:
    target: PackageTarget
    """The target with its version resolved (never None here)."""
    files: tuple[FetchedFile, ...]
    source_urls: tuple[str, ...] = ()
    """Candidate repository URLs from the metadata, best first."""
    source_commit: str | None = None
    """A commit the registry says the release was made from (npm ``gitHead``)."""
    metadata: dict[str, str] = field(default_factory=dict)
    """Registry metadata worth showing (e.g. ``Project-URL`` entries, ``Vcs-Git``)."""
    notes: tuple[str, ...] = ()
    """Things the user should know that are not findings (e.g. "no wheel published")."""


@dataclass(frozen=True)
class RegistryOptions:
    cache: DownloadCache
    client: HttpClient | None
    """None when ``--offline``."""
    offline: bool = False
    pypi_index_url: str = "https://pypi.org/simple/"
    npm_registry: str = "https://registry.npmjs.org/"
    debian_mirror: str | None = None
    """None: take the mirror from the user's APT sources, else deb.debian.org."""
    progress: Callable[[str], Callable[[int, int | None], None]] | None = None
    """Given a file name about to be downloaded, a callback taking (bytes done, total)."""
    max_wheels: int = 1
    """PyPI: how many wheels (each with a different tag set) to audit beside the sdist."""
