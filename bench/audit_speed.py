"""How fast is a release audit, compared with the least work any audit must do?

Builds synthetic releases (a git repository, an annotated tag and a release
tarball of that tag with generated files added, the way ``make dist`` ships
them), then times WHOLE PROCESSES, interleaved, median of N runs:

- ``chainsight audit ART --source REPO --format json --output F``
- ``python bench/baseline_hash.py ART`` (decompress and git-hash every member)

Cases:

(a) a large synthetic release (thousands of files, tens of MB) at two sizes,
    ``--scales 1,4`` by default, which also shows whether peak memory is flat
    in artifact size;
(b) a synthetic autotools release shaped like xz-5.4 (about 700 members, a few
    MB, translations merged at release time);
(c) optionally real artifacts: ``--real-artifact PATH --real-repo PATH [--real-ref TAG]``.

Peak RSS is the command's own ``ru_maxrss``, reported by /usr/bin/time (or, without
it, by ``os.wait4``). A phase breakdown of one extra audit run per case (imports,
tree walk, archive streaming, explainers, findings, rendering) and the import
time per package are printed unless ``--no-phases``. See docs/performance.md.

    .venv/bin/python bench/audit_speed.py                 # full run, ~2-3 minutes on 2 cores
    .venv/bin/python bench/audit_speed.py --quick         # smoke run, seconds
    .venv/bin/python bench/audit_speed.py --json bench/out/speed.json \\
        --real-artifact .eval-cache/xz-5.4.6.tar.xz \\
        --real-repo /work/.mirror/tukaani-project+xz/repo --real-ref v5.4.6
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
import multiprocessing
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
BASELINE = BENCH_DIR / "baseline_hash.py"
GENERATOR_VERSION = 6
"""Bump when the generated content changes, so cached cases in --workdir are rebuilt."""
MTIME = 1_700_000_000
MiB = 1024 * 1024
XZ_PRESET = 1
"""Compression level of the synthetic .tar.xz: -6 (xz's default) takes minutes to build
the large cases here; both commands decompress the same file, and a faster-decompressing
artifact only makes the baseline faster (the ratio harder)."""
TARGETS = {"synthetic": 2.0, "autotools": 3.0, "real": 3.0}


def _words(text: str) -> list[str]:
    return text.split()


# --------------------------------------------------------------------------
# content generation (deterministic: one random.Random per case)
# --------------------------------------------------------------------------

_SYLLABLES = _words(
    "ba co de fi gu ha ji ka lo mu ne po ra si tu va we xo yi ze str buf len ctx ptr dec enc lz "
    "crc io fmt opt arg blk pos"
)
_TYPES = ("int", "size_t", "uint32_t", "uint64_t", "const char *", "bool", "lzma_ret", "void")
_OPS = ("==", "!=", "<", ">", "<=", ">=")
_LANGS = _words(
    "ca cs da de eo es fi fr hr hu it ko pl pt pt_BR ro sr sv tr uk vi zh_CN zh_TW ja nb"
)


class Gen:
    """Deterministic generator of source-, shell-, m4- and data-like content."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        words: set[str] = set()
        while len(words) < 1500:
            n = self.rng.choice((2, 2, 3, 3, 4))
            words.add("".join(self.rng.choices(_SYLLABLES, k=n)))
        self.words = sorted(words)

    def word(self) -> str:
        return self.rng.choice(self.words)

    def sentence(self, lo: int = 3, hi: int = 10) -> str:
        return " ".join(self.rng.choices(self.words, k=self.rng.randint(lo, hi)))

    def size(self, median: float, sigma: float, lo: int, hi: int) -> int:
        return max(lo, min(hi, int(self.rng.lognormvariate(0, sigma) * median)))

    def _fill(self, header: str, size: int, line: Callable[[], str]) -> bytes:
        out = [header]
        n = len(header)
        while n < size:
            s = line()
            out.append(s)
            n += len(s) + 1
        return ("\n".join(out) + "\n").encode()

    def c_source(self, size: int, header: str = "") -> bytes:
        rng, w = self.rng, self.words

        def line() -> str:
            r = rng.random()
            if r < 0.14:
                return ""
            if r < 0.24:
                return " * " + " ".join(rng.choices(w, k=rng.randint(4, 11)))
            if r < 0.32:
                return rng.choice(("}", "\t}", "{", "\t\tbreak;", "\treturn LZMA_OK;", "/*", " */"))
            if r < 0.42:
                a, b = rng.choices(w, k=2)
                return f"\tif ({a} {rng.choice(_OPS)} {b}) {{"
            if r < 0.47:
                return f"static {rng.choice(_TYPES)}\n{self.word()}({self.word()} *{self.word()})"
            a, b, c, d = rng.choices(w, k=4)
            return f"\t\t{a} = {b}({c}, {d} + {rng.randint(0, 4096)});"

        return self._fill(
            header or f'/* {self.sentence()} */\n#include "{self.word()}.h"', size, line
        )

    def prose(self, size: int, header: str = "") -> bytes:
        return self._fill(
            header or self.sentence(2, 6).title(),
            size,
            lambda: self.sentence(6, 14) if self.rng.random() > 0.1 else "",
        )

    def shell(self, size: int, header: str) -> bytes:
        rng, w = self.rng, self.words

        def line() -> str:
            r = rng.random()
            if r < 0.1:
                return "fi"
            if r < 0.2:
                return f"# {self.sentence()}"
            if r < 0.35:
                return f'if test "x${self.word()}" = x{self.word()}; then :'
            if r < 0.45:
                return f'  {self.word()}="${{{self.word()}}}/{self.word()}"'
            a, b, c = rng.choices(w, k=3)
            return f'  $as_echo "$as_me:${{as_lineno-$LINENO}}: checking {a} {b}" >&5; {c}=no'

        return self._fill(header, size, line)

    def makefile(self, size: int, header: str) -> bytes:
        def line() -> str:
            r = self.rng.random()
            if r < 0.3:
                return f"{self.word().upper()}_{self.word().upper()} = @{self.word().upper()}@"
            if r < 0.5:
                return f"{self.word()}.lo: {self.word()}.c $(srcdir)/{self.word()}.h"
            if r < 0.7:
                return f"\t$(AM_V_CC)$(COMPILE) -c -o $@ {self.word()}.c"
            return f"am__{self.word()} = {self.sentence(2, 6)} \\"

        return header.encode() + self._fill("", size, line)

    def m4(self, name: str, size: int) -> bytes:
        macro = name.rsplit(".", 1)[0].upper().replace("-", "_").replace("~", "_")
        head = (
            f"# {name} serial {self.rng.randint(1, 60)}\n"
            f"dnl Copyright (C) 1996-2023 Free Software Foundation, Inc.\n"
            f"dnl This file is free software; the Free Software Foundation\n"
            f"dnl gives unlimited permission to copy and/or distribute it.\n\n"
            f"AC_DEFUN([gl_{macro}],\n["
        )

        def line() -> str:
            if self.rng.random() < 0.2:
                return f"dnl {self.sentence()}"
            return f"  AC_REQUIRE([{self.word().upper()}])dnl {self.word()}=${{{self.word()}}}"

        return self._fill(head, size, line) + b"])\n"

    def binary(self, size: int, magic: bytes = b"") -> bytes:
        """Half incompressible, half structured (compresses about 2x)."""
        rng = self.rng
        if rng.random() < 0.5:
            body = bytearray(rng.randbytes(size))
        else:
            body = bytearray(size)
            body[0::2] = rng.randbytes((size + 1) // 2)
        body[: len(magic)] = magic
        return bytes(body[:size])

    def po(self, lang: str, entries: int, man: bool = False) -> bytes:
        """A translation catalog; po4a catalogs (man=True) repeat lines heavily."""
        rng = self.rng
        out = [
            f"# {lang} translation of xz.",
            "# This file is put in the public domain.",
            "#",
            'msgid ""',
            'msgstr ""',
            '"Project-Id-Version: xz 5.4.0\\n"',
            '"Report-Msgid-Bugs-To: xz@tukaani.org\\n"',
            '"POT-Creation-Date: 2023-01-10 10:00+0200\\n"',
            '"PO-Revision-Date: 2023-02-01 12:00+0100\\n"',
            f'"Language: {lang}\\n"',
            '"MIME-Version: 1.0\\n"',
            '"Content-Type: text/plain; charset=UTF-8\\n"',
            '"Content-Transfer-Encoding: 8bit\\n"',
            "",
        ]
        for _ in range(entries):
            if man:
                out.append(f"#. type: {rng.choice(('TP', 'Plain text', 'IP', 'TH', 'SS'))}")
                out.append(f"#: ../src/xz/xz.1:{rng.randint(5, 3000)}")
            else:
                refs = " ".join(
                    f"src/xz/{self.word()}.c:{rng.randint(10, 1500)}"
                    for _ in range(rng.randint(1, 3))
                )
                out.append(f"#: {refs}")
                if rng.random() < 0.4:
                    out.append("#, c-format")
            if man and rng.random() < 0.7:  # po4a: whole man-page paragraphs
                n = rng.randint(1, 2)
                out += ['msgid ""', *(f'"{self.sentence(6, 12)} "' for _ in range(n))]
                out += ['msgstr ""', *(f'"{self.sentence(6, 12)} "' for _ in range(n))]
            elif rng.random() < 0.3:
                out += ['msgid ""', f'"{self.sentence()} "', f'"{self.sentence()}"']
                out += ['msgstr ""', f'"{self.sentence()} "', f'"{self.sentence()}"']
            else:
                out += [f'msgid "{self.sentence(1, 8)}"', f'msgstr "{self.sentence(1, 9)}"']
            out.append("")
        return ("\n".join(out) + "\n").encode()

    def po_merged(self, po: bytes, reformat: bool) -> bytes:
        """What msgmerge at ``make dist`` does: new dates and line references; with
        ``reformat`` also fuzzy flags and obsolete entries (not a refs-only change)."""
        rng = self.rng
        lines = po.decode().split("\n")
        out = []
        for ln in lines:
            if ln.startswith('"POT-Creation-Date:'):
                ln = '"POT-Creation-Date: 2024-01-26 13:00+0200\\n"'
            elif ln.startswith("#: "):
                ln = " ".join(
                    (tok.rsplit(":", 1)[0] + f":{int(tok.rsplit(':', 1)[1]) + 7}")
                    if ":" in tok and tok.rsplit(":", 1)[1].isdigit()
                    else tok
                    for tok in ln.split(" ")
                )
            elif reformat and ln.startswith("msgid ") and rng.random() < 0.05:
                out.append("#, fuzzy")
            out.append(ln)
        if reformat:
            for _ in range(40):
                out += [
                    f'#~ msgid "{self.sentence(1, 6)}"',
                    f'#~ msgstr "{self.sentence(1, 6)}"',
                    "",
                ]
        return "\n".join(out).encode()


# --------------------------------------------------------------------------
# releases
# --------------------------------------------------------------------------


@dataclass
class Release:
    name: str
    version: str
    compression: str
    git_files: dict[str, bytes] = field(default_factory=dict)
    tar_only: dict[str, bytes] = field(default_factory=dict)
    tar_modified: dict[str, bytes] = field(default_factory=dict)
    not_in_tar: set[str] = field(default_factory=set)
    executable: set[str] = field(default_factory=set)

    @property
    def tag(self) -> str:
        return f"v{self.version}"

    @property
    def artifact_name(self) -> str:
        return f"{self.name}-{self.version}.tar.{self.compression}"

    def tar_members(self) -> dict[str, bytes]:
        members = {p: d for p, d in self.git_files.items() if p not in self.not_in_tar}
        members.update(self.tar_modified)
        members.update(self.tar_only)
        return dict(sorted(members.items()))


M4_GENERATED = _words(
    "libtool.m4 ltoptions.m4 ltsugar.m4 ltversion.m4 lt~obsolete.m4 gettext.m4 iconv.m4 "
    "intlmacosx.m4 lib-ld.m4 lib-link.m4 lib-prefix.m4 nls.m4 po.m4 progtest.m4 host-cpu-c-abi.m4 "
    "build-to-host.m4"
)
BUILD_AUX = "compile config.guess config.rpath config.sub depcomp install-sh missing test-driver"
PO_BOILERPLATE = _words(
    "Makefile.in.in Rules-quot boldquot.sed quot.sed en@quot.header en@boldquot.header "
    "insert-header.sin remove-potcdate.sin Makevars.template stamp-po"
)


def autotools_outputs(gen: Gen, rel: Release, am_dirs: list[str], configure_kib: int) -> None:
    """Add what autoreconf, gettextize and make dist put only in the tarball."""
    v = rel.version
    rel.tar_only["configure"] = gen.shell(
        configure_kib * 1024,
        f"#! /bin/sh\n# Guess values for system-dependent variables and create Makefiles.\n"
        f"# Generated by GNU Autoconf 2.72 for {rel.name} {v}.\n#\n",
    )
    rel.executable.add("configure")
    rel.tar_only["aclocal.m4"] = gen.m4("aclocal.m4", 45 * 1024).replace(
        b"# aclocal.m4", b"# generated automatically by aclocal 1.16.5 -*- Autoconf -*-\n#", 1
    )
    rel.tar_only["config.h.in"] = gen.c_source(
        14 * 1024, "/* config.h.in.  Generated from configure.ac by autoheader.  */"
    )
    for d in am_dirs:
        path = f"{d}/Makefile.in" if d else "Makefile.in"
        am = f"{d}/Makefile.am" if d else "Makefile.am"
        header = (
            "# Makefile.in generated by automake 1.16.5 from Makefile.am.\n"
            f"# @configure_input@\n\n# Copyright (C) 1994-2021 Free Software Foundation, Inc.\n"
            f"# {am}\n"
        )
        rel.tar_only[path] = gen.makefile(gen.size(30 * 1024, 0.7, 8 * 1024, 180 * 1024), header)
    for name in M4_GENERATED:
        rel.tar_only[f"m4/{name}"] = gen.m4(name, gen.size(12 * 1024, 1.0, 1024, 310 * 1024))
    for name in BUILD_AUX.split():
        rel.tar_only[f"build-aux/{name}"] = gen.shell(
            gen.size(25 * 1024, 0.8, 4 * 1024, 60 * 1024),
            f"#! /bin/sh\n# {name} - {gen.sentence()}\n\nscriptversion=2023-01-01.00; # UTC\n",
        )
        rel.executable.add(f"build-aux/{name}")
    rel.tar_only["build-aux/ltmain.sh"] = gen.shell(
        330 * 1024,
        "#! /usr/bin/env sh\n## DO NOT EDIT - This file generated from ./build-aux/"
        "ltmain.in\n##               by inline-source v2019-02-19.15\n\n# ltmain.sh (GNU libtool) "
        "2.4.7\n",
    )
    for name in PO_BOILERPLATE:
        rel.tar_only[f"po/{name}"] = gen.makefile(
            gen.size(4 * 1024, 0.8, 300, 20 * 1024), f"# {name} for gettext po/\n"
        )
    rel.tar_only["ABOUT-NLS"] = gen.prose(2 * 1024, "1 Notes on the Free Translation Project")
    for path in [p for p in rel.git_files if p.startswith("po/") and p.endswith(".po")]:
        rel.tar_only[path[:-3] + ".gmo"] = gen.binary(
            gen.size(24 * 1024, 0.3, 8 * 1024, 60 * 1024), b"\xde\x12\x04\x95"
        )


def _unique(path: str, taken: dict[str, bytes]) -> str:
    if path not in taken:
        return path
    stem, dot, ext = path.rpartition(".")
    n = 2
    while f"{stem}-{n}{dot}{ext}" in taken:
        n += 1
    return f"{stem}-{n}{dot}{ext}"


def synthetic_release(scale: float, seed: int) -> Release:
    """(a) A large release: ~3,600·scale text files, ~200·scale data files, ~100 generated."""
    gen = Gen(seed)
    rel = Release("synth", "1.0.0", "xz")
    files = rel.git_files
    tops = {
        "src": (".c", ".c", ".h"),
        "lib": (".c", ".h", ".h"),
        "include": (".h",),
        "tools": (".c", ".py", ".sh"),
        "tests": (".c", ".py", ".sh", ".txt"),
        "bindings": (".py", ".rs", ".js"),
        "examples": (".c", ".py"),
        "doc": (".md", ".txt", ".rst"),
    }
    n_dirs = max(12, round(140 * scale))
    dirs: list[str] = []
    while len(dirs) < n_dirs:
        top = gen.rng.choice(list(tops))
        depth = gen.rng.choice((1, 2, 2, 3))
        d = "/".join([top, *(gen.word() for _ in range(depth - 1))])
        if d not in dirs:
            dirs.append(d)
    for _ in range(round(3600 * scale)):
        d = gen.rng.choice(dirs)
        ext = gen.rng.choice(tops[d.split("/", 1)[0]])
        path = _unique(f"{d}/{gen.word()}{ext}", files)
        size = gen.size(4 * 1024, 1.0, 40, 400 * 1024)
        files[path] = gen.prose(size) if ext in (".md", ".txt", ".rst") else gen.c_source(size)
        if ext == ".sh":
            rel.executable.add(path)
    data_dirs = [d for d in dirs if d.startswith(("tests", "doc"))] or ["tests/data"]
    for _ in range(round(200 * scale)):
        ext, magic = gen.rng.choice(
            ((".bin", b""), (".xz", b"\xfd7zXZ\x00"), (".png", b"\x89PNG\r\n\x1a\n"), (".dat", b""))
        )
        path = _unique(f"{gen.rng.choice(data_dirs)}/data/{gen.word()}{ext}", files)
        files[path] = gen.binary(gen.size(20 * 1024, 1.2, 64, 2 * 1024 * 1024), magic)
    for lang in _LANGS:
        files[f"po/{lang}.po"] = gen.po(lang, 60)
    files["po/LINGUAS"] = (" ".join(_LANGS) + "\n").encode()
    files["configure.ac"] = gen.m4("configure.ac", 12 * 1024).replace(
        b"AC_DEFUN", b"AC_INIT([synth], [1.0.0])\nAM_INIT_AUTOMAKE\nAC_DEFUN", 1
    )
    files["autogen.sh"] = b"#!/bin/sh\nset -e\nautoreconf -fi\n"
    rel.executable.add("autogen.sh")
    files["README.md"] = gen.prose(6 * 1024, "# synth")
    files[".gitignore"] = b"/configure\nMakefile.in\n/aclocal.m4\n/build-aux/\n*.gmo\n"
    rel.not_in_tar.add(".gitignore")
    am_dirs = ["", *sorted(dirs)[:39]]
    for d in am_dirs:
        files[f"{d}/Makefile.am" if d else "Makefile.am"] = gen.makefile(
            gen.size(2 * 1024, 0.6, 300, 12 * 1024), "## Process this file with automake.\n"
        )
    autotools_outputs(gen, rel, am_dirs, configure_kib=420)
    return rel


def autotools_release(seed: int) -> Release:
    """(b) Shaped like xz-5.4.6: ~485 files in git, ~200 only in the tarball, 30 merged."""
    gen = Gen(seed)
    rel = Release("xzlike", "5.4.6", "gz")
    files = rel.git_files
    src_dirs = _words(
        "src/liblzma/common src/liblzma/lz src/liblzma/lzma src/liblzma/check src/liblzma/delta "
        "src/liblzma/simple src/liblzma/rangecoder src/liblzma/api/lzma src/xz src/xzdec "
        "src/lzmainfo src/common tests lib debug extra"
    )
    for i in range(240):
        d = src_dirs[i % len(src_dirs)]
        ext = ".h" if i % 5 in (1, 3) else ".c"
        files[_unique(f"{d}/{gen.word()}{ext}", files)] = gen.c_source(
            gen.size(5 * 1024, 0.9, 300, 90 * 1024)
        )
    for i in range(95):
        ext, magic = ((".xz", b"\xfd7zXZ\x00"), (".lz", b"LZIP"), (".lzma", b"\x5d\x00\x00"))[i % 3]
        files[_unique(f"tests/files/{gen.word()}{ext}", files)] = gen.binary(
            gen.size(600, 1.3, 32, 40 * 1024), magic
        )
    po_langs = _LANGS[:23]
    for lang in po_langs:
        files[f"po/{lang}.po"] = gen.po(lang, gen.rng.randint(200, 330))
    for lang in ("de", "fr", "ko", "pt_BR", "ro", "uk"):
        files[f"po4a/{lang}.po"] = gen.po(lang, 660, man=True)
    files["po/LINGUAS"] = (" ".join(po_langs) + "\n").encode()
    files["po/POTFILES.in"] = b"\n".join(p.encode() for p in sorted(files) if p.startswith("src/"))
    files["po/Makevars"] = gen.makefile(2048, "# Makefile variables for PO directory.\n")
    files["po4a/po4a.conf"] = gen.prose(1024, "[po4a_langs] de fr ko pt_BR ro uk")
    for name in ["getopt.m4", "posix-shell.m4", "visibility.m4", "ax_pthread.m4"] + [
        f"tuklib_{x}.m4" for x in ["common", "cpucores", "integer", "mbstr", "physmem", "progname"]
    ]:
        files[f"m4/{name}"] = gen.m4(name, gen.size(6 * 1024, 0.7, 1024, 24 * 1024))
    am_dirs = [
        "",
        *_words("src src/liblzma src/liblzma/api src/xz src/xzdec src/lzmainfo src/scripts lib"),
        *_words("tests doc"),
    ]
    for d in am_dirs:
        files[f"{d}/Makefile.am" if d else "Makefile.am"] = gen.makefile(
            gen.size(4 * 1024, 0.6, 600, 16 * 1024), "## SPDX-License-Identifier: 0BSD\n"
        )
    for name in ["xzdiff.in", "xzgrep.in", "xzless.in", "xzmore.in"]:
        files[f"src/scripts/{name}"] = gen.shell(6 * 1024, "#!@POSIX_SHELL@\n")
    for name in ["faq.txt", "history.txt", "lzma-file-format.txt", "xz-file-format.txt"]:
        files[f"doc/{name}"] = gen.prose(gen.size(20 * 1024, 0.6, 4 * 1024, 60 * 1024))
    for i in range(8):
        files[f"doc/examples/{i:02d}_{gen.word()}.c"] = gen.c_source(6 * 1024)
        files[f"cmake/{gen.word()}.cmake"] = gen.makefile(3 * 1024, "# cmake\n")
    for i in range(6):
        files[f"windows/vs20{17 + i}/liblzma.vcxproj"] = gen.prose(23 * 1024, "<?xml?>")
    for name in ["build.bash", "README-Windows.txt", "INSTALL-MinGW-w64_with_CMake.txt"]:
        files[f"windows/{name}"] = gen.prose(8 * 1024)
    for name in _words(
        "AUTHORS COPYING COPYING.GPLv2 COPYING.GPLv3 COPYING.LGPLv2.1 INSTALL NEWS PACKAGERS "
        "README THANKS TODO"
    ):
        files[name] = gen.prose(gen.size(12 * 1024, 0.8, 1024, 60 * 1024))
    files["ChangeLog"] = b"See the commit log in the git repository.\n"
    files["CMakeLists.txt"] = gen.makefile(60 * 1024, "# SPDX-License-Identifier: 0BSD\n")
    files["configure.ac"] = gen.m4("configure.ac", 40 * 1024)
    files["doxygen/Doxyfile"] = gen.prose(118 * 1024, "# Doxyfile 1.9.6")
    files["autogen.sh"] = b"#!/bin/sh\nset -e\nautoreconf -fi\n"
    files[".gitignore"] = b"/configure\nMakefile.in\n*.gmo\n/build-aux/\n"
    for name in ("ci.yml", "windows-ci.yml"):
        files[f".github/workflows/{name}"] = gen.prose(3 * 1024, "name: CI")
    rel.not_in_tar.update(
        {".gitignore", ".github/workflows/ci.yml", ".github/workflows/windows-ci.yml"}
    )
    while len(files) < 485:
        files[_unique(f"src/liblzma/common/{gen.word()}.c", files)] = gen.c_source(4 * 1024)
    rel.executable.update({"autogen.sh", "windows/build.bash"})
    autotools_outputs(gen, rel, am_dirs, configure_kib=730)
    # make dist: merged translations, rendered manuals, API docs, a ChangeLog from git log
    for i, lang in enumerate(po_langs):
        path = f"po/{lang}.po"
        rel.tar_modified[path] = gen.po_merged(files[path], reformat=i % 2 == 0)
    for lang in ("de", "fr", "ko", "pt_BR", "ro", "uk"):
        path = f"po4a/{lang}.po"
        rel.tar_modified[path] = gen.po_merged(files[path], reformat=True)
        for page in ["xz", "xzdec", "lzmainfo", "xzdiff", "xzgrep", "xzless", "xzmore"]:
            rel.tar_only[f"po4a/man/{lang}/{page}.1"] = gen.prose(
                gen.size(12 * 1024, 0.8, 4 * 1024, 130 * 1024), '.\\" generated by po4a'
            )
    rel.tar_only["po4a/xz-man.pot"] = gen.prose(124 * 1024, "# SOME DESCRIPTIVE TITLE")
    rel.tar_only["po/xz.pot"] = gen.prose(40 * 1024, "# SOME DESCRIPTIVE TITLE")
    for page in ["xz", "xzdec", "lzmainfo", "xzdiff", "xzgrep", "xzless", "xzmore", "lzmadec"]:
        rel.tar_only[f"doc/man/txt/{page}.txt"] = gen.prose(gen.size(20 * 1024, 0.8, 2048, 90000))
    for paper in ("a4", "letter"):
        for page in ["xz", "xzdec", "lzmainfo", "xzdiff", "xzgrep", "xzless", "xzmore"]:
            rel.tar_only[f"doc/man/pdf-{paper}/{page}-{paper}.pdf"] = gen.binary(
                gen.size(22 * 1024, 0.8, 8 * 1024, 116 * 1024), b"%PDF-1.4\n"
            )
    for i in range(38):
        rel.tar_only[f"doc/api/{gen.word()}_{i}.html"] = gen.prose(
            gen.size(14 * 1024, 0.8, 2048, 80 * 1024), "<!-- Generated by Doxygen 1.9.7 -->"
        )
    for i in range(21):
        rel.tar_only[f"doc/api/{gen.word()}_{i}.png"] = gen.binary(
            gen.size(600, 1.0, 100, 8 * 1024), b"\x89PNG\r\n\x1a\n"
        )
    log = []
    for _ in range(4200):
        log.append(
            f"commit {gen.rng.randbytes(20).hex()}\nAuthor: {gen.word().title()} "
            f"<{gen.word()}@example.org>\nDate:   2023-0{gen.rng.randint(1, 9)}-1"
            f"{gen.rng.randint(0, 9)}\n\n    {gen.sentence(3, 9).capitalize()}\n"
        )
    rel.tar_modified["ChangeLog"] = "\n".join(log).encode()
    return rel


# --------------------------------------------------------------------------
# building a case on disk
# --------------------------------------------------------------------------

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Bench Maintainer",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "Bench Maintainer",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "GIT_AUTHOR_DATE": "2023-11-14T22:13:20Z",
    "GIT_COMMITTER_DATE": "2023-11-14T22:13:20Z",
    "LC_ALL": "C",
}


@dataclass
class Case:
    key: str
    kind: str
    label: str
    artifact: Path
    repo: Path
    ref: str | None
    unpacked_bytes: int = 0
    members: int = 0


def _git(repo: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_ENV)
    subprocess.run(
        ["git", "-c", "gc.auto=0", "-C", str(repo), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _open_compressed(path: Path, compression: str) -> lzma.LZMAFile | gzip.GzipFile:
    if compression == "xz":
        return lzma.LZMAFile(path, "wb", preset=XZ_PRESET)
    if compression == "gz":
        return gzip.GzipFile(path, "wb", compresslevel=9, mtime=MTIME)
    raise ValueError(compression)


def write_release(rel: Release, root: Path) -> tuple[Path, Path, int, int]:
    """Write the repository (with tag) and the tarball; return paths, size and count."""
    repo = root / "repo"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    for path, data in rel.git_files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if path in rel.executable:
            target.chmod(0o755)
    with tempfile.TemporaryDirectory(prefix="bench-tpl-") as template:
        _git(repo, "init", "-q", f"--template={template}", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", f"Release {rel.version}")
    _git(repo, "tag", "-a", rel.tag, "-m", f"{rel.name} {rel.version}")
    _git(repo, "repack", "-a", "-d", "-q")
    artifact = root / rel.artifact_name
    prefix = f"{rel.name}-{rel.version}"
    members = rel.tar_members()
    dirs = sorted({p.rsplit("/", 1)[0] for p in members if "/" in p})
    unpacked = 0
    with (
        _open_compressed(artifact, rel.compression) as raw,
        tarfile.open(fileobj=raw, mode="w|", format=tarfile.GNU_FORMAT) as tf,
    ):
        for d in ["", *dirs]:
            info = tarfile.TarInfo(f"{prefix}/{d}".rstrip("/"))
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, MTIME
            tf.addfile(info)
        for path, data in members.items():
            info = tarfile.TarInfo(f"{prefix}/{path}")
            info.size, info.mtime = len(data), MTIME
            info.mode = 0o755 if path in rel.executable else 0o644
            tf.addfile(info, _BytesReader(data))
            unpacked += len(data)
    return artifact, repo, unpacked, len(members)


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._data) if n < 0 else self._pos + n
        chunk = bytes(self._data[self._pos : end])
        self._pos += len(chunk)
        return chunk


def build_case(
    key: str, kind: str, label: str, root: Path, make: Callable[[], Release], params: dict[str, Any]
) -> Case:
    """Build (or reuse, when the parameters match) one synthetic case under root/key."""
    case_dir = root / key
    stamp = case_dir / "case.json"
    params = {**params, "generator": GENERATOR_VERSION, "xz_preset": XZ_PRESET}
    if stamp.exists():
        saved = json.loads(stamp.read_text())
        if saved.get("params") == params and Path(saved["artifact"]).exists():
            print(f"  reusing {case_dir}", flush=True)
            return _case_from(saved, key, kind, label)
    stamp.unlink(missing_ok=True)
    t0 = time.perf_counter()
    # Build in a forked child: this process stays small, so nothing it holds can show
    # up in the peak RSS of the commands it measures.
    child = multiprocessing.get_context("fork").Process(
        target=_build_into, args=(case_dir, make, params)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"building {label} failed")
    saved = json.loads(stamp.read_text())
    artifact = Path(saved["artifact"])
    print(
        f"  built {label}: {saved['members']} members, {saved['unpacked'] / MiB:.1f} MiB "
        f"unpacked, {artifact.stat().st_size / MiB:.1f} MiB {artifact.name} "
        f"({time.perf_counter() - t0:.1f} s)",
        flush=True,
    )
    return _case_from(saved, key, kind, label)


def _case_from(saved: dict[str, Any], key: str, kind: str, label: str) -> Case:
    artifact, repo = Path(saved["artifact"]), Path(saved["repo"])
    return Case(key, kind, label, artifact, repo, None, saved["unpacked"], saved["members"])


def _build_into(case_dir: Path, make: Callable[[], Release], params: dict[str, Any]) -> None:
    rel = make()
    case_dir.mkdir(parents=True, exist_ok=True)
    artifact, repo, unpacked, members = write_release(rel, case_dir)
    record: dict[str, Any] = {"params": params, "artifact": str(artifact), "repo": str(repo)}
    record |= {"unpacked": unpacked, "members": members}
    (case_dir / "case.json").write_text(json.dumps(record))


def count_members(artifact: Path) -> tuple[int, int]:
    n = size = 0
    with tarfile.open(artifact, "r:*") as tf:
        for m in tf:
            if m.isreg():
                n += 1
                size += m.size
    return n, size


# --------------------------------------------------------------------------
# measuring
# --------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    cpu: float
    maxrss_kib: int
    returncode: int


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Children run the way users run chainsight: with cached bytecode (see set_pycache)."""


def set_pycache(root: Path) -> None:
    """Keep the children's bytecode under the work directory, not in the source tree
    (chainsight's install is editable), and compile what they import once, now."""
    CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    code = (
        "import chainsight.cli, chainsight.audit, chainsight.formats.jsonfmt, pygit2, "
        "tarfile, lzma, gzip, bz2, zipfile, hashlib"
    )
    subprocess.run([sys.executable, "-c", code], env=CHILD_ENV, check=True)
    import chainsight

    src = str(Path(chainsight.__file__).parent)
    cmd = [sys.executable, "-m", "compileall", "-q", src]
    subprocess.run(cmd, env=CHILD_ENV, check=True, stdout=subprocess.DEVNULL)


TIME = shutil.which("time", path="/usr/bin:/bin")
"""GNU time reports the peak RSS of its own child, unaffected by this (large) process."""


def run_child(cmd: list[str], log: Path) -> Sample:
    """Run one process to completion and return its wall time, CPU time and peak RSS.

    With /usr/bin/time the RSS is the command's own ``ru_maxrss``. Without it, it
    comes from ``os.wait4`` on the child, which on Linux also counts the memory the
    child had between fork and exec (this process's), so small figures are inflated.
    """
    stats = log.with_suffix(".time")
    full = [TIME, "-q", "-f", "%M", "-o", str(stats), *cmd] if TIME else cmd
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            full, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=CHILD_ENV
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    maxrss = usage.ru_maxrss
    if TIME:
        words = stats.read_text().split()
        maxrss = int(words[-1]) if words and words[-1].isdigit() else maxrss
    return Sample(wall, usage.ru_utime + usage.ru_stime, maxrss, proc.returncode)


@dataclass
class Side:
    samples: list[Sample]

    @property
    def median(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def peak_mib(self) -> float:
        return max(s.maxrss_kib for s in self.samples) / 1024


@dataclass
class Result:
    case: Case
    audit: Side
    baseline: Side
    target: float | None
    summary: dict[str, Any]
    baseline_output: str
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.audit.median / self.baseline.median


def audit_cmd(case: Case, report: Path) -> list[str]:
    cmd = [
        str(Path(sys.executable).parent / "chainsight"),
        "audit",
        str(case.artifact),
        "--source",
        str(case.repo),
        "--format",
        "json",
        "--output",
        str(report),
    ]
    if case.ref:
        cmd += ["--ref", case.ref]
    return cmd


def measure(case: Case, out: Path, runs: int, warmup: int) -> Result:
    report = out / f"{case.key}-report.json"
    acmd = audit_cmd(case, report)
    bcmd = [sys.executable, str(BASELINE), str(case.artifact)]
    audits: list[Sample] = []
    baselines: list[Sample] = []
    for i in range(warmup + runs):
        a = run_child(acmd, out / f"{case.key}-audit.log")
        if a.returncode not in (0, 1):
            log = (out / f"{case.key}-audit.log").read_text(errors="replace")
            raise SystemExit(f"audit failed on {case.label} (exit {a.returncode}):\n{log}")
        b = run_child(bcmd, out / f"{case.key}-baseline.log")
        if b.returncode != 0:
            raise SystemExit(f"baseline failed on {case.label}")
        if i >= warmup:
            audits.append(a)
            baselines.append(b)
    summary = json.loads(report.read_text()).get("summary", {})
    base_out = (out / f"{case.key}-baseline.log").read_text().strip()
    return Result(case, Side(audits), Side(baselines), TARGETS.get(case.kind), summary, base_out)


_PHASE_DRIVER = r"""
import json, sys, time
t0 = time.perf_counter()
import chainsight.cli as cli
t1 = time.perf_counter()
import chainsight.audit as A
import chainsight.analyzers.findings as F
import chainsight.analyzers.explain as E
import chainsight.analyzers.compare as C
import chainsight.formats.jsonfmt as J
import chainsight.sources.git as G
import pygit2
t2 = time.perf_counter()
phases = {"import chainsight.cli (typer)": t1 - t0, "import audit modules + pygit2": t2 - t1}
def wrap(owner, name, label):
    fn = getattr(owner, name, None)
    if fn is None:
        return
    def timed(*a, **k):
        s = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            phases[label] = phases.get(label, 0.0) + time.perf_counter() - s
    setattr(owner, name, timed)
entered = []
_audit = A.audit
def audit_entry(*a, **k):
    entered.append(time.perf_counter())
    return _audit(*a, **k)
A.audit = audit_entry
wrap(A, "audit", "audit() in all")
wrap(G.Repository, "open", "open repository")
wrap(G.Repository, "tree_at", "tag tree walk (pygit2)")
wrap(A, "_read_artifact", "stream + hash artifact")
wrap(C, "compare_trees", "compare trees")
wrap(E, "explain_all", "explainers")
wrap(F, "record_findings", "findings")
wrap(F, "diff_evidence", "  of which diff_evidence")
wrap(A, "sha256_file", "sha256 of artifact")
wrap(J, "render", "render JSON")
out, args = sys.argv[1], sys.argv[2:]
sys.argv = ["chainsight", *args]
t3 = time.perf_counter()
try:
    cli.app()  # cli.main() would leave with os._exit before the figures are written
except SystemExit:
    pass
finally:
    phases["command total (after imports)"] = time.perf_counter() - t3
    if entered:
        phases["typer: parse + dispatch to audit()"] = entered[0] - t3
    json.dump(phases, open(out, "w"))
"""


def phase_breakdown(case: Case, out: Path) -> dict[str, float]:
    """One audit in-process with timers around the pipeline's steps (low overhead)."""
    target = out / f"{case.key}-phases.json"
    cmd = [sys.executable, "-c", _PHASE_DRIVER, str(target)]
    cmd += audit_cmd(case, out / f"{case.key}-phases-report.json")[1:]
    start = run_child([sys.executable, "-c", "pass"], out / "startup.log")
    sample = run_child(cmd, out / f"{case.key}-phases.log")
    phases: dict[str, float] = json.loads(target.read_text())
    phases["interpreter startup"] = start.wall
    phases["process wall"] = sample.wall
    return phases


def import_breakdown(case: Case, out: Path) -> list[tuple[str, float]]:
    """Import time of each top-level package one audit loads (python -X importtime).

    A package's figure is the cumulative time of its outermost imports, the ones
    made from another package, so nested packages are counted once under each.
    """
    cmd = [sys.executable, "-X", "importtime", "-m", "chainsight"]
    cmd += audit_cmd(case, out / f"{case.key}-importtime-report.json")[1:]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=CHILD_ENV)
    rows: list[tuple[int, str, float]] = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2][1:]
        depth = (len(name) - len(name.lstrip(" "))) // 2
        rows.append((depth, name.strip().split(".")[0], int(parts[1]) / 1e6))
    tops: dict[str, float] = {}
    stack: list[tuple[int, str]] = []
    for depth, pkg, cumulative in reversed(rows):  # parents come before their children
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if not stack or stack[-1][1] != pkg:
            tops[pkg] = tops.get(pkg, 0.0) + cumulative
        stack.append((depth, pkg))
    return sorted(tops.items(), key=lambda kv: -kv[1])


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------


def _fmt_mib(n: float) -> str:
    return f"{n:.1f}"


def print_table(results: list[Result]) -> None:
    head = (
        f"{'case':<30} {'members':>7} {'MiB':>6} {'art MiB':>7} {'audit s':>8} "
        f"{'base s':>7} {'ratio':>6} {'target':>8} {'aud RSS':>8} {'base RSS':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        c = r.case
        target = (
            "-"
            if r.target is None
            else (f"<={r.target:g} " + ("ok" if r.ratio <= r.target else "MISS"))
        )
        print(
            f"{c.label:<30} {c.members:>7} {c.unpacked_bytes / MiB:>6.1f} "
            f"{c.artifact.stat().st_size / MiB:>7.1f} {r.audit.median:>8.2f} "
            f"{r.baseline.median:>7.2f} {r.ratio:>6.1f} {target:>8} "
            f"{_fmt_mib(r.audit.peak_mib):>8} {_fmt_mib(r.baseline.peak_mib):>8}"
        )
    print("(times: wall-clock median; RSS: peak resident set of the process, MiB)")


def print_memory(results: list[Result]) -> None:
    synth = sorted(
        (r for r in results if r.case.kind == "synthetic"), key=lambda r: r.case.unpacked_bytes
    )
    if len(synth) < 2:
        return
    small, big = synth[0], synth[-1]
    grow_bytes = (big.case.unpacked_bytes - small.case.unpacked_bytes) / MiB
    grow_members = big.case.members - small.case.members
    grow_rss = big.audit.peak_mib - small.audit.peak_mib
    grow_base = big.baseline.peak_mib - small.baseline.peak_mib
    per_member = grow_rss * 1024 / max(grow_members, 1)
    flat = grow_rss <= 0.25 * grow_bytes
    print(
        f"\npeak RSS, {small.case.label} -> {big.case.label} "
        f"(+{grow_bytes:.0f} MiB unpacked, {grow_members:+d} members):\n"
        f"  audit    {small.audit.peak_mib:6.1f} -> {big.audit.peak_mib:6.1f} MiB "
        f"(+{grow_rss:.1f}: {grow_rss / max(grow_bytes, 1e-9):.0%} of the unpacked growth, "
        f"{per_member:.1f} KiB per member)\n"
        f"  baseline {small.baseline.peak_mib:6.1f} -> {big.baseline.peak_mib:6.1f} MiB "
        f"(+{grow_base:.1f}; tarfile keeps a TarInfo per member)\n"
        + (
            "  flat in bytes: member content is not held; what grows is per-member bookkeeping"
            if flat
            else "  NOT flat: grows by more than a quarter of the unpacked growth"
        )
    )


def print_phases(results: list[Result], imports: list[tuple[str, float]]) -> None:
    with_phases = [r for r in results if r.phases]
    if not with_phases:
        return
    names: list[str] = []
    for r in with_phases:
        names += [n for n in r.phases if n not in names]
    order = [
        "interpreter startup",
        "import chainsight.cli (typer)",
        "import audit modules + pygit2",
        "typer: parse + dispatch to audit()",
        "audit() in all",
        "open repository",
        "tag tree walk (pygit2)",
        "stream + hash artifact",
        "sha256 of artifact",
        "compare trees",
        "explainers",
        "findings",
        "  of which diff_evidence (difflib)",
        "render JSON",
        "command total (after imports)",
        "process wall",
    ]
    names = [n for n in order if n in names] + [n for n in names if n not in order]
    print("\nwhere an audit spends its time (one run, seconds):")
    cols = [(r, max(10, len(r.case.key)) + 2) for r in with_phases]
    print(f"{'phase':<36}" + "".join(f"{r.case.key:>{w}}" for r, w in cols))
    for n in names:
        print(f"{n:<36}" + "".join(f"{r.phases.get(n, 0.0):>{w}.3f}" for r, w in cols))
    if imports:
        print(
            f"\nimport time by top-level package, audit of {results[-1].case.key} "
            "(python -X importtime, cumulative, s):"
        )
        print("  " + ", ".join(f"{name} {t:.3f}" for name, t in imports[:12]))


def machine() -> dict[str, Any]:
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(
        ["git", "-C", str(BENCH_DIR.parent), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "chainsight_commit": commit,
        "load_average": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "git": git,
    }


def _side(side: Side) -> dict[str, Any]:
    return {
        "median_s": side.median,
        "cpu_median_s": side.cpu,
        "peak_rss_mib": side.peak_mib,
        "samples": [asdict(s) for s in side.samples],
    }


def figures(
    args: argparse.Namespace,
    results: list[Result],
    imports: list[tuple[str, float]],
    m: dict[str, Any],
) -> dict[str, Any]:
    cases = []
    for r in results:
        case = {**asdict(r.case), "artifact": str(r.case.artifact), "repo": str(r.case.repo)}
        case["artifact_bytes"] = r.case.artifact.stat().st_size
        cases.append(
            {
                "case": case,
                "audit": _side(r.audit),
                "baseline": {**_side(r.baseline), "output": r.baseline_output},
                "ratio": r.ratio,
                "target": r.target,
                "report_summary": r.summary,
                "phases_s": r.phases,
            }
        )
    return {
        "machine": m,
        "runs": args.runs,
        "warmup": args.warmup,
        "seed": args.seed,
        "xz_preset": XZ_PRESET,
        "imports_s": dict(imports),
        "cases": cases,
    }


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--workdir",
        type=Path,
        help="build cases here and keep them (reused "
        "when the parameters match); default: a temporary directory",
    )
    p.add_argument("--runs", type=int, default=5, help="timed runs per command (median)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs first (page cache)")
    p.add_argument("--scales", default="1,4", help="sizes of the large synthetic case")
    p.add_argument("--seed", type=int, default=20240329)
    p.add_argument(
        "--quick", action="store_true", help="smoke run: small scales, one run, no warm-up"
    )
    p.add_argument("--no-autotools", action="store_true", help="skip case (b)")
    p.add_argument("--no-phases", action="store_true", help="skip the phase breakdown")
    p.add_argument("--json", type=Path, help="save all figures here")
    p.add_argument(
        "--real-artifact",
        type=Path,
        action="append",
        default=[],
        help="a real release artifact to bench too (repeatable)",
    )
    p.add_argument("--real-repo", type=Path, help="its source repository")
    p.add_argument("--real-ref", help="the tag it was made from (default: derived)")
    args = p.parse_args(list(argv) if argv is not None else None)
    if args.quick:
        args.runs, args.warmup, args.scales = 1, 0, "0.05,0.2"
    if args.real_artifact and not args.real_repo:
        p.error("--real-artifact needs --real-repo")
    return args


def main(argv: Iterable[str] | None = None) -> int:
    args = parse_args(argv)
    chainsight = Path(sys.executable).parent / "chainsight"
    if not chainsight.exists():
        print(
            f"no chainsight next to {sys.executable}; run with the venv's python", file=sys.stderr
        )
        return 2
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="chainsight-bench-")
        root = Path(tmp.name)
    else:
        root = args.workdir.resolve()
        root.mkdir(parents=True, exist_ok=True)
    out = root / "out"
    out.mkdir(exist_ok=True)
    set_pycache(root)
    started = time.perf_counter()
    m = machine()
    try:
        print("building cases", flush=True)
        cases: list[Case] = []
        small_scale = {f"synth-x{scale:g}": scale < 1 for scale in scales}
        for scale in scales:
            cases.append(
                build_case(
                    f"synth-x{scale:g}",
                    "synthetic",
                    f"synthetic x{scale:g} (.tar.xz)",
                    root,
                    lambda scale=scale: synthetic_release(scale, args.seed),  # type: ignore[misc]
                    {"kind": "synthetic", "scale": scale, "seed": args.seed},
                )
            )
        if not args.no_autotools:
            cases.append(
                build_case(
                    "autotools",
                    "autotools",
                    "autotools xz-like (.tar.gz)",
                    root,
                    lambda: autotools_release(args.seed),
                    {"kind": "autotools", "seed": args.seed},
                )
            )
        for art in args.real_artifact:
            members, unpacked = count_members(art)
            cases.append(
                Case(
                    f"real-{art.name}",
                    "real",
                    f"real {art.name}",
                    art.resolve(),
                    args.real_repo.resolve(),
                    args.real_ref,
                    unpacked,
                    members,
                )
            )
        results: list[Result] = []
        for case in cases:
            print(
                f"measuring {case.label}: {args.warmup} warm-up + {args.runs} runs each", flush=True
            )
            r = measure(case, out, args.runs, args.warmup)
            if case.kind == "synthetic" and small_scale.get(case.key, False):
                r.target = None  # the target is for the large release (scale >= 1)
            if not args.no_phases:
                r.phases = phase_breakdown(case, out)
            results.append(r)
        imports = [] if args.no_phases else import_breakdown(results[-1].case, out)
        print(
            f"\nchainsight {m['chainsight_commit']} audit vs baseline_hash.py, {m['cpus']} CPUs, "
            f"Python {m['python']}, median of {args.runs} runs, "
            f"load average {m['load_average']:.1f} -> {os.getloadavg()[0]:.1f}\n"
        )
        print_table(results)
        print_memory(results)
        print_phases(results, imports)
        print(f"\nbenchmark took {time.perf_counter() - started:.0f} s")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(figures(args, results, imports, m), indent=2) + "\n")
            print(f"figures saved to {args.json}")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
