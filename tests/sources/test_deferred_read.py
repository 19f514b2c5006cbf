"""The artifact is streamed before the repository's blobs are known (audit.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import make_tar

from chainsight.sources.archive import DeferredContentFilter, ReadCancelled, read_archive
from chainsight.trees import git_blob_id


def _body(i: int) -> bytes:
    return (f"file {i}\n" * 50).encode()


def _tar(tmp_path: Path, n: int = 40) -> Path:
    return make_tar(tmp_path / "pkg-1.0.tar.gz", {f"f{i:03d}.txt": _body(i) for i in range(n)})


class _ResolvesAfterFive(DeferredContentFilter):
    """Learns the repository's blobs while the reader is part-way through."""

    def __init__(self, known: set[str]) -> None:
        super().__init__()
        self.calls = 0
        self.later = known

    def __call__(self, blob_id: str) -> bool:
        self.calls += 1
        if self.calls == 5:
            self.resolve(self.later)
        return super().__call__(blob_id)


def test_content_kept_before_resolve_is_pruned_once_known(tmp_path: Path) -> None:
    in_repo = {git_blob_id(_body(i)) for i in range(0, 40, 2)}
    keep = _ResolvesAfterFive(in_repo)
    contents = read_archive(_tar(tmp_path), want_content=keep)
    assert len(contents.entries) == 40
    assert keep.calls == 40
    # members 0, 2 were kept while unknown, then dropped: only what the repo lacks stays
    assert set(contents.content) == {git_blob_id(_body(i)) for i in range(1, 40, 2)}


def test_resolve_before_reading_keeps_only_missing_content(tmp_path: Path) -> None:
    tar = _tar(tmp_path, 10)
    keep = DeferredContentFilter()
    keep.resolve({git_blob_id(_body(0))})
    contents = read_archive(tar, want_content=keep)
    assert git_blob_id(_body(0)) not in contents.content
    assert len(contents.content) == 9


def test_cancel_stops_the_reader(tmp_path: Path) -> None:
    tar = _tar(tmp_path, 10)
    keep = DeferredContentFilter()
    keep.cancel()
    with pytest.raises(ReadCancelled):
        read_archive(tar, want_content=keep)


def test_audit_with_bad_ref_does_not_wait_for_or_leak_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import make_repo

    from chainsight.audit import AuditRequest, audit
    from chainsight.errors import SourceError

    repo = make_repo(tmp_path / "repo", {"a.txt": "a\n"}, tag="v1.0")
    tar = _tar(tmp_path)
    before = threading.active_count()
    with pytest.raises(SourceError):
        audit(AuditRequest(tar, str(repo), ref="no-such-tag"))
    assert threading.active_count() == before


def test_budget_is_not_spent_on_content_the_repository_has(tmp_path: Path) -> None:
    """Before the tree is known the reader waits rather than fill the retention budget
    with files git has and then drop a file only the artifact has."""
    from concurrent.futures import ThreadPoolExecutor

    from chainsight.limits import Limits

    in_git = {f"big{i}.dat": bytes([i]) * 300_000 for i in range(10)}
    loader = b"AC_DEFUN([X], [eval $x])\n"
    tar = make_tar(tmp_path / "pkg-1.0.tar.gz", {**in_git, "m4/loader.m4": loader})
    limits = Limits(max_retained_total_bytes=1_000_000)
    keep = DeferredContentFilter()
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading = pool.submit(read_archive, tar, limits=limits, want_content=keep)
        threading.Event().wait(0.3)  # the reader is blocked on the budget by now
        assert not reading.done()
        keep.resolve({git_blob_id(b) for b in in_git.values()})
        contents = reading.result(timeout=30)
    assert contents.content == {git_blob_id(loader): loader}
    assert not contents.partial_reasons


def test_a_full_budget_is_reported_not_silent(tmp_path: Path) -> None:
    from chainsight.limits import Limits

    files = {f"only{i}.dat": bytes([i]) * 300_000 for i in range(5)}
    tar = make_tar(tmp_path / "pkg-1.0.tar.gz", files)
    contents = read_archive(tar, limits=Limits(max_retained_total_bytes=1_000_000))
    assert len(contents.content) == 3
    assert any("retained-content limit" in r for r in contents.partial_reasons)
