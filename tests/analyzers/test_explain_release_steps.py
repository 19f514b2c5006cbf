"""Release steps that change or add files: each explanation is checked from the JSON
report, and a variant that hides a real change behind the same step is not explained."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import audit_json, findings_at, git, make_repo, make_tar, record


def _findings_for(report: dict[str, Any], path: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["path"] == path]


def _severities(report: dict[str, Any], path: str) -> list[str]:
    return [f["severity"] for f in _findings_for(report, path)]


def _commit(repo: Path, ref: str = "v1.0.0") -> str:
    return git(repo, "rev-parse", f"{ref}^{{commit}}").strip()


C_BASE = {
    "README": "tool: a small C program\n",
    "src/main.c": '#include "tool/version.h"\nint main(void) { return 0; }\n',
}

# -- release stamping ---------------------------------------------------------------------

VERSION_H = """\
#ifndef TOOL_VERSION_H
#define TOOL_VERSION_H

/* This is the version number of the tool, "-DEV" in git */
#define TOOL_VERSION "1.0.0-DEV"
#define TOOL_VERSION_MAJOR 1
#define TOOL_VERSION_MINOR 0
#define TOOL_VERSION_NUM 0x010000

/* The date of this release, "[unreleased]" in git */
#define TOOL_TIMESTAMP "[unreleased]"

#define TOOL_MAX_LEN 10

