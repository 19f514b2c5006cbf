"""Stream the members of a hostile archive into a :class:`FileTree`.

Nothing is ever extracted to disk. Each member is read as a stream, hashed as
a git blob, and kept in memory only when the caller wants its content (because
the source tree has no blob with that id). Links and special files are
recorded, never followed; limits on member count, sizes and compression ratio
turn an endless or malicious archive into a partial result.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import posixpath
import stat
import tarfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from chainsight.errors import ArtifactError
from chainsight.limits import Limits
from chainsight.model import Severity
from chainsight.sources import prefetch
from chainsight.trees import BlobHasher, Entry, EntryKind, FileTree, git_blob_id

CHUNK = 1024 * 1024

Progress = Callable[[int], None]
"""Called with the number of bytes of the archive file consumed so far."""


@dataclass(frozen=True)
class Anomaly:
    """Something wrong with the archive itself, reported as a finding."""

    rule_id: str
    severity: Severity
    member: str
    detail: str


@dataclass
class ArchiveContents:
    """What streaming an archive produced (mutable while it is being read)."""

    entries: dict[str, Entry] = field(default_factory=dict)
    content: dict[str, bytes] = field(default_factory=dict)
    """Kept member content by blob id."""
    sha256: dict[str, str] = field(default_factory=dict)
    """sha256 hex by path, only when asked for (wheels: RECORD check)."""
    anomalies: list[Anomaly] = field(default_factory=list)
    partial_reasons: list[str] = field(default_factory=list)
    stripped_prefix: str | None = None
    top_level_names: set[str] = field(default_factory=set)

    def tree(self, fallback: Callable[[Entry], bytes | None] | None = None) -> FileTree:
        content = self.content

        def read(entry: Entry) -> bytes | None:
            if entry.kind is EntryKind.SYMLINK:
                return (entry.link_target or "").encode("utf-8", "surrogateescape")
            data = content.get(entry.blob_id)
            if data is None and fallback is not None:
                data = fallback(entry)
            return data

        return FileTree(self.entries, read)


class _LimitReached(Exception):
    pass


class _CountingReader:
    """File wrapper counting bytes read; used on both sides of a decompressor."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None] | None = None) -> None:
        self._raw = raw
        self.count = 0
        self._on_read = on_read

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self.count += len(data)
        if self._on_read is not None:
            self._on_read(len(data))
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()


class _PrefetchedReader:
    """The decompressed stream from :mod:`chainsight.sources.prefetch`'s chunks, freed
    as they are read; moves the compressed reader's count along in proportion (the
    progress display reads it)."""

    def __init__(self, chunks: list[bytes], compressed: _CountingReader, size: int) -> None:
        chunks.reverse()
        self._chunks = chunks
        self._total = sum(len(c) for c in chunks) or 1
        self._current = memoryview(b"")
        self._compressed = compressed
        self._size = size
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        parts: list[bytes] = []
        want = n if n >= 0 else self._total
        while want > 0:
            if not self._current:
                if not self._chunks:
                    break
                self._current = memoryview(self._chunks.pop())
            piece = self._current[:want]
            self._current = self._current[len(piece) :]
            parts.append(bytes(piece))
            want -= len(piece)
        data = parts[0] if len(parts) == 1 else b"".join(parts)  # b"" when none
        self.count += len(data)
        self._compressed.count = self._size * self.count // self._total
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._chunks.clear()
        self._current = memoryview(b"")


def sniff_compression(head: bytes) -> str:
    """Name of the outer format from magic bytes: gz, xz, bz2, zst, lzma, zip, tar."""
    if head.startswith(b"\x1f\x8b"):
        return "gz"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zst"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    if head[:3] == b"\x5d\x00\x00":
        return "lzma"
    return "unknown"


def _safe_name(raw: str) -> tuple[str | None, str | None]:
    """Normalise a member name; return (path, problem). Problem is set for traversal."""
    name = raw.replace("\\", "/") if "\\" in raw and "/" not in raw else raw
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None, "absolute path"
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None, "'..' in path"
    if "\x00" in name:
        return None, "NUL byte in name"
    if not parts:
        return None, None
    return "/".join(parts), None


