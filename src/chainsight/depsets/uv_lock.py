"""uv's ``uv.lock``.

Every ``[[package]]`` from a ``registry`` source is a release.  The project's
own packages (``virtual``, ``editable``, workspace ``directory`` members) are
not dependencies and are skipped quietly; ``git``, ``path``, ``url`` and other
``directory`` sources are reported as not auditable.
"""

from __future__ import annotations

from pathlib import Path

from chainsight.depsets._common import expect_dict, load_toml, make_target, text_of
from chainsight.depsets.interface import DepSet, DepsetError, DepsetFormat, EntryCollector, Origin
from chainsight.registry.target import Ecosystem

_PROJECT_SOURCES = {"virtual", "editable"}
_NOT_REGISTRY = {
    "git": "cannot audit: from a git repository, not a registry release",
    "path": "cannot audit: from a local file, not a registry release",
    "url": "cannot audit: from a direct URL, not a registry release",
    "directory": "cannot audit: from a local directory, not a registry release",
}


def parse_uv_lock(path: Path) -> DepSet:
    doc = load_toml(path)
    packages = doc.get("package", [])
    if "version" not in doc or not isinstance(packages, list):
        raise DepsetError(f"{path}: no version or [[package]] array: not a uv.lock file")
    out = EntryCollector()
    origin = Origin(str(path))
    for raw in packages:
        pkg = expect_dict(raw, path, "a [[package]] entry")
        name = text_of(pkg.get("name"))
        if name is None:
            out.problem(str(pkg)[:80], "cannot audit: a package without a name", origin)
            continue
        source = pkg.get("source", {})
        kinds = set(source) if isinstance(source, dict) else set()
        if kinds & _PROJECT_SOURCES:
            continue  # the project itself or a workspace member, not a dependency
        if "registry" not in kinds:
            kind = next((k for k in _NOT_REGISTRY if k in kinds), None)
            reason = _NOT_REGISTRY[kind] if kind else "cannot audit: unknown source"
            out.problem(f"{name} {source}", reason, origin)
            continue
        version = text_of(pkg.get("version"))
        if version is None:
            out.problem(name, "cannot audit: not pinned (no version recorded)", origin)
            continue
        target = make_target(Ecosystem.PYPI, name, version)
        if isinstance(target, str):
            out.problem(f"{name} {version}", target, origin)
        else:
            out.add(target, origin)
    return out.result(str(path), DepsetFormat.UV_LOCK)
