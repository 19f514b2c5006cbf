"""``chainsight history`` and ``chainsight volunteers`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chainsight", *args], capture_output=True, text=True, check=False
    )


def test_history_json_and_exit_code(takeover_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "h.json"
    proc = _run(
        "history", str(takeover_repo), "--until", "2023-03-19", "--format", "json", "-o", str(out)
    )
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["schema"] == "chainsight.history/1"
    assert doc["until"] == "2023-03-19T23:59:59Z"
    jin = next(i for i in doc["identities"] if i["id"] == "jin-newcomer")
    assert jin["escalation_score"] >= 0.6
    assert {"name", "value", "reason"} <= set(jin["components"][0])
    assert {"kind", "date", "severity", "who", "message", "refs"} <= set(doc["events"][0])
    assert doc["findings"][0]["rule_id"] == "history-trust-escalation"
    assert doc["findings"][0]["severity"] == "high"
    assert {"truck_factor", "contributor_absence_factor", "single_maintainer", "funding"} <= set(
        doc["metrics"]
    )
    assert doc["roles"][0]["quarter"] == "2009Q1"


def test_history_text_timeline(healthy_repo: Path) -> None:
    proc = _run("history", str(healthy_repo), "--since", "2019-01-01")
    assert proc.returncode == 0, proc.stderr
    assert "Role holders by quarter" in proc.stdout
    assert "Truck factor" in proc.stdout
    assert "events from 2019-01-01" in proc.stdout


def test_history_errors_are_one_line(tmp_path: Path) -> None:
    proc = _run("history", str(tmp_path / "missing"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "does not exist" in proc.stderr
    proc = _run("history", str(tmp_path), "--until", "19 March")
    assert proc.returncode == 2 and "use YYYY-MM-DD" in proc.stderr


def test_chart_needs_matplotlib_or_draws(takeover_repo: Path, tmp_path: Path) -> None:
    png = tmp_path / "roles.png"
    proc = _run("history", str(takeover_repo), "--chart", str(png), "--fail-on", "never")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert proc.returncode == 2 and "chainsight[charts]" in proc.stderr
        return
    assert proc.returncode == 0, proc.stderr
    assert png.read_bytes().startswith(b"\x89PNG")


def test_volunteers_ranks_one_volunteer_projects(
    handover_repo: Path, healthy_repo: Path, takeover_repo: Path, tmp_path: Path
) -> None:
    listing = tmp_path / "deps.txt"
    listing.write_text(
        f"# repositories we depend on\n{healthy_repo} 900 healthy\n{handover_repo} 50 tool\n"
        f"{takeover_repo} 700 xzlike\n{tmp_path / 'gone'} 5 gone\n"
    )
    proc = _run("volunteers", str(listing), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["schema"] == "chainsight.volunteers/1"
    by_name = {p["name"]: p for p in doc["projects"]}
    assert by_name["tool"]["one_volunteer"] and by_name["tool"]["unfunded"]
    assert by_name["tool"]["maintainer"].startswith("Sam Successor <")
    assert not by_name["healthy"]["one_volunteer"]
    assert by_name["gone"]["error"]
    assert [p["name"] for p in doc["projects"]][:3] == ["healthy", "xzlike", "tool"]
    text = _run("volunteers", str(listing)).stdout
    assert "the volunteers you depend on" in text
    assert text.index("tool") < text.index("Shared maintainership")


@pytest.mark.parametrize("line", ["repo -3", ""])
def test_volunteers_list_errors(tmp_path: Path, line: str) -> None:
    listing = tmp_path / "deps.txt"
    listing.write_text(line + "\n")
    proc = _run("volunteers", str(listing))
    assert proc.returncode == 2


def test_history_of_a_url_clones_into_the_cache(healthy_repo: Path, tmp_path: Path) -> None:
    proc = _run(
        "history",
        f"file://{healthy_repo}",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--format",
        "json",
        "--until",
        "2012-12-31",
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["repository"] == f"file://{healthy_repo}"
    assert doc["metrics"]["last_commit"] < "2013"
    assert list((tmp_path / "cache" / "repos").iterdir())
