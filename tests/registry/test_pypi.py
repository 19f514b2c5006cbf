"""PyPI targets end to end against a loopback PEP 691 index holding files built here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import make_repo, run_cli
from loopback_registry import serve

from registry.pyfixtures import (
    MODULE,
    publish,
    release,
    sdist_files,
    sha256,
    wheel_files,
)


def audit_target(
    target: str, index: str | None, cache: Path, *extra: str
) -> tuple[int, dict[str, Any], str]:
    out = cache.parent / "report.json"
    out.unlink(missing_ok=True)
    args = ["audit", target, "--cache-dir", str(cache), "--format", "json", "-o", str(out)]
    if index is not None:
        args += ["--index-url", index]
    proc = run_cli(*args, *extra)
    report = json.loads(out.read_text()) if out.exists() else {}
    return proc.returncode, report, proc.stderr


def rules(report: dict[str, Any], *severities: str) -> list[str]:
    return [f["rule_id"] for f in report["findings"] if f["severity"] in severities]


def finding(report: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(f for f in report["findings"] if f["rule_id"] == rule_id)


def test_genuine_pair_has_no_findings_and_reports_the_files(tmp_path: Path) -> None:
    s, w = release(tmp_path / "dist")
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        code, report, err = audit_target("pypi:demo", index, tmp_path / "c", "--no-source")
    assert code == 0, err
    assert rules(report, "high", "critical", "medium") == []
    pkg = report["package"]
    assert pkg["target"] == "pypi:demo==1.0"
    assert {f["role"]: f["sha256"] for f in pkg["files"]} == {
        "sdist": sha256(s),
        "wheel": sha256(w),
    }
    assert report["source"] is None and report["partial"] is True
    assert pkg["source_discovery"]["status"] == "skipped"


def test_code_only_in_the_wheel_is_high_with_its_first_lines(tmp_path: Path) -> None:
    wheel = wheel_files()
    wheel["demo/_telemetry.py"] = "import os\nopen(os.path.join('/tmp', 'marker'), 'w')\n"
    s, w = release(tmp_path / "dist", wheel=wheel)
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        code, report, _ = audit_target("pypi:demo==1.0", index, tmp_path / "c", "--no-source")
    assert code == 1
    f = finding(report, "wheel-code-not-in-sdist")
    assert f["severity"] == "high"
    assert f["path"] == "demo-1.0-py3-none-any.whl/demo/_telemetry.py"
    assert f["evidence"][0] == {"line": 1, "text": "import os"}


def test_a_pth_hook_only_in_the_wheel_is_code(tmp_path: Path) -> None:
    wheel = wheel_files()
    wheel["demo-hook.pth"] = "import demo._hook\n"
    s, w = release(tmp_path / "dist", wheel=wheel)
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        code, report, _ = audit_target("pypi:demo", index, tmp_path / "c", "--no-source")
    assert code == 1
    assert finding(report, "wheel-code-not-in-sdist")["path"].endswith("/demo-hook.pth")


def test_a_wheel_file_that_differs_from_the_sdist_shows_the_added_lines(tmp_path: Path) -> None:
    wheel = wheel_files()
    wheel["demo/__init__.py"] = MODULE + "\n__import__('os').system('true')\n"
    s, w = release(tmp_path / "dist", wheel=wheel)
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        code, report, _ = audit_target("pypi:demo", index, tmp_path / "c", "--no-source")
    assert code == 1
    f = finding(report, "wheel-code-differs-from-sdist")
    assert f["severity"] == "high"
    assert "+ __import__('os').system('true')" in [e["text"] for e in f["evidence"]]
    assert f["related"] == [
        {"path": "demo-1.0.tar.gz/src/demo/__init__.py", "role": "sdist-version"}
    ]


def test_known_build_steps_are_info_not_high(tmp_path: Path) -> None:
    sdist = sdist_files()
    sdist["src/demo/_version.py"] = '__version__ = "0.0.0"\n'
    tail = "\n\ndef prefix():\n    return PREFIX\n"
    sdist["src/demo/config.py.in"] = 'PREFIX = "@PREFIX@"\nDEBUG = @DEBUG@' + tail
    wheel = wheel_files()
    wheel["demo/_version.py"] = '__version__ = "1.0"\n'  # version stamped
    wheel["demo/_build.py"] = 'commit = "abc123"\nflags = ("-O2",)\n'  # literals only
    wheel["demo/config.py"] = 'PREFIX = "/usr"\nDEBUG = False' + tail  # template filled
    wheel["demo/_ffi.py"] = (
        "import _cffi_backend\n\nffi = _cffi_backend.FFI('demo._ffi', _version=0x2601, "
        "_types=b'\\x00', _globals=(b'\\x00\\x00\\x00\\x23greet', 0,))\n"
    )
    s, w = release(tmp_path / "dist", sdist=sdist, wheel=wheel)
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        code, report, _ = audit_target("pypi:demo", index, tmp_path / "c", "--no-source")
    assert code == 0, report["findings"]
    steps = "\n".join(e["text"] for e in finding(report, "wheel-build-step")["evidence"])
    assert "demo/_version.py: the release version 1.0 stamped" in steps
    assert "demo/_build.py: a generated module that only binds literals" in steps
    assert "demo/config.py: src/demo/config.py.in from the sdist" in steps
    assert "demo/_ffi.py: a cffi out-of-line ABI module" in steps


def test_a_template_hiding_a_statement_is_not_a_build_step(tmp_path: Path) -> None:
    sdist = sdist_files()
    sdist["src/demo/config.py.in"] = "DEBUG = @DEBUG@\n"
    wheel = wheel_files()
    wheel["demo/config.py"] = "DEBUG = False; __import__('os').system('true')\n"
    s, w = release(tmp_path / "dist", sdist=sdist, wheel=wheel)
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        code, report, _ = audit_target("pypi:demo", index, tmp_path / "c", "--no-source")
    assert code == 1
    assert "wheel-code-not-in-sdist" in rules(report, "high")


def test_dependency_only_in_the_wheel(tmp_path: Path) -> None:
    s, w = release(
        tmp_path / "dist",
        sdist=sdist_files(requires=("requests>=2",)),
        wheel=wheel_files(requires=("requests>=2", "evil-helper")),
    )
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        code, report, _ = audit_target("pypi:demo", index, tmp_path / "c", "--no-source")
    assert code == 1
    f = finding(report, "wheel-dependency-not-in-sdist")
    assert f["severity"] == "high"  # Metadata-Version 2.2, Requires-Dist not dynamic
    assert [e["text"] for e in f["evidence"]] == ["evil-helper"]


def test_old_metadata_without_dependencies_is_not_compared(tmp_path: Path) -> None:
    # Metadata-Version 2.1 and no Requires-Dist: the sdist says nothing, so no finding
    s, w = release(
        tmp_path / "dist",
        sdist=sdist_files(metadata_version="2.1"),
        wheel=wheel_files(requires=("requests>=2",)),
    )
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        code, report, _ = audit_target("pypi:demo", index, tmp_path / "c", "--no-source")
    assert code == 0
    assert not [f for f in report["findings"] if f["rule_id"].startswith("wheel-dep")]


def test_version_mismatch_in_metadata(tmp_path: Path) -> None:
    wheel = wheel_files()
    wheel["demo-1.0.dist-info/METADATA"] = wheel["demo-1.0.dist-info/METADATA"].replace(
        "Version: 1.0", "Version: 1.0.1"
    )
    s, w = release(tmp_path / "dist", wheel=wheel)
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        _, report, _ = audit_target("pypi:demo", index, tmp_path / "c", "--no-source")
    f = finding(report, "wheel-metadata-mismatch")
    assert f["severity"] == "medium"
    assert "Version: sdist '1.0', wheel '1.0.1'" in [e["text"] for e in f["evidence"]]


def test_version_choice_skips_yanked_and_prereleases(tmp_path: Path) -> None:
    releases = {v: release(tmp_path / v, v) for v in ("1.0", "1.1", "2.0rc1")}
    with serve() as reg:
        index = publish(reg, "demo", releases, yanked={"1.1": "broken"})
        _, newest, _ = audit_target("pypi:demo", index, tmp_path / "c", "--no-source")
        _, pinned, _ = audit_target("pypi:demo==1.1", index, tmp_path / "c", "--no-source")
    assert newest["package"]["version"] == "1.0"
    assert pinned["package"]["version"] == "1.1"
    assert any("yanked (broken)" in n for n in pinned["package"]["notes"])


def test_hash_mismatch_is_one_line_and_exit_2(tmp_path: Path) -> None:
    s, w = release(tmp_path / "dist")
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)}, wrong_hash={w.name})
        code, _, err = audit_target("pypi:demo", index, tmp_path / "c", "--no-source")
    assert code == 2
    assert err.count("\n") == 1 and "sha256" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("target", "expected"),
    [("pypi:nothere", "no project named 'nothere'"), ("pypi:demo==9.9", "no such version")],
)
def test_unknown_package_or_version_is_one_line(tmp_path: Path, target: str, expected: str) -> None:
    s, w = release(tmp_path / "dist")
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        code, _, err = audit_target(target, index, tmp_path / "c")
    assert code == 2
    assert err.count("\n") == 1 and expected in err


def test_unreachable_index_is_one_line(tmp_path: Path) -> None:
    code, _, err = audit_target("pypi:demo", "http://127.0.0.1:9/simple/", tmp_path / "c")
    assert code == 2 and err.count("\n") == 1 and "127.0.0.1:9" in err


def test_offline_rerun_uses_the_cache(tmp_path: Path) -> None:
    wheel = wheel_files()
    wheel["demo/extra.py"] = "X = compute()\n"
    s, w = release(tmp_path / "dist", wheel=wheel)
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        first = audit_target("pypi:demo", index, tmp_path / "c", "--no-source")
    # the server is gone: --offline replays the cached index page and files
    second = audit_target("pypi:demo", index, tmp_path / "c", "--no-source", "--offline")
    assert first[0] == second[0] == 1
    assert rules(first[1], "high") == rules(second[1], "high") == ["wheel-code-not-in-sdist"]
    code, _, err = audit_target("pypi:other", index, tmp_path / "c", "--offline")
    assert code == 2 and "--offline" in err


def test_release_audit_runs_against_a_given_repository(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {k: v for k, v in sdist_files().items() if k != "PKG-INFO"},
        tag="v1.0",
    )
    s, w = release(tmp_path / "dist")
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        code, report, err = audit_target("pypi:demo", index, tmp_path / "c", "--source", str(repo))
    assert code == 0, err
    assert report["partial"] is False
    assert report["source"]["ref"] == "v1.0"
    assert report["artifact"]["path"] == "demo-1.0.tar.gz"
    assert report["package"]["source_discovery"]["status"] == "given"
    assert {f["path"]: f["category"] for f in report["files"]}["PKG-INFO"] == "python_metadata"


def test_unreachable_repository_gives_a_partial_report_with_the_reason(tmp_path: Path) -> None:
    meta = {"source_url": "https://127.0.0.1:9/demo/demo.git"}
    wheel = wheel_files(**meta)
    wheel["demo/extra.py"] = "X = compute()\n"
    s, w = release(tmp_path / "dist", sdist=sdist_files(**meta), wheel=wheel)
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        code, report, _ = audit_target("pypi:demo", index, tmp_path / "c")
    assert code == 1  # by the no-repository finding
    assert report["partial"] is True and report["source"] is None
    disc = report["package"]["source_discovery"]
    assert disc["status"] == "unreachable"
    assert disc["attempts"][0]["url"] == "https://127.0.0.1:9/demo/demo.git"
    assert "unreachable" in report["errors"][0]


def test_local_wheel_and_sdist_pair(tmp_path: Path) -> None:
    wheel = wheel_files()
    wheel["demo/extra.py"] = "X = compute()\n"
    s, w = release(tmp_path / "dist", wheel=wheel)
    out = tmp_path / "r.json"
    proc = run_cli(
        "audit", str(w), "--sdist", str(s), "--no-source", "--format", "json", "-o", str(out)
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(out.read_text())
    assert rules(report, "high") == ["wheel-code-not-in-sdist"]
    assert report["package"]["target"] == "pypi:demo==1.0"


def test_file_without_source_is_a_usage_error(tmp_path: Path) -> None:
    s, _ = release(tmp_path / "dist")
    proc = run_cli("audit", str(s))
    assert proc.returncode == 2 and "--source is required" in proc.stderr


def test_text_report_for_a_package(tmp_path: Path) -> None:
    s, w = release(tmp_path / "dist")
    with serve() as reg:
        index = publish(reg, "demo", {"1.0": (s, w)})
        proc = run_cli(
            "audit",
            "pypi:demo",
            "--index-url",
            index,
            "--cache-dir",
            str(tmp_path / "c"),
            "--no-source",
        )
    assert proc.returncode == 0, proc.stderr
    assert "pypi:demo==1.0" in proc.stdout
    assert "demo-1.0-py3-none-any.whl" in proc.stdout
    assert "no source compared (--no-source)" in proc.stdout
