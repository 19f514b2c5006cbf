"""``chainsight audit -r FILE`` / several targets: collect, run, render, exit code.

Called from the ``audit`` command in cli.py, which stays thin.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from chainsight.batch.results import BatchItem, TargetResult, TargetStatus
from chainsight.batch.runner import DEFAULT_TIMEOUT, AuditFunction, WorkerKind, run_batch
from chainsight.batch.store import ResultStore
from chainsight.depsets import DepsetFormat, read_depset
from chainsight.errors import ChainsightError, UsageError
from chainsight.model import Severity
from chainsight.registry.target import looks_like_target, parse_target


@dataclass(frozen=True)
class BatchRequest:
    targets: tuple[str, ...] = ()
    """Package targets named on the command line (``pypi:NAME==VERSION``...)."""
    deps: tuple[Path, ...] = ()
    """Dependency-set files (``-r``)."""
    deps_format: DepsetFormat | None = None
    jobs: int | None = None
    output_format: str = "text"
    """``text``, ``json`` or ``sarif``."""
    output: Path | None = None
    fail_on: Severity | None = Severity.HIGH
    """None: never exit 1 for findings."""
    cache_dir: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)
    """Options that change a report (``ioc``, limits, indexes): part of the store key."""
    offline: bool = False
    workers: WorkerKind = WorkerKind.PROCESS
    timeout: float | None = DEFAULT_TIMEOUT
    """Seconds one target may take before it is stopped and reported (None: no limit)."""


def collect_items(request: BatchRequest) -> list[BatchItem]:
    """Targets from the command line, then each dependency set; duplicates dropped."""
    items: list[BatchItem] = []
    seen: set[str] = set()
    for text in request.targets:
        if not looks_like_target(text):
            raise UsageError(
                f"{text}: in a batch only package targets (pypi:NAME==VERSION, npm:NAME@VERSION, "
                "deb:SOURCE=VERSION) can be named; audit a local artifact on its own with --source"
            )
        target = parse_target(text)
        if str(target) not in seen:
            seen.add(str(target))
            items.append(BatchItem(str(target), target))
    for path in request.deps:
        depset = read_depset(path, request.deps_format)
        for entry in depset.entries:
            if str(entry.target) not in seen:
                seen.add(str(entry.target))
                items.append(BatchItem(str(entry.target), entry.target, entry.origin))
        for problem in depset.problems:
            items.append(
                BatchItem(
                    problem.entry,
                    None,
                    problem.origin,
                    f"{problem.reason} ({problem.origin})",
                )
            )
    return items


def run_batch_command(
    request: BatchRequest,
    audit: AuditFunction | None = None,
    *,
    stderr: IO[str] | None = None,
    progress: bool | None = None,
) -> int:
    """Run the batch and write its output; return the exit code (0, 1 or 2).

    ``progress``: show a progress bar on ``stderr`` (default: when it is a tty).
    """
    err = stderr if stderr is not None else sys.stderr
    items = collect_items(request)
    if not items:
        raise UsageError(
            "nothing to audit: no package targets and no entries in the dependency sets"
        )
    if audit is None:
        from chainsight.batch.registry_audit import RegistryAudit

        known = (
            "index_url",
            "npm_registry",
            "debian_mirror",
            "ioc",
            "find_source",
            "max_members",
            "max_total_bytes",
        )
        settings = {k: v for k, v in request.options.items() if k in known}
        audit = RegistryAudit(cache_dir=request.cache_dir, offline=request.offline, **settings)
    from chainsight.sources.git import default_cache_dir

    store = ResultStore((request.cache_dir or default_cache_dir()) / "batch", request.options)
    show = err.isatty() if progress is None else progress
    with _Progress(err, len(items), show) as advance:
        outcome = run_batch(
            items,
            audit,
            store,
            jobs=request.jobs,
            workers=request.workers,
            on_result=advance,
            timeout=request.timeout,
        )
    results = outcome.results
    _write_output(request, results, store, outcome.reused)
    audited = sum(r.status is not TargetStatus.ERROR for r in results)
    line = (
        f"chainsight: {len(results)} targets: {audited} audited "
        f"({outcome.reused} reused from an earlier run, {store.root}), "
        f"{len(results) - audited} not audited"
    )
    print(line, file=err)
    if audited == 0:
        print(f"chainsight: error: none of the {len(results)} targets could be audited", file=err)
        return 2
    if request.fail_on is not None and any(_at_or_above(r, request.fail_on) for r in results):
        return 1
    return 0


def _at_or_above(result: TargetResult, threshold: Severity) -> bool:
    return any(
        n and Severity(sev).rank >= threshold.rank for sev, n in result.findings_by_severity.items()
    )


def _write_output(
    request: BatchRequest, results: Sequence[TargetResult], store: ResultStore, reused: int
) -> None:
    if request.output is None:
        _render(
            request,
            results,
            store,
            reused,
            sys.stdout,
            color=None if sys.stdout.isatty() else False,
        )
        return
    try:
        fh = request.output.open("w", encoding="utf-8")
    except OSError as exc:
        raise ChainsightError(f"cannot write {request.output}: {exc.strerror or exc}") from None
    with fh:
        _render(request, results, store, reused, fh, color=False)


def _render(
    request: BatchRequest,
    results: Sequence[TargetResult],
    store: ResultStore,
    reused: int,
    fh: IO[str],
    *,
    color: bool | None,
) -> None:
    from chainsight.batch import output

    if request.output_format == "json":
        output.write_json(results, store, fh)
    elif request.output_format == "sarif":
        output.write_sarif(results, store, fh)
    else:
        output.write_table(results, fh, reused=reused, color=color)


class _Progress:
    """A rich progress bar on stderr (only when asked); yields the per-result callback."""

    def __init__(self, err: IO[str], total: int, enabled: bool) -> None:
        self._err, self._total, self._enabled = err, total, enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if not self._enabled:
            return None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(file=self._err, force_terminal=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("auditing", total=self._total)
        return self._advance

    def _advance(self, result: TargetResult) -> None:
        self._bar.update(self._task, advance=1, description=f"{result.target[:40]:40}")

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
