"""The default audit function of a batch: a registry package through the package audit.

``chainsight.registry.dispatch.audit_target`` (PyPI, npm, Debian front ends)
is imported lazily, in the worker, on first use.  Registry options (the
download cache and the HTTP client, which remembers unreachable hosts) are
made once per worker process and kept for all the targets it audits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainsight.errors import ChainsightError
from chainsight.model import AuditReport
from chainsight.registry.target import PackageTarget

_OPTIONS: dict[tuple[Any, ...], Any] = {}
"""Per worker process: RegistryOptions by their settings."""


@dataclass(frozen=True)
class RegistryAudit:
    """Picklable: sent to worker processes with each target."""

    cache_dir: Path | None = None
    offline: bool = False

    def options(self) -> Any:
        key = (self.cache_dir, self.offline)
        if key not in _OPTIONS:
            from chainsight.registry.cache import DownloadCache
            from chainsight.registry.fetched import RegistryOptions
            from chainsight.registry.http import HttpClient

            cache = DownloadCache(self.cache_dir / "downloads" if self.cache_dir else None)
            client = None if self.offline else HttpClient()
            _OPTIONS[key] = RegistryOptions(cache=cache, client=client, offline=self.offline)
        return _OPTIONS[key]

    def __call__(self, target: PackageTarget) -> AuditReport:
        try:
            from chainsight.registry.dispatch import audit_target  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            raise ChainsightError(
                "package targets need chainsight.registry.dispatch, which this build lacks"
            ) from None
        report: AuditReport = audit_target(target, self.options())
        return report
