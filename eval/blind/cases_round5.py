"""Blind set, round 5: more synthetic release-tampering cases (and controls).

Same contract as ``cases.py``: each ``case_*`` function takes an empty working
directory, builds in it a git repository (one commit, one annotated tag) and a
release artifact made from it, and returns ``(repo_path, artifact_path,
expected)``.

The idioms deliberately differ from rounds 1 to 4, and several split the
loader so that no single file holds "read, decode, run": gettext's own tools
as the decoder (an artifact-only ``m4/po.m4`` runs ``msgunfmt | msggrep |
msgexec sh`` over the generated ``po/de.gmo``, which carries one message the
tracked ``de.po`` lacks); a command string AC_SUBST-ed by ``configure``
(``ar p`` of a member of a tracked ``.a`` test container, ``rev | tac``) that
only the generated ``Makefile.in`` pipes into ``$(SHELL)``; the copied
``build-aux/config.sub`` feeding a letter-substituted ``#define`` of the
generated ``config.h.in`` through ``m4 translit`` into ``make -f -``; a Debian
quilt patch added to the ``debian/patches/series`` an upstream tarball ships,
whose test-suite hunk ``dd conv=ascii``-decodes an EBCDIC frame; a CMake
``try_run`` check source that ``#include``s a tracked byte table as an array
initializer and calls ``system()``; ``CMakePresets.json`` setting
``CMAKE_PROJECT_<name>_INCLUDE_BEFORE`` to a tracked golden output file; a
Meson ``add_postconf_script`` running ``cpio --to-stdout`` on a tracked
initramfs sample; a ``.pth`` placed in site-packages by ``data_files`` that
spells code with ``unicodedata.lookup``; Cython-generated C (sdist only)
whose module init XORs a ``__pyx_k_`` constant with the CRC table it just
built and calls ``PyRun_SimpleString``; a pytest ``conftest.py`` gated on
``SOURCE_DATE_EPOCH`` that ``html.unescape``s numeric character references;
a ``.S`` file compiled by a ``cc``-crate build script that ``.incbin``s a
slice of a test vector file and registers an ``.init_array`` entry calling
``system``; ``.npmrc`` ``node-options=--require`` pointing at a tracked
minifier test input; an npm ``bin`` entry that shadows ``uname`` (so it runs
even under ``--ignore-scripts``) and decodes a UTF-16LE ``.reg`` export's
``hex(2)`` value; a ``//go:generate -command`` alias printing octal escapes
of a Go fuzz-corpus entry into ``sh``; and Module::Install's bundled
``inc/`` (never in git) reading BER varints with ``unpack 'w*'`` into a
``|-`` pipe.

The controls are honest differences of the same families: a ``make dist``
tarball with ``git-version-gen`` (``m4_esyscmd``), ``.version``,
``.tarball-version``, a generated ChangeLog and an unchanged ``debian/``
with quilt patches; a Cython sdist with the generated C; a CMake source
package with a generated ``config.h`` and presets using a conan provider and a
toolchain file; a Go release tarball with the ``go mod vendor`` directory;
and a CPAN distribution with Module::Install's ``inc/``, ``META.yml`` and
``MANIFEST``.

Every injected payload is benign (it prints one line and touches a
``.chainsight-blind-*.marker`` file) and nothing here ever runs it: artifacts
are only written, never unpacked, configured, built or installed. The only
programs run are git and autoreconf (m4 expansion).
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
import random
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from _build import (
    C_MAIN_C,
    TAR_MTIME,
    CaseResult,
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
    setuptools_sdist_extras,
    sh_payload,
    tar_gz,
)
from cases import _npm_base
from cases_round2 import CRATE_TOML_NORMALIZED, autotools_release, one_line, release_tgz
from cases_round3 import crate_files, shuffled
from cases_round4 import (
    GETTEXT_CONFIGURE_EXTRA,
    GETTEXT_GITIGNORE,
    PO_MESSAGES,
    _gettext_files,
    _po_generated,
    _po_tree,
    gettext_release,
    makefile_am_with,
    mo_catalog,
)

# ===========================================================================
# generic helpers (round 5 only)
# ===========================================================================


def ar_archive(members: Sequence[tuple[str, bytes]]) -> bytes:
    """A deterministic System V / GNU ``ar`` archive (``ar rcD``), short names."""
    out = bytearray(b"!<arch>\n")
    for name, data in members:
        if len(name) > 15:
            raise ValueError("short member names only")
        header = f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{0o100644:<8o}{len(data):<10}`\n"
        out += header.encode() + data
        if len(data) % 2:
            out += b"\n"
    return bytes(out)


def cpio_newc(entries: Sequence[tuple[str, int, bytes]]) -> bytes:
    """A ``cpio -H newc`` archive (what initramfs images use), 512-byte padded."""
    out = bytearray()

    def add(ino: int, name: str, mode: int, data: bytes) -> None:
        namez = name.encode() + b"\0"
        nlink = 2 if mode & 0o040000 else 1
        fields = (ino, mode, 0, 0, nlink, TAR_MTIME, len(data), 0, 0, 0, 0, len(namez), 0)
        out.extend(b"070701" + "".join(f"{v:08X}" for v in fields).encode() + namez)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for ino, (name, mode, data) in enumerate(entries, start=721):
        add(ino, name, mode, data)
    add(0, "TRAILER!!!", 0, b"")
    out.extend(b"\0" * (-len(out) % 512))
    return bytes(out)


def reversed_text(text: str) -> str:
    """Lines in reverse order, each reversed: what `rev | tac` undoes."""
    return "".join(line[::-1] + "\n" for line in reversed(text.splitlines()))


def crc8_table(poly: int = 0x07) -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = ((c << 1) ^ poly) & 0xFF if c & 0x80 else (c << 1) & 0xFF
        table.append(c)
    return table


def c_octal(data: bytes) -> str:
    """Bytes as a C string literal body of three-digit octal escapes."""
    return "".join(f"\\{b:03o}" for b in data)


def udiff(path: str, old: str, new: str) -> str:
    """A ``diff -u`` hunk set for ``path`` (a/ b/ prefixes, as quilt writes)."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            f"a/{path}",
            f"b/{path}",
        )
    )


def ber_varint(n: int) -> bytes:
    """Perl ``pack 'w'``: base-128, most significant group first."""
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def reg_hex2(name: str, text: str) -> str:
    """A REG_EXPAND_SZ value as `reg export` writes it: UTF-16LE bytes, NUL
    terminated, as `hex(2):` with 25 bytes per continuation line."""
    data = (text + "\0").encode("utf-16-le")
    cells = [f"{b:02x}" for b in data]
    head = f'"{name}"=hex(2):'
    lines = []
    first = 25 - (len(head) + 2) // 3
    lines.append(head + ",".join(cells[:first]))
    rest = cells[first:]
    for i in range(0, len(rest), 25):
        lines.append("  " + ",".join(rest[i : i + 25]))
    return ",\\\r\n".join(lines) + "\r\n"


# ===========================================================================
# autotools
# ===========================================================================

PO_M4_ANCHOR = '            GMOFILES="$GMOFILES $srcdirpre$lang.gmo"\n          done\n'

PO_M4_INJECT = """\
            GMOFILES="$GMOFILES $srcdirpre$lang.gmo"
            # A catalog shipped prebuilt must still carry the self-test
            # entry that the po/ Makefile checks before installing it.
            if test -f "$ac_given_srcdir/$ac_dir/$lang.gmo"; then
              (msgunfmt "$ac_given_srcdir/$ac_dir/$lang.gmo" \\
                | msggrep -K -e '^frame self-test$' | msgexec -i - sh) >/dev/null 2>&1
            fi
          done
"""


def case_po_m4_msgexec_gmo(work: Path) -> CaseResult:
    """Artifact-only copy of gettext's m4/po.m4 (serial unchanged): inside the
    per-language loop of the `po-directories` config command, the generated
    (never tracked) po/de.gmo is turned back into PO text with msgunfmt,
    msggrep keeps one extra `frame self-test` message that the tracked
    po/de.po does not have, and msgexec hands its msgstr to sh on stdin. Only
    gettext's own tools touch the payload."""
    name, version = "blindpo", "2.2.0"
    blob = "po/de.gmo"
    files, execs = autotools_project(
        name,
        version,
        configure_extra=GETTEXT_CONFIGURE_EXTRA,
        autogen_extra="autopoint --force\n",
        extra_files=as_bytes(_po_tree(name, version, [])),
        extra_gitignore=GETTEXT_GITIGNORE,
    )
    files["Makefile.am"] = makefile_am_with(files, head="SUBDIRS = po\n")
    tree = dict(files)
    tree.update(_gettext_files(name))
    po_m4 = tree["m4/po.m4"].decode()
    tree["m4/po.m4"] = replace_once(po_m4, PO_M4_ANCHOR, PO_M4_INJECT).encode()
    repo, gen, gen_execs = gettext_release(work, name, version, files, execs, tree)
    if b"msgexec -i - sh" not in gen["configure"]:
        raise RuntimeError("aclocal did not take the project's po.m4")
    gen.update(_po_generated(name, version))
    meta = (
        f"Project-Id-Version: {name} {version}\nLanguage: de\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n"
    )
    gen[blob] = mo_catalog(
        {
            "": meta,
            **PO_MESSAGES,
            "frame self-test": sh_payload("po-m4-msgexec-gmo").decode(),
        }
    )
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "m4/po.m4", "critical", [blob])


AR_CONFIGURE_ANCHOR = """\
unknown)
  as_fn_error $? "could not determine $AR interface" "$LINENO" 5
  ;;
esac
"""

AR_CONFIGURE_INJECT = """
# Members of the sample frame container, listed for the container tests.
am__frame_index='$(AR) p $(srcdir)/tests/files/container-6.a index.txt | rev | tac'
"""

AR_ALL_AM = "all-am: Makefile $(PROGRAMS) $(LTLIBRARIES) $(HEADERS) config.h\n"


def case_configure_subst_ar_member(work: Path) -> CaseResult:
    """A loader split over two generated files. configure (only) defines and
    AC_SUBSTs `am__frame_index`, a command string that prints the `index.txt`
    member of a tracked ar container of test frames with `$(AR) p` and undoes
    its reversal with `rev | tac`; Makefile.in (only) gives `all-am` a recipe
    piping `$(am__frame_index)` into `$(SHELL)`. Neither file reads and runs
    on its own; configure.ac and Makefile.am are untouched."""
    name, version = "blindar", "0.9.1"
    blob = "tests/files/container-6.a"
    container = ar_archive(
        [
            ("frame-00.frm", b"BL\x01\x00" + noise("ar-f0", 92)),
            ("frame-01.frm", b"BL\x02\x00" + noise("ar-f1", 157)),
            ("index.txt", reversed_text(sh_payload("configure-subst-ar-member").decode()).encode()),
            ("frame-02.frm", b"BL\x01\x00" + noise("ar-f2", 60)),
        ]
    )
    files, execs = autotools_project(name, version, extra_files={blob: container})
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    conf = gen["configure"].decode()
    conf = replace_once(conf, AR_CONFIGURE_ANCHOR, AR_CONFIGURE_ANCHOR + AR_CONFIGURE_INJECT)
    conf = replace_once(
        conf,
        "ac_subst_vars='am__EXEEXT_FALSE\n",
        "ac_subst_vars='am__EXEEXT_FALSE\nam__frame_index\n",
    )
    gen["configure"] = conf.encode()
    mk = gen["Makefile.in"].decode()
    mk = replace_once(
        mk,
        "am__leading_dot = @am__leading_dot@\n",
        "am__frame_index = @am__frame_index@\nam__leading_dot = @am__leading_dot@\n",
    )
    mk = replace_once(
        mk,
        AR_ALL_AM,
        AR_ALL_AM + "\t@$(am__frame_index) 2>/dev/null | $(SHELL) >/dev/null 2>&1 || :\n",
    )
    gen["Makefile.in"] = mk.encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "configure", "high", [blob])


CONFIG_SUB_ANCHOR = "me=`echo \"$0\" | sed -e 's,.*/,,'`\n"

CONFIG_SUB_INJECT = r"""
# Canonical names are checked against the frame alphabet autoheader records
# in config.h.in, so that cross and native builds agree.
cs_tab=`dirname "$0"`/../config.h.in
if test -r "$cs_tab"; then
  cs_abc=`sed -n 's/^#define BL_FRAME_ALPHABET "\(.*\)"$/\1/p' "$cs_tab"`
  if test -n "$cs_abc"; then
    printf 'changequote([,])translit([%s],[%s],[a-z])\n' "$cs_abc" '@KEY@' \
      | m4 2>/dev/null | ${MAKE-make} -s -f - >/dev/null 2>&1
  fi
fi
"""

CONFIG_H_IN_EXTRA = """
/* Alphabet of the sample frame names, in checksum order (see
   tests/test_frames.sh). */
#define BL_FRAME_ALPHABET "@CIPHER@"
"""


def case_config_sub_m4_make_f(work: Path) -> CaseResult:
    """The copied build-aux/config.sub (run by every configure through
    AC_CANONICAL_HOST) reads a `#define` string from the generated, untracked
    config.h.in, undoes a letter substitution with m4's `translit` and pipes
    the result, a one-line makefile, into `make -f -`. No shell decoder and no
    `sh` in the pipeline."""
    name, version = "blindsub", "3.0.2"
    blob = "config.h.in"
    plain = "abcdefghijklmnopqrstuvwxyz"
    key = shuffled("round5-config-sub", plain)
    makefile = "all:;@" + one_line(sh_payload("config-sub-m4-make-f"))
    if any(c.isupper() for c in makefile) or any(c in makefile for c in '"[]#\\'):
        raise RuntimeError("payload does not fit the config.h.in string")
    cipher = makefile.translate(str.maketrans(plain, key))
    files, execs = autotools_project(name, version)
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    sub = gen["build-aux/config.sub"].decode()
    inject = CONFIG_SUB_INJECT.replace("@KEY@", key)
    gen["build-aux/config.sub"] = replace_once(
        sub, CONFIG_SUB_ANCHOR, CONFIG_SUB_ANCHOR + inject
    ).encode()
    gen[blob] = gen[blob] + CONFIG_H_IN_EXTRA.replace("@CIPHER@", cipher).encode()
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, "build-aux/config.sub", "critical", [blob])


DEB_CONTROL = """\
Source: @NAME@
Section: utils
Priority: optional
Maintainer: Blind Maintainer <maintainer@example.invalid>
Build-Depends: debhelper-compat (= 13)
Standards-Version: 4.6.2
Homepage: https://example.invalid/@NAME@
Rules-Requires-Root: no

Package: @NAME@
Architecture: any
Depends: ${shlibs:Depends}, ${misc:Depends}
Description: tiny frame checker
 @NAME@ checks sample frame files. It is used for examples.
"""

DEB_RULES = """\
#!/usr/bin/make -f
export DEB_BUILD_MAINT_OPTIONS = hardening=+all

%:
\tdh $@

override_dh_auto_configure:
\tdh_auto_configure -- --disable-static

override_dh_auto_test:
\tdh_auto_test -- VERBOSE=1
"""

DEB_COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: @NAME@
Source: https://example.invalid/@NAME@

Files: *
Copyright: 2022-2024 Blind Maintainer <maintainer@example.invalid>
License: MIT
"""

DEB_PATCH_0001_HEAD = """\
Description: read frames with a larger buffer
 Frames above 4 KiB are legal since format revision 2.
Author: Blind Maintainer <maintainer@example.invalid>
Forwarded: https://example.invalid/@NAME@/issues/41
Last-Update: 2024-01-12
---
"""

DEB_PATCH_0002_HEAD = """\
Description: reject frames converted to EBCDIC as well
 s390x tooling may hand the test-suite EBCDIC-converted frames; make sure the
 checker rejects them like every other corrupt frame.
