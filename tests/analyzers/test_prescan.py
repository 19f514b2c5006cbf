"""The second-core worker gives exactly what computing everything in-process gives.

Each test streams a tarball built here through ``read_archive`` with the worker as
its sink, as the audit does, and compares with the same steps without a worker.
"""

from __future__ import annotations

import io
import os
import tarfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from chainsight.analyzers import prescan as prescan_module
from chainsight.analyzers.behaviour import scan_build_code
from chainsight.analyzers.context import AuditContext
from chainsight.analyzers.prescan import Job, Prescan, PrescanResults
from chainsight.limits import Limits
from chainsight.sources.archive import read_archive
from chainsight.trees import Entry, EntryKind, FileTree, git_blob_id

LOADER = (
    'gl_dir="$srcdir/tests/files"\n'
    'eval `cat $gl_dir/bad-3-corrupt.xz | tr "\\t \\-_" " \\t_\\-" | xz -d 2>/dev/null`\n'
)
MAKEFILE = "".join(f"am__v{i} = value{i}\n" for i in range(2000)) + "all:\n\t@echo ok\n"
CONFIGURE_AC = "AC_INIT([pkg], [1.0])\nAC_OUTPUT\n"
RELEASE = {
    "configure.ac": CONFIGURE_AC.encode(),
    "m4/loader.m4": LOADER.encode(),
    "Makefile.in": MAKEFILE.encode(),
    "docs/manual.txt": b"not build code\n",
    "src/main.c": b"int main(void) { return 0; }\n",
}
TEXT_ONLY = {"docs/manual.txt": b"nothing to look up or scan here\n"}
"""No file of this release is looked up or scanned: the parent leaves the knowledge
base alone."""
SOURCE = {
    "configure.ac": CONFIGURE_AC.encode(),
    "src/main.c": b"int main(void) { return 0; }\n",
}


def _forks() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def _tarball(tmp: Path, members: Mapping[str, bytes], top: str | None = "pkg-1.0") -> Path:
    path = tmp / "pkg-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(f"{top}/{name}" if top else name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def _tree(files: Mapping[str, bytes]) -> FileTree:
    entries = {p: Entry(p, EntryKind.FILE, git_blob_id(d), len(d)) for p, d in files.items()}
    by_blob = {git_blob_id(d): d for d in files.values()}
    return FileTree(entries, lambda e: by_blob.get(e.blob_id))


def _audit_steps(
    tmp: Path,
    jobs: Mapping[str, Job] | None = None,
    *,
    worker: bool,
    members: Mapping[str, bytes] = RELEASE,
    top: str | None = "pkg-1.0",
    between: Callable[[Prescan], None] | None = None,
    known_after: int | None = None,
    limits: Limits | None = None,
) -> tuple[PrescanResults, Prescan]:
    """What audit.audit does with the worker: start, tell it the repository's blobs,
    read with it as the sink, finish, collect. With ``known_after`` the blobs are told
    only once that many members have been offered (the worker keeps what arrives
    before them waiting)."""
    artifact = _tarball(tmp, members, top)
    source = _tree(SOURCE)
    known = {e.blob_id for e in source.entries()}
    scan = Prescan(jobs)
    with scan:
        if worker:
            scan.start(artifact.stat().st_size)
        assert scan.running == (worker and _forks())
        sink: Any = scan
        if known_after is None:
            scan.known(known)
        else:
            sink = _KnownMidRead(scan, known, known_after)
        contents = read_archive(artifact, sink=sink, limits=limits)
        in_git = {git_blob_id(d): d for d in SOURCE.values()}
        tree = contents.tree(lambda e: in_git.get(e.blob_id))
        ctx = AuditContext(tree, source, None, "", None, "tar")
        changed = {
            p: data
            for p in tree.paths()
            if (e := tree.get(p)) is not None
            and (source.get(p) is None or source.get(p).blob_id != e.blob_id)  # type: ignore[union-attr]
            and (data := tree.read(p)) is not None
        }
        scan.finish(ctx, changed, contents.stripped_prefix, set(contents.content) | known)
        if between is not None:
            between(scan)
        return scan.results(), scan


