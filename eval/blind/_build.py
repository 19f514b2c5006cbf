"""Shared builders for the blind cases: git repositories, archives, payloads.

Everything here is deterministic (fixed dates, seeded noise) and uses only the
standard library plus the ``git`` binary (and GNU autotools for the autotools
cases). Nothing built here is ever configured, compiled, installed or run.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

Files = dict[str, bytes]
Expected = dict[str, Any]
CaseResult = tuple[Path, Path, Expected]

#: Fixed timestamps so that every build of the blind set is byte-identical.
GIT_DATE = "2024-02-23T16:09:52+00:00"
TAR_MTIME = 1_708_704_592
NPM_MTIME = 499_162_500  # npm pack stamps every member 1985-10-26T08:15:00Z
ZIP_DATE = (2024, 2, 23, 16, 9, 52)


class CaseSkipped(RuntimeError):
    """A case needs a tool that is not installed here."""


# ---------------------------------------------------------------------------
# payloads: harmless by construction, and never executed by anything here
# ---------------------------------------------------------------------------


def sh_payload(case: str) -> bytes:
    """A shell snippet that only prints a line and touches a marker file."""
    return (
        f"echo 'chainsight blind case {case}: benign marker, nothing else'\n"
        f"touch ./.chainsight-blind-{case}.marker\n"
    ).encode()


def py_payload(case: str) -> bytes:
    """A Python snippet that only prints a line and creates an empty marker file."""
    return (
        f"print('chainsight blind case {case}: benign marker, nothing else')\n"
        f"open('.chainsight-blind-{case}.marker', 'a').close()\n"
    ).encode()


def js_payload(case: str) -> bytes:
    """A JavaScript snippet that only logs a line and creates an empty marker file."""
    return (
        f"console.log('chainsight blind case {case}: benign marker, nothing else');"
        f"require('fs').writeFileSync('.chainsight-blind-{case}.marker','');"
    ).encode()


def noise(seed: str, n: int) -> bytes:
    """Deterministic pseudo-random bytes (looks like binary test data)."""
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:n])


def wrap(text: str, width: int = 64) -> str:
    """Split a long token into lines of ``width`` characters."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width)) + "\n"


def rot47(text: str) -> str:
    return "".join(chr(33 + (ord(c) - 33 + 47) % 94) if 33 <= ord(c) <= 126 else c for c in text)


def rot13(text: str) -> str:
    out = []
    for c in text:
        if "a" <= c <= "z":
            out.append(chr((ord(c) - 97 + 13) % 26 + 97))
        elif "A" <= c <= "Z":
            out.append(chr((ord(c) - 65 + 13) % 26 + 65))
        else:
            out.append(c)
    return "".join(out)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def as_bytes(files: Mapping[str, str | bytes]) -> Files:
    return {k: v.encode() if isinstance(v, str) else v for k, v in files.items()}


def replace_once(text: str, anchor: str, new: str) -> str:
    """Replace exactly one occurrence of ``anchor``; fail loudly otherwise."""
    count = text.count(anchor)
    if count != 1:
        raise RuntimeError(f"anchor {anchor[:40]!r} found {count} times, expected 1")
    return text.replace(anchor, new)


def expected(
    should_flag: bool,
    path: str | None,
    min_severity: str = "high",
    related: Iterable[str] = (),
) -> Expected:
    exp: Expected = {"should_flag": should_flag, "path": path, "min_severity": min_severity}
    rel = list(related)
    if rel:
        exp["related"] = rel
    return exp


# ---------------------------------------------------------------------------
# git
# ---------------------------------------------------------------------------


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Blind Maintainer",
            "GIT_AUTHOR_EMAIL": "maintainer@example.invalid",
            "GIT_COMMITTER_NAME": "Blind Maintainer",
            "GIT_COMMITTER_EMAIL": "maintainer@example.invalid",
            "GIT_AUTHOR_DATE": GIT_DATE,
            "GIT_COMMITTER_DATE": GIT_DATE,
        }
    )
    return env


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
        cwd=repo,
        env=_git_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip()


