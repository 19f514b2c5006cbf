"""The batch runner with an injected audit function: the real release audit on local fixtures."""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from batch_fixtures import FixtureAudit, build_fixtures

from chainsight.batch.command import BatchRequest, run_batch_command
from chainsight.batch.output import write_json
from chainsight.batch.results import BatchItem, TargetStatus
from chainsight.batch.runner import WorkerKind, run_batch
from chainsight.batch.store import ResultStore
from chainsight.depsets import Origin
from chainsight.model import Severity
from chainsight.registry.target import parse_target

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "chainsight.batch-1.json"


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixtures(tmp_path_factory.mktemp("batch"))


@pytest.fixture()
def audit_fn(fixtures: Path, tmp_path: Path) -> FixtureAudit:
    """A fresh call log per test, sharing the module's repository and tarballs."""
    root = tmp_path / "fx"
    root.mkdir()
    for name in ("repo", "clean.tar.gz", "tampered.tar.gz"):
        (root / name).symlink_to(fixtures / name)
    (root / "calls").mkdir()
    return FixtureAudit(root)


@pytest.fixture(scope="module")
def batch_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def items(*texts: str) -> list[BatchItem]:
    return [
        BatchItem(t, parse_target(t), Origin("requirements.txt", i + 1))
        for i, t in enumerate(texts)
    ]


def validate(schema: dict[str, Any], doc: dict[str, Any]) -> None:
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


@pytest.mark.parametrize("workers", [WorkerKind.PROCESS, WorkerKind.THREAD])
def test_one_failure_never_stops_the_set(
    audit_fn: FixtureAudit, tmp_path: Path, workers: WorkerKind
) -> None:
    store = ResultStore(tmp_path / "store")
    seen: list[str] = []
    outcome = run_batch(
        items(
            "pypi:ok-a==1.0.0",
            "pypi:broken-b==1.0.0",
            "pypi:tampered-c==1.0.0",
            "pypi:crash-d==1.0.0",
            "pypi:partial-e==1.0.0",
            "npm:ok-f@1.0.0",
        ),
        audit_fn,
        store,
        jobs=2,
        workers=workers,
        on_result=lambda r: seen.append(r.target),
    )
    by = {r.target: r for r in outcome.results}
    assert [r.target for r in outcome.results] == list(by)  # the order of the items
    assert sorted(seen) == sorted(by)
    assert by["pypi:ok-a==1.0.0"].status is TargetStatus.OK
    assert by["pypi:ok-a==1.0.0"].worst is None
    assert by["pypi:broken-b==1.0.0"].status is TargetStatus.ERROR
    assert (
        by["pypi:broken-b==1.0.0"].error == "pypi:broken-b==1.0.0: no such version on the registry"
    )
    tampered = by["pypi:tampered-c==1.0.0"]
    assert tampered.status is TargetStatus.OK
    assert tampered.worst is not None and tampered.worst.severity.rank >= Severity.HIGH.rank
    assert tampered.worst.path == "m4/host-check.m4"
    assert by["pypi:crash-d==1.0.0"].error == "internal error: RuntimeError: unexpected state"
    assert by["pypi:partial-e==1.0.0"].status is TargetStatus.PARTIAL
    assert by["npm:ok-f@1.0.0"].status is TargetStatus.OK
    assert outcome.reused == 0


def _spans(root: Path) -> list[tuple[float, float]]:
    spans = []
    for p in (root / "calls").glob("*.span"):
        start, end = p.read_text().split()
        spans.append((float(start), float(end)))
    return sorted(spans)


@pytest.mark.parametrize("workers", [WorkerKind.PROCESS, WorkerKind.THREAD])
def test_audits_run_concurrently(
    audit_fn: FixtureAudit, tmp_path: Path, workers: WorkerKind
) -> None:
    run_batch(
        items(*(f"pypi:slow{i}==1.0.0" for i in range(4))),
        audit_fn,
        ResultStore(tmp_path / "store"),
        jobs=2,
        workers=workers,
    )
    spans = _spans(audit_fn.root)
    assert len(spans) == 4
    overlapping = sum(1 for a, b in itertools.pairwise(spans) if b[0] < a[1])
    assert overlapping >= 1, spans
    # never more than two at once
    for start, _ in spans:
        assert sum(1 for s, e in spans if s <= start < e) <= 2


