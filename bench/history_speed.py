"""How fast is ``chainsight history``, compared with ``git log --raw --no-renames``?

Builds a synthetic history with ``git fast-import`` (default: 100,000 commits
touching 5,000 files, 300 authors of whom a tenth also commit others' work, 200
annotated release tags signed with synthetic OpenPGP signatures by four
successive release managers, a binary test fixture before some releases, a few
contact changes), then times WHOLE PROCESSES, interleaved, median of N runs:

- ``chainsight history REPO --format json --output /dev/null --fail-on never``
- ``git log --raw --no-renames`` (all branches, output to /dev/null)

The target (issue 5, docs/performance.md) is a ratio of at most 3 and under a
minute. Peak RSS is each command's own ``ru_maxrss`` (``os.wait4``).

    .venv/bin/python bench/history_speed.py               # full run (builds once, ~1 min)
    .venv/bin/python bench/history_speed.py --quick       # 10,000 commits, seconds
    .venv/bin/python bench/history_speed.py --workdir bench/out --json bench/out/hist.json
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 1
START = 1_262_304_000  # 2010-01-01
GIT_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
}


def _signature(label: str, when: int) -> bytes:
    fpr = hashlib.sha1(label.encode()).digest()
    hashed = bytes([5, 2]) + struct.pack(">I", when) + bytes([22, 33, 4]) + fpr
    unhashed = bytes([9, 16]) + fpr[-8:]
    body = (
        bytes([4, 0, 1, 8])
        + struct.pack(">H", len(hashed))
        + hashed
        + struct.pack(">H", len(unhashed))
        + unhashed
        + b"\xab\xcd"
        + struct.pack(">H", 64)
        + b"\x5a" * 8
    )
    b64 = base64.b64encode(bytes([0xC2, len(body)]) + body)
    lines = b"\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    return b"-----BEGIN PGP SIGNATURE-----\n\n" + lines + b"\n=abcd\n-----END PGP SIGNATURE-----\n"


def build(repo: Path, commits: int, files: int, authors: int, tags: int, seed: int) -> None:
    rng = random.Random(seed)
    people = [(f"Author {i:03d}", f"author{i:03d}@bench.example") for i in range(authors)]
    committers = people[: max(1, authors // 10)]
    # a skewed distribution: a few people write most commits, as in real projects
    weights = [1.0 / (i + 1) ** 1.1 for i in range(authors)]
    paths = [
        f"src/d{i % 97:02d}/file{i:05d}.{rng.choice(['c', 'h', 'py', 'md', 'txt'])}"
        for i in range(files)
    ]
    paths[0] = "configure.ac"
    span = 14 * 365 * 86_400
    step = span / commits
    tag_every = max(1, commits // tags)
    managers = committers[:4]
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["git", "init", "-q", "--bare", "-b", "main", str(repo)], check=True, env=GIT_ENV
    )
    proc = subprocess.Popen(
        ["git", "--git-dir", str(repo), "fast-import", "--quiet"],
        stdin=subprocess.PIPE,
        env=GIT_ENV,
    )
    assert proc.stdin is not None
    out = proc.stdin
    alive: list[str] = []
    tag_marks: list[tuple[int, int]] = []
    for n in range(1, commits + 1):
        when = int(START + n * step)
        author = rng.choices(people, weights)[0]
        committer = author if rng.random() < 0.7 else rng.choice(committers)
        msg = f"Change {n}: {rng.choice(['fix', 'refactor', 'docs', 'tests'])}\n".encode()
        out.write(b"commit refs/heads/main\nmark :%d\n" % n)
        out.write(f"author {author[0]} <{author[1]}> {when} +0000\n".encode())
        out.write(f"committer {committer[0]} <{committer[1]}> {when} +0000\n".encode())
        out.write(b"data %d\n%s\n" % (len(msg), msg))
        touched = rng.randint(1, 4)
        for _ in range(touched):
            if len(alive) < files and (rng.random() < 0.3 or not alive):
                path = paths[len(alive)]
                alive.append(path)
            else:
                path = rng.choice(alive)
            if path == "configure.ac":
                host = rng.choice(["proj.example", "proj.example", "mirror.example"])
                content = (
                    f"AC_INIT([proj], [1.{n}], [bugs@{host}], [proj], [https://{host}/])\n"
                ).encode()
            else:
                content = f"/* {path} revision {n} */\nint v{n} = {n};\n".encode()
            out.write(f"M 100644 inline {path}\n".encode())
            out.write(b"data %d\n%s\n" % (len(content), content))
        if n % tag_every == 0 and len(tag_marks) < tags:
            if rng.random() < 0.2:
                blob = rng.randbytes(1024)
                out.write(f"M 100644 inline tests/files/case{n}.bin\n".encode())
                out.write(b"data %d\n%s\n" % (len(blob), blob))
            tag_marks.append((n, when + 3600))
        out.write(b"\n")
    for i, (mark, when) in enumerate(tag_marks):
        manager = managers[min(len(managers) - 1, i * len(managers) // len(tag_marks))]
        message = f"Release 1.{i}\n".encode() + _signature(manager[1], when)
        out.write(f"tag v1.{i}\nfrom :{mark}\n".encode())
        out.write(f"tagger {manager[0]} <{manager[1]}> {when} +0000\n".encode())
        out.write(b"data %d\n%s\n" % (len(message), message))
    out.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(
        ["git", "--git-dir", str(repo), "commit-graph", "write", "--reachable"],
        check=True,
        env=GIT_ENV,
        capture_output=True,
    )


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """(seconds, peak RSS in KiB, exit code) of one whole process."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen(cmd, stdout=devnull, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err.strip()[-400:]}")
    return elapsed, int(usage.ru_maxrss), code


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commits", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=5_000)
    ap.add_argument("--authors", type=int, default=300)
    ap.add_argument("--tags", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="10,000 commits, 3 runs")
    ap.add_argument("--workdir", type=Path, help="keep the built repository here")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    if args.quick:
        args.commits, args.runs = 10_000, 3
    work = args.workdir or Path(tempfile.mkdtemp(prefix="chainsight-hbench-"))
    key = f"v{GENERATOR_VERSION}-{args.commits}-{args.files}-{args.authors}-{args.tags}-{args.seed}"
    repo = work / f"history-{key}.git"
    if not (repo / "HEAD").exists():
        shutil.rmtree(repo, ignore_errors=True)
        t0 = time.perf_counter()
        build(repo, args.commits, args.files, args.authors, args.tags, args.seed)
        print(f"built {repo} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    chainsight = [
        sys.executable,
        "-m",
        "chainsight",
        "history",
        str(repo),
        "--format",
        "json",
        "--output",
        os.devnull,
        "--fail-on",
        "never",
    ]
    git_log = ["git", "--git-dir", str(repo), "log", "--all", "--raw", "--no-renames"]
    env = {**os.environ, **GIT_ENV}
    results: dict[str, list[tuple[float, int, int]]] = {"chainsight": [], "git_log": []}
    for _ in range(args.runs):  # interleaved, so both see the same machine state
        results["git_log"].append(_timed(git_log, env))
        results["chainsight"].append(_timed(chainsight, env))
    med = {k: statistics.median(r[0] for r in v) for k, v in results.items()}
    rss = {k: max(r[1] for r in v) for k, v in results.items()}
    figures: dict[str, Any] = {
        "commits": args.commits,
        "files": args.files,
        "authors": args.authors,
        "tags": args.tags,
        "runs": args.runs,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "git_log_seconds": round(med["git_log"], 3),
        "chainsight_seconds": round(med["chainsight"], 3),
        "ratio": round(med["chainsight"] / med["git_log"], 2),
        "git_log_peak_rss_mib": round(rss["git_log"] / 1024, 1),
        "chainsight_peak_rss_mib": round(rss["chainsight"] / 1024, 1),
        "all_seconds": {k: [round(r[0], 3) for r in v] for k, v in results.items()},
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
