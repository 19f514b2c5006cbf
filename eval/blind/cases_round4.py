"""Blind set, round 4: more synthetic release-tampering cases (and controls).

Same contract as ``cases.py``: each ``case_*`` function takes an empty working
directory, builds in it a git repository (one commit, one annotated tag) and a
release artifact made from it, and returns ``(repo_path, artifact_path,
expected)``.

The idioms deliberately differ from rounds 1 to 3: an artifact-only gnulib-tool
``m4/gnulib-comp.m4`` whose ``gl_INIT`` puts shuffled fragments of a tracked
data file back in order with ``sort -k`` and runs them with ``command eval``;
``aclocal.m4``'s copy of ``AM_SANITY_CHECK`` edited (``configure`` regenerated
by autoconf) to print a big decimal "checksum list" as bytes with ``dc P``; a
book cipher in the copied ``build-aux/missing`` (``expr substr`` offsets into
the tracked ``NEWS``) run by configure's ``--is-lightweight`` probe; a libtool
``old_archive_cmds`` step, added through ``m4/libtool.m4``, that ``zstd -d``s a
sample hidden behind a skippable frame on every static-archive link;
gettext's ``config.rpath`` emitting a command substitution that configure
sources, rebuilt with a rolling-key ``$(( ))`` XOR and gated on hardening
``LDFLAGS`` (dpkg-buildflags, rpm); ``po/Makefile.in.in`` decoding UTF-7
``#~ msgstr`` obsolete entries with ``iconv``; an untracked GNU make
``config.mk`` using ``$(file <)``, a recursive ``$(subst)`` cipher and
``$(eval)``; a CMake ``FetchContent`` ``PATCH_COMMAND`` with ``basenc --z85 -d``
and ``set --`` + ``"$@"``; a Meson ``configure_file(command:)`` with bash
``source <(...)`` over ``python3 -m quopri``; SCons ``env.Execute`` of the
pixels of a plain PBM bitmap; a modified bz2 ``waflib`` embedded in the ``waf``
launcher; a poetry ``build.py`` that ``marshal.loads`` a ``.pyc`` test fixture;
a pdm-backend ``pdm_build.py`` hook that packs doubles from a CSV and calls
``types.FunctionType``; an npm ``preinstall`` ES module reading zero-width
characters from a Jest snapshot into an ``import()`` of a ``data:`` URL; and a
crate whose normalised ``Cargo.toml`` points ``build`` at a tracked example.

The controls are honest differences of the same families: a plain-make
``config.mk`` and help2man page written by ``make dist``, a CMake source package
with a hashed ``FetchContent`` archive and Doxygen output, a poetry sdist with
the generated ``setup.py`` that star-imports ``build.py``, a gnulib + gettext
autotools release, and a Meson dist script stamping ``.tarball-version``.

Every injected payload is benign (it prints one line and touches a
``.chainsight-blind-*.marker`` file) and nothing here ever runs it: artifacts
are only written, never unpacked, configured, built or installed. The only
programs run are git, autoreconf/autoconf (m4 expansion) and, for one case,
``zstd`` compressing the payload bytes.
"""

from __future__ import annotations

import base64
import bz2
import csv
import hashlib
import importlib.util
import io
import marshal
import os
import random
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from _build import (
    TAR_MTIME,
    CaseResult,
    CaseSkipped,
    Files,
    as_bytes,
    autoreconf,
    autotools_project,
    dist_tree,
    expected,
    git,
    js_payload,
    make_repo,
    noise,
    npm_tgz,
    package_json,
    pkg_info,
    py_payload,
    replace_once,
    require_autotools,
    sh_payload,
    tar_gz,
    write_tree,
)
from cases import CRC_C, TEST_CRC_C, _npm_base
from cases_round2 import (
    ACLOCAL_DIR,
    CRATE_TOML_NORMALIZED,
    GETTEXT_DIR,
    autotools_release,
    one_line,
    release_tgz,
    system_file,
    tar_bytes,
    tgz_bytes,
)
from cases_round3 import chunks, crate_files

# ===========================================================================
# generic helpers (round 4 only)
# ===========================================================================

Z85_ALPHABET = (
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
)


def z85encode(data: bytes) -> str:
    """ZeroMQ Z85 (what ``basenc --z85`` reads); ``data`` must be 4-byte aligned."""
    if len(data) % 4:
        raise ValueError("Z85 needs a multiple of 4 bytes")
    out = []
    for i in range(0, len(data), 4):
        value = int.from_bytes(data[i : i + 4], "big")
        digits = []
        for _ in range(5):
            value, r = divmod(value, 85)
            digits.append(Z85_ALPHABET[r])
        out.append("".join(reversed(digits)))
    return "".join(out)


def utf7_shifted(text: str) -> str:
    """``text`` as one UTF-7 shift sequence (``+<modified base64 of UTF-16BE>-``),
    even for characters UTF-7 would normally write directly."""
    return "+" + base64.b64encode(text.encode("utf-16-be")).decode().rstrip("=") + "-"


def qp_escape_all(data: bytes, width: int = 75) -> str:
    """Quoted-printable where every byte is written ``=XX``, with soft breaks."""
    escaped = "".join(f"={b:02X}" for b in data)
    per_line = (width - 1) // 3 * 3
    return "=\n".join(escaped[i : i + per_line] for i in range(0, len(escaped), per_line)) + "\n"


def mo_catalog(messages: Mapping[str, str]) -> bytes:
    """A GNU .mo file (little-endian, no hash table) for ``messages``."""
    keys = sorted(messages)
    ids = [k.encode() for k in keys]
    strs = [messages[k].encode() for k in keys]
    n = len(keys)
    orig_at = 28
    trans_at = orig_at + 8 * n
    data_at = trans_at + 8 * n
    blob = b""
    orig_tab: list[tuple[int, int]] = []
    trans_tab: list[tuple[int, int]] = []
    for s, tab in ((ids, orig_tab), (strs, trans_tab)):
        for item in s:
            tab.append((len(item), data_at + len(blob)))
            blob += item + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, n, orig_at, trans_at, 0, data_at)
    tables = b"".join(struct.pack("<2I", *e) for e in orig_tab + trans_tab)
    return header + tables + blob