def test_jobs_1_runs_one_at_a_time(audit_fn: FixtureAudit, tmp_path: Path) -> None:
    run_batch(
        items(*(f"pypi:slow{i}==1.0.0" for i in range(3))),
        audit_fn,
        ResultStore(tmp_path / "store"),
        jobs=1,
        workers=WorkerKind.THREAD,
    )
    spans = _spans(audit_fn.root)
    assert all(b[0] >= a[1] for a, b in itertools.pairwise(spans))


def test_a_dying_worker_costs_only_the_audits_in_flight(
    audit_fn: FixtureAudit, tmp_path: Path
) -> None:
    names = [f"pypi:ok{i}==1.0.0" for i in range(6)]
    outcome = run_batch(
        items(*names[:3], "pypi:die-x==1.0.0", *names[3:]),
        audit_fn,
        ResultStore(tmp_path / "store"),
        jobs=1,
        workers=WorkerKind.PROCESS,
    )
    by = {r.target: r for r in outcome.results}
    assert "worker process died" in (by["pypi:die-x==1.0.0"].error or "")
    # the audit queued behind it in the same pool may be lost too (a rerun retries both),
    # but the batch goes on with a new pool and finishes the rest
    errors = [r.target for r in outcome.results if r.status is TargetStatus.ERROR]
    assert set(errors) <= {"pypi:die-x==1.0.0", names[3]}, errors
    assert by[names[-1]].status is TargetStatus.OK
    assert len(outcome.results) == 7


def test_resume_reuses_finished_results(audit_fn: FixtureAudit, tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "store", {"ioc": True})
    batch = items("pypi:ok-a==1.0.0", "pypi:tampered-b==1.0.0", "pypi:broken-c==1.0.0")
    first = run_batch(batch, audit_fn, store, jobs=2)
    assert first.reused == 0
    assert audit_fn.calls() == 3
    second = run_batch(batch, audit_fn, store, jobs=2)
    assert second.reused == 2
    # only the error is tried again
    assert audit_fn.calls("ok-a") == 1 and audit_fn.calls("tampered-b") == 1
    assert audit_fn.calls("broken-c") == 2
    assert [r.status for r in second.results] == [r.status for r in first.results]
    assert second.results[1].worst == first.results[1].worst
    assert second.results[0].origin == Origin("requirements.txt", 1)
    # other options: audited again
    other = run_batch(batch, audit_fn, ResultStore(tmp_path / "store", {"ioc": False}), jobs=2)
    assert other.reused == 0
    assert audit_fn.calls("ok-a") == 2


def test_targets_without_a_version_are_not_reused(audit_fn: FixtureAudit, tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "store")
    batch = [BatchItem("pypi:ok-newest", parse_target("pypi:ok-newest"))]
    run_batch(batch, audit_fn, store, jobs=1)
    assert run_batch(batch, audit_fn, store, jobs=1).reused == 0
    assert audit_fn.calls("ok-newest") == 2


