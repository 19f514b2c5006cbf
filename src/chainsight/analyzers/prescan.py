"""Analyses run on the second core, starting while the artifact is still being read.

The behaviour scan of a build file, the knowledge-base lookup of an
upstream-named file and the report on an opaque (binary) file each depend on
one file's name and content only. Before the repository is opened the audit
forks a worker, sends it the repository's blobs once the tag's tree is known,
and the reader then offers it every member that may need one of them (build
code by name or ``#!`` line, upstream file names, binary-looking names, the
inputs of the whole-artifact jobs) through shared memory, as each member comes
out of the decompressor. The worker skips what the repository has and works on
the rest: knowledge-base lookups and opaque-file reports first (the main
process needs them first), then scans, the largest first.

When the read ends the main process sends the final paths and the list of
changed files. The worker sends its lookups and reports back, runs the jobs (the
configure checks, from the content it was offered) and goes on scanning, while
the main process explains the differences; then the main process takes over
the scans nobody has started, the smallest first, and any job nobody started.
Whatever nobody computed — the worker did not run, failed, or was not offered
a file — is computed in-process, so the outcome never depends on whether or
how the worker ran; only the time does.

A worker is used only where ``fork`` exists, with two or more CPUs, for an
artifact big enough to pay for it, and only when no other thread runs (a batch
runs audits in threads: no worker there). It is killed if the audit fails
before collecting it. It reads nothing but what it is sent, and runs nothing
it reads.
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import pickle
import posixpath
import select
import struct
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chainsight.analyzers.behaviour import Signal, build_code_kind, scan_build_code
from chainsight.analyzers.build_code import opaque_candidate
from chainsight.sources import prefetch

if TYPE_CHECKING:
    from chainsight.analyzers.blobs import BlobReport
    from chainsight.analyzers.context import AuditContext
    from chainsight.knowledge.upstream_files import Provenance
    from chainsight.trees import Entry

MIN_ARTIFACT_BYTES_FOR_WORKER = 256 * 1024
"""Below this artifact size a fork costs more than it saves."""
MAX_OFFERS = 4096
"""Members offered to the worker at most (the rest are analysed in-process)."""
SHARED_BYTES = 256 * 1024 * 1024
"""Shared memory for offered content (reserved, not used, until written)."""
MAX_OFFERED_FILE = 16 * 1024 * 1024
PIPE_BYTES = 1024 * 1024
"""Asked-for pipe capacity, so that neither side waits on a full pipe."""
MESSAGE_LIMIT = 512
"""Messages to the worker stay below PIPE_BUF, so that each write is atomic, and
within the share of the pipe's capacity that each offer is allowed (see start)."""
CONTROL_RESERVE = 64 * 1024 * 1024
"""Shared memory kept for the repository's blob ids and the final entries: offers
stop short of it."""
CLAIM_TIMEOUT = 5.0
"""Seconds to wait for the claim lock; past that it is taken for dead (a process was
killed holding it): the main process then stops the worker and computes the rest."""


@dataclass(frozen=True)
class Job:
    """A whole-artifact analysis: ``run(ctx, changed)`` once the read has ended. The
    worker runs it on a context holding only the files it was offered; ``reads(base
    name)`` says which files those must include."""

    run: Callable[[AuditContext, list[str]], Any]
    reads: Callable[[str], bool]


@dataclass
class PrescanResults:
    signals: dict[str, list[Signal]] = field(default_factory=dict)
    """Behaviour signals by path, for every build-code file scanned."""
    jobs: dict[str, Any] = field(default_factory=dict)
    """What each job returned."""
    released: set[str] = field(default_factory=set)
    """Files not scanned because they are released upstream files."""
    lookups: dict[tuple[str, str], Provenance] = field(default_factory=dict)
    """Knowledge-base lookups by (base name, blob id)."""
    blob_reports: dict[tuple[str, str], BlobReport] = field(default_factory=dict)
    """Opaque-file reports by (path, blob id), for binary files worth decoding."""

    def merge(self, other: PrescanResults) -> None:
        self.signals.update(other.signals)
        self.jobs.update(other.jobs)
        self.released |= other.released
        self.lookups.update(other.lookups)
        self.blob_reports.update(other.blob_reports)

    def scanned(self, path: str) -> bool:
        return path in self.signals or path in self.released


