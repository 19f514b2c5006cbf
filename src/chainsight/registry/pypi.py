"""The PyPI front end: ``pypi:NAME[==VERSION]`` -> verified sdist and wheel(s).

The index is read through the simple repository API: the PEP 691 JSON form
(``Accept: application/vnd.pypi.simple.v1+json``), or the PEP 503 HTML form
when an index serves only that.  The index URL follows pip: ``--index-url``,
else ``PIP_INDEX_URL``, else ``index-url`` in pip's configuration files, else
https://pypi.org/simple/.  Every file is downloaded through the
content-addressed cache and checked against the digest the index lists.

Which files: the newest version that is neither yanked nor a pre-release
(PEP 440; pre-releases only when nothing else exists; an exactly pinned
version is audited even when yanked, as pip installs it), its sdist, and one
wheel: the pure-Python one when there is one, else the one pip would install
on this machine, else the most common platform's.  ``max_wheels`` adds more,
each with a different tag set.  The repository candidates are read from the
wheel's ``METADATA`` (or the sdist's ``PKG-INFO``), so they work with any index.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from packaging.tags import Tag, sys_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from chainsight.errors import ChainsightError
from chainsight.registry.cache import OfflineMiss
from chainsight.registry.fetched import FetchedFile, FetchedPackage, RegistryOptions
from chainsight.registry.http import NotFoundError, redact_url
from chainsight.registry.repo_urls import rank_candidates
from chainsight.registry.target import Ecosystem, PackageTarget
from chainsight.sources.pymetadata import CoreMetadata, read_core_metadata

DEFAULT_INDEX_URL = "https://pypi.org/simple/"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
ACCEPT = f"{SIMPLE_JSON}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
INDEX_MAX_AGE = 600.0
"""Seconds an index page is reused without asking again (PyPI serves max-age=600)."""
SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar")


class PackageNotFoundError(ChainsightError):
    """The index has no such project, or no such version of it."""


@dataclass(frozen=True)
class IndexFile:
    """One file listed on a project's index page."""

    filename: str
    url: str
    hashes: dict[str, str]
    yanked: str | None
    """None when not yanked, else the reason (possibly empty)."""
    kind: str
    """``sdist``, ``wheel`` or ``other`` (eggs, installers)."""
    version: Version | None
    tags: frozenset[Tag] = field(default_factory=frozenset)


# -- index URL (pip's conventions) -------------------------------------------------


def pip_index_url(explicit: str | None = None) -> str:
    """``--index-url``, else ``PIP_INDEX_URL``, else pip's config files, else PyPI."""
    if explicit:
        return explicit
    env = os.environ.get("PIP_INDEX_URL")
    if env:
        return env
    for path in _pip_config_files():
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        for section in ("install", "global"):
            if parser.has_option(section, "index-url"):
                return parser.get(section, "index-url").strip()
    return DEFAULT_INDEX_URL


def _pip_config_files() -> list[Path]:
    """pip's configuration files, the one that wins first."""
    explicit = os.environ.get("PIP_CONFIG_FILE")
    if explicit == os.devnull:
        return []
    files: list[Path] = []
    if explicit:
        files.append(Path(explicit))
    if venv := os.environ.get("VIRTUAL_ENV"):
        files.append(Path(venv) / "pip.conf")
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    files += [config_home / "pip" / "pip.conf", Path.home() / ".pip" / "pip.conf"]
    dirs = os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    files += [Path(d) / "pip" / "pip.conf" for d in dirs.split(":") if d]
    files.append(Path("/etc/pip.conf"))
    return [f for f in files if f.is_file()]


# -- the index page ------------------------------------------------------------------


def project_page_url(index_url: str, name: str) -> str:
    return index_url.rstrip("/") + "/" + canonicalize_name(name) + "/"


