"""The volunteers behind a dependency set: package targets -> repositories to survey.

Each target is fetched through its registry front end (the same verified
downloads as ``chainsight audit``); its repository is the first candidate of its
metadata that can be opened (probe, short timeouts, unreachable hosts
remembered for the run); how much depends on it is the number of other
packages of the same set whose own metadata declares a dependency on it (a
wheel's ``Requires-Dist``, an npm manifest's ``dependencies``,
``optionalDependencies`` and ``peerDependencies``). Nothing fetched is run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from chainsight.errors import ChainsightError
from chainsight.history.volunteers import ListEntry
from chainsight.registry.fetched import FetchedPackage, RegistryOptions
from chainsight.registry.target import Ecosystem, PackageTarget

Fetch = Callable[[PackageTarget], FetchedPackage]
Locate = Callable[[tuple[str, ...], Path | None], tuple[str | None, str | None, str]]


@dataclass(frozen=True)
class _Resolved:
    target: PackageTarget
    package: FetchedPackage | None
    error: str | None
    requires: frozenset[str]
    """Canonical names this package depends on."""


def _pypi_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _key(target: PackageTarget) -> tuple[Ecosystem, str]:
    return target.ecosystem, target.canonical_name


def _requires(package: FetchedPackage) -> frozenset[str]:
    from chainsight.sources.archive import find_member

    eco = package.target.ecosystem
    if eco is Ecosystem.PYPI:
        from chainsight.sources.pymetadata import read_core_metadata

        for role in ("wheel", "sdist"):
            f = next((x for x in package.files if x.role == role), None)
            if f is None:
                continue
            meta = read_core_metadata(f.path, f.filename)
            if meta is not None:
                matches = (re.match(r"\s*([A-Za-z0-9._-]+)", r) for r in meta.requires_dist)
                return frozenset(_pypi_name(m.group(1)) for m in matches if m)
        return frozenset()
    if eco is Ecosystem.NPM:
        f = next((x for x in package.files if x.role == "npm-tarball"), None)
        found = f and find_member(f.path, lambda n: n.split("/", 1)[-1] == "package.json")
        if not found:
            return frozenset()
        try:
            manifest = json.loads(found[1])
        except ValueError:
            return frozenset()
        names: set[str] = set()
        for field in ("dependencies", "optionalDependencies", "peerDependencies"):
            deps = manifest.get(field) if isinstance(manifest, dict) else None
            if isinstance(deps, dict):
                names.update(str(k).lower() for k in deps)
        return frozenset(names)
    return frozenset()  # Debian: build and runtime relations name binaries, not sources


def entries_for_targets(
    targets: Iterable[PackageTarget],
    options: RegistryOptions,
    cache_dir: Path | None,
    *,
    fetch: Fetch | None = None,
    locate: Locate | None = None,
) -> list[ListEntry]:
    """One volunteers-list entry per target: its repository (opened), how many other
    targets depend on it, or why it could not be found."""
    if fetch is None:
        from chainsight.registry.dispatch import front_end

        def fetch(target: PackageTarget) -> FetchedPackage:
            return front_end(target.ecosystem)[0](target, options)

    if locate is None:
        from chainsight.registry.source_discovery import locate_repository

        locate = locate_repository
    resolved: list[_Resolved] = []
    for target in dict.fromkeys(targets):
        try:
            package = fetch(target)
        except ChainsightError as exc:
            resolved.append(_Resolved(target, None, str(exc), frozenset()))
            continue
        resolved.append(_Resolved(target, package, None, _requires(package)))
    dependents: dict[tuple[Ecosystem, str], int] = {}
    for r in resolved:
        for name in r.requires:
            key = (r.target.ecosystem, name)
            dependents[key] = dependents.get(key, 0) + 1
    entries = []
    for r in resolved:
        count = dependents.get(_key(r.target), 0)
        name = str(r.package.target if r.package else r.target)
        if r.package is None:
            entries.append(ListEntry(name, count, name, error=r.error))
            continue
        local, url, reason = locate(r.package.source_urls, cache_dir)
        if local is None or url is None:
            entries.append(ListEntry(name, count, name, error=f"no repository: {reason}"))
            continue
        entries.append(ListEntry(url, count, name, local=local))
    return entries
