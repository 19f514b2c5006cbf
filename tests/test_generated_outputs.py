"""Outputs kept out of git on purpose: a Meson subproject a wrap declares, and a file
the tag's .gitignore excludes that a tracked generator names. Explained (plausible,
not verified); build code among them is still read."""

from __future__ import annotations

from pathlib import Path

from conftest import audit_json, make_repo, make_tar, record

WRAP = """\
[wrap-file]
directory = bmpio-1.2.0
source_url = https://example.invalid/bmpio-1.2.0.tar.gz
source_filename = bmpio-1.2.0.tar.gz
source_hash = 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
"""

SUBPROJECT = {
    "subprojects/bmpio-1.2.0/meson.build": (
        "project('bmpio', 'c')\nlib = static_library('bmpio', 'bmpio.c')\n"
    ),
    "subprojects/bmpio-1.2.0/bmpio.c": "int bmpio_read(void) { return 0; }\n",
}


def _meson_release(tmp_path: Path, extra: dict[str, str]) -> tuple[Path, Path]:
    files = {
        "meson.build": "project('app', 'c')\nbmpio = subproject('bmpio')\n",
        "subprojects/bmpio.wrap": WRAP,
        ".gitignore": "/subprojects/*/\n",
        "src/main.c": "int main(void) { return 0; }\n",
        "tests/data/logo.bmp": "BM" + "x" * 60,
    }
    repo = make_repo(tmp_path / "repo", files)
    art = make_tar(tmp_path / "app-1.0.0.tar.gz", {**files, **SUBPROJECT, **extra}, "app-1.0.0")
    return repo, art


def test_a_subproject_declared_by_a_wrap_is_vendored(tmp_path: Path) -> None:
    repo, art = _meson_release(tmp_path, {})
    _code, report = audit_json(art, repo)
    rec = record(report, "subprojects/bmpio-1.2.0/bmpio.c")
    assert rec["category"] == "vendored"
    assert "subprojects/bmpio.wrap" in rec["explanation"]
    assert not [f for f in report["findings"] if f["severity"] in ("high", "critical")]


def test_build_code_in_a_vendored_subproject_is_still_read(tmp_path: Path) -> None:
    bad = (
        SUBPROJECT["subprojects/bmpio-1.2.0/meson.build"]
        + "run_command('sh', '-c', 'xz -dc ../../tests/data/logo.bmp | sh', check : false)\n"
    )
    repo, art = _meson_release(tmp_path, {"subprojects/bmpio-1.2.0/meson.build": bad})
    _code, report = audit_json(art, repo)
    at_build = [
        f
        for f in report["findings"]
        if f["path"] == "subprojects/bmpio-1.2.0/meson.build" and f["rule_id"].startswith("build-")
    ]
    assert at_build and at_build[0]["severity"] == "critical"


SETUP_PY = """\
import os
from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))


def generate():
    with open(os.path.join(HERE, "src", "pkg", "_table.py"), "w") as fh:
        fh.write("TABLE = (1, 2, 3)\\n")


generate()
setup(name="pkg", version="1.0.0", package_dir={"": "src"}, packages=["pkg"])
"""


def _sdist(tmp_path: Path, gitignore: str) -> tuple[Path, Path]:
    files = {
        "setup.py": SETUP_PY,
        "src/pkg/__init__.py": "from ._table import TABLE\n",
        ".gitignore": gitignore,
    }
    repo = make_repo(tmp_path / "repo", files)
    art = make_tar(
        tmp_path / "pkg-1.0.0.tar.gz", {**files, "src/pkg/_table.py": "TABLE = (1, 2, 3)\n"}
    )
    return repo, art


def test_an_ignored_file_a_tracked_generator_names_is_build_output(tmp_path: Path) -> None:
    repo, art = _sdist(tmp_path, "/build/\nsrc/pkg/_table.py\n")
    _code, report = audit_json(art, repo)
    rec = record(report, "src/pkg/_table.py")
    assert rec["category"] == "build_output"
    assert "setup.py" in rec["explanation"]
    assert not [f for f in report["findings"] if f["severity"] in ("high", "critical")]


def test_the_same_file_not_ignored_stays_unexplained(tmp_path: Path) -> None:
    repo, art = _sdist(tmp_path, "/build/\n")
    _code, report = audit_json(art, repo)
    assert record(report, "src/pkg/_table.py")["category"] == "unexplained"
    finding = next(f for f in report["findings"] if f["path"] == "src/pkg/_table.py")
    assert (finding["rule_id"], finding["severity"]) == ("unexplained-code", "high")


# -- found by the corpus of major packages (openssh 9.2p1, util-linux 2.38.1) ------------

MAN_SOURCE = {
    "ssh.1": ".Dd $Mdocdate$\n.Dt SSH 1\n.Os\n.Sh NAME\n.Nm ssh\n",
    "sshd.8": ".Dd $Mdocdate$\n.Dt SSHD 8\n.Os\n.Sh NAME\n.Nm sshd\n",
    "main.c": "int main(void) { return 0; }\n",
    "po/update-potfiles": "#!/bin/sh\nfind . -name '*.c' > po/POTFILES.in\n",
}


def test_catman_pages_and_a_generated_potfiles_list_are_explained(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", MAN_SOURCE)
    files = {
        **MAN_SOURCE,
        "ssh.0": "SSH(1)                 General Commands Manual                SSH(1)\n\nNAME\n",
        "sshd.0": "SSHD(8)              System Manager's Manual              SSHD(8)\n\nNAME\n",
        "po/POTFILES.in": "# files with translatable strings\nmain.c\n",
    }
    _, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", files), repo)
    for path in ("ssh.0", "sshd.0"):
        assert record(report, path)["category"] == "rendered_docs", path
    potfiles = record(report, "po/POTFILES.in")
    assert (potfiles["category"], potfiles["verified"]) == ("gettext_boilerplate", True)
    assert not [f for f in report["findings"] if f["severity"] in ("medium", "high", "critical")]


def test_a_potfiles_list_naming_files_git_lacks_and_a_fake_catman_page_are_not(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo", MAN_SOURCE)
    files = {
        **MAN_SOURCE,
        "ssh.0": "#!/bin/sh\necho not a manual page\n",
        "po/POTFILES.in": "main.c\nsrc/added-in-release.c\n",
    }
    _, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", files), repo)
    assert record(report, "ssh.0")["category"] != "rendered_docs"
    assert record(report, "po/POTFILES.in")["verified"] is False
