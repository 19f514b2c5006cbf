"""The package audit: a registry target (or a local wheel + sdist) -> AuditReport.

1. fetch the release through the ecosystem's front end (verified files);
2. run the ecosystem's checks that need no repository;
3. find the source (``--source``, else the metadata's candidates) and the ref;
4. run the release audit (:func:`chainsight.audit.audit`) on the release file
   (sdist, npm tarball, ``.dsc``) against it, and merge both results.

When no repository can be used, the report carries every no-repository
finding, ``source: null`` and ``partial: true`` with the reason.

Front ends are named by import path so that an ecosystem whose module is not
installed fails with one clear line, and wiring one in is a table entry.
"""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from chainsight.errors import UsageError
from chainsight.limits import Limits
from chainsight.model import (
    ArtifactInfo,
    AuditReport,
    Finding,
    PackageFile,
    PackageInfo,
    SourceDiscovery,
    Summary,
    count_by_severity,
)
from chainsight.registry.fetched import FetchedFile, FetchedPackage, RegistryOptions
from chainsight.registry.target import Ecosystem, PackageTarget

Fetch = Callable[[PackageTarget, RegistryOptions], FetchedPackage]
PackageChecks = Callable[[FetchedPackage], list[Finding]]


@dataclass(frozen=True)
class FrontEnd:
    fetch: str
    """``module:function`` -> :data:`Fetch`."""
    checks: str
    """``module:function`` -> :data:`PackageChecks` (the checks that need no repository)."""
    release_roles: tuple[str, ...]
    """Roles of the file compared with the repository, in order of preference."""


FRONT_ENDS: dict[Ecosystem, FrontEnd] = {
    Ecosystem.PYPI: FrontEnd(
        "chainsight.registry.pypi:fetch_pypi",
        "chainsight.analyzers.wheel_vs_sdist:pypi_package_findings",
        ("sdist", "wheel"),
    ),
    Ecosystem.NPM: FrontEnd(
        "chainsight.registry.npm:fetch_npm",
        "chainsight.analyzers.npm_package:npm_package_findings",
        ("npm-tarball",),
    ),
    Ecosystem.DEB: FrontEnd(
        "chainsight.registry.debian:fetch_deb",
        "chainsight.analyzers.debian_package:debian_package_findings",
        ("dsc",),
    ),
}


def _load(spec: str, ecosystem: Ecosystem) -> Any:
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise UsageError(f"{ecosystem.value}: targets are not supported yet") from None
        raise
    try:
        return getattr(module, attr)
    except AttributeError:
        raise UsageError(f"{ecosystem.value}: targets are not supported yet") from None


def front_end(ecosystem: Ecosystem) -> tuple[Fetch, PackageChecks, tuple[str, ...]]:
    fe = FRONT_ENDS.get(ecosystem)
    if fe is None:
        raise UsageError(f"{ecosystem.value}: targets are not supported yet")
    return _load(fe.fetch, ecosystem), _load(fe.checks, ecosystem), fe.release_roles


@dataclass(frozen=True)
class PackageAuditOptions:
    """How the package audit runs, beyond where the files come from."""

    source: str | None = None
    """``--source``: a local repository or URL; None: look it up in the metadata."""
    ref: str | None = None
    source_subdir: str | None = None
    find_source: bool = True
    """False: run only the checks that need no repository (the report is partial)."""
    limits: Limits = field(default_factory=Limits)
    repo_cache_dir: Path | None = None
    ioc: bool = True


def audit_target(
    target: PackageTarget,
    options: RegistryOptions,
    audit_options: PackageAuditOptions | None = None,
    *,
    on_ref: Callable[[str], None] | None = None,
) -> AuditReport:
    """Fetch ``target`` and audit it (see the module docstring)."""
    fetch, checks, roles = front_end(target.ecosystem)
    package = fetch(target, options)
    return audit_package(package, checks, roles, audit_options or PackageAuditOptions(), on_ref)


def audit_local_pair(
    wheel: Path, sdist: Path, audit_options: PackageAuditOptions | None = None
) -> AuditReport:
    """``chainsight audit WHEEL --sdist SDIST``: the PyPI checks on local files."""
    package = local_python_package(wheel, sdist)
    _, checks, roles = front_end(Ecosystem.PYPI)
    return audit_package(package, checks, roles, audit_options or PackageAuditOptions())


