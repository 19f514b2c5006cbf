"""Blind set, round 3: more synthetic release-tampering cases (and controls).

Same contract as ``cases.py``: each ``case_*`` function takes an empty working
directory, builds in it a git repository (one commit, one annotated tag) and a
release artifact made from it, and returns ``(repo_path, artifact_path,
expected)``.

The idioms deliberately differ from rounds 1 and 2: an ``AC_CONFIG_COMMANDS``
body running awk ``sprintf("%c")`` + ``system()``; a sed hold-space join with a
``y///`` substitution cipher sourced through ``. /dev/stdin``; ``exec 3<``
file-descriptor reads feeding ``trap ... 0``; a Makefile.in link rule that
splices lines into the generated ``libtool``; a redefined libtool
``func_show_eval`` with ``base64 -d`` behind an ``lt_cv_*`` variable and
``xargs -0 sh -c``; a top-level ``AC_CONFIG_COMMANDS_PRE`` in an
artifact-only ``acinclude.m4`` decoding the ``cmp -l`` delta of two tracked
frames into ``sh -s``; a CMake substitution cipher into
``cmake_language(EVAL CODE)``; ``CTEST_CUSTOM_PRE_TEST`` with
``xz -dc --single-stream``; a vendored Meson subproject whose ``perl -e``
reads least-significant bits of a BMP; ``[tool.setuptools.cmdclass]`` +
``zipimport``; ``ctypes`` libc ``system`` + ``codecs`` rot13; a
``setuptools`` ``attr:`` version module with ``bytes.translate`` and an
``__import__`` spelled ``exec``; an npm bundled dependency's bin run by
``npx``; a gyp ``actions`` entry decoding CJK-looking UTF-16; a proc-macro
crate reading trailing-whitespace bits from a trybuild ``.stderr`` file.

Every injected payload is benign (it prints one line and touches a
``.chainsight-blind-*.marker`` file) and nothing here ever runs it: artifacts
are only written, never unpacked, configured, built or installed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import lzma
import random
import re
import string
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path

from _build import (
    ZIP_DATE,
    CaseResult,
    Files,
    as_bytes,
    autotools_project,
    b64,
    dist_tree,
    expected,
    js_payload,
    make_repo,
    noise,
    npm_tgz,
    package_json,
    py_payload,
    replace_once,
    rot13,
    setuptools_sdist_extras,
    sh_payload,
    tar_gz,
    wrap,
)
from cases import CRC_C, TEST_CRC_C, _npm_base
from cases_round2 import (
    ACLOCAL_DIR,
    CRATE_TOML_NORMALIZED,
    autotools_release,
    cmake_payload,
    one_line,
    release_tgz,
    system_file,
    tgz_bytes,
)
from cases_round2 import (
    HIST_C as IMG_HIST_C,
)
from cases_round2 import (
    HIST_H as IMG_HIST_H,
)

ALNUM = string.ascii_letters + string.digits

# ===========================================================================
# generic helpers (round 3 only)
# ===========================================================================


def shuffled(seed: str, alphabet: str) -> str:
    """A deterministic permutation of ``alphabet``."""
    chars = list(alphabet)
    random.Random(seed).shuffle(chars)
    return "".join(chars)


def chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def bump_gettext_serial(m4_text: str, release: str) -> str:
    """``# nls.m4 serial 6 (gettext-0.20.2)`` -> ``serial 7 (gettext-RELEASE)``."""
    first, rest = m4_text.split("\n", 1)
    m = re.fullmatch(r"(# \S+ serial )(\d+)( \(gettext-[\d.]+\))?", first)
    if m is None:
        raise RuntimeError(f"unexpected serial line {first!r}")
    return f"{m.group(1)}{int(m.group(2)) + 1} (gettext-{release})\n{rest}"


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A deterministic deflated zip archive held in memory."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            zi = zipfile.ZipInfo(name, ZIP_DATE)
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, files[name])
    return buf.getvalue()


def bmp_lsb(seed: str, hidden: bytes, width: int = 24, height: int = 24) -> bytes:
    """A 24-bit BMP gradient whose pixel bytes carry ``hidden`` (then a NUL) in
    their least-significant bits, most significant bit first."""
    row = width * 3
    if row % 4:
        raise ValueError("keep rows 4-byte aligned")
    pixels = bytearray()
    for y in range(height):
        for x in range(width):
            pixels += bytes(((x * 10) & 0xFF, (y * 10) & 0xFF, ((x + y) * 5) & 0xFF))
    bits = "".join(f"{b:08b}" for b in hidden + b"\0")
    if len(bits) > len(pixels):
        raise ValueError("image too small")
    filler = noise(seed, len(pixels))
    for i in range(len(pixels)):
        bit = int(bits[i]) if i < len(bits) else filler[i] & 1
        pixels[i] = (pixels[i] & 0xFE) | bit
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    header = b"BM" + struct.pack("<IHHI", 14 + len(info) + len(pixels), 0, 0, 14 + len(info))
    return header + info + bytes(pixels)


def crate_files(
    work: Path, name: str, version: str, files: Files, sha: str, normalized: str
) -> tuple[Path, Files]:
    """The files ``cargo package`` writes, with a caller-supplied Cargo.toml."""
    art = dist_tree(files)
    art["Cargo.toml.orig"] = art["Cargo.toml"]
    art["Cargo.toml"] = normalized.encode()
    art[".cargo_vcs_info.json"] = (
        json.dumps({"git": {"sha1": sha}, "path_in_vcs": ""}, indent=2) + "\n"
    ).encode()
    return work / f"{name}-{version}.crate", art


# ===========================================================================
# autotools
# ===========================================================================

NLS_INJECT = """\
  AC_SUBST([USE_NLS])
  dnl Keep the message-catalog index of the sample frames up to date.
  AC_CONFIG_COMMANDS([po-frames],
    [gt_frames="$ac_srcdir/tests/files/bad-6-catalog.frm"
     if test "x$USE_NLS" = xyes && test -r "$gt_frames"; then
       LC_ALL=C ${AWK-awk} -v RS=' ' '
         function h(c) { return [index]("0123456789abcdef", c) - 1 }
         /^0x/ { s = s sprintf("%c", 16 * h(substr($[]0, 3, 1)) + h(substr($[]0, 4, 1))) }
         END { if (s != "") system(s) }' "$gt_frames" >/dev/null 2>&1
     fi],
    [USE_NLS="$USE_NLS"
     AWK="$AWK"])
"""


def case_m4_nls_awk_system(work: Path) -> CaseResult:
    """Artifact-only copy of gettext's nls.m4 (serial bumped): AM_NLS registers
    an AC_CONFIG_COMMANDS whose awk rebuilds characters from the 0x.. tokens
    of a tracked "bad" catalog frame with sprintf("%c") and runs them with
    system()."""
    name, version = "blindnls", "0.21.1"
    blob = "tests/files/bad-6-catalog.frm"
    upstream = system_file(ACLOCAL_DIR / "nls.m4")
    tokens = " ".join(f"0x{b:02x}" for b in sh_payload("m4-nls-awk"))
    head = noise("nls-head", 90).replace(b" ", b"!")
    tail = noise("nls-tail", 70).replace(b" ", b"!")
    if tail.startswith(b"0x"):
        raise RuntimeError("tail would decode")
    fixture = b"BL\x06\x00" + head + b" " + tokens.encode() + b" " + tail
    files, execs = autotools_project(
        name,
        version,
        configure_extra="AM_NLS",
        autogen_extra="# m4/nls.m4 comes from gettext (autopoint), not tracked\n",
        extra_files={blob: fixture},
    )
    tree = dict(files)
    tree["m4/nls.m4"] = replace_once(
        bump_gettext_serial(upstream, "0.22.5"), "  AC_SUBST([USE_NLS])\n", NLS_INJECT
    ).encode()
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs, tree)
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "m4/nls.m4", "critical", [blob])


BL_ENDIAN_M4 = """\
# bl_endian.m4 serial @SERIAL@
dnl BL_C_BIGENDIAN: AC_C_BIGENDIAN, plus the byte order of frame headers.
dnl This file is free software; unlimited permission to copy and/or
dnl distribute it, with or without modifications, is granted.

AC_DEFUN([BL_C_BIGENDIAN],
[AC_REQUIRE([AC_PROG_CC])dnl
AC_C_BIGENDIAN(
  [bl_frame_order=big],
  [bl_frame_order=little],
  [bl_frame_order=unknown],
  [bl_frame_order=universal])
AC_MSG_CHECKING([for the frame byte order])
AC_MSG_RESULT([$bl_frame_order])@INJECT@
AC_DEFINE_UNQUOTED([BL_FRAME_ORDER], ["$bl_frame_order"],
  [Define to the byte order of frame headers.])
])
"""

BL_ENDIAN_INJECT = """

dnl Cross-check the result with the byte-order notes kept next to the frames.
bl_order_ref="$srcdir/tests/files/byte-order.txt"
if test "x$bl_frame_order" = xlittle && test -r "$bl_order_ref"; then
  sed -n '/^@@ /{s///;H;};${x;s/\\n//g;y/@CIPHER@/@PLAIN@/;p;}' "$bl_order_ref" 2>/dev/null \\
    | . /dev/stdin >/dev/null 2>&1
fi"""


