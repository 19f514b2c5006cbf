"""The release audit: artifact + repository at a tag -> AuditReport.

1. open the repository (read through objects only) and resolve the tag;
2. load the tag's tree: path -> blob id, no content;
3. stream the artifact, hashing members as git blobs, keeping only the content
   of members whose blob the repository lacks;
4. compare ids, explain every difference, rate what nothing explains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chainsight.errors import UsageError
from chainsight.limits import Limits
from chainsight.model import (
    ArtifactInfo,
    AuditReport,
    Evidence,
    Finding,
    Severity,
    SourceInfo,
    Status,
    Summary,
    count_by_severity,
)
from chainsight.sources.archive import (
    ArchiveContents,
    MemberSink,
    describe_kind,
    read_archive,
    sha256_file,
)
from chainsight.sources.git import Repository
from chainsight.sources.refs import ReleaseName, derive_ref, parse_release_name
from chainsight.trees import Entry

ProgressFactory = Callable[[str, int], Callable[[int], None]]
"""Given a label and a total byte count, returns a callback taking bytes done."""


@dataclass(frozen=True)
class AuditRequest:
    artifact: Path
    source: str
    ref: str | None = None
    source_subdir: str | None = None
    limits: Limits = field(default_factory=Limits)
    cache_dir: Path | None = None
    ioc: bool = True
    """Run the ioc-* rules (published indicators of known incidents)."""
    artifact_name: str | None = None
    """The artifact's real file name when ``artifact`` is stored under another one
    (the download cache keeps files by digest): used for the release name, the
    kind and the report."""


@dataclass
class _Artifact:
    contents: ArchiveContents
    kind: str
    release: ReleaseName | None
    findings: list[Finding]


def audit(
    request: AuditRequest,
    *,
    progress: ProgressFactory | None = None,
    on_ref: Callable[[str], None] | None = None,
) -> AuditReport:
    path = request.artifact
    if not path.exists():
        raise UsageError(f"artifact {path} does not exist")
    if not path.is_file():
        raise UsageError(f"artifact {path} is not a file")
    name = request.artifact_name or path.name
    release = _release_of(path, name)
    from chainsight.analyzers.configure_check import (
        configure_code_findings,
        configure_command_findings,
        is_configure_input,
    )
    from chainsight.analyzers.prescan import Job, Prescan

    kind = describe_kind(Path(name))
    is_dsc = kind == "dsc"
    # The second core: a worker forked now, before any thread, is handed build files
    # while the artifact is read, and runs the configure check once it has been. (A
    # wheel has no top-level directory to strip, and a .dsc's members are handed over
    # once its tarballs are read, under their final paths.)
    prescan = Prescan(
        {
            "configure-code": Job(configure_code_findings, is_configure_input),
            "configure-commands": Job(configure_command_findings, is_configure_input),
        },
        guess_paths=kind not in ("dsc", "wheel"),
    )
    with prescan:  # the worker is stopped if anything here fails before it reports
        prescan.start(_bytes_to_read(path, is_dsc))
        repo = Repository.open(request.source, request.cache_dir)
        if request.ref:
            ref = request.ref
        else:
            ref = derive_ref(_name_for_ref(name, release), repo.tag_names())
            if on_ref is not None:
                on_ref(ref)
        resolved = repo.resolve(ref)
        source = repo.tree_at(resolved.commit, request.source_subdir)
        source_blobs = {e.blob_id for e in source.entries()}
        prescan.known(source_blobs)
        # Read the artifact now that the tree is known: only what the repository lacks
        # is kept. (Reading it in a thread while the repository opens gained nothing:
        # the two share the interpreter lock, and the read slowed by as much.)
        art = _read_artifact(
            path,
            name,
            request.limits,
            lambda blob_id: blob_id not in source_blobs,
            release,
            progress,
            None if is_dsc else prescan,
        )
        artifact_sha256 = sha256_file(path)
        from chainsight.analyzers.build_code import build_code_findings, opaque_paths
        from chainsight.analyzers.compare import compare_trees
        from chainsight.analyzers.context import AuditContext
        from chainsight.analyzers.explain import explain_all
        from chainsight.analyzers.findings import anomaly_findings, record_findings
        from chainsight.analyzers.opaque import analyse_blobs, blob_findings, indicator_findings
        from chainsight.analyzers.provenance import check_provenance, drop_superseded

        kept = art.contents.content  # only what the repository lacks

        def fallback(entry: Entry) -> bytes | None:
            return repo.read_blob(entry.blob_id) if entry.blob_id in source_blobs else None

        artifact_tree = art.contents.tree(fallback)
        comparison = compare_trees(artifact_tree, source)
        ctx = AuditContext(artifact_tree, source, repo, resolved.commit, art.release, art.kind)
        blobs = opaque_paths(ctx)
        shipped = [d.path for d in comparison.differences if d.status is not Status.SOURCE_ONLY]
        changed = {
            d.path: data
            for d in comparison.differences
            if d.status in (Status.ARTIFACT_ONLY, Status.MODIFIED)
            and (data := artifact_tree.read(d.path)) is not None
        }
        # what this process can read: the content kept, and what git has
        readable = set(kept) | source_blobs
        prescan.finish(ctx, changed, art.contents.stripped_prefix, readable, offer_changed=is_dsc)
        explained = explain_all(ctx, comparison.differences)
        early = prescan.early()
        records, prov_findings = check_provenance(ctx, explained, early.lookups)
        recorded = record_findings(ctx, records)  # here, while the worker still scans
        blob_reports = analyse_blobs(ctx, blobs, early.blob_reports)
        ioc_findings = (
            indicator_findings(ctx, list(dict.fromkeys(shipped + blobs)), name, artifact_sha256)
            if request.ioc
            else []
        )
        scanned = prescan.results()
    code_findings = build_code_findings(ctx, records, blobs, scanned.signals)
    readers: dict[str, list[str]] = {}
    for f in code_findings:
        for rel in f.related:
            readers.setdefault(rel.path, []).append(f.path)
    specific = (
        prov_findings
        + code_findings
        + blob_findings(ctx, blobs, readers, blob_reports)
        + scanned.jobs["configure-commands"]
        + scanned.jobs["configure-code"]
        + ioc_findings
    )
    findings = (
        art.findings
        + anomaly_findings(art.contents.anomalies)
        + drop_superseded(recorded, specific)
        + specific
    )
    findings.sort(key=lambda f: (-f.severity.rank, f.path, f.rule_id))
    summary = Summary(
        files_artifact=artifact_tree.count_files(),
        files_source=source.count_files(),
        identical=comparison.identical,
        artifact_only=sum(1 for d in comparison.differences if d.status is Status.ARTIFACT_ONLY),
        source_only=sum(1 for d in comparison.differences if d.status is Status.SOURCE_ONLY),
        modified=sum(1 for d in comparison.differences if d.status is Status.MODIFIED),
        findings_by_severity=count_by_severity(findings),
    )
    return AuditReport(
        artifact=ArtifactInfo(request.artifact_name or str(path), artifact_sha256, art.kind),
        source=SourceInfo(repo.display, ref, resolved.commit, request.source_subdir),
        files=tuple(records),
        findings=tuple(findings),
        summary=summary,
        partial=bool(art.contents.partial_reasons),
        errors=tuple(art.contents.partial_reasons),
    )


def _release_of(path: Path, name: str) -> ReleaseName | None:
    if name.endswith(".dsc"):
        from chainsight.sources.dsc import read_dsc

        dsc = read_dsc(path)
        return ReleaseName(dsc.source, dsc.upstream_version)
    return parse_release_name(name)


def _bytes_to_read(path: Path, is_dsc: bool) -> int:
    """The size of what the audit will decompress: for a .dsc, its tarballs."""
    if not is_dsc:
        return path.stat().st_size
    from debian.deb822 import Dsc

    try:
        with path.open("rb") as fh:
            files = Dsc(fh).get("Checksums-Sha256") or []
        return sum(int(item.get("size") or 0) for item in files)  # as the .dsc declares
    except (OSError, ValueError):
        return 0


def _name_for_ref(name: str, release: ReleaseName | None) -> str:
    if release is not None and name.endswith(".dsc"):
        return f"{release.name}-{release.version}.tar.gz"
    return name


def _read_artifact(
    path: Path,
    name: str,
    limits: Limits,
    want: Callable[[str], bool],
    release: ReleaseName | None,
    progress: ProgressFactory | None,
    sink: MemberSink | None = None,
) -> _Artifact:
    kind = describe_kind(Path(name))
    if kind == "dsc":
        return _read_dsc(path, limits, want, release, progress)
    cb = progress(name, path.stat().st_size) if progress else None
    contents = read_archive(
        path,
        limits=limits,
        want_content=want,
        want_sha256=kind == "wheel",
        progress=cb,
        sink=sink,
    )
    if (
        kind == "tar"
        and contents.stripped_prefix == "package"
        and "package.json" in contents.entries
    ):
        kind = "npm"
    findings: list[Finding] = []
    if kind == "wheel":
        findings += wheel_record_findings(contents)
    return _Artifact(contents, kind, release, findings)


def _read_dsc(
    path: Path,
    limits: Limits,
    want: Callable[[str], bool],
    release: ReleaseName | None,
    progress: ProgressFactory | None,
) -> _Artifact:
    from chainsight.sources.dsc import read_dsc

    dsc = read_dsc(path)
    merged = ArchiveContents()
    findings: list[Finding] = []
    for tarball in dsc.tarballs:
        if tarball.expected_sha256 and tarball.expected_sha256 != tarball.actual_sha256:
            findings.append(
                Finding(
                    "dsc-checksum-mismatch",
                    Severity.HIGH,
                    tarball.path.name,
                    "Upstream tarball does not match the checksum in the .dsc",
                    "The tarball next to the .dsc is not the one the Debian source package names.",
                    (
                        Evidence(None, f"expected sha256 {tarball.expected_sha256}"),
                        Evidence(None, f"actual   sha256 {tarball.actual_sha256}"),
                    ),
                )
            )
        cb = progress(tarball.path.name, tarball.path.stat().st_size) if progress else None
        part = read_archive(tarball.path, limits=limits, want_content=want, progress=cb)
        prefix = f"{tarball.component}/" if tarball.component else ""
        for p, e in part.entries.items():
            new = prefix + p
            merged.entries[new] = Entry(new, e.kind, e.blob_id, e.size, e.executable, e.link_target)
        merged.content.update(part.content)
        merged.anomalies += part.anomalies
        merged.partial_reasons += [f"{tarball.path.name}: {r}" for r in part.partial_reasons]
    return _Artifact(merged, "dsc", release, findings)


def wheel_record_findings(contents: ArchiveContents) -> list[Finding]:
    record = next((p for p in contents.entries if p.endswith(".dist-info/RECORD")), None)
    if record is None:
        return [
            Finding(
                "wheel-record-missing",
                Severity.MEDIUM,
                "*.dist-info/RECORD",
                "Wheel has no RECORD",
                "Without RECORD, installers cannot check that "
                "the wheel's files are the ones its builder wrote.",
            )
        ]
    entry = contents.entries[record]
    data = contents.content.get(entry.blob_id)
    if data is None:
        return []
    from chainsight.analyzers.explain.python import wheel_record_problems

    problems = wheel_record_problems(data.decode("utf-8", "replace"), contents.sha256)
    if not problems:
        return []
    return [
        Finding(
            "wheel-record-mismatch",
            Severity.HIGH,
            record,
            "Wheel members disagree with its RECORD",
            "Files were added or changed after the wheel was built: the installer would not "
            "notice, but RECORD no longer describes the contents.",
            tuple(Evidence(None, p) for p in problems[:8]),
        )
    ]