class _KnownMidRead:
    """The audit's sink, telling the worker the repository's blobs after a few offers,
    as when the tree is walked while the artifact is still being read."""

    def __init__(self, scan: Prescan, known: set[str], after: int) -> None:
        self.scan, self.known, self.after, self.offers = scan, known, after, 0

    def wants(self, path: str, head: bytes) -> bool:
        return self.scan.wants(path, head)

    def offer(self, path: str, blob_id: str, data: bytes) -> None:
        self.scan.offer(path, blob_id, data)
        self.offers += 1
        if self.offers == self.after:
            self.scan.known(self.known)
            # the worker scans the first offer under the path it guessed meanwhile
            deadline = time.monotonic() + 10
            while self.scan._claims is not None and not self.scan._claims[0]:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.01)


def _let_the_worker_claim_the_jobs(scan: Prescan) -> None:
    """The main process runs a job the worker has not claimed yet when it collects the
    results (so that neither waits for the other); the audit explains differences
    first. Here: wait until the worker has claimed every job (at most 10 s)."""
    claims = scan._claims
    if claims is None:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if all(claims[scan._job_slot(name)] for name in scan._jobs):
            return
        time.sleep(0.01)


def _let_the_worker_start_scanning(scan: Prescan) -> None:
    """Wait until the worker has claimed a scan (it first loads its analyzers; at most
    10 s)."""
    claims = scan._claims
    if claims is None:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if any(claims[i] for i in range(len(scan._offers))):
            return
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def _any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prescan_module, "MIN_ARTIFACT_BYTES_FOR_WORKER", 0)


def _log_scans(monkeypatch: pytest.MonkeyPatch, log: Path, worker_delay: float = 0.0) -> None:
    """Record which process scans which path (and slow the worker down if asked)."""
    real = prescan_module.scan_build_code
    parent = os.getpid()

    def logged(path: str, text: str) -> list[Any]:
        with log.open("a") as fh:
            fh.write(f"{os.getpid()} {path}\n")
        if os.getpid() != parent:
            time.sleep(worker_delay)
        return real(path, text)

    monkeypatch.setattr(prescan_module, "scan_build_code", logged)


def _scans(log: Path) -> list[tuple[int, str]]:
    return [(int(pid), path) for pid, path in (ln.split() for ln in log.read_text().splitlines())]


def test_worker_and_in_process_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "scans"
    _log_scans(monkeypatch, log)
    got, _ = _audit_steps(tmp_path, worker=True, between=_let_the_worker_start_scanning)
    if _forks():  # the worker did scan (not the fallback here)
        assert {pid for pid, _ in _scans(log)} - {os.getpid()}
    alone, _ = _audit_steps(tmp_path, worker=False)
    assert set(got.signals) == set(alone.signals) == {"m4/loader.m4", "Makefile.in"}
    for path in got.signals:
        assert got.signals[path] == alone.signals[path]
        assert got.signals[path] == scan_build_code(path, RELEASE[path].decode())
    assert any(s.rule_id == "build-decode-to-interpreter" for s in got.signals["m4/loader.m4"])


def test_lookups_come_back_by_name_and_blob(tmp_path: Path) -> None:
    if not _forks():
        pytest.skip("no worker here")
    got, scan = _audit_steps(tmp_path, worker=True, between=_let_the_worker_start_scanning)
    key = ("loader.m4", git_blob_id(RELEASE["m4/loader.m4"]))
    assert got.lookups[key].status == "unknown"
    # made by the worker (it looks files up before it scans), not filled in here
    assert scan._early is not None and scan._early.lookups[key].status == "unknown"
    # identical to git: never looked up
    assert ("configure.ac", git_blob_id(CONFIGURE_AC.encode())) not in got.lookups


def test_jobs_run_in_the_worker_from_the_offered_files(tmp_path: Path) -> None:
    def inputs(ctx: AuditContext, changed: list[str]) -> tuple[int, str, list[str]]:
        return os.getpid(), (ctx.text(ctx.artifact, "configure.ac") or ""), changed

    job = Job(inputs, lambda base: base == "configure.ac")
    got, _ = _audit_steps(
        tmp_path, {"inputs": job}, worker=True, between=_let_the_worker_claim_the_jobs
    )
    pid, text, changed = got.jobs["inputs"]
    assert (pid != os.getpid()) == _forks()
    assert text == CONFIGURE_AC  # identical to git, yet offered: the job reads it
    assert changed == ["Makefile.in", "docs/manual.txt", "m4/loader.m4"]