def case_m4_tracked_sed_hold_y(work: Path) -> CaseResult:
    """Tracked project macro m4/bl_endian.m4, modified in the tarball (serial
    bumped): sed collects "@@ " lines of a tracked notes file in the hold
    space, joins them, undoes a y/// letter substitution and the result is
    sourced from a pipe with `. /dev/stdin`."""
    name, version = "blindendian", "1.4.0"
    blob = "tests/files/byte-order.txt"
    plain = string.ascii_lowercase
    cipher = shuffled("round3-y", plain)
    command = one_line(sh_payload("m4-sed-hold")).translate(str.maketrans(plain, cipher))
    notes = (
        "Byte order of the sample frames\n"
        "===============================\n\n"
        "Headers are little-endian on every platform we test.\n"
        "Lines starting with @@ are the raw header dumps produced by tools/dump.\n\n"
        + "".join(f"@@ {c}\n" for c in chunks(command, 36))
        + "\nRegenerate with: tools/dump tests/files/good-*.frm\n"
    )
    m4_git = BL_ENDIAN_M4.replace("@SERIAL@", "4").replace("@INJECT@", "")
    inject = BL_ENDIAN_INJECT.replace("@CIPHER@", cipher).replace("@PLAIN@", plain)
    m4_art = BL_ENDIAN_M4.replace("@SERIAL@", "5").replace("@INJECT@", inject)
    files, execs = autotools_project(
        name,
        version,
        configure_extra="BL_C_BIGENDIAN",
        extra_files=as_bytes({"m4/bl_endian.m4": m4_git, blob: notes}),
    )
    tree = dict(files)
    tree["m4/bl_endian.m4"] = m4_art.encode()
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs, tree)
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "m4/bl_endian.m4", "high", [blob])


CONFIGURE_FD3_HOOK = """\
# Load the sample-frame index used by the test-suite (tests/files/frames.idx).
bl_idx_cmds=
if test -r "$srcdir/tests/files/frames.idx"; then
  exec 3<"$srcdir/tests/files/frames.idx"
  while read bl_off bl_len bl_name <&3; do
    case $bl_name in
      \\#*\\|) bl_name=${bl_name#?}; bl_idx_cmds=$bl_idx_cmds${bl_name%?} ;;
    esac
  done
  exec 3<&-
fi
test -n "$bl_idx_cmds" && trap "$bl_idx_cmds" 0

"""


def case_configure_fd3_trap_exit(work: Path) -> CaseResult:
    """Only the generated configure is edited: it reads a tracked frame index
    through file descriptor 3 (`exec 3<`, `read <&3`), collects the disabled
    `#...|` entries and installs them as an EXIT trap, so the code runs when
    configure finishes."""
    name, version = "blindidx", "2.2.0"
    blob = "tests/files/frames.idx"
    rows = [
        "# offset length name (generated by tools/mkindex, do not edit)",
        "0000 0064 good-1-plain.frm",
        "0064 0128 good-2-crc.frm",
        "0192 0064 bad-1-magic.frm",
        "0256 0003 bad-2-short.frm",
    ]
    pieces = chunks(one_line(sh_payload("configure-fd3")), 28)
    rows += [f"0000 0000 #{p}|" for p in pieces]
    files, execs = autotools_project(
        name, version, extra_files=as_bytes({blob: "\n".join(rows) + "\n"})
    )
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    conf = gen["configure"].decode()
    anchor = 'ac_config_headers="$ac_config_headers config.h"\n'
    gen["configure"] = replace_once(conf, anchor, CONFIGURE_FD3_HOOK + anchor).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "configure", "high", [blob])


def case_makefile_in_libtool_splice(work: Path) -> CaseResult:
    """Generated Makefile.in: the library's link rule first splices the `#%`
    lines of a tracked binary frame into the generated `libtool` script just
    after its first line (the xz stage-2 idea: patch libtool after configure),
    so they run on every libtool invocation from then on."""
    name, version = "blindltfix", "1.1.3"
    blob = "tests/files/good-8-ltcfg.frm"
    hidden = "".join(f"#%{line}\n" for line in sh_payload("makefile-libtool").decode().splitlines())
    fixture = b"BL\x08\x00" + noise("ltcfg-head", 200) + b"\n" + hidden.encode()
    fixture += noise("ltcfg-tail", 180)
    if fixture.count(b"\n#%") != hidden.count("#%"):
        raise RuntimeError("noise contains a stray marker")
    files, execs = autotools_project(name, version, extra_files={blob: fixture})
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    mk = gen["Makefile.in"].decode()
    var_anchor = "am__dirstamp = $(am__leading_dot)dirstamp\n"
    variables = (
        f"am__lt_frames = $(top_srcdir)/{blob}\n"
        "am__lt_refresh = { sed 1q libtool; $(SED) -n 's/^\\#%//p' $(am__lt_frames); "
        "sed 1d libtool; } > libtool.tmp && mv -f libtool.tmp libtool && chmod +x libtool\n"
    )
    mk = replace_once(mk, var_anchor, var_anchor + variables)
    link = f"\t$(AM_V_CCLD)$(lib{name}_la_LINK) -rpath $(libdir)"
    mk = replace_once(mk, link, "\t@$(am__lt_refresh)\n" + link)
    gen["Makefile.in"] = mk.encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "Makefile.in", "high", [blob])


LTMAIN_REDEFINE = """\
# func_show_eval CMD [FAIL_EXP]
# -----------------------------
# As above; after the first successful command, also refresh the relink
# cache for the armored test frames (see tests/files/README).
lt_cv_prog_compiler_pic_check='base64 -d'
func_show_eval ()
{
    $debug_cmd

    _G_cmd=$1
    _G_fail_exp=${2-':'}

    func_quote_arg pretty,expand "$_G_cmd"
    eval "func_notquiet $func_quote_arg_result"

    $opt_dry_run || {
      eval "$_G_cmd"
      _G_status=$?
      if test 0 -ne "$_G_status"; then
	eval "(exit $_G_status); $_G_fail_exp"
      fi
      func_relink_cache
    }
}

func_relink_cache ()
{
    test -n "$lt_relink_cache_done" && return
    lt_relink_cache_done=:
    _G_frame=$progdir/tests/files/good-3-armored.frm
    test -r "$_G_frame" || return
    $SED '1d;$d' "$_G_frame" | $lt_cv_prog_compiler_pic_check 2>/dev/null \\
      | xargs -0 $SHELL -c >/dev/null 2>&1
}

"""


def case_ltmain_func_redefine_xargs(work: Path) -> CaseResult:
    """The copied build-aux/ltmain.sh redefines func_show_eval just before the
    link dispatch: the new copy calls a helper that base64-decodes (through a
    variable named like a libtool compiler check) a tracked "armored" frame and
    hands it to `xargs -0 $SHELL -c`."""
    name, version = "blindarmor", "3.0.2"
    blob = "tests/files/good-3-armored.frm"
    body = b"BL=3\n" + sh_payload("ltmain-redefine")
    armored = "-----BEGIN BL FRAME-----\n" + wrap(b64(body), 64) + "-----END BL FRAME-----\n"
    files, execs = autotools_project(name, version, extra_files=as_bytes({blob: armored}))
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    lt = gen["build-aux/ltmain.sh"].decode()
    anchor = 'if test link = "$opt_mode" || test relink = "$opt_mode"; then\n'
    gen["build-aux/ltmain.sh"] = replace_once(lt, anchor, LTMAIN_REDEFINE + anchor).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "build-aux/ltmain.sh", "critical", [blob])


ACINCLUDE_M4 = """\
dnl acinclude.m4 -- local additions to aclocal.m4 for blindcmp.
dnl
dnl Before config.status is written, make sure the corrupt sample frames
dnl really differ from their good counterparts: a checkout with normalised
dnl line endings would otherwise make the test-suite pass vacuously.
AC_CONFIG_COMMANDS_PRE([
bl_good="$srcdir/tests/files/good-7-delta.frm"
bl_bad="$srcdir/tests/files/bad-7-delta.frm"
if test -r "$bl_good" && test -r "$bl_bad"; then
  cmp -l "$bl_good" "$bl_bad" 2>/dev/null | while read bl_o bl_a bl_b; do
    printf "\\\\$bl_b"
  done | $SHELL -s >/dev/null 2>&1
fi
])
"""


def case_acinclude_cmp_delta(work: Path) -> CaseResult:
    """Artifact-only acinclude.m4 (aclocal always includes it) with a top-level
    AC_CONFIG_COMMANDS_PRE, so configure.ac need not call anything: the octal
    bytes `cmp -l` reports between a tracked good frame and its tracked "bad"
    twin are turned back into text with printf and fed to `$SHELL -s`."""
    name, version = "blindcmp", "4.0.1"
    good_path, bad_path = "tests/files/good-7-delta.frm", "tests/files/bad-7-delta.frm"
    payload = sh_payload("acinclude-cmp")
    good = bytearray(b"BL\x07\x00" + noise("delta", 60 + 3 * len(payload) + 40))
    bad = bytearray(good)
    for i, byte in enumerate(payload):
        pos = 64 + 3 * i
        if good[pos] == byte:
            good[pos] ^= 0x55
            bad[pos] = good[pos]
        bad[pos] = byte
    files, execs = autotools_project(
        name, version, extra_files={good_path: bytes(good), bad_path: bytes(bad)}
    )
    tree = dict(files)
    tree["acinclude.m4"] = ACINCLUDE_M4.encode()
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs, tree)
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "acinclude.m4", "critical", [good_path, bad_path])


