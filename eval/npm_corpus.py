"""Audit the latest releases of popular npm packages: findings, speed, memory.

    .venv/bin/python eval/npm_corpus.py --cache .eval-cache/npm-cold --fresh   # cold cache
    .venv/bin/python eval/npm_corpus.py --cache .eval-cache/npm-cold --offline # warm, no network
    .venv/bin/python eval/npm_corpus.py --json .eval-cache/npm.json --release-audits

For each package of ``eval/npm_packages.txt``: ``fetch_npm`` (packument and
verified tarball through the download cache) then ``npm_package_findings``
(install scripts and the files they run, runtime decode->execute, minified
files without source, registry manifest vs tarball). Prints one line per
package, the findings at medium or above, the minified/bundled file counts,
packages per minute and the peak resident memory after every tenth package
(to see whether it grows with the number of packages).

``--release-audits`` also runs ``chainsight audit TARBALL --source SNAPSHOT``
for the entries that name a repository snapshot (``/work/.mirror/OWNER+REPO/repo``,
read-only copies obtained for evaluation; GitHub is not reachable from here).

Data stays in the git-ignored ``.eval-cache/``. Nothing from a package is run.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainsight.analyzers.minified import is_js
from chainsight.analyzers.npm_package import npm_package_findings, opaque_files
from chainsight.errors import ChainsightError
from chainsight.registry.cache import DownloadCache
from chainsight.registry.fetched import RegistryOptions
from chainsight.registry.http import HttpClient
from chainsight.registry.npm import fetch_npm
from chainsight.registry.target import parse_target
from chainsight.sources.archive import read_archive

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MIRROR = Path("/work/.mirror")


@dataclass(frozen=True)
class Entry:
    spec: str
    repo: str | None


def read_list(path: Path) -> list[Entry]:
    out = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            parts = line.split()
            out.append(Entry(parts[0], parts[1] if len(parts) > 1 else None))
    return out


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def js_stats(path: Path) -> dict[str, int]:
    contents = read_archive(path)
    tree = contents.tree()
    opaque = opaque_files(tree)
    return {
        "files": len(contents.entries),
        "js_files": sum(1 for p in contents.entries if is_js(p)),
        "opaque": len(opaque),
        "opaque_with_source": sum(1 for o in opaque.values() if o.source is not None),
    }


def release_audit(tarball: Path, filename: str, repo: str, subdir: str | None) -> dict[str, Any]:
    """Run the CLI's release audit of the tarball against a repository snapshot."""
    source = MIRROR / repo.replace("/", "+") / "repo"
    if not source.is_dir():
        return {"error": f"no snapshot at {source}"}
    work = ROOT / ".eval-cache" / "npm-release"
    work.mkdir(parents=True, exist_ok=True)
    named = work / filename  # the file name gives the version for the tag lookup
    shutil.copyfile(tarball, named)
    out = work / (filename + ".json")
    cmd = [
        str(Path(sys.executable).parent / "chainsight"),
        "audit",
        str(named),
        "--source",
        str(source),
        "--format",
        "json",
        "--output",
        str(out),
        "--fail-on",
        "never",
    ]
    if subdir:
        cmd += ["--source-subdir", subdir]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or not out.exists():
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1], "seconds": elapsed}
    report = json.loads(out.read_text())
    return {
        "ref": report["source"]["ref"],
        "seconds": round(elapsed, 2),
        "summary": report["summary"],
        "at_least_medium": [
            (f["severity"], f["rule_id"], f["path"])
            for f in report["findings"]
            if f["severity"] in ("medium", "high", "critical")
        ],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--list", type=Path, default=HERE / "npm_packages.txt")
    ap.add_argument("--cache", type=Path, default=ROOT / ".eval-cache" / "npm-cache")
    ap.add_argument("--fresh", action="store_true", help="empty the cache first (cold run)")
    ap.add_argument("--offline", action="store_true", help="use the cache only (warm run)")
    ap.add_argument("--registry", default="https://registry.npmjs.org/")
    ap.add_argument("--json", type=Path, help="write per-package results here")
    ap.add_argument("--release-audits", action="store_true")
    ap.add_argument("--stats", action="store_true", help="count minified/bundled files")
    args = ap.parse_args()

    if args.fresh and args.cache.exists():
        shutil.rmtree(args.cache)
    options = RegistryOptions(
        cache=DownloadCache(args.cache),
        client=None if args.offline else HttpClient(),
        offline=args.offline,
        npm_registry=args.registry,
    )
    entries = read_list(args.list)
    results: list[dict[str, Any]] = []
    start = time.perf_counter()
    audited = 0
    memory: list[tuple[int, float]] = []
    for i, entry in enumerate(entries, 1):
        t0 = time.perf_counter()
        row: dict[str, Any] = {"spec": entry.spec}
        try:
            package = fetch_npm(parse_target("npm:" + entry.spec), options)
            t1 = time.perf_counter()
            findings = npm_package_findings(package)
            t2 = time.perf_counter()
        except ChainsightError as exc:
            row["error"] = str(exc)
            print(f"{entry.spec:28} ERROR {exc}")
            results.append(row)
            continue
        audited += 1
        by_sev: dict[str, int] = {}
        for f in findings:
            by_sev[f.severity.value] = by_sev.get(f.severity.value, 0) + 1
        tarball = package.files[0]
        row.update(
            target=str(package.target),
            size=tarball.path.stat().st_size,
            fetch_s=round(t1 - t0, 3),
            check_s=round(t2 - t1, 3),
            findings=by_sev,
            findings_list=[
                {"rule": f.rule_id, "severity": f.severity.value, "path": f.path, "title": f.title}
                for f in findings
            ],
            install_scripts=json.loads(package.metadata.get("install_scripts", "{}")),
            notes=list(package.notes),
        )
        if args.stats:
            row["stats"] = js_stats(tarball.path)
        high = [f for f in findings if f.severity.rank >= 3]
        print(
            f"{package.target!s:34} {tarball.path.stat().st_size / 1e6:7.2f} MB "
            f"fetch {t1 - t0:5.2f}s check {t2 - t1:5.2f}s  "
            + " ".join(f"{k}={v}" for k, v in sorted(by_sev.items()))
        )
        for f in findings:
            if f.severity.rank >= 2:
                print(f"    {f.severity.value:8} {f.rule_id:30} {f.path}  {f.title}")
        row["high"] = len(high)
        if args.release_audits and entry.repo:
            ra = release_audit(
                tarball.path,
                tarball.filename,
                entry.repo,
                package.metadata.get("source_subdir"),
            )
            row["release_audit"] = ra
            print(f"    release audit vs {entry.repo}: {json.dumps(ra)[:400]}")
        results.append(row)
        if i % 10 == 0:
            memory.append((i, rss_mib()))
    elapsed = time.perf_counter() - start
    memory.append((len(entries), rss_mib()))
    print()
    print(f"packages: {len(entries)}, audited: {audited}, errors: {len(entries) - audited}")
    print(f"packages with a finding >= high: {sum(1 for r in results if r.get('high'))}")
    print(f"wall time {elapsed:.1f} s = {audited / elapsed * 60:.1f} packages/minute")
    print("peak RSS after N packages: " + ", ".join(f"{n}: {m:.0f} MiB" for n, m in memory))
    if args.stats:
        keys = ("files", "js_files", "opaque", "opaque_with_source")
        totals = {k: sum(r.get("stats", {}).get(k, 0) for r in results) for k in keys}
        print("minified/bundled: " + json.dumps(totals))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        summary = {"elapsed_s": elapsed, "audited": audited, "memory": memory}
        args.json.write_text(json.dumps({"summary": summary, "packages": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