def _escapes(member_path: str, target: str) -> bool:
    """Whether a link at member_path pointing at target leaves the archive root."""
    if target.startswith("/"):
        return True
    base = posixpath.dirname(member_path)
    depth = 0 if not base else len(base.split("/"))
    for part in target.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        else:
            depth += 1
    return False


class MemberSink(Protocol):
    """Receives members' content while the archive is still being read (the audit's
    second-core worker). Called by the reader for each member; must not raise."""

    def wants(self, path: str, head: bytes) -> bool:
        """Whether to :meth:`offer` this member (its raw path, before the top-level
        directory is stripped, and its first bytes)."""
        ...

    def offer(self, path: str, blob_id: str, data: bytes) -> None: ...


class _Builder:
    """Collects members under the limits; shared by the tar and zip readers."""

    def __init__(
        self,
        limits: Limits,
        want_content: Callable[[str], bool],
        want_sha256: bool,
        want_path: Callable[[str], bool] | None = None,
        sink: MemberSink | None = None,
    ) -> None:
        self.limits = limits
        self.sink = sink
        self.want_content = want_content
        self.want_path = want_path
        self.want_sha256 = want_sha256
        self.out = ArchiveContents()
        self.members = 0
        self.total_bytes = 0
        self.retained_bytes = 0
        self._normalised: dict[str, str] = {}
        self._raw_paths: dict[str, str] = {}

    # -- bookkeeping -------------------------------------------------------

    def anomaly(self, rule_id: str, severity: Severity, member: str, detail: str) -> None:
        self.out.anomalies.append(Anomaly(rule_id, severity, member, detail))

    def partial(self, reason: str) -> None:
        if reason not in self.out.partial_reasons:
            self.out.partial_reasons.append(reason)

    def admit(self, raw_name: str) -> str | None:
        """Count a member and validate its name; None means skip it."""
        self.members += 1
        if self.members > self.limits.max_members:
            self.partial(f"member limit reached ({self.limits.max_members} members)")
            raise _LimitReached
        path, problem = _safe_name(raw_name)
        if problem is not None:
            self.anomaly(
                "archive-path-traversal",
                Severity.HIGH,
                raw_name,
                f"member name {raw_name!r} would be written outside the tree ({problem})",
            )
            return None
        if path is None:
            return None
        self.out.top_level_names.add(path.split("/", 1)[0])
        return path

    def _record(self, entry: Entry) -> None:
        path = entry.path
        if path in self.out.entries:
            previous = self.out.entries[path]
            if previous.blob_id != entry.blob_id:
                detail = "differing content; extraction keeps the last copy"
            else:
                detail = "identical content"
            self.anomaly(
                "archive-duplicate-member",
                Severity.MEDIUM,
                path,
                f"{path} appears more than once in the archive ({detail})",
            )
        norm = unicodedata.normalize("NFC", path)
        other = self._normalised.get(norm)
        if other is not None and other != path:
            self.anomaly(
                "archive-unicode-collision",
                Severity.MEDIUM,
                path,
                f"{path!r} and {other!r} are the same name after Unicode normalisation",
            )
        self._normalised[norm] = path
        self.out.entries[path] = entry

    # -- member kinds ------------------------------------------------------

    def add_file(
        self, path: str, size: int, mode: int, stream: IO[bytes], executable: bool
    ) -> None:
        if mode & (stat.S_ISUID | stat.S_ISGID):
            self.anomaly(
                "archive-setuid",
                Severity.MEDIUM,
                path,
                f"{path} carries the set-user-ID or set-group-ID bit (mode {mode & 0o7777:o})",
            )
        if size > self.limits.max_member_bytes:
            self.partial(
                f"{path}: {size} bytes exceeds the per-member limit "
                f"({self.limits.max_member_bytes}); not compared"
            )
            return
        if self.total_bytes + size > self.limits.max_total_bytes:
            self.partial(f"total size limit reached ({self.limits.max_total_bytes} bytes)")
            raise _LimitReached
        hasher = BlobHasher(size)
        sha = hashlib.sha256() if self.want_sha256 else None
        keep = size <= self.limits.max_retained_file_bytes
        chunks: list[bytes] = []
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            if hasher.seen + len(chunk) > size:
                # a zip entry longer than it declared: stop at the declared size
                self.anomaly(
                    "archive-size-mismatch",
                    Severity.MEDIUM,
                    path,
                    f"{path} holds more data than its header declares ({size} bytes)",
                )
                chunk = chunk[: size - hasher.seen]
                hasher.update(chunk)
                if sha is not None:
                    sha.update(chunk)
                if keep:
                    chunks.append(chunk)
                break
            hasher.update(chunk)
            if sha is not None:
                sha.update(chunk)
            if keep:
                chunks.append(chunk)
        if hasher.seen != size:
            raise ArtifactError(f"{path}: member is truncated ({hasher.seen} of {size} bytes)")
        self.total_bytes += size
        blob_id = hasher.hexdigest()
        joined: bytes | None = None
        sink = self.sink
        if keep and sink is not None and sink.wants(path, chunks[0][:2] if chunks else b""):
            joined = b"".join(chunks)
            sink.offer(path, blob_id, joined)
        if (
            keep
            and blob_id not in self.out.content
            and self.want_content(blob_id)
            and (self.want_path is None or self.want_path(path))
        ):
            limit = self.limits.max_retained_total_bytes
            if self.retained_bytes + size <= limit:
                self.out.content[blob_id] = b"".join(chunks) if joined is None else joined
                self.retained_bytes += size
            else:
                self.partial(
                    f"retained-content limit reached ({limit} bytes): some files that the "
                    "repository lacks were compared by id only, not analysed"
                )
        if sha is not None:
            self.out.sha256[path] = sha.hexdigest()
        self._record(Entry(path, EntryKind.FILE, blob_id, size, executable=executable))

    def add_symlink(self, path: str, target: str) -> None:
        if _escapes(path, target):
            self.anomaly(
                "archive-link-escape",
                Severity.HIGH,
                path,
                f"symbolic link {path} -> {target} points outside the tree",
            )
            return
        data = target.encode("utf-8", "surrogateescape")
        self._record(
            Entry(path, EntryKind.SYMLINK, git_blob_id(data), len(data), link_target=target)
        )

    def add_hardlink(self, path: str, raw_target: str) -> None:
        target, problem = _safe_name(raw_target)
        if problem is not None or target is None:
            self.anomaly(
                "archive-link-escape",
                Severity.HIGH,
                path,
                f"hard link {path} -> {raw_target} points outside the tree",
            )
            return
        original = self.out.entries.get(target)
        if original is None or original.kind is not EntryKind.FILE:
            self.anomaly(
                "archive-hardlink",
                Severity.MEDIUM,
                path,
                f"hard link {path} -> {target} names no earlier regular file",
            )
            return
        self.anomaly(
            "archive-hardlink",
            Severity.LOW,
            path,
            f"hard link {path} -> {target} (compared as a copy of its target)",
        )
        self._record(
            Entry(path, EntryKind.FILE, original.blob_id, original.size, original.executable)
        )

    def add_special(self, path: str, what: str) -> None:
        self.anomaly(
            "archive-special-file",
            Severity.MEDIUM,
            path,
            f"{path} is a {what}; a source release has no use for one",
        )


