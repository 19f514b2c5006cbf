"""RegistryOptions from command-line values, following pip's and npm's conventions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chainsight.registry.cache import DownloadCache
from chainsight.registry.fetched import RegistryOptions
from chainsight.registry.http import HttpClient
from chainsight.sources.git import default_cache_dir


def registry_options(
    *,
    index_url: str | None = None,
    npm_registry: str | None = None,
    debian_mirror: str | None = None,
    offline: bool = False,
    cache_dir: Path | None = None,
    progress: Callable[[str], Callable[[int, int | None], None]] | None = None,
    max_wheels: int = 1,
) -> RegistryOptions:
    """``index_url``: ``--index-url`` (the CLI reads ``PIP_INDEX_URL``); None falls back
    to pip's configuration files, then PyPI.  ``cache_dir``: the chainsight cache root
    (``~/.cache/chainsight``, ``CHAINSIGHT_CACHE``); downloads go to ``downloads/``."""
    from chainsight.registry.npm import configured_npm_registry
    from chainsight.registry.pypi import pip_index_url

    root = cache_dir if cache_dir is not None else default_cache_dir()
    return RegistryOptions(
        cache=DownloadCache(root / "downloads"),
        client=None if offline else HttpClient(),
        offline=offline,
        pypi_index_url=pip_index_url(index_url),
        npm_registry=npm_registry or configured_npm_registry(),
        debian_mirror=debian_mirror,
        progress=progress,
        max_wheels=max_wheels,
    )


def effective_registries(
    index_url: str | None, npm_registry: str | None, debian_mirror: str | None
) -> dict[str, str | None]:
    """The registries a run will really use, with pip.conf, ``.npmrc`` and the APT
    sources applied: what a batch resumed from the store must match. The command
    line's Debian mirror is kept as given (it changes how suites are chosen)."""
    from chainsight.registry.debian import default_config

    options = registry_options(
        index_url=index_url, npm_registry=npm_registry, debian_mirror=debian_mirror, offline=True
    )
    suites = default_config(options).suites
    return {
        "index_url": options.pypi_index_url,
        "npm_registry": options.npm_registry,
        "debian_mirror": debian_mirror,
        "debian_suites": " ".join(f"{s.mirror} {s.name}" for s in suites),
    }