def test_the_audits_configure_jobs_run_in_the_worker(tmp_path: Path) -> None:
    """The config.status command check, run in the worker on the files it was offered,
    finds the command block no input declares, as it does in-process."""
    from chainsight.analyzers.configure_check import (
        configure_code_findings,
        configure_command_findings,
        is_configure_input,
    )

    configure = (
        "#! /bin/sh\n# Generated by GNU Autoconf 2.71 for pkg 1.0.\n"
        'case $ac_tag in\n    "payload":C) eval "$gl_x" ;;\nesac\n'
    )
    members = {**RELEASE, "configure": configure.encode()}
    jobs = {
        "configure-code": Job(configure_code_findings, is_configure_input),
        "configure-commands": Job(configure_command_findings, is_configure_input),
    }
    results = {}
    for worker in (True, False):
        (tmp_path / str(worker)).mkdir()
        got, _ = _audit_steps(
            tmp_path / str(worker),
            jobs,
            worker=worker,
            members=members,
            between=_let_the_worker_claim_the_jobs,
        )
        results[worker] = got.jobs["configure-commands"]
    assert results[True] == results[False]
    (finding,) = results[True]
    assert finding.rule_id == "configure-unaccounted-command"
    assert finding.path == "configure"
    assert any('"payload":C)' in e.text for e in finding.evidence)


def test_a_job_reading_a_file_it_was_not_offered_runs_here(tmp_path: Path) -> None:
    tries = tmp_path / "tries"

    def reads_manual(ctx: AuditContext, _changed: list[str]) -> tuple[int, str | None]:
        with tries.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        return os.getpid(), ctx.text(ctx.artifact, "docs/manual.txt")

    job = Job(reads_manual, lambda base: base == "configure.ac")  # manual.txt not declared
    got, _ = _audit_steps(
        tmp_path, {"manual": job}, worker=True, between=_let_the_worker_claim_the_jobs
    )
    assert got.jobs["manual"] == (os.getpid(), "not build code\n")
    if _forks():  # the worker tried first and gave it up
        assert [int(p) != os.getpid() for p in tries.read_text().split()] == [True, False]


def test_a_job_never_reads_what_this_process_cannot(tmp_path: Path) -> None:
    """A member offered to the worker but then not kept here (the retention limit):
    the in-process job reads nothing for it, so the worker's must not either."""

    def reads_makefile(ctx: AuditContext, changed: list[str]) -> tuple[str | None, list[str]]:
        return ctx.text(ctx.artifact, "Makefile.in"), changed

    job = {"make": Job(reads_makefile, lambda base: base == "Makefile.in")}
    small = Limits(max_retained_total_bytes=1000)  # configure.ac and loader.m4 fit
    got, _ = _audit_steps(
        tmp_path, job, worker=True, limits=small, between=_let_the_worker_claim_the_jobs
    )
    alone, _ = _audit_steps(tmp_path, job, worker=False, limits=small)
    assert got.jobs == alone.jobs and got.jobs["make"][0] is None
    assert got.signals == alone.signals and "Makefile.in" not in got.signals
    assert "m4/loader.m4" in got.signals


