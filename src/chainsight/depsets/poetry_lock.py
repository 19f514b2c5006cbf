"""Poetry's ``poetry.lock``.

Every ``[[package]]`` is a release unless its ``[package.source]`` says it
comes from ``git``, a ``directory``, a ``file`` or a ``url``.  Packages from a
secondary (``legacy``) index are audited by name and version like the rest.
"""

from __future__ import annotations

from pathlib import Path

from chainsight.depsets._common import expect_dict, load_toml, make_target, text_of
from chainsight.depsets.interface import DepSet, DepsetError, DepsetFormat, EntryCollector, Origin
from chainsight.registry.target import Ecosystem

_NOT_REGISTRY = {
    "git": "cannot audit: from a git repository, not a registry release",
    "directory": "cannot audit: from a local directory, not a registry release",
    "file": "cannot audit: from a local file, not a registry release",
    "url": "cannot audit: from a direct URL, not a registry release",
}


def parse_poetry_lock(path: Path) -> DepSet:
    doc = load_toml(path)
    packages = doc.get("package", [])
    if not isinstance(packages, list) or not isinstance(doc.get("metadata", {}), dict):
        raise DepsetError(f"{path}: no [[package]] array: not a poetry.lock file")
    out = EntryCollector()
    origin = Origin(str(path))
    for raw in packages:
        pkg = expect_dict(raw, path, "a [[package]] entry")
        name = text_of(pkg.get("name"))
        version = text_of(pkg.get("version"))
        if name is None:
            out.problem(str(pkg)[:80], "cannot audit: a package without a name", origin)
            continue
        source = pkg.get("source")
        kind = text_of(source.get("type")) if isinstance(source, dict) else None
        if kind in _NOT_REGISTRY:
            url = source.get("url", "") if isinstance(source, dict) else ""
            out.problem(f"{name} {url}".strip(), _NOT_REGISTRY[kind], origin)
            continue
        if version is None:
            out.problem(name, "cannot audit: not pinned (no version recorded)", origin)
            continue
        target = make_target(Ecosystem.PYPI, name, version)
        if isinstance(target, str):
            out.problem(f"{name} {version}", target, origin)
        else:
            out.add(target, origin)
    return out.result(str(path), DepsetFormat.POETRY_LOCK)
