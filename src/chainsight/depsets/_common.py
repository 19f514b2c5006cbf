"""Helpers shared by the parsers: validated targets and file reading."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from chainsight.depsets.interface import DepsetError
from chainsight.errors import UsageError
from chainsight.registry.target import Ecosystem, PackageTarget, parse_target

MAX_FILE_BYTES = 256 * 1024 * 1024
"""A dependency set larger than this is not a dependency set."""

_SEP = {Ecosystem.PYPI: "==", Ecosystem.NPM: "@", Ecosystem.DEB: "="}


def make_target(ecosystem: Ecosystem, name: str, version: str) -> PackageTarget | str:
    """A validated pinned target, or the reason it is not one (``cannot audit: ...``)."""
    try:
        return parse_target(f"{ecosystem.value}:{name}{_SEP[ecosystem]}{version}")
    except UsageError as exc:
        return f"cannot audit: {exc}"


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DepsetError(f"{path}: {size} bytes is too large for a dependency set")
        return path.read_bytes()
    except FileNotFoundError:
        raise DepsetError(f"dependency set {path} does not exist") from None
    except IsADirectoryError:
        raise DepsetError(f"dependency set {path} is a directory, not a file") from None
    except OSError as exc:
        raise DepsetError(f"cannot read {path}: {exc.strerror or exc}") from None


def read_text(path: Path) -> str:
    return read_bytes(path).decode("utf-8-sig", errors="replace")


def load_json(path: Path) -> Any:
    try:
        return json.loads(read_bytes(path))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DepsetError(f"{path} is not valid JSON: {exc}") from None


def load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise DepsetError(f"{path} is not valid TOML: {exc}") from None


def expect_dict(value: Any, path: Path, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DepsetError(f"{path}: {what} is not a table/object")
    return value


def text_of(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
