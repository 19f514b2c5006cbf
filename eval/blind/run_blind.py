"""Build every blind case into a scratch directory and audit it with chainsight.

For each case in the selected set (``--set 1``: ``cases.CASES``, the default;
``--set 2``: ``cases_round2.CASES``; ``--set 3``: ``cases_round3.CASES``;
``--set 4``: ``cases_round4.CASES``; ``--set 5``: ``cases_round5.CASES``;
``--set all``: all five): build the repository
and the artifact, run::

    chainsight audit ART --source REPO --format json --output F --fail-on never

(retrying with ``--ref TAG`` when chainsight cannot derive the tag), then
print one row per case and the overall recall / false-positive figures.

A positive case counts as *detected* when some finding at or above its
``min_severity`` has ``path`` equal to the expected path. A negative case is a
*false positive* when any finding is ``high`` or ``critical``. Nothing built
here is ever unpacked, configured, compiled or installed.

Usage::

    .venv/bin/python eval/blind/run_blind.py [--set {1,2,3,4,5,all}] [--only NAME ...] [--keep]
                                             [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases
import cases_round2
import cases_round3
import cases_round4
import cases_round5
from _build import CaseSkipped

SETS = {
    "1": cases.CASES,
    "2": cases_round2.CASES,
    "3": cases_round3.CASES,
    "4": cases_round4.CASES,
    "5": cases_round5.CASES,
}
CASES = {k: v for s in SETS.values() for k, v in s.items()}
assert len(CASES) == sum(len(s) for s in SETS.values()), "case names must be unique"

CHAINSIGHT = Path(sys.executable).parent / "chainsight"
"""The chainsight of the interpreter running this script (the worktree's .venv)."""
RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def rank(sev: str | None) -> int:
    return RANK.get(sev or "", -1)


def related_paths(finding: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for item in finding.get("related") or []:
        if isinstance(item, str):
            out.add(item)
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            out.add(item["path"])
    return out


def audit(repo: Path, art: Path, out: Path) -> tuple[int, str, list[str]]:
    """Run chainsight; retry with --ref TAG if the tag could not be derived."""
    cmd = [
        str(CHAINSIGHT), "audit", str(art), "--source", str(repo),
        "--format", "json", "--output", str(out), "--fail-on", "never",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode == 2:
        tags = subprocess.run(
            ["git", "-C", str(repo), "tag", "--list"], capture_output=True, text=True
        ).stdout.split()
        if tags:
            cmd += ["--ref", tags[0]]
            proc = subprocess.run(cmd, capture_output=True, text=True)
    return proc.returncode, proc.stderr, cmd


def evaluate(name: str, work: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"case": name}
    try:
        repo, art, exp = CASES[name](work)
    except CaseSkipped as exc:
        row.update(status="skipped", note=str(exc))
        return row
    row["expected"] = exp
    report_path = work / "report.json"
    t0 = time.monotonic()
    rc, stderr, cmd = audit(repo, art, report_path)
    row["seconds"] = round(time.monotonic() - t0, 2)
    row["command"] = cmd
    if rc == 2 or not report_path.exists():
        row.update(status="error", note=stderr.strip().splitlines()[-1:] or ["rc=2"])
        return row
    report = json.loads(report_path.read_text())
    findings = report.get("findings", [])
    worst = max((f.get("severity") for f in findings), key=rank, default=None)
    min_rank = rank(exp["min_severity"])
    hits = [f for f in findings if f.get("path") == exp["path"]]
    strong = [f for f in hits if rank(f.get("severity")) >= min_rank]
    linked: set[str] = set()
    for f in strong:
        linked |= related_paths(f)
    wanted = exp.get("related", [])
    row.update(
        status="ok",
        worst=worst or "none",
        named=bool(strong),
        named_high=any(rank(f.get("severity")) >= RANK["high"] for f in hits),
        path_severity=max((f.get("severity") for f in hits), key=rank, default=None),
        path_rules=sorted({str(f.get("rule_id")) for f in hits}),
        linked=f"{len([p for p in wanted if p in linked])}/{len(wanted)}" if wanted else "-",
        high_findings=[
            (f.get("severity"), f.get("rule_id"), f.get("path"))
            for f in findings
            if rank(f.get("severity")) >= RANK["high"]
        ],
    )
    return row


def print_table(rows: list[dict[str, Any]]) -> None:
    header = ("case", "expected", "worst", "named>=min", "linked", "at path")
    table: list[tuple[str, ...]] = [header]
    for r in rows:
        exp = r.get("expected")
        if exp is None:
            want = "?"
        elif exp["should_flag"]:
            want = f"flag>={exp['min_severity']}"
        else:
            want = "clean"
        if r["status"] != "ok":
            table.append((r["case"], want, r["status"].upper(), "-", "-", str(r.get("note"))))
            continue
        if exp["should_flag"]:
            named = "yes" if r["named"] else "NO"
            at_path = f"{r['path_severity'] or 'none'} {','.join(r['path_rules'])}".strip()
        else:
            named = "-"
            at_path = "; ".join(f"{s} {p}" for s, _, p in r["high_findings"]) or "-"
        table.append((r["case"], want, r["worst"], named, r["linked"], at_path))
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for i, row in enumerate(table):
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
        print("  ".join([*cells, row[-1]]).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in [*widths, len(header[-1])]))


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if r["status"] == "ok"]
    pos = [r for r in ok if r["expected"]["should_flag"]]
    neg = [r for r in ok if not r["expected"]["should_flag"]]
    detected = [r["case"] for r in pos if r["named"]]
    lenient = [r["case"] for r in pos if r["named_high"]]
    fps = [r["case"] for r in neg if rank(r["worst"]) >= RANK["high"]]
    return {
        "positives": len(pos),
        "detected": len(detected),
        "recall": round(len(detected) / len(pos), 3) if pos else None,
        "detected_at_high_or_more": len(lenient),
        "missed": [r["case"] for r in pos if not r["named"]],
        "negatives": len(neg),
        "false_positives": len(fps),
        "false_positive_cases": fps,
        "not_run": [r["case"] for r in rows if r["status"] != "ok"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--set",
        choices=("1", "2", "3", "4", "5", "all"),
        default="1",
        help="which case set to run: 1 (cases.py, default), 2 (cases_round2.py), "
        "3 (cases_round3.py), 4 (cases_round4.py), 5 (cases_round5.py) or all",
    )
    ap.add_argument("--only", nargs="*", choices=sorted(CASES), help="run only these cases")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--json", type=Path, help="also write all rows and the summary here")
    args = ap.parse_args(argv)
    if not CHAINSIGHT.exists():
        print(f"{CHAINSIGHT} not found", file=sys.stderr)
        return 2
    selected = CASES if args.set == "all" else SETS[args.set]
    names = args.only or list(selected)
    scratch = Path(tempfile.mkdtemp(prefix="chainsight-blind-"))
    rows: list[dict[str, Any]] = []
    try:
        for name in names:
            work = scratch / name
            work.mkdir()
            rows.append(evaluate(name, work))
    finally:
        if args.keep:
            print(f"scratch kept in {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print_table(rows)
    summary = summarise(rows)
    print()
    print(
        f"recall: {summary['detected']}/{summary['positives']} positives named at >= min_severity"
        f" ({summary['detected_at_high_or_more']}/{summary['positives']} at >= high)"
    )
    print(f"false positives: {summary['false_positives']}/{summary['negatives']} negatives "
          "with a high or critical finding")  # fmt: skip
    if summary["missed"]:
        print("missed: " + ", ".join(summary["missed"]))
    if summary["false_positive_cases"]:
        print("false-positive cases: " + ", ".join(summary["false_positive_cases"]))
    if summary["not_run"]:
        print("not run (skipped/error): " + ", ".join(summary["not_run"]))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": summary}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
