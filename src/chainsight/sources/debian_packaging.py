"""Read the ``debian/`` directory of a Debian source package without unpacking it.

The packaging comes as ``*.debian.tar.*`` (format 3.0 quilt), as part of the
single tarball of a native package (3.0 native), or as a ``.diff.gz`` (format
1.0).  Tarballs are read as streams with :func:`read_archive` (two passes: list,
then keep only the wanted members); the diff is read as text and the files it
creates under ``debian/`` are rebuilt from its added lines.  ``dpkg-source -x``
is never run.
"""

from __future__ import annotations

import gzip
import lzma
import re
from dataclasses import dataclass, field
from pathlib import Path

from chainsight.errors import ArtifactError
from chainsight.sources.archive import read_archive
from chainsight.trees import EntryKind

MAX_DIFF_BYTES = 64 * 1024 * 1024
MAX_KEPT_FILE = 4 * 1024 * 1024

_WANTED = re.compile(
    r"^debian/(upstream/[^/]+|watch|control|source/format|patches/.+|upstream-signing-key\.pgp)$"
)


@dataclass(frozen=True)
class DebianPackaging:
    """The ``debian/`` files chainsight reads: upstream metadata, watch, signing keys, patches."""

    files: dict[str, bytes] = field(default_factory=dict)
    """``debian/...`` path → content (only the wanted paths)."""
    upstream_diff: bytes | None = None
    """Format 1.0: the part of the ``.diff.gz`` that changes files outside ``debian/``."""
    partial_reasons: tuple[str, ...] = ()

    def text(self, path: str) -> str | None:
        data = self.files.get(path)
        return None if data is None else data.decode("utf-8", "replace")

    @property
    def signing_keys(self) -> tuple[tuple[str, bytes], ...]:
        """Upstream signing keys Debian ships (``debian/upstream/signing-key.asc`` and kin)."""
        names = (
            "debian/upstream/signing-key.asc",
            "debian/upstream/signing-key.pgp",
            "debian/upstream-signing-key.pgp",
        )
        return tuple((n, self.files[n]) for n in names if n in self.files)


def wanted(path: str) -> bool:
    return bool(_WANTED.match(path))


def read_packaging_tarball(path: Path, *, native: bool = False) -> DebianPackaging:
    """``debian/`` files from a ``.debian.tar.*`` (or, ``native``, the package's only tarball)."""
    listing = read_archive(path, want_content=lambda _blob: False, strip_top_level=native)
    want_ids = {
        e.blob_id
        for p, e in listing.entries.items()
        if e.kind is EntryKind.FILE and wanted(p) and e.size <= MAX_KEPT_FILE
    }
    if not want_ids:
        return DebianPackaging({}, None, tuple(listing.partial_reasons))
    contents = read_archive(path, want_content=want_ids.__contains__, strip_top_level=native)
    files: dict[str, bytes] = {}
    for p, e in contents.entries.items():
        if e.kind is EntryKind.FILE and wanted(p):
            data = contents.content.get(e.blob_id)
            if data is not None:
                files[p] = data
    return DebianPackaging(files, None, tuple(contents.partial_reasons))


def read_packaging_diff(path: Path) -> DebianPackaging:
    """Format 1.0: files the ``.diff.gz`` creates under ``debian/``, and the rest of the diff."""
    data = _read_compressed(path)
    files: dict[str, bytes] = {}
    upstream: list[bytes] = []
    for name, chunk in split_diff(data):
        if name is not None and name.startswith("debian/"):
            if wanted(name):
                created = created_file(chunk)
                if created is not None:
                    files[name] = created
        else:
            upstream.append(chunk)
    partial: tuple[str, ...] = ()
    if len(data) >= MAX_DIFF_BYTES:
        partial = (f"{path.name}: only the first {MAX_DIFF_BYTES} bytes were read",)
    return DebianPackaging(files, b"".join(upstream) or None, partial)


def _read_compressed(path: Path) -> bytes:
    try:
        with path.open("rb") as raw:
            head = raw.read(6)
            raw.seek(0)
            if head.startswith(b"\x1f\x8b"):
                return gzip.GzipFile(fileobj=raw).read(MAX_DIFF_BYTES)
            if head.startswith(b"\xfd7zXZ"):
                return lzma.LZMAFile(raw).read(MAX_DIFF_BYTES)
            return raw.read(MAX_DIFF_BYTES)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise ArtifactError(f"{path.name}: cannot read the Debian diff ({exc})") from None


_FILE_HEADER = re.compile(rb"^--- [^\n]*\n\+\+\+ ([^\t\n]+)[^\n]*\n", re.MULTILINE)


def split_diff(data: bytes) -> list[tuple[str | None, bytes]]:
    """A unified diff cut per file: (path without its first component, that file's text)."""
    out: list[tuple[str | None, bytes]] = []
    matches = list(_FILE_HEADER.finditer(data))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(data)
        target = m.group(1).decode("utf-8", "replace").strip()
        parts = target.split("/", 1)
        name = parts[1] if len(parts) == 2 else None
        out.append((name, data[m.start() : end]))
    return out


_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def created_file(chunk: bytes) -> bytes | None:
    """The content of a file a diff creates (one hunk ``-0,0``), else None."""
    m = _HUNK.search(chunk)
    if m is None or m.group(1) != b"0" or (m.group(2) or b"1") != b"0":
        return None
    lines = chunk[m.end() :].split(b"\n")[1:]
    want = int(m.group(4) or b"1")
    out: list[bytes] = []
    for line in lines:
        if len(out) >= want:
            break
        if line.startswith(b"+"):
            out.append(line[1:])
        elif line.startswith(b"\\"):
            continue
        else:
            break
    return b"\n".join(out) + (b"\n" if out else b"")
