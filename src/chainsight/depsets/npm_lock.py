"""npm's ``package-lock.json`` and ``npm-shrinkwrap.json`` (lockfileVersion 1, 2 and 3).

Versions 2 and 3 list every installed package under ``packages`` by its
``node_modules/...`` path (nested: ``node_modules/a/node_modules/b``); the
name is the part after the last ``node_modules/`` unless the entry has a
``name`` (aliases).  The root (``""``), workspace folders (keys without
``node_modules/``) and symlinks into them (``link: true``) are the project
itself and are skipped quietly.  Version 1 nests ``dependencies`` instead;
an alias is written ``npm:REAL@VERSION``.  Packages resolved from git, a
local path or a tarball URL are reported as not auditable.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from chainsight.depsets._common import expect_dict, load_json, make_target, text_of
from chainsight.depsets.interface import DepSet, DepsetError, DepsetFormat, EntryCollector, Origin
from chainsight.registry.target import Ecosystem

_NM = "node_modules/"
_GIT = re.compile(r"^(git\+|git:|github:|gitlab:|bitbucket:|gist:|[\w.-]+/[\w.-]+#)")
_MAX_V1_DEPTH = 200


def parse_npm_lock(path: Path) -> DepSet:
    doc = expect_dict(load_json(path), path, "the document")
    version = doc.get("lockfileVersion")
    if not isinstance(version, int):
        raise DepsetError(f"{path}: no lockfileVersion: not a package-lock.json")
    out = EntryCollector()
    origin = Origin(str(path))
    packages = doc.get("packages")
    if version >= 2 and isinstance(packages, dict):
        _read_packages(packages, out, origin)
    else:
        _read_v1(doc.get("dependencies", {}), out, origin, depth=0)
    return out.result(str(path), DepsetFormat.NPM_LOCK)


def _read_packages(packages: dict[str, Any], out: EntryCollector, origin: Origin) -> None:
    for key, entry in packages.items():
        if not key or _NM not in f"/{key}" or not isinstance(entry, dict):
            continue  # the root project or a workspace folder
        if entry.get("link") is True:
            continue  # a symlink to a workspace folder
        name = text_of(entry.get("name")) or key.rsplit(_NM, 1)[-1]
        resolved = text_of(entry.get("resolved")) or ""
        _add(name, text_of(entry.get("version")), resolved, key, out, origin)


def _read_v1(deps: Any, out: EntryCollector, origin: Origin, *, depth: int) -> None:
    if not isinstance(deps, dict) or depth > _MAX_V1_DEPTH:
        return
    for name, entry in deps.items():
        if not isinstance(entry, dict):
            continue
        version = text_of(entry.get("version"))
        if version and version.startswith("npm:"):  # alias: npm:real-name@1.2.3
            real, _, real_version = version[4:].rpartition("@")
            name, version = (real, real_version) if real else (name, version)
        resolved = text_of(entry.get("resolved")) or ""
        _add(name, version, resolved, name, out, origin)
        _read_v1(entry.get("dependencies"), out, origin, depth=depth + 1)


def _add(
    name: str,
    version: str | None,
    resolved: str,
    where: str,
    out: EntryCollector,
    origin: Origin,
) -> None:
    if version is None:
        out.problem(where, "cannot audit: no version recorded", origin)
        return
    for value in (version, resolved):
        if _GIT.match(value):
            out.problem(f"{where} {value}", "cannot audit: installed from git", origin)
            return
        if value.startswith("file:"):
            out.problem(f"{where} {value}", "cannot audit: a local package (file:)", origin)
            return
    if re.match(r"^https?://", version):
        out.problem(f"{where} {version}", "cannot audit: a tarball URL", origin)
        return
    target = make_target(Ecosystem.NPM, name, version)
    if isinstance(target, str):
        out.problem(f"{where} {version}", target, origin)
    else:
        out.add(target, origin)