def _guess_path(raw: str) -> str:
    """The path a member will most likely have once the single top-level directory
    of a release tarball is stripped (checked, and corrected, when the read ends)."""
    return raw.split("/", 1)[1] if "/" in raw else raw


def _final_path(raw: str, prefix: str | None) -> str | None:
    if prefix is None:
        return raw
    return raw[len(prefix) + 1 :] if raw.startswith(prefix + "/") else None


def _is_code(path: str, data: bytes) -> str | None:
    if build_code_kind(path) is None and not data.startswith(b"#!") and not path.endswith(".rs"):
        return None  # (a .rs file is build code when it defines procedural macros)
    return build_code_kind(path, data.decode("utf-8", "replace"))


def _lookup(base: str, data: bytes) -> Provenance:
    from chainsight.knowledge.upstream_files import lookup

    return lookup(base, data)


def _blob_report(path: str, data: bytes) -> BlobReport | None:
    """What the audit's opaque-file analysis makes of a binary file (None: not binary,
    or not a file it decodes unless build code reads it)."""
    from chainsight.analyzers.blobs import analyse_blob
    from chainsight.analyzers.classify import is_binary
    from chainsight.analyzers.opaque import worth_decoding

    if not data or not worth_decoding(path) or not is_binary(data):
        return None
    return analyse_blob(path, data)


def _scan(path: str, data: bytes, prov: Provenance | None, out: PrescanResults) -> None:
    """What the audit does with one changed file: nothing for a released upstream file
    (see build_code._to_scan), else a behaviour scan."""
    if prov is not None and prov.status == "verified-upstream":
        out.released.add(path)
    else:
        out.signals[path] = scan_build_code(path, data.decode("utf-8", "replace"))


_NOT_YET = object()
"""What a non-blocking receive returns when no whole message has arrived."""


class _NotOffered(BaseException):
    """The worker's job read a file it was not sent, or one the main process cannot read
    either: the job is left to the main process. A BaseException, so that a job's own
    ``except Exception`` cannot turn it into a different result."""