#endif
"""

STAMPED_H = VERSION_H.replace('"1.0.0-DEV"', '"1.0.0"').replace(
    '"[unreleased]"\n', '"2024-02-01"\n'
)

MAN_PAGE = '.TH TOOL 1 "January 2024" "tool 1.0.0-DEV" "User Commands"\n.SH NAME\ntool\n'


@pytest.fixture()
def stamp_repo(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "repo",
        {**C_BASE, "include/tool/version.h": VERSION_H, "doc/tool.1": MAN_PAGE},
    )


def test_release_stamping_of_version_and_date_is_verified(tmp_path: Path, stamp_repo: Path) -> None:
    shipped = {
        **C_BASE,
        "include/tool/version.h": STAMPED_H,
        "doc/tool.1": MAN_PAGE.replace("January 2024", "February 2024").replace("-DEV", ""),
    }
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), stamp_repo)
    assert code == 0
    for path in ("include/tool/version.h", "doc/tool.1"):
        rec = record(report, path)
        assert rec["status"] == "modified"
        assert (rec["category"], rec["verified"]) == ("release_stamping", True), rec
        assert not _findings_for(report, path)


def test_numeric_constant_change_next_to_stamps_is_high(tmp_path: Path, stamp_repo: Path) -> None:
    tampered = STAMPED_H.replace("#define TOOL_MAX_LEN 10", "#define TOOL_MAX_LEN 11")
    shipped = {**C_BASE, "include/tool/version.h": tampered, "doc/tool.1": MAN_PAGE}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), stamp_repo)
    assert code == 1
    rec = record(report, "include/tool/version.h")
    assert rec["category"] == "unexplained"
    assert rec["verified"] is False
    high = [f for f in findings_at(report, "high") if f["path"] == "include/tool/version.h"]
    assert high
    assert any("TOOL_MAX_LEN 11" in e["text"] for e in high[0]["evidence"])


def test_numeric_constant_change_alone_is_high(tmp_path: Path) -> None:
    header = "#ifndef LIMITS_H\n#define LIMITS_H\n#define MAX_LEN 10\n#endif\n"
    repo = make_repo(tmp_path / "repo", {**C_BASE, "include/tool/limits.h": header})
    shipped = {**C_BASE, "include/tool/limits.h": header.replace("MAX_LEN 10", "MAX_LEN 11")}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    assert code == 1
    assert record(report, "include/tool/limits.h")["category"] == "unexplained"
    assert _severities(report, "include/tool/limits.h") == ["high"]


def test_numeric_constant_on_a_line_that_mentions_a_version_is_not_stamping(
    tmp_path: Path,
) -> None:
    """A comment that mentions a version does not make MAX_LEN a version number."""
    header = '#define MAX_LEN 10 /* raised in version 0.9 */\n#define TOOL_VERSION "1.0.0-DEV"\n'
    repo = make_repo(tmp_path / "repo", {**C_BASE, "include/tool/limits.h": header})
    shipped_h = header.replace("MAX_LEN 10", "MAX_LEN 11").replace("-DEV", "")
    shipped = {**C_BASE, "include/tool/limits.h": shipped_h}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    rec = record(report, "include/tool/limits.h")
    assert rec["category"] != "release_stamping", rec
    assert rec["verified"] is False
    assert _severities(report, "include/tool/limits.h") == ["high"]
    assert code == 1


@pytest.mark.parametrize(
    "before, after",
    [
        # "VALIDATE" contains "date": the line is not about a date for all that
        ("#define TOOL_VALIDATE_SIGNATURES 1\n", "#define TOOL_VALIDATE_SIGNATURES 0\n"),
        # "DECODE" contains "dec": not a month either
        ("#define TOOL_MAX_DECODE_LEN 10\n", "#define TOOL_MAX_DECODE_LEN 64\n"),
    ],
    ids=["validate-flag", "decode-len"],
)
def test_constant_whose_name_merely_contains_a_stamp_word_is_not_stamping(
    tmp_path: Path, before: str, after: str
) -> None:
    """Beside a genuine version and date stamp, a changed constant whose *name* happens to
    contain "date" or a month abbreviation is still a changed constant."""
    source_h = VERSION_H.replace("#define TOOL_MAX_LEN 10\n", before)
    shipped_h = STAMPED_H.replace("#define TOOL_MAX_LEN 10\n", after)
    repo = make_repo(tmp_path / "repo", {**C_BASE, "include/tool/version.h": source_h})
    shipped = {**C_BASE, "include/tool/version.h": shipped_h}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    rec = record(report, "include/tool/version.h")
    assert rec["category"] != "release_stamping", rec
    assert rec["verified"] is False
    assert _severities(report, "include/tool/version.h") == ["high"]
    assert code == 1


# -- ChangeLog generated from history ----------------------------------------------------

SUBJECTS = ["Add the frobnicator", "Fix crash on empty input", "Document the --quiet option"]


@pytest.fixture()
def history_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo", C_BASE, tag=None)
    for n, subject in enumerate(SUBJECTS):
        (repo / "src" / f"part{n}.c").write_text(f"int part{n};\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"{subject}\n\nLonger description {n}.")
    git(repo, "tag", "-a", "v1.0.0", "-m", "release v1.0.0")
    return repo


def _gnu_changelog(subjects: list[str]) -> str:
    out = []
    for s in reversed(subjects):
        out.append(
            f"2024-02-01  Test Author  <author@example.org>\n\n\t{s}\n\n\t* src/x.c: Update.\n\n"
        )
    return "".join(out)


def _git_log_changelog(subjects: list[str]) -> str:
    out = []
    for n, s in enumerate(reversed(subjects)):
        out.append(
            f"commit {n:040x}\nAuthor: Test Author <author@example.org>\n"
            f"Date:   Thu Feb 1 10:00:00 2024 +0000\n\n    {s}\n\n"
        )
    return "".join(out)


@pytest.mark.parametrize("style", [_gnu_changelog, _git_log_changelog], ids=["gnu", "git-log"])
def test_changelog_generated_from_history_is_verified(
    tmp_path: Path, history_repo: Path, style: Any
) -> None:
    shipped = {
        **C_BASE,
        **{f"src/part{n}.c": f"int part{n};\n" for n in range(len(SUBJECTS))},
        "ChangeLog": style(["initial import", *SUBJECTS]),
    }
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), history_repo)
    assert code == 0
    rec = record(report, "ChangeLog")
    assert rec["status"] == "artifact_only"
    assert (rec["category"], rec["verified"]) == ("changelog", True), rec
    assert not _findings_for(report, "ChangeLog")


def test_changelog_with_invented_entries_is_not_verified(
    tmp_path: Path, history_repo: Path
) -> None:
    invented = ["Add telemetry upload", "Move downloads to a new mirror", "Speed up the tests"]
    shipped = {
        **C_BASE,
        **{f"src/part{n}.c": f"int part{n};\n" for n in range(len(SUBJECTS))},
        "ChangeLog": _gnu_changelog(invented),
    }
    _, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), history_repo)
    rec = record(report, "ChangeLog")
    assert rec["verified"] is False, rec
    assert _findings_for(report, "ChangeLog")


# -- gettext .po ----------------------------------------------------------------------------

PO = """\
# German translation for tool.
msgid ""
msgstr ""
"Project-Id-Version: tool 0.9\\n"
"Report-Msgid-Bugs-To: bugs@example.org\\n"
"POT-Creation-Date: 2024-01-01 10:00+0000\\n"
"PO-Revision-Date: 2024-01-02 11:00+0100\\n"
"Last-Translator: A Translator <t@example.org>\\n"
"Language-Team: German <de@example.org>\\n"
"Language: de\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"