def test_batch_json_is_valid_and_carries_the_reports(
    audit_fn: FixtureAudit, tmp_path: Path, batch_schema: dict[str, Any]
) -> None:
    store = ResultStore(tmp_path / "store")
    problem = BatchItem("-e .", None, Origin("requirements.txt", 9), "cannot audit: editable")
    outcome = run_batch(
        [
            *items(
                "pypi:ok-a==1.0.0",
                "pypi:tampered-b==1.0.0",
                "pypi:partial-c==1.0.0",
                "pypi:broken-d==1.0.0",
            ),
            problem,
        ],
        audit_fn,
        store,
        jobs=2,
    )
    buf = io.StringIO()
    write_json(outcome.results, store, buf)
    doc = json.loads(buf.getvalue())
    validate(batch_schema, doc)
    assert doc["schema"] == "chainsight.batch/1"
    targets = {t["target"]: t for t in doc["targets"]}
    assert targets["pypi:ok-a==1.0.0"]["report"]["schema"] == "chainsight.audit/1"
    tampered = targets["pypi:tampered-b==1.0.0"]
    assert tampered["worst_severity"] in ("high", "critical")
    assert any(f["path"] == "m4/host-check.m4" for f in tampered["report"]["findings"])
    assert targets["pypi:partial-c==1.0.0"]["status"] == "partial"
    assert targets["pypi:partial-c==1.0.0"]["report"]["partial"] is True
    assert targets["-e ."] == {
        "target": "-e .",
        "status": "error",
        "worst_severity": None,
        "error": "cannot audit: editable",
        "report": None,
    }
    summary = doc["summary"]
    assert (summary["targets"], summary["ok"], summary["partial"], summary["error"]) == (5, 2, 1, 2)
    total = {s: 0 for s in summary["findings_by_severity"]}
    for t in doc["targets"]:
        for sev, n in (t["report"] or {"summary": {"findings_by_severity": {}}})["summary"][
            "findings_by_severity"
        ].items():
            total[sev] += n
    assert summary["findings_by_severity"] == total
    assert total["high"] + total["critical"] >= 1


def test_schema_rejects_what_the_issue_does_not_allow(batch_schema: dict[str, Any]) -> None:
    good = {
        "schema": "chainsight.batch/1",
        "targets": [
            {"target": "x", "status": "error", "worst_severity": None, "error": "e", "report": None}
        ],
        "summary": {
            "targets": 1,
            "ok": 0,
            "partial": 0,
            "error": 1,
            "findings_by_severity": {"info": 0, "low": 0, "medium": 0, "high": 0, "critical": 0},
        },
    }
    validate(batch_schema, good)
    bad_status = json.loads(json.dumps(good))
    bad_status["targets"][0]["status"] = "skipped"
    ok_without_report = json.loads(json.dumps(good))
    ok_without_report["targets"][0].update(status="ok", error=None)
    for doc in (bad_status, ok_without_report):
        assert list(jsonschema.Draft202012Validator(batch_schema).iter_errors(doc))


# -- the command: exit codes, progress, output --------------------------------------------


class TtyIO(io.StringIO):
    def isatty(self) -> bool:
        return True


def _request(tmp_path: Path, *targets: str, **kw: Any) -> BatchRequest:
    return BatchRequest(
        targets=targets, cache_dir=tmp_path / "cache", output=tmp_path / "out.txt", **kw
    )


def test_exit_codes(audit_fn: FixtureAudit, tmp_path: Path) -> None:
    err = io.StringIO()
    assert (
        run_batch_command(
            _request(tmp_path, "pypi:ok-a==1", "pypi:broken-b==1"), audit_fn, stderr=err
        )
        == 0
    )
    assert (
        run_batch_command(
            _request(tmp_path, "pypi:ok-a==1", "pypi:tampered-b==1"), audit_fn, stderr=err
        )
        == 1
    )
    assert (
        run_batch_command(
            _request(tmp_path, "pypi:ok-a==1", "pypi:tampered-b==1", fail_on=None),
            audit_fn,
            stderr=err,
        )
        == 0
    )
    # the tampered release's worst finding is high: below a critical threshold
    critical = _request(tmp_path, "pypi:ok-a==1", "pypi:tampered-b==1", fail_on=Severity.CRITICAL)
    assert run_batch_command(critical, audit_fn, stderr=err) == 0
    err = io.StringIO()
    code = run_batch_command(
        _request(tmp_path, "pypi:broken-a==1", "pypi:crash-b==1"), audit_fn, stderr=err
    )
    assert code == 2
    assert "none of the 2 targets could be audited" in err.getvalue()


