"""Analyses run on the second core while the main process explains differences.

The behaviour scan of build code depends on one file's path and content only.
As soon as the comparison says which files are only in the artifact or
modified, a forked worker scans every candidate among them that is not a
released upstream file — a superset of what the explainers will later select —
and runs the other whole-artifact jobs it is given (the configure vocabulary
check); the main process meanwhile explains differences, looks up provenance,
examines opaque files and runs the indicator rules, then takes over tasks from
the other end of the same list until the two meet. Results the caller needs
but nobody computed are computed in-process, so the outcome never depends on
whether the worker ran.

A worker is used only where ``fork`` exists and there are two or more CPUs, and
only when no other thread runs (else everything is computed here); it is
killed if the audit fails before collecting it; it reads the artifact's content
from memory and, for files identical to git, through the repository already
open (libgit2 object reads); it runs nothing it reads.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chainsight.analyzers.behaviour import Signal, build_code_kind, scan_build_code

MIN_CHARS_FOR_WORKER = 200_000
"""Below this much text a fork costs more than it saves."""
CLAIM_TIMEOUT = 5.0
"""Seconds to wait for the task list's lock; past that the claimant stops taking
tasks (whatever is left is computed in-process afterwards)."""

Task = tuple[str, str]
"""``("job", name)`` or ``("scan", path)``."""


@dataclass
class PrescanResults:
    signals: dict[str, list[Signal]] = field(default_factory=dict)
    """Behaviour signals by path, for every build-code file scanned."""
    jobs: dict[str, Any] = field(default_factory=dict)
    """What each extra job (see :class:`Prescan`) returned."""
    released: set[str] = field(default_factory=set)
    """Files not scanned because they are released upstream files."""

    def merge(self, other: PrescanResults) -> None:
        self.signals.update(other.signals)
        self.jobs.update(other.jobs)
        self.released |= other.released

    def has(self, task: Task) -> bool:
        kind, name = task
        if kind == "job":
            return name in self.jobs
        return name in self.signals or name in self.released


class Prescan:
    """Scan ``candidates`` (path -> content) for build-code signals, and run ``jobs``
    (other whole-artifact analyses whose results pickle), on two cores when that pays.

    The tasks form one list, the jobs and the largest files first. The worker
    takes tasks from the front; the main process, once its own work is done and
    it asks for :meth:`results`, takes them from the back until the two meet, so
    that neither core waits long for the other.
    """

    def __init__(
        self,
        candidates: Mapping[str, bytes],
        jobs: Mapping[str, Callable[[], Any]] | None = None,
    ) -> None:
        self._code: dict[str, str] = {}
        self._raw: dict[str, bytes] = {}
        for path, data in candidates.items():
            if build_code_kind(path) is None and not data.startswith(b"#!"):
                continue
            text = data.decode("utf-8", "replace")
            if build_code_kind(path, text) is not None:
                self._code[path] = text
                self._raw[path] = data
        self._jobs = dict(jobs or {})
        self._tasks: list[Task] = [("job", name) for name in self._jobs] + [
            ("scan", path) for path in sorted(self._code, key=lambda p: -len(self._code[p]))
        ]
        self._ends: Any = None
        self._lock: Any = None
        self._pid: int | None = None
        self._fd: int | None = None
        self._results: PrescanResults | None = None

    def __enter__(self) -> Prescan:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop a worker whose results were not collected (the audit failed meanwhile)."""
        if self._pid is None:
            return
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._pid = self._fd = None

    # -- tasks -------------------------------------------------------------------

    def _run(self, task: Task, out: PrescanResults) -> None:
        kind, name = task
        if kind == "job":
            out.jobs[name] = self._jobs[name]()
            return
        from chainsight.knowledge.upstream_files import is_verified_upstream

        # the audit does not scan a released upstream file (see build_code._to_scan)
        if is_verified_upstream(name, self._raw[name]):
            out.released.add(name)
        else:
            out.signals[name] = scan_build_code(name, self._code[name])

    def _claim(self, front: bool) -> int | None:
        """The next task from one end of the list, or None once the ends have met (or
        the lock is held far too long: the claimant then stops taking tasks)."""
        if not self._lock.acquire(timeout=CLAIM_TIMEOUT):
            return None
        try:
            low, high = int(self._ends[0]), int(self._ends[1])
            if low > high:
                return None
            if front:
                self._ends[0] = low + 1
                return low
            self._ends[1] = high - 1
            return high
        finally:
            self._lock.release()

    def _take(self, front: bool) -> PrescanResults:
        out = PrescanResults()
        while (index := self._claim(front)) is not None:
            self._run(self._tasks[index], out)
        return out

    # -- the worker ----------------------------------------------------------------

    def start(self) -> None:
        size = sum(len(t) for t in self._code.values())
        if size < MIN_CHARS_FOR_WORKER or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
            return
        if threading.active_count() > 1:
            return  # a lock held by another thread would stay held in the child: no fork
        context = multiprocessing.get_context("fork")
        self._ends = context.RawArray("i", [0, len(self._tasks) - 1])
        self._lock = context.Lock()
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the worker: compute, send, leave without running any cleanup
            code = 0
            try:
                os.close(read_fd)
                payload = pickle.dumps(self._take(front=True), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as out:
                    out.write(payload)
            except BaseException:
                code = 1
            os._exit(code)
        os.close(write_fd)
        self._pid, self._fd = pid, read_fd

    def results(self) -> PrescanResults:
        """Everything: what the worker computed, what this process takes over from the
        other end of the list, and whatever is still missing (the worker did not run,
        or failed)."""
        if self._results is not None:
            return self._results
        got = PrescanResults()
        if self._pid is not None and self._fd is not None:
            got.merge(self._take(front=False))
            with os.fdopen(self._fd, "rb") as fh:
                data = fh.read()
            _, status = os.waitpid(self._pid, 0)
            if status == 0 and data:
                try:
                    value = pickle.loads(data)  # our own child's output, never analysed content
                except Exception:
                    value = None
                if isinstance(value, PrescanResults):
                    got.merge(value)
            self._pid = self._fd = None
        for task in self._tasks:
            if not got.has(task):
                self._run(task, got)
        self._results = got
        return got