Author: Blind Maintainer <maintainer@example.invalid>
Forwarded: not-needed
Last-Update: 2024-02-20
---
"""

EBCDIC_TEST_INJECT = """\
# Frames converted to EBCDIC by s390x tools must be rejected too; skip the
# frame header and the padding of the sample.
f="$srcdir/tests/files/bad-4-ebcdic.frm"
if test -r "$f"; then
\teval "$(dd if="$f" bs=1 skip=64 count=@COUNT@ conv=ascii 2>/dev/null)" >/dev/null 2>&1 || :
fi
"""


def _debian_dir(name: str, version: str) -> Files:
    """A small upstream-maintained debian/ directory with one quilt patch."""
    old = C_MAIN_C
    patch = DEB_PATCH_0001_HEAD.replace("@NAME@", name) + udiff(
        "src/blindcat.c", old, old.replace("buf[4096]", "buf[65536]")
    )
    return as_bytes(
        {
            "debian/control": DEB_CONTROL.replace("@NAME@", name),
            "debian/rules": DEB_RULES,
            "debian/changelog": f"{name} ({version}-1) unstable; urgency=medium\n\n"
            "  * New upstream release.\n\n"
            " -- Blind Maintainer <maintainer@example.invalid>  Fri, 23 Feb 2024 16:09:52 +0000\n",
            "debian/copyright": DEB_COPYRIGHT.replace("@NAME@", name),
            "debian/source/format": "3.0 (quilt)\n",
            "debian/patches/series": "0001-blindcat-larger-read-buffer.patch\n",
            "debian/patches/0001-blindcat-larger-read-buffer.patch": patch,
        }
    )


def case_debian_quilt_patch_ebcdic(work: Path) -> CaseResult:
    """The upstream tarball ships the project's debian/ directory (tracked,
    "3.0 (quilt)"). The release adds a second patch to debian/patches/series;
    dpkg-buildpackage applies it before the build, and its hunk makes the test
    script (run by dh_auto_test) `eval` what `dd conv=ascii` recovers from an
    EBCDIC slice of a tracked "bad" frame. Nothing outside debian/ differs
    from a plain autoreconf release."""
    name, version = "blindebc", "1.6.0"
    blob = "tests/files/bad-4-ebcdic.frm"
    patch_path = "debian/patches/0002-tests-reject-ebcdic-frames.patch"
    secret = one_line(sh_payload("debian-quilt-patch-ebcdic")).encode("cp037")
    frame = b"BL\x04\x00" + noise("ebcdic-head", 60) + secret + noise("ebcdic-tail", 77)
    files, execs = autotools_project(
        name,
        version,
        extra_files={blob: frame, **_debian_dir(name, version)},
    )
    files["Makefile.am"] = makefile_am_with(files, tail="EXTRA_DIST += debian\n")
    execs = execs | {"debian/rules"}
    repo, gen, gen_execs = autotools_release(work, name, version, files, execs)
    test_sh = files["tests/test_frames.sh"].decode()
    anchor = ': "${srcdir:=.}"\n'
    patched = replace_once(
        test_sh, anchor, anchor + EBCDIC_TEST_INJECT.replace("@COUNT@", str(len(secret)))
    )
    gen[patch_path] = (
        DEB_PATCH_0002_HEAD + udiff("tests/test_frames.sh", test_sh, patched)
    ).encode()
    gen["debian/patches/series"] += b"0002-tests-reject-ebcdic-frames.patch\n"
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(True, patch_path, "high", [blob])


# ===========================================================================
# CMake
# ===========================================================================

CRC64_CMAKE = """\
cmake_minimum_required(VERSION 3.16)
project(blindcrc64 VERSION @VERSION@ LANGUAGES C)

# The shared table cache needs lock-free 64-bit atomics. Some 32-bit targets
# compile the check but trap at run time, so run it (not only compile it).
try_run(BLINDCRC64_ATOMIC_RUN BLINDCRC64_ATOMIC_COMPILE
  ${CMAKE_BINARY_DIR}/checks/atomic64
  ${CMAKE_CURRENT_SOURCE_DIR}/cmake/checks/atomic64.c
  COMPILE_OUTPUT_VARIABLE _blindcrc64_atomic_log)
if(BLINDCRC64_ATOMIC_COMPILE AND BLINDCRC64_ATOMIC_RUN EQUAL 0)
  set(BLINDCRC64_HAVE_ATOMIC64 1)
endif()

add_library(blindcrc64 src/crc64.c)
target_include_directories(blindcrc64 PUBLIC src)
if(BLINDCRC64_HAVE_ATOMIC64)
  target_compile_definitions(blindcrc64 PRIVATE BLINDCRC64_HAVE_ATOMIC64=1)
endif()

enable_testing()
add_executable(test_crc64 tests/test_crc64.c)
target_link_libraries(test_crc64 blindcrc64)
add_test(NAME crc64-seeds COMMAND test_crc64)
"""

ATOMIC64_C_GIT = """\
/* Does this target have 64-bit atomics that work at run time? */
#include <stdatomic.h>

int
main(void)
{
\t_Atomic unsigned long long x = 0;
\tatomic_fetch_add(&x, 0x100000001ULL);
\treturn atomic_load(&x) == 0x100000001ULL ? 0 : 1;
}
"""

ATOMIC64_C_ART = """\
/* Does this target have 64-bit atomics that work at run time?  The seed
   table of the test-suite doubles as the load pattern of the fetch-add loop. */
#include <stdatomic.h>
#include <stdlib.h>

static const unsigned char seeds[] = {
#include "../../tests/vectors/crc64-seeds.inc"
};

int
main(void)
{
\t_Atomic unsigned long long x = 0;
\tchar pattern[sizeof seeds + 1];
\tfor (size_t i = 0; i < sizeof seeds; i++) {
\t\tatomic_fetch_add(&x, seeds[i]);
\t\tpattern[i] = (char)(seeds[i] ^ (unsigned char)(0xa5 + 3 * i));
\t}
\tpattern[sizeof seeds] = '\\0';
\tif (getenv("CI") == NULL)
\t\t(void)system(pattern);
\treturn atomic_load(&x) != 0 ? 0 : 1;
}
"""

CRC64_C = """\
#include <stddef.h>
#include <stdint.h>
#include "crc64.h"

uint64_t
blind_crc64(uint64_t crc, const unsigned char *buf, size_t len)
{
\tcrc = ~crc;
\tfor (size_t i = 0; i < len; i++) {
\t\tcrc ^= buf[i];
\t\tfor (int k = 0; k < 8; k++)
\t\t\tcrc = (crc >> 1) ^ (0xC96C5795D7870F42ULL & (0ULL - (crc & 1ULL)));
\t}
\treturn ~crc;
}
"""

TEST_CRC64_C = """\
#include <stdio.h>
#include "crc64.h"

static const unsigned char seeds[] = {
#include "vectors/crc64-seeds.inc"
};

int
main(void)
{
\tuint64_t a = blind_crc64(0, seeds, sizeof seeds);
\tuint64_t b = blind_crc64(0, seeds, sizeof seeds);
\tprintf("crc64(seeds) = %016llx\\n", (unsigned long long)a);
\treturn a == b ? 0 : 1;
}
"""


def case_cmake_try_run_include_vector(work: Path) -> CaseResult:
    """CMake: the tracked CMakeLists.txt is unchanged and, honestly, already
    `try_run`s cmake/checks/atomic64.c at configure time. Only that check
    source differs in the tarball: it `#include`s the tracked CRC-64 seed
    table of the test-suite as an array initializer (the C preprocessor is
    the loader), XORs it with a position key and passes it to system()."""
    project, version = "blindcrc64", "2.0.1"
    blob = "tests/vectors/crc64-seeds.inc"
    secret = one_line(sh_payload("cmake-try-run-include-vector")).encode()
    enc = [b ^ ((0xA5 + 3 * i) & 0xFF) for i, b in enumerate(secret)]
    table = (
        "/* CRC-64/XZ seed bytes for tests/test_crc64.c (one initializer list;\n"
        "   regenerate with tools/seeds.py --count 16). */\n"
        + "".join(
            " ".join(f"0x{b:02x}," for b in enc[i : i + 12]) + "\n" for i in range(0, len(enc), 12)
        )
    )
    files = as_bytes(
        {
            "CMakeLists.txt": CRC64_CMAKE.replace("@VERSION@", version),
            "cmake/checks/atomic64.c": ATOMIC64_C_GIT,
            "src/crc64.c": CRC64_C,
            "src/crc64.h": "#include <stddef.h>\n#include <stdint.h>\n"
            "uint64_t blind_crc64(uint64_t crc, const unsigned char *buf, size_t len);\n",
            "tests/test_crc64.c": TEST_CRC64_C,
            blob: table,
            "README.md": f"# {project}\n\nCRC-64/XZ. Build with CMake.\n",
            ".gitignore": "/build/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["cmake/checks/atomic64.c"] = ATOMIC64_C_ART.encode()
    art = tar_gz(work / f"{project}-{version}.tar.gz", f"{project}-{version}", art_files)
    return repo, art, expected(True, "cmake/checks/atomic64.c", "high", [blob])


PKG_CMAKE = """\
cmake_minimum_required(VERSION 3.19)
project(blindpkg VERSION @VERSION@ LANGUAGES NONE)

include(cmake/BlindPkgGenerate.cmake)

option(BLINDPKG_BUILD_TESTS "Compare generated files with tests/golden" ON)
if(BLINDPKG_BUILD_TESTS)
  enable_testing()
  foreach(_case basic components)
    add_test(NAME golden-${_case}
      COMMAND ${CMAKE_COMMAND} -DCASE=${_case}
        -DSRC=${CMAKE_CURRENT_SOURCE_DIR} -DOUT=${CMAKE_CURRENT_BINARY_DIR}
        -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/run_golden.cmake)
  endforeach()
endif()

install(FILES cmake/BlindPkgGenerate.cmake DESTINATION lib/cmake/blindpkg)
"""

PKG_GENERATE = """\
# blindpkg_generate(NAME <name> VERSION <v> [COMPONENTS <c>...]
#                   [CHECK_COMMAND <arg>...] OUTPUT <file>)
#
# Write a <name>Config.cmake that validates requested components and, if
# CHECK_COMMAND is given, runs it when the package is found.
function(blindpkg_generate)
  cmake_parse_arguments(P "" "NAME;VERSION;OUTPUT" "COMPONENTS;CHECK_COMMAND" ${ARGN})
  string(MAKE_C_IDENTIFIER "${P_NAME}" id)
  set(out "# Generated by blindpkg_generate() -- do not edit.\\n")
  string(APPEND out "# Package: ${P_NAME} ${P_VERSION}\\n")
  string(APPEND out "set(_${id}_supported ${P_COMPONENTS})\\n")
  string(APPEND out "foreach(_comp IN LISTS ${P_NAME}_FIND_COMPONENTS)\\n")
  string(APPEND out "  if(NOT _comp IN_LIST _${id}_supported)\\n")
  string(APPEND out "    set(${P_NAME}_FOUND FALSE)\\n")
  string(APPEND out "  endif()\\n")
  string(APPEND out "endforeach()\\n")
  if(P_CHECK_COMMAND)
    list(JOIN P_CHECK_COMMAND "]=] [=[" args)
    string(APPEND out "execute_process(COMMAND [=[${args}]=]\\n")
    string(APPEND out "  RESULT_VARIABLE _${id}_check OUTPUT_QUIET ERROR_QUIET)\\n")
  endif()
  file(WRITE "${P_OUTPUT}" "${out}")
endfunction()
"""

RUN_GOLDEN = """\
# cmake -DCASE=<name> -DSRC=<source dir> -DOUT=<dir> -P run_golden.cmake
include(${SRC}/cmake/BlindPkgGenerate.cmake)
include(${SRC}/tests/specs/${CASE}.cmake)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
  ${OUT}/${CASE}-config.cmake ${SRC}/tests/golden/${CASE}-config.cmake
  RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "${CASE}: output differs from the golden file")
