"""Debian packaging readers and the patch checks, on synthetic debian/ directories."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from chainsight.analyzers.debian_package import patch_findings, read_patches
from chainsight.analyzers.debian_patches import is_build_file, parse_patch, read_series
from chainsight.openpgp import ArmorError, dearmor, parse_status
from chainsight.registry.apt_sources import parse_deb822, parse_one_line
from chainsight.sources.debian_packaging import (
    DebianPackaging,
    read_packaging_diff,
    read_packaging_tarball,
)
from chainsight.sources.debian_upstream import (
    forge_repository,
    upstream_repositories,
    watch_repositories,
)

GIT_PATCH = """\
From 1234 Mon Sep 17 00:00:00 2001
Subject: [PATCH 2/3] use the system zlib

---
diff --git a/m4/zlib.m4 b/m4/zlib.m4
index 1..2 100644
--- a/m4/zlib.m4
+++ b/m4/zlib.m4
@@ -10,3 +10,4 @@ AC_DEFUN([GL_ZLIB],
 [
-  gl_zlib=bundled
+  gl_zlib=system
+  AC_SUBST([ZLIB_LIBS])
 ])
--
-- a line that looks like a removal but follows the hunk
diff --git a/doc/logo.png b/doc/logo.png
Binary files a/doc/logo.png and b/doc/logo.png differ
"""


def test_parse_patch_counts_only_hunk_lines() -> None:
    patch = parse_patch("debian/patches/zlib.patch", GIT_PATCH)
    assert patch.description == "use the system zlib"
    assert [(f.path, f.added, f.removed, f.binary) for f in patch.files] == [
        ("m4/zlib.m4", 2, 1, False),
        ("doc/logo.png", 0, 0, True),
    ]
    assert patch.files[0].hunks[0].added == ("  gl_zlib=system", "  AC_SUBST([ZLIB_LIBS])")


def test_read_series_drops_comments_and_options() -> None:
    assert read_series("# a comment\nfix.patch -p1\n\n  sub/other.diff # why\n") == [
        "fix.patch",
        "sub/other.diff",
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("configure.ac", True),
        ("m4/zlib.m4", True),
        ("build-aux/ltmain.sh", True),
        ("src/Makefile.am", True),
        ("CMakeLists.txt", True),
        ("meson.build", True),
        ("src/hello.c", False),
        ("tests/run.sh", False),
        ("lib/module.py", False),
    ],
)
def test_is_build_file(path: str, expected: bool) -> None:
    assert is_build_file(path) is expected


def _packaging(patches: dict[str, str]) -> DebianPackaging:
    files = {f"debian/patches/{n}": t.encode() for n, t in patches.items()}
    files["debian/patches/series"] = ("\n".join([*patches, "gone.patch"]) + "\n").encode()
    return DebianPackaging(files)


def test_patch_to_m4_is_medium_and_missing_patch_is_reported() -> None:
    findings = patch_findings(_packaging({"zlib.patch": GIT_PATCH}))
    by_rule = {f.rule_id: f for f in findings}
    assert by_rule["deb-patch-missing"].evidence[0].text == "gone.patch"
    build = by_rule["deb-patch-build-system"]
    assert build.severity.value == "medium"  # an m4 macro: generated/aux territory
    assert any(e.text == "+  gl_zlib=system" for e in build.evidence)
    assert [r.path for r in build.related] == ["m4/zlib.m4"]


LOADER_PATCH = """\
Description: harmless-looking build tweak (synthetic test fixture)
--- a/configure.ac
+++ b/configure.ac
@@ -1,2 +1,3 @@
 AC_INIT([demo], [1.0])
+AC_CONFIG_COMMANDS([tweak], [xz -dc tests/files/data.xz | tr 'a-z' 'n-za-m' | sh])
 AC_OUTPUT
