"""Result types shared by every part of chainsight.

Everything here is a frozen dataclass or an enum: analyzers return these,
formatters render them, nothing mutates them after creation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding should worry a maintainer deciding whether to ship."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Status(StrEnum):
    """How a path of the artifact relates to the source tree."""

    ARTIFACT_ONLY = "artifact_only"
    SOURCE_ONLY = "source_only"
    MODIFIED = "modified"
    RELOCATED = "relocated"
    SUBMODULE = "submodule"


class Category(StrEnum):
    """Which generator or process explains a difference (see docs/rules.md)."""

    AUTOTOOLS_OUTPUT = "autotools_output"
    AUTOTOOLS_AUX = "autotools_aux"
    M4_MACRO = "m4_macro"
    GETTEXT_CATALOG = "gettext_catalog"
    GETTEXT_PO = "gettext_po"
    GETTEXT_BOILERPLATE = "gettext_boilerplate"
    PYTHON_METADATA = "python_metadata"
    BUILD_BACKEND_REWRITE = "build_backend_rewrite"
    GENERATED_SETUP = "generated_setup"
    VERSION_FILE = "version_file"
    RELEASE_STAMPING = "release_stamping"
    NPM_PUBLISH = "npm_publish"
    CARGO_PACKAGE = "cargo_package"
    COMPILED_OUTPUT = "compiled_output"
    BUILD_OUTPUT = "build_output"
    TEMPLATE_INSTANCE = "template_instance"
    EMPTY_FILE = "empty_file"
    RENDERED_DOCS = "rendered_docs"
    CHANGELOG = "changelog"
    VCS_EXCLUDED = "vcs_excluded"
    EXPORT_IGNORE = "export_ignore"
    EXPORT_SUBST = "export_subst"
    LINE_ENDINGS = "line_endings"
    SYMLINK_COPY = "symlink_copy"
    SUBMODULE = "submodule"
    VENDORED = "vendored"
    RELOCATED = "relocated"
    OMITTED = "omitted"
    UNEXPLAINED = "unexplained"


@dataclass(frozen=True)
class Evidence:
    """One line shown as evidence for a finding."""

    line: int | None
    """1-based line number in the finding's path, or None when not line-based."""
    text: str
    """The line (or a short description of the evidence), truncated for display."""


@dataclass(frozen=True)
class Related:
    """Another file involved in a finding."""

    path: str
    role: str
    """What the file is to the finding, e.g. ``source-version`` or ``link-target``."""


@dataclass(frozen=True)
class Finding:
    """Something a reviewer must look at, with the evidence to judge it."""

    rule_id: str
    """Stable identifier documented in docs/rules.md."""
    severity: Severity
    path: str
    title: str
    message: str
    """One sentence: why this matters."""
    evidence: tuple[Evidence, ...] = ()
    related: tuple[Related, ...] = ()


@dataclass(frozen=True)
class FileRecord:
    """A path that is not byte-identical between artifact and source, explained."""

    path: str
    status: Status
    category: Category
    verified: bool
    """True when the explanation was checked against content, not just the name."""
    build_time: bool
    """True when the file runs (or is read as code) at build or install time."""
    explanation: str
    source_path: str | None = None
    """For relocated files: where the same content lives in the source tree."""
    provenance: str | None = None
    """For build-system files: verified-upstream, known-name-unknown-content,
    serial-above-known or unknown (see docs/rules.md)."""


@dataclass(frozen=True)
class ArtifactInfo:
    path: str
    sha256: str
    kind: str
    """One of tar, zip, wheel, npm, dsc."""


@dataclass(frozen=True)
class SourceInfo:
    repo: str
    ref: str
    commit: str
    subdir: str | None = None


@dataclass(frozen=True)
class Summary:
    files_artifact: int
    files_source: int
    identical: int
    artifact_only: int
    source_only: int
    modified: int
    findings_by_severity: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PackageFile:
    """A file a registry published for the audited release, as downloaded."""

    role: str
    """``sdist``, ``wheel``, ``npm-tarball``, ``dsc``, ``orig``, ... (see registry.fetched)."""
    filename: str
    sha256: str
    url: str


@dataclass(frozen=True)
class SourceAttempt:
    """One repository candidate tried while looking for the source."""

    url: str
    outcome: str
    """``used``, or why it was not: unreachable host, clone failed, no matching tag..."""


@dataclass(frozen=True)
class SourceDiscovery:
    """How the repository and ref the release was compared with were found."""

    status: str
    """``given`` (--source), ``found`` (from the metadata), ``not-found`` (no candidate
    worked), ``unreachable`` (every candidate's host failed), ``skipped`` (not looked up)."""
    repo: str | None = None
    ref: str | None = None
    ref_from: str | None = None
    """``--ref``, ``tag`` (derived from the version) or a hint such as ``gitHead``."""
    attempts: tuple[SourceAttempt, ...] = ()
    reason: str | None = None
    """Why no repository was used, when none was."""


@dataclass(frozen=True)
class PackageInfo:
    """The registry release an audit was made of (absent for a plain file audit)."""

    target: str
    """``pypi:NAME==VERSION`` etc., version resolved."""
    ecosystem: str
    name: str
    version: str
    files: tuple[PackageFile, ...]
    source: SourceDiscovery
    source_candidates: tuple[str, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditReport:
    """The whole result of ``chainsight audit``."""

    artifact: ArtifactInfo
    source: SourceInfo | None
    """None when no repository was compared (a package audit without one: partial)."""
    files: tuple[FileRecord, ...]
    findings: tuple[Finding, ...]
    summary: Summary
    partial: bool
    errors: tuple[str, ...]
    package: PackageInfo | None = None

    def worst_severity(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    def has_finding_at_or_above(self, threshold: Severity) -> bool:
        return any(f.severity.rank >= threshold.rank for f in self.findings)


def count_by_severity(findings: tuple[Finding, ...] | list[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        counts[f.severity.value] += 1
    return counts