def local_python_package(wheel: Path, sdist: Path) -> FetchedPackage:
    from chainsight.registry.pypi import candidates_from_metadata
    from chainsight.sources.archive import sha256_file
    from chainsight.sources.pymetadata import read_core_metadata
    from chainsight.sources.refs import parse_release_name

    for p in (wheel, sdist):
        if not p.is_file():
            raise UsageError(f"{p} does not exist or is not a file")
    if not wheel.name.endswith(".whl"):
        raise UsageError(f"{wheel.name} is not a wheel (.whl); --sdist goes with a wheel")
    release = parse_release_name(wheel.name)
    if release is None:
        raise UsageError(f"{wheel.name}: not a wheel file name (NAME-VERSION-TAGS.whl)")
    files = tuple(
        FetchedFile(role, p.name, p, sha256_file(p), p.resolve().as_uri())
        for role, p in (("sdist", sdist), ("wheel", wheel))
    )
    urls: list[str] = []
    for p in (wheel, sdist):
        core = read_core_metadata(p, p.name)
        if core is not None:
            urls = candidates_from_metadata(core)
            if urls:
                break
    return FetchedPackage(
        PackageTarget(Ecosystem.PYPI, release.name, release.version), files, tuple(urls)
    )


def audit_package(
    package: FetchedPackage,
    checks: PackageChecks,
    release_roles: tuple[str, ...],
    options: PackageAuditOptions,
    on_ref: Callable[[str], None] | None = None,
) -> AuditReport:
    package_findings = checks(package)
    release_file = next(
        (f for role in release_roles for f in package.files if f.role == role), None
    )
    if release_file is None:
        raise UsageError(f"{package.target}: the registry published nothing to audit")
    found = None
    if options.find_source:
        from chainsight.registry.source_discovery import find_source

        found, discovery = find_source(
            package, source=options.source, ref=options.ref, cache_dir=options.repo_cache_dir
        )
    else:
        discovery = SourceDiscovery("skipped", reason="no source compared (--no-source)")
    info = _package_info(package, discovery)
    if found is None:
        return _without_source(release_file, package_findings, info, discovery)
    from chainsight.audit import AuditRequest, audit

    if on_ref is not None:
        on_ref(f"{found.display} @ {found.ref}")
    with _named_release_file(release_file, package.files) as artifact:
        report = audit(
            AuditRequest(
                artifact,
                found.location,
                found.ref,
                options.source_subdir or _registry_subdir(package, options),
                options.limits,
                options.repo_cache_dir,
                ioc=options.ioc,
                artifact_name=release_file.filename,
            )
        )
    findings = _merge(package_findings, list(report.findings))
    source = report.source
    if source is not None:
        source = replace(source, repo=found.display)
    return replace(
        report,
        source=source,
        findings=tuple(findings),
        summary=replace(report.summary, findings_by_severity=count_by_severity(findings)),
        package=info,
    )


def _registry_subdir(package: FetchedPackage, options: PackageAuditOptions) -> str | None:
    """The monorepo directory the registry names (npm ``repository.directory``), unless
    the user chose the repository: then only ``--source-subdir`` counts."""
    if options.source is not None:
        return None
    return package.metadata.get("source_subdir") or None


@contextmanager
def _named_release_file(release: FetchedFile, files: tuple[FetchedFile, ...]) -> Iterator[Path]:
    """The release file under its registry name when the audit reads neighbours by
    name (a ``.dsc`` names its tarballs); else the cached file as it is."""
    if release.role != "dsc":
        yield release.path
        return
    with tempfile.TemporaryDirectory(prefix="chainsight-pkg-") as tmp:
        for f in files:
            link = Path(tmp) / Path(f.filename).name
            if not link.exists():
                link.symlink_to(f.path.resolve())
        yield Path(tmp) / Path(release.filename).name


def _without_source(
    release: FetchedFile,
    findings: list[Finding],
    info: PackageInfo,
    discovery: SourceDiscovery,
) -> AuditReport:
    from chainsight.sources.archive import describe_kind

    ordered = _merge(findings, [])
    kind = "npm" if release.role == "npm-tarball" else describe_kind(Path(release.filename))
    return AuditReport(
        artifact=ArtifactInfo(release.filename, release.sha256, kind),
        source=None,
        files=(),
        findings=tuple(ordered),
        summary=Summary(0, 0, 0, 0, 0, 0, count_by_severity(ordered)),
        partial=True,
        errors=(discovery.reason or "no source compared",),
        package=info,
    )


def _merge(package_findings: list[Finding], release_findings: list[Finding]) -> list[Finding]:
    """Both lists, without the release audit's copy of an archive anomaly the package
    checks already reported (they prefix paths with the file name)."""
    seen = {(f.rule_id, f.path.split("/", 1)[-1], f.message) for f in package_findings}
    merged = list(package_findings)
    for f in release_findings:
        if f.rule_id.startswith("archive-") and (f.rule_id, f.path, f.message) in seen:
            continue
        merged.append(f)
    merged.sort(key=lambda f: (-f.severity.rank, f.path, f.rule_id))
    return merged


def _package_info(package: FetchedPackage, discovery: SourceDiscovery) -> PackageInfo:
    t = package.target
    return PackageInfo(
        target=str(t),
        ecosystem=t.ecosystem.value,
        name=t.name,
        version=t.version or "",
        files=tuple(PackageFile(f.role, f.filename, f.sha256, f.url) for f in package.files),
        source=discovery,
        source_candidates=package.source_urls,
        metadata=tuple(package.metadata.items()),
        notes=package.notes,
    )
