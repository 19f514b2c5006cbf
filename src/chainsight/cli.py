"""Command line: parse, call, render. No analysis logic lives here.

No ``from __future__ import annotations`` here: typer reads every command's
annotations when the command runs, and evaluating them from strings (about 190)
cost 4.5 ms of every start.
"""

import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from chainsight import __version__
from chainsight.depsets.interface import DepsetFormat
from chainsight.errors import ChainsightError, UsageError

app = typer.Typer(
    name="chainsight",
    help=(
        "Find the telltale signs of xz-style supply-chain attacks.\n\n"
        "Start with [bold]chainsight demo[/], then audit a real release:\n\n"
        "  chainsight audit xz-5.4.1.tar.xz --source ~/src/xz\n\n"
        "or what people install, one package or a whole dependency set:\n\n"
        "  chainsight audit pypi:requests==2.32.3\n\n"
        "  chainsight audit npm:express@4.19.2\n\n"
        "  chainsight audit deb:xz-utils=5.4.1-0.2\n\n"
        "  chainsight audit -r requirements.txt -r package-lock.json\n\n"
        "and the history behind a project:\n\n"
        "  chainsight history ~/src/xz --until 2023-03-19\n\n"
        "Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 error."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)

PROGRESS_MIN_BYTES = 16 * 1024 * 1024


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


class FailOn(StrEnum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"
    never = "never"


# Options several commands share: one definition each.
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report here instead of standard output."),
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        help="Cache for downloads (downloads/) and cloned repositories (repos/) "
        "(default ~/.cache/chainsight, or $CHAINSIGHT_CACHE)."
    ),
]
FailOnOption = Annotated[
    FailOn, typer.Option(help="Exit 1 when a finding is at or above this severity.")
]
IndexUrlOption = Annotated[
    str | None,
    typer.Option(
        envvar="PIP_INDEX_URL",
        help="PyPI simple index (PEP 691 JSON or PEP 503 HTML). Default: pip's "
        "index-url setting, else https://pypi.org/simple/.",
        show_default=False,
    ),
]
NpmRegistryOption = Annotated[
    str | None,
    typer.Option(
        envvar=["npm_config_registry", "NPM_CONFIG_REGISTRY"],
        help="npm registry (default: .npmrc's registry, else https://registry.npmjs.org/).",
        show_default=False,
    ),
]
DebianMirrorOption = Annotated[
    str | None,
    typer.Option(
        help="Debian archive mirror (default: from the APT sources, else deb.debian.org).",
        show_default=False,
    ),
]
OfflineOption = Annotated[
    bool,
    typer.Option(help="Use only what the download cache holds; never reach a registry."),
]


def _fail(message: str) -> None:
    typer.echo(f"chainsight: error: {message}", err=True)
    raise typer.Exit(2)


@contextmanager
def _errors_as_one_line() -> Any:
    try:
        yield
    except ChainsightError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        typer.echo("chainsight: interrupted", err=True)
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except Exception as exc:
        if os.environ.get("CHAINSIGHT_DEBUG"):
            raise
        _fail(
            f"internal error: {type(exc).__name__}: {exc} (set CHAINSIGHT_DEBUG=1 to see "
            "the traceback, and please report it)"
        )


