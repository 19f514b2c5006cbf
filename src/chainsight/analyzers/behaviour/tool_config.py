"""Tool configuration files that make a build load code: ``.npmrc`` and CMake presets.

- ``.npmrc``: ``node-options`` is put into ``NODE_OPTIONS`` for every script npm
  runs (and the processes they start), so ``--require FILE``/``--import FILE``
  preloads FILE into each of them; ``script-shell`` replaces the shell npm runs
  scripts with.
- ``CMakePresets.json`` / ``CMakeUserPresets.json``: ``CMAKE_PROJECT_INCLUDE``,
  ``CMAKE_PROJECT_<NAME>_INCLUDE[_BEFORE]``, ``CMAKE_PROJECT_TOP_LEVEL_INCLUDES``
  and the toolchain file are CMake code that ``project()`` includes.

A file of a test or data directory loaded this way is code read from data (high);
a repository module preloaded by ``.npmrc`` or a local script shell is unusual
(medium). Read as text and JSON only.
"""

from __future__ import annotations

import json
import re

from chainsight.analyzers.behaviour import _flow as F
from chainsight.analyzers.behaviour._flow import Hit
from chainsight.model import Severity

_NODE_OPTIONS = re.compile(r"^\s*(node[-_]options|script[-_]shell)\s*=\s*(.*?)\s*$", re.I | re.M)
_PRELOAD = re.compile(
    r"(?:--require|-r|--import|--loader|--experimental-loader)(?:=|\s+)['\"]?([^\s'\"]+)"
)
_CMAKE_INCLUDE_VAR = re.compile(
    r"^CMAKE_(?:PROJECT_(?:\w+_)?INCLUDE(?:_BEFORE)?|PROJECT_TOP_LEVEL_INCLUDES|TOOLCHAIN_FILE)$"
)


def _is_data(path: str) -> bool:
    """A data file, or any file of a test tree (golden outputs, fixtures): not a build
    module, whatever its extension."""
    return bool(F.fixture_kind(path) or F.is_test_text(path) or F.in_test_tree(path))


def _local(path: str) -> str:
    return re.sub(r"^(?:\$\{sourceDir\}/|\$\{sourceParentDir\}/|\./)+", "", path)


def analyze_npmrc(text: str, path: str = "") -> list[Hit]:
    hits: list[Hit] = []
    for m in _NODE_OPTIONS.finditer(text):
        key, value = m.group(1).lower().replace("_", "-"), m.group(2)
        line = text.count("\n", 0, m.start()) + 1
        targets = [value] if key == "script-shell" else _PRELOAD.findall(value)
        for target in targets:
            local = _local(target)
            if key == "node-options" and not (
                target.startswith((".", "/")) or "/" in target
            ):  # a package name from node_modules
                continue
            if _is_data(local):
                hits.append(
                    Hit(
                        F.R_EVAL_COMPUTED,
                        Severity.HIGH,
                        line,
                        f".npmrc {key} makes every process npm starts load {local}, a test "
                        "or data file, as code.",
                        (local,),
                    )
                )
            else:
                hits.append(
                    Hit(
                        F.R_EVAL_COMPUTED,
                        Severity.MEDIUM,
                        line,
                        f".npmrc {key} makes every process npm starts load {local}.",
                        (),
                    )
                )
    return hits


def analyze_cmake_presets(text: str, path: str = "") -> list[Hit]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    hits: list[Hit] = []
    presets = data.get("configurePresets") if isinstance(data, dict) else None
    for preset in presets if isinstance(presets, list) else []:
        if not isinstance(preset, dict):
            continue
        values: list[tuple[str, object]] = [("toolchainFile", preset.get("toolchainFile"))]
        cache = preset.get("cacheVariables")
        if isinstance(cache, dict):
            values += [(k, v) for k, v in cache.items() if _CMAKE_INCLUDE_VAR.match(k)]
        for key, value in values:
            if isinstance(value, dict):
                value = value.get("value")
            if not isinstance(value, str):
                continue
            for item in value.split(";"):
                local = _local(item.strip())
                if local and _is_data(local):
                    needle = json.dumps(key)
                    pos = text.find(needle)
                    line = text.count("\n", 0, pos) + 1 if pos >= 0 else 1
                    hits.append(
                        Hit(
                            F.R_EVAL_COMPUTED,
                            Severity.HIGH,
                            line,
                            f"CMake preset {key} makes project() include {local}, a test or "
                            "data file, as CMake code.",
                            (local,),
                        )
                    )
    return hits
