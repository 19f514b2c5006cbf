#!/usr/bin/env python3
"""Build chainsight's list of the files gnulib-tool can copy into a project.

gnulib is not installed like autoconf or libtool: a project pins it as a git
submodule and its ``bootstrap`` runs ``gnulib-tool``, which copies the modules' files
from gnulib's ``lib/`` (into the project's source base, ``lib/`` by default), from
``tests/`` (into the tests base, often ``gnulib-tests/``) and from ``top/``
(``GNUmakefile``, ``maint.mk``) into the release tarball. This script records the
*paths* (below those three directories) over gnulib's whole history (every branch and
tag; never ``refs/pull``), so that an audit can say which artifact-only files are
named like gnulib's when gnulib's own objects are not available to compare contents.
Names only: contents are checked against the submodule's pinned commit when its
objects are at hand (``chainsight.analyzers.explain.gnulib``).

The repository is read with ``git log`` plumbing, system and global configuration
switched off. Output: ``src/chainsight/knowledge/data/gnulib_files.txt.gz``, one
``DIR/NAME`` per line, sorted.

Usage::

    python3 tools/build_gnulib_names.py --git /path/to/gnulib.git [--out PATH]
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
from pathlib import Path

DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "chainsight"
    / "knowledge"
    / "data"
    / "gnulib_files.txt.gz"
)
DIRS = ("lib", "tests", "top")


def gnulib_paths(git_dir: Path) -> list[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
    }
    out = subprocess.run(
        ["git", f"--git-dir={git_dir}", "log", "--branches", "--tags", "--format=",
         "--name-only", "--no-renames", "--", *DIRS],
        env=env, capture_output=True, check=True,
    ).stdout.decode("utf-8", "replace")  # fmt: skip
    paths = set()
    for line in out.splitlines():
        parts = line.strip().split("/")
        # lib/NAME, lib/glthread/NAME, tests/NAME, top/NAME: gnulib-tool keeps the
        # path below lib/ and tests/ when it copies
        if len(parts) >= 2 and parts[0] in DIRS and parts[-1]:
            paths.add(line.strip())
    return sorted(paths)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--git", type=Path, required=True, help="gnulib's git directory")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    paths = gnulib_paths(args.git)
    if not paths:
        print(f"no lib/, tests/ or top/ paths in {args.git}", file=sys.stderr)
        return 1
    data = ("\n".join(paths) + "\n").encode()
    args.out.write_bytes(gzip.compress(data, 9, mtime=0))
    print(f"{len(paths)} paths -> {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
