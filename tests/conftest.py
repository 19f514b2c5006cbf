"""Fixture builders: git repositories and archives made by code at test time."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

GIT_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.org",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.org",
    "GIT_AUTHOR_DATE": "2024-02-01T10:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-02-01T10:00:00+00:00",
    "LC_ALL": "C",
}

Files = Mapping[str, str | bytes]


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**GIT_ENV, "HOME": str(repo)},
        check=True,
        capture_output=True,
    )
    return proc.stdout.decode()


def write_files(root: Path, files: Files) -> None:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)
        if isinstance(content, str) and content.startswith("#!"):
            p.chmod(0o755)


def make_repo(
    root: Path, files: Files, tag: str | None = "v1.0.0", symlinks: Mapping[str, str] | None = None
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main", "--template=")
    write_files(root, files)
    for link, target in (symlinks or {}).items():
        p = root / link
        p.parent.mkdir(parents=True, exist_ok=True)
        p.symlink_to(target)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial import")
    if tag:
        git(root, "tag", "-a", tag, "-m", f"release {tag}")
    return root


def make_tar(
    path: Path,
    files: Files,
    prefix: str | None = "pkg-1.0.0",
    mode: str = "w:gz",
    extra: Callable[[tarfile.TarFile], None] | None = None,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, mode) as tf:  # type: ignore[call-overload]
        for rel, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(f"{prefix}/{rel}" if prefix else rel)
            info.size = len(data)
            info.mode = 0o755 if data.startswith(b"#!") else 0o644
            tf.addfile(info, io.BytesIO(data))
        if extra:
            extra(tf)
    return path


def make_zip(path: Path, files: Files, prefix: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, content in files.items():
            zf.writestr(f"{prefix}/{rel}" if prefix else rel, content)
    return path


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed chainsight CLI as a user would."""
    exe = shutil.which("chainsight") or str(Path(os.sys.executable).parent / "chainsight")
    return subprocess.run(
        [exe, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
        timeout=300,
    )


def audit_json(artifact: Path, repo: Path | str, *extra: str) -> tuple[int, dict[str, Any]]:
    out = artifact.parent / (artifact.name + ".report.json")
    proc = run_cli(
        "audit",
        str(artifact),
        "--source",
        str(repo),
        "--format",
        "json",
        "--output",
        str(out),
        *extra,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(out.read_text())


def require_tool(name: str) -> None:
    """Skip when a host tool is missing, except in CI (CHAINSIGHT_REQUIRE_TOOLS=1)."""
    if shutil.which(name):
        return
    if os.environ.get("CHAINSIGHT_REQUIRE_TOOLS"):
        pytest.fail(f"{name} is required in CI (install.sh --dev installs it)")
    pytest.skip(f"{name} is not installed (sh install.sh --dev installs it)")


def findings_at(report: dict[str, Any], *severities: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["severity"] in severities]


def record(report: dict[str, Any], path: str) -> dict[str, Any]:
    for f in report["files"]:
        if f["path"] == path:
            return f  # type: ignore[no-any-return]
    raise AssertionError(
        f"{path} not among the report's files: {[f['path'] for f in report['files']]}"
    )
