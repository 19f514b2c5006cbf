"""Audit real Debian source packages through the deb: front end (evaluation, not a test).

For each package: fetch it with ``fetch_deb`` (InRelease -> Sources -> .dsc ->
files, all verified), run the Debian package checks (upstream signature,
patches), and — with ``--audit`` and a repository snapshot from
``eval/corpus.toml`` — the release audit of the fetched ``.dsc`` against the
repository.  Prints one row per package and the figures docs/evaluation.md and
docs/performance.md record.  Downloads live in ``.eval-cache/`` (git-ignored).

    .venv/bin/python eval/debian_packages.py --cold        # empty cache first
    .venv/bin/python eval/debian_packages.py               # warm: same cache again
    .venv/bin/python eval/debian_packages.py --audit --json .eval-cache/deb-eval.json

``--suites`` picks the suites searched (default: the user's APT sources plus
bullseye..sid).  This machine's mirror lacks many trixie/sid pool files, so
the recorded runs use ``--suites bookworm,bookworm-updates,bookworm-security``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".eval-cache"
MIRROR = Path("/work/.mirror")

EXTRA = [
    "hello",
    "openssh",
    "zlib",
    "sudo",
    "bash",
    "gzip",
    "tar",
    "openssl",
    "coreutils",
    "systemd",
    "python3.11",
]
"""Well-known packages beyond the corpus (newest version in the searched suites)."""


def corpus() -> list[dict[str, Any]]:
    with (ROOT / "eval" / "corpus.toml").open("rb") as fh:
        return [r for r in tomllib.load(fh)["release"] if r.get("kind") == "debian"]


def repo_of(entry: dict[str, Any]) -> Path | None:
    owner, name = entry["repo"].split("/", 1)
    for cand in (MIRROR / f"{owner}+{name}" / "repo", MIRROR / f"{owner}+{name}"):
        if (cand / "HEAD").exists():
            return cand
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=CACHE / "deb-downloads")
    ap.add_argument("--cold", action="store_true", help="delete the download cache first")
    ap.add_argument("--suites", default="bookworm,bookworm-updates,bookworm-security")
    ap.add_argument("--audit", action="store_true", help="also audit the .dsc against the repo")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--only", help="comma-separated source package names")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    from chainsight.analyzers.debian_package import debian_package_findings
    from chainsight.registry.cache import DownloadCache
    from chainsight.registry.debian import DebianConfig, default_config, fetch_deb
    from chainsight.registry.debian_archive import Suite
    from chainsight.registry.fetched import RegistryOptions
    from chainsight.registry.http import HttpClient
    from chainsight.registry.target import parse_target

    if args.cold and args.cache.exists():
        shutil.rmtree(args.cache)
    options = RegistryOptions(DownloadCache(args.cache), HttpClient())
    config = default_config(options)
    if args.suites != "default":
        wanted = args.suites.split(",")
        mirror = config.suites[0].mirror
        by_name = {s.name: s for s in config.suites}
        config = DebianConfig(tuple(by_name.get(n, Suite(mirror, n)) for n in wanted))

    entries = [(f"deb:{e['debian']}", e) for e in corpus()] + [(f"deb:{n}", None) for n in EXTRA]
    if args.only:
        keep = set(args.only.split(","))
        entries = [(t, e) for t, e in entries if t[4:].split("=")[0] in keep]
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    for text, entry in entries:
        row: dict[str, Any] = {"target": text}
        t0 = time.perf_counter()
        try:
            fetched = fetch_deb(parse_target(text), options, config)
            row["fetch_s"] = round(time.perf_counter() - t0, 3)
            row["version"] = fetched.target.version
            row["source_urls"] = list(fetched.source_urls)
            t1 = time.perf_counter()
            findings = debian_package_findings(fetched)
            row["checks_s"] = round(time.perf_counter() - t1, 3)
            row["findings"] = [
                {"rule": f.rule_id, "severity": f.severity.value, "title": f.title}
                for f in findings
            ]
            if args.audit and entry is not None and (repo := repo_of(entry)) is not None:
                row["audit"] = _audit(fetched, repo, entry)
        except Exception as exc:  # an evaluation keeps going; the row says what broke
            row["error"] = f"{type(exc).__name__}: {exc}"
        row["total_s"] = round(time.perf_counter() - t0, 3)
        rows.append(row)
        _print_row(row)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    high = sum(
        1 for r in rows for f in r.get("findings", []) if f["severity"] in ("high", "critical")
    )
    audit_high = sum(r.get("audit", {}).get("high_or_above", 0) for r in rows)
    sev = Counter(f["severity"] for r in rows for f in r.get("findings", []))
    errors = sum(1 for r in rows if "error" in r)
    print(
        f"\n{len(rows)} packages, {errors} errors, {elapsed:.1f} s in all "
        f"({elapsed / max(len(rows), 1):.2f} s per package), peak RSS {peak:.0f} MiB"
    )
    print(f"Debian-check findings by severity: {dict(sev)}; at high or above: {high}")
    if args.audit:
        print(f"release-audit findings at high or above: {audit_high}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows, "elapsed_s": elapsed, "peak_mib": peak}))
    return 0


def _audit(fetched: Any, repo: Path, entry: dict[str, Any]) -> dict[str, Any]:
    from chainsight.audit import AuditRequest, audit
    from chainsight.errors import RefNotFoundError

    dsc = next(f.path for f in fetched.files if f.role == "dsc")
    t0 = time.perf_counter()
    try:
        report = audit(AuditRequest(dsc, str(repo)))
    except RefNotFoundError:
        report = audit(AuditRequest(dsc, str(repo), ref=entry["tag"]))
    worst = [f for f in report.findings if f.severity.rank >= 3]
    return {
        "seconds": round(time.perf_counter() - t0, 2),
        "ref": report.source.ref,
        "findings": len(report.findings),
        "high_or_above": len(worst),
        "high_rules": sorted({f"{f.rule_id}:{f.path}" for f in worst}),
        "partial": report.partial,
    }


def _print_row(row: dict[str, Any]) -> None:
    if "error" in row:
        print(f"{row['target']:<34} ERROR {row['error'][:150]}")
        return
    sev = Counter(f["severity"] for f in row["findings"])
    rules = ",".join(sorted({f["rule"].removeprefix("deb-") for f in row["findings"]}))
    audit = row.get("audit")
    extra = f" audit {audit['seconds']}s high={audit['high_or_above']}" if audit else ""
    print(
        f"{row['target']:<34} {row['version']:<24} fetch {row['fetch_s']:>6.2f}s "
        f"checks {row['checks_s']:>5.2f}s  {dict(sev)} [{rules}]{extra}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