class Prescan:
    """The second-core worker for one audit; see the module documentation.

    ``start(size)`` (before any thread starts) → :meth:`known` once the
    repository's blobs are known → the reader calls :meth:`wants` /
    :meth:`offer` → :meth:`finish` when the read has ended → :meth:`early` →
    :meth:`results`. Use as a context manager: an uncollected worker is killed.
    """

    def __init__(self, jobs: Mapping[str, Job] | None = None, *, guess_paths: bool = True):
        self._jobs = dict(jobs or {})
        self._guess_paths = guess_paths
        self._pid: int | None = None
        self._to_worker: int | None = None
        self._from_worker: int | None = None
        self._shared: mmap.mmap | None = None
        self._claims: mmap.mmap | None = None
        self._claim_lock: _ClaimLock | None = None
        self._send_lock = threading.Lock()
        self._used = 0
        self._max_offers = 0
        self._offers: list[tuple[str, str]] = []
        self._known: frozenset[str] | set[str] = frozenset()
        self._names: frozenset[str] | None = None
        """Base names of known upstream build files (the main process's, for ``wants``)."""
        self._ctx: AuditContext | None = None
        self._changed: dict[str, bytes] = {}
        self._prefix: str | None = None
        self._early: PrescanResults | None = None
        self._results: PrescanResults | None = None
        self._readable: frozenset[str] | set[str] = frozenset()
        self._inbox = bytearray()

    def __enter__(self) -> Prescan:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._pid is not None

    # -- the main process: setting up --------------------------------------------

    def start(self, artifact_bytes: int) -> None:
        """Fork the worker, when that pays and is safe."""
        if (
            artifact_bytes < MIN_ARTIFACT_BYTES_FOR_WORKER
            or not hasattr(os, "fork")
            or (os.cpu_count() or 1) < 2
            or _other_threads()  # a lock held by another thread stays held
        ):
            return
        fds: list[int] = []
        try:
            self._shared = mmap.mmap(-1, SHARED_BYTES)
            self._claims = mmap.mmap(-1, MAX_OFFERS + len(self._jobs) + 1)
            self._claim_lock = _ClaimLock()
            down_read, down_write = os.pipe()
            fds += [down_read, down_write]
            up_read, up_write = os.pipe()
            fds += [up_read, up_write]
            capacity = min(_grow_pipe(down_write), _grow_pipe(up_write))
            self._max_offers = min(MAX_OFFERS, capacity // MESSAGE_LIMIT)
            sys.stdout.flush()
            sys.stderr.flush()
            with warnings.catch_warnings():
                # Python 3.12+ warns of any thread; the prefetch thread holds no lock
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except Exception:
            # no memory, no memfd, no file descriptors, no processes left:
            # everything is computed in this process instead
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._release_memory()
            return
        if pid == 0:  # the worker: compute, send, leave without running any cleanup
            code = 0
            try:
                os.close(down_write)
                os.close(up_read)
                _Worker(self, down_read, up_write).serve()
            except BaseException:
                code = 1
            os._exit(code)
        os.close(down_read)
        os.close(up_write)
        self._pid, self._to_worker, self._from_worker = pid, down_write, up_read

    def _release_memory(self) -> None:
        for region in (self._shared, self._claims):
            if region is not None:
                with contextlib.suppress(Exception):
                    region.close()
        self._shared = self._claims = None
        if self._claim_lock is not None:
            self._claim_lock.close()
        self._claim_lock = None

    def close(self) -> None:
        """Stop a worker whose results were not collected (the audit failed meanwhile)."""
        pid, self._pid = self._pid, None
        if pid is not None:
            import signal

            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # a write blocked on its pipe now fails
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        with self._send_lock:
            for fd in (self._to_worker, self._from_worker):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._to_worker = self._from_worker = None
            self._release_memory()

    # -- the main process: feeding the worker --------------------------------------

    def wants(self, path: str, head: bytes) -> bool:
        """Whether the worker should be offered this member (called by the reader)."""
        if self._to_worker is None:
            return False
        base = posixpath.basename(path)
        guess = _guess_path(path) if self._guess_paths else path
        if self._names is None:  # loaded here, not before the fork, which waits for it
            from chainsight.knowledge.upstream_names import base_names

            self._names = base_names()
        return (
            head == b"#!"
            or build_code_kind(guess) is not None
            or opaque_candidate(guess)
            or base in self._names
            or any(job.reads(base) for job in self._jobs.values())
        )

    def offer(self, path: str, blob_id: str, data: bytes) -> None:
        """Hand one member to the worker (called by the reader). Never raises."""
        with self._send_lock:
            shared = self._shared
            if self._to_worker is None or shared is None:
                return
            index = len(self._offers)
            start = self._used
            if (
                index >= self._max_offers
                or len(data) > MAX_OFFERED_FILE
                or start + len(data) > len(shared) - CONTROL_RESERVE
            ):
                return
            message = pickle.dumps(("member", index, path, blob_id, start, len(data)))
            if len(message) > MESSAGE_LIMIT:
                return
            shared[start : start + len(data)] = data
            if self._send(message):
                self._used = _written(shared, start, len(data))
                self._offers.append((path, blob_id))
            else:
                self._shared = None  # the worker has gone: offer nothing more

    def known(self, blobs: frozenset[str] | set[str]) -> None:
        """The repository's blobs: the worker analyses only what they do not include."""
        self._known = blobs
        if self._to_worker is not None and not self._send_object("known", frozenset(blobs)):
            self.close()  # the worker would wait for them for ever

    def finish(
        self,
        ctx: AuditContext,
        changed: Mapping[str, bytes],
        prefix: str | None,
        readable: frozenset[str] | set[str],
        offer_changed: bool = False,
    ) -> None:
        """The read has ended: ``changed`` maps every path only in the artifact or
        modified to its content; ``prefix`` is the top-level directory the reader
        stripped; ``readable`` holds the blob ids whose content this process can read
        (what the reader kept, and what git has): the worker uses no other content,
        since this process could not (a member offered and then dropped for the
        retention limit). With ``offer_changed`` (nothing was offered while reading)
        the changed files are offered now."""
        self._ctx, self._changed, self._prefix = ctx, dict(changed), prefix
        self._readable = readable
        if self._to_worker is None:
            return
        if offer_changed:
            for path, data in self._changed.items():
                entry = ctx.artifact.get(path)
                if entry is not None and self.wants(path, data[:2]):
                    self.offer(path, entry.blob_id, data)
        entries = list(ctx.artifact.entries())
        payload = (entries, prefix, sorted(self._changed), frozenset(readable))
        if not self._send_object("finish", payload):
            self.close()  # it would wait for a finish that never comes

    def _send(self, message: bytes) -> bool:
        fd = self._to_worker
        if fd is None:
            return False
        try:
            os.write(fd, struct.pack("<I", len(message)) + message)
            return True
        except OSError:
            return False

    def _send_object(self, kind: str, value: object) -> bool:
        """Send a large value through shared memory, announced by a short message."""
        payload = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        with self._send_lock:
            shared = self._shared
            if shared is None or self._to_worker is None:
                return False
            start = self._used
            if start + len(payload) > len(shared):
                return False
            shared[start : start + len(payload)] = payload
            if not self._send(pickle.dumps((kind, start, len(payload)))):
                return False
            self._used = _written(shared, start, len(payload))
            return True

    # -- the main process: collecting -------------------------------------------------

    def _receive(self, block: bool = True) -> Any:
        """The worker's next message, or None when it has gone; without ``block``,
        :data:`_NOT_YET` when no whole message has arrived."""
        fd = self._from_worker
        if fd is None:
            return None
        inbox = self._inbox
        try:
            while True:
                if len(inbox) >= 8:
                    (size,) = struct.unpack_from("<Q", inbox)
                    if len(inbox) >= 8 + size:
                        payload = bytes(inbox[8 : 8 + size])
                        del inbox[: 8 + size]
                        return pickle.loads(payload)  # our own child's output
                if not block and not _readable(fd, 0):
                    return _NOT_YET
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    return None
                inbox += chunk
        except Exception:
            return None

    def early(self) -> PrescanResults:
        """What the main process needs first, which the worker sends as soon as the read
        has ended and it is between two tasks: knowledge-base lookups and opaque-file
        reports, of content this process can read. Never waits: when they have not
        arrived (or without a worker) the result is empty and the callers compute what
        they need themselves."""
        if self._early is None and self._pid is not None:
            message = self._receive(block=False)
            if message is not _NOT_YET:
                self._take_early(message)
        return self._early if self._early is not None else PrescanResults()

    def _take_early(self, message: Any) -> None:
        got = PrescanResults()
        if isinstance(message, tuple) and message[0] == "early":
            readable = self._readable
            got.lookups = {k: v for k, v in message[1].lookups.items() if k[1] in readable}
            got.blob_reports = {
                k: v for k, v in message[1].blob_reports.items() if k[1] in readable
            }
        self._early = got

    def _claim(self, index: int, worker: bool = False) -> bool:
        """Take task ``index`` (both processes call this). Without the shared flags the
        main process takes everything; a lock not free within CLAIM_TIMEOUT was held
        by a process that died: the worker stops, the main process stops the worker
        and takes everything."""
        claims, lock = self._claims, self._claim_lock
        if claims is None or lock is None:
            return not worker
        if not lock.acquire(timeout=CLAIM_TIMEOUT):
            if worker:
                return False
            self.close()
            return True
        try:
            if claims[index]:
                return False
            claims[index] = 1
            return True
        finally:
            lock.release()

    def _job_slot(self, name: str) -> int:
        return MAX_OFFERS + sorted(self._jobs).index(name)

    def results(self) -> PrescanResults:
        """Everything: what the worker computed, what this process takes over (the
        smallest scans), and whatever is still missing."""
        if self._results is not None:
            return self._results
        if self._ctx is None:
            raise RuntimeError("Prescan.results() before finish()")
        got = PrescanResults()
        if self._pid is not None:
            got.merge(self.early())
            if self._early is None:
                # computed here meanwhile: the worker can drop what is left of them
                self._send(pickle.dumps(("collect",)))
            self._take_over(got)
            while self._pid is not None:
                message = self._receive()
                if message is None:
                    break  # the worker has gone
                if isinstance(message, tuple) and message[0] == "early":
                    if self._early is None:
                        self._take_early(message)
                        got.merge(self._early or PrescanResults())
                elif isinstance(message, tuple) and message[0] == "final":
                    final = message[1]
                    final.lookups = {
                        k: v for k, v in final.lookups.items() if k[1] in self._readable
                    }
                    got.merge(final)
                    break
            self.close()
        for path, data in self._changed.items():
            if not got.scanned(path) and _is_code(path, data) is not None:
                _scan(path, data, self._provenance(got, path, data), got)
        for name, job in self._jobs.items():
            if name not in got.jobs:
                got.jobs[name] = job.run(self._ctx, sorted(self._changed))
        self._results = got
        return got

    def _provenance(self, got: PrescanResults, path: str, data: bytes) -> Provenance:
        entry = self._ctx.artifact.get(path) if self._ctx is not None else None
        base = posixpath.basename(path)
        key = (base, entry.blob_id if entry is not None else "")
        if key not in got.lookups:
            got.lookups[key] = _lookup(base, data)
        return got.lookups[key]

    def _take_over(self, got: PrescanResults) -> None:
        assert self._ctx is not None
        for name, job in sorted(self._jobs.items()):
            if self._claim(self._job_slot(name)):
                got.jobs[name] = job.run(self._ctx, sorted(self._changed))
        tasks = []
        for index, (raw, blob_id) in enumerate(self._offers):
            path = _final_path(raw, self._prefix)
            if path is None or blob_id in self._known or path not in self._changed:
                continue
            entry = self._ctx.artifact.get(path)
            data = self._changed[path]
            if entry is None or entry.blob_id != blob_id or _is_code(path, data) is None:
                continue
            tasks.append((len(data), index, path, data))
        # the smallest first: the worker takes the largest
        for _size, index, path, data in sorted(tasks):
            if self._claim(index):
                _scan(path, data, self._provenance(got, path, data), got)


class _ClaimLock:
    """The lock around the shared claim flags, between this process and the worker it
    forks: a POSIX record lock (``lockf``) on a file nobody else can open. Record
    locks belong to a process and a forked child does not inherit them, so the two
    processes exclude each other (two threads of one process would not: only the
    main thread of each claims). The kernel drops the locks of a process that dies.
    (A ``multiprocessing`` lock did the same but cost 6.6 ms of imports before the
    fork, where nothing runs alongside.)"""

    def __init__(self) -> None:
        if hasattr(os, "memfd_create"):
            self._fd = os.memfd_create("chainsight-claims", getattr(os, "MFD_CLOEXEC", 0))
        else:  # pragma: no cover - platforms with fork but without memfd
            import tempfile

            with tempfile.TemporaryFile() as fh:  # before any lock: closing it is harmless
                self._fd = os.dup(fh.fileno())

    def acquire(self, timeout: float) -> bool:
        """Take the lock; False if the other process held it for ``timeout`` seconds,
        or if locking fails (then, as for a lock taken for dead, the main process
        stops the worker and computes the rest)."""
        import fcntl

        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except OSError as error:  # EACCES or EAGAIN: the other process has it
                if error.errno not in (errno.EACCES, errno.EAGAIN):
                    return False
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.0005)

    def release(self) -> None:
        import fcntl

        with contextlib.suppress(OSError):
            fcntl.lockf(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


def _other_threads() -> bool:
    """Whether a thread other than this one and the artifact's prefetch is alive."""
    me = threading.current_thread()
    return any(t is not me and not prefetch.is_prefetch_thread(t) for t in threading.enumerate())


def _release(shared: mmap.mmap, start: int, size: int, advice: int | None) -> None:
    """Give back the whole pages of a region (``start`` is page-aligned)."""
    end = start + size - size % mmap.PAGESIZE
    if advice is not None and end > start:
        with contextlib.suppress(OSError, ValueError):
            shared.madvise(advice, start, end - start)


def _written(shared: mmap.mmap, start: int, size: int) -> int:
    """After the main process wrote a region for the worker: drop it from this
    process's memory (the shared object keeps it for the worker, which frees it once
    it has copied it) and return the next page-aligned offset."""
    _release(shared, start, size, getattr(mmap, "MADV_DONTNEED", None))
    return -(-(start + size) // mmap.PAGESIZE) * mmap.PAGESIZE


def _readable(fd: int, timeout: float | None) -> bool:
    """Whether ``fd`` has data (or EOF) within ``timeout`` seconds (None: wait)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(None if timeout is None else int(timeout * 1000)))


def _grow_pipe(fd: int) -> int:
    """Ask for a larger pipe buffer (Linux); the capacity in bytes."""
    try:
        import fcntl

        set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
        if set_size is not None:
            return int(fcntl.fcntl(fd, set_size, PIPE_BYTES))
    except OSError:
        pass
    return 65536


class _Worker:
    """The forked side: reads offers and control messages, computes, reports."""

    def __init__(self, owner: Prescan, inbox: int, outbox: int) -> None:
        self.owner = owner
        self.inbox_fd = inbox
        self.outbox_fd = outbox
        self.buffer = bytearray()
        self.members: dict[int, tuple[str, str, bytes]] = {}
        self.waiting: list[int] = []
        self.lookup_queue: deque[int] = deque()
        self.blob_queue: deque[int] = deque()
        self.scan_queue: deque[int] = deque()
        self.known: frozenset[str] | None = None
        self.finished: tuple[dict[str, Entry], str | None, list[str]] | None = None
        self.jobs_done = False
        self.out = PrescanResults()
        """Lookups and job results."""
        self.scanned: dict[int, tuple[str, list[Signal] | None]] = {}
        """Scans by member: (the path scanned as, signals or None for a released file)."""
        self.changed: set[str] = set()
        self.readable: frozenset[str] = frozenset()
        """Blob ids whose content the main process can read: the only content used."""

    # -- messages ------------------------------------------------------------------

    def _read(self, block: bool) -> bool:
        """Read what has arrived (waiting for something when ``block``); False at EOF."""
        if not block and not _readable(self.inbox_fd, 0):
            return True
        chunk = os.read(self.inbox_fd, 1 << 20)
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def _messages(self) -> Iterable[tuple[Any, ...]]:
        buffer = self.buffer
        while len(buffer) >= 4:
            (size,) = struct.unpack_from("<I", buffer)
            if len(buffer) < 4 + size:
                break
            message = pickle.loads(bytes(buffer[4 : 4 + size]))  # from our own parent
            del buffer[: 4 + size]
            yield message

    def _shared(self, start: int, size: int) -> bytes:
        shared = self.owner._shared
        assert shared is not None
        data = shared[start : start + size]
        _release(shared, start, size, getattr(mmap, "MADV_REMOVE", None))  # copied: free it
        return data

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "member":
            _, index, path, blob_id, start, size = message
            self.members[index] = (path, blob_id, self._shared(start, size))
            if self.known is None:
                self.waiting.append(index)
            else:
                self._queue(index)
        elif kind == "known":
            self.known = pickle.loads(self._shared(message[1], message[2]))
            for index in self.waiting:
                self._queue(index)
            self.waiting.clear()
        elif kind == "finish":
            entries, prefix, changed, readable = pickle.loads(self._shared(message[1], message[2]))
            self.finished = ({e.path: e for e in entries}, prefix, changed)
            self.readable = readable
        elif kind == "collect":  # the main process has made these itself meanwhile
            self.lookup_queue.clear()
            self.blob_queue.clear()

    def _queue(self, index: int) -> None:
        _raw, blob_id, data = self.members[index]
        if opaque_candidate(self._path(index)):
            self.blob_queue.append(index)  # binary files are examined in git or not
        if self.known is not None and blob_id in self.known:
            return
        self.lookup_queue.append(index)
        if _is_code(self._path(index), data) is not None:
            self.scan_queue.append(index)

    def _path(self, index: int) -> str:
        raw = self.members[index][0]
        if self.finished is not None:
            return _final_path(raw, self.finished[1]) or raw
        return _guess_path(raw) if self.owner._guess_paths else raw

    # -- work --------------------------------------------------------------------------

    def _provenance(self, index: int) -> Provenance:
        path, blob_id, data = self.members[index]
        base = posixpath.basename(path)
        key = (base, blob_id)
        if key not in self.out.lookups:
            self.out.lookups[key] = _lookup(base, data)
        return self.out.lookups[key]

    def _blob(self, index: int) -> None:
        path = self._path(index)
        blob_id = self.members[index][1]
        report = _blob_report(path, self.members[index][2])
        if report is not None:
            self.out.blob_reports[(path, blob_id)] = report

    def _scan(self, index: int) -> None:
        if self.owner._claim(index, worker=True):
            self._scan_claimed(index)

    def _scan_claimed(self, index: int) -> None:
        path = self._path(index)
        result = PrescanResults()
        _scan(path, self.members[index][2], self._provenance(index), result)
        self.scanned[index] = (path, result.signals.get(path))

    def _run_jobs(self) -> None:
        assert self.finished is not None
        from chainsight.analyzers.context import AuditContext
        from chainsight.trees import FileTree

        entries, _prefix, changed = self.finished
        by_blob = {blob_id: data for _path, blob_id, data in self.members.values()}

        readable = self.readable

        def read(entry: Entry) -> bytes | None:
            data = by_blob.get(entry.blob_id)
            if data is None or entry.blob_id not in readable:
                raise _NotOffered(entry.path)  # the main process reads it differently
            return data

        def no_source(entry: Entry) -> bytes | None:
            raise _NotOffered(entry.path)  # the repository is not open here

        artifact = FileTree(entries, read)
        ctx = AuditContext(artifact, FileTree({}, no_source), None, "", None, "")
        for name, job in sorted(self.owner._jobs.items()):
            if not self.owner._claim(self.owner._job_slot(name), worker=True):
                continue
            # a job that reads a file it was not offered is left to the main process,
            # which runs every job missing from the results whoever claimed it
            with contextlib.suppress(_NotOffered):
                self.out.jobs[name] = job.run(ctx, changed)

    def _belongs(self, index: int) -> bool:
        """Whether a member is, under its final path, one of the changed files."""
        assert self.finished is not None
        entry = self.finished[0].get(self._path(index))
        return (
            entry is not None
            and entry.path in self.changed
            and entry.blob_id == self.members[index][1]
        )

    def _settle(self) -> None:
        """Once the final paths are known: forget members that are not changed files,
        and scan again what was scanned under a wrongly guessed path."""
        assert self.finished is not None
        self.changed = set(self.finished[2])
        for index, (used, _signals) in list(self.scanned.items()):
            if not self._belongs(index):
                del self.scanned[index]
            elif used != self._path(index):
                self._scan_claimed(index)
        self.scan_queue = deque(i for i in self.scan_queue if self._belongs(i))

    def _report(self) -> PrescanResults:
        out = PrescanResults(jobs=self.out.jobs, lookups=self.out.lookups)
        for path, signals in self.scanned.values():
            if signals is None:
                out.released.add(path)
            else:
                out.signals[path] = signals
        return out

    @staticmethod
    def _warm_up() -> None:
        """Load what the tasks will need while the first members are still on their way
        (this core would otherwise wait): the scanners and the knowledge indexes."""
        from chainsight.analyzers import blobs, opaque  # noqa: F401
        from chainsight.analyzers.behaviour import python_hooks, shell  # noqa: F401
        from chainsight.knowledge.autoconf_vocabulary import autoconf_words
        from chainsight.knowledge.upstream_files import known_names, open_knowledge_base

        known_names()
        autoconf_words()
        open_knowledge_base()  # the first lookup would, and the tree is not here yet

    def serve(self) -> None:
        with contextlib.suppress(Exception):
            self._warm_up()
        settled = False
        while True:
            busy = bool(self.lookup_queue or self.blob_queue or self.scan_queue) or (
                self.finished is not None and not self.jobs_done
            )
            if self.finished is not None and not busy:
                break
            if not self._read(block=not busy):
                if self.finished is None:
                    return  # the audit stopped: nobody wants the results
                break
            for message in self._messages():
                self._handle(message)
            if self.lookup_queue:
                self._provenance(self.lookup_queue.popleft())
                continue
            if self.blob_queue:
                self._blob(self.blob_queue.popleft())
                continue
            if self.finished is not None and not settled:
                settled = True
                self._settle()
                early = PrescanResults(lookups=self.out.lookups, blob_reports=self.out.blob_reports)
                self._send(("early", early))
            if self.finished is not None and not self.jobs_done:
                self.jobs_done = True
                self._run_jobs()
                continue
            if self.scan_queue:
                # the largest first: the main process takes the smallest when it is done
                largest = max(self.scan_queue, key=lambda i: len(self.members[i][2]))
                self.scan_queue.remove(largest)
                self._scan(largest)
        self._send(("final", self._report()))

    def _send(self, message: tuple[str, Any]) -> None:
        payload = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        data = memoryview(struct.pack("<Q", len(payload)) + payload)
        while data:
            written = os.write(self.outbox_fd, data)
            data = data[written:]