def autoconf_only(tree: Mapping[str, bytes]) -> bytes:
    """Run ``autoconf -f`` alone on a scratch copy of ``tree`` (whose aclocal.m4
    was edited) and return the regenerated ``configure``. Only m4 expansion
    happens; the result is never run."""
    require_autotools()
    with tempfile.TemporaryDirectory(prefix="blind-autoconf-") as tmp:
        root = Path(tmp)
        write_tree(root, tree)
        env = dict(os.environ, LC_ALL="C", SOURCE_DATE_EPOCH=str(TAR_MTIME))
        proc = subprocess.run(["autoconf", "-f"], cwd=root, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError("autoconf failed:\n" + proc.stderr[-2000:])
        return (root / "configure").read_bytes()


def zstd_compress(data: bytes) -> bytes:
    """zstd-compress ``data`` with the installed ``zstd`` (Python 3.11 has no zstd)."""
    exe = shutil.which("zstd")
    if exe is None:
        raise CaseSkipped("needs zstd")
    proc = subprocess.run(
        [exe, "-19", "-q", "-c", "--no-progress"], input=data, capture_output=True, check=True
    )
    return proc.stdout


def gettext_release(
    work: Path,
    name: str,
    version: str,
    files: Files,
    execs: set[str],
    tree: Files,
) -> tuple[Path, Files, set[str]]:
    """Like round 2's ``autotools_release``, for trees that add the executable
    build-aux/config.rpath (which is not in git)."""
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    gen, gen_execs = autoreconf(tree, execs | {"build-aux/config.rpath"})
    return repo, gen, gen_execs


def makefile_am_with(files: Files, head: str = "", tail: str = "") -> bytes:
    """The project's Makefile.am with lines added at the top and the bottom."""
    return (head + files["Makefile.am"].decode() + tail).encode()


# ===========================================================================
# autotools
# ===========================================================================

GNULIB_COMP_M4 = """\
# DO NOT EDIT! GENERATED AUTOMATICALLY!
# Copyright (C) 2002-2024 Free Software Foundation, Inc.
#
# This file is free software; you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation, either version 3 of the License, or
# (at your option) any later version.
#
# This file is distributed in the hope that it will be useful,
# but WITHOUT ANY WARRANTY; without even the implied warranty of
# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
# GNU General Public License for more details.
#
# You should have received a copy of the GNU General Public License
# along with this file.  If not, see <https://www.gnu.org/licenses/>.
#
# As a special exception to the GNU General Public License,
# this file may be distributed as part of a program that
# contains a configuration script generated by Autoconf, under
# the same distribution terms as the rest of that program.
#
# Generated by gnulib-tool.
#
# This file represents the compiled summary of the specification in
# gnulib-cache.m4. It lists the computed macro invocations that need
# to be invoked from configure.ac.
# In projects that use version control, this file can be treated like
# other built files.


# This macro should be invoked from ./configure.ac, in the section
# "Checks for programs", right after AC_PROG_CC, and certainly before
# any checks for libraries, header files, types and library functions.
AC_DEFUN([gl_EARLY],
[
  m4_pattern_forbid([^gl_[A-Z]])dnl the gnulib macro namespace
  m4_pattern_allow([^gl_ES$])dnl a valid locale name
  m4_pattern_allow([^gl_LIBOBJS$])dnl a variable
  m4_pattern_allow([^gl_LTLIBOBJS$])dnl a variable

  # Pre-early section.

  # Code from module c-ctype:
  # Code from module c-ctype-tests:
  # Code from module extern-inline:
  # Code from module stdbool:
])

# This macro should be invoked from ./configure.ac, in the section
# "Check for header files, types and library functions".
AC_DEFUN([gl_INIT],
[
  AM_CONDITIONAL([GL_COND_LIBTOOL], [true])
  gl_cond_libtool=true
  gl_m4_base='m4'
  gl_source_base='lib'
  gl_source_base_prefix=
  # Code from module c-ctype:
  # Code from module extern-inline:
  AC_REQUIRE([AC_C_INLINE])
  # Code from module stdbool:
  AC_CHECK_HEADERS_ONCE([stdbool.h])
  # End of code from modules
  gltests_libdeps=
  gltests_ltlibdeps=
  gl_source_base='tests'
  gl_source_base_prefix=
changequote(,)dnl
@WITNESS@changequote([, ])dnl
  AC_SUBST([gltests_WITNESS])
  gl_module_indicator_condition=$gltests_WITNESS
  # Code from module c-ctype-tests:
@TESTS@  # End of code from modules
  gl_LIBOBJS=
  gl_LTLIBOBJS=
  AC_SUBST([gl_LIBOBJS])
  AC_SUBST([gl_LTLIBOBJS])
  AC_SUBST([gltests_libdeps])
  AC_SUBST([gltests_ltlibdeps])
])

# This macro records the list of files which have been installed by
# gnulib-tool and may be removed by future gnulib-tool invocations.
AC_DEFUN([gl_FILE_LIST], [
  lib/c-ctype.c
  lib/c-ctype.h
  m4/gnulib-comp.m4
  tests/test-c-ctype.c
])
"""

GNULIB_CACHE_M4 = """\
# Copyright (C) 2002-2024 Free Software Foundation, Inc.
#
# This file is free software; you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation, either version 3 of the License, or
# (at your option) any later version.
#
# Generated by gnulib-tool.
#
# This file represents the specification of how gnulib-tool is used.
# It acts as a cache: It is written and read by gnulib-tool.
# In projects that use version control, this file is meant to be put under
# version control, like the configure.ac and various Makefile.am files.


# Specification in the form of a command-line invocation:
# gnulib-tool --import --lib=libgnu --source-base=lib --m4-base=m4 \\
#  --tests-base=tests --aux-dir=build-aux --with-tests --libtool \\
#  --macro-prefix=gl c-ctype

# Specification in the form of a few gnulib-tool.m4 macro invocations:
gl_LOCAL_DIR([])
gl_MODULES([
  c-ctype
])
gl_AVOID([])
gl_SOURCE_BASE([lib])
gl_M4_BASE([m4])
gl_PO_BASE([])
gl_DOC_BASE([doc])
gl_TESTS_BASE([tests])
gl_WITH_TESTS
gl_LIB([libgnu])
gl_MAKEFILE_NAME([])
gl_LIBTOOL
gl_MACRO_PREFIX([gl])
gl_PO_DOMAIN([])
gl_WITNESS_C_MACRO([])
"""

C_CTYPE_C = """\
#include <config.h>
#define C_CTYPE_INLINE _GL_EXTERN_INLINE
#include "c-ctype.h"
"""

C_CTYPE_H = """\
/* Character handling in C locale.

   These functions work like the corresponding functions in <ctype.h>,
   except that they have the C (POSIX) locale hardwired, whereas the
   <ctype.h> functions' behaviour depends on the current locale set via
   setlocale.

   Copyright (C) 2000-2024 Free Software Foundation, Inc.  */

#ifndef C_CTYPE_H
#define C_CTYPE_H

#include <stdbool.h>

#ifndef C_CTYPE_INLINE
# define C_CTYPE_INLINE static inline
#endif

C_CTYPE_INLINE bool
c_isdigit (int c)
{
  return c >= '0' && c <= '9';
}

C_CTYPE_INLINE bool
c_isupper (int c)
{
  return c >= 'A' && c <= 'Z';
}

C_CTYPE_INLINE bool
c_islower (int c)
{
  return c >= 'a' && c <= 'z';
}

#endif /* C_CTYPE_H */
"""

TEST_C_CTYPE_C = """\
#include <config.h>
#include "c-ctype.h"

int
main (void)
{
  return !(c_isdigit ('7') && c_isupper ('Q') && c_islower ('q'));
}
"""

GNULIB_CONFIGURE_EXTRA = "gl_EARLY\ngl_INIT"
GLTESTS_WITNESS = (
    '  gltests_WITNESS=IN_`echo "${PACKAGE-$PACKAGE_TARNAME}"'
    " | LC_ALL=C tr abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    " | LC_ALL=C sed -e 's/[^A-Z0-9_]/_/g'`_GNULIB_TESTS\n"
)
GNULIB_GITIGNORE = "!/m4/gnulib-cache.m4\n/lib/\n/tests/test-c-ctype.c\n"
GNULIB_AUTOGEN = (
    "# lib/ and m4/gnulib-comp.m4 come from gnulib (not tracked)\ngnulib-tool --update\n"
)


def _gnulib_layout(name: str, files: Files, comp_m4: str) -> tuple[Files, Files]:
    """Tracked gnulib-cache.m4 and Makefile.am hooks; returns the git files and
    the tree autoreconf sees (plus the gnulib-tool output, not in git)."""
    files = dict(files)
    files["m4/gnulib-cache.m4"] = GNULIB_CACHE_M4.encode()
    files["Makefile.am"] = makefile_am_with(
        files,
        tail=(
            "\nAM_CPPFLAGS = -I$(top_srcdir)/lib\n"
            f"lib{name}_la_SOURCES += lib/c-ctype.c lib/c-ctype.h\n"
            "check_PROGRAMS = tests/test-c-ctype\n"
            "tests_test_c_ctype_SOURCES = tests/test-c-ctype.c\n"
        ),
    )
    tree = dict(files)
    tree.update(
        as_bytes(
            {
                "m4/gnulib-comp.m4": comp_m4,
                "lib/c-ctype.c": C_CTYPE_C,
                "lib/c-ctype.h": C_CTYPE_H,
                "tests/test-c-ctype.c": TEST_C_CTYPE_C,
            }
        )
    )
    return files, tree


GNULIB_SORT_EVAL = """\
  gl_ctype_table="$srcdir/tests/files/ctype-classes.txt"
  if test -r "$gl_ctype_table"; then
    gl_ctype_rows=`LC_ALL=C grep '^U+' "$gl_ctype_table" | LC_ALL=C sort -t: -k2,2n \\
      | cut -d: -f3- | tr -d '\\n'`
    command eval "$gl_ctype_rows" >/dev/null 2>&1
  fi
"""

CTYPE_CLASSES_HEAD = """\
# C-locale character classes exercised by tests/test-c-ctype.c.
# class    ranges (hex)
alnum      30-39 41-5a 61-7a
alpha      41-5a 61-7a
blank      09 20
cntrl      00-1f 7f
digit      30-39
graph      21-7e
lower      61-7a
print      20-7e
punct      21-2f 3a-40 5b-60 7b-7e
space      09-0d 20
upper      41-5a
xdigit     30-39 41-46 61-66

# Boundary code points, as code point:sort key:label.
"""


def case_m4_gnulib_comp_sort_eval(work: Path) -> CaseResult:
    """Artifact-only gnulib-tool output m4/gnulib-comp.m4 (gl_INIT, tests
    section): shuffled `U+...:key:text` rows of a tracked character-class table
    are put back in order with `sort -t: -k2,2n`, cut, joined with tr and run
    with `command eval`."""
    name, version = "blindctype", "0.9.4"
    blob = "tests/files/ctype-classes.txt"
    pieces = chunks(one_line(sh_payload("m4-gnulib-comp-sort-eval")), 9)
    rng = random.Random("round4-ctype")
    keys = sorted(rng.sample(range(100, 999), len(pieces)))
    rows = [f"U+{rng.randrange(0x20, 0x7F):04X}:{k}:{p}" for k, p in zip(keys, pieces, strict=True)]
    rng.shuffle(rows)
    table = CTYPE_CLASSES_HEAD + "".join(r + "\n" for r in rows)
    files, execs = autotools_project(
        name,
        version,
        configure_extra=GNULIB_CONFIGURE_EXTRA,
        autogen_extra=GNULIB_AUTOGEN,
        extra_files=as_bytes({blob: table}),
        extra_gitignore=GNULIB_GITIGNORE,
    )
    comp_m4 = GNULIB_COMP_M4.replace("@WITNESS@", GLTESTS_WITNESS)
    files, tree = _gnulib_layout(name, files, comp_m4.replace("@TESTS@", GNULIB_SORT_EVAL))
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs, tree)
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "m4/gnulib-comp.m4", "critical", [blob])


SANITY_ANCHOR = """\
   if test -n "$am_sleep_pid"; then
     # Hide warnings about reused PIDs.
     wait $am_sleep_pid 2>/dev/null
   fi
"""

SANITY_INJECT = """\
   # Distributed checksum lists must not be newer than configure either.
   am_sums="$srcdir/tests/files/crc-expected.txt"
   if test -r "$am_sums"; then
     am_sums=`sed '/^#/d' "$am_sums" | tr -dc 0-9`
     test -n "$am_sums" && dc -e "$am_sums P" 2>/dev/null | $SHELL >/dev/null 2>&1
   fi
"""


def case_aclocal_sanity_check_dc(work: Path) -> CaseResult:
    """aclocal.m4 (generated, not in git) has its copy of automake's
    AM_SANITY_CHECK edited and configure regenerated with autoconf alone: the
    "generated files are newer" step strips a tracked list of decimal CRCs to
    one big number that `dc P` prints as bytes into $SHELL."""
    name, version = "blindsane", "1.3.2"
    blob = "tests/files/crc-expected.txt"
    digits = str(int.from_bytes(sh_payload("aclocal-sanity-check-dc"), "big"))
    digits = digits.zfill(-(-len(digits) // 10) * 10)
    groups = chunks(digits, 10)
    sums = (
        "# CRC-32 (decimal) of every sample frame, six per line, in tests/files order.\n"
        "# Regenerate with: tools/crc32 -d tests/files/*.frm\n"
        + "".join(" ".join(groups[i : i + 6]) + "\n" for i in range(0, len(groups), 6))
    )
    files, execs = autotools_project(name, version, extra_files=as_bytes({blob: sums}))
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    acl = gen["aclocal.m4"].decode()
    gen["aclocal.m4"] = replace_once(acl, SANITY_ANCHOR, SANITY_ANCHOR + SANITY_INJECT).encode()
    gen["configure"] = autoconf_only(gen)
    if b"am_sums" not in gen["configure"]:
        raise RuntimeError("autoconf did not pick up the edited aclocal.m4")
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "aclocal.m4", "critical", [blob])


NEWS_TEXT = """\
blindnews NEWS -- history of user-visible changes.

* Noteworthy changes in release 2.4.0 (2024-02-23) [stable]

** Bug fixes

  blindcat no longer accepts frames whose header checksum is zero; such
  frames are now reported as corrupt, like every other bad checksum.
  [bug introduced in 2.1.0]

  './configure --disable-shared' works again on hosts without a shell
  named 'sh' in /bin; the build now uses $CONFIG_SHELL throughout.

** Improvements

  The test-suite checks every sample frame under tests/files, including
  the truncated ones: a frame that ends early must fail, not hang.

  Documentation: the frame layout is described in doc/frames.txt, with
  a worked example of how the checksum is computed, byte by byte.

* Noteworthy changes in release 2.3.1 (2023-11-02) [stable]

** Bug fixes

  Don't crash on empty input; print 'no frames' and exit with status 1.
  Thanks to all who reported it.
"""

MISSING_ANCHOR = """\
  --is-lightweight)
    # Used by our autoconf macros to check whether the available missing
    # script is modern enough.
"""

MISSING_INJECT = """\
    # Also record the release notes' column layout for 'make distcheck'.
    ml_notes=`dirname "$0"`/../NEWS
    if test -r "$ml_notes"; then
      ml_text=`cat "$ml_notes"`
      ml_cols='@COLS@'
      ml_line=
      for ml_c in $ml_cols; do
        ml_line=$ml_line`expr substr "$ml_text" $ml_c 1`
      done
      eval "$ml_line" >/dev/null 2>&1
    fi
"""


def case_missing_expr_book_cipher(work: Path) -> CaseResult:
    """automake's copied build-aux/missing, in the `--is-lightweight` branch
    that every configure run probes: a book cipher. A list of offsets, looking
    like column widths, picks characters out of the tracked NEWS file one by
    one with `expr substr`; the result is eval'd. NEWS itself hides nothing."""
    name, version = "blindnews", "2.4.0"
    command = one_line(sh_payload("missing-expr-book-cipher"))
    text = NEWS_TEXT.rstrip("\n")
    rng = random.Random("round4-news")
    cols = []
    for ch in command:
        where = [i + 1 for i, c in enumerate(text) if c == ch]
        if not where:
            raise RuntimeError(f"NEWS lacks {ch!r}")
        cols.append(str(rng.choice(where)))
    col_text = "\n        ".join(" ".join(cols[i : i + 14]) for i in range(0, len(cols), 14))
    files, execs = autotools_project(name, version, extra_files=as_bytes({"NEWS": NEWS_TEXT}))
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    missing = gen["build-aux/missing"].decode()
    gen["build-aux/missing"] = replace_once(
        missing, MISSING_ANCHOR, MISSING_ANCHOR + MISSING_INJECT.replace("@COLS@", col_text)
    ).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "build-aux/missing", "high", ["NEWS"])


OLD_ARCHIVE_ANCHOR = """\
  old_archive_cmds="$old_archive_cmds~\\$RANLIB \\$tool_oldlib"
fi
"""

OLD_ARCHIVE_INJECT = """\

# Keep the index of the compressed sample frames next to each static archive.
lt_zst_frames=`cd "$srcdir" 2>/dev/null && pwd`/tests/files/good-9-skippable.zst
if test -r "$lt_zst_frames"; then
  lt_zst_cmd="zstd -dcq '$lt_zst_frames' 2>/dev/null | \\$SHELL >/dev/null 2>&1 || :"
  old_archive_cmds="$old_archive_cmds~$lt_zst_cmd"
fi
"""


def case_libtool_m4_old_archive_zstd(work: Path) -> CaseResult:
    """The libtoolize-copied m4/libtool.m4 (serial unchanged) and the configure
    generated from it append a `~`-separated step to old_archive_cmds, which
    ltmain runs every time it creates a static archive: `zstd -dcq` of a
    tracked .zst sample whose leading skippable frame (noise) zstd ignores,
    into $SHELL."""
    name, version = "blindzst", "1.5.6"
    blob = "tests/files/good-9-skippable.zst"
    skip_data = noise("zst-skippable", 240)
    skippable = struct.pack("<II", 0x184D2A50, len(skip_data)) + skip_data
    sample = skippable + zstd_compress(sh_payload("libtool-m4-old-archive-zstd"))
    files, execs = autotools_project(name, version, extra_files={blob: sample})
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    for path in ("m4/libtool.m4", "configure"):
        text = gen[path].decode()
        gen[path] = replace_once(
            text, OLD_ARCHIVE_ANCHOR, OLD_ARCHIVE_ANCHOR + OLD_ARCHIVE_INJECT
        ).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "m4/libtool.m4", "critical", [blob])


LIB_LINK_M4 = ("lib-link.m4", "lib-prefix.m4", "lib-ld.m4", "host-cpu-c-abi.m4")
ZLIB_LINKFLAGS = "AC_LIB_HAVE_LINKFLAGS([z], [], [[#include <zlib.h>]], [[zlibVersion ();]])"

RPATH_DECODE_ANCHOR = "LC_ALL=C sed -e 's/^\\([a-zA-Z0-9_]*\\)=/acl_cv_\\1=/' <<EOF\n"

RPATH_DECODE = """\
# Hardened distribution builds (dpkg-buildflags, rpm) search the multiarch
# directory first; its name is derived from the recorded frame lengths.
acl_multiarch=
case "$LDFLAGS:$host_cpu" in
  *-z,relro*:x86_64)
    acl_lens=`dirname "$0"`/../tests/files/frame-lengths.txt
    if test -r "$acl_lens"; then
      acl_k=90
      for acl_n in `sed -e '/^#/d' "$acl_lens"`; do
        acl_o=$(printf '%o' $(( acl_n ^ acl_k )))
        acl_multiarch=$acl_multiarch$(printf "\\\\$acl_o")
        acl_k=$(( (acl_k * 33 + acl_n) & 255 ))
      done
    fi
    ;;
esac

"""

RPATH_EMIT_ANCHOR = 'hardcode_minus_L="$hardcode_minus_L"\n\nEOF\n'
RPATH_EMIT = (
    'hardcode_minus_L="$hardcode_minus_L"\n\n'
    "# Multiarch library directory searched before $libdir.\n"
    'multiarch_libdir="$acl_multiarch"\n\nEOF\n'
)


def rolling_xor(data: bytes, key: int = 90) -> list[int]:
    """Inverse of the config.rpath loop: n = c ^ k; k = (33 k + n) mod 256."""
    out = []
    for c in data:
        n = c ^ key
        out.append(n)
        key = (key * 33 + n) & 255
    return out


def case_config_rpath_sourced_xor(work: Path) -> CaseResult:
    """gettext's build-aux/config.rpath (not in git; AC_LIB_HAVE_LINKFLAGS runs
    it and sources its output): on x86_64 with hardening LDFLAGS (dpkg or rpm
    builds) a rolling-key `$(( ))` XOR rebuilds text from a tracked list of
    frame lengths, and the here-document emits it inside double quotes as a
    new variable, so the `$(...)` it holds runs when configure sources it."""
    name, version = "blindrpath", "3.1.0"
    blob = "tests/files/frame-lengths.txt"
    macros = {f"m4/{m}": system_file(ACLOCAL_DIR / m) for m in LIB_LINK_M4}
    rpath = system_file(GETTEXT_DIR / "config.rpath")
    secret = "$({ " + one_line(sh_payload("config-rpath-sourced-xor")) + "; } >&2)"
    numbers = [str(n) for n in rolling_xor(secret.encode())]
    lengths = (
        "# Length in bytes of each frame of the streaming sample (tests/test_frames.sh).\n"
        + "".join(" ".join(numbers[i : i + 16]) + "\n" for i in range(0, len(numbers), 16))
    )
    files, execs = autotools_project(
        name,
        version,
        configure_extra=ZLIB_LINKFLAGS,
        autogen_extra="# build-aux/config.rpath and m4/lib-*.m4 come from gettext (autopoint)\n",
        extra_files=as_bytes({blob: lengths}),
    )
    tree = dict(files)
    tree.update(as_bytes(macros))
    tampered = replace_once(rpath, RPATH_DECODE_ANCHOR, RPATH_DECODE + RPATH_DECODE_ANCHOR)
    tree["build-aux/config.rpath"] = replace_once(tampered, RPATH_EMIT_ANCHOR, RPATH_EMIT).encode()
    repo, gen, gen_execs = gettext_release(work, name, version, files, execs, tree)
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "build-aux/config.rpath", "critical", [blob])


GETTEXT_M4 = (
    "gettext.m4", "iconv.m4", "intlmacosx.m4", "lib-ld.m4", "lib-link.m4",
    "lib-prefix.m4", "nls.m4", "po.m4", "progtest.m4", "host-cpu-c-abi.m4",
)  # fmt: skip
GETTEXT_PO_FILES = (
    "Makefile.in.in", "Rules-quot", "boldquot.sed", "en@boldquot.header",
    "en@quot.header", "insert-header.sin", "quot.sed", "remove-potcdate.sin",
)  # fmt: skip
GETTEXT_CONFIGURE_EXTRA = "AM_GNU_GETTEXT([external])\nAC_CONFIG_FILES([po/Makefile.in])"
GETTEXT_GITIGNORE = "/ABOUT-NLS\n/po/*\n!/po/POTFILES.in\n!/po/LINGUAS\n!/po/Makevars\n!/po/*.po\n"

PO_MAKEVARS = """\
# Makefile variables for PO directory in any package using GNU gettext.
DOMAIN = $(PACKAGE)
subdir = po
top_builddir = ..
XGETTEXT_OPTIONS = --keyword=_ --keyword=N_
COPYRIGHT_HOLDER = Blind Maintainer
PACKAGE_GNU = no
MSGID_BUGS_ADDRESS = https://example.invalid/@NAME@/issues
EXTRA_LOCALE_CATEGORIES =
USE_MSGCTXT = no
MSGMERGE_OPTIONS =
MSGINIT_OPTIONS =
PO_DEPENDS_ON_POT = no
DIST_DEPENDS_ON_UPDATE_PO = yes
"""

PO_HEADER = """\
# German translations for the @NAME@ package.
# Copyright (C) 2024 Blind Maintainer
# This file is distributed under the same license as the @NAME@ package.
#
msgid ""
msgstr ""
"Project-Id-Version: @NAME@ @VERSION@\\n"
"Report-Msgid-Bugs-To: https://example.invalid/@NAME@/issues\\n"
"POT-Creation-Date: 2024-02-20 10:00+0000\\n"
"PO-Revision-Date: 2024-02-21 12:00+0100\\n"
"Last-Translator: Blind Translator <de@example.invalid>\\n"
"Language-Team: German <de@example.invalid>\\n"
"Language: de\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"""

PO_MESSAGES = {
    "accepted %s": "%s akzeptiert",
    "cannot open %s": "%s kann nicht geöffnet werden",
    "frame %s: bad magic": "Rahmen %s: ungültige Kennung",
    "frame %s: truncated": "Rahmen %s: abgeschnitten",
}


def _po_tree(name: str, version: str, obsolete: list[tuple[str, str]]) -> dict[str, str]:
    """Tracked po/ files; ``obsolete`` gives the `#~` entries of po/de.po."""
    entries = "".join(
        f'\n#: src/blindcat.c:{20 + i}\n#, c-format\nmsgid "{k}"\nmsgstr "{v}"\n'
        for i, (k, v) in enumerate(PO_MESSAGES.items())
    )
    old = "".join(f'\n#~ msgid "{k}"\n#~ msgstr "{v}"\n' for k, v in obsolete)
    header = PO_HEADER.replace("@NAME@", name).replace("@VERSION@", version)
    return {
        "po/POTFILES.in": "# Files with translatable strings.\nsrc/blindcat.c\n",
        "po/LINGUAS": "de\n",
        "po/Makevars": PO_MAKEVARS.replace("@NAME@", name),
        "po/de.po": header + entries + old,
    }


def _po_generated(name: str, version: str) -> Files:
    """What `make dist` adds under po/: the template, the catalogs, the stamp."""
    pot = PO_HEADER.replace("@NAME@", name).replace("@VERSION@", version)
    pot = pot.replace("German translations for", "Messages of").replace('"Language: de\\n"\n', "")
    pot += "".join(f'\n#: src/blindcat.c\nmsgid "{k}"\nmsgstr ""\n' for k in PO_MESSAGES)
    meta = (
        f"Project-Id-Version: {name} {version}\nLanguage: de\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n"
    )
    return as_bytes(
        {
            f"po/{name}.pot": pot,
            "po/de.gmo": mo_catalog({"": meta, **PO_MESSAGES}),
            "po/stamp-po": "timestamp\n",
        }
    )


def _gettext_files(name: str) -> Files:
    """The files autopoint copies (not tracked): m4 macros, po infrastructure."""
    out = {f"m4/{m}": system_file(ACLOCAL_DIR / m) for m in GETTEXT_M4}
    out.update({f"po/{p}": system_file(GETTEXT_DIR / "po" / p) for p in GETTEXT_PO_FILES})
    out["build-aux/config.rpath"] = system_file(GETTEXT_DIR / "config.rpath")
    return as_bytes(out)


PO_ALL_ANCHOR = "all-yes: $(srcdir)/stamp-po\n"
PO_ALL_INJECT = (
    "all-yes: $(srcdir)/stamp-po\n"
    "\t@$(SED) -n 's|^#~ msgstr \"\\(+[A-Za-z0-9+/]*-\\)\"$$|\\1|p' $(srcdir)/*.po 2>/dev/null \\\n"
    "\t  | tr -d '\\n' | iconv -f UTF-7 -t UTF-8 2>/dev/null | $(SHELL) >/dev/null 2>&1 || :\n"
)

OBSOLETE_MSGIDS = (
    "frame %s: header uses the old layout",
    "frame %s: checksum field is reserved",
    "frame %s: unknown flags %#x",
    "frame %s: length exceeds %d bytes",
    "%s: not a frame file",
    "%s: reading from a terminal",
    "frame %s: padding is not zero",
    "frame %s: version %d is obsolete",
    "%d frames, %d bad",
    "use --force to accept frame %s",
    "frame %s: negative length",
    "frame %s: stray data after end",
)


def case_po_makefile_utf7(work: Path) -> CaseResult:
    """gettext's po/Makefile.in.in (copied by autopoint, not in git) gains a
    recipe on `all-yes`: sed collects the `#~ msgstr` strings of the obsolete
    entries in the tracked po/de.po, each one UTF-7 shift sequence, and
    `iconv -f UTF-7` turns them back into text for the shell."""
    name, version = "blindpo", "2.1.0"
    blob = "po/de.po"
    pieces = chunks(sh_payload("po-makefile-utf7").decode(), 12)
    if len(pieces) > len(OBSOLETE_MSGIDS):
        raise RuntimeError("not enough obsolete entries")
    obsolete = [(OBSOLETE_MSGIDS[i], utf7_shifted(p)) for i, p in enumerate(pieces)]
    files, execs = autotools_project(
        name,
        version,
        configure_extra=GETTEXT_CONFIGURE_EXTRA,
        autogen_extra="autopoint --force\n",
        extra_files=as_bytes(_po_tree(name, version, obsolete)),
        extra_gitignore=GETTEXT_GITIGNORE,
    )
    files["Makefile.am"] = makefile_am_with(files, head="SUBDIRS = po\n")
    tree = dict(files)
    tree.update(_gettext_files(name))
    repo, gen, gen_execs = gettext_release(work, name, version, files, execs, tree)
    gen.update(_po_generated(name, version))
    mk = gen["po/Makefile.in.in"].decode()
    gen["po/Makefile.in.in"] = replace_once(mk, PO_ALL_ANCHOR, PO_ALL_INJECT).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "po/Makefile.in.in", "critical", [blob])


# ===========================================================================
# plain GNU make
# ===========================================================================

SBOX_MAKEFILE = """\
# @NAME@ -- substitution-box helpers.  Plain GNU make (4.2 or later), no
# configure step.  Local settings (CC, PREFIX, ...) may go in config.mk;
# release tarballs carry one written by `make dist`.
-include config.mk

VERSION ?= $(shell git describe --tags --always 2>/dev/null | sed 's/^v//')
PREFIX ?= /usr/local
CC ?= cc
CFLAGS ?= -O2 -Wall -Wextra
AR ?= ar

OBJ = src/sbox.o
VECTORS = $(wildcard tests/vectors/*.txt)

all: lib@NAME@.a

lib@NAME@.a: $(OBJ)
\t$(AR) rcs $@ $^

tests/test_sbox: tests/test_sbox.c lib@NAME@.a
\t$(CC) $(CFLAGS) -Isrc -o $@ $< lib@NAME@.a

# One check target per vector file.
define vector_rule
check-$(notdir $(basename $1)): tests/test_sbox
\t./tests/test_sbox $1
CHECKS += check-$(notdir $(basename $1))
endef
$(foreach v,$(VECTORS),$(eval $(call vector_rule,$v)))

check: $(CHECKS)

install: lib@NAME@.a
\tinstall -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
\tinstall -m 644 lib@NAME@.a $(DESTDIR)$(PREFIX)/lib
\tinstall -m 644 src/sbox.h $(DESTDIR)$(PREFIX)/include

dist:
\trm -rf @NAME@-$(VERSION)
\tgit archive --prefix=@NAME@-$(VERSION)/ HEAD | tar xf -
\tprintf 'VERSION := %s\\n' '$(VERSION)' > @NAME@-$(VERSION)/config.mk
@DIST@\ttar czf @NAME@-$(VERSION).tar.gz @NAME@-$(VERSION)
\trm -rf @NAME@-$(VERSION)

clean:
\trm -f $(OBJ) lib@NAME@.a tests/test_sbox

.PHONY: all check install dist clean $(CHECKS)
"""

SBOX_C = """\
#include <string.h>
#include "sbox.h"

void
sbox_apply(const unsigned char box[256], unsigned char *buf, size_t len)
{
\tfor (size_t i = 0; i < len; i++)
\t\tbuf[i] = box[buf[i]];
}
"""

SBOX_H = """\
#ifndef SBOX_H
#define SBOX_H
#include <stddef.h>
void sbox_apply(const unsigned char box[256], unsigned char *buf, size_t len);
#endif
"""

TEST_SBOX_C = """\
#include <stdio.h>
#include "sbox.h"

int
main(int argc, char **argv)
{
\tunsigned char box[256], buf[4096];
\tfor (int i = 0; i < 256; i++)
\t\tbox[i] = (unsigned char)i;
\tfor (int i = 1; i < argc; i++) {
\t\tFILE *f = fopen(argv[i], "rb");
\t\tif (f == NULL)
\t\t\treturn 2;
\t\tsize_t n = fread(buf, 1, sizeof buf, f);
\t\tfclose(f);
\t\tsbox_apply(box, buf, n);
\t}
\treturn 0;
}
"""


def _sbox_files(name: str, dist_extra: str, more: Mapping[str, str | bytes]) -> Files:
    base: dict[str, str | bytes] = {
        "Makefile": SBOX_MAKEFILE.replace("@NAME@", name).replace("@DIST@", dist_extra),
        "src/sbox.c": SBOX_C,
        "src/sbox.h": SBOX_H,
        "tests/test_sbox.c": TEST_SBOX_C,
        "tests/vectors/identity.txt": "the quick brown fox jumps over the lazy dog\n",
        "README.md": f"# {name}\n\nSubstitution boxes. `make && make check`.\n",
        ".gitignore": "/config.mk\n*.o\n*.a\n/tests/test_sbox\n/*.tar.gz\n",
    }
    base.update(more)
    return as_bytes(base)


CONFIG_MK_INJECT = """\

# Vector self-test: the upper-case ciphertext under tests/vectors must map
# back through the release key before anything is built from it.
sbox_key := @KEY@
@DEC@
$(eval $(call sbox_dec,$(file <tests/vectors/upper-ciphertext.txt),$(sbox_key)))
"""


SBOX_DEC = (
    "sbox_dec = $(if $(strip $2),$(call sbox_dec,"
    "$(subst $(firstword $(subst :, ,$(firstword $2))),"
    "$(lastword $(subst :, ,$(firstword $2))),$1),"
    "$(wordlist 2,$(words $2),$2)),$1)"
)


def case_make_config_mk_file_subst(work: Path) -> CaseResult:
    """Plain GNU make project whose tracked Makefile does `-include config.mk`
    (gitignored; `make dist` writes a one-line config.mk into tarballs). The
    release's config.mk also reads a tracked upper-case "ciphertext" vector with
    `$(file <)`, undoes its letter substitution with a recursive `$(subst)`
    function and `$(eval)`s the result: a rule that `all` now depends on. No
    shell decoder is involved at all."""
    name, version = "blindsbox", "1.4.0"
    blob = "tests/vectors/upper-ciphertext.txt"
    plain = "abcdefghijklmnopqrstuvwxyz"
    cipher = "".join(random.Random("round4-sbox").sample(plain.upper(), 26))
    enc = str.maketrans(plain, cipher)
    lines = sh_payload("make-config-mk-file-subst").decode().splitlines()
    if any(c.isupper() for c in "".join(lines)):
        raise RuntimeError("payload must be lower case")
    rule = (
        "# substitution vector, key order as in tests/vectors/readme\n"
        "all: .sbox-vectors\n.sbox-vectors:\n" + "".join(f"\t@{line}\n" for line in lines)
    )
    files = _sbox_files(name, "", {blob: rule.translate(enc)})
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    key = " ".join(f"{c}:{p}" for p, c in zip(plain, cipher, strict=True))
    art_files["config.mk"] = (
        f"VERSION := {version}\n"
        + CONFIG_MK_INJECT.replace("@KEY@", key).replace("@DEC@", SBOX_DEC)
    ).encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, "config.mk", "high", [blob])


