"""What does the batch runner cost per target, and does memory stay flat?

Two measurements, each configuration in a fresh child process (so its peak RSS is
its own), with the figures printed as ratios to a baseline measured in the same run:

1. **Overhead** — a trivial injected audit (returns an empty report at once) over
   ``--targets`` targets (default 2,000), 5 % of them failing.  Baseline: the same
   function called in a plain loop.  Reported: the runner's time per target (store
   write, result summary, queueing, pickling for processes), the batch JSON output
   time, and the parent's RSS after 10 %, 50 % and 100 % of the targets (growth per
   target from the slope).
2. **Real audits** — ``--real`` targets (default 40) each audited with the real
   release audit (``chainsight.audit.audit``) of a synthetic package (a git
   repository and a release tarball: 1,500 Python files, 9 MiB, 60 files that
   differ); baseline: the same audits called serially in one process.  Compared:
   threads and processes at ``--jobs`` (default 2) — the reason the default is
   processes (see docs/performance.md).

    .venv/bin/python bench/batch_overhead.py                       # about 2 minutes on 2 cores
    .venv/bin/python bench/batch_overhead.py --targets 500 --real 12   # smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainsight.errors import ChainsightError
from chainsight.model import ArtifactInfo, AuditReport, SourceInfo, Summary
from chainsight.registry.target import PackageTarget, parse_target

GIT_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
}


def trivial_audit(target: PackageTarget) -> AuditReport:
    if target.name.startswith("broken"):
        raise ChainsightError(f"{target}: not found")
    return AuditReport(
        artifact=ArtifactInfo(f"{target.name}.tar.gz", "0" * 64, "tar"),
        source=SourceInfo("repo", "v1.0.0", "0" * 40),
        files=(),
        findings=(),
        summary=Summary(0, 0, 0, 0, 0, 0, {}),
        partial=False,
        errors=(),
    )


@dataclass(frozen=True)
class RealAudit:
    root: Path

    def __call__(self, target: PackageTarget) -> AuditReport:
        from chainsight.audit import AuditRequest, audit

        report = audit(
            AuditRequest(self.root / "pkg-1.0.0.tar.gz", str(self.root / "repo"), "v1.0.0")
        )
        # worker processes are forked by the forkserver, not by the bench: they record
        # their own peak RSS
        (self.root / "peaks").mkdir(exist_ok=True)
        (self.root / "peaks" / str(os.getpid())).write_text(f"{peak_mib():.1f}")
        return report


def build_real(root: Path) -> None:
    """A package shaped like a mid-sized Python project and a release that differs from
    its tag the way sdists do: 1,500 files in git (9 MiB); the tarball adds PKG-INFO,
    setup.cfg and 20 Python files git lacks, and changes 40."""
    rng = random.Random(7)
    files: dict[str, bytes] = {}
    for i in range(1500):
        body = "\n".join(
            f"def f{j}(x):\n    return x * {rng.randint(1, 999)} + {j}\n" for j in range(60)
        )
        files[f"pkg/mod{i // 50}/m{i}.py"] = body.encode()
    files["pyproject.toml"] = b'[project]\nname = "pkg"\nversion = "1.0.0"\n'
    files["README.md"] = b"# pkg\n"
    repo = root / "repo"
    repo.mkdir(parents=True)
    for rel, data in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(data)
    env = {**GIT_ENV, "HOME": str(root)}
    for args in (
        ["init", "-q", "-b", "main", "--template="],
        ["add", "-A"],
        ["commit", "-q", "-m", "import"],
        ["tag", "-a", "v1.0.0", "-m", "release"],
    ):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)
    files["PKG-INFO"] = b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0.0\n"
    files["setup.cfg"] = b"[egg_info]\ntag_build = \ntag_date = 0\n\n"
    for i in range(20):
        files[f"pkg/generated/g{i}.py"] = f"TABLE = {list(range(i * 50))}\n".encode()
    for i in range(0, 1500, 37):
        files[f"pkg/mod{i // 50}/m{i}.py"] += b"\n# release build\n"
    with tarfile.open(root / "pkg-1.0.0.tar.gz", "w:gz") as tf:
        for rel, data in files.items():
            info = tarfile.TarInfo(f"pkg-1.0.0/{rel}")
            info.size = len(data)
            info.mtime = 1_700_000_000
            tf.addfile(info, io.BytesIO(data))


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def one(config: dict[str, Any]) -> dict[str, Any]:
    """Run one configuration in this (fresh) process; return its figures."""
    from chainsight.batch.output import write_json
    from chainsight.batch.results import BatchItem, TargetResult
    from chainsight.batch.runner import WorkerKind, run_batch
    from chainsight.batch.store import ResultStore

    n = config["targets"]
    names = [f"{'broken' if i % 20 == 7 else 'pkg'}{i}" for i in range(n)]
    targets = [parse_target(f"pypi:{name}==1.0.{i}") for i, name in enumerate(names)]
    fn: Any = trivial_audit if config["audit"] == "trivial" else RealAudit(Path(config["root"]))
    import chainsight.audit
    import chainsight.formats.jsonfmt

    del chainsight  # imported so that imports are not part of the per-target cost

    start_rss = rss_mib()
    t0 = time.perf_counter()
    if config["mode"] == "baseline":
        for t in targets:
            with contextlib.suppress(ChainsightError):
                fn(t)
        elapsed = time.perf_counter() - t0
        return {
            "seconds": elapsed,
            "rss_start": start_rss,
            "rss_end": rss_mib(),
            "peak": peak_mib(),
        }
    samples: dict[int, float] = {}
    done = 0

    def on_result(_r: TargetResult) -> None:
        nonlocal done
        done += 1
        if done in (n // 10, n // 2, n):
            samples[done] = rss_mib()

    store = ResultStore(Path(config["store"]), {"bench": True})
    items = [BatchItem(str(t), t) for t in targets]
    outcome = run_batch(
        items,
        fn,
        store,
        jobs=config["jobs"],
        workers=WorkerKind(config["mode"]),
        on_result=on_result,
    )
    elapsed = time.perf_counter() - t0
    t1 = time.perf_counter()
    with open(os.devnull, "w") as sink:
        write_json(outcome.results, store, sink)
    out_seconds = time.perf_counter() - t1
    return {
        "seconds": elapsed,
        "json_seconds": out_seconds,
        "rss_start": start_rss,
        "rss": {str(k): v for k, v in samples.items()},
        "rss_end": rss_mib(),
        "peak": peak_mib(),
        "children_peak": _worker_peak(config),
        "errors": sum(r.status.value == "error" for r in outcome.results),
    }


def _worker_peak(config: dict[str, Any]) -> float:
    """The largest peak RSS a worker process reported (0 for trivial audits)."""
    peaks = Path(config.get("root", "/nonexistent")) / "peaks"
    if not peaks.is_dir():
        return 0.0
    values = [float(p.read_text()) for p in peaks.iterdir() if int(p.name) != os.getpid()]
    shutil.rmtree(peaks, ignore_errors=True)
    return max(values, default=0.0)


def run_child(config: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--one", json.dumps(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"child failed: {config}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--targets", type=int, default=2000)
    ap.add_argument("--real", type=int, default=40)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds of real audits")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(json.loads(args.one))))
        return
    work = Path(tempfile.mkdtemp(prefix="cs-batch-bench-"))
    figures: dict[str, Any] = {"cpus": os.cpu_count(), "load": os.getloadavg()}
    try:
        print(f"-- overhead: trivial audit, {args.targets} targets (5 % failing), jobs {args.jobs}")
        base = run_child({"audit": "trivial", "mode": "baseline", "targets": args.targets})
        figures["trivial_baseline"] = base
        per_base = base["seconds"] / args.targets * 1e3
        print(f"baseline loop: {per_base:.3f} ms/target")
        for mode in ("thread", "process"):
            store = work / f"store-{mode}"
            cfg = {
                "audit": "trivial",
                "mode": mode,
                "targets": args.targets,
                "jobs": args.jobs,
                "store": str(store),
            }
            r = run_child(cfg)
            figures[f"trivial_{mode}"] = r
            per = r["seconds"] / args.targets * 1e3
            rss = r["rss"]
            keys = sorted(rss, key=int)
            slope = (rss[keys[-1]] - rss[keys[0]]) * 1024 / (int(keys[-1]) - int(keys[0]))
            print(
                f"{mode:8} runner: {per:.3f} ms/target ({per / per_base:.0f}x the bare call), "
                f"JSON output {r['json_seconds'] / args.targets * 1e3:.3f} ms/target; "
                f"parent RSS {r['rss_start']:.1f} -> "
                + " -> ".join(f"{rss[k]:.1f}" for k in keys)
                + f" MiB ({slope:+.2f} KiB/target between {keys[0]} and {keys[-1]}), "
                f"peak {r['peak']:.0f} MiB"
            )
            rr = run_child({**cfg, "targets": args.targets})  # rerun: everything reused
            figures[f"trivial_{mode}_resume"] = rr
            print(
                f"{mode:8} rerun (all reused): {rr['seconds'] / args.targets * 1e3:.3f} ms/target"
            )
            shutil.rmtree(store, ignore_errors=True)
        print(
            f"\n-- real audits: {args.real} targets, "
            "synthetic package (1,500 .py files, 60 differences)"
        )
        root = work / "real"
        build_real(root)
        configs = [("serial", 1), ("thread", args.jobs), ("process", args.jobs), ("process", 1)]
        runs: dict[str, list[dict[str, Any]]] = {f"{m}_{j}": [] for m, j in configs}
        for _ in range(args.rounds):  # interleaved, so that other load hits every mode alike
            for mode, jobs in configs:
                store = work / f"store-real-{mode}-{jobs}"
                cfg = {
                    "audit": "real",
                    "mode": "baseline" if mode == "serial" else mode,
                    "targets": args.real,
                    "jobs": jobs,
                    "store": str(store),
                    "root": str(root),
                }
                runs[f"{mode}_{jobs}"].append(run_child(cfg))
                shutil.rmtree(store, ignore_errors=True)
        figures["real"] = runs

        def median(key: str, field: str = "seconds") -> float:
            return statistics.median(r.get(field, 0.0) for r in runs[key])

        base_s = median("serial_1")
        print(
            f"serial, one process: {base_s / args.real * 1e3:.0f} ms/target, "
            f"peak {median('serial_1', 'peak'):.0f} MiB (medians of {args.rounds} rounds)"
        )
        for mode, jobs in configs[1:]:
            key = f"{mode}_{jobs}"
            secs = median(key)
            print(
                f"{mode:8} jobs {jobs}: {secs / args.real * 1e3:.0f} ms/target, "
                f"throughput {base_s / secs:.2f}x serial; "
                f"parent peak {median(key, 'peak'):.0f} MiB, "
                f"worker peak {median(key, 'children_peak'):.0f} MiB"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
