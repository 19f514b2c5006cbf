"""The retention budget and an audit that fails before its read (audit.py, archive.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import make_repo, make_tar

from chainsight.sources.archive import read_archive


def _tar(tmp_path: Path, n: int = 40) -> Path:
    files = {f"f{i:03d}.txt": (f"file {i}\n" * 50).encode() for i in range(n)}
    return make_tar(tmp_path / "pkg-1.0.tar.gz", files)


def test_a_full_budget_is_reported_not_silent(tmp_path: Path) -> None:
    from chainsight.limits import Limits

    files = {f"only{i}.dat": bytes([i]) * 300_000 for i in range(5)}
    tar = make_tar(tmp_path / "pkg-1.0.tar.gz", files)
    contents = read_archive(tar, limits=Limits(max_retained_total_bytes=1_000_000))
    assert len(contents.content) == 3
    assert any("retained-content limit" in r for r in contents.partial_reasons)


def test_the_budget_is_spent_only_on_what_the_repository_lacks(tmp_path: Path) -> None:
    """The audit reads once the tree is known: content git has is never kept, so it
    cannot crowd out a file only the artifact has."""
    from chainsight.limits import Limits
    from chainsight.trees import git_blob_id

    in_git = {f"big{i}.dat": bytes([i]) * 300_000 for i in range(10)}
    loader = b"AC_DEFUN([X], [eval $x])\n"
    tar = make_tar(tmp_path / "pkg-1.0.tar.gz", {**in_git, "m4/loader.m4": loader})
    known = {git_blob_id(b) for b in in_git.values()}
    contents = read_archive(
        tar,
        limits=Limits(max_retained_total_bytes=1_000_000),
        want_content=lambda blob_id: blob_id not in known,
    )
    assert contents.content == {git_blob_id(loader): loader}
    assert not contents.partial_reasons


def test_audit_with_bad_ref_fails_before_reading_and_leaks_nothing(tmp_path: Path) -> None:
    from chainsight.audit import AuditRequest, audit
    from chainsight.errors import SourceError

    repo = make_repo(tmp_path / "repo", {"a.txt": "a\n"}, tag="v1.0")
    tar = _tar(tmp_path)
    before = threading.active_count()
    with pytest.raises(SourceError):
        audit(AuditRequest(tar, str(repo), ref="no-such-tag"))
    assert threading.active_count() == before