def _progress_factory(enabled: bool) -> Callable[[str, int], Callable[[int], None]] | None:
    if not enabled:
        return None
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    def factory(label: str, total: int) -> Callable[[int], None]:
        if total < PROGRESS_MIN_BYTES:
            return lambda _done: None
        bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            transient=True,
            console=_stderr_console(),
        )
        bar.start()
        task = bar.add_task(f"reading {label}", total=total)

        def update(done: int) -> None:
            bar.update(task, completed=done)
            if done >= total:
                bar.stop()

        return update

    return factory


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@app.command()
def audit(
    artifacts: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="TARGET_OR_FILE...",
            help="A registry release: pypi:NAME[==VERSION], npm:NAME[@VERSION] or "
            "deb:SOURCE[=VERSION], downloaded into the cache and checked against the "
            "index's hashes; or a file: .tar[.gz|.xz|.bz2|.zst], .tgz, .zip, .whl, npm .tgz, "
            "or a Debian .dsc (its upstream tarballs are audited). Several targets are "
            "audited as a batch.",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            "-s",
            help="Source repository: a local path (bare or with a work tree) "
            "or an https/ssh URL, cloned into the cache. Required for a file; for a "
            "target (or WHEEL --sdist SDIST) the default is the repository named in the "
            "package metadata.",
            show_default=False,
        ),
    ] = None,
    ref: Annotated[
        str | None,
        typer.Option(
            help="Tag or commit the release was made from. Default: derived from the artifact's "
            "name and version (v1.2.3, 1.2.3, NAME-1.2.3, ...)."
        ),
    ] = None,
    source_subdir: Annotated[
        str | None,
        typer.Option(help="Compare against this directory of the repository (monorepos)."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Report format.")
    ] = OutputFormat.text,
    output: OutputOption = None,
    fail_on: FailOnOption = FailOn.high,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every low finding with its evidence.")
    ] = False,
    max_members: Annotated[
        int | None,
        typer.Option(help="Stop after this many archive members (result marked partial)."),
    ] = None,
    max_total_bytes: Annotated[
        int | None,
        typer.Option(help="Stop after this many uncompressed bytes (result marked partial)."),
    ] = None,
    cache_dir: CacheDirOption = None,
    no_ioc: Annotated[
        bool,
        typer.Option(
            "--no-ioc",
            help="Leave out the ioc-* rules (published indicators of known incidents); "
            "the general rules do not depend on them.",
        ),
    ] = False,
    sdist: Annotated[
        Path | None,
        typer.Option(
            help="With a wheel as TARGET_OR_FILE: the sdist of the same release; every "
            "Python file of the wheel must come from it.",
            show_default=False,
        ),
    ] = None,
    index_url: IndexUrlOption = None,
    registry: NpmRegistryOption = None,
    debian_mirror: DebianMirrorOption = None,
    offline: OfflineOption = False,
    no_source: Annotated[
        bool,
        typer.Option(
            "--no-source",
            help="For a target or a wheel + sdist: skip the repository and run only the "
            "checks that need none (the report is partial).",
        ),
    ] = False,
    deps: Annotated[
        list[Path] | None,
        typer.Option(
            "--deps",
            "-r",
            help="Audit every release a dependency set names (repeatable): requirements.txt, "
            "pylock.toml, uv.lock, poetry.lock, package-lock.json, CycloneDX or SPDX JSON, "
            "a dpkg status file.",
            show_default=False,
        ),
    ] = None,
    deps_format: Annotated[
        DepsetFormat | None,
        typer.Option(help="Format of the -r files (default: from their names and content)."),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Audits run at once in a batch (default: CPUs)."),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            min=0,
            help="In a batch: seconds one package may take (download, clone, audit) before "
            "it is stopped and reported as an error; 0 for no limit.",
        ),
    ] = 900.0,
) -> None:
    """Verify a release against its source repository and explain every difference.

    A registry target (pypi:NAME==VERSION, npm:NAME@VERSION, deb:SOURCE=VERSION) is
    downloaded, checked without a repository (wheel against sdist, install scripts,
    Debian signatures and patches), then compared with the repository its metadata
    names. Several targets, or dependency sets given with -r, are audited as a batch.
    """
    with _errors_as_one_line():
        from chainsight.batch import is_batch

        if is_batch(artifacts or [], deps or []):
            import gc

            from chainsight.registry.options import effective_registries

            gc.enable()  # off for one audit (see chainsight.entry); a batch runs long

            if source or ref or source_subdir:
                raise UsageError(
                    "--source, --ref and --source-subdir name one artifact's "
                    "repository; they cannot be used with a batch"
                )
            raise typer.Exit(
                _audit_batch(
                    artifacts or [],
                    deps or [],
                    deps_format,
                    jobs,
                    output_format,
                    output,
                    fail_on,
                    cache_dir,
                    {
                        "ioc": not no_ioc,
                        "max_members": max_members,
                        "max_total_bytes": max_total_bytes,
                        # the registries actually used (pip.conf, .npmrc, APT sources):
                        # a rerun against another one must not reuse these results
                        **effective_registries(index_url, registry, debian_mirror),
                        "find_source": not no_source,
                    },
                    offline,
                    timeout or None,
                )
            )
        if not artifacts:
            raise UsageError(
                "name a release artifact or a package target, or a dependency set with -r FILE"
            )
        artifact = artifacts[0]

        from dataclasses import replace

        from chainsight.limits import Limits
        from chainsight.registry.target import looks_like_target

        limits = Limits()
        if max_members is not None:
            limits = replace(limits, max_members=max_members)
        if max_total_bytes is not None:
            limits = replace(limits, max_total_bytes=max_total_bytes)
        tty = sys.stderr.isatty()

        def said(text: str) -> None:
            typer.echo(f"chainsight: auditing against {text}", err=True)

        if looks_like_target(artifact) or sdist is not None:
            from chainsight.registry import dispatch

            package_options = dispatch.PackageAuditOptions(
                source=source,
                ref=ref,
                source_subdir=source_subdir,
                find_source=not no_source,
                limits=limits,
                repo_cache_dir=cache_dir,
                ioc=not no_ioc,
            )
            if sdist is not None:
                if looks_like_target(artifact):
                    raise UsageError("--sdist goes with a wheel file, not a registry target")
                report = dispatch.audit_local_pair(Path(artifact), sdist, package_options)
            else:
                from chainsight.registry.options import registry_options
                from chainsight.registry.target import parse_target

                options = registry_options(
                    index_url=index_url,
                    npm_registry=registry,
                    debian_mirror=debian_mirror,
                    offline=offline,
                    cache_dir=cache_dir,
                    progress=_download_progress(tty),
                )
                report = dispatch.audit_target(
                    parse_target(artifact), options, package_options, on_ref=said
                )
        else:
            from chainsight.audit import AuditRequest
            from chainsight.audit import audit as run_audit

            if source is None:
                raise UsageError(
                    "--source is required to audit a file (or name a registry target such "
                    "as pypi:NAME==VERSION, or give a wheel with --sdist)"
                )
            request = AuditRequest(
                Path(artifact), source, ref, source_subdir, limits, cache_dir, ioc=not no_ioc
            )
            report = run_audit(
                request,
                progress=_progress_factory(tty),
                on_ref=lambda r: said(f"tag {r}"),
            )
        _emit(report, output_format, output, verbose)
        if fail_on is not FailOn.never:
            from chainsight.model import Severity

            if report.has_finding_at_or_above(Severity(fail_on.value)):
                raise typer.Exit(1)


