"""Python core metadata (``PKG-INFO``, ``METADATA``) read from a distribution file.

Parsed with ``packaging.metadata.parse_email``, which is lenient: a malformed
field is left out, never an error.  Nothing from the distribution is run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chainsight.sources.archive import find_member


@dataclass(frozen=True)
class CoreMetadata:
    metadata_version: str
    name: str
    version: str
    requires_dist: tuple[str, ...] = ()
    dynamic: frozenset[str] = frozenset()
    """Field names listed in ``Dynamic`` (PEP 643), lower case."""
    project_urls: dict[str, str] = field(default_factory=dict)
    home_page: str | None = None
    download_url: str | None = None
    provides_extra: tuple[str, ...] = ()
    path: str = ""
    """Where in the archive the metadata was read from."""

    @property
    def pep643(self) -> bool:
        """Metadata-Version >= 2.2: fields not listed in ``Dynamic`` are final (PEP 643)."""
        try:
            major, minor = (int(x) for x in self.metadata_version.split(".")[:2])
        except ValueError:
            return False
        return (major, minor) >= (2, 2)


def parse_core_metadata(data: bytes, path: str = "") -> CoreMetadata | None:
    from packaging.metadata import parse_email

    try:
        raw, _unparsed = parse_email(data)
    except (ValueError, UnicodeDecodeError):
        return None
    name, version = raw.get("name"), raw.get("version")
    if not name or not version:
        return None
    return CoreMetadata(
        metadata_version=str(raw.get("metadata_version") or "1.0"),
        name=str(name),
        version=str(version),
        requires_dist=tuple(raw.get("requires_dist") or ()),
        dynamic=frozenset(d.lower() for d in raw.get("dynamic") or ()),
        project_urls=dict(raw.get("project_urls") or {}),
        home_page=raw.get("home_page"),
        download_url=raw.get("download_url"),
        provides_extra=tuple(raw.get("provides_extra") or ()),
        path=path,
    )


def is_wheel_metadata(name: str) -> bool:
    """``NAME-VER.dist-info/METADATA`` at the top of a wheel."""
    parts = name.split("/")
    return len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "METADATA"


def is_sdist_pkg_info(name: str) -> bool:
    """``NAME-VER/PKG-INFO`` at the top of an sdist (not an egg-info copy)."""
    parts = name.lstrip("./").split("/")
    return len(parts) == 2 and parts[1] == "PKG-INFO"


def read_core_metadata(path: Path, filename: str) -> CoreMetadata | None:
    """The wheel's METADATA or the sdist's PKG-INFO, by the registry file name."""
    match = is_wheel_metadata if filename.endswith(".whl") else is_sdist_pkg_info
    found = find_member(path, match)
    if found is None:
        return None
    return parse_core_metadata(found[1], found[0])
