"""Run the audits of a batch concurrently; one failure never stops the set.

Each target is audited by an injected function ``PackageTarget -> AuditReport``
in a worker (a process by default, see docs/performance.md for why), which
writes the full report to the result store and hands back only a small
:class:`TargetResult`.  Targets finished by an earlier run with the same
inputs are taken from the store without auditing them again.  At most
``2 x jobs`` audits are queued at once, so thousands of targets cost no more
than a few.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from enum import StrEnum

from chainsight.batch.results import BatchItem, TargetResult, error_result, result_of
from chainsight.batch.store import ResultStore
from chainsight.errors import ChainsightError
from chainsight.model import AuditReport
from chainsight.registry.target import PackageTarget

AuditFunction = Callable[[PackageTarget], AuditReport]
"""Audits one target. Must be picklable (a module-level function or an instance of a
module-level class) when the workers are processes."""

DEFAULT_TIMEOUT = 900.0
"""Seconds one target may take (download, clone, audit) before it is stopped."""
MAX_TASKS_PER_WORKER = 64
"""A worker process is replaced after this many audits, so that whatever one audit
leaves behind (caches, fragmentation) cannot grow without bound over thousands."""


class WorkerKind(StrEnum):
    PROCESS = "process"
    THREAD = "thread"


@dataclass(frozen=True)
class BatchOutcome:
    results: tuple[TargetResult, ...]
    """In the order of the items given."""
    reused: int
    """How many results came from the store of an earlier run."""


def default_jobs() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2))


def run_batch(
    items: Sequence[BatchItem],
    audit: AuditFunction,
    store: ResultStore,
    *,
    jobs: int | None = None,
    workers: WorkerKind = WorkerKind.PROCESS,
    on_result: Callable[[TargetResult], None] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> BatchOutcome:
    """Audit every item; ``on_result`` is called in this thread as each one finishes.
    ``timeout``: seconds one audit may take in a worker process before it is stopped
    and reported as an error (None: no limit; thread workers cannot be stopped)."""
    jobs = max(1, jobs or default_jobs())
    results: list[TargetResult | None] = [None] * len(items)
    reused = 0
    todo: list[int] = []
    for i, item in enumerate(items):
        done = _immediate(item, store)
        if done is None:
            todo.append(i)
            continue
        reused += done.reused
        results[i] = done
        if on_result:
            on_result(done)
    if todo:
        limit = timeout if workers is WorkerKind.PROCESS else None
        for i, result in _run_pending(items, todo, audit, store, jobs, workers, limit):
            results[i] = result
            if on_result:
                on_result(result)
    return BatchOutcome(tuple(r for r in results if r is not None), reused)


def _immediate(item: BatchItem, store: ResultStore) -> TargetResult | None:
    if item.target is None:
        return error_result(item, item.problem or "cannot audit")
    return store.lookup(item)


def _run_pending(
    items: Sequence[BatchItem],
    todo: list[int],
    audit: AuditFunction,
    store: ResultStore,
    jobs: int,
    workers: WorkerKind,
    timeout: float | None = None,
) -> Iterator[tuple[int, TargetResult]]:
    queue = iter(todo)
    executor = _executor(workers, jobs)
    pending: dict[Future[TargetResult], int] = {}
    finished_normally = False
    try:
        while True:
            while len(pending) < 2 * jobs:
                i = next(queue, None)
                if i is None:
                    break
                pending[executor.submit(audit_one, audit, items[i], store, timeout)] = i
            if not pending:
                finished_normally = True
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for future in finished:
                i = pending.pop(future)
                try:
                    yield i, future.result()
                except BrokenProcessPool:
                    broken = True
                    yield i, error_result(items[i], _DIED)
                except Exception as exc:  # the worker's own guard failed (e.g. pickling)
                    yield i, error_result(items[i], _describe(exc))
            if broken:
                # Every audit in flight was lost with the pool; a rerun retries them.
                for future, i in pending.items():
                    future.cancel()
                    yield i, error_result(items[i], _DIED)
                pending.clear()
                executor.shutdown(wait=False, cancel_futures=True)
                executor = _executor(workers, jobs)
    finally:
        if not finished_normally:  # interrupted: do not wait for the audits in flight
            _stop_workers(executor)
        executor.shutdown(wait=finished_normally, cancel_futures=True)


_DIED = (
    "the worker process died while this target was being audited (a crash or out of "
    "memory); rerun to try it again"
)


def _executor(workers: WorkerKind, jobs: int) -> Executor:
    if workers is WorkerKind.THREAD:
        return ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="chainsight-audit")
    # forkserver: workers are forked from a clean single-threaded server, never from
    # this process (which runs a progress thread); they are recycled periodically.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["chainsight.batch.runner", "chainsight.audit"])
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_worker_init,
        max_tasks_per_child=MAX_TASKS_PER_WORKER,
    )


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle; a worker must not print a traceback for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_workers(executor: Executor) -> None:
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        process.terminate()


class _TimedOut(BaseException):
    """BaseException: an ``except Exception`` inside the audit must not swallow it."""


def _on_alarm(_signum: int, _frame: object) -> None:
    raise _TimedOut


def audit_one(
    audit: AuditFunction, item: BatchItem, store: ResultStore, timeout: float | None = None
) -> TargetResult:
    """Audit one target in a worker: store the full report, return the summary.

    Never raises for a failing target: the error becomes the result, one line.
    With ``timeout`` (worker processes only: it uses the process's alarm signal),
    an audit running longer is interrupted and reported as timed out.
    """
    from chainsight.formats.jsonfmt import report_dict

    assert item.target is not None
    timed = timeout is not None and timeout > 0
    if timed:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(timeout or 0))
    try:
        report = audit(item.target)
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
        key = store.key(item)
        result = result_of(item, report, key)
        store.save(key, result, report_dict(report))
        return result
    except _TimedOut:
        return error_result(
            item, f"{item.target}: the audit took longer than {timeout:g}s and was stopped"
        )
    except ChainsightError as exc:
        return error_result(item, str(exc))
    except Exception as exc:
        return error_result(item, _describe(exc))
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _describe(exc: BaseException) -> str:
    return f"internal error: {type(exc).__name__}: {exc}"
