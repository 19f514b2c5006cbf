"""Command line: parse, call, render. No analysis logic lives here."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from chainsight import __version__
from chainsight.errors import ChainsightError

app = typer.Typer(
    name="chainsight",
    help=(
        "Find the telltale signs of xz-style supply-chain attacks.\n\n"
        "Start with [bold]chainsight demo[/], then audit a real release:\n\n"
        "  chainsight audit xz-5.4.1.tar.xz --source ~/src/xz\n\n"
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
    artifact: Annotated[
        Path,
        typer.Argument(
            help="Release artifact: .tar[.gz|.xz|.bz2|.zst], .tgz, .zip, .whl, npm .tgz, or a "
            "Debian .dsc (its upstream tarballs are audited).",
            show_default=False,
        ),
    ],
    source: Annotated[
        str,
        typer.Option(
            "--source",
            "-s",
            help="Source repository: a local path (bare or with a work tree) "
            "or an https/ssh URL, cloned into the cache.",
            show_default=False,
        ),
    ],
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
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report here instead of standard output."),
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option(help="Exit 1 when a finding is at or above this severity.")
    ] = FailOn.high,
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
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Where cloned repositories are kept (default ~/.cache/chainsight)."),
    ] = None,
    no_ioc: Annotated[
        bool,
        typer.Option(
            "--no-ioc",
            help="Leave out the ioc-* rules (published indicators of known incidents); "
            "the general rules do not depend on them.",
        ),
    ] = False,
) -> None:
    """Verify a release artifact against its source repository and explain every difference."""
    with _errors_as_one_line():
        from dataclasses import replace

        from chainsight.audit import AuditRequest
        from chainsight.audit import audit as run_audit
        from chainsight.limits import Limits

        limits = Limits()
        if max_members is not None:
            limits = replace(limits, max_members=max_members)
        if max_total_bytes is not None:
            limits = replace(limits, max_total_bytes=max_total_bytes)
        request = AuditRequest(
            artifact, source, ref, source_subdir, limits, cache_dir, ioc=not no_ioc
        )
        report = run_audit(
            request,
            progress=_progress_factory(sys.stderr.isatty()),
            on_ref=lambda r: typer.echo(f"chainsight: auditing against tag {r}", err=True),
        )
        _emit(report, output_format, output, verbose)
        if fail_on is not FailOn.never:
            from chainsight.model import Severity

            if report.has_finding_at_or_above(Severity(fail_on.value)):
                raise typer.Exit(1)


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
        typer.Option(help="Report events from this date on (YYYY-MM-DD); earlier history "
                     "still tells who is a newcomer."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Analyse the history as it stood on this date (YYYY-MM-DD, "
                     "inclusive): commits and tags up to it."),
    ] = None,
    output_format: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="Report format.")
    ] = HistoryFormat.text,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report here instead of standard output."),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option(help="Also draw role holders over time to this PNG "
                     "(needs the chainsight[charts] extra)."),
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option(help="Exit 1 when a finding is at or above this severity.")
    ] = FailOn.high,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show info events and every quarter.")
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Where cloned repositories are kept (default ~/.cache/chainsight)."),
    ] = None,
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
        Path,
        typer.Argument(
            help="Repositories, one a line: PATH_OR_URL [DEPENDENTS] [NAME]; DEPENDENTS is how "
            "many packages depend on it (ranks the list). '#' starts a comment.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="Report format.")
    ] = HistoryFormat.text,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report here instead of standard output."),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Where cloned repositories are kept (default ~/.cache/chainsight)."),
    ] = None,
) -> None:
    """The volunteers you depend on: projects with one maintainer and no funding link,
    ranked by how much depends on them, with where to support them."""
    with _errors_as_one_line():
        from chainsight.history import volunteers as vol

        result = vol.survey(vol.read_list(list_file), cache_dir)
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