def _open_decompressed(kind: str, raw: Any) -> Any:
    """A file object yielding the decompressed stream (the raw one for plain tar)."""
    if kind == "gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if kind == "xz":
        return lzma.LZMAFile(raw, mode="rb")
    if kind == "lzma":
        return lzma.LZMAFile(raw, mode="rb", format=lzma.FORMAT_ALONE)
    if kind == "bz2":
        return bz2.BZ2File(raw, mode="rb")
    if kind == "zst":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(raw)
    return raw


_DECODE_ERRORS: tuple[type[BaseException], ...] = (
    tarfile.TarError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    OSError,
    ValueError,
)


def _read_tar(path: Path, kind: str, b: _Builder, progress: Progress | None) -> None:
    with path.open("rb") as fh:
        compressed = _CountingReader(fh, None)
        limits = b.limits

        def check_ratio(_n: int) -> None:
            if kind == "tar":
                return
            done = uncompressed.count
            if done > limits.ratio_grace_bytes and done > limits.max_ratio * max(
                compressed.count, 1
            ):
                b.anomaly(
                    "archive-bomb",
                    Severity.MEDIUM,
                    path.name,
                    f"decompresses more than {limits.max_ratio:.0f}x its size; reading stopped",
                )
                b.partial("compression ratio limit reached (possible decompression bomb)")
                raise _LimitReached

        prefetched = (
            prefetch.take(fh.fileno(), kind, limits.ratio_grace_bytes)
            if kind in ("gz", "xz")
            else None
        )
        uncompressed: _CountingReader | _PrefetchedReader
        if prefetched is not None:
            # decompressed while chainsight loaded, no more than the ratio grace, so
            # the bomb check could not fire
            uncompressed = _PrefetchedReader(prefetched, compressed, os.fstat(fh.fileno()).st_size)
        else:
            uncompressed = _CountingReader(_open_decompressed(kind, compressed), check_ratio)
        try:
            with tarfile.open(fileobj=uncompressed, mode="r|") as tf:  # type: ignore[call-overload]
                for member in tf:
                    if progress is not None:
                        progress(compressed.count)
                    _tar_member(b, tf, member)
                    tf.members.clear()  # tarfile keeps every header otherwise
        finally:
            if progress is not None:
                progress(compressed.count)