def _download_progress(
    enabled: bool,
) -> Callable[[str], Callable[[int, int | None], None]] | None:
    """A transient bar per download on a terminal (files over 1 MiB)."""
    if not enabled:
        return None

    def factory(filename: str) -> Callable[[int, int | None], None]:
        state: dict[str, Any] = {}

        def update(done: int, total: int | None) -> None:
            if "bar" not in state:
                if total is None or total < 1024 * 1024:
                    state["bar"] = None
                else:
                    from rich.progress import (
                        BarColumn,
                        DownloadColumn,
                        Progress,
                        TransferSpeedColumn,
                    )

                    bar = Progress(
                        "[progress.description]{task.description}",
                        BarColumn(),
                        DownloadColumn(),
                        TransferSpeedColumn(),
                        transient=True,
                        console=_stderr_console(),
                    )
                    bar.start()
                    state["bar"] = bar
                    state["task"] = bar.add_task(f"downloading {filename}", total=total)
            bar = state["bar"]
            if bar is None:
                return
            bar.update(state["task"], completed=done)
            if total is not None and done >= total:
                bar.stop()

        return update

    return factory


def _audit_batch(
    targets: list[str],
    deps: list[Path],
    deps_format: DepsetFormat | None,
    jobs: int | None,
    output_format: OutputFormat,
    output: Path | None,
    fail_on: FailOn,
    cache_dir: Path | None,
    options: dict[str, Any],
    offline: bool,
    timeout: float | None,
) -> int:
    """A batch; ``options`` change the reports (they key the resume store)."""
    from chainsight.batch.command import BatchRequest, run_batch_command
    from chainsight.model import Severity

    request = BatchRequest(
        targets=tuple(targets),
        deps=tuple(deps),
        deps_format=deps_format,
        jobs=jobs,
        output_format=output_format.value,
        output=output,
        fail_on=None if fail_on is FailOn.never else Severity(fail_on.value),
        cache_dir=cache_dir,
        options=options,
        offline=offline,
        timeout=timeout,
    )
    return run_batch_command(request)


def _emit(report: Any, fmt: OutputFormat, output: Path | None, verbose: bool) -> None:
    if fmt is OutputFormat.json:
        from chainsight.formats import jsonfmt

        _write(jsonfmt.render(report), output)
    elif fmt is OutputFormat.sarif:
        from chainsight.formats import sarif

        _write(sarif.render(report), output)
    else:
        from chainsight.formats import text

        if output is None:
            text.render(
                report, sys.stdout, verbose=verbose, color=None if sys.stdout.isatty() else False
            )
        else:
            with _open_output(output) as fh:
                text.render(report, fh, verbose=verbose, color=False)


@contextmanager
def _open_output(path: Path) -> Any:
    try:
        fh = path.open("w", encoding="utf-8")
    except OSError as exc:
        raise ChainsightError(f"cannot write {path}: {exc.strerror or exc}") from None
    with fh:
        yield fh


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    with _open_output(output) as fh:
        fh.write(text)