def write_tree(root: Path, files: Mapping[str, bytes], execs: Iterable[str] = ()) -> None:
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        p.chmod(0o644)
    for rel in execs:
        (root / rel).chmod(0o755)


def make_repo(
    root: Path,
    files: Mapping[str, bytes],
    tag: str,
    execs: Iterable[str] = (),
    message: str = "Import sources",
) -> tuple[Path, str]:
    """Create a work-tree repository with one commit and an annotated tag.

    Returns the repository path and the tagged commit id.
    """
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    write_tree(root, files, execs)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    git(root, "tag", "-a", tag, "-m", f"Release {tag}")
    return root, git(root, "rev-parse", "HEAD")


# ---------------------------------------------------------------------------
# archives
# ---------------------------------------------------------------------------


def _dirs_of(paths: Iterable[str]) -> list[str]:
    dirs: set[str] = set()
    for p in paths:
        parts = p.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    return sorted(dirs)


def tar_gz(
    out: Path,
    prefix: str,
    files: Mapping[str, bytes],
    execs: Iterable[str] = (),
    *,
    mtime: int = TAR_MTIME,
    dir_entries: bool = True,
    owner: str = "",
) -> Path:
    """Write a gzip tarball with every member under ``prefix/``."""
    exec_set = set(execs)
    with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as tf:

        def member(name: str, kind: bytes, mode: int, size: int = 0) -> tarfile.TarInfo:
            ti = tarfile.TarInfo(f"{prefix}/{name}" if name else prefix)
            ti.type = kind
            ti.mode = mode
            ti.size = size
            ti.mtime = mtime
            ti.uname = ti.gname = owner
            return ti

        if dir_entries:
            tf.addfile(member("", tarfile.DIRTYPE, 0o755))
            for d in _dirs_of(files):
                tf.addfile(member(d, tarfile.DIRTYPE, 0o755))
        for name in sorted(files):
            data = files[name]
            mode = 0o755 if name in exec_set else 0o644
            tf.addfile(member(name, tarfile.REGTYPE, mode, len(data)), io.BytesIO(data))
    return out


def npm_tgz(out: Path, files: Mapping[str, bytes], execs: Iterable[str] = ()) -> Path:
    """An npm-pack style tarball: ``package/`` prefix, no directory entries."""
    return tar_gz(out, "package", files, execs, mtime=NPM_MTIME, dir_entries=False)


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def wheel(
    out: Path,
    dist: str,
    version: str,
    files: Mapping[str, bytes],
    metadata: str,
    top_level: Iterable[str],
) -> Path:
    """Write a pure-Python wheel with METADATA, WHEEL, top_level.txt and RECORD."""
    info = f"{dist}-{version}.dist-info"
    members = dict(sorted(files.items()))
    members[f"{info}/METADATA"] = metadata.encode()
    members[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: bdist_wheel (0.45.1)\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n\n"
    )
    members[f"{info}/top_level.txt"] = "".join(f"{t}\n" for t in top_level).encode()
    record = "".join(f"{n},{_record_hash(d)},{len(d)}\n" for n, d in members.items())
    members[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zi = zipfile.ZipInfo(name, ZIP_DATE)
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, data)
    return out


# ---------------------------------------------------------------------------
# Python sdist helpers
# ---------------------------------------------------------------------------


def pkg_info(name: str, version: str, summary: str, readme: str) -> str:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {name}\n"
        f"Version: {version}\n"
        f"Summary: {summary}\n"
        f"Home-page: https://example.invalid/{name}\n"
        "Author: Blind Maintainer\n"
        "Author-email: maintainer@example.invalid\n"
        "License: MIT\n"
        "Requires-Python: >=3.8\n"
        "Description-Content-Type: text/markdown\n"
        "\n"
        f"{readme}"
    )


