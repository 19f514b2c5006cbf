"""A content-addressed download cache (default ``~/.cache/chainsight/downloads``).

Files are stored under the digest the registry published for them
(``blobs/<algorithm>/<hex[:2]>/<hex>``) and only after that digest was checked,
so a cache hit is as trustworthy as the index entry that named it.  Index
documents (PyPI JSON pages, npm packuments, Debian ``InRelease``) are kept
under ``documents/`` by URL so that ``--offline`` can replay a previous run.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from chainsight.errors import ChainsightError
from chainsight.registry.http import HttpClient
from chainsight.sources.git import default_cache_dir

ALGORITHMS = ("sha256", "sha512", "sha384", "sha1", "md5")
"""Digests a registry may publish, strongest first; md5/sha1 are never enough alone."""
STRONG = frozenset({"sha256", "sha384", "sha512"})


HEX_LENGTH = {"md5": 32, "sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}


class IntegrityError(ChainsightError):
    """A download did not match the digest its index published."""


class OfflineMiss(ChainsightError):
    """``--offline`` was asked for and the cache lacks what is needed."""


def sri_to_hex(integrity: str) -> tuple[str, str]:
    """npm's Subresource Integrity ``sha512-<base64>`` -> (``sha512``, hex)."""
    algo, _, b64 = integrity.strip().partition("-")
    algo = algo.lower()
    if algo not in ALGORITHMS or not b64:
        raise ValueError(f"unsupported integrity value {integrity!r}")
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"integrity value {integrity!r} is not base64") from None
    return algo, raw.hex()


@dataclass(frozen=True)
class CachedFile:
    path: Path
    sha256: str
    from_cache: bool


class DownloadCache:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else default_cache_dir() / "downloads"

    # -- verified files -------------------------------------------------------

    def _blob(self, algo: str, hexdigest: str) -> Path:
        h = hexdigest.lower()
        if algo not in HEX_LENGTH or not _is_hex(h, HEX_LENGTH[algo]):
            # the digest comes from an index: never let it name a path of its own
            raise IntegrityError(f"the index gives a malformed {algo} digest {hexdigest[:80]!r}")
        return self.root / "blobs" / algo / h[:2] / h

    def lookup(self, digests: Mapping[str, str], *, allow_weak: bool = False) -> Path | None:
        """A cached file stored under one of ``digests`` (strong ones only, unless
        ``allow_weak`` and the index publishes nothing stronger)."""
        usable = STRONG if not allow_weak or STRONG & digests.keys() else frozenset(ALGORITHMS)
        for algo in ALGORITHMS:
            if algo in digests and algo in usable:
                p = self._blob(algo, digests[algo])
                if p.is_file():
                    return p
        return None

    def fetch(
        self,
        client: HttpClient | None,
        url: str,
        digests: Mapping[str, str],
        *,
        offline: bool = False,
        progress: Callable[[int, int | None], None] | None = None,
        allow_weak: bool = False,
    ) -> CachedFile:
        """Return a local copy of ``url`` whose content matches every digest in ``digests``.

        At least one strong digest (sha256/384/512) is required: a file the index
        does not pin cannot be cached by content. ``allow_weak`` accepts a file the
        index pins by sha1/md5 only (old npm releases publish only a sha1
        ``shasum``); the caller must tell the user that only a weak digest exists.
        """
        digests = {k.lower(): v.lower() for k, v in digests.items() if k.lower() in ALGORITHMS}
        if not digests or (not STRONG & digests.keys() and not allow_weak):
            raise IntegrityError(f"{url}: the index publishes no sha256/sha384/sha512 for it")
        hit = self.lookup(digests, allow_weak=allow_weak)
        if hit is not None:
            held = _digests_of(hit, digests.keys() | {"sha256"})
            if all(held[algo] == want for algo, want in digests.items()):
                return CachedFile(hit, held["sha256"], True)
            hit.unlink(missing_ok=True)  # damaged or planted: fetch it again
        if offline or client is None:
            raise OfflineMiss(f"{url} is not in the cache ({self.root}) and --offline was given")
        tmpdir = self.root / "tmp"
        tmpdir.mkdir(parents=True, exist_ok=True)
        fd, tmpname = tempfile.mkstemp(dir=tmpdir, prefix="dl-")
        tmp = Path(tmpname)
        try:
            with os.fdopen(fd, "wb") as out:
                hashing = _HashingWriter(out, digests.keys() | {"sha256"})
                client.download(url, hashing, progress=progress)  # type: ignore[arg-type]
            got = hashing.hexdigests()
            for algo, want in digests.items():
                if got[algo] != want:
                    raise IntegrityError(
                        f"{url}: {algo} is {got[algo][:16]}…, the index says {want[:16]}…; "
                        "the file was not kept"
                    )
            final = self._blob("sha256", got["sha256"])
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            aliases = digests.keys() & STRONG if STRONG & digests.keys() else digests.keys()
            for algo in aliases - {"sha256"}:
                alias = self._blob(algo, got[algo])
                alias.parent.mkdir(parents=True, exist_ok=True)
                if not alias.exists():
                    try:
                        os.link(final, alias)
                    except OSError:
                        alias.write_bytes(final.read_bytes())
            return CachedFile(final, got["sha256"], False)
        finally:
            tmp.unlink(missing_ok=True)

    # -- index documents --------------------------------------------------------

    def _document(self, url: str) -> Path:
        return self.root / "documents" / hashlib.sha256(url.encode()).hexdigest()

    def document(
        self,
        client: HttpClient | None,
        url: str,
        *,
        offline: bool = False,
        max_age: float | None = None,
        accept: str | None = None,
    ) -> bytes:
        """Fetch an index document, keeping a copy for ``--offline`` and reruns.

        With ``max_age`` (seconds), a cached copy younger than that is used
        without asking the server.
        """
        path = self._document(url)
        if path.is_file() and (
            offline or (max_age is not None and time.time() - path.stat().st_mtime < max_age)
        ):
            return _read_document(path)
        if offline or client is None:
            raise OfflineMiss(f"{url} is not in the cache ({self.root}) and --offline was given")
        body = client.get(url, accept=accept)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmpname = tempfile.mkstemp(dir=path.parent, prefix=".doc-")
        with os.fdopen(fd, "wb") as out:
            out.write(json.dumps({"url": url}).encode() + b"\n" + body)
        os.replace(tmpname, path)
        return body


def _read_document(path: Path) -> bytes:
    data = path.read_bytes()
    _, _, body = data.partition(b"\n")
    return body


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and all(c in "0123456789abcdef" for c in text)


def _digests_of(path: Path, algos: set[str] | frozenset[str]) -> dict[str, str]:
    hashes = {a: hashlib.new(a) for a in algos}
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            for h in hashes.values():
                h.update(chunk)
    return {a: h.hexdigest() for a, h in hashes.items()}


class _HashingWriter:
    def __init__(self, out: object, algos: set[str]) -> None:
        self._out = out
        self._hashes = {a: hashlib.new(a) for a in algos}

    def write(self, data: bytes) -> int:
        for h in self._hashes.values():
            h.update(data)
        return self._out.write(data)  # type: ignore[attr-defined, no-any-return]

    def hexdigests(self) -> dict[str, str]:
        return {a: h.hexdigest() for a, h in self._hashes.items()}
