"""Find the repository and ref a registry release was made from.

``--source`` wins; otherwise the candidates the front end read from the
metadata are tried in order.  A candidate is cloned bare into the cache with
the locked-down ``git clone`` of :mod:`chainsight.sources.git` (no prompts,
``GIT_ASKPASS``/``SSH_ASKPASS`` off, batch-mode ssh), after a short TCP probe of
its host: a forge that cannot be reached costs a few seconds once, and is then
skipped for the rest of the process (a batch never waits on it again).

The ref: ``--ref``, else a commit the registry names (npm's ``gitHead``) when
the repository has it, else the tag derived from the name and version
(:mod:`chainsight.sources.refs`).
"""

from __future__ import annotations

import socket
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from chainsight.errors import SourceError, UsageError
from chainsight.model import SourceAttempt, SourceDiscovery
from chainsight.registry.fetched import FetchedPackage
from chainsight.registry.target import Ecosystem
from chainsight.sources.git import Repository, clone_into_cache, is_url
from chainsight.sources.refs import ReleaseName, match_tag, nearest_tags

PROBE_TIMEOUT_SECONDS = 5.0
CLONE_CONNECT_TIMEOUT_SECONDS = 10

_UNREACHABLE: set[str] = set()
_LOCK = threading.Lock()
_HOST_ERRORS = (
    "could not resolve host",
    "failed to connect",
    "connection timed out",
    "connection refused",
    "network is unreachable",
    "no route to host",
    "operation timed out",
    "timed out",
    "could not resolve hostname",
    "temporary failure in name resolution",
)


def unreachable_hosts() -> set[str]:
    with _LOCK:
        return set(_UNREACHABLE)


def forget_unreachable_hosts() -> None:
    """For tests: start from a clean slate."""
    with _LOCK:
        _UNREACHABLE.clear()


def _mark_unreachable(host: str) -> None:
    with _LOCK:
        _UNREACHABLE.add(host)


@dataclass(frozen=True)
class FoundSource:
    repository: Repository
    location: str
    """What was opened: a local path, or the cached clone of a URL."""
    display: str
    """What the user knows it as (the URL, or the path given)."""
    ref: str
    ref_from: str


def find_source(
    package: FetchedPackage,
    *,
    source: str | None,
    ref: str | None,
    cache_dir: Path | None,
) -> tuple[FoundSource | None, SourceDiscovery]:
    """The repository to compare with, and how it was (or was not) found."""
    given = source is not None
    candidates = [source] if source is not None else list(package.source_urls)
    if not candidates:
        return None, SourceDiscovery(
            "not-found", reason="the package metadata names no repository (use --source)"
        )
    attempts: list[SourceAttempt] = []
    host_failures = 0
    for location in candidates:
        try:
            repo, opened = _open(location, cache_dir, given)
        except _HostUnreachable as exc:
            host_failures += 1
            attempts.append(SourceAttempt(location, str(exc)))
            continue
        except SourceError as exc:
            attempts.append(SourceAttempt(location, str(exc)))
            continue
        try:
            chosen, ref_from = _choose_ref(repo, package, ref)
        except SourceError as exc:
            attempts.append(SourceAttempt(location, str(exc)))
            continue
        attempts.append(SourceAttempt(location, "used"))
        found = FoundSource(repo, opened, location, chosen, ref_from)
        return found, SourceDiscovery(
            "given" if given else "found",
            repo=location,
            ref=chosen,
            ref_from=ref_from,
            attempts=tuple(attempts),
        )
    status = "unreachable" if host_failures == len(candidates) else "not-found"
    last = attempts[-1].outcome if attempts else "no candidate"
    tried = f" ({len(candidates)} candidates tried; last: {last})" if len(candidates) > 1 else ""
    return None, SourceDiscovery(
        status,
        attempts=tuple(attempts),
        reason="no repository compared: " + (tried.strip(" ()") if tried else last),
    )


class _HostUnreachable(SourceError):
    pass