#: src/main.c:10
msgid "Hello"
msgstr "Hallo"

#: src/main.c:20 src/util.c:5
#, c-format
msgid "%d files"
msgstr "%d Dateien"
"""

PO_MERGED = (
    PO.replace("POT-Creation-Date: 2024-01-01 10:00", "POT-Creation-Date: 2024-02-01 09:30")
    .replace("Project-Id-Version: tool 0.9", "Project-Id-Version: tool 1.0.0")
    .replace("#: src/main.c:10", "#: src/main.c:12")
    .replace("#: src/main.c:20 src/util.c:5", "#: src/main.c:24 src/util.c:7")
)


def test_po_with_only_dates_and_references_changed_is_verified(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**C_BASE, "po/de.po": PO, "po/LINGUAS": "de\n"})
    shipped = {**C_BASE, "po/de.po": PO_MERGED, "po/LINGUAS": "de\n"}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    assert code == 0
    rec = record(report, "po/de.po")
    assert (rec["category"], rec["verified"]) == ("gettext_po", True), rec
    assert not _findings_for(report, "po/de.po")


def test_po_with_a_changed_msgstr_is_not_verified(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**C_BASE, "po/de.po": PO})
    shipped = {**C_BASE, "po/de.po": PO_MERGED.replace('msgstr "Hallo"', 'msgstr "Servus"')}
    _, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    rec = record(report, "po/de.po")
    assert rec["verified"] is False, rec
    assert rec["category"] != "gettext_po"
    sev = _severities(report, "po/de.po")
    assert sev and sev[0] in ("medium", "high")


def test_po_with_translations_swapped_between_messages_is_not_verified(tmp_path: Path) -> None:
    """msgmerge never gives an exact msgid another message's translation (unless fuzzy)."""
    po = PO.replace(
        'msgstr "Hallo"\n',
        'msgstr "Hallo"\n\n#: src/main.c:30\nmsgid "Keep files"\nmsgstr "Dateien behalten"\n'
        '\n#: src/main.c:40\nmsgid "Delete files"\nmsgstr "Dateien löschen"\n',
    )
    swapped = (
        po.replace('msgstr "Dateien behalten"', 'msgstr "@@A"')
        .replace('msgstr "Dateien löschen"', 'msgstr "Dateien behalten"')
        .replace('msgstr "@@A"', 'msgstr "Dateien löschen"')
    )
    assert swapped != po
    repo = make_repo(tmp_path / "repo", {**C_BASE, "po/de.po": po})
    shipped = {**C_BASE, "po/de.po": swapped}
    _, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    rec = record(report, "po/de.po")
    assert rec["verified"] is False, rec
    assert _findings_for(report, "po/de.po")