def parse_index_page(body: bytes, page_url: str) -> list[IndexFile]:
    """Files of a PEP 691 JSON or PEP 503 HTML project page."""
    text = body.lstrip()
    if text.startswith(b"{"):
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ChainsightError(
                f"{redact_url(page_url)}: unreadable index page ({exc})"
            ) from None
        raw = doc.get("files") if isinstance(doc, dict) else None
        if not isinstance(raw, list):
            raise ChainsightError(f"{redact_url(page_url)}: index page lists no files")
        out = []
        for item in raw:
            if not isinstance(item, dict):
                continue
            filename, url = item.get("filename"), item.get("url")
            hashes = item.get("hashes") or {}
            if not isinstance(filename, str) or not isinstance(url, str):
                continue
            yanked = item.get("yanked", False)
            out.append(
                _index_file(
                    filename,
                    urllib.parse.urljoin(page_url, url),
                    {str(k): str(v) for k, v in hashes.items()} if isinstance(hashes, dict) else {},
                    None if yanked is False or yanked is None else str(yanked if yanked else ""),
                )
            )
        return out
    parser = _AnchorParser()
    try:
        parser.feed(body.decode("utf-8", "replace"))
    except Exception as exc:  # html.parser is lenient; anything else is a broken page
        raise ChainsightError(f"{redact_url(page_url)}: unreadable index page ({exc})") from None
    out = []
    for href, yanked in parser.anchors:
        url, _, fragment = urllib.parse.urljoin(page_url, href).partition("#")
        hashes = dict([fragment.split("=", 1)]) if "=" in fragment else {}
        filename = urllib.parse.unquote(url.rsplit("/", 1)[-1])
        out.append(_index_file(filename, url, hashes, yanked))
    return out


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        d = dict(attrs)
        href = d.get("href")
        if href:
            yanked = d["data-yanked"] or "" if "data-yanked" in d else None
            self.anchors.append((href, yanked))


def _index_file(filename: str, url: str, hashes: dict[str, str], yanked: str | None) -> IndexFile:
    if filename.endswith(".whl"):
        try:
            _, wheel_version, _, tags = parse_wheel_filename(filename)
            return IndexFile(filename, url, hashes, yanked, "wheel", wheel_version, tags)
        except (InvalidWheelFilename, InvalidVersion):
            return IndexFile(filename, url, hashes, yanked, "other", None)
    version = _sdist_version(filename)
    if version is not None:
        return IndexFile(filename, url, hashes, yanked, "sdist", version)
    return IndexFile(filename, url, hashes, yanked, "other", None)


def _sdist_version(filename: str) -> Version | None:
    try:
        return parse_sdist_filename(filename)[1]
    except (InvalidSdistFilename, InvalidVersion):
        pass
    lower = filename.lower()
    suffix = next((s for s in SDIST_SUFFIXES if lower.endswith(s)), None)
    if suffix is None:
        return None
    _, sep, version = filename[: -len(suffix)].rpartition("-")
    if not sep:
        return None
    try:
        return Version(version)
    except InvalidVersion:
        return None


# -- choosing what to audit --------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    version: str
    sdist: IndexFile | None
    wheels: tuple[IndexFile, ...]
    wheel_count: int
    notes: tuple[str, ...]