def locate_repository(
    urls: tuple[str, ...] | list[str], cache_dir: Path | None
) -> tuple[str | None, str | None, str]:
    """The first candidate that can be opened (cloned into the cache for a URL), with
    the same probe, timeouts and memory of unreachable hosts as :func:`find_source`,
    but no tag: ``(local location, the candidate, "")`` or ``(None, None, reason)``."""
    if not urls:
        return None, None, "the package metadata names no repository"
    reason = ""
    for location in urls:
        try:
            _repo, opened = _open(location, cache_dir, given=False)
        except SourceError as exc:
            reason = str(exc)
            continue
        return opened, location, ""
    return None, None, reason


def _open(location: str, cache_dir: Path | None, given: bool) -> tuple[Repository, str]:
    if not is_url(location):
        path = Path(location)
        if not path.exists():
            if given:
                raise UsageError(f"source repository {location} does not exist")
            raise SourceError(f"{location} does not exist")
        return Repository(path), location
    host = _host_of(location)
    if host:
        with _LOCK:
            known_dead = host in _UNREACHABLE
        if known_dead:
            raise _HostUnreachable(f"{host} was unreachable earlier in this run")
        problem = _probe(location)
        if problem is not None:
            _mark_unreachable(host)
            raise _HostUnreachable(f"{host} is unreachable ({problem})")
    try:
        git_dir = clone_into_cache(
            location, cache_dir, connect_timeout=CLONE_CONNECT_TIMEOUT_SECONDS
        )
    except SourceError as exc:
        text = str(exc)
        if host and any(marker in text.lower() for marker in _HOST_ERRORS):
            _mark_unreachable(host)
            raise _HostUnreachable(text) from None
        raise
    return Repository(git_dir, display=location), str(git_dir)


def _host_of(url: str) -> str | None:
    if "://" in url:
        return urllib.parse.urlsplit(url).hostname
    # scp-like git@host:path
    at = url.split("@", 1)[-1]
    return at.split(":", 1)[0] or None


def _probe(url: str) -> str | None:
    """None when a TCP connection to the URL's host (or its proxy) opens quickly."""
    parts = urllib.parse.urlsplit(url if "://" in url else "ssh://" + url.replace(":", "/", 1))
    host = parts.hostname
    if not host:
        return None
    scheme = parts.scheme.lower()
    if scheme == "file":
        return None
    port = parts.port or {"https": 443, "http": 80, "ssh": 22}.get(scheme, 443)
    if scheme in ("https", "http"):
        proxy = _proxy_for(scheme, host)
        if proxy is not None:
            host, port = proxy
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_SECONDS):
            return None
    except socket.gaierror:
        return "cannot resolve the host name"
    except TimeoutError:
        return f"no answer within {PROBE_TIMEOUT_SECONDS:.0f}s"
    except OSError as exc:
        return exc.strerror or str(exc)


def _proxy_for(scheme: str, host: str) -> tuple[str, int] | None:
    if urllib.request.proxy_bypass(host):
        return None
    proxies = urllib.request.getproxies()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy:
        return None
    parts = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
    if not parts.hostname:
        return None
    return parts.hostname, parts.port or 8080


def _choose_ref(repo: Repository, package: FetchedPackage, ref: str | None) -> tuple[str, str]:
    if ref:
        repo.resolve(ref)
        return ref, "--ref"
    if package.source_commit and repo.has_object(package.source_commit):
        return package.source_commit, "registry commit hint"
    tags = repo.tag_names()
    version = package.target.version or ""
    if package.target.ecosystem is Ecosystem.DEB:
        from chainsight.sources.dsc import upstream_version

        version = upstream_version(version)  # 1:5.4.1-0.2+b1 -> 5.4.1: upstream tags it
    names = dict.fromkeys(
        [package.target.name, package.target.canonical_name, package.target.name.split("/")[-1]]
    )
    for name in names:
        tag = match_tag(ReleaseName(name, version), tags)
        if tag is not None:
            return tag, "tag"
    near = nearest_tags(ReleaseName(package.target.name, version), tags)
    listing = ", ".join(near) if near else "the repository has no tags"
    hint = ""
    if package.source_commit:
        hint = f"; the registry's commit {package.source_commit[:12]} is not in it"
    raise SourceError(f"no tag matches version {version} (nearest: {listing}){hint}")
