"""Dependency sets: lock files, requirements files, SBOMs and dpkg status -> package targets.

``read_depset(path)`` detects the format (or takes ``fmt``) and returns a
:class:`DepSet`: the unique pinned targets with where each was declared, and
the entries that cannot be audited with the reason.  One module per format.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chainsight.depsets.interface import (
    DepEntry,
    DepProblem,
    DepSet,
    DepsetError,
    DepsetFormat,
    Origin,
)

__all__ = [
    "DepEntry",
    "DepProblem",
    "DepSet",
    "DepsetError",
    "DepsetFormat",
    "Origin",
    "detect_format",
    "read_depset",
]


def _parser(fmt: DepsetFormat) -> Callable[[Path], DepSet]:
    if fmt is DepsetFormat.REQUIREMENTS:
        from chainsight.depsets.requirements import parse_requirements

        return parse_requirements
    if fmt is DepsetFormat.PYLOCK:
        from chainsight.depsets.pylock import parse_pylock

        return parse_pylock
    if fmt is DepsetFormat.UV_LOCK:
        from chainsight.depsets.uv_lock import parse_uv_lock

        return parse_uv_lock
    if fmt is DepsetFormat.POETRY_LOCK:
        from chainsight.depsets.poetry_lock import parse_poetry_lock

        return parse_poetry_lock
    if fmt is DepsetFormat.NPM_LOCK:
        from chainsight.depsets.npm_lock import parse_npm_lock

        return parse_npm_lock
    if fmt is DepsetFormat.CYCLONEDX:
        from chainsight.depsets.sbom import parse_cyclonedx

        return parse_cyclonedx
    if fmt is DepsetFormat.SPDX:
        from chainsight.depsets.sbom import parse_spdx

        return parse_spdx
    from chainsight.depsets.dpkg_status import parse_dpkg_status

    return parse_dpkg_status


def detect_format(path: Path, head: bytes) -> DepsetFormat:
    """The format of ``path`` from its name, then its content (see :mod:`.detect`)."""
    from chainsight.depsets.detect import detect_format as detect

    return detect(path, head)


def read_depset(path: Path, fmt: DepsetFormat | None = None) -> DepSet:
    """Parse ``path`` as ``fmt`` (detected from its name and content when None)."""
    from chainsight.depsets._common import read_bytes

    if fmt is None:
        fmt = detect_format(path, read_bytes(path))
    return _parser(fmt)(path)
