"""Baseline: the least work any audit of a release artifact must do.

Stream-decompress the artifact (tar, optionally gz/xz/bz2/zst compressed, or
zip), compute the git blob id (sha1 of ``b"blob %d\\0" + content``) of every
regular member, and print the member count and a digest of all ids. Nothing is
compared or explained, nothing is extracted to disk. Standard library only, plus
``zstandard`` for ``.zst`` artifacts.

    python3 bench/baseline_hash.py xz-5.4.6.tar.xz
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import sys
import tarfile
import zipfile
from typing import IO, Any

CHUNK = 1024 * 1024


def _blob_id(stream: IO[bytes], size: int) -> str:
    h = hashlib.sha1(b"blob %d\0" % size)
    while chunk := stream.read(CHUNK):
        h.update(chunk)
    return h.hexdigest()


def _decompressed(head: bytes, raw: IO[bytes]) -> Any:
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(raw, mode="rb")
    if head.startswith(b"BZh"):
        return bz2.BZ2File(raw, mode="rb")
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(raw)
    return raw


def hash_tar(path: str) -> list[str]:
    ids: list[str] = []
    with open(path, "rb") as raw:
        head = raw.read(8)
        raw.seek(0)
        stream = _decompressed(head, raw)
        with tarfile.open(fileobj=stream, mode="r|") as tf:
            for member in tf:
                if member.isreg():
                    fh = tf.extractfile(member)
                    if fh is not None:
                        ids.append(_blob_id(fh, member.size))
    return ids


def hash_zip(path: str) -> list[str]:
    ids: list[str] = []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.is_dir():
                with zf.open(info) as fh:
                    ids.append(_blob_id(fh, info.file_size))
    return ids


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: baseline_hash.py ARTIFACT", file=sys.stderr)
        return 2
    path = argv[0]
    with open(path, "rb") as fh:
        head = fh.read(4)
    ids = hash_zip(path) if head in (b"PK\x03\x04", b"PK\x05\x06") else hash_tar(path)
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()
    print(f"{len(ids)} members {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