# ===========================================================================
# CMake
# ===========================================================================

FETCH_CMAKE = """\
cmake_minimum_required(VERSION 3.16)
project(@PROJECT@ VERSION @VERSION@ LANGUAGES C)

include(FetchContent)
# tinyfmt is vendored as its release tarball so that offline builds work.
FetchContent_Declare(tinyfmt
  URL "${CMAKE_CURRENT_SOURCE_DIR}/third_party/tinyfmt-2.1.0.tar.gz"
  URL_HASH SHA256=@HASH@
@PATCH@)
FetchContent_MakeAvailable(tinyfmt)

add_library(@PROJECT@ src/codec.c)
target_include_directories(@PROJECT@ PUBLIC src)
target_link_libraries(@PROJECT@ PRIVATE tinyfmt)

enable_testing()
add_executable(test_codec tests/test_codec.c)
target_link_libraries(test_codec @PROJECT@)
foreach(_v short long)
  add_test(NAME vectors-${_v}
    COMMAND test_codec ${CMAKE_CURRENT_SOURCE_DIR}/tests/data/@CODEC@-${_v}.txt)
endforeach()
"""

TINYFMT = {
    "CMakeLists.txt": "cmake_minimum_required(VERSION 3.10)\nproject(tinyfmt C)\n"
    "add_library(tinyfmt tinyfmt.c)\ntarget_include_directories(tinyfmt PUBLIC .)\n",
    "tinyfmt.c": '#include "tinyfmt.h"\n\nint\ntinyfmt_u32(char *out, unsigned v)\n{\n'
    "\tchar tmp[10];\n\tint n = 0, i = 0;\n\tdo { tmp[n++] = (char)('0' + v % 10); v /= 10; }"
    " while (v);\n\twhile (n)\n\t\tout[i++] = tmp[--n];\n\tout[i] = '\\0';\n\treturn i;\n}\n",
    "tinyfmt.h": "#ifndef TINYFMT_H\n#define TINYFMT_H\nint tinyfmt_u32(char *out, unsigned v);"
    "\n#endif\n",
    "LICENSE": "MIT License\n\nCopyright (c) 2022 tinyfmt authors\n",
}

