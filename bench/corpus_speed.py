"""Audit time against the decompress-and-hash baseline on every real release tarball
of the evaluation corpus (eval/corpus.toml), not only xz.

For each release whose tarball and repository are present (see eval/run_corpus.py
for how to obtain them; nothing is downloaded here), the whole-process times of

- ``chainsight audit TARBALL --source REPO --ref TAG --format json --output F``
- ``python bench/baseline_hash.py TARBALL``

are measured interleaved, median of N runs after one warm-up, as in
bench/audit_speed.py. Prints members, compression, both medians and the ratio;
the issue's target is ≤ 3 for autotools releases of xz's size.

    .venv/bin/python bench/corpus_speed.py                    # autotools releases
    .venv/bin/python bench/corpus_speed.py --build all --runs 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "eval"))

import audit_speed  # noqa: E402
import run_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "eval" / "corpus.toml")
    ap.add_argument("--build", default="autotools", help="autotools, cmake, meson, … or all")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="chainsight-corpus-speed-"))
    audit_speed.set_pycache(work)
    rows = []
    missing = 0
    for entry in run_corpus.load_corpus(args.corpus):
        if args.build != "all" and entry.get("build") != args.build:
            continue
        arts, _ = run_corpus.artifacts_for(entry)
        repo = run_corpus.find_repo(entry)
        tarballs = [a for label, a in arts if label != "dsc"]
        if repo is None or not tarballs:
            missing += 1
            continue
        artifact = tarballs[0]
        members, _ = audit_speed.count_members(artifact)
        report = work / "report.json"
        audit = [
            str(ROOT / ".venv" / "bin" / "chainsight"),
            "audit",
            str(artifact),
            "--source",
            str(repo),
            "--ref",
            entry["tag"],
            "--format",
            "json",
            "--output",
            str(report),
            "--fail-on",
            "never",
        ]
        base = [sys.executable, str(BENCH / "baseline_hash.py"), str(artifact)]
        a_times, b_times = [], []
        for i in range(args.runs + 1):
            a = audit_speed.run_child(audit, work / "audit.log")
            b = audit_speed.run_child(base, work / "base.log")
            if a.returncode not in (0, 1) or b.returncode != 0:
                print(f"{entry['name']}: a run failed, see {work}", file=sys.stderr)
                break
            if i:  # the first pair warms the caches
                a_times.append(a.wall)
                b_times.append(b.wall)
        if not a_times:
            continue
        row = {
            "release": entry["name"],
            "artifact": artifact.name,
            "members": members,
            "audit_s": statistics.median(a_times),
            "baseline_s": statistics.median(b_times),
        }
        row["ratio"] = row["audit_s"] / row["baseline_s"]
        rows.append(row)
        print(
            f"{row['release']:22s} {artifact.name:34s} {members:6d} "
            f"{row['audit_s']:6.2f} s {row['baseline_s']:6.2f} s  {row['ratio']:4.1f}",
            flush=True,
        )
    if rows:
        ratios = [r["ratio"] for r in rows]
        print(
            f"{len(rows)} releases, median ratio {statistics.median(ratios):.1f}, "
            f"max {max(ratios):.1f}; {missing} without a tarball or repository here"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