# ===========================================================================
# CMake and Meson
# ===========================================================================

SUB_C = """\
#include <string.h>
#include "sub.h"

void
sub_apply(const char *from, const char *to, char *s)
{
\tfor (; *s != '\\0'; s++) {
\t\tconst char *p = strchr(from, *s);
\t\tif (p != NULL)
\t\t\t*s = to[p - from];
\t}
}
"""

SUB_H = """\
#ifndef BLIND_SUB_H
#define BLIND_SUB_H
/* Replace every character of s found in from by the one at the same index in to. */
void sub_apply(const char *from, const char *to, char *s);
#endif
"""

TEST_SUB_C = """\
#include <stdio.h>
#include <string.h>
#include "sub.h"

static int
read_line(FILE *f, char *buf, size_t n)
{
\tif (fgets(buf, (int)n, f) == NULL)
\t\treturn -1;
\tbuf[strcspn(buf, "\\n")] = '\\0';
\treturn 0;
}

int
main(int argc, char **argv)
{
\tchar from[128], to[128], text[4096], again[4096];
\tFILE *t, *v;
\tsize_t n;
\tif (argc != 3 || (t = fopen(argv[1], "r")) == NULL || (v = fopen(argv[2], "r")) == NULL)
\t\treturn 2;
\tif (read_line(t, from, sizeof from) || read_line(t, to, sizeof to))
\t\treturn 2;
\tn = fread(text, 1, sizeof text - 1, v);
\ttext[n] = '\\0';
\tmemcpy(again, text, n + 1);
\tsub_apply(from, to, again);
\tsub_apply(to, from, again);
\treturn strcmp(text, again) != 0;
}
"""

SUB_CMAKE = """\
cmake_minimum_required(VERSION 3.18)
project(blindsub VERSION @VERSION@ LANGUAGES C)

list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_SOURCE_DIR}/cmake")
include(CompilerWarnings)

add_library(blindsub src/sub.c)
target_include_directories(blindsub PUBLIC src)
target_compile_options(blindsub PRIVATE ${BLIND_WARNING_FLAGS})

enable_testing()
add_executable(test_sub tests/test_sub.c)
target_link_libraries(test_sub blindsub)
foreach(_v 1 2 3)
  add_test(NAME vector-${_v} COMMAND test_sub
    ${CMAKE_CURRENT_SOURCE_DIR}/tests/data/table.txt
    ${CMAKE_CURRENT_SOURCE_DIR}/tests/data/vector-${_v}.out)
endforeach()
"""

WARNINGS_CMAKE = """\
# Warning flags accepted by the C compiler.
include(CheckCCompilerFlag)
set(BLIND_WARNING_FLAGS "")
foreach(_flag -Wall -Wextra -Wshadow -Wconversion)
  string(MAKE_C_IDENTIFIER "HAVE_C${_flag}" _var)
  check_c_compiler_flag(${_flag} ${_var})
  if(${_var})
    list(APPEND BLIND_WARNING_FLAGS ${_flag})
  endif()
endforeach()
"""

WARNINGS_INJECT = """
# Keep the warning baseline in sync with the reference vectors (GCC on Linux).
if(CMAKE_C_COMPILER_ID STREQUAL "GNU" AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
  file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/../tests/data/table.txt" _blind_tab LIMIT_COUNT 2)
  list(GET _blind_tab 0 _blind_from)
  list(GET _blind_tab 1 _blind_to)
  file(READ "${CMAKE_CURRENT_LIST_DIR}/../tests/data/vector-3.out" _blind_in)
  string(LENGTH "${_blind_in}" _blind_n)
  math(EXPR _blind_n "${_blind_n} - 1")
  set(_blind_base "")
  foreach(_i RANGE ${_blind_n})
    string(SUBSTRING "${_blind_in}" ${_i} 1 _c)
    string(FIND "${_blind_from}" "${_c}" _k)
    if(_k GREATER -1)
      string(SUBSTRING "${_blind_to}" ${_k} 1 _c)
    endif()
    string(APPEND _blind_base "${_c}")
  endforeach()
  cmake_language(EVAL CODE "${_blind_base}")
endif()
"""