"""


def test_patch_adding_loader_behaviour_is_raised() -> None:
    findings = patch_findings(_packaging({"tweak.patch": LOADER_PATCH}))
    build = next(f for f in findings if f.rule_id == "deb-patch-build-system")
    assert build.severity.rank >= 2  # the behaviour analyzer's signal lifts it above low
    assert any("build-" in e.text for e in build.evidence)


def test_patch_outside_build_system_is_only_summarised() -> None:
    patch = "--- a/src/x.c\n+++ b/src/x.c\n@@ -1 +1 @@\n-int a;\n+int b;\n"
    findings = patch_findings(DebianPackaging({
        "debian/patches/series": b"x.patch\n",
        "debian/patches/x.patch": patch.encode(),
    }))  # fmt: skip
    assert [f.rule_id for f in findings] == ["deb-patches"]
    assert "+1 -1" in findings[0].title


def _tar(path: Path, files: dict[str, bytes], top: str = "") -> Path:
    with tarfile.open(path, "w:xz") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(top + name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def test_read_packaging_tarball_keeps_only_debian_files(tmp_path: Path) -> None:
    deb = _tar(
        tmp_path / "p_1-1.debian.tar.xz",
        {
            "debian/watch": b"version=4\n",
            "debian/rules": b"#!/usr/bin/make -f\n",
            "debian/upstream/metadata": b"Repository: https://gitlab.com/grp/sub/proj.git\n",
        },
    )
    packaging = read_packaging_tarball(deb)
    assert sorted(packaging.files) == ["debian/upstream/metadata", "debian/watch"]
    native = _tar(
        tmp_path / "p_1.tar.xz",
        {"debian/watch": b"w\n", "src/a.c": b"int a;\n"},
        top="p-1/",
    )
    assert sorted(read_packaging_tarball(native, native=True).files) == ["debian/watch"]
    assert upstream_repositories(packaging, "p") == ["https://gitlab.com/grp/sub/proj"]


def test_read_packaging_diff_format_1_0(tmp_path: Path) -> None:
    diff = (
        "--- p-1.0.orig/debian/watch\n+++ p-1.0/debian/watch\n@@ -0,0 +1,2 @@\n"
        "+version=4\n+https://github.com/o/p/releases .*/p-(.+)\\.tar\\.gz\n"
        "--- p-1.0.orig/Makefile.am\n+++ p-1.0/Makefile.am\n@@ -1 +1 @@\n-a\n+b\n"
    )
    path = tmp_path / "p_1.0-1.diff.gz"
    path.write_bytes(gzip.compress(diff.encode()))
    packaging = read_packaging_diff(path)
    assert packaging.text(
        "debian/watch",
    ).startswith("version=4\n")  # type: ignore[union-attr]
    assert packaging.upstream_diff is not None and b"Makefile.am" in packaging.upstream_diff
    patches, _missing = read_patches(packaging)
    assert [f.path for p in patches for f in p.files] == ["Makefile.am"]
    assert upstream_repositories(packaging, "p") == ["https://github.com/o/p"]


@pytest.mark.parametrize(
    ("url", "repo"),
    [
        ("https://github.com/tukaani-project/xz/releases/download/v5.4.1/x.tar.gz",
         "https://github.com/tukaani-project/xz"),
        ("https://gitlab.gnome.org/GNOME/glib/-/tags", "https://gitlab.gnome.org/GNOME/glib"),
        ("https://github.com/@PACKAGE@/@PACKAGE@/tags", "https://github.com/zlib/zlib"),
        ("https://github.com/owner/repo.git", "https://github.com/owner/repo"),
        ("https://github.com/downloads/x", None),
        ("https://github.com/owner/(.*)/tags", None),
        ("https://www.zlib.net/", None),
    ],
)  # fmt: skip
def test_forge_repository(url: str, repo: str | None) -> None:
    assert forge_repository(url, "zlib") == repo


def test_watch_version_5_and_git_mode() -> None:
    watch = (
        "Version: 5\n\nSource: https://github.com/madler/zlib/tags\nMatching-Pattern: .*\n"
        'opts="mode=git" https://git.example.org/tool.git refs/tags/v([\\d.]+)\n'
    )
    assert watch_repositories(watch) == [
        "https://github.com/madler/zlib",
        "https://git.example.org/tool.git",
    ]


def test_apt_sources_formats() -> None:
    one = parse_one_line(
        "deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
        "http://deb.debian.org/debian/ bookworm main contrib\n#deb-src http://x/debian sid main\n"
    )
    assert [(s.uri, s.suites, s.components, s.is_debian) for s in one] == [
        ("http://deb.debian.org/debian", ("bookworm",), ("main", "contrib"), True)
    ]
    stanzas = parse_deb822(
        "Types: deb deb-src\nURIs: https://mirror.example.edu/debian\nSuites: trixie\n"
        "Components: main\n\nEnabled: no\nTypes: deb\nURIs: http://deb.debian.org/debian\n"
        "Suites: sid\n\nTypes: deb\nURIs: http://archive.ubuntu.com/ubuntu\nSuites: noble\n"
    )
    assert [(s.uri, s.suites, s.is_debian) for s in stanzas] == [
        ("https://mirror.example.edu/debian", ("trixie",), True),
        ("http://archive.ubuntu.com/ubuntu", ("noble",), False),
    ]


def test_dearmor() -> None:
    import base64

    body = bytes([0x99, 0x00, 0x01, 0x02]) * 20
    armored = (
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: test\n\n"
        + base64.encodebytes(body).decode()
        + "=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n"
    )
    assert dearmor(armored.encode() * 2) == body * 2
    assert dearmor(body) == body
    with pytest.raises(ArmorError):
        dearmor(b"not a key")


def test_parse_status_groups_signatures() -> None:
    status = (
        "[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG AAAA Alice <a@x>\n"
        "[GNUPG:] VALIDSIG SUBFPR 2024-01-01 1 0 4 0 22 8 01 PRIMARYFPR\n"
        "[GNUPG:] NEWSIG\n[GNUPG:] ERRSIG BBBB 22 8 01 1700000000 9 FPRB\n"
        "[GNUPG:] NO_PUBKEY BBBB\n"
        "[GNUPG:] NEWSIG\n[GNUPG:] BADSIG CCCC Carol <c@x>\n"
    )
    sigs = parse_status(status)
    assert [(s.status, s.good, s.missing_key) for s in sigs] == [
        ("GOODSIG", True, False),
        ("ERRSIG", False, True),
        ("BADSIG", False, False),
    ]
    assert sigs[0].primary_fingerprint == "PRIMARYFPR" and sigs[0].user_id == "Alice <a@x>"
