"""``deb:SOURCE[=VERSION]``: a Debian source package, fetched and verified over HTTP.

The chain of trust is the one APT uses, with no root and no ``deb-src`` line:
the suite's ``InRelease`` is verified with ``gpgv`` against the Debian archive
keyring, the ``Sources`` index against the sha256 ``InRelease`` gives, the
``.dsc`` and every file it names against the sha256 the ``Sources`` entry gives,
and the ``.dsc``'s own checksums must agree.  The files are kept in the download
cache by digest and linked under their real names into one directory so that
the release audit reads the ``.dsc`` as it would a local one.
``dpkg-source -x`` is never run.

Mirror: ``--debian-mirror``, else the first Debian archive in the user's APT
sources, else ``https://deb.debian.org/debian``.  Suites: those the APT
sources name, then :data:`DEFAULT_SUITES` (and their ``-security`` suites on
deb.debian.org); a suite the mirror lacks, or whose signed index expired, is
skipped with a note.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from chainsight.registry.apt_sources import debian_sources
from chainsight.registry.cache import IntegrityError
from chainsight.registry.debian_archive import (
    DebianArchive,
    SourcesIndex,
    Suite,
    SuiteUnavailable,
)
from chainsight.registry.fetched import FetchedFile, FetchedPackage, RegistryOptions
from chainsight.registry.http import NetworkError, NotFoundError
from chainsight.registry.target import Ecosystem, PackageTarget
from chainsight.sources.debian_packaging import (
    DebianPackaging,
    read_packaging_diff,
    read_packaging_tarball,
)
from chainsight.sources.debian_upstream import upstream_repositories

DEFAULT_MIRROR = "https://deb.debian.org/debian"
DEFAULT_SUITES = ("bookworm", "trixie", "forky", "sid", "bullseye")
SECURITY_SUITES = ("bookworm-security", "trixie-security", "bullseye-security")
MAIN = "main"
OTHER_COMPONENTS = ("contrib", "non-free", "non-free-firmware")


@dataclass(frozen=True)
class DebianConfig:
    """Where to look: the suites, in the order they are searched, and the keyring."""

    suites: tuple[Suite, ...]
    keyring: Path | None = None
    """None: the Debian archive keyring (or ``$CHAINSIGHT_DEBIAN_KEYRING``)."""


def default_config(options: RegistryOptions, etc_apt: Path = Path("/etc/apt")) -> DebianConfig:
    """Mirror and suites from ``--debian-mirror`` or the APT sources (see the module doc)."""
    apt = debian_sources(etc_apt)
    suites: list[Suite] = []
    if options.debian_mirror:
        mirror = options.debian_mirror.rstrip("/")
        named = [s for src in apt if not src.uri.endswith("-security") for s in src.suites]
        suites += [Suite(mirror, s) for s in named]
    else:
        main = [src for src in apt if not src.uri.endswith("-security")]
        mirror = main[0].uri if main else DEFAULT_MIRROR
        for src in apt:
            suites += [Suite(src.uri, s) for s in src.suites]
    suites += [Suite(mirror, s) for s in DEFAULT_SUITES]
    if re.match(r"^https?://deb\.debian\.org/debian$", mirror):
        suites += [Suite(mirror + "-security", s) for s in SECURITY_SUITES]
    unique: list[Suite] = []
    for s in suites:
        if s not in unique:
            unique.append(s)
    return DebianConfig(tuple(unique))


_ARCHIVES: dict[tuple[Path, Path | None, bool], DebianArchive] = {}
_ARCHIVES_LOCK = threading.Lock()


def _archive(options: RegistryOptions, config: DebianConfig) -> DebianArchive:
    """One archive object per cache and keyring for the whole process (indexes are shared)."""
    key = (options.cache.root, config.keyring, options.offline)
    with _ARCHIVES_LOCK:
        archive = _ARCHIVES.get(key)
        if archive is None:
            archive = DebianArchive(options.cache, options.client, options.offline, config.keyring)
            _ARCHIVES[key] = archive
        elif options.client is not None and archive.client is None:
            archive.client = options.client
        return archive


@dataclass
class _Candidate:
    version: str
    suite: Suite
    component: str
    paragraph: Any
    suites: list[str] = field(default_factory=list)


def fetch_deb(
    target: PackageTarget, options: RegistryOptions, config: DebianConfig | None = None
) -> FetchedPackage:
    """Resolve, download and verify a Debian source package (see the module doc)."""
    if target.ecosystem is not Ecosystem.DEB:
        raise ValueError(f"{target} is not a Debian target")
    config = config or default_config(options)
    archive = _archive(options, config)
    notes: list[str] = []
    chosen = _resolve(archive, config, target, notes)
    return _download(archive, options, target, chosen, notes)


# -- resolving the version ------------------------------------------------------


def _indexes(
    archive: DebianArchive, config: DebianConfig, component: str, notes: list[str]
) -> Iterator[SourcesIndex]:
    for suite in config.suites:
        try:
            index = archive.sources(suite, component)
        except SuiteUnavailable as exc:
            note = str(exc)
            if note not in notes:
                notes.append(note)
            continue
        if index is not None:
            yield index


def _same_version(asked: str, have: str) -> bool:
    if asked == have:
        return True
    return ":" not in asked and have.split(":", 1)[-1] == asked


def _resolve(
    archive: DebianArchive, config: DebianConfig, target: PackageTarget, notes: list[str]
) -> _Candidate:
    from debian.debian_support import Version

    found: dict[str, _Candidate] = {}
    searched: list[str] = []
    reached = False
    for component in (MAIN, *OTHER_COMPONENTS):
        for index in _indexes(archive, config, component, notes):
            reached = True
            label = index.release.suite.name
            if label not in searched:
                searched.append(label)
            for para in index.paragraphs(target.name):
                version = para.get("Version", "")
                if not version:
                    continue
                cand = found.get(version)
                if cand is None:
                    cand = found[version] = _Candidate(
                        version, index.release.suite, component, para
                    )
                if label not in cand.suites:
                    cand.suites.append(label)
                if target.version is not None and _same_version(target.version, version):
                    return cand
        if found:  # a package does not move between components from one version to the next
            break
    if not reached:
        detail = "; ".join(notes) or "no suite configured"
        raise NetworkError(f"{target}: no Debian suite could be used ({detail})")
    where = ", ".join(searched)
    if not found:
        raise NotFoundError(
            f"{target}: no source package {target.name!r} in the reachable suites ({where}); "
            "deb: takes a source package name (e.g. openssh, not openssh-server)"
        )
    if target.version is not None:
        listing = ", ".join(
            f"{c.version} ({' '.join(c.suites)})"
            for c in sorted(found.values(), key=lambda c: Version(c.version), reverse=True)
        )
        raise NotFoundError(
            f"{target}: version {target.version} is not in any reachable suite; only versions "
            f"present in reachable suites exist: {listing}"
        )
    return max(found.values(), key=lambda c: Version(c.version))


# -- downloading and verifying ---------------------------------------------------


def _plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and not name.startswith(".") and "\x00" not in name


def _checksums(entries: Any) -> dict[str, str]:
    return {str(e["name"]): str(e["sha256"]).lower() for e in entries or []}


def _role(name: str, native: bool) -> str:
    if name.endswith(".dsc"):
        return "dsc"
    if re.search(r"\.orig(-[A-Za-z0-9][A-Za-z0-9-]*)?\.tar\.[a-z0-9]+\.asc$", name):
        return "orig-signature"
    if re.search(r"\.orig(-[A-Za-z0-9][A-Za-z0-9-]*)?\.tar\.[a-z0-9]+$", name):
        return "orig"
    if re.search(r"\.debian\.tar\.[a-z0-9]+$", name) or name.endswith((".diff.gz", ".diff.xz")):
        return "debian"
    if native and re.search(r"\.tar\.[a-z0-9]+$", name):
        return "orig"
    return "other"


def _download(
    archive: DebianArchive,
    options: RegistryOptions,
    target: PackageTarget,
    chosen: _Candidate,
    notes: list[str],
) -> FetchedPackage:
    from debian.deb822 import Dsc

    para = chosen.paragraph
    source = para.get("Package", target.name)
    directory = para.get("Directory", "")
    if not directory or ".." in directory.split("/") or directory.startswith("/"):
        raise IntegrityError(f"{target}: the Sources entry has an unusable Directory {directory!r}")
    pinned = _checksums(para.get("Checksums-Sha256"))
    if not pinned:
        raise IntegrityError(f"{target}: the Sources entry lists no Checksums-Sha256")
    bad = [n for n in pinned if not _plain_name(n)]
    if bad:
        raise IntegrityError(f"{target}: the Sources entry names unsafe files: {bad[0]!r}")
    dsc_names = [n for n in pinned if n.endswith(".dsc")]
    if len(dsc_names) != 1:
        raise IntegrityError(f"{target}: the Sources entry names {len(dsc_names)} .dsc files")
    mirror = chosen.suite.mirror
    blobs: dict[str, tuple[Path, str]] = {}
    for name, sha in pinned.items():
        url = f"{mirror}/{directory}/{name}"
        try:
            got = options.cache.fetch(options.client, url, {"sha256": sha}, offline=options.offline)
        except IntegrityError as exc:
            raise IntegrityError(
                f"{target}: {name} does not match the archive's signed index ({exc})"
            ) from None
        except NotFoundError:
            raise NotFoundError(
                f"{target}: the signed index of {chosen.suite.name} lists {name} but "
                f"{mirror} does not serve it (HTTP 404 for {url})"
            ) from None
        blobs[name] = (got.path, got.sha256)

    dsc_name = dsc_names[0]
    with blobs[dsc_name][0].open("rb") as fh:
        dsc = Dsc(fh)
    listed = _checksums(dsc.get("Checksums-Sha256"))
    expected = {n: s for n, s in pinned.items() if n != dsc_name}
    if listed != expected:
        differ = sorted(set(listed.items()) ^ set(expected.items()))
        raise IntegrityError(
            f"{target}: {dsc_name} lists other files or checksums than the archive's index "
            f"({differ[0][0]})"
        )
    if dsc.get("Source") != source or dsc.get("Version") != chosen.version:
        raise IntegrityError(
            f"{target}: {dsc_name} says {dsc.get('Source')} {dsc.get('Version')}, the index "
            f"says {source} {chosen.version}"
        )

    fmt = str(dsc.get("Format", "1.0")).strip()
    native = "native" in fmt or not any(_role(n, False) == "orig" for n in pinned)
    folder = _materialise(options, source, chosen.version, blobs)
    files = tuple(
        FetchedFile(
            role=_role(name, native),
            filename=name,
            path=folder / name,
            sha256=blobs[name][1],
            url=f"{mirror}/{directory}/{name}",
        )
        for name in [dsc_name, *sorted(expected)]
    )
    packaging = read_packaging(files, native)
    homepage = para.get("Homepage") or dsc.get("Homepage")
    metadata = {
        "suite": " ".join(chosen.suites),
        "component": chosen.component,
        "mirror": mirror,
        "format": fmt,
    }
    for key in ("Vcs-Git", "Vcs-Browser", "Homepage", "Maintainer"):
        value = para.get(key) or dsc.get(key)
        if value:
            metadata[key] = str(value)
    if "Vcs-Git" in metadata:
        notes.append("Vcs-Git is Debian's packaging repository, not the upstream source")
    notes += [f"debian packaging: {r}" for r in packaging.partial_reasons]
    return FetchedPackage(
        target=replace(target, name=source, version=chosen.version),
        files=files,
        source_urls=tuple(upstream_repositories(packaging, source, homepage)),
        metadata=metadata,
        notes=tuple(notes),
    )


def packaging_of(package: FetchedPackage) -> DebianPackaging:
    """The ``debian/`` files of a fetched Debian package (read once, then remembered)."""
    native = "native" in package.metadata.get("format", "") or not any(
        f.role == "debian" for f in package.files
    )
    return read_packaging(package.files, native)


@functools.lru_cache(maxsize=16)
def read_packaging(files: tuple[FetchedFile, ...], native: bool) -> DebianPackaging:
    """The ``debian/`` files of a fetched package (packaging tarball, diff or native tarball)."""
    for f in files:
        if f.role == "debian":
            if f.filename.endswith((".diff.gz", ".diff.xz")):
                return read_packaging_diff(f.path)
            return read_packaging_tarball(f.path)
    if native:
        tars = [f for f in files if f.role == "orig"]
        if tars:
            return read_packaging_tarball(tars[0].path, native=True)
    return DebianPackaging()


def _materialise(
    options: RegistryOptions, source: str, version: str, blobs: dict[str, tuple[Path, str]]
) -> Path:
    """A directory holding the files under their real names, linked to the verified blobs."""
    safe = re.compile(r"[^A-Za-z0-9.+~_-]")
    parts = (safe.sub("_", source), safe.sub(lambda m: f"%{ord(m.group(0)):02x}", version))
    if any(part in ("", ".", "..") for part in parts):
        raise IntegrityError(f"refusing the Debian names {source!r} {version!r}: not a folder")
    folder = options.cache.root / "debian" / parts[0] / parts[1]
    folder.mkdir(parents=True, exist_ok=True)
    for name, (blob, _sha) in blobs.items():
        dest = folder / name
        try:
            if dest.exists() and os.path.samefile(dest, blob):
                continue
        except OSError:
            pass
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        tmp.unlink(missing_ok=True)
        try:
            os.link(blob, tmp)
        except OSError:
            os.symlink(blob, tmp)
        os.replace(tmp, dest)
    return folder
