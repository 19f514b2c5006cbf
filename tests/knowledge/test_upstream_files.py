"""The packaged knowledge base of upstream build-system file contents.

Real upstream content is read from the Debian packages installed on the test machine
(autoconf, automake, libtool, autopoint, gettext: see ``install.sh --dev``); every
modification made here is synthetic and harmless.
"""

from __future__ import annotations

import re
import tarfile
import time
from pathlib import Path

import pytest

from chainsight.knowledge.upstream_files import (
    MAX_NOVEL_LINES,
    Provenance,
    coverage,
    declared_serial,
    fingerprint,
    known_names,
    lookup,
    normalised_hash,
)

# Files Debian's autoconf/automake/libtool/gettext packages install, as the tools copy
# them into projects. Any of them present on this machine is a real upstream version.
INSTALLED = (
    "/usr/share/aclocal/nls.m4",
    "/usr/share/aclocal/po.m4",
    "/usr/share/aclocal/progtest.m4",
    "/usr/share/aclocal/lib-link.m4",
    "/usr/share/aclocal/libtool.m4",
    "/usr/share/aclocal/ltoptions.m4",
    "/usr/share/gettext/m4/build-to-host.m4",
    "/usr/share/gettext/po/Makefile.in.in",
    "/usr/share/gettext/po/remove-potcdate.sin",
    "/usr/share/gettext/config.rpath",
    "/usr/share/libtool/build-aux/ltmain.sh",
    "/usr/share/autoconf/build-aux/install-sh",
    "/usr/share/misc/config.guess",
)
INSTALLED_GLOBS = ("/usr/share/automake-*/install-sh", "/usr/share/automake-*/test-driver")
SERIAL_LINE = re.compile(
    rb"^([ \t]*(?:#|dnl)[ \t]*(?:[\w.+~@-]+\.m4[ \t]+)?serial[ \t]+)(\d+)", re.M
)
BENIGN_M4 = b"AC_DEFUN([CHAINSIGHT_SYNTHETIC_TEST], [AC_MSG_NOTICE([harmless test line])])"


def installed_files() -> list[Path]:
    found = [Path(p) for p in INSTALLED if Path(p).is_file()]
    for pattern in INSTALLED_GLOBS:
        found.extend(sorted(Path("/").glob(pattern.lstrip("/")))[-1:])
    return found


def installed_m4_with_serial() -> Path:
    for path in installed_files():
        if path.suffix == ".m4" and declared_serial(path.name, path.read_bytes()):
            return path
    pytest.skip("no upstream m4 file with a serial installed (install.sh --dev)")


def real_build_to_host() -> bytes | None:
    """A genuine build-to-host.m4 from an installed provider package, if any."""
    for candidate in (
        "/usr/share/gettext/m4/build-to-host.m4",
        "/usr/share/gnulib/m4/build-to-host.m4",
    ):
        if Path(candidate).is_file():
            return Path(candidate).read_bytes()
    # autopoint's archive of every gettext release's files (gettext >= 0.22 has it).
    for archive in sorted(Path("/usr/share/gettext").glob("archive.dir.tar*")):
        newest: tuple[str, bytes] | None = None
        with tarfile.open(archive, mode="r|*") as stream:
            for member in stream:
                if member.isfile() and member.name.endswith("/m4/build-to-host.m4"):
                    handle = stream.extractfile(member)
                    if handle is not None and (newest is None or member.name > newest[0]):
                        newest = (member.name, handle.read())
        if newest is not None:
            return newest[1]
    return None


def insert_after(content: bytes, line_number: int, new_lines: list[bytes]) -> bytes:
    lines = content.split(b"\n")
    return b"\n".join([*lines[:line_number], *new_lines, *lines[line_number:]])


def set_serial(content: bytes, serial: int) -> bytes:
    changed, count = SERIAL_LINE.subn(lambda m: m.group(1) + str(serial).encode(), content, 1)
    assert count == 1
    return changed


# ------------------------------------------------------------------------ tests


def test_fingerprints_are_stable() -> None:
    content = b"# foo.m4 serial 7\ndnl a comment\nAC_DEFUN([FOO],\n  [bar   baz])\n"
    fp = fingerprint("foo.m4", content)
    assert fp.serial == 7 and fp.serial_text == "serial 7"
    assert len(fp.exact) == 16 and len(fp.normalised) == 16
    assert len(fp.lines) == 4
    # Comments, blank lines and whitespace runs do not change the normalised hash.
    variant = b"# foo.m4 serial 7\r\n\nAC_DEFUN([FOO],\r\n\t[bar baz])   \n# other\n"
    assert normalised_hash(variant) == fp.normalised


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("x.m4", b"#serial 12\n", 12),
        ("x.m4", b"dnl serial 11 (pkg-config-0.29)\n", 11),
        ("build-to-host.m4", b"# build-to-host.m4 serial 30\n", 30),
        ("config.guess", b"#! /bin/sh\ntimestamp='2023-01-01'\n", 20230101),
        ("install-sh", b"#!/bin/sh\nscriptversion=2020-11-14.01; # UTC\n", 2020111401),
        ("ltmain.sh", b"PROGRAM=libtool\nVERSION=2.4.7.4-1ec8f-dirty\n", 2004007),
        ("x.m4", b"AC_DEFUN([X])\n", None),
    ],
)
def test_declared_serial(name: str, content: bytes, expected: int | None) -> None:
    found = declared_serial(name, content)
    assert (found[0] if found else None) == expected