def choose_release(
    files: list[IndexFile], target: PackageTarget, index: str, max_wheels: int = 1
) -> Choice:
    by_version: dict[Version, list[IndexFile]] = {}
    for f in files:
        if f.version is not None and f.kind in ("sdist", "wheel"):
            by_version.setdefault(f.version, []).append(f)
    notes: list[str] = []
    if target.version is not None:
        try:
            wanted = Version(target.version)
        except InvalidVersion:
            raise PackageNotFoundError(
                f"{target}: {target.version!r} is not a PEP 440 version"
            ) from None
        if wanted not in by_version:
            newest = _newest(by_version)
            hint = f"; newest is {newest}" if newest else ""
            raise PackageNotFoundError(
                f"{target}: no such version on {redact_url(index)} "
                f"({len(by_version)} versions listed{hint})"
            )
        version = next(v for v in by_version if v == wanted)  # the index's spelling
        chosen = by_version[version]
        if all(f.yanked is not None for f in chosen):
            reason = next((f.yanked for f in chosen if f.yanked), "")
            notes.append(
                f"version {version} is yanked"
                + (f" ({reason})" if reason else "")
                + "; audited because it was asked for by exact version"
            )
    else:
        live = {v: fs for v, fs in by_version.items() if any(f.yanked is None for f in fs)}
        if not live:
            raise PackageNotFoundError(
                f"{target}: {redact_url(index)} lists no installable release"
                + (" (every version is yanked)" if by_version else "")
            )
        finals = [v for v in live if not v.is_prerelease]
        version = max(finals) if finals else max(live)
        if not finals:
            notes.append(f"only pre-releases exist; audited the newest, {version}")
        chosen = [f for f in live[version] if f.yanked is None]
    sdists = sorted(
        (f for f in chosen if f.kind == "sdist"),
        key=lambda f: (not f.filename.endswith(".tar.gz"), f.filename),
    )
    wheels = [f for f in chosen if f.kind == "wheel"]
    picked = choose_wheels(wheels, max_wheels)
    if not sdists:
        notes.append("no sdist is published for this version: nothing to compare the wheel with")
    if len(sdists) > 1:
        notes.append(f"{len(sdists)} sdists are published; audited {sdists[0].filename}")
    if not wheels:
        notes.append("no wheel is published for this version")
    elif len(wheels) > len(picked):
        notes.append(
            f"{len(wheels)} wheels are published; audited "
            + ", ".join(w.filename for w in picked)
            + " ("
            + _wheel_reason(picked[0])
            + ")"
        )
    return Choice(
        str(version), sdists[0] if sdists else None, tuple(picked), len(wheels), tuple(notes)
    )


def _newest(by_version: dict[Version, list[IndexFile]]) -> Version | None:
    finals = [v for v in by_version if not v.is_prerelease]
    return max(finals or by_version) if by_version else None


def _is_pure(f: IndexFile) -> bool:
    return any(t.abi == "none" and t.platform == "any" for t in f.tags)


def _wheel_reason(f: IndexFile) -> str:
    if _is_pure(f):
        return "the pure-Python one"
    if _installable_rank(f) is not None:
        return "the one pip would install here"
    return "the most common platform's"


_SYS_TAGS: dict[Tag, int] | None = None


def _installable_rank(f: IndexFile) -> int | None:
    global _SYS_TAGS
    if _SYS_TAGS is None:
        _SYS_TAGS = {t: i for i, t in enumerate(sys_tags())}
    ranks = [_SYS_TAGS[t] for t in f.tags if t in _SYS_TAGS]
    return min(ranks) if ranks else None


def _platform_preference(f: IndexFile) -> tuple[int, int, int, int]:
    """Most common first: manylinux x86_64, then other Linux, macOS, Windows; within
    one platform the newest CPython with the regular (not free-threaded) ABI."""
    plats = " ".join(sorted(t.platform for t in f.tags))
    order = ["manylinux", "linux", "musllinux", "macosx", "win"]
    rank = next((i for i, p in enumerate(order) if p in plats), len(order))
    arch = 0 if ("x86_64" in plats or "amd64" in plats) else 1
    freethreaded = int(any(t.abi.endswith("t") for t in f.tags))
    numbers = [int(m) for t in f.tags for m in re.findall(r"^cp(\d+)$", t.interpreter)]
    return rank, arch, freethreaded, -max(numbers, default=0)