def setuptools_sdist_extras(
    name: str, version: str, summary: str, readme: str, sources: Iterable[str], egg_dir: str
) -> Files:
    """The files ``setup.py sdist`` adds: PKG-INFO, setup.cfg tags, .egg-info/."""
    info = pkg_info(name, version, summary, readme)
    return as_bytes(
        {
            "PKG-INFO": info,
            "setup.cfg": "[egg_info]\ntag_build = \ntag_date = 0\n\n",
            f"{egg_dir}/PKG-INFO": info,
            f"{egg_dir}/SOURCES.txt": "".join(f"{s}\n" for s in sorted(sources)),
            f"{egg_dir}/dependency_links.txt": "\n",
            f"{egg_dir}/top_level.txt": f"{name}\n",
        }
    )


# ---------------------------------------------------------------------------
# npm helpers
# ---------------------------------------------------------------------------


def package_json(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode()


# ---------------------------------------------------------------------------
# autotools
# ---------------------------------------------------------------------------

AUTOTOOLS = ("autoreconf", "autoconf", "automake", "aclocal", "libtoolize")


def require_autotools() -> None:
    missing = [t for t in AUTOTOOLS if shutil.which(t) is None]
    if missing:
        raise CaseSkipped("needs " + ", ".join(missing))


def autoreconf(files: Mapping[str, bytes], execs: Iterable[str]) -> tuple[Files, set[str]]:
    """Run ``autoreconf -fi`` on a scratch copy and return the resulting tree.

    Only m4 expansion and file copying happen here: nothing the tree contains
    is executed (configure is never run).
    """
    require_autotools()
    with tempfile.TemporaryDirectory(prefix="blind-autoreconf-") as tmp:
        root = Path(tmp)
        write_tree(root, files, execs)
        env = dict(os.environ, LC_ALL="C", SOURCE_DATE_EPOCH=str(TAR_MTIME))
        proc = subprocess.run(
            ["autoreconf", "-fi"], cwd=root, env=env, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise RuntimeError("autoreconf failed:\n" + proc.stderr[-2000:])
        out: Files = {}
        out_execs: set[str] = set()
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root).as_posix()
            if not p.is_file() or rel.startswith("autom4te.cache/") or rel.endswith("~"):
                continue
            out[rel] = p.read_bytes()
            if os.access(p, os.X_OK):
                out_execs.add(rel)
    return out, out_execs


def dist_tree(tree: Mapping[str, bytes], drop: Iterable[str] = (".gitignore",)) -> Files:
    """What ``make dist`` would ship: the tree minus VCS-only files."""
    dropped = set(drop)
    return {k: v for k, v in tree.items() if k not in dropped}


C_FRAME_H = """\
#ifndef BLIND_FRAME_H
#define BLIND_FRAME_H
#include <stddef.h>
#include <stdint.h>

/* Return 0 if buf holds a well-formed frame, -1 otherwise. */
int frame_check(const uint8_t *buf, size_t len);
uint32_t frame_crc(const uint8_t *buf, size_t len);

#endif
"""

C_FRAME_C = """\
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif
#include "frame.h"

uint32_t
frame_crc(const uint8_t *buf, size_t len)
{
\tuint32_t crc = 0xFFFFFFFFu;
\tfor (size_t i = 0; i < len; i++) {
\t\tcrc ^= buf[i];
\t\tfor (int k = 0; k < 8; k++)
\t\t\tcrc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
\t}
\treturn ~crc;
}

int
frame_check(const uint8_t *buf, size_t len)
{
\tif (len < 8 || buf[0] != 0x42 || buf[1] != 0x4c)
\t\treturn -1;
\treturn 0;
}
"""

C_MAIN_C = """\
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif
#include <stdio.h>
#include "frame.h"

int
main(int argc, char **argv)
{
\tunsigned char buf[4096];
\tint bad = 0;
\tfor (int i = 1; i < argc; i++) {
\t\tFILE *f = fopen(argv[i], "rb");
\t\tif (f == NULL)
\t\t\treturn 2;
\t\tsize_t n = fread(buf, 1, sizeof buf, f);
\t\tfclose(f);
\t\tif (frame_check(buf, n) != 0)
\t\t\tbad = 1;
\t}
\treturn bad;
}
"""

TEST_FRAMES_SH = """\
#!/bin/sh
# Every good-* file must be accepted, every bad-* file rejected.
set -e
: "${srcdir:=.}"
for f in "$srcdir"/tests/files/good-*; do ./blindcat "$f"; done
for f in "$srcdir"/tests/files/bad-*; do
\tif ./blindcat "$f"; then echo "accepted $f" >&2; exit 1; fi
done
"""

AUTOGEN_SH = """\
#!/bin/sh
# Bootstrap a git checkout. Release tarballs already contain configure.
set -e
{extra}autoreconf -fi
"""


def autotools_project(
    name: str,
    version: str,
    *,
    configure_extra: str = "",
    autogen_extra: str = "",
    extra_files: Mapping[str, bytes] | None = None,
    extra_gitignore: str = "",
) -> tuple[Files, set[str]]:
    """A small libtool + automake C project, as it would sit in git."""
    configure_ac = f"""\
AC_PREREQ([2.69])
AC_INIT([{name}], [{version}], [https://example.invalid/{name}/issues])
AC_CONFIG_SRCDIR([src/frame.c])
AC_CONFIG_AUX_DIR([build-aux])
AC_CONFIG_MACRO_DIR([m4])
AC_CONFIG_HEADERS([config.h])
AM_INIT_AUTOMAKE([foreign subdir-objects -Wall])
AM_SILENT_RULES([yes])
AC_PROG_CC
AM_PROG_AR
LT_INIT
{configure_extra}
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
"""
    makefile_am = f"""\
ACLOCAL_AMFLAGS = -I m4

lib_LTLIBRARIES = lib{name}.la
lib{name}_la_SOURCES = src/frame.c src/frame.h
lib{name}_la_LDFLAGS = -version-info 3:1:0
include_HEADERS = src/frame.h

bin_PROGRAMS = blindcat
blindcat_SOURCES = src/blindcat.c
blindcat_LDADD = lib{name}.la

TESTS = tests/test_frames.sh
EXTRA_DIST = autogen.sh $(TESTS) tests/files
"""
    gitignore = (
        "Makefile\nMakefile.in\n/aclocal.m4\n/autom4te.cache/\n/build-aux/\n/config.*\n"
        "!/config.rpath\n/configure\n/libtool\n/stamp-h1\n/m4/*\n!/m4/bl_*.m4\n"
        "*.o\n*.lo\n*.la\n.deps/\n.libs/\n/blindcat\n*.log\n*.trs\n" + extra_gitignore
    )
    files: Files = as_bytes(
        {
            "configure.ac": configure_ac,
            "Makefile.am": makefile_am,
            "autogen.sh": AUTOGEN_SH.format(extra=autogen_extra),
            ".gitignore": gitignore,
            "README": f"{name} {version}: a tiny frame checker used for examples.\n",
            "src/frame.h": C_FRAME_H,
            "src/frame.c": C_FRAME_C,
            "src/blindcat.c": C_MAIN_C,
            "tests/test_frames.sh": TEST_FRAMES_SH,
            "tests/files/README": "Sample frames: good-* must decode, bad-* must fail.\n",
            "tests/files/good-1-plain.frm": b"BL\x01\x00" + noise(name + "g1", 60),
            "tests/files/good-2-crc.frm": b"BL\x02\x00" + noise(name + "g2", 124),
            "tests/files/bad-1-magic.frm": b"LB\x01\x00" + noise(name + "b1", 60),
            "tests/files/bad-2-short.frm": b"BL\x01",
        }
    )
    if extra_files:
        files.update(extra_files)
    return files, {"autogen.sh", "tests/test_frames.sh"}