def test_the_main_process_takes_over_scans_nobody_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the worker is busy with the largest file, the main process takes the
    others; every file is scanned exactly once."""
    if not _forks():
        pytest.skip("no worker here")
    log = tmp_path / "scans"
    _log_scans(monkeypatch, log, worker_delay=0.8)
    # the largest first in the tarball: a worker with nothing to do scans whatever has
    # arrived, so with m4/loader.m4 first it could start on that one
    largest_first = {"Makefile.in": RELEASE["Makefile.in"], **RELEASE}
    got, _ = _audit_steps(
        tmp_path, worker=True, members=largest_first, between=_let_the_worker_start_scanning
    )
    scans = _scans(log)
    assert sorted(path for _, path in scans) == ["Makefile.in", "m4/loader.m4"]  # once each
    by = dict((path, pid) for pid, path in scans)
    assert by["Makefile.in"] != os.getpid()  # the largest: the worker's
    assert by["m4/loader.m4"] == os.getpid()  # taken over here
    assert any(s.rule_id == "build-decode-to-interpreter" for s in got.signals["m4/loader.m4"])


def test_small_artifacts_are_analysed_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prescan_module, "MIN_ARTIFACT_BYTES_FOR_WORKER", 10**9)
    artifact = _tarball(tmp_path, RELEASE)
    scan = Prescan()
    scan.start(artifact.stat().st_size)
    assert not scan.running
    assert not scan.wants("pkg-1.0/m4/loader.m4", b"")


def test_failed_worker_falls_back_to_computing_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not _forks():
        pytest.skip("no fork here")

    def breaks(self: object) -> None:
        raise RuntimeError("worker breaks")

    monkeypatch.setattr(prescan_module._Worker, "serve", breaks)
    job = Job(lambda _ctx, _changed: 42, lambda base: False)
    got, _ = _audit_steps(tmp_path, {"answer": job}, worker=True)
    assert got.jobs["answer"] == 42
    assert set(got.signals) == {"m4/loader.m4", "Makefile.in"}
    assert any(s.rule_id == "build-decode-to-interpreter" for s in got.signals["m4/loader.m4"])


def test_a_wrong_guess_of_the_final_paths_is_corrected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tarball without a single top-level directory keeps its paths: the worker's
    guess (strip the first component), made while the artifact is still read, was
    wrong, and its results must not be used under the guessed names."""
    log = tmp_path / "scans"
    _log_scans(monkeypatch, log)
    members = {"pkg/m4/loader.m4": LOADER.encode()} | {
        f"pkg/{p}": d for p, d in RELEASE.items() if p != "m4/loader.m4"
    }
    members["README"] = b"two tops\n"
    got, _ = _audit_steps(tmp_path, worker=True, members=members, top=None, known_after=1)
    if _forks():  # the worker scanned under the guessed path during the read
        assert any(pid != os.getpid() and path == "m4/loader.m4" for pid, path in _scans(log))
    alone, _ = _audit_steps(tmp_path, worker=False, members=members, top=None)
    # configure.ac is in git at the top, so pkg/configure.ac is only in the artifact
    assert set(got.signals) == {"pkg/m4/loader.m4", "pkg/Makefile.in", "pkg/configure.ac"}
    assert got.signals == alone.signals
    assert got.signals["pkg/m4/loader.m4"] == scan_build_code("pkg/m4/loader.m4", LOADER)


def test_released_upstream_files_are_not_scanned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chainsight.knowledge import upstream_files

    real = upstream_files.lookup

    def lookup(name: str, content: bytes) -> Any:
        prov = real(name, content)
        if name == "loader.m4":
            from dataclasses import replace

            return replace(prov, status="verified-upstream")
        return prov

    monkeypatch.setattr(upstream_files, "lookup", lookup)
    for worker in (True, False):
        got, _ = _audit_steps(tmp_path, worker=worker)
        assert "m4/loader.m4" not in got.signals
        assert "m4/loader.m4" in got.released


def test_an_uncollected_worker_is_stopped_not_leaked(tmp_path: Path) -> None:
    if not _forks():
        pytest.skip("no worker here")
    artifact = _tarball(tmp_path, RELEASE)
    with Prescan() as scan:
        scan.start(artifact.stat().st_size)
        pid = scan._pid
        assert pid is not None
        read_archive(artifact, sink=scan)
    # closed without results(): killed and reaped, nothing left to wait for
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    assert not scan.running and scan._to_worker is None


def test_no_fork_while_another_thread_runs(tmp_path: Path) -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        scan = Prescan()
        scan.start(10**9)
        assert not scan.running
    finally:
        stop.set()
        other.join()


