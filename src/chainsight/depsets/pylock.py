"""PEP 751 lock files (``pylock.toml``, ``pylock.NAME.toml``).

Each ``[[packages]]`` entry with a ``version`` and ``sdist``/``wheels`` (or
neither: the index is the source) is a PyPI release.  Entries installed from
``vcs``, ``directory`` or ``archive`` are not registry releases and are
reported as such.  Markers are kept, not evaluated.
"""

from __future__ import annotations

from pathlib import Path

from chainsight.depsets._common import expect_dict, load_toml, make_target, text_of
from chainsight.depsets.interface import DepSet, DepsetError, DepsetFormat, EntryCollector, Origin
from chainsight.registry.target import Ecosystem

_NOT_FROM_INDEX = {
    "vcs": "cannot audit: installed from a VCS repository, not a registry release",
    "directory": "cannot audit: installed from a local directory, not a registry release",
    "archive": "cannot audit: installed from an archive URL or path, not a registry release",
}


def parse_pylock(path: Path) -> DepSet:
    doc = load_toml(path)
    if "lock-version" not in doc:
        raise DepsetError(f"{path}: no lock-version: not a PEP 751 lock file")
    packages = doc.get("packages", [])
    if not isinstance(packages, list):
        raise DepsetError(f"{path}: packages is not an array of tables")
    out = EntryCollector()
    origin = Origin(str(path))
    for raw in packages:
        pkg = expect_dict(raw, path, "a packages entry")
        name = text_of(pkg.get("name"))
        if name is None:
            out.problem(str(pkg)[:80], "cannot audit: a package without a name", origin)
            continue
        kind = next((k for k in _NOT_FROM_INDEX if k in pkg), None)
        if kind is not None:
            out.problem(name, _NOT_FROM_INDEX[kind], origin)
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
    return out.result(str(path), DepsetFormat.PYLOCK)