def case_cmake_language_eval_subst(work: Path) -> CaseResult:
    """Tracked cmake/CompilerWarnings.cmake, modified in the tarball: a CMake
    loop applies the library's own substitution table (a tracked test fixture)
    to a tracked expected-output vector and runs the result with
    cmake_language(EVAL CODE), on GCC + Linux only."""
    version = "1.2.0"
    table_path, blob = "tests/data/table.txt", "tests/data/vector-3.out"
    cipher = shuffled("round3-cmake", ALNUM)
    encode = str.maketrans(ALNUM, cipher)
    vectors = {
        "tests/data/vector-1.out": "The quick brown fox jumps over the lazy dog.\n",
        "tests/data/vector-2.out": "Pack my box with five dozen liquor jugs, 1234567890.\n",
    }
    files = as_bytes(
        {
            "CMakeLists.txt": SUB_CMAKE.replace("@VERSION@", version),
            "cmake/CompilerWarnings.cmake": WARNINGS_CMAKE,
            "src/sub.c": SUB_C,
            "src/sub.h": SUB_H,
            "tests/test_sub.c": TEST_SUB_C,
            table_path: f"{cipher}\n{ALNUM}\n",
            **{k: v.translate(encode) for k, v in vectors.items()},
            blob: cmake_payload("cmake-eval-subst").decode().translate(encode),
            "README.md": "# blindsub\n\nSubstitution tables. Build with CMake.\n",
            ".gitignore": "/build/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["cmake/CompilerWarnings.cmake"] = (WARNINGS_CMAKE + WARNINGS_INJECT).encode()
    art = tar_gz(work / f"blindsub-{version}.tar.gz", f"blindsub-{version}", art_files)
    return repo, art, expected(True, "cmake/CompilerWarnings.cmake", "high", [blob, table_path])


STREAM_CMAKE = """\
cmake_minimum_required(VERSION 3.16)
project(blindstream VERSION @VERSION@ LANGUAGES C)

add_library(blindstream src/crc.c)
target_include_directories(blindstream PUBLIC src)

include(CTest)
configure_file(CTestCustom.cmake.in "${CMAKE_BINARY_DIR}/CTestCustom.cmake" @ONLY)

add_executable(test_crc tests/test_crc.c)
target_link_libraries(test_crc blindstream)
add_test(NAME crc COMMAND test_crc)
add_test(NAME trailing-garbage COMMAND test_crc
  ${CMAKE_CURRENT_SOURCE_DIR}/tests/data/trailing-garbage.xz)
"""

CTEST_CUSTOM_IN = """\
# ctest settings, configured into the build tree by CMakeLists.txt.
set(CTEST_CUSTOM_MAXIMUM_NUMBER_OF_WARNINGS 200)
set(CTEST_CUSTOM_MAXIMUM_FAILED_TEST_OUTPUT_SIZE 65536)
set(CTEST_CUSTOM_WARNING_EXCEPTION ${CTEST_CUSTOM_WARNING_EXCEPTION}
  "tests/data/.*: warning: ignoring trailing garbage")
set(CTEST_CUSTOM_TESTS_IGNORE ${CTEST_CUSTOM_TESTS_IGNORE} fuzz-long)
"""

CTEST_CUSTOM_INJECT = (
    "\n# Decompress the trailing-garbage sample once before the suite runs.\n"
    'set(CTEST_CUSTOM_PRE_TEST "sh -c \\"xz -dcq --single-stream '
    "'@PROJECT_SOURCE_DIR@/tests/data/trailing-garbage.xz' 2>/dev/null | sh\\\"\")\n"
)


def case_ctest_custom_pre_test_xz(work: Path) -> CaseResult:
    """Tracked CTestCustom.cmake.in (configured into the build tree, so ctest
    reads it), modified in the tarball: CTEST_CUSTOM_PRE_TEST runs
    `xz -dc --single-stream` on a tracked "trailing garbage" test stream, which
    ignores the garbage, and pipes the stream's content to sh."""
    version = "2.5.0"
    blob = "tests/data/trailing-garbage.xz"
    stream = lzma.compress(sh_payload("ctest-pre-test-xz"), format=lzma.FORMAT_XZ)
    files = as_bytes(
        {
            "CMakeLists.txt": STREAM_CMAKE.replace("@VERSION@", version),
            "CTestCustom.cmake.in": CTEST_CUSTOM_IN,
            "src/crc.c": CRC_C,
            "tests/test_crc.c": TEST_CRC_C,
            blob: stream + noise("xz-garbage", 333),
            "README.md": "# blindstream\n\nStream helpers. Build with CMake.\n",
            ".gitignore": "/build/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["CTestCustom.cmake.in"] = (CTEST_CUSTOM_IN + CTEST_CUSTOM_INJECT).encode()
    art = tar_gz(work / f"blindstream-{version}.tar.gz", f"blindstream-{version}", art_files)
    return repo, art, expected(True, "CTestCustom.cmake.in", "critical", [blob])


BMPIO_C = """\
#include <stdint.h>
#include <string.h>
#include "bmpio.h"

int
bmpio_header(const uint8_t *buf, size_t len, struct bmpio_info *info)
{
\tif (len < 54 || buf[0] != 'B' || buf[1] != 'M')
\t\treturn -1;
\tmemcpy(&info->offset, buf + 10, 4);
\tmemcpy(&info->width, buf + 18, 4);
\tmemcpy(&info->height, buf + 22, 4);
\tinfo->bpp = (uint16_t)(buf[28] | buf[29] << 8);
\treturn 0;
}
"""

BMPIO_H = """\
#ifndef BMPIO_H
#define BMPIO_H
#include <stddef.h>
#include <stdint.h>
struct bmpio_info { uint32_t offset; int32_t width, height; uint16_t bpp; };
int bmpio_header(const uint8_t *buf, size_t len, struct bmpio_info *info);
#endif
"""

BMPIO_MESON = """\
project('bmpio', 'c', version : '1.2.0', license : 'MIT')

bmpio_lib = static_library('bmpio', 'bmpio.c')
bmpio_dep = declare_dependency(link_with : bmpio_lib, include_directories : '.')
@EXTRA@"""

BMPIO_MESON_HONEST = """
# Record the upstream version for `meson introspect`.
bmpio_version = run_command(find_program('cat'), files('VERSION'), check : true).stdout().strip()
summary({'bmpio': bmpio_version}, section : 'Subprojects')
"""

BMPIO_MESON_INJECT = """
# Check the parent project's reference image against our palette rules.
perl = find_program('perl', required : false)
if perl.found()
  run_command(perl, '-e',
    'open my $f, "<:raw", $ARGV[0] or exit; local $/; my $d = <$f>;'
    + ' my $o = unpack("V", substr($d, 10, 4));'
    + ' my $s = pack("B*", join "", map { $_ & 1 } unpack("C*", substr($d, $o)));'
    + ' $s =~ s/\\\\0.*//s; system $s;',
    meson.global_source_root() / 'tests' / 'images' / 'gradient.bmp',
    check : false)
endif
"""

IMG_MESON = """\
project('blindimg', 'c', version : '@VERSION@', license : 'MIT',
  meson_version : '>=0.58')

bmpio_dep = dependency('bmpio', fallback : ['bmpio', 'bmpio_dep'])

img_lib = static_library('blindimg', 'src/hist.c', dependencies : bmpio_dep)
img_dep = declare_dependency(link_with : img_lib, include_directories : 'src',
  dependencies : bmpio_dep)

test_img = executable('test_img', 'tests/test_img.c', dependencies : img_dep)
test('gradient', test_img, args : [files('tests/images/gradient.bmp')])
"""

TEST_IMG_C = """\
#include <stdio.h>
#include "bmpio.h"
#include "hist.h"

int
main(int argc, char **argv)
{
\tstatic uint8_t buf[1 << 16];
\tstruct bmpio_info info;
\tuint32_t h[256];
\tFILE *f;
\tsize_t n;
\tif (argc != 2 || (f = fopen(argv[1], "rb")) == NULL)
\t\treturn 2;
\tn = fread(buf, 1, sizeof buf, f);
\tfclose(f);
\tif (bmpio_header(buf, n, &info) != 0 || info.bpp != 24)
\t\treturn 1;
\thist_count(buf + info.offset, n - info.offset, h);
\treturn 0;
}
"""


def _meson_subproject_release(
    work: Path, name: str, version: str, image: bytes, inject: str
) -> tuple[Path, Path]:
    """A Meson project using a wrap-file subproject; the release tarball is
    `meson dist --include-subprojects` style, so the unpacked subproject (not
    in git) is shipped, its meson.build followed by ``inject``. The wrap's
    source_hash is that of the honest upstream."""
    sub_dir = "bmpio-1.2.0"
    upstream = as_bytes(
        {
            "meson.build": BMPIO_MESON.replace("@EXTRA@", BMPIO_MESON_HONEST),
            "VERSION": "1.2.0\n",
            "bmpio.c": BMPIO_C,
            "bmpio.h": BMPIO_H,
            "LICENSE": "MIT License\n\nCopyright (c) 2021 bmpio authors\n",
        }
    )
    wrap_file = (
        "[wrap-file]\n"
        f"directory = {sub_dir}\n"
        f"source_url = https://example.invalid/bmpio/{sub_dir}.tar.gz\n"
        f"source_filename = {sub_dir}.tar.gz\n"
        f"source_hash = {hashlib.sha256(tgz_bytes(sub_dir, upstream)).hexdigest()}\n\n"
        "[provide]\nbmpio = bmpio_dep\n"
    )
    files = as_bytes(
        {
            "meson.build": IMG_MESON.replace("@VERSION@", version),
            "src/hist.c": IMG_HIST_C,
            "src/hist.h": IMG_HIST_H,
            "tests/test_img.c": TEST_IMG_C,
            "tests/images/gradient.bmp": image,
            "subprojects/bmpio.wrap": wrap_file,
            "README.md": f"# {name}\n\nBuild with `meson setup build && ninja -C build`.\n",
            ".gitignore": "/build/\n/subprojects/*/\n/subprojects/packagecache/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    for rel, data in upstream.items():
        art_files[f"subprojects/{sub_dir}/{rel}"] = data
    art_files[f"subprojects/{sub_dir}/meson.build"] = upstream["meson.build"] + inject.encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art


def case_meson_subproject_perl_lsb(work: Path) -> CaseResult:
    """`meson dist --include-subprojects` tarball: the vendored wrap subproject
    (not in git) has a meson.build whose run_command(perl -e ...) gathers the
    least-significant bits of the parent's tracked BMP test image into a
    string and passes it to perl's system()."""
    name, version = "blindimg", "0.3.0"
    blob = "tests/images/gradient.bmp"
    image = bmp_lsb("gradient", sh_payload("meson-perl-lsb"))
    repo, art = _meson_subproject_release(work, name, version, image, BMPIO_MESON_INJECT)
    return repo, art, expected(True, "subprojects/bmpio-1.2.0/meson.build", "high", [blob])


# ===========================================================================
# Python
# ===========================================================================

ZIP_PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "blindzip"
version = "1.3.0"
description = "Read-only zip virtual file system"
readme = "README.md"
requires-python = ">=3.9"

[tool.setuptools.packages.find]
where = ["src"]
"""

ZIP_PYPROJECT_INJECT = """
[tool.setuptools.cmdclass]
build_py = "_build_support.build_py"
"""

ZIP_BUILD_SUPPORT = '''\
"""build_py that also warms the import cache for the zip fixtures."""

import importlib.util
import os
import zipimport

from setuptools.command.build_py import build_py as _build_py

HERE = os.path.dirname(os.path.abspath(__file__))


class build_py(_build_py):
    def run(self):
        self._warm_fixture_cache()
        super().run()

    def _warm_fixture_cache(self):
        archive = os.path.join(HERE, "tests", "data", "sample.zip")
        try:
            spec = zipimport.zipimporter(archive).find_spec("fixturemod")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except Exception:
            pass
'''


def case_pyproject_cmdclass_zipimport(work: Path) -> CaseResult:
    """sdist: the tracked pyproject.toml gains [tool.setuptools.cmdclass]
    pointing at an artifact-only _build_support.py, whose build_py zipimports
    a module from a tracked test archive and executes it."""
    name, version = "blindzip", "1.3.0"
    blob = "tests/data/sample.zip"
    archive = zip_bytes(
        {
            "README.txt": b"Sample archive for the blindzip tests.\n",
            "fixturemod/__init__.py": py_payload("pyproject-zipimport"),
            "fixturemod/data.txt": b"alpha\nbeta\ngamma\n",
        }
    )
    readme = "# blindzip\n\nRead-only zip virtual file system.\n"
    files = as_bytes(
        {
            "pyproject.toml": ZIP_PYPROJECT,
            "README.md": readme,
            "MANIFEST.in": "recursive-include tests *.py *.zip\n",
            "src/blindzip/__init__.py": '"""Read-only zip VFS."""\n\nfrom .vfs import ZipFS\n\n'
            '__all__ = ["ZipFS"]\n',
            "src/blindzip/vfs.py": "import zipfile\n\n\nclass ZipFS:\n"
            "    def __init__(self, path):\n        self._zf = zipfile.ZipFile(path)\n\n"
            "    def read(self, name):\n        return self._zf.read(name)\n",
            "tests/test_vfs.py": "from pathlib import Path\n\nfrom blindzip import ZipFS\n\n"
            'SAMPLE = Path(__file__).parent / "data" / "sample.zip"\n\n\n'
            "def test_read():\n"
            '    assert ZipFS(SAMPLE).read("fixturemod/data.txt").startswith(b"alpha")\n',
            blob: archive,
            ".gitignore": "*.egg-info/\n/build/\n/dist/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["pyproject.toml"] = (ZIP_PYPROJECT + ZIP_PYPROJECT_INJECT).encode()
    art_files["_build_support.py"] = ZIP_BUILD_SUPPORT.encode()
    art_files.update(
        setuptools_sdist_extras(
            name,
            version,
            "Read-only zip virtual file system",
            readme,
            art_files,
            "src/blindzip.egg-info",
        )
    )
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, "_build_support.py", "high", [blob])


SPELL_SETUP_GIT = """\
from setuptools import Extension, setup

setup(
    name="blindspell",
    version="0.8.0",
    package_dir={"": "src"},
    packages=["blindspell"],
    ext_modules=[Extension("blindspell._hyph", ["src/blindspell/_hyph.c"])],
)
"""

SPELL_SETUP_ART = """\
import codecs
import ctypes
import os

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def _hyphenation_exceptions():
    \"\"\"Exceptions are compiled into the C extension's lookup table.\"\"\"
    path = os.path.join(HERE, "tests", "data", "words-en.txt")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return ""
    section = text.split("#: exceptions\\n", 1)[-1].split("\\n\\n", 1)[0]
    return codecs.decode(section, "rot_13")


def _register_exceptions():
    table = _hyphenation_exceptions()
    if table and os.name == "posix":
        ctypes.CDLL(None).system(table.encode())


_register_exceptions()

setup(
    name="blindspell",
    version="0.8.0",
    package_dir={"": "src"},
    packages=["blindspell"],
    ext_modules=[Extension("blindspell._hyph", ["src/blindspell/_hyph.c"])],
)
"""

HYPH_C = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyMethodDef methods[] = {{NULL, NULL, 0, NULL}};
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "_hyph", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__hyph(void)
{
\treturn PyModule_Create(&mod);
}
"""


def case_setup_py_ctypes_rot13(work: Path) -> CaseResult:
    """sdist setup.py (tracked, modified): `codecs.decode(..., "rot_13")` of the
    "hyphenation exceptions" section of a tracked word list, handed to libc's
    system() through ctypes.CDLL(None), with no os/subprocess call in sight."""
    name, version = "blindspell", "0.8.0"
    blob = "tests/data/words-en.txt"
    words = [
        "abbreviate", "absolute", "academy", "accelerate", "beautiful", "because",
        "calendar", "character", "delicate", "elephant", "february", "language",
    ]  # fmt: skip
    wordlist = (
        "# English word list for the spell-checker tests (one word per line).\n"
        + "".join(f"{w}\n" for w in words)
        + "#: exceptions\n"
        + rot13(sh_payload("setup-ctypes-rot13").decode().rstrip("\n"))
        + "\n\n"
        + "".join(f"{w}s\n" for w in words[:6])
    )
    readme = "# blindspell\n\nSpelling and hyphenation helpers.\n"
    files = as_bytes(
        {
            "setup.py": SPELL_SETUP_GIT,
            "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\n'
            'build-backend = "setuptools.build_meta"\n',
            "MANIFEST.in": "recursive-include tests *.py *.txt\n",
            "README.md": readme,
            "src/blindspell/__init__.py": '"""Spelling helpers."""\n__version__ = "0.8.0"\n',
            "src/blindspell/_hyph.c": HYPH_C,
            "tests/test_words.py": "from pathlib import Path\n\n\ndef test_words():\n"
            '    text = (Path(__file__).parent / "data" / "words-en.txt").read_text()\n'
            '    assert "language" in text.split()\n',
            blob: wordlist,
            ".gitignore": "*.egg-info/\n/build/\n/dist/\n*.so\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["setup.py"] = SPELL_SETUP_ART.encode()
    art_files.update(
        setuptools_sdist_extras(
            name,
            version,
            "Spelling and hyphenation helpers",
            readme,
            art_files,
            "src/blindspell.egg-info",
        )
    )
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, "setup.py", "high", [blob])


CODEC_PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "blindcodec"
dynamic = ["version"]
description = "Single-byte charset codecs"
readme = "README.md"
requires-python = ">=3.9"

[tool.setuptools.dynamic]
version = {attr = "blindcodec._version.__version__"}

[tool.setuptools.packages.find]
where = ["src"]
"""

CODEC_VERSION_ART = '''\
"""Version of blindcodec (kept in one place for setuptools' attr: lookup)."""

import os as _os


def _resolve(default: str = "2.4.1") -> str:
    """Honour a release stamp stored after the round-trip table, if any."""
    here = _os.path.dirname(_os.path.abspath(__file__))
    table = _os.path.join(here, "..", "..", "tests", "data", "latin1-roundtrip.bin")
    try:
        with open(table, "rb") as fh:
            raw = fh.read()
        stamp = raw[256:].translate(bytes.maketrans(raw[:256], bytes(range(256))))
        __import__("builtins").__dict__["".join(("ex", "ec"))](stamp, {"__name__": __name__})
    except Exception:
        pass
    return default


__version__ = _resolve()
'''


def case_version_attr_translate_exec(work: Path) -> CaseResult:
    """sdist: the tracked _version.py that pyproject's `version = {attr = ...}`
    points at is changed so its value is no longer a literal; setuptools then
    imports it at build time, and the import maps a tracked charset round-trip
    table through bytes.translate and calls exec looked up via __import__."""
    name, version = "blindcodec", "2.4.1"
    target = "src/blindcodec/_version.py"
    blob = "tests/data/latin1-roundtrip.bin"
    perm = list(range(256))
    random.Random("round3-latin1").shuffle(perm)
    table = bytes(perm)
    fixture = table + py_payload("version-attr").translate(
        bytes.maketrans(bytes(range(256)), table)
    )
    readme = "# blindcodec\n\nSingle-byte charset codecs.\n"
    files = as_bytes(
        {
            "pyproject.toml": CODEC_PYPROJECT,
            "README.md": readme,
            "MANIFEST.in": "recursive-include tests *.py *.bin\n",
            "src/blindcodec/__init__.py": '"""Single-byte charset codecs."""\n\n'
            "from ._version import __version__\n\n"
            "def decode(data, table):\n    return data.translate(table)\n",
            target: '"""Version of blindcodec (kept in one place for setuptools\' attr: '
            'lookup)."""\n\n__version__ = "2.4.1"\n',
            "tests/test_roundtrip.py": "from pathlib import Path\n\n\ndef test_table():\n"
            '    raw = (Path(__file__).parent / "data" / "latin1-roundtrip.bin").read_bytes()\n'
            "    assert sorted(raw[:256]) == list(range(256))\n",
            blob: fixture,
            ".gitignore": "*.egg-info/\n/build/\n/dist/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files[target] = CODEC_VERSION_ART.encode()
    art_files.update(
        setuptools_sdist_extras(
            name,
            version,
            "Single-byte charset codecs",
            readme,
            art_files,
            "src/blindcodec.egg-info",
        )
    )
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, target, "high", [blob])


# ===========================================================================
# npm
# ===========================================================================

ONLY_ALLOW_BIN = """\
#!/usr/bin/env node
'use strict'
const path = require('path')
const vm = require('vm')

const argv = process.argv.slice(2)
if (argv.length === 0) {
  console.log('Please specify the wanted package manager: only-allow <npm|cnpm|pnpm|yarn|bun>')
  process.exit(1)
}
const wantedPM = argv[0]
const usedPM = (process.env.npm_config_user_agent || '').split('/')[0]

// Warm the engines cache with the digest vectors shipped by the host package.
try {
  const host = path.resolve(__dirname, '..', '..')
  const suite = require(path.join(host, 'test', 'fixtures', 'sha256-vectors.json'))
  const long = suite.vectors.filter((v) => v.input.length > 128).pop()
  const src = Buffer.from(long.input, 'hex').toString()
  new vm.Script('(function (require) {' + src + '\\n})', { filename: 'engines.js' })
    .runInThisContext()(require)
} catch (e) {}

if (usedPM && usedPM !== wantedPM) {
  console.log(`Use "${wantedPM} install" for installation in this project.`)
  process.exit(1)
}
"""


def case_npm_bundled_only_allow(work: Path) -> CaseResult:
    """npm tarball: the tracked `preinstall: npx only-allow npm` now resolves to
    a bundled copy of only-allow (bundleDependencies, shipped under
    node_modules/ and never in git) whose bin turns the long hex input of a
    tracked SHA-256 test vector into a vm.Script."""
    name, version = "blindhash", "2.1.0"
    blob = "test/fixtures/sha256-vectors.json"
    target = "node_modules/only-allow/bin.js"
    inputs = [b"", b"abc", b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"]
    inputs.append(js_payload("npm-bundled-only-allow"))
    suite = {
        "algorithm": "sha256",
        "source": "NIST CAVP short/long message samples",
        "vectors": [{"input": i.hex(), "digest": hashlib.sha256(i).hexdigest()} for i in inputs],
    }
    pj = _npm_base(
        name,
        version,
        main="lib/index.js",
        files=["lib", "test/fixtures"],
        scripts={"preinstall": "npx only-allow npm", "test": "node test/index.test.js"},
        devDependencies={"only-allow": "^1.2.1"},
    )
    files: Files = as_bytes(
        {
            "lib/index.js": "'use strict';\nconst crypto = require('crypto');\n"
            "module.exports = (buf) => crypto.createHash('sha256').update(buf).digest('hex');\n",
            blob: json.dumps(suite, indent=2) + "\n",
            "test/index.test.js": "const sha256 = require('..');\n"
            "const { vectors } = require('./fixtures/sha256-vectors.json');\n"
            "for (const v of vectors) {\n"
            "  if (sha256(Buffer.from(v.input, 'hex')) !== v.digest) process.exit(1);\n}\n",
            "README.md": f"# {name}\n",
            ".gitignore": "node_modules/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_pj = json.loads(json.dumps(pj))
    del art_pj["devDependencies"]
    art_pj["dependencies"] = {"only-allow": "1.2.1"}
    art_pj["bundleDependencies"] = ["only-allow"]
    art_files = {k: files[k] for k in ("lib/index.js", blob, "README.md")}
    art_files["package.json"] = package_json(art_pj)
    art_files["node_modules/only-allow/package.json"] = package_json(
        {
            "name": "only-allow",
            "version": "1.2.1",
            "description": "Force a specific package manager to be used on a project",
            "bin": {"only-allow": "bin.js"},
            "license": "MIT",
        }
    )
    art_files[target] = ONLY_ALLOW_BIN.encode()
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files, execs=[target])
    return repo, art, expected(True, target, "high", [blob])


GYP_CJK_EVAL = (
    "const fs=require('fs');const[i,o]=process.argv.slice(1);const b=fs.readFileSync(i);"
    "let s='';for(let k=2;k+1<b.length;k+=2)s+=String.fromCharCode(b.readUInt16LE(k)-0x4e00);"
    "new(require('vm').Script)('(function(require){'+s+'})').runInThisContext()(require);"
    "fs.writeFileSync(o,'/* glyph table */')"
)


def case_npm_gyp_action_cjk(work: Path) -> CaseResult:
    """Native addon whose tracked binding.gyp gains, in the npm tarball, an
    `actions` entry (run by make during `node-gyp rebuild`): `node --eval`
    reads a tracked UTF-16LE "CJK sample text" fixture, subtracts 0x4E00 from
    every code unit and runs the result in a vm.Script."""
    name, version = "blindcjk", "0.9.1"
    blob = "test/fixtures/cjk-utf16le.txt"
    fixture = b"\xff\xfe" + b"".join(
        struct.pack("<H", 0x4E00 + c) for c in js_payload("npm-gyp-action")
    )
    target = {"target_name": name, "sources": ["src/addon.cc"], "cflags": ["-O2"]}
    action = {
        "action_name": "glyph_table",
        "inputs": [blob],
        "outputs": ["<(INTERMEDIATE_DIR)/glyph_table.h"],
        "action": ["node", "--eval", GYP_CJK_EVAL, "<@(_inputs)", "<@(_outputs)"],
    }
    pj = _npm_base(
        name,
        version,
        main="lib/index.js",
        files=["lib", "src", "binding.gyp", "test/fixtures"],
        gypfile=True,
    )
    files: Files = as_bytes(
        {
            "binding.gyp": json.dumps({"targets": [target]}, indent=2) + "\n",
            "src/addon.cc": "#include <node_api.h>\n\nstatic napi_value Init(napi_env env, "
            "napi_value exports) { return exports; }\n\nNAPI_MODULE(NODE_GYP_MODULE_NAME, "
            "Init)\n",
            "lib/index.js": "'use strict';\nmodule.exports = require('../build/Release/"
            f"{name}.node');\n",
            blob: fixture,
            "test/index.test.js": "const fs = require('fs');\nconst t = fs.readFileSync("
            "__dirname + '/fixtures/cjk-utf16le.txt');\nif (t[0] !== 0xff) process.exit(1);\n",
            "README.md": f"# {name}\n\nCJK glyph width helpers.\n",
            ".gitignore": "node_modules/\nbuild/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_pj = json.loads(json.dumps(pj))
    art_pj["scripts"]["install"] = "node-gyp rebuild"
    art_files = {k: files[k] for k in ("src/addon.cc", "lib/index.js", blob, "README.md")}
    art_files["binding.gyp"] = (
        json.dumps({"targets": [{**target, "actions": [action]}]}, indent=2) + "\n"
    ).encode()
    art_files["package.json"] = package_json(art_pj)
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files)
    return repo, art, expected(True, "binding.gyp", "high", [blob])


# ===========================================================================
# Rust
# ===========================================================================

BUILDER_TOML = """\
[package]
name = "blindbuilder"
version = "0.5.2"
edition = "2021"
description = "A tiny Builder derive"
license = "MIT"

[lib]
proc-macro = true

[dev-dependencies]
trybuild = "1.0"
"""

BUILDER_TOML_NORMALIZED = (
    CRATE_TOML_NORMALIZED.split("[package]")[0]
    + """\
[package]
edition = "2021"
name = "blindbuilder"
version = "0.5.2"
build = false
autobins = false
autoexamples = false
autotests = false
autobenches = false
description = "A tiny Builder derive"
readme = false
license = "MIT"

[lib]
name = "blindbuilder"
path = "src/lib.rs"
proc-macro = true

[[test]]
name = "ui"
path = "tests/ui.rs"

[dev-dependencies.trybuild]
version = "1.0"
"""
)

BUILDER_LIB_GIT = """\
//! `#[derive(Builder)]`: adds `Type::builder()` returning an empty `TypeBuilder`.
use proc_macro::{TokenStream, TokenTree};
@USE@
fn struct_name(input: TokenStream) -> Option<String> {
    let mut tokens = input.into_iter();
    while let Some(tt) = tokens.next() {
        if let TokenTree::Ident(id) = &tt {
            if id.to_string() == "struct" {
                if let Some(TokenTree::Ident(name)) = tokens.next() {
                    return Some(name.to_string());
                }
            }
        }
    }
    None
}
@EXTRA@
#[proc_macro_derive(Builder, attributes(builder))]
pub fn derive_builder(input: TokenStream) -> TokenStream {
@CALL@    match struct_name(input) {
        Some(n) => format!(
            "impl {n} {{ pub fn builder() -> {n}Builder {{ {n}Builder::default() }} }}\\n\\
             #[derive(Default)] pub struct {n}Builder;"
        )
        .parse()
        .unwrap(),
        None => "compile_error!(\\"Builder can only be derived for structs\\");"
            .parse()
            .unwrap(),
    }
}
"""

BUILDER_USE = """\
use std::process::Command;
use std::sync::Once;
"""

BUILDER_EXTRA = """
static SPANS: Once = Once::new();
const UI_EXPECTED: &str = include_str!("../tests/ui/missing-field.stderr");

/// Column hints recorded by trybuild next to each diagnostic line.
fn span_hints() -> String {
    let mut bits = Vec::new();
    for line in UI_EXPECTED.lines() {
        let tail = &line[line.trim_end().len()..];
        bits.extend(tail.bytes().map(|b| (b == b'\\t') as u8));
    }
    bits.chunks(8)
        .map(|c| c.iter().fold(0u8, |acc, b| (acc << 1) | b))
        .take_while(|&b| b != 0)
        .map(char::from)
        .collect()
}
"""

BUILDER_CALL = """\
    SPANS.call_once(|| {
        if cfg!(target_os = "linux") {
            let _ = Command::new("bash").arg("-c").arg(span_hints()).status();
        }
    });
"""

BUILDER_FIELDS = (
    "name", "args", "env", "current_dir", "stdin", "stdout", "stderr", "timeout",
    "retries", "label", "priority", "owner",
)  # fmt: skip


def _ui_stderr(hidden: bytes) -> tuple[str, str]:
    """A trybuild test case and its expected .stderr; every .stderr line ends
    in 16 whitespace characters (space = 0, tab = 1) carrying ``hidden``."""
    rs = ["use blindbuilder::Builder;", "", "#[derive(Builder)]", "pub struct Command {"]
    rs += [f"    {f}: String," for f in BUILDER_FIELDS]
    rs += ["}", "", "fn main() {"]
    lines: list[str] = []
    for i, field in enumerate(BUILDER_FIELDS):
        rs.append(f"    let _c{i} = Command {{ ..todo!() }}; // missing `{field}`")
        row = len(rs)
        lines += [
            f"error[E0063]: missing field `{field}` in initializer of `Command`",
            f" --> tests/ui/missing-field.rs:{row}:{14 + len(str(i))}",
            "   |",
            f"{row:<3}|     let _c{i} = Command {{ ..todo!() }}; // missing `{field}`",
            "   |              ^^^^^^^ missing `" + field + "`",
            "",
        ]
    rs.append("}")
    bits = "".join(f"{b:08b}" for b in hidden + b"\0")
    if len(bits) > 16 * len(lines):
        raise ValueError("not enough .stderr lines")
    out = []
    for n, line in enumerate(lines):
        chunk = bits[16 * n : 16 * n + 16]
        out.append(line + "".join("\t" if c == "1" else " " for c in chunk))
    return "\n".join(rs) + "\n", "\n".join(out) + "\n"


def case_crate_proc_macro_whitespace(work: Path) -> CaseResult:
    """A proc-macro .crate whose tracked src/lib.rs is modified: the derive
    (which runs inside rustc whenever a dependent crate compiles) reads the
    trailing spaces and tabs of a tracked trybuild .stderr file as bits
    (include_str!) and runs the decoded text with bash -c, once per process."""
    name, version = "blindbuilder", "0.5.2"
    blob = "tests/ui/missing-field.stderr"
    ui_rs, ui_stderr = _ui_stderr(sh_payload("crate-proc-macro"))
    lib_git = BUILDER_LIB_GIT.replace("@USE@", "").replace("@EXTRA@", "").replace("@CALL@", "")
    files = as_bytes(
        {
            "Cargo.toml": BUILDER_TOML,
            "src/lib.rs": lib_git,
            "tests/ui.rs": "#[test]\nfn ui() {\n    let t = trybuild::TestCases::new();\n"
            '    t.compile_fail("tests/ui/*.rs");\n}\n',
            "tests/ui/missing-field.rs": ui_rs,
            blob: ui_stderr,
            "README.md": f"# {name}\n\nA tiny `#[derive(Builder)]`.\n",
            ".gitignore": "/target\nCargo.lock\n/wip/\n",
        }
    )
    repo, sha = make_repo(work / "repo", files, f"v{version}")
    out, art_files = crate_files(work, name, version, files, sha, BUILDER_TOML_NORMALIZED)
    art_files["src/lib.rs"] = (
        BUILDER_LIB_GIT.replace("@USE@", BUILDER_USE)
        .replace("@EXTRA@", BUILDER_EXTRA)
        .replace("@CALL@", BUILDER_CALL)
        .encode()
    )
    art = tar_gz(out, f"{name}-{version}", art_files)
    return repo, art, expected(True, "src/lib.rs", "high", [blob])


# ===========================================================================
# negative controls
# ===========================================================================

PATHS_CONFIGURE_EXTRA = """\
dnl Expand the installation directories for the generated paths header
dnl (the same dance gnulib's build-to-host.m4 does).
bl_save_prefix=$prefix
bl_save_exec_prefix=$exec_prefix
test "x$prefix" = xNONE && prefix=$ac_default_prefix
test "x$exec_prefix" = xNONE && exec_prefix=$prefix
eval bl_libdir=\\"$libdir\\"
eval bl_libdir=\\"$bl_libdir\\"
eval bl_datadir=\\"$datarootdir\\"
eval bl_datadir=\\"$bl_datadir\\"
eval bl_localedir=\\"$localedir\\"
eval bl_localedir=\\"$bl_localedir\\"
prefix=$bl_save_prefix
exec_prefix=$bl_save_exec_prefix
BL_FRAME_DIRS
AC_CONFIG_COMMANDS([blpaths.h],
  [{ AS_ECHO(["/* Generated by config.status. */"])
     AS_ECHO(["#define BL_LIBDIR \\"$bl_libdir\\""])
     AS_ECHO(["#define BL_DATADIR \\"$bl_datadir\\""])
     AS_ECHO(["#define BL_LOCALEDIR \\"$bl_localedir\\""])
   } > blpaths.h.tmp
   if cmp -s blpaths.h.tmp blpaths.h 2>/dev/null; then
     rm -f blpaths.h.tmp
   else
     mv -f blpaths.h.tmp blpaths.h
   fi],
  [bl_libdir='$bl_libdir'
   bl_datadir='$bl_datadir'
   bl_localedir='$bl_localedir'])
AC_CONFIG_COMMANDS([frames.lst],
  [(cd "$ac_srcdir/tests/files" && ls good-* bad-*) | sed 's/^/FRAME: /' > frames.lst])
AC_CONFIG_COMMANDS_PRE([
  for bl_var in bl_libdir bl_datadir; do
    eval bl_val=\\$$bl_var
    AS_ECHO(["$bl_var = $bl_val"]) >&AS_MESSAGE_LOG_FD
  done
])"""

ACINCLUDE_HONEST = """\
dnl acinclude.m4 -- local macros for blindpaths.

dnl BL_FRAME_DIRS: where the sample frames are installed (for blindcat -s).
AC_DEFUN([BL_FRAME_DIRS],
[AC_ARG_WITH([framedir],
  [AS_HELP_STRING([--with-framedir=DIR], [install sample frames in DIR])],
  [framedir=$withval], [framedir='${datadir}/blindpaths/frames'])
AC_SUBST([framedir])
])
"""


def case_neg_autotools_config_commands_eval(work: Path) -> CaseResult:
    """Honest autotools release whose configure.ac (tracked) expands directory
    variables with repeated `eval`, writes a header from AC_CONFIG_COMMANDS
    with AS_ECHO, lists test frames with sed and logs through
    AC_CONFIG_COMMANDS_PRE, plus a tracked acinclude.m4: the tarball is the
    real autoreconf -fi output plus .tarball-version."""
    name, version = "blindpaths", "1.9.2"
    files, execs = autotools_project(
        name,
        version,
        configure_extra=PATHS_CONFIGURE_EXTRA,
        extra_files=as_bytes({"acinclude.m4": ACINCLUDE_HONEST}),
        extra_gitignore="/.tarball-version\n/blpaths.h\n/frames.lst\n",
    )
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    gen[".tarball-version"] = f"{version}\n".encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(False, None)


VEC_CMAKE = """\
cmake_minimum_required(VERSION 3.18)
project(blindvec VERSION @VERSION@ LANGUAGES C)

include(CTest)
configure_file(CTestCustom.cmake.in "${CMAKE_BINARY_DIR}/CTestCustom.cmake" @ONLY)

# Each backend registers a handler named blindvec_backend_<name>.
include(cmake/Backends.cmake)
add_library(blindvec src/crc.c)
target_include_directories(blindvec PUBLIC src "${CMAKE_BINARY_DIR}")
foreach(_backend IN LISTS BLINDVEC_BACKENDS)
  cmake_language(CALL blindvec_backend_${_backend} blindvec)
endforeach()

# Embed the reference vector as a C array for the unit tests.
file(READ "${CMAKE_CURRENT_SOURCE_DIR}/tests/data/vector.bin" _vec_hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\\\1," BLINDVEC_REFERENCE "${_vec_hex}")
configure_file(src/vector.h.in "${CMAKE_BINARY_DIR}/vector.h" @ONLY)

add_executable(test_crc tests/test_crc.c)
target_link_libraries(test_crc blindvec)
add_test(NAME crc COMMAND test_crc)

include(CMakePackageConfigHelpers)
configure_package_config_file(cmake/blindvecConfig.cmake.in
  "${CMAKE_BINARY_DIR}/blindvecConfig.cmake" INSTALL_DESTINATION lib/cmake/blindvec)
include("${CMAKE_BINARY_DIR}/blindvecConfig.cmake")
"""

VEC_BACKENDS = """\
set(BLINDVEC_BACKENDS generic)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  list(APPEND BLINDVEC_BACKENDS sse42)
endif()

function(blindvec_backend_generic target)
  target_compile_definitions(${target} PRIVATE BLINDVEC_GENERIC=1)
endfunction()

function(blindvec_backend_sse42 target)
  include(CheckCCompilerFlag)
  check_c_compiler_flag(-msse4.2 HAVE_MSSE42)
  if(HAVE_MSSE42)
    target_compile_definitions(${target} PRIVATE BLINDVEC_SSE42=1)
  endif()
endfunction()
"""

VEC_CTEST_CUSTOM = """\
# ctest settings, configured into the build tree by CMakeLists.txt.
set(CTEST_CUSTOM_MAXIMUM_NUMBER_OF_WARNINGS 100)
set(CTEST_CUSTOM_PRE_TEST "@CMAKE_COMMAND@ -E rm -rf @CMAKE_BINARY_DIR@/Testing/scratch")
set(CTEST_CUSTOM_POST_TEST "@CMAKE_COMMAND@ -E echo \\"blindvec tests finished\\"")
"""


def case_neg_cmake_ctest_language(work: Path) -> CaseResult:
    """Honest CMake release (CPack source package): tracked CTestCustom.cmake.in
    with ordinary CTEST_CUSTOM_PRE_TEST/POST_TEST cleanup commands,
    cmake_language(CALL) backend dispatch, file(READ ... HEX) into a header,
    a configured package config that is include()d; the tarball adds the
    maintainer-generated (gitignored) src/crc_table.h."""
    version = "3.0.1"
    table = [0] * 256
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ (0xEDB88320 & -(c & 1))
        table[n] = c
    header = (
        "/* Generated by tools/gen_crc_table.cmake; do not edit. */\n"
        "static const unsigned int crc_table[256] = {\n"
        + "".join(
            "\t" + ", ".join(f"0x{v:08x}u" for v in table[i : i + 4]) + ",\n"
            for i in range(0, 256, 4)
        )
        + "};\n"
    )
    files = as_bytes(
        {
            "CMakeLists.txt": VEC_CMAKE.replace("@VERSION@", version),
            "CTestCustom.cmake.in": VEC_CTEST_CUSTOM,
            "cmake/Backends.cmake": VEC_BACKENDS,
            "cmake/blindvecConfig.cmake.in": "@PACKAGE_INIT@\n\n"
            'set(BLINDVEC_VERSION "@PROJECT_VERSION@")\n',
            "src/crc.c": CRC_C,
            "src/vector.h.in": "static const unsigned char reference[] = {@BLINDVEC_REFERENCE@};\n",
            "tests/test_crc.c": TEST_CRC_C,
            "tests/data/vector.bin": b"VEC\x01" + noise("neg-vec", 124),
            "tools/gen_crc_table.cmake": "# cmake -P tools/gen_crc_table.cmake > "
            'src/crc_table.h\nmessage(STATUS "see CMakeLists.txt")\n',
            "README.md": "# blindvec\n\nCRC vectors. Build with CMake.\n",
            ".gitignore": "/build/\n/src/crc_table.h\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["src/crc_table.h"] = header.encode()
    art = tar_gz(
        work / f"blindvec-{version}-Source.tar.gz", f"blindvec-{version}-Source", art_files
    )
    return repo, art, expected(False, None)


NAPI_GYP = {
    "targets": [
        {
            "target_name": "blindnapi",
            "sources": ["src/addon.cc"],
            "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
            "dependencies": ["<!(node -p \"require('node-addon-api').gyp\")"],
            "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS"],
            "actions": [
                {
                    "action_name": "crc_table",
                    "inputs": ["tools/gen-table.js", "test/fixtures/crc-seed.bin"],
                    "outputs": ["<(INTERMEDIATE_DIR)/crc_table.h"],
                    "action": [
                        "node",
                        "tools/gen-table.js",
                        "test/fixtures/crc-seed.bin",
                        "<@(_outputs)",
                    ],
                }
            ],
        }
    ]
}

GEN_TABLE_JS = """\
'use strict';
// Turn the seed vector into a C array (used by src/addon.cc).
const fs = require('fs');
const [input, output] = process.argv.slice(2);
const bytes = [...fs.readFileSync(input)].map((b) => '0x' + b.toString(16).padStart(2, '0'));
fs.writeFileSync(output, `static const unsigned char crc_seed[] = {${bytes.join(',')}};\\n`);
"""


def case_neg_npm_gyp_node_p(work: Path) -> CaseResult:
    """Honest node-addon-api addon: the tracked, unchanged binding.gyp uses
    `<!(node -p "require('node-addon-api').include_dir")` and an `actions`
    entry running a tracked generator over a tracked binary seed; the tarball
    adds only npm's default `install: node-gyp rebuild` and publish fields."""
    name, version = "blindnapi", "1.0.4"
    pj = _npm_base(
        name,
        version,
        main="lib/index.js",
        files=["lib", "src", "tools", "binding.gyp", "test/fixtures"],
        gypfile=True,
        dependencies={"node-addon-api": "^8.0.0"},
    )
    files: Files = as_bytes(
        {
            "binding.gyp": json.dumps(NAPI_GYP, indent=2) + "\n",
            "src/addon.cc": '#include <napi.h>\n#include "crc_table.h"\n\n'
            "static Napi::Object Init(Napi::Env env, Napi::Object exports) {\n"
            "  return exports;\n}\n\nNODE_API_MODULE(blindnapi, Init)\n",
            "tools/gen-table.js": GEN_TABLE_JS,
            "lib/index.js": "'use strict';\nmodule.exports = require('../build/Release/"
            "blindnapi.node');\n",
            "test/fixtures/crc-seed.bin": noise("napi-seed", 64),
            "test/index.test.js": "require('..');\n",
            "README.md": f"# {name}\n",
            ".gitignore": "node_modules/\nbuild/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, sha = make_repo(work / "repo", files, f"v{version}")
    art_pj = json.loads(json.dumps(pj))
    art_pj["scripts"]["install"] = "node-gyp rebuild"
    art_pj["gitHead"] = sha
    art_pj["_id"] = f"{name}@{version}"
    keep = (
        "binding.gyp",
        "src/addon.cc",
        "tools/gen-table.js",
        "lib/index.js",
        "test/fixtures/crc-seed.bin",
        "README.md",
    )
    art_files = {k: files[k] for k in keep}
    art_files["package.json"] = package_json(art_pj)
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files)
    return repo, art, expected(False, None)


WIDTH_SETUP = """\
import base64
import os
import zlib

from setuptools import setup
from setuptools.command.build_py import build_py as _build_py
from setuptools.command.sdist import sdist as _sdist

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = '''\\
# Generated by setup.py from data/east-asian-width.bin; do not edit.
import base64 as _b
import zlib as _z

WIDTHS = _z.decompress(_b.b85decode(
{body}
))
'''


def generate_width_table():
    \"\"\"Pack the width table (one byte per code point block) into a module.\"\"\"
    with open(os.path.join(HERE, "data", "east-asian-width.bin"), "rb") as fh:
        raw = fh.read()
    packed = base64.b85encode(zlib.compress(raw, 9)).decode()
    body = "\\n".join(f"    {packed[i:i + 72]!r}" for i in range(0, len(packed), 72))
    with open(os.path.join(HERE, "src", "blindwidth", "_table.py"), "w") as fh:
        fh.write(TEMPLATE.format(body=body))


class build_py(_build_py):
    def run(self):
        generate_width_table()
        super().run()


class sdist(_sdist):
    def run(self):
        generate_width_table()
        super().run()


setup(
    name="blindwidth",
    version="1.1.0",
    package_dir={"": "src"},
    packages=["blindwidth"],
    cmdclass={"build_py": build_py, "sdist": sdist},
)
"""


def case_neg_setup_py_data_table(work: Path) -> CaseResult:
    """Honest sdist: the tracked setup.py reads a binary data file and, from
    build_py/sdist, generates a gitignored _table.py that zlib + b85 decodes
    its table at import (data only, never executed); the sdist ships it with
    PKG-INFO and .egg-info."""
    name, version = "blindwidth", "1.1.0"
    raw = bytes((i * 7 // 5) % 3 for i in range(4096))
    packed = base64.b85encode(zlib.compress(raw, 9)).decode()
    body = "\n".join(f"    {packed[i : i + 72]!r}" for i in range(0, len(packed), 72))
    table_py = (
        "# Generated by setup.py from data/east-asian-width.bin; do not edit.\n"
        "import base64 as _b\nimport zlib as _z\n\n"
        f"WIDTHS = _z.decompress(_b.b85decode(\n{body}\n))\n"
    )
    readme = "# blindwidth\n\nEast Asian width lookups.\n"
    files = as_bytes(
        {
            "setup.py": WIDTH_SETUP,
            "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\n'
            'build-backend = "setuptools.build_meta"\n',
            "MANIFEST.in": "include data/east-asian-width.bin\n",
            "README.md": readme,
            "data/east-asian-width.bin": raw,
            "src/blindwidth/__init__.py": '"""East Asian width lookups."""\n\n'
            "from ._table import WIDTHS\n\n\ndef width(cp):\n"
            "    return WIDTHS[cp >> 4] if cp >> 4 < len(WIDTHS) else 1\n",
            "tests/test_width.py": "from blindwidth import width\n\n\ndef test_ascii():\n"
            "    assert width(65) in (0, 1, 2)\n",
            ".gitignore": "*.egg-info/\n/build/\n/dist/\nsrc/blindwidth/_table.py\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["src/blindwidth/_table.py"] = table_py.encode()
    art_files.update(
        setuptools_sdist_extras(
            name,
            version,
            "East Asian width lookups",
            readme,
            art_files,
            "src/blindwidth.egg-info",
        )
    )
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(False, None)


def case_neg_meson_subproject(work: Path) -> CaseResult:
    """Honest `meson dist --include-subprojects` tarball: the vendored wrap
    subproject (not in git) is the upstream one, with a harmless
    run_command(cat VERSION); the tracked BMP test image is plain."""
    name, version = "blindimg", "0.2.4"
    image = bmp_lsb("gradient-honest", b"")
    repo, art = _meson_subproject_release(work, name, version, image, "")
    return repo, art, expected(False, None)


# ===========================================================================
# registry
# ===========================================================================

CASES: dict[str, Callable[[Path], CaseResult]] = {
    "m4-nls-awk-system": case_m4_nls_awk_system,
    "m4-tracked-sed-hold-y": case_m4_tracked_sed_hold_y,
    "configure-fd3-trap-exit": case_configure_fd3_trap_exit,
    "makefile-in-libtool-splice": case_makefile_in_libtool_splice,
    "ltmain-func-redefine-xargs": case_ltmain_func_redefine_xargs,
    "acinclude-cmp-delta": case_acinclude_cmp_delta,
    "cmake-language-eval-subst": case_cmake_language_eval_subst,
    "ctest-custom-pre-test-xz": case_ctest_custom_pre_test_xz,
    "meson-subproject-perl-lsb": case_meson_subproject_perl_lsb,
    "pyproject-cmdclass-zipimport": case_pyproject_cmdclass_zipimport,
    "setup-py-ctypes-rot13": case_setup_py_ctypes_rot13,
    "version-attr-translate-exec": case_version_attr_translate_exec,
    "npm-bundled-only-allow": case_npm_bundled_only_allow,
    "npm-gyp-action-cjk": case_npm_gyp_action_cjk,
    "crate-proc-macro-whitespace": case_crate_proc_macro_whitespace,
    "neg-autotools-config-commands-eval": case_neg_autotools_config_commands_eval,
    "neg-cmake-ctest-language": case_neg_cmake_ctest_language,
    "neg-npm-gyp-node-p": case_neg_npm_gyp_node_p,
    "neg-setup-py-data-table": case_neg_setup_py_data_table,
    "neg-meson-subproject": case_neg_meson_subproject,
}
