"""A Debian archive's signed source indexes: ``InRelease`` → ``Sources``, verified.

For one suite (``bookworm``, ``sid``, ``bookworm-security``…) of one mirror:

1. ``dists/SUITE/InRelease`` is fetched (kept in the download cache for
   :data:`INRELEASE_MAX_AGE` so that a batch asks the mirror once) and checked
   with ``gpgv`` against the Debian archive keyring.  Only the text the
   signatures cover is read, and it must name the suite that was asked for
   (a signed index of another suite cannot be substituted) and must not be past
   its ``Valid-Until`` (an old index cannot be replayed).
2. ``COMPONENT/source/Sources.xz`` is downloaded through the content cache,
   pinned by the sha256 the verified ``InRelease`` gives (by hash when the
   archive offers it, so a mirror update in between cannot race), then
   decompressed into the cache, the result checked against the sha256
   ``InRelease`` gives for the uncompressed ``Sources``.
3. The decompressed file is indexed once per process: package name → byte
   ranges of its paragraphs.  Only those paragraphs are ever parsed (with
   python-debian), so memory stays at the index (a few MiB per suite), never the
   50 MiB of text.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import lzma
import os
import re
import tempfile
import threading
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chainsight.errors import ChainsightError
from chainsight.openpgp import verify_clearsigned
from chainsight.registry.cache import DownloadCache, IntegrityError
from chainsight.registry.http import HttpClient, NetworkError, NotFoundError

DEBIAN_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
KEYRING_ENV = "CHAINSIGHT_DEBIAN_KEYRING"
INRELEASE_MAX_AGE = 3600.0
"""Seconds a fetched ``InRelease`` is reused without asking the mirror again."""
MAX_SOURCES_BYTES = 1 << 30
"""Decompressed ``Sources`` larger than this is refused (sid's main is about 60 MiB)."""


class ArchiveSignatureError(IntegrityError):
    """An ``InRelease`` is not signed by a key of the Debian archive keyring."""


class SuiteUnavailable(ChainsightError):
    """A suite cannot be used (not on the mirror, unreachable, expired); the batch goes on."""


@dataclass(frozen=True)
class Suite:
    mirror: str
    """Archive base URL, e.g. ``https://deb.debian.org/debian`` (no trailing slash)."""
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class ReleaseFile:
    """What a verified ``InRelease`` says."""

    suite: Suite
    codename: str
    date: str
    valid_until: str | None
    by_hash: bool
    sha256: dict[str, tuple[str, int]]
    """Index path (``main/source/Sources.xz``) → (sha256, size)."""
    signers: tuple[str, ...]
    """Fingerprints of the archive keys whose signatures were good."""
    components: tuple[str, ...]


def debian_keyring() -> Path:
    override = os.environ.get(KEYRING_ENV)
    return Path(override) if override else DEBIAN_KEYRING


def _parse_date(text: str) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def verify_release(suite: Suite, inrelease: bytes, keyring: Path, *, now: datetime) -> ReleaseFile:
    """Check ``InRelease``'s signature, suite name and validity; parse what it covers."""
    from debian.deb822 import Release

    url = f"{suite.mirror}/dists/{suite.name}/InRelease"
    if not keyring.is_file():
        raise ArchiveSignatureError(
            f"the Debian archive keyring {keyring} is missing "
            "(install the debian-archive-keyring package)"
        )
    check = verify_clearsigned([keyring], inrelease)
    if check.bad or not check.good or check.signed_data is None:
        raise ArchiveSignatureError(
            f"{url}: not signed by a Debian archive key ({check.summary()}); nothing from "
            "this suite was used"
        )
    release = Release(check.signed_data.decode("utf-8", "replace"))
    names = {release.get("Suite", ""), release.get("Codename", "")}
    if suite.name not in names:
        raise ArchiveSignatureError(
            f"{url}: the signed index is for {release.get('Codename') or release.get('Suite')!r}, "
            f"not {suite.name!r}"
        )
    valid_until = release.get("Valid-Until")
    if valid_until:
        limit = _parse_date(valid_until)
        if limit is None or limit < now:
            raise SuiteUnavailable(
                f"{suite.name}: the mirror's signed index expired on {valid_until} "
                "(a stale or frozen mirror); not used"
            )
    sha256: dict[str, tuple[str, int]] = {}
    for item in release.get("SHA256", []):
        try:
            sha256[item["name"]] = (item["sha256"].lower(), int(item["size"]))
        except (KeyError, ValueError):
            continue
    return ReleaseFile(
        suite=suite,
        codename=release.get("Codename", suite.name),
        date=release.get("Date", ""),
        valid_until=valid_until,
        by_hash=release.get("Acquire-By-Hash", "").strip().lower() == "yes",
        sha256=sha256,
        signers=tuple(s.primary_fingerprint or s.fingerprint or "" for s in check.good),
        components=tuple(release.get("Components", "main").split()),
    )


def _decompressor(kind: str, raw: Any) -> Any:
    return lzma.LZMAFile(raw) if kind == "xz" else gzip.GzipFile(fileobj=raw)


class SourcesIndex:
    """One suite/component's ``Sources``: a verified file on disk, indexed by package name."""

    def __init__(self, release: ReleaseFile, component: str, path: Path) -> None:
        self.release = release
        self.component = component
        self.path = path
        self._offsets: dict[str, int | list[int]] = {}
        self._build()

    def _build(self) -> None:
        # Paragraphs are read in blocks cut at blank lines; each offset is packed as
        # start << 24 | length to keep the index small.
        package = re.compile(rb"^Package:[ \t]*(\S+)[ \t]*$", re.MULTILINE)
        base = 0
        carry = b""
        with self.path.open("rb") as fh:
            while True:
                chunk = fh.read(4 << 20)
                block = carry + chunk
                if not chunk:
                    cut = len(block)
                else:
                    cut = block.rfind(b"\n\n")
                    if cut < 0:
                        carry = block
                        continue
                    cut += 2
                self._index_block(block[:cut], base, package)
                base += cut
                carry = block[cut:]
                if not chunk:
                    break

    def _index_block(self, block: bytes, base: int, package: re.Pattern[bytes]) -> None:
        for m in package.finditer(block):
            start = block.rfind(b"\n\n", 0, m.start())
            start = 0 if start < 0 else start + 2
            end = block.find(b"\n\n", m.end())
            end = len(block) if end < 0 else end + 1
            length = end - start
            if length >= 1 << 24:
                continue
            packed = (base + start) << 24 | length
            name = m.group(1).decode("ascii", "replace")
            have = self._offsets.get(name)
            if have is None:
                self._offsets[name] = packed
            elif isinstance(have, list):
                have.append(packed)
            else:
                self._offsets[name] = [have, packed]

    def __contains__(self, name: str) -> bool:
        return name in self._offsets

    def __len__(self) -> int:
        return len(self._offsets)

    def paragraphs(self, name: str) -> list[Any]:
        """The ``debian.deb822.Sources`` paragraphs of package ``name`` (maybe several versions)."""
        from debian.deb822 import Sources

        have = self._offsets.get(name)
        if have is None:
            return []
        packed = have if isinstance(have, list) else [have]
        out = []
        with self.path.open("rb") as fh:
            for value in packed:
                fh.seek(value >> 24)
                raw = fh.read(value & 0xFFFFFF)
                out.append(Sources(raw.decode("utf-8", "replace")))
        return out


@dataclass
class DebianArchive:
    """Loads and remembers suites for one process (thread-safe)."""

    cache: DownloadCache
    client: HttpClient | None
    offline: bool = False
    keyring: Path | None = None
    max_age: float = INRELEASE_MAX_AGE

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._releases: dict[Suite, ReleaseFile | SuiteUnavailable] = {}
        self._indexes: dict[tuple[Suite, str], SourcesIndex | None] = {}

    def release(self, suite: Suite) -> ReleaseFile:
        """The verified release file; SuiteUnavailable when the suite cannot be used."""
        with self._lock:
            known = self._releases.get(suite)
            if known is None:
                try:
                    known = self._load_release(suite)
                except SuiteUnavailable as exc:
                    known = exc
                self._releases[suite] = known
        if isinstance(known, SuiteUnavailable):
            raise known
        return known

    def sources(self, suite: Suite, component: str) -> SourcesIndex | None:
        """The suite's index of ``component`` (None when the suite has no such component)."""
        release = self.release(suite)
        key = (suite, component)
        with self._lock:
            if key not in self._indexes:
                self._indexes[key] = self._load_sources(release, component)
            return self._indexes[key]

    # -- loading ------------------------------------------------------------

    def _load_release(self, suite: Suite) -> ReleaseFile:
        url = f"{suite.mirror}/dists/{suite.name}/InRelease"
        try:
            body = self.cache.document(self.client, url, offline=self.offline, max_age=self.max_age)
        except NotFoundError:
            raise SuiteUnavailable(f"{suite.name}: not on {suite.mirror}") from None
        except NetworkError as exc:
            raise SuiteUnavailable(f"{suite.name}: {exc}") from None
        except ChainsightError as exc:  # OfflineMiss
            raise SuiteUnavailable(f"{suite.name}: {exc}") from None
        return verify_release(suite, body, self.keyring or debian_keyring(), now=datetime.now(UTC))

    def _load_sources(self, release: ReleaseFile, component: str) -> SourcesIndex | None:
        base = f"{component}/source/Sources"
        plain = release.sha256.get(base)
        for ext, opener in ((".xz", "xz"), (".gz", "gz")):
            pinned = release.sha256.get(base + ext)
            if pinned is None:
                continue
            if plain is not None:
                ready = self._decompressed_path(plain[0])
                if ready.is_file():
                    return SourcesIndex(release, component, ready)
            compressed = self._fetch_index(release, base + ext, pinned[0])
            path = self._decompress(compressed, opener, plain, release.suite, base + ext)
            return SourcesIndex(release, component, path)
        return None

    def _fetch_index(self, release: ReleaseFile, rel: str, sha256: str) -> Path:
        dists = f"{release.suite.mirror}/dists/{release.suite.name}"
        urls = [f"{dists}/{rel}"]
        if release.by_hash:
            urls.insert(0, f"{dists}/{rel.rsplit('/', 1)[0]}/by-hash/SHA256/{sha256}")
        for i, url in enumerate(urls):
            try:
                got = self.cache.fetch(self.client, url, {"sha256": sha256}, offline=self.offline)
            except NotFoundError:
                if i + 1 < len(urls):
                    continue
                raise
            except IntegrityError as exc:
                raise IntegrityError(
                    f"{release.suite.name}: {rel} does not match the signed InRelease ({exc})"
                ) from None
            return got.path
        raise AssertionError("unreachable")  # pragma: no cover

    def _decompressed_path(self, sha256: str) -> Path:
        return self.cache.root / "debian-sources" / sha256

    def _decompress(
        self,
        compressed: Path,
        kind: str,
        plain: tuple[str, int] | None,
        suite: Suite,
        rel: str,
    ) -> Path:
        """Decompress a verified index into the cache, checked against InRelease when it can be."""
        outdir = self.cache.root / "debian-sources"
        outdir.mkdir(parents=True, exist_ok=True)
        fd, tmpname = tempfile.mkstemp(dir=outdir, prefix=".tmp-")
        digest = hashlib.sha256()
        size = 0
        try:
            with (
                os.fdopen(fd, "wb") as out,
                compressed.open("rb") as raw,
                _decompressor(kind, raw) as stream,
            ):
                while data := stream.read(1 << 20):
                    size += len(data)
                    if size > MAX_SOURCES_BYTES:
                        raise IntegrityError(f"{suite.name}: {rel} decompresses beyond 1 GiB")
                    digest.update(data)
                    out.write(data)
            got = digest.hexdigest()
            if plain is not None and got != plain[0]:
                raise IntegrityError(
                    f"{suite.name}: {rel} decompresses to content the signed InRelease "
                    "does not list"
                )
            final = self._decompressed_path(got)
            os.replace(tmpname, final)
            return final
        except (lzma.LZMAError, zlib.error, EOFError, OSError) as exc:
            raise IntegrityError(f"{suite.name}: {rel} is corrupt ({exc})") from None
        finally:
            Path(tmpname).unlink(missing_ok=True)
