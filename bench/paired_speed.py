"""Paired speed runs: two (or more) chainsight trees and the baseline, interleaved.

Each round runs ``bench/baseline_hash.py ARTIFACT`` and then, for every tree, the
real command ``chainsight audit ARTIFACT --source REPO --ref REF --format json
--output ...`` with that tree's ``src/`` first on ``sys.path`` (and this
checkout's interpreter and installed dependencies). Interleaving puts every
variant in the same minutes of a noisy machine; the figures are medians of
the wall time (``time.perf_counter`` around the process) and of the CPU time of
the process and its children (``RUSAGE_CHILDREN``, so the audit's worker
counts), and the ratio of the audit's median wall time to the baseline's.

    .venv/bin/python bench/paired_speed.py .eval-cache/xz-5.4.6.tar.gz \\
        --repo /work/.mirror/tukaani-project+xz/repo --ref v5.4.6 \\
        --rev 799d4e3 --tree . --runs 15

``--rev REV`` checks REV out into a temporary git worktree (removed afterwards);
``--tree DIR`` uses a checkout as it is (``.`` is this one, uncommitted changes
included). One untimed warm-up round comes first; bytecode is cached under
``--workdir`` so that no variant pays for compiling.
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
RUNNER = (
    "import sys; sys.path.insert(0, sys.argv.pop(1))\n"
    "try:\n    from chainsight.entry import main\n"
    "except ImportError:  # a tree from before the entry module\n"
    "    from chainsight.cli import main\n"
    "main()"
)


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("artifact", type=Path)
    ap.add_argument("--repo", required=True, help="the source repository")
    ap.add_argument("--ref", required=True, help="the tag the release was made from")
    ap.add_argument("--rev", action="append", default=[], help="a commit to measure")
    ap.add_argument("--tree", action="append", default=[], help="a checkout to measure")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "cs-paired")
    args = ap.parse_args(argv)
    if not args.artifact.is_file():
        ap.error(f"{args.artifact} does not exist")
    if not args.rev and not args.tree:
        ap.error("name at least one --rev or --tree")

    args.workdir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(args.workdir / "pycache")
    variants: list[tuple[str, Path]] = []
    worktrees: list[Path] = []
    try:
        for rev in args.rev:
            path = Path(tempfile.mkdtemp(prefix=f"rev-{rev[:12]}-", dir=args.workdir))
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(path), rev],
                check=True,
                capture_output=True,
            )
            worktrees.append(path)
            variants.append((rev, path))
        variants += [(tree, Path(tree).resolve()) for tree in args.tree]

        def commands() -> list[tuple[str, list[str]]]:
            out = [
                (
                    "baseline",
                    [sys.executable, str(ROOT / "bench" / "baseline_hash.py"), str(args.artifact)],
                )
            ]
            for n, (label, path) in enumerate(variants):
                out.append(
                    (
                        label,
                        [
                            sys.executable,
                            "-c",
                            RUNNER,
                            str(path / "src"),
                            "audit",
                            str(args.artifact),
                            "--source",
                            args.repo,
                            "--ref",
                            args.ref,
                            "--format",
                            "json",
                            "--output",
                            str(args.workdir / f"report-{n}.json"),
                        ],
                    )
                )
            return out

        samples: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in commands()}
        for round_ in range(args.runs + 1):
            for label, cmd in commands():
                wall, cpu, code = _timed(cmd, env)
                if code not in (0, 1):
                    print(f"{label} exited {code}", file=sys.stderr)
                    return 2
                if round_:  # the first round warms the caches up
                    samples[label].append((wall, cpu))
            print(f"round {round_}/{args.runs}", end="\r", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    finally:
        for path in worktrees:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
                capture_output=True,
            )

    base = statistics.median(w for w, _ in samples["baseline"])
    print(f"{args.artifact.name}, {args.runs} interleaved runs, medians:")
    print(f"{'variant':<24} {'wall s':>7} {'CPU s':>7} {'ratio':>6}")
    for label, values in samples.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        print(f"{label:<24} {wall:7.3f} {cpu:7.3f} {wall / base:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
