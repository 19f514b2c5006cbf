"""Debian source packages: find and check the upstream tarball(s) a .dsc names.

Only the upstream (``.orig``) tarballs are audited; the Debian packaging
tarball is Debian's own work. Nothing is unpacked with dpkg-source.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from chainsight.errors import ArtifactError


@dataclass(frozen=True)
class UpstreamTarball:
    path: Path
    component: str | None
    """None for the main tarball; the name of a ``.orig-COMPONENT`` tarball otherwise."""
    expected_sha256: str | None
    actual_sha256: str


@dataclass(frozen=True)
class DebianSource:
    source: str
    version: str
    upstream_version: str
    tarballs: tuple[UpstreamTarball, ...]
    native: bool


_ORIG = re.compile(
    r"\.orig(?:-(?P<component>[A-Za-z0-9][A-Za-z0-9-]*))?\.tar\.(gz|xz|bz2|lzma|zst)$"
)


def upstream_version(version: str) -> str:
    """Upstream part of a Debian version, without epoch, revision or repack suffix."""
    v = version.split(":", 1)[-1]
    v = v.rsplit("-", 1)[0] if "-" in v else v
    return re.sub(r"[+~](dfsg|ds|repack|really)[\w.]*$", "", v)


def read_dsc(path: Path) -> DebianSource:
    from debian.deb822 import Dsc

    try:
        with path.open("rb") as fh:
            dsc = Dsc(fh)
    except OSError as exc:
        raise ArtifactError(f"cannot read {path}: {exc.strerror or exc}") from None
    source = dsc.get("Source")
    version = dsc.get("Version")
    if not source or not version:
        raise ArtifactError(f"{path.name}: not a Debian source control file (no Source/Version)")
    files = dsc.get("Checksums-Sha256") or []
    if not files:
        raise ArtifactError(f"{path.name}: lists no files (Checksums-Sha256 is empty)")
    tarballs: list[UpstreamTarball] = []
    native_tar: dict[str, str] | None = None
    for item in files:
        name = item["name"]
        if "/" in name or name.startswith("."):
            raise ArtifactError(f"{path.name}: file name {name!r} is not a plain file name")
        m = _ORIG.search(name)
        if m:
            tarballs.append(_check(path.parent / name, m.group("component"), item["sha256"]))
        elif re.search(r"\.tar\.(gz|xz|bz2|lzma|zst)$", name) and ".debian." not in name:
            native_tar = item
    native = False
    if not tarballs:
        if native_tar is None:
            raise ArtifactError(f"{path.name}: names no upstream tarball")
        tarballs.append(_check(path.parent / native_tar["name"], None, native_tar["sha256"]))
        native = True
    tarballs.sort(key=lambda t: (t.component is not None, t.component or ""))
    return DebianSource(source, version, upstream_version(version), tuple(tarballs), native)


def _check(path: Path, component: str | None, expected: str) -> UpstreamTarball:
    if not path.is_file():
        raise ArtifactError(f"{path.name} named by the .dsc is not next to it ({path.parent})")
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return UpstreamTarball(path, component, expected, h.hexdigest())
