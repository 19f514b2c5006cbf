"""Decompress the artifact of a one-file audit while the interpreter is still loading.

Starting chainsight costs about a tenth of a second of imports, during which a
second core is idle. ``zlib`` and ``lzma`` release the interpreter lock while
they work, so a thread started before those imports can decompress a
``.tar.gz`` or ``.tar.xz`` on that core at no cost to the main thread. The
archive reader then takes the decompressed bytes instead of decompressing
them itself (:func:`take`).

This is an optimisation only; every audit gives the same result with or
without it:

- The thread is started from the command line by :func:`start_for_argv`,
  which only guesses which argument is the artifact (and opens nothing but
  regular files: opening a FIFO would release a writer waiting on it).
  :func:`take` hands the bytes over only for the same file (device, inode,
  size, modification and change times of the file the reader opened) and the
  same format, and only once.
- Nothing here raises: a thread that cannot start, a platform without
  ``os.pread``, any error, and there is simply no prefetch.
- Only a simple, complete stream is handed over: one gzip member or one xz
  stream, decoded to its end, its checksum verified by zlib or liblzma, with
  no byte after it, and no more than the reader's own ratio grace
  (``Limits.ratio_grace_bytes``) of output, below which the reader's
  decompression-bomb check cannot fire. Anything else (several members,
  trailing bytes, a truncated or corrupt stream, more output than
  :data:`MAX_DECOMPRESSED_BYTES`) is dropped, and the reader reads the file
  itself exactly as it would have. Files larger than
  :data:`MAX_COMPRESSED_BYTES` are not even started.
- Nothing is run or interpreted: the thread reads one file and decompresses it.
  It imports nothing (a thread that holds an import lock when the audit forks
  its worker could deadlock the worker), so ``lzma`` is imported before it
  starts.
"""

from __future__ import annotations

import os
import stat
import threading
import zlib

TYPE_CHECKING = False  # not typing's: this module loads first, and typing costs 6 ms
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024
"""The most the thread decompresses: the whole output is held until the reader gets
through it. Beyond this it stops, and its work is dropped."""

MAX_COMPRESSED_BYTES = {"gz": 8 * 1024 * 1024, "xz": 4 * 1024 * 1024}
"""Larger files are left to the reader: their audit takes seconds, the loading time
is a small share of it, and they would mostly decompress past
:data:`MAX_DECOMPRESSED_BYTES` (source tarballs shrink about 4 times with gzip,
6 to 8 with xz). A gzip file whose trailer declares more output is left too."""

CHUNK_BYTES = 4 * 1024 * 1024
"""Output per decompressor call: each call releases the interpreter lock, and each
return waits for it, so calls are few and large."""

_GZIP_MAGIC = b"\x1f\x8b"
_XZ_MAGIC = b"\xfd7zXZ\x00"


class _Prefetch:
    """One file being decompressed (a plain class: dataclasses would cost an import)."""

    def __init__(self, identity: tuple[int, ...], kind: str) -> None:
        self.identity = identity
        self.kind = kind
        self.thread: threading.Thread | None = None
        self.chunks: list[bytes] = []
        self.total = 0
        self.complete = False


_pending: _Prefetch | None = None
_lock = threading.Lock()


def _identity(st: os.stat_result) -> tuple[int, ...]:
    # ctime as well: a rewrite that restores the size and the mtime still changes it
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _decompressor(kind: str) -> Any:
    if kind == "gz":
        return zlib.decompressobj(wbits=31)  # gzip header and trailer, CRC-32 checked
    import lzma

    return lzma.LZMADecompressor(format=lzma.FORMAT_XZ)  # its check verified at the end


def _run(job: _Prefetch, raw: bytes, decomp: Any) -> None:
    try:
        data = raw
        while not decomp.eof:
            out = decomp.decompress(data, CHUNK_BYTES)
            job.total += len(out)
            if job.total > MAX_DECOMPRESSED_BYTES:
                return
            if out:
                job.chunks.append(out)
            # zlib keeps the input it has not used yet; liblzma buffers it
            data = decomp.unconsumed_tail if job.kind == "gz" else b""
            if not out and not data:
                break  # no more input: truncated
        leftover = decomp.unconsumed_tail if job.kind == "gz" else b""
        job.complete = bool(decomp.eof and not decomp.unused_data and not leftover)
    except Exception:  # corrupt data: the reader meets it and reports it itself
        job.complete = False
    finally:
        if not job.complete:
            job.chunks = []


