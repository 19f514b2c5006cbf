"""Audit the latest release of popular PyPI projects, sdist against wheel.

For each name in eval/pypi_popular.txt: resolve the newest release on the index
(PIP_INDEX_URL or PyPI), download its sdist and wheel into a download cache under
.eval-cache/ (git-ignored), and run the package audit without a repository
(``chainsight audit pypi:NAME --no-source``, in this one process, one package after
the other, as a batch does).  Prints per package the files, time and findings at
or above ``high`` (with evidence), then totals: packages per minute, peak RSS
after every 20 packages (memory must stay flat), and as a baseline measured in the
same run, the time to read every downloaded file and sha256 it.

    .venv/bin/python eval/pypi_corpus.py --cache .eval-cache/pypi-cold --fresh  # cold
    .venv/bin/python eval/pypi_corpus.py --cache .eval-cache/pypi-cold          # warm
    .venv/bin/python eval/pypi_corpus.py --only setuptools numpy --show-info

Nothing downloaded is run: chainsight reads the archives as streams.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HIGH_UP = ("high", "critical")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=ROOT / ".eval-cache" / "pypi")
    ap.add_argument("--fresh", action="store_true", help="empty the cache first (cold run)")
    ap.add_argument("--offline", action="store_true", help="use only the cache")
    ap.add_argument("--list", type=Path, default=ROOT / "eval" / "pypi_popular.txt")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--show-info", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    from chainsight.errors import ChainsightError
    from chainsight.registry.dispatch import PackageAuditOptions, audit_target
    from chainsight.registry.options import registry_options
    from chainsight.registry.target import parse_target

    if args.fresh and args.cache.exists():
        shutil.rmtree(args.cache)
    names = args.only or [
        ln.strip() for ln in args.list.read_text().splitlines() if ln.strip() and ln[0] != "#"
    ]
    options = registry_options(offline=args.offline, cache_dir=args.cache)
    audit_options = PackageAuditOptions(find_source=False)
    rows: list[dict[str, Any]] = []
    rss: list[tuple[int, int]] = []
    start = time.perf_counter()
    for n, name in enumerate(names, 1):
        t0 = time.perf_counter()
        row: dict[str, Any] = {"name": name}
        try:
            report = audit_target(parse_target(f"pypi:{name}"), options, audit_options)
        except ChainsightError as exc:
            row.update(status="error", error=str(exc), seconds=time.perf_counter() - t0)
            rows.append(row)
            print(f"{name:28} ERROR {exc}", flush=True)
            continue
        assert report.package is not None
        roles = [f.role for f in report.package.files]
        row.update(
            status="ok",
            target=report.package.target,
            files=[f.filename for f in report.package.files],
            pair="sdist" in roles and "wheel" in roles,
            seconds=time.perf_counter() - t0,
            findings=[
                {
                    "rule_id": f.rule_id,
                    "severity": f.severity.value,
                    "path": f.path,
                    "evidence": [e.text for e in f.evidence],
                }
                for f in report.findings
            ],
            notes=list(report.package.notes),
        )
        rows.append(row)
        high = [f for f in row["findings"] if f["severity"] in HIGH_UP]
        shown = row["findings"] if args.show_info else high
        mark = "pair" if row["pair"] else "----"
        print(
            f"{name:28} {mark} {row['seconds']:6.2f}s  high+: {len(high)}  {row['target']}",
            flush=True,
        )
        for f in shown:
            print(f"      [{f['severity']}] {f['rule_id']} {f['path']}")
            for e in f["evidence"][:5]:
                print(f"          {e[:150]}")
        if n % 20 == 0 or n == len(names):
            rss.append((n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024))
    elapsed = time.perf_counter() - start

    # baseline, same run: read and sha256 every file that was audited
    t0 = time.perf_counter()
    nbytes = 0
    for path in (args.cache / "downloads" / "blobs" / "sha256").rglob("*"):
        if path.is_file():
            h = hashlib.sha256()
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
                    nbytes += len(chunk)
    baseline = time.perf_counter() - t0

    ok = [r for r in rows if r["status"] == "ok"]
    pairs = [r for r in ok if r["pair"]]
    severities: Counter[str] = Counter(f["severity"] for r in ok for f in r["findings"])
    with_high = [r["name"] for r in pairs if any(f["severity"] in HIGH_UP for f in r["findings"])]
    print()
    print(
        f"packages: {len(rows)}, audited: {len(ok)}, sdist+wheel pairs: {len(pairs)}, "
        f"errors: {len(rows) - len(ok)}"
    )
    print(f"findings by severity: {dict(severities)}")
    print(f"pairs with a finding >= high: {len(with_high)} {with_high}")
    print(
        f"elapsed {elapsed:.1f}s -> {len(rows) / elapsed * 60:.0f} packages/min "
        f"({nbytes / 1e6:.0f} MB of files)"
    )
    print(
        f"baseline (read + sha256 every file): {baseline:.2f}s; "
        f"audit/baseline = {elapsed / max(baseline, 1e-9):.1f}x"
    )
    print("peak RSS (MiB) after N packages: " + ", ".join(f"{n}:{m}" for n, m in rss))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {"rows": rows, "rss": rss, "elapsed": elapsed, "baseline": baseline}, indent=1
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