def test_po_with_a_fuzzy_match_from_msgmerge_is_verified(tmp_path: Path) -> None:
    """The source string changed: msgmerge keeps the old translation, marked fuzzy."""
    repo = make_repo(tmp_path / "repo", {**C_BASE, "po/de.po": PO})
    merged = PO_MERGED.replace(
        'msgid "Hello"\nmsgstr "Hallo"',
        '#, fuzzy\n#| msgid "Hello"\nmsgid "Hello!"\nmsgstr "Hallo"',
    )
    shipped = {**C_BASE, "po/de.po": merged}
    _, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    rec = record(report, "po/de.po")
    assert (rec["category"], rec["verified"]) == ("gettext_po", True), rec


# -- pyproject.toml rewritten by a build backend ------------------------------------------

PYPROJECT = """\
# Build configuration of pkg.
[build-system]
requires = ["setuptools>=61", "setuptools-scm>=8"]  # scm for the version
build-backend = "setuptools.build_meta"

[project]
name = "pkg"
dynamic = ["version"]  # from the git tag
description = "A package"
dependencies = ["requests>=2"]

[tool.setuptools_scm]
"""

PYPROJECT_REWRITTEN = """\
[build-system]
requires = ["setuptools>=61", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "pkg"
version = "1.0.0"
description = "A package"
dependencies = ["requests>=2"]

[tool.setuptools_scm]
"""

PY_BASE = {"src/pkg/__init__.py": "VALUE = 1\n", "README.md": "# pkg\n"}


def test_pyproject_rewritten_by_backend_is_verified(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**PY_BASE, "pyproject.toml": PYPROJECT})
    shipped = {**PY_BASE, "pyproject.toml": PYPROJECT_REWRITTEN}
    code, report = audit_json(make_tar(tmp_path / "pkg-1.0.0.tar.gz", shipped), repo)
    assert code == 0
    rec = record(report, "pyproject.toml")
    assert rec["status"] == "modified"
    assert (rec["category"], rec["verified"]) == ("build_backend_rewrite", True), rec
    assert rec["build_time"] is True
    assert not _findings_for(report, "pyproject.toml")


def test_pyproject_with_changed_dependencies_is_high(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**PY_BASE, "pyproject.toml": PYPROJECT})
    tampered = PYPROJECT_REWRITTEN.replace(
        'dependencies = ["requests>=2"]', 'dependencies = ["requests>=2", "helper-x>=0.1"]'
    )
    shipped = {**PY_BASE, "pyproject.toml": tampered}
    code, report = audit_json(make_tar(tmp_path / "pkg-1.0.0.tar.gz", shipped), repo)
    assert code == 1
    rec = record(report, "pyproject.toml")
    assert rec["category"] == "unexplained"
    assert rec["build_time"] is True
    high = [f for f in _findings_for(report, "pyproject.toml") if f["severity"] == "high"]
    assert high and high[0]["rule_id"] == "unexplained-build-code"


# -- setup.py generated from pyproject (poetry-core style) ---------------------------------

POETRY_PYPROJECT = """\
[tool.poetry]
name = "pkg"
version = "1.0.0"
description = "A package"
authors = ["A <a@example.org>"]
packages = [{ include = "pkg", from = "src" }]

[tool.poetry.dependencies]
python = ">=3.8"
requests = ">=2"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"""

GENERATED_SETUP = """\
# -*- coding: utf-8 -*-
from setuptools import setup

package_dir = \\
{'': 'src'}

packages = \\
['pkg']

package_data = \\
{'': ['*']}

install_requires = \\
['requests>=2']

setup_kwargs = {
    'name': 'pkg',
    'version': '1.0.0',
    'description': 'A package',
    'long_description': None,
    'author': 'A',
    'author_email': 'a@example.org',
    'maintainer': None,
    'maintainer_email': None,
    'url': None,
    'package_dir': package_dir,
    'packages': packages,
    'package_data': package_data,
    'install_requires': install_requires,
    'python_requires': '>=3.8',
}


setup(**setup_kwargs)
"""


@pytest.fixture()
def poetry_repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {**PY_BASE, "pyproject.toml": POETRY_PYPROJECT})


def _poetry_sdist(tmp_path: Path, setup_py: str) -> Path:
    files = {
        **PY_BASE,
        "pyproject.toml": POETRY_PYPROJECT,
        "setup.py": setup_py,
        "PKG-INFO": "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0.0\n",
    }
    return make_tar(tmp_path / "pkg-1.0.0.tar.gz", files)