def choose_wheels(wheels: list[IndexFile], max_wheels: int = 1) -> list[IndexFile]:
    """The pure wheel, else the one pip would install here, else the most common
    platform's; then (up to ``max_wheels``) wheels with other tag sets."""
    if not wheels or max_wheels <= 0:
        return []

    def key(f: IndexFile) -> tuple[int, int, tuple[int, int, int, int]]:
        rank = _installable_rank(f)
        return (
            0 if _is_pure(f) else 1,
            rank if rank is not None else 1 << 30,
            _platform_preference(f),
        )

    ordered = sorted(wheels, key=key)
    picked: list[IndexFile] = []
    seen: set[frozenset[Tag]] = set()
    for f in ordered:
        if f.tags in seen:
            continue
        seen.add(f.tags)
        picked.append(f)
        if len(picked) >= max_wheels:
            break
    return picked


# -- the front end ----------------------------------------------------------------------


def fetch_pypi(target: PackageTarget, options: RegistryOptions) -> FetchedPackage:
    if target.ecosystem is not Ecosystem.PYPI:
        raise ValueError(f"not a PyPI target: {target}")
    index = options.pypi_index_url or DEFAULT_INDEX_URL
    page_url = project_page_url(index, target.name)
    files = _index_files(target, options, page_url, index)
    try:
        choice = choose_release(files, target, index, options.max_wheels)
    except PackageNotFoundError:
        if target.version is None or options.offline or options.client is None:
            raise
        # a version published after the cached page: ask the index again
        files = _index_files(target, options, page_url, index, max_age=0.0)
        choice = choose_release(files, target, index, options.max_wheels)
    resolved = PackageTarget(Ecosystem.PYPI, target.name, choice.version)
    fetched: list[FetchedFile] = []
    for role, f in [("sdist", choice.sdist)] + [("wheel", w) for w in choice.wheels]:
        if f is None:
            continue
        progress = options.progress(f.filename) if options.progress else None
        cached = options.cache.fetch(
            options.client, f.url, f.hashes, offline=options.offline, progress=progress
        )
        fetched.append(FetchedFile(role, f.filename, cached.path, cached.sha256, redact_url(f.url)))
    metadata, urls = _metadata_and_sources(fetched)
    metadata["index"] = redact_url(index)
    return FetchedPackage(
        target=resolved,
        files=tuple(fetched),
        source_urls=tuple(urls),
        metadata=metadata,
        notes=choice.notes,
    )


def _index_files(
    target: PackageTarget,
    options: RegistryOptions,
    page_url: str,
    index: str,
    max_age: float = INDEX_MAX_AGE,
) -> list[IndexFile]:
    try:
        body = options.cache.document(
            options.client, page_url, offline=options.offline, max_age=max_age, accept=ACCEPT
        )
    except NotFoundError:
        raise PackageNotFoundError(
            f"{target}: no project named {target.name!r} on {redact_url(index)}"
        ) from None
    except OfflineMiss:
        raise OfflineMiss(
            f"{target}: the index page {redact_url(page_url)} is not in the cache and --offline "
            "was given"
        ) from None
    return parse_index_page(body, page_url)


def _metadata_and_sources(files: Iterable[FetchedFile]) -> tuple[dict[str, str], list[str]]:
    """Metadata worth showing and repository candidates: the wheel's METADATA first."""
    ordered = sorted(files, key=lambda f: f.role != "wheel")
    metadata: dict[str, str] = {}
    for f in ordered:
        core = read_core_metadata(f.path, f.filename)
        if core is None:
            continue
        urls = candidates_from_metadata(core)
        if not metadata:
            metadata = _display_metadata(core, f.filename)
        if urls:
            return metadata, urls
    return metadata, []


def candidates_from_metadata(core: CoreMetadata) -> list[str]:
    labelled = list(core.project_urls.items())
    if core.home_page:
        labelled.append(("Homepage", core.home_page))
    if core.download_url:
        labelled.append(("Download", core.download_url))
    return rank_candidates(labelled)


def _display_metadata(core: CoreMetadata, filename: str) -> dict[str, str]:
    out = {"metadata-from": filename}
    if core.home_page:
        out["Home-page"] = core.home_page
    for label, url in core.project_urls.items():
        out[f"Project-URL {label}"] = url
    return out
