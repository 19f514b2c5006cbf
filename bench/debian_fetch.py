"""Benchmark the deb: front end against plain baselines measured in the same run.

Prints two ratios (not absolute timings alone, which depend on the machine):

* **index load**: loading a suite's Sources (gpgv on InRelease, sha256 of
  Sources.xz, decompression checked against InRelease, building the name
  index) relative to bare ``lzma`` decompression of the same Sources.xz;
* **warm fetch**: ``fetch_deb`` of packages already in the cache (index lookup,
  paragraph parse, cache hits, .dsc cross-check, linking by name, reading
  debian/) relative to hashing the same files with sha256.

Needs the network once (or a cache filled by ``eval/debian_packages.py``):

    .venv/bin/python bench/debian_fetch.py --cache .eval-cache/deb-downloads
"""

from __future__ import annotations

import argparse
import hashlib
import lzma
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "hello",
    "xz-utils",
    "zlib",
    "openssh",
    "curl",
    "bash",
    "gzip",
    "tar",
    "coreutils",
    "file",
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=ROOT / ".eval-cache" / "deb-downloads")
    ap.add_argument("--suite", default="bookworm")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from chainsight.registry import debian as deb
    from chainsight.registry.cache import DownloadCache
    from chainsight.registry.debian import DebianConfig, default_config, fetch_deb
    from chainsight.registry.debian_archive import Suite
    from chainsight.registry.fetched import RegistryOptions
    from chainsight.registry.http import HttpClient
    from chainsight.registry.target import parse_target

    options = RegistryOptions(DownloadCache(args.cache), HttpClient())
    mirror = default_config(options).suites[0].mirror
    config = DebianConfig((Suite(mirror, args.suite),))
    targets = [parse_target(f"deb:{p}") for p in PACKAGES]
    fetched = [fetch_deb(t, options, config) for t in targets]  # fill the cache

    load, base_load, warm, base_warm = [], [], [], []
    for _ in range(args.runs):
        deb._ARCHIVES.clear()  # a new process, as far as the index is concerned
        t0 = time.perf_counter()
        archive = deb._archive(options, config)
        index = archive.sources(config.suites[0], "main")
        load.append(time.perf_counter() - t0)
        assert index is not None
        rel = index.release.sha256["main/source/Sources.xz"][0]
        xz = options.cache.lookup({"sha256": rel})
        assert xz is not None
        t0 = time.perf_counter()
        with lzma.open(xz) as fh:
            while fh.read(1 << 20):
                pass
        base_load.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        for t in targets:
            fetch_deb(t, options, config)
        warm.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for pkg in fetched:
            for f in pkg.files:
                hashlib.sha256(f.path.read_bytes()).hexdigest()
        base_warm.append(time.perf_counter() - t0)

    med = statistics.median
    print(f"suite {args.suite}: {len(index)} source packages indexed")
    print(
        f"index load   {med(load):6.2f} s  vs lzma decompression {med(base_load):6.2f} s  "
        f"ratio {med(load) / med(base_load):.2f}"
    )
    print(
        f"warm fetch   {med(warm) / len(targets) * 1000:6.1f} ms/package  vs sha256 of its files "
        f"{med(base_warm) / len(targets) * 1000:6.1f} ms  ratio {med(warm) / med(base_warm):.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