def test_progress_only_on_a_tty(audit_fn: FixtureAudit, tmp_path: Path) -> None:
    plain = io.StringIO()
    run_batch_command(_request(tmp_path, "pypi:ok-a==1", "pypi:ok-b==1"), audit_fn, stderr=plain)
    assert plain.getvalue().count("\n") == 1  # the one summary line, nothing else
    assert plain.getvalue().startswith("chainsight: 2 targets: 2 audited")
    tty = TtyIO()
    run_batch_command(_request(tmp_path, "pypi:ok-c==1", "pypi:ok-d==1"), audit_fn, stderr=tty)
    shown = tty.getvalue()
    assert "\x1b[" in shown and "2/2" in shown  # a rich progress bar with its M/N count


def test_the_table_lists_every_target(audit_fn: FixtureAudit, tmp_path: Path) -> None:
    request = _request(tmp_path, "pypi:ok-a==1", "pypi:tampered-b==1", "pypi:broken-c==1")
    run_batch_command(request, audit_fn, stderr=io.StringIO())
    table = (tmp_path / "out.txt").read_text()
    rows = {line.split("│")[1].strip(): line for line in table.splitlines() if line.count("│") >= 4}
    assert "ok" in rows["pypi:ok-a==1"]
    assert re.search(r"│ ok +│ (high|critical) ", rows["pypi:tampered-b==1"])
    assert "error" in rows["pypi:broken-c==1"] and "no such version" in rows["pypi:broken-c==1"]
    assert "3 targets: 2 ok, 0 partial, 1 error" in table


def test_a_hundred_targets_with_failures_run_to_the_end(
    audit_fn: FixtureAudit, tmp_path: Path
) -> None:
    req = tmp_path / "requirements.txt"
    lines = []
    for i in range(100):
        kind = "broken" if i % 10 == 3 else "crash" if i % 10 == 7 else "ok"
        lines.append(f"{kind}-{i}==1.0.{i}")
    req.write_text("\n".join(lines) + "\n")
    err = io.StringIO()
    request = BatchRequest(
        deps=(req,),
        cache_dir=tmp_path / "cache",
        output=tmp_path / "out.json",
        output_format="json",
        jobs=2,
    )
    assert run_batch_command(request, audit_fn, stderr=err) == 0
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["summary"]["targets"] == 100
    assert (doc["summary"]["ok"], doc["summary"]["error"]) == (80, 20)
    assert "Traceback" not in err.getvalue()
    errors = [t["error"] for t in doc["targets"] if t["status"] == "error"]
    assert all("\n" not in e for e in errors)
    assert "100 targets: 80 audited" in err.getvalue()


def test_resume_key_follows_the_registry_actually_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pip.conf/PIP_INDEX_URL change between runs must not reuse the other index's results."""
    from chainsight.registry.options import effective_registries

    monkeypatch.setenv("PIP_CONFIG_FILE", str(tmp_path / "none.conf"))
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple/")
    first = effective_registries(None, None, None)
    monkeypatch.setenv("PIP_INDEX_URL", "https://pypi.org/simple/")
    second = effective_registries(None, None, None)
    assert first["index_url"] != second["index_url"]
    (item,) = items("pypi:demo==1.0")
    assert ResultStore(tmp_path, first).key(item) != ResultStore(tmp_path, second).key(item)


def test_a_hung_target_is_stopped_and_the_set_goes_on(
    audit_fn: FixtureAudit, tmp_path: Path
) -> None:
    import time as clock

    store = ResultStore(tmp_path / "store")
    started = clock.monotonic()
    outcome = run_batch(
        items("pypi:hang==1.0", "pypi:clean==1.0"), audit_fn, store, jobs=2, timeout=1.5
    )
    assert clock.monotonic() - started < 30  # not the 60 s the target hangs for
    hung, clean = outcome.results
    assert hung.status is TargetStatus.ERROR
    assert "took longer than 1.5s and was stopped" in (hung.error or "")
    assert clean.status is not TargetStatus.ERROR
    # the worker survives the interruption: a second batch in the same store works
    again = run_batch(items("pypi:clean2==1.0"), audit_fn, store, jobs=1, timeout=1.5)
    assert again.results[0].status is not TargetStatus.ERROR