def _tar_member(b: _Builder, tf: tarfile.TarFile, member: tarfile.TarInfo) -> None:
    name = b.admit(member.name)
    if name is None or member.isdir():
        return
    if member.isreg():
        stream = tf.extractfile(member)
        if stream is not None:
            b.add_file(name, member.size, member.mode, stream, bool(member.mode & 0o111))
    elif member.issym():
        b.add_symlink(name, member.linkname)
    elif member.islnk():
        b.add_hardlink(name, member.linkname)
    elif member.ischr() or member.isblk():
        b.add_special(name, "device file")
    elif member.isfifo():
        b.add_special(name, "named pipe (FIFO)")
    else:
        b.add_special(name, f"member of unknown type {member.type!r}")


def _read_zip(path: Path, b: _Builder, progress: Progress | None) -> None:
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if progress is not None:
                progress(info.header_offset)
            name = b.admit(info.filename)
            if name is None or info.is_dir():
                continue
            unix_mode = (info.external_attr >> 16) & 0xFFFF
            if stat.S_ISLNK(unix_mode):
                if info.file_size > 4096:
                    b.add_special(name, "symbolic link with an oversized target")
                    continue
                target = zf.read(info).decode("utf-8", "surrogateescape")
                b.add_symlink(name, target)
                continue
            if unix_mode and (stat.S_ISCHR(unix_mode) or stat.S_ISBLK(unix_mode)):
                b.add_special(name, "device file")
                continue
            if (
                info.compress_size > 0
                and info.file_size > b.limits.ratio_grace_bytes
                and info.file_size > b.limits.max_ratio * info.compress_size
            ):
                b.anomaly(
                    "archive-bomb",
                    Severity.MEDIUM,
                    name,
                    f"{name} declares {info.file_size} bytes from {info.compress_size}; not read",
                )
                b.partial(f"{name}: compression ratio limit reached; not compared")
                continue
            with zf.open(info) as stream:
                b.add_file(name, info.file_size, unix_mode, stream, bool(unix_mode & 0o111))
        if progress is not None:
            progress(path.stat().st_size)


