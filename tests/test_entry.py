"""The entry point's garbage-collector setting: off for one audit, on for a batch."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainsight.cli import app
from chainsight.entry import one_shot_gc


@pytest.fixture
def gc_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        else:
            gc.disable()


def test_an_audit_runs_without_the_cyclic_collector(gc_restored: None) -> None:
    gc.enable()
    assert one_shot_gc(["audit", "pkg-1.0.tar.gz", "--source", "repo"]) is True
    assert not gc.isenabled()


@pytest.mark.parametrize("argv", [[], ["history", "repo"], ["demo"], ["--help"]])
def test_every_other_command_keeps_it(gc_restored: None, argv: list[str]) -> None:
    gc.enable()
    assert one_shot_gc(argv) is False
    assert gc.isenabled()


def test_a_batch_switches_it_back_on(gc_restored: None, tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("flask>=2\n")  # not pinned: reported, nothing fetched
    gc.disable()  # as the entry point leaves it for ``audit``
    out, cache = str(tmp_path / "b.json"), str(tmp_path / "cache")
    result = CliRunner().invoke(
        app, ["audit", "-r", str(req), "--format", "json", "-o", out, "--cache-dir", cache]
    )
    assert result.exit_code == 2, result.output
    assert gc.isenabled()
