"""Differences that git itself produces, judged from the CLI's JSON report.

Each test builds a small repository and a release of its tag the way
``git archive`` (or a checkout copied into a tarball) would make it, then
checks the category, verification and findings of the paths that differ, and
that a tampered variant of the same situation is *not* explained.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import audit_json, findings_at, git, make_repo, make_tar, make_zip, record

BASE = {
    "README.md": "# tool\n\nA small tool.\n",
    "src/main.c": '#include <stdio.h>\nint main(void) { puts("tool"); return 0; }\n',
}


def _findings_for(report: dict[str, Any], path: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["path"] == path]


def _paths(report: dict[str, Any]) -> set[str]:
    return {f["path"] for f in report["files"]}


def _commit(repo: Path, ref: str = "v1.0.0") -> str:
    return git(repo, "rev-parse", f"{ref}^{{commit}}").strip()


# -- .gitattributes export-ignore ------------------------------------------------------


def test_export_ignore_source_only_files_are_verified(tmp_path: Path) -> None:
    source = {
        **BASE,
        ".gitattributes": "/devtools/ export-ignore\ninternal-notes.txt export-ignore\n",
        "devtools/release.sh": "#!/bin/sh\necho releasing\n",
        "devtools/lint.cfg": "[lint]\nstrict = yes\n",
        "docs/internal-notes.txt": "notes for maintainers\n",
        "sub/.gitattributes": "local-only.dat export-ignore\n",
        "sub/local-only.dat": "local data\n",
        "sub/kept.dat": "kept data\n",
    }
    repo = make_repo(tmp_path / "repo", source)
    shipped = {**BASE, "sub/kept.dat": source["sub/kept.dat"]}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    assert code == 0
    for path in (
        "devtools/release.sh",
        "devtools/lint.cfg",
        "docs/internal-notes.txt",
        "sub/local-only.dat",
    ):
        rec = record(report, path)
        assert rec["status"] == "source_only", rec
        assert rec["category"] == "export_ignore", rec
        assert rec["verified"] is True, rec
        assert not _findings_for(report, path)
    assert "sub/kept.dat" not in _paths(report)  # identical


def test_export_ignored_path_present_in_artifact_is_not_explained(tmp_path: Path) -> None:
    """git archive never ships an export-ignore path: one in the artifact came from elsewhere."""
    source = {**BASE, ".gitattributes": "/devtools/ export-ignore\n"}
    repo = make_repo(tmp_path / "repo", source)
    shipped = {**BASE, "devtools/hook.sh": "#!/bin/sh\necho injected > marker.txt\n"}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    assert code == 1
    rec = record(report, "devtools/hook.sh")
    assert rec["category"] == "unexplained"
    assert [f["severity"] for f in _findings_for(report, "devtools/hook.sh")] == ["high"]


# -- export-subst -----------------------------------------------------------------------

GITINFO_SOURCE = (
    '"""Filled in by git archive (export-subst)."""\n'
    'COMMIT = "$Format:%H$"\n'
    'COMMIT_DATE = "$Format:%cI$"\n'
    "CHECKS_ENABLED = True\n"
)


@pytest.fixture()
def subst_repo(tmp_path: Path) -> Path:
    source = {
        **BASE,
        ".gitattributes": "src/gitinfo.py export-subst\n",
        "src/gitinfo.py": GITINFO_SOURCE,
    }
    return make_repo(tmp_path / "repo", source)


def _expanded(commit: str) -> str:
    return GITINFO_SOURCE.replace("$Format:%H$", commit).replace(
        "$Format:%cI$", "2024-02-01T10:00:00+00:00"
    )


def test_export_subst_expansion_is_verified(tmp_path: Path, subst_repo: Path) -> None:
    shipped = {**BASE, "src/gitinfo.py": _expanded(_commit(subst_repo))}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), subst_repo)
    assert code == 0
    rec = record(report, "src/gitinfo.py")
    assert rec["status"] == "modified"
    assert (rec["category"], rec["verified"]) == ("export_subst", True)
    assert not _findings_for(report, "src/gitinfo.py")


def test_export_subst_with_another_changed_line_is_not_explained(
    tmp_path: Path, subst_repo: Path
) -> None:
    tampered = _expanded(_commit(subst_repo)).replace(
        "CHECKS_ENABLED = True", "CHECKS_ENABLED = False"
    )
    shipped = {**BASE, "src/gitinfo.py": tampered}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), subst_repo)
    assert code == 1
    rec = record(report, "src/gitinfo.py")
    assert rec["category"] == "unexplained"
    assert rec["verified"] is False
    high = findings_at(report, "high")
    assert [f["path"] for f in high] == ["src/gitinfo.py"]
    assert any("CHECKS_ENABLED = False" in e["text"] for e in high[0]["evidence"])


def test_export_subst_placeholder_line_carrying_code_is_not_explained(
    tmp_path: Path, subst_repo: Path
) -> None:
    """%H expands to a 40-hex commit id, nothing else; code appended on that line is not
    something git archive writes."""
    commit = _commit(subst_repo)
    tampered = _expanded(commit).replace(
        f'COMMIT = "{commit}"\n',
        f'COMMIT = "{commit}"; __import__("os").getcwd(); _ = ""\n',
    )
    shipped = {**BASE, "src/gitinfo.py": tampered}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), subst_repo)
    rec = record(report, "src/gitinfo.py")
    assert rec["category"] != "export_subst", rec
    assert rec["verified"] is False
    assert [f["severity"] for f in _findings_for(report, "src/gitinfo.py")] == ["high"]
    assert code == 1


# -- line endings ------------------------------------------------------------------------

BAT = "@echo off\nset TOOL_HOME=%~dp0\ncall %TOOL_HOME%\\tool.exe %*\n"


def test_crlf_conversion_is_verified_and_a_real_change_is_not(tmp_path: Path) -> None:
    source = {
        **BASE,
        ".gitattributes": "*.bat text eol=crlf\n",
        "win/tool.bat": BAT,
        "win/install.bat": BAT.replace("tool.exe", "install.exe"),
    }
    repo = make_repo(tmp_path / "repo", source)
    crlf = BAT.replace("\n", "\r\n").encode()
    tampered = (BAT.replace("tool.exe", "install.exe") + "echo injected > marker.txt\n").replace(
        "\n", "\r\n"
    )
    shipped = {**BASE, "win/tool.bat": crlf, "win/install.bat": tampered.encode()}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)

    ok = record(report, "win/tool.bat")
    assert ok["status"] == "modified"
    assert (ok["category"], ok["verified"]) == ("line_endings", True)
    assert not _findings_for(report, "win/tool.bat")

    bad = record(report, "win/install.bat")
    assert bad["category"] == "unexplained"
    assert bad["verified"] is False
    high = [f for f in _findings_for(report, "win/install.bat") if f["severity"] == "high"]
    assert high and any("injected" in e["text"] for e in high[0]["evidence"])
    assert code == 1


def test_crlf_in_zip_without_attributes_is_verified(tmp_path: Path) -> None:
    """A zip made on Windows from an LF repository: CRLF everywhere, no .gitattributes."""
    source = {**BASE, "NOTES.txt": "line one\nline two\n"}
    repo = make_repo(tmp_path / "repo", source)
    shipped = {p: c.replace("\n", "\r\n") for p, c in source.items()}
    code, report = audit_json(make_zip(tmp_path / "tool-1.0.0.zip", shipped, "tool-1.0.0"), repo)
    assert code == 0
    assert report["artifact"]["kind"] == "zip"
    for path in source:
        rec = record(report, path)
        assert (rec["category"], rec["verified"]) == ("line_endings", True), rec
    assert not report["findings"]


def test_crlf_inserted_into_a_file_git_never_converts_is_not_explained(tmp_path: Path) -> None:
    """``-text`` tells git never to touch the bytes: CRs added to them are not a checkout
    conversion but an edit of a binary file."""
    blob = b"\x00\x01XZ\n\x02\x03\n\xfd7zXZ\n" * 4
    source = {**BASE, ".gitattributes": "*.bin -text\n", "tests/files/good-1.bin": blob}
    repo = make_repo(tmp_path / "repo", source)
    shipped = {**BASE, "tests/files/good-1.bin": blob.replace(b"\n", b"\r\n")}
    _, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    rec = record(report, "tests/files/good-1.bin")
    assert rec["category"] != "line_endings", rec
    assert rec["verified"] is False
    assert _findings_for(report, "tests/files/good-1.bin")


# -- symlinks shipped as copies ------------------------------------------------------------


def test_symlink_shipped_as_copy_of_its_target(tmp_path: Path) -> None:
    source = {
        "src/main.c": BASE["src/main.c"],
        "docs/manual.md": "# Manual\n\nRun tool.\n",
        "docs/news.md": "# News\n\n1.0.0: first release.\n",
    }
    repo = make_repo(
        tmp_path / "repo", source, symlinks={"README.md": "docs/manual.md", "NEWS": "docs/news.md"}
    )
    shipped = {
        **source,
        # tar --dereference (or a checkout without symlink support) ships the target's bytes
        "README.md": source["docs/manual.md"],
        "NEWS": source["docs/news.md"] + "Also visit http://example.invalid/get-more\n",
    }
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    rec = record(report, "README.md")
    assert (rec["category"], rec["verified"]) == ("symlink_copy", True), rec
    assert not _findings_for(report, "README.md")

    news = record(report, "NEWS")  # not the target's content: not a copy
    assert news["category"] != "symlink_copy"
    assert news["verified"] is False
    assert _findings_for(report, "NEWS")
    assert code == 0  # NEWS is documentation: low


def test_symlinked_directory_shipped_as_copy(tmp_path: Path) -> None:
    source = {
        **BASE,
        "lib/real/a.c": "int a(void) { return 1; }\n",
        "lib/real/a.h": "int a(void);\n",
    }
    repo = make_repo(tmp_path / "repo", source, symlinks={"compat": "lib/real"})
    shipped = {
        **source,
        "compat/a.c": source["lib/real/a.c"],
        "compat/a.h": source["lib/real/a.h"],
    }
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    assert code == 0
    for path in ("compat/a.c", "compat/a.h"):
        rec = record(report, path)
        assert rec["verified"] is True, rec
        assert rec["category"] == "symlink_copy", rec
        assert not _findings_for(report, path)
    # the symlink entry itself is simply not shipped as a link
    assert not _findings_for(report, "compat")


def test_file_below_symlinked_directory_that_differs_is_not_explained(tmp_path: Path) -> None:
    source = {**BASE, "lib/real/a.c": "int a(void) { return 1; }\n"}
    repo = make_repo(tmp_path / "repo", source, symlinks={"compat": "lib/real"})
    shipped = {**source, "compat/a.c": "int a(void) { return 2; }\n"}
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    assert code == 1
    assert record(report, "compat/a.c")["category"] == "unexplained"
    assert [f["severity"] for f in _findings_for(report, "compat/a.c")] == ["high"]


# -- submodules --------------------------------------------------------------------------

SUB_FILES = {
    "x.c": "int sub_x(void) { return 0; }\n",
    "y.c": "int sub_y(void) { return 0; }\n",
    "README": "a library\n",
}


def _repo_with_submodule(tmp_path: Path, name: str | None) -> Path:
    sub = make_repo(tmp_path / "libsub", SUB_FILES, tag=None)
    main = make_repo(tmp_path / "main", BASE, tag=None)
    args = ["-c", "protocol.file.allow=always", "submodule", "add", "-q"]
    if name:
        args += ["--name", name]
    git(main, *args, str(sub), "lib/sub")
    git(main, "commit", "-q", "-m", "add submodule")
    git(main, "tag", "-a", "v1.0.0", "-m", "release v1.0.0")
    return main


def _release_with_submodule(tmp_path: Path, tampered: bool) -> Path:
    files = dict(BASE)  # .gitmodules is VCS configuration and left out
    for rel, content in SUB_FILES.items():
        files[f"lib/sub/{rel}"] = content
    if tampered:
        files["lib/sub/y.c"] = "int sub_y(void) { return 1; /* injected */ }\n"
        files["lib/sub/extra.c"] = "int sub_extra(void) { return 0; }\n"  # not in the pin
    return make_tar(tmp_path / "out" / "tool-1.0.0.tar.gz", files)


@pytest.mark.parametrize("name", [None, "libsub"], ids=["name=path", "name!=path"])
def test_submodule_files_checked_against_pinned_commit(tmp_path: Path, name: str | None) -> None:
    main = _repo_with_submodule(tmp_path, name)
    assert (main / ".git" / "modules" / (name or "lib/sub")).is_dir()
    code, report = audit_json(_release_with_submodule(tmp_path, tampered=True), main)
    for path in ("lib/sub/x.c", "lib/sub/README"):
        rec = record(report, path)
        assert rec["status"] == "submodule", rec
        assert (rec["category"], rec["verified"]) == ("submodule", True), rec
        assert not _findings_for(report, path)
    for path in ("lib/sub/y.c", "lib/sub/extra.c"):
        bad = record(report, path)
        assert bad["verified"] is False, bad
        assert bad["category"] == "unexplained", bad
        assert [f["severity"] for f in _findings_for(report, path)] == ["high"]
    assert code == 1


def test_submodule_files_without_its_repository_are_plausible_only(tmp_path: Path) -> None:
    main = _repo_with_submodule(tmp_path, None)
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(main), str(bare))
    assert not (bare / "modules").exists()
    code, report = audit_json(_release_with_submodule(tmp_path, tampered=False), bare)
    assert code == 0
    for path in ("lib/sub/x.c", "lib/sub/y.c", "lib/sub/README"):
        rec = record(report, path)
        assert rec["status"] == "submodule", rec
        assert (rec["category"], rec["verified"]) == ("submodule", False), rec
    assert not findings_at(report, "medium", "high", "critical")


# -- relocated ---------------------------------------------------------------------------


def test_files_moved_to_another_directory_are_relocated(tmp_path: Path) -> None:
    source = {
        **BASE,
        "scripts/gen-docs.sh": "#!/bin/sh\necho generating docs\n",
        "scripts/check.sh": "#!/bin/sh\necho checking\n",
    }
    repo = make_repo(tmp_path / "repo", source)
    shipped = {
        **BASE,
        "tools/gen-docs.sh": source["scripts/gen-docs.sh"],
        "tools/check.sh": "#!/bin/sh\necho checking\necho injected > marker.txt\n",
    }
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", shipped), repo)
    moved = record(report, "tools/gen-docs.sh")
    assert moved["status"] == "relocated"
    assert moved["source_path"] == "scripts/gen-docs.sh"
    assert moved["verified"] is True
    assert not _findings_for(report, "tools/gen-docs.sh")
    assert not _findings_for(report, "scripts/gen-docs.sh")

    # moved *and* changed is not a relocation
    changed = record(report, "tools/check.sh")
    assert changed["status"] != "relocated"
    assert changed["category"] == "unexplained"
    assert [f["severity"] for f in _findings_for(report, "tools/check.sh")] == ["high"]
    assert code == 1


# -- VCS / CI files and plain omissions ----------------------------------------------------

VCS_FILES = {
    ".gitignore": "*.o\n",
    ".mailmap": "A <a@example.org>\n",
    ".github/workflows/ci.yml": "on: push\njobs: {}\n",
    ".gitlab-ci.yml": "test:\n  script: make check\n",
    ".travis.yml": "language: c\n",
    ".cirrus.yml": "task:\n  script: make\n",
    ".pre-commit-config.yaml": "repos: []\n",
    ".editorconfig": "root = true\n",
}


def test_vcs_and_ci_files_left_out_are_vcs_excluded(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**BASE, **VCS_FILES})
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", BASE), repo)
    assert code == 0
    for path in VCS_FILES:
        rec = record(report, path)
        assert rec["status"] == "source_only", rec
        assert rec["category"] == "vcs_excluded", rec
    assert not report["findings"]
    assert report["summary"]["source_only"] == len(VCS_FILES)
    assert report["summary"]["identical"] == len(BASE)


def test_source_file_not_shipped_is_omitted_without_finding(tmp_path: Path) -> None:
    source = {**BASE, "notes/design.txt": "why it is built this way\n", "src/extra.c": "int e;\n"}
    repo = make_repo(tmp_path / "repo", source)
    code, report = audit_json(make_tar(tmp_path / "tool-1.0.0.tar.gz", BASE), repo)
    assert code == 0
    for path in ("notes/design.txt", "src/extra.c"):
        rec = record(report, path)
        assert (rec["status"], rec["category"]) == ("source_only", "omitted"), rec
    assert not report["findings"]
    assert report["summary"]["findings_by_severity"]["high"] == 0
