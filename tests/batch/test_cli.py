"""``chainsight audit -r`` as a user runs it: one-line errors, exit 2 when nothing is audited."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli


def test_nothing_auditable_exits_2_with_one_line_per_entry(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("-e .\nflask>=2\ngit+https://example.org/x.git\n")
    out = tmp_path / "batch.json"
    proc = run_cli(
        "audit",
        "-r",
        str(req),
        "--format",
        "json",
        "-o",
        str(out),
        "--cache-dir",
        str(tmp_path / "cache"),
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "\x1b[" not in proc.stderr  # no progress bar: stderr is not a terminal
    store = tmp_path / "cache" / "batch"
    assert proc.stderr.splitlines() == [
        f"chainsight: 3 targets: 0 audited (0 reused from an earlier run, {store}), 3 not audited",
        "chainsight: error: none of the 3 targets could be audited",
    ]
    doc = json.loads(out.read_text())
    assert [t["status"] for t in doc["targets"]] == ["error"] * 3
    assert doc["targets"][1]["error"] == (f"cannot audit: not pinned (no ==VERSION) ({req}:2)")


def test_a_local_artifact_in_a_batch_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("audit", "pkg-1.0.tar.gz", "pypi:requests==2.31.0")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "only package targets" in proc.stderr


def test_a_missing_dependency_set_is_one_line(tmp_path: Path) -> None:
    proc = run_cli("audit", "-r", str(tmp_path / "nope.txt"))
    assert proc.returncode == 2
    assert (
        proc.stderr == f"chainsight: error: dependency set {tmp_path / 'nope.txt'} does not exist\n"
    )


def test_deps_format_override(tmp_path: Path) -> None:
    odd = tmp_path / "package-lock.json"
    odd.write_text("-e .\n")
    proc = run_cli("audit", "-r", str(odd), "--cache-dir", str(tmp_path / "c"))
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr
    proc = run_cli(
        "audit", "-r", str(odd), "--deps-format", "requirements", "--cache-dir", str(tmp_path / "c")
    )
    assert proc.returncode == 2
    assert "none of the 1 targets could be audited" in proc.stderr
    assert "editable" in proc.stdout


def test_single_artifact_still_needs_source(tmp_path: Path) -> None:
    proc = run_cli("audit", str(tmp_path / "pkg-1.0.tar.gz"))
    assert proc.returncode == 2
    assert "--source is required" in proc.stderr


def test_source_is_refused_in_a_batch(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("requests==2.31.0\n")
    proc = run_cli("audit", "-r", str(req), "--source", str(tmp_path))
    assert proc.returncode == 2
    assert "cannot be used with a batch" in proc.stderr
