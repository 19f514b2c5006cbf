"""Detectors on small scripted histories and on file contents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chainsight.history.analysis import HistoryRequest, analyse
from chainsight.history.detectors.binaries import is_opaque
from chainsight.history.detectors.build_security import check_blocks
from chainsight.history.detectors.contact import contacts_of, place
from chainsight.model import Severity
from history.scripted import Person, Script, noise_binary, ts, weekly

OWNER = Person("Olga Owner", "olga@proj.example")
NEW = Person("Nils New", "nils@elsewhere.example")

LANDLOCK_CMAKE = """cmake_minimum_required(VERSION 3.14)
project(proj C)
include(CheckCSourceCompiles)
check_c_source_compiles("
    #include <linux/landlock.h>
    #include <sys/syscall.h>
    #include <sys/prctl.h>
{dot}
    void my_sandbox(void)
    {{
        (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        (void)SYS_landlock_create_ruleset;
    }}
    int main(void) {{ return 0; }}
    "
    HAVE_LINUX_LANDLOCK)
"""


def _project_with_newcomer(
    tmp_path: Path, late: dict[str, str | bytes | None], release: bool = False
) -> Path:
    """An owner since 2010 (releases every year); a newcomer with a year of applied
    patches from 2021 who commits themselves from 2022 and makes the ``late`` change on
    2022-06-10 (followed by a release the newcomer tags when ``release``)."""
    script = Script()
    script.commit(
        "2010-01-01",
        OWNER,
        {
            "CMakeLists.txt": LANDLOCK_CMAKE.format(dot=""),
            "fuzz/fuzz_decode.c": "int LLVMFuzzerTestOneInput;\n",
            ".github/workflows/ci.yml": "jobs:\n  asan: -fsanitize=address\n",
        },
    )
    events = sorted(
        [(t, "owner") for t in weekly("2010-01-08", "2022-06-01", 14)]
        + [(t, "patch") for t in weekly("2021-01-05", "2022-01-01", 20)]
        + [(t, "self") for t in weekly("2022-01-03", "2022-06-01", 5)]
    )
    year = 2010
    for t, what in events:
        if t > ts(f"{year}-12-01"):
            script.tag(f"v1.{year - 2010}", f"{year}-12-01", OWNER, key="owner")
            year += 1
        if what == "owner":
            script.commit(t, OWNER)
        elif what == "patch":
            script.commit(t, NEW, committer=OWNER, message="Add a test")
        else:
            script.commit(t, NEW, message="Refactor")
    script.commit("2022-06-10", NEW, late, "Build: fix the sandbox check")
    if release:
        script.tag("v2.0", "2022-06-12", NEW, key="new")
    return script.build(tmp_path / "r.git")


def test_a_one_character_change_to_a_sandbox_check(tmp_path: Path) -> None:
    repo = _project_with_newcomer(tmp_path, {"CMakeLists.txt": LANDLOCK_CMAKE.format(dot=".")})
    report = analyse(HistoryRequest(str(repo)))
    [event] = [e for e in report.events if e.kind == "feature-check-changed"]
    assert event.severity is Severity.MEDIUM
    assert "'HAVE_LINUX_LANDLOCK' check (1 character differ)" in event.message
    assert "sandboxing/hardening" in event.message
    assert event.who == "nils-new"


def test_fuzzing_removed_only_when_nothing_is_left(tmp_path: Path) -> None:
    repo = _project_with_newcomer(
        tmp_path, {"fuzz/fuzz_decode.c": None, ".github/workflows/ci.yml": "jobs:\n  build:\n"}
    )
    report = analyse(HistoryRequest(str(repo)))
    [event] = [e for e in report.events if e.kind == "fuzzing-removed"]
    assert event.severity is Severity.MEDIUM
    assert "deleted the last fuzzing files" in event.message
    assert ".github/workflows/ci.yml no longer mention" in event.message
    moved = _project_with_newcomer(
        tmp_path / "moved", {"fuzz/fuzz_decode.c": None, "tests/fuzz/decode.c": "int x;\n"}
    )
    assert not [
        e for e in analyse(HistoryRequest(str(moved))).events if e.kind == "fuzzing-removed"
    ]


def test_opaque_binaries_before_a_release(tmp_path: Path) -> None:
    alone = _project_with_newcomer(
        tmp_path / "alone",
        {"tests/files/case.bin": noise_binary(9), "tests/files/README": "case.bin: bad\n"},
        release=True,
    )
    [event] = [
        e
        for e in analyse(HistoryRequest(str(alone))).events
        if e.kind == "opaque-binary-before-release"
    ]
    assert event.severity is Severity.HIGH
    assert "2 days before release v2.0" in event.message
    assert "no code in the commit uses them" in event.message
    with_code = _project_with_newcomer(
        tmp_path / "code",
        {
            "tests/files/case.bin": noise_binary(9),
            "tests/test_case.c": "/* reads files/case.bin */\n",
        },
        release=True,
    )
    [event] = [
        e
        for e in analyse(HistoryRequest(str(with_code))).events
        if e.kind == "opaque-binary-before-release"
    ]
    assert event.severity is Severity.MEDIUM
    assert "with code changes (tests/test_case.c)" in event.message
    no_release = _project_with_newcomer(
        tmp_path / "none", {"tests/files/case.bin": noise_binary(9)}
    )
    assert not [
        e
        for e in analyse(HistoryRequest(str(no_release))).events
        if e.kind == "opaque-binary-before-release"
    ]


def test_contact_extraction_and_places() -> None:
    ac = b"AC_INIT([XZ Utils], [5.4.1], [xz@tukaani.org], [xz], [https://tukaani.org/xz/])"
    assert contacts_of("configure.ac", ac) == {
        "bug-report address (AC_INIT)": {"xz@tukaani.org"},
        "homepage (AC_INIT)": {"https://tukaani.org/xz/"},
    }
    pkg = json.dumps(
        {
            "homepage": "https://a.example",
            "bugs": {"url": "https://github.com/o/r/issues", "email": "b@a.example"},
        }
    ).encode()
    assert contacts_of("package.json", pkg)["bugs (package.json)"] == {
        "https://github.com/o/r/issues",
        "b@a.example",
    }
    toml = (
        b'[project.urls]\nHomepage = "https://proj.example"\n"Bug Tracker" = "https://x.example"\n'
    )
    assert set(contacts_of("pyproject.toml", toml)) == {
        "homepage (pyproject.toml)",
        "bug tracker (pyproject.toml)",
    }
    assert place("https://tukaani.org/xz/") != place("https://xz.tukaani.org/xz-utils/")
    assert place("http://www.example.org/a") == place("https://example.org/b/")
    assert place("https://github.com/willmcgugan/rich") != place(
        "https://github.com/Textualize/rich"
    )
    assert place("lasse@tukaani.org") == place("xz@tukaani.org")


def test_check_blocks_keys() -> None:
    ac = b"""AC_CACHE_CHECK([if landlock is usable], [ac_cv_landlock], [
AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[#include <linux/landlock.h>]], [[return 0;]])],
[ac_cv_landlock=yes], [ac_cv_landlock=no])])
""".decode()
    blocks = check_blocks("configure.ac", ac)
    assert list(blocks) == ["if landlock is usable"]
    meson = "cc.compiles('''int main(void){return 0;}''', name: 'seccomp works')\n"
    assert list(check_blocks("meson.build", meson)) == ["seccomp works"]


def test_opaque() -> None:
    assert is_opaque(noise_binary(1))
    assert not is_opaque(b"plain text\n" * 10)
    assert not is_opaque(b"\x89PNG\r\n\x1a\n" + noise_binary(2))
    assert not is_opaque("ünïcödé text".encode() * 10)
    assert not is_opaque(b"<testcase>\n" * 40 + b"\x00\x01 raw bytes\n")


def test_a_reached_limit_makes_the_result_partial(
    takeover_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chainsight.history.detectors import binaries

    monkeypatch.setattr(binaries, "MAX_BLOBS_SNIFFED", 1)
    report = analyse(HistoryRequest(str(takeover_repo)))
    assert report.partial
    assert "candidate files furthest from a release were not read" in report.errors[0]
    # the file nearest a release was still read
    assert [e.kind for e in report.events].count("opaque-binary-before-release") == 1


def test_place_of_wrapped_values() -> None:
    assert place("asuitablecurlmailinglist=>http://curl.haxx.se/mail/") == place(
        "asuitablecurlmailinglist:http://curl.haxx.se/mail/"
    )