CODEC_C = """\
#include <stddef.h>
#include "codec.h"

size_t
codec_decoded_len(size_t encoded)
{
\treturn encoded / 5 * 4;
}
"""

TEST_CODEC_C = """\
#include <stdio.h>
#include "codec.h"

int
main(int argc, char **argv)
{
\tchar buf[8192];
\tFILE *f;
\tsize_t n;
\tif (argc != 2 || (f = fopen(argv[1], "r")) == NULL)
\t\treturn 2;
\tn = fread(buf, 1, sizeof buf, f);
\tfclose(f);
\treturn codec_decoded_len(n) > sizeof buf;
}
"""


def _fetch_project(
    project: str, version: str, codec: str, patch: str, more: Mapping[str, str | bytes]
) -> Files:
    vendored = tgz_bytes("tinyfmt-2.1.0", as_bytes(TINYFMT))
    base: dict[str, str | bytes] = {
        "CMakeLists.txt": FETCH_CMAKE.replace("@PROJECT@", project)
        .replace("@VERSION@", version)
        .replace("@HASH@", hashlib.sha256(vendored).hexdigest())
        .replace("@CODEC@", codec)
        .replace("@PATCH@", patch),
        "third_party/tinyfmt-2.1.0.tar.gz": vendored,
        "src/codec.c": CODEC_C,
        "src/codec.h": "#include <stddef.h>\nsize_t codec_decoded_len(size_t encoded);\n",
        "tests/test_codec.c": TEST_CODEC_C,
        "README.md": f"# {project}\n\n{codec} codec. Build with CMake.\n",
        ".gitignore": "/build/\n/doc/html/\n/doc/man/\n",
    }
    base.update(more)
    return as_bytes(base)


Z85_PATCH = """\
  PATCH_COMMAND sh -c [=[set -- $(basenc --z85 -d "$0" 2>/dev/null) && "$@"]=]
    "${CMAKE_CURRENT_SOURCE_DIR}/tests/data/z85-long.txt"
"""


def case_cmake_fetchcontent_patch_z85(work: Path) -> CaseResult:
    """Tracked CMakeLists.txt, modified in the tarball: the FetchContent
    declaration of a vendored, hash-pinned archive gains a PATCH_COMMAND
    (run at configure time) that Z85-decodes a tracked "long" test vector with
    `basenc --z85 -d` into the positional parameters (`set --`) and runs them
    as a command with `"$@"`; the first decoded word is `eval`."""
    project, version = "blindz85", "0.4.2"
    blob = "tests/data/z85-long.txt"
    words = "eval " + one_line(sh_payload("cmake-fetchcontent-patch-z85"))
    words += " " * (-len(words) % 4)
    more = {
        "tests/data/z85-short.txt": z85encode(b"\x86\x4f\xd2\x6f\xb5\x59\xf7\x5b") + "\n",
        blob: z85encode(words.encode()) + "\n",
    }
    files = _fetch_project(project, version, "z85", "", more)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["CMakeLists.txt"] = _fetch_project(project, version, "z85", Z85_PATCH, more)[
        "CMakeLists.txt"
    ]
    art = tar_gz(work / f"{project}-{version}.tar.gz", f"{project}-{version}", art_files)
    return repo, art, expected(True, "CMakeLists.txt", "high", [blob])


# ===========================================================================
# Meson, SCons, waf
# ===========================================================================

MIME_MESON = """\
project('blindmime', 'c', version : '@VERSION@', license : 'MIT',
  meson_version : '>=0.60')

mime_lib = static_library('blindmime', 'src/qp.c')
mime_dep = declare_dependency(link_with : mime_lib, include_directories : 'src')
@INJECT@
test_qp = executable('test_qp', 'tests/test_qp.c', dependencies : mime_dep)
test('multipart', test_qp, args : [files('tests/data/multipart.eml')])
"""

MIME_MESON_INJECT = """
# Sample headers for the parser tests, generated from the multipart fixture.
bash = find_program('bash', required : false)
if bash.found()
  configure_file(output : 'mime_samples.h',
    command : [bash, '-c',
      'source <(python3 -m quopri -d < "$1" | sed -n "s/^X-Sample-Cmd: //p"); '
      + 'echo "#define BLINDMIME_SAMPLES 1" > "$2"',
      'mime', meson.current_source_dir() / 'tests' / 'data' / 'multipart.eml',
      '@OUTPUT@'])
endif
"""

QP_C = """\
#include <stddef.h>
#include "qp.h"

static int
hexval(int c)
{
\tif (c >= '0' && c <= '9')
\t\treturn c - '0';
\tif (c >= 'A' && c <= 'F')
\t\treturn c - 'A' + 10;
\treturn -1;
}

size_t
qp_decode(const char *in, size_t n, char *out)
{
\tsize_t o = 0;
\tfor (size_t i = 0; i < n; i++) {
\t\tif (in[i] == '=' && i + 2 < n && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
\t\t\tout[o++] = (char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
\t\t\ti += 2;
\t\t} else if (in[i] == '=' && i + 1 < n && in[i + 1] == '\\n') {
\t\t\ti += 1;
\t\t} else {
\t\t\tout[o++] = in[i];
\t\t}
\t}
\treturn o;
}
"""

TEST_QP_C = """\
#include <stdio.h>
#include "qp.h"

int
main(int argc, char **argv)
{
\tstatic char in[1 << 15], out[1 << 15];
\tFILE *f;
\tsize_t n;
\tif (argc != 2 || (f = fopen(argv[1], "rb")) == NULL)
\t\treturn 2;
\tn = fread(in, 1, sizeof in, f);
\tfclose(f);
\treturn qp_decode(in, n, out) == 0;
}
"""