def _kind(fd: int, st: os.stat_result) -> str | None:
    if not stat.S_ISREG(st.st_mode) or st.st_size < 18:  # 18: the smallest gzip file
        return None
    head = os.pread(fd, 6, 0)
    kind = "gz" if head.startswith(_GZIP_MAGIC) else "xz" if head == _XZ_MAGIC else None
    if kind is None or st.st_size > MAX_COMPRESSED_BYTES[kind]:
        return None
    if kind == "gz":
        declared = int.from_bytes(os.pread(fd, 4, st.st_size - 4), "little")  # ISIZE
        if declared > MAX_DECOMPRESSED_BYTES:
            return None
    return kind


def start(path: str) -> bool:
    """Start decompressing ``path`` in a thread if it is a small enough regular
    ``.gz``/``.xz`` file (:data:`MAX_COMPRESSED_BYTES`); True if a thread was started.
    Never raises: anything unexpected (no thread to be had, no memory, a platform
    without ``os.pread``) just means no prefetch."""
    global _pending
    with _lock:
        if _pending is not None:
            return False
        try:
            job = _start(path)
        except Exception:
            return False
        if job is None:
            return False
        _pending = job
        return True


def _start(path: str) -> _Prefetch | None:
    before = os.stat(path)
    if not stat.S_ISREG(before.st_mode):
        return None  # never open a FIFO or a device: opening one has effects
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise OSError("replaced between stat and open")
        kind = _kind(fd, st)
        if kind is None:
            raise OSError("not a gzip or xz file of a size worth it")
        decomp = _decompressor(kind)
        job = _Prefetch(_identity(st), kind)

        def work() -> None:
            pieces: list[bytes] = []
            got = 0
            try:
                while got <= st.st_size:
                    piece = os.read(fd, st.st_size + 1 - got)
                    if not piece:
                        break
                    pieces.append(piece)
                    got += len(piece)
            except OSError:
                return
            finally:
                os.close(fd)
            if got != st.st_size:  # changed while being read
                return
            raw = b"".join(pieces)
            pieces.clear()
            _run(job, raw, decomp)

        job.thread = threading.Thread(target=work, name="chainsight-prefetch", daemon=True)
        job.thread.start()  # from here on the thread closes fd
    except BaseException:
        os.close(fd)
        raise
    return job


def _peek_kind(path: str) -> str | None:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            return _kind(fd, os.fstat(fd))
        finally:
            os.close(fd)
    except Exception:
        return None


_BATCH_OPTIONS = ("-r", "--deps")


def start_for_argv(argv: Sequence[str]) -> bool:
    """Start :func:`start` for the artifact of ``chainsight audit FILE …``.

    Only a guess, made without the command line's definition (loading it is what the
    prefetch runs alongside): the one argument after ``audit`` that names a small
    regular gzip or xz file, where there is exactly one and the command is not a
    batch (``-r``/``--deps``, which never reads through the prefetch). Arguments
    that are not regular files are never opened. A wrong guess costs the idle core
    some work and is never used. Never raises.
    """
    try:
        if not argv or argv[0] != "audit":
            return False
        found: list[str] = []
        options_done = False
        for arg in argv[1:]:
            if not options_done and arg == "--":
                options_done = True
                continue
            if not options_done and arg.startswith("-"):
                if arg.startswith(_BATCH_OPTIONS) or (arg[1:2] != "-" and "r" in arg[1:]):
                    return False  # --deps FILE, --deps=FILE, -r FILE, -rFILE, -vr FILE
                continue
            if ":" in arg.split("/", 1)[0]:
                continue  # registry specs and URLs: deb:, pypi:, npm:, https://
            if _peek_kind(arg) is not None:
                found.append(arg)
        return len(found) == 1 and start(found[0])
    except Exception:
        return False


def is_prefetch_thread(thread: threading.Thread) -> bool:
    """True for the thread :func:`start` started. It holds no lock that a forked
    child could need (it reads one file and runs a decompressor, which has no
    locks), so the audit may fork its worker while it runs."""
    job = _pending
    return job is not None and thread is job.thread


def take(fd: int, kind: str, grace_bytes: int) -> list[bytes] | None:
    """The decompressed contents of the open file ``fd`` if a prefetch of that very
    file and format completed cleanly with at most ``grace_bytes`` of output; else
    ``None``. Waits for the thread if it is still working. Hands the bytes over once."""
    global _pending
    with _lock:
        job = _pending
        if job is None or job.kind != kind:
            return None
        try:
            if _identity(os.fstat(fd)) != job.identity:
                return None
        except OSError:
            return None
        _pending = None
        if job.thread is not None:
            job.thread.join()
        if not job.complete or job.total > grace_bytes:
            return None
        chunks, job.chunks = job.chunks, []
        job.complete = False  # handed over
        return chunks


def discard() -> None:
    """Forget a prefetch nobody took (tests; a second audit in the same process)."""
    global _pending
    with _lock:
        job, _pending = _pending, None
    if job is not None and job.thread is not None:
        job.thread.join()
