"""Files a release's build imports or compiles and runs, though not by a build-file name.

Read from the release's own declarations, never by running anything:

- an in-tree PEP 517 backend: ``build-backend`` loaded from a ``backend-path``
  directory of pyproject.toml's ``[build-system]`` (its top-level package, whole);
- setuptools hooks: the modules of ``[tool.setuptools.cmdclass]`` and of
  ``[tool.setuptools.dynamic]`` ``attr`` values in pyproject.toml, and of
  ``attr:`` values in setup.cfg (setuptools imports a module whose value is not a
  plain literal);
- a Rust procedural-macro crate (``proc-macro = true`` in Cargo.toml's ``[lib]``):
  its ``src/`` is compiled into the compiler and runs whenever a dependent builds;
- a Cargo build script named by ``build = "…"`` in Cargo.toml's ``[package]``;
- poetry-core's build script (``[tool.poetry.build] script``, or poetry 1's
  ``[tool.poetry] build``), which the generated ``setup.py`` imports.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from typing import Any

from chainsight.trees import FileTree

_SETUP_CFG_ATTR = re.compile(r"^\s*[\w-]+\s*=\s*attr:\s*([\w.]+)\s*$", re.MULTILINE)


def _toml(tree: FileTree, path: str) -> dict[str, Any]:
    data = tree.read(path) if path in tree else None
    if not data or len(data) > 1024 * 1024:
        return {}
    try:
        value = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _table(value: object, *keys: str) -> dict[str, Any]:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def _backend(tree: FileTree, pyproject: dict[str, Any]) -> set[str]:
    system = _table(pyproject, "build-system")
    backend, dirs = system.get("build-backend"), system.get("backend-path")
    if not isinstance(backend, str) or not isinstance(dirs, list):
        return set()
    package = backend.split(":", 1)[0].split(".", 1)[0].strip()
    if not package.isidentifier():
        return set()
    out: set[str] = set()
    for d in dirs:
        if not isinstance(d, str):
            continue
        root = posixpath.normpath(d.replace("\\", "/")).strip("/")
        base = package if root in ("", ".") else f"{root}/{package}"
        out.update(
            p for p in tree if p.endswith(".py") and (p == base + ".py" or p.startswith(base + "/"))
        )
    return out


def _module_files(tree: FileTree, module: str, roots: list[str]) -> set[str]:
    """The file of a dotted module name under the package roots (``""``, ``src``, …)."""
    if not all(part.isidentifier() for part in module.split(".")):
        return set()
    rel = module.replace(".", "/")
    wanted = set()
    for root in roots:
        prefix = f"{root}/" if root else ""
        wanted |= {f"{prefix}{rel}.py", f"{prefix}{rel}/__init__.py"}
    return {p for p in wanted if p in tree}


def _setuptools(tree: FileTree, pyproject: dict[str, Any]) -> set[str]:
    tool = _table(pyproject, "tool", "setuptools")
    roots = ["", "src"]
    where = _table(tool, "packages", "find").get("where")
    if isinstance(where, list):
        roots += [w.strip("/") for w in where if isinstance(w, str)]
    package_dir = tool.get("package-dir")
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        roots.append(package_dir[""].strip("/"))
    modules: list[str] = []
    for value in _table(tool, "cmdclass").values():
        if isinstance(value, str) and "." in value:
            modules.append(value.rsplit(".", 1)[0])  # module.Class
    for value in _table(tool, "dynamic").values():
        attr = value.get("attr") if isinstance(value, dict) else None
        if isinstance(attr, str) and "." in attr:
            modules.append(attr.rsplit(".", 1)[0])  # module.attribute
    cfg = tree.read("setup.cfg") if "setup.cfg" in tree else None
    if cfg and len(cfg) < 1024 * 1024:
        for m in _SETUP_CFG_ATTR.finditer(cfg.decode("utf-8", "replace")):
            if "." in m.group(1):
                modules.append(m.group(1).rsplit(".", 1)[0])
    out: set[str] = set()
    for module in modules:
        out |= _module_files(tree, module, roots)
    return out


def _proc_macro(tree: FileTree) -> set[str]:
    out: set[str] = set()
    for manifest in [p for p in tree if posixpath.basename(p) == "Cargo.toml"]:
        lib = _table(_toml(tree, manifest), "lib")
        if lib.get("proc-macro") is not True and lib.get("proc_macro") is not True:
            continue
        crate = posixpath.dirname(manifest)
        src = f"{crate}/src/" if crate else "src/"
        out |= {p for p in tree if p.startswith(src) and p.endswith(".rs")}
        path = lib.get("path")
        if isinstance(path, str):
            target = posixpath.normpath(posixpath.join(crate, path))
            if target in tree:
                out.add(target)
    return out


def _declared_scripts(tree: FileTree, pyproject: dict[str, Any]) -> set[str]:
    """Build scripts named in a manifest: Cargo's ``build``, poetry's build script."""
    out: set[str] = set()
    poetry = _table(pyproject, "tool", "poetry")
    for value in (_table(poetry, "build").get("script"), poetry.get("build")):
        if isinstance(value, str) and value in tree:
            out.add(value)
    for manifest in [p for p in tree if posixpath.basename(p) == "Cargo.toml"]:
        build = _table(_toml(tree, manifest), "package").get("build")
        if isinstance(build, str):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(manifest), build))
            if target in tree:
                out.add(target)
    return out


def build_hook_files(tree: FileTree) -> frozenset[str]:
    """Every file of ``tree`` that its build imports or runs by declaration (above)."""
    pyproject = _toml(tree, "pyproject.toml")
    return frozenset(
        _backend(tree, pyproject)
        | _setuptools(tree, pyproject)
        | _proc_macro(tree)
        | _declared_scripts(tree, pyproject)
    )
