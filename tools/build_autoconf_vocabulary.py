#!/usr/bin/env python3
"""Build the vocabulary of autoconf's own macros: every identifier its m4 library uses.

A generated ``configure`` is autoconf's macros (lib/m4sugar, lib/autoconf) expanded
around the project's inputs (configure.ac, aclocal.m4, the m4 files). Every word
of its shell code therefore comes from one of the two. The configure check
(``analyzers/configure_check.py``) looks for words that come from neither; this
script records the first half: the identifiers (3+ characters) of autoconf's
macro library in every tagged release in its own git history.

Known-good data comes only from autoconf's repository (never from configure
scripts found in other projects' tarballs). The output is a list of words, which is
data, not code.

Usage::

    python3 tools/build_autoconf_vocabulary.py --git /path/to/autoconf.git \\
        [--out src/chainsight/knowledge/data/autoconf_words.json.gz]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/chainsight/knowledge/data/autoconf_words.json.gz"
RELEASE_TAG = re.compile(r"^(?:v|AUTOCONF-)(2[._]\d+[a-z]?)$")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
LIBRARY = re.compile(r"^(?:lib/(?:m4sugar|autoconf)/[^/]+\.m4|ac[a-z]+\.m4)$")
"""The macro library that ends up in configure (2.50+: lib/…; 2.13: acgeneral.m4 …)."""


def _git(git_dir: str, *args: str) -> bytes:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_CONFIG_NOSYSTEM": "1"}
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    return subprocess.run(
        ["git", "--git-dir", git_dir, *args], env=env, capture_output=True, check=True
    ).stdout


def words_of(text: str) -> set[str]:
    """Identifiers of m4 source, as they appear once m4's quotes are gone."""
    text = text.replace("@&t@", "")
    return set(WORD.findall(text)) | set(WORD.findall(text.replace("[", "").replace("]", "")))


def _version_key(version: str) -> list[tuple[int, str]]:
    return [(int(x), "") if x.isdigit() else (-1, x) for x in re.split(r"(\d+)", version) if x]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--git", required=True, help="autoconf's git directory (bare is fine)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    tags = [t for t in _git(args.git, "tag").decode().split() if RELEASE_TAG.match(t)]
    if not tags:
        print("no autoconf release tags found", file=sys.stderr)
        return 1
    vocabulary: set[str] = set()
    versions = []
    for tag in sorted(tags):
        names = _git(args.git, "ls-tree", "-r", "--name-only", tag).decode().split("\n")
        library = [n for n in names if LIBRARY.match(n)]
        for name in library:
            blob = _git(args.git, "show", f"{tag}:{name}").decode("latin-1")
            vocabulary |= words_of(blob)
        version = RELEASE_TAG.match(tag).group(1).replace("_", ".")  # type: ignore[union-attr]
        versions.append(version)
        print(f"{tag}: {len(library)} library files, {len(vocabulary)} words so far")
    data = {
        "schema": "chainsight.autoconf-words/1",
        "source": "autoconf git history: lib/m4sugar/*.m4, lib/autoconf/*.m4 (ac*.m4 for 2.1x)",
        "versions": sorted(set(versions), key=_version_key),
        "words": sorted(vocabulary),
    }
    args.out.write_bytes(gzip.compress(json.dumps(data, indent=0).encode(), mtime=0))
    print(f"wrote {args.out}: {len(vocabulary)} words from {len(set(versions))} releases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
