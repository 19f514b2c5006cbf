"""Analyses run on the second core while the main process explains differences.

The behaviour scan of build code depends on one file's path and content only.
As soon as the comparison says which files are only in the artifact or
modified, a forked worker scans every candidate among them that is not a
released upstream file — a superset of what the explainers will later select —
and runs the other whole-artifact jobs it is given (the configure vocabulary
check), and hands back the results; the main process meanwhile explains
differences, looks up provenance, examines opaque files and runs the indicator
rules. Results the caller needs but the worker did not compute are computed
in-process, so the outcome never depends on whether the worker ran.

A worker is used only where ``fork`` exists and there are two or more CPUs, and
only when no other thread runs (else everything is computed here); it is
killed if the audit fails before collecting it; it reads the artifact's content from
memory and, for files identical to git, through the repository already open
(libgit2 object reads); it runs nothing it reads.
"""

from __future__ import annotations

import contextlib
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


@dataclass
class PrescanResults:
    signals: dict[str, list[Signal]] = field(default_factory=dict)
    """Behaviour signals by path, for every build-code file scanned."""
    jobs: dict[str, Any] = field(default_factory=dict)
    """What each extra job (see :class:`Prescan`) returned."""


def _work(
    code: Mapping[str, str], raw: Mapping[str, bytes], jobs: Mapping[str, Callable[[], Any]]
) -> PrescanResults:
    from chainsight.knowledge.upstream_files import is_verified_upstream

    out = PrescanResults()
    for path, text in code.items():
        # the audit does not scan a released upstream file (see build_code._to_scan)
        if is_verified_upstream(path, raw[path]):
            continue
        out.signals[path] = scan_build_code(path, text)
    for name, job in jobs.items():
        out.jobs[name] = job()
    return out


class Prescan:
    """Scan ``candidates`` (path -> content) for build-code signals, and run ``jobs``
    (other whole-artifact analyses whose results pickle), in a forked worker when that
    pays off."""

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
        self._pid: int | None = None
        self._fd: int | None = None
        self._results: PrescanResults | None = None

    @property
    def code_texts(self) -> dict[str, str]:
        return self._code

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

    def start(self) -> None:
        size = sum(len(t) for t in self._code.values())
        if size < MIN_CHARS_FOR_WORKER or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
            return
        if threading.active_count() > 1:
            return  # a lock held by another thread would stay held in the child: no fork
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the worker: compute, send, leave without running any cleanup
            code = 0
            try:
                os.close(read_fd)
                results = _work(self._code, self._raw, self._jobs)
                payload = pickle.dumps(results, pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as out:
                    out.write(payload)
            except BaseException:
                code = 1
            os._exit(code)
        os.close(write_fd)
        self._pid, self._fd = pid, read_fd

    def results(self) -> PrescanResults:
        """The worker's results, or everything computed here if it did not run or failed."""
        if self._results is not None:
            return self._results
        got: PrescanResults | None = None
        if self._pid is not None and self._fd is not None:
            with os.fdopen(self._fd, "rb") as fh:
                data = fh.read()
            _, status = os.waitpid(self._pid, 0)
            if status == 0 and data:
                try:
                    value = pickle.loads(data)  # our own child's output, never analysed content
                except Exception:
                    value = None
                if isinstance(value, PrescanResults):
                    got = value
            self._pid = self._fd = None
        if got is None:
            got = _work(self._code, self._raw, self._jobs)
        self._results = got
        return got