def test_worker_and_parent_read_the_knowledge_base_at_once(tmp_path: Path) -> None:
    """The zip the parent has open must not be shared with the worker (one file offset
    for two processes gives corrupt reads): the batch path audits many packages in one
    process, so the knowledge base is open before the worker is forked."""
    if not _forks():
        pytest.skip("no worker here")
    from chainsight.knowledge import upstream_files as uf

    names = sorted(uf.known_names())
    handle = uf._archive()[0].fp  # open in the parent, as after an earlier audit
    assert handle is not None
    uf._entry.cache_clear()
    half = len(names) // 2

    def versions(part: list[str]) -> list[int]:
        return [len(entry.versions) if (entry := uf._entry(n)) else -1 for n in part]

    def job(_ctx: AuditContext, _changed: list[str]) -> tuple[int, list[int]]:
        return os.getpid(), versions(names[:half])

    # 1. the worker's reads do not move the parent's file offset
    before = os.lseek(handle.fileno(), 0, os.SEEK_CUR)
    quiet, _ = _audit_steps(
        tmp_path,
        {"child": Job(job, lambda b: False)},
        worker=True,
        members=TEXT_ONLY,
        between=_let_the_worker_claim_the_jobs,
    )
    pid, there = quiet.jobs["child"]
    assert pid != os.getpid()  # read in the worker
    assert os.lseek(handle.fileno(), 0, os.SEEK_CUR) == before
    # 2. both read at once and both get the right entries
    here: list[int] = []
    both, _ = _audit_steps(
        tmp_path,
        {"child": Job(job, lambda b: False)},
        worker=True,
        members=TEXT_ONLY,
        between=lambda scan: (
            _let_the_worker_claim_the_jobs(scan) or here.extend(versions(names[half:]))
        ),
    )
    pid, again = both.jobs["child"]
    assert pid != os.getpid() and again == there
    uf._entry.cache_clear()
    assert there == versions(names[:half]) and here == versions(names[half:])


def test_the_worker_sees_every_byte_of_large_members(tmp_path: Path) -> None:
    """Offered content crosses shared memory page by page (each side gives its pages
    back once done): what the worker reads is exactly what was offered."""
    import hashlib

    big_loader = ("dnl padding line for several pages\n" * 600 + LOADER).encode()
    members = dict(RELEASE) | {"m4/loader.m4": big_loader}

    def digests(ctx: AuditContext, _changed: list[str]) -> dict[str, str]:
        return {
            p: hashlib.sha256(ctx.artifact.read(p) or b"").hexdigest()
            for p in ("Makefile.in", "m4/loader.m4")
        } | {"pid": str(os.getpid())}

    job = Job(digests, lambda base: base in ("Makefile.in", "loader.m4"))
    got, _ = _audit_steps(
        tmp_path,
        {"digests": job},
        worker=True,
        members=members,
        between=_let_the_worker_claim_the_jobs,
    )
    seen = got.jobs["digests"]
    assert (seen.pop("pid") != str(os.getpid())) == _forks()  # read in the worker
    assert seen == {
        p: hashlib.sha256(members[p]).hexdigest() for p in ("Makefile.in", "m4/loader.m4")
    }
    assert got.signals["m4/loader.m4"] == scan_build_code("m4/loader.m4", big_loader.decode())
    assert any(s.rule_id == "build-decode-to-interpreter" for s in got.signals["m4/loader.m4"])


def test_the_claim_lock_excludes_the_forked_worker_and_dies_with_it() -> None:
    """The claim lock is a record lock: the forked worker does not inherit the parent's
    hold, waits for it (up to its timeout), and a worker that dies holding it frees it."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    lock = prescan_module._ClaimLock()
    read_end, write_end = os.pipe()
    try:
        assert lock.acquire(timeout=1)
        pid = os.fork()
        if pid == 0:  # the worker's side
            code = 0
            try:
                os.write(write_end, b"1" if lock.acquire(timeout=0.2) else b"0")
                # once the parent lets go: take it, and end holding it
                os.write(write_end, b"1" if lock.acquire(timeout=5) else b"0")
            except BaseException:
                code = 1
            os._exit(code)
        assert os.read(read_end, 1) == b"0"  # held here: the worker timed out
        lock.release()
        assert os.read(read_end, 1) == b"1"
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert lock.acquire(timeout=1)  # the worker's hold ended with it
        lock.release()
    finally:
        lock.close()
        os.close(read_end)
        os.close(write_end)


def test_a_claim_lock_that_cannot_lock_says_no_rather_than_raising() -> None:
    """The caller then treats it as held by a dead process: the main process stops the
    worker and computes the rest."""
    lock = prescan_module._ClaimLock()
    lock.close()  # EBADF from here on
    assert lock.acquire(timeout=0.1) is False
    lock.release()  # and releasing does not raise either