def test_real_upstream_files_are_verified() -> None:
    files = installed_files()
    if not files:
        pytest.skip("no upstream build files installed (install.sh --dev)")
    for path in files:
        result = lookup(f"m4/{path.name}", path.read_bytes())
        assert result.status == "verified-upstream", (path, result)
        assert result.match_kind == "exact"
        assert result.matched_version and result.providers
        assert result.novel_lines == ()


def test_one_added_line_is_shown_with_its_line_number() -> None:
    path = installed_m4_with_serial()
    original = path.read_bytes()
    modified = insert_after(original, 5, [BENIGN_M4])
    result = lookup(f"m4/{path.name}", modified)
    assert result.status == "known-name-unknown-content"
    assert result.novel_lines == ((6, BENIGN_M4.decode()),)
    assert result.novel_line_count == 1
    assert result.similarity is not None and result.similarity > 0.9
    assert result.nearest_version is not None
    assert result.declared_serial is not None
    assert result.nearest_serial == result.declared_serial


def test_whitespace_and_comment_changes_still_verify() -> None:
    path = installed_m4_with_serial()
    original = path.read_bytes()
    modified = original.replace(b"\n", b"\r\n") + b"dnl a local comment\n"
    result = lookup(path.name, modified)
    assert result.status == "verified-upstream"
    assert result.match_kind == "normalised"


def test_a_bumped_serial_alone_is_not_verified() -> None:
    path = installed_m4_with_serial()
    original = path.read_bytes()
    baseline = lookup(path.name, original)
    assert baseline.max_known_serial is not None
    result = lookup(path.name, set_serial(original, baseline.max_known_serial + 27))
    assert result.status == "serial-above-known"
    assert result.declared_serial == baseline.max_known_serial + 27


