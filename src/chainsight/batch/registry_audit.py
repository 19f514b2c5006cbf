"""The default audit function of a batch: a registry package through the package audit.

``chainsight.registry.dispatch.audit_target`` (PyPI, npm, Debian front ends)
is imported in the worker on first use. Registry options (the download cache
and the HTTP client, which remembers unreachable hosts) are made once per
worker process and kept for all the targets it audits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainsight.model import AuditReport
from chainsight.registry.target import PackageTarget

_OPTIONS: dict[tuple[Any, ...], Any] = {}
"""Per worker process: RegistryOptions by their settings."""


@dataclass(frozen=True)
class RegistryAudit:
    """Picklable: sent to worker processes with each target."""

    cache_dir: Path | None = None
    offline: bool = False
    index_url: str | None = None
    npm_registry: str | None = None
    debian_mirror: str | None = None
    ioc: bool = True
    find_source: bool = True
    max_members: int | None = None
    max_total_bytes: int | None = None

    def options(self) -> Any:
        key = (self.cache_dir, self.offline, self.index_url, self.npm_registry, self.debian_mirror)
        if key not in _OPTIONS:
            from chainsight.registry.options import registry_options

            _OPTIONS[key] = registry_options(
                index_url=self.index_url,
                npm_registry=self.npm_registry,
                debian_mirror=self.debian_mirror,
                offline=self.offline,
                cache_dir=self.cache_dir,
            )
        return _OPTIONS[key]

    def __call__(self, target: PackageTarget) -> AuditReport:
        from dataclasses import replace

        from chainsight.limits import Limits
        from chainsight.registry.dispatch import PackageAuditOptions, audit_target

        limits = Limits()
        if self.max_members is not None:
            limits = replace(limits, max_members=self.max_members)
        if self.max_total_bytes is not None:
            limits = replace(limits, max_total_bytes=self.max_total_bytes)
        package_options = PackageAuditOptions(
            find_source=self.find_source,
            limits=limits,
            repo_cache_dir=self.cache_dir,
            ioc=self.ioc,
        )
        return audit_target(target, self.options(), package_options)
