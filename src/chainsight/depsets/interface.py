"""What every dependency-set parser returns: the targets to audit and the entries it cannot.

A parser never raises for one bad entry; it records a :class:`DepProblem`
(shown to the user as a target that could not be audited) and goes on.  Only a
file that cannot be read at all raises :class:`DepsetError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chainsight.errors import ChainsightError
from chainsight.registry.target import PackageTarget


class DepsetError(ChainsightError):
    """A dependency-set file cannot be read at all (missing, not JSON/TOML, wrong format)."""


class DepsetFormat(StrEnum):
    REQUIREMENTS = "requirements"
    PYLOCK = "pylock"
    UV_LOCK = "uv-lock"
    POETRY_LOCK = "poetry-lock"
    NPM_LOCK = "npm-lock"
    CYCLONEDX = "cyclonedx"
    SPDX = "spdx"
    DPKG_STATUS = "dpkg-status"


@dataclass(frozen=True)
class Origin:
    """Where an entry was declared, for messages and SARIF locations."""

    path: str
    line: int | None = None
    """1-based line of the entry when the format is line-based, else None."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class DepEntry:
    """A package release to audit, and where the set declared it."""

    target: PackageTarget
    origin: Origin


@dataclass(frozen=True)
class DepProblem:
    """An entry that names something chainsight cannot audit, with the reason."""

    entry: str
    """The entry as the file writes it (or a short description), one line."""
    reason: str
    """Why it cannot be audited, starting with ``cannot audit:``."""
    origin: Origin


@dataclass(frozen=True)
class DepSet:
    """One parsed dependency-set file."""

    path: str
    format: DepsetFormat
    entries: tuple[DepEntry, ...]
    """Unique targets, in the order the file first names them."""
    problems: tuple[DepProblem, ...]


class EntryCollector:
    """Accumulates entries (deduplicated by target) and problems while a parser runs."""

    def __init__(self) -> None:
        self._entries: dict[PackageTarget, DepEntry] = {}
        self._problems: list[DepProblem] = []

    def add(self, target: PackageTarget, origin: Origin) -> None:
        self._entries.setdefault(target, DepEntry(target, origin))

    def problem(self, entry: str, reason: str, origin: Origin) -> None:
        entry = " ".join(entry.split())
        if len(entry) > 200:
            entry = entry[:199] + "…"
        self._problems.append(DepProblem(entry, reason, origin))

    def result(
        self, path: str, fmt: DepsetFormat, *, problem_order: list[str] | None = None
    ) -> DepSet:
        """The set; with ``problem_order`` (file paths), problems sorted by file then line."""
        problems = self._problems
        if problem_order is not None:
            rank = {p: i for i, p in reversed(list(enumerate(problem_order)))}
            problems = sorted(
                problems, key=lambda p: (rank.get(p.origin.path, len(rank)), p.origin.line or 0)
            )
        return DepSet(path, fmt, tuple(self._entries.values()), tuple(problems))