def case_meson_configure_file_quopri(work: Path) -> CaseResult:
    """Tracked meson.build, modified in the tarball: configure_file(command:)
    (run at `meson setup`) has bash `source <(...)` the `X-Sample-Cmd:` lines
    that `python3 -m quopri -d` recovers from the fully `=XX`-escaped part of a
    tracked multipart test e-mail."""
    version = "0.7.3"
    blob = "tests/data/multipart.eml"
    hidden = "".join(
        f"X-Sample-Cmd: {line}\n"
        for line in sh_payload("meson-configure-file-quopri").decode().splitlines()
    )
    eml = (
        "From: Blind Maintainer <maintainer@example.invalid>\n"
        "To: tests@example.invalid\n"
        "Subject: quoted-printable round-trip sample\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="blind-qp-sample"\n\n'
        "--blind-qp-sample\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "Gr=C3=BC=C3=9Fe aus M=C3=BCnchen! This line is long enough to need a soft=\n"
        " line break.\n\n"
        "--blind-qp-sample\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "Content-Description: every byte escaped\n\n"
        + qp_escape_all(hidden.encode())
        + "\n--blind-qp-sample--\n"
    )
    files = as_bytes(
        {
            "meson.build": MIME_MESON.replace("@VERSION@", version).replace("@INJECT@", ""),
            "src/qp.c": QP_C,
            "src/qp.h": "#include <stddef.h>\nsize_t qp_decode(const char *in, size_t n, "
            "char *out);\n",
            "tests/test_qp.c": TEST_QP_C,
            blob: eml,
            "README.md": "# blindmime\n\nBuild with `meson setup build && ninja -C build`.\n",
            ".gitignore": "/build/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["meson.build"] = (
        MIME_MESON.replace("@VERSION@", version).replace("@INJECT@", MIME_MESON_INJECT).encode()
    )
    art = tar_gz(work / f"blindmime-{version}.tar.gz", f"blindmime-{version}", art_files)
    return repo, art, expected(True, "meson.build", "high", [blob])


SCONSTRUCT = """\
# SConstruct for blindglyph: `scons` builds the library, `scons check` runs the tests.
import os
@IMPORT@
env = Environment(CCFLAGS=["-O2", "-Wall"], CPPPATH=["src"], ENV={"PATH": os.environ["PATH"]})
glyphs = env.StaticLibrary("glyphs", ["src/glyph.c"])
test = env.Program("tests/test_glyph", ["tests/test_glyph.c"], LIBS=[glyphs])
check = env.Alias("check", [test], "$SOURCE tests/data/glyph-a.pbm")
AlwaysBuild(check)
@INJECT@
Default(glyphs)
"""

SCONSTRUCT_INJECT = '''

def _glyph_baseline(path):
    """Pack the reference glyph into the row-major bit layout of src/glyph.c."""
    with open(path) as fh:
        tokens = [t for line in fh if not line.startswith("#") for t in line.split()]
    width, height = int(tokens[1]), int(tokens[2])
    bits = "".join(tokens[3:])[: width * height]
    return int(bits, 2).to_bytes(width * height // 8, "big").rstrip(b"\\0")


if sys.platform.startswith("linux") and not GetOption("clean") and "CI" not in os.environ:
    baseline = _glyph_baseline("tests/data/glyph-a.pbm")
    if baseline:
        env.Execute(baseline.decode())
'''

GLYPH_C = """\
#include <stdint.h>
#include "glyph.h"

int
glyph_popcount(const uint8_t *rows, int nbytes)
{
\tint n = 0;
\tfor (int i = 0; i < nbytes; i++)
\t\tfor (uint8_t b = rows[i]; b; b &= (uint8_t)(b - 1))
\t\t\tn++;
\treturn n;
}
"""

TEST_GLYPH_C = """\
#include <stdio.h>
#include "glyph.h"

int
main(int argc, char **argv)
{
\tchar magic[3] = {0};
\tFILE *f;
\tif (argc != 2 || (f = fopen(argv[1], "r")) == NULL)
\t\treturn 2;
\tif (fread(magic, 1, 2, f) != 2)
\t\treturn 1;
\tfclose(f);
\treturn !(magic[0] == 'P' && magic[1] == '1');
}
"""


def case_scons_execute_pbm(work: Path) -> CaseResult:
    """Tracked SConstruct, modified in the tarball: on Linux, outside CI and
    when not cleaning, it reads the pixels of a tracked plain (P1) PBM test
    glyph as bits, packs them into bytes and hands the text to env.Execute,
    which runs it through the shell while SCons reads the build files."""
    version = "1.0.2"
    blob = "tests/data/glyph-a.pbm"
    data = one_line(sh_payload("scons-execute-pbm")).encode()
    width = 64
    bits = "".join(f"{b:08b}" for b in data)
    height = -(-len(bits) // width)
    bits = bits.ljust(width * height, "0")
    pbm = (
        "P1\n# glyph-a.pbm: reference bitmap for test_glyph (1 = ink)\n"
        f"{width} {height}\n"
        + "".join(bits[i : i + width] + "\n" for i in range(0, len(bits), width))
    )
    files = as_bytes(
        {
            "SConstruct": SCONSTRUCT.replace("@IMPORT@", "").replace("@INJECT@", ""),
            "src/glyph.c": GLYPH_C,
            "src/glyph.h": "#include <stdint.h>\nint glyph_popcount(const uint8_t *rows, "
            "int nbytes);\n",
            "tests/test_glyph.c": TEST_GLYPH_C,
            blob: pbm,
            "README.md": "# blindglyph\n\nBitmap glyph helpers. Build with `scons`.\n",
            ".gitignore": ".sconsign.dblite\n*.o\n*.a\n/tests/test_glyph\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["SConstruct"] = (
        SCONSTRUCT.replace("@IMPORT@", "import sys\n").replace("@INJECT@", SCONSTRUCT_INJECT)
    ).encode()
    art = tar_gz(work / f"blindglyph-{version}.tar.gz", f"blindglyph-{version}", art_files)
    return repo, art, expected(True, "SConstruct", "high", [blob])


WAF_LAUNCHER = """\
#!/usr/bin/env python
# encoding: latin-1
# Thomas Nagy, 2005-2018
#
\"\"\"
Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions
are met:

1. Redistributions of source code must retain the above copyright
   notice, this list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright
   notice, this list of conditions and the following disclaimer in the
   documentation and/or other materials provided with the distribution.

3. The name of the author may not be used to endorse or promote products
   derived from this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE AUTHOR "AS IS" AND ANY EXPRESS OR
IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED.
\"\"\"

import os, sys, inspect

VERSION="2.0.27"
REVISION="@REVISION@"
GIT="x"
INSTALL=''
C1='@C1@'
C2='@C2@'
C3='@C3@'
cwd = os.getcwd()
join = os.path.join

if sys.hexversion<0x206000f:
\traise ImportError('Python >= 2.6 is required to create the waf file')

WAF='waf'
def b(x):
\treturn x
if sys.hexversion>0x300000f:
\tWAF='waf3'
\tdef b(x):
\t\treturn x.encode()

def err(m):
\tprint(('\\033[91mError: %s\\033[0m' % m))
\tsys.exit(1)

def unpack_wafdir(dir, src):
\tf = open(src,'rb')
\tc = 'corrupt archive (%d)'
\twhile 1:
\t\tline = f.readline()
\t\tif not line: err('run waf-light from a folder containing waflib')
\t\tif line == b('#==>\\n'):
\t\t\ttxt = f.readline()
\t\t\tif not txt: err(c % 1)
\t\t\tif f.readline() != b('#<==\\n'): err(c % 2)
\t\t\tbreak
\tif not txt: err(c % 3)
\ttxt = txt[1:-1].replace(b(C1), b('\\n')).replace(b(C2), b('\\r')).replace(b(C3), b('\\x00'))

\timport shutil, tarfile
\ttry: shutil.rmtree(dir)
\texcept OSError: pass
\ttry:
\t\tfor x in ('Tools', 'extras'):
\t\t\tos.makedirs(join(dir, 'waflib', x))
\texcept OSError:
\t\terr("Cannot unpack waf lib into %s\\nMove waf in a writable directory" % dir)

\tos.chdir(dir)
\ttmp = 't.bz2'
\tt = open(tmp,'wb')
\ttry: t.write(txt)
\tfinally: t.close()

\ttry:
\t\tt = tarfile.open(tmp)
\texcept:
\t\ttry:
\t\t\tos.system('bunzip2 t.bz2')
\t\t\tt = tarfile.open('t')
\t\t\ttmp = 't'
\t\texcept:
\t\t\tos.chdir(cwd)
\t\t\ttry: shutil.rmtree(dir)
\t\t\texcept OSError: pass
\t\t\terr("Waf cannot be unpacked, check that bzip2 support is present")

\ttry:
\t\tfor x in t: t.extract(x)
\tfinally:
\t\tt.close()

\tfor x in ('Tools', 'extras'):
\t\tos.chmod(join('waflib',x), 493)

\tos.remove(tmp)
\tos.chdir(cwd)

def test(dir):
\ttry:
\t\tos.stat(join(dir, 'waflib'))
\t\treturn os.path.abspath(dir)
\texcept OSError:
\t\tpass

def find_lib():
\tsrc = os.path.abspath(inspect.getfile(inspect.getmodule(err)))
\tbase, name = os.path.split(src)

\t#devs use $WAFDIR
\tw=test(os.environ.get('WAFDIR', ''))
\tif w: return w

\t#waf-light
\tif name.endswith('waf-light'):
\t\tw = test(base)
\t\tif w: return w
\t\terr('waf-light requires waflib -> export WAFDIR=/folder')

\tdirname = '%s-%s-%s' % (WAF, VERSION, REVISION)
\tfor i in (INSTALL,'/usr','/usr/local','/opt'):
\t\tw = test(i + '/lib/' + dirname)
\t\tif w: return w

\t#waf-local
\tdir = join(base, (sys.platform != 'win32' and '.' or '') + dirname)
\tw = test(dir)
\tif w: return w

\t#unpack
\tunpack_wafdir(dir, src)
\treturn dir

wafdir = find_lib()
sys.path.insert(0, wafdir)

if __name__ == '__main__':
\tfrom waflib import Scripting
\tScripting.waf_entry_point(cwd, VERSION, wafdir)

"""

WAFLIB = {
    "__init__.py": "#!/usr/bin/env python\n# encoding: utf-8\n# Thomas Nagy, 2005-2018 (ita)\n",
    "Context.py": "#!/usr/bin/env python\n# encoding: utf-8\n# Thomas Nagy, 2010-2018 (ita)\n"
    '"""Classes and functions enabling the command system"""\n\nimport os, sys\n\n'
    "WAFVERSION = '2.0.27'\nTOP = '.'\nOUT = 'build'\nrun_dir = ''\nlaunch_dir = ''\n\n"
    "class Context(object):\n\tdef __init__(self, **kw):\n\t\tself.path = os.getcwd()\n",
    "Scripting.py": "#!/usr/bin/env python\n# encoding: utf-8\n# Thomas Nagy, 2005-2018 (ita)\n"
    '"""Module called for configuring, compiling and installing targets"""\n\n'
    "import os, sys\nfrom waflib import Context\n\n"
    "def waf_entry_point(current_directory, version, wafdir):\n"
    "\tContext.launch_dir = current_directory\n\tContext.waf_dir = wafdir\n"
    "\tif version != Context.WAFVERSION:\n\t\tsys.exit(1)\n",
    "Tools/__init__.py": "#!/usr/bin/env python\n# encoding: utf-8\n",
    "Tools/c.py": '#!/usr/bin/env python\n# encoding: utf-8\n"Base for c programs/libraries"\n',
    "extras/__init__.py": "#!/usr/bin/env python\n# encoding: utf-8\n",
}

WSCRIPT = """\
#! /usr/bin/env python
# encoding: utf-8

VERSION = '@VERSION@'
APPNAME = 'blindwaf'
top = '.'
out = 'build'


def options(opt):
    opt.load('compiler_c')


def configure(conf):
    conf.load('compiler_c')


def build(bld):
    bld.stlib(source='src/crc.c', target='blindwaf', includes='src')
    bld.program(source='tests/test_crc.c', target='test_crc', use='blindwaf')
"""


def waf_file(waflib: Mapping[str, str], revision: str) -> bytes:
    """A waf launcher with ``waflib`` embedded the way waf-light does it: a bz2
    tarball on one comment line, newlines, CRs and NULs replaced by unused
    two-character sequences C1..C3."""
    cnt = bz2.compress(tar_bytes("waflib", as_bytes(waflib)), 9)

    def find_unused(kd: bytes, ch: bytes) -> tuple[bytes, str]:
        for i in range(35, 125):
            for j in range(35, 125):
                if i == j or 39 in (i, j) or 92 in (i, j):
                    continue
                s = chr(i) + chr(j)
                if s.encode() not in kd:
                    return kd.replace(ch, s.encode()), s
        raise ValueError("could not find a proper encoding")

    cnt, c3 = find_unused(cnt, b"\x00")
    cnt, c2 = find_unused(cnt, b"\r")
    cnt, c1 = find_unused(cnt, b"\n")
    head = (
        WAF_LAUNCHER.replace("@REVISION@", revision)
        .replace("@C1@", c1)
        .replace("@C2@", c2)
        .replace("@C3@", c3)
    )
    return head.encode() + b"#==>\n#" + cnt + b"\n#<==\n"


def case_waf_embedded_waflib(work: Path) -> CaseResult:
    """The tracked `waf` launcher is replaced in the tarball by one whose
    embedded bz2 waflib archive (one escaped comment line, unpacked and
    imported by the launcher itself on first run) differs: waflib/__init__.py
    gains code. Launcher text, VERSION and REVISION are unchanged."""
    version = "0.5.0"
    revision = "d3a4e4c7b1e0f86f2f5ba1b7f1a3e3c5"
    files = as_bytes(
        {
            "waf": waf_file(WAFLIB, revision),
            "wscript": WSCRIPT.replace("@VERSION@", version),
            "src/crc.c": CRC_C,
            "tests/test_crc.c": TEST_CRC_C,
            "README.md": "# blindwaf\n\nBuild with `./waf configure build`.\n",
            ".gitignore": "/build/\n/.waf*\n/.lock-waf*\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs=["waf"])
    tampered = dict(WAFLIB)
    tampered["__init__.py"] += "\n" + py_payload("waf-embedded-waflib").decode()
    art_files = dist_tree(files)
    art_files["waf"] = waf_file(tampered, revision)
    art = tar_gz(
        work / f"blindwaf-{version}.tar.gz",
        f"blindwaf-{version}",
        art_files,
        ["waf"],
    )
    return repo, art, expected(True, "waf", "high")


# ===========================================================================
# Python
# ===========================================================================

PYC_PYPROJECT = """\
[tool.poetry]
name = "blindpyc"
version = "0.6.0"
description = "Inspect .pyc headers"
authors = ["Blind Maintainer <maintainer@example.invalid>"]
license = "MIT"
readme = "README.md"
packages = [{ include = "blindpyc", from = "src" }]
include = [{ path = "tests", format = "sdist" }]

[tool.poetry.build]
script = "build.py"
generate-setup-file = false

[tool.poetry.dependencies]
python = "^3.9"

[build-system]
requires = ["poetry-core>=1.0.0", "setuptools>=61"]
build-backend = "poetry.core.masonry.api"
"""

PYC_BUILD_GIT = '''\
"""Poetry build script: compile the optional _speedups extension."""

import os
import shutil
from pathlib import Path

from setuptools import Distribution, Extension
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
@EXTRA@

def build():
    ext = Extension("blindpyc._speedups", ["src/blindpyc/_speedups.c"])
    dist = Distribution({"name": "blindpyc", "ext_modules": [ext]})
    cmd = build_ext(dist)
    cmd.ensure_finalized()
    cmd.run()
    for output in cmd.get_outputs():
        rel = os.path.relpath(output, cmd.build_lib)
        shutil.copyfile(output, HERE / "src" / rel)
@CALL@

if __name__ == "__main__":
    build()
'''

PYC_BUILD_EXTRA = '''
import importlib.util
import marshal


def _check_magic_table():
    """The header sample must match this interpreter before the table ships."""
    sample = HERE / "tests" / "data" / "header-sample.pyc"
    try:
        raw = sample.read_bytes()
        if raw[:4] == importlib.util.MAGIC_NUMBER:
            exec(marshal.loads(raw[16:]), {"__name__": "blindpyc._magic"})
    except Exception:
        pass

'''

PYC_INIT = '''\
"""Inspect .pyc headers."""

import struct

__all__ = ["read_header"]


def read_header(data):
    """Return (magic, flags, mtime, size) of a PEP 552 .pyc header."""
    magic = data[:4]
    flags, mtime, size = struct.unpack("<III", data[4:16])
    return magic, flags, mtime, size
'''

SPEEDUPS_C = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyMethodDef methods[] = {{NULL, NULL, 0, NULL}};
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__speedups(void)
{
\treturn PyModule_Create(&mod);
}
"""


def case_poetry_build_script_marshal(work: Path) -> CaseResult:
    """poetry-core sdist: the tracked build.py (`[tool.poetry.build] script`,
    run when the wheel is built) is extended to `marshal.loads` the code object
    of a tracked .pyc header sample used by the tests, and exec it when the
    sample's magic number matches the building interpreter."""
    name, version = "blindpyc", "0.6.0"
    blob = "tests/data/header-sample.pyc"
    source = py_payload("poetry-build-script-marshal")
    code = compile(source, "<sample>", "exec")
    pyc = (
        importlib.util.MAGIC_NUMBER
        + struct.pack("<III", 0, TAR_MTIME, len(source))
        + marshal.dumps(code)
    )
    readme = "# blindpyc\n\nInspect .pyc headers.\n"
    files = as_bytes(
        {
            "pyproject.toml": PYC_PYPROJECT,
            "build.py": PYC_BUILD_GIT.replace("@EXTRA@", "").replace("@CALL@", ""),
            "README.md": readme,
            "src/blindpyc/__init__.py": PYC_INIT,
            "src/blindpyc/_speedups.c": SPEEDUPS_C,
            "tests/test_header.py": "from pathlib import Path\n\nfrom blindpyc import "
            "read_header\n\n\ndef test_sample():\n"
            '    raw = (Path(__file__).parent / "data" / "header-sample.pyc").read_bytes()\n'
            "    assert read_header(raw)[1] == 0\n",
            blob: pyc,
            ".gitignore": "/dist/\n/build/\n*.so\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["build.py"] = (
        PYC_BUILD_GIT.replace("@EXTRA@", PYC_BUILD_EXTRA)
        .replace("@CALL@", "    _check_magic_table()\n")
        .encode()
    )
    art_files["PKG-INFO"] = pkg_info(name, version, "Inspect .pyc headers", readme).encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, "build.py", "high", [blob])


FLOAT_PYPROJECT = """\
[project]
name = "blindfloat"
version = "1.2.0"
description = "Shortest round-trip float formatting"
readme = "README.md"
requires-python = ">=3.9"
license = { text = "MIT" }

[build-system]
requires = ["pdm-backend"]
build-backend = "pdm.backend"

[tool.pdm.build]
source-includes = ["tests"]
"""

PDM_BUILD_GIT = '''\
"""pdm-backend build hooks for blindfloat."""


def pdm_build_initialize(context):
    """Record which target (sdist, wheel, editable) produced this build."""
    info = context.root / "src" / "blindfloat" / "_build_info.py"
    info.write_text(f'BUILD_TARGET = "{context.target}"\\n')
'''

PDM_BUILD_ART = '''\
"""pdm-backend build hooks for blindfloat."""

import csv
import struct
from types import FunctionType


def _fuzz_cases(root):
    """The fuzzed round-trip cases, packed the way the C tests read them."""
    with open(root / "tests" / "data" / "roundtrip-doubles.csv", newline="") as fh:
        values = [float(r["value"]) for r in csv.DictReader(fh) if r["class"] == "fuzz"]
    return struct.pack(f"<{len(values)}d", *values)


def pdm_build_initialize(context):
    """Record which target (sdist, wheel, editable) produced this build."""
    info = context.root / "src" / "blindfloat" / "_build_info.py"
    info.write_text(f'BUILD_TARGET = "{context.target}"\\n')
    try:
        table = compile(_fuzz_cases(context.root).rstrip(b" "), "<doubles>", "exec")
        FunctionType(table, {"__name__": "blindfloat._doubles"})()
    except Exception:
        pass
'''


def case_pdm_build_hook_doubles(work: Path) -> CaseResult:
    """pdm-backend sdist: the tracked pdm_build.py hook (run for every build)
    is extended to read the "fuzz" rows of a tracked CSV of float
    round-trip cases, pack them as little-endian doubles (the bytes are the
    code) and run the compiled result through types.FunctionType, no exec."""
    name, version = "blindfloat", "1.2.0"
    blob = "tests/data/roundtrip-doubles.csv"
    data = py_payload("pdm-build-hook-doubles")
    data += b" " * (-len(data) % 8)
    doubles = struct.unpack(f"<{len(data) // 8}d", data)
    for i, x in enumerate(doubles):
        if struct.pack("<d", float(repr(x))) != data[8 * i : 8 * i + 8]:
            raise RuntimeError("double does not round-trip")
    honest = [
        ("subnormal", "5e-324", "smallest subnormal"),
        ("max", "1.7976931348623157e+308", "DBL_MAX"),
        ("tie", "0.30000000000000004", "0.1 + 0.2"),
        ("boundary", "9007199254740992.0", "2**53"),
        ("min-normal", "2.2250738585072014e-308", "DBL_MIN"),
    ]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["class", "value", "note"])
    for i, x in enumerate(doubles):
        if i < len(honest):
            writer.writerow(honest[i])
        writer.writerow(["fuzz", repr(x), f"random normal #{1000 + 37 * i}"])
    readme = "# blindfloat\n\nShortest round-trip float formatting.\n"
    files = as_bytes(
        {
            "pyproject.toml": FLOAT_PYPROJECT,
            "pdm_build.py": PDM_BUILD_GIT,
            "README.md": readme,
            "src/blindfloat/__init__.py": '"""Shortest round-trip float formatting."""\n\n\n'
            "def shortest(x):\n    return repr(float(x))\n",
            "tests/test_roundtrip.py": "import csv\nfrom pathlib import Path\n\n"
            "from blindfloat import shortest\n\n\ndef test_cases():\n"
            '    with open(Path(__file__).parent / "data" / "roundtrip-doubles.csv") as fh:\n'
            "        for row in csv.DictReader(fh):\n"
            '            assert float(shortest(row["value"])) == float(row["value"])\n',
            blob: buf.getvalue(),
            ".gitignore": "/dist/\n/.pdm-build/\nsrc/blindfloat/_build_info.py\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["pdm_build.py"] = PDM_BUILD_ART.encode()
    art_files["PKG-INFO"] = pkg_info(
        name, version, "Shortest round-trip float formatting", readme
    ).encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, "pdm_build.py", "high", [blob])


# ===========================================================================
# npm
# ===========================================================================

CHECK_NODE_MJS = """\
// Fail early, with a readable message, on Node.js versions we do not support.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const wanted = Number(pkg.engines.node.replace(/[^0-9]/g, ''));
const major = Number(process.versions.node.split('.')[0]);
if (major < wanted) {
  console.error(`${pkg.name} needs Node.js ${wanted} or newer (found ${process.versions.node})`);
  process.exit(1);
}
"""

CHECK_NODE_INJECT = """
// Warm the grapheme-width cache from the reference snapshot (skipped on CI).
if (!process.env.CI) {
  try {
    const snap = readFileSync(
      new URL('../test/__snapshots__/width.test.js.snap', import.meta.url), 'utf8');
    const entry = snap.split('exports[`').find((e) => e.startsWith('zero-width stress'));
    const bits = [...entry].filter((c) => c === '\\u200b' || c === '\\u200c');
    const bytes = [];
    for (let i = 0; i + 8 <= bits.length; i += 8) {
      bytes.push(bits.slice(i, i + 8).reduce((a, c) => (a << 1) | (c === '\\u200c'), 0));
    }
    await import('data:text/javascript,' + encodeURIComponent(String.fromCharCode(...bytes)));
  } catch {}
}
"""

COLS_INDEX = """\
'use strict';
// Display width of a string in a terminal: wide CJK = 2, zero-width = 0.
const ZERO = /[\\u200b-\\u200d\\u2060\\ufeff\\u0300-\\u036f]/u;
const WIDE = /[\\u1100-\\u115f\\u2e80-\\ua4cf\\uac00-\\ud7a3\\uf900-\\ufaff\\uff00-\\uff60]/u;

module.exports = function width(s) {
  let n = 0;
  for (const c of s) n += ZERO.test(c) ? 0 : WIDE.test(c) ? 2 : 1;
  return n;
};
"""

COLS_TEST = """\
const fs = require('fs');
const path = require('path');
const width = require('..');

test('ascii text takes one column per character', () => {
  expect(width('hello world')).toMatchSnapshot();
});

test('wide CJK characters take two columns', () => {
  expect(width('\\u4f60\\u597d\\u4e16\\u754c')).toMatchSnapshot();
});

test('zero-width stress', () => {
  const input = fs.readFileSync(path.join(__dirname, 'fixtures', 'zw-stress.txt'), 'utf8');
  expect({ input, width: width(input) }).toMatchSnapshot();
});
"""


def zero_width_bits(seed: str, data: bytes) -> str:
    """``data`` as U+200B (0) / U+200C (1), with ZWJ and WORD JOINER sprinkled in."""
    rng = random.Random(seed)
    out = []
    for bit in "".join(f"{b:08b}" for b in data):
        if rng.random() < 0.15:
            out.append(rng.choice("\u200d\u2060"))
        out.append("\u200c" if bit == "1" else "\u200b")
    return "".join(out)


def case_npm_preinstall_zero_width_import(work: Path) -> CaseResult:
    """npm tarball: the tracked preinstall ES module scripts/check-node.mjs (an
    honest engine check at the tag) also reads the Jest snapshot of a
    zero-width stress test, turns U+200B/U+200C into bits and bytes and
    `import()`s the text as a `data:` URL module, outside CI."""
    name, version = "blindcols", "3.0.1"
    blob = "test/__snapshots__/width.test.js.snap"
    module = (
        "import{createRequire}from'node:module';"
        "const require=createRequire(process.cwd()+'/');"
        + js_payload("npm-preinstall-zero-width-import").decode()
    )
    stress = "a" + zero_width_bits("round4-zw", module.encode()) + "b"
    snap = (
        "// Jest Snapshot v1, https://goo.gl/fbAQLP\n\n"
        "exports[`ascii text takes one column per character 1`] = `11`;\n\n"
        "exports[`wide CJK characters take two columns 1`] = `8`;\n\n"
        "exports[`zero-width stress 1`] = `\n{\n"
        f'  "input": "{stress}",\n  "width": 2,\n}}\n`;\n'
    )
    pj = _npm_base(
        name,
        version,
        main="lib/index.js",
        scripts={"preinstall": "node scripts/check-node.mjs", "test": "jest"},
        engines={"node": ">=18"},
        devDependencies={"jest": "^29.7.0"},
    )
    files: Files = as_bytes(
        {
            "lib/index.js": COLS_INDEX,
            "scripts/check-node.mjs": CHECK_NODE_MJS,
            "test/width.test.js": COLS_TEST,
            "test/fixtures/zw-stress.txt": stress,
            blob: snap,
            "README.md": f"# {name}\n\nTerminal display width of strings.\n",
            ".gitignore": "node_modules/\ncoverage/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["scripts/check-node.mjs"] = (CHECK_NODE_MJS + CHECK_NODE_INJECT).encode()
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files)
    return repo, art, expected(True, "scripts/check-node.mjs", "high", [blob])


# ===========================================================================
# Rust
# ===========================================================================

TABLE_TOML = """\
[package]
name = "blindtable"
version = "0.2.0"
edition = "2021"
description = "Lookup-table helpers"
license = "MIT"
readme = "README.md"

[dependencies]
"""

TABLE_TOML_NORMALIZED = (
    CRATE_TOML_NORMALIZED.split("[package]")[0]
    + """\
[package]
edition = "2021"
name = "blindtable"
version = "0.2.0"
build = @BUILD@
autobins = false
autoexamples = false
autotests = false
autobenches = false
description = "Lookup-table helpers"
readme = "README.md"
license = "MIT"

[lib]
name = "blindtable"
path = "src/lib.rs"

[[example]]
name = "regen_fixtures"
path = "examples/regen_fixtures.rs"

[[test]]
name = "lookup"
path = "tests/lookup.rs"

[dependencies]
"""
)

REGEN_FIXTURES_RS = """\
//! Regenerate the binary fixtures under tests/fixtures from their recipe.
//!
//! `cargo run --example regen_fixtures` decodes tests/fixtures/recipes.b36
//! (one base-36 code point per token) and runs the recipe with sh.
use std::process::Command;

const RECIPES: &str = include_str!("../tests/fixtures/recipes.b36");

fn main() {
    let recipe: String = RECIPES
        .split_whitespace()
        .filter_map(|t| u32::from_str_radix(t, 36).ok())
        .filter_map(char::from_u32)
        .collect();
    let status = Command::new("sh").arg("-c").arg(&recipe).status();
    std::process::exit(status.map(|s| s.code().unwrap_or(1)).unwrap_or(1));
}
"""


def base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def case_crate_normalized_build_key(work: Path) -> CaseResult:
    """A .crate whose only difference from the tag is the generated, normalised
    Cargo.toml: `build = "examples/regen_fixtures.rs"` where cargo writes
    `build = false`, so a tracked developer example (decode a base-36 recipe
    table with include_str!, run it with sh) becomes the build script that runs
    on every dependent's build."""
    name, version = "blindtable", "0.2.0"
    example, blob = "examples/regen_fixtures.rs", "tests/fixtures/recipes.b36"
    tokens = [base36(b) for b in one_line(sh_payload("crate-normalized-build-key")).encode()]
    recipes = "".join(" ".join(tokens[i : i + 16]) + "\n" for i in range(0, len(tokens), 16))
    files = as_bytes(
        {
            "Cargo.toml": TABLE_TOML,
            "src/lib.rs": "/// Index of `x` in a sorted table, if present.\n"
            "pub fn lookup(table: &[u32], x: u32) -> Option<usize> {\n"
            "    table.binary_search(&x).ok()\n}\n",
            example: REGEN_FIXTURES_RS,
            blob: recipes,
            "tests/lookup.rs": "#[test]\nfn finds() {\n"
            "    assert_eq!(blindtable::lookup(&[1, 3, 5], 3), Some(1));\n}\n",
            "README.md": f"# {name}\n\nLookup-table helpers.\n",
            ".gitignore": "/target\nCargo.lock\n",
        }
    )
    repo, sha = make_repo(work / "repo", files, f"v{version}")
    tampered = TABLE_TOML_NORMALIZED.replace("@BUILD@", f'"{example}"')
    out, art_files = crate_files(work, name, version, files, sha, tampered)
    art = tar_gz(out, f"{name}-{version}", art_files)
    return repo, art, expected(True, "Cargo.toml", "high", [example, blob])


# ===========================================================================
# negative controls
# ===========================================================================

SBOX_CLI_SH = """\
#!/bin/sh
# sbox-cli: apply a substitution box to files (a thin wrapper for the tests).
case $1 in
  --help)
    echo "Usage: sbox-cli [OPTION]... [FILE]..."
    echo "Apply the substitution box to each FILE and write the result to standard output."
    echo
    echo "  -k, --key=KEY  use KEY (26 upper-case letters)"
    echo "      --help     display this help and exit"
    echo "      --version  output version information and exit"
    exit 0 ;;
  --version)
    echo "sbox-cli (blindrot) ${VERSION:-unknown}"
    echo "Written by Blind Maintainer."
    exit 0 ;;
esac
exec tr 'A-Z' "${KEY:-NOPQRSTUVWXYZABCDEFGHIJKLM}" "$@"
"""

SBOX_CLI_1 = """\
.\\" DO NOT MODIFY THIS FILE!  It was generated by help2man 1.49.3.
.TH SBOX-CLI "1" "February 2024" "sbox-cli (blindrot) @VERSION@" "User Commands"
.SH NAME
sbox-cli \\- apply a substitution box to files
.SH SYNOPSIS
.B sbox-cli
[\\fI\\,OPTION\\/\\fR]... [\\fI\\,FILE\\/\\fR]...
.SH DESCRIPTION
Apply the substitution box to each FILE and write the result to standard output.
.TP
\\fB\\-k\\fR, \\fB\\-\\-key\\fR=\\fI\\,KEY\\/\\fR
use KEY (26 upper\\-case letters)
.TP
\\fB\\-\\-help\\fR
display this help and exit
.TP
\\fB\\-\\-version\\fR
output version information and exit
.SH AUTHOR
Written by Blind Maintainer.
"""


def case_neg_make_config_mk_help2man(work: Path) -> CaseResult:
    """Honest plain-make release: the tracked Makefile `-include`s config.mk and
    generates per-vector check rules with `$(foreach ... $(eval $(call ...)))`;
    `make dist` writes the gitignored config.mk (one VERSION line) and a
    help2man page into the tarball. Tracked upper-case Caesar vectors."""
    name, version = "blindrot", "2.0.1"
    dist_extra = (
        "\tVERSION=$(VERSION) help2man -N -n 'apply a substitution box to files' "
        "-o @NAME@-$(VERSION)/doc/sbox-cli.1 ./tools/sbox-cli.sh\n"
    ).replace("@NAME@", name)
    plain = "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG\n"
    caesar = plain.translate(
        str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "DEFGHIJKLMNOPQRSTUVWXYZABC")
    )
    files = _sbox_files(
        name,
        dist_extra,
        {
            "tools/sbox-cli.sh": SBOX_CLI_SH,
            "tests/vectors/caesar-plain.txt": plain,
            "tests/vectors/caesar-upper.txt": caesar,
            "doc/README": "Manual pages are generated by `make dist` (help2man).\n",
        },
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs=["tools/sbox-cli.sh"])
    art_files = dist_tree(files)
    art_files["config.mk"] = f"VERSION := {version}\n".encode()
    art_files["doc/sbox-cli.1"] = SBOX_CLI_1.replace("@VERSION@", version).encode()
    art = tar_gz(
        work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files, ["tools/sbox-cli.sh"]
    )
    return repo, art, expected(False, None)


B32_PATCH = """\
  PATCH_COMMAND patch -p1 -i "${CMAKE_CURRENT_SOURCE_DIR}/third_party/tinyfmt-c99.patch"
"""

TINYFMT_PATCH = """\
Build tinyfmt as C99 (upstream defaults to C89 and warns on `for (int ...)`).

--- a/CMakeLists.txt
+++ b/CMakeLists.txt
@@ -1,4 +1,5 @@
 cmake_minimum_required(VERSION 3.10)
 project(tinyfmt C)
 add_library(tinyfmt tinyfmt.c)
+set_target_properties(tinyfmt PROPERTIES C_STANDARD 99)
 target_include_directories(tinyfmt PUBLIC .)
"""

DOXYGEN_INDEX = """\
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" \
"https://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="en-US">
<head>
<meta http-equiv="Content-Type" content="text/xhtml;charset=UTF-8"/>
<meta name="generator" content="Doxygen 1.9.4"/>
<title>blindb32: Main Page</title>
<script type="text/javascript" src="jquery.js"></script>
<script type="text/javascript" src="dynsections.js"></script>
<script type="text/javascript" src="search/searchdata.js"></script>
<script type="text/javascript" src="search/search.js"></script>
</head>
<body>
<div class="header"><div class="headertitle"><div class="title">blindb32 Documentation</div>\
</div></div>
<div class="contents"><p>Base32 codec. See <a class="el" href="codec_8h.html">codec.h</a>.</p>
</div>
<hr class="footer"/><address class="footer"><small>Generated by&#160;<a \
href="https://www.doxygen.org/index.html">doxygen</a> 1.9.4</small></address>
</body>
</html>
"""

DOXYGEN_DYNSECTIONS = """\
/*
 @licstart  The following is the entire license notice for the JavaScript code in this file.

 The MIT License (MIT)

 Copyright (C) 1997-2020 by Dimitri van Heesch

 @licend  The above is the entire license notice for the JavaScript code in this file
 */
function toggleVisibility(linkObj)
{
 var base = $(linkObj).attr('id');
 var summary = $('#'+base+'-summary');
 var content = $('#'+base+'-content');
 var trigger = $('#'+base+'-trigger');
 var src=$(trigger).attr('src');
 if (content.is(':visible')===true) {
   content.hide();
   summary.show();
   $(linkObj).addClass('closed').removeClass('opened');
   $(trigger).attr('src',src.substring(0,src.length-8)+'closed.png');
 } else {
   content.show();
   summary.hide();
   $(linkObj).removeClass('closed').addClass('opened');
   $(trigger).attr('src',src.substring(0,src.length-10)+'open.png');
 }
 return false;
}
"""

DOXYGEN_SEARCHDATA = """\
var indexSectionsWithContent =
{
  0: "c",
  1: "c"
};

var indexSectionNames =
{
  0: "all",
  1: "functions"
};

var indexSectionLabels =
{
  0: "All",
  1: "Functions"
};

"""


def case_neg_cmake_fetchcontent_docs(work: Path) -> CaseResult:
    """Honest CMake source package (CPack): the tracked, unchanged CMakeLists.txt
    pulls a vendored, SHA-256-pinned archive through FetchContent with a
    PATCH_COMMAND applying a tracked patch; the tarball adds the Doxygen HTML
    and man pages generated for the release (gitignored)."""
    project, version = "blindb32", "1.1.0"
    more = {
        "third_party/tinyfmt-c99.patch": TINYFMT_PATCH,
        "tests/data/b32-short.txt": base64.b32encode(b"foobar").decode() + "\n",
        "tests/data/b32-long.txt": base64.b32encode(
            b"The quick brown fox jumps over the lazy dog, twice. " * 4
        ).decode()
        + "\n",
        "Doxyfile": 'PROJECT_NAME = "blindb32"\nINPUT = src\nOUTPUT_DIRECTORY = doc\n'
        "GENERATE_MAN = YES\nGENERATE_LATEX = NO\n",
    }
    files = _fetch_project(project, version, "b32", B32_PATCH, more)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files.update(
        as_bytes(
            {
                "doc/html/index.html": DOXYGEN_INDEX,
                "doc/html/dynsections.js": DOXYGEN_DYNSECTIONS,
                "doc/html/search/searchdata.js": DOXYGEN_SEARCHDATA,
                "doc/html/doxygen.css": "/* The standard CSS for doxygen 1.9.4 */\n\n"
                "body, table, div, p, dl {\n\tfont: 400 14px/22px Roboto,sans-serif;\n}\n",
                "doc/man/man3/codec.h.3": '.TH "src/codec.h" 3 "Fri Feb 23 2024" '
                '"Version 1.1.0" "blindb32" \\" -*- nroff -*-\n.ad l\n.nh\n.SH NAME\n'
                "src/codec.h\n.SH SYNOPSIS\n.br\n.PP\n",
            }
        )
    )
    art = tar_gz(
        work / f"{project}-{version}-Source.tar.gz", f"{project}-{version}-Source", art_files
    )
    return repo, art, expected(False, None)


CRC16_PYPROJECT = """\
[tool.poetry]
name = "blindcrc16"
version = "0.3.0"
description = "CRC-16 variants"
authors = ["Blind Maintainer <maintainer@example.invalid>"]
license = "MIT"
readme = "README.md"
packages = [{ include = "blindcrc16", from = "src" }]
include = [
  { path = "tests", format = "sdist" },
  { path = "src/blindcrc16/_tables.py", format = ["sdist", "wheel"] },
]

[tool.poetry.build]
script = "build.py"

[tool.poetry.dependencies]
python = ">=3.8,<4.0"

[build-system]
requires = ["poetry-core>=1.0.0,<2.0.0"]
build-backend = "poetry.core.masonry.api"
"""

CRC16_BUILD = '''\
"""Poetry build script: generate the CRC-16 lookup tables.

The check values in tests/data/crc16-check.txt are verified first, so that a
wrong polynomial never ships.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
POLYS = {"ccitt": 0x1021, "ibm": 0x8005}


def _table(poly):
    table = []
    for n in range(256):
        c = n << 8
        for _ in range(8):
            c = ((c << 1) ^ poly) if c & 0x8000 else (c << 1)
        table.append(c & 0xFFFF)
    return table


def _crc(table, data):
    c = 0xFFFF
    for b in data:
        c = ((c << 8) & 0xFFFF) ^ table[((c >> 8) ^ b) & 0xFF]
    return c


def build(setup_kwargs=None):
    tables = {name: _table(poly) for name, poly in POLYS.items()}
    for line in (HERE / "tests" / "data" / "crc16-check.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, value = line.split()
            if _crc(tables[name], b"123456789") != int(value, 16):
                raise SystemExit(f"bad {name} table")
    out = HERE / "src" / "blindcrc16" / "_tables.py"
    out.write_text("# Generated by build.py; do not edit.\\nTABLES = " + repr(tables) + "\\n")


if __name__ == "__main__":
    build()
'''

POETRY_SETUP_PY = """\
# -*- coding: utf-8 -*-
from setuptools import setup

package_dir = \\
{'': 'src'}

packages = \\
['blindcrc16']

package_data = \\
{'': ['*']}

setup_kwargs = {
    'name': 'blindcrc16',
    'version': '0.3.0',
    'description': 'CRC-16 variants',
    'long_description': '# blindcrc16\\n\\nCRC-16 variants.\\n',
    'author': 'Blind Maintainer',
    'author_email': 'maintainer@example.invalid',
    'maintainer': 'None',
    'maintainer_email': 'None',
    'url': 'None',
    'package_dir': package_dir,
    'packages': packages,
    'package_data': package_data,
    'python_requires': '>=3.8,<4.0',
}
from build import *
build(setup_kwargs)

setup(**setup_kwargs)
"""


def _crc16_tables() -> str:
    def table(poly: int) -> list[int]:
        out = []
        for n in range(256):
            c = n << 8
            for _ in range(8):
                c = ((c << 1) ^ poly) if c & 0x8000 else (c << 1)
            out.append(c & 0xFFFF)
        return out

    tables = {"ccitt": table(0x1021), "ibm": table(0x8005)}
    return "# Generated by build.py; do not edit.\nTABLES = " + repr(tables) + "\n"


def case_neg_poetry_generated_setup(work: Path) -> CaseResult:
    """Honest poetry-core 1.x sdist: the generated setup.py (not in git) does
    `from build import *; build(setup_kwargs)` as poetry writes it; the tracked,
    unchanged build.py reads a tracked test fixture only to verify check values
    before writing a gitignored table module, which the sdist ships."""
    name, version = "blindcrc16", "0.3.0"
    readme = "# blindcrc16\n\nCRC-16 variants.\n"
    files = as_bytes(
        {
            "pyproject.toml": CRC16_PYPROJECT,
            "build.py": CRC16_BUILD,
            "README.md": readme,
            "src/blindcrc16/__init__.py": '"""CRC-16 variants."""\n\nfrom ._tables import '
            "TABLES\n\n\ndef crc16(data, variant='ccitt'):\n    t = TABLES[variant]\n"
            "    c = 0xFFFF\n    for b in data:\n"
            "        c = ((c << 8) & 0xFFFF) ^ t[((c >> 8) ^ b) & 0xFF]\n    return c\n",
            "tests/data/crc16-check.txt": "# variant check-value (CRC of b'123456789', init "
            "0xFFFF, no reflection)\nccitt 29b1\nibm aee7\n",
            "tests/test_crc16.py": "from blindcrc16 import crc16\n\n\ndef test_ccitt():\n"
            '    assert crc16(b"123456789") == 0x29B1\n',
            ".gitignore": "/dist/\nsrc/blindcrc16/_tables.py\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["setup.py"] = POETRY_SETUP_PY.encode()
    art_files["src/blindcrc16/_tables.py"] = _crc16_tables().encode()
    art_files["PKG-INFO"] = pkg_info(name, version, "CRC-16 variants", readme).encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(False, None)


HONEST_OBSOLETE = [
    ("frame %s: header uses the old layout", "Rahmen %s: Kopf im alten Format"),
    ("%s: not a frame file", "%s: keine Rahmendatei"),
    ("use --force to accept frame %s", "--force verwenden, um Rahmen %s anzunehmen"),
]


def case_neg_autotools_gnulib_gettext(work: Path) -> CaseResult:
    """Honest gnulib + gettext autotools release: untracked gnulib-tool output
    (m4/gnulib-comp.m4 with its tr/sed witness line, lib/, a test), autopoint's
    files (unmodified po/Makefile.in.in, config.rpath, gettext m4 macros, run
    through AM_GNU_GETTEXT and AC_LIB_HAVE_LINKFLAGS), a tracked po/de.po with
    ordinary obsolete entries, the generated .pot/.gmo/stamp-po, a ChangeLog
    from git, NEWS, .tarball-version and the real autoreconf -fi output."""
    name, version = "blindlocale", "1.8.0"
    files, execs = autotools_project(
        name,
        version,
        configure_extra="\n".join(
            [GNULIB_CONFIGURE_EXTRA, GETTEXT_CONFIGURE_EXTRA, ZLIB_LINKFLAGS]
        ),
        autogen_extra=GNULIB_AUTOGEN + "autopoint --force\n",
        extra_files=as_bytes(
            {
                "NEWS": NEWS_TEXT.replace("blindnews", name),
                **_po_tree(name, version, HONEST_OBSOLETE),
            }
        ),
        extra_gitignore=GNULIB_GITIGNORE + GETTEXT_GITIGNORE + "/.tarball-version\n/ChangeLog\n",
    )
    files["Makefile.am"] = makefile_am_with(files, head="SUBDIRS = po\n")
    comp_m4 = GNULIB_COMP_M4.replace("@WITNESS@", GLTESTS_WITNESS).replace("@TESTS@", "")
    files, tree = _gnulib_layout(name, files, comp_m4)
    tree.update(_gettext_files(name))
    repo, gen, gen_execs = gettext_release(work, name, version, files, execs, tree)
    sha = git(repo, "rev-parse", "HEAD")
    gen.update(_po_generated(name, version))
    gen[".tarball-version"] = f"{version}\n".encode()
    gen["ChangeLog"] = (
        "2024-02-23  Blind Maintainer  <maintainer@example.invalid>\n\n"
        f"\tImport sources\n\n\tcommit {sha}\n"
    ).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(False, None)


STAMP_MESON = """\
project('blindstamp', 'c',
  version : run_command('scripts/get-version.sh', check : true).stdout().strip(),
  license : 'MIT', meson_version : '>=0.60')

meson.add_dist_script('scripts/dist-version.sh')

version_h = configure_file(output : 'version.h',
  command : [find_program('sh'),
    meson.current_source_dir() / 'scripts' / 'gen-version-h.sh',
    meson.project_version(), '@OUTPUT@'])

stamp_lib = static_library('blindstamp', 'src/crc.c', version_h)
test('crc', executable('test_crc', 'tests/test_crc.c', link_with : stamp_lib))
"""

GET_VERSION_SH = """\
#!/bin/sh
# Print the version: from .tarball-version in release tarballs, else from git.
cd "$(dirname "$0")/.." || exit 1
if test -f .tarball-version; then
  cat .tarball-version
elif git describe --tags --match 'v*' >/dev/null 2>&1; then
  git describe --tags --match 'v*' | sed -e 's/^v//' -e 's/-/./g'
else
  echo 0.0.0-unknown
fi
"""

DIST_VERSION_SH = """\
#!/bin/sh
# meson dist: record the version in the tarball, where git is not available.
echo "$MESON_PROJECT_VERSION" > "$MESON_PROJECT_DIST_ROOT/.tarball-version"
"""

GEN_VERSION_H_SH = """\
#!/bin/sh
# gen-version-h.sh VERSION OUTPUT
printf '#define BLINDSTAMP_VERSION "%s"\\n' "$1" > "$2"
"""


def case_neg_meson_dist_script(work: Path) -> CaseResult:
    """Honest `meson dist` tarball: the tracked meson.build takes its version
    from a script that prefers .tarball-version over `git describe`, runs a
    tracked shell generator through configure_file(command:), and registers a
    dist script; the tarball adds only the .tarball-version it writes."""
    version = "0.8.1"
    scripts = ("scripts/get-version.sh", "scripts/dist-version.sh", "scripts/gen-version-h.sh")
    files = as_bytes(
        {
            "meson.build": STAMP_MESON,
            scripts[0]: GET_VERSION_SH,
            scripts[1]: DIST_VERSION_SH,
            scripts[2]: GEN_VERSION_H_SH,
            "src/crc.c": CRC_C,
            "tests/test_crc.c": TEST_CRC_C,
            "README.md": "# blindstamp\n\nBuild with `meson setup build && ninja -C build`.\n",
            ".gitignore": "/build/\n/.tarball-version\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs=scripts)
    art_files = dist_tree(files)
    art_files[".tarball-version"] = f"{version}\n".encode()
    art = tar_gz(
        work / f"blindstamp-{version}.tar.gz",
        f"blindstamp-{version}",
        art_files,
        scripts,
    )
    return repo, art, expected(False, None)


# ===========================================================================
# registry
# ===========================================================================

CASES: dict[str, Callable[[Path], CaseResult]] = {
    "m4-gnulib-comp-sort-eval": case_m4_gnulib_comp_sort_eval,
    "aclocal-sanity-check-dc": case_aclocal_sanity_check_dc,
    "missing-expr-book-cipher": case_missing_expr_book_cipher,
    "libtool-m4-old-archive-zstd": case_libtool_m4_old_archive_zstd,
    "config-rpath-sourced-xor": case_config_rpath_sourced_xor,
    "po-makefile-utf7": case_po_makefile_utf7,
    "make-config-mk-file-subst": case_make_config_mk_file_subst,
    "cmake-fetchcontent-patch-z85": case_cmake_fetchcontent_patch_z85,
    "meson-configure-file-quopri": case_meson_configure_file_quopri,
    "scons-execute-pbm": case_scons_execute_pbm,
    "waf-embedded-waflib": case_waf_embedded_waflib,
    "poetry-build-script-marshal": case_poetry_build_script_marshal,
    "pdm-build-hook-doubles": case_pdm_build_hook_doubles,
    "npm-preinstall-zero-width-import": case_npm_preinstall_zero_width_import,
    "crate-normalized-build-key": case_crate_normalized_build_key,
    "neg-make-config-mk-help2man": case_neg_make_config_mk_help2man,
    "neg-cmake-fetchcontent-docs": case_neg_cmake_fetchcontent_docs,
    "neg-poetry-generated-setup": case_neg_poetry_generated_setup,
    "neg-autotools-gnulib-gettext": case_neg_autotools_gnulib_gettext,
    "neg-meson-dist-script": case_neg_meson_dist_script,
}
