"""Typed errors. Each carries a one-line message meant for the user."""

from __future__ import annotations


class ChainsightError(Exception):
    """Base class: the CLI prints ``str(error)`` on one line and exits 2."""


class UsageError(ChainsightError):
    """The command line asks for something that cannot be done."""


class ArtifactError(ChainsightError):
    """The artifact cannot be read at all (not a partial result)."""


class SourceError(ChainsightError):
    """The source repository cannot be opened or cloned."""


class RefNotFoundError(SourceError):
    """No tag matches the release; the message lists the nearest tags."""