def check_serial_above_known(name: str, original: bytes, serial: int) -> Provenance:
    baseline = lookup(name, original)
    assert baseline.status == "verified-upstream"
    assert baseline.max_known_serial is not None and baseline.max_known_serial < serial
    added = [
        b'gl_chainsight_marker="harmless synthetic test line"',
        b'AS_ECHO(["$gl_chainsight_marker"]) > "$ac_pwd/chainsight-test-marker"',
    ]
    lines = original.split(b"\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(b"AC_DEFUN")) + 1
    look_alike = insert_after(set_serial(original, serial), at, added)
    result = lookup(f"m4/{name}", look_alike)
    assert result.status == "serial-above-known", result
    assert result.declared_serial == serial
    assert result.nearest_serial is not None and result.nearest_serial < serial
    novel = dict(result.novel_lines)
    assert novel[at + 1] == added[0].decode()
    assert novel[at + 2] == added[1].decode()
    return result


def test_build_to_host_look_alike_declaring_serial_30() -> None:
    """The xz 5.6 trick, harmlessly: a real build-to-host.m4 that declares serial 30."""
    original = real_build_to_host()
    if original is None:
        pytest.skip("no genuine build-to-host.m4 installed (gettext >= 0.22 or gnulib)")
    result = check_serial_above_known("build-to-host.m4", original, 30)
    serial_line = SERIAL_LINE.search(set_serial(original, 30))
    assert serial_line is not None
    assert serial_line.group(0).decode().strip() in {text for _, text in result.novel_lines}


def test_installed_m4_look_alike_with_a_high_serial() -> None:
    path = installed_m4_with_serial()
    original = path.read_bytes()
    maximum = lookup(path.name, original).max_known_serial
    assert maximum is not None
    check_serial_above_known(path.name, original, maximum + 30)


def test_unknown_name() -> None:
    result = lookup("m4/chainsight-invented-macro.m4", b"AC_DEFUN([X], [:])\n")
    assert result == Provenance(status="unknown", name="chainsight-invented-macro.m4")
    assert lookup("", b"").status == "unknown"


def test_novel_lines_are_capped() -> None:
    path = installed_m4_with_serial()
    many = [f"AC_SUBST([CHAINSIGHT_TEST_{i}])".encode() for i in range(MAX_NOVEL_LINES + 10)]
    result = lookup(path.name, path.read_bytes() + b"\n".join(many) + b"\n")
    assert len(result.novel_lines) == MAX_NOVEL_LINES
    assert result.novel_line_count == MAX_NOVEL_LINES + 10


def test_coverage_describes_the_data() -> None:
    info = coverage()
    providers = info["providers"]
    for provider in ("autoconf", "automake", "libtool", "gettext", "gnulib", "autoconf-archive"):
        assert providers[provider]["versions"] > 0, provider
    assert info["names"] == len(known_names()) > 1000
    assert {"build-to-host.m4", "config.guess", "ltmain.sh", "Makefile.in.in"} <= known_names()


def test_lookups_are_fast_once_loaded() -> None:
    path = installed_m4_with_serial()
    content = insert_after(path.read_bytes(), 3, [BENIGN_M4])
    lookup(path.name, content)
    started = time.perf_counter()
    for _ in range(20):
        lookup(path.name, content)
    assert (time.perf_counter() - started) / 20 < 0.05


def test_is_verified_upstream_agrees_with_lookup() -> None:
    from chainsight.knowledge.upstream_files import is_verified_upstream, lookup

    installed = sorted(Path("/usr/share/aclocal").glob("*.m4"))[:40]
    if not installed:
        pytest.skip("no aclocal macros installed")
    checked = 0
    for path in installed:
        content = path.read_bytes()
        for variant in (content, content + b"\ndnl comment only\n", content + b"\necho hi\n"):
            expected = lookup(path.name, variant).status == "verified-upstream"
            assert is_verified_upstream(path.name, variant) is expected, path.name
            checked += expected
    assert checked > 0  # at least one installed macro is a known release


@pytest.mark.parametrize(
    "content",
    [
        b"dnl",
        b"dnl\x0bx\n dnl\tfoo\ndnlx\n#x\n  a \t\x0c b  \n\x85dnl x",
        b"a\x0b\x0cb\r\n dnl\r\n\n\n  # serial 3\nAC_DEFUN([X],  [\ttrue ])\n",
        b"dnl\xa0x\n\xa0 y \xa0\n",  # a non-ASCII space is content, not whitespace
    ],
)
def test_normalised_hash_matches_its_regex_definition(content: bytes) -> None:
    """The knowledge base's hashes were made with the regex form; the fast form must agree."""
    import hashlib
    import re

    from chainsight.knowledge.upstream_files import normalised_hash

    kept = []
    for raw in content.split(b"\n"):
        stripped = raw.strip()
        comment = stripped.startswith(b"#") or re.match(rb"dnl(?:\s|$)", stripped)
        if stripped and not comment:
            kept.append(re.sub(rb"\s+", b" ", stripped))
    assert normalised_hash(content) == hashlib.sha256(b"\n".join(kept)).hexdigest()[:16]


def test_names_file_lists_exactly_the_zip_names() -> None:
    import json
    import zipfile
    from importlib import resources

    data = resources.files("chainsight.knowledge").joinpath("data")
    listed = data.joinpath("upstream_files_names.txt").read_text(encoding="utf-8")
    with zipfile.ZipFile(data.joinpath("upstream_files.zip").open("rb")) as archive:
        names = json.loads(archive.read("meta.json"))["names"]
    assert listed.splitlines() == names  # the same names, in the same (sorted) order
    assert len(names) > 1000


def test_a_name_the_knowledge_base_lacks_never_opens_the_zip() -> None:
    from chainsight.knowledge import upstream_files as uf

    uf._archive.cache_clear()
    uf._names.cache_clear()
    uf._entry.cache_clear()
    try:
        result = uf.lookup("po/stamp-po", b"timestamp\n")
        assert result.status == "unknown"
        assert "install-sh" in uf.known_names()
        assert uf._archive.cache_info().currsize == 0
        assert uf.lookup("install-sh", b"#!/bin/sh\n").status != "unknown"
        assert uf._archive.cache_info().currsize == 1
    finally:
        uf._entry.cache_clear()


def test_line_hashes_are_line_hash_of_every_non_blank_stripped_line() -> None:
    """The lookup's per-line hashes (each distinct line hashed once) are exactly what
    line_hash gives, which is what the knowledge base was built with."""
    from chainsight.knowledge.upstream_files import _line_hashes, line_hash

    content = b"fi\n\n  fi  \n\tesac\r\nfi\n \x0b\n# c\nd\xffata\nfi"
    expected = [
        (number, line_hash(raw.strip()), raw.strip())
        for number, raw in enumerate(content.split(b"\n"), start=1)
        if raw.strip()
    ]
    assert _line_hashes(content) == expected
    assert [n for n, _, _ in expected] == [1, 3, 4, 5, 7, 8, 9]
