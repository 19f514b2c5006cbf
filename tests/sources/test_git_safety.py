"""An analysed repository's config must never make chainsight run a program.

Each test plants a command in one config setting (or hook) that would create a
marker file if run, then audits a release against that repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import audit_json, git, make_repo, make_tar

FILES = {"README": "hello\n", "src/a.c": "int a;\n", "src/b.txt": "b\n"}


def _planted(repo: Path, marker: Path) -> str:
    script = repo / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\ncat\n")
    script.chmod(0o755)
    return str(script)


SETTINGS = {
    "core.fsmonitor": "{cmd}",
    "gpg.program": "{cmd}",
    "diff.external": "{cmd}",
    "diff.evil.textconv": "{cmd}",
    "filter.evil.clean": "{cmd}",
    "filter.evil.smudge": "{cmd}",
    "filter.evil.process": "{cmd}",
    "core.pager": "{cmd}",
    "core.sshCommand": "{cmd}",
    "uploadpack.packObjectsHook": "{cmd}",
    "core.hooksPath": "{hooks}",
}


@pytest.mark.parametrize("key", sorted(SETTINGS))
def test_repo_config_does_not_run(tmp_path: Path, key: str) -> None:
    marker = tmp_path / "MARKER"
    repo = make_repo(tmp_path / "repo", {**FILES, ".gitattributes": "* diff=evil filter=evil\n"})
    cmd = _planted(repo, marker)
    hooks = repo / "myhooks"
    hooks.mkdir()
    for hook in (
        "post-checkout",
        "pre-commit",
        "post-merge",
        "reference-transaction",
        "post-index-change",
        "fsmonitor-watchman",
    ):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    value = SETTINGS[key].format(cmd=cmd, hooks=hooks)
    git(repo, "config", key, value)
    # also plant the ordinary hooks directory
    (repo / ".git" / "hooks").mkdir(exist_ok=True)
    for hook in ("post-checkout", "reference-transaction", "fsmonitor-watchman"):
        (repo / ".git" / "hooks" / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (repo / ".git" / "hooks" / hook).chmod(0o755)
    marker.unlink(missing_ok=True)
    modified = {**FILES, "src/a.c": "int a = 1;\n", "extra.sh": "#!/bin/sh\necho hi\n"}
    tar = make_tar(tmp_path / "pkg-1.0.0.tar.gz", modified)
    code, report = audit_json(tar, repo)
    assert code == 1  # the audit ran and found the modified source
    assert report["source"]["ref"] == "v1.0.0"
    assert not marker.exists(), f"{key} ran a command from the analysed repository"


def test_bare_repository_and_user_config_untouched(tmp_path: Path) -> None:
    work = make_repo(tmp_path / "work", FILES)
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    home_gitconfig = Path.home() / ".gitconfig"
    before = home_gitconfig.read_bytes() if home_gitconfig.exists() else None
    tar = make_tar(tmp_path / "pkg-1.0.0.tar.gz", FILES)
    code, report = audit_json(tar, bare)
    assert code == 0
    assert report["summary"]["identical"] == 3
    after = home_gitconfig.read_bytes() if home_gitconfig.exists() else None
    assert before == after


def test_file_url_is_cloned_into_cache(tmp_path: Path) -> None:
    work = make_repo(tmp_path / "work", FILES)
    tar = make_tar(tmp_path / "pkg-1.0.0.tar.gz", FILES)
    cache = tmp_path / "cache"
    code, report = audit_json(tar, f"file://{work}", "--cache-dir", str(cache))
    assert code == 0
    assert report["source"]["repo"] == f"file://{work}"
    clones = list((cache / "repos").iterdir())
    assert len(clones) == 1 and clones[0].name.endswith(".git")
    assert not (clones[0] / "hooks").exists() or not any((clones[0] / "hooks").iterdir())