def read_archive(
    path: Path,
    *,
    limits: Limits | None = None,
    want_content: Callable[[str], bool] = lambda _blob: True,
    want_sha256: bool = False,
    strip_top_level: bool = True,
    progress: Progress | None = None,
    want_path: Callable[[str], bool] | None = None,
    sink: MemberSink | None = None,
) -> ArchiveContents:
    """Read every member of ``path`` (tar in any compression, or zip).

    ``want_content(blob_id)`` says whether to keep a member's bytes; ``want_path``,
    when given, must also accept the member's name (before the top-level directory
    is stripped). ``sink``, when given, is offered the members it wants as they are
    read (see :class:`MemberSink`).
    Raises ArtifactError when nothing at all can be read; a stream that breaks
    part-way gives a partial result instead.
    """
    limits = limits or Limits()
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise ArtifactError(f"cannot read {path}: {exc.strerror or exc}") from None
    kind = sniff_compression(head)
    b = _Builder(limits, want_content, want_sha256, want_path, sink)
    try:
        if kind == "zip":
            _read_zip(path, b, progress)
        elif kind in ("gz", "xz", "bz2", "zst", "lzma", "tar"):
            _read_tar(path, kind, b, progress)
        else:
            raise ArtifactError(f"{path.name}: not a tar or zip archive (unrecognised format)")
    except _LimitReached:
        pass
    except ArtifactError as exc:
        if not b.out.entries:
            raise
        b.partial(str(exc))
    except zipfile.BadZipFile as exc:
        if not b.out.entries:
            raise ArtifactError(f"{path.name}: corrupt zip archive ({exc})") from None
        b.partial(f"archive is corrupt after {len(b.out.entries)} members: {exc}")
    except _DECODE_ERRORS as exc:
        if not b.out.entries:
            raise ArtifactError(f"{path.name}: cannot read archive ({_describe(exc)})") from None
        b.partial(
            f"archive is truncated or corrupt after {len(b.out.entries)} members: {_describe(exc)}"
        )
    except Exception as exc:  # zstandard raises its own error type
        if type(exc).__module__.startswith("zstandard") or "zstd" in type(exc).__name__.lower():
            if not b.out.entries:
                raise ArtifactError(f"{path.name}: corrupt zstd stream ({exc})") from None
            b.partial(f"zstd stream is corrupt after {len(b.out.entries)} members: {exc}")
        else:
            raise
    if strip_top_level:
        _strip_single_top_level(b.out)
    return b.out


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _strip_single_top_level(out: ArchiveContents) -> None:
    if len(out.top_level_names) != 1 or not out.entries:
        return
    (top,) = out.top_level_names
    prefix = top + "/"
    if not all(p.startswith(prefix) for p in out.entries):
        return  # a single file at the root, not a directory
    stripped: dict[str, Entry] = {}
    for p, e in out.entries.items():
        new = p[len(prefix) :]
        stripped[new] = Entry(new, e.kind, e.blob_id, e.size, e.executable, e.link_target)
    out.entries = stripped
    out.sha256 = {p[len(prefix) :]: v for p, v in out.sha256.items()}
    out.stripped_prefix = top
    out.anomalies = [
        Anomaly(a.rule_id, a.severity, a.member.removeprefix(prefix), a.detail)
        for a in out.anomalies
    ]


def describe_kind(path: Path) -> str:
    """The artifact kind reported in JSON: tar, zip, wheel, npm or dsc."""
    name = path.name.lower()
    if name.endswith(".dsc"):
        return "dsc"
    if name.endswith(".whl"):
        return "wheel"
    if name.endswith(".zip"):
        return "zip"
    return "tar"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


_FIND_ERRORS: tuple[type[BaseException], ...] = (zipfile.BadZipFile, *_DECODE_ERRORS)


def find_member(
    path: Path,
    match: Callable[[str], bool],
    *,
    max_bytes: int = 8 * 1024 * 1024,
    max_members: int = 100_000,
    max_scanned_bytes: int = 2 * 1024 * 1024 * 1024,
) -> tuple[str, bytes] | None:
    """The first regular member whose raw name ``match`` accepts, read without
    extracting anything; None when there is none (or the archive is unreadable).

    For reading one small file (``PKG-INFO``, ``METADATA``) out of an archive
    without streaming all of it into a tree; bounded like :func:`read_archive`.
    """
    try:
        with path.open("rb") as fh:
            kind = sniff_compression(fh.read(512))
        if kind == "zip":
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist()[:max_members]:
                    if info.is_dir() or not match(info.filename):
                        continue
                    if info.file_size > max_bytes:
                        return None
                    with zf.open(info) as stream:
                        return info.filename, stream.read(max_bytes + 1)[:max_bytes]
            return None
        if kind not in ("gz", "xz", "bz2", "zst", "lzma", "tar"):
            return None
        with path.open("rb") as fh:
            scanned = 0
            stream = _open_decompressed(kind, fh)
            tf: Any
            with tarfile.open(fileobj=stream, mode="r|") as tf:
                for n, member in enumerate(tf):
                    tf.members.clear()
                    scanned += member.size
                    if n >= max_members or scanned > max_scanned_bytes:
                        return None
                    if not member.isreg() or not match(member.name):
                        continue
                    if member.size > max_bytes:
                        return None
                    data = tf.extractfile(member)
                    return (member.name, data.read()) if data is not None else None
    except _FIND_ERRORS:
        return None
    except Exception as exc:  # zstandard raises its own error type
        if "zstd" in type(exc).__name__.lower() or type(exc).__module__.startswith("zstandard"):
            return None
        raise
    return None