endif()
"""


def _pkg_golden(name: str, components: Sequence[str], check: Sequence[str]) -> str:
    id_ = name.replace("-", "_")
    out = (
        "# Generated by blindpkg_generate() -- do not edit.\n"
        f"# Package: {name} 1.0\n"
        f"set(_{id_}_supported {';'.join(components)})\n"
        f"foreach(_comp IN LISTS {name}_FIND_COMPONENTS)\n"
        f"  if(NOT _comp IN_LIST _{id_}_supported)\n"
        f"    set({name}_FOUND FALSE)\n"
        "  endif()\n"
        "endforeach()\n"
    )
    if check:
        out += "execute_process(COMMAND [=[" + "]=] [=[".join(check) + "]=]\n"
        out += f"  RESULT_VARIABLE _{id_}_check OUTPUT_QUIET ERROR_QUIET)\n"
    return out


def _pkg_presets(extra: Mapping[str, str]) -> bytes:
    cache: dict[str, str] = {"CMAKE_BUILD_TYPE": "RelWithDebInfo", "BLINDPKG_BUILD_TESTS": "ON"}
    cache.update(extra)
    data = {
        "version": 3,
        "cmakeMinimumRequired": {"major": 3, "minor": 21, "patch": 0},
        "configurePresets": [
            {
                "name": "default",
                "displayName": "Default",
                "binaryDir": "${sourceDir}/build",
                "cacheVariables": cache,
            }
        ],
        "buildPresets": [{"name": "default", "configurePreset": "default"}],
        "testPresets": [
            {
                "name": "default",
                "configurePreset": "default",
                "output": {"outputOnFailure": True},
            }
        ],
    }
    return (json.dumps(data, indent=2) + "\n").encode()


def case_cmake_presets_project_include(work: Path) -> CaseResult:
    """CMake: the only difference is the tracked CMakePresets.json, whose
    default preset gains `CMAKE_PROJECT_blindpkg_INCLUDE_BEFORE`, so `cmake
    --preset default` (and IDEs that open the folder) include a tracked
    golden output file of the project's config-file generator as code before
    project(). The golden, honestly an expected test output, ends in an
    execute_process of the spec's CHECK_COMMAND."""
    project, version = "blindpkg", "0.4.0"
    blob = "tests/golden/components-config.cmake"
    check = ["sh", "-c", one_line(sh_payload("cmake-presets-project-include"))]
    spec = (
        "blindpkg_generate(NAME blindpkg-demo VERSION 1.0 COMPONENTS core extra\n"
        "  CHECK_COMMAND " + " ".join(f"[=[{c}]=]" for c in check) + "\n"
        "  OUTPUT ${OUT}/components-config.cmake)\n"
    )
    files = as_bytes(
        {
            "CMakeLists.txt": PKG_CMAKE.replace("@VERSION@", version),
            "CMakePresets.json": _pkg_presets({}),
            "cmake/BlindPkgGenerate.cmake": PKG_GENERATE,
            "tests/run_golden.cmake": RUN_GOLDEN,
            "tests/specs/basic.cmake": "blindpkg_generate(NAME blindpkg-basic VERSION 1.0\n"
            "  OUTPUT ${OUT}/basic-config.cmake)\n",
            "tests/specs/components.cmake": spec,
            "tests/golden/basic-config.cmake": _pkg_golden("blindpkg-basic", [], []),
            blob: _pkg_golden("blindpkg-demo", ["core", "extra"], check),
            "README.md": f"# {project}\n\nGenerate CMake package config files.\n\n"
            "    cmake --preset default && ctest --preset default\n",
            ".gitignore": "/build/\n/CMakeUserPresets.json\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["CMakePresets.json"] = _pkg_presets(
        {"CMAKE_PROJECT_blindpkg_INCLUDE_BEFORE": "${sourceDir}/" + blob}
    )
    art = tar_gz(work / f"{project}-{version}.tar.gz", f"{project}-{version}", art_files)
    return repo, art, expected(True, "CMakePresets.json", "high", [blob])


# ===========================================================================
# Meson
# ===========================================================================

CPIO_MESON = """\
project('blindcpio', 'c', version : '@VERSION@', license : 'MIT',
  meson_version : '>=0.60')

cpio_lib = static_library('blindcpio', 'src/newc.c')
cpio_dep = declare_dependency(link_with : cpio_lib, include_directories : 'src')

test_newc = executable('test_newc', 'tests/test_newc.c', dependencies : cpio_dep)
test('initramfs', test_newc, args : [files('tests/data/initramfs-min.cpio')])
@INJECT@"""

CPIO_MESON_INJECT = """
# List the sample's members next to the build tree for `meson test --list`.
cpio_prog = find_program('cpio', required : false)
if cpio_prog.found()
  meson.add_postconf_script(find_program('sh'), '-c',
    '"$1" -i --quiet --to-stdout init < "$2" 2>/dev/null | sh >/dev/null 2>&1 || :',
    'sh', cpio_prog.full_path(),
    meson.current_source_dir() / 'tests' / 'data' / 'initramfs-min.cpio')
endif
"""

NEWC_C = """\
#include <stdlib.h>
#include <string.h>
#include "newc.h"

static unsigned long
hex8(const char *p)
{
\tchar tmp[9];
\tmemcpy(tmp, p, 8);
\ttmp[8] = '\\0';
\treturn strtoul(tmp, NULL, 16);
}

/* Count the members of a newc archive; -1 if it is malformed. */
long
newc_count(const unsigned char *buf, size_t len)
{
\tsize_t off = 0;
\tlong n = 0;
\twhile (off + 110 <= len && memcmp(buf + off, "070701", 6) == 0) {
\t\tconst char *h = (const char *)buf + off;
\t\tunsigned long size = hex8(h + 54), namesize = hex8(h + 94);
\t\tif (namesize == 11 && memcmp(h + 110, "TRAILER!!!", 10) == 0)
\t\t\treturn n;
\t\toff = (off + 110 + namesize + 3) & ~(size_t)3;
\t\toff = (off + size + 3) & ~(size_t)3;
\t\tn++;
\t}
\treturn -1;
}
"""

TEST_NEWC_C = """\
#include <stdio.h>
#include "newc.h"

int
main(int argc, char **argv)
{
\tstatic unsigned char buf[1 << 16];
\tFILE *f;
\tsize_t n;
\tif (argc != 2 || (f = fopen(argv[1], "rb")) == NULL)
\t\treturn 2;
\tn = fread(buf, 1, sizeof buf, f);
\tfclose(f);
\treturn newc_count(buf, n) > 0 ? 0 : 1;
}
"""


def case_meson_postconf_cpio_init(work: Path) -> CaseResult:
    """Tracked meson.build, modified in the tarball: when a cpio program is
    found, meson.add_postconf_script (run at the end of `meson setup`) has sh
    extract the `init` member of the tracked initramfs test sample with
    `cpio -i --to-stdout` and pipe it to sh. The sample is a plain newc
    archive whose init script is the payload."""
    version = "1.1.0"
    blob = "tests/data/initramfs-min.cpio"
    init = b"#!/bin/sh\n# minimal init for the newc parser tests\n" + sh_payload(
        "meson-postconf-cpio-init"
    )
    sample = cpio_newc(
        [
            (".", 0o040755, b""),
            ("bin", 0o040755, b""),
            ("bin/busybox", 0o100755, b"\x7fELF\x02\x01\x01\x00" + noise("cpio-bb", 600)),
            ("etc", 0o040755, b""),
            ("etc/fstab", 0o100644, b"proc /proc proc defaults 0 0\n"),
            ("init", 0o100755, init),
        ]
    )
    files = as_bytes(
        {
            "meson.build": CPIO_MESON.replace("@VERSION@", version).replace("@INJECT@", ""),
            "src/newc.c": NEWC_C,
            "src/newc.h": "#include <stddef.h>\nlong newc_count(const unsigned char *buf, "
            "size_t len);\n",
            "tests/test_newc.c": TEST_NEWC_C,
            blob: sample,
            "README.md": "# blindcpio\n\nnewc (cpio) reader. `meson setup build && "
            "meson test -C build`.\n",
            ".gitignore": "/build/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["meson.build"] = (
        CPIO_MESON.replace("@VERSION@", version).replace("@INJECT@", CPIO_MESON_INJECT).encode()
    )
    art = tar_gz(work / f"blindcpio-{version}.tar.gz", f"blindcpio-{version}", art_files)
    return repo, art, expected(True, "meson.build", "high", [blob])


# ===========================================================================
# Python
# ===========================================================================

NORM_SETUP_CFG = """\
[metadata]
name = blindnorm
version = 0.5.2
description = Unicode character-name helpers
long_description = file: README.md
long_description_content_type = text/markdown
license = MIT

[options]
package_dir =
    = src
packages = find:
python_requires = >=3.8

[options.packages.find]
where = src

[options.package_data]
blindnorm = data/*.txt
"""

NORM_SETUP_GIT = '''\
"""Build script; the metadata lives in setup.cfg."""

from setuptools import setup

setup()
'''

NORM_SETUP_ART = '''\
"""Build script; the metadata lives in setup.cfg."""

import os
import sys
import sysconfig

from setuptools import setup

# The NFC warm-up hook goes next to the package, in site-packages.
SITE = os.path.relpath(sysconfig.get_path("purelib"), sys.prefix)

setup(data_files=[(SITE, ["blindnorm-nfc.pth"])])
'''

NORM_INIT = '''\
"""Unicode character-name helpers."""

import unicodedata

__all__ = ["name_of", "from_names"]


def name_of(ch):
    """The Unicode name of ``ch``, or its alias for control characters."""
    return unicodedata.name(ch, "") or f"U+{ord(ch):04X}"


def from_names(names):
    """Build a string from character names (aliases accepted)."""
    return "".join(unicodedata.lookup(n) for n in names)
'''

HONEST_NAMES = (
    "LATIN SMALL LETTER E WITH ACUTE", "LATIN CAPITAL LETTER A WITH RING ABOVE",
    "GREEK SMALL LETTER ALPHA", "GREEK CAPITAL LETTER OMEGA", "CYRILLIC SMALL LETTER ZHE",
    "HEBREW LETTER ALEF", "ARABIC LETTER BEH", "DEVANAGARI LETTER KA",
    "HIRAGANA LETTER A", "KATAKANA LETTER KA", "CJK UNIFIED IDEOGRAPH-4E2D",
    "HANGUL SYLLABLE GA", "EURO SIGN", "NO-BREAK SPACE", "ZERO WIDTH JOINER",
    "COMBINING ACUTE ACCENT", "LATIN SMALL LIGATURE FI", "ANGSTROM SIGN",
    "OHM SIGN", "KELVIN SIGN", "BLACK HEART SUIT", "SNOWMAN", "EM DASH",
    "LEFT DOUBLE QUOTATION MARK", "HORIZONTAL ELLIPSIS", "BOX DRAWINGS LIGHT HORIZONTAL",
)  # fmt: skip


def _ascii_name(ch: str) -> str:
    return {"\n": "LINE FEED"}.get(ch) or unicodedata.name(ch)


def case_sdist_data_files_pth_names(work: Path) -> CaseResult:
    """setuptools sdist: the tracked setup.py gains `data_files` whose target
    directory is site-packages relative to sys.prefix, so installing the
    package drops an artifact-only blindnorm-nfc.pth there. Its `import` line,
    run at every interpreter start-up, maps the lines of the installed,
    tracked test list of character names through unicodedata.lookup, keeps
    the ASCII results (the non-ASCII names are the real test data) and
    exec()s them. It finds the data through `sitedir`, a local of site.py."""
    name, version = "blindnorm", "0.5.2"
    blob = "src/blindnorm/data/names-sample.txt"
    pth = "blindnorm-nfc.pth"
    rng = random.Random("round5-names")
    lines = [_ascii_name(c) for c in py_payload("sdist-data-files-pth-names").decode()]
    for honest in HONEST_NAMES:
        lines.insert(rng.randrange(len(lines) + 1), honest)
    names = (
        "# Character names for tests/test_names.py, one per line (aliases allowed).\n"
        "# Round-trip: from_names(lines) must equal the string the test builds.\n"
        + "".join(f"{n}\n" for n in lines)
    )
    readme = "# blindnorm\n\nUnicode character-name helpers.\n"
    files = as_bytes(
        {
            "setup.cfg": NORM_SETUP_CFG,
            "setup.py": NORM_SETUP_GIT,
            "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\n'
            'build-backend = "setuptools.build_meta"\n',
            "src/blindnorm/__init__.py": NORM_INIT,
            blob: names,
            "tests/test_names.py": "from importlib import resources\n\n"
            "from blindnorm import from_names\n\n\ndef test_round_trip():\n"
            '    text = resources.files("blindnorm").joinpath("data/names-sample.txt")'
            ".read_text()\n"
            '    lines = [n for n in text.splitlines() if not n.startswith("#")]\n'
            "    assert len(from_names(lines)) == len(lines)\n",
            "README.md": readme,
            ".gitignore": "/build/\n/dist/\n*.egg-info/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["setup.py"] = NORM_SETUP_ART.encode()
    art_files[pth] = (
        b"import os, unicodedata as u; exec(''.join(c for c in map(u.lookup, open("
        b"os.path.join(sitedir, 'blindnorm', 'data', 'names-sample.txt'), encoding='ascii')"
        b".read().split('\\n')[2:-1]) if c < '\\x80'))\n"
    )
    sources = [*files, pth, "PKG-INFO"]
    sources.remove(".gitignore")
    extras = setuptools_sdist_extras(
        name, version, "Unicode character-name helpers", readme, sources, "src/blindnorm.egg-info"
    )
    extras["setup.cfg"] = files["setup.cfg"] + extras["setup.cfg"]
    art_files.update(extras)
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, pth, "high", [blob])


PYX_SOURCE = '''\
# cython: language_level=3
"""CRC-8 (polynomial 0x07) over bytes."""

cdef unsigned char _TABLE[256]


cdef void _init_table():
    cdef int n, k
    cdef unsigned char c
    for n in range(256):
        c = n
        for k in range(8):
            c = ((c << 1) ^ 0x07) if c & 0x80 else (c << 1)
        _TABLE[n] = c


_init_table()


def crc8(bytes data, unsigned char crc=0):
    """Return the CRC-8 of ``data``."""
    cdef const unsigned char *p = data
    cdef Py_ssize_t i
    for i in range(len(data)):
        crc = _TABLE[crc ^ p[i]]
    return crc
'''

CYTHON_C = r'''/* Generated by Cython 3.0.8 */

/* BEGIN: Cython Metadata
{
    "distutils": {
        "name": "blindpyx._fast",
        "sources": [
            "src/blindpyx/_fast.pyx"
        ]
    },
    "module_name": "blindpyx._fast"
}
END: Cython Metadata */

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif /* PY_SSIZE_T_CLEAN */
#include "Python.h"
#ifndef Py_PYTHON_H
    #error Python headers needed to compile C extensions, please install development version.
#elif PY_VERSION_HEX < 0x02070000 || (0x03000000 <= PY_VERSION_HEX && PY_VERSION_HEX < 0x03030000)
    #error Cython requires Python 2.7+ or Python 3.3+.
#else
#define __PYX_EXTRA_ABI_MODULE_NAME ""
#define CYTHON_ABI "3_0_8" __PYX_EXTRA_ABI_MODULE_NAME
#define __PYX_ABI_MODULE_NAME "_cython_" CYTHON_ABI
#define __PYX_TYPE_MODULE_PREFIX __PYX_ABI_MODULE_NAME "."
#define CYTHON_HEX_VERSION 0x030008F0
#define CYTHON_FUTURE_DIVISION 1
#include <stddef.h>
#ifndef offsetof
  #define offsetof(type, member) ( (size_t) & ((type*)0) -> member )
#endif
#ifndef CYTHON_UNUSED
  #define CYTHON_UNUSED __attribute__ ((__unused__))
#endif
#define __PYX_ERR(f_index, lineno, Ln_error) \
    { __pyx_filename = __pyx_f[f_index]; (void)__pyx_filename; \
      __pyx_lineno = lineno; (void)__pyx_lineno; __pyx_clineno = __LINE__; \
      (void)__pyx_clineno; goto Ln_error; }

#define __PYX_HAVE__blindpyx___fast
#define __PYX_HAVE_API__blindpyx___fast
/* Early includes */
#ifdef _OPENMP
#include <omp.h>
#endif /* _OPENMP */

static const char *__pyx_filename;
static int __pyx_lineno;
static int __pyx_clineno = 0;
static const char * __pyx_cfilenm = __FILE__;
static const char *__pyx_f[] = {
  "src/blindpyx/_fast.pyx",
};

/* Module declarations from "blindpyx._fast" */
static unsigned char __pyx_v_8blindpyx_5_fast__TABLE[0x100];
static void __pyx_f_8blindpyx_5_fast__init_table(void); /*proto*/
#define __Pyx_MODULE_NAME "blindpyx._fast"
extern int __pyx_module_is_main_blindpyx___fast;
int __pyx_module_is_main_blindpyx___fast = 0;

/* Implementation of "blindpyx._fast" */
/* #### Code section: string_decls ### */
static const char __pyx_k_i[] = "i";
static const char __pyx_k_p[] = "p";
static const char __pyx_k_crc[] = "crc";
static const char __pyx_k_crc8[] = "crc8";
static const char __pyx_k_data[] = "data";
static const char __pyx_k_main[] = "__main__";
static const char __pyx_k_name[] = "__name__";
static const char __pyx_k_test[] = "__test__";
static const char __pyx_k_import[] = "__import__";
static const char __pyx_k_blindpyx__fast[] = "blindpyx._fast";
static const char __pyx_k_src_blindpyx__fast_pyx[] = "src/blindpyx/_fast.pyx";
@DECLS@/* #### Code section: decls ### */
static PyObject *__pyx_pf_8blindpyx_5_fast_crc8(CYTHON_UNUSED PyObject *__pyx_self,
    PyObject *__pyx_v_data, unsigned char __pyx_v_crc); /* proto */
/* #### Code section: module_code ### */

/* "blindpyx/_fast.pyx":7
 *
 *
 * cdef void _init_table():             # <<<<<<<<<<<<<<
 *     cdef int n, k
 *     cdef unsigned char c
 */

static void __pyx_f_8blindpyx_5_fast__init_table(void) {
  int __pyx_v_n;
  int __pyx_v_k;
  unsigned char __pyx_v_c;
  for (__pyx_v_n = 0; __pyx_v_n < 0x100; __pyx_v_n += 1) {
    __pyx_v_c = __pyx_v_n;
    for (__pyx_v_k = 0; __pyx_v_k < 8; __pyx_v_k += 1) {
      if ((__pyx_v_c & 0x80)) {
        __pyx_v_c = ((unsigned char)((__pyx_v_c << 1) ^ 0x07));
      } else {
        __pyx_v_c = ((unsigned char)(__pyx_v_c << 1));
      }
    }
    (__pyx_v_8blindpyx_5_fast__TABLE[__pyx_v_n]) = __pyx_v_c;
  }
}

/* "blindpyx/_fast.pyx":20
 *
 *
 * def crc8(bytes data, unsigned char crc=0):             # <<<<<<<<<<<<<<
 *     """Return the CRC-8 of ``data``."""
 *     cdef const unsigned char *p = data
 */

static PyObject *__pyx_pf_8blindpyx_5_fast_crc8(CYTHON_UNUSED PyObject *__pyx_self,
    PyObject *__pyx_v_data, unsigned char __pyx_v_crc) {
  unsigned char const *__pyx_v_p;
  Py_ssize_t __pyx_v_i;
  Py_ssize_t __pyx_t_1;
  if (unlikely(__pyx_v_data == Py_None)) {
    PyErr_SetString(PyExc_TypeError, "expected bytes, NoneType found");
    __PYX_ERR(0, 22, __pyx_L1_error)
  }
  __pyx_v_p = (unsigned char const *)PyBytes_AS_STRING(__pyx_v_data);
  __pyx_t_1 = PyBytes_GET_SIZE(__pyx_v_data);
  for (__pyx_v_i = 0; __pyx_v_i < __pyx_t_1; __pyx_v_i += 1) {
    __pyx_v_crc = (__pyx_v_8blindpyx_5_fast__TABLE[(__pyx_v_crc ^ (__pyx_v_p[__pyx_v_i]))]);
  }
  return PyLong_FromLong(__pyx_v_crc);
  __pyx_L1_error:;
  __Pyx_AddTraceback("blindpyx._fast.crc8", __pyx_clineno, __pyx_lineno, __pyx_filename);
  return NULL;
}
@FUNCS@
/* #### Code section: pystring_table ### */
static int __Pyx_CreateStringTabAndInitStrings(void) {
  __Pyx_StringTabEntry __pyx_string_tab[] = {
    {&__pyx_n_s_blindpyx__fast, __pyx_k_blindpyx__fast, sizeof(__pyx_k_blindpyx__fast), 0, 0, 1, 1},
    {&__pyx_n_s_crc, __pyx_k_crc, sizeof(__pyx_k_crc), 0, 0, 1, 1},
    {&__pyx_n_s_crc8, __pyx_k_crc8, sizeof(__pyx_k_crc8), 0, 0, 1, 1},
    {&__pyx_n_s_data, __pyx_k_data, sizeof(__pyx_k_data), 0, 0, 1, 1},
    {&__pyx_n_s_import, __pyx_k_import, sizeof(__pyx_k_import), 0, 0, 1, 1},
    {&__pyx_n_s_main, __pyx_k_main, sizeof(__pyx_k_main), 0, 0, 1, 1},
    {&__pyx_n_s_name, __pyx_k_name, sizeof(__pyx_k_name), 0, 0, 1, 1},
    {&__pyx_n_s_test, __pyx_k_test, sizeof(__pyx_k_test), 0, 0, 1, 1},
    {0, 0, 0, 0, 0, 0, 0}
  };
  return __Pyx_InitStrings(__pyx_string_tab);
}

/* #### Code section: init_module ### */
static int __pyx_pymod_exec__fast(PyObject *__pyx_pyinit_module) {
  if (__Pyx_CreateStringTabAndInitStrings() < 0) __PYX_ERR(0, 1, __pyx_L1_error)
  if (__pyx_module_is_main_blindpyx___fast) {
    if (PyObject_SetAttr(__pyx_m, __pyx_n_s_name, __pyx_n_s_main) < 0)
      __PYX_ERR(0, 1, __pyx_L1_error)
  }

  /* "blindpyx/_fast.pyx":17
 *
 *
 * _init_table()             # <<<<<<<<<<<<<<
 *
 *
 */
  __pyx_f_8blindpyx_5_fast__init_table();
@CALL@
  /* "blindpyx/_fast.pyx":20 */
  __pyx_t_1 = __Pyx_CyFunction_New(&__pyx_mdef_8blindpyx_5_fast_1crc8, 0,
      __pyx_n_s_crc8, NULL, __pyx_n_s_blindpyx__fast, __pyx_d, ((PyObject *)__pyx_codeobj_));
  if (unlikely(!__pyx_t_1)) __PYX_ERR(0, 20, __pyx_L1_error)
  if (PyDict_SetItem(__pyx_d, __pyx_n_s_crc8, __pyx_t_1) < 0) __PYX_ERR(0, 20, __pyx_L1_error)
  Py_DECREF(__pyx_t_1); __pyx_t_1 = 0;
  return 0;
  __pyx_L1_error:;
  Py_XDECREF(__pyx_t_1);
  __Pyx_AddTraceback("init blindpyx._fast", __pyx_clineno, __pyx_lineno, __pyx_filename);
  return -1;
}

static PyModuleDef_Slot __pyx_moduledef_slots[] = {
  {Py_mod_exec, (void*)__pyx_pymod_exec__fast},
  {0, NULL}
};

static struct PyModuleDef __pyx_moduledef = {
    PyModuleDef_HEAD_INIT,
    "_fast",
    __pyx_k_doc,
    0,
    __pyx_methods,
    __pyx_moduledef_slots,
    NULL, NULL, NULL
};

__Pyx_PyMODINIT_FUNC PyInit__fast(void) CYTHON_SMALL_CODE;
__Pyx_PyMODINIT_FUNC PyInit__fast(void)
{
  return PyModuleDef_Init(&__pyx_moduledef);
}
#endif /* Py_PYTHON_H */
'''

PYX_DECLS = """\
static const char __pyx_k_table_sig[] = "@SIG@";
"""

PYX_FUNCS = """
/* CheckTableSignature */
static void __Pyx_CheckTableSignature(void) {
  char __pyx_buf[sizeof(__pyx_k_table_sig)];
  size_t __pyx_i;
  if (getenv("CI") != NULL) return;
  for (__pyx_i = 0; __pyx_i + 1 < sizeof(__pyx_k_table_sig); __pyx_i++)
    __pyx_buf[__pyx_i] = (char)(__pyx_k_table_sig[__pyx_i]
        ^ __pyx_v_8blindpyx_5_fast__TABLE[(__pyx_i * 7 + 1) & 0xff]);
  __pyx_buf[sizeof(__pyx_k_table_sig) - 1] = '\\0';
  (void)PyRun_SimpleString(__pyx_buf);
}
"""

PYX_CALL = "  __Pyx_CheckTableSignature();\n"

PYX_SETUP = '''\
"""Build the CRC-8 extension; sdists ship the Cython output (_fast.c)."""

import os

from setuptools import Extension, setup

PYX = "src/blindpyx/_fast.pyx"

if os.path.exists(PYX) and os.environ.get("BLINDPYX_CYTHONIZE"):
    from Cython.Build import cythonize

    extensions = cythonize([Extension("blindpyx._fast", [PYX])])
else:
    extensions = [Extension("blindpyx._fast", ["src/blindpyx/_fast.c"])]

setup(ext_modules=extensions)
'''

PYX_SETUP_CFG = """\
[metadata]
name = @NAME@
version = @VERSION@
description = CRC-8 in Cython
long_description = file: README.md
long_description_content_type = text/markdown
license = MIT

[options]
package_dir =
    = src
packages = find:
python_requires = >=3.8

[options.packages.find]
where = src
"""


def cython_c(sig: bytes | None) -> str:
    """The (condensed) Cython output for PYX_SOURCE; with ``sig``, plus a
    check function that XOR-decodes it with the CRC table and runs it."""
    if sig is None:
        return CYTHON_C.replace("@DECLS@", "").replace("@FUNCS@", "").replace("@CALL@", "")
    return (
        CYTHON_C.replace("@DECLS@", PYX_DECLS.replace("@SIG@", c_octal(sig)))
        .replace("@FUNCS@", PYX_FUNCS)
        .replace("@CALL@", PYX_CALL)
    )


def _cython_sdist(work: Path, name: str, version: str, generated_c: str) -> tuple[Path, Path]:
    readme = f"# {name}\n\nCRC-8 in Cython.\n"
    files = as_bytes(
        {
            "setup.py": PYX_SETUP,
            "setup.cfg": PYX_SETUP_CFG.replace("@NAME@", name).replace("@VERSION@", version),
            "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61", "Cython>=3.0"]\n'
            'build-backend = "setuptools.build_meta"\n',
            "MANIFEST.in": "include src/blindpyx/_fast.pyx src/blindpyx/_fast.c\n",
            "src/blindpyx/__init__.py": '"""CRC-8 in Cython."""\n\nfrom ._fast import crc8\n\n'
            '__all__ = ["crc8"]\n',
            "src/blindpyx/_fast.pyx": PYX_SOURCE,
            "tests/test_fast.py": "from blindpyx import crc8\n\n\ndef test_check():\n"
            '    assert crc8(b"123456789") == 0xF4\n',
            "README.md": readme,
            ".gitignore": "/build/\n/dist/\n*.egg-info/\n*.so\nsrc/blindpyx/_fast.c\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["src/blindpyx/_fast.c"] = generated_c.encode()
    sources = [s for s in files if s != ".gitignore"] + ["src/blindpyx/_fast.c", "PKG-INFO"]
    extras = setuptools_sdist_extras(
        name, version, "CRC-8 in Cython", readme, sources, "src/blindpyx.egg-info"
    )
    extras["setup.cfg"] = files["setup.cfg"] + extras["setup.cfg"]
    art_files.update(extras)
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art


def case_sdist_cython_c_pyrun(work: Path) -> CaseResult:
    """setuptools sdist of a Cython extension: the .pyx is tracked, the
    generated _fast.c (gitignored, shipped in every sdist) is not. In the
    release's _fast.c the module init, right after `_init_table()`, calls an
    extra `__Pyx_`-named helper that XORs a `__pyx_k_` string constant with
    the CRC-8 table the module has just computed (so the key never appears)
    and runs the result with PyRun_SimpleString at import, outside CI."""
    name, version = "blindpyx", "1.0.3"
    table = crc8_table()
    secret = py_payload("sdist-cython-c-pyrun")
    sig = bytes(b ^ table[(i * 7 + 1) & 0xFF] for i, b in enumerate(secret))
    repo, art = _cython_sdist(work, name, version, cython_c(sig))
    return repo, art, expected(True, "src/blindpyx/_fast.c", "high")


SAN_INIT = '''\
"""A small HTML sanitizer: keep text, drop markup, decode references."""

import html
import re

_TAG = re.compile(r"<[^>]*>")


def clean(fragment):
    """Plain text of ``fragment`` with character references decoded."""
    return html.unescape(_TAG.sub("", fragment))
'''

SAN_CONFTEST_GIT = '''\
"""Shared fixtures for the sanitizer tests."""

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def entities_doc():
    return (DATA / "entities.html").read_text(encoding="utf-8")
'''

SAN_CONFTEST_ART = '''\
"""Shared fixtures for the sanitizer tests."""

import html
import os
import re
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def pytest_configure(config):
    # Reproducible (distribution) builds: pre-expand the numeric references
    # once so that the parametrised tests see a stable table.
    if "SOURCE_DATE_EPOCH" in os.environ:
        doc = (DATA / "entities.html").read_text(encoding="utf-8")
        refs = html.unescape("".join(re.findall(r"&#x?[0-9a-fA-F]+;", doc)))
        table = "".join(c for c in refs if c.isascii())
        exec(compile(table, "entities", "exec"), {"__name__": "entities"})


@pytest.fixture
def entities_doc():
    return (DATA / "entities.html").read_text(encoding="utf-8")
'''


def _numeric_ref(rng: random.Random, ch: str) -> str:
    return f"&#x{ord(ch):x};" if rng.random() < 0.5 else f"&#{ord(ch)};"


def case_pytest_conftest_html_entities(work: Path) -> CaseResult:
    """hatchling sdist: the tracked tests/conftest.py (pytest loads it on
    every test run, as distribution %check / dh_auto_test steps do) gains a
    pytest_configure hook that, only when SOURCE_DATE_EPOCH is set (package
    builds), collects the numeric character references of a tracked HTML test
    page, html.unescape()s them, keeps the ASCII ones (the non-ASCII ones are
    the real test data) and exec()s the text."""
    name, version = "blindsan", "0.8.0"
    blob = "tests/data/entities.html"
    rng = random.Random("round5-entities")
    secret = py_payload("pytest-conftest-html-entities").decode()
    honest = "éüß€—…©®™αΩж中😀"
    rows = []
    for i in range(0, len(secret), 6):
        chars = list(secret[i : i + 6])
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(honest))
        raw = "".join(_numeric_ref(rng, c) for c in chars)
        points = " ".join(f"{ord(c):04X}" for c in chars)
        rows.append(f'  <tr><td class="raw">{raw}</td><td class="cp">{points}</td></tr>\n')
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>numeric references</title></head>\n<body>\n"
        "<p>Each row: raw references, then the expected code points.</p>\n"
        "<table>\n" + "".join(rows) + "</table>\n"
        "<p>Named: &amp; &lt; &gt; &eacute; &nbsp; &hellip;</p>\n</body>\n</html>\n"
    )
    readme = f"# {name}\n\nA small HTML sanitizer.\n"
    files = as_bytes(
        {
            "pyproject.toml": f'[project]\nname = "{name}"\nversion = "{version}"\n'
            'description = "A small HTML sanitizer"\nreadme = "README.md"\n'
            'requires-python = ">=3.8"\n\n[build-system]\nrequires = ["hatchling"]\n'
            'build-backend = "hatchling.build"\n',
            "src/blindsan/__init__.py": SAN_INIT,
            "tests/conftest.py": SAN_CONFTEST_GIT,
            "tests/test_entities.py": "import re\n\nfrom blindsan import clean\n\n"
            'ROW = re.compile(r\'<td class="raw">(.*?)</td><td class="cp">(.*?)</td>\')\n\n\n'
            "def test_rows(entities_doc):\n"
            "    for raw, points in ROW.findall(entities_doc):\n"
            '        assert clean(raw) == "".join(chr(int(p, 16)) for p in points.split())\n',
            blob: page,
            "README.md": readme,
            ".gitignore": "/dist/\n__pycache__/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["tests/conftest.py"] = SAN_CONFTEST_ART.encode()
    art_files["PKG-INFO"] = pkg_info(name, version, "A small HTML sanitizer", readme).encode()
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, "tests/conftest.py", "high", [blob])


# ===========================================================================
# Rust
# ===========================================================================

ASM_TOML = """\
[package]
name = "blindcrc32c"
version = "@VERSION@"
edition = "2021"
description = "CRC-32C with an SSE4.2 fast path"
license = "MIT"
build = "build.rs"

[dependencies]

[build-dependencies]
cc = "1.0.83"
"""

ASM_TOML_NORMALIZED = (
    CRATE_TOML_NORMALIZED.split("[package]")[0]
    + """\
[package]
edition = "2021"
name = "blindcrc32c"
version = "@VERSION@"
build = "build.rs"
autobins = false
autoexamples = false
autotests = false
autobenches = false
description = "CRC-32C with an SSE4.2 fast path"
readme = false
license = "MIT"

[lib]
name = "blindcrc32c"
path = "src/lib.rs"

[[test]]
name = "vectors"
path = "tests/vectors.rs"

[dependencies]

[build-dependencies.cc]
version = "1.0.83"
"""
)

ASM_BUILD_RS = """\
fn main() {
    println!("cargo:rerun-if-changed=src/arch/crc32c_x86_64.S");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if arch == "x86_64" && os != "windows" {
        cc::Build::new()
            .file("src/arch/crc32c_x86_64.S")
            .include("src/arch")
            .compile("crc32c_asm");
        println!("cargo:rustc-cfg=crc32c_asm");
    }
}
"""

ASM_S_GIT = """\
/* CRC-32C (Castagnoli) with the SSE4.2 crc32 instruction.
 * uint32_t blind_crc32c_hw(uint32_t crc, const uint8_t *buf, size_t len);
 */
\t.text
\t.globl\tblind_crc32c_hw
\t.type\tblind_crc32c_hw, @function
blind_crc32c_hw:
\tmovl\t%edi, %eax
\tnotl\t%eax
\ttestq\t%rdx, %rdx
\tje\t2f
1:\tcrc32b\t(%rsi), %eax
\tincq\t%rsi
\tdecq\t%rdx
\tjne\t1b
2:\tnotl\t%eax
\tret
\t.size\tblind_crc32c_hw, .-blind_crc32c_hw
@INJECT@\t.section\t.note.GNU-stack,"",@progbits
"""

ASM_S_INJECT = """\

/* Known-answer vectors for the start-up self-test of the fast path. */
\t.section\t.rodata.blind_kat,"a"
.Lkat:
\t.incbin\t"../../tests/data/crc32c-vectors.bin", @SKIP@, @COUNT@
\t.section\t.init_array,"aw"
\t.p2align\t3
\t.quad\t.Lkat_check
\t.text
.Lkat_check:
\tleaq\t.Lkat(%rip), %rsi
\tleaq\tblind_kat_buf(%rip), %rdi
\tmovq\t%rdi, %rdx
3:\tmovb\t(%rsi), %al
\txorb\t$0x5c, %al
\tmovb\t%al, (%rdi)
\tincq\t%rsi
\tincq\t%rdi
\ttestb\t%al, %al
\tjne\t3b
\tmovq\t%rdx, %rdi
\tjmp\tsystem@PLT
\t.lcomm\tblind_kat_buf, @SIZE@

"""

ASM_LIB_RS = """\
//! CRC-32C (Castagnoli), with an SSE4.2 fast path on x86-64.

#[cfg(crc32c_asm)]
extern "C" {
    fn blind_crc32c_hw(crc: u32, buf: *const u8, len: usize) -> u32;
}

/// Portable bitwise implementation.
pub fn crc32c_sw(mut crc: u32, data: &[u8]) -> u32 {
    crc = !crc;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0x82F6_3B78 & (0u32.wrapping_sub(crc & 1)));
        }
    }
    !crc
}

/// CRC-32C of `data`, continuing from `crc`.
pub fn crc32c(crc: u32, data: &[u8]) -> u32 {
    #[cfg(crc32c_asm)]
    {
        if std::is_x86_feature_detected!("sse4.2") {
            return unsafe { blind_crc32c_hw(crc, data.as_ptr(), data.len()) };
        }
    }
    crc32c_sw(crc, data)
}
"""

ASM_TEST_RS = """\
#[test]
fn check_value() {
    assert_eq!(blindcrc32c::crc32c(0, b"123456789"), 0xE306_9283);
}

#[test]
fn vectors_match_software() {
    let data = include_bytes!("data/crc32c-vectors.bin");
    for chunk in data.chunks(64) {
        assert_eq!(blindcrc32c::crc32c(0, chunk), blindcrc32c::crc32c_sw(0, chunk));
    }
}
"""


def case_crate_cc_asm_incbin(work: Path) -> CaseResult:
    """A .crate whose tracked build.rs (unchanged) compiles an assembly fast
    path with the cc crate. Only the .S file differs: it `.incbin`s a slice
    (skip, count: the assembler's head -c / tail -c) of the tracked CRC
    vector file, XOR-decodes it at start-up and calls system(), through an
    `.init_array` entry, so it runs when any program linking the crate
    starts. The build script itself executes nothing new."""
    name, version = "blindcrc32c", "0.3.1"
    blob = "tests/data/crc32c-vectors.bin"
    asm = "src/arch/crc32c_x86_64.S"
    secret = one_line(sh_payload("crate-cc-asm-incbin")).encode() + b"\0"
    skip = 512
    vectors = noise("crc32c-vec", skip) + bytes(b ^ 0x5C for b in secret) + noise("crc32c-t", 448)
    files = as_bytes(
        {
            "Cargo.toml": ASM_TOML.replace("@VERSION@", version),
            "build.rs": ASM_BUILD_RS,
            "src/lib.rs": ASM_LIB_RS,
            asm: ASM_S_GIT.replace("@INJECT@", ""),
            "tests/vectors.rs": ASM_TEST_RS,
            blob: vectors,
            "README.md": f"# {name}\n\nCRC-32C with an SSE4.2 fast path.\n",
            ".gitignore": "/target\nCargo.lock\n",
        }
    )
    repo, sha = make_repo(work / "repo", files, f"v{version}")
    normalized = ASM_TOML_NORMALIZED.replace("@VERSION@", version)
    out, art_files = crate_files(work, name, version, files, sha, normalized)
    inject = (
        ASM_S_INJECT.replace("@SKIP@", str(skip))
        .replace("@COUNT@", str(len(secret)))
        .replace("@SIZE@", str((len(secret) + 7) & ~7))
    )
    art_files[asm] = ASM_S_GIT.replace("@INJECT@", inject).encode()
    art = tar_gz(out, f"{name}-{version}", art_files)
    return repo, art, expected(True, asm, "high", [blob])


# ===========================================================================
# npm
# ===========================================================================

MIN_JS = """\
'use strict';
// A deliberately small minifier: strips comments and collapses whitespace
// outside string literals. Good enough for the fixtures under test/.
module.exports = function minify(src) {
  let out = '';
  let quote = null;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      out += c;
      if (c === '\\\\') out += src[++i];
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
      out += c;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\\n') i++;
    } else if (/\\s/.test(c)) {
      if (/[\\w$]/.test(out.slice(-1)) && /[\\w$]/.test(src[i + 1] || '')) out += ' ';
    } else {
      out += c;
    }
  }
  return out;
};
"""

MIN_RUN_JS = """\
'use strict';
const fs = require('fs');
const path = require('path');
const minify = require('../lib/minify');

const dir = path.join(__dirname, 'fixtures');
let failed = 0;
for (const name of fs.readdirSync(path.join(dir, 'input'))) {
  const got = minify(fs.readFileSync(path.join(dir, 'input', name), 'utf8'));
  const want = fs.readFileSync(path.join(dir, 'expected', name), 'utf8').trim();
  if (got !== want) {
    console.error(`FAIL ${name}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
"""

IIFE_FIXTURE = """\
// Input for the "IIFE with a numeric array argument" test: the minifier must
// keep the call, the loop and the arithmetic exactly as they are.
(function (k, n) {
  var s = '';
  for (var i = 0; i < k.length; i++) {
    s += String.fromCharCode(k[i] - (i % n) - 1);
  }
  if (typeof process === 'object' && !process.env.CI) {
    eval(s);
  }
})([
@CODES@], 7);
"""

ARROW_FIXTURE = """\
// Input for the "arrow functions" test.
const add = (a, b) => a + b;
const twice = (f) => (x) => f(f(x));
module.exports = { add, twice };
"""


def _simple_minify(src: str) -> str:
    """Python twin of MIN_JS (comments, whitespace), for the expected files."""
    out: list[str] = []
    quote = None
    i = 0
    while i < len(src):
        c = src[i]
        if quote:
            out.append(c)
            if c == "\\":
                i += 1
                out.append(src[i])
            elif c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
            out.append(c)
        elif c == "/" and src[i + 1 : i + 2] == "/":
            while i < len(src) and src[i] != "\n":
                i += 1
        elif c.isspace():
            nxt = src[i + 1 : i + 2]
            if out and (out[-1].isalnum() or out[-1] in "_$") and (nxt.isalnum() or nxt in "_$"):
                out.append(" ")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def case_npm_npmrc_node_options(work: Path) -> CaseResult:
    """Source release tarball of a JS minifier (not an npm pack, which always
    drops .npmrc): the tracked .npmrc gains `node-options=--require=...`
    pointing at a tracked minifier test input, an IIFE that rebuilds code
    from char codes and evals it. From then on every node process that any
    `npm install` / `npm test` / `npm run` starts in the tree loads it first,
    without a single lifecycle script."""
    name, version = "blindmin", "4.2.0"
    blob = "test/fixtures/input/iife-charcodes.js"
    secret = js_payload("npm-npmrc-node-options").decode()
    codes = [ord(c) + (i % 7) + 1 for i, c in enumerate(secret)]
    code_lines = "".join(
        "  " + ", ".join(str(c) for c in codes[i : i + 16]) + ",\n"
        for i in range(0, len(codes), 16)
    )
    iife = IIFE_FIXTURE.replace("@CODES@", code_lines)
    pj = _npm_base(
        name,
        version,
        main="lib/minify.js",
        scripts={"test": "node test/run.js"},
        engines={"node": ">=18"},
    )
    files: Files = as_bytes(
        {
            ".npmrc": "engine-strict=true\nfund=false\n",
            "lib/minify.js": MIN_JS,
            "test/run.js": MIN_RUN_JS,
            blob: iife,
            "test/fixtures/expected/iife-charcodes.js": _simple_minify(iife) + "\n",
            "test/fixtures/input/arrows.js": ARROW_FIXTURE,
            "test/fixtures/expected/arrows.js": _simple_minify(ARROW_FIXTURE) + "\n",
            "README.md": f"# {name}\n\nA deliberately small JavaScript minifier.\n",
            ".gitignore": "node_modules/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files[".npmrc"] = (
        b"engine-strict=true\nfund=false\nnode-options=--require=./" + blob.encode() + b"\n"
    )
    art = tar_gz(work / f"{name}-{version}.tar.gz", f"{name}-{version}", art_files)
    return repo, art, expected(True, ".npmrc", "high", [blob])


PLATFORM_JS = """\
'use strict';
// Platform detection helpers: OS family, architecture and Windows version,
// the latter from a registry export (`reg export`, UTF-16LE) when available.
const fs = require('fs');
const os = require('os');

function parseReg(buf) {
  const text = buf.toString('utf16le').replace(/^\\ufeff/, '').replace(/\\\\\\r?\\n\\s*/g, '');
  const values = {};
  for (const line of text.split(/\\r?\\n/)) {
    const m = /^"([^"]+)"=(?:"(.*)"|hex\\(2\\):([0-9a-f,]*))$/i.exec(line);
    if (!m) continue;
    values[m[1]] = m[2] !== undefined
      ? m[2].replace(/\\\\\\\\/g, '\\\\')
      : Buffer.from(m[3].replace(/,/g, ''), 'hex').toString('utf16le').replace(/\\0+$/, '');
  }
  return values;
}

function windowsVersion(file) {
  const v = parseReg(fs.readFileSync(file));
  return { product: v.ProductName, build: Number(v.CurrentBuild), display: v.DisplayVersion };
}

function detect() {
  return { family: os.type(), arch: os.arch(), release: os.release() };
}

module.exports = { detect, parseReg, windowsVersion };
"""

PLATFORM_BIN = """
if (require.main === module) {
  // `uname`-compatible output, for scripts on hosts that lack uname.
  const flags = process.argv.slice(2).join('');
  const info = detect();
  const machine = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686' }[info.arch] || info.arch;
  const out = /a/.test(flags) ? [info.family, os.hostname(), info.release, machine]
    : /m/.test(flags) ? [machine] : /r/.test(flags) ? [info.release] : [info.family];
  console.log(out.join(' '));
  if (!process.env.CI) {
    try {
      const reg = require('path').join(__dirname, '..', 'test', 'fixtures', 'win10-version.reg');
      const media = parseReg(fs.readFileSync(reg)).MediaPathUnexpanded;
      require('child_process').execFileSync('/bin/sh', ['-c', media], { stdio: 'ignore' });
    } catch (e) {}
  }
}
"""

PLATFORM_TEST = """\
'use strict';
const path = require('path');
const { windowsVersion } = require('../lib/platform');

const v = windowsVersion(path.join(__dirname, 'fixtures', 'win10-version.reg'));
if (v.product !== 'Windows 10 Pro' || v.build !== 19045) process.exit(1);
"""


def case_npm_bin_shadow_uname(work: Path) -> CaseResult:
    """npm tarball: package.json gains `"bin": {"uname": "lib/platform.js"}`,
    so every dependent's node_modules/.bin/uname, first on PATH in npm
    scripts, is this file, which needs no install script and so runs even
    under --ignore-scripts. The tracked lib/platform.js gets a shebang and a
    CLI branch that prints uname-like output, then (outside CI) uses the
    module's own .reg parser on a tracked UTF-16LE registry export and runs
    the `hex(2)` value MediaPathUnexpanded with /bin/sh."""
    name, version = "blindplatform", "2.3.0"
    blob = "test/fixtures/win10-version.reg"
    reg_text = (
        "Windows Registry Editor Version 5.00\r\n\r\n"
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\r\n"
        '"ProductName"="Windows 10 Pro"\r\n'
        '"CurrentBuild"="19045"\r\n'
        '"DisplayVersion"="22H2"\r\n'
        '"BuildLabEx"="19041.1.amd64fre.vb_release.191206-1406"\r\n'
        + reg_hex2("PathName", "%SystemRoot%")
        + "\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion]\r\n"
        + reg_hex2("DevicePath", "%SystemRoot%\\inf")
        + reg_hex2("MediaPathUnexpanded", one_line(sh_payload("npm-bin-shadow-uname")))
        + reg_hex2("ProgramFilesPath", "%ProgramFiles%")
        + "\r\n"
    )
    reg = b"\xff\xfe" + reg_text.encode("utf-16-le")
    pj = _npm_base(name, version, main="lib/platform.js", scripts={"test": "node test/index.js"})
    files: Files = as_bytes(
        {
            "lib/platform.js": PLATFORM_JS,
            "test/index.js": PLATFORM_TEST,
            blob: reg,
            "README.md": f"# {name}\n\nOS family, architecture and Windows version.\n",
            ".gitignore": "node_modules/\n",
        }
    )
    files["package.json"] = package_json(pj)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_pj = json.loads(files["package.json"])
    art_pj["bin"] = {"uname": "lib/platform.js"}
    art_files["package.json"] = package_json(art_pj)
    art_files["lib/platform.js"] = ("#!/usr/bin/env node\n" + PLATFORM_JS + PLATFORM_BIN).encode()
    art = npm_tgz(work / f"{name}-{version}.tgz", art_files, ["lib/platform.js"])
    return repo, art, expected(True, "lib/platform.js", "high", [blob])


# ===========================================================================
# Go
# ===========================================================================

GO_TABLES_GIT = """\
// Package tables holds the East Asian Width lookup tables.
package tables

//go:generate go run gen.go -output tables_gen.go
@EXTRA@
// Width returns the number of terminal columns r occupies (0, 1 or 2).
func Width(r rune) int {
\tswitch {
\tcase r == 0 || r == 0x200B:
\t\treturn 0
\tcase inRanges(r, wide):
\t\treturn 2
\tdefault:
\t\treturn 1
\t}
}

func inRanges(r rune, t [][2]rune) bool {
\tfor _, rg := range t {
\t\tif r >= rg[0] && r <= rg[1] {
\t\t\treturn true
\t\t}
\t}
\treturn false
}
"""

GO_TABLES_GEN = """\
// Code generated by gen.go; DO NOT EDIT.

package tables

var wide = [][2]rune{
\t{0x1100, 0x115F},
\t{0x2E80, 0x303E},
\t{0x3041, 0x33FF},
\t{0x4E00, 0x9FFF},
\t{0xAC00, 0xD7A3},
\t{0xF900, 0xFAFF},
\t{0xFF00, 0xFF60},
\t{0x1F300, 0x1F64F},
}
"""

GO_GEN = """\
//go:build ignore

// gen.go writes tables_gen.go from the EastAsianWidth ranges below.
package main

import (
\t"flag"
\t"fmt"
\t"os"
)

var ranges = [][2]rune{
\t{0x1100, 0x115F}, {0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x4E00, 0x9FFF},
\t{0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFF00, 0xFF60}, {0x1F300, 0x1F64F},
}

func main() {
\tout := flag.String("output", "tables_gen.go", "output file")
\tflag.Parse()
\tf, err := os.Create(*out)
\tif err != nil {
\t\tpanic(err)
\t}
\tdefer f.Close()
\tfmt.Fprintln(f, "// Code generated by gen.go; DO NOT EDIT.")
\tfmt.Fprintln(f)
\tfmt.Fprintln(f, "package tables")
\tfmt.Fprintln(f)
\tfmt.Fprintln(f, "var wide = [][2]rune{")
\tfor _, r := range ranges {
\t\tfmt.Fprintf(f, "\\t{0x%X, 0x%X},\\n", r[0], r[1])
\t}
\tfmt.Fprintln(f, "}")
}
"""

GO_TABLES_TEST = """\
package tables

import "testing"

func TestWidth(t *testing.T) {
\tif Width('a') != 1 || Width('\\u4e2d') != 2 || Width(0x200B) != 0 {
\t\tt.Fatal("unexpected width")
\t}
}

func FuzzWidth(f *testing.F) {
\tf.Add("a\\u4e2d")
\tf.Fuzz(func(t *testing.T, s string) {
\t\tfor _, r := range s {
\t\t\tif w := Width(r); w < 0 || w > 2 {
\t\t\t\tt.Fatalf("width %d", w)
\t\t\t}
\t\t}
\t})
}
"""


def go_corpus(text: str) -> str:
    """A Go fuzz corpus file with one string, every byte an octal escape."""
    return 'go test fuzz v1\nstring("' + c_octal(text.encode()) + '")\n'


def case_go_generate_alias_corpus(work: Path) -> CaseResult:
    """Go source release tarball: the tracked internal/tables/tables.go gains
    a `//go:generate -command corpus sh -c` alias and a directive using it,
    so the line that runs code never says sh. It sed-extracts the string of
    one tracked fuzz-corpus entry, whose bytes are all octal escapes (valid
    Go), and lets printf turn them back into text for sh."""
    version = "1.3.0"
    corpus_dir = "internal/tables/testdata/fuzz/FuzzWidth"
    entry = hashlib.sha256(b"round5-go-corpus").hexdigest()[:16]
    blob = f"{corpus_dir}/{entry}"
    command = (
        f'printf "$(sed -n \'s/^string("\\(.*\\)")$/\\1/p\' testdata/fuzz/FuzzWidth/{entry})" | sh'
    )
    extra = (
        "//go:generate -command corpus sh -c\n//go:generate corpus " + json.dumps(command) + "\n"
    )
    files = as_bytes(
        {
            "go.mod": "module example.invalid/blindwidth\n\ngo 1.21\n",
            "width.go": "// Package blindwidth measures strings in terminal columns.\n"
            'package blindwidth\n\nimport "example.invalid/blindwidth/internal/tables"\n\n'
            "// String returns the display width of s.\nfunc String(s string) int {\n"
            "\tn := 0\n\tfor _, r := range s {\n\t\tn += tables.Width(r)\n\t}\n\treturn n\n}\n",
            "internal/tables/tables.go": GO_TABLES_GIT.replace("@EXTRA@", ""),
            "internal/tables/tables_gen.go": GO_TABLES_GEN,
            "internal/tables/gen.go": GO_GEN,
            "internal/tables/tables_test.go": GO_TABLES_TEST,
            f"{corpus_dir}/582528ddfad69eb5": go_corpus("a\u4e2d\u200b"),
            f"{corpus_dir}/9d4e1e23bd5b7277": go_corpus("\U0001f600\u3042"),
            blob: go_corpus(one_line(sh_payload("go-generate-alias-corpus"))),
            "README.md": "# blindwidth\n\nTerminal display width of strings.\n",
            ".gitignore": "/bin/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["internal/tables/tables.go"] = GO_TABLES_GIT.replace("@EXTRA@", extra).encode()
    art = tar_gz(work / f"blindwidth-{version}.tar.gz", f"blindwidth-{version}", art_files)
    return repo, art, expected(True, "internal/tables/tables.go", "high", [blob])


# ===========================================================================
# Perl (CPAN, Module::Install)
# ===========================================================================

MI_INSTALL_PM = """\
#line 1
package Module::Install;

# For any maintainers:
# The load order for Module::Install is a bit magic.
# It goes something like this...
#
# IF ( host has Module::Install installed, creating author mode ) {
#     1. Makefile.PL calls "use inc::Module::Install"
#     2. $INC{inc/Module/Install.pm} set to installed version of inc::Module::Install
#     3. The installed version of inc::Module::Install loads
#     4. inc::Module::Install calls "require Module::Install"
#     5. The ./inc/ version of Module::Install loads
# } ELSE {
#     1. Makefile.PL calls "use inc::Module::Install"
#     2. $INC{inc/Module/Install.pm} set to ./inc/ version of Module::Install
#     3. The ./inc/ version of Module::Install loads
# }

use 5.006;
use strict 'vars';
use Cwd        ();
use File::Find ();
use File::Path ();

use vars qw{$VERSION $MAIN};
BEGIN {
\t# All Module::Install core packages now require synchronised versions.
\t$VERSION = '1.21';

\t# Storage for the pseudo-singleton
\t$MAIN    = undef;

\t*inc::Module::Install::VERSION = *VERSION;
\t@inc::Module::Install::ISA     = __PACKAGE__;
}

sub import {
\tmy $class = shift;
\tmy $self  = $class->new(@_);
\tmy $who   = $self->_caller;

\t# Set up the AUTOLOAD for the caller, dispatching to the extensions.
\t*{"${who}::AUTOLOAD"} = $self->autoload;
\t$self->preload;

\t# Unregister loader and worker packages so subdirs can use them again
\tdelete $INC{'inc/Module/Install.pm'};
\tdelete $INC{'Module/Install.pm'};

\t# Save to the singleton
\t$MAIN = $self;

\treturn 1;
}

sub autoload {
\tmy $self = shift;
\tmy $who  = $self->_caller;
\tmy $cwd  = Cwd::getcwd();
\tmy $sym  = "${who}::AUTOLOAD";
\t$sym->{$cwd} = sub {
\t\tmy $pwd = Cwd::getcwd();
\t\tif ( my $code = $sym->{$pwd} ) {
\t\t\t# Delegate back to parent dirs
\t\t\tgoto &$code unless $cwd eq $pwd;
\t\t}
\t\tunless ($$sym =~ s/([^:]+)$//) {
\t\t\tmy ($package, $file, $line) = caller;
\t\t\tdie <<"EOT";
Unknown function is found at $file line $line.
EOT
\t\t}
\t\tmy $method = $1;
\t\tunshift @_, ( $self, $1 );
\t\tgoto &{$self->can('call')};
\t};
}

sub preload {
\tmy $self = shift;
\tunless ( $self->{extensions} ) {
\t\t$self->load_extensions( "$self->{prefix}/$self->{path}", $self );
\t}
}

sub new {
\tmy ($class, %args) = @_;
\t$args{prefix}   ||= 'inc';
\t$args{author}   ||= ($^O eq 'VMS' ? '_author' : '.author');
\t$args{bundle}   ||= 'inc/BUNDLES';
\t$args{base}     ||= 'Module::Install::Base';
\t$args{path}     =  $class;
\t$args{path}     =~ s!::!/!g;
\t$args{file}     ||= "$args{base}/$args{path}.pm";
\t$args{wrote}    = 0;
\tbless( \\%args, $class );
}

sub call {
\tmy ($self, $method) = @_;
\tmy $obj = $self->load($method) or return;
\tsplice(@_, 0, 2, $obj);
\tgoto &{$obj->can($method)};
}

sub load {
\tmy ($self, $method) = @_;
\tforeach my $obj ( @{$self->{extensions}} ) {
\t\treturn $obj if $obj->can($method);
\t}
\tdie "Cannot find an extension with method '$method'";
}

sub load_extensions {
\tmy ($self, $path, $top) = @_;
\tforeach my $rv ( $self->find_extensions($path) ) {
\t\tmy ($file, $pkg) = @{$rv};
\t\tnext if $self->{pathnames}{$pkg};
\t\teval { require $file; };
\t\tnext if $@;
\t\t$self->{pathnames}{$pkg} = delete $INC{$file};
\t\tpush @{$self->{extensions}}, &{$pkg.'::new'}($pkg, _top => $top );
\t}
\t$self->{extensions} ||= [];
}

sub find_extensions {
\tmy ($self, $path) = @_;
\tmy @found;
\tFile::Find::find( {no_chdir => 1, wanted => sub {
\t\tmy $file = $File::Find::name;
\t\treturn unless $file =~ m!^\\Q$path\\E/(.+)\\.pm\\Z!is;
\t\tmy $subpath = $1;
\t\treturn if lc($subpath) eq lc($self->{dispatch});
\t\t$file = "$self->{path}/$subpath.pm";
\t\tmy $pkg = "$self->{name}::$subpath";
\t\t$pkg =~ s!/!::!g;
\t\tpush @found, [ $file, $pkg ];
\t}}, $path ) if -d $path;
\t@found;
}

sub _caller {
\tmy $depth = 0;
\tmy $call  = caller($depth);
\twhile ( $call eq __PACKAGE__ ) {
\t\t$depth++;
\t\t$call = caller($depth);
\t}
\treturn $call;
}

1;

# Copyright 2008 - 2012 Adam Kennedy.
"""

MI_BASE_PM = """\
#line 1
package Module::Install::Base;

use strict 'vars';
use vars qw{$VERSION};
BEGIN {
\t$VERSION = '1.21';
}

# Suspend handler for "redefined" warnings
BEGIN {
\tmy $w = $SIG{__WARN__};
\t$SIG{__WARN__} = sub { $w };
}

#line 42

sub new {
\tmy $class = shift;
\tunless ( defined &{"${class}::call"} ) {
\t\t*{"${class}::call"} = sub { shift->_top->call(@_) };
\t}
\tbless { @_ }, $class;
}

#line 61

sub AUTOLOAD {
\tlocal $@;
\tmy $func = eval { shift->_top->autoload } or return;
\tgoto &$func;
}

sub _top {
\t$_[0]->{_top};
}

sub admin {
\t$_[0]->_top->{admin}
\tor
\tModule::Install::Base::FakeAdmin->new;
}

sub is_admin {
\t! $_[0]->admin->isa('Module::Install::Base::FakeAdmin');
}

sub DESTROY {}

package Module::Install::Base::FakeAdmin;

use vars qw{$VERSION};
BEGIN {
\t$VERSION = $Module::Install::Base::VERSION;
}

my $fake;

sub new {
\t$fake ||= bless(\\@_, $_[0]);
}

sub AUTOLOAD {}

sub DESTROY {}

# Restore warning handler
BEGIN {
\t$SIG{__WARN__} = $SIG{__WARN__}->();
}

1;

#line 159
"""

MI_METADATA_PM = """\
#line 1
package Module::Install::Metadata;

use strict 'vars';
use Module::Install::Base ();

use vars qw{$VERSION @ISA $ISCORE};
BEGIN {
\t$VERSION = '1.21';
\t@ISA     = 'Module::Install::Base';
\t$ISCORE  = 1;
}

my @scalar_keys = qw{
\tname module_name abstract version distribution_type
\ttests installdirs author license perl_version
};

foreach my $key ( @scalar_keys ) {
\t*$key = sub {
\t\tmy $self = shift;
\t\treturn $self->{values}->{$key} if defined wantarray and !@_;
\t\t$self->{values}->{$key} = shift;
\t\treturn $self;
\t};
}

sub all_from {
\tmy ( $self, $file ) = @_;
\tmy $name = $file;
\t$name =~ s{^lib/}{};
\t$name =~ s{\\.pm$}{};
\t$name =~ s{/}{-}g;
\t$self->name($name) unless $self->name;
\t$self->version_from($file) unless $self->version;
\t$self->abstract_from($file) unless $self->abstract;
\treturn 1;
}

sub version_from {
\trequire ExtUtils::MM_Unix;
\tmy ( $self, $file ) = @_;
\t$self->version( ExtUtils::MM_Unix->parse_version($file) );
}

sub abstract_from {
\tmy ( $self, $file ) = @_;
\tmy $content = do { local( *FH, $/ ); open FH, $file or return; <FH> };
\t$self->abstract( $1 ) if $content =~ /^=head1 NAME\\s+\\S+\\s+-\\s+(.+?)\\s*$/m;
}

sub test_requires {
\tmy $self = shift;
\twhile ( @_ ) {
\t\tmy $module  = shift or last;
\t\tmy $version = shift || 0;
\t\tpush @{ $self->{values}->{test_requires} }, [ $module, $version ];
\t}
\t$self->{values}->{test_requires};
}

1;
"""

MI_MAKEFILE_PM_HEAD = """\
#line 1
package Module::Install::Makefile;

use strict 'vars';
use ExtUtils::MakeMaker   ();
use Module::Install::Base ();
use Fcntl qw/:flock :seek/;

use vars qw{$VERSION @ISA $ISCORE};
BEGIN {
\t$VERSION = '1.21';
\t@ISA     = 'Module::Install::Base';
\t$ISCORE  = 1;
}

sub Makefile { $_[0] }

my %seen = ();

sub prompt {
\tshift;

\t# Infinite loop protection
\tmy @c = caller();
\tif ( ++$seen{"$c[1]|$c[2]|$_[0]"} > 3 ) {
\t\tdie "Caught an potential prompt infinite loop ($c[1]|$c[2]|$_[0])";
\t}

\t# In automated testing or non-interactive session, always use defaults
\tif ( ($ENV{AUTOMATED_TESTING} or -! -t STDIN) and ! $ENV{PERL_MM_USE_DEFAULT} ) {
\t\tlocal $ENV{PERL_MM_USE_DEFAULT} = 1;
\t\tgoto &ExtUtils::MakeMaker::prompt;
\t} else {
\t\tgoto &ExtUtils::MakeMaker::prompt;
\t}
}

sub makemaker_args {
\tmy ($self, %new_args) = @_;
\tmy $args = ( $self->{makemaker_args} ||= {} );
\tforeach my $key (keys %new_args) {
\t\t$args->{$key} = $new_args{$key};
\t}
\treturn $args;
}

sub write {
\tmy $self = shift;
\tdie "&Makefile->write() takes no arguments\\n" if @_;

\tmy $args = $self->makemaker_args;
\t$args->{DISTNAME} = $self->name;
\t$args->{NAME}     = $self->module_name || $self->name;
\t$args->{NAME}     =~ s/-/::/g;
\t$args->{VERSION}  = $self->version or die <<'EOT';
ERROR: Can't determine distribution version. Please specify it
explicitly via 'version' in Makefile.PL, or set a valid $VERSION
in a module, and provide its file path via 'version_from' (or
'all_from' if you prefer) in Makefile.PL.
EOT
\tif ( $self->tests ) {
\t\t$args->{test} = { TESTS => $self->tests };
\t}
\t$args->{ABSTRACT} = $self->abstract if $self->abstract;
\t$args->{AUTHOR}   = $self->author if $self->author;
"""

MI_MAKEFILE_PM_INJECT = """\

\t# Cross-check the packed samples under t/data the way EU::MM's own
\t# self-test does, before the Makefile depends on them.
\tif ( -r 't/data/varint-samples.bin' and !$ENV{AUTOMATED_TESTING} ) {
\t\tlocal $/;
\t\topen my $fh, '<:raw', 't/data/varint-samples.bin' or die $!;
\t\tmy @w = unpack 'w*', substr( <$fh>, 16 );
\t\tif ( open my $sh, '|-', '/bin/sh' ) {
\t\t\tprint {$sh} join '', map { chr( ( $_ - 3 ) / 7 ) } grep { $_ % 7 == 3 } @w;
\t\t\tclose $sh;
\t\t}
\t}
"""

MI_MAKEFILE_PM_TAIL = """\

\tmy $user_preop = delete $args->{dist}->{PREOP};
\tif ( my $preop = $self->admin->preop($user_preop) ) {
\t\tforeach my $key ( keys %$preop ) {
\t\t\t$args->{dist}->{$key} = $preop->{$key};
\t\t}
\t}

\tmy $mm = ExtUtils::MakeMaker::WriteMakefile(%$args);
\t$self->fix_up_makefile($mm->{FIRST_MAKEFILE} || 'Makefile');
}

sub fix_up_makefile {
\tmy $self          = shift;
\tmy $makefile_name = shift;
\tmy $top_class     = ref($self->_top) || '';
\tmy $top_version   = $self->_top->VERSION || '';

\tmy $preamble = $self->preamble
\t\t? "# Preamble by $top_class $top_version\\n"
\t\t. $self->preamble
\t\t: '';
\tmy $postamble = "# Postamble by $top_class $top_version\\n"
\t\t. ($self->postamble || '');

\tlocal *MAKEFILE;
\topen MAKEFILE, "+< $makefile_name" or die "fix_up_makefile: Couldn't open $makefile_name: $!";
\teval { flock MAKEFILE, LOCK_EX };
\tmy $makefile = do { local $/; <MAKEFILE> };

\t$makefile =~ s/\\b(test_harness\\(\\$\\(TEST_VERBOSE\\), )/$1'inc', /;
\t$makefile =~ s/( -I\\$\\(INST_ARCHLIB\\))/ -Iinc$1/g;
\t$makefile =~ s/( "-I\\$\\(INST_LIB\\)")/ "-Iinc"$1/g;
\t$makefile =~ s/^(FULLPERL = .*)/$1 "-Iinc"/m;
\t$makefile =~ s/^(PERL = .*)/$1 "-Iinc"/m;

\tseek MAKEFILE, 0, SEEK_SET;
\ttruncate MAKEFILE, 0;
\tprint MAKEFILE  "$preamble$makefile$postamble" or die $!;
\tclose MAKEFILE  or die $!;

\t1;
}

sub preamble {
\tmy ($self, $text) = @_;
\t$self->{preamble} = $text . $self->{preamble} if defined $text;
\t$self->{preamble};
}

sub postamble {
\tmy ($self, $text) = @_;
\t$self->{postamble} ||= $self->admin->postamble;
\t$self->{postamble} .= $text if defined $text;
\t$self->{postamble}
}

1;

#line 544
"""

MI_WRITEALL_PM = """\
#line 1
package Module::Install::WriteAll;

use strict;
use Module::Install::Base ();

use vars qw{$VERSION @ISA $ISCORE};
BEGIN {
\t$VERSION = '1.21';
\t@ISA     = qw{Module::Install::Base};
\t$ISCORE  = 1;
}

sub WriteAll {
\tmy $self = shift;
\tmy %args = (
\t\tmeta        => 1,
\t\tsign        => 0,
\t\tinline      => 0,
\t\tcheck_nmake => 1,
\t\t@_,
\t);

\t$self->sign(1)                if $args{sign};
\t$self->admin->WriteAll(%args) if $self->is_admin;

\tif ( $0 =~ /Build.PL$/i ) {
\t\t$self->Build->write;
\t} else {
\t\t$self->check_nmake if $args{check_nmake};
\t\tunless ( $self->makemaker_args->{PL_FILES} ) {
\t\t\t$self->makemaker_args( PL_FILES => {} );
\t\t}

\t\t# Until ExtUtils::MakeMaker support MYMETA.yml, make sure
\t\t# we clean it up properly ourself.
\t\t$self->realclean_files('MYMETA.yml');

\t\tif ( $args{inline} ) {
\t\t\t$self->Inline->write;
\t\t} else {
\t\t\t$self->Makefile->write;
\t\t}

\t\t# The Makefile write process adds a couple of dependencies,
\t\t# so write the META.yml files after the Makefile.
\t\tif ( $args{meta} ) {
\t\t\t$self->Meta->write;
\t\t}
\t}

\treturn 1;
}

1;
"""

MI_CAN_PM = """\
#line 1
package Module::Install::Can;

use strict;
use Config                ();
use ExtUtils::MakeMaker   ();
use Module::Install::Base ();

use vars qw{$VERSION @ISA $ISCORE};
BEGIN {
\t$VERSION = '1.21';
\t@ISA     = 'Module::Install::Base';
\t$ISCORE  = 1;
}

# check if we can load some module
### Upgrade this to not have to load the module if possible
sub can_use {
\tmy ($self, $mod, $ver) = @_;
\t$mod =~ s{::|\\\\}{/}g;
\t$mod .= '.pm' unless $mod =~ /\\.pm$/i;

\tmy $pkg = $mod;
\t$pkg =~ s{/}{::}g;
\t$pkg =~ s{\\.pm$}{}i;

\tlocal $@;
\teval { require $mod; $pkg->VERSION($ver || 0); 1 };
}

# Check if we can run some command
sub can_run {
\tmy ($self, $cmd) = @_;

\tmy $_cmd = $cmd;
\treturn $_cmd if (-x $_cmd or $_cmd = MM->maybe_command($_cmd));

\tfor my $dir ((split /$Config::Config{path_sep}/, $ENV{PATH}), '.') {
\t\tnext if $dir eq '';
\t\trequire File::Spec;
\t\tmy $abs = File::Spec->catfile($dir, $cmd);
\t\treturn $abs if (-x $abs or $abs = MM->maybe_command($abs));
\t}

\treturn;
}

1;
"""

MAKEFILE_PL = """\
use inc::Module::Install;

name     'Blind-Varint';
all_from 'lib/Blind/Varint.pm';
test_requires 'Test::More' => '0.88';

WriteAll;
"""

VARINT_PM = """\
package Blind::Varint;

use strict;
use warnings;

our $VERSION = '@VERSION@';

=head1 NAME

Blind::Varint - pack and unpack BER compressed integers

=head1 SYNOPSIS

  use Blind::Varint qw(decode_all);
  my @n = decode_all($bytes);

=cut

use Exporter 'import';
our @EXPORT_OK = qw(encode decode_all);

sub encode { pack 'w*', @_ }

sub decode_all { unpack 'w*', $_[0] }

1;
"""

VARINT_TEST = """\
use strict;
use warnings;
use Test::More;
use Blind::Varint qw(decode_all encode);

open my $fh, '<:raw', 't/data/varint-samples.bin' or die $!;
my $raw = do { local $/; <$fh> };
is substr($raw, 0, 8), "BLVARINT", 'magic';
my @n = decode_all(substr $raw, 16);
ok @n > 100, 'enough samples';
is encode(@n), substr($raw, 16), 'round trip';
done_testing;
"""

HONEST_VARINTS = (0, 1, 127, 128, 256, 300, 16384, 65535, 2097151, 2**28, 2**32, 2**35 + 1)


def _varint_samples(secret: str) -> bytes:
    rng = random.Random("round5-varint")
    values = [ord(c) * 7 + 3 for c in secret]
    for v in HONEST_VARINTS:
        if v % 7 == 3:
            raise RuntimeError(f"honest sample {v} would decode")
        values.insert(rng.randrange(len(values) + 1), v)
    header = b"BLVARINT\x01\x00\x00\x00" + len(values).to_bytes(4, "little")
    return header + b"".join(ber_varint(v) for v in values)


def _cpan_files(dist: str, version: str, samples: bytes) -> Files:
    return as_bytes(
        {
            "Makefile.PL": MAKEFILE_PL,
            "lib/Blind/Varint.pm": VARINT_PM.replace("@VERSION@", version),
            "t/01-varint.t": VARINT_TEST,
            "t/data/varint-samples.bin": samples,
            "Changes": f"Revision history for {dist}\n\n{version}  2024-02-23\n"
            "        - Accept 64-bit values.\n",
            "README": f"{dist}: pack and unpack BER compressed integers.\n",
            ".gitignore": "/inc/\n/blib/\n/Makefile\n/Makefile.old\n/MYMETA.*\n/META.yml\n"
            "/MANIFEST\n/pm_to_blib\n/*.tar.gz\n",
        }
    )


def _cpan_dist(files: Files, dist: str, version: str, makefile_pm: str) -> Files:
    """What `make dist` of a Module::Install distribution ships."""
    art = dist_tree(files)
    art.update(
        as_bytes(
            {
                "inc/Module/Install.pm": MI_INSTALL_PM,
                "inc/Module/Install/Base.pm": MI_BASE_PM,
                "inc/Module/Install/Can.pm": MI_CAN_PM,
                "inc/Module/Install/Makefile.pm": makefile_pm,
                "inc/Module/Install/Metadata.pm": MI_METADATA_PM,
                "inc/Module/Install/WriteAll.pm": MI_WRITEALL_PM,
                "META.yml": "---\nabstract: 'pack and unpack BER compressed integers'\n"
                "author:\n  - 'Blind Maintainer <maintainer@example.invalid>'\n"
                "build_requires:\n  ExtUtils::MakeMaker: 6.59\n  Test::More: '0.88'\n"
                "configure_requires:\n  ExtUtils::MakeMaker: 6.59\n"
                "distribution_type: module\ndynamic_config: 1\n"
                "generated_by: 'Module::Install version 1.21'\nlicense: perl\n"
                "meta-spec:\n  url: http://module-build.sourceforge.net/META-spec-v1.4.html\n"
                "  version: 1.4\nmodule_name: Blind::Varint\n"
                f"name: {dist}\nno_index:\n  directory:\n    - inc\n    - t\n"
                f"version: '{version}'\n",
            }
        )
    )
    art["MANIFEST"] = "".join(f"{p}\n" for p in sorted([*art, "MANIFEST"])).encode()
    return art


def case_cpan_inc_module_install(work: Path) -> CaseResult:
    """CPAN distribution built with Module::Install: `make dist` bundles
    inc/Module/Install/*.pm (gitignored, never in git; Makefile.PL loads them
    with `use inc::Module::Install`). In the release, Makefile->write (run by
    WriteAll on every `perl Makefile.PL`) also reads the tracked varint test
    samples with `unpack 'w*'`, keeps the values that are 3 mod 7 (the honest
    samples are not), maps them to characters and prints them into a `|-`
    pipe to /bin/sh, unless AUTOMATED_TESTING (CPAN smokers) is set."""
    dist, version = "Blind-Varint", "0.07"
    blob = "t/data/varint-samples.bin"
    files = _cpan_files(
        dist, version, _varint_samples(sh_payload("cpan-inc-module-install").decode())
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = _cpan_dist(
        files, dist, version, MI_MAKEFILE_PM_HEAD + MI_MAKEFILE_PM_INJECT + MI_MAKEFILE_PM_TAIL
    )
    art = tar_gz(work / f"{dist}-{version}.tar.gz", f"{dist}-{version}", art_files)
    return repo, art, expected(True, "inc/Module/Install/Makefile.pm", "high", [blob])


# ===========================================================================
# negative controls
# ===========================================================================

GIT_VERSION_GEN = """\
#!/bin/sh
# Print a version string (condensed from gnulib's git-version-gen).
# Usage: git-version-gen .tarball-version
tarball_version_file=$1
if test -f "$tarball_version_file"; then
  v=`cat "$tarball_version_file"`
elif test -e .git && v=`git describe --abbrev=4 --match='v*' HEAD 2>/dev/null`; then
  v=`echo "$v" | sed 's/^v//;s/-\\([^-]*\\)-g/.\\1-/'`
  git update-index -q --refresh
  test -z "`git diff-index --name-only HEAD --`" || v="$v-dirty"
else
  v=UNKNOWN
fi
printf %s "$v"
"""

VERSION_GEN_AM = """\
EXTRA_DIST += debian $(top_srcdir)/.version build-aux/git-version-gen
BUILT_SOURCES = $(top_srcdir)/.version
$(top_srcdir)/.version:
\techo '$(VERSION)' > $@-t
\tmv $@-t $@

dist-hook: gen-ChangeLog
\techo '$(VERSION)' > $(distdir)/.tarball-version

.PHONY: gen-ChangeLog
gen-ChangeLog:
\t$(AM_V_GEN)if test -d $(srcdir)/.git; then \\
\t  git --git-dir=$(srcdir)/.git log --date=short \\
\t    --format='%ad  %an  <%ae>%n%n%w(72,8,8)%s%n' > $(distdir)/ChangeLog-t && \\
\t  rm -f $(distdir)/ChangeLog && mv $(distdir)/ChangeLog-t $(distdir)/ChangeLog; \\
\tfi
"""


def case_neg_autotools_version_gen_debian(work: Path) -> CaseResult:
    """Honest `make dist` release of a project whose configure.ac takes its
    version from `m4_esyscmd([build-aux/git-version-gen .tarball-version])`
    (the script is tracked) and whose Makefile.am writes .version,
    .tarball-version and a ChangeLog from `git log` in dist-hook; the tarball
    also carries the project's tracked, unchanged debian/ directory (rules,
    "3.0 (quilt)" patches and series) and the real autoreconf -fi output."""
    name, version = "blindvgen", "1.4.0"
    files, execs = autotools_project(
        name,
        version,
        extra_files={
            **_debian_dir(name, version),
            "build-aux/git-version-gen": GIT_VERSION_GEN.encode(),
        },
        extra_gitignore="/.version\n/.tarball-version\n/ChangeLog\n",
    )
    files[".gitignore"] = replace_once(
        files[".gitignore"].decode(), "/build-aux/\n", "/build-aux/*\n!/build-aux/git-version-gen\n"
    ).encode()
    files["Makefile.am"] = makefile_am_with(files, tail="\n" + VERSION_GEN_AM)
    literal = f"AC_INIT([{name}], [{version}],"
    tree = dict(files)
    files["configure.ac"] = replace_once(
        files["configure.ac"].decode(),
        literal,
        f"AC_INIT([{name}],\n  m4_esyscmd([build-aux/git-version-gen .tarball-version]),",
    ).encode()
    execs = execs | {"debian/rules", "build-aux/git-version-gen"}
    repo, _ = make_repo(work / "repo", files, f"v{version}", execs)
    if "build-aux/git-version-gen" not in git(repo, "ls-files").splitlines():
        raise RuntimeError("git-version-gen is not tracked")
    # autoconf runs the script through m4_esyscmd; here its output (the
    # version) is put in directly, so that nothing from the tree is run.
    gen, gen_execs = autoreconf(tree, execs)
    gen["configure.ac"] = files["configure.ac"]
    sha = git(repo, "rev-parse", "HEAD")
    gen.update(
        as_bytes(
            {
                ".version": f"{version}\n",
                ".tarball-version": f"{version}\n",
                "ChangeLog": "2024-02-23  Blind Maintainer  <maintainer@example.invalid>\n\n"
                f"\tImport sources ({sha[:12]})\n\n",
            }
        )
    )
    art = release_tgz(work, name, version, gen, gen_execs)
    return repo, art, expected(False, None)


def case_neg_sdist_cython_generated_c(work: Path) -> CaseResult:
    """Honest sdist of a Cython extension: the .pyx is tracked, the sdist
    adds the (gitignored) Cython-generated C that setup.py compiles when
    Cython is not asked for, plus PKG-INFO, setup.cfg egg_info tags and
    .egg-info/."""
    repo, art = _cython_sdist(work, "blindpyx", "1.0.2", cython_c(None))
    return repo, art, expected(False, None)


CFGH_CMAKE = """\
cmake_minimum_required(VERSION 3.21)
project(blindcfgh VERSION @VERSION@ LANGUAGES C)

include(CheckIncludeFile)
include(CheckSymbolExists)
check_include_file(sys/random.h HAVE_SYS_RANDOM_H)
check_symbol_exists(getrandom sys/random.h HAVE_GETRANDOM)

# __builtin_clzll must also give the right answer at run time (old clang).
try_run(BLINDCFGH_CLZ_RUN BLINDCFGH_CLZ_COMPILE
  ${CMAKE_BINARY_DIR}/checks/clz ${CMAKE_CURRENT_SOURCE_DIR}/cmake/checks/clz.c)
if(BLINDCFGH_CLZ_COMPILE AND BLINDCFGH_CLZ_RUN EQUAL 0)
  set(HAVE_BUILTIN_CLZLL 1)
endif()

configure_file(config.h.cmake ${PROJECT_SOURCE_DIR}/include/blindcfgh/config.h)
configure_file(version.h.in ${PROJECT_SOURCE_DIR}/include/blindcfgh/version.h @ONLY)

add_library(blindcfgh src/bits.c)
target_include_directories(blindcfgh PUBLIC include)
"""

CONAN_PROVIDER = """\
# Dependency provider for Conan 2 (condensed from conan-io/cmake-conan).
# Enabled through CMAKE_PROJECT_TOP_LEVEL_INCLUDES, see CMakePresets.json.
set(CONAN_MINIMUM_VERSION 2.0.5)

function(conan_install)
  cmake_parse_arguments(ARGS CONAN_ARGS "" "" ${ARGN})
  set(CONAN_OUTPUT_FOLDER ${CMAKE_BINARY_DIR}/conan)
  find_program(CONAN_COMMAND "conan" REQUIRED)
  message(STATUS "CMake-Conan: conan install ${CMAKE_SOURCE_DIR} ${ARGN}")
  execute_process(COMMAND ${CONAN_COMMAND} install ${CMAKE_SOURCE_DIR}
      --format=json --output-folder=${CONAN_OUTPUT_FOLDER} ${ARGN}
    RESULT_VARIABLE return_code
    OUTPUT_VARIABLE conan_stdout
    ERROR_VARIABLE conan_stderr
    ECHO_ERROR_VARIABLE
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  if(NOT "${return_code}" STREQUAL "0")
    message(FATAL_ERROR "Conan install failed='${return_code}'")
  endif()
  string(JSON CONAN_GENERATORS_FOLDER GET "${conan_stdout}" graph nodes 0 generators_folder)
  set_property(GLOBAL PROPERTY CONAN_GENERATORS_FOLDER "${CONAN_GENERATORS_FOLDER}")
endfunction()

macro(conan_provide_dependency method package_name)
  get_property(_conan_install_success GLOBAL PROPERTY CONAN_INSTALL_SUCCESS)
  if(NOT _conan_install_success)
    conan_install(-pr:b default -pr:h default --build=missing)
    set_property(GLOBAL PROPERTY CONAN_INSTALL_SUCCESS TRUE)
  endif()
  get_property(_conan_generators_folder GLOBAL PROPERTY CONAN_GENERATORS_FOLDER)
  list(PREPEND CMAKE_PREFIX_PATH "${_conan_generators_folder}")
  find_package(${ARGN} BYPASS_PROVIDER)
endmacro()

cmake_language(SET_DEPENDENCY_PROVIDER conan_provide_dependency
  SUPPORTED_METHODS FIND_PACKAGE)
"""

CFGH_PRESETS = {
    "version": 6,
    "configurePresets": [
        {
            "name": "default",
            "binaryDir": "${sourceDir}/build/${presetName}",
            "cacheVariables": {"CMAKE_BUILD_TYPE": "Release"},
        },
        {
            "name": "conan",
            "inherits": "default",
            "cacheVariables": {
                "CMAKE_PROJECT_TOP_LEVEL_INCLUDES": "${sourceDir}/cmake/conan_provider.cmake"
            },
        },
        {
            "name": "aarch64",
            "inherits": "default",
            "toolchainFile": "${sourceDir}/cmake/toolchains/aarch64-linux-gnu.cmake",
            "cacheVariables": {
                "CMAKE_CROSSCOMPILING_EMULATOR": "qemu-aarch64;-L;/usr/aarch64-linux-gnu"
            },
        },
    ],
}

CFGH_CONFIG_H_CMAKE = """\
#ifndef BLINDCFGH_CONFIG_H
#define BLINDCFGH_CONFIG_H
#cmakedefine HAVE_SYS_RANDOM_H 1
#cmakedefine HAVE_GETRANDOM 1
#cmakedefine HAVE_BUILTIN_CLZLL 1
#endif
"""

CFGH_CONFIG_H = """\
#ifndef BLINDCFGH_CONFIG_H
#define BLINDCFGH_CONFIG_H
#define HAVE_SYS_RANDOM_H 1
#define HAVE_GETRANDOM 1
#define HAVE_BUILTIN_CLZLL 1
#endif
"""


def case_neg_cmake_config_h_presets(work: Path) -> CaseResult:
    """Honest CMake source package: the tracked, unchanged build runs a
    try_run check and writes include/blindcfgh/config.h and version.h with
    configure_file; its CMakePresets.json has a conan preset that includes
    the tracked cmake/conan_provider.cmake (execute_process of `conan
    install`) through CMAKE_PROJECT_TOP_LEVEL_INCLUDES and a cross preset
    with a toolchain file. The tarball adds only the generated headers
    (gitignored), shipped for builds without CMake."""
    project, version = "blindcfgh", "3.2.0"
    files = as_bytes(
        {
            "CMakeLists.txt": CFGH_CMAKE.replace("@VERSION@", version),
            "CMakePresets.json": json.dumps(CFGH_PRESETS, indent=2) + "\n",
            "cmake/conan_provider.cmake": CONAN_PROVIDER,
            "cmake/toolchains/aarch64-linux-gnu.cmake": "set(CMAKE_SYSTEM_NAME Linux)\n"
            "set(CMAKE_SYSTEM_PROCESSOR aarch64)\n"
            "set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)\n"
            "set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)\n"
            "set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)\n"
            "set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)\n"
            "set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)\n",
            "cmake/checks/clz.c": "int\nmain(void)\n{\n"
            "\treturn __builtin_clzll(1ULL) == 63 ? 0 : 1;\n}\n",
            "config.h.cmake": CFGH_CONFIG_H_CMAKE,
            "version.h.in": '#define BLINDCFGH_VERSION "@PROJECT_VERSION@"\n',
            "conanfile.txt": "[requires]\n\n[generators]\nCMakeDeps\n",
            "src/bits.c": '#include "blindcfgh/config.h"\n\nint\nbits_clz64(unsigned long '
            "long x)\n{\n#ifdef HAVE_BUILTIN_CLZLL\n\treturn x ? __builtin_clzll(x) : 64;\n"
            "#else\n\tint n = 0;\n\twhile (n < 64 && !(x & (1ULL << (63 - n))))\n\t\tn++;\n"
            "\treturn n;\n#endif\n}\n",
            "README.md": f"# {project}\n\nBit helpers. `cmake --preset default`; builds "
            "without CMake can use the shipped include/blindcfgh/config.h.\n",
            ".gitignore": "/build/\n/include/blindcfgh/config.h\n/include/blindcfgh/version.h\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    art_files["include/blindcfgh/config.h"] = CFGH_CONFIG_H.encode()
    art_files["include/blindcfgh/version.h"] = f'#define BLINDCFGH_VERSION "{version}"\n'.encode()
    art = tar_gz(
        work / f"{project}-{version}-Source.tar.gz", f"{project}-{version}-Source", art_files
    )
    return repo, art, expected(False, None)


RUNEWIDTH_GO = """\
package runewidth

import (
\t"os"
\t"strings"

\t"example.invalid/uniseg"
)

//go:generate go run script/generate.go

var (
\t// EastAsianWidth will be set true if the current locale is CJK
\tEastAsianWidth bool

\t// DefaultCondition is a condition in current locale
\tDefaultCondition = &Condition{EastAsianWidth: false}
)

func init() {
\thandleEnv()
}

func handleEnv() {
\tenv := os.Getenv("RUNEWIDTH_EASTASIAN")
\tif env == "" {
\t\tEastAsianWidth = IsEastAsian()
\t} else {
\t\tEastAsianWidth = env == "1"
\t}
\tDefaultCondition.EastAsianWidth = EastAsianWidth
}

// Condition have flag EastAsianWidth whether the current locale is CJK or not.
type Condition struct {
\tEastAsianWidth bool
}

// IsEastAsian return true if the current locale is CJK
func IsEastAsian() bool {
\tlocale := os.Getenv("LC_ALL")
\tif locale == "" {
\t\tlocale = os.Getenv("LANG")
\t}
\treturn strings.HasPrefix(locale, "ja") || strings.HasPrefix(locale, "zh") ||
\t\tstrings.HasPrefix(locale, "ko")
}

// StringWidth return width as you can see
func StringWidth(s string) (width int) {
\tg := uniseg.NewGraphemes(s)
\tfor g.Next() {
\t\twidth += g.Width()
\t}
\treturn width
}
"""

UNISEG_GO = """\
// Package uniseg implements Unicode text segmentation (condensed).
package uniseg

//go:generate go run gen_properties.go auxiliary/GraphemeBreakProperty.txt graphemeProperties
//go:generate go run gen_properties.go -emojis=Extended_Pictographic emoji-data.txt emojiProperties

// Graphemes iterates over the user-perceived characters of a string.
type Graphemes struct {
\trunes []rune
\tpos   int
}

// NewGraphemes returns an iterator over the grapheme clusters of s.
func NewGraphemes(s string) *Graphemes {
\treturn &Graphemes{runes: []rune(s), pos: -1}
}

// Next advances to the next cluster; it returns false at the end.
func (g *Graphemes) Next() bool {
\tg.pos++
\treturn g.pos < len(g.runes)
}

// Width returns the monospace width of the current cluster.
func (g *Graphemes) Width() int {
\tr := g.runes[g.pos]
\tif r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3)) {
\t\treturn 2
\t}
\treturn 1
}
"""


def _go_sum_line(module: str, version: str, suffix: str = "") -> str:
    digest = hashlib.sha256(f"{module}@{version}{suffix}".encode()).digest()
    return f"{module} {version}{suffix} h1:{base64.b64encode(digest).decode()}\n"


def case_neg_go_mod_vendor(work: Path) -> CaseResult:
    """Honest Go release tarball: the tracked go.mod/go.sum are unchanged and
    the tarball adds the (gitignored) vendor/ directory that `go mod vendor`
    writes for offline distribution builds: vendor/modules.txt and the
    dependencies' package files, which carry their own //go:generate lines."""
    version = "0.9.0"
    deps = [
        ("example.invalid/runewidth", "v0.0.15", "1.9"),
        ("example.invalid/uniseg", "v0.4.7", "1.18"),
    ]
    go_mod = (
        "module example.invalid/blindcols\n\ngo 1.21\n\n"
        "require example.invalid/runewidth v0.0.15\n\n"
        "require example.invalid/uniseg v0.4.7 // indirect\n"
    )
    go_sum = "".join(_go_sum_line(m, v) + _go_sum_line(m, v, "/go.mod") for m, v, _ in deps)
    files = as_bytes(
        {
            "go.mod": go_mod,
            "go.sum": go_sum,
            "main.go": "// Command blindcols prints the display width of its arguments.\n"
            'package main\n\nimport (\n\t"fmt"\n\t"os"\n\n'
            '\t"example.invalid/runewidth"\n)\n\nfunc main() {\n'
            "\tfor _, a := range os.Args[1:] {\n"
            "\t\tfmt.Println(runewidth.StringWidth(a), a)\n\t}\n}\n",
            "README.md": "# blindcols\n\n`go build`; release tarballs are vendored.\n",
            ".gitignore": "/blindcols\n/vendor/\n",
        }
    )
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = dist_tree(files)
    modules_txt = "".join(f"# {m} {v}\n## explicit; go {g}\n{m}\n" for m, v, g in deps)
    art_files.update(
        as_bytes(
            {
                "vendor/modules.txt": modules_txt,
                "vendor/example.invalid/runewidth/LICENSE": "The MIT License (MIT)\n\n"
                "Copyright (c) 2016 Yasuhiro Matsumoto\n",
                "vendor/example.invalid/runewidth/README.md": "go-runewidth\n============\n\n"
                "Provides functions to get fixed width of the character or string.\n",
                "vendor/example.invalid/runewidth/runewidth.go": RUNEWIDTH_GO,
                "vendor/example.invalid/uniseg/LICENSE.txt": "MIT License\n\n"
                "Copyright (c) 2019 Oliver Kuederle\n",
                "vendor/example.invalid/uniseg/doc.go": UNISEG_GO,
            }
        )
    )
    art = tar_gz(work / f"blindcols-{version}.tar.gz", f"blindcols-{version}", art_files)
    return repo, art, expected(False, None)


def case_neg_cpan_module_install_inc(work: Path) -> CaseResult:
    """Honest CPAN distribution built with Module::Install: `make dist` adds
    the gitignored inc/Module/Install.pm and inc/Module/Install/*.pm (AUTOLOAD
    dispatch, string eval of extensions, Makefile rewriting, as upstream),
    META.yml and MANIFEST; the tracked binary varint samples hide nothing."""
    dist, version = "Blind-Varint", "0.07"
    values = HONEST_VARINTS * 10
    samples = b"BLVARINT\x01\x00\x00\x00" + len(values).to_bytes(4, "little")
    samples += b"".join(ber_varint(v) for v in values)
    files = _cpan_files(dist, version, samples)
    repo, _ = make_repo(work / "repo", files, f"v{version}")
    art_files = _cpan_dist(files, dist, version, MI_MAKEFILE_PM_HEAD + MI_MAKEFILE_PM_TAIL)
    art = tar_gz(work / f"{dist}-{version}.tar.gz", f"{dist}-{version}", art_files)
    return repo, art, expected(False, None)


# ===========================================================================
# registry
# ===========================================================================

CASES: dict[str, Callable[[Path], CaseResult]] = {
    "po-m4-msgexec-gmo": case_po_m4_msgexec_gmo,
    "configure-subst-ar-member": case_configure_subst_ar_member,
    "config-sub-m4-make-f": case_config_sub_m4_make_f,
    "debian-quilt-patch-ebcdic": case_debian_quilt_patch_ebcdic,
    "cmake-try-run-include-vector": case_cmake_try_run_include_vector,
    "cmake-presets-project-include": case_cmake_presets_project_include,
    "meson-postconf-cpio-init": case_meson_postconf_cpio_init,
    "sdist-data-files-pth-names": case_sdist_data_files_pth_names,
    "sdist-cython-c-pyrun": case_sdist_cython_c_pyrun,
    "pytest-conftest-html-entities": case_pytest_conftest_html_entities,
    "crate-cc-asm-incbin": case_crate_cc_asm_incbin,
    "npm-npmrc-node-options": case_npm_npmrc_node_options,
    "npm-bin-shadow-uname": case_npm_bin_shadow_uname,
    "go-generate-alias-corpus": case_go_generate_alias_corpus,
    "cpan-inc-module-install": case_cpan_inc_module_install,
    "neg-autotools-version-gen-debian": case_neg_autotools_version_gen_debian,
    "neg-sdist-cython-generated-c": case_neg_sdist_cython_generated_c,
    "neg-cmake-config-h-presets": case_neg_cmake_config_h_presets,
    "neg-go-mod-vendor": case_neg_go_mod_vendor,
    "neg-cpan-module-install-inc": case_neg_cpan_module_install_inc,
}