def test_generated_setup_py_is_verified(tmp_path: Path, poetry_repo: Path) -> None:
    code, report = audit_json(_poetry_sdist(tmp_path, GENERATED_SETUP), poetry_repo)
    assert code == 0
    rec = record(report, "setup.py")
    assert rec["status"] == "artifact_only"
    assert (rec["category"], rec["verified"]) == ("generated_setup", True), rec
    assert rec["build_time"] is True
    assert not _findings_for(report, "setup.py")


def test_setup_py_that_runs_something_is_high(tmp_path: Path, poetry_repo: Path) -> None:
    setup_py = (
        "import os\nfrom setuptools import setup\n\n"
        "os.system('echo benign > marker.txt')\n\nsetup(name='pkg', version='1.0.0')\n"
    )
    code, report = audit_json(_poetry_sdist(tmp_path, setup_py), poetry_repo)
    assert code == 1
    rec = record(report, "setup.py")
    assert rec["category"] == "unexplained"
    high = [f for f in _findings_for(report, "setup.py") if f["severity"] == "high"]
    assert high and high[0]["rule_id"] == "unexplained-build-code"
    assert any("os.system" in e["text"] for e in high[0]["evidence"])


def test_setup_py_with_setup_rebound_to_exec_is_high(tmp_path: Path, poetry_repo: Path) -> None:
    """Only assignments and a setup(...) call, but ``setup`` is now ``exec``: that runs code."""
    setup_py = (
        "from setuptools import setup\n\n"
        "setup = exec\n"
        "setup(\"open('marker.txt', 'w').write('benign')\")\n"
    )
    code, report = audit_json(_poetry_sdist(tmp_path, setup_py), poetry_repo)
    rec = record(report, "setup.py")
    assert rec["category"] != "generated_setup", rec
    assert rec["verified"] is False
    assert _severities(report, "setup.py") == ["high"]
    assert code == 1


def test_generated_setup_py_with_dependencies_pyproject_lacks_is_not_verified(
    tmp_path: Path, poetry_repo: Path
) -> None:
    """Only literals, but it installs (and at build time runs) a package the project's
    pyproject.toml never asked for: not what poetry generates from this pyproject."""
    setup_py = GENERATED_SETUP.replace(
        "install_requires = \\\n['requests>=2']",
        "install_requires = \\\n['requests>=2', 'helper-x>=0.1']",
    ).replace(
        "'python_requires': '>=3.8',",
        "'python_requires': '>=3.8',\n    'setup_requires': ['helper-x>=0.1'],",
    )
    assert setup_py.count("helper-x") == 2
    code, report = audit_json(_poetry_sdist(tmp_path, setup_py), poetry_repo)
    rec = record(report, "setup.py")
    assert rec["verified"] is False, rec
    assert _severities(report, "setup.py") == ["high"]
    assert code == 1


# -- cargo package ---------------------------------------------------------------------------

CARGO = {
    "Cargo.toml": '[package]\nname = "mycrate"\nversion = "1.0.0"\nedition = "2021"\n',
    "src/lib.rs": "pub fn answer() -> u32 { 42 }\n",
}


@pytest.mark.parametrize("right_commit", [True, False], ids=["audited-commit", "other-commit"])
def test_cargo_vcs_info_records_the_audited_commit(tmp_path: Path, right_commit: bool) -> None:
    repo = make_repo(tmp_path / "repo", CARGO)
    sha = _commit(repo) if right_commit else "1234567890abcdef1234567890abcdef12345678"
    info = json.dumps({"git": {"sha1": sha}, "path_in_vcs": ""}, indent=2)
    shipped = {**CARGO, ".cargo_vcs_info.json": info}
    code, report = audit_json(make_tar(tmp_path / "mycrate-1.0.0.tar.gz", shipped), repo)
    rec = record(report, ".cargo_vcs_info.json")
    assert rec["verified"] is right_commit, rec
    if right_commit:
        assert rec["category"] == "cargo_package"
        assert not _findings_for(report, ".cargo_vcs_info.json")
        assert code == 0
    else:
        assert _findings_for(report, ".cargo_vcs_info.json")