@app.command()
def demo(
    keep: Annotated[
        Path | None,
        typer.Option(
            help="Build the demo in this directory and keep it (default: a temporary one)."
        ),
    ] = None,
) -> None:
    """Build a small upstream repository and two releases of it, honest and tampered,
    audit both with the real pipeline, and show the difference. Needs git; no network."""
    with _errors_as_one_line():
        from chainsight import demo as demo_module

        demo_module.run(sys.stdout, keep)


class HistoryFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def history(
    repo: Annotated[
        str,
        typer.Argument(
            help="Repository: a local path (bare or with a work tree) or an https/ssh URL, "
            "cloned into the cache.",
            show_default=False,
        ),
    ],
    since: Annotated[
        str | None,
        typer.Option(
            help="Report events from this date on (YYYY-MM-DD); earlier history "
            "still tells who is a newcomer."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            help="Analyse the history as it stood on this date (YYYY-MM-DD, "
            "inclusive): commits and tags up to it."
        ),
    ] = None,
    output_format: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="Report format.")
    ] = HistoryFormat.text,
    output: OutputOption = None,
    chart: Annotated[
        Path | None,
        typer.Option(
            help="Also draw role holders over time to this PNG "
            "(needs the chainsight[charts] extra)."
        ),
    ] = None,
    fail_on: FailOnOption = FailOn.high,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show info events and every quarter.")
    ] = False,
    cache_dir: CacheDirOption = None,
) -> None:
    """Read a repository's history for trust escalation: who holds the author, committer,
    release-tagger and signing-key roles over time, newcomers rising fast, contact
    rewrites, opaque binaries before releases; truck factor and funding links."""
    with _errors_as_one_line():
        from chainsight.history import report as history_report
        from chainsight.history.analysis import HistoryRequest, analyse

        result = analyse(HistoryRequest(repo, since, until, cache_dir))
        if output_format is HistoryFormat.json:
            _write(history_report.render_json(result), output)
        elif output is None:
            history_report.render_text(
                result, sys.stdout, verbose=verbose, color=None if sys.stdout.isatty() else False
            )
        else:
            with _open_output(output) as fh:
                history_report.render_text(result, fh, verbose=verbose, color=False)
        if chart is not None:
            history_report.render_chart(result, chart)
        if fail_on is not FailOn.never:
            from chainsight.model import Severity

            if result.has_finding_at_or_above(Severity(fail_on.value)):
                raise typer.Exit(1)


@app.command()
def volunteers(
    list_file: Annotated[
        Path | None,
        typer.Argument(
            help="Repositories, one a line: PATH_OR_URL [DEPENDENTS] [NAME]; DEPENDENTS is how "
            "many packages depend on it (ranks the list). '#' starts a comment.",
            show_default=False,
        ),
    ] = None,
    deps: Annotated[
        list[Path] | None,
        typer.Option(
            "--deps",
            "-r",
            help="A dependency set (requirements.txt, lock files, SBOMs, dpkg status; "
            "repeatable): each package's repository is found from its registry metadata and "
            "ranked by how many packages of the set depend on it.",
            show_default=False,
        ),
    ] = None,
    index_url: IndexUrlOption = None,
    registry: NpmRegistryOption = None,
    debian_mirror: DebianMirrorOption = None,
    offline: OfflineOption = False,
    output_format: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="Report format.")
    ] = HistoryFormat.text,
    output: OutputOption = None,
    cache_dir: CacheDirOption = None,
) -> None:
    """The volunteers you depend on: projects with one maintainer and no funding link,
    ranked by how much depends on them, with where to support them."""
    with _errors_as_one_line():
        from chainsight.history import volunteers as vol

        if list_file is None and not deps:
            raise UsageError("name a list of repositories, or a dependency set with -r FILE")
        entries = vol.read_list(list_file) if list_file is not None else []
        if deps:
            from chainsight.depsets import read_depset
            from chainsight.history.volunteers_packages import entries_for_targets
            from chainsight.registry.options import registry_options

            targets = [e.target for path in deps for e in read_depset(path).entries]
            options = registry_options(
                index_url=index_url,
                npm_registry=registry,
                debian_mirror=debian_mirror,
                offline=offline,
                cache_dir=cache_dir,
            )
            entries += entries_for_targets(targets, options, cache_dir)
        result = vol.survey(entries, cache_dir)
        if output_format is HistoryFormat.json:
            _write(vol.render_json(result), output)
        elif output is None:
            vol.render_text(result, sys.stdout, color=None if sys.stdout.isatty() else False)
        else:
            with _open_output(output) as fh:
                vol.render_text(result, fh, color=False)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"chainsight {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    pass


def main() -> None:
    """Run the CLI, then leave without tearing the interpreter down.

    Freeing every object of a large audit one by one costs more than many audits
    take; output is flushed and files are closed by then, so exit at once.
    """
    try:
        app()
        code: int = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
