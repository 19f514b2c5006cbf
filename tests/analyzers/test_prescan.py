"""Build-code scans in a forked worker give exactly what scanning in-process gives."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from chainsight.analyzers import prescan as prescan_module
from chainsight.analyzers.behaviour import scan_build_code
from chainsight.analyzers.prescan import MIN_CHARS_FOR_WORKER, Prescan

LOADER = (
    'gl_dir="$srcdir/tests/files"\n'
    'eval `cat $gl_dir/bad-3-corrupt.xz | tr "\\t \\-_" " \\t_\\-" | xz -d 2>/dev/null`\n'
)
PADDING = "".join(f"am__v{i} = value{i}\n" for i in range(MIN_CHARS_FOR_WORKER // 20))


def _candidates() -> dict[str, bytes]:
    return {
        "m4/loader.m4": LOADER.encode(),
        "Makefile.in": (PADDING + "all:\n\t@echo ok\n").encode(),
        "docs/manual.txt": b"not build code\n",
    }


def test_worker_and_in_process_agree() -> None:
    candidates = _candidates()
    worker = Prescan(candidates)
    worker.start()
    assert (worker._pid is not None) == (hasattr(os, "fork") and (os.cpu_count() or 1) > 1)
    got = worker.results().signals
    assert set(got) == {"m4/loader.m4", "Makefile.in"}  # not the text file
    for path in got:
        assert got[path] == scan_build_code(path, candidates[path].decode())
    assert any(s.rule_id == "build-decode-to-interpreter" for s in got["m4/loader.m4"])


def _forks() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def test_jobs_run_in_the_worker_and_come_back() -> None:
    import time

    scan = Prescan(_candidates(), {"pid": os.getpid, "answer": lambda: [42]})
    scan.start()
    time.sleep(0.3)  # this process is busy elsewhere: the worker takes every task
    jobs = scan.results().jobs
    assert jobs["answer"] == [42]
    assert (jobs["pid"] != os.getpid()) == _forks()


def test_the_main_process_takes_tasks_from_the_other_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the worker is busy with a long job, the main process scans the files."""
    import time

    if not _forks():
        pytest.skip("no worker here")
    log = tmp_path / "scans"
    real = prescan_module.scan_build_code

    def logged(path: str, text: str) -> list[Any]:
        with log.open("a") as fh:
            fh.write(f"{os.getpid()} {path}\n")
        return real(path, text)

    monkeypatch.setattr(prescan_module, "scan_build_code", logged)
    scan = Prescan(_candidates(), {"slow": lambda: time.sleep(1.0) or "done"})
    scan.start()
    got = scan.results()
    assert got.jobs["slow"] == "done"
    scanned_by = {line.split()[1]: int(line.split()[0]) for line in log.read_text().splitlines()}
    assert set(scanned_by) == {"m4/loader.m4", "Makefile.in"}  # each once
    assert set(scanned_by.values()) == {os.getpid()}  # the worker was busy with the job
    assert any(s.rule_id == "build-decode-to-interpreter" for s in got.signals["m4/loader.m4"])


def test_small_inputs_are_scanned_in_process() -> None:
    small = Prescan({"m4/loader.m4": LOADER.encode()})
    small.start()
    assert small._pid is None
    assert small.results().signals["m4/loader.m4"]


def test_failed_worker_falls_back_to_scanning_here(monkeypatch: pytest.MonkeyPatch) -> None:
    if not _forks():
        pytest.skip("no fork here")
    parent = os.getpid()
    real = Prescan._take

    def flaky(self: Prescan, front: bool) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("worker breaks")
        return real(self, front)

    monkeypatch.setattr(Prescan, "_take", flaky)
    scan = Prescan(_candidates(), {"answer": lambda: 42})
    scan.start()
    got = scan.results()
    assert got.jobs["answer"] == 42
    assert set(got.signals) == {"m4/loader.m4", "Makefile.in"}
    assert any(s.rule_id == "build-decode-to-interpreter" for s in got.signals["m4/loader.m4"])


def test_released_upstream_files_are_not_scanned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "chainsight.knowledge.upstream_files.is_verified_upstream",
        lambda name, content: name.endswith("loader.m4"),
    )
    got = Prescan({"m4/loader.m4": LOADER.encode()}).results().signals
    assert "m4/loader.m4" not in got


def test_an_uncollected_worker_is_stopped_not_leaked() -> None:
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        pytest.skip("no worker here")
    with Prescan(_candidates()) as scan:
        scan.start()
        pid = scan._pid
        assert pid is not None
    # closed without results(): killed and reaped, nothing left to wait for
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    assert scan._pid is None and scan._fd is None


def test_no_fork_while_another_thread_runs() -> None:
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        scan = Prescan(_candidates())
        scan.start()
        assert scan._pid is None
        assert scan.results().signals["m4/loader.m4"]
    finally:
        stop.set()
        other.join()


def test_worker_and_parent_read_the_knowledge_base_at_once() -> None:
    """The zip the parent has open must not be shared with the worker (one file offset
    for two processes gives corrupt reads): the batch path audits many packages in one
    process, so the knowledge base is open before the worker is forked."""
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        pytest.skip("no worker here")
    from chainsight.knowledge import upstream_files as uf

    names = sorted(uf.known_names())
    handle = uf._archive()[0].fp  # open in the parent, as after an earlier audit
    assert handle is not None
    uf._entry.cache_clear()
    half = len(names) // 2

    def versions(part: list[str]) -> list[int]:
        return [len(entry.versions) if (entry := uf._entry(n)) else -1 for n in part]

    # 1. the worker's reads do not move the parent's file offset
    before = os.lseek(handle.fileno(), 0, os.SEEK_CUR)
    quiet = Prescan(_candidates(), {"child": lambda: versions(names[:half])})
    quiet.start()
    there = quiet.results().jobs["child"]
    assert os.lseek(handle.fileno(), 0, os.SEEK_CUR) == before
    # 2. both read at once and both get the right entries
    scan = Prescan(_candidates(), {"child": lambda: versions(names[:half])})
    scan.start()
    here = versions(names[half:])
    assert scan.results().jobs["child"] == there
    uf._entry.cache_clear()
    assert there == versions(names[:half]) and here == versions(names[half:])
