"""FileTree: the common view of an artifact and of a source tree.

A tree maps a relative POSIX path to an :class:`Entry` carrying the git blob id
of its content, so two trees compare by ids alone. Content is read lazily,
through a reader the tree was built with, and only for paths that differ.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

MODE_FILE = 0o100644
MODE_EXEC = 0o100755
MODE_SYMLINK = 0o120000
MODE_GITLINK = 0o160000


class EntryKind(StrEnum):
    FILE = "file"
    SYMLINK = "symlink"
    GITLINK = "gitlink"
    """A submodule pin in a git tree: ``blob_id`` is the pinned commit."""


@dataclass(frozen=True)
class Entry:
    path: str
    kind: EntryKind
    blob_id: str
    """Git blob id (sha1 hex) of the content; of the target string for symlinks."""
    size: int
    executable: bool = False
    link_target: str | None = None


def git_blob_id(data: bytes) -> str:
    """The id git gives a blob with this content."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


class BlobHasher:
    """Incremental git blob id for a member whose size is known up front."""

    def __init__(self, size: int) -> None:
        self._h = hashlib.sha1(b"blob %d\0" % size)
        self.size = size
        self.seen = 0

    def update(self, chunk: bytes) -> None:
        self.seen += len(chunk)
        self._h.update(chunk)

    def hexdigest(self) -> str:
        return self._h.hexdigest()


Reader = Callable[[Entry], bytes | None]


class FileTree:
    """An immutable mapping of path to entry, with a lazy content reader."""

    def __init__(self, entries: Mapping[str, Entry], reader: Reader) -> None:
        self._entries = dict(entries)
        self._reader = reader
        self._by_blob: dict[str, list[str]] | None = None
        self._recent: dict[str, bytes] = {}

    def __contains__(self, path: object) -> bool:
        return path in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def get(self, path: str) -> Entry | None:
        return self._entries.get(path)

    def entries(self) -> Iterator[Entry]:
        return iter(self._entries.values())

    def paths(self) -> list[str]:
        return list(self._entries)

    def read(self, path: str) -> bytes | None:
        """Content of ``path``; None when absent or not kept (too large, unreadable).

        The last few contents read are kept: several explainers look at the same
        differing file in turn.
        """
        entry = self._entries.get(path)
        if entry is None or entry.kind is EntryKind.GITLINK:
            return None
        cached = self._recent.get(path)
        if cached is not None:
            return cached
        data = self._reader(entry)
        if data is not None and len(data) <= 512 * 1024:
            if len(self._recent) >= 8:
                self._recent.pop(next(iter(self._recent)))
            self._recent[path] = data
        return data

    def paths_with_blob(self, blob_id: str) -> list[str]:
        if self._by_blob is None:
            index: dict[str, list[str]] = {}
            for e in self._entries.values():
                if e.kind is not EntryKind.GITLINK:
                    index.setdefault(e.blob_id, []).append(e.path)
            self._by_blob = index
        return self._by_blob.get(blob_id, [])

    def count_files(self) -> int:
        """Regular files and symlinks (what the summary counts)."""
        return sum(1 for e in self._entries.values() if e.kind is not EntryKind.GITLINK)
