"""How much wall time the build-code analyzers add to a release audit.

Runs three whole processes, interleaved, round after round, with the same
interpreter, and prints the median wall time and CPU of each and its ratio to the
baseline:

- ``baseline``: ``bench/baseline_hash.py ART`` (decompress and git-hash every member);
- ``release audit only``: the real ``chainsight audit`` with every build-code
  analyzer switched off in-process (no second-core worker, no provenance lookups,
  behaviour scans, configure check, opaque-file analysis or ``ioc-*`` rules): what
  the audit of issue "Release audit" costs on its own;
- ``full audit``: ``chainsight audit`` as users run it.

The difference between the last two is what the analyzers add; the second alone
says how much of the "3x the baseline" budget is left for them.

    .venv/bin/python bench/analyzer_overhead.py .eval-cache/xz-5.4.6.tar.gz \\
        --repo /work/.mirror/tukaani-project+xz/repo --ref v5.4.6 --runs 9

The switch-off is done by replacing internal functions (see ``_release_audit_only``);
if chainsight's internals are renamed the script stops with an error instead of
measuring something else. Nothing from the artifact is run.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _release_audit_only(argv: list[str]) -> None:
    """Run the CLI with the build-code analyzers replaced by functions that do nothing."""
    from chainsight.sources import prefetch

    prefetch.start_for_argv(argv)
    import chainsight.analyzers.build_code as build_code
    import chainsight.analyzers.opaque as opaque
    import chainsight.analyzers.provenance as provenance
    from chainsight.analyzers import prescan
    from chainsight.entry import main

    empty_jobs = {"configure-code": [], "configure-commands": []}
    patches = {
        (prescan.Prescan, "start"): lambda self, n: None,
        (prescan.Prescan, "wants"): lambda self, path, head: False,
        (prescan.Prescan, "known"): lambda self, blobs: None,
        (prescan.Prescan, "finish"): lambda self, *a, **k: None,
        (prescan.Prescan, "early"): lambda self: prescan.PrescanResults(),
        (prescan.Prescan, "results"): lambda self: prescan.PrescanResults(jobs=dict(empty_jobs)),
        (provenance, "check_provenance"): lambda ctx, recs, known=None: (list(recs), []),
        (build_code, "build_code_findings"): lambda *a, **k: [],
        (build_code, "opaque_paths"): lambda ctx: [],
        (opaque, "analyse_blobs"): lambda *a, **k: {},
        (opaque, "indicator_findings"): lambda *a, **k: [],
        (opaque, "blob_findings"): lambda *a, **k: [],
    }
    for (owner, name), replacement in patches.items():
        if not hasattr(owner, name):
            where = f"{owner.__name__}.{name}"
            raise SystemExit(f"chainsight has no {where} any more: update {__file__}")
        setattr(owner, name, replacement)
    sys.argv = ["chainsight", *argv]
    main()


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the process and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[:3]} failed ({proc.returncode}): {proc.stderr.decode()[-800:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--release-audit-only":
        _release_audit_only(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("artifact", type=Path)
    ap.add_argument("--repo", required=True, help="the source repository")
    ap.add_argument("--ref", required=True, help="the release tag")
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    if not args.artifact.is_file():
        raise SystemExit(
            f"{args.artifact} is missing; docs/performance.md says how to obtain the xz tarballs"
        )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "chainsight-pyc"))
    out = Path(tempfile.mkdtemp(prefix="cs-overhead-")) / "report.json"
    audit_args = [
        "audit", str(args.artifact), "--source", args.repo, "--ref", args.ref,
        "--format", "json", "--output", str(out), "--fail-on", "never",
    ]  # fmt: skip
    chainsight = str(Path(sys.executable).parent / "chainsight")
    commands = {
        "baseline": [sys.executable, str(ROOT / "bench" / "baseline_hash.py"), str(args.artifact)],
        "release audit only": [sys.executable, __file__, "--release-audit-only", *audit_args],
        "full audit": [chainsight, *audit_args],
    }
    for cmd in commands.values():  # warm-up: page cache and bytecode
        _timed(cmd, env)
    samples: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for i in range(args.runs):
        for label, cmd in commands.items():
            samples[label].append(_timed(cmd, env))
        print(f"round {i + 1}/{args.runs}", file=sys.stderr)
    base = statistics.median(w for w, _ in samples["baseline"])
    print(f"{'':20} {'wall (s)':>9} {'CPU (s)':>8} {'ratio':>6}")
    for label, runs in samples.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{label:20} {wall:9.3f} {cpu:8.3f} {wall / base:6.2f}")
    full = statistics.median(w for w, _ in samples["full audit"])
    only = statistics.median(w for w, _ in samples["release audit only"])
    print(f"the analyzers add {full - only:.3f} s; a 3x target leaves them {3 * base - only:.3f} s")


if __name__ == "__main__":
    main()