# -- rendered docs, compiled output, vendored trees ----------------------------------------


def test_man_page_rendered_from_markdown_is_rendered_docs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**C_BASE, "doc/tool.1.md": "% TOOL(1)\n\n# NAME\n"})
    shipped = {
        **C_BASE,
        "doc/tool.1.md": "% TOOL(1)\n\n# NAME\n",
        "doc/tool.1": '.TH "TOOL" "1"\n.SH NAME\n',
    }
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    assert code == 0
    rec = record(report, "doc/tool.1")
    assert rec["status"] == "artifact_only"
    assert rec["category"] == "rendered_docs"
    assert set(_severities(report, "doc/tool.1")) <= {"info", "low"}


NPM_PKG = {
    "name": "tsthing",
    "version": "1.0.0",
    "main": "dist/index.js",
    "scripts": {"build": "tsc"},
}


def test_npm_compiled_output_is_low_only(tmp_path: Path) -> None:
    source = {
        "package.json": json.dumps(NPM_PKG, indent=2),
        "src/index.ts": "export const pad = (s: string, n: number): string => s.padStart(n);\n",
        "tsconfig.json": '{"compilerOptions": {"outDir": "dist"}}\n',
    }
    repo = make_repo(tmp_path / "repo", source)
    shipped = {
        "package.json": source["package.json"],
        "dist/index.js": '"use strict";\nexports.pad = (s, n) => s.padStart(n);\n',
        "dist/index.d.ts": "export declare const pad: (s: string, n: number) => string;\n",
    }
    tgz = make_tar(tmp_path / "tsthing-1.0.0.tgz", shipped, prefix="package")
    code, report = audit_json(tgz, repo)
    assert code == 0
    assert report["artifact"]["kind"] == "npm"
    for path in ("dist/index.js", "dist/index.d.ts"):
        rec = record(report, path)
        assert rec["category"] == "compiled_output", rec
        assert set(_severities(report, path)) <= {"low"}, path
    assert not findings_at(report, "medium", "high", "critical")


def test_vendored_tree_added_at_release(tmp_path: Path) -> None:
    source = {**C_BASE, "third_party/zlib/zlib.h": "/* zlib */\n"}
    repo = make_repo(tmp_path / "repo", source)
    shipped = {
        **source,
        "vendor/lib/x.c": "int vendored_x(void) { return 0; }\n",
        # third_party/ is tracked: an extra file there is not vendoring
        "third_party/zlib/extra.c": "int extra(void) { return 0; }\n",
    }
    _, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    rec = record(report, "vendor/lib/x.c")
    assert (rec["status"], rec["category"]) == ("artifact_only", "vendored"), rec
    assert set(_severities(report, "vendor/lib/x.c")) <= {"low"}
    assert record(report, "third_party/zlib/extra.c")["category"] == "unexplained"
    assert _severities(report, "third_party/zlib/extra.c") == ["high"]


# -- .tarball-version -----------------------------------------------------------------------

AUTOTOOLS = {
    **C_BASE,
    "configure.ac": "AC_INIT([tool], m4_esyscmd([build-aux/git-version-gen .tarball-version]))\n",
    "Makefile.am": "bin_PROGRAMS = tool\ntool_SOURCES = src/main.c\n",
}


@pytest.mark.parametrize("content, ok", [("1.0.0\n", True), ("1.0.1\n", False)])
def test_tarball_version_holding_the_release_version(
    tmp_path: Path, content: str, ok: bool
) -> None:
    repo = make_repo(tmp_path / "repo", AUTOTOOLS)
    shipped = {**AUTOTOOLS, ".tarball-version": content}
    _, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    rec = record(report, ".tarball-version")
    assert rec["verified"] is ok, rec
    if ok:
        assert not _findings_for(report, ".tarball-version")
    else:
        assert _findings_for(report, ".tarball-version")
